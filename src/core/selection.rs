//! Which crates an independent release moves, and to what: a crate moves
//! when a file it ships changed since its last release, or when a crate it
//! depends on moves past what its requirement takes. Each crate's level is
//! the most its evidence calls for (its commits' conventional types, the
//! semver checker's verdict, a dependency's break), unless the command line
//! says otherwise. Pure: the history is read by the caller.

use crate::core::manifest::DepKind;
use crate::core::pins;
use crate::core::problem::{Problem, Problems};
use crate::core::version::{Change, breaks, next_release};
use crate::core::workspace::{VersionSource, Workspace};
use semver::Version;
use std::collections::BTreeMap;

/// What was read of one crate's history (index-aligned with `ws.crates`).
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Its last release: the tag and the version it names.
    pub last: Option<(String, Version)>,
    /// Files it ships that changed since then (relative to its directory).
    pub changed: Vec<String>,
    /// What its commits' conventional types call for, with the first
    /// subject that calls for it.
    pub commits: Option<(Change, String)>,
    /// What cargo-semver-checks calls for, with the lints that failed.
    pub semver: Option<(Change, Vec<String>)>,
}

/// A level set on the command line (`--level gix-hash=minor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    Level(Change),
    Version(Version),
}

/// Why a crate moves; a move has one or more.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "reason")]
pub enum Reason {
    /// Files it ships changed since its last release.
    Changed {
        since: String,
        files: usize,
        first: String,
    },
    /// It has no release tag: it is released at its version.
    FirstRelease,
    /// Its version was moved by hand past its last release.
    AlreadyMoved { version: String },
    /// Its commits call for this level.
    Commits { level: String, subject: String },
    /// cargo-semver-checks calls for this level.
    Semver { level: String, lints: Vec<String> },
    /// A dependency moves past what its requirement takes.
    Requirement {
        dependency: String,
        version: String,
        breaking: bool,
    },
    /// It shares the workspace version with a crate that moves.
    SharesWorkspaceVersion { with: String },
    /// The command line set its level or version.
    Override { to: String },
}

/// One crate that moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub krate: usize,
    /// Its last release's version (its manifest's, for a first release).
    pub from: Version,
    pub to: Version,
    pub change: Change,
    pub reasons: Vec<Reason>,
}

/// The rules' settings.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// A normal dependency's break breaks its dependents too.
    pub safety_bumps: bool,
    /// Only crates whose version was moved by hand past their last release
    /// move on their own, to that version.
    pub bumped_only: bool,
}

/// The crates that move, dependencies before dependents where the graph
/// allows, and the new version of every crate (index-aligned with
/// `ws.crates`; unchanged crates keep theirs).
#[derive(Debug, Clone)]
pub struct Selection {
    pub moves: Vec<Move>,
    pub versions: Vec<Version>,
}

impl Selection {
    pub fn find(&self, krate: usize) -> Option<&Move> {
        self.moves.iter().find(|m| m.krate == krate)
    }
}

/// Selects the crates that move. `eligible(i)`: crate `i` is released by
/// the train (publishable and not excluded). An override that names no
/// crate of the workspace, or an ineligible one, is a problem.
pub fn select(
    ws: &Workspace,
    history: &[History],
    overrides: &BTreeMap<String, Override>,
    eligible: &dyn Fn(usize) -> bool,
    rules: Rules,
) -> Result<Selection, Problems> {
    let mut problems = Vec::new();
    for name in overrides.keys() {
        match ws.find(name) {
            Some(i) if eligible(i) => {}
            Some(_) => problems.push(Problem::new(
                &ws.root().path,
                None,
                format!("`--level {name}=…`: `{name}` is not released by the train (publish = false or excluded)"),
            )),
            None => problems.push(Problem::new(
                &ws.root().path,
                None,
                format!("`--level {name}=…`: the workspace has no crate `{name}`"),
            )),
        }
    }
    let n = ws.crates.len();
    let mut state: Vec<Option<(Change, Vec<Reason>)>> = vec![None; n];
    // The crates with evidence of their own.
    for i in (0..n).filter(|&i| eligible(i)) {
        if let Some(s) = own_change(ws, i, &history[i], rules.bumped_only) {
            state[i] = Some(s);
        }
    }
    // Dependents follow until nothing more moves: levels only rise, so
    // this ends (at most one rise per crate and level).
    for _ in 0..=3 * n + 1 {
        let versions = match targets(ws, history, &state, overrides, rules) {
            Ok(v) => v,
            Err(p) => {
                problems.extend(p);
                return Err(Problems(problems));
            }
        };
        if !follow(ws, &versions, &mut state, eligible, rules)
            && !share_workspace_version(ws, &mut state, eligible)
        {
            break;
        }
    }
    for (name, o) in overrides {
        if let Some(i) = ws.find(name).filter(|&i| eligible(i)) {
            let to = match o {
                Override::Level(c) => c.to_string(),
                Override::Version(v) => v.to_string(),
            };
            let entry = state[i].get_or_insert((Change::Fix, Vec::new()));
            entry.1.push(Reason::Override { to });
        }
    }
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    let versions = targets(ws, history, &state, overrides, rules).map_err(Problems)?;
    let order = crate::core::graph::publish_order(ws).unwrap_or_else(|_| (0..n).collect());
    let moves = order
        .into_iter()
        .filter_map(|i| {
            let (change, reasons) = state[i].clone()?;
            // From its last release: a version moved by hand since is part
            // of the move.
            let from = history[i]
                .last
                .as_ref()
                .map_or_else(|| ws.crates[i].version.clone(), |(_, v)| v.clone());
            Some(Move {
                krate: i,
                from,
                to: versions[i].clone(),
                change,
                reasons,
            })
        })
        .collect();
    Ok(Selection { moves, versions })
}

/// A crate's own evidence: changed files, and what its commits and the
/// checker call for.
fn own_change(
    ws: &Workspace,
    i: usize,
    h: &History,
    bumped_only: bool,
) -> Option<(Change, Vec<Reason>)> {
    let c = &ws.crates[i];
    let Some((tag, last)) = &h.last else {
        return Some((Change::Fix, vec![Reason::FirstRelease]));
    };
    let mut reasons = Vec::new();
    if c.version > *last {
        reasons.push(Reason::AlreadyMoved {
            version: c.version.to_string(),
        });
    }
    if bumped_only && reasons.is_empty() {
        return None;
    }
    if let Some(first) = h.changed.first() {
        reasons.push(Reason::Changed {
            since: tag.clone(),
            files: h.changed.len(),
            first: first.clone(),
        });
    }
    if reasons.is_empty() {
        return None;
    }
    let mut change = Change::Fix;
    if let Some((level, subject)) = &h.commits {
        change = change.max(*level);
        reasons.push(Reason::Commits {
            level: level.to_string(),
            subject: subject.clone(),
        });
    }
    if let Some((level, lints)) = &h.semver {
        change = change.max(*level);
        reasons.push(Reason::Semver {
            level: level.to_string(),
            lints: lints.clone(),
        });
    }
    Some((change, reasons))
}

/// `v` without its pre-release part: what it leads to.
fn release_of(v: &Version) -> Version {
    Version::new(v.major, v.minor, v.patch)
}

/// The version each crate moves to under `state`.
fn targets(
    ws: &Workspace,
    history: &[History],
    state: &[Option<(Change, Vec<Reason>)>],
    overrides: &BTreeMap<String, Override>,
    rules: Rules,
) -> Result<Vec<Version>, Vec<Problem>> {
    let mut out = Vec::with_capacity(ws.crates.len());
    let mut problems = Vec::new();
    for (i, c) in ws.crates.iter().enumerate() {
        let Some((change, _)) = &state[i] else {
            out.push(c.version.clone());
            continue;
        };
        let set = overrides.get(&c.name);
        let v = match (set, &history[i].last) {
            (Some(Override::Version(v)), _) => Ok(v.clone()),
            (Some(Override::Level(l)), Some((_, last))) => next_release(last, *l),
            (None, Some((_, last))) => next_release(last, *change),
            // A first release is the version the manifest names.
            (_, None) => Ok(release_of(&c.version)),
        };
        match v {
            // A version already moved by hand further stays; so does any
            // moved by hand when the project bumps in its pull requests.
            Ok(v)
                if set.is_none()
                    && (c.version.pre.is_empty() && c.version > v
                        || rules.bumped_only
                            && history[i]
                                .last
                                .as_ref()
                                .is_some_and(|(_, l)| c.version > *l)) =>
            {
                out.push(c.version.clone())
            }
            Ok(v) => out.push(v),
            Err(e) => {
                let man = &ws.manifests[c.manifest];
                problems.push(Problem::new(&man.path, None, format!("`{}`: {e}", c.name)));
                out.push(c.version.clone());
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Raises every dependent whose requirement no longer takes its
/// dependency's new version; whether anything rose.
fn follow(
    ws: &Workspace,
    versions: &[Version],
    state: &mut [Option<(Change, Vec<Reason>)>],
    eligible: &dyn Fn(usize) -> bool,
    rules: Rules,
) -> bool {
    let mut rose = false;
    for e in &ws.edges {
        let Some(site) = e.req else { continue };
        let (old, new) = (&ws.crates[e.to].version, &versions[e.to]);
        if old == new || !eligible(e.from) || ws.unused(site) {
            continue;
        }
        if pins::check_kept(ws.req_at(site), "", new).is_none() {
            continue;
        }
        let breaking = breaks(old, new);
        // A dev-dependency is not part of what users build, but the
        // manifest the crate ships changes: a patch.
        let need = if breaking && rules.safety_bumps && e.kind == DepKind::Normal {
            Change::Breaking
        } else {
            Change::Fix
        };
        let reason = Reason::Requirement {
            dependency: ws.crates[e.to].name.clone(),
            version: new.to_string(),
            breaking,
        };
        match &mut state[e.from] {
            Some((level, reasons)) => {
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
                if need > *level {
                    *level = need;
                    rose = true;
                }
            }
            slot @ None => {
                *slot = Some((need, vec![reason]));
                rose = true;
            }
        }
    }
    rose
}

/// Crates that inherit the workspace version move together, at the most
/// any of them needs; whether anything rose.
fn share_workspace_version(
    ws: &Workspace,
    state: &mut [Option<(Change, Vec<Reason>)>],
    eligible: &dyn Fn(usize) -> bool,
) -> bool {
    let group: Vec<usize> = (0..ws.crates.len())
        .filter(|&i| ws.crates[i].version_source == VersionSource::Inherited && eligible(i))
        .collect();
    let Some((top, lead)) = group
        .iter()
        .filter_map(|&i| state[i].as_ref().map(|(c, _)| (*c, i)))
        .max()
    else {
        return false;
    };
    let mut rose = false;
    for &i in &group {
        let with = ws.crates[lead].name.clone();
        match &mut state[i] {
            Some((c, _)) if *c >= top => {}
            Some((c, reasons)) => {
                *c = top;
                reasons.push(Reason::SharesWorkspaceVersion { with });
                rose = true;
            }
            slot @ None => {
                *slot = Some((top, vec![Reason::SharesWorkspaceVersion { with }]));
                rose = true;
            }
        }
    }
    rose
}

/// The release model: configured, else lockstep when the workspace has one
/// version (a `[workspace.package] version`, or every crate the train
/// releases on the same one), else independent.
pub fn model(
    ws: &Workspace,
    configured: Option<crate::core::config::Model>,
    eligible: &dyn Fn(usize) -> bool,
) -> crate::core::config::Model {
    use crate::core::config::Model;
    if let Some(m) = configured {
        return m;
    }
    if ws.workspace_version().is_some() || ws.train_version().is_some() {
        return Model::Lockstep;
    }
    let mut versions = (0..ws.crates.len())
        .filter(|&i| eligible(i))
        .map(|i| &ws.crates[i].version);
    match versions.next() {
        Some(first) if versions.all(|v| v == first) => Model::Lockstep,
        None => Model::Lockstep,
        Some(_) => Model::Independent,
    }
}

/// Which crates `roots` and their normal and build dependencies are,
/// transitively (index-aligned with `ws.crates`).
pub fn closure(ws: &Workspace, roots: &[usize]) -> Vec<bool> {
    let mut inside = vec![false; ws.crates.len()];
    let mut todo: Vec<usize> = roots.to_vec();
    while let Some(i) = todo.pop() {
        if std::mem::replace(&mut inside[i], true) {
            continue;
        }
        todo.extend(
            ws.edges
                .iter()
                .filter(|e| e.from == i && e.kind != DepKind::Dev)
                .map(|e| e.to),
        );
    }
    inside
}

/// One line per reason, for the plan and `changes`.
pub fn describe(r: &Reason) -> String {
    match r {
        Reason::Changed {
            since,
            files,
            first,
        } => {
            let more = if *files > 1 {
                format!(" and {} more", files - 1)
            } else {
                String::new()
            };
            format!("{first}{more} changed since {since}")
        }
        Reason::FirstRelease => "no release tag yet: first release at its version".into(),
        Reason::AlreadyMoved { version } => {
            format!("its version was moved to {version} since its last release")
        }
        Reason::Commits { level, subject } => format!("commits call for {level}: \"{subject}\""),
        Reason::Semver { level, lints } if lints.is_empty() => {
            format!("cargo-semver-checks calls for {level}: no lint fails")
        }
        Reason::Semver { level, lints } => {
            format!(
                "cargo-semver-checks calls for {level}: {}",
                lints.join(", ")
            )
        }
        Reason::Requirement {
            dependency,
            version,
            breaking,
        } => format!(
            "its requirement on {dependency} does not take {version}{}",
            if *breaking { " (a break)" } else { "" }
        ),
        Reason::SharesWorkspaceVersion { with } => {
            format!("shares the workspace version with {with}")
        }
        Reason::Override { to } => format!("set to {to} on the command line"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::workspace::tests::ws;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    /// `core` 0.4.0 <- `net` 0.2.1 (normal, "0.4") <- `app` 1.3.0 (normal,
    /// "0.2"); `tool` 0.1.0 dev-depends on `core` ("0.4").
    fn sample() -> Workspace {
        ws(&[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"core\", \"net\", \"app\", \"tool\"]\n",
            ),
            (
                "core/Cargo.toml",
                "[package]\nname = \"core\"\nversion = \"0.4.0\"\n",
            ),
            (
                "net/Cargo.toml",
                "[package]\nname = \"net\"\nversion = \"0.2.1\"\n[dependencies]\ncore = { path = \"../core\", version = \"0.4\" }\n",
            ),
            (
                "app/Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"1.3.0\"\n[dependencies]\nnet = { path = \"../net\", version = \"0.2\" }\n",
            ),
            (
                "tool/Cargo.toml",
                "[package]\nname = \"tool\"\nversion = \"0.1.0\"\n[dev-dependencies]\ncore = { path = \"../core\", version = \"0.4\" }\n",
            ),
        ])
    }

    fn released(ws: &Workspace) -> Vec<History> {
        ws.crates
            .iter()
            .map(|c| History {
                last: Some((format!("{}-v{}", c.name, c.version), c.version.clone())),
                ..History::default()
            })
            .collect()
    }

    fn run(ws: &Workspace, h: &[History], o: &[(&str, Override)]) -> Selection {
        let o = o.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        select(
            ws,
            h,
            &o,
            &|_| true,
            Rules {
                safety_bumps: true,
                bumped_only: false,
            },
        )
        .unwrap()
    }

    fn summary(ws: &Workspace, s: &Selection) -> Vec<String> {
        s.moves
            .iter()
            .map(|m| format!("{} {} -> {}", ws.crates[m.krate].name, m.from, m.to))
            .collect()
    }

    #[test]
    fn nothing_changed_nothing_moves() {
        let w = sample();
        assert!(run(&w, &released(&w), &[]).moves.is_empty());
    }

    #[test]
    fn a_fix_moves_only_its_crate_when_requirements_still_take_it() {
        let w = sample();
        let mut h = released(&w);
        h[0].changed = vec!["src/lib.rs".into()];
        h[0].commits = Some((Change::Fix, "fix: off by one".into()));
        let s = run(&w, &h, &[]);
        assert_eq!(summary(&w, &s), ["core 0.4.0 -> 0.4.1"]);
        assert_eq!(s.versions[1], v("0.2.1"));
    }

    #[test]
    fn a_break_moves_its_dependents_as_breaks_and_dev_dependents_as_patches() {
        let w = sample();
        let mut h = released(&w);
        h[0].changed = vec!["src/lib.rs".into(), "src/a.rs".into()];
        h[0].semver = Some((Change::Breaking, vec!["function_missing".into()]));
        let s = run(&w, &h, &[]);
        assert_eq!(
            summary(&w, &s),
            [
                "core 0.4.0 -> 0.5.0",
                "net 0.2.1 -> 0.3.0",
                "app 1.3.0 -> 2.0.0",
                "tool 0.1.0 -> 0.1.1"
            ]
        );
        let net = s.find(1).unwrap();
        assert_eq!(
            describe(&net.reasons[0]),
            "its requirement on core does not take 0.5.0 (a break)"
        );
        assert_eq!(
            describe(&s.find(0).unwrap().reasons[0]),
            "src/lib.rs and 1 more changed since core-v0.4.0"
        );
        let patch = select(
            &w,
            &h,
            &BTreeMap::new(),
            &|_| true,
            Rules {
                safety_bumps: false,
                bumped_only: false,
            },
        )
        .unwrap();
        assert_eq!(
            summary(&w, &patch),
            [
                "core 0.4.0 -> 0.5.0",
                "net 0.2.1 -> 0.2.2",
                "tool 0.1.0 -> 0.1.1"
            ]
        );
    }

    #[test]
    fn levels_only_rise_and_overrides_win() {
        let w = sample();
        let mut h = released(&w);
        h[1].changed = vec!["src/lib.rs".into()];
        h[1].commits = Some((Change::Feature, "feat: streams".into()));
        h[1].semver = Some((Change::Fix, vec![]));
        let s = run(&w, &h, &[]);
        assert_eq!(summary(&w, &s), ["net 0.2.1 -> 0.2.2"]);
        let s = run(&w, &h, &[("net", Override::Level(Change::Breaking))]);
        assert_eq!(
            summary(&w, &s),
            ["net 0.2.1 -> 0.3.0", "app 1.3.0 -> 2.0.0"]
        );
        let s = run(&w, &h, &[("app", Override::Version(v("1.4.0")))]);
        assert_eq!(
            summary(&w, &s),
            ["net 0.2.1 -> 0.2.2", "app 1.3.0 -> 1.4.0"]
        );
    }

    #[test]
    fn first_releases_and_hand_moved_versions() {
        let w = sample();
        let mut h = released(&w);
        h[3].last = None;
        h[2].last = Some(("app-v1.2.0".into(), v("1.2.0")));
        let s = run(&w, &h, &[]);
        assert_eq!(
            summary(&w, &s),
            ["app 1.2.0 -> 1.3.0", "tool 0.1.0 -> 0.1.0"]
        );
        assert_eq!(s.find(3).unwrap().reasons, [Reason::FirstRelease]);
    }

    #[test]
    fn bumped_only_takes_versions_moved_by_hand_as_they_are() {
        let w = sample();
        let mut h = released(&w);
        h[0].changed = vec!["src/lib.rs".into()];
        h[1].last = Some(("net-v0.2.0".into(), v("0.2.0")));
        h[1].commits = Some((Change::Breaking, "feat!: x".into()));
        let rules = Rules {
            safety_bumps: true,
            bumped_only: true,
        };
        let s = select(&w, &h, &BTreeMap::new(), &|_| true, rules).unwrap();
        assert_eq!(summary(&w, &s), ["net 0.2.0 -> 0.2.1"]);
        let pre = ws(&[
            ("Cargo.toml", "[workspace]\nmembers = [\"s\"]\n"),
            (
                "s/Cargo.toml",
                "[package]\nname = \"s\"\nversion = \"0.4.0-alpha\"\n",
            ),
        ]);
        let h = vec![History {
            last: Some(("s-v0.3.0-alpha".into(), v("0.3.0-alpha"))),
            ..History::default()
        }];
        let s = select(&pre, &h, &BTreeMap::new(), &|_| true, rules).unwrap();
        assert_eq!(summary(&pre, &s), ["s 0.3.0-alpha -> 0.4.0-alpha"]);
        // Released at the pre-release it is at: nothing moved since.
        let h = vec![History {
            last: Some(("s-v0.4.0-alpha".into(), v("0.4.0-alpha"))),
            ..History::default()
        }];
        assert!(
            select(&pre, &h, &BTreeMap::new(), &|_| true, rules)
                .unwrap()
                .moves
                .is_empty()
        );
    }

    #[test]
    fn unknown_or_unreleased_overrides_are_refused() {
        let w = sample();
        let h = released(&w);
        let o: BTreeMap<_, _> = [("nope".to_string(), Override::Level(Change::Fix))].into();
        let e = select(
            &w,
            &h,
            &o,
            &|_| true,
            Rules {
                safety_bumps: true,
                bumped_only: false,
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("no crate `nope`"), "{e}");
        let o: BTreeMap<_, _> = [("tool".to_string(), Override::Level(Change::Fix))].into();
        let e = select(
            &w,
            &h,
            &o,
            &|i| i != 3,
            Rules {
                safety_bumps: true,
                bumped_only: false,
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("not released by the train"), "{e}");
    }

    #[test]
    fn the_closure_of_roots_follows_normal_dependencies_only() {
        let w = sample();
        assert_eq!(closure(&w, &[2]), [true, true, true, false]);
        assert_eq!(closure(&w, &[3]), [false, false, false, true]);
    }

    #[test]
    fn crates_on_the_workspace_version_move_together() {
        let w = ws(&[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"a\", \"b\"]\n[workspace.package]\nversion = \"0.3.0\"\n",
            ),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion.workspace = true\n",
            ),
            (
                "b/Cargo.toml",
                "[package]\nname = \"b\"\nversion.workspace = true\n",
            ),
        ]);
        let mut h = released(&w);
        h[0].changed = vec!["src/lib.rs".into()];
        let s = run(&w, &h, &[]);
        assert_eq!(summary(&w, &s), ["a 0.3.0 -> 0.3.1", "b 0.3.0 -> 0.3.1"]);
    }
}
