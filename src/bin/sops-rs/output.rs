//! Reading the input and writing results: stdout, `--output`, or an atomic in-place rewrite.
//!
//! Files are only touched after the whole result is computed, so a failed decrypt
//! never leaves partial plaintext behind. Writes go to a temporary file in the
//! target's directory (0600 from birth), are fsynced and then renamed over the
//! target, so a crash leaves either the old or the new file, never a mix.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use sops_rs::error::{Error, Result};
use zeroize::Zeroizing;

/// Where the result goes.
pub enum Destination {
    /// Standard output.
    Stdout,
    /// `--output FILE`.
    File(PathBuf),
    /// `-i`: back over the input file.
    InPlace(PathBuf),
}

/// Whether the bytes written are secret (decrypted) or safe to share (encrypted).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Sensitivity {
    /// Plaintext: new files get mode 0600.
    Plaintext,
    /// Encrypted: new files get mode 0644.
    Encrypted,
}

/// Reads the whole input (a file, or stdin when `path` is `None`) into a zeroizing buffer.
pub fn read_input(path: Option<&Path>) -> Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(Vec::new());
    match path {
        Some(p) => {
            let mut f = fs::File::open(p).map_err(|source| Error::ReadInput {
                path: p.to_path_buf(),
                source,
            })?;
            f.read_to_end(&mut buf).map_err(|source| Error::ReadInput {
                path: p.to_path_buf(),
                source,
            })?;
        }
        None => {
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .map_err(|source| Error::ReadInput {
                    path: PathBuf::from("/dev/stdin"),
                    source,
                })?;
        }
    }
    Ok(buf)
}

/// Writes `bytes` to `dest`.
pub fn write_output(dest: &Destination, bytes: &[u8], sensitivity: Sensitivity) -> Result<()> {
    match dest {
        Destination::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .map_err(|source| Error::WriteOutput {
                    path: PathBuf::from("/dev/stdout"),
                    source,
                })
        }
        Destination::File(path) | Destination::InPlace(path) => {
            write_atomically(path, bytes, sensitivity)
        }
    }
}

/// Replaces `path` with `bytes` atomically, following symlinks to the real file and
/// keeping an existing file's permissions.
fn write_atomically(path: &Path, bytes: &[u8], sensitivity: Sensitivity) -> Result<()> {
    let err = |source| Error::WriteOutput {
        path: path.to_path_buf(),
        source,
    };
    // Rewrite the file a symlink points to, not the link itself.
    let target = match fs::canonicalize(path) {
        Ok(real) => real,
        Err(_) => path.to_path_buf(),
    };
    let mode = match fs::metadata(&target) {
        Ok(meta) => meta.permissions().mode() & 0o7777,
        Err(_) => match sensitivity {
            Sensitivity::Plaintext => 0o600,
            Sensitivity::Encrypted => 0o644,
        },
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".sops-rs-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(mode)).map_err(err)?;
    // On any error above, dropping `tmp` removes the temporary file.
    tmp.persist(&target).map_err(|e| err(e.error))?;
    if let Ok(d) = fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_place_keeps_mode_and_follows_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.yaml");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.yaml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_output(
            &Destination::InPlace(link.clone()),
            b"new",
            Sensitivity::Encrypted,
        )
        .unwrap();
        assert_eq!(fs::read(&real).unwrap(), b"new");
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            fs::metadata(&real).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".sops-rs-"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn new_plaintext_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("plain.yaml");
        write_output(
            &Destination::File(out.clone()),
            b"x",
            Sensitivity::Plaintext,
        )
        .unwrap();
        assert_eq!(
            fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn unwritable_directory_is_an_error_not_a_panic() {
        let out = PathBuf::from("/nonexistent-dir-sops-rs/x.yaml");
        let e = write_output(&Destination::File(out), b"x", Sensitivity::Encrypted).unwrap_err();
        assert!(matches!(e, Error::WriteOutput { .. }));
    }
}
