//! Writes binary age v1 files in Go age's exact layout (no grease stanza), because the
//! `age` crate's `Encryptor` always adds a random one and so gives `enc` blocks a shape
//! sops never writes; the recipients' own `wrap_file_key` and age-core's HKDF still do
//! the key wrapping, so only the framing (header, MAC, STREAM payload) lives here.

use age::Recipient;
use age_core::format::{FILE_KEY_BYTES, FileKey, Stanza, is_arbitrary_string};
use age_core::primitives::hkdf;
use age_core::secrecy::ExposeSecret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chacha20poly1305::aead::Aead;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

const INTRO: &str = "age-encryption.org/v1\n";
/// Base64 columns per stanza body line (the spec's wrapping width).
const COLUMNS: usize = 64;
/// Plaintext bytes per STREAM chunk.
const CHUNK_SIZE: usize = 64 * 1024;
const NONCE_SIZE: usize = 16;

/// Encrypts `plaintext` to `recipient` as a binary age v1 file, as Go age's `age.Encrypt`
/// does for a single recipient. Errors carry Go age's wording (without sops's prefix).
/// `plugin` names the age plugin behind `recipient`, if any, for Go age's error wording.
pub(super) fn encrypt(
    recipient: &dyn Recipient,
    plaintext: &[u8],
    plugin: Option<&str>,
) -> Result<Vec<u8>, String> {
    let file_key = FileKey::try_init_with_mut(|k| getrandom::getrandom(k))
        .map_err(|e| format!("failed to generate file key: {e}"))?;
    let mut nonce = [0u8; NONCE_SIZE];
    getrandom::getrandom(&mut nonce).map_err(|e| format!("failed to generate nonce: {e}"))?;
    encrypt_with(recipient, plaintext, &file_key, &nonce, plugin)
}

/// [`encrypt`] with a given file key and payload nonce (fixed values make tests exact).
fn encrypt_with(
    recipient: &dyn Recipient,
    plaintext: &[u8],
    file_key: &FileKey,
    nonce: &[u8; NONCE_SIZE],
    plugin: Option<&str>,
) -> Result<Vec<u8>, String> {
    // Labels only constrain how several recipients combine; sops uses one per file.
    let (stanzas, _labels) = recipient.wrap_file_key(file_key).map_err(|e| {
        let why = match plugin {
            Some(name) => super::plugin::describe_encrypt_error(name, &e),
            None => e.to_string(),
        };
        format!("failed to wrap key for recipient #0: {why}")
    })?;
    let mut out = header(&stanzas, file_key)?;
    out.extend_from_slice(nonce);
    out.extend(payload(plaintext, file_key, nonce)?);
    Ok(out)
}

/// The header text: intro, stanzas, and the `---` line with its MAC.
fn header(stanzas: &[Stanza], file_key: &FileKey) -> Result<Vec<u8>, String> {
    let mut text = String::from(INTRO);
    for stanza in stanzas {
        write_stanza(&mut text, stanza)?;
    }
    // The MAC covers everything up to and including `---`, not the space after it.
    text.push_str("---");
    let mac_key = Zeroizing::new(hkdf(&[], b"header", file_key.expose_secret()));
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(mac_key.as_slice())
        .map_err(|e| format!("failed to compute header MAC: {e}"))?;
    mac.update(text.as_bytes());
    let tag = mac.finalize().into_bytes();
    text.push(' ');
    text.push_str(&STANDARD_NO_PAD.encode(tag));
    text.push('\n');
    Ok(text.into_bytes())
}

/// `-> type args…` then the unpadded base64 body in 64-column lines; the last line is
/// always shorter than 64 columns, so a body filling whole lines ends with an empty one.
fn write_stanza(text: &mut String, stanza: &Stanza) -> Result<(), String> {
    let fields = std::iter::once(&stanza.tag).chain(&stanza.args);
    text.push_str("->");
    for field in fields {
        // An argument with blanks or controls would corrupt the header for every reader.
        if !is_arbitrary_string(field) {
            return Err(format!("invalid stanza argument {field:?}"));
        }
        text.push(' ');
        text.push_str(field);
    }
    text.push('\n');
    let body = STANDARD_NO_PAD.encode(&stanza.body);
    let mut rest = body.as_str();
    while rest.len() >= COLUMNS {
        let (line, tail) = rest.split_at(COLUMNS);
        text.push_str(line);
        text.push('\n');
        rest = tail;
    }
    text.push_str(rest);
    text.push('\n');
    Ok(())
}

/// STREAM: ChaCha20-Poly1305 over 64 KiB chunks, nonce = 11-byte big-endian counter and
/// a last-chunk flag byte; only an empty plaintext gets an empty (final) chunk.
fn payload(
    plaintext: &[u8],
    file_key: &FileKey,
    nonce: &[u8; NONCE_SIZE],
) -> Result<Vec<u8>, String> {
    let key = Zeroizing::new(hkdf(nonce, b"payload", file_key.expose_secret()));
    let cipher = ChaCha20Poly1305::new((&*key).into());
    let chunk_count = plaintext.len().div_ceil(CHUNK_SIZE).max(1);
    let mut out = Vec::with_capacity(plaintext.len() + 16 * chunk_count);
    let mut chunks = plaintext.chunks(CHUNK_SIZE);
    for index in 0..chunk_count {
        let chunk = chunks.next().unwrap_or_default();
        let mut chunk_nonce = [0u8; 12];
        let counter = u64::try_from(index).map_err(|_| "payload too large".to_string())?;
        let (counter_bytes, flag) = chunk_nonce.split_at_mut(11);
        let (_, low) = counter_bytes.split_at_mut(3);
        low.copy_from_slice(&counter.to_be_bytes());
        if index + 1 == chunk_count {
            flag.fill(1);
        }
        let sealed = cipher
            .encrypt(&chunk_nonce.into(), chunk)
            .map_err(|_| "failed to encrypt payload chunk".to_string())?;
        out.extend(sealed);
    }
    Ok(out)
}

// The file key length is part of the format; fail the build if age-core ever changes it.
const _: () = assert!(FILE_KEY_BYTES == 16);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::io::Read;

    /// A recipient whose stanza carries the file key in the clear, so tests can check
    /// the framing (MAC, payload, line wrapping) without any real key wrapping.
    struct PlainRecipient {
        tag: &'static str,
        args: Vec<String>,
        padding: usize,
    }

    impl Recipient for PlainRecipient {
        fn wrap_file_key(
            &self,
            file_key: &FileKey,
        ) -> Result<(Vec<Stanza>, HashSet<String>), age::EncryptError> {
            let mut body = file_key.expose_secret().to_vec();
            body.resize(FILE_KEY_BYTES + self.padding, 0xAA);
            Ok((
                vec![Stanza {
                    tag: self.tag.into(),
                    args: self.args.clone(),
                    body,
                }],
                HashSet::new(),
            ))
        }
    }

    struct PlainIdentity;

    impl age::Identity for PlainIdentity {
        fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
            if stanza.tag != "plain" {
                return None;
            }
            let mut key = [0u8; FILE_KEY_BYTES];
            key.copy_from_slice(&stanza.body[..FILE_KEY_BYTES]);
            Some(Ok(FileKey::new(Box::new(key))))
        }
    }

    struct FailingRecipient;

    impl Recipient for FailingRecipient {
        fn wrap_file_key(
            &self,
            _: &FileKey,
        ) -> Result<(Vec<Stanza>, HashSet<String>), age::EncryptError> {
            Err(age::EncryptError::MissingRecipients)
        }
    }

    fn plain(padding: usize) -> PlainRecipient {
        PlainRecipient {
            tag: "plain",
            args: vec!["a1".into(), "b2".into()],
            padding,
        }
    }

    fn decrypt(file: &[u8]) -> Result<Vec<u8>, String> {
        let d = age::Decryptor::new_buffered(file).map_err(|e| e.to_string())?;
        let mut r = d
            .decrypt(std::iter::once(&PlainIdentity as &dyn age::Identity))
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        r.read_to_end(&mut out).map_err(|e| e.to_string())?;
        Ok(out)
    }

    fn header_text(file: &[u8]) -> String {
        let end = file.windows(4).position(|w| w == b"\n---").unwrap();
        let line_end = end + 1 + file[end + 1..].iter().position(|&b| b == b'\n').unwrap();
        String::from_utf8(file[..=line_end].to_vec()).unwrap()
    }

    #[test]
    fn header_layout_matches_go_age() {
        let key = FileKey::new(Box::new([3u8; 16]));
        let file = encrypt_with(&plain(0), b"secret", &key, &[5u8; 16], None).unwrap();
        let text = header_text(&file);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "age-encryption.org/v1");
        assert_eq!(lines[1], "-> plain a1 b2");
        assert_eq!(lines[2], STANDARD_NO_PAD.encode([3u8; 16]));
        assert!(lines[3].starts_with("--- "));
        assert_eq!(lines[3].len(), 4 + 43);
        assert_eq!(lines.len(), 4);
        // Nonce, then one final chunk: 6 bytes + 16-byte tag.
        assert_eq!(&file[text.len()..text.len() + 16], &[5u8; 16]);
        assert_eq!(file.len(), text.len() + 16 + 6 + 16);
        assert_eq!(decrypt(&file).unwrap(), b"secret");
    }

    #[test]
    fn body_filling_whole_lines_ends_with_empty_line() {
        let key = FileKey::new(Box::new([1u8; 16]));
        // 48 bytes = exactly one 64-column line.
        let file = encrypt_with(&plain(32), b"x", &key, &[0u8; 16], None).unwrap();
        let text = header_text(&file);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2].len(), 64);
        assert_eq!(lines[3], "");
        assert!(lines[4].starts_with("--- "));
        assert_eq!(decrypt(&file).unwrap(), b"x");
        // 49 bytes: one full line and a short one.
        let file = encrypt_with(&plain(33), b"x", &key, &[0u8; 16], None).unwrap();
        let text = header_text(&file);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!((lines[2].len(), lines[3].len()), (64, 2));
        assert_eq!(decrypt(&file).unwrap(), b"x");
    }

    #[test]
    fn payload_chunking_round_trips() {
        for len in [
            0,
            1,
            33,
            CHUNK_SIZE - 1,
            CHUNK_SIZE,
            CHUNK_SIZE + 1,
            2 * CHUNK_SIZE,
        ] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let file = encrypt(&plain(0), &data, None).unwrap();
            let chunks = len.div_ceil(CHUNK_SIZE).max(1);
            let head = header_text(&file).len();
            assert_eq!(file.len(), head + 16 + len + 16 * chunks, "len {len}");
            assert_eq!(decrypt(&file).unwrap(), data, "len {len}");
        }
    }

    #[test]
    fn fresh_keys_every_time() {
        let a = encrypt(&plain(0), b"same", None).unwrap();
        let b = encrypt(&plain(0), b"same", None).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn tampering_is_detected() {
        let key = FileKey::new(Box::new([9u8; 16]));
        let file = encrypt_with(&plain(0), b"secret", &key, &[0u8; 16], None).unwrap();
        let head = header_text(&file).len();
        // Change a stanza argument: the header MAC no longer matches.
        let mut bad = file.clone();
        let at = bad.windows(2).position(|w| w == b"a1").unwrap();
        bad[at] = b'c';
        assert!(decrypt(&bad).is_err());
        // Flip a payload bit: the chunk tag fails.
        let mut bad = file.clone();
        bad[head + 16] ^= 1;
        assert!(decrypt(&bad).is_err());
        // A truncated payload is rejected.
        assert!(decrypt(&file[..file.len() - 1]).is_err());
    }

    #[test]
    fn recipient_errors_are_reported() {
        let err = encrypt(&FailingRecipient, b"k", None).unwrap_err();
        assert!(
            err.starts_with("failed to wrap key for recipient #0: "),
            "{err}"
        );
        let bad = PlainRecipient {
            tag: "plain",
            args: vec!["has space".into()],
            padding: 0,
        };
        assert!(encrypt(&bad, b"k", None).is_err());
        let empty = PlainRecipient {
            tag: "plain",
            args: vec![String::new()],
            padding: 0,
        };
        assert!(encrypt(&empty, b"k", None).is_err());
    }
}
