//! Scalar text and style for the YAML emitter (spec §6.1a B–D): which of plain,
//! single-quoted, double-quoted or literal block a value gets, and writing it.
//!
//! sops builds each scalar with go-yaml's `Node.Encode` (marshal, then re-parse),
//! so the style is decided once by the marshaller's request and the emitter's
//! downgrade, then kept. That two-stage result is computed here in one pass; the
//! re-parse only matters for its two visible quirks, `<<` (tagged `!!merge`) and
//! a TAB-first multi-line string (printed as `null`).

use zeroize::Zeroizing;

use crate::gofmt::NumberText;

use base64::Engine;

use super::resolve::needs_quotes;
use super::writer::{Writer, is_break};
use crate::error::{Error, Result};
use crate::tree::Value;

/// How a scalar is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// A scalar ready to write: its text, optional `!!` tag suffix and style.
pub(super) struct Scalar<'a> {
    text: ScalarText<'a>,
    tag: Option<&'static str>,
    style: Style,
    multiline: bool,
}

/// A scalar's text. A number or time printed from a decrypted tree is as
/// secret as a string, so owned text is wiped on drop; short numbers are
/// printed on the stack, which also saves an allocation per value.
enum ScalarText<'a> {
    Borrowed(&'a str),
    Owned(crate::tree::Text),
    Number(NumberText),
}

impl ScalarText<'_> {
    fn owned(s: String) -> ScalarText<'static> {
        ScalarText::Owned(Zeroizing::new(s))
    }
}

impl std::ops::Deref for ScalarText<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            ScalarText::Borrowed(s) => s,
            ScalarText::Owned(s) => s,
            ScalarText::Number(n) => n.as_str(),
        }
    }
}

/// go-yaml's float text ([`crate::gofmt::format_float_yaml`]); in the range
/// where that is Go's `'f'` form, printed inline.
fn float_text(f: f64) -> ScalarText<'static> {
    if (1e-4..1e6).contains(&f.abs())
        && let Some(n) = NumberText::float_plain(f)
    {
        return ScalarText::Number(n);
    }
    ScalarText::owned(crate::gofmt::format_float_yaml(f))
}

/// What the emitter's scalar analysis allows for a text.
struct Allowed {
    multiline: bool,
    plain: bool,
    single: bool,
    block: bool,
}

/// go-yaml's "printable" set; everything else is escaped in double quotes.
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        && c != '\u{FEFF}'
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// [`analyze`] for the common case of visible ASCII without spaces (every
/// `ENC[…]` value, most keys): only the first and last characters can matter,
/// so the per-character scan is skipped. `None` when the text needs the full scan.
fn analyze_visible_ascii(s: &str) -> Option<Allowed> {
    let b = s.as_bytes();
    let (&first, &last) = (b.first()?, b.last()?);
    // A branch-free fold compiles to a vector loop; `all` stops early but
    // scans byte by byte, and nearly every text passes anyway.
    if !b
        .iter()
        .fold(true, |ok, c| ok & (c.wrapping_sub(0x21) <= 0x7E - 0x21))
    {
        return None;
    }
    let block_indicators = s.starts_with("---")
        || s.starts_with("...")
        || matches!(
            first,
            b'#' | b',' | b'[' | b']' | b'{' | b'}' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
                | b'"' | b'%' | b'@' | b'`'
        )
        // `?`, `:` or `-` alone is followed by the end, which counts as whitespace;
        // so is a `:` at the end.
        || (b.len() == 1 && matches!(first, b'?' | b':' | b'-'))
        || (b.len() > 1 && last == b':');
    Some(Allowed {
        multiline: false,
        plain: !block_indicators,
        single: true,
        block: true,
    })
}

/// The analysis and whether `s` has a line break (visible ASCII has none).
fn analyze(s: &str) -> (Allowed, bool) {
    if let Some(allowed) = analyze_visible_ascii(s) {
        return (allowed, false);
    }
    (analyze_chars(s), s.contains('\n'))
}

fn analyze_chars(s: &str) -> Allowed {
    if s.is_empty() {
        return Allowed {
            multiline: false,
            plain: true,
            single: true,
            block: false,
        };
    }
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut line_breaks, mut special, mut tab) = (false, false, false);
    let (mut leading_space, mut leading_break) = (false, false);
    let (mut trailing_space, mut trailing_break) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    let mut preceded_by_whitespace = true;
    let mut chars = s.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let followed_by_whitespace = next.is_none_or(is_blank);
        let last = next.is_none();
        if first {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if c == '\t' {
            tab = true;
        } else if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            leading_space |= first;
            trailing_space |= last;
            break_space |= prev_break;
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= first;
            trailing_break |= last;
            space_break |= prev_space;
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_by_whitespace = is_blank(c) || is_break(c) || c == '\0';
        first = false;
    }
    let edge = leading_space || leading_break || trailing_space || trailing_break;
    let hard = space_break || tab || special;
    Allowed {
        multiline: line_breaks,
        plain: !(edge || break_space || hard || line_breaks || block_indicators),
        single: !(break_space || hard),
        block: !(trailing_space || space_break || special),
    }
}

impl<'a> Scalar<'a> {
    /// A string value or key.
    pub fn string(s: &'a str) -> Self {
        let (allowed, has_newline) = analyze(s);
        let requested = if has_newline {
            Style::Literal
        } else if needs_quotes(s) {
            Style::Double
        } else {
            Style::Plain
        };
        let style = match requested {
            Style::Plain if allowed.plain => Style::Plain,
            Style::Plain | Style::Single if allowed.single => Style::Single,
            Style::Literal if allowed.block => Style::Literal,
            _ => Style::Double,
        };
        // go-yaml cannot re-read a literal block whose first line starts with a
        // TAB (no indentation indicator is written for it); sops ignores that
        // error and prints the empty node as `null`. Reproduced for byte
        // compatibility with `sops -d` (spec §6.1a D, the data-loss quirk).
        if style == Style::Literal && s.starts_with('\t') {
            return Self::plain(ScalarText::Borrowed("null"));
        }
        // A plain `<<` re-reads as the merge key and keeps that tag on output.
        let tag = (style == Style::Plain && s == "<<").then_some("merge");
        Self {
            text: ScalarText::Borrowed(s),
            tag,
            style,
            multiline: allowed.multiline,
        }
    }

    /// Bytes that are not UTF-8: `!!binary` base64, in 70-column lines once long.
    pub fn binary(bytes: &[u8]) -> Scalar<'static> {
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        let (text, style) = if encoded.len() >= 70 {
            let mut lines = String::with_capacity(encoded.len() + encoded.len() / 70 + 1);
            for chunk in encoded.as_bytes().chunks(70) {
                lines.push_str(std::str::from_utf8(chunk).unwrap_or_default());
                lines.push('\n');
            }
            (lines, Style::Literal)
        } else {
            (encoded, Style::Plain)
        };
        Scalar {
            multiline: style == Style::Literal,
            text: ScalarText::owned(text),
            tag: Some("binary"),
            style,
        }
    }

    fn plain(text: ScalarText<'a>) -> Self {
        Self {
            text,
            tag: None,
            style: Style::Plain,
            multiline: false,
        }
    }

    /// Any scalar tree value; `None` for maps and lists, an error for a stray comment.
    pub fn value(v: &'a Value) -> Result<Option<Self>> {
        Ok(Some(match v {
            Value::Str(s) => Self::string(s),
            Value::Bytes(b) => match std::str::from_utf8(b) {
                Ok(s) => Self::string(s),
                Err(_) => Scalar::binary(b),
            },
            Value::Int(i) => Self::plain(ScalarText::Number(NumberText::int(*i))),
            Value::Uint64(u) => Self::plain(ScalarText::Number(NumberText::uint(*u))),
            Value::Float(f) => Self::plain(float_text(*f)),
            Value::Bool(b) => Self::plain(ScalarText::Borrowed(if *b { "true" } else { "false" })),
            Value::Time(t) => Self::plain(ScalarText::owned(t.to_rfc3339_nano())),
            Value::Null => Self::plain(ScalarText::Borrowed("null")),
            Value::Map(_) | Value::List(_) => return Ok(None),
            Value::Comment(_) => {
                return Err(Error::Other(
                    "Error marshaling to yaml: a comment can only stand between entries".into(),
                ));
            }
        }))
    }

    /// go-yaml writes `key: value` only for single-line keys of at most 128 bytes
    /// (tag included); anything else becomes an explicit `? key` entry.
    pub fn fits_simple_key(&self) -> bool {
        let tag_len = self.tag.map_or(0, |t| t.len() + 2);
        !self.multiline && self.text.len() + tag_len <= 128
    }

    /// Writes the scalar at the current position. `in_sequence_item` is true
    /// when it is directly a list element (its block body then sits at dash + 2).
    pub fn write(&self, w: &mut Writer, in_sequence_item: bool) {
        if let Some(tag) = self.tag {
            w.write_tag(tag);
        }
        let saved = w.increase_indent(true, in_sequence_item);
        match self.style {
            Style::Plain => write_plain(w, &self.text),
            Style::Single => write_single(w, &self.text),
            Style::Double => write_double(w, &self.text),
            Style::Literal => write_literal(w, &self.text),
        }
        w.indent = saved;
    }
}

fn write_plain(w: &mut Writer, s: &str) {
    if !s.is_empty() && !w.whitespace {
        w.put(b' ');
    }
    w.write_text(s);
    if !s.is_empty() {
        w.whitespace = false;
    }
    w.indention = false;
}

fn write_single(w: &mut Writer, s: &str) {
    w.write_indicator("'", true, false, false);
    let mut breaks = false;
    for c in s.chars() {
        if c == ' ' {
            w.write_char(c);
        } else if is_break(c) {
            if !breaks && c == '\n' {
                w.put_break();
            }
            w.write_break(c);
            breaks = true;
        } else {
            if breaks {
                w.write_indent();
            }
            if c == '\'' {
                w.put(b'\'');
            }
            w.write_char(c);
            w.indention = false;
            breaks = false;
        }
    }
    w.write_indicator("'", false, false, false);
    w.whitespace = false;
    w.indention = false;
}

fn write_double(w: &mut Writer, s: &str) {
    w.write_indicator("\"", true, false, false);
    // go-yaml checks for a BOM at the start of the whole value on every character,
    // so a leading U+FEFF makes it escape everything.
    let bom = s.starts_with('\u{FEFF}');
    for c in s.chars() {
        if bom || !is_printable(c) || is_break(c) || c == '"' || c == '\\' {
            write_escape(w, c);
        } else {
            w.write_char(c);
        }
    }
    w.write_indicator("\"", false, false, false);
    w.whitespace = false;
    w.indention = false;
}

fn write_escape(w: &mut Writer, c: char) {
    w.put(b'\\');
    let named = match c {
        '\0' => Some(b'0'),
        '\u{7}' => Some(b'a'),
        '\u{8}' => Some(b'b'),
        '\t' => Some(b't'),
        '\n' => Some(b'n'),
        '\u{B}' => Some(b'v'),
        '\u{C}' => Some(b'f'),
        '\r' => Some(b'r'),
        '\u{1B}' => Some(b'e'),
        '"' => Some(b'"'),
        '\\' => Some(b'\\'),
        '\u{85}' => Some(b'N'),
        '\u{A0}' => Some(b'_'),
        '\u{2028}' => Some(b'L'),
        '\u{2029}' => Some(b'P'),
        _ => None,
    };
    if let Some(n) = named {
        w.put(n);
        return;
    }
    let v = u32::from(c);
    let (letter, digits) = if v <= 0xFF {
        (b'x', 2)
    } else if v <= 0xFFFF {
        (b'u', 4)
    } else {
        (b'U', 8)
    };
    w.put(letter);
    for k in (0..digits).rev() {
        let d = ((v >> (4 * k)) & 0xF) as u8;
        w.put(if d < 10 { b'0' + d } else { b'A' + d - 10 });
    }
}

fn write_literal(w: &mut Writer, s: &str) {
    w.write_indicator("|", true, false, false);
    let mut chars = s.chars();
    if chars.next().is_some_and(|c| c == ' ' || is_break(c)) {
        let digit = char::from(b'0' + (w.best as u8 % 10));
        w.write_indicator(digit.encode_utf8(&mut [0u8; 4]), false, false, false);
    }
    let mut rev = s.chars().rev();
    let chomp = match (rev.next(), rev.next()) {
        (None, _) => Some("-"),
        (Some(last), _) if !is_break(last) => Some("-"),
        (Some(_), None) => Some("+"),
        (Some(_), Some(prev)) if is_break(prev) => Some("+"),
        _ => None,
    };
    if let Some(chomp) = chomp {
        w.write_indicator(chomp, false, false, false);
    }
    // go-yaml v3.0.4 always ends the header line here (its fix for leading
    // newlines), so a leading line break in the text shows as an empty line.
    w.put_break();
    w.whitespace = true;
    let mut breaks = true;
    for c in s.chars() {
        if is_break(c) {
            w.write_break(c);
            breaks = true;
        } else {
            if breaks {
                w.write_indent();
            }
            w.write_char(c);
            w.indention = false;
            breaks = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value as `k: <value>` at the top level with indent 4.
    fn as_value(s: &str) -> String {
        let mut w = Writer::new(4, 32);
        w.indent = 0;
        w.write_text("k");
        w.write_indicator(":", false, false, false);
        Scalar::string(s).write(&mut w, false);
        String::from_utf8(w.out).unwrap()
    }

    fn style(s: &str) -> Style {
        Scalar::string(s).style
    }

    #[test]
    fn spec_table_f_double_quoted_resolvers() {
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
            "yes",
            "No",
            "on",
            "y",
            "Yes",
            "off",
            "1:20",
        ] {
            assert_eq!(as_value(s), format!("k: \"{s}\""), "{s:?}");
        }
        assert_eq!(as_value(""), "k: \"\"");
    }

    #[test]
    fn spec_table_f_plain() {
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
            "a\u{A0}b",
        ] {
            assert_eq!(as_value(s), format!("k: {s}"), "{s:?}");
        }
        assert_eq!(as_value("<<"), "k: !!merge <<");
    }

    #[test]
    fn spec_table_f_single_quoted() {
        for s in [
            "a: b", "#x", " lead", "trail ", "- dash", "--- x", "...", "*x", "&x", "!x", "|x",
            ">x", "%x", "@x", "`x", "x #y", "{x", "[x", "?", "? x", "-", "---x", "a:",
        ] {
            assert_eq!(as_value(s), format!("k: '{s}'"), "{s:?}");
        }
        assert_eq!(as_value("\"q\" and \\"), "k: '\"q\" and \\'");
        assert_eq!(as_value("'x"), "k: '''x'");
    }

    #[test]
    fn spec_table_f_escapes() {
        assert_eq!(as_value("tab\there"), "k: \"tab\\there\"");
        assert_eq!(as_value("a\rb"), "k: \"a\\rb\"");
        assert_eq!(as_value("\0"), "k: \"\\0\"");
        assert_eq!(as_value("\u{7}"), "k: \"\\a\"");
        assert_eq!(as_value("\u{B}"), "k: \"\\v\"");
        assert_eq!(as_value("\u{C}"), "k: \"\\f\"");
        assert_eq!(as_value("\u{1B}"), "k: \"\\e\"");
        assert_eq!(as_value("\u{7F}"), "k: \"\\x7F\"");
        assert_eq!(as_value("\u{8}x"), "k: \"\\bx\"");
        assert_eq!(as_value("a\u{85}b"), "k: \"a\\Nb\"");
        assert_eq!(as_value("\u{1F600}"), "k: \"\\U0001F600\"");
        assert_eq!(as_value("x\u{FEFF}y"), "k: \"x\\uFEFFy\"");
        assert_eq!(as_value("\u{FEFF}x"), "k: \"\\uFEFF\\x78\"");
        assert_eq!(as_value("\u{FFFE}"), "k: \"\\uFFFE\"");
        assert_eq!(as_value("\u{9F}"), "k: \"\\x9F\"");
        assert_eq!(as_value("line1 \nline2"), "k: \"line1 \\nline2\"");
        assert_eq!(as_value("x\n "), "k: \"x\\n \"");
        assert_eq!(as_value("a\r\nb"), "k: \"a\\r\\nb\"");
        assert_eq!(as_value("bell\u{7}\nx"), "k: \"bell\\a\\nx\"");
        assert_eq!(as_value("a\n b"), "k: |-\n    a\n     b");
        assert_eq!(as_value("q\"\\\n"), "k: |\n    q\"\\\n");
    }

    #[test]
    fn line_separator_is_single_quoted_and_reindented() {
        assert_eq!(as_value("a\u{2028}b"), "k: 'a\u{2028}    b'");
        assert!(!Scalar::string("a\u{2028}b").fits_simple_key());
    }

    #[test]
    fn literal_headers() {
        assert_eq!(as_value("a\nb"), "k: |-\n    a\n    b");
        assert_eq!(as_value("a\nb\n"), "k: |\n    a\n    b\n");
        assert_eq!(as_value("a\nb\n\n"), "k: |+\n    a\n    b\n\n");
        assert_eq!(as_value("\nx"), "k: |4-\n\n    x");
        assert_eq!(
            as_value("  indented\nsecond"),
            "k: |4-\n      indented\n    second"
        );
        assert_eq!(as_value("a\n\nb\n"), "k: |\n    a\n\n    b\n");
        assert_eq!(as_value("\n"), "k: |4+\n\n");
        assert_eq!(as_value(" x\n"), "k: |4\n     x\n");
    }

    #[test]
    fn tab_first_multiline_becomes_null() {
        assert_eq!(as_value("\tx\ny"), "k: null");
        // Not literal (trailing space before the break): no quirk.
        assert_eq!(as_value("\tx \ny"), "k: \"\\tx \\ny\"");
        // TAB later on is fine.
        assert_eq!(as_value("x\n\ty"), "k: |-\n    x\n    \ty");
        assert_eq!(style("\tx"), Style::Double);
    }

    #[test]
    fn numbers_print_as_go_yaml_does() {
        for i in [0, -1, 42, i64::MAX, i64::MIN] {
            let v = Value::Int(i);
            assert_eq!(&*Scalar::value(&v).unwrap().unwrap().text, i.to_string());
        }
        let v = Value::Uint64(u64::MAX);
        assert_eq!(
            &*Scalar::value(&v).unwrap().unwrap().text,
            "18446744073709551615"
        );
        let mut floats = vec![1.5, 1e-4, 1e6, 999999.9, 0.1 + 0.2, 1e-5, 1e300, 0.0, -0.0];
        floats.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 123456.789012345]);
        floats.extend(crate::gofmt::tests::random_floats(
            0x2545_F491_4F6C_DD1D,
            5000,
        ));
        for f in floats {
            let v = Value::Float(f);
            let text = Scalar::value(&v).unwrap().unwrap().text;
            assert_eq!(&*text, crate::gofmt::format_float_yaml(f), "{f:e}");
        }
    }

    #[test]
    fn binary_values() {
        let short = Scalar::binary(&[0xff, 0x00, 0x41]);
        assert_eq!(&*short.text, "/wBB");
        assert_eq!(short.style, Style::Plain);
        let long = Scalar::binary(&[0xffu8; 60]);
        assert_eq!(long.style, Style::Literal);
        let lines: Vec<&str> = long.text.split_terminator('\n').collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), 70);
        assert!(long.text.ends_with('\n'));
        let exactly70 = Scalar::binary(&[0xffu8; 52]); // 72 chars
        assert_eq!(exactly70.style, Style::Literal);
        let mut w = Writer::new(4, 32);
        w.indent = 0;
        w.write_text("k");
        w.write_indicator(":", false, false, false);
        short.write(&mut w, false);
        assert_eq!(String::from_utf8(w.out).unwrap(), "k: !!binary /wBB");
    }

    #[test]
    fn visible_ascii_fast_path_agrees_with_the_full_scan() {
        let mut samples: Vec<String> = [
            "ENC[AES256_GCM,data:abc=,iv:x/y+z=,tag:q==,type:str]",
            "a",
            "-",
            "?",
            ":",
            "#",
            "a:",
            ":a",
            "a:b",
            "a#b",
            "#a",
            "---x",
            "...",
            "--",
            "-a",
            "?a",
            "a-",
            "!x",
            "@x",
            "`x",
            "%x",
            "'x",
            "\"x",
            "x'",
            "a,b",
            "[a]",
            "{a}",
            "&a",
            "*a",
            "|a",
            ">a",
            "a|",
            "http://x",
            "a::",
            "~",
            "<<",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for c in 0x21u8..=0x7E {
            let c = c as char;
            samples.push(c.to_string());
            samples.push(format!("{c}x"));
            samples.push(format!("x{c}"));
            samples.push(format!("x{c}y"));
        }
        for s in &samples {
            let fast = analyze_visible_ascii(s).expect("visible ASCII");
            let full = analyze_chars(s);
            assert_eq!(
                (fast.multiline, fast.plain, fast.single, fast.block),
                (full.multiline, full.plain, full.single, full.block),
                "{s:?}"
            );
        }
        for s in ["", "a b", "a\tb", "a\nb", "é", "a\u{7f}"] {
            assert!(analyze_visible_ascii(s).is_none(), "{s:?}");
        }
    }

    #[test]
    fn simple_key_limit() {
        assert!(Scalar::string(&"k".repeat(128)).fits_simple_key());
        assert!(!Scalar::string(&"k".repeat(129)).fits_simple_key());
        assert!(!Scalar::string("a\nb").fits_simple_key());
        assert!(Scalar::string(&"é".repeat(64)).fits_simple_key());
        assert!(!Scalar::string(&"é".repeat(65)).fits_simple_key());
    }

    #[test]
    fn must_fail_on_stray_comment() {
        assert!(Scalar::value(&Value::Comment(crate::tree::text("x"))).is_err());
    }
}
