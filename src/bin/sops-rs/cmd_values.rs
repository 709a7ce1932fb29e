//! `sops-rs values [--ignore-mac] FILE…`: prints what helm would get from
//! `-f FILE1 -f FILE2 …` — each file decrypted in memory when it is a sops
//! file, merged with helm's values-file rules — so the merge can be reviewed or
//! piped into `helm … -f -` without plaintext on disk.

use std::path::Path;

use sops_rs::error::{Error, Result};
use sops_rs::helm::{merge, source};
use sops_rs::keys::DecryptionOrder;
use sops_rs::ops::DecryptConfig;

use crate::flags::Parsed;
use crate::output::{self, Destination, Sensitivity};

/// Merges the files named in `parsed` (`-` is stdin) and prints the YAML.
pub fn run(parsed: &Parsed) -> Result<()> {
    if parsed.positionals.is_empty() {
        return Err(Error::Usage(
            "values needs at least one values file: sops-rs values FILE...".into(),
        ));
    }
    let config = DecryptConfig {
        ignore_mac: parsed.switch("ignore-mac"),
        order: match parsed.value("decryption-order").filter(|s| !s.is_empty()) {
            Some(s) => DecryptionOrder::parse(s)?,
            None => DecryptionOrder::default(),
        },
        extract: None,
    };
    // Several values files may share a wrapped key: unwrap it once.
    let _keys = sops_rs::ops::keycache::KeyCacheScope::enter();
    let mut maps = Vec::new();
    for name in &parsed.positionals {
        let path = (name != "-").then(|| Path::new(name.as_str()));
        if let Some(p) = path.filter(|p| !p.exists()) {
            return Err(Error::NonExistentFile(
                std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()),
            ));
        }
        let input = output::read_input(path)?;
        maps.push(source::load_values(
            &input,
            source::values_format(name),
            &config,
        )?);
    }
    let yaml = source::emit_yaml(merge::merge_all(maps))?;
    output::write_output(&Destination::Stdout, &yaml, Sensitivity::Plaintext)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_files_is_a_usage_error() {
        let parsed = Parsed::default();
        assert!(matches!(run(&parsed), Err(Error::Usage(_))));
    }

    #[test]
    fn a_missing_file_is_named_absolutely() {
        let mut parsed = Parsed::default();
        parsed.positionals.push("no-such-values.yaml".into());
        match run(&parsed) {
            Err(Error::NonExistentFile(p)) => assert!(p.is_absolute()),
            _ => panic!("expected NonExistentFile"),
        }
    }
}
