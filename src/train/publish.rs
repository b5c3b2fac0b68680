//! `cargo train publish`: every publishable crate to a registry, in graph
//! order, as fast as the graph and the registry's limits allow, safe to run
//! again at any moment.
//!
//! STEP 1: the registry (cargo's configuration, opened with its
//!         authorization), the publish order.
//! STEP 2: ask the index which versions exist; those are skipped.
//! STEP 3: the plan: a trusted publishing token first when there is no
//!         token, the uploads (carried out by `apply::publish`: packaged in
//!         one cargo run, each uploaded once its first-party dependencies
//!         are ready, confirmed in the index), the tokens revoked last.

use crate::adapters::registry::{Failure, Registry};
use crate::core::graph;
use crate::core::manifest::{Field, Publish};
use crate::plan::{Auth, Effect, Plan, Upload, Uploads};
use crate::retry::retry_at_most;

/// Retries of one index read, as cargo's `net.retry` default.
const INDEX_RETRIES: u32 = 3;
use crate::train::Context;
use crate::train::registry_auth::{self, Need, Prepared};
use anyhow::Result;
use semver::Version;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

pub struct PublishOpts {
    pub registry: Option<String>,
    pub jobs: Option<u32>,
}

/// The plan of a publish; `need` says whether the registry must take a
/// token (a dry run needs none).
pub fn plan(ctx: &Context, opts: &PublishOpts, need: Need) -> Result<Prepared> {
    let pc = &ctx.config.publish;
    let reg_name = opts.registry.clone().unwrap_or_else(|| pc.registry.clone());
    // STEP 1
    let registry = registry_auth::open(ctx, &reg_name)?;
    let auth = registry_auth::to_publish(&registry, need)?;
    let crates = Crates::for_registry(ctx, &reg_name)?;
    // STEP 2
    let (done, new_crate) = in_the_index(&registry, &crates)?;
    let n = crates.names.len();
    let mut plan = Plan::default();
    if done.iter().all(|d| *d) {
        crate::output::say(
            "Publishing",
            &format!("nothing: all {n} crates are in `{reg_name}` already"),
        );
        return Ok(Prepared { plan, registry });
    }
    // STEP 3
    let uploads = Uploads {
        registry: reg_name.clone(),
        workspace: ctx.root.clone(),
        crates: (0..n)
            .map(|p| Upload {
                name: crates.names[p].clone(),
                version: crates.versions[p].clone(),
                deps: crates.deps[p].clone(),
                done: done[p],
                new_crate: new_crate[p],
            })
            .collect(),
        auth,
        jobs: opts.jobs.unwrap_or(pc.jobs).max(1) as usize,
        wait_for: pc.wait_for(&reg_name),
        limits: pc.limits(&reg_name),
        retry_budget: Duration::from_secs(pc.retry_budget_secs),
        index_timeout: Duration::from_secs(pc.index_timeout_secs),
    };
    if auth == Auth::Trusted {
        plan.add(Effect::MintToken {
            registry: reg_name.clone(),
            renew_after: Duration::from_secs(pc.trusted_token_renew_secs),
        });
        plan.finally(Effect::RevokeTokens { registry: reg_name });
    }
    plan.add(Effect::Publish(uploads));
    Ok(Prepared { plan, registry })
}

/// A final version published: ticked in its release's tracking issue
/// (with `[tracking]`; `repo` is the workspace's repository).
pub fn track(ctx: &Context, repo: &crate::train::repo::Repo, plan: &mut Plan) -> Result<()> {
    use crate::core::tracking::keys;
    use crate::train::tracking::{Step, add};
    match ctx.ws.train_version() {
        Some(v) if v.pre.is_empty() => add(repo, plan, &v, Step::default().tick(keys::PUBLISH)),
        _ => Ok(()),
    }
}

/// Whether crate `i` goes to `registry` (`publish = ["…"]` may name others).
fn goes_to(ctx: &Context, i: usize, registry: &str) -> bool {
    let c = &ctx.ws.crates[i];
    if !c.publishable {
        return false;
    }
    let pkg = ctx.ws.manifests[c.manifest]
        .package
        .as_ref()
        .expect("member");
    match &pkg.publish {
        Field::Given(Publish::Registries(list)) => list.iter().any(|r| r == registry),
        _ => true,
    }
}

/// The crates that go to one registry, in publish order, with the
/// first-party dependencies of each (positions in that order).
struct Crates {
    names: Vec<String>,
    versions: Vec<Version>,
    deps: Vec<BTreeSet<usize>>,
}

impl Crates {
    fn for_registry(ctx: &Context, registry: &str) -> Result<Crates> {
        let order: Vec<usize> = graph::publish_order(&ctx.ws)?
            .into_iter()
            .filter(|&i| goes_to(ctx, i, registry))
            .collect();
        let pos: std::collections::HashMap<usize, usize> =
            order.iter().enumerate().map(|(p, &i)| (i, p)).collect();
        let full = graph::publish_graph(&ctx.ws);
        Ok(Crates {
            names: order
                .iter()
                .map(|&i| ctx.ws.crates[i].name.clone())
                .collect(),
            versions: order
                .iter()
                .map(|&i| ctx.ws.crates[i].version.clone())
                .collect(),
            deps: order
                .iter()
                .map(|&i| full[i].iter().filter_map(|d| pos.get(d).copied()).collect())
                .collect(),
        })
    }
}

/// Which crates' versions are in the index already, and which crates the
/// registry does not have at all.
fn in_the_index(reg: &Registry, crates: &Crates) -> Result<(Vec<bool>, Vec<bool>)> {
    let existing = index_versions(reg, &crates.names)?;
    let done = existing
        .iter()
        .zip(&crates.versions)
        .map(|(listed, v)| listed.contains(v))
        .collect();
    Ok((done, existing.iter().map(Vec::is_empty).collect()))
}

/// Index versions of every crate, asked a few at a time.
fn index_versions(reg: &Registry, names: &[String]) -> Result<Vec<Vec<Version>>> {
    let entries = index_entries(reg, names, Duration::from_secs(300));
    // The read that failed, not one left unasked because of it.
    let failure = entries
        .iter()
        .zip(names)
        .filter_map(|(r, n)| r.as_ref().err().map(|e| (e.to_string(), n)))
        .min_by_key(|(e, _)| e.starts_with("not asked"));
    if let Some((e, n)) = failure {
        anyhow::bail!("could not read the index entry of {n}: {e}");
    }
    Ok(entries.into_iter().flatten().collect())
}

/// The crates that go to `registry`, in publish order, at their versions
/// in `ctx`.
pub fn crates_to(ctx: &Context, registry: &str) -> Result<Vec<(String, Version)>> {
    let c = Crates::for_registry(ctx, registry)?;
    Ok(c.names.into_iter().zip(c.versions).collect())
}

/// The versions the index lists for each of `names` (in that order), asked
/// a few at a time; a transient failure is retried until `budget` is spent.
pub fn index_entries(
    reg: &Registry,
    names: &[String],
    budget: Duration,
) -> Vec<Result<Vec<Version>, Failure>> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let deadline = Instant::now() + budget;
    // The first read that fails for good ends the others (each then says
    // so): a server that hangs is not waited on crate after crate.
    let failed = &AtomicBool::new(false);
    std::thread::scope(|s| {
        let chunks: Vec<_> = names
            .chunks(names.len().div_ceil(8).max(1))
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|n| {
                            if failed.load(Ordering::Relaxed) {
                                return Err(Failure::Permanent(
                                    "not asked: another read of the index failed".into(),
                                ));
                            }
                            let r = retry_at_most(
                                INDEX_RETRIES,
                                deadline,
                                || reg.versions(n),
                                |_, _| {},
                            )
                            .map(|v| v.into_iter().map(|x| x.version).collect());
                            if r.is_err() {
                                failed.store(true, Ordering::Relaxed);
                            }
                            r
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        chunks
            .into_iter()
            .flat_map(|h| h.join().expect("index reader panicked"))
            .collect()
    })
}
