//! Publishing a 60-crate synthetic workspace to a fresh registry (kellnr on
//! 127.0.0.1): `cargo train publish` against `cargo publish --workspace`,
//! and against the limit the dependency graph's critical path sets.
//!
//! Run: `cargo bench --bench publish` (needs kellnr: scripts/install-kellnr.sh
//! builds it once; set CARGO_TRAIN_KELLNR to use another binary).

#[path = "../tests/common/kellnr.rs"]
mod kellnr;
#[path = "../tests/common/proxy.rs"]
mod proxy;
#[path = "support/synthetic.rs"]
mod synthetic;

use kellnr::{Kellnr, TOKEN};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use synthetic::{Shape, deps, generate};

const BIN: &str = env!("CARGO_BIN_EXE_cargo-train");
const SIZE: usize = 60;
/// How long a new version takes to show in the index (crates.io's index
/// lags its API by seconds; a local kellnr by nothing, which would make
/// the benchmark about packaging alone).
const PROPAGATION: Duration = Duration::from_secs(2);
/// How long one upload takes: sending the file and the registry's checks
/// (a second or more on crates.io; nothing on a local kellnr).
const UPLOAD: Duration = Duration::from_millis(1500);

/// A fresh registry behind a proxy that delays index visibility.
fn registry() -> (Kellnr, proxy::Proxy) {
    let k = Kellnr::start();
    let p = proxy::Proxy::with_options(k.port, usize::MAX, Duration::ZERO, PROPAGATION, UPLOAD);
    (k, p)
}

fn workspace(dir: &Path, size: usize, index: &str) {
    std::fs::create_dir_all(dir).unwrap();
    generate(dir, size, Shape::Layered);
    std::fs::create_dir_all(dir.join(".cargo")).unwrap();
    let config = format!("[registries.kellnr]\nindex = \"sparse+{index}\"\n");
    std::fs::write(dir.join(".cargo/config.toml"), config).unwrap();
    // First-party crates live on the registry they are published to.
    let root = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let root = root.replace("{ path = ", "{ registry = \"kellnr\", path = ");
    std::fs::write(dir.join("Cargo.toml"), root).unwrap();
    synthetic::run(dir, "cargo", &["generate-lockfile", "--offline", "--quiet"]);
}

fn timed(dir: &Path, cmd: &str, args: &[&str]) -> Duration {
    let start = Instant::now();
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .env("CARGO_REGISTRIES_KELLNR_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

/// Crates on the longest dependency chain.
fn critical_path(size: usize) -> usize {
    let mut h = vec![1usize; size];
    for n in 0..size {
        for d in deps(n, Shape::Layered) {
            h[n] = h[n].max(h[d] + 1);
        }
    }
    h.into_iter().max().unwrap_or(0)
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();

    // One crate alone: the latency of one publish (package, upload, index).
    let (k, p) = registry();
    let one = tmp.path().join("one");
    workspace(&one, 1, &p.index());
    let t_pkg_one = timed(
        &one,
        "cargo",
        &["package", "--no-verify", "--quiet", "--registry", "kellnr"],
    );
    let t_one = timed(&one, BIN, &["train", "publish", "--registry", "kellnr"]);
    drop((p, k));

    let (k, p) = registry();
    let ws = tmp.path().join("train");
    workspace(&ws, SIZE, &p.index());
    let t_pkg = timed(
        &ws,
        "cargo",
        &[
            "package",
            "--no-verify",
            "--quiet",
            "--registry",
            "kellnr",
            "--workspace",
        ],
    );
    let t_train = timed(
        &ws,
        BIN,
        &["train", "publish", "--registry", "kellnr", "--jobs", "8"],
    );
    drop((p, k));

    let (k, p) = registry();
    let ws = tmp.path().join("cargo");
    workspace(&ws, SIZE, &p.index());
    let t_cargo = timed(
        &ws,
        "cargo",
        &[
            "publish",
            "--workspace",
            "--no-verify",
            "--registry",
            "kellnr",
            "--quiet",
        ],
    );
    drop(k);

    let cp = critical_path(SIZE);
    // Each crate on the critical path costs at least its upload and the
    // index lag; the one-crate run shows what a publish really takes.
    let per_crate = t_one.saturating_sub(t_pkg_one);
    let limit = t_pkg + (UPLOAD + PROPAGATION) * cp as u32;
    let s = |d: Duration| d.as_secs_f64();
    println!(
        "publish benchmark: {SIZE} crates, critical path {cp} crates, fresh kellnr each run; \
         each upload takes {:.1} s and a new version shows in the index {:.1} s after it\n",
        UPLOAD.as_secs_f64(),
        PROPAGATION.as_secs_f64()
    );
    println!(
        "cargo publish --workspace --no-verify: {:>7.2} s",
        s(t_cargo)
    );
    println!(
        "cargo train publish --jobs 8:          {:>7.2} s",
        s(t_train)
    );
    println!(
        "speed-up: {:.2}x (target >= 2x: {})",
        s(t_cargo) / s(t_train),
        if s(t_cargo) >= 2.0 * s(t_train) {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "critical-path limit: packaging {:.2} s + {cp} x {:.2} s (upload and index lag) = {:.2} s (one crate alone took {:.2} s after packaging); \
         cargo-train at {:.2}x of it (target <= 1.5x: {})",
        s(t_pkg),
        s(UPLOAD + PROPAGATION),
        s(limit),
        s(per_crate),
        s(t_train) / s(limit),
        if s(t_train) <= 1.5 * s(limit) {
            "met"
        } else {
            "NOT met"
        }
    );
}
