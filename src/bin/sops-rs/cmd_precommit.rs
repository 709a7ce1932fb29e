//! `sops-rs pre-commit [FILE…]`: the guard that refuses commits with secrets in clear text.
//!
//! All checking lives in `sops_rs::guard`; this layer only finds the repository
//! and `.sops.yaml`, prints findings (file, key path, reason — never a value) and
//! chooses the exit status: 0 clean, 1 findings.

use std::path::Path;

use sops_rs::config::{self, Config};
use sops_rs::error::{Error, Result};
use sops_rs::guard::{self, Options, pattern};

use crate::flags::{FlagSpec, Parsed};

/// `pre-commit` flags.
pub const FLAGS: &[FlagSpec] = &[
    FlagSpec {
        names: &["plaintext-pattern"],
        takes_value: true,
        env: None,
        repeatable: true,
    },
    FlagSpec {
        names: &["no-default-patterns"],
        takes_value: false,
        env: None,
        repeatable: false,
    },
];

/// Runs the guard; returns the exit status.
pub fn run(parsed: &Parsed, config_flag: Option<&str>) -> Result<u8> {
    let cwd = std::env::current_dir()
        .map_err(|e| Error::Other(format!("cannot determine the current directory: {e}")))?;
    let root = guard::git::toplevel(&cwd);
    if root.is_none() && parsed.positionals.is_empty() {
        return Err(Error::Other(
            "sops-rs pre-commit: not inside a git repository (pass the files to check)".into(),
        ));
    }
    let root = root.unwrap_or_else(|| cwd.clone());
    let config = match config::find(&root, config_flag.filter(|s| !s.is_empty()).map(Path::new)) {
        Some(path) => Some(Config::load(&path)?),
        None => None,
    };
    let mut patterns: Vec<String> = if parsed.switch("no-default-patterns") {
        Vec::new()
    } else {
        pattern::DEFAULT_PATTERNS
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    patterns.extend(parsed.values("plaintext-pattern").iter().cloned());
    let opts = Options {
        patterns,
        config,
        root,
    };
    let findings = if parsed.positionals.is_empty() {
        guard::check_staged(&opts)?
    } else {
        guard::check_paths(&parsed.positionals, &cwd, &opts)?
    };
    if findings.is_empty() {
        return Ok(0);
    }
    for f in &findings {
        eprintln!("sops-rs pre-commit: {f}");
    }
    eprintln!(
        "sops-rs pre-commit: {} finding(s); commit refused. Encrypt the files with `sops-rs encrypt -i FILE` or unstage them (`git restore --staged FILE`).",
        findings.len()
    );
    Ok(1)
}
