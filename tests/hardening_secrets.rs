//! Secrets in memory, checked on the types: data keys, Shamir shares, key
//! material recovered by master keys and decrypted values are zeroizing types
//! (checked by the compiler where the type is public, by reading the source
//! where it is private), and nothing holding them derives or implements a
//! printing `Debug`/`Display`.

use std::path::{Path, PathBuf};

use sops_rs::datakey::DataKey;
use sops_rs::keys::MasterKey;
use sops_rs::keys::shamir::{self, ShamirError};
use sops_rs::tree::{Item, Key, Map, Text, Tree, Value, text};
use zeroize::{ZeroizeOnDrop, Zeroizing};

/// Secret bytes as every key-handling function must return them.
type SecretBytes = Zeroizing<Vec<u8>>;
/// Shamir's split: the shares.
type Shares = Result<Vec<SecretBytes>, ShamirError>;

/// Compiles only for types that wipe themselves when dropped.
fn zeroizes<T: ZeroizeOnDrop>() {}

#[test]
fn secret_holding_types_zeroize_on_drop() {
    zeroizes::<Text>();
    zeroizes::<Zeroizing<Vec<u8>>>();
    zeroizes::<Zeroizing<[u8; 32]>>();
    // Shamir shares and the recombined secret.
    let _split: fn(&[u8], usize, usize) -> Shares = shamir::split;
    let _combine: fn(&[&[u8]]) -> Result<SecretBytes, ShamirError> = shamir::combine;
    // What a master key recovers (the data key, or a Shamir share of it).
    let _decrypt: fn(&MasterKey) -> sops_rs::error::Result<SecretBytes> = MasterKey::decrypt;
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(src().join(rel)).unwrap()
}

#[test]
fn private_key_fields_are_zeroizing() {
    // Private fields cannot be named from here: read their declarations.
    let checks = [
        ("datakey.rs", "pub struct DataKey(Zeroizing<[u8; 32]>);"),
        ("cipher.rs", "key: Zeroizing<[u8; 32]>,"),
        ("tree.rs", "pub type Text = Zeroizing<String>;"),
        ("tree.rs", "Bytes(Zeroizing<Vec<u8>>),"),
    ];
    for (file, decl) in checks {
        assert!(
            read(file).contains(decl),
            "src/{file} no longer declares `{decl}`: keep key material in Zeroizing"
        );
    }
    // age identities are read into zeroizing buffers before the age crate
    // parses them (its x25519 identity zeroizes its scalar on drop).
    let source = read("keys/age/identities.rs");
    // Only the code outside the unit tests handles real identities.
    let identities = source.split("#[cfg(test)]").next().unwrap_or_default();
    assert!(identities.contains("fn read_file(path: &str) -> Result<Zeroizing<Vec<u8>>"));
    assert!(!identities.contains("read_to_string"));
}

#[test]
fn debug_never_prints_secrets() {
    let key = DataKey::from_slice(&[0x41; 32]).unwrap();
    let shown = format!("{key:?}");
    // 0x41 is 65 and 'A': none of its renderings may appear.
    assert!(
        !shown.contains("65") && !shown.contains("41") && !shown.contains("AA"),
        "{shown}"
    );
    let tree = Tree {
        branches: vec![Map {
            items: vec![
                Item {
                    key: Key::Str("password".into()),
                    value: Value::Str(text("hunter2")),
                },
                Item {
                    key: Key::Comment(text(" hunter3")),
                    value: Value::Null,
                },
                Item {
                    key: Key::Str("list".into()),
                    value: Value::List(vec![
                        Value::Bytes(Zeroizing::new(b"hunter4".to_vec())),
                        Value::Comment(text("hunter5")),
                    ]),
                },
            ],
        }],
    };
    let shown = format!("{tree:?} {:?}", tree.branches[0].items[0]);
    for secret in ["hunter2", "hunter3", "hunter4", "hunter5"] {
        assert!(!shown.contains(secret), "Debug shows {secret}: {shown}");
    }
    assert!(shown.contains("password"), "keys are not secret: {shown}");
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The item (struct/enum) following a `#[derive(...)]` at `at`: its name and body.
fn item_after(source: &str, at: usize) -> Option<(String, String)> {
    let rest = &source[at..];
    let start = match (rest.find("struct "), rest.find("enum ")) {
        (Some(s), Some(e)) => s.min(e),
        (s, e) => s.or(e)?,
    };
    let decl = &rest[start..];
    let name: String = decl
        .split_whitespace()
        .nth(1)?
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    // The body: up to the matching brace, or the `;` of a tuple/unit struct.
    let mut depth = 0usize;
    for (i, c) in decl.char_indices() {
        match c {
            '{' | '(' => depth += 1,
            '}' | ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some((name, decl[..=i].to_string()));
                }
            }
            ';' if depth == 0 => return Some((name, decl[..=i].to_string())),
            _ => {}
        }
    }
    None
}

/// Whether `body` uses the type `t` (a whole word in type position: after
/// `:`, `<`, `(`, `&`, `[` or `,` on the same line; not a variant name or a comment).
fn mentions_type(body: &str, t: &str) -> bool {
    body.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .any(|line| {
            line.match_indices(t).any(|(i, _)| {
                let before = line[..i].chars().last();
                let after = line[i + t.len()..].chars().next();
                let word = !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                    && !after.is_some_and(|c| c.is_alphanumeric() || c == '_');
                let prev = line[..i].trim_end().chars().last();
                word && prev.is_some_and(|c| ":<(&[,".contains(c))
            })
        })
}

/// Types whose derived Debug/Display would print key material or plaintext.
const SECRET_TYPES: &[&str] = &[
    "Zeroizing",
    "Text",
    "DataKey",
    "Cipher",
    "Identity",
    "SecretString",
    "SecretBox",
    "FileKey",
];

#[test]
fn no_derived_debug_on_secret_holders() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut offenders = Vec::new();
    let mut derives = 0;
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for (at, _) in source.match_indices("#[derive(") {
            let attr_end = source[at..].find(")]").map_or(at, |e| at + e);
            let attr = &source[at..attr_end];
            if !attr.contains("Debug") {
                continue;
            }
            derives += 1;
            let Some((name, body)) = item_after(&source, attr_end) else {
                continue;
            };
            let holds_secret = SECRET_TYPES.iter().any(|t| mentions_type(&body, t));
            if holds_secret {
                offenders.push(format!("{}: {name}", file.display()));
            }
        }
        // Hand-written Display of a secret-holding type.
        for t in ["DataKey", "Cipher", "Value", "Tree", "Map", "Item", "Key"] {
            for pattern in [
                format!("fmt::Display for {t} "),
                format!("fmt::Display for {t}{{"),
            ] {
                if source.contains(&pattern) {
                    offenders.push(format!("{}: Display for {t}", file.display()));
                }
            }
        }
    }
    assert!(
        derives > 10,
        "the scan found too few derives ({derives}): is it broken?"
    );
    assert!(
        offenders.is_empty(),
        "these print key material or plaintext through Debug/Display: {offenders:#?}"
    );
}

#[test]
fn the_scan_catches_an_offender() {
    // Must-fail counterpart of the scan, on a made-up source.
    let source = "#[derive(Clone, Debug)]\npub struct Leaky {\n    key: Zeroizing<[u8; 32]>,\n}\n";
    let at = source.find(")]").unwrap();
    let (name, body) = item_after(source, at).unwrap();
    assert_eq!(name, "Leaky");
    assert!(mentions_type(&body, "Zeroizing"));
    // A variant named like a type, a comment or a longer word is not a use.
    let e = "enum E {\n    /// the Text\n    DataKey(String),\n    TextStyle(u8),\n}";
    assert!(!mentions_type(e, "DataKey") && !mentions_type(e, "Text"));
    assert!(mentions_type("enum E {\n    V(String, Text),\n}", "Text"));
    let tuple = "#[derive(Debug)]\npub struct Wrapped(Text);\n";
    let (name, body) = item_after(tuple, tuple.find(")]").unwrap()).unwrap();
    assert_eq!(
        (name.as_str(), body.as_str()),
        ("Wrapped", "struct Wrapped(Text)")
    );
    assert!(mentions_type(&body, "Text"));
}
