//! `forge`, `[github]`, `[forgejo]` and `[gitlab]`: how changes are
//! delivered, and the API of the forge that takes them.

use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ForgeKind {
    #[default]
    None,
    DryRun,
    Github,
    /// Forgejo or Gitea: their REST APIs agree on all the train uses.
    Forgejo,
    /// gitlab.com or a self-managed GitLab.
    Gitlab,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Github {
    /// The REST API's base URL (GitHub Enterprise: `https://HOST/api/v3`).
    #[serde(deserialize_with = "github_api_url")]
    pub api_url: String,
    /// `owner/name`; default: from the remote's URL.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "github_repository"
    )]
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

impl Github {
    /// The site whose pages its API describes: github.com for
    /// `api.github.com`, else the API's own scheme, host and port (GitHub
    /// Enterprise serves its API at `https://HOST/api/v3`).
    pub fn site(&self) -> String {
        let api = self.api_url.trim_end_matches('/');
        let Some((scheme, rest)) = api.split_once("://") else {
            return api.to_string();
        };
        let host = rest.split('/').next().unwrap_or_default();
        if host == "api.github.com" {
            return format!("{scheme}://github.com");
        }
        format!("{scheme}://{host}")
    }
}

/// A Forgejo or Gitea instance and the repository on it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Forgejo {
    /// The instance (`https://codeberg.org`); its API is `URL/api/v1`.
    /// No default: there is no one instance everybody uses.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "instance_url"
    )]
    pub url: Option<String>,
    /// `owner/name`; default: from the remote's URL on that host.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "forgejo_repository"
    )]
    pub repository: Option<String>,
    /// Statuses that must pass before a tag; empty: all of them.
    pub required_checks: Vec<String>,
    /// As `github.retry-budget-secs`, for this forge's calls.
    #[serde(deserialize_with = "retry_budget")]
    pub retry_budget_secs: u64,
}

impl Default for Forgejo {
    fn default() -> Self {
        Forgejo {
            url: None,
            repository: None,
            required_checks: Vec::new(),
            retry_budget_secs: 120,
        }
    }
}

/// A GitLab instance and the project on it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Gitlab {
    /// The instance (`https://gitlab.com`, or a self-managed one's); its
    /// API is `URL/api/v4`.
    #[serde(deserialize_with = "gitlab_url")]
    pub url: String,
    /// The project's full path (`group/subgroup/name`); default: from the
    /// remote's URL on that host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// Jobs (and commit statuses) that must pass before a tag; empty: all
    /// of them.
    pub required_jobs: Vec<String>,
    /// As `github.retry-budget-secs`, for this forge's calls.
    #[serde(deserialize_with = "retry_budget")]
    pub retry_budget_secs: u64,
}

impl Default for Gitlab {
    fn default() -> Self {
        Gitlab {
            url: "https://gitlab.com".into(),
            project: None,
            required_jobs: Vec::new(),
            retry_budget_secs: 120,
        }
    }
}

/// An instance's URL (the value of `key`): http or https, without a
/// trailing `/`. The API's own URL (ending in `api`) is refused: the path
/// is added to what is given, so it would be asked for twice.
fn checked_instance(url: &str, key: &str, api: &str, example: &str) -> Result<String, String> {
    let trimmed = url.trim_end_matches('/');
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .unwrap_or_default();
    if host.is_empty() || host.starts_with('/') {
        return Err(format!(
            "{key} `{url}` is not an http or https URL of an instance (`{example}`)"
        ));
    }
    if let Some(instance) = trimmed.strip_suffix(api) {
        return Err(format!(
            "{key} `{url}` is the API's URL: give the instance, `{instance}`"
        ));
    }
    Ok(trimmed.to_string())
}

/// `github.api-url`: an http or https URL (the token goes there).
fn github_api_url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let url = String::deserialize(d)?;
    // No API suffix to refuse here: this URL is the API's.
    checked_instance(&url, "github.api-url", "\0", "https://api.github.com")
        .map_err(serde::de::Error::custom)
}

/// `forgejo.url`: an instance (`…/api/v1` refused).
fn instance_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let url = String::deserialize(d)?;
    checked_instance(&url, "forgejo.url", "/api/v1", "https://codeberg.org")
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// `gitlab.url`: an instance (`…/api/v4` refused).
fn gitlab_url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let url = String::deserialize(d)?;
    checked_instance(&url, "gitlab.url", "/api/v4", "https://gitlab.com")
        .map_err(serde::de::Error::custom)
}

fn github_repository<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    owner_name(d, "github.repository")
}

fn forgejo_repository<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    owner_name(d, "forgejo.repository")
}

/// `owner/name`, each part a name the forge takes (letters, digits, `-`,
/// `_`, `.`; not `.` or `..`): it goes into API paths, and a wrong one
/// would be found only after `cut` pushed.
fn owner_name<'de, D: Deserializer<'de>>(d: D, key: &str) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    let part = |p: &str| {
        !p.is_empty()
            && p != "."
            && p != ".."
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    };
    match s.split_once('/') {
        Some((o, n)) if part(o) && part(n) => Ok(Some(s)),
        _ => Err(serde::de::Error::custom(format!(
            "`{key} = {s:?}` is not `owner/name` (letters, digits, `-`, `_`, `.` in each part)"
        ))),
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
    fn githubs_site_is_the_apis_host() {
        let site = |api: &str| {
            super::Github {
                api_url: api.into(),
                ..Default::default()
            }
            .site()
        };
        assert_eq!(site("https://api.github.com"), "https://github.com");
        assert_eq!(site("https://ghe.example/api/v3/"), "https://ghe.example");
        assert_eq!(site("http://127.0.0.1:4010"), "http://127.0.0.1:4010");
    }

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

    #[test]
    fn forgejo_section_is_read_and_checked() {
        let c = Config::from_train_toml(
            Path::new("train.toml"),
            "forge = \"forgejo\"\n[forgejo]\nurl = \"https://codeberg.org/\"\n\
             repository = \"o/r\"\nrequired-checks = [\"ci/build\"]\nretry-budget-secs = 5\n",
        )
        .unwrap();
        assert_eq!(c.forge, crate::core::config::ForgeKind::Forgejo);
        assert_eq!(c.forgejo.url.as_deref(), Some("https://codeberg.org"));
        assert_eq!(c.forgejo.repository.as_deref(), Some("o/r"));
        assert_eq!(c.forgejo.required_checks, ["ci/build"]);
        assert_eq!(c.forgejo.retry_budget_secs, 5);
        // What `config` prints reads back the same.
        let again = Config::from_train_toml(Path::new("x"), &c.to_toml()).unwrap();
        assert_eq!(again, c);
        assert_eq!(Config::default().forgejo.url, None);
        assert_eq!(Config::default().forgejo.retry_budget_secs, 120);

        let e = err("[forgejo]\n\nurl = \"https://git.example/api/v1\"\n");
        assert!(
            e.contains("line 3") && e.contains("give the instance, `https://git.example`"),
            "{e}"
        );
        for bad in ["codeberg.org", "ftp://x", "https://", "http:///x"] {
            let e = err(&format!("[forgejo]\nurl = \"{bad}\"\n"));
            assert!(
                e.contains("line 2") && e.contains("not an http or https URL"),
                "{e}"
            );
        }
        let e = err("[forgejo]\nretry-budget-secs = 0\n");
        assert!(e.contains("1 to 86400"), "{e}");
        let e = err("[forgejo]\napi-url = \"https://x\"\n");
        assert!(e.contains("unknown field `api-url`"), "{e}");
    }

    #[test]
    fn gitlab_section_is_read_and_checked() {
        let c = Config::from_train_toml(
            Path::new("train.toml"),
            "forge = \"gitlab\"\n[gitlab]\nurl = \"https://git.example/gl/\"\n\
             project = \"g/sub/r\"\nrequired-jobs = [\"build\"]\nretry-budget-secs = 5\n",
        )
        .unwrap();
        assert_eq!(c.forge, crate::core::config::ForgeKind::Gitlab);
        assert_eq!(c.gitlab.url, "https://git.example/gl");
        assert_eq!(c.gitlab.project.as_deref(), Some("g/sub/r"));
        assert_eq!(c.gitlab.required_jobs, ["build"]);
        assert_eq!(c.gitlab.retry_budget_secs, 5);
        let again = Config::from_train_toml(Path::new("x"), &c.to_toml()).unwrap();
        assert_eq!(again, c);
        assert_eq!(Config::default().gitlab.url, "https://gitlab.com");
        assert_eq!(Config::default().gitlab.project, None);

        let e = err("[gitlab]\n\nurl = \"https://gitlab.com/api/v4/\"\n");
        assert!(
            e.contains("line 3") && e.contains("give the instance, `https://gitlab.com`"),
            "{e}"
        );
        let e = err("[gitlab]\nurl = \"gitlab.com\"\n");
        assert!(
            e.contains("line 2")
                && e.contains("gitlab.url `gitlab.com` is not an http or https URL"),
            "{e}"
        );
        let e = err("[gitlab]\nretry-budget-secs = 0\n");
        assert!(e.contains("1 to 86400"), "{e}");
        let e = err("[gitlab]\nrequired-checks = [\"x\"]\n");
        assert!(e.contains("unknown field `required-checks`"), "{e}");
    }
}
