//! Carries out a [`Plan`]: commits built beside the checkout (see
//! [`Scratch`]), then the one atomic push, then the pull requests, then a
//! local fast-forward. A dry run prints the plan instead. A signal stops the
//! run between effects; a failure or a stop names what is left, and running
//! the same command again finishes it (operations plan only what is missing).

use crate::adapters::forge::Forge;
use crate::adapters::git::pick::{self as git_pick, Applied};
use crate::adapters::git::scratch::{Files, Scratch};
use crate::exec::Executor;
use crate::signals;
use crate::train::plan::{Effect, NewCommit, Pick, Plan, Rev};
use crate::train::repo::Repo;
use anyhow::{Context as _, Result, bail};

/// Applies `plan`; returns the commits it made, in order.
pub fn apply(plan: &Plan, repo: &Repo, forge: &dyn Forge, exec: &Executor) -> Result<Vec<String>> {
    if exec.is_dry_run() {
        crate::out!("{}", plan.render());
        return Ok(Vec::new());
    }
    let mut made: Vec<String> = Vec::new();
    let mut pushed = false;
    let mut failed_prs = Vec::new();
    for (i, effect) in plan.effects.iter().enumerate() {
        signals::check(|| {
            format!(
                "before the {}; {}",
                plan.describe(effect),
                left_from(plan, i, pushed)
            )
        })?;
        let done = match effect {
            Effect::Commit(c) => commit(repo, exec, c, &made).map(|oid| made.push(oid)),
            Effect::Pick(p) => pick(repo, p, &made).map(|oid| made.push(oid)),
            Effect::Push { remote, updates } => {
                let specs: Vec<String> = updates
                    .iter()
                    .map(|(r, b)| format!("{}:refs/heads/{b}", resolve(r, &made)))
                    .collect();
                let mut args = vec!["push", "--atomic", remote.as_str()];
                args.extend(specs.iter().map(String::as_str));
                exec.git(&repo.git, &args)
                    .context(
                        "the push was refused, so the remote is as it was (the push is atomic); \
                         if the remote moved on meanwhile, run the command again",
                    )
                    .map(|_| {
                        pushed = true;
                        for (_, b) in updates {
                            crate::output::say("Pushed", b);
                        }
                    })
            }
            Effect::PullRequest(pr) => {
                // One request failing does not keep the others from opening.
                if let Err(e) = exec.open_pull_request(forge, pr) {
                    eprintln!("error: {e:#}");
                    failed_prs.push(plan.describe(effect));
                }
                Ok(())
            }
            Effect::FastForward { branch, to } => {
                fast_forward(repo, exec, branch, &resolve(to, &made))
            }
            Effect::Tag { name, at } => {
                let at = resolve(at, &made);
                exec.effect(
                    &format!("create tag {name} at {at} on {}", repo.remote()),
                    || forge.create_tag(name, &at),
                )
                .and_then(|()| exec.git(&repo.git, &["tag", name, &at]))
                .map(|_| {
                    pushed = true;
                    crate::output::say("Tagged", &format!("`{name}` at {}", &at[..10]));
                })
            }
        };
        if let Err(e) = done {
            return Err(e.context(left_from(plan, i, pushed)));
        }
    }
    if !failed_prs.is_empty() {
        bail!(
            "the push went through, but these pull requests could not be opened: {}; run the same \
             command again to open them",
            failed_prs.join("; ")
        );
    }
    Ok(made)
}

/// What is left from effect `i` on, for an error or a stop.
fn left_from(plan: &Plan, i: usize, pushed: bool) -> String {
    let left: Vec<String> = plan.effects[i..].iter().map(|e| plan.describe(e)).collect();
    let state = if pushed {
        "the push went through"
    } else {
        "nothing was pushed"
    };
    format!(
        "{state}; left undone: {}; run the same command again to finish",
        left.join("; ")
    )
}

fn resolve(r: &Rev, made: &[String]) -> String {
    match r {
        Rev::At { oid, .. } => oid.clone(),
        Rev::Made(n) => made[*n].clone(),
    }
}

/// Builds one commit beside the checkout: the base's files written out
/// (all of them only when a hook runs), the changes written, the hooks run,
/// committed with git's plumbing.
fn commit(repo: &Repo, exec: &Executor, c: &NewCommit, made: &[String]) -> Result<String> {
    let base = resolve(&c.base, made);
    let files = if c.hooks.is_empty() {
        Files::Some
    } else {
        Files::All
    };
    let scratch = Scratch::open(&repo.git, &base, files)?;
    let paths: Vec<std::path::PathBuf> = c.changes.files.iter().map(|f| f.path.clone()).collect();
    scratch.materialize(|f| paths.iter().any(|p| p.as_os_str() == f))?;
    exec.write_files(&scratch.dir(), &c.changes)?;
    for h in &c.hooks {
        exec.shell_env(&scratch.dir(), h, scratch.env())
            .with_context(|| format!("`{}` failed; nothing was committed", h.command))?;
    }
    scratch.commit(&paths, &c.message)
}

/// Makes a cherry-pick in the repository's object store (planning found
/// it clean in a quarantine; the same inputs give the same tree).
fn pick(repo: &Repo, p: &Pick, made: &[String]) -> Result<String> {
    let base = resolve(&p.base, made);
    match git_pick::apply_change(&repo.git, &p.parent, &base, &p.commit)? {
        Applied::Tree(tree) => {
            git_pick::commit_tree(&repo.git, &tree, &base, &p.message, &p.author)
        }
        Applied::Conflicts(files) => bail!(
            "the cherry-pick of {} now conflicts in {}; nothing was pushed",
            p.commit,
            files.join(", ")
        ),
    }
}

/// Brings the checked-out `branch` to `to` when the checkout is on it,
/// clean, and `to` is ahead of it; otherwise says why it is left alone.
fn fast_forward(repo: &Repo, exec: &Executor, branch: &str, to: &str) -> Result<()> {
    let git = &repo.git;
    let on = git.current_branch()?;
    let head = git.resolve("HEAD")?;
    let why_not = if on.as_deref() != Some(branch) {
        Some(format!("`{branch}` is not checked out"))
    } else if git.operation_in_progress()?.is_some() || !git.dirty_paths()?.is_empty() {
        Some("the checkout has changes".to_string())
    } else if !head
        .as_deref()
        .is_some_and(|h| git.is_ancestor(h, to).unwrap_or(false))
    {
        Some(format!("`{branch}` has commits of its own"))
    } else {
        None
    };
    match why_not {
        None => {
            exec.git(git, &["merge", "--ff-only", "--quiet", to])?;
        }
        Some(why) => crate::output::say(
            "Left",
            &format!("local `{branch}` as it is ({why}); `git pull` brings it along"),
        ),
    }
    Ok(())
}
