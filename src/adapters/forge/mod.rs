//! What the train asks of a forge: pull requests, the checks of a commit,
//! tags and releases. Without a forge (`none`) changes and tags are pushed
//! with git and releases are skipped; `dry-run` pushes review branches and
//! tags with git and prints the pull requests and releases; `github` uses
//! GitHub's API. [`open`] is the one place that picks; each forge is one
//! file here.

mod forgejo;
pub mod github;
mod gitlab;
mod none;
mod print;

pub use github::GithubForge;
pub use none::NoForge;
pub use print::{PrintForge, render, render_release};

use crate::adapters::git::Git;
use crate::core::config::{Config, ForgeKind};
use anyhow::{Result, bail};

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

pub use crate::core::patch_set::Checks;

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

/// An open pull request (a GitLab merge request), as a list of them shows
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenPullRequest {
    /// GitLab's `iid`: the number its pages show.
    pub number: u64,
    pub title: String,
    pub head: String,
    pub base: String,
    /// Its page on the forge, as the forge gave it.
    pub url: String,
}

/// An open issue on the forge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub number: u64,
    pub title: String,
    pub body: String,
}

/// Whether an open issue was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueState {
    Found(Issue),
    Missing,
    /// The forge keeps no issues to ask about (`none`, `dry-run`).
    Unsupported,
}

pub trait Forge {
    /// The forge as messages name it: `GitHub`, `none`, `dry-run`.
    fn name(&self) -> &'static str;
    /// The merged pull request `number`. Forges without pull requests to
    /// ask about cannot say.
    fn merged_pull_request(&self, number: u64) -> Result<MergedPullRequest> {
        // The first words are what scripts and tests have matched all along.
        bail!(
            "`#{number}` names a pull request, which only the GitHub forge can look up, \
             and the Forgejo and GitLab ones (`forge = \"github\"`, `\"forgejo\"` or \
             `\"gitlab\"`); the `{}` forge cannot: name its commits instead",
            self.name()
        )
    }
    /// Whether changes go through pull requests (else straight to their base).
    fn reviews(&self) -> bool;
    /// The open pull request from `head` into `base`, if any.
    fn pull_request(&self, head: &str, base: &str) -> Result<PrState>;
    /// Every open pull request of the repository from one of its own
    /// branches (a fork's are left out), read through every page; `None`
    /// from a forge that keeps none to ask about.
    fn open_pull_requests(&self) -> Result<Option<Vec<OpenPullRequest>>> {
        Ok(None)
    }
    /// The pull requests merged into `base` whose merge commit is one of
    /// `commits` (for drafted notes); `None` from a forge that keeps none
    /// to ask about.
    fn merged_pull_requests(
        &self,
        base: &str,
        commits: &[String],
    ) -> Result<Option<Vec<crate::core::notes_draft::Pull>>> {
        let _ = (base, commits);
        Ok(None)
    }
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
    /// How a pull request is named in an issue's text (`#12`; GitLab's
    /// merge requests are `!12`).
    fn pull_request_ref(&self, number: u64) -> String {
        format!("#{number}")
    }
    /// The open issue whose body holds `marker` (else whose title is
    /// `title` exactly), looked for through every page of open issues.
    fn find_issue(&self, title: &str, marker: &str) -> Result<IssueState> {
        let _ = (title, marker);
        Ok(IssueState::Unsupported)
    }
    /// Opens an issue; returns its number.
    fn create_issue(&self, title: &str, body: &str) -> Result<u64> {
        let _ = body;
        bail!(
            "cannot open the issue \"{title}\": the `{}` forge has no issues",
            self.name()
        )
    }
    /// Replaces issue `number`'s body (if `body`), or closes it (`close`).
    fn update_issue(&self, number: u64, body: Option<&str>, close: bool) -> Result<()> {
        let _ = (body, close);
        bail!(
            "cannot update issue #{number}: the `{}` forge has no issues",
            self.name()
        )
    }
}

/// The configured forge for the repository of `git` (its remote is
/// `config.remote`).
pub fn open(config: &Config, git: &Git) -> Result<Box<dyn Forge>> {
    let tags = || none::GitTags {
        git: git.clone(),
        remote: config.remote.clone(),
    };
    Ok(match config.forge {
        ForgeKind::None => Box::new(NoForge(tags())),
        ForgeKind::DryRun => Box::new(PrintForge(tags())),
        ForgeKind::Github => Box::new(GithubForge::open(config, &git.remote_url(&config.remote)?)?),
        ForgeKind::Forgejo => Box::new(forgejo::ForgejoForge::open(
            config,
            &git.remote_url(&config.remote)?,
        )?),
        ForgeKind::Gitlab => Box::new(gitlab::GitlabForge::open(
            config,
            &git.remote_url(&config.remote)?,
        )?),
    })
}
