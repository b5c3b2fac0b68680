//! `cargo train notes`

use super::run::{Format, Global, print};
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    version: Option<String>,
    /// Print the section as text or as JSON
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    print(&train::notes::run(&ctx, a.version.as_deref())?, a.format)
}
