//! The AWS calls behind KMS keys, made with the official SDK (`aws-sdk-kms`,
//! `aws-sdk-sts`, `aws-config`) so the credential chain, shared config files and
//! profiles (SSO profiles excepted), proxies and `AWS_ENDPOINT_URL*` overrides
//! behave as they do for sops's Go SDK.
//!
//! Everything here is built on first use and once per process: a current-thread
//! tokio runtime (sops-rs is synchronous; one thread is enough for a few calls),
//! one HTTP client (rustls with ring: no C toolchain beyond what ring needs), and
//! one KMS client per (profile, region, role), shared by all keys.

use crate::error::{Error, Result};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_kms::config::{SharedHttpClient, retry::RetryConfig, timeout::TimeoutConfig};
use aws_sdk_kms::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_kms::primitives::Blob;
use base64::Engine as _;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use zeroize::Zeroizing;

/// A TCP/TLS connection that is not up by then will not come up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// One HTTP attempt; KMS answers in milliseconds.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// The whole call, retries included: a user waits at most this long per key.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(20);
/// Standard retry mode, first try included.
const MAX_ATTEMPTS: u32 = 3;
/// STS limit on `RoleSessionName`.
const SESSION_NAME_LIMIT: usize = 64;

/// What one KMS call needs to know about its key.
pub(super) struct Target<'a> {
    pub arn: &'a str,
    pub role: &'a str,
    pub region: &'a str,
    pub profile: &'a str,
    pub context: &'a BTreeMap<String, String>,
}

type ClientKey = (String, String, String);

struct Shared {
    runtime: tokio::runtime::Runtime,
    http: SharedHttpClient,
    clients: Mutex<HashMap<ClientKey, aws_sdk_kms::Client>>,
}

static SHARED: OnceLock<std::result::Result<Shared, String>> = OnceLock::new();

/// Whether the runtime (and so any AWS configuration) has been set up in this process.
pub(super) fn is_started() -> bool {
    SHARED.get().is_some()
}

fn shared() -> Result<&'static Shared> {
    SHARED
        .get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the async runtime for AWS KMS: {e}"))?;
            let http = aws_smithy_http_client::Builder::new().build_with_connector_fn(
                |settings, components| {
                    let mut conn = aws_smithy_http_client::Connector::builder();
                    conn.set_connector_settings(settings.cloned());
                    if let Some(components) = components {
                        conn.set_sleep_impl(components.sleep_impl());
                    }
                    // HTTPS_PROXY/HTTP_PROXY/NO_PROXY, as Go's net/http honours them for sops.
                    conn.proxy_config(aws_smithy_http_client::proxy::ProxyConfig::from_env())
                        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
                        ))
                        .build()
                },
            );
            Ok(Shared {
                runtime,
                http,
                clients: Mutex::new(HashMap::new()),
            })
        })
        .as_ref()
        .map_err(|e| Error::Other(e.clone()))
}

/// Encrypts `data_key`; returns the standard base64 of the ciphertext blob.
pub(super) fn encrypt(target: &Target<'_>, data_key: &[u8]) -> Result<String> {
    let shared = shared()?;
    let fail = |what: String| failure("encrypt sops data key", target, &what);
    run(shared, async {
        let client = client(shared, target).await.map_err(fail)?;
        let out = client
            .encrypt()
            .key_id(target.arn)
            // The SDK's request type cannot zeroize this copy; it lives only for the call.
            .plaintext(Blob::new(data_key.to_vec()))
            .set_encryption_context(Some(api_context(target.context)))
            .send()
            .await
            .map_err(|e| fail(describe(&e)))?;
        let blob = out
            .ciphertext_blob()
            .ok_or_else(|| fail("the response has no CiphertextBlob".into()))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(blob.as_ref()))
    })
}

/// Decrypts the stored `enc` (standard base64 of a ciphertext blob).
pub(super) fn decrypt(target: &Target<'_>, enc: &str) -> Result<Zeroizing<Vec<u8>>> {
    let fail = |what: String| failure("decrypt sops data key", target, &what);
    let blob = base64::engine::general_purpose::STANDARD
        .decode(enc)
        .map_err(|e| fail(format!("the stored enc is not base64: {e}")))?;
    let shared = shared()?;
    run(shared, async {
        let client = client(shared, target).await.map_err(fail)?;
        let out = client
            .decrypt()
            .key_id(target.arn)
            .ciphertext_blob(Blob::new(blob))
            .set_encryption_context(Some(api_context(target.context)))
            .send()
            .await
            .map_err(|e| fail(describe(&e)))?;
        let plain = out
            .plaintext
            .ok_or_else(|| fail("the response has no Plaintext".into()))?;
        Ok(Zeroizing::new(plain.into_inner()))
    })
}

/// Drives `fut` on the shared runtime. A caller that is itself inside a tokio
/// runtime (sops-rs used as a library from async code) cannot block its thread
/// on another runtime, so the call then runs on a short-lived helper thread.
fn run<T: Send>(
    shared: &Shared,
    fut: impl std::future::Future<Output = Result<T>> + Send,
) -> Result<T> {
    if tokio::runtime::Handle::try_current().is_err() {
        return shared.runtime.block_on(fut);
    }
    std::thread::scope(|scope| {
        scope
            .spawn(|| shared.runtime.block_on(fut))
            .join()
            .unwrap_or_else(|_| Err(Error::Other("the AWS KMS call panicked".into())))
    })
}

fn api_context(context: &BTreeMap<String, String>) -> HashMap<String, String> {
    context
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// sops's wording (`failed to … with AWS KMS: …`), plus which key and what to check.
fn failure(action: &str, target: &Target<'_>, what: &str) -> Error {
    let mut key = format!("key {}, region {}", target.arn, target.region);
    if !target.role.is_empty() {
        key.push_str(&format!(", role {}", target.role));
    }
    if !target.profile.is_empty() {
        key.push_str(&format!(", profile {}", target.profile));
    }
    Error::Other(format!(
        "failed to {action} with AWS KMS: {what} ({key}); check {}",
        advice(what)
    ))
}

/// What the user should look at, from the AWS error text.
fn advice(what: &str) -> &'static str {
    let has = |needle: &str| what.contains(needle);
    if has("InvalidCiphertextException") {
        "that the encryption context in the file is the one used to encrypt, and that the file's enc was not altered"
    } else if has("NotFoundException") {
        "that the key exists in the ARN's region and the ARN is spelled right"
    } else if has("AccessDenied")
        || has("UnrecognizedClient")
        || has("InvalidSignature")
        || has("ExpiredToken")
        || has("InvalidClientTokenId")
    {
        "your AWS credentials and that they (or the role) may use this key"
    } else if has("credentials") || has("profile") || has("Credentials") {
        "your AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws/config and ~/.aws/credentials)"
    } else if has("DisabledException") || has("KMSInvalidStateException") {
        "that the key is enabled"
    } else if has("timeout") || has("timed out") || has("dispatch failure") || has("connect") {
        "that the KMS endpoint is reachable (network, proxy, AWS_ENDPOINT_URL/AWS_ENDPOINT_URL_KMS/AWS_ENDPOINT_URL_STS) and the region is right"
    } else {
        "the AWS credentials, region, endpoint and encryption context"
    }
}

/// The SDK error with its source chain (`dispatch failure: io error: … Connection
/// refused`) and the service's error code and message, without Debug dumps.
fn describe<E, R>(err: &SdkError<E, R>) -> String
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
    R: std::fmt::Debug,
{
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        let part = s.to_string();
        if !part.is_empty() && !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    if let Some(code) = err.code().filter(|c| !text.contains(c)) {
        text.push_str(": ");
        text.push_str(code);
    }
    if let Some(message) = err.message().filter(|m| !m.is_empty() && !text.contains(m)) {
        text.push_str(": ");
        text.push_str(message);
    }
    // The credential chain reports one provider per line; the key report wants one line.
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The KMS client for this key's (profile, region, role), built once.
async fn client(
    shared: &Shared,
    target: &Target<'_>,
) -> std::result::Result<aws_sdk_kms::Client, String> {
    let key = (
        target.profile.to_string(),
        target.region.to_string(),
        target.role.to_string(),
    );
    if let Some(c) = lock(&shared.clients).get(&key) {
        return Ok(c.clone());
    }
    let sdk = load_config(shared, target.profile, target.region).await;
    let mut conf = aws_sdk_kms::config::Builder::from(&sdk);
    if !target.role.is_empty() {
        conf = conf.credentials_provider(assume_role(&sdk, target.role).await?);
    }
    let client = aws_sdk_kms::Client::from_conf(conf.build());
    lock(&shared.clients).insert(key, client.clone());
    Ok(client)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere cannot leave a half-built map behind: inserts are single calls.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The SDK's default chain (env, shared files, web identity, containers, IMDS) with
/// the ARN's region, the key's profile, and bounded timeouts and retries.
async fn load_config(shared: &Shared, profile: &str, region: &str) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .http_client(shared.http.clone())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS));
    if !profile.is_empty() {
        loader = loader.profile_name(profile);
    }
    loader.load().await
}

/// Temporary credentials for `role` from STS `AssumeRole`, as sops gets them.
async fn assume_role(
    sdk: &SdkConfig,
    role: &str,
) -> std::result::Result<aws_sdk_kms::config::Credentials, String> {
    let name = session_name(&hostname().map_err(|e| format!("cannot read the hostname: {e}"))?);
    let out = aws_sdk_sts::Client::new(sdk)
        .assume_role()
        .role_arn(role)
        .role_session_name(name)
        .send()
        .await
        .map_err(|e| format!("failed to assume role {role}: {}", describe(&e)))?;
    let creds = out
        .credentials()
        .ok_or_else(|| format!("failed to assume role {role}: STS returned no credentials"))?;
    Ok(aws_sdk_kms::config::Credentials::new(
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token().to_string()),
        None,
        "sops-rs-assume-role",
    ))
}

/// `sops@` + the hostname without the characters outside Go's class
/// `[a-zA-Z0-9=,.@-_]` (where `@-_` is the range 0x40–0x5F, so `-` goes),
/// cut to 64 characters.
fn session_name(hostname: &str) -> String {
    let kept = hostname
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '=' | ',' | '.' | '@'..='_'));
    "sops@"
        .chars()
        .chain(kept)
        .take(SESSION_NAME_LIMIT)
        .collect()
}

/// The kernel's hostname, as Go's `os.Hostname` reads it on Linux.
fn hostname() -> std::io::Result<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim_end_matches('\n').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_name_filters_like_sops() {
        assert_eq!(session_name("vm"), "sops@vm");
        assert_eq!(session_name("my-host.example"), "sops@myhost.example");
        assert_eq!(session_name("a b[x]^_\\é"), "sops@ab[x]^_\\");
        assert_eq!(session_name("h=1,2@@"), "sops@h=1,2@@");
        let long = "x".repeat(100);
        let name = session_name(&long);
        assert_eq!(name.len(), 64);
        assert!(name.starts_with("sops@xxx"));
    }

    #[test]
    fn advice_names_what_to_check() {
        assert!(advice("InvalidCiphertextException: ...").contains("encryption context"));
        assert!(advice("dispatch failure: io error: Connection refused").contains("endpoint"));
        assert!(advice("AccessDeniedException").contains("credentials"));
        assert!(advice("NotFoundException").contains("region"));
    }

    #[test]
    fn failure_names_key_region_and_role() {
        let ctx = BTreeMap::new();
        let t = Target {
            arn: "arn:aws:kms:eu-west-3:1:key/k",
            role: "arn:aws:iam::1:role/r",
            region: "eu-west-3",
            profile: "",
            context: &ctx,
        };
        let msg = failure("decrypt sops data key", &t, "boom").to_string();
        assert!(msg.starts_with("failed to decrypt sops data key with AWS KMS: boom"));
        assert!(msg.contains("key arn:aws:kms:eu-west-3:1:key/k"));
        assert!(msg.contains("role arn:aws:iam::1:role/r"));
        assert!(!msg.contains("profile"));
    }

    #[test]
    fn undecodable_enc_fails_without_starting_aws() {
        let ctx = BTreeMap::new();
        let t = Target {
            arn: "arn:aws:kms:eu-west-3:1:key/k",
            role: "",
            region: "eu-west-3",
            profile: "",
            context: &ctx,
        };
        let err = decrypt(&t, "***").unwrap_err().to_string();
        assert!(err.contains("not base64"), "{err}");
        assert!(!is_started());
    }
}
