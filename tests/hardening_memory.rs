//! Secrets in memory, seen from outside the process: a running sops-rs (held
//! in `edit` by a blocking editor) has a core-file limit of 0 and is not
//! dumpable (its /proc files belong to root although it runs as another
//! user), while the programs it starts (editor, `exec-env`, `exec-file`
//! commands) are ordinary dumpable processes that can still read what sops-rs
//! hands them.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{AGE1, Sandbox, Tool};

/// The unprivileged user the second half runs as (`nobody`).
const NOBODY: u32 = 65534;

fn wait_for(path: &Path, child: &mut Child) {
    let start = Instant::now();
    while !path.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("sops-rs ended early ({status}) before {}", path.display());
        }
        assert!(start.elapsed() < Duration::from_secs(30), "timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A sandbox with an encrypted `f.yaml`, open to `nobody` when `as_nobody`.
fn setup(as_nobody: bool) -> (Sandbox, PathBuf) {
    let mut sb = Sandbox::new();
    sb.use_age_keys(&[1]);
    sb.write("f.yaml", "secret: hunter2\n");
    sb.run(Tool::SopsRs, ["-e", "-i", "--age", AGE1, "f.yaml"])
        .success();
    let editor = sb.write(
        "editor.sh",
        "#!/bin/sh\nd=$(dirname \"$0\")\n\
         stat -c %u /proc/$$/status > \"$d/editor-proc-owner\"\n\
         ulimit -c > \"$d/editor-core\"\n\
         printf 'more: x\\n' >> \"$1\"\ntouch \"$d/READY\"\n\
         while [ ! -e \"$d/GO\" ]; do sleep 0.05; done\n",
    );
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    sb.set_env("EDITOR", editor.display().to_string());
    if as_nobody {
        std::fs::set_permissions(sb.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        for entry in std::fs::read_dir(sb.path()).unwrap() {
            let p = entry.unwrap().path();
            std::os::unix::fs::chown(&p, Some(NOBODY), Some(NOBODY)).unwrap();
        }
        std::os::unix::fs::chown(sb.path(), Some(NOBODY), Some(NOBODY)).unwrap();
    }
    (sb, editor)
}

/// `sops-rs args` as `nobody` through setpriv (which execs, so the pid is sops-rs's).
fn as_nobody(sb: &Sandbox, args: &[&str]) -> Command {
    let template = sb.command(Tool::SopsRs);
    let mut cmd = Command::new("setpriv");
    cmd.env_clear();
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.args([
        format!("--reuid={NOBODY}"),
        format!("--regid={NOBODY}"),
        "--clear-groups".to_string(),
        "--".to_string(),
    ])
    .arg(common::sops_rs_path())
    .args(args)
    .current_dir(sb.path())
    .stdin(Stdio::null());
    cmd
}

fn core_soft_limit(pid: u32) -> String {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap()
        .to_string();
    line.split_whitespace().nth(4).unwrap().to_string()
}

#[test]
fn a_running_edit_has_no_core_limit_and_children_are_normal() {
    let (sb, _) = setup(false);
    // Start from the highest soft core limit allowed (often the soft limit is
    // already 0, which would prove nothing); sh execs, so the pid is sops-rs's.
    let template = sb.command(Tool::SopsRs);
    let mut cmd = Command::new("sh");
    cmd.env_clear();
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.args([
        "-c",
        "ulimit -S -c \"$(ulimit -H -c)\" && echo \"$(ulimit -S -c)\" > raised && exec \"$0\" edit f.yaml",
    ])
    .arg(common::sops_rs_path())
    .current_dir(sb.path())
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    wait_for(&sb.path().join("READY"), &mut child);
    let raised = std::fs::read_to_string(sb.path().join("raised")).unwrap();
    eprintln!("soft core limit before sops-rs started: {}", raised.trim());
    assert_eq!(core_soft_limit(child.id()), "0", "core dumps must be off");
    std::fs::write(sb.path().join("GO"), "").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The editor inherits the soft limit 0 (it holds the plaintext too).
    let core = std::fs::read_to_string(sb.path().join("editor-core")).unwrap();
    assert_eq!(core.trim(), "0");
    let plain = sb.run(Tool::Oracle, ["-d", "f.yaml"]);
    plain.success();
    assert_eq!(plain.stdout_text(), "secret: hunter2\nmore: x\n");
}

#[test]
fn sops_rs_is_not_dumpable_but_its_children_are() {
    assert!(
        rustix::process::geteuid().is_root(),
        "this test switches to the user nobody with setpriv; CI runs as root"
    );
    let (sb, _) = setup(true);
    let mut cmd = as_nobody(&sb, &["edit", "f.yaml"]);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    wait_for(&sb.path().join("READY"), &mut child);
    let pid = child.id();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    assert!(
        status
            .lines()
            .any(|l| l.starts_with("Uid:") && l.contains(&NOBODY.to_string())),
        "sops-rs runs as nobody: {status}"
    );
    let owner = std::fs::metadata(format!("/proc/{pid}/status"))
        .unwrap()
        .uid();
    assert_eq!(
        owner, 0,
        "a non-dumpable process's /proc files belong to root"
    );
    assert_eq!(core_soft_limit(pid), "0");
    std::fs::write(sb.path().join("GO"), "").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The editor, after execve, is dumpable again: its /proc is its own.
    let editor_owner = std::fs::read_to_string(sb.path().join("editor-proc-owner")).unwrap();
    assert_eq!(editor_owner.trim(), NOBODY.to_string());

    // exec-env's command: dumpable, and it gets the secret.
    let out = as_nobody(
        &sb,
        &[
            "exec-env",
            "f.yaml",
            "stat -c %u /proc/$$/status; printf '%s\\n' \"$secret\"",
        ],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{NOBODY}\nhunter2\n")
    );
    // exec-file's command reads the FIFO sops-rs (non-dumpable) feeds, and
    // the plain file variant too.
    for extra in [None, Some("--no-fifo")] {
        let mut args = vec!["exec-file"];
        args.extend(extra);
        args.extend(["f.yaml", "cat {}"]);
        let out = as_nobody(&sb, &args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "secret: hunter2\nmore: x\n"
        );
    }
}
