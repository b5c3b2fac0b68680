//! The version engine: how one crate's version moves under each bump level.
//!
//! Pure functions over `semver::Version`; the rules are the reference process's
//! (see `process.md`): a breaking bump on `0.x` moves the minor, development
//! lines carry `-dev`, candidates count `-rc.1`, `-rc.2`, …

use semver::{Prerelease, Version};
use std::fmt;
use std::str::FromStr;

/// What `cargo train bump` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Level {
    /// Next breaking version, as a `-dev` line (the cut's bump of `main`).
    Major,
    /// Next minor version (`0.x.y`: next patch), as a `-dev` line.
    Minor,
    /// `patch + 1`, keeping any pre-release suffix.
    Patch,
    /// Next release candidate: `-rc.1` from a plain or `-dev` version, else `rc.N+1`.
    Rc,
    /// Drop the pre-release suffix; a no-op without one.
    DropRc,
    /// Mark the current version as a development line (`X.Y.Z-dev`).
    Dev,
    /// Set this exact version on every crate that carries the workspace version.
    Exact(Version),
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "major" => Level::Major,
            "minor" => Level::Minor,
            "patch" => Level::Patch,
            "rc" => Level::Rc,
            "drop-rc" => Level::DropRc,
            "dev" => Level::Dev,
            other => {
                let v = Version::parse(other).map_err(|e| {
                    format!(
                        "`{other}` is neither a level (major, minor, patch, rc, drop-rc, dev) \
                         nor a version: {e}"
                    )
                })?;
                // Two versions differing only in build metadata are one
                // version to cargo and to a registry.
                if !v.build.is_empty() {
                    return Err(format!(
                        "`{other}` has build metadata (`+{}`), which cargo and registries \
                         ignore: give the version without it",
                        v.build
                    ));
                }
                Level::Exact(v)
            }
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Level::Major => f.write_str("major"),
            Level::Minor => f.write_str("minor"),
            Level::Patch => f.write_str("patch"),
            Level::Rc => f.write_str("rc"),
            Level::DropRc => f.write_str("drop-rc"),
            Level::Dev => f.write_str("dev"),
            Level::Exact(v) => write!(f, "{v}"),
        }
    }
}

fn dev() -> Prerelease {
    Prerelease::new("dev").expect("`dev` is a valid pre-release")
}

/// The release-candidate number of `v`, if it is an `-rc.N`.
pub fn rc_number(v: &Version) -> Option<u64> {
    v.pre.as_str().strip_prefix("rc.")?.parse().ok()
}

/// The next version of a crate at `v` under `level`.
///
/// `Level::Exact` is not a per-crate rule (it applies to the workspace
/// version only) and returns the exact version unchanged. Callers check
/// [`try_bump`] first: a number at `u64::MAX` cannot move.
pub fn bump(v: &Version, level: &Level) -> Version {
    try_bump(v, level).unwrap_or_else(|e| panic!("{v}: {e}"))
}

/// [`bump`], or which number would overflow.
pub fn try_bump(v: &Version, level: &Level) -> Result<Version, String> {
    let up = |n: u64, what: &str| {
        n.checked_add(1).ok_or_else(|| {
            format!(
                "a `{level}` bump would overflow its {what} number ({n} is the largest there is)"
            )
        })
    };
    let mut next = v.clone();
    match level {
        Level::Major => {
            if next.major > 0 {
                next = Version::new(up(next.major, "major")?, 0, 0);
            } else if next.minor > 0 {
                next = Version::new(0, up(next.minor, "minor")?, 0);
            } else {
                next = Version::new(0, 0, up(next.patch, "patch")?);
            }
            next.pre = dev();
        }
        Level::Minor => {
            if next.major > 0 {
                next = Version::new(next.major, up(next.minor, "minor")?, 0);
            } else {
                next = Version::new(0, next.minor, up(next.patch, "patch")?);
            }
            next.pre = dev();
        }
        Level::Patch => next.patch = up(next.patch, "patch")?,
        Level::Rc => {
            let n = match rc_number(v) {
                Some(n) => up(n, "release candidate")?,
                None => 1,
            };
            next.pre = Prerelease::new(&format!("rc.{n}")).expect("rc.N is a valid pre-release");
        }
        Level::DropRc => next.pre = Prerelease::EMPTY,
        Level::Dev => next.pre = dev(),
        Level::Exact(x) => next = x.clone(),
    }
    Ok(next)
}

/// What a crate's changes since its last release call for, least first;
/// the level of an independent release (see [`next_release`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// Fixes and anything else that keeps the API as it was.
    Fix,
    /// New API, nothing removed or changed.
    Feature,
    /// An API break.
    Breaking,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Change::Fix => "patch",
            Change::Feature => "minor",
            Change::Breaking => "major",
        })
    }
}

impl FromStr for Change {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "patch" => Ok(Change::Fix),
            "minor" => Ok(Change::Feature),
            "major" => Ok(Change::Breaking),
            other => Err(format!("`{other}` is no level: use major, minor or patch")),
        }
    }
}

/// The release after `v` for a change of kind `change`, by cargo's rules of
/// compatibility: on `0.y.z` (y > 0) a break moves the minor and anything
/// else the patch; on `0.0.z` every release is a break and moves the
/// patch; from `1.0.0` on each kind moves its own number. A pre-release
/// goes to its release (`1.0.0-alpha.2` -> `1.0.0`), since the change was
/// made towards it.
pub fn next_release(v: &Version, change: Change) -> Result<Version, String> {
    if !v.pre.is_empty() {
        return Ok(Version::new(v.major, v.minor, v.patch));
    }
    let up = |n: u64| {
        n.checked_add(1)
            .ok_or_else(|| format!("{v} cannot move: {n} is the largest number there is"))
    };
    Ok(match (v.major, v.minor, change) {
        (0, 0, _) => Version::new(0, 0, up(v.patch)?),
        (0, m, Change::Breaking) => Version::new(0, up(m)?, 0),
        (0, m, _) => Version::new(0, m, up(v.patch)?),
        (x, _, Change::Breaking) => Version::new(up(x)?, 0, 0),
        (x, m, Change::Feature) => Version::new(x, up(m)?, 0),
        (x, m, Change::Fix) => Version::new(x, m, up(v.patch)?),
    })
}

/// The number a checker says a release must move: what cargo-semver-checks
/// reports as "requires new major/minor version".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    Major,
    Minor,
}

/// What a checker's `required` bump after `v` means as a change: on `0.y.z`
/// and `0.0.z` the checker's "minor" is the break (cargo's compatibility
/// moves one place right), from `1.0.0` on it is a feature.
pub fn needed(v: &Version, required: Option<Required>) -> Change {
    match (required, v.major) {
        (None, _) => Change::Fix,
        (Some(Required::Major), _) | (Some(Required::Minor), 0) => Change::Breaking,
        (Some(Required::Minor), _) => Change::Feature,
    }
}

/// Whether releasing `new` after `old` is a break by cargo's rules (a caret
/// requirement on `old` does not take `new`).
pub fn breaks(old: &Version, new: &Version) -> bool {
    let req = semver::VersionReq::parse(&format!(
        "^{}",
        Version::new(old.major, old.minor, old.patch)
    ))
    .expect("a caret on a version parses");
    !req.matches(&Version::new(new.major, new.minor, new.patch))
}

/// Why moving from `old` to `new` needs `--allow-downgrade`, if it does:
/// an explicit version below the current one (cargo would keep resolving
/// the higher, older release). `dev` lowers a version on purpose
/// (`1.0.0` to `1.0.0-dev`) and is not asked about.
pub fn downgrade(old: &Version, new: &Version, level: &Level) -> Option<String> {
    (matches!(level, Level::Exact(_)) && new < old)
        .then(|| format!("{new} is below the current version {old}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(v: &str, level: &str) -> String {
        bump(&Version::parse(v).unwrap(), &level.parse().unwrap()).to_string()
    }

    #[test]
    fn next_release_follows_cargo_compatibility() {
        let n = |v: &str, c: Change| {
            next_release(&Version::parse(v).unwrap(), c)
                .unwrap()
                .to_string()
        };
        assert_eq!(n("0.42.0", Change::Breaking), "0.43.0");
        assert_eq!(n("0.42.3", Change::Feature), "0.42.4");
        assert_eq!(n("0.42.3", Change::Fix), "0.42.4");
        assert_eq!(n("0.0.3", Change::Fix), "0.0.4");
        assert_eq!(n("1.52.1", Change::Feature), "1.53.0");
        assert_eq!(n("1.52.1", Change::Fix), "1.52.2");
        assert_eq!(n("1.52.1", Change::Breaking), "2.0.0");
        assert_eq!(n("1.0.0-alpha.2", Change::Breaking), "1.0.0");
        assert!(next_release(&Version::new(0, u64::MAX, 0), Change::Breaking).is_err());
        assert!(breaks(&Version::new(0, 42, 0), &Version::new(0, 43, 0)));
        assert!(!breaks(&Version::new(0, 42, 0), &Version::new(0, 42, 1)));
        assert!(!breaks(&Version::new(1, 2, 0), &Version::new(1, 3, 0)));
        assert!(breaks(&Version::new(0, 0, 3), &Version::new(0, 0, 4)));
        assert_eq!("minor".parse::<Change>(), Ok(Change::Feature));
        let (zero, one) = (Version::new(0, 4, 0), Version::new(1, 2, 0));
        assert_eq!(needed(&zero, Some(Required::Minor)), Change::Breaking);
        assert_eq!(needed(&one, Some(Required::Minor)), Change::Feature);
        assert_eq!(needed(&one, Some(Required::Major)), Change::Breaking);
        assert_eq!(needed(&one, None), Change::Fix);
        assert!("huge".parse::<Change>().is_err());
    }

    #[test]
    fn major_moves_to_next_dev_line() {
        assert_eq!(b("44.0.0-dev", "major"), "45.0.0-dev");
        assert_eq!(b("44.0.1", "major"), "45.0.0-dev");
        assert_eq!(b("0.131.0-dev", "major"), "0.132.0-dev");
        assert_eq!(b("0.0.7", "major"), "0.0.8-dev");
    }

    #[test]
    fn minor_moves_the_minor_or_the_patch_of_0x() {
        assert_eq!(b("1.2.3", "minor"), "1.3.0-dev");
        assert_eq!(b("0.2.3", "minor"), "0.2.4-dev");
    }

    #[test]
    fn patch_keeps_the_suffix() {
        assert_eq!(b("44.0.0", "patch"), "44.0.1");
        assert_eq!(b("44.0.0-rc.2", "patch"), "44.0.1-rc.2");
        assert_eq!(b("44.0.0-dev", "patch"), "44.0.1-dev");
    }

    #[test]
    fn rc_sequence() {
        assert_eq!(b("44.0.0-dev", "rc"), "44.0.0-rc.1");
        assert_eq!(b("44.0.0", "rc"), "44.0.0-rc.1");
        assert_eq!(b("44.0.0-rc.1", "rc"), "44.0.0-rc.2");
        assert_eq!(b("44.0.0-rc.9", "rc"), "44.0.0-rc.10");
        assert_eq!(b("0.131.0-dev", "rc"), "0.131.0-rc.1");
    }

    #[test]
    fn drop_rc_and_dev() {
        assert_eq!(b("44.0.0-rc.3", "drop-rc"), "44.0.0");
        assert_eq!(b("44.0.0", "drop-rc"), "44.0.0");
        assert_eq!(b("44.0.0", "dev"), "44.0.0-dev");
        assert_eq!(b("44.0.0-dev", "dev"), "44.0.0-dev");
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        let max = u64::MAX;
        let t = |v: String, level: &str| {
            try_bump(&Version::parse(&v).unwrap(), &level.parse().unwrap())
        };
        let e = t(format!("{max}.0.0"), "major").unwrap_err();
        assert!(e.contains("overflow its major number"), "{e}");
        assert!(
            t(format!("0.{max}.0"), "major")
                .unwrap_err()
                .contains("minor")
        );
        assert!(
            t(format!("1.{max}.0"), "minor")
                .unwrap_err()
                .contains("minor")
        );
        assert!(
            t(format!("1.0.{max}"), "patch")
                .unwrap_err()
                .contains("patch")
        );
        assert!(
            t(format!("1.0.0-rc.{max}"), "rc")
                .unwrap_err()
                .contains("release candidate")
        );
        // Only the number that moves matters.
        assert_eq!(
            t(format!("{max}.0.0"), "patch").unwrap().to_string(),
            format!("{max}.0.1")
        );
        assert_eq!(
            t(format!("1.0.{max}"), "major").unwrap().to_string(),
            "2.0.0-dev"
        );
    }

    #[test]
    fn downgrades_are_explicit_versions_below_the_current() {
        let v = |s: &str| Version::parse(s).unwrap();
        let exact = |s: &str| Level::Exact(v(s));
        assert!(downgrade(&v("1.2.0"), &v("0.0.0"), &exact("0.0.0")).is_some());
        assert!(downgrade(&v("1.2.0"), &v("1.2.0-rc.1"), &exact("1.2.0-rc.1")).is_some());
        assert!(downgrade(&v("1.2.0"), &v("1.2.0"), &exact("1.2.0")).is_none());
        assert!(downgrade(&v("1.2.0"), &v("1.3.0"), &exact("1.3.0")).is_none());
        assert!(downgrade(&v("1.2.0"), &v("1.2.0-dev"), &Level::Dev).is_none());
    }

    #[test]
    fn exact_and_bad_levels() {
        assert_eq!(b("1.0.0", "2.3.4-rc.1"), "2.3.4-rc.1");
        let err = "1.2".parse::<Level>().unwrap_err();
        assert!(err.contains("`1.2` is neither a level"), "{err}");
        let err = "4.0.1+evil.1".parse::<Level>().unwrap_err();
        assert!(err.contains("build metadata (`+evil.1`)"), "{err}");
    }
}
