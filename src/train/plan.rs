//! What an operation will do, as data: the commits to make (with their
//! files, hooks and messages), the one atomic push, the pull requests, and
//! bringing a local branch along. Operations compute a plan and change
//! nothing; [`crate::train::apply`] carries it out, and `--dry-run` prints
//! it. Tests can assert on a plan as well as on what applying it did.

use crate::adapters::forge::{self, PullRequest};
use crate::adapters::git::pick::Author;
use crate::core::changeset::ChangeSet;
use crate::exec::Hook;
use std::fmt::Write as _;

/// A commit: one that exists, or one this plan makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rev {
    /// An existing commit, with what it is for messages (`origin/main`).
    At { oid: String, name: String },
    /// The n-th commit this plan makes (0-based).
    Made(usize),
}

impl Rev {
    pub fn at(oid: &str, name: impl Into<String>) -> Rev {
        Rev::At {
            oid: oid.to_string(),
            name: name.into(),
        }
    }
}

/// A commit to make on `base`: `changes` written, then `hooks` run over the
/// tree, then everything committed with `message` (its paragraphs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommit {
    pub base: Rev,
    pub changes: ChangeSet,
    pub hooks: Vec<Hook>,
    pub message: Vec<String>,
}

impl NewCommit {
    pub fn title(&self) -> &str {
        self.message.first().map_or("", String::as_str)
    }
}

/// A commit made by applying an existing commit's change on `base` (a
/// cherry-pick): the change from `parent` to `commit`, with `message` and
/// the original `author`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub base: Rev,
    pub commit: String,
    /// The parent the change is taken against: the commit's first (for a
    /// merge, the branch it was merged into).
    pub parent: String,
    pub author: Author,
    /// The whole message, trailers included.
    pub message: String,
    /// The files it changes, for the dry run.
    pub files: Vec<String>,
}

impl Pick {
    pub fn title(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Commit(NewCommit),
    /// A cherry-pick; it counts among the commits made, like `Commit`.
    Pick(Pick),
    /// One atomic push of every update (a commit to a branch), so the remote
    /// gets all of them or none. Never forced.
    Push {
        remote: String,
        updates: Vec<(Rev, String)>,
    },
    PullRequest(PullRequest),
    /// Moves a local branch of the user's checkout to a pushed commit when
    /// that is a fast-forward of a clean checkout (else it is left alone).
    FastForward {
        branch: String,
        to: Rev,
    },
    /// A release tag made by the forge (pushed with git without one), then
    /// locally.
    Tag {
        name: String,
        at: Rev,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub effects: Vec<Effect>,
}

impl Plan {
    /// Adds a commit and returns how later effects name it.
    pub fn commit(&mut self, c: NewCommit) -> Rev {
        let n = self.made_titles().count();
        self.effects.push(Effect::Commit(c));
        Rev::Made(n)
    }

    /// Adds a cherry-pick and returns how later effects name it.
    pub fn pick(&mut self, p: Pick) -> Rev {
        let n = self.made_titles().count();
        self.effects.push(Effect::Pick(p));
        Rev::Made(n)
    }

    /// The title of every commit the plan makes, in order.
    fn made_titles(&self) -> impl Iterator<Item = &str> {
        self.effects.iter().filter_map(|e| match e {
            Effect::Commit(c) => Some(c.title()),
            Effect::Pick(p) => Some(p.title()),
            _ => None,
        })
    }

    pub fn picks(&self) -> impl Iterator<Item = &Pick> {
        self.effects.iter().filter_map(|e| match e {
            Effect::Pick(p) => Some(p),
            _ => None,
        })
    }

    pub fn push(&mut self, remote: &str, updates: Vec<(Rev, String)>) {
        if !updates.is_empty() {
            self.effects.push(Effect::Push {
                remote: remote.to_string(),
                updates,
            });
        }
    }

    pub fn tag(&mut self, name: &str, at: Rev) {
        self.effects.push(Effect::Tag {
            name: name.to_string(),
            at,
        });
    }

    pub fn pull_request(&mut self, pr: PullRequest) {
        self.effects.push(Effect::PullRequest(pr));
    }

    pub fn is_empty(&self) -> bool {
        self.effects.is_empty()
    }

    pub fn commits(&self) -> impl Iterator<Item = &NewCommit> {
        self.effects.iter().filter_map(|e| match e {
            Effect::Commit(c) => Some(c),
            _ => None,
        })
    }

    pub fn pull_requests(&self) -> impl Iterator<Item = &PullRequest> {
        self.effects.iter().filter_map(|e| match e {
            Effect::PullRequest(p) => Some(p),
            _ => None,
        })
    }

    /// Every branch the push updates, with the commit it gets.
    pub fn pushed(&self) -> Vec<(&Rev, &str)> {
        self.effects
            .iter()
            .flat_map(|e| match e {
                Effect::Push { updates, .. } => updates
                    .iter()
                    .map(|(r, b)| (r, b.as_str()))
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            })
            .collect()
    }

    /// How a commit is named in messages.
    pub fn name(&self, r: &Rev) -> String {
        match r {
            Rev::At { oid, name } => format!("{name} ({})", short(oid)),
            Rev::Made(n) => match self.made_titles().nth(*n) {
                Some(t) => format!("commit {} \"{t}\"", n + 1),
                None => format!("commit {}", n + 1),
            },
        }
    }

    /// One line for an effect: what is left when a run stops before it.
    pub fn describe(&self, e: &Effect) -> String {
        match e {
            Effect::Commit(c) => format!("commit \"{}\" on {}", c.title(), self.name(&c.base)),
            Effect::Pick(p) => format!(
                "cherry-pick of {} \"{}\" on {}",
                short(&p.commit),
                p.title(),
                self.name(&p.base)
            ),
            Effect::Push { remote, updates } => format!(
                "push to `{remote}`: {}",
                updates
                    .iter()
                    .map(|(r, b)| format!("{b} at {}", self.name(r)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Effect::PullRequest(p) => {
                format!("pull request {} -> {}: {}", p.head, p.base, p.title)
            }
            Effect::FastForward { branch, to } => {
                format!("bring local `{branch}` to {}", self.name(to))
            }
            Effect::Tag { name, at } => format!("tag `{name}` at {}", self.name(at)),
        }
    }

    /// The plan as a dry run prints it: every commit with its diff and
    /// hooks, the push as the git command it is, every pull request.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let mut made = 0;
        for (i, e) in self.effects.iter().enumerate() {
            let _ = write!(s, "{}. ", i + 1);
            match e {
                Effect::Commit(c) => {
                    made += 1;
                    let _ = writeln!(
                        s,
                        "commit {made} \"{}\" on {} ({} file{})",
                        c.title(),
                        self.name(&c.base),
                        c.changes.files.len(),
                        if c.changes.files.len() == 1 { "" } else { "s" }
                    );
                    s.push_str(&c.changes.diff());
                    for h in &c.hooks {
                        let _ = writeln!(s, "would run: {}", h.command);
                    }
                    let _ = writeln!(s, "message:");
                    for line in c.message.join("\n\n").lines() {
                        let _ = writeln!(s, "    {line}");
                    }
                }
                Effect::Pick(p) => {
                    made += 1;
                    let _ = writeln!(
                        s,
                        "commit {made} \"{}\" on {}: cherry-pick of {} by {} <{}> ({} file{})",
                        p.title(),
                        self.name(&p.base),
                        p.commit,
                        p.author.name,
                        p.author.email,
                        p.files.len(),
                        if p.files.len() == 1 { "" } else { "s" }
                    );
                    for f in &p.files {
                        let _ = writeln!(s, "    {f}");
                    }
                    let _ = writeln!(s, "message:");
                    for line in p.message.lines() {
                        let _ = writeln!(s, "    {line}");
                    }
                }
                Effect::Push { remote, updates } => {
                    let specs: Vec<String> = updates
                        .iter()
                        .map(|(r, b)| format!("{}:refs/heads/{b}", self.spec(r)))
                        .collect();
                    let _ = writeln!(
                        s,
                        "would run: git push --atomic {remote} {}",
                        specs.join(" ")
                    );
                }
                Effect::PullRequest(p) => {
                    let _ = writeln!(s, "would open {}", forge::render(p));
                }
                Effect::FastForward { branch, to } => {
                    let _ = writeln!(
                        s,
                        "would bring local `{branch}` to {} if it is a clean fast-forward",
                        self.name(to)
                    );
                }
                Effect::Tag { name, at } => {
                    let _ = writeln!(s, "would create tag {name} at {}", self.spec(at));
                }
            }
        }
        s
    }

    fn spec(&self, r: &Rev) -> String {
        match r {
            Rev::At { oid, .. } => oid.clone(),
            Rev::Made(n) => format!("<commit {}>", n + 1),
        }
    }
}

fn short(oid: &str) -> &str {
    oid.get(..10).unwrap_or(oid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_are_named_by_their_place_and_rendered_with_the_push() {
        let mut p = Plan::default();
        let base = Rev::at("0123456789abcdef", "origin/main");
        let mut changes = ChangeSet::default();
        changes.set("Cargo.toml", Some("v = 1\n".into()), "v = 2\n".into());
        let c = p.commit(NewCommit {
            base: base.clone(),
            changes,
            hooks: Vec::new(),
            message: vec!["Bump to 2".into(), "marker".into()],
        });
        assert_eq!(c, Rev::Made(0));
        p.push(
            "origin",
            vec![(base, "release-1".into()), (c, "main".into())],
        );
        let r = p.render();
        assert!(
            r.contains("1. commit 1 \"Bump to 2\" on origin/main (0123456789) (1 file)"),
            "{r}"
        );
        assert!(r.contains("+v = 2\n"), "{r}");
        assert!(
            r.contains(
                "would run: git push --atomic origin 0123456789abcdef:refs/heads/release-1 <commit 1>:refs/heads/main"
            ),
            "{r}"
        );
        assert_eq!(
            p.describe(&p.effects[1]),
            "push to `origin`: release-1 at origin/main (0123456789), main at commit 1 \"Bump to 2\""
        );
    }

    #[test]
    fn picks_count_among_the_commits_and_render_with_their_author() {
        let mut p = Plan::default();
        let tip = Rev::at("fedcba9876543210", "origin/release-1.0.0");
        let pick = |base: Rev, commit: &str, title: &str| Pick {
            base,
            commit: commit.into(),
            parent: format!("{commit}^"),
            author: Author {
                name: "Ada".into(),
                email: "ada@example.invalid".into(),
                date: "1700000000 +0200".into(),
            },
            message: format!("{title}\n\n(cherry picked from commit {commit})"),
            files: vec!["src/a.rs".into()],
        };
        let a = p.pick(pick(tip, "aaaaaaaaaaaa", "Fix A"));
        let b = p.pick(pick(a.clone(), "bbbbbbbbbbbb", "Fix B"));
        let notes = p.commit(NewCommit {
            base: b.clone(),
            changes: ChangeSet::default(),
            hooks: Vec::new(),
            message: vec!["Notes".into()],
        });
        assert_eq!(
            (a, b.clone(), notes.clone()),
            (Rev::Made(0), Rev::Made(1), Rev::Made(2))
        );
        assert_eq!(p.picks().count(), 2);
        assert_eq!(p.name(&b), "commit 2 \"Fix B\"");
        assert_eq!(
            p.describe(&p.effects[1]),
            "cherry-pick of bbbbbbbbbb \"Fix B\" on commit 1 \"Fix A\""
        );
        p.push("origin", vec![(notes, "release-1.0.0".into())]);
        let r = p.render();
        assert!(
            r.contains("1. commit 1 \"Fix A\" on origin/release-1.0.0 (fedcba9876): cherry-pick of aaaaaaaaaaaa by Ada <ada@example.invalid> (1 file)\n    src/a.rs\n"),
            "{r}"
        );
        assert!(
            r.contains("    (cherry picked from commit bbbbbbbbbbbb)\n"),
            "{r}"
        );
        assert!(
            r.contains("3. commit 3 \"Notes\" on commit 2 \"Fix B\" (0 files)"),
            "{r}"
        );
        assert!(
            r.contains("git push --atomic origin <commit 3>:refs/heads/release-1.0.0"),
            "{r}"
        );
    }
}
