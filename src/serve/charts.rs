//! The pictures of the status pages, as inline SVG written here: a
//! sparkline of values in time order and a bar chart of days. No script:
//! each picture carries its numbers in `<title>`s, which a browser shows
//! on hover and a reader of the markup can check.
//!
//! Markup other tools rely on (keep it): a sparkline is
//! `<svg class="spark" data-kind="…" data-points="N">` holding one
//! `<polyline>` of exactly N points; a bar chart is
//! `<svg class="bars" data-topic="…" data-days="N">` holding one `<rect>`
//! per day. Also here: the style and the small words both pages share.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

/// Both pages' style: narrow screens stack each table row into a card,
/// and anything wider than the screen scrolls in its own box, so a
/// phone (375 px) never scrolls the page sideways.
pub const STYLE: &str = "<style>\
body{font-family:sans-serif;margin:2em;max-width:100%}\
table{border-collapse:collapse}\
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
li,pre,p,dd,td.name,td.error,td.result,td.notes{overflow-wrap:anywhere}pre{white-space:pre-wrap}\
td.name{min-width:9em}td.poll{min-width:8em}td.error,td.result{min-width:12em;max-width:28em}\
.scroll{overflow-x:auto;max-width:100%}\
.failing,.backing-off,.gone{color:#a00}.warn,.moved{color:#a60}\
.banner{background:#fdd;border:2px solid #a00;padding:.6em 1em;font-weight:bold}\
.badge{display:inline-block;padding:.1em .5em;border-radius:.8em;color:#fff;font-weight:bold;white-space:nowrap}\
.s-ok{background:#1a7f37}.s-not-modified{background:#4a8a6a}.s-failing{background:#c62828}\
.s-backing-off{background:#b35c00}.s-gone{background:#555}.s-moved{background:#3457b2}\
.s-broken-rules{background:#8e24aa}.s-quiet{background:#9a7d00}.s-not-polled{background:#888}\
svg.spark polyline{fill:none;stroke:#3457b2;stroke-width:1.5}svg.spark circle{fill:#3457b2}\
svg.bars rect{fill:#3457b2}svg.bars rect.zero{fill:#ccc}\
nav a{margin-right:.6em}nav a.on{font-weight:bold}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}\
@media (max-width:700px){body{margin:.5em}\
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:auto}\
table.cards thead{display:none}table.cards tr{border:1px solid #ccc;margin-bottom:.6em}\
table.cards td{border:none;border-bottom:1px solid #eee}\
table.cards td[data-label]::before{content:attr(data-label) \": \";font-weight:bold}}\
</style>";

/// Width and height of a sparkline, in px.
const SPARK_W: f64 = 100.0;
const SPARK_H: f64 = 20.0;
const PAD: f64 = 2.0;

/// A sparkline of `values`, oldest first, named `kind` (`latency`,
/// `items`); `label` says what it shows, in words.
pub fn spark(kind: &str, values: &[f64], label: &str) -> String {
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    let n = values.len();
    let point = |i: usize, v: f64| {
        let x = if n == 1 {
            SPARK_W / 2.0
        } else {
            PAD + i as f64 * (SPARK_W - 2.0 * PAD) / (n - 1) as f64
        };
        let y = if max > 0.0 {
            SPARK_H - PAD - v / max * (SPARK_H - 2.0 * PAD)
        } else {
            SPARK_H - PAD
        };
        (x, y)
    };
    let mut points = String::new();
    for (i, &v) in values.iter().enumerate() {
        let (x, y) = point(i, v);
        if i > 0 {
            points.push(' ');
        }
        let _ = write!(points, "{x:.1},{y:.1}");
    }
    let mut svg = format!(
        "<svg class=\"spark\" data-kind=\"{kind}\" data-points=\"{n}\" width=\"{SPARK_W}\" \
         height=\"{SPARK_H}\" viewBox=\"0 0 {SPARK_W} {SPARK_H}\" role=\"img\">\
         <title>{label}</title><polyline points=\"{points}\"/>",
        label = attr(label),
    );
    // A lone point draws no line: the newest is marked as a dot.
    if let Some(&last) = values.last() {
        let (x, y) = point(n - 1, last);
        let _ = write!(svg, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"1.8\"/>");
    }
    svg.push_str("</svg>");
    svg
}

/// A bar chart of `counts`, one per day, oldest first, the last on
/// `today`, for topic `slug`.
pub fn bars(slug: &str, counts: &[u32], today: DateTime<Utc>, what: &str) -> String {
    const BAR: f64 = 4.0;
    const GAP: f64 = 1.0;
    const H: f64 = 30.0;
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let total: u32 = counts.iter().sum();
    let days = counts.len();
    let width = days as f64 * (BAR + GAP);
    let label = format!("{total} {what} over {days} days");
    let mut svg = format!(
        "<svg class=\"bars\" data-topic=\"{slug}\" data-days=\"{days}\" width=\"{width}\" \
         height=\"{H}\" viewBox=\"0 0 {width} {H}\" role=\"img\"><title>{label}</title>",
        slug = attr(slug),
    );
    for (i, &count) in counts.iter().enumerate() {
        let back = chrono::Duration::days((days - 1 - i) as i64);
        let day = (today - back).format("%Y-%m-%d");
        let x = i as f64 * (BAR + GAP);
        let (class, h) = if count == 0 {
            (" class=\"zero\"", 1.0)
        } else {
            ("", (f64::from(count) / f64::from(max) * (H - 1.0)).max(1.0))
        };
        let _ = write!(
            svg,
            "<rect{class} x=\"{x:.0}\" y=\"{y:.1}\" width=\"{BAR}\" height=\"{h:.1}\"><title>{day}: {count}</title></rect>",
            y = H - h,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The state's word as a class and `data-state` value: `not-modified`.
pub fn state_word(state: &str) -> String {
    match state {
        "not polled yet" => "not-polled".to_string(),
        other => other.replace(' ', "-"),
    }
}

/// A state in its colour and word.
pub fn badge(state: &str) -> String {
    format!(
        "<span class=\"badge s-{}\">{}</span>",
        state_word(state),
        esc(state)
    )
}

/// How long ago `t` was, in a word or two: "5 min ago", "3 d ago".
pub fn ago(t: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(t) = t else {
        return "never".to_string();
    };
    let seconds = now.signed_duration_since(t).num_seconds().max(0);
    let (n, unit) = match seconds {
        s if s < 60 => (s, "s"),
        s if s < 3600 => (s / 60, "min"),
        s if s < 2 * 86_400 => (s / 3600, "h"),
        s => (s / 86_400, "d"),
    };
    format!("{n} {unit} ago")
}

/// A span of seconds in a word or two: "2 h", "6 d".
pub fn span(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 2 * 86_400 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
}

pub fn attr(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

pub fn esc(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

pub fn time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "—".to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_has_one_point_per_value() {
        let svg = spark("latency", &[3.0, 1.0, 2.0], "latency");
        assert!(svg.contains("data-points=\"3\""), "{svg}");
        let points = svg.split("<polyline points=\"").nth(1).unwrap();
        let points = points.split('"').next().unwrap();
        assert_eq!(points.split(' ').count(), 3);
    }

    #[test]
    fn an_empty_sparkline_says_zero_points() {
        let svg = spark("items", &[], "nothing");
        assert!(
            svg.contains("data-points=\"0\"") && svg.contains("points=\"\""),
            "{svg}"
        );
    }

    #[test]
    fn every_state_has_a_word_of_the_page_contract() {
        use crate::status::Health;
        let contract = [
            "ok",
            "not-modified",
            "failing",
            "backing-off",
            "gone",
            "moved",
            "broken-rules",
            "quiet",
            // Before a source's first poll only.
            "not-polled",
        ];
        for health in [
            Health::NotPolled,
            Health::Ok,
            Health::NotModified,
            Health::Failing,
            Health::BackingOff,
            Health::Gone,
            Health::Moved,
            Health::BrokenRules,
            Health::Quiet,
        ] {
            let word = state_word(health.label());
            assert!(contract.contains(&word.as_str()), "{word}");
        }
    }

    #[test]
    fn a_bar_chart_has_a_rect_per_day() {
        let svg = bars("y-te", &[0, 2, 5], Utc::now(), "stories");
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("data-days=\"3\""));
    }
}
