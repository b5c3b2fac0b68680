//! What `rc`, `release` and `patch` share: plan one release commit on a
//! release branch and deliver it, or finish an earlier run's delivery.

use crate::adapters::forge;
use crate::core::changeset::ChangeSet;
use crate::core::version::Level;
use crate::exec::Executor;
use crate::output::say;
use crate::train::deliver::{Change, Pending, deliver, pending, reopen};
use crate::train::plan::{NewCommit, Plan, Rev};
use crate::train::repo::Repo;
use crate::train::{Context, Options, apply, snapshot};
use anyhow::{Result, bail};
use semver::Version;

/// A release branch checked and fetched, ready for a release commit.
pub struct Target {
    pub branch: String,
    pub base: String,
    pub version: Version,
}

/// STEP 1 of every operation on a release branch: clean tree, the branch
/// named or checked out, fetched.
pub fn target(repo: &Repo, branch: Option<&str>, exec: &Executor) -> Result<Target> {
    repo.require_clean()?;
    let branch = repo.release_branch_arg(branch)?;
    repo.fetch(exec)?;
    let Some(base) = repo.remote_branch(&branch)? else {
        bail!("`{}/{branch}` does not exist", repo.remote())
    };
    let version = repo.version_at(&base)?;
    Ok(Target {
        branch,
        base,
        version,
    })
}

impl Target {
    /// The branch's version under `level`, or an error naming the branch and
    /// its manifest when a number would overflow.
    pub fn next(&self, level: &Level) -> Result<Version> {
        crate::core::version::try_bump(&self.version, level).map_err(|e| {
            anyhow::anyhow!(
                "Cargo.toml on `{}`: version {}: {e}; set the version by hand",
                self.branch,
                self.version
            )
        })
    }
}

pub struct Commit<'a> {
    pub level: Level,
    /// The status word of the operation ("Candidate", "Release", "Patch").
    pub word: &'a str,
    /// Edits RELEASES.md for the new version.
    pub notes: &'a dyn Fn(&Context, &mut ChangeSet, &Version) -> Result<()>,
    /// Branch for review, from the new version.
    pub head: &'a dyn Fn(&Version) -> String,
    /// Pull request body, from the new version.
    pub body: &'a dyn Fn(&Version) -> String,
}

/// Bumps, edits the notes, commits "Release P V" with the marker, delivers.
/// When the review branch is pushed already: nothing to do if its pull
/// request is open, else only the pull request is opened. Returns the new
/// version, or `None` when there was nothing to do.
pub fn release_commit(
    repo: &Repo,
    opts: &Options,
    exec: &Executor,
    t: &Target,
    c: &Commit<'_>,
) -> Result<Option<Version>> {
    let cfg = &repo.config;
    let forge = forge::open(cfg, &repo.git)?;
    let new = t.next(&c.level)?;
    let head = (c.head)(&new);
    let state = if forge.reviews() {
        pending(repo, forge.as_ref(), &head, &t.branch)?
    } else {
        Pending::No
    };
    if state == Pending::Waiting {
        say(
            c.word,
            &format!("nothing to do: {head} is waiting for review"),
        );
        return Ok(None);
    }
    let snap = snapshot::at(repo, &t.base, opts)?;
    let ctx = &snap.ctx;
    let title = format!("Release {} {new}", super::project_name(ctx));
    let mut change = Change {
        commit: Rev::at(&t.base, format!("{}/{}", cfg.remote, t.branch)),
        base: t.branch.clone(),
        head,
        title,
        body: (c.body)(&new),
    };
    let mut plan = Plan::default();
    if state == Pending::NoPullRequest {
        say(
            c.word,
            &format!(
                "{} is pushed without its pull request: opening it",
                change.head
            ),
        );
        reopen(&mut plan, &change);
    } else {
        repo.require_date_after(&t.base)?;
        let mut bump = super::bump::plan(ctx, &c.level)?;
        eprintln!("{}", super::bump::summary(&bump));
        (c.notes)(ctx, &mut bump.changes, &new)?;
        let hooks = super::bump::hooks(&bump, &cfg.after_bump, cfg.hook_timeout_secs);
        change.commit = plan.commit(NewCommit {
            base: change.commit.clone(),
            changes: bump.changes,
            hooks,
            message: vec![change.title.clone(), cfg.marker.clone()],
        });
        deliver(&mut plan, repo.remote(), forge.reviews(), &[], &[change]);
    }
    apply::apply(&plan, repo, forge.as_ref(), exec)?;
    Ok(Some(new))
}
