//! Hostile and careless inputs: paths that leave the repository or go
//! through a link, archives gathered onto themselves, values that span
//! lines, unbounded requests, secrets in URLs, tokens sent where they are
//! not asked for, and messages that must say what is wrong. Each case is
//! refused (or answered) with a message naming the thing at fault, and
//! nothing outside the allowed places changes.

mod common;
use common::Run;
use common::sandbox::{Sandbox, git_in, snapshot};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under the sandbox's temp dir (checkout, origin, and what
/// lies beside them): what a refused command must leave as it was.
fn everything(s: &Sandbox) -> BTreeMap<PathBuf, Vec<u8>> {
    snapshot(s.root())
}

/// Runs `args`, which must fail changing nothing anywhere; its stderr.
fn refused(s: &Sandbox, date: &str, args: &[&str]) -> String {
    let before = everything(s);
    let r = s.train(date, args).failure();
    let after = everything(s);
    let changed: Vec<_> = after
        .iter()
        .filter(|(p, c)| before.get(*p) != Some(*c))
        .map(|(p, _)| p.display().to_string())
        .chain(
            before
                .keys()
                .filter(|p| !after.contains_key(*p))
                .map(|p| format!("{} (removed)", p.display())),
        )
        .collect();
    assert!(
        changed.is_empty(),
        "`{args:?}` was refused but changed {changed:?}:\n{}",
        r.stderr
    );
    r.stderr
}

fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[test]
fn version_files_and_notes_outside_the_repository_are_refused_naming_the_key() {
    let s = Sandbox::new("");
    std::fs::write(s.root().join("victim.h"), "#define V \"0.0.0\"\n").unwrap();
    let absolute = s.root().join("victim.h");
    for (config, key) in [
        (
            "\n[[version-files]]\npath = \"../victim.h\"\npatterns = ['#define V \"{version}\"']\n"
                .to_string(),
            "version-files.path = \"../victim.h\"",
        ),
        (
            format!(
                "\n[[version-files]]\npath = \"{}\"\npatterns = ['#define V \"{{version}}\"']\n",
                absolute.display()
            ),
            "version-files.path",
        ),
        (
            "\n[notes]\nfile = \"../NOTES.md\"\n".to_string(),
            "notes.file = \"../NOTES.md\"",
        ),
        (
            "\n[notes]\ntemplate = \"ci/../../t.md\"\n".to_string(),
            "notes.template",
        ),
    ] {
        let f = s.ws.join("train.toml");
        let kept = std::fs::read_to_string(&f).unwrap();
        std::fs::write(&f, format!("{kept}{config}")).unwrap();
        for args in [&["bump", "patch"][..], &["cut", "--dry-run"], &["status"]] {
            let e = refused(&s, "2026-01-05", args);
            assert!(
                e.contains(key) && e.contains("is not a path inside the repository"),
                "{args:?} with {config}: {e}"
            );
        }
        std::fs::write(&f, kept).unwrap();
    }
}

#[test]
fn nothing_is_read_or_written_through_a_committed_symlink() {
    // The version file's directory is a committed link to outside the
    // repository: bump (the checkout) and cut (commits beside it) refuse.
    let s = Sandbox::new("");
    let outside = s.root().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let include = s.ws.join("crates/c-api/include");
    std::fs::rename(&include, outside.join("include")).unwrap();
    symlink("../../../outside/include", &include);
    s.git(&["add", "--all"]);
    s.git(&["commit", "--quiet", "-m", "include through a link"]);
    s.git(&["push", "--quiet", "origin", "main"]);
    let before = s.origin_git(&["for-each-ref"]);
    for args in [&["bump", "patch"][..], &["cut"]] {
        let e = refused(&s, "2026-01-05", args);
        assert!(
            e.contains("crates/c-api/include is a symbolic link")
                && e.contains("version-files.path"),
            "{args:?}: {e}"
        );
    }
    assert_eq!(s.origin_git(&["for-each-ref"]), before);

    // The version file itself a link (to a file in the tree): never
    // replaced by a regular file.
    let s = Sandbox::new("");
    let header = s.ws.join("crates/c-api/include/rail.h");
    std::fs::rename(&header, s.ws.join("crates/c-api/rail.h")).unwrap();
    symlink("../rail.h", &header);
    s.git(&["add", "--all"]);
    s.git(&["commit", "--quiet", "-m", "header through a link"]);
    s.git(&["push", "--quiet", "origin", "main"]);
    for args in [&["bump", "patch"][..], &["cut"]] {
        let e = refused(&s, "2026-01-05", args);
        assert!(
            e.contains("crates/c-api/include/rail.h is a symbolic link"),
            "{args:?}: {e}"
        );
    }
    assert!(header.is_symlink());
}

#[test]
fn init_writes_nothing_through_a_symlinked_directory() {
    let s = Sandbox::new("");
    let elsewhere = s.root().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    symlink("../elsewhere", &s.ws.join(".github"));
    let e = refused(&s, "2026-01-05", &["init", "--workflows"]);
    assert!(e.contains(".github is a symbolic link"), "{e}");
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

/// A directory `dir` under the checkout holding `files` and their
/// SHA256SUMS (as `cargo train artifacts --no-source` writes it).
fn artifacts_dir(s: &Sandbox, dir: &str, files: &[(&str, &str)]) -> PathBuf {
    let d = s.ws.join(dir);
    std::fs::create_dir_all(&d).unwrap();
    for (name, text) in files {
        std::fs::write(d.join(name), text).unwrap();
    }
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    let out = std::process::Command::new("sha256sum")
        .args(&names)
        .current_dir(&d)
        .output()
        .unwrap();
    std::fs::write(d.join("SHA256SUMS"), out.stdout).unwrap();
    d
}

#[test]
fn gathering_follows_no_link_and_never_writes_its_inputs() {
    let s = Sandbox::new("");
    let secret = s.root().join("secret");
    std::fs::write(&secret, "private key").unwrap();

    // A listed link to outside the directory (its sum is right).
    let g = artifacts_dir(&s, "g1", &[("a-x86_64.tar.gz", "a")]);
    symlink(secret.to_str().unwrap(), &g.join("b-x86_64.tar.gz"));
    let sums = std::process::Command::new("sha256sum")
        .args(["a-x86_64.tar.gz", "b-x86_64.tar.gz"])
        .current_dir(&g)
        .output()
        .unwrap();
    std::fs::write(g.join("SHA256SUMS"), sums.stdout).unwrap();
    let e = refused(&s, "2026-01-05", &["artifacts", "--gather", "g1"]);
    assert!(
        e.contains("lists b-x86_64.tar.gz, which is not a plain file"),
        "{e}"
    );
    std::fs::remove_file(g.join("b-x86_64.tar.gz")).unwrap();
    artifacts_dir(&s, "g1", &[("a-x86_64.tar.gz", "a")]);

    // --out holding a link named like an archive: not written through.
    let dist = s.ws.join("dist");
    std::fs::create_dir(&dist).unwrap();
    symlink(secret.to_str().unwrap(), &dist.join("a-x86_64.tar.gz"));
    let e = refused(
        &s,
        "2026-01-05",
        &["artifacts", "--gather", "g1", "--no-source"],
    );
    assert!(e.contains("is a symbolic link"), "{e}");
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "private key");
    std::fs::remove_file(dist.join("a-x86_64.tar.gz")).unwrap();

    // --out itself a link to a directory outside: nothing lands there.
    let away = s.root().join("away");
    std::fs::create_dir(&away).unwrap();
    symlink(away.to_str().unwrap(), &s.ws.join("linked"));
    let e = refused(
        &s,
        "2026-01-05",
        &[
            "artifacts",
            "--gather",
            "g1",
            "--out",
            "linked",
            "--no-source",
        ],
    );
    assert!(
        e.contains("--out") && e.contains("linked is a symbolic link"),
        "{e}"
    );
    std::fs::remove_file(s.ws.join("linked")).unwrap();

    // A SHA256SUMS that is a link to a file elsewhere is not read.
    let g2 = artifacts_dir(&s, "g2", &[("c-x86_64.tar.gz", "c")]);
    let elsewhere = s.root().join("sums-elsewhere");
    std::fs::rename(g2.join("SHA256SUMS"), &elsewhere).unwrap();
    symlink(elsewhere.to_str().unwrap(), &g2.join("SHA256SUMS"));
    let e = refused(
        &s,
        "2026-01-05",
        &["artifacts", "--gather", "g2", "--no-source"],
    );
    assert!(e.contains("g2/SHA256SUMS is not a regular file"), "{e}");
    std::fs::remove_dir_all(&g2).unwrap();

    // --out the very directory gathered: refused, its archives intact.
    let e = refused(
        &s,
        "2026-01-05",
        &["artifacts", "--gather", "g1", "--out", "g1", "--no-source"],
    );
    assert!(
        e.contains("--out") && e.contains("is also a directory to gather"),
        "{e}"
    );
    let e = refused(
        &s,
        "2026-01-05",
        &[
            "artifacts",
            "--gather",
            "g1",
            "--out",
            "./g1/",
            "--no-source",
        ],
    );
    assert!(e.contains("is also a directory to gather"), "{e}");

    // A file listed twice in one SHA256SUMS: the lines are named.
    let sums = std::fs::read_to_string(g.join("SHA256SUMS")).unwrap();
    std::fs::write(g.join("SHA256SUMS"), format!("{sums}{sums}")).unwrap();
    let e = refused(&s, "2026-01-05", &["artifacts", "--gather", "g1"]);
    assert!(
        e.contains("lists a-x86_64.tar.gz twice (lines 1 and 2)"),
        "{e}"
    );

    // And what is right still works, writing regular files only.
    artifacts_dir(&s, "g1", &[("a-x86_64.tar.gz", "a")]);
    s.train(
        "2026-01-05",
        &["artifacts", "--gather", "g1", "--no-source"],
    )
    .success();
    let copy = dist.join("a-x86_64.tar.gz");
    assert!(copy.is_file() && !copy.is_symlink());
    assert_eq!(
        std::fs::read_to_string(g.join("a-x86_64.tar.gz")).unwrap(),
        "a"
    );
}

#[test]
fn values_that_go_into_commits_and_notes_are_one_line() {
    let s = Sandbox::new("");
    for (config, key) in [
        ("marker = \"[release]\\nSigned-off-by: x\"\n", "marker"),
        ("marker = \" [release]\"\n", "marker"),
        (
            "\n[backport]\nnotes-heading = \"\"\n",
            "backport.notes-heading",
        ),
        (
            "\n[backport]\nnotes-heading = \"a\\nb\"\n",
            "backport.notes-heading",
        ),
        ("\n[notes]\narchive-marker = \"\"\n", "notes.archive-marker"),
    ] {
        let f = s.ws.join("train.toml");
        let kept = std::fs::read_to_string(&f).unwrap();
        // A top-level key goes first, a table last.
        let text = if config.starts_with('\n') {
            format!("{kept}{config}")
        } else {
            format!("{config}{kept}")
        };
        std::fs::write(&f, text).unwrap();
        let e = refused(&s, "2026-01-05", &["status"]);
        assert!(e.contains(key) && e.contains("line"), "{config}: {e}");
        std::fs::write(&f, kept).unwrap();
    }
}

#[test]
fn requests_without_a_bound_and_days_out_of_range_are_refused_naming_the_option() {
    let s = Sandbox::new("");
    let e = refused(&s, "2026-01-05", &["timetable", "--months", "100000"]);
    assert!(e.contains("--months") && e.contains("1..=120"), "{e}");
    let r = s
        .train("2026-01-05", &["timetable", "--months", "120"])
        .success();
    assert!(r.stdout.len() < 100_000, "{} bytes", r.stdout.len());

    for day in ["9999-12-31", "1969-12-31"] {
        let e = refused(&s, day, &["status"]);
        assert!(
            e.contains("--date") && e.contains(&format!("{day} is out of range")),
            "{e}"
        );
    }
    let e = refused(&s, "2026-02-30", &["status"]);
    assert!(e.contains("--date") && e.contains("not a day"), "{e}");
}

#[test]
fn a_github_output_that_is_a_directory_is_named() {
    let s = Sandbox::new("");
    let dir = s.root().join("out-dir");
    std::fs::create_dir(&dir).unwrap();
    let r = s
        .train_env(
            "2026-01-05",
            &["supported", "--github-output"],
            &[("GITHUB_OUTPUT", dir.to_str().unwrap())],
        )
        .failure();
    assert!(
        r.stderr.contains("GITHUB_OUTPUT names") && r.stderr.contains("which is a directory"),
        "{}",
        r.stderr
    );
    // A file whose last line has no newline: ours goes on a line of its own.
    let file = s.root().join("out.txt");
    std::fs::write(&file, "earlier=1").unwrap();
    s.train_env(
        "2026-01-05",
        &["supported", "--github-output"],
        &[("GITHUB_OUTPUT", file.to_str().unwrap())],
    )
    .success();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("earlier=1\nbranches="), "{text}");
    // Set but empty: the variable is named.
    let r = s
        .train_env(
            "2026-01-05",
            &["supported", "--github-output"],
            &[("GITHUB_OUTPUT", "")],
        )
        .failure();
    assert!(
        r.stderr.contains("GITHUB_OUTPUT is set but empty"),
        "{}",
        r.stderr
    );
}

/// Commits on a side ref until two of them share the first four digits of
/// their ids; that prefix.
fn ambiguous_commit_prefix(s: &Sandbox) -> String {
    let mut stream = String::new();
    for i in 0..1500 {
        stream.push_str(&format!(
            "commit refs/heads/many\ncommitter T <t@example.invalid> {} +0000\ndata 2\n{}\n\n",
            1_700_000_000 + i,
            i % 10
        ));
    }
    let mut child = std::process::Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(&s.ws)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    let mut seen = std::collections::HashSet::new();
    for id in s.git(&["rev-list", "refs/heads/many"]).lines() {
        if !seen.insert(id[..4].to_string()) {
            return id[..4].to_string();
        }
    }
    panic!("no two of 1500 commits share 4 digits");
}

#[test]
fn a_short_id_that_names_several_commits_is_called_ambiguous() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    let prefix = ambiguous_commit_prefix(&s);
    let e = refused(
        &s,
        "2026-01-06",
        &["backport", &prefix, "--to", "release-1.0.0", "--dry-run"],
    );
    assert!(
        e.contains(&format!("`{prefix}` is ambiguous")) && e.contains("give more of"),
        "{e}"
    );
}

#[test]
fn a_branch_with_no_history_in_common_or_a_shallow_clone_is_named() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    // A release branch that shares no history with main.
    s.git(&["checkout", "--quiet", "--orphan", "orphan"]);
    s.git(&["commit", "--quiet", "-m", "orphan"]);
    s.git(&["push", "--quiet", "origin", "orphan:release-9.0.0"]);
    s.git(&["checkout", "--quiet", "main"]);
    for args in [
        &["audit", "--branch", "release-9.0.0"][..],
        &["patch", "--dry-run", "--branch", "release-9.0.0"],
        &["backport", "main", "--to", "release-9.0.0", "--dry-run"],
    ] {
        let e = refused(&s, "2026-01-06", args);
        assert!(
            e.contains("`release-9.0.0` shares no history with `main`"),
            "{args:?}: {e}"
        );
    }

    // A shallow clone, as CI makes by default: it holds no merge base.
    s.commit_on(
        "release-1.0.0",
        "crates/core/src/lib.rs",
        "// fix\n",
        "Fix\n\nBranch-only: a test",
    );
    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["commit", "--quiet", "--allow-empty", "-m", "more on main"]);
    s.git(&["push", "--quiet", "origin", "main"]);
    let shallow = s.root().join("shallow");
    git_in(
        s.root(),
        &[
            "clone",
            "--quiet",
            "--depth",
            "1",
            "--no-single-branch",
            "--branch",
            "main",
            &format!("file://{}", s.origin.display()),
            shallow.to_str().unwrap(),
        ],
    );
    let r = Run::from(
        std::process::Command::new(env!("CARGO_BIN_EXE_cargo-train"))
            .args([
                "train",
                "--date",
                "2026-01-06",
                "audit",
                "--branch",
                "release-1.0.0",
            ])
            .current_dir(&shallow)
            .output()
            .unwrap(),
    )
    .failure();
    assert!(
        r.stderr.contains("it is shallow") && r.stderr.contains("git fetch --unshallow"),
        "{}",
        r.stderr
    );
}

/// `cargo train ARGS` in `dir` with `env`; its output, checked to hold none
/// of `secrets`.
fn train_in(dir: &Path, args: &[&str], env: &[(&str, &str)], secrets: &[&str]) -> Run {
    let r = Run::from(
        std::process::Command::new(env!("CARGO_BIN_EXE_cargo-train"))
            .arg("train")
            .args(args)
            .current_dir(dir)
            .envs(env.iter().copied())
            .output()
            .unwrap(),
    );
    for s in secrets {
        assert!(
            !r.stdout.contains(s) && !r.stderr.contains(s),
            "`{s}` was printed:\n{}\n{}",
            r.stdout,
            r.stderr
        );
    }
    r
}

#[test]
fn the_token_goes_to_the_index_only_when_the_index_requires_it() {
    const TOKEN: &str = "index-token-canary";
    let env = [("CARGO_REGISTRIES_REC_TOKEN", TOKEN)];
    // An index that does not require it: no read carries it.
    let open = common::recorder::Recorder::start(false);
    let ws = common::sample_on_registry("rec", &open.index(), "");
    train_in(
        &ws.path,
        &["publish", "--dry-run", "--registry", "rec"],
        &env,
        &[TOKEN],
    )
    .success();
    let reads = open.requests();
    assert!(reads.len() > 1, "{reads:?}");
    let with: Vec<_> = reads.iter().filter(|r| r.2.is_some()).collect();
    assert!(with.is_empty(), "the token went to an open index: {with:?}");

    // One that does (`"auth-required": true`, 401 without it): every read
    // of its index carries it, as cargo's do.
    let closed = common::recorder::Recorder::start(true);
    let ws = common::sample_on_registry("rec", &closed.index(), "");
    train_in(
        &ws.path,
        &["publish", "--dry-run", "--registry", "rec"],
        &env,
        &[TOKEN],
    )
    .success();
    let reads = closed.requests();
    let index_reads: Vec<_> = reads.iter().filter(|r| r.1 != "/config.json").collect();
    assert!(!index_reads.is_empty(), "{reads:?}");
    assert!(
        index_reads.iter().all(|r| r.2.as_deref() == Some(TOKEN)),
        "{index_reads:?}"
    );
    // config.json was asked without it first, then with it.
    assert_eq!(reads[0], ("GET".into(), "/config.json".into(), None));
    assert_eq!(reads[1].2.as_deref(), Some(TOKEN), "{reads:?}");
}

#[test]
fn credentials_in_a_url_are_never_printed() {
    // Nothing listens on port 9: every request fails, and its message
    // names the URL.
    for index in [
        "sparse+http://user:URL-SECRET@127.0.0.1:9/index/",
        "sparse+http://127.0.0.1:9/index/?token=URL-SECRET",
        "http://user:URL-SECRET@127.0.0.1:9/index.git",
    ] {
        // The lock file made first (cargo refuses some of these URLs).
        let ws = common::sample_on_registry("rec", "sparse+http://127.0.0.1:9/index/", "");
        std::fs::write(
            ws.path.join(".cargo/config.toml"),
            format!("[registries.rec]\nindex = \"{index}\"\n"),
        )
        .unwrap();
        let r = train_in(
            &ws.path,
            &["publish", "--dry-run", "--registry", "rec"],
            &[],
            &["URL-SECRET"],
        )
        .failure();
        assert!(r.stderr.contains("127.0.0.1:9"), "{index}: {}", r.stderr);
    }
    // A remote URL with credentials in git's own messages.
    let s = Sandbox::new("");
    s.git(&[
        "remote",
        "set-url",
        "origin",
        "http://user:URL-SECRET@127.0.0.1:9/origin.git",
    ]);
    let r = train_in(
        &s.ws,
        &["--date", "2026-01-05", "cut"],
        &[],
        &["URL-SECRET"],
    )
    .failure();
    assert!(r.stderr.contains("127.0.0.1:9"), "{}", r.stderr);
}

#[test]
fn a_call_redirected_to_another_host_is_not_followed_and_names_the_target() {
    const TOKEN: &str = "redirect-token-canary";
    // Where the redirects point: it must hear nothing.
    let elsewhere = common::recorder::Recorder::start(false);

    // A forge's API.
    let forge = common::recorder::Recorder::redirecting(elsewhere.port, true);
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    let config = s.root().join("forge.toml");
    std::fs::write(
        &config,
        format!(
            "forge = \"github\"\ngithub = {{ api-url = \"http://127.0.0.1:{}\", repository = \"o/r\" }}\n{}",
            forge.port,
            std::fs::read_to_string(s.ws.join("train.toml")).unwrap()
        ),
    )
    .unwrap();
    let r = train_in(
        &s.ws,
        &[
            "--date",
            "2026-01-06",
            "--config",
            config.to_str().unwrap(),
            "backport",
            "#7",
            "--to",
            "release-1.0.0",
        ],
        &[("GITHUB_TOKEN", TOKEN)],
        &[TOKEN],
    )
    .failure();
    let target = format!(
        "307 redirect to http://127.0.0.1:{}/repos/o/r/pulls/7",
        elsewhere.port
    );
    assert!(
        r.stderr.contains(&target) && r.stderr.contains("not followed"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("Retrying"), "{}", r.stderr);

    // A registry's upload.
    let registry = common::recorder::Recorder::redirecting(elsewhere.port, false);
    let ws = common::sample_on_registry("rec", &registry.index(), "");
    let r = train_in(
        &ws.path,
        &["publish", "--registry", "rec"],
        &[("CARGO_REGISTRIES_REC_TOKEN", TOKEN)],
        &[TOKEN],
    )
    .failure();
    assert!(
        r.stderr.contains(&format!(
            "307 redirect to http://127.0.0.1:{}/api/v1/crates/new",
            elsewhere.port
        )) && r.stderr.contains("not followed"),
        "{}",
        r.stderr
    );
    assert!(
        elsewhere.requests().is_empty(),
        "{:?}",
        elsewhere.requests()
    );
}

/// From the project's own hostile pass: an index that requires the token
/// and redirects its files to another host gets no token there.
#[test]
fn an_index_that_requires_the_token_is_not_followed_to_another_host() {
    const TOKEN: &str = "index-token-canary-redirected";
    let elsewhere = common::recorder::Recorder::start(false);
    let closed = common::recorder::Recorder::requiring_and_redirecting_files(elsewhere.port);
    let ws = common::sample_on_registry("rec", &closed.index(), "");
    let r = train_in(
        &ws.path,
        &["publish", "--dry-run", "--registry", "rec"],
        &[("CARGO_REGISTRIES_REC_TOKEN", TOKEN)],
        &[TOKEN],
    )
    .failure();
    assert!(
        r.stderr
            .contains(&format!("redirect to http://127.0.0.1:{}/", elsewhere.port))
            && r.stderr.contains("not followed"),
        "{}",
        r.stderr
    );
    assert!(
        elsewhere.requests().is_empty(),
        "the other host was asked: {:?}",
        elsewhere.requests()
    );
}

/// From the project's own hostile pass: values and options that would
/// write something broken, run without end or mean something else.
#[test]
fn the_own_passs_inputs_are_refused_naming_what_is_wrong() {
    let s = Sandbox::new("");
    for (args, says) in [
        (
            &["init", "--workflows", "--ci-workflow", ".."][..],
            "--ci-workflow `..`",
        ),
        (
            &["init", "--workflows", "--ci-workflow", &"c".repeat(120)],
            "up to 100",
        ),
        (&["bump", "1.0.1+evil.1"], "build metadata (`+evil.1`)"),
        (
            &["tag", "--range", "HEAD~1...HEAD"],
            "`...` is a symmetric difference",
        ),
        (
            &["publish", "--dry-run", "--jobs", "0"],
            "0 is not in 1..=64",
        ),
        (
            &[
                "backport",
                "main",
                "--to",
                "release-1.0.0",
                "--not-on-main",
                "see [automatically-tag-and-release-this-commit]",
            ],
            "quotes the marker",
        ),
        (
            &[
                "backport",
                "main",
                "--to",
                "release-1.0.0",
                "--not-on-main",
                &"r".repeat(201),
            ],
            "up to 200",
        ),
    ] {
        let e = refused(&s, "2026-01-05", args);
        assert!(e.contains(says), "{args:?}: {e}");
    }
    // A name taken from the directory or the package goes into train.toml
    // as a TOML string, and into commit titles only as one line.
    let odd = s.root().join("ra\"il\\x");
    std::fs::rename(&s.ws, &odd).unwrap();
    std::fs::remove_file(odd.join("train.toml")).unwrap();
    let r = common::Run::from(
        std::process::Command::new(env!("CARGO_BIN_EXE_cargo-train"))
            .args(["train", "init", "--force"])
            .current_dir(&odd)
            .output()
            .unwrap(),
    )
    .success();
    let toml = std::fs::read_to_string(odd.join("train.toml")).unwrap();
    let parsed: toml::Table = toml
        .parse()
        .unwrap_or_else(|e| panic!("{e}\n{toml}\n{}", r.stderr));
    assert!(parsed["project"].as_str().is_some(), "{toml}");
}

/// A FIFO where a file is read (the configuration, a version file) is
/// refused at once, naming it, instead of waiting for a writer.
#[test]
fn a_fifo_where_a_file_is_read_is_refused_not_waited_on() {
    use common::faults::train_within;
    let s = Sandbox::new("");
    let elsewhere = tempfile::tempdir().unwrap();
    let mkfifo = |p: &Path| {
        let ok = std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .unwrap();
        assert!(ok.success());
    };
    let fifo = elsewhere.path().join("cfg.fifo");
    mkfifo(&fifo);
    let limit = std::time::Duration::from_secs(20);
    let e = train_within(
        &s,
        "2026-01-05",
        &["--config", fifo.to_str().unwrap(), "status"],
        &[],
        limit,
    );
    assert!(
        !e.status.success() && e.stderr.contains("cfg.fifo: it is not a regular file"),
        "{}",
        e.stderr
    );
    mkfifo(&s.ws.join("pipe.h"));
    let cfg = elsewhere.path().join("probe.toml");
    std::fs::write(
        &cfg,
        "[[version-files]]\npath = \"pipe.h\"\npatterns = ['#define V \"{version}\"']\n",
    )
    .unwrap();
    let args = ["--config", cfg.to_str().unwrap(), "bump", "patch"];
    let e = train_within(&s, "2026-01-05", &args, &[], limit);
    assert!(
        !e.status.success() && e.stderr.contains("pipe.h: it is not a regular file"),
        "{}",
        e.stderr
    );
}
