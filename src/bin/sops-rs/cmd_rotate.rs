//! `rotate` and legacy `-r`: a new data key, every value re-encrypted, master
//! keys added (`--add-*`, first group) or removed (`--rm-*`, every group).

use sops_rs::edit;
use sops_rs::error::{Error, Result};
use sops_rs::keys::MasterKey;
use sops_rs::keys::age::AgeKey;
use sops_rs::keys::azkv::AzureKvKey;
use sops_rs::keys::hcvault::VaultKey;
use sops_rs::keys::kms::{KmsKey, parse_encryption_context};
use sops_rs::keys::pgp::PgpKey;
use sops_rs::ops;

use crate::cmd_files;
use crate::flags::Parsed;
use crate::output::{self, Destination, Sensitivity};
use crate::run::Surface;

/// Runs `rotate` (`surface` = which flag table `parsed` came from).
pub fn run(parsed: &Parsed, surface: Surface, config_flag: Option<&str>) -> Result<()> {
    let path = cmd_files::file_argument(parsed)?;
    let in_place = parsed.switch("in-place");
    let output_flag = parsed.value("output").filter(|s| !s.is_empty());
    if in_place && output_flag.is_some() {
        return Err(Error::ConflictingParameters(
            "cannot operate on both --output and --in-place".into(),
        ));
    }
    cmd_files::refuse_key_changes_on_missing_file(parsed, &path, surface)?;
    if surface == Surface::Legacy && !path.exists() {
        return Err(Error::NonExistentFile(path));
    }
    let target = cmd_files::target(parsed, surface, config_flag, path)?;
    let order = cmd_files::decryption_order(parsed)?;
    let add = master_keys(parsed, "add")?;
    let remove = master_keys(parsed, "rm")?;
    let _lock = in_place
        .then(|| crate::lock::lock_for_update(&target.path))
        .flatten();
    let input = cmd_files::read_file(&target.path)?;
    // `--ignore-mac` exists only in legacy mode; the subcommand table lacks it.
    let mut opened = edit::open(
        &input,
        target.input_store.as_ref(),
        &order,
        parsed.switch("ignore-mac"),
    )?;
    edit::change_keys(&mut opened.file.metadata, add, &remove);
    ops::rotate_decrypted(&mut opened.file)?;
    let out = edit::emit(&opened.file, target.output_store.as_ref())?;
    let destination = match (in_place, output_flag) {
        (true, _) => Destination::InPlace(target.path.clone()),
        (false, Some(o)) => Destination::File(o.into()),
        (false, None) => Destination::Stdout,
    };
    output::write_output(&destination, &out, Sensitivity::Encrypted)
}

fn list(parsed: &Parsed, flag: &str) -> Vec<String> {
    parsed
        .value(flag)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The keys of `--{prefix}-kms`, `-pgp`, `-hc-vault-transit`, `-age` (others are refused by name).
fn master_keys(parsed: &Parsed, prefix: &str) -> Result<Vec<MasterKey>> {
    let mut keys = Vec::new();
    // A bad context is ignored here, as sops's rotate does (no exit 6).
    let context = parse_encryption_context(parsed.value("encryption-context").unwrap_or(""))
        .unwrap_or_default();
    if let Some(v) = parsed.value(&format!("{prefix}-kms")) {
        keys.extend(
            KmsKey::from_list(v, &context, parsed.value("aws-profile").unwrap_or(""))
                .into_iter()
                .map(MasterKey::Kms),
        );
    }
    if let Some(v) = parsed.value(&format!("{prefix}-azure-kv")) {
        keys.extend(
            AzureKvKey::from_urls(v)?
                .into_iter()
                .map(MasterKey::AzureKv),
        );
    }
    if let Some(v) = parsed.value(&format!("{prefix}-gcp-kms")) {
        keys.extend(
            sops_rs::keys::gcpkms::GcpKmsKey::from_list(v)
                .into_iter()
                .map(MasterKey::GcpKms),
        );
    }
    for fp in list(parsed, &format!("{prefix}-pgp")) {
        keys.push(MasterKey::Pgp(PgpKey::new(&fp)?));
    }
    // sops splits on commas without trimming, skipping empty items.
    if let Some(v) = parsed.value(&format!("{prefix}-hc-vault-transit")) {
        keys.extend(VaultKey::from_list(v)?.into_iter().map(MasterKey::HcVault));
    }
    for r in list(parsed, &format!("{prefix}-age")) {
        keys.push(MasterKey::Age(AgeKey::new(&r)?));
    }
    for (kind, what) in [("hckms", "HuaweiCloud KMS")] {
        if !list(parsed, &format!("{prefix}-{kind}")).is_empty() {
            return Err(Error::InvalidMasterKey(format!(
                "{what} keys (--{prefix}-{kind}) are not supported by sops-rs yet"
            )));
        }
    }
    Ok(keys)
}
