//! Byte-level JSON scanning with Go `encoding/json`'s grammar and error texts.
//!
//! sops reports Go's scanner messages verbatim (`invalid character '}' in
//! numeric literal`), so the scalar scanners here reproduce Go's states and
//! wording instead of using a general-purpose JSON crate.

/// Why scanning stopped.
#[derive(Debug, PartialEq)]
pub(super) enum ScanError {
    /// A syntax error with Go's message.
    Syntax(String),
    /// The input ended inside a value.
    Eof,
}

/// Go's `isSpace` for JSON.
pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `quoteChar`: how a byte is shown in syntax error messages.
pub(super) fn quote_char(c: u8) -> String {
    match c {
        b'\'' => r"'\''".into(),
        b'"' => "'\"'".into(),
        _ => {
            let quoted = go_quote(&char::from(c).to_string());
            let inner = quoted
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(&quoted);
            format!("'{inner}'")
        }
    }
}

/// `invalid character 'c' <context>`.
pub(super) fn invalid(c: u8, context: &str) -> ScanError {
    ScanError::Syntax(format!("invalid character {} {context}", quote_char(c)))
}

/// Whether Go's `unicode.IsPrint` holds, closely enough for error messages
/// (control, format, separator other than space, private use are not printable).
fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF)
}

/// Go's `strconv.Quote`, used for `%#v` of strings in error messages.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_print(c) => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A cursor over the input bytes.
pub(super) struct Lexer<'a> {
    pub(super) input: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(input: &'a [u8]) -> Self {
        Self { input, pos: 0 }
    }

    /// The next byte, if any.
    pub(super) fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    /// Skips JSON whitespace and returns the next byte.
    pub(super) fn peek_non_space(&mut self) -> Option<u8> {
        while let Some(b) = self.peek() {
            if !is_space(b) {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Scans a string starting at the opening quote; returns the raw bytes between the quotes.
    pub(super) fn scan_string(&mut self) -> Result<&'a [u8], ScanError> {
        let start = self.pos + 1;
        let mut i = start;
        loop {
            let b = *self.input.get(i).ok_or(ScanError::Eof)?;
            match b {
                b'"' => {
                    self.pos = i + 1;
                    return Ok(self.input.get(start..i).unwrap_or_default());
                }
                b'\\' => {
                    let e = *self.input.get(i + 1).ok_or(ScanError::Eof)?;
                    match e {
                        b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => i += 2,
                        b'u' => {
                            for k in 0..4 {
                                let h = *self.input.get(i + 2 + k).ok_or(ScanError::Eof)?;
                                if !h.is_ascii_hexdigit() {
                                    return Err(invalid(h, "in \\u hexadecimal character escape"));
                                }
                            }
                            i += 6;
                        }
                        other => return Err(invalid(other, "in string escape code")),
                    }
                }
                b if b < 0x20 => return Err(invalid(b, "in string literal")),
                _ => i += 1,
            }
        }
    }

    /// Scans a number; returns its text. A number that ends the input is complete.
    pub(super) fn scan_number(&mut self) -> Result<&'a str, ScanError> {
        let start = self.pos;
        let mut i = start;
        let at = |i: usize| self.input.get(i).copied();
        if at(i) == Some(b'-') {
            i += 1;
        }
        match at(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while matches!(at(i), Some(b'0'..=b'9')) {
                    i += 1;
                }
            }
            Some(c) => return Err(invalid(c, "in numeric literal")),
            None => return Err(ScanError::Eof),
        }
        if at(i) == Some(b'.') {
            i += 1;
            match at(i) {
                Some(b'0'..=b'9') => {}
                Some(c) => return Err(invalid(c, "after decimal point in numeric literal")),
                None => return Err(ScanError::Eof),
            }
            while matches!(at(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        if matches!(at(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(at(i), Some(b'+' | b'-')) {
                i += 1;
            }
            match at(i) {
                Some(b'0'..=b'9') => {}
                Some(c) => return Err(invalid(c, "in exponent of numeric literal")),
                None => return Err(ScanError::Eof),
            }
            while matches!(at(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        self.pos = i;
        let text = self.input.get(start..i).unwrap_or_default();
        // The grammar above only admits ASCII.
        Ok(std::str::from_utf8(text).unwrap_or_default())
    }

    /// Scans `true`, `false` or `null` (the first byte already identified it).
    pub(super) fn scan_literal(&mut self, word: &'static str) -> Result<(), ScanError> {
        for (k, expected) in word.bytes().enumerate().skip(1) {
            let c = *self.input.get(self.pos + k).ok_or(ScanError::Eof)?;
            if c != expected {
                return Err(invalid(
                    c,
                    &format!("in literal {word} (expecting {})", quote_char(expected)),
                ));
            }
        }
        self.pos += word.len();
        Ok(())
    }

    /// Scans one scalar starting at the current (non-space) byte.
    pub(super) fn scan_scalar(&mut self) -> Result<Scalar<'a>, ScanError> {
        match self.peek() {
            None => Err(ScanError::Eof),
            Some(b'"') => self.scan_string().map(Scalar::Str),
            Some(b'-' | b'0'..=b'9') => self.scan_number().map(Scalar::Num),
            Some(b't') => self.scan_literal("true").map(|()| Scalar::Bool(true)),
            Some(b'f') => self.scan_literal("false").map(|()| Scalar::Bool(false)),
            Some(b'n') => self.scan_literal("null").map(|()| Scalar::Null),
            Some(c) => Err(invalid(c, "looking for beginning of value")),
        }
    }
}

/// A scanned scalar, still in source form.
pub(super) enum Scalar<'a> {
    /// Raw string contents (escapes not yet resolved).
    Str(&'a [u8]),
    /// Number text.
    Num(&'a str),
    Bool(bool),
    Null,
}

/// Appends `bytes` to `out`, replacing every byte that is not part of valid
/// UTF-8 by U+FFFD, one per byte as Go's `utf8.DecodeRune` does.
pub(super) fn push_go_lossy(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push('\u{FFFD}');
        }
    }
}

fn hex4(raw: &[u8]) -> Option<u32> {
    let digits = std::str::from_utf8(raw.get(..4)?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

/// Resolves the escapes of a scanned string like Go's `unquote`: surrogate
/// pairs are combined, lone surrogates and invalid UTF-8 become U+FFFD.
pub(super) fn unquote(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let Some(rest) = raw.get(i..) else { break };
        let stop = rest.iter().position(|&b| b == b'\\').unwrap_or(rest.len());
        push_go_lossy(&mut out, rest.get(..stop).unwrap_or_default());
        i += stop;
        let Some(&esc) = raw.get(i + 1) else { break };
        i += 2;
        let simple = match esc {
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'u' => None,
            other => Some(char::from(other)),
        };
        if let Some(c) = simple {
            out.push(c);
            continue;
        }
        let Some(first) = raw.get(i..).and_then(hex4) else {
            break;
        };
        i += 4;
        if (0xD800..0xE000).contains(&first) {
            let second = if raw.get(i..i + 2) == Some(b"\\u") {
                raw.get(i + 2..).and_then(hex4)
            } else {
                None
            };
            match second {
                Some(lo) if (0xD800..0xDC00).contains(&first) && (0xDC00..0xE000).contains(&lo) => {
                    let c = 0x10000 + ((first - 0xD800) << 10) + (lo - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                    i += 6;
                }
                _ => out.push('\u{FFFD}'),
            }
        } else {
            out.push(char::from_u32(first).unwrap_or('\u{FFFD}'));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_escapes_and_surrogates() {
        assert_eq!(unquote(br#"a\n\t\"\\\/\u00e9"#), "a\n\t\"\\/é");
        assert_eq!(unquote(br"\ud83d\ude00"), "😀");
        assert_eq!(unquote(br"\ud800x"), "\u{FFFD}x");
        assert_eq!(unquote(br"\udc00\ud83d\ude00"), "\u{FFFD}😀");
        assert_eq!(unquote(br"\ud800\u0041"), "\u{FFFD}A");
        assert_eq!(unquote(b"\xe2\x82A\xff"), "\u{FFFD}\u{FFFD}A\u{FFFD}");
    }

    #[test]
    fn number_errors_match_go() {
        let msg = |s: &str| match Lexer::new(s.as_bytes()).scan_number() {
            Err(ScanError::Syntax(m)) => m,
            Err(ScanError::Eof) => "EOF".into(),
            Ok(t) => format!("ok {t}"),
        };
        assert_eq!(msg("-}"), "invalid character '}' in numeric literal");
        assert_eq!(
            msg("1.}"),
            "invalid character '}' after decimal point in numeric literal"
        );
        assert_eq!(
            msg("1e}"),
            "invalid character '}' in exponent of numeric literal"
        );
        assert_eq!(msg("1e"), "EOF");
        assert_eq!(msg("01"), "ok 0");
        assert_eq!(msg("-1.5e+3,"), "ok -1.5e+3");
    }

    #[test]
    fn quote_char_forms() {
        assert_eq!(quote_char(b'x'), "'x'");
        assert_eq!(quote_char(b'\t'), r"'\t'");
        assert_eq!(quote_char(0), r"'\x00'");
        assert_eq!(quote_char(b'"'), "'\"'");
        assert_eq!(quote_char(0xff), "'ÿ'");
        assert_eq!(quote_char(0x80), r"'\u0080'");
    }
}
