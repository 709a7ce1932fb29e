//! Go RE2 regular expressions on top of the `regex` crate.
//!
//! The `regex` crate implements the same RE2 syntax, but its Perl classes are
//! Unicode-aware while Go's are ASCII-only: `\d` does not match `٣` in Go. sops
//! matches user-supplied regexes (`path_regex`, `encrypted_regex`, …) with Go
//! semantics, so the classes are rewritten to their ASCII definitions here.

use regex::Regex;

/// Compiles a Go RE2 pattern with Go's ASCII meaning of `\d \w \s \b` (and negations).
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&translate(pattern))
}

/// Rewrites Perl classes to their ASCII forms; everything else is passed through.
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let replacement = match (next, in_class) {
                    ('d', _) => Some("[0-9]"),
                    ('D', false) => Some("[^0-9]"),
                    ('w', _) => Some("[0-9A-Za-z_]"),
                    ('W', false) => Some("[^0-9A-Za-z_]"),
                    ('s', _) => Some("[\\t\\n\\f\\r ]"),
                    ('S', false) => Some("[^\\t\\n\\f\\r ]"),
                    ('b', false) => Some("(?-u:\\b)"),
                    ('B', false) => Some("(?-u:\\B)"),
                    _ => None,
                };
                match replacement {
                    Some(r) => out.push_str(r),
                    None => {
                        out.push('\\');
                        out.push(next);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                // A `]` right after `[` or `[^` is a literal, not the end of the class.
                let rest = chars.as_str();
                if let Some(r) = rest.strip_prefix('^') {
                    out.push('^');
                    chars = r.chars();
                }
                if chars.as_str().starts_with(']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            '[' if in_class && chars.as_str().starts_with(':') => {
                // POSIX class like [:alpha:] inside a bracket expression.
                out.push('[');
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perl_classes_are_ascii_as_in_go() {
        let re = compile(r"^\d+$").unwrap();
        assert!(re.is_match("123"));
        assert!(!re.is_match("١٢٣"));
        let re = compile(r"^\w+$").unwrap();
        assert!(re.is_match("a_1"));
        assert!(!re.is_match("é"));
        let re = compile(r"[\d_]x").unwrap();
        assert!(re.is_match("5x"));
        assert!(re.is_match("_x"));
        let re = compile(r"\bkey\b").unwrap();
        assert!(re.is_match("a key here"));
    }

    #[test]
    fn ordinary_patterns_pass_through() {
        let re = compile(r"^(password|top|parent)").unwrap();
        assert!(re.is_match("password_x"));
        let re = compile(r"\.yaml$").unwrap();
        assert!(re.is_match("a.yaml"));
        let re = compile(r"[]a]").unwrap();
        assert!(re.is_match("]"));
        let re = compile(r"[[:alpha:]]+").unwrap();
        assert!(re.is_match("abc"));
    }

    #[test]
    fn invalid_patterns_are_errors() {
        assert!(compile("(").is_err());
    }
}
