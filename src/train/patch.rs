//! `cargo train patch --branch B`: a patch release of a release branch;
//! `cargo train patch --supported`: a patch set, the patch releases of every
//! supported branch with unreleased changes, in one atomic push.
//!
//! STEP 1: checks, fetch. STEP 2: nothing to do unless something landed
//! since the branch's last release commit. STEP 3: the gates: the branch is
//! not in its freeze (unless `--allow-in-freeze` gives a reason, which the
//! release commit carries), every commit since the last release tag is `main`'s
//! (the audit), no dependency the branch locks has an unpatched security
//! advisory (the advisory gate, with `[advisories] gate = true`), and no
//! public crate breaks its API since that tag (the semver gate).
//! STEP 4: bump the patch, open (if missing) and date the notes section
//! (with `notes.draft`, filled from the history since the last release),
//! commit "Release P X.Y.Z" with the marker, deliver (`ci/bump-to-X.Y.Z`).
//! A set's release commits also carry a `Patch-set:` trailer naming every
//! member, so that `tag` holds each tag until the whole set can be tagged.

use crate::adapters::forge;
use crate::core::changeset::ChangeSet;
use crate::core::patch_set::PatchSet;
use crate::core::refs::{Names, Review, short};
use crate::core::version::Level;
use crate::output::say;
use crate::plan::Plan;
use crate::train::deliver::{Pending, deliver, pending, reopen};
use crate::train::gates::freeze::{self, Frozen};
use crate::train::gates::{self, Allow, Subject};
use crate::train::on_branch::{
    Commit, Target, fetched, plan_release, pushed_change, release_commit, target,
};
use crate::train::repo::Repo;
use crate::train::{Context, Options, notes};
use anyhow::{Result, bail};
use semver::Version;

pub fn plan(repo: &Repo, opts: &Options, branch: Option<&str>, allow: &Allow) -> Result<Plan> {
    let t = target(repo, branch)?;
    if nothing_landed(repo, &t)? {
        return Ok(Plan::default());
    }
    // A version that cannot be bumped is the first thing to say.
    t.next(&Level::Patch)?;
    let frozen = require_gates(repo, opts, &[&t], allow)?;
    let date = repo.today.to_string();
    let names = Names::of(&repo.config);
    let body = |v: &Version| body(&names, &t.branch, v, None);
    let trailer = exception(frozen.as_ref(), &t, allow);
    release_commit(
        repo,
        opts,
        &t,
        &commit(&dated(repo, t.base.as_str(), &date), &body, trailer),
    )
}

/// The freeze exception's trailer, for a commit onto `t` in its freeze.
fn exception(frozen: Option<&Frozen>, t: &Target, allow: &Allow) -> Option<String> {
    freeze::trailer_for(frozen, &t.branch, allow.in_freeze.as_deref())
}

/// Says so when nothing landed on `t` since its last release commit.
fn nothing_landed(repo: &Repo, t: &Target) -> Result<bool> {
    let none = repo.tip_is_release(&t.base)?;
    if none {
        say(
            "Patch",
            &format!(
                "nothing to do: nothing landed on `{}` since {}; backport fixes first",
                t.branch, t.version
            ),
        );
    }
    Ok(none)
}

type Notes<'a> = dyn Fn(&Context, &mut ChangeSet, &Version) -> Result<()> + 'a;

/// The notes edit of a patch: its section opened if missing, and dated;
/// with `notes.draft`, filled from the history since the last release
/// before `tip`.
fn dated<'a>(
    repo: &'a Repo,
    tip: &'a str,
    date: &'a str,
) -> impl Fn(&Context, &mut ChangeSet, &Version) -> Result<()> + 'a {
    move |ctx, ch, v| {
        notes::date_release(ctx, ch, v, date, true)?;
        super::notes_draft::fill_section(repo, ctx, ch, tip, &notes::heading(v))
    }
}

fn commit<'a>(
    notes: &'a Notes<'a>,
    body: &'a dyn Fn(&Version) -> String,
    trailer: Option<String>,
) -> Commit<'a> {
    Commit {
        level: Level::Patch,
        word: "Patch",
        notes,
        head: &|v| Review::Patch(v.clone()).branch(),
        body,
        trailer,
    }
}

fn body(names: &Names, branch: &str, v: &Version, set: Option<&PatchSet>) -> String {
    let mut s = format!(
        "A patch release, {v}, of `{branch}`.\n\nCheck that its notes list every backported change and that \
         no public crate breaks its API, then merge: the tag `{}` is created once CI passes and \
         the crates are published.\n",
        names.tag(v)
    );
    if let Some(set) = set {
        s.push_str(&format!(
            "\nPart of the patch set {}: none of them is tagged until every one is merged and its CI passed.\n",
            set.describe(names)
        ));
    }
    s
}

/// STEP 3: the patch gates (freeze, audit, advisories, semver: see [`super::gates`])
/// over every branch, before anything is planned. With a freeze exception:
/// the branch in its freeze, whose commit records it.
fn require_gates(
    repo: &Repo,
    opts: &Options,
    branches: &[&Target],
    allow: &Allow,
) -> Result<Option<Frozen>> {
    let subjects: Vec<Subject> = branches
        .iter()
        .map(|t| Subject {
            branch: t.branch.clone(),
            tip: t.base.clone(),
        })
        .collect();
    gates::require(&gates::for_patch(allow), repo, opts, &subjects)?;
    freeze::excepted(repo, &subjects, allow.in_freeze.as_deref())
}

/// `patch --supported`.
pub fn plan_supported(repo: &Repo, opts: &Options, allow: &Allow) -> Result<Plan> {
    repo.require_clean()?;
    repo.fetch()?;
    let names = repo.names();
    let mut members: Vec<(Target, Version)> = Vec::new();
    let supported = super::timetable::supported(repo)?;
    if supported.is_empty() {
        say(
            "Patch",
            &format!(
                "nothing to do: no release branch is supported on {} (support counts from a \
                 line's release tag, `{}`; `cargo train timetable` shows each line's dates)",
                repo.today,
                repo.names()
                    .tag(&Version::new(1, 0, 0))
                    .replace("1.0.0", "X.Y.0")
            ),
        );
        return Ok(Plan::default());
    }
    for branch in supported {
        let t = fetched(repo, &branch)?;
        if !nothing_landed(repo, &t)? {
            let new = t.next(&Level::Patch)?;
            members.push((t, new));
        }
    }
    if members.is_empty() {
        say(
            "Patch",
            "nothing to do: no supported branch has unreleased changes",
        );
        return Ok(Plan::default());
    }
    let targets: Vec<&Target> = members.iter().map(|(t, _)| t).collect();
    let frozen = require_gates(repo, opts, &targets, allow)?;
    let forge = repo.forge()?;
    let date = repo.today.to_string();
    if forge.reviews()
        && let Some(plan) = finish_in_flight(repo, opts, forge, &members, &date)?
    {
        return Ok(plan);
    }
    let set = PatchSet::new(members.iter().map(|(_, v)| v.clone()).collect());
    let trailer = set.trailer(&names);
    let mut plan = Plan::default();
    let mut changes = Vec::new();
    for (t, _) in &members {
        let body = |v: &Version| body(&names, &t.branch, v, Some(&set));
        let own = exception(frozen.as_ref(), t, allow);
        let change = plan_release(
            repo,
            opts,
            t,
            &commit(&dated(repo, t.base.as_str(), &date), &body, own),
            Some(&trailer),
            &mut plan,
        )?;
        changes.push(change);
    }
    deliver(&mut plan, repo.remote(), forge.reviews(), &[], &changes);
    plan.then_say("Patch set", set.describe(&names));
    Ok(plan)
}

/// A set an earlier run pushed for review: the plan that opens the pull
/// requests it lacks; no new set is made while one waits (its members
/// would be tagged apart). `None`: none is in flight.
fn finish_in_flight(
    repo: &Repo,
    opts: &Options,
    forge: &dyn forge::Forge,
    members: &[(Target, Version)],
    date: &str,
) -> Result<Option<Plan>> {
    let names = repo.names();
    let mut waiting = Vec::new();
    let mut plan = Plan::default();
    for (t, new) in members {
        let head = Review::Patch(new.clone()).branch();
        match pending(repo, forge, &head, &t.branch)? {
            Pending::No => continue,
            Pending::Waiting => say("Patch", &format!("{head} is waiting for review")),
            Pending::NoPullRequest => {
                say(
                    "Patch",
                    &format!("{head} is pushed without its pull request: opening it"),
                );
                let set = in_flight_set(repo, &head)?;
                let body = |v: &Version| body(&names, &t.branch, v, set.as_ref());
                let notes = dated(repo, t.base.as_str(), date);
                reopen(
                    &mut plan,
                    &pushed_change(repo, opts, t, &commit(&notes, &body, None), new)?,
                );
            }
        }
        waiting.push(t.branch.as_str());
    }
    if waiting.is_empty() {
        return Ok(None);
    }
    if waiting.len() < members.len() {
        let others: Vec<&str> = members
            .iter()
            .map(|(t, _)| t.branch.as_str())
            .filter(|b| !waiting.contains(b))
            .collect();
        say(
            "Patch",
            &format!(
                "not patching {} now: a patch set for {} is in review; run this again once it is merged",
                others.join(", "),
                waiting.join(", ")
            ),
        );
    }
    Ok(Some(plan))
}

/// The set the pushed review branch `head` names, if it names one.
fn in_flight_set(repo: &Repo, head: &str) -> Result<Option<PatchSet>> {
    let Some(oid) = repo.remote_branch(head)? else {
        return Ok(None);
    };
    let message = repo.git.message(&oid)?;
    match PatchSet::parse(&message, &repo.names()) {
        None => Ok(None),
        Some(Ok(set)) => Ok(Some(set)),
        Some(Err(e)) => bail!("{head} at {}: {e}", short(&oid)),
    }
}
