//! The freeze gate: in the `freeze-days` before the newest release
//! branch's release day, nothing but its release goes onto it (see
//! [`crate::core::schedule::freeze_of`]), unless the command is given a
//! reason (`--allow-in-freeze REASON`), which the commits it makes on that
//! branch carry as a trailer ([`TRAILER`]).

use super::{Gate, Subject, Verdict};
use crate::core::refs::BranchName;
use crate::core::schedule;
use crate::output::say;
use crate::train::Options;
use crate::train::repo::Repo;
use anyhow::Result;
use jiff::civil::Date;

/// The trailer that records why a change went onto a branch in its freeze.
pub const TRAILER: &str = "Freeze-exception";

pub struct Freeze {
    /// `--allow-in-freeze`: why the change goes in anyway.
    pub exception: Option<String>,
}

/// The subject in its freeze today, with the freeze's first day and the
/// release day that ends it.
pub struct Frozen {
    pub branch: BranchName,
    pub from: Date,
    pub release: Date,
}

/// Which of `subjects` is in its freeze today, if one is. Only the newest
/// branch can be: older ones are released.
pub fn frozen(repo: &Repo, subjects: &[Subject]) -> Result<Option<Frozen>> {
    if repo.config.freeze_days == 0 {
        return Ok(None);
    }
    let (train, latest) = crate::train::status::train(repo)?;
    let (Some(b), Some(state)) = (&train.latest, latest) else {
        return Ok(None);
    };
    let name = state.branch.name;
    if !subjects.iter().any(|s| s.branch == name) {
        return Ok(None);
    }
    Ok(
        schedule::freeze_of(b, repo.today, &repo.config).map(|(from, release)| Frozen {
            branch: name,
            from,
            release,
        }),
    )
}

/// With `--allow-in-freeze REASON` (`reason`), after the gates passed: the
/// subject in its freeze, whose commits carry the trailer. When none is,
/// says so: the flag was not needed and no trailer is written.
pub fn excepted(repo: &Repo, subjects: &[Subject], reason: Option<&str>) -> Result<Option<Frozen>> {
    if reason.is_none() {
        return Ok(None);
    }
    let frozen = frozen(repo, subjects)?;
    if frozen.is_none() {
        say(
            "Freeze",
            "no branch changed is in its freeze: --allow-in-freeze is not needed, and no \
             trailer is added",
        );
    }
    Ok(frozen)
}

/// The trailer line the commits onto `branch` carry, when `frozen` is that
/// branch and the command was given a reason.
pub fn trailer_for(frozen: Option<&Frozen>, branch: &str, reason: Option<&str>) -> Option<String> {
    match (frozen, reason) {
        (Some(f), Some(why)) if f.branch.as_str() == branch => Some(format!("{TRAILER}: {why}")),
        _ => None,
    }
}

impl Gate for Freeze {
    fn name(&self) -> &'static str {
        "freeze"
    }

    fn check(&self, repo: &Repo, _: &Options, subjects: &[Subject]) -> Result<Verdict> {
        let Some(f) = frozen(repo, subjects)? else {
            return Ok(Verdict::Pass);
        };
        let window = format!(
            "`{}` is in its freeze from {} until its release on {} (`freeze-days = {}`)",
            f.branch, f.from, f.release, repo.config.freeze_days
        );
        if let Some(why) = &self.exception {
            say(
                "Freeze",
                &format!("{window}: allowed ({why}), recorded as `{TRAILER}: {why}`"),
            );
            return Ok(Verdict::Pass);
        }
        Ok(Verdict::Block(format!(
            "{window}: nothing but the release goes onto it now; land the change after the \
             release (then as a patch), give the reason it cannot wait with \
             --allow-in-freeze \"REASON\" (kept in a `{TRAILER}:` trailer), or lower `freeze-days`"
        )))
    }
}
