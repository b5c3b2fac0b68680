//! `forge` and `[github]`: how changes are delivered, and the GitHub API.

use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ForgeKind {
    #[default]
    None,
    DryRun,
    Github,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Github {
    /// The REST API's base URL (GitHub Enterprise: `https://HOST/api/v3`).
    pub api_url: String,
    /// `owner/name`; default: from the remote's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Checks and statuses that must pass before a tag; empty: all of them.
    pub required_checks: Vec<String>,
    /// How long a run's API calls may spend, all together, on failed
    /// attempts and the waits before retrying them.
    #[serde(deserialize_with = "retry_budget")]
    pub retry_budget_secs: u64,
}

impl Default for Github {
    fn default() -> Self {
        Github {
            api_url: "https://api.github.com".into(),
            repository: None,
            required_checks: Vec::new(),
            retry_budget_secs: 120,
        }
    }
}

/// A retry budget of 1 s to a day: with none, a single dropped connection
/// fails the run; one beyond a day is no bound (and would overflow a
/// deadline).
fn retry_budget<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    super::ranged(d, 1..=86_400, |n| {
        format!("retry budget {n} is out of range: use 1 to 86400 seconds (the default is 120)")
    })
    .map(|n| n as u64)
}

#[cfg(test)]
mod tests {
    use crate::core::config::{Config, tests::err};
    use std::path::Path;

    #[test]
    fn github_retry_budget_is_read_and_checked() {
        let c =
            Config::from_train_toml(Path::new("train.toml"), "[github]\nretry-budget-secs = 3\n")
                .unwrap();
        assert_eq!(c.github.retry_budget_secs, 3);
        assert_eq!(Config::default().github.retry_budget_secs, 120);
        for bad in ["0", "-5", "86401"] {
            let e = err(&format!("[github]\n\nretry-budget-secs = {bad}\n"));
            assert!(
                e.contains("train.toml") && e.contains("line 3") && e.contains("1 to 86400"),
                "{e}"
            );
        }
        let e = err("github = { retry-budget-secs = \"2m\" }\n");
        assert!(e.contains("line 1") && e.contains("invalid type"), "{e}");
    }
}
