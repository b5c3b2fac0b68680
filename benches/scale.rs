//! How `bump` and `cut` scale with the number of crates.
//!
//! Generates synthetic workspaces shaped like a large real one (inherited
//! versions, `[workspace.dependencies]` with exact pins for internal crates
//! and carets for public ones, crates on a `0.x` line of their own, a deep
//! dependency DAG, dev-dependencies), then times the real binary.
//!
//! Run: `cargo bench --bench scale` (sizes: `-- --sizes 100,1000`).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cargo-train");
const RUNS: usize = 5;

/// Every 10th crate is public; every 7th has a `0.x` version of its own.
fn is_public(n: usize) -> bool {
    n.is_multiple_of(10)
}

fn literal_version(n: usize) -> Option<&'static str> {
    (n % 7 == 3).then_some("0.5.0")
}

/// Up to three lower-numbered dependencies: the chain `n-1` makes the DAG
/// as deep as the workspace is large, as a worst case for ordering.
fn deps(n: usize) -> Vec<usize> {
    let mut d: Vec<usize> = [n.wrapping_sub(1), n / 2, n * 7 / 11]
        .into_iter()
        .filter(|&k| k < n)
        .collect();
    d.sort_unstable();
    d.dedup();
    d
}

fn generate(dir: &Path, size: usize) {
    let mut root = String::from(
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"3\"\n\n[workspace.package]\n\
         version = \"1.0.0-dev\"\nlicense = \"MIT\"\nedition = \"2024\"\n\n[workspace.dependencies]\n",
    );
    for n in 0..size {
        let v = literal_version(n).unwrap_or("1.0.0-dev");
        let op = if is_public(n) { "" } else { "=" };
        root.push_str(&format!(
            "c{n} = {{ path = \"crates/c{n}\", version = \"{op}{v}\" }}\n"
        ));
    }
    std::fs::write(dir.join("Cargo.toml"), root).unwrap();
    std::fs::write(dir.join("train.toml"), "public = [\"c*0\"]\n").unwrap();
    std::fs::write(dir.join(".gitignore"), "/target\n").unwrap();
    for n in 0..size {
        let c = dir.join(format!("crates/c{n}"));
        std::fs::create_dir_all(c.join("src")).unwrap();
        std::fs::write(c.join("src/lib.rs"), "").unwrap();
        let version = match literal_version(n) {
            Some(v) => format!("version = \"{v}\"  # a line of its own"),
            None => "version.workspace = true".to_string(),
        };
        let mut m = format!(
            "# Crate {n} of the synthetic workspace.\n[package]\nname = \"c{n}\"\n{version}\n\
             description = \"Synthetic crate {n}\"\nlicense.workspace = true\nedition.workspace = true\n"
        );
        let d = deps(n);
        if !d.is_empty() {
            m.push_str("\n[dependencies]\n");
            for k in d {
                m.push_str(&format!("c{k}.workspace = true\n"));
            }
        }
        if n % 5 == 4 {
            m.push_str(&format!(
                "\n[dev-dependencies]\nc{} = {{ workspace = true }}\n",
                n / 3
            ));
        }
        std::fs::write(c.join("Cargo.toml"), m).unwrap();
    }
    run(dir, "cargo", &["generate-lockfile", "--offline", "--quiet"]);
}

fn run(dir: &Path, cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed in {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

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
        generate(&dir, size);
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
