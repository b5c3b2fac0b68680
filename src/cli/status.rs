//! `cargo train status`

use super::run::{Format, Global, print};
use crate::train::{self, status::Shown};
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// List every release branch, supported or not
    #[arg(long)]
    all: bool,
    /// Print the report as text or as JSON
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let shown = if a.all { Shown::All } else { Shown::Supported };
    let ctx = g.context()?;
    let report = train::status::status_of(&g.repo(&ctx, false)?, shown)?;
    print(&report, a.format)
}
