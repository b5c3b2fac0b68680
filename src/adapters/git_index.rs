//! A registry's git index (cargo's older protocol): fetched with the `git`
//! command line into a private bare repository (shallow, so only the
//! newest tree is transferred), files read from the fetched commit. git
//! brings its own transports, credentials and ssh set-up; cargo's
//! `http.cainfo`, `http.proxy` and timeouts are passed on as git settings.
//! The files themselves are parsed by `crates-index`.

use crate::adapters::failure::Failure;
use crate::adapters::process::{Run, Stopped};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The longest one git run may take: a hung ssh or server must not hold a
/// release forever (git is stopped with what it started, ssh too).
const GIT_TIMEOUT: Duration = Duration::from_secs(300);

/// Lookups this close together share one fetch (a burst of lookups at the
/// start of `publish` costs one round trip, not one per crate).
const FRESH: Duration = Duration::from_millis(150);

pub struct GitIndex {
    url: String,
    repo: tempfile::TempDir,
    /// `-c key=value` settings derived from cargo's configuration.
    settings: Vec<String>,
    last_fetch: Mutex<Option<Instant>>,
}

impl GitIndex {
    /// Fetches the index at `url` for the first time.
    pub fn open(url: &str, settings: Vec<String>) -> anyhow::Result<GitIndex> {
        let repo = tempfile::Builder::new()
            .prefix("cargo-train-index-")
            .tempdir()?;
        let index = GitIndex {
            url: url.to_string(),
            repo,
            settings,
            last_fetch: Mutex::new(None),
        };
        index
            .git(&["init", "--quiet", "--bare"])
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        index
            .refresh(&mut index.last_fetch.lock().expect("not poisoned"))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(index)
    }

    fn git(&self, args: &[&str]) -> Result<Vec<u8>, Failure> {
        self.git_with_input(args, None)
    }

    fn git_with_input(&self, args: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>, Failure> {
        let mut cmd = Command::new("git");
        cmd.arg("--git-dir").arg(self.repo.path());
        for s in &self.settings {
            cmd.args(["-c", s]);
        }
        cmd.args(args)
            // Never wait for a password prompt nobody sees.
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null());
        let what = format!("git {}", args.join(" "));
        let mut run = Run::new(cmd, GIT_TIMEOUT).capture();
        if let Some(bytes) = input {
            run = run.input(bytes);
        }
        let out = run.run().map_err(|e| match e.why {
            Stopped::Start(e) => Failure::Permanent(format!("cannot run `{what}`: {e}")),
            Stopped::Input(e) => Failure::Permanent(format!("`{what}`: {e}")),
            Stopped::Wait(e) => transient(format!("`{what}`: {e}")),
            Stopped::TimedOut(limit) => transient(format!(
                "`{what}`: no answer in {} s; stopped",
                limit.as_secs()
            )),
            // Not asked to stop on signals.
            Stopped::Interrupted(e) => transient(format!("`{what}`: {e}")),
        })?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
            // A fetch may fail for a moment (network, server busy); other
            // commands only read the local repository.
            let message = format!("`{what}` failed: {stderr}");
            return Err(if args.first() == Some(&"fetch") {
                transient(message)
            } else {
                Failure::Permanent(message)
            });
        }
        Ok(out.stdout)
    }

    /// Fetches the index's HEAD unless another lookup just did.
    fn refresh(&self, last: &mut Option<Instant>) -> Result<(), Failure> {
        if last.is_some_and(|t| t.elapsed() < FRESH) {
            return Ok(());
        }
        self.git(&[
            "fetch",
            "--quiet",
            "--depth=1",
            "--no-tags",
            "--force",
            &self.url,
            "HEAD:refs/heads/index",
        ])
        .map_err(|e| e.within(&format!("git index {}", self.url)))?;
        *last = Some(Instant::now());
        Ok(())
    }

    /// The file at `path` in the newest index (none if it is not there).
    pub fn file(&self, path: &str) -> Result<Option<Vec<u8>>, Failure> {
        let mut last = self.last_fetch.lock().expect("not poisoned");
        self.refresh(&mut last)?;
        let out = self.git_with_input(
            &["cat-file", "--batch"],
            Some(format!("refs/heads/index:{path}\n").as_bytes()),
        )?;
        drop(last);
        // `<oid> blob <size>\n<content>\n`, or `<name> missing\n`.
        let Some(nl) = out.iter().position(|&b| b == b'\n') else {
            return Err(Failure::Permanent(format!(
                "git index {}: unreadable answer from `git cat-file`",
                self.url
            )));
        };
        let head = String::from_utf8_lossy(&out[..nl]);
        let mut parts = head.split_whitespace();
        match (parts.next(), parts.next(), parts.next()) {
            (Some(_), Some("blob"), Some(size)) => {
                let size: usize = size.parse().unwrap_or(0);
                Ok(Some(out[nl + 1..(nl + 1 + size).min(out.len())].to_vec()))
            }
            _ => Ok(None),
        }
    }
}

fn transient(message: String) -> Failure {
    Failure::Transient {
        message,
        retry_after: None,
    }
}
