//! Tree paths like `["a"][0]['b']`: parsing, lookup (`--extract`), set and unset (spec §8.1, §8.2).
//!
//! The parser follows sops's `parseTreePath` byte for byte (split on `[`,
//! strip the `]`, strip the first and last byte of a quoted key, `Atoi` the
//! rest) so that the same odd inputs give the same results; where sops panics
//! (`[]`, `["]`, negative indexes) this returns an error instead.

use crate::cipher::go_quote;
use crate::error::{Error, Result};
use crate::tree::{Item, Key, Map, Value};

/// One step of a tree path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathComponent {
    /// A map key (`["key"]` or `['key']`).
    Key(String),
    /// A list index (`[0]`); Go's `Atoi` allows a sign, so it may be negative.
    Index(i64),
}

/// Parses a path, returning sops's inner message on failure (callers add
/// their own prefix: `--extract` and `set` word it differently).
pub fn parse_components(arg: &str) -> std::result::Result<Vec<PathComponent>, String> {
    let mut path = Vec::new();
    for component in arg.split('[') {
        if component.is_empty() {
            continue;
        }
        let Some(inner) = component.strip_suffix(']') else {
            return Err(format!("component {component} doesn't end with ]"));
        };
        let bytes = inner.as_bytes();
        match bytes.first() {
            Some(b'"' | b'\'') => {
                // sops strips the first and the last byte, whatever the last one is.
                let key = match bytes.len() {
                    n if n >= 2 => bytes.get(1..n - 1).unwrap_or_default(),
                    _ => return Err(format!("component {component} is not a valid key")),
                };
                path.push(PathComponent::Key(
                    String::from_utf8_lossy(key).into_owned(),
                ));
            }
            Some(_) => match crate::gofmt::parse_int(inner) {
                Some(i) => path.push(PathComponent::Index(i)),
                None => {
                    let digits = inner.strip_prefix(['+', '-']).unwrap_or(inner);
                    let reason = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
                    {
                        "value out of range"
                    } else {
                        "invalid syntax"
                    };
                    return Err(format!(
                        "strconv.Atoi: parsing {}: {reason}",
                        go_quote(inner)
                    ));
                }
            },
            None => return Err(format!("component {component} is empty")),
        }
    }
    Ok(path)
}

/// Parses an `--extract` path; errors are [`Error::InvalidTreePath`] (exit
/// 91), or [`Error::SopsCrash`] (exit 2) for `[]` and a lone quote, where
/// sops's parser indexes past the end and crashes.
pub fn parse_extract_path(arg: &str) -> Result<Vec<PathComponent>> {
    parse_components(arg).map_err(|e| {
        let msg = format!("error parsing --extract path: {e}");
        if e.ends_with(" is empty") || e.ends_with(" is not a valid key") {
            Error::SopsCrash(msg)
        } else {
            Error::InvalidTreePath(msg)
        }
    })
}

/// What a path points at: the document itself (empty path), a nested map,
/// one item of a map (an index used on a map), or another value.
#[derive(Debug)]
pub enum Found<'a> {
    /// A map (the document for an empty path).
    Map(&'a Map),
    /// An item of a map picked by position: sops indexes its in-memory item
    /// list like any slice and hands back the key/value pair itself.
    Item(&'a Item),
    /// Any other value.
    Value(&'a Value),
}

impl<'a> Found<'a> {
    fn of(value: &'a Value) -> Self {
        match value {
            Value::Map(m) => Found::Map(m),
            other => Found::Value(other),
        }
    }
}

/// Follows `path` from a document (sops's `Truncate`); errors are
/// [`Error::TruncateTree`] with sops's messages, or [`Error::SopsCrash`]
/// where sops crashes (a key looked up in something that is not a map, a
/// negative index).
pub fn lookup<'a>(doc: &'a Map, path: &[PathComponent]) -> Result<Found<'a>> {
    let mut current = Found::Map(doc);
    for component in path {
        current = match component {
            PathComponent::Key(k) => {
                let m = match current {
                    Found::Map(m) => m,
                    Found::Item(_) => return Err(not_a_map(k, "a key/value item")),
                    Found::Value(v) => return Err(not_a_map(k, kind_of(v))),
                };
                m.items
                    .iter()
                    .find(|item| matches!(&item.key, Key::Str(key) if key == k))
                    .map(|item| Found::of(&item.value))
                    .ok_or_else(|| Error::TruncateTree(format!("component ['{k}'] not found")))?
            }
            PathComponent::Index(i) => {
                let len = match current {
                    Found::Map(m) => m.items.len(),
                    Found::Value(Value::List(l)) => l.len(),
                    _ => {
                        return Err(Error::TruncateTree(format!(
                            "component [{i}] is integer, but tree part is not a slice"
                        )));
                    }
                };
                let pos = usize::try_from(*i).map_err(|_| {
                    Error::SopsCrash(format!(
                        "error truncating tree: component [{i}] accesses out of bounds"
                    ))
                })?;
                if pos >= len {
                    return Err(Error::TruncateTree(format!(
                        "component [{i}] accesses out of bounds"
                    )));
                }
                match current {
                    Found::Map(m) => m.items.get(pos).map(Found::Item),
                    Found::Value(Value::List(l)) => l.get(pos).map(Found::of),
                    _ => None,
                }
                .ok_or_else(|| {
                    Error::TruncateTree(format!("component [{i}] accesses out of bounds"))
                })?
            }
        };
    }
    Ok(current)
}

fn not_a_map(key: &str, what: &str) -> Error {
    Error::SopsCrash(format!(
        "error truncating tree: component ['{key}'] not found: the value there is {what}, not a map"
    ))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "a map",
        Value::List(_) => "a list",
        Value::Str(_) | Value::Bytes(_) => "a string",
        Value::Int(_) | Value::Uint64(_) | Value::Float(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Time(_) => "a timestamp",
        Value::Null => "null",
        Value::Comment(_) => "a comment",
    }
}

/// A new value holding `leaf` at `path` (sops's `valueFromPathAndLeaf`).
fn value_from_path(path: &[PathComponent], leaf: Value) -> Value {
    match path.split_first() {
        None => leaf,
        Some((PathComponent::Index(_), rest)) => Value::List(vec![value_from_path(rest, leaf)]),
        Some((PathComponent::Key(k), rest)) => {
            let mut m = Map::new();
            m.push(k.clone(), value_from_path(rest, leaf));
            Value::Map(m)
        }
    }
}

fn index_error(what: &str, i: i64) -> Error {
    Error::Other(format!("component [{i}] {what}"))
}

/// `set`: stores `value` at `path` in a document, creating what is missing
/// (maps get the new key appended, an index past the end appends to the
/// list), as sops's `TreeBranch.Set`. Returns whether anything changed.
pub fn set(doc: &mut Map, path: &[PathComponent], value: Value) -> Result<bool> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(false);
    };
    let PathComponent::Key(k) = first else {
        // A list index never equals a map key: sops appends nothing and reports a change.
        return Ok(true);
    };
    let found = doc
        .items
        .iter_mut()
        .find(|item| matches!(&item.key, Key::Str(key) if key == k));
    match found {
        Some(item) if rest.is_empty() => {
            let changed = item.value != value;
            item.value = value;
            Ok(changed)
        }
        Some(item) => set_value(&mut item.value, rest, value),
        None => {
            doc.push(k.clone(), value_from_path(rest, value));
            Ok(true)
        }
    }
}

fn set_value(target: &mut Value, path: &[PathComponent], value: Value) -> Result<bool> {
    match target {
        Value::Map(m) => set(m, path, value),
        Value::List(list) => {
            let Some((first, rest)) = path.split_first() else {
                return Ok(false);
            };
            let PathComponent::Index(i) = first else {
                return Err(Error::Other(format!(
                    "cannot use key {} on a list; use an index like [0]",
                    shown(first)
                )));
            };
            let pos = usize::try_from(*i).map_err(|_| index_error("is negative", *i))?;
            match list.get_mut(pos) {
                None => {
                    list.push(value_from_path(rest, value));
                    Ok(true)
                }
                Some(slot) if rest.is_empty() => {
                    let changed = *slot != value;
                    *slot = value;
                    Ok(changed)
                }
                Some(slot) => set_value(slot, rest, value),
            }
        }
        other => {
            let new = value_from_path(path, value);
            let changed = *other != new;
            *other = new;
            Ok(changed)
        }
    }
}

/// What `unset` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Unset {
    /// The value was removed.
    Removed,
    /// Nothing at that path; the text is sops's message (`Key not found: x`,
    /// `Index 3 out of bounds`), an error unless `--idempotent`.
    NotFound(String),
}

/// `unset`: removes the value at `path` (sops's `TreeBranch.Unset`).
pub fn unset(doc: &mut Map, path: &[PathComponent]) -> Result<Unset> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(Unset::NotFound("Key not found: ".into()));
    };
    let pos = match first {
        PathComponent::Key(k) => doc
            .items
            .iter()
            .position(|item| matches!(&item.key, Key::Str(key) if key == k)),
        PathComponent::Index(_) => None,
    };
    let Some(pos) = pos else {
        return Ok(Unset::NotFound(format!("Key not found: {}", shown(first))));
    };
    if rest.is_empty() {
        doc.items.remove(pos);
        return Ok(Unset::Removed);
    }
    match doc.items.get_mut(pos) {
        Some(item) => unset_value(&mut item.value, rest),
        None => Ok(Unset::NotFound(format!("Key not found: {}", shown(first)))),
    }
}

fn unset_value(target: &mut Value, path: &[PathComponent]) -> Result<Unset> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(Unset::Removed);
    };
    match target {
        Value::Map(m) => unset(m, path),
        Value::List(list) => {
            let PathComponent::Index(i) = first else {
                return Err(Error::Other(format!(
                    "cannot use key {} on a list; use an index like [0]",
                    shown(first)
                )));
            };
            let pos = match usize::try_from(*i) {
                Ok(p) if p < list.len() => p,
                _ => return Ok(Unset::NotFound(format!("Index {i} out of bounds"))),
            };
            if rest.is_empty() {
                list.remove(pos);
                return Ok(Unset::Removed);
            }
            match list.get_mut(pos) {
                Some(v) => unset_value(v, rest),
                None => Ok(Unset::NotFound(format!("Index {i} out of bounds"))),
            }
        }
        other => Err(Error::Other(format!(
            "Unsupported type: {} for item '{}'",
            go_type_name(other),
            shown(first)
        ))),
    }
}

/// A component as sops prints it with `%s`.
fn shown(c: &PathComponent) -> String {
    match c {
        PathComponent::Key(k) => k.clone(),
        PathComponent::Index(i) => format!("%!s(int={i})"),
    }
}

fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Str(_) | Value::Bytes(_) => "string",
        Value::Int(_) => "int",
        Value::Float(_) => "float64",
        Value::Bool(_) => "bool",
        Value::Time(_) => "time.Time",
        Value::Null => "<nil>",
        Value::Comment(_) => "sops.Comment",
        Value::Uint64(_) => "uint64",
        Value::Map(_) => "sops.TreeBranch",
        Value::List(_) => "[]interface {}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PathComponent::{Index, Key as K};

    fn err(arg: &str) -> String {
        parse_extract_path(arg).unwrap_err().to_string()
    }

    #[test]
    fn parses_like_sops() {
        assert_eq!(
            parse_extract_path(r#"["a"][0]['b']"#).unwrap(),
            vec![K("a".into()), Index(0), K("b".into())]
        );
        assert_eq!(parse_extract_path("").unwrap(), vec![]);
        // No escaping: the quotes are just stripped.
        assert_eq!(
            parse_extract_path(r#"["a""b"]"#).unwrap(),
            vec![K("a\"\"b".into())]
        );
        assert_eq!(
            parse_extract_path(r#"["abc]"#).unwrap(),
            vec![K("ab".into())]
        );
        assert_eq!(parse_extract_path("[-1]").unwrap(), vec![Index(-1)]);
    }

    /// Messages printed by sops 3.11.0 for these paths (exit 91).
    #[test]
    fn malformed_paths_give_sops_messages() {
        assert_eq!(
            err(r#"["hello""#),
            "error parsing --extract path: component \"hello\" doesn't end with ]"
        );
        assert_eq!(
            err("hello"),
            "error parsing --extract path: component hello doesn't end with ]"
        );
        assert_eq!(
            err(r#"["a"]x"#),
            "error parsing --extract path: component \"a\"]x doesn't end with ]"
        );
        assert_eq!(
            err("[abc]"),
            "error parsing --extract path: strconv.Atoi: parsing \"abc\": invalid syntax"
        );
        assert_eq!(
            err(r#"[ "hello" ]"#),
            "error parsing --extract path: strconv.Atoi: parsing \" \\\"hello\\\" \": invalid syntax"
        );
        // sops panics on these; we refuse them.
        assert!(parse_extract_path("[]").is_err());
        assert!(parse_extract_path(r#"["]"#).is_err());
        assert!(matches!(
            parse_extract_path("[x"),
            Err(Error::InvalidTreePath(_))
        ));
    }

    fn doc() -> Map {
        let mut inner = Map::new();
        inner.push("x", Value::Int(1000));
        let mut m = Map::new();
        m.push("hello", Value::str("world"));
        m.push(
            "list",
            Value::List(vec![Value::str("a"), Value::Map(inner.clone())]),
        );
        m.push("nested", Value::Map(inner));
        m
    }

    #[test]
    fn lookup_finds_values_and_maps() {
        let d = doc();
        assert!(
            matches!(lookup(&d, &[K("hello".into())]).unwrap(), Found::Value(Value::Str(s)) if s.as_str() == "world")
        );
        assert!(
            matches!(lookup(&d, &[K("nested".into())]).unwrap(), Found::Map(m) if m.get("x").is_some())
        );
        assert!(matches!(
            lookup(&d, &[K("list".into()), Index(1), K("x".into())]).unwrap(),
            Found::Value(Value::Int(1000))
        ));
        assert!(matches!(lookup(&d, &[]).unwrap(), Found::Map(_)));
        // A map inside a list is a map (emitted as a whole document by sops).
        assert!(matches!(
            lookup(&d, &[K("list".into()), Index(1)]).unwrap(),
            Found::Map(m) if m.get("x").is_some()
        ));
        // An index on a map picks the key/value item, as sops's slice indexing does.
        assert!(matches!(
            lookup(&d, &[Index(2)]).unwrap(),
            Found::Item(item) if matches!(&item.key, Key::Str(k) if k == "nested")
        ));
    }

    /// Messages printed by sops 3.11.0 (exit 1).
    #[test]
    fn lookup_errors_give_sops_messages() {
        let d = doc();
        let e = |p: &[PathComponent]| lookup(&d, p).unwrap_err().to_string();
        assert_eq!(
            e(&[K("nope".into())]),
            "error truncating tree: component ['nope'] not found"
        );
        assert_eq!(
            e(&[K("list".into()), Index(9)]),
            "error truncating tree: component [9] accesses out of bounds"
        );
        assert_eq!(
            e(&[K("hello".into()), Index(0)]),
            "error truncating tree: component [0] is integer, but tree part is not a slice"
        );
        assert_eq!(
            e(&[Index(3)]),
            "error truncating tree: component [3] accesses out of bounds"
        );
        assert_eq!(
            e(&[Index(0), Index(0)]),
            "error truncating tree: component [0] is integer, but tree part is not a slice"
        );
    }

    /// Where sops 3.11 crashes (Go panic, exit 2): a key looked up in
    /// something that is not a map, a negative index.
    #[test]
    fn lookup_where_sops_crashes_is_a_clear_error() {
        let d = doc();
        let e = |p: &[PathComponent]| match lookup(&d, p) {
            Err(Error::SopsCrash(m)) => m,
            other => panic!("{p:?}: {other:?}"),
        };
        assert_eq!(
            e(&[K("hello".into()), K("x".into())]),
            "error truncating tree: component ['x'] not found: the value there is a string, not a map"
        );
        assert_eq!(
            e(&[K("list".into()), K("x".into())]),
            "error truncating tree: component ['x'] not found: the value there is a list, not a map"
        );
        assert_eq!(
            e(&[Index(0), K("x".into())]),
            "error truncating tree: component ['x'] not found: the value there is a key/value item, not a map"
        );
        assert_eq!(
            e(&[K("list".into()), Index(-1)]),
            "error truncating tree: component [-1] accesses out of bounds"
        );
    }

    #[test]
    fn set_follows_sops_rules() {
        let mut d = doc();
        assert!(set(&mut d, &[K("hello".into())], Value::str("there")).unwrap());
        assert!(!set(&mut d, &[K("hello".into())], Value::str("there")).unwrap());
        // Missing keys are appended, intermediate containers created.
        assert!(
            set(
                &mut d,
                &[K("new".into()), Index(0), K("a".into())],
                Value::Int(1)
            )
            .unwrap()
        );
        let Some(Value::List(l)) = d.get("new") else {
            panic!()
        };
        assert!(matches!(&l[0], Value::Map(m) if m.get("a") == Some(&Value::Int(1))));
        assert!(matches!(d.items.last().map(|i| &i.key), Some(Key::Str(k)) if k == "new"));
        // An index past the end appends.
        assert!(set(&mut d, &[K("list".into()), Index(5)], Value::str("x")).unwrap());
        let Some(Value::List(l)) = d.get("list") else {
            panic!()
        };
        assert_eq!(l.len(), 3);
        // Replacing a scalar with a nested structure.
        assert!(
            set(
                &mut d,
                &[K("hello".into()), K("deep".into())],
                Value::Bool(true)
            )
            .unwrap()
        );
        assert!(matches!(d.get("hello"), Some(Value::Map(_))));
        assert!(set(&mut d, &[K("list".into()), K("x".into())], Value::Null).is_err());
    }

    #[test]
    fn unset_follows_sops_rules() {
        let mut d = doc();
        assert_eq!(unset(&mut d, &[K("hello".into())]).unwrap(), Unset::Removed);
        assert!(d.get("hello").is_none());
        assert_eq!(
            unset(&mut d, &[K("hello".into())]).unwrap(),
            Unset::NotFound("Key not found: hello".into())
        );
        assert_eq!(
            unset(&mut d, &[K("list".into()), Index(7)]).unwrap(),
            Unset::NotFound("Index 7 out of bounds".into())
        );
        assert_eq!(
            unset(&mut d, &[K("list".into()), Index(0)]).unwrap(),
            Unset::Removed
        );
        let Some(Value::List(l)) = d.get("list") else {
            panic!()
        };
        assert_eq!(l.len(), 1);
        assert_eq!(
            unset(&mut d, &[K("nested".into()), K("x".into())]).unwrap(),
            Unset::Removed
        );
        assert!(
            unset(
                &mut d,
                &[K("list".into()), Index(0), K("x".into()), K("y".into())]
            )
            .is_err()
        );
    }
}
