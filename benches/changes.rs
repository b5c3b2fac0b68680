//! What `cargo train changes` (the selection of an independent release)
//! costs: on a synthetic 70-crate workspace of crates on their own lines,
//! each tagged, with a third of them changed since; or on a checkout of a
//! real project (`-- --repo DIR [--config FILE]`, e.g. a gitoxide checkout
//! with `[versioning] model = "lead"`). Prints the median and the slowest
//! of the runs, and what the selection moved.
//!
//! Run: `cargo bench --bench changes`; `-- --runs N` sets the runs.

#[path = "support/synthetic.rs"]
mod synthetic;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use synthetic::run;

const BIN: &str = env!("CARGO_BIN_EXE_cargo-train");
const SIZE: usize = 70;

/// `SIZE` crates `c0..` at `0.{n+1}.0`, each depending on up to three lower
/// ones with a caret, tagged `cN-vVERSION`; then every third crate's source
/// changed in a commit of its own.
fn synthetic(dir: &Path) {
    let mut root = String::from("[workspace]\nmembers = [\"crates/*\"]\nresolver = \"3\"\n");
    root.push_str("\n[workspace.package]\nlicense = \"MIT\"\nedition = \"2024\"\n");
    std::fs::write(dir.join("Cargo.toml"), root).unwrap();
    std::fs::write(
        dir.join("train.toml"),
        "[versioning]\nmodel = \"independent\"\n",
    )
    .unwrap();
    std::fs::write(dir.join(".gitignore"), "/target\n").unwrap();
    for n in 0..SIZE {
        let c = dir.join(format!("crates/c{n}"));
        std::fs::create_dir_all(c.join("src")).unwrap();
        std::fs::write(c.join("src/lib.rs"), "").unwrap();
        let mut m = format!(
            "[package]\nname = \"c{n}\"\nversion = \"0.{}.0\"\ndescription = \"c{n}\"\n\
             license.workspace = true\nedition.workspace = true\n",
            n + 1
        );
        let deps = synthetic::deps(n, synthetic::Shape::Layered);
        if !deps.is_empty() {
            m.push_str("\n[dependencies]\n");
            for k in deps {
                m.push_str(&format!(
                    "c{k} = {{ path = \"../c{k}\", version = \"0.{}\" }}\n",
                    k + 1
                ));
            }
        }
        std::fs::write(c.join("Cargo.toml"), m).unwrap();
    }
    run(dir, "cargo", &["generate-lockfile", "--offline", "--quiet"]);
    let git = |args: &[&str]| {
        let mut a = vec!["-c", "user.name=B", "-c", "user.email=b@example.com"];
        a.extend(args);
        run(dir, "git", &a)
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "start"]);
    for n in 0..SIZE {
        git(&["tag", &format!("c{n}-v0.{}.0", n + 1)]);
    }
    for n in (0..SIZE).step_by(3) {
        std::fs::write(
            dir.join(format!("crates/c{n}/src/lib.rs")),
            "pub fn f() {}\n",
        )
        .unwrap();
        git(&["commit", "-q", "-am", &format!("feat: c{n} grows")]);
    }
}

fn changes(dir: &Path, config: Option<&Path>) -> (Duration, String) {
    let mut cmd = Command::new(BIN);
    cmd.arg("train");
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    let started = Instant::now();
    let out = cmd.arg("changes").current_dir(dir).output().unwrap();
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "changes failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let summary = text.lines().find(|l| l.contains("crates move"));
    (took, summary.unwrap_or_default().to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let runs: usize = value("--runs").map_or(5, |r| r.parse().unwrap());
    let config = value("--config").map(PathBuf::from);
    let tmp;
    let dir = match value("--repo") {
        Some(d) => PathBuf::from(d),
        None => {
            tmp = tempfile::tempdir().unwrap();
            synthetic(tmp.path());
            tmp.path().to_path_buf()
        }
    };
    // The first run may update cargo's index; it is shown on its own.
    let (first, summary) = changes(&dir, config.as_deref());
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| changes(&dir, config.as_deref()).0)
        .collect();
    times.sort();
    println!("changes on {}: {summary}", dir.display());
    println!(
        "  first run {:.2}s; then {runs} runs: median {:.2}s, slowest {:.2}s",
        first.as_secs_f64(),
        times[times.len() / 2].as_secs_f64(),
        times.last().unwrap().as_secs_f64()
    );
}
