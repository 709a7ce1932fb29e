//! A fast producer of granit-parser's exact `(Event, Span)` stream for the block subset of YAML that sops files are made of (granit's general scanner dominated load time on big files); anything else returns `None` and is parsed by granit from the start.
//!
//! The scanner mirrors granit's token rules (indent stack, simple keys, where block ends,
//! entries and comments fall) and the parser mirrors its block states (including how
//! comments are ordered around empty scalars), so both give the same events and spans.
//! Flow collections, anchors, aliases, tags, directives, explicit keys, several documents,
//! multi-line plain or quoted scalars, tabs, CR and anything that granit would reject
//! are left to granit, which then also produces the error message.

use std::borrow::Cow;
use std::collections::VecDeque;

use granit_parser::{Event, Marker, Placement, ScalarStyle, Span, StructureStyle};

/// go-yaml allows this much nesting; deeper files go to granit, which enforces its limit.
const MAX_DEPTH: usize = 1000;
/// granit stops considering a scalar as a simple key after this many characters.
const SIMPLE_KEY_LOOKAHEAD: usize = 1024;

/// The events of `src` as granit gives them, as long as the input stays within the subset
/// this module handles (`None` if its characters already rule it out). The stream is
/// produced as it is scanned: an `Err` item means the input needs granit after all, so
/// whatever was built from the earlier items must be discarded.
pub(super) fn events(src: &str) -> Option<FastEvents<'_>> {
    Some(FastEvents {
        src,
        parser: BlockParser::new(Scanner::new(src)?),
    })
}

/// The input is outside the fast path's subset (or invalid): read it with granit.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Unsupported;

/// A source position: granit's marker fields (character index, line, column, byte offset).
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct Pos {
    byte: u32,
    chars: u32,
    line: u32,
    col: u32,
}

impl Pos {
    fn marker(self) -> Marker {
        Marker::new(self.chars as usize, self.line as usize, self.col as usize)
            .with_byte_offset(Some(self.byte as usize))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    StreamStart,
    StreamEnd,
    DocStart,
    MapStart,
    SeqStart,
    BlockEnd,
    Entry,
    Key,
    Value,
    Scalar,
    Comment,
    /// `{}` and `[]` (empty flow collections are all the flow syntax handled here).
    FlowMapStart,
    FlowMapEnd,
    FlowSeqStart,
    FlowSeqEnd,
}

/// Where a scalar's value is: a slice of the source, or an owned string (escapes, block scalars).
#[derive(Clone, Copy, Debug)]
enum Val {
    None,
    Slice(u32, u32),
    Owned(u32),
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    kind: Kind,
    style: ScalarStyle,
    /// A same-line comment (granit's `Placement::Right` before refinement).
    right: bool,
    /// Block scalars' indentation hint.
    hint: Option<u32>,
    start: Pos,
    end: Pos,
    val: Val,
}

impl Tok {
    fn new(kind: Kind, start: Pos, end: Pos) -> Self {
        Tok {
            kind,
            style: ScalarStyle::Plain,
            right: false,
            hint: None,
            start,
            end,
            val: Val::None,
        }
    }
}

/// The tokens scanned but not yet parsed, addressed by their index in the whole stream
/// (simple keys insert their tokens back at a recorded index).
struct Queue {
    toks: VecDeque<Tok>,
    /// Stream index of the first queued token.
    base: usize,
}

impl Queue {
    /// The stream index the next pushed token gets.
    fn len(&self) -> usize {
        self.base + self.toks.len()
    }
    fn push(&mut self, tok: Tok) {
        self.toks.push_back(tok);
    }
    fn pop(&mut self) -> Option<Tok> {
        self.toks.pop_back()
    }
    fn insert(&mut self, at: usize, tok: Tok) -> Option<()> {
        let i = at.checked_sub(self.base)?;
        if i > self.toks.len() {
            return None;
        }
        self.toks.insert(i, tok);
        Some(())
    }
    fn get(&self, at: usize) -> Option<&Tok> {
        self.toks.get(at.checked_sub(self.base)?)
    }
}

#[derive(Clone, Copy, Default)]
struct SimpleKey {
    possible: bool,
    required: bool,
    mark: Pos,
    tok: usize,
}

struct Scanner<'s> {
    b: &'s [u8],
    src: &'s str,
    ascii: bool,
    pos: usize,
    chars: usize,
    line: usize,
    line_start_chars: usize,
    toks: Queue,
    strings: Vec<String>,
    indent: isize,
    /// (previous indent, whether it ends a block).
    indents: Vec<(isize, bool)>,
    sk: SimpleKey,
    sk_allowed: bool,
    leading_ws: bool,
    /// Line of a plain scalar cut by a same-line comment.
    interrupted: Option<usize>,
    /// Line of an explicit `---`.
    doc_start_line: Option<usize>,
    /// Whether a token other than a comment was scanned.
    content: bool,
    ended: bool,
    /// The input left the subset: no more tokens.
    failed: bool,
}

fn blank_or_breakz(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | 0)
}

impl<'s> Scanner<'s> {
    fn new(src: &'s str) -> Option<Self> {
        if src.len() >= u32::MAX as usize / 2 || !supported_chars(src) {
            return None;
        }
        let mut s = Scanner {
            b: src.as_bytes(),
            src,
            ascii: src.is_ascii(),
            pos: 0,
            chars: 0,
            line: 1,
            line_start_chars: 0,
            toks: Queue {
                toks: VecDeque::new(),
                base: 0,
            },
            strings: Vec::new(),
            indent: -1,
            indents: Vec::new(),
            sk: SimpleKey::default(),
            sk_allowed: true,
            leading_ws: true,
            interrupted: None,
            doc_start_line: None,
            content: false,
            ended: false,
            failed: false,
        };
        let start = s.here();
        s.toks.push(Tok::new(Kind::StreamStart, start, start));
        Some(s)
    }

    fn peek(&self, n: usize) -> u8 {
        self.b.get(self.pos + n).copied().unwrap_or(0)
    }

    fn here(&self) -> Pos {
        // Lengths were checked to fit.
        Pos {
            byte: self.pos as u32,
            chars: self.chars as u32,
            line: self.line as u32,
            col: (self.chars - self.line_start_chars) as u32,
        }
    }

    fn col(&self) -> usize {
        self.chars - self.line_start_chars
    }

    /// Moves over bytes that hold no line break.
    fn adv_to(&mut self, to: usize) {
        if self.ascii {
            self.chars += to - self.pos;
        } else {
            self.chars += self
                .b
                .get(self.pos..to)
                .map_or(0, |run| run.iter().filter(|&&c| c & 0xC0 != 0x80).count());
        }
        self.pos = to;
    }

    fn adv_token(&mut self, n: usize) {
        self.adv_to(self.pos + n);
        self.leading_ws = false;
    }

    fn newline(&mut self) {
        self.pos += 1;
        self.chars += 1;
        self.line += 1;
        self.line_start_chars = self.chars;
        self.leading_ws = true;
    }

    fn line_end(&self) -> usize {
        let rest = self.b.get(self.pos..).unwrap_or_default();
        self.pos + find_byte(rest, 0, |w| has_byte(w, b'\n'), |c| c == b'\n')
    }

    /// Scans the next token (and the comments before it); after the end or a failure, `None`.
    fn fetch(&mut self) -> Option<()> {
        if self.ended || self.failed {
            return None;
        }
        let fetched = self.fetch_token();
        self.failed = fetched.is_none();
        fetched
    }

    fn fetch_token(&mut self) -> Option<()> {
        {
            loop {
                match self.peek(0) {
                    b' ' => self.adv_to(self.pos + 1),
                    b'\n' => {
                        self.newline();
                        self.sk_allowed = true;
                    }
                    b'#' => self.comment(),
                    _ => break,
                }
            }
            if let Some(line) = self.interrupted.take()
                && self.line == line + 1
                && self.col() as isize > self.indent
                && self.pos < self.b.len()
            {
                return None;
            }
            self.stale_simple_key()?;
            self.unroll_indent(self.col() as isize);
            if self.pos >= self.b.len() {
                if self.sk.possible && self.sk.required {
                    return None;
                }
                self.sk.possible = false;
                self.unroll_indent(-1);
                let here = self.here();
                self.toks.push(Tok::new(Kind::StreamEnd, here, here));
                self.ended = true;
                return Some(());
            }
            if self.doc_start_line == Some(self.line) {
                return None;
            }
            let c = self.peek(0);
            let nc = self.peek(1);
            if self.col() == 0
                && (c == b'%'
                    || (matches!(c, b'-' | b'.')
                        && self.peek(1) == c
                        && self.peek(2) == c
                        && blank_or_breakz(self.peek(3))))
            {
                return self.document_start();
            }
            self.content = true;
            match c {
                b'-' if blank_or_breakz(nc) => self.block_entry()?,
                b':' if blank_or_breakz(nc) => self.value()?,
                b'|' | b'>' => self.block_scalar(c == b'|')?,
                b'\'' | b'"' => self.quoted(c == b'\'')?,
                b'{' if nc == b'}' => self.empty_flow(Kind::FlowMapStart, Kind::FlowMapEnd)?,
                b'[' if nc == b']' => self.empty_flow(Kind::FlowSeqStart, Kind::FlowSeqEnd)?,
                b'?' if blank_or_breakz(nc) => return None,
                b'[' | b'{' | b']' | b'}' | b',' | b'*' | b'&' | b'!' | b'%' | b'@' | b'`' => {
                    return None;
                }
                _ => self.plain()?,
            }
        }
        Some(())
    }

    /// A comment token at `#`, up to the end of the line (the break is not consumed).
    fn comment(&mut self) {
        let start = self.here();
        let end = self.line_end();
        self.adv_to(end);
        let mut tok = Tok::new(Kind::Comment, start, self.here());
        tok.right = !self.leading_ws;
        self.toks.push(tok);
    }

    fn document_start(&mut self) -> Option<()> {
        // Only one leading `---`; directives, `...` and later documents go to granit.
        if self.peek(0) != b'-' || self.content || self.doc_start_line.is_some() {
            return None;
        }
        self.remove_simple_key()?;
        self.sk_allowed = false;
        let start = self.here();
        self.adv_token(3);
        self.toks.push(Tok::new(Kind::DocStart, start, self.here()));
        self.doc_start_line = Some(self.line);
        Some(())
    }

    fn stale_simple_key(&mut self) -> Option<()> {
        let sk = &mut self.sk;
        if sk.possible
            && ((sk.mark.line as usize) < self.line
                || self.chars.saturating_sub(sk.mark.chars as usize) > SIMPLE_KEY_LOOKAHEAD)
        {
            if sk.required {
                return None;
            }
            sk.possible = false;
        }
        Some(())
    }

    fn unroll_indent(&mut self, col: isize) {
        while self.indent > col {
            let Some((prev, block)) = self.indents.pop() else {
                return;
            };
            self.indent = prev;
            if block {
                let here = self.here();
                self.toks.push(Tok::new(Kind::BlockEnd, here, here));
            }
        }
    }

    fn roll_indent(&mut self, col: usize, at: Option<usize>, kind: Kind, mark: Pos) -> Option<()> {
        let col = col as isize;
        if self.indent <= col
            && let Some(&(prev, false)) = self.indents.last()
        {
            self.indent = prev;
            self.indents.pop();
        }
        if self.indent < col {
            if self.indents.len() >= MAX_DEPTH {
                return None;
            }
            self.indents.push((self.indent, true));
            self.indent = col;
            let tok = Tok::new(kind, mark, mark);
            match at {
                Some(i) => self.toks.insert(i, tok)?,
                None => self.toks.push(tok),
            }
        }
        Some(())
    }

    fn roll_one_col_indent(&mut self) {
        if self.indents.last().is_some_and(|i| i.1) {
            self.indents.push((self.indent, false));
            self.indent += 1;
        }
    }

    fn unroll_non_block_indents(&mut self) {
        while let Some(&(prev, false)) = self.indents.last() {
            self.indent = prev;
            self.indents.pop();
        }
    }

    fn save_simple_key(&mut self) {
        if self.sk_allowed {
            let required =
                self.indent == self.col() as isize && self.indents.last().is_some_and(|i| i.1);
            self.sk = SimpleKey {
                possible: true,
                required,
                mark: self.here(),
                tok: self.toks.len(),
            };
        }
    }

    fn remove_simple_key(&mut self) -> Option<()> {
        if self.sk.possible && self.sk.required {
            return None;
        }
        self.sk.possible = false;
        Some(())
    }

    /// Spaces to the end of the line and a comment there (granit's `skip_ws_to_eol`).
    fn spaces_and_comment(&mut self) -> Option<()> {
        let from = self.pos;
        while self.peek(0) == b' ' {
            self.adv_to(self.pos + 1);
        }
        if self.peek(0) == b'#' {
            if self.pos == from {
                return None;
            }
            self.comment();
        }
        Some(())
    }

    fn block_entry(&mut self) -> Option<()> {
        if !self.sk_allowed {
            return None;
        }
        let mark = self.here();
        self.adv_token(1);
        self.roll_indent(mark.col as usize, None, Kind::SeqStart, mark)?;
        let at = self.toks.len();
        self.spaces_and_comment()?;
        if self.peek(0) == b'\n' {
            self.roll_one_col_indent();
        }
        self.remove_simple_key()?;
        self.sk_allowed = true;
        let here = self.here();
        self.toks.insert(at, Tok::new(Kind::Entry, here, here))?;
        Some(())
    }

    fn value(&mut self) -> Option<()> {
        let start = self.here();
        self.adv_token(1);
        let mut trailing = None;
        if self.peek(0) == b' ' {
            let before = self.toks.len();
            self.spaces_and_comment()?;
            if self.toks.len() > before {
                trailing = self.toks.pop();
            }
        }
        // A `:` without a simple key before it (explicit or complex keys) goes to granit.
        if !self.sk.possible {
            return None;
        }
        let sk = self.sk;
        // Keys other than plain or quoted scalars (collections, block scalars) go to granit.
        let key = self.toks.get(sk.tok)?;
        if key.kind != Kind::Scalar
            || matches!(key.style, ScalarStyle::Literal | ScalarStyle::Folded)
        {
            return None;
        }
        self.toks
            .insert(sk.tok, Tok::new(Kind::Key, sk.mark, sk.mark))?;
        self.roll_indent(sk.mark.col as usize, Some(sk.tok), Kind::MapStart, sk.mark)?;
        self.roll_one_col_indent();
        self.sk.possible = false;
        self.sk_allowed = false;
        self.toks.push(Tok::new(Kind::Value, start, start));
        if let Some(t) = trailing {
            self.toks.push(t);
        }
        Some(())
    }

    /// A plain scalar on one line (a continuation line goes to granit).
    fn plain(&mut self) -> Option<()> {
        self.save_simple_key();
        self.sk_allowed = false;
        self.unroll_non_block_indents();
        let min_col = self.indent + 1;
        let start = self.here();
        let mut end = start;
        let mut has_content = false;
        let mut spaces = false;
        loop {
            let c = self.peek(0);
            if c == b'#' {
                if has_content && spaces {
                    self.interrupted = Some(self.line);
                }
                break;
            }
            if self.col() == 0
                && matches!(c, b'-' | b'.')
                && self.peek(1) == c
                && self.peek(2) == c
                && blank_or_breakz(self.peek(3))
            {
                break;
            }
            if !(blank_or_breakz(c) || (c == b':' && blank_or_breakz(self.peek(1)))) {
                if self.leading_ws && has_content {
                    return None;
                }
                self.leading_ws = false;
                has_content = true;
                spaces = false;
                // The first character is content whatever it is; then up to a blank, a
                // break or a `:` before one.
                let rest = self.b.get(self.pos..).unwrap_or_default();
                let mut n = first_char_len(rest);
                loop {
                    n = find_byte(
                        rest,
                        n,
                        |w| has_byte(w, b' ') | has_byte(w, b'\n') | has_byte(w, b':'),
                        |c| matches!(c, b' ' | b'\n' | b':'),
                    );
                    match rest.get(n) {
                        Some(b':') if !blank_or_breakz(rest.get(n + 1).copied().unwrap_or(0)) => {
                            n += 1;
                        }
                        _ => break,
                    }
                }
                self.adv_to(self.pos + n);
                end = self.here();
            }
            if !matches!(self.peek(0), b' ' | b'\n') {
                break;
            }
            loop {
                match self.peek(0) {
                    b' ' => {
                        if !self.leading_ws {
                            spaces = true;
                        }
                        self.adv_to(self.pos + 1);
                    }
                    b'\n' => {
                        spaces = false;
                        self.newline();
                    }
                    _ => break,
                }
            }
            if (self.col() as isize) < min_col {
                break;
            }
        }
        if self.leading_ws {
            self.sk_allowed = true;
        }
        if !has_content {
            return None;
        }
        let mut tok = Tok::new(Kind::Scalar, start, end);
        tok.val = Val::Slice(start.byte, end.byte);
        self.toks.push(tok);
        Some(())
    }

    /// `{}` or `[]`: granit's tokens for an empty flow collection.
    fn empty_flow(&mut self, open: Kind, close: Kind) -> Option<()> {
        self.save_simple_key();
        let start = self.here();
        self.roll_one_col_indent();
        self.adv_token(1);
        let middle = self.here();
        self.toks.push(Tok::new(open, start, middle));
        self.adv_token(1);
        let end = self.here();
        self.sk_allowed = false;
        let at = self.toks.len();
        self.spaces_and_comment()?;
        self.toks.insert(at, Tok::new(close, middle, end))?;
        Some(())
    }

    /// A single- or double-quoted scalar on one line.
    fn quoted(&mut self, single: bool) -> Option<()> {
        self.save_simple_key();
        self.sk_allowed = false;
        let start = self.here();
        self.adv_token(1);
        let from = self.pos;
        let quote = if single { b'\'' } else { b'"' };
        let mut owned: Option<String> = None;
        loop {
            let rest = self.b.get(self.pos..).unwrap_or_default();
            let run = rest
                .iter()
                .position(|&c| c == quote || c == b'\n' || (!single && c == b'\\'))?;
            if let Some(s) = owned.as_mut() {
                s.push_str(self.src.get(self.pos..self.pos + run)?);
            }
            self.adv_to(self.pos + run);
            match (self.peek(0), self.peek(1)) {
                (b'\'', b'\'') if single => {
                    let s = owned.get_or_insert_with(|| {
                        self.src.get(from..self.pos).unwrap_or_default().to_string()
                    });
                    s.push('\'');
                    self.adv_to(self.pos + 2);
                }
                (c, _) if c == quote => break,
                (b'\\', _) => {
                    let (ch, len) = escape(self.b.get(self.pos..).unwrap_or_default())?;
                    let s = owned.get_or_insert_with(|| {
                        self.src.get(from..self.pos).unwrap_or_default().to_string()
                    });
                    s.push(ch);
                    self.adv_to(self.pos + len);
                }
                _ => return None,
            }
        }
        let val = match owned {
            Some(s) => {
                self.strings.push(s);
                Val::Owned(self.strings.len() as u32 - 1)
            }
            None => Val::Slice(from as u32, self.pos as u32),
        };
        self.adv_token(1);
        let mut tok = Tok::new(Kind::Scalar, start, self.here());
        tok.style = if single {
            ScalarStyle::SingleQuoted
        } else {
            ScalarStyle::DoubleQuoted
        };
        tok.val = val;
        let at = self.toks.len();
        // Only a comment, a line break or the `:` of a key may follow on the line.
        self.spaces_and_comment()?;
        if !matches!(self.peek(0), b'\n' | 0 | b':') {
            return None;
        }
        self.toks.insert(at, tok)?;
        Some(())
    }

    /// A literal or folded block scalar without an indentation indicator.
    fn block_scalar(&mut self, literal: bool) -> Option<()> {
        // A document that is one block scalar (its indentation rules differ) goes to granit.
        if self.indent < 0 {
            return None;
        }
        self.save_simple_key();
        self.sk_allowed = true;
        let at = self.toks.len();
        self.adv_token(1);
        self.unroll_non_block_indents();
        #[derive(PartialEq)]
        enum Chomp {
            Clip,
            Keep,
            Strip,
        }
        let chomp = match self.peek(0) {
            b'+' => Chomp::Keep,
            b'-' => Chomp::Strip,
            _ => Chomp::Clip,
        };
        if chomp != Chomp::Clip {
            self.adv_token(1);
        }
        if self.peek(0).is_ascii_digit() {
            return None;
        }
        self.spaces_and_comment()?;
        match self.peek(0) {
            b'\n' => self.newline(),
            _ => return None,
        }
        // The indentation: the deepest of the leading blank lines, at least one more than
        // the parent's.
        let mut max_indent = 0;
        let mut breaks = 0usize;
        loop {
            while self.peek(0) == b' ' {
                self.adv_to(self.pos + 1);
            }
            max_indent = max_indent.max(self.col());
            if self.peek(0) == b'\n' {
                self.newline();
                breaks += 1;
            } else {
                break;
            }
        }
        let indent = max_indent.max((self.indent + 1).max(0) as usize);
        if self.pos >= self.b.len() {
            return None;
        }
        if self.col() < indent && (self.col() as isize) > self.indent {
            return None;
        }
        let start = self.here();
        let mut out = String::new();
        let mut leading_break = false;
        let mut leading_blank = false;
        while self.col() == indent && self.pos < self.b.len() {
            let trailing_blank = self.peek(0) == b' ';
            if !literal && leading_break && !leading_blank && !trailing_blank {
                out.extend(std::iter::repeat_n('\n', breaks));
                if breaks == 0 {
                    out.push(' ');
                }
            } else {
                if leading_break {
                    out.push('\n');
                }
                out.extend(std::iter::repeat_n('\n', breaks));
            }
            leading_break = false;
            breaks = 0;
            leading_blank = self.peek(0) == b' ';
            let end = self.line_end();
            out.push_str(self.src.get(self.pos..end)?);
            self.adv_to(end);
            if self.pos >= self.b.len() {
                break;
            }
            self.newline();
            leading_break = true;
            loop {
                while self.col() < indent && self.peek(0) == b' ' {
                    self.adv_to(self.pos + 1);
                }
                if self.peek(0) == b'\n' {
                    self.newline();
                    breaks += 1;
                } else {
                    break;
                }
            }
        }
        if chomp != Chomp::Strip && leading_break {
            out.push('\n');
        }
        if chomp == Chomp::Keep {
            out.extend(std::iter::repeat_n('\n', breaks));
        }
        let mut tok = Tok::new(Kind::Scalar, start, self.here());
        tok.style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        if !out.trim().is_empty() {
            tok.hint = Some(indent as u32);
        }
        self.strings.push(out);
        tok.val = Val::Owned(self.strings.len() as u32 - 1);
        self.toks.insert(at, tok)?;
        Some(())
    }
}

/// Whether any byte of the 8-byte word `w` is `b` (the classic SWAR zero-byte test).
fn has_byte(w: u64, b: u8) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let x = w ^ (LO * u64::from(b));
    x.wrapping_sub(LO) & !x & HI != 0
}

/// The index of the first byte of `bytes` from `from` on that `hit` accepts (or the length);
/// `word` tells whether an 8-byte word may hold one, so long runs go 8 bytes at a time.
fn find_byte(
    bytes: &[u8],
    mut from: usize,
    word: impl Fn(u64) -> bool,
    hit: impl Fn(u8) -> bool,
) -> usize {
    while let Some(chunk) = bytes.get(from..from + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        if word(u64::from_le_bytes(w)) {
            break;
        }
        from += 8;
    }
    while let Some(&c) = bytes.get(from) {
        if hit(c) {
            return from;
        }
        from += 1;
    }
    bytes.len()
}

/// The byte length of the first character of `rest` (at least one byte).
fn first_char_len(rest: &[u8]) -> usize {
    match rest.first() {
        Some(&c) if c >= 0xF0 => 4,
        Some(&c) if c >= 0xE0 => 3,
        Some(&c) if c >= 0xC0 => 2,
        _ => 1,
    }
}

/// A double-quoted escape at `rest` (starting with `\`): the character and its length.
fn escape(rest: &[u8]) -> Option<(char, usize)> {
    let simple = match rest.get(1)? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{A0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => return hex_escape(rest, 2),
        b'u' => return hex_escape(rest, 4),
        b'U' => return hex_escape(rest, 8),
        _ => return None,
    };
    Some((simple, 2))
}

fn hex_escape(rest: &[u8], n: usize) -> Option<(char, usize)> {
    let digits = std::str::from_utf8(rest.get(2..2 + n)?).ok()?;
    if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let value = u32::from_str_radix(digits, 16).ok()?;
    // Surrogates (paired or not) are left to granit.
    if (0xD800..=0xDFFF).contains(&value) {
        return None;
    }
    Some((char::from_u32(value)?, 2 + n))
}

/// Whether every character is one the fast scanner treats like granit: no tabs, CRs,
/// controls, byte order marks or characters granit or go-yaml treat as line breaks.
fn supported_chars(src: &str) -> bool {
    // Branch-free flags per block so the loop vectorises: bit 0 = a control character
    // other than a line feed (tab, CR, ...), bit 1 = a non-ASCII byte.
    let flags = src.as_bytes().chunks(64).fold(0u8, |acc, block| {
        acc | block.iter().fold(0u8, |f, &c| {
            let control = ((c < 0x20) & (c != b'\n')) | (c == 0x7F);
            f | u8::from(control) | (u8::from(c >= 0x80) << 1)
        })
    });
    flags & 1 == 0
        && (flags == 0
            || src.chars().all(|c| {
                matches!(c,
                    '\n' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{2027}' | '\u{202A}'..='\u{D7FF}'
                    | '\u{E000}'..='\u{FEFE}' | '\u{FF00}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
            }))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ev {
    StreamStart,
    StreamEnd,
    DocStart(bool),
    DocEnd,
    /// A mapping start; `true` for flow style.
    MapStart(bool),
    SeqStart(bool),
    MapEnd,
    SeqEnd,
    /// The scalar of token `tok`.
    Scalar,
    /// granit's empty (null) scalar.
    Empty,
    Comment(Placement),
}

#[derive(Clone, Copy, Debug)]
struct Desc {
    ev: Ev,
    style: ScalarStyle,
    val: Val,
    start: Pos,
    end: Pos,
    indent: Option<u32>,
}

impl Desc {
    fn at(ev: Ev, start: Pos, end: Pos) -> Self {
        Desc {
            ev,
            style: ScalarStyle::Plain,
            val: Val::None,
            start,
            end,
            indent: None,
        }
    }
    fn is_node(&self) -> bool {
        matches!(
            self.ev,
            Ev::Scalar | Ev::Empty | Ev::MapStart(_) | Ev::SeqStart(_)
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum St {
    StreamStart,
    ImplicitDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    BlockNode,
    BlockNodeOrIndentlessSequence,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingKeyNode,
    BlockMappingValue,
    BlockMappingValueNode,
    BlockSequenceFirstEntry,
    BlockSequenceEntry,
    BlockSequenceEntryNode,
    IndentlessSequenceEntry,
    IndentlessSequenceEntryNode,
    /// Inside `{}` or `[]`: the closing token comes next.
    FlowClose,
    End,
}

/// granit's parser states for block collections, pulling tokens from the scanner.
struct BlockParser<'s> {
    scan: Scanner<'s>,
    state: St,
    states: Vec<St>,
    queue: VecDeque<Desc>,
    pending_key_indent: Option<u32>,
    pending_empty: Option<(Pos, Pos)>,
    last_end: Option<Pos>,
    done: bool,
}

type Step = Option<Desc>;

impl<'s> BlockParser<'s> {
    fn new(scan: Scanner<'s>) -> Self {
        BlockParser {
            scan,
            state: St::StreamStart,
            states: Vec::new(),
            queue: VecDeque::new(),
            pending_key_indent: None,
            pending_empty: None,
            last_end: None,
            done: false,
        }
    }

    /// Whether the first queued token is final: it exists and no key can still be inserted
    /// before it (granit scans on in that case too).
    #[inline]
    fn ready(&self) -> bool {
        let q = &self.scan.toks;
        !(q.toks.is_empty() || (self.scan.sk.possible && self.scan.sk.tok == q.base))
    }

    #[inline(never)]
    fn fill(&mut self) -> Option<()> {
        while !self.ready() {
            self.scan.fetch()?;
        }
        Some(())
    }

    /// The next token.
    #[inline]
    fn peek(&mut self) -> Option<Tok> {
        if !self.ready() {
            self.fill()?;
        }
        self.scan.toks.toks.front().copied()
    }

    fn advance(&mut self) {
        if self.scan.toks.toks.pop_front().is_some() {
            self.scan.toks.base += 1;
        }
    }

    #[inline]
    fn peek_kind(&mut self) -> Option<Kind> {
        if !self.ready() {
            self.fill()?;
        }
        self.scan.toks.toks.front().map(|t| t.kind)
    }

    fn tok_desc(&mut self, ev: Ev) -> Step {
        let t = self.peek()?;
        Some(Desc {
            ev,
            style: t.style,
            val: t.val,
            start: t.start,
            end: t.end,
            indent: if ev == Ev::Scalar { t.hint } else { None },
        })
    }

    /// The next event, or `None` when granit would report an error here.
    fn next(&mut self) -> Step {
        if self.done {
            return None;
        }
        let desc = if let Some(d) = self.queue.pop_front() {
            self.key_indent(d)
        } else if self.state != St::End && self.peek_kind() == Some(Kind::Comment) {
            self.comment()?
        } else {
            let d = self.state_machine()?;
            self.key_indent(d)
        };
        if !matches!(desc.ev, Ev::Comment(_)) {
            self.last_end = Some(desc.end);
        }
        if desc.ev == Ev::StreamEnd {
            self.done = true;
        }
        Some(desc)
    }

    fn key_indent(&mut self, mut d: Desc) -> Desc {
        if d.is_node()
            && let Some(indent) = self.pending_key_indent.take()
        {
            d.indent = Some(indent);
        }
        d
    }

    fn comment(&mut self) -> Step {
        let t = self.peek()?;
        self.advance();
        let placement = if t.right {
            Placement::Right
        } else {
            let next = self.peek()?;
            if next.kind == Kind::StreamEnd {
                Placement::Last
            } else if next.start.line == t.end.line + 1 {
                Placement::Above
            } else {
                Placement::Free
            }
        };
        Some(Desc::at(Ev::Comment(placement), t.start, t.end))
    }

    fn comments(&mut self) -> Option<Vec<Desc>> {
        let mut out = Vec::new();
        while self.peek_kind() == Some(Kind::Comment) {
            out.push(self.comment()?);
        }
        Some(out)
    }

    fn queue_by_span(&mut self, mut comments: Vec<Desc>, events: &[Desc]) -> Step {
        let first = events.first()?;
        let at = comments
            .iter()
            .position(|c| c.start.chars >= first.start.chars && c.end.chars >= first.end.chars)
            .unwrap_or(comments.len());
        for (k, e) in events.iter().enumerate() {
            comments.insert(at + k, *e);
        }
        self.queue_all_but_first(comments)
    }

    fn queue_all_but_first(&mut self, events: Vec<Desc>) -> Step {
        let mut it = events.into_iter();
        let first = it.next()?;
        self.queue.extend(it);
        Some(first)
    }

    fn pop_state(&mut self) -> Option<()> {
        self.state = self.states.pop()?;
        Some(())
    }

    fn state_machine(&mut self) -> Step {
        match self.state {
            St::StreamStart => {
                if self.peek_kind()? != Kind::StreamStart {
                    return None;
                }
                let d = self.tok_desc(Ev::StreamStart)?;
                self.advance();
                self.state = St::ImplicitDocumentStart;
                Some(d)
            }
            St::ImplicitDocumentStart => self.document_start(true),
            St::DocumentStart => self.document_start(false),
            St::DocumentContent => match self.peek_kind()? {
                Kind::StreamEnd | Kind::DocStart => {
                    self.pop_state()?;
                    let t = self.peek()?.start;
                    let at = self.last_end.unwrap_or(t);
                    Some(Desc::at(Ev::Empty, at, at))
                }
                _ => {
                    self.state = St::BlockNode;
                    self.parse_node(true, false)
                }
            },
            St::DocumentEnd => {
                let t = self.peek()?;
                if t.kind != Kind::StreamEnd {
                    return None;
                }
                let at = self.last_end.unwrap_or(t.start);
                self.state = St::DocumentStart;
                Some(Desc::at(Ev::DocEnd, at, at))
            }
            St::BlockNode => self.parse_node(true, false),
            St::BlockNodeOrIndentlessSequence => self.parse_node(true, true),
            St::BlockMappingFirstKey | St::BlockMappingKey => self.block_mapping_key(),
            St::BlockMappingKeyNode => self.block_mapping_key_node(),
            St::BlockMappingValue => self.block_mapping_value(),
            St::BlockMappingValueNode => {
                let mark = self.pending_empty.take()?;
                self.block_mapping_value_node(mark)
            }
            St::BlockSequenceFirstEntry | St::BlockSequenceEntry => self.block_sequence_entry(),
            St::BlockSequenceEntryNode => {
                let mark = self.pending_empty.take()?;
                self.block_sequence_entry_node(mark)
            }
            St::IndentlessSequenceEntry => self.indentless_sequence_entry(),
            St::IndentlessSequenceEntryNode => {
                let mark = self.pending_empty.take()?;
                self.indentless_sequence_entry_node(mark)
            }
            St::FlowClose => {
                let ev = match self.peek_kind()? {
                    Kind::FlowMapEnd => Ev::MapEnd,
                    Kind::FlowSeqEnd => Ev::SeqEnd,
                    _ => return None,
                };
                let d = self.tok_desc(ev)?;
                self.advance();
                self.pop_state()?;
                Some(d)
            }
            St::End => None,
        }
    }

    fn document_start(&mut self, implicit: bool) -> Step {
        match self.peek_kind()? {
            Kind::StreamEnd => {
                let d = self.tok_desc(Ev::StreamEnd)?;
                self.advance();
                self.state = St::End;
                Some(d)
            }
            Kind::DocStart => {
                let d = self.tok_desc(Ev::DocStart(true))?;
                self.advance();
                self.states.push(St::DocumentEnd);
                self.state = St::DocumentContent;
                Some(d)
            }
            _ if implicit => {
                let d = self.tok_desc(Ev::DocStart(false))?;
                self.states.push(St::DocumentEnd);
                self.state = St::BlockNode;
                Some(d)
            }
            _ => None,
        }
    }

    fn defer_parse_node(&mut self, node: St, ret: St, indentless: bool) -> Step {
        self.states.push(ret);
        self.state = node;
        if self.peek_kind() == Some(Kind::Comment) {
            return self.comment();
        }
        self.parse_node(true, indentless)
    }

    fn parse_node(&mut self, block: bool, indentless: bool) -> Step {
        if self.peek_kind()? == Kind::Comment {
            return self.comment();
        }
        if self.states.len() >= MAX_DEPTH {
            return None;
        }
        match self.peek_kind()? {
            Kind::Entry if indentless => {
                let t = self.peek()?;
                self.advance();
                let start = Desc::at(Ev::SeqStart(false), t.start, t.end);
                let empty = Desc::at(Ev::Empty, t.start, t.end);
                let comments = self.comments()?;
                if comments.is_empty() {
                    self.pending_empty = Some((t.start, t.end));
                    self.state = St::IndentlessSequenceEntryNode;
                    Some(start)
                } else if matches!(
                    self.peek_kind()?,
                    Kind::Entry | Kind::Key | Kind::Value | Kind::BlockEnd
                ) {
                    self.state = St::IndentlessSequenceEntry;
                    self.queue_by_span(comments, &[start, empty])
                } else {
                    self.pending_empty = Some((t.start, t.end));
                    self.state = St::IndentlessSequenceEntryNode;
                    self.queue_by_span(comments, &[start])
                }
            }
            Kind::Scalar => {
                self.pop_state()?;
                let d = self.tok_desc(Ev::Scalar)?;
                self.advance();
                Some(d)
            }
            Kind::SeqStart if block => {
                let d = self.tok_desc(Ev::SeqStart(false))?;
                self.advance();
                self.state = St::BlockSequenceFirstEntry;
                Some(d)
            }
            Kind::MapStart if block => {
                let d = self.tok_desc(Ev::MapStart(false))?;
                self.advance();
                self.state = St::BlockMappingFirstKey;
                Some(d)
            }
            Kind::FlowMapStart | Kind::FlowSeqStart => {
                let map = self.peek_kind()? == Kind::FlowMapStart;
                let d = self.tok_desc(if map {
                    Ev::MapStart(true)
                } else {
                    Ev::SeqStart(true)
                })?;
                self.advance();
                self.state = St::FlowClose;
                Some(d)
            }
            _ => None,
        }
    }

    fn block_mapping_key(&mut self) -> Step {
        let t = self.peek()?;
        match t.kind {
            Kind::Key => {
                self.pending_key_indent = Some(t.start.col);
                self.advance();
                if self.peek_kind()? == Kind::Comment {
                    self.state = St::BlockMappingKeyNode;
                    return self.comment();
                }
                self.block_mapping_key_node()
            }
            Kind::Value => {
                self.state = St::BlockMappingValue;
                Some(Desc::at(Ev::Empty, t.start, t.start))
            }
            Kind::BlockEnd => {
                self.pop_state()?;
                self.advance();
                Some(Desc::at(Ev::MapEnd, t.start, t.end))
            }
            _ => None,
        }
    }

    fn block_mapping_key_node(&mut self) -> Step {
        let t = self.peek()?;
        if matches!(t.kind, Kind::Key | Kind::Value | Kind::BlockEnd) {
            self.state = St::BlockMappingValue;
            Some(Desc::at(Ev::Empty, t.start, t.start))
        } else {
            self.defer_parse_node(
                St::BlockNodeOrIndentlessSequence,
                St::BlockMappingValue,
                true,
            )
        }
    }

    fn block_mapping_value(&mut self) -> Step {
        let t = self.peek()?;
        if t.kind != Kind::Value {
            self.state = St::BlockMappingKey;
            return Some(Desc::at(Ev::Empty, t.start, t.start));
        }
        self.advance();
        let mark = (t.start, t.end);
        let comments = self.comments()?;
        if !comments.is_empty() {
            if matches!(self.peek_kind()?, Kind::Key | Kind::Value | Kind::BlockEnd) {
                self.state = St::BlockMappingKey;
                return self.queue_by_span(comments, &[Desc::at(Ev::Empty, mark.0, mark.1)]);
            }
            self.pending_empty = Some(mark);
            self.state = St::BlockMappingValueNode;
            return self.queue_all_but_first(comments);
        }
        self.block_mapping_value_node(mark)
    }

    fn block_mapping_value_node(&mut self, mark: (Pos, Pos)) -> Step {
        if matches!(self.peek_kind()?, Kind::Key | Kind::Value | Kind::BlockEnd) {
            self.state = St::BlockMappingKey;
            Some(Desc::at(Ev::Empty, mark.0, mark.1))
        } else {
            self.defer_parse_node(St::BlockNodeOrIndentlessSequence, St::BlockMappingKey, true)
        }
    }

    fn block_sequence_entry(&mut self) -> Step {
        let t = self.peek()?;
        match t.kind {
            Kind::BlockEnd => {
                self.pop_state()?;
                self.advance();
                Some(Desc::at(Ev::SeqEnd, t.start, t.end))
            }
            Kind::Entry => {
                self.advance();
                let mark = (t.start, t.end);
                let comments = self.comments()?;
                if !comments.is_empty() {
                    if matches!(self.peek_kind()?, Kind::Entry | Kind::BlockEnd) {
                        self.state = St::BlockSequenceEntry;
                        return self
                            .queue_by_span(comments, &[Desc::at(Ev::Empty, mark.0, mark.1)]);
                    }
                    self.pending_empty = Some(mark);
                    self.state = St::BlockSequenceEntryNode;
                    return self.queue_all_but_first(comments);
                }
                self.block_sequence_entry_node(mark)
            }
            _ => None,
        }
    }

    fn block_sequence_entry_node(&mut self, mark: (Pos, Pos)) -> Step {
        if matches!(self.peek_kind()?, Kind::Entry | Kind::BlockEnd) {
            self.state = St::BlockSequenceEntry;
            Some(Desc::at(Ev::Empty, mark.0, mark.1))
        } else {
            self.defer_parse_node(St::BlockNode, St::BlockSequenceEntry, false)
        }
    }

    fn indentless_sequence_entry(&mut self) -> Step {
        let t = self.peek()?;
        if t.kind != Kind::Entry {
            self.pop_state()?;
            return Some(Desc::at(Ev::SeqEnd, t.start, t.start));
        }
        self.advance();
        let mark = (t.start, t.end);
        let comments = self.comments()?;
        if !comments.is_empty() {
            if matches!(
                self.peek_kind()?,
                Kind::Entry | Kind::Key | Kind::Value | Kind::BlockEnd
            ) {
                self.state = St::IndentlessSequenceEntry;
                return self.queue_by_span(comments, &[Desc::at(Ev::Empty, mark.0, mark.1)]);
            }
            self.pending_empty = Some(mark);
            self.state = St::IndentlessSequenceEntryNode;
            return self.queue_all_but_first(comments);
        }
        self.indentless_sequence_entry_node(mark)
    }

    fn indentless_sequence_entry_node(&mut self, mark: (Pos, Pos)) -> Step {
        if matches!(
            self.peek_kind()?,
            Kind::Entry | Kind::Key | Kind::Value | Kind::BlockEnd
        ) {
            self.state = St::IndentlessSequenceEntry;
            Some(Desc::at(Ev::Empty, mark.0, mark.1))
        } else {
            self.defer_parse_node(St::BlockNode, St::IndentlessSequenceEntry, false)
        }
    }
}

fn style(flow: bool) -> StructureStyle {
    if flow {
        StructureStyle::Flow
    } else {
        StructureStyle::Block
    }
}

/// The events of a document, in granit's order and with its spans.
pub(super) struct FastEvents<'s> {
    src: &'s str,
    parser: BlockParser<'s>,
}

impl<'s> FastEvents<'s> {
    fn event(&mut self, d: Desc) -> Option<(Event<'s>, Span)> {
        let event = match d.ev {
            Ev::StreamStart => Event::StreamStart,
            Ev::StreamEnd => Event::StreamEnd,
            Ev::DocStart(explicit) => Event::DocumentStart(explicit, None),
            Ev::DocEnd => Event::DocumentEnd,
            Ev::MapStart(flow) => Event::MappingStart(style(flow), 0, None),
            Ev::SeqStart(flow) => Event::SequenceStart(style(flow), 0, None),
            Ev::MapEnd => Event::MappingEnd,
            Ev::SeqEnd => Event::SequenceEnd,
            Ev::Empty => Event::Scalar(Cow::Borrowed("~"), ScalarStyle::Plain, 0, None),
            Ev::Scalar => {
                let value = match d.val {
                    Val::Slice(a, b) => Cow::Borrowed(self.src.get(a as usize..b as usize)?),
                    Val::Owned(k) => Cow::Owned(std::mem::take(
                        self.parser.scan.strings.get_mut(k as usize)?,
                    )),
                    Val::None => return None,
                };
                Event::Scalar(value, d.style, 0, None)
            }
            Ev::Comment(placement) => {
                let text = self
                    .src
                    .get(d.start.byte as usize + 1..d.end.byte as usize)?;
                Event::Comment(Cow::Borrowed(text), placement)
            }
        };
        let span =
            Span::new(d.start.marker(), d.end.marker()).with_indent(d.indent.map(|i| i as usize));
        Some((event, span))
    }
}

impl<'s> Iterator for FastEvents<'s> {
    type Item = Result<(Event<'s>, Span), Unsupported>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.parser.done {
            return None;
        }
        let item = self.parser.next().and_then(|d| self.event(d));
        if item.is_none() {
            self.parser.done = true;
        }
        Some(item.ok_or(Unsupported))
    }
}

#[cfg(test)]
mod tests;
