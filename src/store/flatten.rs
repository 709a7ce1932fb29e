//! The flattened metadata of dotenv and INI files (spec §4.4) and the text of flat values.
//!
//! Flat formats hold only `key=value` strings, so sops turns the nested `sops`
//! map into `__map_<key>` / `__list_<index>` paths and back. Only the flat
//! stores need this, hence its own module next to them.

use crate::error::{Error, Result};
use crate::gofmt::format_float_dotenv;
use crate::tree::{Key, Map, Value, text};

const MAP_SEPARATOR: &str = "__map_";
const LIST_SEPARATOR: &str = "__list_";

/// Largest list index accepted when unflattening: a hostile file must not
/// make us allocate an enormous list (sops would try).
const MAX_LIST_INDEX: usize = 100_000;

/// Flattens the metadata map (shaped for JSON) into `(flat key, text)` pairs in
/// document order: nulls dropped, every leaf written as text (`2`, `true`),
/// newlines written as the two characters `\n`.
pub fn flatten(metadata: &Map) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for item in &metadata.items {
        if let Key::Str(k) = &item.key {
            flatten_into(&mut out, k.clone(), &item.value);
        }
    }
    out
}

fn flatten_into(out: &mut Vec<(String, String)>, prefix: String, value: &Value) {
    match value {
        Value::Map(m) => {
            for item in &m.items {
                if let Key::Str(k) = &item.key {
                    flatten_into(out, format!("{prefix}{MAP_SEPARATOR}{k}"), &item.value);
                }
            }
        }
        Value::List(l) => {
            for (i, v) in l.iter().enumerate() {
                flatten_into(out, format!("{prefix}{LIST_SEPARATOR}{i}"), v);
            }
        }
        Value::Null | Value::Comment(_) => {}
        // sops writes `shamir_threshold` with `%.0f` after its JSON round trip.
        Value::Float(f) if prefix == "shamir_threshold" => {
            out.push((prefix, format!("{f:.0}")));
        }
        leaf => {
            let s = String::from_utf8_lossy(&value_text(leaf)).replace('\n', "\\n");
            out.push((prefix, s));
        }
    }
}

/// One step of a flat key.
enum Step<'a> {
    Map(&'a str),
    List(usize),
}

/// Splits a flat key at its markers, as sops's `tokenize` does (a bad index reads as 0).
fn tokenize(path: &str) -> Result<Vec<Step<'_>>> {
    let mut steps = Vec::new();
    let mut rest = path;
    let mut is_list = false;
    loop {
        let next_map = rest.find(MAP_SEPARATOR);
        let next_list = rest.find(LIST_SEPARATOR);
        let (end, sep_len, next_is_list) = match (next_map, next_list) {
            (Some(m), Some(l)) if l < m => (l, LIST_SEPARATOR.len(), true),
            (Some(m), _) => (m, MAP_SEPARATOR.len(), false),
            (None, Some(l)) => (l, LIST_SEPARATOR.len(), true),
            (None, None) => (rest.len(), 0, false),
        };
        let part = rest.get(..end).unwrap_or_default();
        if is_list {
            let index = if part.starts_with('-') {
                return Err(bad_metadata_key(path));
            } else {
                part.parse::<usize>().unwrap_or(0)
            };
            if index > MAX_LIST_INDEX {
                return Err(bad_metadata_key(path));
            }
            steps.push(Step::List(index));
        } else {
            steps.push(Step::Map(part));
        }
        if sep_len == 0 {
            return Ok(steps);
        }
        rest = rest.get(end + sep_len..).unwrap_or_default();
        is_list = next_is_list;
    }
}

fn bad_metadata_key(path: &str) -> Error {
    Error::InvalidMetadata(format!("invalid flattened metadata key: {path}"))
}

/// The tree being rebuilt; lists may have holes (`None`, read as null).
enum Node {
    Leaf(String),
    Map(Vec<(String, Node)>),
    List(Vec<Option<Node>>),
}

/// Rebuilds the metadata map from flat `(key, value)` pairs; `\n` two-character
/// sequences in values become newlines. Values stay strings (the metadata
/// reader accepts `"2"` and `"true"`). Conflicting paths (`age=x` next to
/// `age__list_0…`) are an error instead of sops's crash.
pub fn unflatten(entries: &[(String, String)]) -> Result<Map> {
    let mut root = Node::Map(Vec::new());
    for (key, value) in entries {
        let steps = tokenize(key)?;
        let leaf = value.replace("\\n", "\n");
        insert(&mut root, &steps, leaf).ok_or_else(|| bad_metadata_key(key))?;
    }
    match into_value(root) {
        Value::Map(m) => Ok(m),
        _ => Ok(Map::new()),
    }
}

/// Places `leaf` at `steps` under `node`; `None` on a type conflict.
fn insert(node: &mut Node, steps: &[Step<'_>], leaf: String) -> Option<()> {
    let (step, rest) = steps.split_first()?;
    let slot: &mut Option<Node> = match (node, step) {
        (Node::Map(entries), Step::Map(k)) => {
            let pos = match entries.iter().position(|(name, _)| name == k) {
                Some(p) => p,
                None => {
                    entries.push(((*k).to_string(), Node::Leaf(String::new())));
                    entries.len() - 1
                }
            };
            let entry = &mut entries.get_mut(pos)?.1;
            return place(entry, rest, leaf);
        }
        (Node::List(items), Step::List(i)) => {
            if items.len() <= *i {
                items.resize_with(*i + 1, || None);
            }
            items.get_mut(*i)?
        }
        _ => return None,
    };
    if slot.is_none() {
        *slot = Some(Node::Leaf(String::new()));
    }
    place(slot.as_mut()?, rest, leaf)
}

/// Sets `entry` to the leaf (end of path) or to the container the next step needs.
fn place(entry: &mut Node, rest: &[Step<'_>], leaf: String) -> Option<()> {
    match rest.first() {
        None => {
            *entry = Node::Leaf(leaf);
            Some(())
        }
        Some(next) => {
            let fresh = matches!(entry, Node::Leaf(s) if s.is_empty());
            if fresh {
                *entry = match next {
                    Step::Map(_) => Node::Map(Vec::new()),
                    Step::List(_) => Node::List(Vec::new()),
                };
            }
            insert(entry, rest, leaf)
        }
    }
}

fn into_value(node: Node) -> Value {
    match node {
        Node::Leaf(s) => Value::Str(text(s)),
        Node::Map(entries) => {
            let mut m = Map::new();
            for (k, v) in entries {
                m.push(k, into_value(v));
            }
            Value::Map(m)
        }
        Node::List(items) => Value::List(
            items
                .into_iter()
                .map(|n| n.map_or(Value::Null, into_value))
                .collect(),
        ),
    }
}

/// sops's `ValToString`: the text of a non-container value in dotenv/INI output
/// (`'G'` floats with a forced `.0`, `<nil>`, RFC 3339 seconds), and Go's `%v`
/// for containers (which only INI writes).
pub fn value_text(value: &Value) -> Vec<u8> {
    match value {
        Value::Str(s) => s.as_bytes().to_vec(),
        Value::Bytes(b) => b.to_vec(),
        other => go_v(other).into_bytes(),
    }
}

/// Go's `%v` of a tree value.
fn go_v(value: &Value) -> String {
    match value {
        Value::Str(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Int(i) => i.to_string(),
        Value::Uint64(u) => u.to_string(),
        Value::Float(f) => format_float_dotenv(*f),
        Value::Bool(b) => b.to_string(),
        Value::Time(t) => t.to_rfc3339(),
        Value::Null => "<nil>".into(),
        Value::Comment(c) => format!("{{{}}}", c.as_str()),
        Value::List(l) => {
            let parts: Vec<String> = l.iter().map(go_v_nested).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Map(m) => {
            let parts: Vec<String> = m
                .items
                .iter()
                .map(|item| {
                    let key = match &item.key {
                        Key::Str(k) => k.clone(),
                        Key::Comment(c) => format!("{{{}}}", c.as_str()),
                        Key::Scalar(v) => go_v_nested(v),
                    };
                    format!("{{{key} {}}}", go_v_nested(&item.value))
                })
                .collect();
            format!("[{}]", parts.join(" "))
        }
    }
}

/// Inside a container Go prints floats with plain `%v` (no forced `.0`).
fn go_v_nested(value: &Value) -> String {
    match value {
        Value::Float(f) if f.is_nan() => "NaN".into(),
        Value::Float(f) if f.is_infinite() => crate::gofmt::format_float_plain(*f),
        Value::Float(f) => crate::gofmt::format_float_yaml(*f),
        other => go_v(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn flatten_follows_sops_rules() {
        let mut age = Map::new();
        age.push("recipient", Value::str("age1x"));
        age.push("enc", Value::str("-----BEGIN-----\nabc\n"));
        let mut group = Map::new();
        group.push("hc_vault", Value::Null);
        group.push("age", Value::List(vec![Value::Map(age.clone())]));
        let mut md = Map::new();
        md.push("shamir_threshold", Value::Int(2));
        md.push("key_groups", Value::List(vec![Value::Map(group)]));
        md.push("age", Value::List(vec![Value::Map(age)]));
        md.push("mac_only_encrypted", Value::Bool(true));
        md.push("version", Value::str("3.11.0"));
        let flat = flatten(&md);
        assert_eq!(
            flat,
            entries(&[
                ("shamir_threshold", "2"),
                (
                    "key_groups__list_0__map_age__list_0__map_recipient",
                    "age1x"
                ),
                (
                    "key_groups__list_0__map_age__list_0__map_enc",
                    "-----BEGIN-----\\nabc\\n"
                ),
                ("age__list_0__map_recipient", "age1x"),
                ("age__list_0__map_enc", "-----BEGIN-----\\nabc\\n"),
                ("mac_only_encrypted", "true"),
                ("version", "3.11.0"),
            ])
        );
        let mut f = Map::new();
        f.push("shamir_threshold", Value::Float(3.0));
        assert_eq!(flatten(&f), entries(&[("shamir_threshold", "3")]));
    }

    #[test]
    fn unflatten_rebuilds_nesting_and_holes() {
        let md = unflatten(&entries(&[
            ("key_groups__list_1__map_age__list_0__map_enc", "a\\nb"),
            ("version", "3.11.0"),
            ("kms__list_0__map_context__map_app", "web"),
        ]))
        .unwrap();
        let Some(Value::List(groups)) = md.get("key_groups") else {
            panic!()
        };
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0], Value::Null);
        let Value::Map(g) = &groups[1] else { panic!() };
        let Some(Value::List(ages)) = g.get("age") else {
            panic!()
        };
        let Value::Map(a) = &ages[0] else { panic!() };
        assert_eq!(a.get("enc"), Some(&Value::str("a\nb")));
        assert_eq!(md.get("version"), Some(&Value::str("3.11.0")));
        let Some(Value::List(kms)) = md.get("kms") else {
            panic!()
        };
        let Value::Map(k) = &kms[0] else { panic!() };
        let Some(Value::Map(ctx)) = k.get("context") else {
            panic!()
        };
        assert_eq!(ctx.get("app"), Some(&Value::str("web")));
    }

    #[test]
    fn flatten_then_unflatten_is_identity_on_strings() {
        let flat = entries(&[
            ("age__list_0__map_recipient", "r"),
            ("age__list_0__map_enc", "x\\ny\\n"),
            ("age__list_1__map_recipient", "r2"),
            ("lastmodified", "2026-11-24T16:30:48Z"),
        ]);
        let md = unflatten(&flat).unwrap();
        assert_eq!(flatten(&md), flat);
    }

    #[test]
    fn unflatten_refuses_conflicts_and_huge_indexes() {
        assert!(unflatten(&entries(&[("age", "x"), ("age__list_0__map_enc", "y")])).is_err());
        assert!(
            unflatten(&entries(&[
                ("age__list_0__map_enc", "y"),
                ("age__map_x", "z")
            ]))
            .is_err()
        );
        assert!(unflatten(&entries(&[("age__list_99999999999", "y")])).is_err());
        assert!(unflatten(&entries(&[("age__list_-1", "y")])).is_err());
        // A non-numeric index reads as 0, as Go's ignored Atoi error gives.
        let md = unflatten(&entries(&[("age__list_x", "y")])).unwrap();
        assert_eq!(md.get("age"), Some(&Value::List(vec![Value::str("y")])));
    }

    #[test]
    fn value_text_matches_go() {
        assert_eq!(value_text(&Value::Float(1.0)), b"1.0");
        assert_eq!(value_text(&Value::Float(1e21)), b"1E+21");
        assert_eq!(value_text(&Value::Null), b"<nil>");
        assert_eq!(value_text(&Value::Bool(false)), b"false");
        let mut m = Map::new();
        m.push("x", Value::Float(1.0));
        m.push("y", Value::List(vec![Value::Float(1.0), Value::str("s")]));
        assert_eq!(value_text(&Value::Map(m)), b"[{x 1} {y [1 s]}]");
    }
}
