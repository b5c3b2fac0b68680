//! How `bump` and `cut` scale with the number of crates.
//!
//! Generates synthetic workspaces shaped like a large real one (inherited
//! versions, `[workspace.dependencies]` with exact pins for internal crates
//! and carets for public ones, crates on a `0.x` line of their own, a deep
//! dependency DAG, dev-dependencies), then times the real binary.
//!
//! Run: `cargo bench --bench scale` (sizes: `-- --sizes 100,1000`).

#[path = "support/synthetic.rs"]
mod synthetic;

use std::path::Path;
use std::time::{Duration, Instant};
use synthetic::{Shape, generate, run};

const BIN: &str = env!("CARGO_BIN_EXE_cargo-train");
const RUNS: usize = 5;

fn timed(dir: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    run(dir, BIN, args);
    start.elapsed()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    (ms(v[0]), ms(v[v.len() / 2]))
}

/// A git repository of the workspace with a bare origin beside it.
fn git_setup(dir: &Path) {
    let git = |args: &[&str]| run(dir, "git", args);
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
    let origin = dir.with_extension("origin.git");
    run(
        dir,
        "git",
        &["init", "--quiet", "--bare", origin.to_str().unwrap()],
    );
    git(&["remote", "add", "origin", origin.to_str().unwrap()]);
    git(&["push", "--quiet", "origin", "main"]);
}

fn main() {
    let mut sizes = vec![100, 1000, 2000];
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--sizes") {
        sizes = args[i + 1]
            .split(',')
            .map(|s| s.parse().expect("--sizes takes numbers"))
            .collect();
    }
    println!("cargo-train scale benchmark: wall time of the whole command, {RUNS} runs each\n");
    println!(
        "{:>7} {:>14} {:>14} {:>12} {:>14}",
        "crates", "bump min ms", "bump med ms", "µs / crate", "cut med ms"
    );
    let mut per_crate = Vec::new();
    let mut bump_at = Vec::new();
    for &size in &sizes {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("ws");
        std::fs::create_dir_all(&dir).unwrap();
        generate(&dir, size, Shape::Chain);
        // The generated workspace follows the pin policy, or the figures mean nothing.
        run(&dir, BIN, &["train", "verify"]);
        git_setup(&dir);

        let mut bumps = Vec::new();
        for _ in 0..RUNS {
            bumps.push(timed(&dir, &["train", "bump", "major", "--no-hooks"]));
            // The lock file moved with the manifests.
            run(
                &dir,
                "cargo",
                &[
                    "metadata",
                    "--locked",
                    "--offline",
                    "--no-deps",
                    "--format-version",
                    "1",
                ],
            );
            run(&dir, "git", &["checkout", "--quiet", "--", "."]);
        }
        let mut cuts = Vec::new();
        for _ in 0..RUNS {
            cuts.push(timed(
                &dir,
                &["train", "--date", "2026-01-05", "cut", "--force"],
            ));
            // Undo the cut on both sides so that the next run does the same work.
            let origin = dir.with_extension("origin.git");
            run(&origin, "git", &["branch", "-D", "release-1.0.0"]);
            let first = run(&dir, "git", &["rev-list", "--max-parents=0", "HEAD"]);
            run(
                &origin,
                "git",
                &["update-ref", "refs/heads/main", first.trim()],
            );
            run(&dir, "git", &["reset", "--quiet", "--hard", first.trim()]);
            run(&dir, "git", &["fetch", "--quiet", "--prune", "origin"]);
        }
        let (bmin, bmed) = stats(bumps);
        let (_, cmed) = stats(cuts);
        let us = bmed * 1000.0 / size as f64;
        per_crate.push((size, us));
        bump_at.push((size, bmed));
        println!("{size:>7} {bmin:>14.1} {bmed:>14.1} {us:>12.1} {cmed:>14.1}");
    }
    println!();
    for (size, bmed) in &bump_at {
        match size {
            100 => println!(
                "target: bump of 100 crates < 50 ms: {} ({bmed:.1} ms)",
                verdict(*bmed < 50.0)
            ),
            2000 => println!(
                "target: bump of 2,000 crates < 1 s: {} ({bmed:.1} ms)",
                verdict(*bmed < 1000.0)
            ),
            _ => {}
        }
    }
    if let (Some(a), Some(b)) = (
        per_crate.iter().find(|p| p.0 == 1000),
        per_crate.iter().find(|p| p.0 == 2000),
    ) {
        println!(
            "linearity: {:.1} µs/crate at 1,000 vs {:.1} at 2,000: {}",
            a.1,
            b.1,
            verdict(b.1 < 2.0 * a.1)
        );
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}
