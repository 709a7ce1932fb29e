//! Which values get encrypted: the six selection rules and the comment stack (spec §2).

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
