//! `cargo train tag --range BEFORE..AFTER`: after a push to a release
//! branch (and its CI), tag the release commit.
//!
//! STEP 1: fetch. STEP 2: nothing to do unless a commit of the pushed range
//! carries the marker. STEP 3: the tag is `<prefix><version at AFTER>`; if it
//! exists it must be at AFTER (then nothing to do). STEP 4: push the tag
//! (on GitHub: only once the commit's checks passed, created through the
//! API), then make it locally.

use crate::adapters::forge;
use crate::adapters::github::Checks;
use crate::core::config::ForgeKind;
use crate::exec::Executor;
use crate::train::repo::Repo;
use anyhow::{Context as _, Result, bail};

/// `wait`: on GitHub, how long to wait for pending checks before giving up.
pub fn run(
    repo: &Repo,
    range: &str,
    wait: std::time::Duration,
    exec: &Executor,
) -> Result<Option<String>> {
    let (before, after) = range
        .split_once("..")
        .map(|(b, a)| (b, a.trim_start_matches('.')))
        .context("--range takes BEFORE..AFTER (the commits before and after the push)")?;
    repo.fetch(exec)?;
    let after_oid = repo
        .git
        .resolve(after)?
        .with_context(|| format!("`{after}` is not a commit here"))?;
    // A new branch has no "before": only its newest commit is looked at.
    let scanned = if before.is_empty() || before.bytes().all(|b| b == b'0') {
        format!("{after_oid}^!")
    } else {
        let b = repo
            .git
            .resolve(before)?
            .with_context(|| format!("`{before}` is not a commit here"))?;
        format!("{b}..{after_oid}")
    };
    if !repo.git.range_mentions(&scanned, &repo.config.marker)? {
        eprintln!(
            "{:>12} nothing to do: no commit in {range} asks for a release",
            "Tag"
        );
        return Ok(None);
    }
    let version = repo.version_at(&after_oid)?;
    let name = format!("{}{version}", repo.config.tag_prefix);
    if let Some(at) = repo.tag(&name)? {
        if at == after_oid {
            eprintln!(
                "{:>12} nothing to do: `{name}` already tags {}",
                "Tag",
                &after_oid[..10]
            );
            return Ok(Some(name));
        }
        bail!(
            "`{name}` already exists at {at}, not at {after_oid}; a released version is never re-tagged"
        );
    }
    if repo.config.forge == ForgeKind::Github {
        // On GitHub: only once CI passed, and through the API so that the
        // tag's own workflows (publishing) start.
        let gh = forge::github(&repo.config, &repo.git.remote_url(repo.remote())?)?;
        let until = std::time::Instant::now() + wait;
        // In GitHub Actions this job is a check run of the commit too.
        let me: Vec<String> = std::env::var("GITHUB_JOB").into_iter().collect();
        loop {
            match gh.checks(&after_oid, &repo.config.github.required_checks, &me)? {
                Checks::Passed => break,
                Checks::Pending(names) if std::time::Instant::now() < until => {
                    eprintln!(
                        "{:>12} for checks on {}: {}",
                        "Waiting",
                        &after_oid[..10],
                        names.join(", ")
                    );
                    std::thread::sleep(
                        std::time::Duration::from_secs(20).min(until - std::time::Instant::now()),
                    );
                }
                Checks::Pending(names) => bail!(
                    "not tagging `{name}` yet: checks still pending on {}: {}",
                    &after_oid[..10],
                    names.join(", ")
                ),
                Checks::Failed(names) => bail!(
                    "not tagging `{name}`: checks failed on {}: {}",
                    &after_oid[..10],
                    names.join(", ")
                ),
            }
        }
        exec.effect(
            &format!("create tag {name} at {after_oid} on GitHub"),
            || gh.create_tag(&name, &after_oid),
        )?;
    } else {
        let spec = format!("{after_oid}:refs/tags/{name}");
        exec.git(&repo.git, &["push", "--quiet", repo.remote(), &spec])?;
    }
    exec.git(&repo.git, &["tag", &name, &after_oid])?;
    eprintln!("{:>12} `{name}` at {}", "Tagged", &after_oid[..10]);
    Ok(Some(name))
}
