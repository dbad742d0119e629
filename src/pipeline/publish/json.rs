//! A topic's view as JSON Feed 1.1 (jsonfeed.org/version/1.1), written
//! with serde_json from the structs below, which are the format's own
//! field names.
//!
//! JSON Feed has no place for the feed a story came from or the other
//! sources that carried it; they go in `_bantin`, as the spec's custom
//! extensions do (a key starting with `_`, which readers ignore).

use serde::Serialize;

use super::view::{EntryView, TopicView};

const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: String,
    /// JSON Feed's paging: the older items, which is RFC 5005's
    /// `prev-archive`.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_url: Option<String>,
    language: &'static str,
    authors: Vec<Author<'a>>,
    /// JSON Feed 1.1 `hubs`: the WebSub hub, when there is one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<Hub<'a>>,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Hub<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    title: &'a str,
    content_html: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    summary: &'a str,
    date_published: String,
    date_modified: String,
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    #[serde(rename = "_bantin")]
    bantin: Extension<'a>,
}

#[derive(Serialize)]
struct Extension<'a> {
    about: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Source<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    via: Vec<Source<'a>>,
}

#[derive(Serialize)]
struct Source<'a> {
    title: &'a str,
    url: &'a str,
}

pub fn write(view: &TopicView) -> Vec<u8> {
    let feed = Feed {
        version: VERSION,
        title: &view.title,
        home_page_url: &view.base_url,
        feed_url: view.self_url("json"),
        next_url: view.history.prev.map(|m| view.archive_url(m, "json")),
        language: "vi",
        authors: vec![Author {
            name: "bantin",
            url: Some(&view.base_url),
        }],
        hubs: view
            .hub
            .iter()
            .map(|url| Hub {
                kind: "WebSub",
                url,
            })
            .collect(),
        items: view.entries.iter().map(item).collect(),
    };
    // Serialising these structs (strings and vectors only) cannot fail.
    // Compact: readers do not care, and it is the quickest to write.
    serde_json::to_vec(&feed).unwrap_or_default()
}

fn item(e: &EntryView) -> Item<'_> {
    Item {
        id: &e.id,
        url: e.link.as_deref(),
        title: &e.title,
        content_html: &e.content_html,
        summary: &e.summary,
        date_published: e.published.to_rfc3339(),
        date_modified: e.updated.to_rfc3339(),
        authors: e
            .authors
            .iter()
            .map(|name| Author { name, url: None })
            .collect(),
        tags: e.topics.iter().map(|t| t.title.as_str()).collect(),
        bantin: Extension {
            about: "https://github.com/bantin/bantin",
            source: e.source.as_ref().map(|s| Source {
                title: &s.name,
                url: &s.url,
            }),
            via: e
                .via
                .iter()
                .map(|(url, title)| Source { title, url })
                .collect(),
        },
    }
}
