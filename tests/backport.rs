//! `backport` and `audit` over real git: three release branches cut and
//! released from the sample workspace (bare origin, fixed dates), commits
//! on `main` picked onto them; without a forge (direct pushes) and with
//! the GitHub simulator (pull requests, `#N`).

mod common;
use common::github_sim::GithubSim;
use common::sandbox::{Sandbox, git_in};

const LIB: &str = "crates/core/src/lib.rs";

/// Commits `path` with `text` on the checked-out branch as `author`, pushes
/// it, and returns the commit.
fn commit_as(s: &Sandbox, author: (&str, &str), path: &str, text: &str, msg: &str) -> String {
    std::fs::write(s.ws.join(path), text).unwrap();
    s.git(&["add", path]);
    s.git(&[
        "-c",
        &format!("user.name={}", author.0),
        "-c",
        &format!("user.email={}", author.1),
        "commit",
        "--quiet",
        "-m",
        msg,
    ]);
    let branch = s.git(&["symbolic-ref", "--short", "HEAD"]);
    s.git(&["push", "--quiet", "origin", branch.trim()]);
    s.git(&["rev-parse", "HEAD"]).trim().to_string()
}

/// A branch `feature` off main with one commit per name (each adding
/// `crates/core/src/<name>.rs`, its subject the name), merged into main
/// with a merge commit and pushed: the side commits and the merge.
fn merged_feature(s: &Sandbox, names: &[&str], message: &str) -> (Vec<String>, String) {
    s.git(&["checkout", "--quiet", "-b", "feature"]);
    let dev = ("Dev", "dev@example.invalid");
    let side = names
        .iter()
        .map(|n| {
            commit_as(
                s,
                dev,
                &format!("crates/core/src/{n}.rs"),
                &format!("// {n}\n"),
                n,
            )
        })
        .collect();
    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["merge", "--quiet", "--no-ff", "-m", message, "feature"]);
    s.git(&["push", "--quiet", "origin", "main"]);
    (side, s.git(&["rev-parse", "HEAD"]).trim().to_string())
}

fn on_main(s: &Sandbox) {
    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
}

/// release-1.0.0 cut while `lib.rs` said `old`; release-2.0.0 and
/// release-3.0.0 after `main` changed it to `new`; each released.
fn three_branches(s: &Sandbox) {
    on_main(s);
    commit_as(
        s,
        ("Dev", "dev@example.invalid"),
        LIB,
        "one\nold\nthree\n",
        "lib: old",
    );
    for (n, month) in [(1, "01"), (2, "02"), (3, "03")] {
        if n == 2 {
            on_main(s);
            commit_as(
                s,
                ("Dev", "dev@example.invalid"),
                LIB,
                "one\nnew\nthree\n",
                "lib: new",
            );
        }
        s.train(&format!("2026-{month}-05"), &["cut"]).success();
        s.train(
            &format!("2026-{month}-20"),
            &["release", "--branch", &format!("release-{n}.0.0")],
        )
        .success();
        // Tagged as CI would: `supported` goes by the release tags' dates.
        s.git(&["fetch", "--quiet", "origin"]);
        s.git(&[
            "tag",
            &format!("v{n}.0.0"),
            &format!("origin/release-{n}.0.0"),
        ]);
        s.git(&["push", "--quiet", "origin", &format!("v{n}.0.0")]);
    }
    on_main(s);
}

/// Two fixes on `main`: A adds a file, B changes the line release-1.0.0
/// has in another form.
fn two_fixes(s: &Sandbox) -> (String, String) {
    let a = commit_as(
        s,
        ("Ada Author", "ada@example.invalid"),
        "crates/core/src/a.rs",
        "// fix a\n",
        "Fix A\n\nThe body of A.",
    );
    let b = commit_as(
        s,
        ("Bo Author", "bo@example.invalid"),
        LIB,
        "one\nnewer\nthree\n",
        "Fix B",
    );
    (a, b)
}

fn message(s: &Sandbox, rev: &str) -> String {
    s.origin_git(&["log", "-1", "--format=%B", rev])
}

#[test]
fn backport_to_three_branches_with_one_conflict_then_audit() {
    // Supported for six months: on 2026-03-26 all three lines are.
    let s = Sandbox::new("support = { months = 6 }\n");
    three_branches(&s);
    let (a, b) = two_fixes(&s);
    let tips: Vec<_> = s.release_branches();
    let to = ["--to", "release-1.0.0", "release-2.0.0", "release-3.0.0"];
    // Given newest first: picked in the order they landed.
    let args = |extra: &[&'static str]| {
        let mut v = vec!["backport", b.as_str(), a.as_str()];
        v.extend(to);
        v.extend(extra);
        v
    };

    // The dry run prints the plan and changes nothing, not even objects.
    let objects = |s: &Sandbox| s.git(&["count-objects", "-v"]);
    let before_objects = objects(&s);
    let state = s.state();
    let r = s.train("2026-03-25", &args(&["--dry-run"])).failure();
    assert_eq!(s.state(), state, "the dry run changed something");
    assert!(
        r.stdout
            .contains(&format!("cherry-pick of {a} by Ada Author")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("would run: git push --atomic origin"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("refs/heads/release-1.0.0"),
        "{}",
        r.stdout
    );
    assert_eq!(objects(&s), before_objects, "the dry run wrote objects");

    let r = s.train("2026-03-25", &args(&[])).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: `release-1.0.0`: the cherry-pick of {} \"Fix B\" conflicts in {LIB}; nothing was pushed for `release-1.0.0`",
            &b[..10]
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("Summary landed: release-2.0.0, release-3.0.0; need a hand: release-1.0.0"),
        "{}",
        r.stderr
    );
    assert_ne!(objects(&s), before_objects, "the real run wrote no objects");
    // Nothing for the conflicting branch; the others moved by three commits.
    let tips_after = s.release_branches();
    assert_eq!(tips_after[0], tips[0]);
    for n in [2, 3] {
        let br = format!("release-{n}.0.0");
        let log = s.origin_git(&[
            "log",
            "--format=%s|%an <%ae>|%cd",
            "--date=short",
            &format!("{}..{br}", tips[n - 1].1),
        ]);
        assert_eq!(
            log.lines().collect::<Vec<_>>(),
            [
                format!(
                    "Release notes of {n}.0.1: the backports to {br}|Train Test <test@example.invalid>|2026-03-25"
                ),
                "Fix B|Bo Author <bo@example.invalid>|2026-03-25".to_string(),
                "Fix A|Ada Author <ada@example.invalid>|2026-03-25".to_string(),
            ],
            "{br}"
        );
        assert_eq!(
            message(&s, &format!("{br}~1")).trim_end(),
            format!("Fix B\n\n(cherry picked from commit {b})")
        );
        assert_eq!(
            message(&s, &format!("{br}~2")).trim_end(),
            format!("Fix A\n\nThe body of A.\n\n(cherry picked from commit {a})")
        );
        // The author's date is kept too.
        assert_eq!(
            s.origin_git(&[
                "log",
                "-1",
                "--format=%ad",
                "--date=raw",
                &format!("{br}~2")
            ]),
            s.origin_git(&["log", "-1", "--format=%ad", "--date=raw", &a])
        );
        assert_eq!(s.file_at(&br, LIB), "one\nnewer\nthree\n");
        let notes = s.file_at(&br, "RELEASES.md");
        assert!(
            notes.starts_with(&format!("## {n}.0.1\n\nUnreleased.\n")),
            "{notes}"
        );
        assert!(
            notes.contains("### Fixed\n\n* Fix A\n* Fix B\n\n"),
            "{notes}"
        );
        assert!(
            notes.contains(&format!("## {n}.0.0\n\nReleased 2026-0{n}-20.")),
            "{notes}"
        );
    }
    assert!(!s.origin_git(&["branch", "--list", "ci/*"]).contains("ci/"));

    // Again: the two branches have both fixes, the first still conflicts.
    let state = s.state();
    let r = s.train("2026-03-26", &args(&[])).failure();
    assert!(
        r.stderr
            .contains("`release-2.0.0` has it (a cherry-pick of it)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("Summary landed: none; need a hand: release-1.0.0"),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), state);

    // The audit: the picks, the notes commit and the release commits pass.
    let r = s.train("2026-03-26", &["audit", "--supported"]).success();
    assert_eq!(r.stderr.matches("Audited").count(), 3, "{}", r.stderr);
    // Fix A picked by hand without -x onto release-1.0.0: its patch matches.
    s.git(&[
        "checkout",
        "--quiet",
        "-B",
        "release-1.0.0",
        "origin/release-1.0.0",
    ]);
    git_in(&s.ws, &["cherry-pick", a.as_str()]);
    s.git(&["push", "--quiet", "origin", "release-1.0.0"]);
    s.train("2026-03-26", &["audit", "--branch", "release-1.0.0"])
        .success();
    // A commit made only on release-3.0.0 fails it.
    s.git(&[
        "checkout",
        "--quiet",
        "-B",
        "release-3.0.0",
        "origin/release-3.0.0",
    ]);
    let only = commit_as(
        &s,
        ("Eve Hotfix", "eve@example.invalid"),
        "crates/core/src/hot.rs",
        "// hot\n",
        "Hotfix on the branch",
    );
    let r = s
        .train("2026-03-26", &["audit", "--branch", "release-3.0.0"])
        .failure();
    assert_eq!(
        r.stdout,
        format!(
            "release-3.0.0 {} Eve Hotfix <eve@example.invalid> Hotfix on the branch\n",
            &only[..10]
        )
    );
    assert!(
        r.stderr
            .contains("`release-3.0.0` has 1 commit not on `main`"),
        "{}",
        r.stderr
    );
    let r = s.train("2026-03-26", &["audit", "--supported"]).failure();
    assert_eq!(r.stderr.matches("Audited").count(), 2, "{}", r.stderr);

    // Backporting that commit elsewhere needs a reason, which the audit
    // then accepts.
    let state = s.state();
    let r = s
        .train("2026-03-26", &["backport", &only, "--to", "release-2.0.0"])
        .failure();
    assert!(
        r.stderr.contains(&format!(
            "{} \"Hotfix on the branch\" is not on `main`",
            &only[..10]
        )),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), state);
    s.train(
        "2026-03-26",
        &[
            "backport",
            &only,
            "--to",
            "release-2.0.0",
            "--not-on-main",
            "security fix, main is unaffected",
            "--no-notes",
        ],
    )
    .success();
    assert!(
        message(&s, "release-2.0.0").trim_end().ends_with(&format!(
            "(cherry picked from commit {only})\nBranch-only: security fix, main is unaffected"
        )),
        "{}",
        message(&s, "release-2.0.0")
    );
    s.train("2026-03-26", &["audit", "--branch", "release-2.0.0"])
        .success();
}

#[test]
fn audit_as_json() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    // A commit marked as the branch's own passes; a hotfix not marked fails.
    s.backport("Fix for this branch only");
    let only = s.commit_on("release-1.0.0", LIB, "// hot\n", "Hotfix on the branch");
    let args = ["audit", "--branch", "release-1.0.0", "--format", "json"];
    let r = s.train("2026-01-06", &args).failure();
    assert!(r.stdout.ends_with("}\n"), "{}", r.stdout);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "since": "cut",
            "branches": [{
                "branch": "release-1.0.0",
                "unmatched": [{
                    "id": only,
                    "author": "Train Test <test@example.invalid>",
                    "subject": "Hotfix on the branch",
                }],
            }],
            "passed": false,
        })
    );
    // The JSON is the whole report: the text's lines on stderr are not printed.
    assert_eq!(r.stderr, "");
    // Nothing is released yet, so nothing is supported: passed, exit 0.
    let r = s
        .train("2026-01-06", &["audit", "--supported", "--format", "json"])
        .success();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"since": "cut", "branches": [], "passed": true})
    );
}

const TOKEN: &str = "ghp_backportTestToken0123456789";

/// The sample on the GitHub simulator, cut (release-1.0.0), on `main`.
fn cut_with_github() -> (GithubSim, Sandbox) {
    let sim = GithubSim::start();
    let s = Sandbox::new(&format!(
        "forge = \"github\"\ngithub = {{ api-url = \"{}\", repository = \"o/r\" }}\n",
        sim.url()
    ));
    s.train_env("2026-01-05", &["cut"], &[("GITHUB_TOKEN", TOKEN)])
        .success();
    on_main(&s);
    (sim, s)
}

#[test]
fn with_github_a_pull_request_per_branch_and_hash_n_for_merged_ones() {
    let (sim, s) = cut_with_github();
    let token = [("GITHUB_TOKEN", TOKEN)];
    let fix = commit_as(
        &s,
        ("Ada Author", "ada@example.invalid"),
        "crates/core/src/a.rs",
        "// a\n",
        "Fix the thing (#41)",
    );
    let open = sim.merged_pull("Fix the thing", &fix, &[(&fix, "Fix the thing")]);
    let unmerged = sim.post(
        "/_test/merged-pull",
        serde_json::json!({"title": "Not yet", "head": "x", "base": "main", "merged": false, "commits": []}),
    )["number"]
        .as_u64()
        .unwrap();

    let state = s.state();
    let r = s
        .train_env(
            "2026-01-06",
            &["backport", &format!("#{unmerged}"), "--to", "release-1.0.0"],
            &token,
        )
        .failure();
    assert!(
        r.stderr
            .contains(&format!("pull request #{unmerged} is not merged")),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), state);

    let n = format!("#{open}");
    s.train_env(
        "2026-01-06",
        &["backport", &n, "--to", "release-1.0.0"],
        &token,
    )
    .success();
    let head = format!("ci/backport-release-1.0.0-{open}");
    let st = sim.state();
    let pr = st["pulls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["head"] == head.as_str())
        .unwrap_or_else(|| panic!("no pull request from {head}: {st}"))
        .clone();
    assert_eq!(pr["base"], "release-1.0.0");
    assert_eq!(
        pr["title"],
        format!("[release-1.0.0] Fix the thing (#{open})")
    );
    assert!(pr["body"].as_str().unwrap().contains("Ada Author"), "{pr}");
    // The branch itself is unchanged until the pull request is merged.
    assert_eq!(
        s.remote_oid("release-1.0.0"),
        Some(
            s.origin_git(&["rev-parse", &format!("{head}~2")])
                .trim()
                .to_string()
        )
    );
    assert!(
        message(&s, &format!("{head}~1")).contains(&format!("(cherry picked from commit {fix})"))
    );
    let notes = s.file_at(&head, "RELEASES.md");
    assert!(notes.starts_with("## 1.0.0\n"), "{notes}");
    assert!(
        notes.contains(&format!("### Fixed\n\n* Fix the thing (#{open})\n")),
        "{notes}"
    );

    // Again: the pull request waits; nothing changes.
    let state = s.state();
    let r = s
        .train_env(
            "2026-01-06",
            &["backport", &n, "--to", "release-1.0.0"],
            &token,
        )
        .success();
    assert!(
        r.stderr.contains(&format!("{head} waits for review")),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), state);
}

#[test]
fn a_merge_is_picked_against_its_first_parent_and_hash_n_needs_github() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    on_main(&s);
    let (_, merge) = merged_feature(&s, &["x", "y"], "Merge x and y");
    let tip = s.remote_oid("release-1.0.0").unwrap();
    s.train(
        "2026-01-06",
        &["backport", &merge, "--to", "release-1.0.0", "--no-notes"],
    )
    .success();
    // One commit, its parent the branch's tip, both files of the merge.
    assert_eq!(s.origin_git(&["rev-parse", "release-1.0.0^"]).trim(), tip);
    assert_eq!(
        s.origin_git(&["diff", "--name-only", &tip, "release-1.0.0"]),
        "crates/core/src/x.rs\ncrates/core/src/y.rs\n"
    );
    assert!(message(&s, "release-1.0.0").starts_with(&format!(
        "Merge x and y\n\n(cherry picked from commit {merge})"
    )));
    s.train("2026-01-06", &["audit", "--branch", "release-1.0.0"])
        .success();

    let state = s.state();
    let r = s
        .train("2026-01-06", &["backport", "#12", "--to", "release-1.0.0"])
        .failure();
    assert!(
        r.stderr
            .contains("`#12` names a pull request, which only the GitHub forge can look up"),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), state);
}

#[test]
fn hash_n_picks_rebased_commits_a_squash_or_a_merge_once_and_refuses_to_guess() {
    let (sim, s) = cut_with_github();
    let token = [("GITHUB_TOKEN", TOKEN)];
    let dev = ("Ada Author", "ada@example.invalid");
    // Rebase-merged: two commits on main, the pull request's commits had
    // other ids before the rebase.
    let one = commit_as(&s, dev, "crates/core/src/one.rs", "// 1\n", "Part one");
    let two = commit_as(&s, dev, "crates/core/src/two.rs", "// 2\n", "Part two");
    let rebased = sim.merged_pull(
        "Two parts",
        &two,
        &[
            ("1111111111111111111111111111111111111111", "Part one"),
            ("2222222222222222222222222222222222222222", "Part two"),
        ],
    );
    // Squash-merged: one commit titled after the pull request.
    let squash = commit_as(
        &s,
        dev,
        "crates/core/src/three.rs",
        "// 3\n",
        "Three in one (#7)",
    );
    let squashed = sim.merged_pull(
        "Three in one",
        &squash,
        &[
            ("3333333333333333333333333333333333333333", "a"),
            ("4444444444444444444444444444444444444444", "b"),
        ],
    );
    // Neither: a lone commit whose subject is neither the title nor the
    // pull request's commits'.
    let odd = commit_as(
        &s,
        dev,
        "crates/core/src/four.rs",
        "// 4\n",
        "Something else",
    );
    let unclear = sim.merged_pull(
        "Four",
        &odd,
        &[
            ("5555555555555555555555555555555555555555", "x"),
            ("6666666666666666666666666666666666666666", "y"),
        ],
    );

    // Merged with a merge commit: the merge is picked, as one change.
    let (side, merge) = merged_feature(&s, &["five"], "Merge pull request #9 from feature");
    let merged = sim.merged_pull("Five", &merge, &[(&side[0], "five")]);

    let pick = |n: u64| {
        s.train_env(
            "2026-01-06",
            &[
                "backport",
                &format!("#{n}"),
                "--to",
                "release-1.0.0",
                "--no-notes",
            ],
            &token,
        )
    };
    pick(rebased).success();
    let head = format!("ci/backport-release-1.0.0-{rebased}");
    for (rev, from) in [(format!("{head}~1"), &one), (head.clone(), &two)] {
        assert!(
            message(&s, &rev).contains(&format!("(cherry picked from commit {from})")),
            "{rev}"
        );
    }
    pick(squashed).success();
    let head = format!("ci/backport-release-1.0.0-{squashed}");
    assert!(message(&s, &head).contains(&format!("(cherry picked from commit {squash})")));
    // One pick, on the branch as it is.
    assert_eq!(
        s.origin_git(&["rev-parse", &format!("{head}~1")]).trim(),
        s.remote_oid("release-1.0.0").unwrap()
    );

    pick(merged).success();
    let head = format!("ci/backport-release-1.0.0-{merged}");
    assert!(message(&s, &head).contains(&format!("(cherry picked from commit {merge})")));
    assert_eq!(
        s.origin_git(&["rev-parse", &format!("{head}~1")]).trim(),
        s.remote_oid("release-1.0.0").unwrap()
    );
    assert_eq!(
        s.origin_git(&["diff", "--name-only", &format!("{head}~1"), &head])
            .trim(),
        "crates/core/src/five.rs"
    );

    let state = s.state();
    let r = pick(unclear).failure();
    assert!(
        r.stderr.contains(&format!(
            "cannot tell which commits of `main` are #{unclear}'s"
        )) && r.stderr.contains("name the commits instead"),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), state);
}

#[test]
fn a_backport_adapted_by_hand_passes_the_audit_by_its_pull_request_when_asked() {
    for (config, passes) in [
        ("", false),
        ("backport = { audit-pull-requests = true }\n", true),
    ] {
        let s = Sandbox::new(config);
        s.train("2026-01-05", &["cut"]).success();
        on_main(&s);
        let dev = ("Dev", "dev@example.invalid");
        commit_as(
            &s,
            dev,
            "crates/core/src/fix.rs",
            "// the fix\n",
            "Fix the thing (#41)",
        );
        // Squash-merged onto the branch by hand, adapted: another patch,
        // no cherry-pick trailer, naming main's pull request.
        s.git(&["fetch", "--quiet", "origin"]);
        s.git(&[
            "checkout",
            "--quiet",
            "-B",
            "release-1.0.0",
            "origin/release-1.0.0",
        ]);
        commit_as(
            &s,
            dev,
            "crates/core/src/fix.rs",
            "// the fix, adapted\n",
            "[1.0.x] Fix the thing (#42)\n\nBackport of #41.",
        );
        // A branch-only change naming no pull request of main fails either way.
        let r = s.train("2026-01-06", &["audit", "--branch", "release-1.0.0"]);
        if passes {
            r.success();
        } else {
            let r = r.failure();
            assert!(
                r.stdout.contains("[1.0.x] Fix the thing (#42)"),
                "{}",
                r.stdout
            );
        }
        commit_as(&s, dev, "crates/core/src/other.rs", "// x\n", "Tweak (#43)");
        let r = s
            .train("2026-01-06", &["audit", "--branch", "release-1.0.0"])
            .failure();
        assert!(r.stdout.contains("Tweak (#43)"), "{}", r.stdout);
        assert_eq!(r.stdout.contains("Fix the thing"), !passes, "{}", r.stdout);
    }
}
