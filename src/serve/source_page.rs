//! `/sources/{id}`: one source's history, as the store keeps it: its
//! state, its week in pictures, its moves and warnings, and every poll
//! record kept, newest first. 404 for an id not configured.
//!
//! Each poll is a row `<tr class="poll" data-outcome="{word}"
//! data-new="{n}" data-dropped="{n}">`.

use std::fmt::Write as _;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;

use super::Served;
use super::charts::{STYLE, ago, badge, esc, span, spark, state_word, time};
use crate::model::history::PollRecord;
use crate::status::SourceStatus;

pub async fn page(State(state): State<Served>, Path(id): Path<String>) -> Response {
    match tokio::task::spawn_blocking(move || render(&state, &id)).await {
        Ok(Some(page)) => Html(page).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no such source\n").into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
}

fn render(served: &Served, id: &str) -> Option<String> {
    let config = served.config.get();
    let source = config.sources.iter().find(|s| s.id == id)?;
    let now = Utc::now();
    let store = &served.store;
    let state = store.source_state(id).ok().flatten().unwrap_or_default();
    let summary = store.history_summary(id).ok().flatten().unwrap_or_default();
    let records = store.poll_records(id);
    let s = SourceStatus::new(source, &state).with_history(&summary, now);
    let h = &s.history;
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{name} — bantin</title>{STYLE}</head><body>\n\
         <p><a href=\"../\">bantin</a> › sources</p>\n<h1>{name}</h1>\n\
         <p class=\"source-state\" data-source=\"{id}\" data-state=\"{word}\">{badge} <code>{id}</code> \
         <a href=\"{url}\">{url_text}</a></p>\n",
        name = esc(&s.name),
        id = esc(&s.id),
        word = state_word(&s.state),
        badge = badge(&s.state),
        url = super::charts::attr(&s.polling_url),
        url_text = esc(&s.polling_url),
    );
    let usual = h
        .usual_gap_seconds
        .map_or_else(|| "not known yet".to_string(), span);
    let error = match (&h.last_error, h.last_error_at) {
        (Some(words), at) => format!("{} ({})", esc(words), ago(at, now)),
        _ => "none remembered".to_string(),
    };
    let _ = writeln!(
        page,
        "<dl><dt>last poll</dt><dd>{}</dd><dt>last success</dt><dd>{}</dd>\
         <dt>next poll</dt><dd>{}</dd><dt>last new item</dt><dd>{}</dd>\
         <dt>usual gap between new items</dt><dd>{usual}</dd><dt>failures in a row</dt><dd>{}</dd>\
         <dt>last error</dt><dd class=\"error\">{error}</dd></dl>",
        time(s.last_poll),
        time(s.last_success),
        time(s.next_poll),
        ago(h.last_new_item, now),
        s.consecutive_failures,
    );
    let latency: Vec<f64> = h.latency_7d.iter().map(|p| p.ms as f64).collect();
    let items: Vec<f64> = h.new_items_7d.iter().map(|&n| f64::from(n)).collect();
    let latency_words = format!(
        "{} polls, {} ms at most",
        latency.len(),
        h.latency_7d.iter().map(|p| p.ms).max().unwrap_or(0)
    );
    let items_words = format!("{} new items in 7 days", h.new_items_7d.iter().sum::<u32>());
    let _ = writeln!(
        page,
        "<h2>Last 7 days</h2>\n<p>Poll latency: {} <small>{}</small><br>\
         New items per day: {} <small>{}</small></p>",
        spark("latency", &latency, &latency_words),
        esc(&latency_words),
        spark("items", &items, &items_words),
        esc(&items_words),
    );
    page.push_str("<h2>Moves and warnings</h2>\n<ul class=\"notes\">\n");
    let mut any = false;
    if let Some(m) = &s.moved {
        any = true;
        let _ = writeln!(
            page,
            "<li>moved from {} to {} on {}</li>",
            esc(&m.from),
            esc(&m.to),
            time(Some(m.at))
        );
    }
    for w in &s.warnings {
        any = true;
        let _ = writeln!(page, "<li class=\"warn\">{}</li>", esc(w));
    }
    if !any {
        page.push_str("<li>none</li>\n");
    }
    page.push_str("</ul>\n");
    match records {
        Ok(records) => polls(&mut page, &records),
        Err(e) => {
            let _ = writeln!(
                page,
                "<p class=\"failing\">cannot read the poll history: {}</p>",
                esc(&e.to_string())
            );
        }
    }
    page.push_str("</body></html>\n");
    Some(page)
}

fn polls(page: &mut String, records: &[PollRecord]) {
    let _ = writeln!(
        page,
        "<h2>Last {} polls</h2>\n<div class=\"scroll\"><table class=\"polls cards\">\n\
         <thead><tr><th>time</th><th>result</th><th>HTTP</th><th>bytes</th><th>ms</th>\
         <th>items</th><th>new</th><th>updated</th><th>new stories</th><th>dropped</th>\
         <th>error, moves and warnings</th></tr></thead>\n<tbody>",
        records.len()
    );
    for r in records.iter().rev() {
        let dropped = if r.dropped.is_empty() {
            "0".to_string()
        } else {
            esc(&r.dropped.to_string())
        };
        let mut notes: Vec<String> = Vec::new();
        if let Some(kind) = &r.error_kind {
            notes.push(format!("<b>{}</b>", esc(kind)));
        }
        if let Some(message) = &r.message {
            notes.push(esc(message));
        }
        notes.extend(
            r.notes
                .iter()
                .map(|n| format!("<span class=\"warn\">{}</span>", esc(n))),
        );
        let _ = writeln!(
            page,
            "<tr class=\"poll\" data-outcome=\"{word}\" data-new=\"{new}\" data-dropped=\"{dropped_n}\">\
             <td data-label=\"time\">{at}</td><td data-label=\"result\">{outcome}</td>\
             <td data-label=\"HTTP\">{http}</td><td data-label=\"bytes\">{bytes}</td>\
             <td data-label=\"ms\">{ms}</td><td data-label=\"items\">{items}</td>\
             <td data-label=\"new\">{new}</td><td data-label=\"updated\">{updated}</td>\
             <td data-label=\"new stories\">{stories}</td><td data-label=\"dropped\">{dropped}</td>\
             <td data-label=\"notes\" class=\"notes\">{notes}</td></tr>",
            word = state_word(r.outcome.word()),
            new = r.new_items,
            dropped_n = r.dropped.total(),
            at = time(Some(r.at)),
            outcome = esc(r.outcome.word()),
            http = r.http_status.map_or(String::new(), |c| c.to_string()),
            bytes = r.bytes,
            ms = r.duration_ms,
            items = r.items,
            updated = r.updated,
            stories = r.new_stories,
            notes = notes.join("<br>"),
        );
    }
    page.push_str("</tbody></table></div>\n");
}
