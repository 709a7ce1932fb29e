//! Base64 decoding exactly as Go's `base64.StdEncoding.DecodeString` does it.
//!
//! sops decodes the fields of every `ENC[…]` value with Go's decoder, which
//! skips CR/LF anywhere, accepts non-zero unused bits in the last symbol and
//! reports errors as `illegal base64 data at input byte N` with Go's own idea
//! of N. The `base64` crate agrees on valid input but not on what it rejects
//! or where, so decoding follows Go's quantum-by-quantum algorithm here, behind
//! an allocation-free table decoder for the canonical form sops writes. The
//! matching encoder appends straight into the caller's buffer, which the
//! `base64` crate's `String` API cannot do without an extra copy.

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

/// The standard alphabet, in symbol order.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Byte → 6-bit value, or `INVALID` (high bit set) for bytes outside the alphabet.
const INVALID: u8 = 0xFF;
static DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The 6-bit value of a symbol, or [`INVALID`].
fn sym(b: u8) -> u8 {
    DECODE[usize::from(b)]
}

/// Every 12-bit value → its two symbols: one look-up per half quantum when encoding.
static PAIRS: [[u8; 2]; 4096] = {
    let mut table = [[0u8; 2]; 4096];
    let mut i = 0;
    while i < 4096 {
        table[i] = [ALPHABET[i >> 6], ALPHABET[i & 63]];
        i += 1;
    }
    table
};

/// The decoded length of `src` if it has the shape sops writes: a multiple of
/// four long, with `=` padding (one or two) only at the very end. The symbols
/// themselves are checked by [`decode_canonical`].
pub fn canonical_len(src: &[u8]) -> Option<usize> {
    if !src.len().is_multiple_of(4) {
        return None;
    }
    let pads = match src {
        [.., b'=', b'=', b'='] => return None,
        [.., b'=', b'='] => 2,
        [.., b'='] => 1,
        _ => 0,
    };
    Some(src.len() / 4 * 3 - pads)
}

/// Decodes canonical padded base64 into `dst`, which must be exactly
/// [`canonical_len`] long; false (with `dst` partly written) for anything
/// else, which [`decode_append`] hands to Go's algorithm for its verdict.
/// One table look-up per symbol and no allocation: this runs three times
/// for every value sops-rs decrypts.
pub fn decode_canonical(src: &[u8], dst: &mut [u8]) -> bool {
    let Some(len) = canonical_len(src) else {
        return false;
    };
    if len != dst.len() {
        return false;
    }
    let full = len / 3;
    let (src_full, src_last) = src.split_at(full * 4);
    let (dst_full, dst_last) = dst.split_at_mut(full * 3);
    let mut bad = 0u8;
    let (quanta, _) = src_full.as_chunks::<4>();
    let (groups, _) = dst_full.as_chunks_mut::<3>();
    for (&[a, b, c, e], d) in quanta.iter().zip(groups.iter_mut()) {
        let (a, b, c, e) = (sym(a), sym(b), sym(c), sym(e));
        bad |= a | b | c | e;
        let n = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(e);
        *d = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
    }
    // The last quantum when padded: `ab==` gives one byte, `abc=` two; Go
    // ignores the unused low bits of the last symbol.
    let tail = match (src_last, &mut *dst_last) {
        ([], []) => true,
        ([a, b, ..], [x]) => {
            let (a, b) = (sym(*a), sym(*b));
            bad |= a | b;
            *x = a << 2 | b >> 4;
            true
        }
        ([a, b, c, _], [x, y]) => {
            let (a, b, c) = (sym(*a), sym(*b), sym(*c));
            bad |= a | b | c;
            *x = a << 2 | b >> 4;
            *y = b << 4 | c >> 2;
            true
        }
        _ => false,
    };
    tail && bad & 0x80 == 0
}

/// Decodes standard padded base64; the error is Go's `CorruptInputError` offset.
pub fn decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let mut out = Vec::new();
    decode_append(src, &mut out)?;
    Ok(out)
}

/// [`decode`], appending to `out` (so a caller can decode several fields into
/// one buffer). On error `out` may hold a partial result.
pub fn decode_append(src: &[u8], out: &mut Vec<u8>) -> Result<(), usize> {
    // Values sops writes are canonical: decode them with the table and keep
    // the byte-by-byte port for the rest (CR/LF, bad symbols, errors).
    if let Some(len) = canonical_len(src) {
        let start = out.len();
        out.resize(start + len, 0);
        if out
            .get_mut(start..)
            .is_some_and(|dst| decode_canonical(src, dst))
        {
            return Ok(());
        }
        out.truncate(start);
    }
    decode_go(src, out)
}

/// Appends the canonical padded base64 of `src` to `out`.
pub fn encode_append(src: &[u8], out: &mut Vec<u8>) {
    // Appended quantum by quantum into reserved room: zero-filling the room
    // first would cost a `memset` call per field, three per encrypted value.
    out.reserve(src.len().div_ceil(3) * 4);
    let symbol_at = |n: u32, shift: u32| ALPHABET[(n >> shift & 63) as usize];
    let (groups, rest) = src.as_chunks::<3>();
    for &[a, b, c] in groups {
        let [w, x] = PAIRS[usize::from(a) << 4 | usize::from(b >> 4)];
        let [y, z] = PAIRS[usize::from(b & 0x0F) << 8 | usize::from(c)];
        out.extend_from_slice(&[w, x, y, z]);
    }
    match *rest {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend_from_slice(&[symbol_at(n, 18), symbol_at(n, 12), b'=', b'=']);
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.extend_from_slice(&[symbol_at(n, 18), symbol_at(n, 12), symbol_at(n, 6), b'=']);
        }
        _ => {}
    }
}

/// Go's algorithm, quantum by quantum.
fn decode_go(src: &[u8], out: &mut Vec<u8>) -> Result<(), usize> {
    let mut si = 0usize;
    loop {
        let mut buf = [0u8; 4];
        let mut j = 0usize;
        let mut dlen = 4usize;
        let mut end = false;
        while j < 4 {
            let Some(&c) = src.get(si) else {
                if j == 0 {
                    return Ok(());
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
            return Ok(());
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

    /// Every input over a small alphabet: the table decoder never accepts what
    /// Go's algorithm rejects nor decodes differently, and it takes every
    /// canonical input Go accepts (so sops's values never fall to the slow path).
    fn check_against_the_port(alphabet: &[u8], max_len: u32) {
        let mut buf = Vec::new();
        for len in 0..=max_len {
            let total = alphabet.len().pow(len);
            for mut n in 0..total {
                buf.clear();
                for _ in 0..len {
                    buf.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                let mut go = Vec::new();
                let go_result = decode_go(&buf, &mut go).map(|()| go);
                let mut fast = vec![0u8; canonical_len(&buf).unwrap_or(0)];
                let shown = String::from_utf8_lossy(&buf);
                if canonical_len(&buf).is_some() && decode_canonical(&buf, &mut fast) {
                    assert_eq!(go_result.as_ref(), Ok(&fast), "{shown:?}");
                } else if !buf.contains(&b'\n') && !buf.contains(&b'\r') {
                    assert!(go_result.is_err(), "{shown:?}");
                }
                let mut appended = b"xy".to_vec();
                let r = decode_append(&buf, &mut appended);
                assert_eq!(r.map(|()| appended[2..].to_vec()), go_result, "{shown:?}");
            }
        }
    }

    #[test]
    fn fast_path_agrees_with_the_port() {
        check_against_the_port(b"AQx/=!8", 6);
        check_against_the_port(b"Aw=+\n", 8);
    }

    #[test]
    fn canonical_decoder_rejects_wrong_sizes() {
        let mut dst = [0u8; 4];
        assert!(!decode_canonical(b"QUFBQQ==", &mut dst[..3]));
        assert!(decode_canonical(b"QUFBQQ==", &mut dst));
        assert_eq!(&dst, b"AAAA");
        assert_eq!(canonical_len(b"QUE"), None);
        assert_eq!(canonical_len(b"Q==="), None);
        assert_eq!(canonical_len(b"QQ=="), Some(1));
        assert!(!decode_canonical(b"Q=Q=", &mut dst[..2]));
        assert!(!decode_canonical(b"QU!=", &mut dst[..2]));
    }

    #[test]
    fn encodes_like_the_standard() {
        let std = base64::engine::general_purpose::STANDARD;
        for len in 0..100usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 131 + 7) as u8).collect();
            let mut out = b"ENC[".to_vec();
            encode_append(&data, &mut out);
            assert_eq!(out[4..], *std.encode(&data).as_bytes(), "{len}");
            assert_eq!(decode(&out[4..]).unwrap(), data);
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
