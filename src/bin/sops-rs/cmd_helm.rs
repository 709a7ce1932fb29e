//! `sops-rs helm [--helm-bin PATH] HELM-ARGS…`: runs helm with every sops-encrypted
//! `-f/--values` file swapped for a FIFO that a thread feeds the decrypted YAML.
//!
//! Why a FIFO in a private 0700 directory and not `/dev/fd/N`: handing an
//! arbitrary fd to a child needs `pre_exec` (unsafe) or a crate doing it for us,
//! and a pipe can be read only once, while a FIFO is just a path helm opens like
//! any file. `mkfifo` comes from rustix (safe API). A FIFO stores nothing on
//! disk: its bytes only ever pass through the kernel's pipe buffer. Each FIFO is
//! unlinked as soon as helm has opened it, the directory is removed when helm
//! exits (any exit path: errors and panics through `TempDir`'s drop, SIGINT,
//! SIGTERM and SIGHUP through signal-hook, which turns them into "forward to
//! helm, wait for it, clean up"). Only SIGKILL can leave an empty directory.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Arc, Mutex, PoisonError};

use rustix::fs::Mode;
use rustix::process::{Pid, Signal, kill_process};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use sops_rs::error::{Error, Result, go_io_message};
use sops_rs::helm::{args, source};
use sops_rs::keys::DecryptionOrder;
use sops_rs::ops::DecryptConfig;
use zeroize::Zeroizing;

/// `sops://` values files are decrypted even when helm's plugin is not installed.
const SOPS_SCHEME: &str = "sops://";

/// Runs helm and returns its exit code (128+N when a signal N ended it).
pub fn run(all: &[String]) -> Result<u8> {
    let (helm_bin, helm_args) = split_helm_bin(all);
    let config = DecryptConfig {
        ignore_mac: false,
        order: match std::env::var("SOPS_DECRYPTION_ORDER") {
            Ok(s) if !s.is_empty() => DecryptionOrder::parse(&s)?,
            _ => DecryptionOrder::default(),
        },
        extract: None,
    };
    // Signals first: a Ctrl-C during decryption must still clean up.
    let guard = SignalGuard::install()?;
    let mut dir: Option<tempfile::TempDir> = None;
    let mut feeds: Vec<(PathBuf, Zeroizing<Vec<u8>>)> = Vec::new();
    // Several values files may share a wrapped key: unwrap it once; the keys
    // are forgotten (zeroized) before helm runs.
    let keys = sops_rs::ops::keycache::KeyCacheScope::enter();
    let rewritten = args::rewrite_values(&helm_args, |file| {
        let Some(plain) = decrypt_if_sops(file, &config)? else {
            return Ok(None);
        };
        if dir.is_none() {
            dir = Some(private_dir()?);
        }
        let base = dir
            .as_ref()
            .map(|d| d.path().to_path_buf())
            .ok_or_else(|| Error::Other("no private directory for helm's pipes".into()))?;
        let fifo = base.join(format!("values-{}.yaml", feeds.len()));
        rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, Mode::RUSR | Mode::WUSR).map_err(|e| {
            Error::Other(format!(
                "cannot create a pipe for helm at {}: {e}",
                fifo.display()
            ))
        })?;
        let arg = fifo.to_string_lossy().into_owned();
        feeds.push((fifo, plain));
        Ok(Some(arg))
    })?;
    drop(keys);
    if let Some(sig) = guard.pending() {
        return Ok(128u8.saturating_add(u8::try_from(sig).unwrap_or(0)));
    }
    for (fifo, plain) in feeds {
        std::thread::spawn(move || feed(&fifo, &plain));
    }
    let child = Command::new(&helm_bin)
        .args(&rewritten)
        .spawn()
        .map_err(|e| {
            Error::Other(format!(
                "cannot run helm ({}): {}",
                helm_bin,
                go_io_message(&e)
            ))
        })?;
    let status = guard.wait(child)?;
    drop(dir);
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code & 0xff).unwrap_or(1),
        (None, Some(sig)) => 128u8.saturating_add(u8::try_from(sig).unwrap_or(0)),
        (None, None) => 1,
    })
}

/// `--helm-bin PATH` (or `=PATH`) before helm's own arguments, else `$SOPS_RS_HELM`, else `helm`.
fn split_helm_bin(all: &[String]) -> (String, Vec<String>) {
    let from_env = || {
        std::env::var("SOPS_RS_HELM")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "helm".to_string())
    };
    match all {
        [flag, bin, rest @ ..] if flag == "--helm-bin" => (bin.clone(), rest.to_vec()),
        [flag, rest @ ..] if flag.starts_with("--helm-bin=") => (
            flag.trim_start_matches("--helm-bin=").to_string(),
            rest.to_vec(),
        ),
        _ => (from_env(), all.to_vec()),
    }
}

/// The decrypted YAML of `file` when it is a sops file (or a `sops://` URL);
/// `None` leaves the argument to helm (plain files, stdin, other URLs, unreadable paths).
fn decrypt_if_sops(file: &str, config: &DecryptConfig) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let (path, forced) = match file.strip_prefix(SOPS_SCHEME) {
        Some(p) => (p, true),
        None => (file, false),
    };
    if path.trim() == "-" || (!forced && path.contains("://")) {
        return Ok(None);
    }
    let input = match std::fs::read(path) {
        Ok(bytes) => Zeroizing::new(bytes),
        Err(e) if forced => {
            return Err(Error::ReadInput {
                path: PathBuf::from(path),
                source: e,
            });
        }
        Err(_) => return Ok(None),
    };
    let format = source::values_format(path);
    if !source::is_encrypted(&input, format) {
        // A `sops://` plain file is still served through a pipe, as the plugin would.
        return Ok(forced.then_some(input));
    }
    source::decrypt_to_yaml(&input, format, config)
        .map(Some)
        .inspect_err(|_| {
            // The error keeps sops's message and exit code; say which file it was about.
            eprintln!("sops-rs helm: cannot decrypt the values file {path}");
        })
}

/// A fresh 0700 directory for the FIFOs: `$XDG_RUNTIME_DIR` (a per-user tmpfs)
/// when set, else the temp dir.
fn private_dir() -> Result<tempfile::TempDir> {
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .unwrap_or_else(std::env::temp_dir);
    tempfile::Builder::new()
        .prefix("sops-rs-helm-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir_in(&base)
        .map_err(|e| {
            Error::Other(format!(
                "cannot create a private directory in {}: {}",
                base.display(),
                go_io_message(&e)
            ))
        })
}

/// Writes `plain` to helm through the FIFO once helm opens it, then unlinks the
/// name so nothing else can open it. If helm never opens it, this thread stays
/// blocked until the process exits (the directory is removed regardless).
fn feed(fifo: &Path, plain: &[u8]) {
    if let Ok(mut pipe) = OpenOptions::new().write(true).open(fifo) {
        let _ = std::fs::remove_file(fifo);
        // A reader that stops early (helm failing) gives EPIPE: nothing to report.
        let _ = pipe.write_all(plain);
    }
}

/// What the signal thread and the main thread share.
#[derive(Default)]
struct SignalState {
    child: Option<Pid>,
    pending: Option<i32>,
}

/// Catches SIGINT/SIGTERM/SIGHUP for the whole run: before helm starts they
/// abort the run (cleanly); while it runs they are forwarded to it.
struct SignalGuard {
    state: Arc<Mutex<SignalState>>,
    handle: signal_hook::iterator::Handle,
}

impl SignalGuard {
    fn install() -> Result<Self> {
        let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])
            .map_err(|e| Error::Other(format!("cannot install signal handlers: {e}")))?;
        let handle = signals.handle();
        let state = Arc::new(Mutex::new(SignalState::default()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for sig in signals.forever() {
                let mut st = shared.lock().unwrap_or_else(PoisonError::into_inner);
                match st.child {
                    Some(pid) => forward(pid, sig),
                    None => st.pending = Some(sig),
                }
            }
        });
        Ok(Self { state, handle })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SignalState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A signal received before helm started.
    fn pending(&self) -> Option<i32> {
        self.lock().pending
    }

    /// Registers the child (forwarding a signal that came in just before) and waits for it.
    fn wait(&self, mut child: Child) -> Result<std::process::ExitStatus> {
        {
            let mut st = self.lock();
            let pid = Pid::from_child(&child);
            st.child = Some(pid);
            if let Some(sig) = st.pending.take() {
                forward(pid, sig);
            }
        }
        let status = child
            .wait()
            .map_err(|e| Error::Other(format!("waiting for helm: {}", go_io_message(&e))));
        self.lock().child = None;
        status
    }
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        self.handle.close();
    }
}

fn forward(pid: Pid, sig: i32) {
    if let Some(signal) = Signal::from_named_raw(sig) {
        let _ = kill_process(pid, signal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn helm_bin_flag_is_taken_only_in_front() {
        let (bin, rest) = split_helm_bin(&strings(&["--helm-bin", "/x/helm", "template", "c"]));
        assert_eq!(bin, "/x/helm");
        assert_eq!(rest, strings(&["template", "c"]));
        let (bin, rest) = split_helm_bin(&strings(&["--helm-bin=/y", "version"]));
        assert_eq!(bin, "/y");
        assert_eq!(rest, strings(&["version"]));
        let (_, rest) = split_helm_bin(&strings(&["template", "--helm-bin", "z"]));
        assert_eq!(rest.len(), 3);
    }

    #[test]
    fn stdin_urls_and_missing_files_are_left_to_helm() {
        let cfg = DecryptConfig::default();
        assert!(decrypt_if_sops("-", &cfg).unwrap().is_none());
        assert!(decrypt_if_sops("https://x/v.yaml", &cfg).unwrap().is_none());
        assert!(
            decrypt_if_sops("/nonexistent/v.yaml", &cfg)
                .unwrap()
                .is_none()
        );
        assert!(decrypt_if_sops("sops:///nonexistent/v.yaml", &cfg).is_err());
    }
}
