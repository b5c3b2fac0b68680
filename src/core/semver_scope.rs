//! What the semver gate checks: which crate a changed file belongs to,
//! whether the package cargo publishes holds it, and which crates are
//! public; and the release tag a branch is compared against.

use crate::core::config::Config;
use crate::core::manifest::Package;
use crate::core::workspace::Workspace;
use semver::Version;
use std::path::Path;

/// Each crate's directory (`crates/a`; "" for the root package).
pub fn crate_dirs(ws: &Workspace) -> Vec<String> {
    ws.crates
        .iter()
        .map(|c| crate_dir(&ws.manifests[c.manifest].path))
        .collect()
}

/// For each crate (by position, `dirs` from [`crate_dirs`]): whether one of
/// the `changed` files is its own and in its package. A file the package
/// leaves out cannot change the published API.
pub fn touched<'a>(
    ws: &Workspace,
    dirs: &[String],
    changed: impl Iterator<Item = &'a str>,
) -> Vec<bool> {
    let mut touched = vec![false; dirs.len()];
    for path in changed {
        if let Some(i) = owner(dirs, path) {
            let package = ws.manifests[ws.crates[i].manifest].package.as_ref();
            let rel = path
                .strip_prefix(&dirs[i])
                .unwrap_or(path)
                .trim_start_matches('/');
            if package.is_none_or(|p| packaged(p, rel)) {
                touched[i] = true;
            }
        }
    }
    touched
}

/// The crate a file belongs to: the one whose directory holds it most
/// closely (a member inside another's directory owns its files; a root
/// package owns the files no other member does).
pub fn owner(dirs: &[String], path: &str) -> Option<usize> {
    let holds = |d: &str| d.is_empty() || path.strip_prefix(d).is_some_and(|r| r.starts_with('/'));
    (0..dirs.len())
        .filter(|&i| holds(&dirs[i]))
        .max_by_key(|&i| dirs[i].len())
}

/// Whether `rel` (a path in the package's directory) is in the package
/// cargo would publish, by `package.include` / `package.exclude`
/// (gitignore-like: a pattern with a `/` is anchored at the package root,
/// one without matches any path component). When in doubt, it is.
fn packaged(package: &Package, rel: &str) -> bool {
    if rel == "Cargo.toml" {
        return true;
    }
    match &package.include {
        Some(include) => include.iter().any(|p| matches_path(p, rel)),
        None => !package.exclude.iter().any(|p| matches_path(p, rel)),
    }
}

fn matches_path(pattern: &str, rel: &str) -> bool {
    let opts = glob::MatchOptions {
        require_literal_separator: true,
        ..Default::default()
    };
    let p = pattern.trim_end_matches('/');
    let (anchored, p) = match p.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (p.contains('/'), p),
    };
    let Ok(glob) = glob::Pattern::new(p) else {
        return false;
    };
    let parts: Vec<&str> = rel.split('/').collect();
    if anchored {
        // The path itself, or a directory it is in.
        (1..=parts.len()).any(|n| glob.matches_with(&parts[..n].join("/"), opts))
    } else {
        parts.iter().any(|c| glob.matches_with(c, opts))
    }
}

/// A crate the gate checks: publishable, and named by `public` (every
/// publishable crate when `public` is empty).
pub fn is_public(config: &Config, name: &str, publishable: bool) -> bool {
    publishable
        && (config.public.is_empty() || config.is_public(name))
        && !config.semver_skips(name)
}

/// `crates/a/Cargo.toml` → `crates/a`; the root manifest → "".
fn crate_dir(manifest: &Path) -> String {
    manifest
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The newest final release among `tags` (`parse` reads a tag's version).
/// Whether the release `v` is on the line of `at` (a branch's version):
/// the same major and minor, and not past it (its pre-release part aside).
pub fn on_line(v: &Version, at: &Version) -> bool {
    (v.major, v.minor) == (at.major, at.minor) && *v <= Version::new(at.major, at.minor, at.patch)
}

pub fn newest_release<'a>(
    tags: impl Iterator<Item = &'a str>,
    parse: impl Fn(&str) -> Option<Version>,
) -> Option<String> {
    tags.filter_map(|t| Some((parse(t)?, t)))
        .filter(|(v, _)| v.pre.is_empty())
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, t)| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_the_package_leaves_out_do_not_count() {
        let package = |text: &str| {
            crate::core::manifest::Manifest::parse("Cargo.toml", text.to_string())
                .unwrap()
                .package
                .unwrap()
        };
        let m = &package(
            "[package]\nname = \"w\"\nexclude = ['docs', 'examples/*.c', '/ci', 'tests/disas']\n",
        );
        assert!(!packaged(m, "docs/cli.md"));
        assert!(
            !packaged(m, "crates/x/docs/a.md"),
            "unanchored: any component"
        );
        assert!(!packaged(m, "examples/hello.c"));
        assert!(packaged(m, "examples/hello.rs"));
        assert!(!packaged(m, "ci/run.sh"));
        assert!(!packaged(m, "tests/disas/x.wat"));
        assert!(packaged(m, "tests/all/main.rs"));
        assert!(packaged(m, "src/lib.rs"));
        let inc = &package("[package]\nname = \"w\"\ninclude = ['src/**', 'build.rs']\n");
        assert!(packaged(inc, "src/a/b.rs"));
        assert!(packaged(inc, "build.rs"));
        assert!(packaged(inc, "Cargo.toml"));
        assert!(!packaged(inc, "README.md"));
        assert!(packaged(
            &package("[package]\nname = \"w\"\n"),
            "anything/at/all"
        ));
    }

    #[test]
    fn a_baseline_is_on_the_branchs_line() {
        let v = |s: &str| Version::parse(s).unwrap();
        assert!(on_line(&v("0.258.0"), &v("0.258.1-rc.1")));
        assert!(on_line(&v("48.0.0"), &v("48.0.2")));
        // wasm-tools: the CLI's `v1.257.1` on the `0.258` line.
        assert!(!on_line(&v("1.257.1"), &v("0.258.1")));
        assert!(!on_line(&v("0.257.0"), &v("0.258.0")));
        assert!(!on_line(&v("48.0.3"), &v("48.0.2")));
    }

    #[test]
    fn the_baseline_is_the_newest_final_release() {
        let names = crate::core::refs::Names::new("release-", "v");
        let tags = [
            "v1.0.0",
            "v1.0.10",
            "v1.0.2",
            "v1.1.0-rc.1",
            "other",
            "v1.0.9",
        ];
        let got = newest_release(tags.into_iter(), |t| names.parse_tag(t));
        assert_eq!(got.as_deref(), Some("v1.0.10"));
        assert_eq!(
            newest_release(["v2.0.0-rc.1"].into_iter(), |t| names.parse_tag(t)),
            None
        );
    }

    #[test]
    fn a_file_belongs_to_the_crate_whose_directory_holds_it_most_closely() {
        let dirs: Vec<String> = ["", "crates/a", "crates/a/nested", "crates/ab"]
            .map(String::from)
            .to_vec();
        assert_eq!(owner(&dirs, "crates/ab/src/lib.rs"), Some(3));
        assert_eq!(owner(&dirs, "crates/a/Cargo.toml"), Some(1));
        assert_eq!(owner(&dirs, "crates/a/nested/src/lib.rs"), Some(2));
        assert_eq!(owner(&dirs, "Cargo.lock"), Some(0));
        assert_eq!(owner(&dirs, "tests/all/main.rs"), Some(0));
        // Without a root package, files outside every member belong to none.
        assert_eq!(owner(&dirs[1..], "tests/all/main.rs"), None);
        assert_eq!(owner(&dirs[1..], "crates/abc/x.rs"), None);
    }

    #[test]
    fn public_is_the_list_or_every_publishable_crate() {
        let mut c = Config::default();
        assert!(is_public(&c, "anything", true));
        assert!(!is_public(&c, "anything", false));
        c.public = vec![crate::core::config::CratePattern("rail-*".into())];
        assert!(is_public(&c, "rail-wasi", true));
        assert!(!is_public(&c, "core", true));
    }
}
