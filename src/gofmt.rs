//! Go's number, bool and time text formats, which sops's output and MAC depend on.
//!
//! sops formats the same float four different ways (spec §10.16): plaintext and
//! MAC use `strconv.FormatFloat(v, 'f', -1, 64)`, YAML output `'g'`, JSON output
//! `encoding/json`'s rule and dotenv/INI `'G'` with a forced `.0`. All of them
//! start from the shortest round-trip digits, which `ryu` gives us quickly
//! (Rust's `{:e}` gives the same digits and remains the fallback).

use zeroize::Zeroizing;

use crate::tree::Timestamp;

/// Shortest round-trip decimal digits of a finite non-zero `|f|` and the
/// position of the decimal point (`0.d1d2… × 10^dp`, as Go's `decimal.dp`).
fn shortest_digits(f: f64) -> (String, i32) {
    match Digits::of(f) {
        Some(d) => (String::from_utf8_lossy(d.digits()).into_owned(), d.dp),
        None => shortest_digits_fmt(f),
    }
}

/// [`shortest_digits`] by way of `{:e}`: the fallback, and the reference the
/// tests hold the fast path to.
fn shortest_digits_fmt(f: f64) -> (String, i32) {
    let s = format!("{:e}", f.abs());
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    (digits, exp + 1)
}

/// The shortest round-trip digits of a finite non-zero `|f|` on the stack,
/// from `ryu` (the same digits as Go's and Rust's shortest formatting, at a
/// fraction of the cost of `core::fmt`): every decrypted or encrypted float
/// is formatted for the MAC, the ciphertext and the output.
struct Digits {
    buf: [u8; 24],
    len: usize,
    dp: i32,
}

impl Digits {
    fn of(f: f64) -> Option<Digits> {
        if !f.is_finite() || f == 0.0 {
            return None;
        }
        if let Some(d) = Self::short_decimal(f.abs()) {
            return Some(d);
        }
        let mut ryu = ryu::Buffer::new();
        let text = ryu.format_finite(f.abs()).as_bytes();
        let (mantissa, exp) = match text.iter().position(|&c| c == b'e' || c == b'E') {
            Some(at) => {
                let exp = std::str::from_utf8(text.get(at + 1..)?).ok()?;
                (text.get(..at)?, exp.parse::<i32>().ok()?)
            }
            None => (text, 0),
        };
        let mut d = Digits {
            buf: [0; 24],
            len: 0,
            dp: exp,
        };
        let mut after_point = false;
        for &c in mantissa {
            match c {
                b'.' => after_point = true,
                b'0'..=b'9' => {
                    if !after_point {
                        d.dp += 1;
                    }
                    if d.len == 0 && c == b'0' {
                        // A leading zero moves the point instead of being a digit.
                        d.dp -= 1;
                        continue;
                    }
                    *d.buf.get_mut(d.len)? = c;
                    d.len += 1;
                }
                _ => return None,
            }
        }
        while d.len > 0 && d.buf.get(d.len - 1) == Some(&b'0') {
            d.len -= 1;
        }
        (d.len > 0).then_some(d)
    }

    /// The digits of a float with at most 15 significant digits and 8
    /// decimals (`12.34`, `0.5`, `1024`: what configuration files hold), found
    /// without a shortest-digits search. `m / 10^k` with the fewest decimals
    /// `k` that reads back as `f` is the shortest form; below 10^15 no other
    /// decimal of as many digits reads back as `f` too. Both `m` and `10^k`
    /// are exact doubles, so the division is the parse of `m`e-`k`.
    fn short_decimal(a: f64) -> Option<Digits> {
        const LIMIT: f64 = 1e15;
        let mut scale = 1.0;
        for k in 0..=8 {
            let m = (a * scale).round();
            if m >= LIMIT {
                return None;
            }
            if m > 0.0 && m / scale == a {
                // `m` is a whole number below 10^15: exact in a u64.
                let mut n = m as u64;
                let mut d = Digits {
                    buf: [0; 24],
                    len: 0,
                    dp: -k,
                };
                let mut rev = [0u8; 16];
                let mut count = 0;
                while n > 0 {
                    *rev.get_mut(count)? = b'0' + (n % 10) as u8;
                    n /= 10;
                    count += 1;
                }
                d.dp += i32::try_from(count).ok()?;
                // Trailing zeros of `m` (only when k = 0) are not digits.
                let zeros = rev.iter().take(count).take_while(|&&c| c == b'0').count();
                for &c in rev.get(zeros..count)?.iter().rev() {
                    *d.buf.get_mut(d.len)? = c;
                    d.len += 1;
                }
                return Some(d);
            }
            scale *= 10.0;
        }
        None
    }

    fn digits(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    /// Go's `'f'` form with shortest precision, byte by byte into `push`.
    fn write_f(&self, negative: bool, push: &mut impl FnMut(u8)) {
        if negative {
            push(b'-');
        }
        let digits = self.digits();
        if self.dp <= 0 {
            push(b'0');
            push(b'.');
            for _ in self.dp..0 {
                push(b'0');
            }
            digits.iter().for_each(|&c| push(c));
            return;
        }
        let int_len = usize::try_from(self.dp).unwrap_or(usize::MAX);
        for i in 0..int_len.max(digits.len()) {
            if i == int_len {
                push(b'.');
            }
            push(digits.get(i).copied().unwrap_or(b'0'));
        }
    }
}

/// Go `strconv.FormatFloat(v, 'f', -1, 64)` into `out` without allocating;
/// the length written, or `None` when it does not fit (or `f` is not finite).
pub fn format_float_plain_into(f: f64, out: &mut [u8]) -> Option<usize> {
    if f == 0.0 {
        let text: &[u8] = if f.is_sign_negative() { b"-0" } else { b"0" };
        out.get_mut(..text.len())?.copy_from_slice(text);
        return Some(text.len());
    }
    let d = Digits::of(f)?;
    let mut len = 0;
    let mut fits = true;
    d.write_f(f.is_sign_negative(), &mut |c| match out.get_mut(len) {
        Some(slot) => {
            *slot = c;
            len += 1;
        }
        None => fits = false,
    });
    fits.then_some(len)
}

/// Room for any 64-bit integer (20 characters) and the floats of everyday files.
const NUMBER_TEXT_LEN: usize = 32;

/// Go's text of a number on the stack, wiped on drop: a number from a decrypted
/// file is as secret as a string, and printing it this way costs no allocation
/// (it is done for every numeric leaf, for the MAC, the ciphertext and the output).
pub struct NumberText {
    buf: Zeroizing<[u8; NUMBER_TEXT_LEN]>,
    len: usize,
}

impl NumberText {
    /// `strconv.FormatInt(i, 10)`.
    pub fn int(i: i64) -> NumberText {
        Self::decimal(i.unsigned_abs(), i < 0)
    }

    /// `strconv.FormatUint(u, 10)`.
    pub fn uint(u: u64) -> NumberText {
        Self::decimal(u, false)
    }

    fn decimal(mut n: u64, negative: bool) -> NumberText {
        let mut buf = Zeroizing::new([0u8; NUMBER_TEXT_LEN]);
        // Digits are written from the end, then moved to the front.
        let mut pos = NUMBER_TEXT_LEN;
        loop {
            pos -= 1;
            if let Some(slot) = buf.get_mut(pos) {
                // `n % 10` is a single digit.
                *slot = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if negative {
            pos -= 1;
            if let Some(slot) = buf.get_mut(pos) {
                *slot = b'-';
            }
        }
        buf.copy_within(pos.., 0);
        NumberText {
            buf,
            len: NUMBER_TEXT_LEN - pos,
        }
    }

    /// [`format_float_plain`] (`'f'`, shortest), or `None` when it does not fit.
    pub fn float_plain(f: f64) -> Option<NumberText> {
        let mut buf = Zeroizing::new([0u8; NUMBER_TEXT_LEN]);
        let len = format_float_plain_into(f, &mut buf[..])?;
        Some(NumberText { buf, len })
    }

    /// The text's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    /// The text (ASCII digits, sign and point only).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

fn sign(f: f64) -> &'static str {
    if f.is_sign_negative() { "-" } else { "" }
}

/// `%e` with shortest digits: `d[.ddd]e±XX`.
fn format_e(f: f64, upper: bool) -> String {
    let e = if upper { 'E' } else { 'e' };
    if f == 0.0 {
        return format!("{}0{e}+00", sign(f));
    }
    let (digits, dp) = shortest_digits(f);
    let exp = dp - 1;
    let mut out = String::from(sign(f));
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    out.push(e);
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
    out
}

/// Go `strconv.FormatFloat(v, 'f', -1, 64)`: the plaintext and MAC form of a float.
/// Never uses an exponent; infinities are `+Inf`/`-Inf`, NaN is `NaN`.
pub fn format_float_plain(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else if let Some(d) = Digits::of(f) {
        let mut out = Vec::with_capacity(24);
        d.write_f(f.is_sign_negative(), &mut |c| out.push(c));
        String::from_utf8(out).unwrap_or_else(|_| format!("{f}"))
    } else {
        // Rust's Display is shortest-round-trip without exponent, like Go's 'f', -1.
        format!("{f}")
    }
}

/// Go `strconv.FormatFloat(v, 'g', -1, 64)` (or `'G'`): exponent form when the
/// decimal exponent is < -4 or >= 6 (precision 6 decides in shortest mode).
fn format_g(f: f64, upper: bool) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return format!("{}0", sign(f));
    }
    // The decimal exponent of the shortest digits is < -4 exactly when |f| is
    // below the double nearest 1e-4, and >= 6 exactly when |f| >= 1e6 (a
    // double): shortest digits stay inside f's rounding interval, which never
    // reaches across a neighbouring double. So no digits are needed to decide.
    let a = f.abs();
    if !(1e-4..1e6).contains(&a) {
        format_e(f, upper)
    } else {
        format_float_plain(f)
    }
}

/// The float text go-yaml v3 writes: `'g'` digits, `.inf`, `-.inf`, `.nan`.
pub fn format_float_yaml(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        }
    } else {
        format_g(f, false)
    }
}

/// The float text Go's `encoding/json` writes; `None` for NaN and infinities,
/// which JSON cannot hold (`json: unsupported value: +Inf`).
pub fn format_float_json(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = format_e(f, false);
        // encoding/json shortens "e-07" to "e-7" (only for negative exponents).
        if let Some(pos) = s.find("e-0") {
            s.remove(pos + 2);
        }
        Some(s)
    } else {
        Some(format_float_plain(f))
    }
}

/// The text Go's `encoding/json` writes for a non-finite float error message.
pub fn json_unsupported_float(f: f64) -> String {
    format_float_plain(f)
}

/// The float text sops writes in dotenv/INI/exec-env: `'G'` shortest, with
/// `.0` appended (via `%.1f`) when there is neither a `.` nor an `E`.
pub fn format_float_dotenv(f: f64) -> String {
    let s = format_g(f, true);
    if s.contains('.') || s.contains('E') || !f.is_finite() {
        s
    } else {
        format!("{s}.0")
    }
}

/// Go `strconv.ParseFloat(s, 64)`, as sops uses it to read a `float` plaintext.
pub fn parse_float(s: &str) -> Option<f64> {
    // Plain decimal text (what sops writes) needs none of the special cases
    // below, nor their lower-cased copy of the plaintext.
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-' | b'e' | b'E'))
    {
        return s.parse().ok();
    }
    // A decrypted float is plaintext: the copy is wiped too.
    let lower = zeroize::Zeroizing::new(s.to_ascii_lowercase());
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        // Rust accepts these too; only one sign is allowed.
        if lower.len() - unsigned.len() > 1 {
            return None;
        }
        return lower.parse().ok();
    }
    if unsigned.starts_with("0x") {
        return parse_hex_float(&lower);
    }
    if s.contains('_') || s.is_empty() {
        return None;
    }
    s.parse().ok()
}

/// Go's hexadecimal float syntax (`0x1.8p3`); the exponent is mandatory.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let rest = rest.strip_prefix("0x")?.replace('_', "");
    let (mant, exp) = rest.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    let v = v * 2f64.powi(exp);
    Some(if neg { -v } else { v })
}

/// Go `strconv.Atoi`: optional sign, decimal digits, must fit in i64.
pub fn parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Go `strconv.ParseBool`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// The bool plaintext sops encrypts and hashes (`True`/`False`).
pub fn format_bool_plain(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

impl Timestamp {
    fn write_date_time(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(
            out,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
    }

    fn write_zone(&self, out: &mut String) {
        use std::fmt::Write;
        match self.offset_seconds {
            None | Some(0) => out.push('Z'),
            Some(off) => {
                let sign = if off < 0 { '-' } else { '+' };
                let a = off.unsigned_abs();
                let _ = write!(out, "{sign}{:02}:{:02}", a / 3600, (a / 60) % 60);
            }
        }
    }

    /// Go `time.Time.MarshalText` (RFC 3339 with nanoseconds, trailing zeros trimmed):
    /// the `time` plaintext and the YAML/JSON output form.
    pub fn to_rfc3339_nano(&self) -> String {
        let mut out = String::with_capacity(35);
        self.write_date_time(&mut out);
        if self.nanosecond != 0 {
            let frac = format!("{:09}", self.nanosecond);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        self.write_zone(&mut out);
        out
    }

    /// RFC 3339 with whole seconds (Go `time.RFC3339`): `lastmodified`, dotenv output.
    pub fn to_rfc3339(&self) -> String {
        let mut out = String::with_capacity(25);
        self.write_date_time(&mut out);
        self.write_zone(&mut out);
        out
    }

    /// Parses RFC 3339 (`2006-01-02T15:04:05[.frac](Z|±hh:mm)`), as Go's `time.Parse`
    /// with `time.RFC3339` accepts it.
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        if b.len() < 20 {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = s.get(r)?;
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let year = num(0..4)? as i32;
        let month = num(5..7)? as u8;
        let day = num(8..10)? as u8;
        let hour = num(11..13)? as u8;
        let minute = num(14..16)? as u8;
        let second = num(17..19)? as u8;
        let mut i = 19;
        let mut nanosecond = 0u32;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            let mut end = start;
            while end < b.len() && b[end].is_ascii_digit() {
                end += 1;
            }
            if end == start || end - start > 9 {
                return None;
            }
            let frac = &s[start..end];
            nanosecond = format!("{frac:0<9}").parse().ok()?;
            i = end;
        }
        let offset_seconds = match b.get(i)? {
            b'Z' if i + 1 == b.len() => None,
            c @ (b'+' | b'-') if b.len() == i + 6 && b[i + 3] == b':' => {
                let h = num(i + 1..i + 3)? as i32;
                let m = num(i + 4..i + 6)? as i32;
                if h > 23 || m > 59 {
                    return None;
                }
                let off = h * 3600 + m * 60;
                Some(if *c == b'-' { -off } else { off })
            }
            _ => return None,
        };
        let ts = Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanosecond,
            offset_seconds,
        };
        ts.is_valid().then_some(ts)
    }

    /// Whether the calendar fields name a real date and time.
    pub fn is_valid(&self) -> bool {
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        self.day >= 1
            && self.day <= days
            && self.hour < 24
            && self.minute < 60
            && self.second < 60
            && self.nanosecond < 1_000_000_000
    }

    /// The current time in UTC, truncated to seconds (what sops writes as `lastmodified`).
    pub fn now_utc() -> Timestamp {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Timestamp::from_unix(secs)
    }

    /// The UTC calendar time of a Unix timestamp in seconds.
    pub fn from_unix(secs: i64) -> Timestamp {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = if m <= 2 { y + 1 } else { y };
        Timestamp {
            year: y as i32,
            month: m as u8,
            day: d as u8,
            hour: (rem / 3600) as u8,
            minute: ((rem / 60) % 60) as u8,
            second: (rem % 60) as u8,
            nanosecond: 0,
            offset_seconds: None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `2 * n` deterministic floats from `seed`: arbitrary bit patterns (NaN
    /// and infinities included) and decimals with up to four places.
    pub(crate) fn random_floats(seed: u64, n: usize) -> Vec<f64> {
        let mut x = seed;
        let mut out = Vec::with_capacity(2 * n);
        for _ in 0..n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.push(f64::from_bits(x));
            out.push((x % 100_000_000) as f64 / 10_000.0);
        }
        out
    }

    #[test]
    fn plain_floats_match_go_f_minus_one() {
        // Values from spec §1.4, checked against sops 3.11.0 ciphertexts.
        for (v, want) in [
            (1.0, "1"),
            (1000.0, "1000"),
            (0.5, "0.5"),
            (1.5e-10, "0.00000000015"),
            (1e21, "1000000000000000000000"),
            (1e-7, "0.0000001"),
            (std::f64::consts::PI, "3.141592653589793"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
            (-0.0, "-0"),
            (1.2345678901234568e29, "123456789012345680000000000000"),
        ] {
            assert_eq!(format_float_plain(v), want, "{v}");
        }
    }

    /// The `ryu` digits and the `'f'` text built from them agree with Rust's
    /// own shortest formatting (`{:e}` and `{}`) on boundary and random floats.
    #[test]
    fn fast_digits_agree_with_core_fmt() {
        let mut values = vec![
            1.5,
            0.1,
            100.0,
            1e15,
            1e16,
            1e21,
            1e22,
            1e-5,
            1e-7,
            123456.789,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            // Around the limits of the short-decimal path.
            999_999_999_999_999.0,
            99_999_999.999_999_9,
            0.000_000_01,
            0.000_000_001,
            0.000_000_015,
            1200.0,
            123_456_789.123_456_78,
        ];
        values.extend(random_floats(0x853C_49E6_748F_EA9B, 50_000));
        for f in values.into_iter().filter(|f| f.is_finite()) {
            for f in [f, -f] {
                let plain = format_float_plain(f);
                if f != 0.0 {
                    let (fast, dp) = shortest_digits(f);
                    let (reference, ref_dp) = shortest_digits_fmt(f);
                    if fast != reference {
                        // An exact tie between two shortest candidates: Go
                        // (and ryu) round half to even, core::fmt rounds up.
                        assert_eq!((fast.len(), dp), (reference.len(), ref_dp), "{f:e}");
                        let (a, b) = (fast.as_bytes(), reference.as_bytes());
                        assert_eq!(a[..a.len() - 1], b[..b.len() - 1], "{f:e}");
                        assert_eq!(a[a.len() - 1] + 1, b[b.len() - 1], "{f:e}");
                        assert_eq!(a[a.len() - 1] % 2, 0, "{f:e}");
                        continue;
                    }
                }
                assert_eq!(plain, format!("{f}"), "{f:e}");
                let mut buf = [0u8; 32];
                match format_float_plain_into(f, &mut buf) {
                    Some(n) => assert_eq!(&buf[..n], plain.as_bytes()),
                    None => assert!(plain.len() > 32, "{f:e}"),
                }
            }
        }
        assert_eq!(format_float_plain(-0.0), "-0");
        // A tie, as sops 3.11 prints it (`a: 1144061379383392.25` decrypts to
        // `1.1440613793833922e+15`; core::fmt would end in 3 and break the MAC).
        let tie: f64 = "1144061379383392.25".parse().unwrap();
        assert_eq!(format_float_plain(tie), "1144061379383392.2");
        assert_eq!(format_float_yaml(tie), "1.1440613793833922e+15");
        assert_eq!(format_float_plain_into(f64::NAN, &mut [0u8; 8]), None);
        for i in [0, 7, -7, 1_000_000, i64::MAX, i64::MIN] {
            assert_eq!(NumberText::int(i).as_str(), i.to_string());
        }
        assert_eq!(NumberText::uint(u64::MAX).as_str(), u64::MAX.to_string());
        assert_eq!(
            NumberText::float_plain(-0.25).map(|n| n.as_str().to_owned()),
            Some("-0.25".into())
        );
        assert!(NumberText::float_plain(1e300).is_none());
        assert_eq!(format_float_plain_into(1.5, &mut [0u8; 2]), None);
    }

    /// The magnitude test in `format_g` picks the same form as the decimal
    /// exponent of the shortest digits, also right at and next to both bounds.
    #[test]
    fn g_form_choice_matches_the_shortest_digits_exponent() {
        let mut values = vec![1.5, 123456.0, 999999.0, 1e-4, 1e6, 0.1, 5e-324, f64::MAX];
        for bound in [1e-4f64, 1e6] {
            let bits = bound.to_bits();
            for d in 0..64u64 {
                values.push(f64::from_bits(bits - d));
                values.push(f64::from_bits(bits + d));
            }
        }
        values.extend(random_floats(0x9E37_79B9_7F4A_7C15, 20_000));
        for f in values.into_iter().filter(|f| f.is_finite()) {
            for f in [f, -f] {
                let (_, dp) = shortest_digits(f);
                let want = if (-4..6).contains(&(dp - 1)) {
                    format_float_plain(f)
                } else {
                    format_e(f, false)
                };
                assert_eq!(format_g(f, false), want, "{f:e}");
            }
        }
    }

    #[test]
    fn yaml_floats_match_go_g() {
        for (v, want) in [
            (1.0, "1"),
            (1000.0, "1000"),
            (100000.0, "100000"),
            (1e6, "1e+06"),
            (1234567.5, "1.2345675e+06"),
            (123456789.0, "1.23456789e+08"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e21, "1e+21"),
            (1.5e-10, "1.5e-10"),
            (-0.0, "-0"),
            (0.0, "0"),
            (1.2345678901234568e29, "1.2345678901234568e+29"),
            (f64::INFINITY, ".inf"),
            (f64::NEG_INFINITY, "-.inf"),
            (f64::NAN, ".nan"),
        ] {
            assert_eq!(format_float_yaml(v), want, "{v}");
        }
    }

    #[test]
    fn json_floats_match_encoding_json() {
        for (v, want) in [
            (1.0, "1"),
            (1e-7, "1e-7"),
            (1e21, "1e+21"),
            (1.2345678901234567e19, "12345678901234567000"),
            (1.5, "1.5"),
            (0.000001, "0.000001"),
            (1e100, "1e+100"),
        ] {
            assert_eq!(format_float_json(v).as_deref(), Some(want), "{v}");
        }
        assert_eq!(format_float_json(f64::INFINITY), None);
    }

    #[test]
    fn dotenv_floats_match_sops() {
        for (v, want) in [
            (1.0, "1.0"),
            (100000.0, "100000.0"),
            (1.5, "1.5"),
            (1e6, "1E+06"),
            (1234567.5, "1.2345675E+06"),
            (0.00001, "1E-05"),
            (1e21, "1E+21"),
        ] {
            assert_eq!(format_float_dotenv(v), want, "{v}");
        }
    }

    #[test]
    fn parse_float_accepts_go_syntax() {
        assert_eq!(parse_float("+Inf"), Some(f64::INFINITY));
        assert_eq!(parse_float("-Inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_float("infinity"), Some(f64::INFINITY));
        assert!(parse_float("NaN").is_some_and(f64::is_nan));
        assert_eq!(parse_float("0x1.8p1"), Some(3.0));
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert_eq!(parse_float("1_0"), None);
        assert_eq!(parse_float(""), None);
        // Plain decimal forms (the fast path).
        assert_eq!(parse_float("12.34"), Some(12.34));
        assert_eq!(parse_float("-0.25"), Some(-0.25));
        assert_eq!(parse_float("+1E2"), Some(100.0));
        assert_eq!(parse_float("1."), Some(1.0));
        assert_eq!(parse_float(".5e+1"), Some(5.0));
        for bad in [".", "1e", "--1", "+-1", "1.2.3", "e5", "-"] {
            assert_eq!(parse_float(bad), None, "{bad}");
        }
    }

    #[test]
    fn atoi_and_parse_bool() {
        assert_eq!(parse_int("-42"), Some(-42));
        assert_eq!(parse_int("+5"), Some(5));
        assert_eq!(parse_int("9223372036854775808"), None);
        assert_eq!(parse_int("0x1"), None);
        assert_eq!(parse_bool("True"), Some(true));
        assert_eq!(parse_bool("yes"), None);
    }

    #[test]
    fn timestamps_round_trip_go_layouts() {
        let t = Timestamp::parse_rfc3339("2001-12-14T21:59:43.10-05:00").unwrap();
        assert_eq!(t.to_rfc3339_nano(), "2001-12-14T21:59:43.1-05:00");
        let t = Timestamp::parse_rfc3339("2026-11-24T16:17:26Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-24T16:17:26Z");
        assert_eq!(
            Timestamp::parse_rfc3339("2026-11-24T16:17:26+00:00")
                .unwrap()
                .to_rfc3339(),
            "2026-11-24T16:17:26Z"
        );
        assert!(Timestamp::parse_rfc3339("2026-02-30T00:00:00Z").is_none());
        assert!(Timestamp::parse_rfc3339("garbage").is_none());
        assert_eq!(
            Timestamp::from_unix(1_764_000_000).to_rfc3339(),
            "2025-11-24T16:00:00Z"
        );
    }
}
