//! sops-rs: a fast, SOPS-compatible secrets encryption engine.
//!
//! The engine is format-independent: a [`store`] turns a file into a [`tree`],
//! the cipher walk encrypts or decrypts its leaves under one data key, the
//! MAC binds all values together, and master keys wrap the data key. The
//! `sops-rs` binary is a thin command-line layer on top.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cipher;
pub mod config;
pub mod datakey;
pub mod edit;
pub mod error;
pub mod execenv;
pub mod gitmerge;
pub mod gobase64;
pub mod gofmt;
pub mod goregex;
pub mod guard;
pub mod helm;
pub mod keygroups;
pub mod keys;
pub mod mac;
pub mod metadata;
pub mod ops;
pub mod selection;
pub mod store;
pub mod tree;
pub mod treepath;
pub mod version;
pub mod walk;
