//! `cargo train config`

use super::run::{Format, Global, print};
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print the configuration as TOML or as JSON (its source and the TOML)
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    print(&train::config::run(&g.context()?), a.format)
}
