//! The Cloud KMS REST calls (`POST v1/{name}:encrypt` / `:decrypt`) and Google's error bodies.
//!
//! The endpoint can be moved (tests, private endpoints) with `SOPS_GCP_KMS_ENDPOINT` or
//! gcloud's `CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS`; TLS trust and proxies are the
//! shared HTTP client's (system roots, `SSL_CERT_FILE`, `HTTPS_PROXY`).

use crate::keys::environment::Environment;
use crate::keys::gcpkms::auth::{Credentials, percent_encode};
use crate::keys::http::{HttpClient, Response, TlsOptions};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use zeroize::Zeroizing;

/// Google's Cloud KMS endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://cloudkms.googleapis.com";
/// sops-rs's endpoint override (base URL, e.g. `http://127.0.0.1:8080`).
pub const ENDPOINT_ENV: &str = "SOPS_GCP_KMS_ENDPOINT";
/// gcloud's endpoint override for Cloud KMS, honoured when [`ENDPOINT_ENV`] is unset.
pub const GCLOUD_ENDPOINT_ENV: &str = "CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS";

static STARTED: AtomicBool = AtomicBool::new(false);
static CLIENT: OnceLock<Result<HttpClient, String>> = OnceLock::new();

pub(crate) fn is_started() -> bool {
    STARTED.load(Ordering::Relaxed)
}

/// The process-wide client, so connections (and the token) are reused across keys.
fn client() -> Result<HttpClient, String> {
    CLIENT
        .get_or_init(|| HttpClient::new(&TlsOptions::default()))
        .clone()
}

/// The endpoint and credentials one key operation uses.
pub(crate) struct Session {
    endpoint: String,
    credentials: Credentials,
}

#[derive(Deserialize)]
struct EncryptResponse {
    ciphertext: Option<String>,
}

#[derive(Deserialize)]
struct DecryptResponse {
    plaintext: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: GoogleError,
}

#[derive(Deserialize)]
struct GoogleError {
    code: Option<u16>,
    message: Option<String>,
    status: Option<String>,
}

impl Session {
    /// Finds the endpoint and credentials (no network access yet).
    pub(crate) fn open(env: &Environment) -> Result<Session, String> {
        STARTED.store(true, Ordering::Relaxed);
        let credentials = Credentials::discover(env)?;
        Ok(Session {
            endpoint: endpoint(env),
            credentials,
        })
    }

    /// `cryptoKeys.encrypt`; returns the standard base64 of the ciphertext (what sops stores).
    pub(crate) fn encrypt(&self, resource_id: &str, plaintext: &[u8]) -> Result<String, String> {
        let encoded = Zeroizing::new(STANDARD.encode(plaintext));
        let body = Zeroizing::new(format!("{{\"plaintext\":\"{}\"}}", encoded.as_str()));
        let response = self.call(resource_id, "encrypt", body.as_bytes())?;
        let parsed: EncryptResponse = serde_json::from_slice(&response.body)
            .map_err(|e| format!("unreadable answer from {}: {e}", self.endpoint))?;
        let ciphertext = parsed
            .ciphertext
            .ok_or_else(|| format!("the answer from {} has no ciphertext", self.endpoint))?;
        // Re-encode so the stored text is canonical standard base64 whatever the server sent.
        let bytes = decode_any(&ciphertext)
            .ok_or_else(|| format!("the ciphertext from {} is not base64", self.endpoint))?;
        Ok(STANDARD.encode(bytes))
    }

    /// `cryptoKeys.decrypt`.
    pub(crate) fn decrypt(
        &self,
        resource_id: &str,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, String> {
        let body = format!("{{\"ciphertext\":\"{}\"}}", STANDARD.encode(ciphertext));
        let response = self.call(resource_id, "decrypt", body.as_bytes())?;
        let parsed: DecryptResponse = serde_json::from_slice(&response.body)
            .map_err(|e| format!("unreadable answer from {}: {e}", self.endpoint))?;
        let plaintext = Zeroizing::new(parsed.plaintext.unwrap_or_default());
        decode_any(&plaintext)
            .map(Zeroizing::new)
            .ok_or_else(|| format!("the plaintext from {} is not base64", self.endpoint))
    }

    fn call(&self, resource_id: &str, method: &str, body: &[u8]) -> Result<Response, String> {
        let client = client()?;
        let token = self.credentials.access_token(&client)?;
        let url = format!(
            "{}/v1/{}:{method}",
            self.endpoint,
            percent_encode(resource_id, b"/")
        );
        let bearer = Zeroizing::new(format!("Bearer {}", token.as_str()));
        let mut headers = vec![
            ("Authorization", bearer.as_str()),
            ("Content-Type", "application/json"),
        ];
        if let Some(project) = self.credentials.quota_project() {
            headers.push(("x-goog-user-project", project));
        }
        let response = client
            .send("POST", &url, &headers, Some(body))
            .map_err(|e| {
                format!("{e} (check that the Cloud KMS endpoint is reachable; it can be set with {ENDPOINT_ENV})")
            })?;
        if response.is_success() {
            return Ok(response);
        }
        Err(self.describe_failure(resource_id, &response))
    }

    /// Google's `{"error":{code,message,status}}` plus what to check for that status.
    fn describe_failure(&self, resource_id: &str, response: &Response) -> String {
        let detail = match serde_json::from_slice::<ErrorBody>(&response.body) {
            Ok(ErrorBody { error }) => format!(
                "{} (HTTP {}): {}",
                error.status.as_deref().unwrap_or("error"),
                error.code.unwrap_or(response.status),
                error.message.as_deref().unwrap_or("")
            ),
            Err(_) => format!("HTTP {}: {}", response.status, response.body_excerpt()),
        };
        let credentials = self.credentials.describe();
        let advice = match response.status {
            401 => format!("the token was rejected; check the credentials ({credentials})"),
            403 => format!(
                "check that the {credentials} may use the key (role roles/cloudkms.cryptoKeyEncrypterDecrypter on {resource_id})"
            ),
            404 => format!("check that the key {resource_id} exists (credentials: {credentials})"),
            _ => format!("credentials: {credentials}"),
        };
        format!("{detail} [{advice}]")
    }
}

/// The endpoint base URL without a trailing `/` or `/v1`.
fn endpoint(env: &Environment) -> String {
    let chosen = [ENDPOINT_ENV, GCLOUD_ENDPOINT_ENV]
        .iter()
        .find_map(|name| env.var(name).filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
    let trimmed = chosen.trim().trim_end_matches('/');
    trimmed.strip_suffix("/v1").unwrap_or(trimmed).to_string()
}

/// Protobuf JSON accepts standard and URL-safe base64, padded or not.
fn decode_any(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(s).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_overrides() {
        let e = |vars: &[(&str, &str)]| endpoint(&Environment::from_vars(vars.to_vec()));
        assert_eq!(e(&[]), DEFAULT_ENDPOINT);
        assert_eq!(e(&[(ENDPOINT_ENV, "")]), DEFAULT_ENDPOINT);
        assert_eq!(
            e(&[(ENDPOINT_ENV, "http://127.0.0.1:5/")]),
            "http://127.0.0.1:5"
        );
        assert_eq!(
            e(&[(GCLOUD_ENDPOINT_ENV, "https://kms.example/v1/")]),
            "https://kms.example"
        );
        assert_eq!(
            e(&[
                (ENDPOINT_ENV, "http://a"),
                (GCLOUD_ENDPOINT_ENV, "http://b")
            ]),
            "http://a"
        );
    }

    #[test]
    fn protobuf_base64_forms() {
        assert_eq!(decode_any("+/8=").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(decode_any("-_8").unwrap(), vec![0xfb, 0xff]);
        assert!(decode_any("%%").is_none());
    }

    #[test]
    fn google_error_bodies_are_explained() {
        let s = Session {
            endpoint: "http://x".into(),
            credentials: Credentials::discover(&Environment::from_vars([(
                "GOOGLE_OAUTH_ACCESS_TOKEN",
                "t",
            )]))
            .unwrap(),
        };
        let resp = Response {
            status: 403,
            body: Zeroizing::new(
                br#"{"error":{"code":403,"message":"Permission denied on key","status":"PERMISSION_DENIED"}}"#
                    .to_vec(),
            ),
        };
        assert_eq!(
            s.describe_failure("projects/p/locations/l/keyRings/r/cryptoKeys/k", &resp),
            "PERMISSION_DENIED (HTTP 403): Permission denied on key [check that the access token from \
             GOOGLE_OAUTH_ACCESS_TOKEN may use the key (role roles/cloudkms.cryptoKeyEncrypterDecrypter \
             on projects/p/locations/l/keyRings/r/cryptoKeys/k)]"
        );
        let html = Response {
            status: 502,
            body: Zeroizing::new(b"<html>bad gateway</html>".to_vec()),
        };
        let text = s.describe_failure("id", &html);
        assert!(
            text.starts_with("HTTP 502: <html>bad gateway</html> [credentials: access token"),
            "{text}"
        );
    }
}
