//! The `version` metadata check: sops refuses files whose version is not semver (spec §3.4).
//!
//! sops parses the version with blang/semver and compares it with 3.3.0 before
//! it decrypts; the parser's exact error texts are what users see, so this is
//! a small hand-written port of that parser's rules rather than a semver crate
//! (which words its errors differently and accepts other inputs).

use crate::cipher::go_quote;
use crate::error::{Error, Result};
use std::cmp::Ordering;

/// The version sops-rs writes into new files (it writes sops's format).
pub const PROGRAM_VERSION: &str = "3.11.0";

/// A parsed semantic version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<Pre>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pre {
    Num(u64),
    Str(String),
}

fn only(s: &str, allowed: impl Fn(char) -> bool) -> bool {
    s.chars().all(allowed)
}

fn is_num(c: char) -> bool {
    c.is_ascii_digit()
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

fn leading_zero(s: &str) -> bool {
    s.len() > 1 && s.starts_with('0')
}

fn parse_u64(s: &str) -> std::result::Result<u64, String> {
    if s.is_empty() {
        return Err(format!(
            "strconv.ParseUint: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    s.parse::<u64>().map_err(|_| {
        format!(
            "strconv.ParseUint: parsing {}: value out of range",
            go_quote(s)
        )
    })
}

fn number(s: &str, what: &str) -> std::result::Result<u64, String> {
    if !only(s, is_num) {
        return Err(format!(
            "Invalid character(s) found in {what} number {}",
            go_quote(s)
        ));
    }
    if leading_zero(s) {
        let cap = match what {
            "major" => "Major",
            "minor" => "Minor",
            _ => "Patch",
        };
        return Err(format!(
            "{cap} number must not contain leading zeroes {}",
            go_quote(s)
        ));
    }
    parse_u64(s)
}

impl Version {
    /// Parses strict semver with blang/semver's rules and messages.
    pub fn parse(s: &str) -> std::result::Result<Version, String> {
        if s.is_empty() {
            return Err("Version string empty".into());
        }
        let parts: Vec<&str> = s.splitn(3, '.').collect();
        let [major, minor, rest] = parts.as_slice() else {
            return Err("No Major.Minor.Patch elements found".into());
        };
        let major = number(major, "major")?;
        let minor = number(minor, "minor")?;
        let mut patch_str = *rest;
        let mut build: Vec<&str> = Vec::new();
        if let Some(i) = patch_str.find('+') {
            build = patch_str.get(i + 1..).unwrap_or("").split('.').collect();
            patch_str = patch_str.get(..i).unwrap_or("");
        }
        let mut pre_parts: Vec<&str> = Vec::new();
        if let Some(i) = patch_str.find('-') {
            pre_parts = patch_str.get(i + 1..).unwrap_or("").split('.').collect();
            patch_str = patch_str.get(..i).unwrap_or("");
        }
        let patch = number(patch_str, "patch")?;
        let mut pre = Vec::new();
        for p in pre_parts {
            if p.is_empty() {
                return Err("Prerelease is empty".into());
            }
            if only(p, is_num) {
                if leading_zero(p) {
                    return Err(format!(
                        "Numeric PreRelease version must not contain leading zeroes {}",
                        go_quote(p)
                    ));
                }
                pre.push(Pre::Num(parse_u64(p)?));
            } else if only(p, is_alnum) {
                pre.push(Pre::Str(p.to_string()));
            } else {
                return Err(format!(
                    "Invalid character(s) found in prerelease {}",
                    go_quote(p)
                ));
            }
        }
        for b in build {
            if b.is_empty() {
                return Err("Build meta data is empty".into());
            }
            if !only(b, is_alnum) {
                return Err(format!(
                    "Invalid character(s) found in build meta data {}",
                    go_quote(b)
                ));
            }
        }
        Ok(Version {
            major,
            minor,
            patch,
            pre,
        })
    }

    /// Semver precedence (build metadata ignored).
    pub fn compare(&self, other: &Version) -> Ordering {
        let core =
            (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch));
        if core != Ordering::Equal {
            return core;
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        for (a, b) in self.pre.iter().zip(&other.pre) {
            let o = match (a, b) {
                (Pre::Num(x), Pre::Num(y)) => x.cmp(y),
                (Pre::Num(_), Pre::Str(_)) => Ordering::Less,
                (Pre::Str(_), Pre::Num(_)) => Ordering::Greater,
                (Pre::Str(x), Pre::Str(y)) => x.cmp(y),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        self.pre.len().cmp(&other.pre.len())
    }
}

/// The load-time check every decrypting command does: versions starting with
/// `1.` pass unparsed, a leading `v` is dropped, anything else must be semver.
pub fn check_version(version: &str) -> Result<()> {
    if version.starts_with("1.") {
        return Ok(());
    }
    let v = version.strip_prefix('v').unwrap_or(version);
    Version::parse(v).map(|_| ()).map_err(Error::InvalidVersion)
}

/// Whether `a` is newer than `b` (for `edit`, which bumps a file's version);
/// versions starting with `1.` are older than anything else.
pub fn is_newer(a: &str, b: &str) -> Result<bool> {
    if b.starts_with("1.") {
        return Ok(!a.starts_with("1."));
    }
    if a.starts_with("1.") {
        return Ok(false);
    }
    let pa = Version::parse(a.strip_prefix('v').unwrap_or(a)).map_err(Error::InvalidVersion)?;
    let pb = Version::parse(b.strip_prefix('v').unwrap_or(b)).map_err(Error::InvalidVersion)?;
    Ok(pa.compare(&pb) == Ordering::Greater)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(v: &str) -> String {
        check_version(v).unwrap_err().to_string()
    }

    #[test]
    fn accepts_what_sops_accepts() {
        for v in [
            "3.11.0",
            "v3.11.0",
            "3.11.0-rc1",
            "3.11.0+b",
            "1.0",
            "1.x",
            "1.",
            "2.0.0",
            "4294967296.0.0",
            "3.1.0-a.1+x.y",
        ] {
            check_version(v).unwrap();
        }
    }

    /// Every message below was printed by the sops 3.11.0 binary for that version.
    #[test]
    fn rejects_with_sops_messages() {
        assert_eq!(err(""), "Version string empty");
        assert_eq!(err("3.2"), "No Major.Minor.Patch elements found");
        assert_eq!(err("abc"), "No Major.Minor.Patch elements found");
        assert_eq!(err("1"), "No Major.Minor.Patch elements found");
        assert_eq!(
            err("03.1.0"),
            "Major number must not contain leading zeroes \"03\""
        );
        assert_eq!(
            err("3.01.0"),
            "Minor number must not contain leading zeroes \"01\""
        );
        assert_eq!(
            err("3.1.x"),
            "Invalid character(s) found in patch number \"x\""
        );
        assert_eq!(err("3.1.0-"), "Prerelease is empty");
        assert_eq!(
            err("3.1.0-01"),
            "Numeric PreRelease version must not contain leading zeroes \"01\""
        );
        assert_eq!(err("3.1.0-a..b"), "Prerelease is empty");
        assert_eq!(err("3.1.0+"), "Build meta data is empty");
        assert_eq!(
            err(" 3.1.0"),
            "Invalid character(s) found in major number \" 3\""
        );
        assert_eq!(
            err("3.1.0.4"),
            "Invalid character(s) found in patch number \"0.4\""
        );
        assert_eq!(
            err("3.1.0 "),
            "Invalid character(s) found in patch number \"0 \""
        );
        assert_eq!(
            err("-3.1.0"),
            "Invalid character(s) found in major number \"-3\""
        );
        assert_eq!(
            err("3.1.-0"),
            "strconv.ParseUint: parsing \"\": invalid syntax"
        );
        assert_eq!(
            err("3..0"),
            "strconv.ParseUint: parsing \"\": invalid syntax"
        );
        assert_eq!(
            err("3.1.0-a+b+c"),
            "Invalid character(s) found in build meta data \"b+c\""
        );
        assert_eq!(
            err("3.1.0-Ä"),
            "Invalid character(s) found in prerelease \"Ä\""
        );
        assert_eq!(
            err("18446744073709551616.0.0"),
            "strconv.ParseUint: parsing \"18446744073709551616\": value out of range"
        );
        assert_eq!(
            err("vv3.11.0"),
            "Invalid character(s) found in major number \"v3\""
        );
    }

    #[test]
    fn ordering() {
        assert!(is_newer("3.11.0", "3.9.1").unwrap());
        assert!(!is_newer("3.9.1", "3.11.0").unwrap());
        assert!(is_newer("3.11.0", "3.11.0-rc1").unwrap());
        assert!(is_newer("3.0.0", "1.2").unwrap());
        assert!(!is_newer("3.11.0", "3.11.0").unwrap());
        assert!(is_newer("3.11.0-rc.10", "3.11.0-rc.9").unwrap());
    }
}
