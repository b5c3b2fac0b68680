//! `cut-day`, `release-day`, `weekend` and `freeze-days`: when the train
//! runs.

use serde::{Deserialize, Deserializer, Serialize};

/// A day of the month, 1 to 28 so that it exists in every month.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Day(pub u8);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::ranged(d, 1..=28, |n| {
            format!("day {n} is out of range: use 1 to 28, so that it exists in every month")
        })
        .map(|n| Day(n as u8))
    }
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

/// What a cut moves `main` to: the next major (Wasmtime's monthly majors)
/// or the next minor (a minor train: tokio's 1.N, 0.x lines' next 0.N).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CutLevel {
    #[default]
    Major,
    Minor,
}

impl CutLevel {
    pub fn level(self) -> crate::core::version::Level {
        match self {
            CutLevel::Major => crate::core::version::Level::Major,
            CutLevel::Minor => crate::core::version::Level::Minor,
        }
    }
}

/// 1 to 365 days.
pub(super) fn wait_days<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    super::ranged(d, 1..=365, |n| {
        format!("patch-set-wait-days {n} is out of range: use 1 to 365 (the default is 7)")
    })
    .map(|n| n as u16)
}

/// At most 27 days: a freeze ends on the release day and starts after the
/// cut of the month before at the earliest.
pub(super) fn freeze_days<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    super::ranged(d, 0..=27, |n| {
        format!("freeze-days {n} is out of range: use 0 (no freeze) to 27")
    })
    .map(|n| n as u8)
}
