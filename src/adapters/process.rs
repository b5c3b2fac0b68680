//! Runs one command bounded in time: in its own process group, so that at
//! its deadline, or when SIGINT or SIGTERM comes (if asked to stop then),
//! the whole group goes (`kill -KILL -- -PID`: the shell's or tool's
//! children too, not only the process started). Output can be captured,
//! the pipes drained in threads so a large output cannot stall the child.
//! [`RunError`] says what ran and why it stopped; callers with messages
//! of their own word them from its [`Stopped`].

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often a running child is looked at (its exit, a signal, the clock).
const POLL: Duration = Duration::from_millis(10);

/// A run that did not end with an exit status of its own: what ran, and
/// why it stopped.
#[derive(Debug, thiserror::Error)]
#[error("`{what}` {why}")]
pub struct RunError {
    /// The command line as run (program and arguments).
    pub what: String,
    pub why: Stopped,
}

/// Why a run stopped short of its own end.
#[derive(Debug, thiserror::Error)]
pub enum Stopped {
    #[error("could not start: {0}")]
    Start(std::io::Error),
    /// Its input could not be written (it was stopped then).
    #[error("did not take its input: {0}")]
    Input(std::io::Error),
    /// Waiting for it or reading its output failed.
    #[error("could not be waited for: {0}")]
    Wait(std::io::Error),
    /// It outlived its limit and was stopped with its group.
    #[error("did not finish within {}s and was stopped", .0.as_secs())]
    TimedOut(Duration),
    /// A signal came while it ran; it was stopped with its group.
    #[error("was stopped: {0}")]
    Interrupted(crate::signals::Interrupted),
}

/// One bounded run of a command; see [`Run::run`].
pub struct Run<'a> {
    cmd: Command,
    limit: Duration,
    capture: bool,
    input: Option<&'a [u8]>,
    /// Where the run stops on a signal, if it stops on one.
    stop_on_signal: Option<String>,
}

/// `sh -c command` in `dir` with `env` added (a hook's shell command):
/// `Run::new(shell(dir, command, env), timeout).stop_on_signal(at).run()`
/// gives its exit status, or why it was stopped.
pub fn shell(dir: &Path, command: &str, env: &[(String, String)]) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (k, v)));
    cmd
}

impl<'a> Run<'a> {
    /// `cmd` as the caller set it up (arguments, directory, environment,
    /// where its output goes), to end within `limit`.
    pub fn new(cmd: Command, limit: Duration) -> Run<'a> {
        Run {
            cmd,
            limit,
            capture: false,
            input: None,
            stop_on_signal: None,
        }
    }

    /// Captures stdout and stderr into the [`Output`].
    pub fn capture(mut self) -> Self {
        self.capture = true;
        self
    }

    /// Writes `bytes` to the command's stdin, then closes it.
    pub fn input(mut self, bytes: &'a [u8]) -> Self {
        self.input = Some(bytes);
        self
    }

    /// Stops the run when SIGINT or SIGTERM comes (once
    /// [`crate::signals::install`]ed); `at` says where it stopped.
    pub fn stop_on_signal(mut self, at: String) -> Self {
        self.stop_on_signal = Some(at);
        self
    }

    /// Runs the command to its end. Its output is empty unless captured;
    /// an exit status that is no success is the caller's to judge.
    pub fn run(mut self) -> Result<Output, RunError> {
        let what = std::iter::once(self.cmd.get_program())
            .chain(self.cmd.get_args())
            .map(|s| s.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ");
        self.output().map_err(|why| RunError { what, why })
    }

    fn output(&mut self) -> Result<Output, Stopped> {
        if self.capture {
            self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        }
        if self.input.is_some() {
            self.cmd.stdin(Stdio::piped());
        }
        let mut child = self.cmd.process_group(0).spawn().map_err(Stopped::Start)?;
        let readers = self.capture.then(|| {
            let out = drain(child.stdout.take().expect("piped"));
            (out, drain(child.stderr.take().expect("piped")))
        });
        if let Some(bytes) = self.input {
            // Dropped at the end of the statement: the child sees its end.
            let written = child.stdin.take().expect("piped").write_all(bytes);
            if let Err(e) = written {
                stop(&mut child);
                return Err(Stopped::Input(e));
            }
        }
        let status = self.wait(&mut child)?;
        let (stdout, stderr) = match readers {
            Some((out, err)) => (joined(out)?, joined(err)?),
            None => (Vec::new(), Vec::new()),
        };
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }

    /// Waits for `child` until it exits, the limit passes or a signal
    /// comes (then its group is killed).
    fn wait(&self, child: &mut Child) -> Result<ExitStatus, Stopped> {
        let deadline = Instant::now() + self.limit;
        loop {
            if let Some(status) = child.try_wait().map_err(Stopped::Wait)? {
                // Ended by the group's signal: the signal's doing.
                if status.code().is_none()
                    && let Some(at) = &self.stop_on_signal
                    && let Err(e) = crate::signals::check(|| at.clone())
                {
                    return Err(Stopped::Interrupted(e));
                }
                return Ok(status);
            }
            if let Some(at) = &self.stop_on_signal
                && let Err(e) = crate::signals::check(|| at.clone())
            {
                stop(child);
                return Err(Stopped::Interrupted(e));
            }
            if Instant::now() >= deadline {
                stop(child);
                return Err(Stopped::TimedOut(self.limit));
            }
            std::thread::sleep(POLL);
        }
    }
}

/// Kills the child's whole group and reaps the child.
fn stop(child: &mut Child) {
    // The group's id is the child's pid (`process_group(0)`).
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .status();
    let _ = child.wait();
}

fn drain(mut pipe: impl Read + Send + 'static) -> JoinHandle<std::io::Result<Vec<u8>>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        pipe.read_to_end(&mut v).map(|_| v)
    })
}

fn joined(reader: JoinHandle<std::io::Result<Vec<u8>>>) -> Result<Vec<u8>, Stopped> {
    reader.join().expect("reader").map_err(Stopped::Wait)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn captures_what_it_was_given_and_said() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "cat; echo oops >&2; exit 3"]);
        let out = Run::new(cmd, Duration::from_secs(30))
            .capture()
            .input(b"hello\n")
            .run()
            .unwrap();
        assert_eq!(out.stdout, b"hello\n");
        assert_eq!(out.stderr, b"oops\n");
        assert_eq!(out.status.code(), Some(3));
    }

    #[test]
    fn a_shell_command_runs_in_its_directory_with_its_environment() {
        let t = tempfile::tempdir().unwrap();
        let env = [("TRAIN_X".to_string(), "x y".to_string())];
        let cmd = shell(t.path(), "pwd > seen; echo \"$TRAIN_X\" >> seen", &env);
        let out = Run::new(cmd, Duration::from_secs(30)).run().unwrap();
        assert!(out.status.success() && out.stdout.is_empty());
        let seen = std::fs::read_to_string(t.path().join("seen")).unwrap();
        let dir = t.path().canonicalize().unwrap();
        assert_eq!(seen, format!("{}\nx y\n", dir.display()));
    }

    #[test]
    fn a_run_past_its_limit_is_stopped_with_its_group() {
        let t = tempfile::tempdir().unwrap();
        let pid = t.path().join("child");
        let cmd = shell(
            t.path(),
            &format!("sleep 60 & echo $! > {}; wait", pid.display()),
            &[],
        );
        let start = Instant::now();
        let e = Run::new(cmd, Duration::from_millis(500))
            .capture()
            .run()
            .unwrap_err();
        assert!(matches!(e.why, Stopped::TimedOut(_)), "{e}");
        assert!(start.elapsed() < Duration::from_secs(20));
        let child = std::fs::read_to_string(&pid).unwrap();
        assert!(ends(child.trim()), "the child {} still runs", child.trim());
    }

    #[test]
    fn a_command_that_cannot_start_says_so() {
        let cmd = Command::new("/nonexistent/cargo-train-tool");
        let e = Run::new(cmd, Duration::from_secs(1)).run().unwrap_err();
        assert!(matches!(e.why, Stopped::Start(_)), "{e}");
        assert!(
            e.to_string()
                .starts_with("`/nonexistent/cargo-train-tool` could not start: "),
            "{e}"
        );
    }

    /// Whether process `pid` is gone within 5 s, or a zombie its new parent
    /// has not reaped yet (a SIGKILL is sent, not waited for).
    pub(crate) fn ends(pid: &str) -> bool {
        let state = || {
            let stat = std::fs::read_to_string(Path::new("/proc").join(pid).join("stat"));
            stat.map(|s| s.rsplit(") ").next().unwrap_or("").chars().next())
        };
        let gone = |s: std::io::Result<Option<char>>| matches!(s, Err(_) | Ok(Some('Z')));
        let until = Instant::now() + Duration::from_secs(5);
        while !gone(state()) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        gone(state())
    }
}
