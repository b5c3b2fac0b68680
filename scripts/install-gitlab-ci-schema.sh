#!/usr/bin/env bash
# Installs GitLab's JSON schema of `.gitlab-ci.yml` (GitLab's own
# app/assets/javascripts/editor/schema/ci.json, as SchemaStore's catalog
# names it) into a cache outside the repository and prints its path: the
# tests validate the pipeline `init --ci gitlab` writes against it.
#
# It comes from a package registry: the check-jsonschema wheel on PyPI ships
# it (check_jsonschema/builtin_schemas/vendor/gitlab-ci.json) to validate
# GitLab CI files. The wheel's version pins it and the file's SHA-256 is
# checked, so a changed schema is noticed rather than tested against.
set -euo pipefail
VERSION=0.39.0
SHA256=1c6eeb7d3a34c39996afbfe1ade220480eb05bbeae674e86d3c745dfeeded7fd
CACHE="${CARGO_TRAIN_CACHE:-$HOME/.cache/cargo-train}"
FILE="$CACHE/gitlab-ci-schema-${SHA256:0:12}/ci.json"
if [ -f "$FILE" ]; then
    echo "$FILE"
    exit 0
fi
mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/gitlab-ci-schema-tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: \
    "check-jsonschema==$VERSION" --dest "$work" >&2
python3 - "$work"/check_jsonschema-"$VERSION"-*.whl "$work/ci.json" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    data = wheel.read("check_jsonschema/builtin_schemas/vendor/gitlab-ci.json")
open(sys.argv[2], "wb").write(data)
PY
echo "$SHA256  $work/ci.json" | sha256sum --check --quiet >&2
# The scratch directory is in the cache, so this is a rename: a reader
# never sees half a file, and concurrent installs each put a whole one.
mkdir -p "$(dirname "$FILE")"
mv "$work/ci.json" "$FILE"
echo "$FILE"
