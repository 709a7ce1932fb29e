//! Tree to JSON text, byte-identical to sops's `encoding/json` + `json.Indent` output.
//!
//! sops marshals each value with Go's `encoding/json` (HTML-safe escaping,
//! its own float format) and then re-indents the whole document; writing the
//! indented form directly gives the same bytes in one pass. Errors carry
//! sops's texts, including the `Error encoding value : ` prefix it adds once
//! per enclosing object.

use crate::gofmt::format_float_json;
use crate::tree::{Key, Map, Value};

/// Output layout: the string repeated once per nesting level.
pub(super) struct Layout<'a> {
    pub(super) indent: &'a str,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Go's `appendString` with HTML escaping, for valid UTF-8 text.
pub(super) fn push_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    push_escaped(out, s);
    out.push(b'"');
}

/// The escaped contents of a string, without the quotes.
fn push_escaped(out: &mut Vec<u8>, s: &str) {
    let mut buf = [0u8; 4];
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '<' | '>' | '&' => push_u_escape(out, c as u32),
            '\u{2028}' | '\u{2029}' => push_u_escape(out, c as u32),
            c if (c as u32) < 0x20 => push_u_escape(out, c as u32),
            c => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
        }
    }
}

fn push_u_escape(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[((v >> shift) & 0xF) as usize]);
    }
}

/// A Go string that is not valid UTF-8: each invalid byte is written as `\ufffd`.
pub(super) fn push_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    for chunk in bytes.utf8_chunks() {
        push_escaped(out, chunk.valid());
        for _ in chunk.invalid() {
            out.extend_from_slice(b"\\ufffd");
        }
    }
    out.push(b'"');
}

fn newline(out: &mut Vec<u8>, layout: &Layout<'_>, depth: usize) {
    out.push(b'\n');
    for _ in 0..depth {
        out.extend_from_slice(layout.indent.as_bytes());
    }
}

/// Writes an object; `extra` is appended as one more member (the `sops` metadata).
pub(super) fn write_map(
    out: &mut Vec<u8>,
    map: &Map,
    extra: Option<(&str, &Map)>,
    layout: &Layout<'_>,
    depth: usize,
) -> Result<(), String> {
    let mut members = map
        .items
        .iter()
        .filter(|item| !matches!(item.key, Key::Comment(_)))
        .peekable();
    if members.peek().is_none() && extra.is_none() {
        out.extend_from_slice(b"{}");
        return Ok(());
    }
    out.push(b'{');
    let mut first = true;
    for item in members {
        if !first {
            out.push(b',');
        }
        first = false;
        newline(out, layout, depth + 1);
        match &item.key {
            Key::Str(k) => push_string(out, k),
            Key::Scalar(v) => {
                return Err(format!(
                    "Error encoding key: json: unsupported map key of type {}",
                    v.kind()
                ));
            }
            Key::Comment(_) => {}
        }
        out.extend_from_slice(b": ");
        write_value(out, &item.value, layout, depth + 1)
            .map_err(|e| format!("Error encoding value : {e}"))?;
    }
    if let Some((key, meta)) = extra {
        if !first {
            out.push(b',');
        }
        newline(out, layout, depth + 1);
        push_string(out, key);
        out.extend_from_slice(b": ");
        write_map(out, meta, None, layout, depth + 1)
            .map_err(|e| format!("Error encoding value : {e}"))?;
    }
    newline(out, layout, depth);
    out.push(b'}');
    Ok(())
}

fn write_list(
    out: &mut Vec<u8>,
    list: &[Value],
    layout: &Layout<'_>,
    depth: usize,
) -> Result<(), String> {
    let mut elements = list
        .iter()
        .filter(|v| !matches!(v, Value::Comment(_)))
        .peekable();
    if elements.peek().is_none() {
        out.extend_from_slice(b"[]");
        return Ok(());
    }
    out.push(b'[');
    let mut first = true;
    for value in elements {
        if !first {
            out.push(b',');
        }
        first = false;
        newline(out, layout, depth + 1);
        write_value(out, value, layout, depth + 1)?;
    }
    newline(out, layout, depth);
    out.push(b']');
    Ok(())
}

/// Writes one value at nesting level `depth`.
pub(super) fn write_value(
    out: &mut Vec<u8>,
    value: &Value,
    layout: &Layout<'_>,
    depth: usize,
) -> Result<(), String> {
    match value {
        Value::Map(m) => write_map(out, m, None, layout, depth)?,
        Value::List(l) => write_list(out, l, layout, depth)?,
        Value::Str(s) => push_string(out, s),
        Value::Bytes(b) => push_bytes(out, b),
        Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::Uint64(u) => out.extend_from_slice(u.to_string().as_bytes()),
        Value::Float(f) => match format_float_json(*f) {
            Some(s) => out.extend_from_slice(s.as_bytes()),
            None => {
                return Err(format!(
                    "json: unsupported value: {}",
                    crate::gofmt::json_unsupported_float(*f)
                ));
            }
        },
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Time(t) => {
            if !(0..=9999).contains(&t.year) {
                return Err("json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]".into());
            }
            push_string(out, &t.to_rfc3339_nano());
        }
        // A comment is never a JSON value (sops drops them); write nothing meaningful.
        Value::Null | Value::Comment(_) => out.extend_from_slice(b"null"),
    }
    Ok(())
}

/// Go's `json.Marshal` of a value as sops holds it in memory: a map is a list
/// of `{"Key":…,"Value":…}` items and a comment is `{"Value":…}` (what the INI
/// store prints for `--extract` of a non-string value). An empty list is a
/// nil slice in sops's memory, which encoding/json writes as `null`.
pub(super) fn marshal(out: &mut Vec<u8>, value: &Value) -> Result<(), String> {
    match value {
        Value::List(l) if l.is_empty() => out.extend_from_slice(b"null"),
        Value::Map(m) => {
            out.push(b'[');
            for (i, item) in m.items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"Key\":");
                match &item.key {
                    Key::Str(k) => push_string(out, k),
                    Key::Comment(c) => marshal(out, &Value::Comment(c.clone()))?,
                    Key::Scalar(v) => marshal(out, v)?,
                }
                out.extend_from_slice(b",\"Value\":");
                marshal(out, &item.value)?;
                out.push(b'}');
            }
            out.push(b']');
        }
        Value::List(l) => {
            out.push(b'[');
            for (i, v) in l.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                marshal(out, v)?;
            }
            out.push(b']');
        }
        Value::Comment(c) => {
            out.extend_from_slice(b"{\"Value\":");
            push_string(out, c);
            out.push(b'}');
        }
        scalar => write_value(out, scalar, &Layout { indent: "" }, 0)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::text;

    fn enc(v: &Value, indent: &str) -> String {
        let mut out = Vec::new();
        write_value(&mut out, v, &Layout { indent }, 0).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn go_string_escaping() {
        let v = Value::str("v<>&\"\\\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}/é😀\u{2028}\u{2029}");
        assert_eq!(
            enc(&v, "\t"),
            "\"v\\u003c\\u003e\\u0026\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}/é😀\\u2028\\u2029\""
        );
        let b = Value::Bytes(zeroize::Zeroizing::new(b"a\x00\xff\xe2\x82b".to_vec()));
        assert_eq!(enc(&b, "\t"), "\"a\\u0000\\ufffd\\ufffd\\ufffdb\"");
    }

    #[test]
    fn layout_and_empties() {
        let mut inner = Map::new();
        inner.push(
            "k",
            Value::List(vec![
                Value::Int(1),
                Value::Comment(text("c")),
                Value::Map(Map::new()),
            ]),
        );
        inner.push("e", Value::List(vec![Value::Comment(text("only"))]));
        let v = Value::Map(inner);
        assert_eq!(
            enc(&v, "\t"),
            "{\n\t\"k\": [\n\t\t1,\n\t\t{}\n\t],\n\t\"e\": []\n}"
        );
        assert_eq!(enc(&v, ""), "{\n\"k\": [\n1,\n{}\n],\n\"e\": []\n}");
        assert_eq!(
            enc(&v, "  "),
            "{\n  \"k\": [\n    1,\n    {}\n  ],\n  \"e\": []\n}"
        );
    }

    #[test]
    fn marshal_shows_go_memory_layout() {
        let mut deep = Map::new();
        deep.push("deep", Value::str("y"));
        let v = Value::List(vec![
            Value::str("x"),
            Value::Map(deep),
            Value::Comment(text("c")),
        ]);
        let mut out = Vec::new();
        marshal(&mut out, &v).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"["x",[{"Key":"deep","Value":"y"}],{"Value":"c"}]"#
        );
        // An empty list is a nil slice in sops's memory: `null`, also nested.
        let mut out = Vec::new();
        marshal(
            &mut out,
            &Value::List(vec![Value::List(vec![]), Value::Int(1)]),
        )
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[null,1]");
    }

    #[test]
    fn unsupported_float_errors_nest_like_sops() {
        let mut deep = Map::new();
        deep.push("inf", Value::Float(f64::INFINITY));
        let mut top = Map::new();
        top.push("m", Value::Map(deep));
        let mut out = Vec::new();
        let e = write_map(&mut out, &top, None, &Layout { indent: "\t" }, 0).unwrap_err();
        assert_eq!(
            e,
            "Error encoding value : Error encoding value : json: unsupported value: +Inf"
        );
        let e = write_value(
            &mut out,
            &Value::List(vec![Value::Float(f64::NAN)]),
            &Layout { indent: "\t" },
            0,
        )
        .unwrap_err();
        assert_eq!(e, "json: unsupported value: NaN");
    }
}
