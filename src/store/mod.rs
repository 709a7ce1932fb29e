//! File formats: each store turns bytes into a [`Tree`] and back (spec §6).
//!
//! The cipher walk never sees file syntax; a store only parses and emits. The
//! `sops` metadata travels between a store and the engine as a plain [`Map`]
//! (built by `metadata`), so every store writes the same fields in the same order.

use crate::error::Result;
use crate::tree::{Map, Tree, Value};

pub mod binary;
pub mod dotenv;
pub mod flatten;
pub mod ini;
pub mod json;
pub mod yaml;

/// A file format sops knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// YAML (`.yaml`, `.yml`).
    Yaml,
    /// JSON (`.json`).
    Json,
    /// dotenv (`.env`).
    Dotenv,
    /// INI (`.ini`).
    Ini,
    /// Anything else: the whole file is one string under `data`.
    Binary,
}

impl Format {
    /// The format named by `--input-type`/`--output-type`; unknown names give `None`
    /// (sops then falls back to the file extension).
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "yaml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            "dotenv" => Some(Format::Dotenv),
            "ini" => Some(Format::Ini),
            "binary" => Some(Format::Binary),
            _ => None,
        }
    }

    /// The format sops picks from a file name's suffix (case-sensitive).
    pub fn from_path(path: &str) -> Format {
        if path.ends_with(".yaml") || path.ends_with(".yml") {
            Format::Yaml
        } else if path.ends_with(".json") {
            Format::Json
        } else if path.ends_with(".env") {
            Format::Dotenv
        } else if path.ends_with(".ini") {
            Format::Ini
        } else {
            Format::Binary
        }
    }
}

/// How the metadata map must be shaped for a store (Go's YAML and JSON encoders
/// write a nil list differently: `[]` vs `null`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetadataForm {
    /// `hc_vault: []` inside key groups.
    Yaml,
    /// `"hc_vault": null` inside key groups; also the base of the flattened form.
    Json,
}

/// Options from the command line and `.sops.yaml` `stores:` that change output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreOptions {
    /// `--indent` / `stores.<fmt>.indent`; `None` = the store's default.
    pub indent: Option<i64>,
}

/// One file format.
pub trait Store {
    /// Which format this is.
    fn format(&self) -> Format;

    /// The metadata shape this store writes.
    fn metadata_form(&self) -> MetadataForm {
        MetadataForm::Json
    }

    /// Parses a plaintext file (input of `encrypt`).
    fn load_plain(&self, input: &[u8]) -> Result<Tree>;

    /// Parses an encrypted file into its data branches (with the `sops` entries
    /// removed) and the raw metadata map of the first document.
    fn load_encrypted(&self, input: &[u8]) -> Result<(Tree, Map)>;

    /// Writes a decrypted tree.
    fn emit_plain(&self, tree: &Tree) -> Result<Vec<u8>>;

    /// Writes an encrypted tree with `metadata` appended to every document.
    fn emit_encrypted(&self, tree: &Tree, metadata: &Map) -> Result<Vec<u8>>;

    /// Writes one value on its own (`--extract` of a non-string, non-map value).
    fn emit_value(&self, value: &Value) -> Result<Vec<u8>>;

    /// Whether a plaintext tree already carries sops metadata, so encrypting it
    /// again must be refused (exit 203). YAML/JSON/INI/binary look for a top-level
    /// `sops` key in the first document; dotenv for any `sops_` key.
    fn looks_encrypted(&self, tree: &Tree) -> bool {
        tree.branches
            .first()
            .is_some_and(|b| b.get("sops").is_some())
    }
}

/// The store for `format`, configured with `options`.
pub fn for_format(format: Format, options: StoreOptions) -> Result<Box<dyn Store>> {
    match format {
        Format::Yaml => Ok(Box::new(yaml::YamlStore::new(options)?)),
        Format::Json => Ok(Box::new(json::JsonStore::new(options))),
        Format::Dotenv => Ok(Box::new(dotenv::DotenvStore)),
        Format::Ini => Ok(Box::new(ini::IniStore)),
        Format::Binary => Ok(Box::new(binary::BinaryStore::new(options))),
    }
}
