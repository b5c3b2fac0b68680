//! `[publish]`: the registry, uploads in flight, retries and rate limits.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Publish {
    /// The registry to publish to (a name from cargo's configuration).
    pub registry: String,
    /// Uploads in flight at once.
    #[serde(deserialize_with = "jobs")]
    pub jobs: u32,
    /// How long one crate may keep failing transiently before it is given up.
    pub retry_budget_secs: u64,
    /// How long to wait for a published version to appear in the index.
    pub index_timeout_secs: u64,
    /// With trusted publishing, a token older than this is replaced before
    /// the next upload (crates.io's live 30 minutes).
    #[serde(deserialize_with = "renew")]
    pub trusted_token_renew_secs: u64,
    /// Rate limits by registry name; crates.io's are built in.
    pub rate_limits: std::collections::BTreeMap<String, RateLimits>,
    /// What a dependent's upload waits for, by registry name; see
    /// [`Publish::wait_for`].
    pub dependents_wait_for: std::collections::BTreeMap<String, WaitFor>,
}

/// 1 s to a day: 0 would renew before every upload.
fn renew<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    super::ranged(d, 1..=86_400, |n| {
        format!("`trusted-token-renew-secs = {n}` is out of range: use 1 to 86400")
    })
    .map(|n| n as u64)
}

/// 1 to 64 uploads at once: 0 would upload nothing and wait for ever.
fn jobs<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    super::ranged(d, 1..=64, |n| {
        format!("{n} jobs is out of range: use 1 to 64")
    })
    .map(|n| n as u32)
}

/// What a crate's upload waits for from each first-party dependency
/// published in the same run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaitFor {
    /// The dependency's version is in the index: safe on every registry.
    Index,
    /// The registry accepted the dependency's upload. Only for registries
    /// that check, at upload, that a dependency crate exists rather than
    /// that the required version is in their index (crates.io).
    Acceptance,
}

impl Default for Publish {
    fn default() -> Self {
        Publish {
            registry: "crates-io".into(),
            jobs: 4,
            retry_budget_secs: 900,
            index_timeout_secs: 600,
            trusted_token_renew_secs: 1500,
            rate_limits: std::collections::BTreeMap::new(),
            dependents_wait_for: std::collections::BTreeMap::new(),
        }
    }
}

/// A registry's limits: `burst` operations at once, then one per `every-secs`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RateLimits {
    pub new_versions: Rate,
    pub new_crates: Rate,
    pub yanks: Rate,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Rate {
    pub burst: u32,
    pub every_secs: u64,
}

impl Publish {
    /// The gate for `registry`: configured, else `acceptance` for crates.io
    /// (its publish endpoint checks that dependency crates exist, not that
    /// the required versions are indexed), else `index`.
    pub fn wait_for(&self, registry: &str) -> WaitFor {
        match self.dependents_wait_for.get(registry) {
            Some(g) => *g,
            None if registry == "crates-io" => WaitFor::Acceptance,
            None => WaitFor::Index,
        }
    }

    /// The limits for `registry`: configured, else crates.io's published
    /// ones for crates.io, else none.
    pub fn limits(&self, registry: &str) -> Option<RateLimits> {
        if let Some(l) = self.rate_limits.get(registry) {
            return Some(*l);
        }
        (registry == "crates-io").then_some(RateLimits {
            new_versions: Rate {
                burst: 30,
                every_secs: 60,
            },
            new_crates: Rate {
                burst: 5,
                every_secs: 600,
            },
            yanks: Rate {
                burst: 100,
                every_secs: 60,
            },
        })
    }
}
