//! `cargo train dashboard`

use super::run::{Global, carry_out_with};
use crate::apply::Executor;
use crate::train::dashboard::{self, DashboardOpts};
use anyhow::{Context as _, Result};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The directory the page goes to, as DIR/index.html (made if missing)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Months of the timetable ahead, and back for lines that ended (as
    /// `timetable --months`)
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=120))]
    months: u32,
    /// Print what would be written, write nothing
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    // Like `status`, the page is of what was fetched last: it never fetches.
    let repo = g.repo(&ctx, true)?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let opts = DashboardOpts {
        out: cwd.join(&a.out),
        months: a.months,
    };
    let plan = dashboard::plan(&ctx, &repo, &g.options(), &opts)?;
    carry_out_with(&Executor::new(), &plan, a.dry_run)
}
