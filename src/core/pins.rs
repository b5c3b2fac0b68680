//! The pin policy: public crates are required with a caret (`"1.2.3"`), every
//! other first-party crate exactly (`"=1.2.3"`), so internal crates may break
//! their API even in a patch release. A requirement must name the version the
//! dependency is at.

use semver::Version;

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

#[cfg(test)]
mod tests {
    use super::*;

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
