//! Finds the workspace root and its members by reading manifests, as cargo
//! does: the nearest `[workspace]` above the starting manifest, `members`
//! globs less `exclude`, the root package, and every path dependency inside
//! the root. Running `cargo metadata` instead costs over a second on a
//! 2,000-crate workspace; `verify` still asks cargo and reports any
//! disagreement.

use crate::adapters::fs;
use crate::core::manifest::{Manifest, display_path};
use anyhow::{Context as _, Result, bail};
use std::collections::{BTreeMap, VecDeque};
use std::path::{Component, Path, PathBuf};

/// The workspace: its root and every manifest, root first; `members` are
/// indexes into `manifests`.
pub struct Layout {
    pub root: PathBuf,
    pub manifests: Vec<Manifest>,
    pub members: Vec<usize>,
}

fn parse(root: &Path, path: &Path) -> Result<Manifest> {
    let text = fs::read(path)?;
    Ok(Manifest::parse(display_path(root, path), text)?)
}

/// Lexically normalizes `a/b/../c` (paths in manifests may climb).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The manifest to start from: `--manifest-path`, else the nearest
/// `Cargo.toml` from the current directory up.
fn start(manifest_path: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = manifest_path {
        let p = std::path::absolute(p)?;
        // As cargo does: the path names the manifest itself, so that a
        // script's arguments mean the same to both.
        if p.is_dir() {
            let m = p.join("Cargo.toml");
            bail!(
                "--manifest-path {} is a directory; pass the path of its Cargo.toml{}",
                p.display(),
                if m.is_file() {
                    format!(" ({})", m.display())
                } else {
                    " (it has none)".into()
                }
            );
        }
        if !p.is_file() {
            bail!("manifest {} does not exist", p.display());
        }
        return Ok(normalize(&p));
    }
    let cwd = std::env::current_dir()?;
    for dir in cwd.ancestors() {
        let m = dir.join("Cargo.toml");
        if m.is_file() {
            return Ok(m);
        }
    }
    bail!(
        "could not find Cargo.toml in {} or any parent directory",
        cwd.display()
    )
}

/// The root manifest's path for a workspace that contains `start`.
fn find_root(start: &Path) -> Result<PathBuf> {
    let text = fs::read(start)?;
    let m = Manifest::parse(start.to_path_buf(), text)?;
    if m.workspace.is_some() {
        return Ok(start.to_path_buf());
    }
    let dir = start.parent().expect("a manifest has a directory");
    if let Some(ws) = m.package.as_ref().and_then(|p| p.workspace_path.as_ref()) {
        return Ok(normalize(&dir.join(ws).join("Cargo.toml")));
    }
    for up in dir.ancestors().skip(1) {
        let candidate = up.join("Cargo.toml");
        if candidate.is_file() && fs::read(&candidate)?.contains("[workspace") {
            let root = Manifest::parse(candidate.clone(), fs::read(&candidate)?)?;
            if root.workspace.is_some() {
                return Ok(candidate);
            }
        }
    }
    // A lone package is its own workspace.
    Ok(start.to_path_buf())
}

pub fn discover(manifest_path: Option<&Path>) -> Result<Layout> {
    let root_manifest = find_root(&start(manifest_path)?)?;
    let root = root_manifest
        .parent()
        .expect("a manifest has a directory")
        .to_path_buf();
    let root_m = parse(&root, &root_manifest)?;
    let ws = root_m.workspace.clone().unwrap_or_default();
    let excluded = |dir: &Path| {
        ws.exclude
            .iter()
            .any(|e| dir.starts_with(normalize(&root.join(e))))
    };

    let mut queue = member_globs(&ws.members, &root, &root_manifest, &excluded)?;
    let root_is_member = root_m.package.is_some();
    if root_is_member {
        enqueue_path_deps(&root_m, &root, &root, &excluded, &mut queue);
    }
    let found = read_members(queue, &root, &root_manifest, &excluded)?;

    let mut manifests = vec![root_m];
    let mut members = Vec::with_capacity(found.len() + 1);
    if root_is_member {
        members.push(0);
    }
    for (_, m) in found {
        members.push(manifests.len());
        manifests.push(m);
    }
    Ok(Layout {
        root,
        manifests,
        members,
    })
}

/// The manifests the `members` patterns name, less the excluded ones; a
/// member named without a glob must have one.
fn member_globs(
    patterns: &[String],
    root: &Path,
    root_manifest: &Path,
    excluded: &dyn Fn(&Path) -> bool,
) -> Result<VecDeque<PathBuf>> {
    let mut queue = VecDeque::new();
    for pattern in patterns {
        let full = root.join(pattern);
        let full = full.to_str().context("workspace path is not UTF-8")?;
        let paths = glob::glob(full).with_context(|| {
            format!(
                "bad `members` pattern `{pattern}` in {}",
                root_manifest.display()
            )
        })?;
        for dir in paths {
            let dir = normalize(&dir?);
            let m = dir.join("Cargo.toml");
            // What exists is read (a FIFO there is refused by name when it
            // is), not left out of the workspace in silence.
            if m.exists() && !excluded(&dir) {
                queue.push_back(m);
            } else if !pattern.contains(['*', '?', '[']) && !m.is_file() {
                bail!(
                    "workspace member `{pattern}` of {} has no Cargo.toml",
                    root_manifest.display()
                );
            }
        }
    }
    Ok(queue)
}

/// Reads the member manifests in `queue`, and, transitively, those of their
/// path dependencies inside the root; by path (sorted, so the order is
/// stable), the root left out.
fn read_members(
    mut queue: VecDeque<PathBuf>,
    root: &Path,
    root_manifest: &Path,
    excluded: &dyn Fn(&Path) -> bool,
) -> Result<BTreeMap<PathBuf, Manifest>> {
    let mut found: BTreeMap<PathBuf, Manifest> = BTreeMap::new();
    while let Some(m) = queue.pop_front() {
        if m == root_manifest || found.contains_key(&m) {
            continue;
        }
        let man = parse(root, &m)?;
        if man.package.is_none() {
            // Cargo refuses a member without a package; skipping it would
            // leave a crate out of every bump.
            bail!(
                "{} is a workspace member but {}: give it a [package] with a name and \
                 version, or take it out of `members` (or add it to `exclude`) in {}",
                display_path(root, &m).display(),
                if man.text.trim().is_empty() {
                    "is empty"
                } else {
                    "has no [package]"
                },
                root_manifest.display()
            );
        }
        enqueue_path_deps(&man, m.parent().expect("dir"), root, excluded, &mut queue);
        found.insert(m, man);
    }
    Ok(found)
}

fn enqueue_path_deps(
    m: &Manifest,
    dir: &Path,
    root: &Path,
    excluded: &dyn Fn(&Path) -> bool,
    queue: &mut VecDeque<PathBuf>,
) {
    for d in &m.deps {
        if let Some(p) = &d.path {
            let target = normalize(&dir.join(p));
            if target.starts_with(root) && !excluded(&target) && target.join("Cargo.toml").exists()
            {
                queue.push_back(target.join("Cargo.toml"));
            }
        }
    }
}
