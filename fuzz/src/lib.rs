//! The fuzz targets as plain functions, shared by the libFuzzer binaries (coverage-guided,
//! nightly `cargo fuzz`) and the stable `driver` (seeded mutation loop), so both check the
//! same properties: nothing panics, a wrong or absent key never decrypts anything.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sops_rs::keys::DecryptionOrder;
use sops_rs::keys::environment::Environment;
use sops_rs::store::{Format, Store, StoreOptions, for_format};
use sops_rs::tree::{Item, Key, Map, Value};

/// Every target, by name (the names of the `fuzz_targets/*.rs` binaries).
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("stores", stores),
    ("enc_value", enc_value),
    ("treepath", treepath),
    ("config", config),
    ("encryption_context", encryption_context),
    ("age_recipient", age_recipient),
    ("age_identity", age_identity),
    ("age_armor", age_armor),
    ("decrypt", decrypt),
];

const FORMATS: [(Format, &str); 5] = [
    (Format::Yaml, ".yaml"),
    (Format::Json, ".json"),
    (Format::Dotenv, ".env"),
    (Format::Ini, ".ini"),
    (Format::Binary, ".bin"),
];

fn store(f: Format) -> Box<dyn Store> {
    match for_format(f, StoreOptions::default()) {
        Ok(s) => s,
        Err(e) => panic!("store for {f:?}: {e}"),
    }
}

/// First byte picks the format (and plain or encrypted loading), the rest is the file.
pub fn stores(data: &[u8]) {
    let Some((&sel, input)) = data.split_first() else {
        return;
    };
    let st = store(FORMATS[usize::from(sel) % FORMATS.len()].0);
    if sel & 0x80 == 0 {
        if let Ok(tree) = st.load_plain(input) {
            let _ = st.emit_plain(&tree);
        }
    } else if let Ok((_, map)) = st.load_encrypted(input) {
        let _ = sops_rs::metadata::Metadata::from_map(&map);
    }
}

/// `ENC[…]` parsing and authenticated decryption under a fixed key.
pub fn enc_value(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let _ = sops_rs::cipher::EncryptedValue::parse(&s);
    let _ = sops_rs::cipher::is_encrypted(&s);
    let _ = sops_rs::cipher::Cipher::new(&[7u8; 32]).decrypt(&s, b"a:b:");
}

/// `--extract` / `set` / `unset` paths against a small document.
pub fn treepath(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let _ = sops_rs::treepath::parse_components(&s);
    let Ok(path) = sops_rs::treepath::parse_extract_path(&s) else {
        return;
    };
    static DOC: OnceLock<Map> = OnceLock::new();
    let doc = DOC.get_or_init(|| {
        let text = b"a:\n  b: [1, {c: d}, [x]]\nl: [1, 2]\ns: str\nn: null\n";
        match store(Format::Yaml).load_plain(text) {
            Ok(t) => t.branches.into_iter().next().unwrap_or_default(),
            Err(e) => panic!("doc: {e}"),
        }
    });
    let _ = sops_rs::treepath::lookup(doc, &path);
    let _ = sops_rs::treepath::set(&mut doc.clone(), &path, Value::Int(1));
    let _ = sops_rs::treepath::unset(&mut doc.clone(), &path);
}

/// `.sops.yaml` parsing and rule matching.
pub fn config(data: &[u8]) {
    if let Ok(cfg) = sops_rs::config::Config::parse(data, PathBuf::from("/fz/.sops.yaml")) {
        let _ = cfg.rules();
        let _ = cfg.rule_for(Path::new("/fz/prod/a.yaml"), Path::new("/fz"));
    }
}

/// `--encryption-context`.
pub fn encryption_context(data: &[u8]) {
    let _ = sops_rs::keys::kms::parse_encryption_context(&String::from_utf8_lossy(data));
}

/// age recipients (`--age`, metadata `recipient`).
pub fn age_recipient(data: &[u8]) {
    let _ = sops_rs::keys::age::AgeKey::new(&String::from_utf8_lossy(data));
}

/// `SOPS_AGE_KEY` identity files, tried against a real wrapped data key.
pub fn age_identity(data: &[u8]) {
    let env = age_env(&String::from_utf8_lossy(data));
    let _ = sops_rs::ops::recover_key_with(&basic_file().metadata, &age_order(), &env);
}

/// The armored age `enc` block and its stanzas, with the right identity.
pub fn age_armor(data: &[u8]) {
    let mut entry = Map::default();
    for (k, v) in [
        ("recipient", RECIPIENT1.to_string()),
        ("enc", String::from_utf8_lossy(data).into_owned()),
    ] {
        entry.items.push(Item {
            key: Key::Str(k.into()),
            value: Value::Str(v.into()),
        });
    }
    if let Ok(key) = sops_rs::keys::age::AgeKey::from_metadata(&entry) {
        let _ = key.decrypt_with(&age_env(&key_text(1)));
    }
}

/// Whole-file decryption (first byte picks the format): never panics with the right key,
/// never succeeds with a wrong or absent one.
pub fn decrypt(data: &[u8]) {
    let Some((&sel, input)) = data.split_first() else {
        return;
    };
    let st = store(FORMATS[usize::from(sel) % FORMATS.len()].0);
    let _ = decrypt_with(input, st.as_ref(), &age_env(&key_text(1)));
    if let Ok(out) = decrypt_with(input, st.as_ref(), &age_env(&key_text(3))) {
        panic!(
            "decrypted with a wrong key: {:?}",
            String::from_utf8_lossy(&out)
        );
    }
    if decrypt_with(input, st.as_ref(), &age_env("")).is_ok() {
        panic!("decrypted with no key");
    }
}

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

const RECIPIENT1: &str = "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr";

fn age_env(identities: &str) -> Environment {
    Environment::from_vars([
        ("SOPS_AGE_KEY", identities),
        ("HOME", "/nonexistent-fuzz-home"),
    ])
}

fn age_order() -> DecryptionOrder {
    DecryptionOrder(vec!["age".into()])
}

/// `$SOPS_RS_VECTORS/generated-sops-3.11.0`, else `../../shared/vectors/…` from this crate.
pub fn generated() -> PathBuf {
    std::env::var_os("SOPS_RS_VECTORS")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"))
        .join("generated-sops-3.11.0")
}

fn read(path: &Path) -> Vec<u8> {
    match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

fn key_text(n: usize) -> &'static str {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        (1..=3)
            .map(|i| {
                String::from_utf8_lossy(&read(&generated().join(format!("keys/age{i}.keys.txt"))))
                    .into_owned()
            })
            .collect()
    });
    keys.get(n - 1).map(String::as_str).unwrap_or("")
}

fn basic_file() -> &'static sops_rs::ops::EncryptedFile {
    static F: OnceLock<sops_rs::ops::EncryptedFile> = OnceLock::new();
    F.get_or_init(|| {
        let enc = read(&generated().join("cases/yaml-basic.enc.yaml"));
        match sops_rs::ops::load_encrypted_file(&enc, store(Format::Yaml).as_ref()) {
            Ok(f) => f,
            Err(e) => panic!("yaml-basic: {e}"),
        }
    })
}

/// Valid inputs for `target` taken from the golden vectors (the seed corpus).
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    let cases = generated().join("cases");
    let mut names: Vec<String> = std::fs::read_dir(&cases)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let with_format = |infix: &str, flag: u8| -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for n in &names {
            if let Some(i) = FORMATS.iter().position(|(_, ext)| n.ends_with(ext)) {
                if n.contains(infix) {
                    let mut v = vec![i as u8 | flag];
                    v.extend(read(&cases.join(n)));
                    out.push(v);
                }
            }
        }
        out
    };
    let lines = |xs: &[&str]| xs.iter().map(|s| s.as_bytes().to_vec()).collect();
    match target {
        "stores" => {
            let mut v = with_format(".plain.", 0);
            v.extend(with_format(".enc.", 0x80));
            v
        }
        "decrypt" => with_format(".enc.", 0)
            .into_iter()
            .filter(|v| {
                !String::from_utf8_lossy(v).contains("pgp:")
                    && !String::from_utf8_lossy(v).contains("kms:")
            })
            .collect(),
        "enc_value" => {
            let text =
                String::from_utf8_lossy(&read(&cases.join("yaml-scalars.enc.yaml"))).into_owned();
            text.split("ENC[")
                .skip(1)
                .filter_map(|p| {
                    p.find(']')
                        .map(|e| format!("ENC[{}]", &p[..e]).into_bytes())
                })
                .collect()
        }
        "treepath" => lines(&[
            "[\"a\"]",
            "[\"a\"][\"b\"][1][\"c\"]",
            "[\"l\"][-1]",
            "[0]",
            "[\"x\\\"y\"][\"\"]",
        ]),
        "config" => {
            let mut v: Vec<Vec<u8>> = lines(&[
                "creation_rules:\n  - path_regex: \\.yaml$\n    age: age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr\n    encrypted_regex: ^(data)$\n",
                "creation_rules:\n  - path_regex: prod/.*\n    shamir_threshold: 2\n    key_groups:\n      - age: [age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr]\n        kms:\n          - arn: arn:aws:kms:us-east-1:1:key/x\n            context: {a: b}\n      - pgp: [ABCDEF]\nstores:\n  yaml:\n    indent: 2\n",
            ]);
            let repo = generated().join("../sops-repo/functional-tests/.sops.yaml");
            if let Ok(b) = std::fs::read(repo) {
                v.push(b);
            }
            v
        }
        "encryption_context" => lines(&["a:b,c:d", "k:v", ""]),
        "age_recipient" => lines(&[RECIPIENT1]),
        "age_identity" => (1..=3).map(|n| key_text(n).as_bytes().to_vec()).collect(),
        "age_armor" => {
            let text =
                String::from_utf8_lossy(&read(&cases.join("yaml-basic.enc.yaml"))).into_owned();
            text.split("enc: |\n")
                .skip(1)
                .filter_map(|rest| {
                    rest.split_once("-----END AGE ENCRYPTED FILE-----")
                        .map(|(body, _)| {
                            let l: String = body
                                .lines()
                                .map(|l| format!("{}\n", l.trim_start()))
                                .collect();
                            format!("{l}-----END AGE ENCRYPTED FILE-----\n").into_bytes()
                        })
                })
                .collect()
        }
        _ => Vec::new(),
    }
}
