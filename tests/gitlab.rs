//! The GitLab forge through the real binary, against a double of GitLab's
//! API that checks every request against GitLab's documented operations
//! (`tests/common/gitlab_sim.rs`): a month of the train, the tag gate on a
//! commit's pipeline, releases with their files in the generic package
//! registry, backports of `!N` and `#N`, and a patch set held until its
//! last member's pipeline passed.

mod common;
use common::gitlab_sim::{GitlabSim, PROJECT};
use common::sandbox::Sandbox;
use std::time::Duration;

const TOKEN: &str = "glpat-canaryTokenForCargoTrain0123456789";
const JOB_TOKEN: &str = "glcbt-jobCanaryTokenForCargoTrain98765";

/// The sample on the double; `extra` adds keys to `[gitlab]`.
fn sandbox(sim: &GitlabSim, extra: &str) -> Sandbox {
    // Inline: the sandbox's own keys follow in the same file.
    Sandbox::new(&config(sim, extra))
}

fn config(sim: &GitlabSim, extra: &str) -> String {
    format!(
        "forge = \"gitlab\"\ngitlab = {{ url = \"{}\", project = \"{PROJECT}\"{extra} }}\n",
        sim.url()
    )
}

/// `cargo train` with `env` (the token in `GITLAB_TOKEN` unless `env` sets
/// tokens itself), which never prints a token.
fn train_env(s: &Sandbox, date: &str, args: &[&str], env: &[(&str, &str)]) -> common::Run {
    let mut all = vec![("GITLAB_TOKEN", TOKEN)];
    all.extend_from_slice(env);
    let r = s.train_env(date, args, &all);
    for canary in [TOKEN, JOB_TOKEN] {
        assert!(
            !r.stdout.contains(canary) && !r.stderr.contains(canary),
            "a token was printed:\n{}\n{}",
            r.stdout,
            r.stderr
        );
    }
    r
}

fn train(s: &Sandbox, date: &str, args: &[&str]) -> common::Run {
    train_env(s, date, args, &[])
}

/// The targets (path and query) of the requests to `path`.
fn targets(sim: &GitlabSim, path: &str) -> Vec<String> {
    sim.requests()
        .into_iter()
        .filter(|r| r.path == path)
        .map(|r| r.target)
        .collect()
}

/// Every request went to the double's own host with the token in
/// `PRIVATE-TOKEN` only, and matched GitLab's documentation.
fn all_well(sim: &GitlabSim) {
    let host = format!("127.0.0.1:{}", sim.port);
    for r in sim.requests() {
        assert_eq!(r.host, host, "{r:?}");
        assert_eq!(r.private_token.as_deref(), Some(TOKEN), "{r:?}");
        assert_eq!((&r.job_token, &r.authorization), (&None, &None), "{r:?}");
        assert!(!r.target.contains(TOKEN), "{r:?}");
    }
    sim.assert_all_matched();
}

const API: &str = "/api/v4/projects/g%2Fr";

#[test]
fn the_double_refuses_what_gitlabs_documentation_does_not_allow() {
    let sim = GitlabSim::start(TOKEN, JOB_TOKEN);
    let token = [("PRIVATE-TOKEN", TOKEN)];
    let json = [
        ("PRIVATE-TOKEN", TOKEN),
        ("Content-Type", "application/json"),
    ];
    let refused = |(status, _, body): (u16, Vec<(String, String)>, serde_json::Value),
                   words: &str| {
        assert_eq!(status, 400, "{body}");
        let m = body["message"].as_str().unwrap();
        assert!(m.contains(words), "{words:?} not in: {m}");
    };
    let get = |target: &str| sim.send("GET", target, &token, b"");
    let post = |target: &str, body: &str| sim.send("POST", target, &json, body.as_bytes());
    // GitHub's and Forgejo's paths, methods, parameters and fields are not
    // GitLab's.
    refused(
        get(&format!("{API}/pulls")),
        "no documented path of GitLab's API is /projects/g%2Fr/pulls",
    );
    refused(
        sim.send("PATCH", &format!("{API}/merge_requests/1"), &json, b"{}"),
        "GitLab's API has no PATCH /projects/{id}/merge_requests/{merge_request_iid} (only GET, PUT)",
    );
    refused(
        get(&format!("{API}/merge_requests?state=open")),
        "query parameter `state` of GET /projects/{id}/merge_requests: `open` is not one of opened",
    );
    refused(
        get(&format!("{API}/merge_requests?head=o:ci/x")),
        "query parameter `head` is not one of GET /projects/{id}/merge_requests's",
    );
    refused(
        get(&format!("{API}/merge_requests?per_page=500")),
        "per_page of GET /projects/{id}/merge_requests: 500 is not 1 to 100",
    );
    refused(
        get(&format!("{API}/merge_requests/x")),
        "path parameter `merge_request_iid` of GET /projects/{id}/merge_requests/{merge_request_iid}: `x` is not an integer",
    );
    refused(
        post(
            &format!("{API}/merge_requests"),
            r#"{"source_branch": "a", "target_branch": "main", "title": "T", "body": "x"}"#,
        ),
        "body has a field `body` that is not documented",
    );
    refused(
        post(
            &format!("{API}/merge_requests"),
            r#"{"source_branch": "a", "title": "T"}"#,
        ),
        "body lacks the required field `target_branch`",
    );
    refused(
        sim.send("PUT", &format!("{API}/merge_requests/1"), &json, b"{}"),
        "PUT /projects/{id}/merge_requests/{merge_request_iid} needs at least one field",
    );
    refused(
        post(
            &format!("{API}/repository/tags"),
            r#"{"tag_name": "v1", "sha": "abc"}"#,
        ),
        "body has a field `sha` that is not documented",
    );
    refused(
        post(
            &format!("{API}/releases"),
            r#"{"tag_name": "v1", "prerelease": true}"#,
        ),
        "body has a field `prerelease` that is not documented",
    );
    refused(
        post(
            &format!("{API}/releases/v1/assets/links"),
            r#"{"name": "a", "url": "http://x/a", "link_type": "binary"}"#,
        ),
        "body.link_type `binary` is not one of other, runbook, image, package",
    );
    refused(
        sim.send(
            "PUT",
            &format!("{API}/packages/generic/r/v1.0.0/a%20b.tar.gz"),
            &token,
            b"x",
        ),
        "path parameter `file_name`",
    );
    refused(
        sim.send(
            "PUT",
            &format!("{API}/packages/generic/r/v1.0.0/a.tar.gz@"),
            &token,
            b"x",
        ),
        "path parameter `file_name` of PUT /projects/{id}/packages/generic/{package_name}/{package_version}/{file_name}: `a.tar.gz@` holds more than letters, digits and `._-+`",
    );
    refused(
        sim.send(
            "PUT",
            &format!("{API}/packages/generic/r/v1.0.0/a.tar.gz?select=package"),
            &token,
            b"x",
        ),
        "`package` is not one of package_file",
    );
    refused(
        sim.send(
            "PUT",
            &format!("{API}/packages/generic/r/v1..0/a.tar.gz"),
            &token,
            b"x",
        ),
        "`v1..0` is not a package version",
    );
    refused(
        sim.send(
            "POST",
            &format!("{API}/releases"),
            &[("PRIVATE-TOKEN", TOKEN), ("Content-Type", "text/plain")],
            b"x",
        ),
        "takes application/json, not text/plain",
    );
    refused(
        post(
            &format!("{API}/releases"),
            r#"{"tag_name": "v1", "milestones": "a", "milestone_ids": [1]}"#,
        ),
        "body has both `milestones` and `milestone_ids`",
    );
    refused(
        sim.send(
            "PUT",
            &format!("{API}/merge_requests/1"),
            &json,
            br#"{"title": ""}"#,
        ),
        "body.title must not be empty",
    );
    // Without the token, or with GitHub's header: 401. A job token is
    // taken where GitLab takes one, refused elsewhere.
    assert_eq!(
        sim.send("GET", &format!("{API}/pipelines"), &[], b"").0,
        401
    );
    let bearer = [("Authorization", "Bearer x")];
    assert_eq!(
        sim.send("GET", &format!("{API}/pipelines"), &bearer, b"").0,
        401
    );
    // Job tokens list a pipeline's jobs and merge requests, not pipelines
    // or a commit's statuses: there GitLab ignores them, as if none were
    // sent.
    let job = [("JOB-TOKEN", JOB_TOKEN)];
    let sha = "c".repeat(40);
    let id = sim.pipeline(&sha, "main", "push", &[("build", "success", false)]);
    let status = |target: &str| sim.send("GET", target, &job, b"").0;
    assert_eq!(status(&format!("{API}/pipelines/{id}/jobs")), 200);
    assert_eq!(status(&format!("{API}/merge_requests")), 200);
    assert_eq!(status(&format!("{API}/pipelines?sha={sha}")), 401);
    assert_eq!(
        status(&format!("{API}/repository/commits/{sha}/statuses")),
        401
    );

    // What the documentation allows is answered with documented entities
    // (the double checks its own answers and would have said 500), paged.
    for i in 0..3 {
        sim.open_mr(&format!("f{i}"), "main", "T");
    }
    let (status, headers, page) = get(&format!("{API}/merge_requests?state=opened&per_page=2"));
    assert_eq!((status, page.as_array().unwrap().len()), (200, 2), "{page}");
    let header = |k: &str| {
        headers
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("x-next-page"), Some("2"));
    assert_eq!(header("x-total"), Some("3"));
    let (_, headers, page) = get(&format!(
        "{API}/merge_requests?state=opened&per_page=2&page=2"
    ));
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "x-next-page" && v.is_empty())
    );
    let (status, _, mr) = post(
        &format!("{API}/merge_requests"),
        r#"{"source_branch": "ci/x", "target_branch": "main", "title": "T", "description": ""}"#,
    );
    assert_eq!((status, mr["iid"].as_u64()), (201, Some(4)), "{mr}");
    let (status, _, again) = post(
        &format!("{API}/merge_requests"),
        r#"{"source_branch": "ci/x", "target_branch": "main", "title": "T"}"#,
    );
    assert_eq!(status, 409, "{again}");
    let st = sim.state();
    assert!(st.broken.is_empty(), "{:?}", st.broken);
    assert_eq!(st.requests.len(), 29, "every request is logged");
    assert_eq!(
        st.requests.iter().filter(|r| r.refused.is_some()).count(),
        19
    );
}

#[test]
fn cut_opens_its_two_merge_requests_once() {
    let sim = GitlabSim::start(TOKEN, JOB_TOKEN);
    let s = sandbox(&sim, "");
    let r = train(&s, "2026-01-05", &["cut"]).success();
    for said in [
        "Opened merge request !1: Bump Rail to 2.0.0",
        "Opened merge request !2: Release Rail 1.0.0-rc.1",
    ] {
        assert!(r.stderr.contains(said), "{}", r.stderr);
    }
    {
        let st = sim.state();
        let view: Vec<_> = st
            .mrs
            .iter()
            .map(|m| {
                (
                    m.source.as_str(),
                    m.target.as_str(),
                    m.title.as_str(),
                    m.state.as_str(),
                )
            })
            .collect();
        assert_eq!(
            view,
            [
                ("ci/bump-to-2.0.0", "main", "Bump Rail to 2.0.0", "opened"),
                (
                    "ci/rc-1.0.0-rc.1",
                    "release-1.0.0",
                    "Release Rail 1.0.0-rc.1",
                    "opened"
                ),
            ]
        );
        assert!(st.mrs[1].description.contains("release candidate"));
    }
    assert!(s.remote_oid("ci/bump-to-2.0.0").is_some());
    assert!(s.remote_oid("ci/rc-1.0.0-rc.1").is_some());
    // Asked for by branch, the project's path encoded as its id.
    assert_eq!(
        targets(&sim, &format!("{API}/merge_requests"))[0],
        format!(
            "{API}/merge_requests?state=opened&source_branch=ci%2Fbump-to-2.0.0&target_branch=main&per_page=100"
        )
    );

    // Again: both are open, nothing is opened or changed.
    let before = sim.changes().len();
    let r = train(&s, "2026-01-05", &["cut"]).success();
    assert!(!r.stderr.contains("Opened"), "{}", r.stderr);
    assert_eq!(sim.changes()[before..], [] as [String; 0]);
    assert_eq!(sim.state().mrs.len(), 2);
    all_well(&sim);
}

/// The candidate's merge request merged into its release branch: the tip
/// to tag and the pushed range.
fn candidate_merged(s: &Sandbox) -> (String, String) {
    train(s, "2026-01-05", &["cut"]).success();
    merge(s, "release-1.0.0", "ci/rc-1.0.0-rc.1")
}

/// The pushed branch `head` merged into `branch` (fast-forward): the range
/// pushed and the new tip.
fn merge(s: &Sandbox, branch: &str, head: &str) -> (String, String) {
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
    let tip = s
        .git(&["rev-parse", &format!("origin/{head}")])
        .trim()
        .to_string();
    (tip.clone(), format!("{before}..{tip}"))
}

#[test]
fn the_tag_gate_reads_every_page_of_the_newest_pipelines_jobs() {
    let sim = GitlabSim::start(TOKEN, JOB_TOKEN);
    let s = sandbox(&sim, ", required-jobs = [\"build\"]");
    let (tip, range) = candidate_merged(&s);
    let tag = |s: &Sandbox| train(s, "2026-01-05", &["tag", "--range", &range]);

    // No pipeline yet: held.
    let r = tag(&s).failure();
    assert!(
        r.stderr
            .contains("not tagging `v1.0.0-rc.1` yet: checks still pending")
            && r.stderr.contains("build"),
        "{}",
        r.stderr
    );
    // An older pipeline whose `build` failed does not count; the newest
    // has 120 jobs, `build` the last, on the second page of 100.
    sim.pipeline(&tip, "release-1.0.0", "push", &[("build", "failed", false)]);
    let mut jobs: Vec<(String, &str, bool)> = (1..120)
        .map(|i| (format!("test-{i}"), "success", false))
        .collect();
    jobs.push(("build".into(), "running", false));
    // A job that is not required does not count, failed or not.
    jobs[7].1 = "failed";
    let jobs: Vec<(&str, &str, bool)> = jobs.iter().map(|(n, s, a)| (n.as_str(), *s, *a)).collect();
    let id = sim.pipeline(&tip, "release-1.0.0", "push", &jobs);
    let r = tag(&s).failure();
    assert!(
        r.stderr.contains(&format!(
            "not tagging `v1.0.0-rc.1` yet: checks still pending on {}: build",
            &tip[..10]
        )),
        "{}",
        r.stderr
    );
    sim.set_job(id, "build", "failed");
    let r = tag(&s).failure();
    assert!(
        r.stderr
            .contains("not tagging `v1.0.0-rc.1`: checks failed")
            && r.stderr.contains(": build\n"),
        "{}",
        r.stderr
    );
    assert!(sim.state().tags.is_empty());
    let jobs = format!("{API}/pipelines/{id}/jobs");
    assert_eq!(
        targets(&sim, &jobs)[..2],
        [
            format!("{jobs}?per_page=100"),
            format!("{jobs}?per_page=100&page=2")
        ]
    );
    assert_eq!(
        targets(&sim, &format!("{API}/pipelines"))[0],
        format!("{API}/pipelines?sha={tip}&order_by=id&sort=desc&per_page=100")
    );

    sim.set_job(id, "build", "success");
    let r = tag(&s).success();
    assert!(r.stderr.contains("Tagged `v1.0.0-rc.1`"), "{}", r.stderr);
    assert_eq!(sim.state().tags, [("v1.0.0-rc.1".to_string(), tip.clone())]);
    // Made through the API, not pushed with git.
    assert_eq!(s.origin_git(&["tag", "--list"]), "");

    // A re-run (a fresh checkout without the tag) finds it at this very
    // commit: success, nothing made twice.
    s.git(&["tag", "-d", "v1.0.0-rc.1"]);
    tag(&s).success();
    assert_eq!(
        targets(&sim, &format!("{API}/repository/tags/v1.0.0-rc.1")).len(),
        1
    );
    assert_eq!(sim.state().tags.len(), 1);

    // Someone tagged another commit with that name: never re-tagged.
    let base = range.split_once("..").unwrap().0.to_string();
    sim.state().tags = vec![("v1.0.0-rc.1".into(), base.clone())];
    s.git(&["tag", "-d", "v1.0.0-rc.1"]);
    let r = tag(&s).failure();
    assert!(
        r.stderr.contains(&format!(
            "`v1.0.0-rc.1` already exists on GitLab at {base}, not at {tip}; a released version is never re-tagged"
        )),
        "{}",
        r.stderr
    );
    all_well(&sim);
}

#[test]
fn in_gitlab_ci_the_gate_skips_its_own_job_and_waits_for_other_statuses() {
    let sim = GitlabSim::start(TOKEN, JOB_TOKEN);
    let s = sandbox(&sim, "");
    let (tip, range) = candidate_merged(&s);
    let tag = |s: &Sandbox| {
        train_env(
            s,
            "2026-01-05",
            &["tag", "--range", &range],
            &[("CI_JOB_NAME", "tag")],
        )
    };
    // The job asking runs in the commit's pipeline; a failure allowed to
    // fail does not fail it; another CI's status (an external pipeline) is
    // waited for.
    sim.pipeline(
        &tip,
        "release-1.0.0",
        "push",
        &[
            ("build", "success", false),
            ("lint", "failed", true),
            ("tag", "running", false),
        ],
    );
    let external = sim.pipeline(&tip, "release-1.0.0", "external", &[]);
    sim.set_status(&tip, "ext/fuzz", "running", external);
    let r = tag(&s).failure();
    assert!(
        r.stderr.contains(&format!(
            "not tagging `v1.0.0-rc.1` yet: checks still pending on {}: ext/fuzz",
            &tip[..10]
        )),
        "{}",
        r.stderr
    );
    sim.set_status(&tip, "ext/fuzz", "success", external);
    let r = tag(&s).success();
    assert!(r.stderr.contains("Tagged `v1.0.0-rc.1`"), "{}", r.stderr);
    all_well(&sim);
}

#[test]
fn a_month_on_gitlab_candidates_release_assets_and_backports() {
    let sim = GitlabSim::start(TOKEN, JOB_TOKEN);
    let s = sandbox(&sim, "");
    let green = |sha: &str, branch: &str| {
        sim.pipeline(sha, branch, "push", &[("build", "success", false)]);
    };

    // The cut, its candidate merged, green and tagged.
    let (tip, range) = candidate_merged(&s);
    green(&tip, "release-1.0.0");
    train(&s, "2026-01-05", &["tag", "--range", &range]).success();

    // A fix lands on the branch: the next candidate's merge request.
    s.backport("Fix");
    let r = train(&s, "2026-01-07", &["rc"]).success();
    assert!(r.stderr.contains("Candidate 1.0.0-rc.2"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("Opened merge request !3: Release Rail 1.0.0-rc.2"),
        "{}",
        r.stderr
    );
    let (tip, range) = merge(&s, "release-1.0.0", "ci/rc-1.0.0-rc.2");
    green(&tip, "release-1.0.0");
    train(&s, "2026-01-07", &["tag", "--range", &range]).success();

    // The release day: its merge request, merged, green, tagged.
    s.git(&["checkout", "--quiet", "main"]);
    let r = train(&s, "2026-01-20", &["release", "--branch", "release-1.0.0"]).success();
    assert!(
        r.stderr
            .contains("Opened merge request !4: Release Rail 1.0.0"),
        "{}",
        r.stderr
    );
    let (tip, range) = merge(&s, "release-1.0.0", "ci/release-1.0.0");
    green(&tip, "release-1.0.0");
    let r = train(&s, "2026-01-20", &["tag", "--range", &range]).success();
    assert!(r.stderr.contains("Tagged `v1.0.0`"), "{}", r.stderr);
    let tags: Vec<String> = sim.state().tags.iter().map(|t| t.0.clone()).collect();
    assert_eq!(tags, ["v1.0.0-rc.1", "v1.0.0-rc.2", "v1.0.0"]);

    // Its release, the files in the generic package registry and linked.
    s.git(&["fetch", "--quiet", "origin"]);
    s.git(&[
        "checkout",
        "--quiet",
        "-B",
        "release-1.0.0",
        "origin/release-1.0.0",
    ]);
    let dist = s.root().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("rail-1.0.0.tar.gz"), vec![7u8; 1000]).unwrap();
    std::fs::write(dist.join("SHA256SUMS"), "abc  rail.tar.gz\n").unwrap();
    let dist = dist.to_str().unwrap().to_string();
    let release = || {
        train(
            &s,
            "2026-01-21",
            &["github-release", "v1.0.0", "--assets", &dist],
        )
    };
    let r = release().success();
    assert!(
        r.stderr.contains("Released v1.0.0 (latest) with 2 assets"),
        "{}",
        r.stderr
    );
    let uploads = || {
        sim.changes()
            .iter()
            .filter(|c| c.starts_with("PUT /api/v4/projects/g%2Fr/packages/generic/r/v1.0.0/"))
            .count()
    };
    {
        let st = sim.state();
        assert_eq!(st.releases.len(), 1);
        let rel = &st.releases[0];
        assert_eq!((rel.tag.as_str(), rel.name.as_str()), ("v1.0.0", "v1.0.0"));
        assert!(
            rel.description
                .starts_with("## 1.0.0\n\nReleased 2026-01-20."),
            "{}",
            rel.description
        );
        let files: Vec<_> = st
            .packages
            .iter()
            .map(|p| {
                (
                    p.package.as_str(),
                    p.version.as_str(),
                    p.file.as_str(),
                    p.size,
                )
            })
            .collect();
        assert_eq!(
            files,
            [
                ("r", "v1.0.0", "SHA256SUMS", 17),
                ("r", "v1.0.0", "rail-1.0.0.tar.gz", 1000)
            ]
        );
        let links: Vec<_> = rel
            .links
            .iter()
            .map(|l| (l.name.as_str(), l.url.as_str(), l.link_type.as_str()))
            .collect();
        let url = format!("{}{API}/packages/generic/r/v1.0.0", sim.url());
        assert_eq!(
            links,
            [
                (
                    "SHA256SUMS",
                    format!("{url}/SHA256SUMS").as_str(),
                    "package"
                ),
                (
                    "rail-1.0.0.tar.gz",
                    format!("{url}/rail-1.0.0.tar.gz").as_str(),
                    "package"
                ),
            ]
        );
    }
    assert_eq!(uploads(), 2);
    // A file added since (as when a run stopped before it): only it, then
    // nothing.
    std::fs::write(s.root().join("dist/late.zip"), vec![1u8; 10]).unwrap();
    let r = release().success();
    assert!(
        r.stderr
            .contains("v1.0.0 exists without 1 of its assets: uploading them"),
        "{}",
        r.stderr
    );
    assert_eq!(uploads(), 3);
    let r = release().success();
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    assert_eq!(uploads(), 3);
    assert_eq!(sim.state().releases[0].links.len(), 3);

    // Backports of a merge request by `!N` and by `#N`: a merge-commit one
    // and a squashed one, each landed on main.
    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
    let one = commit_on_main(&s, "crates/core/src/one.rs", "Part one");
    let squashed = commit_on_main(&s, "crates/core/src/two.rs", "Two parts");
    let a = sim.merged_mr(
        "Part one",
        Some(&one),
        None,
        &[("1111111111111111111111111111111111111111", "Part one")],
    );
    let b = sim.merged_mr(
        "Two parts",
        None,
        Some(&squashed),
        &[
            ("2222222222222222222222222222222222222222", "Two, first"),
            ("3333333333333333333333333333333333333333", "Two, second"),
        ],
    );
    let open = sim.open_mr("other", "main", "Not yet");
    let state = s.state();
    let r = train(
        &s,
        "2026-01-22",
        &["backport", &format!("!{open}"), "--to", "release-1.0.0"],
    )
    .failure();
    assert!(
        r.stderr
            .contains(&format!("merge request !{open} is not merged (opened)")),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), state);
    for (n, sigil, from) in [(a, "!", &one), (b, "#", &squashed)] {
        let r = train(
            &s,
            "2026-01-22",
            &["backport", &format!("{sigil}{n}"), "--to", "release-1.0.0"],
        )
        .success();
        // The pick, under the notes commit.
        let head = format!("ci/backport-release-1.0.0-{n}");
        let message = s.origin_git(&["log", "-1", "--format=%B", &format!("{head}~1")]);
        assert!(
            message.contains(&format!("(cherry picked from commit {from})")),
            "{head}: {message}\n{}",
            r.stderr
        );
        let notes = s.file_at(&head, "RELEASES.md");
        let title = sim.state().mrs[n as usize - 1].title.clone();
        assert!(notes.contains(&format!("{title} ({sigil}{n})")), "{notes}");
        let st = sim.state();
        let mr = st
            .mrs
            .iter()
            .find(|m| m.source == head)
            .expect("its merge request");
        assert_eq!(mr.target, "release-1.0.0");
    }
    assert_eq!(
        targets(&sim, &format!("{API}/merge_requests/{b}/commits")),
        [format!("{API}/merge_requests/{b}/commits?per_page=100")]
    );
    all_well(&sim);
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
fn the_open_merge_request_is_found_on_a_later_page_after_a_rate_limit() {
    let sim = GitlabSim::start(TOKEN, JOB_TOKEN);
    let s = sandbox(&sim, "");
    // 101 open merge requests from the bump's branch into main, newest
    // first: its own is the oldest, on page 2; a fork's branch of the same
    // name is another merge request.
    sim.open_mr("ci/bump-to-2.0.0", "main", "old");
    for i in 0..99 {
        sim.open_fork_mr("ci/bump-to-2.0.0", "main", &format!("a fork's {i}"));
    }
    sim.open_fork_mr("ci/bump-to-2.0.0", "main", "a fork's last");
    sim.fail("GET", &format!("{API}/merge_requests"), 429, Some(1), 1);
    let r = train(&s, "2026-01-05", &["cut"]).success();
    assert!(
        r.stderr
            .contains("Updated merge request !1: Bump Rail to 2.0.0"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Retrying in"), "{}", r.stderr);
    {
        let st = sim.state();
        assert_eq!(
            (st.mrs[0].title.as_str(), st.mrs[0].edits),
            ("Bump Rail to 2.0.0", 1)
        );
        assert!(st.mrs[1..101].iter().all(|m| m.edits == 0));
    }
    let list = format!(
        "{API}/merge_requests?state=opened&source_branch=ci%2Fbump-to-2.0.0&target_branch=main&per_page=100"
    );
    assert_eq!(
        targets(&sim, &format!("{API}/merge_requests"))[..3],
        [list.clone(), list.clone(), format!("{list}&page=2")]
    );
    let log = sim.requests();
    let limited = log.iter().position(|r| r.status == 429).unwrap();
    assert!(
        log[limited + 1].at.duration_since(log[limited].at) >= Duration::from_millis(950),
        "asked again before Retry-After"
    );
    all_well(&sim);
}

#[test]
fn the_token_goes_to_no_other_host_and_comes_from_gitlab_token_or_ci_job_token() {
    let sim = GitlabSim::start(TOKEN, JOB_TOKEN);
    let elsewhere = GitlabSim::start(TOKEN, JOB_TOKEN);
    let s = sandbox(&sim, "");

    // No token: said, and nothing asked.
    let r = s.train_env("2026-01-05", &["cut"], &[]).failure();
    assert!(
        r.stderr
            .contains("the GitLab forge needs a token: set GITLAB_TOKEN"),
        "{}",
        r.stderr
    );
    assert!(sim.requests().is_empty());

    // A list whose next page is named on another host is not followed.
    for i in 0..101 {
        sim.open_fork_mr("ci/bump-to-2.0.0", "main", &format!("fork {i}"));
    }
    sim.state().next_pages_on = Some(elsewhere.url());
    let r = train(&s, "2026-01-05", &["cut"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "GitLab's next page {}{API}/merge_requests",
            elsewhere.url()
        )) && r.stderr.contains("is not under the API"),
        "{}",
        r.stderr
    );
    assert!(elsewhere.requests().is_empty(), "the token went elsewhere");
    sim.state().next_pages_on = None;

    // CI_JOB_TOKEN, as JOB-TOKEN: a release and its files, nothing else
    // (GitLab takes no job token to open a merge request, and answers 401).
    let from = sim.requests().len();
    let job = [("GITLAB_TOKEN", ""), ("CI_JOB_TOKEN", JOB_TOKEN)];
    let r = train_env(&s, "2026-01-21", &["cut"], &job).failure();
    assert!(r.stderr.contains("401"), "{}", r.stderr);
    sim.state().tags = vec![("v1.0.0".into(), "a".repeat(40))];
    let notes = "## 1.0.0\n\nReleased 2026-01-20.\n\n* First.\n";
    std::fs::write(s.ws.join("RELEASES.md"), notes).unwrap();
    s.git(&["tag", "v1.0.0"]);
    let dist = s.root().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("rail.tar.gz"), b"bytes").unwrap();
    let r = train_env(
        &s,
        "2026-01-21",
        &[
            "github-release",
            "v1.0.0",
            "--assets",
            dist.to_str().unwrap(),
        ],
        &job,
    )
    .success();
    assert!(
        r.stderr.contains("Released v1.0.0 (latest) with 1 asset\n"),
        "{}",
        r.stderr
    );
    assert_eq!(sim.state().releases[0].links.len(), 1);
    let log = sim.requests();
    for r in &log[from..] {
        assert_eq!(
            (r.job_token.as_deref(), r.private_token.as_deref()),
            (Some(JOB_TOKEN), None),
            "{r:?}"
        );
        assert_eq!(r.host, format!("127.0.0.1:{}", sim.port));
    }
    sim.assert_all_matched();
}

/// Three released branches (1.0.0, 2.0.0, 3.0.0) made through merge
/// requests in March 2026, then a fix landed on release-1.0.0 and
/// release-3.0.0 only.
fn three_branches(sim: &GitlabSim) -> Sandbox {
    let s = sandbox(sim, "");
    for (cut, release, n) in [
        ("03-01", "03-02", 1),
        ("03-05", "03-06", 2),
        ("03-09", "03-10", 3),
    ] {
        let branch = format!("release-{n}.0.0");
        train(&s, &format!("2026-{cut}"), &["cut", "--force"]).success();
        merge_reviews(&s);
        train(
            &s,
            &format!("2026-{release}"),
            &["release", "--branch", &branch],
        )
        .success();
        merge_reviews(&s);
        s.git(&["fetch", "--quiet", "origin"]);
        let tip = s.git(&["rev-parse", &format!("origin/{branch}")]);
        s.git(&["tag", &format!("v{n}.0.0"), tip.trim()]);
        s.git(&["push", "--quiet", "origin", &format!("v{n}.0.0")]);
    }
    for n in [1, 3] {
        let text = format!("Fix {n}");
        let file = format!("crates/core/src/fix_{n}.rs");
        s.commit_on("main", &file, &format!("// {text}\n"), &text);
        let branch = format!("release-{n}.0.0");
        s.git(&[
            "checkout",
            "--quiet",
            "-B",
            &branch,
            &format!("origin/{branch}"),
        ]);
        s.git(&["cherry-pick", "-x", "main"]);
        s.git(&["push", "--quiet", "origin", &branch]);
        s.git(&["checkout", "--quiet", "main"]);
    }
    s
}

/// Every pushed `ci/*` branch "merged": its tip pushed to its release
/// branch or main, then the branch deleted.
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
        let v = semver::Version::parse(v.strip_prefix("to-").unwrap_or(v)).unwrap();
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

#[test]
fn a_patch_set_is_tagged_only_when_its_last_members_pipeline_passed() {
    let sim = GitlabSim::start(TOKEN, JOB_TOKEN);
    let s = three_branches(&sim);
    let r = train(&s, "2026-03-20", &["patch", "--supported"]).success();
    let opened: Vec<(String, String)> = sim
        .state()
        .mrs
        .iter()
        .filter(|m| m.source.ends_with(".0.1"))
        .map(|m| (m.source.clone(), m.target.clone()))
        .collect();
    assert_eq!(
        opened,
        [
            ("ci/bump-to-3.0.1".to_string(), "release-3.0.0".to_string()),
            ("ci/bump-to-1.0.1".to_string(), "release-1.0.0".to_string())
        ],
        "{}",
        r.stderr
    );
    let r = train(&s, "2026-03-20", &["patch", "--supported"]).success();
    assert!(
        r.stderr.contains("ci/bump-to-3.0.1 is waiting for review"),
        "{}",
        r.stderr
    );

    // 3.0.1 merged and green: held, 1.0.1 is not merged.
    let (tip3, range3) = merge(&s, "release-3.0.0", "ci/bump-to-3.0.1");
    sim.pipeline(
        &tip3,
        "release-3.0.0",
        "push",
        &[("build", "success", false)],
    );
    let r = train(&s, "2026-03-20", &["tag", "--range", &range3]).success();
    assert!(
        r.stderr.contains("Holding") && r.stderr.contains("release-1.0.0 (1.0.1 not merged yet)"),
        "{}",
        r.stderr
    );
    assert!(sim.state().tags.is_empty());

    // 1.0.1 merged, its pipeline still running: nothing tagged.
    let (tip1, range1) = merge(&s, "release-1.0.0", "ci/bump-to-1.0.1");
    let id = sim.pipeline(
        &tip1,
        "release-1.0.0",
        "push",
        &[("build", "running", false)],
    );
    let r = train(&s, "2026-03-20", &["tag", "--range", &range1]).failure();
    assert!(
        r.stderr.contains(&format!(
            "checks still pending v1.0.1 on release-1.0.0 at {}: build",
            &tip1[..10]
        )),
        "{}",
        r.stderr
    );
    assert!(sim.state().tags.is_empty());

    // It passes: both tags, each at its own branch's commit.
    sim.set_job(id, "build", "success");
    let r = train(&s, "2026-03-20", &["tag", "--range", &range1]).success();
    assert!(
        r.stderr.contains("Tagged `v3.0.1`") && r.stderr.contains("Tagged `v1.0.1`"),
        "{}",
        r.stderr
    );
    let mut tags = sim.state().tags.clone();
    tags.sort();
    assert_eq!(
        tags,
        [("v1.0.1".to_string(), tip1), ("v3.0.1".to_string(), tip3)]
    );
    all_well(&sim);
}
