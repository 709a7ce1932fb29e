//! AES-256-GCM value encryption and the `ENC[AES256_GCM,…]` string format (spec §1).
//!
//! sops uses GCM with a 32-byte IV (Go `NewGCMWithNonceSize(block, 32)`); the
//! `aes-gcm` crate's generic nonce size computes the same non-96-bit J0 via
//! GHASH, so no hand-written GCM is needed. The string format is parsed by hand
//! (no regex) because it is on the hot path of every decrypted value.

use crate::gofmt;
use crate::tree::{Text, Timestamp, Value, text};
use aes_gcm::aead::AeadInPlace;
use aes_gcm::aead::consts::{U12, U16, U32};
use aes_gcm::aead::generic_array::{ArrayLength, GenericArray};
use aes_gcm::aes::Aes256;
use aes_gcm::{AesGcm, KeyInit};
use zeroize::Zeroizing;

/// IV length sops writes.
const IV_LEN: usize = 32;
/// GCM tag length.
const TAG_LEN: usize = 16;
/// Everything before the data field of an encrypted value.
const ENC_PREFIX: &str = "ENC[AES256_GCM,data:";

/// A failure of one value, with sops's message text (the walk adds the context).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherError(pub String);

impl std::fmt::Display for CipherError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The `type:` tag of an encrypted value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// `str`
    Str,
    /// `int`
    Int,
    /// `float`
    Float,
    /// `bool`
    Bool,
    /// `time`
    Time,
    /// `comment`
    Comment,
    /// `bytes` (legacy Python sops only)
    Bytes,
}

impl ValueType {
    /// The tag as written in the `ENC[…]` string.
    pub fn tag(self) -> &'static str {
        match self {
            ValueType::Str => "str",
            ValueType::Int => "int",
            ValueType::Float => "float",
            ValueType::Bool => "bool",
            ValueType::Time => "time",
            ValueType::Comment => "comment",
            ValueType::Bytes => "bytes",
        }
    }

    fn from_tag(tag: &str) -> Option<ValueType> {
        Some(match tag {
            "str" => ValueType::Str,
            "int" => ValueType::Int,
            "float" => ValueType::Float,
            "bool" => ValueType::Bool,
            "time" => ValueType::Time,
            "comment" => ValueType::Comment,
            "bytes" => ValueType::Bytes,
            _ => return None,
        })
    }
}

/// The plaintext bytes of a leaf as sops encrypts and hashes them (spec §1.4/§1.5).
pub struct Plaintext<'a> {
    /// The bytes; owned ones are zeroized on drop.
    bytes: PlainBytes<'a>,
    /// The type tag the value is encrypted with.
    pub kind: ValueType,
}

enum PlainBytes<'a> {
    Borrowed(&'a [u8]),
    Owned(Zeroizing<Vec<u8>>),
    /// Short number text formatted on the stack: no allocation per leaf.
    Number(gofmt::NumberText),
}

impl Plaintext<'_> {
    /// The serialized value.
    pub fn bytes(&self) -> &[u8] {
        match &self.bytes {
            PlainBytes::Borrowed(b) => b,
            PlainBytes::Owned(b) => b,
            PlainBytes::Number(n) => n.as_bytes(),
        }
    }
}

/// `strconv.FormatFloat(f, 'f', -1, 64)` ([`gofmt::format_float_plain`]),
/// formatted on the stack when it fits.
fn float_plaintext(f: f64) -> PlainBytes<'static> {
    match gofmt::NumberText::float_plain(f) {
        Some(n) => PlainBytes::Number(n),
        None => PlainBytes::Owned(Zeroizing::new(gofmt::format_float_plain(f).into_bytes())),
    }
}

/// The plaintext of a leaf value; `None` for containers, null and `uint64`
/// (which the walk handles itself).
pub fn plaintext_of(value: &Value) -> Option<Plaintext<'_>> {
    let (bytes, kind) = match value {
        Value::Str(s) => (PlainBytes::Borrowed(s.as_bytes()), ValueType::Str),
        Value::Bytes(b) => (PlainBytes::Borrowed(b), ValueType::Str),
        Value::Comment(s) => (PlainBytes::Borrowed(s.as_bytes()), ValueType::Comment),
        Value::Int(i) => (
            PlainBytes::Number(gofmt::NumberText::int(*i)),
            ValueType::Int,
        ),
        Value::Float(f) => (float_plaintext(*f), ValueType::Float),
        Value::Bool(b) => (
            PlainBytes::Borrowed(gofmt::format_bool_plain(*b).as_bytes()),
            ValueType::Bool,
        ),
        Value::Time(t) => (
            PlainBytes::Owned(Zeroizing::new(t.to_rfc3339_nano().into_bytes())),
            ValueType::Time,
        ),
        Value::Map(_) | Value::List(_) | Value::Null | Value::Uint64(_) => return None,
    };
    Some(Plaintext { bytes, kind })
}

/// The parts of an `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` string.
pub struct EncryptedValue<'a> {
    /// Base64 of the ciphertext (without tag).
    pub data: &'a str,
    /// Base64 of the IV.
    pub iv: &'a str,
    /// Base64 of the tag.
    pub tag: &'a str,
    /// The type tag as written.
    pub kind: &'a str,
}

impl<'a> EncryptedValue<'a> {
    /// Parses the sops value format, as sops's regex
    /// `^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]` does (anchored at
    /// the start only; greedy groups, so the *last* separators win).
    pub fn parse(s: &'a str) -> Option<EncryptedValue<'a>> {
        let rest = s.strip_prefix(ENC_PREFIX)?;
        Self::parse_sops_shape(rest).or_else(|| Self::parse_any_shape(rest))
    }

    /// The regex's split of everything after `ENC[AES256_GCM,data:`.
    fn parse_any_shape(rest: &'a str) -> Option<EncryptedValue<'a>> {
        // Greedy `(.+)` groups backtrack from the right: the last `]` closes,
        // the last `,type:` before it, and so on. `.` does not match `\n`.
        let line = rest.split('\n').next().unwrap_or(rest);
        let close = line.as_bytes().iter().rposition(|&b| b == b']')?;
        let inner = line.get(..close)?;
        let (before_type, kind) = rsplit_nonempty(inner, ",type:")?;
        let (before_tag, tag) = rsplit_nonempty(before_type, ",tag:")?;
        let (data, iv) = rsplit_nonempty(before_tag, ",iv:")?;
        if data.is_empty() {
            return None;
        }
        Some(EncryptedValue {
            data,
            iv,
            tag,
            kind,
        })
    }
}

impl<'a> EncryptedValue<'a> {
    /// The fields of a value exactly as sops writes it (one line, a 44-character
    /// IV, a 24-character tag, the type last), found at their fixed places
    /// instead of searched for; `None` for any other shape, which the general
    /// search then handles. When this matches, the regex's greedy groups give
    /// the same split: no `,` follows any separator found, so there is no later
    /// occurrence of one, and the final `]` is the last one of the only line.
    fn parse_sops_shape(rest: &'a str) -> Option<EncryptedValue<'a>> {
        const TAG_B64: usize = 24;
        const IV_B64: usize = 44;
        let b = rest.as_bytes();
        let close = b.len().checked_sub(1)?;
        if b.get(close) != Some(&b']') || !lacks(b, b'\n') {
            return None;
        }
        // Positions of the separators; slicing the `str` at them (next to
        // ASCII bytes) keeps UTF-8 validity without re-checking the text.
        let type_at = b.get(..close)?.iter().rposition(|&c| c == b',')?;
        let tag_at = type_at.checked_sub(TAG_B64 + ",tag:".len())?;
        let iv_at = tag_at.checked_sub(IV_B64 + ",iv:".len())?;
        let shape = b.get(type_at..close)?.starts_with(b",type:")
            && close > type_at + ",type:".len()
            && b.get(tag_at..)?.starts_with(b",tag:")
            && b.get(iv_at..)?.starts_with(b",iv:")
            && iv_at > 0
            && lacks(b.get(iv_at + 1..tag_at)?, b',')
            && lacks(b.get(tag_at + 1..type_at)?, b',');
        if !shape {
            return None;
        }
        Some(EncryptedValue {
            data: rest.get(..iv_at)?,
            iv: rest.get(iv_at + ",iv:".len()..tag_at)?,
            tag: rest.get(tag_at + ",tag:".len()..type_at)?,
            kind: rest.get(type_at + ",type:".len()..close)?,
        })
    }
}

/// Whether `byte` is absent from `hay`; written as a branch-free fold so that
/// it compiles to a vector loop (a search stopping at the first hit does not).
fn lacks(hay: &[u8], byte: u8) -> bool {
    hay.iter().fold(true, |acc, &c| acc & (c != byte))
}

/// Splits at the last `sep` whose right side is non-empty and whose left side
/// is non-empty (the `(.+)` groups).
fn rsplit_nonempty<'a>(s: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    let mut end = s.len();
    while let Some(pos) = rfind_bytes(s.as_bytes().get(..end)?, sep.as_bytes()) {
        let left = s.get(..pos)?;
        let right = s.get(pos + sep.len()..)?;
        if !right.is_empty() && !left.is_empty() {
            return Some((left, right));
        }
        end = pos;
    }
    None
}

/// Last position of a short ASCII `needle`: a backwards scan for its first
/// byte beats setting up a substring searcher for values of a few dozen bytes,
/// and the separators start with `,`, which base64 never contains.
fn rfind_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, tail) = needle.split_first()?;
    let mut end = (hay.len() + 1).checked_sub(needle.len())?;
    while let Some(pos) = hay.get(..end)?.iter().rposition(|&b| b == first) {
        if hay.get(pos + 1..pos + needle.len()) == Some(tail) {
            return Some(pos);
        }
        end = pos;
    }
    None
}

/// Whether `s` looks like an encrypted value (used where a clear string must be told apart).
pub fn is_encrypted(s: &str) -> bool {
    EncryptedValue::parse(s).is_some()
}

fn b64_error(what: &str, at: usize) -> CipherError {
    CipherError(format!(
        "Error base64-decoding {what}: illegal base64 data at input byte {at}"
    ))
}

#[cfg(test)]
fn b64_decode(field: &str, what: &str) -> Result<Vec<u8>, CipherError> {
    crate::gobase64::decode(field.as_bytes()).map_err(|at| b64_error(what, at))
}

/// A decoded IV or tag: on the stack when it has a size sops writes, so a
/// value costs no allocation for them; on the heap when it is odd.
enum Field {
    Inline([u8; IV_LEN], usize),
    Heap(Vec<u8>),
}

impl Field {
    fn decode(field: &str, what: &str) -> Result<Field, CipherError> {
        let src = field.as_bytes();
        if let Some(len) = crate::gobase64::canonical_len(src)
            && len <= IV_LEN
        {
            let mut buf = [0u8; IV_LEN];
            if let Some(dst) = buf.get_mut(..len)
                && crate::gobase64::decode_canonical(src, dst)
            {
                return Ok(Field::Inline(buf, len));
            }
        }
        crate::gobase64::decode(src)
            .map(Field::Heap)
            .map_err(|at| b64_error(what, at))
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Field::Inline(buf, len) => buf.get(..*len).unwrap_or_default(),
            Field::Heap(v) => v,
        }
    }
}

/// The plaintext being encrypted, copied where AES-GCM can overwrite it:
/// a stack buffer for short values (most of them), the heap otherwise; only
/// the bytes used are zeroized.
struct Scratch {
    inline: [u8; SCRATCH_LEN],
    len: usize,
    heap: Zeroizing<Vec<u8>>,
}

const SCRATCH_LEN: usize = 64;

impl Scratch {
    fn new(plaintext: &[u8]) -> Scratch {
        let mut s = Scratch {
            inline: [0u8; SCRATCH_LEN],
            len: 0,
            heap: Zeroizing::new(Vec::new()),
        };
        match s.inline.get_mut(..plaintext.len()) {
            Some(dst) => {
                dst.copy_from_slice(plaintext);
                s.len = plaintext.len();
            }
            None => s.heap.extend_from_slice(plaintext),
        }
        s
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        if self.heap.is_empty() {
            self.inline.get_mut(..self.len).unwrap_or_default()
        } else {
            &mut self.heap
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        if let Some(used) = self.inline.get_mut(..self.len) {
            used.zeroize();
        }
    }
}

/// Fresh random IVs, drawn from the OS in batches: one `getrandom` call per
/// 128 values instead of one per value keeps large files fast.
#[derive(Default)]
pub struct IvPool {
    buf: Vec<u8>,
    pos: usize,
}

impl IvPool {
    const BATCH: usize = 128 * IV_LEN;

    /// The next unused 32-byte IV.
    pub fn next_iv(&mut self) -> Result<[u8; IV_LEN], CipherError> {
        if self.pos + IV_LEN > self.buf.len() {
            self.buf.resize(Self::BATCH, 0);
            getrandom::getrandom(&mut self.buf)
                .map_err(|e| CipherError(format!("Could not generate random bytes for IV: {e}")))?;
            self.pos = 0;
        }
        let iv = self
            .buf
            .get(self.pos..self.pos + IV_LEN)
            .and_then(|s| <[u8; IV_LEN]>::try_from(s).ok())
            .ok_or_else(|| CipherError("IV pool exhausted".into()))?;
        self.pos += IV_LEN;
        Ok(iv)
    }
}

/// AES-256-GCM under one data key; cheap to share across a whole walk.
pub struct Cipher {
    key: Zeroizing<[u8; 32]>,
    gcm32: AesGcm<Aes256, U32>,
}

impl Cipher {
    /// A cipher for `key` (the 32-byte data key).
    pub fn new(key: &[u8; 32]) -> Cipher {
        Cipher {
            key: Zeroizing::new(*key),
            gcm32: AesGcm::new(GenericArray::from_slice(key)),
        }
    }

    /// Encrypts `plaintext` with a fresh random 32-byte IV and returns the `ENC[…]` string.
    pub fn encrypt(
        &self,
        plaintext: &[u8],
        aad: &[u8],
        kind: ValueType,
    ) -> Result<String, CipherError> {
        let mut iv = [0u8; IV_LEN];
        getrandom::getrandom(&mut iv)
            .map_err(|e| CipherError(format!("Could not generate random bytes for IV: {e}")))?;
        self.encrypt_with_iv(plaintext, aad, kind, &iv)
    }

    /// Encrypts with a given IV (for IV reuse of unchanged values in edit, and for tests).
    pub fn encrypt_with_iv(
        &self,
        plaintext: &[u8],
        aad: &[u8],
        kind: ValueType,
        iv: &[u8; IV_LEN],
    ) -> Result<String, CipherError> {
        let mut scratch = Scratch::new(plaintext);
        let sealed = scratch.bytes_mut();
        let tag = self
            .gcm32
            .encrypt_in_place_detached(GenericArray::from_slice(iv), aad, sealed)
            .map_err(|_| CipherError("Could not encrypt with AES_GCM".into()))?;
        let kind = kind.tag();
        // Sized exactly, then built in place: one allocation per value.
        let b64_len = |n: usize| n.div_ceil(3) * 4;
        let len = ENC_PREFIX.len()
            + b64_len(sealed.len())
            + ",iv:".len()
            + b64_len(IV_LEN)
            + ",tag:".len()
            + b64_len(TAG_LEN)
            + ",type:".len()
            + kind.len()
            + 1;
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(ENC_PREFIX.as_bytes());
        crate::gobase64::encode_append(sealed, &mut out);
        out.extend_from_slice(b",iv:");
        crate::gobase64::encode_append(iv, &mut out);
        out.extend_from_slice(b",tag:");
        crate::gobase64::encode_append(tag.as_slice(), &mut out);
        out.extend_from_slice(b",type:");
        out.extend_from_slice(kind.as_bytes());
        out.push(b']');
        String::from_utf8(out).map_err(|_| CipherError("Could not encrypt with AES_GCM".into()))
    }

    /// Decrypts an `ENC[…]` string to its raw plaintext bytes and type.
    ///
    /// The data field is decoded straight into the buffer that is decrypted in
    /// place and becomes the plaintext; IV and tag stay on the stack.
    pub fn decrypt_raw(
        &self,
        s: &str,
        aad: &[u8],
    ) -> Result<(Zeroizing<Vec<u8>>, ValueType), CipherError> {
        let parsed = EncryptedValue::parse(s).ok_or_else(|| {
            CipherError(format!("Input string {s} does not match sops' data format"))
        })?;
        let mut buf = Zeroizing::new(Vec::with_capacity(parsed.data.len() / 4 * 3));
        crate::gobase64::decode_append(parsed.data.as_bytes(), &mut buf)
            .map_err(|at| b64_error("data", at))?;
        let iv = Field::decode(parsed.iv, "iv")?;
        let tag = Field::decode(parsed.tag, "tag")?;
        // Go appends the tag to the data and lets Open split off the last 16
        // bytes, which only differs from taking the tag field as the tag when
        // that field does not decode to 16 bytes.
        let tag_bytes: [u8; TAG_LEN] = match tag.bytes().try_into() {
            Ok(t) => t,
            Err(_) => {
                buf.extend_from_slice(tag.bytes());
                let split = buf.len().checked_sub(TAG_LEN).ok_or_else(auth_failed)?;
                let t = buf
                    .get(split..)
                    .and_then(|t| t.try_into().ok())
                    .ok_or_else(auth_failed)?;
                buf.truncate(split);
                t
            }
        };
        let iv = iv.bytes();
        match iv.len() {
            IV_LEN => open(&self.gcm32, iv, aad, &mut buf, &tag_bytes)?,
            12 => open(
                &AesGcm::<Aes256, U12>::new(GenericArray::from_slice(self.key.as_slice())),
                iv,
                aad,
                &mut buf,
                &tag_bytes,
            )?,
            16 => open(
                &AesGcm::<Aes256, U16>::new(GenericArray::from_slice(self.key.as_slice())),
                iv,
                aad,
                &mut buf,
                &tag_bytes,
            )?,
            0 => {
                return Err(CipherError(
                    "cipher: the nonce can't have zero length".into(),
                ));
            }
            // Go accepts any IV length; sops only ever writes 32 bytes, so an
            // odd length means a damaged value, which Go reports as this.
            _ => return Err(auth_failed()),
        }
        let kind = ValueType::from_tag(parsed.kind)
            .ok_or_else(|| CipherError(format!("Unknown datatype: {}", parsed.kind)))?;
        Ok((buf, kind))
    }

    /// Decrypts an `ENC[…]` string to a typed value (sops's `Cipher.Decrypt`);
    /// the empty string decrypts to the empty string.
    pub fn decrypt(&self, s: &str, aad: &[u8]) -> Result<Value, CipherError> {
        if s.is_empty() {
            return Ok(Value::str(""));
        }
        let (bytes, kind) = self.decrypt_raw(s, aad)?;
        value_from_plaintext(bytes, kind)
    }
}

fn auth_failed() -> CipherError {
    CipherError("Could not decrypt with AES_GCM: cipher: message authentication failed".into())
}

fn open<N: ArrayLength<u8>>(
    gcm: &AesGcm<Aes256, N>,
    iv: &[u8],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<(), CipherError> {
    gcm.decrypt_in_place_detached(
        GenericArray::from_slice(iv),
        aad,
        buf,
        GenericArray::from_slice(tag),
    )
    .map_err(|_| auth_failed())
}

/// Turns decrypted bytes back into a value of the tagged type (Go's parse functions).
pub fn value_from_plaintext(
    bytes: Zeroizing<Vec<u8>>,
    kind: ValueType,
) -> Result<Value, CipherError> {
    match kind {
        // Move the buffer into the string instead of copying it; both sides
        // stay inside `Zeroizing`.
        ValueType::Str => Ok(match into_string(bytes) {
            Ok(s) => Value::Str(s),
            Err(b) => Value::Bytes(b),
        }),
        ValueType::Bytes => Ok(Value::Bytes(bytes)),
        ValueType::Comment => Ok(Value::Comment(match into_string(bytes) {
            Ok(s) => s,
            Err(b) => text(String::from_utf8_lossy(&b).into_owned()),
        })),
        ValueType::Int => with_text(&bytes, |s| {
            gofmt::parse_int(s).map(Value::Int).ok_or_else(|| {
                let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
                let reason = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    "value out of range"
                } else {
                    "invalid syntax"
                };
                CipherError(format!("strconv.Atoi: parsing {}: {reason}", redacted(s)))
            })
        }),
        ValueType::Float => with_text(&bytes, |s| {
            gofmt::parse_float(s).map(Value::Float).ok_or_else(|| {
                CipherError(format!(
                    "strconv.ParseFloat: parsing {}: invalid syntax",
                    redacted(s)
                ))
            })
        }),
        ValueType::Bool => with_text(&bytes, |s| {
            gofmt::parse_bool(s).map(Value::Bool).ok_or_else(|| {
                CipherError(format!(
                    "strconv.ParseBool: parsing {}: invalid syntax",
                    redacted(s)
                ))
            })
        }),
        ValueType::Time => with_text(&bytes, |s| {
            Timestamp::parse_rfc3339(s).map(Value::Time).ok_or_else(|| {
                CipherError(format!(
                    "parsing time {} as \"2006-01-02T15:04:05Z07:00\"",
                    redacted(s)
                ))
            })
        }),
    }
}

/// The plaintext as a string without copying it, or back as bytes when it is
/// not UTF-8.
fn into_string(mut bytes: Zeroizing<Vec<u8>>) -> Result<Text, Zeroizing<Vec<u8>>> {
    String::from_utf8(std::mem::take(&mut *bytes))
        .map(Zeroizing::new)
        .map_err(|e| Zeroizing::new(e.into_bytes()))
}

/// Runs `f` on the plaintext as text: borrowed when it is UTF-8 (always for
/// values sops wrote), a zeroizing lossy copy otherwise, as Go's conversion.
fn with_text<T>(bytes: &[u8], f: impl FnOnce(&str) -> T) -> T {
    match std::str::from_utf8(bytes) {
        Ok(s) => f(s),
        Err(_) => f(&text(String::from_utf8_lossy(bytes).into_owned())),
    }
}

/// Stands in for a decrypted plaintext in an error message. sops quotes the
/// plaintext there (`strconv.ParseFloat: parsing "hunter2"`), so a file whose
/// unauthenticated type tag was changed makes sops print a secret on stderr;
/// sops-rs keeps the wording but never the value (issue #11: no refused run
/// prints any part of a decrypted value).
fn redacted(s: &str) -> String {
    format!("a decrypted value ({} bytes, not shown)", s.len())
}

/// Go's error for `time.Parse(time.RFC3339, s)` in its most common form.
pub fn go_time_parse_error(s: &str) -> String {
    format!(
        "parsing time {} as \"2006-01-02T15:04:05Z07:00\": cannot parse {} as \"2006\"",
        go_quote(s),
        go_quote(s)
    )
}

/// Go's `%q` for a string: printable characters as-is, others escaped.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                let n = c as u32;
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

    /// The data key of `yaml-kms-mock.enc.yaml`: the mock KMS blob is
    /// `MOCKBLOB` + context JSON + `|` + the 32 raw key bytes.
    pub(crate) fn kms_mock_key() -> [u8; 32] {
        let enc = "TU9DS0JMT0J7ImFwcCI6ICJ3ZWIiLCAiZW52IjogInByb2QifXyIXw7MOuSdMtSjFN6NkxaxJOoVDqw/7VHzUv6R7ZmWrQ==";
        let blob = B64.decode(enc).unwrap();
        assert!(blob.starts_with(b"MOCKBLOB"));
        let bar = blob.iter().rposition(|b| *b == b'|').unwrap();
        let key = &blob[bar + 1..];
        assert_eq!(key.len(), 32);
        key.try_into().unwrap()
    }

    fn cipher() -> Cipher {
        Cipher::new(&kms_mock_key())
    }

    #[test]
    fn known_answer_values_from_sops_file() {
        let c = cipher();
        let hello = "ENC[AES256_GCM,data:mBDKK9I=,iv:aIhUId71zzM2Wbtsko67MhdBC88IWkaUM/0PXr3AhLw=,tag:I4P6Mee86YDQyL7TKxumzw==,type:str]";
        assert!(
            matches!(c.decrypt(hello, b"hello:").unwrap(), Value::Str(s) if s.as_str() == "world")
        );
        let num = "ENC[AES256_GCM,data:TpU=,iv:4HAsqABQ1xp85CEuoj0hwe7RqPfWLAujuksnx6nsazc=,tag:rbFK1/QHOyNVawHrc1lIeg==,type:int]";
        assert!(matches!(c.decrypt(num, b"num:").unwrap(), Value::Int(42)));
        let flt = "ENC[AES256_GCM,data:Ikzn,iv:lPpGSnXSBtiHiLPCrVxxQVGi57SHFoPJU3JPYQballA=,tag:sRJvpXJBuwqX2SrSr3gKog==,type:float]";
        assert!(matches!(c.decrypt(flt, b"flt:").unwrap(), Value::Float(f) if f == 1.5));
        let b = "ENC[AES256_GCM,data:jhOEpcM=,iv:DqiKzClS1qCzagksS3E0Cbc1mmmwjceersrS19e5a/4=,tag:fNo2Oq2mccs6llQxW/37lA==,type:bool]";
        assert!(matches!(
            c.decrypt(b, b"yes_bool:").unwrap(),
            Value::Bool(false)
        ));
        let deep = "ENC[AES256_GCM,data:ew==,iv:dLmjvy5jFUrpMjOsc5q3BJqjlgD5uNesqev10mQNTpA=,tag:CTK+TwRDVJ6fwVdt7g9Qaw==,type:str]";
        assert!(
            matches!(c.decrypt(deep, b"list:deep:").unwrap(), Value::Str(s) if s.as_str() == "y")
        );
    }

    #[test]
    fn same_iv_reproduces_sops_ciphertext() {
        // Re-encrypting sops's plaintext with sops's IV must give sops's bytes exactly.
        let c = cipher();
        let iv: [u8; 32] = B64
            .decode("aIhUId71zzM2Wbtsko67MhdBC88IWkaUM/0PXr3AhLw=")
            .unwrap()
            .try_into()
            .unwrap();
        let out = c
            .encrypt_with_iv(b"world", b"hello:", ValueType::Str, &iv)
            .unwrap();
        assert_eq!(
            out,
            "ENC[AES256_GCM,data:mBDKK9I=,iv:aIhUId71zzM2Wbtsko67MhdBC88IWkaUM/0PXr3AhLw=,tag:I4P6Mee86YDQyL7TKxumzw==,type:str]"
        );
    }

    /// NIST GCM test vector with a 60-byte (non-96-bit) IV: "Test Case 18" of
    /// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)" (2005),
    /// AES-256. The IV length differs from 32, so this checks the generic-nonce
    /// GHASH J0 path against a published answer.
    #[test]
    fn gcm_spec_test_case_18_non_96_bit_iv() {
        use aes_gcm::aead::consts::U60;
        let key = hex::decode("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
            .unwrap();
        let iv = hex::decode("9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b").unwrap();
        let pt = hex::decode("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39").unwrap();
        let aad = hex::decode("feedfacedeadbeeffeedfacedeadbeefabaddad2").unwrap();
        let gcm = AesGcm::<Aes256, U60>::new(GenericArray::from_slice(&key));
        let mut buf = pt.clone();
        let tag = gcm
            .encrypt_in_place_detached(GenericArray::from_slice(&iv), &aad, &mut buf)
            .unwrap();
        assert_eq!(
            hex::encode(&buf),
            "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf40fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f"
        );
        assert_eq!(hex::encode(tag), "a44a8266ee1c8eb0c8b5d4cf5ae9f19a");
    }

    #[test]
    fn round_trip_every_type() {
        let c = cipher();
        let ts = Timestamp::parse_rfc3339("2001-12-14T21:59:43.1-05:00").unwrap();
        for v in [
            Value::str("héllo"),
            Value::Int(-17),
            Value::Float(1e21),
            Value::Float(f64::INFINITY),
            Value::Bool(true),
            Value::Time(ts),
            Value::Comment(text(" a comment")),
        ] {
            let p = plaintext_of(&v).unwrap();
            let enc = c.encrypt(p.bytes(), b"a:b:", p.kind).unwrap();
            assert!(enc.ends_with(&format!("type:{}]", p.kind.tag())));
            assert!(c.decrypt(&enc, b"a:b:").unwrap() == v, "{v:?}");
        }
        let bytes = Value::Bytes(Zeroizing::new(vec![0, 0xff, 0x80]));
        let p = plaintext_of(&bytes).unwrap();
        let enc = c.encrypt(p.bytes(), b"data:", p.kind).unwrap();
        assert!(enc.ends_with("type:str]"));
        assert!(c.decrypt(&enc, b"data:").unwrap() == bytes);
    }

    #[test]
    fn iv_pool_never_repeats_and_refills() {
        let mut pool = IvPool::default();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..300 {
            assert!(seen.insert(pool.next_iv().unwrap()));
        }
    }

    #[test]
    fn fresh_iv_per_value() {
        let c = cipher();
        let a = c.encrypt(b"x", b"k:", ValueType::Str).unwrap();
        let b = c.encrypt(b"x", b"k:", ValueType::Str).unwrap();
        assert_ne!(a, b);
        let iv = EncryptedValue::parse(&a).unwrap().iv;
        assert_eq!(B64.decode(iv).unwrap().len(), 32);
    }

    fn flip_char(s: &str, field: &str) -> String {
        let start = s.find(field).unwrap() + field.len();
        let mut bytes = s.as_bytes().to_vec();
        bytes[start] = if bytes[start] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn tampering_fails_authentication() {
        let c = cipher();
        let enc = c.encrypt(b"secret value", b"k:", ValueType::Str).unwrap();
        for field in ["data:", "iv:", "tag:"] {
            let bad = flip_char(&enc, field);
            let err = c.decrypt(&bad, b"k:").unwrap_err();
            assert_eq!(
                err.0, "Could not decrypt with AES_GCM: cipher: message authentication failed",
                "{field}"
            );
        }
        assert!(c.decrypt(&enc, b"other:").is_err());
        assert!(Cipher::new(&[7u8; 32]).decrypt(&enc, b"k:").is_err());
    }

    #[test]
    fn malformed_strings_are_rejected_with_sops_text() {
        let c = cipher();
        assert_eq!(
            c.decrypt("world", b"k:").unwrap_err().0,
            "Input string world does not match sops' data format"
        );
        assert!(
            c.decrypt("ENC[AES256_GCM,data:,iv:a,tag:b,type:str]", b"k:")
                .is_err()
        );
        assert!(matches!(c.decrypt("", b"k:").unwrap(), Value::Str(s) if s.is_empty()));
        let missing_pad = "ENC[AES256_GCM,data:mBDKK9I,iv:aIhUId71zzM2Wbtsko67MhdBC88IWkaUM/0PXr3AhLw=,tag:I4P6Mee86YDQyL7TKxumzw==,type:str]";
        assert_eq!(
            c.decrypt(missing_pad, b"hello:").unwrap_err().0,
            "Error base64-decoding data: illegal base64 data at input byte 4"
        );
        // An IV of another length than sops writes: as Go, an authentication failure.
        let short_iv =
            "ENC[AES256_GCM,data:mBDKK9I=,iv:AAAA,tag:I4P6Mee86YDQyL7TKxumzw==,type:str]";
        assert_eq!(
            c.decrypt(short_iv, b"hello:").unwrap_err().0,
            "Could not decrypt with AES_GCM: cipher: message authentication failed"
        );
    }

    #[test]
    fn lenient_base64_and_trailing_text() {
        let c = cipher();
        // `I=` → `J=` changes only the unused low bits of the last symbol; CR/LF ignored;
        // text after `]` ignored.
        let v = "ENC[AES256_GCM,data:mBDKK9J=,iv:aIhUId71zzM2Wbtsko67M\r\nhdBC88IWkaUM/0PXr3AhLw=,tag:I4P6Mee86YDQyL7TKxumzw==,type:str]trailing";
        assert!(
            c.decrypt(v, b"hello:").is_err(),
            "newline ends `.`, so this is no match"
        );
        let v = "ENC[AES256_GCM,data:mBDKK9J=,iv:aIhUId71zzM2Wbtsko67MhdBC88IWkaUM/0PXr3AhLw=,tag:I4P6Mee86YDQyL7TKxumzw==,type:str]trailing";
        assert!(matches!(c.decrypt(v, b"hello:").unwrap(), Value::Str(s) if s.as_str() == "world"));
        assert_eq!(
            b64_decode("aI\r\nhU", "x").unwrap(),
            B64.decode("aIhU").unwrap()
        );
    }

    #[test]
    fn unknown_type_and_bad_plaintexts() {
        let c = cipher();
        let enc = c
            .encrypt(b"x", b"k:", ValueType::Str)
            .unwrap()
            .replace("type:str", "type:zzz");
        assert_eq!(
            c.decrypt(&enc, b"k:").unwrap_err().0,
            "Unknown datatype: zzz"
        );
        let enc = c.encrypt(b"abc", b"k:", ValueType::Int).unwrap();
        assert_eq!(
            c.decrypt(&enc, b"k:").unwrap_err().0,
            "strconv.Atoi: parsing a decrypted value (3 bytes, not shown): invalid syntax"
        );
        for kind in [ValueType::Float, ValueType::Bool, ValueType::Time] {
            let enc = c.encrypt(b"hunter2", b"k:", kind).unwrap();
            let err = c.decrypt(&enc, b"k:").unwrap_err().0;
            assert!(!err.contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn number_plaintexts_match_go_text() {
        for i in [0, 7, -1, 42, 1024, -60000, i64::MAX, i64::MIN] {
            let v = Value::Int(i);
            let p = plaintext_of(&v).unwrap();
            assert_eq!(p.bytes(), i.to_string().as_bytes());
            assert_eq!(p.kind, ValueType::Int);
        }
        for f in [
            0.0,
            -0.0,
            1.5,
            12.34,
            1e21,
            1e300,
            -1e-300,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.1 + 0.2,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ] {
            let v = Value::Float(f);
            let p = plaintext_of(&v).unwrap();
            assert_eq!(p.bytes(), gofmt::format_float_plain(f).as_bytes(), "{f}");
        }
        for b in [true, false] {
            let v = Value::Bool(b);
            let p = plaintext_of(&v).unwrap();
            assert_eq!(p.bytes(), gofmt::format_bool_plain(b).as_bytes());
        }
    }

    /// An `ENC[…]` string with the given raw fields.
    fn enc(data: &[u8], iv: &[u8], tag: &[u8], kind: &str) -> String {
        format!(
            "ENC[AES256_GCM,data:{},iv:{},tag:{},type:{kind}]",
            B64.encode(data),
            B64.encode(iv),
            B64.encode(tag)
        )
    }

    /// Go splits the tag off `data || tag`, wherever the fields divide them.
    #[test]
    fn tag_is_the_last_sixteen_bytes_of_data_and_tag() {
        let c = cipher();
        let iv = [9u8; 32];
        let good = c
            .encrypt_with_iv(b"a longer secret", b"k:", ValueType::Str, &iv)
            .unwrap();
        let p = EncryptedValue::parse(&good).unwrap();
        let mut sealed = B64.decode(p.data).unwrap();
        sealed.extend(B64.decode(p.tag).unwrap());
        for tag_len in [1, 12, 17, 20, sealed.len() - 1] {
            let (d, t) = sealed.split_at(sealed.len() - tag_len);
            let v = enc(d, &iv, t, "str");
            assert!(
                matches!(c.decrypt(&v, b"k:").unwrap(), Value::Str(s) if s.as_str() == "a longer secret"),
                "{tag_len}"
            );
        }
        // Fewer than 16 bytes in all: an authentication failure, as in Go.
        let v = enc(&sealed[..4], &iv, &sealed[4..10], "str");
        assert_eq!(c.decrypt(&v, b"k:").unwrap_err(), auth_failed());
    }

    /// `plain` sealed under the mock key with an IV of `N` bytes, as `ENC[…]`.
    fn seal_with_iv_len<N: ArrayLength<u8>>(plain: &[u8], iv: &[u8]) -> String {
        let mut buf = plain.to_vec();
        let tag = AesGcm::<Aes256, N>::new(GenericArray::from_slice(&kms_mock_key()))
            .encrypt_in_place_detached(GenericArray::from_slice(iv), b"k:", &mut buf)
            .unwrap();
        enc(&buf, iv, &tag, "str")
    }

    #[test]
    fn short_and_odd_ivs() {
        let c = cipher();
        for v in [
            seal_with_iv_len::<U12>(b"twelve", &[5u8; 12]),
            seal_with_iv_len::<U16>(b"twelve", &[6u8; 16]),
        ] {
            assert!(
                matches!(c.decrypt(&v, b"k:").unwrap(), Value::Str(s) if s.as_str() == "twelve")
            );
        }
        // Longer than any inline buffer, or empty: errors as Go gives them.
        let v = enc(b"data", &[1u8; 48], &[2u8; 16], "str");
        assert_eq!(c.decrypt(&v, b"k:").unwrap_err(), auth_failed());
        let v = "ENC[AES256_GCM,data:mBDKK9I=,iv:\r,tag:I4P6Mee86YDQyL7TKxumzw==,type:str]";
        assert_eq!(
            c.decrypt(v, b"hello:").unwrap_err().0,
            "cipher: the nonce can't have zero length"
        );
    }

    #[test]
    fn bad_base64_in_each_field_names_it() {
        let c = cipher();
        let cases = [
            (
                "ENC[AES256_GCM,data:mB!KK9I=,iv:aIhUId71zzM2Wbtsko67MhdBC88IWkaUM/0PXr3AhLw=,tag:I4P6Mee86YDQyL7TKxumzw==,type:str]",
                "Error base64-decoding data: illegal base64 data at input byte 2",
            ),
            (
                "ENC[AES256_GCM,data:mBDKK9I=,iv:aIhUId71zzM2Wbtsko67MhdBC88IWkaUM/0PXr3AhLw,tag:I4P6Mee86YDQyL7TKxumzw==,type:str]",
                "Error base64-decoding iv: illegal base64 data at input byte 40",
            ),
            (
                "ENC[AES256_GCM,data:mBDKK9I=,iv:aIhUId71zzM2Wbtsko67MhdBC88IWkaUM/0PXr3AhLw=,tag:I4P6Mee86YDQyL7TKxumzw=,type:str]",
                "Error base64-decoding tag: illegal base64 data at input byte 23",
            ),
            (
                "ENC[AES256_GCM,data:mBDKK9I=,iv:aIhUId71zzM2Wbtsko67MhdBC88IWkaUM/0PXr3AhLw=,tag:I4P6Mee86YDQyL7TKxu=zw==,type:str]",
                "Error base64-decoding tag: illegal base64 data at input byte 20",
            ),
        ];
        for (v, want) in cases {
            assert_eq!(c.decrypt(v, b"hello:").unwrap_err().0, want);
        }
        // CR/LF inside a field decode as in Go (the slow path), IV and tag included.
        let v = "ENC[AES256_GCM,data:mBD\rKK9I=,iv:aIhUId71zzM2Wbtsko67MhdBC88IWk\raUM/0PXr3AhLw=,tag:I4P6Mee86YDQ\ryL7TKxumzw==,type:str]";
        assert!(matches!(c.decrypt(v, b"hello:").unwrap(), Value::Str(s) if s.as_str() == "world"));
    }

    #[test]
    fn long_plaintexts_round_trip() {
        let c = cipher();
        for len in [1, 63, 64, 65, 200, 5000] {
            let plain: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let v = c.encrypt(&plain, b"k:", ValueType::Str).unwrap();
            let (back, kind) = c.decrypt_raw(&v, b"k:").unwrap();
            assert_eq!((back.as_slice(), kind), (plain.as_slice(), ValueType::Str));
        }
    }

    #[test]
    fn non_utf8_plaintexts() {
        let c = cipher();
        let v = c.encrypt(&[0xff, b'1'], b"k:", ValueType::Comment).unwrap();
        assert!(
            matches!(c.decrypt(&v, b"k:").unwrap(), Value::Comment(s) if s.as_str() == "\u{fffd}1")
        );
        let v = c.encrypt(&[0xff, b'1'], b"k:", ValueType::Int).unwrap();
        assert_eq!(
            c.decrypt(&v, b"k:").unwrap_err().0,
            "strconv.Atoi: parsing a decrypted value (4 bytes, not shown): invalid syntax"
        );
    }

    /// The fixed-place parser agrees with the general search wherever it
    /// answers, on values with separators, brackets and newlines put anywhere.
    #[test]
    fn sops_shape_parser_agrees_with_the_search() {
        let c = cipher();
        let base = c.encrypt(b"value", b"k:", ValueType::Str).unwrap();
        let rest = base.strip_prefix(ENC_PREFIX).unwrap();
        fn fields<'a>(v: &EncryptedValue<'a>) -> (&'a str, &'a str, &'a str, &'a str) {
            (v.data, v.iv, v.tag, v.kind)
        }
        let mut matched = 0;
        for insert in [",", "]", "\n", ",tag:", ",iv:", ",type:x", "é"] {
            for at in 0..=rest.len() {
                let mut s = rest.to_string();
                s.insert_str(at, insert);
                let general = EncryptedValue::parse_any_shape(&s);
                if let Some(fast) = EncryptedValue::parse_sops_shape(&s) {
                    matched += 1;
                    assert_eq!(Some(fields(&fast)), general.as_ref().map(fields), "{s:?}");
                }
            }
        }
        assert!(matched > 10, "{matched}");
        let fast = EncryptedValue::parse_sops_shape(rest).unwrap();
        assert_eq!(
            fields(&fast),
            fields(&EncryptedValue::parse(&base).unwrap())
        );
        assert!(EncryptedValue::parse_sops_shape("a]").is_none());
        assert!(EncryptedValue::parse_sops_shape("").is_none());
    }

    #[test]
    fn parse_is_greedy_like_the_regex() {
        let p = EncryptedValue::parse("ENC[AES256_GCM,data:a,iv:b,tag:c,type:str]]x").unwrap();
        assert_eq!((p.data, p.iv, p.tag, p.kind), ("a", "b", "c", "str]"));
        assert!(EncryptedValue::parse(" ENC[AES256_GCM,data:a,iv:b,tag:c,type:str]").is_none());
        assert!(EncryptedValue::parse("ENC[AES256_GCM,data:a,iv:b,tag:c,type:]").is_none());
    }
}
