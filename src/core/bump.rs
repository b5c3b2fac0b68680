//! Where versions are bumped: computes every new version and every file's
//! new content for one `bump`, or the list of problems that prevent it.
//! Nothing is written here; the caller hands the change set to the executor.

use crate::core::changeset::ChangeSet;
use crate::core::config::{Config, Requirements, VersionFile};
use crate::core::lockfile;
use crate::core::manifest::{DepTable, Edit, Field, apply_edits};
use crate::core::pins::{self, Req};
use crate::core::problem::{Problem, Problems};
use crate::core::verify;
use crate::core::version::{Level, bump, downgrade, try_bump};
use crate::core::version_file;
use crate::core::workspace::{Site, VersionSource, Workspace};
use semver::Version;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The outcome of a bump: new versions and new file contents.
#[derive(Debug)]
pub struct Plan {
    /// `(crate index, old, new)` for every member whose version moves.
    pub moves: Vec<(usize, Version, Version)>,
    /// `[workspace.package] version`, old and new, if it moves.
    pub workspace: Option<(Version, Version)>,
    pub changes: ChangeSet,
    /// Why `Cargo.lock` must be re-resolved by `cargo update --workspace`
    /// after the files are written (see [`lockfile::needs_cargo`]); the
    /// change set then leaves the lock to cargo.
    pub relock: Option<String>,
}

/// The packages the root manifest's `[patch.*]` tables replace.
fn patched(ws: &Workspace) -> Vec<String> {
    let Ok(doc) = toml_edit::Document::parse(ws.root().text.as_str()) else {
        return Vec::new();
    };
    let Some(patch) = doc.get("patch").and_then(|p| p.as_table_like()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (_, registry) in patch.iter() {
        for (key, entry) in registry.as_table_like().into_iter().flat_map(|t| t.iter()) {
            let package = entry
                .as_table_like()
                .and_then(|t| t.get("package"))
                .and_then(|p| p.as_str());
            out.push(package.unwrap_or(key).to_string());
        }
    }
    out
}

/// The registry and git requirements of crate `i`, as `(package, req)`.
fn requirements(ws: &Workspace, i: usize) -> Vec<(&str, &str)> {
    let root = ws.root();
    let mut out = Vec::new();
    for d in &ws.manifests[ws.crates[i].manifest].deps {
        let d = if d.inherits {
            match root
                .deps
                .iter()
                .find(|w| w.table == DepTable::Workspace && w.key == d.key)
            {
                Some(w) => w,
                None => continue,
            }
        } else {
            d
        };
        if let (None, Some(req)) = (&d.path, &d.req) {
            out.push((d.package_name(), req.value.as_str()));
        }
    }
    out
}

/// Inputs read from disk besides the manifests.
pub struct Files<'a> {
    /// Contents of the configured version files, by configured path.
    pub version_files: &'a HashMap<PathBuf, Option<String>>,
    /// `Cargo.lock`, if the workspace has one.
    pub lock: Option<&'a str>,
    pub lock_path: &'a Path,
}

/// The new version of every crate under `level` (index-aligned with
/// `ws.crates`), and the workspace version's move.
fn new_versions(ws: &Workspace, level: &Level) -> (Vec<Version>, Option<(Version, Version)>) {
    let ws_old = ws.workspace_version();
    let inherited_publishes = ws
        .crates
        .iter()
        .any(|c| c.publishable && c.version_source == VersionSource::Inherited);
    let ws_move = match (&ws_old, inherited_publishes) {
        (Some(old), true) => Some((old.clone(), bump(old, level))),
        _ => None,
    };
    let news = ws
        .crates
        .iter()
        .map(|c| match c.version_source {
            VersionSource::Inherited => ws_move
                .as_ref()
                .map_or_else(|| c.version.clone(), |(_, n)| n.clone()),
            VersionSource::Literal if c.publishable => match level {
                // An exact version is the workspace's: crates on a line of
                // their own keep theirs.
                Level::Exact(_) if ws_old.as_ref().is_some_and(|w| *w != c.version) => {
                    c.version.clone()
                }
                _ => bump(&c.version, level),
            },
            _ => c.version.clone(),
        })
        .collect();
    (news, ws_move.filter(|(o, n)| o != n))
}

/// Plans a bump of `ws` to `level`.
pub fn plan(
    ws: &Workspace,
    level: &Level,
    config: &Config,
    files: &Files<'_>,
) -> Result<Plan, Problems> {
    let (problems, lock) = checks(ws, config, files);
    let (news, ws_move) = new_versions(ws, level);
    plan_to(ws, news, ws_move, config, files, (problems, lock))
}

/// The requirements, the lock and the version files must be right before
/// they are moved: a wrong one would be carried along silently.
fn checks<'a>(ws: &Workspace, config: &Config, files: &Files<'a>) -> Checked<'a> {
    let mut problems = verify::check_requirements(ws, config);
    let lock = current_lock(ws, files, &mut problems);
    let read = |vf: &VersionFile| files.version_files.get(&vf.path).cloned().flatten();
    problems.extend(verify::check_version_files(ws, config, &read));
    (problems, lock)
}

/// Plans moving every crate to its version in `news` (index-aligned with
/// `ws.crates`; an independent release's selection): crates that inherit
/// the workspace version must all be given the same one, which moves it.
pub fn plan_versions(
    ws: &Workspace,
    news: Vec<Version>,
    config: &Config,
    files: &Files<'_>,
) -> Result<Plan, Problems> {
    let (mut problems, lock) = checks(ws, config, files);
    let inherited: Vec<&Version> = ws
        .crates
        .iter()
        .zip(&news)
        .filter(|(c, _)| c.version_source == VersionSource::Inherited)
        .map(|(_, v)| v)
        .collect();
    let ws_move = match (ws.workspace_version(), inherited.first()) {
        (Some(old), Some(&new)) if old != *new => {
            if inherited.iter().any(|v| *v != new) {
                problems.push(Problem::new(
                    &ws.root().path,
                    None,
                    "crates that inherit the workspace version must move to one version",
                ));
            }
            Some((old, new.clone()))
        }
        _ => None,
    };
    plan_to(ws, news, ws_move, config, files, (problems, lock))
}

/// The problems found so far, and the current lock (if it is current).
type Checked<'a> = (Vec<Problem>, Option<(&'a str, lockfile::Lock<'a>)>);

fn plan_to<'a>(
    ws: &Workspace,
    news: Vec<Version>,
    ws_move: Option<(Version, Version)>,
    config: &Config,
    files: &Files<'a>,
    (mut problems, lock): Checked<'a>,
) -> Result<Plan, Problems> {
    let read = |vf: &VersionFile| files.version_files.get(&vf.path).cloned().flatten();
    let mut edits = version_edits(ws, &news, ws_move.as_ref());
    requirement_edits(ws, config, &news, &mut edits, &mut problems);
    let mut changes = manifest_changes(ws, edits);
    version_file_changes(ws, config, &news, &read, &mut changes);
    let moves = moves(ws, &news);
    let relock = lock.and_then(|(text, lock)| {
        let (relock, rewritten) = move_lock(ws, &lock, &moves);
        // Cargo re-resolves from the lock as it is: the offline rewrite
        // would be a different starting point (it is still run for its
        // checks).
        match rewritten {
            Ok(_) if relock.is_some() => {}
            Ok(new) => changes.set(files.lock_path, Some(text.to_string()), new),
            Err(e) => problems.push(Problem::new(files.lock_path, None, e)),
        }
        relock
    });

    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    Ok(Plan {
        moves,
        workspace: ws_move,
        changes,
        relock,
    })
}

/// `Cargo.lock`, read and checked: `None` when there is none or it is not
/// current (its problems added to `problems`), since a stale lock would be
/// moved along and break `cargo metadata --locked`.
fn current_lock<'a>(
    ws: &Workspace,
    files: &Files<'a>,
    problems: &mut Vec<Problem>,
) -> Option<(&'a str, lockfile::Lock<'a>)> {
    let text = files.lock?;
    match lockfile::read(text) {
        Ok(lock) => {
            let stale = verify::lock_problems(ws, &lock, files.lock_path);
            let current = stale.is_empty();
            problems.extend(stale);
            current.then_some((text, lock))
        }
        Err(e) => {
            problems.push(Problem::new(files.lock_path, None, e));
            None
        }
    }
}

/// The version edits of every manifest (index-aligned with
/// `ws.manifests`): the workspace version's, and every literal version that
/// moves.
fn version_edits(
    ws: &Workspace,
    news: &[Version],
    ws_move: Option<&(Version, Version)>,
) -> Vec<Vec<Edit>> {
    let mut edits: Vec<Vec<Edit>> = vec![Vec::new(); ws.manifests.len()];
    if let Some((_, new)) = ws_move {
        let span = ws
            .root()
            .workspace_package
            .as_ref()
            .and_then(|w| w.version.as_ref())
            .expect("moved")
            .span
            .clone();
        edits[0].push(Edit {
            span,
            value: new.to_string(),
        });
    }
    for (i, c) in ws.crates.iter().enumerate() {
        if c.version_source == VersionSource::Literal && news[i] != c.version {
            let pkg = ws.manifests[c.manifest].package.as_ref().expect("member");
            let Field::Given(s) = &pkg.version else {
                unreachable!("literal version")
            };
            edits[c.manifest].push(Edit {
                span: s.span.clone(),
                value: news[i].to_string(),
            });
        }
    }
    edits
}

/// Adds to `edits` every first-party requirement the new versions change;
/// one that cannot follow is a problem.
fn requirement_edits(
    ws: &Workspace,
    config: &Config,
    news: &[Version],
    edits: &mut [Vec<Edit>],
    problems: &mut Vec<Problem>,
) {
    for &(site, to) in &ws.sites {
        if news[to] == ws.crates[to].version {
            continue;
        }
        // An entry cargo never reads moves with its crate only when it was
        // current; a stale one is left as it is (`verify` warns of it).
        if config.requirements != Requirements::Pinned
            && ws.unused(site)
            && pins::check_kept(ws.req_at(site), "", &ws.crates[to].version).is_some()
        {
            continue;
        }
        let span = ws.dep(site).req.as_ref().expect("site").span.clone();
        match moved_requirement(ws, config.requirements, site, to, &news[to]) {
            Ok(Some(value)) => edits[site.manifest].push(Edit { span, value }),
            Ok(None) => {}
            Err(e) => problems.push(ws.problem_at(site, e)),
        }
    }
}

/// The requirement at `site` on crate `to` once it moves to `new`, if it is
/// rewritten.
fn moved_requirement(
    ws: &Workspace,
    mode: Requirements,
    site: Site,
    to: usize,
    new: &Version,
) -> Result<Option<String>, String> {
    let (req, dep) = (ws.req_at(site), &ws.crates[to]);
    match mode {
        // Unparsable requirements were reported by the checks.
        Requirements::Pinned => Ok(Req::parse(req).ok().map(|r| r.with_version(new))),
        // So was a requirement that does not match today.
        _ if pins::check_kept(req, "", &dep.version).is_some() => Ok(None),
        mode => pins::follow(req, &dep.name, new, mode == Requirements::Follow),
    }
}

/// The manifests' new contents.
fn manifest_changes(ws: &Workspace, edits: Vec<Vec<Edit>>) -> ChangeSet {
    let mut changes = ChangeSet::default();
    for (m, e) in edits.into_iter().enumerate() {
        if !e.is_empty() {
            let man = &ws.manifests[m];
            changes.set(&man.path, Some(man.text.clone()), apply_edits(&man.text, e));
        }
    }
    changes
}

/// Adds every version file's new content to `changes`; one that is missing
/// or names no version was reported by the checks.
fn version_file_changes(
    ws: &Workspace,
    config: &Config,
    news: &[Version],
    read: &dyn Fn(&VersionFile) -> Option<String>,
    changes: &mut ChangeSet,
) {
    for vf in &config.version_files {
        let Some(text) = read(vf) else { continue };
        if let Ok(v) = verify::version_file_version(ws, vf, |i| news[i].clone()) {
            let r = version_file::rewrite(&text, &vf.patterns, &v);
            changes.set(&vf.path, Some(text), r.text);
        }
    }
}

/// `(crate index, old, new)` for every crate whose version moves.
fn moves(ws: &Workspace, news: &[Version]) -> Vec<(usize, Version, Version)> {
    ws.crates
        .iter()
        .enumerate()
        .filter(|(i, c)| news[*i] != c.version)
        .map(|(i, c)| (i, c.version.clone(), news[i].clone()))
        .collect()
}

/// The current lock once `moves` are made: why cargo must re-resolve it,
/// if it must, and its offline rewrite.
fn move_lock(
    ws: &Workspace,
    lock: &lockfile::Lock<'_>,
    moves: &[(usize, Version, Version)],
) -> (Option<String>, Result<String, String>) {
    let lm: Vec<lockfile::Move<'_>> = moves
        .iter()
        .map(|(i, old, new)| lockfile::Move {
            name: &ws.crates[*i].name,
            old,
            new,
        })
        .collect();
    let patched = patched(ws);
    let cx = lockfile::Context {
        patched: patched.iter().map(String::as_str).collect(),
        requirements: moves
            .iter()
            .map(|(i, _, _)| (ws.crates[*i].name.as_str(), requirements(ws, *i)))
            .collect(),
    };
    (
        lockfile::needs_cargo(lock, &lm, &cx),
        lockfile::rewrite(lock, &lm),
    )
}

/// The crates a bump to `level` cannot move because a number is at its
/// largest: each named with the file (and line) its version is written in.
pub fn overflows(ws: &Workspace, level: &Level) -> Vec<Problem> {
    let mut problems = Vec::new();
    let inheriting: Vec<&str> = ws
        .crates
        .iter()
        .filter(|c| c.publishable && c.version_source == VersionSource::Inherited)
        .map(|c| c.name.as_str())
        .collect();
    if let (Some(v), false) = (ws.workspace_version(), inheriting.is_empty())
        && let Err(e) = try_bump(&v, level)
    {
        let root = ws.root();
        let line = root
            .workspace_package
            .as_ref()
            .and_then(|w| w.version.as_ref())
            .map(|s| root.line_of(s.span.start));
        problems.push(Problem::new(
            &root.path,
            line,
            format!(
                "`workspace.package.version` {v} (of {}): {e}; set the versions by hand",
                inheriting.join(", ")
            ),
        ));
    }
    for c in &ws.crates {
        if c.publishable
            && c.version_source == VersionSource::Literal
            && let Err(e) = try_bump(&c.version, level)
        {
            let m = &ws.manifests[c.manifest];
            let line = match m.package.as_ref().map(|p| &p.version) {
                Some(Field::Given(s)) => Some(m.line_of(s.span.start)),
                _ => None,
            };
            problems.push(Problem::new(
                &m.path,
                line,
                format!("`{}` {}: {e}; set its version by hand", c.name, c.version),
            ));
        }
    }
    problems
}

/// The crates `plan` moves below their version (crates on the workspace
/// version reported once, at its line).
pub fn downgrades(ws: &Workspace, plan: &Plan, level: &Level) -> Vec<Problem> {
    let mut problems = Vec::new();
    // Crates on the workspace version are reported once, at its line.
    if let Some((old, new)) = &plan.workspace
        && let Some(why) = downgrade(old, new, level)
    {
        let names: Vec<&str> = plan
            .moves
            .iter()
            .map(|(i, _, _)| &ws.crates[*i])
            .filter(|c| c.version_source == VersionSource::Inherited)
            .map(|c| c.name.as_str())
            .collect();
        problems.push(Problem::new(
            &ws.root().path,
            None,
            format!(
                "`workspace.package.version` would go from {old} to {new} (for {}): {why}",
                names.join(", ")
            ),
        ));
    }
    for (i, old, new) in &plan.moves {
        let c = &ws.crates[*i];
        if c.version_source == VersionSource::Inherited && plan.workspace.is_some() {
            continue;
        }
        if let Some(why) = downgrade(old, new, level) {
            problems.push(Problem::new(
                &ws.manifests[c.manifest].path,
                None,
                format!("`{}` would go from {old} to {new}: {why}", c.name),
            ));
        }
    }
    problems
}

impl Plan {
    /// The train's version after the bump (what tags are named after): the
    /// workspace version's move, else the root package's.
    pub fn new_train_version(&self, ws: &Workspace) -> Option<&Version> {
        let root_pkg = ws
            .crates
            .iter()
            .position(|c| c.manifest == 0)
            .and_then(|r| self.moves.iter().find(|(i, _, _)| *i == r));
        self.workspace
            .as_ref()
            .map(|(_, n)| n)
            .or(root_pkg.map(|(_, _, n)| n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::CratePattern;
    use crate::core::workspace::tests::sample;

    fn config() -> Config {
        Config {
            public: vec![CratePattern("a".into())],
            requirements: Requirements::Pinned,
            ..Config::default()
        }
    }

    fn run(level: &str) -> Result<Plan, Problems> {
        let w = sample();
        let vf = HashMap::new();
        let files = Files {
            version_files: &vf,
            lock: None,
            lock_path: Path::new("Cargo.lock"),
        };
        plan(&w, &level.parse().unwrap(), &config(), &files)
    }

    fn file<'a>(p: &'a Plan, path: &str) -> &'a str {
        &p.changes
            .files
            .iter()
            .find(|f| f.path == Path::new(path))
            .unwrap()
            .after
    }

    #[test]
    fn major_moves_publishable_crates_and_their_requirements() {
        let p = run("major").unwrap();
        let w = sample();
        let moves: Vec<_> = p
            .moves
            .iter()
            .map(|(i, o, n)| format!("{} {o} -> {n}", w.crates[*i].name))
            .collect();
        assert_eq!(
            moves,
            [
                "a 1.0.0-dev -> 2.0.0-dev",
                "b 1.0.0-dev -> 2.0.0-dev",
                "c 0.3.0 -> 0.4.0-dev"
            ]
        );
        let root = file(&p, "Cargo.toml");
        assert!(root.contains("version = \"2.0.0-dev\"\nlicense"), "{root}");
        assert!(
            root.contains("a = { path = \"a\", version = \"2.0.0-dev\" }"),
            "{root}"
        );
        assert!(
            root.contains("b = { path = \"b\", version = \"=2.0.0-dev\" }"),
            "{root}"
        );
        assert!(
            file(&p, "b/Cargo.toml").contains("c = { path = \"../c\", version = \"=0.4.0-dev\" }")
        );
        assert!(file(&p, "c/Cargo.toml").contains("version = \"0.4.0-dev\""));
        // `tool` is not published: its version stays and nothing of it changes.
        assert!(
            p.changes
                .files
                .iter()
                .all(|f| f.path != Path::new("tool/Cargo.toml"))
        );
        assert_eq!(p.changes.files.len(), 3);
    }

    #[test]
    fn exact_version_leaves_crates_on_their_own_line() {
        let p = run("3.1.4").unwrap();
        let names: Vec<_> = p.moves.iter().map(|(i, _, n)| format!("{i}:{n}")).collect();
        assert_eq!(names, ["0:3.1.4", "1:3.1.4"]);
    }

    #[test]
    fn policy_violations_stop_the_bump() {
        let w = sample();
        // `a` is not public here, so its caret pin is wrong.
        let cfg = Config {
            requirements: Requirements::Pinned,
            ..Config::default()
        };
        let vf = HashMap::new();
        let files = Files {
            version_files: &vf,
            lock: None,
            lock_path: Path::new("Cargo.lock"),
        };
        let e = plan(&w, &Level::Major, &cfg, &files)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("Cargo.toml:9: `a` is internal and must be required exactly"),
            "{e}"
        );
    }
}
