#!/usr/bin/env bash
# Installs Forgejo's API description (swagger.v1.json, Swagger 2.0; Gitea
# 1.22's API plus Forgejo's) into a cache outside the repository and prints
# its path: the Forgejo test double checks every request against it.
#
# It comes from a package registry: the forgejo-api crate on crates.io ships
# the swagger.v1.json it is generated from. The crate's version pins it, and
# the file's SHA-256 is checked, so a changed description is noticed rather
# than tested against.
set -euo pipefail
VERSION=0.12.0
SHA256=b5af42bb3b44ac445c18d39d4a1cf735930d77112faab76a8c51d4459a111953
CACHE="${CARGO_TRAIN_CACHE:-$HOME/.cache/cargo-train}"
FILE="$CACHE/forgejo-swagger-${SHA256:0:12}/swagger.v1.json"
if [ -f "$FILE" ]; then
    echo "$FILE"
    exit 0
fi
mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/forgejo-swagger-tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
# `cargo info` downloads the published crate into cargo's cache.
cargo info "forgejo-api@$VERSION" >/dev/null 2>&1
crate=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"forgejo-api-$VERSION.crate" | head -n 1)
tar -xzf "$crate" -C "$work" "forgejo-api-$VERSION/swagger.v1.json"
echo "$SHA256  $work/forgejo-api-$VERSION/swagger.v1.json" | sha256sum --check --quiet >&2
# The scratch directory is in the cache, so this is a rename: a reader
# never sees half a file, and concurrent installs each put a whole one.
mkdir -p "$(dirname "$FILE")"
mv "$work/forgejo-api-$VERSION/swagger.v1.json" "$FILE"
echo "$FILE"
