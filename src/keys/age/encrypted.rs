//! Passphrase-protected (scrypt) age identity files, unlocked on first use (spec §5.3).
//!
//! sops accepts an identity source that is itself an age file encrypted with a
//! passphrase: it asks for the passphrase only when the identity is actually tried,
//! decrypts the file and uses the identities inside. This type does the same as an
//! `age::Identity`, but records failures (no terminal, wrong passphrase) instead of
//! aborting the whole decryption, so the other identities are still tried and the
//! final report can name the file. The `age` crate's own `encrypted::Identity` is not
//! used because it stops at the first error and parses the inner file differently.

use super::gpgagent;
use super::identities::{BoxedIdentity, FallibleIdentity, parse_identities};
use age_core::format::{FileKey, Stanza};
use std::cell::RefCell;
use std::io::Read;
use zeroize::Zeroizing;

/// Largest identity file sops reads (Go age's `privateKeySizeLimit`).
const SIZE_LIMIT: u64 = 1 << 24;
/// Go age's default ceiling on the scrypt work factor of a passphrase file.
const MAX_WORK_FACTOR: u8 = 22;

/// How the passphrase is obtained: the prompt text in, the passphrase (or why not) out.
pub type PassphraseSource = Box<dyn Fn(&str) -> Result<Zeroizing<Vec<u8>>, String>>;

enum State {
    Locked,
    Open(Vec<BoxedIdentity>),
    Failed(String),
}

/// An identity file that needs a passphrase before its identities can be used.
pub struct EncryptedIdentity {
    /// The name sops uses in its prompt: the variable name or the default file's path.
    location: String,
    /// `location` plus the file path where that differs, for error messages.
    described: String,
    /// The binary (de-armored) age file.
    contents: Zeroizing<Vec<u8>>,
    passphrase: PassphraseSource,
    /// Whether a running gpg-agent is asked first, as sops does.
    agent: bool,
    state: RefCell<State>,
}

/// True when an identity source holds an age-encrypted file rather than identity lines.
pub fn is_encrypted_source(content: &[u8]) -> bool {
    content.starts_with(b"age-encryption") || content.starts_with(b"-----BEGIN AGE")
}

impl EncryptedIdentity {
    /// Reads the (possibly armored) age file; `path` is the file behind `location`, if any.
    pub fn new(
        location: &str,
        path: Option<&str>,
        content: &[u8],
        passphrase: PassphraseSource,
        agent: bool,
    ) -> Result<EncryptedIdentity, String> {
        let mut contents = Zeroizing::new(Vec::new());
        let read = if content.starts_with(b"-----BEGIN AGE") {
            age::armor::ArmoredReader::new(content)
                .take(SIZE_LIMIT)
                .read_to_end(&mut contents)
        } else {
            content.take(SIZE_LIMIT).read_to_end(&mut contents)
        };
        read.map_err(|e| format!("failed to read '{location}': {e}"))?;
        if contents.len() as u64 == SIZE_LIMIT {
            return Err(format!("failed to read '{location}': file too long"));
        }
        let described = match path {
            Some(p) if p != location => format!("'{location}' ({p})"),
            _ => format!("'{location}'"),
        };
        Ok(EncryptedIdentity {
            location: location.to_string(),
            described,
            contents,
            passphrase,
            agent,
            state: RefCell::new(State::Locked),
        })
    }

    /// The prompt sops shows for this source.
    fn prompt(&self) -> String {
        format!("Enter passphrase for identity '{}':", self.location)
    }

    fn unlock(&self) -> Result<Vec<BoxedIdentity>, String> {
        let described = &self.described;
        let decryptor = age::Decryptor::new_buffered(&self.contents[..])
            .map_err(|e| format!("failed to decrypt identity file {described}: {e}"))?;
        if !decryptor.is_scrypt() {
            return Err(format!(
                "failed to decrypt identity file {described}: it is an age file, but not \
                 protected by a passphrase"
            ));
        }
        let from_agent = self.agent.then(|| self.ask_agent()).flatten();
        let asked_agent = from_agent.is_some();
        let passphrase = match from_agent {
            Some(answer) => answer,
            None => (self.passphrase)(&self.prompt()),
        }
        .map_err(|e| {
            format!(
                "failed to decrypt identity file {described}: could not read passphrase: {e} \
                 (run sops-rs from a terminal to be asked for the passphrase, or give the \
                 identities unencrypted, e.g. SOPS_AGE_KEY_CMD=\"age -d <file>\")"
            )
        })?;
        let passphrase = super::terminal::into_secret(&passphrase).ok_or_else(|| {
            format!(
                "failed to decrypt identity file {described}: the passphrase is not valid UTF-8"
            )
        })?;
        let mut scrypt = age::scrypt::Identity::new(passphrase);
        scrypt.set_max_work_factor(MAX_WORK_FACTOR);
        let mut reader = decryptor
            .decrypt(std::iter::once(&scrypt as &dyn age::Identity))
            .map_err(|e| match e {
                age::DecryptError::DecryptionFailed
                | age::DecryptError::KeyDecryptionFailed
                | age::DecryptError::NoMatchingKeys => {
                    if asked_agent {
                        self.forget_in_agent();
                    }
                    format!("incorrect passphrase for identity file {described}")
                }
                other => format!("failed to decrypt identity file {described}: {other}"),
            })?;
        let mut inner = Zeroizing::new(Vec::new());
        reader
            .read_to_end(&mut inner)
            .map_err(|e| format!("failed to decrypt identity file {described}: {e}"))?;
        let parsed = parse_identities(&inner)
            .map_err(|e| format!("failed to parse the identities in {described}: {e}"))?;
        if parsed.is_empty() {
            return Err(format!(
                "failed to parse the identities in {described}: no identities found"
            ));
        }
        parsed.into_iter().map(|id| id.into_identity()).collect()
    }
}

impl EncryptedIdentity {
    /// The passphrase from a running gpg-agent (pinentry), or `None` when no agent
    /// answers, as sops does before asking on the terminal.
    fn ask_agent(&self) -> Option<Result<Zeroizing<Vec<u8>>, String>> {
        let socket = gpgagent::socket_path(|k| std::env::var(k).ok())?;
        let mut agent = gpgagent::Agent::connect(&socket).ok()?;
        let request = gpgagent::Request {
            cache_key: &self.location,
            prompt: "Passphrase",
            description: &self.prompt(),
        };
        let answer = agent
            .get_passphrase(&request, &gpgagent::Options::from_process())
            .map_err(|e| format!("gpg-agent passphrase request errored: {e}"));
        // Never keep an empty passphrase in the agent's cache.
        if answer.as_ref().is_ok_and(|p| p.is_empty()) {
            let _ = agent.clear_passphrase(&self.location);
        }
        Some(answer)
    }

    /// Removes a wrong passphrase from the agent's cache so that the next run asks again.
    fn forget_in_agent(&self) {
        if let Some(socket) = gpgagent::socket_path(|k| std::env::var(k).ok())
            && let Ok(mut agent) = gpgagent::Agent::connect(&socket)
        {
            let _ = agent.clear_passphrase(&self.location);
        }
    }
}

impl FallibleIdentity for EncryptedIdentity {
    fn failure(&self) -> Option<String> {
        match &*self.state.borrow() {
            State::Failed(e) => Some(e.clone()),
            _ => None,
        }
    }
}

impl age::Identity for EncryptedIdentity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
        self.unwrap_stanzas(std::slice::from_ref(stanza))
    }

    fn unwrap_stanzas(&self, stanzas: &[Stanza]) -> Option<Result<FileKey, age::DecryptError>> {
        let just_unlocked = matches!(*self.state.borrow(), State::Locked);
        if just_unlocked {
            let next = match self.unlock() {
                Ok(ids) => State::Open(ids),
                Err(e) => State::Failed(e),
            };
            *self.state.borrow_mut() = next;
        }
        let state = self.state.borrow();
        let State::Open(ids) = &*state else {
            return None;
        };
        let found = ids.iter().find_map(|id| id.unwrap_stanzas(stanzas));
        if found.is_none() && just_unlocked {
            eprintln!(
                "[AGE]\t level=warning msg=\"encrypted identity '{}' didn't match file's recipients\"",
                self.location
            );
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/vectors/sops-repo/age-test-data"
    );

    fn protected() -> Vec<u8> {
        std::fs::read(format!("{DATA}/mock_passphrase_protected_identity.age")).unwrap()
    }

    fn mock_encrypted_key() -> Vec<u8> {
        std::fs::read(format!("{DATA}/mock_encrypted_key.age")).unwrap()
    }

    fn fixed(answer: &'static str) -> PassphraseSource {
        Box::new(move |_| Ok(Zeroizing::new(answer.as_bytes().to_vec())))
    }

    fn decrypt(enc: &[u8], id: &EncryptedIdentity) -> Result<Vec<u8>, age::DecryptError> {
        let d = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(enc))?;
        let mut r = d.decrypt(std::iter::once(id as &dyn age::Identity))?;
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        Ok(out)
    }

    #[test]
    fn detects_binary_and_armored_files() {
        assert!(is_encrypted_source(&protected()));
        assert!(is_encrypted_source(b"age-encryption.org/v1\n"));
        assert!(!is_encrypted_source(b"AGE-SECRET-KEY-1..."));
        assert!(!is_encrypted_source(b"# age-encryption"));
    }

    #[test]
    fn right_passphrase_opens_the_vector() {
        let asked = std::rc::Rc::new(RefCell::new(Vec::new()));
        let log = asked.clone();
        let source: PassphraseSource = Box::new(move |prompt| {
            log.borrow_mut().push(prompt.to_string());
            Ok(Zeroizing::new(b"passphrase".to_vec()))
        });
        let id = EncryptedIdentity::new(
            "SOPS_AGE_KEY_FILE",
            Some("/k.age"),
            &protected(),
            source,
            false,
        )
        .unwrap();
        assert_eq!(decrypt(&mock_encrypted_key(), &id).unwrap(), b"data");
        // A second use does not ask again.
        assert_eq!(decrypt(&mock_encrypted_key(), &id).unwrap(), b"data");
        assert_eq!(
            asked.borrow().as_slice(),
            ["Enter passphrase for identity 'SOPS_AGE_KEY_FILE':"]
        );
        assert!(id.failure().is_none());
    }

    #[test]
    fn binary_form_works_too() {
        let armored = protected();
        let mut binary = Vec::new();
        age::armor::ArmoredReader::new(&armored[..])
            .read_to_end(&mut binary)
            .unwrap();
        assert!(binary.starts_with(b"age-encryption.org/v1"));
        let id = EncryptedIdentity::new("SOPS_AGE_KEY", None, &binary, fixed("passphrase"), false)
            .unwrap();
        assert_eq!(decrypt(&mock_encrypted_key(), &id).unwrap(), b"data");
    }

    #[test]
    fn wrong_passphrase_is_recorded_not_fatal() {
        let id = EncryptedIdentity::new(
            "SOPS_AGE_KEY_FILE",
            Some("/k.age"),
            &protected(),
            fixed("wrong"),
            false,
        )
        .unwrap();
        assert!(matches!(
            decrypt(&mock_encrypted_key(), &id),
            Err(age::DecryptError::NoMatchingKeys)
        ));
        assert_eq!(
            id.failure().unwrap(),
            "incorrect passphrase for identity file 'SOPS_AGE_KEY_FILE' (/k.age)"
        );
    }

    #[test]
    fn missing_terminal_is_reported_with_the_file() {
        let source: PassphraseSource = Box::new(|_| Err("no tty here".into()));
        let id = EncryptedIdentity::new(
            "/h/.config/sops/age/keys.txt",
            Some("/h/.config/sops/age/keys.txt"),
            &protected(),
            source,
            false,
        )
        .unwrap();
        assert!(decrypt(&mock_encrypted_key(), &id).is_err());
        let e = id.failure().unwrap();
        assert!(
            e.starts_with(
                "failed to decrypt identity file '/h/.config/sops/age/keys.txt': could not read passphrase: no tty here"
            ),
            "{e}"
        );
    }

    #[test]
    fn non_passphrase_age_file_is_refused() {
        let id = EncryptedIdentity::new(
            "SOPS_AGE_KEY",
            None,
            &mock_encrypted_key(),
            fixed("x"),
            false,
        )
        .unwrap();
        assert!(decrypt(&mock_encrypted_key(), &id).is_err());
        assert!(
            id.failure()
                .unwrap()
                .contains("not protected by a passphrase")
        );
    }

    #[test]
    fn garbage_after_header_fails_cleanly() {
        let id = EncryptedIdentity::new(
            "SOPS_AGE_KEY",
            None,
            b"age-encryption.org/v1\n-> x\n",
            fixed("x"),
            false,
        )
        .unwrap();
        assert!(decrypt(&mock_encrypted_key(), &id).is_err());
        assert!(
            id.failure()
                .unwrap()
                .starts_with("failed to decrypt identity file 'SOPS_AGE_KEY': ")
        );
    }
}
