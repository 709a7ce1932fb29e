//! `groups add` / `groups delete`: append or remove a key group and re-wrap the data
//! key, leaving values, `mac` and `lastmodified` alone (spec §8.2). Errors are reported
//! as sops reports them here: through its fatal log line.

use std::path::PathBuf;

use sops_rs::error::{Error, Result};
use sops_rs::keygroups;
use sops_rs::keys::age::AgeKey;
use sops_rs::keys::azkv::AzureKvKey;
use sops_rs::keys::hcvault::VaultKey;
use sops_rs::keys::kms::{KmsKey, parse_encryption_context};
use sops_rs::keys::pgp::PgpKey;
use sops_rs::keys::{KeyGroup, MasterKey};
use sops_rs::ops::{self, EncryptedFile};
use sops_rs::store::Store;

use crate::cmd_common::{self as common, fatal};
use crate::flags::Parsed;
use crate::output::{Destination, Sensitivity};
use crate::{Outcome, specs};

const GROUPS_HELP: &str = "NAME:
   sops-rs groups - modify the groups on a SOPS file

USAGE:
   sops-rs groups command [command options] [arguments...]

COMMANDS:
   add     add a new group to a SOPS file
   delete  delete a key group from a SOPS file
";

/// Runs `groups SUBCOMMAND …`.
pub fn run(rest: &[String], config_flag: Option<&str>) -> Outcome {
    match rest.split_first() {
        Some((sub, args)) if sub == "add" => add(args, config_flag),
        Some((sub, args)) if sub == "delete" => delete(args, config_flag),
        _ => {
            println!("{GROUPS_HELP}");
            Outcome::Done
        }
    }
}

/// The shared steps: stores, load, data key (in stored key order).
struct Loaded {
    file: EncryptedFile,
    key: sops_rs::datakey::DataKey,
    output: Box<dyn Store>,
    path: String,
    /// Held until the `-i` rewrite is done.
    _lock: Option<crate::lock::FileLock>,
}

fn load(parsed: &Parsed, config_flag: Option<&str>) -> Result<Loaded, Outcome> {
    common::refuse_keyservices(parsed).map_err(Outcome::Failed)?;
    let path = parsed.value("file").unwrap_or("").to_string();
    let config = common::load_config(config_flag).map_err(Outcome::Failed)?;
    let format = common::format_for(None, &path);
    let input = common::store_for(format, config.as_ref()).map_err(Outcome::Failed)?;
    let output = common::store_for(format, config.as_ref()).map_err(Outcome::Failed)?;
    let lock = parsed
        .switch("in-place")
        .then(|| crate::lock::lock_for_update(std::path::Path::new(&path)))
        .flatten();
    let bytes = common::read_file(&path).map_err(|m| common::read_failed(&m))?;
    let file = ops::load_encrypted_file(&bytes, input.as_ref())
        .map_err(|e| fatal("CMD", &e.to_string()))?;
    let key =
        ops::recover_key(&file.metadata, &keygroups::stored_order()).map_err(|e| match e {
            Error::DataKey(report) => fatal(
                "CMD",
                &keygroups::short_data_key_error(&file.metadata, &report),
            ),
            other => fatal("CMD", &other.to_string()),
        })?;
    Ok(Loaded {
        file,
        key,
        output,
        path,
        _lock: lock,
    })
}

fn threshold(parsed: &Parsed) -> Result<usize, Outcome> {
    match parsed.value("shamir-secret-sharing-threshold") {
        None => Ok(0),
        Some(v) => v.trim().parse::<usize>().map_err(|_| {
            Outcome::Usage(format!(
                "invalid value \"{v}\" for flag -shamir-secret-sharing-threshold: parse error"
            ))
        }),
    }
}

/// Re-wraps, emits, and writes to stdout or (`-i`) back to the file.
fn finish(mut loaded: Loaded, in_place: bool) -> Outcome {
    if let Err(e) = keygroups::rewrap_data_key(&mut loaded.file.metadata, &loaded.key) {
        return fatal("CMD", &e.to_string());
    }
    let out = match ops::emit_encrypted_file(
        &loaded.file.tree,
        &loaded.file.metadata,
        loaded.output.as_ref(),
    ) {
        Ok(o) => o,
        Err(e) => return fatal("CMD", &e.to_string()),
    };
    let dest = if in_place {
        Destination::InPlace(PathBuf::from(&loaded.path))
    } else {
        Destination::Stdout
    };
    match crate::output::write_output(&dest, &out, Sensitivity::Encrypted) {
        Ok(()) => Outcome::Done,
        Err(e) => Outcome::Failed(e),
    }
}

/// The new group from the key flags, in sops's order (PGP, KMS, Vault, then age).
fn group_from_flags(parsed: &Parsed) -> Result<KeyGroup> {
    for (flag, what) in [("hckms", "HuaweiCloud KMS")] {
        if !parsed.values(flag).is_empty() {
            return Err(Error::InvalidMasterKey(format!(
                "{what} keys (--{flag}) are not supported by sops-rs yet"
            )));
        }
    }
    let mut group = KeyGroup::default();
    for fp in parsed.values("pgp") {
        group.keys.push(MasterKey::Pgp(PgpKey::new(fp)?));
    }
    let context = parse_encryption_context(parsed.value("encryption-context").unwrap_or(""))?;
    let profile = parsed.value("aws-profile").unwrap_or("");
    for arn in parsed.values("kms") {
        group
            .keys
            .push(MasterKey::Kms(KmsKey::new(arn, context.clone(), profile)));
    }
    for url in parsed.values("azure-kv") {
        // sops logs "Failed to add key" and goes on without it.
        match AzureKvKey::from_url(url) {
            Ok(k) => group.keys.push(MasterKey::AzureKv(k)),
            Err(e) => eprintln!("Failed to add key: {e}"),
        }
    }
    for id in parsed.values("gcp-kms") {
        group
            .keys
            .push(MasterKey::GcpKms(sops_rs::keys::gcpkms::GcpKmsKey::new(id)));
    }
    // sops logs a bad Vault URI and goes on without that key.
    for uri in parsed.values("hc-vault-transit") {
        match VaultKey::from_uri(uri) {
            Ok(k) => group.keys.push(MasterKey::HcVault(k)),
            Err(e) => common::log_line("CMD", "error", &format!("Failed to add key: {e}")),
        }
    }
    for list in parsed.values("age") {
        for r in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            group.keys.push(MasterKey::Age(AgeKey::new(r)?));
        }
    }
    Ok(group)
}

fn add(args: &[String], config_flag: Option<&str>) -> Outcome {
    let parsed = match crate::parse(args, specs::GROUPS_ADD) {
        Ok(p) => p,
        Err(o) => return o,
    };
    if !parsed.positionals.is_empty() {
        return Outcome::Failed(Error::Other(
            "error: no positional arguments allowed".into(),
        ));
    }
    let group = match group_from_flags(&parsed) {
        Ok(g) => g,
        Err(e) => return fatal("CMD", &e.to_string()),
    };
    let threshold = match threshold(&parsed) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let mut loaded = match load(&parsed, config_flag) {
        Ok(l) => l,
        Err(o) => return o,
    };
    keygroups::add_group(&mut loaded.file.metadata, group, threshold);
    finish(loaded, parsed.switch("in-place"))
}

fn delete(args: &[String], config_flag: Option<&str>) -> Outcome {
    let parsed = match crate::parse(args, specs::GROUPS_DELETE) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let [index] = parsed.positionals.as_slice() else {
        return Outcome::Failed(Error::Other(
            "error: exactly one positional argument (index) required".into(),
        ));
    };
    let index = match parse_index(index) {
        Ok(i) => i,
        Err(msg) => return fatal("CMD", &msg),
    };
    let threshold = match threshold(&parsed) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let mut loaded = match load(&parsed, config_flag) {
        Ok(l) => l,
        Err(o) => return o,
    };
    if let Err(e) = keygroups::delete_group(&mut loaded.file.metadata, index, threshold) {
        return fatal("CMD", &e.to_string());
    }
    finish(loaded, parsed.switch("in-place"))
}

/// Go's `strconv.ParseUint(s, 10, 32)`, with sops's wording around its errors.
fn parse_index(s: &str) -> std::result::Result<usize, String> {
    let fail = |why: &str| {
        format!("failed to parse [index] argument: strconv.ParseUint: parsing \"{s}\": {why}")
    };
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fail("invalid syntax"));
    }
    match s.parse::<u32>() {
        Ok(v) => Ok(v as usize),
        Err(_) => Err(fail("value out of range")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_parsing_like_go() {
        assert_eq!(parse_index("1").unwrap(), 1);
        assert_eq!(
            parse_index("abc").unwrap_err(),
            "failed to parse [index] argument: strconv.ParseUint: parsing \"abc\": invalid syntax"
        );
        assert_eq!(
            parse_index("-1").unwrap_err(),
            "failed to parse [index] argument: strconv.ParseUint: parsing \"-1\": invalid syntax"
        );
        assert!(
            parse_index("99999999999")
                .unwrap_err()
                .ends_with("value out of range")
        );
    }
}
