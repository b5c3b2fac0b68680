//! Where a change is delivered: a pull request on a forge, or (no forge) a
//! direct push to the target branch.

use crate::core::config::ForgeKind;
use anyhow::Result;

/// A change to propose: the pushed branch `head` into `base`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub title: String,
    pub head: String,
    pub base: String,
    pub body: String,
}

pub trait Forge {
    /// Whether changes go through pull requests (else straight to their base).
    fn reviews(&self) -> bool;
    fn open_pull_request(&self, pr: &PullRequest) -> Result<()>;
}

pub struct NoForge;

impl Forge for NoForge {
    fn reviews(&self) -> bool {
        false
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
    fn open_pull_request(&self, pr: &PullRequest) -> Result<()> {
        println!("{}", render(pr));
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

pub fn from_kind(kind: ForgeKind) -> Box<dyn Forge> {
    match kind {
        ForgeKind::None => Box::new(NoForge),
        ForgeKind::DryRun => Box::new(PrintForge),
    }
}
