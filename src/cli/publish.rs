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
    let mut p = publish::plan(&ctx, &opts, Need::unless(a.dry_run))?;
    if !ctx.config.tracking.enabled {
        return carry_out_with(
            &Executor::new().with_registry(&p.registry),
            &p.plan,
            a.dry_run,
        );
    }
    // The release's tracking issue is ticked once every crate is in.
    let repo = g.repo(&ctx, a.dry_run)?;
    publish::track(&ctx, &repo, &mut p.plan)?;
    let mut exec = Executor::new()
        .with_registry(&p.registry)
        .with_git(&repo.git);
    if p.plan.needs_forge() && !a.dry_run {
        exec = exec.with_forge(repo.forge()?);
    }
    carry_out_with(&exec, &p.plan, a.dry_run)
}
