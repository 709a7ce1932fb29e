//! The git merge driver for sops files (`merge=sops`, `sops-rs merge-driver %O %A %B %P`).
//!
//! Decrypts base, ours and theirs, merges them key by key ([`tree3`]) and
//! re-encrypts with ours' data key and master keys, reusing the IV of every
//! value unchanged from ours (or from theirs when it shares the data key), so
//! the merged file differs from its parents only where values changed. On a
//! conflict the result is written *decrypted*, with git conflict markers, since
//! ciphertext cannot be resolved by hand; the guard refuses to commit it.

pub mod markers;
pub mod tree3;

use std::path::Path;

use crate::datakey::DataKey;
use crate::error::{Error, Result};
use crate::keys::DecryptionOrder;
use crate::ops::{self, EncryptedFile};
use crate::store::{Format, Store, StoreOptions, for_format};
use crate::tree::Tree;
use crate::walk::IvCache;
use zeroize::Zeroizing;

/// What the driver did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The merged file was written encrypted.
    Merged,
    /// The merged file was written in clear with markers at these key paths.
    Conflicts(Vec<String>),
}

fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|source| Error::ReadInput {
            path: path.to_path_buf(),
            source,
        })
}

/// Decrypts `bytes`: with `known` when it is the file's data key (recording IVs
/// in `cache`: they were made with that key), else with the file's own master
/// keys (no recording: those IVs belong to another key). The flag says whether
/// `known` worked.
fn open(
    bytes: &[u8],
    store: &dyn Store,
    known: Option<&DataKey>,
    order: &DecryptionOrder,
    cache: Option<&mut IvCache>,
) -> Result<(EncryptedFile, DataKey, bool)> {
    if let Some(key) = known {
        let mut file = ops::load_encrypted_file(bytes, store)?;
        if ops::decrypt_file_caching(&mut file, key, false, cache).is_ok() {
            return Ok((file, DataKey::from_slice(key.as_bytes())?, true));
        }
        let mut file = ops::load_encrypted_file(bytes, store)?;
        let key = ops::recover_key(&file.metadata, order)?;
        ops::decrypt_file(&mut file, &key, false)?;
        return Ok((file, key, false));
    }
    let mut file = ops::load_encrypted_file(bytes, store)?;
    let key = ops::recover_key(&file.metadata, order)?;
    ops::decrypt_file_caching(&mut file, &key, false, cache)?;
    Ok((file, key, false))
}

/// Merges the sops files `base`, `ours` and `theirs` (git's `%O %A %B`) and writes
/// the result over `ours`; `name` (`%P`) picks the format.
pub fn merge_files(
    base: &Path,
    ours: &Path,
    theirs: &Path,
    name: &str,
    options: StoreOptions,
    order: &DecryptionOrder,
) -> Result<Outcome> {
    let store = for_format(Format::from_path(name), options)?;
    let ours_bytes = read(ours)?;
    let theirs_bytes = read(theirs)?;
    let base_bytes = read(base)?;

    let mut cache = IvCache::default();
    let (ours_file, key, _) = open(&ours_bytes, store.as_ref(), None, order, Some(&mut cache))?;
    // Theirs' IVs join the cache only when theirs shares ours' data key.
    let (theirs_file, _, _) = open(
        &theirs_bytes,
        store.as_ref(),
        Some(&key),
        order,
        Some(&mut cache),
    )?;
    // A file added on both branches has an empty base.
    let base_tree = if base_bytes.iter().all(u8::is_ascii_whitespace) {
        Tree::default()
    } else {
        open(&base_bytes, store.as_ref(), Some(&key), order, None)?
            .0
            .tree
    };

    let merged = tree3::merge(&base_tree, &ours_file.tree, &theirs_file.tree);
    if !merged.conflicts.is_empty() {
        let o = Zeroizing::new(store.emit_plain(&merged.ours)?);
        let t = Zeroizing::new(store.emit_plain(&merged.theirs)?);
        let text = Zeroizing::new(markers::with_markers(
            &String::from_utf8_lossy(&o),
            &String::from_utf8_lossy(&t),
            name,
        ));
        write(ours, text.as_bytes())?;
        return Ok(Outcome::Conflicts(merged.conflicts));
    }
    if merged.ours == ours_file.tree {
        // Nothing came from theirs: ours stays byte for byte.
        return Ok(Outcome::Merged);
    }
    let mut tree = merged.ours;
    let mut metadata = ours_file.metadata;
    ops::encrypt_with_key_reusing(&mut tree, &mut metadata, &key, Some(&cache))?;
    let out = ops::emit_encrypted_file(&tree, &metadata, store.as_ref())?;
    write(ours, &out)?;
    Ok(Outcome::Merged)
}

/// Replaces `path` atomically (a sibling temp file renamed over it).
fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let err = |source| Error::WriteOutput {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(ours: &[u8]) -> (tempfile::TempDir, [std::path::PathBuf; 3]) {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        let paths = [p("base"), p("ours"), p("theirs")];
        std::fs::write(&paths[0], b"a: 1\n").unwrap();
        std::fs::write(&paths[1], ours).unwrap();
        std::fs::write(&paths[2], b"a: 3\n").unwrap();
        (dir, paths)
    }

    #[test]
    fn files_that_are_not_sops_files_are_an_error_and_ours_is_untouched() {
        let (_dir, [base, ours, theirs]) = files(b"a: 2\n");
        let r = merge_files(
            &base,
            &ours,
            &theirs,
            "x.yaml",
            StoreOptions::default(),
            &DecryptionOrder::default(),
        );
        assert!(matches!(r, Err(Error::MetadataNotFound)), "{r:?}");
        assert_eq!(std::fs::read(&ours).unwrap(), b"a: 2\n");
    }

    #[test]
    fn a_missing_input_is_a_read_error() {
        let (dir, [base, ours, _]) = files(b"a: 2\n");
        let r = merge_files(
            &base,
            &ours,
            &dir.path().join("gone"),
            "x.yaml",
            StoreOptions::default(),
            &DecryptionOrder::default(),
        );
        assert!(matches!(r, Err(Error::ReadInput { .. })), "{r:?}");
    }
}
