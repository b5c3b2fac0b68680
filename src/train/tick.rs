//! `cargo train tick`: do what the schedule says is due today (a release
//! of the newest branch first, then a cut), after finishing a cut an
//! earlier run left half-done.

use crate::core::schedule::Action;
use crate::exec::Executor;
use crate::train::repo::Repo;
use crate::train::{Options, cut, release, status};
use anyhow::Result;

pub fn run(repo: &Repo, opts: &Options, exec: &Executor) -> Result<()> {
    repo.fetch(exec)?;
    // A cut an earlier run left half-done is finished first: the schedule
    // counts the branch as cut.
    let forge = crate::adapters::forge::open(&repo.config, &repo.git)?;
    if cut::finish(repo, opts, forge.as_ref(), exec)? {
        return Ok(());
    }
    let decision = status::decide(repo)?;
    if decision.due.is_empty() {
        eprint!("{}", status::render_due(repo, &decision));
        return Ok(());
    }
    for (action, why) in &decision.due {
        crate::output::say("Due", why);
        match action {
            Action::Release => release::run(repo, opts, None, exec)?,
            Action::Cut => cut::run(repo, opts, &cut::CutOpts { force: false }, exec)?,
        }
    }
    Ok(())
}
