//! The semver gate (`verify --semver`) with the real cargo-semver-checks,
//! on the demo workspace under git with a bare origin: `rail` is public,
//! `rail-core` internal (the sample's `public` list).
//!
//! The checker comes from `CARGO_TRAIN_SEMVER_CHECKS` (scripts/test.sh
//! builds it once per machine). Without it the tests that run it are
//! skipped with a message, except under CI, where that is a failure.

mod common;
use common::sandbox::Sandbox;

const BRANCH: &str = "release-1.0.0";
const DATE: &str = "2026-01-10";

fn tool() -> Option<String> {
    match std::env::var("CARGO_TRAIN_SEMVER_CHECKS") {
        Ok(p) => Some(p),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("CI is set but CARGO_TRAIN_SEMVER_CHECKS is not: run scripts/test.sh")
        }
        Err(_) => {
            eprintln!(
                "skipped: CARGO_TRAIN_SEMVER_CHECKS is not set (scripts/install-semver-checks.sh \
                 builds cargo-semver-checks and prints its path)"
            );
            None
        }
    }
}

/// The sample released as 1.0.0 on `release-1.0.0`, tagged `v1.0.0`, with
/// `pub fn hello` in `rail` and in `rail-core`; pushed.
fn released() -> Sandbox {
    released_with("")
}

fn released_with(config: &str) -> Sandbox {
    let s = Sandbox::new(config);
    for file in ["Cargo.toml", "Cargo.lock", "crates/c-api/include/rail.h"] {
        let p = s.ws.join(file);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, text.replace("1.0.0-dev", "1.0.0")).unwrap();
    }
    for dir in ["rail", "core"] {
        std::fs::write(
            s.ws.join(format!("crates/{dir}/src/lib.rs")),
            "//! Part of the demo workspace.\n\npub fn hello() {}\n\npub fn other() {}\n",
        )
        .unwrap();
    }
    s.git(&["checkout", "--quiet", "-b", BRANCH]);
    s.git(&[
        "commit",
        "--quiet",
        "-am",
        "Release Rail 1.0.0\n\n[automatically-tag-and-release-this-commit]",
    ]);
    s.git(&["tag", "v1.0.0"]);
    s.git(&["push", "--quiet", "origin", BRANCH, "v1.0.0"]);
    s
}

/// A change to the branch that removes `hello` from the crate in `dir`
/// (marked branch-only, so that `patch`'s audit lets it through).
fn remove_hello(s: &Sandbox, dir: &str) {
    std::fs::write(
        s.ws.join(format!("crates/{dir}/src/lib.rs")),
        "//! Part of the demo workspace.\n\npub fn other() {}\n",
    )
    .unwrap();
    s.git(&[
        "commit",
        "--quiet",
        "-am",
        &format!("Remove {dir}'s hello\n\nBranch-only: a test of the semver gate"),
    ]);
    s.git(&["push", "--quiet", "origin", BRANCH]);
}

fn gate(s: &Sandbox, tool: &str) -> common::Run {
    s.train_env(
        DATE,
        &["verify", "--semver", "--branch", BRANCH],
        &[("CARGO_TRAIN_SEMVER_CHECKS", tool)],
    )
}

#[test]
fn removing_a_public_function_blocks_the_patch_and_the_rerun_is_cached() {
    let Some(tool) = tool() else { return };
    let s = released();
    remove_hello(&s, "rail");
    let before = s.state();

    let r = gate(&s, &tool).failure();
    assert!(
        r.stderr.contains("Checking rail against v1.0.0"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("error: `rail` breaks its public API since v1.0.0:\n  function_missing (pub fn removed or renamed)\n"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("function rail::hello"), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "revert the change on `release-1.0.0`, or release it as a minor release from main"
        ),
        "{}",
        r.stderr
    );
    // The checkout, its refs and the origin are as they were.
    assert_eq!(s.state(), before);

    let r = gate(&s, &tool).failure();
    assert!(
        r.stderr.contains("rail: BREAKS (cached): function_missing"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("Checking"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("function_missing (pub fn removed or renamed)"),
        "{}",
        r.stderr
    );

    // `patch` runs the same gate before it plans anything: blocked, from
    // the cache, nothing changed.
    let r = patch(&s, &tool).failure();
    assert!(
        r.stderr
            .contains("not patching:\n`rail` breaks its public API since v1.0.0:")
            && r.stderr.contains("rail: BREAKS (cached): function_missing"),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), before);
}

/// The branch's commit in a state's origin refs.
fn before_tip(
    state: &(
        String,
        String,
        std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
        String,
    ),
) -> String {
    state
        .1
        .lines()
        .find_map(|l| l.strip_prefix("refs/heads/release-1.0.0 "))
        .unwrap()
        .to_string()
}

fn patch(s: &Sandbox, tool: &str) -> common::Run {
    s.train_env(
        DATE,
        &["patch", "--branch", BRANCH],
        &[("CARGO_TRAIN_SEMVER_CHECKS", tool)],
    )
}

#[test]
fn the_same_removal_in_an_internal_crate_passes() {
    let Some(tool) = tool() else { return };
    let s = released();
    remove_hello(&s, "core");
    let before = s.state();
    let r = patch(&s, &tool).success();
    assert!(
        r.stderr.contains("Patch 1.0.1 on `release-1.0.0`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("Skipped internal crates changed since v1.0.0: rail-core\n"),
        "{}",
        r.stderr
    );
    assert_ne!(s.state().1, before.1, "the patch was not pushed");
    s.origin_git(&[
        "update-ref",
        "refs/heads/release-1.0.0",
        &before_tip(&before),
    ]);
    let r = gate(&s, &tool).success();
    assert!(
        r.stderr
            .contains("Skipped internal crates changed since v1.0.0: rail-core\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("no public crate changed on `release-1.0.0` since v1.0.0"),
        "{}",
        r.stderr
    );

    // A public change that keeps the API is checked and passes, then cached.
    std::fs::write(
        s.ws.join("crates/rail/src/lib.rs"),
        "//! Part of the demo workspace.\n\npub fn hello() {}\n\npub fn other() {}\n\npub fn added() {}\n",
    )
    .unwrap();
    s.git(&["commit", "--quiet", "-am", "Add to rail"]);
    s.git(&["push", "--quiet", "origin", BRANCH]);
    let r = gate(&s, &tool).success();
    assert!(
        r.stderr.contains("Checking rail against v1.0.0"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("rail: no break\n"), "{}", r.stderr);
    let r = gate(&s, &tool).success();
    assert!(r.stderr.contains("rail: no break (cached)"), "{}", r.stderr);

    // Another backport: checked again; what the last run built from its
    // scratch trees (gone now) is removed, so rustdoc's output stays one
    // build per side.
    std::fs::write(
        s.ws.join("crates/rail/src/lib.rs"),
        "//! Part of the demo workspace.\n\npub fn hello() {}\n\npub fn other() {}\n\npub fn added() {}\n\npub fn more() {}\n",
    )
    .unwrap();
    s.git(&["commit", "--quiet", "-am", "More in rail"]);
    s.git(&["push", "--quiet", "origin", BRANCH]);
    let r = gate(&s, &tool).success();
    assert!(r.stderr.contains("rail: no break\n"), "{}", r.stderr);
    let deps = s.ws.join(".git/cargo-train/semver-target/debug/deps");
    let builds = std::fs::read_dir(&deps)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            let name = name.to_string_lossy();
            name.starts_with("librail_runtime-") && name.ends_with(".rmeta")
        })
        .count();
    assert_eq!(builds, 2, "builds of rail-runtime in {}", deps.display());
}

#[test]
fn a_public_crate_in_semver_skip_is_not_checked_and_features_are_configurable() {
    let Some(tool) = tool() else { return };
    let s = released_with("semver = { skip = [\"rail\"], features = \"default\" }\n");
    remove_hello(&s, "rail");
    let r = gate(&s, &tool).success();
    assert!(
        r.stderr
            .contains("Skipped internal crates changed since v1.0.0: rail (semver.skip)\n"),
        "{}",
        r.stderr
    );
    let s = released_with("semver = { features = \"default\" }\n");
    remove_hello(&s, "rail");
    let r = gate(&s, &tool).failure();
    assert!(r.stderr.contains("function_missing"), "{}", r.stderr);
    let s = released_with("semver = { features = \"some\" }\n");
    let r = gate(&s, &tool).failure();
    assert!(r.stderr.contains("unknown variant `some`"), "{}", r.stderr);
}

#[test]
fn a_missing_checker_is_an_error_saying_how_to_install_it() {
    let s = released();
    remove_hello(&s, "rail");
    let r = gate(&s, "/nonexistent/cargo-semver-checks").failure();
    assert!(
        r.stderr.contains(
            "CARGO_TRAIN_SEMVER_CHECKS=/nonexistent/cargo-semver-checks is not an executable file"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("cargo install cargo-semver-checks --locked"),
        "{}",
        r.stderr
    );

    // Not set, and not on PATH.
    let path: Vec<_> = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .filter(|d| !d.join("cargo-semver-checks").exists())
        .collect();
    let out = s
        .command(DATE, &["verify", "--semver", "--branch", BRANCH])
        .env_remove("CARGO_TRAIN_SEMVER_CHECKS")
        .env("PATH", std::env::join_paths(path).unwrap())
        .output()
        .unwrap();
    let r = common::Run::from(out).failure();
    assert!(
        r.stderr.contains(
            "error: cargo-semver-checks is not on PATH; the semver gate needs it: install it with \
             `cargo install cargo-semver-checks --locked`"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_branch_without_a_release_tag_has_nothing_to_compare() {
    let s = Sandbox::new("");
    s.git(&["checkout", "--quiet", "-b", BRANCH]);
    s.git(&["push", "--quiet", "origin", BRANCH]);
    let r = gate(&s, "/nonexistent/cargo-semver-checks").success();
    assert!(
        r.stderr
            .contains("`release-1.0.0` has no release tag yet: nothing to compare against"),
        "{}",
        r.stderr
    );
}

#[test]
fn files_a_package_leaves_out_change_no_crate() {
    // No checker needed: nothing is checked.
    let s = Sandbox::new("");
    let manifest = s.ws.join("crates/rail/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text.replacen("[package]\n", "[package]\nexclude = [\"notes\"]\n", 1);
    std::fs::write(&manifest, text).unwrap();
    s.git(&["checkout", "--quiet", "-b", BRANCH]);
    s.git(&[
        "commit",
        "--quiet",
        "-am",
        "Release Rail 1.0.0\n\n[automatically-tag-and-release-this-commit]",
    ]);
    s.git(&["tag", "v1.0.0"]);
    std::fs::create_dir_all(s.ws.join("crates/rail/notes")).unwrap();
    std::fs::write(s.ws.join("crates/rail/notes/design.md"), "# why\n").unwrap();
    std::fs::write(s.ws.join("RELEASES.md"), "## 1.0.1\n\nUnreleased.\n").unwrap();
    s.git(&["add", "--all"]);
    s.git(&["commit", "--quiet", "-m", "Notes only"]);
    s.git(&["push", "--quiet", "origin", BRANCH, "v1.0.0"]);
    let r = gate(&s, "/nonexistent/cargo-semver-checks").success();
    assert!(
        r.stderr
            .contains("no public crate changed on `release-1.0.0` since v1.0.0"),
        "{}",
        r.stderr
    );
    // A file the package ships does count (and then the checker is needed).
    std::fs::write(s.ws.join("crates/rail/README.md"), "# rail\n").unwrap();
    s.git(&["add", "--all"]);
    s.git(&["commit", "--quiet", "-m", "Readme"]);
    s.git(&["push", "--quiet", "origin", BRANCH]);
    let r = gate(&s, "/nonexistent/cargo-semver-checks").failure();
    assert!(
        r.stderr.contains("/nonexistent/cargo-semver-checks"),
        "{}",
        r.stderr
    );
}
