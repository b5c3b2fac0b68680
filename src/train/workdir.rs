//! A checkout of one commit to prepare release commits in.
//!
//! When the repository's own checkout is clean and at that commit, it is
//! used in place (as the reference's CI job does: nothing to copy); otherwise
//! a temporary worktree is made. Commits are made on a detached HEAD, so no
//! local branch moves; the original branch is checked out again at the end,
//! also when an error or a panic cuts the work short.

use crate::adapters::git::Git;
use crate::core::changeset::ChangeSet;
use crate::exec::{Executor, Hook};
use crate::train::{Context, Options};
use anyhow::{Context as _, Result};
use std::path::Path;

pub struct Workdir {
    repo: Git,
    /// Git in the directory where work happens.
    pub git: Git,
    base: String,
    /// In place: what to check out again at the end.
    restore: Option<String>,
    temp: Option<tempfile::TempDir>,
    dry_run: bool,
    closed: bool,
}

impl Workdir {
    /// `clean`: the caller has checked that the checkout has no changes.
    pub fn open(repo: &Git, base: &str, clean: bool, exec: &Executor) -> Result<Workdir> {
        let head = repo.resolve("HEAD")?;
        let mut w = Workdir {
            repo: repo.clone(),
            git: repo.clone(),
            base: base.to_string(),
            restore: None,
            temp: None,
            dry_run: exec.is_dry_run(),
            closed: false,
        };
        if head.as_deref() == Some(base) && clean {
            w.restore = Some(repo.current_branch()?.unwrap_or_else(|| base.to_string()));
            exec.git(repo, &["checkout", "--quiet", "--detach", base])?;
        } else {
            // A scratch checkout: no ref of the repository changes, so this
            // is not a side effect a dry run must avoid.
            let temp = tempfile::Builder::new().prefix("cargo-train-").tempdir()?;
            let path = temp
                .path()
                .to_str()
                .context("temporary path is not UTF-8")?
                .to_string();
            repo.run(&["worktree", "add", "--quiet", "--detach", &path, base])?;
            w.git = repo.clone().in_dir(temp.path());
            w.temp = Some(temp);
        }
        Ok(w)
    }

    pub fn dir(&self) -> &Path {
        self.git.dir()
    }

    /// Loads the workspace as it is in this checkout.
    pub fn context(&self, opts: &Options) -> Result<Context> {
        Context::load(&Options {
            manifest_path: Some(self.dir().join("Cargo.toml")),
            config: opts.config.clone(),
        })
    }

    /// Back to the base commit, dropping what the last commit changed.
    pub fn reset(&self, exec: &Executor) -> Result<()> {
        exec.git(
            &self.git,
            &["checkout", "--quiet", "--force", "--detach", &self.base],
        )?;
        Ok(())
    }

    /// Writes `changes`, runs `hooks`, commits everything with `message`
    /// (paragraphs separated by a blank line) and returns the new commit, or
    /// (dry run) a description of it.
    pub fn commit(
        &self,
        exec: &Executor,
        changes: &ChangeSet,
        hooks: &[Hook],
        message: &[&str],
    ) -> Result<String> {
        exec.write_files(self.dir(), changes)?;
        for h in hooks {
            exec.shell(self.dir(), h)?;
        }
        if hooks.is_empty() {
            // Only the files written here changed: no need to scan the tree.
            let mut args = vec!["add", "--"];
            let paths: Vec<String> = changes
                .files
                .iter()
                .map(|f| f.path.to_string_lossy().into_owned())
                .collect();
            args.extend(paths.iter().map(String::as_str));
            if !paths.is_empty() {
                exec.git(&self.git, &args)?;
            }
        } else {
            exec.git(&self.git, &["add", "--all"])?;
        }
        let mut args = vec!["commit", "--quiet", "--allow-empty"];
        for m in message {
            args.push("-m");
            args.push(m);
        }
        exec.git(&self.git, &args)?;
        if exec.is_dry_run() {
            return Ok(format!("<commit \"{}\">", message[0]));
        }
        Ok(self
            .git
            .resolve("HEAD")?
            .expect("HEAD exists after a commit"))
    }

    /// Returns the repository to the state it was in.
    pub fn close(mut self, exec: &Executor) -> Result<()> {
        self.closed = true;
        if let Some(r) = &self.restore {
            exec.git(&self.repo, &["checkout", "--quiet", "--force", r])?;
        }
        if let Some(t) = &self.temp {
            let path = t.path().to_string_lossy().to_string();
            self.repo.run(&["worktree", "remove", "--force", &path])?;
        }
        Ok(())
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        // Best effort on the error path: the tree was clean when we started,
        // so forcing the original branch back loses nothing of the user's.
        if let (Some(r), false) = (&self.restore, self.dry_run) {
            let _ = self.repo.run(&["checkout", "--quiet", "--force", r]);
        }
        if let Some(t) = &self.temp {
            let _ = self
                .repo
                .run(&["worktree", "remove", "--force", &t.path().to_string_lossy()]);
        }
    }
}
