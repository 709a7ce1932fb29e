//! Turns parsed flags into a validated job and runs it (legacy mode and subcommands).

use std::path::{Path, PathBuf};

use sops_rs::error::{Error, Result};
use sops_rs::keys::age::AgeKey;
use sops_rs::keys::{DecryptionOrder, KeyGroup, MasterKey};
use sops_rs::ops::{self, DecryptConfig, EncryptConfig};
use sops_rs::selection::SelectionRule;
use sops_rs::store::{self, Format, StoreOptions};

use crate::flags::Parsed;
use crate::output::{self, Destination, Sensitivity};

/// What the user asked for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// `-e` / `encrypt`.
    Encrypt,
    /// `-d` / `decrypt`.
    Decrypt,
}

/// Which flag table the options came from: some flags exist only in legacy mode.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// `sops-rs [flags] FILE`.
    Legacy,
    /// `sops-rs encrypt|decrypt [flags] [FILE]`.
    Subcommand,
}

/// Runs `mode` with the flags in `parsed`.
pub fn run(mode: Mode, parsed: &Parsed, surface: Surface) -> Result<()> {
    if parsed.positionals.len() > 1 {
        eprintln!(
            "[CMD]\t level=warning msg=\"More than one positional argument provided. Only the first one will be used!\""
        );
    }
    if !parsed.values("keyservice").is_empty() {
        return Err(Error::Other(
            "remote key services (--keyservice) are not supported by sops-rs yet".into(),
        ));
    }
    let file = parsed.positionals.first().map(PathBuf::from);
    if file.is_none() && surface == Surface::Legacy {
        return Err(Error::NoFileSpecified);
    }
    let in_place = parsed.switch("in-place");
    let output_flag = parsed.value("output").filter(|s| !s.is_empty());
    if in_place && output_flag.is_some() {
        return Err(Error::ConflictingParameters(
            "cannot operate on both --output and --in-place".into(),
        ));
    }
    let override_name = parsed.value("filename-override").filter(|s| !s.is_empty());
    if file.is_none() {
        if in_place {
            return Err(Error::ConflictingParameters(
                "cannot use --in-place when reading from stdin".into(),
            ));
        }
        if mode == Mode::Encrypt && override_name.is_none() {
            return Err(Error::ConflictingParameters(
                "must specify --filename-override when reading from stdin".into(),
            ));
        }
    }
    if let Some(f) = file.as_ref().filter(|f| !f.exists()) {
        return Err(Error::NonExistentFile(absolute(f)));
    }
    // The name that decides formats: --filename-override, else the file, else nothing (binary).
    let name: String = match (override_name, &file) {
        (Some(n), _) => n.to_string(),
        (None, Some(f)) => f.to_string_lossy().into_owned(),
        (None, None) => String::new(),
    };
    let input_format = parsed
        .value("input-type")
        .and_then(Format::from_name)
        .unwrap_or_else(|| Format::from_path(&name));
    let output_format = parsed
        .value("output-type")
        .and_then(Format::from_name)
        .unwrap_or_else(|| Format::from_path(&name));
    let store_options = StoreOptions {
        indent: match (surface, parsed.value("indent")) {
            (Surface::Legacy, Some(v)) => Some(parse_int_flag("indent", v)?),
            _ => None,
        },
    };
    let destination = match (&file, in_place, output_flag) {
        (Some(f), true, _) => Destination::InPlace(f.clone()),
        (_, _, Some(o)) => Destination::File(PathBuf::from(o)),
        _ => Destination::Stdout,
    };

    // Validate everything that can be checked before touching the input.
    let input_store = store::for_format(input_format, store_options)?;
    let output_store = store::for_format(output_format, store_options)?;
    match mode {
        Mode::Encrypt => {
            let config = encrypt_config(parsed, surface)?;
            let input = output::read_input(file.as_deref())?;
            let out = ops::encrypt(&input, input_store.as_ref(), output_store.as_ref(), config)?;
            output::write_output(&destination, &out, Sensitivity::Encrypted)
        }
        Mode::Decrypt => {
            let order = match parsed.value("decryption-order").filter(|s| !s.is_empty()) {
                Some(s) => DecryptionOrder::parse(s)?,
                None => DecryptionOrder::default(),
            };
            let config = DecryptConfig {
                ignore_mac: parsed.switch("ignore-mac"),
                order,
                extract: parsed.value("extract").map(str::to_string),
            };
            let input = output::read_input(file.as_deref())?;
            let out = ops::decrypt(&input, input_store.as_ref(), output_store.as_ref(), &config)?;
            output::write_output(&destination, &out, Sensitivity::Plaintext)
        }
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Go's int flag parsing; a bad value is a usage error as urfave/cli reports it.
fn parse_int_flag(name: &str, v: &str) -> Result<i64> {
    v.parse::<i64>().map_err(|_| {
        Error::Usage(format!(
            "invalid value \"{v}\" for flag -{name}: parse error"
        ))
    })
}

/// Splits a comma-separated key list, trimming items and dropping empty ones.
fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Builds the encryption settings from the key flags and the selection-rule flags.
fn encrypt_config(parsed: &Parsed, surface: Surface) -> Result<EncryptConfig> {
    let mut group = KeyGroup::default();
    if let Some(list) = parsed.value("age") {
        for r in split_list(list) {
            group.keys.push(MasterKey::Age(AgeKey::new(r)?));
        }
    }
    for (flag, what) in [
        ("pgp", "PGP"),
        ("kms", "AWS KMS"),
        ("gcp-kms", "GCP KMS"),
        ("azure-kv", "Azure Key Vault"),
        ("hc-vault-transit", "HashiCorp Vault transit"),
        ("hckms", "HuaweiCloud KMS"),
    ] {
        if parsed
            .value(flag)
            .is_some_and(|v| split_list(v).next().is_some())
        {
            return Err(Error::InvalidMasterKey(format!(
                "{what} keys (--{flag}) are not supported by sops-rs yet; use age recipients (--age) for now"
            )));
        }
    }
    if group.keys.is_empty() {
        return Err(Error::Config(
            "config file not found, or has no creation rules, and no keys provided through command line options".into(),
        ));
    }
    let mut rules = Vec::new();
    let mut take = |flag: &str, make: fn(String) -> SelectionRule| {
        if let Some(v) = parsed.value(flag).filter(|v| !v.is_empty()) {
            rules.push(make(v.to_string()));
        }
    };
    take("unencrypted-suffix", SelectionRule::UnencryptedSuffix);
    take("encrypted-suffix", SelectionRule::EncryptedSuffix);
    take("unencrypted-regex", SelectionRule::UnencryptedRegex);
    take("encrypted-regex", SelectionRule::EncryptedRegex);
    if surface == Surface::Legacy {
        take(
            "unencrypted-comment-regex",
            SelectionRule::UnencryptedCommentRegex,
        );
        take(
            "encrypted-comment-regex",
            SelectionRule::EncryptedCommentRegex,
        );
    }
    if rules.len() > 1 {
        return Err(Error::ConflictingParameters(
            "cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, or unencrypted_comment_regex in the same file".into(),
        ));
    }
    let shamir_threshold = match parsed.value("shamir-secret-sharing-threshold") {
        Some(v) => {
            usize::try_from(parse_int_flag("shamir-secret-sharing-threshold", v)?).unwrap_or(0)
        }
        None => 0,
    };
    Ok(EncryptConfig {
        key_groups: vec![group],
        shamir_threshold,
        rule: rules.pop(),
        mac_only_encrypted: surface == Surface::Legacy && parsed.switch("mac-only-encrypted"),
    })
}
