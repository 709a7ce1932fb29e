//! `sops-rs install-hook [--force] [--git-config]`: a plain `.git/hooks/pre-commit` calling the guard.
//!
//! The hook path comes from `git rev-parse --git-path` (worktrees and
//! `core.hooksPath` work); an existing different hook is kept unless `--force`.
//! `--git-config` also registers the diff (textconv) and merge drivers.

use std::path::Path;
use std::process::Command;

use sops_rs::error::{Error, Result};
use sops_rs::guard::git;

use crate::flags::{FlagSpec, Parsed};

/// `install-hook` flags.
pub const FLAGS: &[FlagSpec] = &[
    FlagSpec {
        names: &["force", "f"],
        takes_value: false,
        env: None,
        repeatable: false,
    },
    FlagSpec {
        names: &["git-config"],
        takes_value: false,
        env: None,
        repeatable: false,
    },
];

/// Single-quotes `s` for a POSIX shell.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The hook script for the binary at `exe`.
pub fn hook_script(exe: &str) -> String {
    format!(
        "#!/bin/sh\n# Installed by `sops-rs install-hook`: refuses commits that would add secrets in clear text.\nexec {} pre-commit\n",
        sh_quote(exe)
    )
}

/// Installs the hook; returns the exit status.
pub fn run(parsed: &Parsed) -> Result<u8> {
    let cwd = std::env::current_dir()
        .map_err(|e| Error::Other(format!("cannot determine the current directory: {e}")))?;
    let root = git::toplevel(&cwd)
        .ok_or_else(|| Error::Other("sops-rs install-hook: not inside a git repository".into()))?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::Other(format!("cannot find the sops-rs binary: {e}")))?;
    let exe = exe.to_string_lossy().into_owned();
    let hook = git::git_path(&root, "hooks/pre-commit")?;
    let script = hook_script(&exe);
    match std::fs::read(&hook) {
        Ok(existing) if existing == script.as_bytes() => {
            eprintln!(
                "sops-rs: the pre-commit hook is already installed at {}",
                hook.display()
            );
        }
        Ok(_) if !parsed.switch("force") => {
            return Err(Error::Other(format!(
                "sops-rs install-hook: {} already exists and is a different hook; not overwriting it (use --force to replace it)",
                hook.display()
            )));
        }
        _ => {
            write_hook(&hook, &script)?;
            eprintln!(
                "sops-rs: installed the pre-commit hook at {}",
                hook.display()
            );
        }
    }
    if parsed.switch("git-config") {
        let quoted = sh_quote(&exe);
        set_config(
            &root,
            "diff.sopsdiffer.textconv",
            &format!("{quoted} decrypt"),
        )?;
        set_config(
            &root,
            "merge.sops.name",
            "sops-rs key-by-key merge of encrypted files",
        )?;
        set_config(
            &root,
            "merge.sops.driver",
            &format!("{quoted} merge-driver %O %A %B %P"),
        )?;
        eprintln!(
            "sops-rs: configured diff=sopsdiffer and merge=sops; name your files in .gitattributes, e.g. `*.enc.yaml diff=sopsdiffer merge=sops`"
        );
    }
    Ok(0)
}

fn write_hook(hook: &Path, script: &str) -> Result<()> {
    let err = |source| Error::WriteOutput {
        path: hook.to_path_buf(),
        source,
    };
    if let Some(dir) = hook.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    std::fs::write(hook, script).map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(hook, std::fs::Permissions::from_mode(0o755)).map_err(err)?;
    }
    Ok(())
}

fn set_config(root: &Path, key: &str, value: &str) -> Result<()> {
    let status = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["config", key, value])
        .status()
        .map_err(|e| Error::Other(format!("git config failed: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Other(format!("git config {key} failed")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_quotes_the_binary_path() {
        let s = hook_script("/opt/it's here/sops-rs");
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.contains("exec '/opt/it'\\''s here/sops-rs' pre-commit\n"));
    }
}
