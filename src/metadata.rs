//! The `sops` metadata block: fields, order, omission rules, reading and writing (spec §4).

use crate::keys::KeyGroup;
use crate::selection::SelectionRule;

/// Everything in a file's `sops` entry.
pub struct Metadata {
    /// Key groups; one group is written flat, several as `key_groups`.
    pub key_groups: Vec<KeyGroup>,
    /// Shamir threshold; 0 = not written.
    pub shamir_threshold: usize,
    /// `lastmodified`, RFC 3339 as stored.
    pub last_modified: String,
    /// The encrypted MAC (`ENC[…,type:str]`), or empty.
    pub mac: String,
    /// The selection rule; `None` for binary files (nothing written).
    pub rule: Option<SelectionRule>,
    /// `mac_only_encrypted`.
    pub mac_only_encrypted: bool,
    /// `version`.
    pub version: String,
}
