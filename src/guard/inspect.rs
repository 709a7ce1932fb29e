//! What one file's bytes are: a sops file (and what is wrong inside it), or plaintext.
//!
//! Nothing is decrypted. The stored selection rule is compiled with
//! [`crate::selection::Selector`] and applied in the same depth-first order as
//! the encrypt walk (`crate::walk`), so "must be encrypted" means exactly what
//! `sops -e` would have encrypted; a leaf there must be a well-formed `ENC[…]`.

use crate::cipher::EncryptedValue;
use crate::error::Error;
use crate::metadata::Metadata;
use crate::selection::{CommentStack, Selector};
use crate::store::{Format, StoreOptions, for_format};
use crate::tree::{Key, Map, Tree, Value};

/// What is wrong at one place of an encrypted file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A value the file's rule says must be encrypted is in clear text.
    ClearValue,
    /// A comment the file's rule says must be encrypted is in clear text.
    ClearComment,
    /// A value starts like `ENC[` but is not a well-formed sops ciphertext.
    MalformedValue,
    /// The metadata has no `mac`.
    NoMac,
    /// The `sops` metadata is present but cannot be read.
    BadMetadata,
}

/// One problem and where (the key path in `--extract` syntax; empty for the file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spot {
    /// `["a"]["b"][0]`, or empty.
    pub key_path: String,
    /// What is wrong.
    pub problem: Problem,
}

/// The verdict on one file's content.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A sops file; the list is empty when it is sound.
    Encrypted(Vec<Spot>),
    /// Not a sops file.
    Plain,
}

/// Whether `name` has an extension of a structured store (YAML, JSON, dotenv, INI).
pub fn is_structured(name: &str) -> bool {
    Format::from_path(name) != Format::Binary
}

/// Cheap pre-filter: every store keeps its metadata under `sops` (or `sops_…`).
fn mentions_sops(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|w| w == b"sops")
}

/// Inspects `bytes`, read as the store `name`'s extension selects (binary
/// files are sops files when they are the JSON envelope).
pub fn inspect(name: &str, bytes: &[u8]) -> Verdict {
    if !mentions_sops(bytes) {
        return Verdict::Plain;
    }
    let Ok(store) = for_format(Format::from_path(name), StoreOptions::default()) else {
        return Verdict::Plain;
    };
    match store.load_encrypted(bytes) {
        Ok((tree, map)) => Verdict::Encrypted(check_encrypted(&tree, &map)),
        // Unparseable or metadata-free content is somebody else's file.
        Err(Error::MetadataNotFound | Error::Unmarshal(_) | Error::Other(_)) => Verdict::Plain,
        Err(_) => Verdict::Encrypted(vec![Spot {
            key_path: String::new(),
            problem: Problem::BadMetadata,
        }]),
    }
}

/// The format of an encrypted document whatever its name: the store whose
/// encrypted load accepts it (JSON first, then YAML, dotenv, INI); a JSON
/// envelope holding only `data` is the binary store. For textconv, where a
/// file may have no recognisable extension.
pub fn sniff_format(bytes: &[u8]) -> Option<Format> {
    if !mentions_sops(bytes) {
        return None;
    }
    for format in [Format::Json, Format::Yaml, Format::Dotenv, Format::Ini] {
        let Ok(store) = for_format(format, StoreOptions::default()) else {
            continue;
        };
        if let Ok((tree, _)) = store.load_encrypted(bytes) {
            let only_data = matches!(tree.branches.as_slice(), [m] if m.items.len() == 1 && m.get("data").is_some());
            return Some(if format == Format::Json && only_data {
                Format::Binary
            } else {
                format
            });
        }
    }
    None
}

/// The leaf key paths of a document (plain or encrypted: the keys are the same),
/// sorted; `None` when it does not parse or has no keys.
pub fn key_paths(name: &str, bytes: &[u8]) -> Option<Vec<String>> {
    let store = for_format(Format::from_path(name), StoreOptions::default()).ok()?;
    let tree = match store.load_encrypted(bytes) {
        Ok((tree, _)) => tree,
        Err(_) => store.load_plain(bytes).ok()?,
    };
    let mut out = Vec::new();
    for (i, branch) in tree.branches.iter().enumerate() {
        collect_map(branch, &mut format!("{i}"), &mut out);
    }
    out.sort();
    (!out.is_empty()).then_some(out)
}

fn collect_map(map: &Map, prefix: &mut String, out: &mut Vec<String>) {
    for item in &map.items {
        if let Key::Str(k) = &item.key {
            let len = prefix.len();
            prefix.push_str(&format!("[{k:?}]"));
            collect_value(&item.value, prefix, out);
            prefix.truncate(len);
        }
    }
}

fn collect_value(v: &Value, prefix: &mut String, out: &mut Vec<String>) {
    match v {
        Value::Map(m) => collect_map(m, prefix, out),
        Value::List(l) => {
            for (i, v) in l.iter().enumerate() {
                let len = prefix.len();
                prefix.push_str(&format!("[{i}]"));
                collect_value(v, prefix, out);
                prefix.truncate(len);
            }
        }
        Value::Comment(_) => {}
        _ => out.push(prefix.clone()),
    }
}

fn check_encrypted(tree: &Tree, map: &Map) -> Vec<Spot> {
    let metadata = match Metadata::from_map(map) {
        Ok(m) => m,
        Err(_) => {
            return vec![Spot {
                key_path: String::new(),
                problem: Problem::BadMetadata,
            }];
        }
    };
    let selector = metadata.selector();
    let mut scan = Scan {
        track: selector.uses_comments(),
        selector: &selector,
        comments: CommentStack::default(),
        path: String::new(),
        path_matches: 0,
        spots: Vec::new(),
    };
    if metadata.mac.is_empty() {
        scan.spots.push(Spot {
            key_path: String::new(),
            problem: Problem::NoMac,
        });
    }
    for branch in &tree.branches {
        scan.map(branch);
    }
    scan.spots
}

/// A read-only twin of the encrypt walk's traversal (same comment-stack
/// bookkeeping), deciding each leaf with the file's own [`Selector`].
struct Scan<'a> {
    selector: &'a Selector,
    track: bool,
    comments: CommentStack,
    /// `--extract`-style path of the current position.
    path: String,
    path_matches: usize,
    spots: Vec<Spot>,
}

impl Scan<'_> {
    fn note_comment(&mut self, c: &str) {
        if self.track {
            let m = self.selector.comment_matches(c);
            self.comments.add(m);
        }
    }

    fn level(&mut self, push: bool) {
        if self.track {
            if push {
                self.comments.push_level();
            } else {
                self.comments.pop_level();
            }
        }
    }

    fn clear_level(&mut self) {
        if self.track {
            self.comments.clear_level();
        }
    }

    fn decide(&self, is_comment: bool) -> bool {
        self.selector
            .should_encrypt(self.path_matches > 0, &self.comments, is_comment)
    }

    fn report(&mut self, problem: Problem) {
        self.spots.push(Spot {
            key_path: self.path.clone(),
            problem,
        });
    }

    fn map(&mut self, map: &Map) {
        self.level(true);
        for item in &map.items {
            match &item.key {
                Key::Comment(c) => {
                    self.note_comment(c);
                    self.comment(c);
                }
                Key::Scalar(_) => {}
                Key::Str(k) => {
                    let is_comment = matches!(item.value, Value::Comment(_));
                    if let Value::Comment(c) = &item.value {
                        self.note_comment(c);
                    }
                    let len = self.path.len();
                    let matched = self.selector.key_matches(k);
                    self.path.push_str(&format!("[{k:?}]"));
                    self.path_matches += usize::from(matched);
                    self.value(&item.value);
                    self.path.truncate(len);
                    self.path_matches -= usize::from(matched);
                    if !is_comment {
                        self.clear_level();
                    }
                }
            }
        }
        self.level(false);
    }

    fn list(&mut self, list: &[Value]) {
        self.level(true);
        for (i, v) in list.iter().enumerate() {
            let is_comment = matches!(v, Value::Comment(_));
            if let Value::Comment(c) = v {
                self.note_comment(c);
            }
            let len = self.path.len();
            self.path.push_str(&format!("[{i}]"));
            self.value(v);
            self.path.truncate(len);
            if !is_comment {
                self.clear_level();
            }
        }
        self.level(false);
    }

    fn comment(&mut self, c: &str) {
        if c.is_empty() || !self.decide(true) {
            return;
        }
        if c.starts_with("ENC[") {
            if !well_formed(c) {
                self.report(Problem::MalformedValue);
            }
        } else {
            self.report(Problem::ClearComment);
        }
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Map(m) => self.map(m),
            Value::List(l) => self.list(l),
            Value::Null | Value::Uint64(_) => {}
            Value::Comment(c) => self.comment(c),
            Value::Str(s) => self.string(s),
            Value::Bytes(b) => self.string(&String::from_utf8_lossy(b)),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Time(_) => {
                if self.decide(false) {
                    self.report(Problem::ClearValue);
                }
            }
        }
    }

    fn string(&mut self, s: &str) {
        // sops leaves empty strings alone, so they are not findings.
        if s.is_empty() || !self.decide(false) {
            return;
        }
        if s.starts_with("ENC[") {
            if !well_formed(s) {
                self.report(Problem::MalformedValue);
            }
        } else {
            self.report(Problem::ClearValue);
        }
    }
}

/// The value types sops writes after `type:`.
const TYPES: [&str; 7] = ["str", "int", "float", "bool", "bytes", "time", "comment"];

/// Whether `s` is an `ENC[AES256_GCM,…]` value sops could decrypt: parseable,
/// base64 parts, a 32-byte IV, a 16-byte tag and a known type.
pub fn well_formed(s: &str) -> bool {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let Some(e) = EncryptedValue::parse(s) else {
        return false;
    };
    let len = |part: &str| b64.decode(part).map(|v| v.len()).ok();
    len(e.data).is_some()
        && len(e.iv) == Some(32)
        && len(e.tag) == Some(16)
        && TYPES.contains(&e.kind)
        && s.ends_with(']')
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `generated-sops-3.11.0/cases` of `$SOPS_RS_VECTORS` (else `../shared/vectors`).
    pub(crate) fn cases() -> std::path::PathBuf {
        std::env::var_os("SOPS_RS_VECTORS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors")
            })
            .join("generated-sops-3.11.0/cases")
    }

    fn vector(name: &str) -> Vec<u8> {
        let p = cases().join(name);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    fn first_enc_vector(ext: &str) -> (String, Vec<u8>) {
        let dir = cases();
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".enc.") && n.ends_with(ext))
            .collect();
        names.sort();
        let n = names.into_iter().next().unwrap();
        let b = vector(&n);
        (n, b)
    }

    #[test]
    fn every_file_written_by_sops_passes() {
        let dir = cases();
        let mut seen = 0;
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.contains(".enc.") {
                continue;
            }
            let bytes = std::fs::read(e.path()).unwrap();
            assert_eq!(inspect(&name, &bytes), Verdict::Encrypted(vec![]), "{name}");
            seen += 1;
        }
        assert!(seen > 20, "only {seen} vectors");
    }

    #[test]
    fn plain_files_are_plain() {
        assert_eq!(inspect("a.yaml", b"a: 1\n"), Verdict::Plain);
        assert_eq!(inspect("a.yaml", b"sops: [\n"), Verdict::Plain);
        assert_eq!(inspect("a.bin", b"\x00\x01sops\xff"), Verdict::Plain);
    }

    fn tamper(from: &str, to: &str) -> Verdict {
        let (name, bytes) = first_enc_vector(".yaml");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(from), "{name} lacks {from}");
        inspect(&name, text.replacen(from, to, 1).as_bytes())
    }

    #[test]
    fn pasted_clear_value_is_found_with_its_path() {
        let (name, bytes) = first_enc_vector(".yaml");
        let mut text = String::from_utf8(bytes).unwrap();
        text.insert_str(0, "pasted: hunter2\n");
        let Verdict::Encrypted(spots) = inspect(&name, text.as_bytes()) else {
            panic!("not seen as encrypted")
        };
        assert_eq!(
            spots,
            vec![Spot {
                key_path: "[\"pasted\"]".into(),
                problem: Problem::ClearValue
            }]
        );
    }

    #[test]
    fn clear_value_under_unencrypted_suffix_is_fine() {
        let (name, bytes) = first_enc_vector(".yaml");
        let mut text = String::from_utf8(bytes).unwrap();
        text.insert_str(0, "note_unencrypted: hello\nnum_unencrypted: 3\n");
        assert_eq!(inspect(&name, text.as_bytes()), Verdict::Encrypted(vec![]));
    }

    #[test]
    fn malformed_ciphertext_and_missing_mac_are_found() {
        let v = tamper(",iv:", ",iv:!!");
        let Verdict::Encrypted(spots) = v else {
            panic!()
        };
        assert_eq!(spots.len(), 1);
        assert_eq!(spots[0].problem, Problem::MalformedValue);

        let (name, bytes) = first_enc_vector(".yaml");
        let text = String::from_utf8(bytes).unwrap();
        let no_mac: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("mac:"))
            .map(|l| format!("{l}\n"))
            .collect();
        let Verdict::Encrypted(spots) = inspect(&name, no_mac.as_bytes()) else {
            panic!()
        };
        assert!(spots.iter().any(|s| s.problem == Problem::NoMac));
    }

    #[test]
    fn formats_are_recognised_without_a_name() {
        for (name, format) in [
            ("yaml-basic.enc.yaml", Format::Yaml),
            ("json-basic.enc.json", Format::Json),
            ("dotenv-basic.enc.env", Format::Dotenv),
            ("ini-basic.enc.ini", Format::Ini),
            ("binary-basic.enc.bin", Format::Binary),
        ] {
            assert_eq!(sniff_format(&vector(name)), Some(format), "{name}");
        }
        assert_eq!(sniff_format(b"a: 1\n"), None);
        assert_eq!(sniff_format(b"sops: 1\n"), None);
    }

    #[test]
    fn clear_comment_in_an_encrypted_file_is_found() {
        let (name, bytes) = first_enc_vector(".yaml");
        let mut text = String::from_utf8(bytes).unwrap();
        text.insert_str(0, "# the password is hunter2\n");
        let Verdict::Encrypted(spots) = inspect(&name, text.as_bytes()) else {
            panic!()
        };
        assert_eq!(spots.len(), 1);
        assert_eq!(spots[0].problem, Problem::ClearComment);
    }

    #[test]
    fn well_formed_rejects_near_misses() {
        let good = "ENC[AES256_GCM,data:AAAA,iv:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]";
        assert!(well_formed(good));
        assert!(!well_formed(&good.replace("type:str", "type:zzz")));
        assert!(!well_formed(&good.replace("tag:AAAA", "tag:AA")));
        assert!(!well_formed("ENC[AES256_GCM,data:x]"));
        assert!(!well_formed("ENC[oops"));
    }

    #[test]
    fn key_paths_agree_between_plain_and_encrypted() {
        let a = key_paths("x.yaml", b"a: 1\nb:\n  c: [1, 2]\n").unwrap();
        assert_eq!(
            a,
            vec!["0[\"a\"]", "0[\"b\"][\"c\"][0]", "0[\"b\"][\"c\"][1]"]
        );
        assert_eq!(key_paths("x.yaml", b"[: bad"), None);
    }
}
