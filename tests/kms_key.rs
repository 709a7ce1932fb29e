//! KMS master keys against a real KMS API server (moto on 127.0.0.1).
//!
//! The AWS SDK reads its settings from the process environment, and setting
//! variables in a running multi-threaded test process is unsound, so each test
//! re-runs itself in a child process with exactly the environment it needs
//! (`SOPS_RS_KMS_CHILD` set) and the child does the KMS work. A fresh process
//! per case also exercises the once-per-process client set-up.

mod common;

use common::moto::{ACCOUNT, Moto, free_port};
use sops_rs::keys::kms::{KmsKey, parse_encryption_context};
use sops_rs::tree::{Map, Value};
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD: &str = "SOPS_RS_KMS_CHILD";
const DATA_KEY: [u8; 32] = *b"0123456789abcdef0123456789ABCDEF";

fn is_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("child test needs {name}"))
}

/// Runs the test `name` again in a child process with only `env` (plus PATH and
/// a throwaway HOME) and fails if it fails; returns its combined output.
fn run_child(name: &str, env: &[(String, String)]) -> String {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("no test executable: {e}"));
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env_clear()
        .env(CHILD, "1")
        .env("HOME", home.path())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null());
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot re-run {name}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("child run of {name}:\n{text}");
    assert!(
        out.status.success() && text.contains("1 passed"),
        "child run of {name} failed:\n{text}"
    );
    text
}

fn with(mut env: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    for (k, v) in extra {
        env.retain(|(key, _)| key != k);
        env.push((k.to_string(), v.to_string()));
    }
    env
}

fn without(mut env: Vec<(String, String)>, names: &[&str]) -> Vec<(String, String)> {
    env.retain(|(k, _)| !names.contains(&k.as_str()));
    env
}

/// Encrypts the data key with `key`, reloads the entry from its metadata and decrypts it.
fn round_trip(key: &mut KmsKey) -> Map {
    key.encrypt(&DATA_KEY)
        .unwrap_or_else(|e| panic!("encrypt failed: {e}"));
    let meta = key.to_metadata();
    let reloaded = KmsKey::from_metadata(&meta).unwrap_or_else(|e| panic!("reload: {e}"));
    let plain = reloaded
        .decrypt()
        .unwrap_or_else(|e| panic!("decrypt failed: {e}"));
    assert_eq!(&plain[..], &DATA_KEY[..]);
    meta
}

fn str_field(meta: &Map, key: &str) -> String {
    match meta.get(key) {
        Some(Value::Str(s)) => s.to_string(),
        _ => panic!("{key} is not a string"),
    }
}

#[test]
fn round_trip_without_context() {
    if is_child() {
        let mut key = KmsKey::new(&var("TEST_ARN"), BTreeMap::new(), "");
        let meta = round_trip(&mut key);
        assert!(meta.get("context").is_none() && meta.get("role").is_none());
        assert_eq!(str_field(&meta, "aws_profile"), "");
        assert!(!str_field(&meta, "enc").is_empty());
        return;
    }
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    run_child(
        "round_trip_without_context",
        &with(moto.env(), &[("TEST_ARN", &arn)]),
    );
}

/// A library caller inside its own tokio runtime can still use KMS keys.
#[test]
fn works_when_called_from_inside_a_tokio_runtime() {
    if is_child() {
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        outer.block_on(async {
            let mut key = KmsKey::new(&var("TEST_ARN"), BTreeMap::new(), "");
            round_trip(&mut key);
        });
        return;
    }
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    run_child(
        "works_when_called_from_inside_a_tokio_runtime",
        &with(moto.env(), &[("TEST_ARN", &arn)]),
    );
}

#[test]
fn round_trip_with_context_and_alias() {
    if is_child() {
        let context = parse_encryption_context("env:prod,app:web").unwrap();
        let mut key = KmsKey::new(&var("TEST_ARN"), context, "");
        let meta = round_trip(&mut key);
        let Some(Value::Map(ctx)) = meta.get("context") else {
            panic!("no context")
        };
        assert!(ctx.get("app") == Some(&Value::str("web")));
        return;
    }
    let moto = Moto::start();
    let key = moto.create_key("us-east-2");
    let alias = moto.create_alias("us-east-2", &key, "sops-test");
    // AWS_REGION must not matter: the region comes from the ARN.
    let env = with(
        moto.env(),
        &[("TEST_ARN", &alias), ("AWS_REGION", "ap-south-1")],
    );
    run_child("round_trip_with_context_and_alias", &env);
}

#[test]
fn round_trip_with_role_goes_through_sts() {
    if is_child() {
        let spec = format!(
            "{} + arn:aws:iam::{ACCOUNT}:role/sops-role",
            var("TEST_ARN")
        );
        let mut key = KmsKey::new(&spec, BTreeMap::new(), "");
        assert_eq!(key.role(), format!("arn:aws:iam::{ACCOUNT}:role/sops-role"));
        if std::env::var_os("EXPECT_STS_DOWN").is_some() {
            let err = key.encrypt(&DATA_KEY).unwrap_err().to_string();
            eprintln!("error as reported: {err}");
            assert!(err.contains("failed to assume role"), "{err}");
            assert!(err.contains(&var("TEST_ARN")), "{err}");
            return;
        }
        let meta = round_trip(&mut key);
        assert_eq!(
            str_field(&meta, "role"),
            format!("arn:aws:iam::{ACCOUNT}:role/sops-role")
        );
        return;
    }
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    run_child(
        "round_trip_with_role_goes_through_sts",
        &with(moto.env(), &[("TEST_ARN", &arn)]),
    );
    // STS pointed elsewhere breaks only the role: proof that AssumeRole is called
    // and that AWS_ENDPOINT_URL_STS is honoured.
    let closed = format!("http://127.0.0.1:{}", free_port());
    run_child(
        "round_trip_with_role_goes_through_sts",
        &with(
            moto.env(),
            &[
                ("TEST_ARN", &arn),
                ("AWS_ENDPOINT_URL_STS", &closed),
                ("EXPECT_STS_DOWN", "1"),
            ],
        ),
    );
}

#[test]
fn service_specific_endpoint_variable_is_honoured() {
    if is_child() {
        let mut key = KmsKey::new(&var("TEST_ARN"), BTreeMap::new(), "");
        round_trip(&mut key);
        return;
    }
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    let env = with(
        without(moto.env(), &["AWS_ENDPOINT_URL"]),
        &[("AWS_ENDPOINT_URL_KMS", &moto.url()), ("TEST_ARN", &arn)],
    );
    run_child("service_specific_endpoint_variable_is_honoured", &env);
}

/// HTTP_PROXY is honoured as sops honours it: a dead proxy breaks the call,
/// NO_PROXY for the endpoint host bypasses it again.
#[test]
fn proxy_variables_are_honoured() {
    if is_child() {
        let mut key = KmsKey::new(&var("TEST_ARN"), BTreeMap::new(), "");
        if std::env::var_os("NO_PROXY").is_some() {
            round_trip(&mut key);
        } else {
            let err = key.encrypt(&DATA_KEY).unwrap_err().to_string();
            eprintln!("error as reported: {err}");
        }
        return;
    }
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    let dead = format!("http://127.0.0.1:{}", free_port());
    let env = with(moto.env(), &[("TEST_ARN", &arn), ("HTTP_PROXY", &dead)]);
    run_child("proxy_variables_are_honoured", &env);
    run_child(
        "proxy_variables_are_honoured",
        &with(env, &[("NO_PROXY", "127.0.0.1")]),
    );
}

#[test]
fn round_trip_with_profile_from_aws_config() {
    if is_child() {
        let mut key = KmsKey::new(&var("TEST_ARN"), BTreeMap::new(), "sopstest");
        let meta = round_trip(&mut key);
        assert_eq!(str_field(&meta, "aws_profile"), "sopstest");
        // The same key through a profile that does not exist fails, naming it.
        let mut missing = KmsKey::new(&var("TEST_ARN"), BTreeMap::new(), "nosuchprofile");
        let err = missing.encrypt(&DATA_KEY).unwrap_err().to_string();
        eprintln!("error as reported: {err}");
        assert!(err.contains("nosuchprofile"), "{err}");
        return;
    }
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    // Credentials only in the profile: the default chain alone has none.
    let config = moto.write_file(
        "profile-config",
        "[profile sopstest]\naws_access_key_id = profilekey\naws_secret_access_key = profilesecret\n",
    );
    let env = with(
        without(moto.env(), &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]),
        &[
            ("AWS_CONFIG_FILE", &config.display().to_string()),
            ("TEST_ARN", &arn),
        ],
    );
    run_child("round_trip_with_profile_from_aws_config", &env);
}

#[test]
fn altered_context_is_refused() {
    if is_child() {
        let context = parse_encryption_context("app:web,env:prod").unwrap();
        let mut key = KmsKey::new(&var("TEST_ARN"), context, "");
        key.encrypt(&DATA_KEY).unwrap();
        let mut meta = key.to_metadata();
        let Some(item) = meta
            .items
            .iter_mut()
            .find(|i| matches!(&i.key, sops_rs::tree::Key::Str(k) if k == "context"))
        else {
            panic!("no context")
        };
        let mut altered = Map::new();
        altered.push("app", Value::str("web"));
        altered.push("env", Value::str("dev"));
        item.value = Value::Map(altered);
        let tampered = KmsKey::from_metadata(&meta).unwrap();
        let err = tampered.decrypt().unwrap_err().to_string();
        eprintln!("error as reported: {err}");
        assert!(err.contains("InvalidCiphertext"), "{err}");
        assert!(err.contains("encryption context"), "{err}");
        assert!(err.contains(&var("TEST_ARN")), "{err}");
        return;
    }
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    run_child(
        "altered_context_is_refused",
        &with(moto.env(), &[("TEST_ARN", &arn)]),
    );
}

#[test]
fn key_in_another_region_is_not_found() {
    if is_child() {
        let mut key = KmsKey::new(&var("TEST_ARN"), BTreeMap::new(), "");
        let err = key.encrypt(&DATA_KEY).unwrap_err().to_string();
        eprintln!("error as reported: {err}");
        assert!(err.contains("NotFoundException"), "{err}");
        assert!(err.contains("region us-west-1"), "{err}");
        return;
    }
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    let moved = arn.replace(":eu-west-3:", ":us-west-1:");
    run_child(
        "key_in_another_region_is_not_found",
        &with(moto.env(), &[("TEST_ARN", &moved)]),
    );
}

#[test]
fn closed_endpoint_fails_fast_with_a_clear_message() {
    if is_child() {
        let arn = format!("arn:aws:kms:eu-west-3:{ACCOUNT}:key/0000");
        let mut key = KmsKey::new(&arn, BTreeMap::new(), "");
        let start = Instant::now();
        let err = key.encrypt(&DATA_KEY).unwrap_err().to_string();
        eprintln!("error as reported: {err}");
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "took {:?}",
            start.elapsed()
        );
        assert!(
            err.starts_with("failed to encrypt sops data key with AWS KMS: "),
            "{err}"
        );
        assert!(err.contains(&arn), "{err}");
        assert!(err.contains("AWS_ENDPOINT_URL"), "{err}");
        let mut meta = key.to_metadata();
        meta.remove("enc");
        meta.push("enc", Value::str("QUJD"));
        let err = KmsKey::from_metadata(&meta).unwrap().decrypt().unwrap_err();
        eprintln!("error as reported: {err}");
        assert!(err.to_string().contains("endpoint"), "{err}");
        return;
    }
    let closed = format!("http://127.0.0.1:{}", free_port());
    let files = tempfile::tempdir().unwrap();
    let empty = files.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    let empty = empty.display().to_string();
    let env: Vec<(String, String)> = [
        ("AWS_ENDPOINT_URL", closed.as_str()),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_CONFIG_FILE", &empty),
        ("AWS_SHARED_CREDENTIALS_FILE", &empty),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let start = Instant::now();
    run_child("closed_endpoint_fails_fast_with_a_clear_message", &env);
    assert!(start.elapsed() < Duration::from_secs(60));
}

/// An endpoint that accepts connections but never answers: the operation
/// timeout (20 s) ends the call, retries included.
#[test]
fn silent_endpoint_is_cut_off_by_the_operation_timeout() {
    if is_child() {
        let arn = format!("arn:aws:kms:eu-west-3:{ACCOUNT}:key/0000");
        let mut key = KmsKey::new(&arn, BTreeMap::new(), "");
        let start = Instant::now();
        let err = key.encrypt(&DATA_KEY).unwrap_err().to_string();
        eprintln!("error as reported: {err}");
        let took = start.elapsed();
        assert!(took < Duration::from_secs(30), "took {took:?}");
        assert!(err.contains(&arn) && err.contains("timeout"), "{err}");
        return;
    }
    // The kernel completes the handshakes; nobody ever reads or writes.
    let silent = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let files = tempfile::tempdir().unwrap();
    let empty = files.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    let empty = empty.display().to_string();
    let env: Vec<(String, String)> = [
        ("AWS_ENDPOINT_URL", url.as_str()),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_CONFIG_FILE", &empty),
        ("AWS_SHARED_CREDENTIALS_FILE", &empty),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    run_child("silent_endpoint_is_cut_off_by_the_operation_timeout", &env);
    drop(silent);
}

#[test]
fn missing_credentials_fail_with_a_credentials_hint() {
    if is_child() {
        let arn = var("TEST_ARN");
        let mut key = KmsKey::new(&arn, BTreeMap::new(), "");
        let start = Instant::now();
        let err = key.encrypt(&DATA_KEY).unwrap_err().to_string();
        eprintln!("error as reported: {err}");
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "took {:?}",
            start.elapsed()
        );
        assert!(err.contains(&arn), "{err}");
        assert!(err.contains("credentials"), "{err}");
        return;
    }
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    let env = with(
        without(moto.env(), &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]),
        &[("TEST_ARN", &arn)],
    );
    run_child("missing_credentials_fail_with_a_credentials_hint", &env);
}

/// Decrypts a top-level `ENC[AES256_GCM,…]` value of `key` with `data_key` (spec §1.2/1.3).
fn decrypt_top_level_value(data_key: &[u8], key: &str, enc: &str) -> String {
    use aes_gcm::aead::consts::U32;
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use base64::Engine as _;
    let b64 = |field: &str| {
        let start = enc.find(&format!("{field}:")).expect("field") + field.len() + 1;
        let end = start + enc[start..].find([',', ']']).expect("field end");
        base64::engine::general_purpose::STANDARD
            .decode(&enc[start..end])
            .expect("base64")
    };
    let mut msg = b64("data");
    msg.extend(b64("tag"));
    let iv = b64("iv");
    let cipher = aes_gcm::AesGcm::<aes_gcm::aes::Aes256, U32>::new_from_slice(data_key).unwrap();
    let aad = format!("{key}:");
    let plain = cipher
        .decrypt(
            aes_gcm::Nonce::<U32>::from_slice(&iv),
            Payload {
                msg: &msg,
                aad: aad.as_bytes(),
            },
        )
        .expect("the recovered data key must decrypt the value");
    String::from_utf8(plain).expect("utf-8")
}

/// Key-level interop with the real sops through moto, both ways, before the CLI
/// is wired: the data key that sops wrapped is recovered by `KmsKey` (and really
/// decrypts a value), and an `enc` written by `KmsKey` replaces sops's own in the
/// file, which the real sops then decrypts.
#[test]
fn key_level_interop_with_real_sops() {
    if is_child() {
        let text = std::fs::read_to_string(var("TEST_FILE")).unwrap();
        let store = sops_rs::store::for_format(
            sops_rs::store::Format::Yaml,
            sops_rs::store::StoreOptions::default(),
        )
        .unwrap();
        let (_, meta) = store.load_encrypted(text.as_bytes()).unwrap();
        let Some(Value::List(entries)) = meta.get("kms") else {
            panic!("no kms list")
        };
        let Some(Value::Map(entry)) = entries.first() else {
            panic!("no kms entry")
        };
        let theirs = KmsKey::from_metadata(entry).unwrap();
        let data_key = theirs.decrypt().unwrap();
        assert_eq!(data_key.len(), 32);
        let enc_value = text
            .lines()
            .find_map(|l| l.strip_prefix("secret: "))
            .expect("secret line");
        assert_eq!(
            decrypt_top_level_value(&data_key, "secret", enc_value),
            "hunter2"
        );

        let mut ours = KmsKey::new(theirs.arn(), theirs.context().clone(), "");
        ours.encrypt(&data_key).unwrap();
        let old_enc = str_field(entry, "enc");
        let new_enc = str_field(&ours.to_metadata(), "enc");
        assert_ne!(old_enc, new_enc);
        assert_eq!(text.matches(old_enc.as_str()).count(), 1);
        std::fs::write(var("TEST_OUT"), text.replace(&old_enc, &new_enc)).unwrap();
        return;
    }
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    let mut sb = common::Sandbox::new();
    moto.apply(&mut sb);
    sb.write("plain.yaml", "secret: hunter2\n");
    let enc = sb.run(
        common::Tool::Oracle,
        [
            "encrypt",
            "--kms",
            &arn,
            "--encryption-context",
            "app:web,env:prod",
            "plain.yaml",
        ],
    );
    enc.success();
    let file = sb.write("theirs.enc.yaml", &enc.stdout);
    let out = sb.path().join("ours.enc.yaml");
    run_child(
        "key_level_interop_with_real_sops",
        &with(
            moto.env(),
            &[
                ("TEST_FILE", &file.display().to_string()),
                ("TEST_OUT", &out.display().to_string()),
            ],
        ),
    );
    let dec = sb.run(common::Tool::Oracle, ["decrypt", "ours.enc.yaml"]);
    dec.success();
    assert_eq!(dec.stdout_text(), "secret: hunter2\n");
}

/// The `kms` list of a sops-written YAML file, read line by line in file order
/// (enough for the layout sops writes; keeps this test independent of the YAML store).
fn kms_entries_of(text: &str) -> Vec<Map> {
    let unquote = |v: &str| v.trim().trim_matches('"').to_string();
    let mut entries: Vec<Map> = Vec::new();
    let mut in_kms = false;
    let mut context: Option<Map> = None;
    for line in text.lines() {
        if line == "    kms:" {
            in_kms = true;
            continue;
        }
        if !in_kms {
            continue;
        }
        if !line.starts_with("        ") {
            break;
        }
        if let Some(ctx) = context.as_mut() {
            if let Some(pair) = line.strip_prefix("            ") {
                let (k, v) = pair.split_once(':').expect("context pair");
                ctx.push(k, Value::str(unquote(v)));
                continue;
            }
            let done = context.take().expect("context");
            entries
                .last_mut()
                .expect("entry")
                .push("context", Value::Map(done));
        }
        let field = if let Some(rest) = line.strip_prefix("        - ") {
            entries.push(Map::new());
            rest
        } else {
            line.trim_start()
        };
        let (k, v) = field.split_once(':').expect("field");
        if k == "context" && v.trim().is_empty() {
            context = Some(Map::new());
        } else {
            entries
                .last_mut()
                .expect("entry")
                .push(k, Value::str(unquote(v)));
        }
    }
    entries
}

/// The `kms` entries that real sops wrote into the mock vectors survive a
/// from_metadata → to_metadata round trip unchanged (fields, order, sorted context).
#[test]
fn vector_kms_entries_are_re_emitted_identically() {
    if is_child() {
        return;
    }
    let mut seen = 0;
    for name in ["yaml-kms-mock.enc.yaml", "yaml-kms-profile-mock.enc.yaml"] {
        let text = String::from_utf8(common::read(common::case(name))).expect("utf-8");
        // The YAML store's view of the same entries must agree with the line reader.
        let store = sops_rs::store::for_format(
            sops_rs::store::Format::Yaml,
            sops_rs::store::StoreOptions::default(),
        )
        .unwrap_or_else(|e| panic!("no YAML store: {e}"));
        let (_, meta) = store
            .load_encrypted(text.as_bytes())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(Value::List(stored)) = meta.get("kms") else {
            panic!("{name}: the store found no kms list")
        };
        let by_line = kms_entries_of(&text);
        assert_eq!(stored.len(), by_line.len(), "{name}");
        for (a, b) in stored.iter().zip(&by_line) {
            assert!(
                matches!(a, Value::Map(m) if m == b),
                "{name}: store and line reader differ"
            );
        }
        for entry in by_line {
            let key = KmsKey::from_metadata(&entry).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                key.to_metadata() == entry,
                "{name}: entry of {} changed on re-emission",
                key.arn()
            );
            assert!(!sops_rs::keys::kms::aws_started());
            seen += 1;
        }
    }
    assert_eq!(seen, 3);
}

/// The parser above really sees every field (so the test above can fail).
#[test]
fn vector_reader_sees_all_fields() {
    if is_child() {
        return;
    }
    let text =
        String::from_utf8(common::read(common::case("yaml-kms-mock.enc.yaml"))).expect("utf-8");
    let entries = kms_entries_of(&text);
    assert_eq!(entries.len(), 2);
    let second = &entries[1];
    assert_eq!(second.items.len(), 6);
    assert!(second.get("role") == Some(&Value::str("arn:aws:iam::123456789012:role/sops-role")));
    let Some(Value::Map(ctx)) = second.get("context") else {
        panic!("no context")
    };
    assert_eq!(ctx.items.len(), 2);
}
