//! `cargo train due`

use super::run::{Format, Global, print};
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print the report as text or as JSON
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let r = g.repo(&ctx, false)?;
    print(&train::status::due(&r)?, a.format)
}
