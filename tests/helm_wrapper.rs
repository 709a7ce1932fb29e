//! `sops-rs helm`: runs a stand-in `helm` (a script that reads every `-f` file
//! the way helm does, reports its content and whether it was a regular file,
//! and exits with a chosen code) and checks that decrypted values reach it in
//! order through pipes, that no plaintext lands in a regular file anywhere we
//! can look, that helm's exit code comes back, and that SIGTERM/SIGINT leave
//! nothing behind.

mod common;

use common::{Sandbox, Tool};
use std::io::BufReader;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Secrets of `examples/secrets.plaintext.yaml` that must never be found in a file.
const CANARIES: &[&str] = &[
    "demo-Adm1n-pa55word",
    "demo-oauth-client-secret-4f9c2e",
    "demo0webhook0token",
];

const STANDIN: &str = r#"#!/bin/bash
# Stand-in helm: prints each -f file (in command-line order) with whether it is
# a regular file, then its content; other arguments as ARG lines.
[ -n "${STANDIN_SLEEP_FIRST:-}" ] && { echo READY-EARLY; sleep "$STANDIN_SLEEP_FIRST"; }
n=0
show() {
    local f="$1" kind=other
    [ -f "$f" ] && kind=regular
    [ -p "$f" ] && kind=fifo
    echo "FILE $n $kind $f"
    cat -- "$f" || echo "UNREADABLE"
    echo "END $n"
    n=$((n + 1))
}
while [ $# -gt 0 ]; do
    case "$1" in
        -f|--values) list="$2"; shift 2 ;;
        --values=*) list="${1#--values=}"; shift ;;
        -f*) list="${1#-f}"; list="${list#=}"; shift ;;
        *) echo "ARG $1"; shift; continue ;;
    esac
    IFS=, read -ra parts <<< "$list"
    for f in "${parts[@]}"; do show "$f"; done
done
if [ -n "${STANDIN_SLEEP:-}" ]; then
    echo READY
    exec sleep "$STANDIN_SLEEP"
fi
exit "${STANDIN_EXIT:-0}"
"#;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// A sandbox with the seed fixture, a stand-in helm on PATH, the demo key and a private TMPDIR.
struct Rig {
    sb: Sandbox,
    tmp: PathBuf,
    system_before: Vec<PathBuf>,
}

impl Rig {
    fn new() -> Rig {
        let mut sb = Sandbox::new();
        sb.copy_in(examples().join("values.yaml"), "values.yaml");
        sb.copy_in(examples().join("secrets.yaml"), "secrets.yaml");
        let helm = sb.write("bin/helm", STANDIN);
        std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).unwrap();
        let tmp = sb.path().join("tmp");
        std::fs::create_dir(&tmp).unwrap();
        let path = format!(
            "{}:{}",
            sb.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        sb.set_env("PATH", path);
        sb.set_env("TMPDIR", tmp.display().to_string());
        sb.set_env(
            "SOPS_AGE_KEY_FILE",
            examples().join("demo.agekey").display().to_string(),
        );
        Rig {
            sb,
            tmp,
            system_before: system_leftovers(),
        }
    }

    fn helm(&self, args: &[&str]) -> common::Run {
        let mut all = vec!["helm"];
        all.extend_from_slice(args);
        self.sb.run(Tool::SopsRs, all)
    }

    fn spawn_helm(&self, args: &[&str], env: &[(&str, &str)]) -> Child {
        let mut cmd = self.sb.command(Tool::SopsRs);
        cmd.arg("helm").args(args).stdout(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.spawn().unwrap()
    }

    fn decrypted_secrets(&self) -> String {
        self.sb
            .run(Tool::SopsRs, ["-d", "secrets.yaml"])
            .success()
            .stdout_text()
    }

    /// Asserts that no regular file under the sandbox (cwd, TMPDIR) holds a
    /// secret, that TMPDIR is empty again, and that no sops-rs directory is
    /// left in the system temp dir either.
    fn assert_clean(&self) {
        let mut found = Vec::new();
        scan(self.sb.path(), &mut found);
        assert!(found.is_empty(), "plaintext in regular files: {found:?}");
        let left: Vec<_> = std::fs::read_dir(&self.tmp).unwrap().flatten().collect();
        assert!(left.is_empty(), "left in TMPDIR: {left:?}");
        let system: Vec<_> = system_leftovers()
            .into_iter()
            .filter(|p| !self.system_before.contains(p))
            .collect();
        assert!(system.is_empty(), "left in the system temp dir: {system:?}");
    }
}

/// `sops-rs-helm-*` entries in the system temp dir (others' leftovers are recorded
/// before each test, so only new ones count).
fn system_leftovers() -> Vec<PathBuf> {
    std::fs::read_dir(std::env::temp_dir())
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("sops-rs-helm-"))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

fn scan(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            scan(&path, found);
        } else if meta.is_file() {
            let content =
                String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
            if CANARIES.iter().any(|c| content.contains(c)) {
                found.push(path);
            }
        }
    }
}

/// The `FILE n kind path` blocks the stand-in printed: (kind, path, content).
fn files_seen(stdout: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut lines = stdout.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("FILE ") else {
            continue;
        };
        let mut parts = rest.splitn(3, ' ');
        let n = parts.next().unwrap().to_string();
        let kind = parts.next().unwrap().to_string();
        let path = parts.next().unwrap().to_string();
        let mut content = String::new();
        for l in lines.by_ref() {
            if l == format!("END {n}") {
                break;
            }
            content.push_str(l);
            content.push('\n');
        }
        out.push((kind, path, content));
    }
    out
}

fn read_until(reader: &mut impl std::io::BufRead, marker: &str) -> String {
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
        if line.trim_end() == marker {
            return seen;
        }
    }
    panic!("never saw {marker}; output so far:\n{seen}");
}

fn signal(child: &Child, sig: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_child(child);
    rustix::process::kill_process(pid, sig).unwrap();
}

fn wait_with_timeout(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("sops-rs helm did not exit after the signal");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn decrypted_values_reach_helm_through_pipes_in_order() {
    let rig = Rig::new();
    rig.sb.write("extra.yaml", "extra: true\n");
    let run = rig.helm(&[
        "upgrade",
        "--install",
        "prometheus-stack",
        "prometheus-community/kube-prometheus-stack",
        "-f",
        "values.yaml",
        "-f",
        "secrets.yaml",
        "--values=extra.yaml",
        "-fsecrets.yaml",
        "--values",
        "values.yaml,secrets.yaml",
        "--set",
        "grafana.enabled=true",
    ]);
    run.success();
    let out = run.stdout_text();
    let files = files_seen(&out);
    let plain = rig.decrypted_secrets();
    let values = String::from_utf8(common::read(rig.sb.path().join("values.yaml"))).unwrap();
    let expect = [
        ("regular", values.as_str()),
        ("fifo", plain.as_str()),
        ("regular", "extra: true\n"),
        ("fifo", plain.as_str()),
        ("regular", values.as_str()),
        ("fifo", plain.as_str()),
    ];
    assert_eq!(files.len(), expect.len(), "{out}");
    for ((kind, path, content), (want_kind, want)) in files.iter().zip(expect) {
        assert_eq!(kind, want_kind, "{path}\n{out}");
        assert_eq!(content, want, "{path}");
        if kind == "fifo" {
            assert!(path.starts_with(rig.tmp.to_str().unwrap()), "{path}");
            assert!(!Path::new(path).exists(), "{path} outlived helm");
        }
    }
    for arg in [
        "upgrade",
        "--install",
        "prometheus-stack",
        "prometheus-community/kube-prometheus-stack",
        "--set",
        "grafana.enabled=true",
    ] {
        assert!(
            out.contains(&format!("ARG {arg}\n")),
            "{arg} missing:\n{out}"
        );
    }
    // The content is what the real sops prints for the same file.
    let oracle = rig
        .sb
        .run(Tool::Oracle, ["-d", "secrets.yaml"])
        .success()
        .stdout_text();
    assert_eq!(plain, oracle);
    rig.assert_clean();
}

#[test]
fn plain_files_stdin_and_urls_pass_through_untouched() {
    let rig = Rig::new();
    let run = rig.helm(&[
        "template",
        "-f",
        "values.yaml",
        "-f",
        "https://example.com/v.yaml",
        "-f",
        "missing.yaml",
    ]);
    let out = run.stdout_text();
    assert!(out.contains("FILE 0 regular values.yaml\n"), "{out}");
    assert!(
        out.contains("FILE 1 other https://example.com/v.yaml\n"),
        "{out}"
    );
    assert!(out.contains("FILE 2 other missing.yaml\n"), "{out}");
    assert!(std::fs::read_dir(&rig.tmp).unwrap().next().is_none());
}

#[test]
fn sops_urls_are_decrypted_by_the_wrapper_too() {
    let rig = Rig::new();
    let run = rig.helm(&["template", "-f", "sops://secrets.yaml"]);
    run.success();
    let files = files_seen(&run.stdout_text());
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, "fifo");
    assert_eq!(files[0].2, rig.decrypted_secrets());
    rig.assert_clean();
}

#[test]
fn helms_exit_code_is_returned() {
    let mut rig = Rig::new();
    for code in [0, 1, 7, 42] {
        rig.sb.set_env("STANDIN_EXIT", code.to_string());
        let run = rig.helm(&["upgrade", "-f", "secrets.yaml"]);
        run.code(code);
        rig.assert_clean();
    }
}

#[test]
fn helm_binary_from_flag_and_environment() {
    let mut rig = Rig::new();
    let other = rig
        .sb
        .write("other/helm-other", STANDIN.replace("FILE ", "OTHER "));
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o755)).unwrap();
    let other = other.display().to_string();
    let run = rig.helm(&["--helm-bin", &other, "template", "-f", "values.yaml"]);
    assert!(
        run.success()
            .stdout_text()
            .contains("OTHER 0 regular values.yaml")
    );
    rig.sb.set_env("SOPS_RS_HELM", other.clone());
    let run = rig.helm(&["template", "-f", "values.yaml"]);
    assert!(
        run.success()
            .stdout_text()
            .contains("OTHER 0 regular values.yaml")
    );
    rig.sb.set_env("SOPS_RS_HELM", "/nonexistent/helm");
    let run = rig.helm(&["template", "-f", "secrets.yaml"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("cannot run helm"), "{}", run.stderr);
    rig.assert_clean();
}

#[test]
fn a_file_that_does_not_decrypt_stops_before_helm_runs() {
    let mut rig = Rig::new();
    rig.sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    let run = rig.helm(&["upgrade", "-f", "values.yaml", "-f", "secrets.yaml"]);
    run.code(128);
    assert!(
        run.stderr
            .contains("cannot decrypt the values file secrets.yaml"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stdout_text().contains("FILE"),
        "helm ran: {}",
        run.stdout_text()
    );
    rig.assert_clean();
}

#[test]
fn xdg_runtime_dir_is_preferred_for_the_pipes() {
    let mut rig = Rig::new();
    let runtime = rig.sb.path().join("run");
    std::fs::create_dir(&runtime).unwrap();
    rig.sb
        .set_env("XDG_RUNTIME_DIR", runtime.display().to_string());
    let run = rig.helm(&["template", "-f", "secrets.yaml"]);
    let files = files_seen(&run.success().stdout_text());
    assert!(
        files[0].1.starts_with(runtime.to_str().unwrap()),
        "{files:?}"
    );
    assert!(std::fs::read_dir(&runtime).unwrap().next().is_none());
    rig.assert_clean();
}

/// Signals while helm runs (after it read the pipes) or before it read them.
fn signal_case(sig: rustix::process::Signal, early: bool) {
    let rig = Rig::new();
    let env: &[(&str, &str)] = if early {
        &[("STANDIN_SLEEP_FIRST", "30")]
    } else {
        &[("STANDIN_SLEEP", "30")]
    };
    let mut child = rig.spawn_helm(&["upgrade", "-f", "values.yaml", "-f", "secrets.yaml"], env);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let seen = read_until(&mut stdout, if early { "READY-EARLY" } else { "READY" });
    // While helm runs: one private 0700 directory holding only FIFOs.
    let dirs: Vec<_> = std::fs::read_dir(&rig.tmp).unwrap().flatten().collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let meta = std::fs::metadata(dirs[0].path()).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o700);
    let mut found = Vec::new();
    scan(rig.sb.path(), &mut found);
    assert!(
        found.is_empty(),
        "plaintext in regular files while helm runs: {found:?}"
    );
    let names: Vec<_> = std::fs::read_dir(dirs[0].path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    if early {
        // Not opened yet: the FIFOs wait in the private directory.
        assert_eq!(names.len(), 1, "{names:?}");
    } else {
        assert!(seen.contains("FILE 1 fifo "), "{seen}");
        // Opened and read: each FIFO was unlinked as soon as helm opened it.
        assert!(names.is_empty(), "{names:?}");
    }
    signal(&child, sig);
    let status = wait_with_timeout(&mut child);
    assert_eq!(status.code(), Some(128 + sig.as_raw()), "{status:?}");
    rig.assert_clean();
}

#[test]
fn sigterm_while_helm_runs_leaves_nothing() {
    signal_case(rustix::process::Signal::TERM, false);
}

#[test]
fn sigterm_before_helm_reads_the_pipes_leaves_nothing() {
    signal_case(rustix::process::Signal::TERM, true);
}

#[test]
fn sigint_while_helm_runs_leaves_nothing() {
    signal_case(rustix::process::Signal::INT, false);
}

#[test]
fn no_helm_arguments_still_runs_helm() {
    let rig = Rig::new();
    let run = rig.helm(&[]);
    run.success();
    rig.assert_clean();
}

#[test]
fn the_plaintext_scan_itself_finds_a_leaked_file() {
    // The rig must be able to fail: a decrypted copy anywhere under the sandbox is found.
    let rig = Rig::new();
    let plain = rig.decrypted_secrets();
    rig.sb.write("tmp/deep/leak.yaml", &plain);
    let mut found = Vec::new();
    scan(rig.sb.path(), &mut found);
    assert_eq!(found, [rig.tmp.join("deep/leak.yaml")]);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rig.assert_clean()));
    assert!(caught.is_err());
}
