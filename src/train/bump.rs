//! `cargo train bump LEVEL`: move every publishable crate's version, the
//! requirements on it, the version files and `Cargo.lock`, in one write.

use crate::adapters::fs;
use crate::core::bump::{self, Files, Plan};
use crate::core::changeset::ChangeSet;
use crate::core::version::Level;
use crate::exec::Executor;
use crate::train::Context;
use anyhow::Result;
use std::collections::HashMap;
use std::path::Path;

pub struct BumpOpts {
    pub level: Level,
    /// Run the configured `after-bump` commands.
    pub hooks: bool,
}

pub fn run(ctx: &Context, opts: &BumpOpts, exec: &Executor) -> Result<Plan> {
    // STEP 1: read everything the bump touches besides the manifests.
    let mut version_files = HashMap::new();
    for vf in &ctx.config.version_files {
        version_files.insert(
            vf.path.clone(),
            fs::read_optional(&ctx.root.join(&vf.path))?,
        );
    }
    let lock_path = Path::new("Cargo.lock");
    let lock = fs::read_optional(&ctx.root.join(lock_path))?;

    // STEP 2: compute every new version and file; any problem stops here.
    let files = Files {
        version_files: &version_files,
        lock: lock.as_deref(),
        lock_path,
    };
    let plan = bump::plan(&ctx.ws, &opts.level, &ctx.config, &files)?;

    for (i, old, new) in &plan.moves {
        eprintln!(
            "{:>12} {} {old} -> {new}",
            "Bumping", ctx.ws.crates[*i].name
        );
    }
    if plan.moves.is_empty() {
        eprintln!(
            "{:>12} nothing: every version is already {}",
            "Bumping", opts.level
        );
    }

    // STEP 3: write all files at once.
    exec.write_files(&plan.changes)?;

    // STEP 4: the project's own follow-ups (e.g. `cargo vet`). If one fails,
    // the bump is undone so that the tree is as it was.
    if opts.hooks {
        for cmd in &ctx.config.after_bump {
            if let Err(e) = exec.shell(cmd) {
                exec.write_files(&reverse(&plan.changes))?;
                return Err(e.context("an after-bump command failed; the bump was undone"));
            }
        }
    }
    Ok(plan)
}

fn reverse(c: &ChangeSet) -> ChangeSet {
    ChangeSet {
        files: c
            .files
            .iter()
            .filter_map(|f| {
                Some(crate::core::changeset::FileChange {
                    path: f.path.clone(),
                    before: Some(f.after.clone()),
                    after: f.before.clone()?,
                })
            })
            .collect(),
    }
}
