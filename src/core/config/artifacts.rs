//! `[artifacts]`: the release binaries `init`'s publish workflow builds.

use serde::{Deserialize, Serialize};

/// Release binaries: the targets `init`'s publish workflow builds them for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Artifacts {
    /// One job each; empty: no binaries, only the source tarball.
    pub targets: Vec<BuildTarget>,
}

/// A target triple and the GitHub Actions runner that builds it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuildTarget {
    pub target: String,
    pub runner: String,
}

impl Default for Artifacts {
    fn default() -> Self {
        // Native runners, except Intel macOS, which Apple silicon builds.
        let t = |target: &str, runner: &str| BuildTarget {
            target: target.into(),
            runner: runner.into(),
        };
        Artifacts {
            targets: vec![
                t("x86_64-unknown-linux-gnu", "ubuntu-latest"),
                t("aarch64-unknown-linux-gnu", "ubuntu-24.04-arm"),
                t("x86_64-apple-darwin", "macos-latest"),
                t("aarch64-apple-darwin", "macos-latest"),
                t("x86_64-pc-windows-msvc", "windows-latest"),
            ],
        }
    }
}
