//! The environment master keys read (variables, home directory), injectable for tests.
//!
//! Identity discovery depends on many variables (spec §8.2a); passing this value
//! instead of calling `std::env` directly lets tests run in parallel with their
//! own variables without mutating the process environment.

use std::collections::BTreeMap;
use std::process::Command;

/// Where environment variables come from.
#[derive(Clone)]
pub struct Environment {
    fixed: Option<BTreeMap<String, String>>,
}

impl Environment {
    /// The real process environment.
    pub fn from_process() -> Self {
        Environment { fixed: None }
    }

    /// Exactly these variables and no others (child processes get only these too).
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Environment {
            fixed: Some(
                vars.into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
        }
    }

    /// The variable's value; `Some("")` when set but empty (sops distinguishes the two).
    pub fn var(&self, name: &str) -> Option<String> {
        match &self.fixed {
            // `into_string` reuses the buffer, so a secret (SOPS_AGE_KEY) is not copied
            // into memory that would escape zeroization.
            None => std::env::var_os(name).map(|v| {
                v.into_string()
                    .unwrap_or_else(|v| v.to_string_lossy().into_owned())
            }),
            Some(vars) => vars.get(name).cloned(),
        }
    }

    /// Go's `os.UserHomeDir`: `$HOME` (`%USERPROFILE%` on Windows), an error when unset or empty.
    pub fn home_dir(&self) -> Result<String, String> {
        if cfg!(windows) {
            return match self.var("USERPROFILE") {
                Some(h) if !h.is_empty() => Ok(h),
                _ => Err("%userprofile% is not defined".to_string()),
            };
        }
        match self.var("HOME") {
            Some(h) if !h.is_empty() => Ok(h),
            _ => Err("$HOME is not defined".to_string()),
        }
    }

    /// Go's `os.UserConfigDir` (with sops's macOS `XDG_CONFIG_HOME` override).
    pub fn user_config_dir(&self) -> Result<String, String> {
        if cfg!(windows) {
            return match self.var("AppData") {
                Some(d) if !d.is_empty() => Ok(d),
                _ => Err("%AppData% is not defined".to_string()),
            };
        }
        let xdg = self.var("XDG_CONFIG_HOME").filter(|d| !d.is_empty());
        if cfg!(target_os = "macos") {
            if let Some(d) = xdg {
                return Ok(d);
            }
            return self
                .home_dir()
                .map(|h| format!("{h}/Library/Application Support"));
        }
        match xdg {
            Some(d) if d.starts_with('/') => Ok(d),
            Some(_) => Err("path in $XDG_CONFIG_HOME is relative".to_string()),
            None => match self.var("HOME").filter(|h| !h.is_empty()) {
                Some(h) => Ok(format!("{h}/.config")),
                None => Err("neither $XDG_CONFIG_HOME nor $HOME are defined".to_string()),
            },
        }
    }

    /// A command whose environment is this one plus `extra`.
    pub fn command(&self, program: &str, args: &[String], extra: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args);
        if let Some(vars) = &self.fixed {
            cmd.env_clear();
            cmd.envs(vars);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_vars_distinguish_empty_and_unset() {
        let env = Environment::from_vars([("A", ""), ("HOME", "/h")]);
        assert_eq!(env.var("A").as_deref(), Some(""));
        assert_eq!(env.var("B"), None);
        assert_eq!(env.home_dir().unwrap(), "/h");
    }

    #[test]
    fn config_dir_rules() {
        if cfg!(target_os = "macos") {
            return;
        }
        let env = Environment::from_vars([("HOME", "/h")]);
        assert_eq!(env.user_config_dir().unwrap(), "/h/.config");
        let env = Environment::from_vars([("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")]);
        assert_eq!(env.user_config_dir().unwrap(), "/x");
        let env = Environment::from_vars([("HOME", "/h"), ("XDG_CONFIG_HOME", "rel")]);
        assert!(env.user_config_dir().is_err());
        let env = Environment::from_vars([("XDG_CONFIG_HOME", "")]);
        assert_eq!(
            env.user_config_dir().unwrap_err(),
            "neither $XDG_CONFIG_HOME nor $HOME are defined"
        );
        assert_eq!(env.home_dir().unwrap_err(), "$HOME is not defined");
    }

    #[test]
    fn command_gets_only_fixed_vars() {
        let env = Environment::from_vars([("PATH", "/usr/bin:/bin"), ("ONLY", "1")]);
        let out = env.command("env", &[], &[("EXTRA", "2")]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("ONLY=1"));
        assert!(text.contains("EXTRA=2"));
        assert!(!text.contains("HOME="));
    }
}
