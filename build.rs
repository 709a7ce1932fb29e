//! Links the release `sops-rs` binary as a classic (non-PIE) executable on
//! Linux/glibc: a PIE of this size carries ~33,000 relative relocations that
//! the dynamic loader applies at every start (a quarter of the instructions
//! and half the page faults of a small `sops-rs -d`), and start-up is what a
//! per-file tool pays most. Libraries, stack and heap stay randomised.
//! Debug builds keep the platform default.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SOPS_RS_PIE");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let release = var("PROFILE") == "release";
    let linux_gnu = var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    // SOPS_RS_PIE=1 keeps a position-independent executable (distributions that require PIE).
    if release && linux_gnu && var("SOPS_RS_PIE") != "1" {
        println!("cargo:rustc-link-arg-bin=sops-rs=-no-pie");
    }
}
