//! HashiCorp Vault transit master keys: key URIs, the `hc_vault` metadata entry and the
//! encrypt/decrypt calls (spec §4.1, §5.8).
//!
//! This module is data handling; the network lives in `transit` (one blocking HTTPS
//! call through [`crate::keys::http`]) and the Vault client environment in `settings`,
//! both touched only when a Vault key actually encrypts or decrypts.

mod settings;
mod transit;
pub mod uri;

use crate::error::{Error, Result};
use crate::keys::environment::Environment;
use crate::tree::{Map, Timestamp, Value};
use transit::Failure;
use zeroize::Zeroizing;

/// One `hc_vault` metadata entry: a transit key and the data key it encrypted.
pub struct VaultKey {
    address: String,
    engine_path: String,
    key_name: String,
    created_at: String,
    enc: String,
}

impl VaultKey {
    /// A key from its parts, created now.
    pub fn new(address: &str, engine_path: &str, key_name: &str) -> VaultKey {
        VaultKey {
            address: address.to_string(),
            engine_path: engine_path.to_string(),
            key_name: key_name.to_string(),
            created_at: Timestamp::now_utc().to_rfc3339(),
            enc: String::new(),
        }
    }

    /// A key from `https://vault:8200/v1/<engine path>/keys/<key name>`; errors are sops's
    /// (`missing scheme in Vault URL …`, `vault path does not seem to be formatted correctly …`).
    pub fn from_uri(uri: &str) -> Result<VaultKey> {
        let parsed = uri::parse_key_uri(uri).map_err(Error::InvalidMasterKey)?;
        Ok(VaultKey::new(
            &parsed.address,
            &parsed.engine_path,
            &parsed.key_name,
        ))
    }

    /// The keys of a comma-separated URI list (`--hc-vault-transit`, `SOPS_VAULT_URIS`);
    /// empty items are skipped, as sops does.
    pub fn from_list(uris: &str) -> Result<Vec<VaultKey>> {
        uris.split(',')
            .filter(|u| !u.is_empty())
            .map(VaultKey::from_uri)
            .collect()
    }

    /// The server address (`vault_address`).
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The transit engine's mount path (`engine_path`).
    pub fn engine_path(&self) -> &str {
        &self.engine_path
    }

    /// The transit key's name (`key_name`).
    pub fn key_name(&self) -> &str {
        &self.key_name
    }

    /// How sops names the key: `<address>/v1/<engine path>/keys/<key name>`.
    pub fn identifier(&self) -> String {
        format!(
            "{}/v1/{}/keys/{}",
            self.address, self.engine_path, self.key_name
        )
    }

    /// Encrypts `data_key` with the transit key and stores Vault's ciphertext
    /// (`vault:v1:…`) verbatim; the environment is the process's.
    pub fn encrypt(&mut self, data_key: &[u8]) -> Result<()> {
        self.encrypt_with(data_key, &Environment::from_process())
    }

    /// [`VaultKey::encrypt`] reading the token and client settings from `env`.
    pub fn encrypt_with(&mut self, data_key: &[u8], env: &Environment) -> Result<()> {
        let full_path = uri::path_join(&[&self.engine_path, "encrypt", &self.key_name]);
        let fail = |why: String| {
            Error::Other(format!(
                "failed to encrypt sops data key to Vault transit backend '{full_path}': {why}"
            ))
        };
        let body = Zeroizing::new(
            format!(
                "{{\"plaintext\":\"{}\"}}",
                Zeroizing::new(base64_std(data_key)).as_str()
            )
            .into_bytes(),
        );
        let data = match transit::write(&self.address, &full_path, &body, env) {
            Ok(d) => d,
            Err(Failure::Client(e)) => return Err(Error::Other(e)),
            Err(Failure::Call(e)) => return Err(fail(e)),
        };
        let data = data.ok_or_else(|| fail("transit backend is empty".into()))?;
        match data.get("ciphertext") {
            None => Err(fail("no encrypted data".into())),
            Some(serde_json::Value::String(c)) => {
                self.enc = c.clone();
                Ok(())
            }
            Some(_) => Err(fail("encrypted ciphertext cannot be cast to string".into())),
        }
    }

    /// Recovers the data key through the transit `decrypt` endpoint.
    pub fn decrypt_with(&self, env: &Environment) -> Result<Zeroizing<Vec<u8>>> {
        let full_path = uri::path_join(&[&self.engine_path, "decrypt", &self.key_name]);
        let fail = |why: String| {
            Error::Other(format!(
                "failed to decrypt sops data key from Vault transit backend '{full_path}': {why}"
            ))
        };
        let body = serde_json::json!({ "ciphertext": self.enc }).to_string();
        let data = match transit::write(&self.address, &full_path, body.as_bytes(), env) {
            Ok(d) => d,
            Err(Failure::Client(e)) => return Err(Error::Other(e)),
            Err(Failure::Call(e)) => return Err(fail(e)),
        };
        let mut data = data.ok_or_else(|| fail("transit backend is empty".into()))?;
        let plaintext = match data.remove("plaintext") {
            None => return Err(fail("no decrypted data".into())),
            Some(serde_json::Value::String(p)) => Zeroizing::new(p),
            Some(_) => {
                return Err(fail(
                    "decrypted plaintext data cannot be cast to string".into(),
                ));
            }
        };
        crate::gobase64::decode(plaintext.as_bytes())
            .map(Zeroizing::new)
            .map_err(|_| fail("cannot decode base64 plaintext into data key bytes".into()))
    }

    /// `{vault_address, engine_path, key_name, created_at, enc}` in sops's order.
    pub fn to_metadata(&self) -> Map {
        let mut m = Map::new();
        m.push("vault_address", Value::str(self.address.clone()));
        m.push("engine_path", Value::str(self.engine_path.clone()));
        m.push("key_name", Value::str(self.key_name.clone()));
        m.push("created_at", Value::str(self.created_at.clone()));
        m.push("enc", Value::str(self.enc.clone()));
        m
    }

    /// Reads an `hc_vault` entry: `created_at` must be RFC 3339 (re-emitted in UTC);
    /// the other fields default to `""` when absent, as sops reads them.
    pub fn from_metadata(entry: &Map) -> Result<VaultKey> {
        let created_at = match entry.get("created_at") {
            Some(Value::Str(s)) => Timestamp::parse_rfc3339(s)
                .map(utc_rfc3339)
                .ok_or_else(|| bad_entry(&format!("created_at {:?} is not RFC 3339", &**s)))?,
            Some(Value::Time(t)) => utc_rfc3339(*t),
            _ => return Err(bad_entry("no string \"created_at\"")),
        };
        Ok(VaultKey {
            address: optional_str(entry, "vault_address")?,
            engine_path: optional_str(entry, "engine_path")?,
            key_name: optional_str(entry, "key_name")?,
            created_at,
            enc: optional_str(entry, "enc")?,
        })
    }
}

/// What to check when a Vault key failed, from sops's report or error list (`None`
/// when no Vault key failed): printed as a `hint:` line after sops's exact text.
pub fn hint(report: &str) -> Option<String> {
    // The report is word-wrapped with `| ` prefixes; compare on its words.
    let words: Vec<&str> = report.split_whitespace().filter(|w| *w != "|").collect();
    let text = words.join(" ");
    let vault = text.contains("Vault transit backend")
        || text.contains("cannot create Vault client")
        || text.contains("cannot get Vault token");
    if !vault {
        return None;
    }
    let advice = if text.contains("Code: 403.") || text.contains("non-printable characters") {
        "Vault refused the token: check VAULT_TOKEN (or ~/.vault-token), VAULT_NAMESPACE, and that the token's policy allows update on <engine>/encrypt|decrypt/<key>"
    } else if text.contains("encryption key not found")
        || text.contains("Code: 404.")
        || text.contains("no handler for route")
    {
        "check the engine path and key name of the key (<vault_address>/v1/<engine_path>/keys/<key_name>) and that the transit engine is mounted there"
    } else if text.contains("certificate") || text.contains("TLS") || text.contains("tls") {
        "the Vault server's TLS certificate is not trusted: set VAULT_CACERT or VAULT_CAPATH to its CA (VAULT_SKIP_VERIFY=true only for testing)"
    } else if text.contains("connection refused")
        || text.contains("deadline exceeded")
        || text.contains("dns")
        || text.contains("resolve")
    {
        "the Vault server named in the file is not reachable: check vault_address, the network, VAULT_AGENT_ADDR; VAULT_CLIENT_TIMEOUT and VAULT_MAX_RETRIES bound the wait"
    } else if text.contains("cannot create Vault client") {
        "check the VAULT_* environment variables named above"
    } else {
        "check the Vault server's answer above, VAULT_TOKEN and the key's transit engine"
    };
    Some(format!("hint: {advice}"))
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn bad_entry(what: &str) -> Error {
    Error::InvalidMetadata(format!("hc_vault key entry: {what}"))
}

fn optional_str(entry: &Map, key: &str) -> Result<String> {
    match entry.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::Str(s)) => Ok(s.to_string()),
        Some(_) => Err(bad_entry(&format!("{key:?} is not a string"))),
    }
}

/// sops writes `CreationDate.UTC().Format(time.RFC3339)`.
fn utc_rfc3339(t: Timestamp) -> String {
    let Some(off) = t.offset_seconds.filter(|o| *o != 0) else {
        return t.to_rfc3339();
    };
    let (y, m, d) = (i64::from(t.year), i64::from(t.month), i64::from(t.day));
    // Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    let y = y - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let secs =
        days * 86_400 + i64::from(t.hour) * 3600 + i64::from(t.minute) * 60 + i64::from(t.second)
            - i64::from(off);
    Timestamp::from_unix(secs).to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Map {
        let mut m = Map::new();
        m.push("vault_address", Value::str("http://127.0.0.1:8200"));
        m.push("engine_path", Value::str("sops"));
        m.push("key_name", Value::str("firstkey"));
        m.push("created_at", Value::str("2026-11-24T16:31:08Z"));
        m.push(
            "enc",
            Value::str("vault:v1:TU9DSy6ttRgj/3q1AYVQBHPKWzueeOSUbsSMrQ2iINwLf87p"),
        );
        m
    }

    #[test]
    fn metadata_round_trip_in_sops_order() {
        let k = VaultKey::from_metadata(&entry()).unwrap();
        assert!(k.to_metadata() == entry());
        assert_eq!(
            k.identifier(),
            "http://127.0.0.1:8200/v1/sops/keys/firstkey"
        );
        assert_eq!(
            (k.address(), k.engine_path(), k.key_name()),
            ("http://127.0.0.1:8200", "sops", "firstkey")
        );
    }

    #[test]
    fn metadata_must_fail_on_bad_entries() {
        let mut e = entry();
        e.items
            .retain(|i| !matches!(&i.key, crate::tree::Key::Str(k) if k == "created_at"));
        assert!(VaultKey::from_metadata(&e).is_err());
        let mut e = entry();
        for i in &mut e.items {
            if matches!(&i.key, crate::tree::Key::Str(k) if k == "created_at") {
                i.value = Value::str("yesterday");
            }
        }
        assert!(VaultKey::from_metadata(&e).is_err());
        let mut e = entry();
        e.push("x", Value::Int(1));
        for i in &mut e.items {
            if matches!(&i.key, crate::tree::Key::Str(k) if k == "key_name") {
                i.value = Value::Int(3);
            }
        }
        assert!(VaultKey::from_metadata(&e).is_err());
    }

    #[test]
    fn created_at_is_written_back_in_utc() {
        let mut e = Map::new();
        e.push("created_at", Value::str("2026-01-01T01:30:00+02:00"));
        let k = VaultKey::from_metadata(&e).unwrap();
        assert!(k.to_metadata().get("created_at") == Some(&Value::str("2025-12-31T23:30:00Z")));
        assert!(k.to_metadata().get("vault_address") == Some(&Value::str("")));
    }

    #[test]
    fn uri_lists_like_sops() {
        let keys =
            VaultKey::from_list("https://a:8200/v1/transit/keys/one,,http://b/v1/x/y/keys/two")
                .unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].identifier(), "https://a:8200/v1/transit/keys/one");
        assert_eq!(keys[1].engine_path(), "x/y");
        assert!(VaultKey::from_list("").unwrap().is_empty());
        let err = VaultKey::from_list("https://a/v1/transit/keys/k,nope")
            .err()
            .unwrap();
        assert!(err.to_string().starts_with("missing scheme in Vault URL"));
        let created = VaultKey::from_uri("https://a/v1/t/keys/k")
            .unwrap()
            .to_metadata();
        let Some(Value::Str(c)) = created.get("created_at") else {
            panic!("no created_at")
        };
        assert!(Timestamp::parse_rfc3339(c).is_some());
    }

    #[test]
    fn hints_only_for_vault_failures() {
        let wrapped = "    - | failed to decrypt sops data key from Vault transit backend\n      | 'sops/decrypt/k': Error making API request.\n      | Code: 403. Errors:\n      | \n      | * permission denied";
        assert!(hint(wrapped).unwrap().contains("VAULT_TOKEN"));
        let down = "failed to decrypt sops data key from Vault transit backend 't/decrypt/k': Put \"x\": dial tcp h:1: connect:\n      | connection refused";
        assert!(hint(down).unwrap().contains("not reachable"));
        assert!(
            hint("Vault transit backend 'x': invalid peer certificate: UnknownIssuer")
                .unwrap()
                .contains("VAULT_CACERT")
        );
        assert!(
            hint("Vault transit backend 'x': Code: 400. Errors: * encryption key not found")
                .unwrap()
                .contains("key name")
        );
        assert!(
            hint("cannot create Vault client: could not parse VAULT_SKIP_VERIFY")
                .unwrap()
                .contains("VAULT_*")
        );
        assert!(hint("age: no identity matched").is_none());
    }

    #[test]
    fn unreachable_server_fails_fast_with_the_url() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let mut k = VaultKey::new(&format!("http://127.0.0.1:{port}"), "transit", "k");
        let env = Environment::from_vars([
            ("HOME", "/nonexistent-sops-rs"),
            ("VAULT_TOKEN", "t"),
            ("VAULT_MAX_RETRIES", "0"),
        ]);
        let err = k.encrypt_with(&[1u8; 32], &env).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "failed to encrypt sops data key to Vault transit backend 'transit/encrypt/k': Put \"http://127.0.0.1:{port}/v1/transit/encrypt/k\": dial tcp 127.0.0.1:{port}: connect: connection refused"
            )
        );
        let err = k.decrypt_with(&env).unwrap_err().to_string();
        assert!(err.starts_with("failed to decrypt sops data key from Vault transit backend 'transit/decrypt/k': Put "), "{err}");
        // Settings errors are reported bare, before any request.
        let bad = Environment::from_vars([("VAULT_SKIP_VERIFY", "maybe")]);
        assert_eq!(
            k.decrypt_with(&bad).unwrap_err().to_string(),
            "cannot create Vault client: error encountered setting up default configuration: could not parse VAULT_SKIP_VERIFY"
        );
        let nonprint = Environment::from_vars([("VAULT_TOKEN", "tok\n")]);
        assert!(
            k.decrypt_with(&nonprint)
                .unwrap_err()
                .to_string()
                .ends_with(
                    "configured Vault token contains non-printable characters and cannot be used"
                )
        );
    }
}
