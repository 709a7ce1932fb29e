//! Google credentials in sops's order (spec §5.6) and the OAuth access tokens they yield.
//!
//! sops looks at `GOOGLE_CREDENTIALS` (a file path if that file exists, else the JSON
//! itself), then `GOOGLE_OAUTH_ACCESS_TOKEN`, then Google's Application Default
//! Credentials. ADC here is `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's well-known file
//! and the Compute Engine metadata server — the latter only when `GCE_METADATA_HOST`
//! names it or the machine says it is a Google VM, so that sops-rs never probes
//! 169.254.169.254 elsewhere. Tokens are fetched once per process and reused.

use crate::keys::age::gocompat::{path_error, quote};
use crate::keys::environment::Environment;
use crate::keys::gcpkms::jwt;
use crate::keys::http::HttpClient;
use serde::Deserialize;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// sops's own variable: a credentials file path or the JSON content.
pub(crate) const CREDENTIALS_ENV: &str = "GOOGLE_CREDENTIALS";
/// A ready OAuth 2.0 access token.
pub(crate) const ACCESS_TOKEN_ENV: &str = "GOOGLE_OAUTH_ACCESS_TOKEN";
/// The ADC credentials file.
pub(crate) const ADC_ENV: &str = "GOOGLE_APPLICATION_CREDENTIALS";
/// The metadata server's `host[:port]` (as Google's Go client reads it).
pub(crate) const METADATA_HOST_ENV: &str = "GCE_METADATA_HOST";
/// Overrides the credentials' quota project.
pub(crate) const QUOTA_PROJECT_ENV: &str = "GOOGLE_CLOUD_QUOTA_PROJECT";
/// Google's token endpoint, used when a credentials file names none.
const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// The link-local metadata server of Compute Engine.
const METADATA_IP: &str = "169.254.169.254";

/// Where a token comes from and how to describe that source in errors.
pub(crate) struct Credentials {
    kind: Kind,
    /// Which variable or file the credentials were read from.
    origin: String,
    /// The project billed for the calls (`quota_project_id`, `GOOGLE_CLOUD_QUOTA_PROJECT`).
    quota_project: Option<String>,
}

enum Kind {
    Token(Zeroizing<String>),
    ServiceAccount {
        client_email: String,
        private_key: Zeroizing<String>,
        private_key_id: String,
        token_uri: String,
    },
    AuthorizedUser {
        client_id: String,
        client_secret: Zeroizing<String>,
        refresh_token: Zeroizing<String>,
        token_uri: String,
    },
    Metadata {
        host: String,
    },
}

/// The fields of a credentials JSON file that sops-rs uses.
#[derive(Deserialize)]
struct CredentialsFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    client_email: Option<String>,
    private_key: Option<String>,
    private_key_id: Option<String>,
    token_uri: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    refresh_token: Option<String>,
    quota_project_id: Option<String>,
}

impl Credentials {
    /// Finds the credentials as sops does; no network access.
    pub(crate) fn discover(env: &Environment) -> Result<Credentials, String> {
        let mut credentials = Credentials::discover_source(env)?;
        // Google's clients let the variable override the file's quota project.
        if let Some(project) = non_empty(env, QUOTA_PROJECT_ENV) {
            credentials.quota_project = Some(project);
        }
        Ok(credentials)
    }

    /// The project to bill (`x-goog-user-project`), needed with user credentials.
    pub(crate) fn quota_project(&self) -> Option<&str> {
        self.quota_project.as_deref()
    }

    fn discover_source(env: &Environment) -> Result<Credentials, String> {
        if let Some(value) = non_empty(env, CREDENTIALS_ENV) {
            if std::fs::metadata(&value).is_ok() {
                let json = read_file(&value).map_err(|e| {
                    format!(
                        "credentials: failed to obtain credentials from {}: {e}",
                        quote(CREDENTIALS_ENV)
                    )
                })?;
                return parse(&json, format!("{CREDENTIALS_ENV} (file {value})"));
            }
            let json = Zeroizing::new(value.into_bytes());
            return parse(&json, format!("{CREDENTIALS_ENV} (JSON content)"));
        }
        if let Some(token) = non_empty(env, ACCESS_TOKEN_ENV) {
            return Ok(Credentials {
                kind: Kind::Token(Zeroizing::new(token)),
                origin: ACCESS_TOKEN_ENV.to_string(),
                quota_project: None,
            });
        }
        if let Some(path) = non_empty(env, ADC_ENV) {
            let json = read_file(&path).map_err(|e| {
                format!(
                    "google: error getting credentials using {ADC_ENV} environment variable: {e}"
                )
            })?;
            return parse(&json, format!("{ADC_ENV} (file {path})"));
        }
        let well_known = well_known_file(env);
        if let Some(path) = well_known
            .as_deref()
            .filter(|p| std::fs::metadata(p).is_ok())
        {
            let json = read_file(path)?;
            return parse(
                &json,
                format!("gcloud application default credentials ({path})"),
            );
        }
        if let Some(host) = non_empty(env, METADATA_HOST_ENV) {
            return Ok(metadata_server(host, METADATA_HOST_ENV.to_string()));
        }
        if on_compute_engine() {
            return Ok(metadata_server(
                METADATA_IP.to_string(),
                "Compute Engine".to_string(),
            ));
        }
        Err(format!(
            "google: could not find default credentials: {CREDENTIALS_ENV}, {ACCESS_TOKEN_ENV} and \
             {ADC_ENV} are unset, {} does not exist and this is not a Compute Engine machine \
             ({METADATA_HOST_ENV} unset); see https://cloud.google.com/docs/authentication/external/set-up-adc",
            well_known
                .as_deref()
                .unwrap_or("gcloud's application_default_credentials.json")
        ))
    }

    /// Who the credentials are and where they came from, for error messages.
    pub(crate) fn describe(&self) -> String {
        match &self.kind {
            Kind::Token(_) => format!("access token from {}", self.origin),
            Kind::ServiceAccount { client_email, .. } => {
                format!("service account {client_email} from {}", self.origin)
            }
            Kind::AuthorizedUser { client_id, .. } => {
                format!("authorized user (client {client_id}) from {}", self.origin)
            }
            Kind::Metadata { host } => format!(
                "default service account of the metadata server {host} ({})",
                self.origin
            ),
        }
    }

    /// A token for the Cloud KMS scopes: the static one, a cached one, or a fresh one.
    pub(crate) fn access_token(&self, client: &HttpClient) -> Result<Zeroizing<String>, String> {
        let (cache_key, request) = match &self.kind {
            Kind::Token(t) => return Ok(t.clone()),
            Kind::ServiceAccount {
                client_email,
                private_key,
                private_key_id,
                token_uri,
            } => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                let assertion = Zeroizing::new(jwt::assertion(
                    &jwt::Claims {
                        issuer: client_email,
                        audience: token_uri,
                        key_id: private_key_id,
                        issued_at: now,
                    },
                    private_key,
                )?);
                let form = Zeroizing::new(format!(
                    "grant_type={}&assertion={}",
                    form_encode("urn:ietf:params:oauth:grant-type:jwt-bearer"),
                    form_encode(&assertion)
                ));
                (
                    format!("sa:{client_email}:{token_uri}"),
                    TokenRequest::Post {
                        url: token_uri,
                        form,
                    },
                )
            }
            Kind::AuthorizedUser {
                client_id,
                client_secret,
                refresh_token,
                token_uri,
            } => {
                let form = Zeroizing::new(format!(
                    "grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
                    form_encode(client_id),
                    form_encode(client_secret),
                    form_encode(refresh_token)
                ));
                (
                    format!("user:{client_id}:{token_uri}"),
                    TokenRequest::Post {
                        url: token_uri,
                        form,
                    },
                )
            }
            Kind::Metadata { host } => (
                format!("metadata:{host}"),
                TokenRequest::Metadata {
                    url: format!(
                        "http://{host}/computeMetadata/v1/instance/service-accounts/default/token"
                    ),
                },
            ),
        };
        if let Some(token) = cached(&cache_key) {
            return Ok(token);
        }
        let (token, lifetime) = request.send(client).map_err(|e| {
            format!(
                "cannot get an access token for the {}: {e}",
                self.describe()
            )
        })?;
        store(cache_key, token.clone(), lifetime);
        Ok(token)
    }
}

enum TokenRequest<'a> {
    Post {
        url: &'a str,
        form: Zeroizing<String>,
    },
    Metadata {
        url: String,
    },
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct TokenError {
    error: Option<String>,
    error_description: Option<String>,
}

impl TokenRequest<'_> {
    fn send(&self, client: &HttpClient) -> Result<(Zeroizing<String>, Duration), String> {
        let (url, response) = match self {
            TokenRequest::Post { url, form } => (
                url.to_string(),
                client.send(
                    "POST",
                    url,
                    &[("Content-Type", "application/x-www-form-urlencoded")],
                    Some(form.as_bytes()),
                )?,
            ),
            TokenRequest::Metadata { url } => (
                url.clone(),
                client.send("GET", url, &[("Metadata-Flavor", "Google")], None)?,
            ),
        };
        if !response.is_success() {
            let detail = match serde_json::from_slice::<TokenError>(&response.body) {
                Ok(TokenError {
                    error: Some(error),
                    error_description,
                }) => match error_description {
                    Some(d) => format!("{error}: {d}"),
                    None => error,
                },
                _ => response.body_excerpt(),
            };
            return Err(format!(
                "the token endpoint {url} answered HTTP {}: {detail}",
                response.status
            ));
        }
        let parsed: TokenResponse = serde_json::from_slice(&response.body)
            .map_err(|e| format!("the token endpoint {url} sent an unreadable answer: {e}"))?;
        let token = parsed
            .access_token
            .filter(|t| !t.is_empty())
            .map(Zeroizing::new)
            .ok_or_else(|| format!("the token endpoint {url} sent no access_token"))?;
        Ok((
            token,
            Duration::from_secs(parsed.expires_in.unwrap_or(3600)),
        ))
    }
}

/// Tokens already obtained by this process, by credential identity.
static TOKENS: Mutex<Vec<(String, Zeroizing<String>, Instant)>> = Mutex::new(Vec::new());

fn cached(key: &str) -> Option<Zeroizing<String>> {
    let tokens = TOKENS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    tokens
        .iter()
        .find(|(k, _, expires)| k == key && Instant::now() < *expires)
        .map(|(_, t, _)| t.clone())
}

fn store(key: String, token: Zeroizing<String>, lifetime: Duration) {
    // Renew a minute early so a token never expires between the check and the call.
    let expires = Instant::now() + lifetime.saturating_sub(Duration::from_secs(60));
    let mut tokens = TOKENS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    tokens.retain(|(k, _, _)| *k != key);
    tokens.push((key, token, expires));
}

fn parse(json: &[u8], origin: String) -> Result<Credentials, String> {
    let file: CredentialsFile = serde_json::from_slice(json)
        .map_err(|e| format!("credentials from {origin} are not valid JSON: {e}"))?;
    let missing = |field: &str| format!("credentials from {origin}: missing {field:?}");
    let token_uri = file
        .token_uri
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_TOKEN_URI.to_string());
    let kind = match file.kind.as_deref() {
        Some("service_account") => Kind::ServiceAccount {
            client_email: file.client_email.ok_or_else(|| missing("client_email"))?,
            private_key: Zeroizing::new(file.private_key.ok_or_else(|| missing("private_key"))?),
            private_key_id: file.private_key_id.unwrap_or_default(),
            token_uri,
        },
        Some("authorized_user") => Kind::AuthorizedUser {
            client_id: file.client_id.ok_or_else(|| missing("client_id"))?,
            client_secret: Zeroizing::new(
                file.client_secret.ok_or_else(|| missing("client_secret"))?,
            ),
            refresh_token: Zeroizing::new(
                file.refresh_token.ok_or_else(|| missing("refresh_token"))?,
            ),
            token_uri,
        },
        Some(other) => {
            return Err(format!(
                "credentials from {origin} are of type {other:?}, which sops-rs does not support \
                 (use a service_account or authorized_user file, or {ACCESS_TOKEN_ENV})"
            ));
        }
        None => return Err(missing("type")),
    };
    Ok(Credentials {
        kind,
        origin,
        quota_project: file.quota_project_id.filter(|p| !p.is_empty()),
    })
}

fn metadata_server(host: String, origin: String) -> Credentials {
    Credentials {
        kind: Kind::Metadata { host },
        origin,
        quota_project: None,
    }
}

fn non_empty(env: &Environment, name: &str) -> Option<String> {
    env.var(name).filter(|v| !v.is_empty())
}

fn read_file(path: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    std::fs::read(path)
        .map(Zeroizing::new)
        // Go's os.ReadFile fails in `open` unless the path opens but cannot be read (a directory).
        .map_err(|e| {
            let op = if std::fs::File::open(path).is_ok() {
                "read"
            } else {
                "open"
            };
            path_error(op, path, &e)
        })
}

/// gcloud's ADC file: `$CLOUDSDK_CONFIG/application_default_credentials.json`, else
/// `~/.config/gcloud/…` (`%APPDATA%\gcloud\…` on Windows).
fn well_known_file(env: &Environment) -> Option<String> {
    const NAME: &str = "application_default_credentials.json";
    if let Some(dir) = non_empty(env, "CLOUDSDK_CONFIG") {
        return Some(format!("{dir}/{NAME}"));
    }
    if cfg!(windows) {
        return non_empty(env, "APPDATA").map(|d| format!("{d}\\gcloud\\{NAME}"));
    }
    env.home_dir()
        .ok()
        .map(|h| format!("{h}/.config/gcloud/{NAME}"))
}

/// Google's Go client's quick check: Compute Engine VMs report a Google product name.
fn on_compute_engine() -> bool {
    std::fs::read_to_string("/sys/class/dmi/id/product_name")
        .is_ok_and(|name| name.trim().starts_with("Google"))
}

/// `application/x-www-form-urlencoded` value encoding (RFC 3986 unreserved kept).
pub(crate) fn form_encode(s: &str) -> String {
    percent_encode(s, b"")
}

/// Percent-encodes every byte except RFC 3986 unreserved ones and `keep`.
pub(crate) fn percent_encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        let mut all = vec![("HOME", "/nonexistent/home")];
        all.extend_from_slice(vars);
        Environment::from_vars(all)
    }

    const SA: &str = r#"{"type":"service_account","client_email":"sa@p.iam.gserviceaccount.com","private_key":"k","private_key_id":"id1"}"#;
    const USER: &str = r#"{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r","token_uri":"http://127.0.0.1:1/t"}"#;

    #[test]
    fn google_credentials_json_content_wins_over_everything() {
        let c = Credentials::discover(&env(&[
            (CREDENTIALS_ENV, SA),
            (ACCESS_TOKEN_ENV, "tok"),
            (ADC_ENV, "/nonexistent"),
        ]))
        .unwrap();
        assert_eq!(
            c.describe(),
            "service account sa@p.iam.gserviceaccount.com from GOOGLE_CREDENTIALS (JSON content)"
        );
        assert!(
            matches!(&c.kind, Kind::ServiceAccount { token_uri, .. } if token_uri == DEFAULT_TOKEN_URI)
        );
    }

    #[test]
    fn google_credentials_path_is_read_when_the_file_exists() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sa.json");
        std::fs::write(&path, USER).unwrap();
        let p = path.display().to_string();
        let c = Credentials::discover(&env(&[(CREDENTIALS_ENV, &p)])).unwrap();
        assert_eq!(
            c.describe(),
            format!("authorized user (client c) from GOOGLE_CREDENTIALS (file {p})")
        );
        // A directory exists but cannot be read: sops's error wording.
        let d = dir.path().display().to_string();
        let err = Credentials::discover(&env(&[(CREDENTIALS_ENV, &d)]))
            .err()
            .unwrap();
        assert!(
            err.starts_with(
                "credentials: failed to obtain credentials from \"GOOGLE_CREDENTIALS\": read "
            ),
            "{err}"
        );
    }

    #[test]
    fn access_token_then_adc_file_then_well_known() {
        let c = Credentials::discover(&env(&[(ACCESS_TOKEN_ENV, "tok"), (ADC_ENV, "/x")])).unwrap();
        assert_eq!(c.describe(), "access token from GOOGLE_OAUTH_ACCESS_TOKEN");
        let client = HttpClient::new(&Default::default()).unwrap();
        assert_eq!(c.access_token(&client).unwrap().as_str(), "tok");

        let err = Credentials::discover(&env(&[(ADC_ENV, "/nonexistent/adc.json")]))
            .err()
            .unwrap();
        assert!(err.contains("GOOGLE_APPLICATION_CREDENTIALS"), "{err}");
        assert!(err.contains("/nonexistent/adc.json"), "{err}");

        let home = tempfile::tempdir().unwrap();
        let gcloud = home.path().join(".config/gcloud");
        std::fs::create_dir_all(&gcloud).unwrap();
        std::fs::write(gcloud.join("application_default_credentials.json"), USER).unwrap();
        let h = home.path().display().to_string();
        let c = Credentials::discover(&Environment::from_vars([("HOME", h.as_str())])).unwrap();
        assert!(
            c.describe()
                .contains("gcloud application default credentials"),
            "{}",
            c.describe()
        );
        // CLOUDSDK_CONFIG moves the well-known file.
        let err = Credentials::discover(&Environment::from_vars([
            ("HOME", h.as_str()),
            ("CLOUDSDK_CONFIG", "/nonexistent/cfg"),
        ]))
        .err();
        if !on_compute_engine() {
            assert!(
                err.unwrap()
                    .contains("/nonexistent/cfg/application_default_credentials.json")
            );
        }
    }

    #[test]
    fn metadata_server_only_when_named_or_on_gce() {
        let c = Credentials::discover(&env(&[(METADATA_HOST_ENV, "127.0.0.1:1")])).unwrap();
        assert!(
            c.describe().contains("metadata server 127.0.0.1:1"),
            "{}",
            c.describe()
        );
        if !on_compute_engine() {
            let err = Credentials::discover(&env(&[])).err().unwrap();
            assert!(
                err.starts_with("google: could not find default credentials"),
                "{err}"
            );
            assert!(
                err.contains(
                    "/nonexistent/home/.config/gcloud/application_default_credentials.json"
                )
            );
        }
    }

    #[test]
    fn quota_project_from_file_or_variable() {
        let with = r#"{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r","quota_project_id":"billing-1"}"#;
        let c = Credentials::discover(&env(&[(CREDENTIALS_ENV, with)])).unwrap();
        assert_eq!(c.quota_project(), Some("billing-1"));
        let c = Credentials::discover(&env(&[
            (CREDENTIALS_ENV, with),
            (QUOTA_PROJECT_ENV, "other"),
        ]))
        .unwrap();
        assert_eq!(c.quota_project(), Some("other"));
        let c = Credentials::discover(&env(&[(CREDENTIALS_ENV, USER)])).unwrap();
        assert_eq!(c.quota_project(), None);
    }

    #[test]
    fn bad_credential_files_are_named() {
        let err = Credentials::discover(&env(&[(CREDENTIALS_ENV, "{not json")]))
            .err()
            .unwrap();
        assert!(
            err.contains("GOOGLE_CREDENTIALS (JSON content) are not valid JSON"),
            "{err}"
        );
        let err =
            Credentials::discover(&env(&[(CREDENTIALS_ENV, r#"{"type":"external_account"}"#)]))
                .err()
                .unwrap();
        assert!(err.contains("\"external_account\""), "{err}");
        let err = Credentials::discover(&env(&[(
            CREDENTIALS_ENV,
            r#"{"type":"service_account","client_email":"x"}"#,
        )]))
        .err()
        .unwrap();
        assert!(err.contains("missing \"private_key\""), "{err}");
        let err = Credentials::discover(&env(&[(CREDENTIALS_ENV, "{}")]))
            .err()
            .unwrap();
        assert!(err.contains("missing \"type\""), "{err}");
    }

    #[test]
    fn unreachable_token_endpoint_names_the_credentials() {
        let c = Credentials::discover(&env(&[(CREDENTIALS_ENV, USER)])).unwrap();
        let client = HttpClient::new(&Default::default()).unwrap();
        let err = c.access_token(&client).err().unwrap();
        assert!(
            err.starts_with("cannot get an access token for the authorized user (client c)"),
            "{err}"
        );
        assert!(err.contains("http://127.0.0.1:1/t"), "{err}");
    }

    #[test]
    fn encoding() {
        assert_eq!(form_encode("a b+c/d=é"), "a%20b%2Bc%2Fd%3D%C3%A9");
        assert_eq!(percent_encode("projects/p:x", b"/"), "projects/p%3Ax");
    }
}
