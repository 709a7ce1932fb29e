#!/usr/bin/env bash
# Builds the release `sops-rs` binary (`make release`, `make install` and the
# benchmark use this) and prints its path.
#
# On Linux/glibc it is linked statically as a static PIE: a sops-rs call is
# mostly start-up, and a dynamically linked binary pays at every start for
# loading libc, libm and libgcc_s, resolving their symbols and running
# libgcc_s's CPU probe (measured on a small `sops-rs -d`: 1.81 ms CPU dynamic,
# 1.38 ms static PIE, 242 vs 212 page faults). A static PIE keeps the
# executable's address randomisation. Only the final crate gets
# `crt-static` (`cargo rustc … -- -C …`): set for every crate it would also
# apply to build scripts and proc-macros, which cannot be static.
#
# Env: SOPS_RS_DYNAMIC=1 builds the ordinary dynamically linked binary;
# SOPS_RS_NO_PIE=1 links a static non-PIE executable instead (1.27 ms,
# 120 page faults: no start-up relocation at all, but the executable's own
# addresses are then fixed, as in Go binaries such as sops itself).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

static_ok() {
    [ "$(uname -s)" = Linux ] || return 1
    [ "${SOPS_RS_DYNAMIC:-}" != 1 ] || return 1
    # glibc's static libraries come with its -dev package (libc6-dev on Debian).
    local libc_a
    libc_a="$(${CC:-cc} -print-file-name=libc.a 2>/dev/null)" || return 1
    [ -f "$libc_a" ] || return 1
    # musl and other libcs have their own targets; this is for the host's glibc target.
    # (The whole of rustc's output is read: `grep -q` would stop early, and under
    # pipefail rustc's SIGPIPE would then fail the test at random.)
    local host
    host="$(rustc -vV | sed -n 's/^host: //p')"
    case "$host" in
        *-linux-gnu) ;;
        *) return 1 ;;
    esac
}

if static_ok; then
    flags=(-C target-feature=+crt-static)
    if [ "${SOPS_RS_NO_PIE:-}" = 1 ]; then
        flags+=(-C relocation-model=static)
    fi
    cargo rustc --release --locked --quiet --bin sops-rs -- "${flags[@]}" >&2
    if [ "$(readelf -lW target/release/sops-rs | grep -c 'program interpreter')" != 0 ]; then
        echo "build-release: target/release/sops-rs came out dynamically linked; expected a static build" >&2
        exit 1
    fi
else
    cargo build --release --locked --quiet --bin sops-rs >&2
fi
echo "$root/target/release/sops-rs"
