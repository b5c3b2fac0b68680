//! Publish order, derived from the dependency graph (never a hand list).
//!
//! A crate must reach the registry after every crate it requires with a
//! version: normal and build dependencies, and dev-dependencies that carry a
//! version (cargo strips the others when packaging).

use crate::core::manifest::DepKind;
use crate::core::workspace::Workspace;
use std::collections::BTreeSet;

/// Dependencies form a cycle; `crates` lists one cycle in order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "publishable crates depend on each other in a cycle: {}\n  \
     help: a versioned dev-dependency that only the version being released satisfies \
     is enough to close a cycle; drop its `version` (cargo then strips it on publish), \
     let it accept an already published version, or break the dependency",
    .crates.join(" -> ")
)]
pub struct CycleError {
    pub crates: Vec<String>,
}

/// The graph between publishable crates: `deps[i]` are the crates `i` needs first.
pub fn publish_graph(ws: &Workspace) -> Vec<BTreeSet<usize>> {
    let mut deps = vec![BTreeSet::new(); ws.crates.len()];
    for e in &ws.edges {
        let versioned_dev = e.kind == DepKind::Dev && e.req.is_some();
        if (e.kind != DepKind::Dev || versioned_dev)
            && ws.crates[e.from].publishable
            && ws.crates[e.to].publishable
        {
            deps[e.from].insert(e.to);
        }
    }
    deps
}

/// Topological order of the nodes in `include` (dependencies first; ties
/// broken by name so the order is stable), or the first cycle found.
pub fn topo_order(
    names: &[&str],
    deps: &[BTreeSet<usize>],
    include: &[bool],
) -> Result<Vec<usize>, CycleError> {
    let n = names.len();
    let mut waiting = vec![0usize; n];
    let mut users = vec![Vec::new(); n];
    for i in (0..n).filter(|&i| include[i]) {
        for &d in deps[i].iter().filter(|&&d| include[d]) {
            waiting[i] += 1;
            users[d].push(i);
        }
    }
    let mut ready: BTreeSet<(&str, usize)> = (0..n)
        .filter(|&i| include[i] && waiting[i] == 0)
        .map(|i| (names[i], i))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some((_, i)) = ready.pop_first() {
        order.push(i);
        for &u in &users[i] {
            waiting[u] -= 1;
            if waiting[u] == 0 {
                ready.insert((names[u], u));
            }
        }
    }
    let total = include.iter().filter(|b| **b).count();
    if order.len() == total {
        return Ok(order);
    }
    Err(CycleError {
        crates: find_cycle(names, deps, &waiting, include)
            .into_iter()
            .map(|i| names[i].to_string())
            .collect(),
    })
}

/// Walks from a node still waiting along waiting dependencies until a node
/// repeats; the walk from its first visit is a cycle.
fn find_cycle(
    names: &[&str],
    deps: &[BTreeSet<usize>],
    waiting: &[usize],
    include: &[bool],
) -> Vec<usize> {
    let stuck = |i: usize| include[i] && waiting[i] > 0;
    let start = (0..names.len())
        .filter(|&i| stuck(i))
        .min_by_key(|&i| names[i])
        .expect("a cycle leaves some node waiting");
    let mut path = vec![start];
    let mut seen = vec![usize::MAX; names.len()];
    seen[start] = 0;
    let mut at = start;
    loop {
        // Every stuck node has a stuck dependency (otherwise it would have
        // become ready), so this walk never ends early.
        let next = *deps[at]
            .iter()
            .find(|&&d| stuck(d))
            .expect("a waiting node waits on a waiting node");
        if seen[next] != usize::MAX {
            let mut cycle = path[seen[next]..].to_vec();
            cycle.push(next);
            return cycle;
        }
        seen[next] = path.len();
        path.push(next);
        at = next;
    }
}

/// Whether the versioned dev-dependency `e` can be satisfied by a version
/// published before the one its crate is at (`tracing-attributes` requiring
/// `tracing = "0.1.35"` while `tracing` is at 0.1.44): it then need not wait.
fn satisfied_earlier(ws: &Workspace, e: &crate::core::workspace::Edge) -> bool {
    let Some(site) = e.req else { return false };
    let Ok(r) = semver::VersionReq::parse(ws.req_at(site)) else {
        return false;
    };
    let current = &ws.crates[e.to].version;
    r.comparators.iter().any(|c| {
        let low = semver::Version {
            major: c.major,
            minor: c.minor.unwrap_or(0),
            patch: c.patch.unwrap_or(0),
            pre: c.pre.clone(),
            build: semver::BuildMetadata::EMPTY,
        };
        low < *current && r.matches(&low)
    })
}

/// The order in which the workspace's publishable crates must be published.
///
/// Versioned dev-dependencies order the publish too, unless they close a
/// cycle (common: a crate's tests use a crate that depends on it); then those
/// an earlier published version satisfies are left out, and only a cycle
/// that remains is an error.
pub fn publish_order(ws: &Workspace) -> Result<Vec<usize>, CycleError> {
    let names: Vec<&str> = ws.crates.iter().map(|c| c.name.as_str()).collect();
    let include: Vec<bool> = ws.crates.iter().map(|c| c.publishable).collect();
    topo_order(&names, &publish_graph(ws), &include).or_else(|_| {
        let mut relaxed = vec![BTreeSet::new(); ws.crates.len()];
        for e in &ws.edges {
            let dev_ok = e.kind == DepKind::Dev && satisfied_earlier(ws, e);
            if !dev_ok
                && (e.kind != DepKind::Dev || e.req.is_some())
                && ws.crates[e.from].publishable
                && ws.crates[e.to].publishable
            {
                relaxed[e.from].insert(e.to);
            }
        }
        topo_order(&names, &relaxed, &include)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::workspace::tests::ws;

    fn graph(edges: &[(usize, usize)], n: usize) -> Vec<BTreeSet<usize>> {
        let mut g = vec![BTreeSet::new(); n];
        for &(a, b) in edges {
            g[a].insert(b);
        }
        g
    }

    #[test]
    fn diamond() {
        //      app
        //     /   \
        //  left   right
        //     \   /
        //      base
        let names = ["app", "left", "right", "base"];
        let g = graph(&[(0, 1), (0, 2), (1, 3), (2, 3)], 4);
        let order = topo_order(&names, &g, &[true; 4]).unwrap();
        let order: Vec<_> = order.iter().map(|&i| names[i]).collect();
        assert_eq!(order, ["base", "left", "right", "app"]);
    }

    #[test]
    fn excluded_nodes_do_not_block() {
        let names = ["a", "b", "c"];
        let g = graph(&[(0, 1), (1, 2), (2, 1)], 3);
        let order = topo_order(&names, &g, &[true, true, false]).unwrap();
        assert_eq!(order, [1, 0]);
    }

    #[test]
    fn cycle_is_named() {
        //  a -> b -> c -> b,  d -> a
        let names = ["a", "b", "c", "d"];
        let g = graph(&[(0, 1), (1, 2), (2, 1), (3, 0)], 4);
        let e = topo_order(&names, &g, &[true; 4]).unwrap_err();
        assert_eq!(e.crates, ["b", "c", "b"]);
        assert!(e.to_string().contains("cycle: b -> c -> b"));
    }

    #[test]
    fn versioned_dev_dependencies_count_and_plain_ones_do_not() {
        let w = ws(&[
            ("Cargo.toml", "[workspace]\n"),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"1.0.0\"\n[dev-dependencies]\nb = { path = \"../b\" }\n",
            ),
            (
                "b/Cargo.toml",
                "[package]\nname = \"b\"\nversion = \"1.0.0\"\n[dependencies]\na = { path = \"../a\", version = \"=1.0.0\" }\n",
            ),
        ]);
        let order: Vec<_> = publish_order(&w)
            .unwrap()
            .into_iter()
            .map(|i| w.crates[i].name.clone())
            .collect();
        assert_eq!(order, ["a", "b"]);

        let w = ws(&[
            ("Cargo.toml", "[workspace]\n"),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"1.0.0\"\n[dev-dependencies]\nb = { path = \"../b\", version = \"=1.0.0\" }\n",
            ),
            (
                "b/Cargo.toml",
                "[package]\nname = \"b\"\nversion = \"1.0.0\"\n[dependencies]\na = { path = \"../a\", version = \"=1.0.0\" }\n",
            ),
        ]);
        let e = publish_order(&w).unwrap_err();
        assert_eq!(e.crates, ["a", "b", "a"]);
    }

    #[test]
    fn dev_cycle_that_a_published_version_satisfies_is_not_an_error() {
        // tracing's shape: `core` uses `attrs`, whose tests use `core` "0.1.35".
        let files = |dev_req: &str| {
            vec![
                ("Cargo.toml".to_string(), "[workspace]\n".to_string()),
                (
                    "core/Cargo.toml".into(),
                    "[package]\nname = \"core\"\nversion = \"0.1.44\"\n[dependencies]\nattrs = { path = \"../attrs\", version = \"0.1.31\" }\n".into(),
                ),
                (
                    "attrs/Cargo.toml".into(),
                    format!("[package]\nname = \"attrs\"\nversion = \"0.1.31\"\n[dev-dependencies]\ncore = {{ path = \"../core\", version = \"{dev_req}\" }}\n"),
                ),
            ]
        };
        let build = |dev_req: &str| {
            let f = files(dev_req);
            let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            ws(&refs)
        };
        let w = build("0.1.35");
        let order: Vec<_> = publish_order(&w)
            .unwrap()
            .into_iter()
            .map(|i| w.crates[i].name.clone())
            .collect();
        assert_eq!(order, ["attrs", "core"]);
        // Only the version being released satisfies these: a real cycle.
        for req in ["=0.1.44", "0.1.44"] {
            let e = publish_order(&build(req)).unwrap_err();
            assert_eq!(e.crates, ["attrs", "core", "attrs"], "{req}");
        }
    }
}
