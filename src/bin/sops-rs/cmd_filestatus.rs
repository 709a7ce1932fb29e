//! `filestatus FILE`: prints `{"encrypted":true|false}` as sops does, so scripts can
//! test a file without keys (spec §8.2).

use sops_rs::error::Error;
use sops_rs::ops;

use crate::cmd_common::{self as common, fatal};
use crate::{Outcome, specs};

/// Runs `filestatus` with the arguments after the subcommand name.
pub fn run(rest: &[String], config_flag: Option<&str>) -> Outcome {
    let parsed = match crate::parse(rest, specs::FILESTATUS) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let Some(file) = parsed.positionals.first() else {
        return Outcome::Failed(Error::NoFileSpecified);
    };
    let config = match common::load_config(config_flag) {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(e),
    };
    let format = common::format_for(parsed.value("input-type"), file);
    let store = match common::store_for(format, config.as_ref()) {
        Ok(s) => s,
        Err(e) => return Outcome::Failed(e),
    };
    let prefix = "cannot check file status: cannot load encrypted file";
    let input = match common::read_file(file) {
        Ok(b) => b,
        Err(msg) => return fatal("CMD", &format!("{prefix}: Error reading file: {msg}")),
    };
    match ops::file_status(&input, store.as_ref()) {
        Ok(encrypted) => match common::print_stdout(status_line(encrypted).as_bytes()) {
            Ok(()) => Outcome::Done,
            Err(e) => Outcome::Failed(e),
        },
        Err(e) => fatal("CMD", &format!("{prefix}: {e}")),
    }
}

/// What Go's `json.Marshal` of sops's status struct gives, plus `Println`'s newline.
fn status_line(encrypted: bool) -> String {
    format!("{{\"encrypted\":{encrypted}}}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_json_like_go() {
        assert_eq!(status_line(true), "{\"encrypted\":true}\n");
        assert_eq!(status_line(false), "{\"encrypted\":false}\n");
    }
}
