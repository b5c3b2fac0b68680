//! Carrying out [`Uploads`]: the crates not in the index packaged in one
//! cargo run, then uploaded as fast as the graph and the registry's limits
//! allow, each confirmed in the index, safe to run again at any moment.
//!
//! STEP 1: under trusted publishing, refuse crates new to the registry (its
//!         tokens cannot create crates).
//! STEP 2: say what will happen and how long the rate limits make it take.
//! STEP 3: package every crate to publish in one cargo run.
//! STEP 4: upload crates whose first-party dependencies are ready, `jobs`
//!         uploads at a time, the critical path first (see [`uploads`]).
//! STEP 5: a summary; an error naming what is left if anything failed.

mod uploads;

use super::Executor;
use crate::adapters::cargo_config;
use crate::core::config::{Rate, WaitFor};
use crate::core::publish_plan::{Limit, Scheduler, min_duration_ms};
use crate::plan::{Auth, Uploads};
use crate::progress::fmt_secs;
use anyhow::{Result, bail};
use std::time::Instant;
pub use uploads::UploadError;

/// What a run did, crate by crate (`name version`).
#[derive(Debug, Default)]
pub struct Summary {
    pub published: Vec<String>,
    pub skipped: Vec<String>,
    pub failed: Vec<(String, UploadError)>,
    pub blocked: Vec<String>,
}

pub(crate) fn limit(r: Rate) -> Limit {
    Limit {
        burst: r.burst,
        every_ms: r.every_secs * 1000,
    }
}

impl Executor<'_> {
    pub(super) fn publish(&self, u: &Uploads) -> Result<()> {
        let reg = self.registry(&u.registry)?;
        let trusted = u.auth == Auth::Trusted;
        // STEP 1
        if trusted {
            refuse_new_crates(u)?;
        }
        // STEP 2
        let sched = scheduler(u);
        announce(u, &sched, trusted);
        // STEP 3
        let todo: Vec<&str> = u.todo().map(|p| u.crates[p].name.as_str()).collect();
        let meta = package(u, &todo)?;
        // STEP 4
        let start = Instant::now();
        let mut summary = Summary {
            skipped: u
                .crates
                .iter()
                .filter(|c| c.done)
                .map(|c| c.label())
                .collect(),
            ..Summary::default()
        };
        let engine = uploads::Engine::new(u, reg, &self.tokens, &meta, start);
        let sched = engine.run(sched, &mut summary)?;
        // STEP 5
        summary.blocked = sched
            .blocked()
            .into_iter()
            .map(|p| u.crates[p].label())
            .collect();
        report(&summary, start)
    }
}

/// The upload order: ready crates heading the longest chains first; with
/// the `acceptance` gate, dependents of a crate that existed before go
/// once its upload is accepted.
fn scheduler(u: &Uploads) -> Scheduler {
    let names = u.crates.iter().map(|c| c.name.clone()).collect();
    let deps = u.crates.iter().map(|c| c.deps.clone()).collect();
    let done: Vec<bool> = u.crates.iter().map(|c| c.done).collect();
    let mut sched = Scheduler::new(names, deps, &done);
    if u.wait_for == WaitFor::Acceptance {
        // A crate new to the registry exists for its dependents only once
        // it is in the index: they wait for that.
        sched.release_on_acceptance(u.crates.iter().map(|c| !c.new_crate).collect());
    }
    sched
}

/// Trusted publishing cannot create crates (crates.io answers 403): say
/// which crates need a first version published with a regular token.
fn refuse_new_crates(u: &Uploads) -> Result<()> {
    let new: Vec<String> = u
        .todo()
        .filter(|&p| u.crates[p].new_crate)
        .map(|p| u.crates[p].label())
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    bail!(
        "{} crates are new to `{}`, and trusted publishing tokens cannot create crates: {}. \
         Publish their first versions with a regular token (set {}), then run this again; \
         nothing was uploaded",
        new.len(),
        u.registry,
        new.join(", "),
        cargo_config::token_var(&u.registry)
    )
}

/// The line that says what will happen and the least time it takes.
fn announce(u: &Uploads, sched: &Scheduler, trusted: bool) {
    let todo: Vec<usize> = u.todo().collect();
    let n_new = todo.iter().filter(|&&p| u.crates[p].new_crate).count() as u32;
    let n_versions = todo.len() as u32 - n_new;
    let rate_ms = u.limits.map_or(0, |l| {
        let versions = if trusted {
            0
        } else {
            min_duration_ms(limit(l.new_versions), n_versions)
        };
        min_duration_ms(limit(l.new_crates), n_new).max(versions)
    });
    let gate = match u.wait_for {
        WaitFor::Acceptance => {
            "the registry accepted its dependencies (a new dependency: once it is in the index)"
        }
        WaitFor::Index => "its dependencies' versions are in the index",
    };
    let token = if trusted {
        " (trusted publishing: no per-user limit on new versions)"
    } else {
        ""
    };
    crate::output::say(
        "Publishing",
        &format!(
            "{} crates to `{}` ({} already there, {n_new} new crates); critical path {} crates; \
         at least {} under the registry's rate limits{token}; each goes once {gate}",
            todo.len(),
            u.registry,
            u.crates.len() - todo.len(),
            sched.critical_path(),
            fmt_secs(rate_ms / 1000)
        ),
    );
}

/// Packages `names` in one cargo run and reads the upload metadata from
/// `cargo metadata` meanwhile (both are on the critical path of a publish).
fn package(u: &Uploads, names: &[&str]) -> Result<cargo_metadata::Metadata> {
    let registry_flag = (u.registry != cargo_config::CRATES_IO).then_some(u.registry.as_str());
    let root = &u.workspace;
    let (packaged, meta) = std::thread::scope(|s| {
        let meta = s.spawn(|| crate::adapters::cargo::metadata(root));
        let packaged = crate::adapters::cargo::package(root, names, registry_flag, false);
        (
            packaged,
            meta.join().expect("cargo metadata reader panicked"),
        )
    });
    packaged?;
    meta
}

/// The summary line, and an error naming what is left when not all went.
fn report(summary: &Summary, start: Instant) -> Result<()> {
    crate::output::say(
        "Summary",
        &format!(
            "{} published, {} already there, {} failed, {} not attempted (a dependency failed) in {}",
            summary.published.len(),
            summary.skipped.len(),
            summary.failed.len(),
            summary.blocked.len(),
            fmt_secs(start.elapsed().as_secs())
        ),
    );
    if summary.failed.is_empty() && summary.blocked.is_empty() {
        return Ok(());
    }
    let failed: Vec<&str> = summary.failed.iter().map(|(n, _)| n.as_str()).collect();
    let blocked = if summary.blocked.is_empty() {
        "none".to_string()
    } else {
        summary.blocked.join(", ")
    };
    bail!(
        "publishing did not complete: failed: {}; not attempted: {blocked}. Run it again: what is published is skipped",
        failed.join(", ")
    )
}
