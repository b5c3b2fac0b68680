//! `[notes]`: the release notes file and its archive of older lines.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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
    /// `cut`, `release` and `patch` fill the notes with entries drafted
    /// from the history since the last release.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    /// Conventional commit type → heading, over the defaults (`feat` →
    /// `Added`, `fix` and `perf` → `Fixed`; any other → `Changed`).
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "sections"
    )]
    pub sections: BTreeMap<String, String>,
    /// Pull request label → heading; wins over the title's type.
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "labels"
    )]
    pub labels: BTreeMap<String, String>,
    /// Types left out of drafts; unset: `docs`, `chore`, `ci`, `test`,
    /// `style`, `build`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "skip_types"
    )]
    pub skip_types: Option<Vec<String>>,
    /// The heading of breaking changes.
    #[serde(skip_serializing_if = "is_other", deserialize_with = "breaking")]
    pub breaking: String,
}

/// A heading's name: one line, without the `#`s (they are the template's).
fn heading(key: &str, h: &str) -> Result<(), String> {
    if h.trim().is_empty() || h.trim() != h || h.chars().any(char::is_control) || h.starts_with('#')
    {
        return Err(format!(
            "`{key} = {h:?}` is no heading name: give its text, one line without `#` or \
             surrounding spaces (`\"Fixed\"` for `### Fixed`)"
        ));
    }
    Ok(())
}

/// A conventional commit type as `conventional` reads it: lower case.
fn commit_type(key: &str, t: &str) -> Result<(), String> {
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(format!(
            "`{key}` names the type {t:?}: a conventional commit type is lower-case letters, \
             digits, `-` or `_` (`feat`, `fix`, `docs`)"
        ));
    }
    Ok(())
}

fn sections<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let m = BTreeMap::<String, String>::deserialize(d)?;
    for (t, h) in &m {
        commit_type("notes.sections", t).map_err(serde::de::Error::custom)?;
        heading(&format!("notes.sections.{t}"), h).map_err(serde::de::Error::custom)?;
    }
    Ok(m)
}

fn labels<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let m = BTreeMap::<String, String>::deserialize(d)?;
    for (l, h) in &m {
        if l.trim().is_empty() || l.chars().any(char::is_control) {
            return Err(serde::de::Error::custom(format!(
                "`notes.labels` has the label {l:?}: a label is one line of text, not empty"
            )));
        }
        heading(&format!("notes.labels.{l:?}"), h).map_err(serde::de::Error::custom)?;
    }
    Ok(m)
}

fn skip_types<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let v = Vec::<String>::deserialize(d)?;
    for t in &v {
        commit_type("notes.skip-types", t).map_err(serde::de::Error::custom)?;
    }
    Ok(Some(v))
}

// serde passes `&String`.
#[allow(clippy::ptr_arg)]
fn is_other(h: &String) -> bool {
    h == crate::core::notes_draft::OTHER
}

fn breaking<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let h = String::deserialize(d)?;
    heading("notes.breaking", &h).map_err(serde::de::Error::custom)?;
    Ok(h)
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
            draft: false,
            sections: BTreeMap::new(),
            labels: BTreeMap::new(),
            skip_types: None,
            breaking: crate::core::notes_draft::OTHER.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::core::config::Config;
    use std::path::Path;

    fn parse(text: &str) -> Result<Config, String> {
        Config::from_train_toml(Path::new("train.toml"), text).map_err(|e| format!("{e:#}"))
    }

    #[test]
    fn drafts_are_off_until_asked_for_and_their_mapping_is_checked() {
        let d = parse("").unwrap().notes;
        assert!(!d.draft && d.sections.is_empty() && d.skip_types.is_none());
        let c = parse(
            "[notes]\ndraft = true\nsections = { feat = \"New\", docs = \"Documentation\" }\n\
             labels = { \"breaking-change\" = \"Changed\" }\nskip-types = [\"chore\"]\n\
             breaking = \"Breaking changes\"\n",
        )
        .unwrap()
        .notes;
        assert!(c.draft);
        assert_eq!(c.sections["docs"], "Documentation");
        assert_eq!(c.labels["breaking-change"], "Changed");
        assert_eq!(c.skip_types, Some(vec!["chore".to_string()]));
        for (text, says) in [
            (
                "sections = { Feat = \"Added\" }",
                "`notes.sections` names the type \"Feat\"",
            ),
            (
                "sections = { feat = \"### Added\" }",
                "`notes.sections.feat = \"### Added\"` is no heading",
            ),
            ("sections = { feat = \"\" }", "no heading name"),
            ("labels = { x = \"A\\nB\" }", "no heading name"),
            ("labels = { \"\" = \"A\" }", "a label is one line"),
            (
                "skip-types = [\"ci \"]",
                "`notes.skip-types` names the type",
            ),
            ("breaking = \" Changed\"", "`notes.breaking"),
            ("draft = \"yes\"", "draft"),
        ] {
            let e = parse(&format!("[notes]\n{text}\n")).unwrap_err();
            assert!(e.contains(says) && e.contains("train.toml"), "{text}: {e}");
        }
    }
}
