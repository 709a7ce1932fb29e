//! Tree paths like `["a"][0]['b']`: parsing (`--extract`, `set`, `unset`) and lookup (spec §8.1).
//!
//! The parser follows sops's `parseTreePath` byte for byte (split on `[`,
//! strip the `]`, strip the first and last byte of a quoted key, `Atoi` the
//! rest) so that the same odd inputs give the same results; where sops panics
//! (`[]`, `["]`, negative indexes) this returns an error instead.

use crate::cipher::go_quote;
use crate::error::{Error, Result};
use crate::tree::{Key, Map, Value};

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

/// Parses an `--extract` path; errors are [`Error::InvalidTreePath`] (exit 91).
pub fn parse_extract_path(arg: &str) -> Result<Vec<PathComponent>> {
    parse_components(arg)
        .map_err(|e| Error::InvalidTreePath(format!("error parsing --extract path: {e}")))
}

/// What a path points at: the document itself (empty path), a nested map, or another value.
#[derive(Debug)]
pub enum Found<'a> {
    /// A map (the document for an empty path).
    Map(&'a Map),
    /// Any other value.
    Value(&'a Value),
}

/// Follows `path` from a document (sops's `Truncate`); errors are
/// [`Error::TruncateTree`] with sops's messages.
pub fn lookup<'a>(doc: &'a Map, path: &[PathComponent]) -> Result<Found<'a>> {
    let mut current = Found::Map(doc);
    for component in path {
        current = match component {
            PathComponent::Key(k) => {
                let not_found = || Error::TruncateTree(format!("component ['{k}'] not found"));
                let m = match current {
                    Found::Map(m) | Found::Value(Value::Map(m)) => m,
                    Found::Value(_) => return Err(not_found()),
                };
                found_in(m, k).ok_or_else(not_found)?
            }
            PathComponent::Index(i) => {
                let Found::Value(Value::List(list)) = current else {
                    return Err(Error::TruncateTree(format!(
                        "component [{i}] is integer, but tree part is not a slice"
                    )));
                };
                let v = usize::try_from(*i)
                    .ok()
                    .and_then(|i| list.get(i))
                    .ok_or_else(|| {
                        Error::TruncateTree(format!("component [{i}] accesses out of bounds"))
                    })?;
                Found::Value(v)
            }
        };
    }
    Ok(current)
}

fn found_in<'a>(m: &'a Map, key: &str) -> Option<Found<'a>> {
    m.items.iter().find_map(|item| match &item.key {
        Key::Str(k) if k == key => Some(match &item.value {
            Value::Map(inner) => Found::Map(inner),
            other => Found::Value(other),
        }),
        _ => None,
    })
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
            e(&[K("list".into()), Index(-1)]),
            "error truncating tree: component [-1] accesses out of bounds"
        );
        assert!(lookup(&d, &[K("list".into()), K("x".into())]).is_err());
    }
}
