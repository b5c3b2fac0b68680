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

/// Sets `[workspace.package] version` in the sandbox's checkout.

#[test]
fn status_shows_the_supported_branches_and_all_of_them_with_all() {
    let s = Sandbox::new("");
    // Thirteen release branches made by hand on the origin: 3, 6, 9 and 12
    // released, the others patched, 13 at its second candidate; every
    // version tagged, and each line's first release too.
    let version = |n: u64| match n {
        13 => "13.0.0-rc.2".to_string(),
        n if n % 3 == 0 => format!("{n}.0.0"),
        n => format!("{n}.0.{}", n % 3),
    };
    for n in 1..=13u64 {
        let v = version(n);
        s.git(&["checkout", "--quiet", "--detach", "main"]);
        if n == 13 {
            // Its first candidate's commit, as the train makes it (the day
            // of the cut is read from it).
            s.git(&[
                "commit",
                "--quiet",
                "--allow-empty",
                "-m",
                "Release Rail 13.0.0-rc.1\n\n[automatically-tag-and-release-this-commit]",
            ]);
        }
        s.set_version(&v);
        s.git(&[
            "commit",
            "--quiet",
            "-am",
            &format!("Release Rail {v}\n\n[automatically-tag-and-release-this-commit]"),
        ]);
        s.git(&["tag", &format!("v{v}")]);
        if n != 13 {
            s.git(&["tag", &format!("v{n}.0.0-rc.1"), "HEAD"]);
        } else {
            s.git(&["tag", "v13.0.0-rc.1", "HEAD~1"]);
        }
        s.git(&[
            "push",
            "--quiet",
            "origin",
            &format!("HEAD:refs/heads/release-{n}.0.0"),
        ]);
    }
    // An old branch of another layout: no version at its root.
    s.git(&["checkout", "--quiet", "--detach", "main"]);
    std::fs::write(s.ws.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
    s.git(&["commit", "--quiet", "-am", "old layout"]);
    let old = s.git(&["rev-parse", "HEAD"]);
    s.git(&["push", "--quiet", "origin", "HEAD:refs/heads/release-0.1.0"]);
    s.git(&["checkout", "--quiet", "main"]);
    s.set_version("14.0.0-dev");
    s.git(&["commit", "--quiet", "-am", "Bump Rail to 14.0.0"]);
    s.git(&["push", "--quiet", "--tags", "origin", "main"]);
    s.git(&["fetch", "--quiet", "origin"]);

    let row = |n: u64| {
        let v = version(n);
        let label = match n {
            13 => "rc.2",
            n if n % 3 == 0 => "released",
            _ => "patched",
        };
        format!(
            "{:<24} {:<16} {label:<10} latest tag v{v}\n",
            format!("release-{n}.0.0"),
            v
        )
    };
    // Every line was released on 2025-12-01 (the tags' commit date): on
    // 2026-02-10 the two months of 1 to 11 are over (2026-02-01), 12 is an
    // LTS and the newest release, 13 is not released yet.
    let day = "2026-02-10";
    let due = s.train(day, &["due"]).success().stdout;
    assert!(due.contains("release-14.0.0 was due to be cut"), "{due}");

    // By default: the supported branches and the one in its candidates,
    // and how many are left out.
    let r = s.train(day, &["status"]).success();
    let want: String = [13, 12].map(row).concat();
    assert_eq!(
        r.stdout,
        format!(
            "main: 14.0.0-dev\n{want}(12 older release branches not supported; --all lists every one)\n{due}"
        )
    );
    let supported = s.train(day, &["supported"]).success().stdout;
    assert_eq!(supported, "release-12.0.0\n");
    // Within their two months, all of them.
    let supported = s.train("2026-01-10", &["supported"]).success().stdout;
    let want: String = (1..=12)
        .rev()
        .map(|n| format!("release-{n}.0.0\n"))
        .collect();
    assert_eq!(supported, want);
    // The weekly CI re-run counts: the three newest, 12 among them.
    let ci = s.train(day, &["supported", "--ci"]).success().stdout;
    assert_eq!(ci, "release-13.0.0\nrelease-12.0.0\nrelease-11.0.0\n");

    // The reads do not grow with the branches: remote lookup, refs (with
    // the tags' dates for the default view), objects, the newest branch's
    // cut day.
    for (i, args) in [&["status"][..], &["status", "--all"]].iter().enumerate() {
        let trace = s.ws.with_file_name(format!("trace{i}.json"));
        let trace = trace.to_str().unwrap();
        s.train_env(day, args, &[("GIT_TRACE2_EVENT", trace)])
            .success();
        let started = std::fs::read_to_string(trace).unwrap();
        assert_eq!(
            started.matches("\"event\":\"start\"").count(),
            4,
            "{args:?}: {started}"
        );
    }

    // --all: every branch, newest first, and the same schedule; the one
    // without a version says why.
    let r = s.train(day, &["status", "--all"]).success();
    let want: String = (1..=13).rev().map(row).collect();
    assert_eq!(
        r.stdout,
        format!(
            "main: 14.0.0-dev\n{want}{:<24} {:<16} {:<10} latest tag -\n\
             (release-0.1.0: Cargo.toml at {} has no version)\n{due}",
            "release-0.1.0",
            "?",
            "unreadable",
            old.trim()
        )
    );
}

/// Runs the train with `env`, killing it if it outlives `limit`: returns
/// its result and how long it took.
fn train_within(
    s: &Sandbox,
    args: &[&str],
    env: &[(&str, &str)],
    limit: std::time::Duration,
) -> (std::process::Output, std::time::Duration) {
    use std::process::{Command, Stdio};
    let start = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cargo-train"))
        .arg("train")
        .args(["--date", "2026-01-05"])
        .args(args)
        .envs(env.iter().copied())
        .current_dir(&s.ws)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("`cargo train {args:?}` still runs after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    (child.wait_with_output().unwrap(), start.elapsed())
}

#[test]
fn an_ssh_remote_that_never_answers_fails_within_the_bound() {
    // A server that accepts connections and never says a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in listener.incoming() {
            held.push(c);
        }
    });
    let s = Sandbox::new("");
    let url = format!("ssh://git@127.0.0.1:{port}/x.git");
    s.git(&["remote", "set-url", "origin", &url]);
    let state = s.state();
    let limit = std::time::Duration::from_secs(60);
    let env = [("CARGO_TRAIN_GIT_TIMEOUT", "2")];
    let (out, took) = train_within(&s, &["cut"], &env, limit);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
    // git's own words are kept: which command, and why.
    assert!(
        stderr.contains("`git fetch --prune --tags origin` failed"),
        "{stderr}"
    );
    assert!(stderr.contains("timed out"), "{stderr}");
    assert_eq!(s.state(), state);

    // The user's own ssh command (here verbose) is kept, with the bound.
    s.git(&["config", "core.sshCommand", "ssh -v"]);
    let (out, took) = train_within(&s, &["cut"], &env, limit);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
    assert!(
        stderr.contains("debug1: Connecting to 127.0.0.1"),
        "{stderr}"
    );
    assert!(stderr.contains("timed out"), "{stderr}");

    // Over http the same silent server trips the low-speed limit.
    let url = format!("http://127.0.0.1:{port}/x.git");
    s.git(&["remote", "set-url", "origin", &url]);
    let (out, took) = train_within(&s, &["cut"], &env, limit);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
    assert!(
        stderr.contains("`git fetch --prune --tags origin` failed"),
        "{stderr}"
    );
    assert!(stderr.contains("Operation too slow"), "{stderr}");
}

#[test]
fn a_local_tag_that_differs_from_the_remotes_is_named_with_the_fix() {
    let s = Sandbox::new("");
    std::fs::write(s.ws.join("NOTES"), "a\n").unwrap();
    s.git(&["add", "NOTES"]);
    s.git(&["commit", "--quiet", "-m", "notes"]);
    s.git(&["push", "--quiet", "origin", "main"]);
    s.origin_git(&["tag", "v0.9.0", "main"]);
    s.git(&["fetch", "--quiet", "--tags", "origin"]);
    // Someone moved the tag on the remote.
    s.origin_git(&["tag", "--force", "v0.9.0", "main~1"]);
    let here = s.git(&["rev-parse", "--short=12", "main"]);
    let there = s.git(&["rev-parse", "--short=12", "main~1"]);
    let state = s.state();
    let r = s.train("2026-01-05", &["cut"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "tag `v0.9.0` here points at {}, but on `origin` at {}; \
             to take `origin`'s: git tag -d v0.9.0 && git fetch --tags origin",
            here.trim(),
            there.trim()
        )),
        "{}",
        r.stderr
    );
    // git's own reason is kept too.
    assert!(
        r.stderr.contains("would clobber existing tag"),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), state);
    // The advice works: the cut goes through.
    s.git(&["tag", "-d", "v0.9.0"]);
    let r = s.train("2026-01-05", &["cut"]).success();
    assert!(r.stderr.contains("Cut `release-1.0.0`"), "{}", r.stderr);
}

/// What `cut --dry-run` prints is the plan: the commits (title, base, files)
/// and the push. A real run then pushes exactly those branches, each at the
/// commit planned for it, with the planned title, parent and files; and
/// (review forge) opens the pull requests the plan names.
#[test]
fn a_dry_run_prints_the_plan_a_real_run_carries_out() {
    for forge in ["", "forge = \"dry-run\"\n"] {
        let s = Sandbox::new(forge);
        let dry = s.train("2026-01-05", &["cut", "--dry-run"]).success();
        let plan = &dry.stdout;
        // `N. commit K "title" on NAME (short-oid) (F files)` and its diff.
        let mut commits = Vec::new();
        for block in plan.split_inclusive("message:") {
            if let Some(line) = block.lines().find(|l| l.contains(". commit ")) {
                let title = line.split('"').nth(1).unwrap().to_string();
                let base = line.split(" (").nth(1).unwrap()[..10].to_string();
                let files: Vec<String> = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("+++ b/"))
                    .map(str::to_string)
                    .collect();
                commits.push((title, base, files));
            }
        }
        assert_eq!(commits.len(), 2, "{plan}");
        let push = plan
            .lines()
            .find_map(|l| {
                l.split_once("would run: git push --atomic origin ")
                    .map(|(_, r)| r)
            })
            .unwrap_or_else(|| panic!("{plan}"));
        let planned_prs: Vec<&str> = plan
            .lines()
            .filter_map(|l| l.split_once("would open pull request: ").map(|(_, r)| r))
            .collect();

        let origin_before = s.origin_git(&["for-each-ref", "--format=%(refname)"]);
        let real = s.train("2026-01-05", &["cut"]).success();
        let mut moved: Vec<String> = s
            .origin_git(&["for-each-ref", "--format=%(refname)"])
            .lines()
            .filter(|r| !origin_before.contains(&format!("{r}\n")) || r.ends_with("/main"))
            .map(str::to_string)
            .collect();
        moved.sort();
        let mut pushed: Vec<String> = Vec::new();
        // `<commit N>` holds a space: keep it in one token.
        for spec in push.replace("<commit ", "<commit#").split(' ') {
            let (rev, target) = spec.split_once(':').unwrap();
            let at = s.origin_git(&["rev-parse", target]).trim().to_string();
            match rev.strip_prefix("<commit#") {
                Some(n) => {
                    let n: usize = n.trim_end_matches('>').parse().unwrap();
                    let (title, base, files) = &commits[n - 1];
                    let msg = s.origin_git(&["log", "-1", "--format=%s", &at]);
                    assert_eq!(msg.trim(), title, "{target}");
                    let parent = s.origin_git(&["rev-parse", &format!("{at}^")]);
                    assert!(
                        parent.starts_with(base.as_str()),
                        "{target}: {parent} vs {base}"
                    );
                    let changed = s.origin_git(&["diff", "--name-only", &format!("{at}^"), &at]);
                    let mut changed: Vec<&str> = changed.lines().collect();
                    changed.sort();
                    let mut files: Vec<&str> = files.iter().map(String::as_str).collect();
                    files.sort();
                    assert_eq!(changed, files, "{target}");
                }
                None => assert_eq!(at, rev, "{target}"),
            }
            pushed.push(target.to_string());
        }
        if forge.is_empty() {
            // The main branch moved too (it is in the push), nothing else.
            pushed.sort();
            assert_eq!(moved, pushed, "{plan}");
        } else {
            pushed.push("refs/heads/main".into());
            pushed.sort();
            assert_eq!(moved, pushed, "{plan}");
            let opened: Vec<&str> = real
                .stdout
                .lines()
                .filter(|l| l.starts_with("pull request: "))
                .collect();
            let planned: Vec<String> = planned_prs
                .iter()
                .map(|l| format!("pull request: {l}"))
                .collect();
            assert_eq!(opened, planned, "{}", real.stdout);
            assert_eq!(opened.len(), 2);
        }
    }
}

#[test]
fn a_branch_cut_without_candidates_counts_as_this_months_cut() {
    // As in Wasmtime's history: the branch is main as it was (its newest
    // commit from the month before), main's bump lands days later, and no
    // `-rc.1` commit exists anywhere.
    let s = Sandbox::new("");
    s.git(&["push", "--quiet", "origin", "main:refs/heads/release-1.0.0"]);
    s.set_version("2.0.0-dev");
    s.git_on(
        "2026-01-06",
        &["commit", "--quiet", "-am", "Bump Rail to 2.0.0"],
    );
    s.git(&["push", "--quiet", "origin", "main"]);
    let r = s.train("2026-01-07", &["due"]).success();
    assert!(
        r.stdout.contains("nothing is due on 2026-01-07") && !r.stdout.contains("cut is due"),
        "{}",
        r.stdout
    );
    let r = s.train("2026-02-05", &["due"]).success();
    assert!(
        r.stdout.contains("cut is due on 2026-02-05"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_demo_runs_three_months_with_backports_and_a_patch_set() {
    // The README's first command, as a newcomer runs it.
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-train"))
        .args(["train", "demo", "--dir"])
        .arg(dir.path().join("demo"))
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(
            "tags: v1.0.0 v1.0.0-rc.1 v1.0.0-rc.2 v1.0.1 v2.0.0 v2.0.0-rc.1 v2.0.1 v3.0.0 v3.0.0-rc.1 v3.0.1\n"
        ),
        "{stdout}"
    );
    assert!(stderr.contains("Patch set v3.0.1, v2.0.1"), "{stderr}");
    let ws = dir.path().join("demo/rail");
    let notes = common::sandbox::git_in(&ws, &["show", "origin/release-2.0.0:RELEASES.md"]);
    assert!(
        notes.starts_with("## 2.0.1\n\nReleased 2026-03-25.\n")
            && notes.contains("* Fix an overflow in rail-util\n"),
        "{notes}"
    );
    assert_eq!(common::sandbox::git_in(&ws, &["status", "--porcelain"]), "");
}

#[test]
fn release_branches_named_after_their_line_as_tokio_names_them() {
    // `tokio-1.38.x` style: one branch per minor line, tags with the same
    // prefix (which only a full-version branch name could clash with).
    let s = Sandbox::new(
        "branch-prefix = \"rail-\"\nbranch-form = \"X.Y.x\"\ntag-prefix = \"rail-\"\n",
    );
    s.train("2026-01-05", &["cut"]).success();
    assert!(s.remote_oid("rail-1.0.x").is_some());
    assert!(s.remote_oid("release-1.0.0").is_none());
    s.train("2026-01-20", &["release", "--branch", "rail-1.0.x"])
        .success();
    let tip = s.remote_oid("rail-1.0.x").unwrap();
    let r = s
        .train(
            "2026-01-20",
            &["tag", "--range", &format!("{tip}~1..{tip}")],
        )
        .success();
    assert!(r.stderr.contains("Tagged `rail-1.0.0`"), "{}", r.stderr);
    // A fix on main, picked onto the line, then a patch of every supported
    // branch: 1.0.1 on the same branch.
    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
    std::fs::write(s.ws.join("crates/core/src/fix.rs"), "// fix\n").unwrap();
    s.git(&["add", "crates/core/src/fix.rs"]);
    s.git(&["commit", "--quiet", "-m", "Fix"]);
    s.git(&["push", "--quiet", "origin", "main"]);
    s.train("2026-01-25", &["backport", "main", "--supported"])
        .success();
    let r = s.train("2026-01-26", &["patch", "--supported"]).success();
    assert!(r.stderr.contains("Patch set rail-1.0.1"), "{}", r.stderr);
    assert!(
        s.file_at("rail-1.0.x", "Cargo.toml")
            .contains("version = \"1.0.1\"")
    );
    let r = s.train("2026-01-26", &["status"]).success();
    assert!(r.stdout.contains("rail-1.0.x"), "{}", r.stdout);
    // The full form with these prefixes is refused: `rail-1.0.0` would be
    // both a branch and a tag.
    let cfg = s.ws.join("train.toml");
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("branch-form = \"X.Y.x\"\n", "");
    std::fs::write(&cfg, text).unwrap();
    let r = s.train("2026-01-26", &["status"]).failure();
    assert!(r.stderr.contains("have the same name"), "{}", r.stderr);
}

/// `version` prints the train's version, `--tag` its release tag, and JSON
/// both; a workspace with no version for the train says what to set.
#[test]
fn version_prints_the_trains_version_and_its_tag() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    assert_eq!(
        s.train("2026-01-05", &["version"]).success().stdout,
        "2.0.0-dev\n"
    );
    assert_eq!(
        s.train("2026-01-05", &["version", "--tag"])
            .success()
            .stdout,
        "v2.0.0-dev\n"
    );
    let json: serde_json::Value = serde_json::from_str(
        &s.train("2026-01-05", &["version", "--format", "json"])
            .success()
            .stdout,
    )
    .unwrap();
    assert_eq!(json["version"], "2.0.0-dev");
    assert_eq!(json["tag"], "v2.0.0-dev");
    // A virtual workspace of crates on their own versions has none.
    let f = common::Fixture::new(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n"),
        (
            "a/Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("a/src/lib.rs", ""),
    ]);
    let r = f.train(&["version"]).failure();
    assert!(
        r.stderr
            .contains("Cargo.toml has no version for the train: set `[workspace.package] version`"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_version_that_is_tagged_already_is_never_prepared_again() {
    // gitoxide's case: `main` names a version that is released and tagged.
    let s = Sandbox::new("");
    s.origin_git(&["tag", "v1.0.0", "main"]);
    let state = s.state();
    let r = s.train("2026-01-05", &["cut"]).failure();
    assert!(
        r.stderr
            .contains("`main` is at 1.0.0-dev, and 1.0.0 is released already (tag `v1.0.0` at"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("cargo train bump minor"), "{}", r.stderr);
    let after = s.state();
    assert_eq!(
        (after.1, after.2, after.3),
        (state.1, state.2, state.3),
        "something changed"
    );
    s.origin_git(&["tag", "-d", "v1.0.0"]);
    s.git(&["tag", "-d", "v1.0.0"]);

    // A branch whose final version was tagged elsewhere: no candidate, no
    // release of it.
    s.train("2026-01-05", &["cut"]).success();
    s.origin_git(&["tag", "v1.0.0", "release-1.0.0"]);
    // A fix lands on the branch, so that a candidate would have something.
    s.git(&["fetch", "--quiet", "--tags", "origin"]);
    s.git(&[
        "checkout",
        "--quiet",
        "-b",
        "release-1.0.0",
        "origin/release-1.0.0",
    ]);
    std::fs::write(s.ws.join("crates/core/src/fix.rs"), "// fix\n").unwrap();
    s.git(&["add", "crates/core/src/fix.rs"]);
    s.git(&["commit", "--quiet", "-m", "Fix"]);
    s.git(&["push", "--quiet", "origin", "release-1.0.0"]);
    s.git(&["fetch", "--quiet", "origin"]);
    let state = s.state();
    for cmd in [
        &["rc", "--branch", "release-1.0.0"][..],
        &["release", "--branch", "release-1.0.0"],
    ] {
        let r = s.train("2026-01-12", cmd).failure();
        assert!(
            r.stderr.contains("`release-1.0.0` would make 1.0.0")
                && r.stderr.contains("released already (tag `v1.0.0` at")
                && r.stderr.contains("behind its releases"),
            "{cmd:?}: {}",
            r.stderr
        );
        let after = s.state();
        assert_eq!(
            (&after.1, &after.2, &after.3),
            (&state.1, &state.2, &state.3),
            "{cmd:?} changed something"
        );
    }
}

/// A minor train (tokio's 1.N lines): each cut moves `main` to the next
/// minor, and the timetable schedules minors, not one major a month.
#[test]
fn a_minor_train_cuts_minor_lines_and_names_chosen_lts_lines() {
    let s = Sandbox::new(
        "branch-prefix = \"rail-\"\nbranch-form = \"X.Y.x\"\ntag-prefix = \"rail-\"\n\
         cut-level = \"minor\"\nsupport = { lts-every = 0, lts = [\"1.1\"] }\n",
    );
    s.train("2026-01-05", &["cut"]).success();
    assert!(s.remote_oid("rail-1.0.x").is_some());
    assert!(
        s.file_at("main", "Cargo.toml")
            .contains("version = \"1.1.0-dev\""),
        "{}",
        s.file_at("main", "Cargo.toml")
    );
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
    s.train("2026-02-05", &["cut"]).success();
    assert!(s.remote_oid("rail-1.1.x").is_some());
    assert!(
        s.file_at("main", "Cargo.toml")
            .contains("version = \"1.2.0-dev\"")
    );
    let r = s
        .train(
            "2026-02-06",
            &["timetable", "--months", "3", "--format", "json"],
        )
        .success();
    let t: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let rows: Vec<(String, bool)> = t["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["version"].as_str().unwrap().to_string(),
                e["lts"].as_bool().unwrap(),
            )
        })
        .collect();
    let versions: Vec<&str> = rows.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(
        versions,
        ["1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0"],
        "{}",
        r.stdout
    );
    assert!(
        rows.iter().all(|(v, lts)| *lts == (v == "1.1.0")),
        "{rows:?}"
    );
    let r = s
        .train("2026-02-06", &["timetable", "--months", "3"])
        .success();
    assert!(r.stdout.contains("1.1 is an LTS line"), "{}", r.stdout);
}
