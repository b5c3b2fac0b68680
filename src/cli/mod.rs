//! Argument parsing only: each command turns its arguments into options and
//! makes one call into `train`.

use crate::core::version::Level;
use crate::exec::Executor;
use crate::train::{self, Context, Options};
use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "cargo-train",
    bin_name = "cargo train",
    version,
    about = "Run a release train for a Cargo workspace"
)]
struct Cli {
    /// Path to the workspace's Cargo.toml (default: found from the current directory)
    #[arg(long, global = true, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// Configuration file to use instead of train.toml / [workspace.metadata.train]
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Bump versions: major, minor, patch, rc, drop-rc, dev, or an exact X.Y.Z
    Bump {
        #[arg(value_parser = parse_level)]
        level: Level,
        /// Print the diff instead of writing anything
        #[arg(long)]
        dry_run: bool,
        /// Skip the configured after-bump commands
        #[arg(long)]
        no_hooks: bool,
    },
    /// Check everything that would break a publish; exit 1 on any problem
    Verify,
    /// Print the publish order of the publishable crates
    Order {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the effective configuration
    Config,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn parse_level(s: &str) -> Result<Level, String> {
    s.parse()
}

/// Parses `args` (as given to the binary) and runs the command.
pub fn main(mut args: Vec<OsString>) -> ExitCode {
    // `cargo train …` runs `cargo-train train …`.
    if args.get(1).is_some_and(|a| a == "train") {
        args.remove(1);
    }
    let cli = Cli::parse_from(args);
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let opts = Options {
        manifest_path: cli.manifest_path,
        config: cli.config,
    };
    let ctx = Context::load(&opts)?;
    match cli.command {
        Command::Bump {
            level,
            dry_run,
            no_hooks,
        } => {
            let exec = Executor::new(&ctx.root, dry_run);
            train::bump::run(
                &ctx,
                &train::bump::BumpOpts {
                    level,
                    hooks: !no_hooks,
                },
                &exec,
            )?;
        }
        Command::Verify => {
            let problems = train::verify::run(&ctx);
            if problems.is_empty() {
                let n = ctx.ws.crates.iter().filter(|c| c.publishable).count();
                eprintln!("{:>12} {n} publishable crates: no problems", "Verified");
            } else {
                for p in &problems {
                    eprintln!("error: {p}");
                }
                eprintln!(
                    "{} problem{} found",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                );
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Order { format } => {
            let order = train::order::run(&ctx)?;
            match format {
                Format::Text => {
                    for e in &order {
                        println!("{} {}", e.name, e.version);
                    }
                }
                Format::Json => {
                    let v: Vec<_> = order
                        .iter()
                        .map(|e| serde_json::json!({"name": e.name, "version": e.version, "manifest": e.manifest}))
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&v)?);
                }
            }
        }
        Command::Config => print!("{}", train::config::run(&ctx)),
    }
    Ok(ExitCode::SUCCESS)
}
