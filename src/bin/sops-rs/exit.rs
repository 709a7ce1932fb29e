//! The one place where library errors become sops's exit codes (spec §8.3).

use sops_rs::error::Error;

/// sops's exit code for `err`.
pub fn code(err: &Error) -> u8 {
    match err {
        Error::ReadInput { .. }
        | Error::Unmarshal(_)
        | Error::UnmarshalAt { .. }
        | Error::SopsCrash(_) => 2,
        Error::WriteOutput { .. } => 3,
        Error::Dump(_) | Error::DumpTree(_) => 4,
        Error::InvalidEncryptionContext => 6,
        Error::InvalidSet(_) => 7,
        Error::ConflictingParameters(_) => 8,
        Error::MacEncrypt(_) => 21,
        Error::EncryptTree(_) => 23,
        Error::DecryptTree(_) => 25,
        Error::MacMismatch { .. } | Error::MacMissing { .. } | Error::MacUndecryptable(_) => 51,
        Error::InvalidTreePath(_) => 91,
        Error::EmptyFile => 92,
        Error::NonExistentFile(_) | Error::NoFileSpecified => 100,
        Error::DuplicateDecryptionKeyType(_) => 112,
        Error::DataKey(_) => 128,
        Error::AlreadyEncrypted => 203,
        Error::OpenInput(_) => 2,
        Error::Arguments(_) => 100,
        Error::KeysOnMissingFile(_) => 49,
        Error::MarshalTree(_) => 4,
        Error::FileNotModified => 200,
        Error::Editor(_) => 201,
        Error::Interrupted(sig) => u8::try_from(128 + sig).unwrap_or(1),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_sops() {
        assert_eq!(code(&Error::MetadataNotFound), 1);
        assert_eq!(code(&Error::AlreadyEncrypted), 203);
        assert_eq!(code(&Error::DataKey(String::new())), 128);
        assert_eq!(
            code(&Error::MacMissing {
                computed: String::new()
            }),
            51
        );
        assert_eq!(code(&Error::EmptyFile), 92);
        assert_eq!(code(&Error::DecryptTree(String::new())), 25);
    }
}
