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
