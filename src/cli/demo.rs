//! `cargo train demo`

use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Where to build it (default: a new temporary directory, kept)
    #[arg(long)]
    dir: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode> {
    crate::demo::run(a.dir)?;
    Ok(ExitCode::SUCCESS)
}
