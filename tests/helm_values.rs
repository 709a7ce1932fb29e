//! `sops-rs values FILE…` (helm's merge of values files, decrypted in memory)
//! and the helm-secrets backend invocation (`sops --decrypt --input-type yaml
//! --output-type yaml FILE|/dev/stdin`), checked against the real sops.

mod common;

use common::{AGE1, Sandbox, Tool, assert_same_success};
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn demo_sandbox() -> Sandbox {
    let mut sb = Sandbox::new();
    sb.copy_in(examples().join("values.yaml"), "values.yaml");
    sb.copy_in(examples().join("secrets.yaml"), "secrets.yaml");
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        examples().join("demo.agekey").display().to_string(),
    );
    sb
}

/// Encrypts `plain` (named `name`) with the real sops for age1, so merges are
/// checked on files sops itself wrote.
fn oracle_encrypt(sb: &Sandbox, name: &str, plain: &str) -> String {
    let src = format!("plain-{name}");
    sb.write(&src, plain);
    let run = sb.run(
        Tool::Oracle,
        [
            "-e",
            "--age",
            AGE1,
            "--filename-override",
            name,
            src.as_str(),
        ],
    );
    sb.write(name, &run.success().stdout);
    std::fs::remove_file(sb.path().join(&src)).unwrap();
    name.to_string()
}

#[test]
fn the_seed_values_and_encrypted_secrets_merge_into_the_expected_document() {
    let sb = demo_sandbox();
    let run = sb.run(Tool::SopsRs, ["values", "values.yaml", "secrets.yaml"]);
    let got = run.success().stdout_text();
    let want = String::from_utf8(common::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/helm_data/seed.merged.yaml"),
    ))
    .unwrap();
    assert_eq!(got, want);
    // The facts the expected document encodes, spelled out.
    assert!(got.contains("    adminPassword: demo-Adm1n-pa55word\n")); // secrets win
    assert!(!got.contains("change-me"));
    assert!(got.contains("            root_url: https://grafana.example.com\n"));
    assert!(got.contains("            resolve_timeout: 5m\n")); // kept from values.yaml
    assert!(got.contains("            client_secret: demo-oauth-client-secret-4f9c2e\n"));
    assert!(got.contains("    persistence:\n")); // only in values.yaml
    // Order reversed: values.yaml wins over the secrets file.
    let back = sb.run(Tool::SopsRs, ["values", "secrets.yaml", "values.yaml"]);
    assert!(
        back.success()
            .stdout_text()
            .contains("adminPassword: change-me")
    );
}

#[test]
fn helms_merge_rules_hold_across_plain_and_encrypted_files() {
    let sb = Sandbox::new();
    sb.write(
        "base.yaml",
        "# comment dropped\nscalar: 1\nlist: [a, b, c]\nnested:\n  keep: kept\n  over: old\n  deep:\n    x: 1\nmapToScalar:\n  a: 1\nscalarToMap: flat\ndefault: chart\n",
    );
    let enc = oracle_encrypt(
        &sb,
        "over.enc.yaml",
        "scalar: 2\nlist: [z]\nnested:\n  over: new\n  deep:\n    w: 2\nmapToScalar: gone\nscalarToMap:\n  now: map\ndefault: null\nadded: true\n",
    );
    let run = sb.run(Tool::SopsRs, ["values", "base.yaml", enc.as_str()]);
    assert_eq!(
        run.success().stdout_text(),
        "scalar: 2\nlist:\n    - z\nnested:\n    keep: kept\n    over: new\n    deep:\n        x: 1\n        w: 2\nmapToScalar: gone\nscalarToMap:\n    now: map\ndefault: null\nadded: true\n"
    );
}

#[test]
fn three_files_later_wins_and_stdin_is_a_file() {
    let sb = Sandbox::new();
    sb.write("a.yaml", "a: 1\nb: 1\nc: 1\n");
    sb.write("b.yaml", "b: 2\nc: 2\n");
    let run = sb.run_stdin(Tool::SopsRs, ["values", "a.yaml", "b.yaml", "-"], b"c: 3\n");
    assert_eq!(run.success().stdout_text(), "a: 1\nb: 2\nc: 3\n");
}

#[test]
fn an_encrypted_json_file_merges_too() {
    let sb = Sandbox::new();
    let enc = oracle_encrypt(&sb, "s.enc.json", "{\"db\": {\"password\": \"pw-1\"}}");
    sb.write("v.yaml", "db:\n  host: h\n");
    let run = sb.run(Tool::SopsRs, ["values", "v.yaml", enc.as_str()]);
    assert_eq!(
        run.success().stdout_text(),
        "db:\n    host: h\n    password: pw-1\n"
    );
}

#[test]
fn empty_files_are_no_values() {
    let sb = Sandbox::new();
    sb.write("empty.yaml", "");
    sb.write("a.yaml", "a: 1\n");
    let run = sb.run(Tool::SopsRs, ["values", "a.yaml", "empty.yaml"]);
    assert_eq!(run.success().stdout_text(), "a: 1\n");
}

#[test]
fn missing_files_wrong_keys_and_no_files_fail() {
    let sb = demo_sandbox();
    let run = sb.run(Tool::SopsRs, ["values", "values.yaml", "nope.yaml"]);
    run.code(100);
    assert!(run.stderr.contains("nope.yaml"), "{}", run.stderr);
    let run = sb.run(Tool::SopsRs, ["values"]);
    run.code(1);
    // The sandbox's default key (age1) does not open the demo secrets.
    let other = Sandbox::new();
    other.copy_in(examples().join("secrets.yaml"), "secrets.yaml");
    let run = other.run(Tool::SopsRs, ["values", "secrets.yaml"]);
    run.code(128);
    run.no_stdout();
}

#[test]
fn helm_secrets_backend_invocation_on_a_file_matches_sops() {
    let sb = demo_sandbox();
    let args = [
        "--decrypt",
        "--input-type",
        "yaml",
        "--output-type",
        "yaml",
        "secrets.yaml",
    ];
    let (ours, theirs) = sb.run_both(&args);
    ours.success();
    assert_same_success(&ours, &theirs);
    assert!(ours.stdout_text().contains("demo-Adm1n-pa55word"));
}

#[test]
fn helm_secrets_backend_invocation_on_dev_stdin_matches_sops() {
    let sb = demo_sandbox();
    let enc = common::read(sb.path().join("secrets.yaml"));
    let args = [
        "--decrypt",
        "--input-type",
        "yaml",
        "--output-type",
        "yaml",
        "/dev/stdin",
    ];
    let ours = sb.run_stdin(Tool::SopsRs, args, &enc);
    let theirs = sb.run_stdin(Tool::Oracle, args, &enc);
    ours.success();
    assert_same_success(&ours, &theirs);
    assert!(
        ours.stdout_text()
            .contains("demo-oauth-client-secret-4f9c2e")
    );
}

#[test]
fn helm_secrets_backend_invocation_with_output_file_matches_sops() {
    let sb = demo_sandbox();
    for (tool, out) in [(Tool::SopsRs, "ours.dec"), (Tool::Oracle, "theirs.dec")] {
        sb.run(
            tool,
            [
                "--decrypt",
                "--input-type",
                "yaml",
                "--output-type",
                "yaml",
                "--output",
                out,
                "secrets.yaml",
            ],
        )
        .success()
        .no_stdout();
    }
    common::assert_bytes_eq(
        &common::read(sb.path().join("ours.dec")),
        &common::read(sb.path().join("theirs.dec")),
        "--output file",
    );
}

#[test]
fn helm_secrets_literal_decryption_through_dev_stdin_matches_sops() {
    let sb = Sandbox::new();
    let enc = oracle_encrypt(&sb, "lit.enc.json", "{\"password\": \"lit-pw\"}");
    let enc = common::read(sb.path().join(enc));
    let args = [
        "--decrypt",
        "--input-type",
        "json",
        "--output-type",
        "json",
        "/dev/stdin",
    ];
    let ours = sb.run_stdin(Tool::SopsRs, args, &enc);
    let theirs = sb.run_stdin(Tool::Oracle, args, &enc);
    ours.success();
    assert_same_success(&ours, &theirs);
    assert!(ours.stdout_text().contains("lit-pw"));
}
