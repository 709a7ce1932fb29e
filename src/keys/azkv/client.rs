//! Key Vault REST calls (`encrypt`, `decrypt`, get key) with Key Vault's challenge authentication.
//!
//! Like the Go `azkeys` client sops uses, the first request to a vault goes without a
//! token (and without a body); the `401` challenge names the token scope and tenant, whose
//! host must be a parent domain of the vault's (so a rogue vault URL cannot obtain a token
//! for another service). The challenge is remembered per vault for the process.

use super::auth;
use crate::keys::http::{HttpClient, Response, TlsOptions};
use base64::Engine;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use zeroize::Zeroizing;

/// The Key Vault REST API version, the one sops 3.11's Go client (azkeys v1.4.0) sends.
pub(super) const API_VERSION: &str = "7.6";
const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

static HTTP: OnceLock<Result<HttpClient, String>> = OnceLock::new();
/// Per vault origin: the token scope and the tenant its challenge named.
static CHALLENGES: Mutex<Option<HashMap<String, Challenge>>> = Mutex::new(None);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Challenge {
    scope: String,
    tenant: String,
}

pub(super) fn is_started() -> bool {
    HTTP.get().is_some()
}

fn http() -> Result<&'static HttpClient, String> {
    HTTP.get_or_init(|| HttpClient::new(&TlsOptions::default()))
        .as_ref()
        .map_err(|e| format!("cannot set up HTTPS for Azure Key Vault: {e}"))
}

/// `POST {vault}/keys/{name}/{version}/encrypt`: the RSA-OAEP-256 ciphertext.
pub(super) fn encrypt(
    vault: &str,
    name: &str,
    version: &str,
    plain: &[u8],
) -> Result<Vec<u8>, String> {
    let result = key_operation(vault, name, version, "encrypt", plain)?;
    Ok(result.to_vec())
}

/// `POST {vault}/keys/{name}/{version}/decrypt`: the plaintext.
pub(super) fn decrypt(
    vault: &str,
    name: &str,
    version: &str,
    cipher: &[u8],
) -> Result<Zeroizing<Vec<u8>>, String> {
    key_operation(vault, name, version, "decrypt", cipher)
}

/// `GET {vault}/keys/{name}/`: the version in the current key's `kid`.
pub(super) fn current_version(vault: &str, name: &str) -> Result<String, String> {
    let url = key_url(vault, name, "", "");
    let resp = call("GET", &url, None)
        .map_err(|e| format!("failed to fetch Azure Key to retrieve key version: {e}"))?;
    if !resp.is_success() {
        return Err(format!(
            "failed to fetch Azure Key to retrieve key version: {}",
            describe_error("GET", &url, &resp)
        ));
    }
    let json: serde_json::Value = serde_json::from_slice(&resp.body).unwrap_or_default();
    let kid = json
        .get("key")
        .and_then(|k| k.get("kid"))
        .and_then(|k| k.as_str())
        .unwrap_or("");
    version_of_kid(kid).ok_or_else(|| {
        format!("failed to fetch Azure Key to retrieve key version: no key version in the key id {kid:?}")
    })
}

/// The version segment of `https://<vault>/keys/<name>/<version>`.
fn version_of_kid(kid: &str) -> Option<String> {
    let path = kid.split_once("://").map(|(_, rest)| rest)?;
    let mut parts = path.split('/').skip(1);
    match (parts.next(), parts.next(), parts.next()) {
        (Some("keys"), Some(name), Some(version)) if !name.is_empty() && !version.is_empty() => {
            Some(version.to_string())
        }
        _ => None,
    }
}

fn key_operation(
    vault: &str,
    name: &str,
    version: &str,
    op: &str,
    value: &[u8],
) -> Result<Zeroizing<Vec<u8>>, String> {
    let url = key_url(vault, name, version, op);
    // Built by hand (base64url needs no JSON escaping) so that every copy of the
    // encoded key is a zeroized buffer.
    let encoded = Zeroizing::new(B64URL.encode(value));
    let body = Zeroizing::new(format!(
        "{{\"alg\":\"RSA-OAEP-256\",\"value\":\"{}\"}}",
        encoded.as_str()
    ));
    let resp = call("POST", &url, Some(body.as_bytes()))?;
    if !resp.is_success() {
        return Err(describe_error("POST", &url, &resp));
    }
    let result: OperationResult = serde_json::from_slice(&resp.body)
        .map_err(|e| format!("POST {url}: unexpected response: {e}"))?;
    let value = result
        .value
        .map(Zeroizing::new)
        .ok_or_else(|| format!("POST {url}: the response has no \"value\""))?;
    B64URL
        .decode(value.trim_end_matches('='))
        .map(Zeroizing::new)
        .map_err(|e| format!("POST {url}: the response's \"value\" is not base64url: {e}"))
}

/// The part of a key operation's answer sops uses; `value` moves straight into a
/// zeroized buffer.
#[derive(serde::Deserialize)]
struct OperationResult {
    value: Option<String>,
}

/// `{vault}/keys/{name}/{version}[/{op}]?api-version=…` (an empty version keeps its slash, as Go's client does).
fn key_url(vault: &str, name: &str, version: &str, op: &str) -> String {
    let mut url = format!(
        "{}/keys/{}/{}",
        vault.trim_end_matches('/'),
        super::form::percent_encode(name, false),
        super::form::percent_encode(version, false)
    );
    if !op.is_empty() {
        url.push('/');
        url.push_str(op);
    }
    url.push_str("?api-version=");
    url.push_str(API_VERSION);
    url
}

/// The scheme and authority of `url` (`https://host:port`), and its authority alone.
fn origin(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    (!authority.is_empty()).then(|| (format!("{scheme}://{authority}"), authority.to_string()))
}

/// Sends an authorized request, eliciting the vault's challenge first if needed.
fn call(method: &str, url: &str, body: Option<&[u8]>) -> Result<Response, String> {
    let (origin, authority) = origin(url).ok_or_else(|| format!("invalid vault URL {url:?}"))?;
    if !origin.starts_with("https://") {
        return Err(format!(
            "authenticated requests are not permitted for non TLS protected (https) endpoints: {url}"
        ));
    }
    let http = http()?;
    let known = CHALLENGES
        .lock()
        .ok()
        .and_then(|g| g.as_ref().and_then(|m| m.get(&origin).cloned()));
    let challenge = match known {
        Some(c) => c,
        None => {
            let (resp, challenge) = http
                .send_reading_header(
                    method,
                    url,
                    &[("Accept", "application/json")],
                    None,
                    "www-authenticate",
                )
                .map_err(|e| go_transport_error(method, url, &e))?;
            if resp.status != 401 {
                // Not a challenge (an error page, or an unauthenticated vault): that is the answer.
                return Ok(resp);
            }
            let header = challenge.ok_or_else(|| {
                format!("{method} {url}: response has no WWW-Authenticate header for challenge authentication")
            })?;
            let challenge = parse_challenge(&header, &authority)?;
            if let Ok(mut g) = CHALLENGES.lock() {
                g.get_or_insert_with(HashMap::new)
                    .insert(origin, challenge.clone());
            }
            challenge
        }
    };
    let token = auth::token(&challenge.scope, &challenge.tenant, http)?;
    let bearer = Zeroizing::new(format!("Bearer {}", token.as_str()));
    let mut headers = vec![
        ("Accept", "application/json"),
        ("Authorization", bearer.as_str()),
    ];
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    http.send(method, url, &headers, body)
        .map_err(|e| go_transport_error(method, url, &e))
}

/// A connection failure in the shape of Go's `net/http` errors (`Post "<url>": …`).
fn go_transport_error(method: &str, url: &str, error: &str) -> String {
    let detail = error
        .strip_prefix(&format!("{method} {url}: "))
        .unwrap_or(error);
    let mut verb = method.to_ascii_lowercase();
    if let Some(first) = verb.get(..1).map(str::to_ascii_uppercase) {
        verb.replace_range(..1, &first);
    }
    format!("{verb} \"{url}\": {detail}")
}

/// The token scope from `Bearer authorization="…" resource="…"` (or `scope="…"`),
/// after checking that its host is a parent domain of the vault's `authority`, and
/// the tenant (first path segment of `authorization`).
fn parse_challenge(header: &str, authority: &str) -> Result<Challenge, String> {
    let stripped = header.replace("Bearer ", "");
    let mut scope = None;
    let mut resource = None;
    let mut authorization = String::new();
    for part in stripped.split(' ') {
        let mut kv = part.split('=');
        if let (Some(k), Some(v), None) = (kv.next(), kv.next(), kv.next()) {
            let v = v.replace('"', "");
            let v = v.trim_end_matches(',').to_string();
            match k {
                "scope" => scope = Some(v),
                "resource" => resource = Some(v),
                "authorization" => authorization = v,
                _ => {}
            }
        }
    }
    let scope = scope
        .or(resource)
        .filter(|s| !s.is_empty())
        .ok_or("could not find a valid resource in the WWW-Authenticate header")?;
    let host = origin(&scope).map(|(_, a)| a).unwrap_or_default();
    if host.is_empty() || !authority.ends_with(&format!(".{host}")) {
        return Err(format!(
            "challenge resource \"{scope}\" doesn't match the requested domain {authority} \
             (see https://aka.ms/azsdk/blog/vault-uri)"
        ));
    }
    let scope = if scope.ends_with("/.default") {
        scope
    } else {
        format!("{scope}/.default")
    };
    Ok(Challenge {
        scope,
        tenant: tenant_of(&authorization),
    })
}

/// The tenant in `https://login.microsoftonline.com/<tenant>` (DSTSv2 authorities
/// put it second, after `dstsv2`), as Go's Key Vault client reads it.
fn tenant_of(authorization: &str) -> String {
    let path = match authorization.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map(|(_, p)| p).unwrap_or(""),
        None => authorization.split_once('/').map(|(_, p)| p).unwrap_or(""),
    };
    let mut parts = path.trim_matches('/').split('/');
    let first = parts.next().unwrap_or("").replace(',', "");
    if first.eq_ignore_ascii_case("dstsv2")
        && let Some(second) = parts.next()
    {
        return second.replace(',', "");
    }
    first
}

/// An error response as Go's `azcore.ResponseError` prints it (what sops shows): the
/// request line, status, error code and the body re-indented like Go's `json.Indent`.
pub(super) fn describe_error(method: &str, url: &str, resp: &Response) -> String {
    const SEPARATOR: &str =
        "--------------------------------------------------------------------------------";
    let json: serde_json::Value = serde_json::from_slice(&resp.body).unwrap_or_default();
    let code = json
        .get("error")
        .and_then(|e| e.get("code").or(Some(e)))
        .and_then(|c| c.as_str())
        .unwrap_or("");
    let url = url.split('?').next().unwrap_or(url);
    let reason = ureq::http::StatusCode::from_u16(resp.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut out = format!(
        "{method} {url}\n{SEPARATOR}\nRESPONSE {status}: {status} {reason}\n",
        status = resp.status
    );
    if code.is_empty() {
        out.push_str("ERROR CODE UNAVAILABLE\n");
    } else {
        out.push_str(&format!("ERROR CODE: {code}\n"));
    }
    out.push_str(SEPARATOR);
    out.push('\n');
    let body = String::from_utf8_lossy(&resp.body);
    if body.is_empty() {
        out.push_str("Response contained no body\n");
    } else {
        match go_json_indent(&body) {
            Some(indented) => out.push_str(&indented),
            None => out.push_str(&body),
        }
        out.push('\n');
    }
    out.push_str(SEPARATOR);
    out.push('\n');
    out
}

/// Go's `json.Indent(dst, src, "", "  ")`; `None` when `src` is not valid JSON.
fn go_json_indent(src: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(src).ok()?;
    let body = src.trim_start_matches([' ', '\t', '\r', '\n']);
    let trailing = body
        .get(body.trim_end_matches([' ', '\t', '\r', '\n']).len()..)
        .unwrap_or("");
    let mut out = String::with_capacity(body.len() * 2);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    let (mut depth, mut in_string, mut escaped, mut need_indent) = (0usize, false, false, false);
    for c in body.trim_end_matches([' ', '\t', '\r', '\n']).chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if matches!(c, ' ' | '\t' | '\r' | '\n') {
            continue;
        }
        if need_indent && c != '}' && c != ']' {
            newline(&mut out, depth);
            need_indent = false;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                depth += 1;
                need_indent = true;
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if need_indent {
                    need_indent = false;
                } else {
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out.push_str(trailing);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_kids() {
        assert_eq!(
            key_url("https://v.vault.azure.net/", "k 1", "abc", "encrypt"),
            "https://v.vault.azure.net/keys/k%201/abc/encrypt?api-version=7.6"
        );
        assert_eq!(
            key_url("https://v.vault.azure.net", "k", "", ""),
            "https://v.vault.azure.net/keys/k/?api-version=7.6"
        );
        assert_eq!(
            version_of_kid("https://v.vault.azure.net/keys/k/0123abc").as_deref(),
            Some("0123abc")
        );
        assert_eq!(version_of_kid("https://v.vault.azure.net/keys/k"), None);
        assert_eq!(version_of_kid("garbage"), None);
        assert_eq!(
            origin("https://127.0.0.1:8443/keys/x?y").unwrap(),
            (
                "https://127.0.0.1:8443".to_string(),
                "127.0.0.1:8443".to_string()
            )
        );
    }

    fn scope_from_challenge(header: &str, authority: &str) -> Result<String, String> {
        parse_challenge(header, authority).map(|c| c.scope)
    }

    #[test]
    fn challenge_tenants() {
        let h = "Bearer authorization=\"https://login.microsoftonline.com/72f988bf\", resource=\"https://vault.azure.net\"";
        assert_eq!(
            parse_challenge(h, "v.vault.azure.net").unwrap().tenant,
            "72f988bf"
        );
        assert_eq!(
            tenant_of("https://login.microsoftonline.com/dstsv2/t2/"),
            "t2"
        );
        assert_eq!(tenant_of("login.microsoftonline.com/t3"), "t3");
        assert_eq!(tenant_of(""), "");
    }

    #[test]
    fn challenges_are_parsed_and_verified_like_go() {
        let h = "Bearer authorization=\"https://login.microsoftonline.com/72f988bf\", resource=\"https://vault.azure.net\"";
        assert_eq!(
            scope_from_challenge(h, "myvault.vault.azure.net").unwrap(),
            "https://vault.azure.net/.default"
        );
        let h = "Bearer authorization=\"https://login.microsoftonline.com/t\" scope=\"https://vault.azure.net/.default\"";
        assert_eq!(
            scope_from_challenge(h, "x.vault.azure.net").unwrap(),
            "https://vault.azure.net/.default"
        );
        // A vault outside the resource's domain must not get a token for it.
        let err = scope_from_challenge(h, "evil.example.com").unwrap_err();
        assert!(err.contains("doesn't match the requested domain"), "{err}");
        assert!(scope_from_challenge(h, "vault.azure.net").is_err());
        assert!(scope_from_challenge("Bearer authorization=\"x\"", "a.b").is_err());
        // Ports are part of the comparison, as in Go.
        let h = "Bearer authorization=\"https://login/t\" resource=\"https://0.0.1:8443\"";
        assert_eq!(
            scope_from_challenge(h, "127.0.0.1:8443").unwrap(),
            "https://0.0.1:8443/.default"
        );
        assert!(scope_from_challenge(h, "127.0.0.1:9999").is_err());
    }

    #[test]
    fn transport_errors_read_like_go() {
        assert_eq!(
            go_transport_error("POST", "https://v/k", "POST https://v/k: io: refused"),
            "Post \"https://v/k\": io: refused"
        );
        assert_eq!(go_transport_error("GET", "u", "other"), "Get \"u\": other");
    }

    #[test]
    fn plain_http_vaults_are_refused_before_sending() {
        let err = call("POST", "http://127.0.0.1:9/keys/k/v/encrypt", Some(b"{}"))
            .err()
            .unwrap();
        assert!(err.contains("non TLS"), "{err}");
    }

    #[test]
    fn azure_error_bodies_are_described_like_go() {
        let resp = Response {
            status: 403,
            body: Zeroizing::new(
                br#"{"error":{"code":"Forbidden","message":"no keys encrypt permission","x":[],"y":[1, {}]}}"#.to_vec(),
            ),
        };
        let sep = "-".repeat(80);
        assert_eq!(
            describe_error("POST", "https://v/keys/k/1/encrypt?api-version=7.6", &resp),
            format!(
                "POST https://v/keys/k/1/encrypt\n{sep}\nRESPONSE 403: 403 Forbidden\nERROR CODE: Forbidden\n{sep}\n\
                 {{\n  \"error\": {{\n    \"code\": \"Forbidden\",\n    \"message\": \"no keys encrypt permission\",\n    \"x\": [],\n    \"y\": [\n      1,\n      {{}}\n    ]\n  }}\n}}\n{sep}\n"
            )
        );
        let resp = Response {
            status: 500,
            body: Zeroizing::new(b"oops".to_vec()),
        };
        assert!(describe_error("GET", "https://v/x", &resp).contains("ERROR CODE UNAVAILABLE\n"));
        assert_eq!(go_json_indent("[1,2] \n").unwrap(), "[\n  1,\n  2\n] \n");
        assert_eq!(
            go_json_indent("{\"a\\\"}\":\"b,{\"}").unwrap(),
            "{\n  \"a\\\"}\": \"b,{\"\n}"
        );
        assert!(go_json_indent("{").is_none());
    }
}
