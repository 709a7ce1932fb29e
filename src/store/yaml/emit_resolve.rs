//! "Would this text, written plain, read back as something other than a string?" —
//! the emitter's quoting test (spec §6.1 resolution table, §6.1a B stage 1).
//!
//! Kept separate from the parser's resolver on purpose: the emitter only needs a
//! yes/no answer, and the rules here follow go-yaml v3's `resolve`, `isBase60Float`
//! and `isOldBool` exactly, including their quirks (a first character outside the
//! hint table, such as `<`, always resolves to a string; `1e400` overflows and so
//! is a string too).

/// True when go-yaml's marshaller would refuse to write `s` plain because it
/// resolves to null/bool/int/float/timestamp, is a YAML 1.1 boolean, or looks
/// like a base-60 number.
pub(super) fn needs_quotes(s: &str) -> bool {
    resolves_to_non_string(s) || is_old_bool(s) || is_base60(s)
}

/// go-yaml `resolve("", s)` returning anything but `!!str`.
fn resolves_to_non_string(s: &str) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        return true; // "" is null
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => {
            in_resolve_map(s)
        }
        b'.' => in_resolve_map(s) || dot_float(s),
        b'+' | b'-' | b'0'..=b'9' => in_resolve_map(s) || number_or_time(s),
        _ => false,
    }
}

/// The fixed words of go-yaml's resolve table (`<<` is in it too, but its first
/// character has no hint, so it never reaches the table).
fn in_resolve_map(s: &str) -> bool {
    matches!(
        s,
        "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "~"
            | "null"
            | "Null"
            | "NULL"
            | ".nan"
            | ".NaN"
            | ".NAN"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
    )
}

/// A text starting with `.` that Go's `ParseFloat` accepts: `.` digits, optional
/// exponent, `_` only between digits.
fn dot_float(s: &str) -> bool {
    if s.contains('_') && !go_underscore_ok(s) {
        return false;
    }
    let t: String = s.chars().filter(|&c| c != '_').collect();
    is_decimal_float_syntax(&t) && parses_finite(&t)
}

/// Timestamp, int (any Go base-0 form, `_` removed), uint64, or YAML-style float.
fn number_or_time(s: &str) -> bool {
    if is_timestamp(s) {
        return true;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if go_parse_int_base0(&plain) {
        return true;
    }
    if is_yaml_style_float(&plain) && parses_finite(&plain) {
        return true;
    }
    // go-yaml retries `0b`/`0o` bodies with ParseInt, which accepts a sign there.
    for (prefix, radix) in [("0b", 2), ("0o", 8)] {
        if let Some(rest) = plain.strip_prefix(prefix) {
            return i64::from_str_radix(rest, radix).is_ok()
                || (!rest.starts_with(['+', '-']) && u64::from_str_radix(rest, radix).is_ok());
        }
        if let Some(rest) = plain.strip_prefix(&format!("-{prefix}")[..]) {
            return !rest.starts_with(['+', '-'])
                && i64::from_str_radix(&format!("-{rest}"), radix).is_ok();
        }
    }
    false
}

/// Go `strconv.ParseInt(s, 0, 64)` succeeding, or `ParseUint(s, 0, 64)` (no sign).
fn go_parse_int_base0(s: &str) -> bool {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let signed = s.len() != body.len();
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (d, 8)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (d, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (&lower[..], 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return false;
    }
    let Ok(magnitude) = u64::from_str_radix(digits, radix) else {
        return false;
    };
    if !signed {
        return true; // fits int64, or else uint64
    }
    if neg {
        magnitude <= 1u64 << 63
    } else {
        magnitude < 1u64 << 63
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    let digits = |b: &[u8], mut i: usize| {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i, i - start)
    };
    let mut i;
    if b.first() == Some(&b'.') {
        let (end, n) = digits(b, 1);
        if n == 0 {
            return false;
        }
        i = end;
    } else {
        let (end, n) = digits(b, 0);
        if n == 0 {
            return false;
        }
        i = end;
        if b.get(i) == Some(&b'.') {
            i = digits(b, i + 1).0;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let (end, n) = digits(b, i);
        if n == 0 {
            return false;
        }
        i = end;
    }
    i == b.len()
}

/// Go float literal syntax for a text beginning with `.` (no sign, no hex).
fn is_decimal_float_syntax(s: &str) -> bool {
    s.starts_with('.') && is_yaml_style_float(s)
}

/// Go's `ParseFloat` fails with ErrRange when the value overflows to infinity.
fn parses_finite(s: &str) -> bool {
    s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// Go `strconv.underscoreOK` for a decimal number: every `_` sits between digits.
fn go_underscore_ok(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut prev = b'^';
    for &c in body.as_bytes() {
        let class = if c.is_ascii_digit() {
            b'0'
        } else if c == b'_' {
            if prev != b'0' {
                return false;
            }
            b'_'
        } else {
            if prev == b'_' {
                return false;
            }
            b'!'
        };
        prev = class;
    }
    prev != b'_'
}

/// The YAML 1.1 booleans go-yaml still quotes on output.
fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let mut i = 1;
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        // `[0-5]?[0-9]`: one digit, or two with the first in 0..=5.
        let d1 = b.get(i + 1).copied();
        let d2 = b.get(i + 2).copied();
        match (d1, d2) {
            (Some(b'0'..=b'5'), Some(b'0'..=b'9')) => i += 3,
            (Some(b'0'..=b'9'), _) => i += 2,
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml's timestamp test: `YYYY-` then one of Go's layouts
/// `2006-1-2T15:4:5.999999999Z07:00` (also `t`), `2006-1-2 15:4:5.999999999`, `2006-1-2`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: u32 = b[..4].iter().fold(0, |a, &d| a * 10 + u32::from(d - b'0'));
    let mut p = Cursor { b, i: 5 };
    let Some(month) = p.num12() else { return false };
    if !p.eat(b'-') {
        return false;
    }
    let Some(day) = p.num12() else { return false };
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return false;
    }
    if p.done() {
        return true;
    }
    let zoned = match p.next() {
        Some(b'T' | b't') => true,
        Some(b' ') => false,
        _ => return false,
    };
    let Some(hour) = p.num12() else { return false };
    if !p.eat(b':') {
        return false;
    }
    let Some(minute) = p.num12() else {
        return false;
    };
    if !p.eat(b':') {
        return false;
    }
    let Some(second) = p.num12() else {
        return false;
    };
    if hour >= 24 || minute >= 60 || second >= 60 {
        return false;
    }
    // Optional fraction: `.` or `,` followed by at least one digit.
    if matches!(p.peek(0), Some(b'.' | b',')) && p.peek(1).is_some_and(|c| c.is_ascii_digit()) {
        p.i += 1;
        while p.peek(0).is_some_and(|c| c.is_ascii_digit()) {
            p.i += 1;
        }
    }
    if !zoned {
        return p.done();
    }
    match p.next() {
        Some(b'Z') => p.done(),
        Some(b'+' | b'-') => {
            let rest = &b[p.i..];
            rest.len() == 5
                && rest[0].is_ascii_digit()
                && rest[1].is_ascii_digit()
                && rest[2] == b':'
                && rest[3].is_ascii_digit()
                && rest[4].is_ascii_digit()
                && (rest[0] - b'0') * 10 + (rest[1] - b'0') <= 24
                && (rest[3] - b'0') * 10 + (rest[4] - b'0') <= 60
        }
        _ => false,
    }
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A byte cursor for the timestamp layouts.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self, k: usize) -> Option<u8> {
        self.b.get(self.i + k).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let c = self.peek(0);
        self.i += 1;
        c
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek(0) == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
    /// Go's `getnum(s, false)`: one or two digits.
    fn num12(&mut self) -> Option<u32> {
        let d1 = self.peek(0).filter(u8::is_ascii_digit)?;
        self.i += 1;
        let mut v = u32::from(d1 - b'0');
        if let Some(d2) = self.peek(0).filter(u8::is_ascii_digit) {
            self.i += 1;
            v = v * 10 + u32::from(d2 - b'0');
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_forms_from_the_spec_table() {
        for s in [
            "42",
            "true",
            "null",
            "~",
            "1.5",
            "0x10",
            "1e3",
            "0o17",
            "+1",
            ".5",
            "1_000",
            "-1",
            "0b101",
            ".nan",
            "2001-12-14",
            "",
            "yes",
            "No",
            "on",
            "y",
            "Yes",
            "off",
            "1:20",
            "017",
            "08",
            "-0x1F",
            "+.inf",
            "-.Inf",
            ".INF",
            "18446744073709551615",
            "123456789012345678901234567890",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10",
            "2001-12-14T21:59:43Z",
            "1_000.5",
            "-0b101",
            "0b-1",
            "190:20:30",
            "1e5",
        ] {
            assert!(needs_quotes(s), "{s:?} should be quoted");
        }
    }

    #[test]
    fn plain_forms_from_the_spec_table() {
        for s in [
            "NaN",
            "nan",
            "Infinity",
            "=",
            "a, b",
            ":x",
            "?q",
            "x# y",
            "a:b",
            "it's",
            "é",
            "значение",
            "<<",
            "hello",
            "2001-12-14T21:59:43",
            "2001-12-14 21:59:43 +01:00",
            "2001-02-30",
            "20011-12-14",
            "1e400",
            ".",
            "-",
            "+",
            "0x",
            "1:60",
            "1.2.3",
            "true1",
            "nulls",
            "Off1",
            ".e3",
            "._5",
        ] {
            assert!(!needs_quotes(s), "{s:?} should stay plain");
        }
    }

    #[test]
    fn int64_and_uint64_limits() {
        assert!(needs_quotes("9223372036854775807"));
        assert!(needs_quotes("-9223372036854775808"));
        assert!(needs_quotes("+9223372036854775807"));
        // Too big for either integer type: still a float by the float regex.
        assert!(needs_quotes("-9223372036854775809"));
        assert!(!go_parse_int_base0("-9223372036854775809"));
        assert!(!go_parse_int_base0("+18446744073709551615"));
        assert!(go_parse_int_base0("18446744073709551615"));
        assert!(!go_parse_int_base0("0x10000000000000000"));
    }

    #[test]
    fn timestamp_layouts() {
        assert!(is_timestamp("2002-12-14"));
        assert!(is_timestamp("2002-1-4"));
        assert!(is_timestamp("2001-12-14T21:59:43.123456789123+05:30"));
        assert!(is_timestamp("2001-12-14 1:2:3"));
        assert!(is_timestamp("2000-02-29"));
        assert!(!is_timestamp("2001-02-29"));
        assert!(!is_timestamp("2001-13-01"));
        assert!(!is_timestamp("2001-12-14T25:00:00Z"));
        assert!(!is_timestamp("2001-12-14T21:59:43+0100"));
        assert!(!is_timestamp("2001-12-14 21:59:43Z"));
        assert!(!is_timestamp("2001-12-14x"));
    }
}
