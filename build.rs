//! Optionally links the release `sops-rs` binary as a classic (non-PIE) executable on
//! Linux/glibc (`SOPS_RS_NO_PIE=1` at build time). A PIE of this size carries ~33,000
//! relative relocations that the dynamic loader applies at every start (measured: a
//! quarter of the instructions and half the page faults of a small `sops-rs -d`), but
//! it keeps the executable's own address randomised, which a tool holding secrets
//! should not give up by default; so PIE stays the default and this is opt-in for
//! builds that want the last fraction of a millisecond per call.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SOPS_RS_NO_PIE");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let release = var("PROFILE") == "release";
    let linux_gnu = var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    if release && linux_gnu && var("SOPS_RS_NO_PIE") == "1" {
        println!("cargo:rustc-link-arg-bin=sops-rs=-no-pie");
    }
}
