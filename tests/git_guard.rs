//! The pre-commit guard in real git repositories: what is staged (not the work
//! tree) decides, every kind of finding is reported without the value, clean
//! encrypted commits pass, and odd names, renames and deletions are handled.

mod common;
mod git_rig;

use git_rig::Repo;

const SECRET: &str = "hunter2-s3cr3t";
const RULES: &str = "creation_rules:\n  - path_regex: secrets/.*\n    age: age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr\n";

fn guard(repo: &Repo, args: &[&str]) -> common::Run {
    let mut all = vec!["pre-commit"];
    all.extend_from_slice(args);
    repo.sops_rs(&all)
}

/// A repository with `.sops.yaml` and one committed encrypted file.
fn base_repo() -> Repo {
    let repo = Repo::new();
    repo.write(".sops.yaml", RULES);
    repo.write_encrypted(
        "secrets/app.yaml",
        &format!("db:\n  password: {SECRET}\n  port: 5432\nuser_unencrypted: admin\n"),
    );
    repo.write("README.md", "hello\n");
    repo.commit_all("base");
    repo
}

#[test]
fn clean_encrypted_commit_passes() {
    let repo = base_repo();
    repo.write_encrypted("secrets/more.yaml", &format!("token: {SECRET}\n"));
    repo.write("docs/notes.txt", "nothing secret\n");
    repo.git(&["add", "-A"]);
    guard(&repo, &[]).success();
}

#[test]
fn staged_content_decides_not_the_work_tree() {
    let repo = base_repo();
    // Staged: plaintext under the rule; work tree: encrypted. Refused.
    repo.write("secrets/new.yaml", format!("token: {SECRET}\n"));
    repo.git(&["add", "secrets/new.yaml"]);
    repo.write_encrypted("secrets/new.yaml", &format!("token: {SECRET}\n"));
    let run = guard(&repo, &[]);
    run.code(1).does_not_reveal(SECRET);
    assert!(
        run.stderr.contains(
            "secrets/new.yaml: a .sops.yaml creation rule covers this file but it is not encrypted"
        ),
        "{}",
        run.stderr
    );

    // Staged: encrypted; work tree: plaintext. Passes.
    repo.git(&["add", "secrets/new.yaml"]);
    repo.write("secrets/new.yaml", format!("token: {SECRET}\n"));
    guard(&repo, &[]).success();
}

#[test]
fn pasted_clear_value_in_an_encrypted_file_is_refused() {
    let repo = base_repo();
    let mut text = String::from_utf8(repo.read("secrets/app.yaml")).unwrap();
    text.insert_str(0, &format!("api_key: {SECRET}\n"));
    repo.write("secrets/app.yaml", &text);
    repo.git(&["add", "-A"]);
    let run = guard(&repo, &[]);
    run.code(1).does_not_reveal(SECRET);
    assert!(
        run.stderr
            .contains("secrets/app.yaml: [\"api_key\"]: value in clear text"),
        "{}",
        run.stderr
    );
    // The `_unencrypted` key of the same file is not a finding.
    assert!(!run.stderr.contains("user_unencrypted"), "{}", run.stderr);
}

#[test]
fn malformed_ciphertext_and_missing_mac_are_refused() {
    let repo = base_repo();
    let text = String::from_utf8(repo.read("secrets/app.yaml")).unwrap();
    let broken = text.replacen(",tag:", ",tag:%%", 1);
    repo.write("secrets/app.yaml", &broken);
    let no_mac: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("mac:"))
        .map(|l| format!("{l}\n"))
        .collect();
    repo.write("secrets/nomac.yaml", &no_mac);
    repo.git(&["add", "-A"]);
    let run = guard(&repo, &[]);
    run.code(1);
    assert!(
        run.stderr
            .contains("secrets/app.yaml: [\"db\"][\"password\"]: malformed ENC[…] value"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("secrets/nomac.yaml: encrypted file has no MAC"),
        "{}",
        run.stderr
    );
}

#[test]
fn plaintext_names_are_refused_and_configurable() {
    let repo = base_repo();
    repo.write("config/prod.plaintext.yaml", "x: 1\n");
    repo.write("config/dump.dec", "x\n");
    repo.write("config/a.decrypted.json", "{}\n");
    repo.git(&["add", "-A"]);
    let run = guard(&repo, &[]);
    run.code(1);
    for f in [
        "config/prod.plaintext.yaml",
        "config/dump.dec",
        "config/a.decrypted.json",
    ] {
        assert!(
            run.stderr
                .contains(&format!("{f}: name matches the plaintext pattern")),
            "{f}: {}",
            run.stderr
        );
    }
    // With the defaults switched off and a custom pattern, only that pattern counts.
    let run = guard(
        &repo,
        &["--no-default-patterns", "--plaintext-pattern", "*.dec"],
    );
    run.code(1);
    assert!(run.stderr.contains("config/dump.dec"));
    assert!(
        !run.stderr.contains("prod.plaintext.yaml"),
        "{}",
        run.stderr
    );
}

#[test]
fn decrypted_copies_are_refused() {
    let repo = base_repo();
    // `sops-rs -d` output saved beside the encrypted file.
    let plain = repo.sops_rs(&["decrypt", "secrets/app.yaml"]);
    plain.success();
    repo.write("secrets/app-copy.yml", &plain.stdout);
    repo.git(&["add", "-A"]);
    let run = guard(&repo, &[]);
    run.code(1).does_not_reveal(SECRET);
    assert!(
        run.stderr.contains("secrets/app-copy.yml: ")
            || run.stderr.contains("looks like a decrypted copy"),
        "{}",
        run.stderr
    );

    // Without rules, a copy next to an encrypted file is still found by its keys.
    let repo = Repo::new();
    repo.write_encrypted(
        "conf/app.enc.yaml",
        &format!("password: {SECRET}\nport: 1\n"),
    );
    repo.commit_all("base");
    repo.write("conf/app.yaml", format!("password: {SECRET}\nport: 1\n"));
    repo.git(&["add", "-A"]);
    let run = guard(&repo, &[]);
    run.code(1).does_not_reveal(SECRET);
    assert!(
        run.stderr.contains(
            "conf/app.yaml: looks like a decrypted copy of the encrypted file conf/app.enc.yaml"
        ),
        "{}",
        run.stderr
    );

    // Decrypting a tracked file in place and staging it.
    repo.git(&["reset", "-q"]);
    std::fs::remove_file(repo.path().join("conf/app.yaml")).unwrap();
    let plain = repo.sops_rs(&["decrypt", "conf/app.enc.yaml"]);
    repo.write("conf/app.enc.yaml", &plain.stdout);
    repo.git(&["add", "-A"]);
    let run = guard(&repo, &[]);
    run.code(1).does_not_reveal(SECRET);
    assert!(
        run.stderr.contains(
            "conf/app.enc.yaml: the committed version is encrypted but the staged one is not"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn renames_deletions_spaces_and_non_ascii_names() {
    let repo = base_repo();
    repo.write_encrypted("secrets/to delete.yaml", "k: v\n");
    repo.commit_all("more");
    std::fs::create_dir_all(repo.path().join("secrets/dir with space")).unwrap();
    repo.git(&[
        "mv",
        "secrets/app.yaml",
        "secrets/dir with space/naïve ü.yaml",
    ]);
    repo.git(&["rm", "-q", "secrets/to delete.yaml"]);
    guard(&repo, &[]).success();

    // A plaintext file renamed into the covered tree is reported under its new name.
    repo.write("notes été.yaml", format!("pw: {SECRET}\n"));
    repo.commit_all("plain notes");
    repo.git(&["mv", "notes été.yaml", "secrets/notes été.yaml"]);
    let run = guard(&repo, &[]);
    run.code(1).does_not_reveal(SECRET);
    assert!(
        run.stderr
            .contains("secrets/notes été.yaml: a .sops.yaml creation rule"),
        "{}",
        run.stderr
    );
}

#[test]
fn binary_files_are_not_misread() {
    let repo = base_repo();
    let mut blob: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    blob.extend_from_slice(b"sops\0\xff");
    repo.write("assets/logo.bin", &blob);
    repo.write("assets/data.yaml", &blob);
    repo.git(&["add", "-A"]);
    guard(&repo, &[]).success();
    // Under a rule, a binary file must be a sops binary envelope.
    repo.write("secrets/key.bin", &blob);
    repo.git(&["add", "-A"]);
    let run = guard(&repo, &[]);
    run.code(1);
    assert!(
        run.stderr
            .contains("secrets/key.bin: a .sops.yaml creation rule"),
        "{}",
        run.stderr
    );
}

#[test]
fn file_arguments_check_only_those_files() {
    let repo = base_repo();
    repo.write("secrets/bad.yaml", "pw: x\n");
    repo.write("ok.txt", "fine\n");
    repo.git(&["add", "-A"]);
    guard(&repo, &["ok.txt", "secrets/app.yaml"]).success();
    let run = guard(&repo, &["ok.txt", "secrets/bad.yaml"]);
    run.code(1);
    assert!(run.stderr.contains("secrets/bad.yaml"), "{}", run.stderr);
}

#[test]
fn installed_hook_blocks_a_bad_commit_and_lets_a_good_one_through() {
    let repo = base_repo();
    repo.sops_rs(&["install-hook"]).success();
    repo.write("secrets/leak.yaml", format!("pw: {SECRET}\n"));
    repo.git(&["add", "-A"]);
    let out = repo.git_output(&["commit", "-q", "-m", "leak"]);
    assert!(!out.status.success(), "the commit went through");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("secrets/leak.yaml"), "{err}");
    assert!(!err.contains(SECRET));

    repo.write_encrypted("secrets/leak.yaml", &format!("pw: {SECRET}\n"));
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "encrypted"]);

    // A different existing hook is kept unless --force.
    let hook = repo.path().join(".git/hooks/pre-commit");
    std::fs::write(&hook, "#!/bin/sh\nexit 0\n").unwrap();
    let run = repo.sops_rs(&["install-hook"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\nexit 0\n"
    );
    repo.sops_rs(&["install-hook", "--force"]).success();
    assert!(
        std::fs::read_to_string(&hook)
            .unwrap()
            .contains("pre-commit")
    );
}

#[test]
fn guard_is_fast_on_five_thousand_files() {
    let repo = Repo::new();
    repo.write(".sops.yaml", RULES);
    repo.write_encrypted("secrets/template.yaml", "a: 1\nb: two\n");
    let enc = repo.read("secrets/template.yaml");
    for i in 0..5000 {
        if i % 10 == 0 {
            repo.write(&format!("secrets/s{}/f{i}.yaml", i / 500), &enc);
        } else {
            repo.write(
                &format!("src/m{}/file {i}.yaml", i / 100),
                format!("name: n{i}\nlist: [1, 2]\n"),
            );
        }
    }
    repo.git(&["add", "-A"]);
    let start = std::time::Instant::now();
    guard(&repo, &[]).success();
    let took = start.elapsed();
    eprintln!("guard on 5,001 staged files: {took:?}");
    // A debug build on a shared machine: generous, but catches quadratic behaviour.
    assert!(took.as_secs() < 20, "guard took {took:?}");
}

#[test]
fn runs_from_a_subdirectory() {
    let repo = base_repo();
    repo.write("sub/dir/keep.txt", "x\n");
    repo.write("secrets/bad.yaml", "pw: x\n");
    repo.git(&["add", "-A"]);
    let sub = repo.path().join("sub/dir");
    for args in [
        vec!["pre-commit"],
        vec!["pre-commit", "../../secrets/bad.yaml"],
    ] {
        let out = repo
            .command(repo.bin())
            .current_dir(&sub)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("secrets/bad.yaml: a .sops.yaml creation rule covers this file"),
            "{args:?}: {err}"
        );
    }
}
