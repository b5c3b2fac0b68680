//! `cargo train tag --range BEFORE..AFTER`: after a push to a release
//! branch (and its CI), tag the release commit.
//!
//! STEP 1: fetch. STEP 2: nothing to do unless a commit of the pushed range
//! carries the marker. STEP 3: the tag is `<prefix><version at AFTER>`; if it
//! exists it must be at AFTER (then nothing to do). STEP 4: once the
//! commit's checks on the forge passed (a forge without checks has none to
//! wait for), the forge creates the tag; then it is made locally.

use crate::adapters::forge::{self, Checks};
use crate::exec::Executor;
use crate::train::repo::Repo;
use anyhow::{Context as _, Result, bail};

/// `wait`: how long to wait for pending checks before giving up.
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
        crate::output::say(
            "Tag",
            &format!("nothing to do: no commit in {range} asks for a release"),
        );
        return Ok(None);
    }
    let version = repo.version_at(&after_oid)?;
    let name = crate::core::refs::Names::of(&repo.config).tag(&version);
    if let Some(at) = repo.tag(&name)? {
        if at == after_oid {
            crate::output::say(
                "Tag",
                &format!("nothing to do: `{name}` already tags {}", &after_oid[..10]),
            );
            return Ok(Some(name));
        }
        bail!(
            "`{name}` already exists at {at}, not at {after_oid}; a released version is never re-tagged"
        );
    }
    let forge = forge::open(&repo.config, &repo.git)?;
    let until = std::time::Instant::now() + wait;
    loop {
        match forge.checks(&after_oid)? {
            Checks::Passed | Checks::Untracked => break,
            Checks::Pending(names) if std::time::Instant::now() < until => {
                crate::output::say(
                    "Waiting",
                    &format!("for checks on {}: {}", &after_oid[..10], names.join(", ")),
                );
                crate::signals::sleep(
                    std::time::Duration::from_secs(20).min(until - std::time::Instant::now()),
                    || {
                        format!(
                            "while waiting for the checks of {}; nothing was tagged",
                            &after_oid[..10]
                        )
                    },
                )?;
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
        &format!("create tag {name} at {after_oid} on {}", repo.remote()),
        || forge.create_tag(&name, &after_oid),
    )?;
    exec.git(&repo.git, &["tag", &name, &after_oid])?;
    crate::output::say("Tagged", &format!("`{name}` at {}", &after_oid[..10]));
    Ok(Some(name))
}
