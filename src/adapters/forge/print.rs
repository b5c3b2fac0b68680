//! The dry-run forge: prints the pull requests and releases it would make
//! (and [`render`]s them as text for the executor's dry run too); review
//! branches and tags are pushed with git.

use super::none::GitTags;
use super::{Checks, Forge, NewRelease, PrState, PullRequest, Release, ReleaseState};
use anyhow::Result;

/// Prints the pull requests and releases it would make; tags are pushed.
pub struct PrintForge(pub(super) GitTags);

impl Forge for PrintForge {
    fn name(&self) -> &'static str {
        "dry-run"
    }
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
