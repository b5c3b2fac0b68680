//! `cargo train tag`

use super::run::{Global, carry_out};
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The commits before and after the push: BEFORE..AFTER
    #[arg(long, value_parser = parse_range)]
    range: String,
    /// On a forge: wait this long for pending checks (e.g. the push's CI)
    #[arg(long, default_value_t = 0)]
    wait_secs: u64,
    #[arg(long)]
    dry_run: bool,
}

/// `BEFORE..AFTER`: AFTER is required; an empty (or all-zero) BEFORE is a
/// new branch.
fn parse_range(s: &str) -> Result<String, String> {
    let form = "expected BEFORE..AFTER, the commits before and after the push \
                (BEFORE may be empty or all zeros for a new branch)";
    if s.contains("...") {
        return Err(format!(
            "`...` is a symmetric difference, not what a push gives; {form}"
        ));
    }
    match s.split_once("..") {
        None => Err(format!("no `..` in it; {form}")),
        Some((_, after)) if after.trim_start_matches('.').is_empty() => {
            Err(format!("AFTER (after the `..`) is empty; {form}"))
        }
        Some(_) => Ok(s.to_string()),
    }
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let (_, repo) = g.train(a.dry_run)?;
    let wait = std::time::Duration::from_secs(a.wait_secs);
    let plan = train::tag::plan(&repo, &a.range, wait)?;
    carry_out(&repo, &plan, a.dry_run)
}
