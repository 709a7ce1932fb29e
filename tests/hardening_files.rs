//! Files under faults: owner and mode kept on in-place writes, concurrent
//! read-modify-write runs serialised by the file lock, and output failures
//! (disk full, file size limit, read-only directory, missing directory) that
//! leave the original byte-identical with no temporary file and a clear error.
//!
//! These run as root (as CI does): chown to another user, `mount` inside a
//! private mount namespace (`unshare -m`) for a full tmpfs and a read-only bind
//! mount. The namespace dies with the shell, so nothing leaks onto the host.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{AGE1, Sandbox, Tool};

#[track_caller]
fn require_root() {
    assert!(
        rustix::process::geteuid().is_root(),
        "the hardening tests need root (chown, mount in a private namespace); CI runs them as root"
    );
}

/// A YAML document of about `n` keys (a few dozen bytes each).
fn plain_doc(n: usize) -> String {
    (0..n)
        .map(|i| format!("key_{i}: value-{i}-abcdefghijklmnopqrstuvwxyz\n"))
        .collect()
}

/// `name` encrypted for age1 by sops-rs, in the sandbox.
fn encrypted(sb: &Sandbox, name: &str, plain: &str) -> PathBuf {
    let path = sb.write(name, plain);
    sb.run(Tool::SopsRs, ["-e", "-i", "--age", AGE1, name])
        .success();
    path
}

/// The oracle's decryption of `name` (it must succeed: the MAC is checked).
fn oracle_plain(sb: &Sandbox, name: &str) -> String {
    let run = sb.run(Tool::Oracle, ["-d", name]);
    run.success();
    run.stdout_text()
}

/// Names in `dir` that look like sops-rs temporary files.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".sops-rs-") || n.ends_with(".tmp"))
        .collect()
}

#[test]
fn in_place_writes_keep_owner_group_and_mode() {
    require_root();
    let sb = Sandbox::new();
    let plain = plain_doc(5);
    let path = sb.write("owned.yaml", &plain);
    std::os::unix::fs::chown(&path, Some(1234), Some(1234)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let check = |what: &str| {
        let m = std::fs::metadata(&path).unwrap();
        assert_eq!(
            (m.uid(), m.gid(), m.mode() & 0o7777),
            (1234, 1234, 0o640),
            "owner/mode changed by {what}"
        );
        assert!(temp_files(sb.path()).is_empty(), "temp left by {what}");
    };
    sb.run(Tool::SopsRs, ["-e", "-i", "--age", AGE1, "owned.yaml"])
        .success();
    check("-e -i");
    assert_eq!(oracle_plain(&sb, "owned.yaml"), plain);
    sb.run(
        Tool::SopsRs,
        ["set", "owned.yaml", "[\"added\"]", "\"yes\""],
    )
    .success();
    check("set");
    assert!(oracle_plain(&sb, "owned.yaml").contains("added: \"yes\""));
    sb.run(Tool::SopsRs, ["rotate", "-i", "owned.yaml"])
        .success();
    check("rotate -i");
    sb.run(Tool::SopsRs, ["-d", "-i", "owned.yaml"]).success();
    check("-d -i");
    // Through a symlink the target keeps its owner and the link stays a link.
    let link = sb.path().join("link.yaml");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    sb.run(Tool::SopsRs, ["-e", "-i", "--age", AGE1, "link.yaml"])
        .success();
    check("-e -i through a symlink");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// Runs `n` `set`s of distinct keys (plus `extra` commands) at once on one file.
fn run_concurrently(sb: &Sandbox, commands: &[Vec<String>]) {
    let children: Vec<_> = commands
        .iter()
        .map(|args| {
            let mut cmd = sb.command(Tool::SopsRs);
            cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
            (args.clone(), cmd.spawn().unwrap())
        })
        .collect();
    for (args, child) in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn set_args(file: &str, key: &str, value: &str) -> Vec<String> {
    vec![
        "set".into(),
        file.into(),
        format!("[\"{key}\"]"),
        format!("\"{value}\""),
    ]
}

#[test]
fn concurrent_sets_never_lose_a_change() {
    let sb = Sandbox::new();
    encrypted(&sb, "shared.yaml", "base: present\n");
    const ROUNDS: usize = 4;
    const PARALLEL: usize = 8;
    for round in 0..ROUNDS {
        let commands: Vec<Vec<String>> = (0..PARALLEL)
            .map(|i| set_args("shared.yaml", &format!("r{round}_k{i}"), &format!("v{i}")))
            .collect();
        run_concurrently(&sb, &commands);
        let plain = oracle_plain(&sb, "shared.yaml");
        for r in 0..=round {
            for i in 0..PARALLEL {
                assert!(
                    plain.contains(&format!("r{r}_k{i}: v{i}\n")),
                    "round {round}: r{r}_k{i} was lost:\n{plain}"
                );
            }
        }
        assert!(temp_files(sb.path()).is_empty());
    }
}

#[test]
fn concurrent_mixed_rewrites_never_lose_a_change() {
    let sb = Sandbox::new();
    encrypted(&sb, "mixed.yaml", "base: present\ngone: soon\n");
    let mut commands: Vec<Vec<String>> = (0..6)
        .map(|i| set_args("mixed.yaml", &format!("m{i}"), "x"))
        .collect();
    commands.push(vec!["rotate".into(), "-i".into(), "mixed.yaml".into()]);
    commands.push(vec![
        "unset".into(),
        "mixed.yaml".into(),
        "[\"gone\"]".into(),
    ]);
    commands.push(vec![
        "-i".into(),
        "--set".into(),
        "[\"legacy\"] \"set\"".into(),
        "mixed.yaml".into(),
    ]);
    // updatekeys adds age2 from the config: that change must survive too.
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - age: {AGE1},{}\n", common::AGE2),
    );
    commands.push(vec!["updatekeys".into(), "-y".into(), "mixed.yaml".into()]);
    run_concurrently(&sb, &commands);
    let plain = oracle_plain(&sb, "mixed.yaml");
    for i in 0..6 {
        assert!(plain.contains(&format!("m{i}: x\n")), "m{i} lost:\n{plain}");
    }
    assert!(plain.contains("base: present\n") && plain.contains("legacy: set\n"));
    assert!(!plain.contains("gone"), "the unset was lost:\n{plain}");
    let mut age2 = Sandbox::new();
    age2.use_age_keys(&[2]);
    age2.copy_in(sb.path().join("mixed.yaml"), "mixed.yaml");
    assert_eq!(
        oracle_plain(&age2, "mixed.yaml"),
        plain,
        "updatekeys was lost"
    );
}

#[test]
fn concurrent_in_place_encrypts_encrypt_once() {
    let sb = Sandbox::new();
    let plain = plain_doc(50);
    sb.write("once.yaml", &plain);
    let children: Vec<_> = (0..6)
        .map(|_| {
            let mut cmd = sb.command(Tool::SopsRs);
            cmd.args(["-e", "-i", "--age", AGE1, "once.yaml"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    let codes: Vec<i32> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code().unwrap_or(-1))
        .collect();
    // The first encrypts; every later one reads its result and refuses to
    // encrypt twice (203), rather than each encrypting the plain text it read.
    assert_eq!(codes.iter().filter(|&&c| c == 0).count(), 1, "{codes:?}");
    assert!(codes.iter().all(|&c| c == 0 || c == 203), "{codes:?}");
    assert_eq!(oracle_plain(&sb, "once.yaml"), plain);
}

#[test]
fn set_waits_for_an_open_editor_and_both_changes_survive() {
    let mut sb = Sandbox::new();
    encrypted(&sb, "ed.yaml", "base: present\n");
    let script = sb.write(
        "editor.sh",
        "#!/bin/sh\nprintf 'from_editor: ok\\n' >> \"$1\"\ntouch \"$(dirname \"$0\")/READY\"\n\
         while [ ! -e \"$(dirname \"$0\")/GO\" ]; do sleep 0.05; done\n",
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    sb.set_env("EDITOR", script.display().to_string());
    let mut edit = sb.command(Tool::SopsRs);
    edit.args(["edit", "ed.yaml"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let edit = edit.spawn().unwrap();
    let ready = sb.path().join("READY");
    let start = Instant::now();
    while !ready.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "editor never ran"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut set = sb.command(Tool::SopsRs);
    set.args(set_args("ed.yaml", "from_set", "ok"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut set = set.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        set.try_wait().unwrap().is_none(),
        "set must wait while the editor holds the file"
    );
    std::fs::write(sb.path().join("GO"), "").unwrap();
    let edit = edit.wait_with_output().unwrap();
    assert!(
        edit.status.success(),
        "edit: {}",
        String::from_utf8_lossy(&edit.stderr)
    );
    let set = set.wait_with_output().unwrap();
    assert!(set.status.success());
    let stderr = String::from_utf8_lossy(&set.stderr);
    assert!(
        stderr.contains("waiting for") && stderr.contains("ed.yaml"),
        "the waiting set says why: {stderr}"
    );
    let plain = oracle_plain(&sb, "ed.yaml");
    assert!(
        plain.contains("from_editor: ok") && plain.contains("from_set: ok"),
        "{plain}"
    );
}

/// What one faulty run did, collected inside or outside a mount namespace.
struct Fault {
    code: i32,
    stderr: String,
    unchanged: bool,
    listing: Vec<String>,
}

/// Runs `args` (sops-rs's) in `dir` after `setup` (shell, `$D` = `dir`) in a
/// private mount namespace; `orig` is copied to `$D/$NAME` first.
fn fault_in_namespace(sb: &Sandbox, setup: &str, name: &str, orig: &[u8], args: &[&str]) -> Fault {
    let dir = sb.path().join("ns-dir");
    let out = sb.path().join("ns-out");
    for d in [&dir, &out] {
        let _ = std::fs::remove_dir_all(d);
        std::fs::create_dir(d).unwrap();
    }
    std::fs::write(out.join("orig"), orig).unwrap();
    let script = format!(
        "set -u\n{setup}\ncd \"$D\" || exit 97\n\
         \"$SOPS_RS\" \"$@\" >\"$OUT/stdout\" 2>\"$OUT/stderr\"; echo $? >\"$OUT/rc\"\n\
         cmp -s \"$OUT/orig\" \"$D/$NAME\"; echo $? >\"$OUT/cmp\"\n\
         ls -A \"$D\" >\"$OUT/ls\"\n"
    );
    let template = sb.command(Tool::SopsRs);
    let mut cmd = Command::new("unshare");
    cmd.env_clear();
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.args(["-m", "--propagation", "private", "sh", "-c", &script, "sh"])
        .args(args)
        .env("D", &dir)
        .env("OUT", &out)
        .env("NAME", name)
        .env("SOPS_RS", common::sops_rs_path())
        .current_dir(sb.path())
        .stdin(Stdio::null());
    let status = cmd.output().unwrap();
    let read = |f: &str| {
        std::fs::read_to_string(out.join(f)).unwrap_or_else(|e| {
            panic!(
                "the namespace script did not run ({f}: {e}): {}",
                String::from_utf8_lossy(&status.stderr)
            )
        })
    };
    Fault {
        code: read("rc").trim().parse().unwrap(),
        stderr: read("stderr"),
        unchanged: read("cmp").trim() == "0",
        listing: read("ls").lines().map(str::to_string).collect(),
    }
}

#[track_caller]
fn assert_clean_failure(f: &Fault, name: &str, reason: &str, what_to_do: &str) {
    assert_eq!(f.code, 3, "exit code: {}", f.stderr);
    assert!(f.unchanged, "{name} changed; stderr: {}", f.stderr);
    let strays: Vec<_> = f
        .listing
        .iter()
        .filter(|n| n.contains(".sops-rs-") || n.ends_with(".tmp"))
        .collect();
    assert!(strays.is_empty(), "temporary files left: {strays:?}");
    let first = f.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("Could not write output file: ")
            && first.contains(name)
            && first.contains(reason),
        "message names the file and the reason: {}",
        f.stderr
    );
    assert!(
        f.stderr.contains("hint: nothing was written to") && f.stderr.contains(what_to_do),
        "hint says what to do: {}",
        f.stderr
    );
}

const FULL_TMPFS: &str = "mount -t tmpfs -o size=512k tmpfs \"$D\" || exit 90\n\
     cp \"$OUT/orig\" \"$D/$NAME\"\n\
     dd if=/dev/zero of=\"$D/fill\" bs=4k >/dev/null 2>&1\n\
     true";

const READ_ONLY: &str = "cp \"$OUT/orig\" \"$D/$NAME\"\n\
     mount --bind \"$D\" \"$D\" || exit 91\n\
     mount -o remount,ro,bind \"$D\" || exit 92";

#[test]
fn disk_full_leaves_the_original_and_no_temp_file() {
    require_root();
    let sb = Sandbox::new();
    let plain = plain_doc(200);
    let enc = std::fs::read(encrypted(&sb, "enc.yaml", &plain)).unwrap();
    let scenarios: [(&[u8], &[&str]); 5] = [
        (plain.as_bytes(), &["-e", "-i", "--age", AGE1, "f.yaml"]),
        (&enc, &["-d", "-i", "f.yaml"]),
        (&enc, &["set", "f.yaml", "[\"new\"]", "\"value\""]),
        (&enc, &["rotate", "-i", "f.yaml"]),
        (&enc, &["unset", "f.yaml", "[\"key_3\"]"]),
    ];
    for (orig, args) in scenarios {
        let f = fault_in_namespace(&sb, FULL_TMPFS, "f.yaml", orig, args);
        assert_clean_failure(&f, "f.yaml", "no space left on device", "free some space");
        assert!(f.listing.iter().any(|n| n == "fill"), "{:?}", f.listing);
    }
}

#[test]
fn read_only_directory_leaves_the_original_and_no_temp_file() {
    require_root();
    let sb = Sandbox::new();
    let plain = plain_doc(20);
    let enc = std::fs::read(encrypted(&sb, "enc.yaml", &plain)).unwrap();
    let scenarios: [(&[u8], &[&str]); 3] = [
        (plain.as_bytes(), &["-e", "-i", "--age", AGE1, "f.yaml"]),
        (&enc, &["-d", "-i", "f.yaml"]),
        (&enc, &["set", "f.yaml", "[\"new\"]", "\"value\""]),
    ];
    for (orig, args) in scenarios {
        let f = fault_in_namespace(&sb, READ_ONLY, "f.yaml", orig, args);
        assert_clean_failure(
            &f,
            "f.yaml",
            "read-only file system",
            "remount it read-write",
        );
    }
}

/// Runs sops-rs under `prlimit --fsize=limit` (no `trap`: sops-rs itself
/// catches SIGXFSZ so the write fails with EFBIG instead of killing it).
fn under_file_size_limit(sb: &Sandbox, limit: u64, args: &[&str]) -> common::Run {
    let template = sb.command(Tool::SopsRs);
    let mut cmd = Command::new("prlimit");
    cmd.env_clear();
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.arg(format!("--fsize={limit}"))
        .arg("--")
        .arg(common::sops_rs_path())
        .args(args)
        .current_dir(sb.path())
        .stdin(Stdio::null());
    let out = cmd.output().unwrap();
    common::Run {
        tool: Tool::SopsRs,
        command: format!("{cmd:?}"),
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn file_size_limit_leaves_the_original_and_no_temp_file() {
    let sb = Sandbox::new();
    let plain = plain_doc(300);
    encrypted(&sb, "enc.yaml", &plain);
    let enc = std::fs::read(sb.path().join("enc.yaml")).unwrap();
    sb.write("plain.yaml", &plain);
    // Room for the input, not for the result.
    let cases: [(&str, &[u8], u64, &[&str]); 3] = [
        (
            "plain.yaml",
            plain.as_bytes(),
            plain.len() as u64 + 100,
            &["-e", "-i", "--age", AGE1, "plain.yaml"],
        ),
        (
            "enc.yaml",
            &enc,
            plain.len() as u64 / 2,
            &["-d", "-i", "enc.yaml"],
        ),
        (
            "enc.yaml",
            &enc,
            plain.len() as u64 / 2,
            &["set", "enc.yaml", "[\"n\"]", "1"],
        ),
    ];
    for (name, orig, limit, args) in cases {
        let run = under_file_size_limit(&sb, limit, args);
        let f = Fault {
            code: run.code,
            stderr: run.stderr.clone(),
            unchanged: std::fs::read(sb.path().join(name)).unwrap() == orig,
            listing: std::fs::read_dir(sb.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect(),
        };
        assert_clean_failure(&f, name, "file too large", "ulimit -f");
    }
}

#[test]
fn output_into_a_missing_directory_is_a_clear_error() {
    let sb = Sandbox::new();
    let plain = plain_doc(5);
    encrypted(&sb, "enc.yaml", &plain);
    sb.write("plain.yaml", &plain);
    let before_enc = std::fs::read(sb.path().join("enc.yaml")).unwrap();
    let cases: [&[&str]; 3] = [
        &[
            "-e",
            "--age",
            AGE1,
            "--output",
            "missing/out.yaml",
            "plain.yaml",
        ],
        &["-d", "--output", "missing/out.yaml", "enc.yaml"],
        &["rotate", "--output", "missing/out.yaml", "enc.yaml"],
    ];
    for args in cases {
        let run = sb.run(Tool::SopsRs, args);
        let f = Fault {
            code: run.code,
            stderr: run.stderr.clone(),
            unchanged: std::fs::read(sb.path().join("enc.yaml")).unwrap() == before_enc
                && std::fs::read_to_string(sb.path().join("plain.yaml")).unwrap() == plain,
            listing: std::fs::read_dir(sb.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect(),
        };
        assert_clean_failure(
            &f,
            "missing/out.yaml",
            "no such file or directory",
            "does not exist: create it first",
        );
        assert!(!sb.path().join("missing").exists());
    }
}
