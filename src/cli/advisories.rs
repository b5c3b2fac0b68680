//! `cargo train advisories`

use super::run::{Format, Global, print_json};
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
    /// Only this advisory (RUSTSEC-YYYY-NNNN): which branches it affects
    #[arg(long, value_name = "ID", value_parser = advisory_id)]
    id: Option<String>,
    /// Print the report as text or as JSON (the exit code is the same)
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

fn advisory_id(s: &str) -> Result<String, String> {
    let s = s.trim().to_ascii_uppercase();
    if crate::core::config::is_advisory_id(&s) {
        Ok(s)
    } else {
        Err("not a RustSec advisory id: give it as RUSTSEC-YYYY-NNNN".into())
    }
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let repo = g.repo(&ctx, false)?;
    let report = train::advisories::run(&repo, a.branch.as_deref(), a.supported, a.id.as_deref())?;
    match a.format {
        Format::Text => crate::out!("{report}"),
        Format::Json => print_json(&report)?,
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
