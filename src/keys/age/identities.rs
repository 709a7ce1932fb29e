//! Finding age identities: SSH keys, `SOPS_AGE_KEY*` variables, the default keys file (spec §5.3).
//!
//! Every source is read each time an age entry is tried (as sops does, so a
//! key command sees each recipient), failures are collected per source rather
//! than aborting, and the wording of every message follows sops so that the
//! final report is identical. Nothing here prompts: a source that would need a
//! passphrase fails with a message saying so, instead of hanging without a TTY.

use super::gocompat;
use crate::keys::environment::Environment;
use std::io::Read;
use zeroize::Zeroizing;

/// One usable identity; boxed age trait objects (none of them implement `Debug`).
pub type BoxedIdentity = Box<dyn age::Identity>;

/// What loading found: identities, per-source errors, and sources that had nothing.
pub struct Loaded {
    /// Identities in source order.
    pub identities: Vec<BoxedIdentity>,
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

/// Plugin UI without a terminal: messages go to stderr, questions get no answer.
#[derive(Clone, Copy)]
pub struct NoPromptCallbacks;

impl age::Callbacks for NoPromptCallbacks {
    fn display_message(&self, message: &str) {
        eprintln!("{message}");
    }
    fn confirm(&self, _: &str, _: &str, _: Option<&str>) -> Option<bool> {
        None
    }
    fn request_public_string(&self, _: &str) -> Option<String> {
        None
    }
    fn request_passphrase(&self, _: &str) -> Option<age::secrecy::SecretString> {
        None
    }
}

/// Reads every identity source, in sops's order, for decrypting an entry of `recipient`.
pub fn load(env: &Environment, recipient: &str) -> Loaded {
    let mut loaded = Loaded {
        identities: Vec::new(),
        errors: Vec::new(),
        unused: Vec::new(),
        missing_plugins: Vec::new(),
    };
    load_ssh(env, &mut loaded);

    let mut readers: Vec<(String, Zeroizing<Vec<u8>>)> = Vec::new();
    match env.var(KEY_ENV) {
        Some(v) => readers.push((KEY_ENV.into(), Zeroizing::new(v.into_bytes()))),
        None => loaded.unused.push(KEY_ENV.into()),
    }
    match env.var(KEY_FILE_ENV) {
        Some(path) => match read_file(&path) {
            Ok(content) => readers.push((KEY_FILE_ENV.into(), content)),
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
            Ok(out) => readers.push((KEY_CMD_ENV.into(), out)),
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
                Ok(content) => readers.push((path, content)),
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
    let mut others = std::mem::take(&mut loaded.identities);
    for (location, content) in readers {
        match parse_source(&location, &content) {
            Ok(ids) => {
                if ids.is_empty() {
                    loaded.unused.push(location.clone());
                }
                for id in ids {
                    if let ParsedIdentity::PostQuantum = id {
                        // Skipped, not fatal: the source's other keys stay usable.
                        loaded.errors.push(format!(
                            "'{location}' holds a post-quantum age identity \
                             (AGE-SECRET-KEY-PQ-1…), which sops-rs does not support yet"
                        ));
                        continue;
                    }
                    let is_native = matches!(id, ParsedIdentity::X25519(_));
                    match id.into_identity() {
                        Ok(id) if is_native => native.push(id),
                        Ok(id) => others.push(id),
                        Err(e) => loaded.missing_plugins.push(e),
                    }
                }
            }
            Err(e) => loaded.errors.push(e),
        }
    }
    native.append(&mut others);
    loaded.identities = native;
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

fn load_ssh(env: &Environment, loaded: &mut Loaded) {
    match env.var(SSH_KEY_FILE_ENV) {
        Some(path) => match parse_ssh_key_file(&path) {
            Ok(id) => loaded.identities.push(id),
            Err(e) => loaded.errors.push(e),
        },
        None => loaded.unused.push(SSH_KEY_FILE_ENV.into()),
    }
    match env.home_dir() {
        Err(e) => loaded.errors.push(e),
        Ok(home) => {
            for name in ["id_ed25519", "id_rsa"] {
                let path = gocompat::join(&[&home, ".ssh", name]);
                if std::fs::metadata(&path).is_ok() {
                    match parse_ssh_key_file(&path) {
                        Ok(id) => loaded.identities.push(id),
                        Err(e) => loaded.errors.push(e),
                    }
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

fn parse_ssh_key_file(path: &str) -> Result<BoxedIdentity, String> {
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
        Ok(age::ssh::Identity::Unencrypted(key)) => {
            Ok(Box::new(age::ssh::Identity::Unencrypted(key)))
        }
        Ok(age::ssh::Identity::Encrypted(_)) => Err(format!(
            "the SSH key in {} is passphrase protected and sops-rs does not prompt for passphrases; \
             remove the passphrase (ssh-keygen -p) or use an age key",
            gocompat::quote(path)
        )),
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
enum ParsedIdentity {
    X25519(age::x25519::Identity),
    Plugin(age::plugin::Identity),
    /// `AGE-SECRET-KEY-PQ-1…` (ML-KEM hybrid): the `age` crate cannot use it yet.
    PostQuantum,
}

impl ParsedIdentity {
    fn into_identity(self) -> Result<BoxedIdentity, String> {
        match self {
            ParsedIdentity::X25519(id) => Ok(Box::new(id)),
            ParsedIdentity::PostQuantum => {
                Err("post-quantum age identities are not supported by sops-rs yet".into())
            }
            ParsedIdentity::Plugin(id) => {
                let name = id.plugin().to_string();
                age::plugin::IdentityPluginV1::new(&name, &[id], NoPromptCallbacks)
                    .map(|p| Box::new(p) as BoxedIdentity)
                    .map_err(|e| plugin_resolve_error(&name, &e))
            }
        }
    }
}

/// Go age's text for a plugin that cannot be started.
pub fn plugin_resolve_error(name: &str, e: &age::plugin::ResolveError) -> String {
    match e {
        age::plugin::ResolveError::MissingPlugin { binary_name } => format!(
            "{name} plugin: couldn't start plugin: {} plugin not found: exec: {}: executable file not found in $PATH",
            gocompat::quote(name),
            gocompat::quote(binary_name)
        ),
        other => format!("{name} plugin: {other}"),
    }
}

fn parse_source(location: &str, content: &[u8]) -> Result<Vec<ParsedIdentity>, String> {
    if content.starts_with(b"age-encryption") || content.starts_with(b"-----BEGIN AGE") {
        return Err(format!(
            "failed to read '{location}': the age identities are passphrase-protected and \
             sops-rs does not prompt for passphrases; decrypt them with `age -d` and pass them \
             through SOPS_AGE_KEY_CMD instead"
        ));
    }
    parse_identities(content)
        .map_err(|e| format!("failed to parse '{location}' age identities: {e}"))
}

/// Go's `bufio.Scanner` lines: split on `\n`, one trailing `\r` dropped, no final empty line.
fn lines(content: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = content.strip_suffix(b"\n").unwrap_or(content);
    let empty = content.is_empty();
    body.split(|&b| b == b'\n')
        .filter(move |_| !empty)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

fn parse_identities(content: &[u8]) -> Result<Vec<ParsedIdentity>, String> {
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
        let loaded = load(&env, "age1x");
        assert_eq!(loaded.identities.len(), 1);
        assert_eq!(loaded.errors.len(), 1);
        assert!(
            loaded.errors[0].contains("post-quantum"),
            "{}",
            loaded.errors[0]
        );
    }

    #[test]
    fn passphrase_protected_source_fails_without_prompt() {
        let err = parse_source("SOPS_AGE_KEY_FILE", b"-----BEGIN AGE ENCRYPTED FILE-----\n")
            .err()
            .unwrap();
        assert!(
            err.starts_with("failed to read 'SOPS_AGE_KEY_FILE': "),
            "{err}"
        );
        assert!(err.contains("passphrase-protected"));
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
