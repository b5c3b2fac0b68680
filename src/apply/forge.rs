//! The forge's effects besides pull requests: tags (made by the forge, then
//! locally) and releases with their assets.

use super::Executor;
use crate::adapters::forge::{NewRelease, Release};
use crate::core::refs::short;
use anyhow::{Context as _, Result};
use std::path::PathBuf;

impl Executor<'_> {
    /// The forge creates the tag (a push without one), then git locally.
    pub(super) fn tag(&self, name: &str, at: &str) -> Result<()> {
        self.forge()?.create_tag(name, at)?;
        self.git()?.tag_here(name, at)?;
        crate::output::say("Tagged", &format!("`{name}` at {}", short(at)));
        Ok(())
    }

    pub(super) fn release(&self, new: &NewRelease, assets: &[PathBuf]) -> Result<()> {
        let release = self.forge()?.create_release(new)?;
        self.upload_assets(&release, assets)
    }

    pub(super) fn upload_assets(&self, release: &Release, files: &[PathBuf]) -> Result<()> {
        let forge = self.forge()?;
        for f in files {
            let name = f
                .file_name()
                .context("an asset without a file name")?
                .to_string_lossy();
            let bytes = std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?;
            forge.upload_asset(release, &name, &bytes)?;
        }
        Ok(())
    }
}
