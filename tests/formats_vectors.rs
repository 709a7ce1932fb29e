//! The JSON, dotenv, INI and binary golden files, the conversion and
//! `--extract` outputs, and the sops-repository files (PGP), both ways:
//! sops-rs opens what sops wrote byte-identically, and sops opens what sops-rs
//! writes for the same plaintext to exactly its own output, with files that
//! look like sops's once the random parts are masked.

mod common;

use std::ffi::{OsStr, OsString};
use std::path::Path;

use common::{
    AGE1, Sandbox, Tool, assert_bytes_eq, assert_same_failure, assert_same_outcome, case,
    interop_in, read, vectors,
};

/// Decrypts `enc` with sops-rs (plus `args`) and compares with the golden `expected`.
fn golden(sb: &Sandbox, enc: &Path, args: &[&str], expected: &Path) {
    let mut full: Vec<OsString> = vec!["decrypt".into()];
    full.extend(args.iter().map(OsString::from));
    full.push(enc.into());
    let run = sb.run(Tool::SopsRs, &full);
    run.success();
    assert_bytes_eq(
        &run.stdout,
        &read(expected),
        &expected.display().to_string(),
    );
    // The oracle still agrees with its own golden file (guards the rig).
    let oracle = sb.run(Tool::Oracle, &full);
    oracle.success();
    assert_bytes_eq(&oracle.stdout, &read(expected), "oracle vs golden file");
}

macro_rules! golden_tests {
    ($($name:ident: $enc:literal, keys $keys:expr, args $args:expr => $expected:literal;)*) => {
        $(
            #[test]
            fn $name() {
                let mut sb = Sandbox::new();
                sb.use_age_keys(&$keys);
                golden(&sb, &case($enc), &$args, &case($expected));
            }
        )*
    };
}

golden_tests! {
    json_basic: "json-basic.enc.json", keys [1], args [] => "json-basic.dec.json";
    json_indent2: "json-indent2.enc.json", keys [1], args [] => "json-indent2.dec.json";
    json_pgp_k1_and_age1_with_age: "json-pgp-k1-and-age1.enc.json", keys [1], args [] => "json-pgp-k1-and-age1.dec.json";
    json_shamir_2of3: "shamir/json-shamir-2of3.enc.json", keys [1, 3], args [] => "shamir/json-shamir-2of3.dec.json";
    dotenv_basic: "dotenv-basic.enc.env", keys [1], args [] => "dotenv-basic.dec.env";
    ini_basic: "ini-basic.enc.ini", keys [1], args [] => "ini-basic.dec.ini";
    binary_basic: "binary-basic.enc.bin", keys [1], args [] => "binary-basic.dec.bin";
    json_basic_dec_as_yaml: "json-basic.enc.json", keys [1], args ["--output-type", "yaml"] => "json-basic.dec-as-yaml.yaml";
    yaml_types_dec_as_json: "yaml-types-for-conversion.enc.yaml", keys [1], args ["--output-type", "json"] => "yaml-types-for-conversion.dec-as-json.json";
    yaml_types_dec_as_dotenv: "yaml-types-for-conversion.enc.yaml", keys [1], args ["--output-type", "dotenv"] => "yaml-types-for-conversion.dec-as-dotenv.env";
    yaml_emitter_quirks_dec_as_json: "yaml-emitter-quirks.enc.yaml", keys [1], args ["--output-type", "json"] => "yaml-emitter-quirks.dec-as-json.json";
    yaml_basic_extract_nested: "yaml-basic.enc.yaml", keys [1], args ["--extract", r#"["nested"]"#] => "yaml-basic.extract-nested.yaml";
    yaml_basic_extract_list2_json: "yaml-basic.enc.yaml", keys [1], args ["--extract", r#"["list"][2]"#, "--output-type", "json"] => "yaml-basic.extract-list2.json";
}

#[test]
fn binary_basic_plain_round_trips_exactly() {
    // The golden decryption is the original input, NUL and 0xFF bytes included.
    assert_eq!(
        read(case("binary-basic.dec.bin")),
        read(case("binary-basic.plain.bin"))
    );
}

#[test]
fn json_pgp_k1_and_age1_with_pgp_only() {
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb.import_pgp_keys();
    golden(
        &sb,
        &case("json-pgp-k1-and-age1.enc.json"),
        &[],
        &case("json-pgp-k1-and-age1.dec.json"),
    );
}

#[test]
fn yaml_pgp_k1() {
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb.import_pgp_keys();
    golden(
        &sb,
        &case("yaml-pgp-k1.enc.yaml"),
        &[],
        &case("yaml-pgp-k1.dec.yaml"),
    );
}

/// The encrypted vectors converted to every other output store, compared with sops run now.
#[test]
fn vectors_decrypt_to_every_store_like_sops() {
    let sb = Sandbox::new();
    let mut failures = Vec::new();
    for enc in [
        "json-basic.enc.json",
        "dotenv-basic.enc.env",
        "ini-basic.enc.ini",
        "binary-basic.enc.bin",
        "yaml-basic.enc.yaml",
        "yaml-types-for-conversion.enc.yaml",
        "yaml-multidoc-anchors.enc.yaml",
        "yaml-comments.enc.yaml",
    ] {
        let path = case(enc);
        for output in ["yaml", "json", "dotenv", "ini", "binary"] {
            let args = [
                OsStr::new("decrypt"),
                OsStr::new("--output-type"),
                OsStr::new(output),
                path.as_os_str(),
            ];
            let (ours, theirs) = sb.run_both(&args);
            if let Err(e) = std::panic::catch_unwind(|| assert_same_outcome(&ours, &theirs)) {
                failures.push(format!("{enc} as {output}: {}", panic_text(&e)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `--extract` on the JSON, dotenv and INI vectors, to every output store.
#[test]
fn vectors_extract_like_sops() {
    let sb = Sandbox::new();
    let mut failures = Vec::new();
    let cases: [(&str, &[&str]); 4] = [
        (
            "json-basic.enc.json",
            &[
                r#"["str"]"#,
                r#"["int"]"#,
                r#"["float"]"#,
                r#"["big"]"#,
                r#"["bool"]"#,
                r#"["null"]"#,
                r#"["empty"]"#,
                r#"["arr"]"#,
                r#"["arr"][0]"#,
                r#"["arr"][2]"#,
                r#"["arr"][3]"#,
                r#"["arr"][3]["k"]"#,
                r#"["obj"]"#,
                r#"["earr"]"#,
                r#"["dup"]"#,
                r#"['uni']"#,
                r#"["nope"]"#,
                r#"["arr"][99]"#,
                r#"["str"][0]"#,
                "",
                "not a path",
                r#"["unclosed""#,
            ],
        ),
        (
            "dotenv-basic.enc.env",
            &[
                r#"["export X"]"#,
                r#"["EMPTY"]"#,
                r#"["MULTI"]"#,
                r#"["SPACED "]"#,
                r#"["nope"]"#,
            ],
        ),
        (
            "ini-basic.enc.ini",
            &[
                r#"["DEFAULT"]"#,
                r#"["DEFAULT"]["global"]"#,
                r#"["section1"]"#,
                r#"["section1"]["num"]"#,
                r#"["section2"]["multi"]"#,
                r#"["nope"]"#,
            ],
        ),
        ("binary-basic.enc.bin", &[r#"["data"]"#, r#"["nope"]"#]),
    ];
    for (enc, paths) in cases {
        let file = case(enc);
        for path in paths {
            for output in [
                None,
                Some("yaml"),
                Some("json"),
                Some("dotenv"),
                Some("ini"),
            ] {
                let mut args: Vec<&OsStr> = vec!["decrypt".as_ref(), "--extract".as_ref()];
                args.push(path.as_ref());
                if let Some(o) = output {
                    args.extend([OsStr::new("--output-type"), OsStr::new(o)]);
                }
                args.push(file.as_os_str());
                let (ours, theirs) = sb.run_both(&args);
                if let Err(e) = std::panic::catch_unwind(|| assert_same_outcome(&ours, &theirs)) {
                    failures.push(format!(
                        "{enc} --extract {path} {output:?}: {}",
                        panic_text(&e)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------------------
// The other direction: sops-rs encrypts the plain vectors.

fn interop(name: &str, input: &[u8], args: &[&str]) {
    interop_in(&Sandbox::new(), name, input, args);
}

const ENCRYPT: &[&str] = &["encrypt", "--age", AGE1];

#[test]
fn encrypt_json_basic() {
    interop("in.json", &read(case("json-basic.plain.json")), ENCRYPT);
}

#[test]
fn encrypt_json_indent2_legacy() {
    interop(
        "in.json",
        &read(case("json-basic.plain.json")),
        &["-e", "--indent", "2", "--age", AGE1],
    );
}

#[test]
fn encrypt_json_indent0_legacy() {
    interop(
        "in.json",
        &read(case("json-basic.plain.json")),
        &["-e", "--indent", "0", "--age", AGE1],
    );
}

#[test]
fn encrypt_json_shamir_plain() {
    interop(
        "in.json",
        &read(case("shamir/json-shamir-2of3.plain.json")),
        ENCRYPT,
    );
}

#[test]
fn encrypt_dotenv_basic() {
    interop("in.env", &read(case("dotenv-basic.plain.env")), ENCRYPT);
}

#[test]
fn encrypt_ini_basic() {
    interop("in.ini", &read(case("ini-basic.plain.ini")), ENCRYPT);
}

#[test]
fn encrypt_binary_basic() {
    interop("in.bin", &read(case("binary-basic.plain.bin")), ENCRYPT);
}

#[test]
fn encrypt_with_pgp_and_age_in_every_store() {
    let sb = Sandbox::new();
    sb.import_pgp_keys();
    let args = &[
        "encrypt",
        "--pgp",
        "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4",
        "--age",
        AGE1,
    ];
    interop_in(&sb, "in.json", &read(case("json-basic.plain.json")), args);
    interop_in(&sb, "in.env", &read(case("dotenv-basic.plain.env")), args);
    interop_in(&sb, "in.ini", &read(case("ini-basic.plain.ini")), args);
    interop_in(&sb, "in.bin", &read(case("binary-basic.plain.bin")), args);
}

#[test]
fn encrypt_sops_repo_plain_files() {
    let sb = Sandbox::new();
    let res = vectors().join("sops-repo/functional-tests/res");
    for name in ["comments.yaml", "comments_list.yaml", "plainfile.yaml"] {
        interop_in(&sb, name, &read(res.join(name)), ENCRYPT);
    }
}

// ---------------------------------------------------------------------------
// Files from the sops repository, encrypted with PGP keys K1/K2.

const SOPS_REPO_FILES: &[(&str, &[&str], &str)] = &[
    ("example.yaml", &[], "example.yaml.decrypted"),
    ("example.json", &[], "example.json.decrypted"),
    ("example.ini", &[], "example.ini.decrypted"),
    ("example.txt", &[], "example.txt.decrypted"),
    (
        "examples/all_in_one/config/secret.enc.json",
        &[],
        "examples_all_in_one_config_secret.enc.json.decrypted",
    ),
    (
        "examples/per_file/config.enc/static_github.json",
        &[],
        "examples_per_file_config.enc_static_github.json.decrypted",
    ),
    (
        "functional-tests/res/comments.enc.yaml",
        &[],
        "functional-tests_res_comments.enc.yaml.decrypted",
    ),
    (
        "functional-tests/res/comments_unencrypted_comments.yaml",
        &[],
        "functional-tests_res_comments_unencrypted_comments.yaml.decrypted",
    ),
    (
        "functional-tests/res/multiple_keys.yaml",
        &[],
        "functional-tests_res_multiple_keys.yaml.decrypted",
    ),
    (
        "functional-tests/res/no_mac.yaml",
        &["--ignore-mac"],
        "functional-tests_res_no_mac.yaml.decrypted-ignore-mac",
    ),
    (
        "functional-tests/res/format.enc.yaml",
        &[],
        "functional-tests_res_format.enc.yaml.decrypted",
    ),
    (
        "functional-tests/res/format.enc.json",
        &[],
        "functional-tests_res_format.enc.json.decrypted",
    ),
    (
        "functional-tests/res/format.enc.env",
        &[],
        "functional-tests_res_format.enc.env.decrypted",
    ),
    (
        "functional-tests/res/format.enc.ini",
        &[],
        "functional-tests_res_format.enc.ini.decrypted",
    ),
    (
        "functional-tests/res/format-2.enc.ini",
        &[],
        "functional-tests_res_format-2.enc.ini.decrypted",
    ),
];

#[test]
fn sops_repo_files_decrypt_byte_identically() {
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb.import_pgp_keys();
    let root = vectors().join("sops-repo");
    let mut failures = Vec::new();
    for (file, args, decrypted) in SOPS_REPO_FILES {
        let expected = root.join("_decrypted-by-sops-3.11.0").join(decrypted);
        let result = std::panic::catch_unwind(|| golden(&sb, &root.join(file), args, &expected));
        if let Err(e) = result {
            failures.push(format!("{file}: {}", panic_text(&e)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn sops_repo_files_convert_and_fail_like_sops() {
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb.import_pgp_keys();
    let root = vectors().join("sops-repo");
    let mut failures = Vec::new();
    for (file, _, _) in SOPS_REPO_FILES {
        let path = root.join(file);
        let mut variants: Vec<Vec<&OsStr>> = vec![vec![]];
        for output in ["yaml", "json", "dotenv", "ini", "binary"] {
            variants.push(vec!["--output-type".as_ref(), output.as_ref()]);
        }
        for extra in variants {
            let mut args: Vec<&OsStr> = vec!["decrypt".as_ref()];
            args.extend(extra.iter().copied());
            args.push(path.as_os_str());
            let (ours, theirs) = sb.run_both(&args);
            if let Err(e) = std::panic::catch_unwind(|| assert_same_outcome(&ours, &theirs)) {
                failures.push(format!("{file} {extra:?}: {}", panic_text(&e)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn sops_repo_no_mac_fails_with_51() {
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb.import_pgp_keys();
    let file = vectors().join("sops-repo/functional-tests/res/no_mac.yaml");
    let (ours, theirs) = sb.run_both(&[OsStr::new("decrypt"), file.as_os_str()]);
    ours.code(51);
    assert_same_failure(&ours, &theirs);
}

#[test]
fn sops_repo_files_without_keys_fail_like_sops() {
    // No PGP key imported and no age key: exit 128 for every file.
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    let root = vectors().join("sops-repo");
    for file in [
        "example.json",
        "example.ini",
        "functional-tests/res/format.enc.env",
    ] {
        let path = root.join(file);
        let (ours, theirs) = sb.run_both(&[OsStr::new("decrypt"), path.as_os_str()]);
        assert_eq!(ours.code, 128, "{}", ours.describe());
        assert_eq!(
            ours.code,
            theirs.code,
            "{}\n{}",
            ours.describe(),
            theirs.describe()
        );
    }
}

fn panic_text(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".into())
}
