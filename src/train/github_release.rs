//! `cargo train github-release [TAG] [--assets DIR]`: the forge's release of
//! a tag, with that version's notes from RELEASES.md, marked pre-release when
//! the version has a suffix, every file of DIR attached. "Latest" stays on
//! the highest final version: a patch of an older branch does not take it.
//! Without a forge there are no releases: it says so and does nothing.

use crate::adapters::forge::{self, NewRelease, ReleaseState};
use crate::exec::Executor;
use crate::train::repo::Repo;
use crate::train::{Context, notes};
use anyhow::{Context as _, Result};
use semver::Version;
use std::path::Path;

pub fn run(
    ctx: &Context,
    repo: &Repo,
    tag: Option<&str>,
    assets: Option<&Path>,
    exec: &Executor,
) -> Result<()> {
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
    let forge = forge::open(&ctx.config, &repo.git)?;
    match forge.release(&tag)? {
        ReleaseState::Missing => {}
        ReleaseState::Exists => {
            crate::output::say(
                "Release",
                &format!("nothing to do: the release {tag} exists"),
            );
            return Ok(());
        }
        ReleaseState::Unsupported => {
            crate::output::say(
                "Skipping",
                &format!(
                    "the release {tag}: releases need a forge (set `forge` in the configuration)"
                ),
            );
            return Ok(());
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

    let files: Vec<std::path::PathBuf> = match assets {
        None => Vec::new(),
        Some(dir) => {
            let mut f: Vec<_> = std::fs::read_dir(dir)
                .with_context(|| format!("cannot read the assets directory {}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            f.sort();
            f
        }
    };
    let new = NewRelease {
        tag: tag.clone(),
        body,
        prerelease,
        latest,
    };
    let mut release = None;
    exec.effect(
        &format!(
            "create the release {tag} ({}{}) with the notes of {version}",
            if prerelease { "pre-release" } else { "release" },
            if latest { ", latest" } else { "" }
        ),
        || {
            release = Some(forge.create_release(&new)?);
            Ok(())
        },
    )?;
    for f in &files {
        let name = f.file_name().expect("a file").to_string_lossy().to_string();
        exec.effect(&format!("upload {name}"), || {
            let bytes = std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?;
            let release = release.as_ref().expect("created before its assets");
            forge.upload_asset(release, &name, &bytes)
        })?;
    }
    crate::output::say(
        "Released",
        &format!(
            "{tag}{}{} with {} asset{}",
            if prerelease { " (pre-release)" } else { "" },
            if latest { " (latest)" } else { "" },
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        ),
    );
    Ok(())
}
