//! The layers of ARCHITECTURE.md hold: each file of `src/` imports only
//! from the layers its own may use, no files import each other in a
//! circle, and no layer but the applier (and the adapters it calls) changes
//! anything outside cargo-train's own state.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, by module path (`train::gates::freeze`).
fn modules(root: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(root).unwrap().with_extension("");
                let mut parts: Vec<String> = rel
                    .iter()
                    .map(|c| c.to_string_lossy().into_owned())
                    .collect();
                if parts.last().is_some_and(|l| l == "mod") {
                    parts.pop();
                }
                if parts == ["lib"] || parts == ["main"] {
                    parts.clear();
                }
                out.insert(parts.join("::"), p);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// The code of a file without its comments and its unit tests.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            // A `//` inside a string (a URL) is rare in paths that matter.
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file names after `crate::` or `super::`, groups expanded
/// (`crate::a::{b, c::d}` names `a::b` and `a::c::d`), relative to the
/// crate root.
fn named_paths(module: &str, is_mod_rs: bool, code: &str) -> Vec<String> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    for (start, kw) in [("crate::", None), ("super::", Some(()))] {
        let mut rest = code;
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            rest = &rest[i + start.len()..];
            if before.is_some_and(ident) {
                continue;
            }
            let path: String = rest.chars().take_while(|&c| ident(c) || c == ':').collect();
            let path = path.trim_end_matches(':').to_string();
            let base = match kw {
                None => path.clone(),
                Some(()) => {
                    let mut parent: Vec<&str> =
                        module.split("::").filter(|s| !s.is_empty()).collect();
                    if !is_mod_rs {
                        parent.pop();
                    }
                    parent.push(&path);
                    parent.join("::")
                }
            };
            let after = &rest[path.len()..];
            if let Some(group) = after.strip_prefix("::{") {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let item: String = item
                        .trim()
                        .chars()
                        .take_while(|&c| ident(c) || c == ':')
                        .collect();
                    if !item.is_empty() && item != "self" {
                        out.push(format!("{base}::{item}"));
                    }
                }
            }
            out.push(base);
        }
    }
    out
}

/// The module a path names: its longest prefix that is a file.
fn resolve<'a>(path: &str, mods: &'a BTreeMap<String, PathBuf>) -> Option<&'a str> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find_map(|m| mods.get_key_value(&m).map(|(k, _)| k.as_str()))
}

fn layer(module: &str) -> &'static str {
    match module.split("::").next().unwrap_or("") {
        "core" => "core",
        "output" | "progress" | "retry" | "signals" => "shared",
        "adapters" => "adapters",
        "plan" => "plan",
        "apply" => "apply",
        "train" => "train",
        "demo" => "demo",
        "cli" => "cli",
        _ => "root",
    }
}

/// What each layer may import (its own layer included).
fn may_use(from: &str, to: &str) -> bool {
    let allowed: &[&str] = match from {
        "core" => &["core"],
        "shared" => &["core", "shared"],
        "adapters" => &["core", "shared", "adapters"],
        "plan" => &["core", "shared", "adapters", "plan"],
        "apply" => &["core", "shared", "adapters", "plan", "apply"],
        "train" => &["core", "shared", "adapters", "plan", "train"],
        "demo" => &[
            "core", "shared", "adapters", "plan", "apply", "train", "demo",
        ],
        _ => return true,
    };
    allowed.contains(&to)
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mods = modules(&root);
    let mut edges = BTreeMap::new();
    for (m, path) in &mods {
        let text = std::fs::read_to_string(path).unwrap();
        let is_mod_rs = path
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs");
        let mut to = BTreeSet::new();
        for p in named_paths(m, is_mod_rs, &code(&text)) {
            if let Some(t) = resolve(&p, &mods)
                && t != m
                && !t.is_empty()
            {
                to.insert(t.to_string());
            }
        }
        edges.insert(m.clone(), to);
    }
    edges
}

#[test]
fn every_import_goes_to_a_layer_its_own_may_use() {
    let mut wrong = Vec::new();
    for (from, to) in graph() {
        for t in to {
            if !may_use(layer(&from), layer(&t)) {
                wrong.push(format!("{from} -> {t}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_files_import_each_other_in_a_circle() {
    let g = graph();
    // Tarjan's strongly connected components.
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        circles: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        for w in &t.g[v] {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut c = Vec::new();
            loop {
                let w = t.stack.pop().unwrap();
                t.on.remove(w);
                c.push(w);
                if w == v {
                    break;
                }
            }
            if c.len() > 1 {
                t.circles.push(c);
            }
        }
    }
    let mut t = T {
        g: &g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        circles: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    let circles: Vec<String> = t.circles.iter().map(|c| c.join(" <-> ")).collect();
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

/// Writes of files and git writes, and the forge's and registry's changing
/// calls, appear only in the applier and the adapters: operations, the core
/// and the command line describe them as effects of a plan (and read git
/// through the adapter's named reads).
#[test]
fn only_the_applier_and_the_adapters_change_anything() {
    const CHANGES: &[&str] = &[
        "std::fs::write",
        "fs::write_all(",
        "std::fs::create_dir",
        "std::fs::remove",
        "std::fs::rename",
        "std::fs::copy",
        "OpenOptions",
        "set_permissions",
        ".open_pull_request(",
        ".create_tag(",
        ".create_release(",
        ".upload_asset(",
        ".yank(",
        "revoke_short_lived_token",
        // git: every write is the applier's, and reads are named methods
        // of the git adapter, not argument lists built up here.
        ".write(&",
        ".read(&",
        ".push_atomic(",
        ".fast_forward(",
        ".tag_here(",
        ".archive_tar_gz(",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for (m, path) in modules(&root) {
        if !matches!(layer(&m), "core" | "plan" | "train" | "cli") {
            continue;
        }
        let code = code(&std::fs::read_to_string(&path).unwrap());
        for c in CHANGES {
            if code.contains(c) {
                found.push(format!("{}: {c}", path.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "side effects outside a plan:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_import_reader_sees_groups_super_and_crate_paths() {
    let code = "use crate::adapters::{fs, git::Git};\nuse super::on_branch::Target;\nlet x = crate::core::refs::short(y);";
    let mut p = named_paths("train::patch", false, code);
    p.sort();
    assert_eq!(
        p,
        [
            "adapters",
            "adapters::fs",
            "adapters::git::Git",
            "core::refs::short",
            "train::on_branch::Target"
        ]
    );
}
