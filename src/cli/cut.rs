//! `cargo train cut`

use super::run::{Global, carry_out};
use crate::train::{self, cut::CutOpts};
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Cut even if a branch was already cut this month
    #[arg(long)]
    force: bool,
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let (_, repo) = g.train(a.dry_run)?;
    let plan = train::cut::plan(&repo, &g.options(), &CutOpts { force: a.force })?;
    carry_out(&repo, &plan, a.dry_run)
}
