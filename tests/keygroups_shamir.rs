//! Key groups and Shamir secret sharing against the real sops 3.11.0: files with
//! mixed age+PGP groups written by either tool open in both with exactly
//! threshold-many groups, and fewer groups give the same exit 128 report; the
//! decryption order (`--decryption-order`, `SOPS_DECRYPTION_ORDER`) is the one
//! sops uses, duplicates exit 112.

mod common;
#[path = "pgp_home.rs"]
mod pgp_home;

use common::{
    AGE1, AGE2, AGE3, Sandbox, Tool, assert_bytes_eq, assert_same_failure, case, read, vectors,
};
use pgp_home::{GpgHome, K1, mask_all};

const PLAIN: &str = "# settings\ndb:\n    user: admin\n    password: s3cr3t\nflag: true\n";

/// A sandbox with two GnuPG homes (one holding K1/K2, one empty) and no identities set.
struct Rig {
    sb: Sandbox,
    with_keys: GpgHome,
    empty: GpgHome,
}

impl Rig {
    fn new() -> Rig {
        let sb = Sandbox::new();
        let with_keys = GpgHome::with_test_keys(&sb.path().join("home/.gnupg"), vectors());
        let empty = GpgHome::empty(&sb.path().join("empty-gnupg"));
        Rig {
            sb,
            with_keys,
            empty,
        }
    }

    /// Makes exactly these age keys (by number) and, if `pgp`, the PGP keys available.
    fn available(&mut self, ages: &[u8], pgp: bool) {
        if ages.is_empty() {
            self.sb
                .unset_env("SOPS_AGE_KEY")
                .unset_env("SOPS_AGE_KEY_FILE");
        } else {
            self.sb.use_age_keys(ages);
        }
        let home = if pgp { &self.with_keys } else { &self.empty };
        let home = home.env_value();
        self.sb.set_env("GNUPGHOME", home);
    }

    /// Encrypts `PLAIN` with both tools (config in the sandbox, `extra` flags) and returns
    /// (ours, theirs) encrypted file paths, after checking they have the same layout.
    fn encrypt_both(
        &mut self,
        config: &str,
        extra: &[&str],
    ) -> (std::path::PathBuf, std::path::PathBuf) {
        self.available(&[], true);
        self.sb.write(".sops.yaml", config);
        self.sb.write("secrets.yaml", PLAIN);
        let mut args = vec!["encrypt"];
        args.extend_from_slice(extra);
        args.push("secrets.yaml");
        let (ours, theirs) = self.sb.run_both(&args);
        theirs.success();
        ours.success();
        assert_bytes_eq(
            mask_all(&ours.stdout_text()).as_bytes(),
            mask_all(&theirs.stdout_text()).as_bytes(),
            "key group layout of sops-rs's file vs sops's",
        );
        (
            self.sb.write("ours.enc.yaml", &ours.stdout),
            self.sb.write("theirs.enc.yaml", &theirs.stdout),
        )
    }

    /// Decrypts `file` with both tools: both must succeed with `PLAIN`, or fail alike.
    fn decrypt_both(&self, file: &std::path::Path, args: &[&str], should_open: bool, what: &str) {
        let mut full: Vec<&str> = vec!["decrypt"];
        full.extend_from_slice(args);
        let f = file.to_string_lossy();
        full.push(&f);
        let (ours, theirs) = self.sb.run_both(&full);
        if should_open {
            theirs.success();
            assert_eq!(ours.code, 0, "{what}\n{}", ours.describe());
            assert_bytes_eq(&ours.stdout, PLAIN.as_bytes(), what);
            assert_bytes_eq(&theirs.stdout, PLAIN.as_bytes(), what);
        } else {
            assert_same_failure(&ours, &theirs);
            assert_eq!(ours.code, 128, "{what}");
            assert_eq!(ours.stderr, theirs.stderr, "{what}: per-group report");
        }
    }
}

fn mixed_2_of_3() -> String {
    format!(
        "creation_rules:\n  - path_regex: secrets\\.yaml$\n    shamir_threshold: 2\n    key_groups:\n      - age: [{AGE1}]\n      - pgp: [{K1}]\n        age: [{AGE2}]\n      - age: [{AGE3}]\n"
    )
}

#[test]
fn mixed_age_pgp_2_of_3_opens_with_exactly_two_groups() {
    let mut rig = Rig::new();
    let (ours, theirs) = rig.encrypt_both(&mixed_2_of_3(), &[]);
    let text = String::from_utf8_lossy(&read(&ours)).into_owned();
    assert!(text.contains("shamir_threshold: 2"), "{text}");
    // (age keys, PGP available, opens?)
    let cases: &[(&[u8], bool, bool)] = &[
        (&[1, 3], false, true),   // groups 0 and 2
        (&[3], true, true),       // group 1 through its PGP key, group 2
        (&[1, 2], false, true),   // group 1 through its age key
        (&[1, 2, 3], true, true), // more than the threshold
        (&[3], false, false),     // one group
        (&[], true, false),       // one group (PGP)
        (&[2], true, false),      // both keys of the same group: still one group
        (&[], false, false),
    ];
    for (file, who) in [(&ours, "sops-rs's file"), (&theirs, "sops's file")] {
        for (ages, pgp, opens) in cases {
            rig.available(ages, *pgp);
            let what = format!("{who} with age {ages:?}, pgp {pgp}");
            rig.decrypt_both(file, &[], *opens, &what);
        }
    }
}

#[test]
fn two_of_two_with_default_threshold_needs_both_groups() {
    let mut rig = Rig::new();
    let config = format!(
        "creation_rules:\n  - key_groups:\n      - age: [{AGE1}, {AGE2}]\n      - pgp: [{K1}]\n"
    );
    let (ours, theirs) = rig.encrypt_both(&config, &[]);
    let text = String::from_utf8_lossy(&read(&ours)).into_owned();
    assert!(
        text.contains("shamir_threshold: 2"),
        "threshold 0 is stored as the group count: {text}"
    );
    let cases: &[(&[u8], bool, bool)] = &[
        (&[2], true, true),
        (&[1], true, true),
        (&[1, 2], false, false),
        (&[], true, false),
    ];
    for (file, who) in [(&ours, "sops-rs's file"), (&theirs, "sops's file")] {
        for (ages, pgp, opens) in cases {
            rig.available(ages, *pgp);
            rig.decrypt_both(
                file,
                &[],
                *opens,
                &format!("{who} with age {ages:?}, pgp {pgp}"),
            );
        }
    }
}

#[test]
fn cli_threshold_overrides_the_rule() {
    let mut rig = Rig::new();
    let config = mixed_2_of_3().replace("shamir_threshold: 2", "shamir_threshold: 3");
    let (ours, theirs) = rig.encrypt_both(&config, &["--shamir-secret-sharing-threshold", "2"]);
    let text = String::from_utf8_lossy(&read(&ours)).into_owned();
    assert!(text.contains("shamir_threshold: 2"), "{text}");
    rig.available(&[1, 3], false);
    rig.decrypt_both(&ours, &[], true, "sops-rs's file, threshold 2 from the CLI");
    rig.decrypt_both(&theirs, &[], true, "sops's file, threshold 2 from the CLI");
    // Without the flag the rule's threshold of 3 applies.
    let (ours, _) = rig.encrypt_both(&config, &[]);
    rig.available(&[1, 3], false);
    rig.decrypt_both(&ours, &[], false, "threshold 3 from the rule, two groups");
    // A threshold above the number of groups is refused the same way.
    rig.available(&[], true);
    let (o, t) = rig.sb.run_both(&[
        "encrypt",
        "--shamir-secret-sharing-threshold",
        "4",
        "secrets.yaml",
    ]);
    assert_same_failure(&o, &t);
}

#[test]
fn shamir_vectors_open_with_any_two_age_keys() {
    let mut rig = Rig::new();
    for name in ["yaml-shamir-2of3", "json-shamir-2of3"] {
        let ext = if name.starts_with("yaml") {
            "yaml"
        } else {
            "json"
        };
        let enc = case(&format!("shamir/{name}.enc.{ext}"));
        let expected = read(case(&format!("shamir/{name}.dec.{ext}")));
        for ages in [&[1u8, 2][..], &[2, 3], &[1, 3]] {
            rig.available(ages, false);
            let run = rig
                .sb
                .run(Tool::SopsRs, ["decrypt".as_ref(), enc.as_os_str()]);
            run.success();
            assert_bytes_eq(&run.stdout, &expected, name);
        }
        for ages in [&[1u8][..], &[2], &[3]] {
            rig.available(ages, false);
            let f = enc.to_string_lossy();
            let (ours, theirs) = rig.sb.run_both(&["decrypt", &f]);
            assert_same_failure(&ours, &theirs);
            assert_eq!(ours.code, 128);
            assert_eq!(
                ours.stderr, theirs.stderr,
                "age-only report must be identical"
            );
        }
    }
}

/// One group holding an age key and a PGP key, nothing available: the report
/// lists the keys in the order they were tried.
#[test]
fn decryption_order_from_flag_and_environment() {
    let mut rig = Rig::new();
    let config = format!("creation_rules:\n  - age: {AGE1}\n    pgp: {K1}\n");
    let (ours, theirs) = rig.encrypt_both(&config, &[]);
    rig.available(&[], false);
    for file in [&ours, &theirs] {
        for order in [
            None,
            Some("pgp,age"),
            Some("age,pgp"),
            Some("kms,pgp"),
            Some("gcp_kms"),
        ] {
            for via_env in [false, true] {
                let mut args = Vec::new();
                match (order, via_env) {
                    (Some(o), false) => {
                        rig.sb.unset_env("SOPS_DECRYPTION_ORDER");
                        args = vec!["--decryption-order", o];
                    }
                    (Some(o), true) => {
                        rig.sb.set_env("SOPS_DECRYPTION_ORDER", o);
                    }
                    (None, _) => {
                        rig.sb.unset_env("SOPS_DECRYPTION_ORDER");
                    }
                }
                rig.decrypt_both(
                    file,
                    &args,
                    false,
                    &format!("order {order:?}, env {via_env}"),
                );
            }
        }
    }
    // The order is visible in the report: PGP first when asked for.
    rig.sb.unset_env("SOPS_DECRYPTION_ORDER");
    let f = ours.to_string_lossy();
    let run = rig.sb.run(
        Tool::SopsRs,
        ["decrypt", "--decryption-order", "pgp,age", &f],
    );
    let pgp_at = run.stderr.find(K1).unwrap_or(usize::MAX);
    let age_at = run.stderr.find(AGE1).unwrap_or(0);
    assert!(pgp_at < age_at, "{}", run.describe());
    // With the keys present, a PGP-first order still opens the file.
    rig.available(&[1], true);
    rig.decrypt_both(&ours, &["--decryption-order", "pgp,age"], true, "pgp first");
    // The first key tried fails, the next one of the group opens it.
    rig.available(&[1], false);
    rig.decrypt_both(
        &theirs,
        &["--decryption-order", "pgp,age"],
        true,
        "pgp fails, age opens",
    );
    rig.available(&[], true);
    rig.decrypt_both(&theirs, &[], true, "age fails, pgp opens");
}

#[test]
fn duplicate_decryption_order_types_exit_112() {
    let mut rig = Rig::new();
    rig.available(&[1], false);
    let enc = case("yaml-pgp-k1.enc.yaml");
    let f = enc.to_string_lossy();
    for args in [
        vec!["decrypt", "--decryption-order", "age,pgp,age", &f],
        vec!["-d", "--decryption-order", "pgp,pgp", &f],
    ] {
        let (ours, theirs) = rig.sb.run_both(&args);
        assert_same_failure(&ours, &theirs);
        assert_eq!(ours.code, 112);
    }
    rig.sb.set_env("SOPS_DECRYPTION_ORDER", "age,age");
    let (ours, theirs) = rig.sb.run_both(&["decrypt", &f]);
    assert_same_failure(&ours, &theirs);
    assert_eq!(ours.code, 112);
}

/// sops hands a negative threshold to Shamir (refused with several groups) and
/// stores it as given with one group; such a file must still open.
#[test]
fn negative_cli_threshold_like_sops() {
    let mut rig = Rig::new();
    rig.sb.write("plain.yaml", PLAIN);
    rig.available(&[1], false);
    let one = rig
        .sb
        .run(
            Tool::Oracle,
            [
                "encrypt",
                "--age",
                AGE1,
                "--shamir-secret-sharing-threshold",
                "-1",
                "plain.yaml",
            ],
        )
        .success()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&one).contains("shamir_threshold: -1"));
    let one = rig.sb.write("one.enc.yaml", one);
    rig.decrypt_both(&one, &[], true, "one group, threshold -1");
    rig.sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - key_groups:\n      - age: [{AGE1}]\n      - age: [{AGE2}]\n"),
    );
    let (ours, theirs) = rig.sb.run_both(&[
        "encrypt",
        "--shamir-secret-sharing-threshold",
        "-1",
        "plain.yaml",
    ]);
    assert_same_failure(&ours, &theirs);
}
