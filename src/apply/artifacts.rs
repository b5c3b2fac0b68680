//! Making release artifacts: a build, archives, a source tarball, copies
//! and the `SHA256SUMS` of what was made.

use super::Executor;
use crate::adapters::{archive, fs};
use crate::core::changeset::ChangeSet;
use crate::plan::{Pack, Run};
use anyhow::{Context as _, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Refuses an output that is a symbolic link: what is written there would
/// land wherever it points.
fn no_link(out: &Path) -> Result<()> {
    if std::fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink()) {
        bail!(
            "refusing to write {}: it is a symbolic link, and cargo-train writes nothing through \
             one; remove it, then run this again",
            out.display()
        );
    }
    Ok(())
}

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
        no_link(&p.archive)?;
        let files: Vec<(&Path, &str)> = p
            .files
            .iter()
            .map(|(f, n)| (f.as_path(), n.as_str()))
            .collect();
        archive::pack(&p.archive, &p.dir, &files, p.zip)
    }

    /// `git archive` of `rev`, its files under `prefix`.
    pub(super) fn source_tarball(&self, out: &Path, prefix: &str, rev: &str) -> Result<()> {
        no_link(out)?;
        self.git()?.archive_tar_gz(out, prefix, rev)
    }

    /// A copy made beside `to` and renamed into place: a link at `to` is
    /// refused, and `to` is never opened for writing.
    pub(super) fn copy(&self, from: &Path, to: &Path) -> Result<()> {
        no_link(to)?;
        let dir = to.parent().context("a copy outside a directory")?;
        let cannot = || format!("cannot copy {} to {}", from.display(), to.display());
        let mut tmp = tempfile::Builder::new()
            .prefix(".cargo-train-")
            .tempfile_in(dir)
            .with_context(cannot)?;
        let mut src = std::fs::File::open(from).with_context(cannot)?;
        std::io::copy(&mut src, tmp.as_file_mut()).with_context(cannot)?;
        tmp.persist(to).map_err(|e| e.error).with_context(cannot)?;
        Ok(())
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
