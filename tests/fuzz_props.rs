//! Mutation fuzzing of every parser input reaches, run in-process by the normal test
//! command. A small deterministic PRNG (not proptest) keeps runs reproducible from the
//! printed seed with no extra dependency; `SOPS_RS_FUZZ_ITERS` scales each target
//! (default ~1,000–3,000 inputs per target, a few seconds in total) and
//! `SOPS_RS_FUZZ_SEED` picks another sequence. Properties: no parser panics (the
//! panicking input is printed), and decrypting a mutated file either fails or yields
//! exactly what `sops -d` printed for the original.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use sops_rs::keys::DecryptionOrder;
use sops_rs::keys::environment::Environment;
use sops_rs::store::{Format, Store, StoreOptions, for_format};

/// xorshift64*: tiny, fast, deterministic; quality is ample for choosing mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens that steer mutations towards the grammar's interesting corners.
const TOKENS: &[&[u8]] = &[
    b"ENC[",
    b"]",
    b"AES256_GCM,data:",
    b",iv:",
    b",tag:",
    b",type:str",
    b",type:int",
    b"type:bytes",
    b"type:comment",
    b"type:time",
    b"type:float",
    b"type:bool",
    b"\n",
    b": ",
    b"- ",
    b"{",
    b"}",
    b"[",
    b"\"",
    b"'",
    b"#",
    b"=",
    b"&a",
    b"*a",
    b"<<: ",
    b"---\n",
    b"!!binary ",
    b"\\u00",
    b"sops",
    b"mac",
    b"age",
    b"enc",
    b"version",
    b"3.11.0",
    b"null",
    b"0x",
    b"-1",
    b"1e999",
    b"\t",
    b"\r",
    b"\0",
    b"\xff",
    b"[0]",
    b"[\"",
    b"\"]",
    b",",
    b":",
    b"-----BEGIN AGE ENCRYPTED FILE-----",
    b"AGE-SECRET-KEY-1",
    b"age1",
    b"creation_rules",
    b"path_regex",
    b"key_groups",
    b"shamir_threshold",
    b"[section]",
];

/// One to four random edits: bit flip, byte set, insert, delete, truncation, splice,
/// range duplication or token insertion.
fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let len = data.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                data.insert(i, rng.next() as u8);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(8.min(len - i));
                data.drain(i..i + n);
            }
            4 => data.truncate(rng.below(len + 1)),
            5 if !other.is_empty() => {
                // Splice: our prefix, the other input's suffix.
                let a = rng.below(len + 1);
                let b = rng.below(other.len());
                data.truncate(a);
                data.extend_from_slice(&other[b..]);
            }
            6 if len > 0 => {
                let a = rng.below(len);
                let b = a + rng.below((len - a).min(64)) + 1;
                let chunk = data[a..b].to_vec();
                let at = rng.below(len + 1);
                data.splice(at..at, chunk);
            }
            7 => {
                let tok = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len + 1);
                data.splice(at..at, tok.iter().copied());
            }
            _ => {
                // Purely random bytes now and then, not just near-valid inputs.
                if rng.below(4) == 0 {
                    data = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
                }
            }
        }
    }
    data
}

fn iters(default: usize) -> usize {
    std::env::var("SOPS_RS_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn base_seed() -> u64 {
    std::env::var("SOPS_RS_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_50b5)
}

/// Feeds `n` mutated inputs to `check`; a panic fails the test naming the input.
fn run(name: &str, seeds: &[Vec<u8>], n: usize, mut check: impl FnMut(&[u8])) {
    assert!(!seeds.is_empty(), "{name}: no seed inputs found");
    // FNV-1a of the name, so each target has its own sequence.
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let mut rng = Rng((base_seed() ^ h) | 1);
    for s in seeds {
        check_one(name, s, &mut check);
    }
    for _ in 0..n {
        let seed = &seeds[rng.below(seeds.len())];
        let other = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed, other);
        check_one(name, &input, &mut check);
    }
    eprintln!("fuzz target {name}: {} inputs", n + seeds.len());
}

fn check_one(name: &str, input: &[u8], check: &mut impl FnMut(&[u8])) {
    if catch_unwind(AssertUnwindSafe(|| check(input))).is_err() {
        // Keep the reproducer as a file too: the lossy print hides invalid UTF-8.
        let dump = std::env::temp_dir().join(format!("sops-rs-fuzz-crash-{name}"));
        let _ = std::fs::write(&dump, input);
        panic!(
            "fuzz target {name} panicked on input {:?} (reproducer saved to {})",
            String::from_utf8_lossy(input),
            dump.display()
        );
    }
}

fn cases() -> PathBuf {
    common::generated()
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Case files whose name contains `infix` and ends with `ext`.
fn case_files(infix: &str, ext: &str) -> Vec<Vec<u8>> {
    let dir = cases().join("cases");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(infix) && n.ends_with(ext))
        .collect();
    names.sort();
    names.iter().map(|n| read(&dir.join(n))).collect()
}

fn store(format: Format) -> Box<dyn Store> {
    for_format(format, StoreOptions::default()).expect("store")
}

const FORMATS: &[(Format, &str)] = &[
    (Format::Yaml, ".yaml"),
    (Format::Json, ".json"),
    (Format::Dotenv, ".env"),
    (Format::Ini, ".ini"),
    (Format::Binary, ".bin"),
];

#[test]
fn stores_load_plain_never_panic() {
    for &(format, ext) in FORMATS {
        let mut seeds = case_files(".plain.", ext);
        seeds.extend(case_files(".dec.", ext));
        let st = store(format);
        run(&format!("load_plain{ext}"), &seeds, iters(2000), |input| {
            let _ = st.load_plain(input);
        });
    }
}

#[test]
fn stores_load_encrypted_and_metadata_never_panic() {
    for &(format, ext) in FORMATS {
        let seeds = case_files(".enc.", ext);
        let st = store(format);
        run(
            &format!("load_encrypted{ext}"),
            &seeds,
            iters(2000),
            |input| {
                if let Ok((_, map)) = st.load_encrypted(input) {
                    let _ = sops_rs::metadata::Metadata::from_map(&map);
                }
            },
        );
    }
}

/// The `ENC[…]` strings of the age-encrypted YAML cases.
fn enc_values() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for file in case_files("yaml-", ".enc.yaml") {
        let text = String::from_utf8_lossy(&file).into_owned();
        for part in text.split("ENC[").skip(1) {
            if let Some(end) = part.find(']') {
                out.push(format!("ENC[{}]", &part[..end]).into_bytes());
            }
        }
    }
    out
}

#[test]
fn enc_value_parser_never_panics() {
    let cipher = sops_rs::cipher::Cipher::new(&[7u8; 32]);
    run("enc_value", &enc_values(), iters(3000), |input| {
        let s = String::from_utf8_lossy(input);
        let _ = sops_rs::cipher::EncryptedValue::parse(&s);
        let _ = sops_rs::cipher::is_encrypted(&s);
        let _ = cipher.decrypt(&s, b"a:b:");
    });
}

#[test]
fn tree_paths_never_panic() {
    let seeds: Vec<Vec<u8>> = [
        "[\"a\"]",
        "[\"a\"][0][\"b\"]",
        "[\"list\"][-1]",
        "[0]",
        "[\"x\\\"y\"][\"\"]",
        "[\"nested\"][\"deep\"][\"k\"]",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let yaml = store(Format::Yaml);
    let docs: Vec<_> = case_files(".plain.", ".yaml")
        .iter()
        .filter_map(|f| yaml.load_plain(f).ok())
        .filter_map(|t| t.branches.into_iter().next())
        .collect();
    let mut k = 0usize;
    run("treepath", &seeds, iters(3000), |input| {
        let s = String::from_utf8_lossy(input);
        let _ = sops_rs::treepath::parse_components(&s);
        if let Ok(path) = sops_rs::treepath::parse_extract_path(&s) {
            k += 1;
            if let Some(doc) = docs.get(k % docs.len().max(1)) {
                let _ = sops_rs::treepath::lookup(doc, &path);
                let mut d = doc.clone();
                let _ = sops_rs::treepath::set(&mut d, &path, sops_rs::tree::Value::Int(1));
                let mut d = doc.clone();
                let _ = sops_rs::treepath::unset(&mut d, &path);
            }
        }
    });
}

#[test]
fn config_parser_never_panics() {
    let mut seeds: Vec<Vec<u8>> = vec![
        b"creation_rules:\n  - path_regex: \\.yaml$\n    age: age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr\n    encrypted_regex: ^(data|stringData)$\n".to_vec(),
        b"creation_rules:\n  - path_regex: prod/.*\n    shamir_threshold: 2\n    key_groups:\n      - age:\n          - age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr\n        kms:\n          - arn: arn:aws:kms:us-east-1:1:key/x\n            context: {a: b}\n      - pgp: [ABCDEF]\n  - unencrypted_suffix: _plain\nstores:\n  yaml:\n    indent: 2\n  json:\n    indent: 4\ndestination_rules:\n  - path_regex: x\n".to_vec(),
    ];
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/vectors/sops-repo/functional-tests/.sops.yaml");
    if let Ok(b) = std::fs::read(repo) {
        seeds.push(b);
    }
    run("config", &seeds, iters(2000), |input| {
        if let Ok(cfg) = sops_rs::config::Config::parse(input, PathBuf::from("/tmp/fz/.sops.yaml"))
        {
            let _ = cfg.rules();
            let _ = cfg.rule_for(Path::new("/tmp/fz/prod/a.yaml"), Path::new("/tmp/fz"));
        }
    });
}

#[test]
fn encryption_context_parser_never_panics() {
    let seeds = vec![
        b"a:b,c:d".to_vec(),
        b"".to_vec(),
        b"k:v".to_vec(),
        b"x:y:z,".to_vec(),
    ];
    run("kms_encryption_context", &seeds, iters(3000), |input| {
        let s = String::from_utf8_lossy(input);
        let _ = sops_rs::keys::kms::parse_encryption_context(&s);
    });
}

fn key_text(n: u8) -> String {
    String::from_utf8_lossy(&read(&cases().join(format!("keys/age{n}.keys.txt")))).into_owned()
}

fn age_env(identities: &str) -> Environment {
    Environment::from_vars([
        ("SOPS_AGE_KEY", identities),
        ("HOME", "/nonexistent-fuzz-home"),
    ])
}

fn age_order() -> DecryptionOrder {
    DecryptionOrder(vec!["age".into()])
}

#[test]
fn age_recipients_identities_and_armor_never_panic() {
    let recipients: Vec<Vec<u8>> = (1..=3)
        .filter_map(|n| {
            key_text(n).lines().find_map(|l| {
                l.strip_prefix("# public key: ")
                    .map(|r| r.as_bytes().to_vec())
            })
        })
        .collect();
    run("age_recipient", &recipients, iters(2000), |input| {
        let _ = sops_rs::keys::age::AgeKey::new(&String::from_utf8_lossy(input));
    });

    // Identity parsing: a mutated SOPS_AGE_KEY against a real wrapped key.
    let yaml = store(Format::Yaml);
    let enc = read(&cases().join("cases/yaml-basic.enc.yaml"));
    let file = sops_rs::ops::load_encrypted_file(&enc, yaml.as_ref()).expect("load");
    let identities: Vec<Vec<u8>> = (1..=3).map(|n| key_text(n).into_bytes()).collect();
    run("age_identity", &identities, iters(500), |input| {
        let env = age_env(&String::from_utf8_lossy(input));
        let _ = sops_rs::ops::recover_key_with(&file.metadata, &age_order(), &env);
    });

    // Armor and stanza parsing: a mutated `enc` block with the right identity.
    let age1 = age_env(&key_text(1));
    let text = String::from_utf8_lossy(&enc).into_owned();
    let armored: Vec<Vec<u8>> = text
        .split("enc: |\n")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once("-----END AGE ENCRYPTED FILE-----")
                .map(|(body, _)| {
                    let lines: String = body
                        .lines()
                        .map(|l| format!("{}\n", l.trim_start()))
                        .collect();
                    format!("{lines}-----END AGE ENCRYPTED FILE-----\n").into_bytes()
                })
        })
        .collect();
    let recipient = String::from_utf8_lossy(&recipients[0]).into_owned();
    run("age_armor", &armored, iters(1000), |input| {
        let mut entry = sops_rs::tree::Map::default();
        for (k, v) in [
            ("recipient", recipient.as_str()),
            ("enc", &*String::from_utf8_lossy(input)),
        ] {
            entry.items.push(sops_rs::tree::Item {
                key: sops_rs::tree::Key::Str(k.into()),
                value: sops_rs::tree::Value::Str(v.to_string().into()),
            });
        }
        if let Ok(key) = sops_rs::keys::age::AgeKey::from_metadata(&entry) {
            let _ = key.decrypt_with(&age1);
        }
    });
}

/// Decrypts with identities from `env` (never the process environment).
fn decrypt_with(
    input: &[u8],
    st: &dyn Store,
    env: &Environment,
) -> sops_rs::error::Result<Vec<u8>> {
    let mut file = sops_rs::ops::load_encrypted_file(input, st)?;
    let key = sops_rs::ops::recover_key_with(&file.metadata, &age_order(), env)?;
    sops_rs::ops::decrypt_file(&mut file, &key, false)?;
    st.emit_plain(&file.tree)
}

/// age-only cases (no PGP/KMS, so nothing slow or networked is tried) with their
/// `sops -d` output.
fn decrypt_cases() -> Vec<(Format, &'static str, Vec<u8>, Vec<u8>)> {
    let dir = cases().join("cases");
    let mut out = Vec::new();
    for (name, format) in [
        ("yaml-basic.enc.yaml", Format::Yaml),
        ("yaml-comments.enc.yaml", Format::Yaml),
        ("yaml-nesting.enc.yaml", Format::Yaml),
        ("yaml-multidoc-anchors.enc.yaml", Format::Yaml),
        ("yaml-mac-only-encrypted.enc.yaml", Format::Yaml),
        ("json-basic.enc.json", Format::Json),
        ("dotenv-basic.enc.env", Format::Dotenv),
        ("ini-basic.enc.ini", Format::Ini),
        ("binary-basic.enc.bin", Format::Binary),
    ] {
        let dec = name.replace(".enc.", ".dec.");
        let ext = &name[name.rfind('.').unwrap_or(0)..];
        out.push((format, ext, read(&dir.join(name)), read(&dir.join(dec))));
    }
    out
}

/// What the real sops prints for `input` (age key 1), or `None` when it refuses it.
fn oracle_decrypt(input: &[u8], ext: &str) -> Option<Vec<u8>> {
    let dir = std::env::temp_dir().join(format!("sops-rs-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let file = dir.join(format!("mutant{ext}"));
    std::fs::write(&file, input).ok()?;
    let out = std::process::Command::new(common::oracle_path())
        .env_clear()
        .env("HOME", &dir)
        .env("SOPS_DISABLE_VERSION_CHECK", "1")
        .env("SOPS_AGE_KEY_FILE", cases().join("keys/age1.keys.txt"))
        .arg("-d")
        .arg(&file)
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout)
}

#[test]
fn decrypting_mutated_files_fails_or_gives_the_original() {
    let right = age_env(&key_text(1));
    let wrong = age_env(&key_text(3));
    let absent = age_env("");
    for (i, (format, ext, enc, dec)) in decrypt_cases().into_iter().enumerate() {
        let st = store(format);
        let seeds = vec![enc];
        assert_eq!(
            decrypt_with(&seeds[0], st.as_ref(), &right).ok().as_deref(),
            Some(&dec[..])
        );
        let name = format!("decrypt_right_key_{i}_{format:?}");
        let mut accepted = 0usize;
        let mut same_as_sops = 0usize;
        run(&name, &seeds, iters(1000), |input| {
            if let Ok(out) = decrypt_with(input, st.as_ref(), &right) {
                accepted += 1;
                if out != dec {
                    // Some edits are outside the MAC by sops's design (comments that no
                    // longer decrypt are kept, null values and empty INI sections are not
                    // hashed), so a different result must be exactly what sops 3.11 prints.
                    let theirs = oracle_decrypt(input, ext);
                    assert!(
                        theirs.as_deref() == Some(&out[..]),
                        "mutated file decrypted to {:?}, sops 3.11 gives {:?}",
                        String::from_utf8_lossy(&out),
                        theirs.map(|t| String::from_utf8_lossy(&t).into_owned())
                    );
                    same_as_sops += 1;
                }
            }
        });
        eprintln!(
            "  {name}: {accepted} mutants decrypted, {same_as_sops} of them differently from the original and byte-identical to sops 3.11"
        );
        run(
            &format!("decrypt_wrong_key_{i}_{format:?}"),
            &seeds,
            iters(300),
            |input| {
                assert!(decrypt_with(input, st.as_ref(), &wrong).is_err());
                assert!(decrypt_with(input, st.as_ref(), &absent).is_err());
            },
        );
    }
}
