#!/usr/bin/env bash
# Installs cargo-semver-checks (the semver gate's checker, used by the semver
# tests) into a cache outside the repository, and prints the binary's path.
# Built once per machine from crates.io with its own lock file (about 9
# minutes on 2 cores). The version must read the rustdoc JSON of the
# machine's toolchain: 0.51 reads formats 57, 60 and 61; Rust 1.95 writes 57.
set -euo pipefail
VERSION=0.51.0
CACHE="${CARGO_TRAIN_CACHE:-$HOME/.cache/cargo-train}"
ROOT="$CACHE/cargo-semver-checks-$VERSION"
BIN="$ROOT/bin/cargo-semver-checks"
if [ -x "$BIN" ]; then
    echo "$BIN"
    exit 0
fi
mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/build-semver-checks.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Installed into a scratch root first, so an interrupted build leaves no
# half-made binary at the cached path.
cargo install cargo-semver-checks --version "=$VERSION" --locked --quiet \
    --root "$work/root" --target-dir "$work/target" >&2
mkdir -p "$ROOT/bin"
cp "$work/root/bin/cargo-semver-checks" "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
echo "$BIN"
