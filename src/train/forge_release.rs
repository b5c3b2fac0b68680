//! `cargo train forge-release [TAG] [--assets DIR]`: the forge's release of
//! a tag, with that version's notes from RELEASES.md, marked pre-release when
//! the version has a suffix, every file of DIR attached. "Latest" stays on
//! the highest final version: a patch of an older branch does not take it.
//! Without a forge there are no releases: it says so and does nothing.
//! A final version's release, made (or there already), ticks the release's
//! tracking issue and closes it: the forge release is the last step.

use crate::adapters::forge::{NewRelease, ReleaseState};
use crate::core::refs::{Names, TagName};
use crate::core::tracking::keys;
use crate::plan::{Effect, Plan};
use crate::train::repo::Repo;
use crate::train::{Context, notes, tracking};
use anyhow::{Context as _, Result, bail};
use semver::Version;
use std::path::{Path, PathBuf};

pub fn plan(ctx: &Context, repo: &Repo, tag: Option<&str>, assets: Option<&Path>) -> Result<Plan> {
    let names = Names::of(&ctx.config);
    let tag = match tag {
        Some(t) => TagName::new(t),
        None => names.tag(
            &ctx.ws
                .train_version()
                .context("the workspace has no version to name the tag")?,
        ),
    };
    let version = Version::parse(names.strip_tag_prefix(&tag))
        .with_context(|| format!("tag `{tag}` does not name a version"))?;
    let files = asset_files(assets)?;
    let mut plan = Plan::default();
    match repo.forge()?.release(&tag)? {
        ReleaseState::Missing => {}
        ReleaseState::Exists(release, have) => {
            // An earlier run may have stopped between uploads: finish them.
            let missing: Vec<PathBuf> = files
                .into_iter()
                .filter(|f| !have.contains(&file_name(f)))
                .collect();
            if missing.is_empty() {
                crate::output::say(
                    "Release",
                    &format!("nothing to do: the release {tag} exists with its assets"),
                );
                track(repo, &mut plan, &version)?;
            } else {
                crate::output::say(
                    "Release",
                    &format!(
                        "{tag} exists without {} of its assets: uploading them",
                        missing.len()
                    ),
                );
                plan.add(Effect::Assets {
                    release,
                    files: missing,
                });
                track(repo, &mut plan, &version)?;
            }
            return Ok(plan);
        }
        ReleaseState::Unsupported => {
            crate::output::say(
                "Skipping",
                &format!(
                    "the release {tag}: releases need a forge (set `forge` in the configuration)"
                ),
            );
            return Ok(plan);
        }
    }
    let new = NewRelease {
        body: notes::show(ctx, Some(&version.to_string()))?,
        prerelease: !version.pre.is_empty(),
        latest: is_latest(repo, &names, &version)?,
        tag: tag.to_string(),
    };
    plan.then_say("Released", released(&new, files.len()));
    plan.add(Effect::Release { new, assets: files });
    track(repo, &mut plan, &version)?;
    Ok(plan)
}

/// A final release's tracking issue: its forge release ticked, the issue
/// closed (the release is done).
fn track(repo: &Repo, plan: &mut Plan, version: &Version) -> Result<()> {
    if !version.pre.is_empty() {
        return Ok(());
    }
    let mut step = tracking::Step::default().tick(keys::FORGE_RELEASE);
    step.close = true;
    tracking::add(repo, plan, version, step)
}

/// Whether a release of `version` becomes "latest": a final version, the
/// highest among the final versions tagged.
fn is_latest(repo: &Repo, names: &Names, version: &Version) -> Result<bool> {
    let highest = repo
        .git
        .refs("refs/tags/")?
        .into_iter()
        .filter_map(|r| names.parse_tag(&r.name))
        .filter(|v| v.pre.is_empty())
        .max();
    Ok(version.pre.is_empty() && highest.as_ref().is_none_or(|h| version >= h))
}

/// What is said once the release is made.
fn released(r: &NewRelease, assets: usize) -> String {
    format!(
        "{}{}{} with {assets} asset{}",
        r.tag,
        if r.prerelease { " (pre-release)" } else { "" },
        if r.latest { " (latest)" } else { "" },
        if assets == 1 { "" } else { "s" }
    )
}

/// Every file of the assets directory, sorted.
fn asset_files(assets: Option<&Path>) -> Result<Vec<PathBuf>> {
    let Some(dir) = assets else {
        return Ok(Vec::new());
    };
    let mut f = Vec::new();
    for e in std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the assets directory {}", dir.display()))?
    {
        let p = e?.path();
        // What is uploaded is what the directory holds: a link could send
        // a file from anywhere, and a FIFO would never end.
        if let Some(kind) = crate::adapters::fs::not_plain(&p) {
            bail!(
                "{} is not a regular file ({kind}): the assets directory holds only the files \
                 to upload",
                p.display()
            );
        }
        f.push(p);
    }
    f.sort();
    Ok(f)
}

fn file_name(f: &Path) -> String {
    f.file_name().expect("a file").to_string_lossy().to_string()
}
