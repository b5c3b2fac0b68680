//! The dashboard's page: what it shows ([`Dashboard`], plain data the
//! `dashboard` operation reads), and the one HTML file it is. The page
//! stands alone (its style inline, its chart inline SVG, no script, no font
//! or image from anywhere) and is the same bytes for the same data. Every
//! value from the repository, the configuration or a forge is escaped
//! ([`escape`]); the only links are to the page's own sections and rows,
//! and to pull requests on the configured forge's site.

use crate::core::advisories::Finding;
use crate::core::gantt::{self, Bar};
use crate::core::html::{escape, id, is_under, table};
use crate::core::support::LineState;
use jiff::civil::Date;
use std::fmt::Write as _;

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    pub project: String,
    /// The day it is of (`--date`, or today).
    pub date: Date,
    pub main_branch: String,
    pub main_version: String,
    /// The release branches shown, newest first.
    pub branches: Vec<Branch>,
    /// Branches whose version cannot be read, and why.
    pub unreadable: Vec<(String, String)>,
    /// Release branches not shown (not supported any more).
    pub hidden: usize,
    pub policy: Policy,
    /// The timetable's lines, oldest first.
    pub lines: Vec<Line>,
    pub due: Due,
    /// Patch sets not tagged yet.
    pub patch_sets: Vec<PatchSet>,
    pub publish: PublishState,
    pub pulls: Pulls,
    pub advisories: AdvisoryState,
}

/// A release branch as `status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    pub name: String,
    /// `None`: the version at its tip cannot be read.
    pub version: Option<String>,
    /// `cut`, `rc.N`, `released`…
    pub state: Option<String>,
    pub latest_tag: Option<String>,
}

/// The support policy's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub lts_every: u64,
    pub lts_from: u64,
    /// Lines chosen as LTS besides the rule.
    pub lts: Vec<String>,
    pub lts_months: u32,
    pub months: u32,
}

/// A release line of the timetable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub branch: String,
    pub version: String,
    pub lts: bool,
    pub state: LineState,
    pub branched: Option<Date>,
    pub released: Date,
    pub end_of_life: Date,
}

/// What is due on the day, what comes next, and a freeze in force.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Due {
    /// (action, why), oldest work first.
    pub due: Vec<(String, String)>,
    /// (action, day, why).
    pub next: Option<(String, Date, String)>,
    /// (branch, from, until): the newest branch's freeze, while in it.
    pub freeze: Option<(String, Date, Date)>,
}

/// A patch set not tagged yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchSet {
    pub members: Vec<Member>,
    pub since: Option<Date>,
    /// Days waited, when longer than `bound`.
    pub too_long: Option<i64>,
    pub bound: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub tag: String,
    /// `tagged`, `merged`, `in review (ci/…)`, `not pushed`.
    pub state: String,
    /// Tagged or merged: nothing is waited for from it.
    pub done: bool,
}

/// Where the last release stands in its registry's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishState {
    /// No final release is tagged yet.
    NoRelease,
    /// Each crate of the release `tag` and whether its version is in the
    /// index of `registry`.
    Read {
        tag: String,
        registry: String,
        crates: Vec<CrateState>,
    },
    /// The registry (or the release's workspace) could not be read.
    Unknown {
        tag: String,
        registry: String,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateState {
    pub name: String,
    pub version: String,
    /// `Ok(true)`: in the index; `Err`: why the index could not say.
    pub in_index: Result<bool, String>,
}

/// An open pull request (a GitLab merge request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub title: String,
    pub head: String,
    pub base: String,
    /// Its page, as the forge gave it: linked only when on `site`.
    pub url: String,
}

/// The open release pull requests, where the forge keeps pull requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pulls {
    /// The forge keeps none to ask about (`none`, `dry-run`).
    NotKept {
        forge: String,
    },
    Listed {
        forge: String,
        /// The forge's site: pull requests link there, and only there.
        site: Option<String>,
        pulls: Vec<PullRequest>,
    },
    Unknown {
        forge: String,
        reason: String,
    },
}

/// The supported branches' Cargo.lock files against the RustSec database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdvisoryState {
    /// No database could be had (none cached, the fetch failed): why.
    Unavailable { reason: String },
    Checked {
        /// Where the database came from and how old it is, as a sentence.
        database: String,
        /// Why the result may miss advisories (an old copy), if it may.
        warning: Option<String>,
        branches: Vec<BranchAdvisories>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchAdvisories {
    pub branch: String,
    /// `Err`: the branch's lock file could not be read or checked.
    pub result: Result<Checked, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Whether the branch has a Cargo.lock.
    pub lock: bool,
    /// Its crates.io dependencies.
    pub dependencies: usize,
    pub findings: Vec<Finding>,
}

const STYLE: &str = "body{font-family:sans-serif;margin:0;color:#1f2328;background:#fff}\
header{background:#0b3d59;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:24px}\
header p{margin:0}nav{margin-top:8px}nav a{color:#cfe8ff;margin-right:14px}\
main{padding:8px 24px 24px}section{margin:18px 0}h2{font-size:19px;border-bottom:1px solid #d0d7de;\
padding-bottom:4px}table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #d0d7de;\
padding:4px 10px;text-align:left}th{background:#f0f3f6}.ok{color:#1a7f37;font-weight:bold}\
.warn{color:#9a6700;font-weight:bold}.bad{color:#cf222e;font-weight:bold}.unknown{color:#6e7781;\
font-style:italic}.chart{overflow-x:auto}footer{color:#6e7781;padding:0 24px 24px;font-size:13px}";

/// Each section's id and heading, in the order of the page.
pub const SECTIONS: [(&str, &str); 7] = [
    ("supported", "Supported branches"),
    ("timetable", "Timetable"),
    ("due", "Due next"),
    ("patch-sets", "Patch sets"),
    ("publish", "Publish state"),
    ("pulls", "Release pull requests"),
    ("advisories", "Advisories"),
];

impl Dashboard {
    /// The page as one HTML document; `version` is cargo-train's, for the
    /// footer.
    pub fn html(&self, version: &str) -> String {
        let project = escape(&self.project);
        let date = self.date;
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{project} release train, {date}</title>\n<style>{STYLE}</style>\n</head>\n\
             <body>\n<header>\n<h1>{project} release train</h1>\n<p>As of {date}: \
             <code>{}</code> is at {}.</p>\n<nav>",
            escape(&self.main_branch),
            escape(&self.main_version)
        );
        for (id, name) in SECTIONS {
            let _ = write!(out, "<a href=\"#{id}\">{name}</a>");
        }
        out.push_str("</nav>\n</header>\n<main>\n");
        out.push_str(&self.supported());
        out.push_str(&self.timetable());
        out.push_str(&due(&self.due, date));
        out.push_str(&patch_sets(&self.patch_sets));
        out.push_str(&publish(&self.publish));
        out.push_str(&pulls(&self.pulls));
        out.push_str(&advisories(&self.advisories));
        let _ = write!(
            out,
            "</main>\n<footer>Written by cargo-train {} (<code>cargo train dashboard</code>) \
             for {date}.</footer>\n</body>\n</html>\n",
            escape(version)
        );
        out
    }

    /// The release branches `status` lists: those supported on the day
    /// (with their end of life from the timetable) and those in their
    /// candidates.
    fn supported(&self) -> String {
        let mut out = open("supported");
        if self.branches.is_empty() {
            out.push_str("<p>No release branches yet.</p>\n");
        }
        let rows: Vec<Vec<String>> = self
            .branches
            .iter()
            .map(|b| {
                let line = self.lines.iter().find(|l| l.branch == b.name);
                let until = match line {
                    Some(l) if l.state == LineState::Supported => format!(
                        "<a href=\"#{}\"><span class=\"ok\">until {}</span></a>",
                        line_id(&l.version),
                        l.end_of_life
                    ),
                    Some(l) => format!(
                        "<a href=\"#{}\">{}</a>",
                        line_id(&l.version),
                        gantt::state_name(l.state)
                    ),
                    None => "-".into(),
                };
                vec![
                    format!("<code>{}</code>", escape(&b.name)),
                    b.version
                        .as_deref()
                        .map_or("<span class=\"bad\">unreadable</span>".into(), |v| {
                            escape(v).into_owned()
                        }),
                    escape(b.state.as_deref().unwrap_or("-")).into_owned(),
                    escape(b.latest_tag.as_deref().unwrap_or("-")).into_owned(),
                    until,
                ]
            })
            .collect();
        if !rows.is_empty() {
            out.push_str(&table(
                "branches",
                &["Branch", "Version", "State", "Latest tag", "Supported"],
                &rows,
            ));
        }
        for (branch, error) in &self.unreadable {
            let _ = writeln!(
                out,
                "<p class=\"bad\">{}: {}</p>",
                escape(branch),
                escape(error)
            );
        }
        if self.hidden > 0 {
            let _ = writeln!(
                out,
                "<p>{} older release branch{} not supported (<code>cargo train status --all</code> \
                 lists every one).</p>",
                self.hidden,
                if self.hidden == 1 { " is" } else { "es are" }
            );
        }
        out.push_str("</section>\n");
        out
    }

    /// The chart and the table of `cargo train timetable`.
    fn timetable(&self) -> String {
        let mut out = open("timetable");
        let p = &self.policy;
        let mut lts = Vec::new();
        if p.lts_every > 0 {
            let from = if p.lts_from > 0 {
                format!(" from {} on", p.lts_from)
            } else {
                String::new()
            };
            lts.push(format!("every version divisible by {}{from}", p.lts_every));
        }
        if !p.lts.is_empty() {
            lts.push(escape(&p.lts.join(", ")).into_owned());
        }
        let lts = if lts.is_empty() {
            "there are no LTS releases".to_string()
        } else {
            format!(
                "LTS releases ({}) are supported {} months",
                lts.join("; "),
                p.lts_months
            )
        };
        let _ = writeln!(
            out,
            "<p>Releases are supported {} months after their release date; {lts}. Bars run from \
             the release to the end of life, the thin line before one from its branch date; the \
             dates of lines not released yet come from the schedule.</p>",
            p.months
        );
        if self.lines.is_empty() {
            out.push_str("<p>No release lines yet.</p>\n</section>\n");
            return out;
        }
        let bars: Vec<Bar> = self
            .lines
            .iter()
            .map(|l| Bar {
                label: l.version.clone(),
                anchor: Some(line_id(&l.version)),
                lts: l.lts,
                state: l.state,
                branched: l.branched,
                released: l.released,
                end_of_life: l.end_of_life,
            })
            .collect();
        let _ = writeln!(
            out,
            "<div class=\"chart\">\n{}</div>",
            gantt::svg(&bars, self.date)
        );
        out.push_str(
            "<table class=\"timetable\">\n<thead><tr><th scope=\"col\">Version</th>\
             <th scope=\"col\">LTS</th><th scope=\"col\">Branch date</th>\
             <th scope=\"col\">Release date</th><th scope=\"col\">End of life</th>\
             <th scope=\"col\">State</th></tr></thead>\n<tbody>\n",
        );
        for l in &self.lines {
            let _ = writeln!(
                out,
                "<tr id=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                line_id(&l.version),
                escape(&l.version),
                if l.lts { "LTS" } else { "" },
                l.branched.map_or("-".into(), |d| d.to_string()),
                l.released,
                l.end_of_life,
                gantt::state_name(l.state)
            );
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
        out
    }
}

/// The id of a timetable line's row: the chart's bars link to it.
pub fn line_id(version: &str) -> String {
    id("v", version)
}

fn open(id: &str) -> String {
    let name = SECTIONS
        .iter()
        .find(|(i, _)| *i == id)
        .map_or(id, |(_, n)| n);
    format!("<section id=\"{id}\">\n<h2>{name}</h2>\n")
}

/// What the schedule says is due on the day, and what comes next.
fn due(d: &Due, date: Date) -> String {
    let mut out = open("due");
    out.push_str("<ul>\n");
    if d.due.is_empty() {
        let _ = writeln!(out, "<li>Nothing is due on {date}.</li>");
    }
    for (action, reason) in &d.due {
        let _ = writeln!(
            out,
            "<li><span class=\"warn\">{} is due</span> on {date}: {}</li>",
            escape(action),
            escape(reason)
        );
    }
    if let Some((action, day, reason)) = &d.next {
        let _ = writeln!(
            out,
            "<li>Next: <strong>{}</strong> on {day} ({}).</li>",
            escape(action),
            escape(reason)
        );
    }
    if let Some((branch, from, until)) = &d.freeze {
        let _ = writeln!(
            out,
            "<li><span class=\"warn\">Freeze</span>: <code>{}</code> is frozen from {from} until \
             its release on {until}; a backport or patch onto it needs \
             <code>--allow-in-freeze REASON</code>.</li>",
            escape(branch)
        );
    }
    out.push_str("</ul>\n</section>\n");
    out
}

/// Each patch set not tagged yet: its members, and those it waits for.
fn patch_sets(sets: &[PatchSet]) -> String {
    let mut out = open("patch-sets");
    if sets.is_empty() {
        out.push_str("<p>No patch set waits: every one is tagged.</p>\n");
    }
    for set in sets {
        let tags: Vec<&str> = set.members.iter().map(|m| m.tag.as_str()).collect();
        let waits: Vec<String> = set
            .members
            .iter()
            .filter(|m| !m.done)
            .map(|m| format!("{} ({})", m.tag, m.state))
            .collect();
        let since = set
            .since
            .map_or(String::new(), |d| format!(", made on {d}"));
        let _ = writeln!(
            out,
            "<h3>Patch set {}{since}</h3>",
            escape(&tags.join(", "))
        );
        let what = if waits.is_empty() {
            "every member is merged: it is tagged once their CI passed".to_string()
        } else {
            format!("it waits for {}", waits.join(", "))
        };
        let _ = writeln!(out, "<p class=\"warn\">{}</p>", escape(&what));
        if let Some(days) = set.too_long {
            let _ = writeln!(
                out,
                "<p class=\"bad\">It has waited {days} days, longer than \
                 <code>patch-set-wait-days = {}</code>.</p>",
                set.bound
            );
        }
        let rows: Vec<Vec<String>> = set
            .members
            .iter()
            .map(|m| vec![escape(&m.tag).into_owned(), escape(&m.state).into_owned()])
            .collect();
        out.push_str(&table("patch-set", &["Member", "State"], &rows));
    }
    out.push_str("</section>\n");
    out
}

/// Whether the last release's crates are in the registry's index.
fn publish(p: &PublishState) -> String {
    let mut out = open("publish");
    match p {
        PublishState::NoRelease => out.push_str("<p>No release is tagged yet.</p>\n"),
        PublishState::Unknown {
            tag,
            registry,
            reason,
        } => {
            let _ = writeln!(
                out,
                "<p>The last release, {}: its state in <code>{}</code> is \
                 <span class=\"unknown\">unknown</span>: {}</p>",
                escape(tag),
                escape(registry),
                escape(reason)
            );
        }
        PublishState::Read {
            tag,
            registry,
            crates,
        } => out.push_str(&crates_table(tag, registry, crates)),
    }
    out.push_str("</section>\n");
    out
}

fn crates_table(tag: &str, registry: &str, crates: &[CrateState]) -> String {
    let found = crates.iter().filter(|c| c.in_index == Ok(true)).count();
    let missing = crates.iter().filter(|c| c.in_index == Ok(false)).count();
    let unknown = crates.len() - found - missing;
    let class = if found == crates.len() { "ok" } else { "warn" };
    let mut out = format!(
        "<p>The last release, {}: <span class=\"{class}\">{found} of {} crates in the index of \
         <code>{}</code></span>; {missing} missing, {unknown} unknown.</p>\n",
        escape(tag),
        crates.len(),
        escape(registry)
    );
    let rows: Vec<Vec<String>> = crates
        .iter()
        .map(|c| {
            let state = match &c.in_index {
                Ok(true) => "<span class=\"ok\">in the index</span>".to_string(),
                Ok(false) => "<span class=\"bad\">missing</span>".to_string(),
                Err(why) => format!("<span class=\"unknown\">unknown: {}</span>", escape(why)),
            };
            vec![
                format!("<code>{}</code>", escape(&c.name)),
                escape(&c.version).into_owned(),
                state,
            ]
        })
        .collect();
    out.push_str(&table("crates", &["Crate", "Version", "Index"], &rows));
    out
}

/// The open pull requests of the train's review branches.
fn pulls(p: &Pulls) -> String {
    let mut out = open("pulls");
    match p {
        Pulls::NotKept { forge } => {
            let _ = writeln!(
                out,
                "<p>The <code>{}</code> forge keeps no pull requests to list: the train's \
                 changes go straight to their branches (or, with <code>dry-run</code>, to the \
                 <code>ci/*</code> branches it pushed).</p>",
                escape(forge)
            );
        }
        Pulls::Unknown { forge, reason } => {
            let _ = writeln!(
                out,
                "<p>The open pull requests on {} are <span class=\"unknown\">unknown</span>: \
                 {}</p>",
                escape(forge),
                escape(reason)
            );
        }
        Pulls::Listed { forge, site, pulls } => {
            out.push_str(&pulls_table(forge, site.as_deref(), pulls));
        }
    }
    out.push_str("</section>\n");
    out
}

fn pulls_table(forge: &str, site: Option<&str>, pulls: &[PullRequest]) -> String {
    if pulls.is_empty() {
        return format!(
            "<p>No release pull request is open on {}.</p>\n",
            escape(forge)
        );
    }
    let rows: Vec<Vec<String>> = pulls
        .iter()
        .map(|p| {
            let number = format!("#{}", p.number);
            // A link only to the configured forge: a URL an answer gave
            // that points elsewhere is shown, never followed.
            let number = match site {
                Some(site) if is_under(&p.url, site) => {
                    format!("<a href=\"{}\">{number}</a>", escape(&p.url))
                }
                _ => number,
            };
            vec![
                number,
                escape(&p.title).into_owned(),
                format!(
                    "<code>{}</code> into <code>{}</code>",
                    escape(&p.head),
                    escape(&p.base)
                ),
            ]
        })
        .collect();
    format!(
        "<p>{} open on {}.</p>\n{}",
        if pulls.len() == 1 {
            "1 release pull request".to_string()
        } else {
            format!("{} release pull requests", pulls.len())
        },
        escape(forge),
        table("pulls", &["Pull request", "Title", "Branches"], &rows)
    )
}

/// Each supported branch's Cargo.lock against the advisory database, or
/// why there is no database to check against.
fn advisories(a: &AdvisoryState) -> String {
    let mut out = open("advisories");
    match a {
        AdvisoryState::Unavailable { reason } => {
            let _ = writeln!(
                out,
                "<p>The supported branches' advisories are <span class=\"unknown\">unknown</span>: \
                 no advisory database is available: {}</p>",
                escape(reason)
            );
        }
        AdvisoryState::Checked {
            database,
            warning,
            branches,
        } => {
            let _ = writeln!(out, "<p>{}</p>", escape(database));
            if let Some(w) = warning {
                let _ = writeln!(out, "<p class=\"warn\">{}</p>", escape(w));
            }
            if branches.is_empty() {
                out.push_str("<p>No release branch is supported: nothing to check.</p>\n");
            }
            let rows: Vec<Vec<String>> = branches.iter().map(branch_advisories).collect();
            if !rows.is_empty() {
                out.push_str(&table("advisories", &["Branch", "Advisories"], &rows));
            }
        }
    }
    out.push_str("</section>\n");
    out
}

fn branch_advisories(b: &BranchAdvisories) -> Vec<String> {
    let what = match &b.result {
        Err(e) => format!("<span class=\"unknown\">unknown: {}</span>", escape(e)),
        Ok(c) if !c.lock => "no Cargo.lock, nothing to check".to_string(),
        Ok(c) if c.findings.is_empty() => format!(
            "<span class=\"ok\">none</span> in its {} crates.io dependencies",
            c.dependencies
        ),
        Ok(c) => {
            let mut s = String::from("<ul>");
            for f in &c.findings {
                let class = if f.ignored.is_some() { "warn" } else { "bad" };
                let _ = write!(
                    s,
                    "<li><span class=\"{class}\">{}</span> in <code>{}</code> {}: {}; {}{}</li>",
                    escape(&f.id),
                    escape(&f.krate),
                    escape(&f.version),
                    escape(&f.title),
                    escape(&f.fixed_in()),
                    f.ignored
                        .as_deref()
                        .map_or(String::new(), |why| format!(" (ignored: {})", escape(why)))
                );
            }
            s.push_str("</ul>");
            s
        }
    };
    vec![format!("<code>{}</code>", escape(&b.branch)), what]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    const HOSTILE: &str = "<script>alert('x')</script>\"&";

    /// A dashboard with `s` in every value that comes from a repository,
    /// its configuration or a forge.
    fn with_everywhere(s: &str) -> Dashboard {
        Dashboard {
            project: s.into(),
            date: d("2026-03-26"),
            main_branch: s.into(),
            main_version: s.into(),
            branches: vec![Branch {
                name: s.into(),
                version: Some(s.into()),
                state: Some(s.into()),
                latest_tag: Some(s.into()),
            }],
            unreadable: vec![(s.into(), s.into())],
            hidden: 1,
            policy: Policy {
                lts_every: 12,
                lts_from: 0,
                lts: vec![s.into()],
                lts_months: 24,
                months: 2,
            },
            lines: vec![Line {
                branch: s.into(),
                version: s.into(),
                lts: true,
                state: LineState::Supported,
                branched: Some(d("2026-03-05")),
                released: d("2026-03-20"),
                end_of_life: d("2026-05-20"),
            }],
            due: Due {
                due: vec![(s.into(), s.into())],
                next: Some((s.into(), d("2026-04-05"), s.into())),
                freeze: Some((s.into(), d("2026-03-19"), d("2026-03-20"))),
            },
            patch_sets: vec![PatchSet {
                members: vec![Member {
                    tag: s.into(),
                    state: s.into(),
                    done: false,
                }],
                since: Some(d("2026-03-01")),
                too_long: Some(25),
                bound: 14,
            }],
            publish: PublishState::Read {
                tag: s.into(),
                registry: s.into(),
                crates: vec![CrateState {
                    name: s.into(),
                    version: s.into(),
                    in_index: Err(s.into()),
                }],
            },
            pulls: Pulls::Listed {
                forge: s.into(),
                site: Some("https://forge.example".into()),
                pulls: vec![
                    PullRequest {
                        number: 7,
                        title: s.into(),
                        head: s.into(),
                        base: s.into(),
                        url: format!("https://forge.example/o/r/pulls/7?{s}"),
                    },
                    PullRequest {
                        number: 8,
                        title: s.into(),
                        head: s.into(),
                        base: s.into(),
                        url: "https://elsewhere.example/o/r/pulls/8".into(),
                    },
                ],
            },
            advisories: AdvisoryState::Checked {
                database: s.into(),
                warning: Some(s.into()),
                branches: vec![BranchAdvisories {
                    branch: s.into(),
                    result: Ok(Checked {
                        lock: true,
                        dependencies: 3,
                        findings: vec![Finding {
                            id: s.into(),
                            krate: s.into(),
                            version: s.into(),
                            title: s.into(),
                            patched: vec![s.into()],
                            url: "https://rustsec.org/".into(),
                            ignored: Some(s.into()),
                        }],
                    }),
                }],
            },
        }
    }

    #[test]
    fn every_value_from_the_repository_is_text() {
        let page = with_everywhere(HOSTILE).html("0.1.0");
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("alert('x')"), "{page}");
        // Outside the escaped values, the page's own markup uses no `'`,
        // and every `"` closes an attribute the page opened: one `&`
        // unescaped is an entity the page wrote.
        let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;";
        assert!(page.matches(escaped).count() >= 25, "{page}");
        let without = page.replace(escaped, "");
        assert!(!without.contains('\''), "{without}");
        // Every link is to a section, a row, or the forge's site.
        for href in without.split("href=\"").skip(1) {
            let href = &href[..href.find('"').unwrap()];
            assert!(
                href.starts_with('#') || href.starts_with("https://forge.example/"),
                "{href}"
            );
        }
        assert!(!page.contains("elsewhere.example/o/r/pulls/8\""), "{page}");
        assert!(!page.contains("href=\"https://rustsec.org"), "{page}");
    }

    #[test]
    fn anchors_name_ids_on_the_page() {
        let page = with_everywhere("1.0.0").html("0.1.0");
        let ids: Vec<&str> = page
            .split(" id=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        for href in page.split("href=\"#").skip(1) {
            let href = &href[..href.find('"').unwrap()];
            assert!(ids.contains(&href), "#{href} is no id of {ids:?}");
        }
        assert!(ids.contains(&"v1-0-0"), "{ids:?}");
        assert_eq!(page, with_everywhere("1.0.0").html("0.1.0"));
    }

    #[test]
    fn no_database_is_said_not_failed() {
        let mut dash = with_everywhere("x");
        dash.advisories = AdvisoryState::Unavailable {
            reason: "could not fetch <it>".into(),
        };
        let page = dash.html("0.1.0");
        assert!(
            page.contains("no advisory database is available: could not fetch &lt;it&gt;"),
            "{page}"
        );
    }
}
