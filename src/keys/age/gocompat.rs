//! Go-library behaviour sops's age messages depend on: Bech32 decoding errors, `%q` quoting,
//! `filepath.Join`, OS/exec error texts and google/shlex splitting.
//!
//! sops embeds these texts in its errors and users grep for them, so they are
//! reproduced from the Go sources' documented behaviour rather than using the
//! Rust crates' own (different) wording.

use std::io;
use zeroize::Zeroizing;

const CHARSET: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATOR: [u32; 5] = [
    0x3b6a_57b2,
    0x2650_8e6d,
    0x1ea1_19fa,
    0x3d42_33dd,
    0x2a14_62b3,
];

fn polymod(values: &[u8]) -> u32 {
    let mut chk: u32 = 1;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GENERATOR.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

fn hrp_expand(hrp: &str) -> Vec<u8> {
    let h = hrp.to_lowercase().into_bytes();
    let mut out: Vec<u8> = h.iter().map(|c| c >> 5).collect();
    out.push(0);
    out.extend(h.iter().map(|c| c & 31));
    out
}

fn convert_bits_no_pad(data: &[u8]) -> Result<Zeroizing<Vec<u8>>, String> {
    let mut out = Zeroizing::new(Vec::with_capacity(data.len() * 5 / 8));
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    for &value in data {
        acc = (acc << 5) | u32::from(value);
        bits += 5;
        while bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    if bits >= 5 {
        return Err("illegal zero padding".into());
    }
    if (acc << (8 - bits)) & 0xff != 0 {
        return Err("non-zero padding".into());
    }
    Ok(out)
}

/// age's (Go) Bech32 decoder: returns the human-readable part as written and the data bytes.
pub fn bech32_decode(s: &str) -> Result<(String, Zeroizing<Vec<u8>>), String> {
    if s.to_lowercase() != s && s.to_uppercase() != s {
        return Err("mixed case".into());
    }
    let pos = s.rfind('1');
    let valid = matches!(pos, Some(p) if p >= 1 && p + 7 <= s.len());
    let Some(pos) = pos.filter(|_| valid) else {
        let shown = pos.map_or(-1, |p| p as i64);
        return Err(format!(
            "separator '1' at invalid position: pos={shown}, len={}",
            s.len()
        ));
    };
    let hrp = s.get(..pos).unwrap_or_default();
    for (p, c) in hrp.char_indices() {
        if !(33..=126).contains(&u32::from(c)) {
            return Err(format!(
                "invalid character human-readable part: s[{p}]={}",
                u32::from(c)
            ));
        }
    }
    // The input may be a secret key: every intermediate copy is wiped on drop.
    let lower = Zeroizing::new(s.to_lowercase());
    let mut data = Zeroizing::new(Vec::new());
    for (p, c) in lower.get(pos + 1..).unwrap_or_default().char_indices() {
        match CHARSET.find(c) {
            Some(d) => data.push(d as u8),
            None => {
                return Err(format!(
                    "invalid character data part: s[{p}]={}",
                    u32::from(c)
                ));
            }
        }
    }
    let mut values = Zeroizing::new(hrp_expand(hrp));
    values.extend_from_slice(&data);
    if polymod(&values) != 1 {
        return Err("invalid checksum".into());
    }
    let payload = data.get(..data.len().saturating_sub(6)).unwrap_or_default();
    Ok((hrp.to_string(), convert_bits_no_pad(payload)?))
}

/// Go's `strconv.Quote` (what `%q` prints for a string).
pub fn quote(s: &str) -> String {
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
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `filepath.Join` on Unix: joins the non-empty parts and cleans the result lexically.
pub fn join(parts: &[&str]) -> String {
    let joined = parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/");
    if joined.is_empty() {
        return String::new();
    }
    clean(&joined)
}

/// Go's `filepath.Clean` on Unix.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

/// The lower-case C library text Go prints for an errno (Go's own table for the common ones).
fn errno_text(err: &io::Error) -> String {
    match err.raw_os_error() {
        Some(1) => "operation not permitted".into(),
        Some(2) => "no such file or directory".into(),
        Some(5) => "input/output error".into(),
        Some(8) => "exec format error".into(),
        Some(13) => "permission denied".into(),
        Some(20) => "not a directory".into(),
        Some(21) => "is a directory".into(),
        Some(24) => "too many open files".into(),
        Some(36) => "file name too long".into(),
        Some(40) => "too many levels of symbolic links".into(),
        _ => {
            // Rust appends " (os error N)"; Go does not.
            let text = err.to_string();
            let text = text.split(" (os error").next().unwrap_or_default();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

/// Go's `*PathError` text: `open /x: no such file or directory`.
pub fn path_error(op: &str, path: &str, err: &io::Error) -> String {
    format!("{op} {path}: {}", errno_text(err))
}

/// Go's text for a command that could not be started.
pub fn spawn_error(program: &str, err: &io::Error) -> String {
    if !program.contains('/') && err.kind() == io::ErrorKind::NotFound {
        format!(
            "exec: {}: executable file not found in $PATH",
            quote(program)
        )
    } else if !program.contains('/') && err.kind() == io::ErrorKind::PermissionDenied {
        // Go's PATH lookup skips files that are not executable.
        format!(
            "exec: {}: executable file not found in $PATH",
            quote(program)
        )
    } else {
        path_error("fork/exec", program, err)
    }
}

/// Go's `*ExitError` text: `exit status 3` or `signal: killed`.
pub fn exit_error(status: std::process::ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            let name = match sig {
                1 => "hangup".to_string(),
                2 => "interrupt".to_string(),
                3 => "quit".to_string(),
                6 => "aborted".to_string(),
                9 => "killed".to_string(),
                11 => "segmentation fault".to_string(),
                13 => "broken pipe".to_string(),
                15 => "terminated".to_string(),
                n => format!("signal {n}"),
            };
            return format!("signal: {name}");
        }
    }
    status.to_string()
}

/// google/shlex `Split`: words separated by blanks, `'…'` literal, `"…"` with `\` escapes,
/// `\` escapes outside quotes, `#` at a word start begins a comment up to the line end.
pub fn shlex_split(s: &str) -> Result<Vec<String>, String> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Start,
        Word,
        Escaping,
        EscapingQuoted,
        DoubleQuoted,
        SingleQuoted,
        Comment,
    }
    let mut words = Vec::new();
    let mut state = State::Start;
    let mut word = String::new();
    for c in s.chars() {
        let space = matches!(c, ' ' | '\t' | '\r' | '\n');
        state = match state {
            State::Start => match c {
                _ if space => State::Start,
                '"' => State::DoubleQuoted,
                '\'' => State::SingleQuoted,
                '\\' => State::Escaping,
                '#' => State::Comment,
                _ => {
                    word.push(c);
                    State::Word
                }
            },
            State::Word => match c {
                _ if space => {
                    words.push(std::mem::take(&mut word));
                    State::Start
                }
                '"' => State::DoubleQuoted,
                '\'' => State::SingleQuoted,
                '\\' => State::Escaping,
                _ => {
                    word.push(c);
                    State::Word
                }
            },
            State::Escaping => {
                word.push(c);
                State::Word
            }
            State::EscapingQuoted => {
                word.push(c);
                State::DoubleQuoted
            }
            State::DoubleQuoted => match c {
                '"' => State::Word,
                '\\' => State::EscapingQuoted,
                _ => {
                    word.push(c);
                    State::DoubleQuoted
                }
            },
            State::SingleQuoted => match c {
                '\'' => State::Word,
                _ => {
                    word.push(c);
                    State::SingleQuoted
                }
            },
            State::Comment => {
                if c == '\n' {
                    State::Start
                } else {
                    State::Comment
                }
            }
        };
    }
    match state {
        State::Word => words.push(word),
        State::Escaping | State::EscapingQuoted => {
            return Err("EOF found after escape character".into());
        }
        State::DoubleQuoted | State::SingleQuoted => {
            return Err("EOF found when expecting closing quote".into());
        }
        State::Start | State::Comment => {}
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bech32_errors_match_go() {
        assert_eq!(
            bech32_decode("age1bogus").unwrap_err(),
            "separator '1' at invalid position: pos=3, len=9"
        );
        assert_eq!(
            bech32_decode("AGE-SECRET-KEY-1BAD").unwrap_err(),
            "separator '1' at invalid position: pos=15, len=19"
        );
        assert_eq!(
            bech32_decode("age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq")
                .unwrap_err(),
            "invalid checksum"
        );
        assert_eq!(bech32_decode("Age1qqqqqqqqq").unwrap_err(), "mixed case");
        assert_eq!(
            bech32_decode("nosep").unwrap_err(),
            "separator '1' at invalid position: pos=-1, len=5"
        );
        assert_eq!(
            bech32_decode("age1qqqqqqqbqq").unwrap_err(),
            "invalid character data part: s[7]=98"
        );
    }

    #[test]
    fn bech32_decodes_real_keys() {
        let (hrp, data) =
            bech32_decode("age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr")
                .unwrap();
        assert_eq!(hrp, "age");
        assert_eq!(data.len(), 32);
        let (hrp, data) = bech32_decode(
            "AGE-SECRET-KEY-15RUQ9NYN49MQUERGNJ5AC9SQLJRGR242JUV32XHJS0ET25KY7AWSEJC77Z",
        )
        .unwrap();
        assert_eq!(hrp, "AGE-SECRET-KEY-");
        assert_eq!(data.len(), 32);
    }

    #[test]
    fn quoting_and_paths() {
        assert_eq!(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(quote("\u{1b}"), "\"\\x1b\"");
        assert_eq!(join(&["/tmp/h/", ".ssh", "id_rsa"]), "/tmp/h/.ssh/id_rsa");
        assert_eq!(join(&["/a/../b", "c"]), "/b/c");
        assert_eq!(clean("a/./b/../../.."), "..");
        assert_eq!(clean(""), ".");
    }

    #[test]
    fn io_error_texts() {
        let e = io::Error::from_raw_os_error(2);
        assert_eq!(
            path_error("open", "", &e),
            "open : no such file or directory"
        );
        assert_eq!(
            spawn_error("nonexistentcmd", &io::Error::from(io::ErrorKind::NotFound)),
            "exec: \"nonexistentcmd\": executable file not found in $PATH"
        );
        assert_eq!(
            spawn_error("./x", &e),
            "fork/exec ./x: no such file or directory"
        );
    }

    #[test]
    fn shlex_like_google() {
        assert_eq!(
            shlex_split("sh -c 'echo nope; exit 3'").unwrap(),
            vec!["sh", "-c", "echo nope; exit 3"]
        );
        assert_eq!(
            shlex_split(r#"a "b \" c" d\ e"#).unwrap(),
            vec!["a", "b \" c", "d e"]
        );
        assert_eq!(shlex_split("a #comment\nb").unwrap(), vec!["a", "b"]);
        assert_eq!(shlex_split("a#b").unwrap(), vec!["a#b"]);
        assert_eq!(shlex_split("  ").unwrap(), Vec::<String>::new());
        assert_eq!(
            shlex_split("echo 'abc").unwrap_err(),
            "EOF found when expecting closing quote"
        );
        assert_eq!(
            shlex_split("a\\").unwrap_err(),
            "EOF found after escape character"
        );
    }
}
