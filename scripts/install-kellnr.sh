#!/usr/bin/env bash
# Installs the kellnr registry (used by the publish tests and benchmark) into
# a cache outside the repository, and prints the binary's path. Building it
# takes ~13 minutes on 2 cores, once per machine.
#
# kellnr 6.13's own lock file pins a webpki-roots that no longer builds on
# current Rust, so the source is unpacked and that one dependency is moved to
# 1.0.10 before building.
set -euo pipefail
VERSION=6.13.0
CACHE="${CARGO_TRAIN_CACHE:-$HOME/.cache/cargo-train}"
BIN="$CACHE/kellnr-$VERSION/kellnr"
if [ -x "$BIN" ]; then
    echo "$BIN"
    exit 0
fi
mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/build-kellnr.XXXXXX")
trap 'rm -rf "$work"' EXIT
# `cargo info` downloads the published crate into cargo's cache.
cargo info "kellnr@$VERSION" >/dev/null 2>&1
crate=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"kellnr-$VERSION.crate" | head -n 1)
tar -xzf "$crate" -C "$work"
cd "$work/kellnr-$VERSION"
cargo update --quiet -p webpki-roots --precise 1.0.10 >&2
cargo build --release --quiet >&2
mkdir -p "$(dirname "$BIN")"
cp target/release/kellnr "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
echo "$BIN"
