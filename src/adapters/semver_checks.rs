//! cargo-semver-checks, the semver gate's checker: finding it, running it
//! for one crate (sources at a commit against sources at a release tag),
//! and reading which lints failed.
//!
//! 0.51 has no machine-readable report, so its text is parsed: every failed
//! lint is a `--- failure <id>: <name> ---` block on stdout whose
//! `Failed in:` lines name the items. An exit code that says "failed" with
//! no such block is the tool failing (a build error), never a pass.

use crate::adapters::process::{self, Stopped};
use crate::core::config::SemverFeatures;
pub use crate::core::version::Required;
use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Overrides the search on PATH (the tests point it at a cached build).
pub const ENV: &str = "CARGO_TRAIN_SEMVER_CHECKS";
const INSTALL: &str = "cargo install cargo-semver-checks --locked";

/// An installed cargo-semver-checks.
#[derive(Debug, Clone)]
pub struct Tool {
    pub path: PathBuf,
    /// As it reports itself (`cargo-semver-checks 0.51.0`): part of every
    /// cache key, since another version may judge differently.
    pub version: String,
}

/// One failed lint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lint {
    /// `function_missing`
    pub id: String,
    /// `pub fn removed or renamed`
    pub name: String,
    /// The `Failed in:` lines: the items and where they were.
    pub locations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Pass,
    Break(Vec<Lint>),
}

/// What to check: `package` of the workspace at `current` against the same
/// crate in the workspace at `baseline` (both directories of sources).
pub struct Check<'a> {
    pub package: &'a str,
    pub current: &'a Path,
    pub baseline: &'a Path,
    /// Kept between runs, so rustdoc rebuilds only what changed.
    pub target_dir: &'a Path,
    pub timeout: Duration,
    pub features: SemverFeatures,
}

/// `$CARGO_TRAIN_SEMVER_CHECKS`, else `cargo-semver-checks` on PATH.
pub fn find() -> Result<Tool> {
    let path = match std::env::var_os(ENV) {
        Some(p) => {
            let p = PathBuf::from(p);
            if !is_executable(&p) {
                bail!(
                    "{ENV}={} is not an executable file: point it at cargo-semver-checks, or unset \
                     it to use the one on PATH (install it with `{INSTALL}`)",
                    p.display()
                );
            }
            p
        }
        None => on_path("cargo-semver-checks").with_context(|| {
            format!(
                "cargo-semver-checks is not on PATH; the semver gate needs it: install it with \
                 `{INSTALL}` (or set {ENV} to its path)"
            )
        })?,
    };
    let version = version_of(&path)?;
    Ok(Tool { path, version })
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn version_of(path: &Path) -> Result<String> {
    let out = Command::new(path)
        .args(["semver-checks", "--version"])
        .output()
        .with_context(|| format!("cannot run {}", path.display()))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || text.is_empty() {
        bail!(
            "{} --version failed: is it cargo-semver-checks? ({})",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(text)
}

impl Tool {
    /// Runs `check-release` for one crate as a patch release. One that
    /// outlives `timeout`, or is running when SIGINT or SIGTERM comes, is
    /// stopped with every process it started.
    ///
    /// `--baseline-root` rather than `--baseline-rev`: the caller writes
    /// both trees out beside the checkout, so the tool never looks at the
    /// user's work tree (the current sources must be a commit's, not the
    /// checkout's, anyway).
    pub fn check(&self, c: &Check<'_>) -> Result<Outcome> {
        let (lints, _) = self.check_release(c)?;
        Ok(if lints.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Break(lints)
        })
    }

    /// The version `c`'s changes need by the tool's summary (`None`: a
    /// patch will do), with the lints that failed. The tool counts in
    /// cargo's terms: on `0.y` a break needs a "minor" (see
    /// [`crate::core::version::needed`]).
    pub fn required(&self, c: &Check<'_>) -> Result<(Option<Required>, Vec<Lint>)> {
        let (lints, stdout) = self.check_release(c)?;
        let required = if lints.is_empty() {
            None
        } else if stdout.contains("requires new major version") {
            Some(Required::Major)
        } else {
            Some(Required::Minor)
        };
        Ok((required, lints))
    }

    /// Runs `check-release` as a patch release (so that every lint that
    /// needs more than a patch fails): the lints that failed, and its
    /// stdout, whose summary says which version the failures need.
    fn check_release(&self, c: &Check<'_>) -> Result<(Vec<Lint>, String)> {
        let logs = tempfile::tempdir()?;
        let (out_path, err_path) = (logs.path().join("stdout"), logs.path().join("stderr"));
        let mut cmd = Command::new(&self.path);
        cmd.arg("semver-checks")
            .arg("check-release")
            .arg("--manifest-path")
            .arg(c.current.join("Cargo.toml"))
            .args(["--package", c.package])
            .arg("--baseline-root")
            .arg(c.baseline)
            .args(["--release-type", "patch", "--color", "never"])
            .args(match c.features {
                SemverFeatures::Heuristic => None,
                SemverFeatures::Default => Some("--default-features"),
                SemverFeatures::All => Some("--all-features"),
            })
            .current_dir(c.current)
            .env("CARGO_TARGET_DIR", c.target_dir)
            // Each run builds path crates at new paths: nothing incremental
            // to reuse, only more to write.
            .env("CARGO_INCREMENTAL", "0")
            // Its backtrace would crowd the cause out of the lines shown.
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            // Files, not pipes: a long rustdoc log cannot fill a pipe and stall it.
            .stdout(std::fs::File::create(&out_path)?)
            .stderr(std::fs::File::create(&err_path)?);
        let status = self.run(cmd, c)?;
        let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
        let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
        let lints = parse_failures(&stdout, &[c.current, c.baseline]);
        if !lints.is_empty() {
            return Ok((lints, stdout));
        }
        if !status.success() {
            bail!(
                "cargo-semver-checks could not check `{}` ({status}); its last lines:\n{}",
                c.package,
                tail(&format!("{stdout}{stderr}"), 25)
            );
        }
        Ok((Vec::new(), stdout))
    }

    /// Runs `cmd` (the tool, set up for `c`) to its end, or stops it and
    /// every process it started: cargo and rustdoc go too.
    fn run(&self, cmd: Command, c: &Check<'_>) -> Result<std::process::ExitStatus> {
        let package = c.package;
        let run = process::Run::new(cmd, c.timeout)
            .stop_on_signal(format!("while checking `{package}`'s API"));
        match run.run().map_err(|e| e.why) {
            Ok(out) => Ok(out.status),
            Err(Stopped::Start(e)) => {
                Err(anyhow::Error::new(e).context(format!("cannot start {}", self.path.display())))
            }
            Err(Stopped::TimedOut(limit)) => bail!(
                "cargo-semver-checks did not finish checking `{package}` within {}s and was stopped",
                limit.as_secs()
            ),
            Err(Stopped::Interrupted(e)) => Err(e.into()),
            Err(Stopped::Input(e) | Stopped::Wait(e)) => Err(e.into()),
        }
    }
}

/// Removes from `target_dir` what earlier runs built from scratch trees
/// that are gone (their `.d` files name sources under a `cargo-train/work-`
/// directory no longer there). Cargo names each build of a path crate after
/// its path, so every run adds copies no later run reuses; dependencies
/// from registries stay. Returns how many builds were removed.
pub fn prune(target_dir: &Path) -> usize {
    let profile = target_dir.join("debug");
    let mut gone = std::collections::BTreeMap::new();
    let mut stale = std::collections::BTreeSet::new();
    let mut look = |d: &Path, hash_of: &str| {
        let text = std::fs::read_to_string(d).unwrap_or_default();
        if from_gone_scratch(&text, &mut gone)
            && let Some((_, hash)) = hash_of.rsplit_once('-')
        {
            stale.insert(hash.to_string());
        }
    };
    for f in entries(&profile.join("deps")) {
        if f.extension().is_some_and(|e| e == "d") {
            let stem = f
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            look(&f, &stem);
        }
    }
    // Compiled build scripts: `build/<name>-<hash>/<script>-<hash>.d`.
    for dir in entries(&profile.join("build")) {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        for f in entries(&dir).filter(|f| f.extension().is_some_and(|e| e == "d")) {
            look(&f, &name);
        }
    }
    for sub in ["deps", "build", ".fingerprint"] {
        for p in entries(&profile.join(sub)) {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let stem = name.split('.').next().unwrap_or_default();
            if stem
                .rsplit_once('-')
                .is_some_and(|(_, h)| stale.contains(h))
            {
                let _ = if p.is_dir() {
                    std::fs::remove_dir_all(&p)
                } else {
                    std::fs::remove_file(&p)
                };
            }
        }
    }
    stale.len()
}

fn entries(dir: &Path) -> impl Iterator<Item = PathBuf> + use<> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
}

/// Whether a `.d` file names a source in a scratch directory that is gone
/// (`gone` remembers each directory looked at).
fn from_gone_scratch(text: &str, gone: &mut std::collections::BTreeMap<String, bool>) -> bool {
    const MARK: &str = "/cargo-train/work-";
    let Some(at) = text.find(MARK) else {
        return false;
    };
    let start = text[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let end = at + MARK.len() + text[at + MARK.len()..].find('/').unwrap_or(0);
    let dir = &text[start..end];
    *gone
        .entry(dir.to_string())
        .or_insert_with(|| !Path::new(dir).exists())
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The failed lints in check-release's stdout. Paths under `roots` (the
/// scratch copies of the sources) are shown relative to them.
pub fn parse_failures(stdout: &str, roots: &[&Path]) -> Vec<Lint> {
    let prefixes: Vec<String> = roots.iter().map(|r| format!("{}/", r.display())).collect();
    let mut out: Vec<Lint> = Vec::new();
    // Whether the block being read is a failure's; a warning's is not ours.
    let mut in_failure = false;
    let mut in_items = false;
    for line in stdout.lines() {
        if let Some((id, name)) = failure_header(line) {
            out.push(Lint {
                id,
                name,
                locations: Vec::new(),
            });
            (in_failure, in_items) = (true, false);
        } else if line.starts_with("--- ") {
            (in_failure, in_items) = (false, false);
        } else if line.trim_end() == "Failed in:" {
            in_items = in_failure;
        } else if in_items && line.starts_with("  ") && !line.trim().is_empty() {
            if let Some(l) = out.last_mut() {
                let at = prefixes
                    .iter()
                    .fold(line.trim().to_string(), |at, p| at.replace(p, ""));
                l.locations.push(at);
            }
        } else {
            in_items = false;
        }
    }
    out
}

/// `--- failure function_missing: pub fn removed or renamed ---`
fn failure_header(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("--- failure ")?.strip_suffix(" ---")?;
    let (id, name) = rest.split_once(": ")?;
    Some((id.to_string(), name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    // The shape of 0.51's report (from its check_release.rs), with a
    // warning block that must not count.
    const REPORT: &str = "\n--- failure function_missing: pub fn removed or renamed ---\n\n\
        Description:\nA publicly-visible function cannot be imported by its prior path.\n        \
        ref: https://doc.rust-lang.org/cargo/reference/semver.html#item-remove\n       \
        impl: https://github.com/obi1kenobi/cargo-semver-checks/tree/v0.51.0/src/lints/function_missing.ron\n\n\
        Failed in:\n  function rail::hello, previously in file /s/tree/crates/rail/src/lib.rs:2\n  \
        function rail::bye, previously in file /s/tree/crates/rail/src/lib.rs:3\n\n\
        --- failure enum_missing: pub enum removed or renamed ---\n\nDescription:\nx\n\n\
        Failed in:\n  enum rail::E, previously in file /s/tree/crates/rail/src/lib.rs:5\n\n\
        --- warning function_must_use_added: function #[must_use] added ---\n\nDescription:\ny\n\n\
        Failed in:\n  function rail::f in /s/tree/crates/rail/src/lib.rs:9\n";

    #[test]
    fn reads_each_failed_lint_with_its_items() {
        let lints = parse_failures(REPORT, &[Path::new("/s/cur"), Path::new("/s/tree")]);
        assert_eq!(
            lints,
            [
                Lint {
                    id: "function_missing".into(),
                    name: "pub fn removed or renamed".into(),
                    locations: vec![
                        "function rail::hello, previously in file crates/rail/src/lib.rs:2".into(),
                        "function rail::bye, previously in file crates/rail/src/lib.rs:3".into(),
                    ],
                },
                Lint {
                    id: "enum_missing".into(),
                    name: "pub enum removed or renamed".into(),
                    locations: vec![
                        "enum rail::E, previously in file crates/rail/src/lib.rs:5".into()
                    ],
                },
            ]
        );
    }

    #[test]
    fn prune_removes_the_builds_of_scratch_trees_that_are_gone() {
        let t = tempfile::tempdir().unwrap();
        let live = t.path().join("repo/.git/cargo-train/work-1-live");
        std::fs::create_dir_all(live.join("tree/src")).unwrap();
        let gone = t.path().join("repo/.git/cargo-train/work-2-gone");
        let target = t.path().join("target");
        let debug = target.join("debug");
        for d in [
            "deps",
            ".fingerprint/rail-aaa",
            ".fingerprint/rail-bbb",
            ".fingerprint/serde-ccc",
        ] {
            std::fs::create_dir_all(debug.join(d)).unwrap();
        }
        std::fs::create_dir_all(debug.join("build/rail-ddd")).unwrap();
        let d = |name: &str, src: &Path| {
            let text = format!("{}: {}\n", debug.join("deps").display(), src.display());
            std::fs::write(debug.join(name), text).unwrap();
        };
        d("deps/rail-aaa.d", &gone.join("tree/src/lib.rs"));
        d("deps/rail-bbb.d", &live.join("tree/src/lib.rs"));
        d(
            "deps/serde-ccc.d",
            Path::new("/home/u/.cargo/registry/src/serde/lib.rs"),
        );
        d(
            "build/rail-ddd/build_script_build-ddd.d",
            &gone.join("tree/build.rs"),
        );
        for f in [
            "deps/librail-aaa.rmeta",
            "deps/librail-bbb.rmeta",
            "deps/libserde-ccc.rmeta",
        ] {
            std::fs::write(debug.join(f), "").unwrap();
        }
        assert_eq!(prune(&target), 2);
        let left: Vec<String> = ["deps", ".fingerprint", "build"]
            .iter()
            .flat_map(|s| entries(&debug.join(s)))
            .map(|p| p.strip_prefix(&debug).unwrap().display().to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(
            left,
            [
                ".fingerprint/rail-bbb",
                ".fingerprint/serde-ccc",
                "deps/librail-bbb.rmeta",
                "deps/libserde-ccc.rmeta",
                "deps/rail-bbb.d",
                "deps/serde-ccc.d",
            ]
        );
        assert_eq!(prune(&target), 0);
    }

    /// A stand-in for the tool: a shell script with `body`.
    fn fake(dir: &Path, body: &str) -> Tool {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("fake-semver-checks");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        Tool {
            path,
            version: "fake".into(),
        }
    }

    fn run(tool: &Tool, dir: &Path, timeout: Duration) -> Result<Outcome> {
        tool.check(&Check {
            package: "rail",
            current: dir,
            baseline: dir,
            target_dir: dir,
            timeout,
            features: SemverFeatures::Heuristic,
        })
    }

    #[test]
    fn the_exit_code_alone_never_passes_a_crate() {
        let t = tempfile::tempdir().unwrap();
        let report = REPORT.replace('\n', "\\n");
        let tool = fake(t.path(), &format!("printf '{report}'; exit 1"));
        let Outcome::Break(lints) = run(&tool, t.path(), Duration::from_secs(60)).unwrap() else {
            panic!("a failure block is a break")
        };
        assert_eq!(lints.len(), 2);
        let tool = fake(t.path(), "echo 'error: could not compile' >&2; exit 101");
        let e = format!(
            "{:#}",
            run(&tool, t.path(), Duration::from_secs(60)).unwrap_err()
        );
        assert!(
            e.contains("could not check `rail` (exit status: 101)"),
            "{e}"
        );
        assert!(e.contains("error: could not compile"), "{e}");
        let tool = fake(t.path(), "exit 0");
        assert_eq!(
            run(&tool, t.path(), Duration::from_secs(60)).unwrap(),
            Outcome::Pass
        );
    }

    #[test]
    fn a_check_that_outlives_its_bound_is_stopped_with_its_children() {
        let t = tempfile::tempdir().unwrap();
        let pid = t.path().join("child");
        let tool = fake(
            t.path(),
            &format!("sleep 60 & echo $! > {}; wait", pid.display()),
        );
        let start = Instant::now();
        let e = format!(
            "{:#}",
            run(&tool, t.path(), Duration::from_secs(1)).unwrap_err()
        );
        assert!(
            e.contains("did not finish checking `rail` within 1s"),
            "{e}"
        );
        assert!(start.elapsed() < Duration::from_secs(20));
        let child = std::fs::read_to_string(&pid).unwrap();
        assert!(
            crate::adapters::process::tests::ends(child.trim()),
            "the tool's child {} still runs",
            child.trim()
        );
    }

    #[test]
    fn a_clean_report_has_no_failures() {
        let clean = "     Checked [   0.010s] 196 checks: 196 pass, 0 skip\n     Summary no semver update required\n";
        assert!(parse_failures(clean, &[]).is_empty());
        assert!(parse_failures("", &[]).is_empty());
    }
}
