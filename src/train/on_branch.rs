//! What `rc`, `release` and `patch` share: plan one release commit on a
//! release branch and deliver it, or finish an earlier run's delivery.

use crate::core::changeset::ChangeSet;
use crate::core::marker::Marker;
use crate::core::refs::{BranchName, CommitId, short};
use crate::core::release_commit::ReleaseCommit;
use crate::core::version::Level;
use crate::output::say;
use crate::plan::{NewCommit, Plan, Rev};
use crate::train::deliver::{Change, Pending, deliver, pending, reopen};
use crate::train::repo::Repo;
use crate::train::{Context, Options, snapshot};
use anyhow::{Result, bail};
use semver::Version;

/// A release branch checked and fetched, ready for a release commit.
pub struct Target {
    pub branch: BranchName,
    pub base: CommitId,
    pub version: Version,
}

/// STEP 1 of every operation on a release branch: clean tree, the branch
/// named or checked out, fetched.
pub fn target(repo: &Repo, branch: Option<&str>) -> Result<Target> {
    repo.require_clean()?;
    let branch = repo.release_branch_arg(branch)?;
    repo.fetch()?;
    fetched(repo, &branch)
}

/// A release branch as the last fetch left it.
pub fn fetched(repo: &Repo, branch: &str) -> Result<Target> {
    let Some(base) = repo.remote_branch(branch)? else {
        bail!("`{}/{branch}` does not exist", repo.remote())
    };
    let version = repo.version_at(&base)?;
    Ok(Target {
        branch: BranchName::new(branch),
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
    pub head: &'a dyn Fn(&Version) -> BranchName,
    /// Pull request body, from the new version.
    pub body: &'a dyn Fn(&Version) -> String,
    /// A trailer line of the commit's own (`Freeze-exception: why`).
    pub trailer: Option<String>,
}

/// Bumps, edits the notes, commits "Release P V" with the marker, delivers.
/// When the review branch is pushed already: nothing to do if its pull
/// request is open, else only the pull request is opened.
pub fn release_commit(repo: &Repo, opts: &Options, t: &Target, c: &Commit<'_>) -> Result<Plan> {
    let forge = repo.forge()?;
    let new = t.next(&c.level)?;
    if let Some((tag, at)) = repo.released(&new)? {
        bail!(
            "`{}` would make {new}, but that version is released already (tag `{tag}` at {}): \
             the branch's version ({}) is behind its releases; bump it past the tag on `{}` \
             (`cargo train bump patch`) and run again",
            t.branch,
            short(&at),
            t.version,
            t.branch
        );
    }
    let head = (c.head)(&new);
    let state = if forge.reviews() {
        pending(repo, forge, &head, &t.branch)?
    } else {
        Pending::No
    };
    if state == Pending::Waiting {
        say(
            c.word,
            &format!("nothing to do: {head} is waiting for review"),
        );
        return Ok(Plan::default());
    }
    let mut plan = Plan::default();
    if state == Pending::NoPullRequest {
        say(
            c.word,
            &format!("{head} is pushed without its pull request: opening it"),
        );
        let change = pushed_change(repo, opts, t, c, &new)?;
        reopen(&mut plan, &change);
    } else {
        let change = plan_release(repo, opts, t, c, None, &mut plan)?;
        deliver(&mut plan, repo.remote(), forge.reviews(), &[], &[change]);
    }
    plan.then_say(c.word, format!("{new} on `{}`", t.branch));
    Ok(plan)
}

/// The change of a review branch an earlier run pushed (for its pull
/// request): the branch's name and the title and body it was planned with.
pub fn pushed_change(
    repo: &Repo,
    opts: &Options,
    t: &Target,
    c: &Commit<'_>,
    new: &Version,
) -> Result<Change> {
    // The project's name may come from the root package, read at the base.
    let snap = snapshot::at(repo, &t.base, opts)?;
    Ok(Change {
        commit: Rev::at(&t.base, format!("{}/{}", repo.remote(), t.branch)),
        base: t.branch.clone(),
        head: (c.head)(new),
        title: ReleaseCommit {
            project: super::project_name(&snap.ctx),
            version: new.clone(),
        }
        .title(),
        body: (c.body)(new),
    })
}

/// Adds `t`'s release commit to `plan` (bumped, notes edited, "Release P V"
/// with the marker and `trailer`, if any, as the last paragraph) and
/// returns the change that delivers it.
pub fn plan_release(
    repo: &Repo,
    opts: &Options,
    t: &Target,
    c: &Commit<'_>,
    trailer: Option<&str>,
    plan: &mut Plan,
) -> Result<Change> {
    let cfg = &repo.config;
    let new = t.next(&c.level)?;
    repo.require_date_after(&t.base)?;
    let snap = snapshot::at(repo, &t.base, opts)?;
    let ctx = &snap.ctx;
    let release = ReleaseCommit {
        project: super::project_name(ctx),
        version: new.clone(),
    };
    let title = release.title();
    let mut bump = super::bump::compute(ctx, &c.level)?;
    eprintln!("{}", super::bump::summary(&bump));
    (c.notes)(ctx, &mut bump.changes, &new)?;
    let hooks = super::bump::hooks(&bump, &cfg.after_bump, cfg.hook_timeout_secs);
    // The set's trailer and the commit's own share the last paragraph.
    let trailers: Vec<&str> = trailer.into_iter().chain(c.trailer.as_deref()).collect();
    let trailers = (!trailers.is_empty()).then(|| trailers.join("\n"));
    let message = release.message(&Marker::of(cfg), trailers.as_deref());
    let commit = plan.commit(NewCommit {
        base: Rev::at(&t.base, format!("{}/{}", cfg.remote, t.branch)),
        changes: bump.changes,
        hooks,
        message,
    });
    Ok(Change {
        commit,
        base: t.branch.clone(),
        head: (c.head)(&new),
        title,
        body: (c.body)(&new),
    })
}
