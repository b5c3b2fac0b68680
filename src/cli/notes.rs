//! `cargo train notes`

use super::run::{Format, Global, carry_out_with, print};
use crate::apply::Executor;
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(conflicts_with = "draft")]
    version: Option<String>,
    /// Draft the next release's notes from the history since the last release
    #[arg(long)]
    draft: bool,
    /// With --draft: start the history at REF instead of the last release
    #[arg(long, value_name = "REF", requires = "draft")]
    since: Option<String>,
    /// With --draft: add the entries not listed yet to the notes
    /// (RELEASES.md's first section, or each crate's CHANGELOG.md)
    #[arg(long, requires = "draft")]
    write: bool,
    /// With --write: print the change instead of writing it
    #[arg(long, requires = "write")]
    dry_run: bool,
    /// Print the section as text or as JSON
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    if !a.draft {
        return print(&train::notes::run(&ctx, a.version.as_deref())?, a.format);
    }
    // Read-only on the repository: what was fetched last is enough.
    let repo = g.repo(&ctx, true)?;
    let opts = train::notes_draft::DraftOpts {
        since: a.since,
        at: "HEAD".into(),
    };
    let drafted = train::notes_draft::run(&repo, &ctx, &opts)?;
    if !a.write {
        return print(&drafted, a.format);
    }
    let plan = train::notes_draft::plan(&ctx, &drafted)?;
    carry_out_with(&Executor::new(), &plan, a.dry_run)
}
