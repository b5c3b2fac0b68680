//! Publishing a 60-crate synthetic workspace to a fresh registry (kellnr on
//! 127.0.0.1): `cargo train publish` against `cargo publish --workspace`,
//! for new crates (against the limit the critical path and the index lag
//! set) and for the next versions of existing crates with the acceptance
//! gate (against the limit that upload concurrency sets).
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
    timed_with(dir, cmd, args, &[])
}

fn timed_with(dir: &Path, cmd: &str, args: &[&str], env: &[(&str, &str)]) -> Duration {
    let start = Instant::now();
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .env("CARGO_REGISTRIES_KELLNR_TOKEN", TOKEN)
        .envs(env.iter().copied())
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

const TRAIN: &[&str] = &["train", "publish", "--registry", "kellnr", "--jobs", "8"];
const CARGO: &[&str] = &[
    "publish",
    "--workspace",
    "--no-verify",
    "--registry",
    "kellnr",
    "--quiet",
];

/// A workspace whose crates are all on the registry already, bumped to
/// their next patch version: the monthly case of a project that exists.
/// The first versions go straight to kellnr, past the proxy.
fn updated_workspace(dir: &Path, k: &Kellnr, p: &proxy::Proxy) {
    workspace(dir, SIZE, &p.index());
    let direct = format!("sparse+{}", k.index());
    timed_with(
        dir,
        BIN,
        TRAIN,
        &[("CARGO_REGISTRIES_KELLNR_INDEX", direct.as_str())],
    );
    timed(dir, BIN, &["train", "bump", "patch"]);
}

fn s(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let cp = critical_path(SIZE);
    println!(
        "publish benchmark: {SIZE} crates, critical path {cp} crates, fresh kellnr each run; \
         each upload takes {:.1} s and a new version shows in the index {:.1} s after it\n",
        UPLOAD.as_secs_f64(),
        PROPAGATION.as_secs_f64()
    );

    // New crates: every dependent waits until its dependencies are in the
    // index, on any registry.
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
    let t_train = timed(&ws, BIN, TRAIN);
    drop((p, k));
    let (k, p) = registry();
    let ws = tmp.path().join("cargo");
    workspace(&ws, SIZE, &p.index());
    let t_cargo = timed(&ws, "cargo", CARGO);
    drop((p, k));
    let limit = t_pkg + (UPLOAD + PROPAGATION) * cp as u32;
    println!("new crates (each dependent waits for the index):");
    println!(
        "  cargo publish --workspace --no-verify: {:>7.2} s",
        s(t_cargo)
    );
    println!(
        "  cargo train publish --jobs 8:          {:>7.2} s",
        s(t_train)
    );
    println!(
        "  speed-up {:.2}x; critical-path limit: packaging {:.2} s + {cp} x {:.2} s (upload and index lag) = {:.2} s, \
         cargo-train at {:.2}x of it\n",
        s(t_cargo) / s(t_train),
        s(t_pkg),
        s(UPLOAD + PROPAGATION),
        s(limit),
        s(t_train) / s(limit),
    );

    // Existing crates, next versions, with the acceptance gate (what
    // crates.io allows): a dependent goes once its dependencies' uploads
    // were accepted; every version is confirmed in the index at the end.
    let (k, p) = registry();
    let ws = tmp.path().join("train-update");
    updated_workspace(&ws, &k, &p);
    let toml = std::fs::read_to_string(ws.join("train.toml")).unwrap();
    std::fs::write(
        ws.join("train.toml"),
        format!("{toml}\n[publish.dependents-wait-for]\nkellnr = \"acceptance\"\n"),
    )
    .unwrap();
    let t_train = timed(&ws, BIN, TRAIN);
    drop((p, k));
    let (k, p) = registry();
    let ws = tmp.path().join("cargo-update");
    updated_workspace(&ws, &k, &p);
    let t_cargo = timed(&ws, "cargo", CARGO);
    drop((p, k));
    // With 8 uploads at a time, the chain of `cp` uploads or the share of
    // each slot, whichever is longer; then the last version's index lag.
    let rounds = cp.max(SIZE.div_ceil(8)) as u32;
    let limit = t_pkg + UPLOAD * rounds + PROPAGATION;
    println!(
        "next versions of existing crates (cargo-train: dependents-wait-for = \"acceptance\"):"
    );
    println!(
        "  cargo publish --workspace --no-verify: {:>7.2} s",
        s(t_cargo)
    );
    println!(
        "  cargo train publish --jobs 8:          {:>7.2} s",
        s(t_train)
    );
    println!(
        "  speed-up {:.2}x (target >= 3x: {})",
        s(t_cargo) / s(t_train),
        verdict(s(t_cargo) >= 3.0 * s(t_train))
    );
    println!(
        "  upload-concurrency limit: packaging {:.2} s + {rounds} x {:.2} s (uploads) + {:.2} s (last index lag) = {:.2} s; \
         cargo-train at {:.2}x of it (target <= 1.2x: {})",
        s(t_pkg),
        s(UPLOAD),
        s(PROPAGATION),
        s(limit),
        s(t_train) / s(limit),
        verdict(s(t_train) <= 1.2 * s(limit))
    );
}
