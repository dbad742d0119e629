//! `/`: every topic's feed with its 30 days of stories, and every
//! source's state, with pictures, as one HTML page rendered here.
//!
//! Sorting and filtering are links (`/?state=failing`, `/?sort=latency`)
//! that the server answers: the page needs no script. Each source row is
//! `<tr class="source" data-source="{id}" data-state="{word}">`, and a
//! browser test reads it so; [`super::charts`] says what the pictures
//! are.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::Served;
use super::charts::{STYLE, ago, attr, badge, bars, esc, spark, state_word, time};
use crate::config::Config;
use crate::pipeline::publish::Format;
use crate::status::{SourceStatus, statuses};
use crate::store::Store;

/// Days in a topic's bar chart.
const CHART_DAYS: i64 = 30;

/// How long a topic's bars are reused: counting a month of a large
/// topic's keys is a range scan per topic, and a day's bar changes
/// slowly; a page asked for a hundred times a second reads them once.
const BARS_FRESH: Duration = Duration::from_secs(60);

/// Every state word a row may carry, worst first: the order of
/// `?sort=state` and of the filter links.
const STATES: [&str; 9] = [
    "failing",
    "backing-off",
    "broken-rules",
    "gone",
    "quiet",
    "moved",
    "not-polled",
    "not-modified",
    "ok",
];

/// The sorts offered, by their `?sort=` value and name.
const SORTS: [(&str, &str); 5] = [
    ("config", "as configured"),
    ("state", "worst state first"),
    ("latency", "slowest first"),
    ("silence", "longest without news first"),
    ("name", "name"),
];

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    state: Option<String>,
    sort: Option<String>,
}

/// How long the sources' statuses are reused while no poll writes: what
/// changes without a write (a source turning quiet, the 7-day windows)
/// changes by the hour.
const STATUSES_FRESH: Duration = Duration::from_secs(5);

/// The sources' statuses as last read: reading a history summary per
/// source is most of the page's cost with thousands of sources, and a
/// page asked for many times a second between two polls reads them once.
#[derive(Default)]
pub struct StatusCache(Mutex<Option<CachedStatuses>>);

struct CachedStatuses {
    written: u64,
    config: Arc<Config>,
    at: Instant,
    statuses: Arc<Vec<SourceStatus>>,
}

impl StatusCache {
    /// The statuses of `config`'s sources, read again when a source's
    /// state or history was written since, the configuration changed, or
    /// [`STATUSES_FRESH`] passed. Blocking.
    pub fn get(&self, config: &Arc<Config>, store: &Store) -> Arc<Vec<SourceStatus>> {
        // Read before the statuses: a write during the read makes the
        // next request read again.
        let written = store.states_written();
        let mut cached = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = &*cached
            && c.written == written
            && Arc::ptr_eq(&c.config, config)
            && c.at.elapsed() < STATUSES_FRESH
            && store.write_failure().is_none()
        {
            return Arc::clone(&c.statuses);
        }
        let statuses = Arc::new(statuses(config, store));
        *cached = Some(CachedStatuses {
            written,
            config: Arc::clone(config),
            at: Instant::now(),
            statuses: Arc::clone(&statuses),
        });
        statuses
    }
}

/// Each topic's slug and stories per day.
type Bars = Vec<(String, Vec<u32>)>;

/// The topics' bars as last counted, and when.
#[derive(Default)]
pub struct BarsCache(Mutex<Option<(Instant, Bars)>>);

impl BarsCache {
    fn get(&self, config: &Config, store: &Store, now: DateTime<Utc>) -> Bars {
        let slugs: Vec<&str> = config.topics.iter().map(|t| t.slug.as_str()).collect();
        let mut cached = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, bars)) = &*cached
            && at.elapsed() < BARS_FRESH
            && bars
                .iter()
                .map(|(s, _)| s.as_str())
                .eq(slugs.iter().copied())
        {
            return bars.clone();
        }
        let bars: Bars = slugs
            .iter()
            .map(|slug| {
                let counts = store
                    .per_day(slug, now, CHART_DAYS)
                    .unwrap_or_else(|_| vec![0; CHART_DAYS as usize]);
                (slug.to_string(), counts)
            })
            .collect();
        *cached = Some((Instant::now(), bars.clone()));
        bars
    }
}

/// What the page shows of its query: a known state word to filter by
/// and a known sort; anything else is the unfiltered page as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Shown {
    state: Option<&'static str>,
    sort: &'static str,
}

impl Shown {
    fn of(query: &PageQuery) -> Shown {
        Shown {
            state: query
                .state
                .as_deref()
                .and_then(|s| STATES.iter().copied().find(|w| *w == s)),
            sort: query
                .sort
                .as_deref()
                .and_then(|s| SORTS.iter().map(|(k, _)| *k).find(|k| *k == s))
                .unwrap_or("config"),
        }
    }
}

/// The page, rendered one at a time, each rendering shared by the
/// requests that came while it was waited for. With thousands of sources
/// a rendering takes tens of milliseconds and megabytes: sixty-four
/// clients each rendering their own had the daemon's memory grow by
/// 200 MiB and answer in seconds (bench/soak). A request gets a page
/// whose rendering began after it arrived, so nothing shown is older than
/// the request: a client that polls and then asks sees the poll.
#[derive(Default)]
pub struct PageRenders {
    /// Renderings begun so far; the page last rendered for each
    /// [`Shown`] (at most 9 × 5), with its rendering's number.
    rendered: tokio::sync::Mutex<HashMap<Shown, (u64, Bytes)>>,
    begun: AtomicU64,
}

pub async fn page(
    State(state): State<Served>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    // A query this page cannot read shows the page unsorted.
    let shown = query.map_or_else(
        |_| Shown::of(&PageQuery::default()),
        |Query(q)| Shown::of(&q),
    );
    let renders = Arc::clone(&state.pages);
    let arrived = renders.begun.load(Ordering::Acquire);
    let mut rendered = renders.rendered.lock().await;
    if let Some((n, page)) = rendered.get(&shown)
        && *n >= arrived
    {
        return Html(page.clone()).into_response();
    }
    let n = renders.begun.fetch_add(1, Ordering::AcqRel);
    // The store is read for every source: off the async threads.
    match tokio::task::spawn_blocking(move || render(&state, shown)).await {
        Ok(page) => {
            let page = Bytes::from(page);
            rendered.insert(shown, (n, page.clone()));
            Html(page).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
}

fn render(state: &Served, shown: Shown) -> String {
    let config = state.config.get();
    let now = Utc::now();
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>bantin</title>{STYLE}\n"
    );
    // Autodiscovery: a reader given this page's address finds every feed.
    for topic in &config.topics {
        for format in Format::ALL {
            let _ = writeln!(
                page,
                "<link rel=\"alternate\" type=\"{kind}\" title=\"{title} ({name})\" href=\"feeds/{slug}.{ext}\">",
                kind = format.content_type().split(';').next().unwrap_or_default(),
                title = attr(&topic.title),
                name = format.name(),
                slug = attr(&topic.slug),
                ext = format.ext(),
            );
        }
    }
    page.push_str("</head><body>\n<h1>bantin</h1>\n");
    if let Some(failure) = state.store.write_failure() {
        let _ = writeln!(
            page,
            "<div class=\"banner\" role=\"alert\">{}</div>",
            esc(&crate::status::store_notice(&failure))
        );
    }
    for notice in state.notices.get() {
        let _ = writeln!(page, "<pre class=\"failing\">{}</pre>", esc(&notice));
    }
    topics(&mut page, state, &config, now);
    let all = state.statuses.get(&config, &state.store);
    sources(&mut page, all.as_ref().clone(), shown, now);
    page.push_str("</body></html>\n");
    page
}

fn topics(page: &mut String, state: &Served, config: &Config, now: DateTime<Utc>) {
    let bars_by_topic = state.bars.get(config, &state.store, now);
    page.push_str("<h2>Feeds</h2>\n<ul class=\"topics\">\n");
    for topic in &config.topics {
        let entries = state.publisher.get(&topic.slug).map_or(0, |f| f.entries);
        let _ = write!(
            page,
            "<li class=\"topic\" data-topic=\"{slug_attr}\"><a href=\"topics/{slug}\">{title}</a> \
             ({slug}, <span class=\"entries\">{entries}</span> entries):",
            slug_attr = attr(&topic.slug),
            slug = esc(&topic.slug),
            title = esc(&topic.title),
        );
        for format in Format::ALL {
            let _ = write!(
                page,
                " <a href=\"feeds/{slug}.{ext}\">{name}</a>",
                slug = esc(&topic.slug),
                ext = format.ext(),
                name = format.name(),
            );
        }
        let zeros = vec![0; CHART_DAYS as usize];
        let counts = bars_by_topic
            .iter()
            .find(|(s, _)| *s == topic.slug)
            .map_or(&zeros, |(_, c)| c);
        let _ = write!(
            page,
            "<br>{}",
            bars(&topic.slug, counts, now, "new stories (by publication day)")
        );
        page.push_str("</li>\n");
    }
    page.push_str(
        "<li><a href=\"feeds.opml\">OPML</a>: every feed above, to subscribe at once</li>\n\
         <li><form action=\"search\" method=\"get\"><label>Tìm kiếm: \
         <input type=\"search\" name=\"q\" maxlength=\"200\" required></label> \
         <button>Tìm</button></form> (as a page, or a feed with <code>&amp;format=atom</code>, \
         <code>rss</code> or <code>json</code>)</li>\n</ul>\n",
    );
}

/// The link to this page with `state` and `sort`.
fn href(state: Option<&str>, sort: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(state) = state {
        parts.push(format!("state={state}"));
    }
    if let Some(sort) = sort.filter(|s| *s != "config") {
        parts.push(format!("sort={sort}"));
    }
    if parts.is_empty() {
        "./".to_string()
    } else {
        format!("?{}", parts.join("&amp;"))
    }
}

/// Mean poll duration over the week, for `?sort=latency`.
fn mean_latency(s: &SourceStatus) -> u64 {
    let samples = &s.history.latency_7d;
    match samples.len() as u64 {
        0 => 0,
        n => samples.iter().map(|p| p.ms).sum::<u64>() / n,
    }
}

fn sources(page: &mut String, mut all: Vec<SourceStatus>, shown: Shown, now: DateTime<Utc>) {
    let Shown {
        state: filter,
        sort,
    } = shown;
    page.push_str("<h2>Sources</h2>\n<nav class=\"filter\">State: ");
    let _ = write!(
        page,
        "<a href=\"{}\"{}>all ({})</a>",
        href(None, Some(sort)),
        if filter.is_none() {
            " class=\"on\""
        } else {
            ""
        },
        all.len()
    );
    for word in STATES {
        let n = all.iter().filter(|s| state_word(&s.state) == word).count();
        if n == 0 && filter != Some(word) {
            continue;
        }
        let _ = write!(
            page,
            " <a href=\"{}\"{}>{} ({n})</a>",
            href(Some(word), Some(sort)),
            if filter == Some(word) {
                " class=\"on\""
            } else {
                ""
            },
            word.replace('-', " "),
        );
    }
    page.push_str("</nav>\n<nav class=\"sort\">Sort: ");
    for (key, name) in SORTS {
        let _ = write!(
            page,
            " <a href=\"{}\"{}>{name}</a>",
            href(filter, Some(key)),
            if key == sort { " class=\"on\"" } else { "" },
        );
    }
    page.push_str("</nav>\n");
    if let Some(word) = filter {
        all.retain(|s| state_word(&s.state) == word);
    }
    match sort {
        "state" => all.sort_by_key(|s| {
            let word = state_word(&s.state);
            STATES
                .iter()
                .position(|w| *w == word)
                .unwrap_or(STATES.len())
        }),
        "latency" => all.sort_by_key(|s| std::cmp::Reverse(mean_latency(s))),
        "silence" => all.sort_by_key(|s| s.history.last_new_item),
        "name" => all.sort_by(|a, b| a.name.cmp(&b.name)),
        _ => {}
    }
    page.push_str(
        "<div class=\"scroll\"><table class=\"sources cards\">\n<thead><tr><th>source</th><th>state</th>\
         <th>last new item</th><th>poll latency, 7 days</th><th>new items per day, 7 days</th>\
         <th>last error</th><th>last poll</th><th>result</th><th>next poll</th></tr></thead>\n<tbody>\n",
    );
    for s in &all {
        row(page, s, now);
    }
    page.push_str("</tbody></table></div>\n");
}

fn row(page: &mut String, s: &SourceStatus, now: DateTime<Utc>) {
    let mut notes = String::new();
    if let Some(m) = &s.moved {
        let _ = write!(
            notes,
            "<br><small>moved to {} on {}</small>",
            esc(&m.to),
            time(Some(m.at))
        );
    }
    for w in &s.warnings {
        let _ = write!(notes, "<br><small class=\"warn\">{}</small>", esc(w));
    }
    let h = &s.history;
    let latency: Vec<f64> = h.latency_7d.iter().map(|p| p.ms as f64).collect();
    let items: Vec<f64> = h.new_items_7d.iter().map(|&n| f64::from(n)).collect();
    let latency_label = format!(
        "{} polls, {} ms at most",
        latency.len(),
        h.latency_7d.iter().map(|p| p.ms).max().unwrap_or(0)
    );
    let items_label = format!("{} new items in 7 days", h.new_items_7d.iter().sum::<u32>());
    let silence = match h.usual_gap_seconds {
        Some(gap) => format!(
            "{}<br><small>usually every {}</small>",
            ago(h.last_new_item, now),
            super::charts::span(gap)
        ),
        None => ago(h.last_new_item, now),
    };
    let error = match (&h.last_error, h.last_error_at) {
        (Some(words), at) => format!("{}: {}", ago(at, now), esc(words)),
        _ => "—".to_string(),
    };
    let mut health = badge(&s.state);
    if s.consecutive_failures > 0 {
        let _ = write!(
            health,
            "<br><small>{} failures in a row; last success {}</small>",
            s.consecutive_failures,
            ago(s.last_success, now)
        );
    }
    let mut last_poll = when(s.last_poll, now);
    let http = s
        .http_status
        .map_or(String::new(), |c| format!("HTTP {c}, "));
    let _ = write!(
        last_poll,
        "<br><small>{http}{} bytes, {} ms</small>",
        s.bytes, s.duration_ms
    );
    let next = match s.next_poll {
        Some(t) => format!(
            "<time datetime=\"{}\" title=\"{}\">in {}</time>",
            t.to_rfc3339(),
            time(Some(t)),
            super::charts::span(t.signed_duration_since(now).num_seconds().max(0))
        ),
        None => "—".to_string(),
    };
    let _ = writeln!(
        page,
        "<tr class=\"source\" data-source=\"{id_attr}\" data-state=\"{word}\">\
         <td data-label=\"source\" class=\"name\"><a href=\"sources/{id_attr}\">{name}</a><br><small>{id}</small> \
         <small><a href=\"{url}\">feed</a></small>{notes}</td>\
         <td data-label=\"state\">{health}</td><td data-label=\"last new item\">{silence}</td>\
         <td data-label=\"latency, 7 d\">{lat}</td><td data-label=\"new items, 7 d\">{items}</td>\
         <td data-label=\"last error\" class=\"error\">{error}</td>\
         <td data-label=\"last poll\" class=\"poll\">{last_poll}</td><td data-label=\"result\" class=\"result\">{result}</td>\
         <td data-label=\"next poll\">{next}</td></tr>",
        id_attr = attr(&s.id),
        word = state_word(&s.state),
        url = attr(&s.polling_url),
        name = esc(&s.name),
        id = esc(&s.id),
        lat = captioned(spark("latency", &latency, &latency_label), &latency_label),
        items = captioned(spark("items", &items, &items_label), &items_label),
        result = esc(s.last_result.as_deref().unwrap_or("")),
    );
}

/// A picture with its figures in words under it.
fn captioned(svg: String, words: &str) -> String {
    svg + "<br><small>" + &esc(words) + "</small>"
}

/// `t` as "5 min ago", its full time on hover.
fn when(t: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match t {
        Some(t) => format!(
            "<time datetime=\"{}\" title=\"{}\">{}</time>",
            t.to_rfc3339(),
            time(Some(t)),
            ago(Some(t), now)
        ),
        None => "never".to_string(),
    }
}
