//! The dotenv store (spec §6.3): `KEY=value` lines, no trimming, no quote handling.
//!
//! sops's dotenv reader is deliberately literal (split on `\n`, key is
//! everything before the first `=`), so a small hand-written reader matches
//! it exactly where dotenv crates would unquote or trim.

use crate::error::{Error, Result};
use crate::store::flatten::{flatten, unflatten, value_text};
use crate::store::{Format, Store};
use crate::tree::{Item, Key, Map, Tree, Value, text};
use zeroize::Zeroizing;

/// Prefix of the metadata lines.
const SOPS_PREFIX: &str = "sops_";

/// `.env` files, read and written like sops 3.11.
pub struct DotenvStore;

/// Replaces every two-character `\n` sequence with a newline.
fn decode_newlines(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'\\' && bytes.get(i + 1) == Some(&b'n') {
            out.push(b'\n');
            i += 2;
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

fn utf8<'a>(bytes: &'a [u8], what: &str, line: &[u8]) -> std::result::Result<&'a str, String> {
    std::str::from_utf8(bytes).map_err(|_| {
        format!(
            "invalid UTF-8 in dotenv {what}: {}",
            String::from_utf8_lossy(line)
        )
    })
}

/// Parses the lines; the error is sops's text (without any prefix) and the
/// 1-based line it is about.
fn parse(input: &[u8]) -> std::result::Result<Map, (String, usize)> {
    input
        .split(|&b| b == b'\n')
        .enumerate()
        .try_fold(Map::new(), |map, (n, line)| {
            parse_line(map, line).map_err(|e| (e, n + 1))
        })
}

fn parse_line(mut map: Map, line: &[u8]) -> std::result::Result<Map, String> {
    match line.first() {
        None => {}
        Some(b'#') => {
            let comment = utf8(line.get(1..).unwrap_or_default(), "comment", line)?;
            map.items.push(Item {
                key: Key::Comment(text(comment)),
                value: Value::Null,
            });
        }
        Some(_) => {
            let Some(pos) = line.iter().position(|&b| b == b'=') else {
                return Err(format!(
                    "invalid dotenv input line: {}",
                    String::from_utf8_lossy(line)
                ));
            };
            let key = utf8(line.get(..pos).unwrap_or_default(), "key", line)?;
            let raw = decode_newlines(line.get(pos + 1..).unwrap_or_default());
            let value = match String::from_utf8(raw) {
                Ok(s) => Value::Str(text(s)),
                Err(e) => Value::Bytes(Zeroizing::new(e.into_bytes())),
            };
            map.push(key, value);
        }
    }
    Ok(map)
}

/// Writes the items of the first document.
fn emit(branch: &Map, extra: &[(String, String)]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for item in &branch.items {
        let key = match &item.key {
            Key::Str(k) => k.clone(),
            Key::Comment(_) => String::new(),
            Key::Scalar(v) => String::from_utf8_lossy(&value_text(v)).into_owned(),
        };
        if matches!(item.value, Value::Map(_) | Value::List(_)) {
            return Err(Error::Dump(format!(
                "cannot use complex value in dotenv file; offending key {key}"
            )));
        }
        if let Key::Comment(c) = &item.key {
            out.push(b'#');
            out.extend_from_slice(c.as_bytes());
            out.push(b'\n');
            continue;
        }
        out.extend_from_slice(key.as_bytes());
        out.push(b'=');
        match &item.value {
            Value::Str(s) => out.extend_from_slice(s.replace('\n', "\\n").as_bytes()),
            Value::Bytes(b) => {
                for &byte in b.iter() {
                    if byte == b'\n' {
                        out.extend_from_slice(b"\\n");
                    } else {
                        out.push(byte);
                    }
                }
            }
            other => out.extend_from_slice(&value_text(other)),
        }
        out.push(b'\n');
    }
    for (k, v) in extra {
        out.extend_from_slice(SOPS_PREFIX.as_bytes());
        out.extend_from_slice(k.as_bytes());
        out.push(b'=');
        out.extend_from_slice(v.as_bytes());
        out.push(b'\n');
    }
    Ok(out)
}

impl Store for DotenvStore {
    fn format(&self) -> Format {
        Format::Dotenv
    }

    fn load_plain(&self, input: &[u8]) -> Result<Tree> {
        let map = parse(input).map_err(|(message, line)| Error::UnmarshalAt { message, line })?;
        Ok(Tree {
            branches: vec![map],
        })
    }

    fn load_encrypted(&self, input: &[u8]) -> Result<(Tree, Map)> {
        let all = parse(input).map_err(|(e, _)| Error::Other(e))?;
        let mut data = Map::new();
        let mut flat: Vec<(String, String)> = Vec::new();
        for item in all.items {
            match &item.key {
                Key::Str(k) if k.starts_with(SOPS_PREFIX) => {
                    let name = k.get(SOPS_PREFIX.len()..).unwrap_or_default().to_string();
                    let value = String::from_utf8_lossy(&value_text(&item.value)).into_owned();
                    // Later lines win, as in sops's map; newlines were decoded by `parse`.
                    let value = value.replace('\n', "\\n");
                    match flat.iter_mut().find(|(n, _)| *n == name) {
                        Some(entry) => entry.1 = value,
                        None => flat.push((name, value)),
                    }
                }
                _ => data.items.push(item),
            }
        }
        if flat.is_empty() {
            return Err(Error::MetadataNotFound);
        }
        let metadata = unflatten(&flat)?;
        Ok((
            Tree {
                branches: vec![data],
            },
            metadata,
        ))
    }

    fn emit_plain(&self, tree: &Tree) -> Result<Vec<u8>> {
        let empty = Map::new();
        emit(tree.branches.first().unwrap_or(&empty), &[])
    }

    fn emit_encrypted(&self, tree: &Tree, metadata: &Map) -> Result<Vec<u8>> {
        let mut flat = flatten(metadata);
        flat.sort_by(|a, b| a.0.cmp(&b.0));
        let empty = Map::new();
        emit(tree.branches.first().unwrap_or(&empty), &flat)
    }

    fn emit_value(&self, value: &Value) -> Result<Vec<u8>> {
        match value {
            Value::Str(s) => Ok(s.as_bytes().to_vec()),
            Value::Bytes(b) => Ok(b.to_vec()),
            other => Err(Error::DumpTree(format!(
                "the dotenv store only supports emitting strings, got {}",
                go_type(other)
            ))),
        }
    }

    fn looks_encrypted(&self, tree: &Tree) -> bool {
        tree.branches.first().is_some_and(|b| {
            b.items
                .iter()
                .any(|item| matches!(&item.key, Key::Str(k) if k.starts_with(SOPS_PREFIX)))
        })
    }
}

/// Go's `%T` of a tree value as sops holds it.
fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Map(_) => "sops.TreeBranch",
        Value::List(_) => "[]interface {}",
        Value::Int(_) => "int",
        Value::Uint64(_) => "uint64",
        Value::Float(_) => "float64",
        Value::Bool(_) => "bool",
        Value::Time(_) => "time.Time",
        Value::Null => "<nil>",
        Value::Comment(_) => "sops.Comment",
        Value::Str(_) | Value::Bytes(_) => "string",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Timestamp;

    const CASES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/vectors/generated-sops-3.11.0/cases"
    );

    fn read(path: &str) -> Vec<u8> {
        std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn plain_round_trip_reproduces_sops_output() {
        let tree = DotenvStore
            .load_plain(&read(&format!("{CASES}/dotenv-basic.plain.env")))
            .unwrap();
        let m = &tree.branches[0];
        assert_eq!(m.get("MULTI"), Some(&Value::str("line1\nline2")));
        assert_eq!(m.get("SPACED "), Some(&Value::str(" v ")));
        assert_eq!(m.get("export X"), Some(&Value::str("1")));
        assert_eq!(m.get("CRLF"), Some(&Value::str("x\r")));
        assert!(matches!(&m.items[0].key, Key::Comment(c) if c.as_str() == " comment line"));
        let out = DotenvStore.emit_plain(&tree).unwrap();
        assert_eq!(out, read(&format!("{CASES}/dotenv-basic.dec.env")));
        let repo = read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/vectors/sops-repo/_decrypted-by-sops-3.11.0/functional-tests_res_format.enc.env.decrypted"
        ));
        let tree = DotenvStore.load_plain(&repo).unwrap();
        assert_eq!(DotenvStore.emit_plain(&tree).unwrap(), repo);
    }

    #[test]
    fn encrypted_vectors_load_and_re_emit_identically() {
        let input = read(&format!("{CASES}/dotenv-basic.enc.env"));
        let (tree, meta) = DotenvStore.load_encrypted(&input).unwrap();
        assert!(!DotenvStore.looks_encrypted(&tree));
        assert_eq!(meta.get("version"), Some(&Value::str("3.11.0")));
        let Some(Value::List(age)) = meta.get("age") else {
            panic!("no age")
        };
        let Value::Map(a) = &age[0] else { panic!() };
        let Some(Value::Str(enc)) = a.get("enc") else {
            panic!()
        };
        assert!(enc.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"));
        assert!(enc.ends_with("-----END AGE ENCRYPTED FILE-----\n"));
        assert_eq!(DotenvStore.emit_encrypted(&tree, &meta).unwrap(), input);

        let repo = read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/vectors/sops-repo/functional-tests/res/format.enc.env"
        ));
        let (tree, meta) = DotenvStore.load_encrypted(&repo).unwrap();
        assert!(meta.get("mac").is_some());
        assert_eq!(DotenvStore.emit_encrypted(&tree, &meta).unwrap(), repo);
    }

    /// `yaml-types-for-conversion` decrypted with `--output-type dotenv`, from a hand-made tree.
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
        let out = DotenvStore.emit_plain(&Tree { branches: vec![m] }).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            String::from_utf8(read(&format!(
                "{CASES}/yaml-types-for-conversion.dec-as-dotenv.env"
            )))
            .unwrap()
        );
    }

    #[test]
    fn errors_are_clean() {
        assert_eq!(
            DotenvStore
                .load_plain(b"A=1\nnoeq\n")
                .unwrap_err()
                .to_string(),
            "Error unmarshalling file: invalid dotenv input line: noeq"
        );
        assert_eq!(
            DotenvStore
                .load_plain(b"A=1\n\nB=2\nnoeq\n")
                .unwrap_err()
                .hint()
                .as_deref(),
            Some("hint: the problem is on line 4")
        );
        assert_eq!(
            DotenvStore
                .load_encrypted(b"noeq\nsops_version=1\n")
                .unwrap_err()
                .to_string(),
            "invalid dotenv input line: noeq"
        );
        assert!(matches!(
            DotenvStore.load_encrypted(b"A=1\n"),
            Err(Error::MetadataNotFound)
        ));
        assert!(DotenvStore.load_plain(b"K\xff=1\n").is_err());
        assert!(DotenvStore.load_plain(b"#c\xff\n").is_err());
        let mut m = Map::new();
        m.push("list", Value::List(vec![]));
        assert_eq!(
            DotenvStore
                .emit_plain(&Tree { branches: vec![m] })
                .unwrap_err()
                .to_string(),
            "Error dumping file: cannot use complex value in dotenv file; offending key list"
        );
    }

    #[test]
    fn nul_and_invalid_utf8_values_round_trip() {
        let input = b"A=x\0y\nB=\xff\xfe\\n\n";
        let tree = DotenvStore.load_plain(input).unwrap();
        assert_eq!(tree.branches[0].get("A"), Some(&Value::str("x\0y")));
        assert!(matches!(tree.branches[0].get("B"), Some(Value::Bytes(_))));
        assert_eq!(DotenvStore.emit_plain(&tree).unwrap(), input);
    }

    #[test]
    fn looks_encrypted_on_any_sops_prefix() {
        let tree = DotenvStore.load_plain(b"A=1\nsops_x=2\n").unwrap();
        assert!(DotenvStore.looks_encrypted(&tree));
        let tree = DotenvStore.load_plain(b"A=1\nsops=2\n").unwrap();
        assert!(!DotenvStore.looks_encrypted(&tree));
        assert_eq!(DotenvStore.emit_value(&Value::str("v")).unwrap(), b"v");
        assert_eq!(
            DotenvStore
                .emit_value(&Value::Int(1))
                .unwrap_err()
                .to_string(),
            "Error dumping tree: the dotenv store only supports emitting strings, got int"
        );
    }
}
