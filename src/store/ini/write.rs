//! Sections to INI text, byte-identical to `gopkg.in/ini.v1`'s pretty writer as sops uses it.
//!
//! Keys are padded to the longest name of their section, comments are
//! written above what they belong to, and values are quoted only when ini.v1
//! would otherwise misread them.

use super::parse::trim_space;

/// A section ready to be written.
pub(super) struct OutSection {
    pub(super) name: String,
    pub(super) comment: String,
    pub(super) keys: Vec<OutKey>,
}

/// A key ready to be written.
pub(super) struct OutKey {
    pub(super) name: String,
    pub(super) value: Vec<u8>,
    pub(super) comment: String,
}

/// Writes comment lines: lines already starting with `#`/`;` keep that marker.
fn write_comment(out: &mut Vec<u8>, comment: &str, trim_plain: bool) {
    for line in comment.split('\n') {
        match line.as_bytes().first() {
            Some(&marker @ (b'#' | b';')) => {
                out.push(marker);
                out.push(b' ');
                out.extend_from_slice(trim_space(line.as_bytes().get(1..).unwrap_or_default()));
            }
            _ => {
                out.extend_from_slice(b"; ");
                if trim_plain {
                    out.extend_from_slice(trim_space(line.as_bytes()));
                } else {
                    out.extend_from_slice(line.as_bytes());
                }
            }
        }
        out.push(b'\n');
    }
}

fn key_needs_backticks(name: &str) -> bool {
    name.contains(['"', '=', ':'])
}

/// The key as written (quoted when ini.v1 would misread it).
fn written_key(name: &str) -> String {
    if key_needs_backticks(name) {
        format!("`{name}`")
    } else if name.contains('`') {
        format!("\"\"\"{name}\"\"\"")
    } else {
        name.to_string()
    }
}

fn push_value(out: &mut Vec<u8>, value: &[u8]) {
    if value.contains(&b'\n') || value.contains(&b'`') {
        out.extend_from_slice(b"\"\"\"");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\"\"\"");
    } else if value.contains(&b'#') || value.contains(&b';') {
        out.push(b'`');
        out.extend_from_slice(value);
        out.push(b'`');
    } else if trim_space(value).len() != value.len() {
        out.push(b'"');
        out.extend_from_slice(value);
        out.push(b'"');
    } else {
        out.extend_from_slice(value);
    }
}

/// Writes all sections.
pub(super) fn write(sections: &[OutSection]) -> Vec<u8> {
    let mut out = Vec::new();
    let last = sections.len().saturating_sub(1);
    for (i, section) in sections.iter().enumerate() {
        if !section.comment.is_empty() {
            write_comment(&mut out, &section.comment, false);
        }
        if i > 0 || section.name.to_uppercase() != "DEFAULT" {
            out.push(b'[');
            out.extend_from_slice(section.name.as_bytes());
            out.extend_from_slice(b"]\n");
        } else if section.keys.is_empty() {
            continue;
        }
        let align = section
            .keys
            .iter()
            .map(|k| written_key(&k.name).len())
            .max()
            .unwrap_or(0);
        for key in &section.keys {
            if !key.comment.is_empty() {
                write_comment(&mut out, &key.comment, true);
            }
            let name = written_key(&key.name);
            out.extend_from_slice(name.as_bytes());
            out.resize(out.len() + align.saturating_sub(name.len()), b' ');
            out.extend_from_slice(b" = ");
            push_value(&mut out, &key.value);
            out.push(b'\n');
        }
        if i != last {
            out.push(b'\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, value: &str, comment: &str) -> OutKey {
        OutKey {
            name: name.into(),
            value: value.as_bytes().to_vec(),
            comment: comment.into(),
        }
    }

    #[test]
    fn quoting_alignment_and_comments() {
        let sections = vec![
            OutSection {
                name: "DEFAULT".into(),
                comment: String::new(),
                keys: vec![],
            },
            OutSection {
                name: "s".into(),
                comment: "sc\n# x".into(),
                keys: vec![
                    key("a", "x;y", "c1\n;; c2"),
                    key("b=k", " sp", ""),
                    key("q`k", "m\nl", ""),
                    key("e", "", ""),
                ],
            },
        ];
        let out = String::from_utf8(write(&sections)).unwrap();
        assert_eq!(
            out,
            "; sc\n# x\n[s]\n; c1\n; ; c2\na         = `x;y`\n`b=k`     = \" sp\"\n\"\"\"q`k\"\"\" = \"\"\"m\nl\"\"\"\ne         = \n"
        );
    }

    #[test]
    fn empty_default_is_skipped_without_separator() {
        let sections = vec![
            OutSection {
                name: "DEFAULT".into(),
                comment: String::new(),
                keys: vec![],
            },
            OutSection {
                name: "x".into(),
                comment: String::new(),
                keys: vec![key("k", "v", "")],
            },
        ];
        assert_eq!(write(&sections), b"[x]\nk = v\n");
    }
}
