//! Base64 decoding exactly as Go's `base64.StdEncoding.DecodeString` does it.
//!
//! sops decodes the fields of every `ENC[…]` value with Go's decoder, which
//! skips CR/LF anywhere, accepts non-zero unused bits in the last symbol and
//! reports errors as `illegal base64 data at input byte N` with Go's own idea
//! of N. The `base64` crate agrees on valid input but not on what it rejects
//! or where, so decoding follows Go's quantum-by-quantum algorithm here.

/// Maps an ASCII byte to its 6-bit value (`None` for non-alphabet bytes).
fn sextet(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// The `base64` crate configured as close to Go as it gets: used as the fast
/// path; anything it rejects goes through the exact port below.
const FAST: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical),
);

/// Decodes standard padded base64; the error is Go's `CorruptInputError` offset.
pub fn decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    use base64::Engine;
    // Values sops writes are plain padded base64: decode them with the
    // table-driven engine and keep the byte-by-byte port for the rest.
    if !src.iter().any(|b| *b == b'\n' || *b == b'\r')
        && let Ok(v) = FAST.decode(src)
    {
        return Ok(v);
    }
    decode_go(src)
}

/// Go's algorithm, quantum by quantum.
fn decode_go(src: &[u8]) -> Result<Vec<u8>, usize> {
    let mut out = Vec::with_capacity(src.len() / 4 * 3 + 3);
    let mut si = 0usize;
    loop {
        let mut buf = [0u8; 4];
        let mut j = 0usize;
        let mut dlen = 4usize;
        let mut end = false;
        while j < 4 {
            let Some(&c) = src.get(si) else {
                if j == 0 {
                    return Ok(out);
                }
                // Padding is required, so a short final quantum is an error at its start.
                return Err(si - j);
            };
            si += 1;
            if let Some(v) = sextet(c) {
                if let Some(slot) = buf.get_mut(j) {
                    *slot = v;
                }
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' {
                return Err(si - 1);
            }
            // Padding: only after two or three symbols.
            match j {
                0 | 1 => return Err(si - 1),
                2 => {
                    while matches!(src.get(si), Some(b'\n' | b'\r')) {
                        si += 1;
                    }
                    match src.get(si) {
                        None => return Err(src.len()),
                        Some(b'=') => si += 1,
                        Some(_) => return Err(si - 1),
                    }
                }
                _ => {}
            }
            while matches!(src.get(si), Some(b'\n' | b'\r')) {
                si += 1;
            }
            if si < src.len() {
                return Err(si);
            }
            dlen = j;
            end = true;
            break;
        }
        let [a, b, c, d] = buf;
        let bytes = [(a << 2) | (b >> 4), (b << 4) | (c >> 2), (c << 6) | d];
        out.extend_from_slice(bytes.get(..dlen.saturating_sub(1)).unwrap_or_default());
        if end {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn agrees_with_the_standard_on_valid_input() {
        let std = base64::engine::general_purpose::STANDARD;
        for len in 0..40 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let enc = std.encode(&data);
            assert_eq!(decode(enc.as_bytes()).unwrap(), data, "{enc}");
        }
    }

    /// The fast path never accepts what Go's algorithm rejects, nor decodes differently.
    #[test]
    fn fast_path_agrees_with_the_port() {
        use base64::Engine;
        let alphabet = [b'A', b'Q', b'x', b'/', b'=', b'!', b'8'];
        let mut buf = Vec::new();
        for len in 0..=6u32 {
            let total = alphabet.len().pow(len);
            for mut n in 0..total {
                buf.clear();
                for _ in 0..len {
                    buf.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                if let Ok(v) = FAST.decode(&buf) {
                    assert_eq!(
                        decode_go(&buf),
                        Ok(v),
                        "{:?}",
                        String::from_utf8_lossy(&buf)
                    );
                }
            }
        }
    }

    #[test]
    fn lenient_where_go_is() {
        // Unused low bits of the last symbol are ignored.
        assert_eq!(decode(b"7Ex=").unwrap(), decode(b"7Ew=").unwrap());
        assert_eq!(decode(b"TqU=").unwrap(), decode(b"TqV=").unwrap());
        // CR and LF are skipped anywhere.
        assert_eq!(decode(b"aI\r\nhU\n").unwrap(), decode(b"aIhU").unwrap());
        assert_eq!(decode(b"").unwrap(), Vec::<u8>::new());
    }

    /// Offsets printed by sops 3.11.0 (`illegal base64 data at input byte N`).
    #[test]
    fn error_offsets_match_go() {
        assert_eq!(decode(b"ZbbpSH0"), Err(4), "missing padding");
        assert_eq!(decode(b"Zb!pSH0="), Err(2), "bad symbol");
        assert_eq!(decode(b"ZbbpSH0=="), Err(8), "trailing garbage");
        assert_eq!(decode(b"7Ew"), Err(0));
        assert_eq!(decode(b"Z==="), Err(1));
        assert_eq!(decode(b"Zb="), Err(3));
        assert_eq!(decode(b"Zb=x"), Err(2));
    }
}
