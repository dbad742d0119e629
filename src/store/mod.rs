//! The sled store: the only module that names sled.
//!
//! Trees and their key layouts:
//!
//! | tree      | key                                   | value            |
//! |-----------|---------------------------------------|------------------|
//! | `copies`  | source `\0` item key                  | [`Copy`] JSON    |
//! | `stories` | story uuid (16 bytes)                 | [`Story`] JSON   |
//! | `links`   | canonical link                        | story uuid       |
//! | `titles`  | week, folded title                    | [`Entries`]      |
//! | `topics`  | slug `\0` sort key (8) story uuid (16)| empty            |
//! | `sketches`| week, story uuid, copy key            | published (i64 BE), [`Sketch`] bytes |
//! | `sources` | source id                             | [`SourceState`] JSON |
//! | `meta`    | `schema`, `created`, `rules`          | small values     |
//!
//! The `topics` sort key is the story's `published` in seconds with the sign
//! bit flipped, so byte order is time order and a reverse scan of one
//! slug's prefix yields its newest stories without reading the others, and
//! a band's stories near a date are a short range scan whatever the store's
//! size.
//!
//! [`Entries`] are a short list of (story uuid, published) appended to
//! by a sled merge operator: a lookup is one `get` per key and week,
//! far cheaper in sled than a range scan. The text index, the sketches'
//! bands, lives in memory for the recent weeks ([`recent`]), rebuilt from
//! the `sketches` tree when a week is first needed.
//!
//! `week` is 4 bytes, the week of the copy's publication since 1970. Title
//! and text lookups only ask about a few days around an item's date, so
//! keying those indexes by week first keeps every lookup in the newest
//! part of the tree, which stays in sled's cache however large the store
//! grows: the cost of a lookup does not grow with the store.
//!
//! Values are JSON so that fields can be added with `#[serde(default)]`
//! without a migration.
//!
//! Trees are written one key at a time, not in transactions, in an order
//! that a process killed between two writes cannot make inconsistent:
//! merging writes index entries before the story and the story before
//! its copy; removing a story ([`crate::merge::forget`]) takes out its
//! links, titles and sketches (computed from its copies) first, then the
//! copies, the story, and its topic entries last, since they are how
//! retention finds it again. What a kill leaves at worst is entries that
//! lead to no story: every lookup checks that the story exists, and
//! retention removes them with their date.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

mod recent;

use crate::merge::sketch::Sketch;
use crate::status::SourceState;
use crate::story::{Copy, CopyKey, Story, StoryId};
use recent::{Recent, Week};

/// 1: the first store. 2: titles indexed by week; sketches.
const SCHEMA_VERSION: u64 = 2;

/// The span of one `week` key.
const WEEK_SECONDS: i64 = 7 * 86_400;

/// sled caches up to 1 GiB by default; feeds read the newest stories only,
/// so a small cache serves them and keeps the daemon's memory flat. A store
/// of hundreds of thousands of stories ingests faster with more
/// (bench/README.md, store_scale).
pub const DEFAULT_CACHE: u64 = 8 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: cannot open {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: sled::Error,
    },
    #[error("store: {path} is in use by a running bantin; stop it first")]
    Locked { path: String },
    #[error("store: {0}")]
    Sled(#[from] sled::Error),
    #[error("store: damaged record in `{tree}`: {reason}")]
    Corrupt { tree: &'static str, reason: String },
    #[error(
        "store: {path} was written by a newer bantin (schema {found}, this one knows {SCHEMA_VERSION}); upgrade bantin or point store.path elsewhere"
    )]
    NewerSchema { path: String, found: u64 },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A handle on the store; cheap to clone (sled trees are `Arc`s inside).
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    copies: sled::Tree,
    stories: sled::Tree,
    links: sled::Tree,
    titles: sled::Tree,
    topics: sled::Tree,
    sketches: sled::Tree,
    sources: sled::Tree,
    meta: sled::Tree,
    recent: Arc<Mutex<Recent>>,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with_cache(path, DEFAULT_CACHE)
    }

    /// As [`Store::open`], with sled's cache at `cache_bytes` (`[store]
    /// cache`).
    pub fn open_with_cache(path: &Path, cache_bytes: u64) -> Result<Store> {
        let config = sled::Config::new().path(path).cache_capacity(cache_bytes);
        Store::open_with(config, path)
    }

    /// A store on disk that is deleted when dropped: for `bantin eval`.
    pub fn temporary() -> Result<Store> {
        let config = sled::Config::new()
            .temporary(true)
            .cache_capacity(DEFAULT_CACHE);
        Store::open_with(config, Path::new("(temporary)"))
    }

    fn open_with(config: sled::Config, path: &Path) -> Result<Store> {
        let mut attempt = 0;
        let db = loop {
            match config.open() {
                Ok(db) => break db,
                // sled lets go of its file lock from its flusher thread, a
                // moment after the last handle drops: a store reopened at
                // once (a restart in one process, tests) gets a second to
                // be free. Another live daemon on the store still fails.
                Err(e) if is_locked(&e) => {
                    if attempt == 10 {
                        return Err(StoreError::Locked {
                            path: path.display().to_string(),
                        });
                    }
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(source) => {
                    return Err(StoreError::Open {
                        path: path.display().to_string(),
                        source,
                    });
                }
            }
        };
        let store = Store {
            copies: db.open_tree("copies")?,
            stories: db.open_tree("stories")?,
            links: db.open_tree("links")?,
            titles: db.open_tree("titles")?,
            topics: db.open_tree("topics")?,
            sketches: db.open_tree("sketches")?,
            sources: db.open_tree("sources")?,
            meta: db.open_tree("meta")?,
            recent: Arc::default(),
            db,
        };
        store.titles.set_merge_operator(append_entry);
        store.check_schema(path)?;
        Ok(store)
    }

    fn check_schema(&self, path: &Path) -> Result<()> {
        match self.meta.get("schema")? {
            None => {
                self.meta.insert("schema", &SCHEMA_VERSION.to_be_bytes())?;
                self.meta
                    .insert("created", &Utc::now().timestamp().to_be_bytes())?;
                Ok(())
            }
            Some(v) => {
                let found = u64::from_be_bytes(fixed(&v, "meta")?);
                if found > SCHEMA_VERSION {
                    Err(StoreError::NewerSchema {
                        path: path.display().to_string(),
                        found,
                    })
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Whether the store was written by an older bantin whose indexes
    /// [`crate::merge::reindex`] must rebuild before merging.
    pub fn outdated(&self) -> Result<bool> {
        let found = match self.meta.get("schema")? {
            Some(v) => u64::from_be_bytes(fixed(&v, "meta")?),
            None => SCHEMA_VERSION,
        };
        Ok(found < SCHEMA_VERSION)
    }

    /// Records that the store is at this bantin's schema: the last step
    /// of a migration, so one cut off midway runs again.
    pub fn mark_current(&self) -> Result<()> {
        self.meta.insert("schema", &SCHEMA_VERSION.to_be_bytes())?;
        Ok(())
    }

    /// The topic rules the stored topics were decided by
    /// ([`crate::reclassify`]).
    pub fn rules(&self) -> Result<Option<String>> {
        Ok(self
            .meta
            .get("rules")?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    pub fn set_rules(&self, rules: &str) -> Result<()> {
        self.meta.insert("rules", rules.as_bytes())?;
        Ok(())
    }

    /// When this store was created: the `updated` of a feed with no entries.
    pub fn created(&self) -> Result<DateTime<Utc>> {
        let seconds = match self.meta.get("created")? {
            Some(v) => i64::from_be_bytes(fixed(&v, "meta")?),
            None => 0,
        };
        Ok(DateTime::from_timestamp(seconds, 0).unwrap_or_default())
    }

    pub fn copy(&self, key: &CopyKey) -> Result<Option<Copy>> {
        get_json(&self.copies, "copies", &key.to_bytes())
    }

    /// Every copy, in key order (by source).
    pub fn copies(&self) -> impl Iterator<Item = Result<Copy>> + '_ {
        all_json(&self.copies, "copies")
    }

    pub fn put_copy(&self, copy: &Copy) -> Result<()> {
        put_json(&self.copies, &copy.key.to_bytes(), copy)
    }

    pub fn story(&self, id: StoryId) -> Result<Option<Story>> {
        get_json(&self.stories, "stories", id.0.as_bytes())
    }

    /// Writes a story and moves its topic index entries from `before` (its
    /// previous version, if any) to the new topics and date.
    ///
    /// The entries are written first and always, the record last: a write
    /// cut off midway leaves entries that lead nowhere (skipped when read,
    /// pruned with their date), never a stored story missing from its
    /// topics that the next write of it would take as indexed already.
    pub fn put_story(&self, story: &Story, before: Option<&Story>) -> Result<()> {
        let keys: Vec<Vec<u8>> = story.topics.iter().map(|s| topic_key(s, story)).collect();
        if let Some(old) = before {
            for slug in &old.topics {
                let key = topic_key(slug, old);
                if !keys.contains(&key) {
                    self.topics.remove(key)?;
                }
            }
        }
        for key in keys {
            self.topics.insert(key, &[])?;
        }
        put_json(&self.stories, story.id.0.as_bytes(), story)
    }

    pub fn story_by_link(&self, link: &str) -> Result<Option<StoryId>> {
        match self.links.get(link)? {
            Some(v) => Ok(Some(story_id(&v, "links")?)),
            None => Ok(None),
        }
    }

    /// Points a link at a story, unless another story already owns it.
    pub fn index_link(&self, link: &str, id: StoryId) -> Result<()> {
        // compare_and_swap from "absent": the first story to carry a link
        // keeps it, whatever order later polls run in.
        let taken =
            self.links
                .compare_and_swap(link, None as Option<&[u8]>, Some(id.0.as_bytes()))?;
        // Unless that story is gone: pruned, or never written by a merge
        // cut off before it. The link is then free.
        if let Err(sled::CompareAndSwapError {
            current: Some(owner),
            ..
        }) = taken
        {
            if owner != id.0.as_bytes() && !self.stories.contains_key(&owner)? {
                let _ = self
                    .links
                    .compare_and_swap(link, Some(owner), Some(id.0.as_bytes()))?;
            }
        }
        Ok(())
    }

    /// Stories with the folded title `title`, with their `published`, in
    /// the weeks within `window` of `at`.
    pub fn stories_by_title(
        &self,
        title: &str,
        at: DateTime<Utc>,
        window: Duration,
    ) -> Result<Vec<(StoryId, DateTime<Utc>)>> {
        let mut found = Vec::new();
        for week in weeks(at - window, at + window) {
            let key = week_key(week, title.as_bytes());
            if !self.has_title(week, &key)? {
                continue;
            }
            if let Some(list) = self.titles.get(key)? {
                found.extend(entries(&list, "titles")?);
            }
        }
        Ok(found)
    }

    pub fn index_title(&self, title: &str, id: StoryId, published: DateTime<Utc>) -> Result<()> {
        let week = week(published);
        let key = week_key(week, title.as_bytes());
        if self.has_title(week, &key)? {
            self.titles.merge(&key, entry(id, published))?;
        } else {
            // Most titles are new: a plain write, no merge's read.
            self.titles.insert(&key, &entry(id, published))?;
            let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
            let fingerprint = recent.fingerprint(&key);
            if let Some(known) = recent.get_mut(week) {
                known.add_title(fingerprint);
            }
        }
        Ok(())
    }

    /// Keeps a copy's sketch with its story and indexes its bands.
    pub fn index_sketch(
        &self,
        id: StoryId,
        copy: &CopyKey,
        sketch: &Sketch,
        published: DateTime<Utc>,
    ) -> Result<()> {
        let week = week(published);
        let mut key = week.to_vec();
        key.extend_from_slice(id.0.as_bytes());
        key.extend_from_slice(&copy.to_bytes());
        let mut value = published.timestamp().to_be_bytes().to_vec();
        value.extend_from_slice(&sketch.to_bytes());
        self.sketches.insert(key, value)?;
        // A week not in memory reads this sketch with the others when it
        // is first needed.
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let bands: Vec<u32> = sketch
            .bands()
            .iter()
            .map(|b| recent.fingerprint(b))
            .collect();
        if let Some(known) = recent.get_mut(week) {
            known.add_copy(id, published.timestamp(), &bands);
        }
        Ok(())
    }

    /// Stories with a copy sharing a band with `bands`, published within
    /// `window` of `at`, with the sketches of those copies. A band keeps
    /// its [`recent::PER_BAND`] newest copies a week. A sketch this bantin
    /// cannot read is skipped: one fewer chance to match.
    pub fn similar(
        &self,
        bands: &[[u8; 9]],
        at: DateTime<Utc>,
        window: Duration,
    ) -> Result<Vec<(StoryId, Vec<Sketch>)>> {
        let mut found: Vec<([u8; 4], StoryId)> = Vec::new();
        for week in weeks(at - window, at + window) {
            self.load_week(week)?;
            let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
            let Some(known) = recent.get(week) else {
                continue;
            };
            for band in bands {
                for (id, published) in known.sharing(recent.fingerprint(band)) {
                    if (published - at.timestamp()).abs() <= window.num_seconds()
                        && !found.contains(&(week, id))
                    {
                        found.push((week, id));
                    }
                }
            }
        }
        let mut similar: Vec<(StoryId, Vec<Sketch>)> = Vec::new();
        for (week, id) in found {
            let mut prefix = week.to_vec();
            prefix.extend_from_slice(id.0.as_bytes());
            let mut sketches = Vec::new();
            for entry in self.sketches.scan_prefix(&prefix) {
                let (_, value) = entry?;
                sketches.extend(value.get(8..).and_then(Sketch::from_bytes));
            }
            match similar.iter_mut().find(|(s, _)| *s == id) {
                Some((_, known)) => known.extend(sketches),
                None => similar.push((id, sketches)),
            }
        }
        Ok(similar)
    }

    /// The sketches of a story's copies published in the weeks within
    /// `window` of `at`. A sketch this bantin cannot read is skipped.
    pub fn sketches_of(
        &self,
        id: StoryId,
        at: DateTime<Utc>,
        window: Duration,
    ) -> Result<Vec<Sketch>> {
        let mut sketches = Vec::new();
        for week in weeks(at - window, at + window) {
            let mut prefix = week.to_vec();
            prefix.extend_from_slice(id.0.as_bytes());
            for entry in self.sketches.scan_prefix(&prefix) {
                let (_, value) = entry?;
                sketches.extend(value.get(8..).and_then(Sketch::from_bytes));
            }
        }
        Ok(sketches)
    }

    /// Empties the title and text indexes, for [`crate::merge::reindex`].
    pub fn clear_indexes(&self) -> Result<()> {
        self.titles.clear()?;
        self.sketches.clear()?;
        self.recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        Ok(())
    }

    /// Whether the `titles` tree may have `key` of `week`: `false` is
    /// certain, `true` may be wrong (a fingerprint collision).
    fn has_title(&self, week: [u8; 4], key: &[u8]) -> Result<bool> {
        self.load_week(week)?;
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let fingerprint = recent.fingerprint(key);
        Ok(recent.get(week).is_some_and(|w| w.has_title(fingerprint)))
    }

    /// Reads a week's title keys and sketches into memory, unless there.
    fn load_week(&self, week: [u8; 4]) -> Result<()> {
        let hasher = {
            let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
            if recent.get(week).is_some() {
                return Ok(());
            }
            recent.hasher()
        };
        let mut loaded = Week::default();
        for entry in self.titles.scan_prefix(week) {
            let (key, _) = entry?;
            loaded.add_title(recent::fingerprint(&hasher, &key));
        }
        for entry in self.sketches.scan_prefix(week) {
            let (key, value) = entry?;
            let Some(sketch) = value.get(8..).and_then(Sketch::from_bytes) else {
                continue;
            };
            let published = i64::from_be_bytes(fixed(&value[..8], "sketches")?);
            let id = story_id(&key[4..20.min(key.len())], "sketches")?;
            let bands: Vec<u32> = sketch
                .bands()
                .iter()
                .map(|b| recent::fingerprint(&hasher, b))
                .collect();
            loaded.add_copy(id, published, &bands);
        }
        self.recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(week, loaded);
        Ok(())
    }

    /// The newest `limit` stories of a topic, newest first.
    pub fn newest(&self, slug: &str, limit: usize) -> Result<Vec<Story>> {
        let mut prefix = slug.as_bytes().to_vec();
        prefix.push(0);
        let mut stories = Vec::with_capacity(limit);
        for entry in self.topics.scan_prefix(&prefix).rev() {
            if stories.len() == limit {
                break;
            }
            let (key, _) = entry?;
            let id = story_id(&key[key.len().saturating_sub(16)..], "topics")?;
            match self.story(id)? {
                Some(story) => stories.push(story),
                // An index entry whose story is gone: skip it rather than
                // fail the whole feed; pruning tidies it.
                None => continue,
            }
        }
        Ok(stories)
    }

    /// How many stories a topic holds.
    pub fn count(&self, slug: &str) -> usize {
        let mut prefix = slug.as_bytes().to_vec();
        prefix.push(0);
        self.topics.scan_prefix(&prefix).count()
    }

    /// Every `topics` entry of a story published before `before`, under
    /// every slug, configured or not: the oldest stories of each topic
    /// are a short range scan at the start of its prefix. At most `limit`
    /// distinct stories' entries are returned.
    pub fn topic_entries_before(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<TopicEntry>> {
        let mut found = Vec::new();
        let mut stories = HashSet::new();
        // Jump from slug to slug: slugs hold no byte below `-`, so `slug
        // \x01` sorts after every key of `slug` and before the next slug.
        let mut from: Vec<u8> = Vec::new();
        while let Some(first) = self.topics.range(from.clone()..).next() {
            let (key, _) = first?;
            let slug_len = key.iter().position(|&b| b == 0).unwrap_or(key.len());
            let mut start = key[..slug_len].to_vec();
            start.push(0);
            let mut end = start.clone();
            end.extend_from_slice(&sortable(before));
            for entry in self.topics.range(start..end) {
                let (key, _) = entry?;
                let entry = topic_entry(&key)?;
                if !stories.contains(&entry.story) {
                    if stories.len() == limit {
                        break;
                    }
                    stories.insert(entry.story);
                }
                found.push(entry);
            }
            from = key[..slug_len].to_vec();
            from.push(1);
        }
        Ok(found)
    }

    pub fn remove_topic_entry(&self, entry: &TopicEntry) -> Result<()> {
        self.topics
            .remove(topic_key_of(&entry.slug, entry.published, entry.story))?;
        Ok(())
    }

    /// Removes a story, then its `topics` entries: a removal cut off
    /// between the two leaves entries that retention finds and clears.
    /// Its copies and other index entries are [`crate::merge::forget`]'s
    /// to remove first.
    pub fn remove_story(&self, story: &Story) -> Result<()> {
        self.stories.remove(story.id.0.as_bytes())?;
        for slug in &story.topics {
            self.topics.remove(topic_key(slug, story))?;
        }
        Ok(())
    }

    pub fn remove_copy(&self, key: &CopyKey) -> Result<()> {
        self.copies.remove(key.to_bytes())?;
        Ok(())
    }

    /// Lets go of a link, if it points at `id`: another story that owns
    /// the same link keeps it.
    pub fn unindex_link(&self, link: &str, id: StoryId) -> Result<()> {
        let _ = self
            .links
            .compare_and_swap(link, Some(id.0.as_bytes()), None as Option<&[u8]>)?;
        Ok(())
    }

    /// Takes a story out of the list of a title indexed at `published`.
    pub fn unindex_title(&self, title: &str, id: StoryId, published: DateTime<Utc>) -> Result<()> {
        let key = week_key(week(published), title.as_bytes());
        remove_entry(&self.titles, &key, id)
    }

    /// Removes a story's sketches from the weeks of `published` (its
    /// copies' dates); those weeks' in-memory bands are read again when
    /// next needed.
    pub fn unindex_sketches(&self, id: StoryId, published: &[DateTime<Utc>]) -> Result<()> {
        let mut weeks: Vec<[u8; 4]> = published.iter().map(|&p| week(p)).collect();
        weeks.sort_unstable();
        weeks.dedup();
        for week in weeks {
            let mut prefix = week.to_vec();
            prefix.extend_from_slice(id.0.as_bytes());
            for entry in self.sketches.scan_prefix(&prefix) {
                let (key, _) = entry?;
                self.sketches.remove(key)?;
            }
            self.recent
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .forget(week);
        }
        Ok(())
    }

    /// Drops every title and sketch key of the weeks before the
    /// week of `before`, whatever story it names: what a story's own
    /// removal missed (a copy re-dated since it was indexed) goes here.
    /// Returns the keys removed.
    pub fn drop_weeks_before(&self, before: DateTime<Utc>) -> Result<usize> {
        let end = week(before);
        let mut removed = 0;
        for tree in [&self.titles, &self.sketches] {
            for entry in tree.range(..end) {
                let (key, _) = entry?;
                tree.remove(key)?;
                removed += 1;
            }
        }
        if removed > 0 {
            self.recent
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clear();
        }
        Ok(removed)
    }

    /// Every story, in id order.
    pub fn stories(&self) -> impl Iterator<Item = Result<Story>> + '_ {
        all_json(&self.stories, "stories")
    }

    /// The entries of every tree that holds stories and their indexes.
    /// Reads every key: for tests, benchmarks and `bantin prune`, not for
    /// the daemon's hot path.
    pub fn counts(&self) -> Counts {
        Counts {
            stories: self.stories.len(),
            copies: self.copies.len(),
            links: self.links.len(),
            titles: self.titles.len(),
            topics: self.topics.len(),
            sketches: self.sketches.len(),
        }
    }

    pub fn source_state(&self, id: &str) -> Result<Option<SourceState>> {
        get_json(&self.sources, "sources", id.as_bytes())
    }

    pub fn put_source_state(&self, id: &str, state: &SourceState) -> Result<()> {
        put_json(&self.sources, id.as_bytes(), state)
    }

    /// Writes everything to disk; called at shutdown and after `poll`.
    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }
}

/// One `topics` index entry: a story under one topic's slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicEntry {
    pub slug: String,
    /// The story's `published` when the entry was written.
    pub published: DateTime<Utc>,
    pub story: StoryId,
}

/// Entries per tree, from [`Store::counts`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub stories: usize,
    pub copies: usize,
    pub links: usize,
    pub titles: usize,
    pub topics: usize,
    pub sketches: usize,
}

fn topic_key(slug: &str, story: &Story) -> Vec<u8> {
    topic_key_of(slug, story.published, story.id)
}

fn topic_key_of(slug: &str, published: DateTime<Utc>, id: StoryId) -> Vec<u8> {
    let mut key = slug.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(&sortable(published));
    key.extend_from_slice(id.0.as_bytes());
    key
}

fn topic_entry(key: &[u8]) -> Result<TopicEntry> {
    let corrupt = || StoreError::Corrupt {
        tree: "topics",
        reason: format!("a key of {} bytes", key.len()),
    };
    let slug_len = key.iter().position(|&b| b == 0).ok_or_else(corrupt)?;
    let rest = &key[slug_len + 1..];
    if rest.len() != 24 {
        return Err(corrupt());
    }
    Ok(TopicEntry {
        slug: String::from_utf8_lossy(&key[..slug_len]).into_owned(),
        published: from_sortable(fixed(&rest[..8], "topics")?),
        story: story_id(&rest[8..], "topics")?,
    })
}

/// Stories an index key keeps: the newest, by publication.
pub const ENTRIES: usize = 24;

/// One (story, published) pair of an index list: 16 + 8 bytes.
const ENTRY: usize = 24;

fn entry(id: StoryId, published: DateTime<Utc>) -> [u8; ENTRY] {
    let mut e = [0u8; ENTRY];
    e[..16].copy_from_slice(id.0.as_bytes());
    e[16..].copy_from_slice(&published.timestamp().to_be_bytes());
    e
}

fn entries(list: &[u8], tree: &'static str) -> Result<Vec<(StoryId, DateTime<Utc>)>> {
    if list.len() % ENTRY != 0 {
        return Err(StoreError::Corrupt {
            tree,
            reason: format!("an index list of {} bytes", list.len()),
        });
    }
    list.chunks_exact(ENTRY)
        .map(|e| {
            let id = story_id(&e[..16], tree)?;
            let seconds = i64::from_be_bytes(fixed(&e[16..], tree)?);
            Ok((id, DateTime::from_timestamp(seconds, 0).unwrap_or_default()))
        })
        .collect()
}

/// sled's merge operator for index lists: adds or updates one story's
/// entry and keeps the [`ENTRIES`] newest. Malformed old bytes are
/// replaced rather than kept (an index is rebuilt from the copies).
fn append_entry(_key: &[u8], old: Option<&[u8]>, new: &[u8]) -> Option<Vec<u8>> {
    let old = old.filter(|o| o.len() % ENTRY == 0).unwrap_or_default();
    let mut list: Vec<&[u8]> = old
        .chunks_exact(ENTRY)
        .filter(|e| e[..16] != new[..16.min(new.len())])
        .collect();
    list.push(new);
    if list.len() > ENTRIES {
        // Entries are 16 bytes of id then a big-endian date: newest last.
        list.sort_by(|a, b| a[16..].cmp(&b[16..]));
        list.drain(..list.len() - ENTRIES);
    }
    Some(list.concat())
}

fn week_key(week: [u8; 4], rest: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(4 + rest.len());
    key.extend_from_slice(&week);
    key.extend_from_slice(rest);
    key
}

/// The week of `time` since 1970, as 4 bytes in time order.
fn week(time: DateTime<Utc>) -> [u8; 4] {
    ((time.timestamp().max(0) / WEEK_SECONDS) as u32).to_be_bytes()
}

/// Every week from `from` to `to`, both included.
fn weeks(from: DateTime<Utc>, to: DateTime<Utc>) -> impl Iterator<Item = [u8; 4]> {
    let first = u32::from_be_bytes(week(from));
    let last = u32::from_be_bytes(week(to));
    (first..=last).map(u32::to_be_bytes)
}

/// A time as 8 bytes whose byte order is time order: seconds with the
/// sign bit flipped, big-endian.
fn sortable(time: DateTime<Utc>) -> [u8; 8] {
    ((time.timestamp() as u64) ^ (1 << 63)).to_be_bytes()
}

fn from_sortable(bytes: [u8; 8]) -> DateTime<Utc> {
    let seconds = (u64::from_be_bytes(bytes) ^ (1 << 63)) as i64;
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// Takes a story's entry out of an index list; the key goes with its
/// last entry. Read, filter, compare-and-swap: a merge racing it is
/// retried, never lost.
fn remove_entry(tree: &sled::Tree, key: &[u8], id: StoryId) -> Result<()> {
    tree.fetch_and_update(key, |old| {
        let kept: Vec<u8> = old?
            .chunks_exact(ENTRY)
            .filter(|e| e[..16] != id.0.as_bytes()[..])
            .flatten()
            .copied()
            .collect();
        (!kept.is_empty()).then_some(kept)
    })?;
    Ok(())
}

/// Whether sled could not open the store because another process holds
/// its lock. sled says so only in the text of an I/O error.
fn is_locked(error: &sled::Error) -> bool {
    error.to_string().contains("could not acquire lock")
}

/// Every value of a JSON tree, in key order.
fn all_json<'t, T: DeserializeOwned>(
    tree: &'t sled::Tree,
    name: &'static str,
) -> impl Iterator<Item = Result<T>> + 't {
    tree.iter().map(move |entry| {
        let (_, value) = entry?;
        serde_json::from_slice(&value).map_err(|e| StoreError::Corrupt {
            tree: name,
            reason: e.to_string(),
        })
    })
}

fn get_json<T: DeserializeOwned>(
    tree: &sled::Tree,
    name: &'static str,
    key: &[u8],
) -> Result<Option<T>> {
    match tree.get(key)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                tree: name,
                reason: e.to_string(),
            }),
    }
}

fn put_json<T: Serialize>(tree: &sled::Tree, key: &[u8], value: &T) -> Result<()> {
    let bytes = serde_json::to_vec(value).map_err(|e| StoreError::Corrupt {
        tree: "(encode)",
        reason: e.to_string(),
    })?;
    tree.insert(key, bytes)?;
    Ok(())
}

fn fixed<const N: usize>(bytes: &[u8], tree: &'static str) -> Result<[u8; N]> {
    bytes.try_into().map_err(|_| StoreError::Corrupt {
        tree,
        reason: format!("expected {N} bytes, found {}", bytes.len()),
    })
}

fn story_id(bytes: &[u8], tree: &'static str) -> Result<StoryId> {
    Ok(StoryId(Uuid::from_bytes(fixed(bytes, tree)?)))
}
