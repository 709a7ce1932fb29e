//! Go RE2 regular expressions on top of the `regex` crate.
//!
//! The `regex` crate implements the same RE2 syntax, but its Perl classes are
//! Unicode-aware while Go's are ASCII-only: `\d` does not match `٣` in Go. sops
//! matches user-supplied regexes (`path_regex`, `encrypted_regex`, …) with Go
//! semantics, so the classes are rewritten to their ASCII definitions here.

use regex::Regex;

/// Compiles a Go RE2 pattern with Go's ASCII meaning of `\d \w \s \b` (and negations).
/// The translation is shared with the selection rules (`selection::translate_go_regex`),
/// so `.sops.yaml` paths and key regexes mean the same thing; unlike there, a pattern that
/// does not compile is an error here, so the config can name the rule and field.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&crate::selection::translate_go_regex(pattern))
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
