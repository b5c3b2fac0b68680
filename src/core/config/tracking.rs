//! `[tracking]`: the tracking issue each release gets on the forge.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Tracking {
    /// Whether `cut` opens an issue per release and the train's commands
    /// keep it up to date (off by default: opt in).
    pub enabled: bool,
    /// The title; `{version}` is the release's (`49.0.0`).
    #[serde(deserialize_with = "title")]
    pub title: String,
    /// The body, a file in the repository; default: the built-in
    /// checklist.
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "template")]
    pub template: Option<PathBuf>,
}

fn title<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = super::one_line(d, "tracking.title")?;
    if !s.contains("{version}") {
        return Err(serde::de::Error::custom(
            "`tracking.title` must contain `{version}`: each release has an issue of its own",
        ));
    }
    Ok(s)
}

fn template<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
    super::repo_path(d, "tracking.template").map(Some)
}

impl Default for Tracking {
    fn default() -> Self {
        Tracking {
            enabled: false,
            title: "Release {version}".into(),
            template: None,
        }
    }
}
