//! `cargo train supported`

use super::run::{Global, carry_out_with};
use crate::apply::Executor;
use crate::plan::{Effect, Plan};
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print a JSON list
    #[arg(long)]
    json: bool,
    /// Append `branches=<JSON list>` to the file in $GITHUB_OUTPUT
    #[arg(long)]
    github_output: bool,
    /// The branches the weekly CI re-run covers instead: the newest and
    /// the newest LTS, by count (`support.ci-latest`, `support.ci-lts`)
    #[arg(long)]
    ci: bool,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let repo = g.repo(&ctx, false)?;
    let names = if a.ci {
        train::timetable::ci_rerun(&repo)?
    } else {
        train::timetable::supported(&repo)?
    };
    let list = serde_json::to_string(&names)?;
    if a.github_output {
        let file = std::env::var_os("GITHUB_OUTPUT")
            .ok_or_else(|| anyhow::anyhow!("GITHUB_OUTPUT is not set"))?;
        let mut plan = Plan::default();
        plan.add(Effect::Output {
            file: file.into(),
            line: format!("branches={list}"),
        });
        return carry_out_with(&Executor::new(), &plan, false);
    }
    if a.json {
        crate::outln!("{list}");
    } else {
        for n in names {
            crate::outln!("{n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
