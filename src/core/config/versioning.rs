//! `[versioning]`: how the crates of the workspace get their versions, and
//! how a crate's own release is tagged.

use serde::{Deserialize, Deserializer, Serialize};

/// The release model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// One version for the workspace; every crate moves with it (Wasmtime).
    Lockstep,
    /// One crate (`lead`) names the branches and the train's tags; the
    /// others are released on their own lines when they change (tokio).
    Lead,
    /// Every crate on its own line, released when it changed (gitoxide,
    /// rust-libp2p); the train is named by its date.
    Independent,
}

/// Which crates a release of the lead or independent model takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Select {
    /// Those whose shipped files changed since their last release, at the
    /// level their changes call for.
    #[default]
    Changed,
    /// Those whose version was moved past their last release by hand, at
    /// that version: the project bumps versions in its pull requests
    /// (rust-libp2p).
    Bumped,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Versioning {
    /// Unset: lockstep when the workspace has one version (a
    /// `[workspace.package] version`, or every crate on the same one),
    /// else independent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// `model = "lead"`: the crate whose version names the train.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    /// A crate's own release tag: `{crate}` and `{version}`.
    #[serde(deserialize_with = "crate_tag")]
    pub crate_tag: String,
    /// Raise a crate's level by the conventional commit types of the
    /// commits that changed it (`feat`, `fix`, `!`, `BREAKING CHANGE`).
    pub conventional_commits: bool,
    /// Each changed public crate's level from cargo-semver-checks against
    /// its last release (slow the first time; cached).
    pub semver_checks: bool,
    /// A crate whose normal dependency breaks moves as a break too, since
    /// it may expose the dependency's types (cargo-smart-release's "safety
    /// bump"); `false`: it moves as a patch.
    pub safety_bumps: bool,
    /// The crates a release starts from: only they and what they depend on
    /// (normal and build dependencies) are released, as
    /// `cargo smart-release gix gitoxide` does. Empty: every crate.
    pub roots: Vec<super::CratePattern>,
    pub select: Select,
}

impl Default for Versioning {
    fn default() -> Self {
        Versioning {
            model: None,
            lead: None,
            crate_tag: "{crate}-v{version}".into(),
            conventional_commits: true,
            semver_checks: false,
            safety_bumps: true,
            roots: Vec::new(),
            select: Select::Changed,
        }
    }
}

/// A tag form: `{crate}` then `{version}`, once each, with text around them
/// that a git ref may carry.
fn crate_tag<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    check_crate_tag(&s).map_err(serde::de::Error::custom)?;
    Ok(s)
}

pub(crate) fn check_crate_tag(s: &str) -> Result<(), String> {
    let (Some(c), Some(v)) = (s.find("{crate}"), s.find("{version}")) else {
        return Err(format!(
            "`versioning.crate-tag = {s:?}` needs both `{{crate}}` and `{{version}}` \
             (e.g. `{{crate}}-v{{version}}`, `{{crate}}@{{version}}`, `{{crate}}-{{version}}`)"
        ));
    };
    let rest = s.replacen("{crate}", "", 1).replacen("{version}", "", 1);
    if c > v || rest.contains(['{', '}']) || s.matches("{crate}").count() > 1 {
        return Err(format!(
            "`versioning.crate-tag = {s:?}`: give `{{crate}}` once, then `{{version}}` once, \
             and no other placeholder"
        ));
    }
    if v == c + "{crate}".len() {
        return Err(format!(
            "`versioning.crate-tag = {s:?}`: put text between `{{crate}}` and `{{version}}` \
             (`-`, `-v`, `@`), or the two cannot be told apart"
        ));
    }
    let bad = rest
        .chars()
        .any(|ch| ch.is_control() || " ~^:?*[\\".contains(ch));
    if bad || rest.contains("..") || rest.contains("@{") {
        return Err(format!(
            "`versioning.crate-tag = {s:?}` has characters a git tag name cannot carry"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_crate_tag;

    #[test]
    fn tag_forms() {
        for ok in [
            "{crate}-v{version}",
            "{crate}@{version}",
            "{crate}-{version}",
            "rel/{crate}/{version}",
        ] {
            assert!(check_crate_tag(ok).is_ok(), "{ok}");
        }
        for bad in [
            "v{version}",
            "{version}-{crate}",
            "{crate}{version}",
            "{crate}-{version}-{x}",
            "{crate} {version}",
        ] {
            assert!(check_crate_tag(bad).is_err(), "{bad}");
        }
    }
}
