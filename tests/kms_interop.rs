//! AWS KMS interoperability with the real sops 3.11.0, both ways, against a real
//! KMS API server (moto on 127.0.0.1): what one tool encrypts with `--kms` the
//! other decrypts byte-identically, with encryption contexts, roles, profiles,
//! mixed age + KMS files and Shamir groups; failures are bounded and clear.

mod common;

use common::moto::{ACCOUNT, Moto, free_port};
use common::{AGE1, Run, Sandbox, Tool, assert_same_failure, mask_random};
use std::time::{Duration, Instant};

const YAML: &str =
    "db_password: hunter2\napi:\n    token: abc123\n    port: 8080\nlist:\n    - one\n    - true\n";
const JSON: &str = "{\n    \"db_password\": \"hunter2\",\n    \"api\": {\n        \"token\": \"abc123\"\n    }\n}\n";
const DOTENV: &str = "DB_PASSWORD=hunter2\nAPI_TOKEN=abc123\n";

const FORMATS: [(&str, &str); 3] = [
    ("secrets.yaml", YAML),
    ("secrets.json", JSON),
    ("secrets.env", DOTENV),
];

/// A sandbox whose tools talk to `moto` and have no age identity.
fn sandbox(moto: &Moto) -> Sandbox {
    let mut sb = Sandbox::new();
    moto.apply(&mut sb);
    sb.unset_env("SOPS_AGE_KEY_FILE");
    sb
}

fn encrypt(sb: &Sandbox, tool: Tool, name: &str, extra: &[&str]) -> Run {
    let mut args = vec!["encrypt"];
    args.extend_from_slice(extra);
    args.push(name);
    sb.run(tool, &args)
}

/// `tool` encrypts `plain` (as file `name`) with `flags`; then both tools decrypt
/// the result and must print the same bytes as sops's own round trip.
fn check_both_ways(sb: &Sandbox, name: &str, plain: &str, flags: &[&str]) {
    sb.write(name, plain);
    let reference = {
        let enc = encrypt(sb, Tool::Oracle, name, flags);
        enc.success();
        let enc_name = format!("oracle.{name}");
        sb.write(&enc_name, &enc.stdout);
        let dec = sb.run(Tool::Oracle, ["decrypt", enc_name.as_str()]);
        dec.success();
        let ours = sb.run(Tool::SopsRs, ["decrypt", enc_name.as_str()]);
        common::assert_same_success(&ours, &dec);
        dec.stdout
    };
    let enc = encrypt(sb, Tool::SopsRs, name, flags);
    enc.success();
    let enc_name = format!("ours.{name}");
    sb.write(&enc_name, &enc.stdout);
    let theirs = sb.run(Tool::Oracle, ["decrypt", enc_name.as_str()]);
    theirs.success();
    common::assert_bytes_eq(&theirs.stdout, &reference, "sops -d of the sops-rs file");
    let ours = sb.run(Tool::SopsRs, ["decrypt", enc_name.as_str()]);
    ours.success();
    common::assert_bytes_eq(&ours.stdout, &reference, "sops-rs -d of the sops-rs file");
}

#[test]
fn both_ways_plain_arn_in_yaml_json_dotenv() {
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    let sb = sandbox(&moto);
    for (name, plain) in FORMATS {
        check_both_ways(&sb, name, plain, &["--kms", &arn]);
    }
}

#[test]
fn both_ways_with_encryption_context() {
    let moto = Moto::start();
    let arn = moto.create_key("us-east-2");
    let sb = sandbox(&moto);
    for (name, plain) in FORMATS {
        check_both_ways(
            &sb,
            name,
            plain,
            &["--kms", &arn, "--encryption-context", "env:prod,app:web"],
        );
    }
}

#[test]
fn both_ways_with_role_and_alias() {
    let moto = Moto::start();
    let key = moto.create_key("us-east-2");
    let alias = moto.create_alias("us-east-2", &key, "sops-interop");
    let spec = format!("{alias}+arn:aws:iam::{ACCOUNT}:role/sops-role");
    let sb = sandbox(&moto);
    check_both_ways(&sb, "secrets.yaml", YAML, &["--kms", &spec]);
}

#[test]
fn both_ways_with_profile_from_aws_config() {
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    let mut sb = sandbox(&moto);
    let config = sb.write(
        "aws-config",
        "[profile sopstest]\naws_access_key_id = profilekey\naws_secret_access_key = profilesecret\n",
    );
    sb.set_env("AWS_CONFIG_FILE", config.display().to_string());
    sb.unset_env("AWS_ACCESS_KEY_ID");
    sb.unset_env("AWS_SECRET_ACCESS_KEY");
    check_both_ways(
        &sb,
        "secrets.yaml",
        YAML,
        &["--kms", &arn, "--aws-profile", "sopstest"],
    );
}

#[test]
fn sops_kms_arn_variable_and_sops_yaml_rule() {
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    let mut sb = sandbox(&moto);
    sb.set_env("SOPS_KMS_ARN", arn.clone());
    check_both_ways(&sb, "env.yaml", YAML, &[]);
    sb.unset_env("SOPS_KMS_ARN");
    sb.write(
        ".sops.yaml",
        format!("creation_rules:\n    - path_regex: rule\\.yaml$\n      kms: {arn}\n"),
    );
    check_both_ways(&sb, "rule.yaml", YAML, &[]);
}

/// Everything but the random parts: ciphertexts, times and the KMS blobs.
fn mask_kms(text: &str) -> String {
    let masked = mask_random(text);
    let re = regex::Regex::new(
        r#"(?m)^(\s*"?(?:[A-Za-z0-9_]*_)?(enc|created_at)"?\s*[:=]\s*"?)([^"\n]*)"#,
    )
    .unwrap_or_else(|e| panic!("bad regex: {e}"));
    re.replace_all(&masked, "${1}<${2}>").into_owned()
}

#[test]
fn kms_metadata_is_structurally_identical_to_sops() {
    let moto = Moto::start();
    let a = moto.create_key("eu-west-3");
    let b = moto.create_key("us-east-2");
    let specs = format!("{a},{b}+arn:aws:iam::{ACCOUNT}:role/r");
    let sb = sandbox(&moto);
    for (name, plain) in FORMATS {
        sb.write(name, plain);
        for flags in [
            vec!["--kms", specs.as_str()],
            vec!["--kms", specs.as_str(), "--encryption-context", "z:1,a:2"],
            vec!["--kms", a.as_str(), "--aws-profile", ""],
        ] {
            let theirs = encrypt(&sb, Tool::Oracle, name, &flags);
            let ours = encrypt(&sb, Tool::SopsRs, name, &flags);
            theirs.success();
            ours.success();
            common::assert_bytes_eq(
                mask_kms(&ours.stdout_text()).as_bytes(),
                mask_kms(&theirs.stdout_text()).as_bytes(),
                &format!("masked {name} with {flags:?}"),
            );
        }
    }
}

#[test]
fn altered_encryption_context_is_refused() {
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    let sb = sandbox(&moto);
    sb.write("secrets.yaml", YAML);
    for tool in [Tool::Oracle, Tool::SopsRs] {
        let enc = encrypt(
            &sb,
            tool,
            "secrets.yaml",
            &["--kms", &arn, "--encryption-context", "env:prod"],
        );
        enc.success();
        let text = enc.stdout_text();
        assert!(text.contains("env: prod"), "{text}");
        sb.write("altered.yaml", text.replace("env: prod", "env: dev"));
        let (ours, theirs) = sb.run_both(&["decrypt", "altered.yaml"]);
        assert_same_failure(&ours, &theirs);
        ours.code(128).does_not_reveal("hunter2");
        assert!(ours.stderr.contains(&arn), "{}", ours.describe());
    }
}

#[test]
fn unreachable_kms_falls_through_to_age_and_fails_fast_alone() {
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    let mut sb = sandbox(&moto);
    sb.write("secrets.yaml", YAML);
    let mixed = encrypt(
        &sb,
        Tool::Oracle,
        "secrets.yaml",
        &["--kms", &arn, "--age", AGE1],
    );
    mixed.success();
    sb.write("mixed.yaml", &mixed.stdout);
    let ours_mixed = encrypt(
        &sb,
        Tool::SopsRs,
        "secrets.yaml",
        &["--kms", &arn, "--age", AGE1],
    );
    ours_mixed.success();
    sb.write("ours-mixed.yaml", &ours_mixed.stdout);
    let kms_only = encrypt(&sb, Tool::Oracle, "secrets.yaml", &["--kms", &arn]);
    kms_only.success();
    sb.write("kms-only.yaml", &kms_only.stdout);

    sb.set_env(
        "AWS_ENDPOINT_URL",
        format!("http://127.0.0.1:{}", free_port()),
    );
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    for file in ["mixed.yaml", "ours-mixed.yaml"] {
        let (ours, theirs) = sb.run_both(&["decrypt", file]);
        common::assert_same_success(&ours, &theirs);
        // KMS first: age must still be tried after KMS fails.
        let (ours, theirs) = sb.run_both(&["decrypt", "--decryption-order", "kms,age", file]);
        common::assert_same_success(&ours, &theirs);
    }

    sb.unset_env("SOPS_AGE_KEY_FILE");
    let start = Instant::now();
    let ours = sb.run(Tool::SopsRs, ["decrypt", "kms-only.yaml"]);
    let took = start.elapsed();
    ours.code(128).no_stdout();
    assert!(
        took < Duration::from_secs(30),
        "took {took:?}\n{}",
        ours.describe()
    );
    assert!(
        ours.stderr.contains(&arn) && ours.stderr.to_lowercase().contains("connection refused"),
        "the error should name the key and the refused connection\n{}",
        ours.describe()
    );
    let theirs = sb.run(Tool::Oracle, ["decrypt", "kms-only.yaml"]);
    assert_same_failure(&ours, &theirs);
}

/// Two key groups, KMS in one and age in the other: sops needs a threshold of
/// at least 2 there, so both keys are needed and either alone is refused.
#[test]
fn shamir_groups_with_kms_and_age_need_both_keys() {
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    let mut sb = sandbox(&moto);
    sb.write(
        ".sops.yaml",
        format!(
            "creation_rules:\n    - shamir_threshold: 2\n      key_groups:\n          - kms:\n                - arn: {arn}\n                  context:\n                      app: web\n          - age:\n                - {AGE1}\n"
        ),
    );
    sb.write("secrets.yaml", YAML);
    let age_file = common::age_key(1).display().to_string();
    for tool in [Tool::Oracle, Tool::SopsRs] {
        sb.set_env("AWS_ENDPOINT_URL", moto.url());
        let enc = encrypt(&sb, tool, "secrets.yaml", &[]);
        enc.success();
        let file = format!("{tool:?}.enc.yaml");
        sb.write(&file, &enc.stdout);
        assert!(
            enc.stdout_text().contains("key_groups:"),
            "{}",
            enc.describe()
        );
        // Both keys: KMS reachable and the age identity present.
        sb.set_env("SOPS_AGE_KEY_FILE", age_file.clone());
        let (ours, theirs) = sb.run_both(&["decrypt", file.as_str()]);
        common::assert_same_success(&ours, &theirs);
        // KMS alone.
        sb.unset_env("SOPS_AGE_KEY_FILE");
        let (ours, theirs) = sb.run_both(&["decrypt", file.as_str()]);
        assert_same_failure(&ours, &theirs);
        ours.does_not_reveal("hunter2");
        // age alone (KMS unreachable).
        sb.set_env("SOPS_AGE_KEY_FILE", age_file.clone());
        sb.set_env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", free_port()),
        );
        let (ours, theirs) = sb.run_both(&["decrypt", file.as_str()]);
        assert_same_failure(&ours, &theirs);
        ours.does_not_reveal("hunter2");
        sb.unset_env("SOPS_AGE_KEY_FILE");
    }
}

/// One group with age and KMS, written by either tool: either key alone decrypts.
#[test]
fn mixed_group_decrypts_with_either_key_alone() {
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    let mut sb = sandbox(&moto);
    sb.write("secrets.yaml", YAML);
    let age_file = common::age_key(1).display().to_string();
    for tool in [Tool::Oracle, Tool::SopsRs] {
        sb.set_env("AWS_ENDPOINT_URL", moto.url());
        sb.unset_env("SOPS_AGE_KEY_FILE");
        let enc = encrypt(&sb, tool, "secrets.yaml", &["--kms", &arn, "--age", AGE1]);
        enc.success();
        let file = format!("{tool:?}.enc.yaml");
        sb.write(&file, &enc.stdout);
        // KMS alone.
        let (ours, theirs) = sb.run_both(&["decrypt", file.as_str()]);
        common::assert_same_success(&ours, &theirs);
        // age alone.
        sb.set_env("SOPS_AGE_KEY_FILE", age_file.clone());
        sb.set_env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", free_port()),
        );
        let (ours, theirs) = sb.run_both(&["decrypt", file.as_str()]);
        common::assert_same_success(&ours, &theirs);
    }
}

#[test]
fn bad_encryption_context_exits_6_like_sops() {
    let moto = Moto::start();
    let arn = moto.create_key("eu-west-3");
    let sb = sandbox(&moto);
    sb.write("secrets.yaml", YAML);
    for bad in ["novalue", "a:b:c", "a:b,"] {
        let args = [
            "encrypt",
            "--kms",
            arn.as_str(),
            "--encryption-context",
            bad,
            "secrets.yaml",
        ];
        let (ours, theirs) = sb.run_both(&args);
        // sops prints a timestamped log warning first; compare the message line.
        for run in [&theirs, &ours] {
            run.code(6).no_stdout();
            assert!(
                run.stderr.contains("Invalid KMS encryption context format"),
                "{}",
                run.describe()
            );
        }
    }
}

/// Start-up discipline: decrypting an age-only file touches nothing of AWS.
/// The AWS config files are FIFOs (opening one for reading blocks until a writer
/// comes, so any read would hang the run) and the endpoint is a listener that
/// records connections.
#[test]
fn age_only_files_read_no_aws_config_and_make_no_aws_call() {
    let mut sb = Sandbox::new();
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let fifo = |name: &str| {
        let path = sb.path().join(name);
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap_or_else(|e| panic!("cannot run mkfifo: {e}"));
        assert!(made.success(), "mkfifo {} failed", path.display());
        path.display().to_string()
    };
    let (config, credentials) = (fifo("aws-config"), fifo("aws-credentials"));
    sb.set_env("AWS_CONFIG_FILE", config)
        .set_env("AWS_SHARED_CREDENTIALS_FILE", credentials)
        .set_env(
            "AWS_ENDPOINT_URL",
            format!("http://{}", listener.local_addr().unwrap()),
        )
        .set_env("AWS_ACCESS_KEY_ID", "test")
        .set_env("AWS_SECRET_ACCESS_KEY", "test")
        .set_env("AWS_EC2_METADATA_DISABLED", "true");
    sb.write("secrets.yaml", YAML);
    let enc = encrypt(&sb, Tool::Oracle, "secrets.yaml", &["--age", AGE1]);
    enc.success();
    sb.write("age.enc.yaml", &enc.stdout);

    let mut child = sb.command(Tool::SopsRs);
    child
        .args(["decrypt", "age.enc.yaml"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = child.spawn().unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("sops-rs -d of an age-only file hung: it opened an AWS config file");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("hunter2"));
    assert!(
        listener.accept().is_err(),
        "sops-rs connected to the AWS endpoint while decrypting an age-only file"
    );
}

/// Encryption failures are reported as sops reports them (exit 1, same message
/// up to the AWS error text) and quickly.
#[test]
fn encryption_failures_match_sops() {
    let moto = Moto::start();
    let mut sb = sandbox(&moto);
    sb.write("secrets.yaml", YAML);
    let bad_arn = format!("arn:aws:kmz:eu-west-3:{ACCOUNT}:key/abc");
    let (ours, theirs) = sb.run_both(&["encrypt", "--kms", bad_arn.as_str(), "secrets.yaml"]);
    assert_same_failure(&ours, &theirs);
    assert_eq!(
        theirs.stderr_first_line(),
        format!(
            "Could not generate data key: [failed to encrypt new data key with master key \"{bad_arn}\": no valid ARN found in '{bad_arn}']"
        )
    );

    let arn = format!("arn:aws:kms:eu-west-3:{ACCOUNT}:key/abc");
    sb.set_env(
        "AWS_ENDPOINT_URL",
        format!("http://127.0.0.1:{}", free_port()),
    );
    let start = Instant::now();
    let (ours, theirs) = sb.run_both(&["encrypt", "--kms", arn.as_str(), "secrets.yaml"]);
    assert!(start.elapsed() < Duration::from_secs(60));
    let prefix = format!(
        "Could not generate data key: [failed to encrypt new data key with master key \"{arn}\": failed to encrypt sops data key with AWS KMS: "
    );
    for run in [&theirs, &ours] {
        run.code(1).no_stdout().stderr_starts_with(&prefix);
    }
}
