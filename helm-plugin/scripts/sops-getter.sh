#!/bin/sh
# Helm downloader/getter for sops:// values files (Helm 3 `downloaders:`, Helm 4 getter/v1).
# Helm runs it as `sops-getter.sh CERT_FILE KEY_FILE CA_FILE URL` and reads the
# document from stdout, so the plaintext goes from sops-rs to helm through a pipe.
#   sops://secrets.yaml        -> ./secrets.yaml (relative to where helm runs)
#   sops:///abs/secrets.yaml   -> /abs/secrets.yaml
# The sops-rs binary: $SOPS_RS_BIN, else `sops-rs` on PATH.
set -eu
if [ "$#" -lt 4 ]; then
    echo "sops-rs getter: expected CERT_FILE KEY_FILE CA_FILE URL, got $# arguments" >&2
    exit 2
fi
url="$4"
case "$url" in
    sops://?*) ;;
    *)
        echo "sops-rs getter: not a sops:// URL: $url" >&2
        exit 2
        ;;
esac
exec "${SOPS_RS_BIN:-sops-rs}" values -- "${url#sops://}"
