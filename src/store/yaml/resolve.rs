//! YAML scalar resolution exactly as go-yaml v3 `resolve.go` does it (spec §6.1 table, §9.1).
//!
//! sops decodes every scalar node into a Go `interface{}`, so what a scalar becomes
//! (string, int, float, bool, time, null) is decided by go-yaml's resolver, including
//! its Go-specific quirks (`ParseInt(s, 0, 64)` makes `017` octal and `08` a float,
//! YAML 1.1 `yes`/`no` stay strings). This module reproduces those rules by hand
//! rather than through a YAML library's own (YAML 1.2 core schema) resolver, which
//! differs in exactly these corners.

use base64::Engine;
use zeroize::Zeroizing;

use crate::tree::{Timestamp, Value, text};

/// How a scalar was written in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Unquoted.
    Plain,
    /// Single- or double-quoted, literal or folded block.
    Indicated,
}

/// go-yaml's tag handling for one scalar: `Ok(value)` or the text go-yaml's
/// `failf` would report (`cannot decode !!str `x` as a !!int`).
pub fn resolve_scalar(value: &str, style: Style, tag: Option<&str>) -> Result<Value, String> {
    // `!` (non-specific) behaves like no tag at all.
    let tag = tag.filter(|t| *t != "!");
    match tag {
        None if style == Style::Indicated => Ok(Value::str(value)),
        None => Ok(resolve_plain(value)),
        Some("!!str") => Ok(Value::str(value)),
        Some("!!binary") => decode_binary(value),
        Some(t @ ("!!int" | "!!float" | "!!bool" | "!!null" | "!!timestamp")) => {
            resolve_with_tag(value, t)
        }
        // Any other tag (custom `!Ref`, `!!merge`, `!!seq` on a scalar, …) is not
        // resolvable: go-yaml hands back the text as a string.
        Some(_) => Ok(Value::str(value)),
    }
}

/// The resolved tag name of a value, as go-yaml names it in messages.
fn tag_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "!!null",
        Value::Bool(_) => "!!bool",
        Value::Int(_) | Value::Uint64(_) => "!!int",
        Value::Float(_) => "!!float",
        Value::Time(_) => "!!timestamp",
        _ => "!!str",
    }
}

fn resolve_with_tag(value: &str, tag: &str) -> Result<Value, String> {
    let resolved = resolve_inner(value, tag == "!!timestamp");
    let rtag = tag_of(&resolved);
    if rtag == tag {
        return Ok(resolved);
    }
    // `!!float 3` turns the int into a float.
    if tag == "!!float"
        && let Value::Int(i) = resolved
    {
        return Ok(Value::Float(i as f64));
    }
    Err(format!("cannot decode {rtag} `{value}` as a {tag}"))
}

fn decode_binary(value: &str) -> Result<Value, String> {
    // Go's base64 decoder skips CR and LF, so multi-line block scalars decode.
    let cleaned: String = value.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cleaned.as_bytes())
        .map_err(|_| "!!binary value contains invalid base64 data".to_string())?;
    Ok(match String::from_utf8(bytes) {
        Ok(s) => Value::Str(text(s)),
        Err(e) => Value::Bytes(Zeroizing::new(e.into_bytes())),
    })
}

/// Resolves an untagged plain scalar.
pub fn resolve_plain(value: &str) -> Value {
    resolve_inner(value, true)
}

fn resolve_inner(value: &str, try_time: bool) -> Value {
    let Some(&first) = value.as_bytes().first() else {
        return Value::Null;
    };
    match value {
        "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match first {
        b'.' => {
            if let Some(f) = go_parse_float(value) {
                return Value::Float(f);
            }
        }
        b'0'..=b'9' | b'+' | b'-' => {
            if try_time && let Some(t) = parse_timestamp(value) {
                return Value::Time(t);
            }
            let plain = value.replace('_', "");
            match parse_int_base0(&plain) {
                Some(IntResult::Signed(i)) => return Value::Int(i),
                Some(IntResult::Unsigned(u)) => return Value::Uint64(u),
                None => {}
            }
            if is_yaml_float(&plain)
                && let Some(f) = go_parse_float(&plain)
            {
                return Value::Float(f);
            }
        }
        _ => {}
    }
    Value::str(value)
}

/// Go `strconv.ParseFloat(s, 64)` for the decimal forms reached here; overflow is an error in Go.
fn go_parse_float(s: &str) -> Option<f64> {
    if s.contains('_') {
        // Go accepts `_` only between digits.
        if !underscores_ok(s) {
            return None;
        }
        return go_parse_float(&s.replace('_', ""));
    }
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if unsigned.starts_with("inf") || unsigned.starts_with("nan") {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    f.is_finite().then_some(f)
}

/// Go's `underscoreOK` for a decimal number: every `_` sits between two digits.
fn underscores_ok(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().all(|(i, c)| {
        *c != b'_'
            || (i > 0
                && b.get(i - 1).is_some_and(u8::is_ascii_digit)
                && b.get(i + 1).is_some_and(u8::is_ascii_digit))
    })
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

enum IntResult {
    Signed(i64),
    Unsigned(u64),
}

/// Go `ParseInt(s, 0, 64)`, falling back to `ParseUint(s, 0, 64)` as go-yaml does.
fn parse_int_base0(s: &str) -> Option<IntResult> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let signed = s.len() != body.len();
    let magnitude = parse_uint_base0(body)?;
    if neg {
        if magnitude <= 1u64 << 63 {
            return Some(IntResult::Signed((magnitude as i64).wrapping_neg()));
        }
        return None;
    }
    if let Ok(i) = i64::try_from(magnitude) {
        return Some(IntResult::Signed(i));
    }
    // ParseUint accepts no sign.
    (!signed).then_some(IntResult::Unsigned(magnitude))
}

/// Go `ParseUint(s, 0, 64)` without underscores (already removed).
fn parse_uint_base0(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let (radix, digits) = match b {
        [b'0', b'x' | b'X', ..] => (16, &s[2..]),
        [b'0', b'o' | b'O', ..] => (8, &s[2..]),
        [b'0', b'b' | b'B', ..] => (2, &s[2..]),
        [b'0', _, ..] => (8, &s[1..]),
        _ => (10, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        v = v.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(v)
}

/// Go's `getnum(s, false)`: one or two digits.
fn getnum(b: &[u8], i: &mut usize) -> Option<u32> {
    let d0 = *b.get(*i).filter(|c| c.is_ascii_digit())?;
    *i += 1;
    let mut v = u32::from(d0 - b'0');
    if let Some(d1) = b.get(*i).filter(|c| c.is_ascii_digit()) {
        v = v * 10 + u32::from(d1 - b'0');
        *i += 1;
    }
    Some(v)
}

fn two_digits(b: &[u8], i: usize) -> Option<i32> {
    let h = *b.get(i).filter(|c| c.is_ascii_digit())?;
    let l = *b.get(i + 1).filter(|c| c.is_ascii_digit())?;
    Some(i32::from(h - b'0') * 10 + i32::from(l - b'0'))
}

/// go-yaml's `parseTimestamp`: the four layouts it tries with Go `time.Parse`.
pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits != 4 || b.get(4) != Some(&b'-') {
        return None;
    }
    let year: i32 = s.get(0..4)?.parse().ok()?;
    let mut i = 5;
    let month = getnum(b, &mut i)?;
    if b.get(i) != Some(&b'-') {
        return None;
    }
    i += 1;
    let day = getnum(b, &mut i)?;
    let mut ts = Timestamp {
        year,
        month: u8::try_from(month).ok()?,
        day: u8::try_from(day).ok()?,
        hour: 0,
        minute: 0,
        second: 0,
        nanosecond: 0,
        offset_seconds: None,
    };
    if i == b.len() {
        return ts.is_valid().then_some(ts);
    }
    let zoned = match b.get(i)? {
        b'T' | b't' => true,
        b' ' => false,
        _ => return None,
    };
    i += 1;
    let hour = getnum(b, &mut i)?;
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let minute = getnum(b, &mut i)?;
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let second = getnum(b, &mut i)?;
    ts.hour = u8::try_from(hour).ok()?;
    ts.minute = u8::try_from(minute).ok()?;
    ts.second = u8::try_from(second).ok()?;
    if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        let mut nanos: u32 = 0;
        let mut n = 0;
        while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if n < 9 {
                nanos = nanos * 10 + u32::from(d - b'0');
                n += 1;
            }
            i += 1;
        }
        while n < 9 {
            nanos *= 10;
            n += 1;
        }
        ts.nanosecond = nanos;
    }
    if zoned {
        match b.get(i)? {
            b'Z' => i += 1,
            sign @ (b'+' | b'-') => {
                if b.get(i + 3) != Some(&b':') {
                    return None;
                }
                let h = two_digits(b, i + 1)?;
                let m = two_digits(b, i + 4)?;
                if h > 24 || m > 60 {
                    return None;
                }
                let off = h * 3600 + m * 60;
                // Go prints a zero offset as `Z` whatever zone it came from.
                if off != 0 {
                    ts.offset_seconds = Some(if *sign == b'-' { -off } else { off });
                }
                i += 6;
            }
            _ => return None,
        }
    }
    (i == b.len() && ts.is_valid()).then_some(ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Value {
        resolve_plain(s)
    }

    #[test]
    fn nulls_and_bools() {
        for s in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(r(s), Value::Null, "{s}");
        }
        for s in ["true", "True", "TRUE"] {
            assert_eq!(r(s), Value::Bool(true));
        }
        for s in ["false", "False", "FALSE"] {
            assert_eq!(r(s), Value::Bool(false));
        }
        for s in [
            "yes", "no", "on", "off", "y", "n", "Yes", "NO", "tRUE", "nULL",
        ] {
            assert_eq!(r(s), Value::str(s), "{s}");
        }
    }

    #[test]
    fn ints() {
        let cases = [
            ("0", 0),
            ("-0", 0),
            ("42", 42),
            ("+5", 5),
            ("-17", -17),
            ("0x1F", 31),
            ("0X1f", 31),
            ("-0x1F", -31),
            ("0o17", 15),
            ("017", 15),
            ("0b101", 5),
            ("1_000", 1000),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
        ];
        for (s, v) in cases {
            assert_eq!(r(s), Value::Int(v), "{s}");
        }
        assert_eq!(r("18446744073709551615"), Value::Uint64(u64::MAX));
        assert_eq!(r("0xFFFFFFFFFFFFFFFF"), Value::Uint64(u64::MAX));
    }

    #[test]
    fn floats() {
        let cases = [
            ("1.0", 1.0),
            ("1e3", 1000.0),
            ("1E3", 1000.0),
            ("+1.5", 1.5),
            ("1_000.5", 1000.5),
            ("08", 8.0),
            ("09.5", 9.5),
            (".5", 0.5),
            (".5_0", 0.5),
            ("-.5", -0.5),
            ("1.5e-10", 1.5e-10),
            ("123456789012345678901234567890", 1.2345678901234568e29),
            ("+18446744073709551615", 1.8446744073709552e19),
            ("-9223372036854775809", -9.223372036854776e18),
        ];
        for (s, v) in cases {
            assert_eq!(r(s), Value::Float(v), "{s}");
        }
        assert_eq!(r(".inf"), Value::Float(f64::INFINITY));
        assert_eq!(r("+.INF"), Value::Float(f64::INFINITY));
        assert_eq!(r("-.Inf"), Value::Float(f64::NEG_INFINITY));
        assert!(matches!(r(".NaN"), Value::Float(f) if f.is_nan()));
        assert!(matches!(r("-0.0"), Value::Float(f) if f == 0.0 && f.is_sign_negative()));
    }

    #[test]
    fn strings() {
        for s in [
            "Infinity", "nan", "inf", "1:20", ".", "1e400", "0x", "-0x", "1.2.3", "abc", "._5",
            ".5_", ".5__0", ".e5", "0b2", "1e", "- x", "+", "-", "0x1p3",
        ] {
            assert_eq!(r(s), Value::str(s), "{s}");
        }
    }

    fn ts(s: &str) -> Timestamp {
        match r(s) {
            Value::Time(t) => t,
            other => panic!("{s} resolved to {other:?}"),
        }
    }

    #[test]
    fn timestamps() {
        let t = ts("2001-12-14t21:59:43.10-05:00");
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute, t.second),
            (2001, 12, 14, 21, 59, 43)
        );
        assert_eq!(t.nanosecond, 100_000_000);
        assert_eq!(t.offset_seconds, Some(-5 * 3600));
        let t = ts("2001-12-14 21:59:43.10");
        assert_eq!(t.offset_seconds, None);
        let t = ts("2002-12-14");
        assert_eq!((t.hour, t.nanosecond, t.offset_seconds), (0, 0, None));
        let t = ts("2002-1-2T3:4:5Z");
        assert_eq!(
            (t.month, t.day, t.hour, t.minute, t.second),
            (1, 2, 3, 4, 5)
        );
        assert_eq!(ts("2001-12-14T21:59:43+00:00").offset_seconds, None);
        assert_eq!(
            ts("2001-12-14T21:59:43.1234567891Z").nanosecond,
            123_456_789
        );
        for s in [
            "2001-12-14T21:59:43",
            "2001-12-14 21:59:43 +01:00",
            "01-12-14",
            "20011-12-14",
            "2001-13-01",
            "2001-02-30",
            "2001-12-14T25:00:00Z",
            "2001-012-14",
            "2001-12-14x",
        ] {
            assert!(!matches!(r(s), Value::Time(_)), "{s}");
        }
    }

    #[test]
    fn tags() {
        let p = Style::Plain;
        let q = Style::Indicated;
        assert_eq!(resolve_scalar("42", p, Some("!!str")), Ok(Value::str("42")));
        assert_eq!(resolve_scalar("3", q, Some("!!int")), Ok(Value::Int(3)));
        assert_eq!(
            resolve_scalar("3", p, Some("!!float")),
            Ok(Value::Float(3.0))
        );
        assert_eq!(
            resolve_scalar("foo", p, Some("!Ref")),
            Ok(Value::str("foo"))
        );
        assert_eq!(resolve_scalar("42", p, Some("!")), Ok(Value::Int(42)));
        assert_eq!(resolve_scalar("42", q, Some("!")), Ok(Value::str("42")));
        assert_eq!(resolve_scalar("42", q, None), Ok(Value::str("42")));
        assert_eq!(
            resolve_scalar("aGVsbG8=", p, Some("!!binary")),
            Ok(Value::str("hello"))
        );
        assert_eq!(
            resolve_scalar("aGVs\nbG8=\n", q, Some("!!binary")),
            Ok(Value::str("hello"))
        );
        assert!(matches!(
            resolve_scalar("//79", p, Some("!!binary")),
            Ok(Value::Bytes(b)) if b.as_slice() == [0xff, 0xfe, 0xfd]
        ));
        assert_eq!(
            resolve_scalar("abc", p, Some("!!int")),
            Err("cannot decode !!str `abc` as a !!int".to_string())
        );
        assert_eq!(
            resolve_scalar("yes", p, Some("!!bool")),
            Err("cannot decode !!str `yes` as a !!bool".to_string())
        );
        assert!(resolve_scalar("%%%", p, Some("!!binary")).is_err());
        assert_eq!(resolve_scalar("~", p, Some("!!null")), Ok(Value::Null));
        assert!(matches!(
            resolve_scalar("2002-12-14", q, Some("!!timestamp")),
            Ok(Value::Time(_))
        ));
        // Quoted without a tag is a string even when it looks like a timestamp.
        assert_eq!(
            resolve_scalar("2002-12-14", q, None),
            Ok(Value::str("2002-12-14"))
        );
    }
}
