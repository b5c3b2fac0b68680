//! The freeze gate: in the `freeze-days` before the newest release
//! branch's release day, nothing but its release goes onto it (see
//! [`crate::core::schedule::freeze_of`]).

use super::{Gate, Subject, Verdict};
use crate::core::schedule;
use crate::train::Options;
use crate::train::repo::Repo;
use anyhow::Result;

pub struct Freeze;

impl Gate for Freeze {
    fn name(&self) -> &'static str {
        "freeze"
    }

    fn check(&self, repo: &Repo, _: &Options, subjects: &[Subject]) -> Result<Verdict> {
        if repo.config.freeze_days == 0 {
            return Ok(Verdict::Pass);
        }
        // Only the newest branch is released next: older ones are released.
        let (train, latest) = crate::train::status::train(repo)?;
        let (Some(b), Some(state)) = (&train.latest, latest) else {
            return Ok(Verdict::Pass);
        };
        let name = &state.branch.name;
        if !subjects.iter().any(|s| &s.branch == name) {
            return Ok(Verdict::Pass);
        }
        let Some((from, release)) = schedule::freeze_of(b, repo.today, &repo.config) else {
            return Ok(Verdict::Pass);
        };
        Ok(Verdict::Block(format!(
            "`{name}` is in its freeze from {from} until its release on {release} \
             (`freeze-days = {}`): nothing but the release goes onto it now; land the change \
             after the release (then as a patch), or lower `freeze-days`",
            repo.config.freeze_days
        )))
    }
}
