//! AWS KMS master keys: key specs, encryption contexts and the metadata entry (spec §4.1, §5.5).
//!
//! This module is pure data handling; every AWS call lives in the `aws` submodule, which is
//! only touched when a key actually encrypts or decrypts, so files without KMS
//! keys never start a runtime or read AWS configuration.

mod aws;

use crate::error::{Error, Result};
use crate::tree::{Map, Timestamp, Value};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// Where `ARN+ROLE_ARN` key specs are split (sops searches for this exact text).
const ROLE_MARKER: &str = "+arn:aws:iam::";

/// One `kms` metadata entry: a KMS key (optionally reached through an IAM role)
/// and the data key it encrypted.
pub struct KmsKey {
    arn: String,
    role: String,
    context: BTreeMap<String, String>,
    created_at: String,
    enc: String,
    aws_profile: String,
}

impl KmsKey {
    /// A key from a spec `ARN` or `ARN+ROLE_ARN` (spaces removed), with the
    /// encryption context sent on every call and the shared-config profile
    /// (`""` = the SDK's default chain). The ARN is checked when it is used, as sops does.
    pub fn new(arn_spec: &str, context: BTreeMap<String, String>, aws_profile: &str) -> KmsKey {
        let spec: String = arn_spec.chars().filter(|c| *c != ' ').collect();
        // sops splits only when the marker is not at the start (`index > 0`).
        let (arn, role) = match spec.find(ROLE_MARKER) {
            Some(i) if i > 0 => (
                spec.get(..i).unwrap_or_default().to_string(),
                spec.get(i + 1..).unwrap_or_default().to_string(),
            ),
            _ => (spec, String::new()),
        };
        KmsKey::from_parts(&arn, &role, context, aws_profile)
    }

    /// A key from parts given separately (`.sops.yaml` `key_groups` entries with
    /// `arn`, `role`, `context`, `aws_profile`), taken as they are.
    pub fn from_parts(
        arn: &str,
        role: &str,
        context: BTreeMap<String, String>,
        aws_profile: &str,
    ) -> KmsKey {
        KmsKey {
            arn: arn.to_string(),
            role: role.to_string(),
            context,
            created_at: Timestamp::now_utc().to_rfc3339(),
            enc: String::new(),
            aws_profile: aws_profile.to_string(),
        }
    }

    /// The keys of a comma-separated list of specs (`--kms`, `SOPS_KMS_ARN`,
    /// `.sops.yaml` `kms:`); an empty list gives no keys.
    pub fn from_list(
        specs: &str,
        context: &BTreeMap<String, String>,
        aws_profile: &str,
    ) -> Vec<KmsKey> {
        let specs: String = specs.chars().filter(|c| *c != ' ').collect();
        if specs.is_empty() {
            return Vec::new();
        }
        specs
            .split(',')
            .map(|spec| KmsKey::new(spec, context.clone(), aws_profile))
            .collect()
    }

    /// The key ARN (without the role).
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// How sops names the key in reports: `ARN[+ROLE][|k1:v1,k2:v2]` (context sorted).
    pub fn identifier(&self) -> String {
        let mut id = self.arn.clone();
        if !self.role.is_empty() {
            id.push('+');
            id.push_str(&self.role);
        }
        if !self.context.is_empty() {
            let pairs: Vec<String> = self
                .context
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect();
            id.push('|');
            id.push_str(&pairs.join(","));
        }
        id
    }

    /// The IAM role assumed before calling KMS (`""` = none).
    pub fn role(&self) -> &str {
        &self.role
    }

    /// The encryption context, sorted by key.
    pub fn context(&self) -> &BTreeMap<String, String> {
        &self.context
    }

    /// The shared-config profile (`""` = default chain).
    pub fn aws_profile(&self) -> &str {
        &self.aws_profile
    }

    /// Encrypts `data_key` with the KMS `Encrypt` API and stores the ciphertext blob.
    pub fn encrypt(&mut self, data_key: &[u8]) -> Result<()> {
        let region = region_of(&self.arn)?;
        self.enc = aws::encrypt(&self.target(region), data_key)?;
        Ok(())
    }

    /// Recovers the data key with the KMS `Decrypt` API.
    pub fn decrypt(&self) -> Result<Zeroizing<Vec<u8>>> {
        let region = region_of(&self.arn)?;
        aws::decrypt(&self.target(region), &self.enc)
    }

    fn target<'a>(&'a self, region: &'a str) -> aws::Target<'a> {
        aws::Target {
            arn: &self.arn,
            role: &self.role,
            region,
            profile: &self.aws_profile,
            context: &self.context,
        }
    }

    /// `{arn, role?, context?, created_at, enc, aws_profile}` in sops's order.
    pub fn to_metadata(&self) -> Map {
        let mut m = Map::new();
        m.push("arn", Value::str(self.arn.clone()));
        if !self.role.is_empty() {
            m.push("role", Value::str(self.role.clone()));
        }
        if !self.context.is_empty() {
            let mut ctx = Map::new();
            for (k, v) in &self.context {
                ctx.push(k.clone(), Value::str(v.clone()));
            }
            m.push("context", Value::Map(ctx));
        }
        m.push("created_at", Value::str(self.created_at.clone()));
        m.push("enc", Value::str(self.enc.clone()));
        m.push("aws_profile", Value::str(self.aws_profile.clone()));
        m
    }

    /// Reads a `kms` entry; `created_at` must be RFC 3339 (it is re-emitted in UTC).
    pub fn from_metadata(entry: &Map) -> Result<KmsKey> {
        let created_at = match entry.get("created_at") {
            Some(Value::Str(s)) => Timestamp::parse_rfc3339(s)
                .map(utc_rfc3339)
                .ok_or_else(|| bad_entry(&format!("created_at {:?} is not RFC 3339", &**s)))?,
            Some(Value::Time(t)) => utc_rfc3339(*t),
            _ => return Err(bad_entry("no string \"created_at\"")),
        };
        let context = match entry.get("context") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(Value::Map(m)) => {
                context_from_map(m).ok_or_else(|| bad_entry("context values must be strings"))?
            }
            Some(_) => return Err(bad_entry("context is not a map")),
        };
        Ok(KmsKey {
            arn: required_str(entry, "arn")?,
            role: optional_str(entry, "role")?,
            context,
            created_at,
            enc: required_str(entry, "enc")?,
            aws_profile: optional_str(entry, "aws_profile")?,
        })
    }
}

/// Whether this process has set up AWS (runtime, config, clients): false until a
/// KMS key encrypts or decrypts, so files without KMS keys cost nothing.
pub fn aws_started() -> bool {
    aws::is_started()
}

/// Parses `--encryption-context k1:v1,k2:v2` as sops does: every comma-separated
/// pair must split on `:` into exactly two parts (so values cannot contain `:`).
/// `""` is no context; anything malformed is [`Error::InvalidEncryptionContext`] (exit 6).
pub fn parse_encryption_context(text: &str) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    if text.is_empty() {
        return Ok(out);
    }
    for pair in text.split(',') {
        let mut parts = pair.split(':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(k), Some(v), None) => {
                out.insert(k.to_string(), v.to_string());
            }
            _ => return Err(Error::InvalidEncryptionContext),
        }
    }
    Ok(out)
}

/// An encryption context from a map (`.sops.yaml` key groups, metadata): string
/// values kept, nulls dropped; `None` when some value is not a string (sops then
/// uses no context at all).
pub fn context_from_map(map: &Map) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for item in &map.items {
        let crate::tree::Key::Str(k) = &item.key else {
            return None;
        };
        match &item.value {
            Value::Str(v) => {
                out.insert(k.clone(), v.to_string());
            }
            Value::Null => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The region in a KMS key ARN (capture 1 of sops's ARN regex); the ARN's region
/// wins over `AWS_REGION` because the key only exists there.
pub fn region_of(arn: &str) -> Result<&str> {
    let bad = || Error::Other(format!("no valid ARN found in '{arn}'"));
    let rest = arn.strip_prefix("arn:aws").ok_or_else(bad)?;
    // `[\w-]*` partition suffix (`-cn`, `-us-gov`), then `:kms:`.
    let partition_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let rest = rest
        .get(partition_len..)
        .and_then(|r| r.strip_prefix(":kms:"))
        .ok_or_else(bad)?;
    // `(.+):[0-9]+:(key|alias)/.+$` with a greedy region: take the last
    // `:<digits>:key/` or `:<digits>:alias/` that leaves a non-empty region and name.
    let mut best = None;
    for (i, _) in rest.match_indices(':') {
        if i == 0 {
            continue;
        }
        let Some(after) = rest.get(i + 1..) else {
            continue;
        };
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            continue;
        }
        let Some(tail) = after.get(digits..) else {
            continue;
        };
        let name = tail
            .strip_prefix(":key/")
            .or_else(|| tail.strip_prefix(":alias/"));
        if name.is_some_and(|n| !n.is_empty() && !n.contains('\n')) {
            best = Some(i);
        }
    }
    let region = best.and_then(|i| rest.get(..i)).ok_or_else(bad)?;
    if region.contains('\n') {
        return Err(bad());
    }
    Ok(region)
}

fn bad_entry(what: &str) -> Error {
    Error::InvalidMetadata(format!("kms key entry: {what}"))
}

fn required_str(entry: &Map, key: &str) -> Result<String> {
    match entry.get(key) {
        Some(Value::Str(s)) => Ok(s.to_string()),
        _ => Err(bad_entry(&format!("no string {key:?}"))),
    }
}

fn optional_str(entry: &Map, key: &str) -> Result<String> {
    match entry.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::Str(s)) => Ok(s.to_string()),
        Some(_) => Err(bad_entry(&format!("{key:?} is not a string"))),
    }
}

/// sops re-emits `created_at` as `CreationDate.UTC().Format(time.RFC3339)`.
pub(crate) fn utc_rfc3339(t: Timestamp) -> String {
    match t.offset_seconds {
        None | Some(0) => t.to_rfc3339(),
        Some(off) => {
            let secs = days_from_civil(t.year, t.month, t.day) * 86_400
                + i64::from(t.hour) * 3600
                + i64::from(t.minute) * 60
                + i64::from(t.second)
                - i64::from(off);
            Timestamp::from_unix(secs).to_rfc3339()
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = i64::from(year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn spec_with_role_is_split_and_spaces_removed() {
        let k = KmsKey::new(
            " arn:aws:kms:us-east-2:123456789012:alias/my alias+arn:aws:iam::123456789012:role/sops-role ",
            BTreeMap::new(),
            "",
        );
        assert_eq!(k.arn(), "arn:aws:kms:us-east-2:123456789012:alias/myalias");
        assert_eq!(k.role(), "arn:aws:iam::123456789012:role/sops-role");
    }

    #[test]
    fn spec_starting_with_the_role_marker_is_not_split() {
        let k = KmsKey::new("+arn:aws:iam::1:role/r", BTreeMap::new(), "");
        assert_eq!(k.arn(), "+arn:aws:iam::1:role/r");
        assert_eq!(k.role(), "");
    }

    #[test]
    fn identifier_is_sops_to_string() {
        let k = KmsKey::new(
            "arn:aws:kms:eu-west-3:1:key/k+arn:aws:iam::1:role/r",
            ctx(&[("b", "2"), ("a", "1")]),
            "",
        );
        assert_eq!(
            k.identifier(),
            "arn:aws:kms:eu-west-3:1:key/k+arn:aws:iam::1:role/r|a:1,b:2"
        );
        let k = KmsKey::new("arn:aws:kms:eu-west-3:1:key/k", BTreeMap::new(), "");
        assert_eq!(k.identifier(), "arn:aws:kms:eu-west-3:1:key/k");
    }

    #[test]
    fn parts_are_kept_as_given() {
        let k = KmsKey::from_parts(
            "arn:aws:kms:eu-west-3:1:key/k",
            "arn:aws:iam::1:role/r",
            ctx(&[("a", "b")]),
            "dev",
        );
        assert_eq!(k.arn(), "arn:aws:kms:eu-west-3:1:key/k");
        assert_eq!(k.role(), "arn:aws:iam::1:role/r");
        assert_eq!(k.aws_profile(), "dev");
        assert_eq!(
            k.identifier(),
            "arn:aws:kms:eu-west-3:1:key/k+arn:aws:iam::1:role/r|a:b"
        );
    }

    #[test]
    fn list_splits_on_commas() {
        let keys = KmsKey::from_list(
            "arn:aws:kms:eu-west-3:1:key/a, arn:aws:kms:us-east-2:1:alias/b+arn:aws:iam::1:role/r",
            &ctx(&[("a", "b")]),
            "p",
        );
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[1].role(), "arn:aws:iam::1:role/r");
        assert_eq!(keys[1].context(), &ctx(&[("a", "b")]));
        assert_eq!(keys[0].aws_profile(), "p");
        assert!(KmsKey::from_list(" ", &BTreeMap::new(), "").is_empty());
    }

    #[test]
    fn encryption_context_parsing() {
        assert_eq!(
            parse_encryption_context("env:prod,app:web").unwrap(),
            ctx(&[("app", "web"), ("env", "prod")])
        );
        assert_eq!(parse_encryption_context("").unwrap(), BTreeMap::new());
        assert_eq!(parse_encryption_context("a:").unwrap(), ctx(&[("a", "")]));
        for bad in ["a", "a:b:c", "a:b,", ",a:b", "a:b,c"] {
            let err = parse_encryption_context(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidEncryptionContext), "{bad}");
            assert_eq!(err.to_string(), "Invalid KMS encryption context format");
        }
    }

    #[test]
    fn region_comes_from_the_arn() {
        let ok = [
            (
                "arn:aws:kms:eu-west-3:123456789012:key/1111-2222",
                "eu-west-3",
            ),
            (
                "arn:aws:kms:us-east-2:123456789012:alias/myalias",
                "us-east-2",
            ),
            ("arn:aws-cn:kms:cn-north-1:123:key/x", "cn-north-1"),
            (
                "arn:aws-us-gov:kms:us-gov-west-1:123:key/x",
                "us-gov-west-1",
            ),
            ("arn:aws:kms:a:b:1:key/x", "a:b"),
        ];
        for (arn, region) in ok {
            assert_eq!(region_of(arn).unwrap(), region, "{arn}");
        }
        for arn in [
            "",
            "arn:aws:kms:us-east-1:abc:key/x",
            "arn:aws:kms::123:key/x",
            "arn:aws:kms:us-east-1:123:key/",
            "arn:aws:kms:us-east-1:123:secret/x",
            "arn:aws:s3:us-east-1:123:key/x",
            "aws:kms:us-east-1:123:key/x",
        ] {
            let err = region_of(arn).unwrap_err();
            assert_eq!(err.to_string(), format!("no valid ARN found in '{arn}'"));
        }
    }

    #[test]
    fn metadata_round_trip_keeps_sops_order() {
        let mut entry = Map::new();
        entry.push("arn", Value::str("arn:aws:kms:us-east-2:1:alias/a"));
        entry.push("role", Value::str("arn:aws:iam::1:role/r"));
        let mut c = Map::new();
        c.push("app", Value::str("web"));
        c.push("env", Value::str("prod"));
        entry.push("context", Value::Map(c));
        entry.push("created_at", Value::str("2026-11-24T16:31:08Z"));
        entry.push("enc", Value::str("QUJD"));
        entry.push("aws_profile", Value::str(""));
        let key = KmsKey::from_metadata(&entry).unwrap();
        assert!(key.to_metadata() == entry);
    }

    #[test]
    fn metadata_sorts_context_and_omits_empty_fields() {
        let key = KmsKey::new(
            "arn:aws:kms:eu-west-3:1:key/k",
            ctx(&[("z", "1"), ("a", "2")]),
            "",
        );
        let m = key.to_metadata();
        let keys: Vec<String> = m
            .items
            .iter()
            .map(|i| match &i.key {
                crate::tree::Key::Str(s) => s.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(keys, ["arn", "context", "created_at", "enc", "aws_profile"]);
        let Some(Value::Map(c)) = m.get("context") else {
            panic!("no context")
        };
        assert!(matches!(&c.items[0].key, crate::tree::Key::Str(k) if k == "a"));
        let plain = KmsKey::new("arn:aws:kms:eu-west-3:1:key/k", BTreeMap::new(), "p");
        let m = plain.to_metadata();
        assert!(m.get("context").is_none() && m.get("role").is_none());
        assert!(m.get("aws_profile") == Some(&Value::str("p")));
        let created = m.get("created_at").unwrap();
        let Value::Str(created) = created else {
            panic!("created_at is not a string")
        };
        assert!(Timestamp::parse_rfc3339(created).is_some());
    }

    #[test]
    fn metadata_must_fail_on_bad_entries() {
        let base = || {
            let mut e = Map::new();
            e.push("arn", Value::str("arn:aws:kms:eu-west-3:1:key/k"));
            e
        };
        // no created_at
        let mut e = base();
        e.push("enc", Value::str("x"));
        assert!(KmsKey::from_metadata(&e).is_err());
        // bad created_at
        let mut e = base();
        e.push("created_at", Value::str("yesterday"));
        e.push("enc", Value::str("x"));
        assert!(KmsKey::from_metadata(&e).is_err());
        // no enc
        let mut e = base();
        e.push("created_at", Value::str("2026-11-24T16:31:08Z"));
        assert!(KmsKey::from_metadata(&e).is_err());
        // non-string context value
        let mut e = base();
        let mut c = Map::new();
        c.push("a", Value::Int(1));
        e.push("context", Value::Map(c));
        e.push("created_at", Value::str("2026-11-24T16:31:08Z"));
        e.push("enc", Value::str("x"));
        assert!(KmsKey::from_metadata(&e).is_err());
        // missing aws_profile is accepted (older files) and written back as ""
        let mut e = base();
        e.push("created_at", Value::str("2026-11-24T16:31:08Z"));
        e.push("enc", Value::str("x"));
        let k = KmsKey::from_metadata(&e).unwrap();
        assert!(k.to_metadata().get("aws_profile") == Some(&Value::str("")));
    }

    #[test]
    fn created_at_is_written_back_in_utc() {
        let mut e = Map::new();
        e.push("arn", Value::str("arn:aws:kms:eu-west-3:1:key/k"));
        e.push("created_at", Value::str("2026-01-01T01:30:00+02:00"));
        e.push("enc", Value::str("x"));
        let k = KmsKey::from_metadata(&e).unwrap();
        assert!(k.to_metadata().get("created_at") == Some(&Value::str("2025-12-31T23:30:00Z")));
    }

    #[test]
    fn bad_arn_fails_before_any_aws_setup() {
        let mut k = KmsKey::new("not-an-arn", BTreeMap::new(), "");
        let err = k.encrypt(&[0u8; 32]).unwrap_err();
        assert_eq!(err.to_string(), "no valid ARN found in 'not-an-arn'");
        assert!(k.decrypt().is_err());
        assert!(
            !aws::is_started(),
            "a bad ARN must not start the runtime or read AWS config"
        );
    }
}
