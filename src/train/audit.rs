//! `cargo train audit [--branch B | --supported]`: every commit on a
//! release branch since its cut is a change of `main`.
//!
//! A commit counts as `main`'s when its `(cherry picked from commit X)`
//! trailer names a commit of `main`, or when its patch id (`git patch-id
//! --stable`) is that of a commit on `main` since the cut. The train's own
//! release commits (they carry the marker), merge commits, and commits
//! with the branch-only trailer (`[backport] branch-only-trailer`) are not
//! asked. `patch` runs [`audit_branch`] first.

use crate::adapters::git::pick::{self, Revs};
use crate::core::marker::Marker;
use crate::core::refs::CommitId;
use crate::core::release_commit::ReleaseCommit;
use crate::core::trailers::Trailers;
use crate::train::repo::Repo;
use anyhow::{Context as _, Result};
use std::collections::{HashMap, HashSet};

/// A commit on a release branch that is not on `main`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    pub oid: CommitId,
    /// `Name <email>`.
    pub author: String,
    pub subject: String,
    /// What is wrong beyond having no counterpart on `main` (a trailer
    /// naming a different change).
    pub why: Option<String>,
}

/// The commits of the remote's `branch` since it was cut that do not
/// correspond to a commit on the remote's main branch (as last fetched).
pub fn audit_branch(repo: &Repo, branch: &str) -> Result<Vec<Unmatched>> {
    audit(repo, branch, &tip_of(repo, branch)?, None)
}

/// [`audit_branch`] for what a patch would release: the commits since the
/// branch's last release tag (since the cut if it has none). Commits
/// released already cannot be mended (their messages are published), so
/// they must not block every later patch of the branch.
pub fn audit_unreleased(repo: &Repo, branch: &str) -> Result<Vec<Unmatched>> {
    let tip = tip_of(repo, branch)?;
    let tag = super::semver::last_release_tag(repo, &tip)?;
    audit(repo, branch, &tip, tag.as_deref())
}

fn tip_of(repo: &Repo, branch: &str) -> Result<CommitId> {
    repo.remote_branch(branch)?
        .with_context(|| format!("`{}/{branch}` does not exist", repo.config.remote))
}

/// `branch` (at `tip`) since its cut, or since `since` when given.
fn audit(repo: &Repo, branch: &str, tip: &str, since: Option<&str>) -> Result<Vec<Unmatched>> {
    let cfg = &repo.config;
    let git = &repo.git;
    let main = repo.main_tip()?;
    let cut = repo.cut_point(&main, tip, branch)?;
    let cut = cut.as_str();
    let range = format!("{cut}..{tip}");
    let revs = Revs::NoMerges {
        range: &range,
        not: since,
    };
    let mut asked = Vec::new();
    for c in pick::log(git, &revs)? {
        // A trailer with no reason gives none.
        let branch_only = Trailers::parse(&c.message)
            .get(&cfg.backport.branch_only_trailer)
            .is_some_and(|why| !why.is_empty());
        if !branch_only && !is_train_release(repo, &c)? {
            asked.push(c);
        }
    }
    if asked.is_empty() {
        return Ok(Vec::new());
    }
    let on_main = OnMain::new(repo, cut, &main)?;
    let mut left = Vec::new();
    // Commits whose trailer names a commit of main that changes other
    // files: a forged or mistaken trailer, said with the commit.
    let mut forged: HashMap<CommitId, String> = HashMap::new();
    for c in asked {
        let named = on_main.named(&pick::picked_from(&c.message))?;
        if named.is_empty() {
            left.push(c);
            continue;
        }
        let from: Vec<&str> = named.iter().map(CommitId::as_str).collect();
        if !pick::touches_what_it_names(git, &c.oid, &from)? {
            let shown: Vec<&str> = named.iter().map(CommitId::short).collect();
            forged.insert(
                c.oid.clone(),
                format!(
                    "its cherry-pick trailer names {}, which changes other files",
                    shown.join(", ")
                ),
            );
            left.push(c);
        }
    }
    if cfg.backport.audit_pull_requests && !left.is_empty() {
        let merged = merged_pull_requests(repo, &format!("{cut}..{main}"))?;
        left.retain(|c| !pull_request_refs(&c.message).any(|n| merged.contains(&n)));
    }
    if left.is_empty() {
        return Ok(Vec::new());
    }
    let main_ids = main_patch_ids(repo, &left, &format!("{cut}..{main}"))?;
    let oids: Vec<&str> = left.iter().map(|c| c.oid.as_str()).collect();
    let ids: HashMap<String, String> = pick::patch_ids(git, &Revs::Only(&oids))?
        .into_iter()
        .map(|(p, c)| (c, p))
        .collect();
    Ok(left
        .into_iter()
        .filter(|c| {
            !ids.get(c.oid.as_str())
                .is_some_and(|p| main_ids.contains(p))
        })
        .map(|c| Unmatched {
            author: format!("{} <{}>", c.author.name, c.author.email),
            subject: c.subject().to_string(),
            why: forged.get(&c.oid).cloned(),
            oid: c.oid,
        })
        .collect())
}

/// Whether `c` is one of the train's own release commits: a release
/// commit's message, and a change to nothing but what a release changes
/// (manifests, `Cargo.lock`, the notes, the version files; with
/// `after-bump` hooks, whatever they write but Rust sources). A commit
/// only dressed as one is audited like any other.
fn is_train_release(repo: &Repo, c: &pick::Commit) -> Result<bool> {
    let cfg = &repo.config;
    if ReleaseCommit::parse(&c.message, &Marker::of(cfg)).is_none() {
        return Ok(false);
    }
    let Some(parent) = c.parents.first() else {
        return Ok(false);
    };
    let releases = |f: &str| {
        let path = std::path::Path::new(f);
        matches!(
            path.file_name().and_then(|n| n.to_str()),
            Some("Cargo.toml" | "Cargo.lock")
        ) || path == cfg.notes.file
            || cfg.version_files.iter().any(|v| v.path == path)
            || (!cfg.after_bump.is_empty() && !f.ends_with(".rs"))
    };
    Ok(pick::changed_files(&repo.git, parent, &c.oid)?
        .iter()
        .all(|f| releases(f)))
}

/// The pull requests that landed on main in `range`: the `N` of subjects
/// ending in `(#N)`, as GitHub writes squash and merge titles.
fn merged_pull_requests(repo: &Repo, range: &str) -> Result<HashSet<u64>> {
    let subjects = repo.git.subjects(range)?;
    Ok(subjects.iter().filter_map(|s| merged_number(s)).collect())
}

fn merged_number(subject: &str) -> Option<u64> {
    let rest = subject.trim_end().strip_suffix(')')?;
    let (_, n) = rest.rsplit_once("(#")?;
    n.parse().ok()
}

/// Every `#N` a message names.
fn pull_request_refs(message: &str) -> impl Iterator<Item = u64> + '_ {
    message.split('#').skip(1).filter_map(|s| {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// The patch ids of the commits in `range` (of `main`) that change the
/// same files as one of `left`: only those can share a patch id with it,
/// and listing files is far cheaper than diffing every commit of `main`.
fn main_patch_ids(repo: &Repo, left: &[pick::Commit], range: &str) -> Result<HashSet<String>> {
    let git = &repo.git;
    let oids: Vec<&str> = left.iter().map(|c| c.oid.as_str()).collect();
    let wanted: HashSet<Vec<String>> = pick::files_by_commit(git, &Revs::Only(&oids))?
        .into_iter()
        .map(|(_, f)| f)
        .collect();
    let candidates: Vec<String> = pick::files_by_commit(git, &Revs::Range(range))?
        .into_iter()
        .filter(|(_, f)| wanted.contains(f))
        .map(|(o, _)| o)
        .collect();
    if candidates.is_empty() {
        return Ok(HashSet::new());
    }
    let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
    Ok(pick::patch_ids(git, &Revs::Only(&candidates))?
        .into_iter()
        .map(|(p, _)| p)
        .collect())
}

/// The commits of `main`, to look up the ones trailers name.
struct OnMain<'a> {
    repo: &'a Repo,
    main: &'a str,
    since_cut: HashSet<CommitId>,
}

impl<'a> OnMain<'a> {
    fn new(repo: &'a Repo, cut: &str, main: &'a str) -> Result<OnMain<'a>> {
        Ok(OnMain {
            repo,
            main,
            since_cut: repo
                .git
                .rev_list(&format!("{cut}..{main}"))?
                .into_iter()
                .collect(),
        })
    }

    /// Which of `oids` (full or abbreviated) are commits of `main`, by
    /// their full ids.
    fn named(&self, oids: &[String]) -> Result<Vec<CommitId>> {
        let mut out = Vec::new();
        for o in oids {
            if let Some(full) = self.since_cut.get(o.as_str()) {
                out.push(full.clone());
                continue;
            }
            // Older than the cut, or abbreviated: asked one by one.
            if let Some(full) = self.repo.git.resolve(o)?
                && self.repo.git.is_ancestor(&full, self.main)?
            {
                out.push(full);
            }
        }
        Ok(out)
    }
}

pub mod report;

/// `cargo train audit`: fetches, audits each branch, reports what is not
/// on `main`.
pub fn run(
    repo: &Repo,
    branch: Option<&str>,
    supported: bool,
    unreleased: bool,
) -> Result<report::Audit> {
    repo.fetch()?;
    let branches = if supported {
        super::timetable::supported(repo)?
    } else {
        vec![repo.release_branch_arg(branch)?]
    };
    let mut audited = Vec::with_capacity(branches.len());
    for b in branches {
        let unmatched = if unreleased {
            audit_unreleased(repo, &b)?
        } else {
            audit_branch(repo, &b)?
        };
        audited.push(report::BranchAudit {
            branch: b,
            unmatched: unmatched
                .into_iter()
                .map(|u| report::Commit {
                    id: u.oid.to_string(),
                    author: u.author,
                    subject: u.subject,
                    why: u.why,
                })
                .collect(),
        });
    }
    let since = if unreleased {
        report::Since::LastRelease
    } else {
        report::Since::Cut
    };
    let cfg = &repo.config;
    Ok(report::Audit::new(
        since,
        audited,
        repo.today,
        &cfg.main_branch,
        &cfg.backport.branch_only_trailer,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_request_numbers_in_subjects_and_messages() {
        assert_eq!(merged_number("Fix the thing (#11510)"), Some(11510));
        assert_eq!(merged_number("Refactor (#11510) (#11537)"), Some(11537));
        assert_eq!(merged_number("Fix #12 in passing"), None);
        assert_eq!(merged_number("Tuple (#x)"), None);
        let refs: Vec<u64> = pull_request_refs(
            "[36.0.x] Backports (#14178)\n\n* Fix A (#13892)\n* see #14000.\n# heading",
        )
        .collect();
        assert_eq!(refs, [14178, 13892, 14000]);
    }
}
