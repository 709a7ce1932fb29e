//! Turns parsed flags into a validated job and runs it (legacy mode and subcommands).

use std::path::{Path, PathBuf};

use sops_rs::error::{Error, Result};
use sops_rs::keygroups::{self, GroupOrder};
use sops_rs::keys::azkv::parse_key_url;
use sops_rs::keys::kms::{KmsKey, parse_encryption_context};
use sops_rs::keys::{DecryptionOrder, KeyGroup};
use sops_rs::ops::{self, DecryptConfig, EncryptConfig};
use sops_rs::selection::SelectionRule;
use sops_rs::store::{self, Format, StoreOptions};

use sops_rs::config::{self, Config, CreationRule, GroupSpec};

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

/// Runs `mode` with the flags in `parsed`; `config_flag` is the global `--config`/`SOPS_CONFIG`.
pub fn run(mode: Mode, parsed: &Parsed, surface: Surface, config_flag: Option<&str>) -> Result<()> {
    if let Some(dir) = parsed.value("output-dir").filter(|d| !d.is_empty())
        && mode == Mode::Decrypt
        && surface == Surface::Subcommand
    {
        return crate::cmd_batch::decrypt_to_dir(parsed, dir, config_flag);
    }
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
    // Every command reads the config's `stores` section, so a broken config breaks even decrypt.
    let cwd = std::env::current_dir().map_err(|e| {
        Error::Other(format!(
            "cannot determine the current directory: {}",
            sops_rs::error::go_io_message(&e)
        ))
    })?;
    let config = match config::find(&cwd, config_flag.filter(|s| !s.is_empty()).map(Path::new)) {
        Some(path) => Some(Config::load(&path)?),
        None => None,
    };
    let cli_indent = match (surface, parsed.value("indent")) {
        (Surface::Legacy, Some(v)) => Some(parse_int_flag("indent", v)?),
        _ => None,
    };
    let stores = config.as_ref().map(|c| c.stores).unwrap_or_default();
    let store_options = |format: Format| StoreOptions {
        indent: cli_indent.or(match format {
            Format::Yaml => stores.yaml_indent,
            Format::Json => stores.json_indent,
            Format::Binary => stores.json_binary_indent,
            Format::Dotenv | Format::Ini => None,
        }),
    };
    let destination = match (&file, in_place, output_flag) {
        (Some(f), true, _) => Destination::InPlace(f.clone()),
        (_, _, Some(o)) => Destination::File(PathBuf::from(o)),
        _ => Destination::Stdout,
    };

    // Validate everything that can be checked before touching the input.
    let input_store = store::for_format(input_format, store_options(input_format))?;
    let output_store = store::for_format(output_format, store_options(output_format))?;
    // `-i` reads and rewrites the file: no other sops-rs may change it in between.
    let _lock = match &destination {
        Destination::InPlace(f) => crate::lock::lock_for_update(f),
        _ => None,
    };
    match mode {
        Mode::Encrypt => {
            let rule = match &config {
                Some(c) => c.rule_for(Path::new(&name), &cwd)?,
                None => None,
            };
            let config = encrypt_config_for(parsed, surface, rule, input_format == Format::Binary)?;
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

/// sops's warnings, in its order, for the selection rules a binary input
/// ignores (it says nothing about an unencrypted comment regex).
fn warn_rules_ignored_for_binary(rules: &[SelectionRule]) {
    const ONE_KEY: &str = "the binary store produces one key that should always be encrypted";
    let mut warnings: Vec<(u8, &str, &str)> = rules
        .iter()
        .filter_map(|r| match r {
            SelectionRule::UnencryptedSuffix(_) => Some((0, "an unencrypted suffix", ONE_KEY)),
            SelectionRule::EncryptedSuffix(_) => Some((1, "an encrypted suffix", ONE_KEY)),
            SelectionRule::EncryptedRegex(_) => Some((2, "an encrypted regex", ONE_KEY)),
            SelectionRule::UnencryptedRegex(_) => Some((3, "an unencrypted regex", ONE_KEY)),
            SelectionRule::EncryptedCommentRegex(_) => Some((
                4,
                "an encrypted comment regex",
                "the binary store never produces comments",
            )),
            SelectionRule::UnencryptedCommentRegex(_) => None,
        })
        .collect();
    warnings.sort_by_key(|w| w.0);
    for (_, what, why) in warnings {
        eprintln!(
            "[CMD]\t level=warning msg=\"Using {what} does not make sense with the input store ({why}) and will be ignored.\""
        );
    }
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

/// The master keys named on the command line (or by their environment variables), as one group.
fn cli_keys(parsed: &Parsed) -> GroupSpec {
    let list = |flag: &str| -> Vec<String> {
        parsed
            .value(flag)
            .map(|v| split_list(v).map(str::to_string).collect())
            .unwrap_or_default()
    };
    GroupSpec {
        age: list("age"),
        pgp: list("pgp"),
        kms: parsed
            .value("kms")
            .map(|v| {
                let context =
                    parse_encryption_context(parsed.value("encryption-context").unwrap_or(""))
                        .unwrap_or_default();
                KmsKey::from_list(v, &context, parsed.value("aws-profile").unwrap_or(""))
                    .iter()
                    .map(|k| sops_rs::config::KmsSpec {
                        arn: k.arn().to_string(),
                        role: (!k.role().is_empty()).then(|| k.role().to_string()),
                        context: k
                            .context()
                            .iter()
                            .map(|(a, b)| (a.clone(), b.clone()))
                            .collect(),
                        aws_profile: k.aws_profile().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        gcp_kms: list("gcp-kms"),
        // URLs were validated by `encrypt_config_for`.
        azure_keyvault: list("azure-kv")
            .iter()
            .filter_map(|u| parse_key_url(u).ok())
            .map(|(vault_url, key, version)| sops_rs::config::AzureSpec {
                vault_url,
                key,
                version,
            })
            .collect(),
        hc_vault: list("hc-vault-transit"),
    }
}

/// Turns configured key names into master keys (PGP first, as sops's encrypt does).
fn build_group(spec: &GroupSpec) -> Result<KeyGroup> {
    keygroups::group_from_spec_in(spec, GroupOrder::PgpFirst)
}

/// Builds the encryption settings: keys from the command line, else from the matching
/// creation rule; selection rule and `mac_only_encrypted` merged as sops merges them.
pub(crate) fn encrypt_config(
    parsed: &Parsed,
    surface: Surface,
    rule: Option<&CreationRule>,
) -> Result<EncryptConfig> {
    encrypt_config_for(parsed, surface, rule, false)
}

/// [`encrypt_config`] for an input read with the binary store when
/// `binary_input`: sops then drops every selection rule (with warnings).
pub(crate) fn encrypt_config_for(
    parsed: &Parsed,
    surface: Surface,
    rule: Option<&CreationRule>,
    binary_input: bool,
) -> Result<EncryptConfig> {
    parse_encryption_context(parsed.value("encryption-context").unwrap_or(""))?;
    for url in split_list(parsed.value("azure-kv").unwrap_or("")) {
        parse_key_url(url)?;
    }
    if parsed
        .value("hckms")
        .is_some_and(|v| split_list(v).next().is_some())
    {
        return Err(Error::InvalidMasterKey(
            "HuaweiCloud KMS keys are not supported by sops-rs yet; use age recipients for now"
                .into(),
        ));
    }
    let cli = cli_keys(parsed);
    let key_groups = if !cli.is_empty() {
        vec![build_group(&cli)?]
    } else if let Some(rule) = rule.filter(|r| !r.key_groups.is_empty()) {
        rule.key_groups
            .iter()
            .map(build_group)
            .collect::<Result<Vec<_>>>()?
    } else {
        return Err(Error::Config(
            "config file not found, or has no creation rules, and no keys provided through command line options".into(),
        ));
    };
    // Each selection field: the flag if given, else the rule's; more than one set is an error.
    let from_rule = |pick: fn(&SelectionRule) -> bool| -> Option<SelectionRule> {
        rule.and_then(|r| r.selection.clone()).filter(pick)
    };
    let mut rules = Vec::new();
    let mut take = |flag: &str,
                    make: fn(String) -> SelectionRule,
                    pick: fn(&SelectionRule) -> bool,
                    allowed: bool| {
        match parsed.value(flag).filter(|v| allowed && !v.is_empty()) {
            Some(v) => rules.push(make(v.to_string())),
            None => rules.extend(from_rule(pick)),
        }
    };
    let legacy = surface == Surface::Legacy;
    take(
        "unencrypted-suffix",
        SelectionRule::UnencryptedSuffix,
        |s| matches!(s, SelectionRule::UnencryptedSuffix(_)),
        true,
    );
    take(
        "encrypted-suffix",
        SelectionRule::EncryptedSuffix,
        |s| matches!(s, SelectionRule::EncryptedSuffix(_)),
        true,
    );
    take(
        "unencrypted-regex",
        SelectionRule::UnencryptedRegex,
        |s| matches!(s, SelectionRule::UnencryptedRegex(_)),
        true,
    );
    take(
        "encrypted-regex",
        SelectionRule::EncryptedRegex,
        |s| matches!(s, SelectionRule::EncryptedRegex(_)),
        true,
    );
    take(
        "unencrypted-comment-regex",
        SelectionRule::UnencryptedCommentRegex,
        |s| matches!(s, SelectionRule::UnencryptedCommentRegex(_)),
        legacy,
    );
    take(
        "encrypted-comment-regex",
        SelectionRule::EncryptedCommentRegex,
        |s| matches!(s, SelectionRule::EncryptedCommentRegex(_)),
        legacy,
    );
    if binary_input {
        // sops drops every selection rule for binary input (warning for all but
        // the unencrypted comment regex), before checking that only one is set.
        warn_rules_ignored_for_binary(&rules);
        rules.clear();
    }
    if rules.len() > 1 {
        return Err(Error::ConflictingParameters(
            "cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, or unencrypted_comment_regex in the same file".into(),
        ));
    }
    let cli_threshold = match parsed.value("shamir-secret-sharing-threshold") {
        Some(v) => match parse_int_flag("shamir-secret-sharing-threshold", v)? {
            // sops passes a negative value on to Shamir, which refuses it ("threshold
            // must be at least 2", as for 1); with one group no split happens at all.
            n if n < 0 && key_groups.len() > 1 => 1,
            n => usize::try_from(n).unwrap_or(0),
        },
        None => 0,
    };
    let shamir_threshold = if cli_threshold != 0 {
        cli_threshold
    } else {
        rule.map_or(0, |r| r.shamir_threshold)
    };
    Ok(EncryptConfig {
        key_groups,
        shamir_threshold,
        rule: rules.pop(),
        mac_only_encrypted: (legacy && parsed.switch("mac-only-encrypted"))
            || rule.is_some_and(|r| r.mac_only_encrypted),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::specs;
    use sops_rs::keys::MasterKey;

    const AGE1: &str = "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr";
    const AGE2: &str = "age1sejqed925yw6jgarccflp4x5ywce2kt82nr4l5ytyaz4t7f344ns3ghk62";

    fn parsed(args: &[&str]) -> Parsed {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        crate::flags::parse(&args, specs::GLOBAL, &|_| None).unwrap()
    }

    fn config(text: &str) -> Config {
        Config::parse(text.as_bytes(), PathBuf::from("/r/.sops.yaml")).unwrap()
    }

    fn rule(c: &Config) -> &CreationRule {
        c.rule_for(Path::new("f.yaml"), Path::new("/r"))
            .unwrap()
            .unwrap()
    }

    fn recipients(cfg: &EncryptConfig) -> Vec<Vec<String>> {
        cfg.key_groups
            .iter()
            .map(|g| g.keys.iter().map(MasterKey::identifier).collect())
            .collect()
    }

    #[test]
    fn rule_keys_unless_the_command_line_names_keys() {
        let c = config(&format!(
            "creation_rules:\n  - shamir_threshold: 2\n    encrypted_regex: ^s\n    key_groups:\n      - age: [{AGE1}]\n      - age: [{AGE2}]\n"
        ));
        let cfg = encrypt_config(&parsed(&["f"]), Surface::Legacy, Some(rule(&c))).unwrap();
        assert_eq!(recipients(&cfg), [[AGE1], [AGE2]]);
        assert_eq!(cfg.shamir_threshold, 2);
        let cli = parsed(&["--age", AGE2, "f"]);
        let cfg = encrypt_config(&cli, Surface::Legacy, Some(rule(&c))).unwrap();
        assert_eq!(recipients(&cfg), [[AGE2]]);
        assert_eq!(cfg.rule, Some(SelectionRule::EncryptedRegex("^s".into())));
    }

    #[test]
    fn selection_precedence_and_conflicts() {
        let c = config(&format!(
            "creation_rules:\n  - age: {AGE1}\n    encrypted_comment_regex: enc\n"
        ));
        let same = parsed(&["--encrypted-comment-regex", "mine", "f"]);
        let cfg = encrypt_config(&same, Surface::Legacy, Some(rule(&c))).unwrap();
        assert_eq!(
            cfg.rule,
            Some(SelectionRule::EncryptedCommentRegex("mine".into()))
        );
        let other = parsed(&["--encrypted-regex", "x", "f"]);
        let e = encrypt_config(&other, Surface::Legacy, Some(rule(&c))).err();
        assert!(matches!(e, Some(Error::ConflictingParameters(_))));
        // No config and no keys.
        let e = encrypt_config(&parsed(&["f"]), Surface::Legacy, None).err();
        assert!(matches!(e, Some(Error::Config(_))));
    }

    #[test]
    fn negative_cli_threshold_fails_only_with_several_groups() {
        let c = config(&format!(
            "creation_rules:\n  - key_groups:\n      - age: [{AGE1}]\n      - age: [{AGE2}]\n"
        ));
        let neg = parsed(&["--shamir-secret-sharing-threshold", "-1", "f"]);
        let cfg = encrypt_config(&neg, Surface::Legacy, Some(rule(&c))).unwrap();
        assert_eq!(
            cfg.shamir_threshold, 1,
            "passed on so that Shamir refuses it"
        );
        let one = parsed(&[
            "--age",
            AGE1,
            "--shamir-secret-sharing-threshold",
            "-1",
            "f",
        ]);
        let cfg = encrypt_config(&one, Surface::Legacy, None).unwrap();
        assert_eq!(cfg.shamir_threshold, 0);
    }
}
