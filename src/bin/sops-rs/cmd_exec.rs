//! `exec-env` and `exec-file`: run `/bin/sh -c COMMAND` with the decrypted file in its
//! environment or in a private FIFO/temp file, returning the child's exit code as sops
//! does (spec §8.2). The FIFO is made with rustix (a safe wrapper; `unsafe` stays
//! forbidden) and the private directory is a `tempfile::TempDir`, removed on every path.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use sops_rs::error::Error;
use sops_rs::keys::DecryptionOrder;
use sops_rs::ops::{self, DecryptConfig};
use zeroize::Zeroizing;

use crate::cmd_common::{self as common, fatal, log_line};
use crate::flags::Parsed;
use crate::{Outcome, specs};

/// The name of the FIFO (and the prefix of a `--no-fifo` file) without `--filename`.
const FALLBACK_FILENAME: &str = "tmp-file";

fn parse(rest: &[String], table: &[crate::flags::FlagSpec]) -> Result<Parsed, Outcome> {
    let parsed = crate::parse(rest, table)?;
    if parsed.positionals.len() != 2 {
        return Err(Outcome::Failed(Error::Other(
            "error: missing file to decrypt".into(),
        )));
    }
    common::refuse_keyservices(&parsed).map_err(Outcome::Failed)?;
    Ok(parsed)
}

fn order(parsed: &Parsed) -> Result<DecryptionOrder, Outcome> {
    match parsed.value("decryption-order").filter(|s| !s.is_empty()) {
        Some(s) => DecryptionOrder::parse(s).map_err(Outcome::Failed),
        None => Ok(DecryptionOrder::default()),
    }
}

/// The uid and gid of `--user NAME` (from `/etc/passwd`, as Go's pure lookup reads it).
fn lookup_user(name: &str) -> Result<(u32, u32), String> {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    for line in passwd.lines() {
        let mut fields = line.split(':');
        if fields.next() != Some(name) {
            continue;
        }
        let _password = fields.next();
        let uid = fields.next().and_then(|s| s.parse().ok());
        let gid = fields.next().and_then(|s| s.parse().ok());
        if let (Some(uid), Some(gid)) = (uid, gid) {
            return Ok((uid, gid));
        }
    }
    Err(format!("user: unknown user {name}"))
}

/// `/bin/sh -c command`, run as `user` when given (std drops the supplementary
/// groups when root switches user).
fn shell(command: &str, user: Option<(u32, u32)>) -> Command {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c").arg(command);
    if let Some((uid, gid)) = user {
        cmd.gid(gid).uid(uid);
    }
    cmd
}

/// Go's `syscall.Signal.String()` on Linux, for `signal: killed`.
fn signal_name(sig: i32) -> String {
    let name = match sig {
        1 => "hangup",
        2 => "interrupt",
        3 => "quit",
        4 => "illegal instruction",
        5 => "trace/breakpoint trap",
        6 => "aborted",
        7 => "bus error",
        8 => "floating point exception",
        9 => "killed",
        10 => "user defined signal 1",
        11 => "segmentation fault",
        12 => "user defined signal 2",
        13 => "broken pipe",
        14 => "alarm clock",
        15 => "terminated",
        n => return format!("signal {n}"),
    };
    name.to_string()
}

/// The child's status as sops reports it: 0 → success; otherwise `exit status N` (or
/// `signal: NAME`, exit 255) on stderr and the same exit code.
fn child_outcome(status: ExitStatus) -> Outcome {
    if let Some(code) = status.code() {
        if code == 0 {
            return Outcome::Done;
        }
        eprintln!("exit status {code}");
        return Outcome::Code(u8::try_from(code & 0xff).unwrap_or(1));
    }
    let sig = status.signal().unwrap_or(0);
    let core = if status.core_dumped() {
        " (core dumped)"
    } else {
        ""
    };
    eprintln!("signal: {}{core}", signal_name(sig));
    Outcome::Code(255)
}

/// Waits for `child` while `exec-file`'s temporary file exists: Ctrl-C, SIGTERM, SIGHUP
/// and SIGQUIT no longer kill sops-rs before it can remove the file (sops 3.11 dies and
/// leaves it). The terminal delivers SIGINT/SIGQUIT to the child itself; SIGTERM and
/// SIGHUP sent to sops-rs alone are passed on to the child.
fn wait_guarded(mut child: std::process::Child) -> std::io::Result<ExitStatus> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let got = Arc::new(AtomicUsize::new(0));
    let mut ids = Vec::new();
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
        let value = usize::try_from(sig).unwrap_or_default();
        ids.push(signal_hook::flag::register_usize(
            sig,
            Arc::clone(&got),
            value,
        )?);
    }
    let result = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) => {}
            Err(e) => break Err(e),
        }
        let sig = got.swap(0, Ordering::SeqCst);
        let forward = if sig == usize::try_from(SIGTERM).unwrap_or_default() {
            Some(rustix::process::Signal::TERM)
        } else if sig == usize::try_from(SIGHUP).unwrap_or_default() {
            Some(rustix::process::Signal::HUP)
        } else {
            None
        };
        let pid = i32::try_from(child.id())
            .ok()
            .and_then(rustix::process::Pid::from_raw);
        if let (Some(signal), Some(pid)) = (forward, pid) {
            let _ = rustix::process::kill_process(pid, signal);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    for id in ids {
        signal_hook::low_level::unregister(id);
    }
    result
}

/// Runs the command in the foreground (or starts it detached with `--background`).
fn run_child(mut cmd: Command, background: bool) -> Outcome {
    if background {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        return match cmd.spawn() {
            Ok(_) => Outcome::Done,
            Err(e) => Outcome::Failed(Error::Other(format!(
                "fork/exec /bin/sh: {}",
                sops_rs::error::go_io_message(&e)
            ))),
        };
    }
    match cmd.status() {
        Ok(status) => child_outcome(status),
        Err(e) => Outcome::Failed(Error::Other(format!(
            "fork/exec /bin/sh: {}",
            sops_rs::error::go_io_message(&e)
        ))),
    }
}

fn user_flag(parsed: &Parsed) -> Result<Option<(u32, u32)>, Outcome> {
    match parsed.value("user").filter(|u| !u.is_empty()) {
        Some(name) => lookup_user(name)
            .map(Some)
            .map_err(|msg| fatal("EXEC", &msg)),
        None => Ok(None),
    }
}

/// The two positionals of `exec-env`/`exec-file`: the file and the command.
fn file_and_command(parsed: &Parsed) -> Result<(&str, &str), Outcome> {
    match parsed.positionals.as_slice() {
        [f, c] => Ok((f.as_str(), c.as_str())),
        _ => Err(Outcome::Failed(Error::Other(
            "error: missing file to decrypt".into(),
        ))),
    }
}

/// `exec-env FILE COMMAND`.
pub fn run_env(rest: &[String], config_flag: Option<&str>) -> Outcome {
    match exec_env(rest, config_flag) {
        Ok(o) | Err(o) => o,
    }
}

fn exec_env(rest: &[String], config_flag: Option<&str>) -> Result<Outcome, Outcome> {
    let parsed = parse(rest, specs::EXEC_ENV)?;
    let (file, command) = file_and_command(&parsed)?;
    let config = common::load_config(config_flag).map_err(Outcome::Failed)?;
    let store = common::store_for(common::format_for(None, file), config.as_ref())
        .map_err(Outcome::Failed)?;
    let order = order(&parsed)?;
    let background = parsed.switch("background");
    let same_process = parsed.switch("same-process");
    if background {
        log_line(
            "CMD",
            "warning",
            "exec-env's --background option is deprecated and will be removed in a future version of sops",
        );
        if same_process {
            return Err(Outcome::Failed(Error::ConflictingParameters(
                "The --same-process flag cannot be used with --background".into(),
            )));
        }
    }
    let input = common::read_file(file).map_err(|m| common::read_failed(&m))?;
    let mut loaded = ops::load_encrypted_file(&input, store.as_ref()).map_err(Outcome::Failed)?;
    let key = ops::recover_key(&loaded.metadata, &order).map_err(Outcome::Failed)?;
    ops::decrypt_file(&mut loaded, &key, false).map_err(Outcome::Failed)?;
    let entries = sops_rs::execenv::environment(&loaded.tree).map_err(Outcome::Failed)?;
    drop(loaded);
    let user = user_flag(&parsed)?;
    let mut cmd = shell(command, user);
    if parsed.switch("pristine") {
        cmd.env_clear();
    }
    for e in &entries {
        cmd.env(&e.key, e.value.as_str());
    }
    drop(entries);
    if same_process {
        // Only returns on failure.
        let err = cmd.exec();
        return Err(Outcome::Failed(Error::Other(
            sops_rs::error::go_io_message(&err),
        )));
    }
    Ok(run_child(cmd, background))
}

/// `exec-file FILE COMMAND`.
pub fn run_file(rest: &[String], config_flag: Option<&str>) -> Outcome {
    match exec_file(rest, config_flag) {
        Ok(o) | Err(o) => o,
    }
}

fn exec_file(rest: &[String], config_flag: Option<&str>) -> Result<Outcome, Outcome> {
    let parsed = parse(rest, specs::EXEC_FILE)?;
    let (file, command) = file_and_command(&parsed)?;
    let config = common::load_config(config_flag).map_err(Outcome::Failed)?;
    let in_store = common::store_for(
        common::format_for(parsed.value("input-type"), file),
        config.as_ref(),
    )
    .map_err(Outcome::Failed)?;
    let out_store = common::store_for(
        common::format_for(parsed.value("output-type"), file),
        config.as_ref(),
    )
    .map_err(Outcome::Failed)?;
    let order = order(&parsed)?;
    let input = common::read_file(file).map_err(|m| common::read_failed(&m))?;
    let decrypt = DecryptConfig {
        ignore_mac: false,
        order,
        extract: None,
    };
    let plaintext = ops::decrypt(&input, in_store.as_ref(), out_store.as_ref(), &decrypt)
        .map_err(Outcome::Failed)?;
    let background = parsed.switch("background");
    if background {
        log_line(
            "CMD",
            "warning",
            "exec-file's --background option is deprecated and will be removed in a future version of sops",
        );
    }
    let user = user_flag(&parsed)?;
    let name = parsed.value("filename").filter(|s| !s.is_empty());
    if let Some(n) = name
        && (n.contains('/') || n == "." || n == "..")
    {
        return Err(fatal(
            "EXEC",
            &format!("invalid --filename {n:?}: it must be a plain file name"),
        ));
    }
    let dir = tempfile::Builder::new()
        .prefix(".sops")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .map_err(|e| fatal("EXEC", &sops_rs::error::go_io_message(&e)))?;
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
            .map_err(|e| fatal("EXEC", &sops_rs::error::go_io_message(&e)))?;
    }
    let path = if parsed.switch("no-fifo") {
        write_temp_file(dir.path(), name, &plaintext, user)
    } else {
        make_fifo(
            dir.path(),
            name.unwrap_or(FALLBACK_FILENAME),
            plaintext,
            user,
        )
    }
    .map_err(|e| fatal("EXEC", &e))?;
    let command = command.replace("{}", &path.to_string_lossy());
    let outcome = if background {
        run_child(shell(&command, user), true)
    } else {
        match shell(&command, user).spawn().and_then(wait_guarded) {
            Ok(status) => child_outcome(status),
            Err(e) => Outcome::Failed(Error::Other(format!(
                "fork/exec /bin/sh: {}",
                sops_rs::error::go_io_message(&e)
            ))),
        }
    };
    // The directory (and the file or FIFO in it) goes whatever the command did.
    drop(dir);
    Ok(outcome)
}

/// A 0600 regular file holding the plaintext: `--filename`, else `tmp-file<digits>`.
fn write_temp_file(
    dir: &Path,
    name: Option<&str>,
    plaintext: &[u8],
    user: Option<(u32, u32)>,
) -> Result<PathBuf, String> {
    let io = |e: std::io::Error| sops_rs::error::go_io_message(&e);
    let mut attempts = 0;
    let (path, mut file) = loop {
        let candidate = match name {
            Some(n) => dir.join(n),
            None => {
                let mut buf = [0u8; 4];
                getrandom::getrandom(&mut buf).map_err(|e| e.to_string())?;
                dir.join(format!("{FALLBACK_FILENAME}{}", u32::from_le_bytes(buf)))
            }
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&candidate)
        {
            Ok(f) => break (candidate, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && name.is_none() => {
                attempts += 1;
                if attempts > 100 {
                    return Err(io(e));
                }
            }
            Err(e) => return Err(io(e)),
        }
    };
    file.write_all(plaintext).map_err(io)?;
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(&path, Some(uid), Some(gid)).map_err(io)?;
    }
    Ok(path)
}

/// A 0600 FIFO; a thread writes the plaintext once when the command opens it.
fn make_fifo(
    dir: &Path,
    name: &str,
    plaintext: Zeroizing<Vec<u8>>,
    user: Option<(u32, u32)>,
) -> Result<PathBuf, String> {
    use rustix::fs::{CWD, Mode, mkfifoat};
    let path = dir.join(name);
    mkfifoat(CWD, &path, Mode::RUSR | Mode::WUSR).map_err(|e| {
        sops_rs::error::go_io_message(&std::io::Error::from_raw_os_error(e.raw_os_error()))
    })?;
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(&path, Some(uid), Some(gid))
            .map_err(|e| sops_rs::error::go_io_message(&e))?;
    }
    let writer_path: OsString = path.clone().into_os_string();
    // Opening a FIFO for writing blocks until a reader comes; if the command never
    // reads it, the thread simply ends with the process.
    std::thread::spawn(move || {
        if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&writer_path) {
            let _ = f.write_all(&plaintext);
        }
    });
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_names_like_go() {
        assert_eq!(signal_name(9), "killed");
        assert_eq!(signal_name(15), "terminated");
        assert_eq!(signal_name(40), "signal 40");
    }

    #[test]
    fn unknown_user_is_go_message() {
        assert_eq!(
            lookup_user("no-such-user-sops-rs").unwrap_err(),
            "user: unknown user no-such-user-sops-rs"
        );
        assert_eq!(lookup_user("root").unwrap(), (0, 0));
    }

    #[test]
    fn temp_file_is_private_and_named() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = write_temp_file(dir.path(), None, b"secret", None).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("tmp-file"));
        assert!(name["tmp-file".len()..].chars().all(|c| c.is_ascii_digit()));
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read(&p).unwrap(), b"secret");
        let q = write_temp_file(dir.path(), Some("x.json"), b"s", None).unwrap();
        assert_eq!(q, dir.path().join("x.json"));
        assert!(write_temp_file(dir.path(), Some("x.json"), b"s", None).is_err());
    }

    #[test]
    fn fifo_delivers_the_plaintext_once() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let p = make_fifo(dir.path(), "f", Zeroizing::new(b"abc".to_vec()), None).unwrap();
        let mut s = String::new();
        std::fs::File::open(&p)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "abc");
    }

    #[test]
    fn child_status_maps_to_exit_code() {
        let st = Command::new("/bin/sh")
            .args(["-c", "exit 3"])
            .status()
            .unwrap();
        assert!(matches!(child_outcome(st), Outcome::Code(3)));
        let st = Command::new("/bin/sh")
            .args(["-c", "true"])
            .status()
            .unwrap();
        assert!(matches!(child_outcome(st), Outcome::Done));
        let st = Command::new("/bin/sh")
            .args(["-c", "kill -9 $$"])
            .status()
            .unwrap();
        assert!(matches!(child_outcome(st), Outcome::Code(255)));
    }
}
