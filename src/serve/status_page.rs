//! `/`: every topic's feed and every source's state, as one HTML page.

use std::fmt::Write as _;

use axum::extract::State;
use axum::response::Html;
use chrono::{DateTime, Utc};

use super::Served;
use crate::pipeline::publish::Format;
use crate::status::statuses;

pub async fn page(State(state): State<Served>) -> Html<String> {
    let config = state.config.get();
    let mut page = String::from(
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>bantin</title>\
         <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}\
         td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
         .failing,.backing-off,.gone{color:#a00}.warn,.moved{color:#a60}\
         .banner{background:#fdd;border:2px solid #a00;padding:.6em 1em;font-weight:bold}</style>\n",
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
    page.push_str("<h2>Feeds</h2>\n<ul>\n");
    for topic in &config.topics {
        let entries = state.publisher.get(&topic.slug).map_or(0, |f| f.entries);
        let _ = write!(
            page,
            "<li><a href=\"topics/{slug}\">{title}</a> ({slug}, {entries} entries):",
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
        page.push_str("</li>\n");
    }
    page.push_str(
        "<li><a href=\"feeds.opml\">OPML</a>: every feed above, to subscribe at once</li>\n\
         <li><form action=\"search\" method=\"get\"><label>Tìm kiếm: \
         <input type=\"search\" name=\"q\" maxlength=\"200\" required></label> \
         <button>Tìm</button></form> (as a page, or a feed with <code>&amp;format=atom</code>, \
         <code>rss</code> or <code>json</code>)</li>\n",
    );
    page.push_str(
        "</ul>\n<h2>Sources</h2>\n<table>\n<tr><th>source</th><th>state</th><th>last poll</th>\
         <th>result</th><th>HTTP</th><th>last success</th><th>failures in a row</th>\
         <th>bytes</th><th>ms</th><th>next poll</th></tr>\n",
    );
    for s in statuses(&state.config.get(), &state.store) {
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
        let _ = writeln!(
            page,
            "<tr><td><a href=\"{url}\">{name}</a><br><small>{id}</small>{notes}</td>\
             <td class=\"{class}\">{state}</td><td>{last}</td><td>{result}</td><td>{http}</td>\
             <td>{success}</td><td>{failures}</td><td>{bytes}</td><td>{ms}</td><td>{next}</td></tr>",
            url = html_escape::encode_double_quoted_attribute(&s.polling_url),
            name = esc(&s.name),
            id = esc(&s.id),
            class = s.state.replace(' ', "-"),
            state = esc(&s.state),
            last = time(s.last_poll),
            result = esc(s.last_result.as_deref().unwrap_or("")),
            http = s.http_status.map_or(String::new(), |c| c.to_string()),
            success = time(s.last_success),
            failures = s.consecutive_failures,
            bytes = s.bytes,
            ms = s.duration_ms,
            next = time(s.next_poll),
        );
    }
    page.push_str("</table>\n</body></html>\n");
    Html(page)
}

fn attr(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

fn esc(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "—".to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}
