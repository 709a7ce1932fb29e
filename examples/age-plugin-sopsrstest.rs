//! `age-plugin-sopsrstest`: a toy age plugin for the test suite (tests/age_plugin.rs); NOT SECURE.
//!
//! It speaks the real age plugin protocol (through the `age-plugin` crate, so both
//! sops-rs and the real sops can drive it from `PATH`) with a trivially reversible wrap:
//! identity = 32 secret bytes `s`, recipient = `SHA-256("sopsrstest-recipient" ‖ s)`,
//! stanza `-> sopsrstest <tag>` whose body is the file key XOR a mask derived from the
//! recipient. Anyone holding the recipient can unwrap, which is fine for tests only.
//!
//! Test switches (environment variables, inherited from sops / sops-rs):
//! * `SOPSRSTEST_LOG=<file>`: append one line per run (`recipient-v1` / `identity-v1`).
//! * `SOPSRSTEST_FAIL=wrap|unwrap`: report an error instead of (un)wrapping.
//! * `SOPSRSTEST_MESSAGE=<text>`: send a `msg` to the client while (un)wrapping.
//! * `SOPSRSTEST_PIN=<pin>`: ask the client for a secret ("Enter PIN for sopsrstest:")
//!   before unwrapping and fail with "wrong PIN" unless it matches.
//!
//! * `SOPSRSTEST_CONFIRM=1`: ask "Use the test token?" with the choices yes/no before
//!   unwrapping; "no" (or no answer) fails with "declined".
//! * `SOPSRSTEST_PUBLIC=<value>`: ask for a public value ("Enter the test label:") and
//!   fail with "wrong label" unless it matches.
//!
//! `age-plugin-sopsrstest --generate <64 hex digits>` prints an identity file for that secret.

use age_core::format::{FileKey, Stanza};
use age_core::secrecy::ExposeSecret;
use age_plugin::{Callbacks, PluginHandler, identity, recipient, run_state_machine};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

const NAME: &str = "sopsrstest";

fn recipient_of(secret: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"sopsrstest-recipient");
    h.update(secret);
    h.finalize().into()
}

fn mask(recipient: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"sopsrstest-mask");
    h.update(recipient);
    h.finalize().into()
}

fn tag(recipient: &[u8]) -> String {
    STANDARD_NO_PAD.encode(recipient.get(..8).unwrap_or_default())
}

fn xor16(data: &[u8], mask: &[u8; 32]) -> Vec<u8> {
    data.iter().zip(mask.iter()).map(|(a, b)| a ^ b).collect()
}

fn log(state_machine: &str) {
    if let Ok(path) = std::env::var("SOPSRSTEST_LOG")
        && let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
    {
        let _ = writeln!(f, "{state_machine}");
    }
}

fn fails(phase: &str) -> bool {
    std::env::var("SOPSRSTEST_FAIL").is_ok_and(|v| v == phase)
}

fn greet<E>(callbacks: &mut impl Callbacks<E>) -> io::Result<()> {
    if let Ok(text) = std::env::var("SOPSRSTEST_MESSAGE") {
        // The client may not display messages; that is not an error for the plugin.
        let _ = callbacks.message(&text)?;
    }
    Ok(())
}

struct Handler;

impl PluginHandler for Handler {
    type RecipientV1 = RecipientPlugin;
    type IdentityV1 = IdentityPlugin;

    fn recipient_v1(self) -> io::Result<RecipientPlugin> {
        log("recipient-v1");
        Ok(RecipientPlugin { recipients: vec![] })
    }

    fn identity_v1(self) -> io::Result<IdentityPlugin> {
        log("identity-v1");
        Ok(IdentityPlugin { secrets: vec![] })
    }
}

struct RecipientPlugin {
    recipients: Vec<Vec<u8>>,
}

impl recipient::RecipientPluginV1 for RecipientPlugin {
    fn add_recipient(
        &mut self,
        index: usize,
        plugin_name: &str,
        bytes: &[u8],
    ) -> Result<(), recipient::Error> {
        if plugin_name == NAME && bytes.len() == 32 {
            self.recipients.push(bytes.to_vec());
            Ok(())
        } else {
            Err(recipient::Error::Recipient {
                index,
                message: "invalid sopsrstest recipient".into(),
            })
        }
    }

    fn add_identity(
        &mut self,
        index: usize,
        _plugin_name: &str,
        _bytes: &[u8],
    ) -> Result<(), recipient::Error> {
        Err(recipient::Error::Identity {
            index,
            message: "sopsrstest does not encrypt to identities".into(),
        })
    }

    fn labels(&mut self) -> HashSet<String> {
        HashSet::new()
    }

    fn wrap_file_keys(
        &mut self,
        file_keys: Vec<FileKey>,
        mut callbacks: impl Callbacks<recipient::Error>,
    ) -> io::Result<Result<Vec<Vec<Stanza>>, Vec<recipient::Error>>> {
        greet(&mut callbacks)?;
        if fails("wrap") {
            return Ok(Err(vec![recipient::Error::Recipient {
                index: 0,
                message: "refusing to wrap (SOPSRSTEST_FAIL=wrap)".into(),
            }]));
        }
        Ok(Ok(file_keys
            .iter()
            .map(|key| {
                self.recipients
                    .iter()
                    .map(|r| Stanza {
                        tag: NAME.into(),
                        args: vec![tag(r)],
                        body: xor16(key.expose_secret(), &mask(r)),
                    })
                    .collect()
            })
            .collect()))
    }
}

struct IdentityPlugin {
    secrets: Vec<Vec<u8>>,
}

impl identity::IdentityPluginV1 for IdentityPlugin {
    fn add_identity(
        &mut self,
        index: usize,
        plugin_name: &str,
        bytes: &[u8],
    ) -> Result<(), identity::Error> {
        if plugin_name == NAME && bytes.len() == 32 {
            self.secrets.push(bytes.to_vec());
            Ok(())
        } else {
            Err(identity::Error::Identity {
                index,
                message: "invalid sopsrstest identity".into(),
            })
        }
    }

    fn unwrap_file_keys(
        &mut self,
        files: Vec<Vec<Stanza>>,
        mut callbacks: impl Callbacks<identity::Error>,
    ) -> io::Result<HashMap<usize, Result<FileKey, Vec<identity::Error>>>> {
        greet(&mut callbacks)?;
        let mut out = HashMap::new();
        let refuse = |message: String| vec![identity::Error::Identity { index: 0, message }];
        if fails("unwrap") {
            for i in 0..files.len() {
                out.insert(
                    i,
                    Err(refuse("refusing to unwrap (SOPSRSTEST_FAIL=unwrap)".into())),
                );
            }
            return Ok(out);
        }
        let fail_all = |out: &mut HashMap<_, _>, message: &str| {
            for i in 0..files.len() {
                out.insert(i, Err(refuse(message.to_string())));
            }
        };
        if std::env::var("SOPSRSTEST_CONFIRM").is_ok() {
            let answer = callbacks.confirm("Use the test token?", "yes", Some("no"))?;
            if !matches!(answer, Ok(true)) {
                fail_all(&mut out, "declined");
                return Ok(out);
            }
        }
        if let Ok(expected) = std::env::var("SOPSRSTEST_PUBLIC") {
            let answer = callbacks.request_public("Enter the test label:")?;
            if !answer.as_deref().is_ok_and(|a| a == expected) {
                fail_all(&mut out, "wrong label");
                return Ok(out);
            }
        }
        if let Ok(pin) = std::env::var("SOPSRSTEST_PIN") {
            let answer = match callbacks.request_secret("Enter PIN for sopsrstest:")? {
                Ok(answer) => answer,
                Err(_) => {
                    for i in 0..files.len() {
                        out.insert(i, Err(refuse("no PIN given".into())));
                    }
                    return Ok(out);
                }
            };
            if answer.expose_secret() != pin {
                for i in 0..files.len() {
                    out.insert(i, Err(refuse("wrong PIN".into())));
                }
                return Ok(out);
            }
        }
        for (i, stanzas) in files.iter().enumerate() {
            for secret in &self.secrets {
                let r = recipient_of(secret);
                let found = stanzas.iter().find(|s| {
                    s.tag == NAME && s.args.first() == Some(&tag(&r)) && s.body.len() == 16
                });
                if let Some(stanza) = found {
                    let key = FileKey::try_init_with_mut(|k| {
                        k.copy_from_slice(&xor16(&stanza.body, &mask(&r)));
                        Ok::<(), identity::Error>(())
                    });
                    out.insert(i, key.map_err(|e| vec![e]));
                    break;
                }
            }
        }
        Ok(out)
    }
}

fn generate(hex_secret: &str) -> io::Result<()> {
    let secret = hex::decode(hex_secret)
        .ok()
        .filter(|s| s.len() == 32)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "need 64 hex digits"))?;
    age_plugin::print_new_identity(NAME, &secret, &recipient_of(&secret));
    Ok(())
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag] if flag.starts_with("--age-plugin=") => {
            run_state_machine(flag.trim_start_matches("--age-plugin="), Handler)
        }
        [flag, sm] if flag == "--age-plugin" => run_state_machine(sm, Handler),
        [flag, secret] if flag == "--generate" => generate(secret),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "usage: age-plugin-sopsrstest --age-plugin=<state machine> | --generate <64 hex digits>",
        )),
    }
}
