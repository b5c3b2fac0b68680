//! Everything that would break a publish, found before release day. Each
//! check returns every problem it sees, located at a file and line.

use crate::core::config::{Config, Requirements, VersionFile};
use crate::core::graph;
use crate::core::lockfile;
use crate::core::manifest::{DepKind, DepTable, Field};
use crate::core::pins;
use crate::core::problem::Problem;
use crate::core::version_file;
use crate::core::workspace::{Edge, Workspace};
use semver::Version;

/// Every first-party requirement matches its dependency's current version;
/// under the pin policy it names that version, with the operator the policy
/// asks for when the dependency publishes.
pub fn check_requirements(ws: &Workspace, config: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    let lenient = config.requirements != Requirements::Pinned;
    for &(site, to) in ws.sites.iter().filter(|(s, _)| !(lenient && ws.unused(*s))) {
        let c = &ws.crates[to];
        if config.requirements != Requirements::Pinned {
            if let Some(msg) = pins::check_kept(ws.req_at(site), &c.name, &c.version) {
                out.push(ws.problem_at(site, msg));
            }
            continue;
        }
        let public = c.publishable.then(|| config.is_public(&c.name));
        for msg in pins::check(ws.req_at(site), &c.name, &c.version, public) {
            out.push(ws.problem_at(site, msg));
        }
    }
    out
}

/// Warnings, not problems: `[workspace.dependencies]` entries on a member
/// that no member inherits and that do not match it. Cargo never reads
/// them (the workspace builds and publishes), so neither `verify` nor
/// `bump` refuses them, and `bump` leaves them as they are. The opt-in pin
/// policy checks every entry, these too.
pub fn stale_entries(ws: &Workspace, config: &Config) -> Vec<Problem> {
    if config.requirements == Requirements::Pinned {
        return Vec::new();
    }
    ws.sites
        .iter()
        .filter(|(s, _)| ws.unused(*s))
        .filter_map(|&(site, to)| {
            let c = &ws.crates[to];
            pins::check_kept(ws.req_at(site), &c.name, &c.version).map(|msg| {
                ws.problem_at(
                    site,
                    format!(
                        "{msg}; no member inherits this entry, so cargo ignores it (fix or \
                         remove it)"
                    ),
                )
            })
        })
        .collect()
}

/// Warnings: a `[patch.<registry>]` entry of the root that points at a
/// member on a pre-release (`main`'s `-dev`). A requirement such as `"1.47"`
/// matches no pre-release, so cargo leaves the patch unused and builds the
/// registry's crate instead, silently (tokio patches its crates this way).
pub fn unused_patches(ws: &Workspace) -> Vec<Problem> {
    let root = ws.root();
    let Ok(doc) = toml_edit::Document::parse(root.text.as_str()) else {
        return Vec::new();
    };
    let Some(patch) = doc.get("patch").and_then(toml_edit::Item::as_table_like) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (source, entries) in patch.iter() {
        let Some(entries) = entries.as_table_like() else {
            continue;
        };
        for (key, entry) in entries.iter() {
            let Some(e) = entry.as_table_like() else {
                continue;
            };
            if e.get("path").is_none() {
                continue;
            }
            let name = e.get("package").and_then(|p| p.as_str()).unwrap_or(key);
            let Some(c) = ws.find(name).map(|i| &ws.crates[i]) else {
                continue;
            };
            if c.version.pre.is_empty() {
                continue;
            }
            let line = entry.span().map(|s| root.line_of(s.start));
            out.push(Problem::new(
                &root.path,
                line,
                format!(
                    "`[patch.{source}] {key}` points at `{name}` {}, a pre-release: requirements \
                     on a released line (\"{}.{}\") do not match it, so cargo leaves the patch \
                     unused; give such requirements the `-dev` version, or drop the patch while \
                     `{name}` is on a pre-release",
                    c.version, c.version.major, c.version.minor
                ),
            ));
        }
    }
    out
}

/// `Cargo.lock` is current: no conflict markers, every member at its version
/// with every dependency its manifest names (a dependency added without
/// re-locking makes `cargo metadata --locked` fail after a bump).
pub fn check_lock(ws: &Workspace, text: &str, path: &std::path::Path) -> Vec<Problem> {
    match lockfile::read(text) {
        Ok(lock) => lock_problems(ws, &lock, path),
        Err(e) => vec![Problem::new(path, None, e)],
    }
}

/// [`check_lock`] on a lock file already read.
pub fn lock_problems(
    ws: &Workspace,
    lock: &lockfile::Lock<'_>,
    path: &std::path::Path,
) -> Vec<Problem> {
    let root = ws.root();
    let members: Vec<lockfile::Member<'_>> = ws
        .crates
        .iter()
        .map(|c| lockfile::Member {
            name: &c.name,
            version: &c.version,
            deps: ws.manifests[c.manifest]
                .deps
                .iter()
                .filter(|d| matches!(d.table, DepTable::Package { .. }))
                .map(|d| {
                    if d.inherits {
                        root.deps
                            .iter()
                            .find(|w| w.table == DepTable::Workspace && w.key == d.key)
                            .map_or(d.key.as_str(), |w| w.package_name())
                    } else {
                        d.package_name()
                    }
                })
                .filter(|n| *n != c.name)
                .collect(),
        })
        .collect();
    lockfile::check(lock, &members)
        .into_iter()
        .map(|m| Problem::new(path, None, m))
        .collect()
}

/// The version a version file carries: its crate's, else the workspace's,
/// else the root package's.
pub fn version_file_version(
    ws: &Workspace,
    vf: &VersionFile,
    version_of: impl Fn(usize) -> Version,
) -> Result<Version, String> {
    if let Some(name) = &vf.krate {
        return ws
            .find(name)
            .map(&version_of)
            .ok_or_else(|| format!("names crate `{name}`, which is not a workspace member"));
    }
    if let Some(i) = ws
        .crates
        .iter()
        .position(|c| c.manifest == 0)
        .filter(|_| ws.workspace_version().is_none())
    {
        return Ok(version_of(i));
    }
    // The workspace version: take it from any member that inherits it, so
    // that a bump's new value is used.
    match ws
        .crates
        .iter()
        .position(|c| c.version_source == crate::core::workspace::VersionSource::Inherited)
    {
        Some(i) => Ok(version_of(i)),
        None => ws
            .workspace_version()
            .ok_or_else(|| "the workspace has no version to put in it; set `crate`".to_string()),
    }
}

/// Version files carry the current version on every configured line.
pub fn check_version_files(
    ws: &Workspace,
    config: &Config,
    read: &dyn Fn(&VersionFile) -> Option<String>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for vf in &config.version_files {
        let v = match version_file_version(ws, vf, |i| ws.crates[i].version.clone()) {
            Ok(v) => v,
            Err(e) => {
                out.push(Problem::new(&vf.path, None, e));
                continue;
            }
        };
        let Some(text) = read(vf) else {
            out.push(Problem::new(&vf.path, None, "version file not found"));
            continue;
        };
        let r = version_file::rewrite(&text, &vf.patterns, &v);
        for t in r.unmatched {
            out.push(Problem::new(
                &vf.path,
                None,
                format!("no line matches `{t}`"),
            ));
        }
        for line in r.stale_lines {
            out.push(Problem::new(
                &vf.path,
                Some(line),
                format!("does not carry version {v}"),
            ));
        }
    }
    out
}

/// Runs every check of `cargo train verify` that needs no network.
pub fn verify(
    ws: &Workspace,
    config: &Config,
    read: &dyn Fn(&VersionFile) -> Option<String>,
) -> Vec<Problem> {
    let mut out = check_package_fields(ws);
    out.extend(check_dependencies(ws, config));
    out.extend(check_requirements(ws, config));
    out.extend(check_version_files(ws, config, read));
    if let Err(e) = graph::publish_order(ws) {
        out.push(Problem::new(&ws.root().path, None, e.to_string()));
    }
    out
}

/// Every published crate has the fields a registry requires: a
/// `description`, and a `license` or `license-file`.
fn check_package_fields(ws: &Workspace) -> Vec<Problem> {
    let mut out = Vec::new();
    let root_pkg = ws.root().workspace_package.clone().unwrap_or_default();
    for c in ws.crates.iter().filter(|c| c.publishable) {
        let man = &ws.manifests[c.manifest];
        let pkg = man.package.as_ref().expect("members have a [package]");
        let present = |f: &Field<()>, inherited: bool| match f {
            Field::Given(()) => true,
            Field::Inherited => inherited,
            Field::Missing => false,
        };
        if !present(&pkg.description, root_pkg.description) {
            out.push(Problem::new(
                &man.path,
                None,
                format!("`{}` is published but has no `description`", c.name),
            ));
        }
        if !present(&pkg.license, root_pkg.license)
            && !present(&pkg.license_file, root_pkg.license_file)
        {
            out.push(Problem::new(
                &man.path,
                None,
                format!(
                    "`{}` is published but has no `license` or `license-file`",
                    c.name
                ),
            ));
        }
    }
    out
}

/// Every first-party dependency of a published crate can be published
/// with it: its dependency publishes too, and is required by version.
fn check_dependencies(ws: &Workspace, config: &Config) -> Vec<Problem> {
    ws.edges
        .iter()
        .filter(|e| ws.crates[e.from].publishable)
        .filter_map(|e| dependency_problem(ws, config, e))
        .collect()
}

/// What keeps the dependency `e` of a published crate from being published.
fn dependency_problem(ws: &Workspace, config: &Config, e: &Edge) -> Option<Problem> {
    let (from, to) = (&ws.crates[e.from], &ws.crates[e.to]);
    let kind = e.kind;
    let needed = kind != DepKind::Dev || e.req.is_some();
    if needed && !to.publishable {
        Some(ws.problem_at(
            e.entry,
            format!(
                "`{}` is published but its {} on `{}` is not (`publish = false`){}",
                from.name,
                kind.table_name().trim_end_matches('s').replace("dependencie", "dependency"),
                to.name,
                if kind == DepKind::Dev {
                    "; drop the dev-dependency's `version` so cargo strips it"
                } else {
                    ""
                }
            ),
        ))
    } else if kind != DepKind::Dev && e.req.is_none() {
        Some(ws.problem_at(
            e.entry,
            format!(
                "`{}` is published but requires `{}` by path only: add `version = \"{}{}\"`",
                from.name,
                to.name,
                if config.requirements == Requirements::Pinned && !config.is_public(&to.name) {
                    "="
                } else {
                    ""
                },
                to.version
            ),
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::workspace::tests::{sample, ws};

    #[test]
    fn sample_is_clean_but_for_metadata() {
        let w = sample();
        let c = Config {
            public: vec![crate::core::config::CratePattern("a".into())],
            requirements: Requirements::Pinned,
            ..Config::default()
        };
        let ps = verify(&w, &c, &|_| None);
        let msgs: Vec<_> = ps.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "a/Cargo.toml: `a` is published but has no `description`",
                "a/Cargo.toml: `a` is published but has no `license` or `license-file`",
                "b/Cargo.toml: `b` is published but has no `description`",
                "b/Cargo.toml: `b` is published but has no `license` or `license-file`",
                "c/Cargo.toml: `c` is published but has no `description`",
                "c/Cargo.toml: `c` is published but has no `license` or `license-file`",
            ]
        );
    }

    #[test]
    fn finds_every_dependency_problem_at_once() {
        let w = ws(&[
            (
                "Cargo.toml",
                "[workspace]\n[workspace.package]\nlicense = \"MIT\"\ndescription = \"d\"\n",
            ),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"1.0.0\"\nlicense.workspace = true\ndescription.workspace = true\n\
                 [dependencies]\nb = { path = \"../b\" }\ntool = { path = \"../tool\", version = \"=0.1.0\" }\n\
                 c = { path = \"../c\", version = \"=0.9.0\" }\n",
            ),
            (
                "b/Cargo.toml",
                "[package]\nname = \"b\"\nversion = \"1.0.0\"\nlicense = \"MIT\"\ndescription = \"d\"\n",
            ),
            (
                "c/Cargo.toml",
                "[package]\nname = \"c\"\nversion = \"1.0.0\"\nlicense = \"MIT\"\ndescription = \"d\"\n",
            ),
            (
                "tool/Cargo.toml",
                "[package]\nname = \"tool\"\nversion = \"0.1.0\"\npublish = false\n",
            ),
        ]);
        let msgs: Vec<_> = verify(&w, &Config::default(), &|_| None)
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            msgs,
            [
                "a/Cargo.toml:7: `a` is published but requires `b` by path only: add `version = \"1.0.0\"`",
                "a/Cargo.toml:8: `a` is published but its dependency on `tool` is not (`publish = false`)",
                "a/Cargo.toml:9: requirement \"=0.9.0\" on `c` does not match its version 1.0.0",
            ]
        );
    }
}
