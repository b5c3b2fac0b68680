//! What cargo-train needs to know from one `Cargo.toml`, read with `toml_edit`
//! so that every value keeps its byte span in the original text.
//!
//! Edits are then made by replacing those spans (see [`apply_edits`]), which
//! leaves formatting, comments and key order untouched by construction.

use std::ops::Range;
use std::path::{Path, PathBuf};
use toml_edit::{Document, Item, TableLike, Value};

/// A manifest that failed to parse, with the file named.
#[derive(Debug, thiserror::Error)]
#[error("failed to parse {}: {message}", path.display())]
pub struct ParseError {
    pub path: PathBuf,
    pub message: String,
}

/// A string value and where it stands in the manifest text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned {
    pub value: String,
    pub span: Range<usize>,
}

/// How a `[package]` field is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field<T> {
    Missing,
    Inherited,
    Given(T),
}

impl<T> Field<T> {
    pub fn is_missing(&self) -> bool {
        matches!(self, Field::Missing)
    }
}

/// `publish = …` in `[package]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Publish {
    Bool(bool),
    /// A list of registries; empty means "nowhere".
    Registries(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    pub version: Field<Spanned>,
    pub publish: Field<Publish>,
    pub description: Field<()>,
    pub license: Field<()>,
    pub license_file: Field<()>,
    pub repository: Field<String>,
    /// `package.workspace`: an explicit path to the workspace root.
    pub workspace_path: Option<String>,
    /// `package.include` and `package.exclude`, when written as lists: the
    /// files the published package keeps (gitignore-like patterns).
    pub include: Option<Vec<String>>,
    pub exclude: Vec<String>,
}

/// `[workspace.package]` fields that members may inherit.
#[derive(Debug, Clone, Default)]
pub struct WorkspacePackage {
    pub version: Option<Spanned>,
    pub publish: Option<Publish>,
    pub description: bool,
    pub license: bool,
    pub license_file: bool,
    pub repository: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DepKind {
    Normal,
    Build,
    Dev,
}

impl DepKind {
    pub fn table_name(self) -> &'static str {
        match self {
            DepKind::Normal => "dependencies",
            DepKind::Build => "build-dependencies",
            DepKind::Dev => "dev-dependencies",
        }
    }
}

/// Where a dependency entry was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepTable {
    /// `[workspace.dependencies]`
    Workspace,
    /// `[dependencies]` and friends, optionally under `[target.'…']`.
    Package {
        kind: DepKind,
        target: Option<String>,
    },
}

impl std::fmt::Display for DepTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DepTable::Workspace => f.write_str("[workspace.dependencies]"),
            DepTable::Package { kind, target: None } => write!(f, "[{}]", kind.table_name()),
            DepTable::Package {
                kind,
                target: Some(t),
            } => write!(f, "[target.'{t}'.{}]", kind.table_name()),
        }
    }
}

/// One dependency entry.
#[derive(Debug, Clone)]
pub struct Dep {
    pub table: DepTable,
    /// The key it is written under (the name the code uses).
    pub key: String,
    /// The package it names (`package = …`, else the key).
    pub package: Option<String>,
    pub path: Option<String>,
    /// `workspace = true`: the rest comes from `[workspace.dependencies]`.
    pub inherits: bool,
    /// The `version` requirement written here, if any.
    pub req: Option<Spanned>,
    /// Where the entry starts, for error messages.
    pub offset: usize,
}

impl Dep {
    /// The package name, as given by `package = …` or by the key.
    pub fn package_name(&self) -> &str {
        self.package.as_deref().unwrap_or(&self.key)
    }
}

#[derive(Debug, Clone)]
pub struct Manifest {
    /// Path relative to the workspace root (as shown in messages).
    pub path: PathBuf,
    pub text: String,
    pub package: Option<Package>,
    pub workspace_package: Option<WorkspacePackage>,
    /// `[workspace]` itself, when this is a workspace root.
    pub workspace: Option<WorkspaceTable>,
    pub deps: Vec<Dep>,
}

/// `[workspace] members` and `exclude`, and `package.workspace`.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceTable {
    pub members: Vec<String>,
    pub exclude: Vec<String>,
}

impl Manifest {
    /// 1-based line of a byte offset in this manifest.
    pub fn line_of(&self, offset: usize) -> usize {
        line_of(&self.text, offset)
    }
}

/// 1-based line number of `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// An array of strings (its other items left out).
fn string_list(i: &Item) -> Option<Vec<String>> {
    let a = i.as_array()?;
    Some(
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    )
}

fn str_spanned(v: &Value) -> Option<Spanned> {
    let s = v.as_str()?;
    Some(Spanned {
        value: s.to_string(),
        span: v.span()?,
    })
}

fn item_value(item: &Item) -> Option<&Value> {
    item.as_value()
}

/// `key = …` / `key.workspace = true` / `key = { workspace = true }`.
fn field<T>(table: &dyn TableLike, key: &str, given: impl FnOnce(&Item) -> Option<T>) -> Field<T> {
    match table.get(key) {
        None => Field::Missing,
        Some(item) => {
            if let Some(t) = item.as_table_like()
                && t.get("workspace").and_then(Item::as_bool) == Some(true)
            {
                return Field::Inherited;
            }
            match given(item) {
                Some(v) => Field::Given(v),
                None => Field::Missing,
            }
        }
    }
}

fn publish_of(item: &Item) -> Option<Publish> {
    if let Some(b) = item.as_bool() {
        return Some(Publish::Bool(b));
    }
    let list = item.as_array()?;
    Some(Publish::Registries(
        list.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    ))
}

impl Manifest {
    pub fn parse(path: impl Into<PathBuf>, text: String) -> Result<Manifest, ParseError> {
        let path = path.into();
        let doc = Document::parse(text.as_str()).map_err(|e| ParseError {
            path: path.clone(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let root = doc.as_table();
        let package = root
            .get("package")
            .and_then(Item::as_table_like)
            .map(|p| package_of(p, &text))
            .transpose()
            .map_err(|message| ParseError {
                path: path.clone(),
                message,
            })?;
        let workspace = root.get("workspace").and_then(Item::as_table_like);
        let workspace_package = workspace.map(workspace_package_of);
        let workspace_table = workspace.map(workspace_table_of);
        let deps = deps_of(root, workspace);
        Ok(Manifest {
            path,
            text,
            package,
            workspace_package,
            workspace: workspace_table,
            deps,
        })
    }
}

/// `[package]` (`p`) of the manifest `text`.
fn package_of(p: &dyn TableLike, text: &str) -> Result<Package, String> {
    let name = p
        .get("name")
        .and_then(Item::as_str)
        .ok_or_else(|| "`[package]` has no `name`".to_string())?
        .to_string();
    let version = field(p, "version", |i| item_value(i).and_then(str_spanned));
    if let Some(item) = p.get("version")
        && version.is_missing()
    {
        let line = item.span().map_or(0, |s| line_of(text, s.start));
        return Err(format!(
            "line {line}: `package.version` must be a string or `{{ workspace = true }}`"
        ));
    }
    Ok(Package {
        name,
        version,
        publish: field(p, "publish", publish_of),
        description: field(p, "description", |_| Some(())),
        license: field(p, "license", |_| Some(())),
        license_file: field(p, "license-file", |_| Some(())),
        repository: field(p, "repository", |i| i.as_str().map(str::to_string)),
        workspace_path: p
            .get("workspace")
            .and_then(Item::as_str)
            .map(str::to_string),
        include: p.get("include").and_then(string_list),
        exclude: p.get("exclude").and_then(string_list).unwrap_or_default(),
    })
}

/// `[workspace.package]` of the `[workspace]` table `w` (all fields unset
/// when it has none).
fn workspace_package_of(w: &dyn TableLike) -> WorkspacePackage {
    let wp = w.get("package").and_then(Item::as_table_like);
    let get = |k: &str| wp.and_then(|t| t.get(k));
    WorkspacePackage {
        version: get("version").and_then(item_value).and_then(str_spanned),
        publish: get("publish").and_then(publish_of),
        description: get("description").is_some(),
        license: get("license").is_some(),
        license_file: get("license-file").is_some(),
        repository: get("repository").and_then(Item::as_str).map(str::to_string),
    }
}

/// `members` and `exclude` of the `[workspace]` table `w`.
fn workspace_table_of(w: &dyn TableLike) -> WorkspaceTable {
    let strings = |key: &str| w.get(key).and_then(string_list).unwrap_or_default();
    WorkspaceTable {
        members: strings("members"),
        exclude: strings("exclude"),
    }
}

/// Every dependency entry: `[workspace.dependencies]`, then the package's
/// own tables, then those under each `[target.'…']`.
fn deps_of(root: &dyn TableLike, workspace: Option<&dyn TableLike>) -> Vec<Dep> {
    let mut deps = Vec::new();
    if let Some(t) = workspace
        .and_then(|w| w.get("dependencies"))
        .and_then(Item::as_table_like)
    {
        read_deps(t, DepTable::Workspace, &mut deps);
    }
    read_kind_tables(root, None, &mut deps);
    if let Some(targets) = root.get("target").and_then(Item::as_table_like) {
        for (cfg, item) in targets.iter() {
            if let Some(t) = item.as_table_like() {
                read_kind_tables(t, Some(cfg.to_string()), &mut deps);
            }
        }
    }
    deps
}

fn read_kind_tables(parent: &dyn TableLike, target: Option<String>, deps: &mut Vec<Dep>) {
    const KINDS: [(DepKind, &str, &str); 3] = [
        (DepKind::Normal, "dependencies", ""),
        (DepKind::Build, "build-dependencies", "build_dependencies"),
        (DepKind::Dev, "dev-dependencies", "dev_dependencies"),
    ];
    for (kind, name, legacy) in KINDS {
        for key in [name, legacy] {
            if key.is_empty() {
                continue;
            }
            if let Some(t) = parent.get(key).and_then(Item::as_table_like) {
                let table = DepTable::Package {
                    kind,
                    target: target.clone(),
                };
                read_deps(t, table, deps);
            }
        }
    }
}

fn read_deps(table: &dyn TableLike, where_: DepTable, deps: &mut Vec<Dep>) {
    for (key, item) in table.iter() {
        let offset = item.span().unwrap_or(0..0).start;
        let mut dep = Dep {
            table: where_.clone(),
            key: key.to_string(),
            package: None,
            path: None,
            inherits: false,
            req: None,
            offset,
        };
        if let Some(v) = item.as_value().filter(|v| v.is_str()) {
            dep.req = str_spanned(v);
        } else if let Some(t) = item.as_table_like() {
            let s = |k: &str| t.get(k).and_then(Item::as_str).map(str::to_string);
            dep.package = s("package");
            dep.path = s("path");
            dep.inherits = t.get("workspace").and_then(Item::as_bool) == Some(true);
            dep.req = t.get("version").and_then(item_value).and_then(str_spanned);
        }
        deps.push(dep);
    }
}

/// A replacement of the string value at `span` (quotes included) by `value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Range<usize>,
    pub value: String,
}

/// Applies string-value replacements to `text`, keeping each value's quote
/// style; every byte outside the replaced values stays as it was.
pub fn apply_edits(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| e.span.start);
    edits.dedup();
    let mut out = String::with_capacity(text.len() + 16 * edits.len());
    let mut at = 0;
    for e in edits {
        assert!(
            e.span.start >= at,
            "overlapping edits at byte {}",
            e.span.start
        );
        let raw = &text[e.span.clone()];
        let quote = if raw.starts_with("'''") {
            "'''"
        } else if raw.starts_with("\"\"\"") {
            "\"\"\""
        } else if raw.starts_with('\'') {
            "'"
        } else {
            "\""
        };
        out.push_str(&text[at..e.span.start]);
        out.push_str(quote);
        out.push_str(&e.value);
        out.push_str(quote);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The path shown for a manifest: relative to the root when possible.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"[package]
name = "a"   # the crate
version.workspace = true
description = "x"
license.workspace = true

[dependencies]
b = { path = "../b", version = "=1.0.0" }
serde = "1"
c-renamed = { package = "c", path = "../c", version = '1.0.0' }
d = { workspace = true, features = ["x"] }

[dev-dependencies.e]
path = "../e"
version = "1.0.0"

[target.'cfg(unix)'.build-dependencies]
f = { path = "../f", version = "^2.0.0" }

[workspace.dependencies]
g = { path = "g", version = "=0.3.0" }
"#;

    #[test]
    fn reads_every_table_kind() {
        let m = Manifest::parse("a/Cargo.toml", TEXT.to_string()).unwrap();
        let p = m.package.as_ref().unwrap();
        assert_eq!(p.name, "a");
        assert_eq!(p.version, Field::Inherited);
        assert_eq!(p.license, Field::Inherited);
        let names: Vec<_> = m
            .deps
            .iter()
            .map(|d| (d.table.to_string(), d.package_name().to_string()))
            .collect();
        assert_eq!(
            names,
            [
                ("[workspace.dependencies]", "g"),
                ("[dependencies]", "b"),
                ("[dependencies]", "serde"),
                ("[dependencies]", "c"),
                ("[dependencies]", "d"),
                ("[dev-dependencies]", "e"),
                ("[target.'cfg(unix)'.build-dependencies]", "f"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        let d = m.deps.iter().find(|d| d.key == "d").unwrap();
        assert!(d.inherits && d.req.is_none());
        let c = m.deps.iter().find(|d| d.key == "c-renamed").unwrap();
        assert_eq!(c.req.as_ref().unwrap().value, "1.0.0");
        assert_eq!(m.line_of(c.offset), 10);
    }

    #[test]
    fn edits_keep_everything_else_and_quote_style() {
        let m = Manifest::parse("a/Cargo.toml", TEXT.to_string()).unwrap();
        let edits = m
            .deps
            .iter()
            .filter_map(|d| d.req.as_ref())
            .map(|r| Edit {
                span: r.span.clone(),
                value: format!("{}-x", r.value),
            })
            .collect();
        let out = apply_edits(&m.text, edits);
        let expected = TEXT
            .replace("\"=1.0.0\"", "\"=1.0.0-x\"")
            .replace("'1.0.0'", "'1.0.0-x'")
            .replace("\"1.0.0\"", "\"1.0.0-x\"")
            .replace("\"^2.0.0\"", "\"^2.0.0-x\"")
            .replace("\"=0.3.0\"", "\"=0.3.0-x\"")
            .replace("serde = \"1\"", "serde = \"1-x\"");
        assert_eq!(out, expected);
    }

    #[test]
    fn broken_manifest_names_file_and_line() {
        let e = Manifest::parse("x/Cargo.toml", "[package]\nname = \n".into()).unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("failed to parse x/Cargo.toml:"), "{s}");
        assert!(s.contains("line 2"), "{s}");
    }
}
