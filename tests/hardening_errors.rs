//! Errors people can act on: `docs/errors.md` lists every `Error` variant with
//! the exit code `exit.rs` gives it (parsed from the sources, so the page
//! cannot fall behind), and real failures name the file and say what to do.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{AGE1, Sandbox, Tool};

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The variant names of `pub enum Error` in src/error.rs.
fn variants(source: &str) -> Vec<String> {
    let body = source
        .split("pub enum Error {")
        .nth(1)
        .and_then(|rest| rest.split("\n}\n").next())
        .expect("pub enum Error not found in src/error.rs");
    body.lines()
        .filter(|l| l.starts_with("    ") && !l.starts_with("     "))
        .map(str::trim)
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .map(|l| {
            l.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

/// Variant → exit code as written in exit.rs (`_ => 1` for the rest).
fn exit_codes(source: &str, all: &[String]) -> BTreeMap<String, String> {
    let body = source
        .split("match err {")
        .nth(1)
        .and_then(|rest| rest.split("\n    }\n").next())
        .expect("the match in exit.rs");
    let mut codes = BTreeMap::new();
    let mut pending: Vec<String> = Vec::new();
    for line in body.lines() {
        for (i, _) in line.match_indices("Error::") {
            let name: String = line[i + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            pending.push(name);
        }
        if let Some((_, rhs)) = line.split_once("=>") {
            let rhs = rhs.trim().trim_end_matches(',');
            let code = if rhs.contains("128 + sig") {
                "128+N".to_string()
            } else {
                rhs.to_string()
            };
            if line.trim_start().starts_with("_ =>") {
                for v in all {
                    codes.entry(v.clone()).or_insert_with(|| code.clone());
                }
            }
            for v in pending.drain(..) {
                codes.insert(v, code.clone());
            }
        }
    }
    codes
}

/// Rows of the variant table in docs/errors.md: name → exit cell.
fn documented(doc: &str) -> BTreeMap<String, String> {
    doc.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let is_name = name.chars().all(|c| c.is_ascii_alphanumeric())
                && name.chars().next()?.is_ascii_uppercase();
            let code = cells.get(2)?.to_string();
            is_name.then(|| (name.to_string(), code))
        })
        .collect()
}

#[test]
fn every_error_variant_is_documented_with_its_exit_code() {
    let all = variants(&read("src/error.rs"));
    assert!(all.len() > 30, "variant parsing broke: {all:?}");
    assert!(all.contains(&"WriteOutput".to_string()) && all.contains(&"Other".to_string()));
    let codes = exit_codes(&read("src/bin/sops-rs/exit.rs"), &all);
    let doc = read("docs/errors.md");
    let rows = documented(&doc);
    let mut problems = Vec::new();
    for v in &all {
        match (rows.get(v), codes.get(v)) {
            (None, _) => problems.push(format!("{v} has no row in docs/errors.md")),
            (Some(doc_code), Some(code)) if doc_code != code => problems.push(format!(
                "{v}: docs/errors.md says exit {doc_code}, exit.rs gives {code}"
            )),
            _ => {}
        }
    }
    for name in rows.keys() {
        if !all.contains(name) {
            problems.push(format!(
                "docs/errors.md documents {name}, which is not a variant"
            ));
        }
    }
    // Every code exit.rs can produce is in the exit-code table.
    for code in codes.values() {
        let row = format!("| {code} |");
        if !doc.contains(&row) {
            problems.push(format!("exit code {code} missing from the exit-code table"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_sync_check_notices_drift() {
    let source = "pub enum Error {\n    /// doc\n    A(String),\n    #[error(\"x\")]\n    B {\n        path: u8,\n    },\n    C,\n}\n";
    assert_eq!(variants(source), ["A", "B", "C"]);
    let exit = "match err {\n        Error::A(_)\n        | Error::B { .. } => 2,\n        Error::Interrupted(sig) => u8::try_from(128 + sig).unwrap_or(1),\n        _ => 1,\n    }\n";
    let all: Vec<String> = ["A", "B", "C", "Interrupted"].map(String::from).to_vec();
    let codes = exit_codes(exit, &all);
    assert_eq!(codes["A"], "2");
    assert_eq!(codes["B"], "2");
    assert_eq!(codes["C"], "1");
    assert_eq!(codes["Interrupted"], "128+N");
    let rows = documented("| variant | exit |\n|---|---|\n| `A` | 3 | x |\n");
    assert_eq!(
        rows["A"], "3",
        "a wrong code is read as written, so it is caught"
    );
}

/// Stderr of a failing sops-rs run, checked to name `file` and carry a hint.
#[track_caller]
fn names_file_and_hints(run: &common::Run, code: i32, file: &str) {
    run.code(code);
    assert!(
        run.stderr.contains(file),
        "the error does not name {file}: {}",
        run.stderr
    );
    assert!(
        run.stderr.lines().any(|l| l.starts_with("hint: ")),
        "no hint: {}",
        run.stderr
    );
}

#[test]
fn real_failures_name_the_file_and_say_what_to_do() {
    let sb = Sandbox::new();
    sb.write("plain.yaml", "a: secret-value\n");
    sb.write("enc.yaml", "a: secret-value\nb: other\n");
    sb.run(Tool::SopsRs, ["-e", "-i", "--age", AGE1, "enc.yaml"])
        .success();
    // Not encrypted.
    names_file_and_hints(&sb.run(Tool::SopsRs, ["-d", "plain.yaml"]), 1, "plain.yaml");
    // MAC mismatch: the file was changed (a clear value added by hand).
    let enc = std::fs::read_to_string(sb.path().join("enc.yaml")).unwrap();
    sb.write(
        "tampered.yaml",
        enc.replacen("sops:", "c_unencrypted: added\nsops:", 1),
    );
    let run = sb.run(Tool::SopsRs, ["decrypt", "tampered.yaml"]);
    names_file_and_hints(&run, 51, "tampered.yaml");
    run.does_not_reveal("secret-value");
    // No key: the report lists where identities were looked for.
    let mut nokey = Sandbox::new();
    nokey.unset_env("SOPS_AGE_KEY_FILE");
    nokey.write("enc.yaml", &enc);
    // (sops's report, byte for byte: the keys tried, why each failed and
    // where identities were looked for; no hint line is added to it.)
    let run = nokey.run(Tool::SopsRs, ["-d", "enc.yaml"]);
    run.code(128);
    for place in [
        "SOPS_AGE_KEY_FILE",
        "SOPS_AGE_KEY_CMD",
        ".ssh/id_ed25519",
        "sops/age/keys.txt",
        AGE1,
    ] {
        assert!(
            run.stderr.contains(place),
            "the report misses {place}: {}",
            run.stderr
        );
    }
    // A key path that is not there.
    let run = sb.run(Tool::SopsRs, ["-d", "--extract", "[\"nope\"]", "enc.yaml"]);
    names_file_and_hints(&run, 1, "enc.yaml");
    assert!(run.stderr.contains("nope"));
    // Output into a missing directory.
    let run = sb.run(
        Tool::SopsRs,
        ["-d", "--output", "no/such/dir/out.yaml", "enc.yaml"],
    );
    names_file_and_hints(&run, 3, "no/such/dir/out.yaml");
    assert!(run.stderr.contains("create it first"));
    // A file that does not exist.
    names_file_and_hints(
        &sb.run(Tool::SopsRs, ["-d", "missing.yaml"]),
        100,
        "missing.yaml",
    );
    // `set` on a missing file.
    let run = sb.run(Tool::SopsRs, ["set", "gone.yaml", "[\"a\"]", "1"]);
    names_file_and_hints(&run, 2, "gone.yaml");
}
