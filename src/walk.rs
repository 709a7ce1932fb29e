//! The encrypt and decrypt tree walks, computing the MAC on the way (spec §1.3, §1.6, §1.7, §2, §3.1).
//!
//! One walker visits every branch depth-first in document order, exactly as
//! sops's `walkBranch`/`walkSlice` do, because the AAD, the selection rules and
//! the MAC all depend on that order. The AAD is kept in one string buffer
//! (push `key:` on the way down, truncate on the way up) and the selection
//! state travels with it, so a leaf costs one hash update and one AES-GCM call.

use crate::cipher::{Cipher, plaintext_of};
use crate::error::{Error, Result};
use crate::mac::MacHasher;
use crate::selection::{CommentStack, Selector};
use crate::tree::{Item, Key, Map, Tree, Value, text};

/// What a decrypt walk found besides the values.
#[derive(Debug)]
pub struct Decrypted {
    /// The MAC computed over the decrypted values.
    pub mac: String,
    /// Comments that did not decrypt and were kept in clear (sops warns about them).
    pub warnings: Vec<String>,
}

/// Encrypts every selected leaf of `tree` in place; returns the MAC of the plaintext.
pub fn encrypt_tree(
    tree: &mut Tree,
    cipher: &Cipher,
    selector: &Selector,
    mac_only_encrypted: bool,
) -> Result<String> {
    let mut w = Walker::new(cipher, selector, Mode::Encrypt, mac_only_encrypted);
    for branch in &mut tree.branches {
        w.walk_map(branch)
            .map_err(|e| Error::EncryptTree(format!("Error walking tree: {e}")))?;
    }
    Ok(w.hasher.finish())
}

/// Decrypts every selected leaf of `tree` in place and computes the MAC.
pub fn decrypt_tree(
    tree: &mut Tree,
    cipher: &Cipher,
    selector: &Selector,
    mac_only_encrypted: bool,
) -> Result<Decrypted> {
    let mut w = Walker::new(cipher, selector, Mode::Decrypt, mac_only_encrypted);
    for branch in &mut tree.branches {
        w.walk_map(branch)
            .map_err(|e| Error::DecryptTree(format!("Error walking tree: {e}")))?;
    }
    Ok(Decrypted {
        mac: w.hasher.finish(),
        warnings: w.warnings,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Encrypt,
    Decrypt,
}

struct Walker<'a> {
    cipher: &'a Cipher,
    selector: &'a Selector,
    mode: Mode,
    mac_only_encrypted: bool,
    hasher: MacHasher,
    /// The AAD of the current position: every map key followed by `:`.
    path: String,
    /// How many components of `path` match the selector's path rule.
    path_matches: usize,
    track_comments: bool,
    comments: CommentStack,
    warnings: Vec<String>,
}

/// Errors inside the walk are sops's inner messages; the caller adds the context.
type WalkResult = std::result::Result<(), String>;

impl<'a> Walker<'a> {
    fn new(cipher: &'a Cipher, selector: &'a Selector, mode: Mode, mac_only: bool) -> Self {
        Walker {
            cipher,
            selector,
            mode,
            mac_only_encrypted: mac_only,
            hasher: MacHasher::new(mac_only),
            path: String::with_capacity(128),
            path_matches: 0,
            track_comments: selector.uses_comments(),
            comments: CommentStack::default(),
            warnings: Vec::new(),
        }
    }

    /// `join(path, ":") + ":"`, which is `":"` at the top level.
    fn aad(&self) -> &[u8] {
        if self.path.is_empty() {
            b":"
        } else {
            self.path.as_bytes()
        }
    }

    fn decide(&self, is_comment: bool) -> bool {
        self.selector
            .should_encrypt(self.path_matches > 0, &self.comments, is_comment)
    }

    fn note_comment(&mut self, stored_text: &str) {
        if self.track_comments {
            let m = self.selector.comment_matches(stored_text);
            self.comments.add(m);
        }
    }

    fn push_level(&mut self) {
        if self.track_comments {
            self.comments.push_level();
        }
    }

    fn pop_level(&mut self) {
        if self.track_comments {
            self.comments.pop_level();
        }
    }

    fn clear_level(&mut self) {
        if self.track_comments {
            self.comments.clear_level();
        }
    }

    fn walk_map(&mut self, map: &mut Map) -> WalkResult {
        self.push_level();
        for Item { key, value } in &mut map.items {
            match key {
                Key::Comment(c) => {
                    self.note_comment(c);
                    if let Some(new_text) = self.comment_leaf(c)? {
                        *c = new_text;
                    }
                }
                Key::Scalar(k) => return Err(non_string_key(k)),
                Key::Str(k) => {
                    let value_is_comment = matches!(value, Value::Comment(_));
                    if let Value::Comment(c) = value {
                        self.note_comment(c);
                    }
                    let len = self.path.len();
                    let matched = self.selector.key_matches(k);
                    self.path.push_str(k);
                    self.path.push(':');
                    self.path_matches += usize::from(matched);
                    let r = self.walk_value(value);
                    self.path.truncate(len);
                    self.path_matches -= usize::from(matched);
                    r?;
                    if !value_is_comment {
                        self.clear_level();
                    }
                }
            }
        }
        self.pop_level();
        Ok(())
    }

    fn walk_list(&mut self, list: &mut [Value]) -> WalkResult {
        self.push_level();
        for v in list.iter_mut() {
            let is_comment = matches!(v, Value::Comment(_));
            if let Value::Comment(c) = v {
                self.note_comment(c);
            }
            self.walk_value(v)?;
            if !is_comment {
                self.clear_level();
            }
        }
        self.pop_level();
        Ok(())
    }

    fn walk_value(&mut self, v: &mut Value) -> WalkResult {
        match v {
            Value::Map(m) => self.walk_map(m),
            Value::List(l) => self.walk_list(l),
            Value::Null => Ok(()),
            Value::Uint64(_) => Err("Cannot walk value, unknown type: uint64".into()),
            _ => match self.mode {
                Mode::Encrypt => self.encrypt_leaf(v),
                Mode::Decrypt => self.decrypt_leaf(v),
            },
        }
    }

    fn hash(&mut self, v: &Value) {
        if let Some(p) = plaintext_of(v) {
            self.hasher.update(p.bytes());
        }
    }

    /// A comment standing as a map item; returns its new text, if it changes.
    fn comment_leaf(&mut self, c: &str) -> std::result::Result<Option<crate::tree::Text>, String> {
        let encrypted = self.decide(true);
        if !encrypted {
            return Ok(None);
        }
        match self.mode {
            Mode::Encrypt => {
                if c.is_empty() {
                    return Ok(None);
                }
                let enc = self
                    .cipher
                    .encrypt(c.as_bytes(), self.aad(), crate::cipher::ValueType::Comment)
                    .map_err(|e| format!("Could not encrypt value: {e}"))?;
                Ok(Some(text(enc)))
            }
            Mode::Decrypt => match self.cipher.decrypt(c, self.aad()) {
                Ok(Value::Comment(t)) => Ok(Some(t)),
                Ok(v @ (Value::Str(_) | Value::Bytes(_))) => {
                    // A comment stored with type `str` counts as a value, like in sops.
                    self.hash(&v);
                    Ok(Some(match v {
                        Value::Str(s) => s,
                        Value::Bytes(b) => text(String::from_utf8_lossy(&b).into_owned()),
                        _ => text(""),
                    }))
                }
                Ok(other) => Err(format!(
                    "walkValue of Comment should be either Comment or string, was {}",
                    go_type(&other)
                )),
                Err(_) => {
                    self.warn_clear_comment(c);
                    Ok(None)
                }
            },
        }
    }

    fn warn_clear_comment(&mut self, c: &str) {
        self.warnings.push(format!(
            "Found possibly unencrypted comment in file. This is to be expected if the file being decrypted was created with an older version of SOPS. comment={}",
            crate::cipher::go_quote(c)
        ));
    }

    fn encrypt_leaf(&mut self, v: &mut Value) -> WalkResult {
        let is_comment = matches!(v, Value::Comment(_));
        let encrypted = self.decide(is_comment);
        let Some(p) = plaintext_of(v) else {
            return Ok(());
        };
        if !is_comment && (!self.mac_only_encrypted || encrypted) {
            self.hasher.update(p.bytes());
        }
        if !encrypted {
            return Ok(());
        }
        let new = if p.bytes().is_empty() {
            // sops leaves empty values alone; an empty list comment becomes "".
            if is_comment {
                Some(Value::str(""))
            } else {
                None
            }
        } else {
            let enc = self
                .cipher
                .encrypt(p.bytes(), self.aad(), p.kind)
                .map_err(|e| format!("Could not encrypt value: {e}"))?;
            Some(Value::Str(text(enc)))
        };
        drop(p);
        if let Some(n) = new {
            *v = n;
        }
        Ok(())
    }

    fn decrypt_leaf(&mut self, v: &mut Value) -> WalkResult {
        let is_comment = matches!(v, Value::Comment(_));
        let encrypted = self.decide(is_comment);
        if encrypted {
            let decrypted = match &*v {
                Value::Comment(c) => match self.cipher.decrypt(c, self.aad()) {
                    Ok(d) => Some(d),
                    Err(_) => {
                        let c = c.to_string();
                        self.warn_clear_comment(&c);
                        None
                    }
                },
                Value::Str(s) => Some(
                    self.cipher
                        .decrypt(s, self.aad())
                        .map_err(|e| format!("Could not decrypt value: {e}"))?,
                ),
                Value::Bytes(b) => Some(
                    self.cipher
                        .decrypt(&String::from_utf8_lossy(b), self.aad())
                        .map_err(|e| format!("Could not decrypt value: {e}"))?,
                ),
                other => {
                    // sops 3.11 panics here; a clear non-string where a
                    // ciphertext belongs is a tampered or hand-edited file.
                    return Err(format!(
                        "Could not decrypt value: expected an encrypted string, found a value of type {}",
                        other.kind()
                    ));
                }
            };
            if let Some(d) = decrypted {
                *v = d;
            }
        }
        if (!self.mac_only_encrypted || encrypted) && !matches!(v, Value::Comment(_)) {
            self.hash(v);
        }
        Ok(())
    }
}

/// Go's `%T` of a key or value.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Int(_) => "int",
        Value::Float(_) => "float64",
        Value::Bool(_) => "bool",
        Value::Null => "<nil>",
        Value::Time(_) => "time.Time",
        Value::Uint64(_) => "uint64",
        Value::Str(_) | Value::Bytes(_) => "string",
        Value::Map(_) => "sops.TreeBranch",
        Value::List(_) => "[]interface {}",
        Value::Comment(_) => "sops.Comment",
    }
}

/// sops's error for a YAML key that is not a string; Go prints the key with a
/// `%s` verb, which for non-strings gives `%!s(type=value)`.
fn non_string_key(k: &Value) -> String {
    let shown = match k {
        Value::Int(i) => format!("%!s(int={i})"),
        Value::Uint64(u) => format!("%!s(uint64={u})"),
        Value::Bool(b) => format!("%!s(bool={b})"),
        Value::Float(f) => {
            let s = if f.is_finite() && f.abs() < 1e21 {
                crate::gofmt::format_float_plain(*f)
            } else {
                crate::gofmt::format_float_yaml(*f)
            };
            format!("%!s(float64={s})")
        }
        Value::Null => "%!s(<nil>)".into(),
        Value::Time(t) => t.to_rfc3339_nano(),
        other => format!("%!s({}=…)", go_type(other)),
    };
    format!(
        "Tree contains a non-string key (type {}): {shown}. Only string keys aresupported",
        go_type(k)
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::selection::SelectionRule;

    /// The data key of `yaml-kms-mock.enc.yaml` (see cipher tests).
    pub(crate) fn kms_mock_key() -> [u8; 32] {
        use base64::Engine;
        let blob = base64::engine::general_purpose::STANDARD
            .decode("TU9DS0JMT0J7ImFwcCI6ICJ3ZWIiLCAiZW52IjogInByb2QifXyIXw7MOuSdMtSjFN6NkxaxJOoVDqw/7VHzUv6R7ZmWrQ==")
            .unwrap();
        let bar = blob.iter().rposition(|b| *b == b'|').unwrap();
        blob[bar + 1..].try_into().unwrap()
    }

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    fn map(items: Vec<(&str, Value)>) -> Map {
        let mut m = Map::new();
        for (k, v) in items {
            m.push(k, v);
        }
        m
    }

    /// The data part of `yaml-kms-mock.enc.yaml`, as the YAML store loads it.
    pub(crate) fn kms_mock_tree() -> Tree {
        Tree {
            branches: vec![map(vec![
                (
                    "hello",
                    s(
                        "ENC[AES256_GCM,data:mBDKK9I=,iv:aIhUId71zzM2Wbtsko67MhdBC88IWkaUM/0PXr3AhLw=,tag:I4P6Mee86YDQyL7TKxumzw==,type:str]",
                    ),
                ),
                (
                    "num",
                    s(
                        "ENC[AES256_GCM,data:TpU=,iv:4HAsqABQ1xp85CEuoj0hwe7RqPfWLAujuksnx6nsazc=,tag:rbFK1/QHOyNVawHrc1lIeg==,type:int]",
                    ),
                ),
                (
                    "flt",
                    s(
                        "ENC[AES256_GCM,data:Ikzn,iv:lPpGSnXSBtiHiLPCrVxxQVGi57SHFoPJU3JPYQballA=,tag:sRJvpXJBuwqX2SrSr3gKog==,type:float]",
                    ),
                ),
                (
                    "yes_bool",
                    s(
                        "ENC[AES256_GCM,data:jhOEpcM=,iv:DqiKzClS1qCzagksS3E0Cbc1mmmwjceersrS19e5a/4=,tag:fNo2Oq2mccs6llQxW/37lA==,type:bool]",
                    ),
                ),
                ("nul", Value::Null),
                ("empty", s("")),
                (
                    "list",
                    Value::List(vec![
                        s(
                            "ENC[AES256_GCM,data:wQ==,iv:qwUbGV5a07NQYVuQMVaTgghPtl8ikvcJsR4ZzyNNUqQ=,tag:ttAoa4uoU4B7Bp6y+c7/Ng==,type:str]",
                        ),
                        s(
                            "ENC[AES256_GCM,data:Fw==,iv:dWFx12G+tkW7RG5kh9QBEc7Z8vHcwZo7u0mRTDaRpak=,tag:c9iA3zPEZ5pDpfI+ltWiDw==,type:int]",
                        ),
                        Value::List(vec![
                            s(
                                "ENC[AES256_GCM,data:cg==,iv:g50HD2aK2RondlTOfo9IQQ49q5NfgTeuH85BOG0vvv0=,tag:yI9UOncHvpM7W8zvt/KtXA==,type:str]",
                            ),
                            Value::Map(map(vec![(
                                "deep",
                                s(
                                    "ENC[AES256_GCM,data:ew==,iv:dLmjvy5jFUrpMjOsc5q3BJqjlgD5uNesqev10mQNTpA=,tag:CTK+TwRDVJ6fwVdt7g9Qaw==,type:str]",
                                ),
                            )])),
                        ]),
                    ]),
                ),
                (
                    "nested",
                    Value::Map(map(vec![
                        (
                            "key",
                            s(
                                "ENC[AES256_GCM,data:s7HMdlE=,iv:DPDvvbhwDnYqstuPSMDXNfERnqyjxyjbxWwHfZtm+Qo=,tag:aQBZRLMngEJumEsMqvmXjw==,type:str]",
                            ),
                        ),
                        (
                            "deeper",
                            Value::Map(map(vec![(
                                "x",
                                s(
                                    "ENC[AES256_GCM,data:9FOG2Q==,iv:iDlzIq21+qmA4ZFa/kRPvYjGo1QLsqZFy9pEPCSvJEc=,tag:N+2b62tVdseKbpZreof8Mg==,type:float]",
                                ),
                            )])),
                        ),
                    ])),
                ),
                ("secret_unencrypted", s("visible")),
            ])],
        }
    }

    pub(crate) const KMS_MOCK_MAC: &str = "ENC[AES256_GCM,data:Sl5hoIYqIxXpJGIrZB2f4qtLmEWaRZRqaqyjQcM6PQYli6nF8hY3HhWpdU4imBlrsxbhE8T81GUgAvEFI1J7akxzUYupwLqnpJ5jaW6d5wXeJLjd2mYBNyFxj20VB7lHGzisp5OQ1y6ofr9XRmOUQGdDVqZ1fuXAhbUR8IHX4+I=,iv:r16KK+gE4Rya4W9lK+7rmBGufQA7drrw1OC0pmJRPLE=,tag:eeo0IlBHaN+BWZY0Uxk3Ng==,type:str]";
    pub(crate) const KMS_MOCK_LASTMODIFIED: &str = "2026-11-24T16:31:08Z";
    /// The plaintext MAC of yaml-basic/yaml-kms-mock (it depends only on the values).
    pub(crate) const BASIC_MAC: &str = "D912DC5C3CD117BB1A919FA4ECFF7BAEF9F20719C15D223FDA3891EC8A061DE558DBBF1A42D2AB14505EE2CD1F8263432177DD11E9B92F3CA59ACA9EB68D7CCD";

    fn default_selector() -> Selector {
        Selector::new(Some(&SelectionRule::UnencryptedSuffix(
            "_unencrypted".into(),
        )))
    }

    fn plain_basic() -> Tree {
        Tree {
            branches: vec![map(vec![
                ("hello", s("world")),
                ("num", Value::Int(42)),
                ("flt", Value::Float(1.5)),
                ("yes_bool", Value::Bool(false)),
                ("nul", Value::Null),
                ("empty", s("")),
                (
                    "list",
                    Value::List(vec![
                        s("a"),
                        Value::Int(1),
                        Value::List(vec![s("x"), Value::Map(map(vec![("deep", s("y"))]))]),
                    ]),
                ),
                (
                    "nested",
                    Value::Map(map(vec![
                        ("key", s("value")),
                        ("deeper", Value::Map(map(vec![("x", Value::Float(1000.0))]))),
                    ])),
                ),
                ("secret_unencrypted", s("visible")),
            ])],
        }
    }

    #[test]
    fn decrypts_sops_file_and_its_mac_matches() {
        let cipher = Cipher::new(&kms_mock_key());
        let mut tree = kms_mock_tree();
        let out = decrypt_tree(&mut tree, &cipher, &default_selector(), false).unwrap();
        assert_eq!(out.mac, BASIC_MAC);
        crate::mac::verify_mac(
            &cipher,
            KMS_MOCK_MAC,
            KMS_MOCK_LASTMODIFIED,
            &out.mac,
            false,
        )
        .unwrap();
        assert!(tree == plain_basic());
    }

    #[test]
    fn encrypt_then_decrypt_round_trips_with_same_mac() {
        let cipher = Cipher::new(&[9u8; 32]);
        let mut tree = plain_basic();
        let mac = encrypt_tree(&mut tree, &cipher, &default_selector(), false).unwrap();
        assert_eq!(mac, BASIC_MAC);
        let b = &tree.branches[0];
        assert!(matches!(b.get("empty"), Some(Value::Str(s)) if s.is_empty()));
        assert!(matches!(b.get("nul"), Some(Value::Null)));
        assert!(
            matches!(b.get("secret_unencrypted"), Some(Value::Str(s)) if s.as_str() == "visible")
        );
        assert!(matches!(b.get("num"), Some(Value::Str(s)) if s.ends_with("type:int]")));
        // The list element inside a map inside nested lists uses AAD `list:deep:`.
        let Some(Value::List(l)) = b.get("list") else {
            panic!()
        };
        let Value::List(inner) = &l[2] else { panic!() };
        let Value::Map(m) = &inner[1] else { panic!() };
        let Some(Value::Str(deep)) = m.get("deep") else {
            panic!()
        };
        assert!(cipher.decrypt(deep, b"list:deep:").is_ok());
        assert!(cipher.decrypt(deep, b"list:").is_err());
        let out = decrypt_tree(&mut tree, &cipher, &default_selector(), false).unwrap();
        assert_eq!(out.mac, BASIC_MAC);
        assert!(tree == plain_basic());
    }

    #[test]
    fn tampered_and_swapped_values_fail() {
        let cipher = Cipher::new(&kms_mock_key());
        // values-swapped: two ciphertexts exchanged between keys → AAD mismatch.
        let mut tree = kms_mock_tree();
        let items = &mut tree.branches[0].items;
        let a = items[0].value.clone();
        items[0].value = items[1].value.clone();
        items[1].value = a;
        let err = decrypt_tree(&mut tree, &cipher, &default_selector(), false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Error decrypting tree: Error walking tree: Could not decrypt value: Could not decrypt with AES_GCM: cipher: message authentication failed"
        );
        // value-tampered: one ciphertext character changed.
        let mut tree = kms_mock_tree();
        tree.branches[0].items[0].value = s(
            "ENC[AES256_GCM,data:mBDKK9X=,iv:aIhUId71zzM2Wbtsko67MhdBC88IWkaUM/0PXr3AhLw=,tag:I4P6Mee86YDQyL7TKxumzw==,type:str]",
        );
        assert!(matches!(
            decrypt_tree(&mut tree, &cipher, &default_selector(), false),
            Err(Error::DecryptTree(_))
        ));
        // A clear string at an encrypted position.
        let mut tree = kms_mock_tree();
        tree.branches[0].items[0].value = s("world");
        assert_eq!(
            decrypt_tree(&mut tree, &cipher, &default_selector(), false)
                .unwrap_err()
                .to_string(),
            "Error decrypting tree: Error walking tree: Could not decrypt value: Input string world does not match sops' data format"
        );
        // A clear number there is an error, not a panic.
        let mut tree = kms_mock_tree();
        tree.branches[0].items[0].value = Value::Int(42);
        assert!(matches!(
            decrypt_tree(&mut tree, &cipher, &default_selector(), false),
            Err(Error::DecryptTree(_))
        ));
    }

    #[test]
    fn mac_mismatch_when_clear_value_changes() {
        let cipher = Cipher::new(&kms_mock_key());
        let mut tree = kms_mock_tree();
        tree.branches[0].items[8].value = s("changed");
        let out = decrypt_tree(&mut tree, &cipher, &default_selector(), false).unwrap();
        assert_ne!(out.mac, BASIC_MAC);
        assert!(matches!(
            crate::mac::verify_mac(
                &cipher,
                KMS_MOCK_MAC,
                KMS_MOCK_LASTMODIFIED,
                &out.mac,
                false
            ),
            Err(Error::MacMismatch { .. })
        ));
    }

    #[test]
    fn mac_only_encrypted_skips_clear_values_and_seeds() {
        let cipher = Cipher::new(&[1u8; 32]);
        let mut a = plain_basic();
        let mac_a = encrypt_tree(&mut a, &cipher, &default_selector(), true).unwrap();
        let mut b = plain_basic();
        b.branches[0].items[8].value = s("other clear value");
        let mac_b = encrypt_tree(&mut b, &cipher, &default_selector(), true).unwrap();
        assert_eq!(mac_a, mac_b);
        assert_ne!(mac_a, BASIC_MAC);
        let out = decrypt_tree(&mut a, &cipher, &default_selector(), true).unwrap();
        assert_eq!(out.mac, mac_a);
    }

    #[test]
    fn comments_encrypt_with_enclosing_path_and_come_back() {
        let cipher = Cipher::new(&[2u8; 32]);
        let mut inner = Map::new();
        inner.items.push(Item {
            key: Key::Comment(text(" in map")),
            value: Value::Null,
        });
        inner.push("k", s("v"));
        let mut top = Map::new();
        top.items.push(Item {
            key: Key::Comment(text(" top")),
            value: Value::Null,
        });
        top.push("m", Value::Map(inner));
        top.push(
            "l",
            Value::List(vec![Value::Comment(text(" in list")), s("e")]),
        );
        let plain = Tree {
            branches: vec![top],
        };
        let mut tree = plain.clone();
        let mac = encrypt_tree(&mut tree, &cipher, &default_selector(), false).unwrap();
        let b = &tree.branches[0];
        let Key::Comment(top_c) = &b.items[0].key else {
            panic!()
        };
        assert!(
            matches!(cipher.decrypt(top_c, b":"), Ok(Value::Comment(t)) if t.as_str() == " top")
        );
        let Some(Value::Map(m)) = b.get("m") else {
            panic!()
        };
        let Key::Comment(mc) = &m.items[0].key else {
            panic!()
        };
        assert!(cipher.decrypt(mc, b"m:").is_ok());
        let Some(Value::List(l)) = b.get("l") else {
            panic!()
        };
        let Value::Str(lc) = &l[0] else {
            panic!("list comment becomes a string")
        };
        assert!(lc.ends_with("type:comment]"));
        assert!(cipher.decrypt(lc, b"l:").is_ok());
        // Comments are not hashed.
        let mut h = MacHasher::new(false);
        h.update(b"v");
        h.update(b"e");
        assert_eq!(mac, h.finish());
        let out = decrypt_tree(&mut tree, &cipher, &default_selector(), false).unwrap();
        assert_eq!(out.mac, mac);
        assert!(out.warnings.is_empty());
        assert!(tree == plain);
    }

    #[test]
    fn clear_comment_in_encrypted_file_is_kept_with_warning() {
        let cipher = Cipher::new(&[2u8; 32]);
        let mut m = Map::new();
        m.items.push(Item {
            key: Key::Comment(text(" old clear comment")),
            value: Value::Null,
        });
        let mut tree = Tree { branches: vec![m] };
        let out = decrypt_tree(&mut tree, &cipher, &default_selector(), false).unwrap();
        assert_eq!(out.warnings.len(), 1);
        assert!(
            matches!(&tree.branches[0].items[0].key, Key::Comment(t) if t.as_str() == " old clear comment")
        );
    }

    #[test]
    fn encrypted_comment_regex_marker_stays_clear() {
        let cipher = Cipher::new(&[2u8; 32]);
        let sel = Selector::new(Some(&SelectionRule::EncryptedCommentRegex(
            "sops:enc".into(),
        )));
        let mut m = Map::new();
        m.items.push(Item {
            key: Key::Comment(text(" sops:enc")),
            value: Value::Null,
        });
        m.push("top", Value::Int(1));
        m.push("after", s("clear"));
        let plain = Tree { branches: vec![m] };
        let mut tree = plain.clone();
        encrypt_tree(&mut tree, &cipher, &sel, false).unwrap();
        let b = &tree.branches[0];
        assert!(matches!(&b.items[0].key, Key::Comment(t) if t.as_str() == " sops:enc"));
        assert!(matches!(b.get("top"), Some(Value::Str(s)) if s.ends_with("type:int]")));
        assert!(matches!(b.get("after"), Some(Value::Str(s)) if s.as_str() == "clear"));
        decrypt_tree(&mut tree, &cipher, &sel, false).unwrap();
        assert!(tree == plain);
    }

    #[test]
    fn non_string_keys_and_uint64_refused_like_sops() {
        let cipher = Cipher::new(&[2u8; 32]);
        let mut m = Map::new();
        m.items.push(Item {
            key: Key::Scalar(Box::new(Value::Int(1))),
            value: s("x"),
        });
        let mut tree = Tree { branches: vec![m] };
        let err = encrypt_tree(&mut tree, &cipher, &default_selector(), false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Error encrypting tree: Error walking tree: Tree contains a non-string key (type int): %!s(int=1). Only string keys aresupported"
        );
        let mut m = Map::new();
        m.items.push(Item {
            key: Key::Scalar(Box::new(Value::Bool(true))),
            value: s("x"),
        });
        let mut tree = Tree { branches: vec![m] };
        assert!(
            encrypt_tree(&mut tree, &cipher, &default_selector(), false)
                .unwrap_err()
                .to_string()
                .ends_with("(type bool): %!s(bool=true). Only string keys aresupported")
        );
        let mut m = Map::new();
        m.push("a", Value::Uint64(u64::MAX));
        let mut tree = Tree { branches: vec![m] };
        assert_eq!(
            encrypt_tree(&mut tree, &cipher, &default_selector(), false)
                .unwrap_err()
                .to_string(),
            "Error encrypting tree: Error walking tree: Cannot walk value, unknown type: uint64"
        );
    }

    #[test]
    fn multiple_branches_share_one_mac() {
        let cipher = Cipher::new(&[4u8; 32]);
        let mut tree = Tree {
            branches: vec![map(vec![("a", s("1"))]), map(vec![("b", s("2"))])],
        };
        let mac = encrypt_tree(&mut tree, &cipher, &default_selector(), false).unwrap();
        let mut h = MacHasher::new(false);
        h.update(b"12");
        assert_eq!(mac, h.finish());
    }

    #[test]
    fn many_leaves_walk_quickly() {
        let cipher = Cipher::new(&[5u8; 32]);
        let mut m = Map::new();
        for i in 0..20_000 {
            m.push(format!("key{i}"), s("some secret value"));
        }
        let mut tree = Tree { branches: vec![m] };
        let start = std::time::Instant::now();
        let mac = encrypt_tree(&mut tree, &cipher, &default_selector(), false).unwrap();
        let out = decrypt_tree(&mut tree, &cipher, &default_selector(), false).unwrap();
        assert_eq!(mac, out.mac);
        // Generous even for an unoptimised build; catches accidental quadratic work.
        assert!(start.elapsed().as_secs() < 30);
    }
}
