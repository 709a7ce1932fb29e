//! Azure Key Vault keys against a fake Key Vault + Entra ID written here (HTTPS on 127.0.0.1).
//!
//! Key Vault only speaks HTTPS, and the Go SDK the real sops uses refuses bearer tokens
//! over plain HTTP, so the fake serves TLS with a test CA made by `openssl` and trusted
//! through `SSL_CERT_FILE` (honoured by both sops-rs and Go). The fake implements the
//! challenge flow (401 + `WWW-Authenticate`), the token endpoints of every credential
//! source (client secret, client certificate JWT, workload identity, managed identity)
//! and keys `encrypt`/`decrypt`/get with a reversible RSA-OAEP-256 stand-in, and
//! records every request so the tests can check paths, api-version, tokens and bodies.

mod common;

use base64::Engine;
use common::{AGE1, Run, Sandbox, Tool};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT_ID: &str = "0a1b2c3d-client";
const SECRET: &str = "s3cr3t-value";
const FEDERATED: &str = "federated-token-from-the-cluster";
const MSI_SECRET: &str = "identity-header-secret";
const KEY: &str = "sopskey";
const CURRENT: &str = "0f9e8d7c6b5a";
const OLD: &str = "1234567890ab";
const PLAIN: &str = "secret: hunter2\nnested:\n    list:\n        - 1\n        - two\n";

// ---------------------------------------------------------------- test CA

struct Pki {
    dir: PathBuf,
}

impl Pki {
    fn ca(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }
    fn client_pem(&self) -> PathBuf {
        self.dir.join("client.pem")
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl (needed for the test CA): {e}"));
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, made once per run.
fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        // Earlier runs' directories go once their process is gone (Linux: /proc/<pid>).
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(pid) = name.strip_prefix("azure-kv-pki-")
                && !Path::new("/proc").join(pid).exists()
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("azure-kv-pki-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        openssl(&dir, &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=sops-rs test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        openssl(&dir, &["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1"]);
        std::fs::write(dir.join("ext.cnf"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:login.microsoftonline.com\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n").unwrap();
        openssl(&dir, &["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf"]);
        openssl(&dir, &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out",
            "client.crt", "-days", "2", "-subj", "/CN=sops-rs test client"]);
        openssl(&dir, &["rsa", "-in", "client.key", "-RSAPublicKey_out", "-outform", "DER", "-out", "client.pub.der"]);
        let both = [std::fs::read(dir.join("client.crt")).unwrap(), std::fs::read(dir.join("client.key")).unwrap()].concat();
        std::fs::write(dir.join("client.pem"), both).unwrap();
        Pki { dir }
    })
}

fn pem_items(path: &Path) -> Vec<ureq::tls::PemItem<'static>> {
    let pem = std::fs::read(path).unwrap();
    ureq::tls::parse_pem(&pem).map(|i| i.unwrap()).collect()
}

// ---------------------------------------------------------------- the fake

/// One request the fake received.
#[derive(Clone, Debug)]
struct Req {
    method: String,
    path: String,
    query: HashMap<String, String>,
    headers: HashMap<String, String>,
    body: String,
}

#[derive(Default)]
struct State {
    log: Vec<Req>,
    /// Tokens handed out, and which credential got them.
    tokens: HashMap<String, String>,
    /// Key operations answer 403 Forbidden.
    deny: bool,
    /// The challenge names a resource outside the vault's domain.
    foreign_resource: bool,
}

struct Fake {
    port: u16,
    state: Arc<Mutex<State>>,
    /// The CONNECT proxy every sandbox uses (`HTTPS_PROXY`), and the tunnels it opened.
    proxy: u16,
    tunnels: Arc<Mutex<Vec<String>>>,
}

impl Fake {
    fn start() -> Fake {
        let pki = pki();
        let certs: Vec<rustls::pki_types::CertificateDer<'static>> =
            pem_items(&pki.dir.join("server.pem"))
                .into_iter()
                .filter_map(|i| match i {
                    ureq::tls::PemItem::Certificate(c) => Some(c.der().to_vec().into()),
                    _ => None,
                })
                .collect();
        let key = pem_items(&pki.dir.join("server.key"))
            .into_iter()
            .find_map(|i| match i {
                ureq::tls::PemItem::PrivateKey(k) => Some(k.der().to_vec()),
                _ => None,
            })
            .unwrap();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.into());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let st = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (config, st) = (config.clone(), st.clone());
                std::thread::spawn(move || serve(stream, config, st, port));
            }
        });
        let (proxy, tunnels) = start_connect_proxy(port);
        Fake {
            port,
            state,
            proxy,
            tunnels,
        }
    }

    fn base(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    fn key_url(&self, version: &str) -> String {
        if version.is_empty() {
            format!("{}/keys/{KEY}", self.base())
        } else {
            format!("{}/keys/{KEY}/{version}", self.base())
        }
    }

    fn log(&self) -> Vec<Req> {
        self.state.lock().unwrap().log.clone()
    }

    fn clear_log(&self) {
        self.state.lock().unwrap().log.clear();
    }

    fn deny(&self, on: bool) {
        self.state.lock().unwrap().deny = on;
    }

    /// The sandbox settings common to every credential: trust the test CA.
    fn sandbox(&self) -> Sandbox {
        let mut sb = Sandbox::new();
        sb.set_env("SSL_CERT_FILE", pki().ca().display().to_string());
        // Never let a test reach the real IMDS address: managed identity asks this closed port.
        sb.set_env(
            "AZURE_POD_IDENTITY_AUTHORITY_HOST",
            format!("http://127.0.0.1:{}", closed_port()),
        );
        // Go's MSAL asks login.microsoftonline.com for instance discovery first, whatever
        // AZURE_AUTHORITY_HOST says: the proxy sends that to the fake.
        // sops-rs goes direct to the loopback fake (Go always does).
        sb.set_env("HTTPS_PROXY", format!("http://127.0.0.1:{}", self.proxy))
            .set_env("NO_PROXY", "127.0.0.1,localhost");
        // The real sops ignores that override (its IMDS address is fixed), so when it
        // stands in for sops-rs (`SOPS_RS_BIN`, the rig self-check) a Cloud Shell
        // endpoint on a closed port keeps its managed identity off the network.
        if std::env::var_os("SOPS_RS_BIN").is_some_and(|v| !v.is_empty()) {
            sb.set_env(
                "MSI_ENDPOINT",
                format!("http://127.0.0.1:{}/msi", closed_port()),
            );
        }
        sb
    }

    fn with_secret(&self, sb: &mut Sandbox, secret: &str) {
        sb.set_env("AZURE_TENANT_ID", TENANT)
            .set_env("AZURE_CLIENT_ID", CLIENT_ID)
            .set_env("AZURE_CLIENT_SECRET", secret)
            .set_env("AZURE_AUTHORITY_HOST", format!("{}/", self.base()));
    }

    /// The resource the fake's challenge names: a parent domain of `127.0.0.1:<port>`,
    /// so that both sops-rs and the Go SDK accept it.
    fn resource(&self) -> String {
        format!("https://0.0.1:{}", self.port)
    }
}

/// An HTTP CONNECT proxy that sends every tunnel to the fake (whose certificate also
/// names login.microsoftonline.com): Go's MSAL insists on asking that host for
/// instance discovery, and Go proxies everything but loopback through `HTTPS_PROXY`.
fn start_connect_proxy(fake_port: u16) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            let log = log.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match client.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let line = String::from_utf8_lossy(&head)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                log.lock().unwrap().push(line.clone());
                // Entra ID's discovery host goes to the fake; loopback targets (sops-rs's
                // own requests, ureq proxies them too) go where they were meant to.
                let target = line.split(' ').nth(1).unwrap_or("");
                let upstream = match target.rsplit_once(':') {
                    Some(("login.microsoftonline.com", "443")) => {
                        TcpStream::connect(("127.0.0.1", fake_port))
                    }
                    Some(("127.0.0.1", port)) => {
                        TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap_or(0)))
                    }
                    _ => Err(std::io::Error::other("not a test address")),
                };
                let Ok(upstream) = upstream else {
                    let _ =
                        client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
                    return;
                };
                let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                let (mut c1, mut u1) = (client, upstream);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut u2, &mut c2);
                    let _ = c2.shutdown(std::net::Shutdown::Write);
                });
                let _ = std::io::copy(&mut c1, &mut u1);
                let _ = u1.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (port, seen)
}

fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn serve(
    stream: TcpStream,
    config: Arc<rustls::ServerConfig>,
    state: Arc<Mutex<State>>,
    port: u16,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(conn, stream);
    // One request per connection: every answer says `Connection: close`.
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    let (head, body) = loop {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
        let text = String::from_utf8_lossy(&got).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if got.len() >= end + 4 + len {
                break (
                    text[..end].to_string(),
                    String::from_utf8_lossy(&got[end + 4..end + 4 + len]).to_string(),
                );
            }
        }
    };
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("").to_string();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let req = Req {
        method,
        path: path.to_string(),
        query: parse_form(query),
        headers,
        body,
    };
    state.lock().unwrap().log.push(req.clone());
    let (status, extra, body) = handle(&req, &state, port);
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
    let _ = tls.write_all(reply.as_bytes());
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

fn parse_form(s: &str) -> HashMap<String, String> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('=').or(Some((p, ""))))
        .map(|(k, v)| (unescape(k), unescape(v)))
        .collect()
}

fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn json_error(status: &str, code: &str, message: &str) -> (String, String, String) {
    (
        status.into(),
        String::new(),
        serde_json::json!({"error": {"code": code, "message": message}}).to_string(),
    )
}

fn issue(state: &Arc<Mutex<State>>, kind: &str) -> String {
    let mut st = state.lock().unwrap();
    let token = format!("at-{kind}-{}", st.tokens.len() + 1);
    st.tokens.insert(token.clone(), kind.to_string());
    token
}

fn handle(req: &Req, state: &Arc<Mutex<State>>, port: u16) -> (String, String, String) {
    let resource = format!("https://0.0.1:{port}");
    let scope = format!("{resource}/.default");
    // Entra ID v2 token endpoint (client secret, certificate, workload identity).
    if req.path == format!("/{TENANT}/oauth2/v2.0/token") && req.method == "POST" {
        let form = parse_form(&req.body);
        let bad = |code: &str, desc: &str| {
            (
                "401 Unauthorized".to_string(),
                String::new(),
                serde_json::json!({"error": code, "error_description": desc}).to_string(),
            )
        };
        if form.get("grant_type").map(String::as_str) != Some("client_credentials")
            || form.get("client_id").map(String::as_str) != Some(CLIENT_ID)
            // MSAL (Go) appends `openid offline_access profile`; the resource scope comes first.
            || form.get("scope").and_then(|v| v.split(' ').next()) != Some(scope.as_str())
        {
            return bad(
                "invalid_request",
                &format!("AADSTS900144: unexpected request {:?}", req.body),
            );
        }
        let kind = if let Some(secret) = form.get("client_secret") {
            if secret != SECRET {
                return bad(
                    "invalid_client",
                    "AADSTS7000215: Invalid client secret provided.",
                );
            }
            "secret"
        } else if let Some(assertion) = form.get("client_assertion") {
            if form.get("client_assertion_type").map(String::as_str)
                != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            {
                return bad("invalid_request", "AADSTS50027: bad assertion type");
            }
            if assertion == FEDERATED {
                "workload"
            } else if let Err(e) = check_client_jwt(assertion, port) {
                return bad("invalid_client", &format!("AADSTS700027: {e}"));
            } else {
                "certificate"
            }
        } else {
            return bad("invalid_request", "AADSTS7000218: no credential");
        };
        let token = issue(state, kind);
        return (
            "200 OK".into(),
            String::new(),
            serde_json::json!({"token_type": "Bearer", "expires_in": 3599, "access_token": token})
                .to_string(),
        );
    }
    // App Service managed identity.
    if req.path == "/msi/token" {
        if req.headers.get("x-identity-header").map(String::as_str) != Some(MSI_SECRET)
            || req.query.get("api-version").map(String::as_str) != Some("2019-08-01")
            || req.query.get("resource") != Some(&resource)
        {
            return json_error(
                "400 Bad Request",
                "BadRequest",
                &format!("unexpected {req:?}"),
            );
        }
        let token = issue(state, "appservice");
        return ("200 OK".into(), String::new(),
                serde_json::json!({"access_token": token, "expires_on": "4102444800", "resource": resource, "token_type": "Bearer"}).to_string());
    }
    // IMDS (through AZURE_POD_IDENTITY_AUTHORITY_HOST).
    if req.path == "/metadata/identity/oauth2/token" {
        if req.headers.get("metadata").map(String::as_str) != Some("true")
            || req.query.get("resource") != Some(&resource)
        {
            return json_error("400 Bad Request", "BadRequest", "bad IMDS request");
        }
        let token = issue(state, "imds");
        return ("200 OK".into(), String::new(),
                serde_json::json!({"access_token": token, "expires_on": "4102444800", "token_type": "Bearer"}).to_string());
    }
    // Entra ID instance discovery and OpenID configuration (what Go's MSAL asks first;
    // it reaches login.microsoftonline.com through the test's CONNECT proxy).
    let authority = format!("https://127.0.0.1:{port}/{TENANT}");
    if req.path == "/common/discovery/instance" {
        let host = format!("127.0.0.1:{port}");
        return (
            "200 OK".into(),
            String::new(),
            serde_json::json!({
                "tenant_discovery_endpoint": format!("{authority}/v2.0/.well-known/openid-configuration"),
                "api-version": "1.1",
                "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}]
            })
            .to_string(),
        );
    }
    if req.path == format!("/{TENANT}/v2.0/.well-known/openid-configuration") {
        return (
            "200 OK".into(),
            String::new(),
            serde_json::json!({
                "token_endpoint": format!("{authority}/oauth2/v2.0/token"),
                "authorization_endpoint": format!("{authority}/oauth2/v2.0/authorize"),
                "issuer": format!("{authority}/v2.0"),
            })
            .to_string(),
        );
    }
    // Key Vault.
    let Some(rest) = req.path.strip_prefix("/keys/") else {
        return json_error(
            "404 Not Found",
            "NotFound",
            &format!("no route {}", req.path),
        );
    };
    let auth = req
        .headers
        .get("authorization")
        .cloned()
        .unwrap_or_default();
    if auth.is_empty() {
        let named = if state.lock().unwrap().foreign_resource {
            "https://vault.azure.net".to_string()
        } else {
            resource
        };
        let challenge = format!(
            "WWW-Authenticate: Bearer authorization=\"https://login.microsoftonline.com/{TENANT}\", resource=\"{named}\"\r\n"
        );
        return ("401 Unauthorized".into(), challenge,
                serde_json::json!({"error": {"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer or PoP token."}}).to_string());
    }
    let known = auth
        .strip_prefix("Bearer ")
        .is_some_and(|t| state.lock().unwrap().tokens.contains_key(t));
    if !known {
        return json_error(
            "401 Unauthorized",
            "Unauthorized",
            "AKV10032: Invalid issuer.",
        );
    }
    if !req
        .query
        .get("api-version")
        .is_some_and(|v| v.starts_with("7."))
    {
        return json_error(
            "400 Bad Request",
            "BadParameter",
            "The api-version is missing or not supported.",
        );
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let name = parts[0];
    if name != KEY {
        return json_error(
            "404 Not Found",
            "KeyNotFound",
            &format!("A key with (name/id) {name} was not found in this key vault."),
        );
    }
    let kid = |v: &str| format!("https://127.0.0.1:{port}/keys/{KEY}/{v}");
    match (req.method.as_str(), &parts[1..]) {
        ("GET", [""]) | ("GET", []) => (
            "200 OK".into(),
            String::new(),
            serde_json::json!({
            "key": {"kid": kid(CURRENT), "kty": "RSA", "key_ops": ["encrypt", "decrypt"],
                    "n": B64URL.encode([0xc5u8; 256]), "e": "AQAB"},
            "attributes": {"enabled": true}})
            .to_string(),
        ),
        ("POST", [version, op]) if *op == "encrypt" || *op == "decrypt" => {
            if *version != CURRENT && *version != OLD {
                return json_error(
                    "404 Not Found",
                    "KeyNotFound",
                    "A key with (name/id) sopskey/version was not found in this key vault.",
                );
            }
            if state.lock().unwrap().deny {
                return json_error(
                    "403 Forbidden",
                    "Forbidden",
                    &format!(
                        "The user, group or application does not have keys {op} permission on key vault. Inner error: ForbiddenByPolicy"
                    ),
                );
            }
            let body: serde_json::Value = serde_json::from_str(&req.body).unwrap_or_default();
            if body["alg"] != "RSA-OAEP-256" {
                return json_error("400 Bad Request", "BadParameter", "Unsupported algorithm");
            }
            let Some(value) = body["value"]
                .as_str()
                .and_then(|v| B64URL.decode(v.trim_end_matches('=')).ok())
            else {
                return json_error(
                    "400 Bad Request",
                    "BadParameter",
                    "Property value has invalid value",
                );
            };
            let out = if *op == "encrypt" {
                mock_wrap(version, &value)
            } else {
                match mock_unwrap(version, &value) {
                    Some(p) => p,
                    None => return json_error("400 Bad Request", "BadParameter", "Bad Request"),
                }
            };
            (
                "200 OK".into(),
                String::new(),
                serde_json::json!({"kid": kid(version), "value": B64URL.encode(out)}).to_string(),
            )
        }
        _ => json_error(
            "405 Method Not Allowed",
            "BadRequest",
            "unsupported operation",
        ),
    }
}

/// A reversible stand-in for RSA-OAEP-256 bound to the key version: 256 bytes, like a
/// real RSA-2048 ciphertext, that only the same version unwraps.
fn mock_wrap(version: &str, plain: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 256];
    out[0] = plain.len() as u8;
    for (i, b) in plain.iter().enumerate() {
        out[1 + i] = b ^ 0x5c ^ version.as_bytes()[i % version.len()];
    }
    let tag = version.as_bytes();
    out[256 - tag.len()..].copy_from_slice(tag);
    out
}

fn mock_unwrap(version: &str, cipher: &[u8]) -> Option<Vec<u8>> {
    let tag = version.as_bytes();
    if cipher.len() != 256 || &cipher[256 - tag.len()..] != tag {
        return None;
    }
    let len = cipher[0] as usize;
    Some(
        (0..len)
            .map(|i| cipher[1 + i] ^ 0x5c ^ tag[i % tag.len()])
            .collect(),
    )
}

/// Checks a client-certificate assertion: PS256 signature by the client key, the
/// certificate thumbprints, and the claims MSAL sends.
fn check_client_jwt(jwt: &str, port: u16) -> Result<(), String> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, c, s] = parts[..] else {
        return Err("not a JWT".into());
    };
    let header: serde_json::Value =
        serde_json::from_slice(&B64URL.decode(h).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let claims: serde_json::Value =
        serde_json::from_slice(&B64URL.decode(c).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let cert = pem_items(&pki().dir.join("client.crt"))
        .into_iter()
        .find_map(|i| match i {
            ureq::tls::PemItem::Certificate(c) => Some(c.der().to_vec()),
            _ => None,
        })
        .unwrap();
    // Go's MSAL sends PS256 with the SHA-256 thumbprint in standard base64.
    let s256 = base64::engine::general_purpose::STANDARD
        .encode(ring::digest::digest(&ring::digest::SHA256, &cert));
    if header["alg"] != "PS256" || header["x5t#S256"] != s256.as_str() {
        return Err(format!("bad header {header}"));
    }
    // With AZURE_CLIENT_SEND_CERTIFICATE_CHAIN the certificate itself travels in x5c.
    if let Some(chain) = header.get("x5c")
        && chain != &serde_json::json!([base64::engine::general_purpose::STANDARD.encode(&cert)])
    {
        return Err(format!("bad x5c {chain}"));
    }
    let aud = format!("https://127.0.0.1:{port}/{TENANT}/oauth2/v2.0/token");
    if claims["aud"] != aud.as_str()
        || claims["iss"] != CLIENT_ID
        || claims["sub"] != CLIENT_ID
        || claims["exp"].as_u64().unwrap_or(0) <= claims["nbf"].as_u64().unwrap_or(u64::MAX)
    {
        return Err(format!("bad claims {claims}"));
    }
    let public = std::fs::read(pki().dir.join("client.pub.der")).unwrap();
    let sig = B64URL.decode(s).map_err(|e| e.to_string())?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PSS_2048_8192_SHA256, public)
        .verify(format!("{h}.{c}").as_bytes(), &sig)
        .map_err(|_| "signature does not verify".to_string())
}

// ---------------------------------------------------------------- helpers

fn key_ops(log: &[Req]) -> Vec<&Req> {
    log.iter()
        .filter(|r| r.path.starts_with("/keys/") && r.headers.contains_key("authorization"))
        .collect()
}

fn encrypt(sb: &Sandbox, tool: Tool, args: &[&str]) -> Run {
    sb.write("plain.yaml", PLAIN);
    let mut all = vec!["encrypt"];
    all.extend_from_slice(args);
    all.push("plain.yaml");
    sb.run(tool, &all)
}

fn decrypt(sb: &Sandbox, tool: Tool, file: &str) -> Run {
    sb.run(tool, ["decrypt", file])
}

/// Checks the challenge flow and the key operation requests the fake saw.
fn assert_key_requests(fake: &Fake, log: &[Req], op: &str, version: &str) {
    let unauth: Vec<&Req> = log
        .iter()
        .filter(|r| r.path.starts_with("/keys/") && !r.headers.contains_key("authorization"))
        .collect();
    assert!(!unauth.is_empty(), "no challenge request: {log:#?}");
    for r in &unauth {
        assert!(
            r.body.is_empty(),
            "the challenge request must carry no body: {r:?}"
        );
    }
    let ops: Vec<&Req> = key_ops(log)
        .into_iter()
        .filter(|r| r.path.ends_with(op))
        .collect();
    assert!(!ops.is_empty(), "no {op} request: {log:#?}");
    for r in ops {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, format!("/keys/{KEY}/{version}/{op}"));
        assert!(r.query["api-version"].starts_with("7."), "{r:?}");
        assert!(
            r.headers["authorization"].starts_with("Bearer at-"),
            "{r:?}"
        );
        assert!(
            r.headers
                .get("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{r:?}"
        );
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["alg"], "RSA-OAEP-256");
        assert!(
            B64URL
                .decode(body["value"].as_str().unwrap().trim_end_matches('='))
                .is_ok()
        );
    }
    let _ = fake;
}

fn metadata_field<'a>(text: &'a str, field: &str) -> &'a str {
    text.lines()
        .find_map(|l| {
            l.trim()
                .trim_start_matches("- ")
                .strip_prefix(&format!("{field}: "))
        })
        .unwrap_or_else(|| panic!("no {field} in\n{text}"))
}

/// Puts a fake `az` first on PATH: it checks its arguments (resource and the
/// challenge's tenant) and prints a token the fake Key Vault accepts.
fn with_fake_az(fake: &Fake, sb: &mut Sandbox) {
    let bin = sb.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let cli_token = issue(&fake.state, "cli");
    let script = format!(
        "#!/bin/sh\n[ \"$*\" = \"account get-access-token -o json --resource {} --tenant {TENANT}\" ] || {{ echo \"bad args: $*\" >&2; exit 2; }}\n\
         printf '{{\"accessToken\": \"{cli_token}\", \"expiresOn\": \"2099-01-01 00:00:00.000000\", \"expires_on\": 4070908800, \"tokenType\": \"Bearer\"}}'\n",
        fake.resource()
    );
    let az = sb.write("bin/az", script);
    std::fs::set_permissions(&az, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    sb.set_env("PATH", path);
}

// ---------------------------------------------------------------- tests

#[test]
fn client_secret_round_trip_and_request_shapes() {
    let fake = Fake::start();
    let mut sb = fake.sandbox();
    fake.with_secret(&mut sb, SECRET);
    let url = fake.key_url(OLD);
    let enc = encrypt(&sb, Tool::SopsRs, &["--azure-kv", &url]);
    enc.success();
    let text = enc.stdout_text();
    assert!(
        text.contains("    azure_kv:\n        - vault_url: "),
        "{text}"
    );
    assert_eq!(metadata_field(&text, "vault_url"), fake.base());
    assert_eq!(metadata_field(&text, "name"), KEY);
    assert_eq!(metadata_field(&text, "version"), OLD);
    let enc_field = metadata_field(&text, "enc");
    assert!(
        !enc_field.contains('=') && !enc_field.contains('+') && !enc_field.contains('/'),
        "{enc_field}"
    );
    assert_eq!(B64URL.decode(enc_field).unwrap().len(), 256);
    let log = fake.log();
    assert_key_requests(&fake, &log, "encrypt", OLD);
    let token_reqs: Vec<&Req> = log
        .iter()
        .filter(|r| r.path.ends_with("/oauth2/v2.0/token"))
        .collect();
    assert_eq!(token_reqs.len(), 1, "{log:#?}");
    // (Go's MSAL appends `openid offline_access profile`.)
    assert_eq!(
        parse_form(&token_reqs[0].body)["scope"].split(' ').next(),
        Some(format!("{}/.default", fake.resource()).as_str())
    );

    fake.clear_log();
    sb.write("enc.yaml", &enc.stdout);
    let dec = decrypt(&sb, Tool::SopsRs, "enc.yaml");
    dec.success();
    assert_eq!(dec.stdout_text(), PLAIN);
    assert_key_requests(&fake, &fake.log(), "decrypt", OLD);
}

#[test]
fn version_is_resolved_and_one_token_serves_every_key() {
    let fake = Fake::start();
    let mut sb = fake.sandbox();
    fake.with_secret(&mut sb, SECRET);
    let urls = format!("{},{}", fake.key_url(""), fake.key_url(OLD));
    let enc = encrypt(&sb, Tool::SopsRs, &["--azure-kv", &urls]);
    enc.success();
    let text = enc.stdout_text();
    assert!(text.contains(&format!("version: {CURRENT}")), "{text}");
    assert!(text.contains(&format!("version: {OLD}")), "{text}");
    let log = fake.log();
    assert!(
        log.iter().any(|r| r.method == "GET"
            && r.path == format!("/keys/{KEY}/")
            && r.headers.contains_key("authorization")),
        "{log:#?}"
    );
    assert_eq!(
        log.iter()
            .filter(|r| r.path.ends_with("/oauth2/v2.0/token"))
            .count(),
        1,
        "token fetched once: {log:#?}"
    );
    assert_eq!(
        log.iter()
            .filter(|r| r.path.starts_with("/keys/") && !r.headers.contains_key("authorization"))
            .count(),
        1,
        "challenge elicited once per vault: {log:#?}"
    );
    // SOPS_AZURE_KEYVAULT_URLS is the default for --azure-kv.
    sb.set_env("SOPS_AZURE_KEYVAULT_URLS", fake.key_url(CURRENT));
    let enc = encrypt(&sb, Tool::SopsRs, &[]);
    enc.success();
    assert!(enc.stdout_text().contains(&format!("version: {CURRENT}")));
}

#[test]
fn certificate_workload_identity_managed_identity_and_cli_credentials() {
    let fake = Fake::start();
    let run = |sb: &Sandbox, kind: &str| {
        fake.clear_log();
        let enc = encrypt(sb, Tool::SopsRs, &["--azure-kv", &fake.key_url(CURRENT)]);
        enc.success();
        sb.write("enc.yaml", &enc.stdout);
        let dec = decrypt(sb, Tool::SopsRs, "enc.yaml");
        dec.success();
        assert_eq!(dec.stdout_text(), PLAIN, "{kind}");
        let log = fake.log();
        assert!(
            key_ops(&log)
                .iter()
                .all(|r| r.headers["authorization"].starts_with(&format!("Bearer at-{kind}-"))),
            "{kind}: {log:#?}"
        );
    };
    // Client certificate (PEM with certificate and key).
    let mut sb = fake.sandbox();
    sb.set_env("AZURE_TENANT_ID", TENANT)
        .set_env("AZURE_CLIENT_ID", CLIENT_ID)
        .set_env(
            "AZURE_CLIENT_CERTIFICATE_PATH",
            pki().client_pem().display().to_string(),
        )
        .set_env("AZURE_AUTHORITY_HOST", fake.base());
    run(&sb, "certificate");
    let x5c_sent = |fake: &Fake| {
        fake.log().iter().any(|r| {
            parse_form(&r.body)
                .get("client_assertion")
                .is_some_and(|jwt| {
                    let header = B64URL.decode(jwt.split('.').next().unwrap()).unwrap();
                    serde_json::from_slice::<serde_json::Value>(&header).unwrap()["x5c"].is_array()
                })
        })
    };
    assert!(!x5c_sent(&fake));
    sb.set_env("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", "true");
    run(&sb, "certificate");
    assert!(x5c_sent(&fake));
    // Workload identity: the environment credential is incomplete, so the chain goes on.
    let mut sb = fake.sandbox();
    let token_file = sb.write("federated-token", FEDERATED);
    sb.set_env("AZURE_TENANT_ID", TENANT)
        .set_env("AZURE_CLIENT_ID", CLIENT_ID)
        .set_env(
            "AZURE_FEDERATED_TOKEN_FILE",
            token_file.display().to_string(),
        )
        .set_env("AZURE_AUTHORITY_HOST", fake.base());
    run(&sb, "workload");
    // Managed identity through the App Service endpoint.
    let mut sb = fake.sandbox();
    sb.set_env("IDENTITY_ENDPOINT", format!("{}/msi/token", fake.base()))
        .set_env("IDENTITY_HEADER", MSI_SECRET);
    run(&sb, "appservice");
    // Managed identity through IMDS (its host overridden, never 169.254.169.254 here).
    let mut sb = fake.sandbox();
    sb.set_env("AZURE_POD_IDENTITY_AUTHORITY_HOST", fake.base());
    run(&sb, "imds");
    // Azure CLI: a fake `az` first on PATH; IMDS (closed port) is tried and skipped.
    let mut sb = fake.sandbox();
    with_fake_az(&fake, &mut sb);
    run(&sb, "cli");
}

#[test]
fn wrong_credentials_or_forbidden_fail_with_exit_128_naming_the_key() {
    let fake = Fake::start();
    let mut sb = fake.sandbox();
    fake.with_secret(&mut sb, SECRET);
    let url = fake.key_url(CURRENT);
    let enc = encrypt(&sb, Tool::SopsRs, &["--azure-kv", &url]);
    enc.success();
    sb.write("enc.yaml", &enc.stdout);
    // Wrong secret.
    fake.with_secret(&mut sb, "wrong");
    let dec = decrypt(&sb, Tool::SopsRs, "enc.yaml");
    dec.code(128);
    let err = dec
        .stderr
        .replace("\n      | ", " ")
        .replace("\n    - | ", " ");
    assert!(
        err.contains("Failed to get the data key required to decrypt the SOPS file."),
        "{}",
        dec.stderr
    );
    assert!(err.contains(&url), "{}", dec.stderr);
    assert!(err.contains("AADSTS7000215"), "{}", dec.stderr);
    assert!(err.contains("ClientSecretCredential"), "{}", dec.stderr);
    // Nothing configured at all: every source named.
    let mut bare = fake.sandbox();
    bare.set_env("PATH", "/nonexistent");
    bare.write("enc.yaml", &enc.stdout);
    let dec = decrypt(&bare, Tool::SopsRs, "enc.yaml");
    dec.code(128);
    let err = dec
        .stderr
        .replace("\n      | ", " ")
        .replace("\n    - | ", " ");
    for source in [
        "EnvironmentCredential",
        "WorkloadIdentityCredential",
        "ManagedIdentityCredential",
        "AzureCLICredential",
        "az login",
    ] {
        assert!(err.contains(source), "{source}: {}", dec.stderr);
    }
    // Authenticated but not allowed.
    fake.with_secret(&mut sb, SECRET);
    fake.deny(true);
    let dec = decrypt(&sb, Tool::SopsRs, "enc.yaml");
    fake.deny(false);
    dec.code(128);
    let err = dec
        .stderr
        .replace("\n      | ", " ")
        .replace("\n    - | ", " ");
    assert!(err.contains("RESPONSE 403"), "{}", dec.stderr);
    assert!(err.contains("Forbidden"), "{}", dec.stderr);
    // Encrypting with a forbidden key fails too (exit 1 with sops's list).
    fake.deny(true);
    let enc2 = encrypt(&sb, Tool::SopsRs, &["--azure-kv", &url]);
    fake.deny(false);
    assert_ne!(enc2.code, 0);
    assert!(
        enc2.stderr
            .contains("failed to encrypt sops data key with Azure Key Vault key"),
        "{}",
        enc2.stderr
    );
    // An unknown key name.
    let enc3 = encrypt(
        &sb,
        Tool::SopsRs,
        &["--azure-kv", &format!("{}/keys/nokey", fake.base())],
    );
    assert_ne!(enc3.code, 0);
    assert!(enc3.stderr.contains("KeyNotFound"), "{}", enc3.stderr);
    // A malformed URL is refused before any request.
    let enc4 = encrypt(
        &sb,
        Tool::SopsRs,
        &["--azure-kv", "http://v.vault.azure.net/keys/k"],
    );
    assert_ne!(enc4.code, 0);
    assert!(enc4.stderr.contains("could not parse \"http://v.vault.azure.net/keys/k\" into a valid Azure Key Vault MasterKey"), "{}", enc4.stderr);
}

#[test]
fn unreachable_vault_is_bounded_and_falls_through_to_age() {
    let fake = Fake::start();
    let mut sb = fake.sandbox();
    fake.with_secret(&mut sb, SECRET);
    let enc = encrypt(
        &sb,
        Tool::SopsRs,
        &["--azure-kv", &fake.key_url(CURRENT), "--age", AGE1],
    );
    enc.success();
    // The vault goes away: point the entry at a closed port (metadata is not under the MAC).
    let moved = enc.stdout_text().replace(
        &fake.base(),
        &format!("https://127.0.0.1:{}", closed_port()),
    );
    sb.write("enc.yaml", moved);
    let start = Instant::now();
    let dec = sb.run(
        Tool::SopsRs,
        ["decrypt", "--decryption-order", "azure_kv,age", "enc.yaml"],
    );
    dec.success();
    assert_eq!(dec.stdout_text(), PLAIN);
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "took {:?}",
        start.elapsed()
    );
    // Without the age key the failure names the key and is bounded too.
    sb.unset_env("SOPS_AGE_KEY_FILE");
    let start = Instant::now();
    let dec = sb.run(
        Tool::SopsRs,
        ["decrypt", "--decryption-order", "azure_kv,age", "enc.yaml"],
    );
    dec.code(128);
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "took {:?}",
        start.elapsed()
    );
    assert!(dec.stderr.contains("https://127.0.0.1:"), "{}", dec.stderr);
}

#[test]
fn azure_keys_in_shamir_key_groups_updatekeys_rotate_and_groups() {
    let fake = Fake::start();
    let mut sb = fake.sandbox();
    fake.with_secret(&mut sb, SECRET);
    sb.write(".sops.yaml", format!(
        "creation_rules:\n  - path_regex: .*\n    shamir_threshold: 2\n    key_groups:\n      - azure_keyvault:\n          - vaultUrl: {}\n            key: {KEY}\n            version: \"\"\n      - age:\n          - {AGE1}\n",
        fake.base()));
    let enc = encrypt(&sb, Tool::SopsRs, &[]);
    enc.success();
    let text = enc.stdout_text();
    assert!(
        text.contains("shamir_threshold: 2") && text.contains("key_groups:"),
        "{text}"
    );
    assert!(text.contains(&format!("version: {CURRENT}")), "{text}");
    sb.write("enc.yaml", &enc.stdout);
    let dec = decrypt(&sb, Tool::SopsRs, "enc.yaml");
    dec.success();
    assert_eq!(dec.stdout_text(), PLAIN);
    // Without the Azure credentials one share is missing.
    let mut no_azure = fake.sandbox();
    no_azure.set_env("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential");
    no_azure.write("enc.yaml", &enc.stdout);
    decrypt(&no_azure, Tool::SopsRs, "enc.yaml").code(128);

    // updatekeys: one flat group of age + azure.
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - path_regex: .*\n    age: {AGE1}\n    azure_keyvault: {}\n",
            fake.key_url(OLD)
        ),
    );
    sb.write("plain2.yaml", PLAIN);
    let enc = sb.run(Tool::SopsRs, ["encrypt", "--age", AGE1, "plain2.yaml"]);
    enc.success();
    sb.write("upd.yaml", &enc.stdout);
    sb.run(Tool::SopsRs, ["updatekeys", "-y", "upd.yaml"])
        .success();
    let text = std::fs::read_to_string(sb.path().join("upd.yaml")).unwrap();
    assert!(
        text.contains(&format!("version: {OLD}")) && text.contains("azure_kv:"),
        "{text}"
    );
    // The Azure key alone now decrypts it.
    let mut azure_only = fake.sandbox();
    fake.with_secret(&mut azure_only, SECRET);
    azure_only.unset_env("SOPS_AGE_KEY_FILE");
    azure_only.write("upd.yaml", text.as_bytes());
    let dec = decrypt(&azure_only, Tool::SopsRs, "upd.yaml");
    dec.success();
    assert_eq!(dec.stdout_text(), PLAIN);

    // rotate --rm-azure-kv / --add-azure-kv.
    sb.run(
        Tool::SopsRs,
        [
            "rotate",
            "-i",
            "--rm-azure-kv",
            &fake.key_url(OLD),
            "upd.yaml",
        ],
    )
    .success();
    let text = std::fs::read_to_string(sb.path().join("upd.yaml")).unwrap();
    assert!(!text.contains("azure_kv"), "{text}");
    sb.run(
        Tool::SopsRs,
        [
            "rotate",
            "-i",
            "--add-azure-kv",
            &fake.key_url(""),
            "upd.yaml",
        ],
    )
    .success();
    let text = std::fs::read_to_string(sb.path().join("upd.yaml")).unwrap();
    assert!(text.contains(&format!("version: {CURRENT}")), "{text}");
    azure_only.write("upd.yaml", text.as_bytes());
    assert_eq!(
        decrypt(&azure_only, Tool::SopsRs, "upd.yaml")
            .success()
            .stdout_text(),
        PLAIN
    );

    // groups add --azure-kv.
    sb.run(
        Tool::SopsRs,
        [
            "groups",
            "add",
            "-f",
            "upd.yaml",
            "-i",
            "--azure-kv",
            &fake.key_url(OLD),
        ],
    )
    .success();
    let text = std::fs::read_to_string(sb.path().join("upd.yaml")).unwrap();
    assert!(
        text.contains("key_groups:") && text.contains(&format!("version: {OLD}")),
        "{text}"
    );
    azure_only.write("upd.yaml", text.as_bytes());
    assert_eq!(
        decrypt(&azure_only, Tool::SopsRs, "upd.yaml")
            .success()
            .stdout_text(),
        PLAIN
    );
}

/// Files without Azure keys never touch Azure (no request reaches the fake).
#[test]
fn no_azure_work_without_azure_keys() {
    let fake = Fake::start();
    let mut sb = fake.sandbox();
    fake.with_secret(&mut sb, SECRET);
    let enc = encrypt(&sb, Tool::SopsRs, &["--age", AGE1]);
    enc.success();
    sb.write("enc.yaml", &enc.stdout);
    decrypt(&sb, Tool::SopsRs, "enc.yaml").success();
    assert!(fake.log().is_empty());
    // A file with an Azure key and an age key opens with age (tried first) without Azure.
    let enc = encrypt(
        &sb,
        Tool::SopsRs,
        &["--age", AGE1, "--azure-kv", &fake.key_url(CURRENT)],
    );
    enc.success();
    fake.clear_log();
    sb.write("enc.yaml", &enc.stdout);
    decrypt(&sb, Tool::SopsRs, "enc.yaml").success();
    assert!(fake.log().is_empty(), "{:#?}", fake.log());
    // NO_PROXY kept the vault traffic off the proxy.
    let tunnels = fake.tunnels.lock().unwrap().clone();
    assert!(
        !tunnels.iter().any(|l| l.starts_with("CONNECT 127.0.0.1")),
        "{tunnels:?}"
    );
}

/// A vault whose challenge names another service's resource gets no token (from
/// either tool): a forged vault URL cannot collect a token for the real Key Vault.
#[test]
fn foreign_challenge_resource_is_refused_before_any_token_request() {
    let fake = Fake::start();
    let mut sb = fake.sandbox();
    fake.with_secret(&mut sb, SECRET);
    let enc = encrypt(&sb, Tool::SopsRs, &["--azure-kv", &fake.key_url(CURRENT)]);
    enc.success();
    sb.write("enc.yaml", &enc.stdout);
    fake.state.lock().unwrap().foreign_resource = true;
    fake.clear_log();
    let (ours, theirs) = sb.run_both(&["decrypt", "enc.yaml"]);
    ours.code(128);
    theirs.code(128);
    for run in [&ours, &theirs] {
        let err = run.stderr.replace("\n      | ", " ");
        assert!(
            err.contains(
                "challenge resource \"https://vault.azure.net\" doesn't match the requested domain"
            ),
            "{err}"
        );
    }
    let log = fake.log();
    assert!(
        log.iter()
            .all(|r| !r.path.contains("oauth2") && !r.headers.contains_key("authorization")),
        "{log:#?}"
    );
}

// ---------------------------------------------------------------- interop with the real sops

/// The environment and workload-identity credentials with the real sops: its MSAL
/// client goes through instance discovery (via the CONNECT proxy) to the fake, then
/// to the same token endpoint sops-rs uses.
#[test]
fn interop_client_secret_certificate_workload_identity_both_directions() {
    let fake = Fake::start();
    for kind in ["secret", "certificate", "workload"] {
        let mut sb = fake.sandbox();
        sb.set_env("AZURE_TENANT_ID", TENANT)
            .set_env("AZURE_CLIENT_ID", CLIENT_ID)
            .set_env("AZURE_AUTHORITY_HOST", format!("{}/", fake.base()));
        match kind {
            "secret" => {
                sb.set_env("AZURE_CLIENT_SECRET", SECRET);
            }
            "certificate" => {
                sb.set_env(
                    "AZURE_CLIENT_CERTIFICATE_PATH",
                    pki().client_pem().display().to_string(),
                );
            }
            _ => {
                let file = sb.write("federated-token", FEDERATED);
                sb.set_env("AZURE_FEDERATED_TOKEN_FILE", file.display().to_string());
            }
        }
        for (writer, reader) in [(Tool::Oracle, Tool::SopsRs), (Tool::SopsRs, Tool::Oracle)] {
            fake.clear_log();
            let enc = encrypt(&sb, writer, &["--azure-kv", &fake.key_url("")]);
            enc.success();
            assert!(
                enc.stdout_text().contains(&format!("version: {CURRENT}")),
                "{kind}"
            );
            assert_key_requests(&fake, &fake.log(), "encrypt", CURRENT);
            sb.write("enc.yaml", &enc.stdout);
            fake.clear_log();
            let dec = decrypt(&sb, reader, "enc.yaml");
            dec.success();
            assert_eq!(dec.stdout_text(), PLAIN, "{kind}");
            let log = fake.log();
            assert_key_requests(&fake, &log, "decrypt", CURRENT);
            assert!(
                key_ops(&log)
                    .iter()
                    .all(|r| r.headers["authorization"].starts_with(&format!("Bearer at-{kind}-"))),
                "{kind}: {log:#?}"
            );
            assert_eq!(
                log.iter()
                    .filter(|r| r.path.ends_with("/oauth2/v2.0/token"))
                    .count(),
                1,
                "{kind}"
            );
        }
    }
    assert!(
        fake.tunnels
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("CONNECT login.microsoftonline.com:443")),
        "{:?}",
        fake.tunnels.lock().unwrap()
    );
}

/// The real sops and sops-rs both get their token from a fake `az` (Go's credential
/// chain narrowed to the developer credentials so that it never probes IMDS).
#[test]
fn interop_azure_cli_both_directions() {
    let fake = Fake::start();
    let mut sb = fake.sandbox();
    with_fake_az(&fake, &mut sb);
    sb.set_env("AZURE_TOKEN_CREDENTIALS", "dev");
    for (writer, reader) in [(Tool::Oracle, Tool::SopsRs), (Tool::SopsRs, Tool::Oracle)] {
        fake.clear_log();
        let enc = encrypt(&sb, writer, &["--azure-kv", &fake.key_url(CURRENT)]);
        enc.success();
        assert_key_requests(&fake, &fake.log(), "encrypt", CURRENT);
        sb.write("enc.yaml", &enc.stdout);
        fake.clear_log();
        let theirs = decrypt(&sb, reader, "enc.yaml");
        theirs.success();
        assert_key_requests(&fake, &fake.log(), "decrypt", CURRENT);
        let (ours, oracle) = sb.run_both(&["decrypt", "enc.yaml"]);
        ours.success();
        oracle.success();
        common::assert_bytes_eq(&ours.stdout, &oracle.stdout, "sops-rs vs sops -d");
        assert_eq!(ours.stdout_text(), PLAIN);
    }
}

/// Both tools get their token from the App Service managed identity endpoint
/// (`IDENTITY_ENDPOINT`), which needs no proxy for the real sops.
fn interop_sandbox(fake: &Fake) -> Sandbox {
    let mut sb = fake.sandbox();
    sb.set_env("IDENTITY_ENDPOINT", format!("{}/msi/token", fake.base()))
        .set_env("IDENTITY_HEADER", MSI_SECRET);
    sb
}

#[test]
fn interop_sops_rs_encrypts_real_sops_decrypts() {
    let fake = Fake::start();
    let sb = interop_sandbox(&fake);
    let enc = encrypt(&sb, Tool::SopsRs, &["--azure-kv", &fake.key_url("")]);
    enc.success();
    sb.write("enc.yaml", &enc.stdout);
    fake.clear_log();
    let theirs = decrypt(&sb, Tool::Oracle, "enc.yaml");
    theirs.success();
    // The real sops really asked the fake (challenge, managed identity token, decrypt).
    let log = fake.log();
    assert_key_requests(&fake, &log, "decrypt", CURRENT);
    assert!(log.iter().any(|r| r.path == "/msi/token"), "{log:#?}");
    let ours = decrypt(&sb, Tool::SopsRs, "enc.yaml");
    ours.success();
    common::assert_bytes_eq(&ours.stdout, &theirs.stdout, "sops-rs vs sops -d");
    assert_eq!(theirs.stdout_text(), PLAIN);
    // Its failure with a denied key is exit 128 as ours.
    fake.deny(true);
    let (ours, theirs) = sb.run_both(&["decrypt", "enc.yaml"]);
    fake.deny(false);
    ours.code(128);
    theirs.code(128);
    // Go's ResponseError text, re-indented body included.
    assert_eq!(ours.stderr, theirs.stderr);
}

#[test]
fn interop_real_sops_encrypts_sops_rs_decrypts() {
    let fake = Fake::start();
    let sb = interop_sandbox(&fake);
    let enc = encrypt(&sb, Tool::Oracle, &["--azure-kv", &fake.key_url("")]);
    enc.success();
    let text = enc.stdout_text();
    // Go resolved the version through GET /keys/<name>/ and stored it.
    assert!(text.contains(&format!("version: {CURRENT}")), "{text}");
    let log = fake.log();
    assert_key_requests(&fake, &log, "encrypt", CURRENT);
    sb.write("enc.yaml", &enc.stdout);
    let theirs = decrypt(&sb, Tool::Oracle, "enc.yaml");
    theirs.success();
    let ours = decrypt(&sb, Tool::SopsRs, "enc.yaml");
    ours.success();
    common::assert_bytes_eq(&ours.stdout, &theirs.stdout, "sops-rs vs sops -d");
    // Same for JSON, with a Shamir split over an Azure group and an age group.
    sb.write(".sops.yaml", format!(
        "creation_rules:\n  - path_regex: .*\n    key_groups:\n      - azure_keyvault:\n          - vaultUrl: {}\n            key: {KEY}\n            version: {OLD}\n      - age:\n          - {AGE1}\n",
        fake.base()));
    sb.write("plain.json", "{\"a\": \"secret\", \"n\": [1, 2.5, true]}\n");
    let enc = sb.run(Tool::Oracle, ["encrypt", "plain.json"]);
    enc.success();
    sb.write("enc.json", &enc.stdout);
    let theirs = decrypt(&sb, Tool::Oracle, "enc.json");
    theirs.success();
    let ours = decrypt(&sb, Tool::SopsRs, "enc.json");
    ours.success();
    common::assert_bytes_eq(
        &ours.stdout,
        &theirs.stdout,
        "sops-rs vs sops -d (json, shamir)",
    );
    // And dotenv, whose metadata is flattened (`sops_azure_kv__list_0__map_vault_url=…`).
    sb.write("plain.env", "DB_PASSWORD=hunter2\n# comment\nUSER=me\n");
    let enc = sb.run(Tool::Oracle, ["encrypt", "plain.env"]);
    enc.success();
    assert!(
        enc.stdout_text().contains("azure_kv"),
        "{}",
        enc.stdout_text()
    );
    sb.write("enc.env", &enc.stdout);
    let (ours, theirs) = sb.run_both(&["decrypt", "enc.env"]);
    ours.success();
    theirs.success();
    common::assert_bytes_eq(&ours.stdout, &theirs.stdout, "sops-rs vs sops -d (dotenv)");
}
