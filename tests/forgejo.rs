//! The Forgejo forge through the real binary, against a double of Forgejo's
//! API that checks every request against Forgejo's own API description
//! (`tests/common/forgejo_sim.rs`).

mod common;
use common::forgejo_sim::ForgejoSim;
use common::sandbox::Sandbox;
use std::time::Duration;

const TOKEN: &str = "forgejoCanaryTokenForCargoTrain0123456789";

/// The sample on the double; `extra` adds keys to `[forgejo]`.
fn sandbox(sim: &ForgejoSim, extra: &str) -> Sandbox {
    // Inline: the sandbox's own keys follow in the same file.
    Sandbox::new(&format!(
        "forge = \"forgejo\"\nforgejo = {{ url = \"{}\", repository = \"o/r\"{extra} }}\n",
        sim.url()
    ))
}

/// `cargo train` with the token in `FORGEJO_TOKEN`, which it never prints.
fn train(s: &Sandbox, date: &str, args: &[&str]) -> common::Run {
    let r = s.train_env(date, args, &[("FORGEJO_TOKEN", TOKEN)]);
    assert!(
        !r.stdout.contains(TOKEN) && !r.stderr.contains(TOKEN),
        "the token was printed:\n{}\n{}",
        r.stdout,
        r.stderr
    );
    r
}

/// The targets (path and query) of the requests to `path`.
fn targets(sim: &ForgejoSim, path: &str) -> Vec<String> {
    sim.requests()
        .into_iter()
        .filter(|r| r.path == path)
        .map(|r| r.target)
        .collect()
}

#[test]
fn the_double_refuses_what_forgejos_description_does_not_allow() {
    let sim = ForgejoSim::start(TOKEN);
    let auth = format!("token {TOKEN}");
    let json = Some("application/json");
    let send =
        |method, target, body: &str| sim.send(method, target, Some(&auth), json, body.as_bytes());
    let refused = |(status, body): (u16, serde_json::Value), words: &str| {
        assert_eq!(status, 400, "{body}");
        let m = body["message"].as_str().unwrap();
        assert!(m.contains(words), "{words:?} not in: {m}");
    };
    // GitHub's paths, methods, parameters and fields are not Forgejo's.
    refused(
        sim.send(
            "GET",
            "/api/v1/repos/o/r/commits/abc/check-runs",
            Some(&auth),
            None,
            b"",
        ),
        "no path of Forgejo's API is /repos/o/r/commits/abc/check-runs",
    );
    refused(
        send("POST", "/api/v1/repos/o/r/git/refs", "{}"),
        "Forgejo's API has no POST /repos/{owner}/{repo}/git/refs (only GET)",
    );
    refused(
        sim.send(
            "GET",
            "/api/v1/repos/o/r/pulls?state=open&per_page=100",
            Some(&auth),
            None,
            b"",
        ),
        "query parameter `per_page` is not one of GET /repos/{owner}/{repo}/pulls's",
    );
    refused(
        sim.send(
            "GET",
            "/api/v1/repos/o/r/pulls?state=opened",
            Some(&auth),
            None,
            b"",
        ),
        "query parameter `state` of GET /repos/{owner}/{repo}/pulls: value is \"opened\", not one of",
    );
    refused(
        sim.send("GET", "/api/v1/repos/o/r/pulls/x", Some(&auth), None, b""),
        "path parameter `index` of GET /repos/{owner}/{repo}/pulls/{index}: `x` is not an integer",
    );
    refused(
        send(
            "POST",
            "/api/v1/repos/o/r/releases",
            r#"{"tag_name": "v1", "make_latest": "true"}"#,
        ),
        "body has a field `make_latest` that the description does not name",
    );
    refused(
        send("POST", "/api/v1/repos/o/r/releases", r#"{"name": "v1"}"#),
        "body lacks the required field `tag_name`",
    );
    refused(
        send("POST", "/api/v1/repos/o/r/tags", r#"{"tag_name": 1}"#),
        "body.tag_name must be a string, not an integer",
    );
    refused(
        sim.send(
            "POST",
            "/api/v1/repos/o/r/pulls",
            Some(&auth),
            Some("text/plain"),
            b"x",
        ),
        "takes application/json, not text/plain",
    );
    refused(
        sim.send(
            "POST",
            "/api/v1/repos/o/r/releases/1/assets",
            Some(&auth),
            Some("multipart/form-data; boundary=b"),
            b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nx\r\n--b--\r\n",
        ),
        "has no form field `file`",
    );
    // Without the token: 401.
    assert_eq!(
        sim.send("GET", "/api/v1/repos/o/r/pulls", None, None, b"")
            .0,
        401
    );
    assert_eq!(
        sim.send(
            "GET",
            "/api/v1/repos/o/r/pulls",
            Some("Bearer x"),
            None,
            b""
        )
        .0,
        401
    );
    // What the description allows is answered, schema-valid (the double
    // checks its own answers and would have said 500).
    let (status, pr) = send(
        "POST",
        "/api/v1/repos/o/r/pulls",
        r#"{"head": "ci/x", "base": "main", "title": "T", "body": ""}"#,
    );
    assert_eq!((status, pr["number"].as_u64()), (201, Some(1)), "{pr}");
    assert_eq!(pr["head"]["ref"], "ci/x");
    let (status, combined) = sim.send(
        "GET",
        &format!("/api/v1/repos/o/r/commits/{}/status", "a".repeat(40)),
        Some(&auth),
        None,
        b"",
    );
    assert_eq!(
        (status, &combined["statuses"]),
        (200, &serde_json::Value::Null)
    );
    let st = sim.state();
    assert!(st.broken.is_empty(), "{:?}", st.broken);
    assert_eq!(st.requests.len(), 14, "every request is logged");
    assert_eq!(
        st.requests.iter().filter(|r| r.refused.is_some()).count(),
        10
    );
}

#[test]
fn cut_opens_its_two_pull_requests_once() {
    let sim = ForgejoSim::start(TOKEN);
    let s = sandbox(&sim, "");
    let r = train(&s, "2026-01-05", &["cut"]).success();
    assert!(
        r.stderr
            .contains("Opened pull request #1: Bump Rail to 2.0.0"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("Opened pull request #2: Release Rail 1.0.0-rc.1"),
        "{}",
        r.stderr
    );
    {
        let st = sim.state();
        let view: Vec<_> = st
            .pulls
            .iter()
            .map(|p| (p.head.as_str(), p.base.as_str(), p.title.as_str(), p.open))
            .collect();
        assert_eq!(
            view,
            [
                ("ci/bump-to-2.0.0", "main", "Bump Rail to 2.0.0", true),
                (
                    "ci/rc-1.0.0-rc.1",
                    "release-1.0.0",
                    "Release Rail 1.0.0-rc.1",
                    true
                ),
            ]
        );
        assert!(st.pulls[1].body.contains("release candidate"));
    }
    // The branches the pull requests come from were pushed.
    assert!(s.remote_oid("ci/bump-to-2.0.0").is_some());
    assert!(s.remote_oid("ci/rc-1.0.0-rc.1").is_some());

    // Again: both are open, nothing is opened.
    let before = sim.changes().len();
    let r = train(&s, "2026-01-05", &["cut"]).success();
    assert!(!r.stderr.contains("Opened"), "{}", r.stderr);
    assert_eq!(sim.changes()[before..], [] as [String; 0]);
    assert_eq!(sim.state().pulls.len(), 2);

    // Every request carried the token, in its header only, and matched
    // Forgejo's description.
    for r in sim.requests() {
        assert_eq!(
            r.auth.as_deref(),
            Some(format!("token {TOKEN}").as_str()),
            "{r:?}"
        );
        assert!(!r.target.contains(TOKEN));
    }
    sim.assert_all_matched();
}

/// The candidate's pull request merged into its release branch: the tip to
/// tag and the pushed range.
fn candidate_merged(s: &Sandbox) -> (String, String) {
    train(s, "2026-01-05", &["cut"]).success();
    s.git(&["fetch", "--quiet", "origin"]);
    s.git(&[
        "push",
        "--quiet",
        "origin",
        "origin/ci/rc-1.0.0-rc.1:refs/heads/release-1.0.0",
    ]);
    let base = s.git(&["rev-parse", "origin/main"]).trim().to_string();
    let tip = s
        .git(&["rev-parse", "origin/ci/rc-1.0.0-rc.1"])
        .trim()
        .to_string();
    (tip.clone(), format!("{base}..{tip}"))
}

#[test]
fn tag_holds_for_a_required_status_and_tags_through_the_api() {
    let sim = ForgejoSim::start(TOKEN);
    let s = sandbox(&sim, ", required-checks = [\"ci/build\"]");
    let (tip, range) = candidate_merged(&s);
    let tag = |s: &Sandbox| train(s, "2026-01-05", &["tag", "--range", &range]);

    // Not reported yet, then reported pending: held.
    let r = tag(&s).failure();
    assert!(
        r.stderr
            .contains("not tagging `v1.0.0-rc.1` yet: checks still pending")
            && r.stderr.contains("ci/build"),
        "{}",
        r.stderr
    );
    sim.set_status(&tip, "ci/build", "pending");
    // A status that is not required does not count.
    sim.set_status(&tip, "ci/lint", "failure");
    let r = tag(&s).failure();
    assert!(
        r.stderr.contains("checks still pending") && r.stderr.contains("ci/build"),
        "{}",
        r.stderr
    );
    sim.set_status(&tip, "ci/build", "failure");
    let r = tag(&s).failure();
    assert!(
        r.stderr
            .contains("not tagging `v1.0.0-rc.1`: checks failed")
            && r.stderr.contains(": ci/build\n"),
        "{}",
        r.stderr
    );
    // A warning is not green either.
    sim.set_status(&tip, "ci/build", "warning");
    tag(&s).failure();
    assert!(sim.state().tags.is_empty());

    sim.set_status(&tip, "ci/build", "success");
    let r = tag(&s).success();
    assert!(r.stderr.contains("Tagged `v1.0.0-rc.1`"), "{}", r.stderr);
    assert_eq!(sim.state().tags, [("v1.0.0-rc.1".to_string(), tip.clone())]);
    // Made through the API, not pushed with git.
    assert_eq!(s.origin_git(&["tag", "--list"]), "");
    let made = sim.changes();
    assert_eq!(
        made.iter()
            .filter(|c| *c == "POST /api/v1/repos/o/r/tags")
            .count(),
        1,
        "{made:?}"
    );

    // A re-run (a fresh checkout, where the tag is not fetched) finds the
    // tag Forgejo has at this very commit: success, nothing made twice.
    s.git(&["tag", "-d", "v1.0.0-rc.1"]);
    let r = tag(&s).success();
    assert!(r.stderr.contains("Tagged `v1.0.0-rc.1`"), "{}", r.stderr);
    assert_eq!(targets(&sim, "/api/v1/repos/o/r/tags/v1.0.0-rc.1").len(), 1);
    assert_eq!(sim.state().tags.len(), 1);

    // Someone tagged another commit with that name: never re-tagged.
    let base = range.split_once("..").unwrap().0.to_string();
    sim.state().tags = vec![("v1.0.0-rc.1".into(), base.clone())];
    s.git(&["tag", "-d", "v1.0.0-rc.1"]);
    let r = tag(&s).failure();
    assert!(
        r.stderr.contains(&format!(
            "`v1.0.0-rc.1` already exists on Forgejo at {base}, not at {tip}; a released version is never re-tagged"
        )),
        "{}",
        r.stderr
    );
    sim.assert_all_matched();
}

#[test]
fn every_page_of_statuses_is_read_by_their_count() {
    let sim = ForgejoSim::start(TOKEN);
    let s = sandbox(&sim, "");
    let (tip, range) = candidate_merged(&s);
    // 70 statuses, two pages of 50 (the combined status names no next
    // page: only X-Total-Count tells); the one failure is the last.
    for i in 1..=70 {
        let state = if i == 70 { "error" } else { "success" };
        sim.set_status(&tip, &format!("ci/ctx-{i}"), state);
    }
    let r = train(&s, "2026-01-05", &["tag", "--range", &range]).failure();
    assert!(
        r.stderr.contains(&format!(
            "not tagging `v1.0.0-rc.1`: checks failed on {}: ci/ctx-70\n",
            &tip[..10]
        )),
        "{}",
        r.stderr
    );
    let path = format!("/api/v1/repos/o/r/commits/{tip}/status");
    assert_eq!(
        targets(&sim, &path),
        [
            format!("{path}?limit=50"),
            format!("{path}?limit=50&page=2")
        ]
    );
    sim.set_status(&tip, "ci/ctx-70", "success");
    train(&s, "2026-01-05", &["tag", "--range", &range]).success();
    assert_eq!(sim.state().tags, [("v1.0.0-rc.1".to_string(), tip)]);
    sim.assert_all_matched();
}

#[test]
fn the_open_pull_request_is_found_on_a_later_page_after_a_rate_limit() {
    let sim = ForgejoSim::start(TOKEN);
    let s = sandbox(&sim, "");
    // The bump's pull request is the oldest of 61 open ones (listed newest
    // first, 50 a page): on page 2. A fork's branch of the same name is
    // another pull request.
    sim.open_pull("ci/bump-to-2.0.0", "main", "old");
    for i in 0..59 {
        sim.open_pull(&format!("feature-{i}"), "main", &format!("other {i}"));
    }
    let fork = sim.open_fork_pull("ci/bump-to-2.0.0", "main", "a fork's");
    // The first list is rate limited, and asked again after Retry-After.
    sim.fail("GET", "/api/v1/repos/o/r/pulls", 429, Some(1), 1);
    let r = train(&s, "2026-01-05", &["cut"]).success();
    assert!(
        r.stderr
            .contains("Updated pull request #1: Bump Rail to 2.0.0"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Retrying in"), "{}", r.stderr);
    {
        let st = sim.state();
        assert_eq!(st.pulls.len(), 62, "a pull request was opened twice");
        assert_eq!(
            (st.pulls[0].title.as_str(), st.pulls[0].edits),
            ("Bump Rail to 2.0.0", 1)
        );
        assert!(st.pulls[1..61].iter().all(|p| p.edits == 0));
        assert_eq!(st.pulls[fork as usize - 1].title, "a fork's");
    }
    let lists = targets(&sim, "/api/v1/repos/o/r/pulls");
    assert_eq!(
        lists[..3],
        [
            "/api/v1/repos/o/r/pulls?state=open&limit=50",
            "/api/v1/repos/o/r/pulls?state=open&limit=50",
            "/api/v1/repos/o/r/pulls?state=open&limit=50&page=2",
        ]
    );
    let log = sim.requests();
    let limited = log.iter().position(|r| r.status == 429).unwrap();
    let again = &log[limited + 1];
    assert_eq!(
        (again.path.as_str(), again.status),
        ("/api/v1/repos/o/r/pulls", 200)
    );
    assert!(
        again.at.duration_since(log[limited].at) >= Duration::from_millis(950),
        "asked again before Retry-After"
    );
    sim.assert_all_matched();
}

#[test]
fn releases_carry_their_notes_and_only_missing_assets_are_uploaded() {
    let sim = ForgejoSim::start(TOKEN);
    let s = sandbox(&sim, "");
    let notes = "## 2.0.0\n\nReleased 2026-02-20.\n\n* Two.\n\n--------------------------------------------------------------------------------\n\n\
                 ## 1.0.0\n\nReleased 2026-01-20.\n\n* First.\n\n--------------------------------------------------------------------------------\n";
    std::fs::write(s.ws.join("RELEASES.md"), notes).unwrap();
    let dist = s.ws.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("rail-1.0.0-rc.1.tar.gz"), vec![7u8; 1000]).unwrap();
    std::fs::write(dist.join("SHA256SUMS"), "abc  rail.tar.gz\n").unwrap();
    for t in ["v1.0.0-rc.1", "v1.0.0", "v2.0.0"] {
        s.git(&["tag", t]);
    }
    let release = |tag: &str, date: &str| {
        train(&s, date, &["github-release", tag, "--assets", "dist"]).success()
    };
    let r = release("v1.0.0-rc.1", "2026-01-06");
    assert!(
        r.stderr
            .contains("Released v1.0.0-rc.1 (pre-release) with 2 assets"),
        "{}",
        r.stderr
    );
    release("v2.0.0", "2026-02-20");
    {
        let st = sim.state();
        let view: Vec<_> = st
            .releases
            .iter()
            .map(|r| (r.tag.as_str(), r.name.as_str(), r.prerelease))
            .collect();
        assert_eq!(
            view,
            [
                ("v1.0.0-rc.1", "v1.0.0-rc.1", true),
                ("v2.0.0", "v2.0.0", false)
            ]
        );
        assert_eq!(
            st.releases[1].body,
            "## 2.0.0\n\nReleased 2026-02-20.\n\n* Two.\n"
        );
        // Each a multipart `attachment`, named by the query and its part.
        let assets: Vec<_> = st.releases[0]
            .assets
            .iter()
            .map(|a| (a.name.as_str(), a.size, a.filename.as_deref()))
            .collect();
        assert_eq!(
            assets,
            [
                ("SHA256SUMS", 17, Some("SHA256SUMS")),
                (
                    "rail-1.0.0-rc.1.tar.gz",
                    1000,
                    Some("rail-1.0.0-rc.1.tar.gz")
                ),
            ]
        );
    }

    // An asset added since (as when a run stopped before uploading it):
    // only it is uploaded, then nothing.
    std::fs::write(dist.join("late.zip"), vec![1u8; 10]).unwrap();
    let uploads = || {
        sim.changes()
            .iter()
            .filter(|c| c.ends_with("/assets"))
            .count()
    };
    let before = uploads();
    let r = release("v1.0.0-rc.1", "2026-02-21");
    assert!(
        r.stderr
            .contains("v1.0.0-rc.1 exists without 1 of its assets: uploading them"),
        "{}",
        r.stderr
    );
    assert_eq!(uploads(), before + 1);
    let r = release("v1.0.0-rc.1", "2026-02-21");
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    assert_eq!(uploads(), before + 1);
    let names: Vec<String> = sim.state().releases[0]
        .assets
        .iter()
        .map(|a| a.name.clone())
        .collect();
    assert_eq!(names, ["SHA256SUMS", "rail-1.0.0-rc.1.tar.gz", "late.zip"]);
    sim.assert_all_matched();
}

/// A commit by `message` writing `path`, pushed to main; its id.
fn commit_on_main(s: &Sandbox, path: &str, message: &str) -> String {
    std::fs::write(s.ws.join(path), format!("// {message}\n")).unwrap();
    s.git(&["add", path]);
    s.git(&["commit", "--quiet", "-m", message]);
    s.git(&["push", "--quiet", "origin", "main"]);
    s.git(&["rev-parse", "HEAD"]).trim().to_string()
}

#[test]
fn backport_of_a_merged_pull_request_picks_its_commits() {
    let sim = ForgejoSim::start(TOKEN);
    let s = sandbox(&sim, "");
    train(&s, "2026-01-05", &["cut"]).success();
    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
    // Rebase-merged: its two commits are the last two of main, with other
    // ids than they had in the pull request (listed newest first).
    let one = commit_on_main(&s, "crates/core/src/one.rs", "Part one");
    let two = commit_on_main(&s, "crates/core/src/two.rs", "Part two");
    let n = sim.merged_pull(
        "Two parts",
        &two,
        &[
            ("1111111111111111111111111111111111111111", "Part one"),
            ("2222222222222222222222222222222222222222", "Part two"),
        ],
    );
    let unmerged = sim.open_pull("other", "main", "Not yet");

    let state = s.state();
    let r = train(
        &s,
        "2026-01-06",
        &["backport", &format!("#{unmerged}"), "--to", "release-1.0.0"],
    )
    .failure();
    assert!(
        r.stderr
            .contains(&format!("pull request #{unmerged} is not merged (open)")),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), state);

    train(
        &s,
        "2026-01-06",
        &[
            "backport",
            &format!("#{n}"),
            "--to",
            "release-1.0.0",
            "--no-notes",
        ],
    )
    .success();
    let head = format!("ci/backport-release-1.0.0-{n}");
    for (rev, from) in [(format!("{head}~1"), &one), (head.clone(), &two)] {
        let message = s.origin_git(&["log", "-1", "--format=%B", &rev]);
        assert!(
            message.contains(&format!("(cherry picked from commit {from})")),
            "{rev}: {message}"
        );
    }
    assert_eq!(
        s.origin_git(&["rev-parse", &format!("{head}~2")]).trim(),
        s.remote_oid("release-1.0.0").unwrap()
    );
    {
        let st = sim.state();
        let pr = st
            .pulls
            .iter()
            .find(|p| p.head == head)
            .expect("its pull request");
        assert_eq!(pr.base, "release-1.0.0");
        assert_eq!(pr.title, "[release-1.0.0] Backport 2 changes");
    }
    assert_eq!(
        targets(&sim, &format!("/api/v1/repos/o/r/pulls/{n}/commits")),
        [format!(
            "/api/v1/repos/o/r/pulls/{n}/commits?verification=false&files=false&limit=50"
        )]
    );
    sim.assert_all_matched();
}

#[test]
fn the_token_comes_from_forgejo_token_or_gitea_token() {
    let sim = ForgejoSim::start(TOKEN);
    let s = sandbox(&sim, "");
    let r = s.train_env("2026-01-05", &["cut"], &[]).failure();
    assert!(
        r.stderr
            .contains("the Forgejo forge needs a token: set FORGEJO_TOKEN or GITEA_TOKEN"),
        "{}",
        r.stderr
    );
    assert!(sim.requests().is_empty());
    let r = s
        .train_env("2026-01-05", &["cut"], &[("GITEA_TOKEN", TOKEN)])
        .success();
    assert!(!r.stderr.contains(TOKEN) && !r.stdout.contains(TOKEN));
    assert_eq!(sim.state().pulls.len(), 2);
    sim.assert_all_matched();
}

/// Every open pull request from a `ci/` branch whose name starts with
/// `heads` merged, as Forgejo's fast-forward merge would: its base moved to
/// its head, the head branch deleted, the pull request marked merged. The
/// pushed ranges, by base.
fn merge(sim: &ForgejoSim, s: &Sandbox, heads: &str) -> Vec<(String, String)> {
    let mut ranges = Vec::new();
    let mut st = sim.state();
    for p in st
        .pulls
        .iter_mut()
        .filter(|p| p.open && p.head.starts_with(heads))
    {
        let head = s.remote_oid(&p.head).expect("the pull request's branch");
        let base = s.remote_oid(&p.base).expect("its base");
        s.origin_git(&[
            "update-ref",
            &format!("refs/heads/{}", p.base),
            &head,
            &base,
        ]);
        s.origin_git(&["update-ref", "-d", &format!("refs/heads/{}", p.head)]);
        p.open = false;
        p.merged = true;
        p.merge_commit_sha = Some(head.clone());
        ranges.push((p.base.clone(), format!("{base}..{head}")));
    }
    drop(st);
    s.git(&["fetch", "--quiet", "--prune", "origin"]);
    ranges
}

/// [`merge`] of every pull request the train opened.
fn merge_all(sim: &ForgejoSim, s: &Sandbox) -> Vec<(String, String)> {
    merge(sim, s, "ci/")
}

/// The range pushed to `base` by the last [`merge_all`], and its tip.
fn range_of(ranges: &[(String, String)], base: &str) -> (String, String) {
    let range = ranges
        .iter()
        .find(|(b, _)| b == base)
        .unwrap_or_else(|| panic!("nothing merged into {base}: {ranges:?}"))
        .1
        .clone();
    let tip = range.split_once("..").unwrap().1.to_string();
    (range, tip)
}

/// The tags Forgejo made, as its repository has them: pushed to the origin
/// (the double keeps them only in its state).
fn mirror_tags(sim: &ForgejoSim, s: &Sandbox) {
    for (name, sha) in sim.state().tags.clone() {
        s.origin_git(&["update-ref", &format!("refs/tags/{name}"), &sha]);
    }
    s.git(&["fetch", "--quiet", "--tags", "origin"]);
}

/// A month (and a bit) of the train on Forgejo, every request checked
/// against Forgejo's own API description: the cut's two pull requests,
/// candidates gated by a required status (a failure on the second page of
/// statuses holds the first), a backport of `#N`, the release and its
/// assets; a month on, a patch set of two branches held until its last
/// member's status passed.
#[test]
fn a_month_of_the_train_on_forgejo() {
    let sim = ForgejoSim::start(TOKEN);
    let s = sandbox(&sim, ", required-checks = [\"ci/build\"]");
    let green = |sha: &str| sim.set_status(sha, "ci/build", "success");
    let tag = |date: &str, range: &str| train(&s, date, &["tag", "--range", range]);
    let tags = || -> Vec<String> { sim.state().tags.iter().map(|(n, _)| n.clone()).collect() };

    // Jan 5, the cut: main's bump and the first candidate, two pull requests.
    let r = train(&s, "2026-01-05", &["cut"]).success();
    for opened in [
        "Opened pull request #1: Bump Rail to 2.0.0",
        "Opened pull request #2: Release Rail 1.0.0-rc.1",
    ] {
        assert!(r.stderr.contains(opened), "{}", r.stderr);
    }
    let merged = merge_all(&sim, &s);
    let (range, tip) = range_of(&merged, "release-1.0.0");

    // CI reports 55 statuses on the candidate, then the required one,
    // failed: on the second page (50 a page). The tag is held.
    for i in 1..=55 {
        sim.set_status(&tip, &format!("ci/job-{i}"), "success");
    }
    sim.set_status(&tip, "ci/build", "failure");
    let r = tag("2026-01-05", &range).failure();
    assert!(
        r.stderr.contains(&format!(
            "not tagging `v1.0.0-rc.1`: checks failed on {}: ci/build\n",
            &tip[..10]
        )),
        "{}",
        r.stderr
    );
    let statuses = format!("/api/v1/repos/o/r/commits/{tip}/status");
    assert_eq!(
        targets(&sim, &statuses),
        [
            format!("{statuses}?limit=50"),
            format!("{statuses}?limit=50&page=2")
        ]
    );
    assert!(tags().is_empty());
    // Run again, green: tagged through the API.
    green(&tip);
    let r = tag("2026-01-06", &range).success();
    assert!(r.stderr.contains("Tagged `v1.0.0-rc.1`"), "{}", r.stderr);
    mirror_tags(&sim, &s);

    // Jan 8, a fix merged on main by pull request, backported by its number.
    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
    let fix = commit_on_main(&s, "crates/core/src/fix.rs", "Fix the points");
    let n = sim.merged_pull("Fix the points", &fix, &[(&fix, "Fix the points")]);
    train(
        &s,
        "2026-01-08",
        &["backport", &format!("#{n}"), "--to", "release-1.0.0"],
    )
    .success();
    let head = format!("ci/backport-release-1.0.0-{n}");
    {
        let st = sim.state();
        let pr = st
            .pulls
            .iter()
            .find(|p| p.head == head)
            .expect("the backport's pull request");
        assert_eq!(
            (pr.base.as_str(), pr.title.as_str()),
            (
                "release-1.0.0",
                format!("[release-1.0.0] Fix the points (#{n})").as_str()
            )
        );
    }
    // The pick, then the notes' line for it.
    let picked = s.origin_git(&["log", "-1", "--format=%B", &format!("{head}~1")]);
    assert!(
        picked.contains(&format!("(cherry picked from commit {fix})")),
        "{picked}"
    );
    let merged = merge_all(&sim, &s);
    let (_, tip) = range_of(&merged, "release-1.0.0");
    green(&tip);

    // Jan 12, the second candidate, with the fix.
    let r = train(&s, "2026-01-12", &["rc", "--branch", "release-1.0.0"]).success();
    assert!(r.stderr.contains("Release Rail 1.0.0-rc.2"), "{}", r.stderr);
    let merged = merge_all(&sim, &s);
    let (range, tip) = range_of(&merged, "release-1.0.0");
    green(&tip);
    tag("2026-01-12", &range).success();
    mirror_tags(&sim, &s);

    // Jan 20, the release; tagged once green; its release on Forgejo with
    // the version's notes and its assets (the alias works as well).
    let r = train(&s, "2026-01-20", &["release"]).success();
    assert!(r.stderr.contains("Release Rail 1.0.0"), "{}", r.stderr);
    let merged = merge_all(&sim, &s);
    let (range, tip) = range_of(&merged, "release-1.0.0");
    let r = tag("2026-01-20", &range).failure();
    assert!(r.stderr.contains("checks still pending"), "{}", r.stderr);
    green(&tip);
    tag("2026-01-20", &range).success();
    assert_eq!(tags(), ["v1.0.0-rc.1", "v1.0.0-rc.2", "v1.0.0"]);
    mirror_tags(&sim, &s);
    s.git(&["checkout", "--quiet", "--detach", "v1.0.0"]);
    let dist = s.root().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("rail-1.0.0-x86_64-unknown-linux-gnu.tar.gz"),
        vec![3u8; 2000],
    )
    .unwrap();
    std::fs::write(
        dist.join("SHA256SUMS"),
        "abc  rail-1.0.0-x86_64-unknown-linux-gnu.tar.gz\n",
    )
    .unwrap();
    let dist = dist.to_str().unwrap();
    let r = train(
        &s,
        "2026-01-20",
        &["forge-release", "v1.0.0", "--assets", dist],
    )
    .success();
    assert!(
        r.stderr.contains("Released v1.0.0 (latest) with 2 assets"),
        "{}",
        r.stderr
    );
    let r = train(
        &s,
        "2026-01-20",
        &["github-release", "v1.0.0", "--assets", dist],
    )
    .success();
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    // A candidate's release is a pre-release, and never the latest.
    let r = train(&s, "2026-01-20", &["forge-release", "v1.0.0-rc.2"]).success();
    assert!(
        r.stderr
            .contains("Released v1.0.0-rc.2 (pre-release) with 0 assets"),
        "{}",
        r.stderr
    );
    {
        let st = sim.state();
        assert_eq!(st.releases.len(), 2);
        assert_eq!(
            (st.releases[1].tag.as_str(), st.releases[1].prerelease),
            ("v1.0.0-rc.2", true)
        );
        let rel = &st.releases[0];
        assert_eq!((rel.tag.as_str(), rel.prerelease), ("v1.0.0", false));
        assert!(
            rel.body.starts_with("## 1.0.0\n\nReleased 2026-01-20.\n"),
            "{}",
            rel.body
        );
        assert!(rel.body.contains("* Fix the points"), "{}", rel.body);
        let assets: Vec<_> = rel
            .assets
            .iter()
            .map(|a| (a.name.as_str(), a.size))
            .collect();
        assert_eq!(
            assets,
            [
                ("SHA256SUMS", 48),
                ("rail-1.0.0-x86_64-unknown-linux-gnu.tar.gz", 2000)
            ]
        );
    }
    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);

    // February: 2.0.0 cut and released the same way.
    train(&s, "2026-02-05", &["cut"]).success();
    let merged = merge_all(&sim, &s);
    let (range, tip) = range_of(&merged, "release-2.0.0");
    green(&tip);
    tag("2026-02-05", &range).success();
    mirror_tags(&sim, &s);
    train(&s, "2026-02-20", &["release", "--branch", "release-2.0.0"]).success();
    let merged = merge_all(&sim, &s);
    let (range, tip) = range_of(&merged, "release-2.0.0");
    green(&tip);
    tag("2026-02-20", &range).success();
    mirror_tags(&sim, &s);

    // A fix for both lines, cherry-picked onto each: one patch set.
    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
    commit_on_main(&s, "crates/core/src/both.rs", "Fix both lines");
    for branch in ["release-1.0.0", "release-2.0.0"] {
        s.git(&[
            "checkout",
            "--quiet",
            "-B",
            branch,
            &format!("origin/{branch}"),
        ]);
        s.git(&["cherry-pick", "-x", "main"]);
        s.git(&["push", "--quiet", "origin", branch]);
        green(s.git(&["rev-parse", "HEAD"]).trim());
    }
    s.git(&["checkout", "--quiet", "main"]);
    let r = train(&s, "2026-02-23", &["patch", "--supported"]).success();
    let opened: Vec<(String, String)> = sim
        .state()
        .pulls
        .iter()
        .filter(|p| p.open)
        .map(|p| (p.head.clone(), p.base.clone()))
        .collect();
    assert_eq!(
        opened,
        [
            ("ci/bump-to-2.0.1".to_string(), "release-2.0.0".to_string()),
            ("ci/bump-to-1.0.1".to_string(), "release-1.0.0".to_string())
        ],
        "{}",
        r.stderr
    );
    // 2.0.1 merged and green: held, 1.0.1 is not merged.
    let merged = merge(&sim, &s, "ci/bump-to-2.0.1");
    let (range2, tip2) = range_of(&merged, "release-2.0.0");
    green(&tip2);
    let r = tag("2026-02-23", &range2).success();
    assert!(
        r.stderr.contains("Holding") && r.stderr.contains("release-1.0.0 (1.0.1 not merged yet)"),
        "{}",
        r.stderr
    );
    assert_eq!(tags().len(), 5);
    let r = train(&s, "2026-02-23", &["status"]).success();
    assert!(
        r.stdout.contains(
            "patch set v2.0.1, v1.0.1 waits: v2.0.1 merged, v1.0.1 in review (ci/bump-to-1.0.1)"
        ),
        "{}",
        r.stdout
    );
    // 1.0.1 merged, its status pending: held, and it says why.
    let merged = merge_all(&sim, &s);
    let (range1, tip1) = range_of(&merged, "release-1.0.0");
    sim.set_status(&tip1, "ci/build", "pending");
    let r = tag("2026-02-23", &range1).failure();
    assert!(
        r.stderr.contains(&format!(
            "checks still pending v1.0.1 on release-1.0.0 at {}: ci/build",
            &tip1[..10]
        )),
        "{}",
        r.stderr
    );
    assert_eq!(tags().len(), 5);
    // Passed: both tags, each at its own branch's commit.
    green(&tip1);
    let r = tag("2026-02-23", &range1).success();
    assert!(
        r.stderr.contains("Tagged `v2.0.1`") && r.stderr.contains("Tagged `v1.0.1`"),
        "{}",
        r.stderr
    );
    let st = sim.state();
    let mut last = st.tags[5..].to_vec();
    last.sort();
    assert_eq!(
        last,
        [("v1.0.1".to_string(), tip1), ("v2.0.1".to_string(), tip2)]
    );
    drop(st);
    // A re-run from a checkout without those tags: Forgejo has both at
    // these commits, nothing is made twice.
    s.git(&["tag", "-d", "v2.0.1", "v1.0.1"]);
    let r = tag("2026-02-24", &range1).success();
    assert!(r.stderr.contains("Tagged `v1.0.1`"), "{}", r.stderr);
    assert_eq!(tags().len(), 7);
    // The token went in every request's header, and nowhere else.
    for r in sim.requests() {
        assert_eq!(
            r.auth.as_deref(),
            Some(format!("token {TOKEN}").as_str()),
            "{r:?}"
        );
        assert!(!r.target.contains(TOKEN));
    }
    sim.assert_all_matched();
}
