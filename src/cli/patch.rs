//! `cargo train patch`

use super::run::{Global, carry_out, one_line};
use crate::train;
use crate::train::gates::Allow;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, conflicts_with = "supported")]
    branch: Option<String>,
    /// Patch every supported branch with unreleased changes, as one set
    /// (one push; no tag until every member is merged and passed CI)
    #[arg(long)]
    supported: bool,
    /// Patch a branch in its freeze, for this reason (kept in a trailer)
    #[arg(long, value_name = "REASON", value_parser = one_line)]
    allow_in_freeze: Option<String>,
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let (_, repo) = g.train(a.dry_run)?;
    let allow = Allow {
        in_freeze: a.allow_in_freeze,
    };
    let plan = if a.supported {
        train::patch::plan_supported(&repo, &g.options(), &allow)?
    } else {
        train::patch::plan(&repo, &g.options(), a.branch.as_deref(), &allow)?
    };
    carry_out(&repo, &plan, a.dry_run)
}
