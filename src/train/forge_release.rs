//! `cargo train github-release [TAG] [--assets DIR]`: the forge's release of
//! a tag, with that version's notes from RELEASES.md, marked pre-release when
//! the version has a suffix, every file of DIR attached. "Latest" stays on
//! the highest final version: a patch of an older branch does not take it.
//! Without a forge there are no releases: it says so and does nothing.

use crate::adapters::forge::{NewRelease, ReleaseState};
use crate::plan::{Effect, Plan};
use crate::train::repo::Repo;
use crate::train::{Context, notes};
use anyhow::{Context as _, Result};
use semver::Version;
use std::path::{Path, PathBuf};

pub fn plan(ctx: &Context, repo: &Repo, tag: Option<&str>, assets: Option<&Path>) -> Result<Plan> {
    let names = crate::core::refs::Names::of(&ctx.config);
    let tag = match tag {
        Some(t) => t.to_string(),
        None => {
            let v = ctx
                .ws
                .workspace_version()
                .or_else(|| ctx.ws.crates.first().map(|c| c.version.clone()));
            names.tag(&v.context("the workspace has no version to name the tag")?)
        }
    };
    let version = Version::parse(names.strip_tag_prefix(&tag))
        .with_context(|| format!("tag `{tag}` does not name a version"))?;
    let forge = repo.forge()?;
    let files = asset_files(assets)?;
    let mut plan = Plan::default();
    match forge.release(&tag)? {
        ReleaseState::Missing => {}
        ReleaseState::Exists(release, have) => {
            // An earlier run may have stopped between uploads: finish them.
            let missing: Vec<&PathBuf> = files
                .iter()
                .filter(|f| !have.contains(&file_name(f)))
                .collect();
            if missing.is_empty() {
                crate::output::say(
                    "Release",
                    &format!("nothing to do: the release {tag} exists with its assets"),
                );
                return Ok(plan);
            }
            crate::output::say(
                "Release",
                &format!(
                    "{tag} exists without {} of its assets: uploading them",
                    missing.len()
                ),
            );
            plan.add(Effect::Assets {
                release,
                files: missing.into_iter().cloned().collect(),
            });
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
    let body = notes::show(ctx, Some(&version.to_string()))?;
    let prerelease = !version.pre.is_empty();
    // The highest final version among the tags decides "latest".
    let highest = repo
        .git
        .refs("refs/tags/")?
        .into_iter()
        .filter_map(|r| names.parse_tag(&r.name))
        .filter(|v| v.pre.is_empty())
        .max();
    let latest = !prerelease && highest.as_ref().is_none_or(|h| version >= *h);

    let n = files.len();
    plan.add(Effect::Release {
        new: NewRelease {
            tag: tag.clone(),
            body,
            prerelease,
            latest,
        },
        assets: files,
    });
    plan.then_say(
        "Released",
        format!(
            "{tag}{}{} with {n} asset{}",
            if prerelease { " (pre-release)" } else { "" },
            if latest { " (latest)" } else { "" },
            if n == 1 { "" } else { "s" }
        ),
    );
    Ok(plan)
}

/// Every file of the assets directory, sorted.
fn asset_files(assets: Option<&Path>) -> Result<Vec<PathBuf>> {
    let Some(dir) = assets else {
        return Ok(Vec::new());
    };
    let mut f: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the assets directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    f.sort();
    Ok(f)
}

fn file_name(f: &Path) -> String {
    f.file_name().expect("a file").to_string_lossy().to_string()
}
