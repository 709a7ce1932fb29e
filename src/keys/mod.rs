//! Master keys: wrapping and unwrapping the data key, key groups, decryption order (spec §5).
//!
//! Each key type lives in its own module. A key type sops-rs cannot use yet is
//! kept verbatim ([`UnsupportedKey`]) so that its metadata survives a rewrite and
//! the error says which type is missing.

pub mod age;
pub mod azkv;
pub mod environment;
pub mod gcpkms;
pub mod hcvault;
pub mod http;
pub mod kms;
pub mod pgp;
pub mod report;
pub mod shamir;

use crate::datakey::DataKey;
use crate::error::{Error, Result};
use crate::keys::environment::Environment;
use crate::keys::report::{GroupOutcome, KeyFailure};
use crate::tree::Map;
use zeroize::Zeroizing;

/// One master key entry of the metadata.
pub enum MasterKey {
    /// An age recipient (X25519, SSH or plugin).
    Age(age::AgeKey),
    /// A PGP key used through the `gpg` binary.
    Pgp(pgp::PgpKey),
    /// An AWS KMS key (optionally through an IAM role).
    Kms(kms::KmsKey),
    /// An Azure Key Vault key.
    AzureKv(azkv::AzureKvKey),
    /// A GCP Cloud KMS key.
    GcpKms(gcpkms::GcpKmsKey),
    /// A HashiCorp Vault transit key.
    HcVault(hcvault::VaultKey),
    /// A key type that is stored but not usable yet (kms, gcp_kms, azure_kv, hc_vault, hckms).
    Unsupported(UnsupportedKey),
}

/// A master key of a type sops-rs does not implement yet, kept as read.
pub struct UnsupportedKey {
    /// The metadata list it came from: `kms`, `gcp_kms`, `azure_kv`, `hc_vault`, `hckms`.
    pub type_name: String,
    /// Its fields exactly as read, in file order.
    pub fields: Map,
}

/// Keys that each wrap the same data key (or the same Shamir share).
#[derive(Default)]
pub struct KeyGroup {
    /// The keys, in metadata order.
    pub keys: Vec<MasterKey>,
}

impl MasterKey {
    /// The metadata type id: `age`, `pgp`, `kms`, `gcp_kms`, `azure_kv`, `hc_vault`.
    pub fn type_name(&self) -> &str {
        match self {
            MasterKey::Age(_) => "age",
            MasterKey::Pgp(_) => "pgp",
            MasterKey::Kms(_) => "kms",
            MasterKey::AzureKv(_) => "azure_kv",
            MasterKey::GcpKms(_) => "gcp_kms",
            MasterKey::HcVault(_) => "hc_vault",
            MasterKey::Unsupported(k) => &k.type_name,
        }
    }

    /// What identifies the key to a user: recipient, fingerprint, ARN, URL.
    pub fn identifier(&self) -> String {
        match self {
            MasterKey::Age(k) => k.recipient().to_string(),
            MasterKey::Pgp(k) => k.fingerprint().to_string(),
            MasterKey::Kms(k) => k.identifier(),
            MasterKey::AzureKv(k) => k.identifier(),
            MasterKey::GcpKms(k) => k.identifier(),
            MasterKey::HcVault(k) => k.identifier(),
            MasterKey::Unsupported(k) => unsupported_identifier(k),
        }
    }

    /// Wraps `data_key` (or a share) and stores the result in the key.
    pub fn encrypt(&mut self, data_key: &[u8]) -> Result<()> {
        match self {
            MasterKey::Age(k) => k.encrypt(data_key),
            MasterKey::Pgp(k) => k.encrypt(data_key),
            MasterKey::Kms(k) => k.encrypt(data_key),
            MasterKey::AzureKv(k) => k.encrypt(data_key),
            MasterKey::GcpKms(k) => k.encrypt(data_key),
            MasterKey::HcVault(k) => k.encrypt(data_key),
            MasterKey::Unsupported(k) => Err(Error::Other(format!(
                "{} master keys are not supported by sops-rs yet",
                k.type_name
            ))),
        }
    }

    /// Unwraps the stored data key (or share).
    pub fn decrypt(&self) -> Result<Zeroizing<Vec<u8>>> {
        self.decrypt_with(&Environment::from_process())
    }

    /// Unwraps the stored data key (or share), reading identities from `env`.
    pub fn decrypt_with(&self, env: &Environment) -> Result<Zeroizing<Vec<u8>>> {
        match self {
            MasterKey::Age(k) => k.decrypt_with(env),
            // gpg reads its own environment (GNUPGHOME, SOPS_GPG_EXEC) from the process.
            MasterKey::Pgp(k) => k.decrypt(),
            // The AWS SDK reads its own environment (credentials, endpoints) from the process.
            MasterKey::Kms(k) => k.decrypt(),
            // Azure credentials are read from the process environment, as Go's azidentity does.
            MasterKey::AzureKv(k) => k.decrypt(),
            MasterKey::GcpKms(k) => k.decrypt_with(env),
            MasterKey::HcVault(k) => k.decrypt_with(env),
            MasterKey::Unsupported(k) => Err(Error::Other(format!(
                "{} master keys are not supported by sops-rs yet",
                k.type_name
            ))),
        }
    }

    /// The key's metadata entry, fields in sops's order (spec §4.1).
    pub fn to_metadata(&self) -> Map {
        match self {
            MasterKey::Age(k) => k.to_metadata(),
            MasterKey::Pgp(k) => k.to_metadata(),
            MasterKey::Kms(k) => k.to_metadata(),
            MasterKey::AzureKv(k) => k.to_metadata(),
            MasterKey::GcpKms(k) => k.to_metadata(),
            MasterKey::HcVault(k) => k.to_metadata(),
            MasterKey::Unsupported(k) => k.fields.clone(),
        }
    }

    /// Reads one entry of the metadata list `type_name`.
    pub fn from_metadata(type_name: &str, entry: &Map) -> Result<MasterKey> {
        match type_name {
            "age" => Ok(MasterKey::Age(age::AgeKey::from_metadata(entry)?)),
            "pgp" => Ok(MasterKey::Pgp(pgp::PgpKey::from_metadata(entry)?)),
            "kms" => Ok(MasterKey::Kms(kms::KmsKey::from_metadata(entry)?)),
            "azure_kv" => Ok(MasterKey::AzureKv(azkv::AzureKvKey::from_metadata(entry)?)),
            "gcp_kms" => Ok(MasterKey::GcpKms(gcpkms::GcpKmsKey::from_metadata(entry)?)),
            "hc_vault" => Ok(MasterKey::HcVault(hcvault::VaultKey::from_metadata(entry)?)),
            other => Ok(MasterKey::Unsupported(UnsupportedKey {
                type_name: other.to_string(),
                fields: entry.clone(),
            })),
        }
    }
}

fn unsupported_identifier(k: &UnsupportedKey) -> String {
    let field = match k.type_name.as_str() {
        "pgp" => "fp",
        "kms" => "arn",
        "gcp_kms" => "resource_id",
        "azure_kv" => "vault_url",
        "hc_vault" => "vault_address",
        _ => "",
    };
    match k.fields.get(field) {
        Some(crate::tree::Value::Str(s)) => s.to_string(),
        _ => k.type_name.clone(),
    }
}

/// The order in which key types are tried when decrypting (`--decryption-order`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptionOrder(pub Vec<String>);

impl Default for DecryptionOrder {
    /// age and PGP first, then the cloud keys in stored order.
    fn default() -> Self {
        DecryptionOrder(vec!["age".into(), "pgp".into()])
    }
}

impl DecryptionOrder {
    /// Parses a comma-separated list of key type ids; a repeated id is an error (exit 112).
    pub fn parse(s: &str) -> Result<Self> {
        let mut out: Vec<String> = Vec::new();
        for id in s.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if out.iter().any(|o| o == id) {
                return Err(Error::DuplicateDecryptionKeyType(id.to_string()));
            }
            out.push(id.to_string());
        }
        Ok(DecryptionOrder(out))
    }
}

/// Wraps `data_key` with every key of every group and returns the effective Shamir threshold.
///
/// One group: every key wraps the whole key (the threshold is returned unchanged).
/// Several groups: the key is split with Shamir, `threshold` of them needed (0 means
/// all groups, and that number is returned so it can be stored); every key of group
/// `i` wraps share `i`. On failure the error is [`Error::GenerateDataKey`] whose
/// inner text is sops's bracketed list (`[failed to encrypt new data key with master
/// key "<id>": …]`), so its `Display` is exactly sops's `encrypt` message.
pub fn wrap_data_key(
    groups: &mut [KeyGroup],
    threshold: usize,
    data_key: &DataKey,
) -> Result<usize> {
    let fail = |errs: Vec<String>| Error::GenerateDataKey(format!("[{}]", errs.join(" ")));
    if groups.is_empty() {
        return Err(fail(vec!["no key groups provided".into()]));
    }
    let mut effective = threshold;
    let parts: Vec<Zeroizing<Vec<u8>>> = if groups.len() == 1 {
        vec![Zeroizing::new(data_key.as_bytes().to_vec())]
    } else {
        if effective == 0 {
            effective = groups.len();
        }
        shamir::split(data_key.as_bytes(), groups.len(), effective).map_err(|e| {
            fail(vec![format!(
                "could not split data key into parts for Shamir: {e}"
            )])
        })?
    };
    let mut errs = Vec::new();
    for (group, part) in groups.iter_mut().zip(&parts) {
        if group.keys.is_empty() {
            return Err(fail(vec!["empty key group provided".into()]));
        }
        for key in &mut group.keys {
            if let Err(e) = key.encrypt(part) {
                errs.push(format!(
                    "failed to encrypt new data key with master key {}: {e}",
                    age::gocompat::quote(&key.identifier())
                ));
            }
        }
    }
    if errs.is_empty() {
        Ok(effective)
    } else {
        Err(fail(errs))
    }
}

/// Recovers the data key: each group tries its keys in `order` until one works;
/// on failure the error is the full per-group report sops prints (exit 128).
pub fn recover_data_key(
    groups: &[KeyGroup],
    threshold: usize,
    order: &DecryptionOrder,
) -> Result<DataKey> {
    recover_data_key_with(groups, threshold, order, &Environment::from_process())
}

/// [`recover_data_key`] with identities and credentials read from `env`.
pub fn recover_data_key_with(
    groups: &[KeyGroup],
    threshold: usize,
    order: &DecryptionOrder,
    env: &Environment,
) -> Result<DataKey> {
    let mut parts: Vec<Zeroizing<Vec<u8>>> = Vec::new();
    let mut outcomes: Vec<GroupOutcome> = Vec::with_capacity(groups.len());
    for group in groups {
        match decrypt_group(group, order, env) {
            Ok(part) => {
                parts.push(part);
                outcomes.push(None);
            }
            Err(failures) => outcomes.push(Some(failures)),
        }
    }
    let style = if report_in_color(env) {
        report::Style::Color
    } else {
        report::Style::Plain
    };
    let report = || Error::DataKey(report::data_key_report_styled(threshold, &outcomes, style));
    if groups.len() > 1 {
        if parts.len() < threshold {
            return Err(report());
        }
        let slices: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
        let key = shamir::combine(&slices)
            .map_err(|e| Error::Other(format!("could not get data key from shamir parts: {e}")))?;
        DataKey::from_slice(&key)
    } else {
        match parts.as_slice() {
            [part] => DataKey::from_slice(part),
            _ => Err(report()),
        }
    }
}

/// sops (fatih/color) colours the report when stdout is a terminal, `NO_COLOR` is
/// empty and `TERM` is not `dumb`.
fn report_in_color(env: &Environment) -> bool {
    use std::io::IsTerminal;
    env.var("NO_COLOR").is_none_or(|v| v.is_empty())
        && env.var("TERM").as_deref() != Some("dumb")
        && std::io::stdout().is_terminal()
}

/// The indices of `keys` in the order they are tried (stable; unknown types last).
fn try_order(keys: &[MasterKey], order: &DecryptionOrder) -> Vec<usize> {
    let priority = |k: &MasterKey| {
        order
            .0
            .iter()
            .position(|t| t == k.type_name())
            .unwrap_or(order.0.len())
    };
    let mut indices: Vec<usize> = (0..keys.len()).collect();
    indices.sort_by_key(|&i| keys.get(i).map_or(usize::MAX, priority));
    indices
}

fn decrypt_group(
    group: &KeyGroup,
    order: &DecryptionOrder,
    env: &Environment,
) -> std::result::Result<Zeroizing<Vec<u8>>, Vec<KeyFailure>> {
    let mut failures = Vec::new();
    for i in try_order(&group.keys, order) {
        let Some(key) = group.keys.get(i) else {
            continue;
        };
        match key.decrypt_with(env) {
            Ok(part) => return Ok(part),
            Err(e) => failures.push(KeyFailure {
                identifier: key.identifier(),
                errors: vec![e.to_string()],
            }),
        }
    }
    Err(failures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Value;

    const V: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/vectors/generated-sops-3.11.0"
    );
    /// Same length as the home directory used when the oracle's reports were captured,
    /// so that line wrapping is identical; it must not exist.
    const HOME: &str = "/nonexist/h1";

    /// The `(recipient, enc)` pairs of a YAML file written by sops, in file order.
    fn age_entries(path: &str) -> Vec<(String, String)> {
        let text = std::fs::read_to_string(path).unwrap();
        let mut out = Vec::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("recipient: ") {
            rest = &rest[i + 11..];
            let recipient = rest[..rest.find('\n').unwrap()].trim().to_string();
            let begin = rest.find("-----BEGIN").unwrap();
            let end = rest.find("-----END AGE ENCRYPTED FILE-----").unwrap() + 32;
            let enc: String = rest[begin..end]
                .lines()
                .map(|l| format!("{}\n", l.trim()))
                .collect();
            out.push((recipient, enc));
            rest = &rest[end..];
        }
        out
    }

    fn age_key(recipient: &str, enc: &str) -> MasterKey {
        let mut m = Map::new();
        m.push("recipient", Value::str(recipient));
        m.push("enc", Value::str(enc));
        MasterKey::from_metadata("age", &m).unwrap()
    }

    fn env(vars: &[(&str, String)]) -> Environment {
        let mut all = vec![
            ("HOME".to_string(), HOME.to_string()),
            ("PATH".into(), "/usr/bin:/bin".into()),
            // Exact report texts: never coloured, even when stdout is a terminal.
            ("NO_COLOR".into(), "1".into()),
        ];
        all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.clone())));
        Environment::from_vars(all)
    }

    fn key_file(n: u8) -> String {
        format!("{V}/keys/age{n}.keys.txt")
    }

    fn shamir_groups() -> Vec<KeyGroup> {
        age_entries(&format!("{V}/cases/shamir/yaml-shamir-2of3.enc.yaml"))
            .iter()
            .map(|(r, e)| KeyGroup {
                keys: vec![age_key(r, e)],
            })
            .collect()
    }

    /// Decrypts one `ENC[AES256_GCM,…]` value with `key` (AAD = the value's path `hello:`).
    fn decrypt_value(key: &DataKey, enc: &str, aad: &str) -> Vec<u8> {
        use aes_gcm::aead::{Aead, KeyInit, Payload};
        use base64::Engine;
        let field = |name: &str| {
            let start = enc.find(&format!("{name}:")).unwrap() + name.len() + 1;
            let end = enc[start..].find(',').unwrap() + start;
            base64::engine::general_purpose::STANDARD
                .decode(&enc[start..end])
                .unwrap()
        };
        let (data, iv, tag) = (field("data"), field("iv"), field("tag"));
        type Gcm = aes_gcm::AesGcm<aes_gcm::aes::Aes256, aes_gcm::aead::consts::U32>;
        let cipher = Gcm::new_from_slice(key.as_bytes()).unwrap();
        let mut msg = data.clone();
        msg.extend_from_slice(&tag);
        cipher
            .decrypt(
                aes_gcm::Nonce::<aes_gcm::aead::consts::U32>::from_slice(&iv),
                Payload {
                    msg: &msg,
                    aad: aad.as_bytes(),
                },
            )
            .unwrap()
    }

    #[test]
    fn shamir_vector_any_two_groups_recover_the_same_key() {
        let groups = shamir_groups();
        assert_eq!(groups.len(), 3);
        let shares: Vec<Zeroizing<Vec<u8>>> = groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                g.keys[0]
                    .decrypt_with(&env(&[("SOPS_AGE_KEY_FILE", key_file(i as u8 + 1))]))
                    .unwrap()
            })
            .collect();
        for (i, s) in shares.iter().enumerate() {
            assert_eq!(s.len(), 33);
            assert_eq!(s[32] as usize, i + 1);
        }
        let k12 = shamir::combine(&[&shares[0], &shares[1]]).unwrap();
        let k23 = shamir::combine(&[&shares[1], &shares[2]]).unwrap();
        let k13 = shamir::combine(&[&shares[2], &shares[0]]).unwrap();
        assert_eq!(k12.len(), 32);
        assert_eq!(k12, k23);
        assert_eq!(k12, k13);
        // The recovered key really decrypts the file's values.
        let text =
            std::fs::read_to_string(format!("{V}/cases/shamir/yaml-shamir-2of3.enc.yaml")).unwrap();
        let line = text.lines().find(|l| l.starts_with("hello: ")).unwrap();
        let plain = decrypt_value(&DataKey::from_slice(&k12).unwrap(), &line[7..], "hello:");
        let expected =
            std::fs::read_to_string(format!("{V}/cases/shamir/yaml-shamir-2of3.dec.yaml")).unwrap();
        let want = expected.lines().find(|l| l.starts_with("hello: ")).unwrap()[7..].to_string();
        assert_eq!(String::from_utf8(plain).unwrap(), want);

        // recover_data_key with two of the three keys available.
        let both = format!(
            "{}{}",
            std::fs::read_to_string(key_file(2)).unwrap(),
            std::fs::read_to_string(key_file(3)).unwrap()
        );
        let key = recover_data_key_with(
            &groups,
            2,
            &DecryptionOrder::default(),
            &env(&[("SOPS_AGE_KEY", both)]),
        )
        .unwrap();
        assert_eq!(key.as_bytes().as_slice(), k12.as_slice());
    }

    #[test]
    fn shamir_vector_one_group_is_not_enough_report_matches_sops() {
        let groups = shamir_groups();
        let err = recover_data_key_with(
            &groups,
            2,
            &DecryptionOrder::default(),
            &env(&[("SOPS_AGE_KEY_FILE", key_file(1))]),
        )
        .unwrap_err();
        assert!(matches!(err, Error::DataKey(_)));
        let expected = "Failed to get the data key required to decrypt the SOPS file.

Group 0: SUCCESS

Group 1: FAILED
  age1sejqed925yw6jgarccflp4x5ywce2kt82nr4l5ytyaz4t7f344ns3ghk62: FAILED
    - | failed to create reader for decrypting sops data key with
      | age: identity did not match any of the recipients: incorrect
      | identity for recipient block. Did not find keys in locations
      | 'SOPS_AGE_SSH_PRIVATE_KEY_FILE',
      | '/nonexist/h1/.ssh/id_ed25519', '/nonexist/h1/.ssh/id_rsa',
      | 'SOPS_AGE_KEY', and 'SOPS_AGE_KEY_CMD'.

Group 2: FAILED
  age1mp433lm35l5uauxxr744ehq6djl23phy36ux79kct2xek7jt332qvj88we: FAILED
    - | failed to create reader for decrypting sops data key with
      | age: identity did not match any of the recipients: incorrect
      | identity for recipient block. Did not find keys in locations
      | 'SOPS_AGE_SSH_PRIVATE_KEY_FILE',
      | '/nonexist/h1/.ssh/id_ed25519', '/nonexist/h1/.ssh/id_rsa',
      | 'SOPS_AGE_KEY', and 'SOPS_AGE_KEY_CMD'.

Recovery failed because the file was encrypted with a Shamir threshold of
2, but only 1 part(s) were successfully recovered, one for each successful
key group. In order for SOPS to recover the file, at least 2 groups have to
be successful. In order for a group to be successful, decryption has to
succeed with any of the keys in that key group.";
        assert_eq!(err.to_string(), expected);
    }

    #[test]
    fn single_group_report_with_wrong_and_broken_sources_matches_sops() {
        let entries = age_entries(&format!("{V}/cases/yaml-two-age-recipients.enc.yaml"));
        let groups = vec![KeyGroup {
            keys: entries.iter().map(|(r, e)| age_key(r, e)).collect(),
        }];
        let err = recover_data_key_with(
            &groups,
            0,
            &DecryptionOrder::default(),
            &env(&[
                ("SOPS_AGE_KEY_FILE", key_file(3)),
                ("SOPS_AGE_KEY", "bogus".into()),
                ("SOPS_AGE_KEY_CMD", "false".into()),
                ("SOPS_AGE_SSH_PRIVATE_KEY_FILE", "/nonexist".into()),
            ]),
        )
        .unwrap_err();
        let one = "    - | failed to create reader for decrypting sops data key with
      | age: identity did not match any of the recipients: incorrect
      | identity for recipient block. Errors while loading age
      | identities: failed to open file: open /nonexist: no such
      | file or directory; failed to execute command false from
      | SOPS_AGE_KEY_CMD: exit status 1; failed to parse
      | 'SOPS_AGE_KEY' age identities: unknown identity type. Did
      | not find keys in locations '/nonexist/h1/.ssh/id_ed25519'
      | and '/nonexist/h1/.ssh/id_rsa'.";
        let expected = format!(
            "Failed to get the data key required to decrypt the SOPS file.

Group 0: FAILED
  age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr: FAILED
{one}
  
  age1sejqed925yw6jgarccflp4x5ywce2kt82nr4l5ytyaz4t7f344ns3ghk62: FAILED
{one}

Recovery failed because no master key was able to decrypt the file. In
order for SOPS to recover the file, at least one key has to be successful,
but none were."
        );
        assert_eq!(err.to_string(), expected);
        // With the right key it works, whichever entry matches.
        let key = recover_data_key_with(
            &groups,
            0,
            &DecryptionOrder::default(),
            &env(&[("SOPS_AGE_KEY_FILE", key_file(2))]),
        )
        .unwrap();
        assert_eq!(key.as_bytes().len(), 32);
    }

    /// A key of any type, kept as read (enough for ordering tests; never decrypted).
    fn stored_as_is(type_name: &str, field: &str, id: &str) -> MasterKey {
        let mut fields = Map::new();
        fields.push(field, Value::str(id));
        MasterKey::Unsupported(UnsupportedKey {
            type_name: type_name.into(),
            fields,
        })
    }

    #[test]
    fn try_order_is_stable_by_type_priority() {
        let keys = vec![
            stored_as_is("kms", "arn", "arn1"),
            stored_as_is("pgp", "fp", "FP1"),
            age_key(
                "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr",
                "",
            ),
            stored_as_is("gcp_kms", "resource_id", "g1"),
            stored_as_is("pgp", "fp", "FP2"),
            stored_as_is("hc_vault", "vault_address", "v1"),
        ];
        assert_eq!(
            try_order(&keys, &DecryptionOrder::default()),
            vec![2, 1, 4, 0, 3, 5]
        );
        let custom = DecryptionOrder::parse("hc_vault,kms").unwrap();
        assert_eq!(try_order(&keys, &custom), vec![5, 0, 1, 2, 3, 4]);
        assert_eq!(
            try_order(&keys, &DecryptionOrder(vec![])),
            vec![0, 1, 2, 3, 4, 5]
        );
    }

    #[test]
    fn unsupported_keys_are_reported_in_try_order() {
        let groups = vec![KeyGroup {
            keys: vec![
                stored_as_is("kms", "arn", "arn:aws:kms:x"),
                stored_as_is("gcp_kms", "resource_id", "projects/p"),
            ],
        }];
        let order = DecryptionOrder::parse("gcp_kms").unwrap();
        let err = recover_data_key_with(&groups, 0, &order, &env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains(
            "Group 0: FAILED\n  projects/p: FAILED\n    - | gcp_kms master keys are not supported by sops-rs yet\n  \n  arn:aws:kms:x: FAILED\n    - | kms master keys are not supported by sops-rs yet\n"
        ), "{err}");
    }

    #[test]
    fn wrap_one_group_full_key_and_round_trip() {
        let data_key = DataKey::generate().unwrap();
        let r = "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr";
        let mut groups = vec![KeyGroup {
            keys: vec![MasterKey::Age(age::AgeKey::new(r).unwrap())],
        }];
        assert_eq!(wrap_data_key(&mut groups, 0, &data_key).unwrap(), 0);
        let env = env(&[("SOPS_AGE_KEY_FILE", key_file(1))]);
        let got = recover_data_key_with(&groups, 0, &DecryptionOrder::default(), &env).unwrap();
        assert_eq!(got.as_bytes(), data_key.as_bytes());
        assert_eq!(groups[0].keys[0].decrypt_with(&env).unwrap().len(), 32);
    }

    #[test]
    fn wrap_several_groups_uses_shamir() {
        let data_key = DataKey::generate().unwrap();
        let recipients = [
            "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr",
            "age1sejqed925yw6jgarccflp4x5ywce2kt82nr4l5ytyaz4t7f344ns3ghk62",
            "age1mp433lm35l5uauxxr744ehq6djl23phy36ux79kct2xek7jt332qvj88we",
        ];
        let mut groups: Vec<KeyGroup> = recipients
            .iter()
            .map(|r| KeyGroup {
                keys: vec![MasterKey::Age(age::AgeKey::new(r).unwrap())],
            })
            .collect();
        // Threshold 0 becomes the number of groups.
        assert_eq!(wrap_data_key(&mut groups, 0, &data_key).unwrap(), 3);
        let share = groups[1].keys[0]
            .decrypt_with(&env(&[("SOPS_AGE_KEY_FILE", key_file(2))]))
            .unwrap();
        assert_eq!(share.len(), 33);
        assert_eq!(share[32], 2);
        let all = [1u8, 2, 3]
            .map(|n| std::fs::read_to_string(key_file(n)).unwrap())
            .concat();
        let got = recover_data_key_with(
            &groups,
            3,
            &DecryptionOrder::default(),
            &env(&[("SOPS_AGE_KEY", all)]),
        )
        .unwrap();
        assert_eq!(got.as_bytes(), data_key.as_bytes());
        assert_eq!(wrap_data_key(&mut groups, 2, &data_key).unwrap(), 2);
    }

    #[test]
    fn wrap_errors_in_sops_words() {
        let data_key = DataKey::generate().unwrap();
        let err = wrap_data_key(&mut [], 0, &data_key)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "Could not generate data key: [no key groups provided]");
        let r = "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr";
        let mut groups = vec![
            KeyGroup {
                keys: vec![MasterKey::Age(age::AgeKey::new(r).unwrap())],
            },
            KeyGroup::default(),
        ];
        assert_eq!(
            wrap_data_key(&mut groups, 0, &data_key)
                .unwrap_err()
                .to_string(),
            "Could not generate data key: [empty key group provided]"
        );
        assert_eq!(
            wrap_data_key(&mut groups, 3, &data_key)
                .unwrap_err()
                .to_string(),
            "Could not generate data key: [could not split data key into parts for Shamir: parts cannot be less than threshold]"
        );
        assert_eq!(
            wrap_data_key(&mut groups, 1, &data_key)
                .unwrap_err()
                .to_string(),
            "Could not generate data key: [could not split data key into parts for Shamir: threshold must be at least 2]"
        );
        let mut groups = vec![KeyGroup {
            keys: vec![
                stored_as_is("azure_kv", "vault_url", "https://v"),
                stored_as_is("kms", "arn", "arn:x"),
            ],
        }];
        assert_eq!(
            wrap_data_key(&mut groups, 0, &data_key)
                .unwrap_err()
                .to_string(),
            "Could not generate data key: [failed to encrypt new data key with master key \"https://v\": azure_kv master keys are not supported by sops-rs yet failed to encrypt new data key with master key \"arn:x\": kms master keys are not supported by sops-rs yet]"
        );
    }

    /// Text captured from the sops 3.11 reference binary (`--age plugin,x25519,plugin`).
    #[test]
    fn wrap_error_list_matches_sops() {
        let p = "age1foo1qqqsyqcyq5rqwzqfhala6s";
        let r = "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr";
        let mut groups = vec![KeyGroup {
            keys: [p, r, p]
                .iter()
                .map(|k| MasterKey::Age(age::AgeKey::new(k).unwrap()))
                .collect(),
        }];
        let one = format!(
            "failed to encrypt new data key with master key \"{p}\": failed to create writer for encrypting \
             sops data key with age: failed to wrap key for recipient #0: foo plugin: couldn't start plugin: \
             \"foo\" plugin not found: exec: \"age-plugin-foo\": executable file not found in $PATH"
        );
        assert_eq!(
            wrap_data_key(&mut groups, 0, &DataKey::generate().unwrap())
                .unwrap_err()
                .to_string(),
            format!("Could not generate data key: [{one} {one}]")
        );
    }

    #[test]
    fn pgp_entries_become_pgp_keys() {
        let mut m = Map::new();
        m.push("created_at", Value::str("2026-11-24T16:17:11Z"));
        m.push(
            "enc",
            Value::str("-----BEGIN PGP MESSAGE-----\nx\n-----END PGP MESSAGE-----"),
        );
        m.push("fp", Value::str("FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4"));
        let k = MasterKey::from_metadata("pgp", &m).unwrap();
        assert!(matches!(k, MasterKey::Pgp(_)));
        assert_eq!(k.type_name(), "pgp");
        assert_eq!(k.identifier(), "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4");
        assert!(k.to_metadata() == m);
        let mut bad = Map::new();
        bad.push("fp", Value::str("ABC"));
        assert!(MasterKey::from_metadata("pgp", &bad).is_err());
    }

    #[test]
    fn decryption_order_duplicates_rejected() {
        assert!(matches!(
            DecryptionOrder::parse("age,pgp,age"),
            Err(Error::DuplicateDecryptionKeyType(t)) if t == "age"
        ));
        assert_eq!(
            DecryptionOrder::parse("kms, age").unwrap().0,
            vec!["kms", "age"]
        );
    }
}
