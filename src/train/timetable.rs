//! `cargo train timetable` and `cargo train supported`: the release lines'
//! real dates as the repository records them ([`dates`]), past and coming.
//!
//! STEP 1: one `for-each-ref`: the remote's branches and the tags, with the
//!         date of each ([`dates::read_dated_refs`]).
//! STEP 2: one `log` of the release branches' own commits (not on main),
//!         with the main commits they start from: each branch's fork point.
//! STEP 3: main's version (the next line the schedule cuts).
//! STEP 4: ask `core::support` for the rows: the [`Timetable`] report.
//!
//! A fixed number of git runs, however many branches and tags there are.

use crate::core::refs::CommitId;
use crate::core::support::{self, Line, LineState, Row};
use crate::train::dates::{self, DatedRefs, utc_day};
use crate::train::repo::{ReleaseBranch, Repo};
use crate::train::report::{as_text, as_text_opt};
use anyhow::{Context as _, Result};
use jiff::civil::Date;
use semver::Version;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::{self, Write as _};

/// STEP 2: the day each branch left main: the committer date of the newest
/// main commit it contains (its fork point, the merge base for a branch
/// that never merged main); a branch whose tip is on main left it at its
/// tip. Keyed by tip commit.
fn fork_days(
    repo: &Repo,
    main: &str,
    branches: &[ReleaseBranch],
    d: &DatedRefs,
) -> Result<HashMap<CommitId, Date>> {
    let mut tips: Vec<&str> = branches.iter().map(|b| b.oid.as_str()).collect();
    tips.sort();
    tips.dedup();
    if tips.is_empty() {
        return Ok(HashMap::new());
    }
    let commits = repo.git.graph(&tips, main)?;
    // Commit → (committer time, parents, on main).
    let graph: HashMap<&str, (i64, Vec<&str>, bool)> = commits
        .iter()
        .map(|c| {
            let parents = c.parents.iter().map(String::as_str).collect();
            (c.oid.as_str(), (c.time, parents, c.boundary))
        })
        .collect();
    let mut out = HashMap::new();
    for b in branches {
        let day = match graph.get(b.oid.as_str()) {
            None => d.branch_dates.get(b.name.as_str()).copied(),
            Some(_) => fork_point(&graph, &b.oid).and_then(|t| utc_day(&t.to_string())),
        };
        if let Some(day) = day {
            out.insert(b.oid.clone(), day);
        }
    }
    Ok(out)
}

/// The newest main commit's time among those `tip` reaches.
fn fork_point(graph: &HashMap<&str, (i64, Vec<&str>, bool)>, tip: &str) -> Option<i64> {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![tip];
    let mut newest = None;
    while let Some(c) = stack.pop() {
        if !seen.insert(c) {
            continue;
        }
        let Some((ct, parents, on_main)) = graph.get(c) else {
            continue;
        };
        if *on_main {
            newest = newest.max(Some(*ct));
        } else {
            stack.extend(parents.iter().copied());
        }
    }
    newest
}

/// Every release line with its real dates, oldest first; and main's
/// version.
/// Also the day the newest branch was cut, as `due` reads it (a fork
/// commit can be older than the cut by weeks).
pub fn history(repo: &Repo) -> Result<(Vec<Line>, Version, Option<Date>)> {
    let d = dates::read_dated_refs(repo)?;
    let cfg = &repo.config;
    let main = d
        .refs
        .branches
        .get(&cfg.main_branch)
        .cloned()
        .with_context(|| format!("`{}/{}` does not exist", cfg.remote, cfg.main_branch))?;
    let lines = dates::released_lines(repo, &d);
    let branches: Vec<ReleaseBranch> = lines.iter().map(|(b, _)| b.clone()).collect();
    let forks = fork_days(repo, &main, &branches, &d)?;
    let newest_cut = match branches.iter().max_by(|a, b| a.version.cmp(&b.version)) {
        Some(b) => dates::cut_day_in(repo, b, &d.refs)?,
        None => None,
    };
    // STEP 3
    let main_version = repo.version_at(&main)?;
    let lines = lines
        .into_iter()
        .map(|(b, mut l)| {
            l.branched = forks.get(&b.oid).copied();
            l
        })
        .collect();
    Ok((lines, main_version, newest_cut))
}

/// The supported release branches on the repository's day, newest first.
pub fn supported(repo: &Repo) -> Result<Vec<String>> {
    let d = dates::read_dated_refs(repo)?;
    let lines: Vec<Line> = dates::released_lines(repo, &d)
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    let names = repo.names();
    Ok(
        support::supported_on(&lines, &repo.config.support, repo.today)
            .iter()
            .map(|v| names.release_branch(v).to_string())
            .collect(),
    )
}

/// The release branches the weekly CI re-run covers, newest first.
pub fn ci_rerun(repo: &Repo) -> Result<Vec<String>> {
    let versions: Vec<Version> = repo
        .release_branches()?
        .into_iter()
        .map(|b| b.version)
        .collect();
    let names = repo.names();
    Ok(support::ci_rerun(&versions, &repo.config.support)
        .iter()
        .map(|v| names.release_branch(v).to_string())
        .collect())
}

/// `supported`: release branches, newest first; a line each as text, a
/// JSON list (the shape `$GITHUB_OUTPUT` and scripts read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Supported {
    pub branches: Vec<String>,
}

impl fmt::Display for Supported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.branches {
            writeln!(f, "{b}")?;
        }
        Ok(())
    }
}

/// `supported`'s report: the branches supported on the repository's day,
/// or with `ci`, those the weekly CI re-run covers.
pub fn supported_report(repo: &Repo, ci: bool) -> Result<Supported> {
    let branches = if ci {
        ci_rerun(repo)?
    } else {
        supported(repo)?
    };
    Ok(Supported { branches })
}

pub struct TimetableOpts {
    /// Months ahead to schedule, and back to show ended lines.
    pub months: u32,
    /// Every released line, however long ago it ended.
    pub all: bool,
}

/// The timetable (its JSON shape is documented in the README): the day,
/// the policy, and one entry per line, oldest first. Its text is Markdown.
// Fields in this order, here and below: the JSON keeps the (sorted) key
// order it has always had.
#[derive(Debug, Serialize)]
pub struct Timetable {
    #[serde(serialize_with = "as_text")]
    pub date: Date,
    pub policy: Policy,
    pub versions: Vec<Entry>,
}

/// The support policy's terms the timetable shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Policy {
    pub lts_every: u64,
    pub lts_from: u64,
    /// Lines chosen as LTS besides the rule (left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lts: Vec<String>,
    pub lts_months: u32,
    pub months: u32,
}

/// A release line on the timetable.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Entry {
    pub branch: String,
    #[serde(serialize_with = "as_text_opt")]
    pub branch_date: Option<Date>,
    #[serde(serialize_with = "as_text")]
    pub end_of_life: Date,
    pub lts: bool,
    #[serde(serialize_with = "as_text")]
    pub release_date: Date,
    #[serde(serialize_with = "state_name")]
    pub state: LineState,
    /// `state` is `Supported`: what a script asks most.
    pub supported: bool,
    #[serde(serialize_with = "as_text")]
    pub version: Version,
}

impl Timetable {
    fn new(repo: &Repo, rows: Vec<Row>) -> Timetable {
        let p = &repo.config.support;
        let names = repo.names();
        Timetable {
            date: repo.today,
            policy: Policy {
                lts_every: p.lts_every,
                lts_from: p.lts_from,
                lts: p.lts.iter().map(|&l| l.into()).collect(),
                lts_months: p.lts_months,
                months: p.months,
            },
            versions: rows
                .into_iter()
                .map(|r| Entry {
                    branch: names.release_branch(&r.version).to_string(),
                    branch_date: r.branched,
                    end_of_life: r.end_of_life,
                    lts: r.lts,
                    release_date: r.released,
                    state: r.state,
                    supported: r.state == LineState::Supported,
                    version: r.version,
                })
                .collect(),
        }
    }
}

/// STEP 4: the timetable.
pub fn run(repo: &Repo, opts: &TimetableOpts) -> Result<Timetable> {
    let (lines, main_version, newest_cut) = history(repo)?;
    // Main's version, or past the newest branch if main is not bumped yet.
    let mut next = Version::new(main_version.major, main_version.minor, main_version.patch);
    if let Some(newest) = lines.iter().map(|l| &l.version).max()
        && *newest >= next
    {
        next = crate::core::version::bump(newest, &repo.config.cut_level.level());
    }
    let coming = support::coming(
        &next,
        &lines,
        newest_cut,
        repo.today,
        opts.months,
        &repo.config,
    );
    let window = (!opts.all).then_some(opts.months);
    let rows = support::timetable(&lines, &coming, &repo.config, repo.today, window);
    Ok(Timetable::new(repo, rows))
}

fn state_name<S: serde::Serializer>(s: &LineState, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(match s {
        LineState::Supported => "supported",
        LineState::Ended => "ended",
        LineState::Candidate => "candidate",
        LineState::Scheduled => "scheduled",
    })
}

fn supported_cell(s: LineState) -> &'static str {
    match s {
        LineState::Supported => "**yes**",
        LineState::Ended => "no",
        LineState::Candidate => "not yet: release candidates",
        LineState::Scheduled => "not yet: scheduled",
    }
}

/// A Markdown table and a mermaid Gantt chart (GitHub renders both).
impl fmt::Display for Timetable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.policy;
        let chosen = match p.lts.as_slice() {
            [] => None,
            [one] => Some(format!("{one} is an LTS line")),
            [rest @ .., last] => Some(format!("{} and {last} are LTS lines", rest.join(", "))),
        };
        let lts = if p.lts_every == 0 {
            match &chosen {
                Some(c) => format!("{c}, supported {} months", p.lts_months),
                None => "no LTS releases".to_string(),
            }
        } else {
            let from = if p.lts_from > 0 {
                format!(" from {} on", p.lts_from)
            } else {
                String::new()
            };
            let chosen = chosen.map_or(String::new(), |c| format!("; {c}"));
            format!(
                "every version divisible by {}{from} is an LTS{chosen}, supported {} months",
                p.lts_every, p.lts_months
            )
        };
        writeln!(
            f,
            "Releases are supported {} months after their release date; {lts}. \
             As of {}; dates of lines not released yet are the schedule's.\n",
            p.months, self.date
        )?;
        writeln!(
            f,
            "| Version | LTS | Branch date | Release date | End of life | Supported on {} |",
            self.date
        )?;
        writeln!(f, "|---|---|---|---|---|---|")?;
        for r in &self.versions {
            writeln!(
                f,
                "| {} | {} | {} | {} | {} | {} |",
                r.version,
                if r.lts { "LTS" } else { "" },
                r.branch_date.map_or("-".to_string(), |d| d.to_string()),
                r.release_date,
                r.end_of_life,
                supported_cell(r.state),
            )?;
        }
        writeln!(f)?;
        f.write_str(&gantt(&self.versions))
    }
}

/// Each line from its release to its end of life: LTS ones `crit`, ended
/// ones `done`, supported ones `active`.
fn gantt(rows: &[Entry]) -> String {
    let mut s = String::from(
        "```mermaid\ngantt\n    title Release lines, from release to end of life\n    \
         dateFormat YYYY-MM-DD\n    axisFormat %Y-%m\n",
    );
    for (title, lts) in [("LTS", true), ("Releases", false)] {
        let mut section: Vec<&Entry> = rows.iter().filter(|r| r.lts == lts).collect();
        if section.is_empty() {
            continue;
        }
        section.sort_by(|a, b| a.version.cmp(&b.version));
        let _ = writeln!(s, "    section {title}");
        for r in section {
            let mut tags = Vec::new();
            if r.lts {
                tags.push("crit");
            }
            match r.state {
                LineState::Supported => tags.push("active"),
                LineState::Ended => tags.push("done"),
                LineState::Candidate | LineState::Scheduled => {}
            }
            let id = format!("v{}", r.version).replace(['.', '-', '+'], "_");
            tags.push(&id);
            let _ = writeln!(
                s,
                "    {} :{}, {}, {}",
                r.version,
                tags.join(", "),
                r.release_date,
                r.end_of_life
            );
        }
    }
    s.push_str("```\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(major: u64, lts: bool, state: LineState) -> Entry {
        Entry {
            branch: format!("release-{major}.0.0"),
            branch_date: None,
            end_of_life: "2026-03-20".parse().unwrap(),
            lts,
            release_date: "2026-01-20".parse().unwrap(),
            state,
            supported: state == LineState::Supported,
            version: Version::new(major, 0, 0),
        }
    }

    #[test]
    fn gantt_sections_and_tags() {
        let g = gantt(&[
            row(23, false, LineState::Ended),
            row(24, true, LineState::Supported),
            row(25, false, LineState::Scheduled),
        ]);
        assert_eq!(
            g,
            "```mermaid\ngantt\n    title Release lines, from release to end of life\n    \
             dateFormat YYYY-MM-DD\n    axisFormat %Y-%m\n    section LTS\n    \
             24.0.0 :crit, active, v24_0_0, 2026-01-20, 2026-03-20\n    section Releases\n    \
             23.0.0 :done, v23_0_0, 2026-01-20, 2026-03-20\n    \
             25.0.0 :v25_0_0, 2026-01-20, 2026-03-20\n```\n"
        );
    }

    #[test]
    fn a_timetable_is_markdown_and_its_json_the_same_value() {
        let t = Timetable {
            date: "2026-01-10".parse().unwrap(),
            policy: Policy {
                lts_every: 12,
                lts_from: 0,
                lts: Vec::new(),
                lts_months: 24,
                months: 2,
            },
            versions: vec![Entry {
                branch_date: Some("2026-01-05".parse().unwrap()),
                ..row(24, true, LineState::Supported)
            }],
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            concat!(
                r#"{"date":"2026-01-10","#,
                r#""policy":{"lts-every":12,"lts-from":0,"lts-months":24,"months":2},"#,
                r#""versions":[{"branch":"release-24.0.0","branch-date":"2026-01-05","#,
                r#""end-of-life":"2026-03-20","lts":true,"release-date":"2026-01-20","#,
                r#""state":"supported","supported":true,"version":"24.0.0"}]}"#
            )
        );
        let md = t.to_string();
        assert!(
            md.starts_with(
                "Releases are supported 2 months after their release date; every version \
                 divisible by 12 is an LTS, supported 24 months. As of 2026-01-10;"
            ),
            "{md}"
        );
        assert!(
            md.contains("| 24.0.0 | LTS | 2026-01-05 | 2026-01-20 | 2026-03-20 | **yes** |\n\n"),
            "{md}"
        );
        assert!(md.ends_with(&gantt(&t.versions)), "{md}");
    }

    #[test]
    fn supported_is_a_line_each_and_a_json_list() {
        let s = Supported {
            branches: vec!["release-3.0.0".into(), "release-2.0.0".into()],
        };
        assert_eq!(s.to_string(), "release-3.0.0\nrelease-2.0.0\n");
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"["release-3.0.0","release-2.0.0"]"#
        );
        let none = Supported { branches: vec![] };
        assert_eq!(
            (none.to_string(), serde_json::to_string(&none).unwrap()),
            (String::new(), "[]".into())
        );
    }

    #[test]
    fn fork_point_is_the_newest_main_commit_reached() {
        // a (main) <- b (main) <- x <- y (branch tip); c is main's later.
        let graph: HashMap<&str, (i64, Vec<&str>, bool)> = [
            ("y", (40, vec!["x"], false)),
            ("x", (30, vec!["b", "a"], false)),
            ("b", (20, vec![], true)),
            ("a", (10, vec![], true)),
        ]
        .into_iter()
        .collect();
        assert_eq!(fork_point(&graph, "y"), Some(20));
        assert_eq!(fork_point(&graph, "nothing"), None);
    }
}
