//! The file MAC: SHA-512 over the plaintext values, stored encrypted under `lastmodified` (spec §3).

use crate::cipher::{Cipher, ValueType};
use crate::error::{Error, Result};
use crate::tree::Value;
use sha2::{Digest, Sha256, Sha512};

/// The running hash of a walk.
pub struct MacHasher {
    hash: Sha512,
}

impl MacHasher {
    /// A fresh hash; with `mac_only_encrypted` it is seeded with SHA-256("sops")
    /// so that the two modes can never give the same MAC.
    pub fn new(mac_only_encrypted: bool) -> MacHasher {
        let mut hash = Sha512::new();
        if mac_only_encrypted {
            hash.update(Sha256::digest(b"sops"));
        }
        MacHasher { hash }
    }

    /// Adds one value's plaintext bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hash.update(bytes);
    }

    /// The MAC as sops writes it: 128 uppercase hex digits.
    pub fn finish(self) -> String {
        hex::encode_upper(self.hash.finalize())
    }
}

/// Encrypts the MAC for the metadata; the AAD is the `lastmodified` text.
pub fn encrypt_mac(cipher: &Cipher, mac: &str, last_modified: &str) -> Result<String> {
    cipher
        .encrypt(mac.as_bytes(), last_modified.as_bytes(), ValueType::Str)
        .map_err(|e| Error::MacEncrypt(e.to_string()))
}

/// Compares two MAC texts in time independent of where they differ
/// (`subtle`), so response timing cannot be used to forge a MAC byte by byte;
/// only the length, which is public (128 hex digits), can short-cut.
pub fn macs_equal(stored: &str, computed: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(stored.as_bytes().ct_eq(computed.as_bytes()))
}

/// Checks the stored MAC against the computed one (spec §3.3); `ignore_mac` accepts anything.
pub fn verify_mac(
    cipher: &Cipher,
    stored: &str,
    last_modified: &str,
    computed: &str,
    ignore_mac: bool,
) -> Result<()> {
    if ignore_mac {
        return Ok(());
    }
    let file_mac = cipher
        .decrypt(stored, last_modified.as_bytes())
        .map_err(|e| Error::MacUndecryptable(e.to_string()))?;
    let file_mac = match &file_mac {
        Value::Str(s) => s.to_string(),
        // A MAC of another type never equals the hex string; show it as Go would.
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Float(f) => crate::gofmt::format_float_yaml(*f),
        other => format!("<{}>", other.kind()),
    };
    if macs_equal(&file_mac, computed) {
        Ok(())
    } else if file_mac.is_empty() {
        Err(Error::MacMissing {
            computed: computed.to_string(),
        })
    } else {
        Err(Error::MacMismatch {
            stored: file_mac,
            computed: computed.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> Cipher {
        Cipher::new(&[3u8; 32])
    }

    #[test]
    fn seeding_changes_the_mac() {
        let mut a = MacHasher::new(false);
        let mut b = MacHasher::new(true);
        a.update(b"x");
        b.update(b"x");
        let (a, b) = (a.finish(), b.finish());
        assert_ne!(a, b);
        assert_eq!(a.len(), 128);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c))
        );
        // The seed is the documented 32 bytes.
        assert_eq!(
            hex::encode(Sha256::digest(b"sops")),
            "8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69"
        );
    }

    #[test]
    fn empty_hash_is_sha512_of_nothing() {
        assert!(
            MacHasher::new(false)
                .finish()
                .starts_with("CF83E1357EEFB8BD")
        );
    }

    #[test]
    fn mac_comparison_is_exact() {
        let a = MacHasher::new(false).finish();
        assert!(macs_equal(&a, &a.clone()));
        let mut last = a.clone();
        last.pop();
        last.push('0');
        let mut first = a.clone();
        first.replace_range(0..1, "0");
        assert!(!macs_equal(&a, &last));
        assert!(!macs_equal(&a, &first));
        assert!(!macs_equal(&a, &a[..127]));
        assert!(!macs_equal(&a, &a.to_lowercase()));
        assert!(!macs_equal("", &a));
        // The verifier goes through it (no plain `==` left on the MAC path).
        let src = include_str!("mac.rs");
        let verify = src.split("pub fn verify_mac").nth(1).unwrap();
        let body = verify.split("\n}\n").next().unwrap();
        assert!(body.contains("macs_equal(&file_mac, computed)"));
        assert!(!body.contains("file_mac == computed"));
    }

    #[test]
    fn verify_outcomes() {
        let c = cipher();
        let lm = "2026-11-24T16:30:48Z";
        let enc = encrypt_mac(&c, "ABC", lm).unwrap();
        verify_mac(&c, &enc, lm, "ABC", false).unwrap();
        assert!(matches!(
            verify_mac(&c, &enc, lm, "DEF", false),
            Err(Error::MacMismatch { stored, computed }) if stored == "ABC" && computed == "DEF"
        ));
        assert!(matches!(
            verify_mac(&c, "", lm, "DEF", false),
            Err(Error::MacMissing { .. })
        ));
        let err = verify_mac(&c, &enc, "2026-11-24T16:30:49Z", "ABC", false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cannot decrypt MAC: Could not decrypt with AES_GCM: cipher: message authentication failed"
        );
        verify_mac(&c, &enc, "2026-11-24T16:30:49Z", "DEF", true).unwrap();
        verify_mac(&c, "", lm, "DEF", true).unwrap();
    }
}
