//! Helm's merge of `-f` values files (Helm's `mergeMaps` in `pkg/cli/values`):
//! later files win, maps merge key by key recursively, anything else (lists,
//! scalars, `null`, a map meeting a non-map) replaces. Written against the tree
//! model so decrypted values never leave their zeroizing strings.
//!
//! A `null` is kept as `null`: helm resolves it later against the chart's
//! defaults (removing the default), which is not a values-file concern.
//! Comments are dropped, as helm's parse into Go maps drops them; key order
//! is first appearance, for a reviewable output (helm's maps have none).

use crate::tree::{Key, Map, Value};

/// Merges `over` (a later `-f` file) into `base` (the merge of the earlier ones).
pub fn merge_into(base: &mut Map, over: Map) {
    for item in normalize(over).items {
        let slot = base.items.iter_mut().find(|b| b.key == item.key);
        match slot {
            Some(existing) => match (&mut existing.value, item.value) {
                (Value::Map(old), Value::Map(new)) => merge_into(old, new),
                (old, new) => *old = new,
            },
            None => base.items.push(item),
        }
    }
}

/// Merges whole files in command-line order into the values helm would get.
pub fn merge_all(files: impl IntoIterator<Item = Map>) -> Map {
    let mut out = Map::new();
    for file in files {
        merge_into(&mut out, file);
    }
    out
}

/// One file as helm sees it: comments gone, and a key repeated in one map
/// holding its last value (a YAML decoder into a Go map keeps the last one).
pub fn normalize(map: Map) -> Map {
    let mut out = Map::new();
    for item in map.items {
        if matches!(item.key, Key::Comment(_)) {
            continue;
        }
        let value = normalize_value(item.value);
        match out.items.iter_mut().find(|o| o.key == item.key) {
            Some(existing) => existing.value = value,
            None => out.items.push(crate::tree::Item {
                key: item.key,
                value,
            }),
        }
    }
    out
}

fn normalize_value(value: Value) -> Value {
    match value {
        Value::Map(m) => Value::Map(normalize(m)),
        Value::List(items) => Value::List(
            items
                .into_iter()
                .filter(|v| !matches!(v, Value::Comment(_)))
                .map(normalize_value)
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::text;

    fn map(items: &[(&str, Value)]) -> Map {
        let mut m = Map::new();
        for (k, v) in items {
            m.push(*k, v.clone());
        }
        m
    }

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    // Helm's own TestMergeValues facts: a nested map overwrites a flat value,
    // a flat value overwrites a map, nested maps merge, disjoint flat maps union.
    #[test]
    fn a_nested_map_overwrites_a_flat_value() {
        let flat = map(&[("foo", s("bar")), ("baz", s("stuff"))]);
        let nested = map(&[
            ("foo", s("bar")),
            ("baz", Value::Map(map(&[("cool", s("stuff"))]))),
        ]);
        assert!(merge_all([flat, nested.clone()]) == nested);
    }

    #[test]
    fn a_flat_value_overwrites_a_map() {
        let flat = map(&[("foo", s("bar")), ("baz", s("stuff"))]);
        let nested = map(&[
            ("foo", s("bar")),
            ("baz", Value::Map(map(&[("cool", s("stuff"))]))),
        ]);
        assert!(merge_all([nested, flat.clone()]) == flat);
    }

    #[test]
    fn nested_maps_merge_key_by_key_later_wins() {
        let a = map(&[
            ("foo", s("bar")),
            (
                "baz",
                Value::Map(map(&[("cool", s("stuff")), ("keep", s("me"))])),
            ),
        ]);
        let b = map(&[(
            "baz",
            Value::Map(map(&[("cool", s("things")), ("awesome", s("stuff"))])),
        )]);
        let want = map(&[
            ("foo", s("bar")),
            (
                "baz",
                Value::Map(map(&[
                    ("cool", s("things")),
                    ("keep", s("me")),
                    ("awesome", s("stuff")),
                ])),
            ),
        ]);
        assert!(merge_all([a, b]) == want);
    }

    #[test]
    fn disjoint_maps_union_in_order() {
        let a = map(&[("foo", s("bar")), ("baz", s("stuff"))]);
        let b = map(&[("testing", s("fun"))]);
        let want = map(&[
            ("foo", s("bar")),
            ("baz", s("stuff")),
            ("testing", s("fun")),
        ]);
        assert!(merge_all([a, b]) == want);
    }

    #[test]
    fn lists_are_replaced_not_merged_or_appended() {
        let a = map(&[("l", Value::List(vec![Value::Int(1), Value::Int(2)]))]);
        let b = map(&[("l", Value::List(vec![Value::Int(3)]))]);
        let got = merge_all([a, b]);
        assert!(got.get("l") == Some(&Value::List(vec![Value::Int(3)])));
    }

    #[test]
    fn null_replaces_and_is_kept() {
        let a = map(&[(
            "grafana",
            Value::Map(map(&[("enabled", Value::Bool(true))])),
        )]);
        let b = map(&[("grafana", Value::Null)]);
        let got = merge_all([a, b]);
        assert!(got.get("grafana") == Some(&Value::Null));
        // …and a map after a null is taken whole.
        let c = map(&[("grafana", Value::Map(map(&[("x", Value::Int(1))])))]);
        let got = merge_all([got, c.clone()]);
        assert!(got == c);
    }

    #[test]
    fn an_earlier_file_is_not_overwritten_by_an_absent_key() {
        let a = map(&[("a", Value::Int(1)), ("b", Value::Int(2))]);
        let b = map(&[("b", Value::Int(3))]);
        let got = merge_all([a, b]);
        assert!(got.get("a") == Some(&Value::Int(1)));
        assert!(got.get("b") == Some(&Value::Int(3)));
        assert!(got.get("b") != Some(&Value::Int(2)));
    }

    #[test]
    fn comments_are_dropped_and_duplicate_keys_keep_the_last_value() {
        let mut m = Map::new();
        m.items.push(crate::tree::Item {
            key: Key::Comment(text(" a comment")),
            value: Value::Null,
        });
        m.push("k", Value::Int(1));
        m.push(
            "l",
            Value::List(vec![Value::Comment(text(" c")), Value::Int(5)]),
        );
        m.push("k", Value::Int(2));
        let got = normalize(m);
        assert_eq!(got.items.len(), 2);
        assert!(got.get("k") == Some(&Value::Int(2)));
        assert!(got.get("l") == Some(&Value::List(vec![Value::Int(5)])));
    }

    #[test]
    fn no_files_is_an_empty_map() {
        assert!(merge_all(Vec::<Map>::new()).items.is_empty());
    }
}
