//! `cargo train yank-rcs`: after a final release, yank every candidate of
//! that version that is not yanked yet; after a new candidate, the earlier
//! candidates. For every publishable crate, with the same retries as publish.

use crate::core::graph;
use crate::core::version::rc_number;
use crate::plan::{Effect, Plan, Yanks};
use crate::retry::retry;
use crate::train::Context;
use crate::train::registry_auth::{self, Need, Prepared};
use anyhow::Result;
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

/// The yanks of `yank-rcs`, and the registry they go to; `need` says
/// whether it must take a token (a dry run needs none).
pub fn plan(ctx: &Context, registry: Option<&str>, need: Need) -> Result<Prepared> {
    let pc = &ctx.config.publish;
    let reg_name = registry.map_or_else(|| pc.registry.clone(), str::to_string);
    let reg = registry_auth::open(ctx, &reg_name)?;
    registry_auth::require_token(&reg, need, "yank-rcs")?;
    let deadline = Instant::now() + Duration::from_secs(pc.retry_budget_secs);
    let mut versions = Vec::new();
    for i in graph::publish_order(&ctx.ws)? {
        let c = &ctx.ws.crates[i];
        let listed = retry(deadline, || reg.versions(&c.name), |_, _| {})
            .map_err(|e| anyhow::anyhow!("could not read the index entry of {}: {e}", c.name))?;
        let listed: Vec<(Version, bool)> =
            listed.into_iter().map(|v| (v.version, v.yanked)).collect();
        versions.extend(
            superseded(&c.version, &listed)
                .into_iter()
                .map(|v| (c.name.clone(), v)),
        );
    }
    let mut plan = Plan::default();
    if versions.is_empty() {
        crate::output::say("Yanking", "nothing: no candidate is superseded");
    } else {
        plan.add(Effect::Yank(Yanks {
            registry: reg_name,
            versions,
            limit: pc.limits(&reg.name).map(|l| l.yanks),
            retry_budget: Duration::from_secs(pc.retry_budget_secs),
        }));
    }
    Ok(Prepared {
        plan,
        registry: reg,
    })
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
