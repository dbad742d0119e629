//! Stories to feed bytes: the publish stage.
//!
//! Renders each topic's feed once per change, in every format (Atom 1.0,
//! RSS 2.0, JSON Feed 1.1), and keeps the bytes, with their ETag and
//! Last-Modified, for `serve` to hand out; and `/feeds.opml`, the list of
//! every topic's feed. Rendering reads the store; serving never does.
//!
//! - [`view`]: a topic's stories as a reader sees them, whatever the
//!   format: built once per change, the one model every format writes.
//! - [`atom`], [`rss`], [`json`]: that model in each format, and nothing
//!   else: the formats carry the same stories in the same order under the
//!   same ids because none of them chooses.
//! - [`opml`]: subscription lists.
//! - [`archive`]: RFC 5005 archives, one per month, rendered on demand.
//! - [`html`]: the reading pages, `/topics/{slug}` and `/stories/{id}`.
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

pub mod archive;
pub mod atom;
pub mod html;
pub mod json;
pub mod opml;
pub mod rss;
pub mod view;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::config::{Config, Topic};
use crate::store::{Place, Result, Store};
use crate::text::repair_c1;
use archive::{Month, RenderedArchive};
use view::TopicView;

/// The formats every topic's feed is served in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Atom,
    Rss,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Atom, Format::Rss, Format::Json];

    /// The file extension in `/feeds/{topic}.{ext}`.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Atom => "atom",
            Format::Rss => "rss",
            Format::Json => "json",
        }
    }

    pub fn from_ext(ext: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.ext() == ext)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }

    /// The name a reader shows for the format.
    pub fn name(self) -> &'static str {
        match self {
            Format::Atom => "Atom",
            Format::Rss => "RSS",
            Format::Json => "JSON Feed",
        }
    }

    /// `view` in this format.
    pub fn write(self, view: &TopicView) -> Vec<u8> {
        match self {
            Format::Atom => atom::write(view),
            Format::Rss => rss::write(view),
            Format::Json => json::write(view),
        }
    }
}

/// One document, ready to serve.
#[derive(Debug)]
pub struct RenderedFeed {
    pub body: Bytes,
    /// Strong ETag, quoted.
    pub etag: String,
    pub last_modified: DateTime<Utc>,
    pub entries: usize,
}

impl RenderedFeed {
    fn of(body: Vec<u8>, last_modified: DateTime<Utc>, entries: usize) -> RenderedFeed {
        let body = without_c1(body);
        let etag = format!("\"{}\"", Uuid::new_v5(&Uuid::NAMESPACE_OID, &body).simple());
        RenderedFeed {
            body: Bytes::from(body),
            etag,
            last_modified,
            entries,
        }
    }
}

/// One topic's feed in every format, rendered from one view, and its
/// HTML page.
#[derive(Debug)]
pub struct RenderedTopic {
    pub atom: Arc<RenderedFeed>,
    pub rss: Arc<RenderedFeed>,
    pub json: Arc<RenderedFeed>,
    pub page: Arc<RenderedFeed>,
    /// Where the archives end ([`view::History::cutoff`]).
    pub cutoff: Option<Place>,
}

impl RenderedTopic {
    pub fn get(&self, format: Format) -> &Arc<RenderedFeed> {
        match format {
            Format::Atom => &self.atom,
            Format::Rss => &self.rss,
            Format::Json => &self.json,
        }
    }
}

/// The rendered feeds of every topic.
pub struct Publisher {
    // Std locks: held only to swap or clone an `Arc` or a set, never
    // across an `.await`.
    feeds: RwLock<HashMap<String, Arc<RenderedTopic>>>,
    opml: RwLock<Option<Arc<RenderedFeed>>>,
    archives: archive::Cache,
    changed: Mutex<BTreeSet<String>>,
    /// Woken when a topic is marked changed.
    pub wake: Notify,
    /// Topics whose feeds `render_changed` rendered different bytes for,
    /// since [`Publisher::take_published`]: what WebSub tells its hub. A
    /// set of at most every topic, so it stays bounded however long the
    /// hub takes, and many renders of one topic make one entry.
    published: Mutex<BTreeSet<String>>,
    /// Woken when a topic is added to `published`.
    pub published_wake: Notify,
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
            opml: RwLock::new(None),
            archives: archive::Cache::default(),
            changed: Mutex::new(BTreeSet::new()),
            wake: Notify::new(),
            published: Mutex::new(BTreeSet::new()),
            published_wake: Notify::new(),
        }
    }

    /// A topic's Atom feed.
    pub fn get(&self, slug: &str) -> Option<Arc<RenderedFeed>> {
        self.get_as(slug, Format::Atom)
    }

    /// A topic's feed in `format`.
    pub fn get_as(&self, slug: &str, format: Format) -> Option<Arc<RenderedFeed>> {
        Some(Arc::clone(self.feeds.read().ok()?.get(slug)?.get(format)))
    }

    /// A topic's HTML page, `/topics/{slug}`.
    pub fn page(&self, slug: &str) -> Option<Arc<RenderedFeed>> {
        Some(Arc::clone(&self.feeds.read().ok()?.get(slug)?.page))
    }

    /// A topic's archive of `month`, from the cache or rendered now from
    /// the store (blocking: one month's stories); `None` when the topic
    /// or that month's archive does not exist.
    pub fn archive(
        &self,
        config: &Config,
        store: &Store,
        slug: &str,
        month: Month,
    ) -> Result<Option<Arc<RenderedArchive>>> {
        // The generation is read before the cutoff: an archive rendered
        // from a cutoff that a change has replaced meanwhile is served
        // once, never kept.
        let (generation, held) = self.archives.get(slug, month);
        if held.is_some() {
            return Ok(held);
        }
        let cutoff = self
            .feeds
            .read()
            .ok()
            .and_then(|feeds| feeds.get(slug).map(|t| t.cutoff));
        let (Some(Some(cutoff)), Some(topic)) = (cutoff, config.topic(slug)) else {
            return Ok(None);
        };
        let Some(rendered) = archive::archive(config, store, topic, month, cutoff)? else {
            return Ok(None);
        };
        let rendered = Arc::new(rendered);
        self.archives
            .put(slug, month, generation, Arc::clone(&rendered));
        Ok(Some(rendered))
    }

    /// `/feeds.opml`: every topic's feed.
    pub fn opml(&self) -> Option<Arc<RenderedFeed>> {
        self.opml.read().ok()?.clone()
    }

    /// Renders every topic of `config`, and the list of them; topics no
    /// longer configured stop being served.
    pub fn render_all(&self, config: &Config, store: &Store) -> Result<()> {
        let mut fresh = HashMap::new();
        for topic in &config.topics {
            fresh.insert(topic.slug.clone(), Arc::new(render(config, store, topic)?));
        }
        store.flush()?;
        let mut differ = Vec::new();
        let slugs: Vec<String> = fresh.keys().cloned().collect();
        if let Ok(mut feeds) = self.feeds.write() {
            // A topic rendered before whose feed now differs (a reload
            // changed its rules, its title or base_url) is a change; the
            // first render at start is not: it shows what the store held.
            differ = fresh
                .iter()
                .filter(|(slug, topic)| {
                    feeds
                        .get(*slug)
                        .is_some_and(|old| old.atom.etag != topic.atom.etag)
                })
                .map(|(slug, _)| slug.clone())
                .collect();
            *feeds = fresh;
        }
        self.published_changed(differ);
        self.archives.changed(&slugs);
        self.render_opml(config);
        Ok(())
    }

    fn published_changed(&self, slugs: Vec<String>) {
        if !slugs.is_empty() {
            self.published
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend(slugs);
            self.published_wake.notify_one();
        }
    }

    /// The list changes only with the configuration. Its Last-Modified is
    /// when it last changed in this process: it has no date of its own,
    /// and a restart's later date only costs a client without the ETag
    /// one full answer, never a wrong 304.
    fn render_opml(&self, config: &Config) {
        let body = opml::topics(config);
        let Ok(mut held) = self.opml.write() else {
            return;
        };
        let fresh = RenderedFeed::of(body, Utc::now(), config.topics.len());
        if held.as_ref().is_none_or(|old| old.etag != fresh.etag) {
            *held = Some(Arc::new(fresh));
        }
    }

    /// The topics whose feeds changed since the last call, emptied.
    pub fn take_published(&self) -> BTreeSet<String> {
        std::mem::take(&mut *self.published.lock().unwrap_or_else(|p| p.into_inner()))
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
        let mut differ = Vec::new();
        let slugs: Vec<String> = fresh.iter().map(|(slug, _)| slug.clone()).collect();
        if let Ok(mut feeds) = self.feeds.write() {
            for (slug, topic) in fresh {
                // Every format is written from one view: one differs
                // when any does.
                if feeds
                    .get(&slug)
                    .is_none_or(|old| old.atom.etag != topic.atom.etag)
                {
                    differ.push(slug.clone());
                }
                feeds.insert(slug, topic);
            }
        }
        self.published_changed(differ);
        // After the swap: an archive rendered from the old cutoff is not
        // kept (see `archive`).
        self.archives.changed(&slugs);
        Ok(())
    }
}

/// Renders one topic's feed from the store, in every format.
pub fn render(config: &Config, store: &Store, topic: &Topic) -> Result<RenderedTopic> {
    let view = view::topic_view(config, store, topic)?;
    Ok(render_view(&view))
}

/// Writes one view in every format, and as its HTML page.
pub fn render_view(view: &TopicView) -> RenderedTopic {
    let of = |body: Vec<u8>| Arc::new(RenderedFeed::of(body, view.updated, view.entries.len()));
    RenderedTopic {
        atom: of(Format::Atom.write(view)),
        rss: of(Format::Rss.write(view)),
        json: of(Format::Json.write(view)),
        page: of(html::topic_page(view)),
        cutoff: view.history.cutoff,
    }
}

/// The document's bytes with no C1 control (U+0080–U+009F) left: strict
/// XML readers reject them, and in JSON they are no better. Parse and
/// normalize repair the items' text already; this is the last line, for
/// what reaches the feed by another way (a source's or topic's name in
/// feeds.toml, a story stored by an older bantin). Each is read as
/// windows-1252, whose characters there are all ordinary text (none of
/// them ASCII, so no markup or JSON quoting changes), or dropped.
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

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::view::{EntryView, SourceRef, TopicRef, TopicView};
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn entry(n: u32, title: &str, summary: &str) -> EntryView {
        EntryView {
            id: format!("urn:uuid:00000000-0000-5000-8000-00000000000{n}"),
            title: title.into(),
            link: Some(format!("https://moh.gov.vn.test/tin/{n}.html")),
            published: at("2026-11-22T02:00:00Z"),
            updated: at("2026-11-22T03:00:00Z"),
            authors: vec!["Bộ Y tế".into()],
            topics: vec![TopicRef {
                slug: "y-te".into(),
                title: "Y tế".into(),
            }],
            summary: summary.into(),
            content_html: format!("<p>{title}</p>"),
            source_name: "Bộ Y tế".into(),
            source: Some(SourceRef {
                name: "Bộ Y tế".into(),
                url: "https://moh.gov.vn.test/rss".into(),
                updated: at("2026-11-22T03:00:00Z"),
            }),
            via: vec![],
        }
    }

    fn view() -> TopicView {
        TopicView {
            slug: "y-te".into(),
            title: "Y tế".into(),
            base_url: "http://bantin.test/".into(),
            hub: None,
            search: None,
            updated: at("2026-11-22T03:00:00Z"),
            entries: vec![
                entry(2, "Tiêm chủng mở rộng", "Tóm tắt"),
                entry(1, "Sốt xuất huyết <cảnh báo> & phòng chống", ""),
            ],
            history: Default::default(),
        }
    }

    fn text(feed: &RenderedFeed) -> String {
        String::from_utf8(feed.body.to_vec()).unwrap()
    }

    fn config(title: &str) -> Config {
        let text = format!(
            "[server]\nbase_url = \"http://bantin.test/\"\n[[topic]]\nslug = \"y-te\"\ntitle = \"{title}\"\nkeywords = [\"y tế\"]\n"
        );
        Config::parse(&text, std::path::Path::new("feeds.toml")).unwrap()
    }

    #[test]
    fn only_a_feed_that_changed_is_published_for_websub() {
        let store = Store::temporary().unwrap();
        let publisher = Publisher::new();
        // The first render shows what the store held: no change.
        publisher.render_all(&config("Y tế"), &store).unwrap();
        assert!(publisher.take_published().is_empty());
        // The same feeds again: no change either.
        publisher.render_all(&config("Y tế"), &store).unwrap();
        publisher.mark_changed(["y-te".to_string(), "all".to_string()]);
        publisher.render_changed(&config("Y tế"), &store).unwrap();
        assert!(publisher.take_published().is_empty());
        // A reload that retitles a topic changes its feed only.
        publisher
            .render_all(&config("Y tế – Sức khỏe"), &store)
            .unwrap();
        assert_eq!(
            publisher.take_published(),
            BTreeSet::from(["y-te".to_string()])
        );
        assert!(publisher.take_published().is_empty());
    }

    #[test]
    fn every_format_lists_the_entries_in_the_views_order() {
        let rendered = render_view(&view());
        let ids = |t: &str| -> Vec<usize> {
            ["-000000000002", "-000000000001"]
                .iter()
                .map(|id| t.find(id).unwrap())
                .collect()
        };
        for format in Format::ALL {
            let body = text(rendered.get(format));
            let at = ids(&body);
            assert!(at[0] < at[1], "{format:?}: {body}");
        }
    }

    #[test]
    fn rss_guid_is_the_atom_id_and_no_permalink() {
        let body = text(&render_view(&view()).rss);
        assert!(body.contains(
            "<guid isPermaLink=\"false\">urn:uuid:00000000-0000-5000-8000-000000000002</guid>"
        ));
        assert!(body.contains("<dc:creator>Bộ Y tế</dc:creator>"), "{body}");
        assert!(body.contains("<source url=\"https://moh.gov.vn.test/rss\">Bộ Y tế</source>"));
    }

    #[test]
    fn markup_in_a_title_is_escaped_in_every_format() {
        let rendered = render_view(&view());
        assert!(text(&rendered.atom).contains("Sốt xuất huyết &lt;cảnh báo&gt; &amp; phòng chống"));
        assert!(text(&rendered.rss).contains("Sốt xuất huyết &lt;cảnh báo&gt; &amp; phòng chống"));
        let json: serde_json::Value = serde_json::from_slice(&rendered.json.body).unwrap();
        assert_eq!(
            json["items"][1]["title"],
            "Sốt xuất huyết <cảnh báo> & phòng chống"
        );
    }

    #[test]
    fn json_feed_leaves_out_an_empty_summary() {
        let rendered = render_view(&view());
        let json: serde_json::Value = serde_json::from_slice(&rendered.json.body).unwrap();
        assert_eq!(json["items"][0]["summary"], "Tóm tắt");
        assert!(json["items"][1].get("summary").is_none());
    }

    #[test]
    fn each_format_has_its_own_etag_and_the_views_date() {
        let rendered = render_view(&view());
        let tags: std::collections::HashSet<&str> = Format::ALL
            .iter()
            .map(|f| rendered.get(*f).etag.as_str())
            .chain([rendered.page.etag.as_str()])
            .collect();
        assert_eq!(tags.len(), 4);
        for format in Format::ALL {
            assert_eq!(rendered.get(format).last_modified, view().updated);
            assert_eq!(rendered.get(format).entries, 2);
        }
        // Rendered again, the same bytes: readers keep their 304s.
        assert_eq!(render_view(&view()).json.etag, rendered.json.etag);
    }
}
