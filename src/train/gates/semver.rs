//! The semver gate: no public crate breaks its API in a patch release
//! (cargo-semver-checks against the branch's last release tag, results
//! cached; see [`crate::train::semver`]). A dry run checks too: it only
//! reads, and fills the cache.

use super::{Gate, Subject, Verdict};
use crate::train::Options;
use crate::train::repo::Repo;
use anyhow::Result;

pub struct Semver;

impl Gate for Semver {
    fn name(&self) -> &'static str {
        "semver"
    }

    /// Every branch is checked, so one run names every break.
    fn check(&self, repo: &Repo, opts: &Options, subjects: &[Subject]) -> Result<Verdict> {
        let mut errors = Vec::new();
        for s in subjects {
            let report = crate::train::semver::check(repo, opts, &s.branch, &s.tip)?;
            if let Err(e) = report.require_no_break() {
                errors.push(format!("{e:#}"));
            }
        }
        if errors.is_empty() {
            return Ok(Verdict::Pass);
        }
        Ok(Verdict::Block(format!(
            "not patching:\n{}",
            errors.join("\n")
        )))
    }
}
