//! The repository the train runs on: its remote's branches and tags, the
//! version at any commit, and the checks every operation makes first.

use crate::adapters::git::Git;
use crate::core::config::Config;
use crate::core::manifest::{Field, Manifest};
use crate::exec::Executor;
use anyhow::{Context as _, Result, bail};
use jiff::civil::Date;
use semver::Version;
use std::path::PathBuf;

pub struct Repo {
    pub git: Git,
    pub config: Config,
    /// The day the train acts on (`--date`, else today in UTC).
    pub today: Date,
    /// With `--date`: the time every commit made carries.
    pub commit_time: Option<jiff::Timestamp>,
}

/// A `release-X.Y.Z` branch on the remote.
#[derive(Debug, Clone)]
pub struct ReleaseBranch {
    pub name: String,
    /// The version in its name.
    pub version: Version,
    pub oid: String,
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
        })
    }

    /// Refuses to commit on `base` with a `--date` before `base`'s own
    /// date: history would run backwards (commits dated before their
    /// parents), which confuses `git log`, the schedule and the notes.
    pub fn require_date_after(&self, base: &str) -> Result<()> {
        let Some(at) = self.commit_time else {
            return Ok(());
        };
        let secs: i64 = self
            .git
            .run(&["log", "-1", "--format=%ct", base])?
            .trim()
            .parse()
            .context("reading a commit's date")?;
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
            &base[..base.len().min(10)],
            day.strftime("%Y-%m-%d %H:%M:%S UTC"),
        )
    }

    pub fn remote(&self) -> &str {
        &self.config.remote
    }

    /// Brings the remote's branches and tags up to date (a dry run works on
    /// what was last fetched).
    pub fn fetch(&self, exec: &Executor) -> Result<()> {
        exec.git(
            &self.git,
            &["fetch", "--quiet", "--prune", "--tags", self.remote()],
        )?;
        Ok(())
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
    pub fn remote_branch(&self, name: &str) -> Result<Option<String>> {
        self.git
            .resolve(&format!("refs/remotes/{}/{name}", self.remote()))
    }

    pub fn tag(&self, name: &str) -> Result<Option<String>> {
        self.git.resolve(&format!("refs/tags/{name}"))
    }

    /// Release branches on the remote, oldest version first. Names with a
    /// pre-release or build part are not release branches.
    pub fn release_branches(&self) -> Result<Vec<ReleaseBranch>> {
        let prefix = format!("refs/remotes/{}/", self.remote());
        let mut out: Vec<ReleaseBranch> = self
            .git
            .refs(&prefix)?
            .into_iter()
            .filter_map(|r| {
                let v = Version::parse(r.name.strip_prefix(&self.config.branch_prefix)?).ok()?;
                (v.pre.is_empty() && v.build.is_empty()).then_some(ReleaseBranch {
                    name: r.name,
                    version: v,
                    oid: r.oid,
                })
            })
            .collect();
        out.sort_by(|a, b| a.version.cmp(&b.version));
        Ok(out)
    }

    /// The workspace version at `rev` (`[workspace.package] version`, else
    /// the root package's).
    pub fn version_at(&self, rev: &str) -> Result<Version> {
        let text = self
            .git
            .show(rev, "Cargo.toml")?
            .with_context(|| format!("{rev} has no Cargo.toml"))?;
        let m = Manifest::parse(format!("Cargo.toml at {rev}"), text)?;
        let v = m
            .workspace_package
            .as_ref()
            .and_then(|w| w.version.as_ref().map(|s| s.value.clone()))
            .or_else(|| match m.package.as_ref().map(|p| &p.version) {
                Some(Field::Given(s)) => Some(s.value.clone()),
                _ => None,
            })
            .with_context(|| format!("Cargo.toml at {rev} has no version"))?;
        Version::parse(&v).with_context(|| format!("Cargo.toml at {rev}: bad version \"{v}\""))
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
        let ok = b
            .strip_prefix(&self.config.branch_prefix)
            .and_then(|v| Version::parse(v).ok())
            .is_some_and(|v| v.pre.is_empty());
        if !ok {
            bail!(
                "`{b}` is not a release branch (`{}X.Y.Z`); pass --branch or check one out",
                self.config.branch_prefix
            );
        }
        Ok(b)
    }

    /// Whether the newest commit of `rev` is a release commit (carries the
    /// marker): nothing has landed since the last release of that branch.
    pub fn tip_is_release(&self, rev: &str) -> Result<bool> {
        self.git
            .range_mentions(&format!("{rev}^!"), &self.config.marker)
    }

    pub fn project(&self, ctx_project: &str) -> String {
        self.config
            .project
            .clone()
            .unwrap_or_else(|| ctx_project.to_string())
    }
}
