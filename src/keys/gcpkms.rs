//! GCP Cloud KMS master keys: resource ids, the `gcp_kms` metadata entry, Encrypt/Decrypt (spec §4.1, §5.6).
//!
//! sops 3.11 calls Cloud KMS over gRPC; sops-rs calls the equivalent REST methods
//! (`cryptoKeys.encrypt`/`decrypt`: same key, same ciphertext bytes) through the shared
//! blocking client in [`crate::keys::http`], so no gRPC stack or async runtime is linked in.
//! Credentials, tokens and the HTTP client are set up only when a GCP key is actually used.

mod api;
mod auth;
mod jwt;

use crate::error::{Error, Result};
use crate::keys::age::gocompat::quote;
use crate::keys::environment::Environment;
use crate::tree::{Map, Timestamp, Value};
use zeroize::Zeroizing;

pub use api::{DEFAULT_ENDPOINT, ENDPOINT_ENV, GCLOUD_ENDPOINT_ENV};

/// One `gcp_kms` metadata entry: a Cloud KMS crypto key and the data key it encrypted.
pub struct GcpKmsKey {
    resource_id: String,
    created_at: String,
    enc: String,
}

impl GcpKmsKey {
    /// A key for `resource_id` (spaces removed, as sops does); the id is checked when
    /// the key is used, as sops does.
    pub fn new(resource_id: &str) -> GcpKmsKey {
        GcpKmsKey {
            resource_id: resource_id.chars().filter(|c| *c != ' ').collect(),
            created_at: Timestamp::now_utc().to_rfc3339(),
            enc: String::new(),
        }
    }

    /// The keys of a comma-separated list (`--gcp-kms`, `SOPS_GCP_KMS_IDS`); `""` gives none.
    pub fn from_list(ids: &str) -> Vec<GcpKmsKey> {
        if ids.is_empty() {
            return Vec::new();
        }
        ids.split(',').map(GcpKmsKey::new).collect()
    }

    /// The resource id, which is also how sops names the key.
    pub fn resource_id(&self) -> &str {
        &self.resource_id
    }

    /// How sops names the key in reports and `rotate --rm-gcp-kms`: the resource id.
    pub fn identifier(&self) -> String {
        self.resource_id.clone()
    }

    /// Encrypts `data_key` with Cloud KMS, credentials from the process environment.
    pub fn encrypt(&mut self, data_key: &[u8]) -> Result<()> {
        self.encrypt_with(&Environment::from_process(), data_key)
    }

    /// Encrypts `data_key` with Cloud KMS and stores the standard base64 of the ciphertext.
    pub fn encrypt_with(&mut self, env: &Environment, data_key: &[u8]) -> Result<()> {
        validate_resource_id(&self.resource_id).map_err(service_error)?;
        let session = api::Session::open(env).map_err(service_error)?;
        let ciphertext = session.encrypt(&self.resource_id, data_key).map_err(|e| {
            Error::Other(format!(
                "failed to encrypt sops data key with GCP KMS key: {e}"
            ))
        })?;
        self.enc = ciphertext;
        Ok(())
    }

    /// Recovers the data key with Cloud KMS, credentials from `env`.
    pub fn decrypt_with(&self, env: &Environment) -> Result<Zeroizing<Vec<u8>>> {
        validate_resource_id(&self.resource_id).map_err(service_error)?;
        let session = api::Session::open(env).map_err(service_error)?;
        // sops decodes before calling the service, so a corrupt entry fails without a request.
        let ciphertext = crate::gobase64::decode(self.enc.as_bytes())
            .map_err(|at| Error::Other(format!("illegal base64 data at input byte {at}")))?;
        session
            .decrypt(&self.resource_id, &ciphertext)
            .map_err(|e| {
                Error::Other(format!(
                    "failed to decrypt sops data key with GCP KMS key: {e}"
                ))
            })
    }

    /// `{resource_id, created_at, enc}` in sops's order.
    pub fn to_metadata(&self) -> Map {
        let mut m = Map::new();
        m.push("resource_id", Value::str(self.resource_id.clone()));
        m.push("created_at", Value::str(self.created_at.clone()));
        m.push("enc", Value::str(self.enc.clone()));
        m
    }

    /// Reads a `gcp_kms` entry. As in sops, a missing `resource_id` or `enc` is empty
    /// (the key then fails when used) but `created_at` must be RFC 3339.
    pub fn from_metadata(entry: &Map) -> Result<GcpKmsKey> {
        let created_at = match entry.get("created_at") {
            Some(Value::Str(s)) => Timestamp::parse_rfc3339(s)
                .map(crate::keys::kms::utc_rfc3339)
                .ok_or_else(|| bad_entry(&format!("created_at {:?} is not RFC 3339", &**s)))?,
            Some(Value::Time(t)) => crate::keys::kms::utc_rfc3339(*t),
            _ => return Err(bad_entry("no string \"created_at\"")),
        };
        Ok(GcpKmsKey {
            resource_id: optional_str(entry, "resource_id")?,
            created_at,
            enc: optional_str(entry, "enc")?,
        })
    }
}

/// Whether this process has set up GCP (credentials, HTTP client): false until a
/// GCP key encrypts or decrypts, so files without GCP keys cost nothing.
pub fn gcp_started() -> bool {
    api::is_started()
}

/// Checks sops's resource id pattern
/// `^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$`;
/// the error is sops's `no valid resource ID found in "<id>"`.
pub fn validate_resource_id(id: &str) -> std::result::Result<(), String> {
    let parts: Vec<&str> = id.split('/').collect();
    let fixed = ["projects", "locations", "keyRings", "cryptoKeys"];
    let ok = parts.len() == 8
        && parts.chunks(2).zip(fixed).all(|(pair, want)| match pair {
            [name, value] => *name == want && !value.is_empty(),
            _ => false,
        });
    if ok {
        Ok(())
    } else {
        Err(format!("no valid resource ID found in {}", quote(id)))
    }
}

/// sops wraps every client set-up failure (bad id, credentials) in this prefix.
fn service_error(e: String) -> Error {
    Error::Other(format!("cannot create GCP KMS service: {e}"))
}

fn bad_entry(what: &str) -> Error {
    Error::InvalidMetadata(format!("gcp_kms key entry: {what}"))
}

fn optional_str(entry: &Map, key: &str) -> Result<String> {
    match entry.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::Str(s)) => Ok(s.to_string()),
        Some(_) => Err(bad_entry(&format!("{key:?} is not a string"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "projects/p1/locations/global/keyRings/ring/cryptoKeys/key";

    #[test]
    fn resource_id_pattern_matches_sops() {
        assert!(validate_resource_id(ID).is_ok());
        assert!(
            validate_resource_id(
                "projects/my-proj/locations/europe-west1/keyRings/r_1/cryptoKeys/k.2"
            )
            .is_ok()
        );
        for bad in [
            "",
            "projects/p1/locations/global/keyRings/ring",
            "projects//locations/global/keyRings/ring/cryptoKeys/key",
            "projects/p1/locations/global/keyRings/ring/cryptoKeys/",
            "projects/p1/locations/global/keyRings/ring/cryptoKeys/key/",
            "projects/p1/locations/global/keyRings/ring/cryptoKeys/key/cryptoKeyVersions/1",
            "/projects/p1/locations/global/keyRings/ring/cryptoKeys/key",
            "project/p1/locations/global/keyRings/ring/cryptoKeys/key",
            "projects/p1/locations/global/keyrings/ring/cryptoKeys/key",
        ] {
            assert_eq!(
                validate_resource_id(bad).unwrap_err(),
                format!("no valid resource ID found in {}", quote(bad)),
                "{bad}"
            );
        }
    }

    #[test]
    fn invalid_id_fails_before_any_set_up() {
        let mut k = GcpKmsKey::new("projects/p/cryptoKeys/k");
        let env = Environment::from_vars([("HOME", "/nonexistent")]);
        let err = k.encrypt_with(&env, &[1; 32]).unwrap_err().to_string();
        assert_eq!(
            err,
            "cannot create GCP KMS service: no valid resource ID found in \"projects/p/cryptoKeys/k\""
        );
        assert!(k.decrypt_with(&env).is_err());
    }

    #[test]
    fn spaces_removed_and_lists_split() {
        let k = GcpKmsKey::new(" projects/p/locations/l/keyRings/r/cryptoKeys/k ");
        assert_eq!(
            k.identifier(),
            "projects/p/locations/l/keyRings/r/cryptoKeys/k"
        );
        assert!(GcpKmsKey::from_list("").is_empty());
        let ks = GcpKmsKey::from_list(&format!("{ID}, {ID}2"));
        assert_eq!(ks.len(), 2);
        assert_eq!(ks[1].resource_id(), format!("{ID}2"));
    }

    #[test]
    fn metadata_layout_and_round_trip() {
        let mut m = Map::new();
        m.push("resource_id", Value::str(ID));
        m.push("created_at", Value::str("2026-11-24T16:17:11Z"));
        m.push("enc", Value::str("CiQAbc=="));
        let k = GcpKmsKey::from_metadata(&m).unwrap();
        let back = k.to_metadata();
        assert!(back == m);
        let keys: Vec<String> = back
            .items
            .iter()
            .map(|i| match &i.key {
                crate::tree::Key::Str(s) => s.clone(),
                _ => panic!(),
            })
            .collect();
        assert_eq!(keys, ["resource_id", "created_at", "enc"]);
        // A new key: created_at now, enc empty until encrypted.
        let fresh = GcpKmsKey::new(ID).to_metadata();
        assert!(matches!(fresh.get("enc"), Some(Value::Str(s)) if s.is_empty()));
        assert!(matches!(fresh.get("created_at"),
            Some(Value::Str(s)) if Timestamp::parse_rfc3339(s).is_some()));
    }

    #[test]
    fn metadata_created_at_normalised_to_utc_and_required() {
        let mut m = Map::new();
        m.push("resource_id", Value::str(ID));
        m.push("created_at", Value::str("2026-11-24T18:17:11+02:00"));
        m.push("enc", Value::str("x"));
        let k = GcpKmsKey::from_metadata(&m).unwrap();
        assert!(matches!(k.to_metadata().get("created_at"),
            Some(Value::Str(s)) if &**s == "2026-11-24T16:17:11Z"));
        let mut bad = Map::new();
        bad.push("resource_id", Value::str(ID));
        bad.push("created_at", Value::str("yesterday"));
        assert!(GcpKmsKey::from_metadata(&bad).is_err());
        let mut none = Map::new();
        none.push("resource_id", Value::str(ID));
        assert!(GcpKmsKey::from_metadata(&none).is_err());
        let mut wrong_type = m.clone();
        wrong_type.remove("enc");
        wrong_type.push("enc", Value::Int(3));
        assert!(GcpKmsKey::from_metadata(&wrong_type).is_err());
    }

    #[test]
    fn corrupt_enc_is_a_base64_error() {
        let mut m = Map::new();
        m.push("resource_id", Value::str(ID));
        m.push("created_at", Value::str("2026-11-24T16:17:11Z"));
        m.push("enc", Value::str("not base64!"));
        let k = GcpKmsKey::from_metadata(&m).unwrap();
        let env = Environment::from_vars([
            ("HOME", "/nonexistent"),
            ("GOOGLE_OAUTH_ACCESS_TOKEN", "t"),
            (ENDPOINT_ENV, "http://127.0.0.1:9"),
        ]);
        let err = k.decrypt_with(&env).unwrap_err().to_string();
        assert_eq!(err, "illegal base64 data at input byte 3");
    }
}
