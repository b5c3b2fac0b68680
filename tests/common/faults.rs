//! What the fault tests share: the user's checkout as one value to compare,
//! the origin as its refs and their trees, a `git` that is slow to start
//! (so that interrupts spread over a whole run), and the real binary run in
//! a process group of its own, to be signalled as a terminal or a job
//! runner would.

use super::sandbox::{Sandbox, snapshot};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// git's exit code and standard output (a read that may answer "no" with 1).
fn git_code(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Everything of the user's checkout a release operation must leave alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// `git rev-parse HEAD`
    pub head: String,
    /// `git symbolic-ref -q HEAD`: the branch, empty when detached.
    pub branch: String,
    /// `git ls-files -s`
    pub index: String,
    /// `git diff --cached --quiet` found staged changes.
    pub staged: bool,
    /// Every file of the working tree but `.git/` and `target/`.
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    /// `git worktree list --porcelain`, the sandbox's root written `<root>`.
    pub worktrees: String,
    /// Lock files git left in `.git` (a killed git leaves `index.lock`,
    /// which blocks the user's next command).
    pub locks: Vec<String>,
}

impl Checkout {
    pub fn of(s: &Sandbox) -> Checkout {
        let ws = &s.ws;
        let root = s.root().to_str().unwrap();
        let mut locks = Vec::new();
        find_locks(&ws.join(".git"), &ws.join(".git"), &mut locks);
        locks.sort();
        Checkout {
            head: git_code(ws, &["rev-parse", "HEAD"]).1.trim().to_string(),
            branch: git_code(ws, &["symbolic-ref", "-q", "HEAD"])
                .1
                .trim()
                .to_string(),
            index: git_code(ws, &["ls-files", "-s"]).1,
            staged: git_code(ws, &["diff", "--cached", "--quiet"]).0 != 0,
            files: snapshot(ws),
            worktrees: git_code(ws, &["worktree", "list", "--porcelain"])
                .1
                .replace(root, "<root>"),
            locks,
        }
    }

    /// How `self` differs from `want`, in short stable phrases (they are
    /// counted across trials): empty when equal.
    pub fn differences(&self, want: &Checkout) -> Vec<String> {
        let mut d = Vec::new();
        if self.branch != want.branch {
            d.push(if self.branch.is_empty() {
                "HEAD detached".to_string()
            } else {
                format!("HEAD on {}", self.branch)
            });
        }
        if self.head != want.head {
            d.push("HEAD at another commit".into());
        }
        if self.index != want.index {
            d.push("index differs".into());
        }
        if self.staged != want.staged {
            d.push(format!("staged changes: {}", self.staged));
        }
        if self.files != want.files {
            let mut names: Vec<String> = self
                .files
                .iter()
                .filter(|(p, c)| want.files.get(*p) != Some(*c))
                .map(|(p, _)| p.display().to_string())
                .chain(
                    want.files
                        .keys()
                        .filter(|p| !self.files.contains_key(*p))
                        .map(|p| format!("-{}", p.display())),
                )
                .collect();
            names.sort();
            let more = names.len().saturating_sub(3);
            names.truncate(3);
            let more = if more > 0 {
                format!(", +{more}")
            } else {
                String::new()
            };
            d.push(format!("files changed ({}{more})", names.join(", ")));
        }
        if self.worktrees != want.worktrees {
            let paths = |w: &str| -> Vec<String> {
                w.lines()
                    .filter_map(|l| l.strip_prefix("worktree "))
                    .map(str::to_string)
                    .collect()
            };
            let (got, had) = (paths(&self.worktrees), paths(&want.worktrees));
            if got == had {
                // Only what the list says of HEAD, already named above.
                d.push("worktree list differs (its HEAD lines)".into());
            } else {
                d.push(format!("{} worktrees instead of {}", got.len(), had.len()));
            }
        }
        for l in &self.locks {
            if !want.locks.contains(l) {
                d.push(format!("{l} left"));
            }
        }
        d
    }
}

/// The train's scratch directories under `.git/cargo-train/` (commits are
/// built there, beside the checkout): a `kill -9` may leave one, which the
/// next run removes.
pub fn scratch_dirs(s: &Sandbox) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(s.ws.join(".git/cargo-train")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn find_locks(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            // Not the user's locks: the train's own scratch index and files.
            if p.file_name()
                .is_some_and(|n| n != "objects" && n != "cargo-train")
            {
                find_locks(root, &p, out);
            }
        } else if p.extension().is_some_and(|x| x == "lock") {
            out.push(format!(".git/{}", p.strip_prefix(root).unwrap().display()));
        }
    }
}

/// The origin's refs, each with the tree it points at (peeled for tags):
/// what a release operation delivered, whatever its commit ids.
pub fn origin_trees(s: &Sandbox) -> BTreeMap<String, String> {
    s.origin_git(&["for-each-ref", "--format=%(refname) %(tree) %(*tree)"])
        .lines()
        .map(|l| {
            let mut w = l.split_whitespace();
            let name = w.next().unwrap().to_string();
            (name, w.collect::<Vec<_>>().join(" "))
        })
        .collect()
}

/// The first executable `git` on PATH.
pub fn real_git() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap();
    std::env::split_paths(&path)
        .map(|d| d.join("git"))
        .find(|p| p.is_file())
        .expect("git on PATH")
}

/// A directory with a `git` that waits `delay` before it runs the real one:
/// every git command the train starts takes a little longer, so a run
/// lasts long enough to be interrupted at many different points.
pub struct SlowGit {
    _dir: tempfile::TempDir,
    /// PATH with the slow git first.
    pub path: String,
}

impl SlowGit {
    pub fn new(delay: Duration) -> SlowGit {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("git");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nsleep {:.3}\nexec '{}' \"$@\"\n",
                delay.as_secs_f64(),
                real_git().display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = format!(
            "{}:{}",
            dir.path().display(),
            std::env::var("PATH").unwrap()
        );
        SlowGit { _dir: dir, path }
    }
}

/// How an interrupt is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Signal {
    /// Ctrl-C in a terminal: SIGINT to the whole foreground process group,
    /// the git commands of the moment included.
    Int,
    /// `kill PID`: SIGTERM to the train's own process only.
    Term,
    /// A CI runner cancelling a job: SIGTERM to the whole process group.
    TermGroup,
    /// A job runner or OOM killer ending the job: SIGKILL to the group.
    Kill,
}

impl Signal {
    pub const ALL: [Signal; 4] = [Signal::Int, Signal::Term, Signal::TermGroup, Signal::Kill];

    pub fn name(self) -> &'static str {
        match self {
            Signal::Int => "SIGINT",
            Signal::Term => "SIGTERM",
            Signal::TermGroup => "SIGTERM to the group",
            Signal::Kill => "SIGKILL",
        }
    }
}

/// `kill -s SIG -- TARGET` (a pid, or `-PGID` for a group).
fn kill(sig: &str, target: &str) {
    let _ = Command::new("kill")
        .args(["-s", sig, "--", target])
        .stderr(Stdio::null())
        .status();
}

/// The live (not zombie) processes of process group `pgid`, from /proc.
pub fn group_members(pgid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid pgrp …`; comm may hold spaces and parens.
        let Some((_, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let mut f = rest.split_whitespace();
        let state = f.next();
        let pgrp = f.nth(1).and_then(|g| g.parse::<u32>().ok());
        if pgrp == Some(pgid) && state != Some("Z") {
            out.push(pid);
        }
    }
    out
}

/// The train started in a process group of its own, its output in files.
pub struct Running {
    child: Child,
    pub started: Instant,
    out: PathBuf,
}

/// How a run ended.
#[derive(Debug)]
pub struct Ended {
    pub status: ExitStatus,
    /// It ended before the signal was due (nothing was sent).
    pub before_signal: bool,
    /// It did not stop within the grace period and was killed.
    pub ignored_signal: bool,
    /// Processes of its group were still running after it ended (they
    /// were waited for, then killed).
    pub stragglers: bool,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Running {
    /// Starts `cmd` (see [`Sandbox::command`]) with its output going to
    /// files named `name` in the sandbox's root.
    pub fn start(s: &Sandbox, mut cmd: Command, name: &str) -> Running {
        use std::os::unix::process::CommandExt;
        let out = s.root().join(name);
        let child = cmd
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(out.with_extension("out")).unwrap())
            .stderr(std::fs::File::create(out.with_extension("err")).unwrap())
            .spawn()
            .unwrap();
        Running {
            child,
            started: Instant::now(),
            out,
        }
    }

    /// Waits for the end, sending `signal` at `at` after the start if it
    /// still runs then (`None`: no signal); after `limit` it is killed.
    pub fn finish(mut self, signal: Option<(Signal, Duration)>, limit: Duration) -> Ended {
        let pid = self.child.id();
        let group = format!("-{pid}");
        let mut sent = None;
        let mut ignored = false;
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            let now = self.started.elapsed();
            if let Some((sig, at)) = signal
                && sent.is_none()
                && now >= at
            {
                match sig {
                    Signal::Int => kill("INT", &group),
                    Signal::Term => kill("TERM", &pid.to_string()),
                    Signal::TermGroup => kill("TERM", &group),
                    Signal::Kill => kill("KILL", &group),
                }
                sent = Some(Instant::now());
            }
            if now >= limit || sent.is_some_and(|t| t.elapsed() > Duration::from_secs(30)) {
                ignored = sent.is_some();
                kill("KILL", &group);
                break self.child.wait().unwrap();
            }
            // Fine steps before the signal (it is due at a precise moment),
            // coarser after.
            let step = match (signal, sent) {
                (Some((_, at)), None) => at.saturating_sub(now).min(Duration::from_millis(2)),
                _ => Duration::from_millis(5),
            };
            std::thread::sleep(step.max(Duration::from_micros(200)));
        };
        let took = self.started.elapsed();
        // Orphans (the git of the moment, after SIGTERM to the train alone)
        // may still be changing things: the state is read once they are done.
        let mut stragglers = false;
        let deadline = Instant::now() + Duration::from_secs(30);
        while !group_members(pid).is_empty() {
            stragglers = true;
            if Instant::now() > deadline {
                kill("KILL", &group);
                std::thread::sleep(Duration::from_millis(100));
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ended {
            status,
            before_signal: signal.is_some() && sent.is_none(),
            ignored_signal: ignored,
            stragglers,
            stdout: std::fs::read_to_string(self.out.with_extension("out")).unwrap_or_default(),
            stderr: std::fs::read_to_string(self.out.with_extension("err")).unwrap_or_default(),
            took,
        }
    }
}

/// Runs `cargo train` to its end, killed (and failing the test) if it
/// outlives `limit`.
pub fn train_within(
    s: &Sandbox,
    date: &str,
    args: &[&str],
    env: &[(&str, &str)],
    limit: Duration,
) -> Ended {
    let mut cmd = s.command(date, args);
    cmd.envs(env.iter().copied());
    let r = Running::start(s, cmd, "bounded");
    let e = r.finish(None, limit);
    assert!(
        e.took < limit,
        "`cargo train {args:?}` still ran after {limit:?}:\n{}",
        e.stderr
    );
    e
}

/// Where the many short-lived sandboxes of a test go: a memory file system
/// when there is one (`/dev/shm`; copying a sandbox there takes a few
/// milliseconds instead of hundreds on a busy disk), else the temp dir.
pub fn scratch() -> PathBuf {
    let shm = Path::new("/dev/shm");
    match tempfile::tempdir_in(shm) {
        Ok(_) => shm.to_path_buf(),
        Err(_) => std::env::temp_dir(),
    }
}

/// A temp dir inside the sandbox for the train's own temporary files
/// (`TMPDIR`), so whatever an interrupted run leaves there goes with it.
pub fn tmpdir(s: &Sandbox) -> String {
    let t = s.root().join("tmp");
    std::fs::create_dir_all(&t).unwrap();
    t.to_str().unwrap().to_string()
}
