//! The signed JWT a service account trades for an access token (RFC 7523, Google's `jwt-bearer` grant).
//!
//! Signing uses `ring` (already linked through rustls): RS256 over the service account's
//! PKCS#8 (or PKCS#1) private key, so no JOSE or OpenSSL crate is needed for one signature.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use zeroize::Zeroizing;

/// The scopes sops's Cloud KMS client asks for (the client library's defaults).
pub(crate) const SCOPES: &str =
    "https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/cloudkms";

/// How long the assertion is valid; Google accepts at most one hour.
const LIFETIME_SECS: u64 = 3600;

/// What the assertion says: who signs, for which token endpoint, with which key id.
pub(crate) struct Claims<'a> {
    /// The service account's `client_email` (issuer).
    pub issuer: &'a str,
    /// The token endpoint (audience).
    pub audience: &'a str,
    /// The service account's `private_key_id` (JWT `kid`; omitted when empty).
    pub key_id: &'a str,
    /// Issue time, seconds since the Unix epoch.
    pub issued_at: u64,
}

/// `header.claims.signature`, each base64url without padding, signed RS256 with `private_key_pem`.
pub(crate) fn assertion(claims: &Claims<'_>, private_key_pem: &str) -> Result<String, String> {
    let key = signing_key(private_key_pem)?;
    let mut header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
    if !claims.key_id.is_empty() {
        header["kid"] = claims.key_id.into();
    }
    let body = serde_json::json!({
        "iss": claims.issuer,
        "scope": SCOPES,
        "aud": claims.audience,
        "iat": claims.issued_at,
        "exp": claims.issued_at + LIFETIME_SECS,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(body.to_string())
    );
    let mut signature = vec![0u8; key.public().modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| "cannot sign the JWT assertion with the service account key".to_string())?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

/// The RSA key of a PEM block: `PRIVATE KEY` (PKCS#8, what Google issues) or `RSA PRIVATE KEY` (PKCS#1).
fn signing_key(pem: &str) -> Result<RsaKeyPair, String> {
    let (label, der) = pem_block(pem)
        .ok_or_else(|| "the service account's private_key is not a PEM private key".to_string())?;
    let parsed = match label {
        "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
        "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
        other => {
            return Err(format!(
                "the service account's private_key is a PEM {other:?} block, not an RSA private key"
            ));
        }
    };
    parsed.map_err(|e| format!("the service account's private_key is not a usable RSA key: {e}"))
}

/// The label and decoded body of the first PEM block, the body in a zeroized buffer.
fn pem_block(pem: &str) -> Option<(&str, Zeroizing<Vec<u8>>)> {
    let start = pem.find("-----BEGIN ")?;
    let rest = pem.get(start + 11..)?;
    let label_end = rest.find("-----")?;
    let label = rest.get(..label_end)?;
    let body_and_end = rest.get(label_end + 5..)?;
    let end = body_and_end.find(&format!("-----END {label}-----"))?;
    let body: Zeroizing<String> = Zeroizing::new(
        body_and_end
            .get(..end)?
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect(),
    );
    let der = Zeroizing::new(STANDARD.decode(body.as_bytes()).ok()?);
    Some((label, der))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

    const KEY: &str = include_str!("../../../tests/data/gcp/test-sa-key.pem");
    const PUBLIC: &[u8] = include_bytes!("../../../tests/data/gcp/test-sa-pub.der");

    fn claims() -> Claims<'static> {
        Claims {
            issuer: "sa@proj.iam.gserviceaccount.com",
            audience: "https://oauth2.googleapis.com/token",
            key_id: "kid-1",
            issued_at: 1_700_000_000,
        }
    }

    fn part(jwt: &str, i: usize) -> serde_json::Value {
        let p = jwt.split('.').nth(i).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
    }

    #[test]
    fn assertion_is_verifiable_with_the_public_key() {
        let jwt = assertion(&claims(), KEY).unwrap();
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, PUBLIC)
            .verify(input.as_bytes(), &sig)
            .unwrap();
        // Tampered claims do not verify.
        let forged = input.replacen("e", "f", 1);
        assert!(
            UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, PUBLIC)
                .verify(forged.as_bytes(), &sig)
                .is_err()
        );
    }

    #[test]
    fn header_and_claims_are_googles() {
        let jwt = assertion(&claims(), KEY).unwrap();
        assert_eq!(jwt.split('.').count(), 3);
        assert!(!jwt.contains('='));
        let header = part(&jwt, 0);
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["typ"], "JWT");
        assert_eq!(header["kid"], "kid-1");
        let body = part(&jwt, 1);
        assert_eq!(body["iss"], "sa@proj.iam.gserviceaccount.com");
        assert_eq!(body["aud"], "https://oauth2.googleapis.com/token");
        assert_eq!(body["scope"], SCOPES);
        assert_eq!(body["iat"], 1_700_000_000u64);
        assert_eq!(body["exp"], 1_700_003_600u64);
        let no_kid = Claims {
            key_id: "",
            ..claims()
        };
        assert!(
            part(&assertion(&no_kid, KEY).unwrap(), 0)
                .get("kid")
                .is_none()
        );
    }

    #[test]
    fn bad_keys_are_refused_with_a_reason() {
        assert!(
            assertion(&claims(), "not a key")
                .unwrap_err()
                .contains("not a PEM private key")
        );
        let cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(
            assertion(&claims(), cert)
                .unwrap_err()
                .contains("CERTIFICATE")
        );
        let garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(
            assertion(&claims(), garbage)
                .unwrap_err()
                .contains("not a usable RSA key")
        );
        let truncated = KEY.replace("-----END PRIVATE KEY-----", "");
        assert!(assertion(&claims(), &truncated).is_err());
    }
}
