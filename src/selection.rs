//! Which values get encrypted: the six selection rules and the comment stack (spec §2).
//!
//! Regexes are compiled once per file with the `regex` crate (same RE2 family
//! as Go's `regexp`, linear time); Go's ASCII-only `\d \w \s \b` are rewritten
//! to explicit ASCII classes first. Each path component and each comment is
//! matched once, when the walk reaches it, and the walk carries the results,
//! so deciding a leaf costs O(1) however deep or long the file is.

use regex::Regex;

/// The one selection rule a file may carry (spec §2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectionRule {
    /// Leave clear any value with a path component ending in the suffix (default `_unencrypted`).
    UnencryptedSuffix(String),
    /// Encrypt only values with a path component ending in the suffix.
    EncryptedSuffix(String),
    /// Leave clear any value with a path component matching the regex.
    UnencryptedRegex(String),
    /// Encrypt only values with a path component matching the regex.
    EncryptedRegex(String),
    /// Leave clear values under a comment matching the regex.
    UnencryptedCommentRegex(String),
    /// Encrypt only values under a comment matching the regex.
    EncryptedCommentRegex(String),
}

/// The default rule sops writes and assumes.
pub const DEFAULT_UNENCRYPTED_SUFFIX: &str = "_unencrypted";

impl SelectionRule {
    /// The metadata key of this rule (`unencrypted_suffix`, …).
    pub fn field_name(&self) -> &'static str {
        match self {
            SelectionRule::UnencryptedSuffix(_) => "unencrypted_suffix",
            SelectionRule::EncryptedSuffix(_) => "encrypted_suffix",
            SelectionRule::UnencryptedRegex(_) => "unencrypted_regex",
            SelectionRule::EncryptedRegex(_) => "encrypted_regex",
            SelectionRule::UnencryptedCommentRegex(_) => "unencrypted_comment_regex",
            SelectionRule::EncryptedCommentRegex(_) => "encrypted_comment_regex",
        }
    }

    /// The suffix or regex text.
    pub fn pattern(&self) -> &str {
        match self {
            SelectionRule::UnencryptedSuffix(s)
            | SelectionRule::EncryptedSuffix(s)
            | SelectionRule::UnencryptedRegex(s)
            | SelectionRule::EncryptedRegex(s)
            | SelectionRule::UnencryptedCommentRegex(s)
            | SelectionRule::EncryptedCommentRegex(s) => s,
        }
    }

    /// Builds the rule stored under metadata key `field` (`None` for other keys).
    pub fn from_field(field: &str, pattern: String) -> Option<SelectionRule> {
        Some(match field {
            "unencrypted_suffix" => SelectionRule::UnencryptedSuffix(pattern),
            "encrypted_suffix" => SelectionRule::EncryptedSuffix(pattern),
            "unencrypted_regex" => SelectionRule::UnencryptedRegex(pattern),
            "encrypted_regex" => SelectionRule::EncryptedRegex(pattern),
            "unencrypted_comment_regex" => SelectionRule::UnencryptedCommentRegex(pattern),
            "encrypted_comment_regex" => SelectionRule::EncryptedCommentRegex(pattern),
            _ => return None,
        })
    }

    /// The warning sops logs (`[CMD]`, level warning) when this rule is given
    /// for a binary input, where it is ignored; sops says nothing for
    /// `unencrypted_comment_regex`.
    pub fn binary_store_warning(&self) -> Option<String> {
        let what = match self {
            SelectionRule::UnencryptedSuffix(_) => "an unencrypted suffix",
            SelectionRule::EncryptedSuffix(_) => "an encrypted suffix",
            SelectionRule::UnencryptedRegex(_) => "an unencrypted regex",
            SelectionRule::EncryptedRegex(_) => "an encrypted regex",
            SelectionRule::EncryptedCommentRegex(_) => {
                return Some("Using an encrypted comment regex does not make sense with the input store (the binary store never produces comments) and will be ignored.".into());
            }
            SelectionRule::UnencryptedCommentRegex(_) => return None,
        };
        Some(format!(
            "Using {what} does not make sense with the input store (the binary store produces one key that should always be encrypted) and will be ignored."
        ))
    }

    /// The metadata keys of all six rules, in the order sops writes them.
    pub const FIELDS: [&'static str; 6] = [
        "unencrypted_suffix",
        "encrypted_suffix",
        "unencrypted_regex",
        "encrypted_regex",
        "unencrypted_comment_regex",
        "encrypted_comment_regex",
    ];
}

/// A compiled rule, ready for the walk.
pub struct Selector {
    kind: Kind,
}

enum Kind {
    /// No rule: everything is encrypted (binary store).
    All,
    UnencryptedSuffix(String),
    EncryptedSuffix(String),
    /// `None` = the regex did not compile: it matches nothing.
    UnencryptedRegex(Option<Regex>),
    EncryptedRegex(Option<Regex>),
    UnencryptedComment(Option<Regex>),
    EncryptedComment(Option<Regex>),
}

impl Selector {
    /// Compiles `rule`; `None` encrypts everything. An empty pattern is no rule, as in sops.
    pub fn new(rule: Option<&SelectionRule>) -> Selector {
        let kind = match rule {
            None => Kind::All,
            Some(r) if r.pattern().is_empty() => Kind::All,
            Some(SelectionRule::UnencryptedSuffix(s)) => Kind::UnencryptedSuffix(s.clone()),
            Some(SelectionRule::EncryptedSuffix(s)) => Kind::EncryptedSuffix(s.clone()),
            Some(SelectionRule::UnencryptedRegex(s)) => Kind::UnencryptedRegex(go_regex(s)),
            Some(SelectionRule::EncryptedRegex(s)) => Kind::EncryptedRegex(go_regex(s)),
            Some(SelectionRule::UnencryptedCommentRegex(s)) => {
                Kind::UnencryptedComment(go_regex(s))
            }
            Some(SelectionRule::EncryptedCommentRegex(s)) => Kind::EncryptedComment(go_regex(s)),
        };
        Selector { kind }
    }

    /// Whether the walk must keep a comment stack (only the comment rules read it).
    pub fn uses_comments(&self) -> bool {
        matches!(
            self.kind,
            Kind::UnencryptedComment(_) | Kind::EncryptedComment(_)
        )
    }

    /// Whether the rule is `unencrypted_comment_regex`.
    pub fn is_unencrypted_comment_rule(&self) -> bool {
        matches!(self.kind, Kind::UnencryptedComment(_))
    }

    /// Whether one map key (path component) matches the path rule.
    pub fn key_matches(&self, key: &str) -> bool {
        match &self.kind {
            Kind::UnencryptedSuffix(s) | Kind::EncryptedSuffix(s) => key.ends_with(s.as_str()),
            Kind::UnencryptedRegex(r) | Kind::EncryptedRegex(r) => {
                r.as_ref().is_some_and(|r| r.is_match(key))
            }
            _ => false,
        }
    }

    /// Whether a comment text matches the comment rule.
    pub fn comment_matches(&self, comment: &str) -> bool {
        match &self.kind {
            Kind::UnencryptedComment(r) | Kind::EncryptedComment(r) => {
                r.as_ref().is_some_and(|r| r.is_match(comment))
            }
            _ => false,
        }
    }

    /// Decides a leaf: `path_matched` = some component of its path matched
    /// [`Selector::key_matches`]; `comments` = the active comment stack.
    pub fn should_encrypt(
        &self,
        path_matched: bool,
        comments: &CommentStack,
        is_comment: bool,
    ) -> bool {
        match &self.kind {
            Kind::All => true,
            Kind::UnencryptedSuffix(_) | Kind::UnencryptedRegex(_) => !path_matched,
            Kind::EncryptedSuffix(_) | Kind::EncryptedRegex(_) => path_matched,
            Kind::UnencryptedComment(_) => !comments.any_match(false),
            Kind::EncryptedComment(_) => comments.any_match(is_comment),
        }
    }
}

/// The active comments per nesting level (spec §2.2), kept as match results.
#[derive(Default)]
pub struct CommentStack {
    levels: Vec<Vec<bool>>,
}

impl CommentStack {
    /// Entering a map or list.
    pub fn push_level(&mut self) {
        self.levels.push(Vec::new());
    }

    /// Leaving a map or list.
    pub fn pop_level(&mut self) {
        self.levels.pop();
    }

    /// A comment was met in the current level; `matched` = it matches the rule.
    pub fn add(&mut self, matched: bool) {
        if let Some(level) = self.levels.last_mut() {
            level.push(matched);
        }
    }

    /// A non-comment item was processed: the current level's comments are spent.
    pub fn clear_level(&mut self) {
        if let Some(level) = self.levels.last_mut() {
            level.clear();
        }
    }

    /// Whether any active comment matched; with `skip_own`, the last comment of
    /// the innermost level (the comment being decided) does not count.
    fn any_match(&self, skip_own: bool) -> bool {
        let last = self.levels.len().saturating_sub(1);
        self.levels.iter().enumerate().any(|(i, level)| {
            let n = if skip_own && i == last {
                level.len().saturating_sub(1)
            } else {
                level.len()
            };
            level.iter().take(n).any(|m| *m)
        })
    }
}

/// Compiles a Go RE2 pattern; `None` when it does not compile (sops ignores the
/// error, so such a rule matches nothing).
pub fn go_regex(pattern: &str) -> Option<Regex> {
    Regex::new(&translate_go_regex(pattern)).ok()
}

/// Rewrites the places where Go's regexp syntax means something else in the
/// `regex` crate: Perl classes and `\b` are ASCII-only in Go, and inside a
/// bracket expression Go treats `[`, `&&`, `~~` literally where the crate
/// would nest classes or apply set operations.
pub(crate) fn translate_go_regex(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    // Position inside the class, to know whether `]`/`^` are literal.
    let mut class_len = 0usize;
    while let Some(c) = chars.next() {
        if c == '\\' {
            let Some(e) = chars.next() else {
                out.push('\\');
                break;
            };
            let rewritten = match (e, in_class) {
                ('d', false) => Some("[0-9]"),
                ('D', false) => Some("[^0-9]"),
                ('w', false) => Some("[0-9A-Za-z_]"),
                ('W', false) => Some("[^0-9A-Za-z_]"),
                ('s', false) => Some("[\\t\\n\\f\\r ]"),
                ('S', false) => Some("[^\\t\\n\\f\\r ]"),
                ('b', false) => Some("(?-u:\\b)"),
                ('B', false) => Some("(?-u:\\B)"),
                ('d', true) => Some("0-9"),
                ('D', true) => Some("[^0-9]"),
                ('w', true) => Some("0-9A-Za-z_"),
                ('W', true) => Some("[^0-9A-Za-z_]"),
                ('s', true) => Some("\\t\\n\\f\\r "),
                ('S', true) => Some("[^\\t\\n\\f\\r ]"),
                _ => None,
            };
            match rewritten {
                Some(r) => out.push_str(r),
                None => {
                    out.push('\\');
                    out.push(e);
                }
            }
            if in_class {
                class_len += 1;
            }
            continue;
        }
        if in_class {
            match c {
                ']' if class_len > 0 => {
                    in_class = false;
                    out.push(']');
                    continue;
                }
                '^' if class_len == 0 => {
                    out.push('^');
                    continue;
                }
                '[' if chars.peek() == Some(&':') => {
                    // A POSIX class `[:alpha:]`: copy it whole.
                    out.push('[');
                    for d in chars.by_ref() {
                        out.push(d);
                        if d == ']' {
                            break;
                        }
                    }
                }
                '[' | '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
            class_len += 1;
            continue;
        }
        if c == '[' {
            in_class = true;
            class_len = 0;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(rule: &SelectionRule, path: &[&str]) -> bool {
        let s = Selector::new(Some(rule));
        let matched = path.iter().any(|k| s.key_matches(k));
        s.should_encrypt(matched, &CommentStack::default(), false)
    }

    #[test]
    fn suffix_rules_use_any_component() {
        let r = SelectionRule::UnencryptedSuffix("_unencrypted".into());
        assert!(decide(&r, &["a", "b"]));
        assert!(!decide(&r, &["parent_unencrypted", "child"]));
        assert!(!decide(&r, &["a", "x_unencrypted"]));
        let r = SelectionRule::EncryptedSuffix("_enc".into());
        assert!(!decide(&r, &["a"]));
        assert!(decide(&r, &["a_enc", "b"]));
        assert!(!decide(&r, &[]), "top-level comments have an empty path");
    }

    #[test]
    fn regex_rules_search_unanchored() {
        let r = SelectionRule::EncryptedRegex("^(password|top|parent)".into());
        assert!(decide(&r, &["parent_unencrypted", "child"]));
        assert!(!decide(&r, &["data"]));
        let r = SelectionRule::UnencryptedRegex("ata".into());
        assert!(!decide(&r, &["data"]));
        assert!(decide(&r, &["key"]));
    }

    #[test]
    fn invalid_regex_matches_nothing() {
        assert!(!decide(&SelectionRule::EncryptedRegex("(".into()), &["a"]));
        assert!(decide(&SelectionRule::UnencryptedRegex("(".into()), &["a"]));
    }

    #[test]
    fn perl_classes_are_ascii_like_go() {
        let r = go_regex(r"^\d+$").unwrap();
        assert!(r.is_match("123"));
        assert!(!r.is_match("١٢٣"), "Arabic-Indic digits are not \\d in Go");
        let r = go_regex(r"^\w+$").unwrap();
        assert!(!r.is_match("é"));
        let r = go_regex(r"^[\w-]+$").unwrap();
        assert!(r.is_match("a-b_c"));
        assert!(!r.is_match("aé"));
        let r = go_regex(r"\bkey\b").unwrap();
        assert!(r.is_match("a key here"));
        let r = go_regex(r"^[\S]+$").unwrap();
        assert!(r.is_match("ab"));
        assert!(!r.is_match("a b"));
        assert!(
            !go_regex(r"\s").unwrap().is_match("\u{b}"),
            "Go \\s excludes \\v"
        );
        // Escaped backslash followed by `d` is a literal backslash and `d`.
        assert!(go_regex(r"^\\d$").unwrap().is_match("\\d"));
    }

    #[test]
    fn bracket_literals_like_go() {
        let r = go_regex("^[a[]+$").unwrap();
        assert!(r.is_match("a[a"));
        let r = go_regex("^[&&x]+$").unwrap();
        assert!(r.is_match("&x&"));
        let r = go_regex("^[]a]+$").unwrap();
        assert!(r.is_match("]a"));
        let r = go_regex("^[[:alpha:]]+$").unwrap();
        assert!(r.is_match("abc"));
        assert!(!r.is_match("a1"));
    }

    #[test]
    fn comment_stack_rules() {
        let enc = Selector::new(Some(&SelectionRule::EncryptedCommentRegex(
            "sops:enc".into(),
        )));
        let mut st = CommentStack::default();
        st.push_level();
        // The marker comment itself stays clear…
        st.add(enc.comment_matches(" sops:enc"));
        assert!(!enc.should_encrypt(false, &st, true));
        // …a following comment in the same run is encrypted, and so is the next value.
        st.add(enc.comment_matches(" other"));
        assert!(enc.should_encrypt(false, &st, true));
        assert!(enc.should_encrypt(false, &st, false));
        st.clear_level();
        assert!(!enc.should_encrypt(false, &st, false));
        // Parent levels count for nested values.
        st.add(true);
        st.push_level();
        assert!(enc.should_encrypt(false, &st, false));
        st.pop_level();

        let unenc = Selector::new(Some(&SelectionRule::UnencryptedCommentRegex(
            "sops:plain".into(),
        )));
        let mut st = CommentStack::default();
        st.push_level();
        st.add(unenc.comment_matches(" sops:plain"));
        assert!(!unenc.should_encrypt(false, &st, true), "matches itself");
        assert!(!unenc.should_encrypt(false, &st, false));
        st.clear_level();
        assert!(unenc.should_encrypt(false, &st, false));
    }

    /// Texts logged by sops 3.11.0 for `sops -e --<rule> x file.txt`.
    #[test]
    fn binary_store_warnings() {
        assert_eq!(
            SelectionRule::EncryptedRegex("x".into())
                .binary_store_warning()
                .unwrap(),
            "Using an encrypted regex does not make sense with the input store (the binary store produces one key that should always be encrypted) and will be ignored."
        );
        assert_eq!(
            SelectionRule::EncryptedCommentRegex("x".into())
                .binary_store_warning()
                .unwrap(),
            "Using an encrypted comment regex does not make sense with the input store (the binary store never produces comments) and will be ignored."
        );
        assert!(
            SelectionRule::UnencryptedCommentRegex("x".into())
                .binary_store_warning()
                .is_none()
        );
    }

    #[test]
    fn empty_pattern_is_no_rule() {
        let s = Selector::new(Some(&SelectionRule::EncryptedSuffix(String::new())));
        assert!(s.should_encrypt(false, &CommentStack::default(), false));
        assert!(Selector::new(None).should_encrypt(false, &CommentStack::default(), true));
    }
}
