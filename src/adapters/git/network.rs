//! Bounds for the git commands that reach a remote, so none can wait
//! forever or ask for input: no terminal prompts, ssh in batch mode with a
//! connect timeout and keep-alives, http low-speed limits. The user's own
//! ssh command and http settings are kept: the ssh options are added to
//! it (ssh takes the first value given for an option, so the user's own
//! `-o` still wins), and http limits set in git's configuration or
//! environment are left alone.

use super::Git;
use anyhow::{Context as _, Result};
use std::ffi::OsStr;
use std::process::Command;

/// The subcommands that talk to a remote.
const NETWORK: &[&str] = &["fetch", "push", "pull", "ls-remote", "clone"];

/// cargo's default `http.timeout` and low-speed limit.
const DEFAULT_TIMEOUT_SECS: u64 = 30;
const LOW_SPEED_BYTES: u64 = 10;

pub(super) fn is_network(subcommand: &OsStr) -> bool {
    NETWORK.iter().any(|n| OsStr::new(n) == subcommand)
}

/// Seconds a remote may stay silent: `CARGO_TRAIN_GIT_TIMEOUT`, else 30.
pub fn timeout_secs() -> Result<u64> {
    match std::env::var("CARGO_TRAIN_GIT_TIMEOUT") {
        Ok(s) => s.trim().parse().ok().filter(|&n| n > 0).with_context(|| {
            format!("CARGO_TRAIN_GIT_TIMEOUT is {s:?}; set it to a number of seconds (1 or more)")
        }),
        Err(_) => Ok(DEFAULT_TIMEOUT_SECS),
    }
}

/// What the user configured that the bounds must respect.
#[derive(Debug, Default)]
struct UserSettings {
    ssh_command: Option<String>,
    ssh_variant: Option<String>,
    low_speed_limit: bool,
    low_speed_time: bool,
}

/// The relevant keys of git's configuration, in one `git config` run.
fn read_settings(git: &Git) -> Result<UserSettings> {
    let out = Command::new("git")
        .args([
            "config",
            "-z",
            "--get-regexp",
            r"^(core\.sshcommand|ssh\.variant|http\.lowspeedlimit|http\.lowspeedtime)$",
        ])
        .current_dir(&git.dir)
        .envs(git.env.iter().map(|(k, v)| (k, v)))
        .output()
        .context("failed to start `git config`")?;
    let mut s = UserSettings::default();
    // Exit code 1: none of the keys is set.
    for entry in out.stdout.split(|&b| b == 0) {
        let entry = String::from_utf8_lossy(entry);
        let (key, value) = entry.split_once('\n').unwrap_or((&entry, ""));
        match key {
            "core.sshcommand" => s.ssh_command = Some(value.to_string()),
            "ssh.variant" => s.ssh_variant = Some(value.to_string()),
            "http.lowspeedlimit" => s.low_speed_limit = true,
            "http.lowspeedtime" => s.low_speed_time = true,
            _ => {}
        }
    }
    Ok(s)
}

/// Adds the bounds to a git command (before its subcommand).
pub(super) fn bound(git: &Git, cmd: &mut Command) -> Result<()> {
    let secs = timeout_secs()?;
    let user = read_settings(git)?;
    // Git Credential Manager would otherwise open a prompt and wait.
    cmd.env("GCM_INTERACTIVE", "never");
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if !user.low_speed_limit && env("GIT_HTTP_LOW_SPEED_LIMIT").is_none() {
        cmd.args(["-c", &format!("http.lowSpeedLimit={LOW_SPEED_BYTES}")]);
    }
    if !user.low_speed_time && env("GIT_HTTP_LOW_SPEED_TIME").is_none() {
        cmd.args(["-c", &format!("http.lowSpeedTime={secs}")]);
    }
    let own = env("GIT_SSH_COMMAND").or(user.ssh_command);
    let variant = env("GIT_SSH_VARIANT").or(user.ssh_variant);
    if let Some(c) = ssh_command(
        own.as_deref(),
        env("GIT_SSH").as_deref(),
        variant.as_deref(),
        secs,
    ) {
        cmd.env("GIT_SSH_COMMAND", c);
    }
    Ok(())
}

/// The ssh command git should run: the user's own (`GIT_SSH_COMMAND` or
/// `core.sshCommand`, else the `GIT_SSH` program, else `ssh`) with the
/// bounds added, or `None` when it is not OpenSSH (plink, a wrapper
/// script): its options are unknown, so it is left as it is.
fn ssh_command(
    own: Option<&str>,
    program: Option<&str>,
    variant: Option<&str>,
    secs: u64,
) -> Option<String> {
    if variant.is_some_and(|v| v != "ssh" && v != "auto") {
        return None;
    }
    let base = match (own, program) {
        (Some(c), _) => c.trim().to_string(),
        (None, Some(p)) => format!("'{}'", p.replace('\'', r"'\''")),
        (None, None) => "ssh".to_string(),
    };
    let first = first_word(&base);
    let name = first.rsplit(['/', '\\']).next().unwrap_or(&first);
    if !matches!(name, "ssh" | "ssh.exe") {
        return None;
    }
    let alive = (secs / 3).max(1);
    Some(format!(
        "{base} -o BatchMode=yes -o ConnectTimeout={secs} -o ServerAliveInterval={alive} -o ServerAliveCountMax=3"
    ))
}

/// The program of a shell command line (quotes removed).
fn first_word(line: &str) -> String {
    let line = line.trim_start();
    match line.chars().next() {
        Some(q @ ('\'' | '"')) => line[1..].split(q).next().unwrap_or("").to_string(),
        _ => line.split_whitespace().next().unwrap_or("").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: &str =
        "-o BatchMode=yes -o ConnectTimeout=30 -o ServerAliveInterval=10 -o ServerAliveCountMax=3";

    #[test]
    fn adds_the_bounds_to_the_users_own_ssh() {
        assert_eq!(
            ssh_command(None, None, None, 30).unwrap(),
            format!("ssh {OPTS}")
        );
        assert_eq!(
            ssh_command(Some("ssh -i ~/.ssh/deploy -o BatchMode=no"), None, None, 30).unwrap(),
            format!("ssh -i ~/.ssh/deploy -o BatchMode=no {OPTS}")
        );
        assert_eq!(
            ssh_command(Some("\"/opt/my ssh/bin/ssh\" -v"), None, Some("auto"), 30).unwrap(),
            format!("\"/opt/my ssh/bin/ssh\" -v {OPTS}")
        );
        assert_eq!(
            ssh_command(None, Some("/usr/local/bin/ssh"), None, 30).unwrap(),
            format!("'/usr/local/bin/ssh' {OPTS}")
        );
    }

    #[test]
    fn leaves_other_ssh_programs_alone() {
        assert_eq!(ssh_command(Some("plink -batch"), None, None, 30), None);
        assert_eq!(
            ssh_command(None, Some("/usr/bin/tortoiseplink"), None, 30),
            None
        );
        assert_eq!(ssh_command(Some("ssh"), None, Some("putty"), 30), None);
        assert_eq!(ssh_command(Some("my-wrapper.sh"), None, None, 30), None);
    }

    #[test]
    fn only_remote_commands_are_bounded() {
        assert!(is_network(OsStr::new("fetch")));
        assert!(is_network(OsStr::new("push")));
        assert!(!is_network(OsStr::new("for-each-ref")));
    }
}
