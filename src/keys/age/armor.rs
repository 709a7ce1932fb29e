//! ASCII armor exactly as Go age writes it (PEM-like, padded base64, 64 columns), so the
//! `enc` blocks we store have the same lines as sops's; written by hand because it is a
//! few lines and the framing, not the crate's choices, is what must match.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const BEGIN: &str = "-----BEGIN AGE ENCRYPTED FILE-----\n";
const END: &str = "-----END AGE ENCRYPTED FILE-----\n";
const COLUMNS: usize = 64;

/// Armors a binary age file: every line but the last is 64 columns; no blank lines.
pub(super) fn armor(file: &[u8]) -> String {
    let body = STANDARD.encode(file);
    let lines = body.len().div_ceil(COLUMNS);
    let mut out = String::with_capacity(BEGIN.len() + body.len() + lines + END.len());
    out.push_str(BEGIN);
    let mut rest = body.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(COLUMNS));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str(END);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn dearmor(text: &str) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        age::armor::ArmoredReader::new(text.as_bytes()).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn line_shapes() {
        // 48 bytes fill exactly one line: the footer follows it directly.
        let text = armor(&[1u8; 48]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].len(), 64);
        assert!(text.ends_with("\n-----END AGE ENCRYPTED FILE-----\n"));
        // 49 bytes: a full line and a padded short one.
        let text = armor(&[1u8; 49]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!((lines[1].len(), lines[2].len()), (64, 4));
        assert!(lines[2].ends_with("=="));
        assert!(text.starts_with(BEGIN));
    }

    #[test]
    fn round_trips_through_the_crate_reader() {
        for len in [1usize, 47, 48, 49, 232, 500] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert_eq!(dearmor(&armor(&data)).unwrap(), data, "len {len}");
        }
    }

    #[test]
    fn damaged_armor_is_rejected() {
        let text = armor(&[7u8; 100]);
        assert!(dearmor(&text.replace("-----END", "-----FIN")).is_err());
        let mut lines: Vec<&str> = text.lines().collect();
        lines.insert(2, "");
        assert!(dearmor(&(lines.join("\n") + "\n")).is_err());
    }
}
