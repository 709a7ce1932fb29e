//! The client assertion of the certificate credential: a JWT signed with the certificate's key.
//!
//! Built and signed with `ring` (already the TLS provider) exactly as Go's MSAL does it
//! (PS256, SHA-256 thumbprint), so Entra ID sees the same request from sops and sops-rs.

use base64::Engine;
use zeroize::Zeroizing;

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A signed JWT (PS256) proving possession of the certificate's key, as MSAL builds it.
pub(super) fn client_assertion(
    path: &str,
    client_id: &str,
    audience: &str,
    send_chain: bool,
) -> Result<Zeroizing<String>, String> {
    use ring::signature::RsaKeyPair;
    use ureq::tls::PemItem;
    let pem = Zeroizing::new(
        std::fs::read(path).map_err(|e| format!("cannot read certificate file {path}: {e}"))?,
    );
    let mut cert_der = None;
    let mut key = None;
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(c)) if cert_der.is_none() => cert_der = Some(c.der().to_vec()),
            Ok(PemItem::PrivateKey(k)) if key.is_none() => key = Some(k),
            Ok(_) => {}
            Err(e) => return Err(format!("cannot parse certificate file {path} as PEM: {e}")),
        }
    }
    let (Some(cert_der), Some(key)) = (cert_der, key) else {
        return Err(format!(
            "certificate file {path} must be PEM with a CERTIFICATE and an unencrypted RSA PRIVATE KEY \
             (PKCS#12 files are not supported by sops-rs)"
        ));
    };
    // PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`); the kind is not exposed, so try both.
    let pair = RsaKeyPair::from_pkcs8(key.der())
        .or_else(|_| RsaKeyPair::from_der(key.der()))
        .map_err(|e| format!("the private key in {path} is not a usable RSA key: {e}"))?;
    // Exactly what Go's MSAL (sops 3.11) sends: PS256, and the SHA-256 thumbprint in
    // standard base64.
    let std_b64 = base64::engine::general_purpose::STANDARD;
    let sha256 = ring::digest::digest(&ring::digest::SHA256, &cert_der);
    let mut header = serde_json::json!({
        "alg": "PS256",
        "typ": "JWT",
        "x5t#S256": std_b64.encode(sha256.as_ref()),
    });
    if send_chain && let Some(h) = header.as_object_mut() {
        let chain = std_b64.encode(&cert_der);
        h.insert("x5c".into(), serde_json::json!([chain]));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut jti = [0u8; 16];
    getrandom::getrandom(&mut jti).map_err(|e| format!("no randomness for the JWT id: {e}"))?;
    let claims = serde_json::json!({
        "aud": audience,
        "iss": client_id,
        "sub": client_id,
        "jti": hex::encode(jti),
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    });
    let signing_input = format!(
        "{}.{}",
        B64URL.encode(header.to_string()),
        B64URL.encode(claims.to_string())
    );
    let mut signature = vec![0u8; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PSS_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| "signing the client assertion failed".to_string())?;
    Ok(Zeroizing::new(format!(
        "{signing_input}.{}",
        B64URL.encode(signature)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_problems_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.pem");
        std::fs::write(&p, "no pem here").unwrap();
        let err = client_assertion(p.to_str().unwrap(), "id", "aud", false)
            .err()
            .unwrap();
        assert!(err.contains("must be PEM"), "{err}");
        assert!(client_assertion("/nonexistent.pem", "id", "aud", false).is_err());
    }
}
