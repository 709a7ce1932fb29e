//! Vault key URIs read the way sops reads them: Go's `net/url` parsing rules, sops's two
//! path regexes and Go's `path.Join`, so a URI gives the same address, engine path and key
//! name (and the same errors) in both tools.

use crate::keys::age::gocompat::quote;
use std::sync::LazyLock;

/// sops's example of a good URI, repeated in its errors.
const EXAMPLE: &str = "https://vault.example.com:8200/v1/transit/keys/keyName";

/// A path with a segment before `/v1/` (a reverse-proxy prefix) that sops refuses.
static PREFIXED: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| regex::Regex::new(r"/[^/]+/v[0-9]+/[^/]+/[^/]+/[^/]+").ok());
/// The shape every key path must contain.
static WELL_FORMED: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| regex::Regex::new(r"/v[0-9]+/[^/]+/[^/]+/[^/]+").ok());

/// What a key URI names: the server address (scheme, host and anything Go keeps after
/// clearing the path), the transit engine path and the key name.
#[derive(Debug, PartialEq, Eq)]
pub struct KeyUri {
    /// `https://vault.example.com:8200`.
    pub address: String,
    /// `transit` (may contain slashes).
    pub engine_path: String,
    /// `keyName`.
    pub key_name: String,
}

/// Parses `https://host:port/v1/<engine path>/keys/<key name>` with sops's errors.
pub fn parse_key_uri(uri: &str) -> Result<KeyUri, String> {
    let url = GoUrl::parse(uri)?;
    if url.scheme.is_empty() {
        return Err(format!(
            "missing scheme in Vault URL (should be like this: +{EXAMPLE}), got: {uri}"
        ));
    }
    let (engine_path, key_name) = engine_and_key(&url.request_uri())?;
    Ok(KeyUri {
        address: url.without_path(),
        engine_path,
        key_name,
    })
}

fn engine_and_key(full_path: &str) -> Result<(String, String), String> {
    let matches =
        |re: &LazyLock<Option<regex::Regex>>| re.as_ref().is_some_and(|re| re.is_match(full_path));
    if matches(&PREFIXED) {
        return Err(format!(
            "running Vault with a prefixed URL is not supported! (Format has to be like {EXAMPLE})"
        ));
    }
    if !matches(&WELL_FORMED) {
        return Err(format!(
            "vault path does not seem to be formatted correctly: (eg. {EXAMPLE})"
        ));
    }
    let dirs: Vec<&str> = full_path.trim_matches('/').split('/').collect();
    let key_name = dirs.last().copied().unwrap_or_default().to_string();
    let engine = dirs
        .get(1..dirs.len().saturating_sub(2))
        .unwrap_or_default();
    Ok((path_join(engine), key_name))
}

/// Go's `path.Join`: the non-empty elements joined with `/` and cleaned; `""` when all are empty.
pub fn path_join(elems: &[&str]) -> String {
    match elems.iter().position(|e| !e.is_empty()) {
        Some(i) => clean(&elems.get(i..).unwrap_or_default().join("/")),
        None => String::new(),
    }
}

/// Go's `path.Clean` (lexical: `.`/`..`/repeated slashes).
fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|s| *s != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    let body = out.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// Go's `url.PathEscape`-like escaping of a request path (`shouldEscape(c, encodePath)`).
pub fn escape_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The parts of a URL as Go's `url.Parse` splits them (only what key URIs need).
#[derive(Debug, Default)]
pub struct GoUrl {
    /// Lower-cased scheme, `""` when there is none.
    pub scheme: String,
    /// Everything after `scheme:` when it does not start with `/`.
    pub opaque: String,
    /// `user@host:port` (with `//` present).
    pub authority: Option<String>,
    /// The path as written.
    pub path: String,
    /// After `?`.
    pub query: Option<String>,
    /// After `#`.
    pub fragment: Option<String>,
}

impl GoUrl {
    /// Splits `raw` like Go's `url.Parse`; errors are `parse "<raw>": <why>`.
    pub fn parse(raw: &str) -> Result<GoUrl, String> {
        let fail = |why: String| format!("parse {}: {why}", quote(raw));
        if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err(fail("net/url: invalid control character in URL".into()));
        }
        let mut url = GoUrl::default();
        let (rest, fragment) = match raw.split_once('#') {
            Some((r, f)) => (r, Some(f.to_string())),
            None => (raw, None),
        };
        url.fragment = fragment;
        let rest = match scheme_split(rest) {
            SchemeSplit::Scheme(s, r) => {
                url.scheme = s.to_ascii_lowercase();
                r
            }
            SchemeSplit::NoScheme => rest,
            SchemeSplit::Missing => return Err(fail("missing protocol scheme".into())),
        };
        let rest = if rest.ends_with('?') && rest.matches('?').count() == 1 {
            url.query = Some(String::new());
            rest.trim_end_matches('?')
        } else {
            match rest.split_once('?') {
                Some((r, q)) => {
                    url.query = Some(q.to_string());
                    r
                }
                None => rest,
            }
        };
        if !rest.starts_with('/') {
            if !url.scheme.is_empty() {
                url.opaque = rest.to_string();
                return Ok(url);
            }
            let first = rest.split('/').next().unwrap_or_default();
            if first.contains(':') {
                return Err(fail(
                    "first path segment in URL cannot contain colon".into(),
                ));
            }
        }
        let mut path = rest;
        if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let after = rest.get(2..).unwrap_or_default();
            let (authority, p) = match after.find('/') {
                Some(i) => after.split_at(i),
                None => (after, ""),
            };
            check_authority(authority).map_err(fail)?;
            url.authority = Some(authority.to_string());
            path = p;
        }
        url.path = path.to_string();
        Ok(url)
    }

    /// Go's `URL.RequestURI`: the path (or opaque part) and the query.
    pub fn request_uri(&self) -> String {
        let mut out = if self.opaque.is_empty() {
            let p = escape_path_kept(&self.path);
            if p.is_empty() { "/".to_string() } else { p }
        } else if self.opaque.starts_with("//") {
            format!("{}:{}", self.scheme, self.opaque)
        } else {
            self.opaque.clone()
        };
        if let Some(q) = &self.query {
            out.push('?');
            out.push_str(q);
        }
        out
    }

    /// Go's `URL.String` after `u.Path = ""` (what sops stores as `vault_address`).
    pub fn without_path(&self) -> String {
        let mut out = String::new();
        if !self.scheme.is_empty() {
            out.push_str(&self.scheme);
            out.push(':');
        }
        if !self.opaque.is_empty() {
            out.push_str(&self.opaque);
        } else if let Some(a) = &self.authority {
            out.push_str("//");
            out.push_str(a);
        }
        if let Some(q) = &self.query {
            out.push('?');
            out.push_str(q);
        }
        if let Some(f) = &self.fragment {
            out.push('#');
            out.push_str(f);
        }
        out
    }
}

/// A path as Go re-emits it: kept when it is a valid encoding, else escaped.
fn escape_path_kept(p: &str) -> String {
    let valid = p
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.~!$&'()*+,;=:@[]/%".contains(&b));
    if valid { p.to_string() } else { escape_path(p) }
}

enum SchemeSplit<'a> {
    Scheme(&'a str, &'a str),
    NoScheme,
    Missing,
}

/// Go's `getScheme`.
fn scheme_split(raw: &str) -> SchemeSplit<'_> {
    for (i, c) in raw.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' => {
                if i == 0 {
                    return SchemeSplit::NoScheme;
                }
            }
            ':' => {
                if i == 0 {
                    return SchemeSplit::Missing;
                }
                return SchemeSplit::Scheme(
                    raw.get(..i).unwrap_or_default(),
                    raw.get(i + 1..).unwrap_or_default(),
                );
            }
            _ => return SchemeSplit::NoScheme,
        }
    }
    SchemeSplit::NoScheme
}

/// The host checks of Go's `parseHost` that matter for key URIs.
fn check_authority(authority: &str) -> Result<(), String> {
    let host = match authority.rfind('@') {
        Some(i) => authority.get(i + 1..).unwrap_or_default(),
        None => authority,
    };
    if let Some(inner) = host.strip_prefix('[') {
        let Some(end) = inner.find(']') else {
            return Err("missing ']' in host".into());
        };
        let port = inner.get(end + 1..).unwrap_or_default();
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", quote(port)));
        }
        return Ok(());
    }
    if let Some(i) = host.rfind(':') {
        let port = host.get(i..).unwrap_or_default();
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", quote(port)));
        }
    }
    Ok(())
}

fn valid_optional_port(port: &str) -> bool {
    match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(uri: &str) -> (String, String, String) {
        let k = parse_key_uri(uri).unwrap();
        (k.address, k.engine_path, k.key_name)
    }

    fn s(a: &str, b: &str, c: &str) -> (String, String, String) {
        (a.into(), b.into(), c.into())
    }

    /// Results observed with the sops 3.11.0 reference binary.
    #[test]
    fn uris_split_like_sops() {
        assert_eq!(
            ok("https://vault.example.com:8200/v1/transit/keys/dev"),
            s("https://vault.example.com:8200", "transit", "dev")
        );
        assert_eq!(
            ok("http://127.0.0.1:8200/v1/sops/keys/firstkey"),
            s("http://127.0.0.1:8200", "sops", "firstkey")
        );
        assert_eq!(
            ok("https://v/v1/team/a/transit/keys/k"),
            s("https://v", "team/a/transit", "k")
        );
        assert_eq!(
            ok("HTTP://127.0.0.1:18200/v1/sops/keys/firstkey?x=1#frag"),
            s("http://127.0.0.1:18200?x=1#frag", "sops", "firstkey?x=1")
        );
        assert_eq!(
            ok("http://127.0.0.1:18200//v1/a/../b/keys/k/"),
            s("http://127.0.0.1:18200", "b", "k")
        );
    }

    #[test]
    fn bad_uris_fail_with_sops_messages() {
        let err = |u: &str| parse_key_uri(u).unwrap_err();
        assert_eq!(
            err("vault.example.com/v1/transit/keys/k"),
            "missing scheme in Vault URL (should be like this: +https://vault.example.com:8200/v1/transit/keys/keyName), got: vault.example.com/v1/transit/keys/k"
        );
        assert_eq!(
            err("https://v:8200/prefix/v1/transit/keys/k"),
            "running Vault with a prefixed URL is not supported! (Format has to be like https://vault.example.com:8200/v1/transit/keys/keyName)"
        );
        assert_eq!(
            err("https://v:8200/v1/transit/k"),
            "vault path does not seem to be formatted correctly: (eg. https://vault.example.com:8200/v1/transit/keys/keyName)"
        );
        assert_eq!(
            err("http://[::1"),
            "parse \"http://[::1\": missing ']' in host"
        );
        assert_eq!(
            err("https://v:x/v1/t/keys/k"),
            "parse \"https://v:x/v1/t/keys/k\": invalid port \":x\" after host"
        );
        assert_eq!(
            err("127.0.0.1:8200/v1/t/keys/k"),
            "parse \"127.0.0.1:8200/v1/t/keys/k\": first path segment in URL cannot contain colon"
        );
        assert!(err(":foo").contains("missing protocol scheme"));
        assert!(err("http://h/v1/a/keys/k\n").contains("invalid control character"));
    }

    #[test]
    fn path_helpers_match_go() {
        assert_eq!(path_join(&["sops", "encrypt", "k"]), "sops/encrypt/k");
        assert_eq!(path_join(&["", "a", "", "b"]), "a/b");
        assert_eq!(path_join(&["a", "..", ".."]), "..");
        assert_eq!(path_join(&["", ""]), "");
        assert_eq!(path_join(&["/v1/", "x/./y"]), "/v1/x/y");
        assert_eq!(escape_path("/v1/a b/k?x#y"), "/v1/a%20b/k%3Fx%23y");
        assert_eq!(
            escape_path("/v1/t/encrypt/k-1_2.3~"),
            "/v1/t/encrypt/k-1_2.3~"
        );
    }
}
