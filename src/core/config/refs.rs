//! The top-level keys behind git refs: how release branches and tags are
//! named, and the marker that asks for a tag.

use serde::{Deserialize, Deserializer, Serialize};

/// The version part of a release branch's name: `release-1.2.0` (Wasmtime's),
/// `tokio-1.38.x`, `release-1.2`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum BranchForm {
    #[default]
    #[serde(rename = "X.Y.Z")]
    Full,
    #[serde(rename = "X.Y.x")]
    MinorX,
    #[serde(rename = "X.Y")]
    Minor,
}

/// The marker must have text: an empty one is in every commit message, so
/// every commit would be a release commit.
pub(super) fn marker<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(serde::de::Error::custom(
            "`marker` is empty: every commit message would contain it and count as a release; \
             give it some text (the default is `[automatically-tag-and-release-this-commit]`)",
        ));
    }
    if s.contains(['\n', '\r']) || s.trim() != s {
        return Err(serde::de::Error::custom(
            "`marker` spans lines: a release commit carries it as a line of its own; give it \
             one line of text",
        ));
    }
    Ok(s)
}

/// A branch or tag prefix: not empty (a bare version would be both a branch
/// and a tag name) and usable in a git ref name.
pub(super) fn ref_prefix<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(serde::de::Error::custom(
            "the prefix is empty: release branches and tags would both be named `X.Y.Z`; \
             use a prefix such as `release-` (branches) or `v` (tags)",
        ));
    }
    let bad = |c: char| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c);
    if s.chars().any(bad)
        || s.contains("..")
        || s.contains("//")
        || s.contains("@{")
        || s.starts_with(['/', '-', '.'])
    {
        return Err(serde::de::Error::custom(format!(
            "`{s}` cannot start a git branch or tag name (see `git check-ref-format`); \
             use letters, digits, `-`, `_`, `.` or `/`"
        )));
    }
    Ok(s)
}

/// `main-branch`: a branch name git accepts.
pub(super) fn main_branch<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ref_name(d, "main-branch", "a branch name such as `main` or `master`")
}

/// `remote`: a remote's name git accepts.
pub(super) fn remote<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ref_name(d, "remote", "a remote's name such as `origin`")
}

/// A whole ref name (the rules of `git check-ref-format`), `key` named in
/// the message: such a value goes into git's command lines and messages.
fn ref_name<'de, D: Deserializer<'de>>(d: D, key: &str, like: &str) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    let bad = |c: char| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c);
    let unusable = s.is_empty()
        || s.chars().any(bad)
        || s.contains("..")
        || s.contains("//")
        || s.contains("/.")
        || s.contains("@{")
        || s == "@"
        || s.starts_with(['/', '-', '.'])
        || s.ends_with(['/', '.'])
        || s.ends_with(".lock");
    if unusable {
        return Err(serde::de::Error::custom(format!(
            "`{key} = {s:?}` is not a name git accepts (see `git check-ref-format`); give {like}"
        )));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use crate::core::config::tests::err;

    #[test]
    fn empty_marker_is_refused_with_its_line() {
        for m in ["\"\"", "\"  \\t \""] {
            let e = err(&format!("cut-day = 5\nmarker = {m}\n"));
            assert!(e.contains("train.toml") && e.contains("line 2"), "{e}");
            assert!(e.contains("`marker` is empty"), "{e}");
        }
    }

    #[test]
    fn empty_or_unusable_prefixes_are_refused() {
        let e = err("\nbranch-prefix = \"\"\n");
        assert!(
            e.contains("line 2") && e.contains("the prefix is empty"),
            "{e}"
        );
        let e = err("tag-prefix = \" \"\n");
        assert!(
            e.contains("line 1") && e.contains("the prefix is empty"),
            "{e}"
        );
        let e = err("tag-prefix = \"re lease\"\n");
        assert!(
            e.contains("line 1") && e.contains("git branch or tag name"),
            "{e}"
        );
    }
}
