//! `cargo train release [--branch B | --latest]`: the final release.
//!
//! STEP 1: the branch (by default the newest release branch), checks, fetch.
//! STEP 2: nothing to do if it is released or its release waits for review.
//! STEP 3: the gates (the advisory gate: no dependency the branch locks has
//! an unpatched security advisory; see [`super::gates`]).
//! STEP 4: drop the candidate suffix, date the notes ("Released
//! YYYY-MM-DD"; with `notes.draft`, entries drafted from history added), commit "Release P X.Y.Z" with the marker (even when no file
//! changed), deliver (`ci/release-X.Y.Z` → the branch).
//! STEP 5: the release's tracking issue: the candidates and the fuzzing
//! period ticked, the release pull request linked.

use crate::core::refs::{Names, Review};
use crate::core::tracking::keys;
use crate::core::version::Level;
use crate::plan::Plan;
use crate::train::gates::{self, Subject};
use crate::train::on_branch::{Commit, release_commit, target};
use crate::train::repo::Repo;
use crate::train::{Options, notes, tracking};
use anyhow::{Context as _, Result};

pub fn plan(repo: &Repo, opts: &Options, branch: Option<&str>) -> Result<Plan> {
    let branch = match branch {
        Some(b) => b.to_string(),
        None => {
            // Refuse before the fetch, so that a refusal changes nothing.
            repo.require_clean()?;
            repo.fetch()?;
            repo.release_branches()?
                .pop()
                .context("there is no release branch to release")?
                .name
                .to_string()
        }
    };
    let t = target(repo, Some(&branch))?;
    let final_version = semver::Version::new(t.version.major, t.version.minor, t.version.patch);
    let names = Names::of(&repo.config);
    let tagged = repo.tag(&names.tag(&t.version))?.is_some();
    if t.version.pre.is_empty() && (tagged || repo.tip_is_release(&t.base)?) {
        crate::output::say(
            "Release",
            &format!(
                "nothing to do: `{branch}` is released ({}); changes since go out with `patch`",
                t.version
            ),
        );
        return Ok(Plan::default());
    }
    gates::require(
        &gates::for_release(),
        repo,
        opts,
        &[Subject {
            branch: t.branch.clone(),
            tip: t.base.clone(),
        }],
    )?;
    let head = Review::Release(final_version.clone()).branch();
    let date = repo.today.to_string();
    let mut plan = release_commit(
        repo,
        opts,
        &t,
        &Commit {
            level: Level::DropRc,
            word: "Release",
            notes: &|ctx, ch, v| {
                notes::date_release(ctx, ch, v, &date, false)?;
                super::notes_draft::fill_section(repo, ctx, ch, t.base.as_str(), &notes::heading(v))
            },
            head: &|_| head.clone(),
            body: &|v| {
                format!(
                    "Time to release {v}: `{branch}` was cut for it and has had its candidates.\n\n\
                     Check the release notes and that no known issue (security advisories included) is open, \
                     then merge: the tag `{}` is created once CI passes, the crates are published, \
                     the release is made and the candidates of {v} are yanked.\n",
                    names.tag(v)
                )
            },
            trailer: None,
        },
    )?;
    // STEP 5
    let step = tracking::Step::default()
        .tick(keys::CANDIDATES)
        .tick(keys::FUZZING)
        .link(keys::RELEASE_PR, "- {pr}", head.as_str(), t.branch.as_str());
    tracking::add(repo, &mut plan, &final_version, step)?;
    Ok(plan)
}
