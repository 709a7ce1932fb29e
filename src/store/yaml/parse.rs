//! YAML parsing into the tree (stub: filled in by the YAML-parser work).

use crate::error::{Error, Result};
use crate::tree::{Map, Tree};

/// Parses a plaintext YAML stream.
pub fn load_plain(input: &[u8]) -> Result<Tree> {
    let _ = input;
    Err(Error::Other("YAML parser: not built yet".into()))
}

/// Parses an encrypted YAML stream: data branches and the first document's `sops` map.
pub fn load_encrypted(input: &[u8]) -> Result<(Tree, Map)> {
    let _ = input;
    Err(Error::Other("YAML parser: not built yet".into()))
}
