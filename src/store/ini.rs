//! The INI store (spec §4.4, §6.4): sections of string keys, read and written like ini.v1.
//!
//! No Rust INI crate reproduces ini.v1's quirks (inline comments anywhere,
//! comment placement, alignment), which sops's output depends on, so the
//! reader and writer are hand-written in `ini/`.

mod parse;
mod write;

use crate::error::{Error, Result};
use crate::store::flatten::{flatten, unflatten, value_text};
use crate::store::{Format, Store};
use crate::tree::{Item, Key, Map, Tree, Value, text};
use write::{OutKey, OutSection};
use zeroize::Zeroizing;

/// `.ini` files, read and written like sops 3.11.
pub struct IniStore;

/// sops's `stripCommentChar`: removes the leading run of marker characters and spaces.
fn strip_comment_char(comment: &str) -> &str {
    if comment.starts_with(';') {
        comment.trim_start_matches([';', ' '])
    } else if comment.starts_with('#') {
        comment.trim_start_matches(['#', ' '])
    } else {
        comment
    }
}

fn utf8(bytes: &[u8], what: &str) -> std::result::Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        format!(
            "invalid UTF-8 in INI {what}: {}",
            String::from_utf8_lossy(bytes)
        )
    })
}

fn comment_item(comment: &[u8]) -> std::result::Result<Item, String> {
    let c = utf8(comment, "comment")?;
    Ok(Item {
        key: Key::Comment(text(strip_comment_char(&c))),
        value: Value::Null,
    })
}

/// One top-level item per section, as sops's `treeItemFromSection` builds it.
fn to_tree(sections: Vec<parse::Section>) -> std::result::Result<Map, String> {
    let mut top = Map::new();
    for section in sections {
        let mut items = Map::new();
        if !section.comment.is_empty() {
            items.items.push(comment_item(&section.comment)?);
        }
        for key in section.keys {
            let value = match String::from_utf8(key.value) {
                Ok(s) => Value::Str(text(s)),
                Err(e) => Value::Bytes(Zeroizing::new(e.into_bytes())),
            };
            items.push(utf8(&key.name, "key")?, value);
            if !key.comment.is_empty() {
                items.items.push(comment_item(&key.comment)?);
            }
        }
        top.push(utf8(&section.name, "section name")?, Value::Map(items));
    }
    Ok(top)
}

/// sops's `encodeTree`: every map item of every document becomes a section.
fn from_tree(branches: &[Map], out: &mut Vec<OutSection>) -> std::result::Result<(), String> {
    for branch in branches {
        for item in &branch.items {
            let name = match &item.key {
                Key::Comment(_) => continue,
                Key::Str(name) => name,
                Key::Scalar(_) => {
                    return Err("Error encoding section: non-string section name".into());
                }
            };
            if name.is_empty() {
                return Err("Error encoding section : empty section name".into());
            }
            let Value::Map(section) = &item.value else {
                return Err(
                    "Error encoding section: Section values should always be TreeBranches".into(),
                );
            };
            let mut out_section = OutSection {
                name: name.clone(),
                comment: String::new(),
                keys: Vec::new(),
            };
            let mut entries = section.items.iter().peekable();
            if let Some(Item {
                key: Key::Comment(c),
                ..
            }) = entries.peek()
            {
                out_section.comment = c.to_string();
                entries.next();
            }
            let mut last: Option<usize> = None;
            let mut index: std::collections::HashMap<&str, usize> =
                std::collections::HashMap::new();
            for entry in entries {
                match &entry.key {
                    Key::Comment(c) => {
                        if let Some(k) = last.and_then(|i| out_section.keys.get_mut(i)) {
                            k.comment = c.to_string();
                        }
                    }
                    Key::Str(k) => {
                        if k.is_empty() {
                            return Err(
                                "Error encoding key: error creating new key: empty key name".into(),
                            );
                        }
                        let value = value_text(&entry.value);
                        // ini.v1 merges a repeated key into the first one.
                        let pos = match index.get(k.as_str()).copied() {
                            Some(p) => {
                                if let Some(e) = out_section.keys.get_mut(p) {
                                    e.value = value;
                                }
                                p
                            }
                            None => {
                                index.insert(k.as_str(), out_section.keys.len());
                                out_section.keys.push(OutKey {
                                    name: k.clone(),
                                    value,
                                    comment: String::new(),
                                });
                                out_section.keys.len() - 1
                            }
                        };
                        last = Some(pos);
                    }
                    Key::Scalar(_) => return Err("Error encoding key: non-string key".into()),
                }
            }
            out.push(out_section);
        }
    }
    Ok(())
}

fn marshal_error(e: String) -> Error {
    Error::Dump(format!("Error marshaling to ini: {e}"))
}

impl Store for IniStore {
    fn format(&self) -> Format {
        Format::Ini
    }

    fn load_plain(&self, input: &[u8]) -> Result<Tree> {
        let wrap = |e: String| Error::Unmarshal(format!("Could not unmarshal input data: {e}"));
        let sections = parse::parse_at(input).map_err(|(e, line)| Error::UnmarshalAt {
            message: format!("Could not unmarshal input data: {e}"),
            line,
        })?;
        let map = to_tree(sections).map_err(wrap)?;
        Ok(Tree {
            branches: vec![map],
        })
    }

    fn load_encrypted(&self, input: &[u8]) -> Result<(Tree, Map)> {
        let sections = parse::parse(input).map_err(Error::Other)?;
        let Some(sops) = sections.iter().find(|s| s.name == b"sops") else {
            return Err(Error::MetadataNotFound);
        };
        let flat: Vec<(String, String)> = sops
            .keys
            .iter()
            .map(|k| {
                (
                    String::from_utf8_lossy(&k.name).into_owned(),
                    String::from_utf8_lossy(&k.value).into_owned(),
                )
            })
            .collect();
        let metadata = unflatten(&flat)?;
        let data: Vec<parse::Section> =
            sections.into_iter().filter(|s| s.name != b"sops").collect();
        let map = to_tree(data)
            .map_err(|e| Error::Other(format!("Could not unmarshal input data: {e}")))?;
        Ok((
            Tree {
                branches: vec![map],
            },
            metadata,
        ))
    }

    fn emit_plain(&self, tree: &Tree) -> Result<Vec<u8>> {
        let mut sections = Vec::new();
        from_tree(&tree.branches, &mut sections).map_err(marshal_error)?;
        Ok(write::write(&sections))
    }

    fn emit_encrypted(&self, tree: &Tree, metadata: &Map) -> Result<Vec<u8>> {
        let mut sections = Vec::new();
        from_tree(&tree.branches, &mut sections).map_err(marshal_error)?;
        sections.push(OutSection {
            name: "sops".into(),
            comment: String::new(),
            keys: flatten(metadata)
                .into_iter()
                .map(|(name, value)| OutKey {
                    name,
                    value: value.into_bytes(),
                    comment: String::new(),
                })
                .collect(),
        });
        Ok(write::write(&sections))
    }

    fn emit_value(&self, value: &Value) -> Result<Vec<u8>> {
        // sops marshals a single value with encoding/json, compactly.
        crate::store::json::compact(value).map_err(Error::DumpTree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/vectors/generated-sops-3.11.0/cases"
    );
    const SOPS_REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vectors/sops-repo");

    fn read(path: &str) -> Vec<u8> {
        std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn round_trip(input: &[u8]) -> String {
        let tree = IniStore.load_plain(input).unwrap();
        String::from_utf8(IniStore.emit_plain(&tree).unwrap()).unwrap()
    }

    #[test]
    fn plain_round_trips_reproduce_sops_output() {
        let out = round_trip(&read(&format!("{CASES}/ini-basic.plain.ini")));
        assert_eq!(
            out,
            String::from_utf8(read(&format!("{CASES}/ini-basic.dec.ini"))).unwrap()
        );
        for name in [
            "example.ini",
            "functional-tests_res_format.enc.ini",
            "functional-tests_res_format-2.enc.ini",
        ] {
            let dec = read(&format!(
                "{SOPS_REPO}/_decrypted-by-sops-3.11.0/{name}.decrypted"
            ));
            assert_eq!(round_trip(&dec), String::from_utf8(dec).unwrap(), "{name}");
        }
    }

    #[test]
    fn tree_shape_of_ini_basic() {
        let tree = IniStore
            .load_plain(&read(&format!("{CASES}/ini-basic.plain.ini")))
            .unwrap();
        let top = &tree.branches[0];
        let names: Vec<_> = top
            .items
            .iter()
            .map(|i| match &i.key {
                Key::Str(k) => k.clone(),
                _ => "#".into(),
            })
            .collect();
        assert_eq!(names, ["DEFAULT", "section1", "section2"]);
        let Some(Value::Map(s1)) = top.get("section1") else {
            panic!()
        };
        assert!(matches!(&s1.items[1].key, Key::Comment(c) if c.as_str() == "section comment"));
        assert!(matches!(&s1.items[3].key, Key::Comment(c) if c.as_str() == "inline?"));
        assert_eq!(s1.get("quoted"), Some(&Value::str("q v")));
        let Some(Value::Map(s2)) = top.get("section2") else {
            panic!()
        };
        assert_eq!(s2.get("multi"), Some(&Value::str("a\\nb")));
    }

    /// Outputs checked against the sops 3.11.0 binary (encrypt, then decrypt).
    #[test]
    fn oracle_round_trips() {
        assert_eq!(
            round_trip(b"url=http://x#frag\nb = c;d\ne= \"x\" \n"),
            "; frag\nurl = http://x\n; d\nb   = c\ne   = x\n"
        );
        assert_eq!(
            round_trip(b"; c1\n;; c2\n# c3\na=1 # inl\n[s] ; sc\n  k = \"\"\"multi\nline\"\"\" ; after\nb=`x;y`\nc=\"a\"b\"\n"),
            "; c1\n; ; c2\n# c3\n# inl\na = 1\n\n; sc\n[s]\n; after\nk = \"\"\"multi\nline\"\"\"\nb = `x;y`\nc = \"a\"b\"\n"
        );
        assert_eq!(
            round_trip(b"a=line \\\n   cont\\\n  more\nb: colon\n\"q k\" = 1\n`b=k`=2\n"),
            "a     = line contmore\nb     = colon\nq k   = 1\n`b=k` = 2\n"
        );
        assert_eq!(
            round_trip(b"\xef\xbb\xbfa=1\r\n[s]\r\n; c\r\nk=v\r\n"),
            "a = 1\n\n[s]\n; c\nk = v\n"
        );
    }

    /// Generated inputs whose round trip was printed by sops 3.11.0.
    #[test]
    fn generated_cases_match_sops() {
        let cases: [(&[u8], &str); 8] = [
            (b"c=a \\\r\nc=a \\\r\nn=1.5", "c = a c=a n=1.5\n"),
            (
                b"k = v ; in\nc=a \\\nc=a \\\ndup=1\n[t] ; c\n",
                "; in\nk = v\nc = a c=a dup=1\n\n; c\n[t]\n",
            ),
            (
                b"x=  \"q v\"  \n; c1\n\"k q\" = 1\n\n",
                "x   = q v\n; c1\nk q = 1\n",
            ),
            (b" ind = x # y\n", "; y\nind = x\n"),
            (
                b"e=\r\n[s]\r\nc=a \\\r\n[s]\r\nw=a\"b\r\ny='s'\r\np=x;y#z\r\n",
                "e = \n\n[s]\nc = a [s]\nw = a\"b\ny = s\n; y#z\np = x\n",
            ),
            (
                b"k=v\nk=v\nx=  \"q v\"  \nz=`b;t`\np=x;y#z\n[t] ; c\r\n",
                "k = v\nx = q v\nz = `b;t`\n; y#z\np = x\n\n; c\n[t]\n",
            ),
            (b"[t] ; c\ny='s'\n\n", "; c\n[t]\ny = s\n"),
            (b";; c3\nn=1.5\n\n", "; c3\nn = 1.5\n"),
        ];
        for (input, want) in cases {
            assert_eq!(
                round_trip(input),
                want,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn encrypted_vectors_load_and_re_emit() {
        let input = read(&format!("{CASES}/ini-basic.enc.ini"));
        let (tree, meta) = IniStore.load_encrypted(&input).unwrap();
        assert!(tree.branches[0].get("sops").is_none());
        assert_eq!(meta.get("version"), Some(&Value::str("3.11.0")));
        let Some(Value::List(age)) = meta.get("age") else {
            panic!()
        };
        let Value::Map(a) = &age[0] else { panic!() };
        let Some(Value::Str(enc)) = a.get("enc") else {
            panic!()
        };
        assert!(enc.ends_with("-----END AGE ENCRYPTED FILE-----\n"));
        // The [sops] key order is random in sops; everything before it is byte-exact.
        let out = IniStore.emit_encrypted(&tree, &meta).unwrap();
        let cut = |b: &[u8]| {
            let s = String::from_utf8(b.to_vec()).unwrap();
            let (data, sops) = s.split_once("[sops]\n").unwrap();
            let mut lines: Vec<String> = sops.lines().map(|l| l.to_string()).collect();
            lines.sort();
            (data.to_string(), lines)
        };
        assert_eq!(cut(&out), cut(&input));
        // Metadata survives a flatten/unflatten round trip.
        let (_, again) = IniStore.load_encrypted(&out).unwrap();
        assert_eq!(again, meta);

        for file in ["format.enc.ini", "format-2.enc.ini"] {
            let input = read(&format!("{SOPS_REPO}/functional-tests/res/{file}"));
            let (tree, meta) = IniStore.load_encrypted(&input).unwrap();
            assert!(meta.get("mac").is_some(), "{file}");
            let out = IniStore.emit_encrypted(&tree, &meta).unwrap();
            assert_eq!(cut(&out).0, cut(&input).0, "{file}");
        }
        let example = read(&format!("{SOPS_REPO}/example.ini"));
        assert!(IniStore.load_encrypted(&example).is_ok());
    }

    #[test]
    fn errors_match_sops() {
        let e = |s: &[u8]| IniStore.load_plain(s).unwrap_err().to_string();
        assert_eq!(
            e(b"a=1\nnoequals\n"),
            "Error unmarshalling file: Could not unmarshal input data: key-value delimiter not found: noequals\n"
        );
        assert_eq!(
            e(b"[]\na=1\n"),
            "Error unmarshalling file: Could not unmarshal input data: empty section name"
        );
        assert!(IniStore.load_plain(b"[s\xff]\n").is_err());
        assert!(matches!(
            IniStore.load_encrypted(b"a=1\n"),
            Err(Error::MetadataNotFound)
        ));
        assert_eq!(
            IniStore
                .load_encrypted(b"noeq\n[sops]\n")
                .unwrap_err()
                .to_string(),
            "key-value delimiter not found: noeq\n"
        );
        let mut m = Map::new();
        m.push("hello", Value::str("world"));
        assert_eq!(
            IniStore
                .emit_plain(&Tree { branches: vec![m] })
                .unwrap_err()
                .to_string(),
            "Error dumping file: Error marshaling to ini: Error encoding section: Section values should always be TreeBranches"
        );
    }

    /// `--extract` with `--output-type ini` prints Go's `json.Marshal` (checked with sops).
    #[test]
    fn extract_value_matches_sops() {
        let mut deep = Map::new();
        deep.push("deep", Value::str("y"));
        let v = Value::List(vec![Value::str("x"), Value::Map(deep)]);
        assert_eq!(
            IniStore.emit_value(&v).unwrap(),
            br#"["x",[{"Key":"deep","Value":"y"}]]"#
        );
        assert_eq!(IniStore.emit_value(&Value::Int(42)).unwrap(), b"42");
    }

    /// YAML-typed values written as INI (checked with `sops decrypt --output-type ini`).
    #[test]
    fn converted_values_match_sops() {
        let mut inner = Map::new();
        inner.push("x", Value::Int(1));
        inner.push("y", Value::List(vec![Value::Int(1), Value::str("s")]));
        let mut sec = Map::new();
        sec.push("a", Value::Int(1));
        sec.push("n", Value::Map(inner));
        sec.push("l", Value::List(vec![Value::Int(1), Value::Int(2)]));
        sec.push("f", Value::Float(1e30));
        sec.push("nul", Value::Null);
        let mut top = Map::new();
        top.push("sec", Value::Map(sec));
        let out = IniStore
            .emit_plain(&Tree {
                branches: vec![top],
            })
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[sec]\na   = 1\nn   = [{x 1} {y [1 s]}]\nl   = [1 2]\nf   = 1E+30\nnul = <nil>\n"
        );
    }
}
