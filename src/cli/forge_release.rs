//! `cargo train forge-release` (or `github-release`, its name before there
//! were other forges): the release of a tag on the forge.

use super::run::{Global, carry_out};
use crate::train;
use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The tag (default: the workspace version's)
    tag: Option<String>,
    /// Upload every file of this directory
    #[arg(long)]
    assets: Option<PathBuf>,
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let repo = g.repo(&ctx, a.dry_run)?;
    let plan = train::forge_release::plan(&ctx, &repo, a.tag.as_deref(), a.assets.as_deref())?;
    carry_out(&repo, &plan, a.dry_run)
}
