//! The names of the refs the train makes and reads: release branches
//! (`release-X.Y.Z`), tags (`vX.Y.Z`, `vX.Y.Z-rc.N`) and the review branches
//! changes wait on (`ci/bump-to-N`, `ci/rc-V`, `ci/release-V`). Every name is
//! formatted and parsed here, so a name written in one place is always
//! recognised in another.

use crate::core::config::{BranchForm, Branches, Config};
use semver::Version;

/// The configured prefixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    branch_prefix: String,
    branch_form: BranchForm,
    tag_prefix: String,
    /// Branches from before the train (`[branches]`), which it leaves alone.
    adopted: Branches,
}

impl Names {
    pub fn new(branch_prefix: &str, tag_prefix: &str) -> Names {
        Names {
            branch_prefix: branch_prefix.to_string(),
            branch_form: BranchForm::Full,
            tag_prefix: tag_prefix.to_string(),
            adopted: Branches::default(),
        }
    }

    pub fn with_form(mut self, form: BranchForm) -> Names {
        self.branch_form = form;
        self
    }

    pub fn of(config: &Config) -> Names {
        let mut n =
            Names::new(&config.branch_prefix, &config.tag_prefix).with_form(config.branch_form);
        n.adopted = config.branches.clone();
        n
    }

    /// Why a branch named like a release branch is not one of the train's:
    /// `[branches] ignore` names it, or its line is older than `from`.
    pub fn left_out(&self, name: &str) -> Option<String> {
        self.left_out_at(name, &self.parse_form(name)?)
    }

    /// [`Names::left_out`] for `name`, already parsed as the line `v`.
    fn left_out_at(&self, name: &str, v: &Version) -> Option<String> {
        if let Some(p) = self.adopted.ignore.iter().find(|p| p.matches(name)) {
            return Some(format!("`[branches] ignore` leaves it out (`{}`)", p.0));
        }
        match &self.adopted.from {
            Some(from) if v < from => Some(format!(
                "its line {v} is older than `[branches] from = \"{from}\"`"
            )),
            _ => None,
        }
    }

    /// `release-X.Y.Z` for version X.Y.Z (any pre-release part is dropped:
    /// a branch is named after the release it leads to); `…X.Y.x` or
    /// `…X.Y` in the other forms.
    pub fn release_branch(&self, v: &Version) -> BranchName {
        let p = &self.branch_prefix;
        BranchName(match self.branch_form {
            BranchForm::Full => format!("{p}{}", Version::new(v.major, v.minor, v.patch)),
            BranchForm::MinorX => format!("{p}{}.{}.x", v.major, v.minor),
            BranchForm::Minor => format!("{p}{}.{}", v.major, v.minor),
        })
    }

    /// The version a release branch is named after (`X.Y.0` in the minor
    /// forms). Names with a pre-release or build part are not release
    /// branches.
    pub fn parse_release_branch(&self, name: &str) -> Option<Version> {
        let v = self.parse_form(name)?;
        self.left_out_at(name, &v).is_none().then_some(v)
    }

    /// The version a name in the release branches' form names.
    fn parse_form(&self, name: &str) -> Option<Version> {
        let rest = name.strip_prefix(&self.branch_prefix)?;
        let full = match self.branch_form {
            BranchForm::Full => rest.to_string(),
            BranchForm::MinorX => format!("{}.0", rest.strip_suffix(".x")?),
            BranchForm::Minor => format!("{rest}.0"),
        };
        let v = Version::parse(&full).ok()?;
        (v.pre.is_empty() && v.build.is_empty()).then_some(v)
    }

    /// The form of a release branch's name, for messages.
    pub fn release_branch_form(&self) -> String {
        let form = match self.branch_form {
            BranchForm::Full => "X.Y.Z",
            BranchForm::MinorX => "X.Y.x",
            BranchForm::Minor => "X.Y",
        };
        format!("{}{form}", self.branch_prefix)
    }

    /// The tag of a version: `vX.Y.Z`, `vX.Y.Z-rc.N`.
    pub fn tag(&self, v: &Version) -> TagName {
        TagName(format!("{}{v}", self.tag_prefix))
    }

    /// The version a tag names, if it names one.
    pub fn parse_tag(&self, name: &str) -> Option<Version> {
        Version::parse(name.strip_prefix(&self.tag_prefix)?).ok()
    }

    /// A version as the user may write it: `vX.Y.Z` or `X.Y.Z`.
    pub fn strip_tag_prefix<'a>(&self, s: &'a str) -> &'a str {
        s.strip_prefix(&self.tag_prefix).unwrap_or(s)
    }
}

/// A crate's own release tags, in the configured form
/// (`[versioning] crate-tag`, e.g. `{crate}-v{version}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateTags {
    /// Text before `{crate}`, between the two, and after `{version}`.
    before: String,
    between: String,
    after: String,
}

impl CrateTags {
    /// `form` was checked with the configuration.
    pub fn new(form: &str) -> CrateTags {
        let (before, rest) = form.split_once("{crate}").expect("checked form");
        let (between, after) = rest.split_once("{version}").expect("checked form");
        CrateTags {
            before: before.into(),
            between: between.into(),
            after: after.into(),
        }
    }

    pub fn of(config: &Config) -> CrateTags {
        CrateTags::new(&config.versioning.crate_tag)
    }

    pub fn tag(&self, krate: &str, v: &Version) -> TagName {
        TagName(format!(
            "{}{krate}{}{v}{}",
            self.before, self.between, self.after
        ))
    }

    /// The crate and version a tag names, if it is in this form. A crate
    /// name may hold the separator (`tokio-util-0.7.3` in the form
    /// `{crate}-{version}`): the split is the first one after which a
    /// version follows.
    pub fn parse(&self, name: &str) -> Option<(String, Version)> {
        let rest = name
            .strip_prefix(self.before.as_str())?
            .strip_suffix(self.after.as_str())?;
        rest.match_indices(self.between.as_str())
            .filter(|(at, _)| *at > 0)
            .find_map(|(at, sep)| {
                let v = Version::parse(&rest[at + sep.len()..]).ok()?;
                let krate = &rest[..at];
                let name_like = krate
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
                name_like.then(|| (krate.to_string(), v))
            })
    }
}

/// A branch a change waits on for review, pushed next to the branch it is
/// for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    /// `ci/bump-to-N`: main's next development line, N without `-dev`
    /// (N's patch number is 0).
    NextLine(Version),
    /// `ci/bump-to-N`, the same form: the patch release N of a release
    /// branch (N's patch number is above 0).
    Patch(Version),
    /// `ci/rc-V`: the release candidate V.
    Candidate(Version),
    /// `ci/release-V`: the final release V.
    Release(Version),
    /// `ci/backport-<branch>-<id>`: backports to a release branch; `id`
    /// names what is backported (a pull request's number, else the newest
    /// commit's short id) and has no `-`.
    Backport { branch: String, id: String },
}

const REVIEW_PREFIX: &str = "ci/";

impl Review {
    /// The branch's name.
    pub fn branch(&self) -> BranchName {
        BranchName(match self {
            Review::NextLine(v) | Review::Patch(v) => format!("{REVIEW_PREFIX}bump-to-{v}"),
            Review::Candidate(v) => format!("{REVIEW_PREFIX}rc-{v}"),
            Review::Release(v) => format!("{REVIEW_PREFIX}release-{v}"),
            Review::Backport { branch, id } => format!("{REVIEW_PREFIX}backport-{branch}-{id}"),
        })
    }

    pub fn parse(name: &str) -> Option<Review> {
        let rest = name.strip_prefix(REVIEW_PREFIX)?;
        if let Some(b) = rest.strip_prefix("backport-") {
            let (branch, id) = b.rsplit_once('-')?;
            let ok = !branch.is_empty()
                && !id.is_empty()
                && id.bytes().all(|c| c.is_ascii_alphanumeric());
            return ok.then(|| Review::Backport {
                branch: branch.to_string(),
                id: id.to_string(),
            });
        }
        if let Some(v) = rest.strip_prefix("bump-to-") {
            let v = Version::parse(v).ok()?;
            return Some(if v.patch > 0 {
                Review::Patch(v)
            } else {
                Review::NextLine(v)
            });
        }
        if let Some(v) = rest.strip_prefix("rc-") {
            let v = Version::parse(v).ok()?;
            return (!v.pre.is_empty()).then_some(Review::Candidate(v));
        }
        let v = Version::parse(rest.strip_prefix("release-")?).ok()?;
        v.pre.is_empty().then_some(Review::Release(v))
    }
}

impl std::fmt::Display for Review {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.branch())
    }
}

/// A commit id as messages show it: its first 10 hex digits (enough to be
/// unique in any repository this size, and what `git log --oneline` reads
/// back).
pub fn short(oid: &str) -> &str {
    oid.get(..10).unwrap_or(oid)
}

/// The traits a name of git's gets: it reads as the `&str` it is (so that
/// git's arguments and string comparisons take it unchanged), shows as
/// itself, and converts from and to `String`.
macro_rules! name_type {
    ($t:ident) => {
        impl $t {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $t {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $t {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<std::ffi::OsStr> for $t {
            fn as_ref(&self) -> &std::ffi::OsStr {
                self.0.as_ref()
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $t {
            fn from(s: &str) -> $t {
                $t::new(s)
            }
        }

        impl From<String> for $t {
            fn from(s: String) -> $t {
                $t::new(s)
            }
        }

        impl From<$t> for String {
            fn from(n: $t) -> String {
                n.0
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $t {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$t> for String {
            fn eq(&self, other: &$t) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$t> for &str {
            fn eq(&self, other: &$t) -> bool {
                *self == other.0
            }
        }
    };
}

/// A commit's full id, as git names it; messages show it [`short`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct CommitId(String);
name_type!(CommitId);

impl CommitId {
    /// `id` as git printed it (surrounding whitespace dropped).
    pub fn new(id: impl Into<String>) -> CommitId {
        let id: String = id.into();
        match id.trim() {
            t if t.len() == id.len() => CommitId(id),
            t => CommitId(t.to_string()),
        }
    }

    /// As messages show it.
    pub fn short(&self) -> &str {
        short(&self.0)
    }
}

/// A branch's name (`release-1.2.0`, `ci/rc-1.2.0-rc.1`, `main`), without
/// `refs/heads/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct BranchName(String);
name_type!(BranchName);

impl BranchName {
    pub fn new(name: impl Into<String>) -> BranchName {
        BranchName(name.into())
    }
}

/// A tag's name (`v1.2.0`), without `refs/tags/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct TagName(String);
name_type!(TagName);

impl TagName {
    pub fn new(name: impl Into<String>) -> TagName {
        TagName(name.into())
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn crate_tags_in_each_form() {
        let v = |s: &str| Version::parse(s).unwrap();
        let t = CrateTags::new("{crate}-v{version}");
        assert_eq!(
            t.tag("gix-hash", &v("0.19.0")).to_string(),
            "gix-hash-v0.19.0"
        );
        assert_eq!(
            t.parse("gix-hash-v0.19.0"),
            Some(("gix-hash".into(), v("0.19.0")))
        );
        assert_eq!(t.parse("v0.57.0"), None);
        let tokio = CrateTags::new("{crate}-{version}");
        assert_eq!(
            tokio.parse("tokio-util-0.7.3"),
            Some(("tokio-util".into(), v("0.7.3")))
        );
        assert_eq!(
            tokio.parse("tokio-1.38.0-rc.1"),
            Some(("tokio".into(), v("1.38.0-rc.1")))
        );
        assert_eq!(tokio.parse("tokio-1.38.x"), None);
        let at = CrateTags::new("{crate}@{version}");
        assert_eq!(
            at.parse("wasm-encoder@0.240.0"),
            Some(("wasm-encoder".into(), v("0.240.0")))
        );
        assert_eq!(at.parse("@0.1.0"), None);
        let dir = CrateTags::new("rel/{crate}/{version}");
        assert_eq!(dir.parse("rel/a/1.0.0"), Some(("a".into(), v("1.0.0"))));
        assert_eq!(dir.parse("rel/a/b/1.0.0"), None);
    }

    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn release_branches_round_trip_and_refuse_pre_releases_and_builds() {
        let n = Names::new("release-", "v");
        assert_eq!(n.release_branch(&v("2.0.0-dev")), "release-2.0.0");
        assert_eq!(n.parse_release_branch("release-2.0.0"), Some(v("2.0.0")));
        assert_eq!(n.parse_release_branch("release-2.0.0-rc.1"), None);
        assert_eq!(n.parse_release_branch("release-2.0.0+build"), None);
        assert_eq!(n.parse_release_branch("main"), None);
        let odd = Names::new("stable/", "rel-");
        assert_eq!(
            odd.parse_release_branch(&odd.release_branch(&v("1.2.3"))),
            Some(v("1.2.3"))
        );
    }

    #[test]
    fn minor_forms_name_a_line_and_read_back_its_first_version() {
        let x = Names::new("tokio-", "tokio-").with_form(BranchForm::MinorX);
        assert_eq!(x.release_branch(&v("1.38.0-dev")), "tokio-1.38.x");
        assert_eq!(x.release_branch(&v("1.38.4")), "tokio-1.38.x");
        assert_eq!(x.parse_release_branch("tokio-1.38.x"), Some(v("1.38.0")));
        assert_eq!(
            x.parse_release_branch("tokio-1.38.0"),
            None,
            "a tag is no branch"
        );
        assert_eq!(x.parse_release_branch("tokio-util-0.7.x"), None);
        assert_eq!(x.release_branch_form(), "tokio-X.Y.x");
        let m = Names::new("release-", "v").with_form(BranchForm::Minor);
        assert_eq!(m.release_branch(&v("0.14.2")), "release-0.14");
        assert_eq!(m.parse_release_branch("release-0.14"), Some(v("0.14.0")));
        assert_eq!(m.parse_release_branch("release-0.14.1"), None);
    }

    #[test]
    fn tags_round_trip() {
        let n = Names::new("release-", "v");
        assert_eq!(n.tag(&v("1.0.0-rc.2")), "v1.0.0-rc.2");
        assert_eq!(n.parse_tag("v1.0.0-rc.2"), Some(v("1.0.0-rc.2")));
        assert_eq!(n.parse_tag("x1.0.0"), None);
        assert_eq!(n.strip_tag_prefix("v1.0.0"), "1.0.0");
        assert_eq!(n.strip_tag_prefix("1.0.0"), "1.0.0");
    }

    #[test]
    fn review_branches_round_trip() {
        for r in [
            Review::NextLine(v("2.0.0")),
            Review::Patch(v("1.0.1")),
            Review::Candidate(v("1.0.0-rc.1")),
            Review::Release(v("1.0.0")),
            Review::Backport {
                branch: "release-1.0.0".into(),
                id: "0123abcdef".into(),
            },
        ] {
            assert_eq!(Review::parse(&r.branch()), Some(r.clone()), "{r}");
        }
        assert_eq!(Review::NextLine(v("2.0.0")).branch(), "ci/bump-to-2.0.0");
        assert_eq!(
            Review::Candidate(v("1.0.0-rc.1")).branch(),
            "ci/rc-1.0.0-rc.1"
        );
        assert_eq!(Review::Release(v("1.0.0")).branch(), "ci/release-1.0.0");
        assert_eq!(
            Review::Backport {
                branch: "release-36.0.0".into(),
                id: "11234".into()
            }
            .branch(),
            "ci/backport-release-36.0.0-11234"
        );
        assert_eq!(Review::parse("ci/backport-release-1.0.0-"), None);
        assert_eq!(Review::parse("ci/rc-1.0.0"), None);
        assert_eq!(Review::parse("ci/other-1.0.0"), None);
        assert_eq!(Review::parse("feature/x"), None);
    }
}
