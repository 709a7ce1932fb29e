//! Azure Key Vault master keys: key URLs, the metadata entry and RSA-OAEP-256 wrapping (spec §5.7).
//!
//! This module is pure data handling; the Key Vault REST calls live in `client` and the
//! credential chain in `auth`, both touched only when a key encrypts, decrypts or needs
//! its version resolved, so files without Azure keys never read Azure configuration.

mod assertion;
mod auth;
mod cli;
mod client;
mod form;

use crate::error::{Error, Result};
use crate::tree::{Map, Timestamp, Value};
use base64::Engine;
use zeroize::Zeroizing;

/// `enc` is the raw RSA-OAEP-256 result in Go's `base64.RawURLEncoding`.
const ENC_B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// One `azure_kv` metadata entry: a Key Vault key version and the data key it wrapped.
pub struct AzureKvKey {
    vault_url: String,
    name: String,
    version: String,
    created_at: String,
    enc: String,
}

impl AzureKvKey {
    /// A key from its parts, taken as they are (no network access); an empty version
    /// stays empty until [`AzureKvKey::resolve_version`].
    pub fn from_parts(vault_url: &str, name: &str, version: &str) -> AzureKvKey {
        AzureKvKey {
            vault_url: vault_url.to_string(),
            name: name.to_string(),
            version: version.to_string(),
            created_at: Timestamp::now_utc().to_rfc3339(),
            enc: String::new(),
        }
    }

    /// A key as sops builds it from `.sops.yaml` key groups: an empty version is
    /// resolved to the key's current version through Key Vault (as
    /// `NewMasterKeyWithOptionalVersion` does), so the file records a concrete one.
    pub fn new(vault_url: &str, name: &str, version: &str) -> Result<AzureKvKey> {
        let mut key = AzureKvKey::from_parts(vault_url, name, version);
        key.resolve_version()?;
        Ok(key)
    }

    /// A key from a URL `https://<vault>/keys/<name>[/<version>]` (`--azure-kv`,
    /// `SOPS_AZURE_KEYVAULT_URLS`, `.sops.yaml` `azure_keyvault:`), version resolved.
    pub fn from_url(url: &str) -> Result<AzureKvKey> {
        let (vault, name, version) = parse_key_url(url)?;
        AzureKvKey::new(&vault, &name, &version)
    }

    /// The keys of a comma-separated list of URLs; an empty list gives no keys.
    pub fn from_urls(urls: &str) -> Result<Vec<AzureKvKey>> {
        if urls.is_empty() {
            return Ok(Vec::new());
        }
        urls.split(',').map(AzureKvKey::from_url).collect()
    }

    /// Asks Key Vault for the key's current version when none is set.
    pub fn resolve_version(&mut self) -> Result<()> {
        if !self.version.is_empty() {
            return Ok(());
        }
        self.version = client::current_version(&self.vault_url, &self.name)
            .map_err(|e| Error::Other(format!("{e} (key {})", self.identifier())))?;
        Ok(())
    }

    /// The vault URL (`https://<vault>.vault.azure.net`).
    pub fn vault_url(&self) -> &str {
        &self.vault_url
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key version (empty only before resolution).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// How sops names the key: `<vaultUrl>/keys/<name>/<version>`.
    pub fn identifier(&self) -> String {
        format!("{}/keys/{}/{}", self.vault_url, self.name, self.version)
    }

    /// Wraps `data_key` with the Key Vault `encrypt` operation (RSA-OAEP-256).
    pub fn encrypt(&mut self, data_key: &[u8]) -> Result<()> {
        let wrapped = client::encrypt(&self.vault_url, &self.name, &self.version, data_key)
            .map_err(|e| {
                Error::Other(format!(
                    "failed to encrypt sops data key with Azure Key Vault key '{}': {e}",
                    self.identifier()
                ))
            })?;
        self.enc = ENC_B64.encode(wrapped);
        Ok(())
    }

    /// Recovers the data key with the Key Vault `decrypt` operation.
    pub fn decrypt(&self) -> Result<Zeroizing<Vec<u8>>> {
        let raw = ENC_B64.decode(self.enc.as_bytes()).map_err(|e| {
            Error::Other(format!(
                "failed to base64 decode Azure Key Vault encrypted key: {e}"
            ))
        })?;
        client::decrypt(&self.vault_url, &self.name, &self.version, &raw).map_err(|e| {
            Error::Other(format!(
                "failed to decrypt sops data key with Azure Key Vault key '{}': {e}",
                self.identifier()
            ))
        })
    }

    /// `{vault_url, name, version, created_at, enc}` in sops's order.
    pub fn to_metadata(&self) -> Map {
        let mut m = Map::new();
        m.push("vault_url", Value::str(self.vault_url.clone()));
        m.push("name", Value::str(self.name.clone()));
        m.push("version", Value::str(self.version.clone()));
        m.push("created_at", Value::str(self.created_at.clone()));
        m.push("enc", Value::str(self.enc.clone()));
        m
    }

    /// Reads an `azure_kv` entry; `created_at` must be RFC 3339 (re-emitted in UTC).
    pub fn from_metadata(entry: &Map) -> Result<AzureKvKey> {
        let created_at = match entry.get("created_at") {
            Some(Value::Str(s)) => Timestamp::parse_rfc3339(s)
                .map(utc_rfc3339)
                .ok_or_else(|| bad_entry(&format!("created_at {:?} is not RFC 3339", &**s)))?,
            Some(Value::Time(t)) => utc_rfc3339(*t),
            _ => return Err(bad_entry("no string \"created_at\"")),
        };
        Ok(AzureKvKey {
            vault_url: string_field(entry, "vault_url")?,
            name: string_field(entry, "name")?,
            version: string_field(entry, "version")?,
            created_at,
            enc: string_field(entry, "enc")?,
        })
    }
}

/// Whether this process has touched Azure (credentials, HTTP client): false until an
/// Azure key is used, so files without Azure keys cost nothing.
pub fn azure_started() -> bool {
    client::is_started()
}

/// Splits a key URL as sops's `^(https://[^/]+)/keys/([^/]+)(/[^/]*)?$` does
/// (surrounding spaces trimmed) into vault URL, name and version (maybe empty).
pub fn parse_key_url(url: &str) -> Result<(String, String, String)> {
    let url = url.trim();
    let bad = || {
        Error::InvalidMasterKey(format!(
            "could not parse {} into a valid Azure Key Vault MasterKey []",
            crate::keys::age::gocompat::quote(url)
        ))
    };
    let rest = url.strip_prefix("https://").ok_or_else(bad)?;
    let (host, path) = rest.split_once('/').ok_or_else(bad)?;
    let path = path.strip_prefix("keys/").ok_or_else(bad)?;
    let (name, version) = match path.split_once('/') {
        Some((n, v)) if !v.contains('/') => (n, v),
        Some(_) => return Err(bad()),
        None => (path, ""),
    };
    if host.is_empty() || name.is_empty() || url.contains('\n') {
        return Err(bad());
    }
    Ok((
        format!("https://{host}"),
        name.to_string(),
        version.to_string(),
    ))
}

/// sops re-emits `created_at` as `CreationDate.UTC().Format(time.RFC3339)`.
fn utc_rfc3339(t: Timestamp) -> String {
    match t.offset_seconds {
        None | Some(0) => t.to_rfc3339(),
        Some(off) => {
            // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
            let (m, d) = (i64::from(t.month), i64::from(t.day));
            let y = i64::from(t.year) - i64::from(m <= 2);
            let era = y.div_euclid(400);
            let yoe = y - era * 400;
            let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
            let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
            let secs = days * 86_400
                + i64::from(t.hour) * 3600
                + i64::from(t.minute) * 60
                + i64::from(t.second)
                - i64::from(off);
            Timestamp::from_unix(secs).to_rfc3339()
        }
    }
}

fn bad_entry(what: &str) -> Error {
    Error::InvalidMetadata(format!("azure_kv key entry: {what}"))
}

fn string_field(entry: &Map, key: &str) -> Result<String> {
    match entry.get(key) {
        Some(Value::Str(s)) => Ok(s.to_string()),
        None | Some(Value::Null) if key == "version" => Ok(String::new()),
        _ => Err(bad_entry(&format!("no string {key:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_urls_parse_like_sops() {
        assert_eq!(
            parse_key_url(" https://v.vault.azure.net/keys/k1/abc123 ").unwrap(),
            (
                "https://v.vault.azure.net".into(),
                "k1".into(),
                "abc123".into()
            )
        );
        assert_eq!(
            parse_key_url("https://v.vault.azure.net/keys/k1")
                .unwrap()
                .2,
            ""
        );
        assert_eq!(
            parse_key_url("https://v.vault.azure.net/keys/k1/")
                .unwrap()
                .2,
            ""
        );
        for bad in [
            "http://v.vault.azure.net/keys/k1/v",
            "https://v.vault.azure.net/secrets/k1/v",
            "https://v.vault.azure.net/keys/k1/v/x",
            "https:///keys/k1",
            "https://v.vault.azure.net/keys/",
            "",
        ] {
            assert!(parse_key_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_key_url("nope").unwrap_err().to_string(),
            "could not parse \"nope\" into a valid Azure Key Vault MasterKey []"
        );
    }

    #[test]
    fn metadata_round_trip_in_sops_order() {
        let mut m = Map::new();
        m.push("vault_url", Value::str("https://v.vault.azure.net"));
        m.push("name", Value::str("k"));
        m.push("version", Value::str("0123"));
        m.push("created_at", Value::str("2026-11-25T10:00:00+01:00"));
        m.push("enc", Value::str("abc_-"));
        let k = AzureKvKey::from_metadata(&m).unwrap();
        assert_eq!(k.identifier(), "https://v.vault.azure.net/keys/k/0123");
        let out = k.to_metadata();
        let keys: Vec<String> = out
            .items
            .iter()
            .map(|i| match &i.key {
                crate::tree::Key::Str(s) => s.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(keys, ["vault_url", "name", "version", "created_at", "enc"]);
        // Reading and writing entries touches nothing of Azure.
        assert!(!azure_started());
        assert!(
            matches!(out.get("created_at"), Some(Value::Str(s)) if &**s == "2026-11-25T09:00:00Z")
        );
        let mut no_created = Map::new();
        no_created.push("vault_url", Value::str("https://v"));
        assert!(AzureKvKey::from_metadata(&no_created).is_err());
        let mut bad_time = m.clone();
        if let Some(item) = bad_time
            .items
            .iter_mut()
            .find(|i| matches!(&i.key, crate::tree::Key::Str(s) if s == "created_at"))
        {
            item.value = Value::str("yesterday");
        }
        assert!(AzureKvKey::from_metadata(&bad_time).is_err());
    }

    #[test]
    fn bad_enc_fails_before_any_network_access() {
        let mut k = AzureKvKey::from_parts("https://v.vault.azure.net", "k", "1");
        k.enc = "not base64 url!".into();
        let err = k.decrypt().err().unwrap().to_string();
        assert!(
            err.starts_with("failed to base64 decode Azure Key Vault encrypted key"),
            "{err}"
        );
        k.enc = "YWJj==".into();
        assert!(k.decrypt().is_err());
    }

    #[test]
    fn empty_url_list_is_no_keys() {
        assert!(AzureKvKey::from_urls("").unwrap().is_empty());
        assert!(AzureKvKey::from_urls("https://v/keys/k/1,bad").is_err());
    }
}
