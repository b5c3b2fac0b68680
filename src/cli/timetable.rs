//! `cargo train timetable`

use super::run::{Format, Global, print};
use crate::train::timetable::{self, TimetableOpts};
use anyhow::Result;
use clap::ValueEnum;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value_t = TimetableFormat::Markdown)]
    format: TimetableFormat,
    /// Months ahead to schedule, and back to show lines that ended (1 to
    /// 120: ten years of a monthly train)
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=120))]
    months: u32,
    /// Every released line, however long ago its support ended
    #[arg(long)]
    all: bool,
}

/// The shared formats under this command's names: its text is Markdown.
#[derive(Clone, Copy, ValueEnum)]
enum TimetableFormat {
    Markdown,
    Json,
}

impl From<TimetableFormat> for Format {
    fn from(f: TimetableFormat) -> Format {
        match f {
            TimetableFormat::Markdown => Format::Text,
            TimetableFormat::Json => Format::Json,
        }
    }
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let opts = TimetableOpts {
        months: a.months,
        all: a.all,
    };
    let report = timetable::run(&g.repo(&ctx, false)?, &opts)?;
    print(&report, a.format.into())
}
