//! `.sops.yaml`: finding it, reading its schema, and picking the creation rule for a file (spec §7).
//!
//! The file is parsed with the project's own YAML store (the same go-yaml
//! compatible scalar rules sops applies), then checked field by field so that a
//! mistake names the rule number and the field instead of being ignored.

use std::path::{Path, PathBuf};

use regex::Regex;

use crate::error::{Error, Result};
use crate::selection::SelectionRule;
use crate::store::Store;
use crate::store::yaml::YamlStore;
use crate::tree::{Key, Map, Value};

/// The only file name sops looks for.
pub const CONFIG_NAME: &str = ".sops.yaml";

/// How many parent directories sops climbs when searching.
const MAX_DEPTH: usize = 100;

/// A loaded `.sops.yaml`.
#[derive(Debug)]
pub struct Config {
    /// Where it was read from (absolute).
    pub path: PathBuf,
    /// `stores:` options.
    pub stores: StoresConfig,
    /// `creation_rules:`; `None` when the key is absent (then the file counts as no config).
    /// A mistake in the rules (or an unknown top-level field) is kept as its message and
    /// reported by [`Config::rules`] and [`Config::rule_for`] only: commands that never
    /// use creation rules (decrypt) read just `stores`, as sops does.
    creation_rules: Option<std::result::Result<Vec<CreationRule>, String>>,
}

/// `stores:` — per-format output options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoresConfig {
    /// `stores.yaml.indent`.
    pub yaml_indent: Option<i64>,
    /// `stores.json.indent`.
    pub json_indent: Option<i64>,
    /// `stores.json_binary.indent`.
    pub json_binary_indent: Option<i64>,
}

/// One AWS KMS key of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsSpec {
    /// The key ARN.
    pub arn: String,
    /// Role to assume first, if any.
    pub role: Option<String>,
    /// Encryption context, in file order.
    pub context: Vec<(String, String)>,
    /// AWS profile (empty = default chain).
    pub aws_profile: String,
}

/// One Azure Key Vault key of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AzureSpec {
    /// `https://<vault>.vault.azure.net`.
    pub vault_url: String,
    /// Key name.
    pub key: String,
    /// Key version (empty = latest at creation).
    pub version: String,
}

/// The master keys of one key group, as the config names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupSpec {
    /// age recipients.
    pub age: Vec<String>,
    /// PGP fingerprints.
    pub pgp: Vec<String>,
    /// AWS KMS keys.
    pub kms: Vec<KmsSpec>,
    /// GCP KMS resource ids.
    pub gcp_kms: Vec<String>,
    /// Azure Key Vault keys.
    pub azure_keyvault: Vec<AzureSpec>,
    /// HashiCorp Vault transit URIs.
    pub hc_vault: Vec<String>,
}

impl GroupSpec {
    /// Whether the group names no key at all.
    pub fn is_empty(&self) -> bool {
        self.age.is_empty()
            && self.pgp.is_empty()
            && self.kms.is_empty()
            && self.gcp_kms.is_empty()
            && self.azure_keyvault.is_empty()
            && self.hc_vault.is_empty()
    }

    /// Adds `other`'s keys that this group does not have yet (same type and identifier).
    fn merge_dedup(&mut self, other: GroupSpec) {
        fn add<T: PartialEq>(dst: &mut Vec<T>, src: Vec<T>, same: impl Fn(&T, &T) -> bool) {
            for item in src {
                if !dst.iter().any(|d| same(d, &item)) {
                    dst.push(item);
                }
            }
        }
        add(&mut self.age, other.age, |a, b| a == b);
        add(&mut self.pgp, other.pgp, |a, b| a == b);
        add(&mut self.kms, other.kms, |a, b| {
            a.arn == b.arn && a.role == b.role && a.aws_profile == b.aws_profile
        });
        add(&mut self.gcp_kms, other.gcp_kms, |a, b| a == b);
        add(&mut self.azure_keyvault, other.azure_keyvault, |a, b| {
            a == b
        });
        add(&mut self.hc_vault, other.hc_vault, |a, b| a == b);
    }
}

/// One entry of `creation_rules`.
#[derive(Debug)]
pub struct CreationRule {
    /// 0-based position in the file (for messages).
    pub index: usize,
    /// `path_regex`, compiled with Go semantics; `None` matches every file.
    pub path_regex: Option<Regex>,
    /// The key groups: `key_groups` if given, else one group of the flat keys.
    pub key_groups: Vec<GroupSpec>,
    /// `shamir_threshold` (0 = unset).
    pub shamir_threshold: usize,
    /// The selection rule, if the rule sets one.
    pub selection: Option<SelectionRule>,
    /// `mac_only_encrypted`.
    pub mac_only_encrypted: bool,
}

/// Finds the config: `explicit` (`--config`/`SOPS_CONFIG`) if given, else `.sops.yaml`
/// in `cwd` or one of its parents. A `.sops.yml` met on the way is reported and skipped.
pub fn find(cwd: &Path, explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let mut dir = Some(cwd);
    for depth in 0..MAX_DEPTH {
        let Some(d) = dir else { break };
        let candidate = d.join(CONFIG_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".sops.yml").is_file() {
            // sops names it relative to the working directory: ".sops.yml", "../.sops.yml", …
            let shown = format!("{}.sops.yml", "../".repeat(depth));
            eprintln!(
                "[CMD]\t level=warning msg=\"ignoring \\\"{shown}\\\" when searching for config file; the config file must be called \\\".sops.yaml\\\"\""
            );
        }
        dir = d.parent();
    }
    None
}

fn err(msg: impl std::fmt::Display) -> Error {
    Error::Config(format!("error loading config: {msg}"))
}

impl Config {
    /// Reads and checks the config at `path`.
    pub fn load(path: &Path) -> Result<Config> {
        // sops's wording, without the "error loading config" prefix.
        let bytes = std::fs::read(path).map_err(|e| {
            Error::Config(format!(
                "could not read config file: open {}: {}",
                path.display(),
                crate::error::go_io_message(&e)
            ))
        })?;
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        Config::parse(&bytes, abs)
    }

    /// Checks config text already read from `path`.
    pub fn parse(bytes: &[u8], path: PathBuf) -> Result<Config> {
        let store = YamlStore::new(crate::store::StoreOptions::default())?;
        let tree = match store.load_plain(bytes) {
            Ok(t) => t,
            // An empty config is a config without rules.
            Err(Error::EmptyFile) => {
                return Ok(Config {
                    path,
                    stores: StoresConfig::default(),
                    creation_rules: None,
                });
            }
            Err(Error::Unmarshal(m)) if m == "EOF" => {
                return Ok(Config {
                    path,
                    stores: StoresConfig::default(),
                    creation_rules: None,
                });
            }
            Err(Error::Unmarshal(m)) => {
                return Err(err(format!("Could not unmarshal config file: {m}")));
            }
            Err(e) => {
                return Err(err(format!("Could not unmarshal config file: {e}")));
            }
        };
        let empty = Map::new();
        let root = tree.branches.first().unwrap_or(&empty);
        let mut stores = StoresConfig::default();
        let mut creation_rules = None;
        for (key, value) in entries(root) {
            match key {
                "stores" => stores = parse_stores(value)?,
                // `creation_rules:` with no value is no rules at all; an empty list is a
                // list in which nothing matches (both as sops).
                "creation_rules" if matches!(value, Value::Null) => {}
                "creation_rules" => {
                    if !matches!(creation_rules, Some(Err(_))) {
                        creation_rules = Some(parse_rules(value).map_err(|e| e.to_string()));
                    }
                }
                // Read by `publish`, which sops-rs does not implement; accepted so that
                // configs shared with sops keep loading.
                "destination_rules" => {}
                other => {
                    creation_rules = Some(Err(err(format!(
                        "unknown top-level field {other:?} (known: creation_rules, stores, destination_rules)"
                    ))
                    .to_string()));
                }
            }
        }
        Ok(Config {
            path,
            stores,
            creation_rules,
        })
    }

    /// The creation rules; `Ok(None)` when the config has none, an error naming the
    /// rule and field when one is wrong.
    pub fn rules(&self) -> Result<Option<&[CreationRule]>> {
        match &self.creation_rules {
            None => Ok(None),
            Some(Ok(rules)) => Ok(Some(rules)),
            Some(Err(msg)) => Err(Error::Config(msg.clone())),
        }
    }

    /// The directory rules are relative to.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("/"))
    }

    /// The first creation rule whose `path_regex` matches `file` (made absolute against
    /// `cwd`, then relative to the config's directory when it lies below it).
    /// `Ok(None)` when the config has no `creation_rules` at all.
    pub fn rule_for(&self, file: &Path, cwd: &Path) -> Result<Option<&CreationRule>> {
        let Some(rules) = self.rules()? else {
            return Ok(None);
        };
        let abs = if file.is_absolute() {
            file.to_path_buf()
        } else {
            cwd.join(file)
        };
        let abs = normalize(&abs);
        let dir = normalize(self.dir());
        let target = match abs.strip_prefix(&dir) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
            _ => abs.to_string_lossy().into_owned(),
        };
        for rule in rules {
            match &rule.path_regex {
                None => return Ok(Some(rule)),
                Some(re) if re.is_match(&target) => return Ok(Some(rule)),
                Some(_) => {}
            }
        }
        Err(err("no matching creation rules found"))
    }
}

/// Removes `.` and `..` components without touching the file system (Go's filepath.Abs does the same).
fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The string-keyed entries of a map (comments skipped).
fn entries(map: &Map) -> impl Iterator<Item = (&str, &Value)> {
    map.items.iter().filter_map(|item| match &item.key {
        Key::Str(k) => Some((k.as_str(), &item.value)),
        _ => None,
    })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "a map",
        Value::List(_) => "a list",
        Value::Str(_) | Value::Bytes(_) => "a string",
        Value::Int(_) | Value::Uint64(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Time(_) => "a timestamp",
        Value::Null => "null",
        Value::Comment(_) => "a comment",
    }
}

fn parse_stores(v: &Value) -> Result<StoresConfig> {
    let mut out = StoresConfig::default();
    let map = match v {
        Value::Map(m) => m,
        Value::Null => return Ok(out),
        other => {
            return Err(err(format!(
                "stores: expected a map, found {}",
                type_name(other)
            )));
        }
    };
    for (store, opts) in entries(map) {
        let mut slot = match store {
            "yaml" => Some(&mut out.yaml_indent),
            "json" => Some(&mut out.json_indent),
            "json_binary" => Some(&mut out.json_binary_indent),
            "dotenv" | "ini" => None,
            other => {
                return Err(err(format!(
                    "stores: unknown store {other:?} (known: yaml, json, json_binary, dotenv, ini)"
                )));
            }
        };
        let opts = match opts {
            Value::Map(m) => m,
            Value::Null => continue,
            other => {
                return Err(err(format!(
                    "stores.{store}: expected a map, found {}",
                    type_name(other)
                )));
            }
        };
        for (field, value) in entries(opts) {
            let Some(target) = slot.as_deref_mut().filter(|_| field == "indent") else {
                return Err(err(format!("stores.{store}: unknown field {field:?}")));
            };
            let n = as_int(value).ok_or_else(|| {
                err(format!(
                    "stores.{store}.indent: expected an integer, found {}",
                    type_name(value)
                ))
            })?;
            *target = Some(n);
        }
    }
    Ok(out)
}

fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

/// go-yaml v3 still reads the YAML 1.1 words into a Go `bool` field, so sops accepts
/// `mac_only_encrypted: yes`.
fn yaml11_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// A scalar as the string go-yaml would decode into a Go `string` field.
fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Uint64(u) => Some(u.to_string()),
        Value::Float(f) => Some(crate::gofmt::format_float_yaml(*f)),
        Value::Bool(b) => Some(b.to_string()),
        Value::Time(t) => Some(t.to_rfc3339_nano()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// A key list: a comma-separated string or a list of strings (items may themselves
/// hold commas); items are trimmed and empty ones dropped.
fn key_list(v: &Value, at: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut push_all = |s: &str| {
        out.extend(
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
    };
    match v {
        Value::Null => {}
        Value::List(items) => {
            for item in items.iter().filter(|i| !matches!(i, Value::Comment(_))) {
                match item {
                    Value::Str(s) => push_all(s),
                    _ => {
                        return Err(err(format!(
                            "{at}: expected a list of strings, found {} in it",
                            type_name(item)
                        )));
                    }
                }
            }
        }
        Value::Str(s) => push_all(s),
        other => {
            return Err(err(format!(
                "{at}: expected a string or a list of strings, found {}",
                type_name(other)
            )));
        }
    }
    Ok(out)
}

/// Splits `ARN+ROLE_ARN` (sops removes all spaces first).
fn kms_from_string(s: &str, aws_profile: &str, context: &[(String, String)]) -> KmsSpec {
    let s: String = s.chars().filter(|c| *c != ' ').collect();
    let (arn, role) = match s.find("+arn:aws:iam::") {
        Some(i) => (s[..i].to_string(), Some(s[i + 1..].to_string())),
        None => (s, None),
    };
    KmsSpec {
        arn,
        role,
        context: context.to_vec(),
        aws_profile: aws_profile.to_string(),
    }
}

fn parse_rules(v: &Value) -> Result<Vec<CreationRule>> {
    let items = match v {
        Value::List(items) => items,
        Value::Null => return Ok(Vec::new()),
        other => {
            return Err(err(format!(
                "creation_rules: expected a list, found {}",
                type_name(other)
            )));
        }
    };
    let mut rules = Vec::new();
    for (index, item) in items
        .iter()
        .filter(|i| !matches!(i, Value::Comment(_)))
        .enumerate()
    {
        let map = match item {
            Value::Map(m) => m,
            other => {
                return Err(err(format!(
                    "creation_rules[{index}]: expected a map, found {}",
                    type_name(other)
                )));
            }
        };
        rules.push(parse_rule(index, map)?);
    }
    Ok(rules)
}

fn parse_rule(index: usize, map: &Map) -> Result<CreationRule> {
    let at = |field: &str| format!("creation_rules[{index}].{field}");
    let string = |field: &str, v: &Value| -> Result<String> {
        as_string(v).ok_or_else(|| {
            err(format!(
                "{}: expected a string, found {}",
                at(field),
                type_name(v)
            ))
        })
    };
    let mut path_regex = None;
    let mut flat = GroupSpec::default();
    let mut kms_strings = Vec::new();
    let mut aws_profile = String::new();
    let mut key_groups = Vec::new();
    let mut shamir_threshold = 0usize;
    let mut selections = Vec::new();
    let mut mac_only_encrypted = false;
    for (field, value) in entries(map) {
        match field {
            "path_regex" => {
                let pattern = string(field, value)?;
                if !pattern.is_empty() {
                    let re = crate::goregex::compile(&pattern).map_err(|e| {
                        err(format!(
                            "{}: can not compile regexp {pattern:?}: {e}",
                            at(field)
                        ))
                    })?;
                    path_regex = Some(re);
                }
            }
            // sops ignores this misspelling, so the rule would match every file.
            "filename_regex" => {
                return Err(err(format!(
                    "{}: filename_regex is not a sops setting (sops ignores it, so this rule would match every file); use path_regex",
                    at(field)
                )));
            }
            "age" => flat.age = key_list(value, &at(field))?,
            "pgp" => flat.pgp = key_list(value, &at(field))?,
            "kms" => kms_strings = key_list(value, &at(field))?,
            "aws_profile" => aws_profile = string(field, value)?,
            "gcp_kms" => flat.gcp_kms = key_list(value, &at(field))?,
            "azure_keyvault" => {
                for url in key_list(value, &at(field))? {
                    flat.azure_keyvault.push(parse_azure_url(&url, &at(field))?);
                }
            }
            "hc_vault_transit_uri" => flat.hc_vault = key_list(value, &at(field))?,
            "hckms" => {
                return Err(err(format!(
                    "{}: HuaweiCloud KMS keys are not supported by sops-rs",
                    at(field)
                )));
            }
            "key_groups" => {
                let groups = match value {
                    Value::List(g) => g,
                    Value::Null => continue,
                    other => {
                        return Err(err(format!(
                            "{}: expected a list, found {}",
                            at(field),
                            type_name(other)
                        )));
                    }
                };
                for (gi, g) in groups
                    .iter()
                    .filter(|g| !matches!(g, Value::Comment(_)))
                    .enumerate()
                {
                    key_groups.push(parse_group(g, &format!("{}[{gi}]", at(field)))?);
                }
            }
            "shamir_threshold" => {
                let n = as_int(value).filter(|n| *n >= 0).ok_or_else(|| {
                    err(format!(
                        "{}: expected a non-negative integer, found {}",
                        at(field),
                        type_name(value)
                    ))
                })?;
                shamir_threshold = usize::try_from(n).unwrap_or(0);
            }
            "unencrypted_suffix"
            | "encrypted_suffix"
            | "unencrypted_regex"
            | "encrypted_regex"
            | "unencrypted_comment_regex"
            | "encrypted_comment_regex" => {
                let s = string(field, value)?;
                if s.is_empty() {
                    continue;
                }
                // sops treats a regex that does not compile as "matches nothing", which
                // with encrypted_regex silently leaves every value in clear text.
                if field.ends_with("_regex") {
                    crate::goregex::compile(&s).map_err(|e| {
                        err(format!("{}: can not compile regexp {s:?}: {e}", at(field)))
                    })?;
                }
                selections.push(match field {
                    "unencrypted_suffix" => SelectionRule::UnencryptedSuffix(s),
                    "encrypted_suffix" => SelectionRule::EncryptedSuffix(s),
                    "unencrypted_regex" => SelectionRule::UnencryptedRegex(s),
                    "encrypted_regex" => SelectionRule::EncryptedRegex(s),
                    "unencrypted_comment_regex" => SelectionRule::UnencryptedCommentRegex(s),
                    _ => SelectionRule::EncryptedCommentRegex(s),
                });
            }
            "mac_only_encrypted" => match value {
                Value::Bool(b) => mac_only_encrypted = *b,
                Value::Null => {}
                Value::Str(s) if let Some(b) = yaml11_bool(s) => mac_only_encrypted = b,
                other => {
                    return Err(err(format!(
                        "{}: expected true or false, found {}",
                        at(field),
                        type_name(other)
                    )));
                }
            },
            other => {
                return Err(err(format!(
                    "creation_rules[{index}]: unknown field {other:?} (known: path_regex, age, pgp, kms, aws_profile, gcp_kms, azure_keyvault, hc_vault_transit_uri, key_groups, shamir_threshold, unencrypted_suffix, encrypted_suffix, unencrypted_regex, encrypted_regex, unencrypted_comment_regex, encrypted_comment_regex, mac_only_encrypted)"
                )));
            }
        }
    }
    if selections.len() > 1 {
        return Err(err(
            "cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, or unencrypted_comment_regex for the same rule",
        ));
    }
    flat.kms = kms_strings
        .iter()
        .map(|s| kms_from_string(s, &aws_profile, &[]))
        .collect();
    // As sops: `key_groups` when it lists any group (empty ones included, which then
    // fail with "empty key group provided"), else one group of the flat keys, even
    // an empty one.
    let key_groups = if key_groups.is_empty() {
        vec![flat]
    } else {
        key_groups
    };
    Ok(CreationRule {
        index,
        path_regex,
        key_groups,
        shamir_threshold,
        selection: selections.pop(),
        mac_only_encrypted,
    })
}

fn parse_azure_url(url: &str, at: &str) -> Result<AzureSpec> {
    // The key's own parser (sops's `^(https://[^/]+)/keys/([^/]+)(/[^/]*)?$`), with the
    // error naming the rule and field.
    let (vault_url, key, version) = crate::keys::azkv::parse_key_url(url)
        .map_err(|_| err(format!("{at}: no valid Azure Key Vault key URL in {url:?}")))?;
    Ok(AzureSpec {
        vault_url,
        key,
        version,
    })
}

fn parse_group(v: &Value, at: &str) -> Result<GroupSpec> {
    let map = match v {
        Value::Map(m) => m,
        other => {
            return Err(err(format!(
                "{at}: expected a map, found {}",
                type_name(other)
            )));
        }
    };
    let mut group = GroupSpec::default();
    let mut merges = Vec::new();
    for (field, value) in entries(map) {
        let here = format!("{at}.{field}");
        match field {
            "age" => group.age = key_list(value, &here)?,
            "pgp" => group.pgp = key_list(value, &here)?,
            "hc_vault" => group.hc_vault = key_list(value, &here)?,
            "gcp_kms" => {
                for (i, entry) in list_of_maps(value, &here)?.into_iter().enumerate() {
                    let mut id = None;
                    for (k, v) in entries(entry) {
                        match k {
                            "resource_id" => id = as_string(v),
                            other => {
                                return Err(err(format!("{here}[{i}]: unknown field {other:?}")));
                            }
                        }
                    }
                    group.gcp_kms.push(
                        id.ok_or_else(|| err(format!("{here}[{i}]: resource_id is required")))?,
                    );
                }
            }
            "azure_keyvault" => {
                for (i, entry) in list_of_maps(value, &here)?.into_iter().enumerate() {
                    let mut spec = AzureSpec {
                        vault_url: String::new(),
                        key: String::new(),
                        version: String::new(),
                    };
                    for (k, v) in entries(entry) {
                        let s = as_string(v).unwrap_or_default();
                        match k {
                            "vaultUrl" => spec.vault_url = s,
                            "key" => spec.key = s,
                            "version" => spec.version = s,
                            other => {
                                return Err(err(format!("{here}[{i}]: unknown field {other:?}")));
                            }
                        }
                    }
                    group.azure_keyvault.push(spec);
                }
            }
            "kms" => {
                for (i, entry) in list_of_maps(value, &here)?.into_iter().enumerate() {
                    let mut arn = String::new();
                    let mut role = None;
                    let mut context = Vec::new();
                    let mut profile = String::new();
                    for (k, v) in entries(entry) {
                        match k {
                            "arn" => arn = as_string(v).unwrap_or_default(),
                            "role" => role = as_string(v).filter(|s| !s.is_empty()),
                            "aws_profile" => profile = as_string(v).unwrap_or_default(),
                            "context" => {
                                if let Value::Map(ctx) = v {
                                    for (ck, cv) in entries(ctx) {
                                        // Null context values are dropped, as sops does.
                                        if let Value::Null = cv {
                                            continue;
                                        }
                                        context.push((
                                            ck.to_string(),
                                            as_string(cv).unwrap_or_default(),
                                        ));
                                    }
                                }
                            }
                            other => {
                                return Err(err(format!("{here}[{i}]: unknown field {other:?}")));
                            }
                        }
                    }
                    group.kms.push(KmsSpec {
                        arn,
                        role,
                        context,
                        aws_profile: profile,
                    });
                }
            }
            "merge" => {
                let subs = match value {
                    Value::List(s) => s,
                    Value::Null => continue,
                    other => {
                        return Err(err(format!(
                            "{here}: expected a list, found {}",
                            type_name(other)
                        )));
                    }
                };
                for (i, sub) in subs
                    .iter()
                    .filter(|s| !matches!(s, Value::Comment(_)))
                    .enumerate()
                {
                    merges.push(parse_group(sub, &format!("{here}[{i}]"))?);
                }
            }
            "hckms" => {
                return Err(err(format!(
                    "{here}: HuaweiCloud KMS keys are not supported by sops-rs"
                )));
            }
            other => {
                return Err(err(format!(
                    "{at}: unknown field {other:?} (known: age, pgp, kms, gcp_kms, azure_keyvault, hc_vault, merge)"
                )));
            }
        }
    }
    for m in merges {
        group.merge_dedup(m);
    }
    Ok(group)
}

fn list_of_maps<'a>(v: &'a Value, at: &str) -> Result<Vec<&'a Map>> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::List(items) => items
            .iter()
            .filter(|i| !matches!(i, Value::Comment(_)))
            .map(|i| match i {
                Value::Map(m) => Ok(m),
                other => Err(err(format!(
                    "{at}: expected a list of maps, found {} in it",
                    type_name(other)
                ))),
            })
            .collect(),
        other => Err(err(format!(
            "{at}: expected a list, found {}",
            type_name(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGE1: &str = "age1nnmpk85mnr9tfeqkx3vuathzkjz0cc820m3pphx3kn68wy08vc2s49dfgr";

    /// Parses and checks the rules too (as encrypt does).
    fn load(text: &str) -> Result<Config> {
        let c = Config::parse(text.as_bytes(), PathBuf::from("/repo/.sops.yaml"))?;
        c.rules()?;
        Ok(c)
    }

    #[test]
    fn rule_mistakes_surface_only_when_rules_are_used() {
        let text = "stores:\n  yaml:\n    indent: 2\ncreation_rules:\n  - path_regex: '('\n";
        let c = Config::parse(text.as_bytes(), PathBuf::from("/repo/.sops.yaml")).unwrap();
        assert_eq!(c.stores.yaml_indent, Some(2));
        let e = c.rule_for(Path::new("f"), Path::new("/repo")).unwrap_err();
        assert!(
            e.to_string().contains("creation_rules[0].path_regex"),
            "{e}"
        );
        let c = Config::parse(b"creation_rule: []\n", PathBuf::from("/r/.sops.yaml")).unwrap();
        assert!(
            c.rules()
                .unwrap_err()
                .to_string()
                .contains("unknown top-level field")
        );
        // The stores section is used by every command, so its mistakes fail at once.
        assert!(Config::parse(b"stores:\n  yaml:\n    indent: x\n", PathBuf::from("/r")).is_err());
        assert!(Config::parse(b"a: [\n", PathBuf::from("/r")).is_err());
    }

    #[test]
    fn first_matching_rule_wins_relative_to_config_dir() {
        let c = load(&format!(
            "creation_rules:\n  - path_regex: ^prod/.*\\.yaml$\n    age: {AGE1}\n    encrypted_regex: ^data$\n  - path_regex: \\.yaml$\n    age: a1, a2 ,\n"
        ))
        .unwrap();
        let cwd = Path::new("/repo/sub");
        let r = c
            .rule_for(Path::new("../prod/x.yaml"), cwd)
            .unwrap()
            .unwrap();
        assert_eq!(r.index, 0);
        assert_eq!(r.key_groups[0].age, [AGE1]);
        assert_eq!(
            r.selection,
            Some(SelectionRule::EncryptedRegex("^data$".into()))
        );
        let r = c.rule_for(Path::new("dev/x.yaml"), cwd).unwrap().unwrap();
        assert_eq!(r.index, 1);
        assert_eq!(r.key_groups[0].age, ["a1", "a2"]);
        let e = c.rule_for(Path::new("x.json"), cwd).unwrap_err();
        assert_eq!(
            e.to_string(),
            "error loading config: no matching creation rules found"
        );
    }

    #[test]
    fn files_outside_the_config_dir_match_on_their_absolute_path() {
        let c = load("creation_rules:\n  - path_regex: ^/elsewhere/\n    age: a\n").unwrap();
        assert!(
            c.rule_for(Path::new("/elsewhere/f.yaml"), Path::new("/"))
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn lists_and_key_groups_with_merge() {
        let c = load(
            "creation_rules:\n  - key_groups:\n      - age: [a, 'b,c']\n        pgp: [F1]\n        merge:\n          - age: [a, d]\n      - kms:\n          - arn: arn:aws:kms:eu-west-1:1:key/x\n            role: arn:aws:iam::1:role/r\n            context: {app: web, gone: null}\n    shamir_threshold: 2\n    mac_only_encrypted: true\n",
        )
        .unwrap();
        let r = c
            .rule_for(Path::new("f"), Path::new("/repo"))
            .unwrap()
            .unwrap();
        assert_eq!(r.key_groups.len(), 2);
        assert_eq!(r.key_groups[0].age, ["a", "b", "c", "d"]);
        assert_eq!(r.key_groups[0].pgp, ["F1"]);
        assert_eq!(
            r.key_groups[1].kms[0].role.as_deref(),
            Some("arn:aws:iam::1:role/r")
        );
        assert_eq!(
            r.key_groups[1].kms[0].context,
            [("app".to_string(), "web".to_string())]
        );
        assert_eq!(r.shamir_threshold, 2);
        assert!(r.mac_only_encrypted);
    }

    #[test]
    fn flat_kms_with_role_and_profile() {
        let c = load("creation_rules:\n  - kms: 'arn:aws:kms:us-west-2:1:key/k+arn:aws:iam::1:role/r, arn:aws:kms:us-west-2:1:key/j'\n    aws_profile: dev\n").unwrap();
        let r = c
            .rule_for(Path::new("f"), Path::new("/repo"))
            .unwrap()
            .unwrap();
        let kms = &r.key_groups[0].kms;
        assert_eq!(kms.len(), 2);
        assert_eq!(kms[0].arn, "arn:aws:kms:us-west-2:1:key/k");
        assert_eq!(kms[0].role.as_deref(), Some("arn:aws:iam::1:role/r"));
        assert_eq!(kms[1].aws_profile, "dev");
    }

    #[test]
    fn stores_indent() {
        let c = load("stores:\n  yaml:\n    indent: 2\n  json:\n    indent: 3\n").unwrap();
        assert_eq!(c.stores.yaml_indent, Some(2));
        assert_eq!(c.stores.json_indent, Some(3));
        assert!(c.rules().unwrap().is_none());
    }

    #[test]
    fn mistakes_name_the_rule_and_field() {
        let e = load("creation_rules:\n  - path_regex: x\n  - path_rgx: y\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("creation_rules[1]: unknown field \"path_rgx\""),
            "{e}"
        );
        let e = load("creation_rules:\n  - shamir_threshold: abc\n").unwrap_err();
        assert!(
            e.to_string().contains("creation_rules[0].shamir_threshold"),
            "{e}"
        );
        let e = load("creation_rules:\n  - path_regex: 'sub/('\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("creation_rules[0].path_regex: can not compile regexp"),
            "{e}"
        );
        let e = load("creation_rules:\n  - encrypted_regex: a\n    unencrypted_suffix: b\n")
            .unwrap_err();
        assert!(e.to_string().contains("cannot use more than one of"), "{e}");
        let e = load("creation_rules: [1]\n").unwrap_err();
        assert!(
            e.to_string().contains("creation_rules[0]: expected a map"),
            "{e}"
        );
    }

    #[test]
    fn the_shipped_example_is_valid() {
        let c = load(include_str!("../.sops.yaml.example")).unwrap();
        assert_eq!(c.stores.yaml_indent, Some(2));
        let cwd = Path::new("/repo");
        let prod = c
            .rule_for(Path::new("clusters/prod/db.yaml"), cwd)
            .unwrap()
            .unwrap();
        assert_eq!(prod.key_groups.len(), 3);
        assert_eq!(prod.shamir_threshold, 2);
        let helm = c
            .rule_for(Path::new("charts/secrets.yaml"), cwd)
            .unwrap()
            .unwrap();
        assert_eq!(helm.key_groups[0].age.len(), 2);
        let aws = c.rule_for(Path::new("aws/x.json"), cwd).unwrap().unwrap();
        assert_eq!(aws.key_groups[0].kms[0].aws_profile, "deploy");
    }

    #[test]
    fn no_rules_means_no_config() {
        let c = load("creation_rules:\n").unwrap();
        assert!(
            c.rule_for(Path::new("f"), Path::new("/"))
                .unwrap()
                .is_none()
        );
        let c = load("creation_rules: []\n").unwrap();
        let e = c.rule_for(Path::new("f"), Path::new("/")).unwrap_err();
        assert!(e.to_string().contains("no matching creation rules"), "{e}");
        let c = load("").unwrap();
        assert!(c.rules().unwrap().is_none());
    }

    #[test]
    fn rules_without_keys_keep_their_empty_group() {
        let c = load("creation_rules:\n  - path_regex: a\n  - path_regex: b\n    key_groups: []\n  - key_groups: [{}]\n").unwrap();
        let cwd = Path::new("/repo");
        for f in ["a", "b", "c"] {
            let r = c.rule_for(Path::new(f), cwd).unwrap().unwrap();
            assert_eq!(r.key_groups.len(), 1, "{f}");
            assert!(r.key_groups[0].is_empty(), "{f}");
        }
    }

    #[test]
    fn stricter_than_sops_where_sops_would_mislead() {
        let e = load("creation_rules:\n  - encrypted_regex: '(x'\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("creation_rules[0].encrypted_regex: can not compile regexp"),
            "{e}"
        );
        let e = load("creation_rules:\n  - age: a\n  - filename_regex: x\n").unwrap_err();
        assert!(
            e.to_string().contains("creation_rules[1].filename_regex"),
            "{e}"
        );
        let e = load("creation_rules:\n  - age: [1]\n").unwrap_err();
        assert!(e.to_string().contains("creation_rules[0].age"), "{e}");
        let e = load("stores:\n  yaml:\n    indent: 2.0\n").unwrap_err();
        assert!(e.to_string().contains("stores.yaml.indent"), "{e}");
    }

    #[test]
    fn yaml_1_1_booleans_are_accepted_like_go_yaml() {
        for (word, want) in [("yes", true), ("on", true), ("Off", false), ("true", true)] {
            let c = load(&format!(
                "creation_rules:\n  - mac_only_encrypted: {word}\n"
            ))
            .unwrap();
            let r = c
                .rule_for(Path::new("f"), Path::new("/repo"))
                .unwrap()
                .unwrap();
            assert_eq!(r.mac_only_encrypted, want, "{word}");
        }
        assert!(load("creation_rules:\n  - mac_only_encrypted: maybe\n").is_err());
    }

    #[test]
    fn find_searches_upward_from_cwd() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(find(&deep, None), None);
        std::fs::write(dir.path().join(".sops.yaml"), "creation_rules: []\n").unwrap();
        assert_eq!(find(&deep, None), Some(dir.path().join(".sops.yaml")));
        std::fs::write(deep.join(".sops.yml"), "x").unwrap();
        assert_eq!(find(&deep, None), Some(dir.path().join(".sops.yaml")));
        let explicit = Path::new("/x/cfg.yaml");
        assert_eq!(find(&deep, Some(explicit)), Some(explicit.to_path_buf()));
    }
}
