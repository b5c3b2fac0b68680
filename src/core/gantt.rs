//! The timetable as an SVG Gantt chart: one row per release line, a bar
//! from its release date to its end of life (a thin line before it from
//! its branch date: its candidates), month lines, and a line at the day.
//! Colours are attributes of the SVG itself, so it reads the same inline
//! in a page or saved on its own; every number is written with one
//! decimal, so the same lines always give the same bytes.

use crate::core::html::escape;
use crate::core::support::LineState;
use jiff::ToSpan as _;
use jiff::civil::Date;
use std::fmt::Write as _;

/// A release line on the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// The version, as the row is labelled.
    pub label: String,
    /// The id on the page the row links to (its row in a table), if any.
    pub anchor: Option<String>,
    pub lts: bool,
    pub state: LineState,
    pub branched: Option<Date>,
    pub released: Date,
    pub end_of_life: Date,
}

const LABEL_W: f64 = 104.0;
const PLOT_W: f64 = 840.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 34.0;
const ROW_H: f64 = 24.0;
const BAR_H: f64 = 14.0;
/// The room a month label needs, for choosing how many to skip.
const MONTH_LABEL_W: f64 = 56.0;

/// The days the chart spans: from the first of the month of its earliest
/// date to the first of the month after its latest (the day included).
struct Axis {
    from: Date,
    days: f64,
}

impl Axis {
    fn of(bars: &[Bar], today: Date) -> Axis {
        let earliest = bars
            .iter()
            .map(|b| b.branched.unwrap_or(b.released).min(b.released))
            .fold(today, Date::min);
        let latest = bars.iter().map(|b| b.end_of_life).fold(today, Date::max);
        let from = earliest.first_of_month();
        let to = latest
            .first_of_month()
            .checked_add(1.month())
            .unwrap_or(Date::MAX);
        Axis {
            from,
            days: days_between(from, to).max(1) as f64,
        }
    }

    fn x(&self, d: Date) -> f64 {
        LABEL_W + days_between(self.from, d) as f64 * PLOT_W / self.days
    }
}

fn days_between(a: Date, b: Date) -> i64 {
    a.until(b).map_or(0, |s| i64::from(s.get_days()))
}

fn fill(state: LineState) -> &'static str {
    match state {
        LineState::Supported => "#2e7d32",
        LineState::Ended => "#b0b0b0",
        LineState::Candidate => "#f9a825",
        LineState::Scheduled => "#90caf9",
    }
}

pub fn state_name(state: LineState) -> &'static str {
    match state {
        LineState::Supported => "supported",
        LineState::Ended => "ended",
        LineState::Candidate => "release candidates",
        LineState::Scheduled => "scheduled",
    }
}

/// The chart of `bars` (in the order given, top to bottom) on `today`.
pub fn svg(bars: &[Bar], today: Date) -> String {
    let axis = Axis::of(bars, today);
    let width = LABEL_W + PLOT_W + RIGHT;
    let height = TOP + ROW_H * bars.len() as f64 + 8.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gantt\" width=\"{width:.1}\" \
         height=\"{height:.1}\" viewBox=\"0 0 {width:.1} {height:.1}\" role=\"img\" \
         aria-labelledby=\"gantt-title\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <title id=\"gantt-title\">Release lines, from release to end of life</title>\n"
    );
    for (i, _) in bars.iter().enumerate().filter(|(i, _)| i % 2 == 1) {
        let y = TOP + ROW_H * i as f64;
        let _ = writeln!(
            s,
            "<rect x=\"0.0\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{ROW_H:.1}\" fill=\"#f4f6f8\"/>"
        );
    }
    months(&mut s, &axis, height);
    for (i, b) in bars.iter().enumerate() {
        row(&mut s, &axis, b, TOP + ROW_H * i as f64);
    }
    let x = axis.x(today);
    let _ = writeln!(
        s,
        "<line class=\"today\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{height:.1}\" \
         stroke=\"#c62828\" stroke-width=\"2\"/>\n<text x=\"{x:.1}\" y=\"12.0\" \
         text-anchor=\"middle\" fill=\"#c62828\">{today}</text>",
        TOP - 16.0
    );
    s.push_str("</svg>\n");
    s
}

/// A line at the first of every month, labelled at every `step`th (so the
/// labels never overlap), January first.
fn months(s: &mut String, axis: &Axis, height: f64) {
    let count = (axis.days / 30.4).ceil().max(1.0);
    let step = [1, 2, 3, 4, 6, 12]
        .into_iter()
        .find(|k| count / f64::from(*k) * MONTH_LABEL_W <= PLOT_W)
        .unwrap_or(12);
    let end = axis
        .from
        .checked_add(jiff::Span::new().days(axis.days as i64))
        .unwrap_or(Date::MAX);
    let mut m = axis.from;
    while m < end {
        let x = axis.x(m);
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{height:.1}\" stroke=\"#dde1e6\"/>",
            TOP - 6.0
        );
        if (m.month() as i32 - 1) % step == 0 {
            let label = if step == 12 {
                m.year().to_string()
            } else {
                format!("{}-{:02}", m.year(), m.month())
            };
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#555\">{label}</text>",
                x + 2.0,
                TOP - 8.0
            );
        }
        match m.checked_add(1.month()) {
            Ok(next) => m = next,
            Err(_) => break,
        }
    }
}

/// One line's row: its label, its candidates before the release, its bar.
fn row(s: &mut String, axis: &Axis, b: &Bar, y: f64) {
    let state = state_name(b.state);
    let lts = if b.lts { " lts" } else { "" };
    let label = escape(&b.label);
    if let Some(a) = &b.anchor {
        let _ = writeln!(s, "<a href=\"#{}\">", escape(a));
    }
    let _ = writeln!(
        s,
        "<g class=\"line {}{lts}\" data-version=\"{label}\">\n<text x=\"8.0\" y=\"{:.1}\" \
         fill=\"#222\">{label}{}</text>",
        state.replace(' ', "-"),
        y + ROW_H / 2.0 + 4.0,
        if b.lts { " LTS" } else { "" }
    );
    let mid = y + ROW_H / 2.0;
    if let Some(from) = b.branched.filter(|d| *d < b.released) {
        let _ = writeln!(
            s,
            "<line class=\"candidates\" x1=\"{:.1}\" y1=\"{mid:.1}\" x2=\"{:.1}\" y2=\"{mid:.1}\" \
             stroke=\"#f9a825\" stroke-width=\"3\"/>",
            axis.x(from),
            axis.x(b.released)
        );
    }
    let (x0, x1) = (axis.x(b.released), axis.x(b.end_of_life));
    let outline = if b.lts {
        " stroke=\"#1a237e\" stroke-width=\"2\""
    } else {
        ""
    };
    let branched = b
        .branched
        .map_or(String::new(), |d| format!("branched {d}, "));
    let _ = writeln!(
        s,
        "<rect class=\"bar\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{BAR_H:.1}\" \
         rx=\"3\" fill=\"{}\"{outline}><title>{label}{}: {branched}released {}, end of life {}; \
         {state}</title></rect>\n</g>",
        y + (ROW_H - BAR_H) / 2.0,
        (x1 - x0).max(1.0),
        fill(b.state),
        if b.lts { " (LTS)" } else { "" },
        b.released,
        b.end_of_life
    );
    if b.anchor.is_some() {
        s.push_str("</a>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn bar(label: &str, state: LineState, released: &str, eol: &str) -> Bar {
        Bar {
            label: label.into(),
            anchor: None,
            lts: false,
            state,
            branched: None,
            released: d(released),
            end_of_life: d(eol),
        }
    }

    #[test]
    fn bars_sit_at_their_dates() {
        // 2026-01-01 .. 2026-05-01: 120 days over 840 px, 7 px a day.
        let bars = [
            bar("1.0.0", LineState::Ended, "2026-01-01", "2026-03-01"),
            Bar {
                branched: Some(d("2026-02-05")),
                lts: true,
                ..bar("2.0.0", LineState::Supported, "2026-02-20", "2026-04-20")
            },
        ];
        let s = svg(&bars, d("2026-03-26"));
        // 1.0.0: day 0 to day 59.
        assert!(
            s.contains("<rect class=\"bar\" x=\"104.0\" y=\"39.0\" width=\"413.0\""),
            "{s}"
        );
        // 2.0.0: its candidates from day 35, its bar from day 50 to 109.
        assert!(
            s.contains("x1=\"349.0\" y1=\"70.0\" x2=\"454.0\" y2=\"70.0\" stroke=\"#f9a825\""),
            "{s}"
        );
        assert!(
            s.contains("x=\"454.0\" y=\"63.0\" width=\"413.0\" height=\"14.0\" rx=\"3\" fill=\"#2e7d32\" stroke=\"#1a237e\""),
            "{s}"
        );
        assert!(s.contains("<g class=\"line supported lts\" data-version=\"2.0.0\">"));
        assert!(s.contains(
            "<title>2.0.0 (LTS): branched 2026-02-05, released 2026-02-20, end of life \
             2026-04-20; supported</title>"
        ));
        // The day: day 84.
        assert!(s.contains("<line class=\"today\" x1=\"692.0\""), "{s}");
        // Four month lines, each labelled.
        for m in ["2026-01", "2026-02", "2026-03", "2026-04"] {
            assert!(s.contains(&format!(">{m}</text>")), "{m}: {s}");
        }
        assert!(!s.contains(">2026-05</text>"), "{s}");
        assert_eq!(s, svg(&bars, d("2026-03-26")));
    }

    #[test]
    fn long_spans_label_fewer_months() {
        let bars = [bar(
            "24.0.0",
            LineState::Supported,
            "2024-08-20",
            "2026-08-20",
        )];
        let s = svg(&bars, d("2025-01-10"));
        // 25 months over 840 px: every other month, January first.
        assert!(
            s.contains(">2025-01</text>") && s.contains(">2025-03</text>"),
            "{s}"
        );
        assert!(!s.contains(">2025-02</text>"), "{s}");
    }

    #[test]
    fn labels_are_text() {
        let s = svg(
            &[bar(
                "<b>1</b>",
                LineState::Scheduled,
                "2026-01-01",
                "2026-02-01",
            )],
            d("2026-01-01"),
        );
        assert!(s.contains("data-version=\"&lt;b&gt;1&lt;/b&gt;\""), "{s}");
        assert!(!s.contains("<b>"), "{s}");
    }

    #[test]
    fn a_row_with_an_anchor_links_to_it() {
        let b = Bar {
            anchor: Some("v1-0-0".into()),
            ..bar("1.0.0", LineState::Supported, "2026-01-01", "2026-02-01")
        };
        let s = svg(&[b], d("2026-01-10"));
        let start = s
            .find("<a href=\"#v1-0-0\">\n<g class=\"line supported\"")
            .unwrap();
        assert!(s[start..].contains("</rect>\n</g>\n</a>\n"), "{s}");
    }
}
