//! The gates a release must pass before anything is planned: each is one
//! [`Gate`], and [`require`] runs a command's gates over every branch it
//! releases, in one place. A gate keeps its own cache and bound (the
//! semver gate's results, its time limit per crate) and words its own
//! refusal, naming what is at fault and what to do.
//!
//! - [`audit`]: every commit a patch releases is one of `main`'s;
//! - [`semver`]: no public crate breaks its API in a patch;
//! - [`freeze`]: nothing but the release goes onto a branch in its freeze;
//! - [`advisories`]: no dependency a branch locks has an unpatched security
//!   advisory (with `[advisories] gate = true`).
//!
//! A new gate is one file here and its place in the lists below.

pub mod advisories;
pub mod audit;
pub mod freeze;
pub mod semver;

use crate::core::refs::{BranchName, CommitId};
use crate::train::Options;
use crate::train::repo::Repo;
use anyhow::{Result, bail};

/// A release branch a command is about to change, at the commit it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub branch: BranchName,
    pub tip: CommitId,
}

/// What a gate says of the subjects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// Refused, with the whole message: what is at fault, what to do.
    Block(String),
}

pub trait Gate {
    /// Its name in messages and configuration.
    fn name(&self) -> &'static str;
    /// Checks every subject at once, so that one run names every problem.
    fn check(&self, repo: &Repo, opts: &Options, subjects: &[Subject]) -> Result<Verdict>;
}

/// What the command line lets through a gate that would refuse, with the
/// reason given (kept in the commits made).
#[derive(Debug, Clone, Default)]
pub struct Allow {
    /// `--allow-in-freeze REASON`.
    pub in_freeze: Option<String>,
}

/// The gates of a patch release, cheapest first: a refusal by one spares
/// the slower ones after it.
pub fn for_patch(allow: &Allow) -> Vec<Box<dyn Gate>> {
    vec![
        Box::new(freeze::Freeze {
            exception: allow.in_freeze.clone(),
        }),
        Box::new(audit::Audit),
        Box::new(advisories::Advisories),
        Box::new(semver::Semver),
    ]
}

/// The gates of a final release.
pub fn for_release() -> Vec<Box<dyn Gate>> {
    vec![Box::new(advisories::Advisories)]
}

/// The gates of a backport.
pub fn for_backport(allow: &Allow) -> Vec<Box<dyn Gate>> {
    vec![Box::new(freeze::Freeze {
        exception: allow.in_freeze.clone(),
    })]
}

/// Runs `gates` in order over `subjects`; the first refusal is the error.
pub fn require(
    gates: &[Box<dyn Gate>],
    repo: &Repo,
    opts: &Options,
    subjects: &[Subject],
) -> Result<()> {
    for g in gates {
        if let Verdict::Block(why) = g.check(repo, opts, subjects)? {
            bail!("{why}");
        }
    }
    Ok(())
}
