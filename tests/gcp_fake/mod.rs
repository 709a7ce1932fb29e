//! A fake Google Cloud KMS + OAuth token + metadata server on 127.0.0.1 for the GCP KMS tests.
//!
//! It implements the documented REST shapes (`POST /v1/{name}:encrypt|decrypt`, the
//! `jwt-bearer` and `refresh_token` grants on `/token`, the metadata token endpoint) and
//! checks every request it gets: path, `Authorization: Bearer`, content types, JSON and
//! form bodies, and the RS256 signature and claims of service-account assertions (with
//! the public key `openssl` derived from the test key). What it finds wrong is answered
//! with an HTTP error and recorded, and [`FakeGcp::assert_clean`] fails the test on it.
//! "Encryption" is `fake:<key>:` followed by the plaintext XOR 0xA5, so a ciphertext only
//! decrypts with the key that made it.

#![allow(dead_code)]

pub mod grpc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The service account the fake token endpoint trusts.
pub const SA_EMAIL: &str = "sops-test@fake-project.iam.gserviceaccount.com";
/// The authorized user the fake token endpoint trusts.
pub const USER_CLIENT_ID: &str = "client-id-1.apps.googleusercontent.com";
pub const USER_CLIENT_SECRET: &str = "client secret/+=";
pub const USER_REFRESH_TOKEN: &str = "1//refresh-token";
/// The quota project of the authorized user: its calls must carry `x-goog-user-project`.
pub const QUOTA_PROJECT: &str = "fake-billing-project";
/// A static token the KMS endpoint accepts.
pub const STATIC_TOKEN: &str = "ya29.static-test-token";
/// A token the KMS endpoint knows but refuses (403).
pub const DENIED_TOKEN: &str = "ya29.denied-token";

const PRIVATE_KEY: &str = include_str!("../data/gcp/test-sa-key.pem");
const PUBLIC_KEY: &[u8] = include_bytes!("../data/gcp/test-sa-pub.der");

/// What the server has seen.
#[derive(Default)]
pub struct Log {
    /// `"<grant or metadata>"` per token request.
    pub token_requests: Vec<String>,
    /// `"<method> <resource id>"` per KMS request that was served.
    pub kms_requests: Vec<String>,
    /// Every request that broke the protocol (the test fails on any).
    pub problems: Vec<String>,
}

struct State {
    keys: Vec<String>,
    tokens: Vec<String>,
    issued: usize,
    log: Log,
}

/// The running server; stopped when dropped.
pub struct FakeGcp {
    /// `127.0.0.1:<port>`.
    pub addr: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGcp {
    /// A server that knows the crypto keys `keys`.
    pub fn start(keys: &[&str]) -> FakeGcp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr").to_string();
        let state = Arc::new(Mutex::new(State {
            keys: keys.iter().map(|k| k.to_string()).collect(),
            tokens: vec![STATIC_TOKEN.to_string()],
            issued: 0,
            log: Log::default(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp, a) = (state.clone(), stop.clone(), addr.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = conn {
                    let (st, a) = (st.clone(), a.clone());
                    std::thread::spawn(move || serve(stream, &st, &a));
                }
            }
        });
        FakeGcp {
            addr,
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// The base URL for `SOPS_GCP_KMS_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The token endpoint URL for credential files.
    pub fn token_uri(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    /// A service-account credentials file body whose `token_uri` is this server.
    pub fn service_account_json(&self) -> String {
        serde_json::json!({
            "type": "service_account",
            "project_id": "fake-project",
            "private_key_id": "test-key-id-1",
            "private_key": PRIVATE_KEY,
            "client_email": SA_EMAIL,
            "client_id": "1234567890",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri(),
        })
        .to_string()
    }

    /// An authorized-user (gcloud ADC) credentials file body whose `token_uri` is this server.
    pub fn authorized_user_json(&self) -> String {
        serde_json::json!({
            "type": "authorized_user",
            "client_id": USER_CLIENT_ID,
            "client_secret": USER_CLIENT_SECRET,
            "refresh_token": USER_REFRESH_TOKEN,
            "quota_project_id": QUOTA_PROJECT,
            "token_uri": self.token_uri(),
        })
        .to_string()
    }

    /// Makes `token` a known token that is refused with 403.
    pub fn deny(&self, token: &str) {
        self.lock().tokens.push(format!("deny:{token}"));
    }

    /// A copy of what was seen so far.
    pub fn token_requests(&self) -> Vec<String> {
        self.lock().log.token_requests.clone()
    }

    /// The KMS calls served so far.
    pub fn kms_requests(&self) -> Vec<String> {
        self.lock().log.kms_requests.clone()
    }

    /// The protocol errors seen so far.
    pub fn problems(&self) -> Vec<String> {
        self.lock().log.problems.clone()
    }

    /// Fails the test if any request broke the protocol.
    #[track_caller]
    pub fn assert_clean(&self) {
        let problems = self.lock().log.problems.clone();
        assert!(
            problems.is_empty(),
            "the fake GCP server saw bad requests: {problems:#?}"
        );
    }

    /// The ciphertext the fake makes for `plaintext` under `key`.
    pub fn ciphertext(key: &str, plaintext: &[u8]) -> Vec<u8> {
        let mut out = format!("fake:{key}:").into_bytes();
        out.extend(plaintext.iter().map(|b| b ^ 0xA5));
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for FakeGcp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(&self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

fn respond(mut stream: TcpStream, status: u16, body: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Error",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn google_error(code: u16, status: &str, message: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": message, "status": status}}).to_string()
}

fn serve(stream: TcpStream, state: &Mutex<State>, addr: &str) {
    let Some(req) = read_request(&stream) else {
        return;
    };
    let (status, body) = handle(&req, state, addr);
    respond(stream, status, &body);
}

fn handle(req: &Request, state: &Mutex<State>, addr: &str) -> (u16, String) {
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    let problem = |st: &mut State, what: String| {
        st.log
            .problems
            .push(format!("{} {}: {what}", req.method, req.path));
        (400, google_error(400, "INVALID_ARGUMENT", &what))
    };
    if req.path == "/token" {
        if req.method != "POST" {
            return problem(&mut st, "token endpoint needs POST".into());
        }
        if req.header("content-type") != Some("application/x-www-form-urlencoded") {
            return problem(
                &mut st,
                format!("token content type {:?}", req.header("content-type")),
            );
        }
        let form = parse_form(&String::from_utf8_lossy(&req.body));
        let get = |k: &str| form.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        let grant = get("grant_type").unwrap_or("").to_string();
        st.log.token_requests.push(grant.clone());
        let ok = match grant.as_str() {
            "urn:ietf:params:oauth:grant-type:jwt-bearer" => {
                match check_assertion(
                    get("assertion").unwrap_or(""),
                    &format!("http://{addr}/token"),
                ) {
                    Ok(()) => true,
                    Err(e) => {
                        // A wrong signature is the client's credential problem, not a protocol bug.
                        return (
                            400,
                            serde_json::json!({"error": "invalid_grant", "error_description": e})
                                .to_string(),
                        );
                    }
                }
            }
            "refresh_token" => {
                get("client_id") == Some(USER_CLIENT_ID)
                    && get("client_secret") == Some(USER_CLIENT_SECRET)
                    && get("refresh_token") == Some(USER_REFRESH_TOKEN)
            }
            other => return problem(&mut st, format!("unknown grant type {other:?}")),
        };
        if !ok {
            return (
                400,
                serde_json::json!({"error": "invalid_grant", "error_description": "Bad Request"})
                    .to_string(),
            );
        }
        st.issued += 1;
        let kind = if grant == "refresh_token" {
            "user"
        } else {
            "sa"
        };
        let token = format!("ya29.{kind}-{}", st.issued);
        st.tokens.push(token.clone());
        return (
            200,
            serde_json::json!({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
                .to_string(),
        );
    }
    if req.path == "/computeMetadata/v1/instance/service-accounts/default/token" {
        if req.method != "GET" || req.header("metadata-flavor") != Some("Google") {
            return problem(
                &mut st,
                "metadata request without GET / Metadata-Flavor: Google".into(),
            );
        }
        st.log.token_requests.push("metadata".into());
        st.issued += 1;
        let token = format!("ya29.metadata-{}", st.issued);
        st.tokens.push(token.clone());
        return (
            200,
            serde_json::json!({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
                .to_string(),
        );
    }
    let Some(rest) = req.path.strip_prefix("/v1/") else {
        return problem(&mut st, "unknown path".into());
    };
    let Some((name, method)) = rest.rsplit_once(':') else {
        return problem(&mut st, "no :method in path".into());
    };
    if req.method != "POST" {
        return problem(&mut st, "KMS calls are POST".into());
    }
    if req.header("content-type") != Some("application/json") {
        return problem(
            &mut st,
            format!("content type {:?}", req.header("content-type")),
        );
    }
    let token = match req
        .header("authorization")
        .and_then(|a| a.strip_prefix("Bearer "))
    {
        Some(t) => t.to_string(),
        None => return problem(&mut st, "no Authorization: Bearer header".into()),
    };
    if st.tokens.iter().any(|t| *t == format!("deny:{token}")) {
        return (
            403,
            google_error(
                403,
                "PERMISSION_DENIED",
                &format!(
                    "Permission 'cloudkms.cryptoKeyVersions.useTo{}' denied on resource '{name}' (or it may not exist).",
                    if method == "encrypt" {
                        "Encrypt"
                    } else {
                        "Decrypt"
                    }
                ),
            ),
        );
    }
    if !st.tokens.contains(&token) {
        return (
            401,
            google_error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            ),
        );
    }
    if token.starts_with("ya29.user-") && req.header("x-goog-user-project") != Some(QUOTA_PROJECT) {
        return problem(
            &mut st,
            "user credentials without x-goog-user-project".into(),
        );
    }
    if !st.keys.iter().any(|k| k == name) {
        return (
            404,
            google_error(404, "NOT_FOUND", &format!("CryptoKey {name} not found.")),
        );
    }
    let json: serde_json::Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return problem(&mut st, format!("body is not JSON: {e}")),
    };
    let field = |f: &str| {
        json.get(f)
            .and_then(|v| v.as_str())
            .and_then(|s| STANDARD.decode(s).ok())
    };
    st.log.kms_requests.push(format!("{method} {name}"));
    match method {
        "encrypt" => {
            let Some(plain) = field("plaintext") else {
                return problem(&mut st, "no base64 plaintext".into());
            };
            if plain.len() != 32 && plain.len() != 33 {
                return problem(
                    &mut st,
                    format!("plaintext of {} bytes is no data key or share", plain.len()),
                );
            }
            let ct = FakeGcp::ciphertext(name, &plain);
            (
                200,
                serde_json::json!({
                    "name": format!("{name}/cryptoKeyVersions/1"),
                    "ciphertext": STANDARD.encode(ct),
                    "ciphertextCrc32c": "1234",
                    "protectionLevel": "SOFTWARE",
                })
                .to_string(),
            )
        }
        "decrypt" => {
            let Some(ct) = field("ciphertext") else {
                return problem(&mut st, "no base64 ciphertext".into());
            };
            let prefix = format!("fake:{name}:").into_bytes();
            match ct.strip_prefix(prefix.as_slice()) {
                Some(body) => {
                    let plain: Vec<u8> = body.iter().map(|b| b ^ 0xA5).collect();
                    (
                        200,
                        serde_json::json!({"plaintext": STANDARD.encode(plain), "usedPrimary": true}).to_string(),
                    )
                }
                None => (
                    400,
                    google_error(
                        400,
                        "INVALID_ARGUMENT",
                        "Decryption failed: the ciphertext is invalid.",
                    ),
                ),
            }
        }
        other => problem(&mut st, format!("unknown method {other:?}")),
    }
}

/// Verifies a service-account assertion: RS256 signature with the test public key,
/// Google's header and claims.
fn check_assertion(jwt: &str, audience: &str) -> Result<(), String> {
    let (input, sig) = jwt.rsplit_once('.').ok_or("assertion is not a JWT")?;
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|e| format!("signature: {e}"))?;
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        PUBLIC_KEY,
    )
    .verify(input.as_bytes(), &sig)
    .map_err(|_| "Invalid JWT Signature.".to_string())?;
    let (header, claims) = input.split_once('.').ok_or("assertion has no claims")?;
    let decode = |p: &str| -> Result<serde_json::Value, String> {
        let bytes = URL_SAFE_NO_PAD.decode(p).map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    };
    let header = decode(header)?;
    let claims = decode(claims)?;
    if header["alg"] != "RS256" || header["typ"] != "JWT" || header["kid"] != "test-key-id-1" {
        return Err(format!("bad header {header}"));
    }
    if claims["iss"] != SA_EMAIL || claims["aud"] != audience {
        return Err(format!("bad iss/aud {claims}"));
    }
    let scope = claims["scope"].as_str().unwrap_or("");
    if !scope
        .split(' ')
        .any(|s| s == "https://www.googleapis.com/auth/cloudkms")
    {
        return Err(format!("no cloudkms scope in {scope:?}"));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let iat = claims["iat"].as_i64().unwrap_or(0);
    let exp = claims["exp"].as_i64().unwrap_or(0);
    if (now - iat).abs() > 300 || exp - iat != 3600 {
        return Err(format!("bad iat/exp {claims}"));
    }
    Ok(())
}

fn parse_form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A service account the token endpoint does not know (same key, other e-mail).
pub fn unknown_service_account_json(token_uri: &str) -> String {
    serde_json::json!({
        "type": "service_account",
        "private_key_id": "test-key-id-1",
        "private_key": PRIVATE_KEY,
        "client_email": "intruder@other-project.iam.gserviceaccount.com",
        "token_uri": token_uri,
    })
    .to_string()
}
