//! Shamir secret sharing over GF(2^8), the HashiCorp Vault scheme sops uses for several key groups (spec §5.2).
//!
//! Written from the maths rather than taken from a crate because the share
//! layout (y bytes, then the x coordinate as the last byte, x = group index + 1)
//! and the error texts must match sops exactly. Field arithmetic is
//! branch-free on secret data (carry-less multiply with masks, inversion by
//! exponentiation) so timing does not depend on the key bytes.

use zeroize::Zeroizing;

/// Why a split or a combine was refused; `Display` is sops's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShamirError {
    /// More shares needed than there are groups.
    #[error("parts cannot be less than threshold")]
    PartsLessThanThreshold,
    /// More than 255 groups.
    #[error("parts cannot exceed 255")]
    TooManyParts,
    /// Threshold 0 or 1.
    #[error("threshold must be at least 2")]
    ThresholdTooSmall,
    /// Threshold above 255.
    #[error("threshold cannot exceed 255")]
    ThresholdTooLarge,
    /// Nothing to split.
    #[error("cannot split an empty secret")]
    EmptySecret,
    /// Combine needs at least two shares.
    #[error("less than two parts cannot be used to reconstruct the secret")]
    TooFewParts,
    /// A share shorter than one data byte plus the x byte.
    #[error("parts must be at least two bytes")]
    PartTooShort,
    /// Shares of different lengths.
    #[error("all parts must be the same length")]
    LengthMismatch,
    /// Two shares with the same x coordinate.
    #[error("duplicate part detected")]
    DuplicatePart,
    /// The operating system's random generator failed.
    #[error("failed to generate polynomial: {0}")]
    Random(String),
}

/// Multiplication in GF(2^8) modulo x^8+x^4+x^3+x+1 (0x11B), without data-dependent branches.
fn mul(a: u8, b: u8) -> u8 {
    let mut a = a;
    let mut b = b;
    let mut product = 0u8;
    for _ in 0..8 {
        // All-ones when the low bit of b is set.
        let take = 0u8.wrapping_sub(b & 1);
        product ^= a & take;
        let carry = 0u8.wrapping_sub(a >> 7);
        a = (a << 1) ^ (0x1B & carry);
        b >>= 1;
    }
    product
}

/// Multiplicative inverse (a^254); maps 0 to 0, which callers never divide by.
fn inverse(a: u8) -> u8 {
    // 254 = 0b1111_1110: square-and-multiply with a fixed sequence of operations.
    let a2 = mul(a, a);
    let a4 = mul(a2, a2);
    let a8 = mul(a4, a4);
    let a16 = mul(a8, a8);
    let a32 = mul(a16, a16);
    let a64 = mul(a32, a32);
    let a128 = mul(a64, a64);
    mul(mul(mul(a128, a64), mul(a32, a16)), mul(mul(a8, a4), a2))
}

fn div(a: u8, b: u8) -> u8 {
    mul(a, inverse(b))
}

/// Evaluates the polynomial with `coefficients` (constant term first) at `x` (Horner).
fn evaluate(coefficients: &[u8], x: u8) -> u8 {
    coefficients
        .iter()
        .rev()
        .fold(0u8, |acc, &c| mul(acc, x) ^ c)
}

/// Lagrange interpolation at x = 0 of the points (`xs[i]`, `ys[i]`).
fn interpolate_at_zero(xs: &[u8], ys: &[u8]) -> u8 {
    let mut result = 0u8;
    for (i, (&xi, &yi)) in xs.iter().zip(ys).enumerate() {
        let mut basis = 1u8;
        for (j, &xj) in xs.iter().enumerate() {
            if i != j {
                // (0 - xj) / (xi - xj); subtraction is XOR in GF(2^8).
                basis = mul(basis, div(xj, xi ^ xj));
            }
        }
        result ^= mul(yi, basis);
    }
    result
}

/// Splits `secret` into `parts` shares of which any `threshold` recover it.
///
/// Share `i` is the secret's length in y bytes followed by its x coordinate `i + 1`.
pub fn split(
    secret: &[u8],
    parts: usize,
    threshold: usize,
) -> Result<Vec<Zeroizing<Vec<u8>>>, ShamirError> {
    if parts < threshold {
        return Err(ShamirError::PartsLessThanThreshold);
    }
    if parts > 255 {
        return Err(ShamirError::TooManyParts);
    }
    if threshold < 2 {
        return Err(ShamirError::ThresholdTooSmall);
    }
    if threshold > 255 {
        return Err(ShamirError::ThresholdTooLarge);
    }
    if secret.is_empty() {
        return Err(ShamirError::EmptySecret);
    }
    let mut out: Vec<Zeroizing<Vec<u8>>> = (0..parts)
        .map(|i| {
            let mut share = vec![0u8; secret.len() + 1];
            if let Some(last) = share.last_mut() {
                // parts <= 255, so i + 1 fits in a byte.
                *last = (i + 1) as u8;
            }
            Zeroizing::new(share)
        })
        .collect();
    let mut coefficients = Zeroizing::new(vec![0u8; threshold]);
    for (byte_index, &value) in secret.iter().enumerate() {
        if let Some((first, rest)) = coefficients.split_first_mut() {
            *first = value;
            getrandom::getrandom(rest).map_err(|e| ShamirError::Random(e.to_string()))?;
        }
        for (i, share) in out.iter_mut().enumerate() {
            let x = (i + 1) as u8;
            if let Some(y) = share.get_mut(byte_index) {
                *y = evaluate(&coefficients, x);
            }
        }
    }
    Ok(out)
}

/// Recovers the secret from two or more shares (any that reach the threshold).
pub fn combine(parts: &[&[u8]]) -> Result<Zeroizing<Vec<u8>>, ShamirError> {
    if parts.len() < 2 {
        return Err(ShamirError::TooFewParts);
    }
    let len = parts.first().map_or(0, |p| p.len());
    if len < 2 {
        return Err(ShamirError::PartTooShort);
    }
    if parts.iter().any(|p| p.len() != len) {
        return Err(ShamirError::LengthMismatch);
    }
    let mut xs = Vec::with_capacity(parts.len());
    for part in parts {
        let x = part.last().copied().unwrap_or(0);
        if xs.contains(&x) {
            return Err(ShamirError::DuplicatePart);
        }
        xs.push(x);
    }
    let mut secret = Zeroizing::new(vec![0u8; len - 1]);
    let mut ys = Zeroizing::new(vec![0u8; parts.len()]);
    for (byte_index, out) in secret.iter_mut().enumerate() {
        for (y, part) in ys.iter_mut().zip(parts) {
            *y = part.get(byte_index).copied().unwrap_or(0);
        }
        *out = interpolate_at_zero(&xs, &ys);
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference multiply via the textbook shift-and-reduce loop with branches.
    fn slow_mul(a: u8, b: u8) -> u8 {
        let (mut a, mut b, mut p) = (a as u16, b, 0u16);
        while b != 0 {
            if b & 1 == 1 {
                p ^= a;
            }
            a <<= 1;
            if a & 0x100 != 0 {
                a ^= 0x11B;
            }
            b >>= 1;
        }
        p as u8
    }

    #[test]
    fn field_arithmetic() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                assert_eq!(mul(a, b), slow_mul(a, b), "{a}*{b}");
            }
            if a != 0 {
                assert_eq!(mul(a, inverse(a)), 1, "inverse of {a}");
            }
        }
        // The AES field's classic example: 0x53 * 0xCA = 1.
        assert_eq!(mul(0x53, 0xCA), 1);
        assert_eq!(inverse(0), 0);
    }

    #[test]
    fn split_layout_and_round_trip() {
        let secret: Vec<u8> = (0..32).collect();
        let shares = split(&secret, 5, 3).unwrap();
        assert_eq!(shares.len(), 5);
        for (i, s) in shares.iter().enumerate() {
            assert_eq!(s.len(), 33);
            assert_eq!(s[32] as usize, i + 1);
        }
        let all: Vec<&[u8]> = shares.iter().map(|s| s.as_slice()).collect();
        assert_eq!(combine(&all).unwrap().as_slice(), secret.as_slice());
        for a in 0..5 {
            for b in 0..5 {
                for c in 0..5 {
                    if a == b || b == c || a == c {
                        continue;
                    }
                    let picked = [all[a], all[b], all[c]];
                    assert_eq!(combine(&picked).unwrap().as_slice(), secret.as_slice());
                }
            }
        }
        // Two shares of a 3-threshold split give something else (with overwhelming probability).
        assert_ne!(combine(&all[..2]).unwrap().as_slice(), secret.as_slice());
    }

    #[test]
    fn random_round_trips() {
        for round in 0..50usize {
            let mut secret = vec![0u8; 1 + round % 40];
            getrandom::getrandom(&mut secret).unwrap();
            let parts = 2 + round % 6;
            let threshold = 2 + round % (parts - 1);
            let shares = split(&secret, parts, threshold).unwrap();
            let picked: Vec<&[u8]> = shares
                .iter()
                .rev()
                .take(threshold)
                .map(|s| s.as_slice())
                .collect();
            assert_eq!(combine(&picked).unwrap().as_slice(), secret.as_slice());
        }
    }

    #[test]
    fn max_parts() {
        let secret = [7u8; 4];
        let shares = split(&secret, 255, 255).unwrap();
        assert_eq!(shares[254][4], 255);
        let all: Vec<&[u8]> = shares.iter().map(|s| s.as_slice()).collect();
        assert_eq!(combine(&all).unwrap().as_slice(), &secret);
    }

    #[test]
    fn split_errors_in_sops_order() {
        let s = [1u8; 32];
        assert_eq!(
            split(&s, 2, 3).unwrap_err(),
            ShamirError::PartsLessThanThreshold
        );
        assert_eq!(split(&s, 256, 2).unwrap_err(), ShamirError::TooManyParts);
        assert_eq!(split(&s, 3, 1).unwrap_err(), ShamirError::ThresholdTooSmall);
        assert_eq!(split(&s, 3, 0).unwrap_err(), ShamirError::ThresholdTooSmall);
        assert_eq!(split(&[], 3, 2).unwrap_err(), ShamirError::EmptySecret);
        assert_eq!(
            split(&s, 2, 3).unwrap_err().to_string(),
            "parts cannot be less than threshold"
        );
        assert_eq!(
            split(&s, 3, 1).unwrap_err().to_string(),
            "threshold must be at least 2"
        );
    }

    #[test]
    fn combine_errors() {
        let a = [1u8, 2, 1];
        let b = [3u8, 4, 2];
        let short = [1u8];
        let dup = [9u8, 9, 1];
        assert_eq!(combine(&[&a]).unwrap_err(), ShamirError::TooFewParts);
        assert_eq!(
            combine(&[&short, &short]).unwrap_err(),
            ShamirError::PartTooShort
        );
        assert_eq!(
            combine(&[&a, &b[..2]]).unwrap_err(),
            ShamirError::LengthMismatch
        );
        assert_eq!(
            combine(&[&a, &dup]).unwrap_err(),
            ShamirError::DuplicatePart
        );
        assert_eq!(
            combine(&[&a]).unwrap_err().to_string(),
            "less than two parts cannot be used to reconstruct the secret"
        );
    }
}
