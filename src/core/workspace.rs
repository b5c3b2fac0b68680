//! The workspace model: members, their versions and whether they publish,
//! and every first-party dependency edge, built from parsed manifests.

use crate::core::manifest::{
    Dep, DepKind, DepTable, Field, Manifest, Package, ParseError, Publish, WorkspacePackage,
};
use crate::core::problem::{Problem, Problems};
use semver::Version;
use std::collections::HashMap;

/// Where a member's version comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSource {
    /// `version = "…"` in its own manifest.
    Literal,
    /// `version.workspace = true`.
    Inherited,
    /// No `version` at all: cargo's implicit `0.0.0`, never published.
    Implicit,
}

#[derive(Debug, Clone)]
pub struct Crate {
    pub name: String,
    /// Index into [`Workspace::manifests`].
    pub manifest: usize,
    pub version: Version,
    pub version_source: VersionSource,
    pub publishable: bool,
}

/// Where a `version` requirement on a first-party crate is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Site {
    pub manifest: usize,
    pub dep: usize,
}

/// A dependency of one member on another.
#[derive(Debug, Clone)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: DepKind,
    /// The entry in the member's manifest.
    pub entry: Site,
    /// Where its version requirement is written (the entry itself, or the
    /// `[workspace.dependencies]` entry it inherits), if it has one.
    pub req: Option<Site>,
}

#[derive(Debug, Clone)]
pub struct Workspace {
    /// All manifests read; index 0 is the root manifest.
    pub manifests: Vec<Manifest>,
    pub crates: Vec<Crate>,
    pub edges: Vec<Edge>,
    /// Every first-party requirement: (where, which crate it names).
    pub sites: Vec<(Site, usize)>,
    /// The crate whose version is the train's (`[versioning] model =
    /// "lead"`); none: the root's.
    pub lead: Option<usize>,
    by_name: HashMap<String, usize>,
}

impl Workspace {
    /// Builds the model. `manifests[0]` is the root manifest; `members` lists
    /// the indexes of the manifests that are workspace members.
    pub fn new(manifests: Vec<Manifest>, members: &[usize]) -> Result<Workspace, Problems> {
        let crates = read_members(&manifests, members)?;
        let by_name: HashMap<String, usize> = crates
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
        let links = FirstParty::new(&manifests, &by_name);
        let sites = links.sites();
        let edges = links.edges(&crates);
        Ok(Workspace {
            manifests,
            crates,
            edges,
            sites,
            lead: None,
            by_name,
        })
    }

    pub fn root(&self) -> &Manifest {
        &self.manifests[0]
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// `[workspace.package] version`, if the root has one that parses.
    pub fn workspace_version(&self) -> Option<Version> {
        let s = self.root().workspace_package.as_ref()?.version.as_ref()?;
        Version::parse(&s.value).ok()
    }

    /// The train's version, which release tags and branches are named
    /// after: the lead crate's in the lead model, else `[workspace.package]
    /// version`, else the root package's, else none (a virtual workspace
    /// without a workspace version).
    pub fn train_version(&self) -> Option<Version> {
        if let Some(i) = self.lead {
            return Some(self.crates[i].version.clone());
        }
        Version::parse(train_version_text(self.root())?).ok()
    }

    pub fn dep(&self, site: Site) -> &Dep {
        &self.manifests[site.manifest].deps[site.dep]
    }

    /// The requirement text written at `site`.
    pub fn req_at(&self, site: Site) -> &str {
        &self
            .dep(site)
            .req
            .as_ref()
            .expect("sites carry a requirement")
            .value
    }

    /// Whether `site` is a `[workspace.dependencies]` entry no member
    /// inherits: cargo never reads it, so it may be stale without harm.
    pub fn unused(&self, site: Site) -> bool {
        let d = self.dep(site);
        d.table == DepTable::Workspace
            && !self.crates.iter().any(|c| {
                self.manifests[c.manifest]
                    .deps
                    .iter()
                    .any(|m| m.inherits && m.key == d.key)
            })
    }

    /// A problem located at the dependency entry `site`.
    pub fn problem_at(&self, site: Site, message: String) -> Problem {
        let man = &self.manifests[site.manifest];
        let d = &man.deps[site.dep];
        let offset = d.req.as_ref().map_or(d.offset, |r| r.span.start);
        Problem::new(&man.path, Some(man.line_of(offset)), message)
    }
}

/// Why a root manifest read at a revision gives no train version.
#[derive(Debug, thiserror::Error)]
pub enum TrainVersionError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(
        "Cargo.toml at {rev} has no version for the train (no `[workspace.package] version`, \
         no root package): set one, or leave a branch from before the train out with \
         `[branches] ignore` or `from`"
    )]
    NoVersion { rev: String },
    #[error("Cargo.toml at {rev}: bad version \"{version}\"")]
    BadVersion {
        rev: String,
        version: String,
        #[source]
        source: semver::Error,
    },
}

/// The train's version in the root manifest `text` as it is at `rev` (a
/// commit, branch or tag), by [`Workspace::train_version`]'s rule; for a
/// manifest read alone, so one that does not parse is an error.
pub fn train_version_at(rev: &str, text: String) -> Result<Version, TrainVersionError> {
    let m = Manifest::parse(format!("Cargo.toml at {rev}"), text)?;
    let v = train_version_text(&m).ok_or_else(|| TrainVersionError::NoVersion {
        rev: rev.to_string(),
    })?;
    Version::parse(v).map_err(|source| TrainVersionError::BadVersion {
        rev: rev.to_string(),
        version: v.to_string(),
        source,
    })
}

/// The one rule for the train's version, as written in the root manifest:
/// `[workspace.package] version`, else `package.version` when given there
/// (an inherited one is the workspace's).
fn train_version_text(root: &Manifest) -> Option<&str> {
    let workspace = root
        .workspace_package
        .as_ref()
        .and_then(|w| w.version.as_ref());
    let package = match root.package.as_ref().map(|p| &p.version) {
        Some(Field::Given(s)) => Some(s),
        _ => None,
    };
    workspace.or(package).map(|s| s.value.as_str())
}

/// Every member's crate, in `members` order, or every problem with their
/// versions and names.
fn read_members(manifests: &[Manifest], members: &[usize]) -> Result<Vec<Crate>, Problems> {
    let mut problems = Vec::new();
    let ws_pkg = manifests[0].workspace_package.clone().unwrap_or_default();
    let ws_version = parse_workspace_version(&manifests[0], &ws_pkg, &mut problems);
    let mut crates = Vec::new();
    for &m in members {
        let man = &manifests[m];
        let Some(pkg) = &man.package else { continue };
        let Some((version, version_source)) =
            member_version(man, pkg, &ws_pkg, ws_version.as_ref(), &mut problems)
        else {
            continue;
        };
        let publishable = is_publishable(pkg, &ws_pkg, version_source);
        // Cargo refuses two members with one name; so does the train,
        // before the name's requirements and lock entries get mixed up.
        if let Some(first) = crates.iter().find(|c: &&Crate| c.name == pkg.name) {
            problems.push(Problem::new(
                &man.path,
                None,
                format!(
                    "package `{}` is also defined by {}: two workspace members cannot \
                     share a name; rename one or exclude it from `workspace.members`",
                    pkg.name,
                    manifests[first.manifest].path.display()
                ),
            ));
            continue;
        }
        crates.push(Crate {
            name: pkg.name.clone(),
            manifest: m,
            version,
            version_source,
            publishable,
        });
    }
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    Ok(crates)
}

/// `[workspace.package] version`, parsed; one that does not parse is a
/// problem.
fn parse_workspace_version(
    root: &Manifest,
    ws_pkg: &WorkspacePackage,
    problems: &mut Vec<Problem>,
) -> Option<Version> {
    let s = ws_pkg.version.as_ref()?;
    match Version::parse(&s.value) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(Problem::new(
                &root.path,
                Some(root.line_of(s.span.start)),
                format!(
                    "`workspace.package.version` \"{}\" is not a version: {e}",
                    s.value
                ),
            ));
            None
        }
    }
}

/// A member's version and where it comes from; `None` (with a problem, unless
/// the workspace version's own was reported) when it has none that parses.
fn member_version(
    man: &Manifest,
    pkg: &Package,
    ws_pkg: &WorkspacePackage,
    ws_version: Option<&Version>,
    problems: &mut Vec<Problem>,
) -> Option<(Version, VersionSource)> {
    match &pkg.version {
        Field::Given(s) => match Version::parse(&s.value) {
            Ok(v) => Some((v, VersionSource::Literal)),
            Err(e) => {
                problems.push(Problem::new(
                    &man.path,
                    Some(man.line_of(s.span.start)),
                    format!("version \"{}\" is not a version: {e}", s.value),
                ));
                None
            }
        },
        Field::Inherited => match ws_version {
            Some(v) => Some((v.clone(), VersionSource::Inherited)),
            None => {
                if ws_pkg.version.is_none() {
                    problems.push(Problem::new(
                        &man.path,
                        None,
                        "inherits `version` but the root manifest has no `[workspace.package] version`",
                    ));
                }
                None
            }
        },
        Field::Missing => Some((Version::new(0, 0, 0), VersionSource::Implicit)),
    }
}

/// Whether cargo would publish the member: it has a version of its own
/// making and `publish` (its own or the workspace's) allows a registry.
fn is_publishable(pkg: &Package, ws_pkg: &WorkspacePackage, source: VersionSource) -> bool {
    let publish = match &pkg.publish {
        Field::Missing => None,
        Field::Given(p) => Some(p.clone()),
        Field::Inherited => ws_pkg.publish.clone(),
    };
    source != VersionSource::Implicit
        && match publish {
            None => true,
            Some(Publish::Bool(b)) => b,
            Some(Publish::Registries(r)) => !r.is_empty(),
        }
}

/// Finds first-party dependencies: a dependency is first-party when it is a
/// path dependency on a member, written in place or inherited from
/// `[workspace.dependencies]`.
struct FirstParty<'a> {
    manifests: &'a [Manifest],
    by_name: &'a HashMap<String, usize>,
    /// `[workspace.dependencies]` entries of the root, by key.
    root_deps: HashMap<&'a str, usize>,
}

impl<'a> FirstParty<'a> {
    fn new(manifests: &'a [Manifest], by_name: &'a HashMap<String, usize>) -> Self {
        let root_deps = manifests[0]
            .deps
            .iter()
            .enumerate()
            .filter(|(_, d)| d.table == DepTable::Workspace)
            .map(|(i, d)| (d.key.as_str(), i))
            .collect();
        FirstParty {
            manifests,
            by_name,
            root_deps,
        }
    }

    /// The member `d` is a path dependency on, if any.
    fn member(&self, d: &Dep) -> Option<usize> {
        d.path.as_ref()?;
        self.by_name.get(d.package_name()).copied()
    }

    /// Every first-party requirement in every manifest, in manifest order.
    fn sites(&self) -> Vec<(Site, usize)> {
        let mut sites = Vec::new();
        for (mi, man) in self.manifests.iter().enumerate() {
            for (di, d) in man.deps.iter().enumerate() {
                if d.req.is_some()
                    && let Some(to) = self.member(d)
                {
                    sites.push((
                        Site {
                            manifest: mi,
                            dep: di,
                        },
                        to,
                    ));
                }
            }
        }
        sites
    }

    /// Every dependency of one member on another, member by member.
    fn edges(&self, crates: &[Crate]) -> Vec<Edge> {
        let mut edges = Vec::new();
        for (from, c) in crates.iter().enumerate() {
            let man = &self.manifests[c.manifest];
            for (di, d) in man.deps.iter().enumerate() {
                let DepTable::Package { kind, .. } = d.table else {
                    continue;
                };
                let entry = Site {
                    manifest: c.manifest,
                    dep: di,
                };
                let (target, req) = self.target(d, entry);
                if let Some(to) = target
                    && to != from
                {
                    edges.push(Edge {
                        from,
                        to,
                        kind,
                        entry,
                        req,
                    });
                }
            }
        }
        edges
    }

    /// The member the entry `d` (at `entry`) depends on, and where its
    /// requirement is written: in place, or in the workspace entry it
    /// inherits.
    fn target(&self, d: &Dep, entry: Site) -> (Option<usize>, Option<Site>) {
        if !d.inherits {
            return (self.member(d), d.req.as_ref().map(|_| entry));
        }
        match self.root_deps.get(d.key.as_str()) {
            Some(&wi) => {
                let wd = &self.manifests[0].deps[wi];
                let site = Site {
                    manifest: 0,
                    dep: wi,
                };
                (self.member(wd), wd.req.as_ref().map(|_| site))
            }
            None => (None, None),
        }
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// Builds a workspace from (path, text) pairs; the first is the root and
    /// every manifest with a `[package]` is a member.
    pub fn ws(files: &[(&str, &str)]) -> Workspace {
        let manifests: Vec<Manifest> = files
            .iter()
            .map(|(p, t)| Manifest::parse(*p, t.to_string()).unwrap())
            .collect();
        let members: Vec<usize> = (0..manifests.len())
            .filter(|&i| manifests[i].package.is_some())
            .collect();
        Workspace::new(manifests, &members).unwrap()
    }

    pub const ROOT: &str = r#"[workspace]
members = ["a", "b", "c", "tool"]

[workspace.package]
version = "1.0.0-dev"
license = "MIT"

[workspace.dependencies]
a = { path = "a", version = "1.0.0-dev" }
b = { path = "b", version = "=1.0.0-dev" }
serde = "1"
"#;

    pub fn sample() -> Workspace {
        ws(&[
            ("Cargo.toml", ROOT),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion.workspace = true\n\n[dependencies]\nb.workspace = true\nserde.workspace = true\n",
            ),
            (
                "b/Cargo.toml",
                "[package]\nname = \"b\"\nversion.workspace = true\n\n[dependencies]\nc = { path = \"../c\", version = \"=0.3.0\" }\n",
            ),
            (
                "c/Cargo.toml",
                "[package]\nname = \"c\"\nversion = \"0.3.0\"\n",
            ),
            (
                "tool/Cargo.toml",
                "[package]\nname = \"tool\"\nversion = \"0.1.0\"\npublish = false\n\n[dev-dependencies]\na = { path = \"../a\" }\n",
            ),
        ])
    }

    #[test]
    fn members_versions_and_publish() {
        let w = sample();
        let names: Vec<_> = w
            .crates
            .iter()
            .map(|c| (c.name.as_str(), c.version.to_string(), c.publishable))
            .collect();
        assert_eq!(
            names,
            [
                ("a", "1.0.0-dev".to_string(), true),
                ("b", "1.0.0-dev".to_string(), true),
                ("c", "0.3.0".to_string(), true),
                ("tool", "0.1.0".to_string(), false),
            ]
        );
        assert_eq!(w.crates[0].version_source, VersionSource::Inherited);
        assert_eq!(w.crates[2].version_source, VersionSource::Literal);
    }

    #[test]
    fn edges_follow_workspace_inheritance() {
        let w = sample();
        let e: Vec<_> = w
            .edges
            .iter()
            .map(|e| {
                (
                    w.crates[e.from].name.as_str(),
                    w.crates[e.to].name.as_str(),
                    e.kind,
                    e.req.map(|s| w.req_at(s).to_string()),
                )
            })
            .collect();
        assert_eq!(
            e,
            [
                ("a", "b", DepKind::Normal, Some("=1.0.0-dev".into())),
                ("b", "c", DepKind::Normal, Some("=0.3.0".into())),
                ("tool", "a", DepKind::Dev, None),
            ]
        );
        // Sites: the two workspace entries and b's own.
        assert_eq!(w.sites.len(), 3);
    }

    #[test]
    fn two_members_with_one_name_are_an_error_naming_both() {
        let manifests: Vec<Manifest> = [
            ("Cargo.toml", "[workspace]\n"),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"1.0.0\"\n",
            ),
            (
                "b/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"2.0.0\"\n",
            ),
        ]
        .iter()
        .map(|(p, t)| Manifest::parse(*p, t.to_string()).unwrap())
        .collect();
        let e = Workspace::new(manifests, &[1, 2]).unwrap_err().to_string();
        assert!(
            e.contains("b/Cargo.toml: package `a` is also defined by a/Cargo.toml"),
            "{e}"
        );
    }

    #[test]
    fn the_train_version_is_the_workspace_s_else_the_root_package_s() {
        let v = |s: &str| Version::parse(s).unwrap();
        assert_eq!(sample().train_version(), Some(v("1.0.0-dev")));
        let roots = [
            (
                "[workspace]\n\n[workspace.package]\nversion = \"2.0.0\"\n\n\
                 [package]\nname = \"r\"\nversion = \"0.1.0\"\n",
                Some("2.0.0"),
            ),
            (
                "[workspace]\n\n[workspace.package]\nversion = \"3.1.0\"\n\n\
                 [package]\nname = \"r\"\nversion.workspace = true\n",
                Some("3.1.0"),
            ),
            (
                "[package]\nname = \"solo\"\nversion = \"0.4.1\"\n",
                Some("0.4.1"),
            ),
            // Cargo's implicit 0.0.0 is never released.
            ("[package]\nname = \"solo\"\n", None),
        ];
        // The workspace and the text read at a revision follow one rule.
        for (text, want) in roots {
            let want = want.map(v);
            assert_eq!(ws(&[("Cargo.toml", text)]).train_version(), want, "{text}");
            assert_eq!(train_version_at("v1", text.into()).ok(), want, "{text}");
        }
        // A virtual workspace without a workspace version has none, whatever
        // its members' versions.
        let w = ws(&[
            ("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n"),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"0.2.0\"\n",
            ),
        ]);
        assert_eq!(w.train_version(), None);
    }

    #[test]
    fn a_train_version_read_at_a_revision_names_the_revision() {
        let e = train_version_at("abc123", "[workspace]\n".into()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("Cargo.toml at abc123 has no version for the train"),
            "{e}"
        );
        let e = train_version_at("v2", "[package]\nname = \"a\"\nversion = \"two\"\n".into())
            .unwrap_err();
        assert_eq!(e.to_string(), "Cargo.toml at v2: bad version \"two\"");
        // The parser's reason stays behind it, for `{:#}`.
        assert!(std::error::Error::source(&e).is_some());
        let e = train_version_at("main", "[package\n".into())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("failed to parse Cargo.toml at main: "), "{e}");
    }

    #[test]
    fn inherited_version_without_workspace_version_is_an_error() {
        let manifests = vec![
            Manifest::parse("Cargo.toml", "[workspace]\n".into()).unwrap(),
            Manifest::parse(
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion.workspace = true\n".into(),
            )
            .unwrap(),
        ];
        let e = Workspace::new(manifests, &[1]).unwrap_err().to_string();
        assert!(e.contains("a/Cargo.toml: inherits `version`"), "{e}");
    }
}
