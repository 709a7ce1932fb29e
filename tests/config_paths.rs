//! Encrypting with `.sops.yaml` creation rules instead of key flags: the file
//! sops-rs writes must match what sops writes under the same config (key
//! groups, Shamir threshold, selection rules), and both must refuse the same
//! way when no rule matches.

mod common;

use common::{
    AGE1, AGE2, Sandbox, Tool, assert_same_failure, assert_same_success, case, encrypt_interop,
    read,
};

const PLAIN: &str = "\
user: admin
password: canary-config-5e9f
nested:
    token: t0k3n
    port: 8080
note_unencrypted: visible
";

#[test]
fn shamir_key_groups_from_config() {
    let sb = Sandbox::new();
    sb.copy_in(case("shamir/sops-config-used.yaml"), ".sops.yaml");
    let plain = sb.copy_in(case("shamir/yaml-shamir-2of3.plain.yaml"), "s.yaml");
    let plain = plain.to_string_lossy().into_owned();
    assert!(encrypt_interop(&sb, &plain, &["encrypt"]));

    // Any two of the three age keys open sops-rs's file; one alone does not.
    let ours = sb.run(Tool::SopsRs, ["encrypt", plain.as_str()]);
    ours.success();
    let enc = sb.write("s.enc.yaml", &ours.stdout);
    let enc = enc.to_string_lossy();
    for (keys, ok) in [
        (&[1u8, 3][..], true),
        (&[2, 3][..], true),
        (&[1, 2][..], true),
        (&[2][..], false),
    ] {
        let mut sb2 = Sandbox::new();
        sb2.use_age_keys(keys);
        let (o, t) = sb2.run_both(&["decrypt", enc.as_ref()]);
        if ok {
            assert_same_success(&o, &t);
            assert_eq!(o.stdout, read(case("shamir/yaml-shamir-2of3.dec.yaml")));
        } else {
            o.code(128);
            assert_same_failure(&o, &t);
        }
    }
}

#[test]
fn rule_with_encrypted_regex_and_two_recipients() {
    let sb = Sandbox::new();
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - path_regex: ^secrets/.*\\.yaml$\n    encrypted_regex: ^(password|token)$\n    age: {AGE1},{AGE2}\n"
        ),
    );
    let plain = sb.write("secrets/app.yaml", PLAIN);
    assert!(encrypt_interop(&sb, &plain.to_string_lossy(), &["encrypt"]));
}

#[test]
fn first_matching_rule_wins() {
    let sb = Sandbox::new();
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - path_regex: \\.prod\\.yaml$\n    unencrypted_suffix: _clear\n    age: {AGE2}\n  - path_regex: .*\n    age: {AGE1}\n"
        ),
    );
    for name in ["app.prod.yaml", "app.dev.yaml"] {
        let plain = sb.write(name, PLAIN);
        assert!(encrypt_interop(&sb, &plain.to_string_lossy(), &["encrypt"]));
    }
}

#[test]
fn config_found_in_a_parent_directory() {
    let sb = Sandbox::new();
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - path_regex: deep/.*\n    age: {AGE1}\n"),
    );
    let plain = sb.write("deep/er/values.yaml", PLAIN);
    let mut dir_sb_args = vec!["encrypt"];
    let plain = plain.to_string_lossy().into_owned();
    assert!(encrypt_interop(&sb, &plain, &dir_sb_args));
    // Also when run from the file's own directory.
    let mut cmd = sb.command(Tool::SopsRs);
    cmd.current_dir(sb.path().join("deep/er"));
    dir_sb_args.push("values.yaml");
    let out = cmd
        .args(&dir_sb_args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run sops-rs: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn no_matching_rule_is_refused() {
    let sb = Sandbox::new();
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - path_regex: ^only/this\\.yaml$\n    age: {AGE1}\n"),
    );
    let plain = sb.write("other.yaml", PLAIN);
    let plain = plain.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["encrypt", plain.as_ref()]);
    ours.code(1);
    assert_same_failure(&ours, &theirs);
    // Even with keys on the command line (spec §7.3).
    let (ours, theirs) = sb.run_both(&["encrypt", "--age", AGE1, plain.as_ref()]);
    assert_eq!(
        ours.code,
        theirs.code,
        "{}\n{}",
        ours.describe(),
        theirs.describe()
    );
}

#[test]
fn config_flag_points_elsewhere() {
    let sb = Sandbox::new();
    let config = sb.write(
        "conf/custom.yaml",
        format!("creation_rules:\n  - age: {AGE2}\n"),
    );
    let plain = sb.write("x.yaml", PLAIN);
    let config = config.to_string_lossy();
    assert!(encrypt_interop(
        &sb,
        &plain.to_string_lossy(),
        &["--config", config.as_ref(), "encrypt"]
    ));
}
