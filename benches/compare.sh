#!/usr/bin/env bash
# `make bench`: sops-rs against the real sops 3.11.0, whole processes, same
# machine, same files, alternating the two tools round after round (see
# benches/bench.py for the cases and how each is measured). Installs what it
# needs (scripts/setup.sh: the .venv with sops and moto; Python 3), builds the
# release binary (scripts/build-release.sh: static PIE on Linux/glibc), prints Markdown tables and writes benches/out/results.json.
# Never part of `make test`.
#
# Env: BENCH_CASES (default "small yaml formats many kms"), BENCH_SIZES
# (default "1000 10000 100000 1000000"), BENCH_ROUNDS (default 5),
# BENCH_SMALL_RUNS (default 200), BENCH_FILES (default 5000), BENCH_KMS_FILES
# (default 500); SOPS_RS_BIN times another binary as sops-rs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/setup.sh --bench
oracle="$(scripts/oracle-path.sh)"
if [ -n "${SOPS_RS_BIN:-}" ]; then
    ours="$SOPS_RS_BIN"
else
    ours="$(scripts/build-release.sh)"
fi
mkdir -p "$root/benches/out"
BENCH_SOPS="$oracle" BENCH_SOPS_RS="$ours" python3 benches/bench.py
