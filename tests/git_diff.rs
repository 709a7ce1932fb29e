//! `sops-rs decrypt` as git's textconv driver: `git diff` and `git log -p`
//! (where git hands over a temp file) show the decrypted change.

mod common;
mod git_rig;

use git_rig::Repo;

#[test]
fn textconv_shows_the_decrypted_change() {
    let repo = Repo::new();
    repo.write(
        ".gitattributes",
        "*.enc.yaml diff=sopsdiffer\n*.enc.json diff=sopsdiffer\n",
    );
    let bin = repo.bin();
    repo.git(&[
        "config",
        "diff.sopsdiffer.textconv",
        &format!("'{bin}' decrypt"),
    ]);
    repo.write_encrypted("s p/app.enc.yaml", "user: alice\npassword: old-pw\n");
    repo.write_encrypted("db.enc.json", "{\"port\": 1}\n");
    repo.commit_all("base");
    repo.write_encrypted("s p/app.enc.yaml", "user: alice\npassword: new-pw\n");
    repo.write_encrypted("db.enc.json", "{\"port\": 2}\n");

    // Work tree against the index: git passes the real file for one side, a temp blob for the other.
    let diff = repo.git(&["diff"]);
    assert!(
        diff.contains("-password: old-pw\n+password: new-pw\n"),
        "{diff}"
    );
    assert!(diff.contains("-\t\"port\": 1\n+\t\"port\": 2\n"), "{diff}");
    assert!(!diff.contains("ENC["), "{diff}");

    // History: both sides are temp files.
    repo.commit_all("change");
    let log = repo.git(&["log", "-p", "-1", "--", "s p/app.enc.yaml"]);
    assert!(
        log.contains("-password: old-pw\n+password: new-pw\n"),
        "{log}"
    );
    assert!(!log.contains("ENC["), "{log}");
}

/// Encrypts `plain` as format `ext` into the extension-less `name`.
fn write_encrypted_as(repo: &Repo, name: &str, ext: &str, plain: &str) {
    let tmp = format!("tmp.{ext}");
    repo.write(&tmp, plain);
    let run = repo.sops_rs(&["encrypt", "--age", common::AGE1, &tmp]);
    run.success();
    std::fs::remove_file(repo.path().join(&tmp)).unwrap();
    repo.write(name, &run.stdout);
}

#[test]
fn textconv_subcommand_sniffs_files_without_an_extension() {
    let repo = Repo::new();
    repo.write(".gitattributes", "secrets/* diff=sopstext\n");
    let bin = repo.bin();
    repo.git(&[
        "config",
        "diff.sopstext.textconv",
        &format!("'{bin}' textconv"),
    ]);
    write_encrypted_as(&repo, "secrets/app", "yaml", "pw: old-yaml\n");
    write_encrypted_as(&repo, "secrets/db", "json", "{\"pw\": \"old-json\"}\n");
    write_encrypted_as(&repo, "secrets/env", "env", "PW=old-env\n");
    write_encrypted_as(&repo, "secrets/ini", "ini", "[s]\npw = old-ini\n");
    repo.commit_all("base");
    write_encrypted_as(&repo, "secrets/app", "yaml", "pw: new-yaml\n");
    write_encrypted_as(&repo, "secrets/db", "json", "{\"pw\": \"new-json\"}\n");
    write_encrypted_as(&repo, "secrets/env", "env", "PW=new-env\n");
    write_encrypted_as(&repo, "secrets/ini", "ini", "[s]\npw = new-ini\n");
    repo.commit_all("change");
    let log = repo.git(&["log", "-p", "-1"]);
    for (old, new) in [
        ("-pw: old-yaml", "+pw: new-yaml"),
        ("-\t\"pw\": \"old-json\"", "+\t\"pw\": \"new-json\""),
        ("-PW=old-env", "+PW=new-env"),
        ("-pw = old-ini", "+pw = new-ini"),
    ] {
        assert!(log.contains(&format!("{old}\n{new}\n")), "{old}: {log}");
    }
    assert!(!log.contains("ENC["), "{log}");
    // Plain `decrypt` cannot tell the format of such a file; textconv can.
    assert_ne!(repo.sops_rs(&["decrypt", "secrets/db"]).code, 0);
}
