//! `cargo train bump LEVEL`: move every publishable crate's version, the
//! requirements on it, the version files and `Cargo.lock`, in one write.

use crate::adapters::fs;
use crate::core::bump::{self, Files};
use crate::core::manifest::Field;
use crate::core::problem::{Problem, Problems};
use crate::core::refs::Names;
use crate::core::version::{Level, downgrade, try_bump};
use crate::core::workspace::VersionSource;
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
    let mut version_files = HashMap::new();
    for vf in &ctx.config.version_files {
        version_files.insert(
            vf.path.clone(),
            fs::read_optional(&ctx.root.join(&vf.path))?,
        );
    }
    let lock_path = Path::new("Cargo.lock");
    let lock = fs::read_optional(&ctx.root.join(lock_path))?;
    let files = Files {
        version_files: &version_files,
        lock: lock.as_deref(),
        lock_path,
    };
    Ok(bump::plan(&ctx.ws, level, &ctx.config, &files)?)
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
    // STEP 2: the files, then the hooks.
    let after: &[String] = if opts.hooks {
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
    Ok(plan)
}

/// A version number at `u64::MAX` cannot move: refused, naming the crate and
/// the file its version is written in, before anything is computed.
fn check_overflow(ctx: &Context, level: &Level) -> Result<(), Problems> {
    let ws = &ctx.ws;
    let mut problems = Vec::new();
    let inheriting: Vec<&str> = ws
        .crates
        .iter()
        .filter(|c| c.publishable && c.version_source == VersionSource::Inherited)
        .map(|c| c.name.as_str())
        .collect();
    if let (Some(v), false) = (ws.workspace_version(), inheriting.is_empty())
        && let Err(e) = try_bump(&v, level)
    {
        let root = ws.root();
        let line = root
            .workspace_package
            .as_ref()
            .and_then(|w| w.version.as_ref())
            .map(|s| root.line_of(s.span.start));
        problems.push(Problem::new(
            &root.path,
            line,
            format!(
                "`workspace.package.version` {v} (of {}): {e}; set the versions by hand",
                inheriting.join(", ")
            ),
        ));
    }
    for c in &ws.crates {
        if c.publishable
            && c.version_source == VersionSource::Literal
            && let Err(e) = try_bump(&c.version, level)
        {
            let m = &ws.manifests[c.manifest];
            let line = match m.package.as_ref().map(|p| &p.version) {
                Some(Field::Given(s)) => Some(m.line_of(s.span.start)),
                _ => None,
            };
            problems.push(Problem::new(
                &m.path,
                line,
                format!("`{}` {}: {e}; set its version by hand", c.name, c.version),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Problems(problems))
    }
}

/// Refuses a bump that moves a crate below its version, or the workspace
/// onto a version already tagged (released) in the repository, if there is
/// one: cargo would keep resolving the older, higher release.
fn check_downgrade(ctx: &Context, plan: &bump::Plan, level: &Level) -> Result<()> {
    let mut problems = Vec::new();
    // Crates on the workspace version are reported once, at its line.
    if let Some((old, new)) = &plan.workspace
        && let Some(why) = downgrade(old, new, level)
    {
        let names: Vec<&str> = plan
            .moves
            .iter()
            .map(|(i, _, _)| &ctx.ws.crates[*i])
            .filter(|c| c.version_source == VersionSource::Inherited)
            .map(|c| c.name.as_str())
            .collect();
        problems.push(Problem::new(
            &ctx.ws.root().path,
            None,
            format!(
                "`workspace.package.version` would go from {old} to {new} (for {}): {why}",
                names.join(", ")
            ),
        ));
    }
    for (i, old, new) in &plan.moves {
        let c = &ctx.ws.crates[*i];
        if c.version_source == VersionSource::Inherited && plan.workspace.is_some() {
            continue;
        }
        if let Some(why) = downgrade(old, new, level) {
            problems.push(Problem::new(
                &ctx.ws.manifests[c.manifest].path,
                None,
                format!("`{}` would go from {old} to {new}: {why}", c.name),
            ));
        }
    }
    // The train's version (what tags are named after): the workspace's,
    // else the root package's.
    let root_pkg = ctx
        .ws
        .crates
        .iter()
        .position(|c| c.manifest == 0)
        .and_then(|r| plan.moves.iter().find(|(i, _, _)| *i == r));
    let train = plan
        .workspace
        .as_ref()
        .map(|(_, n)| n)
        .or(root_pkg.map(|(_, _, n)| n));
    if let Some(new) = train {
        let tag = Names::of(&ctx.config).tag(new);
        // Outside a git repository there are no tags to check.
        let git = crate::adapters::git::Git::new(&ctx.root);
        if let Ok(Some(at)) = git.resolve(&format!("refs/tags/{tag}")) {
            problems.push(Problem::new(
                &ctx.ws.root().path,
                None,
                format!(
                    "{new} is already released: tag `{tag}` exists (at {})",
                    &at[..at.len().min(10)]
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
