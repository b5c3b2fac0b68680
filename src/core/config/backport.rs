//! `[backport]`: backports and the audit of release branches.

use serde::{Deserialize, Deserializer, Serialize};

/// Backports and the audit of release branches.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Backport {
    /// The trailer (`Branch-only: why`) that marks a commit made on a
    /// release branch only, on purpose: the audit accepts it.
    #[serde(deserialize_with = "trailer_key")]
    pub branch_only_trailer: String,
    /// The heading, in a version's notes section, that backport entries go
    /// under (added at the section's end when missing).
    #[serde(deserialize_with = "notes_heading")]
    pub notes_heading: String,
    /// The audit also accepts a commit whose message names a pull request
    /// (`#N`) that landed on main (a main commit whose subject ends in
    /// `(#N)`): backports squash-merged by hand, whose patch was adapted.
    pub audit_pull_requests: bool,
}

fn notes_heading<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    super::one_line(d, "backport.notes-heading")
}

impl Default for Backport {
    fn default() -> Self {
        Backport {
            branch_only_trailer: "Branch-only".into(),
            notes_heading: "### Fixed".into(),
            audit_pull_requests: false,
        }
    }
}

/// A trailer key as git writes them: letters, digits and `-`.
fn trailer_key<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(serde::de::Error::custom(format!(
            "`{s}` is not a trailer key: use letters, digits and `-` (the default is `Branch-only`)"
        )));
    }
    Ok(s)
}
