//! Shared by the PGP, key-group and config tests (included with `#[path]`): GnuPG
//! homes holding the sops functional-test keys, and helpers that make files and
//! failure reports comparable across the two tools where only random or
//! library-specific text differs.
//!
//! Cargo also builds this file as a test target of its own (with no tests); its
//! own checks live in `pgp_interop.rs`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// "SOPS Functional Tests Key 1" (RSA 2048) from `sops-repo/pgp/`.
pub const K1: &str = "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4";
/// "SOPS Functional Tests Key 2" (RSA 1024) from `sops-repo/pgp/`.
pub const K2: &str = "D7229043384BCC60326C6FB9D8720D957C3D3074";

/// A GnuPG home directory; its agent (if one was started) is stopped on drop.
pub struct GpgHome {
    path: PathBuf,
}

impl GpgHome {
    /// An empty home at `path` (created with mode 0700, as gpg wants).
    pub fn empty(path: &Path) -> GpgHome {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        let home = GpgHome {
            path: path.to_path_buf(),
        };
        // gpg's first run in a home notes "keybox … created" on stderr; doing it
        // here keeps that line out of the messages the tests compare.
        let _ = home
            .gpg()
            .args(["--batch", "--list-keys"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        home
    }

    /// A home at `path` with both functional-test secret keys imported.
    pub fn with_test_keys(path: &Path, vectors: &Path) -> GpgHome {
        let home = GpgHome::empty(path);
        let asc = vectors.join("sops-repo/pgp/sops_functional_tests_key.asc");
        let out = home
            .gpg()
            .args(["--batch", "--import"])
            .arg(&asc)
            .output()
            .unwrap_or_else(|e| panic!("cannot run gpg: {e}"));
        assert!(
            out.status.success(),
            "gpg --import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        home
    }

    /// The directory (for `GNUPGHOME`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory as a string.
    pub fn env_value(&self) -> String {
        self.path.display().to_string()
    }

    /// A `gpg` command working on this home.
    pub fn gpg(&self) -> Command {
        let mut cmd = Command::new("gpg");
        cmd.env("GNUPGHOME", &self.path).stdin(Stdio::null());
        cmd
    }
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        // Stops only the agent of this home (it is addressed through GNUPGHOME).
        let _ = Command::new("gpgconf")
            .args(["--kill", "gpg-agent"])
            .env("GNUPGHOME", &self.path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Replaces the parts of an encrypted YAML/JSON file that differ between two
/// encryptions of the same input (ENC values, age and PGP armour, timestamps)
/// by fixed placeholders. PGP messages are dropped wholesale: their length
/// depends on gpg's compression choices.
pub fn mask_all(text: &str) -> String {
    let re = |p: &str| regex::Regex::new(p).unwrap_or_else(|e| panic!("bad regex {p}: {e}"));
    let enc = re(
        r"ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]*,tag:[A-Za-z0-9+/=]*,type:([a-z]+)\]",
    );
    let time = re(r"\d{4}-\d\d-\d\dT[0-9:.]+Z");
    let pgp_json = re(r"-----BEGIN PGP MESSAGE-----[^\x22]*-----END PGP MESSAGE-----(\\n)?");
    let age_json =
        re(r"-----BEGIN AGE ENCRYPTED FILE-----[^\x22]*-----END AGE ENCRYPTED FILE-----\\n");
    let text = enc.replace_all(text, "ENC[$1]");
    let text = time.replace_all(&text, "<time>");
    let text = pgp_json.replace_all(&text, "<pgp>");
    let text = age_json.replace_all(&text, "<age>");
    let mut out = String::new();
    let mut in_armour = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with("-----END ") {
            in_armour = false;
            out.push_str(line);
            continue;
        }
        if in_armour {
            continue;
        }
        if t.starts_with("-----BEGIN ") {
            in_armour = true;
        }
        out.push_str(line);
    }
    out
}

/// A data-key failure report with the text of PGP failures collapsed: sops also
/// reports its built-in OpenPGP library's error there, which sops-rs (gpg only)
/// cannot produce. Everything else (groups, keys, order, age reasons, summary)
/// is kept.
pub fn normalize_report(report: &str) -> String {
    let fp = regex::Regex::new(r"^  [0-9A-F]{40}!?: (FAILED|SUCCEEDED)$")
        .unwrap_or_else(|e| panic!("bad regex: {e}"));
    let mut out = String::new();
    let mut in_pgp = false;
    for line in report.lines() {
        if line.starts_with("    - |") || line.starts_with("      |") {
            if in_pgp {
                continue;
            }
        } else {
            in_pgp = fp.is_match(line);
            if in_pgp {
                out.push_str(line);
                out.push_str("\n    - | <pgp failure>\n");
                continue;
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
