//! The repository the train runs on: its remote's branches and tags, the
//! version at any commit, and the checks every operation makes first.

use crate::adapters::forge::{self, Forge};
use crate::adapters::git::{Git, GitError};
use crate::core::config::Config;
use crate::core::marker::Marker;
use crate::core::refs::{BranchName, CommitId, Names, TagName, short};
use crate::core::release_commit::ReleaseCommit;
use anyhow::{Context as _, Result, bail};
use jiff::civil::Date;
use semver::Version;
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

pub struct Repo {
    pub git: Git,
    pub config: Config,
    /// The day the train acts on (`--date`, else today in UTC).
    pub today: Date,
    /// With `--date`: the time every commit made carries.
    pub commit_time: Option<jiff::Timestamp>,
    fetch: Fetch,
    /// The manifest whose version is the train's: the root's, or the lead
    /// crate's (`[versioning] model = "lead"`).
    train_manifest: String,
    /// Opened on first use: most commands never ask it anything.
    forge: OnceCell<Box<dyn Forge>>,
}

/// Whether [`Repo::fetch`] asks the remote, or the train works on what was
/// fetched last (a dry run: it changes nothing, remote-tracking refs
/// included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    Remote,
    LastFetched,
}

/// A `release-X.Y.Z` branch on the remote.
#[derive(Debug, Clone)]
pub struct ReleaseBranch {
    pub name: BranchName,
    /// The version in its name.
    pub version: Version,
    pub oid: CommitId,
}

/// The remote's branches and the tags, as read at one moment.
#[derive(Debug, Default)]
pub struct Refs {
    /// Branch name (without `refs/remotes/<remote>/`) → its commit.
    pub branches: BTreeMap<String, CommitId>,
    /// Tag name → the commit it names.
    pub tags: BTreeMap<String, CommitId>,
}

impl Repo {
    /// `date` fixes both the train's day and the dates of its commits.
    pub fn open(dir: PathBuf, config: Config, date: Option<Date>) -> Result<Repo> {
        let mut git = Git::new(dir);
        let mut commit_time = None;
        let today = match date {
            Some(d) => {
                let at = format!("{d}T12:00:00Z");
                git = git.with_date(&at);
                commit_time = Some(at.parse()?);
                d
            }
            None => jiff::tz::Offset::UTC
                .to_datetime(jiff::Timestamp::now())
                .date(),
        };
        if let Err(e) = git.remote_url(&config.remote) {
            // Outside a repository, say so rather than "no remote".
            git.require_repository()?;
            return Err(e);
        }
        Ok(Repo {
            git,
            config,
            today,
            commit_time,
            fetch: Fetch::Remote,
            train_manifest: "Cargo.toml".into(),
            forge: OnceCell::new(),
        })
    }

    /// The same repository, its train's version read from `manifest` (a
    /// path from the root, `/`-separated).
    pub fn with_train_manifest(mut self, manifest: String) -> Repo {
        self.train_manifest = manifest;
        self
    }

    /// The manifest whose version is the train's.
    pub fn train_manifest(&self) -> &str {
        &self.train_manifest
    }

    /// The same repository, fetched as `fetch` says.
    pub fn fetching(mut self, fetch: Fetch) -> Repo {
        self.fetch = fetch;
        self
    }

    /// The configured forge of this repository.
    pub fn forge(&self) -> Result<&dyn Forge> {
        if let Some(f) = self.forge.get() {
            return Ok(f.as_ref());
        }
        let f = forge::open(&self.config, &self.git)?;
        Ok(self.forge.get_or_init(|| f).as_ref())
    }

    /// Refuses to commit on `base` with a `--date` before `base`'s own
    /// date: history would run backwards (commits dated before their
    /// parents), which confuses `git log`, the schedule and the notes.
    pub fn require_date_after(&self, base: &str) -> Result<()> {
        let Some(at) = self.commit_time else {
            return Ok(());
        };
        let secs = self.git.commit_time(base)?;
        let parent = jiff::Timestamp::from_second(secs)?;
        if parent <= at {
            return Ok(());
        }
        // Commits are made at noon UTC of the day given.
        let day = jiff::tz::Offset::UTC.to_datetime(parent);
        let first_ok = if day.hour() < 12 || (day.hour(), day.minute(), day.second()) == (12, 0, 0)
        {
            day.date()
        } else {
            day.date().tomorrow()?
        };
        bail!(
            "--date {} is before {}, the commit this builds on, which is dated {}; the new commits \
             would be dated before their parent: use --date {first_ok} or later",
            self.today,
            short(base),
            day.strftime("%Y-%m-%d %H:%M:%S UTC"),
        )
    }

    pub fn remote(&self) -> &str {
        &self.config.remote
    }

    /// How this repository's release branches and tags are named.
    pub fn names(&self) -> Names {
        Names::of(&self.config)
    }

    /// Brings the remote's branches and tags up to date (unless it works on
    /// what was last fetched, see [`Fetch`]).
    /// Without `--quiet`: git's report of a refused ref is the reason.
    pub fn fetch(&self) -> Result<()> {
        if self.fetch == Fetch::LastFetched {
            return Ok(());
        }
        match self.git.fetch(self.remote()) {
            Ok(_) => Ok(()),
            Err(e) => Err(self.explain_fetch_error(e)),
        }
    }

    /// A fetch refused because local tags differ from the remote's: says
    /// which, where each points, and how to fix it (git's output kept).
    fn explain_fetch_error(&self, e: anyhow::Error) -> anyhow::Error {
        let Some(stderr) = e.downcast_ref::<GitError>().map(|g| g.stderr.clone()) else {
            return e;
        };
        let tags = clobbered_tags(&stderr);
        if tags.is_empty() {
            return e;
        }
        let remote = self.remote();
        let refs: Vec<String> = tags.iter().map(|t| format!("refs/tags/{t}")).collect();
        let theirs = self.git.ls_remote(remote, &refs).unwrap_or_default();
        // Twelve digits here: the ids are for typing into git.
        let short = |oid: &str| oid.get(..12).unwrap_or(oid).to_string();
        let mut msg = String::new();
        for t in &tags {
            let here = self
                .tag(t)
                .ok()
                .flatten()
                .map_or_else(|| "?".to_string(), |o| short(&o));
            // The peeled line (`^{}`) names the commit of an annotated tag.
            let find = |suffix: &str| {
                theirs.lines().find_map(|l| {
                    let (oid, name) = l.split_once('\t')?;
                    (name == format!("refs/tags/{t}{suffix}")).then(|| short(oid))
                })
            };
            let there = find("^{}")
                .or_else(|| find(""))
                .unwrap_or_else(|| "?".into());
            let _ = writeln!(
                msg,
                "tag `{t}` here points at {here}, but on `{remote}` at {there}; \
                 to take `{remote}`'s: git tag -d {t} && git fetch --tags {remote}"
            );
        }
        e.context(msg.trim_end().to_string())
    }

    /// Refuses to work over uncommitted changes, or in the middle of a
    /// merge, rebase, cherry-pick or revert (a commit made then would drop
    /// or mix up the user's half-done work).
    pub fn require_clean(&self) -> Result<()> {
        if let Some(op) = self.git.operation_in_progress()? {
            bail!(
                "{} is in progress in {} ({} exists): finish or abort it ({}), then run this again",
                op.what,
                self.git.dir().display(),
                op.path.display(),
                op.finish
            );
        }
        let dirty = self.git.dirty_paths()?;
        if !dirty.is_empty() {
            bail!(
                "the working tree has uncommitted changes ({}); commit or stash them first",
                dirty.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            );
        }
        Ok(())
    }

    /// The commit a branch is at on the remote.
    /// Where `branch` (at `tip`) was cut from `main`: their merge base.
    /// None is an error that says why: a shallow clone does not hold the
    /// history that joins them; otherwise they share none.
    pub fn cut_point(&self, main: &str, tip: &str, branch: &str) -> Result<CommitId> {
        if let Some(cut) = self.git.merge_base(main, tip)? {
            return Ok(cut);
        }
        if self.git.is_shallow()? {
            bail!(
                "`{branch}` and `{}` meet in no commit this clone holds: it is shallow. Fetch the \
                 whole history (`git fetch --unshallow {}`; in CI, `fetch-depth: 0`), then run \
                 this again",
                self.config.main_branch,
                self.remote()
            );
        }
        bail!(
            "`{branch}` shares no history with `{}`: it was not cut from it",
            self.config.main_branch
        )
    }

    pub fn remote_branch(&self, name: &str) -> Result<Option<CommitId>> {
        self.git
            .resolve(&format!("refs/remotes/{}/{name}", self.remote()))
    }

    /// The main branch at the remote; an error with the fix when the
    /// remote has no such branch (a project on `master` needs `main-branch`).
    pub fn main_tip(&self) -> Result<CommitId> {
        match self.remote_branch(&self.config.main_branch)? {
            Some(b) => Ok(b),
            None => Err(self.no_main()),
        }
    }

    /// "`origin/main` does not exist", with what to do.
    pub fn no_main(&self) -> anyhow::Error {
        let cfg = &self.config;
        let other = ["master", "main", "trunk", "develop"]
            .into_iter()
            .filter(|b| *b != cfg.main_branch)
            .find(|b| self.remote_branch(b).ok().flatten().is_some());
        let fix = match other {
            Some(b) => format!(
                "the remote has `{b}`: set `main-branch = \"{b}\"` in the train's configuration"
            ),
            None => "push it, or set `main-branch` to the branch releases are cut from".into(),
        };
        anyhow::anyhow!("`{}/{}` does not exist; {fix}", cfg.remote, cfg.main_branch)
    }

    pub fn tag(&self, name: &str) -> Result<Option<CommitId>> {
        self.git.resolve(&format!("refs/tags/{name}"))
    }

    /// The tag that says `v` (or, for a candidate, its final version) is
    /// released already: such a version is never prepared again.
    pub fn released(&self, v: &Version) -> Result<Option<(TagName, CommitId)>> {
        let names = self.names();
        let final_version = Version::new(v.major, v.minor, v.patch);
        let candidate = (*v != final_version).then_some(v);
        for v in std::iter::once(&final_version).chain(candidate) {
            let tag = names.tag(v);
            if let Some(at) = self.tag(&tag)? {
                return Ok(Some((tag, at)));
            }
        }
        Ok(None)
    }

    /// Release branches on the remote, oldest version first.
    pub fn release_branches(&self) -> Result<Vec<ReleaseBranch>> {
        let prefix = format!("refs/remotes/{}/", self.remote());
        let refs = self.git.refs(&prefix)?;
        Ok(self.release_branches_of(refs.into_iter().map(|r| (r.name, r.oid))))
    }

    /// The release branches among remote branches (name, commit).
    fn release_branches_of(
        &self,
        branches: impl Iterator<Item = (String, CommitId)>,
    ) -> Vec<ReleaseBranch> {
        let names = self.names();
        let mut out: Vec<ReleaseBranch> = branches
            .filter_map(|(name, oid)| {
                let version = names.parse_release_branch(&name)?;
                Some(ReleaseBranch {
                    name: BranchName::new(name),
                    version,
                    oid,
                })
            })
            .collect();
        out.sort_by(|a, b| a.version.cmp(&b.version));
        out
    }

    /// The remote's branches and the tags, from one `for-each-ref`.
    pub fn read_refs(&self) -> Result<Refs> {
        let remote = format!("refs/remotes/{}/", self.remote());
        let mut refs = Refs::default();
        for r in self.git.refs_peeled(&[&remote, "refs/tags/"])? {
            if let Some(b) = r.name.strip_prefix(&remote) {
                refs.branches.insert(b.to_string(), r.commit);
            } else if let Some(t) = r.name.strip_prefix("refs/tags/") {
                refs.tags.insert(t.to_string(), r.commit);
            }
        }
        Ok(refs)
    }

    /// The release branches among `refs`, oldest version first.
    pub fn release_branches_in(&self, refs: &Refs) -> Vec<ReleaseBranch> {
        self.release_branches_of(refs.branches.iter().map(|(n, o)| (n.clone(), o.clone())))
    }

    /// The train's version at `rev` (`[workspace.package] version`, else
    /// the root package's; the lead crate's in the lead model).
    pub fn version_at(&self, rev: &str) -> Result<Version> {
        let m = &self.train_manifest;
        let text = self
            .git
            .show(rev, m)?
            .with_context(|| format!("{rev} has no {m}"))?;
        workspace_version(rev, text)
    }

    /// The branch an operation on a release branch acts on: `--branch`, else
    /// the one checked out.
    pub fn release_branch_arg(&self, branch: Option<&str>) -> Result<String> {
        let b = match branch {
            Some(b) => b.to_string(),
            None => self
                .git
                .current_branch()?
                .context("HEAD is detached: pass --branch")?,
        };
        // The same test `release_branches` makes, so a branch accepted here
        // is one the train lists (and one with a build part is neither).
        let names = self.names();
        if let Some(why) = names.left_out(&b) {
            bail!("`{b}` is not one of the train's release branches: {why}");
        }
        if names.parse_release_branch(&b).is_none() {
            bail!(
                "`{b}` is not a release branch (`{}`); pass --branch or check one out",
                names.release_branch_form()
            );
        }
        Ok(b)
    }

    /// Whether the newest commit of `rev` is a release commit (carries the
    /// marker): nothing has landed since the last release of that branch.
    pub fn tip_is_release(&self, rev: &str) -> Result<bool> {
        let message = self.git.message(rev)?;
        Ok(ReleaseCommit::parse(&message, &Marker::of(&self.config)).is_some())
    }

    pub fn project(&self, ctx_project: &str) -> String {
        self.config
            .project
            .clone()
            .unwrap_or_else(|| ctx_project.to_string())
    }
}

/// The train's version in a root `Cargo.toml`'s text at `rev` (the one rule
/// of [`crate::core::workspace::train_version_at`]).
pub fn workspace_version(rev: &str, text: String) -> Result<Version> {
    Ok(crate::core::workspace::train_version_at(rev, text)?)
}

/// Tags a fetch refused to move (`! [rejected] v1 -> v1 (would clobber
/// existing tag)`), by their local name.
fn clobbered_tags(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains("would clobber existing tag"))
        .filter_map(|l| l.split(" -> ").nth(1)?.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_tags_a_fetch_would_clobber() {
        let stderr = "From ../origin\n ! [rejected]        v1.0.0     -> v1.0.0  (would clobber existing tag)\n \
             * [new tag]         v1.0.1     -> v1.0.1\n ! [rejected]  v2.0.0-rc.1 -> v2.0.0-rc.1  (would clobber existing tag)\n";
        assert_eq!(clobbered_tags(stderr), ["v1.0.0", "v2.0.0-rc.1"]);
        assert!(clobbered_tags("fatal: could not read from remote").is_empty());
    }
}
