//! `edit` (and legacy mode without `-e/-d/-r/--set`): decrypt into a private
//! temporary file, run the user's editor, re-encrypt what comes back.
//!
//! The plaintext lives in a 0600 file inside a fresh 0700 directory
//! (`tempfile::TempDir`, removed when dropped). SIGINT, SIGTERM and SIGHUP are caught
//! with `signal-hook` flags while the editor runs, so the directory is removed
//! on every exit path (editor failure, no change, Ctrl-C, SIGTERM), unlike sops,
//! which dies on a signal and leaves the file behind. After an invalid edit sops
//! waits for a key press before re-opening the editor; without a terminal on
//! stdin there is nobody to press a key, so sops-rs re-opens the editor at once.
//! With `-s` the metadata is shown and must still parse when saved; sops-rs
//! keeps the edited values (sops 3.11 silently drops the whole edit there) and
//! the file's own keys, since the data key is not re-wrapped.

use std::fs;
use std::io::{IsTerminal, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};
use sops_rs::datakey::DataKey;
use sops_rs::edit::{self, Opened};
use sops_rs::error::{Error, Result, go_io_message};
use sops_rs::metadata::Metadata;
use sops_rs::ops::{self, EncryptedFile};
use sops_rs::store::{Format, Store};
use sops_rs::tree::Tree;
use sops_rs::walk::IvCache;
use zeroize::Zeroizing;

use crate::cmd_files::{self, Target};
use crate::flags::Parsed;
use crate::output::{self, Destination, Sensitivity};
use crate::run::{self, Surface};

/// Runs `edit` on the first positional argument.
pub fn run(parsed: &Parsed, surface: Surface, config_flag: Option<&str>) -> Result<()> {
    let path = match surface {
        Surface::Legacy => {
            let path = cmd_files::legacy_file_argument(parsed)?;
            cmd_files::refuse_key_changes_on_missing_file(parsed, &path, surface)?;
            path
        }
        Surface::Subcommand => cmd_files::file_argument(parsed)?,
    };
    let target = cmd_files::target(parsed, surface, config_flag, path)?;
    let order = cmd_files::decryption_order(parsed)?;
    let show = parsed.switch("show-master-keys");
    let in_store = target.input_store.as_ref();
    let out_store = target.output_store.as_ref();
    // Held while the editor runs: a concurrent `set` waits rather than being overwritten.
    let _lock = crate::lock::lock_for_update(&target.path);
    let mut opened = if target.path.exists() {
        let input = cmd_files::read_file(&target.path)?;
        edit::open(&input, in_store, &order, parsed.switch("ignore-mac"))?
    } else {
        new_file(parsed, surface, &target)?
    };
    let shown = Zeroizing::new(
        if show {
            out_store.emit_encrypted(
                &opened.file.tree,
                &opened.file.metadata.to_map(out_store.metadata_form()),
            )
        } else {
            out_store.emit_plain(&opened.file.tree)
        }
        .map_err(edit::marshal_error)?,
    );
    let name = target
        .path
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("file"));
    opened.file.tree = edit_in_temp_dir(&name, &shown, in_store, show)?;
    ops::bump_version_for_edit(&mut opened.file.metadata)?;
    let out = edit::seal(&mut opened, out_store)?;
    output::write_output(
        &Destination::InPlace(target.path.clone()),
        &out,
        Sensitivity::Encrypted,
    )
}

/// A file that does not exist yet: sops's example document, a new data key
/// wrapped for the keys of the flags or the matching creation rule.
fn new_file(parsed: &Parsed, surface: Surface, target: &Target) -> Result<Opened> {
    let rule = match &target.config {
        Some(c) => c.rule_for(&target.name, &target.cwd)?,
        None => None,
    };
    let config = run::encrypt_config(parsed, surface, rule)?;
    let in_store = target.input_store.as_ref();
    let tree = in_store.load_plain(edit::example_document(in_store.format()))?;
    // As in `encrypt`, only a binary input drops the selection rule.
    let single_value = in_store.format() == Format::Binary;
    let mut metadata = ops::new_metadata(single_value, config);
    let key = DataKey::generate()?;
    // sops reports a wrapping failure here as a key error (exit 128).
    ops::wrap_key(&mut metadata, &key).map_err(|e| {
        let detail = match e {
            Error::GenerateDataKey(m) => m,
            other => other.to_string(),
        };
        Error::DataKey(format!(
            "Error encrypting the data key with one or more master keys: {detail}"
        ))
    })?;
    Ok(Opened {
        file: EncryptedFile { tree, metadata },
        key,
        cache: IvCache::default(),
    })
}

/// SIGINT, SIGTERM or SIGHUP (terminal gone) seen while editing.
struct Signals {
    flags: Vec<(i32, Arc<AtomicBool>)>,
}

impl Signals {
    fn register() -> Result<Signals> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let mut flags = Vec::new();
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            let flag = Arc::new(AtomicBool::new(false));
            signal_hook::flag::register(sig, Arc::clone(&flag)).map_err(|e| {
                Error::Other(format!("cannot handle signals: {}", go_io_message(&e)))
            })?;
            flags.push((sig, flag));
        }
        Ok(Signals { flags })
    }

    /// The number of the first pending signal.
    fn pending(&self) -> Option<i32> {
        self.flags
            .iter()
            .find(|(_, flag)| flag.load(Ordering::SeqCst))
            .map(|(sig, _)| *sig)
    }
}

/// Writes `content` to `<private dir>/<name>`, runs the editor until the result
/// parses, and returns the edited tree. The directory goes when this returns.
fn edit_in_temp_dir(name: &Path, content: &[u8], store: &dyn Store, show: bool) -> Result<Tree> {
    let signals = Signals::register()?;
    let dir = tempfile::Builder::new()
        .prefix("sops-rs-edit-")
        .tempdir()
        .map_err(|e| Error::WriteOutput {
            path: std::env::temp_dir(),
            source: e,
        })?;
    let write_err = |path: &Path, source| Error::WriteOutput {
        path: path.to_path_buf(),
        source,
    };
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700))
        .map_err(|e| write_err(dir.path(), e))?;
    let file = dir.path().join(name);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&file)
        .map_err(|e| write_err(&file, e))?;
    f.write_all(content)
        .and_then(|()| f.sync_all())
        .map_err(|e| write_err(&file, e))?;
    drop(f);
    let original: [u8; 32] = Sha256::digest(content).into();
    let result = edit_until_ok(&file, &original, store, show, &signals);
    // Removing the directory explicitly reports nothing; `Drop` would do the same.
    let _ = dir.close();
    result
}

fn edit_until_ok(
    file: &Path,
    original: &[u8; 32],
    store: &dyn Store,
    show: bool,
    signals: &Signals,
) -> Result<Tree> {
    let editor = editor_command(&|k| std::env::var(k).ok(), &|n| which(n))?;
    loop {
        run_editor(&editor, file, signals)?;
        let edited = Zeroizing::new(fs::read(file).map_err(|e| {
            Error::OpenInput(format!("Could not read edited file: {}", go_io_message(&e)))
        })?);
        let hash: [u8; 32] = Sha256::digest(edited.as_slice()).into();
        if &hash == original {
            return Err(Error::FileNotModified);
        }
        let tree = match store.load_plain(&edited) {
            Ok(tree) => tree,
            Err(e) => {
                log_error(
                    "Could not load tree, probably due to invalid syntax. Press a key to return to the editor, or Ctrl+C to exit.",
                    &e,
                );
                wait_for_key(signals)?;
                continue;
            }
        };
        if !show {
            return Ok(tree);
        }
        // With -s the file carries the metadata: it must still parse. The
        // values are taken from the edit; the keys stay as they were, since the
        // data key is not re-wrapped. (sops 3.11 drops the whole edit here, a bug.)
        match store
            .load_encrypted(&edited)
            .and_then(|(t, m)| Metadata::from_map(&m).map(|_| t))
        {
            Ok(t) => return Ok(t),
            Err(e) => {
                log_error(
                    "SOPS metadata is invalid. Press a key to return to the editor, or Ctrl+C to exit.",
                    &e,
                );
                wait_for_key(signals)?;
            }
        }
    }
}

/// sops's logrus line for a recoverable edit error.
fn log_error(msg: &str, err: &Error) {
    let detail = match err {
        Error::Unmarshal(m) => m.clone(),
        other => other.to_string(),
    };
    eprintln!(
        "[CMD]\t time=\"{}\" level=error msg={} error={}",
        sops_rs::tree::Timestamp::now_utc().to_rfc3339(),
        sops_rs::cipher::go_quote(msg),
        sops_rs::cipher::go_quote(&detail)
    );
}

/// Waits for a key press when a person can give one (stdin is a terminal);
/// otherwise returns at once. A signal ends the wait.
fn wait_for_key(signals: &Signals) -> Result<()> {
    if !std::io::stdin().is_terminal() {
        return match signals.pending() {
            Some(sig) => Err(Error::Interrupted(sig)),
            None => Ok(()),
        };
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut byte = [0u8; 1];
        let _ = std::io::stdin().lock().read(&mut byte);
        let _ = tx.send(());
    });
    loop {
        if let Some(sig) = signals.pending() {
            return Err(Error::Interrupted(sig));
        }
        match rx.recv_timeout(Duration::from_millis(50)) {
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            _ => return Ok(()),
        }
    }
}

const NO_EDITOR: &str = "no editor available: sops attempts to use the editor defined in the SOPS_EDITOR or EDITOR environment variables, and if that's not set defaults to any of vim, nano, vi, but none of them could be found";

/// The editor's argv: `$SOPS_EDITOR`, else `$EDITOR` (split as a shell would),
/// else the first of vim, nano, vi found on `PATH`.
fn editor_command(
    env: &dyn Fn(&str) -> Option<String>,
    find: &dyn Fn(&str) -> Option<PathBuf>,
) -> Result<Vec<String>> {
    for var in ["SOPS_EDITOR", "EDITOR"] {
        if let Some(v) = env(var).filter(|v| !v.is_empty()) {
            return shlex::split(&v)
                .filter(|parts| !parts.is_empty())
                .ok_or_else(|| Error::Editor(format!("invalid ${var}: {v}")));
        }
    }
    ["vim", "nano", "vi"]
        .iter()
        .find_map(|n| find(n))
        .map(|p| vec![p.to_string_lossy().into_owned()])
        .ok_or_else(|| Error::Editor(NO_EDITOR.into()))
}

/// The first executable file called `name` on `PATH`.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

/// Runs the editor on `file` with the terminal; a failure or a signal to us ends the edit.
fn run_editor(editor: &[String], file: &Path, signals: &Signals) -> Result<()> {
    let Some((program, args)) = editor.split_first() else {
        return Err(Error::Editor(NO_EDITOR.into()));
    };
    let mut child = Command::new(program)
        .args(args)
        .arg(file)
        .spawn()
        .map_err(|e| Error::Editor(spawn_error(program, &e)))?;
    let status = loop {
        if let Some(sig) = signals.pending() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::Interrupted(sig));
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(Error::Editor(go_io_message(&e))),
        }
    };
    if let Some(sig) = signals.pending() {
        return Err(Error::Interrupted(sig));
    }
    match status_error(status) {
        None => Ok(()),
        Some(msg) => Err(Error::Editor(msg)),
    }
}

/// Go's `exec` wording for a program that cannot be started.
fn spawn_error(program: &str, e: &std::io::Error) -> String {
    if !program.contains('/') && e.kind() == std::io::ErrorKind::NotFound {
        format!("exec: \"{program}\": executable file not found in $PATH")
    } else {
        format!("fork/exec {program}: {}", go_io_message(e))
    }
}

/// Go's `ExitError` text for an unsuccessful status (`exit status 3`, `signal: killed`).
fn status_error(status: ExitStatus) -> Option<String> {
    if status.success() {
        return None;
    }
    if let Some(code) = status.code() {
        return Some(format!("exit status {code}"));
    }
    let sig = status.signal().unwrap_or(0);
    let name = match sig {
        1 => "hangup".to_string(),
        2 => "interrupt".to_string(),
        3 => "quit".to_string(),
        6 => "aborted".to_string(),
        9 => "killed".to_string(),
        11 => "segmentation fault".to_string(),
        13 => "broken pipe".to_string(),
        15 => "terminated".to_string(),
        n => format!("signal {n}"),
    };
    Some(format!("signal: {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn sops_editor_wins_and_is_split_like_a_shell() {
        let none = |_: &str| None;
        let env = env_of(&[("SOPS_EDITOR", "code --wait 'a b'"), ("EDITOR", "nano")]);
        assert_eq!(
            editor_command(&env, &none).unwrap(),
            ["code", "--wait", "a b"]
        );
        let env = env_of(&[("SOPS_EDITOR", ""), ("EDITOR", "nano -w")]);
        assert_eq!(editor_command(&env, &none).unwrap(), ["nano", "-w"]);
        let env = env_of(&[("EDITOR", "sh 'open")]);
        assert_eq!(
            editor_command(&env, &none).unwrap_err().to_string(),
            "Could not run editor: invalid $EDITOR: sh 'open"
        );
    }

    #[test]
    fn falls_back_to_vim_nano_vi() {
        let env = |_: &str| None;
        let only_vi = |n: &str| (n == "vi").then(|| PathBuf::from("/usr/bin/vi"));
        assert_eq!(editor_command(&env, &only_vi).unwrap(), ["/usr/bin/vi"]);
        let none = |_: &str| None;
        assert!(matches!(
            editor_command(&env, &none),
            Err(Error::Editor(m)) if m == NO_EDITOR
        ));
    }

    #[test]
    fn exit_statuses_read_like_go() {
        assert_eq!(status_error(ExitStatus::from_raw(0)), None);
        assert_eq!(
            status_error(ExitStatus::from_raw(3 << 8)).as_deref(),
            Some("exit status 3")
        );
        assert_eq!(
            status_error(ExitStatus::from_raw(9)).as_deref(),
            Some("signal: killed")
        );
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(
            spawn_error("/nonexistent", &e),
            "fork/exec /nonexistent: no such file or directory"
        );
        assert_eq!(
            spawn_error("nope", &e),
            "exec: \"nope\": executable file not found in $PATH"
        );
    }
}
