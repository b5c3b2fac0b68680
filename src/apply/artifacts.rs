//! Making release artifacts: a build, archives, a source tarball, copies
//! and the `SHA256SUMS` of what was made.

use super::Executor;
use crate::adapters::{archive, fs};
use crate::core::changeset::ChangeSet;
use crate::plan::{Pack, Run};
use anyhow::{Context as _, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

impl Executor<'_> {
    pub(super) fn run_program(&self, r: &Run) -> Result<()> {
        let status = Command::new(&r.program)
            .args(&r.args)
            .current_dir(&r.dir)
            .status()
            .with_context(|| format!("cannot run {}", r.program))?;
        if !status.success() {
            bail!("`{} {}` failed", r.program, r.args.join(" "));
        }
        Ok(())
    }

    pub(super) fn pack(&self, p: &Pack) -> Result<()> {
        let files: Vec<(&Path, &str)> = p
            .files
            .iter()
            .map(|(f, n)| (f.as_path(), n.as_str()))
            .collect();
        archive::pack(&p.archive, &p.dir, &files, p.zip)
    }

    /// `git archive` of `rev`, its files under `prefix`.
    pub(super) fn source_tarball(&self, out: &Path, prefix: &str, rev: &str) -> Result<()> {
        self.git()?.archive_tar_gz(out, prefix, rev)
    }

    pub(super) fn copy(&self, from: &Path, to: &Path) -> Result<()> {
        std::fs::copy(from, to)
            .map(|_| ())
            .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))
    }

    /// `SHA256SUMS` of `files`, sorted by name, written to `file`.
    pub(super) fn sums(&self, file: &Path, files: &[PathBuf]) -> Result<()> {
        let mut files = files.to_vec();
        files.sort_by_key(|f| f.file_name().map(|n| n.to_os_string()));
        let mut sums = String::new();
        for f in &files {
            sums.push_str(&archive::sha256_line(f)?);
            sums.push('\n');
        }
        let dir = file.parent().context("SHA256SUMS outside a directory")?;
        let name = file.file_name().context("SHA256SUMS without a name")?;
        let mut changes = ChangeSet::default();
        changes.set(name, fs::read_optional(file)?, sums);
        fs::write_all(dir, &changes)?;
        files.push(file.to_path_buf());
        let here = std::env::current_dir().unwrap_or_default();
        for f in &files {
            let shown = f.strip_prefix(&here).unwrap_or(f);
            crate::output::say("Wrote", &shown.display().to_string());
        }
        Ok(())
    }
}
