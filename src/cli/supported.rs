//! `cargo train supported`

use super::run::{Format, Global, carry_out_with};
use crate::apply::Executor;
use crate::plan::{Effect, Plan};
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print a JSON list (the same as `--format json`)
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Append `branches=<JSON list>` to the file in $GITHUB_OUTPUT
    #[arg(long)]
    github_output: bool,
    /// The branches the weekly CI re-run covers instead: the newest and
    /// the newest LTS, by count (`support.ci-latest`, `support.ci-lts`)
    #[arg(long)]
    ci: bool,
    /// Print the list as text (a branch a line) or as JSON
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let repo = g.repo(&ctx, false)?;
    let report = train::timetable::supported_report(&repo, a.ci)?;
    // One line, not pretty: what `$GITHUB_OUTPUT` needs, and what scripts
    // have read from `--json` all along.
    let list = serde_json::to_string(&report)?;
    if a.github_output {
        let file = std::env::var_os("GITHUB_OUTPUT")
            .ok_or_else(|| anyhow::anyhow!("GITHUB_OUTPUT is not set"))?;
        if std::path::Path::new(&file).is_dir() {
            anyhow::bail!(
                "GITHUB_OUTPUT names {}, which is a directory: it must name the job's output \
                 file (GitHub Actions sets it for each step)",
                std::path::Path::new(&file).display()
            );
        }
        let mut plan = Plan::default();
        plan.add(Effect::Output {
            file: file.into(),
            line: format!("branches={list}"),
        });
        return carry_out_with(&Executor::new(), &plan, false);
    }
    let format = if a.json { Format::Json } else { a.format };
    match format {
        Format::Text => crate::out!("{report}"),
        Format::Json => crate::outln!("{list}"),
    }
    Ok(ExitCode::SUCCESS)
}
