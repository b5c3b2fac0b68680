//! The tracking issue of a release: its title, its body from a template
//! (the checklist of the release's steps, with the schedule's dates), and
//! the edits the train's commands make to it. The train's own lines carry a
//! stable marker (`<!-- cargo-train:KEY -->`); an edit only ticks such a
//! line or adds one, so whatever a human wrote or changed stays as it is.

use std::collections::BTreeMap;

/// The default template: `{…}` placeholders, one line per step with its
/// marker. Each key the train knows is one of [`keys`].
pub const DEFAULT_TEMPLATE: &str = "\
Tracking issue for {project} {version}, kept up to date by `cargo train`: it ticks each step as \
it is done. Edit freely; the train only ticks its own items and adds lines below them.

- Cut: {cut_date}
- Release: {release_date}

## Checklist

- [ ] Cut `{branch}` from `{main}` ({cut_date}) <!-- cargo-train:cut -->
- [ ] Release candidates <!-- cargo-train:candidates -->
- [ ] Fuzzing period, until {release_date} <!-- cargo-train:fuzzing -->
- [ ] Release pull request merged ({release_date}) <!-- cargo-train:release-pr -->
- [ ] Tag `{tag}` <!-- cargo-train:tag -->
- [ ] Crates published <!-- cargo-train:publish -->
- [ ] Forge release <!-- cargo-train:forge-release -->
- [ ] Announcement <!-- cargo-train:announcement -->
";

/// The keys of the template's items that the train ticks.
pub mod keys {
    pub const CUT: &str = "cut";
    pub const CANDIDATES: &str = "candidates";
    pub const FUZZING: &str = "fuzzing";
    pub const RELEASE_PR: &str = "release-pr";
    pub const TAG: &str = "tag";
    pub const PUBLISH: &str = "publish";
    pub const FORGE_RELEASE: &str = "forge-release";
}

/// The hidden marker that names the issue of `version` in its body.
pub fn issue_marker(version: &str) -> String {
    format!("<!-- cargo-train: release {version} -->")
}

/// The marker of the train's item `key`, as it ends the item's line.
pub fn item_marker(key: &str) -> String {
    format!("<!-- cargo-train:{key} -->")
}

/// `template` with each `{name}` of `vars` replaced; other braces stay.
pub fn fill(template: &str, vars: &BTreeMap<&str, String>) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// A new issue's body: the hidden marker, then the filled template.
pub fn new_body(version: &str, template: &str, vars: &BTreeMap<&str, String>) -> String {
    let body = fill(template, vars);
    format!("{}\n{}\n", issue_marker(version), body.trim_end())
}

/// Whether `body` is the issue of `version` (its hidden marker is in it).
pub fn is_issue_of(body: &str, version: &str) -> bool {
    body.contains(&issue_marker(version))
}

/// One edit of the train's to an issue's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Ticks the item `key` (a line the human removed stays removed).
    Tick(String),
    /// Adds the line `text` (its marker `key` appended) below the item
    /// `under` and the lines already below it, or at the end of the
    /// checklist when that item is gone; a line of `key` already there is
    /// left as it is, but ticked when `done`.
    Add {
        key: String,
        under: String,
        text: String,
        done: bool,
    },
}

impl Edit {
    pub fn tick(key: &str) -> Edit {
        Edit::Tick(key.to_string())
    }

    /// What the edit does, for a dry run.
    pub fn describe(&self) -> String {
        match self {
            Edit::Tick(k) => format!("tick `{k}`"),
            Edit::Add {
                key, text, done, ..
            } => format!(
                "add `{key}` ({}{})",
                text.trim_start_matches("- ").trim(),
                if *done { ", ticked" } else { "" }
            ),
        }
    }
}

/// The line of `body` that ends with `key`'s marker.
fn find(lines: &[String], key: &str) -> Option<usize> {
    let m = item_marker(key);
    lines.iter().position(|l| l.trim_end().ends_with(&m))
}

/// A checklist line ticked: its first `[ ]` becomes `[x]`.
fn ticked(line: &str) -> String {
    line.replacen("[ ]", "[x]", 1)
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// `body` with `edits` made. Lines end as they did (`\r\n` stays).
pub fn edit(body: &str, edits: &[Edit]) -> String {
    let crlf = body.contains("\r\n");
    let mut lines: Vec<String> = body.lines().map(str::to_string).collect();
    for e in edits {
        match e {
            Edit::Tick(key) => {
                if let Some(i) = find(&lines, key) {
                    lines[i] = ticked(&lines[i]);
                }
            }
            Edit::Add {
                key,
                under,
                text,
                done,
            } => {
                if let Some(i) = find(&lines, key) {
                    if *done {
                        lines[i] = ticked(&lines[i]);
                    }
                    continue;
                }
                let box_ = if *done { "[x]" } else { "[ ]" };
                let line = format!("{text} {}", item_marker(key)).replacen("[?]", box_, 1);
                let at = match find(&lines, under) {
                    Some(p) => {
                        let depth = indent_of(&lines[p]);
                        let mut end = p + 1;
                        while end < lines.len()
                            && !lines[end].trim().is_empty()
                            && indent_of(&lines[end]) > depth
                        {
                            end += 1;
                        }
                        let pad = " ".repeat(depth + 2);
                        lines.insert(end, format!("{pad}{line}"));
                        continue;
                    }
                    None => last_item(&lines).map_or(lines.len(), |l| l + 1),
                };
                lines.insert(at, line);
            }
        }
    }
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut out = lines.join(nl);
    if body.ends_with('\n') {
        out.push_str(nl);
    }
    out
}

/// The last line that is one of the train's items.
fn last_item(lines: &[String]) -> Option<usize> {
    lines.iter().rposition(|l| l.contains("<!-- cargo-train:"))
}

/// Whether the item `key` is in `body` and ticked.
pub fn is_ticked(body: &str, key: &str) -> bool {
    let lines: Vec<String> = body.lines().map(str::to_string).collect();
    find(&lines, key).is_some_and(|i| lines[i].contains("[x]") || lines[i].contains("[X]"))
}

/// Whether the item `key` is in `body`.
pub fn has(body: &str, key: &str) -> bool {
    let lines: Vec<String> = body.lines().map(str::to_string).collect();
    find(&lines, key).is_some()
}

/// Whether the release is done for the issue: its forge release is made
/// (the last step the workflows run, after publishing). An issue whose
/// human removed that item is never closed by the train.
pub fn is_complete(body: &str) -> bool {
    is_ticked(body, keys::FORGE_RELEASE)
}

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 7] = [
    "{version}",
    "{project}",
    "{branch}",
    "{main}",
    "{tag}",
    "{cut_date}",
    "{release_date}",
];

/// An issue title with `{version}` filled.
pub fn title(form: &str, version: &str) -> String {
    form.replace("{version}", version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<&'static str, String> {
        [
            ("version", "49.0.0"),
            ("project", "Wasmtime"),
            ("branch", "release-49.0.0"),
            ("main", "main"),
            ("tag", "v49.0.0"),
            ("cut_date", "2026-01-05"),
            ("release_date", "2026-01-20"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect()
    }

    #[test]
    fn a_new_body_has_the_marker_the_checklist_and_the_dates() {
        let b = new_body("49.0.0", DEFAULT_TEMPLATE, &vars());
        assert!(b.starts_with("<!-- cargo-train: release 49.0.0 -->\n"));
        assert!(is_issue_of(&b, "49.0.0"));
        assert!(!is_issue_of(&b, "49.0.1"));
        assert!(b.contains(
            "- [ ] Cut `release-49.0.0` from `main` (2026-01-05) <!-- cargo-train:cut -->"
        ));
        assert!(b.contains("until 2026-01-20"));
        assert!(!b.contains('{'), "{b}");
        for k in ["cut", "candidates", "tag", "publish", "forge-release"] {
            assert!(has(&b, k) && !is_ticked(&b, k), "{k}");
        }
    }

    #[test]
    fn edits_tick_and_add_only_the_trains_lines_and_are_idempotent() {
        let b = new_body("49.0.0", DEFAULT_TEMPLATE, &vars());
        // A human's edits: a note, an item of their own, a reworded item.
        let human = b
            .replace("- [ ] Tag", "- [ ] Tag it, carefully:")
            .replace("## Checklist\n", "## Checklist\n\nOwner: @alex\n")
            + "- [ ] Tell the docs team\n";
        let edits = [
            Edit::tick(keys::CUT),
            Edit::Add {
                key: "rc 49.0.0-rc.1".into(),
                under: keys::CANDIDATES.into(),
                text: "- [?] `49.0.0-rc.1`: #2".into(),
                done: false,
            },
            Edit::Add {
                key: "rc 49.0.0-rc.2".into(),
                under: keys::CANDIDATES.into(),
                text: "- [?] `49.0.0-rc.2`: #3".into(),
                done: false,
            },
            Edit::tick(keys::TAG),
        ];
        let once = edit(&human, &edits);
        assert_eq!(edit(&once, &edits), once, "a second run changed it");
        assert!(once.contains("Owner: @alex\n"));
        assert!(once.contains("- [ ] Tell the docs team\n"));
        assert!(once.contains("- [x] Tag it, carefully:"));
        assert!(once.contains(
            "- [ ] Release candidates <!-- cargo-train:candidates -->\n  \
             - [ ] `49.0.0-rc.1`: #2 <!-- cargo-train:rc 49.0.0-rc.1 -->\n  \
             - [ ] `49.0.0-rc.2`: #3 <!-- cargo-train:rc 49.0.0-rc.2 -->\n- [ ] Fuzzing"
        ));
        // A later tick of an added line.
        let tagged = edit(
            &once,
            &[Edit::Add {
                key: "rc 49.0.0-rc.1".into(),
                under: keys::CANDIDATES.into(),
                text: "- [?] `49.0.0-rc.1`".into(),
                done: true,
            }],
        );
        assert!(tagged.contains("- [x] `49.0.0-rc.1`: #2 <!-- cargo-train:rc 49.0.0-rc.1 -->"));
        assert!(!is_complete(&tagged));
        assert!(is_complete(&edit(
            &tagged,
            &[Edit::tick(keys::FORGE_RELEASE)]
        )));
    }

    #[test]
    fn a_removed_item_stays_removed_and_lines_go_to_the_checklist_end() {
        let b = "<!-- cargo-train: release 1.0.0 -->\n- [ ] Mine\n- [ ] Tag <!-- cargo-train:tag -->\n\nNotes.\n";
        let out = edit(
            b,
            &[
                Edit::tick(keys::CUT),
                Edit::Add {
                    key: "rc 1.0.0-rc.1".into(),
                    under: keys::CANDIDATES.into(),
                    text: "- [?] `1.0.0-rc.1`".into(),
                    done: true,
                },
            ],
        );
        assert_eq!(
            out,
            "<!-- cargo-train: release 1.0.0 -->\n- [ ] Mine\n- [ ] Tag <!-- cargo-train:tag -->\n\
             - [x] `1.0.0-rc.1` <!-- cargo-train:rc 1.0.0-rc.1 -->\n\nNotes.\n"
        );
        // Line endings as GitHub's editor leaves them.
        let crlf = b.replace('\n', "\r\n");
        assert_eq!(
            edit(&crlf, &[Edit::tick(keys::TAG)]),
            crlf.replace("- [ ] Tag", "- [x] Tag")
        );
    }
}
