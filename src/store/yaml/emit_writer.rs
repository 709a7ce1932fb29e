//! The character-level state of go-yaml's emitter (column, "just wrote
//! whitespace", "still in indentation", blank-line-after-foot-comment marker).
//!
//! Byte-exact YAML depends on these few flags more than on anything else: when a
//! line break is inserted, when a space precedes an indicator and when a blank
//! line appears are all decided from them, so they are modelled one to one
//! (spec §6.1a A) while everything above this layer is our own tree walk.

/// Output buffer plus the layout state the emitter rules read.
pub(super) struct Writer {
    /// Everything written so far.
    pub out: Vec<u8>,
    /// The indentation step `w` (2..=9).
    pub best: i64,
    /// Column of the block being written; -1 before the root node.
    pub indent: i64,
    /// Characters (not bytes) written on the current line.
    column: i64,
    /// The last thing written was whitespace (or nothing on this document yet).
    pub whitespace: bool,
    /// Only indentation has been written on the current line so far.
    pub indention: bool,
    /// After a foot comment: the indentation at which the next line gets a blank line first.
    pub foot_indent: i64,
}

/// A YAML line break as go-yaml's emitter sees one (CR, LF, NEL, LS, PS).
pub(super) fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

impl Writer {
    /// A fresh writer for indentation step `best`.
    pub fn new(best: usize, capacity: usize) -> Self {
        let best = if (2..=9).contains(&best) { best } else { 2 };
        Self {
            out: Vec::with_capacity(capacity),
            best: best as i64,
            indent: -1,
            column: 0,
            whitespace: true,
            indention: true,
            foot_indent: -1,
        }
    }

    /// The current column, in characters.
    pub fn column(&self) -> i64 {
        self.column
    }

    /// One ASCII byte.
    pub fn put(&mut self, b: u8) {
        self.out.push(b);
        self.column += 1;
    }

    /// One character of text (any width), counted as one column.
    pub fn write_char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.out
            .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        self.column += 1;
    }

    /// Text without line breaks.
    pub fn write_text(&mut self, s: &str) {
        if s.is_ascii() {
            self.out.extend_from_slice(s.as_bytes());
            self.column += s.len() as i64;
        } else {
            for c in s.chars() {
                self.write_char(c);
            }
        }
    }

    /// A newline.
    pub fn put_break(&mut self) {
        self.out.push(b'\n');
        self.column = 0;
        self.indention = true;
    }

    /// A line break taken from the text: LF is normalised, the others are kept as they are.
    pub fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.write_char(c);
            self.column = 0;
            self.indention = true;
        }
    }

    /// Moves to the start of a line at the current indentation, breaking the line
    /// unless we are already there (and adding a blank line after a foot comment
    /// written at that same indentation).
    pub fn write_indent(&mut self) {
        let indent = self.indent.max(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        if self.foot_indent == indent {
            self.put_break();
        }
        while self.column < indent {
            self.put(b' ');
        }
        self.whitespace = true;
        self.foot_indent = -1;
    }

    /// An indicator such as `-`, `?`, `:`, `|`, `"`, `---`.
    pub fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(b' ');
        }
        self.write_text(indicator);
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    /// A tag such as `!!merge`: `!!` plus its suffix.
    pub fn write_tag(&mut self, suffix: &str) {
        if !self.whitespace {
            self.put(b' ');
        }
        self.write_text("!!");
        self.write_text(suffix);
        self.whitespace = false;
        self.indention = false;
    }

    /// A comment block: the texts joined the way sops joins them (`#` + lines
    /// joined by `\n#`), each line starting at the current indentation.
    pub fn write_comment(&mut self, lines: &[&str]) {
        let mut breaks = false;
        let mut pound = false;
        for (n, line) in lines.iter().enumerate() {
            if n > 0 {
                self.comment_char('\n', &mut breaks, &mut pound);
            }
            self.comment_char('#', &mut breaks, &mut pound);
            for c in line.chars() {
                self.comment_char(c, &mut breaks, &mut pound);
            }
        }
        if !breaks {
            self.put_break();
        }
        self.whitespace = true;
    }

    fn comment_char(&mut self, c: char, breaks: &mut bool, pound: &mut bool) {
        if is_break(c) {
            self.write_break(c);
            *breaks = true;
            *pound = false;
        } else {
            if *breaks {
                self.write_indent();
            }
            if !*pound {
                if c != '#' {
                    self.put(b'#');
                    self.put(b' ');
                }
                *pound = true;
            }
            self.write_char(c);
            self.indention = false;
            *breaks = false;
        }
    }

    /// go-yaml's indentation step for a nested node (spec §6.1a A); returns the
    /// previous indentation for the caller to restore.
    pub fn increase_indent(&mut self, flow: bool, in_sequence_item: bool) -> i64 {
        let saved = self.indent;
        if self.indent < 0 {
            self.indent = if flow { self.best } else { 0 };
        } else if in_sequence_item {
            self.indent += 2;
        } else {
            self.indent = self.best * ((self.indent + self.best) / self.best);
        }
        saved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(w: &Writer) -> &str {
        std::str::from_utf8(&w.out).unwrap()
    }

    #[test]
    fn grid_and_sequence_indentation() {
        let mut w = Writer::new(3, 16);
        assert_eq!(w.increase_indent(false, false), -1);
        assert_eq!(w.indent, 0);
        w.increase_indent(false, false);
        assert_eq!(w.indent, 3);
        w.increase_indent(false, true);
        assert_eq!(w.indent, 5);
        w.increase_indent(false, false);
        assert_eq!(w.indent, 6);
        assert_eq!(Writer::new(10, 0).best, 2);
        assert_eq!(Writer::new(1, 0).best, 2);
    }

    #[test]
    fn indent_breaks_only_when_needed() {
        let mut w = Writer::new(4, 16);
        w.indent = 0;
        w.write_indent();
        assert_eq!(text(&w), "");
        w.write_text("k");
        w.whitespace = false;
        w.indention = false;
        w.indent = 4;
        w.write_indent();
        assert_eq!(text(&w), "k\n    ");
    }

    #[test]
    fn comments_get_a_pound_and_blank_line_after_foot() {
        let mut w = Writer::new(4, 16);
        w.indent = 0;
        w.write_indent();
        w.write_comment(&[" a", "b\nc"]);
        assert_eq!(text(&w), "# a\n#b\n# c\n");
        w.foot_indent = 0;
        w.write_indent();
        assert_eq!(text(&w), "# a\n#b\n# c\n\n");
    }

    #[test]
    fn columns_count_characters() {
        let mut w = Writer::new(2, 16);
        w.write_text("éé");
        assert_eq!(w.column(), 2);
        w.write_break('\u{2028}');
        assert_eq!(w.column(), 0);
        assert!(w.indention);
    }
}
