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
    emit_documents(tree, None, indent)
}

/// Writes an encrypted tree with `metadata` as the last key `sops` of every document.
pub fn emit_encrypted(tree: &Tree, metadata: &Map, indent: usize) -> Result<Vec<u8>> {
    emit_documents(tree, Some(("sops", metadata)), indent)
}

fn emit_documents(tree: &Tree, extra: Option<(&str, &Map)>, indent: usize) -> Result<Vec<u8>> {
    let mut e = Emitter::new(indent);
    for (n, branch) in tree.branches.iter().enumerate() {
        let root = Node::Map(MapRef {
            items: &branch.items,
            extra,
        });
        e.document(root, n == 0)?;
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
            Node::Scalar(v) => Scalar::value(v)?,
            _ => None,
        };
        let end_foot = match node {
            Node::Scalar(_) => {
                self.take(head, foot, Vec::new());
                Vec::new()
            }
            Node::Map(m) => {
                self.take(concat(head, m.leading_comments()), Vec::new(), Vec::new());
                foot
            }
            Node::List(l) => {
                self.take(
                    concat(head, list_leading_comments(l)),
                    Vec::new(),
                    Vec::new(),
                );
                foot
            }
        };
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
                // `entries` never pairs a comment with a value; kept total anyway.
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
#[rustfmt::skip]
#[path = "emit_oracle_cases.rs"]
mod oracle_cases;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{Timestamp, text};
    use zeroize::Zeroizing;

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

    /// The tree sops writes when encrypting `v` with default rules: every
    /// non-empty leaf becomes a plain `E:<type>` string, map comments stay
    /// comments, list comments become string elements.
    fn enc_shape(v: &Value) -> Value {
        match v {
            Value::Map(map) => Value::Map(enc_shape_map(map)),
            Value::List(items) => l(items
                .iter()
                .map(|v| match v {
                    Value::Comment(t) if t.is_empty() => s(""),
                    Value::Comment(_) => s("E:comment"),
                    other => enc_shape(other),
                })
                .collect()),
            Value::Str(t) if t.is_empty() => s(""),
            Value::Null => Value::Null,
            other => s(&format!(
                "E:{}",
                other
                    .kind()
                    .replace("float64", "float")
                    .replace("time.Time", "time")
                    .replace("string", "str")
            )),
        }
    }

    fn enc_shape_map(map: &Map) -> Map {
        Map {
            items: map
                .items
                .iter()
                .map(|item| Item {
                    key: match &item.key {
                        Key::Comment(t) if !t.is_empty() => Key::Comment(text("E:comment")),
                        k => k.clone(),
                    },
                    value: enc_shape(&item.value),
                })
                .collect(),
        }
    }

    #[test]
    fn oracle_random_trees() {
        let mut failures = Vec::new();
        let mut compared = 0;
        for (name, tree, expected, enc) in super::oracle_cases::cases() {
            let shape = Tree {
                branches: tree.branches.iter().map(enc_shape_map).collect(),
            };
            let got = plain(&shape, 4);
            compared += 1;
            if got != enc {
                failures.push(format!("{name} encrypted\n--- got\n{got}--- want\n{enc}"));
            }
            for (w, want) in [4, 2, 3].into_iter().zip(expected.into_iter().flatten()) {
                let got = plain(&tree, w);
                compared += 1;
                if got != want {
                    failures.push(format!("{name} w={w}\n--- got\n{got}--- want\n{want}"));
                }
            }
        }
        assert!(compared > 100);
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    // --- encrypted files: the data tree after encryption plus the metadata map ----

    /// Every `ENC[…]` string of a golden file, in order.
    fn encs(t: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = t;
        while let Some(start) = rest.find("ENC[") {
            let end = start + rest[start..].find(']').unwrap() + 1;
            out.push(rest[start..end].to_string());
            rest = &rest[end..];
        }
        out
    }

    /// Every age armor block of a golden file, dedented, with its final newline.
    fn armors(t: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur: Option<String> = None;
        for line in t.lines() {
            let line = line.trim_start();
            if line == "-----BEGIN AGE ENCRYPTED FILE-----" {
                cur = Some(String::new());
            }
            if let Some(c) = cur.as_mut() {
                c.push_str(line);
                c.push('\n');
            }
            if line == "-----END AGE ENCRYPTED FILE-----" {
                out.push(cur.take().unwrap());
            }
        }
        out
    }

    /// The text after `key: ` on the first line that has it, quotes removed.
    fn field(t: &str, key: &str) -> String {
        let line = t
            .lines()
            .find_map(|l| l.trim_start().strip_prefix(key))
            .unwrap();
        line.trim_matches('"').to_string()
    }

    fn age_entry(t: &str, n: usize) -> Value {
        let recipients: Vec<String> = t
            .lines()
            .filter_map(|l| {
                l.trim_start()
                    .trim_start_matches("- ")
                    .strip_prefix("recipient: ")
            })
            .map(str::to_string)
            .collect();
        mv(vec![
            p("recipient", s(&recipients[n])),
            p("enc", s(&armors(t)[n])),
        ])
    }

    /// The single-group age metadata of a golden file.
    fn age_metadata(t: &str) -> Map {
        m(vec![
            p("age", l(vec![age_entry(t, 0)])),
            p("lastmodified", s(&field(t, "lastmodified: "))),
            p("mac", s(encs(t).last().unwrap())),
            p("unencrypted_suffix", s("_unencrypted")),
            p("version", s("3.11.0")),
        ])
    }

    fn encrypted(t: &Tree, md: &Map, w: usize) -> String {
        String::from_utf8(emit_encrypted(t, md, w).unwrap()).unwrap()
    }

    const COMMENTS_ENC: &str = concat!(
        "#ENC[AES256_GCM,data:/TkBbyJ7ANhzYiXN/evXj3zJ+HEok/dxxQ==,iv:FEtW5uz7kT/yNcJJenmktWPB4cHxBckjWIW+ih9uqS8=,tag:vOKdV/wd1NiqP/+rPpCG8g==,type:comment]\n",
        "#ENC[AES256_GCM,data:iXC+MjTwJbSAFeG3a0ifVPWghqDmwg==,iv:QZ26uMqQ0mSH/y2FONuA0hHOL0ErN1zohOSca769Aas=,tag:QFFHGy03uB1Kb360bO8DYA==,type:comment]\n",
        "#ENC[AES256_GCM,data:7R5QykYCJ2ZvrfbXpVUbNIXKqfq4,iv:VZhJr8qG7xH3n8ANeUVJdj2oKm4jRn0Nr95FBBNMvPw=,tag:La/vdHXIcmQdhYovBTu3ow==,type:comment]\n",
        "key1: ENC[AES256_GCM,data:DwOeVyXG,iv:Nazokjo824YWdNLsYi0LIQPCwvlG/LIObzvirJdovcY=,tag:tRsC49zKq4cM1xEWyxAqHA==,type:str]\n",
        "#ENC[AES256_GCM,data:+nn/gyMLh5nz/a4BmE1hrxaqLOA=,iv:uo5hsEOwtjf4vrWoNa29JFUXu1G+J/IRVpJRA4UkxZg=,tag:BNOIQyt8ApVx8rXNfqIEKw==,type:comment]\n",
        "key2:\n",
        "    #ENC[AES256_GCM,data:+4LgfcnlA/5cY05/LaH89SRhiRsyp5sx,iv:x3O//BmrWt73QLIg8kIHiaqHhFaTooa2Itwa8Z5/oYo=,tag:xFygLHUXwmJeasC2tW0eQw==,type:comment]\n",
        "    #ENC[AES256_GCM,data:2cN/l5/FWH2g5rVS,iv:63I26XQnRqGu1xNBwofeSZSefbTOktm3Fe6qqf3cyaU=,tag:e7sFDLpWIcsv/kBcwjN6Jw==,type:comment]\n",
        "    sub: ENC[AES256_GCM,data:8g==,iv:hkpdgkVtdKvmzSPvbhcpKZUdup6wZXHUXVEDxhBJa2Y=,tag:jqdTFu9HEuiejSYdOS7TkQ==,type:int]\n",
        "    #ENC[AES256_GCM,data:QbUDzrkMasKH76cYO/rYnA4vgA5CjEDD+Q==,iv:RSP/agDLL8bw/dbx4AzNHV/xYYtFvNk2CCxwOavGM9I=,tag:XEiOgsdrf2D5tmtpHvvXfA==,type:comment]\n",
        "list:\n",
        "    - ENC[AES256_GCM,data:iJQqZtlz4j+RBitja/R5zpys,iv:ljkNjtu2TyrejpYa4TNayya69JIwwaJMqZ13EORkGW8=,tag:xqhZsDUzxxzygqDxhvF8Ag==,type:comment]\n",
        "    - ENC[AES256_GCM,data:C3uAuIa8/14TqyEqJ1g=,iv:rKGHoG4u2uuPP2fbCUJMeDe3EIDDBqBT2qUD+FGxBsU=,tag:wf867lT7GBf7hA9g33CMSw==,type:comment]\n",
        "    - ENC[AES256_GCM,data:idT1/7I=,iv:Wsu1XoGFkDMKc+E98c4nTkjpEG9utnzoB5fa30olITo=,tag:fJjRg87K7ta3wVC7FDXKXQ==,type:str]\n",
        "    - ENC[AES256_GCM,data:0kADIyjgXPe8BkA+1YE=,iv:NXH8sJlrIIAXH5TmpYURUd22AEpCQTnmmC0+SUFCjeI=,tag:6RKdH20tfxsHD7zc85on/g==,type:comment]\n",
        "    - ENC[AES256_GCM,data:AtKcx/Q=,iv:niyN61aimT0y1dTzcFg3xACrLKqRX/wFdpev2KBUBqQ=,tag:V94Z+Zo3CndMCK/Jywj6RQ==,type:str]\n",
        "    - ENC[AES256_GCM,data:Q32iVcINI8nyqm9LnfWxVA==,iv:7tWLpkXkFxcFTOwUpahLCE8C3+r+w+4oYOAqSNcTkPk=,tag:j1xD1moppc5qu/rJBnSp+Q==,type:comment]\n",
        "key3: ENC[AES256_GCM,data:Xus=,iv:BC+17QV6ER2qOXRXqkJMMk6nSI6w4NGqV1WcbmrcHgY=,tag:aB4Q85G31TIvXcM2EPy+DQ==,type:str]\n",
        "#ENC[AES256_GCM,data:NWF+qN02z4Qb4wxBXAkRM0+RWQTZvnQz,iv:oRYZGcdy4v2+qgkAvjNSvhkYziVKhoM7IKsDP5kHlFI=,tag:LXcE1TyAJUQFWHElcX43vg==,type:comment]\n",
        "sops:\n",
        "    age:\n",
        "        - recipient: age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr\n",
        "          enc: |\n",
        "            -----BEGIN AGE ENCRYPTED FILE-----\n",
        "            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBiaUVHaWdtdHA5V0ZCa1Z3\n",
        "            VHdLaFFaWStGM1ZsK3BkQjJmQUxhSVhUV1Y0Ck9WVFFKeU16NGRISGY0dDJPRDhz\n",
        "            NnpJRzV4cU9xak1MdGJYVkNFbjVob0kKLS0tIEhJcElSK20zVWF1SytsVXNyMUMw\n",
        "            WXE4TFZkZkVQL2VUTm1ZOEVURWZQVWcKReoeykvZv+ArDQKPpjoTnM8pIylQHw4L\n",
        "            aHRab7f+VOs7fN0vcbcXgbS0Pp0ouNkKXaB8Dno3uonMDzxzwFO3kw==\n",
        "            -----END AGE ENCRYPTED FILE-----\n",
        "    lastmodified: \"2026-11-24T16:30:48Z\"\n",
        "    mac: ENC[AES256_GCM,data:t16cKvS48s+KtSQTkj7pJlRyP7fgPyTzYMPi3x6n2iQwuOsNjsd9YR/HULTE/Ox/m+/PXD0xu7st5R9RXOUoGi5MZnB4wSwPJp2CMPjF3MylNGNjnmVRTSRJHbRuKZxPL/dI7BrL9xmLG3TD87+b6hoKPmuXSM6wIT3FOe/DD3A=,iv:5hadWHEOOcF+LHsEqTrDovikF1+8PvTT3fry5R1l2Rg=,tag:u8LrUe43CJLQdAyksUzYqA==,type:str]\n",
        "    unencrypted_suffix: _unencrypted\n",
        "    version: 3.11.0\n",
    );

    const COMMENTS_DEC: &str = concat!(
        "# Head comment of document\n",
        "# second head paragraph\n",
        "# line comment on key1\n",
        "key1: value1\n",
        "# comment before key2\n",
        "key2:\n",
        "    # head comment inside map\n",
        "    # line on sub\n",
        "    sub: 1\n",
        "    # foot comment inside map?\n",
        "list:\n",
        "    # before first item\n",
        "    # line on item1\n",
        "    - item1\n",
        "    # between items\n",
        "    - item2\n",
        "    # after last item\n",
        "key3: v3\n",
        "# trailing comment at end\n",
    );

    #[test]
    fn comments_vector_encrypted() {
        let e = encs(COMMENTS_ENC);
        let ec = |n: usize| E::C(Box::leak(e[n].clone().into_boxed_str()));
        let tree = doc(vec![
            ec(0),
            ec(1),
            ec(2),
            p("key1", s(&e[3])),
            ec(4),
            p("key2", mv(vec![ec(5), ec(6), p("sub", s(&e[7])), ec(8)])),
            p("list", l((9..15).map(|n| s(&e[n])).collect())),
            p("key3", s(&e[15])),
            ec(16),
        ]);
        assert_eq!(
            encrypted(&tree, &age_metadata(COMMENTS_ENC), 4),
            COMMENTS_ENC
        );
    }

    #[test]
    fn comments_vector_decrypted() {
        let tree = doc(vec![
            c(" Head comment of document"),
            c(" second head paragraph"),
            c(" line comment on key1"),
            p("key1", s("value1")),
            c(" comment before key2"),
            p(
                "key2",
                mv(vec![
                    c(" head comment inside map"),
                    c(" line on sub"),
                    p("sub", i(1)),
                    c(" foot comment inside map?"),
                ]),
            ),
            p(
                "list",
                l(vec![
                    lc(" before first item"),
                    lc(" line on item1"),
                    s("item1"),
                    lc(" between items"),
                    s("item2"),
                    lc(" after last item"),
                ]),
            ),
            p("key3", s("v3")),
            c(" trailing comment at end"),
        ]);
        assert_eq!(plain(&tree, 4), COMMENTS_DEC);
        // Must fail: the same tree without its last comment loses the last line.
        let mut shorter = tree.clone();
        shorter.branches[0].items.pop();
        assert_ne!(plain(&shorter, 4), COMMENTS_DEC);
    }

    const SHAMIR_ENC: &str = concat!(
        "hello: ENC[AES256_GCM,data:P42cgqs=,iv:JtmH27ryRSbfNLZJTaE5vBG2VoGOtDs4ak7r6/Gkgns=,tag:3ZBQeHF998ORUsWAvpmEoA==,type:str]\n",
        "num: ENC[AES256_GCM,data:o1M=,iv:+Y0vPvDg8BE4/4PaCluWQhrJduvwqQpYjmbw/tl6ZFQ=,tag:k5XDhI116g0XnlEyHKSCgA==,type:int]\n",
        "flt: ENC[AES256_GCM,data:CWx+,iv:FCfRqxX4BPvA0T7m/7kzciSka4WStF+bTUiJxOLSKQU=,tag:QUr9OgZ1gbg6lZ7LYfq+wQ==,type:float]\n",
        "yes_bool: ENC[AES256_GCM,data:Yx69rIo=,iv:RAodvlaheXCXI+GGe44vJh4UrMTuhlv3OeUhuLaFSL8=,tag:r7k1P4pZM+4lAWI75gjesw==,type:bool]\n",
        "nul: null\n",
        "empty: \"\"\n",
        "list:\n",
        "    - ENC[AES256_GCM,data:1Q==,iv:dmBxQoJ/qbNoRmPayXS6z+UWSWY0W0g39AbAsniNeOw=,tag:OPZNbALoJW3XsEQWfoNWgg==,type:str]\n",
        "    - ENC[AES256_GCM,data:0A==,iv:yL7fDuESgkLQ50yuBaAbuXwW8ihOYLHxnyUx8A/ufNI=,tag:Eog0j814Oa2Qp+WXD6aLJQ==,type:int]\n",
        "    - - ENC[AES256_GCM,data:eA==,iv:iiTCruKw9dpOgUVFuR5sRu6IG0wvkPK0LmSZrZsQwVI=,tag:ABkELU5UnZ1LHsy+UwJOJA==,type:str]\n",
        "      - deep: ENC[AES256_GCM,data:og==,iv:9S+3KpuWAQ64Vxo1/+yyOIdBlO3ZxMM5viQNF6c4fgk=,tag:kAhyZOmaLW6WpIXdV3bpEA==,type:str]\n",
        "nested:\n",
        "    key: ENC[AES256_GCM,data:JjIIiBQ=,iv:kaYAtYhX6CiJ6v/+1x0S6qU9FbIw2pvUldXVF+dmgZw=,tag:hE9HQJhIiO8I55HhpPABcA==,type:str]\n",
        "    deeper:\n",
        "        x: ENC[AES256_GCM,data:MKiUeg==,iv:5KzLP5d/35OSMnUf0v+RWkB/TZkK22FNxpsgHYm4UiE=,tag:2eHVcZSj3CE0/QtHMkkDpw==,type:float]\n",
        "secret_unencrypted: visible\n",
        "sops:\n",
        "    shamir_threshold: 2\n",
        "    key_groups:\n",
        "        - hc_vault: []\n",
        "          age:\n",
        "            - recipient: age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr\n",
        "              enc: |\n",
        "                -----BEGIN AGE ENCRYPTED FILE-----\n",
        "                YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBINGEyd0dhdjRRMVRkYWtF\n",
        "                aFZsMStQT2ZwYWVCVWtsRWpSZXByMU5Va2dJClZRK0J2MkVnSXhIeVMvWDhUdS9G\n",
        "                WExDL0JibENLYkMvaEJzV0IyWkN0SDAKLS0tIDcrYmJwb1h4ZzFkSHhWbzZxcjNy\n",
        "                NFNMOUJrYzFQUkZLcDQ0QUltbDBaaUEK917La2TOobOWN1P15wv9C5bWVoK3Io3i\n",
        "                /HnCQWv7npMZtx8dV/rfzzkCVLbCZZLR4dyNk0LKpj/Sqz/t1XKMXUg=\n",
        "                -----END AGE ENCRYPTED FILE-----\n",
        "        - hc_vault: []\n",
        "          age:\n",
        "            - recipient: age1sejqed925yw6jgarccflp4x5ywce2kt82nr4l5ytyaz4t7f344ns3ghk62\n",
        "              enc: |\n",
        "                -----BEGIN AGE ENCRYPTED FILE-----\n",
        "                YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSA2eG9OTXQ4M3BqcVRSM2ZI\n",
        "                U0JvVTBVSHBXbWxaZGtsOTdGOVlpTVVFNlFzCkdjOWtSYWhuTHZxMkc2TUVReGds\n",
        "                MjVxOHo1QnVZdnZCcHcvV2RXaGVzTWMKLS0tIHE3emJ2M3N4S2g5UE9MczV3eU1j\n",
        "                V2VQN3BrNWErUHN5TlpORFdJcVNpcTQKj9Kmrvgodk/oP7vGSWnPM5jzLWT6Bcze\n",
        "                IbL9jw4Lb/VqyxZFGclOn2uoKuA5HsNpWW19DIUnCaPTnKiZnR0B6Fs=\n",
        "                -----END AGE ENCRYPTED FILE-----\n",
        "        - hc_vault: []\n",
        "          age:\n",
        "            - recipient: age1mp433lm35l5uauxxr744ehq6djl23phy36ux79kct2xek7jt332qvj88we\n",
        "              enc: |\n",
        "                -----BEGIN AGE ENCRYPTED FILE-----\n",
        "                YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSA3eTdPM0Vrai8zZWdRZW9J\n",
        "                aEZSN3FseWtRNnNGZEMvYlhTZFM4NU1ac2hRCkJLUXUwN3l4OUxMeHhHNVdKY3dV\n",
        "                OWZ0d0tZdG5tYjQ3ano1ZUJSR3g0aGMKLS0tIEU2WVRvWUVhYUw0S2U3R0lCaitr\n",
        "                TWtLV1phM0VtT1EzQ3QrL01hT2tCMUkK7pwypdGAAEsiAV9K7/9U2wO3Ovmu/hIU\n",
        "                wGFq44gakuyyK8kEYgi5D2SKkjcx7eU0B6wSuI18CexsaXSHFrrG9pI=\n",
        "                -----END AGE ENCRYPTED FILE-----\n",
        "    lastmodified: \"2026-11-24T16:30:57Z\"\n",
        "    mac: ENC[AES256_GCM,data:t3xb5Tn3xF5ivE9eigLed9EUsMMfr/nEa5gFbPC5P4xxharH9zNC+Mod8v3k4zd0yPe0Y7K1n2swT7f18W4XDr9vb5dnPREd7D8jUVO+fKUwMXfQiHVIj8OPSFp44r2SAYG8+ABSPks+2BqVm4WJVFTBqsAz8Q0Lcf946rnfnKQ=,iv:hysaon6ptSDtJqU66eFIZONK9+kEGyGzjU2Xs4OrPsQ=,tag:475f4CO2X6wmocY5JEEOeQ==,type:str]\n",
        "    unencrypted_suffix: _unencrypted\n",
        "    version: 3.11.0\n",
    );

    #[test]
    fn shamir_vector_metadata_layout() {
        let t = SHAMIR_ENC;
        let e = encs(t);
        let group = |n: usize| {
            mv(vec![
                p("hc_vault", l(vec![])),
                p("age", l(vec![age_entry(t, n)])),
            ])
        };
        let md = m(vec![
            p("shamir_threshold", i(2)),
            p("key_groups", l(vec![group(0), group(1), group(2)])),
            p("lastmodified", s(&field(t, "lastmodified: "))),
            p("mac", s(e.last().unwrap())),
            p("unencrypted_suffix", s("_unencrypted")),
            p("version", s("3.11.0")),
        ]);
        let tree = doc(vec![
            p("hello", s(&e[0])),
            p("num", s(&e[1])),
            p("flt", s(&e[2])),
            p("yes_bool", s(&e[3])),
            p("nul", Value::Null),
            p("empty", s("")),
            p(
                "list",
                l(vec![
                    s(&e[4]),
                    s(&e[5]),
                    l(vec![s(&e[6]), mv(vec![p("deep", s(&e[7]))])]),
                ]),
            ),
            p(
                "nested",
                mv(vec![
                    p("key", s(&e[8])),
                    p("deeper", mv(vec![p("x", s(&e[9]))])),
                ]),
            ),
            p("secret_unencrypted", s("visible")),
        ]);
        assert_eq!(encrypted(&tree, &md, 4), t);
    }

    const INDENT2_ENC: &str = concat!(
        "list:\n",
        "  - name: ENC[AES256_GCM,data:TQ==,iv:93lSaOVdXpHr4VTAYUypwtddEfD9MIAgWGXZG76Zxvg=,tag:iiYqlgeg+vF7s8SIbDWC+g==,type:str]\n",
        "    sub:\n",
        "      x: ENC[AES256_GCM,data:KA==,iv:oylp3eiKlsPvEG+1LL88TeY+NytzxKdHYY3c7VB6SDs=,tag:Fu80SC0w9Onr03kwq6yVEg==,type:int]\n",
        "    lst:\n",
        "      - ENC[AES256_GCM,data:Bw==,iv:a/USSddM1pZWMicSEPB0ADLlmSjw64mVo/VBtN0FXgM=,tag:WogRy54OtOyihQwBRgVnzA==,type:int]\n",
        "      - ENC[AES256_GCM,data:Ww==,iv:4jzoNfHpo3NtmSbSeui6akxG9KwVb7YOZw4rWcoo+Tc=,tag:/GBpb6L06TQU4eLSkbdesw==,type:int]\n",
        "    blk: ENC[AES256_GCM,data:76x/V88=,iv:Kk38IVZrAjWM7ELsmmI9/u+sFvsWbincRYswaTvutY4=,tag:5BBztCudS/bD7NTVn80Bxg==,type:str]\n",
        "  - - ENC[AES256_GCM,data:4PhPlyaY,iv:faVwQ1kULNDLVSMlg48asESKse88ZoloTdlFxZ5pPOk=,tag:6bRUdELz5Vou01JFv+7zQA==,type:str]\n",
        "    - ENC[AES256_GCM,data:kIaEPg==,iv:6LbCLAiHyMXo509eQ+J/zI+K941Viqy9VY/M31vgDa8=,tag:LKVTnn+OeSbgwkj05piFDw==,type:str]\n",
        "  - {}\n",
        "  - []\n",
        "  - null\n",
        "map_of_lists:\n",
        "  k:\n",
        "    - ENC[AES256_GCM,data:Ng==,iv:tVTytdJIbuR2xco+gW9A/QAG6rugsEHy3Jb3HsHyy/0=,tag:UoEKX4gRRDSmJsHLZI8KLQ==,type:str]\n",
        "    - ENC[AES256_GCM,data:Pg==,iv:I2Hf6YTCYFyan/0jWffGxd583poPzv2Ajvwo6U/Nn1c=,tag:Cn2bP+1FC0ChpHKIfGjgGw==,type:str]\n",
        "flow_map:\n",
        "  a: ENC[AES256_GCM,data:sg==,iv:CKFoMaFmkO7kXGQuqta6L2+4rXIv2cwbIm/b71yM00g=,tag:NM1/2T+p3Kt5UQX87ip1Lg==,type:int]\n",
        "  b:\n",
        "    - ENC[AES256_GCM,data:qQ==,iv:zykcMrvvFHKmUNiRpmbC7fL2yzaTJfsZDz7kjprSj1Q=,tag:7PdceeU1FYbWhGb1S0DRCA==,type:str]\n",
        "    - ENC[AES256_GCM,data:jw==,iv:AuhzMnrqdaniF6pLNFeyYTRYkJcHQJY/MXCb4Xk8MTg=,tag:Q9wJpdmE5wvUtc1k+xDXDg==,type:str]\n",
        "sops:\n",
        "  age:\n",
        "    - recipient: age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr\n",
        "      enc: |\n",
        "        -----BEGIN AGE ENCRYPTED FILE-----\n",
        "        YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBrWXI1UHZER096QUxlc1NU\n",
        "        a1d5K0dqejk2RmVWUU5saTRlZElaR2RxVVI4CjlMdm1UZTNSVUdjVURIQXpKM0JZ\n",
        "        Vmc0Z1BQaDlPS1ovb0dOc0twNjlDY1EKLS0tIC9OR01uZVhPaUZqS2ovOTVhVmEw\n",
        "        MDRWUm84WjAvZitFUGNmQ1ZxaXFnem8KiKfq1Dz2RiURKoEqYt6+WoxXvJV6amT8\n",
        "        8qEwOWtvPCCRy3rZMRWMh8t8QvVWdbiK8ysSel6Jc6LbgwNp1bTy7Q==\n",
        "        -----END AGE ENCRYPTED FILE-----\n",
        "  lastmodified: \"2026-11-24T16:30:49Z\"\n",
        "  mac: ENC[AES256_GCM,data:sfsv1Zoe2rNniaTK9x6gSeMZ1FLEzyvrezw3wgdooQSKe/Jtaaz46sbwh2jFwr3ifsTsybKVUlxKN7lLrAJaVgmBxLAhknjGBP9vRULjh5v06bZI55jdkk47Rrvl+s1GdJVBFiHPYChL8B/8Bh+YAIUWdYhPGHsyWeoYN074kPY=,iv:/WEXZNnrF7SQuoKH0qfE7cHOZWhdTJ5q1F8hvOoZMvA=,tag:kPsqgJx7uJZ8P9ijoILX5A==,type:str]\n",
        "  unencrypted_suffix: _unencrypted\n",
        "  version: 3.11.0\n",
    );

    const NESTING_DEC: &str = concat!(
        "list:\n",
        "    - name: a\n",
        "      sub:\n",
        "        x: 1\n",
        "      lst:\n",
        "        - 1\n",
        "        - 2\n",
        "      blk: |\n",
        "        text\n",
        "    - - nested\n",
        "      - list\n",
        "    - {}\n",
        "    - []\n",
        "    - null\n",
        "map_of_lists:\n",
        "    k:\n",
        "        - a\n",
        "        - b\n",
        "flow_map:\n",
        "    a: 1\n",
        "    b:\n",
        "        - x\n",
        "        - \"y\"\n",
    );

    /// `yaml-nesting.plain.yaml`, with its leaves replaced by `leaf(n)`.
    fn nesting_tree(leaf: &dyn Fn(usize) -> Value) -> Tree {
        doc(vec![
            p(
                "list",
                l(vec![
                    mv(vec![
                        p("name", leaf(0)),
                        p("sub", mv(vec![p("x", leaf(1))])),
                        p("lst", l(vec![leaf(2), leaf(3)])),
                        p("blk", leaf(4)),
                    ]),
                    l(vec![leaf(5), leaf(6)]),
                    mv(vec![]),
                    l(vec![]),
                    Value::Null,
                ]),
            ),
            p("map_of_lists", mv(vec![p("k", l(vec![leaf(7), leaf(8)]))])),
            p(
                "flow_map",
                mv(vec![p("a", leaf(9)), p("b", l(vec![leaf(10), leaf(11)]))]),
            ),
        ])
    }

    #[test]
    fn indent2_vector_encrypted() {
        let e = encs(INDENT2_ENC);
        let tree = nesting_tree(&|n| s(&e[n]));
        assert_eq!(encrypted(&tree, &age_metadata(INDENT2_ENC), 2), INDENT2_ENC);
    }

    #[test]
    fn nesting_vector_decrypted() {
        let leaves = [
            s("a"),
            i(1),
            i(1),
            i(2),
            s("text\n"),
            s("nested"),
            s("list"),
            s("a"),
            s("b"),
            i(1),
            s("x"),
            s("y"),
        ];
        let tree = nesting_tree(&|n| leaves[n].clone());
        assert_eq!(plain(&tree, 4), NESTING_DEC);
    }

    const MULTIDOC_DEC: &str = concat!(
        "base:\n",
        "    a: 1\n",
        "    b: two\n",
        "ref:\n",
        "    a: 1\n",
        "    b: two\n",
        "merged:\n",
        "    !!merge <<:\n",
        "        a: 1\n",
        "        b: two\n",
        "    c: 3\n",
        "scalar_anchor: hello\n",
        "scalar_alias: hello\n",
        "---\n",
        "doc2: second\n",
        "list:\n",
        "    - 1\n",
        "    - 2\n",
        "---\n",
        "# only comment doc3\n",
        "doc3: x\n",
    );

    #[test]
    fn multidoc_vector_decrypted() {
        let ab = || mv(vec![p("a", i(1)), p("b", s("two"))]);
        let tree = Tree {
            branches: vec![
                m(vec![
                    p("base", ab()),
                    p("ref", ab()),
                    p("merged", mv(vec![p("<<", ab()), p("c", i(3))])),
                    p("scalar_anchor", s("hello")),
                    p("scalar_alias", s("hello")),
                ]),
                m(vec![p("doc2", s("second")), p("list", l(vec![i(1), i(2)]))]),
                m(vec![c(" only comment doc3"), p("doc3", s("x"))]),
            ],
        };
        assert_eq!(plain(&tree, 4), MULTIDOC_DEC);
    }

    #[test]
    fn non_string_keys_bytes_and_uint64() {
        let tree = doc(vec![
            E::K(i(1), s("one")),
            E::K(Value::Bool(true), s("t")),
            E::K(Value::Null, s("n")),
            E::K(Value::Float(1.5), s("f")),
            p("big", Value::Uint64(18446744073709551615)),
            p("bin", Value::Bytes(Zeroizing::new(vec![0xff, 0xfe, 0x00]))),
            p("bin_long", Value::Bytes(Zeroizing::new(vec![0xff; 60]))),
            p("utf8_bytes", Value::Bytes(Zeroizing::new(b"yes".to_vec()))),
            p(
                "when",
                Value::Time(Timestamp {
                    year: 2001,
                    month: 12,
                    day: 14,
                    hour: 21,
                    minute: 59,
                    second: 43,
                    nanosecond: 100_000_000,
                    offset_seconds: Some(-5 * 3600),
                }),
            ),
        ]);
        let long = "/".repeat(70) + "\n    " + &"/".repeat(10);
        let want = format!(
            "1: one\ntrue: t\nnull: \"n\"\n1.5: f\nbig: 18446744073709551615\nbin: !!binary //4A\n\
             bin_long: !!binary |\n    {long}\nutf8_bytes: \"yes\"\nwhen: 2001-12-14T21:59:43.1-05:00\n"
        );
        assert_eq!(plain(&tree, 4), want);
    }

    const QUIRKS_DEC_INDENT2: &str = concat!(
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
        "  - m:\n",
        "      - \"n\":\n",
        "          o:\n",
        "            p: 1\n",
        "          q: |\n",
        "            blk\n",
        "      - - - x\n",
        "          - \"y\"\n",
        "        - z\n",
        "  - - a: 1\n",
        "      b:\n",
        "        c: 2\n",
        "# keys: 128 bytes simple, 129 bytes explicit \"? key\"\n",
        "K128: simple\n",
        "? K129\n",
        ": complex\n",
        "? K1292\n",
        ": - a\n",
        "  - b\n",
        "? |-\n",
        "  key\n",
        "  with newline\n",
        ": v\n",
        "# block scalar indicators\n",
        "lead_space: |2-\n",
        "    indented\n",
        "  second\n",
        "lead_break: |2-\n",
        "\n",
        "  leading break\n",
        "keep: |+\n",
        "  a\n",
        "  b\n",
        "\n",
        "# double-quoted escapes and quirks\n",
        "bom_start: \"\\uFEFF\\x78\"\n",
        "bom_inside: \"x\\uFEFFy\"\n",
        "merge_like: !!merge <<\n",
        "space_before_break: \"line1 \\nline2\"\n",
        "tab_first_multiline: null\n",
    );

    #[test]
    fn emitter_quirks_vector_indent2() {
        assert_eq!(plain(&quirks_tree(), 2), k128(QUIRKS_DEC_INDENT2));
    }

    /// A comment after a map or list element of a list is that element's foot
    /// comment; go-yaml only writes it at the next foot-comment opportunity
    /// (after the next scalar value, before the next block, or at document end
    /// after a blank line) — `sops -d` of an edited encrypted file shows it.
    #[test]
    fn pending_foot_comments_of_collection_items() {
        let tree = doc(vec![
            p("d", l(vec![mv(vec![p("x", i(1))]), lc(" c0")])),
            p("e", s("v")),
            p("f", l(vec![l(vec![i(1)]), lc(" c1")])),
            p("g", l(vec![mv(vec![p("y", i(2))]), lc(" c2")])),
        ]);
        let want =
            "d:\n    - x: 1\ne: v\n# c0\n\nf:\n    - - 1\ng:\n# c1\n    - \"y\": 2\n\n# c2\n";
        assert_eq!(plain(&tree, 4), want);
    }

    /// `a: {} # c` / `c: [] # d`: a collection holding only comments. sops
    /// writes the map's comment between the braces (the encrypted file) and the
    /// list's after it, at the next key.
    #[test]
    fn comment_only_collections() {
        let tree = doc(vec![
            p("a", mv(vec![c("ENC[x]")])),
            p("b", i(1)),
            p("c", l(vec![lc(" d")])),
            p("e", l(vec![lc(" x"), mv(vec![]), i(1)])),
            p("f", i(1)),
        ]);
        let want = "a: {\n    #ENC[x]\n}\nb: 1\nc: []\n# d\ne:\n    # x\n    - {}\n    - 1\nf: 1\n";
        assert_eq!(plain(&tree, 4), want);
    }

    #[test]
    fn extract_values() {
        let value = |v: &Value| String::from_utf8(emit_value(v, 2).unwrap()).unwrap();
        assert_eq!(value(&i(42)), "42\n");
        assert_eq!(value(&Value::Bool(false)), "false\n");
        assert_eq!(value(&Value::Float(1e6)), "1e+06\n");
        assert_eq!(value(&Value::Null), "null\n");
        assert_eq!(value(&s("x\ny")), "|-\n    x\n    y\n");
        let list = l(vec![
            s("a"),
            i(1),
            l(vec![s("x"), mv(vec![p("deep", s("y"))])]),
            s("a\nb"),
        ]);
        assert_eq!(
            value(&list),
            "- a\n- 1\n- - x\n  - deep: \"y\"\n- |-\n  a\n  b\n"
        );
        // yaml.Marshal always indents by 4, whatever the store's indent.
        let deep = l(vec![mv(vec![p(
            "a",
            mv(vec![p("b", mv(vec![p("c", i(1))]))]),
        )])]);
        assert_eq!(value(&deep), "- a:\n    b:\n        c: 1\n");
        assert_eq!(value(&l(vec![])), "[]\n");
        assert!(emit_value(&lc("x"), 4).is_err());
    }

    #[test]
    fn empty_documents_and_separators() {
        let tree = Tree {
            branches: vec![m(vec![p("a", i(1))]), Map::new(), m(vec![p("b", i(2))])],
        };
        assert_eq!(plain(&tree, 4), "a: 1\n---\n{}\n---\nb: 2\n");
        assert_eq!(plain(&Tree::default(), 4), "");
        let md = m(vec![p("version", s("3.11.0"))]);
        let enc = String::from_utf8(emit_encrypted(&tree, &md, 2).unwrap()).unwrap();
        assert_eq!(
            enc,
            "a: 1\nsops:\n  version: 3.11.0\n---\nsops:\n  version: 3.11.0\n---\nb: 2\nsops:\n  version: 3.11.0\n"
        );
    }

    #[test]
    fn many_leaves_are_fast() {
        let items: Vec<E> = (0..100_000)
            .map(|n| {
                p(
                    format!("key{n}"),
                    s("ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]"),
                )
            })
            .collect();
        let tree = doc(items);
        let start = std::time::Instant::now();
        let out = emit_plain(&tree, 4).unwrap();
        assert!(out.len() > 5_000_000);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    /// `yaml-basic.plain.yaml` after encryption, leaves taken from the golden file.
    fn basic_encrypted_tree(t: &str) -> Tree {
        let e = encs(t);
        doc(vec![
            p("hello", s(&e[0])),
            p("num", s(&e[1])),
            p("flt", s(&e[2])),
            p("yes_bool", s(&e[3])),
            p("nul", Value::Null),
            p("empty", s("")),
            p(
                "list",
                l(vec![
                    s(&e[4]),
                    s(&e[5]),
                    l(vec![s(&e[6]), mv(vec![p("deep", s(&e[7]))])]),
                ]),
            ),
            p(
                "nested",
                mv(vec![
                    p("key", s(&e[8])),
                    p("deeper", mv(vec![p("x", s(&e[9]))])),
                ]),
            ),
            p("secret_unencrypted", s("visible")),
        ])
    }

    /// The literal block after `marker` (dedented, no final newline: `|-`).
    fn block_after(t: &str, marker: &str) -> String {
        let mut lines = t.lines().skip_while(|l| !l.ends_with(marker)).skip(1);
        let first = lines.next().unwrap();
        let indent = first.len() - first.trim_start().len();
        let mut out = first.trim_start().to_string();
        for line in lines {
            if !line.is_empty() && !line.starts_with(&" ".repeat(indent)) {
                break;
            }
            out.push('\n');
            out.push_str(line.get(indent..).unwrap_or(""));
        }
        out
    }

    const PGP_ENC: &str = concat!(
        "hello: ENC[AES256_GCM,data:d86Wl/4=,iv:Ks0P/mVG3GH+nwGxHVlEyXxBBfl3svzsOQiUEIkOdYE=,tag:jTgp7jzv0+jPKQliIAp64A==,type:str]\n",
        "num: ENC[AES256_GCM,data:8P0=,iv:8/Jnqr+K5OS8EOVvNoBrTaYM+bUpBRul1hRH3LAGwqg=,tag:7K/Hg4+tHxjkyEZqfPrerg==,type:int]\n",
        "flt: ENC[AES256_GCM,data:qwyB,iv:5Uho63np+lqM3N9a3eHXZSvj72vinsBKCMOQi6lLc3k=,tag:ew/kXfJhNAcj7nyLIW9kPA==,type:float]\n",
        "yes_bool: ENC[AES256_GCM,data:U62v584=,iv:eN4asVGorLJj+rnGYWiNb1AxwbhuEbgIscN8Cv0vit4=,tag:QV0FzWM9d76sgKEzGejlKA==,type:bool]\n",
        "nul: null\n",
        "empty: \"\"\n",
        "list:\n",
        "    - ENC[AES256_GCM,data:4Q==,iv:irud8VjXjUFOFZOAl/HysJYVw73uO+72u3fyFi+3QL8=,tag:5Bp5z4wpL2c1zqrc3cddNQ==,type:str]\n",
        "    - ENC[AES256_GCM,data:hQ==,iv:H1KRiUsnIfJVFoUL5ixBKcdKmvJ1yfd1aRpv7LrstkQ=,tag:4Ax+uRtHJo1Q17eeiqsHvg==,type:int]\n",
        "    - - ENC[AES256_GCM,data:mA==,iv:FoOKjMnMVy1mHhMEUicSawVVDoMf8uRG42uVTN4jhaA=,tag:MuYuPz6humaGvPYvm57MCQ==,type:str]\n",
        "      - deep: ENC[AES256_GCM,data:fg==,iv:52a+9Lr0AHlBi0DP5li0ymkDkx2FxOVuQuJOWWDN9Zs=,tag:kvK9XmOaPPRvJMcRcLwYrQ==,type:str]\n",
        "nested:\n",
        "    key: ENC[AES256_GCM,data:JPSMFQU=,iv:iWLDPN5s492yvWbo71tkCq6er6S6oCVZoMpfqanbcmI=,tag:umHMiKMpuUpIU5BTQzzj0g==,type:str]\n",
        "    deeper:\n",
        "        x: ENC[AES256_GCM,data:HfCa6g==,iv:LCi0cBCpCYz7iuHjzKF4oNn2+IicueorRDEYekILtus=,tag:8y2jnn1QfirtQP26exupJA==,type:float]\n",
        "secret_unencrypted: visible\n",
        "sops:\n",
        "    lastmodified: \"2026-11-24T16:31:02Z\"\n",
        "    mac: ENC[AES256_GCM,data:Jwvkg04++2w/ClSdfwCunRJ7b6tF70iQcMxkYDLZRDsgFTamYzXs0ohjta645i4Ku9D61c+suawh7O0xFjUhJFENxeQJ7NrAL9QDFtXC/2vjy8xxTM0h7aekXFP/aOM2CF3I/deuU4uafocLtlm35dyGwj9T9HlebdZmlCxZJyE=,iv:RfbG4Fo076jngOyafAU80oY4VPWA8dJNSTUkwXCjS7c=,tag:CuYluzZZAsNa7KHzFqDR4g==,type:str]\n",
        "    pgp:\n",
        "        - created_at: \"2026-11-24T16:31:02Z\"\n",
        "          enc: |-\n",
        "            -----BEGIN PGP MESSAGE-----\n",
        "\n",
        "            hQEMAyUpShfNkFB/AQgAi98dzFAfF6ljtVFysRHxdQWEFNqDvvTQBRlbjuHUL3z+\n",
        "            QSllZ/ZgXZj/qY8ix95rdKypCxbn43kzduOKxBXEbzgBsGmqQu2jfIfXUXzaPQiK\n",
        "            JGRT1Bae9zqtq5zf1RdODYHNlvslU6Vcs16XfXzsBZWlbt+65x/9TyF1IX51poJq\n",
        "            kx1SKwBpgecZRSdnUZUAhga1gskgji/dbbMhqggtg7HMrlLqRvILRQoLnyYicge0\n",
        "            fSnts6g9470/sgShOPK4YfafsXZEMTreEMVW25wt7ugXZ4Z5OF59JUhdgAMxHZy5\n",
        "            pi1q14eqtK3hIkAgEa7PbbADoU8zmdLSR6HhEQoqTdJeAcTO/uQJehBEsfkDjPuS\n",
        "            n3UVi3WyT/sGKIcicsas8V0AQ9WbHOHT+2pn8l77JD7p9l1hS/Qk3wStlDpSYSCq\n",
        "            1cyjd6DHmFSYZFTTNivDsYhZFNOM05SKGGhDEcKtVw==\n",
        "            =uTjg\n",
        "            -----END PGP MESSAGE-----\n",
        "          fp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n",
        "    unencrypted_suffix: _unencrypted\n",
        "    version: 3.11.0\n",
    );

    #[test]
    fn pgp_vector_metadata_layout() {
        let t = PGP_ENC;
        let md = m(vec![
            p("lastmodified", s(&field(t, "lastmodified: "))),
            p("mac", s(encs(t).last().unwrap())),
            p(
                "pgp",
                l(vec![mv(vec![
                    p("created_at", s(&field(t, "- created_at: "))),
                    p("enc", s(&block_after(t, "enc: |-"))),
                    p("fp", s("FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4")),
                ])]),
            ),
            p("unencrypted_suffix", s("_unencrypted")),
            p("version", s("3.11.0")),
        ]);
        assert!(block_after(t, "enc: |-").contains("-----\n\nhQEM"));
        assert_eq!(encrypted(&basic_encrypted_tree(t), &md, 4), t);
    }

    const KMS_ENC: &str = concat!(
        "hello: ENC[AES256_GCM,data:mBDKK9I=,iv:aIhUId71zzM2Wbtsko67MhdBC88IWkaUM/0PXr3AhLw=,tag:I4P6Mee86YDQyL7TKxumzw==,type:str]\n",
        "num: ENC[AES256_GCM,data:TpU=,iv:4HAsqABQ1xp85CEuoj0hwe7RqPfWLAujuksnx6nsazc=,tag:rbFK1/QHOyNVawHrc1lIeg==,type:int]\n",
        "flt: ENC[AES256_GCM,data:Ikzn,iv:lPpGSnXSBtiHiLPCrVxxQVGi57SHFoPJU3JPYQballA=,tag:sRJvpXJBuwqX2SrSr3gKog==,type:float]\n",
        "yes_bool: ENC[AES256_GCM,data:jhOEpcM=,iv:DqiKzClS1qCzagksS3E0Cbc1mmmwjceersrS19e5a/4=,tag:fNo2Oq2mccs6llQxW/37lA==,type:bool]\n",
        "nul: null\n",
        "empty: \"\"\n",
        "list:\n",
        "    - ENC[AES256_GCM,data:wQ==,iv:qwUbGV5a07NQYVuQMVaTgghPtl8ikvcJsR4ZzyNNUqQ=,tag:ttAoa4uoU4B7Bp6y+c7/Ng==,type:str]\n",
        "    - ENC[AES256_GCM,data:Fw==,iv:dWFx12G+tkW7RG5kh9QBEc7Z8vHcwZo7u0mRTDaRpak=,tag:c9iA3zPEZ5pDpfI+ltWiDw==,type:int]\n",
        "    - - ENC[AES256_GCM,data:cg==,iv:g50HD2aK2RondlTOfo9IQQ49q5NfgTeuH85BOG0vvv0=,tag:yI9UOncHvpM7W8zvt/KtXA==,type:str]\n",
        "      - deep: ENC[AES256_GCM,data:ew==,iv:dLmjvy5jFUrpMjOsc5q3BJqjlgD5uNesqev10mQNTpA=,tag:CTK+TwRDVJ6fwVdt7g9Qaw==,type:str]\n",
        "nested:\n",
        "    key: ENC[AES256_GCM,data:s7HMdlE=,iv:DPDvvbhwDnYqstuPSMDXNfERnqyjxyjbxWwHfZtm+Qo=,tag:aQBZRLMngEJumEsMqvmXjw==,type:str]\n",
        "    deeper:\n",
        "        x: ENC[AES256_GCM,data:9FOG2Q==,iv:iDlzIq21+qmA4ZFa/kRPvYjGo1QLsqZFy9pEPCSvJEc=,tag:N+2b62tVdseKbpZreof8Mg==,type:float]\n",
        "secret_unencrypted: visible\n",
        "sops:\n",
        "    kms:\n",
        "        - arn: arn:aws:kms:eu-west-3:123456789012:key/11111111-2222-3333-4444-555555555555\n",
        "          context:\n",
        "            app: web\n",
        "            env: prod\n",
        "          created_at: \"2026-11-24T16:31:08Z\"\n",
        "          enc: TU9DS0JMT0J7ImFwcCI6ICJ3ZWIiLCAiZW52IjogInByb2QifXyIXw7MOuSdMtSjFN6NkxaxJOoVDqw/7VHzUv6R7ZmWrQ==\n",
        "          aws_profile: \"\"\n",
        "        - arn: arn:aws:kms:us-east-2:123456789012:alias/myalias\n",
        "          role: arn:aws:iam::123456789012:role/sops-role\n",
        "          context:\n",
        "            app: web\n",
        "            env: prod\n",
        "          created_at: \"2026-11-24T16:31:08Z\"\n",
        "          enc: TU9DS0JMT0J7ImFwcCI6ICJ3ZWIiLCAiZW52IjogInByb2QifXyIXw7MOuSdMtSjFN6NkxaxJOoVDqw/7VHzUv6R7ZmWrQ==\n",
        "          aws_profile: \"\"\n",
        "    lastmodified: \"2026-11-24T16:31:08Z\"\n",
        "    mac: ENC[AES256_GCM,data:Sl5hoIYqIxXpJGIrZB2f4qtLmEWaRZRqaqyjQcM6PQYli6nF8hY3HhWpdU4imBlrsxbhE8T81GUgAvEFI1J7akxzUYupwLqnpJ5jaW6d5wXeJLjd2mYBNyFxj20VB7lHGzisp5OQ1y6ofr9XRmOUQGdDVqZ1fuXAhbUR8IHX4+I=,iv:r16KK+gE4Rya4W9lK+7rmBGufQA7drrw1OC0pmJRPLE=,tag:eeo0IlBHaN+BWZY0Uxk3Ng==,type:str]\n",
        "    unencrypted_suffix: _unencrypted\n",
        "    version: 3.11.0\n",
    );

    #[test]
    fn kms_vector_metadata_layout() {
        let t = KMS_ENC;
        let context = || mv(vec![p("app", s("web")), p("env", s("prod"))]);
        let created = field(t, "created_at: ");
        let enc = field(t, "enc: ");
        let md = m(vec![
            p(
                "kms",
                l(vec![
                    mv(vec![
                        p(
                            "arn",
                            s(
                                "arn:aws:kms:eu-west-3:123456789012:key/11111111-2222-3333-4444-555555555555",
                            ),
                        ),
                        p("context", context()),
                        p("created_at", s(&created)),
                        p("enc", s(&enc)),
                        p("aws_profile", s("")),
                    ]),
                    mv(vec![
                        p("arn", s("arn:aws:kms:us-east-2:123456789012:alias/myalias")),
                        p("role", s("arn:aws:iam::123456789012:role/sops-role")),
                        p("context", context()),
                        p("created_at", s(&created)),
                        p("enc", s(&enc)),
                        p("aws_profile", s("")),
                    ]),
                ]),
            ),
            p("lastmodified", s(&field(t, "lastmodified: "))),
            p("mac", s(encs(t).last().unwrap())),
            p("unencrypted_suffix", s("_unencrypted")),
            p("version", s("3.11.0")),
        ]);
        assert_eq!(encrypted(&basic_encrypted_tree(t), &md, 4), t);
    }

    const MAC_ONLY_ENC: &str = concat!(
        "hello: ENC[AES256_GCM,data:K5TAZME=,iv:/lOcqtjE6jIhlLj44UwMsIvo0/UtXtVtCDv6ABEm8UU=,tag:dCp/kiDT+hqf8HvB8CfcbA==,type:str]\n",
        "num: ENC[AES256_GCM,data:Xj4=,iv:GRLbBtmFeUTqnLRwMw0hnfhhCiJcOf9QWrlgwd/wU94=,tag:EkHCgQGvRSJj3AN0QTJJlw==,type:int]\n",
        "flt: ENC[AES256_GCM,data:kKt+,iv:2kw/631EItf2IQpYpyOkfoVusT90SursrN3yWVwla4U=,tag:4SrMuSwlOGh//cyOc/eiMg==,type:float]\n",
        "yes_bool: ENC[AES256_GCM,data:6Nfre6w=,iv:J2m5hn7yPXtjKrf/ZfhwuTrSHDz+kmOeEBiQnx5+emc=,tag:mqcGInQIY8AexEhIezdMdw==,type:bool]\n",
        "nul: null\n",
        "empty: \"\"\n",
        "list:\n",
        "    - ENC[AES256_GCM,data:RQ==,iv:OPoaUrhiAB9rHhIj714PZvazX52CeUAlC6P8T7zQd4k=,tag:/fTsXB9iKeXtgXRzj546Ww==,type:str]\n",
        "    - ENC[AES256_GCM,data:ng==,iv:7qvl9Pv1Kk3RkoSwLsOje7vER525BFlVU9LWayRALmY=,tag:3BVaAK0ikvoWcv5/eveCBQ==,type:int]\n",
        "    - - ENC[AES256_GCM,data:Lg==,iv:IlW8J5UEr5CxFogtZxeIT1o1+yYpB/S/UXXZ0vio/hU=,tag:iigve3kJLjOz9ZATRNravQ==,type:str]\n",
        "      - deep: ENC[AES256_GCM,data:Gw==,iv:PGHJGJ3nsjR2r85PuDrWiHwVanxBK7YGf4LMwm91Ins=,tag:aMcGjg+L6FP4R2XluS4KAw==,type:str]\n",
        "nested:\n",
        "    key: ENC[AES256_GCM,data:5pFzdZA=,iv:OWlfP/A5r7BAMT9cczkqr6MpFhHQ1VH+bG/V+WG4hfg=,tag:8HtcnHK6tolHroX+oVOYQw==,type:str]\n",
        "    deeper:\n",
        "        x: ENC[AES256_GCM,data:nvmZyA==,iv:TJ37eSD+Cbl5HRYjj9BtFoyAhUUHjaBMkg8lqymcNrE=,tag:6v1gLtQSZibYetcYpKS2mQ==,type:float]\n",
        "secret_unencrypted: visible\n",
        "sops:\n",
        "    age:\n",
        "        - recipient: age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr\n",
        "          enc: |\n",
        "            -----BEGIN AGE ENCRYPTED FILE-----\n",
        "            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBtTUdJN0srZEJXUER5TklY\n",
        "            ZnF5NDVVSWVMRFBSbUtyR1VuYzlyVWVuRmk4CjNaZFJIQkNHY2RTVHhnbTczSkw5\n",
        "            Rk96bWtURmIyVENmb0NUdFhOUmEwVWMKLS0tIFBvWXhjcmpQY3UyVnhrTWxvSSt1\n",
        "            aSsybTMyT21QU0RaSXF6dTZjdUxzMFEKPEZF3RKLH2f2NJcQ5FIsppEzOPdl3AKZ\n",
        "            KaT731aG8RtRvrr2kfB7KskXAG0PLQ3ipDrWoX7VX2FvJZrBK+MWcQ==\n",
        "            -----END AGE ENCRYPTED FILE-----\n",
        "    lastmodified: \"2026-11-24T16:30:49Z\"\n",
        "    mac: ENC[AES256_GCM,data:K7SOhvR29V054Ds9nqqM6AdQOCDwSJlZdyfRSy+INywzNHYXoa4+RT34N7GlobTfcvDRkD2wmlo9V2nvY0tqcxB9g1lP/JYnB437VSB3M54I5gXFGMMETjacGnRrGu+6o41GA7BFChPAFgjTh0yHln2MEl2kHkCdDgDOMZ9j0gY=,iv:DYh2Kgq/J6U0pDNvGYV3dKjwtFUtD/cjYV0yFz8a4ek=,tag:4kxAUNNeqbDJ5ff8J9alVw==,type:str]\n",
        "    unencrypted_suffix: _unencrypted\n",
        "    mac_only_encrypted: true\n",
        "    version: 3.11.0\n",
    );

    #[test]
    fn mac_only_vector_metadata_layout() {
        let t = MAC_ONLY_ENC;
        let mut md = age_metadata(t);
        md.items.insert(
            4,
            Item {
                key: Key::Str("mac_only_encrypted".into()),
                value: Value::Bool(true),
            },
        );
        assert_eq!(encrypted(&basic_encrypted_tree(t), &md, 4), t);
        // Must fail: a string "true" would be quoted.
        md.items[4].value = s("true");
        assert_ne!(encrypted(&basic_encrypted_tree(t), &md, 4), t);
    }

    /// Keys with line breaks other than LF, BOM keys and block scalars in
    /// lists (checked with `sops -d`).
    #[test]
    fn odd_keys_and_list_scalars() {
        let tree = doc(vec![
            p("a\u{85}b", i(1)),
            p("a\rb", i(2)),
            p("a\u{2028}b", i(3)),
            p("\u{feff}k", i(4)),
            p("a\u{2029}", i(5)),
            p("k\n", i(6)),
            p(" ", i(7)),
            p("lst", l(vec![s("\tx\ny"), s("a\u{2028}b"), s("x\n  y\n")])),
        ]);
        let want = concat!(
            "? \"a\\Nb\"\n: 1\n",
            "? \"a\\rb\"\n: 2\n",
            "? 'a\u{2028}    b'\n: 3\n",
            "\"\\uFEFF\\x6B\": 4\n",
            "? 'a\u{2029}'\n: 5\n",
            "? |\n    k\n: 6\n",
            "' ': 7\n",
            "lst:\n    - null\n    - 'a\u{2028}      b'\n    - |\n      x\n        y\n",
        );
        assert_eq!(plain(&tree, 4), want);
    }

    #[test]
    fn pending_head_comment_flushed_at_mapping_end() {
        let tree = Tree {
            branches: vec![
                m(vec![p("a", i(1)), p("c", l(vec![lc(" d")]))]),
                m(vec![p("b", i(2))]),
                m(vec![p("x", l(vec![lc(" e")]))]),
            ],
        };
        assert_eq!(
            plain(&tree, 4),
            "a: 1\nc: []\n# d\n---\nb: 2\n---\nx: []\n# e\n"
        );
    }
}
