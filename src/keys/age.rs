//! age master keys: recipients, the armored `enc` block, identity discovery (spec §5.3).
//!
//! The `age` crate wraps and unwraps file keys (it interoperates with Go age, which
//! sops uses), but the encrypted file itself is framed by `v1file`/`armor` so it has Go
//! age's exact shape; recipients are checked first with a Go-compatible Bech32 decoder
//! so that error messages carry sops's exact wording.

mod armor;
mod encrypted;
pub(crate) mod gocompat;
mod gpgagent;
mod identities;
mod plugin;
mod sshlocked;
mod sshpub;
mod terminal;
mod v1file;

use crate::error::{Error, Result};
use crate::keys::environment::Environment;
use crate::tree::Map;
use std::io::Read;
use zeroize::Zeroizing;

/// One `age` metadata entry: a recipient and the data key encrypted to it.
pub struct AgeKey {
    recipient: String,
    enc: String,
}

/// A recipient the `age` crate can encrypt to.
enum ParsedRecipient {
    X25519(age::x25519::Recipient),
    Ssh(age::ssh::Recipient),
    Plugin(age::plugin::Recipient),
}

/// Checks `recipient` as sops does and returns the crate's recipient, or sops's error text.
fn parse_recipient(recipient: &str) -> std::result::Result<ParsedRecipient, String> {
    let q = gocompat::quote(recipient);
    if recipient.starts_with("age1pq1") {
        Err(format!(
            "failed to parse input as Bech32-encoded age public key: post-quantum recipient {q} is not supported by sops-rs yet"
        ))
    } else if recipient.starts_with("age1") && recipient.matches('1').count() > 1 {
        let plugin_err =
            |e: String| format!("failed to parse input as age key from age plugin: {e}");
        let (hrp, _) = gocompat::bech32_decode(recipient)
            .map_err(|e| plugin_err(format!("invalid recipient encoding: {e}")))?;
        let name = hrp.strip_prefix("age1").unwrap_or_default();
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | '_'));
        if !valid_name {
            return Err(plugin_err(format!(
                "invalid plugin name: {}",
                gocompat::quote(name)
            )));
        }
        recipient
            .parse::<age::plugin::Recipient>()
            .map(ParsedRecipient::Plugin)
            .map_err(|e| plugin_err(e.to_string()))
    } else if recipient.starts_with("age1") {
        let bad = |e: String| {
            format!(
                "failed to parse input as Bech32-encoded age public key: malformed recipient {q}: {e}"
            )
        };
        let (hrp, data) = gocompat::bech32_decode(recipient).map_err(bad)?;
        if hrp != "age" {
            return Err(bad(format!("invalid type {}", gocompat::quote(&hrp))));
        }
        if data.len() != 32 {
            return Err(bad("invalid X25519 public key".into()));
        }
        recipient
            .parse::<age::x25519::Recipient>()
            .map(ParsedRecipient::X25519)
            .map_err(|e| bad(e.to_string()))
    } else if recipient.starts_with("ssh-") {
        let prefix = "failed to parse input as age-ssh public key";
        let key = match sshpub::go_parse_authorized_key(recipient) {
            Err(e) => return Err(format!("{prefix}: malformed SSH recipient: {q}: {e}")),
            Ok(k) if k.algorithm != "ssh-rsa" && k.algorithm != "ssh-ed25519" => {
                return Err(format!(
                    "{prefix}: unknown SSH recipient type: {}",
                    gocompat::quote(&k.algorithm)
                ));
            }
            Ok(k) => k,
        };
        // Go uses the type inside the blob and tolerates extra blanks; the crate
        // wants the canonical `<type> <base64>` form.
        format!("{} {}", key.algorithm, key.blob)
            .parse::<age::ssh::Recipient>()
            .map(ParsedRecipient::Ssh)
            .map_err(|e| {
                let why = match e {
                    age::ssh::ParseRecipientKeyError::RsaModulusTooLarge => "RSA modulus too large",
                    age::ssh::ParseRecipientKeyError::RsaModulusTooSmall => "RSA modulus too small",
                    age::ssh::ParseRecipientKeyError::Unsupported(_) => "unsupported key type",
                    _ => "invalid SSH recipient",
                };
                format!("{prefix}: malformed SSH recipient: {q}: {why}")
            })
    } else {
        Err(format!(
            "failed to parse input, unknown recipient type: {q}"
        ))
    }
}

/// Go age's wording for the decryption errors users see most.
fn describe_decrypt_error(e: &age::DecryptError, identity_count: usize) -> String {
    match e {
        age::DecryptError::NoMatchingKeys if identity_count == 1 => {
            "identity did not match any of the recipients: incorrect identity for recipient block"
                .into()
        }
        age::DecryptError::NoMatchingKeys => "no identity matched any of the recipients".into(),
        age::DecryptError::InvalidMac => "bad header MAC".into(),
        age::DecryptError::InvalidHeader | age::DecryptError::UnknownFormat => {
            format!("failed to read header: {e}")
        }
        other => other.to_string(),
    }
}

impl AgeKey {
    /// A key for `recipient` (`age1…`, `ssh-ed25519 …`, `ssh-rsa …`, plugin); checks the syntax.
    pub fn new(recipient: &str) -> Result<AgeKey> {
        let recipient = recipient.trim();
        parse_recipient(recipient).map_err(Error::InvalidMasterKey)?;
        Ok(AgeKey {
            recipient: recipient.to_string(),
            enc: String::new(),
        })
    }

    /// The recipient string as stored.
    pub fn recipient(&self) -> &str {
        &self.recipient
    }

    /// The armored age file holding the data key (empty until encrypted).
    pub fn enc(&self) -> &str {
        &self.enc
    }

    /// Encrypts `data_key` to the recipient as an armored age file.
    pub fn encrypt(&mut self, data_key: &[u8]) -> Result<()> {
        let parsed = parse_recipient(&self.recipient).map_err(Error::Other)?;
        let failed = |e: String| {
            Error::Other(format!(
                "failed to create writer for encrypting sops data key with age: {e}"
            ))
        };
        let plugin;
        let recipient: &dyn age::Recipient = match &parsed {
            ParsedRecipient::X25519(r) => r,
            ParsedRecipient::Ssh(r) => r,
            ParsedRecipient::Plugin(r) => {
                plugin = age::plugin::RecipientPluginV1::new(
                    r.plugin(),
                    std::slice::from_ref(r),
                    &[],
                    plugin::TerminalCallbacks::new(r.plugin()),
                )
                .map_err(|e| {
                    failed(format!(
                        "failed to wrap key for recipient #0: {}",
                        plugin::resolve_error(r.plugin(), &e)
                    ))
                })?;
                &plugin
            }
        };
        // Go age's framing, not the crate's Encryptor: that one adds a grease stanza
        // sops never writes, which changes the armor's length and line count.
        let plugin_name = match &parsed {
            ParsedRecipient::Plugin(r) => Some(r.plugin()),
            _ => None,
        };
        let file = v1file::encrypt(recipient, data_key, plugin_name).map_err(failed)?;
        self.enc = armor::armor(&file);
        Ok(())
    }

    /// Decrypts the stored `enc` with the identities found in the environment, asking
    /// on the terminal for the passphrase of a protected identity file if one is tried.
    pub fn decrypt(&self) -> Result<Zeroizing<Vec<u8>>> {
        self.decrypt_with(&Environment::from_process())
    }

    /// Decrypts the stored `enc` with identities found in `env` (read afresh on every call).
    pub fn decrypt_with(&self, env: &Environment) -> Result<Zeroizing<Vec<u8>>> {
        self.decrypt_prompting(env, terminal::read_secret, true)
    }

    /// [`AgeKey::decrypt_with`], with passphrases obtained from `ask` only (no gpg-agent).
    #[cfg(test)]
    fn decrypt_asking(
        &self,
        env: &Environment,
        ask: identities::Prompter,
    ) -> Result<Zeroizing<Vec<u8>>> {
        self.decrypt_prompting(env, ask, false)
    }

    fn decrypt_prompting(
        &self,
        env: &Environment,
        ask: identities::Prompter,
        agent: bool,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let loaded = identities::load(env, &self.recipient, ask, agent);
        if loaded.identities.is_empty()
            && loaded.fallible.is_empty()
            && loaded.missing_plugins.is_empty()
        {
            return Err(Error::Other(identities::format_error(
                "failed to load age identities",
                None,
                &loaded.errors,
                &loaded.unused,
            )));
        }
        let fail = |e: String| {
            Error::Other(identities::format_error(
                "failed to create reader for decrypting sops data key with age",
                Some(&e),
                &loaded.errors,
                &loaded.unused,
            ))
        };
        let count = loaded.identities.len() + loaded.fallible.len() + loaded.missing_plugins.len();
        let decryptor =
            age::Decryptor::new_buffered(age::armor::ArmoredReader::new(self.enc.as_bytes()))
                .map_err(|e| fail(describe_decrypt_error(&e, count)))?;
        let all = loaded
            .identities
            .iter()
            .map(|i| i.as_ref() as &dyn age::Identity)
            .chain(
                loaded
                    .fallible
                    .iter()
                    .map(|i| i.as_ref() as &dyn age::Identity),
            );
        let mut reader = decryptor.decrypt(all).map_err(|e| {
            // Go stops at the first identity that fails (a missing plugin, a wrong
            // passphrase) and reports it; here every identity was tried first, and the
            // failures are reported only when none matched.
            let failures: Vec<String> = loaded
                .missing_plugins
                .iter()
                .cloned()
                .chain(loaded.fallible.iter().filter_map(|f| f.failure()))
                .collect();
            match (&e, loaded.fallible.as_slice()) {
                (age::DecryptError::NoMatchingKeys, _) if !failures.is_empty() => {
                    fail(failures.join("; "))
                }
                // Go age words a single non-matching identity with its own error.
                (age::DecryptError::NoMatchingKeys, [only]) if count == 1 => fail(format!(
                    "identity did not match any of the recipients: {}",
                    only.no_match()
                )),
                _ => fail(describe_decrypt_error(&e, count)),
            }
        })?;
        let mut out = Zeroizing::new(Vec::with_capacity(33));
        reader.read_to_end(&mut out).map_err(|e| {
            Error::Other(format!(
                "failed to copy age decrypted data into bytes.Buffer: {e}"
            ))
        })?;
        Ok(out)
    }

    /// `{recipient, enc}`.
    pub fn to_metadata(&self) -> Map {
        let mut m = Map::new();
        m.push("recipient", crate::tree::Value::str(self.recipient.clone()));
        m.push("enc", crate::tree::Value::str(self.enc.clone()));
        m
    }

    /// Reads `{recipient, enc}`.
    pub fn from_metadata(entry: &Map) -> Result<AgeKey> {
        let get = |k: &str| match entry.get(k) {
            Some(crate::tree::Value::Str(s)) => Ok(s.to_string()),
            _ => Err(Error::InvalidMetadata(format!(
                "age key entry has no string {k:?}"
            ))),
        };
        Ok(AgeKey {
            recipient: get("recipient")?,
            enc: get("enc")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    const V: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/vectors/generated-sops-3.11.0"
    );
    const R1: &str = "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr";
    const R2: &str = "age1sejqed925yw6jgarccflp4x5ywce2kt82nr4l5ytyaz4t7f344ns3ghk62";

    fn keys_file(n: u8) -> String {
        format!("{V}/keys/age{n}.keys.txt")
    }

    fn temp_home() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    /// An environment with only `HOME` (an empty dir) plus `vars`.
    fn env_with(home: &Path, vars: &[(&str, &str)]) -> Environment {
        let mut all: Vec<(String, String)> = vec![
            ("HOME".into(), home.display().to_string()),
            ("PATH".into(), "/usr/bin:/bin".into()),
        ];
        all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Environment::from_vars(all)
    }

    fn vector_enc(file: &str, recipient: &str) -> String {
        let text = std::fs::read_to_string(format!("{V}/cases/{file}")).unwrap();
        let start = text.find(&format!("recipient: {recipient}")).unwrap();
        let rest = &text[start..];
        let begin = rest.find("-----BEGIN").unwrap();
        let end = rest.find("-----END AGE ENCRYPTED FILE-----").unwrap() + 32;
        let block = &rest[begin..end];
        let mut out: String = block.lines().map(|l| format!("{}\n", l.trim())).collect();
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }

    fn key_with_enc(recipient: &str, enc: String) -> AgeKey {
        AgeKey {
            recipient: recipient.into(),
            enc,
        }
    }

    #[test]
    fn recipient_errors_match_sops() {
        let err = |r: &str| AgeKey::new(r).err().unwrap().to_string();
        assert_eq!(
            err("age1bogus"),
            "failed to parse input as Bech32-encoded age public key: malformed recipient \"age1bogus\": separator '1' at invalid position: pos=3, len=9"
        );
        assert_eq!(
            err("age1yubikey1qwerty"),
            "failed to parse input as age key from age plugin: invalid recipient encoding: invalid checksum"
        );
        assert_eq!(
            err("age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"),
            "failed to parse input as Bech32-encoded age public key: malformed recipient \"age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\": invalid checksum"
        );
        assert_eq!(
            err("foo"),
            "failed to parse input, unknown recipient type: \"foo\""
        );
        assert!(err("ssh-ed25519 AAAAbad").starts_with(
            "failed to parse input as age-ssh public key: malformed SSH recipient: \"ssh-ed25519 AAAAbad\": "
        ));
        assert!(matches!(
            AgeKey::new("age1bogus"),
            Err(Error::InvalidMasterKey(_))
        ));
        // SSH texts captured from the sops 3.11 reference binary.
        let ssh = |r: &str, why: &str| {
            format!(
                "failed to parse input as age-ssh public key: malformed SSH recipient: \"{r}\": ssh: no key found; last parsing error for ignored line: {why}"
            )
        };
        for (r, why) in [
            ("ssh-ed25519 AAAAbad", "illegal base64 data at input byte 4"),
            ("ssh-ed25519 A===", "illegal base64 data at input byte 1"),
            ("ssh-rsa QUFBQQ==", "ssh: short read"),
            (
                "ssh-rsa AAAAB3NzaC1yc2EAAAABAgAAAAEB",
                "ssh: incorrect exponent",
            ),
            (
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAAUE=",
                "invalid size 1 for Ed25519 public key",
            ),
            (
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGNAAAA",
                "ssh: trailing junk in public key",
            ),
        ] {
            assert_eq!(err(r), ssh(r, why));
        }
        assert_eq!(
            err("ssh-ed25519"),
            "failed to parse input as age-ssh public key: malformed SSH recipient: \"ssh-ed25519\": ssh: no key found"
        );
    }

    #[test]
    fn recipients_accepted_and_trimmed() {
        let k = AgeKey::new(&format!("  {R1}\n")).unwrap();
        assert_eq!(k.recipient(), R1);
        AgeKey::new("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN alice@rust")
            .unwrap();
        // Go accepts extra blanks and takes the type from the key blob.
        let blob = "AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN";
        let mut k = AgeKey::new(&format!("ssh-ed25519  {blob}  c")).unwrap();
        k.encrypt(&[0u8; 32]).unwrap();
        AgeKey::new(&format!("ssh-rsa {blob}")).unwrap();
    }

    /// A syntactically valid plugin recipient/identity for a plugin that is not installed.
    const PLUGIN_R: &str = "age1foo1qqqsyqcyq5rqwzqfhala6s";
    const PLUGIN_I: &str = "AGE-PLUGIN-FOO-1QQQSYQCYQ5RQWZQF53UVVH";
    const NO_PLUGIN: &str = "foo plugin: couldn't start plugin: \"foo\" plugin not found: exec: \"age-plugin-foo\": executable file not found in $PATH";

    #[test]
    fn plugin_recipient_parses_and_missing_binary_fails_like_sops() {
        let mut k = AgeKey::new(PLUGIN_R).unwrap();
        assert_eq!(
            k.encrypt(&[0u8; 32]).unwrap_err().to_string(),
            format!(
                "failed to create writer for encrypting sops data key with age: failed to wrap key for recipient #0: {NO_PLUGIN}"
            )
        );
    }

    #[test]
    fn plugin_identity_without_binary_matches_sops() {
        let home = Path::new("/nonexist/h1");
        let k = key_with_enc(R1, vector_enc("yaml-basic.enc.yaml", R1));
        let err = k
            .decrypt_with(&env_with(home, &[("SOPS_AGE_KEY", PLUGIN_I)]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!(
                "failed to create reader for decrypting sops data key with age: {NO_PLUGIN}. Did not find keys in \
                 locations 'SOPS_AGE_SSH_PRIVATE_KEY_FILE', '/nonexist/h1/.ssh/id_ed25519', \
                 '/nonexist/h1/.ssh/id_rsa', 'SOPS_AGE_KEY_FILE', and 'SOPS_AGE_KEY_CMD'."
            )
        );
        // A native key that matches wins before the plugin is needed.
        let both = format!(
            "{PLUGIN_I}\n{}",
            std::fs::read_to_string(keys_file(1)).unwrap()
        );
        assert_eq!(
            k.decrypt_with(&env_with(home, &[("SOPS_AGE_KEY", &both)]))
                .unwrap()
                .len(),
            32
        );
    }

    /// The age test data of the sops repository (`age/keysource_test.go` constants).
    #[test]
    fn sops_repo_age_test_data() {
        let d = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/vectors/sops-repo/age-test-data"
        );
        let home = Path::new("/nonexist/h1");
        let read = |f: &str| std::fs::read_to_string(format!("{d}/{f}")).unwrap();
        let recipient = read("mock_recipient.txt").trim().to_string();
        AgeKey::new(&recipient).unwrap();
        let k = key_with_enc(&recipient, read("mock_encrypted_key.age"));
        let file = format!("{d}/mock_identity.keys.txt");
        let env = env_with(home, &[("SOPS_AGE_KEY_FILE", &file)]);
        assert_eq!(k.decrypt_with(&env).unwrap().as_slice(), b"data");
        let other = format!("{d}/mock_other_identity.keys.txt");
        let err = k
            .decrypt_with(&env_with(home, &[("SOPS_AGE_KEY_FILE", &other)]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(
            "failed to create reader for decrypting sops data key with age: identity did not match any of the recipients"
        ));
        // SSH recipient and identity.
        let ssh_recipient = read("mock_ssh_ed25519_recipient.pub").trim().to_string();
        AgeKey::new(&ssh_recipient).unwrap();
        let k = key_with_enc(&ssh_recipient, read("mock_ssh_encrypted_key.age"));
        let ssh = format!("{d}/mock_ssh_ed25519_identity");
        let env = env_with(home, &[("SOPS_AGE_SSH_PRIVATE_KEY_FILE", &ssh)]);
        assert_eq!(k.decrypt_with(&env).unwrap().as_slice(), b"data");
        // A passphrase-protected identity file: asked for only when it is tried.
        let locked = format!("{d}/mock_passphrase_protected_identity.age");
        let k = key_with_enc(&recipient, read("mock_encrypted_key.age"));
        let env = env_with(home, &[("SOPS_AGE_KEY_FILE", &locked)]);
        let right: identities::Prompter = |prompt| {
            assert_eq!(prompt, "Enter passphrase for identity 'SOPS_AGE_KEY_FILE':");
            Ok(Zeroizing::new(b"passphrase".to_vec()))
        };
        assert_eq!(k.decrypt_asking(&env, right).unwrap().as_slice(), b"data");
        let wrong: identities::Prompter = |_| Ok(Zeroizing::new(b"nope".to_vec()));
        let err = k.decrypt_asking(&env, wrong).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!(
                "failed to create reader for decrypting sops data key with age: incorrect passphrase for identity file 'SOPS_AGE_KEY_FILE' ({locked})."
            )),
            "{err}"
        );
        // Without a terminal the error names the file; the other sources are still
        // used, and before the locked one, so nothing is asked. (Not the real terminal
        // here: a developer's terminal would be asked.)
        let no_tty: identities::Prompter = |_| Err("no terminal".into());
        let err = k.decrypt_asking(&env, no_tty).unwrap_err().to_string();
        assert!(
            err.contains(&format!(
                "failed to decrypt identity file 'SOPS_AGE_KEY_FILE' ({locked}): could not read passphrase: no terminal (run sops-rs from a terminal"
            )),
            "{err}"
        );
        let env = env_with(
            home,
            &[
                ("SOPS_AGE_KEY_FILE", &locked),
                ("SOPS_AGE_KEY", &read("mock_identity.keys.txt")),
            ],
        );
        let never: identities::Prompter = |_| panic!("asked for a passphrase");
        assert_eq!(k.decrypt_asking(&env, never).unwrap().as_slice(), b"data");
    }

    #[test]
    fn encrypt_writes_sops_armor_and_round_trips() {
        let mut k = AgeKey::new(R1).unwrap();
        let data_key = [7u8; 32];
        k.encrypt(&data_key).unwrap();
        let enc = k.enc();
        assert!(
            enc.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"),
            "{enc}"
        );
        assert!(
            enc.ends_with("\n-----END AGE ENCRYPTED FILE-----\n"),
            "{enc}"
        );
        for line in enc.lines().filter(|l| !l.starts_with("-----")) {
            assert!(line.len() <= 64);
        }
        let lines: Vec<&str> = enc.lines().collect();
        assert!(lines[1..lines.len() - 2].iter().all(|l| l.len() == 64));
        let home = temp_home();
        let env = env_with(home.path(), &[("SOPS_AGE_KEY_FILE", &keys_file(1))]);
        assert_eq!(k.decrypt_with(&env).unwrap().as_slice(), &data_key);
        // The wrong key must not decrypt it.
        let env = env_with(home.path(), &[("SOPS_AGE_KEY_FILE", &keys_file(2))]);
        assert!(k.decrypt_with(&env).is_err());
    }

    #[test]
    fn decrypts_enc_written_by_sops() {
        let home = temp_home();
        let k = key_with_enc(R1, vector_enc("yaml-two-age-recipients.enc.yaml", R1));
        let env = env_with(home.path(), &[("SOPS_AGE_KEY_FILE", &keys_file(1))]);
        assert_eq!(k.decrypt_with(&env).unwrap().len(), 32);
        let k2 = key_with_enc(R2, vector_enc("yaml-two-age-recipients.enc.yaml", R2));
        let env = env_with(
            home.path(),
            &[(
                "SOPS_AGE_KEY",
                &std::fs::read_to_string(keys_file(2)).unwrap(),
            )],
        );
        assert_eq!(
            k2.decrypt_with(&env).unwrap(),
            k.decrypt_with(&env_with(
                home.path(),
                &[("SOPS_AGE_KEY_FILE", &keys_file(1))]
            ))
            .unwrap()
        );
    }

    /// Lengths of the lines of an armored block.
    fn shape(enc: &str) -> Vec<usize> {
        enc.lines().map(str::len).collect()
    }

    #[test]
    fn enc_has_the_shape_sops_writes() {
        let sops_basic = vector_enc("yaml-basic.enc.yaml", R1);
        let sops_share = vector_enc("shamir/yaml-shamir-2of3.enc.yaml", R1);
        assert_eq!(shape(&sops_basic), vec![34, 64, 64, 64, 64, 56, 32]);
        // Random keys must not change the shape: try several times.
        for _ in 0..8 {
            let mut k = AgeKey::new(R1).unwrap();
            k.encrypt(&[0x5a; 32]).unwrap();
            assert_eq!(shape(k.enc()), shape(&sops_basic), "{}", k.enc());
            assert!(k.enc().ends_with('\n'));
            k.encrypt(&[0x5a; 33]).unwrap();
            assert_eq!(shape(k.enc()), shape(&sops_share), "{}", k.enc());
        }
        // No grease stanza: the header has exactly one stanza, the X25519 one.
        let mut k = AgeKey::new(R1).unwrap();
        k.encrypt(&[1; 32]).unwrap();
        let body: String = k
            .enc()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        use base64::Engine;
        let file = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        let text = String::from_utf8_lossy(&file);
        assert_eq!(text.matches("\n-> ").count(), 1);
        assert!(text.starts_with("age-encryption.org/v1\n-> X25519 "));
    }

    #[test]
    fn ssh_ed25519_recipient_round_trips() {
        let d = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/vectors/sops-repo/age-test-data"
        );
        let recipient =
            std::fs::read_to_string(format!("{d}/mock_ssh_ed25519_recipient.pub")).unwrap();
        let mut k = AgeKey::new(recipient.trim()).unwrap();
        k.encrypt(&[4u8; 32]).unwrap();
        let body: String = k
            .enc()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        use base64::Engine;
        let file = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        assert!(
            String::from_utf8_lossy(&file).starts_with("age-encryption.org/v1\n-> ssh-ed25519 ")
        );
        let home = Path::new("/nonexist/h1");
        let identity = format!("{d}/mock_ssh_ed25519_identity");
        let env = env_with(home, &[("SOPS_AGE_SSH_PRIVATE_KEY_FILE", &identity)]);
        assert_eq!(k.decrypt_with(&env).unwrap().as_slice(), &[4u8; 32]);
        // An X25519 identity must not open it.
        let env = env_with(home, &[("SOPS_AGE_KEY_FILE", &keys_file(1))]);
        assert!(k.decrypt_with(&env).is_err());
        // The age CLI opens it too.
        let dir = tempfile::tempdir().unwrap();
        let enc_path = dir.path().join("enc.age");
        std::fs::write(&enc_path, k.enc()).unwrap();
        let out = std::process::Command::new("age")
            .args(["-d", "-i", &identity])
            .arg(&enc_path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, [4u8; 32]);
    }

    /// sops itself opens a file whose age `enc` we wrote (same data key, re-wrapped by us).
    #[test]
    fn oracle_sops_decrypts_our_enc() {
        let oracle = std::path::PathBuf::from(std::env::var_os("SOPS_ORACLE").expect(
            "SOPS_ORACLE is not set: run the tests with `make test` (scripts/test.sh), which installs the real sops 3.11.0 and sets it",
        ));
        let original = std::fs::read_to_string(format!("{V}/cases/yaml-basic.enc.yaml")).unwrap();
        let theirs = vector_enc("yaml-basic.enc.yaml", R1);
        let home = temp_home();
        let env = env_with(home.path(), &[("SOPS_AGE_KEY_FILE", &keys_file(1))]);
        let data_key = key_with_enc(R1, theirs).decrypt_with(&env).unwrap();
        let mut ours = AgeKey::new(R1).unwrap();
        ours.encrypt(&data_key).unwrap();
        // Swap the block line by line, keeping the YAML indentation.
        let begin = original.find("-----BEGIN AGE").unwrap();
        let indent_start = original[..begin].rfind('\n').unwrap() + 1;
        let indent = &original[indent_start..begin];
        let end = begin
            + original[begin..]
                .find("-----END AGE ENCRYPTED FILE-----")
                .unwrap()
            + 32;
        let block = ours.enc().trim_end().replace('\n', &format!("\n{indent}"));
        let patched = format!("{}{block}{}", &original[..begin], &original[end..]);
        assert_ne!(patched, original);
        assert_eq!(shape(&patched), shape(&original));
        let path = home.path().join("patched.enc.yaml");
        std::fs::write(&path, &patched).unwrap();
        let out = std::process::Command::new(&oracle)
            .arg("-d")
            .arg(&path)
            .env("SOPS_DISABLE_VERSION_CHECK", "1")
            .env("SOPS_AGE_KEY_FILE", keys_file(1))
            .env("HOME", home.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected = std::fs::read(format!("{V}/cases/yaml-basic.dec.yaml")).unwrap();
        assert_eq!(out.stdout, expected);
    }

    /// ssh-rsa stanzas span several body lines; Go age (the CLI) must parse and open them.
    #[test]
    fn ssh_rsa_recipient_opens_with_age_cli() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("id_rsa");
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f"])
            .arg(&key)
            .status()
            .expect("ssh-keygen is needed for this test (Debian openssh-client; scripts/setup.sh installs it)");
        assert!(status.success());
        let public = std::fs::read_to_string(dir.path().join("id_rsa.pub")).unwrap();
        let mut k = AgeKey::new(public.trim()).unwrap();
        k.encrypt(&[6u8; 33]).unwrap();
        let enc_path = dir.path().join("enc.age");
        std::fs::write(&enc_path, k.enc()).unwrap();
        let out = std::process::Command::new("age")
            .args(["-d", "-i"])
            .arg(&key)
            .arg(&enc_path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, [6u8; 33]);
        let env = env_with(
            dir.path(),
            &[("SOPS_AGE_SSH_PRIVATE_KEY_FILE", key.to_str().unwrap())],
        );
        assert_eq!(k.decrypt_with(&env).unwrap().as_slice(), &[6u8; 33]);
    }

    #[test]
    fn interop_with_age_cli() {
        let dir = tempfile::tempdir().unwrap();
        // We encrypt, the age CLI decrypts.
        let mut k = AgeKey::new(R1).unwrap();
        k.encrypt(b"0123456789abcdef0123456789abcdef").unwrap();
        let enc_path = dir.path().join("enc.age");
        std::fs::write(&enc_path, k.enc()).unwrap();
        let out = std::process::Command::new("age")
            .args(["-d", "-i", &keys_file(1)])
            .arg(&enc_path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, b"0123456789abcdef0123456789abcdef");
        // The age CLI encrypts, we decrypt.
        let plain = dir.path().join("plain");
        std::fs::write(&plain, [9u8; 33]).unwrap();
        let out = std::process::Command::new("age")
            .args(["-a", "-r", R2])
            .arg(&plain)
            .output()
            .unwrap();
        assert!(out.status.success());
        let k = key_with_enc(R2, String::from_utf8(out.stdout).unwrap());
        let env = env_with(dir.path(), &[("SOPS_AGE_KEY_FILE", &keys_file(2))]);
        assert_eq!(k.decrypt_with(&env).unwrap().as_slice(), &[9u8; 33]);
    }

    #[test]
    fn no_identities_message_matches_sops() {
        let home = temp_home();
        let h = home.path().display().to_string();
        let k = key_with_enc(R1, vector_enc("yaml-basic.enc.yaml", R1));
        let err = k
            .decrypt_with(&env_with(home.path(), &[]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!(
                "failed to load age identities. Did not find keys in locations 'SOPS_AGE_SSH_PRIVATE_KEY_FILE', \
                 '{h}/.ssh/id_ed25519', '{h}/.ssh/id_rsa', 'SOPS_AGE_KEY', 'SOPS_AGE_KEY_FILE', \
                 'SOPS_AGE_KEY_CMD', and '{h}/.config/sops/age/keys.txt'."
            )
        );
    }

    #[test]
    fn wrong_key_and_broken_sources_message_matches_sops() {
        let home = temp_home();
        let h = home.path().display().to_string();
        let k = key_with_enc(R1, vector_enc("yaml-two-age-recipients.enc.yaml", R1));
        let env = env_with(
            home.path(),
            &[
                ("SOPS_AGE_KEY_FILE", keys_file(3).as_str()),
                ("SOPS_AGE_KEY", "bogus"),
                ("SOPS_AGE_KEY_CMD", "false"),
                ("SOPS_AGE_SSH_PRIVATE_KEY_FILE", "/nonexist"),
            ],
        );
        let err = k.decrypt_with(&env).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "failed to create reader for decrypting sops data key with age: identity did not match any of the \
                 recipients: incorrect identity for recipient block. Errors while loading age identities: failed to \
                 open file: open /nonexist: no such file or directory; failed to execute command false from \
                 SOPS_AGE_KEY_CMD: exit status 1; failed to parse 'SOPS_AGE_KEY' age identities: unknown identity \
                 type. Did not find keys in locations '{h}/.ssh/id_ed25519' and '{h}/.ssh/id_rsa'."
            )
        );
    }

    #[test]
    fn source_errors_match_sops() {
        let home = temp_home();
        let h = home.path().display().to_string();
        let k = key_with_enc(R1, vector_enc("yaml-basic.enc.yaml", R1));
        let err = |vars: &[(&str, &str)]| {
            k.decrypt_with(&env_with(home.path(), vars))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(&[("SOPS_AGE_KEY_CMD", "sh -c 'echo nope; exit 3'")]),
            format!(
                "failed to load age identities. Errors while loading age identities: failed to execute command \
                 sh -c 'echo nope; exit 3' from SOPS_AGE_KEY_CMD: exit status 3. Did not find keys in locations \
                 'SOPS_AGE_SSH_PRIVATE_KEY_FILE', '{h}/.ssh/id_ed25519', '{h}/.ssh/id_rsa', 'SOPS_AGE_KEY', \
                 'SOPS_AGE_KEY_FILE', and '{h}/.config/sops/age/keys.txt'."
            )
        );
        assert!(err(&[("SOPS_AGE_KEY_CMD", "nonexistentcmd a")]).contains(
            "failed to execute command nonexistentcmd a from SOPS_AGE_KEY_CMD: exec: \"nonexistentcmd\": executable file not found in $PATH."
        ));
        assert!(err(&[("SOPS_AGE_KEY_CMD", "echo 'abc")]).contains(
            "failed to parse command echo 'abc from SOPS_AGE_KEY_CMD: EOF found when expecting closing quote."
        ));
        assert_eq!(
            err(&[("SOPS_AGE_KEY", "")]),
            format!(
                "failed to load age identities. Did not find keys in locations 'SOPS_AGE_SSH_PRIVATE_KEY_FILE', \
                 '{h}/.ssh/id_ed25519', '{h}/.ssh/id_rsa', 'SOPS_AGE_KEY_FILE', 'SOPS_AGE_KEY_CMD', and 'SOPS_AGE_KEY'."
            )
        );
        assert!(
            err(&[("SOPS_AGE_KEY_FILE", "")]).contains(
                "failed to open SOPS_AGE_KEY_FILE file: open : no such file or directory."
            )
        );
        let bad_ssh = home.path().join("badssh");
        std::fs::write(&bad_ssh, "not a key\n").unwrap();
        assert!(
            err(&[("SOPS_AGE_SSH_PRIVATE_KEY_FILE", bad_ssh.to_str().unwrap())]).contains(
                &format!(
                    "malformed SSH identity in \"{}\": ssh: no key found.",
                    bad_ssh.display()
                )
            )
        );
    }

    #[test]
    fn key_command_runs_per_attempt_with_recipient() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let script = dir.path().join("cmd.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\necho \"$SOPS_AGE_RECIPIENT\" >> {}\ncat {}\n",
                log.display(),
                keys_file(1)
            ),
        )
        .unwrap();
        let k = key_with_enc(R1, vector_enc("yaml-basic.enc.yaml", R1));
        let cmd = format!("sh {}", script.display());
        let env = env_with(dir.path(), &[("SOPS_AGE_KEY_CMD", cmd.as_str())]);
        assert_eq!(k.decrypt_with(&env).unwrap().len(), 32);
        assert_eq!(k.decrypt_with(&env).unwrap().len(), 32);
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            format!("{R1}\n{R1}\n")
        );
    }

    #[test]
    fn all_sources_are_combined() {
        let home = temp_home();
        let k = key_with_enc(R1, vector_enc("yaml-basic.enc.yaml", R1));
        // The right key sits in the default keys file; a wrong one in SOPS_AGE_KEY_FILE.
        let xdg: PathBuf = home.path().join("xdg");
        std::fs::create_dir_all(xdg.join("sops/age")).unwrap();
        std::fs::copy(keys_file(1), xdg.join("sops/age/keys.txt")).unwrap();
        let env = env_with(
            home.path(),
            &[
                ("SOPS_AGE_KEY_FILE", keys_file(2).as_str()),
                ("XDG_CONFIG_HOME", xdg.to_str().unwrap()),
            ],
        );
        assert_eq!(k.decrypt_with(&env).unwrap().len(), 32);
        // ~/.config fallback when XDG_CONFIG_HOME is unset.
        std::fs::create_dir_all(home.path().join(".config/sops/age")).unwrap();
        std::fs::copy(keys_file(1), home.path().join(".config/sops/age/keys.txt")).unwrap();
        let env = env_with(home.path(), &[]);
        assert_eq!(k.decrypt_with(&env).unwrap().len(), 32);
    }

    #[test]
    fn ssh_identity_from_env_file() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("id");
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&key)
            .status();
        let status = status.expect(
            "ssh-keygen is needed for this test (Debian openssh-client; scripts/setup.sh installs it)",
        );
        assert!(status.success());
        let public = std::fs::read_to_string(dir.path().join("id.pub")).unwrap();
        let mut k = AgeKey::new(public.trim()).unwrap();
        k.encrypt(&[1u8; 32]).unwrap();
        let env = env_with(
            dir.path(),
            &[("SOPS_AGE_SSH_PRIVATE_KEY_FILE", key.to_str().unwrap())],
        );
        assert_eq!(k.decrypt_with(&env).unwrap().as_slice(), &[1u8; 32]);
        // Also found as ~/.ssh/id_ed25519.
        let home = temp_home();
        std::fs::create_dir_all(home.path().join(".ssh")).unwrap();
        std::fs::copy(&key, home.path().join(".ssh/id_ed25519")).unwrap();
        assert_eq!(
            k.decrypt_with(&env_with(home.path(), &[]))
                .unwrap()
                .as_slice(),
            &[1u8; 32]
        );
        // A passphrase-protected key is asked for when a stanza is for it.
        let locked = dir.path().join("locked");
        std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "secret", "-f"])
            .arg(&locked)
            .status()
            .unwrap();
        let public = std::fs::read_to_string(dir.path().join("locked.pub")).unwrap();
        let mut k = AgeKey::new(public.trim()).unwrap();
        k.encrypt(&[2u8; 32]).unwrap();
        let env = env_with(
            dir.path(),
            &[("SOPS_AGE_SSH_PRIVATE_KEY_FILE", locked.to_str().unwrap())],
        );
        let right: identities::Prompter = |prompt| {
            assert!(prompt.starts_with("Enter passphrase for \""), "{prompt}");
            Ok(Zeroizing::new(b"secret".to_vec()))
        };
        assert_eq!(
            k.decrypt_asking(&env, right).unwrap().as_slice(),
            &[2u8; 32]
        );
        let no_tty: identities::Prompter = |_| Err("no terminal".into());
        let err = k.decrypt_asking(&env, no_tty).unwrap_err().to_string();
        assert!(
            err.contains(&format!(
                "failed to obtain passphrase: could not read passphrase for \"{}\": no terminal",
                locked.display()
            )),
            "{err}"
        );
    }
}
