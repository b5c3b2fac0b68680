//! Delivering prepared commits: one atomic push, then the pull requests.
//! Without a forge, each commit is pushed straight to the branch it is for.

use crate::adapters::forge::{Forge, PullRequest};
use crate::exec::Executor;
use crate::train::repo::Repo;
use anyhow::{Context as _, Result};

/// A prepared commit and where it goes.
pub struct Change {
    pub commit: String,
    /// The branch it is for (`main`, `release-X.Y.Z`).
    pub base: String,
    /// The branch it is pushed to for review (`ci/…`).
    pub head: String,
    pub title: String,
    pub body: String,
}

/// Pushes `create` (new branches at existing commits) and `changes` in one
/// atomic push, so the remote gets all of them or none; then opens the pull
/// requests. Never forces.
pub fn deliver(
    repo: &Repo,
    exec: &Executor,
    forge: &dyn Forge,
    create: &[(String, String)],
    changes: &[Change],
) -> Result<()> {
    let reviews = forge.reviews();
    let mut specs = Vec::new();
    for (commit, branch) in create {
        // Without review the change for this branch creates it, on top of
        // the same commit.
        if reviews || !changes.iter().any(|c| &c.base == branch) {
            specs.push(format!("{commit}:refs/heads/{branch}"));
        }
    }
    for c in changes {
        let target = if reviews { &c.head } else { &c.base };
        specs.push(format!("{}:refs/heads/{target}", c.commit));
    }
    let mut args = vec!["push", "--atomic", "--quiet", repo.remote()];
    args.extend(specs.iter().map(String::as_str));
    exec.git(&repo.git, &args).context(
        "the push was refused, so the remote is as it was (the push is atomic); \
         if the remote moved on meanwhile, run the command again",
    )?;
    for c in changes {
        let target = if reviews { &c.head } else { &c.base };
        eprintln!("{:>12} {target}", "Pushed");
    }
    if reviews {
        for c in changes {
            let pr = PullRequest {
                title: c.title.clone(),
                head: c.head.clone(),
                base: c.base.clone(),
                body: c.body.clone(),
            };
            exec.open_pull_request(forge, &pr)?;
        }
    }
    Ok(())
}
