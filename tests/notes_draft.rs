//! `cargo train notes --draft`: the next release's notes drafted from real
//! git history (conventional and plain commits), printed and written into
//! RELEASES.md with hand edits kept; `cut` filling the branched section
//! with `notes.draft = true`; entries from pull requests merged on the
//! GitHub simulator.

mod common;
use common::github_sim::GithubSim;
use common::sandbox::Sandbox;
use serde_json::{Value, json};

const DAY: &str = "2026-01-05";
const LIB: &str = "crates/core/src/lib.rs";

/// The sample with its first commit released as 0.9.0, then four commits
/// on main; their ids as entries show them (linked to the sample's
/// repository), oldest first.
fn with_history(config: &str) -> (Sandbox, Vec<String>) {
    let s = Sandbox::new(config);
    s.git(&["tag", "v0.9.0"]);
    s.git(&["push", "--quiet", "origin", "v0.9.0"]);
    let mut ids = Vec::new();
    for (i, message) in [
        "feat(core): read tabs",
        "fix: no panic on empty input\n\nThe body may hold anything: \u{1}, `## 2.0.0`, ---",
        "docs: wording",
        "Tidy the error messages",
    ]
    .iter()
    .enumerate()
    {
        let id = s.commit_on("main", LIB, &format!("// {i}\n"), message);
        ids.push(link(&id));
    }
    (s, ids)
}

fn link(id: &str) -> String {
    format!("[{}](https://example.invalid/rail/commit/{id})", &id[..7])
}

#[test]
fn draft_prints_the_entries_since_the_last_release() {
    let (s, ids) = with_history("");
    let before = s.state();
    let r = s.train(DAY, &["notes", "--draft"]).success();
    assert_eq!(
        r.stdout,
        format!(
            "### Added\n\n* **core:** read tabs ({})\n\n### Changed\n\n* Tidy the error messages ({})\n\n\
             ### Fixed\n\n* no panic on empty input ({})\n",
            ids[0], ids[3], ids[1]
        )
    );
    let r = s
        .train(DAY, &["notes", "--draft", "--format", "json"])
        .success();
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let part = &v["parts"][0];
    assert_eq!(part["file"], "RELEASES.md");
    assert_eq!(part["since"], "v0.9.0");
    assert_eq!(part["commits"], 4);
    assert_eq!(part["entries"].as_array().unwrap().len(), 3);
    assert_eq!(part["entries"][1]["heading"], "Fixed");
    let r = s
        .train(DAY, &["notes", "--draft", "--since", "HEAD~1"])
        .success();
    assert_eq!(
        r.stdout,
        format!("### Changed\n\n* Tidy the error messages ({})\n", ids[3])
    );
    let r = s
        .train(DAY, &["notes", "--draft", "--since", "no-such-ref"])
        .failure();
    assert!(
        r.stderr.contains("`--since no-such-ref` names no commit"),
        "{}",
        r.stderr
    );
    assert_eq!(s.state(), before, "a draft changes nothing");
}

#[test]
fn write_merges_into_the_section_keeping_hand_edits_and_adds_nothing_twice() {
    let (s, ids) = with_history("");
    let notes = s.ws.join("RELEASES.md");
    let original = std::fs::read_to_string(&notes).unwrap();
    let r = s
        .train(DAY, &["notes", "--draft", "--write", "--dry-run"])
        .success();
    assert!(r.stdout.contains("+* **core:** read tabs"), "{}", r.stdout);
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), original);

    s.train(DAY, &["notes", "--draft", "--write"]).success();
    let written = std::fs::read_to_string(&notes).unwrap();
    assert!(
        written.starts_with(&format!(
            "## 1.0.0\n\nUnreleased.\n\n### Added\n\n* **core:** read tabs ({})\n\n### Changed\n\n\
             * Tidy the error messages ({})\n\n### Fixed\n\n* no panic on empty input ({})\n\n----",
            ids[0], ids[3], ids[1]
        )),
        "{written}"
    );
    // A maintainer rewords one entry and adds one of their own.
    let edited = written
        .replace(
            "* **core:** read tabs",
            "* The parser reads tabs, as the spec says",
        )
        .replace(
            "### Changed\n\n",
            "### Changed\n\n* A hand-written entry.\n",
        );
    std::fs::write(&notes, &edited).unwrap();
    let r = s.train(DAY, &["notes", "--draft", "--write"]).success();
    assert!(r.stderr.contains("nothing new"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), edited);

    // A later commit: only it is added, below the hand edits.
    let id = s.commit_on("main", LIB, "// later\n", "fix(core): a later fix");
    s.git(&["checkout", "--quiet", "--", "RELEASES.md"]);
    std::fs::write(&notes, &edited).unwrap();
    let r = s.train(DAY, &["notes", "--draft", "--write"]).success();
    assert!(r.stderr.contains("1 new entry"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        edited.replace(
            &format!("* no panic on empty input ({})\n", ids[1]),
            &format!(
                "* no panic on empty input ({})\n* **core:** a later fix ({})\n",
                ids[1],
                link(&id)
            )
        )
    );
}

#[test]
fn cut_with_draft_fills_the_branched_release_s_section() {
    let (s, ids) = with_history("notes = { draft = true }\n");
    s.train(DAY, &["cut"]).success();
    let branch = s.file_at("release-1.0.0", "RELEASES.md");
    assert!(
        branch.starts_with(&format!(
            "## 1.0.0\n\nUnreleased.\n\n### Added\n\n* **core:** read tabs ({})\n\n### Changed\n\n\
             * Tidy the error messages ({})\n\n### Fixed\n\n* no panic on empty input ({})\n\n----",
            ids[0], ids[3], ids[1]
        )),
        "{branch}"
    );
    // Main's fresh section starts empty, as without drafts.
    let main = s.file_at("main", "RELEASES.md");
    assert!(
        main.starts_with("## 2.0.0\n\nUnreleased.\n\n### Added\n\n### Changed\n\n----"),
        "{main}"
    );

    // Without `notes.draft`, the cut leaves the section as it was.
    let (plain, _) = with_history("");
    plain.train(DAY, &["cut"]).success();
    let text = plain.file_at("release-1.0.0", "RELEASES.md");
    assert!(
        text.starts_with("## 1.0.0\n\nUnreleased.\n\n### Added\n\n### Changed\n\n----"),
        "{text}"
    );
}

const TOKEN: &str = "ghp_canaryTokenForCargoTrainTests0123456789";

#[test]
fn merged_pull_requests_on_github_stand_for_their_commits() {
    let sim = GithubSim::start();
    let s = Sandbox::new(&format!(
        "forge = \"github\"\ngithub = {{ api-url = \"{}\", repository = \"o/r\" }}\n\
         notes = {{ labels = {{ security = \"Security\" }}, repository = \"https://github.com/o/r\" }}\n",
        sim.url()
    ));
    s.git(&["tag", "v0.9.0"]);
    s.git(&["push", "--quiet", "origin", "v0.9.0"]);
    // Squash-merged as GitHub titles them, and one commit pushed directly.
    let a = s.commit_on("main", LIB, "// a\n", "feat: widgets (#1)");
    let b = s.commit_on("main", LIB, "// b\n", "Escape names in paths (#2)");
    let c = s.commit_on("main", LIB, "// c\n", "fix: a direct fix");
    for (title, merge, author, labels) in [
        ("feat: widgets", &a, "alice", json!([])),
        ("Escape names in paths", &b, "bob", json!(["security"])),
        // Merged into main, but not in the range: left out.
        ("feat: elsewhere", &"f".repeat(40), "carol", json!([])),
    ] {
        sim.post(
            "/_test/merged-pull",
            json!({"title": title, "head": "feature", "base": "main", "merge_commit_sha": merge,
                "commits": [{"sha": merge, "message": title}], "author": author, "labels": labels}),
        );
    }
    let before = sim.request_count();
    let r = s.train_env(DAY, &["notes", "--draft"], &[("GITHUB_TOKEN", TOKEN)]);
    let r = r.success();
    assert_eq!(
        r.stdout,
        format!(
            "### Added\n\n* widgets ([#1](https://github.com/o/r/pull/1), @alice)\n\n\
             ### Fixed\n\n* a direct fix ([{}](https://github.com/o/r/commit/{c}))\n\n\
             ### Security\n\n* Escape names in paths ([#2](https://github.com/o/r/pull/2), @bob)\n",
            &c[..7]
        )
    );
    let state = sim.state();
    let asked: Vec<&str> = state["requests"].as_array().unwrap()[before..]
        .iter()
        .map(|r| r["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        asked,
        ["/repos/o/r/pulls?state=closed&base=main&sort=updated&direction=desc&per_page=100"],
        "{}",
        sim.log()
    );
    assert!(!r.stdout.contains(TOKEN) && !r.stderr.contains(TOKEN));
}

#[test]
fn independent_crates_get_their_own_changelog_since_their_own_tag() {
    let s = Sandbox::new("versioning = { model = \"independent\" }\n");
    // rail-core was released as 1.0.0 at the first commit; rail-util never.
    s.git(&["tag", "rail-core-v1.0.0"]);
    s.git(&["push", "--quiet", "origin", "rail-core-v1.0.0"]);
    let core = s.commit_on("main", LIB, "// a\n", "feat: core grows");
    let util = s.commit_on(
        "main",
        "crates/util/src/lib.rs",
        "// b\n",
        "fix(util): util mends",
    );
    std::fs::write(
        s.ws.join("crates/core/CHANGELOG.md"),
        "# Changelog\n\nAll notable changes.\n\n## [1.0.0] - 2026-01-01\n\n### Added\n\n- First.\n",
    )
    .unwrap();
    s.train(DAY, &["notes", "--draft", "--write"]).success();
    assert_eq!(
        std::fs::read_to_string(s.ws.join("crates/core/CHANGELOG.md")).unwrap(),
        format!(
            "# Changelog\n\nAll notable changes.\n\n## [Unreleased]\n\n### Added\n\n- core grows ({})\n\n\
             ## [1.0.0] - 2026-01-01\n\n### Added\n\n- First.\n",
            link(&core)
        )
    );
    // Without a tag of its own, a crate's whole history counts: its first
    // commit too.
    let text = std::fs::read_to_string(s.ws.join("crates/util/CHANGELOG.md")).unwrap();
    assert!(
        text.starts_with("# Changelog\n\n## [Unreleased]\n\n### Changed\n\n- init (")
            && text.ends_with(&format!(
                "### Fixed\n\n- **util:** util mends ({})\n",
                link(&util)
            )),
        "{text}"
    );
    let before = s.state();
    let r = s.train(DAY, &["notes", "--draft", "--write"]).success();
    assert!(r.stderr.contains("nothing new"), "{}", r.stderr);
    assert_eq!(s.state(), before);
}

#[test]
fn release_and_patch_with_draft_fill_the_sections_they_date() {
    let (s, ids) = with_history("notes = { draft = true }\n");
    s.train(DAY, &["cut"]).success();
    // A fix on main, backported: its entry (by the backport) names the
    // same change as the cherry-pick's drafted one would.
    s.backport("fix: a fix made on the branch");
    s.git(&["checkout", "--quiet", "main"]);
    s.train("2026-01-20", &["release"]).success();
    let tip = s.remote_oid("release-1.0.0").unwrap();
    s.train(
        "2026-01-20",
        &["tag", "--range", &format!("{tip}~1..{tip}")],
    )
    .success();
    let notes = s.file_at("release-1.0.0", "RELEASES.md");
    let picked = s.origin_git(&["rev-parse", "release-1.0.0~1"]);
    assert!(
        notes.starts_with(&format!(
            "## 1.0.0\n\nReleased 2026-01-20.\n\n### Added\n\n* **core:** read tabs ({})\n\n### Changed\n\n\
             * Tidy the error messages ({})\n\n### Fixed\n\n* no panic on empty input ({})\n\
             * a fix made on the branch ({})\n\n----",
            ids[0],
            ids[3],
            ids[1],
            link(picked.trim())
        )),
        "{notes}"
    );
    s.backport("fix: a later one");
    s.train("2026-02-02", &["patch"]).success();
    let notes = s.file_at("release-1.0.0", "RELEASES.md");
    let later = s.origin_git(&["rev-parse", "release-1.0.0~1"]);
    assert!(
        notes.starts_with(&format!(
            "## 1.0.1\n\nReleased 2026-02-02.\n\n### Added\n\n### Changed\n\n### Fixed\n\n* a later one ({})\n\n----",
            link(later.trim())
        )),
        "{notes}"
    );
}
