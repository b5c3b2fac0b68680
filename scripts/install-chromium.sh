#!/usr/bin/env bash
# Prints the path of a headless-capable Chromium, installing Debian's
# `chromium` package when none is there (once per machine: apt keeps it).
# tests/dashboard.rs renders the page `cargo train dashboard` writes in it.
# Fails, saying why, when there is none and it cannot be installed: in CI
# the dashboard's browser tests must run, not be skipped.
set -euo pipefail
for name in chromium chromium-browser; do
    if path=$(command -v "$name"); then
        echo "$path"
        exit 0
    fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
    if path=$(command -v chromium); then
        echo "$path"
        exit 0
    fi
fi
echo "install-chromium.sh: no chromium, and Debian's package cannot be installed here" >&2
exit 1
