#!/usr/bin/env bash
# The long fuzz run (separate from `make test`, which runs a short version through
# tests/fuzz_props.rs). Runs every target in fuzz/ for N inputs and prints the count
# per target; exits non-zero if any input panicked (saved as fuzz/crash-<target>-*).
#
#   scripts/fuzz.sh [N] [target]          stable: seeded mutation driver (default N=1000000, all targets)
#   FUZZ_ENGINE=libfuzzer scripts/fuzz.sh [N] [target]
#                                         coverage-guided libFuzzer via `cargo fuzz`
#                                         (needs `cargo install cargo-fuzz`; nightly for sanitizers,
#                                         `-s none` works on stable)
#   SOPS_RS_FUZZ_ITERS=N SOPS_ORACLE=... cargo test --test fuzz_props -- --nocapture
#                                         the in-process property tests at scale N per target
#                                         (mutated decrypts compared with real sops)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
n="${1:-1000000}"
which="${2:-all}"
if [ -z "${SOPS_RS_VECTORS:-}" ]; then
    SOPS_RS_VECTORS="$(cd "$root/.." && pwd)/shared/vectors"
fi
export SOPS_RS_VECTORS

cd "$root/fuzz"
if [ "${FUZZ_ENGINE:-driver}" = "libfuzzer" ]; then
    sanitizer="${FUZZ_SANITIZER:-none}"
    if [ "$which" = all ]; then
        targets="$(cargo fuzz list)"
    else
        targets="$which"
    fi
    for t in $targets; do
        cargo run -q --release --no-default-features --bin driver -- seed "$t" "corpus/$t"
        cargo fuzz run -s "$sanitizer" -O "$t" "corpus/$t" -- -runs="$n" 2>&1 \
            | grep -v '^\[SOPS\]' | grep -E '^(Done|==|SUMMARY|.*panicked)' | sed "s/^/$t: /"
    done
else
    cargo build -q --release --no-default-features --bin driver
    # sops's "comment did not decrypt" warnings are expected for mutants; keep them out.
    ./target/release/driver run "$which" "$n" 2> >(grep -v '^\[SOPS\]' >&2)
fi
