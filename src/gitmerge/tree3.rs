//! Key-by-key three-way merge of decrypted documents.
//!
//! Maps merge per key (recursively); any other value, lists included, is one
//! unit: a side that left it as in the base takes the other side's version,
//! and two different changes are a conflict, never a silent choice. The merge
//! yields two trees that differ only at the conflicts (ours' and theirs'
//! version there), from which the conflict markers are written.

use crate::tree::{Item, Key, Map, Tree, Value};

/// The result of a merge.
pub struct Merged {
    /// The merged documents, with ours' values at conflicts.
    pub ours: Tree,
    /// The same, with theirs' values at conflicts.
    pub theirs: Tree,
    /// Key paths (`["a"]["b"]`) changed differently on both sides.
    pub conflicts: Vec<String>,
}

/// Merges `ours` and `theirs`, both descended from `base`.
pub fn merge(base: &Tree, ours: &Tree, theirs: &Tree) -> Merged {
    let mut conflicts = Vec::new();
    if ours.branches.len() != theirs.branches.len() {
        // Documents added or removed: only a one-sided change can be merged.
        let (o, t) = if ours == base {
            (theirs.clone(), theirs.clone())
        } else if theirs == base {
            (ours.clone(), ours.clone())
        } else {
            conflicts.push("(documents)".to_string());
            (ours.clone(), theirs.clone())
        };
        return Merged {
            ours: o,
            theirs: t,
            conflicts,
        };
    }
    let empty = Map::new();
    let mut out_o = Tree::default();
    let mut out_t = Tree::default();
    for (i, (o, t)) in ours.branches.iter().zip(&theirs.branches).enumerate() {
        let b = base.branches.get(i).unwrap_or(&empty);
        let prefix = if ours.branches.len() > 1 {
            format!("(document {i})")
        } else {
            String::new()
        };
        let (mo, mt) = merge_map(b, o, t, &prefix, &mut conflicts);
        out_o.branches.push(mo);
        out_t.branches.push(mt);
    }
    Merged {
        ours: out_o,
        theirs: out_t,
        conflicts,
    }
}

enum Resolution<'a> {
    Take(Option<&'a Value>),
    Recurse(&'a Map, &'a Map, &'a Map),
    Conflict(Option<&'a Value>, Option<&'a Value>),
}

fn resolve<'a>(
    b: Option<&'a Value>,
    o: Option<&'a Value>,
    t: Option<&'a Value>,
    empty: &'a Map,
) -> Resolution<'a> {
    if o == t {
        return Resolution::Take(o);
    }
    if o == b {
        return Resolution::Take(t);
    }
    if t == b {
        return Resolution::Take(o);
    }
    match (b, o, t) {
        (None | Some(Value::Map(_)), Some(Value::Map(om)), Some(Value::Map(tm))) => {
            let bm = match b {
                Some(Value::Map(m)) => m,
                _ => empty,
            };
            Resolution::Recurse(bm, om, tm)
        }
        _ => Resolution::Conflict(o, t),
    }
}

fn get<'a>(m: &'a Map, k: &str) -> Option<&'a Value> {
    m.get(k)
}

fn merge_map(
    base: &Map,
    ours: &Map,
    theirs: &Map,
    path: &str,
    conflicts: &mut Vec<String>,
) -> (Map, Map) {
    let empty = Map::new();
    let mut out_o = Map::new();
    let mut out_t = Map::new();
    let mut place = |key: &str, b, o, t, out_o: &mut Map, out_t: &mut Map| {
        let here = format!("{path}[{key:?}]");
        let push = |m: &mut Map, v: Option<&Value>| {
            if let Some(v) = v {
                m.items.push(Item {
                    key: Key::Str(key.to_string()),
                    value: v.clone(),
                });
            }
        };
        match resolve(b, o, t, &empty) {
            Resolution::Take(v) => {
                push(out_o, v);
                push(out_t, v);
            }
            Resolution::Recurse(bm, om, tm) => {
                let (mo, mt) = merge_map(bm, om, tm, &here, conflicts);
                push(out_o, Some(&Value::Map(mo)));
                push(out_t, Some(&Value::Map(mt)));
            }
            Resolution::Conflict(o, t) => {
                conflicts.push(here);
                push(out_o, o);
                push(out_t, t);
            }
        }
    };
    for item in &ours.items {
        match &item.key {
            Key::Str(k) => place(
                k,
                get(base, k),
                Some(&item.value),
                get(theirs, k),
                &mut out_o,
                &mut out_t,
            ),
            // Comments and non-string keys follow ours.
            _ => {
                out_o.items.push(item.clone());
                out_t.items.push(item.clone());
            }
        }
    }
    for item in &theirs.items {
        if let Key::Str(k) = &item.key
            && ours.get(k).is_none()
        {
            place(
                k,
                get(base, k),
                None,
                Some(&item.value),
                &mut out_o,
                &mut out_t,
            );
        }
    }
    (out_o, out_t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Format, StoreOptions, for_format};

    fn yaml(s: &str) -> Tree {
        for_format(Format::Yaml, StoreOptions::default())
            .unwrap()
            .load_plain(s.as_bytes())
            .unwrap()
    }

    fn emit(t: &Tree) -> String {
        let b = for_format(Format::Yaml, StoreOptions::default())
            .unwrap()
            .emit_plain(t)
            .unwrap();
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn one_sided_changes_merge() {
        let m = merge(
            &yaml("a: 1\nb: 2\nc: {x: 1, z: 2}\n"),
            &yaml("a: 10\nb: 2\nc: {x: 1, z: 2}\nnew_o: o\n"),
            &yaml("a: 1\nb: 20\nc: {x: 1, z: 3}\nnew_t: t\n"),
        );
        assert!(m.conflicts.is_empty());
        assert_eq!(
            emit(&m.ours),
            "a: 10\nb: 20\nc:\n    x: 1\n    z: 3\nnew_o: o\nnew_t: t\n"
        );
    }

    #[test]
    fn deletions_merge_and_same_change_is_no_conflict() {
        let m = merge(
            &yaml("a: 1\nb: 2\n"),
            &yaml("b: 5\n"),
            &yaml("a: 1\nb: 5\n"),
        );
        assert!(m.conflicts.is_empty());
        assert_eq!(emit(&m.ours), "b: 5\n");
    }

    #[test]
    fn both_sides_changing_one_key_is_a_conflict() {
        let m = merge(
            &yaml("a: 1\nd: {k: 1}\n"),
            &yaml("a: 2\nd: {k: 2}\n"),
            &yaml("a: 3\nd: {k: 3}\n"),
        );
        assert_eq!(m.conflicts, vec!["[\"a\"]", "[\"d\"][\"k\"]"]);
        assert_eq!(emit(&m.ours), "a: 2\nd:\n    k: 2\n");
        assert_eq!(emit(&m.theirs), "a: 3\nd:\n    k: 3\n");
    }

    #[test]
    fn delete_against_modify_is_a_conflict() {
        let m = merge(
            &yaml("a: 1\nb: 1\n"),
            &yaml("b: 1\n"),
            &yaml("a: 2\nb: 1\n"),
        );
        assert_eq!(m.conflicts, vec!["[\"a\"]"]);
    }
}
