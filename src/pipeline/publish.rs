//! Stories to feed bytes: the publish stage.
//!
//! Renders each topic's Atom 1.0 feed once per change and keeps the bytes,
//! with their ETag and Last-Modified, for `serve` to hand out. Rendering
//! reads the store; serving never does.
//!
//! Ingests only mark topics as changed; [`Publisher::render_changed`]
//! renders each marked topic once, however many sources touched it since
//! the last time. A poll cycle that brings news from a thousand sources
//! renders each feed once, not a thousand times.
//!
//! A feed is served only once what it shows is on disk: the store is
//! flushed between rendering and swapping the new bytes in, so a reader
//! never sees an entry that a crash (kill -9, power loss) could take back
//! and mint again under another id. A render or flush that fails (a
//! full disk) swaps nothing in: the bytes rendered before stay served.
//!
//! Every date in a feed comes from the stories, never from the clock, so
//! an unchanged store renders byte-identical feeds (and ETags) across
//! restarts: readers keep getting 304s.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use atom_syndication as atom;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::config::{ALL_TOPIC, Config, Topic};
use crate::model::story::{Copy, Story};
use crate::store::{Result, Store};
use crate::text::repair_c1;

/// One topic's feed, ready to serve.
#[derive(Debug)]
pub struct RenderedFeed {
    pub body: Bytes,
    /// Strong ETag, quoted.
    pub etag: String,
    pub last_modified: DateTime<Utc>,
    pub entries: usize,
}

/// The rendered feeds of every topic.
pub struct Publisher {
    // Std locks: held only to swap or clone an `Arc` or a set, never
    // across an `.await`.
    feeds: RwLock<HashMap<String, Arc<RenderedFeed>>>,
    changed: Mutex<BTreeSet<String>>,
    /// Woken when a topic is marked changed.
    pub wake: Notify,
}

impl Default for Publisher {
    fn default() -> Self {
        Publisher::new()
    }
}

impl Publisher {
    pub fn new() -> Publisher {
        Publisher {
            feeds: RwLock::new(HashMap::new()),
            changed: Mutex::new(BTreeSet::new()),
            wake: Notify::new(),
        }
    }

    pub fn get(&self, slug: &str) -> Option<Arc<RenderedFeed>> {
        self.feeds.read().ok()?.get(slug).cloned()
    }

    /// Renders every topic of `config`; topics no longer configured stop
    /// being served.
    pub fn render_all(&self, config: &Config, store: &Store) -> Result<()> {
        let mut fresh = HashMap::new();
        for topic in &config.topics {
            fresh.insert(topic.slug.clone(), Arc::new(render(config, store, topic)?));
        }
        store.flush()?;
        if let Ok(mut feeds) = self.feeds.write() {
            *feeds = fresh;
        }
        Ok(())
    }

    /// Marks topics whose stories changed, for the next `render_changed`.
    pub fn mark_changed(&self, slugs: impl IntoIterator<Item = String>) {
        let mut changed = self.changed.lock().unwrap_or_else(|p| p.into_inner());
        changed.extend(slugs);
        if !changed.is_empty() {
            self.wake.notify_one();
        }
    }

    /// Renders every topic marked since the last call. Blocking.
    pub fn render_changed(&self, config: &Config, store: &Store) -> Result<()> {
        let slugs = std::mem::take(&mut *self.changed.lock().unwrap_or_else(|p| p.into_inner()));
        let rendered = self.refresh(config, store, &slugs);
        if rendered.is_err() {
            if store.write_failure().is_some() {
                // Rendered again when the store writes again
                // (`ops::recovery`), or with the next change; not at
                // once: it would only fail again, twice a second. The
                // feeds rendered before are served meanwhile.
                self.changed
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .extend(slugs);
            } else {
                // Try again next time rather than serve a stale feed for good.
                self.mark_changed(slugs);
            }
        }
        rendered
    }

    /// Re-renders the named topics.
    fn refresh(&self, config: &Config, store: &Store, slugs: &BTreeSet<String>) -> Result<()> {
        let mut fresh = Vec::new();
        for topic in config.topics.iter().filter(|t| slugs.contains(&t.slug)) {
            fresh.push((topic.slug.clone(), Arc::new(render(config, store, topic)?)));
        }
        if fresh.is_empty() {
            return Ok(());
        }
        store.flush()?;
        if let Ok(mut feeds) = self.feeds.write() {
            feeds.extend(fresh);
        }
        Ok(())
    }
}

/// Renders one topic's feed from the store.
pub fn render(config: &Config, store: &Store, topic: &Topic) -> Result<RenderedFeed> {
    let stories = store.newest(&topic.slug, config.store.feed_size)?;
    let mut entries = Vec::with_capacity(stories.len());
    for story in &stories {
        let copies = shown_first(config, store, story)?;
        if !copies.is_empty() {
            entries.push(entry(config, story, &copies));
        }
    }
    let updated = match stories.iter().map(|s| s.updated).max() {
        Some(updated) => updated,
        None => store.created()?,
    };
    let self_url = format!("{}feeds/{}.atom", config.server.base_url, topic.slug);
    let feed = atom::Feed {
        title: topic.title.clone().into(),
        id: self_url.clone(),
        updated: updated.fixed_offset(),
        authors: vec![atom::Person {
            name: "bantin".into(),
            uri: Some(config.server.base_url.to_string()),
            ..Default::default()
        }],
        generator: Some(atom::Generator {
            value: "bantin".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
            ..Default::default()
        }),
        links: vec![
            link(&self_url, "self", None),
            link(config.server.base_url.as_str(), "alternate", None),
        ],
        lang: Some("vi".into()),
        entries,
        ..Default::default()
    };
    let mut body = Vec::new();
    // Writing to a Vec cannot fail for I/O reasons; an error here would be
    // a bug in the writer, and an empty feed is then safer than a panic.
    let _ = feed.write_to(&mut body);
    let body = without_c1(body);
    let etag = format!("\"{}\"", Uuid::new_v5(&Uuid::NAMESPACE_OID, &body).simple());
    Ok(RenderedFeed {
        entries: feed.entries.len(),
        body: Bytes::from(body),
        etag,
        last_modified: updated,
    })
}

/// The feed's bytes with no C1 control (U+0080–U+009F) left: strict XML
/// readers reject them. Parse and normalize repair the items' text
/// already; this is the last line, for what reaches the feed by another
/// way (a source's or topic's name in feeds.toml, a story stored by an
/// older bantin). Each is read as windows-1252, whose characters there
/// are all ordinary text to XML, or dropped.
fn without_c1(body: Vec<u8>) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(&body) else {
        return body;
    };
    match repair_c1(text) {
        std::borrow::Cow::Owned(repaired) => {
            tracing::debug!("C1 controls repaired in a rendered feed");
            repaired.into_bytes()
        }
        std::borrow::Cow::Borrowed(_) => body,
    }
}

/// The story's copies, the one it shows first: the most authoritative
/// source (lowest `priority`), then the earliest.
fn shown_first(config: &Config, store: &Store, story: &Story) -> Result<Vec<Copy>> {
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

fn source_name(config: &Config, copy: &Copy) -> String {
    config
        .source(&copy.key.source)
        .map_or_else(|| copy.key.source.clone(), |s| s.name.clone())
}

fn entry(config: &Config, story: &Story, copies: &[Copy]) -> atom::Entry {
    let shown = &copies[0];
    let mut links = Vec::new();
    if let Some(href) = &shown.link {
        links.push(link(href, "alternate", Some(source_name(config, shown))));
    }
    for other in &copies[1..] {
        if let Some(href) = other
            .link
            .as_ref()
            .filter(|h| Some(*h) != shown.link.as_ref())
        {
            links.push(link(href, "via", Some(source_name(config, other))));
        }
    }
    let authors = if shown.authors.is_empty() {
        vec![source_name(config, shown)]
    } else {
        shown.authors.clone()
    };
    let categories = story
        .topics
        .iter()
        .filter(|slug| *slug != ALL_TOPIC)
        .filter_map(|slug| config.topic(slug))
        .map(|t| atom::Category {
            term: t.slug.clone(),
            label: Some(t.title.clone()),
            ..Default::default()
        })
        .collect();
    atom::Entry {
        id: story.id.urn(),
        title: shown.title.clone().into(),
        published: Some(story.published.fixed_offset()),
        updated: story.updated.fixed_offset(),
        authors: authors
            .into_iter()
            .map(|name| atom::Person {
                name,
                ..Default::default()
            })
            .collect(),
        links,
        categories,
        summary: (!shown.summary.is_empty()).then(|| shown.summary.clone().into()),
        content: Some(atom::Content {
            value: Some(content_html(config, shown, copies)),
            content_type: Some("html".into()),
            ..Default::default()
        }),
        source: provenance(config, shown),
        ..Default::default()
    }
}

/// RFC 4287 §4.2.11: the feed the shown copy came from, so a reader can
/// tell whose text it is. `None` for a source no longer configured.
fn provenance(config: &Config, shown: &Copy) -> Option<atom::Source> {
    let source = config.source(&shown.key.source)?;
    Some(atom::Source {
        title: source.name.clone().into(),
        id: source.url.to_string(),
        updated: shown.changed.fixed_offset(),
        links: vec![link(source.url.as_str(), "self", None)],
        ..Default::default()
    })
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

fn link(href: &str, rel: &str, title: Option<String>) -> atom::Link {
    atom::Link {
        href: href.to_string(),
        rel: rel.to_string(),
        title,
        ..Default::default()
    }
}
