//! What `status`, `due` and `tick` cost on a long release history.
//!
//! Builds, with real git in a temp dir, the sample workspace with a history
//! of monthly cuts: main bumped once a month, a `release-N.0.0` branch cut
//! from it with its first candidate, its release and (every other branch)
//! a patch, each tagged. Two repositories: 3 release branches (7 tags) and
//! 100 (250 tags), each with a bare origin. Then times the real binary and
//! counts the git processes each command starts (GIT_TRACE2_EVENT), on a
//! day when nothing is due (so `tick` is its fetch and its reads).
//!
//! Run: `cargo bench --bench status`; `-- --bin PATH` measures another
//! cargo-train binary (an older build, to compare), `-- --runs N` sets the
//! runs, `-- --repo DIR --date YYYY-MM-DD` measures an existing checkout
//! instead (its `origin`'s release branches and its tags).

#[path = "support/synthetic.rs"]
mod synthetic;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use synthetic::run;

const RUNS: usize = 15;
const MARKER: &str = "[automatically-tag-and-release-this-commit]";
/// The day measured: after the newest branch's release, in its cut month.
const TODAY: &str = "2030-04-25";

/// Unix time of noon on a day.
fn noon(y: i16, m: i8, d: i8) -> i64 {
    let noon = jiff::civil::date(y, m, d).at(12, 0, 0, 0);
    jiff::tz::Offset::UTC
        .to_timestamp(noon)
        .unwrap()
        .as_second()
}

/// The sample's root Cargo.toml at another version.
fn manifest(template: &str, version: &str) -> String {
    template
        .lines()
        .map(|l| {
            if l.starts_with("version = ") {
                format!("version = \"{version}\"\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

/// A `git fast-import` stream: `branches` monthly cuts ending in April
/// 2030, the last `branches` of a 100-month history.
fn history(template: &str, base: &str, branches: u32) -> (String, usize) {
    let mut s = String::new();
    let mut mark = 0;
    let mut tags = 0;
    let mut commit = |s: &mut String,
                      refname: &str,
                      from: &str,
                      when: i64,
                      msg: &str,
                      version: &str| {
        mark += 1;
        let body = manifest(template, version);
        let _ = write!(
            s,
            "commit {refname}\nmark :{mark}\ncommitter Bench <bench@example.invalid> {when} +0000\n\
             data {}\n{msg}\nfrom {from}\nM 100644 inline Cargo.toml\ndata {}\n{body}\n",
            msg.len(),
            body.len()
        );
        format!(":{mark}")
    };
    let mut main = base.to_string();
    for n in (101 - branches)..=100 {
        let (y, m) = (2022 + ((n - 1) / 12) as i16, ((n - 1) % 12 + 1) as i8);
        let dev = format!("{n}.0.0-dev");
        main = commit(
            &mut s,
            "refs/heads/history",
            &main,
            noon(y, m, 1),
            &format!("Bump Rail to {n}.0.0"),
            &dev,
        );
        let branch = format!("refs/heads/release-{n}.0.0");
        let mut tip = main.clone();
        let mut steps = vec![(5, format!("{n}.0.0-rc.1")), (20, format!("{n}.0.0"))];
        if n % 2 == 1 {
            steps.push((27, format!("{n}.0.1")));
        }
        for (day, v) in steps {
            let msg = format!("Release Rail {v}\n\n{MARKER}\n");
            tip = commit(&mut s, &branch, &tip, noon(y, m, day), &msg, &v);
            let _ = write!(s, "reset refs/tags/v{v}\nfrom {tip}\n\n");
            tags += 1;
        }
    }
    // main moves on after the last cut.
    commit(
        &mut s,
        "refs/heads/history",
        &main,
        noon(2030, 4, 6),
        "Bump Rail to 101.0.0",
        "101.0.0-dev",
    );
    (s, tags)
}

/// The sample workspace with `branches` release branches, pushed to a
/// bare origin and fetched back. The history is made on a side ref that
/// becomes the origin's main; the checkout stays at the sample, whose
/// files agree with its own version.
fn repository(dir: &Path, branches: u32) -> (PathBuf, usize) {
    let ws = dir.join("ws");
    for (path, text) in cargo_train::demo::sample::files() {
        let p = ws.join(&path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let git = |args: &[&str]| run(&ws, "git", args);
    git(&["init", "--quiet", "-b", "main"]);
    for (k, v) in [
        ("user.name", "bench"),
        ("user.email", "bench@example.invalid"),
        ("commit.gpgsign", "false"),
    ] {
        git(&["config", k, v]);
    }
    git(&["add", "--all"]);
    git(&["commit", "--quiet", "-m", "init"]);
    let base = git(&["rev-parse", "HEAD"]).trim().to_string();
    let template = std::fs::read_to_string(ws.join("Cargo.toml")).unwrap();
    let (stream, tags) = history(&template, &base, branches);
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet", "--force"])
        .current_dir(&ws)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success(), "git fast-import failed");
    let origin = dir.join("origin.git");
    run(
        dir,
        "git",
        &["init", "--quiet", "--bare", origin.to_str().unwrap()],
    );
    git(&["remote", "add", "origin", origin.to_str().unwrap()]);
    git(&[
        "push",
        "--quiet",
        "origin",
        "refs/heads/history:refs/heads/main",
        "refs/heads/release-*:refs/heads/release-*",
        "refs/tags/*:refs/tags/*",
    ]);
    git(&["fetch", "--quiet", "origin"]);
    (ws, tags)
}

/// One run: wall time and the git processes started.
fn measure(bin: &str, ws: &Path, date: &str, args: &[&str], trace: &Path) -> (Duration, usize) {
    let _ = std::fs::remove_file(trace);
    let start = Instant::now();
    let out = Command::new(bin)
        .arg("train")
        .args(["--date", date])
        .args(args)
        .current_dir(ws)
        .env("GIT_TRACE2_EVENT", trace)
        .output()
        .unwrap();
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "cargo-train {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = std::fs::read_to_string(trace).unwrap_or_default();
    (took, events.matches("\"event\":\"start\"").count())
}

/// Whether `bin` has this command line (`--help` parses it).
fn knows(bin: &str, cmd: &[&str]) -> bool {
    Command::new(bin)
        .arg("train")
        .args(cmd)
        .arg("--help")
        .output()
        .unwrap()
        .status
        .success()
}

fn arg(args: &[String], name: &str) -> Option<String> {
    let i = args.iter().position(|a| a == name)?;
    Some(
        args.get(i + 1)
            .unwrap_or_else(|| panic!("{name} takes a value"))
            .clone(),
    )
}

/// Times every command in one checkout and prints a row each.
fn bench(bin: &str, ws: &Path, date: &str, runs: usize, label: &str, trace: &Path) {
    let commands: [&[&str]; 4] = [&["status"], &["status", "--all"], &["due"], &["tick"]];
    for cmd in commands {
        // `status --all` is new; an older binary only has `status`.
        if !knows(bin, cmd) {
            println!("{label}  {:<14} (not in this binary)", cmd.join(" "));
            continue;
        }
        measure(bin, ws, date, cmd, trace);
        let mut times = Vec::new();
        let mut procs = 0;
        for _ in 0..runs {
            let (t, p) = measure(bin, ws, date, cmd, trace);
            times.push(t);
            procs = p;
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{label}  {:<14} {:>10.1} {:>10.1} {procs:>6}",
            cmd.join(" "),
            ms(times[runs / 2]),
            ms(times[0])
        );
    }
}

/// Options: `--bin PATH` (another build), `--runs N`, and `--repo DIR
/// --date YYYY-MM-DD` to measure an existing checkout (e.g. a clone of
/// Wasmtime, on a day when nothing is due so `tick` only fetches).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bin = arg(&args, "--bin").unwrap_or_else(|| env!("CARGO_BIN_EXE_cargo-train").to_string());
    let runs: usize =
        arg(&args, "--runs").map_or(RUNS, |n| n.parse().expect("--runs takes a number"));
    println!("cargo-train status benchmark: {bin}");
    println!("median wall time of the whole command over {runs} runs, and git processes per run\n");
    println!(
        "{:>9} {:>5}  {:<14} {:>10} {:>10} {:>6}",
        "branches", "tags", "command", "median ms", "min ms", "git"
    );
    let tmp = tempfile::tempdir().unwrap();
    let trace = tmp.path().join("trace.json");
    if let Some(repo) = arg(&args, "--repo") {
        let ws = PathBuf::from(repo);
        let date = arg(&args, "--date").unwrap_or_else(|| TODAY.to_string());
        let count = |pattern: &str| {
            run(
                &ws,
                "git",
                &["for-each-ref", "--format=%(refname)", pattern],
            )
            .lines()
            .count()
        };
        let label = format!(
            "{:>9} {:>5}",
            count("refs/remotes/origin/release-*"),
            count("refs/tags/")
        );
        bench(&bin, &ws, &date, runs, &label, &trace);
        return;
    }
    for branches in [3, 100] {
        let dir = tmp.path().join(format!("b{branches}"));
        std::fs::create_dir_all(&dir).unwrap();
        let (ws, tags) = repository(&dir, branches);
        bench(
            &bin,
            &ws,
            TODAY,
            runs,
            &format!("{branches:>9} {tags:>5}"),
            &trace,
        );
    }
}
