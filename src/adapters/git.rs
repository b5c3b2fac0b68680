//! git, through its command line: reads use machine formats
//! (`for-each-ref --format`, `rev-parse`, `log --format`); writes are made
//! by the executor with the same runner, so hooks, signing and credentials
//! configured for the repository apply. Errors carry the arguments and stderr.

use anyhow::{Result, bail};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

mod batch;
pub mod network;
pub mod scratch;

pub use batch::{PeeledRef, commit_message};

/// A git command that failed.
#[derive(Debug, thiserror::Error)]
#[error("`git {args}` failed (exit code {}): {stderr}", code.map_or("none".to_string(), |c| c.to_string()))]
pub struct GitError {
    pub args: String,
    pub code: Option<i32>,
    pub stderr: String,
}

#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
    /// Extra environment for every git run (fixed dates for `--date`).
    env: Vec<(String, String)>,
}

/// A git operation in progress in a checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InProgress {
    /// "a merge", "a rebase", …
    pub what: &'static str,
    /// The file or directory git keeps for it.
    pub path: PathBuf,
    /// The commands that finish or abort it.
    pub finish: &'static str,
}

/// A ref and the commit it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub name: String,
    pub oid: String,
}

impl Git {
    pub fn new(dir: impl Into<PathBuf>) -> Git {
        Git {
            dir: dir.into(),
            env: Vec::new(),
        }
    }

    /// The same git settings, run in another directory.
    pub fn in_dir(mut self, dir: &Path) -> Git {
        self.dir = dir.to_path_buf();
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes every commit carry this date (author and committer).
    pub fn with_date(mut self, iso: &str) -> Git {
        self.env.push(("GIT_AUTHOR_DATE".into(), iso.into()));
        self.env.push(("GIT_COMMITTER_DATE".into(), iso.into()));
        self
    }

    /// Runs every git command with this variable set too.
    pub fn with_env(mut self, key: &str, value: &str) -> Git {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The extra environment every run gets.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// Runs git and returns its standard output. Commands that reach a
    /// remote run bounded (see [`network`]).
    pub fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Result<String> {
        let mut cmd = Command::new("git");
        cmd.current_dir(&self.dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("GIT_TERMINAL_PROMPT", "0");
        if args
            .first()
            .is_some_and(|a| network::is_network(a.as_ref()))
        {
            network::bound(self, &mut cmd)?;
        }
        let out = cmd.args(args).output()?;
        if !out.status.success() {
            return Err(GitError {
                args: args
                    .iter()
                    .map(|a| a.as_ref().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join(" "),
                code: out.status.code(),
                stderr: String::from_utf8_lossy(&out.stderr).trim_end().to_string(),
            }
            .into());
        }
        Ok(String::from_utf8(out.stdout)?)
    }

    /// The commit `rev` names, or `None` if it names nothing.
    pub fn resolve(&self, rev: &str) -> Result<Option<String>> {
        match self.run(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ]) {
            Ok(s) => Ok(Some(s.trim().to_string())),
            Err(e)
                if e.downcast_ref::<GitError>()
                    .is_some_and(|g| g.stderr.is_empty()) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Refs under `prefix` (e.g. `refs/remotes/origin/`), names without it.
    pub fn refs(&self, prefix: &str) -> Result<Vec<Ref>> {
        let out = self.run(&[
            "for-each-ref",
            "--format=%(refname)%00%(objectname)",
            prefix,
        ])?;
        Ok(out
            .lines()
            .filter_map(|l| {
                let (name, oid) = l.split_once('\0')?;
                Some(Ref {
                    name: name.strip_prefix(prefix)?.to_string(),
                    oid: oid.to_string(),
                })
            })
            .collect())
    }

    /// The branch checked out, or `None` on a detached HEAD.
    pub fn current_branch(&self) -> Result<Option<String>> {
        let out = self.run(&["symbolic-ref", "--quiet", "--short", "HEAD"]);
        match out {
            Ok(s) => Ok(Some(s.trim().to_string())),
            Err(_) => Ok(None),
        }
    }

    /// Tracked files with changes, and untracked files not ignored.
    pub fn dirty_paths(&self) -> Result<Vec<String>> {
        let out = self.run(&["status", "--porcelain=v1", "-z"])?;
        Ok(out
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(|s| s.get(3..).unwrap_or(s).to_string())
            .collect())
    }

    /// A file's content at a commit, or `None` if it has no such file.
    pub fn show(&self, rev: &str, path: &str) -> Result<Option<String>> {
        let spec = format!("{rev}:{path}");
        if self.run(&["cat-file", "-e", &spec]).is_err() {
            return Ok(None);
        }
        Ok(Some(self.run(&["cat-file", "blob", &spec])?))
    }

    /// Whether any commit message in `range` contains `text`.
    pub fn range_mentions(&self, range: &str, text: &str) -> Result<bool> {
        let out = self.run(&["log", "--format=%B%x00", range])?;
        Ok(out.contains(text))
    }

    /// Committer date (YYYY-MM-DD) of a commit.
    pub fn commit_day(&self, rev: &str) -> Result<String> {
        Ok(self
            .run(&["log", "-1", "--format=%cs", rev])?
            .trim()
            .to_string())
    }

    /// Committer day of the newest commit reachable from `rev` whose message
    /// contains `text`.
    pub fn day_of_commit_mentioning(&self, rev: &str, text: &str) -> Result<Option<String>> {
        let out = self.run(&[
            "log",
            "-1",
            "--fixed-strings",
            &format!("--grep={text}"),
            "--format=%cs",
            rev,
        ])?;
        Ok(Some(out.trim().to_string()).filter(|s| !s.is_empty()))
    }

    /// Committer day of the newest commit reachable from `rev` but not from
    /// `not` (when given) whose message contains `text`: a search bounded
    /// to a branch's own commits, however long the shared history is.
    pub fn day_of_commit_mentioning_since(
        &self,
        rev: &str,
        not: Option<&str>,
        text: &str,
    ) -> Result<Option<String>> {
        let grep = format!("--grep={text}");
        let exclude = not.map(|n| format!("^{n}"));
        let mut args = vec!["log", "-1", "--fixed-strings", &grep, "--format=%cs", rev];
        args.extend(exclude.as_deref());
        args.push("--");
        let out = self.run(&args)?;
        Ok(Some(out.trim().to_string()).filter(|s| !s.is_empty()))
    }

    /// Whether `ancestor` is reachable from `rev`.
    pub fn is_ancestor(&self, ancestor: &str, rev: &str) -> Result<bool> {
        match self.run(&["merge-base", "--is-ancestor", ancestor, rev]) {
            Ok(_) => Ok(true),
            Err(e)
                if e.downcast_ref::<GitError>()
                    .is_some_and(|g| g.code == Some(1)) =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// A multi-step operation left half-done in this checkout (merge,
    /// rebase, `am`, cherry-pick, revert, bisect), if any: what it is, the
    /// file that shows it, and how to finish or abort it. One git run.
    pub fn operation_in_progress(&self) -> Result<Option<InProgress>> {
        const STATES: [(&str, &str, &str); 7] = [
            (
                "rebase-merge",
                "a rebase",
                "`git rebase --continue` or `git rebase --abort`",
            ),
            (
                "rebase-apply",
                "a rebase (or `git am`)",
                "`git rebase --continue` / `git am --continue`, or `--abort`",
            ),
            (
                "MERGE_HEAD",
                "a merge",
                "`git commit` (or `git merge --continue`) or `git merge --abort`",
            ),
            (
                "CHERRY_PICK_HEAD",
                "a cherry-pick",
                "`git cherry-pick --continue` or `git cherry-pick --abort`",
            ),
            (
                "REVERT_HEAD",
                "a revert",
                "`git revert --continue` or `git revert --abort`",
            ),
            (
                "sequencer",
                "a cherry-pick or revert of several commits",
                "`git cherry-pick --continue` (or `git revert --continue`), or `--abort`",
            ),
            ("BISECT_LOG", "a bisect", "`git bisect reset`"),
        ];
        let mut args = vec!["rev-parse"];
        for (name, _, _) in &STATES {
            args.extend(["--git-path", name]);
        }
        let out = self.run(&args)?;
        for (path, (_, what, finish)) in out.lines().zip(STATES) {
            let path = self.dir.join(path);
            if path.exists() {
                return Ok(Some(InProgress { what, path, finish }));
            }
        }
        Ok(None)
    }

    /// The URL of `remote`, to check it exists.
    pub fn remote_url(&self, remote: &str) -> Result<String> {
        match self.run(&["remote", "get-url", remote]) {
            Ok(u) => Ok(u.trim().to_string()),
            Err(_) => bail!(
                "{} has no remote `{remote}` (add it with `git remote add {remote} URL`, or set \
                 `remote` in the configuration)",
                match std::env::var_os("GIT_DIR") {
                    Some(d) => format!(
                        "the repository GIT_DIR points at ({})",
                        Path::new(&d).display()
                    ),
                    None => "this repository".into(),
                }
            ),
        }
    }

    /// Refuses to go on outside a git repository, saying where git looked
    /// (and that `GIT_DIR` sent it elsewhere, if it did).
    pub fn require_repository(&self) -> Result<()> {
        if self.run(&["rev-parse", "--git-dir"]).is_ok() {
            return Ok(());
        }
        match std::env::var_os("GIT_DIR") {
            Some(d) => bail!(
                "GIT_DIR is set to {}, which is not a git repository; unset it or point it at the \
                 project's `.git`",
                Path::new(&d).display()
            ),
            None => bail!(
                "{} is not in a git repository (git looked there and in every parent directory); \
                 run this in a clone of the project",
                self.dir.display()
            ),
        }
    }
}
