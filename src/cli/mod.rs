//! Argument parsing only: each command turns its arguments into options and
//! makes one call into `train`.

use crate::core::version::Level;
use crate::exec::Executor;
use crate::train::{self, Context, Options};
use anyhow::{Context as _, Result};
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
    /// Act as on this day (YYYY-MM-DD): the schedule, release dates in the
    /// notes, and the dates of the commits made
    #[arg(long, global = true, value_name = "DATE")]
    date: Option<jiff::civil::Date>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print what the schedule says is due today, and why
    Due,
    /// Do what is due today
    Tick {
        #[arg(long)]
        dry_run: bool,
    },
    /// Print main's version, the supported release branches and what is due next
    Status {
        /// List every release branch, supported or not
        #[arg(long)]
        all: bool,
    },
    /// Cut the release branch from main, bump main, prepare the first candidate
    Cut {
        /// Cut even if a branch was already cut this month
        #[arg(long)]
        force: bool,
        #[arg(long)]
        dry_run: bool,
    },
    /// Prepare the next release candidate of a release branch
    Rc {
        /// The release branch (default: the one checked out)
        #[arg(long)]
        branch: Option<String>,
        #[arg(long)]
        dry_run: bool,
    },
    /// Prepare the final release of a release branch (default: the newest)
    Release {
        #[arg(long, conflicts_with = "latest")]
        branch: Option<String>,
        /// The newest release branch (the default)
        #[arg(long)]
        latest: bool,
        #[arg(long)]
        dry_run: bool,
    },
    /// Prepare a patch release of a release branch
    Patch {
        #[arg(long, conflicts_with = "supported")]
        branch: Option<String>,
        /// Patch every supported branch with unreleased changes, as one set
        /// (one push; no tag until every member is merged and passed CI)
        #[arg(long)]
        supported: bool,
        #[arg(long)]
        dry_run: bool,
    },
    /// Cherry-pick commits of main onto release branches, one change per branch
    Backport {
        /// Commits, or `#N` for a merged pull request (GitHub)
        #[arg(required = true, value_name = "COMMIT")]
        commits: Vec<String>,
        /// The release branches
        #[arg(long, num_args = 1.., value_name = "BRANCH", required_unless_present = "supported", conflicts_with = "supported")]
        to: Vec<String>,
        /// Every supported release branch
        #[arg(long)]
        supported: bool,
        /// Backport commits that are not on main, for this reason (kept in a trailer)
        #[arg(long, value_name = "REASON")]
        not_on_main: Option<String>,
        /// Add no entry to the branches' release notes
        #[arg(long)]
        no_notes: bool,
        #[arg(long)]
        dry_run: bool,
    },
    /// List the commits of a release branch that are not on main; exit 1 if any
    Audit {
        /// The release branch (default: the one checked out)
        #[arg(long, conflicts_with = "supported")]
        branch: Option<String>,
        /// Every supported release branch
        #[arg(long)]
        supported: bool,
        /// Only the commits since the last release tag: what the next patch
        /// would release (what `patch` audits)
        #[arg(long)]
        unreleased: bool,
    },
    /// Tag the release commit of a pushed range, if it has one
    Tag {
        /// The commits before and after the push: BEFORE..AFTER
        #[arg(long, value_parser = parse_range)]
        range: String,
        /// On GitHub: wait this long for pending checks (e.g. the push's CI)
        #[arg(long, default_value_t = 0)]
        wait_secs: u64,
        #[arg(long)]
        dry_run: bool,
    },
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
        /// Allow an explicit version below the current one, or one already tagged
        #[arg(long)]
        allow_downgrade: bool,
    },
    /// Check everything that would break a publish; exit 1 on any problem
    Verify {
        /// Also package and build every publishable crate as it would be
        /// built from the registry (one cargo run for the whole workspace)
        #[arg(long)]
        package: bool,
        /// Also run the semver gate: every public crate changed on the
        /// release branch since its last release tag must keep its API
        /// (needs cargo-semver-checks)
        #[arg(long)]
        semver: bool,
        /// The release branch for --semver (default: the one checked out)
        #[arg(long, requires = "semver")]
        branch: Option<String>,
    },
    /// Print the publish order of the publishable crates
    Order {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print one version's release notes (default: the newest section)
    Notes { version: Option<String> },
    /// Publish every publishable crate in dependency order (safe to re-run)
    Publish {
        /// Registry name from cargo's configuration (default: `publish.registry`)
        #[arg(long)]
        registry: Option<String>,
        /// Uploads at once (default: `publish.jobs`)
        #[arg(long)]
        jobs: Option<u32>,
        #[arg(long)]
        dry_run: bool,
    },
    /// Yank the release candidates the current version supersedes
    YankRcs {
        #[arg(long)]
        registry: Option<String>,
        #[arg(long)]
        dry_run: bool,
    },
    /// Build and pack the release binaries, a source tarball and SHA256SUMS
    Artifacts {
        /// Target triple (default: the host)
        #[arg(long)]
        target: Option<String>,
        /// Where to put them
        #[arg(long, default_value = "dist")]
        out: PathBuf,
        /// Binaries only, no source tarball (for one target of several)
        #[arg(long)]
        no_source: bool,
        /// Build nothing: gather the archives of these directories (each
        /// with its SHA256SUMS, written by runs for other targets) into
        /// --out, with the source tarball and one SHA256SUMS
        #[arg(long, num_args = 0.., value_name = "DIR", conflicts_with = "target")]
        gather: Option<Vec<PathBuf>>,
        #[arg(long)]
        dry_run: bool,
    },
    /// Create the GitHub release of a tag with its notes and assets
    GithubRelease {
        /// The tag (default: the workspace version's)
        tag: Option<String>,
        /// Upload every file of this directory
        #[arg(long)]
        assets: Option<PathBuf>,
        #[arg(long)]
        dry_run: bool,
    },
    /// Write train.toml, RELEASES.md and its template, and the GitHub workflows
    Init {
        /// Overwrite files that exist
        #[arg(long)]
        force: bool,
        /// The CI workflow to run weekly on supported release branches
        #[arg(long, default_value = "ci.yml")]
        ci_workflow: String,
        /// Only the workflows (with --force: refresh them after an upgrade)
        #[arg(long)]
        workflows: bool,
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the effective configuration
    Config,
    /// List the release branches supported on the day (by their release dates)
    Supported {
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
    },
    /// Print each release line's branch, release and end-of-life dates, past and coming
    Timetable {
        #[arg(long, value_enum, default_value_t = TimetableFormat::Markdown)]
        format: TimetableFormat,
        /// Months ahead to schedule, and back to show lines that ended
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// Every released line, however long ago its support ended
        #[arg(long)]
        all: bool,
    },
    /// Run three months of the train on a sample workspace with a local origin
    Demo {
        /// Where to build it (default: a new temporary directory, kept)
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum TimetableFormat {
    Markdown,
    Json,
}

fn parse_level(s: &str) -> Result<Level, String> {
    s.parse()
}

/// `BEFORE..AFTER`: AFTER is required; an empty (or all-zero) BEFORE is a
/// new branch.
fn parse_range(s: &str) -> Result<String, String> {
    let form = "expected BEFORE..AFTER, the commits before and after the push \
                (BEFORE may be empty or all zeros for a new branch)";
    match s.split_once("..") {
        None => Err(format!("no `..` in it; {form}")),
        Some((_, after)) if after.trim_start_matches('.').is_empty() => {
            Err(format!("AFTER (after the `..`) is empty; {form}"))
        }
        Some(_) => Ok(s.to_string()),
    }
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
            // Ended by a signal: the exit code says which, as a shell's would.
            match e
                .chain()
                .find_map(|c| c.downcast_ref::<crate::signals::Interrupted>())
            {
                Some(i) => ExitCode::from(i.exit_code()),
                None => ExitCode::FAILURE,
            }
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let opts = Options {
        manifest_path: cli.manifest_path,
        config: cli.config,
    };
    if let Command::Demo { dir } = cli.command {
        crate::demo::run(dir)?;
        return Ok(ExitCode::SUCCESS);
    }
    let ctx = Context::load(&opts)?;
    let date = cli.date;
    let repo = || train::repo::Repo::open(ctx.root.clone(), ctx.config.clone(), date);
    // The operations that change the remote stop at a safe point on SIGINT
    // and SIGTERM rather than wherever the signal finds them.
    if matches!(
        cli.command,
        Command::Cut { .. }
            | Command::Rc { .. }
            | Command::Release { .. }
            | Command::Patch { .. }
            | Command::Backport { .. }
            | Command::Tag { .. }
            | Command::Tick { .. }
    ) {
        crate::signals::install().context("cannot install the SIGINT/SIGTERM handlers")?;
        // What a `kill -9` of an earlier run left beside the checkout.
        crate::adapters::git::scratch::remove_stale_in(&crate::adapters::git::Git::new(&ctx.root))?;
    }
    match cli.command {
        Command::Bump {
            level,
            dry_run,
            no_hooks,
            allow_downgrade,
        } => {
            let exec = Executor::new(dry_run);
            train::bump::run(
                &ctx,
                &train::bump::BumpOpts {
                    level,
                    hooks: !no_hooks,
                    allow_downgrade,
                },
                &exec,
            )?;
        }
        Command::Publish {
            registry,
            jobs,
            dry_run,
        } => {
            train::publish::run(
                &ctx,
                &train::publish::PublishOpts { registry, jobs },
                &Executor::new(dry_run),
            )?;
        }
        Command::YankRcs { registry, dry_run } => {
            train::yank_rcs::run(&ctx, registry.as_deref(), &Executor::new(dry_run))?;
        }
        Command::Verify {
            package,
            semver,
            branch,
        } => {
            let mut problems = train::verify::run(&ctx)?;
            if package && problems.is_empty() {
                problems.extend(train::verify::package(&ctx)?);
            }
            if semver && problems.is_empty() {
                train::verify::semver(&repo()?, &opts, branch.as_deref())?;
            }
            if problems.is_empty() {
                let n = ctx.ws.crates.iter().filter(|c| c.publishable).count();
                crate::output::say("Verified", &format!("{n} publishable crates: no problems"));
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
        }
        Command::Config => crate::out!("{}", train::config::run(&ctx)),
        Command::Cut { force, dry_run } => train::cut::run(
            &repo()?,
            &opts,
            &train::cut::CutOpts { force },
            &Executor::new(dry_run),
        )?,
        Command::Rc { branch, dry_run } => {
            train::rc::run(&repo()?, &opts, branch.as_deref(), &Executor::new(dry_run))?
        }
        Command::Release {
            branch,
            latest: _,
            dry_run,
        } => train::release::run(&repo()?, &opts, branch.as_deref(), &Executor::new(dry_run))?,
        Command::Patch {
            branch,
            supported,
            dry_run,
        } => {
            let exec = Executor::new(dry_run);
            if supported {
                train::patch::run_supported(&repo()?, &opts, &exec)?
            } else {
                train::patch::run(&repo()?, &opts, branch.as_deref(), &exec)?
            }
        }
        Command::Backport {
            commits,
            to,
            supported,
            not_on_main,
            no_notes,
            dry_run,
        } => {
            let opts = train::backport::BackportOpts {
                commits,
                to,
                supported,
                not_on_main,
                notes: !no_notes,
            };
            let done = train::backport::run(&repo()?, &opts, &Executor::new(dry_run))?;
            if done.needs_a_hand() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Audit {
            branch,
            supported,
            unreleased,
        } => {
            let exec = Executor::new(false);
            let r = repo()?;
            if !train::audit::run(&r, branch.as_deref(), supported, unreleased, &exec)? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Tag {
            range,
            wait_secs,
            dry_run,
        } => {
            let wait = std::time::Duration::from_secs(wait_secs);
            train::tag::run(&repo()?, &range, wait, &Executor::new(dry_run))?;
        }
        Command::Due => {
            let r = repo()?;
            crate::out!(
                "{}",
                train::status::render_due(&r, &train::status::decide(&r)?)
            );
        }
        Command::Tick { dry_run } => train::tick::run(&repo()?, &opts, &Executor::new(dry_run))?,
        Command::Status { all } => {
            let shown = if all {
                train::status::Shown::All
            } else {
                train::status::Shown::Supported
            };
            crate::out!("{}", train::status::status_of(&repo()?, shown)?)
        }
        Command::Notes { version } => {
            crate::out!("{}", train::notes::show(&ctx, version.as_deref())?)
        }
        Command::Demo { .. } => unreachable!("handled before loading a workspace"),
        Command::Init {
            force,
            ci_workflow,
            workflows,
            dry_run,
        } => {
            train::init::run(
                &ctx,
                &train::init::InitOpts {
                    force,
                    ci_workflow,
                    workflows_only: workflows,
                },
                &Executor::new(dry_run),
            )?;
        }
        Command::Artifacts {
            target,
            out,
            no_source,
            gather,
            dry_run,
        } => {
            let exec = Executor::new(dry_run);
            match gather {
                Some(dirs) => {
                    train::artifacts::gather(&ctx, &repo()?, &dirs, &out, !no_source, &exec)?
                }
                None => train::artifacts::run(
                    &ctx,
                    &repo()?,
                    target.as_deref(),
                    &out,
                    !no_source,
                    &exec,
                )?,
            };
        }
        Command::GithubRelease {
            tag,
            assets,
            dry_run,
        } => {
            let exec = Executor::new(dry_run);
            train::github_release::run(&ctx, &repo()?, tag.as_deref(), assets.as_deref(), &exec)?;
        }
        Command::Timetable {
            format,
            months,
            all,
        } => {
            let format = match format {
                TimetableFormat::Markdown => train::timetable::Format::Markdown,
                TimetableFormat::Json => train::timetable::Format::Json,
            };
            let opts = train::timetable::TimetableOpts {
                format,
                months,
                all,
            };
            crate::out!("{}", train::timetable::run(&repo()?, &opts)?);
        }
        Command::Supported {
            json,
            github_output,
            ci,
        } => {
            let names = if ci {
                train::timetable::ci_rerun(&repo()?)?
            } else {
                train::timetable::supported(&repo()?)?
            };
            let list = serde_json::to_string(&names)?;
            if github_output {
                let path = std::env::var_os("GITHUB_OUTPUT")
                    .ok_or_else(|| anyhow::anyhow!("GITHUB_OUTPUT is not set"))?;
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(path)?;
                writeln!(f, "branches={list}")?;
            } else if json {
                crate::outln!("{list}");
            } else {
                for n in names {
                    crate::outln!("{n}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
