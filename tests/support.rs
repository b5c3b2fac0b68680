//! `supported` by release date and `timetable`, on a real repository with
//! a bare origin: release branches and tags made at fixed dates.

mod common;

use common::sandbox::Sandbox;

/// Lines 23 to 26 released (24 an LTS, patched months later), 27 cut
/// and not released, main at 28.0.0-dev.
///
/// 23's release commit is dated 2024-07-19 but its annotated tag was made
/// on 2024-07-22: the tag's date is the release date. 25's tag is
/// lightweight: its commit's date.
fn history(extra_config: &str) -> Sandbox {
    let s = Sandbox::new(extra_config);
    let lines = [
        (23, "2024-07-05", "2024-07-19", Some("2024-07-22")),
        (24, "2024-08-05", "2024-08-20", Some("2024-08-20")),
        (25, "2024-09-05", "2024-09-20", None),
        (26, "2024-10-07", "2024-10-21", Some("2024-10-21")),
    ];
    for (n, cut, commit, annotated) in lines {
        s.git_on(cut, &["commit", "--quiet", "--allow-empty", "-m", "work"]);
        s.git_on(cut, &["checkout", "--quiet", "--detach", "main"]);
        s.set_version(&format!("{n}.0.0"));
        s.git_on(commit, &["commit", "--quiet", "-am", "Release"]);
        let tag = format!("v{n}.0.0");
        match annotated {
            Some(day) => s.git_on(day, &["tag", "-a", &tag, "-m", "Release"]),
            None => s.git_on(commit, &["tag", &tag]),
        };
        let branch = format!("HEAD:refs/heads/release-{n}.0.0");
        s.git_on(commit, &["push", "--quiet", "origin", &branch]);
        if n == 24 {
            s.git_on(
                "2025-03-03",
                &["commit", "--quiet", "--allow-empty", "-m", "fix"],
            );
            s.git_on("2025-03-03", &["tag", "v24.0.1"]);
            s.git_on("2025-03-03", &["push", "--quiet", "origin", &branch]);
        }
        s.git_on(cut, &["checkout", "--quiet", "main"]);
    }
    // 27: cut at main's commit of 2024-11-05, nothing of its own yet.
    s.git_on(
        "2024-11-05",
        &["commit", "--quiet", "--allow-empty", "-m", "work"],
    );
    s.git_on(
        "2024-11-05",
        &[
            "push",
            "--quiet",
            "origin",
            "HEAD:refs/heads/release-27.0.0",
        ],
    );
    s.set_version("28.0.0-dev");
    s.git_on(
        "2024-11-06",
        &["commit", "--quiet", "-am", "Bump to 28.0.0"],
    );
    s.git_on(
        "2024-11-06",
        &["push", "--quiet", "--tags", "origin", "main"],
    );
    s.git_on("2024-11-06", &["fetch", "--quiet", "origin"]);
    s
}

fn supported(s: &Sandbox, day: &str) -> String {
    s.train(day, &["supported"]).success().stdout
}

fn branches(majors: &[u64]) -> String {
    majors
        .iter()
        .map(|n| format!("release-{n}.0.0\n"))
        .collect()
}

#[test]
fn supported_answers_by_release_date() {
    let s = history("");
    // Nothing released yet: the release commit of 23 exists, its tag not.
    assert_eq!(supported(&s, "2024-07-21"), "");
    assert_eq!(supported(&s, "2024-07-22"), branches(&[23]));
    // 25 is in its two months (to 2024-11-20, included).
    assert_eq!(supported(&s, "2024-11-20"), branches(&[26, 25, 24]));
    // 25 dropped after two months; 24, an LTS, is not; 23 long gone.
    assert_eq!(supported(&s, "2024-12-01"), branches(&[26, 24]));
    // 26's two months are over, but it is the newest release (27 is not
    // released): kept. 24.0.1 does not move 24's release date.
    assert_eq!(supported(&s, "2026-08-20"), branches(&[26, 24]));
    assert_eq!(supported(&s, "2026-08-21"), branches(&[26]));
    // The shapes the workflow and scripts read.
    let json = s.train("2024-12-01", &["supported", "--json"]).success();
    assert_eq!(json.stdout, "[\"release-26.0.0\",\"release-24.0.0\"]\n");
    let out = s.root().join("github-output");
    s.train_env(
        "2024-12-01",
        &["supported", "--github-output"],
        &[("GITHUB_OUTPUT", out.to_str().unwrap())],
    )
    .success();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "branches=[\"release-26.0.0\",\"release-24.0.0\"]\n"
    );
    // The CI re-run counts, released or not: 3 newest, 2 newest LTS.
    let ci = s
        .train("2024-12-01", &["supported", "--ci", "--json"])
        .success();
    assert_eq!(
        ci.stdout,
        "[\"release-27.0.0\",\"release-26.0.0\",\"release-25.0.0\",\"release-24.0.0\"]\n"
    );
    // status shows the supported ones and the one in its candidates.
    let status = s.train("2024-12-01", &["status"]).success().stdout;
    let shown: Vec<&str> = status
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.starts_with("release-"))
        .collect();
    assert_eq!(
        shown,
        ["release-27.0.0", "release-26.0.0", "release-24.0.0"]
    );
    assert!(
        status.contains("(2 older release branches not supported"),
        "{status}"
    );
}

#[test]
fn the_policy_is_configured() {
    let s = history("support = { lts-every = 0, months = 3, ci-latest = 1, ci-lts = 0 }\n");
    // No LTS: 24 ends after its three months like any other.
    assert_eq!(supported(&s, "2024-12-01"), branches(&[26, 25]));
    // 25 to 2024-12-20; 26, the newest, past its 2025-01-21.
    assert_eq!(supported(&s, "2024-12-20"), branches(&[26, 25]));
    assert_eq!(supported(&s, "2024-12-21"), branches(&[26]));
    assert_eq!(supported(&s, "2025-06-01"), branches(&[26]));
    let ci = s.train("2024-12-01", &["supported", "--ci"]).success();
    assert_eq!(ci.stdout, branches(&[27]));
    // A bad value names the key's line.
    let s = Sandbox::new("support = { months = 0 }\n");
    let e = s.train("2024-12-01", &["supported"]).failure().stderr;
    assert!(
        e.contains("train.toml") && e.contains("line 1") && e.contains("1 to 240"),
        "{e}"
    );
}

#[test]
fn timetable_json_and_markdown() {
    let s = history("");
    let trace = s.root().join("trace.json");
    let r = s.train_env(
        "2024-12-01",
        &["timetable", "--format", "json", "--months", "2"],
        &[("GIT_TRACE2_EVENT", trace.to_str().unwrap())],
    );
    let v: serde_json::Value = serde_json::from_str(&r.success().stdout).unwrap();
    assert_eq!(v["date"], "2024-12-01");
    assert_eq!(
        v["policy"],
        serde_json::json!({"lts-every": 12, "lts-from": 0, "lts-months": 24, "months": 2})
    );
    let rows: Vec<String> = v["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {} {} {}",
                r["version"].as_str().unwrap(),
                r["lts"],
                r["branch-date"].as_str().unwrap_or("-"),
                r["release-date"].as_str().unwrap(),
                r["end-of-life"].as_str().unwrap(),
                r["state"].as_str().unwrap(),
                r["supported"],
            )
        })
        .collect();
    // 23 ended before the two months shown back; 27's release and 28 and
    // 29 are the schedule's (the 5th and the 20th, a weekend moved on).
    assert_eq!(
        rows,
        [
            "24.0.0 true 2024-08-05 2024-08-20 2026-08-20 supported true",
            "25.0.0 false 2024-09-05 2024-09-20 2024-11-20 ended false",
            "26.0.0 false 2024-10-07 2024-10-21 2024-12-21 supported true",
            "27.0.0 false 2024-11-05 2024-11-20 2025-01-20 candidate false",
            "28.0.0 false 2024-12-05 2024-12-20 2025-02-20 scheduled false",
            "29.0.0 false 2025-01-05 2025-01-20 2025-03-20 scheduled false",
        ]
    );
    assert_eq!(v["versions"][0]["branch"], "release-24.0.0");
    // A fixed number of git runs: remote lookup, refs with dates, the
    // branches' own commits, main's Cargo.toml, and the newest branch's
    // cut day (no candidate on 27: main's first commit after it).
    let started = std::fs::read_to_string(&trace).unwrap();
    assert_eq!(
        started.matches("\"event\":\"start\"").count(),
        6,
        "{started}"
    );

    let md = s
        .train("2024-12-01", &["timetable", "--months", "2", "--all"])
        .success()
        .stdout;
    for want in [
        "| Version | LTS | Branch date | Release date | End of life | Supported on 2024-12-01 |",
        "| 23.0.0 |  | 2024-07-05 | 2024-07-22 | 2024-09-22 | no |",
        "| 24.0.0 | LTS | 2024-08-05 | 2024-08-20 | 2026-08-20 | **yes** |",
        "| 27.0.0 |  | 2024-11-05 | 2024-11-20 | 2025-01-20 | not yet: release candidates |",
        "| 29.0.0 |  | 2025-01-05 | 2025-01-20 | 2025-03-20 | not yet: scheduled |",
        "```mermaid\ngantt\n",
        "    dateFormat YYYY-MM-DD\n",
        "    section LTS\n    24.0.0 :crit, active, v24_0_0, 2024-08-20, 2026-08-20\n    section Releases\n    23.0.0 :done, v23_0_0, 2024-07-22, 2024-09-22\n",
        "    29.0.0 :v29_0_0, 2025-01-20, 2025-03-20\n```\n",
    ] {
        assert!(md.contains(want), "{want}\n---\n{md}");
    }
    // Rows oldest first.
    let at = |v: &str| md.find(&format!("| {v} |")).unwrap();
    assert!(at("23.0.0") < at("24.0.0") && at("24.0.0") < at("29.0.0"));
}

/// The JSON on stdout, pretty-printed and ending with a newline, parsed.
fn json_of(r: common::Run) -> serde_json::Value {
    let out = r.success().stdout;
    assert!(
        out.starts_with("{\n  \"") || out.starts_with("[\n"),
        "{out}"
    );
    assert!(out.ends_with("}\n") || out.ends_with("]\n"), "{out}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn status_as_json() {
    let s = history("");
    let v = json_of(s.train("2024-12-01", &["status", "--format", "json"]));
    assert_eq!(v["main-branch"], "main");
    assert_eq!(v["main-version"], "28.0.0-dev");
    let rows: Vec<String> = v["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            format!(
                "{} {} {} {}",
                b["branch"].as_str().unwrap(),
                b["version"].as_str().unwrap(),
                b["state"].as_str().unwrap(),
                b["latest-tag"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    let text = s.train("2024-12-01", &["status"]).success().stdout;
    // The rows the text shows, from the same report.
    for (row, line) in rows.iter().zip(text.lines().skip(1)) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            row.split(' ').collect::<Vec<_>>(),
            [words[0], words[1], words[2], words[5]],
            "{text}"
        );
    }
    // 27 was pushed from main as it was: the sample's own version.
    assert_eq!(
        rows,
        [
            "release-27.0.0 1.0.0-dev cut -",
            "release-26.0.0 26.0.0 released v26.0.0",
            "release-24.0.0 24.0.0 released v24.0.1",
        ]
    );
    assert_eq!(v["hidden"], 2);
    assert_eq!(v["unreadable"], serde_json::json!([]));
    assert_eq!(v["patch-sets"], serde_json::json!([]));
    assert_eq!(v["due"]["date"], "2024-12-01");
    assert_eq!(v["due"]["due"][0]["action"], "release");
    assert_eq!(v["due"]["next"]["action"], "cut");
}

#[test]
fn due_as_json() {
    let s = history("");
    let v = json_of(s.train("2024-12-01", &["due", "--format", "json"]));
    // 27, cut on 2024-11-05, was due on the 20th; 28's cut falls on the 5th.
    assert_eq!(v["date"], "2024-12-01");
    assert_eq!(
        v["due"],
        serde_json::json!([{
            "action": "release",
            "reason": "release-27.0.0 was due for release on 2024-11-20 and is not released",
        }])
    );
    assert_eq!(v["next"]["action"], "cut");
    assert_eq!(v["next"]["date"], "2024-12-05");
    let text = s.train("2024-12-01", &["due"]).success().stdout;
    assert!(
        text.starts_with(
            "release is due on 2024-12-01: release-27.0.0 was due for release on 2024-11-20"
        ),
        "{text}"
    );
}

#[test]
fn supported_as_json() {
    let s = history("");
    let r = s.train("2024-12-01", &["supported", "--format", "json"]);
    let out = r.success().stdout;
    let v: Vec<String> = serde_json::from_str(&out).unwrap();
    assert_eq!(v, ["release-26.0.0", "release-24.0.0"]);
    // `--json` is the same: one line, as scripts and $GITHUB_OUTPUT read it.
    let json = s.train("2024-12-01", &["supported", "--json"]).success();
    assert_eq!(out, json.stdout);
    let ci = s.train("2024-12-01", &["supported", "--ci", "--format", "json"]);
    let v: Vec<String> = serde_json::from_str(&ci.success().stdout).unwrap();
    assert_eq!(
        v,
        [
            "release-27.0.0",
            "release-26.0.0",
            "release-25.0.0",
            "release-24.0.0"
        ]
    );
}

/// The weekly re-run keeps its meaning: the counted set, not the
/// supported-by-date one (which may be a single branch).
#[test]
fn the_weekly_workflow_asks_for_the_ci_set() {
    let w = include_str!("../src/train/workflows/release-branches-ci.yml");
    assert!(
        w.contains("run: cargo train supported --ci --github-output"),
        "{w}"
    );
}
