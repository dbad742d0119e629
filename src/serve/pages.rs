//! The routes of the reading pages and the archives: `/topics/{slug}`,
//! `/topics/{slug}/{YYYY-MM}`, `/feeds/{topic}/archive/{YYYY-MM}.{ext}`
//! and `/stories/{id}` (HTML, `.json`, `.txt`). Topic pages are served
//! from what publish rendered; archives and story pages are rendered by
//! publish off the async threads.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Served;
use super::routes::document;
use crate::pipeline::publish::archive::{Month, RenderedArchive};
use crate::pipeline::publish::{Format, RenderedFeed, html};
use crate::store::StoreError;

const HTML: &str = "text/html; charset=utf-8";

/// A closed archive changes only when a story dated in its month arrives
/// late or retention removes one: a month in caches is a fair price.
const CLOSED: &str = "public, max-age=2592000";
/// The open archive and the pages move with the news, as the feeds do.
const OPEN: &str = "max-age=60";

/// `/topics/{slug}`: the topic's newest stories.
pub async fn topic(
    State(state): State<Served>,
    Path(slug): Path<String>,
    request: HeaderMap,
) -> Response {
    match state.publisher.page(&slug) {
        Some(page) => document(&page, HTML, OPEN, &request),
        None => (StatusCode::NOT_FOUND, "no such topic\n").into_response(),
    }
}

/// `/topics/{slug}/{YYYY-MM}`: one month of the topic's archives.
pub async fn topic_month(
    State(state): State<Served>,
    Path((slug, month)): Path<(String, String)>,
    request: HeaderMap,
) -> Response {
    archived(state, slug, &month, None, request).await
}

/// `/feeds/{topic}/archive/{YYYY-MM}.{atom,rss,json}`.
pub async fn feed_archive(
    State(state): State<Served>,
    Path((slug, file)): Path<(String, String)>,
    request: HeaderMap,
) -> Response {
    let Some((month, format)) = file
        .rsplit_once('.')
        .and_then(|(month, ext)| Some((month, Format::from_ext(ext)?)))
    else {
        return (StatusCode::NOT_FOUND, "no such archive\n").into_response();
    };
    archived(state, slug, month, Some(format), request).await
}

/// An archive in `format`, or its page when `None`.
async fn archived(
    state: Served,
    slug: String,
    month: &str,
    format: Option<Format>,
    request: HeaderMap,
) -> Response {
    let Some(month) = Month::parse(month) else {
        return (StatusCode::NOT_FOUND, "no such archive\n").into_response();
    };
    let found = tokio::task::spawn_blocking(move || {
        let config = state.config.get();
        state.publisher.archive(&config, &state.store, &slug, month)
    })
    .await;
    let archive: std::sync::Arc<RenderedArchive> = match found {
        Ok(Ok(Some(archive))) => archive,
        Ok(Ok(None)) => return (StatusCode::NOT_FOUND, "no such archive\n").into_response(),
        Ok(Err(e)) => return unavailable(&e),
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    };
    let cache = if archive.closed { CLOSED } else { OPEN };
    let (doc, kind): (&RenderedFeed, &'static str) = match format {
        Some(format) => (archive.documents.get(format), format.content_type()),
        None => (&archive.documents.page, HTML),
    };
    document(doc, kind, cache, &request)
}

fn unavailable(e: &StoreError) -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, format!("{e}\n")).into_response()
}

/// What `/stories/{id}` answers with.
#[derive(Clone, Copy)]
enum StoryAs {
    Html,
    Json,
    /// The explanation `bantin explain --story` prints.
    Text,
}

/// `/stories/{id}`: the story as HTML, or as JSON with `.json` or
/// `Accept: application/json`; its explanation with `.txt` or
/// `Accept: text/plain` (without `text/html`).
pub async fn story(
    State(state): State<Served>,
    Path(id): Path<String>,
    request: HeaderMap,
) -> Response {
    let (id, explicit) = match id.rsplit_once('.') {
        Some((id, "json")) => (id.to_string(), Some(StoryAs::Json)),
        Some((id, "txt")) => (id.to_string(), Some(StoryAs::Text)),
        Some((id, "html")) => (id.to_string(), Some(StoryAs::Html)),
        _ => (id, None),
    };
    let mut kind = explicit.unwrap_or(StoryAs::Html);
    if explicit.is_none() {
        let accept = request
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !accept.contains("text/html") {
            if accept.contains("application/json") {
                kind = StoryAs::Json;
            } else if accept.contains("text/plain") {
                kind = StoryAs::Text;
            }
        }
    }
    let Some(id) = crate::tools::explain::parse_story_id(&id) else {
        return (
            StatusCode::BAD_REQUEST,
            "not a story id (urn:uuid:... or a UUID)\n",
        )
            .into_response();
    };
    let answer = tokio::task::spawn_blocking(move || {
        let config = state.config.get();
        match kind {
            StoryAs::Html => html::story_page(&config, &state.store, id),
            StoryAs::Json => html::story_json(&config, &state.store, id),
            StoryAs::Text => crate::tools::explain::story_report(&config, &state.store, id)
                .map(|text| text.map(String::into_bytes)),
        }
    })
    .await;
    let content_type = match kind {
        StoryAs::Html => HTML,
        StoryAs::Json => "application/json",
        StoryAs::Text => "text/plain; charset=utf-8",
    };
    match answer {
        Ok(Ok(Some(body))) => ([(header::CONTENT_TYPE, content_type)], body).into_response(),
        Ok(Ok(None)) => (StatusCode::NOT_FOUND, "no such story\n").into_response(),
        Ok(Err(e)) => unavailable(&e),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
}
