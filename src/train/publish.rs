//! `cargo train publish`: every publishable crate to a registry, in graph
//! order, as fast as the graph and the registry's limits allow, safe to run
//! again at any moment.
//!
//! STEP 1: the registry (cargo's configuration), the publish order.
//! STEP 2: ask the index which versions exist; those are skipped.
//! STEP 3: say what will happen and how long the rate limits make it take.
//! STEP 4: package every crate to publish in one cargo run.
//! STEP 5: upload crates whose first-party dependencies are in the index,
//!         `--jobs` at a time, the critical path first; wait for each to
//!         appear in the index before its dependents go.
//! STEP 6: a summary; non-zero exit if anything failed.

use crate::adapters::cargo_config;
use crate::adapters::registry::{Failure, Registry};
use crate::core::config::Rate;
use crate::core::graph;
use crate::core::manifest::{Field, Publish};
use crate::core::publish_metadata;
use crate::core::publish_plan::{Limit, Scheduler, State, TokenBucket, min_duration_ms};
use crate::exec::Executor;
use crate::train::Context;
use crate::train::progress::{Progress, fmt_secs};
use crate::train::retry::retry;
use anyhow::{Context as _, Result, bail};
use semver::Version;
use std::collections::BTreeSet;
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct PublishOpts {
    pub registry: Option<String>,
    pub jobs: Option<u32>,
}

#[derive(Debug, Default)]
pub struct Summary {
    pub published: Vec<String>,
    pub skipped: Vec<String>,
    pub failed: Vec<(String, String)>,
    pub blocked: Vec<String>,
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

fn limit(r: Rate) -> Limit {
    Limit {
        burst: r.burst,
        every_ms: r.every_secs * 1000,
    }
}

pub fn open_registry(ctx: &Context, name: &str, exec: &Executor) -> Result<Registry> {
    let cfg = cargo_config::registry(&ctx.root, name)?;
    let reg = Registry::open(cfg, &ctx.root)?;
    if !exec.is_dry_run() && !reg.has_token() {
        let var = if name == cargo_config::CRATES_IO {
            "CARGO_REGISTRY_TOKEN".to_string()
        } else {
            format!(
                "CARGO_REGISTRIES_{}_TOKEN",
                name.to_uppercase().replace('-', "_")
            )
        };
        bail!("no token for registry `{name}`: set {var} or run `cargo login`");
    }
    Ok(reg)
}

pub fn run(ctx: &Context, opts: &PublishOpts, exec: &Executor) -> Result<Summary> {
    let pc = &ctx.config.publish;
    let reg_name = opts.registry.clone().unwrap_or_else(|| pc.registry.clone());
    let jobs = opts.jobs.unwrap_or(pc.jobs).max(1) as usize;

    // STEP 1
    let reg = open_registry(ctx, &reg_name, exec)?;
    let order: Vec<usize> = graph::publish_order(&ctx.ws)?
        .into_iter()
        .filter(|&i| goes_to(ctx, i, &reg_name))
        .collect();
    let names: Vec<String> = order
        .iter()
        .map(|&i| ctx.ws.crates[i].name.clone())
        .collect();
    let versions: Vec<Version> = order
        .iter()
        .map(|&i| ctx.ws.crates[i].version.clone())
        .collect();
    let pos: std::collections::HashMap<usize, usize> =
        order.iter().enumerate().map(|(p, &i)| (i, p)).collect();
    let full = graph::publish_graph(&ctx.ws);
    let deps: Vec<BTreeSet<usize>> = order
        .iter()
        .map(|&i| full[i].iter().filter_map(|d| pos.get(d).copied()).collect())
        .collect();

    // STEP 2
    let existing = index_versions(&reg, &names)?;
    let done: Vec<bool> = (0..names.len())
        .map(|p| existing[p].contains(&versions[p]))
        .collect();
    let new_crate: Vec<bool> = existing.iter().map(Vec::is_empty).collect();
    let mut summary = Summary::default();
    for p in (0..names.len()).filter(|&p| done[p]) {
        summary
            .skipped
            .push(format!("{} {}", names[p], versions[p]));
    }
    let todo: Vec<usize> = (0..names.len()).filter(|&p| !done[p]).collect();
    if todo.is_empty() {
        eprintln!(
            "{:>12} nothing: all {} crates are in `{reg_name}` already",
            "Publishing",
            names.len()
        );
        return Ok(summary);
    }

    // STEP 3
    let mut sched = Scheduler::new(names.clone(), deps, &done);
    let limits = pc.limits(&reg_name);
    let (n_new, n_versions) =
        todo.iter().fold(
            (0, 0),
            |(a, b), &p| if new_crate[p] { (a + 1, b) } else { (a, b + 1) },
        );
    let rate_ms = limits.map_or(0, |l| {
        min_duration_ms(limit(l.new_crates), n_new)
            .max(min_duration_ms(limit(l.new_versions), n_versions))
    });
    eprintln!(
        "{:>12} {} crates to `{reg_name}` ({} already there, {n_new} new crates); critical path {} crates; \
         at least {} under the registry's rate limits",
        "Publishing",
        todo.len(),
        summary.skipped.len(),
        sched.critical_path(),
        fmt_secs(rate_ms / 1000)
    );

    // STEP 4
    let todo_names: Vec<&str> = todo.iter().map(|&p| names[p].as_str()).collect();
    let registry_flag = (reg_name != cargo_config::CRATES_IO).then_some(reg_name.as_str());
    crate::adapters::cargo::package(&ctx.root, &todo_names, registry_flag, false)?;
    let meta = crate::adapters::cargo::metadata(&ctx.root)?;
    let target = meta.target_directory.clone().into_std_path_buf();

    // STEP 5
    let start = Instant::now();
    let now_ms = || start.elapsed().as_millis() as u64;
    let mut buckets = limits.map(|l| {
        (
            TokenBucket::new(limit(l.new_versions), 0),
            TokenBucket::new(limit(l.new_crates), 0),
        )
    });
    let budget = Duration::from_secs(pc.retry_budget_secs);
    let index_timeout = Duration::from_secs(pc.index_timeout_secs);
    let mut progress = Progress::new(todo.len());
    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = mpsc::channel::<(usize, Result<(), String>)>();
        let mut running = 0;
        loop {
            let mut wait_for_token = None;
            while running < jobs {
                let Some(&p) = sched.ready().first() else {
                    break;
                };
                if let Some((versions_bucket, crates_bucket)) = buckets.as_mut() {
                    let b = if new_crate[p] {
                        crates_bucket
                    } else {
                        versions_bucket
                    };
                    if let Err(wait) = b.take(now_ms()) {
                        wait_for_token = Some(Duration::from_millis(wait));
                        break;
                    }
                }
                sched.set(p, State::Running);
                running += 1;
                let pkg = meta
                    .packages
                    .iter()
                    .find(|k| k.name.as_str() == names[p])
                    .with_context(|| format!("cargo metadata does not list {}", names[p]))?;
                let readme = pkg.readme.as_ref().and_then(|r| {
                    let dir = pkg
                        .manifest_path
                        .parent()
                        .expect("manifest has a directory");
                    std::fs::read_to_string(dir.join(r)).ok()
                });
                let metadata =
                    publish_metadata::metadata(pkg, readme, reg_name == cargo_config::CRATES_IO);
                let file = target
                    .join("package")
                    .join(format!("{}-{}.crate", names[p], versions[p]));
                let (tx, reg, name, version) =
                    (tx.clone(), &reg, names[p].clone(), versions[p].clone());
                scope.spawn(move || {
                    let r = std::fs::read(&file)
                        .map_err(|e| format!("{}: {e}", file.display()))
                        .and_then(|bytes| {
                            upload(
                                reg,
                                exec,
                                &name,
                                &version,
                                &metadata,
                                &bytes,
                                budget,
                                index_timeout,
                            )
                        });
                    let _ = tx.send((p, r));
                });
                progress.say(&format!("{:>12} {} {}", "Uploading", names[p], versions[p]));
            }
            if running == 0 && wait_for_token.is_none() {
                break;
            }
            let got = match wait_for_token {
                Some(w) if running == 0 => {
                    progress.say(&format!(
                        "{:>12} {} until the registry's rate limit allows the next upload",
                        "Waiting",
                        fmt_secs(w.as_secs())
                    ));
                    std::thread::sleep(w);
                    continue;
                }
                Some(w) => rx.recv_timeout(w).ok(),
                None => rx.recv().ok(),
            };
            let Some((p, r)) = got else { continue };
            running -= 1;
            match r {
                Ok(()) => {
                    sched.set(p, State::Done);
                    summary
                        .published
                        .push(format!("{} {}", names[p], versions[p]));
                    let verb = if exec.is_dry_run() {
                        "Checked"
                    } else {
                        "Published"
                    };
                    progress.step(&format!("{verb:>12} {} {}", names[p], versions[p]));
                }
                Err(e) => {
                    progress.say(&format!(
                        "{:>12} {} {}: {e}",
                        "Failed", names[p], versions[p]
                    ));
                    sched.set(p, State::Failed);
                    summary
                        .failed
                        .push((format!("{} {}", names[p], versions[p]), e));
                }
            }
        }
        Ok(())
    })?;
    progress.finish();

    // STEP 6
    for p in sched.blocked() {
        summary
            .blocked
            .push(format!("{} {}", names[p], versions[p]));
    }
    eprintln!(
        "{:>12} {} published, {} already there, {} failed, {} not attempted (a dependency failed) in {}",
        "Summary",
        summary.published.len(),
        summary.skipped.len(),
        summary.failed.len(),
        summary.blocked.len(),
        fmt_secs(start.elapsed().as_secs())
    );
    if !summary.failed.is_empty() || !summary.blocked.is_empty() {
        bail!(
            "publishing did not complete: failed: {}; not attempted: {}. Run it again: what is published is skipped",
            summary
                .failed
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if summary.blocked.is_empty() {
                "none".to_string()
            } else {
                summary.blocked.join(", ")
            }
        );
    }
    Ok(summary)
}

/// Index versions of every crate, asked a few at a time.
fn index_versions(reg: &Registry, names: &[String]) -> Result<Vec<Vec<Version>>> {
    let deadline = Instant::now() + Duration::from_secs(300);
    let results: Vec<Result<Vec<Version>, Failure>> = std::thread::scope(|s| {
        let chunks: Vec<_> = names
            .chunks(names.len().div_ceil(8).max(1))
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|n| {
                            retry(deadline, || reg.versions(n), |_, _| {})
                                .map(|v| v.into_iter().map(|x| x.version).collect())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        chunks
            .into_iter()
            .flat_map(|h| h.join().expect("index reader panicked"))
            .collect()
    });
    results
        .into_iter()
        .zip(names)
        .map(|(r, n)| r.map_err(|e| anyhow::anyhow!("could not read the index entry of {n}: {e}")))
        .collect()
}

/// Uploads one crate with retries, then waits until the index lists it.
#[allow(clippy::too_many_arguments)]
fn upload(
    reg: &Registry,
    exec: &Executor,
    name: &str,
    version: &Version,
    metadata: &serde_json::Value,
    bytes: &[u8],
    budget: Duration,
    index_timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + budget;
    let say = |e: &Failure, w: Duration| {
        eprintln!(
            "{:>12} {name} {version} in {:.1}s: {e}",
            "Retrying",
            w.as_secs_f64()
        )
    };
    match retry(
        deadline,
        || exec.publish(reg, name, version, metadata, bytes),
        say,
    ) {
        Ok(()) => {}
        // A run killed after its upload left the version there: fine.
        Err(Failure::Permanent(m)) if m.contains("already") => {}
        Err(e) => return Err(e.to_string()),
    }
    if exec.is_dry_run() {
        return Ok(());
    }
    let until = Instant::now() + index_timeout;
    let mut n = 0;
    loop {
        let listed = retry(until, || reg.versions(name), say).map_err(|e| e.to_string())?;
        if listed.iter().any(|v| v.version == *version) {
            return Ok(());
        }
        // Each poll is one small GET: look often at first (a dependent waits
        // on this), then once a second.
        let wait = if n < 50 {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(1)
        };
        if Instant::now() + wait > until {
            return Err(format!(
                "uploaded, but not in the index after {}s",
                index_timeout.as_secs()
            ));
        }
        std::thread::sleep(wait);
        n += 1;
    }
}
