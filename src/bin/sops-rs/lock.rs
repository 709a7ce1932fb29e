//! Serialises read-modify-write commands on one file with an advisory `flock` on the file itself.
//!
//! Why the file and not a sibling lock file or the directory: a lock file
//! (`.name.lock`) litters repositories and is racy to remove, and `flock` on a
//! directory fails on NFS (emulated with POSIX locks, which need a writable
//! descriptor). Locking the file's inode is enough because every writer
//! replaces the file by `rename` only while it holds the lock, and a waiter
//! that gets the lock then checks that the path still names the inode it
//! locked: if a writer replaced the file meanwhile it drops that stale lock and
//! locks the new inode. So holding the lock on the inode the path names means
//! nobody else is between reading and renaming that file. std's `File::lock`
//! (flock on Linux) is used: it is safe code and released by the kernel when
//! the process dies, even by SIGKILL. Only sops-rs takes the lock: sops itself,
//! editors and `git checkout` do not, as with any advisory lock.

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// A held lock; released when dropped (or when the process ends).
pub struct FileLock {
    _file: File,
}

/// Locks the file `path` names (symlinks followed) for a read-modify-write.
///
/// `None` when there is nothing to lock (the file does not exist yet, as for
/// `edit` of a new file) or the file system has no locks; then a warning says
/// so and the command goes on unprotected, as sops always does.
pub fn lock_for_update(path: &Path) -> Option<FileLock> {
    let mut warned_wait = false;
    loop {
        let target = fs::canonicalize(path).ok()?;
        let mut file = match File::open(&target) {
            Ok(f) => f,
            // The command's own read reports these, in sops's words.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
                ) =>
            {
                return None;
            }
            Err(e) => {
                warn_unlocked(&target, &e);
                return None;
            }
        };
        let mut attempt = file.try_lock();
        if let Err(std::fs::TryLockError::Error(e)) = &attempt
            && e.raw_os_error() == Some(EBADF)
            && let Ok(rw) = OpenOptions::new().read(true).write(true).open(&target)
        {
            // NFS emulates flock with POSIX locks, which need a writable descriptor.
            attempt = rw.try_lock();
            file = rw;
        }
        match attempt {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                if !warned_wait {
                    eprintln!(
                        "sops-rs: waiting for {}: another sops-rs process is changing it (an open editor holds it until it exits)",
                        target.display()
                    );
                    warned_wait = true;
                }
                if let Err(e) = file.lock() {
                    warn_unlocked(&target, &e);
                    return None;
                }
            }
            Err(std::fs::TryLockError::Error(e)) => {
                warn_unlocked(&target, &e);
                return None;
            }
        }
        if still_names(&target, &file) {
            return Some(FileLock { _file: file });
        }
        // Replaced while we waited: lock whatever the path names now.
    }
}

/// `flock` on a read-only descriptor fails with this where it is emulated by
/// POSIX locks (NFS). Read-only first: a write-mode open would wake file
/// watchers (inotify `IN_CLOSE_WRITE`) although nothing was written.
const EBADF: i32 = 9;

/// Whether `target` still names the inode `file` has open.
fn still_names(target: &Path, file: &File) -> bool {
    match (fs::metadata(target), file.metadata()) {
        (Ok(now), Ok(locked)) => now.dev() == locked.dev() && now.ino() == locked.ino(),
        _ => false,
    }
}

fn warn_unlocked(target: &Path, e: &std::io::Error) {
    eprintln!(
        "sops-rs: warning: cannot lock {} ({}); concurrent changes to it are not serialised",
        target.display(),
        sops_rs::error::go_io_message(e)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    #[test]
    fn missing_file_needs_no_lock() {
        let dir = tempfile::tempdir().unwrap();
        assert!(lock_for_update(&dir.path().join("new.yaml")).is_none());
    }

    #[test]
    fn second_locker_waits_until_the_first_releases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.yaml");
        fs::write(&path, "a").unwrap();
        let first = lock_for_update(&path).unwrap();
        let got = Arc::new(AtomicBool::new(false));
        let (p, g) = (path.clone(), Arc::clone(&got));
        let waiter = std::thread::spawn(move || {
            let _l = lock_for_update(&p).unwrap();
            g.store(true, Ordering::SeqCst);
        });
        std::thread::sleep(Duration::from_millis(200));
        assert!(!got.load(Ordering::SeqCst), "the lock did not exclude");
        drop(first);
        waiter.join().unwrap();
        assert!(got.load(Ordering::SeqCst));
    }

    #[test]
    fn waiter_follows_a_rename_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.yaml");
        fs::write(&path, "old").unwrap();
        let first = lock_for_update(&path).unwrap();
        let p = path.clone();
        let waiter = std::thread::spawn(move || {
            let lock = lock_for_update(&p).unwrap();
            // The waiter must hold the lock of the inode the path names now.
            (lock, fs::metadata(&p).unwrap().ino())
        });
        std::thread::sleep(Duration::from_millis(100));
        let tmp = dir.path().join("tmp");
        fs::write(&tmp, "new").unwrap();
        fs::rename(&tmp, &path).unwrap();
        let new_ino = fs::metadata(&path).unwrap().ino();
        drop(first);
        let (lock, ino) = waiter.join().unwrap();
        assert_eq!(ino, new_ino);
        assert_eq!(lock._file.metadata().unwrap().ino(), new_ino);
        // And the new inode is really locked.
        let other = File::open(&path).unwrap();
        assert!(other.try_lock().is_err());
    }
}
