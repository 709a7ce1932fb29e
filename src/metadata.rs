//! The `sops` metadata block: fields, order, omission rules, reading and writing (spec §4).
//!
//! Every store receives the metadata as one ordered [`Map`] built here, so the
//! field order and omission rules of sops's Go struct live in one place; the
//! only per-store difference (an empty list inside a key group is `[]` in
//! YAML but `null` in JSON) is chosen by [`MetadataForm`].

use crate::error::{Error, Result};
use crate::gofmt;
use crate::keys::{KeyGroup, MasterKey};
use crate::selection::{DEFAULT_UNENCRYPTED_SUFFIX, SelectionRule, Selector};
use crate::store::MetadataForm;
use crate::tree::{Map, Timestamp, Value};

/// Everything in a file's `sops` entry.
pub struct Metadata {
    /// Key groups; one group is written flat, several as `key_groups`.
    pub key_groups: Vec<KeyGroup>,
    /// Shamir threshold; 0 = not written.
    pub shamir_threshold: usize,
    /// `lastmodified`, RFC 3339 as stored.
    pub last_modified: String,
    /// The encrypted MAC (`ENC[…,type:str]`), or empty.
    pub mac: String,
    /// The selection rule; `None` for binary files (nothing written).
    pub rule: Option<SelectionRule>,
    /// `mac_only_encrypted`.
    pub mac_only_encrypted: bool,
    /// `version`.
    pub version: String,
}

/// Master key list names as they appear flat under `sops` (the order sops's
/// loader puts keys into a group, which is also the try order before sorting).
const KEY_TYPES_LOAD_ORDER: [&str; 7] = [
    "kms", "gcp_kms", "hckms", "azure_kv", "hc_vault", "pgp", "age",
];

/// The message sops gives for a file with two selection rules.
pub const TWO_RULES: &str = "Cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, or unencrypted_comment_regex in the same file";

impl Metadata {
    /// The compiled selection rule of this file.
    pub fn selector(&self) -> Selector {
        Selector::new(self.rule.as_ref())
    }

    /// The metadata map in sops's field order and omission rules (spec §4.1).
    pub fn to_map(&self, form: MetadataForm) -> Map {
        let mut m = Map::new();
        if self.shamir_threshold != 0 {
            m.push(
                "shamir_threshold",
                Value::Int(i64::try_from(self.shamir_threshold).unwrap_or(i64::MAX)),
            );
        }
        let flat = self.key_groups.len() == 1;
        if !flat && !self.key_groups.is_empty() {
            let groups = self
                .key_groups
                .iter()
                .map(|g| Value::Map(group_map(g, form)))
                .collect();
            m.push("key_groups", Value::List(groups));
        }
        let single = if flat { self.key_groups.first() } else { None };
        for t in ["kms", "gcp_kms", "hckms", "azure_kv", "hc_vault", "age"] {
            if let Some(list) = single.and_then(|g| keys_of_type(g, t)) {
                m.push(t, list);
            }
        }
        m.push("lastmodified", Value::str(self.last_modified.clone()));
        m.push("mac", Value::str(self.mac.clone()));
        if let Some(list) = single.and_then(|g| keys_of_type(g, "pgp")) {
            m.push("pgp", list);
        }
        if let Some(rule) = &self.rule
            && !rule.pattern().is_empty()
        {
            m.push(rule.field_name(), Value::str(rule.pattern()));
        }
        if self.mac_only_encrypted {
            m.push("mac_only_encrypted", Value::Bool(true));
        }
        m.push("version", Value::str(self.version.clone()));
        m
    }

    /// Reads a metadata map with sops's rules (spec §4.1 "Reading rules"); the
    /// version is not checked here (see [`crate::version::check_version`]).
    pub fn from_map(map: &Map) -> Result<Metadata> {
        // Checked in sops's order: lastmodified, keys, selection rules.
        let last_modified = read_last_modified(map)?;
        let shamir_threshold = read_threshold(map.get("shamir_threshold"))?;
        let key_groups = read_key_groups(map)?;
        let mut rule = None;
        for field in SelectionRule::FIELDS {
            let pattern = string_field(map, field)?;
            if pattern.is_empty() {
                continue;
            }
            if rule.is_some() {
                return Err(Error::InvalidMetadata(TWO_RULES.into()));
            }
            rule = SelectionRule::from_field(field, pattern);
        }
        let rule = rule.or_else(|| {
            Some(SelectionRule::UnencryptedSuffix(
                DEFAULT_UNENCRYPTED_SUFFIX.into(),
            ))
        });
        let mac_only_encrypted = match map.get("mac_only_encrypted") {
            Some(Value::Bool(b)) => *b,
            Some(Value::Str(s)) => s.as_str() == "true",
            _ => false,
        };
        Ok(Metadata {
            key_groups,
            shamir_threshold,
            last_modified,
            mac: string_field(map, "mac")?,
            rule,
            mac_only_encrypted,
            version: string_field(map, "version")?,
        })
    }
}

/// One element of `key_groups`: `hc_vault` and `age` are never omitted.
fn group_map(group: &KeyGroup, form: MetadataForm) -> Map {
    let mut m = Map::new();
    for t in [
        "pgp", "kms", "gcp_kms", "hckms", "azure_kv", "hc_vault", "age",
    ] {
        match keys_of_type(group, t) {
            Some(list) => m.push(t, list),
            None if t == "hc_vault" || t == "age" => m.push(
                t,
                match form {
                    MetadataForm::Yaml => Value::List(Vec::new()),
                    MetadataForm::Json => Value::Null,
                },
            ),
            None => {}
        }
    }
    m
}

/// The metadata entries of the group's keys of type `t`, or `None` if there are none.
fn keys_of_type(group: &KeyGroup, t: &str) -> Option<Value> {
    let list: Vec<Value> = group
        .keys
        .iter()
        .filter(|k| k.type_name() == t)
        .map(|k| Value::Map(k.to_metadata()))
        .collect();
    (!list.is_empty()).then_some(Value::List(list))
}

/// A string field; absent or null is empty. Scalars of other types are read
/// as their text, as Go's YAML decoder does for a string field.
fn string_field(map: &Map, key: &str) -> Result<String> {
    Ok(match map.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::Str(s)) => s.to_string(),
        Some(Value::Int(i)) => i.to_string(),
        Some(Value::Uint64(u)) => u.to_string(),
        Some(Value::Float(f)) => gofmt::format_float_yaml(*f),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Time(t)) => t.to_rfc3339_nano(),
        Some(other) => {
            return Err(Error::InvalidMetadata(format!(
                "Error unmarshalling input: the sops field {key:?} is a {}, not a string",
                other.kind()
            )));
        }
    })
}

/// `lastmodified` re-formatted as Go's `Format(time.RFC3339)` of the parsed
/// time (the MAC's AAD): fraction dropped, zero offset written `Z`.
fn read_last_modified(map: &Map) -> Result<String> {
    let raw = string_field(map, "lastmodified")?;
    let ts = Timestamp::parse_rfc3339(&raw)
        .ok_or_else(|| Error::InvalidMetadata(crate::cipher::go_time_parse_error(&raw)))?;
    Ok(ts.to_rfc3339())
}

fn read_threshold(v: Option<&Value>) -> Result<usize> {
    let bad = |s: &str| Error::InvalidMetadata(format!("invalid shamir_threshold {s:?}"));
    match v {
        None | Some(Value::Null) => Ok(0),
        // sops writes a negative `--shamir-secret-sharing-threshold` as given when there
        // is one group (where it is never used), so such files must still load.
        Some(Value::Int(i)) if *i < 0 => Ok(0),
        Some(Value::Int(i)) => usize::try_from(*i).map_err(|_| bad(&i.to_string())),
        Some(Value::Float(f)) if f.fract() == 0.0 && *f >= 0.0 && *f < 1e9 => Ok(*f as usize),
        Some(Value::Str(s)) => {
            if let Some(i) = gofmt::parse_int(s) {
                return usize::try_from(i).map_err(|_| bad(s));
            }
            // Older sops wrote the flat form with `%f` (`2.000000`).
            match gofmt::parse_float(s) {
                Some(f) if f.fract() == 0.0 && (0.0..1e9).contains(&f) => Ok(f as usize),
                _ => Err(bad(s)),
            }
        }
        Some(_) => Err(bad("?")),
    }
}

/// Reads the master key lists of one group (flat `sops` map or a `key_groups` element).
fn read_group(map: &Map) -> Result<KeyGroup> {
    let mut group = KeyGroup::default();
    for t in KEY_TYPES_LOAD_ORDER {
        match map.get(t) {
            None | Some(Value::Null) => {}
            Some(Value::List(entries)) => {
                for e in entries {
                    let Value::Map(entry) = e else {
                        return Err(Error::InvalidMetadata(format!(
                            "Error unmarshalling input: an entry of sops.{t} is not a map"
                        )));
                    };
                    group.keys.push(MasterKey::from_metadata(t, entry)?);
                }
            }
            Some(other) => {
                return Err(Error::InvalidMetadata(format!(
                    "Error unmarshalling input: sops.{t} is a {}, not a list",
                    other.kind()
                )));
            }
        }
    }
    Ok(group)
}

fn read_key_groups(map: &Map) -> Result<Vec<KeyGroup>> {
    let flat = read_group(map)?;
    if !flat.keys.is_empty() {
        return Ok(vec![flat]);
    }
    let mut groups = Vec::new();
    match map.get("key_groups") {
        None | Some(Value::Null) => {}
        Some(Value::List(list)) => {
            for g in list {
                let Value::Map(gm) = g else {
                    return Err(Error::InvalidMetadata(
                        "Error unmarshalling input: an entry of sops.key_groups is not a map"
                            .into(),
                    ));
                };
                groups.push(read_group(gm)?);
            }
        }
        Some(other) => {
            return Err(Error::InvalidMetadata(format!(
                "Error unmarshalling input: sops.key_groups is a {}, not a list",
                other.kind()
            )));
        }
    }
    if groups.is_empty() {
        return Err(Error::InvalidMetadata("No keys found in file".into()));
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    fn age_entry(r: &str) -> Map {
        let mut m = Map::new();
        m.push("recipient", s(r));
        m.push(
            "enc",
            s("-----BEGIN AGE ENCRYPTED FILE-----\nx\n-----END AGE ENCRYPTED FILE-----\n"),
        );
        m
    }

    fn kms_entry() -> Map {
        let mut m = Map::new();
        m.push("arn", s("arn:aws:kms:eu-west-3:1:key/1"));
        m.push("created_at", s("2026-11-24T16:31:08Z"));
        m.push("enc", s("QUJD"));
        m.push("aws_profile", s(""));
        m
    }

    fn keys_of(map: &Map) -> Vec<&str> {
        map.items
            .iter()
            .filter_map(|i| match &i.key {
                crate::tree::Key::Str(k) => Some(k.as_str()),
                _ => None,
            })
            .collect()
    }

    fn base() -> Map {
        let mut m = Map::new();
        m.push("kms", Value::List(vec![Value::Map(kms_entry())]));
        m.push("age", Value::List(vec![Value::Map(age_entry("age1a"))]));
        m.push("lastmodified", s("2026-11-24T16:30:48Z"));
        m.push("mac", s("ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]"));
        m.push("pgp", Value::List(vec![]));
        m.push("unencrypted_suffix", s("_unencrypted"));
        m.push("version", s("3.11.0"));
        m
    }

    #[test]
    fn flat_round_trip_keeps_sops_field_order() {
        let md = Metadata::from_map(&base()).unwrap();
        assert_eq!(md.key_groups.len(), 1);
        assert_eq!(md.key_groups[0].keys.len(), 2);
        assert_eq!(md.key_groups[0].keys[0].type_name(), "kms");
        assert_eq!(md.version, "3.11.0");
        let out = md.to_map(MetadataForm::Yaml);
        assert_eq!(
            keys_of(&out),
            [
                "kms",
                "age",
                "lastmodified",
                "mac",
                "unencrypted_suffix",
                "version"
            ]
        );
    }

    #[test]
    fn key_groups_never_omit_hc_vault_and_age() {
        let mut g1 = KeyGroup::default();
        g1.keys
            .push(MasterKey::from_metadata("age", &age_entry("age1a")).unwrap());
        let mut g2 = KeyGroup::default();
        let mut pgp = Map::new();
        pgp.push("created_at", s("2026-11-24T16:31:08Z"));
        pgp.push(
            "enc",
            s("-----BEGIN PGP MESSAGE-----\nx\n-----END PGP MESSAGE-----"),
        );
        pgp.push("fp", s("FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4"));
        g2.keys.push(MasterKey::from_metadata("pgp", &pgp).unwrap());
        let mut azure = Map::new();
        azure.push("vault_url", s("https://v.vault.azure.net"));
        azure.push("name", s("k"));
        azure.push("version", s("1"));
        azure.push("created_at", s("2026-11-24T16:31:08Z"));
        azure.push("enc", s("abc"));
        g2.keys
            .push(MasterKey::from_metadata("azure_kv", &azure).unwrap());
        let md = Metadata {
            key_groups: vec![g1, g2],
            shamir_threshold: 2,
            last_modified: "2026-11-24T16:30:57Z".into(),
            mac: "ENC[x]".into(),
            rule: Some(SelectionRule::EncryptedRegex("^a".into())),
            mac_only_encrypted: true,
            version: "3.11.0".into(),
        };
        let y = md.to_map(MetadataForm::Yaml);
        assert_eq!(
            keys_of(&y),
            [
                "shamir_threshold",
                "key_groups",
                "lastmodified",
                "mac",
                "encrypted_regex",
                "mac_only_encrypted",
                "version"
            ]
        );
        let Some(Value::List(groups)) = y.get("key_groups") else {
            panic!()
        };
        let Value::Map(g1) = &groups[0] else { panic!() };
        assert_eq!(keys_of(g1), ["hc_vault", "age"]);
        assert!(matches!(g1.get("hc_vault"), Some(Value::List(l)) if l.is_empty()));
        let Value::Map(g2) = &groups[1] else { panic!() };
        assert_eq!(keys_of(g2), ["pgp", "azure_kv", "hc_vault", "age"]);
        let j = md.to_map(MetadataForm::Json);
        let Some(Value::List(groups)) = j.get("key_groups") else {
            panic!()
        };
        let Value::Map(g2) = &groups[1] else { panic!() };
        assert!(matches!(g2.get("age"), Some(Value::Null)));
        // And it reads back.
        let back = Metadata::from_map(&y).unwrap();
        assert_eq!(back.key_groups.len(), 2);
        assert_eq!(back.shamir_threshold, 2);
        assert!(back.mac_only_encrypted);
        assert_eq!(back.rule, Some(SelectionRule::EncryptedRegex("^a".into())));
    }

    #[test]
    fn reading_rules() {
        // Old files list empty key types; no rule means the default suffix.
        let mut m = base();
        m.remove("unencrypted_suffix");
        m.push("gcp_kms", Value::List(vec![]));
        m.push("hc_vault", Value::Null);
        m.push("some_future_field", s("ignored"));
        let md = Metadata::from_map(&m).unwrap();
        assert_eq!(
            md.rule,
            Some(SelectionRule::UnencryptedSuffix("_unencrypted".into()))
        );
        // Flat-store strings.
        m.push("shamir_threshold", s("2.000000"));
        m.push("mac_only_encrypted", s("true"));
        let md = Metadata::from_map(&m).unwrap();
        assert_eq!(md.shamir_threshold, 2);
        assert!(md.mac_only_encrypted);
        // lastmodified is re-formatted.
        let mut m = base();
        m.remove("lastmodified");
        m.push("lastmodified", s("2026-11-24T16:30:48.5+00:00"));
        assert_eq!(
            Metadata::from_map(&m).unwrap().last_modified,
            "2026-11-24T16:30:48Z"
        );
        let mut m = base();
        m.remove("lastmodified");
        m.push(
            "lastmodified",
            Value::Time(Timestamp::parse_rfc3339("2026-11-24T16:30:48Z").unwrap()),
        );
        assert_eq!(
            Metadata::from_map(&m).unwrap().last_modified,
            "2026-11-24T16:30:48Z"
        );
    }

    #[test]
    fn reading_errors_in_sops_order() {
        let mut m = base();
        m.remove("lastmodified");
        m.push("lastmodified", s("garbage"));
        m.remove("kms");
        m.remove("age");
        m.push("encrypted_regex", s("x"));
        assert_eq!(
            Metadata::from_map(&m).err().unwrap().to_string(),
            "parsing time \"garbage\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"garbage\" as \"2006\""
        );
        m.remove("lastmodified");
        m.push("lastmodified", s("2026-11-24T16:30:48Z"));
        assert_eq!(
            Metadata::from_map(&m).err().unwrap().to_string(),
            "No keys found in file"
        );
        m.push("age", Value::List(vec![Value::Map(age_entry("age1a"))]));
        assert_eq!(Metadata::from_map(&m).err().unwrap().to_string(), TWO_RULES);
        let mut m = base();
        m.remove("lastmodified");
        assert!(
            Metadata::from_map(&m)
                .err()
                .unwrap()
                .to_string()
                .starts_with("parsing time \"\"")
        );
    }

    #[test]
    fn flat_lists_win_over_key_groups() {
        let mut m = base();
        let mut g = Map::new();
        g.push(
            "age",
            Value::List(vec![
                Value::Map(age_entry("age1b")),
                Value::Map(age_entry("age1c")),
            ]),
        );
        m.push("key_groups", Value::List(vec![Value::Map(g.clone())]));
        let md = Metadata::from_map(&m).unwrap();
        assert_eq!(md.key_groups.len(), 1);
        assert_eq!(md.key_groups[0].keys.len(), 2);
        let mut m = base();
        m.remove("kms");
        m.remove("age");
        m.push("key_groups", Value::List(vec![Value::Map(g)]));
        let md = Metadata::from_map(&m).unwrap();
        assert_eq!(md.key_groups[0].keys.len(), 2);
        assert_eq!(md.key_groups[0].keys[1].identifier(), "age1c");
    }

    #[test]
    fn binary_files_write_no_rule() {
        let md = Metadata {
            key_groups: vec![],
            shamir_threshold: 0,
            last_modified: "2026-11-24T16:30:57Z".into(),
            mac: String::new(),
            rule: None,
            mac_only_encrypted: false,
            version: "3.11.0".into(),
        };
        assert_eq!(
            keys_of(&md.to_map(MetadataForm::Json)),
            ["lastmodified", "mac", "version"]
        );
    }
}
