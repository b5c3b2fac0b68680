//! Named reads of history (merge bases, commit lists, messages, trees,
//! refs with dates) and the writes the applier makes (the atomic push, a
//! fast-forward, a local tag, a source archive), so that no layer above
//! the adapters builds git's argument lists.

use super::{Git, exited_with};
use crate::core::refs::CommitId;
use anyhow::{Context as _, Result};
use std::path::PathBuf;

/// A commit of [`Git::graph`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphCommit {
    pub oid: String,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    pub parents: Vec<String>,
    /// Reached only as a parent: a commit of the excluded history.
    pub boundary: bool,
}

/// A ref of [`Git::refs_dated`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedRef {
    pub name: String,
    /// The commit it names (an annotated tag's peeled).
    pub commit: CommitId,
    /// Its date, seconds since the epoch: an annotated tag's tagger date,
    /// else the commit's committer date.
    pub time: Option<i64>,
}

impl Git {
    /// The best common ancestor of `a` and `b`; `None` when they share no
    /// history.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<Option<CommitId>> {
        match self.read(&["merge-base", a, b]) {
            Ok(o) => Ok(Some(CommitId::new(o))),
            Err(e) if exited_with(&e, 1) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether this clone is shallow (history cut off at some depth).
    pub fn is_shallow(&self) -> Result<bool> {
        Ok(self.read(&["rev-parse", "--is-shallow-repository"])?.trim() == "true")
    }

    /// The common ancestor of every one of `revs` (an octopus merge base).
    pub fn merge_base_of(&self, revs: &[String]) -> Result<Option<CommitId>> {
        let mut args = vec!["merge-base", "--octopus"];
        args.extend(revs.iter().map(String::as_str));
        match self.read(&args) {
            Ok(o) => Ok(Some(CommitId::new(o))),
            Err(e) if exited_with(&e, 1) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The commits of `range`, newest first.
    pub fn rev_list(&self, range: &str) -> Result<Vec<CommitId>> {
        Ok(ids(&self.read(&["rev-list", range])?))
    }

    /// The commits `tip` reaches and `not` (when given) does not, oldest
    /// first, parents before children.
    pub fn oldest_first(&self, tip: &str, not: Option<&str>) -> Result<Vec<CommitId>> {
        let not = not.map(|n| format!("^{n}"));
        let mut args = vec!["rev-list", "--reverse", "--topo-order", tip];
        args.extend(not.as_deref());
        Ok(ids(&self.read(&args)?))
    }

    /// The subjects of the commits of `range`, newest first.
    pub fn subjects(&self, range: &str) -> Result<Vec<String>> {
        Ok(lines(&self.read(&["log", "--format=%s", range, "--"])?))
    }

    /// The committer time of `rev`, seconds since the epoch.
    pub fn commit_time(&self, rev: &str) -> Result<i64> {
        let out = self.read(&["log", "-1", "--format=%ct", rev])?;
        out.trim()
            .parse()
            .with_context(|| format!("`git log -1 --format=%ct {rev}` printed {out:?}"))
    }

    /// The whole message of commit `rev`.
    pub fn message(&self, rev: &str) -> Result<String> {
        self.read(&["log", "-1", "--format=%B", rev])
    }

    /// The newest commit `tip` reaches and `not` (when given) does not
    /// whose message contains every one of `texts`.
    pub fn newest_mentioning_all(
        &self,
        tip: &str,
        not: Option<&str>,
        texts: &[&str],
    ) -> Result<Option<CommitId>> {
        let greps: Vec<String> = texts.iter().map(|t| format!("--grep={t}")).collect();
        let not = not.map(|n| format!("^{n}"));
        let mut args = vec!["log", "-1", "--format=%H", "--fixed-strings", "--all-match"];
        args.extend(greps.iter().map(String::as_str));
        args.push(tip);
        args.extend(not.as_deref());
        args.push("--");
        Ok(self
            .read(&args)?
            .split_whitespace()
            .next()
            .map(CommitId::new))
    }

    /// `tip`'s first-parent line from where `commit` was made on, oldest
    /// first: the commits that do not reach `commit`'s parents.
    pub fn first_parent_line_since(&self, tip: &str, commit: &str) -> Result<Vec<CommitId>> {
        let parents = format!("{commit}^@");
        let args = [
            "rev-list",
            "--first-parent",
            "--reverse",
            tip,
            "--not",
            &parents,
        ];
        Ok(ids(&self.read(&args)?))
    }

    /// The commits `tips` reach and `not` does not, with the boundary
    /// commits where they leave it: one `git log --boundary`.
    pub fn graph(&self, tips: &[&str], not: &str) -> Result<Vec<GraphCommit>> {
        let not = format!("^{not}");
        let mut args = vec!["log", "--boundary", "--format=%m%H %ct %P"];
        args.extend(tips.iter().copied());
        args.push(&not);
        let out = self.read(&args)?;
        Ok(out
            .lines()
            .filter_map(|l| {
                let boundary = l.starts_with('-');
                let mut f = l.get(1..).unwrap_or("").split(' ');
                let (oid, time) = (f.next()?, f.next()?);
                Some(GraphCommit {
                    oid: oid.to_string(),
                    time: time.parse().unwrap_or(0),
                    parents: f.filter(|p| !p.is_empty()).map(str::to_string).collect(),
                    boundary,
                })
            })
            .collect())
    }

    /// The refs under `prefixes` with the commit each names and its date,
    /// from one `for-each-ref`.
    pub fn refs_dated(&self, prefixes: &[&str]) -> Result<Vec<DatedRef>> {
        let mut args = vec![
            "for-each-ref",
            "--format=%(refname)%00%(objectname)%00%(*objectname)%00%(creatordate:unix)",
        ];
        args.extend(prefixes);
        let out = self.read(&args)?;
        Ok(out
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\0').collect();
                let [name, oid, peeled, time] = f[..] else {
                    return None;
                };
                Some(DatedRef {
                    name: name.to_string(),
                    commit: CommitId::new(if peeled.is_empty() { oid } else { peeled }),
                    time: time.trim().parse().ok(),
                })
            })
            .collect())
    }

    /// The refs under `prefix` that reach `commit`, without the prefix.
    pub fn refs_containing(&self, commit: &str, prefix: &str) -> Result<Vec<String>> {
        let contains = format!("--contains={commit}");
        let out = self.read(&["for-each-ref", &contains, "--format=%(refname)", prefix])?;
        Ok(out
            .lines()
            .filter_map(|l| l.strip_prefix(prefix))
            .map(str::to_string)
            .collect())
    }

    /// The tags whose commits `tip` reaches.
    pub fn tags_merged(&self, tip: &str) -> Result<Vec<String>> {
        Ok(lines(&self.read(&["tag", "--merged", tip])?))
    }

    /// Every directory below the top of `rev`'s tree, with its tree.
    pub fn subtrees(&self, rev: &str) -> Result<Vec<(String, String)>> {
        let listed = self.read(&["ls-tree", "-r", "-d", "-z", rev])?;
        Ok(listed
            .split('\0')
            .filter(|e| !e.is_empty())
            .filter_map(|entry| {
                // `<mode> tree <oid>\t<path>`
                let (meta, path) = entry.split_once('\t')?;
                let oid = meta.split(' ').nth(2)?;
                Some((path.to_string(), oid.to_string()))
            })
            .collect())
    }

    /// The paths that differ between `a` and `b` (renames as a deletion and
    /// an addition).
    pub fn changed_paths(&self, a: &str, b: &str) -> Result<Vec<String>> {
        let diff = self.read(&["diff", "--name-only", "-z", "--no-renames", a, b])?;
        Ok(diff
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// The paths under `dir` that differ between `a` and `b`, each with
    /// whether it is gone at `b` (renames as a deletion and an addition).
    pub fn changed_under(&self, a: &str, b: &str, dir: &str) -> Result<Vec<(String, bool)>> {
        let diff = self.read(&[
            "diff",
            "--name-status",
            "-z",
            "--no-renames",
            a,
            b,
            "--",
            dir,
        ])?;
        let mut fields = diff.split('\0').filter(|p| !p.is_empty());
        let mut out = Vec::new();
        while let (Some(status), Some(path)) = (fields.next(), fields.next()) {
            out.push((path.to_string(), status == "D"));
        }
        Ok(out)
    }

    /// The full messages of the commits in `range` that touch `paths`,
    /// newest first.
    pub fn messages_touching(&self, range: &str, paths: &[String]) -> Result<Vec<String>> {
        let mut args: Vec<&str> = vec!["log", "-z", "--format=%B", range, "--"];
        args.extend(paths.iter().map(String::as_str));
        let log = self.read(&args)?;
        Ok(log
            .split('\0')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// The commits of `range` that touch `paths` (every commit when empty),
    /// oldest first, with what drafted notes read of them: one `git log`
    /// whose fields and records are NUL-separated, so a message holding any
    /// text parses as itself.
    pub fn commits_for_notes(
        &self,
        range: &str,
        paths: &[String],
    ) -> Result<Vec<crate::core::notes_draft::Commit>> {
        let mut args: Vec<&str> = vec![
            "log",
            "-z",
            "--topo-order",
            "--reverse",
            "--format=%H%x00%P%x00%an%x00%s%x00%b",
            range,
            "--",
        ];
        args.extend(paths.iter().map(String::as_str));
        let out = self.read(&args)?;
        let fields: Vec<&str> = out.split('\0').collect();
        Ok(fields
            .chunks_exact(5)
            .map(|f| crate::core::notes_draft::Commit {
                id: f[0].trim().to_string(),
                parents: f[1].split_whitespace().map(str::to_string).collect(),
                author: f[2].to_string(),
                subject: f[3].to_string(),
                body: f[4].trim_end().to_string(),
            })
            .collect())
    }

    /// The repository's common git directory, absolute (the main one for
    /// every worktree).
    pub fn common_dir(&self) -> Result<PathBuf> {
        let dir = self.read(&["rev-parse", "--path-format=absolute", "--git-common-dir"])?;
        Ok(PathBuf::from(dir.trim()))
    }

    /// What `remote` says of `refs` (`git ls-remote`'s lines).
    pub fn ls_remote(&self, remote: &str, refs: &[String]) -> Result<String> {
        let mut args = vec!["ls-remote", remote];
        args.extend(refs.iter().map(String::as_str));
        self.read(&args)
    }

    /// Brings `remote`'s branches and the tags up to date: the one write a
    /// read of the remote makes (remote-tracking refs, tags).
    pub fn fetch(&self, remote: &str) -> Result<()> {
        self.write(&["fetch", "--prune", "--tags", remote])
            .map(drop)
    }

    /// One atomic push of `specs` (`<commit>:refs/heads/<branch>`), never
    /// forced.
    pub fn push_atomic(&self, remote: &str, specs: &[String]) -> Result<()> {
        let mut args = vec!["push", "--atomic", remote];
        args.extend(specs.iter().map(String::as_str));
        self.write(&args).map(drop)
    }

    /// Moves the checked-out branch to `to`, a fast-forward only.
    pub fn fast_forward(&self, to: &str) -> Result<()> {
        self.write(&["merge", "--ff-only", "--quiet", to]).map(drop)
    }

    /// A lightweight tag `name` at `at`, here.
    pub fn tag_here(&self, name: &str, at: &str) -> Result<()> {
        self.write(&["tag", name, at]).map(drop)
    }

    /// `rev`'s tree as a `.tar.gz` at `out`, its files under `prefix`.
    pub fn archive_tar_gz(&self, out: &std::path::Path, prefix: &str, rev: &str) -> Result<()> {
        let prefix = format!("--prefix={prefix}");
        let output = format!("--output={}", out.display());
        self.write(&["archive", "--format=tar.gz", &prefix, &output, rev])
            .map(drop)
    }
}

fn ids(out: &str) -> Vec<CommitId> {
    out.lines().map(CommitId::new).collect()
}

fn lines(out: &str) -> Vec<String> {
    out.lines().map(str::to_string).collect()
}
