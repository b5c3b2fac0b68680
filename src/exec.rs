//! The one place side effects happen. Operations describe what to change
//! (files to write, commands to run) and hand it here; a dry run prints the
//! same description instead, so it cannot miss a side effect.

use crate::adapters::fs;
use crate::core::changeset::ChangeSet;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Executor {
    dry_run: bool,
    root: PathBuf,
}

impl Executor {
    pub fn new(root: impl Into<PathBuf>, dry_run: bool) -> Executor {
        Executor {
            dry_run,
            root: root.into(),
        }
    }

    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes all files of `changes`, or (dry run) prints their diff.
    pub fn write_files(&self, changes: &ChangeSet) -> Result<()> {
        if self.dry_run {
            let mut out = std::io::stdout().lock();
            out.write_all(changes.diff().as_bytes())?;
            return Ok(());
        }
        fs::write_all(&self.root, changes)
    }

    /// Runs a shell command at the workspace root (hooks such as `cargo vet`).
    pub fn shell(&self, command: &str) -> Result<()> {
        if self.dry_run {
            println!("would run: {command}");
            return Ok(());
        }
        let status = Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(&self.root)
            .status()
            .with_context(|| format!("failed to start `{command}`"))?;
        if !status.success() {
            anyhow::bail!("`{command}` failed ({status})");
        }
        Ok(())
    }
}
