//! The support policy (`[support]`): which release lines are supported on a
//! day, from their real release dates; which release branches the weekly CI
//! re-run covers (by counting); and the timetable of past and coming lines.
//!
//! A line is supported from its release date to its end of life (release
//! date plus `months`, or `lts-months` for an LTS), both days included. The
//! newest release stays supported past its end of life until a newer one is
//! released: its users have nothing to move to. This is the reference's
//! "current and previous release, current and previous LTS" whenever the
//! train runs: with monthly releases and two months of support, the previous
//! release ends on the day its successor's successor is due.

use crate::core::config::{Config, Support};
use crate::core::schedule;
use crate::core::version::bump;
use jiff::Span;
use jiff::civil::Date;
use semver::Version;

/// A release line (`X.Y.0`) and its dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub version: Version,
    /// When its branch left main (for a coming line: its cut day).
    pub branched: Option<Date>,
    /// Its first final release, if it had one.
    pub released: Option<Date>,
}

/// Whether `v` is an LTS: on a line `lts` names, or its major number is a
/// multiple of `lts-every` (0.x versions never are; `lts-every = 0` makes
/// none by the rule).
pub fn is_lts(v: &Version, p: &Support) -> bool {
    p.lts.iter().any(|l| l.holds(v))
        || (p.lts_every > 0
            && v.major > 0
            && v.major >= p.lts_from
            && v.major.is_multiple_of(p.lts_every))
}

/// The last day a line released on `released` is supported.
pub fn end_of_life(v: &Version, released: Date, p: &Support) -> Date {
    let months = if is_lts(v, p) { p.lts_months } else { p.months };
    released
        .checked_add(Span::new().months(i64::from(months)))
        .unwrap_or(Date::MAX)
}

/// The lines supported on `day`, newest first.
pub fn supported_on(lines: &[Line], p: &Support, day: Date) -> Vec<Version> {
    let mut released: Vec<(&Version, Date)> = lines
        .iter()
        .filter_map(|l| Some((&l.version, l.released.filter(|r| *r <= day)?)))
        .collect();
    released.sort_by(|a, b| b.0.cmp(a.0));
    released
        .iter()
        .enumerate()
        .filter(|(i, (v, r))| *i == 0 || day <= end_of_life(v, *r, p))
        .map(|(_, (v, _))| (*v).clone())
        .collect()
}

/// The release branches the weekly CI re-run covers, newest first: the
/// `ci-latest` newest and the `ci-lts` newest LTS (by counting, released or
/// not: a branch in its candidates needs CI most).
pub fn ci_rerun(branches: &[Version], p: &Support) -> Vec<Version> {
    let mut all = branches.to_vec();
    all.sort_by(|a, b| b.cmp(a));
    let mut out: Vec<Version> = all.iter().take(p.ci_latest).cloned().collect();
    for v in all.iter().filter(|v| is_lts(v, p)).take(p.ci_lts) {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// The first release day on or after `cut`: a branch's planned release.
pub fn release_after(cut: Date, cfg: &Config) -> Date {
    let r = schedule::release_date(cut, cfg);
    if r >= cut {
        return r;
    }
    let next_month = cut
        .first_of_month()
        .checked_add(Span::new().months(1))
        .unwrap_or(Date::MAX);
    schedule::release_date(next_month, cfg)
}

fn same_month(a: Date, b: Date) -> bool {
    (a.year(), a.month()) == (b.year(), b.month())
}

/// The lines the schedule will cut, one a month from `next` on (each the
/// next major, or minor with `cut-level = "minor"`, as `cut` bumps main), with a cut day up to `months` after
/// `today`. The first is this month's, unless a line was cut this month
/// (its fork commit, or `newest_cut`, the newest branch's cut day as the
/// schedule reads it, is in this month; a missed cut keeps its day, in the
/// past: it is due).
pub fn coming(
    next: &Version,
    lines: &[Line],
    newest_cut: Option<Date>,
    today: Date,
    months: u32,
    cfg: &Config,
) -> Vec<Line> {
    let until = today
        .checked_add(Span::new().months(i64::from(months)))
        .unwrap_or(Date::MAX);
    let cut_this_month = newest_cut.is_some_and(|c| same_month(c, today))
        || lines
            .iter()
            .any(|l| l.branched.is_some_and(|b| same_month(b, today)));
    let mut month = today.first_of_month();
    if cut_this_month {
        month = month
            .checked_add(Span::new().months(1))
            .unwrap_or(Date::MAX);
    }
    let mut version = Version::new(next.major, next.minor, next.patch);
    let mut out = Vec::new();
    while schedule::cut_date(month, cfg) <= until && month < Date::MAX.first_of_month() {
        let cut = schedule::cut_date(month, cfg);
        out.push(Line {
            version: version.clone(),
            branched: Some(cut),
            released: Some(release_after(cut, cfg)),
        });
        version = bump(&version, &cfg.cut_level.level());
        version.pre = semver::Prerelease::EMPTY;
        month = month
            .checked_add(Span::new().months(1))
            .unwrap_or(Date::MAX);
    }
    out
}

/// Where a line stands on the timetable's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineState {
    Supported,
    /// Released, past its end of life.
    Ended,
    /// Cut, not released yet: its release date is the schedule's.
    Candidate,
    /// Not cut yet: both dates are the schedule's.
    Scheduled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub version: Version,
    pub lts: bool,
    pub branched: Option<Date>,
    pub released: Date,
    pub end_of_life: Date,
    pub state: LineState,
}

/// The timetable on `today`, oldest first: the `history` lines (released
/// ones, and those cut after the newest release), then the `coming` ones.
/// With `window`, released lines whose support ended more than that many
/// months before `today` are left out.
pub fn timetable(
    history: &[Line],
    coming: &[Line],
    cfg: &Config,
    today: Date,
    window: Option<u32>,
) -> Vec<Row> {
    let p = &cfg.support;
    let supported = supported_on(history, p, today);
    let newest_released = history
        .iter()
        .filter(|l| l.released.is_some_and(|r| r <= today))
        .map(|l| &l.version)
        .max();
    let since = window.map(|n| {
        today
            .checked_sub(Span::new().months(i64::from(n)))
            .unwrap_or(Date::MIN)
    });
    let mut rows = Vec::new();
    for l in history {
        let (released, state) = match l.released.filter(|r| *r <= today) {
            Some(r) if supported.contains(&l.version) => (r, LineState::Supported),
            Some(r) => (r, LineState::Ended),
            // An older line never released (abandoned, or another layout).
            None if newest_released.is_some_and(|n| *n > l.version) => continue,
            None => {
                let planned = l
                    .released
                    .unwrap_or_else(|| release_after(l.branched.unwrap_or(today), cfg));
                (planned, LineState::Candidate)
            }
        };
        rows.push(row(l, released, state, p));
    }
    rows.retain(|r| r.state != LineState::Ended || since.is_none_or(|s| r.end_of_life >= s));
    for l in coming {
        let released = l.released.unwrap_or(today);
        rows.push(row(l, released, LineState::Scheduled, p));
    }
    rows.sort_by(|a, b| a.version.cmp(&b.version));
    rows
}

fn row(l: &Line, released: Date, state: LineState, p: &Support) -> Row {
    Row {
        version: l.version.clone(),
        lts: is_lts(&l.version, p),
        branched: l.branched,
        released,
        end_of_life: end_of_life(&l.version, released, p),
        state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn line(major: u64, branched: &str, released: Option<&str>) -> Line {
        Line {
            version: Version::new(major, 0, 0),
            branched: Some(d(branched)),
            released: released.map(d),
        }
    }

    fn majors(v: &[Version]) -> Vec<u64> {
        v.iter().map(|v| v.major).collect()
    }

    /// Monthly releases 20..=40, released on the 20th from 2024-04.
    fn monthly() -> Vec<Line> {
        (20..=40u64)
            .map(|n| {
                let month = d("2024-04-20")
                    .checked_add(Span::new().months(n as i64 - 20))
                    .unwrap();
                let cut = month.checked_sub(Span::new().days(15)).unwrap();
                line(n, &cut.to_string(), Some(&month.to_string()))
            })
            .collect()
    }

    #[test]
    fn lts_every_and_none() {
        let mut p = Support::default();
        assert!(is_lts(&Version::new(24, 0, 0), &p));
        assert!(!is_lts(&Version::new(25, 0, 0), &p));
        assert!(!is_lts(&Version::new(0, 24, 0), &p));
        p.lts_from = 24;
        assert!(!is_lts(&Version::new(12, 0, 0), &p));
        assert!(is_lts(&Version::new(24, 0, 0), &p));
        p.lts_every = 0;
        assert!(!is_lts(&Version::new(24, 0, 0), &p));
    }

    #[test]
    fn chosen_lts_lines_beside_the_rule() {
        use crate::core::config::LtsLine;
        // tokio's: two chosen minor lines, no rule.
        let p = Support {
            lts_every: 0,
            lts: vec![
                LtsLine {
                    major: 1,
                    minor: Some(47),
                },
                LtsLine {
                    major: 1,
                    minor: Some(51),
                },
            ],
            ..Support::default()
        };
        assert!(is_lts(&Version::new(1, 47, 3), &p));
        assert!(is_lts(&Version::new(1, 51, 0), &p));
        assert!(!is_lts(&Version::new(1, 48, 0), &p));
        assert_eq!(
            end_of_life(&Version::new(1, 47, 0), d("2025-07-26"), &p),
            d("2027-07-26")
        );
        assert_eq!(
            end_of_life(&Version::new(1, 48, 0), d("2025-10-14"), &p),
            d("2025-12-14")
        );
    }

    #[test]
    fn end_of_life_adds_calendar_months() {
        let p = Support::default();
        let v = |n| Version::new(n, 0, 0);
        assert_eq!(end_of_life(&v(31), d("2025-03-20"), &p), d("2025-05-20"));
        assert_eq!(end_of_life(&v(24), d("2024-08-20"), &p), d("2026-08-20"));
        // A month without the day: its last day.
        assert_eq!(end_of_life(&v(1), d("2025-12-31"), &p), d("2026-02-28"));
    }

    #[test]
    fn supported_by_date_current_previous_and_two_lts() {
        let p = Support::default();
        let lines = monthly();
        // 2025-08-21: 36 released yesterday; 35 until 2025-09-20; 34's
        // window closed yesterday; LTS 24 (2024-08-20) runs to 2026-08-20.
        assert_eq!(
            majors(&supported_on(&lines, &p, d("2025-08-21"))),
            [36, 35, 24]
        );
        // The end-of-life day itself is included.
        assert_eq!(
            majors(&supported_on(&lines, &p, d("2025-08-20"))),
            [36, 35, 34, 24]
        );
        // Once 36 is out and 24 past its 24 months: 36 is the only LTS.
        assert_eq!(majors(&supported_on(&lines, &p, d("2026-08-21"))), [40, 36]);
        // Before any release: nothing.
        assert!(supported_on(&lines, &p, d("2024-04-19")).is_empty());
    }

    #[test]
    fn the_newest_release_outlives_its_window_until_the_next() {
        let p = Support::default();
        let lines = vec![
            line(1, "2025-01-05", Some("2025-01-20")),
            line(2, "2025-02-05", Some("2025-02-20")),
            // Cut, never released: it does not end 2's support.
            line(3, "2025-03-05", None),
        ];
        assert_eq!(majors(&supported_on(&lines, &p, d("2025-12-01"))), [2]);
        // Released late: from its release day on.
        let mut later = lines.clone();
        later[2].released = Some(d("2025-11-03"));
        assert_eq!(majors(&supported_on(&later, &p, d("2025-11-02"))), [2]);
        assert_eq!(majors(&supported_on(&later, &p, d("2025-11-03"))), [3]);
    }

    #[test]
    fn ci_rerun_counts_the_newest_and_the_lts() {
        let mut p = Support::default();
        let branches: Vec<Version> = (1..=40).map(|n| Version::new(n, 0, 0)).collect();
        assert_eq!(majors(&ci_rerun(&branches, &p)), [40, 39, 38, 36, 24]);
        assert_eq!(majors(&ci_rerun(&branches[..36], &p)), [36, 35, 34, 24]);
        (p.ci_latest, p.ci_lts) = (1, 1);
        assert_eq!(majors(&ci_rerun(&branches, &p)), [40, 36]);
        p.lts_every = 0;
        assert_eq!(majors(&ci_rerun(&branches, &p)), [40]);
    }

    #[test]
    fn coming_lines_follow_the_schedule() {
        let cfg = Config::default();
        let next = Version::parse("41.0.0-dev").unwrap();
        // Nothing cut in 2026-01 yet: its cut is the first.
        let c = coming(&next, &monthly(), None, d("2026-01-02"), 2, &cfg);
        let got: Vec<(u64, Date, Date)> = c
            .iter()
            .map(|l| (l.version.major, l.branched.unwrap(), l.released.unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                (41, d("2026-01-05"), d("2026-01-20")),
                // 2026-02-20 is a Friday, 2026-03-20 too.
                (42, d("2026-02-05"), d("2026-02-20")),
            ]
        );
        // 2026-03-02 + 2 months = 2026-05-02: the May cut (5th) is beyond.
        let c = coming(&next, &[], None, d("2026-03-02"), 2, &cfg);
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].version, Version::new(42, 0, 0));
        // A line already cut this month: the next cut is next month's.
        let cut = [line(41, "2026-06-05", None)];
        let c = coming(
            &Version::new(42, 0, 0),
            &cut,
            None,
            d("2026-06-10"),
            1,
            &cfg,
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].branched, Some(d("2026-07-05")));
        // 2026-07-20 is a Monday.
        assert_eq!(c[0].released, Some(d("2026-07-20")));
        // Its fork commit from May, but cut on June 5th (as `due` reads it):
        // still this month's cut.
        let forked = [line(41, "2026-05-29", None)];
        let c = coming(
            &Version::new(42, 0, 0),
            &forked,
            Some(d("2026-06-05")),
            d("2026-06-10"),
            1,
            &cfg,
        );
        assert_eq!(c[0].branched, Some(d("2026-07-05")));
        let c = coming(
            &Version::new(42, 0, 0),
            &forked,
            None,
            d("2026-06-10"),
            1,
            &cfg,
        );
        assert_eq!(c[0].branched, Some(d("2026-06-05")), "the fork day alone");
    }

    #[test]
    fn release_after_a_late_cut_is_next_month() {
        let cfg = Config::default();
        assert_eq!(release_after(d("2026-11-22"), &cfg), d("2026-12-21"));
        assert_eq!(release_after(d("2026-11-05"), &cfg), d("2026-11-20"));
    }

    #[test]
    fn timetable_rows_and_states() {
        let cfg = Config::default();
        let mut history = vec![
            // Abandoned: never released, older than a release.
            line(1, "2024-01-05", None),
        ];
        history.extend(monthly());
        history.push(line(41, "2026-01-05", None));
        let today = d("2026-01-10");
        let coming = coming(&Version::new(42, 0, 0), &history, None, today, 1, &cfg);
        let rows = timetable(&history, &coming, &cfg, today, Some(3));
        let got: Vec<(u64, LineState)> = rows.iter().map(|r| (r.version.major, r.state)).collect();
        // 24 and 36 are LTS; of the others, 37 (2025-11-20) and 38
        // (2025-12-20) ended within the last 3 months, 35 before.
        assert_eq!(
            got,
            [
                (24, LineState::Supported),
                (36, LineState::Supported),
                (37, LineState::Ended),
                (38, LineState::Ended),
                (39, LineState::Supported),
                (40, LineState::Supported),
                (41, LineState::Candidate),
                (42, LineState::Scheduled),
            ]
        );
        let r41 = &rows[6];
        assert_eq!(
            (r41.released, r41.end_of_life),
            (d("2026-01-20"), d("2026-03-20"))
        );
        assert!(rows[0].lts && rows[1].lts && !rows[2].lts);
        assert_eq!(rows[1].end_of_life, d("2027-08-20"));
        // Without a window: every released line.
        let all = timetable(&history, &coming, &cfg, today, None);
        assert_eq!(all.len(), 21 + 2);
    }
}
