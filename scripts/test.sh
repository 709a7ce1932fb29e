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
