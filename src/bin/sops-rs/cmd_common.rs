//! Pieces shared by the key-management and exec subcommands: sops's log-line formats
//! (logrus and Go's `log`), config and store lookup, and reading the input file with
//! sops's wording, so each command module stays about its own behaviour.

use std::io::Write;
use std::path::{Path, PathBuf};

use sops_rs::config::{self, Config};
use sops_rs::error::{Error, Result, go_io_message};
use sops_rs::store::{self, Format, Store, StoreOptions};
use sops_rs::tree::Timestamp;
use zeroize::Zeroizing;

use crate::Outcome;

/// Go `%q` quoting as logrus applies it to a message that needs quotes.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether logrus would quote `s` (anything beyond `[A-Za-z0-9-._/@^+]`).
fn needs_quoting(s: &str) -> bool {
    s.is_empty()
        || s.chars()
            .any(|c| !(c.is_ascii_alphanumeric() || "-._/@^+".contains(c)))
}

/// A logrus text line as sops writes it: `[CMD]\t time="…" level=… msg=…`.
pub fn log_line(prefix: &str, level: &str, msg: &str) {
    let time = Timestamp::now_utc().to_rfc3339();
    let msg = if needs_quoting(msg) {
        go_quote(msg)
    } else {
        msg.to_string()
    };
    eprintln!("[{prefix}]\t time=\"{time}\" level={level} msg={msg}");
}

/// Reports `msg` as sops's fatal log line and ends with exit code 1.
pub fn fatal(prefix: &str, msg: &str) -> Outcome {
    log_line(prefix, "fatal", msg);
    Outcome::Code(1)
}

/// A line in Go's standard `log` format (`2026/11/25 17:36:01 msg`), as `updatekeys` prints.
pub fn go_log(msg: &str) {
    let t = Timestamp::now_utc().to_rfc3339();
    // "2026-11-25T17:36:01Z" → "2026/11/25 17:36:01"
    let stamp: String = t
        .trim_end_matches('Z')
        .chars()
        .map(|c| match c {
            '-' => '/',
            'T' => ' ',
            c => c,
        })
        .collect();
    eprintln!("{stamp} {msg}");
}

/// The current directory, or sops-like error text.
pub fn cwd() -> Result<PathBuf> {
    std::env::current_dir().map_err(|e| {
        Error::Other(format!(
            "cannot determine the current directory: {}",
            go_io_message(&e)
        ))
    })
}

/// The config file (`--config`/`SOPS_CONFIG`, else the nearest `.sops.yaml`), loaded.
pub fn load_config(config_flag: Option<&str>) -> Result<Option<Config>> {
    let cwd = cwd()?;
    match config::find(&cwd, config_flag.filter(|s| !s.is_empty()).map(Path::new)) {
        Some(path) => Config::load(&path).map(Some),
        None => Ok(None),
    }
}

/// The store for `format`, with the config's `stores` options.
pub fn store_for(format: Format, config: Option<&Config>) -> Result<Box<dyn Store>> {
    let stores = config.map(|c| c.stores).unwrap_or_default();
    let indent = match format {
        Format::Yaml => stores.yaml_indent,
        Format::Json => stores.json_indent,
        Format::Binary => stores.json_binary_indent,
        Format::Dotenv | Format::Ini => None,
    };
    store::for_format(format, StoreOptions { indent })
}

/// The format named by a `--input-type`/`--output-type` value, else the one of `path`.
pub fn format_for(type_flag: Option<&str>, path: &str) -> Format {
    type_flag
        .and_then(Format::from_name)
        .unwrap_or_else(|| Format::from_path(path))
}

/// Reads `path` whole; the error text is sops's (`open <path>: …`).
pub fn read_file(path: &str) -> std::result::Result<Zeroizing<Vec<u8>>, String> {
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| format!("open {path}: {}", go_io_message(&e)))
}

/// The input could not be read: sops prints `Error reading file: …` and exits 2.
pub fn read_failed(msg: &str) -> Outcome {
    eprintln!("Error reading file: {msg}");
    Outcome::Code(2)
}

/// Refuses remote key services, which sops-rs does not speak yet.
pub fn refuse_keyservices(parsed: &crate::flags::Parsed) -> Result<()> {
    if parsed.values("keyservice").is_empty() {
        Ok(())
    } else {
        Err(Error::Other(
            "remote key services (--keyservice) are not supported by sops-rs yet".into(),
        ))
    }
}

/// Writes `bytes` to stdout and flushes.
pub fn print_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|source| Error::WriteOutput {
            path: PathBuf::from("/dev/stdout"),
            source,
        })
}

/// Whether sops (fatih/color) would colour stdout: a terminal, `NO_COLOR` unset, `TERM` not dumb.
pub fn stdout_in_color() -> bool {
    use std::io::IsTerminal;
    std::env::var("NO_COLOR").map_or(true, |v| v.is_empty())
        && std::env::var("TERM").map_or(true, |v| v != "dumb")
        && std::io::stdout().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logrus_quoting() {
        assert!(!needs_quoting("plain-word_1.2/x"));
        assert!(needs_quoting("two words"));
        assert_eq!(go_quote("a \"b\"\nc"), "\"a \\\"b\\\"\\nc\"");
    }

    #[test]
    fn formats_from_flag_or_path() {
        assert_eq!(format_for(Some("json"), "x.yaml"), Format::Json);
        assert_eq!(format_for(None, "x.yaml"), Format::Yaml);
        assert_eq!(format_for(Some("bogus"), "x.env"), Format::Dotenv);
    }

    #[test]
    fn read_errors_name_the_path_like_go() {
        let e = read_file("/nonexistent-sops-rs/x.yaml").err().unwrap();
        assert_eq!(
            e,
            "open /nonexistent-sops-rs/x.yaml: no such file or directory"
        );
    }
}
