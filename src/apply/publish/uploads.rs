//! The uploads and index confirmations of one publish: `jobs` uploads in
//! flight at once, each started when the scheduler says its crate is ready
//! and the registry's rate limits allow; an accepted upload frees its slot
//! while a second thread waits for the index to list it.

use super::{Summary, limit};
use crate::adapters::registry::{Failure, Registry};
use crate::apply::tokens::Tokens;
use crate::core::publish_metadata;
use crate::core::publish_plan::{Scheduler, TokenBucket, UploadState};
use crate::plan::{Auth, Uploads};
use crate::progress::{Progress, fmt_secs};
use crate::retry::retry;
use anyhow::{Context as _, Result};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

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

/// The registry's rate limits for new versions and new crates (none where
/// the registry or the token has none).
struct Buckets {
    versions: Option<TokenBucket>,
    crates: Option<TokenBucket>,
}

/// What a worker thread reports about one crate.
enum Event {
    /// The registry accepted the upload.
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

pub(super) struct Engine<'a> {
    u: &'a Uploads,
    reg: &'a Registry,
    tokens: &'a Tokens,
    meta: &'a cargo_metadata::Metadata,
    target: PathBuf,
    crates_io: bool,
    start: Instant,
}

impl<'a> Engine<'a> {
    pub(super) fn new(
        u: &'a Uploads,
        reg: &'a Registry,
        tokens: &'a Tokens,
        meta: &'a cargo_metadata::Metadata,
        start: Instant,
    ) -> Engine<'a> {
        Engine {
            u,
            reg,
            tokens,
            meta,
            target: meta.target_directory.clone().into_std_path_buf(),
            crates_io: u.registry == crate::adapters::cargo_config::CRATES_IO,
            start,
        }
    }

    fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    fn label(&self, p: usize) -> String {
        self.u.crates[p].label()
    }

    fn buckets(&self) -> Buckets {
        // Trusted publishing tokens have no user, so the per-user limit on
        // new versions does not apply to them.
        let trusted = self.u.auth == Auth::Trusted;
        let l = self.u.limits;
        Buckets {
            versions: l
                .filter(|_| !trusted)
                .map(|l| TokenBucket::new(limit(l.new_versions), 0)),
            crates: l.map(|l| TokenBucket::new(limit(l.new_crates), 0)),
        }
    }

    /// Uploads until nothing more can go; returns the scheduler as it
    /// ended (what is blocked).
    pub(super) fn run(&self, mut sched: Scheduler, summary: &mut Summary) -> Result<Scheduler> {
        let mut buckets = self.buckets();
        let mut progress = Progress::new(self.u.todo().count());
        std::thread::scope(|scope| -> Result<()> {
            let (tx, rx) = mpsc::channel::<Event>();
            let mut flight = InFlight::default();
            loop {
                let wait_for_token =
                    self.start_ready(scope, &tx, &mut sched, &mut buckets, &mut flight, &progress)?;
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
                    let mut at = At {
                        sched: &mut sched,
                        flight: &mut flight,
                        progress: &mut progress,
                        summary,
                    };
                    self.handle(event, scope, &tx, &mut at);
                }
            }
        })?;
        progress.finish();
        Ok(sched)
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
        while flight.uploading < self.u.jobs {
            let Some(&p) = sched.ready().first() else {
                break;
            };
            let bucket = if self.u.crates[p].new_crate {
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
            sched.set(p, UploadState::Running);
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
            progress.say(&format!("{:>12} {}", "Uploading", self.label(p)));
        }
        Ok(None)
    }

    /// Records what a worker reported; an accepted upload starts its index
    /// confirmation.
    fn handle<'s>(
        &'s self,
        event: Event,
        scope: &'s std::thread::Scope<'s, '_>,
        tx: &mpsc::Sender<Event>,
        at: &mut At<'_>,
    ) {
        match event {
            Event::Accepted(p) => {
                at.flight.uploading -= 1;
                at.flight.confirming += 1;
                at.sched.set(p, UploadState::Accepted);
                let tx = tx.clone();
                scope.spawn(move || {
                    let _ = tx.send(match self.confirm(p) {
                        Ok(()) => Event::Confirmed(p),
                        Err(e) => Event::Failed(p, e),
                    });
                });
            }
            Event::Confirmed(p) => {
                at.flight.confirming -= 1;
                at.sched.set(p, UploadState::Done);
                at.summary.published.push(self.label(p));
                at.progress
                    .step(&format!("{:>12} {}", "Published", self.label(p)));
            }
            Event::Failed(p, e) => {
                if at.sched.state[p] == UploadState::Accepted {
                    at.flight.confirming -= 1;
                } else {
                    at.flight.uploading -= 1;
                }
                at.progress
                    .say(&format!("{:>12} {}: {e}", "Failed", self.label(p)));
                at.sched.set(p, UploadState::Failed);
                at.summary.failed.push((self.label(p), e));
            }
        }
    }

    /// The upload's metadata (cargo's publish format) and `.crate` file.
    fn prepare(&self, p: usize) -> Result<(serde_json::Value, PathBuf)> {
        let c = &self.u.crates[p];
        let pkg = self
            .meta
            .packages
            .iter()
            .find(|k| k.name.as_str() == c.name)
            .with_context(|| format!("cargo metadata does not list {}", c.name))?;
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
            .join(format!("{}-{}.crate", c.name, c.version));
        Ok((metadata, file))
    }

    fn say_retry(&self, p: usize) -> impl Fn(&Failure, Duration) + '_ {
        move |e, w| {
            crate::output::say(
                "Retrying",
                &format!("{} in {:.1}s: {e}", self.label(p), w.as_secs_f64()),
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
        let c = &self.u.crates[p];
        let deadline = Instant::now() + self.u.retry_budget;
        match retry(
            deadline,
            || {
                self.tokens.renew_if_due(self.reg)?;
                self.reg.publish(&c.name, metadata, bytes)
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
        let c = &self.u.crates[p];
        let until = Instant::now() + self.u.index_timeout;
        let mut n = 0;
        loop {
            let listed = retry(until, || self.reg.versions(&c.name), self.say_retry(p))?;
            if listed.iter().any(|v| v.version == c.version) {
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
                return Err(UploadError::NotIndexed(self.u.index_timeout));
            }
            std::thread::sleep(wait);
            n += 1;
        }
    }
}

/// The state [`Engine::handle`] updates.
struct At<'s> {
    sched: &'s mut Scheduler,
    flight: &'s mut InFlight,
    progress: &'s mut Progress,
    summary: &'s mut Summary,
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
