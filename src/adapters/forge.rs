//! What the train asks of a forge: pull requests, the checks of a commit,
//! tags and releases. Without a forge (`none`) changes and tags are pushed
//! with git and releases are skipped; `dry-run` pushes review branches and
//! tags with git and prints the pull requests and releases; `github` uses
//! GitHub's API. [`open`] is the one place that picks.

use crate::adapters::git::Git;
use crate::adapters::github::{GitHub, repo_from_url};
use crate::core::config::{Config, ForgeKind};
use anyhow::{Context as _, Result, bail};
use std::time::Duration;

/// A change to propose: the pushed branch `head` into `base`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub title: String,
    pub head: String,
    pub base: String,
    pub body: String,
}

/// Whether a pull request from a pushed review branch exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrState {
    Open(u64),
    Missing,
    /// The forge keeps no pull requests to ask about (it printed them when
    /// their branches were pushed): a pushed branch stands for its request.
    Untracked,
}

/// What the checks of a commit say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checks {
    Passed,
    Pending(Vec<String>),
    Failed(Vec<String>),
    /// The forge runs no checks it could report: nothing to wait for.
    Untracked,
}

/// A release to make: the tag, its notes, and how it is marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRelease {
    pub tag: String,
    pub body: String,
    pub prerelease: bool,
    /// Whether it becomes the "latest" release.
    pub latest: bool,
}

/// A release made on the forge, to attach assets to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub tag: String,
    /// Where the forge takes its assets (empty where it takes none).
    pub assets_url: String,
}

/// Whether a tag has its release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseState {
    /// Made, with the names of the assets it has (an earlier run may have
    /// stopped before uploading them all).
    Exists(Release, Vec<String>),
    Missing,
    /// The forge makes no releases: they are skipped.
    Unsupported,
}

/// A merged pull request: what `#N` stands for in a backport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedPullRequest {
    pub number: u64,
    pub title: String,
    /// The commit the merge made on the base branch: the squashed commit,
    /// the merge commit, or (rebased) the last of the rebased commits.
    pub merge_commit: String,
    /// The subjects of the pull request's own commits, oldest first.
    pub subjects: Vec<String>,
}

pub trait Forge {
    /// The merged pull request `number`. Forges without pull requests to
    /// ask about cannot say.
    fn merged_pull_request(&self, number: u64) -> Result<MergedPullRequest> {
        bail!(
            "`#{number}` names a pull request, which only the GitHub forge can look up \
             (`forge = \"github\"`); name its commits instead"
        )
    }
    /// Whether changes go through pull requests (else straight to their base).
    fn reviews(&self) -> bool;
    /// The open pull request from `head` into `base`, if any.
    fn pull_request(&self, head: &str, base: &str) -> Result<PrState>;
    /// Opens a pull request, or updates the open one from the same head.
    fn open_pull_request(&self, pr: &PullRequest) -> Result<()>;
    /// What the checks of commit `sha` say.
    fn checks(&self, sha: &str) -> Result<Checks>;
    /// Creates the tag `name` at `sha` on the remote. A tag already there
    /// at `sha` is success.
    fn create_tag(&self, name: &str, sha: &str) -> Result<()>;
    /// Whether `tag` has its release.
    fn release(&self, tag: &str) -> Result<ReleaseState>;
    fn create_release(&self, release: &NewRelease) -> Result<Release>;
    fn upload_asset(&self, release: &Release, name: &str, bytes: &[u8]) -> Result<()>;
}

/// Tags pushed with git to the configured remote (a forge without an API
/// for them, or none).
struct GitTags {
    git: Git,
    remote: String,
}

impl GitTags {
    fn push(&self, name: &str, sha: &str) -> Result<()> {
        let spec = format!("{sha}:refs/tags/{name}");
        self.git
            .run(&["push", "--quiet", &self.remote, &spec])
            .map(drop)
    }
}

pub struct NoForge(GitTags);

impl Forge for NoForge {
    fn reviews(&self) -> bool {
        false
    }
    fn pull_request(&self, _: &str, _: &str) -> Result<PrState> {
        Ok(PrState::Untracked)
    }
    fn open_pull_request(&self, _: &PullRequest) -> Result<()> {
        unreachable!("changes are pushed directly when there is no forge")
    }
    fn checks(&self, _: &str) -> Result<Checks> {
        Ok(Checks::Untracked)
    }
    fn create_tag(&self, name: &str, sha: &str) -> Result<()> {
        self.0.push(name, sha)
    }
    fn release(&self, _: &str) -> Result<ReleaseState> {
        Ok(ReleaseState::Unsupported)
    }
    // `release` says there are none, so nothing gets here; an error rather
    // than a panic should that change.
    fn create_release(&self, r: &NewRelease) -> Result<Release> {
        bail!("cannot create the release {}: releases need a forge", r.tag)
    }
    fn upload_asset(&self, r: &Release, name: &str, _: &[u8]) -> Result<()> {
        bail!(
            "cannot upload {name} to the release {}: releases need a forge",
            r.tag
        )
    }
}

/// Prints the pull requests and releases it would make; tags are pushed.
pub struct PrintForge(GitTags);

impl Forge for PrintForge {
    fn reviews(&self) -> bool {
        true
    }
    fn pull_request(&self, _: &str, _: &str) -> Result<PrState> {
        Ok(PrState::Untracked)
    }
    fn open_pull_request(&self, pr: &PullRequest) -> Result<()> {
        crate::outln!("{}", render(pr));
        Ok(())
    }
    fn checks(&self, _: &str) -> Result<Checks> {
        Ok(Checks::Untracked)
    }
    fn create_tag(&self, name: &str, sha: &str) -> Result<()> {
        self.0.push(name, sha)
    }
    fn release(&self, _: &str) -> Result<ReleaseState> {
        // It keeps no releases: each run prints the release again.
        Ok(ReleaseState::Missing)
    }
    fn create_release(&self, r: &NewRelease) -> Result<Release> {
        crate::outln!("{}", render_release(r));
        Ok(Release {
            tag: r.tag.clone(),
            assets_url: String::new(),
        })
    }
    fn upload_asset(&self, r: &Release, name: &str, bytes: &[u8]) -> Result<()> {
        crate::outln!("  asset of {}: {name} ({} bytes)", r.tag, bytes.len());
        Ok(())
    }
}

/// `text` indented by four spaces; blank lines stay empty.
fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A pull request as text.
pub fn render(pr: &PullRequest) -> String {
    format!(
        "pull request: {}\n  head: {}\n  base: {}\n\n{}\n",
        pr.title,
        pr.head,
        pr.base,
        indent(&pr.body)
    )
}

/// A release as text.
pub fn render_release(r: &NewRelease) -> String {
    let mut marks = Vec::new();
    if r.prerelease {
        marks.push("pre-release");
    }
    if r.latest {
        marks.push("latest");
    }
    let marks = if marks.is_empty() {
        String::new()
    } else {
        format!(" ({})", marks.join(", "))
    };
    format!("release: {}{marks}\n\n{}\n", r.tag, indent(&r.body))
}

/// Pull requests, checks, tags and releases on GitHub; an open pull request
/// from the same branch is updated rather than opened twice.
pub struct GithubForge {
    api: GitHub,
    /// Checks that must pass before a tag; empty: all of them.
    required_checks: Vec<String>,
}

impl Forge for GithubForge {
    fn reviews(&self) -> bool {
        true
    }
    fn merged_pull_request(&self, number: u64) -> Result<MergedPullRequest> {
        Ok(self.api.merged_pull_request(number)?)
    }
    fn pull_request(&self, head: &str, base: &str) -> Result<PrState> {
        Ok(match self.api.open_pull_request(head, base)? {
            Some(n) => PrState::Open(n),
            None => PrState::Missing,
        })
    }
    fn open_pull_request(&self, pr: &PullRequest) -> Result<()> {
        match self.api.open_pull_request(&pr.head, &pr.base)? {
            Some(n) => {
                self.api.update_pull_request(n, &pr.title, &pr.body)?;
                crate::output::say("Updated", &format!("pull request #{n}: {}", pr.title));
            }
            None => {
                let n = self
                    .api
                    .create_pull_request(&pr.title, &pr.head, &pr.base, &pr.body)?;
                crate::output::say("Opened", &format!("pull request #{n}: {}", pr.title));
            }
        }
        Ok(())
    }
    fn checks(&self, sha: &str) -> Result<Checks> {
        // In GitHub Actions the job asking is a check run of the commit
        // too: waiting for it would wait for itself.
        let me: Vec<String> = std::env::var("GITHUB_JOB").into_iter().collect();
        Ok(self.api.checks(sha, &self.required_checks, &me)?)
    }
    fn create_tag(&self, name: &str, sha: &str) -> Result<()> {
        // Through the API rather than a push, so the tag's own workflows
        // (publishing) start.
        Ok(self.api.create_tag(name, sha)?)
    }
    fn release(&self, tag: &str) -> Result<ReleaseState> {
        Ok(match self.api.release(tag)? {
            Some((_, url, assets)) => ReleaseState::Exists(
                Release {
                    tag: tag.to_string(),
                    assets_url: url,
                },
                assets,
            ),
            None => ReleaseState::Missing,
        })
    }
    fn create_release(&self, r: &NewRelease) -> Result<Release> {
        let (_, url) = self
            .api
            .create_release(&r.tag, &r.body, r.prerelease, r.latest)?;
        Ok(Release {
            tag: r.tag.clone(),
            assets_url: url,
        })
    }
    fn upload_asset(&self, r: &Release, name: &str, bytes: &[u8]) -> Result<()> {
        Ok(self.api.upload_asset(&r.assets_url, name, bytes)?)
    }
}

/// The GitHub client for this repository (`remote_url` names it unless
/// configured).
fn github(config: &Config, remote_url: &str) -> Result<GitHub> {
    let repo = match &config.github.repository {
        Some(r) => r.clone(),
        None => repo_from_url(remote_url).with_context(|| {
            format!("cannot tell the GitHub repository from the remote URL {remote_url}: set github.repository")
        })?,
    };
    // Cargo reads its `[http]` settings from the current directory up.
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    GitHub::new(
        &config.github.api_url,
        repo,
        GitHub::token_from_env()?,
        &cwd,
        Duration::from_secs(config.github.retry_budget_secs),
    )
}

/// The configured forge for the repository of `git` (its remote is
/// `config.remote`).
pub fn open(config: &Config, git: &Git) -> Result<Box<dyn Forge>> {
    let tags = || GitTags {
        git: git.clone(),
        remote: config.remote.clone(),
    };
    Ok(match config.forge {
        ForgeKind::None => Box::new(NoForge(tags())),
        ForgeKind::DryRun => Box::new(PrintForge(tags())),
        ForgeKind::Github => Box::new(GithubForge {
            api: github(config, &git.remote_url(&config.remote)?)?,
            required_checks: config.github.required_checks.clone(),
        }),
    })
}
