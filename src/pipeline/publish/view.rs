//! A topic's stories as a reader sees them, whatever the format: which
//! copy each story shows, its dates, authors, links and sources. Built
//! once per change from the store; [`super::atom`], [`super::rss`] and
//! [`super::json`] each only write it out, so every format carries the
//! same stories, in the same order, under the same ids.

use chrono::{DateTime, Utc};

use super::archive::Month;
use crate::config::{ALL_TOPIC, Config, Topic};
use crate::model::story::{Copy, Story};
use crate::store::{Place, Result, Store};

/// One topic's feed, before it is written in any format.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicView {
    pub slug: String,
    pub title: String,
    /// `[server] base_url`, ending in `/`.
    pub base_url: String,
    /// `[server] websub_hub`: the hub the subscription feed names
    /// (`rel="hub"`). Archives never change once closed: they name none.
    pub hub: Option<String>,
    /// For a search's results: its query string (`q=…[&topic=…]`, URL
    /// encoded), which names the feed in place of the slug.
    pub search: Option<String>,
    /// The latest entry's `updated`, or the store's creation for an
    /// empty feed: never the clock, so an unchanged store renders the
    /// same bytes.
    pub updated: DateTime<Utc>,
    /// Newest first.
    pub entries: Vec<EntryView>,
    /// Where the document stands among the topic's archives.
    pub history: History,
}

/// A document's place among a topic's RFC 5005 archives
/// ([`super::archive`]): the subscription feed has `this: None` and, when
/// older stories exist, `prev`; an archive has its month and neighbours.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// The archive's month; `None` for the subscription feed.
    pub this: Option<Month>,
    /// The next older archive.
    pub prev: Option<Month>,
    /// The next newer archive; `None` for the newest, whose newer
    /// neighbour is the feed itself (`current`).
    pub next: Option<Month>,
    /// The subscription feed's oldest entry: archives hold the stories
    /// before it. `None` for an archive, or a feed with no entry.
    pub cutoff: Option<Place>,
}

impl TopicView {
    /// The topic's feed URL in format `ext` (`atom`, `rss`, `json`).
    pub fn feed_url(&self, ext: &str) -> String {
        match &self.search {
            Some(query) => format!("{}search?{query}&format={ext}", self.base_url),
            None => feed_url(&self.base_url, &self.slug, ext),
        }
    }

    /// This document's own URL in format `ext`: the feed's, or its
    /// archive's.
    pub fn self_url(&self, ext: &str) -> String {
        match self.history.this {
            Some(month) => self.archive_url(month, ext),
            None => self.feed_url(ext),
        }
    }

    /// The URL of the topic's archive of `month` in format `ext`.
    pub fn archive_url(&self, month: Month, ext: &str) -> String {
        format!("{}feeds/{}/archive/{month}.{ext}", self.base_url, self.slug)
    }
}

/// `base_url` `feeds/` slug `.` ext.
pub fn feed_url(base_url: &str, slug: &str, ext: &str) -> String {
    format!("{base_url}feeds/{slug}.{ext}")
}

/// One story as it is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryView {
    /// `urn:uuid:…`: the id in every format.
    pub id: String,
    pub title: String,
    /// The shown copy's page.
    pub link: Option<String>,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// The shown copy's authors, or its source's name when it gave none.
    pub authors: Vec<String>,
    /// The story's topics other than `all`.
    pub topics: Vec<TopicRef>,
    /// Plain text; empty when the source gave none.
    pub summary: String,
    /// The shown copy's HTML, then the list of every source.
    pub content_html: String,
    /// The name of the shown copy's source (its id once it is no longer
    /// configured).
    pub source_name: String,
    /// The source of the shown copy; `None` once it is no longer
    /// configured.
    pub source: Option<SourceRef>,
    /// The other copies' pages, with their sources' names.
    pub via: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopicRef {
    pub slug: String,
    pub title: String,
}

/// The feed a shown copy came from.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRef {
    pub name: String,
    pub url: String,
    /// When the shown copy last changed.
    pub updated: DateTime<Utc>,
}

/// The view of `topic`: its newest `[store] feed_size` stories.
pub fn topic_view(config: &Config, store: &Store, topic: &Topic) -> Result<TopicView> {
    let stories = store.newest(&topic.slug, config.store.feed_size)?;
    let cutoff = stories.last().map(Place::of);
    // The feed links its newest archive only when a story is older than
    // its own oldest: a topic that fits in the feed has no archive.
    let prev = match cutoff {
        Some(cutoff) if store.topic_last_before(&topic.slug, cutoff)?.is_some() => {
            Some(Month::of(cutoff.published))
        }
        _ => None,
    };
    let history = History {
        prev,
        cutoff,
        ..History::default()
    };
    let updated = match stories.iter().map(|s| s.updated).max() {
        Some(updated) => updated,
        None => store.created()?,
    };
    stories_view(config, store, topic, &stories, updated, history)
}

/// The view of a search's results, `stories` newest first; `query` is
/// its query string, which names the feed. No hub: nobody tells one
/// when a search's results change.
pub fn search_view(
    config: &Config,
    store: &Store,
    title: String,
    query: String,
    stories: &[Story],
) -> Result<TopicView> {
    let updated = match stories.iter().map(|s| s.updated).max() {
        Some(updated) => updated,
        None => store.created()?,
    };
    Ok(TopicView {
        slug: "search".into(),
        title,
        base_url: config.server.base_url.to_string(),
        hub: None,
        search: Some(query),
        updated,
        entries: entries(config, store, stories)?,
        history: History::default(),
    })
}

/// The view of `stories` (newest first) of `topic`.
pub fn stories_view(
    config: &Config,
    store: &Store,
    topic: &Topic,
    stories: &[Story],
    updated: DateTime<Utc>,
    history: History,
) -> Result<TopicView> {
    let hub = match history.this {
        None => config.server.websub_hub.as_ref().map(|u| u.to_string()),
        Some(_) => None,
    };
    Ok(TopicView {
        slug: topic.slug.clone(),
        title: topic.title.clone(),
        base_url: config.server.base_url.to_string(),
        hub,
        search: None,
        updated,
        entries: entries(config, store, stories)?,
        history,
    })
}

/// The entries of `stories`, in their order.
fn entries(config: &Config, store: &Store, stories: &[Story]) -> Result<Vec<EntryView>> {
    let mut entries = Vec::with_capacity(stories.len());
    for story in stories {
        if let Some(entry) = entry_view(config, store, story)? {
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// One story as shown; `None` when none of its copies is left.
pub fn entry_view(config: &Config, store: &Store, story: &Story) -> Result<Option<EntryView>> {
    let copies = shown_first(config, store, story)?;
    Ok((!copies.is_empty()).then(|| entry(config, story, &copies)))
}

/// The story's copies, the one it shows first: the most authoritative
/// source (lowest `priority`), then the earliest.
pub fn shown_first(config: &Config, store: &Store, story: &Story) -> Result<Vec<Copy>> {
    let mut copies = Vec::with_capacity(story.copies.len());
    for key in &story.copies {
        // A copy another story holds (an import moved it) is shown there.
        copies.extend(store.copy(key)?.filter(|c| c.story == story.id));
    }
    let priority = |c: &Copy| {
        config
            .source(&c.key.source)
            .map_or(i32::MAX, |s| s.priority)
    };
    copies.sort_by(|a, b| {
        (priority(a), a.published, &a.key).cmp(&(priority(b), b.published, &b.key))
    });
    Ok(copies)
}

pub fn source_name(config: &Config, copy: &Copy) -> String {
    config
        .source(&copy.key.source)
        .map_or_else(|| copy.key.source.clone(), |s| s.name.clone())
}

fn entry(config: &Config, story: &Story, copies: &[Copy]) -> EntryView {
    let shown = &copies[0];
    let via = copies[1..]
        .iter()
        .filter_map(|other| {
            let href = other
                .link
                .as_ref()
                .filter(|h| Some(*h) != shown.link.as_ref())?;
            Some((href.clone(), source_name(config, other)))
        })
        .collect();
    let authors = if shown.authors.is_empty() {
        vec![source_name(config, shown)]
    } else {
        shown.authors.clone()
    };
    let topics = story
        .topics
        .iter()
        .filter(|slug| *slug != ALL_TOPIC)
        .filter_map(|slug| config.topic(slug))
        .map(|t| TopicRef {
            slug: t.slug.clone(),
            title: t.title.clone(),
        })
        .collect();
    EntryView {
        id: story.id.urn(),
        title: shown.title.clone(),
        link: shown.link.clone(),
        published: story.published,
        updated: story.updated,
        authors,
        topics,
        summary: shown.summary.clone(),
        content_html: content_html(config, shown, copies),
        source_name: source_name(config, shown),
        source: config.source(&shown.key.source).map(|s| SourceRef {
            name: s.name.clone(),
            url: s.url.to_string(),
            updated: shown.changed,
        }),
        via,
    }
}

/// The shown copy's HTML, then the list of every source that carried the
/// story: most readers ignore `rel="via"` links, and nothing is lost.
fn content_html(config: &Config, shown: &Copy, copies: &[Copy]) -> String {
    let mut html = shown.content.clone();
    if html.is_empty() {
        html = format!("<p>{}</p>", html_escape::encode_text(&shown.summary));
    }
    html.push_str("\n<p>Nguồn: ");
    for (n, copy) in copies.iter().enumerate() {
        if n > 0 {
            html.push_str(", ");
        }
        let name = html_escape::encode_text(&source_name(config, copy)).into_owned();
        match &copy.link {
            Some(href) => html.push_str(&format!(
                "<a href=\"{}\">{name}</a>",
                html_escape::encode_double_quoted_attribute(href)
            )),
            None => html.push_str(&name),
        }
    }
    html.push_str("</p>");
    html
}
