#!/usr/bin/env bash
# The one test command (`make test` runs this): installs what is missing,
# then runs every unit and integration test against the real sops oracle.
#
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh --test decrypt_vectors`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

"$here/setup.sh"

SOPS_ORACLE="$("$here/oracle-path.sh")"
export SOPS_ORACLE
if [ -z "${SOPS_RS_VECTORS:-}" ]; then
    SOPS_RS_VECTORS="$(cd "$root/.." && pwd)/shared/vectors"
fi
export SOPS_RS_VECTORS
if [ ! -d "$SOPS_RS_VECTORS/generated-sops-3.11.0" ]; then
    echo "test: test vectors not found at $SOPS_RS_VECTORS; put shared/ beside the repository or set SOPS_RS_VECTORS" >&2
    exit 1
fi

echo "test: oracle $SOPS_ORACLE ($("$SOPS_ORACLE" --version --disable-version-check | head -n1))" >&2
echo "test: vectors $SOPS_RS_VECTORS" >&2

# Integration tests run the debug binary built by cargo (assert_cmd's cargo_bin).
cargo test --no-fail-fast "$@"

# The binary people install is the release build, which scripts/build-release.sh links
# statically on Linux/glibc: run the suites that exercise every store, the interop with
# sops both ways and the network key services (TLS, DNS-free loopback) against it too.
if [ "$#" -eq 0 ]; then
    release="$("$here/build-release.sh")"
    if [ "$(readelf -lW "$release" | grep -c 'program interpreter')" != 0 ]; then
        link=dynamic
    else
        link=static
    fi
    echo "test: release binary $release ($link)" >&2
    SOPS_RS_BIN="$release" cargo test --no-fail-fast \
        --test decrypt_vectors --test encrypt_interop --test formats_vectors \
        --test kms_interop --test gcp_kms --test azure_kv --test vault_transit \
        --test pgp_interop --test batch --test cli
fi
