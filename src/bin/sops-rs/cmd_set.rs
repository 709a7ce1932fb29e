//! `set`, `unset` and legacy `--set`: change one value of an encrypted file in place.
//!
//! Checks run in sops's order (arguments, path, value, decryption order, then
//! the file), so the same bad input gives the same exit code. The file is
//! rewritten atomically with its mode kept; unchanged values keep their ciphertext.

use std::io::Read;

use sops_rs::edit;
use sops_rs::error::{Error, Result, go_io_message};
use sops_rs::tree::Value;
use sops_rs::treepath::PathComponent;

use crate::cmd_files::{self, Target};
use crate::flags::Parsed;
use crate::output::{self, Destination, Sensitivity};
use crate::run::Surface;

/// `sops-rs set [flags] FILE INDEX [VALUE]`.
pub fn run_set(parsed: &Parsed, config_flag: Option<&str>) -> Result<()> {
    let value_file = parsed.switch("value-file");
    let value_stdin = parsed.switch("value-stdin");
    if value_file && value_stdin {
        return Err(Error::Other(
            "Error: cannot use both --value-file and --value-stdin".into(),
        ));
    }
    let args = &parsed.positionals;
    if value_stdin && args.len() != 2 {
        return Err(Error::Arguments(
            "Error: file specified, or index and value are missing. Need precisely 2 positional arguments since --value-stdin is used.".into(),
        ));
    }
    if !value_stdin && args.len() != 3 {
        return Err(Error::Arguments(
            "Error: no file specified, or index and value are missing. Need precisely 3 positional arguments.".into(),
        ));
    }
    let (file, index) = match (args.first(), args.get(1)) {
        (Some(f), Some(i)) => (f, i),
        _ => return Err(Error::NoFileSpecified),
    };
    let target = cmd_files::target(
        parsed,
        Surface::Subcommand,
        config_flag,
        cmd_files::absolute(std::path::Path::new(file)),
    )?;
    let path = edit::parse_index(index, "set")?;
    let raw = if value_stdin {
        let mut buf = zeroize::Zeroizing::new(Vec::new());
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .map_err(|e| Error::Other(format!("read /dev/stdin: {}", go_io_message(&e))))?;
        buf
    } else if value_file {
        let name = args.get(2).map(String::as_str).unwrap_or_default();
        std::fs::read(name)
            .map(zeroize::Zeroizing::new)
            .map_err(|e| Error::Other(format!("open {name}: {}", go_io_message(&e))))?
    } else {
        zeroize::Zeroizing::new(
            args.get(2)
                .map(String::as_bytes)
                .unwrap_or_default()
                .to_vec(),
        )
    };
    let value = edit::parse_set_value(&raw)?;
    apply_set(parsed, &target, &path, value, parsed.switch("idempotent"))
}

/// Legacy `sops-rs --set '<path> <json>' FILE` (always writes the file).
pub fn run_legacy_set(parsed: &Parsed, config_flag: Option<&str>) -> Result<()> {
    let file = cmd_files::legacy_file_argument(parsed)?;
    cmd_files::refuse_key_changes_on_missing_file(parsed, &file, Surface::Legacy)?;
    let target = cmd_files::target(parsed, Surface::Legacy, config_flag, file)?;
    let (path, value) = edit::parse_legacy_set(parsed.value("set").unwrap_or_default())?;
    apply_set(parsed, &target, &path, value, false)
}

fn apply_set(
    parsed: &Parsed,
    target: &Target,
    path: &[PathComponent],
    value: Value,
    idempotent: bool,
) -> Result<()> {
    let order = cmd_files::decryption_order(parsed)?;
    let _lock = crate::lock::lock_for_update(&target.path);
    let input = cmd_files::read_file(&target.path)?;
    let mut opened = edit::open(
        &input,
        target.input_store.as_ref(),
        &order,
        parsed.switch("ignore-mac"),
    )?;
    let changed = edit::set(&mut opened.file.tree, path, value)?;
    let out = edit::seal(&mut opened, target.output_store.as_ref())?;
    if !changed && idempotent {
        return Ok(());
    }
    output::write_output(
        &Destination::InPlace(target.path.clone()),
        &out,
        Sensitivity::Encrypted,
    )
}

/// `sops-rs unset [flags] FILE INDEX`.
pub fn run_unset(parsed: &Parsed, config_flag: Option<&str>) -> Result<()> {
    let args = &parsed.positionals;
    let (Some(file), Some(index), 2) = (args.first(), args.get(1), args.len()) else {
        return Err(Error::Arguments(
            "Error: no file specified, or index is missing".into(),
        ));
    };
    let target = cmd_files::target(
        parsed,
        Surface::Subcommand,
        config_flag,
        cmd_files::absolute(std::path::Path::new(file)),
    )?;
    let path = edit::parse_index(index, "unset")?;
    let order = cmd_files::decryption_order(parsed)?;
    let _lock = crate::lock::lock_for_update(&target.path);
    let input = cmd_files::read_file(&target.path)?;
    let mut opened = edit::open(
        &input,
        target.input_store.as_ref(),
        &order,
        parsed.switch("ignore-mac"),
    )?;
    if !edit::unset(&mut opened.file.tree, &path, parsed.switch("idempotent"))? {
        return Ok(());
    }
    let out = edit::seal(&mut opened, target.output_store.as_ref())?;
    output::write_output(
        &Destination::InPlace(target.path.clone()),
        &out,
        Sensitivity::Encrypted,
    )
}
