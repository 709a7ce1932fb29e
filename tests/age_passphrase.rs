//! Passphrase-protected (scrypt) age identity files, compared with the real sops 3.11.
//!
//! The identity file is `sops-repo/age-test-data/mock_passphrase_protected_identity.age`
//! (passphrase `passphrase`, it holds the identity of `mock_recipient.txt`). Both tools
//! run on a pseudo-terminal and are given the passphrase there, or run without any
//! controlling terminal. `GPG_AGENT_INFO` points nowhere so that sops does not ask a
//! gpg-agent instead of the terminal.

mod age_tty;
mod common;

use age_tty::{run_in_pty, run_without_tty};
use common::{AGE1, Sandbox, Tool, age_key, assert_bytes_eq, read, sops_repo};
use std::path::PathBuf;

const PLAIN: &str = "db:\n    user: admin\n    password: hunter2\nlist:\n    - 1\n    - two\n";
const PROMPT_FILE: &str = "Enter passphrase for identity 'SOPS_AGE_KEY_FILE':";

/// Whether the binary under test is sops-rs, not the oracle standing in for it
/// (`SOPS_RS_BIN=$SOPS_ORACLE`, which checks the rig): sops-rs's additions (the file
/// named in errors, plugin messages shown) are then not expected.
fn testing_sops_rs() -> bool {
    common::sops_rs_path() != common::oracle_path()
}

fn protected() -> PathBuf {
    sops_repo("age-test-data/mock_passphrase_protected_identity.age")
}

fn mock_recipient() -> String {
    String::from_utf8(read(sops_repo("age-test-data/mock_recipient.txt")))
        .unwrap()
        .trim()
        .to_string()
}

/// A sandbox whose only identity source is the protected file in `SOPS_AGE_KEY_FILE`.
fn sandbox() -> Sandbox {
    let mut sb = Sandbox::new();
    sb.set_env("SOPS_AGE_KEY_FILE", protected().display().to_string());
    sb.set_env("GPG_AGENT_INFO", "/nonexistent/S.gpg-agent");
    sb.set_env("TERM", "dumb");
    sb
}

/// `plain.yaml` encrypted by `tool` to `recipients` (comma-separated).
fn encrypted_by(sb: &Sandbox, tool: Tool, recipients: &str, name: &str) -> PathBuf {
    let plain = sb.write("plain.yaml", PLAIN);
    let run = sb.run(
        tool,
        [
            "encrypt",
            "--age",
            recipients,
            "--output",
            name,
            plain.to_str().unwrap(),
        ],
    );
    run.success();
    sb.path().join(name)
}

/// Decrypts `file` with `tool` on a pty, answering `passphrase` to `prompt`; returns the run and the output file.
fn decrypt_on_pty(
    sb: &Sandbox,
    tool: Tool,
    file: &std::path::Path,
    prompt: &str,
    passphrase: &str,
) -> (age_tty::TtyRun, Option<Vec<u8>>) {
    let out = sb.path().join(format!("out-{tool:?}.yaml"));
    let _ = std::fs::remove_file(&out);
    let mut cmd = sb.command(tool);
    cmd.args([
        "decrypt",
        "--output",
        out.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    let run = run_in_pty(&cmd, &[(prompt, passphrase, "noecho")]);
    (run, std::fs::read(&out).ok())
}

/// Both tools decrypt `file` after being given the passphrase at `prompt`, with the same output.
fn both_decrypt(sb: &Sandbox, file: &std::path::Path, prompt: &str) {
    let (ours, ours_out) = decrypt_on_pty(sb, Tool::SopsRs, file, prompt, "passphrase");
    let (theirs, theirs_out) = decrypt_on_pty(sb, Tool::Oracle, file, prompt, "passphrase");
    theirs.code(0).shows(prompt).hides("passphrase\r");
    ours.code(0).shows(prompt).hides("passphrase\r");
    let ours_out = ours_out.expect("sops-rs wrote no output");
    assert_bytes_eq(
        &ours_out,
        &theirs_out.expect("sops wrote no output"),
        "decrypted",
    );
    assert_bytes_eq(&ours_out, PLAIN.as_bytes(), "decrypted vs plaintext");
}

#[test]
fn key_file_prompt_and_interop_both_ways() {
    let sb = sandbox();
    let recipient = mock_recipient();
    // The real sops wrote it; and sops-rs wrote it: both open both.
    let theirs = encrypted_by(&sb, Tool::Oracle, &recipient, "theirs.enc.yaml");
    let ours = encrypted_by(&sb, Tool::SopsRs, &recipient, "ours.enc.yaml");
    both_decrypt(&sb, &theirs, PROMPT_FILE);
    both_decrypt(&sb, &ours, PROMPT_FILE);
}

#[test]
fn inline_key_command_and_default_file_sources() {
    let mut sb = sandbox();
    let file = encrypted_by(&sb, Tool::Oracle, &mock_recipient(), "f.enc.yaml");
    sb.unset_env("SOPS_AGE_KEY_FILE");
    // The armored file given inline.
    sb.set_env(
        "SOPS_AGE_KEY",
        String::from_utf8(read(protected())).unwrap(),
    );
    both_decrypt(&sb, &file, "Enter passphrase for identity 'SOPS_AGE_KEY':");
    // Printed by a key command.
    sb.unset_env("SOPS_AGE_KEY");
    sb.set_env("SOPS_AGE_KEY_CMD", format!("cat {}", protected().display()));
    both_decrypt(
        &sb,
        &file,
        "Enter passphrase for identity 'SOPS_AGE_KEY_CMD':",
    );
    // The default keys file ($XDG_CONFIG_HOME/sops/age/keys.txt); the prompt names its path.
    sb.unset_env("SOPS_AGE_KEY_CMD");
    let keys = sb.write("home/.config/sops/age/keys.txt", read(protected()));
    both_decrypt(
        &sb,
        &file,
        &format!("Enter passphrase for identity '{}':", keys.display()),
    );
}

#[test]
fn wrong_passphrase_fails_like_sops_and_names_the_file() {
    let sb = sandbox();
    let file = encrypted_by(&sb, Tool::Oracle, &mock_recipient(), "f.enc.yaml");
    let (ours, out) = decrypt_on_pty(&sb, Tool::SopsRs, &file, PROMPT_FILE, "wrong");
    let (theirs, _) = decrypt_on_pty(&sb, Tool::Oracle, &file, PROMPT_FILE, "wrong");
    theirs.code(128).shows("age: incorrect passphrase.");
    ours.code(128)
        .shows("Failed to get the data key required to decrypt the SOPS file.")
        .shows("incorrect passphrase")
        .hides("hunter2");
    if testing_sops_rs() {
        ours.shows("incorrect passphrase for identity file")
            .shows(&protected().display().to_string());
    }
    assert!(out.is_none(), "nothing may be written on failure");
}

#[test]
fn wrong_passphrase_falls_through_to_the_next_key() {
    let mut sb = sandbox();
    // Entry 1 opens only with the protected identity, entry 2 with age1's key.
    let file = encrypted_by(
        &sb,
        Tool::Oracle,
        &format!("{},{AGE1}", mock_recipient()),
        "f.enc.yaml",
    );
    sb.set_env("SOPS_AGE_KEY", String::from_utf8(read(age_key(1))).unwrap());
    for tool in [Tool::SopsRs, Tool::Oracle] {
        let (run, out) = decrypt_on_pty(&sb, tool, &file, PROMPT_FILE, "wrong");
        run.code(0).shows(PROMPT_FILE);
        assert_bytes_eq(&out.unwrap(), PLAIN.as_bytes(), "decrypted");
    }
}

#[test]
fn plain_keys_are_tried_before_asking() {
    let mut sb = sandbox();
    let file = encrypted_by(&sb, Tool::Oracle, &mock_recipient(), "f.enc.yaml");
    sb.set_env(
        "SOPS_AGE_KEY",
        String::from_utf8(read(sops_repo("age-test-data/mock_identity.keys.txt"))).unwrap(),
    );
    // No terminal at all: a prompt would fail the run.
    let ours = run_without_tty(
        sb.command(Tool::SopsRs)
            .args(["decrypt", file.to_str().unwrap()]),
    );
    let theirs = run_without_tty(
        sb.command(Tool::Oracle)
            .args(["decrypt", file.to_str().unwrap()]),
    );
    assert!(
        theirs.status.success(),
        "{}",
        String::from_utf8_lossy(&theirs.stderr)
    );
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    assert_bytes_eq(&ours.stdout, &theirs.stdout, "decrypted");
}

#[test]
fn no_terminal_is_a_clear_error_naming_the_file() {
    let sb = sandbox();
    let file = encrypted_by(&sb, Tool::Oracle, &mock_recipient(), "f.enc.yaml");
    let ours = run_without_tty(
        sb.command(Tool::SopsRs)
            .args(["decrypt", file.to_str().unwrap()]),
    );
    let theirs = run_without_tty(
        sb.command(Tool::Oracle)
            .args(["decrypt", file.to_str().unwrap()]),
    );
    let (ours_err, theirs_err) = (
        String::from_utf8_lossy(&ours.stderr).replace("\n      | ", " "),
        String::from_utf8_lossy(&theirs.stderr).replace("\n      | ", " "),
    );
    assert_eq!(theirs.status.code(), Some(128), "{theirs_err}");
    assert_eq!(ours.status.code(), Some(128), "{ours_err}");
    assert!(ours.stdout.is_empty() && theirs.stdout.is_empty());
    let go = "could not read passphrase: standard input is not a terminal, and /dev/tty is not available: open /dev/tty: no such device or address";
    assert!(theirs_err.contains(go), "{theirs_err}");
    assert!(ours_err.contains(go), "{ours_err}");
    if !testing_sops_rs() {
        return;
    }
    // sops-rs names the file and says what to do.
    assert!(
        ours_err.contains(&format!(
            "failed to decrypt identity file 'SOPS_AGE_KEY_FILE' ({}): ",
            protected().display()
        )),
        "{ours_err}"
    );
    assert!(
        ours_err.contains("run sops-rs from a terminal"),
        "{ours_err}"
    );
}

/// A passphrase-protected `~/.ssh/id_ed25519` (passphrase `sekrit`); returns its recipient.
fn locked_ssh_key(sb: &Sandbox) -> (PathBuf, String) {
    let ssh = sb.path().join("home/.ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    let key = ssh.join("id_ed25519");
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "sekrit", "-C", "test", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen is needed (openssh-client; scripts/setup.sh installs it)");
    assert!(status.success());
    let public = std::fs::read_to_string(ssh.join("id_ed25519.pub")).unwrap();
    (key, public.trim().to_string())
}

#[test]
fn passphrase_protected_ssh_key_is_asked_for_like_sops() {
    let mut sb = sandbox();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    let (key, recipient) = locked_ssh_key(&sb);
    let prompt = format!("Enter passphrase for \"{}\":", key.display());
    for writer in [Tool::Oracle, Tool::SopsRs] {
        let file = encrypted_by(&sb, writer, &recipient, &format!("{writer:?}.enc.yaml"));
        for tool in [Tool::SopsRs, Tool::Oracle] {
            let (run, out) = decrypt_on_pty(&sb, tool, &file, &prompt, "sekrit");
            run.code(0).shows(&prompt).hides("sekrit");
            assert_bytes_eq(&out.unwrap(), PLAIN.as_bytes(), "decrypted");
            let (run, out) = decrypt_on_pty(&sb, tool, &file, &prompt, "wrong");
            run.code(128).shows("failed to decrypt SSH key file");
            assert!(out.is_none());
        }
    }
    // A file for another key never asks; without a terminal the error names the key.
    let file = encrypted_by(&sb, Tool::Oracle, &mock_recipient(), "other.enc.yaml");
    let mine = encrypted_by(&sb, Tool::Oracle, &recipient, "mine.enc.yaml");
    for tool in [Tool::SopsRs, Tool::Oracle] {
        let out = run_without_tty(sb.command(tool).args(["decrypt", file.to_str().unwrap()]));
        let err = String::from_utf8_lossy(&out.stderr).replace("\n      | ", " ");
        assert_eq!(out.status.code(), Some(128), "{err}");
        assert!(
            err.contains("identity did not match any of the recipients"),
            "{err}"
        );
        let out = run_without_tty(sb.command(tool).args(["decrypt", mine.to_str().unwrap()]));
        let err = String::from_utf8_lossy(&out.stderr).replace("\n      | ", " ");
        assert_eq!(out.status.code(), Some(128), "{err}");
        assert!(
            err.contains(&format!(
                "failed to obtain passphrase: could not read passphrase for \"{}\": standard input is not a terminal",
                key.display()
            )),
            "{tool:?}: {err}"
        );
    }
}

/// A fake gpg-agent on a Unix socket: greets, acknowledges options, answers
/// `GET_PASSPHRASE` with `answer`, and records every command it receives.
struct FakeAgent {
    _dir: tempfile::TempDir,
    socket: PathBuf,
    seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl FakeAgent {
    fn start(answer: &'static str) -> FakeAgent {
        use std::io::{BufRead, Write};
        let dir = tempfile::Builder::new().prefix("agent").tempdir().unwrap();
        let socket = dir.path().join("S.gpg-agent");
        let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut w = stream.try_clone().unwrap();
                let mut r = std::io::BufReader::new(stream);
                let _ = w.write_all(b"OK Pleased to meet you\n");
                let mut line = String::new();
                while r.read_line(&mut line).unwrap_or(0) > 0 {
                    let cmd = line.trim_end().to_string();
                    line.clear();
                    let reply = if cmd.starts_with("GET_PASSPHRASE") {
                        format!("{answer}\n")
                    } else {
                        "OK\n".to_string()
                    };
                    log.lock().unwrap().push(cmd);
                    let _ = w.write_all(reply.as_bytes());
                }
            }
        });
        FakeAgent {
            _dir: dir,
            socket,
            seen,
        }
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

#[test]
fn running_gpg_agent_is_asked_first_like_sops() {
    let mut sb = sandbox();
    let file = encrypted_by(&sb, Tool::Oracle, &mock_recipient(), "f.enc.yaml");
    // "passphrase" in hex, then a wrong one, then pinentry cancelled.
    for (answer, ok) in [
        ("OK 70617373706872617365", true),
        ("OK 77726f6e67", false),
        ("ERR 83886179 Operation cancelled <Pinentry>", false),
    ] {
        let agent = FakeAgent::start(answer);
        sb.set_env("GPG_AGENT_INFO", format!("{}:0:1", agent.socket.display()));
        let mut transcripts = Vec::new();
        for tool in [Tool::SopsRs, Tool::Oracle] {
            // No terminal: only the agent can give the passphrase.
            let out = run_without_tty(sb.command(tool).args(["decrypt", file.to_str().unwrap()]));
            let err = String::from_utf8_lossy(&out.stderr).replace("\n      | ", " ");
            if ok {
                assert!(out.status.success(), "{tool:?}: {err}");
                assert_bytes_eq(&out.stdout, PLAIN.as_bytes(), "decrypted");
            } else {
                assert_eq!(out.status.code(), Some(128), "{tool:?}: {err}");
                assert!(
                    err.contains("incorrect passphrase")
                        || err.contains("gpg-agent passphrase request errored: gpgagent: Cancel"),
                    "{tool:?}: {err}"
                );
            }
            transcripts.push(agent.take());
        }
        // The same conversation with the agent, command for command.
        assert_eq!(
            transcripts[0], transcripts[1],
            "sops-rs vs sops for {answer}"
        );
        assert!(
            transcripts[0].contains(&"GET_PASSPHRASE SOPS_AGE_KEY_FILE X Passphrase Enter+passphrase+for+identity+%27SOPS_AGE_KEY_FILE%27%3A".to_string()),
            "{:?}",
            transcripts[0]
        );
    }
}
