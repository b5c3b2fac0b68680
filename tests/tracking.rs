//! The tracking issue of a release (`[tracking] enabled = true`) on the
//! GitHub simulator: opened by `cut` with its checklist and dates, ticked
//! by every command of the month, found again among many open issues,
//! closed by the final forge release, a person's edits kept.

mod common;
use common::github_sim::GithubSim;
use common::sandbox::Sandbox;
use serde_json::{Value, json};

const TOKEN: &str = "ghp_canaryTokenForCargoTrainTests0123456789";
const MARKER: &str = "<!-- cargo-train: release 1.0.0 -->";

fn sandbox(sim: &GithubSim, tracking: &str) -> Sandbox {
    Sandbox::new(&format!(
        "forge = \"github\"\ngithub = {{ api-url = \"{}\", repository = \"o/r\" }}\ntracking = {tracking}\n",
        sim.url()
    ))
}

fn train(s: &Sandbox, date: &str, args: &[&str]) -> common::Run {
    let r = s.train_env(date, args, &[("GITHUB_TOKEN", TOKEN)]);
    assert!(
        !r.stdout.contains(TOKEN) && !r.stderr.contains(TOKEN),
        "the token was printed"
    );
    r
}

/// The issues the train opened (its marker in their body).
fn tracking_issues(sim: &GithubSim) -> Vec<Value> {
    sim.state()["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["body"].as_str().is_some_and(|b| b.contains(MARKER)))
        .cloned()
        .collect()
}

/// The one tracking issue.
fn issue(sim: &GithubSim) -> Value {
    let all = tracking_issues(sim);
    assert_eq!(all.len(), 1, "{all:#?}");
    all[0].clone()
}

fn body(sim: &GithubSim) -> String {
    issue(sim)["body"].as_str().unwrap().to_string()
}

/// The number of the pull request from `head`.
fn pull(sim: &GithubSim, head: &str) -> u64 {
    sim.state()["pulls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["head"] == head)
        .unwrap_or_else(|| panic!("no pull request from {head}"))["number"]
        .as_u64()
        .unwrap()
}

/// The line of `body` with the train's item `key`.
fn line<'a>(body: &'a str, key: &str) -> &'a str {
    let m = format!("<!-- cargo-train:{key} -->");
    let found: Vec<&str> = body.lines().filter(|l| l.ends_with(&m)).collect();
    assert_eq!(found.len(), 1, "`{key}` in:\n{body}");
    found[0]
}

fn ticked(body: &str, key: &str) -> bool {
    line(body, key).contains("- [x]")
}

/// The review branch `head` merged into `branch` (pushed there, as the
/// forge's merge does) with its checks green; the range to tag.
fn merge(s: &Sandbox, sim: &GithubSim, head: &str, branch: &str) -> String {
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
    sim.post(
        "/_test/check",
        json!({"sha": tip, "name": "ci", "status": "completed", "conclusion": "success"}),
    );
    format!("{before}..{tip}")
}

#[test]
fn a_month_of_the_train_keeps_its_tracking_issue() {
    let sim = GithubSim::start();
    let s = sandbox(&sim, "{ enabled = true }");

    // The cut opens the issue: checklist, the schedule's dates, the cut
    // ticked and both pull requests linked.
    train(&s, "2026-01-05", &["cut"]).success();
    let i = issue(&sim);
    assert_eq!(i["title"], "Release 1.0.0");
    assert_eq!(i["state"], "open");
    let b = body(&sim);
    assert!(b.starts_with(MARKER), "{b}");
    let (bump, rc1) = (
        pull(&sim, "ci/bump-to-2.0.0"),
        pull(&sim, "ci/rc-1.0.0-rc.1"),
    );
    assert!(ticked(&b, "cut"));
    assert!(
        line(&b, "cut").contains("Cut `release-1.0.0` from `main` (2026-01-05)"),
        "{b}"
    );
    assert!(
        line(&b, "release-pr").contains("(2026-01-20)")
            && line(&b, "fuzzing").contains("until 2026-01-20"),
        "{b}"
    );
    assert!(line(&b, "pr ci/bump-to-2.0.0").contains(&format!("#{bump}")));
    assert!(line(&b, "pr ci/rc-1.0.0-rc.1").contains(&format!("#{rc1}")));
    assert!(!ticked(&b, "rc 1.0.0-rc.1"));
    for k in [
        "candidates",
        "fuzzing",
        "release-pr",
        "tag",
        "publish",
        "forge-release",
    ] {
        assert!(!ticked(&b, k), "{k}: {b}");
    }
    let number = i["number"].as_u64().unwrap();

    // 150 issues opened since: the train finds its own on a later page.
    sim.post("/_test/issues", json!({"count": 150, "title": "Bug"}));
    // A person edits the body: a note, a reworded item, an item of theirs.
    let human = b
        .replace(
            "- [ ] Announcement",
            "- [ ] Announcement on the blog (@sam)",
        )
        .replace("## Checklist\n", "## Checklist\n\nOwner: @alex\n")
        + "- [ ] Tell the docs team\n";
    sim.post("/_test/issue", json!({"number": number, "body": human}));

    // A cut run again: nothing to do, the issue left alone.
    let from = sim.request_count();
    let r = train(&s, "2026-01-05", &["cut"]).success();
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    assert_eq!(sim.changes_since(from), Vec::<String>::new());

    // rc.1 merged and tagged: its line ticked.
    let range = merge(&s, &sim, "ci/rc-1.0.0-rc.1", "release-1.0.0");
    train(&s, "2026-01-06", &["tag", "--range", &range]).success();
    assert!(ticked(&body(&sim), "rc 1.0.0-rc.1"), "{}", body(&sim));
    assert!(!ticked(&body(&sim), "tag"));
    // The list was read to its last page to find the issue.
    let pages = sim.state()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == "/repos/o/r/issues" && r["method"] == "GET")
        .filter(|r| r["url"].as_str().unwrap().contains("page=2"))
        .count();
    assert!(pages > 0, "the second page of issues was never read");

    // A fix, then rc.2: its line with its pull request.
    s.backport("Fix");
    s.git(&["checkout", "--quiet", "main"]);
    train(&s, "2026-01-12", &["rc", "--branch", "release-1.0.0"]).success();
    let rc2 = pull(&sim, "ci/rc-1.0.0-rc.2");
    let b = body(&sim);
    assert!(
        line(&b, "rc 1.0.0-rc.2").contains(&format!("`1.0.0-rc.2`: #{rc2}")),
        "{b}"
    );
    // Run again: no second line, no edit.
    let from = sim.request_count();
    train(&s, "2026-01-12", &["rc", "--branch", "release-1.0.0"]).success();
    assert_eq!(sim.changes_since(from), Vec::<String>::new());
    let range = merge(&s, &sim, "ci/rc-1.0.0-rc.2", "release-1.0.0");
    train(&s, "2026-01-13", &["tag", "--range", &range]).success();

    // The release's dry run changes nothing on GitHub, and says what the
    // real run does to the issue.
    let from = sim.request_count();
    let dry = train(&s, "2026-01-20", &["release", "--dry-run"]).success();
    assert!(
        dry.stdout.contains(&format!(
            "would edit the tracking issue #{number} \"Release 1.0.0\""
        )),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("would tick `fuzzing`"),
        "{}",
        dry.stdout
    );
    assert_eq!(sim.changes_since(from), Vec::<String>::new());

    // The release: its pull request linked, candidates and fuzzing done.
    train(&s, "2026-01-20", &["release"]).success();
    let release_pr = pull(&sim, "ci/release-1.0.0");
    let b = body(&sim);
    assert!(
        line(&b, "pr ci/release-1.0.0").contains(&format!("#{release_pr}")),
        "{b}"
    );
    assert!(ticked(&b, "candidates") && ticked(&b, "fuzzing"), "{b}");
    assert!(!ticked(&b, "release-pr"), "{b}");

    // Merged and tagged.
    let range = merge(&s, &sim, "ci/release-1.0.0", "release-1.0.0");
    train(&s, "2026-01-20", &["tag", "--range", &range]).success();
    let b = body(&sim);
    assert!(ticked(&b, "release-pr") && ticked(&b, "tag"), "{b}");
    assert_eq!(issue(&sim)["state"], "open");

    // The forge release, the last step: ticked, and the issue closed.
    s.git(&["fetch", "--quiet", "origin"]);
    s.git(&[
        "checkout",
        "--quiet",
        "-B",
        "release-1.0.0",
        "origin/release-1.0.0",
    ]);
    let r = train(&s, "2026-01-20", &["forge-release", "v1.0.0"]).success();
    assert!(
        r.stderr
            .contains(&format!("Closed issue #{number}: Release 1.0.0")),
        "{}",
        r.stderr
    );
    let i = issue(&sim);
    assert_eq!(
        (i["state"].as_str(), i["state_reason"].as_str()),
        (Some("closed"), Some("completed"))
    );
    let b = body(&sim);
    assert!(ticked(&b, "forge-release"), "{b}");

    // What the person wrote is all still there, and nothing twice.
    assert!(b.contains("\nOwner: @alex\n"), "{b}");
    assert!(b.contains("- [ ] Tell the docs team\n"), "{b}");
    assert!(
        line(&b, "announcement").starts_with("- [ ] Announcement on the blog (@sam)"),
        "{b}"
    );
    for k in [
        "cut",
        "candidates",
        "rc 1.0.0-rc.1",
        "rc 1.0.0-rc.2",
        "pr ci/release-1.0.0",
    ] {
        line(&b, k);
    }
    assert_eq!(b.matches(MARKER).count(), 1);

    // Run again after the close: no new issue, nothing changed.
    let from = sim.request_count();
    train(&s, "2026-01-21", &["forge-release", "v1.0.0"]).success();
    train(&s, "2026-01-21", &["tag", "--range", &range]).success();
    assert_eq!(sim.changes_since(from), Vec::<String>::new());
    assert_eq!(tracking_issues(&sim).len(), 1);
}

#[test]
fn a_dry_run_cut_prints_the_issue_and_changes_nothing() {
    let sim = GithubSim::start();
    let s = sandbox(&sim, "{ enabled = true }");
    let from = sim.request_count();
    let r = train(&s, "2026-01-05", &["cut", "--dry-run"]).success();
    assert!(
        r.stdout
            .contains("would open the tracking issue \"Release 1.0.0\":"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(MARKER), "{}", r.stdout);
    assert!(
        r.stdout.contains("Fuzzing period, until 2026-01-20"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("would tick `cut`"), "{}", r.stdout);
    assert_eq!(sim.changes_since(from), Vec::<String>::new());
    assert!(sim.state()["issues"].as_array().unwrap().is_empty());
}

#[test]
fn tracking_is_opt_in() {
    let sim = GithubSim::start();
    let s = Sandbox::new(&format!(
        "forge = \"github\"\ngithub = {{ api-url = \"{}\", repository = \"o/r\" }}\n",
        sim.url()
    ));
    train(&s, "2026-01-05", &["cut"]).success();
    let asked: Vec<Value> = sim.state()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().contains("/issues"))
        .cloned()
        .collect();
    assert_eq!(asked, Vec::<Value>::new());
}

#[test]
fn the_title_and_template_are_the_projects_and_an_issue_is_found_by_its_marker() {
    let sim = GithubSim::start();
    let s = sandbox(
        &sim,
        "{ enabled = true, title = \"Rail {version} tracking\", template = \"ci/tracking.md\" }",
    );
    std::fs::write(
        s.ws.join("ci/tracking.md"),
        "Shipping {project} {version} from `{branch}` on {release_date} as `{tag}`.\n\n\
         - [ ] Branch cut {cut_date} <!-- cargo-train:cut -->\n\
         - [ ] Tagged <!-- cargo-train:tag -->\n",
    )
    .unwrap();
    s.git(&["add", "ci/tracking.md"]);
    s.git(&["commit", "--quiet", "-m", "Tracking template"]);
    s.git(&["push", "--quiet", "origin", "main"]);
    train(&s, "2026-01-05", &["cut"]).success();
    let i = issue(&sim);
    assert_eq!(i["title"], "Rail 1.0.0 tracking");
    let b = i["body"].as_str().unwrap();
    assert_eq!(
        b,
        format!(
            "{MARKER}\nShipping Rail 1.0.0 from `release-1.0.0` on 2026-01-20 as `v1.0.0`.\n\n\
             - [x] Branch cut 2026-01-05 <!-- cargo-train:cut -->\n  \
             - #1: `main` to the next development version <!-- cargo-train:pr ci/bump-to-2.0.0 -->\n  \
             - #2: the first candidate, 1.0.0-rc.1 <!-- cargo-train:pr ci/rc-1.0.0-rc.1 -->\n\
             - [ ] Tagged <!-- cargo-train:tag -->\n\
             - [ ] `1.0.0-rc.1`: #2 <!-- cargo-train:rc 1.0.0-rc.1 -->\n"
        )
    );
    // A decoy with the same title opened after it (listed first): the
    // train's own is the one with its marker.
    let number = i["number"].as_u64().unwrap();
    sim.post(
        "/repos/o/r/issues",
        json!({"title": "Rail 1.0.0 tracking", "body": "Not the train's."}),
    );
    let range = merge(&s, &sim, "ci/rc-1.0.0-rc.1", "release-1.0.0");
    train(&s, "2026-01-06", &["tag", "--range", &range]).success();
    let issues = sim.state()["issues"].as_array().unwrap().clone();
    let mine = issues.iter().find(|i| i["number"] == number).unwrap();
    assert!(
        mine["body"]
            .as_str()
            .unwrap()
            .contains("- [x] `1.0.0-rc.1`: #2"),
        "{mine:#?}"
    );
    let decoy = issues.iter().find(|i| i["number"] != number).unwrap();
    assert_eq!(decoy["body"], "Not the train's.");
}

#[test]
fn a_template_that_is_missing_stops_the_cut_before_anything_is_pushed() {
    let sim = GithubSim::start();
    let s = sandbox(&sim, "{ enabled = true, template = \"ci/none.md\" }");
    let state = s.state();
    let r = train(&s, "2026-01-05", &["cut"]).failure();
    assert!(r.stderr.contains("tracking.template"), "{}", r.stderr);
    assert_eq!(s.state(), state);
    assert_eq!(sim.changes_since(0), Vec::<String>::new());
}

#[test]
fn the_simulator_refuses_what_githubs_description_does_not_name() {
    let sim = GithubSim::start();
    // A field of another forge's API (GitLab's `description`).
    let a = sim.post(
        "/repos/o/r/issues",
        json!({"title": "x", "description": "GitLab's name"}),
    );
    assert!(
        a["message"]
            .as_str()
            .unwrap_or_default()
            .contains("field `description`"),
        "{a}"
    );
    // The title is required.
    let a = sim.post("/repos/o/r/issues", json!({"body": "no title"}));
    assert!(a.get("number").is_none(), "{a}");
    // A query parameter the list does not take.
    let a = sim.get_answer("/repos/o/r/issues?state=opened");
    assert!(a.get("number").is_none() && !a.is_array(), "{a}");
    let a = sim.get_answer("/repos/o/r/issues?search=Release");
    assert!(
        a["message"]
            .as_str()
            .unwrap_or_default()
            .contains("query parameter `search`"),
        "{a}"
    );
    assert!(sim.state()["issues"].as_array().unwrap().is_empty());
}

mod forgejo {
    //! The same on the Forgejo double, which checks every request against
    //! Forgejo's API description (issues included).
    use super::{MARKER, common};
    use common::forgejo_sim::ForgejoSim;
    use common::sandbox::Sandbox;

    const TOKEN: &str = "forgejoCanaryTokenForCargoTrain0123456789";

    fn train(s: &Sandbox, date: &str, args: &[&str]) -> common::Run {
        s.train_env(date, args, &[("FORGEJO_TOKEN", TOKEN)])
    }

    fn merge(s: &Sandbox, sim: &ForgejoSim, head: &str, branch: &str) -> String {
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
        sim.set_status(&tip, "ci", "success");
        format!("{before}..{tip}")
    }

    #[test]
    fn a_release_keeps_its_tracking_issue_on_forgejo() {
        let sim = ForgejoSim::start(TOKEN);
        let s = Sandbox::new(&format!(
            "forge = \"forgejo\"\nforgejo = {{ url = \"{}\", repository = \"o/r\" }}\ntracking = {{ enabled = true }}\n",
            sim.url()
        ));
        train(&s, "2026-01-05", &["cut"]).success();
        let (number, body) = {
            let st = sim.state();
            assert_eq!(st.issues.len(), 1);
            let i = &st.issues[0];
            assert_eq!(i.title, "Release 1.0.0");
            (i.number, i.body.clone())
        };
        assert!(body.starts_with(MARKER), "{body}");
        assert!(
            body.contains("- [x] Cut `release-1.0.0` from `main` (2026-01-05)"),
            "{body}"
        );
        assert!(
            body.contains("- #1: `main` to the next development version"),
            "{body}"
        );
        assert!(body.contains("- [ ] `1.0.0-rc.1`: #2"), "{body}");
        // 60 issues of others: the train's is found on a later page.
        for n in 0..60 {
            sim.send(
                "POST",
                "/api/v1/repos/o/r/issues",
                Some(&format!("token {TOKEN}")),
                Some("application/json"),
                format!("{{\"title\": \"Bug {n}\"}}").as_bytes(),
            );
        }
        let before = sim.changes().len();
        train(&s, "2026-01-05", &["cut"]).success();
        assert_eq!(
            sim.changes().len(),
            before,
            "a second cut changed something"
        );

        train(&s, "2026-01-20", &["release"]).success();
        let range = merge(&s, &sim, "ci/release-1.0.0", "release-1.0.0");
        train(&s, "2026-01-20", &["tag", "--range", &range]).success();
        s.git(&["fetch", "--quiet", "origin"]);
        s.git(&[
            "checkout",
            "--quiet",
            "-B",
            "release-1.0.0",
            "origin/release-1.0.0",
        ]);
        let r = train(&s, "2026-01-20", &["forge-release", "v1.0.0"]).success();
        assert!(
            r.stderr.contains(&format!("Closed issue #{number}")),
            "{}",
            r.stderr
        );
        let st = sim.state();
        let i = st.issues.iter().find(|i| i.number == number).unwrap();
        assert!(!i.open);
        for item in ["release-pr", "tag", "forge-release", "candidates"] {
            assert!(
                i.body.lines().any(|l| l.starts_with("- [x]")
                    && l.ends_with(&format!("<!-- cargo-train:{item} -->"))),
                "{item}: {}",
                i.body
            );
        }
        assert_eq!(
            st.issues.iter().filter(|i| i.body.contains(MARKER)).count(),
            1
        );
        drop(st);
        sim.assert_all_matched();
    }
}

mod gitlab {
    //! The same on the GitLab double, which checks every request against
    //! the operations transcribed from GitLab's documentation (issues
    //! included); merge requests are `!N` there.
    use super::{MARKER, common};
    use common::gitlab_sim::{GitlabSim, PROJECT};
    use common::sandbox::Sandbox;

    const TOKEN: &str = "glpat-canaryTokenForCargoTrain0123456789";

    fn train(s: &Sandbox, date: &str, args: &[&str]) -> common::Run {
        s.train_env(date, args, &[("GITLAB_TOKEN", TOKEN)])
    }

    fn merge(s: &Sandbox, sim: &GitlabSim, head: &str, branch: &str) -> String {
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
        sim.pipeline(&tip, branch, "push", &[("build", "success", false)]);
        format!("{before}..{tip}")
    }

    #[test]
    fn a_release_keeps_its_tracking_issue_on_gitlab() {
        let sim = GitlabSim::start(TOKEN, "glcbt-jobCanaryTokenForCargoTrain98765");
        let s = Sandbox::new(&format!(
            "forge = \"gitlab\"\ngitlab = {{ url = \"{}\", project = \"{PROJECT}\" }}\ntracking = {{ enabled = true }}\n",
            sim.url()
        ));
        train(&s, "2026-01-05", &["cut"]).success();
        let (iid, body) = {
            let st = sim.state();
            assert_eq!(st.issues.len(), 1);
            let i = &st.issues[0];
            assert_eq!(i.title, "Release 1.0.0");
            (i.iid, i.description.clone())
        };
        assert!(body.starts_with(MARKER), "{body}");
        assert!(
            body.contains("- !1: `main` to the next development version"),
            "{body}"
        );
        assert!(body.contains("- [ ] `1.0.0-rc.1`: !2"), "{body}");
        // 120 issues of others: the train's is found on a later page.
        for n in 0..120 {
            sim.send(
                "POST",
                &format!("/api/v4/projects/{}/issues", urlenc(PROJECT)),
                &[
                    ("PRIVATE-TOKEN", TOKEN),
                    ("Content-Type", "application/json"),
                ],
                format!("{{\"title\": \"Bug {n}\"}}").as_bytes(),
            );
        }
        let before = sim.changes().len();
        train(&s, "2026-01-05", &["cut"]).success();
        assert_eq!(
            sim.changes().len(),
            before,
            "a second cut changed something"
        );

        train(&s, "2026-01-20", &["release"]).success();
        let range = merge(&s, &sim, "ci/release-1.0.0", "release-1.0.0");
        train(&s, "2026-01-20", &["tag", "--range", &range]).success();
        s.git(&["fetch", "--quiet", "origin"]);
        s.git(&[
            "checkout",
            "--quiet",
            "-B",
            "release-1.0.0",
            "origin/release-1.0.0",
        ]);
        let r = train(&s, "2026-01-20", &["forge-release", "v1.0.0"]).success();
        assert!(
            r.stderr.contains(&format!("Closed issue #{iid}")),
            "{}",
            r.stderr
        );
        let st = sim.state();
        let i = st.issues.iter().find(|i| i.iid == iid).unwrap();
        assert_eq!(i.state, "closed");
        assert!(i.description.contains("- !3"), "{}", i.description);
        for item in ["release-pr", "tag", "forge-release", "candidates"] {
            assert!(
                i.description.lines().any(|l| l.starts_with("- [x]")
                    && l.ends_with(&format!("<!-- cargo-train:{item} -->"))),
                "{item}: {}",
                i.description
            );
        }
        assert_eq!(
            st.issues
                .iter()
                .filter(|i| i.description.contains(MARKER))
                .count(),
            1
        );
        drop(st);
        sim.assert_all_matched();
    }

    fn urlenc(s: &str) -> String {
        s.replace('/', "%2F")
    }
}
