//! Bad input and bad repository states are refused with a message that
//! names what is at fault and what to do, and leave every file and ref as
//! they were. Through the real binary, on real git and cargo.

mod common;
use common::sandbox::git_in;
use common::{Fixture, sample_files};

/// Runs `args`, which must fail and change no file; returns stderr.
fn refused(f: &Fixture, args: &[&str]) -> String {
    let before = f.snapshot();
    let r = f.train(args).failure();
    assert_eq!(f.snapshot(), before, "files changed by {args:?}");
    r.stderr
}

/// The sample workspace with `train.toml` prefixed by `config`.
fn with_config(config: &str) -> Fixture {
    let f = Fixture::sample();
    let text = f.read("train.toml");
    f.write("train.toml", &format!("{config}{text}"));
    f
}

/// The sample workspace as a git repository with one commit.
fn in_git(f: &Fixture) {
    for args in [
        &["init", "--quiet", "-b", "main"][..],
        &["config", "user.name", "Guard Test"],
        &["config", "user.email", "guard@example.invalid"],
        &["config", "commit.gpgsign", "false"],
        &["add", "--all"],
        &["commit", "--quiet", "-m", "init"],
    ] {
        git_in(f.path(), args);
    }
}

#[test]
fn empty_marker_is_refused_with_file_line_and_key() {
    for marker in ["\"\"", "\"   \""] {
        let f = with_config(&format!("marker = {marker}\n"));
        for args in [&["bump", "patch"][..], &["config"], &["verify"]] {
            let e = refused(&f, args);
            assert!(e.contains("train.toml"), "{e}");
            assert!(e.contains("line 1"), "{e}");
            assert!(e.contains("`marker` is empty"), "{e}");
        }
    }
}

#[test]
fn empty_or_clashing_prefixes_are_refused_with_file_and_line() {
    let cases = [
        ("branch-prefix = \"\"\n", "line 1", "the prefix is empty"),
        ("\ntag-prefix = \" \"\n", "line 2", "the prefix is empty"),
        (
            "branch-prefix = \"v\"\ntag-prefix = \"v\"\n",
            "line 2",
            "have the same name (`v1.0.0`)",
        ),
        // The default branch prefix is `release-`.
        ("tag-prefix = \"release-\"\n", "line 1", "same name"),
        // `r11.0.0` would be branch 11.0.0 and tag 1.0.0.
        (
            "branch-prefix = \"r\"\ntag-prefix = \"r1\"\n",
            "line 2",
            "same name (`r11.0.0`)",
        ),
    ];
    for (config, line, what) in cases {
        let f = with_config(config);
        let e = refused(&f, &["bump", "patch"]);
        assert!(e.contains("train.toml"), "{config}: {e}");
        assert!(e.contains(line) && e.contains(what), "{config}: {e}");
    }
    // In the root manifest's table, the manifest is named.
    let f = Fixture::sample();
    std::fs::remove_file(f.path().join("train.toml")).unwrap();
    let root = f.read("Cargo.toml");
    f.write(
        "Cargo.toml",
        &format!("{root}\n[workspace.metadata.train]\ntag-prefix = \"release-\"\n"),
    );
    let e = refused(&f, &["status"]);
    assert!(e.contains("Cargo.toml") && e.contains("same name"), "{e}");
}

#[test]
fn overflowing_version_is_refused_naming_crate_and_file() {
    let max = u64::MAX;
    let mut files = sample_files();
    let macros = format!(
        "[package]\nname = \"sample-macros\"\nversion = \"0.4.{max}\"\nedition = \"2024\"\nlicense = \"MIT\"\ndescription = \"Macros\"\n"
    );
    for (p, t) in files.iter_mut() {
        if *p == "crates/macros/Cargo.toml" {
            *t = Box::leak(macros.clone().into_boxed_str());
        }
        if *p == "Cargo.toml" {
            *t = Box::leak(t.replace("=0.4.0", &format!("=0.4.{max}")).into_boxed_str());
        }
    }
    let f = Fixture::new(&files);
    for level in ["patch", "minor"] {
        let e = refused(&f, &["bump", level]);
        assert!(e.contains("crates/macros/Cargo.toml:3"), "{e}");
        assert!(
            e.contains("`sample-macros` 0.4.18446744073709551615"),
            "{e}"
        );
        assert!(e.contains("overflow its patch number"), "{e}");
    }
    // The workspace version: its line in the root manifest and who carries it.
    let f = Fixture::sample();
    let root = f.read("Cargo.toml");
    f.write(
        "Cargo.toml",
        &root.replace(
            "version = \"2.0.0-dev\"",
            &format!("version = \"{max}.0.0\""),
        ),
    );
    let e = refused(&f, &["bump", "major", "--dry-run"]);
    assert!(e.contains("Cargo.toml:7"), "{e}");
    assert!(e.contains("overflow its major number"), "{e}");
    assert!(e.contains("sample-core"), "{e}");
}

#[test]
fn downgrades_need_an_explicit_flag() {
    let f = Fixture::sample();
    for v in ["0.0.0", "1.9.9", "2.0.0-alpha"] {
        let e = refused(&f, &["bump", v]);
        assert!(
            e.contains(&format!("`sample-core` would go from 2.0.0-dev to {v}")),
            "{e}"
        );
        assert!(e.contains("crates/core/Cargo.toml"), "{e}");
        assert!(e.contains("--allow-downgrade"), "{e}");
    }
    f.train(&["bump", "1.9.9", "--allow-downgrade"]).success();
    assert!(f.read("Cargo.toml").contains("version = \"1.9.9\""));
    common::cargo_metadata_locked(f.path());
}

#[test]
fn bump_to_a_released_version_is_refused() {
    let f = Fixture::sample();
    in_git(&f);
    git_in(f.path(), &["tag", "v2.0.0"]);
    let e = refused(&f, &["bump", "drop-rc"]);
    assert!(
        e.contains("2.0.0 is already released: tag `v2.0.0` exists"),
        "{e}"
    );
    assert!(e.contains("--allow-downgrade"), "{e}");
    let e = refused(&f, &["bump", "2.0.0", "--dry-run"]);
    assert!(e.contains("tag `v2.0.0` exists"), "{e}");
    // Upwards and untagged is fine.
    f.train(&["bump", "2.0.1", "--dry-run"]).success();
    f.train(&["bump", "drop-rc", "--allow-downgrade"]).success();
    assert!(f.read("Cargo.toml").contains("version = \"2.0.0\""));
}
