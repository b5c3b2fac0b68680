#!/usr/bin/env bash
# Installs the ktra registry (a registry serving a git index, used by the
# git-index publish tests) into a cache outside the repository, and prints
# the binary's path. Built once per machine from the crate on crates.io,
# with its own lock file, without the crates.io mirroring feature (the
# tests need no internet and it would pull in an HTTP stack). Built that way,
# ktra 0.7.0's main.rs moves a value it uses on the next line (its mirroring
# build clones it), so that one call gets the same `.clone()` first.
set -euo pipefail
VERSION=0.7.0
CACHE="${CARGO_TRAIN_CACHE:-$HOME/.cache/cargo-train}"
BIN="$CACHE/ktra-$VERSION/ktra"
if [ -x "$BIN" ]; then
    echo "$BIN"
    exit 0
fi
mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/build-ktra.XXXXXX")
trap 'rm -rf "$work"' EXIT
# `cargo info` downloads the published crate into cargo's cache.
cargo info "ktra@$VERSION" >/dev/null 2>&1
crate=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"ktra-$VERSION.crate" | head -n 1)
tar -xzf "$crate" -C "$work"
cd "$work/ktra-$VERSION"
sed -i 's/\.or(put::apis(db_manager, index_manager, dl_dir_path));/.or(put::apis(db_manager.clone(), index_manager, dl_dir_path));/' src/main.rs
grep -q 'put::apis(db_manager.clone(), index_manager, dl_dir_path)' src/main.rs
cargo build --release --locked --quiet --no-default-features --features secure-auth,db-sled >&2
mkdir -p "$(dirname "$BIN")"
cp target/release/ktra "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
echo "$BIN"
