//! Reads one helm values file: decides whether it is a sops file and, if so,
//! decrypts it in memory through the library (never via a temporary file), so
//! the wrapper, the `values` merge and the plugin share one code path.

use zeroize::Zeroizing;

use crate::error::Result;
use crate::ops::{self, DecryptConfig};
use crate::store::{self, Format, Store, StoreOptions};
use crate::tree::Map;

/// The format a values file is parsed with: JSON for `.json` (sops writes its
/// metadata differently there), YAML otherwise, as helm reads every values file as YAML.
pub fn values_format(name: &str) -> Format {
    match Format::from_path(name) {
        Format::Json => Format::Json,
        _ => Format::Yaml,
    }
}

fn store_for(format: Format) -> Result<Box<dyn Store>> {
    store::for_format(format, StoreOptions::default())
}

/// Whether `input` is a sops-encrypted document: it parses and its first
/// document has a top-level `sops` key. Anything else (including what does not
/// parse) is left for helm to read and judge.
pub fn is_encrypted(input: &[u8], format: Format) -> bool {
    let Ok(store) = store_for(format) else {
        return false;
    };
    store
        .load_plain(input)
        .is_ok_and(|tree| store.looks_encrypted(&tree))
}

/// Decrypts a sops file into the YAML document helm will read (plaintext in a
/// zeroizing buffer). The MAC is verified unless `config.ignore_mac`.
pub fn decrypt_to_yaml(
    input: &[u8],
    format: Format,
    config: &DecryptConfig,
) -> Result<Zeroizing<Vec<u8>>> {
    let input_store = store_for(format)?;
    let output_store = store_for(Format::Yaml)?;
    ops::decrypt(input, input_store.as_ref(), output_store.as_ref(), config)
}

/// The values map of one file as helm would see it: decrypted when it is a sops
/// file, its first document only (helm reads one document per values file), an
/// empty map for an empty file.
pub fn load_values(input: &[u8], format: Format, config: &DecryptConfig) -> Result<Map> {
    let store = store_for(format)?;
    let tree = if is_encrypted(input, format) {
        let mut file = ops::load_encrypted_file(input, store.as_ref())?;
        let key = ops::recover_key(&file.metadata, &config.order)?;
        ops::decrypt_file(&mut file, &key, config.ignore_mac)?;
        file.tree
    } else {
        match store.load_plain(input) {
            // helm reads an empty values file as no values.
            Err(crate::error::Error::EmptyFile) => return Ok(Map::new()),
            other => other?,
        }
    };
    Ok(tree.branches.into_iter().next().unwrap_or_default())
}

/// Writes a values map as the YAML document helm would read.
pub fn emit_yaml(values: Map) -> Result<Zeroizing<Vec<u8>>> {
    let store = store_for(Format::Yaml)?;
    let tree = crate::tree::Tree {
        branches: vec![values],
    };
    store.emit_plain(&tree).map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO_ENC_KEY_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.agekey");

    #[test]
    fn plain_files_are_not_encrypted() {
        assert!(!is_encrypted(b"a: 1\n", Format::Yaml));
        assert!(!is_encrypted(b"", Format::Yaml));
        assert!(!is_encrypted(b"{{ not yaml", Format::Yaml));
        assert!(!is_encrypted(b"{\"a\": 1}", Format::Json));
    }

    #[test]
    fn a_top_level_sops_key_marks_a_sops_file() {
        assert!(is_encrypted(
            b"a: 1\nsops:\n  version: 3.11.0\n",
            Format::Yaml
        ));
        assert!(!is_encrypted(b"a:\n  sops: 1\n", Format::Yaml));
    }

    #[test]
    fn values_format_follows_the_extension() {
        assert_eq!(values_format("x.json"), Format::Json);
        assert_eq!(values_format("x.yaml"), Format::Yaml);
        assert_eq!(values_format("/dev/stdin"), Format::Yaml);
        assert_eq!(values_format("x.env"), Format::Yaml);
    }

    #[test]
    fn plain_values_load_first_document_and_empty_is_empty() {
        let cfg = DecryptConfig::default();
        let m = load_values(b"a: 1\n---\nb: 2\n", Format::Yaml, &cfg).unwrap();
        assert!(m.get("a").is_some() && m.get("b").is_none());
        assert!(
            load_values(b"", Format::Yaml, &cfg)
                .unwrap()
                .items
                .is_empty()
        );
    }

    #[test]
    fn a_broken_sops_file_is_an_error_not_plaintext() {
        let cfg = DecryptConfig::default();
        let bad = b"a: ENC[AES256_GCM,data:xx,iv:yy,tag:zz,type:str]\nsops:\n  mac: nope\n";
        assert!(load_values(bad, Format::Yaml, &cfg).is_err());
        assert!(decrypt_to_yaml(bad, Format::Yaml, &cfg).is_err());
        // The demo key exists for the integration tests that decrypt for real.
        assert!(std::path::Path::new(DEMO_ENC_KEY_FILE).is_file());
    }
}
