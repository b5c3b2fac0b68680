//! `[support]`: which release lines get fixes, and which the weekly CI
//! re-run covers.

use serde::{Deserialize, Deserializer, Serialize};

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
    /// Lines chosen as LTS besides the rule (tokio's `["1.47", "1.51"]`):
    /// `"X"` names a major line, `"X.Y"` a minor one.
    #[serde(deserialize_with = "lts_lines", skip_serializing_if = "Vec::is_empty")]
    pub lts: Vec<LtsLine>,
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
            lts: Vec::new(),
            lts_months: 24,
            months: 2,
            ci_latest: 3,
            ci_lts: 2,
        }
    }
}

/// A release line named as LTS: a major (`"2"`) or a minor (`"1.47"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct LtsLine {
    pub major: u64,
    pub minor: Option<u64>,
}

impl LtsLine {
    /// Whether `v` is on this line.
    pub fn holds(&self, v: &semver::Version) -> bool {
        v.major == self.major && self.minor.is_none_or(|m| v.minor == m)
    }
}

impl From<LtsLine> for String {
    fn from(l: LtsLine) -> String {
        match l.minor {
            Some(m) => format!("{}.{m}", l.major),
            None => l.major.to_string(),
        }
    }
}

fn lts_lines<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<LtsLine>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| {
            let mut parts = s.split('.').map(|p| {
                (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| p.parse::<u64>().ok())
                    .flatten()
            });
            match (parts.next().flatten(), parts.next(), parts.next()) {
                (Some(major), None, None) => Ok(LtsLine { major, minor: None }),
                (Some(major), Some(Some(minor)), None) => Ok(LtsLine {
                    major,
                    minor: Some(minor),
                }),
                _ => Err(serde::de::Error::custom(format!(
                    "`support.lts` has {s:?}: name a line as \"MAJOR\" or \"MAJOR.MINOR\" \
                     (e.g. \"1.47\")"
                ))),
            }
        })
        .collect()
}

/// A support period of 1 to 240 months: 0 would end a release's support on
/// its release day; a bound keeps the date arithmetic in range.
fn support_months<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    super::ranged(d, 1..=240, |n| {
        format!("{n} months is out of range: use 1 to 240 (the defaults are 2, and 24 for LTS)")
    })
    .map(|n| n as u32)
}

#[cfg(test)]
mod tests {
    use crate::core::config::{Config, tests::err};
    use std::path::Path;

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
        assert!(e.contains("line 2") && e.contains("a sequence"), "{e}");
        let c = Config::from_train_toml(Path::new("t"), "[support]\nlts = [\"1.47\", \"3\"]\n")
            .unwrap()
            .support;
        let v = |s: &str| semver::Version::parse(s).unwrap();
        assert!(c.lts[0].holds(&v("1.47.9")) && !c.lts[0].holds(&v("1.48.0")));
        assert!(c.lts[1].holds(&v("3.2.0")) && !c.lts[1].holds(&v("4.0.0")));
        for bad in ["\"1.x\"", "\"\"", "\"1.2.3\"", "\"v1\"", "\"-1\""] {
            let e = err(&format!("[support]\nlts = [{bad}]\n"));
            assert!(
                e.contains("line 2") && e.contains("MAJOR.MINOR"),
                "{bad}: {e}"
            );
        }
    }
}
