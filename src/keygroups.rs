//! Key-group changes that only re-wrap the data key (`updatekeys`, `groups add|delete`,
//! spec §8.2): values, `mac` and `lastmodified` are left untouched, so these live apart
//! from the whole-file operations of [`crate::ops`].

use crate::config::GroupSpec;
use crate::datakey::DataKey;
use crate::error::{Error, Result};
use crate::keys::age::AgeKey;
use crate::keys::azkv::AzureKvKey;
use crate::keys::gcpkms::GcpKmsKey;
use crate::keys::hcvault::VaultKey;
use crate::keys::kms::KmsKey;
use crate::keys::pgp::PgpKey;
use crate::keys::{DecryptionOrder, KeyGroup, MasterKey};
use crate::metadata::Metadata;

/// How one key group changes: identifiers as sops prints them.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct GroupDiff {
    /// Keys in both (in the new group's order).
    pub common: Vec<String>,
    /// Keys only in the new group.
    pub added: Vec<String>,
    /// Keys only in the old group (in the old group's order).
    pub removed: Vec<String>,
}

/// Compares the file's groups with the configured ones, group by group (by position).
pub fn diff_key_groups(ours: &[KeyGroup], theirs: &[KeyGroup]) -> Vec<GroupDiff> {
    let ids = |g: Option<&KeyGroup>| -> Vec<String> {
        g.map(|g| g.keys.iter().map(MasterKey::identifier).collect())
            .unwrap_or_default()
    };
    (0..ours.len().max(theirs.len()))
        .map(|i| {
            let old = ids(ours.get(i));
            let new = ids(theirs.get(i));
            let mut diff = GroupDiff::default();
            for key in &new {
                if old.contains(key) {
                    diff.common.push(key.clone());
                } else {
                    diff.added.push(key.clone());
                }
            }
            diff.removed = old.into_iter().filter(|k| !new.contains(k)).collect();
            diff
        })
        .collect()
}

/// Whether any group gains or loses a key.
pub fn keys_will_change(diffs: &[GroupDiff]) -> bool {
    diffs
        .iter()
        .any(|d| !d.added.is_empty() || !d.removed.is_empty())
}

/// The threshold `updatekeys` stores: the file's, capped at the new number of groups.
pub fn updated_threshold(file_threshold: usize, new_groups: usize) -> usize {
    file_threshold.min(new_groups)
}

/// sops's change listing (after its header line): the threshold change, then each
/// group with its common (`    `), added (`+++ `) and removed (`--- `) keys.
/// `color` adds the ANSI codes sops (fatih/color) uses when stdout is a terminal.
pub fn format_changes(
    old_threshold: usize,
    new_threshold: usize,
    diffs: &[GroupDiff],
    color: bool,
) -> String {
    let paint = |code: &str, text: String| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text
        }
    };
    let mut out = String::new();
    if old_threshold > 0 && old_threshold == new_threshold {
        out.push_str(&format!("shamir_threshold: {new_threshold}\n"));
    } else {
        if new_threshold > 0 {
            out.push_str(&paint(
                "32",
                format!("+++ shamir_threshold: {new_threshold}\n"),
            ));
        }
        if old_threshold > 0 {
            out.push_str(&paint(
                "31",
                format!("--- shamir_threshold: {old_threshold}\n"),
            ));
        }
    }
    for (i, diff) in diffs.iter().enumerate() {
        out.push_str(&paint("4", format!("Group {}\n", i + 1)));
        for k in &diff.common {
            out.push_str(&format!("    {k}\n"));
        }
        for k in &diff.added {
            out.push_str(&paint("32", format!("+++ {k}\n")));
        }
        for k in &diff.removed {
            out.push_str(&paint("31", format!("--- {k}\n")));
        }
    }
    out
}

/// The master keys of a configured group, in sops's order (age, PGP, KMS, GCP KMS,
/// Azure Key Vault, Vault).
pub fn group_from_spec(spec: &GroupSpec) -> Result<KeyGroup> {
    let mut group = KeyGroup::default();
    for r in &spec.age {
        group.keys.push(MasterKey::Age(AgeKey::new(r)?));
    }
    for fp in &spec.pgp {
        group.keys.push(MasterKey::Pgp(PgpKey::new(fp)?));
    }
    for k in &spec.kms {
        group.keys.push(MasterKey::Kms(KmsKey::from_parts(
            &k.arn,
            k.role.as_deref().unwrap_or(""),
            k.context.iter().cloned().collect(),
            &k.aws_profile,
        )));
    }
    for k in &spec.azure_keyvault {
        group.keys.push(MasterKey::AzureKv(AzureKvKey::new(
            &k.vault_url,
            &k.key,
            &k.version,
        )?));
    }
    for id in &spec.gcp_kms {
        group.keys.push(MasterKey::GcpKms(GcpKmsKey::new(id)));
    }
    for uri in &spec.hc_vault {
        group
            .keys
            .push(MasterKey::HcVault(VaultKey::from_uri(uri)?));
    }
    Ok(group)
}

/// The order these commands try keys in: the stored order, as sops passes no
/// preference here (unlike decrypt's age/PGP first).
pub fn stored_order() -> DecryptionOrder {
    DecryptionOrder(Vec::new())
}

/// Wraps `key` again for every key of the metadata's groups. With several groups
/// and no threshold, the threshold becomes the number of groups and is stored,
/// as sops does.
pub fn rewrap_data_key(metadata: &mut Metadata, key: &DataKey) -> Result<()> {
    let effective =
        crate::keys::wrap_data_key(&mut metadata.key_groups, metadata.shamir_threshold, key)
            .map_err(|e| match e {
                Error::GenerateDataKey(list) => {
                    Error::Other(format!("error updating one or more master keys: {list}"))
                }
                other => other,
            })?;
    metadata.shamir_threshold = effective;
    Ok(())
}

/// `groups add`: appends `group`; a non-zero `threshold` replaces the file's.
pub fn add_group(metadata: &mut Metadata, group: KeyGroup, threshold: usize) {
    metadata.key_groups.push(group);
    if threshold != 0 {
        metadata.shamir_threshold = threshold;
    }
}

/// `groups delete`: removes group `index` (0-based); a non-zero `threshold`
/// replaces the file's, and fewer groups than the threshold is refused.
pub fn delete_group(metadata: &mut Metadata, index: usize, threshold: usize) -> Result<()> {
    if index >= metadata.key_groups.len() {
        return Err(Error::Other(format!(
            "key group index {index} out of range: the file has {} key group(s), numbered from 0",
            metadata.key_groups.len()
        )));
    }
    metadata.key_groups.remove(index);
    if threshold != 0 {
        metadata.shamir_threshold = threshold;
    }
    if metadata.key_groups.len() < metadata.shamir_threshold {
        return Err(Error::Other(format!(
            "removing this key group will make the Shamir threshold impossible to satisfy: Shamir threshold is {}, but we only have {} key groups",
            metadata.shamir_threshold,
            metadata.key_groups.len()
        )));
    }
    Ok(())
}

/// The short form of a data-key failure that `groups` prints (sops's
/// `Error getting data key: N successful groups required, got M`), derived from
/// the full report of [`crate::keys::recover_data_key`].
pub fn short_data_key_error(metadata: &Metadata, report: &str) -> String {
    let required = if metadata.key_groups.len() > 1 {
        metadata.shamir_threshold
    } else {
        1
    };
    let got = report
        .lines()
        .filter(|l| l.starts_with("Group ") && l.contains("SUCCESS"))
        .count();
    format!("Error getting data key: {required} successful groups required, got {got}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const A1: &str = "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr";
    const A2: &str = "age1sejqed925yw6jgarccflp4x5ywce2kt82nr4l5ytyaz4t7f344ns3ghk62";
    const A3: &str = "age1mp433lm35l5uauxxr744ehq6djl23phy36ux79kct2xek7jt332qvj88we";

    fn group(recipients: &[&str]) -> KeyGroup {
        KeyGroup {
            keys: recipients
                .iter()
                .map(|r| MasterKey::Age(AgeKey::new(r).unwrap()))
                .collect(),
        }
    }

    fn metadata(groups: Vec<KeyGroup>, threshold: usize) -> Metadata {
        Metadata {
            key_groups: groups,
            shamir_threshold: threshold,
            last_modified: "2026-11-25T17:35:44Z".into(),
            mac: "ENC[x]".into(),
            rule: None,
            mac_only_encrypted: false,
            version: "3.11.0".into(),
        }
    }

    #[test]
    fn diff_by_position_like_sops() {
        let ours = vec![group(&[A1, A2])];
        let theirs = vec![group(&[A1]), group(&[A2]), group(&[A3])];
        let d = diff_key_groups(&ours, &theirs);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].common, [A1]);
        assert_eq!(d[0].removed, [A2]);
        assert_eq!(d[1].added, [A2]);
        assert!(keys_will_change(&d));
        let text = format_changes(0, 0, &d, false);
        assert_eq!(
            text,
            format!("Group 1\n    {A1}\n--- {A2}\nGroup 2\n+++ {A2}\nGroup 3\n+++ {A3}\n")
        );
        let same = diff_key_groups(&ours, &[group(&[A2, A1])]);
        assert!(!keys_will_change(&same));
    }

    #[test]
    fn threshold_lines() {
        assert_eq!(
            format_changes(3, 2, &[], false),
            "+++ shamir_threshold: 2\n--- shamir_threshold: 3\n"
        );
        assert_eq!(format_changes(2, 2, &[], false), "shamir_threshold: 2\n");
        assert_eq!(format_changes(0, 0, &[], false), "");
        assert_eq!(
            format_changes(0, 2, &[], true),
            "\x1b[32m+++ shamir_threshold: 2\n\x1b[0m"
        );
        assert_eq!(updated_threshold(3, 2), 2);
        assert_eq!(updated_threshold(0, 3), 0);
    }

    #[test]
    fn delete_checks_index_and_threshold() {
        let mut md = metadata(vec![group(&[A1]), group(&[A2])], 2);
        assert!(delete_group(&mut md, 5, 0).is_err());
        let err = delete_group(&mut md, 1, 0).unwrap_err().to_string();
        assert_eq!(
            err,
            "removing this key group will make the Shamir threshold impossible to satisfy: Shamir threshold is 2, but we only have 1 key groups"
        );
        let mut md = metadata(vec![group(&[A1]), group(&[A2])], 2);
        delete_group(&mut md, 1, 1).unwrap();
        assert_eq!(md.key_groups.len(), 1);
        assert_eq!(md.shamir_threshold, 1);
    }

    #[test]
    fn rewrap_stores_group_count_as_threshold() {
        let mut md = metadata(vec![group(&[A1])], 0);
        add_group(&mut md, group(&[A2, A3]), 0);
        let key = DataKey::generate().unwrap();
        rewrap_data_key(&mut md, &key).unwrap();
        assert_eq!(md.shamir_threshold, 2);
        let mut empty = metadata(vec![group(&[A1]), KeyGroup::default()], 0);
        let err = rewrap_data_key(&mut empty, &key).unwrap_err().to_string();
        assert_eq!(
            err,
            "error updating one or more master keys: [empty key group provided]"
        );
    }

    #[test]
    fn short_error_counts_successful_groups() {
        let md = metadata(vec![group(&[A1]), group(&[A2]), group(&[A3])], 2);
        let report = "Failed…\n\nGroup 0: SUCCESS\n\nGroup 1: FAILED\n  x: FAILED\n";
        assert_eq!(
            short_data_key_error(&md, report),
            "Error getting data key: 2 successful groups required, got 1"
        );
    }

    #[test]
    fn config_keys_of_every_type_are_built() {
        // With a version no request is needed (an empty one is resolved through Key Vault).
        let spec = GroupSpec {
            azure_keyvault: vec![crate::config::AzureSpec {
                vault_url: "https://v.vault.azure.net".into(),
                key: "k".into(),
                version: "1".into(),
            }],
            ..GroupSpec::default()
        };
        let group = group_from_spec(&spec).unwrap();
        assert_eq!(
            group.keys[0].identifier(),
            "https://v.vault.azure.net/keys/k/1"
        );
        let spec = GroupSpec {
            hc_vault: vec!["https://v:8200/v1/transit/keys/k".into()],
            ..GroupSpec::default()
        };
        let group = group_from_spec(&spec).unwrap();
        assert_eq!(group.keys[0].type_name(), "hc_vault");
        let spec = GroupSpec {
            hc_vault: vec!["vault.example.com/v1/transit/keys/k".into()],
            ..GroupSpec::default()
        };
        assert!(group_from_spec(&spec).is_err());
        let spec = GroupSpec {
            gcp_kms: vec!["projects/p/locations/l/keyRings/r/cryptoKeys/k".into()],
            ..GroupSpec::default()
        };
        let group = group_from_spec(&spec).unwrap();
        assert_eq!(group.keys[0].type_name(), "gcp_kms");
        let spec = GroupSpec {
            age: vec![A1.into()],
            ..GroupSpec::default()
        };
        assert_eq!(group_from_spec(&spec).unwrap().keys.len(), 1);
    }
}
