//! Many files in one process: `decrypt --output-dir`, `updatekeys --recursive`
//! and concurrent `updatekeys -y`, each checked against the real sops (outputs
//! byte-identical to `sops -d`), and the key cache checked by counting the
//! requests moto receives.

mod common;

use common::moto::Moto;
use common::{Sandbox, Tool, case, read};
use std::os::unix::fs::PermissionsExt;

/// The `age1…` recipient of the test key file `n`.
fn recipient(n: u8) -> String {
    String::from_utf8(read(common::age_key(n)))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn decrypt_output_dir_writes_what_sops_prints() {
    let sb = Sandbox::new();
    let names = [
        "yaml-basic.enc.yaml",
        "yaml-comments.enc.yaml",
        "json-basic.enc.json",
        "dotenv-basic.enc.env",
        "ini-basic.enc.ini",
    ];
    let inputs: Vec<String> = names
        .iter()
        .map(|n| sb.copy_in(case(n), n).display().to_string())
        .collect();
    let mut args = vec!["decrypt".to_string(), "--output-dir".into(), "out".into()];
    args.extend(inputs.iter().cloned());
    sb.run(Tool::SopsRs, &args).success().no_stdout();
    for (name, input) in names.iter().zip(&inputs) {
        let theirs = sb.run(Tool::Oracle, ["-d", input.as_str()]);
        theirs.success();
        let out = sb.path().join("out").join(name);
        assert_eq!(read(&out), theirs.stdout, "{name}");
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} holds plaintext");
    }
    let dir_mode = std::fs::metadata(sb.path().join("out"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
}

#[test]
fn decrypt_output_dir_reports_failures_and_writes_the_rest() {
    let sb = Sandbox::new();
    let good = sb.copy_in(case("yaml-basic.enc.yaml"), "good.yaml");
    sb.write("plain.yaml", "a: 1\n");
    let run = sb.run(
        Tool::SopsRs,
        [
            "decrypt",
            "--output-dir",
            "out",
            "plain.yaml",
            good.to_str().unwrap(),
            "missing.yaml",
        ],
    );
    run.code(1);
    assert!(
        run.stderr.contains("plain.yaml: sops metadata not found"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("missing.yaml"), "{}", run.stderr);
    assert!(
        run.stderr.contains("failed decrypting 2 of 3 file(s)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        read(sb.path().join("out/good.yaml")),
        read(case("yaml-basic.dec.yaml"))
    );
    assert!(!sb.path().join("out/plain.yaml").exists());
}

#[test]
fn decrypt_output_dir_refuses_clashing_names_and_single_output_flags() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path().join("a")).unwrap();
    std::fs::create_dir(sb.path().join("b")).unwrap();
    sb.copy_in(case("yaml-basic.enc.yaml"), "a/x.yaml");
    sb.copy_in(case("yaml-basic.enc.yaml"), "b/x.yaml");
    let run = sb.run(
        Tool::SopsRs,
        ["decrypt", "--output-dir", "out", "a/x.yaml", "b/x.yaml"],
    );
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("two input files"), "{}", run.stderr);
    assert!(!sb.path().join("out/x.yaml").exists(), "nothing written");
    let run = sb.run(
        Tool::SopsRs,
        [
            "decrypt",
            "--output-dir",
            "out",
            "--extract",
            "[\"a\"]",
            "a/x.yaml",
        ],
    );
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("--extract"), "{}", run.stderr);
}

/// A tree with sops files at several depths, a plain file and a hidden directory.
fn repo(sb: &Sandbox) -> Vec<&'static str> {
    for d in ["repo/a/b", "repo/.git", "repo/c"] {
        std::fs::create_dir_all(sb.path().join(d)).unwrap();
    }
    sb.copy_in(case("yaml-basic.enc.yaml"), "repo/a/b/one.yaml");
    sb.copy_in(case("json-basic.enc.json"), "repo/a/two.json");
    sb.copy_in(case("dotenv-basic.enc.env"), "repo/c/three.env");
    sb.copy_in(case("yaml-basic.enc.yaml"), "repo/.git/hidden.yaml");
    sb.write("repo/c/plain.yaml", "not: encrypted\n");
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - age: {},{}\n",
            recipient(1),
            recipient(2)
        ),
    );
    vec!["repo/a/b/one.yaml", "repo/a/two.json", "repo/c/three.env"]
}

#[test]
fn updatekeys_recursive_updates_every_sops_file_in_order() {
    let sb = Sandbox::new();
    let updated = repo(&sb);
    let run = sb.run(Tool::SopsRs, ["updatekeys", "--recursive", "-y", "repo"]);
    run.success();
    // Messages come in path order, each file's lines together.
    let synced: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.split_once(" File ").map(|(_, rest)| rest))
        .collect();
    assert_eq!(synced.len(), 3, "{}", run.stderr);
    for (line, path) in synced.iter().zip(&updated) {
        assert!(
            line.contains(path) && line.ends_with("synced with new keys"),
            "{line}"
        );
    }
    assert_eq!(run.stdout_text().matches("+++ ").count(), 3);
    // Every updated file now opens with key 2 alone, byte-identical to sops -d.
    let mut sb2 = Sandbox::new();
    sb2.use_age_keys(&[2]);
    for path in &updated {
        let full = sb.path().join(path);
        let (ours, theirs) = sb2.run_both(&["-d", full.to_str().unwrap()]);
        theirs.success();
        ours.success();
        assert_eq!(ours.stdout, theirs.stdout, "{path}");
    }
    // The hidden directory and the plain file are left alone.
    assert_eq!(
        read(sb.path().join("repo/.git/hidden.yaml")),
        read(case("yaml-basic.enc.yaml"))
    );
    assert_eq!(
        read(sb.path().join("repo/c/plain.yaml")),
        b"not: encrypted\n"
    );
    // A second run finds nothing to do.
    let again = sb.run(Tool::SopsRs, ["updatekeys", "--recursive", "-y", "repo"]);
    again.success();
    assert_eq!(again.stderr.matches("already up to date").count(), 3);
}

#[test]
fn directory_without_recursive_is_still_refused() {
    let sb = Sandbox::new();
    repo(&sb);
    let run = sb.run(Tool::SopsRs, ["updatekeys", "-y", "repo"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("can't operate on a directory"),
        "{}",
        run.stderr
    );
}

#[test]
fn concurrent_updatekeys_prints_like_one_file_at_a_time() {
    // The same files updated with -y (concurrently) and one call per file (sequentially).
    let sb = Sandbox::new();
    let files = repo(&sb);
    let mut args = vec!["updatekeys", "-y"];
    args.extend(files.iter().copied());
    let together = sb.run(Tool::SopsRs, &args);
    together.success();
    let sb2 = Sandbox::new();
    repo(&sb2);
    let mut stdout = Vec::new();
    let mut stderr = String::new();
    for f in &files {
        let r = sb2.run(Tool::SopsRs, ["updatekeys", "-y", f]);
        r.success();
        stdout.extend(r.stdout);
        stderr.push_str(&r.stderr);
    }
    assert_eq!(together.stdout, stdout);
    // Drop the Go log timestamp ("2026/11/25 17:36:01 ") and the sandbox path.
    let strip = |s: &str, root: &std::path::Path| -> Vec<String> {
        let root = root.display().to_string();
        s.lines()
            .map(|l| l.get(20..).unwrap_or(l).replace(&root, "ROOT"))
            .collect()
    };
    assert_eq!(
        strip(&together.stderr, sb.path()),
        strip(&stderr, sb2.path())
    );
}

/// Requests moto has answered so far (one access-log line each).
fn moto_requests(moto: &Moto) -> usize {
    let env = moto.env();
    let config = &env.iter().find(|(k, _)| k == "AWS_CONFIG_FILE").unwrap().1;
    let log = std::path::Path::new(config).with_file_name("moto.log");
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("\"POST /"))
        .count()
}

#[test]
fn batch_decrypt_unwraps_each_distinct_kms_key_once() {
    let moto = Moto::start();
    let arn = moto.create_key("us-east-1");
    let mut sb = Sandbox::new();
    moto.apply(&mut sb);
    sb.set_env("AWS_REGION", "us-east-1");
    // Three files with their own data keys, and two copies of the first one.
    let mut inputs = Vec::new();
    for i in 0..3 {
        sb.write(
            &format!("p{i}.yaml"),
            format!("secret: value-{i}\nn: {i}\n"),
        );
        let r = sb.run(
            Tool::Oracle,
            ["-e", "--kms", arn.as_str(), &format!("p{i}.yaml")],
        );
        r.success();
        std::fs::write(sb.path().join(format!("f{i}.yaml")), &r.stdout).unwrap();
        inputs.push(format!("f{i}.yaml"));
    }
    std::fs::copy(sb.path().join("f0.yaml"), sb.path().join("copy1.yaml")).unwrap();
    std::fs::copy(sb.path().join("f0.yaml"), sb.path().join("copy2.yaml")).unwrap();
    inputs.push("copy1.yaml".into());
    inputs.push("copy2.yaml".into());
    // Let moto flush its log, then count only what sops-rs asks.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let before = moto_requests(&moto);
    let mut args = vec!["decrypt".to_string(), "--output-dir".into(), "out".into()];
    args.extend(inputs.iter().cloned());
    sb.run(Tool::SopsRs, &args).success();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let requests = moto_requests(&moto) - before;
    assert_eq!(requests, 3, "one KMS Decrypt per distinct data key");
    for input in &inputs {
        let theirs = sb.run(Tool::Oracle, ["-d", input.as_str()]);
        theirs.success();
        assert_eq!(
            read(sb.path().join("out").join(input)),
            theirs.stdout,
            "{input}"
        );
    }
    // One file at a time costs one request per file.
    let before = moto_requests(&moto);
    for input in &inputs {
        sb.run(Tool::SopsRs, ["-d", input.as_str()]).success();
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(moto_requests(&moto) - before, inputs.len());
}

#[test]
fn updatekeys_recursive_with_kms_files_decrypts_with_sops() {
    let moto = Moto::start();
    let arn = moto.create_key("us-east-1");
    let mut sb = Sandbox::new();
    moto.apply(&mut sb);
    sb.set_env("AWS_REGION", "us-east-1");
    std::fs::create_dir(sb.path().join("dir")).unwrap();
    for i in 0..12 {
        sb.write(&format!("p{i}.yaml"), format!("secret: value-{i}\n"));
        let r = sb.run(
            Tool::SopsRs,
            ["-e", "--kms", arn.as_str(), &format!("p{i}.yaml")],
        );
        r.success();
        std::fs::write(sb.path().join(format!("dir/f{i:02}.yaml")), &r.stdout).unwrap();
    }
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - kms: {arn}\n    age: {}\n",
            recipient(2)
        ),
    );
    let run = sb.run(Tool::SopsRs, ["updatekeys", "--recursive", "-y", "dir"]);
    run.success();
    assert_eq!(run.stderr.matches("synced with new keys").count(), 12);
    // The new age key opens every file, with sops too (no KMS needed).
    let mut age_only = Sandbox::new();
    age_only.use_age_keys(&[2]);
    for i in 0..12 {
        let f = sb.path().join(format!("dir/f{i:02}.yaml"));
        let (ours, theirs) = age_only.run_both(&["-d", f.to_str().unwrap()]);
        theirs.success();
        ours.success();
        assert_eq!(ours.stdout, theirs.stdout);
        assert_eq!(theirs.stdout_text(), format!("secret: value-{i}\n"));
    }
}
