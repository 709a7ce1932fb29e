//! PGP master keys through the `gpg` binary (spec §5.4): shelling out, as sops's fallback does, keeps the user's keyring, agent, smartcards and pinentry working without an OpenPGP crate.
//!
//! sops first tries a Go OpenPGP library on the legacy `pubring.gpg`/`secring.gpg`
//! files, which modern GnuPG (≥ 2.1) no longer writes; the `gpg` binary path is
//! the one that works in practice, so it is the only one implemented here. The
//! arguments are sops's own; when nobody can answer a prompt (no terminal, no
//! display) `--batch --pinentry-mode error` is added and a time limit applies,
//! so a locked key fails at once instead of waiting forever.

use crate::error::{Error, Result};
use crate::tree::{Map, Timestamp, Value};
use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The variable naming the gpg binary to run instead of `gpg` (taken whole, not split).
pub const GPG_EXEC_ENV: &str = "SOPS_GPG_EXEC";

/// How long gpg may run when nobody can answer a prompt.
const NO_PROMPT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long gpg may run while a human may be typing a passphrase into pinentry.
const PROMPT_TIMEOUT: Duration = Duration::from_secs(600);
/// Appended when gpg-agent needed a passphrase that could not be asked for.
const LOCKED_KEY_HINT: &str = "\n(the secret key is protected by a passphrase and no prompt is possible here: \
run from a terminal, or unlock the key in gpg-agent first, e.g. by decrypting any message with `gpg -d`)";
/// At most this many lines of gpg's stderr go into an error message.
const STDERR_MAX_LINES: usize = 20;

/// Whether gpg may ask the user anything (passphrase, "use this key anyway?").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prompting {
    /// sops's exact arguments: gpg-agent may start pinentry.
    Allowed,
    /// Adds `--batch --pinentry-mode error`: a key whose passphrase is not
    /// cached by the agent fails immediately.
    Forbidden,
}

/// Everything about the environment gpg runs in, so tests need not touch the process environment.
#[derive(Clone, Debug)]
pub struct GpgEnv {
    /// The binary: `SOPS_GPG_EXEC` if set and non-empty, else `gpg` from `PATH`.
    pub program: OsString,
    /// A GnuPG home to pass as `GNUPGHOME`; `None` lets gpg use the inherited
    /// `GNUPGHOME` or `~/.gnupg`.
    pub gnupg_home: Option<PathBuf>,
    /// A terminal for pinentry-curses (`GPG_TTY`); `None` leaves the inherited one.
    pub gpg_tty: Option<PathBuf>,
    /// Whether prompts are possible.
    pub prompting: Prompting,
    /// Kill gpg after this long; `None` waits as long as it takes.
    pub timeout: Option<Duration>,
}

impl GpgEnv {
    /// The environment of this process: `SOPS_GPG_EXEC`, and prompts allowed only
    /// when stdin is a terminal or a graphical display is available.
    pub fn from_process() -> GpgEnv {
        let program = match std::env::var_os(GPG_EXEC_ENV) {
            Some(p) if !p.is_empty() => p,
            _ => OsString::from("gpg"),
        };
        let tty = std::io::stdin().is_terminal();
        let display = ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()));
        // gpg's stdin is the message pipe, so pinentry-curses cannot find the
        // terminal by itself; point it at ours unless the user already did.
        let gpg_tty = if tty && std::env::var_os("GPG_TTY").is_none() {
            std::fs::read_link("/proc/self/fd/0").ok()
        } else {
            None
        };
        let prompting = if tty || display {
            Prompting::Allowed
        } else {
            Prompting::Forbidden
        };
        GpgEnv::with_program(program, None, prompting).with_gpg_tty(gpg_tty)
    }

    /// An environment running `program` with `gnupg_home` (if any) and the
    /// default time limit for `prompting`.
    pub fn with_program(
        program: impl Into<OsString>,
        gnupg_home: Option<PathBuf>,
        prompting: Prompting,
    ) -> GpgEnv {
        let timeout = match prompting {
            Prompting::Allowed => PROMPT_TIMEOUT,
            Prompting::Forbidden => NO_PROMPT_TIMEOUT,
        };
        GpgEnv {
            program: program.into(),
            gnupg_home,
            gpg_tty: None,
            prompting,
            timeout: Some(timeout),
        }
    }

    fn with_gpg_tty(mut self, tty: Option<PathBuf>) -> GpgEnv {
        self.gpg_tty = tty;
        self
    }

    fn program_name(&self) -> String {
        self.program.to_string_lossy().into_owned()
    }
}

/// One `pgp` metadata entry: a fingerprint and the data key encrypted to it.
pub struct PgpKey {
    fingerprint: String,
    created_at: Timestamp,
    enc: String,
}

impl PgpKey {
    /// A key for `fingerprint` (spaces removed, as sops does; a trailing `!`
    /// selects an exact subkey); created now.
    pub fn new(fingerprint: &str) -> Result<PgpKey> {
        let fp: String = fingerprint.trim().chars().filter(|c| *c != ' ').collect();
        check_fingerprint(&fp)?;
        Ok(PgpKey {
            fingerprint: fp,
            created_at: Timestamp::now_utc(),
            enc: String::new(),
        })
    }

    /// The fingerprint as stored (`fp`).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The armored message holding the data key (empty before [`PgpKey::encrypt`]).
    pub fn encrypted_key(&self) -> &str {
        &self.enc
    }

    /// Encrypts `data_key` to the fingerprint with the gpg binary of this process's environment.
    pub fn encrypt(&mut self, data_key: &[u8]) -> Result<()> {
        self.encrypt_with(data_key, &GpgEnv::from_process())
    }

    /// Encrypts `data_key` to the fingerprint with the gpg of `env`.
    pub fn encrypt_with(&mut self, data_key: &[u8], env: &GpgEnv) -> Result<()> {
        let fail = |why: String| {
            Error::Other(format!(
                "could not encrypt data key with PGP key: {}GnuPG binary error: {why}",
                legacy_keyring_error(env, Op::Encrypt, &self.fingerprint)
            ))
        };
        let trusted = short_id(&self.fingerprint);
        let args = [
            "--no-default-recipient",
            "--yes",
            "--encrypt",
            "-a",
            "-r",
            self.fingerprint.as_str(),
            "--trusted-key",
            trusted,
            "--no-encrypt-to",
        ];
        let out = run_gpg(env, &args, data_key).map_err(|e| fail(e.describe(env)))?;
        if !out.status.success() {
            return Err(fail(format!(
                "failed to encrypt sops data key with pgp: {}",
                summarise(&out.stderr)
            )));
        }
        let armored = std::str::from_utf8(&out.stdout)
            .map_err(|_| fail("gpg wrote a message that is not ASCII armor".into()))?
            .trim();
        if armored.is_empty() {
            return Err(fail(
                "failed to encrypt sops data key with pgp: gpg wrote nothing".into(),
            ));
        }
        self.enc = armored.to_string();
        Ok(())
    }

    /// Decrypts the stored `enc` with the gpg binary of this process's environment.
    pub fn decrypt(&self) -> Result<Zeroizing<Vec<u8>>> {
        self.decrypt_with(&GpgEnv::from_process())
    }

    /// Decrypts the stored `enc` with the gpg of `env`. gpg picks the secret key
    /// from the message itself; the fingerprint is not checked (as in sops).
    pub fn decrypt_with(&self, env: &GpgEnv) -> Result<Zeroizing<Vec<u8>>> {
        let fail = |why: String| {
            Error::Other(format!(
                "could not decrypt data key with PGP key: {}GnuPG binary error: {why}",
                legacy_keyring_error(env, Op::Decrypt, &self.fingerprint)
            ))
        };
        if self.enc.trim().is_empty() {
            return Err(fail(
                "failed to decrypt sops data key with pgp: the key entry has no encrypted data key"
                    .into(),
            ));
        }
        let out = run_gpg(env, &["-d"], self.enc.as_bytes()).map_err(|e| fail(e.describe(env)))?;
        if !out.status.success() {
            let mut why = format!(
                "failed to decrypt sops data key with pgp: {}",
                summarise(&out.stderr)
            );
            if env.prompting == Prompting::Forbidden && why.contains("No pinentry") {
                why.push_str(LOCKED_KEY_HINT);
            }
            return Err(fail(why));
        }
        if out.stdout.is_empty() {
            // Old gpg versions drop AEAD packets they cannot read and exit 0 with no output.
            return Err(fail(
                "failed to decrypt sops data key with pgp: zero bytes returned".into(),
            ));
        }
        Ok(out.stdout)
    }

    /// `{created_at, enc, fp}`, in sops's order.
    pub fn to_metadata(&self) -> Map {
        let mut m = Map::new();
        m.push("created_at", Value::str(self.created_at.to_rfc3339()));
        m.push("enc", Value::str(self.enc.clone()));
        m.push("fp", Value::str(self.fingerprint.clone()));
        m
    }

    /// Reads `{created_at, enc, fp}`; `created_at` must be RFC 3339.
    pub fn from_metadata(entry: &Map) -> Result<PgpKey> {
        let get = |k: &str| match entry.get(k) {
            Some(Value::Str(s)) => Ok(s.to_string()),
            _ => Err(Error::InvalidMetadata(format!(
                "pgp key entry has no string {k:?}"
            ))),
        };
        let created_at = match entry.get("created_at") {
            // A YAML reader may already have resolved an unquoted timestamp.
            Some(Value::Time(t)) => *t,
            Some(Value::Str(s)) => Timestamp::parse_rfc3339(s).ok_or_else(|| {
                Error::InvalidMetadata(format!(
                    "parsing time {:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse pgp key created_at",
                    s.as_str()
                ))
            })?,
            _ => {
                return Err(Error::InvalidMetadata(
                    "pgp key entry has no string \"created_at\"".into(),
                ));
            }
        };
        Ok(PgpKey {
            fingerprint: get("fp")?,
            created_at,
            enc: get("enc")?,
        })
    }
}

/// Which way the data key goes.
#[derive(Clone, Copy)]
enum Op {
    Encrypt,
    Decrypt,
}

/// The GnuPG home sops reads: `GNUPGHOME` if set, else `~/.gnupg`.
fn gnupg_home(env: &GpgEnv) -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    env.gnupg_home
        .clone()
        .or_else(|| var("GNUPGHOME").map(PathBuf::from))
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".gnupg")))
}

/// sops first tries its built-in OpenPGP library on the legacy keyrings
/// (`pubring.gpg`, `secring.gpg`) and puts that failure before gpg's in its
/// message. When those files do not exist (modern GnuPG never writes them) that
/// failure is always the same, so it is reproduced and the messages (and the
/// exit-128 report) match sops's; when they exist its outcome depends on their
/// content, which sops-rs does not read, and nothing is added.
fn legacy_keyring_error(env: &GpgEnv, op: Op, fingerprint: &str) -> String {
    let Some(home) = gnupg_home(env) else {
        return String::new();
    };
    let pubring = home.join("pubring.gpg");
    let why = match op {
        Op::Encrypt if !pubring.exists() => {
            format!("key with fingerprint '{fingerprint}' is not available in keyring")
        }
        Op::Decrypt if !pubring.exists() && !home.join("secring.gpg").exists() => format!(
            "could not load secring: open {}: no such file or directory",
            pubring.display()
        ),
        _ => return String::new(),
    };
    format!("github.com/ProtonMail/go-crypto/openpgp error: {why}; ")
}

/// Accepts what gpg accepts as a key id for `-r`: hex, optionally `0x`-prefixed,
/// 8 to 64 digits (short id to v5 fingerprint), optionally ending in `!`.
fn check_fingerprint(fp: &str) -> Result<()> {
    let body = fp.strip_suffix('!').unwrap_or(fp);
    let hex = body
        .strip_prefix("0x")
        .or_else(|| body.strip_prefix("0X"))
        .unwrap_or(body);
    if (8..=64).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(Error::InvalidMasterKey(format!(
            "invalid PGP fingerprint {fp:?}: expected hexadecimal digits (usually 40), optionally ending in '!'"
        )))
    }
}

/// The last 16 hex digits (with the `!` kept, as sops does for exact subkeys),
/// passed as `--trusted-key` so gpg does not ask whether to trust the recipient.
fn short_id(fp: &str) -> &str {
    let want = if fp.ends_with('!') { 17 } else { 16 };
    let start = fp.len().saturating_sub(want);
    fp.get(start..).unwrap_or(fp)
}

/// gpg's stderr, trimmed, keeping the last lines (the reason comes last).
fn summarise(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .trim()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let skip = lines.len().saturating_sub(STDERR_MAX_LINES);
    let kept = lines.get(skip..).unwrap_or(&[]).join("\n");
    if kept.is_empty() {
        "gpg failed without a message".into()
    } else {
        kept
    }
}

/// What a finished gpg run produced.
struct GpgOutput {
    status: ExitStatus,
    stdout: Zeroizing<Vec<u8>>,
    stderr: Vec<u8>,
}

/// Why gpg could not be run to completion.
enum RunError {
    /// The binary could not be started.
    Spawn(std::io::Error),
    /// It ran longer than the time limit and was killed.
    Timeout(Duration),
    /// Waiting for it failed.
    Wait(std::io::Error),
}

impl RunError {
    fn describe(&self, env: &GpgEnv) -> String {
        let name = env.program_name();
        match self {
            RunError::Spawn(e) if e.kind() == std::io::ErrorKind::NotFound => format!(
                "cannot run {name:?}: executable not found; install GnuPG (e.g. `apt-get install gnupg` or `brew install gnupg`) or set {GPG_EXEC_ENV} to the gpg binary"
            ),
            RunError::Spawn(e) => format!("cannot run {name:?}: {e}"),
            RunError::Timeout(d) => format!(
                "{name:?} did not finish within {} seconds and was stopped; if it was waiting for a passphrase, unlock the key in gpg-agent first (e.g. run `gpg -d` on any message once)",
                d.as_secs()
            ),
            RunError::Wait(e) => format!("waiting for {name:?} failed: {e}"),
        }
    }
}

/// Runs gpg with `args` (after the no-prompt options if needed), `input` on its
/// stdin (then closed), collecting stdout and stderr, within the time limit.
fn run_gpg(env: &GpgEnv, args: &[&str], input: &[u8]) -> std::result::Result<GpgOutput, RunError> {
    match env.prompting {
        Prompting::Allowed => run_once(env, &[], args, input),
        Prompting::Forbidden => {
            let out = run_once(env, &["--batch", "--pinentry-mode", "error"], args, input)?;
            // GnuPG 1.x and 2.0 have no --pinentry-mode; with --batch alone they
            // cannot prompt either (1.x has no agent), so that is just as safe.
            if !out.status.success()
                && String::from_utf8_lossy(&out.stderr).contains("--pinentry-mode")
            {
                return run_once(env, &["--batch"], args, input);
            }
            Ok(out)
        }
    }
}

/// One run of gpg with `pre` options before `args`.
fn run_once(
    env: &GpgEnv,
    pre: &[&str],
    args: &[&str],
    input: &[u8],
) -> std::result::Result<GpgOutput, RunError> {
    let mut cmd = Command::new(&env.program);
    cmd.args(pre)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(home) = &env.gnupg_home {
        cmd.env("GNUPGHOME", home);
    }
    if let Some(tty) = &env.gpg_tty {
        cmd.env("GPG_TTY", tty);
    }
    let mut child = cmd.spawn().map_err(RunError::Spawn)?;

    // Threads keep a full pipe on one side from blocking the other; they own
    // their data so that a stuck pipe can be abandoned at the deadline.
    if let Some(mut stdin) = child.stdin.take() {
        let data = Zeroizing::new(input.to_vec());
        std::thread::spawn(move || {
            // gpg may exit before reading (bad option): the broken pipe is reported via its stderr.
            let _ = stdin.write_all(&data);
        });
    }
    let (out_tx, out_rx) = mpsc::channel();
    if let Some(mut stdout) = child.stdout.take() {
        std::thread::spawn(move || {
            // Reserved up front so the secret is not left behind by reallocation.
            let mut buf = Zeroizing::new(Vec::with_capacity(4096));
            let _ = stdout.read_to_end(&mut buf);
            let _ = out_tx.send(buf);
        });
    }
    let (err_tx, err_rx) = mpsc::channel();
    if let Some(mut stderr) = child.stderr.take() {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stderr.read_to_end(&mut buf);
            let _ = err_tx.send(buf);
        });
    }

    let deadline = env.timeout.map(|t| (Instant::now() + t, t));
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::Wait(e));
            }
        }
        if let Some((at, limit)) = deadline
            && Instant::now() >= at
        {
            let _ = child.kill();
            let _ = child.wait();
            return Err(RunError::Timeout(limit));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // The pipes close when gpg exits, unless it handed them to a process that
    // lives on; then give up on the rest of the output after a moment.
    let grace = Duration::from_secs(5);
    let stdout = out_rx
        .recv_timeout(grace)
        .unwrap_or_else(|_| Zeroizing::new(Vec::new()));
    let stderr = err_rx.recv_timeout(grace).unwrap_or_default();
    Ok(GpgOutput {
        status,
        stdout,
        stderr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes_gcm::aead::consts::U32;
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use aes_gcm::aes::Aes256;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD as B64;
    use std::path::Path;

    const K1: &str = "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4";
    const KEY_FILE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/vectors/sops-repo/pgp/sops_functional_tests_key.asc"
    );
    const JSON_CASE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/vectors/generated-sops-3.11.0/cases/json-pgp-k1-and-age1.enc.json"
    );
    const YAML_CASE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/vectors/generated-sops-3.11.0/cases/yaml-pgp-k1.enc.yaml"
    );

    /// A private GnuPG home whose agent is stopped when the test ends, even on failure.
    struct Home {
        dir: tempfile::TempDir,
    }

    impl Home {
        fn empty() -> Home {
            use std::os::unix::fs::PermissionsExt;
            let dir = tempfile::Builder::new()
                .prefix("sopsrs-gpg-")
                .tempdir_in("/tmp")
                .unwrap();
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
            Home { dir }
        }

        fn with_test_keys() -> Home {
            let home = Home::empty();
            let out = home.gpg(&["--batch", "--import", KEY_FILE]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            home
        }

        fn path(&self) -> &Path {
            self.dir.path()
        }

        fn env(&self) -> GpgEnv {
            GpgEnv::with_program("gpg", Some(self.path().to_path_buf()), Prompting::Forbidden)
        }

        fn gpg(&self, args: &[&str]) -> std::process::Output {
            Command::new("gpg")
                .args(args)
                .env("GNUPGHOME", self.path())
                .stdin(Stdio::null())
                .output()
                .unwrap()
        }
    }

    impl Drop for Home {
        fn drop(&mut self) {
            let _ = Command::new("gpgconf")
                .args(["--kill", "gpg-agent"])
                .env("GNUPGHOME", self.dir.path())
                .output();
        }
    }

    /// The `pgp` entry of the YAML vector, read by hand (the YAML store is someone else's).
    fn vector_key() -> PgpKey {
        let text = std::fs::read_to_string(YAML_CASE).unwrap();
        let begin = text.find("-----BEGIN PGP MESSAGE-----").unwrap();
        let end =
            text.find("-----END PGP MESSAGE-----").unwrap() + "-----END PGP MESSAGE-----".len();
        let armored: String = text[begin..end]
            .lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("\n");
        let mut m = Map::new();
        m.push("created_at", Value::str("2026-11-24T16:31:02Z"));
        m.push("enc", Value::str(armored));
        m.push("fp", Value::str(K1));
        PgpKey::from_metadata(&m).unwrap()
    }

    /// Decrypts one `ENC[AES256_GCM,…]` value with `key` and the AAD `path:`.
    fn open_value(key: &[u8], enc: &str, aad: &str) -> Option<Vec<u8>> {
        let inner = enc.strip_prefix("ENC[AES256_GCM,")?.strip_suffix(']')?;
        let field = |name: &str| {
            inner
                .split(',')
                .find_map(|p| p.strip_prefix(name)?.strip_prefix(':'))
                .map(|v| B64.decode(v).unwrap())
        };
        let mut ct = field("data")?;
        ct.extend(field("tag")?);
        let iv = field("iv")?;
        let cipher = aes_gcm::AesGcm::<Aes256, U32>::new_from_slice(key).ok()?;
        let nonce = aes_gcm::Nonce::<U32>::from_slice(&iv);
        cipher
            .decrypt(
                nonce,
                Payload {
                    msg: &ct,
                    aad: aad.as_bytes(),
                },
            )
            .ok()
    }

    #[test]
    fn decrypts_the_sops_vector_and_the_key_opens_a_value() {
        let home = Home::with_test_keys();
        let key = vector_key().decrypt_with(&home.env()).unwrap();
        assert_eq!(key.len(), 32);
        let text = std::fs::read_to_string(YAML_CASE).unwrap();
        let hello = text
            .lines()
            .find_map(|l| l.strip_prefix("hello: "))
            .unwrap();
        assert_eq!(open_value(&key, hello, "hello:").unwrap(), b"world");
        // The AAD binds the value to its path: another path must not open it.
        assert!(open_value(&key, hello, "num:").is_none());
    }

    #[test]
    fn round_trip_and_plain_gpg_reads_our_message() {
        let home = Home::with_test_keys();
        let data_key: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37) ^ 0xA5).collect();
        let mut key = PgpKey::new(K1).unwrap();
        key.encrypt_with(&data_key, &home.env()).unwrap();
        let enc = key.encrypted_key().to_string();
        assert!(enc.starts_with("-----BEGIN PGP MESSAGE-----\n"));
        assert!(
            enc.ends_with("-----END PGP MESSAGE-----"),
            "trailing newline trimmed"
        );
        assert_eq!(
            key.decrypt_with(&home.env()).unwrap().as_slice(),
            &data_key[..]
        );

        let msg = home.dir.path().join("msg.asc");
        std::fs::write(&msg, &enc).unwrap();
        let out = home.gpg(&["--batch", "-d", msg.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, data_key);

        // Through the metadata and back, as a file rewrite would.
        let again = PgpKey::from_metadata(&key.to_metadata()).unwrap();
        assert_eq!(
            again.decrypt_with(&home.env()).unwrap().as_slice(),
            &data_key[..]
        );
    }

    #[test]
    fn missing_binary_fails_fast_and_names_it() {
        let env = GpgEnv::with_program("/nonexistent", None, Prompting::Forbidden);
        let start = Instant::now();
        let err = vector_key().decrypt_with(&env).err().unwrap().to_string();
        assert!(start.elapsed() < Duration::from_secs(5));
        assert!(err.contains("\"/nonexistent\""), "{err}");
        assert!(err.contains("install GnuPG"), "{err}");
        let err = PgpKey::new(K1)
            .unwrap()
            .encrypt_with(&[1; 32], &env)
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("could not encrypt data key with PGP key")
        );
    }

    #[test]
    fn key_not_in_keyring_is_an_error_with_gpgs_reason() {
        let home = Home::empty();
        let err = vector_key()
            .decrypt_with(&home.env())
            .err()
            .unwrap()
            .to_string();
        let want = format!(
            "could not decrypt data key with PGP key: github.com/ProtonMail/go-crypto/openpgp error: could not load secring: open {}/pubring.gpg: no such file or directory; GnuPG binary error: failed to decrypt sops data key with pgp: ",
            home.path().display()
        );
        assert!(err.starts_with(&want), "{err}");
        assert!(err.contains("No secret key"), "{err}");
        let mut key = PgpKey::new(K1).unwrap();
        let err = key
            .encrypt_with(&[7; 32], &home.env())
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("failed to encrypt sops data key with pgp"),
            "{err}"
        );
        assert!(key.encrypted_key().is_empty());
    }

    #[test]
    fn locked_key_fails_quickly_without_prompting() {
        let home = Home::empty();
        let out = home.gpg(&[
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "hunter2",
            "--quick-gen-key",
            "Locked <locked@example.com>",
            "future-default",
            "default",
            "never",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let list = home.gpg(&["--list-keys", "--with-colons"]);
        let listing = String::from_utf8(list.stdout).unwrap();
        let fp = listing
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .map(|rest| rest.trim_matches(':').to_string())
            .unwrap();
        let mut key = PgpKey::new(&fp).unwrap();
        key.encrypt_with(&[9; 32], &home.env()).unwrap();
        // Forget the cached passphrase so decryption would need pinentry.
        let _ = Command::new("gpgconf")
            .args(["--kill", "gpg-agent"])
            .env("GNUPGHOME", home.path())
            .output();
        let start = Instant::now();
        let err = key.decrypt_with(&home.env()).err().unwrap().to_string();
        assert!(start.elapsed() < Duration::from_secs(20));
        assert!(
            err.contains("failed to decrypt sops data key with pgp"),
            "{err}"
        );
        assert!(err.contains("protected by a passphrase"), "{err}");
    }

    #[test]
    fn old_gpg_without_pinentry_mode_is_retried_with_batch_only() {
        use std::os::unix::fs::PermissionsExt;
        let home = Home::with_test_keys();
        let script = home.path().join("old-gpg");
        std::fs::write(
            &script,
            "#!/bin/sh\nfor a in \"$@\"; do\n  if [ \"$a\" = --pinentry-mode ]; then\n    echo 'gpg: invalid option \"--pinentry-mode\"' >&2; exit 2\n  fi\ndone\nexec gpg \"$@\"\n",
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut env = home.env();
        env.program = script.into_os_string();
        assert_eq!(vector_key().decrypt_with(&env).unwrap().len(), 32);
    }

    #[test]
    fn decrypts_the_json_vector_entry() {
        let home = Home::with_test_keys();
        let text = std::fs::read_to_string(JSON_CASE).unwrap();
        let at = text.find("\"enc\": \"-----BEGIN PGP MESSAGE-----").unwrap() + "\"enc\": \"".len();
        let len = text[at..].find('"').unwrap();
        let armored = text[at..at + len].replace("\\n", "\n");
        let mut m = Map::new();
        m.push("created_at", Value::str("2026-11-24T16:31:02Z"));
        m.push("enc", Value::str(armored));
        m.push("fp", Value::str(K1));
        let key = PgpKey::from_metadata(&m)
            .unwrap()
            .decrypt_with(&home.env())
            .unwrap();
        assert_eq!(key.len(), 32);
    }

    #[test]
    fn timeout_stops_a_hanging_binary() {
        // A stand-in for a gpg stuck at a prompt that nobody answers.
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("fake-gpg");
        std::fs::write(&script, "#!/bin/sh\nexec sleep 30\n").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut env = GpgEnv::with_program(script.into_os_string(), None, Prompting::Allowed);
        env.timeout = Some(Duration::from_millis(200));
        let start = Instant::now();
        let err = vector_key().decrypt_with(&env).err().unwrap().to_string();
        assert!(start.elapsed() < Duration::from_secs(10));
        assert!(err.contains("did not finish"), "{err}");
    }

    #[test]
    fn sops_library_prefix_only_without_legacy_keyrings() {
        let home = Home::empty();
        let env = home.env();
        assert_eq!(
            legacy_keyring_error(&env, Op::Encrypt, K1),
            format!(
                "github.com/ProtonMail/go-crypto/openpgp error: key with fingerprint '{K1}' is not available in keyring; "
            )
        );
        assert!(legacy_keyring_error(&env, Op::Decrypt, K1).contains("could not load secring"));
        std::fs::write(home.path().join("secring.gpg"), b"").unwrap();
        assert_eq!(legacy_keyring_error(&env, Op::Decrypt, K1), "");
        std::fs::write(home.path().join("pubring.gpg"), b"").unwrap();
        assert_eq!(legacy_keyring_error(&env, Op::Encrypt, K1), "");
    }

    #[test]
    fn fingerprint_syntax() {
        let k = PgpKey::new("FBC7 B9E2 A4F9 289A C0C1  D484 3D16 CEE4 A273 81B4").unwrap();
        assert_eq!(k.fingerprint(), K1);
        assert!(PgpKey::new(&format!("{K1}!")).is_ok());
        assert!(PgpKey::new("0x3D16CEE4A27381B4").is_ok());
        for bad in [
            "",
            "!",
            "user@example.com",
            "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381BZ",
            "ABC",
        ] {
            assert!(
                matches!(PgpKey::new(bad), Err(Error::InvalidMasterKey(_))),
                "{bad:?}"
            );
        }
        assert_eq!(short_id(K1), "3D16CEE4A27381B4");
        assert_eq!(short_id(&format!("{K1}!")), "3D16CEE4A27381B4!");
        assert_eq!(short_id("ABCDEF12"), "ABCDEF12");
    }

    #[test]
    fn metadata_order_and_created_at() {
        let k = PgpKey::new(K1).unwrap();
        let m = k.to_metadata();
        let keys: Vec<String> = m
            .items
            .iter()
            .map(|i| match &i.key {
                crate::tree::Key::Str(s) => s.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(keys, ["created_at", "enc", "fp"]);
        match m.get("created_at") {
            Some(Value::Str(s)) => assert!(Timestamp::parse_rfc3339(s).is_some()),
            _ => panic!("created_at missing"),
        }

        // The stored offset survives; fractions are dropped, as Go's time.RFC3339 does.
        let mut e = Map::new();
        e.push("created_at", Value::str("2019-01-02T03:04:05.5+02:00"));
        e.push("enc", Value::str("x"));
        e.push("fp", Value::str(K1));
        let back = PgpKey::from_metadata(&e).unwrap().to_metadata();
        assert!(
            matches!(back.get("created_at"), Some(Value::Str(s)) if s.as_str() == "2019-01-02T03:04:05+02:00")
        );

        let mut bad = Map::new();
        bad.push("created_at", Value::str("yesterday"));
        bad.push("enc", Value::str("x"));
        bad.push("fp", Value::str(K1));
        assert!(matches!(
            PgpKey::from_metadata(&bad),
            Err(Error::InvalidMetadata(_))
        ));
        let mut no_fp = Map::new();
        no_fp.push("created_at", Value::str("2019-01-02T03:04:05Z"));
        no_fp.push("enc", Value::str("x"));
        assert!(PgpKey::from_metadata(&no_fp).is_err());
    }

    #[test]
    fn empty_enc_is_refused_without_running_gpg() {
        let mut e = Map::new();
        e.push("created_at", Value::str("2019-01-02T03:04:05Z"));
        e.push("enc", Value::str(""));
        e.push("fp", Value::str(K1));
        let env = GpgEnv::with_program("/nonexistent", None, Prompting::Forbidden);
        let err = PgpKey::from_metadata(&e)
            .unwrap()
            .decrypt_with(&env)
            .err()
            .unwrap();
        assert!(err.to_string().contains("no encrypted data key"), "{err}");
    }
}
