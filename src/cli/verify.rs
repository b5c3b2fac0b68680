//! `cargo train verify`

use super::run::Global;
use crate::train;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Also package and build every publishable crate as it would be
    /// built from the registry (one cargo run for the whole workspace)
    #[arg(long)]
    package: bool,
    /// Also run the semver gate: every public crate changed on the
    /// release branch since its last release tag must keep its API
    /// (needs cargo-semver-checks)
    #[arg(long)]
    semver: bool,
    /// Also check every crates.io dependency in Cargo.lock against the
    /// RustSec advisory database (fetched, or `[advisories] db`)
    #[arg(long)]
    advisories: bool,
    /// The release branch for --semver (default: the one checked out)
    #[arg(long, requires = "semver")]
    branch: Option<String>,
}

pub fn run(a: Args, g: &Global) -> Result<ExitCode> {
    let ctx = g.context()?;
    let mut problems = train::verify::run(&ctx)?;
    if a.package && problems.is_empty() {
        problems.extend(train::verify::package(&ctx)?);
    }
    if a.advisories {
        problems.extend(train::verify::advisories(&ctx, &g.repo(&ctx, false)?)?);
    }
    if a.semver && problems.is_empty() {
        train::verify::semver(&g.repo(&ctx, false)?, &g.options(), a.branch.as_deref())?;
    }
    if problems.is_empty() {
        let n = ctx.ws.crates.iter().filter(|c| c.publishable).count();
        crate::output::say("Verified", &format!("{n} publishable crates: no problems"));
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        eprintln!("error: {p}");
    }
    eprintln!(
        "{} problem{} found",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::FAILURE)
}
