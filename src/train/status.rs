//! `cargo train status` and `cargo train due`: the train's state as read
//! from the remote, and what the schedule asks for.

use crate::core::schedule::{self, Action, Branch, Decision, Train};
use crate::train::repo::{ReleaseBranch, Repo};
use anyhow::Result;
use jiff::civil::Date;
use semver::Version;
use std::fmt::Write;

/// The day a release branch was cut: the day of its first candidate's
/// commit (on the branch, or still waiting for review).
pub fn cut_day(repo: &Repo, b: &ReleaseBranch) -> Result<Option<Date>> {
    let rc1 = format!("{}-rc.1", b.version);
    let mut day = repo.git.day_of_commit_mentioning(&b.oid, &rc1)?;
    if day.is_none()
        && let Some(oid) = repo.remote_branch(&format!("ci/rc-{rc1}"))?
    {
        day = repo.git.day_of_commit_mentioning(&oid, &rc1)?;
    }
    Ok(day.and_then(|d| d.parse().ok()))
}

/// What a release branch's tip says of it.
pub struct BranchState {
    pub branch: ReleaseBranch,
    pub version: Version,
    pub tag: Option<String>,
    pub cut_on: Option<Date>,
    /// Its newest commit is a release commit (tagged or about to be).
    pub tip_released: bool,
    pub release_pending: bool,
}

impl BranchState {
    pub fn label(&self) -> String {
        let v = &self.version;
        if v.pre.as_str() == "dev" {
            "cut".into()
        } else if !v.pre.is_empty() {
            // `rc.N` (or another suffix) as it stands.
            v.pre.to_string()
        } else if v.patch > self.branch.version.patch {
            "patched".into()
        } else {
            "released".into()
        }
    }

    /// Its final release is done (or tagged as soon as CI passes).
    pub fn released(&self) -> bool {
        self.version.pre.is_empty() && (self.tag.is_some() || self.tip_released)
    }
}

pub fn branch_state(repo: &Repo, b: ReleaseBranch) -> Result<BranchState> {
    let version = repo.version_at(&b.oid)?;
    let tag_name = format!("{}{version}", repo.config.tag_prefix);
    let tag = repo.tag(&tag_name)?.map(|_| tag_name);
    Ok(BranchState {
        cut_on: cut_day(repo, &b)?,
        tip_released: repo.tip_is_release(&b.oid)?,
        release_pending: repo
            .remote_branch(&format!("ci/release-{}", b.version))?
            .is_some(),
        tag,
        version,
        branch: b,
    })
}

/// The schedule's view of the repository.
pub fn train(repo: &Repo) -> Result<(Train, Option<BranchState>)> {
    let cfg = &repo.config;
    let main = repo
        .remote_branch(&cfg.main_branch)?
        .ok_or_else(|| anyhow::anyhow!("`{}/{}` does not exist", cfg.remote, cfg.main_branch))?;
    let main_version = repo.version_at(&main)?;
    let cut_name = format!(
        "{}{}",
        cfg.branch_prefix,
        Version::new(main_version.major, main_version.minor, main_version.patch)
    );
    let latest = match repo.release_branches()?.pop() {
        Some(b) => Some(branch_state(repo, b)?),
        None => None,
    };
    let t = Train {
        main_branch_cut: repo.remote_branch(&cut_name)?.is_some(),
        main_version,
        latest: latest.as_ref().map(|s| Branch {
            version: s.branch.version.clone(),
            cut_on: s.cut_on,
            released: s.released(),
            release_pending: s.release_pending,
        }),
    };
    Ok((t, latest))
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

pub fn status(repo: &Repo) -> Result<String> {
    let cfg = &repo.config;
    let (t, _) = train(repo)?;
    let mut s = String::new();
    let _ = writeln!(s, "{}: {}", cfg.main_branch, t.main_version);
    let branches = repo.release_branches()?;
    if branches.is_empty() {
        let _ = writeln!(s, "no release branches");
    }
    for b in branches.into_iter().rev() {
        let st = branch_state(repo, b)?;
        let prefix = format!(
            "{}{}.{}.",
            cfg.tag_prefix, st.branch.version.major, st.branch.version.minor
        );
        let latest_tag = repo
            .git
            .refs("refs/tags/")?
            .into_iter()
            .filter_map(|r| {
                let v = Version::parse(r.name.strip_prefix(&cfg.tag_prefix)?).ok()?;
                r.name.starts_with(&prefix).then_some((v, r.name))
            })
            .max()
            .map_or_else(|| "-".to_string(), |(_, n)| n);
        let _ = writeln!(
            s,
            "{:<24} {:<16} {:<10} latest tag {latest_tag}",
            st.branch.name,
            st.version.to_string(),
            st.label()
        );
    }
    s.push_str(&render_due(repo, &schedule::due(repo.today, &t, cfg)));
    Ok(s)
}

/// The supported release branches on the remote, newest first.
pub fn supported(repo: &Repo) -> Result<Vec<String>> {
    let branches = repo.release_branches()?;
    let versions: Vec<Version> = branches.iter().map(|b| b.version.clone()).collect();
    Ok(crate::core::supported::supported(&versions, 3, 2)
        .into_iter()
        .map(|v| format!("{}{v}", repo.config.branch_prefix))
        .collect())
}
