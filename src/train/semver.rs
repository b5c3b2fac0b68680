//! The semver gate: a patch release must not break the API of a public
//! crate. Every public crate whose directory changed since the branch's last
//! release tag is checked with cargo-semver-checks against that tag.
//!
//! STEP 1: the newest release tag (`vX.Y.Z`, no pre-release) reachable from
//! the tip; none: nothing to compare against. STEP 2: the workspace at the
//! tip, and the crates that own a file changed since the tag. STEP 3:
//! internal crates are skipped (the pin policy lets them break); each
//! changed public crate is checked, or its cached result reused.
//!
//! Public: the crates `public` names; with `public` empty, every
//! publishable crate. Both trees are written out beside the checkout (see
//! [`Scratch`]), never in it; rustdoc's output is kept under
//! `<git-common-dir>/cargo-train/semver-target`, results under
//! `…/semver-cache`, keyed by crate, both trees and the tool's version.

use crate::adapters::git::Git;
use crate::adapters::git::scratch::{Files, Scratch};
use crate::adapters::semver_checks::{self, Lint, Outcome, Tool};
use crate::core::config::SemverFeatures;
use crate::core::semver_scope;
use crate::core::version::Change;
use crate::output::say;
use crate::train::repo::Repo;
use crate::train::{Options, snapshot};
use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long one crate's check may take (two rustdoc builds, cold ones
/// with every dependency on a large workspace).
pub const TIMEOUT: Duration = Duration::from_secs(3600);

/// What the gate found.
#[derive(Debug)]
pub struct GateReport {
    pub branch: String,
    /// The release tag compared against; `None`: the branch has none yet.
    pub baseline: Option<String>,
    /// The changed public crates and their results.
    pub checked: Vec<Checked>,
    /// Changed crates that are not public, not checked.
    pub skipped: Vec<String>,
    /// Changed public crates the tool could not check (a build failing),
    /// with its error: the gate does not pass them.
    pub unchecked: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct Checked {
    pub name: String,
    pub outcome: Outcome,
    /// Taken from the cache, not run.
    pub cached: bool,
}

impl GateReport {
    /// The checked crates that break their API.
    pub fn breaks(&self) -> impl Iterator<Item = (&str, &[Lint])> {
        self.checked.iter().filter_map(|c| match &c.outcome {
            Outcome::Break(l) => Some((c.name.as_str(), l.as_slice())),
            Outcome::Pass => None,
        })
    }

    /// An error naming every crate that breaks, each lint, and what to do;
    /// or every crate that could not be checked, and why.
    pub fn require_no_break(&self) -> Result<()> {
        let mut msg = String::new();
        for (name, why) in &self.unchecked {
            let _ = writeln!(msg, "`{name}` could not be checked: {why}");
        }
        if !msg.is_empty() && self.breaks().next().is_none() {
            bail!(
                "{msg}the semver gate of `{}` does not pass a crate it cannot check: fix the \
                 build, or remove the crate from `public` if it has no API to keep",
                self.branch
            );
        }
        for (name, lints) in self.breaks() {
            let _ = writeln!(
                msg,
                "`{name}` breaks its public API since {}:",
                self.baseline.as_deref().unwrap_or("?")
            );
            for l in lints {
                let _ = writeln!(msg, "  {} ({})", l.id, l.name);
                for at in &l.locations {
                    let _ = writeln!(msg, "    {at}");
                }
            }
        }
        if msg.is_empty() {
            return Ok(());
        }
        bail!(
            "{msg}a patch release of `{}` must not break a public crate: revert the change on \
             `{}`, or release it as a minor release from main",
            self.branch,
            self.branch
        )
    }
}

/// The gate for the release branch `branch` at commit `tip`: checks, prints
/// a status line per crate, and is an error when a public crate breaks
/// (see [`GateReport::require_no_break`]) or cannot be checked (the tool
/// missing, a build failing). `patch` calls it before planning.
pub fn gate(repo: &Repo, opts: &Options, branch: &str, tip: &str) -> Result<GateReport> {
    let report = check(repo, opts, branch, tip)?;
    report.require_no_break()?;
    Ok(report)
}

/// [`gate`] without the verdict: a break is in the report, not an error.
pub fn check(repo: &Repo, opts: &Options, branch: &str, tip: &str) -> Result<GateReport> {
    // SIGINT then stops the tool's process group, not just this process.
    crate::signals::install().context("cannot install the SIGINT/SIGTERM handlers")?;
    let mut report = GateReport {
        branch: branch.to_string(),
        baseline: None,
        checked: Vec::new(),
        skipped: Vec::new(),
        unchecked: Vec::new(),
    };
    let Some(tag) = last_release_tag(repo, tip)? else {
        say(
            "Semver",
            &format!("`{branch}` has no release tag yet: nothing to compare against"),
        );
        return Ok(report);
    };
    report.baseline = Some(tag.clone());
    let (public, skipped, features) = changed_crates(repo, opts, &tag, tip)?;
    if !skipped.is_empty() {
        say(
            "Skipped",
            &format!(
                "internal crates changed since {tag}: {}",
                skipped.join(", ")
            ),
        );
    }
    report.skipped = skipped;
    if public.is_empty() {
        say(
            "Semver",
            &format!("no public crate changed on `{branch}` since {tag}"),
        );
        return Ok(report);
    }
    let tool = semver_checks::find()?;
    let home = train_home(repo)?;
    let mut trees: Option<(Scratch, Scratch)> = None;
    for c in public {
        let key = Key {
            name: c.name.clone(),
            baseline: c.baseline_tree.clone(),
            current: c.current_tree.clone(),
            tool: format!("{} {features:?}", tool.version),
        };
        let (outcome, cached) = match key.load(&home) {
            Some(o) => (o, true),
            None => {
                if trees.is_none() {
                    trees = Some(write_out(repo, &tag, tip)?);
                }
                let (base, cur) = trees.as_ref().expect("written out");
                say("Checking", &format!("{} against {tag}", c.name));
                match run_one(&tool, &c.name, (cur.dir(), base.dir()), &home, features) {
                    Ok(o) => {
                        key.store(&home, &o)?;
                        (o, false)
                    }
                    // A signal stops the gate; a crate the tool cannot
                    // build is reported with the others, and never cached.
                    Err(e) if interrupted(&e) => return Err(e),
                    Err(e) => {
                        say("Semver", &format!("{}: could not be checked", c.name));
                        report.unchecked.push((c.name, format!("{e:#}")));
                        continue;
                    }
                }
            }
        };
        say_outcome(&c.name, &outcome, cached);
        report.checked.push(Checked {
            name: c.name,
            outcome,
            cached,
        });
    }
    Ok(report)
}

fn say_outcome(name: &str, outcome: &Outcome, cached: bool) {
    let word = if cached { " (cached)" } else { "" };
    let what = match outcome {
        Outcome::Pass => format!("{name}: no break{word}"),
        Outcome::Break(lints) => {
            let ids: Vec<&str> = lints.iter().map(|l| l.id.as_str()).collect();
            format!("{name}: BREAKS{word}: {}", ids.join(", "))
        }
    };
    say("Semver", &what);
}

fn interrupted(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.downcast_ref::<crate::signals::Interrupted>().is_some())
}

fn run_one(
    tool: &Tool,
    name: &str,
    (cur, base): (PathBuf, PathBuf),
    home: &Path,
    features: SemverFeatures,
) -> Result<Outcome> {
    let target_dir = home.join("semver-target");
    crate::adapters::fs::state_dir(&target_dir)?;
    semver_checks::prune(&target_dir);
    tool.check(&semver_checks::Check {
        package: name,
        current: &cur,
        baseline: &base,
        target_dir: &target_dir,
        timeout: TIMEOUT,
        features,
    })
}

/// Every file at the tag and at the tip, beside the checkout, in fresh
/// directories. Fixed ones would let cargo skip rebuilding unchanged path
/// crates, but the tool writes both sides' rustdoc JSON to one file in the
/// shared target directory: a side cargo thought fresh would be read from
/// the other side's output. New paths make new package ids, so both sides
/// are always built; dependencies from registries are reused.
fn write_out(repo: &Repo, tag: &str, tip: &str) -> Result<(Scratch, Scratch)> {
    let base = Scratch::open(&repo.git, &format!("{tag}^{{commit}}"), Files::All)?;
    let cur = Scratch::open(&repo.git, tip, Files::All)?;
    Ok((base, cur))
}

/// The newest `vX.Y.Z` tag (no pre-release) reachable from `tip` on the
/// line of `tip`'s version: a tag of another scheme that shares the prefix
/// (wasm-tools' CLI tags `v1.257.1` on a `0.258` branch) is no baseline.
pub fn last_release_tag(repo: &Repo, tip: &str) -> Result<Option<String>> {
    let names = repo.names();
    let tags = repo.git.tags_merged(tip)?;
    let at = repo.version_at(tip).ok();
    Ok(semver_scope::newest_release(
        tags.iter().map(|t| t.trim()),
        |t| {
            names
                .parse_tag(t)
                .filter(|v| at.as_ref().is_none_or(|at| semver_scope::on_line(v, at)))
        },
    ))
}

/// A public crate whose directory differs between the tag and the tip.
struct Changed {
    name: String,
    baseline_tree: String,
    current_tree: String,
}

/// The changed public crates, and the names of the changed others. A
/// crate changed when a changed file is its own (see
/// [`semver_scope::touched`]); one new since the tag has nothing to break
/// and is neither.
fn changed_crates(
    repo: &Repo,
    opts: &Options,
    tag: &str,
    tip: &str,
) -> Result<(Vec<Changed>, Vec<String>, SemverFeatures)> {
    let snap = snapshot::at(repo, tip, opts)?;
    let config = &snap.ctx.config;
    let ws = &snap.ctx.ws;
    let base = format!("{tag}^{{commit}}");
    let (before, after) = (trees(&repo.git, &base)?, trees(&repo.git, tip)?);
    let dirs = semver_scope::crate_dirs(ws);
    let diff = repo.git.changed_paths(&base, tip)?;
    let notes = config.notes.file.to_string_lossy();
    let changed = diff.iter().map(String::as_str).filter(|p| *p != notes);
    let touched = semver_scope::touched(ws, &dirs, changed);
    let (mut public, mut skipped) = (Vec::new(), Vec::new());
    for (i, c) in ws.crates.iter().enumerate() {
        let (Some(b), Some(a)) = (before.get(&dirs[i]), after.get(&dirs[i])) else {
            continue;
        };
        if !touched[i] {
            continue;
        }
        if semver_scope::is_public(config, &c.name, c.publishable) {
            public.push(Changed {
                name: c.name.clone(),
                baseline_tree: b.clone(),
                current_tree: a.clone(),
            });
        } else if c.publishable && config.semver_skips(&c.name) {
            skipped.push(format!("{} (semver.skip)", c.name));
        } else {
            skipped.push(c.name.clone());
        }
    }
    Ok((public, skipped, config.semver.features))
}

/// Every directory's tree at `rev` ("" is the top), from one `ls-tree`.
fn trees(git: &Git, rev: &str) -> Result<BTreeMap<String, String>> {
    let mut out: BTreeMap<String, String> = git.subtrees(rev)?.into_iter().collect();
    out.insert(
        String::new(),
        crate::adapters::git::pick::tree_of(git, rev)?,
    );
    Ok(out)
}

fn train_home(repo: &Repo) -> Result<PathBuf> {
    home(&repo.git)
}

fn home(git: &Git) -> Result<PathBuf> {
    Ok(git.common_dir()?.join("cargo-train"))
}

/// A level the checker found, with the ids of the lints that failed.
pub type Level = (Change, Vec<String>);

/// One crate whose level the checker is asked for: its name, its directory
/// and its last release's tag.
pub struct Ask<'a> {
    pub name: &'a str,
    pub dir: &'a str,
    pub tag: &'a str,
    /// The version the tag names (what the checker's verdict is read against).
    pub version: &'a semver::Version,
}

/// The level each crate's API change since its tag needs by
/// cargo-semver-checks (see [`Tool::required`]), with the failed lints' ids,
/// index-aligned with `asks` (`None`: the tool could not build it, a
/// warning says why). Results are cached by the crate's trees at
/// both ends; the trees are written out once per distinct tag, only for a
/// crate not in the cache.
pub fn levels(
    git: &Git,
    at: &str,
    asks: &[Ask<'_>],
    features: SemverFeatures,
) -> Result<Vec<Option<Level>>> {
    if asks.is_empty() {
        return Ok(Vec::new());
    }
    crate::signals::install().context("cannot install the SIGINT/SIGTERM handlers")?;
    let tool = semver_checks::find()?;
    let home = home(git)?;
    let current_trees = trees(git, at)?;
    // By commit, not tag: crates released together share one tree.
    let mut base_trees: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current: Option<Scratch> = None;
    let mut bases: BTreeMap<String, Scratch> = BTreeMap::new();
    let target_dir = home.join("semver-target");
    crate::adapters::fs::state_dir(&target_dir)?;
    semver_checks::prune(&target_dir);
    let mut out = Vec::with_capacity(asks.len());
    for a in asks {
        let base = git
            .resolve(&format!("{}^{{commit}}", a.tag))?
            .with_context(|| format!("tag {} names no commit", a.tag))?
            .to_string();
        if !base_trees.contains_key(&base) {
            base_trees.insert(base.clone(), trees(git, &base)?);
        }
        let tree = |t: &BTreeMap<String, String>| t.get(a.dir).cloned().unwrap_or_default();
        let key = Key {
            name: a.name.to_string(),
            baseline: tree(&base_trees[&base]),
            current: tree(&current_trees),
            tool: format!("{} {features:?} level", tool.version),
        };
        if let Some(Outcome::Break(lints)) = key.load(&home) {
            // A cached level is stored as the lints, the level first.
            if let Some((first, rest)) = lints.split_first() {
                let change = first.id.parse().unwrap_or(Change::Breaking);
                say("Semver", &format!("{}: {change} (cached)", a.name));
                out.push(Some((change, rest.iter().map(|l| l.id.clone()).collect())));
                continue;
            }
        }
        if current.is_none() {
            current = Some(Scratch::open(git, at, Files::All)?);
        }
        if !bases.contains_key(&base) {
            bases.insert(base.clone(), Scratch::open(git, &base, Files::All)?);
        }
        let (cur, b) = (current.as_ref().expect("opened").dir(), bases[&base].dir());
        say("Checking", &format!("{} against {}", a.name, a.tag));
        let checked = tool.required(&semver_checks::Check {
            package: a.name,
            current: &cur,
            baseline: &b,
            target_dir: &target_dir,
            timeout: TIMEOUT,
            features,
        });
        let (change, lints) = match checked {
            Ok((required, lints)) => (crate::core::version::needed(a.version, required), lints),
            Err(e) if interrupted(&e) => return Err(e),
            Err(e) if format!("{e:#}").contains("no library target") => {
                say(
                    "Semver",
                    &format!(
                        "{}: no library to check (a proc-macro or binary crate)",
                        a.name
                    ),
                );
                out.push(None);
                continue;
            }
            // Its level then comes from its other evidence; never cached.
            Err(e) => {
                say(
                    "Warning",
                    &format!(
                        "{} could not be checked, so its level comes from its commits: {e:#}",
                        a.name
                    ),
                );
                out.push(None);
                continue;
            }
        };
        let level_lint = Lint {
            id: change.to_string(),
            name: "level".into(),
            locations: Vec::new(),
        };
        let stored: Vec<Lint> = std::iter::once(level_lint)
            .chain(lints.iter().cloned())
            .collect();
        key.store(&home, &Outcome::Break(stored))?;
        say("Semver", &format!("{}: {change}", a.name));
        out.push(Some((change, lints.into_iter().map(|l| l.id).collect())));
    }
    Ok(out)
}

/// What a result depends on: the crate, its sources at both ends, and the
/// checker's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub name: String,
    /// The tree of the crate's directory at the tag.
    pub baseline: String,
    /// The tree of the crate's directory at the tip.
    pub current: String,
    pub tool: String,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    key: Key,
    outcome: Outcome,
}

impl Key {
    /// `<name>-<first 16 hex of the key's SHA-256>.json`.
    pub fn file_name(&self) -> String {
        use sha2::Digest as _;
        let text = format!(
            "{}\n{}\n{}\n{}",
            self.name, self.baseline, self.current, self.tool
        );
        let hash = sha2::Sha256::digest(text.as_bytes());
        let hex: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("{}-{hex}.json", self.name)
    }

    fn path(&self, home: &Path) -> PathBuf {
        home.join("semver-cache").join(self.file_name())
    }

    /// A stored result for exactly this key; anything unreadable is a miss.
    fn load(&self, home: &Path) -> Option<Outcome> {
        let text = std::fs::read_to_string(self.path(home)).ok()?;
        let e: Entry = serde_json::from_str(&text).ok()?;
        (e.key == *self).then_some(e.outcome)
    }

    /// Written whole, so a killed run leaves no half entry.
    fn store(&self, home: &Path, outcome: &Outcome) -> Result<()> {
        let text = serde_json::to_string(&Entry {
            key: self.clone(),
            outcome: outcome.clone(),
        })?;
        crate::adapters::fs::write_state(&self.path(home), &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key {
            name: "rail".into(),
            baseline: "a".repeat(40),
            current: "b".repeat(40),
            tool: "cargo-semver-checks 0.51.0".into(),
        }
    }

    #[test]
    fn the_cache_key_changes_with_each_part() {
        let k = key();
        assert!(k.file_name().starts_with("rail-"));
        assert_eq!(k.file_name(), key().file_name());
        let changed = [
            Key {
                name: "rail-core".into(),
                ..key()
            },
            Key {
                baseline: "c".repeat(40),
                ..key()
            },
            Key {
                current: "c".repeat(40),
                ..key()
            },
            Key {
                tool: "cargo-semver-checks 0.52.0".into(),
                ..key()
            },
        ];
        for other in changed {
            assert_ne!(other.file_name(), k.file_name(), "{other:?}");
        }
    }

    #[test]
    fn a_stored_result_is_found_by_its_own_key_only() {
        let home = tempfile::tempdir().unwrap();
        let lint = Lint {
            id: "function_missing".into(),
            name: "pub fn removed or renamed".into(),
            locations: vec!["function rail::hello".into()],
        };
        let k = key();
        assert_eq!(k.load(home.path()), None);
        k.store(home.path(), &Outcome::Break(vec![lint.clone()]))
            .unwrap();
        assert_eq!(k.load(home.path()), Some(Outcome::Break(vec![lint])));
        let other = Key {
            current: "c".repeat(40),
            ..key()
        };
        assert_eq!(other.load(home.path()), None);
        // An entry under the right name but for another key is a miss.
        std::fs::copy(k.path(home.path()), other.path(home.path())).unwrap();
        assert_eq!(other.load(home.path()), None);
    }

    #[test]
    fn a_break_names_crate_lint_item_and_remedy() {
        let r = GateReport {
            branch: "release-1.0.0".into(),
            baseline: Some("v1.0.0".into()),
            checked: vec![
                Checked {
                    name: "rail".into(),
                    outcome: Outcome::Break(vec![Lint {
                        id: "function_missing".into(),
                        name: "pub fn removed or renamed".into(),
                        locations: vec!["function rail::hello".into()],
                    }]),
                    cached: false,
                },
                Checked {
                    name: "rail-wasi".into(),
                    outcome: Outcome::Pass,
                    cached: true,
                },
            ],
            skipped: vec![],
            unchecked: vec![],
        };
        let msg = format!("{:#}", r.require_no_break().unwrap_err());
        assert_eq!(
            msg,
            "`rail` breaks its public API since v1.0.0:\n  function_missing (pub fn removed or renamed)\n    \
             function rail::hello\na patch release of `release-1.0.0` must not break a public crate: \
             revert the change on `release-1.0.0`, or release it as a minor release from main"
        );
        let ok = GateReport {
            checked: vec![],
            ..r
        };
        ok.require_no_break().unwrap();
        let unchecked = GateReport {
            unchecked: vec![("rail-cli".into(), "rustdoc failed".into())],
            ..ok
        };
        assert_eq!(
            format!("{:#}", unchecked.require_no_break().unwrap_err()),
            "`rail-cli` could not be checked: rustdoc failed\nthe semver gate of `release-1.0.0` does not \
             pass a crate it cannot check: fix the build, or remove the crate from `public` if it has no \
             API to keep"
        );
    }
}
