//! The library side of `edit`, `set`/`unset` and `rotate` (spec §8.1, §8.2): open a
//! file keeping each value's IV, change the tree, seal it again with the same data key.
//!
//! Re-encrypting with the IVs remembered at decryption (see [`crate::walk::IvCache`])
//! is what makes a one-value change a one-line diff, as with sops. Process
//! concerns (editor, temporary files, signals) stay in the CLI.

use crate::datakey::DataKey;
use crate::error::{Error, Result};
use crate::keys::{DecryptionOrder, MasterKey};
use crate::metadata::Metadata;
use crate::ops::{self, EncryptedFile};
use crate::store::{Format, Store, StoreOptions};
use crate::tree::{Tree, Value};
use crate::treepath::{PathComponent, Unset};
use crate::walk::IvCache;

/// sops 3.11's example document for a new YAML file (what its editor shows).
const EXAMPLE_YAML: &str = "hello: Welcome to SOPS! Edit this file as you please!
example_key: example_value
# Example comment
example_array:
    - example_value1
    - example_value2
example_number: 1234.56789
example_booleans:
    - true
    - false
";

/// The JSON example (tab-indented, as the JSON store writes it).
const EXAMPLE_JSON: &str = "{
\t\"hello\": \"Welcome to SOPS! Edit this file as you please!\",
\t\"example_key\": \"example_value\",
\t\"example_array\": [
\t\t\"example_value1\",
\t\t\"example_value2\"
\t],
\t\"example_number\": 1234.56789,
\t\"example_booleans\": [
\t\ttrue,
\t\tfalse
\t]
}
";

/// The dotenv example (flat: no lists).
const EXAMPLE_DOTENV: &str = "# This is an example file.
hello=Welcome to SOPS! Edit this file as you please!
example_key=example_value
example_multiline=foo\\nbar\\nbaz
";

/// The INI example (one section).
const EXAMPLE_INI: &str = "; This is an example file.
[Welcome!]
hello       = Welcome to SOPS! Edit this file as you please!
example_key = example_value
";

/// The binary example: the text alone, no newline.
const EXAMPLE_BINARY: &str = "Welcome to SOPS! Edit this file as you please!";

/// The document a new file starts from in the editor, as sops 3.11 writes it for `format`.
pub fn example_document(format: Format) -> &'static [u8] {
    match format {
        Format::Yaml => EXAMPLE_YAML.as_bytes(),
        Format::Json => EXAMPLE_JSON.as_bytes(),
        Format::Dotenv => EXAMPLE_DOTENV.as_bytes(),
        Format::Ini => EXAMPLE_INI.as_bytes(),
        Format::Binary => EXAMPLE_BINARY.as_bytes(),
    }
}

const NOT_JSON: &str = "Value for --set is not valid JSON";
const BAD_VALUE: &str = "Invalid --set value format";

/// A `set` value as sops reads it: Go `json.Unmarshal` syntax; numbers become
/// floats; an object is loaded by the JSON store (key order kept); a top-level
/// array is refused (`Invalid --set value format`), as sops refuses it.
pub fn parse_set_value(input: &[u8]) -> Result<Value> {
    if !crate::store::json::is_valid_json(input) {
        return Err(Error::InvalidSet(NOT_JSON.into()));
    }
    let first = input.iter().copied().find(|b| !b" \t\r\n".contains(b));
    let store = crate::store::json::JsonStore::new(StoreOptions::default());
    let bad = |_| Error::InvalidSet(BAD_VALUE.into());
    match first {
        Some(b'{') => {
            let tree = store.load_plain(input).map_err(bad)?;
            let map = tree.branches.into_iter().next().unwrap_or_default();
            Ok(Value::Map(map))
        }
        Some(b'[') => Err(Error::InvalidSet(BAD_VALUE.into())),
        _ => {
            // A lone scalar: read it as the value of a one-key object so the
            // store's number and string rules apply unchanged.
            let mut wrapped = zeroize::Zeroizing::new(b"{\"v\":".to_vec());
            wrapped.extend_from_slice(input);
            wrapped.push(b'}');
            let tree = store.load_plain(&wrapped).map_err(bad)?;
            tree.branches
                .into_iter()
                .next()
                .and_then(|mut m| m.remove("v"))
                .ok_or_else(|| Error::InvalidSet(BAD_VALUE.into()))
        }
    }
}

/// Parses a `set`/`unset` index; `what` is `set` or `unset` for sops's message
/// (`Invalid set index format`, exit 7). An empty path (`[`, ``), on which
/// sops panics, is refused the same way.
pub fn parse_index(arg: &str, what: &str) -> Result<Vec<PathComponent>> {
    match crate::treepath::parse_components(arg) {
        Ok(path) if !path.is_empty() => Ok(path),
        _ => Err(Error::InvalidSet(format!("Invalid {what} index format"))),
    }
}

/// Legacy `--set '<path> <json>'`: split after the first `"] "`, value checked first.
pub fn parse_legacy_set(arg: &str) -> Result<(Vec<PathComponent>, Value)> {
    let bad = || Error::InvalidSet("Invalid --set format".into());
    let Some(at) = arg.find("] ") else {
        return Err(bad());
    };
    let (path, value) = arg.split_at(at + 2);
    let value = parse_set_value(value.as_bytes())?;
    let path = crate::treepath::parse_components(path.trim_end_matches(' ')).map_err(|_| bad())?;
    Ok((path, value))
}

/// A decrypted file with what is needed to seal it again with small diffs.
pub struct Opened {
    /// The file, values in clear.
    pub file: EncryptedFile,
    /// Its data key.
    pub key: DataKey,
    /// The IVs of its values, for [`seal`].
    pub cache: IvCache,
}

/// Loads, recovers the data key and decrypts, remembering IVs (MAC checked unless `ignore_mac`).
pub fn open(
    input: &[u8],
    store: &dyn Store,
    order: &DecryptionOrder,
    ignore_mac: bool,
) -> Result<Opened> {
    let mut file = ops::load_encrypted_file(input, store)?;
    let key = ops::recover_key(&file.metadata, order)?;
    let mut cache = IvCache::default();
    ops::decrypt_file_caching(&mut file, &key, ignore_mac, Some(&mut cache))?;
    Ok(Opened { file, key, cache })
}

/// Encrypts again with the same data key, reusing IVs of unchanged values;
/// `lastmodified` and the MAC are renewed. Returns the file in `store`'s shape.
pub fn seal(opened: &mut Opened, store: &dyn Store) -> Result<Vec<u8>> {
    let before = (
        opened.file.metadata.last_modified.clone(),
        opened.file.metadata.mac.clone(),
    );
    ops::encrypt_with_key_reusing(
        &mut opened.file.tree,
        &mut opened.file.metadata,
        &opened.key,
        Some(&opened.cache),
    )?;
    keep_unchanged_mac(&mut opened.file.metadata, &opened.key, &before.0, before.1);
    emit(&opened.file, store)
}

/// sops also reuses the MAC's IV: when neither the MAC nor `lastmodified`
/// (whole seconds) changed, the stored MAC is kept, so an unchanged file is
/// written back byte for byte, as sops writes it.
fn keep_unchanged_mac(
    metadata: &mut Metadata,
    key: &DataKey,
    last_modified: &str,
    old_mac: String,
) {
    if metadata.last_modified != last_modified {
        return;
    }
    let cipher = crate::cipher::Cipher::new(key.as_bytes());
    let aad = last_modified.as_bytes();
    match (
        cipher.decrypt(&old_mac, aad),
        cipher.decrypt(&metadata.mac, aad),
    ) {
        (Ok(a), Ok(b)) if a == b => metadata.mac = old_mac,
        _ => {}
    }
}

/// Writes an encrypted file; a store failure is worded as sops words it in
/// `edit`, `set`, `unset` and `rotate` (`Could not marshal tree: …`, exit 4).
pub fn emit(file: &EncryptedFile, store: &dyn Store) -> Result<Vec<u8>> {
    ops::emit_encrypted_file(&file.tree, &file.metadata, store).map_err(marshal_error)
}

/// [`Error::MarshalTree`] from a store's emit error.
pub fn marshal_error(e: Error) -> Error {
    match e {
        Error::Dump(m) | Error::DumpTree(m) => Error::MarshalTree(m),
        other => other,
    }
}

fn first_branch(tree: &mut Tree) -> Result<&mut crate::tree::Map> {
    tree.branches
        .first_mut()
        .ok_or_else(|| Error::Other("the file has no document".into()))
}

/// `set` on the first document; returns whether anything changed.
pub fn set(tree: &mut Tree, path: &[PathComponent], value: Value) -> Result<bool> {
    crate::treepath::set(first_branch(tree)?, path, value)
}

/// `unset` on the first document. A missing key is `Ok(false)` when
/// `idempotent`, else an error with sops's message (exit 1).
pub fn unset(tree: &mut Tree, path: &[PathComponent], idempotent: bool) -> Result<bool> {
    match crate::treepath::unset(first_branch(tree)?, path)? {
        Unset::Removed => Ok(true),
        Unset::NotFound(_) if idempotent => Ok(false),
        Unset::NotFound(msg) => Err(Error::Other(msg)),
    }
}

/// How sops's `rotate` matches a key to remove (`MasterKey.ToString()`): the
/// ARN alone for KMS, the recipient or fingerprint otherwise.
fn removal_id(key: &MasterKey) -> String {
    match key {
        MasterKey::Kms(k) => k.arn().to_string(),
        other => other.identifier(),
    }
}

/// `rotate --add-*/--rm-*`: added keys go to the first group, removed keys
/// leave every group (matched by type and identifier).
pub fn change_keys(metadata: &mut Metadata, add: Vec<MasterKey>, remove: &[MasterKey]) {
    if !add.is_empty() {
        if metadata.key_groups.is_empty() {
            metadata.key_groups.push(crate::keys::KeyGroup::default());
        }
        if let Some(first) = metadata.key_groups.first_mut() {
            first.keys.extend(add);
        }
    }
    for rm in remove {
        let id = removal_id(rm);
        for group in &mut metadata.key_groups {
            group
                .keys
                .retain(|k| !(k.type_name() == rm.type_name() && removal_id(k) == id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Key;

    #[test]
    fn set_values_follow_go_json() {
        assert_eq!(parse_set_value(b"43").unwrap(), Value::Float(43.0));
        assert_eq!(parse_set_value(b" \"x\"\n").unwrap(), Value::str("x"));
        assert_eq!(parse_set_value(b"true").unwrap(), Value::Bool(true));
        assert_eq!(parse_set_value(b"null").unwrap(), Value::Null);
        let Value::Map(m) = parse_set_value(br#"{"z":1,"a":[1,"x"]}"#).unwrap() else {
            panic!("not a map");
        };
        let keys: Vec<_> = m
            .items
            .iter()
            .map(|i| match &i.key {
                Key::Str(k) => k.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(keys, ["z", "a"]);
        assert_eq!(m.get("z"), Some(&Value::Float(1.0)));
    }

    #[test]
    fn bad_set_values_are_refused_like_sops() {
        for bad in [&b"notjson"[..], b"", b"{\"a\":1} x", b"1 2", b"{\"a\":"] {
            assert_eq!(
                parse_set_value(bad).unwrap_err().to_string(),
                NOT_JSON,
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_set_value(b"[1,2]").unwrap_err().to_string(),
            BAD_VALUE
        );
    }

    #[test]
    fn legacy_set_splits_at_the_first_bracket_space() {
        let (path, value) = parse_legacy_set(r#"["a"]["b"] {"k": [1]}"#).unwrap();
        assert_eq!(
            path,
            [
                PathComponent::Key("a".into()),
                PathComponent::Key("b".into())
            ]
        );
        assert!(matches!(value, Value::Map(_)));
        assert_eq!(
            parse_legacy_set("bad").unwrap_err().to_string(),
            "Invalid --set format"
        );
        assert_eq!(
            parse_legacy_set(r#"["a"] bad"#).unwrap_err().to_string(),
            NOT_JSON
        );
        assert_eq!(
            parse_legacy_set(r#"[x"a"] 1"#).unwrap_err().to_string(),
            "Invalid --set format"
        );
    }

    #[test]
    fn index_errors_name_the_command() {
        assert_eq!(
            parse_index("[", "unset").unwrap_err().to_string(),
            "Invalid unset index format"
        );
        assert_eq!(parse_index(r#"["a"][0]"#, "set").unwrap().len(), 2);
    }

    #[test]
    fn examples_load_in_their_own_store() {
        for format in [
            Format::Yaml,
            Format::Json,
            Format::Dotenv,
            Format::Ini,
            Format::Binary,
        ] {
            let store = crate::store::for_format(format, StoreOptions::default()).unwrap();
            let tree = store.load_plain(example_document(format)).unwrap();
            let out = store.emit_plain(&tree).unwrap();
            assert_eq!(out, example_document(format), "{format:?}");
        }
    }

    #[test]
    fn unset_missing_key_is_an_error_unless_idempotent() {
        let mut tree = Tree {
            branches: vec![crate::tree::Map::new()],
        };
        let path = [PathComponent::Key("nope".into())];
        assert_eq!(
            unset(&mut tree, &path, false).unwrap_err().to_string(),
            "Key not found: nope"
        );
        assert!(!unset(&mut tree, &path, true).unwrap());
        assert!(set(&mut tree, &path, Value::Float(1.0)).unwrap());
        assert!(unset(&mut tree, &path, false).unwrap());
    }

    #[test]
    fn an_unchanged_mac_keeps_its_ciphertext_within_the_same_second() {
        let key = DataKey::generate().unwrap();
        let cipher = crate::cipher::Cipher::new(key.as_bytes());
        let mut md = crate::ops::new_metadata(
            false,
            crate::ops::EncryptConfig {
                key_groups: vec![],
                shamir_threshold: 0,
                rule: None,
                mac_only_encrypted: false,
            },
        );
        let t = "2026-11-25T17:00:00Z";
        let old = crate::mac::encrypt_mac(&cipher, "ABC", t).unwrap();
        md.last_modified = t.into();
        md.mac = crate::mac::encrypt_mac(&cipher, "ABC", t).unwrap();
        assert_ne!(md.mac, old, "fresh IVs differ");
        keep_unchanged_mac(&mut md, &key, t, old.clone());
        assert_eq!(md.mac, old);
        // Another MAC, or another second: the new MAC stays.
        md.mac = crate::mac::encrypt_mac(&cipher, "DEF", t).unwrap();
        let new = md.mac.clone();
        keep_unchanged_mac(&mut md, &key, t, old.clone());
        assert_eq!(md.mac, new);
        keep_unchanged_mac(&mut md, &key, "2026-11-25T17:00:01Z", old);
        assert_eq!(md.mac, new);
    }

    #[test]
    fn emit_failures_are_worded_as_in_edit_and_set() {
        assert_eq!(
            marshal_error(Error::Dump("x".into())).to_string(),
            "Could not marshal tree: x"
        );
        assert!(matches!(marshal_error(Error::EmptyFile), Error::EmptyFile));
    }

    #[test]
    fn keys_are_added_to_the_first_group_and_removed_from_all() {
        use crate::keys::KeyGroup;
        use crate::keys::age::AgeKey;
        const A: &str = "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr";
        const B: &str = "age1sejqed925yw6jgarccflp4x5ywce2kt82nr4l5ytyaz4t7f344ns3ghk62";
        let age = |r: &str| MasterKey::Age(AgeKey::new(r).unwrap());
        let mut md = crate::ops::new_metadata(
            false,
            crate::ops::EncryptConfig {
                key_groups: vec![
                    KeyGroup { keys: vec![age(A)] },
                    KeyGroup {
                        keys: vec![age(A), age(B)],
                    },
                ],
                shamir_threshold: 0,
                rule: None,
                mac_only_encrypted: false,
            },
        );
        change_keys(&mut md, vec![age(B)], &[age(A)]);
        let ids: Vec<Vec<String>> = md
            .key_groups
            .iter()
            .map(|g| g.keys.iter().map(MasterKey::identifier).collect())
            .collect();
        assert_eq!(ids, [vec![B.to_string()], vec![B.to_string()]]);
    }
}
