//! The RustSec advisory database on disk: a local clone read as it is, or
//! a shallow clone in cargo-train's cache, brought up to date with the
//! system's `git` (bounded as every git that reaches a remote is) and read
//! with RustSec's own reader (`rustsec::Database::open`). Its age is its
//! last commit's date.

use super::git::Git;
use anyhow::{Context as _, Result, bail};
use std::path::{Path, PathBuf};

/// A database read from disk.
pub struct Opened {
    pub database: rustsec::Database,
    /// The directory it was read from.
    pub dir: PathBuf,
    /// Its last commit: `None` when the directory is not a git clone.
    pub commit: Option<Commit>,
    pub fetch: Fetch,
}

/// A database's last commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub short: String,
    /// Committer time, seconds since the epoch.
    pub time: i64,
}

/// How the database on disk came to be what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// A local clone (`[advisories] db`), never fetched.
    Local,
    /// Cloned into the cache on this run.
    Cloned,
    /// The cached clone, fetched on this run.
    Fetched,
    /// The cached clone as an earlier run left it: this run's fetch failed
    /// (git's message).
    Failed(String),
}

/// The clone at `dir`, read as it is.
pub fn local(dir: &Path) -> Result<Opened> {
    if !dir.is_dir() {
        bail!(
            "`[advisories] db` names {}, which is not a directory: clone the advisory database \
             there (`git clone {} {}`), or remove `db` to have cargo-train fetch it",
            dir.display(),
            crate::core::config::RUSTSEC_URL,
            dir.display()
        );
    }
    open(dir, Fetch::Local)
}

/// The database of `url`, cloned into `cache` (shallow) on first use and
/// fetched on every later one. A failed fetch falls back to the copy
/// already there (said in [`Fetch::Failed`]); with no copy, an error.
pub fn fetched(url: &str, cache: &Path) -> Result<Opened> {
    if cache.join(".git").exists() {
        let git = Git::new(cache);
        let fetch = git
            .write(&["fetch", "--quiet", "--depth", "1", url, "HEAD"])
            .and_then(|_| git.write(&["reset", "--quiet", "--hard", "FETCH_HEAD"]));
        return match fetch {
            Ok(_) => open(cache, Fetch::Fetched),
            Err(e) => open(cache, Fetch::Failed(format!("{e:#}"))),
        };
    }
    let parent = cache.parent().context("the advisory cache has no parent")?;
    super::fs::state_dir(parent)?;
    // A copy without `.git` is what no clone leaves: start again.
    if cache.exists() {
        std::fs::remove_dir_all(cache)
            .with_context(|| format!("cannot remove {}", cache.display()))?;
    }
    // Cloned beside, then renamed: a clone stopped half way is never read.
    let tmp = tempfile::Builder::new()
        .prefix(".advisory-db-")
        .tempdir_in(parent)
        .with_context(|| format!("cannot write in {}", parent.display()))?;
    let into = tmp.path().join("db");
    let clone = Git::new(parent).write(&[
        "clone",
        "--quiet",
        "--depth",
        "1",
        url,
        &into.to_string_lossy(),
    ]);
    if let Err(e) = clone {
        bail!(
            "no advisory database: cloning {url} into {} failed: {e:#}\n\
             reach the network and run again, or clone the database yourself and set \
             `[advisories] db = \"PATH\"` to that clone (or `url` to a mirror)",
            cache.display()
        );
    }
    std::fs::rename(&into, cache)
        .with_context(|| format!("cannot move the advisory database to {}", cache.display()))?;
    open(cache, Fetch::Cloned)
}

fn open(dir: &Path, fetch: Fetch) -> Result<Opened> {
    let database = rustsec::Database::open(dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot read the advisory database at {}: {e} (it is laid out as RustSec's \
             advisory-db: crates/<crate>/RUSTSEC-YYYY-NNNN.md)",
            dir.display()
        )
    })?;
    Ok(Opened {
        database,
        dir: dir.to_path_buf(),
        commit: last_commit(dir)?,
        fetch,
    })
}

/// The last commit of the clone at `dir`; `None` when `dir` is not the
/// top of a git clone (a plain directory, or one inside another
/// repository, whose commits are not the database's).
fn last_commit(dir: &Path) -> Result<Option<Commit>> {
    if !dir.join(".git").exists() {
        return Ok(None);
    }
    let out = Git::new(dir).read(&["log", "-1", "--format=%h %ct"])?;
    let parsed = out
        .trim()
        .split_once(' ')
        .and_then(|(h, t)| Some((h.to_string(), t.parse().ok()?)));
    Ok(parsed.map(|(short, time)| Commit { short, time }))
}
