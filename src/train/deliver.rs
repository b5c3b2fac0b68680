//! How prepared commits reach the remote, as plan effects: one atomic push
//! (new branches and every change together), then the pull requests. With
//! review, each change goes to its review branch and gets a pull request;
//! without, it is pushed straight to the branch it is for.

use crate::adapters::forge::{Forge, PrState, PullRequest};
use crate::core::refs::BranchName;
use crate::plan::{Plan, Rev};
use crate::train::repo::Repo;
use anyhow::Result;

/// A commit (made or planned) and where it goes.
pub struct Change {
    pub commit: Rev,
    /// The branch it is for (`main`, `release-X.Y.Z`).
    pub base: BranchName,
    /// The branch it is pushed to for review (`ci/…`).
    pub head: BranchName,
    pub title: String,
    pub body: String,
}

impl Change {
    fn pull_request(&self) -> PullRequest {
        PullRequest {
            title: self.title.clone(),
            head: self.head.to_string(),
            base: self.base.to_string(),
            body: self.body.clone(),
        }
    }
}

/// Adds the push of `create` (new branches at existing commits) and
/// `changes`, then their pull requests, to `plan`.
pub fn deliver(
    plan: &mut Plan,
    remote: &str,
    reviews: bool,
    create: &[(Rev, BranchName)],
    changes: &[Change],
) {
    let mut updates = Vec::new();
    for (commit, branch) in create {
        // Without review the change for this branch creates it, on top of
        // the same commit.
        if reviews || !changes.iter().any(|c| &c.base == branch) {
            updates.push((commit.clone(), branch.clone()));
        }
    }
    for c in changes {
        let target = if reviews { &c.head } else { &c.base };
        updates.push((c.commit.clone(), target.clone()));
    }
    plan.push(remote, updates);
    if reviews {
        for c in changes {
            plan.pull_request(c.pull_request());
        }
    }
}

/// Where a change that goes through review stands on the remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// Its review branch is not pushed.
    No,
    /// Pushed, and its pull request is open (or the forge keeps none).
    Waiting,
    /// Pushed, but its pull request is missing (an earlier run stopped or
    /// the forge failed after the push): only the request is left to do.
    NoPullRequest,
}

/// Whether the review branch `head` (for `base`) waits on the remote, and
/// whether its pull request exists.
pub fn pending(repo: &Repo, forge: &dyn Forge, head: &str, base: &str) -> Result<Pending> {
    if repo.remote_branch(head)?.is_none() {
        return Ok(Pending::No);
    }
    Ok(match forge.pull_request(head, base)? {
        PrState::Missing => Pending::NoPullRequest,
        PrState::Open(_) | PrState::Untracked => Pending::Waiting,
    })
}

/// The pull request of a change whose branch is pushed already.
pub fn reopen(plan: &mut Plan, change: &Change) {
    plan.pull_request(change.pull_request());
}
