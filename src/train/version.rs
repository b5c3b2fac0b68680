//! `cargo train version`: the train's version (the workspace version, else
//! the root package's; see [`crate::core::workspace::Workspace::train_version`])
//! and the tag it is released under, for scripts and CI jobs.

use crate::core::refs::{Names, TagName};
use crate::train::Context;
use crate::train::report::as_text;
use anyhow::{Context as _, Result};
use semver::Version;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Serialize)]
pub struct TrainVersion {
    #[serde(serialize_with = "as_text")]
    pub version: Version,
    /// The release tag of that version (`v1.2.0`).
    pub tag: TagName,
    /// Text shows the tag rather than the version.
    #[serde(skip)]
    pub show_tag: bool,
}

impl fmt::Display for TrainVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.show_tag {
            writeln!(f, "{}", self.tag)
        } else {
            writeln!(f, "{}", self.version)
        }
    }
}

pub fn run(ctx: &Context, show_tag: bool) -> Result<TrainVersion> {
    let version = ctx.ws.train_version().with_context(|| {
        format!(
            "{} has no version for the train: set `[workspace.package] version`, or the root \
             package's `version`",
            ctx.ws.root().path.display()
        )
    })?;
    Ok(TrainVersion {
        tag: Names::of(&ctx.config).tag(&version),
        version,
        show_tag,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_the_version_or_the_tag_and_json_both() {
        let v = TrainVersion {
            version: Version::parse("2.0.0-dev").unwrap(),
            tag: "v2.0.0-dev".into(),
            show_tag: false,
        };
        assert_eq!(v.to_string(), "2.0.0-dev\n");
        assert_eq!(
            serde_json::to_value(&v).unwrap(),
            serde_json::json!({"version": "2.0.0-dev", "tag": "v2.0.0-dev"})
        );
        let t = TrainVersion {
            show_tag: true,
            ..v
        };
        assert_eq!(t.to_string(), "v2.0.0-dev\n");
    }
}
