//! `cargo train release`

use super::run::{Global, carry_out};
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, conflicts_with = "latest")]
    branch: Option<String>,
    /// The newest release branch (the default)
    #[arg(long)]
    latest: bool,
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let (_, repo) = g.train(a.dry_run)?;
    let plan = train::release::plan(&repo, &g.options(), a.branch.as_deref())?;
    carry_out(&repo, &plan, a.dry_run)
}
