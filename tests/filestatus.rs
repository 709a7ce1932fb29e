//! `filestatus`: the same JSON line and exit code as the real sops for encrypted,
//! plain and broken files of every format, with and without `--input-type`.

mod common;

use common::{Sandbox, assert_same_success, case};

/// stderr with logrus's `time="…"` removed, so two runs can be compared.
fn untimed(stderr: &str) -> String {
    let re = regex::Regex::new(r#"time="[^"]*" "#).unwrap();
    re.replace_all(stderr, "").into_owned()
}

#[test]
fn encrypted_and_plain_files_of_every_format() {
    let sb = Sandbox::new();
    for (name, expected) in [
        ("yaml-basic.enc.yaml", true),
        ("yaml-basic.plain.yaml", false),
        ("json-basic.enc.json", true),
        ("json-basic.plain.json", false),
        ("dotenv-basic.enc.env", true),
        ("dotenv-basic.plain.env", false),
        ("ini-basic.enc.ini", true),
        ("ini-basic.plain.ini", false),
        ("binary-basic.enc.bin", true),
        ("negative/mac-mismatch.enc.yaml", true),
        ("negative/empty-mac.enc.yaml", false),
        ("negative/missing-version.enc.yaml", false),
        ("negative/no-metadata.yaml", false),
    ] {
        let file = sb.copy_in(case(name), &name.replace('/', "-"));
        let file = file.to_string_lossy();
        let (ours, theirs) = sb.run_both(&["filestatus", file.as_ref()]);
        assert_same_success(&ours, &theirs);
        assert_eq!(
            ours.stdout_text(),
            format!("{{\"encrypted\":{expected}}}\n"),
            "{name}"
        );
    }
}

#[test]
fn input_type_overrides_the_extension() {
    let sb = Sandbox::new();
    let enc = sb.copy_in(case("json-basic.enc.json"), "secret.data");
    let enc = enc.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["filestatus", "--input-type", "json", enc.as_ref()]);
    assert_same_success(&ours, &theirs);
    assert_eq!(ours.stdout, b"{\"encrypted\":true}\n");
    // Read as YAML the same JSON file still parses (JSON is YAML) and is encrypted.
    let yaml = sb.copy_in(case("yaml-basic.enc.yaml"), "y.enc.yaml");
    let yaml = yaml.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["filestatus", "--input-type", "json", yaml.as_ref()]);
    assert_eq!(ours.code, 1, "{}", ours.describe());
    assert_eq!(theirs.code, 1, "{}", theirs.describe());
    assert_eq!(untimed(&ours.stderr), untimed(&theirs.stderr));
}

#[test]
fn errors_match_sops() {
    let sb = Sandbox::new();
    let (ours, theirs) = sb.run_both(&["filestatus", "missing.yaml"]);
    assert_eq!((ours.code, theirs.code), (1, 1));
    assert_eq!(untimed(&ours.stderr), untimed(&theirs.stderr));
    ours.no_stdout();
    let (ours, theirs) = sb.run_both(&["filestatus"]);
    assert_eq!((ours.code, theirs.code), (100, 100));
    assert_eq!(ours.stderr_first_line(), theirs.stderr_first_line());
    // A plain binary file is read as JSON by the binary store and fails to parse.
    let bin = sb.copy_in(case("binary-basic.plain.bin"), "plain.bin");
    let bin = bin.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["filestatus", bin.as_ref()]);
    assert_eq!((ours.code, theirs.code), (1, 1));
    assert_eq!(untimed(&ours.stderr), untimed(&theirs.stderr));
    let (ours, theirs) = sb.run_both(&["filestatus", "--bogus", "x.yaml"]);
    assert_eq!((ours.code, theirs.code), (1, 1));
}
