//! `cargo train status` and `cargo train due`: the train's state as read
//! from the remote, and what the schedule asks for.
//!
//! Reads are batched so their cost does not grow with the history: one
//! `for-each-ref` for every branch and tag, one `cat-file --batch` for the
//! versions and the newest branch's tip, and one `log` bounded to the
//! newest branch's own commits for its cut day.

use crate::adapters::git::{commit_message, committer_time};
use crate::core::marker::Marker;
use crate::core::patch_set::PatchSet;
use crate::core::refs::{CommitId, Review};
use crate::core::release_commit::ReleaseCommit;
use crate::core::schedule::{self, Action, Branch, BranchState, Decision, Train};
use crate::core::support;
use crate::train::dates::{self, DatedRefs};
use crate::train::repo::{Refs, ReleaseBranch, Repo, workspace_version};
use crate::train::report::{as_text, as_text_opt};
use anyhow::{Context as _, Result};
use jiff::civil::Date;
use semver::Version;
use serde::Serialize;
use std::fmt;

// `cut` reads the cut day through here.

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
    /// Each row's tip commit.
    tips: Vec<Tip>,
    /// Patch review branches (`ci/bump-to-X.Y.Z`, Z > 0) and their tips.
    reviews: Vec<(String, Tip)>,
}

/// A commit at a branch's tip: its message, and when it was committed.
#[derive(Default)]
struct Tip {
    message: String,
    time: Option<i64>,
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
            .ok_or_else(|| repo.no_main())?;
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
        let reviews: Vec<(String, CommitId)> = refs
            .branches
            .iter()
            .filter(|(n, _)| matches!(Review::parse(n), Some(Review::Patch(_))))
            .map(|(n, o)| (n.clone(), o.clone()))
            .collect();
        let m = repo.train_manifest();
        let mut names = vec![format!("{main}:{m}")];
        names.extend(branches.iter().map(|b| format!("{}:{m}", b.oid)));
        names.extend(branches.iter().map(|b| b.oid.to_string()));
        names.extend(reviews.iter().map(|(_, o)| o.to_string()));
        let mut objects = repo.git.read_objects(&names)?.into_iter();
        let mut version = |rev: &str| -> Result<Version> {
            let text = objects
                .next()
                .flatten()
                .with_context(|| format!("{rev} has no {m}"))?;
            workspace_version(rev, String::from_utf8(text)?)
        };
        let main_version = version(&main)?;
        let mut rows = Vec::with_capacity(branches.len());
        for b in branches {
            let v = version(&b.oid);
            rows.push((b, v));
        }
        let mut tip = || {
            objects
                .next()
                .flatten()
                .map(|raw| Tip {
                    message: String::from_utf8_lossy(commit_message(&raw)).into_owned(),
                    time: committer_time(&raw),
                })
                .unwrap_or_default()
        };
        let tips: Vec<Tip> = rows.iter().map(|_| tip()).collect();
        let reviews: Vec<(String, Tip)> = reviews.into_iter().map(|(n, _)| (n, tip())).collect();
        let marker = Marker::of(cfg);
        let latest_tip_released = tips
            .first()
            .is_some_and(|t| ReleaseCommit::parse(&t.message, &marker).is_some());
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
                .contains_key(Review::Release(b.version.clone()).branch().as_str()),
            tag: self
                .refs
                .tags
                .contains_key(tag_name.as_str())
                .then(|| tag_name.to_string()),
            version: version.clone(),
            branch: b.clone(),
        }))
    }

    fn train(&self, repo: &Repo) -> Result<(Train, Option<BranchTip>)> {
        // The branch a cut of main's version makes.
        let cut_name = repo.names().release_branch(&self.main_version);
        let latest = self.latest(repo)?;
        let t = Train {
            main_branch_cut: self.refs.branches.contains_key(cut_name.as_str()),
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

/// `due`: what is due on the day, and why; when the next action falls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    #[serde(serialize_with = "as_text")]
    pub date: Date,
    /// Oldest work first.
    pub due: Vec<DueAction>,
    pub next: Option<NextAction>,
    /// The newest branch's freeze, while it is in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freeze: Option<FreezeWindow>,
}

/// A branch in its freeze (see [`schedule::freeze_of`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FreezeWindow {
    pub branch: String,
    #[serde(serialize_with = "as_text")]
    pub from: Date,
    /// Its release day, the freeze's last.
    #[serde(serialize_with = "as_text")]
    pub until: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueAction {
    pub action: Action,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextAction {
    pub action: Action,
    #[serde(serialize_with = "as_text")]
    pub date: Date,
    pub reason: String,
}

impl Due {
    /// The report of the schedule's decision `d` on `date`.
    pub fn new(date: Date, d: &Decision) -> Due {
        Due {
            date,
            due: d
                .due
                .iter()
                .map(|(action, reason)| DueAction {
                    action: *action,
                    reason: reason.clone(),
                })
                .collect(),
            next: d.next.as_ref().map(|(action, date, reason)| NextAction {
                action: *action,
                date: *date,
                reason: reason.clone(),
            }),
            freeze: d.freeze.as_ref().map(|f| FreezeWindow {
                branch: f.branch.clone(),
                from: f.from,
                until: f.release,
            }),
        }
    }
}

impl fmt::Display for Due {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.due.is_empty() {
            writeln!(f, "nothing is due on {}", self.date)?;
        }
        for d in &self.due {
            writeln!(f, "{} is due on {}: {}", d.action, self.date, d.reason)?;
        }
        if let Some(z) = &self.freeze {
            writeln!(
                f,
                "{} is in its freeze from {} until its release on {}: backports and patches onto \
                 it are refused unless given --allow-in-freeze REASON",
                z.branch, z.from, z.until
            )?;
        }
        if let Some(n) = &self.next {
            writeln!(f, "next: {} on {} ({})", n.action, n.date, n.reason)?;
        }
        Ok(())
    }
}

/// `due` on the repository's day.
pub fn due(repo: &Repo) -> Result<Due> {
    Ok(Due::new(repo.today, &decide(repo)?))
}

/// `status`: main, the release branches shown, patch sets waiting, what
/// is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Status {
    pub main_branch: String,
    #[serde(serialize_with = "as_text")]
    pub main_version: Version,
    /// Newest first.
    pub branches: Vec<BranchRow>,
    /// The branches whose version at the tip cannot be read, and why.
    pub unreadable: Vec<Unreadable>,
    /// How many release branches are not shown (not supported).
    pub hidden: usize,
    /// Patch sets not tagged yet.
    pub patch_sets: Vec<WaitingSet>,
    pub due: Due,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BranchRow {
    pub branch: String,
    /// The version at its tip; `None` when it cannot be read.
    #[serde(serialize_with = "as_text_opt")]
    pub version: Option<Version>,
    /// `None` when the version cannot be read.
    pub state: Option<BranchState>,
    /// The highest tag of its line.
    pub latest_tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    pub branch: String,
    pub error: String,
}

/// A patch set not tagged yet: where each member stands (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct WaitingSet {
    pub members: Vec<SetMember>,
    /// The day its first release commit was made.
    #[serde(
        serialize_with = "as_text_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub since: Option<Date>,
    /// The days it has waited, when that is longer than
    /// `patch-set-wait-days`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub too_long: Option<i64>,
    #[serde(skip)]
    pub bound: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetMember {
    pub tag: String,
    #[serde(flatten)]
    pub state: MemberState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum MemberState {
    Tagged,
    /// Its release commit is on its branch.
    Merged,
    /// Its release commit waits on this review branch.
    InReview {
        review: String,
    },
    NotPushed,
}

impl fmt::Display for MemberState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemberState::Tagged => f.write_str("tagged"),
            MemberState::Merged => f.write_str("merged"),
            MemberState::InReview { review } => write!(f, "in review ({review})"),
            MemberState::NotPushed => f.write_str("not pushed"),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {}", self.main_branch, self.main_version)?;
        if self.branches.is_empty() {
            writeln!(f, "no release branches")?;
        }
        for b in &self.branches {
            let version = b.version.as_ref().map_or("?".into(), Version::to_string);
            let state = b
                .state
                .as_ref()
                .map_or("unreadable".into(), |s| s.to_string());
            writeln!(
                f,
                "{:<24} {version:<16} {state:<10} latest tag {}",
                b.branch,
                b.latest_tag.as_deref().unwrap_or("-")
            )?;
        }
        for u in &self.unreadable {
            writeln!(f, "({}: {})", u.branch, u.error)?;
        }
        if self.hidden > 0 {
            writeln!(
                f,
                "({} older release branch{} not supported; --all lists every one)",
                self.hidden,
                if self.hidden == 1 { "" } else { "es" }
            )?;
        }
        for set in &self.patch_sets {
            let tags: Vec<&str> = set.members.iter().map(|m| m.tag.as_str()).collect();
            let members: Vec<String> = set
                .members
                .iter()
                .map(|m| format!("{} {}", m.tag, m.state))
                .collect();
            writeln!(
                f,
                "patch set {} waits: {}; tagged once every member is merged and its CI passed",
                tags.join(", "),
                members.join(", ")
            )?;
            if let (Some(days), Some(since)) = (set.too_long, set.since) {
                writeln!(
                    f,
                    "patch set {} has waited {days} days (since {since}), longer than \
                     `patch-set-wait-days = {}`: merge its last members, or make the set again \
                     without them",
                    tags.join(", "),
                    set.bound
                )?;
            }
        }
        write!(f, "{}", self.due)
    }
}

/// `status`: main, the supported release branches, what is due.
pub fn status(repo: &Repo) -> Result<Status> {
    status_of(repo, Shown::Supported)
}

/// `status` over the release branches `shown`.
pub fn status_of(repo: &Repo, shown: Shown) -> Result<Status> {
    let cfg = &repo.config;
    let view = View::read(repo, shown)?;
    let (t, _) = view.train(repo)?;
    let names = repo.names();
    let tags: Vec<(Version, &str)> = view
        .refs
        .tags
        .keys()
        .filter_map(|n| Some((names.parse_tag(n)?, n.as_str())))
        .collect();
    let mut branches = Vec::with_capacity(view.rows.len());
    let mut unreadable = Vec::new();
    for (b, version) in &view.rows {
        let line = (b.version.major, b.version.minor);
        let latest_tag = tags
            .iter()
            .filter(|(v, _)| (v.major, v.minor) == line)
            .max()
            .map(|(_, n)| n.to_string());
        let version = match version {
            Ok(v) => Some(v.clone()),
            Err(e) => {
                unreadable.push(Unreadable {
                    branch: b.name.to_string(),
                    error: format!("{e:#}"),
                });
                None
            }
        };
        branches.push(BranchRow {
            branch: b.name.to_string(),
            state: version.as_ref().map(|v| BranchState::of(&b.version, v)),
            version,
            latest_tag,
        });
    }
    Ok(Status {
        main_branch: cfg.main_branch.clone(),
        main_version: t.main_version.clone(),
        branches,
        unreadable,
        hidden: view.hidden,
        patch_sets: patch_sets(repo, &view),
        due: Due::new(repo.today, &schedule::due(repo.today, &t, cfg)),
    })
}

/// Each patch set not tagged yet: where each member stands.
fn patch_sets(repo: &Repo, view: &View) -> Vec<WaitingSet> {
    let names = repo.names();
    // Where a member was seen: its review branch, or merged on its branch.
    let mut seen: Vec<(PatchSet, Version, MemberState, Option<i64>)> = Vec::new();
    let merged = view.rows.iter().zip(&view.tips).filter_map(|((_, v), m)| {
        let v = v.as_ref().ok()?;
        Some((v.clone(), m, MemberState::Merged))
    });
    let reviewed = view
        .reviews
        .iter()
        .filter_map(|(n, m)| match Review::parse(n) {
            Some(Review::Patch(v)) => Some((v, m, MemberState::InReview { review: n.clone() })),
            _ => None,
        });
    for (v, tip, state) in merged.chain(reviewed) {
        if let Some(Ok(set)) = PatchSet::parse(&tip.message, &names)
            && set.versions.contains(&v)
        {
            seen.push((set, v, state, tip.time));
        }
    }
    let mut sets: Vec<&PatchSet> = Vec::new();
    for (set, _, _, _) in &seen {
        if !sets.contains(&set) {
            sets.push(set);
        }
    }
    let mut waiting = Vec::new();
    for set in sets {
        if set
            .versions
            .iter()
            .all(|v| view.refs.tags.contains_key(names.tag(v).as_str()))
        {
            continue;
        }
        let members = set
            .versions
            .iter()
            .map(|v| {
                let tag = names.tag(v);
                let state = if view.refs.tags.contains_key(tag.as_str()) {
                    MemberState::Tagged
                } else {
                    seen.iter()
                        .find(|(s, sv, _, _)| s == set && sv == v)
                        .map_or(MemberState::NotPushed, |(_, _, st, _)| st.clone())
                };
                SetMember {
                    tag: tag.to_string(),
                    state,
                }
            })
            .collect();
        // The set waits since its first release commit was made.
        let since = seen
            .iter()
            .filter(|(s, _, _, _)| s == set)
            .filter_map(|(_, _, _, t)| *t)
            .min()
            .and_then(|t| dates::utc_day(&t.to_string()));
        let bound = i64::from(repo.config.patch_set_wait_days);
        let too_long = since.and_then(|d| {
            let days = repo.today.since(d).ok()?.get_days() as i64;
            (days > bound).then_some(days)
        });
        waiting.push(WaitingSet {
            members,
            since,
            too_long,
            bound: repo.config.patch_set_wait_days,
        });
    }
    waiting
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn due() -> Due {
        Due {
            date: d("2026-03-26"),
            due: vec![DueAction {
                action: Action::Release,
                reason: "release-3.0.0 was due for release on 2026-03-20 and is not released"
                    .into(),
            }],
            next: Some(NextAction {
                action: Action::Cut,
                date: d("2026-04-05"),
                reason: "cut of release-4.0.0".into(),
            }),
            freeze: None,
        }
    }

    #[test]
    fn due_as_text_and_json() {
        assert_eq!(
            due().to_string(),
            "release is due on 2026-03-26: release-3.0.0 was due for release on 2026-03-20 \
             and is not released\nnext: cut on 2026-04-05 (cut of release-4.0.0)\n"
        );
        assert_eq!(
            serde_json::to_value(due()).unwrap(),
            json!({
                "date": "2026-03-26",
                "due": [{
                    "action": "release",
                    "reason": "release-3.0.0 was due for release on 2026-03-20 and is not released",
                }],
                "next": {"action": "cut", "date": "2026-04-05", "reason": "cut of release-4.0.0"},
            })
        );
        let nothing = Due {
            date: d("2026-03-26"),
            due: Vec::new(),
            next: None,
            freeze: None,
        };
        assert_eq!(nothing.to_string(), "nothing is due on 2026-03-26\n");
        assert_eq!(
            serde_json::to_value(nothing).unwrap(),
            json!({"date": "2026-03-26", "due": [], "next": null})
        );
        let frozen = Due {
            freeze: Some(FreezeWindow {
                branch: "release-3.0.0".into(),
                from: d("2026-03-17"),
                until: d("2026-03-20"),
            }),
            ..due()
        };
        assert!(
            frozen.to_string().contains(
                "release-3.0.0 is in its freeze from 2026-03-17 until its release on 2026-03-20: \
                 backports and patches onto it are refused unless given --allow-in-freeze REASON\n"
            ),
            "{frozen}"
        );
        assert_eq!(
            serde_json::to_value(&frozen).unwrap()["freeze"],
            json!({"branch": "release-3.0.0", "from": "2026-03-17", "until": "2026-03-20"})
        );
    }

    #[test]
    fn status_as_text_and_json() {
        let s = Status {
            main_branch: "main".into(),
            main_version: v("4.0.0-dev"),
            branches: vec![
                BranchRow {
                    branch: "release-3.0.0".into(),
                    version: Some(v("3.0.1")),
                    state: Some(BranchState::Patched),
                    latest_tag: Some("v3.0.1".into()),
                },
                BranchRow {
                    branch: "release-0.1.0".into(),
                    version: None,
                    state: None,
                    latest_tag: None,
                },
            ],
            unreadable: vec![Unreadable {
                branch: "release-0.1.0".into(),
                error: "Cargo.toml at abc has no version".into(),
            }],
            hidden: 1,
            patch_sets: vec![WaitingSet {
                members: vec![
                    SetMember {
                        tag: "v3.0.2".into(),
                        state: MemberState::Merged,
                    },
                    SetMember {
                        tag: "v2.0.2".into(),
                        state: MemberState::InReview {
                            review: "ci/bump-to-2.0.2".into(),
                        },
                    },
                    SetMember {
                        tag: "v1.0.2".into(),
                        state: MemberState::NotPushed,
                    },
                ],
                since: None,
                too_long: None,
                bound: 7,
            }],
            due: due(),
        };
        assert_eq!(
            s.to_string(),
            format!(
                "main: 4.0.0-dev\n\
                 release-3.0.0            3.0.1            patched    latest tag v3.0.1\n\
                 release-0.1.0            ?                unreadable latest tag -\n\
                 (release-0.1.0: Cargo.toml at abc has no version)\n\
                 (1 older release branch not supported; --all lists every one)\n\
                 patch set v3.0.2, v2.0.2, v1.0.2 waits: v3.0.2 merged, v2.0.2 in review \
                 (ci/bump-to-2.0.2), v1.0.2 not pushed; tagged once every member is merged \
                 and its CI passed\n{}",
                due()
            )
        );
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            json!({
                "main-branch": "main",
                "main-version": "4.0.0-dev",
                "branches": [
                    {"branch": "release-3.0.0", "version": "3.0.1", "state": "patched", "latest-tag": "v3.0.1"},
                    {"branch": "release-0.1.0", "version": null, "state": null, "latest-tag": null},
                ],
                "unreadable": [
                    {"branch": "release-0.1.0", "error": "Cargo.toml at abc has no version"},
                ],
                "hidden": 1,
                "patch-sets": [{"members": [
                    {"tag": "v3.0.2", "state": "merged"},
                    {"tag": "v2.0.2", "state": "in-review", "review": "ci/bump-to-2.0.2"},
                    {"tag": "v1.0.2", "state": "not-pushed"},
                ]}],
                "due": serde_json::to_value(due()).unwrap(),
            })
        );
        let none = Status {
            branches: Vec::new(),
            unreadable: Vec::new(),
            hidden: 0,
            patch_sets: Vec::new(),
            ..s
        };
        assert!(
            none.to_string()
                .starts_with("main: 4.0.0-dev\nno release branches\nrelease is due"),
            "{none}"
        );
    }
}
