//! `cargo train audit`

use super::run::Global;
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The release branch (default: the one checked out)
    #[arg(long, conflicts_with = "supported")]
    branch: Option<String>,
    /// Every supported release branch
    #[arg(long)]
    supported: bool,
    /// Only the commits since the last release tag: what the next patch
    /// would release (what `patch` audits)
    #[arg(long)]
    unreleased: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let r = g.repo(&ctx, false)?;
    let ok = train::audit::run(&r, a.branch.as_deref(), a.supported, a.unreleased)?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
