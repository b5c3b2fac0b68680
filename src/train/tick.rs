//! `cargo train tick`: do what the schedule says is due today (a release
//! of the newest branch first, then a cut), after finishing a cut an
//! earlier run left half-done.

use crate::core::schedule::Action;
use crate::plan::Plan;
use crate::train::repo::Repo;
use crate::train::{Options, cut, release, status};
use anyhow::Result;

pub fn plan(repo: &Repo, opts: &Options) -> Result<Plan> {
    repo.fetch()?;
    // A cut an earlier run left half-done is finished first: the schedule
    // counts the branch as cut.
    if let Some(plan) = cut::finish(repo, opts)? {
        return Ok(plan);
    }
    let decision = status::decide(repo)?;
    if decision.due.is_empty() {
        eprint!("{}", status::Due::new(repo.today, &decision));
        return Ok(Plan::default());
    }
    let mut plan = Plan::default();
    for (action, why) in &decision.due {
        crate::output::say("Due", why);
        plan.append(match action {
            Action::Release => release::plan(repo, opts, None)?,
            Action::Cut => cut::plan(repo, opts, &cut::CutOpts { force: false })?,
        });
    }
    Ok(plan)
}
