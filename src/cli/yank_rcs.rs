//! `cargo train yank-rcs`

use super::run::{Global, carry_out_with};
use crate::apply::Executor;
use crate::train::registry_auth::Need;
use crate::train::yank_rcs;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    registry: Option<String>,
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let p = yank_rcs::plan(&ctx, a.registry.as_deref(), Need::unless(a.dry_run))?;
    carry_out_with(
        &Executor::new().with_registry(&p.registry),
        &p.plan,
        a.dry_run,
    )
}
