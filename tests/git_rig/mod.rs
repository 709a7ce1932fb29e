//! Real git repositories in temp dirs for the git integration tests: a
//! [`Sandbox`] (clean environment, own HOME) with `git init` done, an
//! identity set and helpers to stage, commit and run sops-rs or the real sops.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{AGE1, Run, Sandbox, Tool, sops_rs_path};

/// A git repository inside a sandbox.
pub struct Repo {
    /// The sandbox (its directory is the work tree).
    pub sb: Sandbox,
}

impl Repo {
    /// `git init -b main` with a local identity; age1 is the decryption key.
    pub fn new() -> Repo {
        let mut sb = Sandbox::new();
        sb.set_env("GIT_CONFIG_NOSYSTEM", "1");
        let repo = Repo { sb };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Test"]);
        repo.git(&["config", "user.email", "test@example.com"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    /// The work tree.
    pub fn path(&self) -> &Path {
        self.sb.path()
    }

    /// Any program with the sandbox environment, in the work tree.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let template = self.sb.command(Tool::SopsRs);
        let mut cmd = Command::new(program);
        cmd.env_clear();
        for (k, v) in template.get_envs() {
            if let Some(v) = v {
                cmd.env(k, v);
            }
        }
        cmd.current_dir(self.path());
        cmd
    }

    /// A git command with the sandbox environment, in the work tree.
    pub fn git_command(&self, args: &[&str]) -> Command {
        let mut git = self.command("git");
        git.args(args);
        git
    }

    /// Runs git, whatever its status.
    pub fn git_output(&self, args: &[&str]) -> Output {
        self.git_command(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run git {args:?}: {e}"))
    }

    /// Runs git and fails the test unless it succeeds; returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Writes a file in the work tree.
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) {
        self.sb.write(name, content);
    }

    /// Reads a file of the work tree.
    pub fn read(&self, name: &str) -> Vec<u8> {
        crate::common::read(self.path().join(name))
    }

    /// Encrypts `plain` (a YAML/JSON/… text) for age1 into `name`.
    pub fn write_encrypted(&self, name: &str, plain: &str) {
        let tmp = format!(".tmp-plain-{}", name.replace('/', "_"));
        self.write(&tmp, plain);
        let run = self.sops_rs(&["encrypt", "--age", AGE1, "--filename-override", name, &tmp]);
        run.success();
        std::fs::remove_file(self.path().join(&tmp)).unwrap();
        self.write(name, &run.stdout);
    }

    /// Runs sops-rs in the work tree.
    pub fn sops_rs(&self, args: &[&str]) -> Run {
        self.sb.run(Tool::SopsRs, args)
    }

    /// Runs the real sops in the work tree.
    pub fn oracle(&self, args: &[&str]) -> Run {
        self.sb.run(Tool::Oracle, args)
    }

    /// Stages everything and commits without hooks.
    pub fn commit_all(&self, msg: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "-m", msg]);
    }

    /// The absolute path of the sops-rs binary under test.
    pub fn bin(&self) -> String {
        sops_rs_path().display().to_string()
    }
}
