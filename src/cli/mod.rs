//! Argument parsing only: one file per command, each turning its arguments
//! into options and making one call into `train`, whose plan or report it
//! hands to [`run`]'s helpers to carry out or print.

mod advisories;
mod artifacts;
mod audit;
mod backport;
mod bump;
mod changes;
mod config;
mod cut;
mod dashboard;
mod demo;
mod due;
mod forge_release;
mod init;
mod notes;
mod order;
mod patch;
mod publish;
mod rc;
mod release;
mod run;
mod status;
mod supported;
mod tag;
mod tick;
mod timetable;
mod verify;
mod version;
mod yank_rcs;

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "cargo-train",
    bin_name = "cargo train",
    version,
    about = "Run a release train for a Cargo workspace"
)]
struct Cli {
    #[command(flatten)]
    global: run::Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print what the schedule says is due today, and why
    Due(due::Args),
    /// Do what is due today
    Tick(tick::Args),
    /// Print main's version, the supported release branches and what is due next
    Status(status::Args),
    /// Cut the release branch from main, bump main, prepare the first candidate
    Cut(cut::Args),
    /// Prepare the next release candidate of a release branch
    Rc(rc::Args),
    /// Prepare the final release of a release branch (default: the newest)
    Release(release::Args),
    /// Prepare a patch release of a release branch
    Patch(patch::Args),
    /// Cherry-pick commits of main onto release branches, one change per branch
    Backport(backport::Args),
    /// List the commits of a release branch that are not on main; exit 1 if any
    Audit(audit::Args),
    /// List the release branches whose Cargo.lock has a dependency with a security advisory; exit 1 if any
    Advisories(advisories::Args),
    /// Tag the release commit of a pushed range, if it has one
    Tag(tag::Args),
    /// Bump versions: major, minor, patch, rc, drop-rc, dev, or an exact X.Y.Z
    Bump(bump::Args),
    /// Check everything that would break a publish; exit 1 on any problem
    Verify(verify::Args),
    /// Print the publish order of the publishable crates
    Order(order::Args),
    /// List the crates a release would move (they changed since their last release), to what and why
    Changes(changes::Args),
    /// Print one version's release notes (default: the newest section)
    Notes(notes::Args),
    /// Publish every publishable crate in dependency order (safe to re-run)
    Publish(publish::Args),
    /// Yank the release candidates the current version supersedes
    YankRcs(yank_rcs::Args),
    /// Build and pack the release binaries, a source tarball and SHA256SUMS
    Artifacts(artifacts::Args),
    /// Create the release of a tag on the forge, with its notes and assets
    #[command(visible_alias = "github-release")]
    ForgeRelease(forge_release::Args),
    /// Write train.toml, RELEASES.md and its template, and the CI files that run the train
    Init(init::Args),
    /// Print the effective configuration
    Config(config::Args),
    /// List the release branches supported on the day (by their release dates)
    Supported(supported::Args),
    /// Print each release line's branch, release and end-of-life dates, past and coming
    Timetable(timetable::Args),
    /// Write a static HTML page of the train's state for the release manager (DIR/index.html)
    Dashboard(dashboard::Args),
    /// Print the train's version (or, with --tag, its release tag)
    Version(version::Args),
    /// Run three months of the train on a sample workspace with a local origin
    Demo(demo::Args),
}

/// Parses `args` (as given to the binary) and runs the command.
pub fn main(mut args: Vec<OsString>) -> ExitCode {
    // `cargo train …` runs `cargo-train train …`.
    if args.get(1).is_some_and(|a| a == "train") {
        args.remove(1);
    }
    let cli = Cli::parse_from(args);
    run::exit(dispatch(cli))
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let g = &cli.global;
    match cli.command {
        Command::Due(a) => due::run(a, g),
        Command::Tick(a) => tick::run(a, g),
        Command::Status(a) => status::run(a, g),
        Command::Cut(a) => cut::run(a, g),
        Command::Rc(a) => rc::run(a, g),
        Command::Release(a) => release::run(a, g),
        Command::Patch(a) => patch::run(a, g),
        Command::Backport(a) => backport::run(a, g),
        Command::Audit(a) => audit::run(a, g),
        Command::Advisories(a) => advisories::run(a, g),
        Command::Tag(a) => tag::run(a, g),
        Command::Bump(a) => bump::run(a, g),
        Command::Verify(a) => verify::run(a, g),
        Command::Order(a) => order::run(a, g),
        Command::Changes(a) => changes::run(a, g),
        Command::Notes(a) => notes::run(a, g),
        Command::Publish(a) => publish::run(a, g),
        Command::YankRcs(a) => yank_rcs::run(a, g),
        Command::Artifacts(a) => artifacts::run(a, g),
        Command::ForgeRelease(a) => forge_release::run(a, g),
        Command::Init(a) => init::run(a, g),
        Command::Config(a) => config::run(a, g),
        Command::Supported(a) => supported::run(a, g),
        Command::Timetable(a) => timetable::run(a, g),
        Command::Dashboard(a) => dashboard::run(a, g),
        Command::Version(a) => version::run(a, g),
        Command::Demo(a) => demo::run(a),
    }
}
