//! INI text to sections, with the parsing rules of `gopkg.in/ini.v1` 1.67 as sops loads it.
//!
//! sops delegates INI to ini.v1 (non-unique sections allowed, every other
//! option at its default), whose behaviour is idiosyncratic: `#`/`;` start an
//! inline comment anywhere in an unquoted value, `"""`/backtick quoting,
//! trailing-`\` continuation lines, duplicate keys merge. This reader follows
//! that code path by path, on bytes, so the same files load the same way.

use crate::store::json::go_quote;

/// One `[section]` (the first one is the implicit `DEFAULT`).
pub(super) struct Section {
    pub(super) name: Vec<u8>,
    pub(super) comment: Vec<u8>,
    pub(super) keys: Vec<KeyEntry>,
}

/// One key with its value and the comment lines attached to it.
pub(super) struct KeyEntry {
    pub(super) name: Vec<u8>,
    pub(super) value: Vec<u8>,
    pub(super) comment: Vec<u8>,
}

/// The first character of `b` if it is valid UTF-8.
fn first_char(b: &[u8]) -> Option<(char, usize)> {
    (1..=4.min(b.len())).find_map(|n| {
        let s = std::str::from_utf8(b.get(..n)?).ok()?;
        s.chars().next().map(|c| (c, n))
    })
}

/// The last character of `b` if it is valid UTF-8.
fn last_char(b: &[u8]) -> Option<(char, usize)> {
    (1..=4.min(b.len())).find_map(|n| {
        let s = std::str::from_utf8(b.get(b.len() - n..)?).ok()?;
        let mut chars = s.chars();
        let c = chars.next()?;
        chars.next().is_none().then_some((c, n))
    })
}

/// Go's `bytes.TrimLeftFunc(b, unicode.IsSpace)`.
pub(super) fn trim_left(mut b: &[u8]) -> &[u8] {
    while let Some((c, n)) = first_char(b) {
        if !c.is_whitespace() {
            break;
        }
        b = b.get(n..).unwrap_or_default();
    }
    b
}

/// Go's `strings.TrimSpace`.
pub(super) fn trim_space(b: &[u8]) -> &[u8] {
    let mut b = trim_left(b);
    while let Some((c, n)) = last_char(b) {
        if !c.is_whitespace() {
            break;
        }
        b = b.get(..b.len() - n).unwrap_or_default();
    }
    b
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn find_any(hay: &[u8], set: &[u8]) -> Option<usize> {
    hay.iter().position(|b| set.contains(b))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
    /// Where the line being parsed (a key, a section, a comment) starts.
    start: usize,
    eof: bool,
    comment: Vec<u8>,
}

impl<'a> Parser<'a> {
    /// `bufio.Reader.ReadBytes('\n')`: the next line with its newline.
    fn read_line(&mut self) -> &'a [u8] {
        let rest = self.input.get(self.pos..).unwrap_or_default();
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                self.pos += i + 1;
                rest.get(..=i).unwrap_or_default()
            }
            None => {
                self.pos = self.input.len();
                self.eof = true;
                rest
            }
        }
    }

    fn read_multilines(
        &mut self,
        line: &[u8],
        mut val: Vec<u8>,
        quote: &[u8],
    ) -> Result<Vec<u8>, String> {
        loop {
            let next = self.read_line();
            if let Some(pos) = rfind(next, quote) {
                val.extend_from_slice(next.get(..pos).unwrap_or_default());
                let tail = next.get(pos..).unwrap_or_default();
                if let Some(i) = find_any(tail, b"#;") {
                    self.comment
                        .extend_from_slice(trim_space(tail.get(i..).unwrap_or_default()));
                }
                return Ok(val);
            }
            val.extend_from_slice(next);
            if self.eof {
                return Err(format!(
                    "missing closing key quote from {} to {}",
                    go_quote(&lossy(line)),
                    go_quote(&lossy(next))
                ));
            }
        }
    }

    fn read_continuation_lines(&mut self, mut val: Vec<u8>) -> Vec<u8> {
        loop {
            let next = trim_space(self.read_line());
            if next.is_empty() {
                return val;
            }
            val.extend_from_slice(next);
            if val.last() != Some(&b'\\') {
                return val;
            }
            val.pop();
        }
    }

    fn read_value(&mut self, input: &[u8]) -> Result<Vec<u8>, String> {
        let line = trim_left(input);
        if line.is_empty() {
            return Ok(Vec::new());
        }
        let quote: &[u8] = if line.len() > 3 && line.starts_with(b"\"\"\"") {
            b"\"\"\""
        } else if line.starts_with(b"`") {
            b"`"
        } else {
            b""
        };
        if !quote.is_empty() {
            let inner = line.get(quote.len()..).unwrap_or_default();
            return match rfind(inner, quote) {
                None => self.read_multilines(line, inner.to_vec(), quote),
                Some(pos) => Ok(inner.get(..pos).unwrap_or_default().to_vec()),
            };
        }
        let mut line = trim_space(line);
        if line.last() == Some(&b'\\') {
            let head = line.get(..line.len() - 1).unwrap_or_default().to_vec();
            return Ok(self.read_continuation_lines(head));
        }
        if let Some(i) = find_any(line, b"#;") {
            self.comment
                .extend_from_slice(line.get(i..).unwrap_or_default());
            line = trim_space(line.get(..i).unwrap_or_default());
        }
        let surrounded = |q: u8| {
            line.len() >= 2
                && line.first() == Some(&q)
                && line.last() == Some(&q)
                && line.get(1..).and_then(|r| r.iter().position(|&b| b == q))
                    == Some(line.len() - 2)
        };
        if surrounded(b'\'') || surrounded(b'"') {
            line = line.get(1..line.len() - 1).unwrap_or_default();
        }
        Ok(line.to_vec())
    }
}

/// ini.v1's `readKeyName`: the key and the offset where the value starts.
fn read_key_name(line: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let quote: &[u8] = if line.starts_with(b"\"") {
        if line.len() > 6 && line.starts_with(b"\"\"\"") {
            b"\"\"\""
        } else {
            b"\""
        }
    } else if line.starts_with(b"`") {
        b"`"
    } else {
        b""
    };
    if !quote.is_empty() {
        let start = quote.len();
        let Some(pos) = line.get(start..).and_then(|r| find(r, quote)) else {
            return Err(format!("missing closing key quote: {}", lossy(line)));
        };
        let pos = pos + start;
        let Some(i) = line.get(pos + start..).and_then(|r| find_any(r, b"=:")) else {
            return Err(format!("key-value delimiter not found: {}", lossy(line)));
        };
        let name = trim_space(line.get(start..pos).unwrap_or_default()).to_vec();
        return Ok((name, pos + i + start + 1));
    }
    match find_any(line, b"=:") {
        None => Err(format!("key-value delimiter not found: {}", lossy(line))),
        Some(0) => Err(format!("empty key name: {}", lossy(line))),
        Some(end) => Ok((
            trim_space(line.get(..end).unwrap_or_default()).to_vec(),
            end + 1,
        )),
    }
}

/// Parses a whole file; the error text is ini.v1's.
pub(super) fn parse(input: &[u8]) -> Result<Vec<Section>, String> {
    parse_at(input).map_err(|(e, _)| e)
}

/// [`parse`], with the 1-based line an error is about.
pub(super) fn parse_at(input: &[u8]) -> Result<Vec<Section>, (String, usize)> {
    let input = if input.starts_with(&[0xFE, 0xFF]) || input.starts_with(&[0xFF, 0xFE]) {
        input.get(2..).unwrap_or_default()
    } else if input.starts_with(&[0xEF, 0xBB, 0xBF]) {
        input.get(3..).unwrap_or_default()
    } else {
        input
    };
    let mut p = Parser {
        input,
        pos: 0,
        start: 0,
        eof: false,
        comment: Vec::new(),
    };
    parse_lines(&mut p).map_err(|e| {
        let before = input.get(..p.start).unwrap_or_default();
        (e, before.iter().filter(|&&b| b == b'\n').count() + 1)
    })
}

fn parse_lines(p: &mut Parser<'_>) -> Result<Vec<Section>, String> {
    let mut sections = vec![Section {
        name: b"DEFAULT".to_vec(),
        comment: Vec::new(),
        keys: Vec::new(),
    }];
    let mut count = 1;
    // Position of each key name in the current section, to merge repeats quickly.
    let mut index: std::collections::HashMap<Vec<u8>, usize> = std::collections::HashMap::new();
    while !p.eof {
        p.start = p.pos;
        let line = trim_left(p.read_line());
        let Some(&first) = line.first() else { continue };
        if first == b'#' || first == b';' {
            p.comment.extend_from_slice(line);
            continue;
        }
        if first == b'[' {
            let Some(close) = line.iter().rposition(|&b| b == b']') else {
                return Err(format!("unclosed section: {}", lossy(line)));
            };
            let name = line.get(1..close).unwrap_or_default();
            if name.is_empty() {
                return Err("empty section name".into());
            }
            let after = line.get(close + 1..).unwrap_or_default();
            if let Some(i) = find_any(after, b"#;") {
                p.comment
                    .extend_from_slice(after.get(i..).unwrap_or_default());
            }
            sections.push(Section {
                name: name.to_vec(),
                comment: trim_space(&p.comment).to_vec(),
                keys: Vec::new(),
            });
            p.comment.clear();
            count = 1;
            index.clear();
            continue;
        }
        let (mut name, offset) = read_key_name(line)?;
        if name == b"-" {
            name = format!("#{count}").into_bytes();
            count += 1;
        }
        let value = p.read_value(line.get(offset..).unwrap_or_default())?;
        if name.is_empty() {
            return Err("error creating new key: empty key name".into());
        }
        let comment = trim_space(&p.comment).to_vec();
        p.comment.clear();
        let Some(section) = sections.last_mut() else {
            continue;
        };
        // A repeated key keeps its place and takes the new value and comment.
        match index.get(&name).and_then(|&i| section.keys.get_mut(i)) {
            Some(existing) => {
                existing.value = value;
                existing.comment = comment;
            }
            None => {
                index.insert(name.clone(), section.keys.len());
                section.keys.push(KeyEntry {
                    name,
                    value,
                    comment,
                });
            }
        }
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(input: &str) -> Vec<(String, String, String)> {
        parse(input.as_bytes())
            .unwrap()
            .into_iter()
            .flat_map(|s| s.keys)
            .map(|k| (lossy(&k.name), lossy(&k.value), lossy(&k.comment)))
            .collect()
    }

    fn t(k: &str, v: &str, c: &str) -> (String, String, String) {
        (k.into(), v.into(), c.into())
    }

    #[test]
    fn values_follow_ini_v1() {
        assert_eq!(
            one("url=http://x#frag\nb = c;d\ne= \"x\" \n"),
            vec![
                t("url", "http://x", "#frag"),
                t("b", "c", ";d"),
                t("e", "x", "")
            ]
        );
        assert_eq!(
            one("a=line \\\n   cont\\\n  more\nb: colon\n\"q k\" = 1\n`b=k`=2\n"),
            vec![
                t("a", "line contmore", ""),
                t("b", "colon", ""),
                t("q k", "1", ""),
                t("b=k", "2", "")
            ]
        );
        assert_eq!(
            one("  k = \"\"\"multi\nline\"\"\" ; after\nb=`x;y`\nc=\"a\"b\"\n"),
            vec![
                t("k", "multi\nline", "; after"),
                t("b", "x;y", ""),
                t("c", "\"a\"b\"", "")
            ]
        );
        assert_eq!(one("a=1\na=2 ; c\n"), vec![t("a", "2", "; c")]);
        assert_eq!(one("-=x\n-=y\n"), vec![t("#1", "x", ""), t("#2", "y", "")]);
    }

    #[test]
    fn errors_know_their_line() {
        assert_eq!(
            parse_at(b"a = 1\n\n[s]\nb = 2\nnoeq\n").err(),
            Some(("key-value delimiter not found: noeq\n".to_string(), 5))
        );
        assert_eq!(parse_at(b"a = 1\n[unclosed\n").err().map(|e| e.1), Some(2));
    }

    #[test]
    fn errors_follow_ini_v1() {
        let e = |s: &str| parse(s.as_bytes()).err().unwrap_or_default();
        assert_eq!(
            e("a=1\nnoequals\n"),
            "key-value delimiter not found: noequals\n"
        );
        assert_eq!(e("[abc\n"), "unclosed section: [abc\n");
        assert_eq!(e("=x\n"), "empty key name: =x\n");
        assert_eq!(e("[]\na=1\n"), "empty section name");
        assert_eq!(e("\"a=1\n"), "missing closing key quote: \"a=1\n");
        assert_eq!(
            e("a=`x\ny\n"),
            "missing closing key quote from \"`x\\n\" to \"\""
        );
        assert_eq!(
            e("a=`x\ny"),
            "missing closing key quote from \"`x\\n\" to \"y\""
        );
        assert_eq!(e("\"\"=1\n"), "error creating new key: empty key name");
    }

    #[test]
    fn trims_like_go() {
        assert_eq!(trim_space(" \u{a0}x\t\r\n".as_bytes()), b"x");
        assert_eq!(trim_space(b"\xff "), b"\xff");
        assert_eq!(trim_left(b""), b"");
    }
}
