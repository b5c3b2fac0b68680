//! Asks cargo which packages make up the workspace.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The workspace as cargo sees it.
pub struct Members {
    pub root: PathBuf,
    /// Manifest paths of the members, absolute.
    pub members: Vec<PathBuf>,
}

/// Runs `cargo metadata --no-deps` (offline: nothing is resolved).
pub fn members(manifest_path: Option<&Path>) -> Result<Members> {
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
    Ok(Members {
        root: meta.workspace_root.into_std_path_buf(),
        members,
    })
}

/// Full `cargo metadata --no-deps` (what the publish metadata is built from),
/// run at the root as `cargo package` is: cargo reads its configuration (the
/// workspace's registries) from the directory it runs in.
pub fn metadata(root: &Path) -> Result<cargo_metadata::Metadata> {
    cargo_metadata::MetadataCommand::new()
        .no_deps()
        .current_dir(root)
        .manifest_path(root.join("Cargo.toml"))
        .exec()
        .map_err(|e| match e {
            cargo_metadata::Error::CargoMetadata { stderr } => {
                anyhow::anyhow!("`cargo metadata` failed:\n{}", stderr.trim_end())
            }
            other => anyhow::Error::new(other),
        })
}

/// Packages `crates` in one cargo run (cargo overlays the ones not yet
/// published, so a crate can depend on another of the same run). With
/// `verify`, each is also built from its packaged sources.
pub fn package(root: &Path, crates: &[&str], registry: Option<&str>, verify: bool) -> Result<()> {
    let mut cmd = std::process::Command::new("cargo");
    cmd.arg("package").arg("--quiet").current_dir(root);
    if !verify {
        cmd.arg("--no-verify");
    }
    if let Some(r) = registry {
        cmd.args(["--registry", r]);
    }
    for c in crates {
        cmd.args(["--package", c]);
    }
    let out = cmd.output().context("failed to run `cargo package`")?;
    if !out.status.success() {
        anyhow::bail!(
            "`cargo package` failed:\n{}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        );
    }
    Ok(())
}

/// The files `cargo package` would ship for `package`, relative to its
/// directory (`cargo package --list`), as the work tree has them. Bounded by
/// `limit`: cargo may update the index first.
pub fn package_list(root: &Path, package: &str, limit: std::time::Duration) -> Result<Vec<String>> {
    let mut cmd = std::process::Command::new("cargo");
    cmd.args([
        "package",
        "--list",
        "--allow-dirty",
        "--quiet",
        "--package",
        package,
    ])
    .current_dir(root)
    .stdin(std::process::Stdio::null());
    let out = crate::adapters::process::Run::new(cmd, limit)
        .capture()
        .stop_on_signal(format!("while listing what `{package}` ships"))
        .run()?;
    if !out.status.success() {
        anyhow::bail!(
            "`cargo package --list --package {package}` failed:\n{}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect())
}
