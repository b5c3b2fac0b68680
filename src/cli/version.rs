//! `cargo train version`

use super::run::{Format, Global, print};
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print the release tag of the version instead (`v1.2.0`)
    #[arg(long)]
    tag: bool,
    /// Print it as text or as JSON (both the version and its tag)
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    print(&train::version::run(&g.context()?, a.tag)?, a.format)
}
