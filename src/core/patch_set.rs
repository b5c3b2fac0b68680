//! A patch set: the patch releases of several supported branches made
//! together (`patch --supported`), none of which is tagged before all of
//! them are merged and their CI passed. Each release commit of a set names
//! the whole set in a trailer, so `tag` and `status` find the other members
//! from any one of them, with no state kept anywhere else.

use crate::core::refs::{BranchName, Names};
use crate::core::trailers::Trailers;
use semver::Version;

/// The trailer's key.
pub const TRAILER: &str = "Patch-set";

/// The versions of a set, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchSet {
    pub versions: Vec<Version>,
}

impl PatchSet {
    pub fn new(mut versions: Vec<Version>) -> PatchSet {
        versions.sort_by(|a, b| b.cmp(a));
        versions.dedup();
        PatchSet { versions }
    }

    /// `Patch-set: v3.0.1, v2.0.1, v1.0.1`: the set's tags.
    pub fn trailer(&self, names: &Names) -> String {
        format!("{TRAILER}: {}", self.describe(names))
    }

    /// The set named by the last trailer of this key in `message`'s
    /// trailers (a line of prose is not one), if any. A tag that does not
    /// parse makes the whole trailer unreadable: a set read with a member
    /// missing would be tagged without it.
    pub fn parse(message: &str, names: &Names) -> Option<Result<PatchSet, String>> {
        let trailers = Trailers::parse(message);
        let line = trailers.get(TRAILER)?;
        let mut versions = Vec::new();
        for tag in line.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            match names.parse_tag(tag) {
                Some(v) if v.pre.is_empty() => versions.push(v),
                _ => {
                    return Some(Err(format!(
                        "`{TRAILER}: {}`: `{tag}` is not a release tag",
                        line.trim()
                    )));
                }
            }
        }
        if versions.is_empty() {
            return Some(Err(format!("`{TRAILER}:` names no tag")));
        }
        Some(Ok(PatchSet::new(versions)))
    }

    /// Tags, for messages: `v3.0.1, v2.0.1`.
    pub fn describe(&self, names: &Names) -> String {
        self.versions
            .iter()
            .map(|v| names.tag(v))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The release branch a patch version belongs to: `release-X.Y.0` for
/// X.Y.Z (the branch cut for X.Y.0).
pub fn branch_of(names: &Names, v: &Version) -> BranchName {
    names.release_branch(&Version::new(v.major, v.minor, 0))
}

/// Where one member of a set stands, as `tag` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// Its tag exists.
    Tagged,
    /// Its release commit is not on its branch yet (in review, or never
    /// pushed).
    NotMerged,
    /// On its branch, landed as commit `at`, with its CI in this state.
    Merged { at: String, checks: Checks },
}

/// What the checks of a commit say, as the forge reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checks {
    Passed,
    Pending(Vec<String>),
    Failed(Vec<String>),
    /// The forge runs no checks it could report: nothing to wait for.
    Untracked,
}

/// What `tag` does with a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every member is merged and green: tag these (version, commit).
    TagAll(Vec<(Version, String)>),
    /// Some member is not merged: nothing is tagged yet (not an error: the
    /// last member's merge tags the set).
    Hold(Vec<Version>),
    /// Every member is merged, some CI is still running.
    Wait(Vec<(Version, Vec<String>)>),
    /// Some member's CI failed: nothing is tagged.
    Failed(Vec<(Version, Vec<String>)>),
}

/// Decides from every member's state (in the set's order).
pub fn verdict(members: &[(Version, Member)]) -> Verdict {
    let mut hold = Vec::new();
    let mut wait = Vec::new();
    let mut failed = Vec::new();
    let mut tag = Vec::new();
    for (v, m) in members {
        match m {
            Member::Tagged => {}
            Member::NotMerged => hold.push(v.clone()),
            Member::Merged { at, checks } => match checks {
                Checks::Passed | Checks::Untracked => tag.push((v.clone(), at.clone())),
                Checks::Pending(n) => wait.push((v.clone(), n.clone())),
                Checks::Failed(n) => failed.push((v.clone(), n.clone())),
            },
        }
    }
    if !failed.is_empty() {
        Verdict::Failed(failed)
    } else if !hold.is_empty() {
        Verdict::Hold(hold)
    } else if !wait.is_empty() {
        Verdict::Wait(wait)
    } else {
        Verdict::TagAll(tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn names() -> Names {
        Names::new("release-", "v")
    }

    #[test]
    fn the_trailer_round_trips_newest_first() {
        let set = PatchSet::new(vec![v("1.0.1"), v("3.0.2"), v("2.0.1")]);
        let t = set.trailer(&names());
        assert_eq!(t, "Patch-set: v3.0.2, v2.0.1, v1.0.1");
        let msg =
            format!("Release p 2.0.1\n\n[automatically-tag-and-release-this-commit]\n\n{t}\n");
        assert_eq!(PatchSet::parse(&msg, &names()), Some(Ok(set)));
        assert_eq!(PatchSet::parse("Release p 2.0.1\n", &names()), None);
        assert!(matches!(
            PatchSet::parse("x\n\nPatch-set: v2.0.1, 2.0.x\n", &names()),
            Some(Err(e)) if e.contains("`2.0.x`")
        ));
        assert!(matches!(
            PatchSet::parse("x\n\nPatch-set: v2.0.1-rc.1\n", &names()),
            Some(Err(_))
        ));
    }

    #[test]
    fn a_patch_belongs_to_the_branch_cut_for_its_minor() {
        assert_eq!(branch_of(&names(), &v("36.0.3")), "release-36.0.0");
        assert_eq!(branch_of(&names(), &v("1.2.1")), "release-1.2.0");
    }

    #[test]
    fn nothing_is_tagged_until_every_member_is_merged_and_green() {
        let merged = |c: Checks| Member::Merged {
            at: "abc".into(),
            checks: c,
        };
        let set = |a: Member, b: Member| vec![(v("2.0.1"), a), (v("1.0.1"), b)];
        assert_eq!(
            verdict(&set(merged(Checks::Passed), Member::NotMerged)),
            Verdict::Hold(vec![v("1.0.1")])
        );
        assert_eq!(
            verdict(&set(
                merged(Checks::Passed),
                merged(Checks::Pending(vec!["ci".into()]))
            )),
            Verdict::Wait(vec![(v("1.0.1"), vec!["ci".into()])])
        );
        assert_eq!(
            verdict(&set(
                merged(Checks::Failed(vec!["ci".into()])),
                Member::NotMerged
            )),
            Verdict::Failed(vec![(v("2.0.1"), vec!["ci".into()])])
        );
        assert_eq!(
            verdict(&set(Member::Tagged, merged(Checks::Passed))),
            Verdict::TagAll(vec![(v("1.0.1"), "abc".into())])
        );
    }
}
