//! `[advisories]`: the advisory gate, and where the RustSec advisory
//! database comes from.

use serde::{Deserialize, Deserializer, Serialize};
use std::path::PathBuf;

/// RustSec's advisory database, fetched when no local clone is given.
pub const RUSTSEC_URL: &str = "https://github.com/rustsec/advisory-db.git";

/// The advisory gate of `release` and `patch`, and the database that
/// `advisories`, `verify --advisories` and the gate read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Advisories {
    /// `release` and `patch` refuse a branch whose Cargo.lock has a
    /// dependency with an unpatched advisory (off: only `advisories` and
    /// `verify --advisories` check).
    pub gate: bool,
    /// Where the database is fetched from (with git, into cargo-train's
    /// cache), unless `db` is given.
    #[serde(deserialize_with = "url")]
    pub url: String,
    /// A local clone of the database, read as it is and never fetched:
    /// absolute, or relative to the workspace root.
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "db")]
    pub db: Option<PathBuf>,
    /// A database older than this (by its last commit) is warned about
    /// when it was not fetched on this run.
    #[serde(deserialize_with = "stale_days")]
    pub stale_days: u16,
    /// Advisories that do not block, each with the reason.
    #[serde(deserialize_with = "ignores")]
    pub ignore: Vec<Ignore>,
}

impl Default for Advisories {
    fn default() -> Self {
        Advisories {
            gate: false,
            url: RUSTSEC_URL.into(),
            db: None,
            stale_days: 7,
            ignore: Vec::new(),
        }
    }
}

impl Advisories {
    /// The reason `id` is ignored, if it is.
    pub fn ignored(&self, id: &str) -> Option<&str> {
        self.ignore
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.reason.as_str())
    }
}

/// An advisory that does not block: `{ id = "RUSTSEC-…", reason = "…" }`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    #[serde(deserialize_with = "advisory_id")]
    pub id: String,
    /// Why it does not apply, or can wait: required, one line.
    #[serde(deserialize_with = "reason")]
    pub reason: String,
}

/// Whether `s` is a RustSec advisory id: `RUSTSEC-YYYY-NNNN`.
pub fn is_advisory_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("RUSTSEC-") else {
        return false;
    };
    let digits = |p: &str| p.len() == 4 && p.chars().all(|c| c.is_ascii_digit());
    rest.split_once('-')
        .is_some_and(|(year, n)| digits(year) && digits(n))
}

fn advisory_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if !is_advisory_id(&s) {
        return Err(serde::de::Error::custom(format!(
            "`{s}` is not a RustSec advisory id: use its `RUSTSEC-YYYY-NNNN` form"
        )));
    }
    Ok(s)
}

fn reason<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() || s.contains(['\n', '\r']) {
        return Err(serde::de::Error::custom(
            "an ignored advisory needs its `reason`: one line of text, not empty (why the \
             advisory does not apply to what ships, or why it can wait)",
        ));
    }
    Ok(s.trim().to_string())
}

fn ignores<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Ignore>, D::Error> {
    let list = Vec::<Ignore>::deserialize(d)?;
    for (i, a) in list.iter().enumerate() {
        if list[..i].iter().any(|b| b.id == a.id) {
            return Err(serde::de::Error::custom(format!(
                "`{}` is ignored twice: keep one entry, with one reason",
                a.id
            )));
        }
    }
    Ok(list)
}

fn url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() || s.starts_with('-') || s.contains(['\n', '\r']) {
        return Err(serde::de::Error::custom(format!(
            "`advisories.url = {s:?}` is not a git URL: give one git can clone (the default is \
             {RUSTSEC_URL})"
        )));
    }
    Ok(s)
}

fn db<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
    let p = PathBuf::deserialize(d)?;
    if p.as_os_str().is_empty() {
        return Err(serde::de::Error::custom(
            "`advisories.db` is empty: give the directory of a clone of the advisory database",
        ));
    }
    Ok(Some(p))
}

fn stale_days<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    super::ranged(d, 1..=365, |n| {
        format!("stale-days {n} is out of range: use 1 to 365 (the default is 7)")
    })
    .map(|n| n as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::{Config, tests::err};
    use std::path::Path;

    #[test]
    fn advisories_are_read_and_checked() {
        let c = Config::default().advisories;
        assert!(!c.gate);
        assert_eq!(
            (c.url.as_str(), c.db.as_ref(), c.stale_days),
            (RUSTSEC_URL, None, 7)
        );
        let text = "[advisories]\ngate = true\ndb = \"../advisory-db\"\nstale-days = 3\n\
                    ignore = [{ id = \"RUSTSEC-2021-0003\", reason = \" not reachable \" }]\n";
        let c = Config::from_train_toml(Path::new("t"), text)
            .unwrap()
            .advisories;
        assert!(c.gate);
        assert_eq!(c.db.as_deref(), Some(Path::new("../advisory-db")));
        assert_eq!(c.stale_days, 3);
        assert_eq!(c.ignored("RUSTSEC-2021-0003"), Some("not reachable"));
        assert_eq!(c.ignored("RUSTSEC-2021-0004"), None);
        // What `config` prints reads back.
        let all = Config::from_train_toml(Path::new("t"), text).unwrap();
        assert_eq!(
            Config::from_train_toml(Path::new("x"), &all.to_toml()).unwrap(),
            all
        );

        for (text, line, what) in [
            (
                "[advisories]\nignore = [{ id = \"RUSTSEC-2021-0003\" }]\n",
                "line 2",
                "missing field `reason`",
            ),
            (
                "[advisories]\nignore = [{ id = \"RUSTSEC-2021-0003\", reason = \"  \" }]\n",
                "line 2",
                "needs its `reason`",
            ),
            (
                "[advisories]\nignore = [{ id = \"CVE-2021-1\", reason = \"x\" }]\n",
                "line 2",
                "not a RustSec advisory id",
            ),
            (
                "[advisories]\n\nignore = [\n  { id = \"RUSTSEC-2021-0003\", reason = \"a\" },\n  \
                 { id = \"RUSTSEC-2021-0003\", reason = \"b\" },\n]\n",
                "line 3",
                "ignored twice",
            ),
            (
                "[advisories]\nignore = [{ id = \"RUSTSEC-2021-0003\", reason = \"x\", crate = \"y\" }]\n",
                "line 2",
                "unknown field `crate`",
            ),
            (
                "[advisories]\nfetch = true\n",
                "line 2",
                "unknown field `fetch`",
            ),
            (
                "[advisories]\nstale-days = 0\n",
                "line 2",
                "stale-days 0 is out of range",
            ),
            (
                "[advisories]\ndb = \"\"\n",
                "line 2",
                "`advisories.db` is empty",
            ),
            (
                "[advisories]\nurl = \"--upload-pack=x\"\n",
                "line 2",
                "is not a git URL",
            ),
        ] {
            let e = err(text);
            assert!(e.contains(line) && e.contains(what), "{text}: {e}");
        }
    }

    #[test]
    fn advisory_ids_are_rustsec_ids() {
        assert!(is_advisory_id("RUSTSEC-2021-0003"));
        for s in [
            "RUSTSEC-21-0003",
            "rustsec-2021-0003",
            "GHSA-xxxx",
            "RUSTSEC-2021-003a",
        ] {
            assert!(!is_advisory_id(s), "{s}");
        }
    }
}
