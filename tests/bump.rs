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
