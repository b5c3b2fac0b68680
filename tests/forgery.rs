//! Release commits, trailers and patch sets cannot be faked or stuck: a
//! commit that only quotes the marker tags nothing, a development version
//! is never tagged, a cherry-pick trailer naming another change does not
//! pass the audit, a trailer is only a trailer in the trailer block, a
//! patch set naming a member that cannot exist is an error, and notes with
//! conflict markers are not released. Every refusal changes nothing. Real
//! git, a bare origin, fixed dates.

mod common;
use common::sandbox::Sandbox;

const MARKER: &str = "[automatically-tag-and-release-this-commit]";

/// Runs `args`, which must fail and leave every ref, tag and file as they
/// were; returns stderr.
fn refused(s: &Sandbox, date: &str, args: &[&str]) -> String {
    let before = s.state();
    let r = s.train(date, args).failure();
    assert_eq!(s.state(), before, "{args:?} changed something");
    r.stderr
}

/// A commit writing `path` on main, pushed; its id.
fn on_main(s: &Sandbox, path: &str, text: &str, message: &str) -> String {
    s.commit_on("main", path, text, message)
}

fn tags(s: &Sandbox) -> String {
    s.origin_git(&["tag", "--list"])
}

#[test]
fn a_commit_quoting_the_marker_or_a_dev_version_is_never_tagged() {
    let s = Sandbox::new("");
    let quoting = on_main(
        &s,
        "NOTES",
        "a\n",
        &format!(
            "Explain the release process\n\nThe train writes {MARKER} into release commits.\n"
        ),
    );
    let range = format!("{quoting}~1..{quoting}");
    let r = s.train("2026-01-05", &["tag", "--range", &range]).success();
    assert!(
        r.stderr.contains("nothing to do: no commit"),
        "{}",
        r.stderr
    );
    assert_eq!(tags(&s), "", "a quoted marker made a tag");
    // A commit in the release commit's form, but on main at 1.0.0-dev.
    let formed = on_main(
        &s,
        "NOTES",
        "b\n",
        &format!("Release Rail 1.0.0\n\n{MARKER}\n"),
    );
    let e = refused(
        &s,
        "2026-01-05",
        &["tag", "--range", &format!("{formed}~1..{formed}")],
    );
    assert!(
        e.contains("is at 1.0.0-dev, a development version, which is never tagged"),
        "{e}"
    );
    assert_eq!(tags(&s), "");
}

#[test]
fn a_release_commit_of_another_version_or_off_release_branches_is_not_tagged() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    // A commit naming 1.0.5 on the branch at 1.0.0-rc.1.
    let tip = s.commit_on(
        "release-1.0.0",
        "NOTES",
        "c\n",
        &format!("Release Rail 1.0.5\n\n{MARKER}\n"),
    );
    let e = refused(
        &s,
        "2026-01-06",
        &["tag", "--range", &format!("{tip}~1..{tip}")],
    );
    assert!(
        e.contains("releases 1.0.5, but") && e.contains("is at 1.0.0-rc.1"),
        "{e}"
    );
    // The train's own candidate is tagged as before.
    let rc1 = format!("{tip}~1");
    let r = s
        .train(
            "2026-01-06",
            &["tag", "--range", &format!("{}..{rc1}", "0".repeat(40))],
        )
        .success();
    assert!(r.stderr.contains("Tagged `v1.0.0-rc.1`"), "{}", r.stderr);
}

#[test]
fn a_forged_cherry_pick_trailer_or_a_quoted_marker_does_not_pass_the_audit() {
    let s = Sandbox::new("");
    let root = s.git(&["rev-list", "--max-parents=0", "HEAD"]);
    let root = root.trim();
    s.train("2026-01-05", &["cut"]).success();
    // The trailer names main's root commit, an unrelated change.
    let forged = s.commit_on(
        "release-1.0.0",
        "crates/core/src/lib.rs",
        "// forged\n",
        &format!("Sneak a change in\n\n(cherry picked from commit {root})\n"),
    );
    let e = refused(&s, "2026-01-06", &["audit", "--branch", "release-1.0.0"]);
    let r = s
        .train("2026-01-06", &["audit", "--branch", "release-1.0.0"])
        .failure();
    let short = &forged[..10];
    assert!(
        r.stdout.contains(&format!(
            "release-1.0.0 {short} Train Test <test@example.invalid> Sneak a change in (its \
             cherry-pick trailer names {}, which changes other files)",
            &root[..10]
        )),
        "{}\n{e}",
        r.stdout
    );
    // Prose quoting the marker, and a `Branch-only:` line mid-body, are
    // audited like any commit.
    let quoting = s.commit_on(
        "release-1.0.0",
        "crates/core/src/lib.rs",
        "// quoted\n",
        &format!(
            "Change the docs\n\nBranch-only: said in passing\nand the marker {MARKER} too\n\nMore prose.\n"
        ),
    );
    let r = s
        .train("2026-01-06", &["audit", "--branch", "release-1.0.0"])
        .failure();
    assert!(r.stdout.contains(&quoting[..10]), "{}", r.stdout);
    assert!(r.stdout.contains(short), "{}", r.stdout);
    // A real trailer still exempts.
    let exempt = s.commit_on(
        "release-1.0.0",
        "crates/core/src/lib.rs",
        "// exempt\n",
        "Branch fix\n\nWhy it is here.\n\nBranch-only: a fix for this branch alone\n",
    );
    let r = s
        .train("2026-01-06", &["audit", "--branch", "release-1.0.0"])
        .failure();
    assert!(!r.stdout.contains(&exempt[..10]), "{}", r.stdout);
}

#[test]
fn a_patch_set_member_that_cannot_exist_is_an_error_naming_it() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    s.train("2026-01-20", &["release"]).success();
    s.backport("Fix");
    // The branch's patch as a set with a member whose branch never was.
    let tip = s.commit_on(
        "release-1.0.0",
        "NOTES",
        "d\n",
        &format!("Release Rail 1.0.0\n\n{MARKER}\n\nPatch-set: v1.0.0, v9.9.1\n"),
    );
    let e = refused(
        &s,
        "2026-01-21",
        &["tag", "--range", &format!("{tip}~1..{tip}")],
    );
    assert!(
        e.contains("whose member `v9.9.1` can never be released: its release branch `release-9.9.0` does not exist"),
        "{e}"
    );
    assert_eq!(tags(&s), "");
}

#[test]
fn a_patch_set_waiting_too_long_is_reported_by_status() {
    let s = Sandbox::new("forge = \"dry-run\"\npatch-set-wait-days = 5\n");
    for (cut, release, n) in [
        ("2026-03-01", "2026-03-02", 1),
        ("2026-03-05", "2026-03-06", 2),
    ] {
        s.train(cut, &["cut", "--force"]).success();
        // Merged as a fast-forward would: the review branches' tips pushed.
        s.git(&["fetch", "--quiet", "origin"]);
        let rc = format!("origin/ci/rc-{n}.0.0-rc.1");
        let bump = format!("origin/ci/bump-to-{}.0.0", n + 1);
        let branch = format!("release-{n}.0.0");
        s.git(&[
            "push",
            "--quiet",
            "origin",
            &format!("{rc}:refs/heads/{branch}"),
        ]);
        s.git(&[
            "push",
            "--quiet",
            "origin",
            &format!("{bump}:refs/heads/main"),
        ]);
        s.train(release, &["release", "--branch", &branch])
            .success();
        s.git(&["fetch", "--quiet", "origin"]);
        let rel = format!("origin/ci/release-{n}.0.0");
        s.git(&[
            "push",
            "--quiet",
            "origin",
            &format!("{rel}:refs/heads/{branch}"),
        ]);
        s.git(&["tag", &format!("v{n}.0.0"), &rel]);
        s.git(&["push", "--quiet", "origin", &format!("v{n}.0.0")]);
    }
    for n in [1, 2] {
        s.commit_on(
            &format!("release-{n}.0.0"),
            "crates/core/src/lib.rs",
            &format!("// fix {n}\n"),
            &format!("Fix {n}\n\nBranch-only: a test fixture"),
        );
    }
    s.train("2026-03-10", &["patch", "--supported"]).success();
    let r = s.train("2026-03-12", &["status"]).success();
    assert!(
        r.stdout.contains("patch set v2.0.1, v1.0.1 waits"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("has waited"), "{}", r.stdout);
    let r = s.train("2026-03-20", &["status"]).success();
    assert!(
        r.stdout.contains(
            "patch set v2.0.1, v1.0.1 has waited 10 days (since 2026-03-10), longer than \
             `patch-set-wait-days = 5`"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn notes_with_conflict_markers_stop_the_release_before_anything_is_pushed() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    s.train("2026-01-20", &["release"]).success();
    let notes = s.file_at("release-1.0.0", "RELEASES.md");
    let broken = notes.replacen(
        "Released",
        "<<<<<<< HEAD\n* one\n=======\n* two\n>>>>>>> fix\n\nReleased",
        1,
    );
    s.commit_on(
        "release-1.0.0",
        "RELEASES.md",
        &broken,
        "Merge the notes\n\nBranch-only: a test fixture",
    );
    let line = broken.lines().position(|l| l == "<<<<<<< HEAD").unwrap() + 1;
    let e = refused(&s, "2026-01-21", &["patch", "--branch", "release-1.0.0"]);
    assert!(
        e.contains(&format!(
            "RELEASES.md: line {line} is a merge-conflict marker (`<<<<<<< HEAD`)"
        )),
        "{e}"
    );
}

/// A branch commit whose message names a fix of main in a cherry-pick
/// trailer, but makes another change, does not count as the fix: it is
/// still backported.
#[test]
fn a_message_naming_a_fix_does_not_stand_for_its_backport() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    let fix = on_main(&s, "crates/core/src/lib.rs", "// fixed\n", "Fix a crash");
    s.commit_on(
        "release-1.0.0",
        "NOTES",
        "unrelated\n",
        &format!("Unrelated\n\n(cherry picked from commit {})\n", &fix[..12]),
    );
    let r = s
        .train("2026-01-12", &["backport", &fix, "--to", "release-1.0.0"])
        .success();
    assert!(
        r.stderr.contains("Backported to `release-1.0.0`"),
        "{}",
        r.stderr
    );
    s.git(&["fetch", "--quiet", "origin"]);
    assert_eq!(
        s.file_at("release-1.0.0", "crates/core/src/lib.rs"),
        "// fixed\n"
    );
}
