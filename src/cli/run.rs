//! What every command shares: the global options, loading the workspace and
//! the repository, handing a plan to the applier (or printing it in a dry
//! run), and printing a read-only command's report as text or JSON.

use crate::apply::{self, Executor};
use crate::plan::Plan;
use crate::train::repo::{Fetch, Repo};
use crate::train::{Context, Options};
use anyhow::{Context as _, Result};
use serde::Serialize;
use std::fmt::Display;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Global {
    /// Path to the workspace's Cargo.toml (default: found from the current directory)
    #[arg(long, global = true, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// Configuration file to use instead of train.toml / [workspace.metadata.train]
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Act as on this day (YYYY-MM-DD): the schedule, release dates in the
    /// notes, and the dates of the commits made
    #[arg(long, global = true, value_name = "DATE", value_parser = day)]
    date: Option<jiff::civil::Date>,
}

/// A `--date`: a day whose commits git can date, with room for the ten
/// years ahead a timetable looks.
fn day(s: &str) -> Result<jiff::civil::Date, String> {
    let d: jiff::civil::Date = s
        .parse()
        .map_err(|e| format!("not a day as YYYY-MM-DD ({e})"))?;
    let (first, last) = (
        jiff::civil::date(1970, 1, 1),
        jiff::civil::date(9899, 12, 31),
    );
    if d < first || d > last {
        return Err(format!(
            "{d} is out of range: give a day from {first} to {last} (commits are dated on it, and \
             schedules look up to ten years ahead of it)"
        ));
    }
    Ok(d)
}

impl Global {
    pub fn options(&self) -> Options {
        Options {
            manifest_path: self.manifest_path.clone(),
            config: self.config.clone(),
        }
    }

    /// The workspace and its configuration.
    pub fn context(&self) -> Result<Context> {
        Context::load(&self.options())
    }

    /// The repository of `ctx`; a dry run works on what was fetched last.
    pub fn repo(&self, ctx: &Context, dry_run: bool) -> Result<Repo> {
        let fetch = if dry_run {
            Fetch::LastFetched
        } else {
            Fetch::Remote
        };
        Ok(Repo::open(ctx.root.clone(), ctx.config.clone(), self.date)?
            .fetching(fetch)
            .with_train_manifest(ctx.train_manifest()))
    }

    /// The workspace and its repository, for an operation of the train:
    /// SIGINT and SIGTERM stop it at a safe point rather than wherever the
    /// signal finds it, and a real run first removes what a `kill -9` of an
    /// earlier one left beside the checkout.
    pub fn train(&self, dry_run: bool) -> Result<(Context, Repo)> {
        let ctx = self.context()?;
        let repo = self.repo(&ctx, dry_run)?;
        crate::signals::install().context("cannot install the SIGINT/SIGTERM handlers")?;
        if !dry_run {
            crate::adapters::git::scratch::remove_stale_in(&repo.git)?;
        }
        Ok((ctx, repo))
    }
}

/// A reason goes into a trailer: one line, not empty (a newline would
/// write trailers of its own).
pub fn one_line(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() || t.chars().any(char::is_control) || t.chars().count() > 200 {
        return Err(
            "the reason is one line of text, not empty, up to 200 characters: it goes into a \
             trailer"
                .into(),
        );
    }
    Ok(t.to_string())
}

/// How a read-only command prints its report (`--format`).
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Prints `report` as `format` says: its text, or its JSON.
pub fn print<R: Display + Serialize>(report: &R, format: Format) -> Result<ExitCode> {
    match format {
        Format::Text => crate::out!("{report}"),
        Format::Json => print_json(report)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// A report's JSON on stdout: pretty, ending with a newline.
pub fn print_json<R: Serialize>(report: &R) -> Result<()> {
    crate::outln!("{}", serde_json::to_string_pretty(report)?);
    Ok(())
}

/// Carries out `plan` on `repo` (its git, and its forge if the plan needs
/// one), or prints it in a dry run.
pub fn carry_out(repo: &Repo, plan: &Plan, dry_run: bool) -> Result<ExitCode> {
    let mut exec = Executor::new().with_git(&repo.git);
    if plan.needs_forge() && !dry_run {
        exec = exec.with_forge(repo.forge()?);
    }
    apply::run(plan, &exec, dry_run)?;
    Ok(ExitCode::SUCCESS)
}

/// Carries out a plan that needs no repository.
pub fn carry_out_with(exec: &Executor, plan: &Plan, dry_run: bool) -> Result<ExitCode> {
    apply::run(plan, exec, dry_run)?;
    Ok(ExitCode::SUCCESS)
}

/// The process's exit code: an error is printed; one that a signal caused
/// exits as a shell's would (130 for SIGINT, 143 for SIGTERM).
pub fn exit(r: Result<ExitCode>) -> ExitCode {
    match r {
        Ok(code) => code,
        Err(e) => {
            // What a message quotes (a git error, a URL) may hold credentials.
            let text = crate::core::redact::text(&format!("{e:#}")).into_owned();
            match e
                .chain()
                .find_map(|c| c.downcast_ref::<crate::signals::Interrupted>())
            {
                Some(i) => {
                    // Every stop is at a safe point: the same command
                    // finishes the job, whether the stop came while planning
                    // or between two effects (which say what is left).
                    let again = if text.contains("run the same command again") {
                        ""
                    } else {
                        "; run the same command again to finish"
                    };
                    eprintln!("error: {text}{again}");
                    ExitCode::from(i.exit_code())
                }
                None => {
                    eprintln!("error: {text}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
