//! Release models other than lockstep: `changes` and `bump --changed` on a
//! workspace of crates on their own lines, with real git history and tags,
//! real `cargo package --list` and real cargo checking the result.

mod common;
use common::Fixture;

/// `core` 0.4.0 <- `net` 0.2.1 ("0.4") <- `app` 1.3.0 ("0.2"); `tool`
/// dev-depends on `core`; `inc` ships only `src/` (an `include` list).
fn workspace(train_toml: &str) -> Fixture {
    let f = Fixture::new(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"core\", \"net\", \"app\", \"tool\", \"inc\"]\nresolver = \"2\"\n",
        ),
        (
            "core/Cargo.toml",
            "[package]\nname = \"core-x\"\nversion = \"0.4.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"c\"\n",
        ),
        (
            "net/Cargo.toml",
            "[package]\nname = \"net-x\"\nversion = \"0.2.1\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"n\"\n\n[dependencies]\ncore-x = { path = \"../core\", version = \"0.4\" }\n",
        ),
        (
            "app/Cargo.toml",
            "[package]\nname = \"app-x\"\nversion = \"1.3.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"a\"\n\n[dependencies]\nnet-x = { path = \"../net\", version = \"0.2\" }\n",
        ),
        (
            "tool/Cargo.toml",
            "[package]\nname = \"tool-x\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"t\"\n\n[dev-dependencies]\ncore-x = { path = \"../core\", version = \"0.4\" }\n",
        ),
        (
            "inc/Cargo.toml",
            "[package]\nname = \"inc-x\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"i\"\ninclude = [\"src/**\", \"Cargo.toml\"]\n",
        ),
        ("inc/notes.txt", "not shipped\n"),
        ("train.toml", train_toml),
    ]);
    git(&f, &["init", "-q", "-b", "main"]);
    for (k, v) in [("user.name", "T"), ("user.email", "t@example.com")] {
        git(&f, &["config", k, v]);
    }
    git(&f, &["add", "-A"]);
    git(&f, &["commit", "-q", "-m", "start"]);
    for t in [
        "core-x-v0.4.0",
        "net-x-v0.2.1",
        "app-x-v1.3.0",
        "tool-x-v0.1.0",
        "inc-x-v0.1.0",
    ] {
        git(&f, &["tag", t]);
    }
    f
}

fn git(f: &Fixture, args: &[&str]) -> String {
    common::sandbox::git_in(f.path(), args)
}

fn commit(f: &Fixture, path: &str, text: &str, message: &str) {
    f.write(path, text);
    git(f, &["add", "-A"]);
    git(f, &["commit", "-q", "-m", message]);
}

/// `crate from -> to (level)` of each move, from the JSON report.
fn moves(f: &Fixture, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["changes", "--format", "json"];
    args.extend(extra);
    let out = f.train(&args).success();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v["moves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{} {} -> {} ({})",
                m["crate"].as_str().unwrap(),
                m["from"].as_str().unwrap(),
                m["to"].as_str().unwrap(),
                m["level"].as_str().unwrap()
            )
        })
        .collect()
}

const INDEPENDENT: &str = "[versioning]\nmodel = \"independent\"\n";

#[test]
fn only_what_ships_changed_moves_and_dependents_follow_their_requirements() {
    let f = workspace(INDEPENDENT);
    let out = f.train(&["changes"]).success();
    assert!(
        out.stdout
            .contains("0 of 5 crates move; 5 unchanged since their last release"),
        "{}",
        out.stdout
    );
    // A file under a crate's directory that its package leaves out.
    commit(&f, "inc/notes.txt", "still not shipped\n", "docs: notes");
    assert_eq!(moves(&f, &[]), Vec::<String>::new());
    // A fix that keeps every requirement: only its crate.
    commit(&f, "net/src/lib.rs", "pub fn f() {}\n", "fix: f");
    assert_eq!(moves(&f, &[]), ["net-x 0.2.1 -> 0.2.2 (patch)"]);
    // A break: dependents whose requirement no longer takes it follow,
    // as breaks through normal dependencies, as patches through dev ones.
    commit(
        &f,
        "core/src/lib.rs",
        "pub fn g() {}\n",
        "feat!: g replaces the old API",
    );
    assert_eq!(
        moves(&f, &[]),
        [
            "core-x 0.4.0 -> 0.5.0 (major)",
            "net-x 0.2.1 -> 0.3.0 (major)",
            "app-x 1.3.0 -> 2.0.0 (major)",
            "tool-x 0.1.0 -> 0.1.1 (patch)",
        ]
    );
    let text = f.train(&["changes"]).success().stdout;
    assert!(
        text.contains("src/lib.rs changed since core-x-v0.4.0")
            && text.contains("commits call for major: \"feat!: g replaces the old API\"")
            && text.contains("its requirement on core-x does not take 0.5.0 (a break)"),
        "{text}"
    );
    // The command line has the last word.
    assert_eq!(
        moves(&f, &["--level", "app-x=1.4.0"])[2],
        "app-x 1.3.0 -> 1.4.0 (major)"
    );
    let e = f.train(&["changes", "--level", "nope=minor"]).failure();
    assert!(
        e.stderr.contains("the workspace has no crate `nope`"),
        "{}",
        e.stderr
    );
}

#[test]
fn bump_changed_moves_those_crates_and_cargo_agrees_with_the_lock() {
    let f = workspace(INDEPENDENT);
    commit(&f, "core/src/lib.rs", "pub fn g() {}\n", "feat!: g");
    let before = f.snapshot();
    f.train(&["bump", "--changed", "--dry-run"]).success();
    assert_eq!(f.snapshot(), before, "a dry run writes nothing");
    let out = f.train(&["bump", "--changed"]).success();
    assert!(
        out.stderr.contains("core-x 0.4.0 -> 0.5.0"),
        "{}",
        out.stderr
    );
    assert!(f.read("core/Cargo.toml").contains("version = \"0.5.0\""));
    assert!(f.read("net/Cargo.toml").contains("version = \"0.3.0\""));
    assert!(
        f.read("net/Cargo.toml")
            .contains("core-x = { path = \"../core\", version = \"0.5\" }")
    );
    assert!(f.read("app/Cargo.toml").contains("version = \"2.0.0\""));
    assert!(f.read("inc/Cargo.toml").contains("version = \"0.1.0\""));
    // The lock is what cargo writes: `--locked` reads it, and cargo's own
    // update leaves it as it is.
    common::cargo_metadata_locked(f.path());
    let lock = f.read("Cargo.lock");
    assert!(
        f.cargo(&["update", "--workspace", "--offline"])
            .status
            .success()
    );
    assert_eq!(f.read("Cargo.lock"), lock);
    let v = f.train(&["verify"]).success();
    assert!(!v.stdout.contains("problem"), "{}", v.stdout);
}

#[test]
fn tag_forms_lead_crates_and_bumped_versions() {
    // tokio's form: `{crate}-{version}`, a crate name holding the separator.
    let f = workspace("[versioning]\nmodel = \"independent\"\ncrate-tag = \"{crate}-{version}\"\n");
    git(&f, &["tag", "net-x-0.2.1"]);
    git(&f, &["tag", "core-x-0.4.0"]);
    commit(&f, "net/src/lib.rs", "pub fn f() {}\n", "fix: f");
    let m = moves(&f, &[]);
    // The crates without a tag of this form are first releases.
    assert!(
        m.contains(&"net-x 0.2.1 -> 0.2.2 (patch)".to_string()),
        "{m:?}"
    );
    assert!(
        m.contains(&"app-x 1.3.0 -> 1.3.0 (patch)".to_string()),
        "{m:?}"
    );
    assert!(!m.iter().any(|l| l.starts_with("core-x")), "{m:?}");

    // A project that moves versions in its pull requests: only those move,
    // at the version given.
    let f = workspace("[versioning]\nmodel = \"independent\"\nselect = \"bumped\"\n");
    commit(&f, "core/src/lib.rs", "pub fn g() {}\n", "fix: g");
    let net = f.read("net/Cargo.toml").replace("0.2.1", "0.2.5");
    commit(&f, "net/Cargo.toml", &net, "net 0.2.5");
    assert_eq!(moves(&f, &[]), ["net-x 0.2.1 -> 0.2.5 (patch)"]);

    // Roots: only them and what they depend on.
    let f = workspace("[versioning]\nmodel = \"independent\"\nroots = [\"net-x\"]\n");
    commit(&f, "core/src/lib.rs", "pub fn g() {}\n", "fix: g");
    commit(&f, "app/src/lib.rs", "pub fn a() {}\n", "fix: a");
    assert_eq!(moves(&f, &[]), ["core-x 0.4.0 -> 0.4.1 (patch)"]);
}

#[test]
fn lockstep_workspaces_are_told_what_changes_is_for() {
    let f = Fixture::sample();
    let e = f.train(&["changes"]).failure();
    assert!(
        e.stderr.contains("released in lockstep")
            && e.stderr.contains("[versioning] model = \"independent\""),
        "{}",
        e.stderr
    );
}

/// The checker's verdict raises a crate's level over what its commits say;
/// a crate it finds no break in stays at its commits' level.
#[test]
fn cargo_semver_checks_sets_the_level_of_a_break_its_commits_do_not_admit() {
    let Ok(tool) = std::env::var("CARGO_TRAIN_SEMVER_CHECKS") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but CARGO_TRAIN_SEMVER_CHECKS is not: run scripts/test.sh"
        );
        eprintln!("skipped: CARGO_TRAIN_SEMVER_CHECKS is not set");
        return;
    };
    assert!(std::path::Path::new(&tool).exists(), "{tool}");
    let f = workspace("[versioning]\nmodel = \"independent\"\nsemver-checks = true\n");
    commit(
        &f,
        "core/src/lib.rs",
        "pub fn old() {}\npub fn kept() {}\n",
        "core API",
    );
    commit(&f, "tool/src/lib.rs", "pub fn t() {}\n", "tool API");
    git(&f, &["tag", "-f", "core-x-v0.4.0"]);
    git(&f, &["tag", "-f", "tool-x-v0.1.0"]);
    commit(&f, "core/src/lib.rs", "pub fn kept() {}\n", "fix: tidy up");
    commit(
        &f,
        "tool/src/lib.rs",
        "pub fn t() {}\npub fn u() {}\n",
        "fix: add u",
    );
    let m = moves(&f, &[]);
    assert_eq!(m[0], "core-x 0.4.0 -> 0.5.0 (major)", "{m:?}");
    assert!(
        m.contains(&"tool-x 0.1.0 -> 0.1.1 (patch)".to_string()),
        "{m:?}"
    );
    let text = f.train(&["changes"]).success();
    assert!(
        text.stdout
            .contains("cargo-semver-checks calls for major: function_missing"),
        "{}",
        text.stdout
    );
    // A second run reads the verdicts from the cache.
    assert!(
        text.stderr.contains("core-x: major (cached)"),
        "{}",
        text.stderr
    );
}

/// The lead model: the lead crate's version is the train's, read from its
/// own manifest on every branch; a virtual root has none.
#[test]
fn a_lead_crate_names_the_train_in_status_and_supported() {
    let f = workspace(
        "main-branch = \"main\"\ntag-prefix = \"app-x-\"\nbranch-prefix = \"app-x-\"\n\
         branch-form = \"X.Y.x\"\n[versioning]\nmodel = \"lead\"\nlead = \"app-x\"\n",
    );
    let origin = tempfile::tempdir().unwrap();
    let bare = origin.path().join("origin.git");
    git(&f, &["init", "-q", "--bare", bare.to_str().unwrap()]);
    git(&f, &["remote", "add", "origin", bare.to_str().unwrap()]);
    git(&f, &["branch", "app-x-1.3.x"]);
    git(&f, &["tag", "app-x-1.3.0"]);
    let app = f.read("app/Cargo.toml").replace("1.3.0", "1.4.0");
    commit(&f, "app/Cargo.toml", &app, "app 1.4.0");
    git(
        &f,
        &["push", "-q", "origin", "main", "app-x-1.3.x", "--tags"],
    );
    git(&f, &["fetch", "-q", "origin"]);
    let v = f.train(&["version", "--tag"]).success();
    assert_eq!(v.stdout.trim(), "app-x-1.4.0", "{}", v.stdout);
    let s = f.train(&["--date", "2026-12-10", "status"]).success();
    assert!(s.stdout.contains("main: 1.4.0"), "{}", s.stdout);
    assert!(
        s.stdout.contains("app-x-1.3.x") && s.stdout.contains("latest tag app-x-1.3.0"),
        "{}",
        s.stdout
    );
    let e = workspace("[versioning]\nmodel = \"lead\"\nlead = \"nope\"\n")
        .train(&["version"])
        .failure();
    assert!(
        e.stderr
            .contains("`[versioning] lead = \"nope\"` names no member"),
        "{}",
        e.stderr
    );
}
