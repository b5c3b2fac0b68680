//! `cargo train cut`: branch the release off `main`.
//!
//! STEP 1: checks: clean tree, on the main branch, remote fetched.
//! STEP 2: `main` at the remote is the cut point; its `X.Y.Z-dev` names
//!         `release-X.Y.Z`. Nothing to do if it exists or a branch was cut
//!         this month already.
//! STEP 3: on the cut point: bump to the next `-dev`, rotate the notes,
//!         commit "Bump P to N" (for `ci/bump-to-N` → main).
//! STEP 4: on the cut point again: bump to `-rc.1`, commit
//!         "Release P X.Y.Z-rc.1" with the marker (for `ci/rc-…` → release-X.Y.Z).
//! STEP 5: one atomic push (the release branch and both changes), then the
//!         pull requests; without a forge, both commits go straight to
//!         their branches.

use crate::adapters::forge;
use crate::core::version::Level;
use crate::exec::Executor;
use crate::train::deliver::{Change, deliver};
use crate::train::repo::Repo;
use crate::train::workdir::Workdir;
use crate::train::{Options, bump, notes};
use anyhow::{Result, bail};
use semver::Version;

pub struct CutOpts {
    /// Cut even if a branch was already cut this month.
    pub force: bool,
}

pub fn run(repo: &Repo, opts: &Options, cut: &CutOpts, exec: &Executor) -> Result<()> {
    let cfg = &repo.config;
    // STEP 1
    repo.require_clean()?;
    let on = repo.git.current_branch()?;
    if on.as_deref() != Some(cfg.main_branch.as_str()) {
        bail!(
            "`cut` runs on `{}`, but `{}` is checked out",
            cfg.main_branch,
            on.as_deref().unwrap_or("a detached HEAD")
        );
    }
    let forge = forge::open(cfg, &repo.git)?;
    repo.fetch(exec)?;

    // STEP 2
    let Some(base) = repo.remote_branch(&cfg.main_branch)? else {
        bail!(
            "`{}/{}` does not exist; push the main branch first",
            cfg.remote,
            cfg.main_branch
        )
    };
    let local = repo.git.resolve("HEAD")?.expect("on a branch with commits");
    if !repo.git.is_ancestor(&local, &base)? {
        bail!(
            "`{}` has commits that are not on `{}/{}`; push or drop them before cutting",
            cfg.main_branch,
            cfg.remote,
            cfg.main_branch
        );
    }
    let dev = repo.version_at(&base)?;
    let version = Version::new(dev.major, dev.minor, dev.patch);
    let branch = format!("{}{version}", cfg.branch_prefix);
    if repo.remote_branch(&branch)?.is_some() {
        eprintln!("{:>12} nothing to do: `{branch}` already exists", "Cut");
        return Ok(());
    }
    let last_cut = match repo.release_branches()?.pop() {
        Some(latest) => super::status::cut_day(repo, &latest)?.map(|day| (latest.name, day)),
        None => None,
    };
    if !cut.force
        && let Some((name, day)) = &last_cut
        && (day.year(), day.month()) == (repo.today.year(), repo.today.month())
    {
        eprintln!(
            "{:>12} nothing to do: `{name}` was already cut this month ({day}); --force cuts another",
            "Cut"
        );
        return Ok(());
    }
    repo.require_date_after(&base)?;
    if let Some((name, day)) = &last_cut
        && *day > repo.today
    {
        bail!(
            "--date {} is before the last cut (`{name}` on {day}); a cut dates its commits, so use \
             {day} or later",
            repo.today,
        );
    }

    // STEP 3
    let work = Workdir::open(&repo.git, &base, true, exec)?;
    let ctx = work.context(opts)?;
    let project = super::project_name(&ctx);
    let mut next_plan = bump::plan(&ctx, &Level::Major)?;
    eprintln!("{}", bump::summary(&next_plan));
    let next = next_plan
        .workspace
        .as_ref()
        .map(|(_, n)| n.clone())
        .or_else(|| next_plan.moves.first().map(|(_, _, n)| n.clone()))
        .unwrap_or_else(|| dev.clone());
    let num = notes::heading(&next);
    notes::rotate(&ctx, &mut next_plan.changes, &version, &branch, &next)?;
    let bump_title = format!("Bump {project} to {num}");
    let bump_hooks = bump::hooks(&next_plan, &cfg.after_bump, cfg.hook_timeout_secs);
    let bump_commit = work.commit(exec, &next_plan.changes, &bump_hooks, &[&bump_title])?;

    // STEP 4
    work.reset(exec)?;
    let rc_plan = bump::plan(&ctx, &Level::Rc)?;
    let rc = crate::core::version::try_bump(&dev, &Level::Rc)
        .map_err(|e| anyhow::anyhow!("Cargo.toml on `{}`: version {dev}: {e}", cfg.main_branch))?;
    let rc_title = format!("Release {project} {rc}");
    let rc_commit = work.commit(
        exec,
        &rc_plan.changes,
        &bump::hooks(&rc_plan, &cfg.after_bump, cfg.hook_timeout_secs),
        &[&rc_title, &cfg.marker],
    )?;
    work.close(exec)?;

    // STEP 5
    let changes = [
        Change {
            commit: bump_commit.clone(),
            base: cfg.main_branch.clone(),
            head: format!("ci/bump-to-{num}"),
            title: bump_title,
            body: format!(
                "The release branch `{branch}` was cut from `{}` and this bumps `{}` from {version} to {num}.\n\n\
                 Merging it starts the next development line; it publishes nothing. The notes of {version} now \
                 live on `{branch}`; edit them there. Fixes land on `{}` first and are backported to `{branch}`.\n\n\
                 A second pull request proposes {rc}, the first release candidate.\n",
                cfg.main_branch, cfg.main_branch, cfg.main_branch
            ),
        },
        Change {
            commit: rc_commit,
            base: branch.clone(),
            head: format!("ci/rc-{rc}"),
            title: rc_title,
            body: format!(
                "Merging this makes {rc} a release candidate of {version}: the tag `{}{rc}` is created once CI \
                 passes, the crates are published and a pre-release is made.\n",
                cfg.tag_prefix
            ),
        },
    ];
    deliver(
        repo,
        exec,
        forge.as_ref(),
        &[(base.clone(), branch.clone())],
        &changes,
    )?;

    // Without review the bump landed on main: bring the local branch along.
    if !forge.reviews() {
        exec.git(&repo.git, &["merge", "--ff-only", "--quiet", &bump_commit])?;
    }
    eprintln!(
        "{:>12} `{branch}` at {} for {rc}; `{}` moves to {next}",
        "Cut",
        &base[..base.len().min(10)],
        cfg.main_branch
    );
    Ok(())
}
