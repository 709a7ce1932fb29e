//! libFuzzer entry for the `decrypt` target; the logic lives in the crate so the stable
//! `driver` binary runs exactly the same checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sops_rs_fuzz::decrypt(data));
