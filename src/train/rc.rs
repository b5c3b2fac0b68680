//! `cargo train rc [--branch B]`: the next release candidate of a branch.
//!
//! STEP 1: checks, fetch. STEP 2: nothing to do if the newest commit is
//! already a release commit or the candidate waits for review.
//! STEP 3: bump to the next `-rc.N`, commit "Release P X.Y.Z-rc.N" with
//! the marker, deliver (`ci/rc-…` → the branch).

use crate::core::version::Level;
use crate::exec::Executor;
use crate::train::Options;
use crate::train::on_branch::{Commit, pending, release_commit, target};
use crate::train::repo::Repo;
use anyhow::Result;

pub fn run(repo: &Repo, opts: &Options, branch: Option<&str>, exec: &Executor) -> Result<()> {
    let t = target(repo, branch, exec)?;
    let next = t.next(&Level::Rc)?;
    if repo.tip_is_release(&t.base)? {
        eprintln!(
            "{:>12} nothing to do: nothing landed on `{}` since {}",
            "Candidate", t.branch, t.version
        );
        return Ok(());
    }
    if pending(repo, &format!("ci/rc-{next}"))? {
        eprintln!(
            "{:>12} nothing to do: ci/rc-{next} is waiting for review",
            "Candidate"
        );
        return Ok(());
    }
    let tag = repo.config.tag_prefix.clone();
    let v = release_commit(
        repo,
        opts,
        exec,
        &t,
        &Commit {
            level: Level::Rc,
            notes: &|_, _, _| Ok(()),
            head: &|v| format!("ci/rc-{v}"),
            body: &|v| {
                format!(
                    "Merging this makes {v} a new release candidate: the tag `{tag}{v}` is created once CI passes, \
                     the crates are published and the previous candidate is yanked.\n"
                )
            },
        },
    )?;
    eprintln!("{:>12} {v} on `{}`", "Candidate", t.branch);
    Ok(())
}
