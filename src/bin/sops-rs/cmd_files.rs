//! What `edit`, `set`/`unset` and `rotate` share: the file argument, stores,
//! `.sops.yaml`, decryption order and reading the file with sops's messages.

use std::path::{Path, PathBuf};

use sops_rs::config::{self, Config};
use sops_rs::error::{Error, Result, go_io_message};
use sops_rs::keys::DecryptionOrder;
use sops_rs::store::{self, Format, Store, StoreOptions};
use zeroize::Zeroizing;

use crate::flags::Parsed;
use crate::run::Surface;

/// The file a command works on, with its stores and configuration.
pub struct Target {
    /// The file, made absolute as sops does (messages show it so).
    pub path: PathBuf,
    /// Reads the file.
    pub input_store: Box<dyn Store>,
    /// Writes the result.
    pub output_store: Box<dyn Store>,
    /// `.sops.yaml`, if one was found.
    pub config: Option<Config>,
    /// The name formats and creation rules are chosen by (`--filename-override` or the file).
    pub name: PathBuf,
    /// The working directory (creation rules match relative to it).
    pub cwd: PathBuf,
}

/// The first positional argument (warning about extra ones, as sops does), or exit 100.
pub fn file_argument(parsed: &Parsed) -> Result<PathBuf> {
    let Some(first) = parsed.positionals.first() else {
        return Err(Error::NoFileSpecified);
    };
    if parsed.positionals.len() > 1 {
        warn_extra_positionals();
    }
    Ok(absolute(Path::new(first)))
}

/// Legacy mode's first checks, shared by every mode: a file is named, and
/// `-i` is not combined with `--output` (exit 8), whatever the mode.
pub fn legacy_file_argument(parsed: &Parsed) -> Result<PathBuf> {
    let path = file_argument(parsed)?;
    if parsed.switch("in-place") && parsed.value("output").is_some_and(|o| !o.is_empty()) {
        return Err(Error::ConflictingParameters(
            "cannot operate on both --output and --in-place".into(),
        ));
    }
    Ok(path)
}

/// sops's warning when more than one file is named.
pub fn warn_extra_positionals() {
    eprintln!(
        "[CMD]\t level=warning msg=\"More than one positional argument provided. Only the first one will be used!\""
    );
}

/// `p` made absolute without touching the file system (Go's `filepath.Abs`).
pub fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Builds the stores for `path` (`--input-type`/`--output-type`, else the
/// extension of `--filename-override` or of the file) and loads `.sops.yaml`.
pub fn target(
    parsed: &Parsed,
    surface: Surface,
    config_flag: Option<&str>,
    path: PathBuf,
) -> Result<Target> {
    crate::cmd_common::refuse_keyservices(parsed)?;
    let name = match parsed.value("filename-override").filter(|s| !s.is_empty()) {
        Some(n) => absolute(Path::new(n)),
        None => path.clone(),
    };
    let name_text = name.to_string_lossy();
    let input_format = parsed
        .value("input-type")
        .and_then(Format::from_name)
        .unwrap_or_else(|| Format::from_path(&name_text));
    let output_format = parsed
        .value("output-type")
        .and_then(Format::from_name)
        .unwrap_or_else(|| Format::from_path(&name_text));
    let cwd = crate::cmd_common::cwd()?;
    let config = match config::find(&cwd, config_flag.filter(|s| !s.is_empty()).map(Path::new)) {
        Some(p) => Some(Config::load(&p)?),
        None => None,
    };
    let cli_indent = match (surface, parsed.value("indent")) {
        (Surface::Legacy, Some(v)) => Some(v.parse::<i64>().map_err(|_| {
            Error::Usage(format!(
                "invalid value \"{v}\" for flag -indent: parse error"
            ))
        })?),
        _ => None,
    };
    let stores = config.as_ref().map(|c| c.stores).unwrap_or_default();
    let options = |format: Format| StoreOptions {
        indent: cli_indent.or(match format {
            Format::Yaml => stores.yaml_indent,
            Format::Json => stores.json_indent,
            Format::Binary => stores.json_binary_indent,
            Format::Dotenv | Format::Ini => None,
        }),
    };
    Ok(Target {
        input_store: store::for_format(input_format, options(input_format))?,
        output_store: store::for_format(output_format, options(output_format))?,
        path,
        config,
        name,
        cwd,
    })
}

/// `--decryption-order` (or `SOPS_DECRYPTION_ORDER`), else the default order.
pub fn decryption_order(parsed: &Parsed) -> Result<DecryptionOrder> {
    match parsed.value("decryption-order").filter(|s| !s.is_empty()) {
        Some(s) => DecryptionOrder::parse(s),
        None => Ok(DecryptionOrder::default()),
    }
}

/// Reads the whole file; failures are worded as sops words them
/// (`Error reading file: open <path>: no such file or directory`, exit 2).
pub fn read_file(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| Error::OpenInput(format!("open {}: {}", path.display(), go_io_message(&e))))
}

const KEY_CHANGE_FLAGS: &[&str] = &[
    "add-kms",
    "add-pgp",
    "add-gcp-kms",
    "add-hc-vault-transit",
    "add-azure-kv",
    "add-age",
    "rm-kms",
    "rm-pgp",
    "rm-gcp-kms",
    "rm-hc-vault-transit",
    "rm-azure-kv",
    "rm-age",
];

/// `--add-*`/`--rm-*` on a missing file: exit 49 with the hint sops gives for
/// `surface` (legacy mode suggests `--kms`/`--pgp`, `rotate` the `edit` subcommand).
pub fn refuse_key_changes_on_missing_file(
    parsed: &Parsed,
    path: &Path,
    surface: Surface,
) -> Result<()> {
    if path.exists()
        || !KEY_CHANGE_FLAGS
            .iter()
            .any(|f| parsed.value(f).is_some_and(|v| !v.is_empty()))
    {
        return Ok(());
    }
    let hint = match surface {
        Surface::Legacy => "use `--kms` and `--pgp` instead.",
        Surface::Subcommand => "use the `edit` subcommand instead.",
    };
    Err(Error::KeysOnMissingFile(format!(
        "Error: cannot add or remove keys on non-existent file \"{}\", {hint}",
        path.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_read_like_go() {
        let e = read_file(Path::new("/nonexistent-sops-rs/x.yaml")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Error reading file: open /nonexistent-sops-rs/x.yaml: no such file or directory"
        );
    }

    #[test]
    fn relative_paths_become_absolute() {
        assert!(absolute(Path::new("x.yaml")).is_absolute());
    }
}
