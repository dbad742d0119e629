//! HTTP: the serve stage.
//!
//! Routes: `/` (status page), `/status.json`, `/feeds/{topic}.atom`,
//! `/stories/{id}` (why a story is where it is), `/metrics` (Prometheus),
//! `/healthz`, `/readyz`; anything else is a 404, and no file is ever read
//! from disk. Feeds are served from the bytes `publish` rendered, with
//! ETag / Last-Modified and 304 answers; this module never fetches, parses
//! or renders a feed.
//!
//! It also owns what a client may send: the routes take no body, and a
//! request's head is small, so bodies, request targets and heads beyond
//! small caps are refused (413, 414, 431), and a client that does not
//! finish its request head in time is disconnected.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::pipeline::Pipeline;

/// Request bodies: no route reads one.
const MAX_BODY: usize = 1024;
/// Path and query: the longest route is `/feeds/{topic}.atom` with a slug.
const MAX_TARGET: usize = 2 * 1024;
/// The request line and headers together (hyper answers 431 beyond it).
const MAX_HEAD: usize = 16 * 1024;
/// Time to send a request's head. Also how long an idle keep-alive
/// connection stays open: a client that trickles bytes (slowloris) holds
/// a connection and a task for this long at most.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// After an accept error other than a reset: out of descriptors, most
/// likely, which only time frees.
const ACCEPT_PAUSE: Duration = Duration::from_secs(1);

/// Serves until `shutdown` is cancelled, then finishes the requests in
/// flight.
///
/// The accept loop is bantin's own rather than `axum::serve`'s, which does
/// not expose hyper's connection settings: the head cap and timeout are
/// set on each connection here.
pub async fn run(
    listener: TcpListener,
    pipeline: Arc<Pipeline>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let app = router(pipeline);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_header_size(MAX_HEAD);
    let connections = GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    if !is_connection_error(&e) {
                        tracing::warn!(error = %e, "cannot accept a connection");
                        tokio::time::sleep(ACCEPT_PAUSE).await;
                    }
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let connection = connections.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // Timeouts, resets and malformed requests end one connection;
            // hyper has already answered what could be answered.
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    connections.shutdown().await;
    Ok(())
}

/// A client that gave up before its connection was accepted.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    )
}

pub fn router(pipeline: Arc<Pipeline>) -> Router {
    Router::new()
        .route("/", get(status_page))
        .route("/healthz", get(|| async { "ok\n" }))
        // Served only once the store is open and the config loaded: the
        // router does not exist before.
        .route("/readyz", get(|| async { "ready\n" }))
        .route("/status.json", get(status_json))
        .route("/feeds/{file}", get(feed))
        .route("/stories/{id}", get(story))
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&pipeline),
            count_request,
        ))
        .fallback(not_found)
        // Layered last, so the caps run before routing and for every path,
        // the fallback included.
        .layer(middleware::from_fn(caps))
        // For a route that one day extracts a body: the same cap.
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(pipeline)
}

/// Refuses request targets and bodies no route needs. A declared length
/// is refused before a byte of the body is read; a chunked body is read
/// up to the cap.
async fn caps(request: Request, next: Next) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if target > MAX_TARGET {
        return (StatusCode::URI_TOO_LONG, "request target too long\n").into_response();
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    // An error here is the cap, or a client gone mid-body, which will not
    // read the answer anyway.
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return too_large();
    };
    next.run(Request::from_parts(parts, Body::from(body))).await
}

fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        "no route takes a request body\n",
    )
        .into_response()
}

async fn feed(
    State(pipeline): State<Arc<Pipeline>>,
    Path(file): Path<String>,
    request: HeaderMap,
) -> Response {
    let Some(feed) = file
        .strip_suffix(".atom")
        .and_then(|slug| pipeline.publisher.get(slug))
    else {
        return (StatusCode::NOT_FOUND, "no such feed\n").into_response();
    };
    let last_modified = http_date(feed.last_modified);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=60"),
    );
    if let Ok(v) = HeaderValue::from_str(&feed.etag) {
        headers.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&last_modified) {
        headers.insert(header::LAST_MODIFIED, v);
    }
    if not_modified(&request, &feed.etag, feed.last_modified) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (StatusCode::OK, headers, feed.body.clone()).into_response()
}

/// Counts a request under its route's pattern (`/feeds/{file}`), never
/// the path asked for, so the label set stays small.
async fn count_request(
    State(pipeline): State<Arc<Pipeline>>,
    route: MatchedPath,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    pipeline
        .metrics
        .request(route.as_str(), response.status().as_u16());
    response
}

async fn not_found(State(pipeline): State<Arc<Pipeline>>) -> Response {
    pipeline.metrics.request("(none)", 404);
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

/// The metrics, with the state gauges read now.
async fn metrics(State(pipeline): State<Arc<Pipeline>>) -> Response {
    let text = tokio::task::spawn_blocking(move || {
        let config = pipeline.config();
        let topics: Vec<(String, usize)> = config
            .topics
            .iter()
            .map(|t| {
                let entries = pipeline.publisher.get(&t.slug).map_or(0, |f| f.entries);
                (t.slug.clone(), entries)
            })
            .collect();
        let last_success: Vec<(String, Option<i64>)> = pipeline
            .statuses()
            .into_iter()
            .map(|s| (s.id, s.last_success.map(|t| t.timestamp())))
            .collect();
        pipeline
            .metrics
            .render(&topics, pipeline.store.size_on_disk(), &last_success)
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

/// The explanation of one story, as plain text.
async fn story(State(pipeline): State<Arc<Pipeline>>, Path(id): Path<String>) -> Response {
    let Some(id) = crate::tools::explain::parse_story_id(&id) else {
        return (
            StatusCode::BAD_REQUEST,
            "not a story id (urn:uuid:... or a UUID)\n",
        )
            .into_response();
    };
    let report = tokio::task::spawn_blocking(move || {
        crate::tools::explain::story_report(&pipeline.config(), &pipeline.store, id)
    })
    .await;
    match report {
        Ok(Ok(Some(text))) => text.into_response(),
        Ok(Ok(None)) => (StatusCode::NOT_FOUND, "no such story\n").into_response(),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
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

async fn status_page(State(pipeline): State<Arc<Pipeline>>) -> Html<String> {
    let config = pipeline.config();
    let mut page = String::from(
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>bantin</title>\
         <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}\
         td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
         .failing,.backing-off,.gone{color:#a00}.warn,.moved{color:#a60}</style></head><body>\n<h1>bantin</h1>\n",
    );
    for notice in pipeline.notices() {
        let _ = writeln!(page, "<pre class=\"failing\">{}</pre>", esc(&notice));
    }
    page.push_str("<h2>Feeds</h2>\n<ul>\n");
    for topic in &config.topics {
        let entries = pipeline.publisher.get(&topic.slug).map_or(0, |f| f.entries);
        let _ = writeln!(
            page,
            "<li><a href=\"feeds/{slug}.atom\">{title}</a> ({slug}, {entries} entries)</li>",
            slug = esc(&topic.slug),
            title = esc(&topic.title),
        );
    }
    page.push_str(
        "</ul>\n<h2>Sources</h2>\n<table>\n<tr><th>source</th><th>state</th><th>last poll</th>\
         <th>result</th><th>HTTP</th><th>last success</th><th>failures in a row</th>\
         <th>bytes</th><th>ms</th><th>next poll</th></tr>\n",
    );
    for s in pipeline.statuses() {
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

async fn status_json(State(pipeline): State<Arc<Pipeline>>) -> Response {
    match serde_json::to_vec_pretty(&pipeline.statuses()) {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
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
