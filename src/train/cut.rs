//! `cargo train cut`: branch the release off `main`.
//!
//! STEP 1: checks: clean tree, on the main branch, remote fetched.
//! STEP 2: finish an earlier cut of the newest release branch if it stopped
//!         half-way (main's bump or the first candidate missing, or a
//!         pushed review branch without its pull request).
//! STEP 3: `main` at the remote is the cut point; its `X.Y.Z-dev` names
//!         `release-X.Y.Z`. Nothing to do if it exists or a branch was cut
//!         this month already.
//! STEP 4: on the cut point: bump to the next `-dev`, rotate the notes,
//!         commit "Bump P to N" (for `ci/bump-to-N` → main).
//! STEP 5: on the cut point again: bump to `-rc.1`, commit
//!         "Release P X.Y.Z-rc.1" with the marker (for `ci/rc-…` → release-X.Y.Z);
//!         with `notes.draft`, the release's section gets the entries
//!         drafted from the history since the last release.
//! STEP 6: one atomic push (the release branch and both changes), then the
//!         pull requests; without a forge, both commits go straight to
//!         their branches and the local main branch is brought along.
//! STEP 7: the release's tracking issue (with `[tracking]`): opened with
//!         the checklist and the schedule's dates, the cut ticked, both
//!         pull requests linked.

use crate::adapters::forge::Forge;
use crate::core::marker::Marker;
use crate::core::refs::{BranchName, CommitId, Names, Review, short};
use crate::core::release_commit::ReleaseCommit;
use crate::core::version::{Level, try_bump};
use crate::output::say;
use crate::plan::{Effect, NewCommit, Plan, Rev};
use crate::train::deliver::{Change, Pending, deliver, pending, reopen};
use crate::train::repo::{ReleaseBranch, Repo};
use crate::train::{Context, Options, bump, notes, notes_draft, snapshot};
use anyhow::{Result, bail};
use semver::Version;

pub struct CutOpts {
    /// Cut even if a branch was already cut this month.
    pub force: bool,
}

/// The cut's plan (empty when there is nothing to do).
pub fn plan(repo: &Repo, opts: &Options, cut: &CutOpts) -> Result<Plan> {
    let cfg = &repo.config;
    // STEP 1
    let forge = repo.forge()?;
    let base = checks(repo)?;

    // STEP 2
    if let Some(plan) = finish(repo, opts)? {
        return Ok(plan);
    }

    // STEP 3
    let dev = repo.version_at(&base)?;
    let version = Version::new(dev.major, dev.minor, dev.patch);
    let names = Names::of(cfg);
    let branch = names.release_branch(&version);
    if let Some(why) = names.left_out(&branch) {
        bail!(
            "a cut would make `{branch}`, but {why}: change `[branches]` or bump `{}`",
            cfg.main_branch
        );
    }
    if !due(repo, cut, &base, &branch)? {
        return Ok(Plan::default());
    }
    if let Some((tag, at)) = repo.released(&version)? {
        bail!(
            "`{}` is at {dev}, and {version} is released already (tag `{tag}` at {}): a cut would \
             prepare it again; bump `{}` past it first (`cargo train bump minor` or `major`) \
             and cut then",
            cfg.main_branch,
            short(&at),
            cfg.main_branch
        );
    }

    // STEP 4, 5
    let mut plan = Plan::default();
    let at_main = Rev::at(&base, format!("{}/{}", cfg.remote, cfg.main_branch));
    // Both commits start from the cut point: its workspace is read once.
    let snap = read_at(repo, &at_main, opts)?;
    let bump = bump_main(repo, &snap.ctx, &mut plan, &at_main, &branch, &dev)?;
    let rc = candidate(repo, &snap.ctx, &mut plan, &at_main, &branch, &dev)?;
    let (next, rc_version) = (bump.next.clone(), rc.version.clone());

    // STEP 6
    let bump_commit = bump.change.commit.clone();
    let track = tracked_cut(&bump.change, &rc.change, &rc_version);
    deliver(
        &mut plan,
        repo.remote(),
        forge.reviews(),
        &[(at_main, branch.clone())],
        &[bump.change, rc.change],
    );
    if !forge.reviews() {
        plan.effects.push(Effect::FastForward {
            branch: cfg.main_branch.clone(),
            to: bump_commit,
        });
    }
    // STEP 7
    let open = super::tracking::new_body(repo, &snap.ctx, &version)?;
    super::tracking::add(
        repo,
        &mut plan,
        &version,
        super::tracking::Step {
            open: Some(open),
            ..track
        },
    )?;
    plan.then_say(
        "Cut",
        format!(
            "`{branch}` at {} for {rc_version}; `{}` moves to {next}",
            short(&base),
            cfg.main_branch
        ),
    );
    Ok(plan)
}

/// STEP 7: what a cut adds to its release's tracking issue: the cut
/// ticked, main's bump and the first candidate linked below it, and the
/// candidate's line.
fn tracked_cut(bump: &Change, rc: &Change, rc_version: &Version) -> super::tracking::Step {
    use crate::core::tracking::keys;
    super::tracking::Step::default()
        .tick(keys::CUT)
        .link(
            keys::CUT,
            &format!("- {{pr}}: `{}` to the next development version", bump.base),
            &bump.head,
            &bump.base,
        )
        .link(
            keys::CUT,
            &format!("- {{pr}}: the first candidate, {rc_version}"),
            &rc.head,
            &rc.base,
        )
        .candidate(rc_version, Some((&rc.head, &rc.base)), false)
}

/// STEP 1: a clean checkout of the main branch with nothing unpushed; the
/// remote fetched. Returns the cut point (`main` at the remote).
fn checks(repo: &Repo) -> Result<CommitId> {
    let cfg = &repo.config;
    repo.require_clean()?;
    let on = repo.git.current_branch()?;
    if on.as_deref() != Some(cfg.main_branch.as_str()) {
        // On `master` with the default `main-branch`: say which key to set.
        if repo.remote_branch(&cfg.main_branch)?.is_none() {
            return Err(repo.no_main());
        }
        bail!(
            "`cut` runs on `{}`, but `{}` is checked out",
            cfg.main_branch,
            on.as_deref().unwrap_or("a detached HEAD")
        );
    }
    repo.fetch()?;
    let base = repo.main_tip()?;
    let local = repo.git.resolve("HEAD")?.expect("on a branch with commits");
    if !repo.git.is_ancestor(&local, &base)? {
        bail!(
            "`{}` has commits that are not on `{}/{}`; push or drop them before cutting",
            cfg.main_branch,
            cfg.remote,
            cfg.main_branch
        );
    }
    Ok(base)
}

/// STEP 3: whether `branch` is to be cut now: it does not exist, and no
/// branch was cut this month (unless forced); a `--date` before the last
/// cut is an error.
fn due(repo: &Repo, cut: &CutOpts, base: &str, branch: &str) -> Result<bool> {
    if repo.remote_branch(branch)?.is_some() {
        say("Cut", &format!("nothing to do: `{branch}` already exists"));
        return Ok(false);
    }
    let last_cut = match repo.release_branches()?.pop() {
        Some(latest) => super::dates::cut_day(repo, &latest)?.map(|day| (latest.name, day)),
        None => None,
    };
    if !cut.force
        && let Some((name, day)) = &last_cut
        && (day.year(), day.month()) == (repo.today.year(), repo.today.month())
    {
        say(
            "Cut",
            &format!(
                "nothing to do: `{name}` was already cut this month ({day}); --force cuts another"
            ),
        );
        return Ok(false);
    }
    repo.require_date_after(base)?;
    if let Some((name, day)) = &last_cut
        && *day > repo.today
    {
        bail!(
            "--date {} is before the last cut (`{name}` on {day}); a cut dates its commits, so use \
             {day} or later",
            repo.today,
        );
    }
    Ok(true)
}

/// The workspace at an existing commit of the plan's base.
fn read_at(repo: &Repo, at: &Rev, opts: &Options) -> Result<snapshot::Snapshot> {
    let Rev::At { oid, .. } = at else {
        unreachable!("the cut's commits are made on existing commits")
    };
    snapshot::at(repo, oid, opts)
}

/// `X.Y.Z-rc.1` for the development version `dev` (read on `branch`).
fn first_candidate(dev: &Version, branch: &str) -> Result<Version> {
    try_bump(dev, &Level::Rc)
        .map_err(|e| anyhow::anyhow!("Cargo.toml on `{branch}`: version {dev}: {e}"))
}

/// A planned change and the version it leads to.
struct Planned {
    change: Change,
    version: Version,
    /// For main's bump: the new development version.
    next: Version,
}

/// STEP 4: main's bump to the next development line, on `at` (whose
/// workspace `ctx` is), with the notes rotated (the section of `dev`'s
/// release moves to `branch`).
fn bump_main(
    repo: &Repo,
    ctx: &Context,
    plan: &mut Plan,
    at: &Rev,
    branch: &str,
    dev: &Version,
) -> Result<Planned> {
    let cfg = &repo.config;
    let version = Version::new(dev.major, dev.minor, dev.patch);
    let mut next_plan = bump::compute(ctx, &cfg.cut_level.level())?;
    eprintln!("{}", bump::summary(&next_plan));
    let next = next_plan
        .workspace
        .as_ref()
        .map(|(_, n)| n.clone())
        .or_else(|| next_plan.moves.first().map(|(_, _, n)| n.clone()))
        .unwrap_or_else(|| dev.clone());
    let num = notes::heading(&next);
    notes::rotate(ctx, &mut next_plan.changes, &version, branch, &next)?;
    let title = format!("Bump {} to {num}", super::project_name(ctx));
    let hooks = bump::hooks(&next_plan, &cfg.after_bump, cfg.hook_timeout_secs);
    let rc = first_candidate(dev, &cfg.main_branch)?;
    let main = &cfg.main_branch;
    let body = format!(
        "The release branch `{branch}` was cut from `{main}` and this bumps `{main}` from {version} to {num}.\n\n\
         Merging it starts the next development line; it publishes nothing. The notes of {version} now \
         live on `{branch}`; edit them there. Fixes land on `{main}` first and are backported to `{branch}`.\n\n\
         A second pull request proposes {rc}, the first release candidate.\n"
    );
    let commit = plan.commit(NewCommit {
        base: at.clone(),
        changes: next_plan.changes,
        hooks,
        message: vec![title.clone()],
    });
    Ok(Planned {
        change: Change {
            commit,
            base: BranchName::new(main.as_str()),
            head: Review::NextLine(Version::parse(&num)?).branch(),
            title,
            body,
        },
        version,
        next,
    })
}

/// STEP 5: the first candidate of `branch`, on `at` (the cut point, or the
/// branch's tip when an earlier cut stopped before it), whose workspace
/// `ctx` is.
fn candidate(
    repo: &Repo,
    ctx: &Context,
    plan: &mut Plan,
    at: &Rev,
    branch: &str,
    dev: &Version,
) -> Result<Planned> {
    let cfg = &repo.config;
    let mut rc_plan = bump::compute(ctx, &Level::Rc)?;
    let rc = first_candidate(dev, &cfg.main_branch)?;
    let version = Version::new(dev.major, dev.minor, dev.patch);
    // The branch keeps the release's notes: drafted entries go there.
    if let Rev::At { oid, .. } = at {
        notes_draft::fill_section(
            repo,
            ctx,
            &mut rc_plan.changes,
            oid.as_str(),
            &notes::heading(&version),
        )?;
    }
    let release = ReleaseCommit {
        project: super::project_name(ctx),
        version: rc.clone(),
    };
    let title = release.title();
    let hooks = bump::hooks(&rc_plan, &cfg.after_bump, cfg.hook_timeout_secs);
    let commit = plan.commit(NewCommit {
        base: at.clone(),
        changes: rc_plan.changes,
        hooks,
        message: release.message(&Marker::of(cfg), None),
    });
    let body = format!(
        "Merging this makes {rc} a release candidate of {version}: the tag `{}` is created once CI \
         passes, the crates are published and a pre-release is made.\n",
        Names::of(cfg).tag(&rc)
    );
    Ok(Planned {
        change: Change {
            commit,
            base: BranchName::new(branch),
            head: Review::Candidate(rc.clone()).branch(),
            title,
            body,
        },
        version: rc,
        next: dev.clone(),
    })
}

/// What an earlier cut of a branch left undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Done,
    /// Its commit was never pushed.
    Commit,
    /// Its review branch is pushed, its pull request missing.
    PullRequest,
}

/// STEP 2: the plan that finishes the newest release branch's cut, if an
/// earlier run left part of it undone.
pub fn finish(repo: &Repo, opts: &Options) -> Result<Option<Plan>> {
    let cfg = &repo.config;
    let forge = repo.forge()?;
    let Some(latest) = repo.release_branches()?.pop() else {
        return Ok(None);
    };
    let main = repo.main_tip()?;
    let main_version = repo.version_at(&main)?;
    let branch_version = repo.version_at(&latest.oid)?;
    let bump = bump_part(repo, forge, &latest, &main_version)?;
    let rc = candidate_part(repo, forge, &latest, &branch_version)?;
    if (bump, rc) == (Part::Done, Part::Done) {
        return Ok(None);
    }
    let mut m = Missing::default();
    if bump != Part::Done {
        let at_main = Rev::at(&main, format!("{}/{}", cfg.remote, cfg.main_branch));
        let snap = read_at(repo, &at_main, opts)?;
        let into = m.plan_for(bump);
        let b = bump_main(repo, &snap.ctx, into, &at_main, &latest.name, &main_version)?;
        m.left
            .push(format!("`{}`'s bump to {}", cfg.main_branch, b.next));
        m.add(repo, bump, b.change, &main)?;
    }
    if rc != Part::Done {
        let at_branch = Rev::at(&latest.oid, format!("{}/{}", cfg.remote, latest.name));
        let snap = read_at(repo, &at_branch, opts)?;
        let into = m.plan_for(rc);
        let c = candidate(
            repo,
            &snap.ctx,
            into,
            &at_branch,
            &latest.name,
            &branch_version,
        )?;
        m.left.push(format!("its candidate {}", c.version));
        m.add(repo, rc, c.change, &latest.oid)?;
    }
    say(
        "Finishing",
        &format!(
            "the cut of `{}`: {} missing",
            latest.name,
            m.left.join(" and ")
        ),
    );
    let mut plan = m.plan;
    let bump_commit = m
        .changes
        .iter()
        .find(|c| c.base == cfg.main_branch)
        .map(|c| c.commit.clone());
    deliver(&mut plan, repo.remote(), forge.reviews(), &[], &m.changes);
    for r in &m.requests {
        reopen(&mut plan, r);
    }
    if let (false, Some(c)) = (forge.reviews(), bump_commit) {
        plan.add(Effect::FastForward {
            branch: cfg.main_branch.clone(),
            to: c,
        });
    }
    plan.then_say("Cut", format!("`{}` is complete", latest.name));
    Ok(Some(plan))
}

/// What finishing a cut gathers. A part whose review branch is pushed
/// needs only its pull request: its commit is planned aside, for the
/// request's text.
#[derive(Default)]
struct Missing {
    plan: Plan,
    aside: Plan,
    /// Commits to make and deliver.
    changes: Vec<Change>,
    /// Pull requests of review branches pushed already.
    requests: Vec<Change>,
    /// What is missing, for the status line.
    left: Vec<String>,
}

impl Missing {
    /// Where a part's commit is planned.
    fn plan_for(&mut self, part: Part) -> &mut Plan {
        if part == Part::Commit {
            &mut self.plan
        } else {
            &mut self.aside
        }
    }

    /// A part's change, made on `on` (whose date it must not precede) or
    /// only requested.
    fn add(&mut self, repo: &Repo, part: Part, change: Change, on: &str) -> Result<()> {
        if part == Part::Commit {
            repo.require_date_after(on)?;
            self.changes.push(change);
        } else {
            self.requests.push(change);
        }
        Ok(())
    }
}

/// Whether main moved past `latest`'s development line (or its bump waits
/// for review).
fn bump_part(
    repo: &Repo,
    forge: &dyn Forge,
    latest: &ReleaseBranch,
    main_version: &Version,
) -> Result<Part> {
    let line = Version::new(main_version.major, main_version.minor, main_version.patch);
    if line != latest.version {
        return Ok(Part::Done);
    }
    if !forge.reviews() {
        return Ok(Part::Commit);
    }
    let next = try_bump(main_version, &repo.config.cut_level.level())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let head = Review::NextLine(Version::new(next.major, next.minor, next.patch)).branch();
    Ok(
        match pending(repo, forge, &head, &repo.config.main_branch)? {
            Pending::Waiting => Part::Done,
            Pending::NoPullRequest => Part::PullRequest,
            Pending::No => Part::Commit,
        },
    )
}

/// Whether `latest` has its first candidate (on the branch, or waiting for
/// review). A branch whose version is not a development version (made by
/// hand, released) is left alone.
fn candidate_part(
    repo: &Repo,
    forge: &dyn Forge,
    latest: &ReleaseBranch,
    version: &Version,
) -> Result<Part> {
    let development = !version.pre.is_empty() && !version.pre.as_str().starts_with("rc.");
    if !development {
        return Ok(Part::Done);
    }
    if forge.reviews() {
        let rc = first_candidate(version, &latest.name)?;
        let head = Review::Candidate(rc).branch();
        match pending(repo, forge, &head, &latest.name)? {
            Pending::Waiting => return Ok(Part::Done),
            Pending::NoPullRequest => return Ok(Part::PullRequest),
            Pending::No => {}
        }
    }
    let main = repo.remote_branch(&repo.config.main_branch)?;
    let released = repo.git.day_of_commit_mentioning_since(
        &latest.oid,
        main.as_deref(),
        Marker::of(&repo.config).text(),
    )?;
    Ok(if released.is_some() {
        Part::Done
    } else {
        Part::Commit
    })
}
