//! `cargo train audit`

use super::run::{Format, Global, print_json};
use crate::train::{self, audit::report::Stream};
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
    /// Print the report as text or as JSON (the exit code is the same)
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let r = g.repo(&ctx, false)?;
    let report = train::audit::run(&r, a.branch.as_deref(), a.supported, a.unreleased)?;
    match a.format {
        Format::Text => {
            for (stream, line) in report.render() {
                match stream {
                    Stream::Stdout => crate::outln!("{line}"),
                    Stream::Stderr => eprintln!("{line}"),
                }
            }
        }
        Format::Json => print_json(&report)?,
    }
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
