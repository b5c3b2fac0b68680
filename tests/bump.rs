//! `cargo train bump` on fixture workspaces, through the real binary and
//! checked with real cargo.

mod common;
use common::{Fixture, sample_files};

/// Versions of all members as cargo itself reads them.
fn cargo_versions(f: &Fixture) -> Vec<(String, String)> {
    let v = common::cargo_metadata_locked(f.path());
    let mut list: Vec<_> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    list.sort();
    list
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn major_rewrites_every_table_and_keeps_everything_else() {
    let f = Fixture::sample();
    let lock_before = f.read("Cargo.lock");
    f.train(&["bump", "major"]).success();

    for (path, text) in sample_files() {
        let expected = match path {
            "Cargo.toml" | "crates/macros/Cargo.toml" => text
                .replace("2.0.0-dev", "3.0.0-dev")
                .replace("0.4.0", "0.5.0-dev"),
            "include/sample.h" => text
                .replace("2.0.0-dev", "3.0.0-dev")
                .replace("MAJOR 2", "MAJOR 3"),
            _ => text.replace("2.0.0-dev", "3.0.0-dev"),
        };
        assert_eq!(f.read(path), expected, "{path}");
    }
    // The unpublished crate kept its own version; its requirement moved.
    assert!(
        f.read("crates/testkit/Cargo.toml")
            .contains("version = \"0.0.1\"")
    );
    assert_eq!(
        f.read("Cargo.lock"),
        lock_before
            .replace("2.0.0-dev", "3.0.0-dev")
            .replace("\"0.4.0\"", "\"0.5.0-dev\"")
    );
    // Cargo agrees, without touching the lock file.
    assert_eq!(
        cargo_versions(&f),
        pairs(&[
            ("sample", "3.0.0-dev"),
            ("sample-cli", "3.0.0-dev"),
            ("sample-core", "3.0.0-dev"),
            ("sample-macros", "0.5.0-dev"),
            ("sample-testkit", "0.0.1"),
            ("sample-util", "3.0.0-dev"),
        ])
    );
    f.train(&["verify"]).success();
}

#[test]
fn release_branch_sequence_rc_drop_rc_patch() {
    let f = Fixture::sample();
    let expect = |ws: &str, macros: &str| {
        pairs(&[
            ("sample", ws),
            ("sample-cli", ws),
            ("sample-core", ws),
            ("sample-macros", macros),
            ("sample-testkit", "0.0.1"),
            ("sample-util", ws),
        ])
    };
    for (level, ws, macros) in [
        ("rc", "2.0.0-rc.1", "0.4.0-rc.1"),
        ("rc", "2.0.0-rc.2", "0.4.0-rc.2"),
        ("drop-rc", "2.0.0", "0.4.0"),
        ("patch", "2.0.1", "0.4.1"),
        ("drop-rc", "2.0.1", "0.4.1"),
        ("3.1.0", "3.1.0", "0.4.1"),
    ] {
        let r = f.train(&["bump", level]).success();
        assert_eq!(cargo_versions(&f), expect(ws, macros), "after {level}");
        f.train(&["verify"]).success();
        assert!(
            f.read("include/sample.h")
                .contains(&format!("SAMPLE_VERSION \"{ws}\"")),
            "{level}"
        );
        if level == "drop-rc" && ws == "2.0.1" {
            assert!(r.stderr.contains("nothing"), "{}", r.stderr);
        }
    }
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let f = Fixture::sample();
    let before = f.snapshot();
    let r = f.train(&["bump", "major", "--dry-run"]).success();
    assert_eq!(f.snapshot(), before);
    assert!(
        r.stdout.contains("--- a/Cargo.toml\n+++ b/Cargo.toml\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("-version = \"2.0.0-dev\"   # the train's version\n+version = \"3.0.0-dev\"   # the train's version\n"), "{}", r.stdout);
    assert!(r.stdout.contains("+++ b/Cargo.lock"), "{}", r.stdout);
    assert!(
        r.stdout.contains("+#define SAMPLE_VERSION_MAJOR 3"),
        "{}",
        r.stdout
    );
}

/// Runs a failing command and checks that no file changed.
fn fails_cleanly(f: &Fixture, args: &[&str]) -> String {
    let before = f.snapshot();
    let r = f.train(args).failure();
    assert_eq!(
        f.snapshot(),
        before,
        "files changed after a failed {args:?}"
    );
    r.stderr
}

#[test]
fn mismatched_requirement_stops_the_bump() {
    let f = Fixture::sample();
    let core = f.read("crates/core/Cargo.toml").replace(
        "util2 = { package = \"sample-util\", path = \"../util\", version = \"=2.0.0-dev\" }",
        "util2 = { package = \"sample-util\", path = \"../util\", version = \"=1.9.0\" }",
    );
    f.write("crates/core/Cargo.toml", &core);
    let err = fails_cleanly(&f, &["bump", "major"]);
    assert!(
        err.contains("crates/core/Cargo.toml:12: requirement \"=1.9.0\" on `sample-util` does not match its version 2.0.0-dev"),
        "{err}"
    );
}

#[test]
fn pin_policy_violations_stop_the_bump_and_fail_verify() {
    let f = Fixture::sample();
    let root = f.read("Cargo.toml").replace(
        "sample = { path = \"crates/sample\", version = \"2.0.0-dev\" }",
        "sample = { path = \"crates/sample\", version = \"=2.0.0-dev\" }",
    );
    f.write("Cargo.toml", &root);
    let err = fails_cleanly(&f, &["bump", "rc"]);
    assert!(err.contains("Cargo.toml:17: `sample` is public and must be required with a caret (\"2.0.0-dev\"), not exactly (\"=2.0.0-dev\")"), "{err}");
    let err = fails_cleanly(&f, &["verify"]);
    assert!(
        err.contains("error: Cargo.toml:17: `sample` is public"),
        "{err}"
    );
    assert!(err.contains("1 problem found"), "{err}");
}

#[test]
fn broken_manifest_is_named() {
    let f = Fixture::sample();
    f.write(
        "crates/util/Cargo.toml",
        "[package]\nname = \"sample-util\"\nversion = \n",
    );
    let err = fails_cleanly(&f, &["bump", "major"]);
    assert!(err.contains("crates/util/Cargo.toml"), "{err}");
}

#[test]
fn stale_version_file_stops_the_bump() {
    let f = Fixture::sample();
    f.write(
        "include/sample.h",
        &f.read("include/sample.h").replace("MINOR 0", "MINOR 7"),
    );
    let err = fails_cleanly(&f, &["bump", "major"]);
    assert!(
        err.contains("include/sample.h:5: does not carry version 2.0.0-dev"),
        "{err}"
    );
}

#[test]
fn unknown_config_key_is_named_with_its_line() {
    let f = Fixture::sample();
    f.write(
        "train.toml",
        &f.read("train.toml").replace(
            "project = \"Sample\"\n",
            "project = \"Sample\"\nrelease-dya = 3\n",
        ),
    );
    let err = fails_cleanly(&f, &["bump", "major"]);
    assert!(
        err.contains("invalid configuration in train.toml: TOML parse error at line 2"),
        "{err}"
    );
    assert!(err.contains("unknown field `release-dya`"), "{err}");
}

#[test]
fn failing_after_bump_command_undoes_the_bump() {
    let f = Fixture::sample();
    f.write(
        "train.toml",
        &f.read("train.toml").replace(
            "project = \"Sample\"\n",
            "project = \"Sample\"\nafter-bump = [\"echo ran > hook.txt\", \"exit 3\"]\n",
        ),
    );
    let before = f.snapshot();
    let r = f.train(&["bump", "major"]).failure();
    assert!(r.stderr.contains("`exit 3` failed"), "{}", r.stderr);
    assert!(r.stderr.contains("the bump was undone"), "{}", r.stderr);
    let mut after = f.snapshot();
    // The first hook ran (its own output is its business); every file the
    // bump wrote is back as it was.
    assert_eq!(
        after.remove(std::path::Path::new("hook.txt")).unwrap(),
        b"ran\n"
    );
    assert_eq!(after, before);
    // `--no-hooks` skips them.
    f.train(&["bump", "major", "--no-hooks"]).success();
    assert!(f.read("Cargo.toml").contains("3.0.0-dev"));
}

#[test]
fn a_hook_that_never_ends_is_stopped_with_its_children_and_the_bump_undone() {
    let f = Fixture::sample();
    // The hook starts a child that would write `late` after 3 s, then waits
    // forever; after 1 s both must be gone.
    f.write(
        "train.toml",
        &f.read("train.toml").replace(
            "project = \"Sample\"\n",
            "project = \"Sample\"\nhook-timeout-secs = 1\nafter-bump = [\"(sleep 3; touch late) & sleep 600\"]\n",
        ),
    );
    let before = f.snapshot();
    let start = std::time::Instant::now();
    let r = f.train(&["bump", "major"]).failure();
    let took = start.elapsed();
    assert!(
        r.stderr
            .contains("did not finish within 1s and was stopped"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("the bump was undone"), "{}", r.stderr);
    assert!(took < std::time::Duration::from_secs(30), "{took:?}");
    assert_eq!(f.snapshot(), before);
    // The hook's own child was stopped too: nothing appears later.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert!(!f.path().join("late").exists());
}

/// Styles met in large public workspaces, written by hand: a workspace
/// version with crates on lines of their own (wasm-tools, wasmtime),
/// independent 0.x crates with `^` requirements (gitoxide), short
/// requirements and a dev-dependency cycle (tokio, tracing), `~` and `=`
/// requirements, an alpha line pinned exactly (sqlx) and a `-dev` line with
/// caret requirements (bevy). No train.toml: the defaults.
fn styles_files() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "Cargo.toml",
            r#"[workspace]
members = ["crates/*"]
resolver = "2"

[workspace.package]
version = "0.257.1"
edition = "2021"
license = "MIT"
description = "fixture"

[workspace.dependencies]
ws-parser = { path = "crates/ws-parser", version = "0.257.1" }
"#,
        ),
        (
            "crates/ws-parser/Cargo.toml",
            "[package]\nname = \"ws-parser\"\nversion.workspace = true\nedition.workspace = true\nlicense.workspace = true\ndescription.workspace = true\n",
        ),
        (
            "crates/ws-tool/Cargo.toml",
            "[package]\nname = \"ws-tool\"\nversion.workspace = true\nedition.workspace = true\nlicense.workspace = true\ndescription.workspace = true\n\n[dependencies]\nws-parser.workspace = true\nlone = { path = \"../lone\", version = \"0.4\" }\n",
        ),
        (
            "crates/lone/Cargo.toml",
            "[package]\nname = \"lone\"\nversion = \"0.4.7\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"own line\"\n",
        ),
        (
            "crates/gix-a/Cargo.toml",
            "[package]\nname = \"gix-a\"\nversion = \"0.22.1\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"a\"\n",
        ),
        (
            "crates/gix-b/Cargo.toml",
            "[package]\nname = \"gix-b\"\nversion = \"0.87.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"b\"\n\n[dependencies]\ngix-a = { version = \"^0.22.1\", path = \"../gix-a\" }\n",
        ),
        (
            "crates/rt/Cargo.toml",
            "[package]\nname = \"rt\"\nversion = \"1.53.1\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"rt\"\n\n[dev-dependencies]\nrt-test = { version = \"0.4.0\", path = \"../rt-test\" }\n",
        ),
        (
            "crates/rt-util/Cargo.toml",
            "[package]\nname = \"rt-util\"\nversion = \"0.7.19\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"u\"\n\n[dependencies]\nrt = { version = \"1\", path = \"../rt\" }\n",
        ),
        (
            "crates/rt-test/Cargo.toml",
            "[package]\nname = \"rt-test\"\nversion = \"0.4.5\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"t\"\n\n[dependencies]\nrt = { version = \"1.0.0\", path = \"../rt\" }\n",
        ),
        (
            "crates/tl-core/Cargo.toml",
            "[package]\nname = \"tl-core\"\nversion = \"1.2.3\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"c\"\n",
        ),
        (
            "crates/tl-app/Cargo.toml",
            "[package]\nname = \"tl-app\"\nversion = \"1.0.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"a\"\n\n[dependencies]\ntl-core = { version = \"~1.2\", path = \"../tl-core\" }\n",
        ),
        (
            "crates/tl-pin/Cargo.toml",
            "[package]\nname = \"tl-pin\"\nversion = \"1.0.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"p\"\n\n[dependencies]\ntl-core = { version = \"=1.2.3\", path = \"../tl-core\" }\n",
        ),
        (
            "crates/alpha/Cargo.toml",
            "[package]\nname = \"alpha\"\nversion = \"0.9.0-alpha.1\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"a\"\n",
        ),
        (
            "crates/alpha-user/Cargo.toml",
            "[package]\nname = \"alpha-user\"\nversion = \"0.9.0-alpha.1\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"a\"\n\n[dependencies]\nalpha = { version = \"=0.9.0-alpha.1\", path = \"../alpha\" }\n",
        ),
        (
            "crates/bv/Cargo.toml",
            "[package]\nname = \"bv\"\nversion = \"0.19.0-dev\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"b\"\n",
        ),
        (
            "crates/bv-app/Cargo.toml",
            "[package]\nname = \"bv-app\"\nversion = \"0.19.0-dev\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"b\"\n\n[dependencies]\nbv = { version = \"0.19.0-dev\", path = \"../bv\" }\n",
        ),
    ]
}

/// The requirement written for `dep` in `manifest`.
fn req_in(f: &Fixture, manifest: &str, dep: &str) -> String {
    let text = f.read(manifest);
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{dep} = ")))
        .unwrap_or_else(|| panic!("{dep} in {manifest}"));
    let v = line.split("version = \"").nth(1).unwrap();
    v[..v.find('"').unwrap()].to_string()
}

/// Bumps `f` with `level` and checks that Cargo.lock is byte for byte what
/// `cargo update --workspace` writes after the same manifest change.
fn bump_matches_cargo(f: &Fixture, level: &str) {
    let twin = Fixture::new(&[("Cargo.toml", "[workspace]\n")]);
    for (path, bytes) in f.snapshot() {
        let p = twin.path().join(&path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    f.train(&["bump", level]).success();
    for (path, bytes) in f.snapshot() {
        if path != std::path::Path::new("Cargo.lock") {
            std::fs::write(twin.path().join(&path), bytes).unwrap();
        }
    }
    let out = twin.cargo(&["update", "--workspace", "--offline"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        f.read("Cargo.lock"),
        twin.read("Cargo.lock"),
        "after {level}"
    );
    common::cargo_metadata_locked(f.path());
}

#[test]
fn every_requirement_style_keeps_its_operator_on_the_defaults() {
    let f = Fixture::new(&styles_files());
    f.train(&["verify"]).success();
    f.train(&["order"]).success();

    bump_matches_cargo(&f, "patch");
    for (manifest, dep, req) in [
        ("Cargo.toml", "ws-parser", "0.257.1"),
        ("crates/ws-tool/Cargo.toml", "lone", "0.4"),
        ("crates/gix-b/Cargo.toml", "gix-a", "^0.22.1"),
        ("crates/rt-util/Cargo.toml", "rt", "1"),
        ("crates/rt-test/Cargo.toml", "rt", "1.0.0"),
        ("crates/rt/Cargo.toml", "rt-test", "0.4.0"),
        ("crates/tl-app/Cargo.toml", "tl-core", "~1.2"),
        ("crates/tl-pin/Cargo.toml", "tl-core", "=1.2.4"),
        ("crates/alpha-user/Cargo.toml", "alpha", "=0.9.1-alpha.1"),
        ("crates/bv-app/Cargo.toml", "bv", "0.19.1-dev"),
    ] {
        assert_eq!(req_in(&f, manifest, dep), req, "patch: {dep} in {manifest}");
    }
    assert!(f.read("Cargo.toml").contains("version = \"0.257.2\""));
    assert!(
        f.read("crates/lone/Cargo.toml")
            .contains("version = \"0.4.8\"")
    );
    // The dev-dependency cycle rt -> rt-test -> rt is published in order:
    // rt-test's "0.4.0" is met by a version already out.
    f.train(&["verify"]).success();
    let order = f.train(&["order"]).success().stdout;
    let pos = |n: &str| {
        order
            .lines()
            .position(|l| l.starts_with(&format!("{n} ")))
            .unwrap()
    };
    assert!(pos("rt") < pos("rt-test"), "{order}");

    bump_matches_cargo(&f, "rc");
    for (manifest, dep, req) in [
        ("Cargo.toml", "ws-parser", "0.257.2-rc.1"),
        ("crates/ws-tool/Cargo.toml", "lone", "0.4.8-rc.1"),
        ("crates/gix-b/Cargo.toml", "gix-a", "^0.22.2-rc.1"),
        ("crates/rt-util/Cargo.toml", "rt", "1.53.2-rc.1"),
        ("crates/tl-app/Cargo.toml", "tl-core", "~1.2.4-rc.1"),
        ("crates/tl-pin/Cargo.toml", "tl-core", "=1.2.4-rc.1"),
        ("crates/bv-app/Cargo.toml", "bv", "0.19.1-rc.1"),
    ] {
        assert_eq!(req_in(&f, manifest, dep), req, "rc: {dep} in {manifest}");
    }
}

#[test]
fn requirements_that_cannot_follow_are_refused_with_file_and_line() {
    let mut files = styles_files();
    for (path, text) in files.iter_mut() {
        if *path == "crates/tl-app/Cargo.toml" {
            *text = "[package]\nname = \"tl-app\"\nversion = \"1.0.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"a\"\n\n[dependencies]\ntl-core = { version = \">=1.2, <1.3\", path = \"../tl-core\" }\n";
        }
    }
    let f = Fixture::new(&files);
    // Still matching after a patch: nothing to rewrite, nothing refused.
    f.train(&["bump", "patch"]).success();
    let err = fails_cleanly(&f, &["bump", "rc"]);
    assert!(
        err.contains("crates/tl-app/Cargo.toml:9: requirement \">=1.2, <1.3\" on `tl-core` must move to 1.2.4-rc.1 but it has several comparators"),
        "{err}"
    );
}

#[test]
fn follow_rewrites_requirements_to_every_new_version() {
    let mut files = styles_files();
    files.push(("train.toml", "requirements = \"follow\"\n"));
    let f = Fixture::new(&files);
    bump_matches_cargo(&f, "patch");
    assert_eq!(req_in(&f, "crates/gix-b/Cargo.toml", "gix-a"), "^0.22.2");
    assert_eq!(req_in(&f, "crates/rt-test/Cargo.toml", "rt"), "1.53.2");
    assert_eq!(req_in(&f, "crates/rt-util/Cargo.toml", "rt"), "1");
    assert_eq!(req_in(&f, "crates/tl-app/Cargo.toml", "tl-core"), "~1.2");
}

#[test]
fn stale_lock_fails_verify_and_stops_the_bump() {
    let f = Fixture::sample();
    // A dependency added to a manifest without re-locking.
    f.write(
        "crates/util/Cargo.toml",
        &(f.read("crates/util/Cargo.toml")
            + "\n[dev-dependencies]\nsample-testkit = { path = \"../testkit\" }\n"),
    );
    let expected = "Cargo.lock: its entry for sample-util does not list `sample-testkit` (in its manifest); \
                    it is out of date: run `cargo update --workspace` and commit it";
    let err = fails_cleanly(&f, &["verify"]);
    assert!(err.contains(expected), "{err}");
    let err = fails_cleanly(&f, &["bump", "patch"]);
    assert!(err.contains(expected), "{err}");
    // What the message says fixes it.
    assert!(
        f.cargo(&["update", "--workspace", "--offline"])
            .status
            .success()
    );
    f.train(&["bump", "patch"]).success();
    common::cargo_metadata_locked(f.path());
}

#[test]
fn conflicted_lock_fails_verify_and_stops_the_bump() {
    let f = Fixture::sample();
    let lock = f.read("Cargo.lock").replacen(
        "[[package]]\nname = \"sample-cli\"",
        "<<<<<<< HEAD\n[[package]]\nname = \"sample-cli\"\n=======\n>>>>>>> topic",
        1,
    );
    f.write("Cargo.lock", &lock);
    let line = lock.lines().position(|l| l.starts_with("<<<<<<<")).unwrap() + 1;
    let expected = format!(
        "Cargo.lock: it has merge-conflict markers (line {line}): resolve the conflict, then run `cargo update --workspace`"
    );
    let err = fails_cleanly(&f, &["verify"]);
    assert!(err.contains(&expected), "{err}");
    let err = fails_cleanly(&f, &["bump", "major"]);
    assert!(err.contains(&expected), "{err}");
}

#[test]
fn read_only_file_stops_the_bump_before_any_write() {
    use std::os::unix::fs::PermissionsExt;
    for file in ["Cargo.lock", "crates/macros/Cargo.toml"] {
        let f = Fixture::sample();
        let path = f.path().join(file);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let err = fails_cleanly(&f, &["bump", "major"]);
        assert!(
            err.contains(&format!("{file} is read-only; nothing was written")),
            "{err}"
        );
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o444
        );
    }
}

#[test]
fn empty_member_manifest_is_named() {
    for (text, what) in [("", "is empty"), ("# nothing yet\n", "has no [package]")] {
        let f = Fixture::sample();
        std::fs::create_dir_all(f.path().join("crates/new")).unwrap();
        f.write("crates/new/Cargo.toml", text);
        let err = fails_cleanly(&f, &["bump", "patch"]);
        assert!(
            err.contains(&format!(
                "crates/new/Cargo.toml is a workspace member but {what}: give it a [package]"
            )),
            "{err}"
        );
        let err = fails_cleanly(&f, &["verify"]);
        assert!(
            err.contains("crates/new/Cargo.toml is a workspace member"),
            "{err}"
        );
    }
}

/// A `[patch]` of a member: only cargo knows how the lock resolves once the
/// member moves (a pre-release stops matching what it patched), so the bump
/// leaves the lock to `cargo update --workspace`, and undoes everything if
/// that fails.
fn patched_files() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n\n[patch.crates-io]\na = { path = \"a\" }\n",
        ),
        (
            "a/Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"1.1.0-dev\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"a\"\n",
        ),
        (
            "b/Cargo.toml",
            "[package]\nname = \"b\"\nversion = \"1.1.0-dev\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"b\"\n\n[dependencies]\na = { path = \"../a\", version = \"1.1.0-dev\" }\n",
        ),
    ]
}

fn train_with(f: &Fixture, args: &[&str], path: Option<&std::path::Path>) -> common::Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-train"));
    cmd.arg("train")
        .args(args)
        .current_dir(f.path())
        .env("CARGO_NET_OFFLINE", "true");
    if let Some(dir) = path {
        let old = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![dir.to_path_buf()];
        paths.extend(std::env::split_paths(&old));
        cmd.env("PATH", std::env::join_paths(paths).unwrap());
    }
    common::Run::from(cmd.output().unwrap())
}

#[test]
fn a_patched_member_is_relocked_by_cargo() {
    let f = Fixture::new(&patched_files());
    let twin = Fixture::new(&patched_files());
    let r = train_with(&f, &["bump", "rc", "--dry-run"], None).success();
    assert!(
        r.stdout.contains("would run: cargo update --workspace"),
        "{}",
        r.stdout
    );
    let r = train_with(&f, &["bump", "rc"], None).success();
    assert!(
        r.stderr.contains(
            "Relocking Cargo.lock with `cargo update --workspace`: `[patch]` replaces `a`"
        ),
        "{}",
        r.stderr
    );
    for m in ["a/Cargo.toml", "b/Cargo.toml"] {
        twin.write(m, &f.read(m));
    }
    assert!(
        twin.cargo(&["update", "--workspace", "--offline"])
            .status
            .success()
    );
    assert_eq!(f.read("Cargo.lock"), twin.read("Cargo.lock"));
    assert!(
        f.read("Cargo.lock")
            .contains("name = \"a\"\nversion = \"1.1.0-rc.1\""),
        "{}",
        f.read("Cargo.lock")
    );
    assert_eq!(req_in(&f, "b/Cargo.toml", "a"), "1.1.0-rc.1");
    common::cargo_metadata_locked(f.path());
}

#[test]
fn a_failing_relock_undoes_the_bump() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new(&patched_files());
    let bin = tempfile::tempdir().unwrap();
    let cargo = bin.path().join("cargo");
    std::fs::write(
        &cargo,
        "#!/bin/sh\necho 'cargo: no network' >&2\nexit 101\n",
    )
    .unwrap();
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let before = f.snapshot();
    let r = train_with(&f, &["bump", "rc"], Some(bin.path())).failure();
    assert!(
        r.stderr
            .contains("`cargo update --workspace` failed after the bump; the bump was undone"),
        "{}",
        r.stderr
    );
    assert_eq!(f.snapshot(), before);
}

/// rust-libp2p's case: a `[workspace.dependencies]` entry on a member that
/// no member inherits, and that names another version. Cargo never reads
/// it, so the workspace builds; `verify` warns, `bump` leaves it alone.
#[test]
fn a_stale_workspace_entry_no_member_inherits_is_a_warning_and_left_alone() {
    let root = "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n\
                [workspace.dependencies]\n\
                peer-store = { path = \"crates/peer-store\", version = \"0.2.0\" }\n";
    let f = Fixture::new(&[
        ("Cargo.toml", root),
        (
            "crates/peer-store/Cargo.toml",
            "[package]\nname = \"peer-store\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
             description = \"d\"\nlicense = \"MIT\"\n",
        ),
        (
            "crates/swarm/Cargo.toml",
            "[package]\nname = \"swarm\"\nversion = \"0.3.0\"\nedition = \"2021\"\n\
             description = \"d\"\nlicense = \"MIT\"\n\n[dependencies]\n\
             peer-store = { path = \"../peer-store\", version = \"0.1.0\" }\n",
        ),
    ]);
    let r = f.train(&["verify"]).success();
    assert!(
        r.stderr.contains(
            "warning: Cargo.toml:6: requirement \"0.2.0\" on `peer-store` does not match its \
             version 0.1.0; no member inherits this entry"
        ),
        "{}",
        r.stderr
    );
    bump_matches_cargo(&f, "patch");
    assert!(f.read("Cargo.toml").ends_with("version = \"0.2.0\" }\n"));
    assert_eq!(req_in(&f, "crates/swarm/Cargo.toml", "peer-store"), "0.1.0");
    assert!(
        f.read("crates/peer-store/Cargo.toml")
            .contains("version = \"0.1.1\"")
    );
    // Once inherited, the entry is cargo's and a mismatch is an error again.
    f.write(
        "crates/swarm/Cargo.toml",
        "[package]\nname = \"swarm\"\nversion = \"0.3.1\"\nedition = \"2021\"\n\
         description = \"d\"\nlicense = \"MIT\"\n\n[dependencies]\npeer-store.workspace = true\n",
    );
    let r = f.train(&["verify"]).failure();
    assert!(
        r.stderr
            .contains("error: Cargo.toml:6: requirement \"0.2.0\""),
        "{}",
        r.stderr
    );
}
