//! The routes that serve bytes: feeds from what publish rendered, the
//! sources' statuses as JSON, the metrics.

use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::Served;
use crate::config::Config;
use crate::metrics::StoreFigures;
use crate::pipeline::publish::view::feed_url;
use crate::pipeline::publish::{Format, RenderedFeed};
use crate::status::{states_only, store_notice};

/// 200 once the store is open and the configuration loaded (the router
/// does not exist before), 503 while the store cannot write, with why:
/// a load balancer takes the instance out, a person reads the reason.
pub async fn ready(State(state): State<Served>) -> Response {
    match state.store.write_failure() {
        None => "ready\n".into_response(),
        Some(failure) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {}\n", store_notice(&failure)),
        )
            .into_response(),
    }
}

/// The site's icon: a browser asks every page's origin for
/// `/favicon.ico`, and a 404 there is an error in its console. A small
/// SVG (which browsers take whatever the path's extension), held in the
/// binary like every other byte bantin serves.
const FAVICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\">\
    <rect width=\"16\" height=\"16\" rx=\"3\" fill=\"#a00\"/>\
    <path d=\"M4 3v10h4.5a2.5 2.5 0 0 0 0-5H4m0 0h3.5a2.5 2.5 0 0 0 0-5H4\" \
    fill=\"none\" stroke=\"#fff\" stroke-width=\"1.6\"/></svg>\n";

/// `/favicon.ico`.
pub async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
        .into_response()
}

/// `/feeds/{topic}.{atom,rss,json}`.
pub async fn feed(
    State(state): State<Served>,
    Path(file): Path<String>,
    request: HeaderMap,
) -> Response {
    let found = file.rsplit_once('.').and_then(|(slug, ext)| {
        let format = Format::from_ext(ext)?;
        Some((slug, format, state.publisher.get_as(slug, format)?))
    });
    let Some((slug, format, feed)) = found else {
        return (StatusCode::NOT_FOUND, "no such feed\n").into_response();
    };
    state.send_files.offer(&feed);
    let mut response = document(&feed, format.content_type(), "max-age=60", &request);
    if let Some(link) = hub_link(&state.config.get(), slug, format) {
        response.headers_mut().insert(header::LINK, link);
    }
    response
}

/// WebSub §4: `Link: <hub>; rel="hub", <feed>; rel="self"`, so that a
/// subscriber finds the hub without reading the body (and a 304 too).
fn hub_link(config: &Config, slug: &str, format: Format) -> Option<HeaderValue> {
    let hub = config.server.websub_hub.as_ref()?;
    let own = feed_url(config.server.base_url.as_str(), slug, format.ext());
    HeaderValue::from_str(&format!("<{hub}>; rel=\"hub\", <{own}>; rel=\"self\"")).ok()
}

/// `/feeds.opml`: every topic's feed.
pub async fn opml(State(state): State<Served>, request: HeaderMap) -> Response {
    match state.publisher.opml() {
        Some(list) => document(&list, "text/x-opml; charset=utf-8", "max-age=60", &request),
        None => (StatusCode::NOT_FOUND, "no feeds yet\n").into_response(),
    }
}

/// A rendered document with its validators and `cache` as its
/// Cache-Control, or 304.
pub(super) fn document(
    feed: &RenderedFeed,
    content_type: &'static str,
    cache: &'static str,
    request: &HeaderMap,
) -> Response {
    let last_modified = http_date(feed.last_modified);
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&feed.etag) {
        headers.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&last_modified) {
        headers.insert(header::LAST_MODIFIED, v);
    }
    if not_modified(request, &feed.etag, feed.last_modified) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (StatusCode::OK, headers, feed.body.clone()).into_response()
}

/// Counts a request under its route's pattern (`/feeds/{file}`), never
/// the path asked for, so the label set stays small.
pub async fn count_request(
    State(state): State<Served>,
    route: MatchedPath,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    state
        .metrics
        .request(route.as_str(), response.status().as_u16());
    response
}

pub async fn not_found(State(state): State<Served>) -> Response {
    state.metrics.request("(none)", 404);
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

/// The metrics, with the state gauges read now.
pub async fn metrics(State(state): State<Served>) -> Response {
    let text = tokio::task::spawn_blocking(move || {
        let config = state.config.get();
        let topics: Vec<(String, usize)> = config
            .topics
            .iter()
            .map(|t| {
                let entries = state.publisher.get(&t.slug).map_or(0, |f| f.entries);
                (t.slug.clone(), entries)
            })
            .collect();
        let last_success: Vec<(String, Option<i64>)> =
            states_only(&state.config.get(), &state.store)
                .into_iter()
                .map(|s| (s.id, s.last_success.map(|t| t.timestamp())))
                .collect();
        let search = state.search.memory();
        state.metrics.search_index(search.bytes, search.budget);
        let store = StoreFigures {
            disk_bytes: state.store.size_on_disk(),
            index: state.store.index_memory(),
            writable: state.store.write_failure().is_none(),
        };
        state.metrics.render(&topics, &store, &last_success)
    })
    .await;
    match text {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
}

/// RFC 9110: If-None-Match decides when present; If-Modified-Since only
/// without it.
fn not_modified(request: &HeaderMap, etag: &str, last_modified: DateTime<Utc>) -> bool {
    if let Some(tags) = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        return tags
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == etag || t == "*");
    }
    request
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
        .is_some_and(|since| last_modified.timestamp() <= since.timestamp())
}

fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

pub async fn status_json(State(state): State<Served>) -> Response {
    let body = tokio::task::spawn_blocking(move || {
        let statuses = state.statuses.get(&state.config.get(), &state.store);
        serde_json::to_vec_pretty(statuses.as_ref())
    })
    .await;
    match body {
        Ok(Ok(body)) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
