//! age plugins through `PATH`, compared with the real sops 3.11 (which runs them too).
//!
//! The plugin is `examples/age-plugin-sopsrstest.rs` (a toy wrap over the real age
//! plugin protocol, built here with cargo). Files encrypted by either tool to a
//! plugin recipient must decrypt with either tool through the plugin identity, and a
//! missing or failing plugin must fail the same way. Its switches (`SOPSRSTEST_*`)
//! are documented in the example.

mod age_tty;
mod common;

use age_tty::{run_in_pty, run_without_tty};
use common::{
    AGE1, Sandbox, Tool, age_key, assert_bytes_eq, assert_same_failure, assert_same_success, read,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const PLAIN: &str = "token: s3cr3t\nnested:\n    list:\n        - a\n        - 2\n";

/// Whether the binary under test is sops-rs, not the oracle standing in for it
/// (`SOPS_RS_BIN=$SOPS_ORACLE`, which checks the rig): sops-rs's additions (the file
/// named in errors, plugin messages shown) are then not expected.
fn testing_sops_rs() -> bool {
    common::sops_rs_path() != common::oracle_path()
}

/// The directory holding the built `age-plugin-sopsrstest`.
fn plugin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "--example",
                "age-plugin-sopsrstest",
                "--message-format=json-render-diagnostics",
                "--manifest-path",
                concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
            ])
            .output()
            .unwrap_or_else(|e| panic!("cannot run cargo to build the test plugin: {e}"));
        assert!(
            out.status.success(),
            "building the test plugin failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let exe = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["target"]["name"] == "age-plugin-sopsrstest")
            .find_map(|v| v["executable"].as_str().map(PathBuf::from))
            .expect("cargo did not report the plugin executable");
        assert!(exe.ends_with("age-plugin-sopsrstest"), "{}", exe.display());
        exe.parent().unwrap().to_path_buf()
    })
}

/// An identity file (and its recipient) for the secret `seed` repeated.
fn identity(seed: u8) -> (String, String) {
    let out = Command::new(plugin_dir().join("age-plugin-sopsrstest"))
        .args(["--generate", &hex::encode([seed; 32])])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let recipient = text
        .lines()
        .find_map(|l| l.strip_prefix("# recipient: "))
        .unwrap()
        .to_string();
    assert!(recipient.starts_with("age1sopsrstest1"), "{recipient}");
    (text, recipient)
}

fn path_with_plugin() -> String {
    format!(
        "{}:{}",
        plugin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// A sandbox with the plugin on PATH, its identity (seed 1) as the only key, and a log.
fn sandbox() -> (Sandbox, String) {
    let mut sb = Sandbox::new();
    let (keys, recipient) = identity(1);
    let file = sb.write("plugin.keys.txt", keys);
    sb.set_env("SOPS_AGE_KEY_FILE", file.display().to_string());
    sb.set_env("PATH", path_with_plugin());
    sb.set_env(
        "SOPSRSTEST_LOG",
        sb.path().join("plugin.log").display().to_string(),
    );
    sb.set_env("GPG_AGENT_INFO", "/nonexistent/S.gpg-agent");
    sb.set_env("TERM", "dumb");
    (sb, recipient)
}

fn plugin_log(sb: &Sandbox) -> String {
    std::fs::read_to_string(sb.path().join("plugin.log")).unwrap_or_default()
}

fn clear_log(sb: &Sandbox) {
    let _ = std::fs::remove_file(sb.path().join("plugin.log"));
}

/// `plain.yaml` encrypted by `tool` to `recipients`, written to `name`.
fn encrypt(sb: &Sandbox, tool: Tool, recipients: &str, name: &str) -> PathBuf {
    let plain = sb.write("plain.yaml", PLAIN);
    sb.run(
        tool,
        [
            "encrypt",
            "--age",
            recipients,
            "--output",
            name,
            plain.to_str().unwrap(),
        ],
    )
    .success();
    sb.path().join(name)
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn encrypt_and_decrypt_through_the_plugin_both_ways_with_sops() {
    let (sb, recipient) = sandbox();
    for writer in [Tool::SopsRs, Tool::Oracle] {
        clear_log(&sb);
        let file = encrypt(&sb, writer, &recipient, &format!("{writer:?}.enc.yaml"));
        assert_eq!(plugin_log(&sb), "recipient-v1\n", "{writer:?} wrapped");
        let text = String::from_utf8(read(&file)).unwrap();
        assert!(text.contains(&format!("recipient: {recipient}")), "{text}");
        let (ours, theirs) = sb.run_both(&["decrypt", arg(&file)]);
        assert_same_success(&ours, &theirs);
        assert_bytes_eq(&ours.stdout, PLAIN.as_bytes(), "decrypted");
        assert_eq!(plugin_log(&sb), "recipient-v1\nidentity-v1\nidentity-v1\n");
    }
}

#[test]
fn another_identity_of_the_plugin_does_not_open_it() {
    let (mut sb, recipient) = sandbox();
    let file = encrypt(&sb, Tool::SopsRs, &recipient, "f.enc.yaml");
    let other = sb.write("other.keys.txt", identity(2).0);
    sb.set_env("SOPS_AGE_KEY_FILE", arg(&other));
    let (ours, theirs) = sb.run_both(&["decrypt", arg(&file)]);
    assert_same_failure(&ours, &theirs);
    assert_eq!(ours.stderr, theirs.stderr);
    assert!(
        ours.stderr
            .contains("no identity matched any of the recipients")
            || ours.stderr.contains("incorrect identity"),
        "{}",
        ours.describe()
    );
}

#[test]
fn plugin_messages_go_to_stderr() {
    let (mut sb, recipient) = sandbox();
    sb.set_env("SOPSRSTEST_MESSAGE", "please touch the test token");
    let file = encrypt(&sb, Tool::Oracle, &recipient, "f.enc.yaml");
    let (ours, theirs) = sb.run_both(&["decrypt", arg(&file)]);
    assert_same_success(&ours, &theirs);
    // sops logs plugin messages at info level, which it hides by default; sops-rs
    // shows them, as the age CLI does, since they may ask for a physical action.
    if !testing_sops_rs() {
        return;
    }
    assert!(
        ours.stderr
            .contains("age: sopsrstest plugin: please touch the test token"),
        "{}",
        ours.describe()
    );
}

#[test]
fn missing_plugin_fails_like_sops() {
    let (mut sb, recipient) = sandbox();
    let file = encrypt(&sb, Tool::Oracle, &recipient, "f.enc.yaml");
    sb.set_env("PATH", std::env::var("PATH").unwrap_or_default());
    let plain = sb.write("plain.yaml", PLAIN);
    let (ours, theirs) = sb.run_both(&["encrypt", "--age", &recipient, arg(&plain)]);
    assert_same_failure(&ours, &theirs);
    assert_eq!(ours.stderr, theirs.stderr);
    assert!(ours.stderr.contains(
        "sopsrstest plugin: couldn't start plugin: \"sopsrstest\" plugin not found: exec: \"age-plugin-sopsrstest\": executable file not found in $PATH"
    ), "{}", ours.describe());
    let (ours, theirs) = sb.run_both(&["decrypt", arg(&file)]);
    ours.code(128);
    assert_same_failure(&ours, &theirs);
    assert_eq!(ours.stderr, theirs.stderr);
}

#[test]
fn failing_plugin_reports_like_sops() {
    let (mut sb, recipient) = sandbox();
    let file = encrypt(&sb, Tool::Oracle, &recipient, "f.enc.yaml");
    sb.set_env("SOPSRSTEST_FAIL", "unwrap");
    let (ours, theirs) = sb.run_both(&["decrypt", arg(&file)]);
    ours.code(128);
    assert_same_failure(&ours, &theirs);
    assert_eq!(ours.stderr, theirs.stderr);
    assert!(
        ours.stderr
            .contains("sopsrstest plugin: refusing to unwrap")
    );
    sb.set_env("SOPSRSTEST_FAIL", "wrap");
    let plain = sb.write("plain.yaml", PLAIN);
    let (ours, theirs) = sb.run_both(&["encrypt", "--age", &recipient, arg(&plain)]);
    assert_same_failure(&ours, &theirs);
    assert_eq!(ours.stderr, theirs.stderr);
    assert!(ours.stderr.contains(
        "failed to wrap key for recipient #0: sopsrstest plugin: refusing to wrap (SOPSRSTEST_FAIL=wrap)"
    ));
}

#[test]
fn failing_plugin_falls_through_to_another_key() {
    let (mut sb, recipient) = sandbox();
    // The plugin's entry comes first; age1's key opens the second one.
    let file = encrypt(
        &sb,
        Tool::Oracle,
        &format!("{recipient},{AGE1}"),
        "f.enc.yaml",
    );
    let keys = format!(
        "{}\n{}",
        String::from_utf8(read(sb.path().join("plugin.keys.txt"))).unwrap(),
        String::from_utf8(read(age_key(1))).unwrap()
    );
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb.set_env("SOPS_AGE_KEY", keys);
    sb.set_env("SOPSRSTEST_FAIL", "unwrap");
    let (ours, theirs) = sb.run_both(&["decrypt", arg(&file)]);
    assert_same_success(&ours, &theirs);
    assert_bytes_eq(&ours.stdout, PLAIN.as_bytes(), "decrypted");
    // And a missing plugin too.
    sb.set_env("PATH", std::env::var("PATH").unwrap_or_default());
    let (ours, theirs) = sb.run_both(&["decrypt", arg(&file)]);
    assert_same_success(&ours, &theirs);
}

#[test]
fn plugin_asks_for_a_pin_on_the_terminal() {
    let (mut sb, recipient) = sandbox();
    let file = encrypt(&sb, Tool::Oracle, &recipient, "f.enc.yaml");
    sb.set_env("SOPSRSTEST_PIN", "4321");
    let prompt = "Enter PIN for sopsrstest:";
    for tool in [Tool::SopsRs, Tool::Oracle] {
        let out = sb.path().join(format!("out-{tool:?}.yaml"));
        let mut cmd = sb.command(tool);
        cmd.args(["decrypt", "--output", arg(&out), arg(&file)]);
        run_in_pty(&cmd, &[(prompt, "4321", "noecho")])
            .code(0)
            .shows(prompt)
            .hides("4321");
        assert_bytes_eq(&read(&out), PLAIN.as_bytes(), "decrypted");
        let mut cmd = sb.command(tool);
        cmd.args(["decrypt", arg(&file)]);
        run_in_pty(&cmd, &[(prompt, "0000", "noecho")])
            .code(128)
            .shows("sopsrstest plugin: wrong PIN")
            .hides("s3cr3t");
    }
}

#[test]
fn plugin_pin_without_a_terminal_fails_like_sops() {
    let (mut sb, recipient) = sandbox();
    let file = encrypt(&sb, Tool::Oracle, &recipient, "f.enc.yaml");
    sb.set_env("SOPSRSTEST_PIN", "4321");
    for tool in [Tool::SopsRs, Tool::Oracle] {
        let out = run_without_tty(sb.command(tool).args(["decrypt", arg(&file)]));
        let err = String::from_utf8_lossy(&out.stderr).replace("\n      | ", " ");
        assert_eq!(out.status.code(), Some(128), "{tool:?}: {err}");
        assert!(
            err.contains("sopsrstest plugin: no PIN given"),
            "{tool:?}: {err}"
        );
        // sops logs this warning at info level, hidden by default; sops-rs shows it.
        if tool == Tool::SopsRs && testing_sops_rs() {
            assert!(
                err.contains("could not read value for age-plugin-sopsrstest: standard input is not a terminal, and /dev/tty is not available"),
                "{tool:?}: {err}"
            );
        }
    }
}

#[test]
fn key_command_output_may_hold_plugin_identities_and_sees_the_recipient() {
    let (mut sb, recipient) = sandbox();
    let file = encrypt(&sb, Tool::Oracle, &recipient, "f.enc.yaml");
    let keys = sb.path().join("plugin.keys.txt");
    let seen = sb.path().join("seen");
    let script = sb.write(
        "keycmd.sh",
        format!(
            "echo \"[$SOPS_AGE_RECIPIENT]\" >> {}\ncat {}\n",
            seen.display(),
            keys.display()
        ),
    );
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb.set_env("SOPS_AGE_KEY_CMD", format!("sh {}", script.display()));
    let (ours, theirs) = sb.run_both(&["decrypt", arg(&file)]);
    assert_same_success(&ours, &theirs);
    // Both pass the recipient being decrypted to the command (the reference binary
    // has this change that came after the v3.11.0 tag).
    assert_eq!(
        std::fs::read_to_string(&seen).unwrap(),
        format!("[{recipient}]\n[{recipient}]\n")
    );
}

#[test]
fn plugin_confirmation_and_public_value_on_the_terminal() {
    let (mut sb, recipient) = sandbox();
    let file = encrypt(&sb, Tool::Oracle, &recipient, "f.enc.yaml");
    sb.set_env("SOPSRSTEST_CONFIRM", "1");
    sb.set_env("SOPSRSTEST_PUBLIC", "blue");
    let confirm = "Use the test token? (press [1] for \"yes\" or [2] for \"no\")";
    let label = "Enter the test label:";
    for tool in [Tool::SopsRs, Tool::Oracle] {
        let mut cmd = sb.command(tool);
        cmd.args(["decrypt", arg(&file)]);
        // A key that is not a choice is ignored, then [1] selects "yes".
        run_in_pty(
            &cmd,
            &[
                (confirm, "x", "raw"),
                (confirm, "1", "raw"),
                (label, "blue", "noecho"),
            ],
        )
        .code(0)
        .shows(confirm)
        .shows(label)
        .shows("s3cr3t");
        run_in_pty(&cmd, &[(confirm, "2", "raw")])
            .code(128)
            .shows("sopsrstest plugin: declined");
        run_in_pty(&cmd, &[(confirm, "1", "raw"), (label, "red", "noecho")])
            .code(128)
            .shows("sopsrstest plugin: wrong label");
    }
}
