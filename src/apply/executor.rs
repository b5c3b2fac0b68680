//! The executor: what each kind of effect does, through the adapters it
//! holds (the repository's git, its forge, a registry). Only the applier
//! calls it, so nothing outside a plan changes anything.

use super::{Progress, tokens::Tokens};
use crate::adapters::forge::Forge;
use crate::adapters::git::Git;
use crate::adapters::process::{self, Stopped};
use crate::adapters::registry::Registry;
use crate::plan::{Effect, Hook, Plan};
use anyhow::{Context, Result, bail};
use std::path::Path;

/// The adapters effects act through; each is needed only by the effects
/// that use it.
#[derive(Default)]
pub struct Executor<'a> {
    git: Option<&'a Git>,
    forge: Option<&'a dyn Forge>,
    registry: Option<&'a Registry>,
    /// The trusted publishing tokens minted in this run.
    pub(super) tokens: Tokens,
}

impl<'a> Executor<'a> {
    pub fn new() -> Executor<'a> {
        Executor::default()
    }

    /// Git commands run in this repository.
    pub fn with_git(mut self, git: &'a Git) -> Executor<'a> {
        self.git = Some(git);
        self
    }

    pub fn with_forge(mut self, forge: &'a dyn Forge) -> Executor<'a> {
        self.forge = Some(forge);
        self
    }

    pub fn with_registry(mut self, registry: &'a Registry) -> Executor<'a> {
        self.registry = Some(registry);
        self
    }

    pub(super) fn git(&self) -> Result<&'a Git> {
        self.git
            .context("internal error: a git effect without a repository")
    }

    pub(super) fn forge(&self) -> Result<&'a dyn Forge> {
        self.forge
            .context("internal error: a forge effect without a forge")
    }

    pub(super) fn registry(&self, name: &str) -> Result<&'a Registry> {
        match self.registry {
            Some(r) if r.name == name => Ok(r),
            _ => bail!("internal error: an effect on registry `{name}`, which is not open"),
        }
    }

    /// Carries out one effect of `plan`.
    pub(super) fn carry_out(&self, plan: &Plan, e: &Effect, done: &mut Progress) -> Result<()> {
        match e {
            Effect::Commit(c) => {
                let oid = self.commit(c, &done.made)?;
                done.made.push(oid);
            }
            Effect::Pick(p) => {
                let oid = self.pick(p, &done.made)?;
                done.made.push(oid);
            }
            Effect::Push { remote, updates } => {
                self.push(remote, updates, &done.made)?;
                done.pushed = true;
            }
            Effect::PullRequest(pr) => {
                // One request failing does not keep the others from opening.
                if let Err(err) = self.forge()?.open_pull_request(pr) {
                    eprintln!("error: {}", crate::core::redact::text(&format!("{err:#}")));
                    done.failed_prs.push(plan.describe(e));
                }
            }
            Effect::FastForward { branch, to } => {
                self.fast_forward(branch, &super::resolve(to, &done.made))?
            }
            Effect::Tag { name, at } => {
                self.tag(name, &super::resolve(at, &done.made))?;
                done.pushed = true;
            }
            Effect::Files(f) => self.files(f)?,
            Effect::Run(r) => self.run_program(r)?,
            Effect::CreateDir(d) => std::fs::create_dir_all(d)
                .with_context(|| format!("cannot create {}", d.display()))?,
            Effect::Pack(p) => self.pack(p)?,
            Effect::SourceTarball {
                archive,
                prefix,
                rev,
            } => self.source_tarball(archive, prefix, rev)?,
            Effect::Copy { from, to } => self.copy(from, to)?,
            Effect::Sums { file, files } => self.sums(file, files)?,
            Effect::Release { new, assets } => self.release(new, assets)?,
            Effect::Assets { release, files } => self.upload_assets(release, files)?,
            Effect::MintToken {
                registry,
                renew_after,
            } => self.mint_token(registry, *renew_after)?,
            Effect::Publish(u) => self.publish(u)?,
            Effect::Yank(y) => self.yank(y)?,
            Effect::RevokeTokens { registry } => self.revoke_tokens(registry)?,
            Effect::Output { file, line } => output(file, line)?,
            Effect::Issue(i) => self.issue(i)?,
        }
        Ok(())
    }

    /// Runs a hook's shell command in `dir` (such as `cargo vet`), with
    /// `env` besides the inherited environment. One that outlives its
    /// timeout, or is still running when SIGINT or SIGTERM comes, is
    /// stopped with every process it started (its process group) and is an
    /// error.
    pub(super) fn shell(&self, dir: &Path, hook: &Hook, env: &[(String, String)]) -> Result<()> {
        let command = &hook.command;
        let run = process::Run::new(process::shell(dir, command, env), hook.timeout)
            .stop_on_signal(format!("while `{command}` ran"))
            .run();
        let status = match run {
            Ok(out) => out.status,
            Err(e) => match e.why {
                Stopped::Start(err) => {
                    return Err(err).with_context(|| format!("failed to start `{command}`"));
                }
                Stopped::TimedOut(limit) => bail!(
                    "`{command}` did not finish within {}s and was stopped with the processes it \
                     started; raise `hook-timeout-secs` if it needs longer",
                    limit.as_secs()
                ),
                Stopped::Interrupted(i) => return Err(i.into()),
                Stopped::Input(err) | Stopped::Wait(err) => return Err(err.into()),
            },
        };
        if !status.success() {
            bail!("`{command}` failed ({status})");
        }
        Ok(())
    }
}

/// Appends `line` to a job's output file (`$GITHUB_OUTPUT`).
fn output(file: &Path, line: &str) -> Result<()> {
    use std::io::{Read, Seek, Write};
    if file.as_os_str().is_empty() {
        bail!("GITHUB_OUTPUT is set but empty: unset it, or name the job's output file");
    }
    // A FIFO or device would block or swallow the line: only a file.
    if std::fs::metadata(file).is_ok_and(|m| !m.is_file()) {
        bail!(
            "GITHUB_OUTPUT {} is not a regular file (a directory, FIFO or device)",
            file.display()
        );
    }
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(file)
        .with_context(|| format!("cannot open {} to append to it", file.display()))?;
    // A file whose last line has no newline would have ours joined onto it.
    let mut last = [0u8; 1];
    let ends_open = f.seek(std::io::SeekFrom::End(-1)).is_ok()
        && f.read_exact(&mut last).is_ok()
        && last[0] != b'\n';
    let lead = if ends_open { "\n" } else { "" };
    writeln!(f, "{lead}{line}").with_context(|| format!("cannot write to {}", file.display()))
}
