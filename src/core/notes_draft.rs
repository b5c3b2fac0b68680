//! Release notes drafted from history: the commits of a release (and the
//! pull requests that merged them, when the forge says) as entries under
//! the headings of the notes template, and those entries merged into a
//! section someone may already have edited by hand.
//!
//! Two forms receive them: a RELEASES.md section (`## VERSION` up to its
//! line of dashes) and a crate's CHANGELOG.md in keep-a-changelog form
//! (`## [Unreleased]` up to the next `## `). A merge only ever adds lines:
//! an entry whose pull request number, commit id or text is in the section
//! already is left out, so hand edits stay and a re-run adds nothing.

use crate::core::conventional;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The heading of anything that names no other.
pub const OTHER: &str = "Changed";

/// Types left out unless configured otherwise: they change nothing a user
/// of the release sees.
pub const SKIP_TYPES: [&str; 6] = ["docs", "chore", "ci", "test", "style", "build"];

/// Keep-a-changelog's order, for headings the template does not name.
const USUAL_ORDER: [&str; 6] = [
    "Added",
    "Changed",
    "Deprecated",
    "Removed",
    "Fixed",
    "Security",
];

/// A commit of the release's range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub id: String,
    pub parents: Vec<String>,
    pub subject: String,
    pub body: String,
    pub author: String,
}

/// A merged pull request, as the forge lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pull {
    pub number: u64,
    pub title: String,
    /// The author's login.
    pub author: String,
    pub labels: Vec<String>,
    /// The commit its merge made on the base branch.
    pub merge_commit: String,
}

/// Which heading each change goes under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Conventional type → heading (`feat` → `Added`).
    pub types: BTreeMap<String, String>,
    /// Pull request label → heading; wins over the title's type.
    pub labels: BTreeMap<String, String>,
    pub skip_types: Vec<String>,
    /// The heading of breaking changes.
    pub breaking: String,
    /// For links to pull requests and commits.
    pub repository: Option<String>,
}

impl Rules {
    /// The defaults, with `types` over them (a configured type replaces
    /// the default one, the others stay).
    pub fn new(
        types: &BTreeMap<String, String>,
        labels: &BTreeMap<String, String>,
        skip_types: Option<&[String]>,
        breaking: &str,
    ) -> Rules {
        let mut all: BTreeMap<String, String> =
            [("feat", "Added"), ("fix", "Fixed"), ("perf", "Fixed")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        all.extend(types.iter().map(|(k, v)| (k.clone(), v.clone())));
        Rules {
            types: all,
            labels: labels.clone(),
            skip_types: skip_types.map_or_else(
                || SKIP_TYPES.iter().map(|s| s.to_string()).collect(),
                <[String]>::to_vec,
            ),
            breaking: breaking.to_string(),
            repository: None,
        }
    }

    pub fn with_repository(mut self, repository: Option<String>) -> Rules {
        self.repository = repository.map(|r| r.trim_end_matches('/').to_string());
        self
    }
}

impl Default for Rules {
    fn default() -> Self {
        Rules::new(&BTreeMap::new(), &BTreeMap::new(), None, OTHER)
    }
}

/// One line of the draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub heading: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull: Option<u64>,
    /// The commit's short id (a pull request's: its merge commit's).
    pub commit: String,
    /// The text without its id: what a backport's entry or a hand-written
    /// one would say of the same change.
    #[serde(skip)]
    pub summary: String,
}

/// The entries of a release, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub entries: Vec<Entry>,
}

/// The length of the ids entries show: enough to find the commit, short
/// enough to read.
const SHORT: usize = 7;

fn short(id: &str) -> &str {
    &id[..id.len().min(SHORT)]
}

/// One line whatever it came from: a title's newlines would otherwise
/// write headings of their own.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_control())
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The commits a merge commit brought in: those its other parents reach
/// within the list and its first parent does not.
fn merged_by(merge: &Commit, by_id: &HashMap<&str, &Commit>) -> HashSet<String> {
    let reach = |from: &[String]| {
        let mut seen = HashSet::new();
        let mut todo: Vec<&str> = from.iter().map(String::as_str).collect();
        while let Some(id) = todo.pop() {
            if let Some(c) = by_id.get(id)
                && seen.insert(id.to_string())
            {
                todo.extend(c.parents.iter().map(String::as_str));
            }
        }
        seen
    };
    let Some((first, others)) = merge.parents.split_first() else {
        return HashSet::new();
    };
    let main = reach(std::slice::from_ref(first));
    reach(others).difference(&main).cloned().collect()
}

/// What a conventional message says for the notes: its heading and its
/// text, or `None` when its type is skipped.
fn conventional_entry(c: &conventional::Commit, rules: &Rules) -> Option<(String, String)> {
    let text = match &c.scope {
        Some(s) => format!("**{s}:** {}", c.description),
        None => c.description.clone(),
    };
    if c.breaking {
        return Some((rules.breaking.clone(), format!("**Breaking:** {text}")));
    }
    if rules.skip_types.contains(&c.kind) {
        return None;
    }
    let heading = rules.types.get(&c.kind).map_or(OTHER, String::as_str);
    Some((heading.to_string(), text))
}

/// The draft of `commits` (oldest first) and the pull requests that merged
/// some of them: a pull request stands for the commits it merged.
pub fn draft(commits: &[Commit], pulls: &[Pull], rules: &Rules) -> Draft {
    let by_id: HashMap<&str, &Commit> = commits.iter().map(|c| (c.id.as_str(), c)).collect();
    let pull_of: HashMap<&str, &Pull> = pulls
        .iter()
        .filter(|p| by_id.contains_key(p.merge_commit.as_str()))
        .map(|p| (p.merge_commit.as_str(), p))
        .collect();
    let covered: HashSet<String> = pull_of
        .keys()
        .flat_map(|id| merged_by(by_id[id], &by_id))
        .collect();
    let mut entries = Vec::new();
    for c in commits {
        if let Some(p) = pull_of.get(c.id.as_str()) {
            entries.extend(pull_entry(p, rules));
        } else if covered.contains(&c.id) || c.parents.len() > 1 {
            // A merge without a listed pull request: what it merged is
            // listed commit by commit.
            continue;
        } else {
            entries.extend(commit_entry(c, rules));
        }
    }
    Draft { entries }
}

fn commit_entry(c: &Commit, rules: &Rules) -> Option<Entry> {
    let message = format!("{}\n\n{}", c.subject, c.body);
    let (heading, text) = match conventional::parse(&message) {
        Some(cc) => conventional_entry(&cc, rules)?,
        None => (OTHER.to_string(), c.subject.clone()),
    };
    let id = match &rules.repository {
        Some(r) => format!("[{}]({r}/commit/{})", short(&c.id), c.id),
        None => short(&c.id).to_string(),
    };
    Some(Entry {
        heading,
        text: one_line(&format!("{text} ({id})")),
        pull: None,
        commit: short(&c.id).to_string(),
        summary: one_line(&text),
    })
}

fn pull_entry(p: &Pull, rules: &Rules) -> Option<Entry> {
    let by_label = p.labels.iter().find_map(|l| rules.labels.get(l));
    let (heading, text) = match (by_label, conventional::parse(&p.title)) {
        (Some(h), Some(cc)) => {
            let text = conventional_entry(&cc, rules).map_or(cc.description.clone(), |(_, t)| t);
            (h.clone(), text)
        }
        (Some(h), None) => (h.clone(), p.title.clone()),
        (None, Some(cc)) => conventional_entry(&cc, rules)?,
        (None, None) => (OTHER.to_string(), p.title.clone()),
    };
    let number = match &rules.repository {
        Some(r) => format!("[#{n}]({r}/pull/{n})", n = p.number),
        None => format!("#{}", p.number),
    };
    let by = if p.author.is_empty() {
        String::new()
    } else {
        format!(", @{}", p.author)
    };
    Some(Entry {
        heading,
        text: one_line(&format!("{text} ({number}{by})")),
        pull: Some(p.number),
        commit: short(&p.merge_commit).to_string(),
        summary: one_line(&text),
    })
}

/// The `### ` headings of a template, in its order.
pub fn template_headings(template: &str) -> Vec<String> {
    template
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .map(|h| h.trim().to_string())
        .collect()
}

/// Where `heading` goes among others: the template's order, then
/// keep-a-changelog's, then any other after them.
fn rank(heading: &str, order: &[String]) -> usize {
    order
        .iter()
        .position(|h| h == heading)
        .or_else(|| {
            USUAL_ORDER
                .iter()
                .position(|h| *h == heading)
                .map(|i| order.len() + i)
        })
        .unwrap_or(order.len() + USUAL_ORDER.len())
}

impl Draft {
    /// The headings with entries, in `order` (see [`rank`]).
    pub fn headings(&self, order: &[String]) -> Vec<String> {
        let mut hs: Vec<String> = Vec::new();
        for e in &self.entries {
            if !hs.contains(&e.heading) {
                hs.push(e.heading.clone());
            }
        }
        // Stable: headings outside every order keep their first use's.
        hs.sort_by_key(|h| rank(h, order));
        hs
    }

    /// The draft as Markdown: each heading, then its entries.
    pub fn render(&self, order: &[String], bullet: &str) -> String {
        let mut out = String::new();
        for h in self.headings(order) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("### {h}\n\n"));
            for e in self.entries.iter().filter(|e| e.heading == h) {
                out.push_str(&format!("{bullet} {}\n", e.text));
            }
        }
        out
    }
}

/// A summary this long is taken to name its change wherever it appears;
/// a shorter one ("refactor") could be part of any entry.
const DISTINCT: usize = 16;

/// Whether `part` lists `entry` already: its pull request's number, its
/// commit's id, or its text (a cherry-pick has another id, but the entry
/// its backport wrote says what its subject says).
fn listed(part: &str, entry: &Entry) -> bool {
    let number = entry.pull.is_some_and(|n| {
        let needle = format!("#{n}");
        part.match_indices(&needle)
            .any(|(at, _)| !part[at + needle.len()..].starts_with(|c: char| c.is_ascii_digit()))
    });
    let summary = entry.summary.chars().count() >= DISTINCT && part.contains(&entry.summary);
    number || summary || part.contains(&entry.commit) || part.contains(&entry.text)
}

/// `part` (the body of one section) with the entries of `draft` it does
/// not list yet, each at the end of its heading's list; a heading it lacks
/// is added where `order` puts it. Returns the new text and the entries
/// added.
pub fn merge_part(
    part: &str,
    draft: &Draft,
    order: &[String],
    bullet: &str,
) -> (String, Vec<Entry>) {
    let new: Vec<Entry> = draft
        .entries
        .iter()
        .filter(|e| !listed(part, e))
        .cloned()
        .collect();
    let fresh = Draft {
        entries: new.clone(),
    };
    let mut lines: Vec<String> = part.split_inclusive('\n').map(str::to_string).collect();
    if lines.last().is_some_and(|l| !l.ends_with('\n')) {
        lines.last_mut().unwrap().push('\n');
    }
    let blank = |l: &String| l.trim().is_empty();
    for h in fresh.headings(order) {
        let items: Vec<String> = fresh
            .entries
            .iter()
            .filter(|e| e.heading == h)
            .map(|e| format!("{bullet} {}\n", e.text))
            .collect();
        let title = format!("### {h}");
        match lines.iter().position(|l| l.trim_end() == title) {
            Some(at) => {
                let end = (at + 1..lines.len())
                    .find(|&i| lines[i].starts_with('#'))
                    .unwrap_or(lines.len());
                let last = (at..end).rev().find(|&i| !blank(&lines[i])).unwrap_or(at);
                let mut block = items;
                if last == at {
                    block.insert(0, "\n".into());
                }
                if last + 1 < lines.len() && !blank(&lines[last + 1]) {
                    block.push("\n".into());
                }
                lines.splice(last + 1..last + 1, block);
            }
            None => {
                let later = lines.iter().position(|l| {
                    l.strip_prefix("### ")
                        .is_some_and(|o| rank(o.trim(), order) > rank(&h, order))
                });
                let mut block = vec![format!("{title}\n"), "\n".into()];
                block.extend(items);
                match later {
                    Some(at) => {
                        block.push("\n".into());
                        lines.splice(at..at, block);
                    }
                    None => {
                        // After the last text, or after the blank lines of
                        // a part that has none.
                        let last = (0..lines.len()).rev().find(|&i| !blank(&lines[i]));
                        let at = last.map_or(lines.len(), |i| i + 1);
                        if last.is_some() {
                            block.insert(0, "\n".into());
                        }
                        if at == lines.len() {
                            block.push("\n".into());
                        }
                        lines.splice(at..at, block);
                    }
                }
            }
        }
    }
    (lines.concat(), new)
}

/// A section that was not found, by its heading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("it has no section `{0}`")]
pub struct NoSection(pub String);

/// Splices a new body into `text` at `range`.
fn splice(text: &str, (start, end): (usize, usize), body: &str) -> String {
    format!("{}{body}{}", &text[..start], &text[end..])
}

/// The body of RELEASES.md's section `version`: after its `## ` line, up
/// to the line of dashes (or the next section, or the end).
fn releases_body(text: &str, version: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim_end();
        match start {
            None if t.strip_prefix("## ").map(str::trim) == Some(version) => {
                start = Some(at + line.len());
            }
            Some(s) if t.starts_with("## ") || (t.len() >= 11 && t.bytes().all(|b| b == b'-')) => {
                return Some((s, at));
            }
            _ => {}
        }
        at += line.len();
    }
    start.map(|s| (s, text.len()))
}

/// RELEASES.md with the draft merged into the section of `version`.
pub fn merge_releases(
    text: &str,
    version: &str,
    draft: &Draft,
    order: &[String],
) -> Result<(String, Vec<Entry>), NoSection> {
    let range = releases_body(text, version).ok_or_else(|| NoSection(format!("## {version}")))?;
    let (body, added) = merge_part(&text[range.0..range.1], draft, order, "*");
    Ok((splice(text, range, &body), added))
}

/// The heading of what is not released yet, in keep-a-changelog form.
pub const UNRELEASED: &str = "## [Unreleased]";

fn is_unreleased(line: &str) -> bool {
    line.trim_end().eq_ignore_ascii_case(UNRELEASED)
}

/// A CHANGELOG.md with an `## [Unreleased]` section: the one it has, else
/// one above its first release (below the file's intro), else at its end;
/// an empty file becomes a changelog with only that section.
pub fn with_unreleased(text: &str) -> String {
    if text.lines().any(is_unreleased) {
        return text.to_string();
    }
    if text.trim().is_empty() {
        return format!("# Changelog\n\n{UNRELEASED}\n");
    }
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("## ") {
            return format!("{}{UNRELEASED}\n\n{}", &text[..at], &text[at..]);
        }
        at += line.len();
    }
    let sep = if text.ends_with("\n\n") {
        ""
    } else if text.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    format!("{text}{sep}{UNRELEASED}\n")
}

fn unreleased_body(text: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        match start {
            None if is_unreleased(line) => start = Some(at + line.len()),
            Some(s) if line.starts_with("## ") => return Some((s, at)),
            _ => {}
        }
        at += line.len();
    }
    start.map(|s| (s, text.len()))
}

/// A crate's CHANGELOG.md with the draft merged into `## [Unreleased]`
/// (made when missing).
pub fn merge_changelog(text: &str, draft: &Draft, order: &[String]) -> (String, Vec<Entry>) {
    let original = text;
    let text = with_unreleased(text);
    let range = unreleased_body(&text).expect("with_unreleased made the section");
    let mut body = text[range.0..range.1].to_string();
    // A blank line between the heading and the first list.
    if !body.starts_with('\n') {
        body.insert(0, '\n');
    }
    let (mut body, added) = merge_part(&body, draft, order, "-");
    if added.is_empty() {
        // Nothing new: not even the section is made.
        return (original.to_string(), added);
    }
    if range.1 == text.len() {
        body.truncate(body.trim_end().len() + 1);
    }
    (splice(&text, range, &body), added)
}

/// Release day for a changelog: `## [Unreleased]` becomes
/// `## [VERSION] - DATE`; `None` when it has no such section.
pub fn release_changelog(text: &str, version: &str, date: &str) -> Option<String> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if is_unreleased(line) {
            let end = at + line.trim_end_matches(['\n', '\r']).len();
            return Some(format!(
                "{}## [{version}] - {date}{}",
                &text[..at],
                &text[end..]
            ));
        }
        at += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(id: &str, parents: &[&str], message: &str) -> Commit {
        let (subject, body) = message.split_once("\n\n").unwrap_or((message, ""));
        Commit {
            id: format!("{id:0<40}"),
            parents: parents.iter().map(|p| format!("{p:0<40}")).collect(),
            subject: subject.into(),
            body: body.into(),
            author: "A U Thor".into(),
        }
    }

    fn history() -> Vec<Commit> {
        vec![
            commit("a1", &[], "feat(parser): read tabs"),
            commit("b2", &["a1"], "fix: no panic on empty input"),
            commit("c3", &["b2"], "docs: wording"),
            commit("d4", &["c3"], "Tidy the error messages"),
            commit("e5", &["d4"], "refactor!: `open` takes a path"),
            commit(
                "f6",
                &["e5"],
                "perf: cache the index\n\nBREAKING CHANGE: needs 1.80",
            ),
            commit("aa", &["f6"], "chore: bump deps"),
        ]
    }

    fn order() -> Vec<String> {
        template_headings("## VERSION\n\n### Added\n\n### Changed\n\n---\n")
    }

    #[test]
    fn commits_go_under_their_type_s_heading_and_some_types_are_skipped() {
        let d = draft(&history(), &[], &Rules::default());
        let got: Vec<(&str, &str)> = d
            .entries
            .iter()
            .map(|e| (e.heading.as_str(), e.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Added", "**parser:** read tabs (a100000)"),
                ("Fixed", "no panic on empty input (b200000)"),
                ("Changed", "Tidy the error messages (d400000)"),
                ("Changed", "**Breaking:** `open` takes a path (e500000)"),
                ("Changed", "**Breaking:** cache the index (f600000)"),
            ]
        );
        assert_eq!(
            d.render(&order(), "*"),
            "### Added\n\n* **parser:** read tabs (a100000)\n\n### Changed\n\n\
             * Tidy the error messages (d400000)\n* **Breaking:** `open` takes a path (e500000)\n\
             * **Breaking:** cache the index (f600000)\n\n### Fixed\n\n* no panic on empty input (b200000)\n"
        );
    }

    #[test]
    fn configured_types_labels_and_skips_apply() {
        let types = BTreeMap::from([("docs".to_string(), "Documentation".to_string())]);
        let labels = BTreeMap::from([("security".to_string(), "Security".to_string())]);
        let skip = vec!["chore".to_string()];
        let rules = Rules::new(&types, &labels, Some(&skip), "Breaking")
            .with_repository(Some("https://h/o/r/".into()));
        let d = draft(&history(), &[], &rules);
        let hs = d.headings(&order());
        assert_eq!(
            hs,
            ["Added", "Changed", "Fixed", "Documentation", "Breaking"]
        );
        assert!(d.entries[2].text.ends_with(
            "([c300000](https://h/o/r/commit/c300000000000000000000000000000000000000))"
        ));
        let pulls = [Pull {
            number: 12,
            title: "fix: escape names".into(),
            author: "octo".into(),
            labels: vec!["x".into(), "security".into()],
            merge_commit: history()[1].id.clone(),
        }];
        let d = draft(&history(), &pulls, &rules);
        assert_eq!(d.entries[1].heading, "Security");
        assert_eq!(
            d.entries[1].text,
            "escape names ([#12](https://h/o/r/pull/12), @octo)"
        );
    }

    #[test]
    fn a_pull_request_stands_for_the_commits_it_merged() {
        // a1, the merge ee of b1 - b2 (#7), 55 squashed (#8), then 77 merged
        // as 99 without a pull request.
        let commits = vec![
            commit("a1", &[], "fix: one"),
            commit("b1", &["a1"], "wip"),
            commit("b2", &["b1"], "feat: two"),
            commit("ee", &["a1", "b2"], "Merge pull request #7 from o/two"),
            commit("55", &["ee"], "Add three (#8)"),
            commit("77", &["55"], "plain"),
            commit("99", &["55", "77"], "Merge branch 'x'"),
        ];
        let pull = |number, title: &str, merge: &str| Pull {
            number,
            title: title.into(),
            author: "dev".into(),
            labels: vec![],
            merge_commit: format!("{merge:0<40}"),
        };
        let pulls = [
            pull(7, "feat: two", "ee"),
            pull(8, "Add three", "55"),
            // Merged elsewhere: not in the range, not listed.
            pull(9, "feat: elsewhere", "123"),
        ];
        let d = draft(&commits, &pulls, &Rules::default());
        let texts: Vec<&str> = d.entries.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "one (a100000)",
                "two (#7, @dev)",
                "Add three (#8, @dev)",
                "plain (7700000)"
            ]
        );
        // Types a pull request's title skips, it skips too.
        let d = draft(
            &commits,
            &[pull(8, "chore: three", "55")],
            &Rules::default(),
        );
        assert!(!d.entries.iter().any(|e| e.text.contains("three")));
    }

    #[test]
    fn titles_are_one_line() {
        let d = draft(
            &[commit("a1", &[], "x")],
            &[Pull {
                number: 1,
                title: "Title\n\n## 9.9.9\nInjected".into(),
                author: String::new(),
                labels: vec![],
                merge_commit: format!("{:0<40}", "a1"),
            }],
            &Rules::default(),
        );
        assert_eq!(d.entries[0].text, "Title ## 9.9.9 Injected (#1)");
    }

    const NOTES: &str = "## 2.0.0\n\nUnreleased.\n\n### Added\n\n* Hand-written: tabs are read. (a100000)\n\n### Changed\n\n--------------------------------------------------------------------------------\n\n## 1.0.0\n\n### Added\n\n* Tidy the error messages (d400000)\n";

    #[test]
    fn merging_keeps_hand_edits_and_adds_nothing_twice() {
        let d = draft(&history(), &[], &Rules::default());
        let (out, added) = merge_releases(NOTES, "2.0.0", &d, &order()).unwrap();
        assert_eq!(added.len(), 4, "{added:?}");
        assert_eq!(
            out,
            "## 2.0.0\n\nUnreleased.\n\n### Added\n\n* Hand-written: tabs are read. (a100000)\n\n\
             ### Changed\n\n* Tidy the error messages (d400000)\n* **Breaking:** `open` takes a path (e500000)\n\
             * **Breaking:** cache the index (f600000)\n\n### Fixed\n\n* no panic on empty input (b200000)\n\n\
             --------------------------------------------------------------------------------\n\n\
             ## 1.0.0\n\n### Added\n\n* Tidy the error messages (d400000)\n"
        );
        let (again, none) = merge_releases(&out, "2.0.0", &d, &order()).unwrap();
        assert_eq!((again.as_str(), none.len()), (out.as_str(), 0));
        // An entry edited by hand keeps its commit id: it stays as edited.
        let edited = out.replace("no panic on empty input", "No panic on empty input.");
        let (kept, none) = merge_releases(&edited, "2.0.0", &d, &order()).unwrap();
        assert_eq!((kept, none.len()), (edited, 0));
        assert_eq!(
            merge_releases(NOTES, "3.0.0", &d, &order()),
            Err(NoSection("## 3.0.0".into()))
        );
    }

    #[test]
    fn a_missing_heading_goes_where_the_template_puts_it() {
        let d = draft(&history()[..2], &[], &Rules::default());
        let part = "\nUnreleased.\n\n### Fixed\n\n* old (1234567)\n";
        let (out, _) = merge_part(part, &d, &order(), "*");
        assert_eq!(
            out,
            "\nUnreleased.\n\n### Added\n\n* **parser:** read tabs (a100000)\n\n### Fixed\n\n\
             * old (1234567)\n* no panic on empty input (b200000)\n"
        );
        let pr = Entry {
            heading: "Fixed".into(),
            text: "x (#12)".into(),
            pull: Some(12),
            commit: "fffffff".into(),
            summary: "escape the names of paths".into(),
        };
        assert!(listed("* y (#12)", &pr));
        assert!(!listed("* y (#123)", &pr));
        // A backport's entry for the same change, by another commit.
        assert!(listed("* fix: escape the names of paths (#99)", &pr));
        let short = Entry {
            summary: "refactor".into(),
            pull: None,
            ..pr
        };
        assert!(!listed("* refactor the parser (1234567)", &short));
    }

    #[test]
    fn changelogs_in_keep_a_changelog_form() {
        let d = draft(&history()[..2], &[], &Rules::default());
        let text = "# Changelog\n\nAll notable changes.\n\n## [0.1.0] - 2026-01-01\n\n### Added\n\n- First.\n";
        let (out, added) = merge_changelog(text, &d, &order());
        assert_eq!(added.len(), 2);
        assert_eq!(
            out,
            "# Changelog\n\nAll notable changes.\n\n## [Unreleased]\n\n### Added\n\n\
             - **parser:** read tabs (a100000)\n\n### Fixed\n\n- no panic on empty input (b200000)\n\n\
             ## [0.1.0] - 2026-01-01\n\n### Added\n\n- First.\n"
        );
        assert_eq!(merge_changelog(&out, &d, &order()), (out.clone(), vec![]));
        let released = release_changelog(&out, "0.2.0", "2026-02-01").unwrap();
        assert!(released.starts_with(
            "# Changelog\n\nAll notable changes.\n\n## [0.2.0] - 2026-02-01\n\n### Added\n"
        ));
        assert_eq!(release_changelog(&released, "0.3.0", "x"), None);
        // A release later: the next draft opens a fresh section on top.
        let next = draft(&[commit("c9", &[], "fix: later")], &[], &Rules::default());
        let (n, _) = merge_changelog(&released, &next, &order());
        assert!(n.starts_with("# Changelog\n\nAll notable changes.\n\n## [Unreleased]\n\n### Fixed\n\n- later (c900000)\n\n## [0.2.0]"), "{n}");
        // No file yet, or only an intro.
        assert_eq!(
            merge_changelog("", &next, &order()).0,
            "# Changelog\n\n## [Unreleased]\n\n### Fixed\n\n- later (c900000)\n"
        );
        assert_eq!(
            with_unreleased("# Changes\n"),
            "# Changes\n\n## [Unreleased]\n"
        );
    }
}
