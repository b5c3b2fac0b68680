//! First-party requirements: how they are checked and kept current.
//!
//! By default (`requirements = "keep"`) a requirement is the project's own
//! choice: it keeps its operator and precision, must match the version its
//! crate is at, and is rewritten only when a bump leaves it behind.
//!
//! The opt-in pin policy (`requirements = "pinned"`, Wasmtime's): public
//! crates are required with a caret (`"1.2.3"`), every other first-party
//! crate exactly (`"=1.2.3"`), so internal crates may break their API even in
//! a patch release. A requirement must name the version the dependency is at.

use semver::{Op as SemverOp, Version, VersionReq};

/// How a first-party requirement is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=1.2.3`
    Exact,
    /// `1.2.3` or `^1.2.3`
    Caret { explicit: bool },
}

/// A first-party requirement that cargo-train can keep current: one
/// comparator, `=` or caret, naming a full version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Req {
    pub op: Op,
    pub version: Version,
}

impl Req {
    pub fn parse(s: &str) -> Result<Req, String> {
        let t = s.trim();
        let (op, rest) = if let Some(r) = t.strip_prefix('=') {
            (Op::Exact, r)
        } else if let Some(r) = t.strip_prefix('^') {
            (Op::Caret { explicit: true }, r)
        } else {
            (Op::Caret { explicit: false }, t)
        };
        let version = Version::parse(rest.trim()).map_err(|_| {
            format!(
                "requirement \"{s}\" is not a single `=` or caret requirement on a full version"
            )
        })?;
        Ok(Req { op, version })
    }

    /// The same requirement on `v`, with the same operator.
    pub fn with_version(&self, v: &Version) -> String {
        match self.op {
            Op::Exact => format!("={v}"),
            Op::Caret { explicit: true } => format!("^{v}"),
            Op::Caret { explicit: false } => v.to_string(),
        }
    }
}

/// Checks a requirement on a first-party crate at `current`.
///
/// `public` is `Some(is_public)` when the pin policy applies to the
/// dependency (it is published), `None` when only the version must match.
pub fn check(req: &str, dep: &str, current: &Version, public: Option<bool>) -> Vec<String> {
    let r = match Req::parse(req) {
        Ok(r) => r,
        Err(e) => return vec![format!("requirement on `{dep}`: {e}")],
    };
    let mut problems = Vec::new();
    if r.version != *current {
        problems.push(format!(
            "requirement \"{req}\" on `{dep}` does not match its version {current}"
        ));
    }
    match (public, r.op) {
        (Some(true), Op::Exact) => problems.push(format!(
            "`{dep}` is public and must be required with a caret (\"{current}\"), not exactly (\"{req}\")"
        )),
        (Some(false), Op::Caret { .. }) => problems.push(format!(
            "`{dep}` is internal and must be required exactly (\"={current}\"), not with a caret (\"{req}\")"
        )),
        _ => {}
    }
    problems
}

/// Checks a requirement on a first-party crate at `current` when operators
/// are the project's choice: it must parse and match.
pub fn check_kept(req: &str, dep: &str, current: &Version) -> Option<String> {
    match VersionReq::parse(req) {
        Err(e) => Some(format!(
            "requirement \"{req}\" on `{dep}` is not a version requirement: {e}"
        )),
        Ok(r) if !r.matches(current) => Some(format!(
            "requirement \"{req}\" on `{dep}` does not match its version {current}"
        )),
        Ok(_) => None,
    }
}

/// The requirement to write in place of `req` when its crate moves to `new`,
/// keeping the operator and precision as written; `None` to leave it.
///
/// A requirement that matches `new` stays unless `always`. One that names a
/// pre-release (`"1.3.0-rc.1"`) names a point on the line, not a range, so it
/// follows every move. A pre-release `new` can only be required by naming it
/// in full (`"1.3.0-dev"`: a caret `"1.2"` or `"1"` never matches
/// pre-releases of another version), so the precision then becomes full.
/// Fails when the requirement cannot be rewritten faithfully: several
/// comparators, `>`, `>=`, `<`, `<=`, a bare `*`, or a wildcard that would
/// have to name a pre-release.
pub fn follow(req: &str, dep: &str, new: &Version, always: bool) -> Result<Option<String>, String> {
    let parsed = VersionReq::parse(req).map_err(|e| {
        format!("requirement \"{req}\" on `{dep}` is not a version requirement: {e}")
    })?;
    let names_pre = parsed.comparators.iter().any(|c| !c.pre.is_empty());
    if !always && !names_pre && parsed.matches(new) {
        return Ok(None);
    }
    let cannot = |why: &str| {
        format!(
            "requirement \"{req}\" on `{dep}` must move to {new} but {why}, so it cannot be \
             rewritten faithfully: write it as one `=`, `^`, `~` or plain requirement \
             (e.g. \"{new}\"), then bump again"
        )
    };
    let [c] = parsed.comparators.as_slice() else {
        return Err(cannot(if parsed.comparators.is_empty() {
            "`*` does not match pre-releases and crates.io refuses it"
        } else {
            "it has several comparators"
        }));
    };
    let t = req.trim();
    let digits = t.find(|ch: char| ch.is_ascii_digit()).unwrap_or(t.len());
    let prefix = &t[..digits];
    let full = !new.pre.is_empty() || !c.pre.is_empty() || c.patch.is_some();
    let numbers = if full {
        new.to_string()
    } else if c.minor.is_some() {
        format!("{}.{}", new.major, new.minor)
    } else {
        new.major.to_string()
    };
    let out = match c.op {
        SemverOp::Exact | SemverOp::Caret | SemverOp::Tilde => format!("{prefix}{numbers}"),
        SemverOp::Wildcard if new.pre.is_empty() => {
            // `1.*` or `1.2.x`: the wildcard as written after the numbers.
            let tail = t
                .rfind(|ch: char| ch.is_ascii_digit())
                .map_or("", |i| &t[i + 1..]);
            format!("{prefix}{numbers}{tail}")
        }
        SemverOp::Wildcard => return Err(cannot("a wildcard cannot name a pre-release")),
        _ => {
            return Err(cannot(
                "its operator is a bound (`>`, `>=`, `<`, `<=`), not a version",
            ));
        }
    };
    debug_assert!(
        VersionReq::parse(&out).is_ok_and(|r| r.matches(new)),
        "{out} {new}"
    );
    Ok((out != t).then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_requirements_move_only_when_left_behind() {
        let f = |req: &str, new: &str| follow(req, "d", &v(new), false);
        for (req, new, out) in [
            ("0.4", "0.4.1", None),
            ("0.4", "0.5.0", Some("0.5")),
            ("1", "1.1.0", None),
            ("1", "2.0.0", Some("2")),
            ("^24.0.0", "24.0.1", None),
            ("^24.0.0", "25.0.0", Some("^25.0.0")),
            ("~1.2", "1.2.9", None),
            ("~1.2", "1.3.0", Some("~1.3")),
            ("~1.2.3", "1.3.0", Some("~1.3.0")),
            ("=1.2.3", "1.2.4", Some("=1.2.4")),
            ("= 1.2.3", "1.2.4", Some("= 1.2.4")),
            ("=1.2", "1.2.4", None),
            ("=1.2", "1.3.0", Some("=1.3")),
            ("0.0.3", "0.0.4", Some("0.0.4")),
            ("1.*", "2.0.0", Some("2.*")),
            ("1.2.x", "1.3.0", Some("1.3.x")),
            ("1.*", "1.9.0", None),
            // Pre-releases are named in full: "0.5" never matches 0.5.0-dev.
            ("0.4", "0.5.0-dev", Some("0.5.0-dev")),
            ("1", "2.0.0-dev", Some("2.0.0-dev")),
            ("~1.2", "1.3.0-rc.1", Some("~1.3.0-rc.1")),
            ("1.2.3", "1.3.0-rc.1", Some("1.3.0-rc.1")),
            // A pre-release requirement follows every move.
            ("0.5.0-alpha", "0.5.1-alpha", Some("0.5.1-alpha")),
            ("1.3.0-dev", "1.3.0-rc.1", Some("1.3.0-rc.1")),
            ("1.3.0-rc.1", "1.3.0", Some("1.3.0")),
            ("^1.3.0-rc.1", "1.3.0-rc.1", None),
        ] {
            assert_eq!(f(req, new).unwrap().as_deref(), out, "{req} -> {new}");
        }
        // The semver rule behind the full form: a caret on 1.2.3 does not
        // reach 1.3.0-rc.1.
        assert!(
            !VersionReq::parse("1.2.3")
                .unwrap()
                .matches(&v("1.3.0-rc.1"))
        );
    }

    #[test]
    fn follow_rewrites_to_every_new_version_with_the_same_precision() {
        let f = |req: &str, new: &str| follow(req, "d", &v(new), true);
        assert_eq!(f("0.4.1", "0.4.2").unwrap().as_deref(), Some("0.4.2"));
        assert_eq!(f("0.4", "0.4.2").unwrap(), None);
        assert_eq!(f("^1.0.0", "1.1.0").unwrap().as_deref(), Some("^1.1.0"));
    }

    #[test]
    fn unfaithful_rewrites_are_refused() {
        for (req, why) in [
            (">=1.0, <2", "several comparators"),
            (">=1.0", "a bound"),
            ("<2", "a bound"),
            ("*", "`*` does not match pre-releases"),
            ("1.*", "a wildcard cannot name a pre-release"),
        ] {
            let e = follow(req, "d", &v("2.0.0-dev"), false).unwrap_err();
            assert!(
                e.contains(why) && e.contains("cannot be rewritten faithfully"),
                "{req}: {e}"
            );
        }
        // Still matching: nothing to rewrite, nothing refused.
        assert_eq!(follow(">=1.0", "d", &v("1.5.0"), false).unwrap(), None);
        assert!(
            follow("one", "d", &v("1.0.0"), false)
                .unwrap_err()
                .contains("not a version requirement")
        );
    }

    #[test]
    fn kept_requirements_must_match() {
        assert_eq!(check_kept("0.22.0", "d", &v("0.22.1")), None);
        assert_eq!(check_kept("~1.2", "d", &v("1.2.7")), None);
        assert!(
            check_kept("=0.9.0", "d", &v("1.0.0"))
                .unwrap()
                .contains("does not match its version 1.0.0")
        );
        assert!(
            check_kept("0.x.1", "d", &v("1.0.0"))
                .unwrap()
                .contains("not a version requirement")
        );
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn rewrite_keeps_the_operator() {
        for (req, out) in [
            ("=1.0.0", "=2.0.0-dev"),
            ("1.0.0", "2.0.0-dev"),
            ("^1.0.0", "^2.0.0-dev"),
        ] {
            assert_eq!(Req::parse(req).unwrap().with_version(&v("2.0.0-dev")), out);
        }
    }

    #[test]
    fn policy() {
        let cur = v("1.0.0");
        assert!(check("1.0.0", "pub", &cur, Some(true)).is_empty());
        assert!(check("=1.0.0", "int", &cur, Some(false)).is_empty());
        assert!(check("1.0.0", "unpublished", &cur, None).is_empty());
        let p = check("=1.0.0", "pub", &cur, Some(true));
        assert!(
            p[0].contains("`pub` is public and must be required with a caret"),
            "{p:?}"
        );
        let p = check("^1.0.0", "int", &cur, Some(false));
        assert!(
            p[0].contains("`int` is internal and must be required exactly"),
            "{p:?}"
        );
        let p = check("=0.9.0", "int", &cur, Some(false));
        assert!(p[0].contains("does not match its version 1.0.0"), "{p:?}");
        let p = check("~1.0", "int", &cur, Some(false));
        assert!(p[0].contains("not a single `=` or caret"), "{p:?}");
        let p = check("1.0", "int", &cur, None);
        assert!(p[0].contains("not a single"), "{p:?}");
    }
}
