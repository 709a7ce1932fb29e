//! `sops-rs merge-driver BASE OURS THEIRS PATH` (git's `%O %A %B %P`) for `merge=sops`.
//!
//! Exit status as git expects: 0 merged cleanly (OURS holds the encrypted
//! result), 1 conflicts (OURS holds the decrypted document with markers) or any
//! error (OURS left as it was).

use std::path::Path;

use sops_rs::config::{self, Config};
use sops_rs::error::{Error, Result};
use sops_rs::gitmerge::{self, Outcome};
use sops_rs::keys::DecryptionOrder;
use sops_rs::store::{Format, StoreOptions};

use crate::flags::{FlagSpec, Parsed};

/// `merge-driver` flags.
pub const FLAGS: &[FlagSpec] = &[FlagSpec {
    names: &["decryption-order"],
    takes_value: true,
    env: Some("SOPS_DECRYPTION_ORDER"),
    repeatable: false,
}];

/// Runs the driver; returns the exit status.
pub fn run(parsed: &Parsed, config_flag: Option<&str>) -> Result<u8> {
    let [base, ours, theirs, name] = parsed.positionals.as_slice() else {
        return Err(Error::Usage(
            "merge-driver needs 4 arguments: BASE OURS THEIRS PATH (git's %O %A %B %P)".into(),
        ));
    };
    let order = match parsed.value("decryption-order").filter(|s| !s.is_empty()) {
        Some(s) => DecryptionOrder::parse(s)?,
        None => DecryptionOrder::default(),
    };
    let cwd = std::env::current_dir()
        .map_err(|e| Error::Other(format!("cannot determine the current directory: {e}")))?;
    let stores = match config::find(&cwd, config_flag.filter(|s| !s.is_empty()).map(Path::new)) {
        Some(path) => Config::load(&path)?.stores,
        None => Default::default(),
    };
    let indent = match Format::from_path(name) {
        Format::Yaml => stores.yaml_indent,
        Format::Json => stores.json_indent,
        Format::Binary => stores.json_binary_indent,
        Format::Dotenv | Format::Ini => None,
    };
    let outcome = gitmerge::merge_files(
        Path::new(base),
        Path::new(ours),
        Path::new(theirs),
        name,
        StoreOptions { indent },
        &order,
    )?;
    match outcome {
        Outcome::Merged => Ok(0),
        Outcome::Conflicts(paths) => {
            for p in &paths {
                eprintln!("CONFLICT (sops): {name}: {p} was changed differently on both sides");
            }
            eprintln!(
                "sops-rs merge-driver: {name} is now DECRYPTED with conflict markers; resolve them, then re-encrypt it (`sops-rs encrypt -i {name}`) before committing"
            );
            Ok(1)
        }
    }
}
