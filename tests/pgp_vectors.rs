//! Files protected by PGP keys (through the gpg binary, as sops does):
//! upstream sops files and generated ones decrypt to what sops printed, and
//! files sops-rs encrypts for a PGP key open with sops.
//!
//! Each sandbox imports the upstream test keys K1 and K2 into its own GNUPGHOME.

mod common;

use common::{
    AGE1, PGP_K1, Sandbox, Tool, assert_bytes_eq, assert_same_failure, assert_same_success, case,
    read, sops_repo,
};

fn pgp_sandbox() -> Sandbox {
    let mut sb = Sandbox::new();
    // No age key: PGP alone must do.
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb.import_pgp_keys();
    sb
}

/// Decrypts `enc` with sops-rs (extra `args` first) and compares with `expected`.
fn decrypts_to(enc: std::path::PathBuf, args: &[&str], expected: std::path::PathBuf) {
    let sb = pgp_sandbox();
    let enc = enc.to_string_lossy();
    let mut full = vec!["decrypt"];
    full.extend_from_slice(args);
    full.push(enc.as_ref());
    let run = sb.run(Tool::SopsRs, &full);
    run.success();
    assert_bytes_eq(&run.stdout, &read(&expected), &enc);
}

fn upstream(path: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let decrypted = format!(
        "_decrypted-by-sops-3.11.0/{}.decrypted",
        path.replace('/', "_")
    );
    (sops_repo(path), sops_repo(&decrypted))
}

#[test]
fn generated_yaml_pgp_k1() {
    decrypts_to(
        case("yaml-pgp-k1.enc.yaml"),
        &[],
        case("yaml-pgp-k1.dec.yaml"),
    );
}

#[test]
fn upstream_example_yaml() {
    let (enc, dec) = upstream("example.yaml");
    decrypts_to(enc, &[], dec);
}

#[test]
fn upstream_comments_enc_yaml() {
    let (enc, dec) = upstream("functional-tests/res/comments.enc.yaml");
    decrypts_to(enc, &[], dec);
}

#[test]
fn upstream_comments_unencrypted_comments_yaml() {
    let (enc, dec) = upstream("functional-tests/res/comments_unencrypted_comments.yaml");
    decrypts_to(enc, &[], dec);
}

#[test]
fn upstream_multiple_keys_yaml() {
    let (enc, dec) = upstream("functional-tests/res/multiple_keys.yaml");
    decrypts_to(enc, &[], dec);
}

#[test]
fn upstream_format_enc_yaml() {
    let (enc, dec) = upstream("functional-tests/res/format.enc.yaml");
    decrypts_to(enc, &[], dec);
}

/// The upstream files in the other stores (JSON, INI, dotenv, binary).
#[test]
fn upstream_other_formats() {
    for path in [
        "example.json",
        "example.ini",
        "example.txt",
        "examples/all_in_one/config/secret.enc.json",
        "examples/per_file/config.enc/static_github.json",
        "functional-tests/res/format.enc.json",
        "functional-tests/res/format.enc.env",
        "functional-tests/res/format.enc.ini",
        "functional-tests/res/format-2.enc.ini",
    ] {
        let (enc, dec) = upstream(path);
        decrypts_to(enc, &[], dec);
    }
}

#[test]
fn upstream_no_mac_yaml() {
    let enc = sops_repo("functional-tests/res/no_mac.yaml");
    let dec = sops_repo(
        "_decrypted-by-sops-3.11.0/functional-tests_res_no_mac.yaml.decrypted-ignore-mac",
    );
    decrypts_to(enc.clone(), &["--ignore-mac"], dec);

    let sb = pgp_sandbox();
    let enc = enc.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["decrypt", enc.as_ref()]);
    ours.code(51);
    assert_same_failure(&ours, &theirs);
}

/// sops-rs encrypts for PGP K1 (alone, and together with age1); sops opens it.
#[test]
fn encrypt_for_pgp_opens_with_sops() {
    let sb = pgp_sandbox();
    let plain = read(case("yaml-basic.plain.yaml"));
    let file = sb.write("p.yaml", &plain);
    let file = file.to_string_lossy();
    let expected = read(case("yaml-basic.dec.yaml"));
    for args in [
        vec!["encrypt", "--pgp", PGP_K1, file.as_ref()],
        vec!["-e", "--pgp", PGP_K1, "--age", AGE1, file.as_ref()],
    ] {
        let ours = sb.run(Tool::SopsRs, &args);
        ours.success();
        let text = ours.stdout_text();
        assert!(
            text.contains("pgp:") && text.contains(PGP_K1) && text.contains("created_at:"),
            "no pgp entry\n{text}"
        );
        let enc = sb.write("ours.enc.yaml", &ours.stdout);
        let enc = enc.to_string_lossy();
        let (o, t) = sb.run_both(&["decrypt", enc.as_ref()]);
        assert_same_success(&o, &t);
        assert_bytes_eq(&t.stdout, &expected, "sops decrypting sops-rs's PGP file");
    }
}

#[test]
fn pgp_file_without_the_secret_key_exits_128() {
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    // Empty GNUPGHOME: gpg has no secret key.
    let enc = case("yaml-pgp-k1.enc.yaml");
    let enc = enc.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["decrypt", enc.as_ref()]);
    ours.code(128).does_not_reveal("world");
    assert_same_failure(&ours, &theirs);
    assert!(ours.stderr.contains(PGP_K1), "{}", ours.describe());
}
