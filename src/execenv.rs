//! `exec-env`: the decrypted first document as `KEY=value` environment entries, with
//! sops's value formatting and refusals (spec §8.2); kept in the library so the rules
//! are unit-tested apart from process spawning.

use crate::error::{Error, Result};
use crate::store::flatten::value_text;
use crate::tree::{Key, Text, Tree, Value};

/// One environment entry: the key and its value text (secret, zeroized on drop).
pub struct EnvEntry {
    /// The variable name.
    pub key: String,
    /// The value: strings raw, other scalars as sops formats them (`1.0`, `true`, `<nil>`).
    pub value: Text,
}

/// The top-level entries of the first document. Nested values, non-string keys and
/// keys containing `=` are refused with sops's messages; comments are skipped.
pub fn environment(tree: &Tree) -> Result<Vec<EnvEntry>> {
    let Some(first) = tree.branches.first() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(first.items.len());
    for item in &first.items {
        if matches!(item.value, Value::Map(_) | Value::List(_)) {
            return Err(Error::Other(format!(
                "cannot use complex value in environment; offending key {}",
                key_text(&item.key)
            )));
        }
        let key = match &item.key {
            Key::Comment(_) => continue,
            Key::Str(k) => k.clone(),
            Key::Scalar(v) => {
                return Err(Error::Other(format!(
                    "cannot use non-string keys in environment, got {}",
                    go_type(v)
                )));
            }
        };
        if key.contains('=') {
            return Err(Error::Other(format!(
                "cannot use keys with '=' in environment: {key}"
            )));
        }
        let bytes = zeroize::Zeroizing::new(value_text(&item.value));
        let value = Text::new(String::from_utf8_lossy(&bytes).into_owned());
        out.push(EnvEntry { key, value });
    }
    Ok(out)
}

fn key_text(key: &Key) -> String {
    match key {
        Key::Str(k) => k.clone(),
        Key::Comment(c) => format!("{{{}}}", c.as_str()),
        Key::Scalar(v) => String::from_utf8_lossy(&value_text(v)).into_owned(),
    }
}

/// Go's `%T` of a scalar map key.
fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Int(_) => "int",
        Value::Uint64(_) => "uint64",
        Value::Float(_) => "float64",
        Value::Bool(_) => "bool",
        Value::Time(_) => "time.Time",
        Value::Null => "<nil>",
        Value::Str(_) | Value::Bytes(_) => "string",
        Value::Map(_) | Value::List(_) | Value::Comment(_) => "interface {}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Map;

    fn tree(m: Map) -> Tree {
        Tree { branches: vec![m] }
    }

    #[test]
    fn values_formatted_like_sops() {
        let mut m = Map::new();
        m.push("s", Value::str("a\nb"));
        m.push("f", Value::Float(1.0));
        m.push("big", Value::Float(1e30));
        m.push("i", Value::Int(42));
        m.push("b", Value::Bool(false));
        m.push("n", Value::Null);
        m.push("e", Value::str(""));
        let env = environment(&tree(m)).unwrap();
        let pairs: Vec<(String, String)> = env
            .iter()
            .map(|e| (e.key.clone(), e.value.to_string()))
            .collect();
        let want = [
            ("s", "a\nb"),
            ("f", "1.0"),
            ("big", "1E+30"),
            ("i", "42"),
            ("b", "false"),
            ("n", "<nil>"),
            ("e", ""),
        ];
        assert_eq!(pairs.len(), want.len());
        for ((k, v), (wk, wv)) in pairs.iter().zip(want) {
            assert_eq!((k.as_str(), v.as_str()), (wk, wv));
        }
    }

    #[test]
    fn refusals_use_sops_messages() {
        let mut m = Map::new();
        m.push("ok", Value::str("x"));
        m.push("list", Value::List(vec![]));
        assert_eq!(
            environment(&tree(m)).err().unwrap().to_string(),
            "cannot use complex value in environment; offending key list"
        );
        let mut m = Map::new();
        m.push("a=b", Value::str("x"));
        assert_eq!(
            environment(&tree(m)).err().unwrap().to_string(),
            "cannot use keys with '=' in environment: a=b"
        );
        let mut m = Map::new();
        m.items.push(crate::tree::Item {
            key: Key::Scalar(Box::new(Value::Int(1))),
            value: Value::str("x"),
        });
        assert_eq!(
            environment(&tree(m)).err().unwrap().to_string(),
            "cannot use non-string keys in environment, got int"
        );
    }

    #[test]
    fn comments_skipped_and_only_first_document() {
        let mut m = Map::new();
        m.items.push(crate::tree::Item {
            key: Key::Comment(Text::new(" c".into())),
            value: Value::Null,
        });
        m.push("k", Value::str("v"));
        let mut second = Map::new();
        second.push("other", Value::str("x"));
        let t = Tree {
            branches: vec![m, second],
        };
        let env = environment(&t).unwrap();
        assert_eq!(env.len(), 1);
        assert_eq!(env[0].key, "k");
    }
}
