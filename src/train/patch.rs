//! `cargo train patch --branch B`: a patch release of a release branch.
//!
//! STEP 1: checks, fetch. STEP 2: nothing to do unless something landed
//! since the branch's last release commit.
//! STEP 3: bump the patch, open (if missing) and date the notes section,
//! commit "Release P X.Y.Z" with the marker, deliver (`ci/bump-to-X.Y.Z`).

use crate::core::refs::{Names, Review};
use crate::core::version::Level;
use crate::exec::Executor;
use crate::train::on_branch::{Commit, release_commit, target};
use crate::train::repo::Repo;
use crate::train::{Options, notes};
use anyhow::Result;

pub fn run(repo: &Repo, opts: &Options, branch: Option<&str>, exec: &Executor) -> Result<()> {
    let t = target(repo, branch, exec)?;
    if repo.tip_is_release(&t.base)? {
        crate::output::say(
            "Patch",
            &format!(
                "nothing to do: nothing landed on `{}` since {}; backport fixes first",
                t.branch, t.version
            ),
        );
        return Ok(());
    }
    let date = repo.today.to_string();
    let names = Names::of(&repo.config);
    let Some(v) = release_commit(
        repo,
        opts,
        exec,
        &t,
        &Commit {
            level: Level::Patch,
            word: "Patch",
            notes: &|ctx, ch, v| notes::date_release(ctx, ch, v, &date, true),
            head: &|v| Review::Bump(v.clone()).branch(),
            body: &|v| {
                format!(
                    "A patch release, {v}, of `{}`.\n\nCheck that its notes list every backported change and that \
                     no public crate breaks its API, then merge: the tag `{}` is created once CI passes and \
                     the crates are published.\n",
                    t.branch,
                    names.tag(v)
                )
            },
        },
    )?
    else {
        return Ok(());
    };
    crate::output::say("Patch", &format!("{v} on `{}`", t.branch));
    Ok(())
}
