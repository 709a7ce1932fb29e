//! Finding age identities: SSH keys, `SOPS_AGE_KEY*` variables, the default keys file (spec §5.3).
//!
//! Every source is read each time an age entry is tried (as sops does, so a
//! key command sees each recipient), failures are collected per source rather
//! than aborting, and the wording of every message follows sops so that the
//! final report is identical. Sources that need a passphrase or a plugin become
//! identities that record their failure, so that one locked file or broken plugin
//! does not hide the other keys.

use super::encrypted::{self, EncryptedIdentity};
use super::gocompat;
use super::plugin::PluginIdentity;
use super::sshlocked::LockedSshKey;
use crate::keys::environment::Environment;
use std::io::Read;
use zeroize::Zeroizing;

/// Asks for a passphrase: the prompt text in, the passphrase (or why not) out.
pub type Prompter = fn(&str) -> Result<Zeroizing<Vec<u8>>, String>;

/// An identity that may fail when it is tried (a plugin, a passphrase-protected file):
/// it answers "no match" to age and keeps the reason for the final report.
pub trait FallibleIdentity: age::Identity {
    /// Why trying this identity failed, if it did.
    fn failure(&self) -> Option<String>;

    /// Go age's text when this identity simply did not match.
    fn no_match(&self) -> String {
        "incorrect identity for recipient block".into()
    }
}

/// One usable identity; boxed age trait objects (none of them implement `Debug`).
pub type BoxedIdentity = Box<dyn age::Identity>;

/// What loading found: identities, per-source errors, and sources that had nothing.
pub struct Loaded {
    /// Identities that cannot fail, native X25519 first (as Go age tries them), then SSH.
    pub identities: Vec<BoxedIdentity>,
    /// Passphrase-protected SSH keys (asked for only when a stanza is theirs), plugin
    /// identities, then passphrase-protected identity files (tried last, so that a
    /// prompt only appears when no other key opened the entry).
    pub fallible: Vec<Box<dyn FallibleIdentity>>,
    /// One message per failed source, in sops's wording.
    pub errors: Vec<String>,
    /// Sources that were not configured or held no identity.
    pub unused: Vec<String>,
    /// Plugin identities whose `age-plugin-*` binary is missing, as Go age's error.
    /// Go counts them as identities and fails only when they are reached (after
    /// every other identity failed to match), so they are kept apart, in order.
    pub missing_plugins: Vec<String>,
}

const SSH_KEY_FILE_ENV: &str = "SOPS_AGE_SSH_PRIVATE_KEY_FILE";
const KEY_ENV: &str = "SOPS_AGE_KEY";
const KEY_FILE_ENV: &str = "SOPS_AGE_KEY_FILE";
const KEY_CMD_ENV: &str = "SOPS_AGE_KEY_CMD";
const RECIPIENT_ENV: &str = "SOPS_AGE_RECIPIENT";

/// Reads every identity source, in sops's order, for decrypting an entry of `recipient`.
///
/// `ask` is called when a passphrase-protected source is actually tried; with
/// `agent`, a running gpg-agent is asked first for identity files, as sops does.
pub fn load(env: &Environment, recipient: &str, ask: Prompter, agent: bool) -> Loaded {
    let mut loaded = Loaded {
        identities: Vec::new(),
        fallible: Vec::new(),
        errors: Vec::new(),
        unused: Vec::new(),
        missing_plugins: Vec::new(),
    };
    load_ssh(env, &mut loaded, ask);

    // (location as sops names it, the file behind it if any, content)
    let mut readers: Vec<(String, Option<String>, Zeroizing<Vec<u8>>)> = Vec::new();
    match env.var(KEY_ENV) {
        Some(v) => readers.push((KEY_ENV.into(), None, Zeroizing::new(v.into_bytes()))),
        None => loaded.unused.push(KEY_ENV.into()),
    }
    match env.var(KEY_FILE_ENV) {
        Some(path) => match read_file(&path) {
            Ok(content) => readers.push((KEY_FILE_ENV.into(), Some(path.clone()), content)),
            Err(ReadError::Open(e)) => loaded.errors.push(format!(
                "failed to open {KEY_FILE_ENV} file: {}",
                gocompat::path_error("open", &path, &e)
            )),
            Err(ReadError::Read(e)) => loaded.errors.push(format!(
                "failed to read {KEY_FILE_ENV} file: {}",
                gocompat::path_error("read", &path, &e)
            )),
        },
        None => loaded.unused.push(KEY_FILE_ENV.into()),
    }
    match env.var(KEY_CMD_ENV) {
        Some(cmd) => match run_key_command(env, &cmd, recipient) {
            Ok(out) => readers.push((KEY_CMD_ENV.into(), Some(cmd.clone()), out)),
            Err(e) => loaded.errors.push(e),
        },
        None => loaded.unused.push(KEY_CMD_ENV.into()),
    }
    let nothing_yet =
        |readers: &Vec<_>, loaded: &Loaded| readers.is_empty() && loaded.identities.is_empty();
    match env.user_config_dir() {
        Err(e) => {
            if nothing_yet(&readers, &loaded) {
                loaded.errors.push(format!(
                    "user config directory could not be determined: {e}"
                ));
            }
        }
        Ok(dir) if !dir.is_empty() => {
            let path = gocompat::join(&[&dir, "sops", "age", "keys.txt"]);
            match read_file(&path) {
                Ok(content) => readers.push((path.clone(), Some(path), content)),
                Err(ReadError::Open(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                    if nothing_yet(&readers, &loaded) {
                        loaded.unused.push(path);
                    }
                }
                Err(ReadError::Open(e)) => loaded.errors.push(format!(
                    "failed to open file: {}",
                    gocompat::path_error("open", &path, &e)
                )),
                Err(ReadError::Read(e)) => loaded.errors.push(format!(
                    "failed to read file: {}",
                    gocompat::path_error("read", &path, &e)
                )),
            }
        }
        Ok(_) => {}
    }

    // Go age tries native X25519 identities before SSH keys and plugins (which may
    // prompt or be slow), so they go first; the order is otherwise kept.
    let mut native: Vec<BoxedIdentity> = Vec::new();
    let mut locked: Vec<Box<dyn FallibleIdentity>> = Vec::new();
    for (location, path, content) in readers {
        if encrypted::is_encrypted_source(&content) {
            match EncryptedIdentity::new(&location, path.as_deref(), &content, Box::new(ask), agent)
            {
                Ok(id) => locked.push(Box::new(id)),
                Err(e) => loaded.errors.push(e),
            }
            continue;
        }
        let ids = match parse_identities(&content) {
            Ok(ids) => ids,
            Err(e) => {
                loaded
                    .errors
                    .push(format!("failed to parse '{location}' age identities: {e}"));
                continue;
            }
        };
        if ids.is_empty() {
            loaded.unused.push(location.clone());
        }
        for id in ids {
            match id {
                ParsedIdentity::X25519(id) => native.push(Box::new(id)),
                ParsedIdentity::Plugin(id) => match PluginIdentity::new(id) {
                    Ok(id) => loaded.fallible.push(Box::new(id)),
                    Err(e) => loaded.missing_plugins.push(e),
                },
                // Skipped, not fatal: the source's other keys stay usable.
                ParsedIdentity::PostQuantum => loaded.errors.push(format!(
                    "'{location}' holds a post-quantum age identity \
                     (AGE-SECRET-KEY-PQ-1…), which sops-rs does not support yet"
                )),
            }
        }
    }
    native.append(&mut loaded.identities);
    loaded.identities = native;
    loaded.fallible.append(&mut locked);
    loaded
}

/// sops's wrapper text: `msg[: err][. Errors while loading age identities: …][. Did not find keys in locations …]`.
pub fn format_error(msg: &str, err: Option<&str>, errors: &[String], unused: &[String]) -> String {
    let load_suffix = if errors.is_empty() {
        String::new()
    } else {
        format!(
            ". Errors while loading age identities: {}",
            errors.join("; ")
        )
    };
    let unused_suffix = match unused {
        [] => String::new(),
        [one] => format!(". Did not find keys in location '{one}'."),
        [a, b] => format!(". Did not find keys in locations '{a}' and '{b}'."),
        [init @ .., last] => format!(
            ". Did not find keys in locations '{}', and '{last}'.",
            init.join("', '")
        ),
    };
    match err {
        Some(e) => format!("{msg}: {e}{load_suffix}{unused_suffix}"),
        None => format!("{msg}{load_suffix}{unused_suffix}"),
    }
}

/// An SSH private key as an identity: usable now, or waiting for its passphrase.
enum SshIdentity {
    Plain(BoxedIdentity),
    Locked(LockedSshKey),
}

impl Loaded {
    fn add_ssh(&mut self, parsed: Result<SshIdentity, String>) {
        match parsed {
            Ok(SshIdentity::Plain(id)) => self.identities.push(id),
            Ok(SshIdentity::Locked(id)) => self.fallible.push(Box::new(id)),
            Err(e) => self.errors.push(e),
        }
    }
}

fn load_ssh(env: &Environment, loaded: &mut Loaded, ask: Prompter) {
    match env.var(SSH_KEY_FILE_ENV) {
        Some(path) => loaded.add_ssh(parse_ssh_key_file(&path, ask)),
        None => loaded.unused.push(SSH_KEY_FILE_ENV.into()),
    }
    match env.home_dir() {
        Err(e) => loaded.errors.push(e),
        Ok(home) => {
            for name in ["id_ed25519", "id_rsa"] {
                let path = gocompat::join(&[&home, ".ssh", name]);
                if std::fs::metadata(&path).is_ok() {
                    loaded.add_ssh(parse_ssh_key_file(&path, ask));
                } else {
                    loaded.unused.push(path);
                }
            }
        }
    }
}

enum ReadError {
    Open(std::io::Error),
    Read(std::io::Error),
}

fn read_file(path: &str) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    let mut file = std::fs::File::open(path).map_err(ReadError::Open)?;
    let mut content = Zeroizing::new(Vec::new());
    file.read_to_end(&mut content).map_err(ReadError::Read)?;
    Ok(content)
}

fn parse_ssh_key_file(path: &str, ask: Prompter) -> Result<SshIdentity, String> {
    let content = read_file(path).map_err(|e| match e {
        ReadError::Open(e) => format!(
            "failed to open file: {}",
            gocompat::path_error("open", path, &e)
        ),
        ReadError::Read(e) => format!(
            "failed to read file: {}",
            gocompat::path_error("read", path, &e)
        ),
    })?;
    let malformed =
        |why: &str| format!("malformed SSH identity in {}: {why}", gocompat::quote(path));
    match age::ssh::Identity::from_buffer(&content[..], Some(path.to_string())) {
        Ok(age::ssh::Identity::Unencrypted(key)) => Ok(SshIdentity::Plain(Box::new(
            age::ssh::Identity::Unencrypted(key),
        ))),
        Ok(age::ssh::Identity::Encrypted(_)) => {
            LockedSshKey::new(path, &content, ask).map(SshIdentity::Locked)
        }
        Ok(age::ssh::Identity::Unsupported(kind)) => Err(malformed(&match kind {
            age::ssh::UnsupportedKey::Type(t) | age::ssh::UnsupportedKey::Hardware(t) => {
                format!("ssh: unsupported key type {}", gocompat::quote(&t))
            }
            age::ssh::UnsupportedKey::EncryptedPem => {
                "encrypted PEM keys are not supported; convert it with ssh-keygen -o -p".to_string()
            }
            age::ssh::UnsupportedKey::EncryptedSsh(cipher) => {
                format!(
                    "unsupported SSH key encryption cipher {}",
                    gocompat::quote(&cipher)
                )
            }
        })),
        Err(_) if !content.windows(10).any(|w| w == b"-----BEGIN") => {
            Err(malformed("ssh: no key found"))
        }
        Err(e) => Err(malformed(&e.to_string())),
    }
}

fn run_key_command(
    env: &Environment,
    cmd: &str,
    recipient: &str,
) -> Result<Zeroizing<Vec<u8>>, String> {
    let args = gocompat::shlex_split(cmd)
        .map_err(|e| format!("failed to parse command {cmd} from {KEY_CMD_ENV}: {e}"))?;
    let Some((program, rest)) = args.split_first() else {
        return Err(format!(
            "failed to parse command {cmd} from {KEY_CMD_ENV}: the command is empty"
        ));
    };
    let exec_err =
        |why: String| format!("failed to execute command {cmd} from {KEY_CMD_ENV}: {why}");
    let output = env
        .command(program, rest, &[(RECIPIENT_ENV, recipient)])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| exec_err(gocompat::spawn_error(program, &e)))?;
    // The command's stderr is captured and dropped, as sops does.
    drop(Zeroizing::new(output.stderr));
    let stdout = Zeroizing::new(output.stdout);
    if !output.status.success() {
        return Err(exec_err(gocompat::exit_error(output.status)));
    }
    Ok(stdout)
}

/// An identity line, parsed but not yet turned into a usable identity.
pub enum ParsedIdentity {
    X25519(age::x25519::Identity),
    Plugin(age::plugin::Identity),
    /// `AGE-SECRET-KEY-PQ-1…` (ML-KEM hybrid): the `age` crate cannot use it yet.
    PostQuantum,
}

impl ParsedIdentity {
    /// The usable identity (a plugin identity starts its plugin lazily, when tried).
    pub fn into_identity(self) -> Result<BoxedIdentity, String> {
        match self {
            ParsedIdentity::X25519(id) => Ok(Box::new(id)),
            ParsedIdentity::PostQuantum => {
                Err("post-quantum age identities are not supported by sops-rs yet".into())
            }
            ParsedIdentity::Plugin(id) => {
                PluginIdentity::new(id).map(|p| Box::new(p) as BoxedIdentity)
            }
        }
    }
}

/// Go's `bufio.Scanner` lines: split on `\n`, one trailing `\r` dropped, no final empty line.
fn lines(content: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = content.strip_suffix(b"\n").unwrap_or(content);
    let empty = content.is_empty();
    body.split(|&b| b == b'\n')
        .filter(move |_| !empty)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

/// Identity lines (X25519, plugin), as sops reads an identities file.
pub fn parse_identities(content: &[u8]) -> Result<Vec<ParsedIdentity>, String> {
    let mut out = Vec::new();
    for line in lines(content) {
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        let line = Zeroizing::new(String::from_utf8_lossy(line).into_owned());
        out.push(parse_identity(&line)?);
    }
    Ok(out)
}

fn parse_identity(s: &str) -> Result<ParsedIdentity, String> {
    if s.starts_with("AGE-PLUGIN-") {
        let (hrp, _) =
            gocompat::bech32_decode(s).map_err(|e| format!("invalid identity encoding: {e}"))?;
        if !hrp.ends_with('-') {
            return Err("not a plugin identity: <nil>".into());
        }
        s.parse::<age::plugin::Identity>()
            .map(ParsedIdentity::Plugin)
            .map_err(|e| format!("invalid plugin identity: {e}"))
    } else if s.starts_with("AGE-SECRET-KEY-PQ-1") {
        Ok(ParsedIdentity::PostQuantum)
    } else if s.starts_with("AGE-SECRET-KEY-1") {
        let (hrp, data) =
            gocompat::bech32_decode(s).map_err(|e| format!("malformed secret key: {e}"))?;
        if hrp != "AGE-SECRET-KEY-" {
            return Err(format!(
                "malformed secret key: unknown type {}",
                gocompat::quote(&hrp)
            ));
        }
        if data.len() != 32 {
            return Err("malformed secret key: invalid X25519 secret key".into());
        }
        s.parse::<age::x25519::Identity>()
            .map(ParsedIdentity::X25519)
            .map_err(|e| format!("malformed secret key: {e}"))
    } else {
        Err("unknown identity type".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY1: &str = "AGE-SECRET-KEY-15RUQ9NYN49MQUERGNJ5AC9SQLJRGR242JUV32XHJS0ET25KY7AWSEJC77Z";

    #[test]
    fn identity_file_format() {
        let text = format!("# created: x\n\n{KEY1}\r\n");
        assert_eq!(parse_identities(text.as_bytes()).unwrap().len(), 1);
        assert_eq!(parse_identities(b"").unwrap().len(), 0);
        assert_eq!(parse_identities(b"\n# only\n").unwrap().len(), 0);
        assert_eq!(
            parse_identities(b"garbage\n").err().unwrap(),
            "unknown identity type"
        );
        assert_eq!(
            parse_identities(format!(" {KEY1}").as_bytes())
                .err()
                .unwrap(),
            "unknown identity type"
        );
        assert_eq!(
            parse_identities(b"AGE-SECRET-KEY-1BAD").err().unwrap(),
            "malformed secret key: separator '1' at invalid position: pos=15, len=19"
        );
        assert_eq!(
            parse_identities(format!("{KEY1} ").as_bytes())
                .err()
                .unwrap(),
            "malformed secret key: invalid character data part: s[58]=32"
        );
    }

    #[test]
    fn post_quantum_identity_does_not_hide_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keys.txt");
        std::fs::write(&file, format!("AGE-SECRET-KEY-PQ-1XYZ\n{KEY1}\n")).unwrap();
        let env = Environment::from_vars([
            ("HOME", "/nonexist/h1"),
            ("SOPS_AGE_KEY_FILE", file.to_str().unwrap()),
        ]);
        let loaded = load(&env, "age1x", no_tty, false);
        assert_eq!(loaded.identities.len(), 1);
        assert_eq!(loaded.errors.len(), 1);
        assert!(
            loaded.errors[0].contains("post-quantum"),
            "{}",
            loaded.errors[0]
        );
    }

    fn no_tty(_: &str) -> Result<Zeroizing<Vec<u8>>, String> {
        Err("no tty".into())
    }

    #[test]
    fn passphrase_protected_sources_become_locked_identities() {
        let protected = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/vectors/sops-repo/age-test-data/mock_passphrase_protected_identity.age"
        );
        let text = std::fs::read_to_string(protected).unwrap();
        let env = Environment::from_vars([
            ("HOME", "/nonexist/h1"),
            ("SOPS_AGE_KEY_FILE", protected),
            ("SOPS_AGE_KEY", text.as_str()),
        ]);
        let loaded = load(&env, "age1x", no_tty, false);
        // Nothing is asked while loading; both sources wait, after the plain key sources.
        assert_eq!(loaded.identities.len(), 0);
        assert_eq!(loaded.fallible.len(), 2);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        assert!(loaded.fallible.iter().all(|f| f.failure().is_none()));
        // A broken armor is an error of that source only.
        let env = Environment::from_vars([
            ("HOME", "/nonexist/h1"),
            ("SOPS_AGE_KEY", "-----BEGIN AGE ENCRYPTED FILE-----\n!!!\n"),
            ("SOPS_AGE_KEY_FILE", protected),
        ]);
        let loaded = load(&env, "age1x", no_tty, false);
        assert_eq!(loaded.fallible.len(), 1);
        assert_eq!(loaded.errors.len(), 1);
        assert!(
            loaded.errors[0].starts_with("failed to read 'SOPS_AGE_KEY': "),
            "{}",
            loaded.errors[0]
        );
    }

    #[test]
    fn error_suffixes() {
        let u = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(format_error("m", None, &[], &[]), "m");
        assert_eq!(
            format_error("m", None, &[], &u(&["A"])),
            "m. Did not find keys in location 'A'."
        );
        assert_eq!(
            format_error("m", None, &[], &u(&["A", "B"])),
            "m. Did not find keys in locations 'A' and 'B'."
        );
        assert_eq!(
            format_error("m", Some("e"), &u(&["x", "y"]), &u(&["A", "B", "C"])),
            "m: e. Errors while loading age identities: x; y. Did not find keys in locations 'A', 'B', and 'C'."
        );
    }

    #[test]
    fn go_like_lines() {
        let l: Vec<&[u8]> = lines(b"a\r\n\nb").collect();
        assert_eq!(l, vec![&b"a"[..], &b""[..], &b"b"[..]]);
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(lines(b"x\n").count(), 1);
    }
}
