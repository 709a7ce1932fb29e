//! The library's one error type; the CLI maps each variant to sops's exit code.
//!
//! `Display` gives sops 3.11's own message (so scripts that match on it keep
//! working); [`Error::hint`] adds what the user can do about it, printed by the
//! CLI on the following line.

use std::path::PathBuf;

/// Everything that can go wrong in sops-rs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input file could not be read.
    #[error("Error reading file: read {}: {}", .path.display(), go_io_message(.source))]
    ReadInput {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The output file (or its temporary sibling) could not be written.
    #[error("Could not write output file: open {}: {}", .path.display(), go_io_message(.source))]
    WriteOutput {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file named on the command line does not exist.
    #[error("Error: cannot operate on non-existent file \"{}\"", .0.display())]
    NonExistentFile(PathBuf),
    /// No file argument was given.
    #[error("Error: no file specified")]
    NoFileSpecified,
    /// The input has zero bytes.
    #[error("File cannot be completely empty, it must contain at least one document")]
    EmptyFile,
    /// A plaintext (or encrypted) document could not be parsed.
    #[error("Error unmarshalling file: {0}")]
    Unmarshal(String),
    /// A plaintext document could not be parsed, at a known 1-based line:
    /// the message is sops's (which names no line), the hint gives the line.
    #[error("Error unmarshalling file: {message}")]
    UnmarshalAt {
        /// sops's message.
        message: String,
        /// Where the parser stopped.
        line: usize,
    },
    /// The file has no `sops` metadata.
    #[error("sops metadata not found")]
    MetadataNotFound,
    /// The metadata is present but malformed (bad timestamp, no keys, …).
    #[error("{0}")]
    InvalidMetadata(String),
    /// The `version` in the metadata is missing or not semver.
    #[error("{0}")]
    InvalidVersion(String),
    /// Encrypting a file that already has a top-level `sops` entry.
    #[error(
        "The file you have provided contains a top-level entry called 'sops', or for\nflat file formats top-level entries starting with 'sops_'. This is\ngenerally due to the file already being encrypted. SOPS uses a top-level\nentry called 'sops' to store the metadata required to decrypt the file. For\nthis reason, SOPS can not encrypt files that already contain such an entry.\n\nIf this is an unencrypted file, rename the 'sops' entry.\n\nIf this is an encrypted file and you want to edit it, use the editor mode,\nfor example: `sops my_file.yaml`"
    )]
    AlreadyEncrypted,
    /// A value could not be encrypted (non-string key, uint64, …).
    #[error("Error encrypting tree: {0}")]
    EncryptTree(String),
    /// A value could not be decrypted (tampered, wrong format, swapped).
    #[error("Error decrypting tree: {0}")]
    DecryptTree(String),
    /// The stored MAC differs from the computed one.
    #[error("MAC mismatch. File has {stored}, computed {computed}")]
    MacMismatch {
        /// MAC found in the file.
        stored: String,
        /// MAC computed over the decrypted values.
        computed: String,
    },
    /// The file's `mac` is empty.
    #[error("MAC mismatch. File has no MAC, computed {computed}")]
    MacMissing {
        /// MAC computed over the decrypted values.
        computed: String,
    },
    /// The stored MAC does not decrypt (usually `lastmodified` was changed).
    #[error("Cannot decrypt MAC: {0}")]
    MacUndecryptable(String),
    /// The MAC could not be encrypted.
    #[error("Could not encrypt MAC: {0}")]
    MacEncrypt(String),
    /// No master key could recover the data key; the text is the full per-group report.
    #[error("{0}")]
    DataKey(String),
    /// Wrapping the new data key failed for some master key.
    #[error("Could not generate data key: {0}")]
    GenerateDataKey(String),
    /// A master key given by the user could not be parsed.
    #[error("{0}")]
    InvalidMasterKey(String),
    /// The tree could not be written in the output format.
    #[error("Error dumping file: {0}")]
    Dump(String),
    /// A single value could not be written (`--extract` of a non-string value,
    /// exit 4 like [`Error::Dump`]).
    #[error("Error dumping tree: {0}")]
    DumpTree(String),
    /// Flags that cannot be used together.
    #[error("Error: {0}")]
    ConflictingParameters(String),
    /// A bad `--extract`/`set` path.
    #[error("{0}")]
    InvalidTreePath(String),
    /// `--extract` named something that is not in the file.
    #[error("error truncating tree: {0}")]
    TruncateTree(String),
    /// An input on which sops 3.11 crashes (Go panic, exit 2), e.g. an
    /// `--extract` path `[]` or one going through a value that is not a map;
    /// sops-rs exits 2 too, with this message (which carries its own prefix).
    #[error("{0}")]
    SopsCrash(String),
    /// Wrong command-line usage (unknown flag, missing value, …).
    #[error("{0}")]
    Usage(String),
    /// `--decryption-order` names a key type twice.
    #[error("Duplicate decryption key type: {0}")]
    DuplicateDecryptionKeyType(String),
    /// A bad `--encryption-context`.
    #[error("Invalid KMS encryption context format")]
    InvalidEncryptionContext,
    /// A bad `--set`/`set` argument.
    #[error("{0}")]
    InvalidSet(String),
    /// `.sops.yaml` could not be used.
    #[error("{0}")]
    Config(String),
    /// The input file could not be opened (`set`, `unset`, `rotate`, `edit`):
    /// sops words it `open <path>: <reason>` (exit 2).
    #[error("Error reading file: {0}")]
    OpenInput(String),
    /// Wrong number of positional arguments for `set`/`unset` (exit 100); the text is sops's.
    #[error("{0}")]
    Arguments(String),
    /// `--add-*`/`--rm-*` on a file that does not exist (exit 49).
    #[error("{0}")]
    KeysOnMissingFile(String),
    /// `encrypt`, `edit`, `set`, `unset`, `rotate` could not write the tree in
    /// the output format (exit 4); the text is the store's own.
    #[error("Could not marshal tree: {0}")]
    MarshalTree(String),
    /// The editor left the file as it was (exit 200).
    #[error("File has not changed, exiting.")]
    FileNotModified,
    /// The editor could not be started or failed (exit 201).
    #[error("Could not run editor: {0}")]
    Editor(String),
    /// `edit` stopped by SIGINT/SIGTERM after removing its temporary files;
    /// the exit code is 128 + the signal number, as a shell reports it.
    #[error("Interrupted by signal {0}; the temporary file was removed.")]
    Interrupted(i32),
    /// Any other failure; the text is sops's message.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// A second line telling the user what to do next, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::MetadataNotFound => Some(
                "hint: this file has no `sops` entry, so it is not encrypted; use -e to encrypt it".into(),
            ),
            Error::MacMismatch { .. } | Error::MacMissing { .. } | Error::MacUndecryptable(_) => Some(
                "hint: the file was changed outside sops; if you trust the values, pass --ignore-mac".into(),
            ),
            Error::DecryptTree(_) => Some(
                "hint: an encrypted value was altered or moved to another key; restore the file from version control".into(),
            ),
            Error::EmptyFile => Some("hint: give a file with at least one key".into()),
            Error::UnmarshalAt { line, .. } => Some(format!("hint: the problem is on line {line}")),
            Error::DataKey(report) | Error::GenerateDataKey(report) => {
                crate::keys::hcvault::hint(report)
            }
            _ => None,
        }
    }
}

/// An OS error worded the way Go prints it (`is a directory`, `permission denied`),
/// so messages match sops's.
pub fn go_io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "no such file or directory".into(),
        K::PermissionDenied => "permission denied".into(),
        K::IsADirectory => "is a directory".into(),
        K::NotADirectory => "not a directory".into(),
        K::AlreadyExists => "file exists".into(),
        K::StorageFull => "no space left on device".into(),
        K::ReadOnlyFilesystem => "read-only file system".into(),
        _ => {
            let s = e.to_string();
            // Drop Rust's " (os error N)" suffix.
            match s.find(" (os error") {
                Some(i) => s[..i].to_lowercase(),
                None => s,
            }
        }
    }
}

/// Shorthand used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
