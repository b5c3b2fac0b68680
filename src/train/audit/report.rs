//! `cargo train audit`'s report: each branch audited, with its commits that
//! are not on `main`.

use crate::output::status_line;
use jiff::civil::Date;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Audit {
    /// Where each branch's audit starts.
    pub since: Since,
    pub branches: Vec<BranchAudit>,
    /// No branch has a commit that is not on `main`.
    pub passed: bool,
    // Only the text says these.
    #[serde(skip)]
    pub date: Date,
    #[serde(skip)]
    pub main_branch: String,
    #[serde(skip)]
    pub branch_only_trailer: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Since {
    Cut,
    /// The branch's last release tag (the cut if it has none).
    LastRelease,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BranchAudit {
    pub branch: String,
    pub unmatched: Vec<Commit>,
}

/// A commit of the branch that is not on `main`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commit {
    pub id: String,
    /// `Name <email>`.
    pub author: String,
    pub subject: String,
    /// What else is wrong with it (a cherry-pick trailer naming another
    /// change).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// Where a line of the text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// The unmatched commits, a line each: for a pipe.
    Stdout,
    /// What was audited, and each failure.
    Stderr,
}

impl Audit {
    pub fn new(
        since: Since,
        branches: Vec<BranchAudit>,
        date: Date,
        main_branch: &str,
        branch_only_trailer: &str,
    ) -> Audit {
        Audit {
            since,
            passed: branches.iter().all(|b| b.unmatched.is_empty()),
            branches,
            date,
            main_branch: main_branch.to_string(),
            branch_only_trailer: branch_only_trailer.to_string(),
        }
    }

    /// The text, line by line in the order printed: on a terminal each
    /// branch's commits follow the error that introduces them.
    pub fn render(&self) -> Vec<(Stream, String)> {
        let main = &self.main_branch;
        let since = match self.since {
            Since::Cut => "the cut",
            Since::LastRelease => "the last release",
        };
        let mut lines = Vec::new();
        if self.branches.is_empty() {
            lines.push((
                Stream::Stderr,
                status_line(
                    "Audited",
                    &format!("nothing: no release branch is supported on {}", self.date),
                ),
            ));
        }
        for b in &self.branches {
            let name = &b.branch;
            let n = b.unmatched.len();
            if n == 0 {
                lines.push((
                    Stream::Stderr,
                    status_line(
                        "Audited",
                        &format!("`{name}`: every commit since {since} is on `{main}`"),
                    ),
                ));
                continue;
            }
            lines.push((
                Stream::Stderr,
                format!(
                    "error: `{name}` has {n} commit{} not on `{main}` (no cherry-pick trailer \
                     naming one of its commits, no commit there with the same patch, no `{}:` \
                     trailer):",
                    if n == 1 { "" } else { "s" },
                    self.branch_only_trailer
                ),
            ));
            for c in &b.unmatched {
                let short = crate::core::refs::short(&c.id);
                let why = c.why.as_ref().map_or(String::new(), |w| format!(" ({w})"));
                lines.push((
                    Stream::Stdout,
                    format!("{name} {short} {} {}{why}", c.author, c.subject),
                ));
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn audit(branches: Vec<BranchAudit>) -> Audit {
        Audit::new(
            Since::Cut,
            branches,
            "2026-03-26".parse().unwrap(),
            "main",
            "Branch-only",
        )
    }

    fn hotfix() -> BranchAudit {
        BranchAudit {
            branch: "release-2.0.0".into(),
            unmatched: vec![Commit {
                id: "1256bd0456c0ffee1256bd0456c0ffee1256bd04".into(),
                author: "Eve Hot <eve@example.invalid>".into(),
                subject: "Hotfix only here".into(),
                why: None,
            }],
        }
    }

    fn clean(branch: &str) -> BranchAudit {
        BranchAudit {
            branch: branch.into(),
            unmatched: Vec::new(),
        }
    }

    #[test]
    fn audit_text_on_both_streams_in_order() {
        let a = audit(vec![clean("release-3.0.0"), hotfix()]);
        assert!(!a.passed);
        assert_eq!(
            a.render(),
            [
                (
                    Stream::Stderr,
                    "     Audited `release-3.0.0`: every commit since the cut is on `main`".into()
                ),
                (
                    Stream::Stderr,
                    "error: `release-2.0.0` has 1 commit not on `main` (no cherry-pick trailer \
                     naming one of its commits, no commit there with the same patch, no \
                     `Branch-only:` trailer):"
                        .into()
                ),
                (
                    Stream::Stdout,
                    "release-2.0.0 1256bd0456 Eve Hot <eve@example.invalid> Hotfix only here"
                        .into()
                ),
            ]
        );
        let none = audit(Vec::new());
        assert!(none.passed);
        assert_eq!(
            none.render(),
            [(
                Stream::Stderr,
                "     Audited nothing: no release branch is supported on 2026-03-26".into()
            )]
        );
    }

    #[test]
    fn audit_json_is_each_branch_and_whether_all_passed() {
        let a = audit(vec![clean("release-3.0.0"), hotfix()]);
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            json!({
                "since": "cut",
                "branches": [
                    {"branch": "release-3.0.0", "unmatched": []},
                    {"branch": "release-2.0.0", "unmatched": [{
                        "id": "1256bd0456c0ffee1256bd0456c0ffee1256bd04",
                        "author": "Eve Hot <eve@example.invalid>",
                        "subject": "Hotfix only here",
                    }]},
                ],
                "passed": false,
            })
        );
        let mut ok = audit(vec![clean("release-3.0.0")]);
        ok.since = Since::LastRelease;
        assert_eq!(
            serde_json::to_value(&ok).unwrap(),
            json!({
                "since": "last-release",
                "branches": [{"branch": "release-3.0.0", "unmatched": []}],
                "passed": true,
            })
        );
    }
}
