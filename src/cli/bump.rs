//! `cargo train bump`

use super::run::{Global, carry_out_with};
use crate::apply::Executor;
use crate::core::version::Level;
use crate::train::{self, bump::BumpOpts};
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(value_parser = parse_level)]
    level: Level,
    /// Print the diff instead of writing anything
    #[arg(long)]
    dry_run: bool,
    /// Skip the configured after-bump commands
    #[arg(long)]
    no_hooks: bool,
    /// Allow an explicit version below the current one, or one already tagged
    #[arg(long)]
    allow_downgrade: bool,
}

fn parse_level(s: &str) -> Result<Level, String> {
    s.parse()
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let opts = BumpOpts {
        level: a.level,
        hooks: !a.no_hooks,
        allow_downgrade: a.allow_downgrade,
    };
    let plan = train::bump::plan(&ctx, &opts)?;
    carry_out_with(&Executor::new(), &plan, a.dry_run)
}
