//! `cargo train yank-rcs`: after a final release, yank every candidate of
//! that version that is not yanked yet; after a new candidate, the earlier
//! candidates. For every publishable crate, with the same retries as publish.

use crate::core::graph;
use crate::core::publish_plan::{Limit, TokenBucket};
use crate::core::version::rc_number;
use crate::exec::Executor;
use crate::retry::retry;
use crate::train::Context;
use crate::train::registry_auth::open_with_token;
use anyhow::{Result, bail};
use semver::Version;
use std::time::{Duration, Instant};

/// The candidates of `current`'s `X.Y.Z` that a release of `current` supersedes.
pub fn superseded(current: &Version, listed: &[(Version, bool)]) -> Vec<Version> {
    let mine = rc_number(current);
    if mine.is_none() && !current.pre.is_empty() {
        return Vec::new(); // a `-dev` or other pre-release supersedes nothing
    }
    let mut out: Vec<Version> = listed
        .iter()
        .filter(|(v, yanked)| {
            !yanked
                && (v.major, v.minor, v.patch) == (current.major, current.minor, current.patch)
                && rc_number(v).is_some_and(|n| mine.is_none_or(|m| n < m))
        })
        .map(|(v, _)| v.clone())
        .collect();
    out.sort();
    out
}

pub fn run(ctx: &Context, registry: Option<&str>, exec: &Executor) -> Result<Vec<String>> {
    let pc = &ctx.config.publish;
    let reg_name = registry.map_or_else(|| pc.registry.clone(), str::to_string);
    let reg = open_with_token(ctx, &reg_name, exec, "yank-rcs")?;
    let deadline = Instant::now() + Duration::from_secs(pc.retry_budget_secs);
    let mut bucket = pc.limits(&reg_name).map(|l| {
        TokenBucket::new(
            Limit {
                burst: l.yanks.burst,
                every_ms: l.yanks.every_secs * 1000,
            },
            0,
        )
    });
    let start = Instant::now();
    let mut yanked = Vec::new();
    let mut failed = Vec::new();
    for i in graph::publish_order(&ctx.ws)? {
        let c = &ctx.ws.crates[i];
        let listed = retry(deadline, || reg.versions(&c.name), |_, _| {})
            .map_err(|e| anyhow::anyhow!("could not read the index entry of {}: {e}", c.name))?;
        let listed: Vec<(Version, bool)> =
            listed.into_iter().map(|v| (v.version, v.yanked)).collect();
        for v in superseded(&c.version, &listed) {
            if let Some(b) = bucket.as_mut() {
                while let Err(wait) = b.take(start.elapsed().as_millis() as u64) {
                    std::thread::sleep(Duration::from_millis(wait));
                }
            }
            let say = |e: &crate::adapters::registry::Failure, w: Duration| {
                crate::output::say(
                    "Retrying",
                    &format!("yank of {} {v} in {:.1}s: {e}", c.name, w.as_secs_f64()),
                )
            };
            match retry(deadline, || exec.yank(&reg, &c.name, &v), say) {
                Ok(()) => {
                    eprintln!(
                        "{:>12} {} {v}",
                        if exec.is_dry_run() {
                            "Would yank"
                        } else {
                            "Yanked"
                        },
                        c.name
                    );
                    yanked.push(format!("{} {v}", c.name));
                }
                Err(e) => {
                    crate::output::say("Failed", &format!("{} {v}: {e}", c.name));
                    failed.push(format!("{} {v}", c.name));
                }
            }
        }
    }
    if yanked.is_empty() && failed.is_empty() {
        crate::output::say("Yanking", "nothing: no candidate is superseded");
    }
    if !failed.is_empty() {
        bail!(
            "could not yank: {}; run it again to retry",
            failed.join(", ")
        );
    }
    Ok(yanked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn which_candidates_are_superseded() {
        let listed = [
            (v("1.0.0-rc.1"), true),
            (v("1.0.0-rc.2"), false),
            (v("1.0.0-rc.3"), false),
            (v("1.0.1-rc.1"), false),
            (v("0.9.0"), false),
            (v("1.0.0-dev"), false),
        ];
        assert_eq!(
            superseded(&v("1.0.0"), &listed),
            [v("1.0.0-rc.2"), v("1.0.0-rc.3")]
        );
        assert_eq!(superseded(&v("1.0.0-rc.3"), &listed), [v("1.0.0-rc.2")]);
        assert!(superseded(&v("1.0.0-dev"), &listed).is_empty());
        assert!(superseded(&v("2.0.0"), &listed).is_empty());
    }
}
