//! `edit` (legacy default mode and the subcommand) against the real sops 3.11.0,
//! driven by small shell scripts as `SOPS_EDITOR`: example documents, no change
//! (exit 200), a one-value change (a one-line diff), an invalid edit followed by
//! a valid one, failing and killed editors, SIGTERM, `-s`; and after each run
//! the private temporary directory must be gone.

mod common;

use common::{AGE1, Sandbox, Tool, assert_bytes_eq, assert_same_failure, mask_random};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const PLAIN: &str =
    "a: 1\nb:\n    c: secret\n    list:\n        - x\n        - y\nd_unencrypted: clear\n";

/// A sandbox whose `TMPDIR` is its own `tmp/`, so leftovers can be seen.
fn sandbox() -> Sandbox {
    let mut sb = Sandbox::new();
    let tmp = sb.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    sb.set_env("TMPDIR", tmp.display().to_string());
    sb
}

#[track_caller]
fn assert_no_temp_left(sb: &Sandbox) {
    let left: Vec<_> = std::fs::read_dir(sb.path().join("tmp"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

/// Writes an executable editor script `name` with `body` (`$1` is the file).
fn editor(sb: &Sandbox, name: &str, body: &str) -> PathBuf {
    let path = sb.write(name, format!("#!/bin/sh\n{body}\n"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn with_editor(sb: &mut Sandbox, script: &Path) {
    sb.set_env("SOPS_EDITOR", script.display().to_string());
}

fn encrypted(sb: &Sandbox, name: &str) -> PathBuf {
    let src = sb.write(&format!("plain-{name}"), PLAIN);
    let run = sb.run(
        Tool::Oracle,
        ["-e", "-a", AGE1, src.to_str().unwrap_or_default()],
    );
    run.success();
    sb.write(name, &run.stdout)
}

fn decrypt(sb: &Sandbox, tool: Tool, file: &str) -> Vec<u8> {
    let run = sb.run(tool, ["-d", file]);
    run.success();
    run.stdout
}

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
}

#[test]
fn new_files_start_from_sops_example_documents() {
    let mut sb = sandbox();
    let capture = editor(&sb, "capture.sh", r#"cp "$1" "$CAPTURE""#);
    with_editor(&mut sb, &capture);
    for ext in ["yaml", "json", "env", "ini", "bin"] {
        let mut got = Vec::new();
        for tool in [Tool::SopsRs, Tool::Oracle] {
            let out = sb.path().join(format!("captured-{tool:?}.{ext}"));
            sb.set_env("CAPTURE", out.display().to_string());
            let name = format!("new-{tool:?}.{ext}");
            let run = sb.run(tool, ["-a", AGE1, &name]);
            run.code(200)
                .stderr_starts_with("File has not changed, exiting.");
            assert!(
                !sb.path().join(&name).exists(),
                "unchanged new file written"
            );
            assert_no_temp_left(&sb);
            got.push(common::read(out));
        }
        assert_bytes_eq(&got[0], &got[1], &format!("example document for .{ext}"));
    }
}

#[test]
fn new_file_edited_with_keys_from_flags_or_config() {
    let mut sb = sandbox();
    let change = editor(
        &sb,
        "change.sh",
        r#"sed -i 's/example_value/changed/' "$1""#,
    );
    with_editor(&mut sb, &change);
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - path_regex: cfg\n    age: {AGE1}\n    unencrypted_regex: ^example_number$\n"),
    );
    for (args, name) in [
        (&["-a", AGE1][..], "cfg-flags"),
        (&[][..], "cfg"),
        (&["edit"][..], "cfg-sub"),
    ] {
        let files: Vec<String> = ["rs", "go"]
            .iter()
            .map(|t| format!("{name}-{t}.yaml"))
            .collect();
        for (tool, file) in [Tool::SopsRs, Tool::Oracle].into_iter().zip(&files) {
            let mut a: Vec<&str> = args.to_vec();
            a.push(file);
            sb.run(tool, a).success().no_stdout();
            assert_no_temp_left(&sb);
        }
        assert_same_content(&sb, &files[0], &files[1]);
        let (r, g) = (
            common::read(sb.path().join(&files[0])),
            common::read(sb.path().join(&files[1])),
        );
        assert_bytes_eq(
            mask_random(&String::from_utf8_lossy(&r)).as_bytes(),
            mask_random(&String::from_utf8_lossy(&g)).as_bytes(),
            "new file (masked)",
        );
        let mode = std::fs::metadata(sb.path().join(&files[0]))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }
    // A config without a matching rule is an error even with keys on the command line.
    let (r, g) = sb.run_both(&["-a", AGE1, "other.yaml"]);
    assert_same_failure(&r, &g);
    assert_no_temp_left(&sb);
}

#[test]
fn unchanged_file_exits_200_and_is_not_rewritten() {
    let mut sb = sandbox();
    let src = encrypted(&sb, "u.yaml");
    let before = common::read(&src);
    let noop = editor(&sb, "noop.sh", "true");
    with_editor(&mut sb, &noop);
    let (r, g) = sb.run_both(&["u.yaml"]);
    assert_same_failure(&r, &g);
    assert_eq!(r.code, 200);
    let (r, g) = sb.run_both(&["edit", "u.yaml"]);
    assert_same_failure(&r, &g);
    assert_eq!(common::read(&src), before);
    assert_no_temp_left(&sb);
}

#[test]
fn one_changed_value_gives_a_one_line_diff() {
    let mut sb = sandbox();
    let src = encrypted(&sb, "o.yaml");
    sb.copy_in(&src, "o-go.yaml");
    let path = sb.path().join("o.yaml");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = String::from_utf8(common::read(&path)).unwrap();
    let change = editor(&sb, "change.sh", r#"sed -i 's/secret/SECRET/' "$1""#);
    with_editor(&mut sb, &change);
    sb.run(Tool::SopsRs, ["o.yaml"]).success();
    sb.run(Tool::Oracle, ["o-go.yaml"]).success();
    assert_no_temp_left(&sb);
    let after = String::from_utf8(common::read(&path)).unwrap();
    let changed: Vec<&str> = before
        .lines()
        .zip(after.lines())
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.trim_start())
        .collect();
    assert_eq!(before.lines().count(), after.lines().count());
    assert!(
        changed.iter().any(|l| l.starts_with("c: ENC[")),
        "{changed:?}"
    );
    assert!(
        changed.iter().all(|l| l.starts_with("c: ENC[")
            || l.starts_with("lastmodified:")
            || l.starts_with("mac:")),
        "only the value, lastmodified and the MAC may change: {changed:?}"
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_same_content(&sb, "o.yaml", "o-go.yaml");
}

#[test]
fn invalid_edit_reopens_the_editor() {
    let mut sb = sandbox();
    let src = encrypted(&sb, "i.yaml");
    sb.copy_in(&src, "i-go.yaml");
    // First run: break the YAML; second run: repair it and change a value.
    let script = editor(
        &sb,
        "twice.sh",
        r#"if [ -e "$STATE" ]; then sed -i '/^: : bad/d; s/secret/fixed/' "$1"; rm "$STATE"; else echo ': : bad: [' >> "$1"; touch "$STATE"; fi"#,
    );
    with_editor(&mut sb, &script);
    sb.set_env("STATE", sb.path().join("state").display().to_string());
    for (tool, f) in [(Tool::SopsRs, "i.yaml"), (Tool::Oracle, "i-go.yaml")] {
        let run = sb.run(tool, [f]);
        run.success();
        assert!(
            run.stderr
                .contains("Could not load tree, probably due to invalid syntax."),
            "{}",
            run.describe()
        );
        assert!(
            !sb.path().join("state").exists(),
            "{tool:?} did not re-open the editor"
        );
        assert_no_temp_left(&sb);
    }
    assert_same_content(&sb, "i.yaml", "i-go.yaml");
}

#[test]
fn failing_or_killed_editors_exit_201() {
    let mut sb = sandbox();
    let src = encrypted(&sb, "k.yaml");
    let before = common::read(&src);
    for body in [
        "echo x >> \"$1\"; exit 3",
        "kill -9 $$",
        "exec /nonexistent-editor \"$1\"",
    ] {
        let script = editor(&sb, "bad.sh", body);
        with_editor(&mut sb, &script);
        let (r, g) = sb.run_both(&["k.yaml"]);
        assert_same_failure(&r, &g);
        assert_eq!(r.code, 201);
        assert_eq!(common::read(&src), before);
        assert_no_temp_left(&sb);
    }
    let (r, g) = sb.run_both(&["-i", "--output", "x.yaml", "k.yaml"]);
    assert_same_failure(&r, &g);
    sb.set_env("SOPS_EDITOR", "/nonexistent-editor --flag");
    let (r, g) = sb.run_both(&["k.yaml"]);
    assert_same_failure(&r, &g);
    sb.set_env("SOPS_EDITOR", "sh 'unterminated");
    let (r, g) = sb.run_both(&["k.yaml"]);
    assert_same_failure(&r, &g);
    assert_no_temp_left(&sb);
}

#[test]
fn signals_remove_the_temporary_directory() {
    let mut sb = sandbox();
    let src = encrypted(&sb, "t.yaml");
    let before = common::read(&src);
    let marker = sb.path().join("editing");
    let slow = editor(
        &sb,
        "slow.sh",
        r#"echo $$ > "$MARKER.pid"; echo "$1" > "$MARKER"; exec sleep 30"#,
    );
    // The cleanup is sops-rs's own: sops dies on the signal and leaves the file
    // behind, so with the oracle standing in (SOPS_RS_BIN) only the rest is checked.
    let ours = common::sops_rs_path() != common::oracle_path();
    with_editor(&mut sb, &slow);
    sb.set_env("MARKER", marker.display().to_string());
    for (signal, code) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        let _ = std::fs::remove_file(&marker);
        let mut child = sb
            .command(Tool::SopsRs)
            .arg("t.yaml")
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        // The shell creates the marker before writing the path into it.
        while std::fs::read(&marker).map_or(true, |m| !m.ends_with(b"\n")) {
            assert!(start.elapsed().as_secs() < 20, "the editor never started");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let temp = PathBuf::from(String::from_utf8_lossy(&common::read(&marker)).trim());
        assert!(
            temp.exists(),
            "the temporary file should exist while editing"
        );
        let dir_mode = std::fs::metadata(temp.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        let file_mode = std::fs::metadata(&temp).unwrap().permissions().mode();
        assert_eq!(file_mode & 0o777, 0o600);
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let status = child.wait().unwrap();
        assert_eq!(common::read(&src), before);
        if !ours {
            // Stop the editor sops left running.
            let pid = String::from_utf8_lossy(&common::read(marker.with_extension("pid")))
                .trim()
                .to_string();
            let _ = std::process::Command::new("kill").arg(&pid).status();
            continue;
        }
        assert_eq!(status.code(), Some(code));
        assert!(!temp.exists());
        assert_no_temp_left(&sb);
    }
}

#[test]
fn show_master_keys_puts_the_metadata_in_the_temporary_file() {
    let mut sb = sandbox();
    let src = encrypted(&sb, "s.yaml");
    let capture = editor(&sb, "capture.sh", r#"cp "$1" "$CAPTURE""#);
    with_editor(&mut sb, &capture);
    let mut got = Vec::new();
    for (tool, args) in [
        (Tool::SopsRs, ["-s", "s.yaml"]),
        (Tool::Oracle, ["-s", "s.yaml"]),
    ] {
        let out = sb.path().join(format!("shown-{tool:?}"));
        sb.set_env("CAPTURE", out.display().to_string());
        sb.run(tool, args).code(200);
        got.push(common::read(out));
    }
    assert_bytes_eq(&got[0], &got[1], "-s temporary file");
    let shown = String::from_utf8_lossy(&got[0]).into_owned();
    assert!(shown.contains("c: secret") && shown.contains("sops:\n"));
    assert_eq!(common::read(&src), common::read(sb.path().join("s.yaml")));
    assert_no_temp_left(&sb);
    // Saving under -s: sops 3.11 drops the whole edit (it replaces a copy of
    // its tree); sops-rs keeps the edited values and the file's keys.
    if common::sops_rs_path() != common::oracle_path() {
        let change = editor(&sb, "change.sh", r#"sed -i 's/secret/edited/' "$1""#);
        with_editor(&mut sb, &change);
        sb.run(Tool::SopsRs, ["-s", "s.yaml"]).success();
        let plain = String::from_utf8(decrypt(&sb, Tool::Oracle, "s.yaml")).unwrap();
        assert!(plain.contains("c: edited"), "{plain}");
        assert_no_temp_left(&sb);
    }
}

#[test]
fn edit_subcommand_on_json() {
    let mut sb = sandbox();
    let plain = sb.write("p.json", "{\n\t\"k\": \"v\",\n\t\"n\": 2\n}\n");
    let run = sb.run(
        Tool::Oracle,
        ["-e", "-a", AGE1, plain.to_str().unwrap_or_default()],
    );
    sb.write("j.json", &run.success().stdout);
    sb.write("j-go.json", &run.stdout);
    let change = editor(&sb, "change.sh", r#"sed -i 's/"v"/"w"/' "$1""#);
    with_editor(&mut sb, &change);
    sb.run(Tool::SopsRs, ["edit", "j.json"]).success();
    sb.run(Tool::Oracle, ["edit", "j-go.json"]).success();
    assert_same_content(&sb, "j.json", "j-go.json");
    assert_no_temp_left(&sb);
}

/// Lines of `edited` that differ from `original`, ignoring `lastmodified` and `mac`.
fn value_changes(original: &str, edited: &str) -> Vec<String> {
    original
        .lines()
        .zip(edited.lines())
        .filter(|(a, b)| a != b && !a.contains("lastmodified") && !a.contains("mac"))
        .map(|(a, _)| a.chars().take(60).collect())
        .collect()
}

/// Every age vector written by sops, edited by an editor that only appends a
/// newline: the result matches sops's (masked), decrypts the same, and where
/// sops keeps every ciphertext, sops-rs does too.
#[test]
fn newline_only_edits_of_the_vectors_match_sops() {
    let mut sb = sandbox();
    let newline = editor(&sb, "newline.sh", r#"echo >> "$1""#);
    with_editor(&mut sb, &newline);
    let mut names: Vec<String> = std::fs::read_dir(common::cases())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".enc.") && !["pgp", "kms", "vault"].iter().any(|k| n.contains(k)))
        .collect();
    names.sort();
    assert!(names.len() >= 15, "too few vectors: {names:?}");
    for name in &names {
        let original = String::from_utf8(common::read(common::case(name))).unwrap();
        let (ours, theirs) = (format!("rs-{name}"), format!("go-{name}"));
        sb.copy_in(common::case(name), &ours);
        sb.copy_in(common::case(name), &theirs);
        sb.run(Tool::SopsRs, [&ours]).success();
        sb.run(Tool::Oracle, [&theirs]).success();
        assert_no_temp_left(&sb);
        let r = String::from_utf8(common::read(sb.path().join(&ours))).unwrap();
        let g = String::from_utf8(common::read(sb.path().join(&theirs))).unwrap();
        assert_same_content(&sb, &ours, &theirs);
        if !name.ends_with(".ini") {
            // sops writes INI metadata in Go map order, which varies from run to run.
            assert_bytes_eq(mask_random(&r).as_bytes(), mask_random(&g).as_bytes(), name);
        }
        // INI metadata lines come in Go map order (random per run): compare only the data.
        let data = |text: &str| -> String {
            if name.ends_with(".ini") {
                text.split("[sops]").next().unwrap_or_default().to_string()
            } else {
                text.to_string()
            }
        };
        let (original, r, g) = (data(&original), data(&r), data(&g));
        if value_changes(&original, &g).is_empty() {
            assert_eq!(value_changes(&original, &r), Vec::<String>::new(), "{name}");
        }
    }
}

/// New files of every format, edited: same content and (masked) bytes as sops.
#[test]
fn new_files_of_every_format_match_sops() {
    let mut sb = sandbox();
    let change = editor(&sb, "change.sh", r#"sed -i 's/Welcome/Hi/' "$1""#);
    with_editor(&mut sb, &change);
    for ext in ["yaml", "json", "env", "ini", "bin"] {
        let (ours, theirs) = (format!("n-rs.{ext}"), format!("n-go.{ext}"));
        sb.run(Tool::SopsRs, ["-a", AGE1, &ours]).success();
        sb.run(Tool::Oracle, ["-a", AGE1, &theirs]).success();
        assert_no_temp_left(&sb);
        assert_same_content(&sb, &ours, &theirs);
        if ext != "ini" {
            let r = String::from_utf8(common::read(sb.path().join(&ours))).unwrap();
            let g = String::from_utf8(common::read(sb.path().join(&theirs))).unwrap();
            assert_bytes_eq(mask_all(&r).as_bytes(), mask_all(&g).as_bytes(), &ours);
        }
    }
}

/// [`mask_random`], plus age armor written on one line (JSON, dotenv).
fn mask_all(text: &str) -> String {
    let armor = regex::Regex::new(r"(BEGIN AGE ENCRYPTED FILE-----)(.*?)(-----END)").unwrap();
    let masked = mask_random(text);
    armor
        .replace_all(&masked, |c: &regex::Captures<'_>| {
            let body: String = c[2]
                .chars()
                .map(|ch| {
                    if ch.is_ascii_alphanumeric() || "+/=".contains(ch) {
                        'a'
                    } else {
                        ch
                    }
                })
                .collect();
            format!("{}{body}{}", &c[1], &c[3])
        })
        .into_owned()
}
