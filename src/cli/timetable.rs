//! `cargo train timetable`

use super::run::Global;
use crate::train::timetable::{self, Format, TimetableOpts};
use anyhow::Result;
use clap::ValueEnum;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value_t = TimetableFormat::Markdown)]
    format: TimetableFormat,
    /// Months ahead to schedule, and back to show lines that ended
    #[arg(long, default_value_t = 12)]
    months: u32,
    /// Every released line, however long ago its support ended
    #[arg(long)]
    all: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum TimetableFormat {
    Markdown,
    Json,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let opts = TimetableOpts {
        format: match a.format {
            TimetableFormat::Markdown => Format::Markdown,
            TimetableFormat::Json => Format::Json,
        },
        months: a.months,
        all: a.all,
    };
    crate::out!("{}", timetable::run(&g.repo(&ctx, false)?, &opts)?);
    Ok(ExitCode::SUCCESS)
}
