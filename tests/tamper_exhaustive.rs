//! Exhaustive tamper resistance (issue #11 item 2): every single-byte change to
//! every `ENC[…]` field, the `mac`, `lastmodified` and the wrapped age key, and
//! every structural change (swap, move, drop, add, YAML documents, type tags,
//! selection rule, `mac_only_encrypted`) of sops-written files of each store.
//!
//! Property: each variant is refused (`Err`) or decrypts to exactly the original
//! plaintext. The only exceptions are what sops 3.11 itself accepts because it
//! does not authenticate it — encrypted comments (not in the MAC; one that does
//! not decrypt is kept as ciphertext with a warning), the type tag (not in the
//! AAD; a value whose bytes parse as the new type keeps its MAC) and, with
//! `mac_only_encrypted`, clear values — and there the output must be
//! byte-identical to the real sops (checked with the oracle on every such
//! structural variant and an even sample of the byte-level ones).
//!
//! Every refusal's message (in process) and a sample of refused runs of the
//! built binary (stdout and stderr) are searched for each encrypted plaintext of
//! at least 4 characters. This found that a retyped value's parse error quoted
//! the plaintext, as sops's does (now redacted in `src/cipher.rs`). `type:bytes`
//! on a value makes sops 3.11 panic (exit 2); sops-rs decrypts the authenticated
//! bytes and that case is counted separately.
//!
//! In process through the library so tens of thousands of variants run in
//! seconds; the data key is recovered once per file and reused for every
//! variant that leaves the wrapped key untouched (the others unwrap it again).

mod common;

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use sops_rs::datakey::DataKey;
use sops_rs::keys::DecryptionOrder;
use sops_rs::keys::environment::Environment;
use sops_rs::ops::{decrypt_file, load_encrypted_file, recover_key_with};
use sops_rs::store::{Format, Store, StoreOptions, for_format};
use sops_rs::tree::{Item, Key, Map, Tree, Value, text};

use common::{age_key, case, oracle_path, read};

/// The files under test: (case file, store).
const CASES: &[(&str, Format)] = &[
    ("yaml-basic.enc.yaml", Format::Yaml),
    ("json-basic.enc.json", Format::Json),
    ("dotenv-basic.enc.env", Format::Dotenv),
    ("ini-basic.enc.ini", Format::Ini),
    ("binary-basic.enc.bin", Format::Binary),
    ("yaml-comments.enc.yaml", Format::Yaml),
    ("yaml-mac-only-encrypted.enc.yaml", Format::Yaml),
];

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const AGE_BEGIN: &str = "-----BEGIN AGE ENCRYPTED FILE-----";
const AGE_END: &str = "-----END AGE ENCRYPTED FILE-----";
const TYPES: &[&str] = &["str", "int", "float", "bool", "bytes", "time", "comment"];
/// Byte-level variants sops accepts with a different output that are re-run through the oracle.
const ORACLE_SAMPLE: usize = 12;

fn env() -> Environment {
    Environment::from_vars([(
        "SOPS_AGE_KEY_FILE",
        age_key(1).to_string_lossy().into_owned(),
    )])
}

fn store(format: Format) -> Box<dyn Store> {
    for_format(format, StoreOptions::default()).unwrap()
}

#[derive(PartialEq)]
enum Outcome {
    /// The error's message.
    Refused(String),
    Same,
    Different(Vec<u8>),
}

/// What `sops -d` would do, in process: load, (recover the key,) decrypt, verify the MAC, emit.
fn decrypt(input: &[u8], store: &dyn Store, key: Option<&DataKey>, original: &[u8]) -> Outcome {
    let run = || -> sops_rs::error::Result<Vec<u8>> {
        let mut file = load_encrypted_file(input, store)?;
        let recovered;
        let key = match key {
            Some(k) => k,
            None => {
                recovered = recover_key_with(&file.metadata, &DecryptionOrder::default(), &env())?;
                &recovered
            }
        };
        decrypt_file(&mut file, key, false)?;
        store.emit_plain(&file.tree)
    };
    match run() {
        Err(e) => Outcome::Refused(e.to_string()),
        Ok(out) if out == original => Outcome::Same,
        Ok(out) => Outcome::Different(out),
    }
}

/// What the real sops prints for `input` (stdout when it succeeds, else its exit code).
fn oracle(input: &[u8], file: &str) -> Result<Vec<u8>, i32> {
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "sops-rs-tamperx-{}-{}",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file);
    std::fs::write(&path, input).unwrap();
    let out = Command::new(oracle_path())
        .arg("--disable-version-check")
        .arg("-d")
        .arg(&path)
        .env_clear()
        .env("SOPS_AGE_KEY_FILE", age_key(1))
        .env("HOME", &dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(out.status.code().unwrap_or(-1))
    }
}

/// Where single bytes get changed.
#[derive(Clone, Copy, PartialEq)]
enum Region {
    /// An `ENC[…]` value (data, iv, tag, type) other than an encrypted comment and the MAC.
    Value,
    /// An encrypted comment: sops does not authenticate comments.
    Comment,
    Mac,
    LastModified,
    AgeKey,
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Every byte position to change, with what it belongs to.
fn positions(input: &[u8]) -> Vec<(usize, Region)> {
    let mut out = Vec::new();
    let mac_at = find(input, b"mac", find(input, b"lastmodified", 0).unwrap_or(0));
    let mut from = 0;
    while let Some(start) = find(input, b"ENC[", from) {
        let end = find(input, b"]", start).unwrap() + 1;
        let field = &input[start..end];
        let region = if find(field, b"type:comment]", 0).is_some() {
            Region::Comment
        } else if find(input, b"ENC[", mac_at.unwrap_or(usize::MAX)) == Some(start) {
            Region::Mac
        } else {
            Region::Value
        };
        out.extend((start..end).map(|i| (i, region)));
        from = end;
    }
    let lm = find(input, b"lastmodified", 0).unwrap();
    let digits = lm + input[lm..].iter().position(u8::is_ascii_digit).unwrap();
    let z = find(input, b"Z", digits).unwrap();
    out.extend((digits..=z).map(|i| (i, Region::LastModified)));
    let begin = find(input, AGE_BEGIN.as_bytes(), 0).unwrap();
    let end = find(input, AGE_END.as_bytes(), begin).unwrap() + AGE_END.len();
    out.extend(
        (begin..end)
            .filter(|&i| B64.contains(&input[i]) || input[i] == b'-' || input[i] == b'=')
            .map(|i| (i, Region::AgeKey)),
    );
    out
}

/// Two other base64-alphabet bytes for `b`.
fn replacements(b: u8) -> [u8; 2] {
    let i = B64.iter().position(|&c| c == b).unwrap_or(b as usize % 64);
    [B64[(i + 1) % 64], B64[(i + 33) % 64]]
}

#[derive(Default)]
struct Counts {
    tried: usize,
    refused: usize,
    same: usize,
    /// Accepted with another output where sops accepts too (comments, type tags, clear values).
    as_sops: usize,
    oracle_checked: usize,
    /// Accepted where sops 3.11 panics (exit 2) instead: `type:bytes`.
    sops_panics: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "tried {} / refused {} / accepted-identical {} / accepted-different-like-sops {} / accepted-where-sops-panics {} (oracle-checked {})",
            self.tried,
            self.refused,
            self.same,
            self.as_sops,
            self.sops_panics,
            self.oracle_checked
        )
    }
}

/// Every single-byte change; returns the counts and failures.
fn byte_variants(file: &str, format: Format, failures: &mut Vec<String>) -> Counts {
    let input = read(case(file));
    let store = store(format);
    let original = expected_plain(file);
    let secrets = printed_secrets(file, format, &original);
    let key = {
        let f = load_encrypted_file(&input, store.as_ref()).unwrap();
        recover_key_with(&f.metadata, &DecryptionOrder::default(), &env()).unwrap()
    };
    assert!(decrypt(&input, store.as_ref(), Some(&key), &original) == Outcome::Same);
    let mut counts = Counts::default();
    let mut different = Vec::new();
    let mut variant = input.clone();
    for (pos, region) in positions(&input) {
        for b in replacements(input[pos]) {
            variant[pos] = b;
            let key = (region != Region::AgeKey).then_some(&key);
            counts.tried += 1;
            match decrypt(&variant, store.as_ref(), key, &original) {
                Outcome::Refused(msg) => {
                    counts.refused += 1;
                    leaks(file, &msg, &secrets, failures);
                }
                Outcome::Same => counts.same += 1,
                Outcome::Different(out) if region == Region::Comment => {
                    // sops keeps a comment that does not decrypt as its ciphertext: the
                    // output is the original with exactly that one line replaced.
                    let (a, b) = (original.split(|&c| c == b'\n'), out.split(|&c| c == b'\n'));
                    let (a, b): (Vec<_>, Vec<_>) = (a.collect(), b.collect());
                    let changed: Vec<_> = a.iter().zip(&b).filter(|(x, y)| x != y).collect();
                    if a.len() != b.len()
                        || changed.len() != 1
                        || !changed.iter().all(|(_, y)| {
                            // Still ciphertext: one byte cannot remove all three field names.
                            [&b"data:"[..], b",iv:", b",tag:"]
                                .iter()
                                .any(|f| find(y, f, 0).is_some())
                        })
                    {
                        failures.push(format!(
                            "{file}: byte {pos} of a comment changes more than that comment"
                        ));
                    }
                    counts.as_sops += 1;
                    different.push((variant.clone(), out));
                }
                Outcome::Different(_) => failures.push(format!(
                    "{file}: byte {pos} -> {:?} accepted with a different output",
                    b as char
                )),
            }
        }
        variant[pos] = input[pos];
    }
    let step = different.len().div_ceil(ORACLE_SAMPLE).max(1);
    for (variant, ours) in different.iter().step_by(step) {
        counts.oracle_checked += 1;
        if oracle(variant, file).as_deref() != Ok(ours.as_slice()) {
            failures.push(format!(
                "{file}: a comment byte change sops-rs accepts differs from sops"
            ));
        }
    }
    counts
}

/// What `sops -d` printed for the case (the golden `.dec.` file).
fn expected_plain(file: &str) -> Vec<u8> {
    read(case(&file.replacen(".enc.", ".dec.", 1)))
}

// ---------------------------------------------------------------------------
// Structural changes, made on the loaded tree and re-emitted by the same store.

/// Index path from a branch to a value: branch, then item/element indices.
type Path_ = Vec<usize>;

fn value_at<'a>(tree: &'a mut Tree, path: &[usize]) -> Option<&'a mut Value> {
    let (b, rest) = path.split_first()?;
    let (i, rest) = rest.split_first()?;
    let mut v = &mut tree.branches.get_mut(*b)?.items.get_mut(*i)?.value;
    for &i in rest {
        v = match v {
            Value::Map(m) => &mut m.items.get_mut(i)?.value,
            Value::List(l) => l.get_mut(i)?,
            _ => return None,
        };
    }
    Some(v)
}

fn map_at<'a>(tree: &'a mut Tree, path: &[usize]) -> Option<&'a mut Map> {
    if let [b] = path {
        return tree.branches.get_mut(*b);
    }
    match value_at(tree, path)? {
        Value::Map(m) => Some(m),
        _ => None,
    }
}

/// All leaves (value paths) and all maps (paths) of the tree.
fn walk(tree: &Tree) -> (Vec<Path_>, Vec<Path_>) {
    fn value(v: &Value, path: &mut Path_, leaves: &mut Vec<Path_>, maps: &mut Vec<Path_>) {
        match v {
            Value::Map(m) => map(m, path, leaves, maps),
            Value::List(l) => {
                for (i, v) in l.iter().enumerate() {
                    path.push(i);
                    value(v, path, leaves, maps);
                    path.pop();
                }
            }
            _ => leaves.push(path.clone()),
        }
    }
    fn map(m: &Map, path: &mut Path_, leaves: &mut Vec<Path_>, maps: &mut Vec<Path_>) {
        maps.push(path.clone());
        for (i, item) in m.items.iter().enumerate() {
            if matches!(item.key, Key::Comment(_)) {
                continue;
            }
            path.push(i);
            value(&item.value, path, leaves, maps);
            path.pop();
        }
    }
    let (mut leaves, mut maps) = (Vec::new(), Vec::new());
    for (b, m) in tree.branches.iter().enumerate() {
        map(m, &mut vec![b], &mut leaves, &mut maps);
    }
    (leaves, maps)
}

fn is_encrypted(v: &Value) -> bool {
    matches!(v, Value::Str(s) | Value::Comment(s) if s.starts_with("ENC["))
}

/// Why sops may accept a structural variant with a different output.
#[derive(Clone, Copy, PartialEq)]
enum Unauthenticated {
    No,
    /// Comments, type tags, and (with `mac_only_encrypted`) clear values: compare with sops.
    LikeSops,
    /// `type:bytes` on a value: sops 3.11 panics in its decrypt cache ("hash of
    /// unhashable type []uint8", exit 2). sops-rs decrypts it: data and path are
    /// still authenticated by GCM and the MAC, only the rendering differs.
    SopsPanics,
}

fn structural_variants(file: &str, format: Format) -> Vec<(String, Tree, Map, Unauthenticated)> {
    let input = read(case(file));
    let store = store(format);
    let (tree, meta) = store.load_encrypted(&input).unwrap();
    let (leaves, maps) = walk(&tree);
    let enc: Vec<&Path_> = leaves
        .iter()
        .filter(|p| value_at(&mut tree.clone(), p).is_some_and(|v| is_encrypted(v)))
        .collect();
    let mut out = Vec::new();
    let mut push = |what: String, t: Tree, m: Map, u: Unauthenticated| out.push((what, t, m, u));
    // Swap two encrypted values, and copy one over any other leaf.
    for (n, a) in enc.iter().enumerate() {
        for b in &enc[n + 1..] {
            let mut t = tree.clone();
            let va = value_at(&mut t, a).unwrap().clone();
            let vb = std::mem::replace(value_at(&mut t, b).unwrap(), va);
            *value_at(&mut t, a).unwrap() = vb;
            push(
                format!("swap {a:?} {b:?}"),
                t,
                meta.clone(),
                Unauthenticated::No,
            );
        }
        for b in leaves.iter().filter(|b| b != a) {
            let mut t = tree.clone();
            let va = value_at(&mut t, a).unwrap().clone();
            *value_at(&mut t, b).unwrap() = va;
            push(
                format!("copy {a:?} over {b:?}"),
                t,
                meta.clone(),
                Unauthenticated::No,
            );
        }
        // Change the type tag to every other type (sops does not authenticate it).
        let Some(Value::Str(s)) = value_at(&mut tree.clone(), a).cloned() else {
            continue;
        };
        let Some(at) = s.rfind(",type:") else {
            continue;
        };
        for ty in TYPES {
            let mut t = tree.clone();
            *value_at(&mut t, a).unwrap() = Value::Str(text(format!("{},type:{ty}]", &s[..at])));
            let why = if *ty == "bytes" {
                Unauthenticated::SopsPanics
            } else {
                Unauthenticated::LikeSops
            };
            push(format!("type {a:?} {ty}"), t, meta.clone(), why);
        }
    }
    // Move (rename the key of), drop, or add items in every map.
    for m in &maps {
        let items = map_at(&mut tree.clone(), m).unwrap().items.len();
        for i in 0..items {
            let mut t = tree.clone();
            let map = map_at(&mut t, m).unwrap();
            let item = map.items.remove(i);
            let comment = matches!(item.key, Key::Comment(_));
            push(
                format!("drop {m:?}[{i}]"),
                t.clone(),
                meta.clone(),
                if comment {
                    Unauthenticated::LikeSops
                } else {
                    Unauthenticated::No
                },
            );
            if let Key::Str(k) = &item.key {
                for new in [format!("{k}x"), "moved".to_string()] {
                    let mut t2 = t.clone();
                    map_at(&mut t2, m).unwrap().items.insert(
                        i,
                        Item {
                            key: Key::Str(new.clone()),
                            value: item.value.clone(),
                        },
                    );
                    push(
                        format!("rename {m:?}[{i}] to {new}"),
                        t2,
                        meta.clone(),
                        Unauthenticated::No,
                    );
                }
            }
        }
        for (k, u) in [
            ("added", Unauthenticated::No),
            ("added_unencrypted", Unauthenticated::LikeSops),
        ] {
            let mut t = tree.clone();
            map_at(&mut t, m)
                .unwrap()
                .push(k, Value::str("clear value"));
            push(format!("add {k} in {m:?}"), t, meta.clone(), u);
        }
    }
    // YAML documents.
    if format == Format::Yaml {
        let mut t = tree.clone();
        t.branches.push(t.branches[0].clone());
        push(
            "duplicate document".into(),
            t,
            meta.clone(),
            Unauthenticated::No,
        );
        let mut t = tree.clone();
        t.branches.push(Map::new());
        push(
            "add empty document".into(),
            t,
            meta.clone(),
            Unauthenticated::No,
        );
        let mut t = tree.clone();
        t.branches.push({
            let mut m = Map::new();
            m.push("extra", Value::str("clear value"));
            m
        });
        push(
            "add clear document".into(),
            t,
            meta.clone(),
            Unauthenticated::No,
        );
        let mut t = tree.clone();
        t.branches.clear();
        push(
            "drop the document".into(),
            t,
            meta.clone(),
            Unauthenticated::No,
        );
    }
    // Selection rule and mac_only_encrypted.
    const RULES: &[&str] = &[
        "unencrypted_suffix",
        "encrypted_suffix",
        "unencrypted_regex",
        "encrypted_regex",
        "unencrypted_comment_regex",
        "encrypted_comment_regex",
    ];
    let mut bare = meta.clone();
    bare.items
        .retain(|i| !matches!(&i.key, Key::Str(k) if RULES.contains(&k.as_str())));
    push(
        "remove the rule".into(),
        tree.clone(),
        bare.clone(),
        Unauthenticated::No,
    );
    for rule in RULES {
        for val in ["_unencrypted", "", "x", ".*", "^$", "^hello$"] {
            let mut m = bare.clone();
            m.push(*rule, Value::str(val));
            push(
                format!("rule {rule}={val:?}"),
                tree.clone(),
                m,
                Unauthenticated::No,
            );
        }
    }
    for flag in [Value::Bool(true), Value::Bool(false)] {
        let mut m = meta.clone();
        m.items
            .retain(|i| !matches!(&i.key, Key::Str(k) if k == "mac_only_encrypted"));
        m.push("mac_only_encrypted", flag);
        push(
            "set mac_only_encrypted".into(),
            tree.clone(),
            m,
            Unauthenticated::No,
        );
    }
    let mut m = meta.clone();
    m.items
        .retain(|i| !matches!(&i.key, Key::Str(k) if k == "mac_only_encrypted"));
    push(
        "remove mac_only_encrypted".into(),
        tree.clone(),
        m,
        Unauthenticated::No,
    );
    out
}

fn structural(file: &str, format: Format, failures: &mut Vec<String>) -> Counts {
    let input = read(case(file));
    let store = store(format);
    let original = expected_plain(file);
    let secrets = printed_secrets(file, format, &original);
    let key = {
        let f = load_encrypted_file(&input, store.as_ref()).unwrap();
        recover_key_with(&f.metadata, &DecryptionOrder::default(), &env()).unwrap()
    };
    let mut counts = Counts::default();
    // The unchanged tree re-emitted must still decrypt to the original (else every variant is vacuous).
    let (tree, meta) = store.load_encrypted(&input).unwrap();
    let same = store.emit_encrypted(&tree, &meta).unwrap();
    assert!(
        decrypt(&same, store.as_ref(), Some(&key), &original) == Outcome::Same,
        "{file}: re-emitted unchanged file does not decrypt to the original"
    );
    for (what, tree, meta, unauth) in structural_variants(file, format) {
        let Ok(bytes) = store.emit_encrypted(&tree, &meta) else {
            continue; // not representable in this store (e.g. a nested value in dotenv)
        };
        counts.tried += 1;
        match decrypt(&bytes, store.as_ref(), Some(&key), &original) {
            Outcome::Refused(msg) => {
                counts.refused += 1;
                leaks(file, &msg, &secrets, failures);
            }
            Outcome::Same => counts.same += 1,
            Outcome::Different(ours) => {
                // sops authenticates neither comments nor type tags, nor clear values
                // with mac_only_encrypted: accepted only where sops prints the same.
                counts.oracle_checked += 1;
                let theirs = oracle(&bytes, file);
                if theirs.as_deref() == Ok(ours.as_slice()) {
                    counts.as_sops += 1;
                } else if unauth == Unauthenticated::SopsPanics && theirs == Err(2) {
                    counts.sops_panics += 1;
                } else {
                    failures.push(format!(
                        "{file}: {what}: accepted with a different output (sops {})",
                        match theirs {
                            Err(code) => format!("refuses with exit {code}"),
                            Ok(_) => "prints something else".to_string(),
                        }
                    ));
                }
            }
        }
    }
    counts
}

fn check(f: fn(&str, Format, &mut Vec<String>) -> Counts, label: &str) {
    let mut failures = Vec::new();
    let mut report = String::new();
    let mut total = Counts::default();
    // One thread per file: the variants are independent and this halves the wall time on 2 cores.
    let results: Vec<(Counts, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = CASES
            .iter()
            .map(|(file, format)| {
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    let c = f(file, *format, &mut failures);
                    (c, failures)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((file, _), (c, fails)) in CASES.iter().zip(results) {
        failures.extend(fails);
        report.push_str(&format!("\n  {file}: {c}"));
        total.tried += c.tried;
        total.refused += c.refused;
        total.same += c.same;
        total.as_sops += c.as_sops;
        total.oracle_checked += c.oracle_checked;
        total.sops_panics += c.sops_panics;
    }
    report.push_str(&format!("\n  total: {total}"));
    eprintln!("{label}:{report}");
    assert!(
        failures.is_empty(),
        "{label}: {} failures:\n{}\n{report}",
        failures.len(),
        failures
            .iter()
            .take(80)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        total.tried > 0 && total.refused > 0,
        "{label}: nothing tried{report}"
    );
}

#[test]
fn every_single_byte_change_is_refused_or_harmless() {
    check(byte_variants, "single-byte changes");
}

#[test]
fn every_structural_change_is_refused_or_harmless() {
    check(structural, "structural changes");
}

// ---------------------------------------------------------------------------
// CLI sample: refused runs of the built binary print no plaintext.

/// The plaintext of every value and comment that is encrypted in `file`, as
/// text of at least 4 characters (booleans are left out: `false`/`true` are words
/// error messages may contain without leaking anything).
fn secrets(file: &str, format: Format) -> Vec<String> {
    let input = read(case(file));
    let store = store(format);
    let mut f = load_encrypted_file(&input, store.as_ref()).unwrap();
    let (leaves, maps) = walk(&f.tree);
    let enc_leaves: Vec<Path_> = leaves
        .into_iter()
        .filter(|p| value_at(&mut f.tree, p).is_some_and(|v| is_encrypted(v)))
        .collect();
    let mut enc_comments = Vec::new();
    for m in &maps {
        for (i, item) in map_at(&mut f.tree, m).unwrap().items.iter().enumerate() {
            if matches!(&item.key, Key::Comment(c) if c.trim_start().starts_with("ENC[")) {
                enc_comments.push((m.clone(), i));
            }
        }
    }
    let key = recover_key_with(&f.metadata, &DecryptionOrder::default(), &env()).unwrap();
    decrypt_file(&mut f, &key, false).unwrap();
    let mut out = Vec::new();
    for p in &enc_leaves {
        match value_at(&mut f.tree, p).unwrap() {
            Value::Str(s) | Value::Comment(s) => out.push(s.to_string()),
            Value::Bytes(b) => out.push(String::from_utf8_lossy(b).into_owned()),
            Value::Int(i) => out.push(i.to_string()),
            Value::Uint64(i) => out.push(i.to_string()),
            Value::Float(x) => out.push(x.to_string()),
            _ => {}
        }
    }
    for (m, i) in &enc_comments {
        if let Key::Comment(c) = &map_at(&mut f.tree, m).unwrap().items[*i].key {
            out.push(c.to_string());
        }
    }
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| s.chars().count() >= 4)
        .collect()
}

/// The encrypted plaintexts of `file` as `decrypt` prints them (a float or an
/// escaped JSON string is spelled differently in the tree), at least 4 characters.
fn printed_secrets(file: &str, format: Format, original: &[u8]) -> Vec<String> {
    // The binary store's one value is the whole file: look for each of its lines.
    let all = if format == Format::Binary {
        String::from_utf8_lossy(original)
            .split(['\n', '\0'])
            .map(|l| l.trim().to_string())
            .filter(|l| l.chars().count() >= 4)
            .collect()
    } else {
        secrets(file, format)
    };
    all.into_iter()
        .filter(|s| original.windows(s.len()).any(|w| w == s.as_bytes()))
        // A secret that is a word of sops's own messages ("Could not decrypt value") cannot be told apart.
        .filter(|s| !MESSAGE_WORDS.contains(&s.as_str()))
        .collect()
}

/// Records a failure when a refusal's message contains a secret.
fn leaks(file: &str, msg: &str, secrets: &[String], failures: &mut Vec<String>) {
    for s in secrets {
        if msg.contains(s.as_str()) {
            failures.push(format!(
                "{file}: an error message contains the plaintext of a value ({} chars)",
                s.len()
            ));
        }
    }
}

/// Plaintexts of the vectors that also occur in fixed error wording.
const MESSAGE_WORDS: &[&str] = &["value"];

#[test]
fn refused_cli_runs_print_no_plaintext() {
    let dir = std::env::temp_dir().join(format!("sops-rs-tamperx-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut runs, mut refused, mut secrets_seen) = (0, 0, 0);
    let mut failures = Vec::new();
    for (file, format) in CASES {
        let input = read(case(file));
        let store = store(*format);
        let original = expected_plain(file);
        // As printed by `decrypt` (a float or an escaped JSON string is spelled differently in the tree).
        let secrets = printed_secrets(file, *format, &original);
        assert!(!secrets.is_empty(), "{file}: no secret to look for");
        secrets_seen += secrets.len();
        // Byte changes spread over every region, then a few structural ones.
        let pos = positions(&input);
        let mut variants: Vec<Vec<u8>> = pos
            .iter()
            .step_by(pos.len().div_ceil(6))
            .map(|&(p, _)| {
                let mut v = input.clone();
                v[p] = replacements(input[p])[0];
                v
            })
            .collect();
        let structural = structural_variants(file, *format);
        variants.extend(
            structural
                .iter()
                .step_by(structural.len().div_ceil(3))
                .filter_map(|(_, t, m, _)| store.emit_encrypted(t, m).ok()),
        );
        for variant in variants {
            let path = dir.join(file);
            std::fs::write(&path, &variant).unwrap();
            let out = Command::new(common::sops_rs_path())
                .arg("decrypt")
                .arg(&path)
                .env_clear()
                .env("SOPS_AGE_KEY_FILE", age_key(1))
                .env("HOME", &dir)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            runs += 1;
            let in_process = decrypt(&variant, store.as_ref(), None, &original);
            if out.status.success() {
                let expected = match &in_process {
                    Outcome::Same => Some(original.as_slice()),
                    Outcome::Different(o) => Some(o.as_slice()),
                    Outcome::Refused(_) => None,
                };
                if expected != Some(out.stdout.as_slice()) {
                    failures.push(format!("{file}: CLI and library disagree on a variant"));
                }
                continue;
            }
            refused += 1;
            if !matches!(in_process, Outcome::Refused(_)) {
                failures.push(format!("{file}: CLI refuses what the library accepts"));
            }
            // The file's own name (in hints) is not a value, even when a value
            // reads like it ("binary" in binary-basic.enc.bin).
            let shown_path = path.display().to_string();
            for s in &secrets {
                for (name, stream) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                    let stream = String::from_utf8_lossy(stream).replace(&shown_path, "<file>");
                    let stream = stream.as_bytes();
                    if stream.windows(s.len()).any(|w| w == s.as_bytes()) {
                        failures.push(format!(
                            "{file}: a refused run printed the plaintext of a value ({} chars) on {name}: {:?} in {:?}",
                            s.len(), s, String::from_utf8_lossy(stream)
                        ));
                    }
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let report =
        format!("CLI sample: {runs} runs, {refused} refused, {secrets_seen} secrets searched");
    eprintln!("{report}");
    assert!(failures.is_empty(), "{}\n{report}", failures.join("\n"));
    assert!(runs >= 30 && refused >= 20, "{report}");
}
