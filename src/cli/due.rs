//! `cargo train due`

use super::run::Global;
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let r = g.repo(&ctx, false)?;
    crate::out!(
        "{}",
        train::status::render_due(&r, &train::status::decide(&r)?)
    );
    Ok(ExitCode::SUCCESS)
}
