//! `cargo train rc [--branch B]`: the next release candidate of a branch.
//!
//! STEP 1: checks, fetch. STEP 2: nothing to do if the newest commit is
//! already a release commit or the candidate waits for review.
//! STEP 3: bump to the next `-rc.N`, commit "Release P X.Y.Z-rc.N" with
//! the marker, deliver (`ci/rc-…` → the branch).
//! STEP 4: the candidate's line in the release's tracking issue, with its
//! pull request.

use crate::core::refs::{Names, Review};
use crate::core::version::Level;
use crate::plan::Plan;
use crate::train::on_branch::{Commit, release_commit, target};
use crate::train::repo::Repo;
use crate::train::{Options, tracking};
use anyhow::Result;

pub fn plan(repo: &Repo, opts: &Options, branch: Option<&str>) -> Result<Plan> {
    let t = target(repo, branch)?;
    if repo.tip_is_release(&t.base)? {
        crate::output::say(
            "Candidate",
            &format!(
                "nothing to do: nothing landed on `{}` since {}",
                t.branch, t.version
            ),
        );
        return Ok(Plan::default());
    }
    let names = Names::of(&repo.config);
    let mut plan = release_commit(
        repo,
        opts,
        &t,
        &Commit {
            level: Level::Rc,
            word: "Candidate",
            notes: &|_, _, _| Ok(()),
            head: &|v| Review::Candidate(v.clone()).branch(),
            body: &|v| {
                format!(
                    "Merging this makes {v} a new release candidate: the tag `{}` is created once CI passes, \
                     the crates are published and the previous candidate is yanked.\n",
                    names.tag(v)
                )
            },
            trailer: None,
        },
    )?;
    // STEP 4
    let rc = t.next(&Level::Rc)?;
    let head = tracking::candidate_head(&rc);
    let step = tracking::Step::default().candidate(&rc, Some((&head, &t.branch)), false);
    tracking::add(repo, &mut plan, &tracking::release_of(&rc), step)?;
    Ok(plan)
}
