//! The project's configuration: `train.toml` at the workspace root, or
//! `[workspace.metadata.train]` in the root manifest. Every default is the
//! reference process; anything project-specific is a key here.
//!
//! Values are checked while they are deserialized, so a bad value is reported
//! by `toml` with its line and column, like an unknown key.

use crate::core::version_file::Template;
use serde::{Deserialize, Deserializer, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Name used in commit messages and pull request titles
    /// ("Release <project> 1.2.0"); defaults to the root package's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    pub main_branch: String,
    pub remote: String,
    #[serde(deserialize_with = "ref_prefix")]
    pub branch_prefix: String,
    /// How a release branch names its line after the prefix.
    pub branch_form: BranchForm,
    #[serde(deserialize_with = "ref_prefix")]
    pub tag_prefix: String,
    /// Text in a commit message that asks for a tag once CI passes.
    #[serde(deserialize_with = "marker")]
    pub marker: String,
    pub cut_day: Day,
    pub release_day: Day,
    /// What a release day that falls on a weekend does.
    pub weekend: Weekend,
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
    pub hook_timeout_secs: u64,
    /// How changes are delivered: `none` pushes them to their branch,
    /// `dry-run` pushes `ci/*` branches and prints the pull requests.
    pub forge: ForgeKind,
    pub github: Github,
    pub publish: Publish,
    pub artifacts: Artifacts,
    pub support: Support,
    pub backport: Backport,
    pub semver: Semver,
}

/// The semver gate (cargo-semver-checks) of patch releases.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Semver {
    /// Which features both sides are built with.
    pub features: SemverFeatures,
    /// Public crates the gate does not check (a binary crate whose library
    /// is not an API, one that needs a target or system library the
    /// release machine lacks). Names or glob patterns.
    pub skip: Vec<CratePattern>,
}

/// The feature set cargo-semver-checks checks a crate with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SemverFeatures {
    /// The tool's own choice: every feature but unstable-looking ones.
    #[default]
    Heuristic,
    /// The crate's default features (`--default-features`).
    Default,
    /// Every feature (`--all-features`).
    All,
}

/// The support policy: which release lines get fixes, and which release
/// branches the weekly CI re-run covers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Support {
    /// Versions whose major number is a multiple of this are LTS (0: none).
    pub lts_every: u64,
    /// The first major version that can be an LTS: a project that took up
    /// the policy later (Wasmtime: 24) has no LTS before it.
    pub lts_from: u64,
    /// Months an LTS release is supported after its release date.
    #[serde(deserialize_with = "support_months")]
    pub lts_months: u32,
    /// Months every other release is supported after its release date.
    #[serde(deserialize_with = "support_months")]
    pub months: u32,
    /// The weekly CI re-run covers this many of the newest release branches…
    pub ci_latest: usize,
    /// …and this many of the newest LTS branches besides.
    pub ci_lts: usize,
}

impl Default for Support {
    fn default() -> Self {
        Support {
            lts_every: 12,
            lts_from: 0,
            lts_months: 24,
            months: 2,
            ci_latest: 3,
            ci_lts: 2,
        }
    }
}

/// Backports and the audit of release branches.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Backport {
    /// The trailer (`Branch-only: why`) that marks a commit made on a
    /// release branch only, on purpose: the audit accepts it.
    #[serde(deserialize_with = "trailer_key")]
    pub branch_only_trailer: String,
    /// The heading, in a version's notes section, that backport entries go
    /// under (added at the section's end when missing).
    pub notes_heading: String,
    /// The audit also accepts a commit whose message names a pull request
    /// (`#N`) that landed on main (a main commit whose subject ends in
    /// `(#N)`): backports squash-merged by hand, whose patch was adapted.
    pub audit_pull_requests: bool,
}

impl Default for Backport {
    fn default() -> Self {
        Backport {
            branch_only_trailer: "Branch-only".into(),
            notes_heading: "### Fixed".into(),
            audit_pull_requests: false,
        }
    }
}

/// A trailer key as git writes them: letters, digits and `-`.
fn trailer_key<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(serde::de::Error::custom(format!(
            "`{s}` is not a trailer key: use letters, digits and `-` (the default is `Branch-only`)"
        )));
    }
    Ok(s)
}

/// Release binaries: the targets `init`'s publish workflow builds them for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Artifacts {
    /// One job each; empty: no binaries, only the source tarball.
    pub targets: Vec<BuildTarget>,
}

/// A target triple and the GitHub Actions runner that builds it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuildTarget {
    pub target: String,
    pub runner: String,
}

impl Default for Artifacts {
    fn default() -> Self {
        // Native runners, except Intel macOS, which Apple silicon builds.
        let t = |target: &str, runner: &str| BuildTarget {
            target: target.into(),
            runner: runner.into(),
        };
        Artifacts {
            targets: vec![
                t("x86_64-unknown-linux-gnu", "ubuntu-latest"),
                t("aarch64-unknown-linux-gnu", "ubuntu-24.04-arm"),
                t("x86_64-apple-darwin", "macos-latest"),
                t("aarch64-apple-darwin", "macos-latest"),
                t("x86_64-pc-windows-msvc", "windows-latest"),
            ],
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Publish {
    /// The registry to publish to (a name from cargo's configuration).
    pub registry: String,
    /// Uploads in flight at once.
    pub jobs: u32,
    /// How long one crate may keep failing transiently before it is given up.
    pub retry_budget_secs: u64,
    /// How long to wait for a published version to appear in the index.
    pub index_timeout_secs: u64,
    /// With trusted publishing, a token older than this is replaced before
    /// the next upload (crates.io's live 30 minutes).
    pub trusted_token_renew_secs: u64,
    /// Rate limits by registry name; crates.io's are built in.
    pub rate_limits: std::collections::BTreeMap<String, RateLimits>,
    /// What a dependent's upload waits for, by registry name; see
    /// [`Publish::gate`].
    pub dependents_wait_for: std::collections::BTreeMap<String, Gate>,
}

/// What a crate's upload waits for from each first-party dependency
/// published in the same run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gate {
    /// The dependency's version is in the index: safe on every registry.
    Index,
    /// The registry accepted the dependency's upload. Only for registries
    /// that check, at upload, that a dependency crate exists rather than
    /// that the required version is in their index (crates.io).
    Acceptance,
}

impl Default for Publish {
    fn default() -> Self {
        Publish {
            registry: "crates-io".into(),
            jobs: 4,
            retry_budget_secs: 900,
            index_timeout_secs: 600,
            trusted_token_renew_secs: 1500,
            rate_limits: std::collections::BTreeMap::new(),
            dependents_wait_for: std::collections::BTreeMap::new(),
        }
    }
}

/// A registry's limits: `burst` operations at once, then one per `every-secs`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RateLimits {
    pub new_versions: Rate,
    pub new_crates: Rate,
    pub yanks: Rate,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Rate {
    pub burst: u32,
    pub every_secs: u64,
}

impl Publish {
    /// The gate for `registry`: configured, else `acceptance` for crates.io
    /// (its publish endpoint checks that dependency crates exist, not that
    /// the required versions are indexed), else `index`.
    pub fn gate(&self, registry: &str) -> Gate {
        match self.dependents_wait_for.get(registry) {
            Some(g) => *g,
            None if registry == "crates-io" => Gate::Acceptance,
            None => Gate::Index,
        }
    }

    /// The limits for `registry`: configured, else crates.io's published
    /// ones for crates.io, else none.
    pub fn limits(&self, registry: &str) -> Option<RateLimits> {
        if let Some(l) = self.rate_limits.get(registry) {
            return Some(*l);
        }
        (registry == "crates-io").then_some(RateLimits {
            new_versions: Rate {
                burst: 30,
                every_secs: 60,
            },
            new_crates: Rate {
                burst: 5,
                every_secs: 600,
            },
            yanks: Rate {
                burst: 100,
                every_secs: 60,
            },
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ForgeKind {
    #[default]
    None,
    DryRun,
    Github,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Github {
    /// The REST API's base URL (GitHub Enterprise: `https://HOST/api/v3`).
    pub api_url: String,
    /// `owner/name`; default: from the remote's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Checks and statuses that must pass before a tag; empty: all of them.
    pub required_checks: Vec<String>,
    /// How long a run's API calls may spend, all together, on failed
    /// attempts and the waits before retrying them.
    #[serde(deserialize_with = "retry_budget")]
    pub retry_budget_secs: u64,
}

impl Default for Github {
    fn default() -> Self {
        Github {
            api_url: "https://api.github.com".into(),
            repository: None,
            required_checks: Vec::new(),
            retry_budget_secs: 120,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            project: None,
            main_branch: "main".into(),
            remote: "origin".into(),
            branch_prefix: "release-".into(),
            branch_form: BranchForm::Full,
            tag_prefix: "v".into(),
            marker: "[automatically-tag-and-release-this-commit]".into(),
            cut_day: Day(5),
            release_day: Day(20),
            weekend: Weekend::NextMonday,
            requirements: Requirements::Keep,
            public: Vec::new(),
            exclude: Vec::new(),
            notes: Notes::default(),
            version_files: Vec::new(),
            after_bump: Vec::new(),
            hook_timeout_secs: 600,
            forge: ForgeKind::None,
            github: Github::default(),
            publish: Publish::default(),
            artifacts: Artifacts::default(),
            support: Support::default(),
            backport: Backport::default(),
            semver: Semver::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Notes {
    pub file: PathBuf,
    pub template: PathBuf,
    /// Base URL for links to older notes; defaults to the workspace's
    /// `repository` field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    pub archive_marker: String,
    /// One archive line; `{series}` is `X.Y.x`, `{branch}` the release branch.
    pub link: String,
}

impl Default for Notes {
    fn default() -> Self {
        Notes {
            file: "RELEASES.md".into(),
            template: "ci/RELEASES-template.md".into(),
            repository: None,
            archive_marker: "<!-- ARCHIVE_START -->".into(),
            link: "* [{series}]({repository}/blob/{branch}/RELEASES.md)".into(),
        }
    }
}

/// A file other than the manifests that carries the version.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VersionFile {
    pub path: PathBuf,
    /// Lines to keep current, with `{version}`, `{major}`, `{minor}`,
    /// `{patch}` or `{pre}` where the version goes.
    pub patterns: Vec<Template>,
    /// Whose version the file carries; defaults to the workspace version.
    #[serde(default, rename = "crate", skip_serializing_if = "Option::is_none")]
    pub krate: Option<String>,
}

/// A day of the month, 1 to 28 so that it exists in every month.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Day(pub u8);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = i64::deserialize(d)?;
        if (1..=28).contains(&n) {
            Ok(Day(n as u8))
        } else {
            Err(serde::de::Error::custom(format!(
                "day {n} is out of range: use 1 to 28, so that it exists in every month"
            )))
        }
    }
}

/// The version part of a release branch's name: `release-1.2.0` (Wasmtime's),
/// `tokio-1.38.x`, `release-1.2`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum BranchForm {
    #[default]
    #[serde(rename = "X.Y.Z")]
    Full,
    #[serde(rename = "X.Y.x")]
    MinorX,
    #[serde(rename = "X.Y")]
    Minor,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Weekend {
    /// Move to the Monday after.
    NextMonday,
    /// Move to the Friday before.
    PreviousFriday,
    /// Release on the day regardless.
    Keep,
}

/// A retry budget of 1 s to a day: with none, a single dropped connection
/// fails the run; one beyond a day is no bound (and would overflow a
/// deadline).
fn retry_budget<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = i64::deserialize(d)?;
    if (1..=86_400).contains(&n) {
        Ok(n as u64)
    } else {
        Err(serde::de::Error::custom(format!(
            "retry budget {n} is out of range: use 1 to 86400 seconds (the default is 120)"
        )))
    }
}

/// A support period of 1 to 240 months: 0 would end a release's support on
/// its release day; a bound keeps the date arithmetic in range.
fn support_months<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = i64::deserialize(d)?;
    if (1..=240).contains(&n) {
        Ok(n as u32)
    } else {
        Err(serde::de::Error::custom(format!(
            "{n} months is out of range: use 1 to 240 (the defaults are 2, and 24 for LTS)"
        )))
    }
}

/// The marker must have text: an empty one is in every commit message, so
/// every commit would be a release commit.
fn marker<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(serde::de::Error::custom(
            "`marker` is empty: every commit message would contain it and count as a release; \
             give it some text (the default is `[automatically-tag-and-release-this-commit]`)",
        ));
    }
    Ok(s)
}

/// A branch or tag prefix: not empty (a bare version would be both a branch
/// and a tag name) and usable in a git ref name.
fn ref_prefix<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(serde::de::Error::custom(
            "the prefix is empty: release branches and tags would both be named `X.Y.Z`; \
             use a prefix such as `release-` (branches) or `v` (tags)",
        ));
    }
    let bad = |c: char| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c);
    if s.chars().any(bad)
        || s.contains("..")
        || s.contains("//")
        || s.contains("@{")
        || s.starts_with(['/', '-', '.'])
    {
        return Err(serde::de::Error::custom(format!(
            "`{s}` cannot start a git branch or tag name (see `git check-ref-format`); \
             use letters, digits, `-`, `_`, `.` or `/`"
        )));
    }
    Ok(s)
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

/// How first-party requirements (`version` of a path dependency on a member)
/// are kept when a bump moves the crate they name.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Requirements {
    /// Each keeps its operator and precision and is rewritten only when it
    /// no longer matches the new version (`"0.4"` -> `"0.5"`).
    #[default]
    Keep,
    /// As `keep`, but rewritten to every new version (`"0.4.1"` -> `"0.4.2"`).
    Follow,
    /// Wasmtime's policy: `public` crates are required with a caret on the
    /// full version, every other first-party crate exactly (`=`); always
    /// rewritten; `bump` and `verify` enforce it.
    Pinned,
}

/// A crate name or glob pattern.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(transparent)]
pub struct CratePattern(pub String);

impl CratePattern {
    pub fn matches(&self, name: &str) -> bool {
        glob::Pattern::new(&self.0).is_ok_and(|p| p.matches(name))
    }
}

impl<'de> Deserialize<'de> for CratePattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        glob::Pattern::new(&s)
            .map_err(|e| serde::de::Error::custom(format!("bad crate pattern `{s}`: {e}")))?;
        Ok(CratePattern(s))
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
    }

    fn err(text: &str) -> String {
        Config::from_train_toml(Path::new("train.toml"), text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn github_retry_budget_is_read_and_checked() {
        let c =
            Config::from_train_toml(Path::new("train.toml"), "[github]\nretry-budget-secs = 3\n")
                .unwrap();
        assert_eq!(c.github.retry_budget_secs, 3);
        assert_eq!(Config::default().github.retry_budget_secs, 120);
        for bad in ["0", "-5", "86401"] {
            let e = err(&format!("[github]\n\nretry-budget-secs = {bad}\n"));
            assert!(
                e.contains("train.toml") && e.contains("line 3") && e.contains("1 to 86400"),
                "{e}"
            );
        }
        let e = err("github = { retry-budget-secs = \"2m\" }\n");
        assert!(e.contains("line 1") && e.contains("invalid type"), "{e}");
    }

    #[test]
    fn support_policy_is_read_and_checked() {
        let c = Config::default().support;
        assert_eq!(
            (c.lts_every, c.lts_months, c.months, c.ci_latest, c.ci_lts),
            (12, 24, 2, 3, 2)
        );
        let text = "[support]\nlts-every = 0\nmonths = 3\nci-latest = 1\n";
        let c = Config::from_train_toml(Path::new("train.toml"), text).unwrap();
        assert_eq!((c.support.lts_every, c.support.months), (0, 3));
        assert_eq!((c.support.lts_months, c.support.ci_latest), (24, 1));
        for bad in ["months = 0", "lts-months = 241", "months = -1"] {
            let e = err(&format!("[support]\n\n{bad}\n"));
            assert!(e.contains("line 3") && e.contains("1 to 240"), "{bad}: {e}");
        }
        let e = err("[support]\nci-lts = -1\n");
        assert!(e.contains("line 2") && e.contains("ci-lts"), "{e}");
        let e = err("[support]\nlts = 12\n");
        assert!(e.contains("unknown field `lts`"), "{e}");
    }

    #[test]
    fn empty_marker_is_refused_with_its_line() {
        for m in ["\"\"", "\"  \\t \""] {
            let e = err(&format!("cut-day = 5\nmarker = {m}\n"));
            assert!(e.contains("train.toml") && e.contains("line 2"), "{e}");
            assert!(e.contains("`marker` is empty"), "{e}");
        }
    }

    #[test]
    fn empty_or_unusable_prefixes_are_refused() {
        let e = err("\nbranch-prefix = \"\"\n");
        assert!(
            e.contains("line 2") && e.contains("the prefix is empty"),
            "{e}"
        );
        let e = err("tag-prefix = \" \"\n");
        assert!(
            e.contains("line 1") && e.contains("the prefix is empty"),
            "{e}"
        );
        let e = err("tag-prefix = \"re lease\"\n");
        assert!(
            e.contains("line 1") && e.contains("git branch or tag name"),
            "{e}"
        );
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
