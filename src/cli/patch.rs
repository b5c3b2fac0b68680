//! `cargo train patch`

use super::run::{Global, carry_out};
use crate::train;
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
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let (_, repo) = g.train(a.dry_run)?;
    let plan = if a.supported {
        train::patch::plan_supported(&repo, &g.options())?
    } else {
        train::patch::plan(&repo, &g.options(), a.branch.as_deref())?
    };
    carry_out(&repo, &plan, a.dry_run)
}
