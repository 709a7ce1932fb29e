//! `groups add` / `groups delete` against the real sops: the same file structure
//! (threshold, `key_groups` form), the same refusals, and files that each tool
//! decrypts after the other changed them.

mod common;

use common::{AGE1, AGE2, AGE3, Run, Sandbox, Tool, assert_bytes_eq, mask_random};

const PLAIN: &str = "user: admin\npassword: canary-77aa\nport: 8080\n";

fn untimed(stderr: &str) -> String {
    let re = regex::Regex::new(r#"time="[^"]*" "#).unwrap();
    re.replace_all(stderr, "").into_owned()
}

/// `f.yaml` encrypted by sops for age1; all three age identities available.
fn setup() -> Sandbox {
    let mut sb = Sandbox::new();
    sb.write("plain.yaml", PLAIN);
    let enc = sb.run(Tool::Oracle, ["encrypt", "--age", AGE1, "plain.yaml"]);
    enc.success();
    sb.write("f.yaml", &enc.stdout);
    sb.use_age_keys(&[1, 2, 3]);
    sb
}

#[track_caller]
fn same_masked(ours: &Run, theirs: &Run) {
    theirs.success();
    ours.success();
    assert_bytes_eq(
        mask_random(&ours.stdout_text()).as_bytes(),
        mask_random(&theirs.stdout_text()).as_bytes(),
        "masked output",
    );
}

#[track_caller]
fn same_failure(ours: &Run, theirs: &Run) {
    assert_eq!(
        ours.code,
        theirs.code,
        "{}\n{}",
        ours.describe(),
        theirs.describe()
    );
    assert_ne!(ours.code, 0);
    ours.no_stdout();
    assert_eq!(untimed(&ours.stderr), untimed(&theirs.stderr));
}

/// Decrypts `file` with both tools and checks the plaintext.
fn both_decrypt(sb: &Sandbox, file: &str) {
    for tool in [Tool::SopsRs, Tool::Oracle] {
        let run = sb.run(tool, ["decrypt", file]);
        run.success();
        assert_eq!(run.stdout_text(), PLAIN, "{tool:?} on {file}");
    }
}

#[test]
fn add_then_delete_like_sops() {
    let sb = setup();
    // Add a group of two (age values may be comma-separated) to stdout.
    let args = [
        "groups", "add", "--file", "f.yaml", "--age", AGE2, "--age", AGE3,
    ];
    let (ours, theirs) = sb.run_both(&args);
    same_masked(&ours, &theirs);
    let text = ours.stdout_text();
    assert!(text.contains("shamir_threshold: 2\n    key_groups:\n        - hc_vault: []\n"));
    // The values, mac and lastmodified are those of the input.
    let input = String::from_utf8(common::read(sb.path().join("f.yaml"))).unwrap();
    for line in input
        .lines()
        .filter(|l| l.starts_with("user:") || l.contains("mac: ENC[") || l.contains("lastmodified"))
    {
        assert!(text.contains(line), "{line} changed");
    }
    sb.write("ours.yaml", &ours.stdout);
    sb.write("theirs.yaml", &theirs.stdout);
    both_decrypt(&sb, "ours.yaml");
    both_decrypt(&sb, "theirs.yaml");
    // In place, with an explicit threshold.
    sb.copy_in(sb.path().join("ours.yaml"), "a.yaml");
    sb.copy_in(sb.path().join("theirs.yaml"), "b.yaml");
    let ours = sb.run(
        Tool::SopsRs,
        [
            "groups",
            "add",
            "-f",
            "a.yaml",
            "-i",
            "--shamir-secret-sharing-threshold",
            "3",
            "--age",
            &format!("{AGE1},{AGE3}"),
        ],
    );
    let theirs = sb.run(
        Tool::Oracle,
        [
            "groups",
            "add",
            "-f",
            "b.yaml",
            "-i",
            "--shamir-secret-sharing-threshold",
            "3",
            "--age",
            &format!("{AGE1},{AGE3}"),
        ],
    );
    ours.success().no_stdout();
    theirs.success();
    let a = String::from_utf8(common::read(sb.path().join("a.yaml"))).unwrap();
    let b = String::from_utf8(common::read(sb.path().join("b.yaml"))).unwrap();
    assert!(a.contains("shamir_threshold: 3\n"));
    // The other tool's file differs only in its random parts.
    both_decrypt(&sb, "a.yaml");
    both_decrypt(&sb, "b.yaml");
    assert_eq!(
        mask_random(&a).replace(AGE3, "R").len(),
        mask_random(&b).replace(AGE3, "R").len()
    );
    // Delete the first group of each other's file.
    let (ours, theirs) = (
        sb.run(
            Tool::SopsRs,
            [
                "groups",
                "delete",
                "-f",
                "b.yaml",
                "--shamir-secret-sharing-threshold",
                "2",
                "0",
            ],
        ),
        sb.run(
            Tool::Oracle,
            [
                "groups",
                "delete",
                "-f",
                "a.yaml",
                "--shamir-secret-sharing-threshold",
                "2",
                "0",
            ],
        ),
    );
    same_masked(&ours, &theirs);
    sb.write("c.yaml", &ours.stdout);
    both_decrypt(&sb, "c.yaml");
}

#[test]
fn delete_refusals_match_sops() {
    let sb = setup();
    let add = sb.run(
        Tool::Oracle,
        ["groups", "add", "-f", "f.yaml", "-i", "--age", AGE2],
    );
    add.success();
    // Threshold 2 with two groups: deleting one is refused.
    let (ours, theirs) = sb.run_both(&["groups", "delete", "-f", "f.yaml", "1"]);
    same_failure(&ours, &theirs);
    assert!(ours.stderr.contains("impossible to satisfy"));
    // ...unless the threshold is lowered at the same time.
    let (ours, theirs) = sb.run_both(&[
        "groups",
        "delete",
        "-f",
        "f.yaml",
        "--shamir-secret-sharing-threshold",
        "1",
        "1",
    ]);
    same_masked(&ours, &theirs);
    assert!(
        ours.stdout_text()
            .contains("shamir_threshold: 1\n    age:\n")
    );
    for args in [
        vec!["groups", "delete", "-f", "f.yaml", "abc"],
        vec!["groups", "delete", "-f", "f.yaml"],
        vec!["groups", "add", "-f", "f.yaml", "extra"],
    ] {
        let (ours, theirs) = sb.run_both(&args);
        same_failure(&ours, &theirs);
    }
}

#[test]
fn missing_identities_give_sops_short_message() {
    let mut sb = setup();
    let add = sb.run(
        Tool::Oracle,
        ["groups", "add", "-f", "f.yaml", "-i", "--age", AGE2],
    );
    add.success();
    sb.unset_env("SOPS_AGE_KEY");
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    let (ours, theirs) = sb.run_both(&["groups", "delete", "-f", "f.yaml", "1"]);
    same_failure(&ours, &theirs);
    assert!(
        ours.stderr
            .contains("Error getting data key: 2 successful groups required, got 1")
    );
}
