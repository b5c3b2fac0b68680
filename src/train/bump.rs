//! `cargo train bump LEVEL`: move every publishable crate's version, the
//! requirements on it, the version files and `Cargo.lock`, in one write.

use crate::adapters::fs;
use crate::core::bump::{self, Files};
use crate::core::problem::{Problem, Problems};
use crate::core::refs::{Names, short};
use crate::core::version::Level;
use crate::plan::{self, Effect, Hook, Plan};
use crate::train::Context;
use anyhow::{Result, bail};
use std::collections::HashMap;
use std::path::Path;

pub struct BumpOpts {
    pub level: Level,
    /// Run the configured `after-bump` commands.
    pub hooks: bool,
    /// Let versions go down, or onto a version that has a tag already.
    pub allow_downgrade: bool,
}

/// Computes a bump of the workspace in `ctx`; writes nothing.
pub fn compute(ctx: &Context, level: &Level) -> Result<bump::Plan> {
    check_overflow(ctx, level)?;
    with_files(ctx, |files| bump::plan(&ctx.ws, level, &ctx.config, files))
}

/// Computes moving every crate to its version in `versions` (an
/// independent release's selection); writes nothing.
pub fn compute_versions(ctx: &Context, versions: Vec<semver::Version>) -> Result<bump::Plan> {
    with_files(ctx, |files| {
        bump::plan_versions(&ctx.ws, versions, &ctx.config, files)
    })
}

/// Reads the files a bump rewrites besides the manifests, for `f`.
fn with_files(
    ctx: &Context,
    f: impl FnOnce(&Files<'_>) -> Result<bump::Plan, Problems>,
) -> Result<bump::Plan> {
    let mut version_files = HashMap::new();
    for vf in &ctx.config.version_files {
        version_files.insert(
            vf.path.clone(),
            fs::read_named(&ctx.root, &vf.path, "version-files.path")?,
        );
    }
    let lock_path = Path::new("Cargo.lock");
    let lock = fs::read_optional(&ctx.root.join(lock_path))?;
    let files = Files {
        version_files: &version_files,
        lock: lock.as_deref(),
        lock_path,
    };
    Ok(f(&files)?)
}

/// Prints one line per moved crate.
pub fn report(ctx: &Context, plan: &bump::Plan, level: &Level) {
    for (i, old, new) in &plan.moves {
        crate::output::say(
            "Bumping",
            &format!("{} {old} -> {new}", ctx.ws.crates[*i].name),
        );
    }
    if plan.moves.is_empty() {
        crate::output::say(
            "Bumping",
            &format!("nothing: every version is already {level}"),
        );
    }
}

/// One line for a train operation: how many crates move from what to what.
pub fn summary(plan: &bump::Plan) -> String {
    let mut groups: Vec<(String, usize)> = Vec::new();
    for (_, old, new) in &plan.moves {
        let key = format!("{old} -> {new}");
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => groups.push((key, 1)),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(k, n)| format!("{n} crate{} {k}", if *n == 1 { "" } else { "s" }))
        .collect();
    format!(
        "{:>12} {}",
        "Bumping",
        if parts.is_empty() {
            "nothing".to_string()
        } else {
            parts.join(", ")
        }
    )
}

/// What re-resolves `Cargo.lock` when the offline rewrite cannot be cargo's.
pub const RELOCK: &str = "cargo update --workspace";

/// The commands to run after a bump's files are written: cargo's relock
/// when the plan needs it (see [`Plan::relock`]), then `after_bump`.
pub fn hooks(plan: &bump::Plan, after_bump: &[String], timeout_secs: u64) -> Vec<Hook> {
    let mut out = Vec::new();
    if let Some(why) = &plan.relock {
        crate::output::say("Relocking", &format!("Cargo.lock with `{RELOCK}`: {why}"));
        out.push(RELOCK.to_string());
    }
    out.extend(after_bump.iter().cloned());
    out.into_iter()
        .map(|command| Hook {
            command,
            timeout: std::time::Duration::from_secs(timeout_secs),
        })
        .collect()
}

/// `bump` in the checkout: every file of the bump written at once, then
/// cargo's relock if needed and the project's own follow-ups (e.g. `cargo
/// vet`); if one fails, the bump is undone so that the tree is as it was.
pub fn plan(ctx: &Context, opts: &BumpOpts) -> Result<Plan> {
    // STEP 1: compute every new version and file; any problem stops here.
    let bump = compute(ctx, &opts.level)?;
    if !opts.allow_downgrade {
        check_downgrade(ctx, &bump, &opts.level)?;
    }
    report(ctx, &bump, &opts.level);
    Ok(files_plan(ctx, opts.hooks, bump))
}

/// `bump --changed`: the crates an independent release moves (see
/// [`crate::train::changes`]), each to its version, in one write.
pub fn plan_changed(
    ctx: &Context,
    changes: &crate::train::changes::Changes,
    hooks: bool,
) -> Result<Plan> {
    let bump = compute_versions(ctx, changes.selection.versions.clone())?;
    for m in &changes.selection.moves {
        let why: Vec<String> = m
            .reasons
            .iter()
            .map(crate::core::selection::describe)
            .collect();
        crate::output::say(
            "Bumping",
            &format!(
                "{} {} -> {}: {}",
                ctx.ws.crates[m.krate].name,
                m.from,
                m.to,
                why.join("; ")
            ),
        );
    }
    if changes.selection.moves.is_empty() {
        crate::output::say(
            "Bumping",
            "nothing: no crate changed since its last release",
        );
    }
    Ok(files_plan(ctx, hooks, bump))
}

/// The bump's files, then cargo's relock and the hooks, as one effect.
fn files_plan(ctx: &Context, run_hooks: bool, bump: bump::Plan) -> Plan {
    // STEP 2: the files, then the hooks.
    let after: &[String] = if run_hooks {
        &ctx.config.after_bump
    } else {
        &[]
    };
    let hooks = hooks(&bump, after, ctx.config.hook_timeout_secs);
    let mut plan = Plan::default();
    if !bump.changes.is_empty() || !hooks.is_empty() {
        plan.add(Effect::Files(plan::Files {
            root: ctx.root.clone(),
            relock: bump.relock.is_some(),
            changes: bump.changes,
            hooks,
        }));
    }
    plan
}

/// A version number at `u64::MAX` cannot move: refused before anything is
/// computed (see [`bump::overflows`]).
fn check_overflow(ctx: &Context, level: &Level) -> Result<(), Problems> {
    let problems = bump::overflows(&ctx.ws, level);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Problems(problems))
    }
}

/// Refuses a bump that moves a crate below its version (see
/// [`bump::downgrades`]), or the train onto a version already tagged
/// (released) in the repository, if there is one: cargo would keep
/// resolving the older, higher release.
fn check_downgrade(ctx: &Context, plan: &bump::Plan, level: &Level) -> Result<()> {
    let mut problems = bump::downgrades(&ctx.ws, plan, level);
    if let Some(new) = plan.new_train_version(&ctx.ws) {
        let tag = Names::of(&ctx.config).tag(new);
        // Outside a git repository there are no tags to check.
        let git = crate::adapters::git::Git::new(&ctx.root);
        if let Ok(Some(at)) = git.resolve(&format!("refs/tags/{tag}")) {
            problems.push(Problem::new(
                &ctx.ws.root().path,
                None,
                format!(
                    "{new} is already released: tag `{tag}` exists (at {})",
                    short(&at)
                ),
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    bail!(
        "{}\nrefusing to bump backwards; nothing was written (pass --allow-downgrade to bump anyway)",
        Problems(problems)
    )
}
