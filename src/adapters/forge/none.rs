//! No forge: changes go straight to their base, tags are pushed with git,
//! releases are skipped. [`GitTags`], the git push of a tag, serves the
//! dry-run forge too.

use super::{Checks, Forge, NewRelease, PrState, PullRequest, Release, ReleaseState};
use crate::adapters::git::Git;
use anyhow::{Result, bail};

/// Tags pushed with git to the configured remote (a forge without an API
/// for them, or none).
pub(super) struct GitTags {
    pub(super) git: Git,
    pub(super) remote: String,
}

impl GitTags {
    pub(super) fn push(&self, name: &str, sha: &str) -> Result<()> {
        let spec = format!("{sha}:refs/tags/{name}");
        self.git
            .write(&["push", "--quiet", &self.remote, &spec])
            .map(drop)
    }
}

pub struct NoForge(pub(super) GitTags);

impl Forge for NoForge {
    fn name(&self) -> &'static str {
        "none"
    }
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
