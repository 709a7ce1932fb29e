#!/bin/sh
# `helm sops-rs ARGS`: runs `sops-rs helm ARGS` with the helm that invoked the plugin.
set -eu
exec "${SOPS_RS_BIN:-sops-rs}" helm --helm-bin "${HELM_BIN:-helm}" "$@"
