//! `set`, `unset` and legacy `--set` against the real sops 3.11.0: same exit
//! codes and messages, same decrypted results, files readable by both tools,
//! and sops-rs leaving every untouched value's ciphertext as it was.

mod common;

use common::{AGE1, Sandbox, Tool, assert_bytes_eq, assert_same_failure, mask_random};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

const PLAIN_YAML: &str =
    "a: 1\nb:\n    c: secret\n    list:\n        - x\n        - y\nd_unencrypted: clear\n";
const PLAIN_JSON: &str = "{\n\t\"k\": \"v\",\n\t\"n\": {\n\t\t\"m\": 2\n\t}\n}\n";

/// Encrypts `plain` with the oracle into `name` (both tools then start from the same bytes).
fn encrypted(sb: &Sandbox, name: &str, plain: &str) -> PathBuf {
    let src = sb.write(&format!("plain-{name}"), plain);
    let run = sb.run(
        Tool::Oracle,
        ["-e", "-a", AGE1, src.to_str().unwrap_or_default()],
    );
    run.success();
    sb.write(name, &run.stdout)
}

/// Copies `src` to `<tool>-<name>` for each tool.
fn pair(sb: &Sandbox, src: &PathBuf, name: &str) -> (String, String) {
    let ours = format!("rs-{name}");
    let theirs = format!("go-{name}");
    sb.copy_in(src, &ours);
    sb.copy_in(src, &theirs);
    (ours, theirs)
}

fn decrypt(sb: &Sandbox, tool: Tool, file: &str) -> Vec<u8> {
    let run = sb.run(tool, ["-d", file]);
    run.success();
    run.stdout
}

/// Both tools decrypt both results to the same bytes.
#[track_caller]
fn assert_same_content(sb: &Sandbox, ours: &str, theirs: &str) {
    let reference = decrypt(sb, Tool::Oracle, theirs);
    assert_bytes_eq(
        &decrypt(sb, Tool::Oracle, ours),
        &reference,
        "sops -d of sops-rs's file",
    );
    assert_bytes_eq(
        &decrypt(sb, Tool::SopsRs, ours),
        &reference,
        "sops-rs -d of its file",
    );
    assert_bytes_eq(
        &decrypt(sb, Tool::SopsRs, theirs),
        &reference,
        "sops-rs -d of sops's file",
    );
    let masked = |f: &str| mask_random(&String::from_utf8_lossy(&common::read(sb.path().join(f))));
    assert_bytes_eq(
        masked(ours).as_bytes(),
        masked(theirs).as_bytes(),
        "encrypted files of sops-rs and sops, random parts masked",
    );
}

/// Lines that differ between two files of the same length in lines.
fn changed_lines(a: &[u8], b: &[u8]) -> Vec<String> {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    a.lines()
        .zip(b.lines())
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.trim_start().chars().take(20).collect())
        .collect()
}

#[test]
fn set_values_like_sops() {
    let sb = Sandbox::new();
    let src = encrypted(&sb, "s.yaml", PLAIN_YAML);
    let cases: &[(&str, &str)] = &[
        (r#"["a"]"#, "43"),
        (r#"["b"]["c"]"#, r#""new secret""#),
        (
            r#"["new"]["deep"][0]"#,
            r#"{"z":1,"a":[1,2.5,"x",null,true]}"#,
        ),
        (r#"["b"]["list"][5]"#, "false"),
        (r#"["b"]["list"][0]"#, "null"),
        (r#"["a"]["x"]"#, r#""replaces a scalar""#),
    ];
    for (i, (path, value)) in cases.iter().enumerate() {
        let (ours, theirs) = pair(&sb, &src, &format!("{i}.yaml"));
        let r = sb.run(Tool::SopsRs, ["set", &ours, path, value]);
        let g = sb.run(Tool::Oracle, ["set", &theirs, path, value]);
        g.success();
        r.success().no_stdout();
        assert_same_content(&sb, &ours, &theirs);
    }
}

#[test]
fn set_keeps_other_ciphertexts_and_the_file_mode() {
    let sb = Sandbox::new();
    let src = encrypted(&sb, "s.yaml", PLAIN_YAML);
    let (ours, _) = pair(&sb, &src, "m.yaml");
    let path = sb.path().join(&ours);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = common::read(&path);
    sb.run(Tool::SopsRs, ["set", &ours, r#"["b"]["c"]"#, r#""other""#])
        .success();
    let after = common::read(&path);
    let changed = changed_lines(&before, &after);
    assert!(
        changed.iter().any(|l| l.starts_with("c: ENC[")),
        "{changed:?}"
    );
    assert!(
        changed.iter().all(|l| l.starts_with("c: ENC[")
            || l.starts_with("mac:")
            || l.starts_with("lastmodified:")),
        "only the value, the MAC and lastmodified may change: {changed:?}"
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[test]
fn set_on_json_keeps_key_order() {
    let sb = Sandbox::new();
    let src = encrypted(&sb, "j.json", PLAIN_JSON);
    let (ours, theirs) = pair(&sb, &src, "j.json");
    let args = |f: &str| {
        vec![
            "set".to_string(),
            f.to_string(),
            r#"["n"]["o"]"#.to_string(),
            r#"{"zz": 1, "aa": {"q": "w"}, "mm": [3, "x"]}"#.to_string(),
        ]
    };
    sb.run(Tool::Oracle, args(&theirs)).success();
    sb.run(Tool::SopsRs, args(&ours)).success();
    assert_same_content(&sb, &ours, &theirs);
}

#[test]
fn value_file_and_value_stdin() {
    let sb = Sandbox::new();
    let src = encrypted(&sb, "s.yaml", PLAIN_YAML);
    sb.write("v.json", "{\"from\": \"file\"}\n");
    let (ours, theirs) = pair(&sb, &src, "vf.yaml");
    sb.run(
        Tool::Oracle,
        ["set", "--value-file", &theirs, r#"["v"]"#, "v.json"],
    )
    .success();
    sb.run(
        Tool::SopsRs,
        ["set", "--value-file", &ours, r#"["v"]"#, "v.json"],
    )
    .success();
    assert_same_content(&sb, &ours, &theirs);
    let (ours, theirs) = pair(&sb, &src, "vs.yaml");
    sb.run_stdin(
        Tool::Oracle,
        ["set", "--value-stdin", &theirs, r#"["v"]"#],
        b"\"piped\"\n",
    )
    .success();
    sb.run_stdin(
        Tool::SopsRs,
        ["set", "--value-stdin", &ours, r#"["v"]"#],
        b"\"piped\"\n",
    )
    .success();
    assert_same_content(&sb, &ours, &theirs);
}

#[test]
fn idempotent_set_and_unset_leave_the_file_alone() {
    let sb = Sandbox::new();
    let src = encrypted(&sb, "s.yaml", PLAIN_YAML);
    let (ours, theirs) = pair(&sb, &src, "i.yaml");
    for (tool, f) in [(Tool::SopsRs, &ours), (Tool::Oracle, &theirs)] {
        let before = common::read(sb.path().join(f));
        sb.run(
            tool,
            ["set", "--idempotent", f, r#"["b"]["c"]"#, r#""secret""#],
        )
        .success();
        sb.run(tool, ["unset", "--idempotent", f, r#"["nope"]"#])
            .success();
        assert_eq!(
            common::read(sb.path().join(f)),
            before,
            "{tool:?} rewrote the file"
        );
    }
}

#[test]
fn unset_like_sops() {
    let sb = Sandbox::new();
    let src = encrypted(&sb, "s.yaml", PLAIN_YAML);
    for (i, path) in [r#"["a"]"#, r#"["b"]["list"][0]"#, r#"["b"]"#]
        .iter()
        .enumerate()
    {
        let (ours, theirs) = pair(&sb, &src, &format!("u{i}.yaml"));
        sb.run(Tool::Oracle, ["unset", &theirs, path]).success();
        sb.run(Tool::SopsRs, ["unset", &ours, path]).success();
        assert_same_content(&sb, &ours, &theirs);
    }
}

#[test]
fn legacy_set_like_sops() {
    let sb = Sandbox::new();
    let src = encrypted(&sb, "s.yaml", PLAIN_YAML);
    let (ours, theirs) = pair(&sb, &src, "l.yaml");
    let arg = r#"["b"]["e"] {"k": [1, "two"]}"#;
    sb.run(Tool::Oracle, ["--set", arg, &theirs]).success();
    sb.run(Tool::SopsRs, ["--set", arg, &ours]).success();
    assert_same_content(&sb, &ours, &theirs);
}

#[test]
fn failures_match_sops() {
    let sb = Sandbox::new();
    let src = encrypted(&sb, "s.yaml", PLAIN_YAML);
    let cases: &[&[&str]] = &[
        &["set", "F", r#"["a"]"#, "notjson"],
        &["set", "F", r#"["a"]"#, "[1, 2]"],
        &["set", "F", r#"["a"]"#],
        &["set", "F"],
        &["set", "F", "bad", "1"],
        &["set", "--value-file", "--value-stdin", "F", r#"["a"]"#, "x"],
        &["set", "--value-file", "F", r#"["a"]"#, "missing.json"],
        &["set", "nonexistent.yaml", r#"["a"]"#, "1"],
        &["set", "--ignore-mac=false", "--bogus", "F", r#"["a"]"#, "1"],
        &["unset", "F", r#"["nope"]"#],
        &["unset", "F", r#"["b"]["list"][7]"#],
        &["unset", "F", "x"],
        &["unset", "F"],
        &["--set", "bad", "F"],
        &["--set", r#"["a"] bad"#, "F"],
        &["--set", r#"["a"] 1"#, "-i", "--output", "x.yaml", "F"],
        &["unset", "--idempotent", "F", r#"["a"]["x"]"#],
    ];
    for (i, case) in cases.iter().enumerate() {
        let (ours, theirs) = pair(&sb, &src, &format!("f{i}.yaml"));
        let with = |f: &str| -> Vec<String> {
            case.iter()
                .map(|a| {
                    if *a == "F" {
                        f.to_string()
                    } else {
                        a.to_string()
                    }
                })
                .collect()
        };
        let g = sb.run(Tool::Oracle, with(&theirs));
        let r = sb.run(Tool::SopsRs, with(&ours));
        if g.stdout.is_empty() {
            assert_same_failure(&r, &g);
        } else {
            // Usage errors print the help on stdout; the codes must still agree.
            assert_eq!(r.code, g.code, "{}\n{}", r.describe(), g.describe());
        }
        assert_eq!(
            common::read(sb.path().join(&ours)),
            common::read(&src),
            "a failed command must not touch the file: {case:?}"
        );
    }
}

#[test]
fn mac_is_checked_unless_ignored() {
    let sb = Sandbox::new();
    let src = encrypted(&sb, "s.yaml", PLAIN_YAML);
    let text = String::from_utf8(common::read(&src)).unwrap();
    let tampered = text.replace("d_unencrypted: clear", "d_unencrypted: changed");
    for (i, tool) in [Tool::SopsRs, Tool::Oracle].into_iter().enumerate() {
        let f = format!("t{i}.yaml");
        sb.write(&f, &tampered);
        let fail = sb.run(tool, ["set", &f, r#"["a"]"#, "2"]);
        assert_eq!(fail.code, 51, "{}", fail.describe());
        sb.run(tool, ["set", "--ignore-mac", &f, r#"["a"]"#, "2"])
            .success();
        sb.run(Tool::Oracle, ["-d", &f]).success();
    }
}

#[test]
fn values_the_output_store_cannot_hold_fail_like_sops() {
    let sb = Sandbox::new();
    for (vector, path, value) in [
        ("dotenv-basic.enc.env", r#"["sec"]["k"]"#, r#""v""#),
        ("ini-basic.enc.ini", r#"["top"]"#, "3"),
    ] {
        let src = common::case(vector);
        let (ours, theirs) = pair(&sb, &src, vector);
        let r = sb.run(Tool::SopsRs, ["set", &ours, path, value]);
        let g = sb.run(Tool::Oracle, ["set", &theirs, path, value]);
        assert_same_failure(&r, &g);
        assert_eq!(common::read(sb.path().join(&ours)), common::read(&src));
    }
}

/// Setting the value a key already has rewrites the file byte for byte within
/// the same second (sops reuses the IVs of values and of the MAC; so does sops-rs).
#[test]
fn setting_the_same_value_again_gives_the_same_bytes() {
    let sb = Sandbox::new();
    let src = encrypted(&sb, "s.yaml", PLAIN_YAML);
    for tool in [Tool::SopsRs, Tool::Oracle] {
        let f = format!("same-{tool:?}.yaml");
        sb.copy_in(&src, &f);
        let path = sb.path().join(&f);
        let mut identical = false;
        for _ in 0..5 {
            sb.run(tool, ["set", &f, r#"["b"]["c"]"#, r#""v2""#])
                .success();
            let first = common::read(&path);
            sb.run(tool, ["set", &f, r#"["b"]["c"]"#, r#""v2""#])
                .success();
            let second = common::read(&path);
            let stamp = |b: &[u8]| {
                String::from_utf8_lossy(b)
                    .lines()
                    .find(|l| l.contains("lastmodified"))
                    .map(str::to_string)
            };
            if stamp(&first) == stamp(&second) {
                assert_bytes_eq(&second, &first, &format!("{tool:?}: same value set twice"));
                identical = true;
                break;
            }
        }
        assert!(identical, "{tool:?}: never two runs in the same second");
    }
}
