//! Bad input and bad repository states are refused with a message that
//! names what is at fault and what to do, and leave every file and ref as
//! they were. Through the real binary, on real git and cargo.

mod common;
use common::sandbox::{Sandbox, git_in};
use common::{Fixture, sample_files};

/// Runs `args`, which must fail and change no file; returns stderr.
fn refused(f: &Fixture, args: &[&str]) -> String {
    let before = f.snapshot();
    let r = f.train(args).failure();
    assert_eq!(f.snapshot(), before, "files changed by {args:?}");
    r.stderr
}

/// The sample workspace with `train.toml` prefixed by `config`.
fn with_config(config: &str) -> Fixture {
    let f = Fixture::sample();
    let text = f.read("train.toml");
    f.write("train.toml", &format!("{config}{text}"));
    f
}

/// The sample workspace as a git repository with one commit.
fn in_git(f: &Fixture) {
    for args in [
        &["init", "--quiet", "-b", "main"][..],
        &["config", "user.name", "Guard Test"],
        &["config", "user.email", "guard@example.invalid"],
        &["config", "commit.gpgsign", "false"],
        &["add", "--all"],
        &["commit", "--quiet", "-m", "init"],
    ] {
        git_in(f.path(), args);
    }
}

#[test]
fn empty_marker_is_refused_with_file_line_and_key() {
    for marker in ["\"\"", "\"   \""] {
        let f = with_config(&format!("marker = {marker}\n"));
        for args in [&["bump", "patch"][..], &["config"], &["verify"]] {
            let e = refused(&f, args);
            assert!(e.contains("train.toml"), "{e}");
            assert!(e.contains("line 1"), "{e}");
            assert!(e.contains("`marker` is empty"), "{e}");
        }
    }
}

#[test]
fn empty_or_clashing_prefixes_are_refused_with_file_and_line() {
    let cases = [
        ("branch-prefix = \"\"\n", "line 1", "the prefix is empty"),
        ("\ntag-prefix = \" \"\n", "line 2", "the prefix is empty"),
        (
            "branch-prefix = \"v\"\ntag-prefix = \"v\"\n",
            "line 2",
            "have the same name (`v1.0.0`)",
        ),
        // The default branch prefix is `release-`.
        ("tag-prefix = \"release-\"\n", "line 1", "same name"),
        // `r11.0.0` would be branch 11.0.0 and tag 1.0.0.
        (
            "branch-prefix = \"r\"\ntag-prefix = \"r1\"\n",
            "line 2",
            "same name (`r11.0.0`)",
        ),
    ];
    for (config, line, what) in cases {
        let f = with_config(config);
        let e = refused(&f, &["bump", "patch"]);
        assert!(e.contains("train.toml"), "{config}: {e}");
        assert!(e.contains(line) && e.contains(what), "{config}: {e}");
    }
    // In the root manifest's table, the manifest is named.
    let f = Fixture::sample();
    std::fs::remove_file(f.path().join("train.toml")).unwrap();
    let root = f.read("Cargo.toml");
    f.write(
        "Cargo.toml",
        &format!("{root}\n[workspace.metadata.train]\ntag-prefix = \"release-\"\n"),
    );
    let e = refused(&f, &["status"]);
    assert!(e.contains("Cargo.toml") && e.contains("same name"), "{e}");
}

#[test]
fn overflowing_version_is_refused_naming_crate_and_file() {
    let max = u64::MAX;
    let mut files = sample_files();
    let macros = format!(
        "[package]\nname = \"sample-macros\"\nversion = \"0.4.{max}\"\nedition = \"2024\"\nlicense = \"MIT\"\ndescription = \"Macros\"\n"
    );
    for (p, t) in files.iter_mut() {
        if *p == "crates/macros/Cargo.toml" {
            *t = Box::leak(macros.clone().into_boxed_str());
        }
        if *p == "Cargo.toml" {
            *t = Box::leak(t.replace("=0.4.0", &format!("=0.4.{max}")).into_boxed_str());
        }
    }
    let f = Fixture::new(&files);
    for level in ["patch", "minor"] {
        let e = refused(&f, &["bump", level]);
        assert!(e.contains("crates/macros/Cargo.toml:3"), "{e}");
        assert!(
            e.contains("`sample-macros` 0.4.18446744073709551615"),
            "{e}"
        );
        assert!(e.contains("overflow its patch number"), "{e}");
    }
    // The workspace version: its line in the root manifest and who carries it.
    let f = Fixture::sample();
    let root = f.read("Cargo.toml");
    f.write(
        "Cargo.toml",
        &root.replace(
            "version = \"2.0.0-dev\"",
            &format!("version = \"{max}.0.0\""),
        ),
    );
    let e = refused(&f, &["bump", "major", "--dry-run"]);
    assert!(e.contains("Cargo.toml:7"), "{e}");
    assert!(e.contains("overflow its major number"), "{e}");
    assert!(e.contains("sample-core"), "{e}");
}

#[test]
fn downgrades_need_an_explicit_flag() {
    let f = Fixture::sample();
    for v in ["0.0.0", "1.9.9", "2.0.0-alpha"] {
        let e = refused(&f, &["bump", v]);
        assert!(
            e.contains(&format!(
                "Cargo.toml: `workspace.package.version` would go from 2.0.0-dev to {v} \
                 (for sample-cli, sample-core, sample, sample-util)"
            )),
            "{e}"
        );
        assert!(e.contains("--allow-downgrade"), "{e}");
    }
    f.train(&["bump", "1.9.9", "--allow-downgrade"]).success();
    assert!(f.read("Cargo.toml").contains("version = \"1.9.9\""));
    common::cargo_metadata_locked(f.path());

    // A crate with a literal version equal to the workspace's moves with an
    // exact version and is named with its own manifest.
    let f = Fixture::sample();
    let cli = f.read("crates/cli/Cargo.toml");
    f.write(
        "crates/cli/Cargo.toml",
        &cli.replace("version.workspace = true", "version = \"2.0.0-dev\""),
    );
    let e = refused(&f, &["bump", "1.0.0"]);
    assert!(
        e.contains("crates/cli/Cargo.toml: `sample-cli` would go from 2.0.0-dev to 1.0.0"),
        "{e}"
    );
}

#[test]
fn bump_to_a_released_version_is_refused() {
    let f = Fixture::sample();
    in_git(&f);
    git_in(f.path(), &["tag", "v2.0.0"]);
    let e = refused(&f, &["bump", "drop-rc"]);
    assert!(
        e.contains("2.0.0 is already released: tag `v2.0.0` exists"),
        "{e}"
    );
    assert!(e.contains("--allow-downgrade"), "{e}");
    let e = refused(&f, &["bump", "2.0.0", "--dry-run"]);
    assert!(e.contains("tag `v2.0.0` exists"), "{e}");
    // Upwards and untagged is fine.
    f.train(&["bump", "2.0.1", "--dry-run"]).success();
    f.train(&["bump", "drop-rc", "--allow-downgrade"]).success();
    assert!(f.read("Cargo.toml").contains("version = \"2.0.0\""));
}

#[test]
fn duplicate_members_are_an_error_naming_both_manifests() {
    let f = Fixture::sample();
    std::fs::create_dir_all(f.path().join("crates/core2/src")).unwrap();
    f.write("crates/core2/src/lib.rs", "");
    f.write(
        "crates/core2/Cargo.toml",
        "[package]\nname = \"sample-core\"\nversion = \"9.0.0\"\nedition = \"2024\"\n",
    );
    for args in [&["bump", "patch"][..], &["verify"]] {
        let e = refused(&f, args);
        assert!(
            e.contains("crates/core2/Cargo.toml: package `sample-core` is also defined by crates/core/Cargo.toml"),
            "{e}"
        );
        assert!(!e.contains("cargo update"), "{e}");
    }
}

/// Runs a train command in `s` that must fail and leave every file, ref
/// and HEAD as they were; returns stderr.
fn sandbox_refused(s: &Sandbox, date: &str, args: &[&str]) -> String {
    let before = s.state();
    let r = s.train(date, args).failure();
    assert_eq!(s.state(), before, "{args:?} changed something");
    r.stderr
}

#[test]
fn operations_refuse_a_merge_rebase_cherry_pick_or_revert_in_progress() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    // A side branch that changes a file main changes too.
    s.git(&["checkout", "--quiet", "-b", "side"]);
    std::fs::write(s.ws.join("crates/core/src/lib.rs"), "// side\n").unwrap();
    s.git(&["commit", "--quiet", "-am", "side"]);
    s.git(&["checkout", "--quiet", "main"]);

    // A merge with a clean tree (as `git merge --no-commit -s ours` leaves
    // it): a cut then would silently drop it.
    s.git(&["merge", "--quiet", "--no-commit", "-s", "ours", "side"]);
    assert!(s.git(&["status", "--porcelain"]).is_empty());
    let e = sandbox_refused(&s, "2026-02-05", &["cut"]);
    assert!(e.contains("a merge is in progress"), "{e}");
    assert!(
        e.contains("MERGE_HEAD") && e.contains("git merge --abort"),
        "{e}"
    );
    let e = sandbox_refused(&s, "2026-01-12", &["rc", "--branch", "release-1.0.0"]);
    assert!(e.contains("a merge is in progress"), "{e}");
    s.git(&["merge", "--abort"]);

    // A cherry-pick and a revert stopped on a conflict.
    std::fs::write(s.ws.join("crates/core/src/lib.rs"), "// main\n").unwrap();
    s.git(&["commit", "--quiet", "-am", "main edit"]);
    let out = std::process::Command::new("git")
        .args(["cherry-pick", "side"])
        .current_dir(&s.ws)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e = sandbox_refused(&s, "2026-02-05", &["cut"]);
    assert!(e.contains("a cherry-pick is in progress"), "{e}");
    assert!(e.contains("git cherry-pick --abort"), "{e}");
    s.git(&["cherry-pick", "--abort"]);
    std::fs::write(s.ws.join("crates/core/src/lib.rs"), "// main again\n").unwrap();
    s.git(&["commit", "--quiet", "-am", "main edit 2"]);
    let out = std::process::Command::new("git")
        .args(["revert", "--no-edit", "HEAD~1"])
        .current_dir(&s.ws)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e = sandbox_refused(&s, "2026-02-05", &["cut"]);
    assert!(e.contains("a revert is in progress"), "{e}");
    assert!(e.contains("git revert --abort"), "{e}");
    s.git(&["revert", "--abort"]);

    // An interactive rebase stopped at `break`: HEAD is detached, but the
    // message is about the rebase.
    let out = std::process::Command::new("git")
        .args(["rebase", "-i", "HEAD~1"])
        .env("GIT_SEQUENCE_EDITOR", "sh -c 'echo break > \"$1\"' -")
        .current_dir(&s.ws)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s.git(&["rev-parse", "--abbrev-ref", "HEAD"]).trim(), "HEAD");
    for args in [&["rc"][..], &["release"], &["patch"], &["cut"], &["tick"]] {
        let e = sandbox_refused(&s, "2026-01-20", args);
        assert!(e.contains("a rebase is in progress"), "{args:?}: {e}");
        assert!(
            e.contains("rebase-merge") && e.contains("git rebase --abort"),
            "{e}"
        );
        assert!(!e.contains("detached"), "{e}");
    }
    s.git(&["rebase", "--abort"]);
    // Nothing in the way any more.
    s.train(
        "2026-01-12",
        &["rc", "--branch", "release-1.0.0", "--dry-run"],
    )
    .success();
}

#[test]
fn a_date_before_the_commit_built_on_is_refused() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    // main and the release branch now end in commits of 2026-01-05 12:00.
    let e = sandbox_refused(&s, "2025-12-20", &["cut"]);
    assert!(e.contains("--date 2025-12-20 is before"), "{e}");
    assert!(e.contains("dated 2026-01-05 12:00:00 UTC"), "{e}");
    assert!(e.contains("use --date 2026-01-05 or later"), "{e}");
    let e = sandbox_refused(&s, "2026-01-04", &["release", "--branch", "release-1.0.0"]);
    assert!(e.contains("--date 2026-01-04 is before"), "{e}");
    // The same day is not before: commits are made at noon.
    s.train("2026-01-05", &["release", "--branch", "release-1.0.0"])
        .success();

    // Under review, main does not move at the cut; a later bump of main
    // made by hand (dated 2025-12-01 here) is no guard against a date
    // before the last cut.
    let s = Sandbox::new("forge = \"dry-run\"\n");
    s.train("2026-01-05", &["cut"]).success();
    s.train("2026-01-05", &["bump", "major", "--no-hooks"])
        .success();
    s.git(&["commit", "--quiet", "-am", "bump by hand"]);
    s.git(&["push", "--quiet", "origin", "main"]);
    let e = sandbox_refused(&s, "2025-12-20", &["cut", "--force"]);
    assert!(
        e.contains("--date 2025-12-20 is before the last cut (`release-1.0.0` on 2026-01-05)"),
        "{e}"
    );
}

#[test]
fn misleading_messages_say_what_is_wrong() {
    // Outside a git repository.
    let f = Fixture::sample();
    let e = refused(&f, &["status"]);
    assert!(e.contains("is not in a git repository"), "{e}");
    assert!(e.contains(&f.path().display().to_string()), "{e}");
    assert!(!e.contains("no remote"), "{e}");
    // GIT_DIR pointing at nothing.
    let before = f.snapshot();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-train"))
        .args(["train", "status"])
        .env("GIT_DIR", f.path().join("nowhere"))
        .current_dir(f.path())
        .output()
        .unwrap();
    let e = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success());
    assert!(
        e.contains("GIT_DIR is set to") && e.contains("nowhere"),
        "{e}"
    );
    assert!(e.contains("not a git repository"), "{e}");
    assert_eq!(f.snapshot(), before);
    // GIT_DIR pointing at another repository, without the remote.
    let other = tempfile::tempdir().unwrap();
    git_in(other.path(), &["init", "--quiet", "--bare", "other.git"]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-train"))
        .args(["train", "status"])
        .env("GIT_DIR", other.path().join("other.git"))
        .current_dir(f.path())
        .output()
        .unwrap();
    let e = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success());
    assert!(
        e.contains("the repository GIT_DIR points at") && e.contains("other.git"),
        "{e}"
    );
    assert!(e.contains("has no remote `origin`"), "{e}");

    // --manifest-path to a directory.
    let dir = f.path().join("crates/core");
    let e = refused(&f, &["--manifest-path", dir.to_str().unwrap(), "verify"]);
    assert!(e.contains("is a directory"), "{e}");
    assert!(e.contains("crates/core/Cargo.toml"), "{e}");

    // --range with an empty AFTER.
    let s = Sandbox::new("");
    for range in ["abc..", "abc...", "abc"] {
        let e = sandbox_refused(&s, "2026-01-05", &["tag", "--range", range]);
        assert!(e.contains("BEFORE..AFTER"), "{range}: {e}");
        assert!(!e.contains("``"), "{range}: {e}");
    }
    let e = sandbox_refused(&s, "2026-01-05", &["tag", "--range", "abc.."]);
    assert!(e.contains("AFTER (after the `..`) is empty"), "{e}");
}

#[test]
fn overflowing_release_branch_version_is_refused() {
    let s = Sandbox::new("");
    s.git(&["checkout", "--quiet", "-b", "release-1.0.0"]);
    let root = std::fs::read_to_string(s.ws.join("Cargo.toml")).unwrap();
    std::fs::write(
        s.ws.join("Cargo.toml"),
        root.replace(
            "version = \"1.0.0-dev\"",
            &format!("version = \"1.0.{}\"", u64::MAX),
        ),
    )
    .unwrap();
    s.git(&["commit", "--quiet", "-am", "at the end of the line"]);
    s.git(&["push", "--quiet", "origin", "release-1.0.0"]);
    let e = sandbox_refused(&s, "2026-01-20", &["patch"]);
    assert!(
        e.contains("Cargo.toml on `release-1.0.0`: version 1.0.18446744073709551615"),
        "{e}"
    );
    assert!(e.contains("overflow its patch number"), "{e}");
}

#[test]
fn a_branch_with_build_metadata_is_not_a_release_branch() {
    // `release_branches` never lists such a branch, so `--branch` refuses
    // it too rather than acting on a branch the train cannot see.
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    let e = sandbox_refused(&s, "2026-01-12", &["rc", "--branch", "release-1.0.0+x"]);
    assert!(
        e.contains("`release-1.0.0+x` is not a release branch (`release-X.Y.Z`)"),
        "{e}"
    );
}

#[test]
fn git_failures_are_reported_as_git_reports_them() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    s.git(&["checkout", "--quiet", "release-1.0.0"]);

    // `git symbolic-ref` failing for a reason other than a detached HEAD
    // (a git in front of the real one makes it fail so).
    let bin = tempfile::tempdir().unwrap();
    let path = std::env::var("PATH").unwrap();
    let fake = bin.path().join("git");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\nif [ \"$1\" = symbolic-ref ]; then echo 'fatal: HEAD is unreadable' >&2; exit 128; fi\n\
             PATH='{path}' exec git \"$@\"\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let with_fake = format!("{}:{path}", bin.path().display());
    for args in [&["rc"][..], &["cut"]] {
        let before = s.state();
        let e = s
            .train_env("2026-01-12", args, &[("PATH", &with_fake)])
            .failure()
            .stderr;
        assert!(e.contains("fatal: HEAD is unreadable"), "{args:?}: {e}");
        assert!(e.contains("exit code 128"), "{args:?}: {e}");
        assert!(!e.contains("detached"), "{args:?}: {e}");
        assert_eq!(s.state(), before, "{args:?} changed something");
    }

    // A HEAD git cannot read at all: git's own words, not "detached".
    let head = s.ws.join(".git/HEAD");
    let saved = std::fs::read(&head).unwrap();
    std::fs::write(&head, "garbage\n").unwrap();
    let e = s.train("2026-01-12", &["rc"]).failure().stderr;
    assert!(e.contains("fatal: not a git repository"), "{e}");
    assert!(!e.contains("detached") && !e.contains("no remote"), "{e}");
    std::fs::write(&head, &saved).unwrap();

    // A config git cannot parse: neither "no remote" nor "not a repository".
    let config = s.ws.join(".git/config");
    let saved = std::fs::read(&config).unwrap();
    let mut broken = saved.clone();
    broken.extend_from_slice(b"[[[\n");
    std::fs::write(&config, broken).unwrap();
    for args in [&["rc"][..], &["status"]] {
        let e = s.train("2026-01-12", args).failure().stderr;
        assert!(e.contains("bad config line"), "{args:?}: {e}");
        assert!(!e.contains("no remote"), "{args:?}: {e}");
        assert!(!e.contains("not in a git repository"), "{args:?}: {e}");
    }
    std::fs::write(&config, saved).unwrap();
    s.train("2026-01-12", &["rc", "--dry-run"]).success();
}

/// In the `freeze-days` before the newest branch's release day, backports
/// and patches onto it are refused by the freeze gate, changing nothing;
/// before the freeze, and once it is released, they go through.
#[test]
fn a_branch_in_its_freeze_takes_nothing_but_its_release() {
    let s = Sandbox::new("freeze-days = 3\n");
    s.train("2026-01-05", &["cut"]).success();
    let fix = |text: &str| {
        s.git(&["checkout", "--quiet", "main"]);
        s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
        std::fs::write(s.ws.join("crates/core/src/lib.rs"), format!("// {text}\n")).unwrap();
        s.git(&["commit", "--quiet", "-am", text]);
        s.git(&["push", "--quiet", "origin", "main"]);
        s.git(&["rev-parse", "HEAD"]).trim().to_string()
    };
    // The release day is Tuesday 2026-01-20: frozen from the 17th.
    let first = fix("Fix A");
    s.train("2026-01-16", &["backport", &first, "--to", "release-1.0.0"])
        .success();
    let second = fix("Fix B");
    let backport = ["backport", second.as_str(), "--to", "release-1.0.0"];
    let e = sandbox_refused(&s, "2026-01-18", &backport);
    assert!(
        e.contains(
            "`release-1.0.0` is in its freeze from 2026-01-17 until its release on 2026-01-20 \
             (`freeze-days = 3`): nothing but the release goes onto it now"
        ),
        "{e}"
    );
    let e = sandbox_refused(&s, "2026-01-18", &["patch", "--branch", "release-1.0.0"]);
    assert!(e.contains("is in its freeze from 2026-01-17"), "{e}");
    s.train("2026-01-20", &["release"]).success();
    // Released: the freeze is over, the next fix goes out as a patch.
    s.train("2026-01-21", &backport).success();
    s.train("2026-01-21", &["patch", "--branch", "release-1.0.0"])
        .success();
}

/// `status` and `due` show the freeze; `--allow-in-freeze REASON` lets a
/// backport and a patch onto the frozen branch through, and each commit
/// made on it carries the reason as a `Freeze-exception:` trailer (the
/// cherry-picks stay picks the audit accepts). A branch not frozen gets no
/// trailer.
#[test]
fn a_freeze_exception_is_given_with_a_reason_and_recorded() {
    let s = Sandbox::new("freeze-days = 3\n");
    s.train("2026-01-05", &["cut"]).success();
    // Frozen from the 17th until the release on Tuesday the 20th.
    let before = s.train("2026-01-16", &["due"]).success().stdout;
    assert!(!before.contains("freeze"), "{before}");
    let line = "release-1.0.0 is in its freeze from 2026-01-17 until its release on 2026-01-20: \
                backports and patches onto it are refused unless given --allow-in-freeze REASON";
    for args in [&["due"][..], &["status"]] {
        let out = s.train("2026-01-18", args).success().stdout;
        assert!(out.contains(line), "{args:?}: {out}");
    }
    let json = s
        .train("2026-01-18", &["due", "--format", "json"])
        .success()
        .stdout;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["freeze"],
        serde_json::json!({"branch": "release-1.0.0", "from": "2026-01-17", "until": "2026-01-20"})
    );

    // The reason is one line, not empty: it goes into a trailer.
    for bad in ["", "  ", "two\nlines"] {
        let e = s
            .train("2026-01-18", &["patch", "--allow-in-freeze", bad])
            .failure()
            .stderr;
        assert!(
            e.contains("the reason is one line of text, not empty"),
            "{bad:?}: {e}"
        );
    }

    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
    std::fs::write(s.ws.join("crates/core/src/lib.rs"), "// Fix A\n").unwrap();
    s.git(&["commit", "--quiet", "-am", "Fix A"]);
    s.git(&["push", "--quiet", "origin", "main"]);
    let fix = s.git(&["rev-parse", "HEAD"]).trim().to_string();
    let args = [
        "backport",
        fix.as_str(),
        "--to",
        "release-1.0.0",
        "--allow-in-freeze",
        "fixes a crash users of the candidate hit",
    ];
    let r = s.train("2026-01-18", &args).success();
    assert!(
        r.stderr
            .contains("is in its freeze from 2026-01-17 until its release on 2026-01-20")
            && r.stderr
                .contains("allowed (fixes a crash users of the candidate hit)"),
        "{}",
        r.stderr
    );
    let trailers = |rev: &str| {
        let msg = s.origin_git(&["log", "-1", "--format=%B", rev]);
        let out = std::process::Command::new("git")
            .args(["interpret-trailers", "--parse"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().unwrap().write_all(msg.as_bytes())?;
                c.wait_with_output()
            })
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    // The pick, then the notes commit on top of it.
    for rev in ["release-1.0.0~1", "release-1.0.0"] {
        let t = trailers(rev);
        assert!(
            t.contains("Freeze-exception: fixes a crash users of the candidate hit"),
            "{rev}: {t}"
        );
    }
    let pick = s.origin_git(&["log", "-1", "--format=%B", "release-1.0.0~1"]);
    assert!(
        pick.contains(&format!("(cherry picked from commit {fix})")),
        "{pick}"
    );
    s.train("2026-01-18", &["audit", "--branch", "release-1.0.0"])
        .success();

    let r = s
        .train(
            "2026-01-19",
            &[
                "patch",
                "--branch",
                "release-1.0.0",
                "--allow-in-freeze",
                "the fix must be in the release",
            ],
        )
        .success();
    assert!(
        r.stderr
            .contains("allowed (the fix must be in the release)"),
        "{}",
        r.stderr
    );
    let t = trailers("release-1.0.0");
    assert!(
        t.contains("Freeze-exception: the fix must be in the release"),
        "{t}"
    );

    // Released: no freeze, so no trailer, and the run says the flag was not needed.
    s.train("2026-01-20", &["release"]).success();
    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
    std::fs::write(s.ws.join("crates/core/src/lib.rs"), "// Fix B\n").unwrap();
    s.git(&["commit", "--quiet", "-am", "Fix B"]);
    s.git(&["push", "--quiet", "origin", "main"]);
    let r = s
        .train(
            "2026-01-21",
            &[
                "backport",
                "HEAD",
                "--to",
                "release-1.0.0",
                "--allow-in-freeze",
                "x",
            ],
        )
        .success();
    assert!(
        r.stderr.contains("--allow-in-freeze is not needed"),
        "{}",
        r.stderr
    );
    assert!(!trailers("release-1.0.0~1").contains("Freeze-exception"));
    let r = s
        .train(
            "2026-01-21",
            &[
                "patch",
                "--branch",
                "release-1.0.0",
                "--allow-in-freeze",
                "x",
            ],
        )
        .success();
    assert!(
        r.stderr.contains("--allow-in-freeze is not needed"),
        "{}",
        r.stderr
    );
    assert!(!trailers("release-1.0.0").contains("Freeze-exception"));
}
