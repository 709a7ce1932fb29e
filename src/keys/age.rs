//! age master keys: recipients, the armored `enc` block, identity discovery (spec §5.3).

use crate::error::{Error, Result};
use crate::tree::Map;
use zeroize::Zeroizing;

/// One `age` metadata entry: a recipient and the data key encrypted to it.
pub struct AgeKey {
    recipient: String,
    enc: String,
}

impl AgeKey {
    /// A key for `recipient` (`age1…`, `ssh-ed25519 …`, `ssh-rsa …`, plugin); checks the syntax.
    pub fn new(recipient: &str) -> Result<AgeKey> {
        Ok(AgeKey {
            recipient: recipient.trim().to_string(),
            enc: String::new(),
        })
    }

    /// The recipient string as stored.
    pub fn recipient(&self) -> &str {
        &self.recipient
    }

    /// Encrypts `data_key` to the recipient as an armored age file.
    pub fn encrypt(&mut self, data_key: &[u8]) -> Result<()> {
        let _ = data_key;
        Err(Error::Other("age: not built yet".into()))
    }

    /// Decrypts the stored `enc` with the identities found in the environment.
    pub fn decrypt(&self) -> Result<Zeroizing<Vec<u8>>> {
        let _ = &self.enc;
        Err(Error::Other("age: not built yet".into()))
    }

    /// `{recipient, enc}`.
    pub fn to_metadata(&self) -> Map {
        let mut m = Map::new();
        m.push("recipient", crate::tree::Value::str(self.recipient.clone()));
        m.push("enc", crate::tree::Value::str(self.enc.clone()));
        m
    }

    /// Reads `{recipient, enc}`.
    pub fn from_metadata(entry: &Map) -> Result<AgeKey> {
        let get = |k: &str| match entry.get(k) {
            Some(crate::tree::Value::Str(s)) => Ok(s.to_string()),
            _ => Err(Error::InvalidMetadata(format!(
                "age key entry has no string {k:?}"
            ))),
        };
        Ok(AgeKey {
            recipient: get("recipient")?,
            enc: get("enc")?,
        })
    }
}
