//! `[semver]`: the semver gate of patch releases.

use super::CratePattern;
use serde::{Deserialize, Serialize};

/// The semver gate (cargo-semver-checks) of patch releases.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Semver {
    /// Which features both sides are built with.
    pub features: SemverFeatures,
    /// Public crates the gate does not check (a binary crate whose library
    /// is not an API, one that needs a target or system library the
    /// release machine lacks). Names or glob patterns.
    pub skip: Vec<CratePattern>,
}

/// The feature set cargo-semver-checks checks a crate with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SemverFeatures {
    /// The tool's own choice: every feature but unstable-looking ones.
    #[default]
    Heuristic,
    /// The crate's default features (`--default-features`).
    Default,
    /// Every feature (`--all-features`).
    All,
}
