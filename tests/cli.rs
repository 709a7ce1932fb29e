//! Command-line behaviour a script relies on: exit codes and messages of
//! common mistakes (spec §8.3/§8.4), `-i`/`--output` file handling, stdin,
//! `--input-type`/`--output-type` and `--version`, each checked against the
//! real sops run the same way.

mod common;

use common::{
    AGE1, AGE3, Sandbox, Tool, assert_bytes_eq, assert_same_failure, assert_same_success, case,
    read,
};
use std::os::unix::fs::PermissionsExt;

const SECRET: &str = "canary-secret-5d1e";

fn plain() -> String {
    format!("user: admin\npassword: {SECRET}\nport: 8080\n")
}

// ---------------------------------------------------------------------------
// Exit codes and messages of common mistakes.

#[test]
fn encrypting_an_encrypted_file_is_refused_with_203() {
    let sb = Sandbox::new();
    let enc = sb.copy_in(case("yaml-basic.enc.yaml"), "already.enc.yaml");
    let enc = enc.to_string_lossy();
    for args in [
        vec!["-e", "--age", AGE1, enc.as_ref()],
        vec!["encrypt", "--age", AGE1, enc.as_ref()],
    ] {
        let (ours, theirs) = sb.run_both(&args);
        ours.code(203);
        assert_same_failure(&ours, &theirs);
        assert!(
            ours.stderr
                .contains("If this is an encrypted file and you want to edit it"),
            "{}",
            ours.describe()
        );
    }
}

#[test]
fn missing_file_exits_100_naming_the_absolute_path() {
    let sb = Sandbox::new();
    for args in [
        vec!["-d", "nonexistent.yaml"],
        vec!["decrypt", "nonexistent.yaml"],
        vec!["-e", "--age", AGE1, "nonexistent.yaml"],
        vec!["encrypt", "--age", AGE1, "nonexistent.yaml"],
    ] {
        let (ours, theirs) = sb.run_both(&args);
        ours.code(100);
        assert_same_failure(&ours, &theirs);
        let abs = sb.path().join("nonexistent.yaml");
        ours.stderr_starts_with(&format!(
            "Error: cannot operate on non-existent file \"{}\"",
            abs.display()
        ));
    }
}

#[test]
fn no_file_argument_exits_100() {
    let sb = Sandbox::new();
    let (ours, theirs) = sb.run_both(&["-d"]);
    ours.code(100);
    assert_same_failure(&ours, &theirs);
}

#[test]
fn empty_file() {
    let sb = Sandbox::new();
    let empty = sb.write("empty.yaml", "");
    let empty = empty.to_string_lossy();
    // encrypt: exit 92 "File cannot be completely empty…"; decrypt: exit 1 "sops metadata not found".
    for (args, code) in [
        (vec!["encrypt", "--age", AGE1, empty.as_ref()], 92),
        (vec!["-e", "--age", AGE1, empty.as_ref()], 92),
        (vec!["decrypt", empty.as_ref()], 1),
    ] {
        let (ours, theirs) = sb.run_both(&args);
        ours.code(code);
        assert_same_failure(&ours, &theirs);
    }
}

#[test]
fn directory_instead_of_file() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path().join("dir.yaml")).unwrap_or_else(|e| panic!("mkdir: {e}"));
    for args in [
        vec!["decrypt", "dir.yaml"],
        vec!["encrypt", "--age", AGE1, "dir.yaml"],
    ] {
        let (ours, theirs) = sb.run_both(&args);
        // sops: exit 2 "Error reading file: read <path>: is a directory" (Go's wording).
        assert_eq!(
            ours.code,
            theirs.code,
            "{}\n{}",
            ours.describe(),
            theirs.describe()
        );
        ours.no_stdout().stderr_starts_with("Error reading file");
    }
}

/// Parse errors: same exit code and the same message up to go-yaml's own
/// wording (encrypt exit 2 `Error unmarshalling file: …`, decrypt exit 1
/// `Error unmarshalling input yaml: …`).
fn unparsable(content: &[u8]) {
    let sb = Sandbox::new();
    let file = sb.write("bad.yaml", content);
    let file = file.to_string_lossy();
    for (args, code, prefix) in [
        (
            vec!["encrypt", "--age", AGE1, file.as_ref()],
            2,
            "Error unmarshalling file: ",
        ),
        (
            vec!["-e", "--age", AGE1, file.as_ref()],
            2,
            "Error unmarshalling file: ",
        ),
        (
            vec!["decrypt", file.as_ref()],
            1,
            "Error unmarshalling input yaml: ",
        ),
    ] {
        let (ours, theirs) = sb.run_both(&args);
        theirs.code(code);
        ours.code(code).no_stdout().stderr_starts_with(prefix);
    }
}

#[test]
fn garbage_yaml() {
    unparsable(b"a: [1, 2\nb: {\n");
}

#[test]
fn bad_indentation_yaml() {
    unparsable(b"a:\n  b: 1\n c: 2\n");
}

#[test]
fn binary_junk_as_yaml() {
    // Deterministic junk: invalid UTF-8, NULs and control bytes.
    let junk: Vec<u8> = (0u32..512)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80)
        .collect();
    unparsable(&junk);
}

#[test]
fn wrong_key_exits_128_with_a_report_naming_the_recipient() {
    let mut sb = Sandbox::new();
    let plain = sb.write("plain.yaml", plain());
    let run = sb.run(
        Tool::Oracle,
        ["encrypt", "--age", AGE3, plain.to_string_lossy().as_ref()],
    );
    let enc = sb.write("for-age3.enc.yaml", &run.success().stdout);
    let enc = enc.to_string_lossy();
    // age1 is available, but the file is only for age3.
    let (ours, theirs) = sb.run_both(&["decrypt", enc.as_ref()]);
    ours.code(128).does_not_reveal(SECRET);
    assert_same_failure(&ours, &theirs);
    ours.stderr_starts_with("Failed to get the data key required to decrypt the SOPS file.");
    assert!(
        ours.stderr.contains("Group 0: FAILED") && ours.stderr.contains(AGE3),
        "the report should name the group and recipient\n{}",
        ours.describe()
    );
    // No age identity at all: the same refusal.
    sb.unset_env("SOPS_AGE_KEY_FILE");
    let (ours, theirs) = sb.run_both(&["decrypt", enc.as_ref()]);
    ours.code(128).does_not_reveal(SECRET);
    assert_same_failure(&ours, &theirs);
}

#[test]
fn in_place_together_with_output_is_refused_with_8() {
    let sb = Sandbox::new();
    let enc = sb.copy_in(case("yaml-basic.enc.yaml"), "f.enc.yaml");
    let enc = enc.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["decrypt", "-i", "--output", "o.yaml", enc.as_ref()]);
    ours.code(8);
    assert_same_failure(&ours, &theirs);
    assert!(!sb.path().join("o.yaml").exists());
}

#[test]
fn unknown_flag_exits_1() {
    let sb = Sandbox::new();
    let enc = sb.copy_in(case("yaml-basic.enc.yaml"), "f.enc.yaml");
    let enc = enc.to_string_lossy();
    for args in [
        vec!["--bogus", enc.as_ref()],
        vec!["decrypt", "--bogus", enc.as_ref()],
    ] {
        let (ours, theirs) = sb.run_both(&args);
        theirs.code(1);
        ours.code(1).does_not_reveal("world");
    }
}

// ---------------------------------------------------------------------------
// In-place and --output.

fn mode_of(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("stat {}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

#[test]
fn in_place_round_trip_keeps_file_mode() {
    let sb = Sandbox::new();
    let file = sb.write("secrets.yaml", plain());
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640))
        .unwrap_or_else(|e| panic!("chmod: {e}"));
    let path = file.to_string_lossy();

    sb.run(
        Tool::SopsRs,
        ["encrypt", "-i", "--age", AGE1, path.as_ref()],
    )
    .success()
    .no_stdout();
    assert_eq!(mode_of(&file), 0o640, "encrypt -i changed the file mode");
    let encrypted = String::from_utf8_lossy(&read(&file)).into_owned();
    assert!(
        encrypted.contains("sops:") && !encrypted.contains(SECRET),
        "not encrypted in place:\n{encrypted}"
    );
    assert_eq!(sb.listing(), ["home", "secrets.yaml"], "stray files left");

    // The real sops opens what sops-rs wrote in place.
    let theirs = sb.run(Tool::Oracle, ["decrypt", path.as_ref()]);
    theirs.success();
    assert_bytes_eq(
        &theirs.stdout,
        plain().as_bytes(),
        "sops decrypt after encrypt -i",
    );

    sb.run(Tool::SopsRs, ["-d", "-i", path.as_ref()])
        .success()
        .no_stdout();
    assert_eq!(mode_of(&file), 0o640, "decrypt -i changed the file mode");
    assert_bytes_eq(&read(&file), plain().as_bytes(), "file after decrypt -i");
    assert_eq!(sb.listing(), ["home", "secrets.yaml"], "stray files left");
}

/// `-i` writes a sibling temporary file and renames it over the original, so a
/// reader (or a crash) sees either the old or the new file, never half of one:
/// the path gets a new inode and the old inode keeps the old bytes.
#[test]
fn in_place_replaces_the_file_atomically() {
    use std::os::unix::fs::MetadataExt;
    let sb = Sandbox::new();
    let file = sb.write("secrets.yaml", plain());
    let path = file.to_string_lossy();
    let before = std::fs::File::open(&file).unwrap_or_else(|e| panic!("open: {e}"));
    let inode = before
        .metadata()
        .unwrap_or_else(|e| panic!("stat: {e}"))
        .ino();
    sb.run(
        Tool::SopsRs,
        ["encrypt", "-i", "--age", AGE1, path.as_ref()],
    )
    .success();
    let after = std::fs::metadata(&file).unwrap_or_else(|e| panic!("stat: {e}"));
    assert_ne!(
        after.ino(),
        inode,
        "-i rewrote the file in place instead of renaming"
    );
    let mut old = String::new();
    std::io::Read::read_to_string(&mut &before, &mut old).unwrap_or_else(|e| panic!("read: {e}"));
    assert_eq!(old, plain(), "the old inode changed");
    assert_eq!(sb.listing(), ["home", "secrets.yaml"], "stray files left");
}

#[test]
fn in_place_failure_leaves_the_file_untouched() {
    let sb = Sandbox::new();
    let file = sb.copy_in(case("negative/value-tampered.enc.yaml"), "t.enc.yaml");
    let before = read(&file);
    let path = file.to_string_lossy();
    for args in [
        vec!["decrypt", "-i", path.as_ref()],
        vec!["-d", "-i", path.as_ref()],
    ] {
        let run = sb.run(Tool::SopsRs, &args);
        run.code(25).no_stdout();
        assert_bytes_eq(&read(&file), &before, "file after a failed -i");
        assert_eq!(sb.listing(), ["home", "t.enc.yaml"], "stray files left");
    }
}

#[test]
fn output_flag_writes_the_file_and_nothing_on_stdout() {
    let sb = Sandbox::new();
    let enc = sb.copy_in(case("yaml-basic.enc.yaml"), "f.enc.yaml");
    let enc = enc.to_string_lossy();
    for args in [
        vec!["decrypt", "--output", "ours.yaml", enc.as_ref()],
        vec!["-d", "--output", "ours.yaml", enc.as_ref()],
    ] {
        sb.run(Tool::SopsRs, &args).success().no_stdout();
        assert_bytes_eq(
            &read(sb.path().join("ours.yaml")),
            &read(case("yaml-basic.dec.yaml")),
            "--output file",
        );
    }

    let plain = sb.write("p.yaml", plain());
    let plain = plain.to_string_lossy();
    sb.run(
        Tool::SopsRs,
        [
            "encrypt",
            "--age",
            AGE1,
            "--output",
            "p.enc.yaml",
            plain.as_ref(),
        ],
    )
    .success()
    .no_stdout();
    let theirs = sb.run(Tool::Oracle, ["decrypt", "p.enc.yaml"]);
    theirs.success();
    assert_bytes_eq(
        &theirs.stdout,
        self::plain().as_bytes(),
        "sops decrypt of --output file",
    );
}

#[test]
fn output_flag_on_failure_writes_nothing() {
    let sb = Sandbox::new();
    let enc = sb.copy_in(case("negative/value-tampered.enc.yaml"), "t.enc.yaml");
    let enc = enc.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["decrypt", "--output", "out.yaml", enc.as_ref()]);
    ours.code(25);
    assert_same_failure(&ours, &theirs);
    assert_eq!(
        sb.listing(),
        ["home", "t.enc.yaml"],
        "--output left a file behind"
    );
}

// ---------------------------------------------------------------------------
// stdin, explicit types, version.

#[test]
fn decrypt_from_stdin_with_types() {
    let sb = Sandbox::new();
    let input = read(case("yaml-basic.enc.yaml"));
    let args = ["decrypt", "--input-type", "yaml", "--output-type", "yaml"];
    let ours = sb.run_stdin(Tool::SopsRs, args, &input);
    let theirs = sb.run_stdin(Tool::Oracle, args, &input);
    assert_same_success(&ours, &theirs);
    assert_bytes_eq(
        &ours.stdout,
        &read(case("yaml-basic.dec.yaml")),
        "stdin decrypt",
    );
}

#[test]
fn encrypt_from_stdin_needs_filename_override() {
    let sb = Sandbox::new();
    let input = plain();
    let args = ["encrypt", "--age", AGE1, "--input-type", "yaml"];
    let ours = sb.run_stdin(Tool::SopsRs, args, input.as_bytes());
    let theirs = sb.run_stdin(Tool::Oracle, args, input.as_bytes());
    ours.code(8);
    assert_same_failure(&ours, &theirs);

    let args = ["encrypt", "--age", AGE1, "--filename-override", "x.yaml"];
    let ours = sb.run_stdin(Tool::SopsRs, args, input.as_bytes());
    ours.success();
    let enc = sb.write("x.enc.yaml", &ours.stdout);
    let theirs = sb.run(Tool::Oracle, ["decrypt".as_ref(), enc.as_os_str()]);
    theirs.success();
    assert_bytes_eq(
        &theirs.stdout,
        input.as_bytes(),
        "sops decrypt of stdin-encrypted",
    );
}

#[test]
fn explicit_types_for_an_unknown_extension() {
    let sb = Sandbox::new();
    let enc = sb.copy_in(case("yaml-basic.enc.yaml"), "secrets.sec");
    let enc = enc.to_string_lossy();
    let args = [
        "decrypt",
        "--input-type",
        "yaml",
        "--output-type",
        "yaml",
        enc.as_ref(),
    ];
    let (ours, theirs) = sb.run_both(&args);
    assert_same_success(&ours, &theirs);

    let plain = sb.write("plain.conf", plain());
    let plain = plain.to_string_lossy();
    let args = [
        "encrypt",
        "--input-type",
        "yaml",
        "--output-type",
        "yaml",
        "--age",
        AGE1,
        plain.as_ref(),
    ];
    let ours = sb.run(Tool::SopsRs, args);
    ours.success();
    let enc = sb.write("out.enc.yaml", &ours.stdout);
    let theirs = sb.run(Tool::Oracle, ["decrypt".as_ref(), enc.as_os_str()]);
    theirs.success();
    assert_bytes_eq(&theirs.stdout, self::plain().as_bytes(), "sops decrypt");
}

#[test]
fn version_starts_with_sops() {
    let sb = Sandbox::new();
    for flag in ["--version", "-v"] {
        let run = sb.run(Tool::SopsRs, [flag]);
        run.success();
        let text = run.stdout_text();
        assert!(text.starts_with("sops"), "{}", run.describe());
    }
}
