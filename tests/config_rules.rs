//! `.sops.yaml` against the real sops 3.11.0: which file is found, which creation
//! rule a path picks, the six selection rules from the config and from the command
//! line with their precedence, `mac_only_encrypted`, `stores` indentation, and the
//! errors. Outputs are compared with sops's with random parts masked, and every
//! file sops-rs writes is opened by sops.

mod common;
#[path = "pgp_home.rs"]
mod pgp_home;

use std::ffi::OsStr;
use std::path::Path;

use common::{AGE1, AGE2, AGE3, Run, Sandbox, Tool, assert_bytes_eq, assert_same_failure, vectors};
use pgp_home::{GpgHome, mask_all};

/// Runs `tool` in `dir` (relative to the sandbox) with the sandbox's environment.
fn run_in(sb: &Sandbox, dir: &str, tool: Tool, args: &[&str]) -> Run {
    let mut cmd = sb.command(tool);
    cmd.current_dir(sb.path().join(dir)).args(args);
    let command = format!("{cmd:?}");
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command}: {e}"));
    Run {
        tool,
        command,
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Encrypts with both tools in `dir`; both must succeed with the same file once
/// random parts are masked (the same keys, selection rule and metadata). Returns
/// sops-rs's file. Cheaper than [`encrypt_alike`], for loops over many cases.
fn encrypt_same_layout(sb: &Sandbox, dir: &str, args: &[&str]) -> String {
    let ours = run_in(sb, dir, Tool::SopsRs, args);
    let theirs = run_in(sb, dir, Tool::Oracle, args);
    theirs.success();
    ours.success();
    let o = ours.stdout_text();
    assert_bytes_eq(
        mask_all(&o).as_bytes(),
        mask_all(&theirs.stdout_text()).as_bytes(),
        &format!("sops-rs vs sops (masked) for {args:?} in {dir:?}"),
    );
    o
}

/// [`encrypt_same_layout`], and sops opens sops-rs's file to what it prints for its
/// own, and sops-rs opens sops's file the same.
fn encrypt_alike(sb: &Sandbox, dir: &str, args: &[&str]) -> String {
    let ours = run_in(sb, dir, Tool::SopsRs, args);
    let theirs = run_in(sb, dir, Tool::Oracle, args);
    theirs.success();
    ours.success();
    let (o, t) = (ours.stdout_text(), theirs.stdout_text());
    assert_bytes_eq(
        mask_all(&o).as_bytes(),
        mask_all(&t).as_bytes(),
        &format!("sops-rs vs sops (masked) for {args:?} in {dir:?}"),
    );
    let ext = args
        .last()
        .and_then(|f| f.rsplit('.').next())
        .filter(|e| ["yaml", "json", "env", "ini"].contains(e))
        .unwrap_or("yaml");
    let ours_enc = sb.write(&format!("_ours.enc.{ext}"), &ours.stdout);
    let theirs_enc = sb.write(&format!("_theirs.enc.{ext}"), &theirs.stdout);
    let dec = |tool: Tool, f: &Path| {
        sb.run(tool, [OsStr::new("decrypt"), f.as_os_str()])
            .success()
            .stdout
            .clone()
    };
    let expected = dec(Tool::Oracle, &theirs_enc);
    assert_bytes_eq(
        &dec(Tool::Oracle, &ours_enc),
        &expected,
        "sops opening sops-rs's file",
    );
    assert_bytes_eq(
        &dec(Tool::SopsRs, &theirs_enc),
        &expected,
        "sops-rs opening sops's file",
    );
    o
}

/// Both tools fail in `dir` with the same code and first line of stderr.
fn fail_alike(sb: &Sandbox, dir: &str, args: &[&str]) -> Run {
    let ours = run_in(sb, dir, Tool::SopsRs, args);
    let theirs = run_in(sb, dir, Tool::Oracle, args);
    assert_same_failure(&ours, &theirs);
    ours
}

const DOC: &str = "# sops:enc\ntop: 1\nparent_unencrypted:\n    child: visible\n# sops:plain\nplainkey: pv\nsecret_pw: s3\nnested:\n    api_token: t\n    list:\n        - a\n        - b\n";

fn nested_config() -> String {
    format!(
        "creation_rules:\n  - path_regex: ^a/b/.*\\.yaml$\n    age: {AGE2}\n    encrypted_regex: ^(secret|nested)\n  - path_regex: ^a/\n    age: {AGE3}\n  - path_regex: \\.yaml$\n    age: {AGE1}\n"
    )
}

#[test]
fn rules_are_picked_by_path_relative_to_the_config() {
    let mut sb = Sandbox::new();
    sb.use_age_keys(&[1, 2, 3]);
    sb.write(".sops.yaml", nested_config());
    for f in ["f.yaml", "a/f.yaml", "a/b/f.yaml", "a/b/c/f.yaml"] {
        sb.write(f, DOC);
    }
    // (working directory, file argument, the recipient the rule names)
    for (dir, file, want) in [
        ("", "f.yaml", AGE1),
        ("", "a/f.yaml", AGE3),
        ("", "a/b/f.yaml", AGE2),
        ("", "a/b/c/f.yaml", AGE2),
        ("a", "f.yaml", AGE3),
        ("a/b", "f.yaml", AGE2), // config two directories up
        ("a/b/c", "f.yaml", AGE2),
        ("a/b/c", "../../f.yaml", AGE3),
        ("a/b", "../../f.yaml", AGE1),
    ] {
        let out = encrypt_same_layout(&sb, dir, &["encrypt", file]);
        assert!(out.contains(want), "{dir}/{file} should use {want}:\n{out}");
        let legacy = encrypt_same_layout(&sb, dir, &["-e", file]);
        assert!(legacy.contains(want), "{dir}/{file} (legacy)");
    }
    // And the files open in the other tool.
    encrypt_alike(&sb, "a/b", &["encrypt", "f.yaml"]);
}

#[test]
fn no_matching_rule_is_an_error_even_with_keys() {
    let sb = Sandbox::new();
    sb.write(".sops.yaml", nested_config());
    sb.write("f.json", "{\"a\": 1}\n");
    for args in [
        &["encrypt", "f.json"][..],
        &["encrypt", "--age", AGE1, "f.json"],
        &["-e", "f.json"],
        &["-e", "--age", AGE1, "f.json"],
    ] {
        let run = fail_alike(&sb, "", args);
        run.code(1)
            .stderr_starts_with("error loading config: no matching creation rules found");
    }
    // An empty list matches nothing either; a missing list is no config at all.
    sb.write(".sops.yaml", "creation_rules: []\n");
    fail_alike(&sb, "", &["encrypt", "--age", AGE1, "f.json"]);
    sb.write(".sops.yaml", "creation_rules:\n");
    fail_alike(&sb, "", &["encrypt", "f.json"])
        .stderr_starts_with("config file not found, or has no creation rules");
    encrypt_alike(&sb, "", &["encrypt", "--age", AGE1, "f.json"]);
}

#[test]
fn explicit_config_flag_and_environment_variable() {
    let mut sb = Sandbox::new();
    sb.use_age_keys(&[1, 2, 3]);
    // A .sops.yaml in the working directory that must be ignored.
    sb.write(".sops.yaml", format!("creation_rules:\n  - age: {AGE1}\n"));
    sb.write(
        "conf/custom.yaml",
        format!("creation_rules:\n  - path_regex: f\\.yaml$\n    age: {AGE2}\n    encrypted_suffix: _pw\n"),
    );
    sb.write("f.yaml", DOC);
    for args in [
        &["--config", "conf/custom.yaml", "encrypt", "f.yaml"][..],
        &["--config", "conf/custom.yaml", "-e", "f.yaml"],
        &["-e", "--config=conf/custom.yaml", "f.yaml"],
    ] {
        let out = encrypt_alike(&sb, "", args);
        assert!(out.contains(AGE2) && !out.contains(AGE1), "{out}");
    }
    sb.set_env("SOPS_CONFIG", "conf/custom.yaml");
    let out = encrypt_alike(&sb, "", &["encrypt", "f.yaml"]);
    assert!(out.contains(AGE2), "{out}");
    // The flag wins over the variable.
    sb.write(
        "conf/other.yaml",
        format!("creation_rules:\n  - age: {AGE3}\n"),
    );
    let out = encrypt_alike(
        &sb,
        "",
        &["--config", "conf/other.yaml", "encrypt", "f.yaml"],
    );
    assert!(out.contains(AGE3), "{out}");
    // `--config` is a global flag: after the subcommand it is unknown.
    let args = ["encrypt", "--config", "conf/custom.yaml", "f.yaml"];
    run_in(&sb, "", Tool::Oracle, &args).code(1);
    let ours = run_in(&sb, "", Tool::SopsRs, &args);
    ours.code(1);
    assert!(
        ours.stderr
            .contains("flag provided but not defined: -config"),
        "{}",
        ours.describe()
    );
    // A config file that does not exist.
    fail_alike(
        &sb,
        "",
        &["--config", "conf/missing.yaml", "encrypt", "f.yaml"],
    )
    .code(1);
}

#[test]
fn sops_yml_is_not_a_config_name() {
    let sb = Sandbox::new();
    sb.write(".sops.yml", format!("creation_rules:\n  - age: {AGE1}\n"));
    sb.write("f.yaml", DOC);
    std::fs::create_dir_all(sb.path().join("a/b")).unwrap_or_else(|e| panic!("{e}"));
    // sops's log line carries a time stamp; the rest of the warning must match.
    let time = regex::Regex::new(r#" time="[^"]*""#).unwrap_or_else(|e| panic!("{e}"));
    for (dir, file) in [("", "f.yaml"), ("a/b", "../../f.yaml")] {
        let ours = run_in(&sb, dir, Tool::SopsRs, &["encrypt", file]);
        let theirs = run_in(&sb, dir, Tool::Oracle, &["encrypt", file]);
        assert_eq!(ours.code, 1, "{}", ours.describe());
        assert_eq!(theirs.code, 1, "{}", theirs.describe());
        assert_eq!(
            time.replace_all(&theirs.stderr, ""),
            time.replace_all(&ours.stderr, "")
        );
        assert!(ours.stderr.contains(".sops.yml"), "{}", ours.describe());
    }
}

/// The six selection rules, as `(config field, CLI flag, value)`.
const SELECTIONS: &[(&str, &str, &str)] = &[
    ("unencrypted_suffix", "--unencrypted-suffix", "_pw"),
    ("encrypted_suffix", "--encrypted-suffix", "_token"),
    ("unencrypted_regex", "--unencrypted-regex", "^plain"),
    ("encrypted_regex", "--encrypted-regex", "^(secret|nested)"),
    (
        "unencrypted_comment_regex",
        "--unencrypted-comment-regex",
        "sops:plain",
    ),
    (
        "encrypted_comment_regex",
        "--encrypted-comment-regex",
        "sops:enc",
    ),
];

#[test]
fn each_selection_rule_from_the_config() {
    let sb = Sandbox::new();
    sb.write("f.yaml", DOC);
    for (field, _, value) in SELECTIONS {
        sb.write(
            ".sops.yaml",
            format!("creation_rules:\n  - age: {AGE1}\n    {field}: '{value}'\n"),
        );
        let out = encrypt_alike(&sb, "", &["encrypt", "f.yaml"]);
        assert!(out.contains(&format!("{field}: ")), "{field}:\n{out}");
        let out = encrypt_same_layout(&sb, "", &["-e", "f.yaml"]);
        assert!(
            out.contains(&format!("{field}: ")),
            "{field} (legacy):\n{out}"
        );
    }
}

#[test]
fn each_selection_rule_from_the_command_line() {
    let sb = Sandbox::new();
    sb.write("f.yaml", DOC);
    sb.write(".sops.yaml", format!("creation_rules:\n  - age: {AGE1}\n"));
    for (field, flag, value) in SELECTIONS {
        let out = encrypt_alike(&sb, "", &["-e", flag, value, "f.yaml"]);
        assert!(out.contains(&format!("{field}: ")), "{flag}:\n{out}");
        if !field.contains("comment") {
            encrypt_alike(&sb, "", &["encrypt", flag, value, "f.yaml"]);
        }
    }
}

#[test]
fn command_line_overrides_the_same_field_and_conflicts_exit_8() {
    let sb = Sandbox::new();
    sb.write("f.yaml", DOC);
    for (field, flag, value) in SELECTIONS {
        sb.write(
            ".sops.yaml",
            format!("creation_rules:\n  - age: {AGE1}\n    {field}: '{value}'\n"),
        );
        // The same field on the command line replaces the rule's value.
        let out = encrypt_same_layout(&sb, "", &["-e", flag, "nomatch", "f.yaml"]);
        assert!(out.contains(&format!("{field}: nomatch")), "{flag}:\n{out}");
        // Any other field makes two after merging.
        for (_, other, v) in SELECTIONS.iter().filter(|s| s.1 != *flag) {
            fail_alike(&sb, "", &["-e", other, v, "f.yaml"]).code(8);
        }
    }
    // Two on the command line alone.
    sb.write(".sops.yaml", format!("creation_rules:\n  - age: {AGE1}\n"));
    fail_alike(
        &sb,
        "",
        &[
            "encrypt",
            "--encrypted-regex",
            "a",
            "--unencrypted-suffix",
            "b",
            "f.yaml",
        ],
    )
    .code(8);
}

#[test]
fn two_selection_rules_in_one_rule_exit_1() {
    let sb = Sandbox::new();
    sb.write("f.yaml", DOC);
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - age: {AGE1}\n    encrypted_regex: a\n    unencrypted_suffix: b\n"
        ),
    );
    for args in [&["encrypt", "f.yaml"][..], &["-e", "--age", AGE1, "f.yaml"]] {
        fail_alike(&sb, "", args)
            .code(1)
            .stderr_starts_with("error loading config: cannot use more than one of");
    }
}

#[test]
fn mac_only_encrypted_from_the_config() {
    let sb = Sandbox::new();
    sb.write("f.yaml", DOC);
    for setting in ["true", "yes"] {
        sb.write(
            ".sops.yaml",
            format!("creation_rules:\n  - age: {AGE1}\n    encrypted_regex: ^top$\n    mac_only_encrypted: {setting}\n"),
        );
        for args in [&["encrypt", "f.yaml"][..], &["-e", "f.yaml"]] {
            let out = encrypt_alike(&sb, "", args);
            assert!(out.contains("mac_only_encrypted: true"), "{out}");
        }
    }
    // The legacy flag turns it on as well; false in the config does not turn it off.
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - age: {AGE1}\n    mac_only_encrypted: false\n"),
    );
    let out = encrypt_alike(&sb, "", &["-e", "--mac-only-encrypted", "f.yaml"]);
    assert!(out.contains("mac_only_encrypted: true"), "{out}");
}

#[test]
fn stores_indentation_for_encrypt_and_decrypt() {
    let sb = Sandbox::new();
    sb.write("f.yaml", DOC);
    sb.write("f.json", "{\"a\": {\"b\": [1, {\"c\": \"d\"}]}}\n");
    for (yaml, json) in [(2, 2), (6, 0), (4, -1)] {
        sb.write(
            ".sops.yaml",
            format!("stores:\n  yaml:\n    indent: {yaml}\n  json:\n    indent: {json}\ncreation_rules:\n  - age: {AGE1}\n"),
        );
        for file in ["f.yaml", "f.json"] {
            encrypt_alike(&sb, "", &["encrypt", file]);
            // Decrypt reads the stores section too.
            let enc = sb.write(
                &format!("enc.{file}"),
                run_in(&sb, "", Tool::Oracle, &["encrypt", file]).stdout,
            );
            let enc = enc.to_string_lossy();
            let ours = run_in(&sb, "", Tool::SopsRs, &["decrypt", &enc]);
            let theirs = run_in(&sb, "", Tool::Oracle, &["decrypt", &enc]);
            common::assert_same_success(&ours, &theirs);
        }
    }
}

/// Whether the binary under test is sops-rs, not the oracle standing in for it
/// (`SOPS_RS_BIN=$SOPS_ORACLE`, which checks the rig): sops-rs's deliberate
/// strictness is then checked against sops's own behaviour only.
fn testing_sops_rs() -> bool {
    common::sops_rs_path() != common::oracle_path()
}

#[test]
fn mistakes_are_errors_naming_rule_and_field() {
    let sb = Sandbox::new();
    sb.write("f.yaml", DOC);
    // (config, what sops-rs's message names, whether sops 3.11 accepts it)
    for (config, names, sops_accepts) in [
        (
            format!("creation_rules:\n  - age: {AGE1}\n  - path_rgx: x\n"),
            "creation_rules[1]: unknown field \"path_rgx\"",
            true,
        ),
        (
            format!("creation_rules:\n  - age: {AGE1}\n    shamir_threshold: two\n"),
            "creation_rules[0].shamir_threshold",
            false,
        ),
        (
            format!("creation_rules:\n  - age: {AGE1}\n    encrypted_regex: '(x'\n"),
            "creation_rules[0].encrypted_regex: can not compile regexp",
            true,
        ),
        (
            format!("creation_rules:\n  - path_regex: '(x'\n    age: {AGE1}\n"),
            "creation_rules[0].path_regex: can not compile regexp",
            false,
        ),
        (
            "creation_rules:\n  - age: {a: 1}\n".to_string(),
            "creation_rules[0].age",
            false,
        ),
        (
            format!("creation_rules:\n  - key_groups:\n      - age: [{AGE1}]\n        pgpp: [x]\n"),
            "creation_rules[0].key_groups[0]: unknown field \"pgpp\"",
            true,
        ),
        (
            format!("creation_rules:\n  - filename_regex: x\n    age: {AGE1}\n"),
            "creation_rules[0].filename_regex",
            true,
        ),
        (
            format!("stores:\n  yaml:\n    indnt: 2\ncreation_rules:\n  - age: {AGE1}\n"),
            "stores.yaml: unknown field \"indnt\"",
            true,
        ),
        (
            format!("creation_rule:\n  - age: {AGE1}\n"),
            "unknown top-level field \"creation_rule\"",
            false, // no rules, so no keys
        ),
    ] {
        sb.write(".sops.yaml", &config);
        for args in [&["encrypt", "f.yaml"][..], &["-e", "f.yaml"]] {
            let theirs = run_in(&sb, "", Tool::Oracle, args);
            assert_eq!(
                theirs.code == 0,
                sops_accepts,
                "{config}\n{}",
                theirs.describe()
            );
            if !testing_sops_rs() {
                continue;
            }
            let run = run_in(&sb, "", Tool::SopsRs, args);
            run.code(1)
                .no_stdout()
                .stderr_starts_with("error loading config: ");
            assert!(
                run.stderr.contains(names),
                "want {names:?}\n{}",
                run.describe()
            );
        }
    }
}

#[test]
fn configs_sops_accepts_keep_working() {
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    let _home = GpgHome::with_test_keys(&sb.path().join("home/.gnupg"), vectors());
    sb.copy_in(
        vectors().join("sops-repo/functional-tests/.sops.yaml"),
        ".sops.yaml",
    );
    sb.write("other.yaml", DOC);
    let out = encrypt_alike(&sb, "", &["encrypt", "other.yaml"]);
    assert!(out.contains(pgp_home::K1), "{out}");
    for name in [
        "test_no_keygroups.yaml",
        "test_zero_keygroups.yaml",
        "test_empty_keygroup.yaml",
    ] {
        sb.write(name, DOC);
        fail_alike(&sb, "", &["encrypt", name])
            .code(1)
            .stderr_starts_with("Could not generate data key: [empty key group provided]");
    }
    // Every documented field, including destination_rules, stores, merge and lists.
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    let full = format!(
        "stores:\n  yaml: {{indent: 2}}\n  json: {{indent: 3}}\n  json_binary: {{indent: -1}}\n  dotenv: {{}}\n  ini: {{}}\ncreation_rules:\n  - path_regex: ''\n    age: [{AGE1}, '{AGE2},{AGE3}']\n    pgp: ''\n    kms: ''\n    aws_profile: ''\n    gcp_kms: []\n    azure_keyvault: ''\n    hc_vault_transit_uri: ''\n    shamir_threshold: 0\n    unencrypted_suffix: _pub\n    mac_only_encrypted: false\n    key_groups:\n      - age: [{AGE1}]\n        merge:\n          - age: [{AGE1}, {AGE2}]\n            pgp: []\n          - kms: []\n            gcp_kms: []\n            azure_keyvault: []\n            hc_vault: []\ndestination_rules:\n  - path_regex: x\n    s3_bucket: b\n    s3_prefix: p/\n    recreation_rule:\n      pgp: {}\n    omit_extensions: true\n",
        pgp_home::K1
    );
    sb.write(".sops.yaml", full);
    let out = encrypt_alike(&sb, "", &["encrypt", "other.yaml"]);
    assert!(
        out.contains(AGE2) && !out.contains(AGE3),
        "merge dedups, flat keys ignored:\n{out}"
    );
}

#[test]
fn the_shipped_example_config_works_with_both() {
    let sb = Sandbox::new();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join(".sops.yaml.example");
    sb.copy_in(&example, ".sops.yaml");
    sb.write("charts/secrets.yaml", DOC);
    sb.write("config/app.yaml", DOC);
    sb.write("app.env", "A=1\nB_PUBLIC=2\n");
    for file in ["charts/secrets.yaml", "config/app.yaml", "app.env"] {
        encrypt_alike(&sb, "", &["encrypt", file]);
    }
}

/// Decrypt reads only `stores`: a rule mistake does not block it (sops does not even
/// look at the rules), but a config that does not parse does, as in sops.
#[test]
fn decrypt_ignores_creation_rules_but_not_a_broken_config() {
    let sb = Sandbox::new();
    let enc = common::case("yaml-basic.enc.yaml");
    let enc = enc.to_string_lossy();
    for config in [
        "creation_rules:\n  - path_regex: '(x'\n    bogus: 1\n",
        "creation_rules:\n  - encrypted_regex: a\n    unencrypted_suffix: b\n",
        "creation_rule: []\n",
    ] {
        sb.write(".sops.yaml", config);
        for args in [&["decrypt", &enc][..], &["-d", &enc]] {
            let ours = run_in(&sb, "", Tool::SopsRs, args);
            let theirs = run_in(&sb, "", Tool::Oracle, args);
            common::assert_same_success(&ours, &theirs);
        }
        // Encrypting uses the rules, so sops-rs reports the mistake then.
        sb.write("f.yaml", DOC);
        if testing_sops_rs() {
            run_in(&sb, "", Tool::SopsRs, &["encrypt", "--age", AGE1, "f.yaml"])
                .code(1)
                .stderr_starts_with("error loading config: ");
        }
    }
    // sops quotes go-yaml's unmarshal error here; sops-rs names the field instead.
    sb.write(".sops.yaml", "stores:\n  yaml:\n    indent: x\n");
    run_in(&sb, "", Tool::Oracle, &["decrypt", &enc]).code(1);
    let ours = run_in(&sb, "", Tool::SopsRs, &["decrypt", &enc]);
    ours.code(1).no_stdout();
    if testing_sops_rs() {
        ours.stderr_starts_with("error loading config: stores.yaml.indent: expected an integer");
    }
    sb.write(".sops.yaml", "creation_rules: [\n");
    // The parser's own wording after "line 1: " is go-yaml's and differs.
    let prefix = "error loading config: Could not unmarshal config file: yaml: line 1: ";
    run_in(&sb, "", Tool::Oracle, &["decrypt", &enc])
        .code(1)
        .stderr_starts_with(prefix);
    run_in(&sb, "", Tool::SopsRs, &["decrypt", &enc])
        .code(1)
        .no_stdout()
        .stderr_starts_with(prefix);
}

/// Keys from the command line or their environment variables replace the rule's
/// keys (one group), while the rule's selection rule and threshold still apply.
#[test]
fn command_line_keys_replace_the_rules_keys() {
    let mut sb = Sandbox::new();
    sb.use_age_keys(&[1, 2, 3]);
    sb.write("f.yaml", DOC);
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - shamir_threshold: 2\n    encrypted_regex: ^secret\n    key_groups:\n      - age: [{AGE1}]\n      - age: [{AGE2}]\n"),
    );
    for args in [
        &["encrypt", "--age", AGE3, "f.yaml"][..],
        &["-e", "-a", AGE3, "f.yaml"],
    ] {
        let out = encrypt_alike(&sb, "", args);
        assert!(out.contains(AGE3) && !out.contains(AGE1), "{out}");
        assert!(out.contains("encrypted_regex: ^secret"), "{out}");
    }
    sb.set_env("SOPS_AGE_RECIPIENTS", AGE3);
    let out = encrypt_alike(&sb, "", &["encrypt", "f.yaml"]);
    assert!(out.contains(AGE3) && !out.contains(AGE2), "{out}");
    // An empty variable counts as unset: the rule's groups are used.
    sb.set_env("SOPS_AGE_RECIPIENTS", "");
    let out = encrypt_alike(&sb, "", &["encrypt", "f.yaml"]);
    assert!(
        out.contains(AGE1) && out.contains(AGE2) && !out.contains(AGE3),
        "{out}"
    );
}
