//! The format-independent document tree every store reads into and writes from (spec §0).
//!
//! Every store converts its file format to this model and back; the cipher walk,
//! the MAC and the selection rules only ever see this model, so they behave the
//! same for YAML, JSON, dotenv, INI and binary files. Maps are ordered lists of
//! items (duplicate keys allowed, as sops keeps them for JSON), comments are
//! items of their own, and strings that may hold secrets are zeroized on drop.

use zeroize::Zeroizing;

/// A string that may hold a secret: zeroized when dropped.
pub type Text = Zeroizing<String>;

/// Makes a [`Text`] from anything string-like.
pub fn text(s: impl Into<String>) -> Text {
    Zeroizing::new(s.into())
}

/// A whole file: one branch per YAML document (exactly one for other formats).
#[derive(Clone, Default, PartialEq)]
pub struct Tree {
    /// The documents, in file order.
    pub branches: Vec<Map>,
}

/// An ordered mapping (a YAML/JSON object, a dotenv file, an INI section).
#[derive(Clone, Default, PartialEq)]
pub struct Map {
    /// Items in document order; duplicate keys are kept.
    pub items: Vec<Item>,
}

/// One entry of a [`Map`].
#[derive(Clone, PartialEq)]
pub struct Item {
    /// The key, or a comment marker.
    pub key: Key,
    /// The value; always [`Value::Null`] when `key` is a comment.
    pub value: Value,
}

/// A map key.
#[derive(Clone, PartialEq)]
pub enum Key {
    /// An ordinary string key (YAML keys that resolve to strings, all JSON/dotenv/INI keys).
    Str(String),
    /// A comment standing between map entries; the text excludes the leading `#`/`;`.
    Comment(Text),
    /// A YAML key that resolved to a non-string scalar (`1:`, `true:`): loads, but
    /// encryption refuses it (exit 23) as sops does.
    Scalar(Box<Value>),
}

/// A value in the tree.
#[derive(Clone, PartialEq)]
pub enum Value {
    /// A nested mapping.
    Map(Map),
    /// A sequence; may contain [`Value::Comment`] elements.
    List(Vec<Value>),
    /// A UTF-8 string.
    Str(Text),
    /// A Go string holding bytes that are not valid UTF-8 (binary store, `!!binary`).
    /// Encrypted with type `str` like any string.
    Bytes(Zeroizing<Vec<u8>>),
    /// A 64-bit signed integer (type `int`).
    Int(i64),
    /// A 64-bit float (type `float`).
    Float(f64),
    /// A boolean (type `bool`).
    Bool(bool),
    /// A YAML timestamp (type `time`).
    Time(Timestamp),
    /// Null: never encrypted, never hashed.
    Null,
    /// A comment inside a sequence (text excludes the leading `#`).
    Comment(Text),
    /// A YAML integer that fits only in uint64: loads, but encryption fails with
    /// sops's `unknown type: uint64` (exit 23).
    Uint64(u64),
}

/// A point in time as YAML timestamps and Go's `time.Time` carry it.
///
/// Kept as calendar fields plus the UTC offset so that the RFC 3339 text sops
/// writes (`MarshalText`) can be reproduced exactly, including `Z` vs `+00:00`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp {
    /// Four-digit year.
    pub year: i32,
    /// 1..=12.
    pub month: u8,
    /// 1..=31.
    pub day: u8,
    /// 0..=23.
    pub hour: u8,
    /// 0..=59.
    pub minute: u8,
    /// 0..=59.
    pub second: u8,
    /// 0..1_000_000_000.
    pub nanosecond: u32,
    /// Offset from UTC in seconds; `None` means UTC written as `Z`.
    pub offset_seconds: Option<i32>,
}

impl Map {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `key: value`.
    pub fn push(&mut self, key: impl Into<String>, value: Value) {
        self.items.push(Item {
            key: Key::Str(key.into()),
            value,
        });
    }

    /// The value of the first item whose key is the string `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.items.iter().find_map(|item| match &item.key {
            Key::Str(k) if k == key => Some(&item.value),
            _ => None,
        })
    }

    /// Removes every item whose key is the string `key`, returning the first value removed.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let mut first = None;
        let mut i = 0;
        while i < self.items.len() {
            if matches!(&self.items[i].key, Key::Str(k) if k == key) {
                let item = self.items.remove(i);
                if first.is_none() {
                    first = Some(item.value);
                }
            } else {
                i += 1;
            }
        }
        first
    }
}

impl Value {
    /// A string value.
    pub fn str(s: impl Into<String>) -> Self {
        Value::Str(text(s))
    }

    /// The type name sops uses in error messages (`int`, `map`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Map(_) => "map",
            Value::List(_) => "list",
            Value::Str(_) | Value::Bytes(_) => "string",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Bool(_) => "bool",
            Value::Time(_) => "time.Time",
            Value::Null => "nil",
            Value::Comment(_) => "comment",
            Value::Uint64(_) => "uint64",
        }
    }
}

// Debug must never print values: they may be secrets. Only the shape is shown.
impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Map(m) => m.fmt(f),
            Value::List(l) => f.debug_list().entries(l).finish(),
            other => write!(f, "<{}>", other.kind()),
        }
    }
}

impl std::fmt::Debug for Map {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        for item in &self.items {
            match &item.key {
                Key::Str(k) => m.entry(k, &item.value),
                Key::Comment(_) => m.entry(&"#", &"<comment>"),
                Key::Scalar(v) => m.entry(v, &item.value),
            };
        }
        m.finish()
    }
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Item").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Tree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.branches).finish()
    }
}
