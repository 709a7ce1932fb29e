//! The Vault client settings sops gets from HashiCorp's Go client (`api.DefaultConfig`,
//! `api.NewClient`) plus its own token fallback: read from the environment only when a
//! Vault key is used, validated in the Go client's order with its error texts.

use crate::keys::environment::Environment;
use crate::keys::http::TlsOptions;
use std::time::Duration;
use zeroize::Zeroizing;

/// The Go client's default request timeout (`VAULT_CLIENT_TIMEOUT` overrides it).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The Go client's default number of retries (`VAULT_MAX_RETRIES` overrides it).
pub const DEFAULT_MAX_RETRIES: u32 = 2;

/// Everything a transit call needs besides the key itself.
pub struct Settings {
    /// `X-Vault-Token` (empty: no header).
    pub token: Zeroizing<String>,
    /// `X-Vault-Namespace` (`VAULT_NAMESPACE`).
    pub namespace: Option<String>,
    /// `VAULT_AGENT_ADDR`: replaces the key's address, as in the Go client.
    pub agent_address: Option<String>,
    /// Extra headers from `VAULT_HEADERS`.
    pub headers: Vec<(String, String)>,
    /// `X-Vault-Wrap-TTL` (`VAULT_WRAP_TTL`).
    pub wrap_ttl: Option<String>,
    /// Server verification.
    pub tls: TlsOptions,
    /// Keeps a `VAULT_CACERT_BYTES` bundle on disk while the client uses it.
    pub _ca_temp: Option<tempfile::NamedTempFile>,
    /// Whole-operation budget, retries included.
    pub timeout: Duration,
    /// Retries after 5xx/429/412 answers and transport errors.
    pub max_retries: u32,
    /// `VAULT_DISABLE_REDIRECTS`: a 3xx answer is then taken as it is, as the Go client does.
    pub redirects_disabled: bool,
}

/// Where settings come from failed: the error text sops prints.
pub type SettingsError = String;

/// Reads the settings as `api.NewClient(api.DefaultConfig())` and sops's
/// `vaultClient` do: environment first, then `~/.vault-token` when no token is set.
pub fn from_env(env: &Environment) -> Result<Settings, SettingsError> {
    let var = |name: &str| env.var(name).filter(|v| !v.is_empty());
    let config_err = |why: String| {
        format!(
            "cannot create Vault client: error encountered setting up default configuration: {why}"
        )
    };
    let mut max_retries = DEFAULT_MAX_RETRIES;
    if let Some(v) = var("VAULT_MAX_RETRIES") {
        max_retries = v.parse::<u32>().map_err(|_| {
            config_err(format!(
                "strconv.ParseUint: parsing {}: {}",
                crate::keys::age::gocompat::quote(&v),
                if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                    "value out of range"
                } else {
                    "invalid syntax"
                }
            ))
        })?;
    }
    if let Some(v) = var("VAULT_RATE_LIMIT")
        && !valid_rate_limit(&v)
    {
        return Err(config_err(
            "VAULT_RATE_LIMIT was provided but incorrectly formatted".into(),
        ));
    }
    let mut timeout = DEFAULT_TIMEOUT;
    if let Some(v) = var("VAULT_CLIENT_TIMEOUT") {
        let parsed = parse_duration_second(&v)
            .ok_or_else(|| config_err("could not parse \"VAULT_CLIENT_TIMEOUT\"".into()))?;
        // Go: zero keeps the default; a negative value would mean "no timeout",
        // which sops-rs refuses to have, so the default bound stays.
        if let Some(d) = parsed.filter(|d| !d.is_zero()) {
            timeout = d;
        }
    }
    let bool_var = |name: &str| -> Result<bool, SettingsError> {
        match var(name) {
            None => Ok(false),
            Some(v) => crate::gofmt::parse_bool(&v)
                .ok_or_else(|| config_err(format!("could not parse {name}"))),
        }
    };
    let skip_verify = bool_var("VAULT_SKIP_VERIFY")?;
    bool_var("VAULT_SRV_LOOKUP")?;
    let redirects_disabled = bool_var("VAULT_DISABLE_REDIRECTS")?;
    match (var("VAULT_CLIENT_CERT"), var("VAULT_CLIENT_KEY")) {
        (None, None) => {}
        (Some(_), Some(_)) => {
            return Err(config_err(
                "VAULT_CLIENT_CERT/VAULT_CLIENT_KEY (TLS client certificates) are not supported by sops-rs; unset them or use token authentication".into(),
            ));
        }
        _ => {
            return Err(config_err(
                "both client cert and client key must be provided".into(),
            ));
        }
    }
    if var("VAULT_TLS_SERVER_NAME").is_some() {
        return Err(config_err(
            "VAULT_TLS_SERVER_NAME is not supported by sops-rs; use the server's certificate name in the key's address".into(),
        ));
    }
    for proxy in ["VAULT_HTTP_PROXY", "VAULT_PROXY_ADDR"] {
        if var(proxy).is_some() {
            return Err(config_err(format!(
                "{proxy} is not supported by sops-rs; use HTTPS_PROXY instead"
            )));
        }
    }
    // CA precedence of go-rootcerts: file, then PEM bytes, then directory.
    let mut tls = TlsOptions {
        skip_verify,
        ..TlsOptions::default()
    };
    // Checked here with go-rootcerts' errors; the HTTP client then gets one PEM file.
    let mut ca_temp = None;
    if let Some(file) = var("VAULT_CACERT") {
        let pem = std::fs::read(&file).map_err(|e| {
            config_err(format!(
                "Error loading CA File: open {file}: {}",
                crate::error::go_io_message(&e)
            ))
        })?;
        if !has_certificate(&pem) {
            return Err(config_err(format!(
                "Error loading CA File: Couldn't parse PEM in: {file}"
            )));
        }
        tls.ca_file = Some(file.into());
    } else if let Some(pem) = var("VAULT_CACERT_BYTES") {
        if !has_certificate(pem.as_bytes()) {
            return Err(config_err("Error appending CA: Couldn't parse PEM".into()));
        }
        let temp = write_temp_pem(pem.as_bytes()).map_err(config_err)?;
        tls.ca_file = Some(temp.path().to_path_buf());
        ca_temp = Some(temp);
    } else if let Some(dir) = var("VAULT_CAPATH") {
        let bundle = ca_path_bundle(std::path::Path::new(&dir)).map_err(config_err)?;
        let temp = write_temp_pem(&bundle).map_err(config_err)?;
        tls.ca_file = Some(temp.path().to_path_buf());
        ca_temp = Some(temp);
    }
    let headers = match var("VAULT_HEADERS") {
        None => Vec::new(),
        Some(json) => parse_headers(&json)?,
    };
    let token = match env.var("VAULT_TOKEN").filter(|t| !t.is_empty()) {
        Some(t) => Zeroizing::new(t),
        None => user_token(env)?,
    };
    Ok(Settings {
        token,
        namespace: var("VAULT_NAMESPACE"),
        agent_address: var("VAULT_AGENT_ADDR"),
        headers,
        wrap_ttl: var("VAULT_WRAP_TTL"),
        tls,
        _ca_temp: ca_temp,
        timeout,
        max_retries,
        redirects_disabled,
    })
}

/// sops's fallback: `~/.vault-token`, trimmed; a missing file is no token.
fn user_token(env: &Environment) -> Result<Zeroizing<String>, SettingsError> {
    let Ok(home) = env.home_dir() else {
        return Ok(Zeroizing::new(String::new()));
    };
    let path = std::path::Path::new(&home).join(".vault-token");
    match std::fs::read(&path) {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            let text = String::from_utf8_lossy(&bytes);
            Ok(Zeroizing::new(text.trim().to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Zeroizing::new(String::new())),
        Err(e) => Err(format!(
            "cannot get Vault token: read {}: {}",
            path.display(),
            crate::error::go_io_message(&e)
        )),
    }
}

/// `VAULT_HEADERS`: a JSON object of string values, none starting with `X-Vault-`.
fn parse_headers(json: &str) -> Result<Vec<(String, String)>, SettingsError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|_| {
        "cannot create Vault client: could not unmarshal environment-supplied headers".to_string()
    })?;
    let serde_json::Value::Object(map) = value else {
        return Err(
            "cannot create Vault client: could not unmarshal environment-supplied headers".into(),
        );
    };
    let mut out = Vec::new();
    let mut forbidden = Vec::new();
    for (k, v) in map {
        if k.starts_with("X-Vault-") {
            forbidden.push(k);
            continue;
        }
        let serde_json::Value::String(v) = v else {
            return Err("cannot create Vault client: environment-supplied headers include non-string values".into());
        };
        out.push((k, v));
    }
    if !forbidden.is_empty() {
        return Err(format!(
            "cannot create Vault client: failed to setup Headers[{}]: Header starting by 'X-Vault-' are for internal usage only",
            forbidden.join(", ")
        ));
    }
    Ok(out)
}

fn write_temp_pem(pem: &[u8]) -> Result<tempfile::NamedTempFile, String> {
    use std::io::Write;
    let mut f = tempfile::NamedTempFile::new()
        .map_err(|e| format!("cannot store the CA certificates: {e}"))?;
    f.write_all(pem)
        .map_err(|e| format!("cannot store the CA certificates: {e}"))?;
    Ok(f)
}

/// Whether `pem` holds a certificate (Go's `AppendCertsFromPEM` succeeding).
fn has_certificate(pem: &[u8]) -> bool {
    ureq::tls::parse_pem(pem).any(|item| matches!(item, Ok(ureq::tls::PemItem::Certificate(_))))
}

/// go-rootcerts' `LoadCAPath`: every file under `dir` (walked recursively, in name
/// order) must hold a certificate; they are concatenated into one bundle.
fn ca_path_bundle(dir: &std::path::Path) -> Result<Vec<u8>, String> {
    let io = |op: &str, e: std::io::Error| {
        format!(
            "{op} {}: {}",
            dir.display(),
            crate::error::go_io_message(&e)
        )
    };
    let meta = std::fs::symlink_metadata(dir).map_err(|e| io("lstat", e))?;
    if !meta.is_dir() {
        let pem = std::fs::read(dir).map_err(|e| io("open", e))?;
        if !has_certificate(&pem) {
            return Err(format!(
                "Error loading CA Path: Couldn't parse PEM in: {}",
                dir.display()
            ));
        }
        let mut bundle = pem;
        bundle.push(b'\n');
        return Ok(bundle);
    }
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io("open", e))?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    let mut bundle = Vec::new();
    for path in entries {
        bundle.extend(ca_path_bundle(&path)?);
    }
    Ok(bundle)
}

/// `rate` or `rate:burst` as the Go client accepts it.
fn valid_rate_limit(v: &str) -> bool {
    let (rate, burst) = match v.split_once(':') {
        Some((r, b)) => (r, Some(b)),
        None => (v, None),
    };
    crate::gofmt::parse_float(rate).is_some() && burst.is_none_or(|b| b.parse::<i64>().is_ok())
}

/// `parseutil.ParseDurationSecond`: a bare number is seconds, else a Go duration
/// (`1m30s`, `500ms`) or days (`2d`). `Some(None)` is a negative duration.
pub fn parse_duration_second(v: &str) -> Option<Option<Duration>> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<i64>() {
        return Some(u64::try_from(secs).ok().map(Duration::from_secs));
    }
    if let Some(days) = v.strip_suffix('d')
        && let Ok(d) = days.parse::<i64>()
    {
        return Some(
            u64::try_from(d)
                .ok()
                .and_then(|d| d.checked_mul(86_400))
                .map(Duration::from_secs),
        );
    }
    go_duration(v)
}

/// Go's `time.ParseDuration`.
fn go_duration(s: &str) -> Option<Option<Duration>> {
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(Some(Duration::ZERO));
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        let num: f64 = rest.get(..num_len)?.parse().ok()?;
        rest = rest.get(num_len..)?;
        let unit_len = rest
            .bytes()
            .take_while(|b| !(b.is_ascii_digit() || *b == b'.'))
            .count();
        let unit = rest.get(..unit_len)?;
        rest = rest.get(unit_len..)?;
        let scale = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += num * scale;
    }
    if negative && total > 0.0 {
        return Some(None);
    }
    Duration::try_from_secs_f64(total).ok().map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn defaults_without_environment() {
        let s = from_env(&env(&[("HOME", "/nonexistent-sops-rs")])).unwrap();
        assert!(s.token.is_empty());
        assert_eq!(s.timeout, DEFAULT_TIMEOUT);
        assert_eq!(s.max_retries, 2);
        assert!(!s.tls.skip_verify && s.tls.ca_file.is_none());
        assert!(s.namespace.is_none() && s.agent_address.is_none());
    }

    #[test]
    fn token_from_env_wins_over_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".vault-token"), "  file-token\n").unwrap();
        let home = dir.path().to_str().unwrap();
        let s = from_env(&env(&[("HOME", home)])).unwrap();
        assert_eq!(s.token.as_str(), "file-token");
        let s = from_env(&env(&[("HOME", home), ("VAULT_TOKEN", "env-token")])).unwrap();
        assert_eq!(s.token.as_str(), "env-token");
        // An empty VAULT_TOKEN is unset.
        let s = from_env(&env(&[("HOME", home), ("VAULT_TOKEN", "")])).unwrap();
        assert_eq!(s.token.as_str(), "file-token");
        // A directory where the file should be is an error naming it.
        let dir2 = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir2.path().join(".vault-token")).unwrap();
        let err = from_env(&env(&[("HOME", dir2.path().to_str().unwrap())]))
            .err()
            .unwrap();
        assert!(err.starts_with("cannot get Vault token: read "), "{err}");
        assert!(err.ends_with(".vault-token: is a directory"), "{err}");
    }

    /// Texts observed with the sops 3.11.0 reference binary.
    #[test]
    fn bad_variables_fail_like_the_go_client() {
        let err = |k: &str, v: &str| from_env(&env(&[(k, v)])).err().unwrap();
        assert_eq!(
            err("VAULT_SKIP_VERIFY", "garbage"),
            "cannot create Vault client: error encountered setting up default configuration: could not parse VAULT_SKIP_VERIFY"
        );
        assert_eq!(
            err("VAULT_CLIENT_TIMEOUT", "zz"),
            "cannot create Vault client: error encountered setting up default configuration: could not parse \"VAULT_CLIENT_TIMEOUT\""
        );
        assert!(
            err("VAULT_MAX_RETRIES", "x")
                .ends_with("strconv.ParseUint: parsing \"x\": invalid syntax")
        );
        assert!(
            err("VAULT_CLIENT_CERT", "/c")
                .ends_with("both client cert and client key must be provided")
        );
        assert_eq!(
            err("VAULT_HEADERS", "{\"X-Vault-Foo\":\"1\"}"),
            "cannot create Vault client: failed to setup Headers[X-Vault-Foo]: Header starting by 'X-Vault-' are for internal usage only"
        );
        assert!(err("VAULT_HEADERS", "[1]").contains("could not unmarshal"));
        assert!(err("VAULT_HEADERS", "{\"a\":1}").contains("non-string values"));
        assert!(err("VAULT_RATE_LIMIT", "fast").contains("incorrectly formatted"));
    }

    #[test]
    fn variables_are_applied() {
        let s = from_env(&env(&[
            ("VAULT_SKIP_VERIFY", "true"),
            ("VAULT_CLIENT_TIMEOUT", "7"),
            ("VAULT_MAX_RETRIES", "0"),
            ("VAULT_NAMESPACE", "team/a"),
            ("VAULT_AGENT_ADDR", "http://127.0.0.1:8100"),
            ("VAULT_HEADERS", "{\"X-Extra\":\"1\"}"),
            ("VAULT_RATE_LIMIT", "10:5"),
        ]))
        .unwrap();
        assert!(s.tls.skip_verify);
        assert_eq!(s.timeout, Duration::from_secs(7));
        assert_eq!(s.max_retries, 0);
        assert_eq!(s.namespace.as_deref(), Some("team/a"));
        assert_eq!(s.agent_address.as_deref(), Some("http://127.0.0.1:8100"));
        assert_eq!(s.headers, vec![("X-Extra".to_string(), "1".to_string())]);
        assert!(s.tls.ca_file.is_none() && s.tls.ca_dir.is_none());
    }

    /// A self-signed certificate (public, for parsing only).
    const CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBbTCCAROgAwIBAgIUP1h6qj++D6vlLUgmLD2PmilgTqEwCgYIKoZIzj0EAwIw
DDEKMAgGA1UEAwwBdDAeFw0yNjExMjUyMDAxMDFaFw0zNjExMjIyMDAxMDFaMAwx
CjAIBgNVBAMMAXQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQDDh0B+Sm1g0Wd
2HqsaMTxzdw5nnwwNdeWUC0mEUOrP8txYhS12gXLQ+RqEnQyHOPmpAVdfnV0WiRc
iS/h+LCUo1MwUTAdBgNVHQ4EFgQU2jCGc6txE38Mv+x1kMC/kXCe/W0wHwYDVR0j
BBgwFoAU2jCGc6txE38Mv+x1kMC/kXCe/W0wDwYDVR0TAQH/BAUwAwEB/zAKBggq
hkjOPQQDAgNIADBFAiEA6OWr2pLPBVJPbYGLYDwXhcm/HBvJfgghQEvvQtBwQvAC
IDtwxiHyz8rFaDIwoUKxPvmg5PYH7dcP+/YVJXLtWg+k
-----END CERTIFICATE-----
";

    #[test]
    fn ca_settings_in_go_rootcerts_precedence() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ca.pem");
        std::fs::write(&file, CERT).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/other.pem"), CERT).unwrap();
        let f = file.display().to_string();
        let d = dir.path().display().to_string();
        // The file wins over the PEM text and the directory.
        let s = from_env(&env(&[
            ("VAULT_CACERT", &f),
            ("VAULT_CACERT_BYTES", "garbage"),
            ("VAULT_CAPATH", "/nonexistent"),
        ]))
        .unwrap();
        assert_eq!(s.tls.ca_file.as_deref(), Some(file.as_path()));
        // The PEM text goes to a temporary file, removed with the settings.
        let s = from_env(&env(&[
            ("VAULT_CACERT_BYTES", CERT),
            ("VAULT_CAPATH", "/x"),
        ]))
        .unwrap();
        let temp = s.tls.ca_file.clone().unwrap();
        assert_eq!(std::fs::read_to_string(&temp).unwrap(), CERT);
        drop(s);
        assert!(!temp.exists(), "the temporary CA bundle is removed");
        // The directory is walked recursively into one bundle.
        let s = from_env(&env(&[("VAULT_CAPATH", &d)])).unwrap();
        let bundle = std::fs::read_to_string(s.tls.ca_file.as_ref().unwrap()).unwrap();
        assert_eq!(bundle.matches("BEGIN CERTIFICATE").count(), 2);
    }

    /// Texts observed with the sops 3.11.0 reference binary.
    #[test]
    fn ca_settings_fail_like_go_rootcerts() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        std::fs::write(dir.path().join("not-pem.txt"), "hello").unwrap();
        let err = |k: &str, v: &str| from_env(&env(&[(k, v)])).err().unwrap();
        let prefix =
            "cannot create Vault client: error encountered setting up default configuration: ";
        assert_eq!(
            err("VAULT_CACERT", "/nonexistent/ca.pem"),
            format!(
                "{prefix}Error loading CA File: open /nonexistent/ca.pem: no such file or directory"
            )
        );
        assert_eq!(
            err("VAULT_CACERT", &format!("{d}/not-pem.txt")),
            format!("{prefix}Error loading CA File: Couldn't parse PEM in: {d}/not-pem.txt")
        );
        assert_eq!(
            err("VAULT_CACERT_BYTES", "garbage"),
            format!("{prefix}Error appending CA: Couldn't parse PEM")
        );
        assert_eq!(
            err("VAULT_CAPATH", "/nonexistent"),
            format!("{prefix}lstat /nonexistent: no such file or directory")
        );
        assert_eq!(
            err("VAULT_CAPATH", &d),
            format!("{prefix}Error loading CA Path: Couldn't parse PEM in: {d}/not-pem.txt")
        );
    }

    #[test]
    fn durations_like_parseutil() {
        let d = |s: &str| parse_duration_second(s);
        assert_eq!(d("10"), Some(Some(Duration::from_secs(10))));
        assert_eq!(d("1m30s"), Some(Some(Duration::from_secs(90))));
        assert_eq!(d("500ms"), Some(Some(Duration::from_millis(500))));
        assert_eq!(d("2d"), Some(Some(Duration::from_secs(172_800))));
        assert_eq!(d("-5"), Some(None));
        assert_eq!(d("-1s"), Some(None));
        assert_eq!(d("0"), Some(Some(Duration::ZERO)));
        assert_eq!(d("zz"), None);
        assert_eq!(d("5x"), None);
        assert_eq!(d(""), None);
    }
}
