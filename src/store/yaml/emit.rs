//! YAML emission, byte-identical to sops 3.11 (go-yaml v3.0.4 `Node` API + emitter).
//!
//! A hand-written tree walk rather than a YAML library: no Rust YAML crate lays
//! out block collections, quotes scalars and places comments the way go-yaml's
//! libyaml-derived emitter does, and sops users diff these files. The walk
//! reproduces the events go-yaml would see for the `Node` tree sops builds
//! (`stores/yaml/store.go`: comment runs become head comments of the next
//! key/element, trailing runs foot comments of the last one) and the emitter's
//! comment registers, which can hold a comment over to a later node.

#[path = "emit_resolve.rs"]
mod resolve;
#[path = "emit_scalar.rs"]
mod scalar;
#[path = "emit_writer.rs"]
mod writer;

use crate::error::{Error, Result};
use crate::tree::{Item, Key, Map, Tree, Value};
use scalar::Scalar;
use writer::Writer;

/// Writes a decrypted tree.
pub fn emit_plain(tree: &Tree, indent: usize) -> Result<Vec<u8>> {
    let mut e = Emitter::new(indent);
    for (n, branch) in tree.branches.iter().enumerate() {
        e.document(
            Node::Map(MapRef {
                items: &branch.items,
                extra: None,
            }),
            n == 0,
        )?;
    }
    Ok(e.w.out)
}

/// Writes an encrypted tree with `metadata` as the last key `sops` of every document.
pub fn emit_encrypted(tree: &Tree, metadata: &Map, indent: usize) -> Result<Vec<u8>> {
    let mut e = Emitter::new(indent);
    for (n, branch) in tree.branches.iter().enumerate() {
        e.document(
            Node::Map(MapRef {
                items: &branch.items,
                extra: Some(("sops", metadata)),
            }),
            n == 0,
        )?;
    }
    Ok(e.w.out)
}

/// Writes a single value (for `--extract`): a document holding just that value.
///
/// sops uses `yaml.Marshal` here, which ignores the configured indentation and
/// always indents by 4; `indent` is accepted for symmetry with the other emitters.
pub fn emit_value(value: &Value, indent: usize) -> Result<Vec<u8>> {
    let _ = indent;
    let mut e = Emitter::new(4);
    e.document(Node::of(value), true)?;
    Ok(e.w.out)
}

/// A run of comment texts (without `#`), printed one `#text` line each.
type Comments<'a> = Vec<&'a str>;

/// A mapping to emit, optionally followed by one extra entry (the `sops` metadata).
#[derive(Clone, Copy)]
struct MapRef<'a> {
    items: &'a [Item],
    extra: Option<(&'a str, &'a Map)>,
}

/// A node of the tree being emitted.
#[derive(Clone, Copy)]
enum Node<'a> {
    Map(MapRef<'a>),
    List(&'a [Value]),
    Scalar(&'a Value),
}

impl<'a> Node<'a> {
    fn of(v: &'a Value) -> Self {
        match v {
            Value::Map(m) => Node::Map(MapRef {
                items: &m.items,
                extra: None,
            }),
            Value::List(l) => Node::List(l),
            other => Node::Scalar(other),
        }
    }
}

/// One map entry: a comment line or a key with its value.
enum Entry<'a> {
    Comment(&'a str),
    Pair(KeyRef<'a>, Node<'a>),
}

enum KeyRef<'a> {
    Tree(&'a Key),
    Str(&'a str),
}

impl<'a> MapRef<'a> {
    fn entries(self) -> impl Iterator<Item = Entry<'a>> {
        let items = self.items.iter().map(|item| match &item.key {
            Key::Comment(c) => Entry::Comment(c.as_str()),
            key => Entry::Pair(KeyRef::Tree(key), Node::of(&item.value)),
        });
        let extra = self.extra.map(|(k, m)| {
            let value = Node::Map(MapRef {
                items: &m.items,
                extra: None,
            });
            Entry::Pair(KeyRef::Str(k), value)
        });
        items.chain(extra)
    }

    fn has_pairs(self) -> bool {
        self.extra.is_some() || self.items.iter().any(|i| !matches!(i.key, Key::Comment(_)))
    }

    /// The comments sops puts on the mapping node itself: those before the first
    /// key, or all of them when there is no key.
    fn leading_comments(self) -> Comments<'a> {
        self.items
            .iter()
            .map_while(|i| match &i.key {
                Key::Comment(c) => Some(c.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Leading comments of a list (before the first element, or all of them).
fn list_leading_comments(list: &[Value]) -> Comments<'_> {
    list.iter()
        .map_while(|v| match v {
            Value::Comment(c) => Some(c.as_str()),
            _ => None,
        })
        .collect()
}

/// How a node is reached; decides what is written before it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    MapValue { simple_key: bool },
    SeqItem,
}

struct Emitter<'a> {
    w: Writer,
    head: Comments<'a>,
    foot: Comments<'a>,
    tail: Comments<'a>,
}

impl<'a> Emitter<'a> {
    fn new(indent: usize) -> Self {
        Self {
            w: Writer::new(indent, 8192),
            head: Vec::new(),
            foot: Vec::new(),
            tail: Vec::new(),
        }
    }

    /// An event's comments replace the emitter's pending ones only when present.
    fn take(&mut self, head: Comments<'a>, foot: Comments<'a>, tail: Comments<'a>) {
        if !head.is_empty() {
            self.head = head;
        }
        if !foot.is_empty() {
            self.foot = foot;
        }
        if !tail.is_empty() {
            self.tail = tail;
        }
    }

    /// Pending tail (foot of a previous key) then head comments, at the current indentation.
    fn process_head_comment(&mut self) {
        if !self.tail.is_empty() {
            self.w.write_indent();
            let tail = std::mem::take(&mut self.tail);
            self.w.write_comment(&tail);
            self.w.foot_indent = self.w.indent.max(0);
        }
        if self.head.is_empty() {
            return;
        }
        self.w.write_indent();
        let head = std::mem::take(&mut self.head);
        self.w.write_comment(&head);
    }

    fn process_foot_comment(&mut self) {
        if self.foot.is_empty() {
            return;
        }
        self.w.write_indent();
        let foot = std::mem::take(&mut self.foot);
        self.w.write_comment(&foot);
        self.w.foot_indent = self.w.indent.max(0);
    }

    fn document(&mut self, root: Node<'a>, first: bool) -> Result<()> {
        if !first {
            self.w.write_indent();
            self.w.write_indicator("---", true, false, false);
            self.w.write_indent();
        }
        if !self.head.is_empty() {
            self.process_head_comment();
            self.w.put_break();
        }
        self.node(root, Vec::new(), Vec::new(), Role::Root)?;
        // Document end: a pending foot comment is separated by a blank line.
        self.w.foot_indent = 0;
        self.process_foot_comment();
        self.w.foot_indent = -1;
        self.w.write_indent();
        Ok(())
    }

    /// Emits one node reached as `role`. `head`/`foot` are the comments sops
    /// attached to it from the enclosing list or map (before/after it).
    fn node(
        &mut self,
        node: Node<'a>,
        head: Comments<'a>,
        foot: Comments<'a>,
        role: Role,
    ) -> Result<()> {
        // The start event: a scalar carries its head and foot; a collection its
        // head (outer comments first, then its own leading ones).
        let scalar = match node {
            Node::Scalar(v) => match Scalar::value(v)? {
                Some(s) => Some(s),
                None => return self.node(Node::of(v), head, foot, role),
            },
            _ => None,
        };
        match node {
            Node::Scalar(_) => self.take(head, foot.clone(), Vec::new()),
            Node::Map(m) => self.take(concat(head, m.leading_comments()), Vec::new(), Vec::new()),
            Node::List(l) => self.take(
                concat(head, list_leading_comments(l)),
                Vec::new(),
                Vec::new(),
            ),
        }
        match role {
            Role::Root => self.process_head_comment(),
            Role::MapValue { simple_key: true } => {
                self.w.write_indicator(":", false, false, false);
            }
            Role::MapValue { simple_key: false } => {
                self.w.write_indent();
                self.w.write_indicator(":", true, false, true);
            }
            Role::SeqItem => {
                self.process_head_comment();
                self.w.write_indent();
                self.w.write_indicator("-", true, false, true);
            }
        }
        let in_item = role == Role::SeqItem;
        if let Some(s) = scalar {
            s.write(&mut self.w, in_item);
            self.process_foot_comment();
            return Ok(());
        }
        self.process_foot_comment();
        let end_foot = foot;
        match node {
            Node::Map(m) if m.has_pairs() => self.block_map(m, in_item, end_foot),
            Node::Map(_) => {
                self.flow_empty("{", "}", true, in_item, end_foot);
                Ok(())
            }
            Node::List(l) if l.iter().any(|v| !matches!(v, Value::Comment(_))) => {
                self.block_list(l, in_item, end_foot)
            }
            Node::List(_) => {
                self.flow_empty("[", "]", false, in_item, end_foot);
                Ok(())
            }
            Node::Scalar(_) => Ok(()),
        }
    }

    /// `{}` or `[]`. go-yaml's flow mapping (not sequence) handler prints a pending
    /// head comment between the brackets; reproduced as is.
    fn flow_empty(
        &mut self,
        open: &str,
        close: &str,
        is_map: bool,
        in_item: bool,
        end_foot: Comments<'a>,
    ) {
        self.take(Vec::new(), end_foot, Vec::new());
        self.w.write_indicator(open, true, true, false);
        let saved = self.w.increase_indent(true, in_item);
        if is_map {
            self.process_head_comment();
        }
        self.w.indent = saved;
        if !is_map && self.w.column() == 0 {
            self.w.write_indent();
        }
        self.w.write_indicator(close, false, false, false);
        self.process_foot_comment();
    }

    fn block_map(&mut self, m: MapRef<'a>, in_item: bool, end_foot: Comments<'a>) -> Result<()> {
        let saved = self.w.increase_indent(false, in_item);
        let mut pending: Comments<'a> = Vec::new();
        let mut first = true;
        for entry in m.entries() {
            let (key, value) = match entry {
                Entry::Comment(c) => {
                    pending.push(c);
                    continue;
                }
                Entry::Pair(k, v) => (k, v),
            };
            // Comments before the first key already went to the mapping itself.
            let head = if first {
                pending.clear();
                Vec::new()
            } else {
                std::mem::take(&mut pending)
            };
            first = false;
            let key_scalar = match key {
                KeyRef::Str(s) => Scalar::string(s),
                KeyRef::Tree(Key::Str(s)) => Scalar::string(s),
                KeyRef::Tree(Key::Scalar(v)) => Scalar::value(v)?.ok_or_else(|| {
                    Error::Other("Error marshaling to yaml: a map key must be a scalar".into())
                })?,
                KeyRef::Tree(Key::Comment(c)) => Scalar::string(c),
            };
            self.take(head, Vec::new(), Vec::new());
            self.process_head_comment();
            self.w.write_indent();
            let simple_key = key_scalar.fits_simple_key();
            if !simple_key {
                self.w.write_indicator("?", true, false, true);
            }
            key_scalar.write(&mut self.w, false);
            self.node(value, Vec::new(), Vec::new(), Role::MapValue { simple_key })?;
        }
        // Mapping end: comments after the last key are its tail; a foot from the
        // enclosing list stays pending for whatever writes a foot comment next.
        self.take(Vec::new(), end_foot, pending);
        self.process_head_comment();
        self.w.indent = saved;
        Ok(())
    }

    fn block_list(
        &mut self,
        list: &'a [Value],
        in_item: bool,
        end_foot: Comments<'a>,
    ) -> Result<()> {
        let saved = self.w.increase_indent(false, in_item);
        let last = list
            .iter()
            .rposition(|v| !matches!(v, Value::Comment(_)))
            .unwrap_or(0);
        let mut pending: Comments<'a> = Vec::new();
        let mut first = true;
        for (i, v) in list.iter().enumerate() {
            if let Value::Comment(c) = v {
                pending.push(c.as_str());
                continue;
            }
            let head = if first {
                pending.clear();
                Vec::new()
            } else {
                std::mem::take(&mut pending)
            };
            first = false;
            let foot = if i == last {
                list.get(i + 1..)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|v| match v {
                        Value::Comment(c) => Some(c.as_str()),
                        _ => None,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            self.node(Node::of(v), head, foot, Role::SeqItem)?;
            if i == last {
                break;
            }
        }
        // Sequence end: its foot (from an enclosing list) just stays pending.
        self.take(Vec::new(), end_foot, Vec::new());
        self.w.indent = saved;
        Ok(())
    }
}

fn concat<'a>(mut a: Comments<'a>, b: Comments<'a>) -> Comments<'a> {
    if a.is_empty() {
        return b;
    }
    a.extend(b);
    a
}

#[cfg(test)]
#[path = "emit_oracle_cases.rs"]
mod oracle_cases;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{Timestamp, text};

    // --- tiny tree builders -------------------------------------------------

    pub(super) enum E {
        C(&'static str),
        P(String, Value),
        K(Value, Value),
    }

    pub(super) fn c(t: &'static str) -> E {
        E::C(t)
    }
    pub(super) fn p(k: impl Into<String>, v: Value) -> E {
        E::P(k.into(), v)
    }
    pub(super) fn m(entries: Vec<E>) -> Map {
        let mut map = Map::new();
        for e in entries {
            map.items.push(match e {
                E::C(t) => Item {
                    key: Key::Comment(text(t)),
                    value: Value::Null,
                },
                E::P(k, v) => Item {
                    key: Key::Str(k),
                    value: v,
                },
                E::K(k, v) => Item {
                    key: Key::Scalar(Box::new(k)),
                    value: v,
                },
            });
        }
        map
    }
    pub(super) fn mv(entries: Vec<E>) -> Value {
        Value::Map(m(entries))
    }
    pub(super) fn s(t: &str) -> Value {
        Value::str(t)
    }
    pub(super) fn lc(t: &'static str) -> Value {
        Value::Comment(text(t))
    }
    pub(super) fn i(n: i64) -> Value {
        Value::Int(n)
    }
    pub(super) fn l(items: Vec<Value>) -> Value {
        Value::List(items)
    }
    fn doc(entries: Vec<E>) -> Tree {
        Tree {
            branches: vec![m(entries)],
        }
    }
    fn plain(t: &Tree, w: usize) -> String {
        String::from_utf8(emit_plain(t, w).unwrap()).unwrap()
    }
    fn k128(t: &str) -> String {
        t.replace("K129", &"k".repeat(129))
            .replace("K128", &"k".repeat(128))
    }

    // --- golden vectors -------------------------------------------------------

    /// `yaml-emitter-quirks.plain.yaml` as sops loads it.
    fn quirks_tree() -> Tree {
        let grid = l(vec![
            mv(vec![p(
                "m",
                l(vec![
                    mv(vec![p(
                        "n",
                        mv(vec![p("o", mv(vec![p("p", i(1))])), p("q", s("blk\n"))]),
                    )]),
                    l(vec![l(vec![s("x"), s("y")]), s("z")]),
                ]),
            )]),
            l(vec![mv(vec![p("a", i(1)), p("b", mv(vec![p("c", i(2))]))])]),
        ]);
        doc(vec![
            c(" floats: YAML output uses %g with exponent from 1e6 and below 1e-4"),
            p("f_1e5", Value::Float(1e5)),
            p("f_1e6", Value::Float(1e6)),
            p("f_1234567_5", Value::Float(1234567.5)),
            p("f_123456789_0", Value::Float(123456789.0)),
            p("f_0_0001", Value::Float(0.0001)),
            p("f_0_00001", Value::Float(0.00001)),
            p("f_neg_half", Value::Float(-0.5)),
            c(" indentation grid (compare the --indent 3 output)"),
            p("s", grid),
            c(" keys: 128 bytes simple, 129 bytes explicit \"? key\""),
            p("k".repeat(128), s("simple")),
            p("k".repeat(129), s("complex")),
            p(format!("{}2", "k".repeat(129)), l(vec![s("a"), s("b")])),
            p("key\nwith newline", s("v")),
            c(" block scalar indicators"),
            p("lead_space", s("  indented\nsecond")),
            p("lead_break", s("\nleading break")),
            p("keep", s("a\nb\n\n")),
            c(" double-quoted escapes and quirks"),
            p("bom_start", s("\u{feff}x")),
            p("bom_inside", s("x\u{feff}y")),
            p("merge_like", s("<<")),
            p("space_before_break", s("line1 \nline2")),
            p("tab_first_multiline", s("\tx\ny")),
        ])
    }

    const QUIRKS_DEC: &str = concat!(
        "# floats: YAML output uses %g with exponent from 1e6 and below 1e-4\n",
        "f_1e5: 100000\n",
        "f_1e6: 1e+06\n",
        "f_1234567_5: 1.2345675e+06\n",
        "f_123456789_0: 1.23456789e+08\n",
        "f_0_0001: 0.0001\n",
        "f_0_00001: 1e-05\n",
        "f_neg_half: -0.5\n",
        "# indentation grid (compare the --indent 3 output)\n",
        "s:\n",
        "    - m:\n",
        "        - \"n\":\n",
        "            o:\n",
        "                p: 1\n",
        "            q: |\n",
        "                blk\n",
        "        - - - x\n",
        "            - \"y\"\n",
        "          - z\n",
        "    - - a: 1\n",
        "        b:\n",
        "            c: 2\n",
        "# keys: 128 bytes simple, 129 bytes explicit \"? key\"\n",
        "K128: simple\n",
        "? K129\n",
        ": complex\n",
        "? K1292\n",
        ":   - a\n",
        "    - b\n",
        "? |-\n",
        "    key\n",
        "    with newline\n",
        ": v\n",
        "# block scalar indicators\n",
        "lead_space: |4-\n",
        "      indented\n",
        "    second\n",
        "lead_break: |4-\n",
        "\n",
        "    leading break\n",
        "keep: |+\n",
        "    a\n",
        "    b\n",
        "\n",
        "# double-quoted escapes and quirks\n",
        "bom_start: \"\\uFEFF\\x78\"\n",
        "bom_inside: \"x\\uFEFFy\"\n",
        "merge_like: !!merge <<\n",
        "space_before_break: \"line1 \\nline2\"\n",
        "tab_first_multiline: null\n",
    );

    const QUIRKS_DEC_INDENT3: &str = concat!(
        "# floats: YAML output uses %g with exponent from 1e6 and below 1e-4\n",
        "f_1e5: 100000\n",
        "f_1e6: 1e+06\n",
        "f_1234567_5: 1.2345675e+06\n",
        "f_123456789_0: 1.23456789e+08\n",
        "f_0_0001: 0.0001\n",
        "f_0_00001: 1e-05\n",
        "f_neg_half: -0.5\n",
        "# indentation grid (compare the --indent 3 output)\n",
        "s:\n",
        "   - m:\n",
        "      - \"n\":\n",
        "         o:\n",
        "            p: 1\n",
        "         q: |\n",
        "            blk\n",
        "      - - - x\n",
        "          - \"y\"\n",
        "        - z\n",
        "   - - a: 1\n",
        "       b:\n",
        "         c: 2\n",
        "# keys: 128 bytes simple, 129 bytes explicit \"? key\"\n",
        "K128: simple\n",
        "? K129\n",
        ": complex\n",
        "? K1292\n",
        ":  - a\n",
        "   - b\n",
        "? |-\n",
        "   key\n",
        "   with newline\n",
        ": v\n",
        "# block scalar indicators\n",
        "lead_space: |3-\n",
        "     indented\n",
        "   second\n",
        "lead_break: |3-\n",
        "\n",
        "   leading break\n",
        "keep: |+\n",
        "   a\n",
        "   b\n",
        "\n",
        "# double-quoted escapes and quirks\n",
        "bom_start: \"\\uFEFF\\x78\"\n",
        "bom_inside: \"x\\uFEFFy\"\n",
        "merge_like: !!merge <<\n",
        "space_before_break: \"line1 \\nline2\"\n",
        "tab_first_multiline: null\n",
    );

    #[test]
    fn emitter_quirks_vector_indent4() {
        assert_eq!(plain(&quirks_tree(), 4), k128(QUIRKS_DEC));
    }

    #[test]
    fn emitter_quirks_vector_indent3() {
        assert_eq!(plain(&quirks_tree(), 3), k128(QUIRKS_DEC_INDENT3));
    }

    #[test]
    fn oracle_random_trees() {
        let mut failures = Vec::new();
        for (name, tree, expected) in super::oracle_cases::cases() {
            for (w, want) in [4, 2, 3].into_iter().zip(expected) {
                let got = plain(&tree, w);
                if got != want {
                    failures.push(format!("{name} w={w}\n--- got\n{got}--- want\n{want}"));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
