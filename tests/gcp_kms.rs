//! GCP Cloud KMS master keys end to end against a fake Cloud KMS + OAuth server (`gcp_fake`).
//!
//! Every credential type sops reads (static token, service-account JSON by path, by content
//! and through `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's authorized-user ADC file, the
//! metadata server named by `GCE_METADATA_HOST`) is round-tripped through the sops-rs
//! binary; failures must exit 128 naming the key and the credentials; an unreachable
//! service must fail fast and let an age key of the same file decrypt it. Interop with the
//! real sops 3.11 (which speaks gRPC to cloudkms.googleapis.com with no endpoint
//! override) is tested where it needs no Google service: its files gain GCP keys through
//! sops-rs and decrypt through them, and it reads the files sops-rs writes.

mod common;
mod gcp_fake;

use base64::Engine;
use common::{AGE1, Sandbox, Tool};
use gcp_fake::FakeGcp;
use gcp_fake::grpc::FakeGrpcKms;
use std::time::{Duration, Instant};

const KEY_A: &str = "projects/fake-project/locations/global/keyRings/sops/cryptoKeys/key-a";
const KEY_B: &str = "projects/fake-project/locations/europe-west1/keyRings/sops/cryptoKeys/key-b";
const PLAIN: &str = "db_password: hunter2\nnested:\n    api: key-123\nlist:\n    - one\n    - 2\n";

/// A sandbox that can reach the fake server and has no age identity.
fn sandbox(fake: &FakeGcp) -> Sandbox {
    let mut sb = Sandbox::new();
    sb.set_env("SOPS_GCP_KMS_ENDPOINT", fake.endpoint())
        .set_env("SOPS_AGE_KEY_FILE", "/nonexistent/age.txt");
    sb
}

fn encrypt(sb: &Sandbox, args: &[&str]) -> String {
    sb.write("plain.yaml", PLAIN);
    let mut all = vec!["encrypt"];
    all.extend_from_slice(args);
    all.push("plain.yaml");
    let run = sb.run(Tool::SopsRs, &all);
    run.success();
    run.stdout_text()
}

fn decrypt(sb: &Sandbox, tool: Tool, file: &str) -> common::Run {
    sb.run(tool, ["decrypt", file])
}

/// The `(resource_id, enc)` pairs of the `gcp_kms` entries of an encrypted YAML file.
fn gcp_entries(yaml: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = yaml.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(id) = line.trim_start().strip_prefix("- resource_id: ") {
            let created = lines.next().unwrap_or("").trim().to_string();
            let enc = lines.next().unwrap_or("").trim().to_string();
            assert!(created.starts_with("created_at: \""), "{yaml}");
            let enc = enc
                .strip_prefix("enc: ")
                .unwrap_or_else(|| panic!("{yaml}"));
            out.push((id.to_string(), enc.to_string()));
        }
    }
    out
}

#[test]
fn static_access_token_round_trip_and_metadata_layout() {
    let fake = FakeGcp::start(&[KEY_A]);
    let mut sb = sandbox(&fake);
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", gcp_fake::STATIC_TOKEN);
    let enc = encrypt(&sb, &["--gcp-kms", KEY_A]);
    // sops's layout: one flat group, entry fields resource_id, created_at, enc (spec §4.1).
    let start = enc.find("sops:\n").unwrap();
    let meta = &enc[start..];
    assert!(
        meta.starts_with("sops:\n    gcp_kms:\n        - resource_id: "),
        "{meta}"
    );
    assert!(meta.find("    gcp_kms:").unwrap() < meta.find("    lastmodified:").unwrap());
    let entries = gcp_entries(&enc);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0, KEY_A);
    // enc is the standard base64 of exactly the ciphertext bytes the service returned.
    let ct = base64::engine::general_purpose::STANDARD
        .decode(&entries[0].1)
        .unwrap();
    assert!(ct.starts_with(format!("fake:{KEY_A}:").as_bytes()));
    assert_eq!(ct.len(), format!("fake:{KEY_A}:").len() + 32);

    sb.write("secret.enc.yaml", &enc);
    let out = decrypt(&sb, Tool::SopsRs, "secret.enc.yaml");
    out.success();
    assert_eq!(out.stdout_text(), PLAIN);
    assert_eq!(
        fake.kms_requests(),
        vec![format!("encrypt {KEY_A}"), format!("decrypt {KEY_A}")]
    );
    assert!(fake.token_requests().is_empty());
    fake.assert_clean();
}

#[test]
fn service_account_by_path_content_and_adc_variable() {
    let fake = FakeGcp::start(&[KEY_A, KEY_B]);
    let mut sb = sandbox(&fake);
    let sa = sb.write("sa.json", fake.service_account_json());
    sb.set_env("GOOGLE_CREDENTIALS", sa.display().to_string());
    // Two keys, one process: one token, reused.
    let enc = encrypt(&sb, &["--gcp-kms", &format!("{KEY_A},{KEY_B}")]);
    assert_eq!(
        fake.token_requests().len(),
        1,
        "{:?}",
        fake.token_requests()
    );
    assert_eq!(
        gcp_entries(&enc)
            .iter()
            .map(|e| e.0.as_str())
            .collect::<Vec<_>>(),
        [KEY_A, KEY_B]
    );
    sb.write("secret.enc.yaml", &enc);
    decrypt(&sb, Tool::SopsRs, "secret.enc.yaml").success();

    sb.set_env("GOOGLE_CREDENTIALS", fake.service_account_json());
    let out = decrypt(&sb, Tool::SopsRs, "secret.enc.yaml");
    out.success();
    assert_eq!(out.stdout_text(), PLAIN);

    sb.unset_env("GOOGLE_CREDENTIALS");
    sb.set_env("GOOGLE_APPLICATION_CREDENTIALS", sa.display().to_string());
    assert_eq!(
        decrypt(&sb, Tool::SopsRs, "secret.enc.yaml").stdout_text(),
        PLAIN
    );
    assert!(
        fake.token_requests()
            .iter()
            .all(|g| g == "urn:ietf:params:oauth:grant-type:jwt-bearer")
    );
    // One token per process: encrypt, then three decrypting runs.
    assert_eq!(fake.token_requests().len(), 4);
    fake.assert_clean();
}

#[test]
fn authorized_user_from_gcloud_well_known_file_and_env_ids() {
    let fake = FakeGcp::start(&[KEY_A]);
    let mut sb = sandbox(&fake);
    sb.write(
        "home/.config/gcloud/application_default_credentials.json",
        fake.authorized_user_json(),
    );
    // SOPS_GCP_KMS_IDS is the default for --gcp-kms.
    sb.set_env("SOPS_GCP_KMS_IDS", KEY_A);
    let enc = encrypt(&sb, &[]);
    assert_eq!(gcp_entries(&enc).len(), 1);
    sb.unset_env("SOPS_GCP_KMS_IDS");
    sb.write("secret.enc.yaml", &enc);
    assert_eq!(
        decrypt(&sb, Tool::SopsRs, "secret.enc.yaml").stdout_text(),
        PLAIN
    );
    assert_eq!(fake.token_requests(), ["refresh_token", "refresh_token"]);
    fake.assert_clean();
    // The quota project header is really checked: another project is refused.
    sb.set_env("GOOGLE_CLOUD_QUOTA_PROJECT", "someone-else");
    decrypt(&sb, Tool::SopsRs, "secret.enc.yaml").code(128);
    assert!(
        fake.problems()
            .iter()
            .any(|p| p.contains("without x-goog-user-project")),
        "{:?}",
        fake.problems()
    );
}

#[test]
fn metadata_server_named_by_gce_metadata_host() {
    let fake = FakeGcp::start(&[KEY_A]);
    let mut sb = sandbox(&fake);
    sb.set_env("GCE_METADATA_HOST", fake.addr.clone());
    let enc = encrypt(&sb, &["--gcp-kms", KEY_A]);
    sb.write("secret.enc.yaml", &enc);
    assert_eq!(
        decrypt(&sb, Tool::SopsRs, "secret.enc.yaml").stdout_text(),
        PLAIN
    );
    assert_eq!(fake.token_requests(), ["metadata", "metadata"]);
    fake.assert_clean();
}

#[test]
fn wrong_credentials_exit_128_naming_key_and_credentials() {
    let fake = FakeGcp::start(&[KEY_A]);
    let mut sb = sandbox(&fake);
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", gcp_fake::STATIC_TOKEN);
    let enc = encrypt(&sb, &["--gcp-kms", KEY_A]);
    sb.write("secret.enc.yaml", &enc);

    // A token the service does not accept.
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.expired");
    let out = decrypt(&sb, Tool::SopsRs, "secret.enc.yaml");
    out.code(128).no_stdout().does_not_reveal("hunter2");
    let err = out.stderr.replace("\n      | ", " ");
    for want in [
        "Failed to get the data key required to decrypt the SOPS file.",
        KEY_A,
        "UNAUTHENTICATED (HTTP 401)",
        "GOOGLE_OAUTH_ACCESS_TOKEN",
    ] {
        assert!(err.contains(want), "missing {want:?} in\n{}", out.stderr);
    }

    // A known token without permission on the key.
    fake.deny(gcp_fake::DENIED_TOKEN);
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", gcp_fake::DENIED_TOKEN);
    let out = decrypt(&sb, Tool::SopsRs, "secret.enc.yaml");
    out.code(128);
    let err = out.stderr.replace("\n      | ", " ");
    assert!(
        err.contains("PERMISSION_DENIED (HTTP 403)"),
        "{}",
        out.stderr
    );
    assert!(
        err.contains("roles/cloudkms.cryptoKeyEncrypterDecrypter"),
        "{}",
        out.stderr
    );

    // A service account the token endpoint refuses.
    sb.unset_env("GOOGLE_OAUTH_ACCESS_TOKEN");
    sb.set_env(
        "GOOGLE_CREDENTIALS",
        gcp_fake::unknown_service_account_json(&fake.token_uri()),
    );
    let out = decrypt(&sb, Tool::SopsRs, "secret.enc.yaml");
    out.code(128);
    let err = out.stderr.replace("\n      | ", " ");
    assert!(err.contains("invalid_grant"), "{}", out.stderr);
    assert!(
        err.contains("intruder@other-project.iam.gserviceaccount.com"),
        "{}",
        out.stderr
    );

    // A key that does not exist: encrypt fails with sops's message, exit 1.
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", gcp_fake::STATIC_TOKEN);
    sb.unset_env("GOOGLE_CREDENTIALS");
    let missing = "projects/fake-project/locations/global/keyRings/sops/cryptoKeys/nope";
    sb.write("plain.yaml", PLAIN);
    let out = sb.run(
        Tool::SopsRs,
        ["encrypt", "--gcp-kms", missing, "plain.yaml"],
    );
    out.code(1).no_stdout();
    assert!(
        out.stderr.contains(&format!(
            "Could not generate data key: [failed to encrypt new data key with master key \"{missing}\": failed to encrypt sops data key with GCP KMS key: NOT_FOUND (HTTP 404)"
        )),
        "{}",
        out.stderr
    );

    // No credentials at all: named sources, and no metadata server probe.
    sb.unset_env("GOOGLE_OAUTH_ACCESS_TOKEN");
    let out = decrypt(&sb, Tool::SopsRs, "secret.enc.yaml");
    out.code(128);
    let err = out.stderr.replace("\n      | ", " ");
    assert!(
        err.contains("cannot create GCP KMS service: google: could not find default credentials"),
        "{}",
        out.stderr
    );
    fake.assert_clean();
}

#[test]
fn invalid_resource_id_is_refused_with_sops_message() {
    let fake = FakeGcp::start(&[KEY_A]);
    let mut sb = sandbox(&fake);
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", gcp_fake::STATIC_TOKEN);
    sb.write("plain.yaml", PLAIN);
    let out = sb.run(
        Tool::SopsRs,
        [
            "encrypt",
            "--gcp-kms",
            "projects/p/keyRings/r",
            "plain.yaml",
        ],
    );
    out.code(1);
    assert!(
        out.stderr.contains(
            "failed to encrypt new data key with master key \"projects/p/keyRings/r\": cannot create GCP KMS service: no valid resource ID found in \"projects/p/keyRings/r\""
        ),
        "{}",
        out.stderr
    );
    assert!(fake.kms_requests().is_empty());
}

#[test]
fn server_down_fails_fast_and_falls_through_to_age() {
    let fake = FakeGcp::start(&[KEY_A]);
    let mut sb = sandbox(&fake);
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", gcp_fake::STATIC_TOKEN);
    let enc = encrypt(&sb, &["--gcp-kms", KEY_A, "--age", AGE1]);
    sb.write("secret.enc.yaml", &enc);
    let endpoint = fake.endpoint();
    drop(fake);

    // GCP first: it fails (connection refused), then age decrypts.
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    let started = Instant::now();
    let out = sb.run(
        Tool::SopsRs,
        [
            "decrypt",
            "--decryption-order",
            "gcp_kms,age",
            "secret.enc.yaml",
        ],
    );
    out.success();
    assert_eq!(out.stdout_text(), PLAIN);
    assert!(started.elapsed() < Duration::from_secs(15));

    // Without the age identity the report names the endpoint and the key.
    sb.set_env("SOPS_AGE_KEY_FILE", "/nonexistent/age.txt");
    let started = Instant::now();
    let out = decrypt(&sb, Tool::SopsRs, "secret.enc.yaml");
    out.code(128);
    assert!(started.elapsed() < Duration::from_secs(15));
    let err = out.stderr.replace("\n      | ", " ");
    assert!(err.contains(KEY_A), "{}", out.stderr);
    assert!(
        err.contains(&format!("{endpoint}/v1/{KEY_A}:decrypt")),
        "{}",
        out.stderr
    );
    assert!(err.contains("SOPS_GCP_KMS_ENDPOINT"), "{}", out.stderr);

    // A server that accepts and never answers: bounded by the request timeout (20 s).
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    sb.set_env(
        "SOPS_GCP_KMS_ENDPOINT",
        format!("http://{}", silent.local_addr().unwrap()),
    );
    std::thread::spawn(move || {
        let held: Vec<_> = silent.incoming().take(4).collect();
        std::thread::sleep(Duration::from_secs(60));
        drop(held);
    });
    let started = Instant::now();
    let out = decrypt(&sb, Tool::SopsRs, "secret.enc.yaml");
    out.code(128);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(15) && took < Duration::from_secs(40),
        "{took:?}\n{}",
        out.describe()
    );
}

#[test]
fn shamir_groups_with_gcp_keys() {
    let fake = FakeGcp::start(&[KEY_A, KEY_B]);
    let mut sb = sandbox(&fake);
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", gcp_fake::STATIC_TOKEN);
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - gcp_kms:\n          - resource_id: {KEY_A}\n      - gcp_kms:\n          - resource_id: {KEY_B}\n      - age:\n          - {AGE1}\n"
        ),
    );
    let enc = encrypt(&sb, &[]);
    assert!(
        enc.contains("    shamir_threshold: 2\n    key_groups:\n"),
        "{enc}"
    );
    assert!(
        enc.contains("        - gcp_kms:\n            - resource_id: "),
        "{enc}"
    );
    sb.write("secret.enc.yaml", &enc);
    // Both GCP groups: enough without age.
    assert_eq!(
        decrypt(&sb, Tool::SopsRs, "secret.enc.yaml").stdout_text(),
        PLAIN
    );
    // Shares (33 bytes) were wrapped, one per group.
    let plaintexts = fake.kms_requests();
    assert_eq!(plaintexts.len(), 4, "{plaintexts:?}");
    // Only one GCP group reachable (token denied for nothing, key B removed): one share + age.
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.unknown");
    let out = decrypt(&sb, Tool::SopsRs, "secret.enc.yaml");
    out.code(128);
    assert!(
        out.stderr
            .contains("only 1 part(s) were successfully recovered"),
        "{}",
        out.stderr
    );
    fake.assert_clean();

    // The real sops reads the layout: with age and no Google access it recovers only one share.
    let theirs = oracle_offline(&mut sb, &["decrypt", "secret.enc.yaml"]);
    theirs.code(128);
    assert!(
        theirs
            .stderr
            .contains("only 1 part(s) were successfully recovered")
            && theirs.stderr.contains(KEY_A)
            && theirs.stderr.contains(KEY_B),
        "{}",
        theirs.describe()
    );
}

/// Runs the real sops so that its GCP keys fail at once without any network access:
/// unusable `GOOGLE_CREDENTIALS` make its Cloud KMS client fail before dialing
/// (it has no endpoint override, so it could only reach Google itself).
fn oracle_offline(sb: &mut Sandbox, args: &[&str]) -> common::Run {
    sb.set_env("GOOGLE_CREDENTIALS", "{\"type\":\"offline-test\"}");
    let run = sb.run(Tool::Oracle, args);
    sb.unset_env("GOOGLE_CREDENTIALS");
    run
}

#[test]
fn updatekeys_adds_gcp_to_a_file_written_by_real_sops() {
    let fake = FakeGcp::start(&[KEY_A]);
    let mut sb = sandbox(&fake);
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", gcp_fake::STATIC_TOKEN);
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    // The real sops encrypts with age.
    sb.write(".sops.yaml", format!("creation_rules:\n  - age: {AGE1}\n"));
    sb.write("plain.yaml", PLAIN);
    let theirs = sb.run(Tool::Oracle, ["encrypt", "plain.yaml"]);
    theirs.success();
    sb.write("secret.enc.yaml", &theirs.stdout);
    let expected = decrypt(&sb, Tool::Oracle, "secret.enc.yaml");
    expected.success();

    // The rule gains a GCP key; sops-rs re-wraps the same data key.
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n  - age: {AGE1}\n    gcp_kms: {KEY_A}\n"),
    );
    let out = sb.run(Tool::SopsRs, ["updatekeys", "-y", "secret.enc.yaml"]);
    out.success();
    let updated = String::from_utf8(common::read(sb.path().join("secret.enc.yaml"))).unwrap();
    assert_eq!(gcp_entries(&updated).len(), 1);
    // Values untouched: the data key did not change.
    let value_line = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("db_password:"))
            .unwrap()
            .to_string()
    };
    assert_eq!(value_line(&updated), value_line(&theirs.stdout_text()));

    // sops-rs decrypts the real sops's values through the GCP key alone, byte-identical.
    sb.set_env("SOPS_AGE_KEY_FILE", "/nonexistent/age.txt");
    let ours = decrypt(&sb, Tool::SopsRs, "secret.enc.yaml");
    ours.success();
    common::assert_bytes_eq(&ours.stdout, &expected.stdout, "GCP-decrypted output");
    // The real sops still decrypts the file sops-rs rewrote (through age).
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    let again = oracle_offline(&mut sb, &["decrypt", "secret.enc.yaml"]);
    again.success();
    common::assert_bytes_eq(
        &again.stdout,
        &expected.stdout,
        "oracle output after updatekeys",
    );

    // Dropping the GCP key from the rule removes it again.
    sb.write(".sops.yaml", format!("creation_rules:\n  - age: {AGE1}\n"));
    sb.run(Tool::SopsRs, ["updatekeys", "-y", "secret.enc.yaml"])
        .success();
    let after = String::from_utf8(common::read(sb.path().join("secret.enc.yaml"))).unwrap();
    assert!(!after.contains("gcp_kms"), "{after}");
    fake.assert_clean();
}

#[test]
fn rotate_add_and_remove_gcp_and_groups_add() {
    let fake = FakeGcp::start(&[KEY_A, KEY_B]);
    let mut sb = sandbox(&fake);
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", gcp_fake::STATIC_TOKEN);
    let enc = encrypt(&sb, &["--gcp-kms", KEY_A]);
    sb.write("secret.enc.yaml", &enc);

    let out = sb.run(
        Tool::SopsRs,
        ["rotate", "-i", "--add-gcp-kms", KEY_B, "secret.enc.yaml"],
    );
    out.success();
    let rotated = String::from_utf8(common::read(sb.path().join("secret.enc.yaml"))).unwrap();
    let ids: Vec<String> = gcp_entries(&rotated).into_iter().map(|e| e.0).collect();
    assert_eq!(ids, [KEY_A, KEY_B]);

    let out = sb.run(
        Tool::SopsRs,
        ["rotate", "-i", "--rm-gcp-kms", KEY_A, "secret.enc.yaml"],
    );
    out.success();
    let rotated = String::from_utf8(common::read(sb.path().join("secret.enc.yaml"))).unwrap();
    let ids: Vec<String> = gcp_entries(&rotated).into_iter().map(|e| e.0).collect();
    assert_eq!(ids, [KEY_B]);
    assert_eq!(
        decrypt(&sb, Tool::SopsRs, "secret.enc.yaml").stdout_text(),
        PLAIN
    );

    // A second key group with a GCP key.
    let out = sb.run(
        Tool::SopsRs,
        [
            "groups",
            "add",
            "-i",
            "--file",
            "secret.enc.yaml",
            "--gcp-kms",
            KEY_A,
        ],
    );
    out.success();
    let grouped = String::from_utf8(common::read(sb.path().join("secret.enc.yaml"))).unwrap();
    assert!(grouped.contains("key_groups:"), "{grouped}");
    assert_eq!(gcp_entries(&grouped).len(), 2);
    assert_eq!(
        decrypt(&sb, Tool::SopsRs, "secret.enc.yaml").stdout_text(),
        PLAIN
    );
    fake.assert_clean();
}

#[test]
fn real_sops_reads_files_sops_rs_wrote_with_gcp_keys() {
    let fake = FakeGcp::start(&[KEY_A]);
    let mut sb = sandbox(&fake);
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", gcp_fake::STATIC_TOKEN);
    for (name, extra) in [("a.enc.yaml", None), ("b.enc.json", Some("json"))] {
        let mut args = vec!["--gcp-kms", KEY_A, "--age", AGE1];
        if let Some(t) = extra {
            args.extend(["--output-type", t]);
        }
        let enc = encrypt(&sb, &args);
        sb.write(name, &enc);
        // The real sops: age decrypts (age is tried first), the GCP entry is accepted.
        sb.set_env(
            "SOPS_AGE_KEY_FILE",
            common::age_key(1).display().to_string(),
        );
        let theirs = oracle_offline(&mut sb, &["decrypt", name]);
        theirs.success();
        let ours = decrypt(&sb, Tool::SopsRs, name);
        ours.success();
        common::assert_bytes_eq(&ours.stdout, &theirs.stdout, name);
        // Without age the real sops lists the GCP key in its report.
        sb.set_env("SOPS_AGE_KEY_FILE", "/nonexistent/age.txt");
        let theirs = oracle_offline(&mut sb, &["decrypt", name]);
        theirs.code(128);
        assert!(theirs.stderr.contains(KEY_A), "{}", theirs.describe());
        // sops-rs decrypts through the GCP key alone.
        assert_eq!(decrypt(&sb, Tool::SopsRs, name).code, 0);
    }
    fake.assert_clean();
}

#[test]
fn files_without_gcp_keys_never_start_gcp() {
    use sops_rs::keys::environment::Environment;
    use sops_rs::keys::{DecryptionOrder, KeyGroup, MasterKey, recover_data_key_with};
    // age first and successful: the GCP key after it is never touched.
    let mut groups = vec![KeyGroup {
        keys: vec![
            MasterKey::Age(sops_rs::keys::age::AgeKey::new(AGE1).unwrap()),
            MasterKey::GcpKms(sops_rs::keys::gcpkms::GcpKmsKey::new(KEY_A)),
        ],
    }];
    let data_key = sops_rs::datakey::DataKey::generate().unwrap();
    if let Some(MasterKey::Age(k)) = groups[0].keys.get_mut(0) {
        k.encrypt(data_key.as_bytes()).unwrap();
    }
    let env = Environment::from_vars([
        ("HOME", "/nonexistent"),
        ("SOPS_AGE_KEY_FILE", common::age_key(1).to_str().unwrap()),
    ]);
    let got = recover_data_key_with(&groups, 0, &DecryptionOrder::default(), &env).unwrap();
    assert_eq!(got.as_bytes(), data_key.as_bytes());
    assert!(!sops_rs::keys::gcpkms::gcp_started());
}

/// Runs the real sops with its gRPC traffic for cloudkms.googleapis.com sent to `grpc`
/// (the loopback CONNECT proxy that is itself the fake Cloud KMS) and the test CA trusted.
fn oracle_via_grpc(sb: &mut Sandbox, grpc: &FakeGrpcKms, args: &[&str]) -> common::Run {
    sb.set_env("HTTPS_PROXY", grpc.proxy_url.clone())
        .set_env("https_proxy", grpc.proxy_url.clone())
        .set_env("SSL_CERT_FILE", gcp_fake::grpc::CA_FILE);
    let run = sb.run(Tool::Oracle, args);
    sb.unset_env("HTTPS_PROXY")
        .unset_env("https_proxy")
        .unset_env("SSL_CERT_FILE");
    run
}

#[test]
fn real_sops_over_grpc_and_sops_rs_over_rest_share_files_both_ways() {
    let rest = FakeGcp::start(&[KEY_A, KEY_B]);
    let grpc = FakeGrpcKms::start(&[KEY_A, KEY_B]);
    let mut sb = sandbox(&rest);
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", gcp_fake::STATIC_TOKEN);

    // The real sops encrypts for two GCP keys (gRPC Encrypt); sops-rs decrypts (REST).
    sb.write("plain.yaml", PLAIN);
    let theirs = oracle_via_grpc(
        &mut sb,
        &grpc,
        &[
            "encrypt",
            "--gcp-kms",
            &format!("{KEY_A},{KEY_B}"),
            "plain.yaml",
        ],
    );
    theirs.success();
    assert_eq!(
        grpc.log(),
        [format!("Encrypt {KEY_A}"), format!("Encrypt {KEY_B}")]
    );
    let their_file = theirs.stdout_text();
    assert_eq!(gcp_entries(&their_file).len(), 2);
    sb.write("theirs.enc.yaml", &their_file);
    let ours = decrypt(&sb, Tool::SopsRs, "theirs.enc.yaml");
    ours.success();
    let reference = oracle_via_grpc(&mut sb, &grpc, &["decrypt", "theirs.enc.yaml"]);
    reference.success();
    common::assert_bytes_eq(
        &ours.stdout,
        &reference.stdout,
        "sops-rs vs sops on sops's file",
    );
    assert_eq!(ours.stdout_text(), PLAIN);

    // sops-rs encrypts (REST Encrypt) in YAML and JSON; the real sops decrypts (gRPC Decrypt).
    for (name, args) in [
        ("ours.enc.yaml", vec!["--gcp-kms", KEY_B]),
        (
            "ours.enc.json",
            vec!["--gcp-kms", KEY_A, "--output-type", "json"],
        ),
    ] {
        let enc = encrypt(&sb, &args);
        sb.write(name, &enc);
        let theirs = oracle_via_grpc(&mut sb, &grpc, &["decrypt", name]);
        theirs.success();
        let ours = decrypt(&sb, Tool::SopsRs, name);
        ours.success();
        common::assert_bytes_eq(&ours.stdout, &theirs.stdout, name);
    }
    assert!(grpc.log().contains(&format!("Decrypt {KEY_B}")));

    // The real sops rotates sops-rs's JSON file and adds a key; sops-rs opens it through that key.
    oracle_via_grpc(
        &mut sb,
        &grpc,
        &["rotate", "-i", "--add-gcp-kms", KEY_B, "ours.enc.json"],
    )
    .success();
    let rotated = String::from_utf8(common::read(sb.path().join("ours.enc.json"))).unwrap();
    assert!(
        rotated.contains(KEY_A) && rotated.contains(KEY_B),
        "{rotated}"
    );
    // A service that only has key B: key A fails (404), key B must open the file.
    let only_b = FakeGcp::start(&[KEY_B]);
    sb.set_env("SOPS_GCP_KMS_ENDPOINT", only_b.endpoint());
    let ours = sb.run(
        Tool::SopsRs,
        [
            "decrypt",
            "--decryption-order",
            "gcp_kms",
            "--output-type",
            "yaml",
            "ours.enc.json",
        ],
    );
    ours.success();
    assert_eq!(ours.stdout_text(), PLAIN);
    assert_eq!(only_b.kms_requests(), [format!("decrypt {KEY_B}")]);
    sb.set_env("SOPS_GCP_KMS_ENDPOINT", rest.endpoint());

    // dotenv (flattened metadata keys `sops_gcp_kms__list_0__map_…`), both directions.
    sb.write("plain.env", "DB_PASSWORD=hunter2\nAPI=key-123\n");
    let theirs = oracle_via_grpc(
        &mut sb,
        &grpc,
        &["encrypt", "--gcp-kms", KEY_A, "plain.env"],
    );
    theirs.success();
    assert!(
        theirs
            .stdout_text()
            .contains(&format!("sops_gcp_kms__list_0__map_resource_id={KEY_A}\n")),
        "{}",
        theirs.stdout_text()
    );
    sb.write("theirs.enc.env", &theirs.stdout);
    let ours = decrypt(&sb, Tool::SopsRs, "theirs.enc.env");
    ours.success();
    assert_eq!(ours.stdout_text(), "DB_PASSWORD=hunter2\nAPI=key-123\n");
    let mine = sb.run(Tool::SopsRs, ["encrypt", "--gcp-kms", KEY_B, "plain.env"]);
    mine.success();
    sb.write("ours.enc.env", &mine.stdout);
    let theirs = oracle_via_grpc(&mut sb, &grpc, &["decrypt", "ours.enc.env"]);
    theirs.success();
    assert_eq!(theirs.stdout_text(), "DB_PASSWORD=hunter2\nAPI=key-123\n");

    // A token the service refuses: both fail with exit 128 and name the key.
    sb.set_env("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.revoked");
    let theirs = oracle_via_grpc(&mut sb, &grpc, &["decrypt", "ours.enc.yaml"]);
    theirs.code(128);
    assert!(
        theirs.stderr.contains("Unauthenticated") && theirs.stderr.contains(KEY_B),
        "{}",
        theirs.describe()
    );
    let ours = decrypt(&sb, Tool::SopsRs, "ours.enc.yaml");
    ours.code(128);
    assert!(ours.stderr.contains(KEY_B), "{}", ours.describe());
    grpc.assert_clean();
    rest.assert_clean();
}
