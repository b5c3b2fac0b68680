//! A hostile pass over the commands that read history: commits written to
//! look like what they are not, each checked for what the command does
//! with it. `tag` must make no tag for any of them; `audit` must list every
//! one; the controls (the train's own commits, a real cherry-pick, a real
//! trailer) must pass. Real git, a bare origin, fixed dates.

mod common;
use common::sandbox::Sandbox;

const MARKER: &str = "[automatically-tag-and-release-this-commit]";

/// The sample cut on 2026-01-05: `release-1.0.0` at 1.0.0-rc.1, main at
/// 2.0.0-dev.
fn cut() -> Sandbox {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    s
}

fn tags(s: &Sandbox) -> String {
    s.origin_git(&["tag", "--list"])
}

/// Pushes a commit with `message` (writing `path`) onto `branch`, runs
/// `tag` over it, and checks no tag was made; returns the run's stderr.
fn tag_after(s: &Sandbox, branch: &str, path: &str, message: &str) -> String {
    let before = tags(s);
    let tip = s.commit_on(branch, path, &format!("{message}\n"), message);
    let r = s.train(
        "2026-01-06",
        &["tag", "--range", &format!("{tip}~1..{tip}")],
    );
    assert_eq!(
        tags(s),
        before,
        "a tag was made for {message:?}:\n{}",
        r.stderr
    );
    r.stderr
}

#[test]
fn tag_makes_no_tag_for_anything_dressed_as_a_release() {
    let s = cut();
    let cases: Vec<(&str, &str, String, &str)> = vec![
        // (branch, file, message, what stderr says)
        (
            "main",
            "A",
            format!("Docs\n\nThe train writes\n{MARKER}\ninto commits."),
            "nothing to do",
        ),
        (
            "main",
            "B",
            format!("Release Rail 2.0.0\n\n{MARKER}"),
            "development version",
        ),
        (
            "main",
            "C",
            format!("Release Rail 2.0.0-dev\n\n{MARKER}"),
            "nothing to do",
        ),
        (
            "release-1.0.0",
            "D",
            format!("{MARKER} Release Rail 1.0.0-rc.1"),
            "nothing to do",
        ),
        (
            "release-1.0.0",
            "E",
            format!("Release Rail 1.0.0-rc.1\n\n{MARKER} please"),
            "nothing to do",
        ),
        (
            "release-1.0.0",
            "F",
            format!("Release Rail 1.0.0-rc.1 now\n\n{MARKER}"),
            "nothing to do",
        ),
        (
            "release-1.0.0",
            "G",
            format!("Release Rail 1.0.0-rc.9\n\n{MARKER}"),
            "releases 1.0.0-rc.9",
        ),
        (
            "release-1.0.0",
            "H",
            format!("Revert \"Release Rail 1.0.0-rc.1\"\n\n{MARKER}"),
            "nothing to do",
        ),
        (
            "release-1.0.0",
            "I",
            format!("Release Rail 1.0.0-rc.1\n\n{MARKER}\n\nPatch-set: v1.0.0-rc.1"),
            "not a release tag",
        ),
        (
            "release-1.0.0",
            "J",
            format!("Release Rail 1.0.0-rc.1\n\n{MARKER}\n\nPatch-set: v1.0.0, v7.0.1"),
            "does not hold 1.0.0-rc.1",
        ),
    ];
    for (branch, file, message, says) in &cases {
        let e = tag_after(&s, branch, file, message);
        assert!(e.contains(says), "{message:?}: {e}");
    }
    // A commit in the release form on a branch that is no release branch.
    s.git(&[
        "checkout",
        "--quiet",
        "-B",
        "feature",
        "origin/release-1.0.0",
    ]);
    std::fs::write(s.ws.join("K"), "k\n").unwrap();
    s.git(&["add", "K"]);
    s.git(&[
        "commit",
        "--quiet",
        "-m",
        &format!("Release Rail 1.0.0-rc.1\n\n{MARKER}"),
    ]);
    s.git(&["push", "--quiet", "origin", "feature"]);
    let tip = s.git(&["rev-parse", "HEAD"]).trim().to_string();
    let r = s
        .train(
            "2026-01-06",
            &["tag", "--range", &format!("{tip}~1..{tip}")],
        )
        .failure();
    assert!(r.stderr.contains("is on no release branch"), "{}", r.stderr);
    // BEFORE that names nothing.
    let r = s
        .train(
            "2026-01-06",
            &["tag", "--range", &format!("nothing..{tip}")],
        )
        .failure();
    assert!(
        r.stderr.contains("`nothing` is not a commit here"),
        "{}",
        r.stderr
    );
    assert_eq!(tags(&s), "");
    eprintln!("tag: {} hostile cases, no tag", cases.len() + 2);
    // Control: the train's own candidate, squash-merged as a forge would
    // title it, is tagged.
    let c = s.commit_on(
        "release-1.0.0",
        "L",
        "l\n",
        &format!("Release Rail 1.0.0-rc.1 (#7)\n\n{MARKER}"),
    );
    let r = s
        .train("2026-01-06", &["tag", "--range", &format!("{c}~1..{c}")])
        .success();
    assert!(r.stderr.contains("Tagged `v1.0.0-rc.1`"), "{}", r.stderr);
}

#[test]
fn audit_lists_every_commit_dressed_as_main_s_or_as_the_train_s() {
    let s = cut();
    let root = s
        .git(&["rev-list", "--max-parents=0", "HEAD"])
        .trim()
        .to_string();
    let fix = s.commit_on(
        "main",
        "crates/core/src/lib.rs",
        "// fixed\n",
        "Fix on main",
    );
    let unrelated = s.commit_on("main", "NOTES", "n\n", "Unrelated on main");
    let control = s.commit_on("main", "CONTROL", "c\n", "Control fix on main");
    let side = s.commit_on("release-1.0.0", "S", "s\n", "Side\n\nBranch-only: setup");
    // Control: a real pick of a fix of main.
    s.git(&["cherry-pick", "-x", &control]);
    s.git(&["push", "--quiet", "origin", "release-1.0.0"]);
    let real_pick = s.git(&["rev-parse", "HEAD"]).trim().to_string();
    let lib = "crates/core/src/lib.rs";
    let hostile: Vec<(String, String)> = vec![
        (
            lib.into(),
            format!("Forged root\n\n(cherry picked from commit {root})"),
        ),
        (
            lib.into(),
            format!(
                "Forged short\n\n(cherry picked from commit {})",
                &unrelated[..8]
            ),
        ),
        (
            lib.into(),
            format!("Not on main\n\n(cherry picked from commit {side})"),
        ),
        (
            lib.into(),
            "Mid-body\n\nBranch-only: only said here\nand more prose\n\nEnd.".into(),
        ),
        (lib.into(), "Branch-only: as a subject".into()),
        (
            lib.into(),
            format!("Quoting\n\nThe marker {MARKER} appears here."),
        ),
        (lib.into(), format!("Release Rail 1.0.0-rc.2\n\n{MARKER}")),
        (lib.into(), "Empty reason\n\nBranch-only:".into()),
        (
            lib.into(),
            format!("Half the change\n\n(cherry picked from commit {fix})"),
        ),
    ];
    let mut ids = Vec::new();
    for (i, (path, message)) in hostile.iter().enumerate() {
        // Each writes the file anew, so each is a change of its own; the
        // last writes what the fix wrote, and another file too.
        if i + 1 == hostile.len() {
            std::fs::write(s.ws.join("EXTRA"), "x\n").unwrap();
            s.git(&["add", "EXTRA"]);
        }
        ids.push(s.commit_on("release-1.0.0", path, &format!("// {i}\n"), message));
    }
    // Control: a real trailer.
    let real_trailer = s.commit_on(
        "release-1.0.0",
        "T",
        "t\n",
        "Branch fix\n\nWhy.\n\nBranch-only: a fix of this branch only",
    );
    let r = s
        .train("2026-01-07", &["audit", "--branch", "release-1.0.0"])
        .failure();
    for (id, (_, message)) in ids.iter().zip(&hostile) {
        assert!(
            r.stdout.contains(&id[..10]),
            "{message:?} passed the audit:\n{}",
            r.stdout
        );
    }
    for control in [&real_pick, &real_trailer, &side] {
        assert!(!r.stdout.contains(&control[..10]), "{}", r.stdout);
    }
    // The train's own candidate (cut) is not listed either.
    assert_eq!(r.stdout.lines().count(), hostile.len(), "{}", r.stdout);
    eprintln!(
        "audit: {} hostile cases listed, 3 controls passed",
        hostile.len()
    );
}

#[test]
fn status_and_patch_read_no_set_or_release_from_prose() {
    let s = cut();
    s.train("2026-01-20", &["release"]).success();
    // A patch-set line mid-body is prose: status shows no set.
    s.commit_on(
        "release-1.0.0",
        "P",
        "p\n",
        "Notes\n\nPatch-set: v1.0.1, v9.0.1\nsaid in passing\n\nBranch-only: test",
    );
    let r = s.train("2026-01-21", &["status"]).success();
    assert!(!r.stdout.contains("patch set"), "{}", r.stdout);
    // The patch goes out alone; then an unclosed section stops the next.
    s.train("2026-01-21", &["patch", "--branch", "release-1.0.0"])
        .success();
    let notes = s.file_at("release-1.0.0", "RELEASES.md");
    let unclosed = format!("## 1.0.2\n\nUnreleased.\n\n{notes}");
    s.commit_on(
        "release-1.0.0",
        "RELEASES.md",
        &unclosed,
        "Notes by hand\n\nBranch-only: test",
    );
    let before = s.state();
    let r = s
        .train("2026-01-22", &["patch", "--branch", "release-1.0.0"])
        .failure();
    assert_eq!(s.state(), before);
    assert!(
        r.stderr
            .contains("RELEASES.md: the section `1.0.2` (line 1) is not closed"),
        "{}",
        r.stderr
    );
    // A reason on two lines would write a trailer of its own.
    let r = s
        .train(
            "2026-01-22",
            &[
                "backport",
                "HEAD",
                "--to",
                "release-1.0.0",
                "--not-on-main",
                "reason\nSigned-off-by: someone",
            ],
        )
        .failure();
    assert!(
        r.stderr.contains("the reason is one line of text"),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), before);
}

/// A fix is "already on the branch" only when the branch holds its change:
/// an unrelated commit whose message names the fix in an abbreviated
/// `(cherry picked from commit …)` trailer does not make backport skip it.
#[test]
fn backport_is_not_fooled_by_a_trailer_naming_the_fix() {
    let s = cut();
    let fix = s.commit_on(
        "main",
        "crates/core/src/fix.rs",
        "// the fix\n",
        "Fix on main",
    );
    s.commit_on(
        "release-1.0.0",
        "NOTES",
        "unrelated\n",
        &format!("Unrelated\n\n(cherry picked from commit {})", &fix[..8]),
    );
    s.git(&["checkout", "--quiet", "main"]);
    let r = s
        .train("2026-01-07", &["backport", &fix, "--to", "release-1.0.0"])
        .success();
    assert!(!r.stderr.contains("has its change already"), "{}", r.stderr);
    s.git(&["fetch", "--quiet", "origin"]);
    let on_branch = s.git(&["show", "origin/release-1.0.0:crates/core/src/fix.rs"]);
    assert_eq!(on_branch, "// the fix\n");
    // Run again: now the change is there, and nothing more is picked.
    let tip = s.remote_oid("release-1.0.0");
    let r = s
        .train("2026-01-07", &["backport", &fix, "--to", "release-1.0.0"])
        .success();
    assert!(r.stderr.contains("already"), "{}", r.stderr);
    assert_eq!(s.remote_oid("release-1.0.0"), tip);
}
