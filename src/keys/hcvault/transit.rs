//! One Vault transit call (`PUT /v1/<engine>/encrypt|decrypt/<key>`) as HashiCorp's Go
//! client makes it for sops: its headers, its retry policy (5xx, 429, 412 and transport
//! errors, linear jittered back-off, all inside one timeout) and its error texts, so a
//! failing key is reported the way sops reports it.

use super::settings::{self, Settings};
use super::uri::{GoUrl, escape_path, path_join};
use crate::keys::age::gocompat::quote;
use crate::keys::environment::Environment;
use crate::keys::http::{CONNECT_TIMEOUT, HttpClient, Response};
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// Why a call failed.
#[derive(Debug)]
pub enum Failure {
    /// The client could not be set up (settings, token file, address): sops prints these bare.
    Client(String),
    /// The request failed or the answer was unusable: sops prefixes these with the operation.
    Call(String),
}

/// Sends `body` to `<address>/v1/<full_path>` and returns the answer's `data` object
/// (`None` when the answer holds none: sops's "transit backend is empty").
pub fn write(
    address: &str,
    full_path: &str,
    body: &[u8],
    env: &Environment,
) -> Result<Option<Map<String, Value>>, Failure> {
    let settings = settings::from_env(env).map_err(Failure::Client)?;
    let address = settings.agent_address.as_deref().unwrap_or(address);
    let url = request_url(address, full_path)?;
    if settings
        .token
        .chars()
        .any(|c| c.is_control() || (c.is_whitespace() && c != ' '))
    {
        return Err(Failure::Call(
            "configured Vault token contains non-printable characters and cannot be used".into(),
        ));
    }
    let client = HttpClient::with_timeouts_no_redirects(
        &settings.tls,
        CONNECT_TIMEOUT.min(settings.timeout),
        settings.timeout,
    )
    .map_err(|e| {
        Failure::Client(format!(
            "cannot create Vault client: error encountered setting up default configuration: {e}"
        ))
    })?;
    let mut url = url;
    let (mut response, location) = send_with_retries(&client, &settings, &url, body)?;
    // Like the Go client: one redirect is followed, the PUT re-sent as it was.
    if matches!(response.status, 301 | 302 | 307) && !settings.redirects_disabled {
        let location =
            location.ok_or_else(|| Failure::Call("http: no Location header in response".into()))?;
        let next = resolve_location(&url, &location);
        if url.starts_with("https:") && !next.starts_with("https:") {
            return Err(Failure::Call(
                "redirect would cause protocol downgrade".into(),
            ));
        }
        url = next;
        response = send_with_retries(&client, &settings, &url, body)?.0;
    }
    if !(200..400).contains(&response.status) {
        return Err(Failure::Call(api_error(&url, &response)));
    }
    parse_secret(&response.body).map_err(Failure::Call)
}

/// The request URL the Go client builds: the address's scheme and host, and the cleaned
/// join of its path with `/v1/<full_path>`, escaped.
fn request_url(address: &str, full_path: &str) -> Result<String, Failure> {
    let base = GoUrl::parse(address)
        .map_err(|e| Failure::Client(format!("cannot create Vault client: {e}")))?;
    let path = path_join(&[&base.path, &format!("/v1/{full_path}")]);
    let authority = base.authority.clone().unwrap_or_default();
    let url = format!("{}://{authority}{}", base.scheme, escape_path(&path));
    if !matches!(base.scheme.as_str(), "http" | "https") || authority.is_empty() {
        let shown = if base.scheme.is_empty() {
            escape_path(&path)
        } else {
            url.clone()
        };
        let why = if base.scheme == "http" || base.scheme == "https" {
            "http: no Host in request URL".to_string()
        } else {
            format!("unsupported protocol scheme {}", quote(&base.scheme))
        };
        return Err(Failure::Call(format!("Put {}: {why}", quote(&shown))));
    }
    Ok(url)
}

fn send_with_retries(
    client: &HttpClient,
    settings: &Settings,
    url: &str,
    body: &[u8],
) -> Result<(Response, Option<String>), Failure> {
    let deadline = Instant::now() + settings.timeout;
    let mut headers: Vec<(&str, &str)> = vec![("X-Vault-Request", "true")];
    if !settings.token.is_empty() {
        headers.push(("X-Vault-Token", settings.token.as_str()));
    }
    if let Some(ns) = &settings.namespace {
        headers.push(("X-Vault-Namespace", ns));
    }
    if let Some(ttl) = &settings.wrap_ttl {
        headers.push(("X-Vault-Wrap-TTL", ttl));
    }
    for (k, v) in &settings.headers {
        headers.push((k, v));
    }
    let mut attempt: u32 = 0;
    loop {
        let result = client.send_reading_header("PUT", url, &headers, Some(body), "Location");
        let retry = match &result {
            Ok((r, _)) => {
                r.status == 429 || r.status == 412 || (r.status >= 500 && r.status != 501)
            }
            Err(e) => !e.contains("certificate") && !e.contains("invalid peer"),
        };
        let wait = backoff(attempt + 1);
        if !retry || attempt >= settings.max_retries || Instant::now() + wait >= deadline {
            return result.map_err(|e| Failure::Call(transport_error(url, &e)));
        }
        std::thread::sleep(wait);
        attempt += 1;
    }
}

/// A `Location` resolved against the request URL (absolute, scheme-relative,
/// host-relative or path-relative), as Go's `Response.Location` does.
fn resolve_location(url: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_string();
    }
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    if let Some(net) = location.strip_prefix("//") {
        return format!("{scheme}://{net}");
    }
    let host = rest.split('/').next().unwrap_or_default();
    if location.starts_with('/') {
        return format!("{scheme}://{host}{location}");
    }
    let path = rest.get(host.len()..).unwrap_or_default();
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    format!("{scheme}://{host}{dir}/{location}")
}

/// `retryablehttp.LinearJitterBackoff` with the Go client's 1–1.5 s bounds.
fn backoff(attempt: u32) -> Duration {
    let mut r = [0u8; 2];
    let jitter = match getrandom::getrandom(&mut r) {
        Ok(()) => u64::from(u16::from_le_bytes(r)) % 500,
        Err(_) => 250,
    };
    Duration::from_millis((1000 + jitter) * u64::from(attempt))
}

/// A transport failure in the Go client's words (`Put "<url>": dial tcp …`), with what to check.
fn transport_error(url: &str, err: &str) -> String {
    let detail = err
        .strip_prefix(&format!("PUT {url}: "))
        .unwrap_or(err)
        .to_string();
    let host = url
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
        .unwrap_or_default();
    let detail = if detail.contains("Connection refused") {
        format!("dial tcp {host}: connect: connection refused")
    } else if detail.starts_with("timeout") {
        format!(
            "context deadline exceeded ({detail}; is the Vault server at {host} reachable? VAULT_CLIENT_TIMEOUT sets the limit)"
        )
    } else {
        detail
    };
    format!("Put {}: {detail}", quote(url))
}

/// The Go client's `ResponseError` text for a status ≥ 400.
fn api_error(url: &str, response: &Response) -> String {
    let mut out = format!(
        "Error making API request.\n\nURL: PUT {url}\nCode: {}. ",
        response.status
    );
    match error_list(&response.body) {
        Some(errors) => {
            out.push_str("Errors:\n\n");
            for e in errors {
                out.push_str("* ");
                out.push_str(&e);
            }
        }
        None => {
            out.push_str("Raw Message:\n\n");
            out.push_str(&String::from_utf8_lossy(&response.body));
        }
    }
    out
}

/// `{"errors": [...]}` decoded as Go's `json.Decoder` into `struct{ Errors []string }`
/// (first value only, field name case-insensitive); `None` when that fails.
fn error_list(body: &[u8]) -> Option<Vec<String>> {
    let first = serde_json::Deserializer::from_slice(body)
        .into_iter::<Value>()
        .next()?
        .ok()?;
    let list = match first {
        Value::Null => return Some(Vec::new()),
        Value::Object(map) => map
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("errors"))
            .map(|(_, v)| v),
        _ => return None,
    };
    match list {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Some(s),
                Value::Null => Some(String::new()),
                _ => None,
            })
            .collect(),
        Some(_) => None,
    }
}

/// The fields of the Go client's `Secret`; an answer with none of them set is read as
/// raw data, as `api.ParseSecret` does.
const SECRET_FIELDS: [&str; 9] = [
    "request_id",
    "lease_id",
    "lease_duration",
    "renewable",
    "data",
    "warnings",
    "auth",
    "wrap_info",
    "mount_type",
];

/// `api.ParseSecret`, returning the secret's `data`.
fn parse_secret(body: &[u8]) -> Result<Option<Map<String, Value>>, String> {
    if body.is_empty() {
        return Ok(None);
    }
    let first = serde_json::Deserializer::from_slice(body)
        .into_iter::<Value>()
        .next()
        .unwrap_or(Ok(Value::Null))
        .map_err(|e| e.to_string())?;
    let mut map = match first {
        Value::Null => return Ok(None),
        Value::Object(m) => m,
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type api.Secret",
                json_kind(&other)
            ));
        }
    };
    let is_zero = |v: &Value| match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        _ => false,
    };
    let zero_secret = SECRET_FIELDS
        .iter()
        .all(|f| map.get(*f).is_none_or(is_zero));
    if !zero_secret {
        return match map.remove("data") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(d)) => Ok(Some(d)),
            Some(other) => Err(format!(
                "json: cannot unmarshal {} into Go struct field Secret.data of type map[string]interface {{}}",
                json_kind(&other)
            )),
        };
    }
    if let Some(errors) = map.get("errors") {
        if map.len() == 1 {
            return Ok(None);
        }
        let list: Vec<String> = match errors {
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or("json: cannot unmarshal errors into Go value of type []string")?,
            Value::Null => Vec::new(),
            _ => return Err("json: cannot unmarshal errors into Go value of type []string".into()),
        };
        return Err(list.join(" "));
    }
    Ok((!map.is_empty()).then_some(map))
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            body: Zeroizing::new(body.as_bytes().to_vec()),
        }
    }

    const URL: &str = "http://127.0.0.1:8200/v1/sops/decrypt/firstkey";

    /// Texts observed with the sops 3.11.0 reference binary against a mock server.
    #[test]
    fn api_errors_read_like_the_go_client() {
        assert_eq!(
            api_error(URL, &resp(403, "{\"errors\":[\"permission denied\"]}")),
            format!(
                "Error making API request.\n\nURL: PUT {URL}\nCode: 403. Errors:\n\n* permission denied"
            )
        );
        assert_eq!(
            api_error(
                URL,
                &resp(500, "{\"errors\":[\"internal error\",\"second\"]}")
            ),
            format!(
                "Error making API request.\n\nURL: PUT {URL}\nCode: 500. Errors:\n\n* internal error* second"
            )
        );
        assert_eq!(
            api_error(URL, &resp(404, "{\"errors\":[]}")),
            format!("Error making API request.\n\nURL: PUT {URL}\nCode: 404. Errors:\n\n")
        );
        assert_eq!(
            api_error(URL, &resp(400, "not json")),
            format!(
                "Error making API request.\n\nURL: PUT {URL}\nCode: 400. Raw Message:\n\nnot json"
            )
        );
        assert_eq!(
            api_error(URL, &resp(404, "")),
            format!("Error making API request.\n\nURL: PUT {URL}\nCode: 404. Raw Message:\n\n")
        );
    }

    #[test]
    fn secrets_parse_like_api_parse_secret() {
        let data = |b: &str| parse_secret(b.as_bytes());
        let got = data("{\"request_id\":\"x\",\"data\":{\"plaintext\":\"QQ==\"}}")
            .unwrap()
            .unwrap();
        assert_eq!(got.get("plaintext"), Some(&Value::String("QQ==".into())));
        // A bare object without Secret fields is the data itself.
        let got = data("{\"plaintext\":\"QQ==\"}").unwrap().unwrap();
        assert!(got.contains_key("plaintext"));
        // "data": null alone is raw data without the wanted key.
        let got = data("{\"data\":null}").unwrap().unwrap();
        assert!(!got.contains_key("plaintext"));
        assert!(data("").unwrap().is_none());
        assert!(data("null").unwrap().is_none());
        assert!(data("{}").unwrap().is_none());
        assert!(data("{\"errors\":[\"a\"]}").unwrap().is_none());
        assert_eq!(
            data("{\"errors\":[\"a\",\"b\"],\"x\":1}").unwrap_err(),
            "a b"
        );
        assert!(data("{\"request_id\":\"r\"}").unwrap().is_none());
        assert!(data("nope").is_err());
        assert!(data("[1]").unwrap_err().contains("cannot unmarshal array"));
        assert!(
            data("{\"request_id\":\"r\",\"data\":\"s\"}")
                .unwrap_err()
                .contains("Secret.data")
        );
    }

    #[test]
    fn request_urls_like_the_go_client() {
        assert_eq!(
            request_url("http://127.0.0.1:8200", "sops/encrypt/k").unwrap(),
            "http://127.0.0.1:8200/v1/sops/encrypt/k"
        );
        assert_eq!(
            request_url("https://agent:8100/base/", "t/decrypt/a b").unwrap(),
            "https://agent:8100/base/v1/t/decrypt/a%20b"
        );
        match request_url("", "t/decrypt/k") {
            Err(Failure::Call(e)) => assert_eq!(
                e,
                "Put \"/v1/t/decrypt/k\": unsupported protocol scheme \"\""
            ),
            other => panic!("{other:?}"),
        }
        match request_url("http://", "t/decrypt/k") {
            Err(Failure::Call(e)) => assert_eq!(
                e,
                "Put \"http:///v1/t/decrypt/k\": http: no Host in request URL"
            ),
            other => panic!("{other:?}"),
        }
        match request_url("ftp://h", "t/decrypt/k") {
            Err(Failure::Call(e)) => {
                assert!(e.ends_with("unsupported protocol scheme \"ftp\""), "{e}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn transport_errors_name_the_url() {
        let e = transport_error(
            URL,
            &format!("PUT {URL}: io: Connection refused (os error 111)"),
        );
        assert_eq!(
            e,
            format!("Put \"{URL}\": dial tcp 127.0.0.1:8200: connect: connection refused")
        );
        let e = transport_error(URL, &format!("PUT {URL}: timeout: global"));
        assert!(e.contains("context deadline exceeded") && e.contains("VAULT_CLIENT_TIMEOUT"));
    }

    #[test]
    fn locations_resolve_like_go() {
        let base = "https://a:8200/v1/t/decrypt/k";
        assert_eq!(
            resolve_location(base, "https://b/v1/t/decrypt/k"),
            "https://b/v1/t/decrypt/k"
        );
        assert_eq!(resolve_location(base, "//b:1/x"), "https://b:1/x");
        assert_eq!(resolve_location(base, "/v1/x"), "https://a:8200/v1/x");
        assert_eq!(
            resolve_location(base, "k2"),
            "https://a:8200/v1/t/decrypt/k2"
        );
    }

    #[test]
    fn backoff_is_linear_with_jitter() {
        for n in 1..=3 {
            let d = backoff(n).as_millis();
            assert!(d >= 1000 * u128::from(n) && d < 1500 * u128::from(n), "{d}");
        }
    }
}
