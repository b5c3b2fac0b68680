//! The workspace as it is at a commit, read without a checkout: the
//! manifests, the lock file and the configuration, then the files the
//! configuration names (release notes, their template, version files),
//! written out to a scratch directory (see [`Scratch`]).

use crate::adapters::git::scratch::{Files, Scratch};
use crate::train::repo::Repo;
use crate::train::{Context, Options};
use anyhow::Result;
use std::path::Path;

pub struct Snapshot {
    /// Kept so the directory lives as long as the context that reads it.
    _scratch: Scratch,
    pub ctx: Context,
}

/// The workspace at commit `base`.
pub fn at(repo: &Repo, base: &str, opts: &Options) -> Result<Snapshot> {
    let scratch = Scratch::open(&repo.git, base, Files::Some)?;
    scratch.materialize(|f| {
        let name = Path::new(f).file_name().and_then(|n| n.to_str());
        matches!(name, Some("Cargo.toml" | "Cargo.lock" | "train.toml")) || f.starts_with(".cargo/")
    })?;
    let load = || {
        Context::load(&Options {
            manifest_path: Some(scratch.dir().join("Cargo.toml")),
            config: opts.config.clone(),
        })
    };
    let ctx = load()?;
    let c = &ctx.config;
    let mut named = vec![c.notes.file.clone(), c.notes.template.clone()];
    named.extend(c.version_files.iter().map(|v| v.path.clone()));
    named.extend(c.tracking.template.clone());
    // A tree entry on the way to a named file (a committed link where a
    // directory should be) is written out too: reading through it is
    // refused by name, where otherwise the file would seem missing.
    scratch.materialize(|f| named.iter().any(|n| n.starts_with(f)))?;
    Ok(Snapshot {
        _scratch: scratch,
        ctx,
    })
}
