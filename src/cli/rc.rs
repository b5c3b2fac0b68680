//! `cargo train rc`

use super::run::{Global, carry_out};
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The release branch (default: the one checked out)
    #[arg(long)]
    branch: Option<String>,
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let (_, repo) = g.train(a.dry_run)?;
    let plan = train::rc::plan(&repo, &g.options(), a.branch.as_deref())?;
    carry_out(&repo, &plan, a.dry_run)
}
