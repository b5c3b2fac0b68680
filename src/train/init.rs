//! `cargo train init`: set a workspace up for the train: `train.toml` with the
//! defaults written out as comments, RELEASES.md and its template, and the
//! GitHub Actions workflows. Existing files are kept unless `--force`.

use crate::adapters::fs;
use crate::core::changeset::ChangeSet;
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

/// The steps that install cargo-train in a job.
fn install_steps() -> String {
    install_steps_from(cargo_train_repository().as_deref())
}

/// The steps that install cargo-train in a job: the newest release's
/// prebuilt binary from `repo` for the runner, checked against that
/// release's `SHA256SUMS` (seconds); if there is none, or anything about it
/// fails, `cargo install --locked` (minutes).
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

/// Keeps (without its marker lines) or drops each `#@name` … `#@end` block.
fn section(text: &str, name: &str, keep: bool) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        match line.trim_end() {
            l if l == format!("#@{name}") => inside = true,
            "#@end" if inside => inside = false,
            _ if inside && !keep => {}
            _ => out.push_str(line),
        }
    }
    out
}

pub struct InitOpts {
    pub force: bool,
    /// The workflow file of the project's CI, run weekly on release branches.
    pub ci_workflow: String,
    /// Only the workflows (to refresh them after upgrading cargo-train,
    /// keeping train.toml and the notes).
    pub workflows_only: bool,
}

/// `train.toml`: the project's name, every other key commented out at its
/// default, so that the file documents itself and changes nothing.
pub fn train_toml(project: &str) -> String {
    let mut out = String::from(
        "# cargo-train configuration. Every key is optional: the commented values\n\
         # are the defaults (the reference release process).\n\n",
    );
    out.push_str(&format!("project = \"{project}\"\n"));
    out.push_str(
        "# The workflows `cargo train init` wrote run the train on GitHub.\nforge = \"github\"\n\n",
    );
    for line in crate::core::config::Config::default()
        .to_toml()
        .lines()
        .filter(|l| !l.starts_with("forge ="))
    {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str(
        "\n# First-party requirements: \"keep\" (each keeps its operator and precision, rewritten\n\
         # only when a bump leaves it behind), \"follow\" (rewritten to every new version), or\n\
         # \"pinned\" (public crates caret, all others `=`, enforced by bump and verify).\n\
         # requirements = \"pinned\"\n\
         # Crates whose API is public (required with a caret under \"pinned\"), names or globs:\n# public = [\"my-crate\", \"my-crate-*\"]\n\
         \n# Files that carry the version besides the manifests:\n# [[version-files]]\n# path = \"include/my.h\"\n\
         # patterns = ['#define MY_VERSION \"{version}\"', \"#define MY_VERSION_MAJOR {major}\"]\n",
    );
    out
}

fn workflow(text: &str, ctx: &Context, opts: &InitOpts) -> String {
    let c = &ctx.config;
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
    let text = section(text, "binaries", !targets.is_empty())
        .replace("@MATRIX@\n", &matrix)
        .replace("@INSTALL@\n", &install_steps())
        .replace(
            "@NEEDS@",
            if targets.is_empty() { "" } else { ", binaries" },
        )
        .replace(
            "@GATHER@",
            if targets.is_empty() { "" } else { "binaries/*" },
        );
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
    text.replace("@DAYS@", &days.join(","))
        .replace("@PREFIX@", &c.branch_prefix)
        .replace("@TAG@", &c.tag_prefix)
        .replace("@CI@", &opts.ci_workflow)
}

pub fn plan(ctx: &Context, opts: &InitOpts) -> Result<Plan> {
    check_targets(ctx)?;
    let mut changes = ChangeSet::default();
    for (path, text) in files(ctx, opts) {
        if opts.workflows_only && !path.starts_with(".github/workflows") {
            continue;
        }
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
        changes.set(path, existing, text);
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

/// The matrix is written into YAML as it is: plain names only.
fn check_targets(ctx: &Context) -> Result<()> {
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    for t in &ctx.config.artifacts.targets {
        if !plain(&t.target) || !plain(&t.runner) {
            bail!(
                "{}: artifacts.targets: `{}` on `{}` is not a target triple and a runner label (letters, digits, `.`, `_`, `-`)",
                ctx.config_source,
                t.target,
                t.runner
            );
        }
    }
    Ok(())
}

/// Every file `init` writes, with its content.
fn files(ctx: &Context, opts: &InitOpts) -> Vec<(PathBuf, String)> {
    let version = ctx.ws.train_version();
    let notes = format!(
        "{}\nNotes of earlier releases live on their release branches.\n\n{}\n",
        DEFAULT_TEMPLATE.replace(
            "VERSION",
            &version.as_ref().map_or_else(|| "VERSION".into(), heading)
        ),
        ctx.config.notes.archive_marker
    );
    let mut files: Vec<(PathBuf, String)> = vec![
        ("train.toml".into(), train_toml(&super::project_name(ctx))),
        (ctx.config.notes.file.clone(), notes),
        (
            ctx.config.notes.template.clone(),
            DEFAULT_TEMPLATE.to_string(),
        ),
    ];
    for (name, text) in [
        (
            "release-process.yml",
            include_str!("workflows/release-process.yml"),
        ),
        ("release-tag.yml", include_str!("workflows/release-tag.yml")),
        ("publish.yml", include_str!("workflows/publish.yml")),
        (
            "release-branches-ci.yml",
            include_str!("workflows/release-branches-ci.yml"),
        ),
    ] {
        files.push((
            Path::new(".github/workflows").join(name),
            workflow(text, ctx, opts),
        ));
    }
    files
}
