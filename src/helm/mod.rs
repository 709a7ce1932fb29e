//! Helm integration: hands sops files to helm as values without plaintext on
//! disk — `-f` argument rewriting, helm's values-file merge, and in-memory
//! decryption of a values file. The process side (pipes, signals) lives in the CLI.

pub mod args;
pub mod merge;
pub mod source;
