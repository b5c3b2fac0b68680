//! `cargo train status`

use super::run::Global;
use crate::train::{self, status::Shown};
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// List every release branch, supported or not
    #[arg(long)]
    all: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let shown = if a.all { Shown::All } else { Shown::Supported };
    let ctx = g.context()?;
    crate::out!(
        "{}",
        train::status::status_of(&g.repo(&ctx, false)?, shown)?
    );
    Ok(ExitCode::SUCCESS)
}
