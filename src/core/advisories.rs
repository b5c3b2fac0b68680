//! Security advisories against a lock file: which locked crates.io
//! dependencies an advisory of the RustSec database affects (RustSec's own
//! reader, the `rustsec` crate, parses both and says which versions are
//! affected), which of those `[advisories] ignore` lets through, and how old
//! a database is. Pure: the database and the lock file come in as text or
//! parsed values.

use crate::core::config::Advisories;
use jiff::civil::Date;
use rustsec::advisory::Advisory;
use rustsec::database::Query;
use rustsec::{Lockfile, package::Package};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A locked dependency an advisory affects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `RUSTSEC-YYYY-NNNN`.
    pub id: String,
    #[serde(rename = "crate")]
    pub krate: String,
    /// The version locked.
    pub version: String,
    pub title: String,
    /// The versions that fix it (`>=1.6.1`); empty: none yet.
    pub patched: Vec<String>,
    pub url: String,
    /// `[advisories] ignore`'s reason, when it lets this one through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
}

impl Finding {
    fn new(a: &Advisory, p: &Package) -> Finding {
        let id = a.metadata.id.to_string();
        Finding {
            url: a
                .metadata
                .url
                .as_ref()
                .map(|u| u.to_string())
                .or_else(|| a.metadata.id.url())
                .unwrap_or_else(|| format!("https://rustsec.org/advisories/{id}")),
            id,
            krate: p.name.as_str().to_string(),
            version: p.version.to_string(),
            title: a.metadata.title.clone(),
            patched: a.versions.patched().iter().map(|r| r.to_string()).collect(),
            ignored: None,
        }
    }

    /// "fixed in >=1.6.1", or that no version fixes it yet.
    pub fn fixed_in(&self) -> String {
        if self.patched.is_empty() {
            "no fixed version yet".to_string()
        } else {
            format!("fixed in {}", self.patched.join(" or "))
        }
    }
}

/// `` `smallvec` 1.6.0: RUSTSEC-2021-0003 (title); fixed in >=1.6.1 <url> ``
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` {}: {} ({}); {} <{}>",
            self.krate,
            self.version,
            self.id,
            self.title,
            self.fixed_in(),
            self.url
        )
    }
}

/// A lock file's text as cargo wrote it; the error names `what`.
pub fn parse_lock(text: &str, what: &str) -> Result<Lockfile, String> {
    Lockfile::from_str(text).map_err(|e| format!("cannot read {what}: {e}"))
}

/// The advisories of a database, by the crate they are about.
pub struct Index<'a> {
    by_crate: BTreeMap<&'a str, Vec<&'a Advisory>>,
}

impl<'a> Index<'a> {
    pub fn new(advisories: impl IntoIterator<Item = &'a Advisory>) -> Index<'a> {
        let mut by_crate: BTreeMap<&str, Vec<&Advisory>> = BTreeMap::new();
        for a in advisories {
            by_crate
                .entry(a.metadata.package.as_str())
                .or_default()
                .push(a);
        }
        Index { by_crate }
    }

    /// Whether the database has an advisory `id`.
    pub fn has(&self, id: &str) -> bool {
        self.by_crate
            .values()
            .flatten()
            .any(|a| a.metadata.id.as_str() == id)
    }

    /// Every locked crates.io package an advisory affects (RustSec's rule:
    /// its version is neither patched nor unaffected; withdrawn and
    /// informational advisories, such as "unmaintained", are left out),
    /// sorted by crate, version and id; each marked with its reason when
    /// `config` ignores it. Path and git dependencies (the workspace's own
    /// crates) are not in the database.
    pub fn check(&self, lock: &Lockfile, config: &Advisories) -> Vec<Finding> {
        let mut out = Vec::new();
        for p in &lock.packages {
            if p.source.as_ref().is_none_or(|s| !s.is_default_registry()) {
                continue;
            }
            let Some(list) = self.by_crate.get(p.name.as_str()) else {
                continue;
            };
            let query = Query::crate_scope().package(p);
            for a in list.iter().filter(|a| query.matches(a)) {
                let mut f = Finding::new(a, p);
                f.ignored = config.ignored(&f.id).map(str::to_string);
                out.push(f);
            }
        }
        out.sort_by(|a, b| (&a.krate, &a.version, &a.id).cmp(&(&b.krate, &b.version, &b.id)));
        out.dedup();
        out
    }
}

/// How old a database whose last commit is of `day` is on `today`, in
/// days (0 for a commit dated after `today`, as under a `--date` in the
/// past).
pub fn age_days(day: Date, today: Date) -> i64 {
    (today - day).get_days().max(0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::Ignore;

    const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

    /// An advisory as a database file has it (in `crates/`, whose
    /// collection the database sets on reading).
    fn advisory(id: &str, krate: &str, patched: &[&str], extra: &str) -> Advisory {
        let patched: Vec<String> = patched.iter().map(|p| format!("{p:?}")).collect();
        format!(
            "```toml\n[advisory]\nid = \"{id}\"\npackage = \"{krate}\"\ndate = \"2021-01-08\"\n\
             collection = \"crates\"\n\
             {extra}\n[versions]\npatched = [{}]\n```\n\n# A bug in {krate}\n\nDetails.\n",
            patched.join(", ")
        )
        .parse()
        .unwrap()
    }

    fn lock(packages: &[(&str, &str, Option<&str>)]) -> Lockfile {
        let mut text = String::from("version = 4\n");
        for (name, version, source) in packages {
            text.push_str(&format!(
                "\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n"
            ));
            if let Some(s) = source {
                text.push_str(&format!(
                    "source = \"{s}\"\nchecksum = \"{}\"\n",
                    "0".repeat(64)
                ));
            }
        }
        parse_lock(&text, "Cargo.lock").unwrap()
    }

    #[test]
    fn an_advisory_affects_the_versions_it_does_not_patch() {
        let db = [
            advisory("RUSTSEC-2021-0003", "smallvec", &[">= 1.6.1"], ""),
            advisory("RUSTSEC-2020-0001", "other", &[], ""),
            advisory(
                "RUSTSEC-2022-0001",
                "smallvec",
                &[">= 2.0.0"],
                "informational = \"unmaintained\"",
            ),
            advisory(
                "RUSTSEC-2022-0002",
                "smallvec",
                &[">= 2.0.0"],
                "withdrawn = \"2022-02-01\"",
            ),
        ];
        let index = Index::new(&db);
        assert!(index.has("RUSTSEC-2020-0001") && !index.has("RUSTSEC-2020-0002"));
        let config = Advisories::default();
        let affected = lock(&[
            ("smallvec", "1.6.0", Some(CRATES_IO)),
            ("other", "0.1.0", Some(CRATES_IO)),
            // The workspace's own crate, and a git dependency: not crates.io's.
            ("smallvec", "0.1.0", None),
            ("rail", "1.0.0", None),
        ]);
        let found = index.check(&affected, &config);
        assert_eq!(
            found.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
            [
                "`other` 0.1.0: RUSTSEC-2020-0001 (A bug in other); no fixed version yet \
                 <https://rustsec.org/advisories/RUSTSEC-2020-0001>",
                "`smallvec` 1.6.0: RUSTSEC-2021-0003 (A bug in smallvec); fixed in >=1.6.1 \
                 <https://rustsec.org/advisories/RUSTSEC-2021-0003>",
            ]
        );
        // Patched: nothing.
        let patched = lock(&[("smallvec", "1.6.1", Some(CRATES_IO))]);
        assert_eq!(index.check(&patched, &config), []);

        // Ignored: still found, with its reason.
        let config = Advisories {
            ignore: vec![Ignore {
                id: "RUSTSEC-2021-0003".into(),
                reason: "insert_many is never called".into(),
            }],
            ..Advisories::default()
        };
        let found = index.check(&affected, &config);
        assert_eq!(found[0].ignored, None);
        assert_eq!(
            found[1].ignored.as_deref(),
            Some("insert_many is never called")
        );
    }

    #[test]
    fn a_database_is_as_old_as_its_last_commit() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(age_days(d("2026-01-10"), d("2026-01-20")), 10);
        assert_eq!(age_days(d("2026-01-20"), d("2026-01-20")), 0);
        assert_eq!(age_days(d("2026-02-01"), d("2026-01-20")), 0);
    }

    #[test]
    fn an_unreadable_lock_file_is_named() {
        let e = parse_lock("[[package]]\nname = 3\n", "release-1.0.0:Cargo.lock").unwrap_err();
        assert!(
            e.starts_with("cannot read release-1.0.0:Cargo.lock: "),
            "{e}"
        );
    }
}
