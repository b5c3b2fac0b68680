#!/usr/bin/env bash
# Runs every test. The publish tests need the kellnr registry: it is built
# once per machine into ~/.cache/cargo-train (about 13 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_TRAIN_KELLNR="$(./scripts/install-kellnr.sh)"
export CARGO_TRAIN_KELLNR
cargo test --locked
