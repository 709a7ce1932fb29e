//! `rotate` and legacy `-r` against the real sops 3.11.0: a new data key and new
//! ciphertexts, the same key changes (`--add-*`/`--rm-*`), the same exit codes,
//! and rotated files readable by both tools.

mod common;

use common::{AGE1, AGE2, AGE3, Sandbox, Tool, assert_bytes_eq, assert_same_failure, mask_random};
use std::path::PathBuf;

const PLAIN: &str =
    "a: 1\nb:\n    c: secret\n    list:\n        - x\n        - 2.5\nd_unencrypted: clear\n";

fn encrypted(sb: &Sandbox, name: &str, recipients: &str) -> PathBuf {
    let src = sb.write(&format!("plain-{name}"), PLAIN);
    let run = sb.run(
        Tool::Oracle,
        ["-e", "-a", recipients, src.to_str().unwrap_or_default()],
    );
    run.success();
    sb.write(name, &run.stdout)
}

fn enc_values(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.find("ENC[").map(|i| &l[i..]))
        .collect()
}

/// Checks a rotated file against the original: every ENC value new, plaintext
/// the same for both tools, the rest equal to the oracle's rotation once masked.
#[track_caller]
fn check_rotation(sb: &Sandbox, original: &[u8], ours: &[u8], theirs: &[u8]) {
    let (o, r) = (
        String::from_utf8_lossy(original),
        String::from_utf8_lossy(ours),
    );
    for v in enc_values(&o) {
        assert!(!r.contains(v), "ciphertext kept after rotate: {v}");
    }
    assert_bytes_eq(
        mask_random(&r).as_bytes(),
        mask_random(&String::from_utf8_lossy(theirs)).as_bytes(),
        "rotated file (masked) of sops-rs vs sops",
    );
    let f = sb.write("rotated-by-rs.yaml", ours);
    let plain = sb.run(Tool::Oracle, ["-d", f.to_str().unwrap_or_default()]);
    assert_bytes_eq(
        &plain.success().stdout,
        PLAIN.as_bytes(),
        "sops -d of the rotated file",
    );
    let g = sb.write("rotated-by-go.yaml", theirs);
    let plain = sb.run(Tool::SopsRs, ["-d", g.to_str().unwrap_or_default()]);
    assert_bytes_eq(
        &plain.success().stdout,
        PLAIN.as_bytes(),
        "sops-rs -d of sops's rotation",
    );
}

#[test]
fn rotate_to_stdout_in_place_and_output() {
    let sb = Sandbox::new();
    let src = encrypted(&sb, "r.yaml", AGE1);
    let original = common::read(&src);
    for args in [&["rotate"][..], &["-r"]] {
        let mut a: Vec<&str> = args.to_vec();
        a.push("r.yaml");
        let (r, g) = sb.run_both(&a);
        r.success();
        g.success();
        check_rotation(&sb, &original, &r.stdout, &g.stdout);
        assert_eq!(
            common::read(&src),
            original,
            "stdout mode must not touch the file"
        );
    }
    sb.copy_in(&src, "in-place.yaml");
    sb.run(Tool::SopsRs, ["rotate", "-i", "in-place.yaml"])
        .success()
        .no_stdout();
    let g = sb.run(Tool::Oracle, ["rotate", "r.yaml"]);
    check_rotation(
        &sb,
        &original,
        &common::read(sb.path().join("in-place.yaml")),
        &g.stdout,
    );
    sb.run(Tool::SopsRs, ["rotate", "--output", "out.yaml", "r.yaml"])
        .success()
        .no_stdout();
    check_rotation(
        &sb,
        &original,
        &common::read(sb.path().join("out.yaml")),
        &g.stdout,
    );
}

#[test]
fn add_and_remove_keys_like_sops() {
    let mut sb = Sandbox::new();
    sb.use_age_keys(&[1, 2, 3]);
    let src = encrypted(&sb, "k.yaml", &format!("{AGE1},{AGE2}"));
    let original = common::read(&src);
    let cases: &[&[&str]] = &[
        &["rotate", "--add-age", AGE3, "k.yaml"],
        &["rotate", "--rm-age", AGE1, "k.yaml"],
        &["rotate", "--add-age", AGE3, "--rm-age", AGE2, "k.yaml"],
        &[
            "-r",
            "--add-age",
            AGE3,
            "--rm-age",
            &format!("{AGE1},{AGE2}"),
            "k.yaml",
        ],
    ];
    for case in cases {
        let (r, g) = sb.run_both(case);
        r.success();
        g.success();
        check_rotation(&sb, &original, &r.stdout, &g.stdout);
    }
}

#[test]
fn failures_match_sops() {
    let sb = Sandbox::new();
    let src = encrypted(&sb, "f.yaml", AGE1);
    let text = String::from_utf8(common::read(&src)).unwrap();
    sb.write(
        "tampered.yaml",
        text.replace("d_unencrypted: clear", "d_unencrypted: x"),
    );
    let cases: &[&[&str]] = &[
        &["rotate", "missing.yaml"],
        &["rotate", "--add-age", AGE2, "missing.yaml"],
        &["-r", "missing.yaml"],
        &["-r", "--rm-age", AGE2, "missing.yaml"],
        &["rotate"],
        &["rotate", "-i", "--output", "x.yaml", "f.yaml"],
        &["rotate", "tampered.yaml"],
        &["rotate", "--add-age", "not-a-recipient", "f.yaml"],
        &["rotate", "--decryption-order", "age,age", "f.yaml"],
    ];
    for case in cases {
        let (r, g) = sb.run_both(case);
        assert_same_failure(&r, &g);
    }
    // --ignore-mac exists only in legacy mode.
    let (r, g) = sb.run_both(&["rotate", "--ignore-mac", "tampered.yaml"]);
    assert_eq!(
        (r.code, g.code),
        (1, 1),
        "{}\n{}",
        r.describe(),
        g.describe()
    );
    let (r, g) = sb.run_both(&["-r", "--ignore-mac", "tampered.yaml"]);
    r.success();
    g.success();
    assert_eq!(
        common::read(&src),
        text.as_bytes(),
        "failures must not touch the file"
    );
}

/// `--add-pgp`/`--rm-pgp` with the sops functional-test key K1 (imported into
/// the sandbox's own GNUPGHOME).
#[test]
fn add_and_remove_pgp_keys_like_sops() {
    const K1: &str = "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4";
    let mut sb = Sandbox::new();
    let home = sb.path().join("home/.gnupg");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let key = common::vectors().join("sops-repo/pgp/sops_functional_tests_key.asc");
    let status = std::process::Command::new("gpg")
        .env("GNUPGHOME", &home)
        .args(["--batch", "--quiet", "--import"])
        .arg(&key)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "gpg --import failed");
    let mixed = sb.copy_in(common::case("json-pgp-k1-and-age1.enc.json"), "mixed.json");
    let age_only = encrypted(&sb, "age.yaml", AGE1);
    for (file, args, has_pgp) in [
        (&mixed, vec!["rotate", "--rm-pgp", K1], false),
        (&age_only, vec!["rotate", "--add-pgp", K1], true),
    ] {
        let mut args: Vec<&str> = args;
        let name = file.file_name().unwrap().to_str().unwrap().to_string();
        args.push(&name);
        let (r, g) = sb.run_both(&args);
        r.success();
        g.success();
        for run in [&r, &g] {
            assert_eq!(
                run.stdout_text().contains(K1),
                has_pgp,
                "{}",
                run.describe()
            );
            let out = sb.write(&format!("out-{:?}-{name}", run.tool), &run.stdout);
            let o = out.to_str().unwrap_or_default();
            let plain = sb.run(Tool::Oracle, ["-d", o]);
            let again = sb.run(Tool::SopsRs, ["-d", o]);
            assert_bytes_eq(&plain.success().stdout, &again.success().stdout, o);
        }
    }
    // The added PGP key alone opens the file rotated by sops-rs.
    sb.unset_env("SOPS_AGE_KEY_FILE");
    let o = "out-SopsRs-age.yaml";
    let plain = sb.run(Tool::Oracle, ["-d", o]);
    assert_bytes_eq(
        &plain.success().stdout,
        PLAIN.as_bytes(),
        "sops -d with PGP only",
    );
    let plain = sb.run(Tool::SopsRs, ["-d", o]);
    assert_bytes_eq(
        &plain.success().stdout,
        PLAIN.as_bytes(),
        "sops-rs -d with PGP only",
    );
}

/// Every age vector written by sops, rotated by both tools: the same file once
/// random parts are masked (INI metadata order is random in sops), the same
/// plaintext, and no ciphertext of the original left.
#[test]
fn rotating_the_vectors_matches_sops() {
    let sb = Sandbox::new();
    let mut names: Vec<String> = std::fs::read_dir(common::cases())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".enc.") && !["pgp", "kms", "vault"].iter().any(|k| n.contains(k)))
        .collect();
    names.sort();
    assert!(names.len() >= 15, "too few vectors: {names:?}");
    let one_line_armor =
        regex::Regex::new(r"(BEGIN AGE ENCRYPTED FILE-----)(.*?)(-----END)").unwrap();
    let mask = |t: &str| {
        let m = mask_random(t);
        one_line_armor
            .replace_all(&m, |c: &regex::Captures<'_>| {
                format!("{}{}{}", &c[1], "a".repeat(c[2].len()), &c[3])
            })
            .into_owned()
    };
    for name in &names {
        let src = sb.copy_in(common::case(name), name);
        let (r, g) = sb.run_both(&["rotate", name.as_str()]);
        r.success();
        g.success();
        let original = String::from_utf8_lossy(&common::read(&src)).into_owned();
        let ours = r.stdout_text();
        for v in enc_values(&original) {
            assert!(
                !ours.contains(v),
                "{name}: ciphertext kept after rotate: {v}"
            );
        }
        if !name.ends_with(".ini") {
            assert_bytes_eq(
                mask(&ours).as_bytes(),
                mask(&g.stdout_text()).as_bytes(),
                name,
            );
        }
        let a = sb.write(&format!("rs-{name}"), &r.stdout);
        let b = sb.write(&format!("go-{name}"), &g.stdout);
        let da = sb.run(Tool::Oracle, ["-d", a.to_str().unwrap_or_default()]);
        let db = sb.run(Tool::SopsRs, ["-d", b.to_str().unwrap_or_default()]);
        assert_bytes_eq(&da.success().stdout, &db.success().stdout, name);
    }
}
