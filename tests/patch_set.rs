//! `patch --supported`: every supported branch with unreleased changes
//! patched in one push, and `tag` holding a set's tags until each member is
//! merged and its CI passed. Real git, a bare origin, fixed dates.

mod common;
use common::github_sim::GithubSim;
use common::sandbox::Sandbox;
use serde_json::json;

const TOKEN: &str = "ghp_canaryTokenForCargoTrainTests0123456789";

/// Three released branches (1.0.0, 2.0.0, 3.0.0) made by the train in
/// March 2026, then a fix landed on release-1.0.0 and release-3.0.0 only.
fn three_branches(config: &str, env: &[(&str, &str)]) -> Sandbox {
    let s = Sandbox::new(config);
    for (cut, release, n) in [
        ("03-01", "03-02", 1),
        ("03-05", "03-06", 2),
        ("03-09", "03-10", 3),
    ] {
        let branch = format!("release-{n}.0.0");
        s.train_env(&format!("2026-{cut}"), &["cut", "--force"], env)
            .success();
        merge_reviews(&s);
        s.train_env(
            &format!("2026-{release}"),
            &["release", "--branch", &branch],
            env,
        )
        .success();
        merge_reviews(&s);
        s.git(&["fetch", "--quiet", "origin"]);
        let tip = s.git(&["rev-parse", &format!("origin/{branch}")]);
        s.git(&["tag", &format!("v{n}.0.0"), tip.trim()]);
        s.git(&["push", "--quiet", "origin", &format!("v{n}.0.0")]);
    }
    for n in [1, 3] {
        fix(&s, &format!("release-{n}.0.0"), &format!("Fix {n}"));
    }
    s
}

/// Every pushed `ci/*` branch "merged": its tip pushed to its release
/// branch or main, as a fast-forward merge on a forge would.
fn merge_reviews(s: &Sandbox) {
    s.git(&["fetch", "--quiet", "--prune", "origin"]);
    for line in s
        .git(&[
            "for-each-ref",
            "--format=%(refname:short)",
            "refs/remotes/origin/ci/",
        ])
        .lines()
    {
        let name = line.strip_prefix("origin/ci/").unwrap();
        let (kind, v) = name.split_once('-').unwrap();
        let v = v.strip_prefix("to-").unwrap_or(v);
        let v = semver::Version::parse(v).unwrap();
        let base = if kind == "bump" && v.minor == 0 && v.patch == 0 {
            "main".to_string()
        } else {
            format!("release-{}.{}.0", v.major, v.minor)
        };
        s.git(&[
            "push",
            "--quiet",
            "origin",
            &format!("{line}:refs/heads/{base}"),
        ]);
        let ci = line.strip_prefix("origin/").unwrap();
        s.git(&["push", "--quiet", "origin", &format!(":refs/heads/{ci}")]);
    }
}

/// A fix landed on `main`, then cherry-picked by hand with `-x` onto
/// `branch` (the audit accepts it by its trailer).
fn fix(s: &Sandbox, branch: &str, text: &str) {
    let file = format!(
        "crates/core/src/{}.rs",
        text.replace(' ', "_").to_lowercase()
    );
    s.commit_on("main", &file, &format!("// {text}\n"), text);
    s.git(&[
        "checkout",
        "--quiet",
        "-B",
        branch,
        &format!("origin/{branch}"),
    ]);
    s.git(&["cherry-pick", "-x", "main"]);
    s.git(&["push", "--quiet", "origin", branch]);
    s.git(&["checkout", "--quiet", "main"]);
}

#[test]
fn a_patch_set_goes_out_in_one_push_and_is_tagged_together() {
    let s = three_branches("", &[]);
    let log = s.log_pushes();

    // A dry run prints both release commits and one push, and pushes nothing.
    let before = s.state();
    let r = s
        .train("2026-03-20", &["patch", "--supported", "--dry-run"])
        .success();
    assert!(r.stdout.contains("Release Rail 3.0.1"), "{}", r.stdout);
    assert!(r.stdout.contains("Release Rail 1.0.1"), "{}", r.stdout);
    assert!(!r.stdout.contains("2.0.1"), "{}", r.stdout);
    assert_eq!(
        r.stdout.matches("would run: git push").count(),
        1,
        "{}",
        r.stdout
    );
    assert_eq!(s.state(), before);

    let r = s.train("2026-03-20", &["patch", "--supported"]).success();
    assert!(
        r.stderr
            .contains("nothing landed on `release-2.0.0` since 2.0.0"),
        "{}",
        r.stderr
    );
    assert_eq!(
        log.pushes(),
        ["refs/heads/release-1.0.0 refs/heads/release-3.0.0"],
        "{}",
        r.stderr
    );
    for (branch, v) in [("release-3.0.0", "3.0.1"), ("release-1.0.0", "1.0.1")] {
        let msg = s.origin_git(&["log", "-1", "--format=%B", branch]);
        assert!(msg.starts_with(&format!("Release Rail {v}\n")), "{msg}");
        assert!(
            msg.trim_end().ends_with("Patch-set: v3.0.1, v1.0.1"),
            "{msg}"
        );
        assert!(
            s.file_at(branch, "Cargo.toml")
                .contains(&format!("version = \"{v}\""))
        );
    }
    assert!(
        s.file_at("release-2.0.0", "Cargo.toml")
            .contains("version = \"2.0.0\"")
    );

    // Without a forge both members land at once: one tag run tags the set
    // (a dry run prints both tags and makes none).
    let tip = s.remote_oid("release-1.0.0").unwrap();
    let three = s.remote_oid("release-3.0.0").unwrap();
    let before = s.state();
    let r = s
        .train(
            "2026-03-20",
            &["tag", "--range", &format!("{tip}~1..{tip}"), "--dry-run"],
        )
        .success();
    assert!(
        r.stdout
            .contains(&format!("1. would create tag v3.0.1 at {three}\n"))
            && r.stdout
                .contains(&format!("2. would create tag v1.0.1 at {tip}\n")),
        "{}",
        r.stdout
    );
    assert_eq!(s.state(), before);
    let r = s
        .train(
            "2026-03-20",
            &["tag", "--range", &format!("{tip}~1..{tip}")],
        )
        .success();
    assert!(r.stderr.contains("Tagged `v3.0.1`"), "{}", r.stderr);
    assert!(r.stderr.contains("Tagged `v1.0.1`"), "{}", r.stderr);
    assert_eq!(
        s.origin_git(&["rev-parse", "v3.0.1^{commit}"]).trim(),
        three
    );

    // A second run: nothing left on any branch.
    let r = s.train("2026-03-21", &["patch", "--supported"]).success();
    assert!(
        r.stderr
            .contains("no supported branch has unreleased changes"),
        "{}",
        r.stderr
    );

    // A fix made on release-2.0.0 alone: the audit stops every patch
    // before anything is planned, naming it.
    let hot = s.commit_on(
        "release-2.0.0",
        "crates/core/src/hot.rs",
        "// hot\n",
        "Hotfix on the branch",
    );
    s.git(&["checkout", "--quiet", "main"]);
    let before = s.state();
    for args in [
        &["patch", "--supported"][..],
        &["patch", "--branch", "release-2.0.0"],
    ] {
        let r = s.train("2026-03-22", args).failure();
        assert!(
            r.stderr.contains(&format!(
                "not patching: these commits are not on `main`:\n  release-2.0.0 {} Train Test <test@example.invalid> Hotfix on the branch\n",
                &hot[..10]
            )) && r.stderr.contains("`Branch-only: <why>`"),
            "{}",
            r.stderr
        );
        assert_eq!(s.state(), before);
    }

    // Released by hand as 2.0.1 all the same (as before the project used
    // the train): its message can no longer be mended, so it blocks no
    // later patch; `audit` still lists it, `audit --unreleased` does not.
    s.git(&["checkout", "--quiet", "release-2.0.0"]);
    s.train("2026-03-22", &["bump", "patch"]).success();
    s.git(&[
        "commit",
        "--quiet",
        "-am",
        "Release Rail 2.0.1\n\n[automatically-tag-and-release-this-commit]",
    ]);
    s.git(&["tag", "v2.0.1"]);
    s.git(&["push", "--quiet", "origin", "release-2.0.0", "v2.0.1"]);
    s.git(&["checkout", "--quiet", "main"]);
    fix(&s, "release-2.0.0", "Fix 5");
    let r = s
        .train("2026-03-23", &["audit", "--branch", "release-2.0.0"])
        .failure();
    assert!(r.stdout.contains("Hotfix on the branch"), "{}", r.stdout);
    s.train(
        "2026-03-23",
        &["audit", "--unreleased", "--branch", "release-2.0.0"],
    )
    .success();
    let r = s
        .train("2026-03-23", &["patch", "--branch", "release-2.0.0"])
        .success();
    assert!(
        r.stderr.contains("Patch 2.0.2 on `release-2.0.0`"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_patch_set_in_review_is_tagged_only_when_its_last_member_passed() {
    let sim = GithubSim::start();
    let config = format!(
        "forge = \"github\"\ngithub = {{ api-url = \"{}\", repository = \"o/r\" }}\n",
        sim.url()
    );
    let env = [("GITHUB_TOKEN", TOKEN)];
    let s = three_branches(&config, &env);
    let log = s.log_pushes();

    let r = s
        .train_env("2026-03-20", &["patch", "--supported"], &env)
        .success();
    assert_eq!(
        log.pushes(),
        ["refs/heads/ci/bump-to-1.0.1 refs/heads/ci/bump-to-3.0.1"],
        "{}",
        r.stderr
    );
    let prs: Vec<(String, String)> = sim.state()["pulls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["head"].as_str().is_some_and(|h| h.contains(".0.1")))
        .map(|p| {
            (
                p["head"].as_str().unwrap().into(),
                p["base"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        prs,
        [
            ("ci/bump-to-3.0.1".into(), "release-3.0.0".into()),
            ("ci/bump-to-1.0.1".into(), "release-1.0.0".into())
        ]
    );
    // A second run while the set is in review does nothing.
    let before = s.state();
    let r = s
        .train_env("2026-03-20", &["patch", "--supported"], &env)
        .success();
    assert!(
        r.stderr.contains("ci/bump-to-3.0.1 is waiting for review"),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), before);

    // 3.0.1 merged and green: held, 1.0.1 is not merged.
    let merge = |branch: &str, head: &str| {
        s.git(&["fetch", "--quiet", "origin"]);
        let before = s
            .git(&["rev-parse", &format!("origin/{branch}")])
            .trim()
            .to_string();
        s.git(&[
            "push",
            "--quiet",
            "origin",
            &format!("origin/{head}:refs/heads/{branch}"),
        ]);
        let after = s
            .git(&["rev-parse", &format!("origin/{head}")])
            .trim()
            .to_string();
        (format!("{before}..{after}"), after)
    };
    let green = |sha: &str| {
        sim.post(
            "/_test/check",
            json!({"sha": sha, "name": "build", "status": "completed", "conclusion": "success"}),
        );
    };
    let (range3, tip3) = merge("release-3.0.0", "ci/bump-to-3.0.1");
    green(&tip3);
    let r = s
        .train_env("2026-03-20", &["tag", "--range", &range3], &env)
        .success();
    assert!(
        r.stderr.contains("Holding") && r.stderr.contains("release-1.0.0 (1.0.1 not merged yet)"),
        "{}",
        r.stderr
    );
    let tags = || sim.state()["refs"].as_array().unwrap().len();
    assert_eq!(tags(), 0);
    let r = s.train_env("2026-03-20", &["status"], &env).success();
    assert!(
        r.stdout.contains(
            "patch set v3.0.1, v1.0.1 waits: v3.0.1 merged, v1.0.1 in review (ci/bump-to-1.0.1)"
        ),
        "{}",
        r.stdout
    );

    // 1.0.1 merged, its CI still running: nothing tagged, and it says why.
    let (range1, tip1) = merge("release-1.0.0", "ci/bump-to-1.0.1");
    sim.post(
        "/_test/check",
        json!({"sha": tip1, "name": "build", "status": "in_progress"}),
    );
    let r = s
        .train_env("2026-03-20", &["tag", "--range", &range1], &env)
        .failure();
    assert!(
        r.stderr.contains(&format!(
            "checks still pending v1.0.1 on release-1.0.0 at {}: build",
            &tip1[..10]
        )),
        "{}",
        r.stderr
    );
    assert_eq!(tags(), 0);

    // Its CI passes: both tags, each at its own branch's commit.
    sim.post("/_test/clear", json!({"sha": tip1}));
    green(&tip1);
    let r = s
        .train_env("2026-03-20", &["tag", "--range", &range1], &env)
        .success();
    assert!(
        r.stderr.contains("Tagged `v3.0.1`") && r.stderr.contains("Tagged `v1.0.1`"),
        "{}",
        r.stderr
    );
    let mut refs: Vec<(String, String)> = sim.state()["refs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ref"].as_str().unwrap().into(),
                r["sha"].as_str().unwrap().into(),
            )
        })
        .collect();
    refs.sort();
    let r = s.train_env("2026-03-21", &["status"], &env).success();
    assert!(!r.stdout.contains("patch set"), "{}", r.stdout);
    assert_eq!(
        refs,
        [
            ("refs/tags/v1.0.1".to_string(), tip1),
            ("refs/tags/v3.0.1".to_string(), tip3)
        ]
    );
}

#[test]
fn a_patch_set_pushed_while_github_was_down_gets_its_pull_requests_on_the_rerun() {
    let sim = GithubSim::start();
    let config = format!(
        "forge = \"github\"\ngithub = {{ api-url = \"{}\", repository = \"o/r\", retry-budget-secs = 2 }}\n",
        sim.url()
    );
    let env = [("GITHUB_TOKEN", TOKEN)];
    let s = three_branches(&config, &env);
    let log = s.log_pushes();

    sim.post("/_test/fault", json!({"status": 503}));
    let r = s
        .train_env("2026-03-20", &["patch", "--supported"], &env)
        .failure();
    assert!(
        r.stderr.contains("ci/bump-to-3.0.1") && r.stderr.contains("ci/bump-to-1.0.1"),
        "{}",
        r.stderr
    );
    assert_eq!(log.pushes().len(), 1);

    sim.post("/_test/fault", json!({}));
    let from = sim.request_count();
    let r = s
        .train_env("2026-03-20", &["patch", "--supported"], &env)
        .success();
    assert_eq!(
        sim.changes_since(from),
        ["POST /repos/o/r/pulls", "POST /repos/o/r/pulls"],
        "{}",
        r.stderr
    );
    assert_eq!(log.pushes().len(), 1, "the re-run pushed: {}", r.stderr);
    let bodies: Vec<String> = sim.state()["pulls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["head"].as_str().is_some_and(|h| h.ends_with(".0.1")))
        .map(|p| p["body"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(bodies.len(), 2);
    for b in bodies {
        assert!(b.contains("Part of the patch set v3.0.1, v1.0.1"), "{b}");
    }
    let from = sim.request_count();
    let r = s
        .train_env("2026-03-20", &["patch", "--supported"], &env)
        .success();
    assert!(sim.changes_since(from).is_empty(), "{}", r.stderr);
    assert!(r.stderr.contains("waiting for review"), "{}", r.stderr);
}

#[test]
fn without_release_tags_no_branch_is_supported_and_patch_says_why() {
    let s = Sandbox::new("");
    s.train("2026-03-01", &["cut"]).success();
    s.train("2026-03-02", &["release", "--branch", "release-1.0.0"])
        .success();
    let before = s.state();
    let r = s.train("2026-03-03", &["patch", "--supported"]).success();
    assert!(
        r.stderr.contains(
            "nothing to do: no release branch is supported on 2026-03-03 (support counts from a line's release tag, `vX.Y.0`"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(s.state().1, before.1);
    let r = s
        .train("2026-03-03", &["backport", "main", "--supported"])
        .failure();
    assert!(
        r.stderr
            .contains("no release branch is supported on 2026-03-03"),
        "{}",
        r.stderr
    );
    let r = s.train("2026-03-03", &["audit", "--supported"]).success();
    assert!(
        r.stderr
            .contains("Audited nothing: no release branch is supported on 2026-03-03"),
        "{}",
        r.stderr
    );
    assert_eq!(s.state().1, before.1);
}
