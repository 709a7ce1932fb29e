//! A changed encrypted file must be refused the way sops refuses it (same exit
//! code, same first line of stderr) without printing any plaintext.
//!
//! Two sources: the hand-edited negative vectors written by sops, and fresh
//! tampering of files encrypted by sops-rs and by sops in the test itself.

mod common;

use common::{AGE1, Sandbox, Tool, assert_same_failure, assert_same_success, case, read};

// ---------------------------------------------------------------------------
// Negative vectors (`cases/negative/`, README table).

fn negative(file: &str, code: i32) {
    let sb = Sandbox::new();
    let path = case(&format!("negative/{file}"));
    let path = path.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["decrypt", path.as_ref()]);
    theirs.code(code);
    ours.code(code);
    assert_same_failure(&ours, &theirs);
    let recorded = String::from_utf8_lossy(&read(case(&format!("negative/{file}.stderr.txt"))))
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    ours.stderr_starts_with(&recorded);
}

fn negative_ignore_mac(file: &str) {
    let sb = Sandbox::new();
    let path = case(&format!("negative/{file}"));
    let path = path.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["decrypt", "--ignore-mac", path.as_ref()]);
    assert_same_success(&ours, &theirs);
}

#[test]
fn negative_mac_mismatch() {
    negative("mac-mismatch.enc.yaml", 51);
}

#[test]
fn negative_mac_mismatch_ignore_mac() {
    negative_ignore_mac("mac-mismatch.enc.yaml");
}

#[test]
fn negative_empty_mac() {
    negative("empty-mac.enc.yaml", 51);
}

#[test]
fn negative_empty_mac_ignore_mac() {
    negative_ignore_mac("empty-mac.enc.yaml");
}

#[test]
fn negative_lastmodified_changed() {
    negative("lastmodified-changed.enc.yaml", 51);
}

#[test]
fn negative_lastmodified_changed_ignore_mac() {
    negative_ignore_mac("lastmodified-changed.enc.yaml");
}

#[test]
fn negative_value_tampered() {
    negative("value-tampered.enc.yaml", 25);
}

#[test]
fn negative_values_swapped() {
    negative("values-swapped.enc.yaml", 25);
}

#[test]
fn negative_missing_version() {
    negative("missing-version.enc.yaml", 1);
}

#[test]
fn negative_two_selection_rules() {
    negative("two-selection-rules.enc.yaml", 1);
}

#[test]
fn negative_no_metadata() {
    negative("no-metadata.yaml", 1);
}

/// `--ignore-mac` does not help against a tampered value: still exit 25.
#[test]
fn negative_value_tampered_ignore_mac_still_fails() {
    let sb = Sandbox::new();
    let path = case("negative/value-tampered.enc.yaml");
    let path = path.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["decrypt", "--ignore-mac", path.as_ref()]);
    ours.code(25);
    assert_same_failure(&ours, &theirs);
}

// ---------------------------------------------------------------------------
// Fresh tampering of files encrypted by sops-rs and by sops.

const CANARY_PASSWORD: &str = "canary-db-password-7f3a";
const CANARY_TOKEN: &str = "canary-api-token-c0ffee";

const PLAIN: &str = "\
# database credentials
db:
    user: admin
    password: canary-db-password-7f3a
api_token: canary-api-token-c0ffee
port: 5432
note_unencrypted: visible
";

/// Encrypts [`PLAIN`] with `tool` and returns the encrypted text.
fn encrypted_by(sb: &Sandbox, tool: Tool) -> String {
    let plain = sb.write("plain.yaml", PLAIN);
    let run = sb.run(
        tool,
        ["encrypt", "--age", AGE1, plain.to_string_lossy().as_ref()],
    );
    run.success();
    let text = run.stdout_text();
    assert!(
        !text.contains(CANARY_PASSWORD) && !text.contains(CANARY_TOKEN),
        "{tool:?} left a secret in clear:\n{text}"
    );
    text
}

/// The `ENC[…]` string on the first line that contains `key:`.
fn enc_of<'a>(text: &'a str, key: &str) -> &'a str {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{key}:")))
        .unwrap_or_else(|| panic!("no {key:?} line in\n{text}"));
    let start = line
        .find("ENC[")
        .unwrap_or_else(|| panic!("{key:?} is not encrypted in\n{text}"));
    let end = line[start..]
        .find(']')
        .unwrap_or_else(|| panic!("unterminated ENC in {line:?}"));
    &line[start..=start + end]
}

/// Changes the first base64 character of the `data:` part of `enc`.
fn flip_data(enc: &str) -> String {
    let at = enc
        .find("data:")
        .unwrap_or_else(|| panic!("no data: in {enc}"))
        + 5;
    let old = enc[at..].chars().next().unwrap_or('A');
    let new = if old == 'A' { 'B' } else { 'A' };
    format!("{}{new}{}", &enc[..at], &enc[at + 1..])
}

/// Applies `tamper` to files encrypted by sops-rs and by sops, and checks that
/// sops-rs fails on each with `code` exactly like sops, revealing no secret.
fn tamper_case(code: i32, tamper: fn(&str) -> String) {
    for source in [Tool::SopsRs, Tool::Oracle] {
        let sb = Sandbox::new();
        let original = encrypted_by(&sb, source);
        let tampered = tamper(&original);
        assert_ne!(tampered, original, "the tampering changed nothing");
        let file = sb.write("tampered.enc.yaml", &tampered);
        let file = file.to_string_lossy();
        for args in [vec!["decrypt", file.as_ref()], vec!["-d", file.as_ref()]] {
            let (ours, theirs) = sb.run_both(&args);
            ours.code(code);
            assert_same_failure(&ours, &theirs);
            ours.does_not_reveal(CANARY_PASSWORD)
                .does_not_reveal(CANARY_TOKEN);
        }
    }
}

#[test]
fn tamper_flipped_ciphertext_byte() {
    tamper_case(25, |text| {
        let enc = enc_of(text, "password");
        text.replacen(enc, &flip_data(enc), 1)
    });
}

#[test]
fn tamper_swapped_values() {
    tamper_case(25, |text| {
        let a = enc_of(text, "password").to_string();
        let b = enc_of(text, "api_token").to_string();
        text.replacen(&a, "\u{0}SWAP\u{0}", 1)
            .replacen(&b, &a, 1)
            .replacen("\u{0}SWAP\u{0}", &b, 1)
    });
}

#[test]
fn tamper_changed_mac() {
    tamper_case(51, |text| {
        let enc = enc_of(text, "mac");
        text.replacen(enc, &flip_data(enc), 1)
    });
}

#[test]
fn tamper_removed_sops_metadata() {
    tamper_case(1, |text| {
        let at = text
            .find("\nsops:\n")
            .unwrap_or_else(|| panic!("no sops block in\n{text}"));
        text[..=at].to_string()
    });
}

#[test]
fn tamper_changed_lastmodified() {
    tamper_case(51, |text| {
        let re = regex::Regex::new(r#"lastmodified: "\d{4}-"#)
            .unwrap_or_else(|e| panic!("bad regex: {e}"));
        re.replace(text, r#"lastmodified: "2001-"#).into_owned()
    });
}

#[test]
fn tamper_changed_clear_value() {
    tamper_case(51, |text| {
        text.replacen("note_unencrypted: visible", "note_unencrypted: changed", 1)
    });
}

#[test]
fn tamper_removed_encrypted_key() {
    tamper_case(51, |text| {
        text.lines()
            .filter(|l| !l.starts_with("port:"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
}

/// The `type:` is not authenticated (the AAD is the key path only), so sops
/// accepts a changed type and prints the value with the new type; sops-rs must
/// do the same rather than refuse a file sops opens.
#[test]
fn changed_value_type_is_accepted_like_sops() {
    for source in [Tool::SopsRs, Tool::Oracle] {
        let sb = Sandbox::new();
        let text = encrypted_by(&sb, source);
        let enc = enc_of(&text, "port");
        let tampered = text.replacen(enc, &enc.replace("type:int", "type:str"), 1);
        assert_ne!(tampered, text);
        let file = sb.write("retyped.enc.yaml", &tampered);
        let file = file.to_string_lossy();
        let (ours, theirs) = sb.run_both(&["decrypt", file.as_ref()]);
        assert_same_success(&ours, &theirs);
        assert!(
            ours.stdout_text().contains("port: \"5432\""),
            "{}",
            ours.describe()
        );
    }
}
