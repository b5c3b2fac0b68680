//! `[notes]`: the release notes file and its archive of older lines.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Notes {
    #[serde(deserialize_with = "notes_file")]
    pub file: PathBuf,
    #[serde(deserialize_with = "notes_template")]
    pub template: PathBuf,
    /// Base URL for links to older notes; defaults to the workspace's
    /// `repository` field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(deserialize_with = "archive_marker")]
    pub archive_marker: String,
    /// One archive line; `{series}` is `X.Y.x`, `{branch}` the release branch.
    pub link: String,
}

fn notes_file<'de, D: serde::Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
    super::repo_path(d, "notes.file")
}

fn notes_template<'de, D: serde::Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
    super::repo_path(d, "notes.template")
}

fn archive_marker<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    super::one_line(d, "notes.archive-marker")
}

impl Default for Notes {
    fn default() -> Self {
        Notes {
            file: "RELEASES.md".into(),
            template: "ci/RELEASES-template.md".into(),
            repository: None,
            archive_marker: "<!-- ARCHIVE_START -->".into(),
            link: "* [{series}]({repository}/blob/{branch}/RELEASES.md)".into(),
        }
    }
}
