//! `cargo train notes`

use super::run::Global;
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    version: Option<String>,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    crate::out!("{}", train::notes::show(&ctx, a.version.as_deref())?);
    Ok(ExitCode::SUCCESS)
}
