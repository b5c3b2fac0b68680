//! `cargo train init`

use super::run::{Global, carry_out_with};
use crate::apply::Executor;
use crate::train::{self, init::InitOpts};
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Overwrite files that exist
    #[arg(long)]
    force: bool,
    /// The CI workflow to run weekly on supported release branches
    #[arg(long, default_value = "ci.yml")]
    ci_workflow: String,
    /// Only the workflows (with --force: refresh them after an upgrade)
    #[arg(long)]
    workflows: bool,
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let opts = InitOpts {
        force: a.force,
        ci_workflow: a.ci_workflow,
        workflows_only: a.workflows,
    };
    let plan = train::init::plan(&ctx, &opts)?;
    carry_out_with(&Executor::new(), &plan, a.dry_run)
}
