//! The project's configuration: `train.toml` at the workspace root, or
//! `[workspace.metadata.train]` in the root manifest. Every default is the
//! reference process; anything project-specific is a key here.
//!
//! Values are checked while they are deserialized, so a bad value is reported
//! by `toml` with its line and column, like an unknown key.
//!
//! Each section (or group of related keys) has a file of its own; its types
//! are re-exported here, so callers keep naming `config::X`.

mod advisories;
mod artifacts;
mod backport;
mod crates;
mod forge;
mod notes;
mod publish;
mod refs;
mod schedule;
mod semver;
mod support;
mod tracking;
mod versioning;

pub use advisories::{Advisories, Ignore, RUSTSEC_URL, is_advisory_id};
pub use artifacts::{Artifacts, BuildTarget};
pub use backport::Backport;
pub use crates::{CratePattern, Requirements, VersionFile};
pub use forge::{ForgeKind, Forgejo, Github, Gitlab};
pub use notes::Notes;
pub use publish::{Publish, Rate, RateLimits, WaitFor};
pub use refs::{BranchForm, Branches};
pub use schedule::{CutLevel, Day, Weekend};
// `self::`: the `semver` crate has the same name.
pub use self::semver::{Semver, SemverFeatures};
pub use support::{LtsLine, Support};
pub use tracking::Tracking;
pub use versioning::{Model, Select, Versioning};

use refs::{marker, ref_prefix};

/// A path in the repository, relative to the workspace root: not empty,
/// not absolute, no `..` (what cargo-train writes stays inside the
/// repository; links on the way are refused when it writes).
fn repo_path<'de, D: serde::Deserializer<'de>>(d: D, key: &str) -> Result<PathBuf, D::Error> {
    let p = PathBuf::deserialize(d)?;
    let outside = p.is_absolute()
        || p.components().any(|c| {
            matches!(
                c,
                std::path::Component::ParentDir | std::path::Component::Prefix(_)
            )
        });
    // The git directory is git's; a path of only `.` names no file.
    let in_git = p.components().any(|c| c.as_os_str() == ".git");
    let names_file = p
        .components()
        .any(|c| matches!(c, std::path::Component::Normal(_)));
    if in_git {
        return Err(serde::de::Error::custom(format!(
            "`{key} = {:?}` is inside the `.git` directory, which is git's: name a file of the \
             workspace",
            p.display().to_string()
        )));
    }
    if !names_file || outside {
        return Err(serde::de::Error::custom(format!(
            "`{key} = {:?}` is not a path inside the repository: give one relative to the \
             workspace root, without `..`",
            p.display().to_string()
        )));
    }
    Ok(p)
}

/// One line of text, not empty: `what` names the key in the message.
fn one_line<'de, D: serde::Deserializer<'de>>(d: D, what: &str) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() || s.chars().any(char::is_control) {
        return Err(serde::de::Error::custom(format!(
            "`{what}` must be one line of text, not empty (it goes into commit messages and \
             notes as it is; no control characters)"
        )));
    }
    Ok(s)
}

/// 1 s to a day: 0 would stop every hook at once, more is no bound.
fn hook_timeout<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    ranged(d, 1..=86_400, |n| {
        format!("`hook-timeout-secs = {n}` is out of range: use 1 to 86400 (a day)")
    })
    .map(|n| n as u64)
}

fn project<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    one_line(d, "project").map(Some)
}

/// An integer value read within `range`; out of it, `out_of_range(n)` is
/// the error (which `toml` reports with the key's line).
fn ranged<'de, D: serde::Deserializer<'de>>(
    d: D,
    range: std::ops::RangeInclusive<i64>,
    out_of_range: impl FnOnce(i64) -> String,
) -> Result<i64, D::Error> {
    let n = i64::deserialize(d)?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(serde::de::Error::custom(out_of_range(n)))
    }
}
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Name used in commit messages and pull request titles
    /// ("Release <project> 1.2.0"); defaults to the root package's name.
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "project")]
    pub project: Option<String>,
    #[serde(deserialize_with = "refs::main_branch")]
    pub main_branch: String,
    #[serde(deserialize_with = "refs::remote")]
    pub remote: String,
    #[serde(deserialize_with = "ref_prefix")]
    pub branch_prefix: String,
    /// How a release branch names its line after the prefix.
    pub branch_form: BranchForm,
    /// Release branches from before the train, left alone.
    pub branches: Branches,
    #[serde(deserialize_with = "ref_prefix")]
    pub tag_prefix: String,
    /// Text in a commit message that asks for a tag once CI passes.
    #[serde(deserialize_with = "marker")]
    pub marker: String,
    pub cut_day: Day,
    /// What each cut moves `main` to: the next major or the next minor.
    pub cut_level: CutLevel,
    pub release_day: Day,
    /// What a release day that falls on a weekend does.
    pub weekend: Weekend,
    /// Days before a branch's release day in which nothing but its release
    /// goes onto it (no backports, no patch): its freeze. 0: none.
    #[serde(deserialize_with = "schedule::freeze_days")]
    pub freeze_days: u8,
    /// Days a patch set may wait for its last members before `status`
    /// says it waits too long.
    #[serde(deserialize_with = "schedule::wait_days")]
    pub patch_set_wait_days: u16,
    /// How first-party requirements are kept when a bump moves a crate.
    pub requirements: Requirements,
    /// Crates whose API is public: required with a caret, never exactly
    /// (under `requirements = "pinned"`). Names or glob patterns (`cranelift-*`).
    pub public: Vec<CratePattern>,
    /// Crates the train never publishes, although cargo would allow it
    /// (examples, test harnesses without `publish = false`).
    pub exclude: Vec<CratePattern>,
    pub notes: Notes,
    pub version_files: Vec<VersionFile>,
    /// Shell commands run at the workspace root after every bump
    /// (the reference runs `cargo vet`).
    pub after_bump: Vec<String>,
    /// How long one such command (or cargo's relock) may run before it is
    /// stopped, with every process it started, and the bump undone.
    #[serde(deserialize_with = "hook_timeout")]
    pub hook_timeout_secs: u64,
    /// How changes are delivered: `none` pushes them to their branch,
    /// `dry-run` pushes `ci/*` branches and prints the pull requests.
    pub forge: ForgeKind,
    pub github: Github,
    pub forgejo: Forgejo,
    pub gitlab: Gitlab,
    pub publish: Publish,
    pub artifacts: Artifacts,
    pub support: Support,
    pub backport: Backport,
    pub semver: Semver,
    pub advisories: Advisories,
    /// The tracking issue of each release.
    pub tracking: Tracking,
    /// The release model and crates' own tags.
    pub versioning: Versioning,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            project: None,
            main_branch: "main".into(),
            remote: "origin".into(),
            branch_prefix: "release-".into(),
            branch_form: BranchForm::Full,
            branches: Branches::default(),
            tag_prefix: "v".into(),
            marker: "[automatically-tag-and-release-this-commit]".into(),
            cut_day: Day(5),
            cut_level: CutLevel::Major,
            release_day: Day(20),
            weekend: Weekend::NextMonday,
            freeze_days: 0,
            patch_set_wait_days: 7,
            requirements: Requirements::Keep,
            public: Vec::new(),
            exclude: Vec::new(),
            notes: Notes::default(),
            version_files: Vec::new(),
            after_bump: Vec::new(),
            hook_timeout_secs: 600,
            forge: ForgeKind::None,
            github: Github::default(),
            forgejo: Forgejo::default(),
            gitlab: Gitlab::default(),
            publish: Publish::default(),
            artifacts: Artifacts::default(),
            support: Support::default(),
            backport: Backport::default(),
            semver: Semver::default(),
            advisories: Advisories::default(),
            tracking: Tracking::default(),
            versioning: Versioning::default(),
        }
    }
}

/// An invalid configuration, with the file named (the message carries the
/// line and column).
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration in {}: {message}", path.display())]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl Config {
    /// Whether `name` is a public crate.
    pub fn is_public(&self, name: &str) -> bool {
        self.public.iter().any(|p| p.matches(name))
    }

    /// Whether the semver gate leaves `name` unchecked by configuration.
    pub fn semver_skips(&self, name: &str) -> bool {
        self.semver.skip.iter().any(|p| p.matches(name))
    }

    /// Whether the train leaves `name` unpublished by configuration.
    pub fn is_excluded(&self, name: &str) -> bool {
        self.exclude.iter().any(|p| p.matches(name))
    }

    /// Parses a `train.toml`.
    pub fn from_train_toml(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let c: Config = toml::from_str(text).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        c.check_prefixes(path, text, &[])?;
        Ok(c)
    }

    /// Checks what no single key can: that branch and tag names cannot meet.
    /// `table` is where the configuration sits in `text`.
    fn check_prefixes(&self, path: &Path, text: &str, table: &[&str]) -> Result<(), ConfigError> {
        // Only a full version can make a branch's name a tag's.
        if self.branch_form != BranchForm::Full
            || !prefixes_clash(&self.branch_prefix, &self.tag_prefix)
        {
            return Ok(());
        }
        // Name the line of a key that is written (the other may be a default).
        let line = toml_edit::Document::parse(text).ok().and_then(|doc| {
            let mut t = doc.as_table();
            for k in table {
                t = t.get(k)?.as_table()?;
            }
            let key = ["tag-prefix", "branch-prefix"]
                .into_iter()
                .find_map(|k| t.get_key_value(k))?
                .0;
            Some(crate::core::manifest::line_of(text, key.span()?.start))
        });
        Err(ConfigError {
            path: path.to_path_buf(),
            message: format!(
                "{}`branch-prefix` \"{}\" and `tag-prefix` \"{}\" let a release branch and a tag \
                 have the same name (`{}1.0.0`); make them differ, e.g. `release-` and `v`",
                line.map_or(String::new(), |l| format!("line {l}: ")),
                self.branch_prefix,
                self.tag_prefix,
                if self.branch_prefix.len() >= self.tag_prefix.len() {
                    &self.branch_prefix
                } else {
                    &self.tag_prefix
                },
            ),
        })
    }

    /// Reads `[workspace.metadata.train]` from the root manifest, if present.
    pub fn from_root_manifest(path: &Path, text: &str) -> Result<Option<Config>, ConfigError> {
        #[derive(Deserialize)]
        struct Root {
            workspace: Option<Ws>,
        }
        #[derive(Deserialize)]
        struct Ws {
            metadata: Option<Meta>,
        }
        #[derive(Deserialize)]
        struct Meta {
            train: Option<Config>,
        }
        // Cheap check first: most manifests have no such table, and parsing
        // a large root manifest through serde is not free.
        if !text.contains("train") {
            return Ok(None);
        }
        let root: Root = toml::from_str(text).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let c = root
            .workspace
            .and_then(|w| w.metadata)
            .and_then(|m| m.train);
        if let Some(c) = &c {
            c.check_prefixes(path, text, &["workspace", "metadata", "train"])?;
        }
        Ok(c)
    }

    /// The effective configuration as TOML (what `cargo train config` prints).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("configuration serializes")
    }
}

/// Whether release branches named `<branch>X.Y.Z` and tags named
/// `<tag>VERSION` could share a name: equal prefixes, or one that is the
/// other followed by a digit (`r` and `r1`: `r11.0.0` is both).
fn prefixes_clash(branch: &str, tag: &str) -> bool {
    let (short, long) = if branch.len() <= tag.len() {
        (branch, tag)
    } else {
        (tag, branch)
    };
    long.strip_prefix(short)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_reference_process() {
        let c = Config::from_train_toml(Path::new("train.toml"), "").unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.cut_day, Day(5));
        assert_eq!(c.release_day, Day(20));
        assert_eq!(c.marker, "[automatically-tag-and-release-this-commit]");
        assert_eq!(c.branch_prefix, "release-");
    }

    #[test]
    fn reads_every_section() {
        let text = r##"
project = "Wasmtime"
public = ["wasmtime", "cranelift-*"]
release-day = 21
after-bump = ["cargo vet"]

[notes]
template = "ci/RELEASES-template.md"

[[version-files]]
path = "crates/c-api/include/wasmtime.h"
patterns = ['#define WASMTIME_VERSION "{version}"', "#define WASMTIME_VERSION_MAJOR {major}"]
"##;
        let c = Config::from_train_toml(Path::new("train.toml"), text).unwrap();
        assert!(c.is_public("cranelift-codegen"));
        assert!(c.is_public("wasmtime"));
        assert!(!c.is_public("wasmtime-environ"));
        assert_eq!(c.release_day, Day(21));
        assert_eq!(c.version_files[0].patterns.len(), 2);
        // What `config` prints reads back to the same configuration.
        let again = Config::from_train_toml(Path::new("x"), &c.to_toml()).unwrap();
        assert_eq!(again, c);
    }

    #[test]
    fn tracking_is_opt_in_and_configurable() {
        let c = Config::default();
        assert!(!c.tracking.enabled);
        assert_eq!(c.tracking.title, "Release {version}");
        let c = Config::from_train_toml(
            Path::new("t"),
            "[tracking]\nenabled = true\ntitle = \"{version} tracking\"\ntemplate = \"ci/tracking.md\"\n",
        )
        .unwrap();
        assert!(c.tracking.enabled);
        assert_eq!(c.tracking.template, Some("ci/tracking.md".into()));
        let again = Config::from_train_toml(Path::new("x"), &c.to_toml()).unwrap();
        assert_eq!(again, c);
    }

    #[test]
    fn unknown_key_names_file_and_line() {
        let e = Config::from_train_toml(
            Path::new("train.toml"),
            "cut-day = 5\nbranch-prefx = \"r\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("invalid configuration in train.toml:"), "{e}");
        assert!(e.contains("line 2"), "{e}");
        assert!(e.contains("unknown field `branch-prefx`"), "{e}");
    }

    #[test]
    fn bad_values_name_the_line() {
        let e = Config::from_train_toml(Path::new("train.toml"), "\n\nrelease-day = 31\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3") && e.contains("day 31 is out of range"),
            "{e}"
        );
        let e = Config::from_train_toml(
            Path::new("train.toml"),
            "[[version-files]]\npath = \"v.h\"\npatterns = [\"no placeholder\"]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 3") && e.contains("placeholder"), "{e}");
        let e = err("cut-day = 5\nfreeze-days = 28\n");
        assert!(
            e.contains("line 2")
                && e.contains("freeze-days 28 is out of range: use 0 (no freeze) to 27"),
            "{e}"
        );
        assert_eq!(
            Config::from_train_toml(Path::new("t"), "freeze-days = 3\n")
                .unwrap()
                .freeze_days,
            3
        );
    }

    pub(super) fn err(text: &str) -> String {
        Config::from_train_toml(Path::new("train.toml"), text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn clashing_prefixes_are_refused() {
        assert!(prefixes_clash("v", "v"));
        assert!(prefixes_clash("r", "r1"));
        assert!(prefixes_clash("release-2", "release-"));
        assert!(!prefixes_clash("release-", "v"));
        assert!(!prefixes_clash("release-", "release-v"));
        let e = err("cut-day = 5\n\nbranch-prefix = \"v\"\n");
        assert!(e.contains("line 3") && e.contains("`v1.0.0`"), "{e}");
        // Against the default branch prefix.
        let e = err("tag-prefix = \"release-\"\n");
        assert!(e.contains("line 1") && e.contains("same name"), "{e}");
        let e = Config::from_root_manifest(
            Path::new("Cargo.toml"),
            "[workspace]\n\n[workspace.metadata.train]\nbranch-prefix = \"v\"\ntag-prefix = \"v\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("Cargo.toml") && e.contains("line 5"), "{e}");
    }

    #[test]
    fn values_for_messages_and_git_are_refused_naming_their_key() {
        for (text, key) in [
            ("project = \"Rail\\nPatch-set: v9\"\n", "`project`"),
            ("project = \"\"\n", "`project`"),
            ("project = \"   \"\n", "`project`"),
            ("project = \"Ra\\u0000il\"\n", "`project`"),
            ("main-branch = \"--force\"\n", "`main-branch"),
            ("main-branch = \"ma in\"\n", "`main-branch"),
            ("main-branch = \"a..b\"\n", "`main-branch"),
            ("main-branch = \"\"\n", "`main-branch"),
            ("main-branch = \"x.lock\"\n", "`main-branch"),
            ("remote = \"-o\"\n", "`remote"),
            ("[notes]\nlink = \"* [x](y)\\n## 9.9.9\"\n", "`notes.link`"),
            (
                "[notes]\nlink = \"* [{serie}]({repository})\"\n",
                "`{serie}`",
            ),
            (
                "[notes]\nrepository = \"https://x\\n## 9\"\n",
                "`notes.repository`",
            ),
            ("[notes]\nfile = \".git/config\"\n", "`notes.file"),
            (
                "[[version-files]]\npath = \"./.git/HEAD\"\n",
                "`version-files",
            ),
            ("[[version-files]]\npath = \".\"\n", "`version-files"),
            ("[github]\nrepository = \"/r\"\n", "`github.repository"),
            ("[github]\napi-url = \"file:///etc\"\n", "github.api-url"),
            ("hook-timeout-secs = 0\n", "`hook-timeout-secs = 0`"),
            (
                "[publish]\ntrusted-token-renew-secs = 0\n",
                "trusted-token-renew-secs",
            ),
            ("[forgejo]\nrepository = \"o/r/x\"\n", "`forgejo.repository"),
            ("[forgejo]\nrepository = \"../r\"\n", "`forgejo.repository"),
            ("[tracking]\ntemplate = \"../t.md\"\n", "`tracking.template"),
            (
                "[tracking]\ntemplate = \".git/t.md\"\n",
                "`tracking.template",
            ),
            ("[tracking]\ntitle = \"Release\"\n", "`tracking.title`"),
            (
                "[tracking]\ntitle = \"R {version}\\n\"\n",
                "`tracking.title`",
            ),
        ] {
            let e = err(text);
            assert!(e.contains(key) && e.contains("train.toml"), "{text}: {e}");
        }
        let ok = Config::from_train_toml(
            Path::new("t"),
            "project = \"Rail\"\nmain-branch = \"trunk/2\"\n[notes]\nlink = \"* [{series}]({repository}/tree/{branch})\"\n",
        )
        .unwrap();
        assert_eq!(ok.project.as_deref(), Some("Rail"));
        assert_eq!(ok.main_branch, "trunk/2");
    }

    #[test]
    fn metadata_table_in_root_manifest() {
        let text =
            "[workspace]\nmembers = []\n\n[workspace.metadata.train]\ntag-prefix = \"release/\"\n";
        let c = Config::from_root_manifest(Path::new("Cargo.toml"), text)
            .unwrap()
            .unwrap();
        assert_eq!(c.tag_prefix, "release/");
        let e = Config::from_root_manifest(
            Path::new("Cargo.toml"),
            "[workspace.metadata.train]\nmarker = 3\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("Cargo.toml") && e.contains("line 2"), "{e}");
        assert!(
            Config::from_root_manifest(Path::new("Cargo.toml"), "[workspace]\n")
                .unwrap()
                .is_none()
        );
    }
}
