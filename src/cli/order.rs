//! `cargo train order`

use super::run::Global;
use crate::train;
use anyhow::Result;
use clap::ValueEnum;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let order = train::order::run(&ctx)?;
    match a.format {
        Format::Text => {
            for e in &order {
                crate::outln!("{} {}", e.name, e.version);
            }
        }
        Format::Json => {
            let v: Vec<_> = order
                .iter()
                .map(|e| serde_json::json!({"name": e.name, "version": e.version, "manifest": e.manifest}))
                .collect();
            crate::outln!("{}", serde_json::to_string_pretty(&v)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
