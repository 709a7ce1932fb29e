//! Master keys: wrapping and unwrapping the data key, key groups, decryption order (spec §5).
//!
//! Each key type lives in its own module. A key type sops-rs cannot use yet is
//! kept verbatim ([`UnsupportedKey`]) so that its metadata survives a rewrite and
//! the error says which type is missing.

pub mod age;
pub mod pgp;

use crate::datakey::DataKey;
use crate::error::{Error, Result};
use crate::tree::Map;
use zeroize::Zeroizing;

/// One master key entry of the metadata.
pub enum MasterKey {
    /// An age recipient (X25519, SSH or plugin).
    Age(age::AgeKey),
    /// A key type that is stored but not usable yet (pgp, kms, gcp_kms, azure_kv, hc_vault).
    Unsupported(UnsupportedKey),
}

/// A master key of a type sops-rs does not implement yet, kept as read.
pub struct UnsupportedKey {
    /// The metadata list it came from: `pgp`, `kms`, `gcp_kms`, `azure_kv`, `hc_vault`.
    pub type_name: String,
    /// Its fields exactly as read, in file order.
    pub fields: Map,
}

/// Keys that each wrap the same data key (or the same Shamir share).
#[derive(Default)]
pub struct KeyGroup {
    /// The keys, in metadata order.
    pub keys: Vec<MasterKey>,
}

impl MasterKey {
    /// The metadata type id: `age`, `pgp`, `kms`, `gcp_kms`, `azure_kv`, `hc_vault`.
    pub fn type_name(&self) -> &str {
        match self {
            MasterKey::Age(_) => "age",
            MasterKey::Unsupported(k) => &k.type_name,
        }
    }

    /// What identifies the key to a user: recipient, fingerprint, ARN, URL.
    pub fn identifier(&self) -> String {
        match self {
            MasterKey::Age(k) => k.recipient().to_string(),
            MasterKey::Unsupported(k) => unsupported_identifier(k),
        }
    }

    /// Wraps `data_key` (or a share) and stores the result in the key.
    pub fn encrypt(&mut self, data_key: &[u8]) -> Result<()> {
        match self {
            MasterKey::Age(k) => k.encrypt(data_key),
            MasterKey::Unsupported(k) => Err(Error::Other(format!(
                "{} master keys are not supported by sops-rs yet",
                k.type_name
            ))),
        }
    }

    /// Unwraps the stored data key (or share).
    pub fn decrypt(&self) -> Result<Zeroizing<Vec<u8>>> {
        match self {
            MasterKey::Age(k) => k.decrypt(),
            MasterKey::Unsupported(k) => Err(Error::Other(format!(
                "{} master keys are not supported by sops-rs yet",
                k.type_name
            ))),
        }
    }

    /// The key's metadata entry, fields in sops's order (spec §4.1).
    pub fn to_metadata(&self) -> Map {
        match self {
            MasterKey::Age(k) => k.to_metadata(),
            MasterKey::Unsupported(k) => k.fields.clone(),
        }
    }

    /// Reads one entry of the metadata list `type_name`.
    pub fn from_metadata(type_name: &str, entry: &Map) -> Result<MasterKey> {
        match type_name {
            "age" => Ok(MasterKey::Age(age::AgeKey::from_metadata(entry)?)),
            other => Ok(MasterKey::Unsupported(UnsupportedKey {
                type_name: other.to_string(),
                fields: entry.clone(),
            })),
        }
    }
}

fn unsupported_identifier(k: &UnsupportedKey) -> String {
    let field = match k.type_name.as_str() {
        "pgp" => "fp",
        "kms" => "arn",
        "gcp_kms" => "resource_id",
        "azure_kv" => "vault_url",
        "hc_vault" => "vault_address",
        _ => "",
    };
    match k.fields.get(field) {
        Some(crate::tree::Value::Str(s)) => s.to_string(),
        _ => k.type_name.clone(),
    }
}

/// The order in which key types are tried when decrypting (`--decryption-order`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptionOrder(pub Vec<String>);

impl Default for DecryptionOrder {
    /// age and PGP first, then the cloud keys in stored order.
    fn default() -> Self {
        DecryptionOrder(vec!["age".into(), "pgp".into()])
    }
}

impl DecryptionOrder {
    /// Parses a comma-separated list of key type ids; a repeated id is an error (exit 112).
    pub fn parse(s: &str) -> Result<Self> {
        let mut out: Vec<String> = Vec::new();
        for id in s.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if out.iter().any(|o| o == id) {
                return Err(Error::DuplicateDecryptionKeyType(id.to_string()));
            }
            out.push(id.to_string());
        }
        Ok(DecryptionOrder(out))
    }
}

/// Wraps `data_key` with every key of every group. One group: every key wraps the
/// whole key. Several groups: the key is split with Shamir (`threshold` of them needed).
pub fn wrap_data_key(groups: &mut [KeyGroup], threshold: usize, data_key: &DataKey) -> Result<()> {
    let _ = (groups, threshold, data_key);
    Err(Error::Other("wrap_data_key: not built yet".into()))
}

/// Recovers the data key: each group tries its keys in `order` until one works;
/// on failure the error is the full per-group report sops prints (exit 128).
pub fn recover_data_key(
    groups: &[KeyGroup],
    threshold: usize,
    order: &DecryptionOrder,
) -> Result<DataKey> {
    let _ = (groups, threshold, order);
    Err(Error::Other("recover_data_key: not built yet".into()))
}
