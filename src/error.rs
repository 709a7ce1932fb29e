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
        self.hint_for(None)
    }

    /// [`Error::hint`] naming `file`, the file the command worked on, where the
    /// message itself does not (sops's texts often name no file).
    pub fn hint_for(&self, file: Option<&std::path::Path>) -> Option<String> {
        let the_file = match file {
            Some(f) => f.display().to_string(),
            None => "the file".to_string(),
        };
        match self {
            Error::MetadataNotFound => Some(format!(
                "hint: {the_file} has no `sops` entry, so it is not encrypted; use -e to encrypt it"
            )),
            Error::MacMismatch { .. } | Error::MacMissing { .. } | Error::MacUndecryptable(_) => Some(format!(
                "hint: {the_file} was changed outside sops; if you trust the values, pass --ignore-mac"
            )),
            Error::DecryptTree(_) => Some(format!(
                "hint: an encrypted value in {the_file} was altered or moved to another key; restore it from version control"
            )),
            Error::EmptyFile => Some("hint: give a file with at least one key".into()),
            Error::UnmarshalAt { line, .. } => Some(match file {
                Some(f) => format!("hint: the problem is on line {line} of {}", f.display()),
                None => format!("hint: the problem is on line {line}"),
            }),
            Error::Unmarshal(_) => Some(format!(
                "hint: {the_file} is not valid in the format its name implies; fix its syntax or pass --input-type"
            )),
            Error::EncryptTree(_) => Some(format!(
                "hint: the key or value named above in {the_file} cannot be encrypted as it is: change it, or leave it in clear with --unencrypted-regex"
            )),
            Error::Dump(_) | Error::MarshalTree(_) => Some(
                "hint: the result cannot be written in the output format: choose another --output-type".into(),
            ),
            Error::DumpTree(_) => Some(
                "hint: this output format cannot hold the extracted value: extract a single string, or pass --output-type yaml or json".into(),
            ),
            Error::InvalidSet(_) => Some(
                "hint: the value must be JSON: '\"text\"', 42, true or '{\"a\": 1}'".into(),
            ),
            Error::Editor(_) => Some(
                "hint: set SOPS_EDITOR or EDITOR to an editor that waits until you close the file (e.g. 'code --wait')".into(),
            ),
            Error::WriteOutput { path, source } if path != std::path::Path::new("/dev/stdout") => {
                Some(write_hint(path, source))
            }
            Error::ReadInput { path, .. } => Some(format!(
                "hint: check that {} exists and that you may read it",
                path.display()
            )),
            Error::OpenInput(_) => Some(format!(
                "hint: check that {the_file} exists and that you may read it"
            )),
            Error::NonExistentFile(_) => Some(
                "hint: check the path; `sops-rs edit FILE` creates a new encrypted file".into(),
            ),
            Error::InvalidTreePath(_) => Some(
                "hint: paths look like '[\"key\"][0]': keys in double quotes, list indexes as numbers".into(),
            ),
            Error::TruncateTree(_) => Some(format!(
                "hint: {the_file} has nothing at that path; `sops-rs -d {the_file}` shows its keys"
            )),
            // The key report stays sops's byte for byte; only a Vault failure
            // gets advice after it.
            Error::DataKey(report) | Error::GenerateDataKey(report) => {
                crate::keys::hcvault::hint(report)
            }
            // sops's own text already says what to do, and scripts compare
            // config errors with sops's byte for byte.
            Error::AlreadyEncrypted | Error::Usage(_) | Error::Interrupted(_) | Error::Config(_) => {
                None
            }
            _ => None,
        }
    }
}

/// What to do after an output file could not be written; the original is
/// always intact because writes go through a temporary file and a rename.
fn write_hint(path: &std::path::Path, source: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.display().to_string(),
        _ => ".".to_string(),
    };
    let what = match source.kind() {
        K::StorageFull => format!("the file system of {dir} is full: free some space and run the command again"),
        K::FileTooLarge => "the result is larger than the file size limit (ulimit -f): raise it and run the command again".into(),
        K::ReadOnlyFilesystem => format!("{dir} is on a read-only file system: remount it read-write, or write elsewhere with --output"),
        K::PermissionDenied => format!("you may not create files in {dir}: fix its permissions (or attributes, see lsattr), or write elsewhere with --output"),
        K::NotFound => format!("the directory {dir} does not exist: create it first"),
        _ => "fix the cause above and run the command again".into(),
    };
    format!(
        "hint: nothing was written to {} (an existing file there is unchanged; no temporary file was left); {what}",
        path.display()
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::ErrorKind as K;
    use std::path::Path;

    fn write_err(path: &str, kind: K) -> Error {
        Error::WriteOutput {
            path: PathBuf::from(path),
            source: std::io::Error::from(kind),
        }
    }

    #[test]
    fn write_hints_name_the_file_and_the_remedy() {
        for (kind, remedy) in [
            (K::StorageFull, "free some space"),
            (K::FileTooLarge, "ulimit -f"),
            (K::ReadOnlyFilesystem, "remount it read-write"),
            (K::PermissionDenied, "fix its permissions"),
            (K::NotFound, "the directory d does not exist"),
        ] {
            let hint = write_err("d/f.yaml", kind).hint().unwrap();
            assert!(
                hint.starts_with("hint: nothing was written to d/f.yaml"),
                "{hint}"
            );
            assert!(hint.contains(remedy), "{kind:?}: {hint}");
        }
        // A closed or full stdout has no file to talk about.
        assert_eq!(write_err("/dev/stdout", K::StorageFull).hint(), None);
    }

    #[test]
    fn hints_name_the_file_when_given() {
        let f = Some(Path::new("secrets.yaml"));
        let mac = Error::MacMissing {
            computed: String::new(),
        };
        assert!(mac.hint_for(f).unwrap().contains("secrets.yaml"));
        assert!(mac.hint().unwrap().contains("the file"));
        let at = Error::UnmarshalAt {
            message: String::new(),
            line: 3,
        };
        assert_eq!(at.hint().unwrap(), "hint: the problem is on line 3");
        assert_eq!(
            at.hint_for(f).unwrap(),
            "hint: the problem is on line 3 of secrets.yaml"
        );
        // sops's key report and config errors stay byte-identical: no hint.
        assert_eq!(Error::DataKey(String::new()).hint_for(f), None);
        assert_eq!(Error::Config(String::new()).hint_for(f), None);
    }
}
