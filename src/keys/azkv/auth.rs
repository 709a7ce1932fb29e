//! Azure access tokens in the order of `DefaultAzureCredential`, which sops uses.
//!
//! Environment (client secret or certificate), workload identity, managed identity
//! (App Service endpoint or IMDS), then the Azure CLI, each over plain REST or a child
//! process, so no Azure SDK (and no async runtime) is needed. A source that is not
//! configured lets the chain go on; one that is configured but fails stops it, as in Go.
//! Tokens are cached per scope for the life of the process.

use crate::keys::environment::Environment;
use crate::keys::http::HttpClient;
use base64::Engine;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/";
const IMDS_HOST: &str = "http://169.254.169.254";
/// How long the Azure CLI may take (Go's `AzureCLICredential` allows 10 seconds).
const CLI_TIMEOUT: Duration = Duration::from_secs(10);
/// IMDS only answers on Azure machines: elsewhere the connection must fail fast.
const IMDS_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const IMDS_TOTAL_TIMEOUT: Duration = Duration::from_secs(5);
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

static TOKENS: Mutex<Option<HashMap<String, Zeroizing<String>>>> = Mutex::new(None);

/// What one credential source produced.
enum Outcome {
    Token(Zeroizing<String>),
    /// Not configured here: the chain tries the next source.
    Unavailable(String),
    /// Configured but failed: the chain stops (as Go's does).
    Failed(String),
}

/// The credential sources, in `DefaultAzureCredential`'s order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Source {
    Environment,
    WorkloadIdentity,
    ManagedIdentity,
    AzureCli,
}

impl Source {
    fn label(self) -> &'static str {
        match self {
            Source::Environment => "EnvironmentCredential",
            Source::WorkloadIdentity => "WorkloadIdentityCredential",
            Source::ManagedIdentity => "ManagedIdentityCredential",
            Source::AzureCli => "AzureCLICredential",
        }
    }
}

/// An access token for `scope` (e.g. `https://vault.azure.net/.default`), from the
/// cache or the first credential source that yields one. `tenant` is the one Key
/// Vault's challenge named (the Azure CLI is asked for it, as Go does).
pub(super) fn token(
    scope: &str,
    tenant: &str,
    http: &HttpClient,
) -> Result<Zeroizing<String>, String> {
    if let Some(t) = cached(scope) {
        return Ok(t);
    }
    let t = acquire(scope, tenant, http, &Environment::from_process())?;
    if let Ok(mut guard) = TOKENS.lock() {
        guard
            .get_or_insert_with(HashMap::new)
            .insert(scope.to_string(), t.clone());
    }
    Ok(t)
}

fn cached(scope: &str) -> Option<Zeroizing<String>> {
    TOKENS
        .lock()
        .ok()
        .and_then(|g| g.as_ref().and_then(|m| m.get(scope).cloned()))
}

/// Runs the chain (narrowed by `AZURE_TOKEN_CREDENTIALS` as Go does).
fn acquire(
    scope: &str,
    tenant: &str,
    http: &HttpClient,
    env: &Environment,
) -> Result<Zeroizing<String>, String> {
    let sources = chain(env)?;
    let mut tried = Vec::new();
    for source in sources {
        let outcome = match source {
            Source::Environment => environment(scope, http, env),
            Source::WorkloadIdentity => workload_identity(scope, http, env),
            Source::ManagedIdentity => managed_identity(scope, env),
            Source::AzureCli => azure_cli(scope, tenant, env),
        };
        match outcome {
            Outcome::Token(t) => return Ok(t),
            Outcome::Unavailable(why) => tried.push(format!("{}: {why}", source.label())),
            Outcome::Failed(why) => {
                // The environment's failures already name their credential, as Go's do.
                let why = why.trim_end();
                if why.starts_with("Client") {
                    tried.push(why.to_string());
                } else {
                    tried.push(format!("{}: {why}", source.label()));
                }
                break;
            }
        }
    }
    Err(format!(
        "DefaultAzureCredential: failed to acquire a token.\nAttempted credentials:\n\t{}\n\
         Check AZURE_TENANT_ID/AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or \
         AZURE_CLIENT_CERTIFICATE_PATH, AZURE_FEDERATED_TOKEN_FILE (workload identity), \
         the managed identity, or run 'az login'",
        tried.join("\n\t")
    ))
}

fn chain(env: &Environment) -> Result<Vec<Source>, String> {
    use Source::*;
    let selected = env.var("AZURE_TOKEN_CREDENTIALS").unwrap_or_default();
    Ok(match selected.trim().to_ascii_lowercase().as_str() {
        "" => vec![Environment, WorkloadIdentity, ManagedIdentity, AzureCli],
        "prod" => vec![Environment, WorkloadIdentity, ManagedIdentity],
        "dev" => vec![AzureCli],
        "environmentcredential" => vec![Environment],
        "workloadidentitycredential" => vec![WorkloadIdentity],
        "managedidentitycredential" => vec![ManagedIdentity],
        "azureclicredential" => vec![AzureCli],
        _ => {
            return Err(format!(
                "invalid AZURE_TOKEN_CREDENTIALS value {selected:?}: use \"prod\", \"dev\" or a credential name \
                 (EnvironmentCredential, WorkloadIdentityCredential, ManagedIdentityCredential, AzureCLICredential)"
            ));
        }
    })
}

fn non_empty(env: &Environment, name: &str) -> Option<String> {
    env.var(name).filter(|v| !v.is_empty())
}

fn token_url(env: &Environment, tenant: &str) -> String {
    let host = non_empty(env, "AZURE_AUTHORITY_HOST").unwrap_or_else(|| DEFAULT_AUTHORITY.into());
    format!("{}/{tenant}/oauth2/v2.0/token", host.trim_end_matches('/'))
}

/// `EnvironmentCredential`: tenant + client id with a secret or a certificate.
fn environment(scope: &str, http: &HttpClient, env: &Environment) -> Outcome {
    let Some(tenant) = non_empty(env, "AZURE_TENANT_ID") else {
        return Outcome::Unavailable("missing environment variable AZURE_TENANT_ID".into());
    };
    let Some(client_id) = non_empty(env, "AZURE_CLIENT_ID") else {
        return Outcome::Unavailable("missing environment variable AZURE_CLIENT_ID".into());
    };
    let url = token_url(env, &tenant);
    if let Some(secret) = non_empty(env, "AZURE_CLIENT_SECRET").map(Zeroizing::new) {
        let form = [
            ("client_id", client_id.as_str()),
            ("client_secret", secret.as_str()),
            ("grant_type", "client_credentials"),
            ("scope", scope),
        ];
        return oauth_token(http, &url, &form, "ClientSecretCredential");
    }
    if let Some(path) = non_empty(env, "AZURE_CLIENT_CERTIFICATE_PATH") {
        if non_empty(env, "AZURE_CLIENT_CERTIFICATE_PASSWORD").is_some() {
            return Outcome::Failed(
                "ClientCertificateCredential: password-protected certificates \
                 (AZURE_CLIENT_CERTIFICATE_PASSWORD) are not supported by sops-rs; use an unencrypted PEM file"
                    .into(),
            );
        }
        // Subject-name/issuer authentication needs the certificate in the token (x5c).
        let send_chain = matches!(
            env.var("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN").as_deref(),
            Some("1" | "true" | "True" | "TRUE")
        );
        let assertion = match client_assertion(&path, &client_id, &url, send_chain) {
            Ok(a) => a,
            Err(e) => return Outcome::Failed(format!("ClientCertificateCredential: {e}")),
        };
        let form = [
            ("client_assertion", assertion.as_str()),
            ("client_assertion_type", JWT_BEARER),
            ("client_id", client_id.as_str()),
            ("grant_type", "client_credentials"),
            ("scope", scope),
        ];
        return oauth_token(http, &url, &form, "ClientCertificateCredential");
    }
    if non_empty(env, "AZURE_USERNAME").is_some() {
        return Outcome::Unavailable(
            "username/password authentication (AZURE_USERNAME) is not supported by sops-rs".into(),
        );
    }
    Outcome::Unavailable(
        "incomplete environment variable configuration: AZURE_TENANT_ID and AZURE_CLIENT_ID are set \
         but neither AZURE_CLIENT_SECRET nor AZURE_CLIENT_CERTIFICATE_PATH"
            .into(),
    )
}

/// `WorkloadIdentityCredential`: the federated token file as client assertion.
fn workload_identity(scope: &str, http: &HttpClient, env: &Environment) -> Outcome {
    let (Some(file), Some(client_id), Some(tenant)) = (
        non_empty(env, "AZURE_FEDERATED_TOKEN_FILE"),
        non_empty(env, "AZURE_CLIENT_ID"),
        non_empty(env, "AZURE_TENANT_ID"),
    ) else {
        return Outcome::Unavailable(
            "needs AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID".into(),
        );
    };
    let assertion = match std::fs::read_to_string(&file) {
        Ok(a) => Zeroizing::new(a.trim().to_string()),
        Err(e) => {
            return Outcome::Failed(format!("cannot read the federated token file {file}: {e}"));
        }
    };
    let form = [
        ("client_assertion", assertion.as_str()),
        ("client_assertion_type", JWT_BEARER),
        ("client_id", client_id.as_str()),
        ("grant_type", "client_credentials"),
        ("scope", scope),
    ];
    oauth_token(
        http,
        &token_url(env, &tenant),
        &form,
        "WorkloadIdentityCredential",
    )
}

/// POSTs a client-credentials request to Entra ID's v2 token endpoint.
fn oauth_token(http: &HttpClient, url: &str, form: &[(&str, &str)], who: &str) -> Outcome {
    let body = Zeroizing::new(form_encode(form));
    let resp = match http.send(
        "POST",
        url,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
        ],
        Some(body.as_bytes()),
    ) {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(format!("{who}: authentication failed: {e}")),
    };
    if resp.is_success()
        && let Some(t) = token_field(&resp.body)
    {
        return Outcome::Token(t);
    }
    Outcome::Failed(format!(
        "{who}: authentication failed:\n{}",
        super::client::describe_error("POST", url, &resp)
    ))
}

/// `ManagedIdentityCredential`: the App Service endpoint when configured, else IMDS
/// (whose host `AZURE_POD_IDENTITY_AUTHORITY_HOST` overrides, as in Go).
fn managed_identity(scope: &str, env: &Environment) -> Outcome {
    let resource = scope.strip_suffix("/.default").unwrap_or(scope);
    let client_id = non_empty(env, "AZURE_CLIENT_ID");
    let mut query = vec![("resource", resource)];
    if let Some(id) = &client_id {
        query.push(("client_id", id.as_str()));
    }
    let app_service = (
        non_empty(env, "IDENTITY_ENDPOINT"),
        non_empty(env, "IDENTITY_HEADER"),
    );
    let (url, header, imds) = match app_service {
        (Some(endpoint), Some(secret)) => {
            query.insert(0, ("api-version", "2019-08-01"));
            let sep = if endpoint.contains('?') { '&' } else { '?' };
            (
                format!("{endpoint}{sep}{}", form_encode(&query)),
                ("X-IDENTITY-HEADER", secret),
                false,
            )
        }
        _ => {
            let host = non_empty(env, "AZURE_POD_IDENTITY_AUTHORITY_HOST")
                .unwrap_or_else(|| IMDS_HOST.into());
            query.insert(0, ("api-version", "2018-02-01"));
            (
                format!(
                    "{}/metadata/identity/oauth2/token?{}",
                    host.trim_end_matches('/'),
                    form_encode(&query)
                ),
                ("Metadata", "true".to_string()),
                true,
            )
        }
    };
    let client = match HttpClient::with_timeouts(
        &crate::keys::http::TlsOptions::default(),
        IMDS_CONNECT_TIMEOUT,
        IMDS_TOTAL_TIMEOUT,
    ) {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(e),
    };
    let resp = match client.send("GET", &url, &[(header.0, header.1.as_str())], None) {
        Ok(r) => r,
        Err(e) if imds => {
            return Outcome::Unavailable(format!("no response from the IMDS endpoint: {e}"));
        }
        Err(e) => return Outcome::Failed(format!("App Service managed identity endpoint: {e}")),
    };
    if resp.is_success()
        && let Some(t) = token_field(&resp.body)
    {
        return Outcome::Token(t);
    }
    let why = format!(
        "GET {}: RESPONSE {}: {}",
        url.split('?').next().unwrap_or_default(),
        resp.status,
        resp.body_excerpt()
    );
    if imds && resp.status == 400 {
        // IMDS answers 400 when this machine has no identity assigned.
        Outcome::Unavailable(format!("no managed identity available: {why}"))
    } else {
        Outcome::Failed(why)
    }
}

/// `AzureCLICredential`: `az account get-access-token -o json --resource <resource>`.
fn azure_cli(scope: &str, tenant: &str, env: &Environment) -> Outcome {
    let resource = scope.strip_suffix("/.default").unwrap_or(scope);
    let Some(az) = find_on_path(env, "az") else {
        return Outcome::Unavailable("Azure CLI not found on path".into());
    };
    let mut args: Vec<String> = [
        "account",
        "get-access-token",
        "-o",
        "json",
        "--resource",
        resource,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let tenant = Some(tenant.to_string())
        .filter(|t| !t.is_empty())
        .or_else(|| non_empty(env, "AZURE_TENANT_ID"));
    if let Some(tenant) = tenant {
        args.push("--tenant".into());
        args.push(tenant);
    }
    let mut cmd = env.command(&az.to_string_lossy(), &args, &[]);
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let output = match run_with_timeout(cmd, CLI_TIMEOUT) {
        Ok(o) => o,
        Err(e) => return Outcome::Unavailable(e),
    };
    let stdout = Zeroizing::new(output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
        let why = if stderr.contains("az login") || stderr.contains("az account set") {
            format!("please run 'az login' to set up an account ({stderr})")
        } else {
            format!("az exited with {}: {stderr}", output.status)
        };
        return Outcome::Unavailable(why);
    }
    match token_field(&stdout) {
        Some(t) => Outcome::Token(t),
        None => Outcome::Unavailable("unexpected output from 'az account get-access-token'".into()),
    }
}

/// The token of a JSON answer (`access_token` from Entra ID and managed identity,
/// `accessToken` from the Azure CLI), moved straight into a zeroized buffer.
fn token_field(json: &[u8]) -> Option<Zeroizing<String>> {
    #[derive(serde::Deserialize)]
    struct Answer {
        access_token: Option<String>,
        #[serde(rename = "accessToken")]
        access_token_cli: Option<String>,
    }
    let answer: Answer = serde_json::from_slice(json).ok()?;
    answer
        .access_token
        .or(answer.access_token_cli)
        .filter(|t| !t.is_empty())
        .map(Zeroizing::new)
}

fn find_on_path(env: &Environment, program: &str) -> Option<std::path::PathBuf> {
    let path = env.var("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// Waits for `cmd` at most `limit`, killing it afterwards, so a hung `az` cannot hang sops-rs.
fn run_with_timeout(
    mut cmd: std::process::Command,
    limit: Duration,
) -> Result<std::process::Output, String> {
    use std::io::Read;
    let mut child = cmd.spawn().map_err(|e| format!("cannot run az: {e}"))?;
    // Drain both pipes on threads so a chatty child cannot block on a full pipe.
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_end(&mut buf);
        }
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_end(&mut buf);
        }
        buf
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "az did not answer within {} seconds",
                    limit.as_secs()
                ));
            }
            Err(e) => return Err(format!("waiting for az: {e}")),
        }
    };
    Ok(std::process::Output {
        status,
        stdout: out_thread.join().unwrap_or_default(),
        stderr: err_thread.join().unwrap_or_default(),
    })
}

/// A signed JWT (PS256) proving possession of the certificate's key, as MSAL builds it.
fn client_assertion(
    path: &str,
    client_id: &str,
    audience: &str,
    send_chain: bool,
) -> Result<Zeroizing<String>, String> {
    use ring::signature::RsaKeyPair;
    use ureq::tls::PemItem;
    let pem = Zeroizing::new(
        std::fs::read(path).map_err(|e| format!("cannot read certificate file {path}: {e}"))?,
    );
    let mut cert_der = None;
    let mut key = None;
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(c)) if cert_der.is_none() => cert_der = Some(c.der().to_vec()),
            Ok(PemItem::PrivateKey(k)) if key.is_none() => key = Some(k),
            Ok(_) => {}
            Err(e) => return Err(format!("cannot parse certificate file {path} as PEM: {e}")),
        }
    }
    let (Some(cert_der), Some(key)) = (cert_der, key) else {
        return Err(format!(
            "certificate file {path} must be PEM with a CERTIFICATE and an unencrypted RSA PRIVATE KEY \
             (PKCS#12 files are not supported by sops-rs)"
        ));
    };
    // PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`); the kind is not exposed, so try both.
    let pair = RsaKeyPair::from_pkcs8(key.der())
        .or_else(|_| RsaKeyPair::from_der(key.der()))
        .map_err(|e| format!("the private key in {path} is not a usable RSA key: {e}"))?;
    // Exactly what Go's MSAL (sops 3.11) sends: PS256, and the SHA-256 thumbprint in
    // standard base64.
    let std_b64 = base64::engine::general_purpose::STANDARD;
    let sha256 = ring::digest::digest(&ring::digest::SHA256, &cert_der);
    let mut header = serde_json::json!({
        "alg": "PS256",
        "typ": "JWT",
        "x5t#S256": std_b64.encode(sha256.as_ref()),
    });
    if send_chain && let Some(h) = header.as_object_mut() {
        let chain = std_b64.encode(&cert_der);
        h.insert("x5c".into(), serde_json::json!([chain]));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut jti = [0u8; 16];
    getrandom::getrandom(&mut jti).map_err(|e| format!("no randomness for the JWT id: {e}"))?;
    let claims = serde_json::json!({
        "aud": audience,
        "iss": client_id,
        "sub": client_id,
        "jti": hex::encode(jti),
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    });
    let signing_input = format!(
        "{}.{}",
        B64URL.encode(header.to_string()),
        B64URL.encode(claims.to_string())
    );
    let mut signature = vec![0u8; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PSS_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| "signing the client assertion failed".to_string())?;
    Ok(Zeroizing::new(format!(
        "{signing_input}.{}",
        B64URL.encode(signature)
    )))
}

/// `application/x-www-form-urlencoded` (also used for query strings).
pub(super) fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k, true), percent_encode(v, true)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes all but the unreserved characters; `form` writes spaces as `+`.
pub(super) fn percent_encode(s: &str, form: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' if form => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::http::TlsOptions;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    fn http() -> HttpClient {
        HttpClient::with_timeouts(
            &TlsOptions::default(),
            Duration::from_secs(2),
            Duration::from_secs(3),
        )
        .unwrap()
    }

    #[test]
    fn tokens_are_read_from_either_field() {
        assert_eq!(
            token_field(br#"{"access_token":"a","expires_in":1}"#)
                .as_deref()
                .map(String::as_str),
            Some("a")
        );
        assert_eq!(
            token_field(br#"{"accessToken":"b","expiresOn":"x"}"#)
                .as_deref()
                .map(String::as_str),
            Some("b")
        );
        assert!(token_field(br#"{"error":"x"}"#).is_none());
        assert!(token_field(b"not json").is_none());
    }

    #[test]
    fn encoding() {
        assert_eq!(
            form_encode(&[
                ("scope", "https://vault.azure.net/.default"),
                ("a b", "c+d")
            ]),
            "scope=https%3A%2F%2Fvault.azure.net%2F.default&a+b=c%2Bd"
        );
        assert_eq!(percent_encode("a b/ü", false), "a%20b%2F%C3%BC");
    }

    #[test]
    fn chain_selection_follows_azure_token_credentials() {
        assert_eq!(chain(&env(&[])).unwrap().len(), 4);
        assert_eq!(
            chain(&env(&[("AZURE_TOKEN_CREDENTIALS", "dev")])).unwrap(),
            vec![Source::AzureCli]
        );
        assert_eq!(
            chain(&env(&[(
                "AZURE_TOKEN_CREDENTIALS",
                "ManagedIdentityCredential"
            )]))
            .unwrap(),
            vec![Source::ManagedIdentity]
        );
        assert!(chain(&env(&[("AZURE_TOKEN_CREDENTIALS", "bogus")])).is_err());
    }

    #[test]
    fn nothing_configured_names_every_source() {
        // Only the CLI is selected so that no IMDS address is ever contacted.
        let e = env(&[("AZURE_TOKEN_CREDENTIALS", "dev"), ("PATH", "/nonexistent")]);
        let err = acquire("https://vault.azure.net/.default", "", &http(), &e)
            .err()
            .unwrap();
        assert!(
            err.contains("AzureCLICredential: Azure CLI not found on path"),
            "{err}"
        );
        assert!(err.contains("az login"), "{err}");
        let e = env(&[
            ("AZURE_TOKEN_CREDENTIALS", "prod"),
            ("AZURE_TENANT_ID", "t"),
            ("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9"),
        ]);
        let err = acquire("https://vault.azure.net/.default", "", &http(), &e)
            .err()
            .unwrap();
        assert!(
            err.contains("EnvironmentCredential: missing environment variable AZURE_CLIENT_ID"),
            "{err}"
        );
        assert!(
            err.contains("WorkloadIdentityCredential: needs AZURE_FEDERATED_TOKEN_FILE"),
            "{err}"
        );
        assert!(
            err.contains("ManagedIdentityCredential: no response from the IMDS endpoint"),
            "{err}"
        );
    }

    #[test]
    fn certificate_problems_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.pem");
        std::fs::write(&p, "no pem here").unwrap();
        let err = client_assertion(p.to_str().unwrap(), "id", "aud", false)
            .err()
            .unwrap();
        assert!(err.contains("must be PEM"), "{err}");
        assert!(client_assertion("/nonexistent.pem", "id", "aud", false).is_err());
    }

    #[test]
    fn az_timeout_kills_the_child() {
        let mut cmd = std::process::Command::new("sleep");
        cmd.arg("5")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let start = Instant::now();
        let err = run_with_timeout(cmd, Duration::from_millis(200))
            .err()
            .unwrap();
        assert!(err.contains("did not answer"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(3));
    }
}
