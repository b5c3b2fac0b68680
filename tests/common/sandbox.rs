//! A workspace under git with a bare origin in a temp dir (the demo's
//! sample, fixed identity): what the train tests run on.

use super::Run;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Sandbox {
    _dir: tempfile::TempDir,
    pub ws: PathBuf,
    pub origin: PathBuf,
}

pub fn git_in(dir: &Path, args: &[&str]) -> String {
    // Before every `--date` the tests use: the train refuses to date its
    // commits before their parents.
    git_at(dir, "2025-12-01T00:00:00Z", args)
}

/// git in `dir` with its author and committer dates at `at` (RFC 3339).
pub fn git_at(dir: &Path, at: &str, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", at)
        .env("GIT_COMMITTER_DATE", at)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

impl Sandbox {
    pub fn new(extra_config: &str) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("rail");
        let origin = dir.path().join("origin.git");
        git_in(dir.path(), &["init", "--quiet", "--bare", "origin.git"]);
        for (path, text) in cargo_train::demo::sample::files() {
            let p = ws.join(&path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            let text = if path == "train.toml" {
                format!("{extra_config}{text}")
            } else {
                text
            };
            std::fs::write(p, text).unwrap();
        }
        let ok = Command::new("cargo")
            .args(["generate-lockfile", "--offline", "--quiet"])
            .current_dir(&ws)
            .status()
            .unwrap();
        assert!(ok.success());
        git_in(&ws, &["init", "--quiet", "-b", "main"]);
        for (k, v) in [
            ("user.name", "Train Test"),
            ("user.email", "test@example.invalid"),
            ("commit.gpgsign", "false"),
        ] {
            git_in(&ws, &["config", k, v]);
        }
        git_in(&ws, &["add", "--all"]);
        git_in(&ws, &["commit", "--quiet", "-m", "init"]);
        git_in(&ws, &["remote", "add", "origin", origin.to_str().unwrap()]);
        git_in(&ws, &["push", "--quiet", "origin", "main"]);
        Sandbox {
            _dir: dir,
            ws,
            origin,
        }
    }

    pub fn train(&self, date: &str, args: &[&str]) -> Run {
        self.train_env(date, args, &[])
    }

    pub fn train_env(&self, date: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = self
            .command(date, args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        Run::from(out)
    }

    /// `cargo train --date DATE ARGS` in the checkout, not yet started.
    pub fn command(&self, date: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-train"));
        cmd.arg("train")
            .args(["--date", date])
            .args(args)
            .current_dir(&self.ws)
            .env("GIT_AUTHOR_DATE", "2000-01-01T00:00:00Z"); // overridden by --date for train commits
        cmd
    }

    /// The temp dir that holds the checkout and the origin.
    pub fn root(&self) -> &Path {
        self._dir.path()
    }

    /// A copy of this sandbox in a temp dir of its own under `parent` (the
    /// checkout's `origin` pointing at the copy's origin): a fresh start
    /// from a state that took several runs to reach.
    pub fn duplicate_in(&self, parent: &Path) -> Sandbox {
        let dir = tempfile::tempdir_in(parent).unwrap();
        let ok = Command::new("cp")
            .arg("-a")
            .arg(self.root().join("."))
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(ok.success());
        let s = Sandbox {
            ws: dir.path().join(self.ws.strip_prefix(self.root()).unwrap()),
            origin: dir
                .path()
                .join(self.origin.strip_prefix(self.root()).unwrap()),
            _dir: dir,
        };
        s.git(&["remote", "set-url", "origin", s.origin.to_str().unwrap()]);
        s
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_in(&self.ws, args)
    }

    /// git in the checkout with every date (author, committer, tagger) at
    /// noon UTC of `day`.
    pub fn git_on(&self, day: &str, args: &[&str]) -> String {
        git_at(&self.ws, &format!("{day}T12:00:00Z"), args)
    }

    pub fn origin_git(&self, args: &[&str]) -> String {
        git_in(&self.origin, args)
    }

    /// Every ref of the workspace and of the origin, and every file of the
    /// working tree: what a no-op must leave as it was.
    pub fn state(&self) -> (String, String, BTreeMap<PathBuf, Vec<u8>>, String) {
        let files = snapshot(&self.ws);
        (
            self.git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
            self.origin_git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
            files,
            self.git(&["rev-parse", "--symbolic-full-name", "HEAD"]),
        )
    }

    pub fn remote_oid(&self, branch: &str) -> Option<String> {
        let out = Command::new("git")
            .args([
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("refs/heads/{branch}"),
            ])
            .current_dir(&self.origin)
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).unwrap().trim().to_string())
    }

    pub fn release_branches(&self) -> Vec<(String, String)> {
        self.origin_git(&[
            "for-each-ref",
            "--format=%(refname:short) %(objectname)",
            "refs/heads/release-*",
        ])
        .lines()
        .map(|l| {
            let (a, b) = l.split_once(' ').unwrap();
            (a.to_string(), b.to_string())
        })
        .collect()
    }

    /// What CI does after a push: tag every release branch that moved.
    pub fn tag_moved(&self, date: &str, before: &[(String, String)]) -> Vec<String> {
        let mut tagged = Vec::new();
        for (name, oid) in self.release_branches() {
            let old = before
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, o)| o.clone());
            if old.as_deref() == Some(oid.as_str()) {
                continue;
            }
            let range = format!("{}..{oid}", old.unwrap_or_else(|| "0".repeat(40)));
            let r = self.train(date, &["tag", "--range", &range]).success();
            if let Some(l) = r.stderr.lines().find(|l| l.contains("Tagged")) {
                tagged.push(l.trim().to_string());
            }
        }
        tagged
    }

    /// A fix pushed to `release-1.0.0` only (as a backport would be).
    pub fn backport(&self, text: &str) {
        // Made on the branch alone, and marked so, or `patch`'s audit
        // (every change lands on main first) would refuse it.
        self.commit_on(
            "release-1.0.0",
            "crates/core/src/lib.rs",
            &format!("// {text}\n"),
            &format!("{text}\n\nBranch-only: a test fixture"),
        );
    }

    /// A commit writing `path` pushed to `branch` as the origin has it
    /// (left checked out); its id.
    pub fn commit_on(&self, branch: &str, path: &str, text: &str, message: &str) -> String {
        self.git(&["fetch", "--quiet", "origin"]);
        self.git(&[
            "checkout",
            "--quiet",
            "-B",
            branch,
            &format!("origin/{branch}"),
        ]);
        std::fs::write(self.ws.join(path), text).unwrap();
        self.git(&["add", path]);
        self.git(&["commit", "--quiet", "-m", message]);
        self.git(&["push", "--quiet", "origin", branch]);
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// From now on the origin logs every push it takes (a post-receive
    /// hook): how a test sees what went out together.
    pub fn log_pushes(&self) -> PushLog {
        let log = self.root().join("pushes.log");
        let hook = self.origin.join("hooks/post-receive");
        std::fs::write(
            &hook,
            format!(
                "#!/bin/sh\nwhile read old new name; do printf '%s ' \"$name\"; done >> '{0}'\necho >> '{0}'\n",
                log.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
        PushLog(log)
    }

    /// Sets the root manifest's `version = ` lines (the workspace's) to `v`.
    pub fn set_version(&self, v: &str) {
        let path = self.ws.join("Cargo.toml");
        let text: String = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| {
                if l.starts_with("version = ") {
                    format!("version = \"{v}\"\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(path, text).unwrap();
    }

    pub fn file_at(&self, rev: &str, path: &str) -> String {
        self.origin_git(&["show", &format!("{rev}:{path}")])
    }
}

/// What [`Sandbox::log_pushes`] recorded.
pub struct PushLog(PathBuf);

impl PushLog {
    /// One entry per push: the refs it updated, sorted (git reports a
    /// push's updates in an order of its own).
    pub fn pushes(&self) -> Vec<String> {
        std::fs::read_to_string(&self.0)
            .unwrap_or_default()
            .lines()
            .map(|l| {
                let mut refs: Vec<&str> = l.split_whitespace().collect();
                refs.sort();
                refs.join(" ")
            })
            .collect()
    }
}

pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    pub fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap();
            if name == ".git" || name == "target" {
                continue;
            }
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}
