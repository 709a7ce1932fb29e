//! libFuzzer entry for the `age_armor` target; the logic lives in the crate so the stable
//! `driver` binary runs exactly the same checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sops_rs_fuzz::age_armor(data));
