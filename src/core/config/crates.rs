//! What a bump reads and rewrites besides each crate's own version: which
//! crates a key names (`public`, `exclude`, `semver.skip`), how first-party
//! requirements move (`requirements`), and other files that carry the
//! version (`[[version-files]]`).

use crate::core::version_file::Template;
use serde::{Deserialize, Deserializer, Serialize};
use std::path::PathBuf;

/// How first-party requirements (`version` of a path dependency on a member)
/// are kept when a bump moves the crate they name.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Requirements {
    /// Each keeps its operator and precision and is rewritten only when it
    /// no longer matches the new version (`"0.4"` -> `"0.5"`).
    #[default]
    Keep,
    /// As `keep`, but rewritten to every new version (`"0.4.1"` -> `"0.4.2"`).
    Follow,
    /// Wasmtime's policy: `public` crates are required with a caret on the
    /// full version, every other first-party crate exactly (`=`); always
    /// rewritten; `bump` and `verify` enforce it.
    Pinned,
}

/// A crate name or glob pattern.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct CratePattern(pub String);

impl CratePattern {
    pub fn matches(&self, name: &str) -> bool {
        glob::Pattern::new(&self.0).is_ok_and(|p| p.matches(name))
    }
}

impl<'de> Deserialize<'de> for CratePattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        glob::Pattern::new(&s)
            .map_err(|e| serde::de::Error::custom(format!("bad crate pattern `{s}`: {e}")))?;
        Ok(CratePattern(s))
    }
}

/// A file other than the manifests that carries the version.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VersionFile {
    #[serde(deserialize_with = "version_file_path")]
    pub path: PathBuf,
    /// Lines to keep current, with `{version}`, `{major}`, `{minor}`,
    /// `{patch}` or `{pre}` where the version goes.
    pub patterns: Vec<Template>,
    /// Whose version the file carries; defaults to the workspace version.
    #[serde(default, rename = "crate", skip_serializing_if = "Option::is_none")]
    pub krate: Option<String>,
}

fn version_file_path<'de, D: serde::Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
    super::repo_path(d, "version-files.path")
}
