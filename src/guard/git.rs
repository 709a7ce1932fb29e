//! Reading what is about to be committed through git plumbing.
//!
//! `git diff --cached --raw -z` lists staged entries with their blob ids (NUL
//! separated, so spaces, newlines and non-ASCII names survive), and one
//! `git cat-file --batch` process streams every blob: two processes in all,
//! however many files are staged, which keeps the guard fast on large repositories.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// One staged (added, copied, modified, renamed-to or type-changed) file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staged {
    /// Path relative to the repository root, slash-separated.
    pub path: String,
    /// Blob id of the staged content.
    pub oid: String,
    /// Blob id of the committed content when the file is modified, if any.
    pub previous: Option<String>,
}

/// One index entry (`git ls-files -s`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    /// Path relative to the repository root.
    pub path: String,
    /// Blob id.
    pub oid: String,
}

fn git_error(what: &str, detail: impl std::fmt::Display) -> Error {
    Error::Other(format!("git {what} failed: {detail}"))
}

/// Runs `git args` in `dir`, returning stdout.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| git_error(args.first().copied().unwrap_or(""), e))?;
    if !out.status.success() {
        return Err(git_error(
            args.first().copied().unwrap_or(""),
            String::from_utf8_lossy(&out.stderr).trim(),
        ));
    }
    Ok(out.stdout)
}

/// The work tree root containing `dir`, or `None` outside a repository.
pub fn toplevel(dir: &Path) -> Option<PathBuf> {
    let out = git(dir, &["rev-parse", "--show-toplevel"]).ok()?;
    let s = String::from_utf8(out).ok()?;
    Some(PathBuf::from(s.trim_end_matches('\n')))
}

/// A path git resolves inside the git directory (`hooks/pre-commit` honours
/// worktrees and `core.hooksPath`), made absolute.
pub fn git_path(dir: &Path, name: &str) -> Result<PathBuf> {
    let out = git(dir, &["rev-parse", "--git-path", name])?;
    let s = String::from_utf8_lossy(&out)
        .trim_end_matches('\n')
        .to_string();
    let p = PathBuf::from(s);
    Ok(if p.is_absolute() { p } else { dir.join(p) })
}

fn is_blob_mode(mode: &str) -> bool {
    // Regular files only: symlinks (120000) and submodules (160000) hold no content to check.
    mode == "100644" || mode == "100755"
}

/// Every staged file except deletions; renames appear as their new path.
pub fn staged(root: &Path) -> Result<Vec<Staged>> {
    let out = git(
        root,
        &[
            "diff",
            "--cached",
            "--raw",
            "-z",
            "--no-abbrev",
            "--no-renames",
            "--diff-filter=d",
            "--no-ext-diff",
            "--ignore-submodules=all",
        ],
    )?;
    parse_raw(&out)
}

/// Parses `--raw -z` output: `:mode mode oid oid status\0path\0`.
fn parse_raw(out: &[u8]) -> Result<Vec<Staged>> {
    let mut fields = out.split(|b| *b == 0).filter(|f| !f.is_empty());
    let mut staged = Vec::new();
    while let Some(head) = fields.next() {
        let head = String::from_utf8_lossy(head);
        let path = fields
            .next()
            .ok_or_else(|| git_error("diff", "truncated --raw output"))?;
        let parts: Vec<&str> = head.trim_start_matches(':').split(' ').collect();
        let [_, new_mode, old_oid, new_oid, status] = parts.as_slice() else {
            return Err(git_error("diff", "unexpected --raw output"));
        };
        if !is_blob_mode(new_mode) {
            continue;
        }
        let previous = (status.starts_with('M') && old_oid.bytes().any(|b| b != b'0'))
            .then(|| old_oid.to_string());
        staged.push(Staged {
            path: String::from_utf8_lossy(path).into_owned(),
            oid: new_oid.to_string(),
            previous,
        });
    }
    Ok(staged)
}

/// Every regular file in the index (stage 0).
pub fn index(root: &Path) -> Result<Vec<IndexEntry>> {
    let out = git(root, &["ls-files", "-s", "-z"])?;
    let mut entries = Vec::new();
    for rec in out.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let Some(tab) = rec.iter().position(|b| *b == b'\t') else {
            continue;
        };
        let head = String::from_utf8_lossy(rec.get(..tab).unwrap_or_default());
        let path = String::from_utf8_lossy(rec.get(tab + 1..).unwrap_or_default());
        let parts: Vec<&str> = head.split(' ').collect();
        if let [mode, oid, "0"] = parts.as_slice()
            && is_blob_mode(mode)
        {
            entries.push(IndexEntry {
                path: path.into_owned(),
                oid: oid.to_string(),
            });
        }
    }
    Ok(entries)
}

/// The contents of `oids`, in order, read through one `git cat-file --batch`.
pub fn blobs(root: &Path, oids: &[&str]) -> Result<Vec<Vec<u8>>> {
    if oids.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| git_error("cat-file", e))?;
    let mut request = String::with_capacity(oids.len() * 41);
    for oid in oids {
        request.push_str(oid);
        request.push('\n');
    }
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| git_error("cat-file", "no stdin"))?;
    // Written from a thread: git answers while we still write, and both pipes would fill.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut out = Vec::new();
    child
        .stdout
        .take()
        .ok_or_else(|| git_error("cat-file", "no stdout"))?
        .read_to_end(&mut out)
        .map_err(|e| git_error("cat-file", e))?;
    let written = writer.join().map_err(|_| git_error("cat-file", "writer"))?;
    written.map_err(|e| git_error("cat-file", e))?;
    child.wait().map_err(|e| git_error("cat-file", e))?;
    parse_batch(&out, oids.len())
}

/// Parses `<oid> <type> <size>\n<content>\n` records.
fn parse_batch(out: &[u8], count: usize) -> Result<Vec<Vec<u8>>> {
    let mut rest = out;
    let mut blobs = Vec::with_capacity(count);
    for _ in 0..count {
        let nl = rest
            .iter()
            .position(|b| *b == b'\n')
            .ok_or_else(|| git_error("cat-file", "truncated output"))?;
        let header = String::from_utf8_lossy(rest.get(..nl).unwrap_or_default()).into_owned();
        rest = rest.get(nl + 1..).unwrap_or_default();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| git_error("cat-file", format!("object not found: {header}")))?;
        let body = rest
            .get(..size)
            .ok_or_else(|| git_error("cat-file", "truncated object"))?;
        blobs.push(body.to_vec());
        rest = rest.get(size + 1..).unwrap_or_default();
    }
    Ok(blobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_output_keeps_odd_names_and_skips_links() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let raw = format!(
            ":000000 100644 {z} {a} A\0sp ace/naïve.yaml\0:100644 100644 {a} {b} M\0m.yaml\0:000000 120000 {z} {b} A\0link\0"
        );
        let got = parse_raw(raw.as_bytes()).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].path, "sp ace/naïve.yaml");
        assert_eq!(got[0].previous, None);
        assert_eq!(got[1].previous.as_deref(), Some(a.as_str()));
    }

    #[test]
    fn batch_output_is_split_by_size() {
        let out = b"x blob 3\na\nb\ny blob 0\n\n";
        let got = parse_batch(out, 2).unwrap();
        assert_eq!(got, vec![b"a\nb".to_vec(), Vec::new()]);
        assert!(parse_batch(b"x missing\n", 1).is_err());
        assert!(parse_batch(b"x blob 9\nab\n", 1).is_err());
    }
}
