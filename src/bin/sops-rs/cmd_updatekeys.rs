//! `updatekeys FILE…`: re-wraps each file's data key for the key groups of its
//! `.sops.yaml` creation rule, showing sops's diff and prompt (spec §8.2, §7.1).
//! Several files: each is tried, failures are logged, and the count ends the run.
//!
//! sops-rs additions (sops issue #1071): `--recursive` walks directories for
//! sops files, and with `--yes` several files are updated by a few threads at
//! once (each file's KMS/gpg calls are network- or process-bound), their
//! messages buffered and printed in argument order, so the output is the same
//! as a sequential run.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use sops_rs::config::Config;
use sops_rs::error::{Error, Result, go_io_message};
use sops_rs::keygroups;
use sops_rs::ops;

use crate::cmd_common::{self as common, go_log, log_line};
use crate::output::{Destination, Sensitivity};
use crate::{Outcome, specs};

/// Files updated at once with `--yes`: enough to overlap KMS round trips,
/// few enough not to trip a service's rate limit.
const CONCURRENT_FILES: usize = 8;

/// Runs `updatekeys` with the arguments after the subcommand name.
pub fn run(rest: &[String], config_flag: Option<&str>) -> Outcome {
    let parsed = match crate::parse(rest, specs::UPDATEKEYS) {
        Ok(p) => p,
        Err(o) => return o,
    };
    if let Err(e) = common::refuse_keyservices(&parsed) {
        return Outcome::Failed(e);
    }
    let cwd = match common::cwd() {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(e),
    };
    // updatekeys needs a config file; the path is shown as sops found it.
    let (config_path, shown) = match config_flag.filter(|s| !s.is_empty()) {
        Some(p) => (PathBuf::from(p), p.to_string()),
        None => match sops_rs::config::find(&cwd, None) {
            Some(p) => {
                let shown = relative_to(&p, &cwd);
                (p, shown)
            }
            None => return Outcome::Failed(Error::Other("config file not found".into())),
        },
    };
    if parsed.positionals.is_empty() {
        return Outcome::Failed(Error::NoFileSpecified);
    }
    let input_type = parsed.value("input-type").map(str::to_string);
    let paths = if parsed.switch("recursive") {
        match expand_dirs(&parsed.positionals, input_type.as_deref()) {
            Ok(p) => p,
            Err(e) => return Outcome::Failed(e),
        }
    } else {
        parsed.positionals.clone()
    };
    let job = Job {
        config_path,
        shown,
        cwd,
        input_type,
        interactive: !parsed.switch("yes"),
    };
    if let [only] = paths.as_slice()
        && !parsed.switch("recursive")
    {
        return match job.update(only, &mut Direct) {
            Ok(()) => Outcome::Done,
            Err(e) => Outcome::Failed(e),
        };
    }
    // Unwrapped keys are shared between files (the same wrapped key is unwrapped once).
    let _keys = ops::keycache::KeyCacheScope::enter();
    let failed = if job.interactive || paths.len() < 2 {
        let mut failed = 0usize;
        for path in &paths {
            if let Err(e) = job.update(path, &mut Direct) {
                failed += 1;
                log_line("CMD", "error", &e.to_string());
            }
        }
        failed
    } else {
        job.update_concurrently(&paths)
    };
    if failed > 0 {
        return Outcome::Failed(Error::Other(format!("failed updating {failed} key(s)")));
    }
    Outcome::Done
}

/// `--recursive`: directories are replaced by the sops files below them (sorted,
/// hidden entries such as `.git` skipped, files without sops metadata left out);
/// files named directly are kept as they are.
fn expand_dirs(args: &[String], input_type: Option<&str>) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        if path.is_dir() {
            walk_dir(path, input_type, &mut out)?;
        } else {
            out.push(arg.clone());
        }
    }
    Ok(out)
}

fn walk_dir(dir: &Path, input_type: Option<&str>, out: &mut Vec<String>) -> Result<()> {
    let read = std::fs::read_dir(dir)
        .map_err(|e| Error::Other(format!("open {}: {}", dir.display(), go_io_message(&e))))?;
    let mut entries: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden || path.is_symlink() {
            continue;
        }
        if path.is_dir() {
            walk_dir(&path, input_type, out)?;
        } else if path.is_file() && is_sops_file(&path, input_type) {
            out.push(path.to_string_lossy().into_owned());
        }
    }
    Ok(())
}

/// Whether `path` holds sops metadata (what `filestatus` calls encrypted).
fn is_sops_file(path: &Path, input_type: Option<&str>) -> bool {
    let name = path.to_string_lossy();
    let Ok(store) = common::store_for(common::format_for(input_type, &name), None) else {
        return false;
    };
    std::fs::read(path).is_ok_and(|bytes| ops::file_status(&bytes, store.as_ref()).unwrap_or(false))
}

/// Where a file's messages go: straight out, or buffered for in-order replay.
trait Sink {
    /// A Go `log` line on stderr.
    fn log(&mut self, msg: String);
    /// Text on stdout (the diff).
    fn stdout(&mut self, text: String) -> Result<()>;
}

/// Prints at once (one file at a time, prompts allowed).
struct Direct;

impl Sink for Direct {
    fn log(&mut self, msg: String) {
        go_log(&msg);
    }
    fn stdout(&mut self, text: String) -> Result<()> {
        common::print_stdout(text.as_bytes())
    }
}

/// One message kept for later.
enum Message {
    Log(String),
    Stdout(String),
}

/// Keeps a worker's messages until the files before it are reported.
#[derive(Default)]
struct Buffered(Vec<Message>);

impl Sink for Buffered {
    fn log(&mut self, msg: String) {
        self.0.push(Message::Log(msg));
    }
    fn stdout(&mut self, text: String) -> Result<()> {
        self.0.push(Message::Stdout(text));
        Ok(())
    }
}

/// `../.sops.yaml`-style path of a config found by walking up from `cwd`.
fn relative_to(found: &Path, cwd: &Path) -> String {
    let dir = found.parent().unwrap_or(Path::new("/"));
    let up = cwd.ancestors().position(|a| a == dir).unwrap_or_default();
    let mut s = "../".repeat(up);
    s.push_str(sops_rs::config::CONFIG_NAME);
    s
}

struct Job {
    config_path: PathBuf,
    shown: String,
    cwd: PathBuf,
    input_type: Option<String>,
    interactive: bool,
}

impl Job {
    /// `--yes` with several files: `CONCURRENT_FILES` workers, messages and
    /// errors replayed in argument order. Returns how many files failed.
    fn update_concurrently(&self, paths: &[String]) -> usize {
        type Slot = Mutex<Option<(Buffered, Result<()>)>>;
        let slots: Vec<Slot> = paths.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..CONCURRENT_FILES.min(paths.len()) {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let (Some(path), Some(slot)) = (paths.get(i), slots.get(i)) else {
                            break;
                        };
                        let mut sink = Buffered::default();
                        let result = self.update(path, &mut sink);
                        if let Ok(mut s) = slot.lock() {
                            *s = Some((sink, result));
                        }
                    }
                });
            }
        });
        let mut failed = 0usize;
        for slot in slots {
            let Some((sink, result)) = slot.into_inner().ok().flatten() else {
                failed += 1;
                continue;
            };
            for message in sink.0 {
                match message {
                    Message::Log(m) => go_log(&m),
                    Message::Stdout(t) => {
                        if let Err(e) = common::print_stdout(t.as_bytes()) {
                            log_line("CMD", "error", &e.to_string());
                        }
                    }
                }
            }
            if let Err(e) = result {
                failed += 1;
                log_line("CMD", "error", &e.to_string());
            }
        }
        failed
    }

    fn update(&self, path: &str, sink: &mut dyn Sink) -> Result<()> {
        let abs = std::path::absolute(path).unwrap_or_else(|_| PathBuf::from(path));
        let shown_path = abs.display().to_string();
        let meta = std::fs::metadata(&abs)
            .map_err(|e| Error::Other(format!("stat {shown_path}: {}", go_io_message(&e))))?;
        if meta.is_dir() {
            return Err(Error::Other("can't operate on a directory".into()));
        }
        let config = Config::load(&self.config_path)?;
        let format = common::format_for(self.input_type.as_deref(), &shown_path);
        let store = common::store_for(format, Some(&config))?;
        sink.log(format!("Syncing keys for file {shown_path}"));
        let _lock = crate::lock::lock_for_update(&abs);
        let input = common::read_file(&shown_path)
            .map_err(|m| Error::Other(format!("Error reading file: {m}")))?;
        let mut file = ops::load_encrypted_file(&input, store.as_ref())?;
        let rule = config.rule_for(&abs, &self.cwd)?.ok_or_else(|| {
            Error::Other(format!(
                "The config file {} does not contain any creation rule",
                self.shown
            ))
        })?;
        let groups = rule
            .key_groups
            .iter()
            .map(keygroups::group_from_spec)
            .collect::<Result<Vec<_>>>()?;
        let diffs = keygroups::diff_key_groups(&file.metadata.key_groups, &groups);
        let old_threshold = file.metadata.shamir_threshold;
        let threshold = keygroups::updated_threshold(old_threshold, groups.len());
        if !keygroups::keys_will_change(&diffs) && old_threshold == threshold {
            sink.log(format!("File {shown_path} already up to date"));
            return Ok(());
        }
        let mut text = String::from("The following changes will be made to the file's groups:\n");
        text.push_str(&keygroups::format_changes(
            old_threshold,
            threshold,
            &diffs,
            common::stdout_in_color(),
        ));
        sink.stdout(text)?;
        if self.interactive && !confirm()? {
            sink.log(format!("File {shown_path} left unchanged"));
            return Ok(());
        }
        let key = ops::recover_key(&file.metadata, &keygroups::stored_order())?;
        file.metadata.key_groups = groups;
        file.metadata.shamir_threshold = threshold;
        keygroups::rewrap_data_key(&mut file.metadata, &key)?;
        let out = ops::emit_encrypted_file(&file.tree, &file.metadata, store.as_ref())
            .map_err(|e| Error::Other(format!("Could not marshal tree: {e}")))?;
        crate::output::write_output(
            &Destination::InPlace(PathBuf::from(&shown_path)),
            &out,
            Sensitivity::Encrypted,
        )?;
        sink.log(format!("File {shown_path} synced with new keys"));
        Ok(())
    }
}

/// Asks `Is this okay? (y/n):` until the answer is `y` or `n`, reading answers the
/// way Go's `fmt.Scanln` does (one word per line; EOF and blank lines are errors).
fn confirm() -> Result<bool> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock();
    loop {
        print!("Is this okay? (y/n):");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        let n = lines
            .read_line(&mut line)
            .map_err(|e| Error::Other(go_io_message(&e)))?;
        match scan_answer(&line, n == 0)?.as_str() {
            "y" => return Ok(true),
            "n" => return Ok(false),
            _ => {}
        }
    }
}

/// One `fmt.Scanln(&word)` over `line`.
fn scan_answer(line: &str, eof: bool) -> Result<String> {
    if eof {
        return Err(Error::Other("EOF".into()));
    }
    let mut words = line.split_whitespace();
    let Some(word) = words.next() else {
        return Err(Error::Other("unexpected newline".into()));
    };
    if words.next().is_some() {
        return Err(Error::Other("expected newline".into()));
    }
    Ok(word.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_scanned_like_go() {
        assert_eq!(scan_answer("y\n", false).unwrap(), "y");
        assert_eq!(scan_answer("  n \n", false).unwrap(), "n");
        assert_eq!(scan_answer("yes\n", false).unwrap(), "yes");
        assert_eq!(scan_answer("", true).unwrap_err().to_string(), "EOF");
        assert_eq!(
            scan_answer("\n", false).unwrap_err().to_string(),
            "unexpected newline"
        );
        assert_eq!(
            scan_answer("y n\n", false).unwrap_err().to_string(),
            "expected newline"
        );
    }

    #[test]
    fn config_path_shown_relative() {
        assert_eq!(
            relative_to(Path::new("/a/b/.sops.yaml"), Path::new("/a/b")),
            ".sops.yaml"
        );
        assert_eq!(
            relative_to(Path::new("/a/.sops.yaml"), Path::new("/a/b/c")),
            "../../.sops.yaml"
        );
    }
}
