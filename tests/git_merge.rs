//! The merge driver (`merge=sops`) in real git merges: edits of different keys
//! on two branches merge cleanly into a file both the real sops and sops-rs
//! decrypt, with unchanged ciphertext kept; edits of one key conflict.

mod common;
mod git_rig;

use git_rig::Repo;

const FILE: &str = "app.enc.yaml";
const PLAIN: &str = "a: 1\nb: two\nc:\n    d: x\n    e: [1, 2]\nkeep: same\n";

/// A repository with drivers registered by `install-hook --git-config` and one encrypted file.
fn repo() -> Repo {
    let repo = Repo::new();
    repo.write(".gitattributes", "*.enc.yaml diff=sopsdiffer merge=sops\n");
    repo.sops_rs(&["install-hook", "--git-config"]).success();
    repo.write_encrypted(FILE, PLAIN);
    repo.commit_all("base");
    repo
}

/// `sops set` with the real sops (keeps the data key, as an edit does).
fn set(repo: &Repo, path: &str, value: &str) {
    repo.oracle(&["set", FILE, path, value]).success();
}

fn enc_lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| l.contains("ENC[AES256_GCM"))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn different_keys_merge_cleanly_and_decrypt_with_both_tools() {
    let repo = repo();
    repo.git(&["checkout", "-q", "-b", "feat"]);
    set(&repo, "[\"a\"]", "100");
    repo.git(&["commit", "-q", "-am", "feat: a"]);
    let theirs = repo.read(FILE);
    repo.git(&["checkout", "-q", "main"]);
    set(&repo, "[\"c\"][\"d\"]", "\"y\"");
    repo.git(&["commit", "-q", "-am", "main: c.d"]);
    let ours = repo.read(FILE);

    let out = repo.git_output(&["merge", "-q", "--no-edit", "feat"]);
    assert!(
        out.status.success(),
        "merge failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected =
        "a: 100\nb: two\nc:\n    d: \"y\"\n    e:\n        - 1\n        - 2\nkeep: same\n";
    let oracle = repo.oracle(&["decrypt", FILE]);
    oracle.success();
    assert_eq!(oracle.stdout_text(), expected);
    let ours_dec = repo.sops_rs(&["decrypt", FILE]);
    ours_dec.success();
    assert_eq!(ours_dec.stdout, oracle.stdout);

    // Every ciphertext in the result is one of the parents': unchanged values kept their IVs.
    let merged = repo.read(FILE);
    let parents: Vec<String> = enc_lines(&ours)
        .into_iter()
        .chain(enc_lines(&theirs))
        .collect();
    let data_lines: Vec<String> = enc_lines(&merged)
        .into_iter()
        .filter(|l| !l.starts_with("mac:") && !l.starts_with("enc:"))
        .collect();
    assert!(data_lines.len() >= 5, "{data_lines:?}");
    for l in &data_lines {
        assert!(
            parents.contains(l),
            "new ciphertext for an unchanged value: {l}"
        );
    }
    // The result is committed encrypted and the guard (installed hook) let it through.
    assert!(repo.git(&["status", "--porcelain"]).is_empty());
}

#[test]
fn branches_with_different_data_keys_still_merge() {
    let repo = repo();
    repo.git(&["checkout", "-q", "-b", "feat"]);
    repo.write_encrypted(FILE, &PLAIN.replace("b: two", "b: three"));
    repo.git(&["commit", "-q", "-am", "feat"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.write_encrypted(FILE, &PLAIN.replace("keep: same", "keep: other"));
    repo.git(&["commit", "-q", "-am", "main"]);
    repo.git(&["merge", "-q", "--no-edit", "feat"]);
    let dec = repo.oracle(&["decrypt", FILE]);
    dec.success();
    let text = dec.stdout_text();
    assert!(
        text.contains("b: three\n") && text.contains("keep: other\n"),
        "{text}"
    );
}

#[test]
fn same_key_changed_on_both_sides_is_a_conflict() {
    let repo = repo();
    repo.git(&["checkout", "-q", "-b", "feat"]);
    set(&repo, "[\"a\"]", "\"theirs-value\"");
    set(&repo, "[\"b\"]", "\"only-theirs\"");
    repo.git(&["commit", "-q", "-am", "feat"]);
    repo.git(&["checkout", "-q", "main"]);
    set(&repo, "[\"a\"]", "\"ours-value\"");
    repo.git(&["commit", "-q", "-am", "main"]);

    let out = repo.git_output(&["merge", "--no-edit", "feat"]);
    assert!(!out.status.success(), "a conflicting merge succeeded");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("CONFLICT (sops): app.enc.yaml: [\"a\"]"),
        "{err}"
    );
    let text = String::from_utf8(repo.read(FILE)).unwrap();
    assert!(
        text.contains("<<<<<<< ours (app.enc.yaml)\na: ours-value\n=======\na: theirs-value\n>>>>>>> theirs (app.enc.yaml)\n"),
        "{text}"
    );
    // The non-conflicting change from theirs is in, and the document is clear (no sops block).
    assert!(text.contains("b: only-theirs\n"), "{text}");
    assert!(!text.contains("sops:") && !text.contains("ENC["), "{text}");
    assert!(
        repo.git(&["status", "--porcelain"])
            .contains("UU app.enc.yaml")
    );

    // Committing the clear resolution is refused by the guard.
    repo.write(FILE, "a: ours-value\nb: only-theirs\n");
    repo.git(&["add", FILE]);
    let run = repo.sops_rs(&["pre-commit"]);
    run.code(1).does_not_reveal("ours-value");
    assert!(
        run.stderr
            .contains("app.enc.yaml: the committed version is encrypted"),
        "{}",
        run.stderr
    );
}

#[test]
fn json_and_files_added_on_both_branches_merge() {
    let repo = Repo::new();
    repo.write(".gitattributes", "*.enc.json merge=sops\n");
    repo.sops_rs(&["install-hook", "--git-config"]).success();
    repo.write("README", "x\n");
    repo.commit_all("base");
    // Added on both branches: git passes an empty base.
    repo.git(&["checkout", "-q", "-b", "feat"]);
    repo.write_encrypted("db.enc.json", "{\"host\": \"h\", \"port\": 1}\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "feat"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.write_encrypted("db.enc.json", "{\"host\": \"h\", \"user\": \"u\"}\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "main"]);
    let out = repo.git_output(&["merge", "-q", "--no-edit", "feat"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dec = repo.oracle(&["decrypt", "db.enc.json"]);
    dec.success();
    assert_eq!(
        dec.stdout_text(),
        "{\n\t\"host\": \"h\",\n\t\"user\": \"u\",\n\t\"port\": 1\n}\n"
    );
    assert_eq!(repo.sops_rs(&["decrypt", "db.enc.json"]).stdout, dec.stdout);
}
