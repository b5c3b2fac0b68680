//! `cargo train init`: set a workspace up for the train: `train.toml` with the
//! defaults written out as comments, RELEASES.md and its template, and the
//! CI files that run the train: GitHub Actions workflows, a GitLab CI
//! pipeline or Forgejo Actions workflows. Existing files are kept unless
//! `--force`.

mod gitlab;
mod parts;

pub use parts::prebuilt_script;

use crate::adapters::fs;
use crate::core::changeset::ChangeSet;
use crate::core::config::{Config, ForgeKind};
use crate::plan::{self, Effect, Plan};
use crate::train::Context;
use crate::train::notes::{DEFAULT_TEMPLATE, heading};
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

/// Where cargo-train's own releases are (`owner/name` on GitHub): the
/// package's `repository`. Without one, jobs build cargo-train from source
/// rather than download a binary from a place nobody named.
fn cargo_train_repository() -> Option<String> {
    crate::adapters::forge::github::repo_from_url(env!("CARGO_PKG_REPOSITORY"))
}

/// The steps that install cargo-train in a GitHub Actions job: the newest
/// release's prebuilt binary from `repo` for the runner, checked against
/// that release's `SHA256SUMS` (seconds); if there is none, or anything
/// about it fails, `cargo install --locked` (minutes).
pub fn install_steps_from(repo: Option<&str>) -> String {
    let build = "      - name: Install cargo-train
        if: steps.prebuilt.outcome != 'success'
        shell: bash
        run: cargo install cargo-train --locked
";
    let Some(repo) = repo else {
        return build.replace("        if: steps.prebuilt.outcome != 'success'\n", "");
    };
    format!(
        r#"      - name: Install cargo-train (prebuilt)
        id: prebuilt
        continue-on-error: true
        shell: bash
        env:
          GH_TOKEN: ${{{{ github.token }}}}
        run: |
          set -euo pipefail
          host="$(rustc -vV | sed -n 's/^host: //p')"
          cd "$(mktemp -d)"
          gh release download --repo {repo} --pattern "cargo-train-*-$host.*" --pattern SHA256SUMS
          grep -E "^[0-9a-f]{{64}}  cargo-train-[^ ]+-$host\.(tar\.gz|zip)$" SHA256SUMS > ours
          test "$(wc -l < ours)" -eq 1
          if command -v sha256sum > /dev/null; then sha256sum -c ours; else shasum -a 256 -c ours; fi
          archive="$(cut -d' ' -f3 ours)"
          case "$archive" in *.zip) unzip -q "$archive" ;; *) tar xzf "$archive" ;; esac
          dir="${{archive%.zip}}"
          cp "${{dir%.tar.gz}}"/cargo-train* "${{CARGO_HOME:-$HOME/.cargo}}/bin/"
          cargo train --version
{build}"#
    )
}

/// The CI that runs the train.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ci {
    Github,
    Gitlab,
    Forgejo,
}

impl Ci {
    /// The CI of the configured forge; GitHub's for a forge without one.
    pub fn of(forge: ForgeKind) -> Ci {
        match forge {
            ForgeKind::Forgejo => Ci::Forgejo,
            // By its name in the configuration: a forge added later (GitLab)
            // needs no arm here.
            other => match serde_json::to_value(other)
                .ok()
                .as_ref()
                .and_then(|v| v.as_str())
            {
                Some("gitlab") => Ci::Gitlab,
                _ => Ci::Github,
            },
        }
    }

    /// `forge` in train.toml: the forge this CI's files run the train on.
    fn forge(self) -> &'static str {
        match self {
            Ci::Github => "github",
            Ci::Gitlab => "gitlab",
            Ci::Forgejo => "forgejo",
        }
    }
}

pub struct InitOpts {
    pub force: bool,
    /// The CI whose files are written.
    pub ci: Ci,
    /// The workflow file of the project's CI, run weekly on release branches.
    pub ci_workflow: String,
    /// Only the CI files (to refresh them after upgrading cargo-train,
    /// keeping train.toml and the notes).
    pub workflows_only: bool,
}

/// `train.toml`: the project's name, every other key commented out at its
/// default, so that the file documents itself and changes nothing.
pub fn train_toml(project: &str, ci: Ci, main_branch: Option<&str>) -> String {
    let mut out = String::from(
        "## cargo-train configuration. Every key is optional: the commented values\n\
         ## are the defaults (the reference release process).\n\n",
    );
    // A TOML string, whatever the name (a directory's name may hold quotes).
    out.push_str(&format!(
        "project = {}\n",
        toml::Value::String(project.into())
    ));
    out.push_str(match ci {
        Ci::Github => "## The workflows `cargo train init` wrote run the train on GitHub.\n",
        Ci::Gitlab => "## The pipeline `cargo train init` wrote runs the train on GitLab.\n",
        Ci::Forgejo => {
            "## The workflows `cargo train init` wrote run the train on Forgejo: set its\n\
             ## instance, `url` in [forgejo] below, and the statuses `tag` waits for,\n\
             ## `required-checks` (else the tag job waits for its own).\n"
        }
    });
    out.push_str(&format!("forge = \"{}\"\n", ci.forge()));
    if let Some(main) = main_branch {
        out.push_str(&format!(
            "## This repository's main branch (it has no `main`):\nmain-branch = \"{main}\"\n"
        ));
    }
    out.push('\n');
    // Explanations are `##` lines: uncommenting every `# key = value` line
    // (one `# ` off each) gives a file that reads, with no key twice.
    for line in crate::core::config::Config::default()
        .to_toml()
        .lines()
        // `version-files` is shown as a table of its own, below.
        .filter(|l| !l.starts_with("forge =") && *l != "version-files = []")
        .filter(|l| !(main_branch.is_some() && l.starts_with("main-branch =")))
    {
        if let Some(doc) = key_doc(line) {
            out.push_str(doc);
        }
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str(
        "\n## Files that carry the version besides the manifests:\n# [[version-files]]\n# path = \"include/my.h\"\n\
         # patterns = ['#define MY_VERSION \"{version}\"', \"#define MY_VERSION_MAJOR {major}\"]\n",
    );
    out
}

/// What `train.toml` says above a key whose value needs a word.
fn key_doc(line: &str) -> Option<&'static str> {
    let key = line.split(" = ").next()?;
    Some(match key {
        "requirements" => {
            "## First-party requirements: \"keep\" (each keeps its operator and precision,\n\
             ## rewritten only when a bump leaves it behind), \"follow\" (rewritten to every\n\
             ## new version), or \"pinned\" (public crates caret, all others `=`, enforced by\n\
             ## bump and verify).\n"
        }
        "public" => {
            "## Crates whose API is public (required with a caret under \"pinned\"), names\n\
             ## or globs: [\"my-crate\", \"my-crate-*\"].\n"
        }
        "cut-level" => "## \"minor\" for a train of minor releases (1.47 -> 1.48.0-dev).\n",
        _ => return None,
    })
}

/// The main branch `init` writes when the configuration keeps the default
/// `main` and this repository has none but has `master`.
fn detected_main(ctx: &Context) -> Option<&'static str> {
    if ctx.config.main_branch != "main" {
        return None;
    }
    let git = crate::adapters::git::Git::new(&ctx.root);
    let remote = &ctx.config.remote;
    let has = |b: &str| {
        [
            format!("refs/heads/{b}"),
            format!("refs/remotes/{remote}/{b}"),
        ]
        .iter()
        .any(|r| git.resolve(r).ok().flatten().is_some())
    };
    (!has("main") && has("master")).then_some("master")
}

/// The days of the month the train's schedule runs on: the cut and release
/// days, and the two days next to a release day that a weekend moves it to.
fn schedule_days(c: &Config) -> String {
    let mut days = vec![c.cut_day.0, c.release_day.0];
    if c.weekend == crate::core::config::Weekend::NextMonday {
        days.extend([c.release_day.0 + 1, c.release_day.0 + 2]);
    } else if c.weekend == crate::core::config::Weekend::PreviousFriday {
        days.extend([
            c.release_day.0.saturating_sub(1),
            c.release_day.0.saturating_sub(2),
        ]);
    }
    days.retain(|d| (1..=31).contains(d));
    days.sort_unstable();
    days.dedup();
    let days: Vec<String> = days.iter().map(u8::to_string).collect();
    days.join(",")
}

/// A GitHub Actions or Forgejo Actions workflow from its template, with
/// `install` (the steps that install cargo-train) in every job.
fn workflow(text: &str, c: &Config, ci_workflow: &str, install: &str) -> String {
    let targets = &c.artifacts.targets;
    let matrix: String = targets
        .iter()
        .map(|t| {
            format!(
                "          - target: {}\n            runner: {}\n",
                t.target, t.runner
            )
        })
        .collect();
    let text = parts::section(text, "binaries", !targets.is_empty())
        .replace("@MATRIX@\n", &matrix)
        .replace("@INSTALL@\n", install)
        .replace(
            "@NEEDS@",
            if targets.is_empty() { "" } else { ", binaries" },
        )
        .replace(
            "@GATHER@",
            if targets.is_empty() { "" } else { "binaries/*" },
        );
    text.replace("@DAYS@", &schedule_days(c))
        .replace("@PREFIX@", &c.branch_prefix)
        .replace("@TAG@", &c.tag_prefix)
        .replace("@CI@", ci_workflow)
}

/// The steps that install cargo-train in a Forgejo Actions job: Rust (the
/// runners' default image has only node), then the prebuilt binary of the
/// newest cargo-train release, else `cargo install --locked`.
fn forgejo_install_steps(repo: Option<&str>) -> String {
    let rust = "      - name: Rust
        shell: bash
        run: |
          if ! command -v cargo > /dev/null; then
            curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
            echo \"$HOME/.cargo/bin\" >> \"$GITHUB_PATH\"
          fi
";
    let build = "      - name: Install cargo-train
        if: steps.prebuilt.outcome != 'success'
        shell: bash
        run: cargo install cargo-train --locked
";
    let Some(repo) = repo else {
        return format!(
            "{rust}{}",
            build.replace("        if: steps.prebuilt.outcome != 'success'\n", "")
        );
    };
    format!(
        "{rust}      - name: Install cargo-train (prebuilt)
        id: prebuilt
        continue-on-error: true
        shell: bash
        run: |
{}{build}",
        parts::indent(&prebuilt_script(repo), 10)
    )
}

pub fn plan(ctx: &Context, opts: &InitOpts) -> Result<Plan> {
    check_names(ctx, opts)?;
    let mut changes = ChangeSet::default();
    let files = files(ctx, opts);
    // `[notes] file` or `template` configured as another file `init` writes
    // (a workflow, train.toml): one would overwrite the other.
    for (i, a) in files.iter().enumerate() {
        if files[i + 1..].iter().any(|b| b.path == a.path) {
            bail!(
                "init would write {} twice: `[notes] file` or `template` names a file init \
                 writes itself; give them paths of their own; nothing was written",
                a.path.display()
            );
        }
    }
    for file in files {
        if opts.workflows_only && !file.ci {
            continue;
        }
        let path = file.path;
        if let Some(why) = fs::outside(&ctx.root, &path) {
            bail!(
                "cannot write {}: {why}; nothing was written",
                path.display()
            );
        }
        let existing = fs::read_optional(&ctx.root.join(&path))?;
        if existing.is_some() && !opts.force {
            crate::output::say(
                "Keeping",
                &format!("{} (exists; --force overwrites it)", path.display()),
            );
            continue;
        }
        crate::output::say("Writing", &format!("{}", path.display()));
        changes.set(path, existing, file.text);
    }
    if opts.ci == Ci::Gitlab {
        gitlab::warn_about_runners(&ctx.config);
    }
    let mut plan = Plan::default();
    if !changes.is_empty() {
        plan.add(Effect::Files(plan::Files {
            root: ctx.root.clone(),
            changes,
            hooks: Vec::new(),
            relock: false,
        }));
    }
    Ok(plan)
}

/// What goes into the CI files as it is is checked here, before anything
/// is written: the matrix (target triples and runner labels), the branch and
/// tag prefixes, the main branch and the CI workflow's file name.
fn check_names(ctx: &Context, opts: &InitOpts) -> Result<()> {
    let c = &ctx.config;
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    for t in &c.artifacts.targets {
        if !plain(&t.target) || !plain(&t.runner) {
            bail!(
                "{}: artifacts.targets: `{}` on `{}` is not a target triple and a runner label (letters, digits, `.`, `_`, `-`)",
                ctx.config_source,
                t.target,
                t.runner
            );
        }
    }
    for (key, value) in [
        ("branch-prefix", &c.branch_prefix),
        ("tag-prefix", &c.tag_prefix),
        ("main-branch", &c.main_branch),
    ] {
        if !parts::is_plain(value) {
            bail!(
                "{}: {key} `{value}` cannot be written into the CI files as it is: use letters, digits, `-`, `_`, `.` and `/`",
                ctx.config_source
            );
        }
    }
    let w = &opts.ci_workflow;
    if !plain(w)
        || w.len() > 100
        || w.starts_with(['.', '-'])
        || !(w.ends_with(".yml") || w.ends_with(".yaml"))
    {
        bail!(
            "--ci-workflow `{w}` is not a workflow's file name: up to 100 letters, digits, `.`, \
             `_`, `-`, not starting with `.` or `-`, ending in `.yml` or `.yaml`"
        );
    }
    Ok(())
}

/// A file `init` writes.
struct File {
    path: PathBuf,
    text: String,
    /// One of the CI's files (what `--workflows` writes).
    ci: bool,
}

/// The workflow files GitHub and Forgejo take (the same jobs on both).
const WORKFLOWS: [&str; 4] = [
    "release-process.yml",
    "release-tag.yml",
    "publish.yml",
    "release-branches-ci.yml",
];

/// GitHub's alone: the dashboard, published to GitHub Pages.
const DASHBOARD_WORKFLOW: &str = "release-dashboard.yml";

/// The files of `ci` that run the train configured by `c`, each job
/// installing cargo-train from `repo`'s newest release (else building it);
/// `ci_workflow` is the project's CI workflow (GitHub and Forgejo). Names
/// from the configuration must be plain ([`plan`] checks them first).
pub fn ci_files(
    c: &Config,
    ci: Ci,
    ci_workflow: &str,
    repo: Option<&str>,
) -> Vec<(PathBuf, String)> {
    let (dir, install, templates) = match ci {
        Ci::Gitlab => {
            let text = gitlab::pipeline(
                include_str!("workflows/gitlab-ci.yml"),
                c,
                &schedule_days(c),
                repo,
            );
            return vec![(".gitlab-ci.yml".into(), text)];
        }
        Ci::Github => (
            ".github/workflows",
            install_steps_from(repo),
            [
                include_str!("workflows/release-process.yml"),
                include_str!("workflows/release-tag.yml"),
                include_str!("workflows/publish.yml"),
                include_str!("workflows/release-branches-ci.yml"),
            ],
        ),
        Ci::Forgejo => (
            ".forgejo/workflows",
            forgejo_install_steps(repo),
            [
                include_str!("workflows/forgejo/release-process.yml"),
                include_str!("workflows/forgejo/release-tag.yml"),
                include_str!("workflows/forgejo/publish.yml"),
                include_str!("workflows/forgejo/release-branches-ci.yml"),
            ],
        ),
    };
    let mut files: Vec<(PathBuf, String)> = WORKFLOWS
        .iter()
        .zip(templates)
        .map(|(name, text)| {
            (
                Path::new(dir).join(name),
                workflow(text, c, ci_workflow, &install),
            )
        })
        .collect();
    if ci == Ci::Github {
        files.push((
            Path::new(dir).join(DASHBOARD_WORKFLOW),
            workflow(
                include_str!("workflows/release-dashboard.yml"),
                c,
                ci_workflow,
                &install,
            ),
        ));
    }
    files
}

/// Every file `init` writes, with its content.
fn files(ctx: &Context, opts: &InitOpts) -> Vec<File> {
    let main = detected_main(ctx);
    let mut config = ctx.config.clone();
    if let Some(m) = main {
        crate::output::say(
            "Detected",
            &format!(
                "`{m}` as the main branch (there is no `main`): train.toml sets `main-branch`"
            ),
        );
        config.main_branch = m.to_string();
    }
    let version = ctx.ws.train_version();
    let notes = format!(
        "{}\nNotes of earlier releases live on their release branches.\n\n{}\n",
        DEFAULT_TEMPLATE.replace(
            "VERSION",
            &version.as_ref().map_or_else(|| "VERSION".into(), heading)
        ),
        ctx.config.notes.archive_marker
    );
    let own = |path: PathBuf, text: String| File {
        path,
        text,
        ci: false,
    };
    let mut files = vec![
        own(
            "train.toml".into(),
            train_toml(&super::project_name(ctx), opts.ci, main),
        ),
        own(ctx.config.notes.file.clone(), notes),
        own(
            ctx.config.notes.template.clone(),
            DEFAULT_TEMPLATE.to_string(),
        ),
    ];
    files.extend(
        ci_files(
            &config,
            opts.ci,
            &opts.ci_workflow,
            cargo_train_repository().as_deref(),
        )
        .into_iter()
        .map(|(path, text)| File {
            path,
            text,
            ci: true,
        }),
    );
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Uncommenting every key of the template gives a configuration that
    /// reads: each `# ` line made a line of its own.
    #[test]
    fn the_template_stays_valid_with_every_key_uncommented() {
        for main in [None, Some("master")] {
            let t = train_toml("Rail", Ci::Github, main);
            let open: String = t
                .lines()
                .map(|l| {
                    l.strip_prefix("# ")
                        .filter(|r| !r.starts_with(' '))
                        .unwrap_or(l)
                })
                .map(|l| format!("{l}\n"))
                .collect();
            let c = crate::core::config::Config::from_train_toml(Path::new("train.toml"), &open)
                .unwrap_or_else(|e| panic!("{e}\n{open}"));
            assert_eq!(c.main_branch, main.unwrap_or("main"));
            assert_eq!(c.version_files.len(), 1);
            // As written, it is the defaults.
            let c =
                crate::core::config::Config::from_train_toml(Path::new("train.toml"), &t).unwrap();
            assert_eq!(c.requirements, crate::core::config::Requirements::Keep);
        }
    }

    #[test]
    fn the_ci_follows_the_configured_forge() {
        assert_eq!(Ci::of(ForgeKind::Github), Ci::Github);
        assert_eq!(Ci::of(ForgeKind::Forgejo), Ci::Forgejo);
        // No forge, or one that only prints: the workflows GitHub runs.
        assert_eq!(Ci::of(ForgeKind::None), Ci::Github);
        assert_eq!(Ci::of(ForgeKind::DryRun), Ci::Github);
    }
}
