//! `cargo train changes`

use super::run::{Format, Global, print};
use crate::core::selection::Override;
use crate::train::{self, changes::parse_override};
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Set one crate's level or version: CRATE=major|minor|patch or CRATE=X.Y.Z (repeatable)
    #[arg(long = "level", value_name = "CRATE=LEVEL", value_parser = parse_override)]
    levels: Vec<(String, Override)>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let opts = train::changes::Options {
        at: "HEAD".into(),
        overrides: a.levels.into_iter().collect(),
    };
    print(&train::changes::run(&ctx, &opts)?, a.format)
}
