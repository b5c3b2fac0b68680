//! `cargo train bump`

use super::run::{Global, carry_out_with};
use crate::apply::Executor;
use crate::core::selection::Override;
use crate::core::version::Level;
use crate::train::changes::parse_override;
use crate::train::{self, bump::BumpOpts};
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(value_parser = parse_level, required_unless_present = "changed")]
    level: Option<Level>,
    /// Move only the crates that changed since their last release, each at
    /// the level its changes call for (see `cargo train changes`)
    #[arg(long, conflicts_with = "level")]
    changed: bool,
    /// With --changed: set one crate's level or version, CRATE=major|minor|patch or CRATE=X.Y.Z
    #[arg(long = "level", value_name = "CRATE=LEVEL", value_parser = parse_override, requires = "changed")]
    levels: Vec<(String, Override)>,
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
    let Some(level) = a.level else {
        let changes = train::changes::run(
            &ctx,
            &train::changes::Options {
                at: "HEAD".into(),
                overrides: a.levels.into_iter().collect(),
            },
        )?;
        let plan = train::bump::plan_changed(&ctx, &changes, !a.no_hooks)?;
        return carry_out_with(&Executor::new(), &plan, a.dry_run);
    };
    let opts = BumpOpts {
        level,
        hooks: !a.no_hooks,
        allow_downgrade: a.allow_downgrade,
    };
    let plan = train::bump::plan(&ctx, &opts)?;
    carry_out_with(&Executor::new(), &plan, a.dry_run)
}
