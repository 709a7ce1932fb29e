//! `sops-rs decrypt --output-dir DIR FILE…`: decrypts many files in one process
//! (sops-rs only; sops decrypts one file per call).
//!
//! A CI job or a helm pipeline that decrypts hundreds of files pays sops's start-up
//! and one KMS round trip per file, in sequence. Here every file is loaded first,
//! the distinct data keys are unwrapped concurrently (bounded, see
//! `sops_rs::ops::keycache`), then each file is decrypted and written to
//! `DIR/<file name>` (0600, atomically). A file that fails is reported and the
//! others are still written; the exit status is then 1.
//!
//! The outputs are renamed into place complete but not fsynced: they are
//! plaintext copies to be consumed (sops writes the same to stdout), and an
//! fsync per file would cost more than decrypting it.

use std::path::{Path, PathBuf};

use sops_rs::error::{Error, Result};
use sops_rs::keys::DecryptionOrder;
use sops_rs::ops::{self, EncryptedFile, keycache::KeyCacheScope};
use sops_rs::store::Store;

use crate::cmd_common::{self as common, log_line};
use crate::flags::Parsed;
use crate::output;

/// One input and where its plaintext goes.
struct Job {
    input: PathBuf,
    output: PathBuf,
    in_store: Box<dyn Store>,
    out_store: Box<dyn Store>,
}

/// Runs `decrypt --output-dir DIR FILE…`.
pub fn decrypt_to_dir(parsed: &Parsed, dir: &str, config_flag: Option<&str>) -> Result<()> {
    for (flag, set) in [
        ("--in-place", parsed.switch("in-place")),
        (
            "--output",
            parsed.value("output").is_some_and(|s| !s.is_empty()),
        ),
        (
            "--extract",
            parsed.value("extract").is_some_and(|s| !s.is_empty()),
        ),
        (
            "--filename-override",
            parsed
                .value("filename-override")
                .is_some_and(|s| !s.is_empty()),
        ),
    ] {
        if set {
            return Err(Error::ConflictingParameters(format!(
                "cannot use {flag} with --output-dir"
            )));
        }
    }
    if parsed.positionals.is_empty() {
        return Err(Error::NoFileSpecified);
    }
    if !parsed.values("keyservice").is_empty() {
        return Err(Error::Other(
            "remote key services (--keyservice) are not supported by sops-rs yet".into(),
        ));
    }
    let order = match parsed.value("decryption-order").filter(|s| !s.is_empty()) {
        Some(s) => DecryptionOrder::parse(s)?,
        None => DecryptionOrder::default(),
    };
    let ignore_mac = parsed.switch("ignore-mac");
    let config = common::load_config(config_flag)?;
    let dir = PathBuf::from(dir);
    create_private_dir(&dir)?;
    let jobs = plan(
        &parsed.positionals,
        &dir,
        parsed.value("input-type"),
        parsed.value("output-type"),
        config.as_ref(),
    )?;

    let _keys = KeyCacheScope::enter();
    // Load everything first, so that the key unwraps can run together.
    let loaded: Vec<Result<EncryptedFile>> = jobs
        .iter()
        .map(|job| {
            if !job.input.exists() {
                return Err(Error::NonExistentFile(absolute(&job.input)));
            }
            let input = output::read_input(Some(&job.input))?;
            ops::load_encrypted_file(&input, job.in_store.as_ref())
        })
        .collect();
    ops::prefetch_keys(
        loaded
            .iter()
            .filter_map(|f| f.as_ref().ok().map(|f| &f.metadata)),
        &order,
    );

    let mut failed = 0usize;
    for (job, file) in jobs.iter().zip(loaded) {
        let result = file.and_then(|mut file| {
            let key = ops::recover_key(&file.metadata, &order)?;
            ops::decrypt_file(&mut file, &key, ignore_mac)?;
            let out = zeroize::Zeroizing::new(job.out_store.emit_plain(&file.tree)?);
            write_plaintext(&job.output, &out)
        });
        if let Err(e) = result {
            failed += 1;
            log_line("CMD", "error", &format!("{}: {e}", job.input.display()));
        }
    }
    if failed > 0 {
        return Err(Error::Other(format!(
            "failed decrypting {failed} of {} file(s)",
            jobs.len()
        )));
    }
    Ok(())
}

/// Writes `bytes` to `path` through a 0600 temporary file in the same
/// directory renamed over it, so a reader never sees a partial file.
fn write_plaintext(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let err = |source| Error::WriteOutput {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    // tempfile creates the file with mode 0600.
    let mut tmp = tempfile::Builder::new()
        .prefix(".sops-rs-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// The jobs, refusing two inputs that would land on the same output name.
fn plan(
    inputs: &[String],
    dir: &Path,
    input_type: Option<&str>,
    output_type: Option<&str>,
    config: Option<&sops_rs::config::Config>,
) -> Result<Vec<Job>> {
    let mut jobs: Vec<Job> = Vec::with_capacity(inputs.len());
    let mut seen = std::collections::HashSet::new();
    for name in inputs {
        let input = PathBuf::from(name);
        let Some(file_name) = input.file_name() else {
            return Err(Error::Other(format!(
                "{name}: not a file name (--output-dir needs files)"
            )));
        };
        let output = dir.join(file_name);
        if !seen.insert(output.clone()) {
            return Err(Error::ConflictingParameters(format!(
                "two input files would be written to {}",
                output.display()
            )));
        }
        let in_store = common::store_for(common::format_for(input_type, name), config)?;
        let out_store = common::store_for(common::format_for(output_type, name), config)?;
        jobs.push(Job {
            input,
            output,
            in_store,
            out_store,
        });
    }
    Ok(jobs)
}

/// Creates `dir` (0700: it receives plaintext) unless it exists; it must be a directory.
fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| {
            Error::Other(format!(
                "cannot create the output directory {}: {}",
                dir.display(),
                sops_rs::error::go_io_message(&e)
            ))
        })
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_output_name_is_refused() {
        let dir = Path::new("/tmp/out");
        let err = plan(
            &["a/x.yaml".into(), "b/x.yaml".into()],
            dir,
            None,
            None,
            None,
        )
        .err()
        .unwrap();
        assert!(matches!(err, Error::ConflictingParameters(_)), "{err}");
        let jobs = plan(
            &["a/x.yaml".into(), "b/y.json".into()],
            dir,
            None,
            None,
            None,
        )
        .unwrap();
        assert_eq!(jobs[1].output, Path::new("/tmp/out/y.json"));
    }

    #[test]
    fn flags_that_name_one_output_conflict() {
        let args: Vec<String> = ["--in-place", "a.yaml"].map(String::from).to_vec();
        let parsed = crate::flags::parse(&args, crate::specs::DECRYPT, &|_| None).unwrap();
        assert!(matches!(
            decrypt_to_dir(&parsed, "/nonexistent-out", None),
            Err(Error::ConflictingParameters(_))
        ));
    }

    #[test]
    fn no_files_is_refused() {
        let parsed = Parsed::default();
        assert!(matches!(
            decrypt_to_dir(&parsed, "/nonexistent-out", None),
            Err(Error::NoFileSpecified)
        ));
    }
}
