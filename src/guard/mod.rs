//! The pre-commit guard: finds secrets about to be committed in clear text.
//!
//! It reads the staged content (the index, not the work tree) through git
//! plumbing, decides what each file is without decrypting anything (no keys
//! needed), and reports findings as file, key path and reason only: a value is
//! never printed. Checks: files a `.sops.yaml` creation rule covers that are not
//! encrypted, clear or malformed values and missing MACs inside encrypted files,
//! plaintext naming patterns, and decrypted copies of encrypted files.

pub mod git;
pub mod inspect;
pub mod pattern;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::Result;
use inspect::{Problem, Verdict};

/// Why a file is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A creation rule's `path_regex` covers the file but it is not sops-encrypted.
    NotEncrypted,
    /// A problem inside an encrypted file.
    Inside(Problem),
    /// The name matches a plaintext naming pattern (the pattern).
    PlaintextName(String),
    /// Same keys as this encrypted file, but no `sops` metadata.
    DecryptedCopy(String),
    /// The committed version is encrypted; the staged one is not.
    WasEncrypted,
}

/// One finding: file, key path (may be empty) and reason. Holds no values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Path relative to the repository root.
    pub path: String,
    /// `["a"]["b"]` inside the file, or empty.
    pub key_path: String,
    /// Why.
    pub reason: Reason,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NotEncrypted => {
                f.write_str("a .sops.yaml creation rule covers this file but it is not encrypted")
            }
            Reason::Inside(Problem::ClearValue) => f.write_str(
                "value in clear text where the file's selection rule requires encryption",
            ),
            Reason::Inside(Problem::ClearComment) => f.write_str(
                "comment in clear text where the file's selection rule requires encryption",
            ),
            Reason::Inside(Problem::MalformedValue) => f.write_str("malformed ENC[…] value"),
            Reason::Inside(Problem::NoMac) => f.write_str("encrypted file has no MAC"),
            Reason::Inside(Problem::BadMetadata) => f.write_str("unreadable sops metadata"),
            Reason::PlaintextName(p) => write!(f, "name matches the plaintext pattern {p:?}"),
            Reason::DecryptedCopy(of) => {
                write!(f, "looks like a decrypted copy of the encrypted file {of}")
            }
            Reason::WasEncrypted => {
                f.write_str("the committed version is encrypted but the staged one is not")
            }
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key_path.is_empty() {
            write!(f, "{}: {}", self.path, self.reason)
        } else {
            write!(f, "{}: {}: {}", self.path, self.key_path, self.reason)
        }
    }
}

/// One file to check.
pub struct File {
    /// Path relative to the repository root, slash-separated.
    pub path: String,
    /// The content about to be committed.
    pub bytes: Vec<u8>,
    /// The committed content it replaces, if any.
    pub previous: Option<Vec<u8>>,
}

/// What the guard checks against.
pub struct Options {
    /// Plaintext naming patterns ([`pattern::DEFAULT_PATTERNS`] unless configured).
    pub patterns: Vec<String>,
    /// The `.sops.yaml` whose creation rules say which files must be encrypted.
    pub config: Option<Config>,
    /// The repository root (paths are relative to it).
    pub root: PathBuf,
}

/// Other files in the same directories as the candidates: `(path, content)`.
pub type Siblings<'a> = dyn FnMut(&BTreeSet<String>) -> Result<Vec<(String, Vec<u8>)>> + 'a;

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn covered(opts: &Options, path: &str) -> bool {
    let Some(config) = &opts.config else {
        return false;
    };
    if path.rsplit('/').next() == Some(crate::config::CONFIG_NAME) {
        return false;
    }
    // Only a rule that names files makes them mandatory; a catch-all rule just supplies keys.
    matches!(
        config.rule_for(Path::new(path), &opts.root),
        Ok(Some(rule)) if rule.path_regex.is_some()
    )
}

/// Checks `files`; `siblings` supplies neighbours for the decrypted-copy check.
pub fn check(files: &[File], opts: &Options, siblings: &mut Siblings<'_>) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let mut candidates: Vec<&File> = Vec::new();
    let mut encrypted_staged: Vec<&File> = Vec::new();
    for file in files {
        let mut add = |key_path: String, reason: Reason| {
            findings.push(Finding {
                path: file.path.clone(),
                key_path,
                reason,
            });
        };
        if let Some(p) = opts
            .patterns
            .iter()
            .find(|p| pattern::matches(p, &file.path))
        {
            add(String::new(), Reason::PlaintextName(p.clone()));
        }
        match inspect::inspect(&file.path, &file.bytes) {
            Verdict::Encrypted(spots) => {
                for s in spots {
                    add(s.key_path, Reason::Inside(s.problem));
                }
                encrypted_staged.push(file);
            }
            Verdict::Plain => {
                if covered(opts, &file.path) {
                    add(String::new(), Reason::NotEncrypted);
                } else if file.previous.as_deref().is_some_and(|prev| {
                    matches!(inspect::inspect(&file.path, prev), Verdict::Encrypted(_))
                }) {
                    add(String::new(), Reason::WasEncrypted);
                } else if inspect::is_structured(&file.path) {
                    candidates.push(file);
                }
            }
        }
    }
    findings.extend(decrypted_copies(&candidates, &encrypted_staged, siblings)?);
    Ok(findings)
}

/// Plain structured files whose key set equals that of an encrypted file in
/// the same directory or staged in the same commit.
fn decrypted_copies(
    candidates: &[&File],
    encrypted_staged: &[&File],
    siblings: &mut Siblings<'_>,
) -> Result<Vec<Finding>> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let dirs: BTreeSet<String> = candidates
        .iter()
        .map(|f| dir_of(&f.path).to_string())
        .collect();
    let neighbours = siblings(&dirs)?;
    let mut by_keys: HashMap<Vec<String>, String> = HashMap::new();
    let staged = encrypted_staged
        .iter()
        .map(|f| (f.path.as_str(), f.bytes.as_slice()));
    let near = neighbours
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .filter(|(p, _)| inspect::is_structured(p) || p.ends_with(".json"));
    for (path, bytes) in staged.chain(near) {
        if !matches!(inspect::inspect(path, bytes), Verdict::Encrypted(_)) {
            continue;
        }
        if let Some(keys) = inspect::key_paths(path, bytes) {
            by_keys.entry(keys).or_insert_with(|| path.to_string());
        }
    }
    let mut out = Vec::new();
    if by_keys.is_empty() {
        return Ok(out);
    }
    for file in candidates {
        let Some(keys) = inspect::key_paths(&file.path, &file.bytes) else {
            continue;
        };
        if let Some(of) = by_keys.get(&keys).filter(|of| **of != file.path) {
            out.push(Finding {
                path: file.path.clone(),
                key_path: String::new(),
                reason: Reason::DecryptedCopy(of.clone()),
            });
        }
    }
    Ok(out)
}

/// Checks everything staged in the repository at `root`.
pub fn check_staged(opts: &Options) -> Result<Vec<Finding>> {
    let staged = git::staged(&opts.root)?;
    check_entries(&staged, opts)
}

/// Checks `paths` (relative to `cwd`): their staged content when they are in the
/// index of the repository at `opts.root`, else their content on disk.
pub fn check_paths(paths: &[String], cwd: &Path, opts: &Options) -> Result<Vec<Finding>> {
    // Canonical on both sides: git reports the root with symlinks resolved.
    let root = std::fs::canonicalize(&opts.root).unwrap_or_else(|_| opts.root.clone());
    let rel = |p: &str| -> String {
        let joined = cwd.join(p);
        // The directory only: a staged symlink must keep its own name.
        let abs = match (joined.parent(), joined.file_name()) {
            (Some(dir), Some(name)) => std::fs::canonicalize(dir).map(|d| d.join(name)).ok(),
            _ => None,
        }
        .or_else(|| std::path::absolute(&joined).ok())
        .unwrap_or(joined);
        match abs.strip_prefix(&root) {
            Ok(r) => r.to_string_lossy().replace('\\', "/"),
            Err(_) => p.to_string(),
        }
    };
    let wanted: Vec<(String, &String)> = paths.iter().map(|p| (rel(p), p)).collect();
    let in_repo = git::toplevel(&opts.root).is_some();
    let (staged, index) = if in_repo {
        (git::staged(&opts.root)?, git::index(&opts.root)?)
    } else {
        (Vec::new(), Vec::new())
    };
    let staged_by: HashMap<&str, &git::Staged> =
        staged.iter().map(|s| (s.path.as_str(), s)).collect();
    let index_by: HashMap<&str, &git::IndexEntry> =
        index.iter().map(|e| (e.path.as_str(), e)).collect();
    let mut entries = Vec::new();
    let mut on_disk = Vec::new();
    for (r, original) in &wanted {
        if let Some(s) = staged_by.get(r.as_str()) {
            entries.push((*s).clone());
        } else if let Some(e) = index_by.get(r.as_str()) {
            entries.push(git::Staged {
                path: e.path.clone(),
                oid: e.oid.clone(),
                previous: None,
            });
        } else if let Ok(bytes) = std::fs::read(cwd.join(original)) {
            on_disk.push(File {
                path: r.clone(),
                bytes,
                previous: None,
            });
        }
    }
    let mut files = load(&entries, &opts.root)?;
    files.extend(on_disk);
    run(&files, opts, in_repo)
}

fn check_entries(staged: &[git::Staged], opts: &Options) -> Result<Vec<Finding>> {
    let files = load(staged, &opts.root)?;
    run(&files, opts, true)
}

/// Reads the staged and previous blobs of `staged` in one batch.
fn load(staged: &[git::Staged], root: &Path) -> Result<Vec<File>> {
    let mut oids: Vec<&str> = staged.iter().map(|s| s.oid.as_str()).collect();
    oids.extend(staged.iter().filter_map(|s| s.previous.as_deref()));
    let mut blobs = git::blobs(root, &oids)?.into_iter();
    let mut files: Vec<File> = staged
        .iter()
        .zip(blobs.by_ref())
        .map(|(s, bytes)| File {
            path: s.path.clone(),
            bytes,
            previous: None,
        })
        .collect();
    for (file, s) in files.iter_mut().zip(staged) {
        if s.previous.is_some() {
            file.previous = blobs.next();
        }
    }
    Ok(files)
}

fn run(files: &[File], opts: &Options, in_repo: bool) -> Result<Vec<Finding>> {
    let root = opts.root.clone();
    let mut siblings = |dirs: &BTreeSet<String>| -> Result<Vec<(String, Vec<u8>)>> {
        if in_repo {
            index_siblings(&root, dirs)
        } else {
            disk_siblings(&root, dirs)
        }
    };
    check(files, opts, &mut siblings)
}

/// Structured files of the index in `dirs`, read in one batch (only those can be sops files).
fn index_siblings(root: &Path, dirs: &BTreeSet<String>) -> Result<Vec<(String, Vec<u8>)>> {
    let entries: Vec<git::IndexEntry> = git::index(root)?
        .into_iter()
        .filter(|e| dirs.contains(dir_of(&e.path)) && inspect::is_structured(&e.path))
        .collect();
    let oids: Vec<&str> = entries.iter().map(|e| e.oid.as_str()).collect();
    let blobs = git::blobs(root, &oids)?;
    Ok(entries.into_iter().map(|e| e.path).zip(blobs).collect())
}

fn disk_siblings(root: &Path, dirs: &BTreeSet<String>) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for d in dirs {
        let Ok(rd) = std::fs::read_dir(root.join(d)) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = if d.is_empty() {
                name
            } else {
                format!("{d}/{name}")
            };
            if inspect::is_structured(&path)
                && let Ok(bytes) = std::fs::read(e.path())
            {
                out.push((path, bytes));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(config: Option<&str>) -> Options {
        Options {
            patterns: pattern::DEFAULT_PATTERNS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            config: config
                .map(|c| Config::parse(c.as_bytes(), PathBuf::from("/r/.sops.yaml")).unwrap()),
            root: PathBuf::from("/r"),
        }
    }

    fn file(path: &str, bytes: &[u8]) -> File {
        File {
            path: path.into(),
            bytes: bytes.to_vec(),
            previous: None,
        }
    }

    fn enc_yaml() -> Vec<u8> {
        std::fs::read(inspect::tests::cases().join("yaml-basic.enc.yaml")).unwrap()
    }

    fn no_siblings(_: &BTreeSet<String>) -> Result<Vec<(String, Vec<u8>)>> {
        Ok(Vec::new())
    }

    #[test]
    fn covered_plain_file_is_refused_and_catch_all_is_not() {
        let o = opts(Some(
            "creation_rules:\n  - path_regex: secrets/.*\n    age: age1x\n  - age: age1y\n",
        ));
        let got = check(
            &[
                file("secrets/a.yaml", b"a: 1\n"),
                file("other/b.yaml", b"b: 2\n"),
            ],
            &o,
            &mut no_siblings,
        )
        .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].path, "secrets/a.yaml");
        assert_eq!(got[0].reason, Reason::NotEncrypted);
    }

    #[test]
    fn encrypted_file_under_a_rule_passes() {
        let o = opts(Some(
            "creation_rules:\n  - path_regex: secrets/.*\n    age: age1x\n",
        ));
        let got = check(&[file("secrets/a.yaml", &enc_yaml())], &o, &mut no_siblings).unwrap();
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn decrypted_copy_beside_its_encrypted_file_is_found() {
        let enc = enc_yaml();
        let plain = std::fs::read(inspect::tests::cases().join("yaml-basic.dec.yaml")).unwrap();
        let mut sib = |_: &BTreeSet<String>| -> Result<Vec<(String, Vec<u8>)>> {
            Ok(vec![("d/app.yaml".to_string(), enc.clone())])
        };
        let got = check(&[file("d/copy.yaml", &plain)], &opts(None), &mut sib).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].reason, Reason::DecryptedCopy("d/app.yaml".into()));
        // A different document next to it is fine.
        let got = check(&[file("d/other.yaml", b"x: 1\n")], &opts(None), &mut sib).unwrap();
        assert!(got.is_empty());
    }

    #[test]
    fn decrypting_a_tracked_file_in_place_is_found() {
        let mut f = file("a.yaml", b"a: 1\n");
        f.previous = Some(enc_yaml());
        let got = check(&[f], &opts(None), &mut no_siblings).unwrap();
        assert_eq!(got[0].reason, Reason::WasEncrypted);
    }

    #[test]
    fn findings_print_no_values() {
        let mut bytes = b"pasted: hunter2\n".to_vec();
        bytes.extend(enc_yaml());
        let got = check(
            &[file("x.plaintext.yaml", &bytes)],
            &opts(None),
            &mut no_siblings,
        )
        .unwrap();
        let text: String = got.iter().map(|f| format!("{f}\n")).collect();
        assert!(
            text.contains("x.plaintext.yaml: [\"pasted\"]: value in clear text"),
            "{text}"
        );
        assert!(text.contains("plaintext pattern"), "{text}");
        assert!(!text.contains("hunter2"));
    }
}
