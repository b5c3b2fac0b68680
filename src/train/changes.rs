//! `cargo train changes`: which crates an independent (or lead) release
//! would move, to what, and why. Read-only; `bump --changed` and the
//! release of these models plan from the same selection.

use crate::adapters::cargo;
use crate::adapters::git::Git;
use crate::core::config::Model;
use crate::core::conventional;
use crate::core::refs::{CrateTags, Names};
use crate::core::selection::{self, History, Override, Rules, Selection};
use crate::core::semver_scope;
use crate::core::version::Change;
use crate::train::Context;
use anyhow::{Result, bail};
use semver::Version;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::{Duration, Instant};

/// How long one `cargo package --list` may take (it may update the index).
const LIST_LIMIT: Duration = Duration::from_secs(300);

pub struct Options {
    /// The commit the release would be made from.
    pub at: String,
    pub overrides: BTreeMap<String, Override>,
}

/// The selection with what it was read from.
pub struct Changes {
    pub model: Model,
    pub selection: Selection,
    /// How many crates the train releases, moved or not.
    pub eligible: usize,
    /// Crates whose files were listed with cargo (they had changes under
    /// their directory).
    pub listed: usize,
    pub elapsed: Duration,
    names: Vec<String>,
}

#[derive(Serialize)]
struct MoveOut<'a> {
    #[serde(rename = "crate")]
    krate: &'a str,
    from: String,
    to: String,
    level: String,
    reasons: Vec<String>,
}

impl Serialize for Changes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            model: Model,
            moves: Vec<MoveOut<'a>>,
            unchanged: usize,
        }
        Out {
            model: self.model,
            moves: self.moves(),
            unchanged: self.eligible - self.selection.moves.len(),
        }
        .serialize(s)
    }
}

impl Changes {
    fn moves(&self) -> Vec<MoveOut<'_>> {
        self.selection
            .moves
            .iter()
            .map(|m| MoveOut {
                krate: &self.names[m.krate],
                from: m.from.to_string(),
                to: m.to.to_string(),
                level: m.change.to_string(),
                reasons: m.reasons.iter().map(selection::describe).collect(),
            })
            .collect()
    }
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in self.moves() {
            writeln!(f, "{} {} -> {} ({})", m.krate, m.from, m.to, m.level)?;
            for r in &m.reasons {
                writeln!(f, "    {r}")?;
            }
        }
        writeln!(
            f,
            "{} of {} crates move; {} unchanged since their last release",
            self.selection.moves.len(),
            self.eligible,
            self.eligible - self.selection.moves.len()
        )?;
        writeln!(
            f,
            "(cargo listed the files of {} crate{} with changes under their directory; {:.2}s in all)",
            self.listed,
            if self.listed == 1 { "" } else { "s" },
            self.elapsed.as_secs_f64()
        )
    }
}

/// STEP 1-4 of an independent release's selection, for the checkout at
/// `opts.at`.
pub fn run(ctx: &Context, opts: &Options) -> Result<Changes> {
    let started = Instant::now();
    let inside = roots(ctx)?;
    let eligible = |i: usize| ctx.ws.crates[i].publishable && inside[i];
    let model = selection::model(&ctx.ws, ctx.config.versioning.model, &eligible);
    if model == Model::Lockstep {
        bail!(
            "the workspace is released in lockstep (one version for every crate{}): `changes` \
             is for crates on their own lines; set `[versioning] model = \"independent\"` (or \
             \"lead\") to release only what changed",
            match ctx.config.versioning.model {
                Some(_) => ", as configured".to_string(),
                None => ", found from the workspace".to_string(),
            }
        );
    }
    let git = Git::new(&ctx.root);
    let dirs = semver_scope::crate_dirs(&ctx.ws);
    // STEP 1: each crate's last release, from its tags.
    let last = last_releases(ctx, &git, model, &opts.at)?;
    // STEP 2: what each ships that changed since then.
    let (changed, listed) = shipped_changes(ctx, &git, &dirs, &last, &opts.at)?;
    // STEP 3: what their commits call for.
    let mut history = Vec::with_capacity(ctx.ws.crates.len());
    for (i, last) in last.into_iter().enumerate() {
        let changed = changed[i].clone();
        let commits = match (&last, ctx.config.versioning.conventional_commits) {
            (Some((tag, _)), true) if !changed.is_empty() => {
                let paths: Vec<String> = changed.iter().map(|p| join(&dirs[i], p)).collect();
                let range = format!("{tag}..{}", opts.at);
                let messages = git.messages_touching(&range, &paths)?;
                conventional::level(messages.iter().map(String::as_str))
            }
            _ => None,
        };
        history.push(History {
            last,
            changed,
            commits,
            semver: None,
        });
    }
    // STEP 4: what cargo-semver-checks calls for, for the changed public
    // crates (the slow part: cached by their trees).
    if ctx.config.versioning.semver_checks {
        semver_levels(ctx, &git, &dirs, &opts.at, &mut history, &eligible)?;
    }
    // STEP 5: the selection.
    let rules = Rules {
        safety_bumps: ctx.config.versioning.safety_bumps,
        bumped_only: ctx.config.versioning.select == crate::core::config::Select::Bumped,
    };
    let selection = selection::select(&ctx.ws, &history, &opts.overrides, &eligible, rules)?;
    Ok(Changes {
        model,
        selection,
        eligible: (0..ctx.ws.crates.len()).filter(|&i| eligible(i)).count(),
        listed,
        elapsed: started.elapsed(),
        names: ctx.ws.crates.iter().map(|c| c.name.clone()).collect(),
    })
}

/// Fills in `history[i].semver` for every eligible public crate with
/// shipped changes and a release to compare with.
fn semver_levels(
    ctx: &Context,
    git: &Git,
    dirs: &[String],
    at: &str,
    history: &mut [History],
    eligible: &dyn Fn(usize) -> bool,
) -> Result<()> {
    let asked: Vec<usize> = (0..history.len())
        .filter(|&i| eligible(i) && !history[i].changed.is_empty() && history[i].last.is_some())
        .filter(|&i| {
            let c = &ctx.ws.crates[i];
            semver_scope::is_public(&ctx.config, &c.name, c.publishable)
        })
        .collect();
    let asks: Vec<crate::train::semver::Ask<'_>> = asked
        .iter()
        .map(|&i| crate::train::semver::Ask {
            name: &ctx.ws.crates[i].name,
            dir: &dirs[i],
            tag: &history[i].last.as_ref().expect("filtered").0,
            version: &history[i].last.as_ref().expect("filtered").1,
        })
        .collect();
    let levels = crate::train::semver::levels(git, at, &asks, ctx.config.semver.features)?;
    drop(asks);
    for (i, level) in asked.into_iter().zip(levels) {
        history[i].semver = level;
    }
    Ok(())
}

/// The crates `[versioning] roots` releases (every crate without roots).
fn roots(ctx: &Context) -> Result<Vec<bool>> {
    let patterns = &ctx.config.versioning.roots;
    if patterns.is_empty() {
        return Ok(vec![true; ctx.ws.crates.len()]);
    }
    let mut roots = Vec::new();
    for p in patterns {
        let found: Vec<usize> = (0..ctx.ws.crates.len())
            .filter(|&i| p.matches(&ctx.ws.crates[i].name))
            .collect();
        if found.is_empty() {
            bail!(
                "`[versioning] roots` names `{}`, which matches no crate of the workspace",
                p.0
            );
        }
        roots.extend(found);
    }
    Ok(selection::closure(&ctx.ws, &roots))
}

/// The newest release of each crate at or below its version: its tag in
/// the crate form (the lead crate's in the train's form), pre-releases
/// only when the crate is at one.
fn last_releases(
    ctx: &Context,
    git: &Git,
    model: Model,
    at: &str,
) -> Result<Vec<Option<(String, Version)>>> {
    let forms = CrateTags::of(&ctx.config);
    let names = Names::of(&ctx.config);
    let lead = match model {
        Model::Lead => ctx.config.versioning.lead.as_deref(),
        _ => None,
    };
    // `(version, tag, reached from at)` of each crate's tags.
    let mut tags: HashMap<String, Vec<(Version, String, bool)>> = HashMap::new();
    let reached: std::collections::HashSet<String> = git.tags_merged(at)?.into_iter().collect();
    for r in git.refs("refs/tags/")? {
        let name = r.name.trim_start_matches("refs/tags/").to_string();
        let here = reached.contains(&name);
        if let Some((krate, v)) = forms.parse(&name) {
            tags.entry(krate).or_default().push((v, name.clone(), here));
        }
        if let (Some(lead), Some(v)) = (lead, names.parse_tag(&name)) {
            tags.entry(lead.to_string())
                .or_default()
                .push((v, name, here));
        }
    }
    Ok(ctx
        .ws
        .crates
        .iter()
        .map(|c| {
            let ts = tags.get(&c.name)?;
            let fits =
                |v: &Version| (v.pre.is_empty() || !c.version.pre.is_empty()) && *v <= c.version;
            // A tag in the history of `at` first; one on another branch
            // (a line's patch release) only when no reached tag fits.
            let best = |reached: bool| {
                ts.iter()
                    .filter(|(v, _, here)| fits(v) && (*here || !reached))
                    .max_by(|a, b| a.0.cmp(&b.0))
                    .map(|(v, t, _)| (t.clone(), v.clone()))
            };
            best(true).or_else(|| best(false))
        })
        .collect())
}

fn join(dir: &str, path: &str) -> String {
    if dir.is_empty() {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    }
}

/// For each crate, the files it ships that changed between its last
/// release and `at`; and how many crates cargo listed. Only a crate with a
/// change under its directory (not under a nested member's) is listed with
/// cargo, the lists run in parallel; a file gone since the release counts.
fn shipped_changes(
    ctx: &Context,
    git: &Git,
    dirs: &[String],
    last: &[Option<(String, Version)>],
    at: &str,
) -> Result<(Vec<Vec<String>>, usize)> {
    let mut candidates: Vec<Vec<(String, bool)>> = vec![Vec::new(); ctx.ws.crates.len()];
    for (i, l) in last.iter().enumerate() {
        let Some((tag, _)) = l else { continue };
        if !ctx.ws.crates[i].publishable {
            continue;
        }
        let dir = if dirs[i].is_empty() { "." } else { &dirs[i] };
        candidates[i] = git
            .changed_under(&format!("{tag}^{{commit}}"), at, dir)?
            .into_iter()
            // A nested member's files are its own.
            .filter(|(p, _)| semver_scope::owner(dirs, p) == Some(i))
            .map(|(p, gone)| {
                let rel = match dirs[i].as_str() {
                    "" => p,
                    d => p.strip_prefix(&format!("{d}/")).unwrap_or(&p).to_string(),
                };
                (rel, gone)
            })
            .collect();
    }
    let todo: Vec<usize> = (0..candidates.len())
        .filter(|&i| !candidates[i].is_empty())
        .collect();
    let lists = list_in_parallel(ctx, &todo)?;
    let mut out = vec![Vec::new(); ctx.ws.crates.len()];
    for (i, list) in todo.iter().zip(lists) {
        let shipped: std::collections::HashSet<&str> = list.iter().map(String::as_str).collect();
        out[*i] = candidates[*i]
            .iter()
            .filter(|(p, gone)| *gone || shipped.contains(p.as_str()))
            .map(|(p, _)| p.clone())
            .collect();
    }
    Ok((out, todo.len()))
}

/// `cargo package --list` of each crate in `todo`, on as many threads as
/// the machine has cores (at most 8).
fn list_in_parallel(ctx: &Context, todo: &[usize]) -> Result<Vec<Vec<String>>> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<Vec<String>>>>> =
        todo.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..threads.min(todo.len()) {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&i) = todo.get(k) else { break };
                    let r = cargo::package_list(&ctx.root, &ctx.ws.crates[i].name, LIST_LIMIT);
                    let failed = r.is_err();
                    *results[k].lock().expect("not poisoned") = Some(r);
                    if failed {
                        // The first failure ends the others' work.
                        next.store(todo.len(), std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let mut out = Vec::with_capacity(todo.len());
    for r in results {
        match r.into_inner().expect("not poisoned") {
            Some(r) => out.push(r?),
            None => bail!("listing the crates' files stopped at the first failure"),
        }
    }
    Ok(out)
}

/// `NAME=LEVEL` or `NAME=X.Y.Z`, as `--level` takes it.
pub fn parse_override(s: &str) -> Result<(String, Override), String> {
    let (name, what) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: give CRATE=LEVEL (major, minor, patch) or CRATE=X.Y.Z"))?;
    let o = match what.parse::<Change>() {
        Ok(c) => Override::Level(c),
        Err(_) => match Version::parse(what) {
            Ok(v) if v.build.is_empty() => Override::Version(v),
            _ => {
                return Err(format!(
                    "`{s}`: `{what}` is neither a level (major, minor, patch) nor a version"
                ));
            }
        },
    };
    Ok((name.to_string(), o))
}
