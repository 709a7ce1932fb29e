//! Why Go's `ssh.ParseAuthorizedKey` (x/crypto v0.47) rejects an SSH recipient, in its words.
//!
//! The `age` crate parses SSH public keys itself but reports a generic error;
//! sops prints Go's reason (`illegal base64 data at input byte 4`, `ssh: short
//! read`, …), so the checks Go makes before a key is accepted are redone here
//! only to produce that text.

#[derive(Debug)]
/// A public key Go accepted: its algorithm (from inside the blob) and the base64 blob.
pub struct GoSshKey {
    /// `ssh-ed25519`, `ssh-rsa`, …
    pub algorithm: String,
    /// The key as written (standard base64).
    pub blob: String,
}

/// The result of Go's parse: the key Go found, or Go's error text.
pub fn go_parse_authorized_key(input: &str) -> Result<GoSshKey, String> {
    let mut last_err: Option<String> = None;
    for raw_line in input.split('\n') {
        let line = raw_line.split('\r').next().unwrap_or_default().trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(i) = line.find([' ', '\t']) else {
            continue;
        };
        match parse_key_field(line.get(i..).unwrap_or_default()) {
            Ok(algo) => return Ok(algo),
            Err(e) => last_err = Some(e),
        }
        // Maybe an options field comes first: skip it and try again.
        let bytes = line.as_bytes();
        let mut in_quote = false;
        let mut end = bytes.len();
        for (j, &b) in bytes.iter().enumerate() {
            if !in_quote && (b == b' ' || b == b'\t') {
                end = j;
                break;
            }
            if b == b'"' && (j == 0 || bytes.get(j - 1) != Some(&b'\\')) {
                in_quote = !in_quote;
            }
        }
        let rest = line
            .get(end..)
            .unwrap_or_default()
            .trim_start_matches([' ', '\t']);
        if rest.is_empty() {
            continue;
        }
        let Some(i) = rest.find([' ', '\t']) else {
            continue;
        };
        match parse_key_field(rest.get(i..).unwrap_or_default()) {
            Ok(algo) => return Ok(algo),
            Err(e) => last_err = Some(e),
        }
    }
    Err(match last_err {
        Some(e) => format!("ssh: no key found; last parsing error for ignored line: {e}"),
        None => "ssh: no key found".to_string(),
    })
}

/// `parseAuthorizedKey`: the base64 blob (first word) decoded and parsed.
fn parse_key_field(field: &str) -> Result<GoSshKey, String> {
    let field = field.trim();
    let blob = field.split([' ', '\t']).next().unwrap_or_default();
    let key = crate::gobase64::decode(blob.as_bytes())
        .map_err(|pos| format!("illegal base64 data at input byte {pos}"))?;
    Ok(GoSshKey {
        algorithm: parse_public_key(&key)?,
        blob: blob.to_string(),
    })
}

const SHORT_READ: &str = "ssh: short read";

fn parse_string(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let len_bytes: [u8; 4] = data.get(..4)?.try_into().ok()?;
    let len = u32::from_be_bytes(len_bytes) as usize;
    let body = data.get(4..)?;
    Some((body.get(..len)?, body.get(len..)?))
}

fn parse_public_key(blob: &[u8]) -> Result<String, String> {
    let (algo, rest) = parse_string(blob).ok_or(SHORT_READ)?;
    let algo = String::from_utf8_lossy(algo).into_owned();
    let trailing = match algo.as_str() {
        "ssh-ed25519" => {
            let (key, rest) = parse_string(rest).ok_or(SHORT_READ)?;
            if key.len() != 32 {
                return Err(format!("invalid size {} for Ed25519 public key", key.len()));
            }
            rest
        }
        "ssh-rsa" => {
            let (e, rest) = parse_string(rest).ok_or(SHORT_READ)?;
            let (_n, rest) = parse_string(rest).ok_or(SHORT_READ)?;
            let first_nonzero = e.iter().position(|b| *b != 0).unwrap_or(e.len());
            let e = e.get(first_nonzero..).unwrap_or_default();
            if e.len() > 3 {
                return Err("ssh: exponent too large".into());
            }
            let value = e.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
            if value < 3 || value & 1 == 0 {
                return Err("ssh: incorrect exponent".into());
            }
            rest
        }
        "rsa-sha2-256" | "rsa-sha2-512" => {
            return Err(format!(
                "ssh: signature algorithm {:?} isn't a key format; key is malformed and should be re-encoded with type \"ssh-rsa\"",
                algo
            ));
        }
        "ssh-dss"
        | "ecdsa-sha2-nistp256"
        | "ecdsa-sha2-nistp384"
        | "ecdsa-sha2-nistp521"
        | "sk-ecdsa-sha2-nistp256@openssh.com"
        | "sk-ssh-ed25519@openssh.com" => &[][..],
        a if a.ends_with("-cert-v01@openssh.com") => &[][..],
        _ => return Err(format!("ssh: unknown key algorithm: {algo}")),
    };
    if !trailing.is_empty() {
        return Err("ssh: trailing junk in public key".into());
    }
    Ok(algo)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN";

    #[test]
    fn valid_keys_give_their_algorithm() {
        assert_eq!(
            go_parse_authorized_key(ED).unwrap().algorithm,
            "ssh-ed25519"
        );
        let k = go_parse_authorized_key(&format!("{ED}  me@host")).unwrap();
        assert_eq!(k.algorithm, "ssh-ed25519");
        assert_eq!(format!("ssh-ed25519 {}", k.blob), ED);
    }

    /// Texts captured from the sops 3.11 reference binary.
    #[test]
    fn errors_match_go() {
        let no_key =
            |e: &str| format!("ssh: no key found; last parsing error for ignored line: {e}");
        assert_eq!(
            go_parse_authorized_key("ssh-ed25519 AAAAbad").unwrap_err(),
            no_key("illegal base64 data at input byte 4")
        );
        assert_eq!(
            go_parse_authorized_key("ssh-ed25519 AAAAbad comment").unwrap_err(),
            no_key("illegal base64 data at input byte 4")
        );
        assert_eq!(
            go_parse_authorized_key(&ED[..ED.len() - 1]).unwrap_err(),
            no_key("illegal base64 data at input byte 64")
        );
        assert_eq!(
            go_parse_authorized_key("ssh-ed25519").unwrap_err(),
            "ssh: no key found"
        );
        assert_eq!(
            go_parse_authorized_key("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQ").unwrap_err(),
            no_key("illegal base64 data at input byte 28")
        );
        assert_eq!(
            go_parse_authorized_key("ssh-foo QUFBQQ==").unwrap_err(),
            no_key("ssh: short read")
        );
    }

    #[test]
    fn base64_offsets() {
        assert_eq!(crate::gobase64::decode(b"QUFBQQ==").unwrap(), b"AAAA");
        assert_eq!(crate::gobase64::decode(b"QUE=").unwrap(), b"AA");
        assert_eq!(crate::gobase64::decode(b"AAAA!AAA").unwrap_err(), 4);
        assert_eq!(crate::gobase64::decode(b"A===").unwrap_err(), 1);
        assert_eq!(crate::gobase64::decode(b"QUE=QUFB").unwrap_err(), 4);
    }
}
