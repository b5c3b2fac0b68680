//! The one place side effects happen: file writes, git commands that change
//! something, shell hooks, pull requests. Operations describe each change and
//! hand it here; a dry run prints the same description instead, so it cannot
//! miss a side effect.

use crate::adapters::cargo_config::Token;
use crate::adapters::forge::{self, Forge, PullRequest};
use crate::adapters::fs;
use crate::adapters::git::Git;
use crate::adapters::registry::{Failure, Registry};
use crate::adapters::trusted_publishing::TrustedPublisher;
use crate::core::changeset::ChangeSet;
use anyhow::{Context, Result};
use semver::Version;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A shell command run after files are written (cargo's relock, the
/// project's `after-bump`), with how long it may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    pub command: String,
    pub timeout: Duration,
}

pub struct Executor {
    dry_run: bool,
}

impl Executor {
    pub fn new(dry_run: bool) -> Executor {
        Executor { dry_run }
    }

    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }

    /// Writes all files of `changes` under `root`, or (dry run) prints their diff.
    pub fn write_files(&self, root: &Path, changes: &ChangeSet) -> Result<()> {
        if self.dry_run {
            crate::out!("{}", changes.diff());
            return Ok(());
        }
        fs::write_all(root, changes)
    }

    /// Runs a git command that changes something (commit, push, tag,
    /// checkout); a dry run prints it and returns an empty output.
    pub fn git(&self, git: &Git, args: &[&str]) -> Result<String> {
        if self.dry_run {
            crate::outln!("would run: git {}", args.join(" "));
            return Ok(String::new());
        }
        git.run(args)
    }

    /// Opens a pull request (a dry run prints it).
    pub fn open_pull_request(&self, forge: &dyn Forge, pr: &PullRequest) -> Result<()> {
        if self.dry_run {
            crate::outln!("would open {}", forge::render(pr));
            return Ok(());
        }
        forge.open_pull_request(pr)
    }

    /// Uploads a packaged crate (a dry run prints what it would upload).
    pub fn publish(
        &self,
        reg: &Registry,
        name: &str,
        version: &Version,
        metadata: &serde_json::Value,
        krate: &[u8],
    ) -> Result<(), Failure> {
        if self.dry_run {
            crate::outln!(
                "would publish {name} {version} to {} ({} bytes)",
                reg.name,
                krate.len()
            );
            return Ok(());
        }
        reg.publish(name, metadata, krate)
    }

    pub fn yank(&self, reg: &Registry, name: &str, version: &Version) -> Result<(), Failure> {
        if self.dry_run {
            crate::outln!("would yank {name} {version} from {}", reg.name);
            return Ok(());
        }
        reg.yank(name, version)
    }

    /// Asks a registry for a short-lived token (trusted publishing). A dry
    /// run needs no token and never gets here.
    pub fn mint_token(&self, tp: &TrustedPublisher, reg: &Registry) -> Result<Token, Failure> {
        if self.dry_run {
            return Err(Failure::Permanent("a dry run mints no token".into()));
        }
        tp.mint(reg)
    }

    /// Revokes a token minted with [`Executor::mint_token`].
    pub fn revoke_token(&self, reg: &Registry, token: &Token) -> Result<(), Failure> {
        if self.dry_run {
            crate::outln!("would revoke the trusted publishing token");
            return Ok(());
        }
        reg.revoke_short_lived_token(token)
    }

    /// Any other side effect (a forge API call that changes something, a
    /// release build, an archive written); a dry run prints `what` instead.
    pub fn effect(&self, what: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
        if self.dry_run {
            crate::outln!("would {what}");
            return Ok(());
        }
        f()
    }

    /// Runs a hook's shell command in `dir` (such as `cargo vet`). One that
    /// outlives its timeout, or is still running when SIGINT or SIGTERM
    /// comes, is stopped with every process it started (its process group)
    /// and is an error.
    pub fn shell(&self, dir: &Path, hook: &Hook) -> Result<()> {
        self.shell_env(dir, hook, &[])
    }

    /// [`Executor::shell`] with extra environment variables.
    pub fn shell_env(&self, dir: &Path, hook: &Hook, env: &[(String, String)]) -> Result<()> {
        let command = &hook.command;
        if self.dry_run {
            crate::outln!("would run: {command}");
            return Ok(());
        }
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(dir)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .process_group(0)
            .spawn()
            .with_context(|| format!("failed to start `{command}`"))?;
        let deadline = Instant::now() + hook.timeout;
        let stop = |child: &mut std::process::Child| {
            // The group's id is the shell's pid (`process_group(0)`).
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
        };
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if let Err(e) = crate::signals::check(|| format!("while `{command}` ran")) {
                stop(&mut child);
                return Err(e.into());
            }
            if Instant::now() >= deadline {
                stop(&mut child);
                anyhow::bail!(
                    "`{command}` did not finish within {}s and was stopped with the processes it \
                     started; raise `hook-timeout-secs` if it needs longer",
                    hook.timeout.as_secs()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if !status.success() {
            anyhow::bail!("`{command}` failed ({status})");
        }
        Ok(())
    }
}
