//! The dashboard's page: what it shows, and the one HTML file it is. The
//! page stands alone (its style inline, its chart inline SVG, no script,
//! no font or image from anywhere) and is the same bytes for the same
//! repository and day. Every value from the repository, the configuration
//! or a forge is escaped ([`escape`]); the only absolute links are to pull
//! requests on the configured forge.

use crate::adapters::forge::OpenPullRequest;
use crate::core::gantt::{self, Bar};
use crate::core::html::{escape, is_under, table};
use crate::train::status::{MemberState, Status, WaitingSet};
use crate::train::timetable::{Entry, Timetable};
use std::fmt::Write as _;

/// Everything the page shows.
pub struct Page<'a> {
    pub project: &'a str,
    pub status: &'a Status,
    pub timetable: &'a Timetable,
    pub publish: &'a PublishState,
    pub pulls: &'a Pulls,
    /// `None` until advisories are checked.
    pub advisories: Option<&'a [Advisory]>,
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
        pulls: Vec<OpenPullRequest>,
    },
    Unknown {
        forge: String,
        reason: String,
    },
}

/// A security advisory against a crate of the workspace (filled in by the
/// advisory check; until then the section says it was not checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advisory {
    pub id: String,
    pub package: String,
    pub title: String,
    /// The supported branches it affects.
    pub affects: Vec<String>,
}

const STYLE: &str = "body{font-family:sans-serif;margin:0;color:#1f2328;background:#fff}\
header{background:#0b3d59;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:24px}\
header p{margin:0}nav{margin-top:8px}nav a{color:#cfe8ff;margin-right:14px}\
main{padding:8px 24px 24px}section{margin:18px 0}h2{font-size:19px;border-bottom:1px solid #d0d7de;\
padding-bottom:4px}table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #d0d7de;\
padding:4px 10px;text-align:left}th{background:#f0f3f6}.ok{color:#1a7f37;font-weight:bold}\
.warn{color:#9a6700;font-weight:bold}.bad{color:#cf222e;font-weight:bold}.unknown{color:#6e7781;\
font-style:italic}.chart{overflow-x:auto}footer{color:#6e7781;padding:0 24px 24px;font-size:13px}";

impl Page<'_> {
    /// The page as one HTML document.
    pub fn html(&self) -> String {
        let project = escape(self.project);
        let date = self.status.due.date;
        let s = self.status;
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{project} release train, {date}</title>\n<style>{STYLE}</style>\n</head>\n\
             <body>\n<header>\n<h1>{project} release train</h1>\n<p>As of {date}: \
             <code>{}</code> is at {}.</p>\n<nav>",
            escape(&s.main_branch),
            escape(&s.main_version.to_string())
        );
        for (id, name) in SECTIONS {
            let _ = write!(out, "<a href=\"#{id}\">{name}</a>");
        }
        out.push_str("</nav>\n</header>\n<main>\n");
        out.push_str(&supported(s, self.timetable));
        out.push_str(&timetable(self.timetable));
        out.push_str(&due(s));
        out.push_str(&patch_sets(&s.patch_sets));
        out.push_str(&publish(self.publish));
        out.push_str(&pulls(self.pulls));
        out.push_str(&advisories(self.advisories));
        let _ = write!(
            out,
            "</main>\n<footer>Written by cargo-train {} (<code>cargo train dashboard</code>) \
             for {date}.</footer>\n</body>\n</html>\n",
            env!("CARGO_PKG_VERSION")
        );
        out
    }
}

/// Each section's id and heading, in the order of the page.
const SECTIONS: [(&str, &str); 7] = [
    ("supported", "Supported branches"),
    ("timetable", "Timetable"),
    ("due", "Due next"),
    ("patch-sets", "Patch sets"),
    ("publish", "Publish state"),
    ("pulls", "Release pull requests"),
    ("advisories", "Advisories"),
];

fn open(id: &str) -> String {
    let name = SECTIONS
        .iter()
        .find(|(i, _)| *i == id)
        .map_or(id, |(_, n)| n);
    format!("<section id=\"{id}\">\n<h2>{name}</h2>\n")
}

/// The release branches `status` lists: those supported on the day (with
/// their end of life from the timetable) and those in their candidates.
fn supported(s: &Status, t: &Timetable) -> String {
    let mut out = open("supported");
    if s.branches.is_empty() {
        out.push_str("<p>No release branches yet.</p>\n");
    }
    let rows: Vec<Vec<String>> = s
        .branches
        .iter()
        .map(|b| {
            let entry = t.versions.iter().find(|e| e.branch == b.branch);
            let until = match entry {
                Some(e) if e.supported => {
                    format!("<span class=\"ok\">until {}</span>", e.end_of_life)
                }
                Some(e) => escape(gantt::state_name(e.state)).into_owned(),
                None => "-".into(),
            };
            vec![
                format!("<code>{}</code>", escape(&b.branch)),
                b.version
                    .as_ref()
                    .map_or("<span class=\"bad\">unreadable</span>".into(), |v| {
                        escape(&v.to_string()).into_owned()
                    }),
                b.state
                    .as_ref()
                    .map_or("-".into(), |st| escape(&st.to_string()).into_owned()),
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
    for u in &s.unreadable {
        let _ = writeln!(
            out,
            "<p class=\"bad\">{}: {}</p>",
            escape(&u.branch),
            escape(&u.error)
        );
    }
    if s.hidden > 0 {
        let _ = writeln!(
            out,
            "<p>{} older release branch{} not supported (<code>cargo train status --all</code> \
             lists every one).</p>",
            s.hidden,
            if s.hidden == 1 { " is" } else { "es are" }
        );
    }
    out.push_str("</section>\n");
    out
}

fn bar(e: &Entry) -> Bar {
    Bar {
        label: e.version.to_string(),
        lts: e.lts,
        state: e.state,
        branched: e.branch_date,
        released: e.release_date,
        end_of_life: e.end_of_life,
    }
}

/// The chart and the table of `cargo train timetable`.
fn timetable(t: &Timetable) -> String {
    let mut out = open("timetable");
    let p = &t.policy;
    let lts = if p.lts_every == 0 {
        "there are no LTS releases".to_string()
    } else {
        let from = if p.lts_from > 0 {
            format!(" from {} on", p.lts_from)
        } else {
            String::new()
        };
        format!(
            "every version divisible by {}{from} is an LTS, supported {} months",
            p.lts_every, p.lts_months
        )
    };
    let _ = writeln!(
        out,
        "<p>Releases are supported {} months after their release date; {lts}. Bars run from \
         the release to the end of life, the thin line before one from its branch date; dates \
         of lines not released yet are the schedule's.</p>",
        p.months
    );
    if t.versions.is_empty() {
        out.push_str("<p>No release lines yet.</p>\n</section>\n");
        return out;
    }
    let bars: Vec<Bar> = t.versions.iter().map(bar).collect();
    let _ = writeln!(
        out,
        "<div class=\"chart\">\n{}</div>",
        gantt::svg(&bars, t.date)
    );
    let rows: Vec<Vec<String>> = t
        .versions
        .iter()
        .map(|e| {
            vec![
                escape(&e.version.to_string()).into_owned(),
                if e.lts { "LTS".into() } else { String::new() },
                e.branch_date.map_or("-".into(), |d| d.to_string()),
                e.release_date.to_string(),
                e.end_of_life.to_string(),
                gantt::state_name(e.state).to_string(),
            ]
        })
        .collect();
    out.push_str(&table(
        "timetable",
        &[
            "Version",
            "LTS",
            "Branch date",
            "Release date",
            "End of life",
            "State",
        ],
        &rows,
    ));
    out.push_str("</section>\n");
    out
}

/// What the schedule says is due on the day, and what comes next.
fn due(s: &Status) -> String {
    let mut out = open("due");
    let d = &s.due;
    out.push_str("<ul>\n");
    if d.due.is_empty() {
        let _ = writeln!(out, "<li>Nothing is due on {}.</li>", d.date);
    }
    for a in &d.due {
        let _ = writeln!(
            out,
            "<li><span class=\"warn\">{} is due</span> on {}: {}</li>",
            escape(&a.action.to_string()),
            d.date,
            escape(&a.reason)
        );
    }
    if let Some(n) = &d.next {
        let _ = writeln!(
            out,
            "<li>Next: <strong>{}</strong> on {} ({}).</li>",
            escape(&n.action.to_string()),
            n.date,
            escape(&n.reason)
        );
    }
    out.push_str("</ul>\n</section>\n");
    out
}

/// Each patch set not tagged yet: its members, and those it waits for.
fn patch_sets(sets: &[WaitingSet]) -> String {
    let mut out = open("patch-sets");
    if sets.is_empty() {
        out.push_str("<p>No patch set waits: every one is tagged.</p>\n");
    }
    for set in sets {
        let tags: Vec<&str> = set.members.iter().map(|m| m.tag.as_str()).collect();
        let waits: Vec<String> = set
            .members
            .iter()
            .filter(|m| !matches!(m.state, MemberState::Tagged | MemberState::Merged))
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
            .map(|m| {
                vec![
                    escape(&m.tag).into_owned(),
                    escape(&m.state.to_string()).into_owned(),
                ]
            })
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
    let count = |want: &dyn Fn(&CrateState) -> bool| crates.iter().filter(|c| want(c)).count();
    let found = count(&|c| c.in_index == Ok(true));
    let missing = count(&|c| c.in_index == Ok(false));
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

fn pulls_table(forge: &str, site: Option<&str>, pulls: &[OpenPullRequest]) -> String {
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

/// Advisories against the supported releases: `None` until they are
/// checked (the advisory check fills this in).
pub fn advisories(list: Option<&[Advisory]>) -> String {
    let mut out = open("advisories");
    match list {
        None => out.push_str(
            "<p class=\"unknown\">Advisories are not checked yet: this section lists those \
             affecting a supported release once they are.</p>\n",
        ),
        Some([]) => out.push_str("<p class=\"ok\">No advisory affects a supported release.</p>\n"),
        Some(list) => {
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|a| {
                    vec![
                        escape(&a.id).into_owned(),
                        format!("<code>{}</code>", escape(&a.package)),
                        escape(&a.title).into_owned(),
                        escape(&a.affects.join(", ")).into_owned(),
                    ]
                })
                .collect();
            out.push_str(&table(
                "advisories",
                &["Advisory", "Crate", "Title", "Affects"],
                &rows,
            ));
        }
    }
    out.push_str("</section>\n");
    out
}
