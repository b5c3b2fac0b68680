//! The train over real git: a bare origin in a temp dir, the sample
//! workspace, fixed dates and identity, driven only through the CLI.

mod common;
use common::sandbox::Sandbox;

/// The release day of a month, computed here independently: the 20th, or
/// the Monday after when it falls on a weekend.
fn release_day(year: i16, month: i8) -> jiff::civil::Date {
    let d = jiff::civil::Date::new(year, month, 20).unwrap();
    match d.weekday() {
        jiff::civil::Weekday::Saturday => jiff::civil::Date::new(year, month, 22).unwrap(),
        jiff::civil::Weekday::Sunday => jiff::civil::Date::new(year, month, 21).unwrap(),
        _ => d,
    }
}

#[test]
fn fourteen_months_of_the_train() {
    let s = Sandbox::new("");
    let mut expected_tags = Vec::new();
    let mut release_dates = Vec::new();
    for m in 0..14i16 {
        let (year, month) = (2026 + m / 12, (m % 12 + 1) as i8);
        let n = m + 1; // the version cut this month
        let day = |d: i8| format!("{year}-{month:02}-{d:02}");

        // Day 4: nothing yet.
        let r = s.train(&day(4), &["tick"]).success();
        assert!(r.stderr.contains("nothing is due"), "{}", r.stderr);

        // Day 5: the cut, then the tag of its first candidate; a second tick does nothing.
        let before = s.release_branches();
        let r = s.train(&day(5), &["tick"]).success();
        assert!(
            r.stderr.contains(&format!("Cut `release-{n}.0.0`")),
            "{}",
            r.stderr
        );
        let tagged = s.tag_moved(&day(5), &before);
        assert_eq!(tagged.len(), 1, "{tagged:?}");
        expected_tags.push(format!("v{n}.0.0-rc.1"));
        let state = s.state();
        let r = s.train(&day(5), &["tick"]).success();
        assert!(r.stderr.contains("nothing is due"), "{}", r.stderr);
        assert_eq!(s.state(), state, "a second tick changed something");

        // Release: nothing before the release day (moved off weekends), then the release.
        let rd = release_day(year, month);
        for d in 19..rd.day() {
            let r = s.train(&day(d), &["tick"]).success();
            assert!(r.stderr.contains("nothing is due"), "day {d}: {}", r.stderr);
        }
        let before = s.release_branches();
        let r = s.train(&rd.to_string(), &["tick"]).success();
        assert!(
            r.stderr
                .contains(&format!("Release {n}.0.0 on `release-{n}.0.0`")),
            "{}",
            r.stderr
        );
        assert_eq!(s.tag_moved(&rd.to_string(), &before).len(), 1);
        expected_tags.push(format!("v{n}.0.0"));
        release_dates.push(rd.to_string());
        let state = s.state();
        s.train(&rd.to_string(), &["tick"]).success();
        assert_eq!(s.state(), state, "a second release tick changed something");
    }

    // Every branch, tag, version and RELEASES.md, as computed here.
    let branches: Vec<String> = s.release_branches().into_iter().map(|(n, _)| n).collect();
    let mut want: Vec<String> = (1..=14).map(|n| format!("release-{n}.0.0")).collect();
    want.sort();
    assert_eq!(branches, want);
    let mut tags: Vec<String> = s
        .origin_git(&["tag", "--list"])
        .lines()
        .map(str::to_string)
        .collect();
    tags.sort();
    expected_tags.sort();
    assert_eq!(tags, expected_tags);
    let main_toml = s.file_at("main", "Cargo.toml");
    assert!(
        main_toml.contains("version = \"15.0.0-dev\""),
        "{main_toml}"
    );
    let header = s.file_at("main", "crates/c-api/include/rail.h");
    assert!(
        header.contains("#define RAIL_VERSION \"15.0.0-dev\"\n#define RAIL_VERSION_MAJOR 15\n"),
        "{header}"
    );
    let main_notes = s.file_at("main", "RELEASES.md");
    let mut expected_notes =
        cargo_train::train::notes::DEFAULT_TEMPLATE.replace("VERSION", "15.0.0");
    expected_notes.push_str(
        "\nNotes of earlier releases live on their release branches.\n\n<!-- ARCHIVE_START -->\n",
    );
    for n in (1..=14).rev() {
        expected_notes.push_str(&format!(
            "* [{n}.0.x](https://example.invalid/rail/blob/release-{n}.0.0/RELEASES.md)\n"
        ));
    }
    assert_eq!(main_notes, expected_notes);
    for n in 1..=14usize {
        let b = format!("release-{n}.0.0");
        let toml = s.file_at(&b, "Cargo.toml");
        assert!(
            toml.contains(&format!("version = \"{n}.0.0\"\n")),
            "{b}: {toml}"
        );
        let macros = s.file_at(&b, "crates/macros/Cargo.toml");
        assert!(
            macros.contains(&format!("version = \"0.{}.0\"\n", n + 2)),
            "{b}: {macros}"
        );
        let notes = s.file_at(&b, "RELEASES.md");
        assert!(
            notes.starts_with(&format!(
                "## {n}.0.0\n\nReleased {}.\n",
                release_dates[n - 1]
            )),
            "{b}: {notes}"
        );
        // Each tag points at its branch's release commit.
        assert_eq!(
            s.origin_git(&["rev-parse", &format!("v{n}.0.0^{{commit}}")]),
            s.origin_git(&["rev-parse", &b])
        );
    }
    // `cargo metadata --locked` agrees with every release.
    common::cargo_metadata_locked(&s.ws);
}

#[test]
fn candidates_patches_and_their_second_runs() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    s.git(&["fetch", "--quiet", "origin"]);

    // rc with nothing new since rc.1: nothing to do.
    let state = s.state();
    let r = s
        .train("2026-01-06", &["rc", "--branch", "release-1.0.0"])
        .success();
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    assert_eq!(s.state(), state);

    // A backport, then rc.2; a second rc does nothing.
    s.backport("Fix");
    let r = s.train("2026-01-07", &["rc"]).success();
    assert!(r.stderr.contains("Candidate 1.0.0-rc.2"), "{}", r.stderr);
    let state = s.state();
    let r = s.train("2026-01-07", &["rc"]).success();
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    assert_eq!(s.state(), state);

    // Release (by name), twice.
    s.git(&["checkout", "--quiet", "main"]);
    let r = s
        .train("2026-01-20", &["release", "--branch", "release-1.0.0"])
        .success();
    assert!(r.stderr.contains("Release 1.0.0"), "{}", r.stderr);
    let state = s.state();
    let r = s.train("2026-01-20", &["release"]).success();
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    assert_eq!(s.state(), state);

    // Tag twice: the second run finds the tag in place.
    let tip = s.remote_oid("release-1.0.0").unwrap();
    let r = s
        .train(
            "2026-01-20",
            &["tag", "--range", &format!("{tip}~1..{tip}")],
        )
        .success();
    assert!(r.stderr.contains("Tagged `v1.0.0`"), "{}", r.stderr);
    let state = s.state();
    let r = s
        .train(
            "2026-01-20",
            &["tag", "--range", &format!("{tip}~1..{tip}")],
        )
        .success();
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    assert_eq!(s.state(), state);

    // Patch: nothing to do without a backport; with one, 1.0.1 and dated notes.
    let r = s
        .train("2026-02-01", &["patch", "--branch", "release-1.0.0"])
        .success();
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    s.backport("Fix again");
    let r = s.train("2026-02-02", &["patch"]).success();
    assert!(r.stderr.contains("Patch 1.0.1"), "{}", r.stderr);
    let notes = s.file_at("release-1.0.0", "RELEASES.md");
    assert!(
        notes.starts_with("## 1.0.1\n\nReleased 2026-02-02.\n"),
        "{notes}"
    );
    assert!(
        notes.contains("## 1.0.0\n\nReleased 2026-01-20.\n"),
        "{notes}"
    );
    let state = s.state();
    let r = s.train("2026-02-02", &["patch"]).success();
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    assert_eq!(s.state(), state);
    assert!(
        s.file_at("release-1.0.0", "Cargo.toml")
            .contains("version = \"1.0.1\"")
    );

    // Notes of one version, as a forge release body needs them.
    s.git(&["pull", "--quiet", "--ff-only", "origin", "release-1.0.0"]);
    let r = s.train("2026-02-02", &["notes", "v1.0.0"]).success();
    assert!(
        r.stdout.starts_with("## 1.0.0\n\nReleased 2026-01-20.\n"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("----"), "{}", r.stdout);
}

#[test]
fn refused_when_dirty_or_on_the_wrong_branch() {
    let s = Sandbox::new("");
    std::fs::write(s.ws.join("crates/core/src/lib.rs"), "// local edit\n").unwrap();
    let state = s.state();
    let r = s.train("2026-01-05", &["cut"]).failure();
    assert!(
        r.stderr
            .contains("uncommitted changes (crates/core/src/lib.rs)"),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), state);
    s.git(&["checkout", "--quiet", "--", "."]);

    s.git(&["checkout", "--quiet", "-b", "feature"]);
    let state = s.state();
    let r = s.train("2026-01-05", &["cut"]).failure();
    assert!(
        r.stderr
            .contains("`cut` runs on `main`, but `feature` is checked out"),
        "{}",
        r.stderr
    );
    let r = s.train("2026-01-05", &["rc"]).failure();
    assert!(
        r.stderr.contains("`feature` is not a release branch"),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), state);
}

#[test]
fn rejected_push_leaves_everything_consistent_and_a_rerun_completes() {
    let s = Sandbox::new("");
    // The origin refuses the next push, as when it moved on meanwhile.
    let hook = s.origin.join("hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\nif [ -f reject-once ]; then rm reject-once; echo 'origin moved on' >&2; exit 1; fi\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(s.origin.join("reject-once"), "").unwrap();

    let origin_before = s.origin_git(&["for-each-ref", "--format=%(refname) %(objectname)"]);
    let head_before = s.git(&["rev-parse", "HEAD"]);
    let r = s.train("2026-01-05", &["cut"]).failure();
    assert!(
        r.stderr
            .contains("the push was refused, so the remote is as it was"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("origin moved on"), "{}", r.stderr);
    assert_eq!(
        s.origin_git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
        origin_before
    );
    assert_eq!(s.git(&["rev-parse", "HEAD"]), head_before);
    assert_eq!(s.git(&["symbolic-ref", "--short", "HEAD"]).trim(), "main");
    assert_eq!(s.git(&["status", "--porcelain"]), "");

    let r = s.train("2026-01-05", &["cut"]).success();
    assert!(r.stderr.contains("Cut `release-1.0.0`"), "{}", r.stderr);
    assert!(s.remote_oid("release-1.0.0").is_some());
    assert_eq!(
        s.git(&["rev-parse", "HEAD"]),
        s.origin_git(&["rev-parse", "main"])
    );
}

#[test]
fn every_dry_run_changes_nothing() {
    let s = Sandbox::new("");
    let check = |date: &str, args: &[&str]| {
        let state = s.state();
        let mut a = args.to_vec();
        a.push("--dry-run");
        let r = s.train(date, &a).success();
        assert_eq!(s.state(), state, "{args:?} --dry-run changed something");
        r
    };
    let r = check("2026-01-05", &["cut"]);
    assert!(
        r.stdout.contains("+version = \"2.0.0-dev\""),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("would run: git push --atomic"),
        "{}",
        r.stdout
    );
    check("2026-01-05", &["tick"]);

    s.train("2026-01-05", &["cut"]).success();
    s.git(&["fetch", "--quiet", "origin"]);
    let tip = s.remote_oid("release-1.0.0").unwrap();
    check(
        "2026-01-05",
        &["tag", "--range", &format!("{}..{tip}", "0".repeat(40))],
    );
    check("2026-01-20", &["release"]);
    check("2026-01-20", &["tick"]);
    s.train("2026-01-20", &["release"]).success();
    s.backport("Fix");
    let r = check("2026-02-01", &["patch"]);
    assert!(r.stdout.contains("+## 1.0.1"), "{}", r.stdout);
    check("2026-02-01", &["rc"]);
    check("2026-02-01", &["bump", "major"]);
}

#[test]
fn review_forge_pushes_ci_branches_and_prints_pull_requests() {
    let s = Sandbox::new("forge = \"dry-run\"\n");
    let r = s.train("2026-01-05", &["cut"]).success();
    assert!(
        r.stdout
            .contains("pull request: Bump Rail to 2.0.0\n  head: ci/bump-to-2.0.0\n  base: main\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("pull request: Release Rail 1.0.0-rc.1\n  head: ci/rc-1.0.0-rc.1\n  base: release-1.0.0\n"),
        "{}",
        r.stdout
    );
    // The release branch is the cut point; the changes wait on ci/ branches.
    assert_eq!(s.remote_oid("release-1.0.0"), s.remote_oid("main"));
    let rc = s.remote_oid("ci/rc-1.0.0-rc.1").unwrap();
    let msg = s.origin_git(&["log", "-1", "--format=%B", &rc]);
    assert_eq!(
        msg,
        "Release Rail 1.0.0-rc.1\n\n[automatically-tag-and-release-this-commit]\n\n"
    );
    assert!(s.remote_oid("ci/bump-to-2.0.0").is_some());
    // Nothing more is due while they wait.
    let r = s.train("2026-01-06", &["due"]).success();
    assert!(r.stdout.contains("nothing is due"), "{}", r.stdout);
    // A second cut does nothing.
    let r = s.train("2026-01-06", &["cut"]).success();
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
}

#[test]
fn tag_refuses_a_tag_that_exists_on_another_commit() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    s.git(&["fetch", "--quiet", "origin"]);
    let tip = s.remote_oid("release-1.0.0").unwrap();
    // Someone tagged the cut point by hand.
    s.origin_git(&["tag", "v1.0.0-rc.1", &format!("{tip}~1")]);
    let state = s.state();
    let r = s
        .train(
            "2026-01-05",
            &["tag", "--range", &format!("{}..{tip}", "0".repeat(40))],
        )
        .failure();
    assert!(
        r.stderr.contains("`v1.0.0-rc.1` already exists at"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("never re-tagged"), "{}", r.stderr);
    // Only the fetch of the existing tag happened.
    let after = s.state();
    assert_eq!((after.1, after.2, after.3), (state.1, state.2, state.3));
    // A range without a release commit tags nothing.
    let main = s.remote_oid("main").unwrap();
    let r = s
        .train(
            "2026-01-05",
            &["tag", "--range", &format!("{main}~1..{main}")],
        )
        .success();
    assert!(
        r.stderr.contains("nothing to do: no commit"),
        "{}",
        r.stderr
    );
}
