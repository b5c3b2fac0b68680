//! The audit gate: every commit a patch would release (since the branch's
//! last release tag) is one of `main`'s, or marked branch-only; see
//! [`crate::train::audit`].

use super::{Gate, Subject, Verdict};
use crate::train::Options;
use crate::train::repo::Repo;
use anyhow::Result;

pub struct Audit;

impl Gate for Audit {
    fn name(&self) -> &'static str {
        "audit"
    }

    /// All branches are audited, so one run names every commit to deal with.
    fn check(&self, repo: &Repo, _: &Options, subjects: &[Subject]) -> Result<Verdict> {
        let mut found = String::new();
        for s in subjects {
            for c in crate::train::audit::audit_unreleased(repo, &s.branch)? {
                let why = c.why.map_or(String::new(), |w| format!(" ({w})"));
                found.push_str(&format!(
                    "\n  {} {} {} {}{why}",
                    s.branch,
                    c.oid.short(),
                    c.author,
                    c.subject
                ));
            }
        }
        if found.is_empty() {
            return Ok(Verdict::Pass);
        }
        Ok(Verdict::Block(format!(
            "not patching: these commits are not on `{main}`:{found}\n\
             land each on `{main}` first and backport it (`cargo train backport`), or, for a fix \
             that belongs on the branch only, add a `{trailer}: <why>` trailer to its message \
             (`cargo train audit` lists them again)",
            main = repo.config.main_branch,
            trailer = repo.config.backport.branch_only_trailer,
        )))
    }
}
