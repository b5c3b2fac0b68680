//! `cargo train init`

use super::run::{Global, carry_out_with};
use crate::apply::Executor;
use crate::train::{
    self,
    init::{Ci, InitOpts},
};
use anyhow::Result;
use std::process::ExitCode;

#[derive(Clone, Copy, clap::ValueEnum)]
enum CiArg {
    Github,
    Gitlab,
    Forgejo,
}

#[derive(clap::Args)]
pub struct Args {
    /// Overwrite files that exist
    #[arg(long)]
    force: bool,
    /// The CI that runs the train: GitHub Actions workflows, a GitLab CI
    /// pipeline or Forgejo Actions workflows (default: the configured
    /// forge's, else github)
    #[arg(long, value_enum)]
    ci: Option<CiArg>,
    /// The CI workflow to run weekly on supported release branches
    /// (GitHub and Forgejo)
    #[arg(long, default_value = "ci.yml")]
    ci_workflow: String,
    /// Only the CI's files (with --force: refresh them after an upgrade)
    #[arg(long)]
    workflows: bool,
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let ci = match a.ci {
        Some(CiArg::Github) => Ci::Github,
        Some(CiArg::Gitlab) => Ci::Gitlab,
        Some(CiArg::Forgejo) => Ci::Forgejo,
        None => Ci::of(ctx.config.forge),
    };
    let opts = InitOpts {
        force: a.force,
        ci,
        ci_workflow: a.ci_workflow,
        workflows_only: a.workflows,
    };
    let plan = train::init::plan(&ctx, &opts)?;
    carry_out_with(&Executor::new(), &plan, a.dry_run)
}
