//! The per-file 32-byte data key that encrypts every value (spec §5.1).

use zeroize::Zeroizing;

/// The data key: 32 random bytes, zeroized on drop, never printed.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    /// A fresh key from the operating system's CSPRNG.
    pub fn generate() -> crate::error::Result<Self> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(bytes.as_mut()).map_err(|e| {
            crate::error::Error::Other(format!("could not get random bytes for the data key: {e}"))
        })?;
        Ok(Self(bytes))
    }

    /// Wraps recovered key bytes; anything but 32 bytes is refused.
    pub fn from_slice(bytes: &[u8]) -> crate::error::Result<Self> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| {
            crate::error::Error::Other(format!(
                "the recovered data key has {} bytes instead of 32",
                bytes.len()
            ))
        })?;
        Ok(Self(Zeroizing::new(arr)))
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}
