//! The binary store (spec §4.5, §6.5): the whole file is one string under `data`.
//!
//! Encrypted binary files are JSON documents, so everything but the plaintext
//! side is delegated to the JSON store (same indentation option).

use crate::error::{Error, Result};
use crate::store::json::JsonStore;
use crate::store::{Format, Store, StoreOptions};
use crate::tree::{Key, Map, Tree, Value, text};
use zeroize::Zeroizing;

/// Any file that is not YAML, JSON, dotenv or INI.
pub struct BinaryStore {
    json: JsonStore,
}

/// sops's hint printed after the binary store's errors on `decrypt`.
const NOT_BINARY_HINT: &str = "This is likely not an encrypted binary file? If not, use --output-type to select the correct output type.";

impl BinaryStore {
    /// A binary store; `options.indent` applies to the encrypted JSON envelope.
    pub fn new(options: StoreOptions) -> Self {
        Self {
            json: JsonStore::new(options),
        }
    }
}

/// The binary store's emit error with sops's hint (exit 4, as `decrypt` prints it).
fn emit_error(reason: &str) -> Error {
    Error::Dump(format!(
        "error emitting binary store: {reason}\n\n{NOT_BINARY_HINT}"
    ))
}

impl Store for BinaryStore {
    fn format(&self) -> Format {
        Format::Binary
    }

    fn load_plain(&self, input: &[u8]) -> Result<Tree> {
        let value = match std::str::from_utf8(input) {
            Ok(s) => Value::Str(text(s)),
            Err(_) => Value::Bytes(Zeroizing::new(input.to_vec())),
        };
        let mut map = Map::new();
        map.push("data", value);
        Ok(Tree {
            branches: vec![map],
        })
    }

    fn load_encrypted(&self, input: &[u8]) -> Result<(Tree, Map)> {
        self.json.load_encrypted(input)
    }

    fn emit_plain(&self, tree: &Tree) -> Result<Vec<u8>> {
        let [branch] = tree.branches.as_slice() else {
            return Err(emit_error("there must be exactly one tree branch"));
        };
        let data = branch
            .items
            .iter()
            .find(|item| matches!(&item.key, Key::Str(k) if k == "data"));
        match data.map(|item| &item.value) {
            Some(Value::Str(s)) => Ok(s.as_bytes().to_vec()),
            Some(Value::Bytes(b)) => Ok(b.to_vec()),
            Some(_) => Err(emit_error(
                "'data' key in tree does not have a string value",
            )),
            None => Err(emit_error("no binary data found in tree")),
        }
    }

    fn emit_encrypted(&self, tree: &Tree, metadata: &Map) -> Result<Vec<u8>> {
        self.json.emit_encrypted(tree, metadata)
    }

    fn emit_value(&self, _value: &Value) -> Result<Vec<u8>> {
        Err(Error::DumpTree(
            "Binary files are not structured and extracting a single value is not possible".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/vectors/generated-sops-3.11.0/cases"
    );

    fn store() -> BinaryStore {
        BinaryStore::new(StoreOptions::default())
    }

    #[test]
    fn plain_round_trip_is_byte_exact() {
        let plain = std::fs::read(format!("{CASES}/binary-basic.plain.bin")).unwrap();
        let tree = store().load_plain(&plain).unwrap();
        assert!(matches!(
            tree.branches[0].get("data"),
            Some(Value::Bytes(_))
        ));
        let out = store().emit_plain(&tree).unwrap();
        assert_eq!(
            out,
            std::fs::read(format!("{CASES}/binary-basic.dec.bin")).unwrap()
        );
        let example = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/vectors/sops-repo/_decrypted-by-sops-3.11.0/example.txt.decrypted"
        ))
        .unwrap();
        let tree = store().load_plain(&example).unwrap();
        assert!(matches!(tree.branches[0].get("data"), Some(Value::Str(_))));
        assert_eq!(store().emit_plain(&tree).unwrap(), example);
        let empty = store().load_plain(b"").unwrap();
        assert_eq!(empty.branches[0].get("data"), Some(&Value::str("")));
        assert_eq!(store().emit_plain(&empty).unwrap(), b"");
    }

    #[test]
    fn encrypted_envelope_round_trips() {
        for file in [
            format!("{CASES}/binary-basic.enc.bin"),
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../shared/vectors/sops-repo/example.txt"
            )
            .to_string(),
        ] {
            let input = std::fs::read(&file).unwrap();
            let (tree, meta) = store().load_encrypted(&input).unwrap();
            assert!(tree.branches[0].get("data").is_some());
            if file.contains("binary-basic") {
                assert!(meta.get("unencrypted_suffix").is_none());
                assert_eq!(store().emit_encrypted(&tree, &meta).unwrap(), input);
            }
        }
    }

    #[test]
    fn missing_data_gives_sops_error_and_hint() {
        let mut m = Map::new();
        m.push("hello", Value::str("world"));
        let e = store().emit_plain(&Tree { branches: vec![m] }).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Error dumping file: error emitting binary store: no binary data found in tree\n\nThis is likely not an encrypted binary file? If not, use --output-type to select the correct output type."
        );
        let mut m = Map::new();
        m.push("data", Value::Int(1));
        let e = store().emit_plain(&Tree { branches: vec![m] }).unwrap_err();
        assert!(
            e.to_string()
                .contains("'data' key in tree does not have a string value")
        );
        let e = store().emit_plain(&Tree::default()).unwrap_err();
        assert!(
            e.to_string()
                .contains("there must be exactly one tree branch")
        );
        assert!(store().emit_value(&Value::Int(1)).is_err());
    }
}
