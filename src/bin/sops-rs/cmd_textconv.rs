//! `sops-rs textconv FILE`: `decrypt` for git's textconv, with the format taken
//! from the content when the name has no recognisable extension.
//!
//! git normally hands textconv a temp copy named after the file (so plain
//! `sops-rs decrypt` works); this command also serves attributes such as
//! `secrets/* diff=sopsdiffer` where files have no extension at all.

use std::io::Write;
use std::path::Path;

use sops_rs::error::{Error, Result};
use sops_rs::guard::inspect::sniff_format;
use sops_rs::ops::{self, DecryptConfig};
use sops_rs::store::{Format, StoreOptions, for_format};

use crate::flags::{FlagSpec, Parsed};

/// `textconv` flags.
pub const FLAGS: &[FlagSpec] = &[];

/// Decrypts the file to stdout; returns the exit status.
pub fn run(parsed: &Parsed) -> Result<u8> {
    let [file] = parsed.positionals.as_slice() else {
        return Err(Error::Usage("textconv needs exactly one FILE".into()));
    };
    let path = Path::new(file);
    let input = std::fs::read(path).map_err(|source| Error::ReadInput {
        path: path.to_path_buf(),
        source,
    })?;
    let format = match Format::from_path(file) {
        Format::Binary => sniff_format(&input).unwrap_or(Format::Binary),
        named => named,
    };
    let store = for_format(format, StoreOptions::default())?;
    let out = ops::decrypt(
        &input,
        store.as_ref(),
        store.as_ref(),
        &DecryptConfig::default(),
    )?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&out)
        .and_then(|()| stdout.flush())
        .map_err(|source| Error::WriteOutput {
            path: "/dev/stdout".into(),
            source,
        })?;
    Ok(0)
}
