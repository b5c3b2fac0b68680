//! Yanking versions, within the registry's limit on yanks and with the
//! same retries as uploads; every version is tried, the failures named at
//! the end.

use super::Executor;
use crate::core::publish_plan::TokenBucket;
use crate::plan::Yanks;
use crate::retry::retry;
use anyhow::{Result, bail};
use std::time::{Duration, Instant};

impl Executor<'_> {
    pub(super) fn yank(&self, y: &Yanks) -> Result<()> {
        let reg = self.registry(&y.registry)?;
        let deadline = Instant::now() + y.retry_budget;
        let mut bucket = y
            .limit
            .map(|l| TokenBucket::new(super::publish::limit(l), 0));
        let start = Instant::now();
        let mut failed = Vec::new();
        for (name, v) in &y.versions {
            if let Some(b) = bucket.as_mut() {
                while let Err(wait) = b.take(start.elapsed().as_millis() as u64) {
                    std::thread::sleep(Duration::from_millis(wait));
                }
            }
            let say = |e: &crate::adapters::registry::Failure, w: Duration| {
                crate::output::say(
                    "Retrying",
                    &format!("yank of {name} {v} in {:.1}s: {e}", w.as_secs_f64()),
                )
            };
            match retry(deadline, || reg.yank(name, v), say) {
                Ok(()) => crate::output::say("Yanked", &format!("{name} {v}")),
                Err(e) => {
                    crate::output::say("Failed", &format!("{name} {v}: {e}"));
                    failed.push(format!("{name} {v}"));
                }
            }
        }
        if !failed.is_empty() {
            bail!(
                "could not yank: {}; run it again to retry",
                failed.join(", ")
            );
        }
        Ok(())
    }
}
