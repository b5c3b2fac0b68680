//! The days the repository records for its release lines: each ref's date,
//! each line's release date, and the day a release branch was cut. `status`,
//! `due`, `supported` and `timetable` all read them from here, so none of
//! them reads through another.

use crate::core::refs::{BranchName, CommitId, Review};
use crate::core::support::Line;
use crate::train::repo::{Refs, ReleaseBranch, Repo};
use anyhow::Result;
use jiff::civil::Date;
use semver::{Prerelease, Version};
use std::collections::BTreeMap;

/// The remote's refs, with dates.
#[derive(Debug, Default)]
pub struct DatedRefs {
    pub refs: Refs,
    /// Tag name → its date (UTC).
    pub tag_dates: BTreeMap<String, Date>,
    /// Branch name → its tip's committer date (UTC).
    pub branch_dates: BTreeMap<String, Date>,
}

/// The UTC day of a Unix time as git prints it.
pub fn utc_day(unix: &str) -> Option<Date> {
    let secs: i64 = unix.trim().parse().ok()?;
    let t = jiff::Timestamp::from_second(secs).ok()?;
    Some(jiff::tz::Offset::UTC.to_datetime(t).date())
}

/// The same refs as `Repo::read_refs`, with their dates (a tag's: its
/// tagger date if annotated, else its commit's committer date), from one
/// `for-each-ref`.
pub fn read_dated_refs(repo: &Repo) -> Result<DatedRefs> {
    let remote = format!("refs/remotes/{}/", repo.remote());
    let mut d = DatedRefs::default();
    for r in repo.git.refs_dated(&[&remote, "refs/tags/"])? {
        let (name, commit) = (r.name.as_str(), r.commit);
        let date = r.time.and_then(|t| utc_day(&t.to_string()));
        if let Some(b) = name.strip_prefix(&remote) {
            d.refs.branches.insert(b.to_string(), commit);
            date.map(|x| d.branch_dates.insert(b.to_string(), x));
        } else if let Some(t) = name.strip_prefix("refs/tags/") {
            d.refs.tags.insert(t.to_string(), commit);
            date.map(|x| d.tag_dates.insert(t.to_string(), x));
        }
    }
    Ok(d)
}

/// A branch's release date: that of the lowest final tag of its line
/// (`X.Y.0`, or its first patch if `X.Y.0` was never tagged); later patch
/// releases do not move it.
fn release_date(repo: &Repo, d: &DatedRefs, b: &ReleaseBranch) -> Option<Date> {
    let names = repo.names();
    d.tag_dates
        .iter()
        .filter_map(|(t, date)| Some((names.parse_tag(t)?, *date)))
        .filter(|(v, _)| {
            v.pre.is_empty() && (v.major, v.minor) == (b.version.major, b.version.minor)
        })
        .filter(|(v, _)| *v >= b.version)
        .min_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, date)| date)
}

/// The release lines with their release dates only (what `supported` and
/// `status` need: no history walk).
pub fn released_lines(repo: &Repo, d: &DatedRefs) -> Vec<(ReleaseBranch, Line)> {
    repo.release_branches_in(&d.refs)
        .into_iter()
        .map(|b| {
            let line = Line {
                version: b.version.clone(),
                branched: None,
                released: release_date(repo, d, &b),
            };
            (b, line)
        })
        .collect()
}

/// The day a release branch was cut: the day of its first candidate's
/// commit (on the branch, or still waiting for review); for a branch with
/// none, the day of the first commit on main after it.
pub fn cut_day(repo: &Repo, b: &ReleaseBranch) -> Result<Option<Date>> {
    let main = repo.remote_branch(&repo.config.main_branch)?;
    let review = repo.remote_branch(&rc1_review_branch(b))?;
    cut_day_from(repo, b, main.as_deref(), review.as_deref())
}

/// [`cut_day`] with the remote's branches already read.
pub fn cut_day_in(repo: &Repo, b: &ReleaseBranch, refs: &Refs) -> Result<Option<Date>> {
    let main = refs.branches.get(&repo.config.main_branch);
    let review = refs.branches.get(rc1_review_branch(b).as_str());
    cut_day_from(
        repo,
        b,
        main.map(CommitId::as_str),
        review.map(CommitId::as_str),
    )
}

/// A release branch's first candidate, `X.Y.Z-rc.1`.
fn rc1(b: &ReleaseBranch) -> Version {
    Version {
        pre: Prerelease::new("rc.1").expect("a valid pre-release"),
        ..b.version.clone()
    }
}

fn rc1_review_branch(b: &ReleaseBranch) -> BranchName {
    Review::Candidate(rc1(b)).branch()
}

/// The candidate is committed after the branch leaves `main`, so the
/// search stops at `main`: a few commits instead of the whole history.
fn cut_day_from(
    repo: &Repo,
    b: &ReleaseBranch,
    main: Option<&str>,
    review: Option<&str>,
) -> Result<Option<Date>> {
    let rc1 = rc1(b).to_string();
    let mut day = repo
        .git
        .day_of_commit_mentioning_since(&b.oid, main, &rc1)?;
    if day.is_none()
        && let Some(oid) = review
    {
        day = repo.git.day_of_commit_mentioning_since(oid, main, &rc1)?;
    }
    // A branch cut without candidates (Wasmtime's own history has none):
    // the cut happened before the first commit that landed on main after
    // the branch left it (main's bump, at the latest). Not the fork
    // commit's day, which can lie in the month before the cut.
    if day.is_none()
        && let Some(main) = main
    {
        day = repo.git.first_day_after(main, &b.oid)?;
    }
    Ok(day.and_then(|d| d.parse().ok()))
}
