//! What a command will do, as data: every side effect it has (files
//! written, commits, cherry-picks, the push, pull requests, tags, forge
//! releases and their assets, uploads, yanks, registry tokens, builds and
//! archives, `$GITHUB_OUTPUT`) is an [`Effect`] of a [`Plan`]. Operations
//! compute a plan and change nothing; [`crate::apply`] carries it out, and
//! `--dry-run` prints it ([`Plan::render`]) instead. Tests can assert on a
//! plan as well as on what applying it did.

mod render;

use crate::adapters::forge::{NewRelease, PullRequest, Release};
use crate::adapters::git::pick::Author;
use crate::core::changeset::ChangeSet;
use crate::core::config::{RateLimits, WaitFor};
use crate::core::refs::{BranchName, CommitId, TagName};
use semver::Version;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

/// A commit: one that exists, or one this plan makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rev {
    /// An existing commit, with what it is for messages (`origin/main`).
    At { oid: CommitId, name: String },
    /// The n-th commit this plan makes (0-based).
    Made(usize),
}

impl Rev {
    pub fn at(oid: &str, name: impl Into<String>) -> Rev {
        Rev::At {
            oid: CommitId::new(oid),
            name: name.into(),
        }
    }
}

/// A shell command run after files are written (cargo's relock, the
/// project's `after-bump`), with how long it may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    pub command: String,
    pub timeout: Duration,
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
    pub commit: CommitId,
    /// The parent the change is taken against: the commit's first (for a
    /// merge, the branch it was merged into).
    pub parent: CommitId,
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

/// Files written in a directory of the user's (the checkout, an output
/// directory), all of them or none; then `hooks` run there. A hook that
/// fails (or outlives its timeout) undoes the files, and `Cargo.lock` too
/// when `relock` says a hook may rewrite it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub root: PathBuf,
    pub changes: ChangeSet,
    pub hooks: Vec<Hook>,
    /// A hook re-resolves `Cargo.lock` (it is the hook's to change even
    /// where `changes` leaves it alone).
    pub relock: bool,
}

/// A program run to make something (a release build).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub program: String,
    pub args: Vec<String>,
    pub dir: PathBuf,
}

/// An archive of files under one directory name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pack {
    pub archive: PathBuf,
    /// The directory the files are in inside the archive.
    pub dir: String,
    /// Each file and its name inside the directory.
    pub files: Vec<(PathBuf, String)>,
    pub zip: bool,
}

/// How a registry is authorized for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// A token from cargo's configuration.
    Configured,
    /// Short-lived tokens by trusted publishing, minted by
    /// [`Effect::MintToken`].
    Trusted,
    /// None: a dry run needs none.
    None,
}

/// One crate of [`Uploads`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub name: String,
    pub version: Version,
    /// The first-party crates it needs first (positions in the list).
    pub deps: BTreeSet<usize>,
    /// Its version is in the index already.
    pub done: bool,
    /// The registry has no version of it yet.
    pub new_crate: bool,
}

impl Upload {
    pub fn label(&self) -> String {
        format!("{} {}", self.name, self.version)
    }
}

/// Every crate that goes to one registry, in publish order: those not in
/// the index are packaged in one cargo run, then uploaded as their
/// dependencies become ready, within the registry's rate limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Uploads {
    pub registry: String,
    /// Where cargo packages the crates (the workspace root).
    pub workspace: PathBuf,
    pub crates: Vec<Upload>,
    pub auth: Auth,
    pub jobs: usize,
    pub wait_for: WaitFor,
    pub limits: Option<RateLimits>,
    /// How long each upload may spend retrying.
    pub retry_budget: Duration,
    /// How long an accepted upload may take to show in the index.
    pub index_timeout: Duration,
}

impl Uploads {
    /// The positions of the crates to upload.
    pub fn todo(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.crates.len()).filter(|&p| !self.crates[p].done)
    }
}

/// Versions to yank from one registry.
#[derive(Debug, Clone, PartialEq)]
pub struct Yanks {
    pub registry: String,
    pub versions: Vec<(String, Version)>,
    /// The registry's limit on yanks (a burst, then one every so often).
    pub limit: Option<crate::core::config::Rate>,
    pub retry_budget: Duration,
}

/// The edit of a release's tracking issue: found again by its hidden
/// marker or its title (opened with `body` when missing), then `edits`
/// made to its body as it is then, and closed once the release is done
/// when `close` says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueEdit {
    pub title: String,
    /// The hidden marker in its body (`<!-- cargo-train: release V -->`).
    pub marker: String,
    /// The issue found when planning (for the dry run); none: opened.
    pub number: Option<u64>,
    /// The body of a new issue.
    pub body: String,
    pub edits: Vec<crate::core::tracking::Edit>,
    /// The pull request whose number fills `{pr}` in the line an edit adds:
    /// (the edit's key, head, base). A pull request not found leaves its
    /// line out, for a later run to add.
    pub links: Vec<(String, String, String)>,
    /// Close the issue when its release is done.
    pub close: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Commit(NewCommit),
    /// A cherry-pick; it counts among the commits made, like `Commit`.
    Pick(Pick),
    /// One atomic push of every update (a commit to a branch), so the remote
    /// gets all of them or none. Never forced.
    Push {
        remote: String,
        updates: Vec<(Rev, BranchName)>,
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
        name: TagName,
        at: Rev,
    },
    Files(Files),
    Run(Run),
    CreateDir(PathBuf),
    Pack(Pack),
    /// `git archive` of `rev` as a `.tar.gz`, its files under `prefix`.
    SourceTarball {
        archive: PathBuf,
        prefix: String,
        rev: String,
    },
    Copy {
        from: PathBuf,
        to: PathBuf,
    },
    /// `SHA256SUMS` of `files` (made by earlier effects), written to `file`.
    Sums {
        file: PathBuf,
        files: Vec<PathBuf>,
    },
    /// A release on the forge with its notes, then its assets.
    Release {
        new: NewRelease,
        assets: Vec<PathBuf>,
    },
    /// Assets uploaded to a release that exists.
    Assets {
        release: Release,
        files: Vec<PathBuf>,
    },
    /// A short-lived registry token by trusted publishing, renewed every
    /// `renew_after` while the run lasts; every one is revoked by
    /// [`Effect::RevokeTokens`].
    MintToken {
        registry: String,
        renew_after: Duration,
    },
    Publish(Uploads),
    Yank(Yanks),
    /// Revokes every token [`Effect::MintToken`] minted; a plan runs it
    /// last, whatever happened before (see [`Plan::finally`]).
    RevokeTokens {
        registry: String,
    },
    /// A release's tracking issue opened or edited.
    Issue(IssueEdit),
    /// A line appended to a file that collects a job's outputs
    /// (`$GITHUB_OUTPUT`).
    Output {
        file: PathBuf,
        line: String,
    },
}

/// A status line: a right-aligned word, then what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Say {
    pub word: String,
    pub what: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub effects: Vec<Effect>,
    /// Carried out after `effects` whatever happened to them (a failure or
    /// a signal included): the cleanup of what they set up.
    pub finally: Vec<Effect>,
    /// Said once every effect is carried out (not in a dry run).
    pub done: Vec<Say>,
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

    pub fn push(&mut self, remote: &str, updates: Vec<(Rev, BranchName)>) {
        if !updates.is_empty() {
            self.effects.push(Effect::Push {
                remote: remote.to_string(),
                updates,
            });
        }
    }

    pub fn tag(&mut self, name: &TagName, at: Rev) {
        self.effects.push(Effect::Tag {
            name: name.clone(),
            at,
        });
    }

    pub fn pull_request(&mut self, pr: PullRequest) {
        self.effects.push(Effect::PullRequest(pr));
    }

    /// Adds any other effect.
    pub fn add(&mut self, e: Effect) {
        self.effects.push(e);
    }

    /// Adds an effect carried out last, whatever happens before it.
    pub fn finally(&mut self, e: Effect) {
        self.finally.push(e);
    }

    /// Says `what` once the plan is carried out.
    pub fn then_say(&mut self, word: &str, what: impl Into<String>) {
        self.done.push(Say {
            word: word.to_string(),
            what: what.into(),
        });
    }

    /// Appends `other`'s effects: the commits it makes are numbered after
    /// this plan's.
    pub fn append(&mut self, other: Plan) {
        let offset = self.made_titles().count();
        let shift = |r: Rev| match r {
            Rev::Made(n) => Rev::Made(n + offset),
            at => at,
        };
        for e in other.effects {
            self.effects.push(match e {
                Effect::Commit(mut c) => {
                    c.base = shift(c.base);
                    Effect::Commit(c)
                }
                Effect::Pick(mut p) => {
                    p.base = shift(p.base);
                    Effect::Pick(p)
                }
                Effect::Push { remote, updates } => Effect::Push {
                    remote,
                    updates: updates.into_iter().map(|(r, b)| (shift(r), b)).collect(),
                },
                Effect::FastForward { branch, to } => Effect::FastForward {
                    branch,
                    to: shift(to),
                },
                Effect::Tag { name, at } => Effect::Tag {
                    name,
                    at: shift(at),
                },
                e => e,
            });
        }
        self.finally.extend(other.finally);
        self.done.extend(other.done);
    }

    pub fn is_empty(&self) -> bool {
        self.effects.is_empty() && self.finally.is_empty()
    }

    pub fn commits(&self) -> impl Iterator<Item = &NewCommit> {
        self.effects.iter().filter_map(|e| match e {
            Effect::Commit(c) => Some(c),
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

    /// Whether carrying it out needs the forge (pull requests, tags,
    /// releases).
    pub fn needs_forge(&self) -> bool {
        self.effects.iter().any(|e| {
            matches!(
                e,
                Effect::PullRequest(_)
                    | Effect::Tag { .. }
                    | Effect::Release { .. }
                    | Effect::Assets { .. }
                    | Effect::Issue(_)
            )
        })
    }
}

#[cfg(test)]
mod tests;
