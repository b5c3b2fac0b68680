//! The advisory gate (`[advisories] gate = true`): no branch is released
//! or patched while its Cargo.lock locks a crates.io dependency that an
//! advisory of the RustSec database affects and no `[advisories] ignore`
//! entry (with its reason) lets through. The database is fetched (or the
//! local clone read) once per run, its age said; a copy that may be out
//! of date is warned about, and no database at all is an error, never a
//! pass. See [`crate::train::advisories`].

use super::{Gate, Subject, Verdict};
use crate::train::Options;
use crate::train::advisories::{self, BranchAdvisories};
use crate::train::repo::Repo;
use anyhow::Result;

pub struct Advisories;

impl Gate for Advisories {
    fn name(&self) -> &'static str {
        "advisories"
    }

    /// Every branch is checked against one database, so one run names
    /// every affected dependency of every branch.
    fn check(&self, repo: &Repo, _: &Options, subjects: &[Subject]) -> Result<Verdict> {
        if !repo.config.advisories.gate {
            return Ok(Verdict::Pass);
        }
        let db = advisories::load(repo)?;
        let index = db.index();
        let mut checked = Vec::new();
        for s in subjects {
            checked.push(advisories::at(repo, &index, &s.branch, s.tip.as_str())?);
        }
        Ok(verdict(&checked))
    }
}

/// The gate's verdict on `checked`, saying what passed.
fn verdict(checked: &[BranchAdvisories]) -> Verdict {
    let mut found = Vec::new();
    for b in checked {
        let blocking: Vec<_> = b.blocking().collect();
        if !blocking.is_empty() {
            found.extend(blocking.into_iter().map(|f| (b.branch.as_str(), f)));
            continue;
        }
        let what = if b.lock {
            format!(
                "no unpatched advisory in its {} crates.io dependencies",
                b.dependencies
            )
        } else {
            "no Cargo.lock, no dependency to check".to_string()
        };
        crate::output::say("Advisories", &format!("`{}`: {what}", b.branch));
    }
    if found.is_empty() {
        return Verdict::Pass;
    }
    let lines: Vec<String> = found
        .iter()
        .map(|(branch, f)| format!("  {branch}: {f}"))
        .collect();
    Verdict::Block(format!(
        "refused: security advisories (RustSec) affect dependencies these branches ship in \
         their Cargo.lock:\n{}\n{}",
        lines.join("\n"),
        advisories::what_to_do(&found)
    ))
}
