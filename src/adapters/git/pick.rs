//! Cherry-picks without a checkout, and what backports and the audit read:
//! commits with their authors and messages, patch ids, trailers.
//!
//! A pick is `git merge-tree --write-tree --merge-base=<parent> <onto>
//! <commit>`: the change `parent..commit` applied to `onto` (a commit or a
//! tree, so picks chain), giving the picked tree or the conflicting files.
//! Planning runs it in a [`Quarantine`], so a dry run or a conflict leaves no
//! object behind in the repository.

use super::Git;
use crate::core::refs::CommitId;
use anyhow::{Context as _, Result, bail};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What applying a change to a tree gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Tree(String),
    /// The files that conflict (each once).
    Conflicts(Vec<String>),
}

/// Applies the change `parent..commit` to `onto` (a commit or a tree).
pub fn apply_change(git: &Git, parent: &str, onto: &str, commit: &str) -> Result<Applied> {
    let base = format!("--merge-base={parent}");
    let args = [
        "merge-tree",
        "--write-tree",
        "-z",
        "--name-only",
        "--no-messages",
        &base,
        onto,
        commit,
    ];
    let out = raw(git, &args).output()?;
    let text = String::from_utf8(out.stdout)?;
    match out.status.code() {
        Some(0) => Ok(Applied::Tree(
            text.split('\0')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string(),
        )),
        // Exit 1 is "conflicts": the tree, then the conflicting paths, then
        // an empty field.
        Some(1) => {
            let mut files: Vec<String> = text
                .split('\0')
                .skip(1)
                .take_while(|f| !f.is_empty())
                .map(str::to_string)
                .collect();
            files.dedup();
            Ok(Applied::Conflicts(files))
        }
        code => {
            crate::signals::check(|| "while `git merge-tree` ran".to_string())?;
            bail!(
                "`git {}` failed (exit code {code:?}): {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )
        }
    }
}

/// git with `git`'s directory and environment, for the runs whose output
/// matters on failure too, or that are piped.
fn raw(git: &Git, args: &[&str]) -> Command {
    let mut c = Command::new("git");
    c.current_dir(git.dir())
        .envs(git.env().iter().map(|(k, v)| (k, v)))
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(args);
    c
}

/// The tree of a commit.
pub fn tree_of(git: &Git, rev: &str) -> Result<String> {
    Ok(git
        .read(&["rev-parse", &format!("{rev}^{{tree}}")])?
        .trim()
        .to_string())
}

/// Who wrote a commit, as git's environment takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub name: String,
    pub email: String,
    /// `<seconds> <zone>` (git's raw date, so the zone is kept).
    pub date: String,
}

/// A commit with what a backport or the audit needs of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub oid: CommitId,
    pub parents: Vec<CommitId>,
    pub author: Author,
    /// The whole message.
    pub message: String,
}

impl Commit {
    pub fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("").trim()
    }
}

/// Which commits a read of history looks at.
#[derive(Debug, Clone, Copy)]
pub enum Revs<'a> {
    /// The commits of a range (`a..b`), newest first.
    Range(&'a str),
    /// A range without its merge commits, less what `not` reaches.
    NoMerges {
        range: &'a str,
        not: Option<&'a str>,
    },
    /// These commits, in this order.
    Only(&'a [&'a str]),
    /// The newest `n` commits of `tip`'s first-parent line.
    FirstParent { tip: &'a str, n: usize },
}

impl Revs<'_> {
    fn args(&self) -> Vec<String> {
        match *self {
            Revs::Range(r) => vec![r.to_string()],
            Revs::NoMerges { range, not } => {
                let mut a = vec!["--no-merges".to_string(), range.to_string()];
                a.extend(not.map(|n| format!("^{n}")));
                a
            }
            Revs::Only(oids) => std::iter::once("--no-walk=unsorted".to_string())
                .chain(oids.iter().map(|o| o.to_string()))
                .collect(),
            Revs::FirstParent { tip, n } => {
                vec!["--first-parent".into(), format!("-{n}"), tip.to_string()]
            }
        }
    }
}

/// `git log` of `revs`: every commit it lists, in its order, from one git
/// run.
pub fn log(git: &Git, revs: &Revs<'_>) -> Result<Vec<Commit>> {
    let revs = revs.args();
    let mut all = vec![
        "log",
        "--date=raw",
        "--format=%H%x00%P%x00%an%x00%ae%x00%ad%x00%B%x00",
    ];
    all.extend(revs.iter().map(String::as_str));
    all.push("--");
    let out = git.read(&all)?;
    let fields: Vec<&str> = out.split('\0').collect();
    Ok(fields
        .chunks_exact(6)
        .map(|f| Commit {
            oid: CommitId::new(f[0].trim_start_matches('\n')),
            parents: f[1].split_whitespace().map(CommitId::new).collect(),
            author: Author {
                name: f[2].to_string(),
                email: f[3].to_string(),
                date: f[4].to_string(),
            },
            message: f[5].trim_end().to_string(),
        })
        .collect())
}

/// The given commits, in the order given.
pub fn commits(git: &Git, oids: &[CommitId]) -> Result<Vec<Commit>> {
    if oids.is_empty() {
        return Ok(Vec::new());
    }
    let oids: Vec<&str> = oids.iter().map(CommitId::as_str).collect();
    log(git, &Revs::Only(&oids))
}

/// The stable patch id of every non-merge commit of `revs`, as (patch id,
/// commit): `git log -p` piped into `git patch-id --stable`, two processes
/// however long the range.
pub fn patch_ids(git: &Git, revs: &Revs<'_>) -> Result<Vec<(String, String)>> {
    let revs = revs.args();
    let cmd = |sub: &[&str]| raw(git, sub);
    let mut log_args = vec![
        "log",
        "-p",
        "--no-color",
        "--no-ext-diff",
        "--no-renames",
        "--format=commit %H",
    ];
    log_args.extend(revs.iter().map(String::as_str));
    log_args.push("--");
    let mut log = cmd(&log_args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run git log")?;
    let out = cmd(&["patch-id", "--stable"])
        .stdin(log.stdout.take().context("git log has no output")?)
        .output()
        .context("cannot run git patch-id")?;
    let status = log.wait()?;
    if !status.success() || !out.status.success() {
        crate::signals::check(|| "while `git log -p | git patch-id` ran".to_string())?;
    }
    if !status.success() {
        let mut err = String::new();
        if let Some(mut e) = log.stderr.take() {
            use std::io::Read as _;
            let _ = e.read_to_string(&mut err);
        }
        bail!("`git {}` failed: {}", log_args.join(" "), err.trim());
    }
    if !out.status.success() {
        bail!(
            "`git patch-id --stable` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8(out.stdout)?
        .lines()
        .filter_map(|l| {
            let (id, oid) = l.split_once(' ')?;
            Some((id.to_string(), oid.trim().to_string()))
        })
        .collect())
}

/// The files each non-merge commit of `revs` changes (sorted), from one run
/// that reads trees but computes no diffs: a cheap first sieve for patch
/// ids, which only commits changing the same files can share.
pub fn files_by_commit(git: &Git, revs: &Revs<'_>) -> Result<Vec<(String, Vec<String>)>> {
    let revs = revs.args();
    let mut all = vec![
        "log",
        "--no-merges",
        "--no-renames",
        "--name-only",
        "--format=%x00%H",
    ];
    all.extend(revs.iter().map(String::as_str));
    all.push("--");
    let out = git.read(&all)?;
    Ok(out
        .split('\0')
        .filter_map(|chunk| {
            let mut lines = chunk.lines();
            let oid = lines.next()?.trim().to_string();
            let mut files: Vec<String> = lines
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            files.sort();
            (!oid.is_empty()).then_some((oid, files))
        })
        .collect())
}

/// Whether `commit` changes exactly the files the commits it says it was
/// picked from (`from`) change together, each against its first parent (a
/// merge is picked against the branch it was merged into): what a
/// cherry-pick trailer must show to be believed, since anyone can write
/// one. A root commit has no change to compare and never matches.
pub fn touches_what_it_names(git: &Git, commit: &str, from: &[&str]) -> Result<bool> {
    let files = |c: &str| -> Result<Option<std::collections::BTreeSet<String>>> {
        if git.resolve(&format!("{c}^"))?.is_none() {
            return Ok(None);
        }
        Ok(Some(
            changed_files(git, &format!("{c}^"), c)?
                .into_iter()
                .collect(),
        ))
    };
    let Some(mine) = files(commit)? else {
        return Ok(false);
    };
    let mut theirs = std::collections::BTreeSet::new();
    for f in from {
        match files(f)? {
            Some(fs) => theirs.extend(fs),
            None => return Ok(false),
        }
    }
    Ok(mine == theirs)
}

/// The files a commit changes against `parent`.
pub fn changed_files(git: &Git, parent: &str, commit: &str) -> Result<Vec<String>> {
    let out = git.read(&[
        "diff-tree",
        "-r",
        "-z",
        "--name-only",
        "--no-renames",
        parent,
        commit,
    ])?;
    Ok(out
        .split('\0')
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect())
}

/// The commits `git cherry-pick -x` says a message was picked from.
pub fn picked_from(message: &str) -> Vec<String> {
    message
        .lines()
        .filter_map(|l| {
            let oid = l
                .trim()
                .strip_prefix("(cherry picked from commit ")?
                .strip_suffix(')')?;
            (oid.len() >= 7 && oid.bytes().all(|b| b.is_ascii_hexdigit())).then(|| oid.to_string())
        })
        .collect()
}

/// Commits `tree` on `parent` with `message`, written by `author` (the
/// committer is whoever runs the train, dated by `git`'s settings).
pub fn commit_tree(
    git: &Git,
    tree: &str,
    parent: &str,
    message: &str,
    author: &Author,
) -> Result<String> {
    let git = git
        .clone()
        .with_env("GIT_AUTHOR_NAME", &author.name)
        .with_env("GIT_AUTHOR_EMAIL", &author.email)
        .with_env("GIT_AUTHOR_DATE", &author.date);
    Ok(git
        .write(&["commit-tree", tree, "-p", parent, "-m", message])?
        .trim()
        .to_string())
}

/// Objects written while planning go to a temporary object directory that
/// reads the repository's own: a dry run, or a pick that conflicts, leaves
/// nothing in the repository. Removed when dropped; one a killed run left is
/// removed by the next run (it is named like the scratch directories).
pub struct Quarantine {
    _dir: tempfile::TempDir,
    pub git: Git,
}

impl Quarantine {
    pub fn new(git: &Git) -> Result<Quarantine> {
        let path = |args: &[&str]| -> Result<PathBuf> {
            let mut all = vec!["rev-parse", "--path-format=absolute"];
            all.extend(args);
            Ok(PathBuf::from(git.read(&all)?.trim()))
        };
        let objects = path(&["--git-path", "objects"])?;
        let home = path(&["--git-common-dir"])?.join("cargo-train");
        std::fs::create_dir_all(&home)
            .with_context(|| format!("cannot create {}", home.display()))?;
        let dir = tempfile::Builder::new()
            .prefix(&format!("work-{}-objects-", std::process::id()))
            .tempdir_in(&home)
            .with_context(|| format!("cannot create a directory in {}", home.display()))?;
        let mine = dir.path().join("objects");
        std::fs::create_dir(&mine)?;
        let q = git
            .clone()
            .with_env("GIT_OBJECT_DIRECTORY", &mine.to_string_lossy())
            .with_env(
                "GIT_ALTERNATE_OBJECT_DIRECTORIES",
                &objects.to_string_lossy(),
            );
        Ok(Quarantine { _dir: dir, git: q })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &std::path::Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_DATE", "1700000000 +0200")
            .env("GIT_COMMITTER_DATE", "1700000000 +0000")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// main: base, c1 (f: 1->one), c2 (f: 3->three); rel: base + g; and
    /// `other` changing f's line 1 differently.
    fn repo() -> (tempfile::TempDir, Git) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        let w = |f: &str, t: &str| std::fs::write(p.join(f), t).unwrap();
        run(p, &["init", "-q", "-b", "main"]);
        for (k, v) in [
            ("user.name", "Pick Test"),
            ("user.email", "p@example.invalid"),
            ("commit.gpgsign", "false"),
        ] {
            run(p, &["config", k, v]);
        }
        w("f", "1\n2\n3\n");
        run(p, &["add", "f"]);
        run(p, &["commit", "-qm", "base"]);
        run(p, &["checkout", "-qb", "rel"]);
        w("g", "g\n");
        run(p, &["add", "g"]);
        run(p, &["commit", "-qm", "rel only"]);
        run(p, &["checkout", "-qb", "other", "main"]);
        w("f", "uno\n2\n3\n");
        run(p, &["commit", "-qam", "other"]);
        run(p, &["checkout", "-q", "main"]);
        w("f", "one\n2\n3\n");
        run(
            p,
            &[
                "-c",
                "user.name=Ann Author",
                "-c",
                "user.email=ann@example.invalid",
                "commit",
                "-qam",
                "c1\n\nbody",
            ],
        );
        w("f", "one\n2\nthree\n");
        run(p, &["commit", "-qam", "c2"]);
        let git = Git::new(p);
        (d, git)
    }

    #[test]
    fn picks_chain_through_trees_and_conflicts_name_their_files() {
        let (d, git) = repo();
        let q = Quarantine::new(&git).unwrap();
        let Applied::Tree(t1) = apply_change(&q.git, "main~2", "rel", "main~1").unwrap() else {
            panic!("c1 conflicts");
        };
        let Applied::Tree(t2) = apply_change(&q.git, "main~1", &t1, "main").unwrap() else {
            panic!("c2 conflicts");
        };
        assert_eq!(
            q.git
                .read(&["cat-file", "blob", &format!("{t2}:f")])
                .unwrap(),
            "one\n2\nthree\n"
        );
        // The quarantine's trees are not in the repository.
        assert!(git.read(&["cat-file", "-e", &t2]).is_err());
        assert_eq!(
            apply_change(&q.git, "main~2", "other", "main~1").unwrap(),
            Applied::Conflicts(vec!["f".into()])
        );
        let found = picked_from("x\n\n(cherry picked from commit 0123456789abcdef)\n");
        assert_eq!(found, ["0123456789abcdef"]);
        let c = commits(&git, &[git.read(&["rev-parse", "main~1"]).unwrap().into()]).unwrap();
        assert_eq!(c[0].subject(), "c1");
        assert_eq!(c[0].message, "c1\n\nbody");
        assert_eq!(
            (c[0].author.name.as_str(), c[0].author.date.as_str()),
            ("Ann Author", "1700000000 +0200")
        );
        let made = commit_tree(
            &git,
            &tree_of(&git, "main").unwrap(),
            "rel",
            "m",
            &c[0].author,
        )
        .unwrap();
        assert_eq!(
            run(
                d.path(),
                &["log", "-1", "--format=%an %ad", "--date=raw", &made]
            ),
            "Ann Author 1700000000 +0200"
        );
    }

    #[test]
    fn patch_ids_match_the_same_change_on_another_base() {
        let (d, git) = repo();
        run(d.path(), &["checkout", "-q", "rel"]);
        run(d.path(), &["cherry-pick", "main~1"]);
        let on_rel = patch_ids(&git, &Revs::Range("main..rel")).unwrap();
        let on_main = patch_ids(&git, &Revs::Range("main~2..main")).unwrap();
        assert_eq!(on_rel.len(), 2);
        assert_eq!(on_main.len(), 2);
        assert_eq!(on_rel[0].0, on_main[1].0, "{on_rel:?} {on_main:?}");
        assert!(on_main.iter().all(|(_, c)| c.len() == 40));
        let files = files_by_commit(&git, &Revs::Range("main~2..main")).unwrap();
        assert_eq!(files.len(), 2);
        assert!(
            files.iter().all(|(o, f)| o.len() == 40 && f == &["f"]),
            "{files:?}"
        );
    }
}
