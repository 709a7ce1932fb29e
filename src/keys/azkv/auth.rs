//! Azure access tokens in the order of `DefaultAzureCredential`, which sops uses.
//!
//! Environment (client secret or certificate), workload identity, managed identity
//! (App Service endpoint or IMDS), then the Azure CLI, each over plain REST or a child
//! process, so no Azure SDK (and no async runtime) is needed. A source that is not
//! configured lets the chain go on; one that is configured but fails stops it, as in Go.
//! Tokens are cached per scope for the life of the process.

use crate::keys::environment::Environment;
use crate::keys::http::HttpClient;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use zeroize::Zeroizing;

const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/";
const IMDS_HOST: &str = "http://169.254.169.254";
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
            Source::AzureCli => match super::cli::token(scope, tenant, env) {
                Ok(t) => Outcome::Token(t),
                Err(why) => Outcome::Unavailable(why),
            },
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
        let assertion =
            match super::assertion::client_assertion(&path, &client_id, &url, send_chain) {
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
    let body = Zeroizing::new(super::form::form_encode(form));
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
                format!("{endpoint}{sep}{}", super::form::form_encode(&query)),
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
                    super::form::form_encode(&query)
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

/// The token of a JSON answer (`access_token` from Entra ID and managed identity,
/// `accessToken` from the Azure CLI), moved straight into a zeroized buffer.
pub(super) fn token_field(json: &[u8]) -> Option<Zeroizing<String>> {
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
}
