//! PGP master keys against the real sops 3.11.0 and a real `gpg`: the sops
//! repository's example files, PGP-only and age-or-PGP files in both
//! directions, and the failures (no MAC, missing gpg, key not in the keyring).

mod common;
#[path = "pgp_home.rs"]
mod pgp_home;

use common::{AGE1, Sandbox, Tool, assert_bytes_eq, assert_same_failure, case, read, vectors};
use pgp_home::{GpgHome, K1, K2, mask_all, normalize_report};

/// A sandbox whose GnuPG home holds K1 and K2 and which has no age identity.
fn pgp_sandbox() -> (Sandbox, GpgHome) {
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    let home = GpgHome::with_test_keys(&sb.path().join("home/.gnupg"), vectors());
    (sb, home)
}

const SOPS_REPO_FILES: &[&str] = &[
    "example.yaml",
    "example.json",
    "example.ini",
    "example.txt",
    "examples/all_in_one/config/secret.enc.json",
    "examples/per_file/config.enc/static_github.json",
    "functional-tests/res/comments.enc.yaml",
    "functional-tests/res/comments_unencrypted_comments.yaml",
    "functional-tests/res/multiple_keys.yaml",
    "functional-tests/res/format.enc.yaml",
    "functional-tests/res/format.enc.json",
    "functional-tests/res/format.enc.env",
    "functional-tests/res/format.enc.ini",
    "functional-tests/res/format-2.enc.ini",
];

fn expected_for(rel: &str, suffix: &str) -> Vec<u8> {
    read(vectors().join(format!(
        "sops-repo/_decrypted-by-sops-3.11.0/{}.{suffix}",
        rel.replace('/', "_")
    )))
}

#[test]
fn sops_repo_examples_decrypt_byte_identically() {
    let (sb, _home) = pgp_sandbox();
    let mut failures = Vec::new();
    for rel in SOPS_REPO_FILES {
        let path = vectors().join("sops-repo").join(rel);
        for args in [vec!["decrypt"], vec!["-d"]] {
            let mut args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
            args.push(path.as_os_str());
            let run = sb.run(Tool::SopsRs, &args);
            if run.code != 0 || run.stdout != expected_for(rel, "decrypted") {
                failures.push(run.describe());
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn sops_repo_file_without_mac_needs_ignore_mac() {
    let (sb, _home) = pgp_sandbox();
    let path = vectors().join("sops-repo/functional-tests/res/no_mac.yaml");
    let path = path.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["decrypt", &path]);
    assert_same_failure(&ours, &theirs);
    assert_eq!(ours.code, 51);
    let (ours, theirs) = sb.run_both(&["decrypt", "--ignore-mac", &path]);
    common::assert_same_success(&ours, &theirs);
    assert_bytes_eq(
        &ours.stdout,
        &expected_for("functional-tests/res/no_mac.yaml", "decrypted-ignore-mac"),
        "no_mac.yaml with --ignore-mac",
    );
}

#[test]
fn a_group_opens_with_its_second_pgp_key_when_the_first_is_missing() {
    let (sb, home) = pgp_sandbox();
    let out = home
        .gpg()
        .args(["--batch", "--yes", "--delete-secret-and-public-key", K1])
        .output()
        .unwrap_or_else(|e| panic!("cannot run gpg: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for rel in ["example.yaml", "functional-tests/res/multiple_keys.yaml"] {
        let path = vectors().join("sops-repo").join(rel);
        let run = sb.run(Tool::SopsRs, ["decrypt".as_ref(), path.as_os_str()]);
        run.success();
        assert_bytes_eq(&run.stdout, &expected_for(rel, "decrypted"), rel);
    }
    // A K1-only file now fails in both tools with the same report.
    let path = vectors().join("sops-repo/functional-tests/res/format.enc.yaml");
    let path = path.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["decrypt", &path]);
    assert_same_failure(&ours, &theirs);
    assert_eq!(ours.stderr, theirs.stderr, "the whole report");
}

const PLAIN_YAML: &str = "# top comment\ndb:\n    user: admin\n    password: s3cr3t\nports: [1, 2]\nflag: true\nnote_unencrypted: clear\n";
/// A document sops prints back byte for byte after a round trip.
const STABLE_YAML: &str = "# top comment\ndb:\n    user: admin\n    password: s3cr3t\nflag: true\n";

/// Encrypts `name` with both tools using `args`, then checks every cross decryption
/// and that the two files have the same layout once random parts are masked.
fn both_ways(sb: &Sandbox, name: &str, plain: &str, args: &[&str]) -> (String, String) {
    let file = sb.write(name, plain);
    let file = file.to_string_lossy().into_owned();
    let mut full: Vec<&str> = args.to_vec();
    full.push(&file);
    let (ours, theirs) = sb.run_both(&full);
    theirs.success();
    ours.success();
    let ext = name.rsplit('.').next().unwrap_or("yaml");
    let ours_enc = sb.write(&format!("ours.enc.{ext}"), &ours.stdout);
    let theirs_enc = sb.write(&format!("theirs.enc.{ext}"), &theirs.stdout);
    let expected = sb
        .run(Tool::Oracle, ["decrypt".as_ref(), theirs_enc.as_os_str()])
        .success()
        .stdout
        .clone();
    for (tool, enc, what) in [
        (Tool::Oracle, &ours_enc, "sops decrypting sops-rs's file"),
        (Tool::SopsRs, &ours_enc, "sops-rs decrypting its own file"),
        (Tool::SopsRs, &theirs_enc, "sops-rs decrypting sops's file"),
    ] {
        let run = sb.run(tool, ["decrypt".as_ref(), enc.as_os_str()]);
        assert_eq!(run.code, 0, "{what} failed\n{}", run.describe());
        assert_bytes_eq(&run.stdout, &expected, what);
    }
    let (o, t) = (ours.stdout_text(), theirs.stdout_text());
    assert_bytes_eq(
        mask_all(&o).as_bytes(),
        mask_all(&t).as_bytes(),
        "sops-rs's encrypted file vs sops's (random parts masked)",
    );
    (o, t)
}

#[test]
fn pgp_only_files_both_ways_yaml_and_json() {
    let (sb, _home) = pgp_sandbox();
    let (ours, _) = both_ways(&sb, "plain.yaml", PLAIN_YAML, &["encrypt", "--pgp", K1]);
    assert!(ours.contains(&format!("fp: {K1}")), "{ours}");
    assert!(
        ours.contains("enc: |-\n"),
        "gpg's armour is stored trimmed: {ours}"
    );
    both_ways(
        &sb,
        "plain.json",
        "{\"a\": {\"b\": \"c\"}, \"n\": 1.5}\n",
        &["encrypt", "--pgp", K1],
    );
    // Legacy mode, and fingerprints with spaces (removed before use and storage).
    let spaced = "FBC7 B9E2 A4F9 289A C0C1  D484 3D16 CEE4 A273 81B4";
    let (ours, _) = both_ways(&sb, "plain.yaml", PLAIN_YAML, &["-e", "--pgp", spaced]);
    assert!(ours.contains(&format!("fp: {K1}")), "{ours}");
}

#[test]
fn pgp_fingerprints_from_the_environment() {
    let (mut sb, _home) = pgp_sandbox();
    sb.set_env("SOPS_PGP_FP", format!("{K1},{K2}"));
    let (ours, _) = both_ways(&sb, "plain.yaml", PLAIN_YAML, &["encrypt"]);
    assert!(ours.contains(K1) && ours.contains(K2), "{ours}");
}

#[test]
fn age_or_pgp_file_opens_with_either_key_alone() {
    let (mut sb, _home) = pgp_sandbox();
    let vector = case("json-pgp-k1-and-age1.enc.json");
    let expected = read(case("json-pgp-k1-and-age1.dec.json"));
    let file = sb.write("plain.yaml", STABLE_YAML);
    let ours = sb
        .run(
            Tool::SopsRs,
            [
                "encrypt".as_ref(),
                "--age".as_ref(),
                AGE1.as_ref(),
                "--pgp".as_ref(),
                K1.as_ref(),
                file.as_os_str(),
            ],
        )
        .success()
        .stdout
        .clone();
    let ours = sb.write("ours.enc.yaml", ours);
    let no_gpg = GpgHome::empty(&sb.path().join("no-gnupg"));
    // PGP only (no age identity), then age only (an empty GnuPG home).
    for age_only in [false, true] {
        if age_only {
            sb.set_env("GNUPGHOME", no_gpg.env_value());
            sb.set_env(
                "SOPS_AGE_KEY_FILE",
                common::age_key(1).display().to_string(),
            );
        }
        let run = sb.run(Tool::SopsRs, ["decrypt".as_ref(), vector.as_os_str()]);
        run.success();
        assert_bytes_eq(&run.stdout, &expected, "json-pgp-k1-and-age1 vector");
        let theirs = sb.run(Tool::Oracle, ["decrypt".as_ref(), ours.as_os_str()]);
        theirs.success();
        assert_bytes_eq(
            &theirs.stdout,
            STABLE_YAML.as_bytes(),
            "sops opening our age+pgp file",
        );
    }
    // Neither key: the same exit code and report as sops.
    sb.unset_env("SOPS_AGE_KEY_FILE");
    let (o, t) = (
        sb.run(Tool::SopsRs, ["decrypt".as_ref(), ours.as_os_str()]),
        sb.run(Tool::Oracle, ["decrypt".as_ref(), ours.as_os_str()]),
    );
    assert_same_failure(&o, &t);
    assert_eq!(o.code, 128);
    assert_eq!(o.stderr, t.stderr, "the whole report");
}

/// Same exit code and the same message up to gpg's own reason, which sops-rs
/// words itself when the binary cannot be run (with an install hint).
#[track_caller]
fn same_encrypt_failure(ours: &common::Run, theirs: &common::Run) {
    assert_eq!(
        ours.code,
        theirs.code,
        "{}\n{}",
        ours.describe(),
        theirs.describe()
    );
    assert_ne!(ours.code, 0, "{}", ours.describe());
    ours.no_stdout();
    let cut = |s: &str| s.split("GnuPG binary error: ").next().map(str::to_string);
    assert_eq!(
        cut(&ours.stderr),
        cut(&theirs.stderr),
        "{}\n{}",
        ours.describe(),
        theirs.describe()
    );
    assert!(
        ours.stderr.contains("GnuPG binary error: "),
        "{}",
        ours.describe()
    );
}

#[test]
fn missing_gpg_binary_fails_like_sops() {
    let (mut sb, _home) = pgp_sandbox();
    sb.set_env("SOPS_GPG_EXEC", "/nonexistent/gpg");
    let vector = case("yaml-pgp-k1.enc.yaml");
    let vector = vector.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["decrypt", &vector]);
    assert_same_failure(&ours, &theirs);
    assert_eq!(ours.code, 128);
    assert_eq!(
        normalize_report(&ours.stderr),
        normalize_report(&theirs.stderr)
    );
    let file = sb.write("plain.yaml", PLAIN_YAML);
    let file = file.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["encrypt", "--pgp", K1, &file]);
    same_encrypt_failure(&ours, &theirs);
    let prefix = format!(
        "Could not generate data key: [failed to encrypt new data key with master key \"{K1}\": could not encrypt data key with PGP key: "
    );
    ours.stderr_starts_with(&prefix);
    theirs.stderr_starts_with(&prefix);
}

#[test]
fn key_not_in_the_keyring_fails_like_sops() {
    let (mut sb, _home) = pgp_sandbox();
    let empty = GpgHome::empty(&sb.path().join("empty-gnupg"));
    sb.set_env("GNUPGHOME", empty.env_value());
    let file = sb.write("plain.yaml", PLAIN_YAML);
    let file = file.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["encrypt", "--pgp", K1, &file]);
    assert_same_failure(&ours, &theirs);
    assert_eq!(ours.stderr, theirs.stderr, "the whole message");
    assert_eq!(ours.code, 1);
    assert!(ours.stderr.contains("No public key"), "{}", ours.describe());
    let vector = case("yaml-pgp-k1.enc.yaml");
    let vector = vector.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["decrypt", &vector]);
    assert_same_failure(&ours, &theirs);
    assert_eq!(ours.stderr, theirs.stderr, "the whole report");
}

#[test]
fn the_test_keys_import_into_a_fresh_home() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let home = GpgHome::with_test_keys(&dir.path().join("gnupg"), vectors());
    let out = home
        .gpg()
        .args(["--batch", "--with-colons", "--list-secret-keys"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run gpg: {e}"));
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(listing.contains(K1) && listing.contains(K2), "{listing}");
}

#[test]
fn report_normalisation_keeps_structure_and_drops_only_pgp_text() {
    let a = "Group 0: FAILED\n  age1x: FAILED\n    - | age reason\n  ABCDEF0123456789ABCDEF0123456789ABCDEF01: FAILED\n    - | lib error\n      | gpg error\n\nRecovery failed\n";
    let b = "Group 0: FAILED\n  age1x: FAILED\n    - | age reason\n  ABCDEF0123456789ABCDEF0123456789ABCDEF01: FAILED\n    - | gpg error\n\nRecovery failed\n";
    assert_eq!(normalize_report(a), normalize_report(b));
    let c = b.replace("age reason", "other reason");
    assert_ne!(normalize_report(a), normalize_report(&c));
    assert_ne!(
        normalize_report(a),
        normalize_report(&a.replace("Group 0: FAILED", "Group 0: SUCCESS"))
    );
}

#[test]
fn masking_hides_only_random_parts() {
    let a = "a: ENC[AES256_GCM,data:AAAA,iv:BB,tag:CC,type:str]\n    created_at: \"2026-01-01T00:00:00Z\"\n    enc: |-\n        -----BEGIN PGP MESSAGE-----\n\n        xyz\n        -----END PGP MESSAGE-----\n";
    let b = a
        .replace("AAAA", "ZZZZ")
        .replace("xyz", "other\n        more");
    assert_eq!(mask_all(a), mask_all(&b));
    assert_ne!(mask_all(a), mask_all(&a.replace("type:str", "type:int")));
}

#[test]
fn pgp_vectors_decrypt_to_what_sops_printed() {
    let (sb, _home) = pgp_sandbox();
    for (enc, dec) in [
        ("yaml-pgp-k1.enc.yaml", "yaml-pgp-k1.dec.yaml"),
        (
            "json-pgp-k1-and-age1.enc.json",
            "json-pgp-k1-and-age1.dec.json",
        ),
    ] {
        let path = case(enc);
        for args in [
            ["decrypt".as_ref(), path.as_os_str()],
            ["-d".as_ref(), path.as_os_str()],
        ] {
            let run = sb.run(Tool::SopsRs, args);
            run.success();
            assert_bytes_eq(&run.stdout, &read(case(dec)), enc);
        }
    }
}
