//! Where sops-rs finds age identities and recipients, compared with sops:
//! `SOPS_AGE_KEY`, `SOPS_AGE_KEY_FILE`, `SOPS_AGE_KEY_CMD`, the default
//! `$XDG_CONFIG_HOME/sops/age/keys.txt`, ssh keys, `SOPS_AGE_RECIPIENTS`, and
//! the errors for bad keys and recipients.

mod common;

use common::{
    AGE1, AGE2, Sandbox, Tool, assert_bytes_eq, assert_same_failure, assert_same_success, case,
    read, vectors,
};

fn yaml_basic(sb: &Sandbox) -> String {
    sb.copy_in(case("yaml-basic.enc.yaml"), "basic.enc.yaml")
        .to_string_lossy()
        .into_owned()
}

/// Decrypts yaml-basic with both tools in `sb`; both must print the golden text.
fn decrypts(sb: &Sandbox) {
    let file = yaml_basic(sb);
    let (ours, theirs) = sb.run_both(&["decrypt", file.as_str()]);
    assert_same_success(&ours, &theirs);
    assert_bytes_eq(&ours.stdout, &read(case("yaml-basic.dec.yaml")), "decrypt");
}

/// Decrypting yaml-basic fails in `sb` with exit 128 for both tools.
fn refuses(sb: &Sandbox) {
    let file = yaml_basic(sb);
    let (ours, theirs) = sb.run_both(&["decrypt", file.as_str()]);
    ours.code(128).does_not_reveal("world");
    assert_same_failure(&ours, &theirs);
    assert!(ours.stderr.contains(AGE1), "{}", ours.describe());
}

#[test]
fn identity_from_sops_age_key() {
    let mut sb = Sandbox::new();
    sb.use_age_keys(&[1]);
    decrypts(&sb);
}

#[test]
fn identity_among_several_in_sops_age_key() {
    let mut sb = Sandbox::new();
    sb.use_age_keys(&[2, 3, 1]);
    decrypts(&sb);
}

#[test]
fn identity_from_key_file() {
    // Sandbox::new() sets SOPS_AGE_KEY_FILE to age1.
    decrypts(&Sandbox::new());
}

#[test]
fn identity_from_default_location() {
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb.write("home/.config/sops/age/keys.txt", read(common::age_key(1)));
    decrypts(&sb);
}

#[test]
fn identity_from_key_cmd() {
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb.set_env(
        "SOPS_AGE_KEY_CMD",
        format!("cat {}", common::age_key(1).display()),
    );
    decrypts(&sb);
}

#[test]
fn failing_key_cmd_is_reported() {
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb.set_env("SOPS_AGE_KEY_CMD", "false");
    refuses(&sb);
}

#[test]
fn unparsable_key_file_is_reported() {
    let mut sb = Sandbox::new();
    let bad = sb.write("bad.keys", "not an age identity\n");
    sb.set_env("SOPS_AGE_KEY_FILE", bad.display().to_string());
    refuses(&sb);
}

#[test]
fn no_identity_anywhere() {
    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    refuses(&sb);
}

#[test]
fn ssh_ed25519_recipient_and_identity() {
    let data = vectors().join("sops-repo/age-test-data");
    let recipient = String::from_utf8_lossy(&read(data.join("mock_ssh_ed25519_recipient.pub")))
        .trim()
        .to_string();
    let identity = data.join("mock_ssh_ed25519_identity");

    let mut sb = Sandbox::new();
    sb.unset_env("SOPS_AGE_KEY_FILE");
    let plain = sb.write("p.yaml", "token: ssh-protected\n");
    let plain = plain.to_string_lossy();
    let ours = sb.run(Tool::SopsRs, ["-e", "--age", &recipient, plain.as_ref()]);
    ours.success();
    assert!(
        ours.stdout_text().contains(&recipient),
        "{}",
        ours.describe()
    );
    let enc = sb.write("ssh.enc.yaml", &ours.stdout);
    let enc = enc.to_string_lossy();

    // Without the ssh key: refused by both.
    let (o, t) = sb.run_both(&["-d", enc.as_ref()]);
    o.code(128);
    assert_same_failure(&o, &t);

    // With SOPS_AGE_SSH_PRIVATE_KEY_FILE, then with ~/.ssh/id_ed25519.
    sb.set_env(
        "SOPS_AGE_SSH_PRIVATE_KEY_FILE",
        identity.display().to_string(),
    );
    let (o, t) = sb.run_both(&["-d", enc.as_ref()]);
    assert_same_success(&o, &t);
    sb.unset_env("SOPS_AGE_SSH_PRIVATE_KEY_FILE");
    let home_key = sb.write("home/.ssh/id_ed25519", read(&identity));
    std::fs::set_permissions(
        &home_key,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap_or_else(|e| panic!("chmod: {e}"));
    let (o, t) = sb.run_both(&["-d", enc.as_ref()]);
    assert_same_success(&o, &t);
    assert_eq!(o.stdout_text(), "token: ssh-protected\n");
}

#[test]
fn recipients_list_with_spaces() {
    let mut sb = Sandbox::new();
    sb.set_env("SOPS_AGE_RECIPIENTS", format!("{AGE1}, {AGE2}"));
    let plain = sb.write("p.yaml", "a: b\n");
    let plain = plain.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["-e", plain.as_ref()]);
    theirs.success();
    ours.success();
    for recipient in [AGE1, AGE2] {
        assert!(
            ours.stdout_text().contains(recipient),
            "{recipient} missing\n{}",
            ours.describe()
        );
    }
    // Both recipients can open it.
    let enc = sb.write("two.enc.yaml", &ours.stdout);
    let enc = enc.to_string_lossy();
    sb.use_age_keys(&[2]);
    let (o, t) = sb.run_both(&["-d", enc.as_ref()]);
    assert_same_success(&o, &t);
}

#[test]
fn bad_recipients_are_refused() {
    let sb = Sandbox::new();
    let plain = sb.write("p.yaml", "a: b\n");
    let plain = plain.to_string_lossy();
    let mixed_case = format!("{}X", &AGE1[..AGE1.len() - 1]);
    for recipient in ["notarecipient", mixed_case.as_str(), "age1qqqq"] {
        let (ours, theirs) = sb.run_both(&["-e", "--age", recipient, plain.as_ref()]);
        assert_eq!(
            ours.code,
            theirs.code,
            "--age {recipient}\n{}\n{}",
            ours.describe(),
            theirs.describe()
        );
        ours.no_stdout();
    }
}

#[test]
fn no_recipient_at_all() {
    let sb = Sandbox::new();
    let plain = sb.write("p.yaml", "a: b\n");
    let plain = plain.to_string_lossy();
    let (ours, theirs) = sb.run_both(&["-e", plain.as_ref()]);
    ours.code(1);
    assert_same_failure(&ours, &theirs);
}

#[test]
fn decryption_order_flag() {
    let sb = Sandbox::new();
    let file = yaml_basic(&sb);
    for order in ["age", "age,pgp", "pgp,age"] {
        let (ours, theirs) = sb.run_both(&["decrypt", "--decryption-order", order, file.as_str()]);
        assert_same_success(&ours, &theirs);
    }
    let (ours, theirs) = sb.run_both(&["decrypt", "--decryption-order", "age,age", file.as_str()]);
    ours.code(112);
    assert_same_failure(&ours, &theirs);
}
