//! `cargo train verify`: report everything that would break a publish.

use crate::adapters::{cargo, cargo_config, fs};
use crate::core::problem::Problem;
use crate::core::verify;
use crate::train::repo::Repo;
use crate::train::{Context, Options, advisories, semver};
use anyhow::{Result, bail};
use std::collections::BTreeSet;
use std::path::PathBuf;

pub fn run(ctx: &Context) -> Result<Vec<Problem>> {
    let read = |vf: &crate::core::config::VersionFile| {
        fs::read_named(&ctx.root, &vf.path, "version-files.path")
            .ok()
            .flatten()
    };
    let warnings = verify::stale_entries(&ctx.ws, &ctx.config)
        .into_iter()
        .chain(verify::unused_patches(&ctx.ws));
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let mut problems = verify::verify(&ctx.ws, &ctx.config, &read);
    if let Some(lock) = fs::read_optional(&ctx.root.join("Cargo.lock"))? {
        problems.extend(verify::check_lock(
            &ctx.ws,
            &lock,
            std::path::Path::new("Cargo.lock"),
        ));
    }
    problems.extend(members_agree_with_cargo(ctx)?);
    Ok(problems)
}

/// What was verified, for the summary line: the branch checked out (a CI
/// job verifies several), else the directory.
pub fn subject(ctx: &Context) -> String {
    match crate::adapters::git::Git::new(&ctx.root).current_branch() {
        Ok(Some(b)) => format!("`{b}`"),
        _ => ctx.root.display().to_string(),
    }
}

/// cargo-train finds members itself (see `adapters::layout`); here cargo is
/// asked too, and any difference is a problem to report.
fn members_agree_with_cargo(ctx: &Context) -> Result<Vec<Problem>> {
    let cargo = cargo::members(Some(&ctx.root.join("Cargo.toml")))?;
    let theirs: BTreeSet<PathBuf> = cargo
        .members
        .iter()
        .map(|m| crate::core::manifest::display_path(&ctx.root, m))
        .collect();
    let ours: BTreeSet<PathBuf> = ctx
        .ws
        .crates
        .iter()
        .map(|c| ctx.ws.manifests[c.manifest].path.clone())
        .collect();
    let mut out = Vec::new();
    for m in theirs.difference(&ours) {
        out.push(Problem::new(
            m,
            None,
            "cargo counts this manifest as a workspace member, cargo-train does not",
        ));
    }
    for m in ours.difference(&theirs) {
        out.push(Problem::new(
            m,
            None,
            "cargo-train counts this manifest as a workspace member, cargo does not",
        ));
    }
    Ok(out)
}

/// Packages and builds every crate that publishes, as from the registry, in
/// one cargo run (cargo overlays the crates of the run that are not published
/// yet); a failure is reported as one problem with cargo's output.
pub fn package(ctx: &Context) -> Result<Vec<Problem>> {
    let names: Vec<&str> = crate::core::graph::publish_order(&ctx.ws)?
        .into_iter()
        .map(|i| ctx.ws.crates[i].name.as_str())
        .collect();
    let registry =
        Some(ctx.config.publish.registry.as_str()).filter(|r| *r != cargo_config::CRATES_IO);
    match cargo::package(&ctx.root, &names, registry, true) {
        Ok(()) => {
            crate::output::say(
                "Packaged",
                &format!(
                    "{} crates package and build from their packaged sources",
                    names.len()
                ),
            );
            Ok(Vec::new())
        }
        Err(e) => Ok(vec![Problem::new("Cargo.toml", None, format!("{e:#}"))]),
    }
}

/// `verify --semver`: the semver gate `patch` runs, for the release branch
/// `branch` (else the one checked out) as it is on the remote after a
/// fetch: what a patch would release. An error when a public crate breaks.
pub fn semver(repo: &Repo, opts: &Options, branch: Option<&str>) -> Result<()> {
    let branch = repo.release_branch_arg(branch)?;
    repo.fetch()?;
    let Some(tip) = repo.remote_branch(&branch)? else {
        bail!(
            "`{}/{branch}` does not exist: push the branch first",
            repo.remote()
        )
    };
    let report = semver::gate(repo, opts, &branch, &tip)?;
    let n = report.checked.len();
    crate::output::say(
        "Verified",
        &format!(
            "`{branch}`: {n} changed public crate{}, no break",
            if n == 1 { "" } else { "s" }
        ),
    );
    Ok(())
}

/// `verify --advisories`: the checkout's Cargo.lock against the RustSec
/// database (see [`advisories`]): each dependency an advisory not ignored
/// affects is a problem of Cargo.lock.
pub fn advisories(ctx: &Context, repo: &Repo) -> Result<Vec<Problem>> {
    let db = advisories::load(repo)?;
    let Some(text) = fs::read_optional(&ctx.root.join("Cargo.lock"))? else {
        crate::output::say("Advisories", "no Cargo.lock: no dependency to check");
        return Ok(Vec::new());
    };
    let found = advisories::of_lock(&db.index(), "the checkout", &text, "Cargo.lock", repo)?;
    let problems: Vec<Problem> = found
        .blocking()
        .map(|f| {
            Problem::new(
                "Cargo.lock",
                None,
                format!(
                    "{f}: a security advisory affects this dependency; update it (`cargo update \
                     -p {}`), or add `{{ id = \"{}\", reason = \"why\" }}` to `[advisories] ignore`",
                    f.krate, f.id
                ),
            )
        })
        .collect();
    if problems.is_empty() {
        crate::output::say(
            "Advisories",
            &format!(
                "no unpatched advisory in the {} crates.io dependencies of Cargo.lock",
                found.dependencies
            ),
        );
    }
    Ok(problems)
}
