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
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "repository"
    )]
    pub repository: Option<String>,
    #[serde(deserialize_with = "archive_marker")]
    pub archive_marker: String,
    /// One archive line; `{series}` is `X.Y.x`, `{branch}` the release branch.
    #[serde(deserialize_with = "link")]
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

fn repository<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    super::one_line(d, "notes.repository").map(Some)
}

/// The placeholders an archive line may use.
const LINK_PLACEHOLDERS: [&str; 3] = ["{series}", "{branch}", "{repository}"];

fn link<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = super::one_line(d, "notes.link")?;
    let mut rest = s.as_str();
    while let Some(at) = rest.find('{') {
        let tail = &rest[at..];
        let Some(known) = LINK_PLACEHOLDERS.iter().find(|p| tail.starts_with(*p)) else {
            let end = tail.find('}').map_or(tail.len(), |e| e + 1);
            return Err(serde::de::Error::custom(format!(
                "`notes.link` has `{}`, which is no placeholder: use {}",
                &tail[..end],
                LINK_PLACEHOLDERS.join(", ")
            )));
        };
        rest = &tail[known.len()..];
    }
    Ok(s)
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
