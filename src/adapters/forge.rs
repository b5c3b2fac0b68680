//! Where a change is delivered: a pull request on a forge, or (no forge) a
//! direct push to the target branch.

use crate::adapters::github::{GitHub, repo_from_url};
use crate::core::config::{Config, ForgeKind};
use anyhow::{Context as _, Result};

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

pub trait Forge {
    /// Whether changes go through pull requests (else straight to their base).
    fn reviews(&self) -> bool;
    /// The open pull request from `head` into `base`, if any.
    fn pull_request(&self, head: &str, base: &str) -> Result<PrState>;
    /// Opens a pull request, or updates the open one from the same head.
    fn open_pull_request(&self, pr: &PullRequest) -> Result<()>;
}

pub struct NoForge;

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
}

/// Prints what it would open.
pub struct PrintForge;

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
}

/// A pull request as text.
pub fn render(pr: &PullRequest) -> String {
    format!(
        "pull request: {}\n  head: {}\n  base: {}\n\n{}\n",
        pr.title,
        pr.head,
        pr.base,
        pr.body
            .trim_end()
            .lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// Pull requests on GitHub; an open one from the same branch is updated
/// rather than opened twice.
pub struct GithubForge(pub GitHub);

impl Forge for GithubForge {
    fn reviews(&self) -> bool {
        true
    }
    fn pull_request(&self, head: &str, base: &str) -> Result<PrState> {
        Ok(match self.0.open_pull_request(head, base)? {
            Some(n) => PrState::Open(n),
            None => PrState::Missing,
        })
    }
    fn open_pull_request(&self, pr: &PullRequest) -> Result<()> {
        match self.0.open_pull_request(&pr.head, &pr.base)? {
            Some(n) => {
                self.0.update_pull_request(n, &pr.title, &pr.body)?;
                eprintln!("{:>12} pull request #{n}: {}", "Updated", pr.title);
            }
            None => {
                let n = self
                    .0
                    .create_pull_request(&pr.title, &pr.head, &pr.base, &pr.body)?;
                eprintln!("{:>12} pull request #{n}: {}", "Opened", pr.title);
            }
        }
        Ok(())
    }
}

/// The GitHub client for this repository (`remote_url` names it unless
/// configured).
pub fn github(config: &Config, remote_url: &str) -> Result<GitHub> {
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
    )
}

pub fn open(config: &Config, remote_url: &str) -> Result<Box<dyn Forge>> {
    Ok(match config.forge {
        ForgeKind::None => Box::new(NoForge),
        ForgeKind::DryRun => Box::new(PrintForge),
        ForgeKind::Github => Box::new(GithubForge(github(config, remote_url)?)),
    })
}
