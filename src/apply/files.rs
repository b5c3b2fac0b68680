//! Files written in the user's directory all or none (see
//! [`fs::write_all`]), then the hooks run there; a hook that fails undoes
//! the write, so the tree is as it was.

use super::Executor;
use crate::adapters::fs;
use crate::core::changeset::{ChangeSet, FileChange};
use crate::plan::Files;
use anyhow::Result;

impl Executor<'_> {
    pub(super) fn files(&self, f: &Files) -> Result<()> {
        let lock_path = f.root.join("Cargo.lock");
        let lock_before = fs::read_optional(&lock_path)?;
        fs::write_all(&f.root, &f.changes)?;
        for hook in &f.hooks {
            if let Err(e) = self.shell(&f.root, hook, &[]) {
                undo(f, &lock_before)?;
                return Err(e.context(format!(
                    "`{}` failed after the bump; the bump was undone",
                    hook.command
                )));
            }
        }
        Ok(())
    }
}

/// Puts back what `f` wrote, as it was before; with a relock, the lock too
/// (cargo may have rewritten it even where the change left it alone).
fn undo(f: &Files, lock_before: &Option<String>) -> Result<()> {
    let mut undo = reverse(&f.changes);
    for c in &mut undo.files {
        if let Ok(Some(now)) = fs::read_optional(&f.root.join(&c.path)) {
            c.before = Some(now);
        }
    }
    let lock_now = fs::read_optional(&f.root.join("Cargo.lock"))?;
    if f.relock && lock_now != *lock_before {
        undo.files.push(FileChange {
            path: "Cargo.lock".into(),
            before: lock_now,
            after: lock_before.clone().unwrap_or_default(),
        });
    }
    fs::write_all(&f.root, &undo)
}

/// The change that takes every file of `c` back to its old content.
fn reverse(c: &ChangeSet) -> ChangeSet {
    ChangeSet {
        files: c
            .files
            .iter()
            .filter_map(|f| {
                Some(FileChange {
                    path: f.path.clone(),
                    before: Some(f.after.clone()),
                    after: f.before.clone()?,
                })
            })
            .collect(),
    }
}
