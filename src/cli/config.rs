//! `cargo train config`

use super::run::Global;
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args, g: &Global) -> Result<ExitCode> {
    crate::out!("{}", train::config::run(&g.context()?));
    Ok(ExitCode::SUCCESS)
}
