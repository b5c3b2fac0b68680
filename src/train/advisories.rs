//! `cargo train advisories [--branch B | --supported] [--id ID]`: which
//! release branches ship a dependency with an unpatched security advisory
//! of the RustSec database, so that a security patch set is one command
//! away (fix on `main`, `backport --to` each branch listed, `patch
//! --supported`).
//!
//! STEP 1: fetch; the branches (`--branch`, the one checked out, or every
//! supported one). STEP 2: the database (see [`load`]): fetched into the
//! cache, or the local clone `[advisories] db`; its age said, a stale one
//! warned about. STEP 3: each branch's Cargo.lock, as the remote has it,
//! against it (see [`crate::core::advisories`]). The advisory gate of
//! `release` and `patch` and `verify --advisories` are the same steps.

use crate::adapters::advisory_db::{self, Fetch, Opened};
use crate::core::advisories::{self, Finding, Index};
use crate::core::config::Advisories;
use crate::output::say;
use crate::train::repo::Repo;
use anyhow::{Context as _, Result, bail};
use jiff::civil::Date;
use serde::Serialize;
use std::fmt;

/// The database a check read, and what it said of it.
pub struct Loaded {
    pub opened: Opened,
    pub about: Database,
}

impl Loaded {
    pub fn index(&self) -> Index<'_> {
        Index::new(self.opened.database.iter())
    }
}

/// Where the database came from and how old it is.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Database {
    /// The URL it is fetched from, or the local clone's directory.
    pub source: String,
    /// `cloned`, `fetched`, `fetch-failed` (the cached copy is used) or
    /// `local`.
    pub fetch: &'static str,
    /// Its last commit, and that commit's day (UTC); `None` when the
    /// directory is not a git clone.
    pub commit: Option<String>,
    pub date: Option<String>,
    pub age_days: Option<i64>,
    pub advisories: usize,
    /// Why the result may miss advisories (an old copy), if it may.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// The database `repo`'s configuration names, read, its age said and, when
/// it may be out of date, warned about.
pub fn load(repo: &Repo) -> Result<Loaded> {
    let cfg = &repo.config.advisories;
    let opened = match &cfg.db {
        Some(dir) => advisory_db::local(&repo.git.dir().join(dir))?,
        None => {
            let cache = repo
                .git
                .common_dir()?
                .join("cargo-train")
                .join("advisory-db");
            advisory_db::fetched(&cfg.url, &cache)?
        }
    };
    let about = describe(&opened, cfg, repo.today);
    let age = match (&about.date, about.age_days) {
        (Some(d), Some(n)) => format!(
            "of {d} (commit {}, {n} day{} old)",
            about.commit.as_deref().unwrap_or("?"),
            if n == 1 { "" } else { "s" }
        ),
        _ => "of unknown age".to_string(),
    };
    let how = match opened.fetch {
        Fetch::Local => "the local clone",
        Fetch::Cloned => "cloned from",
        Fetch::Fetched => "fetched from",
        Fetch::Failed(_) => "cached from",
    };
    say(
        "Advisories",
        &format!(
            "RustSec database {age}, {how} {}: {} advisories",
            about.source, about.advisories
        ),
    );
    if let Some(w) = &about.warning {
        say("Warning", w);
    }
    Ok(Loaded { opened, about })
}

/// What [`load`] says of `opened`: its source, age and any warning.
fn describe(opened: &Opened, cfg: &Advisories, today: Date) -> Database {
    let source = match opened.fetch {
        Fetch::Local => opened.dir.display().to_string(),
        _ => cfg.url.clone(),
    };
    let day = opened.commit.as_ref().and_then(|c| {
        let t = jiff::Timestamp::from_second(c.time).ok()?;
        Some(jiff::tz::Offset::UTC.to_datetime(t).date())
    });
    let age = day.map(|d| advisories::age_days(d, today));
    let stale = age.is_some_and(|n| n > i64::from(cfg.stale_days));
    let aged = |d: Date, n: i64| format!("of {d}, {n} day{} old", if n == 1 { "" } else { "s" });
    let warning = match (&opened.fetch, day, age) {
        (Fetch::Failed(e), Some(d), Some(n)) => Some(format!(
            "could not fetch the advisory database from {}: {e}\nchecking against the copy \
             fetched before, {}: advisories published since are not checked",
            cfg.url,
            aged(d, n)
        )),
        (Fetch::Failed(e), ..) => Some(format!(
            "could not fetch the advisory database from {}: {e}\nchecking against the copy \
             fetched before, of unknown age",
            cfg.url
        )),
        (Fetch::Local, Some(d), Some(n)) if stale => Some(format!(
            "the advisory database at {source} is {} (more than `stale-days = {}`): advisories \
             published since are not checked; update it (`git -C {source} pull`)",
            aged(d, n),
            cfg.stale_days
        )),
        (Fetch::Local, None, _) => Some(format!(
            "the advisory database at {source} is not a git clone: its age is unknown, and \
             advisories published since it was copied are not checked"
        )),
        _ => None,
    };
    Database {
        source,
        fetch: match opened.fetch {
            Fetch::Local => "local",
            Fetch::Cloned => "cloned",
            Fetch::Fetched => "fetched",
            Fetch::Failed(_) => "fetch-failed",
        },
        commit: opened.commit.as_ref().map(|c| c.short.clone()),
        date: day.map(|d| d.to_string()),
        age_days: age,
        advisories: opened.database.iter().count(),
        warning,
    }
}

/// One branch's Cargo.lock against the database.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BranchAdvisories {
    pub branch: String,
    /// Whether the branch has a Cargo.lock (at the workspace root).
    pub lock: bool,
    /// The crates.io dependencies it locks.
    pub dependencies: usize,
    /// What affects them, ignored ones included (with their reason).
    pub findings: Vec<Finding>,
}

impl BranchAdvisories {
    /// The findings that block: those not ignored.
    pub fn blocking(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.ignored.is_none())
    }
}

/// The Cargo.lock at `tip` of `branch` against `index`.
pub fn at(repo: &Repo, index: &Index, branch: &str, tip: &str) -> Result<BranchAdvisories> {
    let text = repo.git.show(tip, "Cargo.lock")?;
    Ok(match text {
        None => BranchAdvisories {
            branch: branch.to_string(),
            lock: false,
            dependencies: 0,
            findings: Vec::new(),
        },
        Some(text) => of_lock(index, branch, &text, &format!("{branch}:Cargo.lock"), repo)?,
    })
}

/// A lock file's text (`what` names it) against `index`.
pub fn of_lock(
    index: &Index,
    branch: &str,
    text: &str,
    what: &str,
    repo: &Repo,
) -> Result<BranchAdvisories> {
    let lock = advisories::parse_lock(text, what).map_err(anyhow::Error::msg)?;
    let findings = index.check(&lock, &repo.config.advisories);
    for f in findings.iter().filter(|f| f.ignored.is_some()) {
        say(
            "Ignored",
            &format!(
                "{} in `{}` {} on `{branch}`: {}",
                f.id,
                f.krate,
                f.version,
                f.ignored.as_deref().unwrap_or_default()
            ),
        );
    }
    Ok(BranchAdvisories {
        branch: branch.to_string(),
        lock: true,
        dependencies: lock
            .packages
            .iter()
            .filter(|p| p.source.as_ref().is_some_and(|s| s.is_default_registry()))
            .count(),
        findings,
    })
}

/// What to do about `found` (branch, finding), the end of a refusal.
pub fn what_to_do(found: &[(&str, &Finding)]) -> String {
    let mut crates: Vec<&str> = found.iter().map(|(_, f)| f.krate.as_str()).collect();
    crates.sort();
    crates.dedup();
    let first = found
        .first()
        .map_or("RUSTSEC-YYYY-NNNN", |(_, f)| f.id.as_str());
    format!(
        "update {} to a fixed version on `main` (`cargo update -p NAME --precise VERSION`) and \
         backport it to each branch (`cargo train advisories --supported` lists them), or, if \
         what ships is not affected, add `{{ id = \"{first}\", reason = \"why\" }}` to \
         `[advisories] ignore`",
        crates
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// `cargo train advisories`' report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Report {
    pub database: Database,
    /// `--id`: the one advisory looked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Newest first, as `supported` lists them.
    pub branches: Vec<BranchAdvisories>,
    /// The branches an advisory not ignored affects.
    pub affected: Vec<String>,
    /// Whether the branches are the supported ones (`--supported`).
    #[serde(skip)]
    supported: bool,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.branches {
            if !b.lock {
                writeln!(f, "{}: no Cargo.lock, nothing to check", b.branch)?;
                continue;
            }
            if b.findings.is_empty() {
                let what = self.id.as_deref().unwrap_or("unpatched advisory");
                writeln!(
                    f,
                    "{}: no {what} in its {} crates.io dependencies",
                    b.branch, b.dependencies
                )?;
            }
            for x in &b.findings {
                match &x.ignored {
                    None => writeln!(f, "{}: {x}", b.branch)?,
                    Some(why) => writeln!(f, "{}: {x} (ignored: {why})", b.branch)?,
                }
            }
        }
        if self.affected.is_empty() {
            return Ok(());
        }
        let to: Vec<String> = self.affected.iter().map(|b| format!("--to {b}")).collect();
        let patch = if self.supported {
            "cargo train patch --supported".to_string()
        } else {
            format!("cargo train patch --branch {}", self.affected.join(" / "))
        };
        writeln!(
            f,
            "affected: {}\nto patch them: fix on `main`, `cargo train backport COMMIT {}`, then \
             `{patch}`",
            self.affected.join(", "),
            to.join(" ")
        )
    }
}

impl Report {
    pub fn passed(&self) -> bool {
        self.affected.is_empty()
    }
}

/// `cargo train advisories`.
pub fn run(repo: &Repo, branch: Option<&str>, supported: bool, id: Option<&str>) -> Result<Report> {
    // STEP 1
    repo.fetch()?;
    let branches = if supported {
        super::timetable::supported(repo)?
    } else {
        vec![repo.release_branch_arg(branch)?]
    };
    // STEP 2
    let db = load(repo)?;
    let index = db.index();
    if let Some(id) = id
        && !index.has(id)
    {
        bail!(
            "{id} is not in the advisory database ({} advisories, {}): check the id, or fetch a \
             newer database",
            db.about.advisories,
            db.about
                .date
                .as_deref()
                .map_or("of unknown age".to_string(), |d| format!("of {d}"))
        );
    }
    // STEP 3
    let mut out = Vec::new();
    for b in &branches {
        let tip = repo.remote_branch(b)?.with_context(|| {
            format!(
                "`{}/{b}` does not exist: push the branch first",
                repo.remote()
            )
        })?;
        let mut found = at(repo, &index, b, tip.as_str())?;
        if let Some(id) = id {
            found.findings.retain(|f| f.id == id);
        }
        out.push(found);
    }
    let affected = out
        .iter()
        .filter(|b| b.blocking().next().is_some())
        .map(|b| b.branch.clone())
        .collect();
    Ok(Report {
        database: db.about,
        id: id.map(str::to_string),
        branches: out,
        affected,
        supported,
    })
}
