//! Asks cargo which packages make up the workspace.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The workspace as cargo sees it.
pub struct Layout {
    pub root: PathBuf,
    /// Manifest paths of the members, absolute.
    pub members: Vec<PathBuf>,
}

/// Runs `cargo metadata --no-deps` (offline: nothing is resolved).
pub fn layout(manifest_path: Option<&Path>) -> Result<Layout> {
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.no_deps().other_options(vec!["--offline".to_string()]);
    if let Some(p) = manifest_path {
        cmd.manifest_path(p);
    }
    let meta = cmd
        .exec()
        .map_err(|e| match e {
            cargo_metadata::Error::CargoMetadata { stderr } => {
                anyhow::anyhow!("`cargo metadata` failed:\n{}", stderr.trim_end())
            }
            other => anyhow::Error::new(other),
        })
        .context("could not read the workspace layout")?;
    let members = meta
        .workspace_packages()
        .into_iter()
        .map(|p| p.manifest_path.clone().into_std_path_buf())
        .collect();
    Ok(Layout {
        root: meta.workspace_root.into_std_path_buf(),
        members,
    })
}
