//! `cargo train status` and `cargo train due`: the train's state as read
//! from the remote, and what the schedule asks for.
//!
//! Reads are batched so their cost does not grow with the history: one
//! `for-each-ref` for every branch and tag, one `cat-file --batch` for the
//! versions and the newest branch's tip, and one `log` bounded to the
//! newest branch's own commits for its cut day.

use crate::adapters::git::commit_message;
use crate::core::patch_set::PatchSet;
use crate::core::refs::Review;
use crate::core::schedule::{self, Action, Branch, BranchState, Decision, Train};
use crate::core::support;
use crate::train::dates::{self, DatedRefs};
use crate::train::repo::{Refs, ReleaseBranch, Repo, workspace_version};
use anyhow::{Context as _, Result};
use jiff::civil::Date;
use semver::Version;
use std::fmt::Write;

// `cut` reads the cut day through here.
pub use crate::train::dates::cut_day;

/// What the newest release branch's tip says of it, for the schedule.
pub struct BranchTip {
    pub branch: ReleaseBranch,
    pub version: Version,
    pub tag: Option<String>,
    pub cut_on: Option<Date>,
    /// Its newest commit is a release commit (tagged or about to be).
    pub tip_released: bool,
    pub release_pending: bool,
}

impl BranchTip {
    /// Its final release is done (or tagged as soon as CI passes).
    pub fn released(&self) -> bool {
        self.version.pre.is_empty() && (self.tag.is_some() || self.tip_released)
    }
}

/// Which release branches a read covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The newest only (what the schedule needs).
    Latest,
    /// The ones supported on the day, and those cut after the newest release.
    Supported,
    All,
}

/// The repository as `status` and `due` see it, read in a fixed number of
/// git runs.
struct View {
    refs: Refs,
    main_version: Version,
    /// The branches read, newest first, with the version at each tip (an
    /// old branch of another layout may have none).
    rows: Vec<(ReleaseBranch, Result<Version>)>,
    /// Whether the newest branch's tip is a release commit.
    latest_tip_released: bool,
    /// Release branches not read.
    hidden: usize,
    /// The message of each row's tip commit.
    tips: Vec<String>,
    /// Patch review branches (`ci/bump-to-X.Y.Z`, Z > 0) and their tips'
    /// messages.
    reviews: Vec<(String, String)>,
}

impl View {
    fn read(repo: &Repo, shown: Shown) -> Result<View> {
        let cfg = &repo.config;
        // The supported ones need the tags' dates: the same one
        // `for-each-ref`, with dates.
        let (refs, keep) = match shown {
            Shown::Supported => {
                let dated = dates::read_dated_refs(repo)?;
                let keep = shown_by_date(repo, &dated);
                (dated.refs, keep)
            }
            _ => (repo.read_refs()?, Vec::new()),
        };
        let main = refs
            .branches
            .get(&cfg.main_branch)
            .cloned()
            .ok_or_else(|| {
                anyhow::anyhow!("`{}/{}` does not exist", cfg.remote, cfg.main_branch)
            })?;
        let mut branches = repo.release_branches_in(&refs);
        branches.reverse();
        let total = branches.len();
        match shown {
            Shown::Latest => branches.truncate(1),
            Shown::Supported => branches.retain(|b| keep.contains(&b.version)),
            Shown::All => {}
        }
        // One `cat-file --batch`: main's and every branch's Cargo.toml,
        // then every branch's tip commit and those of patch review branches
        // (for a patch set waiting).
        let reviews: Vec<(String, String)> = refs
            .branches
            .iter()
            .filter(|(n, _)| matches!(Review::parse(n), Some(Review::Bump(v)) if v.patch > 0))
            .map(|(n, o)| (n.clone(), o.clone()))
            .collect();
        let mut names = vec![format!("{main}:Cargo.toml")];
        names.extend(branches.iter().map(|b| format!("{}:Cargo.toml", b.oid)));
        names.extend(branches.iter().map(|b| b.oid.clone()));
        names.extend(reviews.iter().map(|(_, o)| o.clone()));
        let mut objects = repo.git.read_objects(&names)?.into_iter();
        let mut version = |rev: &str| -> Result<Version> {
            let text = objects
                .next()
                .flatten()
                .with_context(|| format!("{rev} has no Cargo.toml"))?;
            workspace_version(rev, String::from_utf8(text)?)
        };
        let main_version = version(&main)?;
        let mut rows = Vec::with_capacity(branches.len());
        for b in branches {
            let v = version(&b.oid);
            rows.push((b, v));
        }
        let mut message = || {
            objects
                .next()
                .flatten()
                .map(|raw| String::from_utf8_lossy(commit_message(&raw)).into_owned())
                .unwrap_or_default()
        };
        let tips: Vec<String> = rows.iter().map(|_| message()).collect();
        let reviews: Vec<(String, String)> =
            reviews.into_iter().map(|(n, _)| (n, message())).collect();
        let latest_tip_released = tips.first().is_some_and(|m| m.contains(&cfg.marker));
        Ok(View {
            hidden: total - rows.len(),
            refs,
            main_version,
            rows,
            latest_tip_released,
            tips,
            reviews,
        })
    }

    fn latest(&self, repo: &Repo) -> Result<Option<BranchTip>> {
        let Some((b, version)) = self.rows.first() else {
            return Ok(None);
        };
        let version = match version {
            Ok(v) => v,
            Err(e) => anyhow::bail!("{}: {e:#}", b.name),
        };
        let tag_name = repo.names().tag(version);
        Ok(Some(BranchTip {
            cut_on: dates::cut_day_in(repo, b, &self.refs)?,
            tip_released: self.latest_tip_released,
            release_pending: self
                .refs
                .branches
                .contains_key(&Review::Release(b.version.clone()).branch()),
            tag: self.refs.tags.contains_key(&tag_name).then_some(tag_name),
            version: version.clone(),
            branch: b.clone(),
        }))
    }

    fn train(&self, repo: &Repo) -> Result<(Train, Option<BranchTip>)> {
        // The branch a cut of main's version makes.
        let cut_name = repo.names().release_branch(&self.main_version);
        let latest = self.latest(repo)?;
        let t = Train {
            main_branch_cut: self.refs.branches.contains_key(&cut_name),
            main_version: self.main_version.clone(),
            latest: latest.as_ref().map(|s| Branch {
                version: s.branch.version.clone(),
                cut_on: s.cut_on,
                released: s.released(),
                release_pending: s.release_pending,
            }),
        };
        Ok((t, latest))
    }
}

/// The schedule's view of the repository.
pub fn train(repo: &Repo) -> Result<(Train, Option<BranchTip>)> {
    View::read(repo, Shown::Latest)?.train(repo)
}

pub fn decide(repo: &Repo) -> Result<Decision> {
    let (t, _) = train(repo)?;
    Ok(schedule::due(repo.today, &t, &repo.config))
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::Cut => "cut",
        Action::Release => "release",
    }
}

/// `due`'s report.
pub fn render_due(repo: &Repo, d: &Decision) -> String {
    let mut s = String::new();
    if d.due.is_empty() {
        let _ = writeln!(s, "nothing is due on {}", repo.today);
    }
    for (a, why) in &d.due {
        let _ = writeln!(s, "{} is due on {}: {why}", action_name(*a), repo.today);
    }
    if let Some((a, day, what)) = &d.next {
        let _ = writeln!(s, "next: {} on {day} ({what})", action_name(*a));
    }
    s
}

/// `status`: main, the supported release branches, what is due.
pub fn status(repo: &Repo) -> Result<String> {
    status_of(repo, Shown::Supported)
}

/// `status` over the release branches `shown`.
pub fn status_of(repo: &Repo, shown: Shown) -> Result<String> {
    let cfg = &repo.config;
    let view = View::read(repo, shown)?;
    let (t, _) = view.train(repo)?;
    let mut s = String::new();
    let _ = writeln!(s, "{}: {}", cfg.main_branch, t.main_version);
    if view.rows.is_empty() {
        let _ = writeln!(s, "no release branches");
    }
    let names = repo.names();
    let tags: Vec<(Version, &str)> = view
        .refs
        .tags
        .keys()
        .filter_map(|n| Some((names.parse_tag(n)?, n.as_str())))
        .collect();
    let mut unreadable = Vec::new();
    for (b, version) in &view.rows {
        let line = (b.version.major, b.version.minor);
        let latest_tag = tags
            .iter()
            .filter(|(v, _)| (v.major, v.minor) == line)
            .max()
            .map_or("-", |(_, n)| n);
        let (version, label) = match version {
            Ok(v) => (v.to_string(), BranchState::of(&b.version, v).to_string()),
            Err(e) => {
                unreadable.push(format!("({}: {e:#})", b.name));
                ("?".to_string(), "unreadable".to_string())
            }
        };
        let _ = writeln!(
            s,
            "{:<24} {version:<16} {label:<10} latest tag {latest_tag}",
            b.name
        );
    }
    for line in unreadable {
        let _ = writeln!(s, "{line}");
    }
    if view.hidden > 0 {
        let _ = writeln!(
            s,
            "({} older release branch{} not supported; --all lists every one)",
            view.hidden,
            if view.hidden == 1 { "" } else { "es" }
        );
    }
    for line in patch_sets(repo, &view) {
        let _ = writeln!(s, "{line}");
    }
    s.push_str(&render_due(repo, &schedule::due(repo.today, &t, cfg)));
    Ok(s)
}

/// A line for each patch set not tagged yet: where each member stands.
fn patch_sets(repo: &Repo, view: &View) -> Vec<String> {
    let names = repo.names();
    // Where a member was seen: its review branch, or merged on its branch.
    let mut seen: Vec<(PatchSet, Version, String)> = Vec::new();
    let merged = view.rows.iter().zip(&view.tips).filter_map(|((_, v), m)| {
        let v = v.as_ref().ok()?;
        Some((v.clone(), m, "merged".to_string()))
    });
    let reviewed = view
        .reviews
        .iter()
        .filter_map(|(n, m)| match Review::parse(n) {
            Some(Review::Bump(v)) => Some((v, m, format!("in review ({n})"))),
            _ => None,
        });
    for (v, message, state) in merged.chain(reviewed) {
        if let Some(Ok(set)) = PatchSet::parse(message, &names)
            && set.versions.contains(&v)
        {
            seen.push((set, v, state));
        }
    }
    let mut sets: Vec<&PatchSet> = Vec::new();
    for (set, _, _) in &seen {
        if !sets.contains(&set) {
            sets.push(set);
        }
    }
    let mut lines = Vec::new();
    for set in sets {
        if set
            .versions
            .iter()
            .all(|v| view.refs.tags.contains_key(&names.tag(v)))
        {
            continue;
        }
        let members: Vec<String> = set
            .versions
            .iter()
            .map(|v| {
                let tag = names.tag(v);
                let state = if view.refs.tags.contains_key(&tag) {
                    "tagged"
                } else {
                    seen.iter()
                        .find(|(s, sv, _)| s == set && sv == v)
                        .map_or("not pushed", |(_, _, st)| st.as_str())
                };
                format!("{tag} {state}")
            })
            .collect();
        lines.push(format!(
            "patch set {} waits: {}; tagged once every member is merged and its CI passed",
            set.describe(&names),
            members.join(", ")
        ));
    }
    lines
}

/// What `status` shows by default: the lines supported on the repository's
/// day, and those cut after the newest release (the train works on them;
/// the schedule reads the newest).
fn shown_by_date(repo: &Repo, dated: &DatedRefs) -> Vec<Version> {
    let lines: Vec<support::Line> = dates::released_lines(repo, dated)
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    let mut keep = support::supported_on(&lines, &repo.config.support, repo.today);
    let newest_released = keep.first().cloned();
    keep.extend(
        lines
            .into_iter()
            .filter(|l| l.released.is_none_or(|r| r > repo.today))
            .filter(|l| newest_released.as_ref().is_none_or(|n| l.version > *n))
            .map(|l| l.version),
    );
    keep
}
