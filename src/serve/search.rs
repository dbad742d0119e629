//! `/search?q=…[&topic=…][&format=atom|rss|json]`: stored stories that
//! match a keyword, by the topics' own rules, answered from the search
//! index ([`crate::store::search`]) with the newest
//! [`LIMIT`](crate::store::search::LIMIT) at most.
//!
//! An HTML page by default (no script, a few lines of style, `lang="vi"`,
//! every value escaped); with `format=`, a feed written by publish's own
//! writers from a view of the results, whose id and `rel="self"` are the
//! search's URL, so a reader can subscribe to a query.

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde::Deserialize;

use super::Served;
use crate::pipeline::publish::Format;
use crate::pipeline::publish::view::{TopicView, search_view};
use crate::store::search::{Found, Query as Keyword};

#[derive(Debug, Deserialize)]
pub struct Params {
    q: Option<String>,
    topic: Option<String>,
    format: Option<String>,
}

pub async fn search(State(state): State<Served>, Query(params): Query<Params>) -> Response {
    let asked = params.q.unwrap_or_default();
    let query = match Keyword::parse(&asked) {
        Ok(query) => query,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
    };
    let format = match params.format.as_deref() {
        None | Some("html") => None,
        Some(ext) => match Format::from_ext(ext) {
            Some(format) => Some(format),
            None => {
                return (
                    StatusCode::BAD_REQUEST,
                    "search: format is atom, rss, json or html\n",
                )
                    .into_response();
            }
        },
    };
    let config = state.config.get();
    let topic = params.topic.filter(|t| !t.is_empty());
    let topic_title = match &topic {
        None => None,
        Some(slug) => match config.topic(slug) {
            Some(t) => Some(t.title.clone()),
            None => return (StatusCode::NOT_FOUND, "search: no such topic\n").into_response(),
        },
    };
    if !state.search.is_ready() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            "search: the index is being built; try again shortly\n",
        )
            .into_response();
    }
    let asked = asked.trim().to_string();
    // In a block: the serializer is not `Send`, and must not live across
    // the `.await` below.
    let query_string = {
        let mut pairs = url::form_urlencoded::Serializer::new(String::new());
        pairs.append_pair("q", &asked);
        if let Some(slug) = &topic {
            pairs.append_pair("topic", slug);
        }
        pairs.finish()
    };
    let title = match &topic_title {
        Some(t) => format!("Tìm kiếm: {asked} – {t}"),
        None => format!("Tìm kiếm: {asked}"),
    };
    let answered = tokio::task::spawn_blocking(move || {
        let found = state
            .search
            .search(&state.store, &query, topic.as_deref())?;
        let view = search_view(&config, &state.store, title, query_string, &found.stories)?;
        Ok::<_, crate::store::StoreError>((found, view))
    })
    .await;
    let (found, view) = match answered {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    };
    let (content_type, body) = match format {
        Some(format) => (format.content_type(), format.write(&view)),
        None => (
            "text/html; charset=utf-8",
            page(&asked, &view, &found).into_bytes(),
        ),
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("max-age=60"),
            ),
        ],
        body,
    )
        .into_response()
}

fn vietnam(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&crate::model::VIETNAM)
}

const STYLE: &str = "body{max-width:42rem;margin:0 auto;padding:1rem;font:1rem/1.5 sans-serif;color:#222}\
input{font:inherit;padding:.3rem;width:60%}button{font:inherit;padding:.3rem .8rem}\
li{margin:1rem 0}.meta{color:#555;font-size:.9em}p{margin:.3rem 0}";

/// The results as a page.
fn page(asked: &str, view: &TopicView, found: &Found) -> String {
    let mut html = String::with_capacity(4096);
    html.push_str("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    html.push_str(&format!("<title>{} – bantin</title>\n", text(&view.title)));
    for format in Format::ALL {
        html.push_str(&format!(
            "<link rel=\"alternate\" type=\"{}\" title=\"{} ({})\" href=\"{}\">\n",
            attr(format.content_type().split(';').next().unwrap_or_default()),
            attr(&view.title),
            format.name(),
            attr(&view.feed_url(format.ext())),
        ));
    }
    html.push_str(&format!("<style>{STYLE}</style>\n</head>\n<body>\n"));
    html.push_str(&format!(
        "<form action=\"{}search\" method=\"get\"><input name=\"q\" value=\"{}\" aria-label=\"Từ khóa\"> <button>Tìm</button></form>\n",
        attr(&view.base_url),
        attr(asked),
    ));
    html.push_str(&format!("<h1>{}</h1>\n", text(&view.title)));
    if view.entries.is_empty() {
        html.push_str("<p>Không tìm thấy tin nào.</p>\n");
    } else {
        html.push_str(&format!("<p>{} tin mới nhất.", view.entries.len()));
        if !found.complete {
            html.push_str(" Có thể còn tin khác: hãy tìm cụ thể hơn.");
        }
        html.push_str("</p>\n<ol>\n");
        for e in &view.entries {
            let title = text(&e.title);
            html.push_str("<li>");
            match e.link.as_deref().filter(|l| is_web(l)) {
                Some(link) => html.push_str(&format!("<a href=\"{}\">{title}</a>", attr(link))),
                None => html.push_str(&title),
            }
            let at = vietnam(e.published);
            html.push_str(&format!(
                "<div class=\"meta\"><time datetime=\"{}\">{}</time> · {}</div>",
                at.to_rfc3339(),
                at.format("%d/%m/%Y %H:%M"),
                text(&e.source_name),
            ));
            if !e.summary.is_empty() {
                html.push_str(&format!("<p>{}</p>", text(&e.summary)));
            }
            html.push_str("</li>\n");
        }
        html.push_str("</ol>\n");
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// Only web pages are linked: a `javascript:` link in a source's feed
/// must not become one here.
fn is_web(link: &str) -> bool {
    let lower = link.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}
