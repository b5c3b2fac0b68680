//! What `rc`, `release` and `patch` share: prepare one release commit on a
//! release branch and deliver it.

use crate::adapters::forge;
use crate::core::changeset::ChangeSet;
use crate::core::version::Level;
use crate::exec::Executor;
use crate::train::deliver::{Change, deliver};
use crate::train::repo::Repo;
use crate::train::workdir::Workdir;
use crate::train::{Context, Options};
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
    /// Edits RELEASES.md for the new version.
    pub notes: &'a dyn Fn(&Context, &mut ChangeSet, &Version) -> Result<()>,
    /// Branch for review, from the new version.
    pub head: &'a dyn Fn(&Version) -> String,
    /// Pull request body, from the new version.
    pub body: &'a dyn Fn(&Version) -> String,
}

/// Bumps, edits the notes, commits "Release P V" with the marker, delivers.
pub fn release_commit(
    repo: &Repo,
    opts: &Options,
    exec: &Executor,
    t: &Target,
    c: &Commit<'_>,
) -> Result<Version> {
    let cfg = &repo.config;
    let forge = forge::open(cfg, &repo.git)?;
    repo.require_date_after(&t.base)?;
    let work = Workdir::open(&repo.git, &t.base, true, exec)?;
    let ctx = work.context(opts)?;
    let project = super::project_name(&ctx);
    let mut plan = super::bump::plan(&ctx, &c.level)?;
    eprintln!("{}", super::bump::summary(&plan));
    let new = t.next(&c.level)?;
    (c.notes)(&ctx, &mut plan.changes, &new)?;
    let title = format!("Release {project} {new}");
    let hooks = super::bump::hooks(&plan, &cfg.after_bump, cfg.hook_timeout_secs);
    let commit = work.commit(exec, &plan.changes, &hooks, &[&title, &cfg.marker])?;
    work.close(exec)?;
    let head = (c.head)(&new);
    let change = Change {
        commit,
        base: t.branch.clone(),
        head,
        title,
        body: (c.body)(&new),
    };
    deliver(repo, exec, forge.as_ref(), &[], &[change])?;
    Ok(new)
}

/// Whether a review branch for this change already waits on the remote.
pub fn pending(repo: &Repo, head: &str) -> Result<bool> {
    Ok(repo.remote_branch(head)?.is_some())
}
