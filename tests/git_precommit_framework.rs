//! The pre-commit framework (from PyPI, installed into `.venv` by
//! `scripts/setup.sh`) runs the hook declared in this repository's
//! `.pre-commit-hooks.yaml` and blocks a commit with a plaintext secret.
//! The hook repository is a local clone-able copy (file://): no network.

mod common;
mod git_rig;

use std::path::{Path, PathBuf};

use git_rig::Repo;

fn pre_commit() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/pre-commit");
    assert!(
        p.is_file(),
        "{} is missing: run scripts/setup.sh (it installs the pre-commit framework)",
        p.display()
    );
    p
}

#[test]
fn framework_runs_the_hook_and_blocks_a_bad_commit() {
    let tool = pre_commit();
    // A hook repository holding exactly this repository's .pre-commit-hooks.yaml.
    let hooks = Repo::new();
    let manifest =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"))
            .unwrap();
    hooks.write(".pre-commit-hooks.yaml", &manifest);
    hooks.commit_all("hooks");
    let rev = hooks.git(&["rev-parse", "HEAD"]).trim().to_string();

    let mut repo = Repo::new();
    // `language: system` finds sops-rs on PATH, as an installed binary would be.
    let bin_dir = common::sops_rs_path().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    repo.sb.set_env("PATH", path);
    repo.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: file://{}\n    rev: {rev}\n    hooks:\n      - id: sops-rs-system\n",
            hooks.path().display()
        ),
    );
    repo.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - path_regex: secrets/.*\n    age: {}\n",
            common::AGE1
        ),
    );
    repo.commit_all("config");
    let install = repo.command(&tool).arg("install").output().unwrap();
    assert!(install.status.success(), "pre-commit install: {install:?}");

    repo.write("secrets/db.yaml", "password: plain-secret-123\n");
    repo.git(&["add", "-A"]);
    let out = repo.git_output(&["commit", "-m", "leak"]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success(),
        "the framework let the leak through: {all}"
    );
    assert!(all.contains("sops-rs guard"), "{all}");
    assert!(
        all.contains("secrets/db.yaml: a .sops.yaml creation rule covers this file"),
        "{all}"
    );
    assert!(!all.contains("plain-secret-123"), "{all}");

    // Encrypted, the same file is committed through the framework.
    repo.write_encrypted("secrets/db.yaml", "password: plain-secret-123\n");
    repo.git(&["add", "-A"]);
    let out = repo.git_output(&["commit", "-m", "encrypted"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
