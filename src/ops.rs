//! Whole-file operations the CLI calls: encrypt and decrypt bytes between stores.
//!
//! `encrypt` and `decrypt` are built from small steps (load, recover the key,
//! walk, check the MAC, emit) that are public too, so that `edit`, `set`,
//! `unset` and `rotate` can reuse them in their own order:
//!
//! * edit / set / unset: [`load_encrypted_file`] → [`recover_key`] →
//!   [`decrypt_file_caching`] (remembers IVs) → change `file.tree` (for
//!   set/unset see [`crate::treepath::set`] / [`crate::treepath::unset`] on
//!   the first document) → edit only: [`bump_version_for_edit`] →
//!   [`encrypt_with_key_reusing`] with the same key and cache (unchanged
//!   values keep their ciphertext) → [`emit_encrypted_file`].
//! * rotate: [`load_encrypted_file`] → [`recover_key`] → [`decrypt_file`] →
//!   add/remove master keys in `file.metadata.key_groups` →
//!   [`rotate_decrypted`] → [`emit_encrypted_file`].
//! * filestatus: [`file_status`].
//! * many files (batch decrypt, `updatekeys`, helm values): open a
//!   [`keycache::KeyCacheScope`], call [`prefetch_keys`] with every file's
//!   metadata, then handle the files one by one; [`recover_key`] then serves
//!   each distinct wrapped key from the cache (unwrapped once, concurrently).

use crate::cipher::Cipher;
use crate::datakey::DataKey;
use crate::error::{Error, Result};
use crate::keys::{DecryptionOrder, KeyGroup};
use crate::metadata::Metadata;
use crate::selection::{DEFAULT_UNENCRYPTED_SUFFIX, SelectionRule};
use crate::store::{Format, Store};
use crate::tree::{Item, Key, Map, Timestamp, Tree, Value};
use crate::treepath::{Found, PathComponent};
use crate::walk::IvCache;
use zeroize::Zeroizing;

pub mod keycache;

/// What `encrypt` needs besides the input.
pub struct EncryptConfig {
    /// Master keys, one entry per key group.
    pub key_groups: Vec<KeyGroup>,
    /// Shamir threshold (0 = number of groups when there are several).
    pub shamir_threshold: usize,
    /// The selection rule; `None` = default `_unencrypted` suffix (ignored for binary).
    pub rule: Option<SelectionRule>,
    /// `--mac-only-encrypted`.
    pub mac_only_encrypted: bool,
}

/// What `decrypt` needs besides the input.
#[derive(Default)]
pub struct DecryptConfig {
    /// `--ignore-mac`.
    pub ignore_mac: bool,
    /// `--decryption-order`.
    pub order: DecryptionOrder,
    /// `--extract` path (`["a"][0]`), if any.
    pub extract: Option<String>,
}

/// A loaded encrypted file: its data (still encrypted, or decrypted in place) and metadata.
pub struct EncryptedFile {
    /// The documents.
    pub tree: Tree,
    /// The parsed `sops` entry.
    pub metadata: Metadata,
}

/// Encrypts a plaintext file read with `input_store`, written with `output_store`.
pub fn encrypt(
    input: &[u8],
    input_store: &dyn Store,
    output_store: &dyn Store,
    config: EncryptConfig,
) -> Result<Vec<u8>> {
    let mut tree = input_store.load_plain(input)?;
    if tree.branches.is_empty() {
        return Err(Error::EmptyFile);
    }
    if output_store.looks_encrypted(&tree) {
        return Err(Error::AlreadyEncrypted);
    }
    // A binary (single-value) input carries no selection rule at all; what
    // counts is the input store: YAML written with the binary store keeps its rule.
    let single_value = input_store.format() == Format::Binary;
    let (metadata, _key) = encrypt_new(&mut tree, single_value, config)?;
    emit_encrypted_file(&tree, &metadata, output_store)
}

/// The metadata a new file starts with (before the data key is wrapped).
pub fn new_metadata(single_value: bool, config: EncryptConfig) -> Metadata {
    let rule =
        if single_value {
            None
        } else {
            Some(config.rule.unwrap_or_else(|| {
                SelectionRule::UnencryptedSuffix(DEFAULT_UNENCRYPTED_SUFFIX.into())
            }))
        };
    let mut shamir_threshold = config.shamir_threshold;
    if config.key_groups.len() > 1 && shamir_threshold == 0 {
        shamir_threshold = config.key_groups.len();
    }
    Metadata {
        key_groups: config.key_groups,
        shamir_threshold,
        last_modified: String::new(),
        mac: String::new(),
        rule,
        mac_only_encrypted: config.mac_only_encrypted && !single_value,
        version: crate::version::PROGRAM_VERSION.to_string(),
    }
}

/// Encrypts a fresh plaintext tree: new data key wrapped by every master key
/// (first, as sops does), then the values and the MAC.
pub fn encrypt_new(
    tree: &mut Tree,
    single_value: bool,
    config: EncryptConfig,
) -> Result<(Metadata, DataKey)> {
    let mut metadata = new_metadata(single_value, config);
    let key = DataKey::generate()?;
    wrap_key(&mut metadata, &key)?;
    encrypt_with_key(tree, &mut metadata, &key)?;
    Ok((metadata, key))
}

/// Wraps `key` with every master key of the metadata (errors → exit 1 "Could not generate data key").
pub fn wrap_key(metadata: &mut Metadata, key: &DataKey) -> Result<()> {
    // The threshold was already settled in `new_metadata` (0 → number of groups),
    // so whatever the key layer reports back about it is not needed here.
    crate::keys::wrap_data_key(&mut metadata.key_groups, metadata.shamir_threshold, key)
        .map(|_| ())
        .map_err(|e| match e {
            Error::GenerateDataKey(_) => e,
            other => Error::GenerateDataKey(other.to_string()),
        })
}

/// Encrypts a plaintext tree in place with `key`, then sets `lastmodified`
/// to now and stores the encrypted MAC (encrypt, edit, set, rotate).
pub fn encrypt_with_key(tree: &mut Tree, metadata: &mut Metadata, key: &DataKey) -> Result<()> {
    encrypt_with_key_reusing(tree, metadata, key, None)
}

/// [`encrypt_with_key`], keeping the ciphertext of values unchanged since
/// [`decrypt_file_caching`] filled `cache` (edit, set: small diffs).
pub fn encrypt_with_key_reusing(
    tree: &mut Tree,
    metadata: &mut Metadata,
    key: &DataKey,
    cache: Option<&IvCache>,
) -> Result<()> {
    let cipher = Cipher::new(key.as_bytes());
    let mac = crate::walk::encrypt_tree_reusing(
        tree,
        &cipher,
        &metadata.selector(),
        metadata.mac_only_encrypted,
        cache,
    )?;
    metadata.last_modified = Timestamp::now_utc().to_rfc3339();
    metadata.mac = crate::mac::encrypt_mac(&cipher, &mac, &metadata.last_modified)?;
    Ok(())
}

/// `rotate` after [`decrypt_file`]: a new data key, wrapped by the file's
/// (possibly changed) master keys, re-encrypts every value with fresh IVs;
/// `lastmodified` and `mac` are renewed, `version` is kept.
pub fn rotate_decrypted(file: &mut EncryptedFile) -> Result<DataKey> {
    let key = DataKey::generate()?;
    wrap_key(&mut file.metadata, &key)?;
    encrypt_with_key(&mut file.tree, &mut file.metadata, &key)?;
    Ok(key)
}

/// `edit` bumps the file's version to ours when ours is newer (spec §3.4).
pub fn bump_version_for_edit(metadata: &mut Metadata) -> Result<()> {
    let ours = crate::version::PROGRAM_VERSION;
    if crate::version::is_newer(ours, &metadata.version)? {
        metadata.version = ours.to_string();
    }
    Ok(())
}

/// Writes an encrypted tree with its metadata in the store's shape.
/// sops words a failure here "Could not marshal tree" (exit 4) in every
/// command that writes an encrypted file, unlike decrypt's "Error dumping file".
pub fn emit_encrypted_file(tree: &Tree, metadata: &Metadata, store: &dyn Store) -> Result<Vec<u8>> {
    store
        .emit_encrypted(tree, &metadata.to_map(store.metadata_form()))
        .map_err(|e| match e {
            Error::Dump(m) => Error::MarshalTree(m),
            other => other,
        })
}

/// Decrypts an encrypted file; the result is plaintext (zeroized on drop).
pub fn decrypt(
    input: &[u8],
    input_store: &dyn Store,
    output_store: &dyn Store,
    config: &DecryptConfig,
) -> Result<Zeroizing<Vec<u8>>> {
    // sops parses the path before it touches the file (exit 91 first).
    let extract = match config.extract.as_deref() {
        Some(p) if !p.is_empty() => Some(crate::treepath::parse_extract_path(p)?),
        _ => None,
    };
    let mut file = load_encrypted_file(input, input_store)?;
    let key = recover_key(&file.metadata, &config.order)?;
    decrypt_file(&mut file, &key, config.ignore_mac)?;
    match extract {
        Some(path) => extract_value_from(
            &file.tree,
            &path,
            output_store,
            matches!(input_store.format(), Format::Json | Format::Ini),
        ),
        None => output_store.emit_plain(&file.tree).map(Zeroizing::new),
    }
}

/// Loads an encrypted file and parses and checks its metadata (steps 1 of §3.3).
pub fn load_encrypted_file(input: &[u8], store: &dyn Store) -> Result<EncryptedFile> {
    let (tree, map) = store.load_encrypted(input)?;
    let metadata = Metadata::from_map(&map)?;
    crate::version::check_version(&metadata.version)?;
    Ok(EncryptedFile { tree, metadata })
}

/// `filestatus`: whether `input` is a sops file — metadata present with a
/// non-empty `version` and `mac`. Missing metadata is `false`; other load
/// errors (bad `lastmodified`, two rules, no keys) are errors. The version is
/// not checked for semver here, as in sops.
pub fn file_status(input: &[u8], store: &dyn Store) -> Result<bool> {
    match store.load_encrypted(input) {
        Err(Error::MetadataNotFound) => Ok(false),
        Err(e) => Err(e),
        Ok((_, map)) => {
            let metadata = Metadata::from_map(&map)?;
            Ok(!metadata.version.is_empty() && !metadata.mac.is_empty())
        }
    }
}

/// Recovers the data key with the file's master keys (exit 128 on failure);
/// inside a [`keycache::KeyCacheScope`], each distinct wrapped key only once.
pub fn recover_key(metadata: &Metadata, order: &DecryptionOrder) -> Result<DataKey> {
    keycache::recover_key_cached(metadata, order, || {
        crate::keys::recover_data_key(&metadata.key_groups, metadata.shamir_threshold, order)
    })
}

/// Unwraps the distinct data keys of `files` concurrently (bounded) into the
/// open [`keycache::KeyCacheScope`], so that [`recover_key`] finds them.
pub fn prefetch_keys<'a>(files: impl IntoIterator<Item = &'a Metadata>, order: &DecryptionOrder) {
    keycache::prefetch(files, order, |md| {
        crate::keys::recover_data_key(&md.key_groups, md.shamir_threshold, order)
    });
}

/// [`recover_key`] with identities taken from `env` instead of the process environment.
pub fn recover_key_with(
    metadata: &Metadata,
    order: &DecryptionOrder,
    env: &crate::keys::environment::Environment,
) -> Result<DataKey> {
    crate::keys::recover_data_key_with(&metadata.key_groups, metadata.shamir_threshold, order, env)
}

/// Decrypts the values in place and checks the MAC unless `ignore_mac`
/// (steps 3 and 4 of §3.3). Comments that do not decrypt are kept and reported on stderr.
pub fn decrypt_file(file: &mut EncryptedFile, key: &DataKey, ignore_mac: bool) -> Result<()> {
    decrypt_file_caching(file, key, ignore_mac, None)
}

/// [`decrypt_file`], remembering each value's IV in `cache` for a later
/// [`encrypt_with_key_reusing`] with the same key.
pub fn decrypt_file_caching(
    file: &mut EncryptedFile,
    key: &DataKey,
    ignore_mac: bool,
    cache: Option<&mut IvCache>,
) -> Result<()> {
    let cipher = Cipher::new(key.as_bytes());
    let out = crate::walk::decrypt_tree_caching(
        &mut file.tree,
        &cipher,
        &file.metadata.selector(),
        file.metadata.mac_only_encrypted,
        cache,
    )?;
    for w in &out.warnings {
        eprintln!("[SOPS]\t level=warning {w}");
    }
    crate::mac::verify_mac(
        &cipher,
        &file.metadata.mac,
        &file.metadata.last_modified,
        &out.mac,
        ignore_mac,
    )
}

/// `--extract`: a string is written raw, a map as a whole document (replacing
/// the first document, as sops does), anything else with the store's value emitter.
pub fn extract_value(
    tree: &Tree,
    path: &[PathComponent],
    store: &dyn Store,
) -> Result<Zeroizing<Vec<u8>>> {
    extract_value_from(tree, path, store, false)
}

/// [`extract_value`] knowing whether the tree was read from JSON or INI: those
/// sops readers leave empty objects/sections as nil maps, which encoding/json (the INI value
/// emitter, and JSON for a map item) writes as `null` instead of `[]`.
fn extract_value_from(
    tree: &Tree,
    path: &[PathComponent],
    store: &dyn Store,
    nil_empty: bool,
) -> Result<Zeroizing<Vec<u8>>> {
    let encoding_json = nil_empty && matches!(store.format(), Format::Json | Format::Ini);
    let nil_maps = |v: &Value| -> Value {
        if encoding_json {
            nil_empty_maps(v)
        } else {
            v.clone()
        }
    };
    let first = tree
        .branches
        .first()
        .ok_or_else(|| Error::TruncateTree("the file has no document".into()))?;
    match crate::treepath::lookup(first, path)? {
        Found::Map(m) => {
            let mut out = tree.clone();
            if let Some(b) = out.branches.first_mut() {
                *b = m.clone();
            }
            store.emit_plain(&out).map(Zeroizing::new)
        }
        Found::Item(item) => {
            let item = Item {
                key: item.key.clone(),
                value: nil_maps(&item.value),
            };
            emit_map_item(&item, store).map(Zeroizing::new)
        }
        Found::Value(Value::Str(s)) => Ok(Zeroizing::new(s.as_bytes().to_vec())),
        Found::Value(Value::Bytes(b)) => Ok(Zeroizing::new(b.to_vec())),
        Found::Value(v) if store.format() == Format::Ini => {
            store.emit_value(&nil_maps(v)).map(Zeroizing::new)
        }
        Found::Value(v) => store.emit_value(v).map(Zeroizing::new),
    }
}

/// Every empty map inside `v` replaced by null (see [`extract_value_from`]).
fn nil_empty_maps(v: &Value) -> Value {
    match v {
        Value::Map(m) if m.items.is_empty() => Value::Null,
        Value::Map(m) => Value::Map(Map {
            items: m
                .items
                .iter()
                .map(|it| Item {
                    key: it.key.clone(),
                    value: nil_empty_maps(&it.value),
                })
                .collect(),
        }),
        Value::List(l) => Value::List(l.iter().map(nil_empty_maps).collect()),
        other => other.clone(),
    }
}

/// A map item picked by an index (`--extract '[0]'` on a map): sops hands its
/// in-memory `TreeItem{Key, Value}` struct to the store's value emitter, so
/// YAML writes it as a `key:`/`value:` mapping and JSON/INI as
/// `{"Key":…,"Value":…}`, with nested maps as lists of such items.
fn emit_map_item(item: &Item, store: &dyn Store) -> Result<Vec<u8>> {
    let plain_key = |key: &Key| match key {
        Key::Str(k) => Value::str(k.as_str()),
        Key::Comment(c) => Value::Comment(c.clone()),
        Key::Scalar(v) => (**v).clone(),
    };
    match store.format() {
        Format::Dotenv => Err(Error::DumpTree(
            "the dotenv store only supports emitting strings, got sops.TreeItem".into(),
        )),
        Format::Ini => {
            // encoding/json of the struct, compact; `compact` already writes
            // maps and comments in sops's in-memory layout.
            let compact = |v: &Value| crate::store::json::compact(v).map_err(Error::DumpTree);
            let mut out = b"{\"Key\":".to_vec();
            out.extend(compact(&plain_key(&item.key))?);
            out.extend_from_slice(b",\"Value\":");
            out.extend(compact(&item.value)?);
            out.push(b'}');
            Ok(out)
        }
        format => {
            let go = GoStruct {
                yaml: format == Format::Yaml,
            };
            let mut fields = Map::new();
            fields.push(go.key(), go.value(&plain_key(&item.key)));
            fields.push(go.val(), go.value(&item.value));
            store.emit_value(&Value::Map(fields))
        }
    }
}

/// How a generic Go encoder (go-yaml or encoding/json) writes sops's
/// in-memory types: a map is a list of `{Key, Value}` structs, a comment a
/// `{Value}` struct; go-yaml lowercases field names, and encoding/json writes
/// an empty (nil) list as `null`.
struct GoStruct {
    yaml: bool,
}

impl GoStruct {
    fn key(&self) -> &'static str {
        if self.yaml { "key" } else { "Key" }
    }

    fn val(&self) -> &'static str {
        if self.yaml { "value" } else { "Value" }
    }

    fn value(&self, v: &Value) -> Value {
        match v {
            Value::Map(m) => Value::List(
                m.items
                    .iter()
                    .map(|it| {
                        let key = match &it.key {
                            Key::Str(k) => Value::str(k.as_str()),
                            Key::Comment(c) => self.value(&Value::Comment(c.clone())),
                            Key::Scalar(k) => self.value(k),
                        };
                        let mut s = Map::new();
                        s.push(self.key(), key);
                        s.push(self.val(), self.value(&it.value));
                        Value::Map(s)
                    })
                    .collect(),
            ),
            Value::List(l) if l.is_empty() && !self.yaml => Value::Null,
            Value::List(l) => Value::List(l.iter().map(|x| self.value(x)).collect()),
            Value::Comment(c) => {
                let mut s = Map::new();
                s.push(self.val(), Value::Str(c.clone()));
                Value::Map(s)
            }
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MetadataForm;
    use crate::tree::{Key, Map};
    use crate::walk::tests::{KMS_MOCK_LASTMODIFIED, KMS_MOCK_MAC, kms_mock_key, kms_mock_tree};

    /// A minimal line store for tests: `key=value` lines, strings only, the
    /// metadata map passed through untouched. It lets the engine be tested
    /// without the real stores.
    struct TestStore {
        format: Format,
        meta: std::cell::RefCell<Option<Map>>,
    }

    impl TestStore {
        fn new(format: Format) -> Self {
            TestStore {
                format,
                meta: std::cell::RefCell::new(None),
            }
        }
    }

    fn parse_lines(input: &[u8]) -> Map {
        let mut m = Map::new();
        for line in String::from_utf8_lossy(input).lines() {
            if let Some((k, v)) = line.split_once('=') {
                m.push(k, Value::str(v));
            }
        }
        m
    }

    fn emit_lines(tree: &Tree) -> Vec<u8> {
        let mut out = String::new();
        for item in &tree.branches[0].items {
            if let (Key::Str(k), Value::Str(v)) = (&item.key, &item.value) {
                out.push_str(&format!("{k}={}\n", v.as_str()));
            }
        }
        out.into_bytes()
    }

    impl Store for TestStore {
        fn format(&self) -> Format {
            self.format
        }
        fn metadata_form(&self) -> MetadataForm {
            MetadataForm::Yaml
        }
        fn load_plain(&self, input: &[u8]) -> Result<Tree> {
            if input.is_empty() {
                return Err(Error::EmptyFile);
            }
            Ok(Tree {
                branches: vec![parse_lines(input)],
            })
        }
        fn load_encrypted(&self, input: &[u8]) -> Result<(Tree, Map)> {
            let meta = self.meta.borrow().clone().ok_or(Error::MetadataNotFound)?;
            Ok((
                Tree {
                    branches: vec![parse_lines(input)],
                },
                meta,
            ))
        }
        fn emit_plain(&self, tree: &Tree) -> Result<Vec<u8>> {
            Ok(emit_lines(tree))
        }
        fn emit_encrypted(&self, tree: &Tree, metadata: &Map) -> Result<Vec<u8>> {
            *self.meta.borrow_mut() = Some(metadata.clone());
            Ok(emit_lines(tree))
        }
        fn emit_value(&self, value: &Value) -> Result<Vec<u8>> {
            Ok(format!("{value:?}\n").into_bytes())
        }
    }

    fn kms_mock_metadata() -> Metadata {
        let mut kms = Map::new();
        kms.push(
            "arn",
            Value::str("arn:aws:kms:eu-west-3:123456789012:key/x"),
        );
        kms.push("created_at", Value::str("2026-11-24T16:19:19Z"));
        kms.push("enc", Value::str("TU9DS0JMT0I="));
        kms.push("aws_profile", Value::str(""));
        let mut m = Map::new();
        m.push("kms", Value::List(vec![Value::Map(kms)]));
        m.push("lastmodified", Value::str(KMS_MOCK_LASTMODIFIED));
        m.push("mac", Value::str(KMS_MOCK_MAC));
        m.push("unencrypted_suffix", Value::str("_unencrypted"));
        m.push("version", Value::str("3.11.0"));
        Metadata::from_map(&m).unwrap()
    }

    fn key() -> DataKey {
        DataKey::from_slice(&kms_mock_key()).unwrap()
    }

    #[test]
    fn decrypt_file_verifies_sops_mac() {
        let mut file = EncryptedFile {
            tree: kms_mock_tree(),
            metadata: kms_mock_metadata(),
        };
        decrypt_file(&mut file, &key(), false).unwrap();
        assert!(
            matches!(file.tree.branches[0].get("hello"), Some(Value::Str(s)) if s.as_str() == "world")
        );
    }

    /// The negative vectors of `cases/negative/`, reproduced on the kms-mock file.
    #[test]
    fn negative_vectors_at_engine_level() {
        // mac-mismatch: a clear value changed → 51, accepted with --ignore-mac.
        let mut tree = kms_mock_tree();
        tree.branches[0].items[8].value = Value::str("changed");
        let mut file = EncryptedFile {
            tree: tree.clone(),
            metadata: kms_mock_metadata(),
        };
        let err = decrypt_file(&mut file, &key(), false).unwrap_err();
        assert!(err.to_string().starts_with(&format!(
            "MAC mismatch. File has {}, computed ",
            crate::walk::tests::BASIC_MAC
        )));
        let mut file = EncryptedFile {
            tree,
            metadata: kms_mock_metadata(),
        };
        decrypt_file(&mut file, &key(), true).unwrap();
        // empty-mac
        let mut file = EncryptedFile {
            tree: kms_mock_tree(),
            metadata: kms_mock_metadata(),
        };
        file.metadata.mac.clear();
        assert_eq!(
            decrypt_file(&mut file, &key(), false)
                .unwrap_err()
                .to_string(),
            format!(
                "MAC mismatch. File has no MAC, computed {}",
                crate::walk::tests::BASIC_MAC
            )
        );
        // lastmodified-changed
        let mut file = EncryptedFile {
            tree: kms_mock_tree(),
            metadata: kms_mock_metadata(),
        };
        file.metadata.last_modified = "2026-11-24T16:31:09Z".into();
        assert_eq!(
            decrypt_file(&mut file, &key(), false)
                .unwrap_err()
                .to_string(),
            "Cannot decrypt MAC: Could not decrypt with AES_GCM: cipher: message authentication failed"
        );
        let mut file = EncryptedFile {
            tree: kms_mock_tree(),
            metadata: kms_mock_metadata(),
        };
        file.metadata.last_modified = "2026-11-24T16:31:09Z".into();
        decrypt_file(&mut file, &key(), true).unwrap();
        // value-tampered fails even with --ignore-mac.
        let mut tree = kms_mock_tree();
        tree.branches[0].items[1].value = Value::str(
            "ENC[AES256_GCM,data:TqU=,iv:4HAsqABQ1xp85CEuoj0hwe7RqPfWLAujuksnx6nsazc=,tag:rbFK1/QHOyNVawHrc1lIeg==,type:int]",
        );
        let mut file = EncryptedFile {
            tree,
            metadata: kms_mock_metadata(),
        };
        assert!(matches!(
            decrypt_file(&mut file, &key(), true),
            Err(Error::DecryptTree(_))
        ));
    }

    #[test]
    fn load_checks_version_and_rules() {
        let store = TestStore::new(Format::Dotenv);
        let mut m = kms_mock_metadata().to_map(MetadataForm::Yaml);
        m.remove("version");
        *store.meta.borrow_mut() = Some(m.clone());
        assert_eq!(
            load_encrypted_file(b"a=b\n", &store)
                .err()
                .unwrap()
                .to_string(),
            "Version string empty"
        );
        m.push("version", Value::str("3.11.0"));
        m.push("encrypted_regex", Value::str("x"));
        *store.meta.borrow_mut() = Some(m);
        assert_eq!(
            load_encrypted_file(b"a=b\n", &store)
                .err()
                .unwrap()
                .to_string(),
            crate::metadata::TWO_RULES
        );
        let none = TestStore::new(Format::Dotenv);
        assert!(matches!(
            load_encrypted_file(b"a=b\n", &none),
            Err(Error::MetadataNotFound)
        ));
    }

    #[test]
    fn edit_bumps_only_older_versions() {
        let mut md = kms_mock_metadata();
        md.version = "3.7.3".into();
        bump_version_for_edit(&mut md).unwrap();
        assert_eq!(md.version, "3.11.0");
        md.version = "3.12.0".into();
        bump_version_for_edit(&mut md).unwrap();
        assert_eq!(md.version, "3.12.0");
        md.version = "1.14".into();
        bump_version_for_edit(&mut md).unwrap();
        assert_eq!(md.version, "3.11.0");
    }

    #[test]
    fn rotate_gives_a_new_key_and_new_ciphertexts() {
        let store = json_store();
        let mut file = load_encrypted_file(JSON_BASIC_ENC.as_bytes(), store.as_ref()).unwrap();
        let old_key =
            recover_key_with(&file.metadata, &DecryptionOrder::default(), &age1_env()).unwrap();
        decrypt_file(&mut file, &old_key, false).unwrap();
        let new_key = rotate_decrypted(&mut file).unwrap();
        assert_ne!(new_key.as_bytes(), old_key.as_bytes());
        assert_eq!(file.metadata.version, "3.11.0");
        let out = emit_encrypted_file(&file.tree, &file.metadata, store.as_ref()).unwrap();
        assert!(!String::from_utf8_lossy(&out).contains("7VUL9A=="));
        let plain = decrypt_with_env(&out, store.as_ref(), false).unwrap();
        assert_eq!(String::from_utf8(plain).unwrap(), JSON_BASIC_DEC);
    }

    #[test]
    fn file_status_like_sops() {
        let store = TestStore::new(Format::Dotenv);
        assert!(!file_status(b"a=b\n", &store).unwrap(), "no metadata");
        let good = kms_mock_metadata().to_map(MetadataForm::Yaml);
        *store.meta.borrow_mut() = Some(good.clone());
        assert!(file_status(b"a=b\n", &store).unwrap());
        let mut m = good.clone();
        m.remove("version");
        *store.meta.borrow_mut() = Some(m);
        assert!(!file_status(b"a=b\n", &store).unwrap(), "missing version");
        let mut m = good.clone();
        m.remove("version");
        m.push("version", Value::str("3.1.0-a.01"));
        *store.meta.borrow_mut() = Some(m);
        assert!(file_status(b"a=b\n", &store).unwrap(), "no semver check");
        let mut m = good;
        m.push("encrypted_regex", Value::str("x"));
        *store.meta.borrow_mut() = Some(m);
        assert!(file_status(b"a=b\n", &store).is_err());
    }

    #[test]
    fn encrypt_with_key_then_decrypt_round_trips() {
        let store = TestStore::new(Format::Dotenv);
        let mut tree = store.load_plain(b"A=1\nB_unencrypted=2\nC=\n").unwrap();
        let mut metadata = new_metadata(
            false,
            EncryptConfig {
                key_groups: vec![],
                shamir_threshold: 0,
                rule: None,
                mac_only_encrypted: false,
            },
        );
        let key = DataKey::generate().unwrap();
        encrypt_with_key(&mut tree, &mut metadata, &key).unwrap();
        assert!(Timestamp::parse_rfc3339(&metadata.last_modified).is_some());
        assert!(metadata.mac.starts_with("ENC[AES256_GCM,"));
        assert_eq!(
            metadata.rule,
            Some(SelectionRule::UnencryptedSuffix("_unencrypted".into()))
        );
        let out =
            String::from_utf8(emit_encrypted_file(&tree, &metadata, &store).unwrap()).unwrap();
        assert!(out.starts_with("A=ENC[AES256_GCM,"));
        assert!(out.contains("B_unencrypted=2\nC=\n"));
        let mut file = EncryptedFile { tree, metadata };
        decrypt_file(&mut file, &key, false).unwrap();
        assert_eq!(
            store.emit_plain(&file.tree).unwrap(),
            b"A=1\nB_unencrypted=2\nC=\n"
        );
    }

    #[test]
    fn binary_files_get_no_rule_and_no_mac_only() {
        let md = new_metadata(
            true,
            EncryptConfig {
                key_groups: vec![],
                shamir_threshold: 0,
                rule: Some(SelectionRule::EncryptedSuffix("_x".into())),
                mac_only_encrypted: true,
            },
        );
        assert!(md.rule.is_none());
        assert!(!md.mac_only_encrypted);
        let mut tree = Tree {
            branches: vec![parse_lines(b"data=whole file")],
        };
        let key = DataKey::generate().unwrap();
        let mut md = md;
        encrypt_with_key(&mut tree, &mut md, &key).unwrap();
        assert!(
            matches!(tree.branches[0].get("data"), Some(Value::Str(s)) if s.starts_with("ENC["))
        );
    }

    #[test]
    fn encrypt_refuses_encrypted_and_empty_input() {
        let store = TestStore::new(Format::Dotenv);
        let cfg = || EncryptConfig {
            key_groups: vec![],
            shamir_threshold: 0,
            rule: None,
            mac_only_encrypted: false,
        };
        assert!(matches!(
            encrypt(b"sops=x\n", &store, &store, cfg()),
            Err(Error::AlreadyEncrypted)
        ));
        assert!(matches!(
            encrypt(b"", &store, &store, cfg()),
            Err(Error::EmptyFile)
        ));
    }

    #[test]
    fn threshold_defaults_to_group_count() {
        let md = new_metadata(
            false,
            EncryptConfig {
                key_groups: vec![
                    KeyGroup::default(),
                    KeyGroup::default(),
                    KeyGroup::default(),
                ],
                shamir_threshold: 0,
                rule: None,
                mac_only_encrypted: false,
            },
        );
        assert_eq!(md.shamir_threshold, 3);
    }

    #[test]
    fn extract_forms() {
        let store = TestStore::new(Format::Dotenv);
        let mut tree = kms_mock_tree();
        let cipher = Cipher::new(&kms_mock_key());
        let sel = kms_mock_metadata().selector();
        crate::walk::decrypt_tree(&mut tree, &cipher, &sel, false).unwrap();
        let p = |s: &str| crate::treepath::parse_extract_path(s).unwrap();
        assert_eq!(
            extract_value(&tree, &p(r#"["hello"]"#), &store)
                .unwrap()
                .as_slice(),
            b"world"
        );
        assert_eq!(
            extract_value(&tree, &p(r#"["nested"]["key"]"#), &store)
                .unwrap()
                .as_slice(),
            b"value"
        );
        let out = extract_value(&tree, &p(r#"["num"]"#), &store).unwrap();
        assert_eq!(out.as_slice(), b"<int>\n");
        assert!(extract_value(&tree, &p(r#"["nested"]"#), &store).is_ok());
        assert_eq!(
            extract_value(&tree, &p(r#"["nope"]"#), &store)
                .unwrap_err()
                .to_string(),
            "error truncating tree: component ['nope'] not found"
        );
    }

    /// `--extract '[i]'` on a map: sops's TreeItem struct through each store
    /// (outputs checked with sops 3.11.0).
    #[test]
    fn extract_map_item_like_sops() {
        use crate::store::{StoreOptions, for_format};
        let mut inner = Map::new();
        inner.push("c", Value::Null);
        let mut doc = Map::new();
        doc.push(
            "b",
            Value::List(vec![Value::Float(1.0), Value::str("x"), Value::Map(inner)]),
        );
        doc.push("e", Value::List(vec![]));
        let tree = Tree {
            branches: vec![doc],
        };
        let p = |s: &str| crate::treepath::parse_extract_path(s).unwrap();
        let out = |f: Format, path: &str| {
            let store = for_format(f, StoreOptions::default()).unwrap();
            extract_value(&tree, &p(path), store.as_ref())
                .map(|o| String::from_utf8(o.to_vec()).unwrap())
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            out(Format::Yaml, "[0]").unwrap(),
            "key: b\nvalue:\n    - 1\n    - x\n    - - key: c\n        value: null\n"
        );
        assert_eq!(
            out(Format::Json, "[0]").unwrap(),
            "{\n\t\"Key\": \"b\",\n\t\"Value\": [\n\t\t1,\n\t\t\"x\",\n\t\t[\n\t\t\t{\n\t\t\t\t\"Key\": \"c\",\n\t\t\t\t\"Value\": null\n\t\t\t}\n\t\t]\n\t]\n}"
        );
        assert_eq!(
            out(Format::Ini, "[0]").unwrap(),
            r#"{"Key":"b","Value":[1,"x",[{"Key":"c","Value":null}]]}"#
        );
        assert_eq!(
            out(Format::Json, "[1]").unwrap(),
            "{\n\t\"Key\": \"e\",\n\t\"Value\": null\n}"
        );
        assert_eq!(
            out(Format::Dotenv, "[0]").unwrap_err(),
            "Error dumping tree: the dotenv store only supports emitting strings, got sops.TreeItem"
        );
        assert!(out(Format::Binary, "[0]").is_err());
    }

    // ---- End to end with the real JSON store and age keys.

    /// The throwaway test identity `keys/age1.keys.txt` of the vectors.
    const AGE1_SECRET: &str =
        "AGE-SECRET-KEY-15RUQ9NYN49MQUERGNJ5AC9SQLJRGR242JUV32XHJS0ET25KY7AWSEJC77Z";
    const AGE1_RECIPIENT: &str = "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr";

    fn age1_env() -> crate::keys::environment::Environment {
        crate::keys::environment::Environment::from_vars([("SOPS_AGE_KEY", AGE1_SECRET)])
    }

    fn json_store() -> Box<dyn Store> {
        crate::store::for_format(Format::Json, crate::store::StoreOptions::default()).unwrap()
    }

    /// `cases/json-basic.enc.json`, written by sops 3.11.0.
    const JSON_BASIC_ENC: &str = include_str!("ops_testdata/json-basic.enc.json");
    /// What `sops -d` printed for it (`cases/json-basic.dec.json`).
    const JSON_BASIC_DEC: &str = include_str!("ops_testdata/json-basic.dec.json");

    fn decrypt_with_env(input: &[u8], store: &dyn Store, ignore_mac: bool) -> Result<Vec<u8>> {
        let mut file = load_encrypted_file(input, store)?;
        let key = recover_key_with(&file.metadata, &DecryptionOrder::default(), &age1_env())?;
        decrypt_file(&mut file, &key, ignore_mac)?;
        store.emit_plain(&file.tree)
    }

    #[test]
    fn sops_json_file_decrypts_byte_identical() {
        let store = json_store();
        let out = decrypt_with_env(JSON_BASIC_ENC.as_bytes(), store.as_ref(), false).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), JSON_BASIC_DEC);
    }

    #[test]
    fn wrong_identity_cannot_recover_the_key() {
        let store = json_store();
        let file = load_encrypted_file(JSON_BASIC_ENC.as_bytes(), store.as_ref()).unwrap();
        use age::secrecy::ExposeSecret;
        let other = age::x25519::Identity::generate();
        let env = crate::keys::environment::Environment::from_vars([(
            "SOPS_AGE_KEY",
            other.to_string().expose_secret().to_string(),
        )]);
        let err = recover_key_with(&file.metadata, &DecryptionOrder::default(), &env)
            .err()
            .unwrap();
        assert!(matches!(err, Error::DataKey(_)), "{err}");
        assert!(
            err.to_string()
                .starts_with("Failed to get the data key required to decrypt the SOPS file.")
        );
    }

    #[test]
    fn encrypt_with_age_then_decrypt_round_trips() {
        let store = json_store();
        let recipient = crate::keys::age::AgeKey::new(AGE1_RECIPIENT).unwrap();
        let config = EncryptConfig {
            key_groups: vec![KeyGroup {
                keys: vec![crate::keys::MasterKey::Age(recipient)],
            }],
            shamir_threshold: 0,
            rule: None,
            mac_only_encrypted: false,
        };
        let plain = JSON_BASIC_DEC.as_bytes();
        let enc = encrypt(plain, store.as_ref(), store.as_ref(), config).unwrap();
        let text = String::from_utf8(enc.clone()).unwrap();
        assert!(text.contains("\"k_unencrypted\": 3"));
        assert!(text.contains("\"unencrypted_suffix\": \"_unencrypted\""));
        assert!(!text.contains("\"v\\u003c"), "values are encrypted");
        let out = decrypt_with_env(&enc, store.as_ref(), false).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), JSON_BASIC_DEC);
        // Encrypting it again is refused.
        let config = EncryptConfig {
            key_groups: vec![],
            shamir_threshold: 0,
            rule: None,
            mac_only_encrypted: false,
        };
        assert!(matches!(
            encrypt(&enc, store.as_ref(), store.as_ref(), config),
            Err(Error::AlreadyEncrypted)
        ));
    }
}
