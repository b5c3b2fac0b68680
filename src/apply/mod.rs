//! Carries out a [`Plan`], the one place side effects happen: each effect
//! in order through the [`Executor`], then the plan's `finally` effects
//! whatever happened. A dry run prints the plan instead ([`run`]), so it
//! cannot miss a side effect. A signal stops the run between effects; a
//! failure or a stop names what is left, and running the same command
//! again finishes it (operations plan only what is missing).

mod artifacts;
mod executor;
mod files;
mod forge;
mod git;
mod issue;
mod publish;
mod tokens;
mod yank;

pub use executor::Executor;

use crate::core::refs::CommitId;
use crate::plan::{Effect, Plan, Rev};
use crate::signals;
use anyhow::{Result, bail};

/// Prints `plan` (`dry_run`) or carries it out, then says what was done.
pub fn run(plan: &Plan, exec: &Executor, dry_run: bool) -> Result<()> {
    if dry_run {
        crate::out!("{}", plan.render());
        return Ok(());
    }
    apply(plan, exec)?;
    for s in &plan.done {
        crate::output::say(&s.word, &s.what);
    }
    Ok(())
}

/// What carrying out a plan has done so far.
#[derive(Default)]
struct Progress {
    /// The commits made, in order (what `Rev::Made` names).
    made: Vec<CommitId>,
    /// Something reached the remote (a push or a tag).
    pushed: bool,
    /// Pull requests that could not be opened.
    failed_prs: Vec<String>,
}

/// Carries out `plan`; returns the commits it made, in order.
pub fn apply(plan: &Plan, exec: &Executor) -> Result<Vec<CommitId>> {
    let mut done = Progress::default();
    let result = effects(plan, exec, &mut done);
    for e in &plan.finally {
        // Cleanup is said, never raised: the first failure is the one to
        // report, and what is cleaned up expires or can be redone.
        if let Err(err) = exec.carry_out(plan, e, &mut done) {
            crate::output::say("Warning", &format!("{err:#}"));
        }
    }
    result?;
    if !done.failed_prs.is_empty() {
        bail!(
            "the push went through, but these pull requests could not be opened: {}; run the same \
             command again to open them",
            done.failed_prs.join("; ")
        );
    }
    Ok(done.made)
}

fn effects(plan: &Plan, exec: &Executor, done: &mut Progress) -> Result<()> {
    for (i, effect) in plan.effects.iter().enumerate() {
        signals::check(|| {
            format!(
                "before the {}; {}",
                plan.describe(effect),
                left_from(plan, i, done.pushed)
            )
        })?;
        if let Err(e) = exec.carry_out(plan, effect, done) {
            return Err(match context(plan, i, done.pushed) {
                Some(c) => e.context(c),
                None => e,
            });
        }
    }
    Ok(())
}

/// What a failure of effect `i` adds to its error: what is left undone.
/// A plan of one effect that is not about the repository leaves nothing
/// beside it, and its error says what to do.
fn context(plan: &Plan, i: usize, pushed: bool) -> Option<String> {
    (touches_the_repository(plan) || plan.effects.len() > 1).then(|| left_from(plan, i, pushed))
}

fn touches_the_repository(plan: &Plan) -> bool {
    plan.effects.iter().any(|e| {
        matches!(
            e,
            Effect::Commit(_)
                | Effect::Pick(_)
                | Effect::Push { .. }
                | Effect::PullRequest(_)
                | Effect::FastForward { .. }
                | Effect::Tag { .. }
        )
    })
}

/// What is left from effect `i` on, for an error or a stop.
fn left_from(plan: &Plan, i: usize, pushed: bool) -> String {
    let left: Vec<String> = plan.effects[i..].iter().map(|e| plan.describe(e)).collect();
    let left = format!(
        "left undone: {}; run the same command again to finish",
        left.join("; ")
    );
    if !touches_the_repository(plan) {
        return left;
    }
    let state = if pushed {
        "the push went through"
    } else {
        "nothing was pushed"
    };
    format!("{state}; {left}")
}

/// The commit `r` names, once made.
fn resolve(r: &Rev, made: &[CommitId]) -> CommitId {
    match r {
        Rev::At { oid, .. } => oid.clone(),
        Rev::Made(n) => made[*n].clone(),
    }
}
