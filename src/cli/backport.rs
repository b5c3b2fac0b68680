//! `cargo train backport`

use super::run::{Global, carry_out, one_line};
use crate::train::{self, backport::BackportOpts};
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Commits, or `#N` / `!N` for a merged pull or merge request (on a forge that can look it up)
    #[arg(required = true, value_name = "COMMIT")]
    commits: Vec<String>,
    /// The release branches
    #[arg(long, num_args = 1.., value_name = "BRANCH", required_unless_present = "supported", conflicts_with = "supported")]
    to: Vec<String>,
    /// Every supported release branch
    #[arg(long)]
    supported: bool,
    /// Backport commits that are not on main, for this reason (kept in a trailer)
    #[arg(long, value_name = "REASON", value_parser = one_line)]
    not_on_main: Option<String>,
    /// Backport onto a branch in its freeze, for this reason (kept in a trailer)
    #[arg(long, value_name = "REASON", value_parser = one_line)]
    allow_in_freeze: Option<String>,
    /// Add no entry to the branches' release notes
    #[arg(long)]
    no_notes: bool,
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let (_, repo) = g.train(a.dry_run)?;
    let opts = BackportOpts {
        commits: a.commits,
        to: a.to,
        supported: a.supported,
        not_on_main: a.not_on_main,
        allow_in_freeze: a.allow_in_freeze,
        notes: !a.no_notes,
    };
    let (plan, outcome) = train::backport::plan(&repo, &g.options(), &opts)?;
    if !plan.is_empty() {
        carry_out(&repo, &plan, a.dry_run)?;
    }
    train::backport::summary(&outcome, a.dry_run);
    Ok(if outcome.needs_a_hand() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
