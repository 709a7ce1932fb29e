//! Reading the input and writing results: stdout, `--output`, or an atomic in-place rewrite.
//!
//! Files are only touched after the whole result is computed, so a failed decrypt
//! never leaves partial plaintext behind. Writes go to a temporary file in the
//! target's directory (0600 from birth), are fsynced, get the old file's mode
//! and owner, and are renamed over the target before the directory is fsynced,
//! so a crash leaves either the old or the new file, never a mix; a failure
//! leaves no temporary file. Read-modify-write commands hold `lock.rs`'s lock
//! around all this; `interrupt.rs` holds signals back while the temporary file exists.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
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

/// Prefix and suffix of the temporary file next to `name`: recognisable, so a
/// later run can remove what a killed one left (see [`remove_stale_temps`]).
fn temp_affixes(name: &std::ffi::OsStr) -> (String, &'static str) {
    let name = name.to_string_lossy();
    // Keep within NAME_MAX (255 bytes) with room for the random part and affixes.
    let mut short = String::new();
    for c in name.chars() {
        if short.len() + c.len_utf8() > 180 {
            break;
        }
        short.push(c);
    }
    (format!(".{short}.sops-rs-"), ".tmp")
}

/// Replaces `path` with `bytes` atomically, following symlinks to the real file and
/// keeping an existing file's permissions and (where allowed) owner.
///
/// SIGINT, SIGTERM and SIGHUP that arrive while the temporary file exists are
/// held back: the temporary file is removed and the original left untouched
/// ([`Error::Interrupted`]), or, if the rename already happened, the process
/// ends by the signal right after it. SIGKILL cannot be caught: it can leave the
/// temporary file (`.<name>.sops-rs-XXXXXX.tmp`, mode 0600, plaintext for
/// `-d -i`); the next sops-rs write of the same file removes it.
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
    let existing = fs::metadata(&target).ok();
    let mode = match &existing {
        Some(meta) => meta.permissions().mode() & 0o7777,
        None => match sensitivity {
            Sensitivity::Plaintext => 0o600,
            Sensitivity::Encrypted => 0o644,
        },
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = target.file_name().unwrap_or(target.as_os_str()).to_owned();
    let (prefix, suffix) = temp_affixes(&file_name);
    remove_stale_temps(&dir, &prefix, suffix);
    let interrupt = crate::interrupt::Window::open();
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(suffix)
        .tempfile_in(&dir)
        .map_err(err)?;
    // Marks the file as in use, so a concurrent cleanup leaves it alone.
    let _ = tmp.as_file().try_lock();
    for chunk in bytes.chunks(WRITE_CHUNK) {
        if let Some(sig) = interrupt.pending() {
            return Err(Error::Interrupted(sig));
        }
        tmp.write_all(chunk).map_err(err)?;
    }
    tmp.as_file().sync_all().map_err(err)?;
    if let Some(meta) = &existing {
        keep_owner(tmp.as_file(), meta).map_err(err)?;
    }
    // After chown, which clears set-id bits.
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))
        .map_err(err)?;
    if let Some(sig) = interrupt.pending() {
        return Err(Error::Interrupted(sig));
    }
    // On any error above, dropping `tmp` removes the temporary file.
    tmp.persist(&target).map_err(|e| err(e.error))?;
    // The rename is durable only once the directory entry is on disk.
    if let Ok(d) = fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    interrupt.close();
    Ok(())
}

/// How much is written between two checks for a pending signal.
const WRITE_CHUNK: usize = 1 << 20;

/// Gives the new file the old one's owner and group. Only root (or the owner,
/// for a group it belongs to) may do that; otherwise the file becomes the
/// writer's, as with any editor that saves by rename.
fn keep_owner(file: &fs::File, old: &fs::Metadata) -> std::io::Result<()> {
    let new = file.metadata()?;
    if new.uid() == old.uid() && new.gid() == old.gid() {
        return Ok(());
    }
    match std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            // The group alone may still be possible (owner in that group).
            let _ = std::os::unix::fs::fchown(file, None, Some(old.gid()));
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// How long a temporary file must have been left unmodified before a later run
/// may remove it.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// Removes temporary files a killed sops-rs left beside the same target.
///
/// A live writer holds an exclusive lock on its temporary file, so only
/// unlocked ones (whose writer is gone: the kernel drops the lock with the
/// process) are removed, only regular files with exactly our name pattern, and
/// only once unmodified for [`STALE_AFTER`] (closing the instant between a
/// writer creating its file and locking it).
fn remove_stale_temps(dir: &Path, prefix: &str, suffix: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some(random) = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
        else {
            continue;
        };
        if random.len() != 6 || !random.chars().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        // A writer locks its file right after creating it; a file modified in
        // the last second may be one in that instant, so it is left alone.
        let settled = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if !meta.file_type().is_file() || !settled {
            continue;
        }
        let Ok(file) = fs::File::open(&path) else {
            continue;
        };
        if file.try_lock().is_ok() {
            let _ = fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serial() -> std::sync::MutexGuard<'static, ()> {
        crate::interrupt::TEST_SERIAL
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    #[test]
    fn in_place_keeps_mode_and_follows_symlinks() {
        let _serial = serial();
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
            .filter(|e| e.file_name().to_string_lossy().contains(".sops-rs-"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn new_plaintext_files_are_private() {
        let _serial = serial();
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
        let _serial = serial();
        let out = PathBuf::from("/nonexistent-dir-sops-rs/x.yaml");
        let e = write_output(&Destination::File(out), b"x", Sensitivity::Encrypted).unwrap_err();
        assert!(matches!(e, Error::WriteOutput { .. }));
    }

    #[test]
    fn stale_temps_of_dead_writers_go_live_ones_stay() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("s.yaml");
        fs::write(&target, "old").unwrap();
        let age = |p: &Path, secs: u64| {
            let f = fs::File::options().write(true).open(p).unwrap();
            let then = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
            f.set_modified(then).unwrap();
        };
        let stale = dir.path().join(".s.yaml.sops-rs-AbC123.tmp");
        fs::write(&stale, "plaintext left by SIGKILL").unwrap();
        age(&stale, 10);
        // Unlocked but just written: possibly a writer between create and lock.
        let fresh = dir.path().join(".s.yaml.sops-rs-Fresh1.tmp");
        fs::write(&fresh, "x").unwrap();
        let live = dir.path().join(".s.yaml.sops-rs-Live99.tmp");
        fs::write(&live, "being written").unwrap();
        age(&live, 10);
        let held = fs::File::open(&live).unwrap();
        held.lock().unwrap();
        // Not ours: another file's temp, a wrong pattern, a directory.
        let other = dir.path().join(".t.yaml.sops-rs-AbC123.tmp");
        fs::write(&other, "x").unwrap();
        let odd = dir.path().join(".s.yaml.sops-rs-toolong1.tmp");
        fs::write(&odd, "x").unwrap();
        let sub = dir.path().join(".s.yaml.sops-rs-Dir000.tmp");
        fs::create_dir(&sub).unwrap();
        write_output(
            &Destination::InPlace(target.clone()),
            b"new",
            Sensitivity::Encrypted,
        )
        .unwrap();
        assert!(!stale.exists());
        assert!(live.exists() && fresh.exists());
        assert!(other.exists() && odd.exists() && sub.exists());
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn long_names_still_fit_the_temp_name() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("é".repeat(120));
        fs::write(&target, "old").unwrap();
        write_output(
            &Destination::InPlace(target.clone()),
            b"new",
            Sensitivity::Encrypted,
        )
        .unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn owner_is_kept_when_allowed() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("o.yaml");
        fs::write(&target, "old").unwrap();
        let before = fs::metadata(&target).unwrap();
        // As root, give the file to someone else; otherwise it stays ours.
        let (uid, gid) = if rustix::process::geteuid().is_root() {
            std::os::unix::fs::chown(&target, Some(1234), Some(1234)).unwrap();
            (1234, 1234)
        } else {
            (before.uid(), before.gid())
        };
        write_output(
            &Destination::InPlace(target.clone()),
            b"new",
            Sensitivity::Encrypted,
        )
        .unwrap();
        let after = fs::metadata(&target).unwrap();
        assert_eq!((after.uid(), after.gid()), (uid, gid));
    }
}
