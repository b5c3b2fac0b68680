//! `cargo train publish`: every publishable crate to a registry, in graph
//! order, as fast as the graph and the registry's limits allow, safe to run
//! again at any moment.
//!
//! STEP 1: the registry (cargo's configuration), the publish order.
//! STEP 2: ask the index which versions exist; those are skipped.
//! STEP 3: say what will happen and how long the rate limits make it take.
//! STEP 4: package every crate to publish in one cargo run.
//! STEP 5: upload crates whose first-party dependencies are ready, `--jobs`
//!         uploads at a time, the critical path first. A dependency is ready
//!         once its version is in the index, or (registries whose gate is
//!         `acceptance`, crates.io by default) once the registry accepted
//!         the upload of a crate that existed before this run. Every upload
//!         is then confirmed in the index.
//! STEP 6: a summary; non-zero exit if anything failed.

use crate::adapters::cargo_config;
use crate::adapters::registry::{Failure, Registry};
use crate::core::config::{self, Gate, Rate};
use crate::core::graph;
use crate::core::manifest::{Field, Publish};
use crate::core::publish_metadata;
use crate::core::publish_plan::{Limit, Scheduler, State, TokenBucket, min_duration_ms};
use crate::exec::Executor;
use crate::retry::retry;
use crate::train::Context;
use crate::train::progress::{Progress, fmt_secs};
use crate::train::registry_auth::{self, Trusted};
use anyhow::{Context as _, Result, bail};
use semver::Version;
use std::collections::BTreeSet;
use std::path::PathBuf;
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
    pub failed: Vec<(String, UploadError)>,
    pub blocked: Vec<String>,
}

/// Why one crate did not reach the index. Kept typed, not as text, so
/// what the registry said (and whether it was worth a retry) stays
/// readable after the worker thread reports it.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Its `.crate` file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The registry refused the upload or the index read, or did not
    /// answer before the deadline.
    #[error(transparent)]
    Registry(#[from] Failure),
    /// The registry accepted it, but the index did not list it in time.
    #[error("uploaded, but not in the index after {}s", .0.as_secs())]
    NotIndexed(Duration),
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

    fn label(&self, p: usize) -> String {
        format!("{} {}", self.names[p], self.versions[p])
    }
}

pub fn run(ctx: &Context, opts: &PublishOpts, exec: &Executor) -> Result<Summary> {
    let pc = &ctx.config.publish;
    let reg_name = opts.registry.clone().unwrap_or_else(|| pc.registry.clone());
    let jobs = opts.jobs.unwrap_or(pc.jobs).max(1) as usize;

    // STEP 1
    let (reg, trusted) = registry_auth::open_to_publish(ctx, &reg_name, exec)?;
    let result = publish(ctx, &reg_name, jobs, &reg, trusted.as_ref(), exec);
    if let Some(t) = &trusted {
        t.revoke_all(&reg, exec);
    }
    result
}

fn publish(
    ctx: &Context,
    reg_name: &str,
    jobs: usize,
    reg: &Registry,
    trusted: Option<&Trusted>,
    exec: &Executor,
) -> Result<Summary> {
    let pc = &ctx.config.publish;
    let crates = Crates::for_registry(ctx, reg_name)?;

    // STEP 2
    let (done, new_crate) = in_the_index(reg, &crates)?;
    let n = crates.names.len();
    let mut summary = Summary {
        skipped: (0..n)
            .filter(|&p| done[p])
            .map(|p| crates.label(p))
            .collect(),
        ..Summary::default()
    };
    let todo: Vec<usize> = (0..n).filter(|&p| !done[p]).collect();
    if todo.is_empty() {
        crate::output::say(
            "Publishing",
            &format!("nothing: all {n} crates are in `{reg_name}` already"),
        );
        return Ok(summary);
    }

    if trusted.is_some() {
        refuse_new_crates(&crates, &todo, &new_crate, reg_name)?;
    }

    // STEP 3
    let mut sched = Scheduler::new(crates.names.clone(), crates.deps.clone(), &done);
    let gate = pc.gate(reg_name);
    if gate == Gate::Acceptance {
        // A crate new to the registry exists for its dependents only once
        // it is in the index: they wait for that.
        sched.release_on_acceptance(new_crate.iter().map(|n| !n).collect());
    }
    let limits = pc.limits(reg_name);
    // Trusted publishing tokens have no user, so the per-user limit on new
    // versions does not apply to them.
    let version_limit = limits.filter(|_| trusted.is_none()).map(|l| l.new_versions);
    announce(
        reg_name,
        &todo,
        &new_crate,
        &sched,
        &summary,
        pc,
        trusted.is_some(),
    );

    // STEP 4
    let todo_names: Vec<&str> = todo.iter().map(|&p| crates.names[p].as_str()).collect();
    let meta = package(ctx, reg_name, &todo_names)?;

    // STEP 5
    let start = Instant::now();
    let uploads = Uploads {
        reg,
        trusted,
        exec,
        crates: &crates,
        new_crate: &new_crate,
        meta: &meta,
        target: meta.target_directory.clone().into_std_path_buf(),
        crates_io: reg_name == cargo_config::CRATES_IO,
        jobs,
        budget: Duration::from_secs(pc.retry_budget_secs),
        index_timeout: Duration::from_secs(pc.index_timeout_secs),
        start,
    };
    let buckets = Buckets {
        versions: version_limit.map(|r| TokenBucket::new(limit(r), 0)),
        crates: limits.map(|l| TokenBucket::new(limit(l.new_crates), 0)),
    };
    uploads.run(&mut sched, buckets, Progress::new(todo.len()), &mut summary)?;

    // STEP 6
    summary.blocked = sched
        .blocked()
        .into_iter()
        .map(|p| crates.label(p))
        .collect();
    report(&summary, start)?;
    Ok(summary)
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

/// Packages `names` in one cargo run and reads the upload metadata from
/// `cargo metadata` meanwhile (both are on the critical path of a publish).
fn package(ctx: &Context, reg_name: &str, names: &[&str]) -> Result<cargo_metadata::Metadata> {
    let registry_flag = (reg_name != cargo_config::CRATES_IO).then_some(reg_name);
    let (packaged, meta) = std::thread::scope(|s| {
        let meta = s.spawn(|| crate::adapters::cargo::metadata(&ctx.root));
        let packaged = crate::adapters::cargo::package(&ctx.root, names, registry_flag, false);
        (
            packaged,
            meta.join().expect("cargo metadata reader panicked"),
        )
    });
    packaged?;
    meta
}

/// Trusted publishing cannot create crates (crates.io answers 403): say
/// which crates need a first version published with a regular token.
fn refuse_new_crates(crates: &Crates, todo: &[usize], new_crate: &[bool], reg: &str) -> Result<()> {
    let new: Vec<String> = todo
        .iter()
        .filter(|&&p| new_crate[p])
        .map(|&p| crates.label(p))
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    bail!(
        "{} crates are new to `{reg}`, and trusted publishing tokens cannot create crates: {}. \
         Publish their first versions with a regular token (set {}), then run this again; \
         nothing was uploaded",
        new.len(),
        new.join(", "),
        registry_auth::token_var(reg)
    )
}

/// The line that says what will happen and the least time it takes.
fn announce(
    reg_name: &str,
    todo: &[usize],
    new_crate: &[bool],
    sched: &Scheduler,
    summary: &Summary,
    pc: &config::Publish,
    trusted: bool,
) {
    let limits = pc.limits(reg_name);
    let n_new = todo.iter().filter(|&&p| new_crate[p]).count() as u32;
    let n_versions = todo.len() as u32 - n_new;
    let rate_ms = limits.map_or(0, |l| {
        let versions = if trusted {
            0
        } else {
            min_duration_ms(limit(l.new_versions), n_versions)
        };
        min_duration_ms(limit(l.new_crates), n_new).max(versions)
    });
    let gate = match pc.gate(reg_name) {
        Gate::Acceptance => {
            "the registry accepted its dependencies (a new dependency: once it is in the index)"
        }
        Gate::Index => "its dependencies' versions are in the index",
    };
    let token = if trusted {
        " (trusted publishing: no per-user limit on new versions)"
    } else {
        ""
    };
    crate::output::say(
        "Publishing",
        &format!(
            "{} crates to `{reg_name}` ({} already there, {n_new} new crates); critical path {} crates; \
         at least {} under the registry's rate limits{token}; each goes once {gate}",
            todo.len(),
            summary.skipped.len(),
            sched.critical_path(),
            fmt_secs(rate_ms / 1000)
        ),
    );
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

/// The registry's rate limits for new versions and new crates (none where
/// the registry or the token has none).
struct Buckets {
    versions: Option<TokenBucket>,
    crates: Option<TokenBucket>,
}

/// What a worker thread reports about one crate.
enum Event {
    /// The registry accepted the upload (a dry run: it would be uploaded).
    Accepted(usize),
    /// The version is in the index.
    Confirmed(usize),
    /// The upload failed, or the version never showed in the index.
    Failed(usize, UploadError),
}

/// Uploads under way, and accepted uploads not yet seen in the index.
#[derive(Default)]
struct InFlight {
    uploading: usize,
    confirming: usize,
}

impl InFlight {
    fn is_empty(&self) -> bool {
        self.uploading + self.confirming == 0
    }
}

/// STEP 5: the uploads and index confirmations of one run.
struct Uploads<'a> {
    reg: &'a Registry,
    trusted: Option<&'a Trusted>,
    exec: &'a Executor,
    crates: &'a Crates,
    new_crate: &'a [bool],
    meta: &'a cargo_metadata::Metadata,
    target: PathBuf,
    crates_io: bool,
    jobs: usize,
    budget: Duration,
    index_timeout: Duration,
    start: Instant,
}

impl Uploads<'_> {
    fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// Uploads until nothing more can go: `jobs` uploads in flight at once;
    /// an accepted upload frees its slot while its index confirmation runs.
    fn run(
        &self,
        sched: &mut Scheduler,
        mut buckets: Buckets,
        mut progress: Progress,
        summary: &mut Summary,
    ) -> Result<()> {
        std::thread::scope(|scope| -> Result<()> {
            let (tx, rx) = mpsc::channel::<Event>();
            let mut flight = InFlight::default();
            loop {
                let wait_for_token =
                    self.start_ready(scope, &tx, sched, &mut buckets, &mut flight, &progress)?;
                if flight.is_empty() && wait_for_token.is_none() {
                    return Ok(());
                }
                let got = match wait_for_token {
                    Some(w) if flight.is_empty() => {
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
                if let Some(event) = got {
                    self.handle(
                        event,
                        scope,
                        &tx,
                        sched,
                        &mut flight,
                        &mut progress,
                        summary,
                    );
                }
            }
        })?;
        progress.finish();
        Ok(())
    }

    /// Starts the uploads of ready crates while slots and rate limits allow;
    /// says how long to wait when a rate limit stopped it.
    fn start_ready<'s>(
        &'s self,
        scope: &'s std::thread::Scope<'s, '_>,
        tx: &mpsc::Sender<Event>,
        sched: &mut Scheduler,
        buckets: &mut Buckets,
        flight: &mut InFlight,
        progress: &Progress,
    ) -> Result<Option<Duration>> {
        while flight.uploading < self.jobs {
            let Some(&p) = sched.ready().first() else {
                break;
            };
            let bucket = if self.new_crate[p] {
                &mut buckets.crates
            } else {
                &mut buckets.versions
            };
            if let Some(b) = bucket
                && let Err(wait) = b.take(self.now_ms())
            {
                return Ok(Some(Duration::from_millis(wait)));
            }
            let (metadata, file) = self.prepare(p)?;
            sched.set(p, State::Running);
            flight.uploading += 1;
            let tx = tx.clone();
            scope.spawn(move || {
                let r = std::fs::read(&file)
                    .map_err(|source| UploadError::Read { path: file, source })
                    .and_then(|bytes| self.upload(p, &metadata, &bytes));
                let _ = tx.send(match r {
                    Ok(()) => Event::Accepted(p),
                    Err(e) => Event::Failed(p, e),
                });
            });
            progress.say(&format!("{:>12} {}", "Uploading", self.crates.label(p)));
        }
        Ok(None)
    }

    /// Records what a worker reported; an accepted upload starts its index
    /// confirmation.
    #[allow(clippy::too_many_arguments)]
    fn handle<'s>(
        &'s self,
        event: Event,
        scope: &'s std::thread::Scope<'s, '_>,
        tx: &mpsc::Sender<Event>,
        sched: &mut Scheduler,
        flight: &mut InFlight,
        progress: &mut Progress,
        summary: &mut Summary,
    ) {
        match event {
            Event::Accepted(p) => {
                flight.uploading -= 1;
                flight.confirming += 1;
                sched.set(p, State::Accepted);
                let tx = tx.clone();
                scope.spawn(move || {
                    let _ = tx.send(match self.confirm(p) {
                        Ok(()) => Event::Confirmed(p),
                        Err(e) => Event::Failed(p, e),
                    });
                });
            }
            Event::Confirmed(p) => {
                flight.confirming -= 1;
                sched.set(p, State::Done);
                summary.published.push(self.crates.label(p));
                let verb = if self.exec.is_dry_run() {
                    "Checked"
                } else {
                    "Published"
                };
                progress.step(&format!("{verb:>12} {}", self.crates.label(p)));
            }
            Event::Failed(p, e) => {
                if sched.state[p] == State::Accepted {
                    flight.confirming -= 1;
                } else {
                    flight.uploading -= 1;
                }
                progress.say(&format!("{:>12} {}: {e}", "Failed", self.crates.label(p)));
                sched.set(p, State::Failed);
                summary.failed.push((self.crates.label(p), e));
            }
        }
    }

    /// The upload's metadata (cargo's publish format) and `.crate` file.
    fn prepare(&self, p: usize) -> Result<(serde_json::Value, PathBuf)> {
        let name = &self.crates.names[p];
        let pkg = self
            .meta
            .packages
            .iter()
            .find(|k| k.name.as_str() == name)
            .with_context(|| format!("cargo metadata does not list {name}"))?;
        let readme = pkg.readme.as_ref().and_then(|r| {
            let dir = pkg
                .manifest_path
                .parent()
                .expect("manifest has a directory");
            std::fs::read_to_string(dir.join(r)).ok()
        });
        let metadata = publish_metadata::metadata(pkg, readme, self.crates_io);
        let file = self
            .target
            .join("package")
            .join(format!("{name}-{}.crate", self.crates.versions[p]));
        Ok((metadata, file))
    }

    fn say_retry(&self, p: usize) -> impl Fn(&Failure, Duration) + '_ {
        move |e, w| {
            crate::output::say(
                "Retrying",
                &format!("{} in {:.1}s: {e}", self.crates.label(p), w.as_secs_f64()),
            )
        }
    }

    /// Uploads one crate with retries, until the registry accepts it.
    fn upload(
        &self,
        p: usize,
        metadata: &serde_json::Value,
        bytes: &[u8],
    ) -> Result<(), UploadError> {
        let (name, version) = (&self.crates.names[p], &self.crates.versions[p]);
        let deadline = Instant::now() + self.budget;
        match retry(
            deadline,
            || {
                if let Some(t) = self.trusted {
                    t.renew_if_due(self.reg, self.exec)?;
                }
                self.exec.publish(self.reg, name, version, metadata, bytes)
            },
            self.say_retry(p),
        ) {
            Ok(()) => Ok(()),
            // A run killed after its upload left the version there: fine.
            Err(Failure::AlreadyPublished(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Waits until the index lists an accepted upload.
    fn confirm(&self, p: usize) -> Result<(), UploadError> {
        if self.exec.is_dry_run() {
            return Ok(());
        }
        let (name, version) = (&self.crates.names[p], &self.crates.versions[p]);
        let until = Instant::now() + self.index_timeout;
        let mut n = 0;
        loop {
            let listed = retry(until, || self.reg.versions(name), self.say_retry(p))?;
            if listed.iter().any(|v| v.version == *version) {
                return Ok(());
            }
            // Each poll is one small GET: look often at first (a dependent
            // may wait on this), then once a second.
            let wait = if n < 50 {
                Duration::from_millis(200)
            } else {
                Duration::from_secs(1)
            };
            if Instant::now() + wait > until {
                return Err(UploadError::NotIndexed(self.index_timeout));
            }
            std::thread::sleep(wait);
            n += 1;
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn upload_errors_say_what_the_strings_said_and_keep_their_cause() {
        let e = UploadError::from(Failure::Transient {
            message: "503 from the registry".into(),
            retry_after: Some(Duration::from_secs(3)),
        });
        assert_eq!(e.to_string(), "503 from the registry");
        assert!(matches!(
            e,
            UploadError::Registry(Failure::Transient {
                retry_after: Some(_),
                ..
            })
        ));
        let e = UploadError::Read {
            path: "target/package/a-1.0.0.crate".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        assert!(
            e.to_string().starts_with("target/package/a-1.0.0.crate: "),
            "{e}"
        );
        let io = e.source().and_then(|s| s.downcast_ref::<std::io::Error>());
        assert_eq!(io.map(|io| io.kind()), Some(std::io::ErrorKind::NotFound));
        assert_eq!(
            UploadError::NotIndexed(Duration::from_secs(90)).to_string(),
            "uploaded, but not in the index after 90s"
        );
    }
}
