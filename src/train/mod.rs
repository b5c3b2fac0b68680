//! The operations, one file each. Each reads the workspace and the
//! repository, asks `core` what to do, and returns a [`crate::plan::Plan`]
//! of every change (or, read-only, a report); it changes nothing itself.

pub mod advisories;
pub mod artifacts;
pub mod audit;
pub mod backport;
pub mod bump;
pub mod changes;
pub mod config;
pub mod cut;
pub mod dashboard;
pub mod dates;
pub mod deliver;
pub mod forge_release;
pub mod gates;
pub mod init;
pub mod notes;
pub mod notes_draft;
pub mod on_branch;
pub mod order;
pub mod patch;
pub mod publish;
pub mod rc;
pub mod registry_auth;
pub mod release;
pub mod repo;
pub mod report;
pub mod semver;
pub mod snapshot;
pub mod status;
pub mod tag;
pub mod tick;
pub mod timetable;
pub mod tracking;
pub mod verify;
pub mod version;
pub mod yank_rcs;

use crate::adapters::{fs, layout};
use crate::core::config::Config;
use crate::core::manifest::Manifest;
use crate::core::workspace::Workspace;
use anyhow::{Context as _, Result};
use std::path::PathBuf;

/// Where to find the workspace and its configuration.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub manifest_path: Option<PathBuf>,
    /// A configuration file to use instead of the workspace's own.
    pub config: Option<PathBuf>,
}

/// A loaded workspace with its configuration.
pub struct Context {
    pub root: PathBuf,
    pub ws: Workspace,
    pub config: Config,
    /// Where the configuration came from, for messages.
    pub config_source: String,
}

impl Context {
    pub fn load(opts: &Options) -> Result<Context> {
        let layout = layout::discover(opts.manifest_path.as_deref())?;
        let root = layout.root;
        let manifests = layout.manifests;
        let members = layout.members;
        let (config, config_source) = load_config(&root, &manifests[0], opts)?;
        let mut ws = Workspace::new(manifests, &members)
            .context("the workspace cannot be read as a release train")?;
        for c in &mut ws.crates {
            if config.is_excluded(&c.name) {
                c.publishable = false;
            }
        }
        ws.lead = lead(&ws, &config, &config_source)?;
        Ok(Context {
            root,
            ws,
            config,
            config_source,
        })
    }
}

/// The lead crate, for `[versioning] model = "lead"`: it must be named and
/// be a member.
fn lead(ws: &Workspace, config: &Config, source: &str) -> Result<Option<usize>> {
    let v = &config.versioning;
    if v.model != Some(crate::core::config::Model::Lead) {
        return Ok(None);
    }
    let Some(name) = &v.lead else {
        anyhow::bail!(
            "{source}: `[versioning] model = \"lead\"` needs `lead = \"CRATE\"`, the crate whose \
             version names the train's branches and tags"
        );
    };
    match ws.find(name) {
        Some(i) => Ok(Some(i)),
        None => anyhow::bail!(
            "{source}: `[versioning] lead = \"{name}\"` names no member of the workspace"
        ),
    }
}

impl Context {
    /// The manifest whose version is the train's, from the root: the lead
    /// crate's, else the root's.
    pub fn train_manifest(&self) -> String {
        match self.ws.lead {
            Some(i) => {
                let p = &self.ws.manifests[self.ws.crates[i].manifest].path;
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/")
            }
            None => "Cargo.toml".into(),
        }
    }
}

fn load_config(
    root: &std::path::Path,
    root_manifest: &Manifest,
    opts: &Options,
) -> Result<(Config, String)> {
    if let Some(p) = &opts.config {
        let text = fs::read(p)?;
        return Ok((Config::from_train_toml(p, &text)?, p.display().to_string()));
    }
    let in_manifest = Config::from_root_manifest(&root_manifest.path, &root_manifest.text)?;
    let train_toml = fs::read_optional(&root.join("train.toml"))?;
    match (train_toml, in_manifest) {
        (Some(_), Some(_)) => anyhow::bail!(
            "both train.toml and [workspace.metadata.train] in Cargo.toml configure cargo-train; keep one"
        ),
        (Some(text), None) => Ok((
            Config::from_train_toml(std::path::Path::new("train.toml"), &text)?,
            "train.toml".into(),
        )),
        (None, Some(c)) => Ok((c, "Cargo.toml [workspace.metadata.train]".into())),
        (None, None) => Ok((Config::default(), "defaults".into())),
    }
}

/// The name used in commit messages: configured, else the root package's,
/// else the workspace directory's.
pub fn project_name(ctx: &Context) -> String {
    if let Some(p) = &ctx.config.project {
        return p.clone();
    }
    if let Some(p) = &ctx.ws.root().package {
        return p.name.clone();
    }
    // A directory's name goes into commit titles only when it is one plain
    // line (not `rail"\nmarker = …`).
    ctx.root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.trim().is_empty() && !n.chars().any(char::is_control))
        .unwrap_or_else(|| "the project".into())
}
