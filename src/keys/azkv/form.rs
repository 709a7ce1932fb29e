//! Percent-encoding for form bodies, query strings and URL path segments.
//!
//! A dozen lines instead of a URL crate: only unreserved characters pass unescaped.

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
}
