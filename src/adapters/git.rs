//! git, through its command line: reads use machine formats
//! (`for-each-ref --format`, `rev-parse`, `log --format`); writes are made
//! by the executor with the same runner, so hooks, signing and credentials
//! configured for the repository apply. Errors carry the arguments and stderr.

use crate::core::refs::CommitId;
use anyhow::{Result, bail};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

mod batch;
mod history;
pub mod network;
pub mod pick;
pub mod scratch;

pub use batch::{PeeledRef, commit_message, committer_time};
pub use history::{DatedRef, GraphCommit};

/// A git command that failed.
#[derive(Debug, thiserror::Error)]
#[error("`git {args}` failed (exit code {}): {stderr}", code.map_or("none".to_string(), |c| c.to_string()))]
pub struct GitError {
    pub args: String,
    pub code: Option<i32>,
    pub stderr: String,
}

/// `e` is a git run that exited with `code`.
fn exited_with(e: &anyhow::Error, code: i32) -> bool {
    e.downcast_ref::<GitError>()
        .is_some_and(|g| g.code == Some(code))
}

/// The subcommands [`Git::read`] runs: none changes a ref, an object or a
/// file.
const READS: &[&str] = &[
    "cat-file",
    "diff",
    "diff-tree",
    "for-each-ref",
    "log",
    "ls-files",
    "ls-remote",
    "ls-tree",
    "merge-base",
    "remote",
    "rev-list",
    "rev-parse",
    "status",
    "symbolic-ref",
    "tag",
];

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
    pub oid: CommitId,
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

    /// Runs a git command that only reads (history, refs, objects, the
    /// status, configuration) and returns its standard output.
    pub fn read<S: AsRef<OsStr>>(&self, args: &[S]) -> Result<String> {
        debug_assert!(
            args.first()
                .and_then(|a| a.as_ref().to_str())
                .is_some_and(|a| READS.contains(&a)),
            "`git {:?}` is not a read",
            args.first().map(|a| a.as_ref().to_owned())
        );
        self.exec(args)
    }

    /// Runs a git command that changes something: a push, a tag, an object,
    /// a scratch directory's index or files. Outside the adapters only the
    /// applier calls it (see tests/architecture.rs).
    pub fn write<S: AsRef<OsStr>>(&self, args: &[S]) -> Result<String> {
        self.exec(args)
    }

    /// Runs git and returns its standard output. Commands that reach a
    /// remote run bounded (see [`network`]).
    fn exec<S: AsRef<OsStr>>(&self, args: &[S]) -> Result<String> {
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
            // The git of the moment shares the terminal's process group:
            // Ctrl-C (or a runner's SIGTERM to the group) ends it too, and
            // that is the signal's doing, not git's failure.
            crate::signals::check(|| {
                let shown: Vec<_> = args.iter().map(|a| a.as_ref().to_string_lossy()).collect();
                format!("while `git {}` ran", shown.join(" "))
            })?;
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
    pub fn resolve(&self, rev: &str) -> Result<Option<CommitId>> {
        Ok(self
            .verify(&format!("{rev}^{{commit}}"))?
            .map(CommitId::new))
    }

    /// The objects whose ids start with `prefix` when there are more than
    /// one (why a short id names no commit); empty otherwise.
    pub fn ambiguous(&self, prefix: &str) -> Result<Vec<String>> {
        if !(4..40).contains(&prefix.len()) || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(Vec::new());
        }
        let all = self.read(&["rev-parse", &format!("--disambiguate={prefix}")])?;
        let all: Vec<String> = all.lines().map(str::to_string).collect();
        Ok(if all.len() > 1 { all } else { Vec::new() })
    }

    /// The object `name` names, or `None` if it names nothing.
    fn verify(&self, name: &str) -> Result<Option<String>> {
        // `--end-of-options`: a name like `--output=x` is a name, not an option.
        match self.read(&["rev-parse", "--verify", "--quiet", "--end-of-options", name]) {
            Ok(s) => Ok(Some(s.trim().to_string())),
            // With --quiet, "no such object" is a silent exit 1; a broken
            // repository still says why.
            Err(e)
                if e.downcast_ref::<GitError>()
                    .is_some_and(|g| g.code == Some(1) && g.stderr.is_empty()) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Refs under `prefix` (e.g. `refs/remotes/origin/`), names without it.
    pub fn refs(&self, prefix: &str) -> Result<Vec<Ref>> {
        let out = self.read(&[
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
                    oid: CommitId::new(oid),
                })
            })
            .collect())
    }

    /// The branch checked out, or `None` on a detached HEAD.
    pub fn current_branch(&self) -> Result<Option<String>> {
        match self.read(&["symbolic-ref", "--quiet", "--short", "HEAD"]) {
            Ok(s) => Ok(Some(s.trim().to_string())),
            // With --quiet, exit 1 means exactly "HEAD is not a symbolic
            // ref"; anything else (a broken HEAD, say) is git's to explain.
            Err(e) if exited_with(&e, 1) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Tracked files with changes, and untracked files not ignored.
    pub fn dirty_paths(&self) -> Result<Vec<String>> {
        let out = self.read(&["status", "--porcelain=v1", "-z"])?;
        Ok(out
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(|s| s.get(3..).unwrap_or(s).to_string())
            .collect())
    }

    /// A file's content at a commit, or `None` if it has no such file.
    pub fn show(&self, rev: &str, path: &str) -> Result<Option<String>> {
        let spec = format!("{rev}:{path}");
        let err = match self.read(&["cat-file", "blob", &spec]) {
            Ok(text) => return Ok(Some(text)),
            Err(e) => e,
        };
        // cat-file fails alike (exit 128) for a missing path, a missing
        // commit and a broken repository: only a commit that exists but
        // lacks the path has no such file.
        if self.verify(&format!("{rev}^{{tree}}"))?.is_some() && self.verify(&spec)?.is_none() {
            return Ok(None);
        }
        Err(err)
    }

    /// The messages of the commits in `range` that contain `text`, newest
    /// first: what a caller then reads for its structure.
    pub fn messages_mentioning(&self, range: &str, text: &str) -> Result<Vec<String>> {
        let grep = format!("--grep={text}");
        let args = [
            "log",
            "--fixed-strings",
            &grep,
            "--format=%B%x00",
            range,
            "--",
        ];
        let out = self.read(&args)?;
        Ok(out
            .split('\0')
            .map(|m| m.trim_start_matches('\n'))
            .filter(|m| !m.trim().is_empty())
            .map(str::to_string)
            .collect())
    }

    /// Committer date (YYYY-MM-DD) of a commit.
    pub fn commit_day(&self, rev: &str) -> Result<String> {
        Ok(self
            .read(&["log", "-1", "--format=%cs", rev])?
            .trim()
            .to_string())
    }

    /// Committer day of the newest commit reachable from `rev` whose message
    /// contains `text`.
    pub fn day_of_commit_mentioning(&self, rev: &str, text: &str) -> Result<Option<String>> {
        let out = self.read(&[
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
        let out = self.read(&args)?;
        Ok(Some(out.trim().to_string()).filter(|s| !s.is_empty()))
    }

    /// Committer day of the oldest commit of `rev`'s first-parent line that
    /// `not` does not have: the first to land after `not` left that line.
    pub fn first_day_after(&self, rev: &str, not: &str) -> Result<Option<String>> {
        let exclude = format!("^{not}");
        // `-1` would apply before `--reverse`: read the (short) list.
        let out = self.read(&[
            "log",
            "--first-parent",
            "--reverse",
            "--format=%cs",
            rev,
            &exclude,
            "--",
        ])?;
        Ok(out.lines().next().map(str::to_string))
    }

    /// Whether `ancestor` is reachable from `rev`.
    pub fn is_ancestor(&self, ancestor: &str, rev: &str) -> Result<bool> {
        match self.read(&["merge-base", "--is-ancestor", ancestor, rev]) {
            Ok(_) => Ok(true),
            Err(e) if exited_with(&e, 1) => Ok(false),
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
        let out = self.read(&args)?;
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
        match self.read(&["remote", "get-url", remote]) {
            Ok(u) => Ok(u.trim().to_string()),
            // Exit 2 is git's "no such remote" (older versions said so with
            // exit 128); any other failure is passed on as git's.
            Err(e)
                if exited_with(&e, 2)
                    || e.downcast_ref::<GitError>()
                        .is_some_and(|g| g.stderr.contains("No such remote")) =>
            {
                bail!(
                    "{} has no remote `{remote}` (add it with `git remote add {remote} URL`, or set \
                     `remote` in the configuration)",
                    match std::env::var_os("GIT_DIR") {
                        Some(d) => format!(
                            "the repository GIT_DIR points at ({})",
                            Path::new(&d).display()
                        ),
                        None => "this repository".into(),
                    }
                )
            }
            Err(e) => Err(e),
        }
    }

    /// Refuses to go on outside a git repository, saying where git looked
    /// (and that `GIT_DIR` sent it elsewhere, if it did).
    pub fn require_repository(&self) -> Result<()> {
        // In the C locale git's message tells "not a repository" from a
        // repository git cannot read (a bad config line, say): that one is
        // passed on as git says it.
        let mut probe = self.clone();
        probe.env.push(("LC_ALL".into(), "C".into()));
        let err = match probe.read(&["rev-parse", "--git-dir"]) {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let not_a_repository = err
            .downcast_ref::<GitError>()
            .is_some_and(|g| g.stderr.contains("not a git repository"));
        if !not_a_repository {
            return Err(err);
        }
        // git's own words stay as the cause: a `.git` git refuses (a
        // garbage HEAD, say) is "not a repository" to git too.
        let why = match std::env::var_os("GIT_DIR") {
            Some(d) => format!(
                "GIT_DIR is set to {}, which is not a git repository; unset it or point it at the \
                 project's `.git`",
                Path::new(&d).display()
            ),
            None => format!(
                "{} is not in a git repository (git looked there and in every parent directory); \
                 run this in a clone of the project",
                self.dir.display()
            ),
        };
        Err(err.context(why))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository on `main` with one commit of `file`, git confined to it.
    fn repo() -> (tempfile::TempDir, Git) {
        let dir = tempfile::tempdir().unwrap();
        let mut git = Git::new(dir.path());
        git.env.push((
            "GIT_CEILING_DIRECTORIES".into(),
            dir.path().parent().unwrap().display().to_string(),
        ));
        std::fs::write(dir.path().join("file"), "text\n").unwrap();
        for args in [
            &["init", "--quiet", "-b", "main"][..],
            &["add", "file"],
            &[
                "-c",
                "user.name=Git Test",
                "-c",
                "user.email=git@example.invalid",
                "-c",
                "commit.gpgsign=false",
                "commit",
                "--quiet",
                "-m",
                "one",
            ],
        ] {
            git.write(args).unwrap();
        }
        (dir, git)
    }

    fn break_config(dir: &Path) {
        let config = dir.join(".git/config");
        let mut text = std::fs::read_to_string(&config).unwrap();
        text.push_str("[[[\n");
        std::fs::write(config, text).unwrap();
    }

    fn git_error(e: &anyhow::Error) -> &GitError {
        e.downcast_ref::<GitError>()
            .unwrap_or_else(|| panic!("not git's error: {e:#}"))
    }

    #[test]
    fn a_detached_head_is_none_and_a_broken_one_is_gits_error() {
        let (dir, git) = repo();
        assert_eq!(git.current_branch().unwrap().as_deref(), Some("main"));
        git.write(&["checkout", "--quiet", "--detach"]).unwrap();
        assert_eq!(git.current_branch().unwrap(), None);
        // A symbolic ref to an invalid name: the repository still works,
        // but HEAD names no branch and is not detached either.
        std::fs::write(dir.path().join(".git/HEAD"), "ref: refs/heads/a..b\n").unwrap();
        let e = git.current_branch().unwrap_err();
        let g = git_error(&e);
        assert_eq!(g.code, Some(128), "{e:#}");
        assert!(g.args.starts_with("symbolic-ref"), "{e:#}");
        assert!(!g.stderr.is_empty(), "{e:#}");
    }

    #[test]
    fn a_missing_remote_is_named_and_an_unreadable_config_is_gits_error() {
        let (dir, git) = repo();
        let e = git.remote_url("origin").unwrap_err();
        assert!(e.to_string().contains("has no remote `origin`"), "{e:#}");
        break_config(dir.path());
        let e = git.remote_url("origin").unwrap_err();
        assert!(git_error(&e).stderr.contains("bad config"), "{e:#}");
        assert!(!format!("{e:#}").contains("no remote"), "{e:#}");
    }

    #[test]
    fn show_is_none_only_for_a_path_the_commit_lacks() {
        let (dir, git) = repo();
        assert_eq!(git.show("HEAD", "file").unwrap().as_deref(), Some("text\n"));
        assert_eq!(git.show("HEAD", "nothing").unwrap(), None);
        let e = git.show("no-such-rev", "file").unwrap_err();
        assert!(git_error(&e).args.contains("no-such-rev"), "{e:#}");
        break_config(dir.path());
        let e = git.show("HEAD", "file").unwrap_err();
        assert!(git_error(&e).stderr.contains("bad config"), "{e:#}");
    }

    #[test]
    fn not_a_repository_is_told_from_an_unreadable_one() {
        let (dir, git) = repo();
        git.require_repository().unwrap();
        break_config(dir.path());
        let e = git.require_repository().unwrap_err();
        assert!(git_error(&e).stderr.contains("bad config"), "{e:#}");
        assert!(
            !format!("{e:#}").contains("not in a git repository"),
            "{e:#}"
        );

        let empty = tempfile::tempdir().unwrap();
        let git = Git {
            dir: empty.path().to_path_buf(),
            env: git.env.clone(),
        };
        let e = git.require_repository().unwrap_err();
        assert!(
            e.to_string().contains("is not in a git repository"),
            "{e:#}"
        );
        // git's own words stay as the cause.
        assert!(
            format!("{e:#}").contains("fatal: not a git repository"),
            "{e:#}"
        );
    }
}
