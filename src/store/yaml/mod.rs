//! The YAML store: go-yaml v3 compatible parsing and byte-exact emission (spec §6.1, §6.1a).

mod build;
mod emit;
mod fastscan;
mod parse;
mod resolve;

use crate::error::Result;
use crate::store::{Format, MetadataForm, Store, StoreOptions};
use crate::tree::{Map, Tree, Value};

/// YAML files, read and written the way sops 3.11 (go-yaml v3.0.4) does.
pub struct YamlStore {
    indent: usize,
}

impl YamlStore {
    /// A YAML store; `options.indent` negative is an error, outside 2..=9 becomes 2, absent/0 is 4.
    pub fn new(options: StoreOptions) -> Result<Self> {
        let indent = match options.indent {
            None | Some(0) => 4,
            Some(n) if n < 0 => {
                return Err(crate::error::Error::Other(
                    "YAML Negative indentation not accepted".into(),
                ));
            }
            Some(n) if (2..=9).contains(&n) => n as usize,
            Some(_) => 2,
        };
        Ok(Self { indent })
    }
}

impl Store for YamlStore {
    fn format(&self) -> Format {
        Format::Yaml
    }
    fn metadata_form(&self) -> MetadataForm {
        MetadataForm::Yaml
    }
    fn load_plain(&self, input: &[u8]) -> Result<Tree> {
        parse::load_plain(input)
    }
    fn load_encrypted(&self, input: &[u8]) -> Result<(Tree, Map)> {
        parse::load_encrypted(input)
    }
    fn emit_plain(&self, tree: &Tree) -> Result<Vec<u8>> {
        emit::emit_plain(tree, self.indent)
    }
    fn emit_encrypted(&self, tree: &Tree, metadata: &Map) -> Result<Vec<u8>> {
        emit::emit_encrypted(tree, metadata, self.indent)
    }
    fn emit_value(&self, value: &Value) -> Result<Vec<u8>> {
        emit::emit_value(value, self.indent)
    }
}
