#!/usr/bin/env bash
# `make bench`: whole-process timings and peak memory of sops-rs against the
# real sops 3.11.0 in the same run, on the same files:
#   * decrypt of a small file (process start + age unwrap dominate),
#   * encrypt and decrypt of a generated 100,000-leaf YAML file.
# Prints mean times, the sops/sops-rs ratio (above 1 = sops-rs faster) and
# peak RSS (from /usr/bin/time -v). Not part of `make test`.
#
# Env: BENCH_LEAVES (default 100000), BENCH_RUNS (default 10), BENCH_BIG_RUNS (default 3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/setup.sh --bench
oracle="$(scripts/oracle-path.sh)"
# SOPS_RS_BIN: time another binary as "sops-rs" (e.g. the oracle, to check this script).
if [ -n "${SOPS_RS_BIN:-}" ]; then
    ours="$SOPS_RS_BIN"
else
    cargo build --release --quiet --bin sops-rs
    ours="$root/target/release/sops-rs"
fi

leaves="${BENCH_LEAVES:-100000}"
runs="${BENCH_RUNS:-10}"
big_runs="${BENCH_BIG_RUNS:-3}"
out="$root/benches/out"
mkdir -p "$out"

key="$root/examples/demo.agekey"
recipient="$(sed -n 's/^# public key: //p' "$key")"
export SOPS_AGE_KEY_FILE="$key"
export SOPS_DISABLE_VERSION_CHECK=1

# Inputs: the demo secrets (small) and a generated big file, both encrypted
# by the real sops so that both tools decrypt the very same bytes.
cp examples/secrets.plaintext.yaml "$out/small.yaml"
if [ ! -s "$out/big-$leaves.yaml" ]; then
    python3 benches/gen_big.py "$leaves" > "$out/big-$leaves.yaml"
fi
cp "$out/big-$leaves.yaml" "$out/big.yaml"
"$oracle" -e --age "$recipient" "$out/small.yaml" > "$out/small.enc.yaml"
"$oracle" -e --age "$recipient" "$out/big.yaml" > "$out/big.enc.yaml"

# Check that sops-rs does the job before timing it.
ok=1
for f in small big; do
    if ! "$ours" -d "$out/$f.enc.yaml" > "$out/$f.ours.dec.yaml" 2> "$out/$f.ours.err"; then
        echo "bench: sops-rs -d $f.enc.yaml failed: $(head -n1 "$out/$f.ours.err")" >&2
        ok=0
    elif ! "$oracle" -d "$out/$f.enc.yaml" | cmp -s - "$out/$f.ours.dec.yaml"; then
        echo "bench: sops-rs -d $f.enc.yaml differs from sops -d" >&2
        ok=0
    fi
done
[ $ok -eq 1 ] || { echo "bench: fix sops-rs first" >&2; exit 1; }

results="$out/results.tsv"
: > "$results"

# bench NAME RUNS ARGS... : times "sops ARGS" and "sops-rs ARGS" (in that order).
bench() {
    local name="$1" n="$2"
    shift 2
    local args="$*"
    hyperfine --style basic --warmup 1 --runs "$n" \
        --export-json "$out/$name.json" \
        -n "sops $args" "$oracle $args > /dev/null" \
        -n "sops-rs $args" "$ours $args > /dev/null" >&2
    local rss_sops rss_ours
    rss_sops="$(peak_rss "$oracle" "$@")"
    rss_ours="$(peak_rss "$ours" "$@")"
    python3 - "$out/$name.json" "$name" "$rss_sops" "$rss_ours" >> "$results" <<'PY'
import json, sys
path, name, rss_sops, rss_ours = sys.argv[1:]
r = json.load(open(path))["results"]
print("\t".join([name, "%.4f" % r[0]["mean"], "%.4f" % r[1]["mean"], rss_sops, rss_ours]))
PY
}

# peak_rss BIN ARGS... : maximum resident set size in KiB.
peak_rss() {
    /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'
}

bench "decrypt-small" "$runs" -d "$out/small.enc.yaml"
bench "encrypt-big" "$big_runs" -e --age "$recipient" "$out/big.yaml"
bench "decrypt-big" "$big_runs" -d "$out/big.enc.yaml"

echo
echo "sops-rs: $("$ours" --version | head -n1); sops: $("$oracle" --version --disable-version-check | head -n1); $leaves leaves; $(nproc) cores"
python3 - "$results" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
print("%-14s %12s %12s %8s %14s %14s" % ("case", "sops (ms)", "sops-rs (ms)", "ratio", "sops RSS (MiB)", "sops-rs RSS"))
for name, t_sops, t_ours, rss_sops, rss_ours in rows:
    t_sops, t_ours = float(t_sops), float(t_ours)
    print("%-14s %12.1f %12.1f %7.1fx %14.1f %14.1f" % (
        name, t_sops * 1000, t_ours * 1000, t_sops / t_ours,
        int(rss_sops) / 1024, int(rss_ours) / 1024))
print("ratio = sops time / sops-rs time (above 1: sops-rs is faster)")
PY
