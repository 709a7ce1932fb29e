//! The Azure CLI credential: `az account get-access-token`, bounded in time.
//!
//! A child process rather than reading the CLI's token cache, because the cache format
//! is private to the CLI and changes between versions; Go's `AzureCLICredential` does the same.

use crate::keys::environment::Environment;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// How long the Azure CLI may take (Go's `AzureCLICredential` allows 10 seconds).
const CLI_TIMEOUT: Duration = Duration::from_secs(10);

/// A token from `az account get-access-token -o json --resource <resource> [--tenant <tenant>]`;
/// `Err` says why the CLI is unavailable.
pub(super) fn token(
    scope: &str,
    tenant: &str,
    env: &Environment,
) -> Result<Zeroizing<String>, String> {
    let resource = scope.strip_suffix("/.default").unwrap_or(scope);
    let Some(az) = find_on_path(env, "az") else {
        return Err("Azure CLI not found on path".into());
    };
    let mut args: Vec<String> = [
        "account",
        "get-access-token",
        "-o",
        "json",
        "--resource",
        resource,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let tenant = Some(tenant.to_string())
        .filter(|t| !t.is_empty())
        .or_else(|| env.var("AZURE_TENANT_ID").filter(|t| !t.is_empty()));
    if let Some(tenant) = tenant {
        args.push("--tenant".into());
        args.push(tenant);
    }
    let mut cmd = env.command(&az.to_string_lossy(), &args, &[]);
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let output = run_with_timeout(cmd, CLI_TIMEOUT)?;
    let stdout = Zeroizing::new(output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
        let why = if stderr.contains("az login") || stderr.contains("az account set") {
            format!("please run 'az login' to set up an account ({stderr})")
        } else {
            format!("az exited with {}: {stderr}", output.status)
        };
        return Err(why);
    }
    super::auth::token_field(&stdout)
        .ok_or_else(|| "unexpected output from 'az account get-access-token'".to_string())
}

fn find_on_path(env: &Environment, program: &str) -> Option<std::path::PathBuf> {
    let path = env.var("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// Waits for `cmd` at most `limit`, killing it afterwards, so a hung `az` cannot hang sops-rs.
fn run_with_timeout(
    mut cmd: std::process::Command,
    limit: Duration,
) -> Result<std::process::Output, String> {
    use std::io::Read;
    let mut child = cmd.spawn().map_err(|e| format!("cannot run az: {e}"))?;
    // Drain both pipes on threads so a chatty child cannot block on a full pipe.
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_end(&mut buf);
        }
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_end(&mut buf);
        }
        buf
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "az did not answer within {} seconds",
                    limit.as_secs()
                ));
            }
            Err(e) => return Err(format!("waiting for az: {e}")),
        }
    };
    Ok(std::process::Output {
        status,
        stdout: out_thread.join().unwrap_or_default(),
        stderr: err_thread.join().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn az_timeout_kills_the_child() {
        let mut cmd = std::process::Command::new("sleep");
        cmd.arg("5")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let start = Instant::now();
        let err = run_with_timeout(cmd, Duration::from_millis(200))
            .err()
            .unwrap();
        assert!(err.contains("did not answer"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn missing_az_is_reported() {
        let env = Environment::from_vars([("PATH", "/nonexistent")]);
        assert_eq!(
            token("https://vault.azure.net/.default", "", &env)
                .err()
                .unwrap(),
            "Azure CLI not found on path"
        );
    }
}
