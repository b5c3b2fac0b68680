//! The git effects: commits built beside the checkout (see [`Scratch`]),
//! cherry-picks made in the object store, the one atomic push, and bringing
//! a local branch along.

use super::{Executor, resolve};
use crate::adapters::fs;
use crate::adapters::git::pick::{self as git_pick, Applied};
use crate::adapters::git::scratch::{Files, Scratch};
use crate::core::refs::{BranchName, CommitId};
use crate::plan::{NewCommit, Pick, Rev};
use anyhow::{Context as _, Result, bail};

impl Executor<'_> {
    /// Builds one commit beside the checkout: the base's files written out
    /// (all of them only when a hook runs), the changes written, the hooks
    /// run, committed with git's plumbing.
    pub(super) fn commit(&self, c: &NewCommit, made: &[CommitId]) -> Result<CommitId> {
        let base = resolve(&c.base, made);
        let files = if c.hooks.is_empty() {
            Files::Some
        } else {
            Files::All
        };
        let scratch = Scratch::open(self.git()?, &base, files)?;
        let paths: Vec<std::path::PathBuf> =
            c.changes.files.iter().map(|f| f.path.clone()).collect();
        scratch.materialize(|f| paths.iter().any(|p| p.as_os_str() == f))?;
        fs::write_all(&scratch.dir(), &c.changes)?;
        for h in &c.hooks {
            self.shell(&scratch.dir(), h, scratch.env())
                .with_context(|| format!("`{}` failed; nothing was committed", h.command))?;
        }
        scratch.commit(&paths, &c.message).map(CommitId::new)
    }

    /// Makes a cherry-pick in the repository's object store (planning found
    /// it clean in a quarantine; the same inputs give the same tree).
    pub(super) fn pick(&self, p: &Pick, made: &[CommitId]) -> Result<CommitId> {
        let git = self.git()?;
        let base = resolve(&p.base, made);
        match git_pick::apply_change(git, &p.parent, &base, &p.commit)? {
            Applied::Tree(tree) => {
                git_pick::commit_tree(git, &tree, &base, &p.message, &p.author).map(CommitId::new)
            }
            Applied::Conflicts(files) => bail!(
                "the cherry-pick of {} now conflicts in {}; nothing was pushed",
                p.commit,
                files.join(", ")
            ),
        }
    }

    /// One atomic push of every update, never forced.
    pub(super) fn push(
        &self,
        remote: &str,
        updates: &[(Rev, BranchName)],
        made: &[CommitId],
    ) -> Result<()> {
        let specs: Vec<String> = updates
            .iter()
            .map(|(r, b)| format!("{}:refs/heads/{b}", resolve(r, made)))
            .collect();
        self.git()?.push_atomic(remote, &specs).context(
            "the push was refused, so the remote is as it was (the push is atomic); \
             if the remote moved on meanwhile, run the command again",
        )?;
        for (_, b) in updates {
            crate::output::say("Pushed", b);
        }
        Ok(())
    }

    /// Brings the checked-out `branch` to `to` when the checkout is on it,
    /// clean, and `to` is ahead of it; otherwise says why it is left alone.
    pub(super) fn fast_forward(&self, branch: &str, to: &str) -> Result<()> {
        let git = self.git()?;
        let on = git.current_branch()?;
        let head = git.resolve("HEAD")?;
        let why_not = if on.as_deref() != Some(branch) {
            Some(format!("`{branch}` is not checked out"))
        } else if git.operation_in_progress()?.is_some() || !git.dirty_paths()?.is_empty() {
            Some("the checkout has changes".to_string())
        } else if !head
            .as_deref()
            .is_some_and(|h| git.is_ancestor(h, to).unwrap_or(false))
        {
            Some(format!("`{branch}` has commits of its own"))
        } else {
            None
        };
        match why_not {
            None => {
                git.fast_forward(to)?;
            }
            Some(why) => crate::output::say(
                "Left",
                &format!("local `{branch}` as it is ({why}); `git pull` brings it along"),
            ),
        }
        Ok(())
    }
}
