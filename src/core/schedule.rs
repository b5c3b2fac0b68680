//! The calendar: what the train should do on a given day.
//!
//! Cut on the cut day, release on the release day (moved off weekends by
//! configuration). A missed run catches up on a later day, and nothing is
//! due twice: a cut is done once its branch exists or a cut was made this
//! month; a release is done once its branch is released or its release
//! change is waiting for review.

use crate::core::config::{Config, Weekend};
use crate::core::refs::Names;
use jiff::civil::{Date, Weekday};
use semver::{Prerelease, Version};
use std::fmt;

/// What `due` knows of the repository.
#[derive(Debug, Clone)]
pub struct Train {
    /// `main`'s version (`X.Y.Z-dev`).
    pub main_version: Version,
    /// Whether the release branch for `main`'s version exists.
    pub main_branch_cut: bool,
    /// The newest release branch, if any.
    pub latest: Option<Branch>,
}

#[derive(Debug, Clone)]
pub struct Branch {
    pub version: Version,
    /// When it was cut, if known.
    pub cut_on: Option<Date>,
    /// Its final release is tagged.
    pub released: bool,
    /// A release change for it waits for review (e.g. an open `ci/release-…`).
    pub release_pending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Cut,
    Release,
}

/// The command that does it.
impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Action::Cut => "cut",
            Action::Release => "release",
        })
    }
}

impl serde::Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// What is due today, oldest work first.
    pub due: Vec<(Action, String)>,
    /// When the next action falls, if nothing is due (or after what is).
    pub next: Option<(Action, Date, String)>,
    /// The freeze the newest branch is in today, if it is in one.
    pub freeze: Option<Freeze>,
}

/// A release branch in its freeze: from `from` until its release on
/// `release`, nothing but its release goes onto it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freeze {
    pub branch: String,
    pub from: Date,
    pub release: Date,
}

/// A release branch's state in a word, from the version at its tip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchState {
    /// Cut, still at `X.Y.Z-dev`: no candidate yet.
    Cut,
    /// In its candidates: the suffix as it stands (`rc.N`, or another).
    Candidate(Prerelease),
    /// Released, then patched (`X.Y.Z` past the branch's own `Z`).
    Patched,
    Released,
}

impl BranchState {
    /// The state of `branch` (the version in its name) at `tip`.
    pub fn of(branch: &Version, tip: &Version) -> BranchState {
        if tip.pre.as_str() == "dev" {
            BranchState::Cut
        } else if !tip.pre.is_empty() {
            BranchState::Candidate(tip.pre.clone())
        } else if tip.patch > branch.patch {
            BranchState::Patched
        } else {
            BranchState::Released
        }
    }
}

/// The word; padded as a `str` is, so columns line up.
impl fmt::Display for BranchState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            BranchState::Cut => "cut",
            BranchState::Candidate(pre) => pre.as_str(),
            BranchState::Patched => "patched",
            BranchState::Released => "released",
        })
    }
}

/// As its word: what `status` prints, in reports' JSON too.
impl serde::Serialize for BranchState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn date(y: i16, m: i8, d: u8) -> Date {
    Date::new(y, m, d as i8).expect("days are 1..=28")
}

fn next_month(d: Date) -> Date {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    date(y, m, 1)
}

/// The cut day of `d`'s month.
pub fn cut_date(d: Date, cfg: &Config) -> Date {
    date(d.year(), d.month(), cfg.cut_day.0)
}

/// The release day of `d`'s month, moved off a weekend per configuration.
pub fn release_date(d: Date, cfg: &Config) -> Date {
    let day = date(d.year(), d.month(), cfg.release_day.0);
    let shift = match (cfg.weekend, day.weekday()) {
        (Weekend::NextMonday, Weekday::Saturday) => 2,
        (Weekend::NextMonday, Weekday::Sunday) => 1,
        (Weekend::PreviousFriday, Weekday::Saturday) => -1,
        (Weekend::PreviousFriday, Weekday::Sunday) => -2,
        _ => 0,
    };
    day.checked_add(jiff::Span::new().days(shift))
        .expect("in range")
}

/// The first release day on or after `d`.
fn release_after(d: Date, cfg: &Config) -> Date {
    let r = release_date(d, cfg);
    if r >= d {
        r
    } else {
        release_date(next_month(d), cfg)
    }
}

fn same_month(a: Date, b: Date) -> bool {
    (a.year(), a.month()) == (b.year(), b.month())
}

/// The release day of branch `b`: the first on or after its cut (this
/// month's when the cut day is not known).
pub fn release_day_of(b: &Branch, today: Date, cfg: &Config) -> Date {
    b.cut_on
        .map_or_else(|| release_date(today, cfg), |c| release_after(c, cfg))
}

/// The freeze of `b` that `today` falls in, as (first day, release day):
/// the `freeze-days` before its release day and that day itself, until it
/// is released.
pub fn freeze_of(b: &Branch, today: Date, cfg: &Config) -> Option<(Date, Date)> {
    if cfg.freeze_days == 0 || b.released {
        return None;
    }
    let release = release_day_of(b, today, cfg);
    let from = release
        .checked_sub(jiff::Span::new().days(i64::from(cfg.freeze_days)))
        .ok()?;
    (from <= today && today <= release).then_some((from, release))
}

pub fn due(today: Date, train: &Train, cfg: &Config) -> Decision {
    let mut due = Vec::new();
    let mut next: Option<(Action, Date, String)> = None;
    let mut later = |a: Action, d: Date, why: String| {
        if next.as_ref().is_none_or(|(_, n, _)| d < *n) {
            next = Some((a, d, why));
        }
    };

    let names = Names::of(cfg);
    // Release the newest branch first: it is the older piece of work.
    if let Some(b) = &train.latest {
        let name = names.release_branch(&b.version);
        if !b.released && !b.release_pending {
            let on = release_day_of(b, today, cfg);
            if today >= on {
                due.push((
                    Action::Release,
                    format!("{name} was due for release on {on} and is not released"),
                ));
            } else {
                later(Action::Release, on, format!("release of {name}"));
            }
        }
    }

    // The branch a cut of main's version makes.
    let branch = names.release_branch(&train.main_version);
    let cut_this_month = train
        .latest
        .as_ref()
        .and_then(|b| b.cut_on)
        .is_some_and(|c| same_month(c, today));
    let this_cut = cut_date(today, cfg);
    if train.main_branch_cut {
        later(
            Action::Cut,
            cut_date(next_month(today), cfg),
            "next cut".into(),
        );
    } else if cut_this_month {
        later(
            Action::Cut,
            cut_date(next_month(today), cfg),
            format!("cut of {branch} (a branch was already cut this month)"),
        );
    } else if today >= this_cut {
        due.push((
            Action::Cut,
            format!("{branch} was due to be cut on {this_cut} and does not exist"),
        ));
    } else {
        later(Action::Cut, this_cut, format!("cut of {branch}"));
    }
    let freeze = train.latest.as_ref().and_then(|b| {
        let (from, release) = freeze_of(b, today, cfg)?;
        Some(Freeze {
            branch: names.release_branch(&b.version).to_string(),
            from,
            release,
        })
    });
    Decision { due, next, freeze }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn train(main: &str, cut: bool, latest: Option<(&str, &str, bool, bool)>) -> Train {
        Train {
            main_version: v(main),
            main_branch_cut: cut,
            latest: latest.map(|(ver, on, released, pending)| Branch {
                version: v(ver),
                cut_on: Some(d(on)),
                released,
                release_pending: pending,
            }),
        }
    }

    fn actions(today: &str, t: &Train) -> Vec<Action> {
        due(d(today), t, &Config::default())
            .due
            .into_iter()
            .map(|(a, _)| a)
            .collect()
    }

    #[test]
    fn weekend_release_moves_per_config() {
        let mut cfg = Config::default();
        // 2026-12-20 is a Sunday.
        assert_eq!(release_date(d("2026-12-01"), &cfg), d("2026-12-21"));
        // 2026-06-20 is a Saturday.
        assert_eq!(release_date(d("2026-06-01"), &cfg), d("2026-06-22"));
        cfg.weekend = Weekend::PreviousFriday;
        assert_eq!(release_date(d("2026-06-01"), &cfg), d("2026-06-19"));
        cfg.weekend = Weekend::Keep;
        assert_eq!(release_date(d("2026-06-01"), &cfg), d("2026-06-20"));
        // 2026-11-20 is a Friday: no move.
        assert_eq!(
            release_date(d("2026-11-01"), &Config::default()),
            d("2026-11-20")
        );
    }

    #[test]
    fn a_freeze_is_the_days_before_the_release_day_until_the_release() {
        let cfg = Config {
            freeze_days: 3,
            ..Config::default()
        };
        let b = |released| Branch {
            version: v("49.0.0-rc.1"),
            cut_on: Some(d("2026-11-05")),
            released,
            release_pending: false,
        };
        let on = |day: &str| freeze_of(&b(false), d(day), &cfg);
        // Released on 2026-11-20 (a Friday): frozen from the 17th.
        assert_eq!(on("2026-11-16"), None);
        assert_eq!(on("2026-11-17"), Some((d("2026-11-17"), d("2026-11-20"))));
        assert_eq!(on("2026-11-20"), Some((d("2026-11-17"), d("2026-11-20"))));
        assert_eq!(on("2026-11-21"), None);
        assert_eq!(freeze_of(&b(true), d("2026-11-18"), &cfg), None);
        assert_eq!(
            freeze_of(&b(false), d("2026-11-18"), &Config::default()),
            None
        );
        // What `due` and `status` say of it.
        let t = Train {
            main_version: v("50.0.0-dev"),
            main_branch_cut: false,
            latest: Some(b(false)),
        };
        assert_eq!(
            due(d("2026-11-18"), &t, &cfg).freeze,
            Some(Freeze {
                branch: "release-49.0.0".into(),
                from: d("2026-11-17"),
                release: d("2026-11-20"),
            })
        );
        assert_eq!(due(d("2026-11-16"), &t, &cfg).freeze, None);
    }

    #[test]
    fn cut_on_the_day_and_catch_up_later() {
        let t = train(
            "50.0.0-dev",
            false,
            Some(("49.0.0", "2026-10-05", true, false)),
        );
        assert_eq!(actions("2026-11-04", &t), []);
        assert_eq!(actions("2026-11-05", &t), [Action::Cut]);
        assert_eq!(actions("2026-11-07", &t), [Action::Cut]);
        let dec = due(d("2026-11-04"), &t, &Config::default());
        assert_eq!(dec.next.unwrap().1, d("2026-11-05"));
    }

    #[test]
    fn no_second_cut() {
        // The branch for main's version exists (the bump is not merged yet).
        let t = train(
            "50.0.0-dev",
            true,
            Some(("50.0.0", "2026-11-05", false, false)),
        );
        assert_eq!(actions("2026-11-06", &t), []);
        // The bump is merged: main moved on, but this month's cut is done.
        let t = train(
            "51.0.0-dev",
            false,
            Some(("50.0.0", "2026-11-05", false, false)),
        );
        assert_eq!(actions("2026-11-06", &t), []);
        assert_eq!(actions("2026-12-05", &t), [Action::Release, Action::Cut]);
    }

    #[test]
    fn release_on_the_day_never_twice_and_catches_up() {
        let t = train(
            "51.0.0-dev",
            false,
            Some(("50.0.0", "2026-11-05", false, false)),
        );
        assert_eq!(actions("2026-11-19", &t), []);
        assert_eq!(actions("2026-11-20", &t), [Action::Release]);
        assert_eq!(actions("2026-11-30", &t), [Action::Release]);
        let pending = train(
            "51.0.0-dev",
            false,
            Some(("50.0.0", "2026-11-05", false, true)),
        );
        assert_eq!(actions("2026-11-20", &pending), []);
        let done = train(
            "51.0.0-dev",
            false,
            Some(("50.0.0", "2026-11-05", true, false)),
        );
        assert_eq!(actions("2026-11-20", &done), []);
        // A branch cut late (after this month's release day) waits for next month's.
        let late = train(
            "51.0.0-dev",
            false,
            Some(("50.0.0", "2026-11-22", false, false)),
        );
        assert_eq!(actions("2026-11-25", &late), []);
        assert_eq!(actions("2026-12-21", &late), [Action::Release, Action::Cut]);
    }

    #[test]
    fn a_branch_state_is_its_tip_in_a_word() {
        let branch = v("3.0.0");
        let word = |tip: &str| BranchState::of(&branch, &v(tip)).to_string();
        assert_eq!(word("3.0.0-dev"), "cut");
        assert_eq!(word("3.0.0-rc.2"), "rc.2");
        assert_eq!(word("3.0.0-beta.1"), "beta.1");
        assert_eq!(word("3.0.0"), "released");
        assert_eq!(word("3.0.2"), "patched");
        assert_eq!(format!("{:<10}|", BranchState::Patched), "patched   |");
        assert_eq!(
            serde_json::to_string(&BranchState::of(&branch, &v("3.0.0-rc.1"))).unwrap(),
            "\"rc.1\""
        );
    }

    #[test]
    fn first_cut_of_a_new_project() {
        let t = train("1.0.0-dev", false, None);
        assert_eq!(actions("2026-01-05", &t), [Action::Cut]);
    }
}
