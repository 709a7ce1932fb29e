//! `updatekeys` against the real sops: the same diff, prompt and log lines, the same
//! exit codes, and files where only the wrapped data keys changed, readable by both.

mod common;

use common::{AGE1, AGE2, AGE3, Run, Sandbox, Tool, assert_bytes_eq};

const PLAIN: &str = "user: admin\npassword: canary-5d1e\nport: 8080\n";

/// stderr without timestamps (Go's `log` prefix, logrus `time=`) and with the
/// tool-specific file name replaced.
fn normalized(stderr: &str, name: &str) -> String {
    let date = regex::Regex::new(r"(?m)\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ").unwrap();
    let time = regex::Regex::new(r#"time="[^"]*" "#).unwrap();
    let s = date.replace_all(stderr, "");
    time.replace_all(&s, "").replace(name, "FILE")
}

/// The file with age armor removed (multi-line in YAML, one escaped line in
/// JSON/dotenv/INI): what must not change besides the keys.
fn without_armor(text: &str) -> String {
    let re = regex::Regex::new(
        r"(?s)-----BEGIN AGE ENCRYPTED FILE-----.*?-----END AGE ENCRYPTED FILE-----",
    )
    .unwrap();
    re.replace_all(text, "ARMOR").into_owned()
}

/// Two copies of a file encrypted by sops for age1: one per tool.
fn setup() -> Sandbox {
    let sb = Sandbox::new();
    sb.write("plain.yaml", PLAIN);
    let enc = sb.run(Tool::Oracle, ["encrypt", "--age", AGE1, "plain.yaml"]);
    enc.success();
    sb.write("original.yaml", &enc.stdout);
    sb.write("ours.yaml", &enc.stdout);
    sb.write("theirs.yaml", &enc.stdout);
    sb
}

/// Runs `updatekeys ARGS… <file>` with each tool on its own copy, feeding `stdin`.
fn both(sb: &Sandbox, args: &[&str], stdin: &[u8]) -> (Run, Run) {
    let mut a: Vec<&str> = vec!["updatekeys"];
    a.extend_from_slice(args);
    let mut ours_args = a.clone();
    ours_args.push("ours.yaml");
    let mut theirs_args = a;
    theirs_args.push("theirs.yaml");
    (
        sb.run_stdin(Tool::SopsRs, ours_args, stdin),
        sb.run_stdin(Tool::Oracle, theirs_args, stdin),
    )
}

#[track_caller]
fn same(ours: &Run, theirs: &Run) {
    assert_eq!(
        ours.code,
        theirs.code,
        "exit codes differ\n{}\n{}",
        ours.describe(),
        theirs.describe()
    );
    assert_bytes_eq(&ours.stdout, &theirs.stdout, "stdout");
    let o = normalized(&ours.stderr, "ours.yaml");
    let t = normalized(&theirs.stderr, "theirs.yaml");
    // sops-rs may add a hint line after sops's message.
    assert!(o.starts_with(&t), "stderr differs:\n{o}\nvs\n{t}");
}

fn read(sb: &Sandbox, name: &str) -> String {
    String::from_utf8(common::read(sb.path().join(name))).unwrap()
}

#[test]
fn requires_a_config_file() {
    let sb = setup();
    let (ours, theirs) = both(&sb, &["-y"], b"");
    same(&ours, &theirs);
    assert_eq!(ours.code, 1);
    assert_eq!(ours.stderr_first_line(), "config file not found");
}

#[test]
fn prompt_diff_and_rewrap_match_sops() {
    let mut sb = setup();
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - age: {AGE1},{AGE2}\n"),
    );
    // EOF at the prompt: nothing changes, exit 1 with Go's "EOF".
    let (ours, theirs) = both(&sb, &[], b"");
    same(&ours, &theirs);
    assert_eq!(ours.code, 1);
    let expected = format!(
        "The following changes will be made to the file's groups:\nGroup 1\n    {AGE1}\n+++ {AGE2}\nIs this okay? (y/n):"
    );
    assert_eq!(ours.stdout_text(), expected);
    // An answer other than y/n asks again; "n" leaves the file alone.
    let (ours, theirs) = both(&sb, &[], b"yes\nn\n");
    same(&ours, &theirs);
    assert_eq!(ours.code, 0);
    assert!(ours.stdout_text().ends_with(":Is this okay? (y/n):"));
    assert_eq!(read(&sb, "ours.yaml"), read(&sb, "original.yaml"));
    // "y": the data key is re-wrapped for both recipients.
    let (ours, theirs) = both(&sb, &[], b"y\n");
    same(&ours, &theirs);
    ours.success();
    let (o, t, orig) = (
        read(&sb, "ours.yaml"),
        read(&sb, "theirs.yaml"),
        read(&sb, "original.yaml"),
    );
    assert_eq!(without_armor(&o), without_armor(&t));
    assert!(o.contains(AGE2));
    // Values, mac and lastmodified are untouched.
    let data_and_mac = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| {
                !l.starts_with("    ") && !l.starts_with("sops:") || l.contains("lastmodified")
            })
            .chain(s.lines().filter(|l| l.trim_start().starts_with("mac:")))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(data_and_mac(&o), data_and_mac(&orig));
    // Each tool reads the other's file with the new key alone.
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(2).display().to_string(),
    );
    for (tool, file) in [(Tool::Oracle, "ours.yaml"), (Tool::SopsRs, "theirs.yaml")] {
        let run = sb.run(tool, ["decrypt", file]);
        run.success();
        assert_eq!(run.stdout_text(), PLAIN);
    }
    // A second run has nothing to do.
    let (ours, theirs) = both(&sb, &["-y"], b"");
    same(&ours, &theirs);
    ours.success().no_stdout();
    assert!(
        ours.stderr.contains("already up to date"),
        "{}",
        ours.describe()
    );
}

#[test]
fn key_groups_and_threshold_changes() {
    let mut sb = setup();
    sb.use_age_keys(&[1, 2, 3]);
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n    - age: [{AGE1}]\n    - age: [{AGE2}]\n    - age: [{AGE3}]\n"
        ),
    );
    let (ours, theirs) = both(&sb, &["-y"], b"");
    same(&ours, &theirs);
    ours.success();
    // With no threshold in the file, sops stores the number of groups.
    assert!(read(&sb, "ours.yaml").contains("shamir_threshold: 3\n"));
    assert_eq!(
        without_armor(&read(&sb, "ours.yaml")),
        without_armor(&read(&sb, "theirs.yaml"))
    );
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - key_groups:\n    - age: [{AGE1}]\n    - age: [{AGE2}]\n"),
    );
    let (ours, theirs) = both(&sb, &["-y"], b"");
    same(&ours, &theirs);
    ours.success();
    assert!(
        ours.stdout_text()
            .contains("+++ shamir_threshold: 2\n--- shamir_threshold: 3\n")
    );
    for (tool, file) in [(Tool::Oracle, "ours.yaml"), (Tool::SopsRs, "theirs.yaml")] {
        let run = sb.run(tool, ["decrypt", file]);
        run.success();
        assert_eq!(run.stdout_text(), PLAIN);
    }
}

#[test]
fn data_key_failure_is_128() {
    let mut sb = setup();
    sb.write(".sops.yaml", format!("creation_rules:\n  - age: {AGE2}\n"));
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(3).display().to_string(),
    );
    let (ours, theirs) = both(&sb, &["-y"], b"");
    same(&ours, &theirs);
    assert_eq!(ours.code, 128);
    assert_eq!(read(&sb, "ours.yaml"), read(&sb, "original.yaml"));
}

#[test]
fn several_files_continue_on_errors() {
    let sb = setup();
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - age: {AGE1},{AGE3}\n"),
    );
    for tool in [Tool::SopsRs, Tool::Oracle] {
        let name = if tool == Tool::SopsRs {
            "ours.yaml"
        } else {
            "theirs.yaml"
        };
        let run = sb.run(
            tool,
            ["updatekeys", "-y", "missing.yaml", "plain.yaml", name],
        );
        assert_eq!(run.code, 1, "{}", run.describe());
        assert!(
            run.stderr.ends_with("failed updating 2 key(s)\n"),
            "{}",
            run.describe()
        );
        assert!(run.stderr.contains("stat "), "{}", run.describe());
        assert!(read(&sb, name).contains(AGE3));
    }
    // Problems of a single file keep their own message and code.
    let (ours, theirs) = (
        sb.run(Tool::SopsRs, ["updatekeys", "-y", "plain.yaml"]),
        sb.run(Tool::Oracle, ["updatekeys", "-y", "plain.yaml"]),
    );
    same(&ours, &theirs);
    let (ours, theirs) = (
        sb.run(Tool::SopsRs, ["updatekeys", "-y"]),
        sb.run(Tool::Oracle, ["updatekeys", "-y"]),
    );
    assert_eq!((ours.code, theirs.code), (100, 100));
    // Flags sops does not declare for updatekeys.
    for flag in ["--shamir-secret-sharing-threshold", "--decryption-order"] {
        let (ours, theirs) = (
            sb.run(Tool::SopsRs, ["updatekeys", flag, "2", "ours.yaml"]),
            sb.run(Tool::Oracle, ["updatekeys", flag, "2", "theirs.yaml"]),
        );
        assert_eq!((ours.code, theirs.code), (1, 1), "{flag}");
    }
}

#[test]
fn other_formats_and_input_type() {
    let mut sb = Sandbox::new();
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - age: {AGE1},{AGE2}\n"),
    );
    for (case, name) in [
        ("json-basic.enc.json", "x.json"),
        ("dotenv-basic.enc.env", "x.env"),
        ("ini-basic.enc.ini", "x.ini"),
        ("dotenv-basic.enc.env", "x.secret"),
    ] {
        let ours = format!("ours-{name}");
        let theirs = format!("theirs-{name}");
        sb.copy_in(common::case(case), &ours);
        sb.copy_in(common::case(case), &theirs);
        let extra: &[&str] = if name.ends_with(".secret") {
            &["--input-type", "dotenv"]
        } else {
            &[]
        };
        let run = |tool: Tool, file: &str| {
            let mut args = vec!["updatekeys", "-y"];
            args.extend_from_slice(extra);
            args.push(file);
            sb.run(tool, args)
        };
        let (o, t) = (run(Tool::SopsRs, &ours), run(Tool::Oracle, &theirs));
        assert_bytes_eq(&o.stdout, &t.stdout, name);
        o.success();
        t.success();
        // sops writes INI's [sops] section in Go map order (random): compare line sets there.
        let lines = |f: &str| {
            let text = without_armor(&read(&sb, f));
            let mut v: Vec<String> = text.lines().map(str::to_string).collect();
            if name.ends_with(".ini") {
                v.sort();
            }
            v
        };
        assert_eq!(lines(&ours), lines(&theirs), "{name}");
    }
    // The new recipient alone opens both tools' results.
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(2).display().to_string(),
    );
    for (tool, file) in [
        (Tool::Oracle, "ours-x.json"),
        (Tool::SopsRs, "theirs-x.json"),
        (Tool::Oracle, "ours-x.ini"),
        (Tool::SopsRs, "theirs-x.env"),
    ] {
        sb.run(tool, ["decrypt", file]).success();
    }
}
