//! Commits made beside the user's checkout: a temporary index read from the
//! base commit and a temporary directory holding just the files the train
//! reads and writes (all of them when a hook has to run), committed with
//! `write-tree` and `commit-tree`. The user's work tree, index, HEAD and
//! branches are never touched, and no worktree is registered, so an
//! interrupt at any moment leaves nothing of theirs changed.
//!
//! The directory lives under the repository's git directory
//! (`cargo-train/work-<pid>-…`), so cargo run by a hook sees the project's
//! own `.cargo/config.toml` above it as it would in the checkout. It is
//! removed when the scratch is dropped; one a killed run left behind is
//! removed by the next run.

use super::Git;
use anyhow::{Context as _, Result};
use std::path::{Path, PathBuf};

pub struct Scratch {
    /// git on the temporary index, with the scratch directory as work tree.
    git: Git,
    temp: tempfile::TempDir,
    base: String,
    /// Every file of the base commit (relative paths).
    files: Vec<String>,
    full: bool,
}

/// How much of the base commit to write out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Files {
    /// Only what [`Scratch::materialize`] asks for.
    Some,
    /// Every file (a hook runs over the tree).
    All,
}

impl Scratch {
    /// A scratch at commit `base` of the repository `repo` works in.
    pub fn open(repo: &Git, base: &str, files: Files) -> Result<Scratch> {
        let git_dir = absolute(repo, "--git-dir")?;
        let home = absolute(repo, "--git-common-dir")?.join("cargo-train");
        std::fs::create_dir_all(&home)
            .with_context(|| format!("cannot create {}", home.display()))?;
        remove_stale(&home);
        let temp = tempfile::Builder::new()
            .prefix(&format!("work-{}-", std::process::id()))
            .tempdir_in(&home)
            .with_context(|| format!("cannot create a scratch directory in {}", home.display()))?;
        let tree = temp.path().join("tree");
        std::fs::create_dir(&tree)?;
        let s = |p: &Path| p.to_string_lossy().into_owned();
        let git = repo
            .clone()
            .in_dir(&tree)
            .with_env("GIT_DIR", &s(&git_dir))
            .with_env("GIT_WORK_TREE", &s(&tree))
            .with_env("GIT_INDEX_FILE", &s(&temp.path().join("index")));
        git.write(&["read-tree", base])?;
        let listed = git.read(&["ls-files", "-z"])?;
        let scratch = Scratch {
            git,
            temp,
            base: base.to_string(),
            files: listed
                .split('\0')
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect(),
            full: files == Files::All,
        };
        if scratch.full {
            scratch
                .git
                .write(&["checkout-index", "--all", "--force", "-u"])?;
        }
        Ok(scratch)
    }

    /// The directory the base commit's files are written to.
    pub fn dir(&self) -> PathBuf {
        self.temp.path().join("tree")
    }

    /// Every file of the base commit, relative to the top of the repository.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Writes out the files of the base commit that `wanted` picks.
    pub fn materialize(&self, wanted: impl Fn(&str) -> bool) -> Result<()> {
        if self.full {
            return Ok(());
        }
        let mut args = vec!["checkout-index", "--force", "-u", "--"];
        let picked: Vec<&str> = self
            .files
            .iter()
            .map(String::as_str)
            .filter(|f| wanted(f))
            .collect();
        if picked.is_empty() {
            return Ok(());
        }
        args.extend(picked);
        self.git.write(&args)?;
        Ok(())
    }

    /// What a hook needs to find the repository from the scratch directory
    /// (its git commands then see the scratch's index and files).
    pub fn env(&self) -> &[(String, String)] {
        self.git.env()
    }

    /// Commits the files at `paths` as they are now in the scratch directory
    /// (every file when the whole tree was written out) on the base commit;
    /// `message` is the paragraphs of the message. Returns the new commit.
    pub fn commit(&self, paths: &[PathBuf], message: &[String]) -> Result<String> {
        if self.full {
            self.git.write(&["add", "--all"])?;
        } else if !paths.is_empty() {
            let mut args: Vec<String> = vec!["add".into(), "--".into()];
            args.extend(paths.iter().map(|p| p.to_string_lossy().into_owned()));
            self.git.write(&args)?;
        }
        let tree = self.git.write(&["write-tree"])?;
        let mut args = vec!["commit-tree", tree.trim(), "-p", &self.base];
        for m in message {
            args.extend(["-m", m]);
        }
        Ok(self.git.write(&args)?.trim().to_string())
    }
}

/// Removes the scratch directories that runs no longer running left in
/// `repo` (each run does this first, so a `kill -9` leaves nothing for long).
pub fn remove_stale_in(repo: &Git) -> Result<()> {
    let home = absolute(repo, "--git-common-dir")?.join("cargo-train");
    if home.is_dir() {
        remove_stale(&home);
    }
    Ok(())
}

fn absolute(repo: &Git, which: &str) -> Result<PathBuf> {
    let out = repo.read(&["rev-parse", "--path-format=absolute", which])?;
    Ok(PathBuf::from(out.trim()))
}

/// Removes scratch directories of runs that are no longer running (a
/// `kill -9` left them). Where processes cannot be looked up, only those a
/// day old.
fn remove_stale(home: &Path) {
    let Ok(entries) = std::fs::read_dir(home) else {
        return;
    };
    let proc = Path::new("/proc/self").exists();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("work-")
            .and_then(|r| r.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let gone = if proc {
            pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists()
        } else {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 86_400)
        };
        if gone {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}
