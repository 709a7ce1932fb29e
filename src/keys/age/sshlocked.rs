//! Passphrase-protected OpenSSH private keys used as age identities, unlocked on first match.
//!
//! sops (Go age's `EncryptedSSHIdentity`) asks for an SSH key's passphrase only when
//! the file has a stanza for that very key, recognised by the public key stored in
//! clear in the `openssh-key-v1` container. The `age` crate can decrypt such keys but
//! its own lazy wrapper asks for every stanza and does not remember the result, so the
//! public key is read here and the unlocked key is kept for the next stanzas.

use super::identities::{BoxedIdentity, FallibleIdentity, Prompter};
use age_core::format::{FileKey, Stanza};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use zeroize::Zeroizing;

enum State {
    Locked,
    Open(BoxedIdentity),
    Failed(String),
}

/// An encrypted SSH private key waiting for its passphrase.
pub struct LockedSshKey {
    path: String,
    /// The stanza type for this key (`ssh-ed25519` or `ssh-rsa`).
    kind: String,
    /// The stanza tag: base64 of the first 4 bytes of SHA-256 of the public key blob.
    tag: String,
    contents: Zeroizing<Vec<u8>>,
    ask: Prompter,
    state: RefCell<State>,
}

/// Reads a length-prefixed SSH wire string.
fn ssh_string(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = u32::from_be_bytes(data.get(..4)?.try_into().ok()?) as usize;
    let value = data.get(4..4usize.checked_add(len)?)?;
    Some((value, data.get(4 + len..)?))
}

/// The public key blob stored in clear in an `openssh-key-v1` private key file.
fn openssh_public_blob(pem: &[u8]) -> Option<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
    const END: &str = "-----END OPENSSH PRIVATE KEY-----";
    let text = std::str::from_utf8(pem).ok()?;
    let body = text.get(text.find(BEGIN)? + BEGIN.len()..)?;
    let body = body.get(..body.find(END)?)?;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let raw = STANDARD.decode(b64).ok()?;
    let rest = raw.strip_prefix(b"openssh-key-v1\0")?;
    let (_cipher, rest) = ssh_string(rest)?;
    let (_kdf, rest) = ssh_string(rest)?;
    let (_kdf_options, rest) = ssh_string(rest)?;
    let rest = rest.get(4..)?; // number of keys
    let (blob, _) = ssh_string(rest)?;
    Some(blob.to_vec())
}

impl LockedSshKey {
    /// A locked key for the encrypted OpenSSH key in `contents` read from `path`.
    pub fn new(path: &str, contents: &[u8], ask: Prompter) -> Result<LockedSshKey, String> {
        let blob = openssh_public_blob(contents).ok_or_else(|| {
            format!(
                "malformed SSH identity in {}: cannot read the public key of this passphrase-protected key",
                super::gocompat::quote(path)
            )
        })?;
        let kind = ssh_string(&blob)
            .and_then(|(t, _)| std::str::from_utf8(t).ok())
            .unwrap_or_default()
            .to_string();
        let digest = Sha256::digest(&blob);
        let tag = STANDARD_NO_PAD.encode(digest.get(..4).unwrap_or_default());
        Ok(LockedSshKey {
            path: path.to_string(),
            kind,
            tag,
            contents: Zeroizing::new(contents.to_vec()),
            ask,
            state: RefCell::new(State::Locked),
        })
    }

    fn matches(&self, stanzas: &[Stanza]) -> bool {
        stanzas
            .iter()
            .any(|s| s.tag == self.kind && s.args.first() == Some(&self.tag))
    }

    fn unlock(&self) -> Result<BoxedIdentity, String> {
        let quoted = super::gocompat::quote(&self.path);
        let passphrase = (self.ask)(&format!("Enter passphrase for {quoted}:")).map_err(|e| {
            format!(
                "failed to obtain passphrase: could not read passphrase for {quoted}: {e} \
                 (run sops-rs from a terminal to be asked for it)"
            )
        })?;
        let passphrase = super::terminal::into_secret(&passphrase).ok_or_else(|| {
            format!("failed to decrypt SSH key file {quoted}: the passphrase is not valid UTF-8")
        })?;
        match age::ssh::Identity::from_buffer(&self.contents[..], Some(self.path.clone())) {
            Ok(age::ssh::Identity::Encrypted(key)) => key
                .decrypt(passphrase)
                .map(|k| Box::new(age::ssh::Identity::Unencrypted(k)) as BoxedIdentity)
                .map_err(|_| {
                    format!(
                        "failed to decrypt SSH key file {quoted}: decryption password incorrect"
                    )
                }),
            _ => Err(format!("failed to decrypt SSH key file {quoted}")),
        }
    }
}

impl FallibleIdentity for LockedSshKey {
    fn failure(&self) -> Option<String> {
        match &*self.state.borrow() {
            State::Failed(e) => Some(e.clone()),
            _ => None,
        }
    }
}

impl age::Identity for LockedSshKey {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
        self.unwrap_stanzas(std::slice::from_ref(stanza))
    }

    fn unwrap_stanzas(&self, stanzas: &[Stanza]) -> Option<Result<FileKey, age::DecryptError>> {
        if matches!(*self.state.borrow(), State::Locked) {
            if !self.matches(stanzas) {
                return None;
            }
            let next = match self.unlock() {
                Ok(id) => State::Open(id),
                Err(e) => State::Failed(e),
            };
            *self.state.borrow_mut() = next;
        }
        match &*self.state.borrow() {
            State::Open(id) => id.unwrap_stanzas(stanzas),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn keygen(dir: &std::path::Path, kind: &str, pass: &str) -> (String, String) {
        std::fs::create_dir_all(dir).unwrap();
        let key = dir.join(format!("id_{kind}"));
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", kind, "-N", pass, "-f"])
            .arg(&key)
            .status()
            .expect("ssh-keygen is needed (openssh-client; scripts/setup.sh installs it)");
        assert!(status.success());
        let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
        (key.display().to_string(), public.trim().to_string())
    }

    fn wrap_to(public: &str) -> Vec<u8> {
        let r: age::ssh::Recipient = public.parse().unwrap();
        let enc =
            age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient)).unwrap();
        let mut out = Vec::new();
        let mut w = enc.wrap_output(&mut out).unwrap();
        std::io::Write::write_all(&mut w, b"secret").unwrap();
        w.finish().unwrap();
        out
    }

    fn open(file: &[u8], id: &LockedSshKey) -> Option<Vec<u8>> {
        let d = age::Decryptor::new_buffered(file).unwrap();
        let mut r = d.decrypt(std::iter::once(id as &dyn age::Identity)).ok()?;
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        Some(out)
    }

    fn right(_: &str) -> Result<Zeroizing<Vec<u8>>, String> {
        Ok(Zeroizing::new(b"sekrit".to_vec()))
    }

    fn wrong(_: &str) -> Result<Zeroizing<Vec<u8>>, String> {
        Ok(Zeroizing::new(b"nope".to_vec()))
    }

    fn never(_: &str) -> Result<Zeroizing<Vec<u8>>, String> {
        panic!("asked for a passphrase for a file not encrypted to this key")
    }

    #[test]
    fn ed25519_and_rsa_unlock_only_for_their_stanzas() {
        let dir = tempfile::tempdir().unwrap();
        for kind in ["ed25519", "rsa"] {
            let (path, public) = keygen(dir.path(), kind, "sekrit");
            let contents = std::fs::read(&path).unwrap();
            let file = wrap_to(&public);
            let id = LockedSshKey::new(&path, &contents, right).unwrap();
            assert_eq!(open(&file, &id).unwrap(), b"secret");
            assert!(id.failure().is_none());
            let id = LockedSshKey::new(&path, &contents, wrong).unwrap();
            assert!(open(&file, &id).is_none());
            assert_eq!(
                id.failure().unwrap(),
                format!("failed to decrypt SSH key file \"{path}\": decryption password incorrect")
            );
            // A file for another key: no question asked.
            let (_, other) = keygen(&dir.path().join(kind), kind, "");
            let id = LockedSshKey::new(&path, &contents, never).unwrap();
            assert!(open(&wrap_to(&other), &id).is_none());
            assert!(id.failure().is_none());
        }
    }

    #[test]
    fn public_blob_parsing_rejects_garbage() {
        assert!(openssh_public_blob(b"nothing").is_none());
        assert!(
            openssh_public_blob(
                b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
            )
            .is_none()
        );
        assert!(ssh_string(&[0, 0, 0, 9, 1]).is_none());
        assert!(ssh_string(&[255, 255, 255, 255]).is_none());
        assert_eq!(
            ssh_string(&[0, 0, 0, 1, 7, 8]).unwrap(),
            (&[7u8][..], &[8u8][..])
        );
    }
}
