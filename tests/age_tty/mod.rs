//! Runs sops / sops-rs on a pseudo-terminal to answer their prompts, or with no terminal at all.
//!
//! Python's `pty` module (python3 is on every machine the tests run on) forks the
//! program onto a fresh pseudo-terminal, which becomes its controlling terminal, so
//! `/dev/tty` works as for a user at a shell. Answers are typed only once the program
//! has switched the terminal's echo off (or into raw mode), read from the shared
//! termios state, so the test cannot race the program and can check that nothing was
//! echoed. `setsid -w` gives the opposite case: no controlling terminal.

#![allow(dead_code)]

use std::process::{Command, Stdio};

/// The driver: argv[1] = JSON list of [prompt, answer, mode], the rest = the command.
/// `mode` is "noecho" (wait until echo is off) or "raw" (wait until canonical mode is off).
const DRIVER: &str = r#"
import json, os, pty, select, sys, termios, time
answers = json.loads(sys.argv[1])
argv = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
out = b""
pos = 0
i = 0
deadline = time.time() + 120
def ready(mode):
    lflag = termios.tcgetattr(fd)[3]
    if mode == "raw":
        return not (lflag & termios.ICANON)
    return not (lflag & termios.ECHO)
while True:
    if time.time() > deadline:
        os.kill(pid, 9)
        sys.stderr.write("pty driver: timed out\n")
        break
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    while i < len(answers):
        prompt, answer, mode = answers[i]
        at = out.find(prompt.encode(), pos)
        if at < 0:
            break
        waited = 0
        while not ready(mode) and waited < 300:
            time.sleep(0.05)
            waited += 1
        os.write(fd, answer.encode() + (b"" if mode == "raw" else b"\n"))
        pos = at + len(prompt)
        i += 1
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.stdout.flush()
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"#;

/// What a run on the pseudo-terminal did.
pub struct TtyRun {
    /// Exit code of the program.
    pub code: i32,
    /// Everything the program wrote to the terminal (stdout and stderr together).
    pub transcript: String,
}

impl TtyRun {
    /// Asserts the exit code.
    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code; transcript:\n{}",
            self.transcript
        );
        self
    }

    /// Asserts the transcript contains `text`.
    #[track_caller]
    pub fn shows(&self, text: &str) -> &Self {
        assert!(
            self.transcript.contains(text),
            "the terminal should show {text:?}; transcript:\n{}",
            self.transcript
        );
        self
    }

    /// Asserts the transcript does not contain `text` (e.g. an answer that must not echo).
    #[track_caller]
    pub fn hides(&self, text: &str) -> &Self {
        assert!(
            !self.transcript.contains(text),
            "the terminal must not show {text:?}; transcript:\n{}",
            self.transcript
        );
        self
    }
}

/// A copy of `template` (program, arguments, environment, directory) as a new command.
fn rebuild(template: &Command, wrapper: &[&str]) -> Command {
    let mut cmd = Command::new(wrapper.first().copied().unwrap_or("env"));
    cmd.args(wrapper.iter().skip(1));
    cmd.arg(template.get_program());
    cmd.args(template.get_args());
    cmd.env_clear();
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    if let Some(dir) = template.get_current_dir() {
        cmd.current_dir(dir);
    }
    cmd
}

/// Runs `template` on a new pseudo-terminal, typing `answers` ([prompt, answer, mode]).
pub fn run_in_pty(template: &Command, answers: &[(&str, &str, &str)]) -> TtyRun {
    let script: Vec<[&str; 3]> = answers.iter().map(|(p, a, m)| [*p, *a, *m]).collect();
    let json = serde_json::to_string(&script).unwrap();
    let mut cmd = rebuild(template, &["python3", "-c", DRIVER, &json]);
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 for the pty driver: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("pty driver"),
        "the pty driver failed: {stderr}"
    );
    TtyRun {
        code: out.status.code().unwrap_or(-1),
        transcript: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

/// Runs `template` in a new session without a controlling terminal, stdin closed.
pub fn run_without_tty(template: &Command) -> std::process::Output {
    let mut cmd = rebuild(template, &["setsid", "-w"]);
    cmd.stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run setsid (util-linux): {e}"))
}
