//! `cargo train publish`

use super::run::{Global, carry_out_with};
use crate::apply::Executor;
use crate::train::publish::{self, PublishOpts};
use crate::train::registry_auth::Need;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Registry name from cargo's configuration (default: `publish.registry`)
    #[arg(long)]
    registry: Option<String>,
    /// Uploads at once, 1 to 64 (default: `publish.jobs`)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=64))]
    jobs: Option<u32>,
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let opts = PublishOpts {
        registry: a.registry,
        jobs: a.jobs,
    };
    let p = publish::plan(&ctx, &opts, Need::unless(a.dry_run))?;
    carry_out_with(
        &Executor::new().with_registry(&p.registry),
        &p.plan,
        a.dry_run,
    )
}
