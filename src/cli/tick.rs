//! `cargo train tick`

use super::run::{Global, carry_out};
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let (_, repo) = g.train(a.dry_run)?;
    let plan = train::tick::plan(&repo, &g.options())?;
    carry_out(&repo, &plan, a.dry_run)
}
