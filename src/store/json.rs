//! The JSON store (spec §4.3, §6.2): sops's token reader and Go `encoding/json` output.
//!
//! A hand-written scanner is used instead of serde_json because sops keeps key
//! order and duplicate keys, reads every number as float64, ignores content
//! after the top-level object and reports Go's exact error texts — none of
//! which a generic JSON value type preserves.

mod decode;
mod encode;
mod scan;

use crate::error::{Error, Result};
use crate::store::{Format, Store, StoreOptions};
use crate::tree::{Key, Map, Tree, Value};
use encode::Layout;

pub(crate) use scan::go_quote;

/// JSON files, read and written like sops 3.11.
pub struct JsonStore {
    indent: Option<i64>,
}

const INDENT_ERROR: &str = "JSON Indentation parameter smaller than -1 is not accepted";

impl JsonStore {
    /// A JSON store; `indent` absent or -1 = one tab per level, n >= 0 = n spaces;
    /// smaller values fail when writing, as in sops.
    pub fn new(options: StoreOptions) -> Self {
        Self {
            indent: options.indent,
        }
    }

    fn indent_unit(&self) -> Result<String, String> {
        match self.indent {
            None | Some(-1) => Ok("\t".into()),
            Some(n) if n >= 0 => Ok(" ".repeat(usize::try_from(n).unwrap_or(0))),
            Some(_) => Err(INDENT_ERROR.into()),
        }
    }

    /// The whole document: `branch` plus an optional last member, then a newline.
    fn emit_document(&self, tree: &Tree, extra: Option<(&str, &Map)>) -> Result<Vec<u8>> {
        let marshal = |e: String| Error::Dump(format!("Error marshaling to json: {e}"));
        let unit = self.indent_unit().map_err(marshal)?;
        let empty = Map::new();
        // Like sops, only the first document is written.
        let branch = tree.branches.first().unwrap_or(&empty);
        let mut out = Vec::new();
        encode::write_map(&mut out, branch, extra, &Layout { indent: &unit }, 0)
            .map_err(marshal)?;
        out.push(b'\n');
        Ok(out)
    }
}

/// Go's `json.Marshal` of one value (compact, maps as sops's in-memory item lists),
/// which the INI store prints for `--extract`.
pub(crate) fn compact(value: &Value) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    encode::marshal(&mut out, value)?;
    Ok(out)
}

/// Whether `input` is exactly one JSON value, checked as Go's `json.Unmarshal`
/// checks it (trailing content refused): `set` accepts nothing looser.
pub fn is_valid_json(input: &[u8]) -> bool {
    decode::validate(input).is_ok()
}

/// sops's error for an encrypted file that is not a JSON object with a `sops` object.
fn unmarshal_error(e: impl std::fmt::Display) -> Error {
    Error::Other(format!("Error unmarshalling input json: {e}"))
}

const SOPS1_VERSION_ERROR: &str = "SOPS versions higher than 2.0.10 can not automatically decrypt JSON files created with SOPS 1.x. In order to be able to decrypt this file, you can either edit it manually and make sure the JSON value under `sops -> version` is a string and not a number, or you can rotate the file's key with any version of SOPS between 2.0 and 2.0.10 using `sops -r your_file.json`";

impl Store for JsonStore {
    fn format(&self) -> Format {
        Format::Json
    }

    fn load_plain(&self, input: &[u8]) -> Result<Tree> {
        let map = decode::parse_document_at(input).map_err(|(e, line)| Error::UnmarshalAt {
            message: format!("Could not unmarshal input data: {e}"),
            line,
        })?;
        Ok(Tree {
            branches: vec![map],
        })
    }

    fn load_encrypted(&self, input: &[u8]) -> Result<(Tree, Map)> {
        // sops first unmarshals the whole input into its metadata struct, which
        // checks the syntax of everything (trailing content included).
        decode::validate(input).map_err(unmarshal_error)?;
        let first = input
            .iter()
            .copied()
            .find(|b| !scan::is_space(*b))
            .unwrap_or(b'n');
        match decode::kind_of(first) {
            "object" => {}
            "null" => return Err(Error::MetadataNotFound),
            kind => {
                return Err(unmarshal_error(format!(
                    "json: cannot unmarshal {kind} into Go value of type stores.SopsFile"
                )));
            }
        }
        let mut map = decode::parse_document(input)
            .map_err(|e| Error::Other(format!("Could not unmarshal input data: {e}")))?;
        let metadata = map
            .items
            .iter()
            .rev()
            .find(|item| matches!(&item.key, Key::Str(k) if k == "sops"))
            .map(|item| item.value.clone());
        let metadata = match metadata {
            None | Some(Value::Null) => return Err(Error::MetadataNotFound),
            Some(Value::Map(m)) => m,
            Some(other) => {
                let kind = match other {
                    Value::List(_) => "array",
                    Value::Float(_) => "number",
                    Value::Bool(_) => "bool",
                    _ => "string",
                };
                return Err(unmarshal_error(format!(
                    "json: cannot unmarshal {kind} into Go struct field SopsFile.sops of type stores.Metadata"
                )));
            }
        };
        if matches!(metadata.get("version"), Some(Value::Float(_))) {
            return Err(Error::Other(SOPS1_VERSION_ERROR.into()));
        }
        map.remove("sops");
        Ok((
            Tree {
                branches: vec![map],
            },
            metadata,
        ))
    }

    fn emit_plain(&self, tree: &Tree) -> Result<Vec<u8>> {
        self.emit_document(tree, None)
    }

    fn emit_encrypted(&self, tree: &Tree, metadata: &Map) -> Result<Vec<u8>> {
        self.emit_document(tree, Some(("sops", metadata)))
    }

    fn emit_value(&self, value: &Value) -> Result<Vec<u8>> {
        let unit = self.indent_unit().map_err(Error::DumpTree)?;
        let mut out = Vec::new();
        encode::write_value(&mut out, value, &Layout { indent: &unit }, 0)
            .map_err(Error::DumpTree)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{Timestamp, text};
    use std::path::Path;

    const CASES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/vectors/generated-sops-3.11.0/cases"
    );
    const SOPS_REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vectors/sops-repo");

    fn read(path: impl AsRef<Path>) -> Vec<u8> {
        std::fs::read(path.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
    }

    fn store() -> JsonStore {
        JsonStore::new(StoreOptions::default())
    }

    /// The plaintext loaded and written again gives exactly what `sops -d` printed.
    #[test]
    fn plain_round_trips_reproduce_sops_output() {
        for (plain, dec) in [
            ("json-basic.plain.json", "json-basic.dec.json"),
            ("json-basic.plain.json", "json-indent2.dec.json"),
        ] {
            let tree = store()
                .load_plain(&read(Path::new(CASES).join(plain)))
                .unwrap();
            let out = store().emit_plain(&tree).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(read(Path::new(CASES).join(dec))).unwrap()
            );
        }
        for name in [
            "example.json",
            "functional-tests_res_format.enc.json",
            "examples_all_in_one_config_secret.enc.json",
            "examples_per_file_config.enc_static_github.json",
        ] {
            let dec = read(
                Path::new(SOPS_REPO)
                    .join("_decrypted-by-sops-3.11.0")
                    .join(format!("{name}.decrypted")),
            );
            let tree = store().load_plain(&dec).unwrap();
            assert_eq!(store().emit_plain(&tree).unwrap(), dec);
        }
    }

    /// Every encrypted JSON vector loads, and writing it back gives sops's bytes.
    #[test]
    fn encrypted_vectors_load_and_re_emit_identically() {
        let files = [
            format!("{CASES}/json-basic.enc.json"),
            format!("{CASES}/json-pgp-k1-and-age1.enc.json"),
            format!("{CASES}/shamir/json-shamir-2of3.enc.json"),
            format!("{CASES}/binary-basic.enc.bin"),
            format!("{SOPS_REPO}/example.json"),
            format!("{SOPS_REPO}/examples/all_in_one/config/secret.enc.json"),
            format!("{SOPS_REPO}/examples/per_file/config.enc/static_github.json"),
            format!("{SOPS_REPO}/functional-tests/res/format.enc.json"),
        ];
        for file in &files {
            let input = read(file);
            let (tree, meta) = store()
                .load_encrypted(&input)
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(meta.get("version").is_some(), "{file}");
            assert!(tree.branches[0].get("sops").is_none());
            let out = store().emit_encrypted(&tree, &meta).unwrap();
            if !file.contains("sops-repo") {
                assert_eq!(
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&input),
                    "{file}"
                );
            }
        }
        let indent2 = read(format!("{CASES}/json-indent2.enc.json"));
        let spaces = JsonStore::new(StoreOptions { indent: Some(2) });
        let (tree, meta) = spaces.load_encrypted(&indent2).unwrap();
        assert_eq!(spaces.emit_encrypted(&tree, &meta).unwrap(), indent2);
    }

    #[test]
    fn shamir_metadata_keeps_null_lists() {
        let input = read(format!("{CASES}/shamir/json-shamir-2of3.enc.json"));
        let (_, meta) = store().load_encrypted(&input).unwrap();
        let Some(Value::List(groups)) = meta.get("key_groups") else {
            panic!("no key_groups")
        };
        let Value::Map(g) = &groups[0] else { panic!() };
        assert_eq!(g.get("hc_vault"), Some(&Value::Null));
        assert_eq!(meta.get("shamir_threshold"), Some(&Value::Float(2.0)));
    }

    #[test]
    fn encrypted_load_errors_match_sops() {
        let e = |s: &str| {
            store()
                .load_encrypted(s.as_bytes())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(e(r#"{"a":1}"#), "sops metadata not found");
        assert_eq!(e(r#"{"a":1, "sops": null}"#), "sops metadata not found");
        assert_eq!(
            e(r#"{"a":1, "sops": "x"}"#),
            "Error unmarshalling input json: json: cannot unmarshal string into Go struct field SopsFile.sops of type stores.Metadata"
        );
        assert_eq!(
            e(r#"{"a":1, "sops": {}} x"#),
            "Error unmarshalling input json: invalid character 'x' after top-level value"
        );
        assert_eq!(
            e("[1]"),
            "Error unmarshalling input json: json: cannot unmarshal array into Go value of type stores.SopsFile"
        );
        assert_eq!(
            e(r#"{"big": 1e400, "sops": {"version": "3.11.0"}}"#),
            "Could not unmarshal input data: json: cannot unmarshal number 1e400 into Go value of type float64"
        );
        assert!(e(r#"{"sops": {"version": 1}}"#).starts_with("SOPS versions higher than 2.0.10"));
    }

    #[test]
    fn plain_load_errors_are_unmarshal_errors() {
        let e = store().load_plain(b"[1]").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Error unmarshalling file: Could not unmarshal input data: Expected JSON object start, got delimiter [ instead"
        );
        for bad in [
            &b""[..],
            b"{",
            b"{\"a\": \"\xff",
            b"{\"a\x00\": 1}",
            b"\xff\xfe",
            b"{\"a\": [1, {\"b\": tru",
        ] {
            assert!(store().load_plain(bad).is_err(), "{bad:?}");
        }
    }

    /// `yaml-types-for-conversion` decrypted with `--output-type json`, from a hand-made tree.
    #[test]
    fn conversion_output_matches_sops() {
        let mut m = Map::new();
        m.push("S", Value::str("str"));
        m.push("I", Value::Int(42));
        m.push("F", Value::Float(1.0));
        m.push("G", Value::Float(1e21));
        m.push("B", Value::Bool(true));
        m.push(
            "T",
            Value::Time(Timestamp {
                year: 2020,
                month: 1,
                day: 2,
                hour: 3,
                minute: 4,
                second: 5,
                nanosecond: 500_000_000,
                offset_seconds: None,
            }),
        );
        m.push("N", Value::Null);
        m.push("M", Value::str("a\nb"));
        let tree = Tree { branches: vec![m] };
        let got = store().emit_plain(&tree).unwrap();
        let want = read(format!(
            "{CASES}/yaml-types-for-conversion.dec-as-json.json"
        ));
        assert_eq!(
            String::from_utf8(got).unwrap(),
            String::from_utf8(want).unwrap()
        );
    }

    #[test]
    fn emit_errors_and_values() {
        let mut m = Map::new();
        m.push("x", Value::Float(f64::INFINITY));
        let tree = Tree { branches: vec![m] };
        assert_eq!(
            store().emit_plain(&tree).unwrap_err().to_string(),
            "Error dumping file: Error marshaling to json: Error encoding value : json: unsupported value: +Inf"
        );
        let bad = JsonStore::new(StoreOptions { indent: Some(-2) });
        assert_eq!(
            bad.emit_plain(&Tree::default()).unwrap_err().to_string(),
            "Error dumping file: Error marshaling to json: JSON Indentation parameter smaller than -1 is not accepted"
        );
        let list = Value::List(vec![
            Value::Int(1),
            Value::str("a"),
            Value::Comment(text("c")),
        ]);
        assert_eq!(store().emit_value(&list).unwrap(), b"[\n\t1,\n\t\"a\"\n]");
        assert_eq!(store().emit_value(&Value::Float(1.5)).unwrap(), b"1.5");
        assert_eq!(store().emit_plain(&Tree::default()).unwrap(), b"{}\n");
    }

    /// `sops decrypt --extract '["list"][2]' --output-type json yaml-basic.enc.yaml`.
    #[test]
    fn extract_value_matches_sops() {
        let mut deep = Map::new();
        deep.push("deep", Value::str("y"));
        let v = Value::List(vec![Value::str("x"), Value::Map(deep)]);
        assert_eq!(
            store().emit_value(&v).unwrap(),
            read(format!("{CASES}/yaml-basic.extract-list2.json"))
        );
        assert_eq!(
            store()
                .emit_value(&Value::Float(f64::NAN))
                .unwrap_err()
                .to_string(),
            "Error dumping tree: json: unsupported value: NaN"
        );
    }

    #[test]
    fn looks_encrypted_only_for_top_level_sops() {
        let t = store()
            .load_plain(br#"{"sops_x": 1, "a": {"sops": 1}}"#)
            .unwrap();
        assert!(!store().looks_encrypted(&t));
        let t = store().load_plain(br#"{"sops": 1}"#).unwrap();
        assert!(store().looks_encrypted(&t));
    }

    /// Mutated vectors (truncations, flipped and inserted syntax bytes) never
    /// panic in any of the JSON, dotenv, INI and binary stores, in either direction.
    #[test]
    fn mutated_inputs_never_panic() {
        use crate::store::{Format, for_format};
        let seeds = [
            format!("{CASES}/json-basic.enc.json"),
            format!("{CASES}/json-basic.plain.json"),
            format!("{CASES}/dotenv-basic.enc.env"),
            format!("{CASES}/ini-basic.enc.ini"),
            format!("{CASES}/ini-basic.plain.ini"),
        ];
        let formats = [Format::Json, Format::Dotenv, Format::Ini, Format::Binary];
        let stores: Vec<_> = formats
            .iter()
            .map(|f| for_format(*f, StoreOptions::default()).unwrap())
            .collect();
        let alphabet = b"{}[]\",:\\=;#`-\n\r\t\0\xff\xc3u0e.";
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound.max(1) as u64) as usize
        };
        for seed in &seeds {
            let original = read(seed);
            for _ in 0..150 {
                let mut input = original.clone();
                for _ in 0..1 + next(4) {
                    let at = next(input.len() + 1);
                    match next(4) {
                        0 => input.truncate(at),
                        1 => input.insert(at, alphabet[next(alphabet.len())]),
                        2 if at < input.len() => {
                            input.remove(at);
                        }
                        _ if at < input.len() => input[at] = alphabet[next(alphabet.len())],
                        _ => {}
                    }
                }
                for store in &stores {
                    if let Ok(tree) = store.load_plain(&input) {
                        for out in &stores {
                            let _ = out.emit_plain(&tree);
                        }
                    }
                    if let Ok((tree, meta)) = store.load_encrypted(&input) {
                        for out in &stores {
                            let _ = out.emit_encrypted(&tree, &meta);
                        }
                    }
                }
            }
        }
    }
}
