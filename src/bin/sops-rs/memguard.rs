//! Keeps secrets out of core dumps and other processes' reach, set once at start-up.
//!
//! Why both calls, through rustix's safe wrappers (we forbid `unsafe`):
//! `RLIMIT_CORE` 0 stops the kernel writing a core file, and
//! `PR_SET_DUMPABLE` 0 also covers core pipes (`systemd-coredump` ignores the
//! limit), makes `/proc/<pid>/mem`, `environ` and `fd` root-only and refuses
//! `ptrace` attaches from other same-user processes. Only the soft core limit is
//! lowered: children inherit it (the editor, `exec-env` commands hold the same
//! secrets) but may raise it again up to the unchanged hard limit. The dumpable
//! flag is per process image and reset by `execve`, so the editor, gpg, age
//! plugins and `exec-*` commands run normally; sops-rs hands them plaintext
//! through pipes, FIFOs and files in private directories, never `/proc/<pid>/fd`
//! paths, which non-dumpable would break.
//!
//! SIGXFSZ (file size limit reached) is caught too, so a write over
//! `ulimit -f` fails with EFBIG and the temporary file is cleaned up, instead of
//! the process being killed mid-write.

use rustix::process::{DumpableBehavior, Resource, Rlimit};

/// Disables core dumps and ptrace for this process; failures are reported
/// once on stderr and do not stop the command (sops has no such protection).
pub fn protect_process() {
    let core = rustix::process::getrlimit(Resource::Core);
    let lowered = Rlimit {
        current: Some(0),
        maximum: core.maximum,
    };
    if let Err(e) = rustix::process::setrlimit(Resource::Core, lowered) {
        eprintln!("sops-rs: warning: cannot disable core dumps (RLIMIT_CORE): {e}");
    }
    if let Err(e) = rustix::process::set_dumpable_behavior(DumpableBehavior::NotDumpable) {
        eprintln!("sops-rs: warning: cannot mark the process non-dumpable: {e}");
    }
    let xfsz = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    if let Err(e) = signal_hook::flag::register(signal_hook::consts::SIGXFSZ, xfsz) {
        eprintln!("sops-rs: warning: cannot catch SIGXFSZ: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_protection_no_core_and_not_dumpable() {
        let hard_before = rustix::process::getrlimit(Resource::Core).maximum;
        protect_process();
        let now = rustix::process::getrlimit(Resource::Core);
        assert_eq!(now.current, Some(0));
        assert_eq!(now.maximum, hard_before, "the hard limit stays as it was");
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            DumpableBehavior::NotDumpable
        );
        // A child inherits the soft limit of 0.
        let out = std::process::Command::new("sh")
            .args(["-c", "ulimit -c"])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
    }
}
