//! Builds tree branches from YAML events, placing comments where sops's store puts them (spec §6.1 "Comments").
//!
//! sops reads go-yaml's head/line/foot comments off each node and flattens them into comment
//! items *between* entries. go-yaml decides which node a comment belongs to from token
//! positions, indentation and blank lines; rather than port its scanner, this module applies
//! rules measured against the real sops 3.11 (the tests read the AAD sops encrypted each
//! comment with, which names the collection it put the comment in):
//! * a comment on the same line as content goes before the entry that line belongs to
//!   (after an anchor/tag, into the collection that follows; after a flow collection, to
//!   its start; after a lone `-`, before that item);
//! * own-line comments between two nodes are grouped into runs and either end collections
//!   that are closing ("foot") or head the next node — see [`Builder::place_gap`];
//! * a comment before a key's value goes into the value if it is a collection, else
//!   before the key.
//!
//! Collections are built in place (one frame per open collection, entries pushed as soon as
//! their key is read, frames popped only when the next node arrives so late comments can
//! still land in them), so placing a comment is O(1) and nothing is re-scanned.

use std::collections::HashMap;

use granit_parser::{Event, ScalarStyle, Span, Tag};

use super::resolve::{Style, resolve_scalar};
use crate::tree::{Item, Key, Map, Text, Value, text};

/// Which go-yaml strictness applies to the first document.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Strict {
    /// Plain files: sops first decodes document 1 into `map[string]interface{}`, which
    /// rejects duplicate keys at any depth and values whose tag does not fit.
    Full,
    /// Encrypted files: the metadata pass only checks the top-level keys.
    TopLevelKeys,
}

/// What a document's root turned out to be.
enum Root {
    Map(Map),
    /// A sequence at the given line.
    Seq(usize),
    /// A non-null scalar: line, go-yaml tag, source text.
    Scalar(usize, &'static str, String),
    /// `---` alone, `~`: an empty branch (possibly with comments).
    Empty(Map),
}

/// One finished document.
pub struct DocOut {
    root: Root,
    /// The error sops's strict first-document decode reports, if any.
    pub check: Option<String>,
}

impl DocOut {
    /// The error go-yaml gives when decoding a non-mapping first document into `target`.
    pub fn shape_error(&self, target: &str) -> Option<String> {
        let what = match &self.root {
            Root::Map(_) | Root::Empty(_) => return None,
            Root::Seq(line) => format!("line {line}: cannot unmarshal !!seq"),
            Root::Scalar(line, tag, value) => {
                let shown = if value.len() > 10 {
                    let cut = (0..=7)
                        .rev()
                        .find(|i| value.is_char_boundary(*i))
                        .unwrap_or(0);
                    format!("{}...", &value[..cut])
                } else {
                    value.clone()
                };
                format!("line {line}: cannot unmarshal {tag} `{shown}`")
            }
        };
        Some(format!("yaml: unmarshal errors:\n  {what} into {target}"))
    }

    /// The root mapping, if the document is one.
    pub fn root_map(&self) -> Option<&Map> {
        match &self.root {
            Root::Map(m) | Root::Empty(m) => Some(m),
            _ => None,
        }
    }

    /// The branch sops builds from this document, or sops's message for a non-mapping root.
    pub fn into_branch(self) -> Result<Map, String> {
        match self.root {
            Root::Map(m) | Root::Empty(m) => Ok(m),
            Root::Seq(_) => Err("YAML documents that are sequences are not supported".into()),
            Root::Scalar(..) => Err("YAML documents that are values are not supported".into()),
        }
    }
}

enum Content {
    Map(Map),
    List(Vec<Value>),
}

/// Where a finished node goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    Value,
    Key,
}

struct Frame {
    content: Content,
    role: Role,
    /// Column of the entries (first key or dash).
    indent: usize,
    line: usize,
    flow: bool,
    /// A block sequence written at its parent mapping's own column (`key:\n- a`).
    indentless: bool,
    /// The End event was seen; the frame is popped when the next node arrives, so
    /// comments between can still land in it.
    closed: bool,
    end_line: usize,
    anchor: usize,
    /// Index of the most recent entry (map item or list element).
    cur: Option<usize>,
    awaiting_value: bool,
    /// The current key is a plain `<<` (go-yaml's merge key).
    merge: bool,
    /// The last entry is the null of a bare `-` (a block sequence only).
    empty_tail: bool,
    /// A sequence entry starting below its bare `-`.
    below_dash: bool,
    /// Comments for after the first entry, once the second starts (or the collection ends).
    after_first: Vec<Text>,
    check: Option<Box<Check>>,
}

type KeyLines = HashMap<String, Vec<(usize, usize)>>;

/// Strict-decode bookkeeping for one collection of the first document.
#[derive(Default)]
struct Check {
    /// Scalar keys seen: text → (key index, line) of each occurrence.
    keys: Option<KeyLines>,
    key_count: usize,
    dups: Vec<(usize, usize, String)>,
    errors: Vec<String>,
    tag_fail: Option<String>,
}

struct Pending {
    text: String,
    line: usize,
    col: usize,
    trailing: bool,
    dash_only: bool,
    after_props: bool,
    /// The line above is blank.
    blank_before: bool,
    /// The line below is blank.
    blank_after: bool,
    /// Waiting past the null of a bare `-` it came before: go-yaml gives it to the next
    /// entry, or drops it when the sequence ends there.
    carried: bool,
    /// Ended by a blank line after the null of a bare `-`: go-yaml passes it over the
    /// following bare `-` entries to after the next scalar, or to the sequence's parent.
    floating: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    Scalar,
    Collection,
    DocEnd,
}

/// Turns a granit event stream into documents.
pub struct Builder<'s> {
    src: &'s str,
    strict: Strict,
    frames: Vec<Frame>,
    pending: Vec<Pending>,
    /// Comments for the start of the next collection (or the document).
    opening: Vec<Text>,
    /// Line comments for the next collection, after `opening`.
    opening_line: Vec<Text>,
    /// Comments for right after the next list element.
    after_node: Vec<Text>,
    /// The next collection is a sequence entry starting below its bare `-`.
    below_dash: bool,
    /// The scalar being flushed for is the null of a bare `-`.
    next_empty: bool,
    /// Comments below a bare `-`, for just before its scalar.
    before_scalar: Vec<Text>,
    /// Comments for after the next collection's first entry.
    after_first: Vec<Text>,
    anchors: HashMap<usize, (Value, usize)>,
    nodes: usize,
    alias_nodes: usize,
    /// The scalar being placed is a plain `<<`.
    merge_key: bool,
    root: Option<Root>,
    root_check: Option<Check>,
    docs: Vec<DocOut>,
    done: bool,
}

type Step = Result<(), String>;

impl<'s> Builder<'s> {
    /// A builder over `src` (the text the events' spans refer to).
    pub fn new(src: &'s str, strict: Strict) -> Self {
        Builder {
            src,
            strict,
            frames: Vec::new(),
            pending: Vec::new(),
            opening: Vec::new(),
            opening_line: Vec::new(),
            after_node: Vec::new(),
            below_dash: false,
            next_empty: false,
            before_scalar: Vec::new(),
            after_first: Vec::new(),
            anchors: HashMap::new(),
            nodes: 0,
            alias_nodes: 0,
            merge_key: false,
            root: None,
            root_check: None,
            docs: Vec::new(),
            done: false,
        }
    }

    /// Whether the stream has ended.
    pub fn finished(&self) -> bool {
        self.done
    }

    /// The documents completed so far.
    pub fn into_docs(self) -> Vec<DocOut> {
        self.docs
    }

    /// Start line and flow style of the innermost collection still open.
    pub fn open_collection(&self) -> Option<(usize, bool)> {
        self.frames
            .iter()
            .rev()
            .find(|f| !f.closed)
            .map(|f| (f.line, f.flow))
    }

    fn checking(&self) -> bool {
        self.docs.is_empty()
    }

    /// Feeds one event.
    pub fn event(&mut self, event: Event<'_>, span: Span) -> Step {
        let line = span.start.line();
        let col = span.start.col();
        match event {
            Event::StreamStart | Event::Anchor(..) | Event::UnresolvedAlias(_) => Ok(()),
            Event::StreamEnd => {
                self.done = true;
                Ok(())
            }
            Event::DocumentStart(..) => {
                self.frames.clear();
                self.root = None;
                self.root_check = None;
                self.anchors.clear();
                let pending = std::mem::take(&mut self.pending);
                self.opening
                    .extend(pending.into_iter().map(|p| text(p.text)));
                Ok(())
            }
            Event::DocumentEnd => {
                self.flush(Next::DocEnd, line, col)?;
                self.pop_closed()?;
                self.finish_document();
                Ok(())
            }
            Event::Comment(body, _) => {
                self.comment(body.into_owned(), &span);
                Ok(())
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(f) = self.frames.iter_mut().rev().find(|f| !f.closed) {
                    f.closed = true;
                    f.end_line = line;
                }
                Ok(())
            }
            Event::Scalar(value, style, anchor, tag) => {
                let empty = style == ScalarStyle::Plain
                    && anchor == 0
                    && tag.is_none()
                    && value == "~"
                    && self.bare_dash_next(&span);
                let carried = if empty {
                    self.carry(line)
                } else {
                    self.head_item_below_dash(&span, true, true);
                    Vec::new()
                };
                self.next_empty = empty;
                self.flush(Next::Scalar, line, col)?;
                self.next_empty = false;
                self.pop_closed()?;
                if let Some(f) = self.frames.last_mut() {
                    for c in std::mem::take(&mut self.before_scalar) {
                        push_comment(f, c);
                    }
                }
                if empty && let Some(f) = self.frames.last_mut() {
                    let Content::List(l) = &mut f.content else {
                        return Ok(());
                    };
                    l.push(Value::Null);
                    f.cur = Some(l.len() - 1);
                    f.empty_tail = true;
                    self.nodes += 1;
                    self.pending = carried;
                    return Ok(());
                }
                let tag = tag.map(|t| short_tag(&t));
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    _ => Style::Indicated,
                };
                self.nodes += 1;
                let resolved = match resolve_scalar(&value, style, tag.as_deref()) {
                    Ok(v) => v,
                    Err(msg) => {
                        self.tag_failure(msg);
                        Value::Null
                    }
                };
                if anchor != 0 {
                    self.anchors.insert(anchor, (resolved.clone(), 1));
                }
                if self.frames.is_empty() {
                    self.root = Some(match resolved {
                        Value::Null => Root::Empty(Map::new()),
                        other => Root::Scalar(line, go_tag(&other), value.into_owned()),
                    });
                    return Ok(());
                }
                let merge = style == Style::Plain && tag.is_none() && value == "<<";
                self.merge_key = merge;
                self.place(resolved, Some(value.as_ref()), line)
            }
            Event::Alias(id) => {
                self.flush(Next::Scalar, line, col)?;
                self.pop_closed()?;
                let Some((value, count)) = self.anchors.get(&id) else {
                    return Err("yaml: anchor value contains itself".into());
                };
                self.alias_nodes += count;
                if self.alias_nodes > 1_000_000 && self.alias_nodes > 10 * self.nodes {
                    return Err("yaml: document contains excessive aliasing".into());
                }
                let value = value.clone();
                if self.frames.is_empty() {
                    self.root = Some(match value {
                        Value::Map(m) => Root::Map(m),
                        Value::List(_) => Root::Seq(line),
                        Value::Null => Root::Empty(Map::new()),
                        other => Root::Scalar(line, go_tag(&other), String::new()),
                    });
                    return Ok(());
                }
                self.merge_key = false;
                self.place(value, None, line)
            }
            Event::MappingStart(style, anchor, _) | Event::SequenceStart(style, anchor, _) => {
                let is_map = matches!(event, Event::MappingStart(..));
                self.head_item_below_dash(&span, is_map, false);
                let flow = style == granit_parser::StructureStyle::Flow;
                // granit starts an indentless sequence after a comment on its first `-`
                // line; that comment belongs to the first entry, so it waits for it.
                let (first_entry, rest): (Vec<Pending>, Vec<Pending>) =
                    std::mem::take(&mut self.pending)
                        .into_iter()
                        .partition(|c| !is_map && !flow && c.dash_only && c.line == line);
                self.pending = rest;
                self.flush(Next::Collection, line, col)?;
                self.pop_closed()?;
                self.nodes += 1;
                let col = if is_map || flow {
                    col
                } else {
                    dash_column(self.src, &span).unwrap_or(col)
                };
                self.open(is_map, flow, anchor, line, col)?;
                self.pending = first_entry;
                Ok(())
            }
            // Event is non-exhaustive; anything new is presentation metadata.
            _ => Ok(()),
        }
    }

    fn comment(&mut self, body: String, span: &Span) {
        let line = span.start.line();
        let col = span.start.col();
        let prefix = span
            .start
            .byte_offset()
            .map_or("", |b| line_prefix(self.src, b));
        let before = prefix.trim();
        let trailing = !before.is_empty();
        let dash_only = trailing && before != "---" && before.chars().all(|c| c == '-' || c == ' ');
        let after_props = before
            .split_whitespace()
            .last()
            .is_some_and(|w| w.starts_with('&') || w.starts_with('!'));
        let blank_before = span.start.byte_offset().is_some_and(|b| {
            let start = b - prefix.len();
            let above = self.src.get(..start.saturating_sub(1)).unwrap_or("");
            let line_above = above.rsplit('\n').next().unwrap_or("");
            start > 0 && line_above.trim().is_empty()
        });
        let blank_after = span.start.byte_offset().is_some_and(|b| {
            let rest = self.src.get(b..).unwrap_or("");
            match rest.split_once('\n') {
                Some((_, below)) => below
                    .split('\n')
                    .next()
                    .is_some_and(|l| l.trim().is_empty()),
                None => false,
            }
        });
        self.pending.push(Pending {
            text: body,
            line,
            col,
            trailing,
            dash_only,
            after_props,
            blank_before,
            blank_after,
            carried: false,
            floating: false,
        });
    }

    fn tag_failure(&mut self, msg: String) {
        if !self.checking() || self.strict != Strict::Full {
            return;
        }
        match self.frames.last_mut() {
            Some(f) => {
                if let Some(c) = f.check.as_mut() {
                    c.tag_fail.get_or_insert(msg);
                }
            }
            None => {
                self.root_check
                    .get_or_insert_with(Check::default)
                    .tag_fail
                    .get_or_insert(msg);
            }
        }
    }

    /// A block collection that is a sequence entry but starts on a line below its `-`: go-yaml
    /// gives the comments after that `-` (on its line or below) to the collection as its
    /// head, so sops writes them inside it.
    /// (For a scalar, the comments stay before it as sequence entries.)
    fn head_item_below_dash(&mut self, span: &Span, is_map: bool, scalar: bool) {
        if (scalar && self.pending.is_empty())
            || !self
                .frames
                .iter()
                .rev()
                .find(|f| !f.closed)
                .is_some_and(|f| matches!(f.content, Content::List(_)) && !f.flow)
        {
            return;
        }
        let Some(byte) = span.start.byte_offset() else {
            return;
        };
        let prefix = line_prefix(self.src, byte).trim();
        let prefix = if is_map {
            prefix
        } else {
            prefix.strip_suffix('-').unwrap_or(prefix).trim_end()
        };
        if !prefix.is_empty() {
            return;
        }
        let Some(dash_line) = dash_line_above(
            self.src,
            byte - line_prefix(self.src, byte).len(),
            span.start.line(),
        ) else {
            return;
        };
        self.below_dash = !scalar;
        let (heads, rest): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|c| c.line >= dash_line);
        self.pending = rest;
        // The first own-line run, when a blank line ends it, goes after the content's
        // first entry (after a scalar) instead — unless a comment on the dash's line
        // already heads the entry.
        let split = if heads.iter().any(|c| c.trailing) {
            0
        } else {
            heads
                .iter()
                .position(|c| c.blank_after)
                .map_or(0, |i| i + 1)
        };
        for (i, c) in heads.into_iter().enumerate() {
            if i < split {
                if scalar {
                    self.after_node.push(text(c.text));
                } else {
                    self.after_first.push(text(c.text));
                }
            } else if scalar {
                self.before_scalar.push(text(c.text));
            } else {
                self.opening.push(text(c.text));
            }
        }
    }

    /// Whether the null scalar at `span` is the empty content of a bare `-` in the innermost
    /// block sequence (granit reports it as `~` where no `~` is written).
    fn bare_dash_next(&self, span: &Span) -> bool {
        self.frames
            .iter()
            .rev()
            .find(|f| !f.closed)
            .is_some_and(|f| !f.closed && !f.flow && matches!(f.content, Content::List(_)))
            && span
                .start
                .byte_offset()
                .is_some_and(|b| !self.src.get(b..).unwrap_or("").starts_with('~'))
    }

    /// Takes the comments that go-yaml keeps for after the null of a bare `-` on `line`:
    /// own-line ones before it (carried) and the one on the dash's line (placed normally
    /// after the null). A first entry's comments were already given to its sequence.
    fn carry(&mut self, line: usize) -> Vec<Pending> {
        let after_empty = self
            .frames
            .last()
            .is_some_and(|f| !f.closed && f.empty_tail);
        let mut carried = Vec::new();
        if let Some(f) = self.frames.last_mut()
            && f.cur.is_none()
            && let Content::List(l) = &mut f.content
        {
            for c in l.drain(..) {
                if let Value::Comment(t) = c {
                    carried.push(Pending {
                        text: t.to_string(),
                        line: 0,
                        col: f.indent,
                        trailing: false,
                        dash_only: false,
                        after_props: false,
                        blank_before: false,
                        blank_after: false,
                        carried: true,
                        floating: false,
                    });
                }
            }
        }
        // Below a collection entry just closed, only comments out at the dash's column
        // belong to this entry; deeper ones end that collection.
        let limit = match self.frames.last() {
            Some(f) if f.closed => self
                .frames
                .iter()
                .rev()
                .find(|f| !f.closed)
                .map_or(0, |f| f.indent),
            _ => usize::MAX,
        };
        // A nested sequence that ended in a bare `-` passes its deeper comments on.
        let inner_empty = self
            .frames
            .last()
            .is_some_and(|f| f.closed && f.empty_tail && !f.flow);
        let (mut keep, rest): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|c| {
                (!c.trailing && (c.col <= limit || inner_empty)) || (c.dash_only && c.line == line)
            });
        self.pending = rest;
        for c in &mut keep {
            c.floating |= !c.trailing && c.col > limit;
        }
        // (Not when the bare `-` before has a comment on its line: they all go on together.)
        let split = if after_empty && !keep.iter().any(|c| c.dash_only && c.line < line) {
            keep.iter()
                .position(|c| !c.trailing && !c.dash_only && c.blank_after)
                .map_or(0, |i| i + 1)
        } else {
            0
        };
        carried.extend(keep.into_iter().enumerate().map(|(i, mut c)| {
            c.floating = c.floating || (i < split && !c.trailing && !c.dash_only);
            c.carried = !c.trailing && !c.floating;
            c.trailing = false;
            c
        }));
        carried
    }

    /// Places every waiting comment, now that the next node (or the end) is known.
    fn flush(&mut self, next: Next, next_line: usize, next_col: usize) -> Step {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut heads = Vec::new();
        if self.frames.last().is_some_and(|f| f.closed && f.empty_tail) {
            // After a sequence ending in a bare `-`, go-yaml gives the comments after that
            // `-` to the sequence's parent; the ones before it head the next node if that
            // node is in the parent, else they are lost.
            self.pop_frame()?;
            // Sequences closing with it pass them on to the mapping around them.
            while self
                .frames
                .last()
                .is_some_and(|f| f.closed && !f.flow && matches!(f.content, Content::List(_)))
            {
                self.pop_frame()?;
            }
            let (mut carried, rest): (Vec<Pending>, Vec<Pending>) =
                std::mem::take(&mut self.pending)
                    .into_iter()
                    .partition(|c| c.carried);
            self.pending = rest;
            if next != Next::DocEnd && self.frames.last().is_some_and(|f| !f.closed) {
                // Those from an earlier bare `-`'s own line on come first, in order.
                if let Some(i) = carried.iter().position(|c| c.dash_only)
                    && self
                        .frames
                        .last()
                        .is_some_and(|f| matches!(f.content, Content::Map(_)))
                {
                    let mut lead = carried.split_off(i);
                    lead.append(&mut self.pending);
                    self.pending = lead;
                }
                heads = carried;
            }
            // Into a sequence going on, they follow its next scalar (or next collection's
            // first entry).
            if next != Next::DocEnd
                && !self.next_empty
                && self
                    .frames
                    .last()
                    .is_some_and(|f| !f.closed && !f.flow && matches!(f.content, Content::List(_)))
            {
                let (after, rest) = std::mem::take(&mut self.pending)
                    .into_iter()
                    .partition(|c| !c.trailing);
                self.pending = rest;
                let to = if next == Next::Scalar {
                    &mut self.after_node
                } else {
                    &mut self.after_first
                };
                to.extend(after.into_iter().map(|c: Pending| text(c.text)));
            }
        } else {
            let into_list = next != Next::DocEnd
                && !self.next_empty
                && self
                    .frames
                    .last()
                    .is_some_and(|f| !f.closed && !f.flow && matches!(f.content, Content::List(_)));
            if into_list
                && self.frames.last().is_some_and(|f| f.empty_tail)
                && !self.pending.iter().any(|c| c.dash_only)
            {
                // Below a bare `-` entry, a blank-ended first run skips the next entry's head.
                let split = self
                    .pending
                    .iter()
                    .position(|c| !c.trailing && !c.dash_only && c.blank_after)
                    .map_or(0, |i| i + 1);
                for c in self.pending.iter_mut().take(split) {
                    c.floating |= !c.trailing && !c.dash_only;
                }
            }
            let (floating, rest): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
                .into_iter()
                .partition(|c| into_list && c.floating);
            self.pending = rest;
            let to = if next == Next::Scalar {
                &mut self.after_node
            } else {
                &mut self.after_first
            };
            to.extend(floating.into_iter().map(|c| text(c.text)));
            for c in &mut self.pending {
                c.carried = false;
                c.floating = false;
            }
        }
        self.place_pending(next, next_line, next_col);
        for c in heads {
            self.place_in_surviving(text(c.text), next);
        }
        Ok(())
    }

    fn place_pending(&mut self, next: Next, next_line: usize, next_col: usize) {
        let pending = std::mem::take(&mut self.pending);
        let mut own = Vec::new();
        for c in pending {
            if c.trailing {
                self.place_trailing(c, next, next_line);
            } else {
                own.push(c);
            }
        }
        if !own.is_empty() {
            self.place_gap(own, next, next_col);
        }
    }

    fn place_trailing(&mut self, c: Pending, next: Next, next_line: usize) {
        let comment = text(c.text);
        // `key: &anchor # c` / `key: !tag # c` before a block collection: go-yaml makes it the
        // collection's line comment, which sops puts after the collection's head comments.
        if c.after_props && next == Next::Collection {
            self.opening_line.push(comment);
            return;
        }
        if c.dash_only
            && let Some(f) = self.frames.iter_mut().rev().find(|f| !f.closed)
            && matches!(f.content, Content::List(_))
            && !f.flow
        {
            // `- # c` over the entry's content heads that entry; on a later, empty entry
            // (`- # c` then the next `-`) it follows the null go-yaml reads there.
            if f.cur.is_some() && next == Next::Scalar && next_line == c.line {
                self.after_node.push(comment);
            } else {
                push_comment(f, comment);
            }
            return;
        }
        if let Some(top) = self.frames.last_mut()
            && top.closed
            && top.flow
            && top.end_line == c.line
        {
            insert_comment(top, 0, comment);
            return;
        }
        let found = self
            .frames
            .iter()
            .rposition(|f| !(f.closed && f.flow) && f.cur.is_some());
        if let Some(i) = found {
            // On the first key of a mapping that is a sequence item, the comment goes before
            // the item (sops then writes it where go-yaml does, above the `- ` line).
            let owner = match (
                i.checked_sub(1).and_then(|p| self.frames.get(p)),
                self.frames.get(i),
            ) {
                (Some(parent), Some(f))
                    if matches!(parent.content, Content::List(_))
                        && !parent.flow
                        && !f.below_dash
                        && first_key_is_current(f) =>
                {
                    i - 1
                }
                _ => i,
            };
            if let Some(f) = self.frames.get_mut(owner)
                && let Some(at) = f.cur
            {
                insert_comment(f, at, comment);
                return;
            }
        }
        match self.frames.last_mut() {
            Some(f) => push_comment(f, comment),
            None => self.opening.push(comment),
        }
    }

    /// Places the own-line comments between two nodes (or before the document end).
    ///
    /// Measured against sops 3.11 (see the AAD test): the comments form runs, a run ending
    /// where the next line is dedented below the innermost block and starts in another
    /// column. A run that ends that way (a "foot") stays in the collections being closed:
    /// the first one in the innermost, later ones in the one whose entries start in their
    /// column (never deeper than the run before; else they head the next node). The last run, when the next node starts in its
    /// column or deeper, heads that node. At the document end the last run goes to the
    /// deepest collection it is indented into, or to the document after a blank line.
    fn place_gap(&mut self, own: Vec<Pending>, next: Next, next_col: usize) {
        if self.frames.is_empty() {
            self.opening.extend(own.into_iter().map(|c| text(c.text)));
            return;
        }
        let surviving = self.frames.iter().rposition(|f| !f.closed);
        let lowest_closed = surviving.map_or(0, |s| s + 1);
        if lowest_closed >= self.frames.len() {
            for c in own {
                self.place_in_surviving(text(c.text), next);
            }
            return;
        }
        // go-yaml keeps no indentation level for indentless sequences.
        let inner = self
            .frames
            .iter()
            .rev()
            .find(|f| !f.flow && !f.indentless)
            .map_or(0, |f| f.indent);
        let next_col = match surviving.and_then(|s| self.frames.get(s)) {
            Some(f) if !f.flow && matches!(f.content, Content::List(_)) => f.indent,
            _ => next_col,
        };
        let mut runs: Vec<Vec<Pending>> = Vec::new();
        for c in own {
            match runs.last_mut() {
                Some(run) if !(c.col < inner && run.first().is_some_and(|f| f.col != c.col)) => {
                    run.push(c)
                }
                _ => runs.push(vec![c]),
            }
        }
        let last_heads_next = next != Next::DocEnd
            && !(next_col < inner
                && runs
                    .last()
                    .and_then(|r| r.first())
                    .is_some_and(|f| f.col != next_col));
        let count = runs.len();
        let mut upper = self.frames.len();
        let innermost_closing = (lowest_closed..self.frames.len())
            .rev()
            .find(|i| self.frames.get(*i).is_some_and(|f| !f.flow));
        for (k, run) in runs.into_iter().enumerate() {
            let last = k + 1 == count;
            let Some(first) = run.first() else { continue };
            let col = first.col;
            let blank_after = run.last().is_some_and(|c| c.blank_after);
            if last && last_heads_next {
                // Separated from the next node by a blank line, the comments end the
                // collection they are indented into instead of heading that node.
                // (Not an indentless sequence's, when blank lines surround them.)
                let blank_before = first.blank_before;
                let ends_inner = blank_after
                    && innermost_closing
                        .and_then(|i| self.frames.get(i))
                        .is_some_and(|f| col >= f.indent && !(f.indentless && blank_before));
                if let (true, Some(i)) = (ends_inner, innermost_closing)
                    && let Some(f) = self.frames.get_mut(i)
                {
                    for c in run {
                        push_comment(f, text(c.text));
                    }
                } else {
                    for c in run {
                        self.place_in_surviving(text(c.text), next);
                    }
                }
                continue;
            }
            // Dedented below the next node and set off from it by a blank line, the first
            // comments head that node.
            if k == 0 && last && next != Next::DocEnd && blank_after && col < next_col {
                for c in run {
                    self.place_in_surviving(text(c.text), next);
                }
                continue;
            }
            let target = if k == 0 && (next != Next::DocEnd || !last) {
                (lowest_closed..upper)
                    .rev()
                    .find(|i| self.frames.get(*i).is_some_and(|f| !f.flow))
            } else if last && next == Next::DocEnd {
                // The document's last comments: after a blank line they end the document;
                // otherwise they stay in the innermost collection when indented as deep,
                // or in the one whose entries start in their column, or end the document.
                let innermost = (lowest_closed..upper)
                    .rev()
                    .find(|i| self.frames.get(*i).is_some_and(|f| !f.flow));
                let exact = (lowest_closed..upper).rev().find(|i| {
                    let has_child = *i + 1 < self.frames.len();
                    self.frames.get(*i).is_some_and(|f| {
                        !f.flow && f.indent == col && !ends_with_collection(f, has_child)
                    })
                });
                let deep_enough = innermost
                    .and_then(|i| self.frames.get(i))
                    .is_some_and(|f| col >= f.indent);
                if first.blank_before {
                    Some(0)
                } else if deep_enough {
                    innermost
                } else {
                    exact.or(Some(0))
                }
            } else {
                (lowest_closed..upper).rev().find(|i| {
                    let has_child = *i + 1 < self.frames.len();
                    self.frames.get(*i).is_some_and(|f| {
                        !f.flow && f.indent == col && !ends_with_collection(f, has_child)
                    })
                })
            };
            match target.and_then(|i| self.frames.get_mut(i).map(|f| (i, f))) {
                Some((i, f)) => {
                    for c in run {
                        push_comment(f, text(c.text));
                    }
                    upper = i + 1;
                }
                None => {
                    for c in run {
                        self.place_in_surviving(text(c.text), next);
                    }
                    upper = lowest_closed;
                }
            }
        }
    }

    /// Puts a comment into the innermost collection that stays open (before the next node).
    fn place_in_surviving(&mut self, comment: Text, next: Next) {
        let Some(s) = self.frames.iter().rposition(|f| !f.closed) else {
            if let Some(root) = self.frames.first_mut() {
                push_comment(root, comment);
            } else {
                self.opening.push(comment);
            }
            return;
        };
        let top = s + 1 == self.frames.len();
        let Some(f) = self.frames.get_mut(s) else {
            return;
        };
        // Only a value still to come (nothing closed above) can take a comment before its key.
        if top && f.awaiting_value && next != Next::DocEnd {
            if next == Next::Collection {
                self.opening.push(comment);
            } else if let Some(at) = f.cur {
                insert_comment(f, at, comment);
            }
            return;
        }
        push_comment(f, comment);
    }

    /// Pops every closed frame into its parent (or the document root).
    fn pop_closed(&mut self) -> Step {
        while self.frames.last().is_some_and(|f| f.closed) {
            self.pop_frame()?;
        }
        Ok(())
    }

    /// Pops the innermost frame into its parent (or the document root).
    fn pop_frame(&mut self) -> Step {
        {
            let Some(mut frame) = self.frames.pop() else {
                return Ok(());
            };
            for c in std::mem::take(&mut frame.after_first) {
                push_comment(&mut frame, c);
            }
            let (value, check) = self.finish_frame(frame.content, frame.anchor, frame.check);
            match frame.role {
                Role::Root => {
                    self.root = Some(match value {
                        Value::Map(m) => Root::Map(m),
                        _ => Root::Seq(frame.line),
                    });
                    self.root_check = check;
                }
                Role::Key => {
                    let what = if matches!(value, Value::Map(_)) {
                        "!!map"
                    } else {
                        "!!seq"
                    };
                    return Err(format!(
                        "yaml: unmarshal errors:\n  line {}: cannot unmarshal {what} into string",
                        frame.line
                    ));
                }
                Role::Value => {
                    if let Some(parent) = self.frames.last_mut() {
                        if let (Some(child), Some(pc)) = (check, parent.check.as_mut()) {
                            pc.errors.extend(child.errors);
                            if pc.tag_fail.is_none() {
                                pc.tag_fail = child.tag_fail;
                            }
                        }
                        let bad_merge = parent.merge && !merge_source(&value);
                        parent.merge = false;
                        fill(parent, value);
                        if bad_merge {
                            self.tag_failure(MERGE_ERROR.into());
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn finish_frame(
        &mut self,
        content: Content,
        anchor: usize,
        check: Option<Box<Check>>,
    ) -> (Value, Option<Check>) {
        let value = match content {
            Content::Map(m) => Value::Map(m),
            Content::List(l) => Value::List(l),
        };
        if anchor != 0 {
            self.anchors
                .insert(anchor, (value.clone(), count_nodes(&value)));
        }
        let check = check.map(|c| {
            let mut c = *c;
            if !c.dups.is_empty() {
                c.dups.sort_by_key(|d| (d.0, d.1));
                c.errors = c.dups.drain(..).map(|d| d.2).collect();
                c.tag_fail = None;
            }
            c
        });
        (value, check)
    }

    fn open(&mut self, is_map: bool, flow: bool, anchor: usize, line: usize, col: usize) -> Step {
        let role = match self.frames.last() {
            None => Role::Root,
            Some(f) if matches!(f.content, Content::Map(_)) && !f.awaiting_value => Role::Key,
            Some(_) => Role::Value,
        };
        let indentless = !is_map
            && !flow
            && self.frames.last().is_some_and(|f| {
                matches!(f.content, Content::Map(_)) && !f.flow && f.indent == col
            });
        if role == Role::Value
            && let Some(parent) = self.frames.last_mut()
            && matches!(parent.content, Content::List(_))
        {
            end_first_entry(parent);
        }
        if role == Role::Value
            && let Some(parent) = self.frames.last_mut()
            && let Content::List(l) = &mut parent.content
        {
            l.push(Value::Null);
            parent.cur = Some(l.len() - 1);
            parent.empty_tail = false;
        }
        let depth_checked = match self.strict {
            Strict::Full => true,
            Strict::TopLevelKeys => self.frames.is_empty(),
        };
        let check = (self.checking() && depth_checked).then(Box::default);
        let mut content = if is_map {
            Content::Map(Map::new())
        } else {
            Content::List(Vec::new())
        };
        let line_comments = std::mem::take(&mut self.opening_line);
        for c in self.opening.drain(..).chain(line_comments) {
            match &mut content {
                Content::Map(m) => m.items.push(comment_item(c)),
                Content::List(l) => l.push(Value::Comment(c)),
            }
        }
        self.frames.push(Frame {
            content,
            role,
            indent: col,
            line,
            flow,
            indentless,
            closed: false,
            end_line: line,
            anchor,
            cur: None,
            awaiting_value: false,
            merge: false,
            empty_tail: false,
            below_dash: std::mem::take(&mut self.below_dash),
            after_first: std::mem::take(&mut self.after_first),
            check,
        });
        Ok(())
    }

    /// Puts a finished scalar or alias copy into the innermost open collection.
    fn place(&mut self, value: Value, key_text: Option<&str>, line: usize) -> Step {
        let mut bad_merge = false;
        let Some(f) = self.frames.last_mut() else {
            return Ok(());
        };
        if !f.awaiting_value {
            end_first_entry(f);
        }
        match &mut f.content {
            Content::List(l) => {
                l.push(value);
                f.cur = Some(l.len() - 1);
                f.empty_tail = false;
            }
            Content::Map(m) if f.awaiting_value => {
                bad_merge = f.merge && !merge_source(&value);
                if let Some(at) = f.cur
                    && let Some(item) = m.items.get_mut(at)
                {
                    item.value = value;
                }
                f.awaiting_value = false;
                f.merge = false;
            }
            Content::Map(m) => {
                let key = match value {
                    Value::Str(s) => Key::Str(s.to_string()),
                    Value::Map(_) | Value::List(_) => {
                        return Err(format!(
                            "yaml: unmarshal errors:\n  line {line}: cannot unmarshal !!map into string"
                        ));
                    }
                    other => Key::Scalar(Box::new(other)),
                };
                m.items.push(Item {
                    key,
                    value: Value::Null,
                });
                let index = m.items.len() - 1;
                f.cur = Some(index);
                f.awaiting_value = true;
                f.merge = self.merge_key;
                if let (Some(check), Some(text)) = (f.check.as_mut(), key_text) {
                    check.key(text, line);
                }
            }
        }
        for c in self.after_node.drain(..) {
            push_comment(f, c);
        }
        if bad_merge {
            self.tag_failure(MERGE_ERROR.into());
        }
        Ok(())
    }

    fn finish_document(&mut self) {
        let root = match self.root.take() {
            Some(Root::Map(mut m)) => {
                m.items.extend(self.opening.drain(..).map(comment_item));
                Root::Map(m)
            }
            Some(Root::Empty(mut m)) => {
                m.items.extend(self.opening.drain(..).map(comment_item));
                Root::Empty(m)
            }
            Some(other) => other,
            None => Root::Empty(Map {
                items: self.opening.drain(..).map(comment_item).collect(),
            }),
        };
        let check = if self.checking() {
            self.root_check.take().and_then(|c| {
                if let Some(fail) = c.tag_fail {
                    Some(format!("yaml: {fail}"))
                } else if c.errors.is_empty() {
                    None
                } else {
                    Some(format!(
                        "yaml: unmarshal errors:\n  {}",
                        c.errors.join("\n  ")
                    ))
                }
            })
        } else {
            None
        };
        self.opening.clear();
        self.opening_line.clear();
        self.after_node.clear();
        self.below_dash = false;
        self.before_scalar.clear();
        self.after_first.clear();
        self.frames.clear();
        self.docs.push(DocOut { root, check });
    }
}

impl Check {
    fn key(&mut self, text: &str, line: usize) {
        let index = self.key_count;
        self.key_count += 1;
        let seen = self
            .keys
            .get_or_insert_with(HashMap::new)
            .entry(text.to_string())
            .or_default();
        for (i, first_line) in seen.iter() {
            self.dups.push((
                *i,
                index,
                format!(
                    "line {line}: mapping key {} already defined at line {first_line}",
                    go_quote(text)
                ),
            ));
        }
        seen.push((index, line));
    }
}

/// Go's `%#v` of a string.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const MERGE_ERROR: &str = "map merge requires map or sequence of maps as the value";

/// What go-yaml accepts as the value of a merge key.
fn merge_source(v: &Value) -> bool {
    match v {
        Value::Map(_) => true,
        Value::List(items) => items
            .iter()
            .all(|i| matches!(i, Value::Map(_) | Value::Comment(_))),
        _ => false,
    }
}

fn fill(parent: &mut Frame, value: Value) {
    let Some(at) = parent.cur else { return };
    match &mut parent.content {
        Content::Map(m) => {
            if let Some(item) = m.items.get_mut(at) {
                item.value = value;
            }
            parent.awaiting_value = false;
        }
        Content::List(l) => {
            if let Some(slot) = l.get_mut(at) {
                *slot = value;
            }
        }
    }
}

/// Places the comments waiting for the end of the first entry, once another begins.
fn end_first_entry(f: &mut Frame) {
    if f.cur.is_some() && !f.after_first.is_empty() {
        for c in std::mem::take(&mut f.after_first) {
            push_comment(f, c);
        }
    }
}

/// Whether a mapping's current entry is its first key (only comments before it).
fn first_key_is_current(f: &Frame) -> bool {
    match (&f.content, f.cur) {
        (Content::Map(m), Some(at)) => m
            .items
            .iter()
            .take(at)
            .all(|i| matches!(i.key, Key::Comment(_))),
        _ => false,
    }
}

/// Whether a sequence's last item is a collection (still open as `has_child`, or finished).
fn ends_with_collection(f: &Frame, has_child: bool) -> bool {
    match &f.content {
        Content::List(l) => has_child || matches!(l.last(), Some(Value::Map(_) | Value::List(_))),
        Content::Map(_) => false,
    }
}

fn comment_item(c: Text) -> Item {
    Item {
        key: Key::Comment(c),
        value: Value::Null,
    }
}

fn push_comment(f: &mut Frame, c: Text) {
    match &mut f.content {
        Content::Map(m) => m.items.push(comment_item(c)),
        Content::List(l) => l.push(Value::Comment(c)),
    }
}

/// Inserts a comment before entry `at`, keeping `cur` pointing at that entry.
fn insert_comment(f: &mut Frame, at: usize, c: Text) {
    match &mut f.content {
        Content::Map(m) => m.items.insert(at.min(m.items.len()), comment_item(c)),
        Content::List(l) => l.insert(at.min(l.len()), Value::Comment(c)),
    }
    if let Some(cur) = f.cur.as_mut()
        && *cur >= at
    {
        *cur += 1;
    }
}

fn count_nodes(v: &Value) -> usize {
    match v {
        Value::Map(m) => 1 + m.items.iter().map(|i| count_nodes(&i.value)).sum::<usize>(),
        Value::List(l) => 1 + l.iter().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

/// The column of a block sequence's first `-` (granit reports an indentless sequence at
/// its first item's content instead).
fn dash_column(src: &str, span: &Span) -> Option<usize> {
    let off = span.start.byte_offset()?;
    let col = span.start.col();
    if src.get(off..)?.starts_with('-') {
        return Some(col);
    }
    let before = src.get(..off)?.trim_end_matches(' ');
    if before.ends_with('-') {
        let skipped = off - (before.len() - 1);
        return col.checked_sub(skipped);
    }
    None
}

/// The line of the `-` a node starting at `line_start` (a line's first byte) belongs to: the
/// nearest line above that is neither blank nor only a comment, if it is a bare dash.
fn dash_line_above(src: &str, line_start: usize, line: usize) -> Option<usize> {
    let above = src.get(..line_start.checked_sub(1)?)?;
    for (skipped, l) in above.rsplit('\n').enumerate() {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let after = t.strip_prefix('-')?.trim_start_matches(['-', ' ']);
        return (after.is_empty() || after.starts_with('#')).then(|| line - skipped - 1);
    }
    None
}

/// The text before a comment on its line.
fn line_prefix(src: &str, byte: usize) -> &str {
    let head = src.get(..byte).unwrap_or("");
    let start = head.rfind('\n').map_or(0, |i| i + 1);
    head.get(start..).unwrap_or("")
}

/// go-yaml's short form of a tag: `!!str` for core tags, `!` for the non-specific one.
fn short_tag(tag: &Tag) -> String {
    let full = format!("{}{}", tag.handle(), tag.suffix());
    match full.strip_prefix("tag:yaml.org,2002:") {
        Some(rest) => format!("!!{rest}"),
        None => full,
    }
}

/// The tag go-yaml names a resolved scalar by in messages.
fn go_tag(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "!!bool",
        Value::Int(_) | Value::Uint64(_) => "!!int",
        Value::Float(_) => "!!float",
        Value::Time(_) => "!!timestamp",
        Value::Null => "!!null",
        _ => "!!str",
    }
}
