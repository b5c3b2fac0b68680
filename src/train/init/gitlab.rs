//! The GitLab CI pipeline `init --ci gitlab` writes: the GitHub workflows'
//! jobs in one `.gitlab-ci.yml` (GitLab reads no other file), scheduled
//! from GitLab's UI.

use super::parts::{indent, prebuilt_script, regex_literal, section, yaml_quoted};
use crate::core::config::Config;

/// `.gitlab-ci.yml` from its template: the schedule's days, the main branch,
/// the branch and tag prefixes as patterns, the steps that install
/// cargo-train (the prebuilt binary from `repo`'s newest release, else
/// built) and a binaries job for each target. The configuration's names
/// are plain (checked before): they go in as they are where GitLab reads
/// them as text, escaped in patterns, quoted as YAML scalars in the matrix.
pub fn pipeline(template: &str, c: &Config, days: &str, repo: Option<&str>) -> String {
    let targets = &c.artifacts.targets;
    let matrix: String = targets
        .iter()
        .map(|t| {
            format!(
                "      - TARGET: {}\n        RUNNER: {}\n",
                yaml_quoted(&t.target),
                yaml_quoted(&t.runner)
            )
        })
        .collect();
    let install = match repo {
        // A script of its own (its `set -e` holds there), run before the
        // fallback: in an `if` or `||` the shell would ignore it.
        Some(repo) => format!(
            "    - &install |\n      # The newest cargo-train release's binary for this host, checked\n      \
             # against its SHA256SUMS (seconds); else built from crates.io (minutes).\n      \
             script=\"$(mktemp)\"\n      cat > \"$script\" <<'PREBUILT'\n{}      PREBUILT\n      \
             bash \"$script\" || cargo install cargo-train --locked\n",
            indent(&prebuilt_script(repo), 6)
        ),
        None => "    - &install cargo install cargo-train --locked\n".to_string(),
    };
    section(template, "binaries", !targets.is_empty())
        .replace("@MATRIX@\n", &matrix)
        .replace("@INSTALL@\n", &install)
        .replace(
            "@NEEDS@",
            if targets.is_empty() { "" } else { ", binaries" },
        )
        .replace(
            "@GATHER@",
            if targets.is_empty() { "" } else { "binaries/*" },
        )
        .replace("@DAYS@", days)
        .replace("@MAIN@", &c.main_branch)
        .replace("@PREFIX@", &c.branch_prefix)
        .replace("@TAGPREFIX@", &c.tag_prefix)
        .replace("@BRANCHES@", &regex_literal(&c.branch_prefix))
        .replace("@TAGS@", &regex_literal(&c.tag_prefix))
}

/// GitHub's hosted runner labels (the default targets' runners) name no
/// GitLab runner: says so once, with GitLab.com's own runners' tags.
pub fn warn_about_runners(c: &Config) {
    let mut github = Vec::new();
    let mut hosted = Vec::new();
    for t in &c.artifacts.targets {
        let r = t.runner.as_str();
        let on_gitlab = match r {
            "ubuntu-latest" => Some("saas-linux-small-amd64"),
            "ubuntu-24.04-arm" => Some("saas-linux-small-arm64"),
            "macos-latest" => Some("saas-macos-medium-m1"),
            "windows-latest" => Some("saas-windows-medium-amd64"),
            _ if ["ubuntu-", "macos-", "windows-"]
                .iter()
                .any(|p| r.starts_with(p)) =>
            {
                None
            }
            _ => continue,
        };
        let r = format!("`{r}`");
        if !github.contains(&r) {
            github.push(r);
        }
        if let Some(h) = on_gitlab.map(|h| format!("`{h}`"))
            && !hosted.contains(&h)
        {
            hosted.push(h);
        }
    }
    if github.is_empty() {
        return;
    }
    crate::output::say(
        "Warning",
        &format!(
            "the binaries jobs run on GitLab runners tagged {}: GitHub Actions labels; set the \
             runners of [artifacts] targets to your GitLab runners' tags (GitLab.com's: {})",
            github.join(", "),
            hosted.join(", ")
        ),
    );
}
