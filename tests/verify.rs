//! `cargo train verify`, `order` and `config` on fixture workspaces.

mod common;
use common::{Fixture, sample_files};

#[test]
fn sample_verifies_clean_and_orders_by_the_graph() {
    let f = Fixture::sample();
    let r = f.train(&["verify"]).success();
    assert!(
        r.stderr.contains("5 publishable crates: no problems"),
        "{}",
        r.stderr
    );

    let r = f.train(&["order"]).success();
    assert_eq!(
        r.stdout,
        "sample-util 2.0.0-dev\nsample-macros 0.4.0\nsample-core 2.0.0-dev\nsample 2.0.0-dev\nsample-cli 2.0.0-dev\n"
    );
    let r = f.train(&["order", "--format", "json"]).success();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[1]["name"], "sample-macros");
    assert_eq!(v[1]["manifest"], "crates/macros/Cargo.toml");
}

#[test]
fn verify_reports_every_problem_at_once() {
    let mut files = sample_files();
    for (path, text) in files.iter_mut() {
        let new = match *path {
            // No description; a path-only dependency; a dependency on an unpublished crate.
            "crates/util/Cargo.toml" => {
                "[package]\nname = \"sample-util\"\nversion.workspace = true\nlicense.workspace = true\nedition.workspace = true\n"
            }
            "crates/cli/Cargo.toml" => {
                "[package]\nname = \"sample-cli\"\nversion.workspace = true\nlicense.workspace = true\nedition.workspace = true\ndescription = \"x\"\n\n[dependencies]\nsample = { path = \"../sample\" }\nsample-testkit = { path = \"../testkit\", version = \"0.0.1\" }\n"
            }
            "include/sample.h" => "#define SAMPLE_VERSION \"1.0.0\"\n",
            _ => continue,
        };
        *text = new;
    }
    let f = Fixture::new(&files);
    let before = f.snapshot();
    let r = f.train(&["verify"]).failure();
    assert_eq!(f.snapshot(), before);
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(
        errors,
        [
            "error: crates/util/Cargo.toml: `sample-util` is published but has no `description`",
            "error: crates/cli/Cargo.toml:9: `sample-cli` is published but requires `sample` by path only: add `version = \"2.0.0-dev\"`",
            "error: crates/cli/Cargo.toml:10: `sample-cli` is published but its dependency on `sample-testkit` is not (`publish = false`)",
            "error: include/sample.h: no line matches `#define SAMPLE_VERSION_MAJOR {major}`",
            "error: include/sample.h: no line matches `#define SAMPLE_VERSION_MINOR {minor}`",
            "error: include/sample.h: no line matches `#define SAMPLE_VERSION_PATCH {patch}`",
            "error: include/sample.h:1: does not carry version 2.0.0-dev",
        ],
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("7 problems found"));
}

#[test]
fn cycle_is_reported_with_its_crates() {
    let mut files = sample_files();
    for (path, text) in files.iter_mut() {
        if *path == "crates/util/Cargo.toml" {
            *text = "[package]\nname = \"sample-util\"\nversion.workspace = true\nlicense.workspace = true\nedition.workspace = true\ndescription = \"u\"\n\n[dev-dependencies]\nsample-core = { workspace = true }\n";
        }
    }
    let f = Fixture::new(&files);
    let r = f.train(&["order"]).failure();
    assert!(
        r.stderr
            .contains("cycle: sample-core -> sample-macros -> sample-util -> sample-core"),
        "{}",
        r.stderr
    );
    let r = f.train(&["verify"]).failure();
    assert!(
        r.stderr
            .contains("error: Cargo.toml: publishable crates depend on each other in a cycle"),
        "{}",
        r.stderr
    );
    // A cycle does not stop a version bump: only the publish order needs a DAG.
    let r = f.train(&["bump", "major"]).success();
    assert!(
        r.stderr
            .contains("Bumping sample-util 2.0.0-dev -> 3.0.0-dev"),
        "{}",
        r.stderr
    );
}

#[test]
fn config_prints_the_effective_configuration() {
    let f = Fixture::sample();
    let r = f.train(&["config"]).success();
    assert!(
        r.stdout
            .starts_with("# effective configuration (from train.toml)\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("cut-day = 5\n"), "{}", r.stdout);
    assert!(r.stdout.contains("release-day = 20\n"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("marker = \"[automatically-tag-and-release-this-commit]\"\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("project = \"Sample\""), "{}", r.stdout);

    // Without train.toml: defaults; with the metadata table: that.
    std::fs::remove_file(f.path().join("train.toml")).unwrap();
    let r = f.train(&["config"]).success();
    assert!(
        r.stdout
            .starts_with("# effective configuration (from defaults)\n"),
        "{}",
        r.stdout
    );
    let root = f.read("Cargo.toml") + "\n[workspace.metadata.train]\ncut-day = 6\n";
    f.write("Cargo.toml", &root);
    let r = f.train(&["config"]).success();
    assert!(r.stdout.contains("cut-day = 6\n"), "{}", r.stdout);
    f.write("train.toml", "");
    let r = f.train(&["config"]).failure();
    assert!(
        r.stderr
            .contains("both train.toml and [workspace.metadata.train]"),
        "{}",
        r.stderr
    );
}

#[test]
fn members_are_found_as_cargo_finds_them() {
    // `b` is a member only as a path dependency; `crates/skip` is excluded
    // although the glob matches it; the root is a package too.
    let f = Fixture::new(&[
        (
            "Cargo.toml",
            "[package]\nname = \"top\"\nversion = \"1.0.0\"\nlicense = \"MIT\"\ndescription = \"t\"\nedition = \"2024\"\n\n\
             [dependencies]\na = { path = \"crates/a\", version = \"=1.0.0\" }\n\n\
             [workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/skip\"]\n",
        ),
        ("src/lib.rs", ""),
        (
            "crates/a/Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"1.0.0\"\nlicense = \"MIT\"\ndescription = \"a\"\nedition = \"2024\"\n\n\
             [dependencies]\nb = { path = \"../../other/b\", version = \"=0.1.0\" }\n",
        ),
        (
            "other/b/Cargo.toml",
            "[package]\nname = \"b\"\nversion = \"0.1.0\"\nlicense = \"MIT\"\ndescription = \"b\"\nedition = \"2024\"\n",
        ),
        (
            "crates/skip/Cargo.toml",
            "[package]\nname = \"skip\"\nversion = \"9.0.0\"\nedition = \"2024\"\n\n[workspace]\n",
        ),
    ]);
    // verify also asks cargo for the members and reports any difference.
    let r = f.train(&["verify"]).success();
    assert!(
        r.stderr.contains("3 publishable crates: no problems"),
        "{}",
        r.stderr
    );
    let r = f.train(&["order"]).success();
    assert_eq!(r.stdout, "b 0.1.0\na 1.0.0\ntop 1.0.0\n");
    // From a member's directory, the same workspace is found.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-train"))
        .args(["train", "order"])
        .current_dir(f.path().join("crates/a/src"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "b 0.1.0\na 1.0.0\ntop 1.0.0\n"
    );
}

#[test]
fn public_without_the_pin_policy_is_a_warning_and_enforces_nothing() {
    let f = Fixture::sample();
    f.write(
        "train.toml",
        &f.read("train.toml")
            .replace("requirements = \"pinned\"\n", ""),
    );
    // Under "pinned" this exact requirement on a public crate is an error.
    let root = f.read("Cargo.toml").replace(
        "sample = { path = \"crates/sample\", version = \"2.0.0-dev\" }",
        "sample = { path = \"crates/sample\", version = \"=2.0.0-dev\" }",
    );
    f.write("Cargo.toml", &root);
    // `public` still names the semver gate's crates: no warning that it
    // does nothing.
    let r = f.train(&["verify"]).success();
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    f.write(
        "train.toml",
        &format!("requirements = \"pinned\"\n{}", f.read("train.toml")),
    );
    let r = f.train(&["verify"]).failure();
    assert!(
        r.stderr
            .contains("`sample` is public and must be required with a caret"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("warning:"), "{}", r.stderr);
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    // `cargo train order | head -0`: the reader is gone before anything is
    // written, so every write fails with a broken pipe.
    let f = Fixture::sample();
    for args in [&["order"][..], &["order", "--format", "json"], &["config"]] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-train"))
            .arg("train")
            .args(args)
            .current_dir(f.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(out.status.success(), "{args:?}: {stderr}");
    }
}

/// tokio's `[patch.crates-io]` on its own members: with a member on
/// `main`'s `-dev` version, the patch matches no released requirement and
/// cargo leaves it unused, which `verify` says (a warning, not a problem).
#[test]
fn a_patch_on_a_member_at_a_pre_release_is_a_warning() {
    let f = Fixture::new(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/rt\"]\nresolver = \"2\"\n\n\
             [patch.crates-io]\nrt = { path = \"crates/rt\" }\n",
        ),
        (
            "crates/rt/Cargo.toml",
            "[package]\nname = \"rt\"\nversion = \"1.48.0-dev\"\nedition = \"2021\"\n\
             description = \"d\"\nlicense = \"MIT\"\n",
        ),
    ]);
    let r = f.train(&["verify"]).success();
    assert!(
        r.stderr.contains(
            "warning: Cargo.toml:6: `[patch.crates-io] rt` points at `rt` 1.48.0-dev, a \
             pre-release"
        ),
        "{}",
        r.stderr
    );
    // Released, the patch is used again and nothing is said.
    f.write(
        "crates/rt/Cargo.toml",
        "[package]\nname = \"rt\"\nversion = \"1.48.0\"\nedition = \"2021\"\n\
         description = \"d\"\nlicense = \"MIT\"\n",
    );
    assert!(
        f.cargo(&["update", "--workspace", "--offline"])
            .status
            .success()
    );
    let r = f.train(&["verify"]).success();
    assert!(!r.stderr.contains("warning:"), "{}", r.stderr);
}
