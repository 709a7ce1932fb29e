//! The flag tables of the legacy mode and of each subcommand, as sops 3.11 declares them.

use crate::flags::FlagSpec;

const fn switch(names: &'static [&'static str], env: Option<&'static str>) -> FlagSpec {
    FlagSpec {
        names,
        takes_value: false,
        env,
        repeatable: false,
    }
}

const fn value(names: &'static [&'static str], env: Option<&'static str>) -> FlagSpec {
    FlagSpec {
        names,
        takes_value: true,
        env,
        repeatable: false,
    }
}

const fn repeated(names: &'static [&'static str], env: Option<&'static str>) -> FlagSpec {
    FlagSpec {
        names,
        takes_value: true,
        env,
        repeatable: true,
    }
}

/// Global flags: legacy mode (`sops-rs [flags] FILE`) and what may precede a subcommand.
pub const GLOBAL: &[FlagSpec] = &[
    switch(&["decrypt", "d"], None),
    switch(&["encrypt", "e"], None),
    switch(&["rotate", "r"], None),
    switch(
        &["disable-version-check"],
        Some("SOPS_DISABLE_VERSION_CHECK"),
    ),
    switch(&["check-for-updates"], None),
    value(&["kms", "k"], Some("SOPS_KMS_ARN")),
    value(&["aws-profile"], None),
    value(&["gcp-kms"], Some("SOPS_GCP_KMS_IDS")),
    value(&["hckms"], Some("SOPS_HUAWEICLOUD_KMS_IDS")),
    value(&["azure-kv"], Some("SOPS_AZURE_KEYVAULT_URLS")),
    value(&["hc-vault-transit"], Some("SOPS_VAULT_URIS")),
    value(&["pgp", "p"], Some("SOPS_PGP_FP")),
    value(&["age", "a"], Some("SOPS_AGE_RECIPIENTS")),
    switch(&["in-place", "i"], None),
    value(&["extract"], None),
    value(&["input-type"], None),
    value(&["output-type"], None),
    switch(&["show-master-keys", "s"], None),
    value(&["add-gcp-kms"], None),
    value(&["rm-gcp-kms"], None),
    value(&["add-hckms"], None),
    value(&["rm-hckms"], None),
    value(&["add-azure-kv"], None),
    value(&["rm-azure-kv"], None),
    value(&["add-kms"], None),
    value(&["rm-kms"], None),
    value(&["add-hc-vault-transit"], None),
    value(&["rm-hc-vault-transit"], None),
    value(&["add-age"], None),
    value(&["rm-age"], None),
    value(&["add-pgp"], None),
    value(&["rm-pgp"], None),
    switch(&["ignore-mac"], None),
    switch(&["mac-only-encrypted"], None),
    value(&["unencrypted-suffix"], None),
    value(&["encrypted-suffix"], None),
    value(&["unencrypted-regex"], None),
    value(&["encrypted-regex"], None),
    value(&["unencrypted-comment-regex"], None),
    value(&["encrypted-comment-regex"], None),
    value(&["config"], Some("SOPS_CONFIG")),
    value(&["encryption-context"], None),
    value(&["set"], None),
    value(&["shamir-secret-sharing-threshold"], None),
    value(&["indent"], None),
    switch(&["verbose"], None),
    value(&["output"], None),
    value(&["filename-override"], None),
    value(&["decryption-order"], Some("SOPS_DECRYPTION_ORDER")),
    switch(
        &["enable-local-keyservice"],
        Some("SOPS_ENABLE_LOCAL_KEYSERVICE"),
    ),
    repeated(&["keyservice"], Some("SOPS_KEYSERVICE")),
    switch(&["version", "v"], None),
];

/// `sops-rs encrypt [flags] [FILE]`.
pub const ENCRYPT: &[FlagSpec] = &[
    switch(&["in-place", "i"], None),
    value(&["output"], None),
    value(&["kms", "k"], Some("SOPS_KMS_ARN")),
    value(&["aws-profile"], None),
    value(&["gcp-kms"], Some("SOPS_GCP_KMS_IDS")),
    value(&["hckms"], Some("SOPS_HUAWEICLOUD_KMS_IDS")),
    value(&["azure-kv"], Some("SOPS_AZURE_KEYVAULT_URLS")),
    value(&["hc-vault-transit"], Some("SOPS_VAULT_URIS")),
    value(&["pgp", "p"], Some("SOPS_PGP_FP")),
    value(&["age", "a"], Some("SOPS_AGE_RECIPIENTS")),
    value(&["input-type"], None),
    value(&["output-type"], None),
    value(&["unencrypted-suffix"], None),
    value(&["encrypted-suffix"], None),
    value(&["unencrypted-regex"], None),
    value(&["encrypted-regex"], None),
    value(&["encryption-context"], None),
    value(&["shamir-secret-sharing-threshold"], None),
    value(&["filename-override"], None),
    switch(
        &["enable-local-keyservice"],
        Some("SOPS_ENABLE_LOCAL_KEYSERVICE"),
    ),
    repeated(&["keyservice"], Some("SOPS_KEYSERVICE")),
];

/// `sops-rs decrypt [flags] [FILE]`.
pub const DECRYPT: &[FlagSpec] = &[
    switch(&["in-place", "i"], None),
    value(&["extract"], None),
    value(&["output"], None),
    // sops-rs only: decrypt every FILE into this directory (cmd_batch).
    value(&["output-dir"], None),
    value(&["input-type"], None),
    value(&["output-type"], None),
    switch(&["ignore-mac"], None),
    value(&["filename-override"], None),
    value(&["decryption-order"], Some("SOPS_DECRYPTION_ORDER")),
    switch(
        &["enable-local-keyservice"],
        Some("SOPS_ENABLE_LOCAL_KEYSERVICE"),
    ),
    repeated(&["keyservice"], Some("SOPS_KEYSERVICE")),
];

/// Subcommands sops has; those sops-rs does not implement yet are refused with a clear message.
pub const SUBCOMMANDS: &[&str] = &[
    "completion",
    "exec-env",
    "exec-file",
    "publish",
    "keyservice",
    "filestatus",
    "groups",
    "updatekeys",
    "decrypt",
    "encrypt",
    "rotate",
    "edit",
    "set",
    "unset",
    "help",
    "h",
    "helm",
    "values",
    "pre-commit",
    "install-hook",
    "merge-driver",
    "textconv",
];

/// `sops-rs values [flags] FILE...`.
pub const VALUES: &[FlagSpec] = &[
    switch(&["ignore-mac"], None),
    value(&["decryption-order"], Some("SOPS_DECRYPTION_ORDER")),
];

/// Key-service flags sops appends to the key-using subcommands.
const KEYSERVICE_LOCAL: FlagSpec = switch(
    &["enable-local-keyservice"],
    Some("SOPS_ENABLE_LOCAL_KEYSERVICE"),
);
const KEYSERVICE: FlagSpec = repeated(&["keyservice"], Some("SOPS_KEYSERVICE"));

/// `sops-rs filestatus [flags] FILE`.
pub const FILESTATUS: &[FlagSpec] = &[value(&["input-type"], None)];

/// `sops-rs exec-env [flags] FILE COMMAND` (no `--input-type`, no `--ignore-mac`, as in sops).
pub const EXEC_ENV: &[FlagSpec] = &[
    switch(&["background"], None),
    switch(&["pristine"], None),
    value(&["user"], None),
    switch(&["same-process"], None),
    value(&["decryption-order"], Some("SOPS_DECRYPTION_ORDER")),
    KEYSERVICE_LOCAL,
    KEYSERVICE,
];

/// `sops-rs exec-file [flags] FILE COMMAND`.
pub const EXEC_FILE: &[FlagSpec] = &[
    switch(&["background"], None),
    switch(&["no-fifo"], None),
    value(&["user"], None),
    value(&["input-type"], None),
    value(&["output-type"], None),
    value(&["filename"], None),
    value(&["decryption-order"], Some("SOPS_DECRYPTION_ORDER")),
    KEYSERVICE_LOCAL,
    KEYSERVICE,
];

/// `sops-rs updatekeys [flags] FILE…` (no threshold flag, as in sops).
pub const UPDATEKEYS: &[FlagSpec] = &[
    switch(&["yes", "y"], None),
    // sops-rs only (sops issue #1071): directories are walked for sops files.
    switch(&["recursive"], None),
    value(&["input-type"], None),
    KEYSERVICE_LOCAL,
    KEYSERVICE,
];

/// `sops-rs groups add [flags]`: key flags repeat, one key per value (age values may be comma-separated).
pub const GROUPS_ADD: &[FlagSpec] = &[
    value(&["file", "f"], None),
    repeated(&["pgp"], None),
    repeated(&["kms"], None),
    value(&["aws-profile"], None),
    repeated(&["gcp-kms"], None),
    repeated(&["hckms"], None),
    repeated(&["azure-kv"], None),
    repeated(&["hc-vault-transit"], None),
    repeated(&["age"], None),
    switch(&["in-place", "i"], None),
    value(&["shamir-secret-sharing-threshold"], None),
    value(&["encryption-context"], None),
    KEYSERVICE_LOCAL,
    KEYSERVICE,
];

/// `sops-rs groups delete [flags] INDEX`.
pub const GROUPS_DELETE: &[FlagSpec] = &[
    value(&["file", "f"], None),
    switch(&["in-place", "i"], None),
    value(&["shamir-secret-sharing-threshold"], None),
    KEYSERVICE_LOCAL,
    KEYSERVICE,
];

/// `sops-rs edit [flags] FILE`.
pub const EDIT: &[FlagSpec] = &[
    value(&["kms", "k"], Some("SOPS_KMS_ARN")),
    value(&["aws-profile"], None),
    value(&["gcp-kms"], Some("SOPS_GCP_KMS_IDS")),
    value(&["hckms"], Some("SOPS_HUAWEICLOUD_KMS_IDS")),
    value(&["azure-kv"], Some("SOPS_AZURE_KEYVAULT_URLS")),
    value(&["hc-vault-transit"], Some("SOPS_VAULT_URIS")),
    value(&["pgp", "p"], Some("SOPS_PGP_FP")),
    value(&["age", "a"], Some("SOPS_AGE_RECIPIENTS")),
    value(&["input-type"], None),
    value(&["output-type"], None),
    value(&["unencrypted-suffix"], None),
    value(&["encrypted-suffix"], None),
    value(&["unencrypted-regex"], None),
    value(&["encrypted-regex"], None),
    value(&["encryption-context"], None),
    value(&["shamir-secret-sharing-threshold"], None),
    switch(&["show-master-keys", "s"], None),
    switch(&["ignore-mac"], None),
    value(&["decryption-order"], Some("SOPS_DECRYPTION_ORDER")),
    switch(
        &["enable-local-keyservice"],
        Some("SOPS_ENABLE_LOCAL_KEYSERVICE"),
    ),
    repeated(&["keyservice"], Some("SOPS_KEYSERVICE")),
];

/// `sops-rs set [flags] FILE INDEX [VALUE]`.
pub const SET: &[FlagSpec] = &[
    value(&["input-type"], None),
    value(&["output-type"], None),
    switch(&["value-file"], None),
    switch(&["value-stdin"], None),
    value(&["shamir-secret-sharing-threshold"], None),
    switch(&["ignore-mac"], None),
    value(&["decryption-order"], Some("SOPS_DECRYPTION_ORDER")),
    switch(&["idempotent"], None),
    switch(
        &["enable-local-keyservice"],
        Some("SOPS_ENABLE_LOCAL_KEYSERVICE"),
    ),
    repeated(&["keyservice"], Some("SOPS_KEYSERVICE")),
];

/// `sops-rs unset [flags] FILE INDEX`.
pub const UNSET: &[FlagSpec] = &[
    value(&["input-type"], None),
    value(&["output-type"], None),
    value(&["shamir-secret-sharing-threshold"], None),
    switch(&["ignore-mac"], None),
    value(&["decryption-order"], Some("SOPS_DECRYPTION_ORDER")),
    switch(&["idempotent"], None),
    switch(
        &["enable-local-keyservice"],
        Some("SOPS_ENABLE_LOCAL_KEYSERVICE"),
    ),
    repeated(&["keyservice"], Some("SOPS_KEYSERVICE")),
];

/// `sops-rs rotate [flags] FILE` (no `--ignore-mac`, as in sops).
pub const ROTATE: &[FlagSpec] = &[
    switch(&["in-place", "i"], None),
    value(&["output"], None),
    value(&["input-type"], None),
    value(&["output-type"], None),
    value(&["encryption-context"], None),
    value(&["add-gcp-kms"], None),
    value(&["rm-gcp-kms"], None),
    value(&["add-hckms"], None),
    value(&["rm-hckms"], None),
    value(&["add-azure-kv"], None),
    value(&["rm-azure-kv"], None),
    value(&["add-kms"], None),
    value(&["rm-kms"], None),
    value(&["add-hc-vault-transit"], None),
    value(&["rm-hc-vault-transit"], None),
    value(&["add-age"], None),
    value(&["rm-age"], None),
    value(&["add-pgp"], None),
    value(&["rm-pgp"], None),
    value(&["filename-override"], None),
    value(&["decryption-order"], Some("SOPS_DECRYPTION_ORDER")),
    switch(
        &["enable-local-keyservice"],
        Some("SOPS_ENABLE_LOCAL_KEYSERVICE"),
    ),
    repeated(&["keyservice"], Some("SOPS_KEYSERVICE")),
];
