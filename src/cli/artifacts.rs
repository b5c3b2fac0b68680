//! `cargo train artifacts`

use super::run::{Global, carry_out};
use crate::train;
use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Target triple (default: the host)
    #[arg(long)]
    target: Option<String>,
    /// Where to put them
    #[arg(long, default_value = "dist")]
    out: PathBuf,
    /// Binaries only, no source tarball (for one target of several)
    #[arg(long)]
    no_source: bool,
    /// Build nothing: gather the archives of these directories (each
    /// with its SHA256SUMS, written by runs for other targets) into
    /// --out, with the source tarball and one SHA256SUMS
    #[arg(long, num_args = 0.., value_name = "DIR", conflicts_with = "target")]
    gather: Option<Vec<PathBuf>>,
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let repo = g.repo(&ctx, a.dry_run)?;
    let plan = match &a.gather {
        Some(dirs) => train::artifacts::plan_gather(&ctx, dirs, &a.out, !a.no_source)?,
        None => train::artifacts::plan(&ctx, a.target.as_deref(), &a.out, !a.no_source)?,
    };
    carry_out(&repo, &plan, a.dry_run)
}
