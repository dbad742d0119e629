//! The sled store: the only module that names sled.
//!
//! Trees and their key layouts:
//!
//! | tree      | key                                   | value            |
//! |-----------|---------------------------------------|------------------|
//! | `copies`  | source `\0` item key                  | [`Copy`] JSON    |
//! | `stories` | story uuid (16 bytes)                 | [`Story`] JSON   |
//! | `links`   | canonical link                        | story uuid       |
//! | `titles`  | folded title `\0` story uuid          | published, i64 BE seconds |
//! | `topics`  | slug `\0` sort key (8) story uuid (16)| empty            |
//! | `sketches`| story uuid, copy key                  | [`Sketch`] bytes |
//! | `bands`   | band (9), published (8), story uuid   | empty            |
//! | `sources` | source id                             | [`SourceState`] JSON |
//! | `meta`    | `schema`, `created`, `rules`          | small values     |
//!
//! The `topics` and `bands` sort key is the story's `published` in seconds with the sign
//! bit flipped, so byte order is time order and a reverse scan of one
//! slug's prefix yields its newest stories without reading the others, and
//! a band's stories near a date are a short range scan whatever the store's
//! size.
//!
//! Values are JSON so that fields can be added with `#[serde(default)]`
//! without a migration.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::merge::sketch::Sketch;
use crate::status::SourceState;
use crate::story::{Copy, CopyKey, Story, StoryId};

const SCHEMA_VERSION: u64 = 1;

const CACHE_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: cannot open {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: sled::Error,
    },
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
    bands: sled::Tree,
    sources: sled::Tree,
    meta: sled::Tree,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(sled::Config::new().path(path), path)
    }

    /// A store on disk that is deleted when dropped: for `bantin eval`.
    pub fn temporary() -> Result<Store> {
        let config = sled::Config::new().temporary(true);
        Store::open_with(config, Path::new("(temporary)"))
    }

    fn open_with(config: sled::Config, path: &Path) -> Result<Store> {
        let config = config
            // sled caches up to 1 GiB by default; feeds read the newest
            // stories only, so a small cache serves them and keeps the
            // daemon's memory flat.
            .cache_capacity(CACHE_BYTES);
        let mut attempt = 0;
        let db = loop {
            match config.open() {
                Ok(db) => break db,
                // sled lets go of its file lock from its flusher thread, a
                // moment after the last handle drops: a store reopened at
                // once (a restart in one process, tests) gets a second to
                // be free. Another live daemon on the store still fails.
                Err(e) if attempt < 10 && e.to_string().contains("could not acquire lock") => {
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
            bands: db.open_tree("bands")?,
            sources: db.open_tree("sources")?,
            meta: db.open_tree("meta")?,
            db,
        };
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
        self.copies.iter().map(|entry| {
            let (_, value) = entry?;
            serde_json::from_slice(&value).map_err(|e| StoreError::Corrupt {
                tree: "copies",
                reason: e.to_string(),
            })
        })
    }

    pub fn put_copy(&self, copy: &Copy) -> Result<()> {
        put_json(&self.copies, &copy.key.to_bytes(), copy)
    }

    pub fn story(&self, id: StoryId) -> Result<Option<Story>> {
        get_json(&self.stories, "stories", id.0.as_bytes())
    }

    /// Writes a story and moves its topic index entries from `before` (its
    /// previous version, if any) to the new topics and date.
    pub fn put_story(&self, story: &Story, before: Option<&Story>) -> Result<()> {
        put_json(&self.stories, story.id.0.as_bytes(), story)?;
        if let Some(old) = before {
            if old.topics == story.topics && old.published == story.published {
                return Ok(());
            }
            for slug in &old.topics {
                self.topics.remove(topic_key(slug, old))?;
            }
        }
        for slug in &story.topics {
            self.topics.insert(topic_key(slug, story), &[])?;
        }
        Ok(())
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
        let _ = self
            .links
            .compare_and_swap(link, None as Option<&[u8]>, Some(id.0.as_bytes()))?;
        Ok(())
    }

    /// Stories whose folded title is `title`, with their `published`.
    pub fn stories_by_title(&self, title: &str) -> Result<Vec<(StoryId, DateTime<Utc>)>> {
        let mut prefix = title.as_bytes().to_vec();
        prefix.push(0);
        let mut found = Vec::new();
        for entry in self.titles.scan_prefix(&prefix) {
            let (key, value) = entry?;
            let id = story_id(&key[prefix.len()..], "titles")?;
            let seconds = i64::from_be_bytes(fixed(&value, "titles")?);
            found.push((id, DateTime::from_timestamp(seconds, 0).unwrap_or_default()));
        }
        Ok(found)
    }

    pub fn index_title(&self, title: &str, id: StoryId, published: DateTime<Utc>) -> Result<()> {
        let mut key = title.as_bytes().to_vec();
        key.push(0);
        key.extend_from_slice(id.0.as_bytes());
        self.titles
            .insert(key, &published.timestamp().to_be_bytes())?;
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
        let mut key = id.0.as_bytes().to_vec();
        key.extend_from_slice(&copy.to_bytes());
        self.sketches.insert(key, sketch.to_bytes())?;
        for band in sketch.bands() {
            let mut key = band.to_vec();
            key.extend_from_slice(&sortable(published));
            key.extend_from_slice(id.0.as_bytes());
            self.bands.insert(key, &[])?;
        }
        Ok(())
    }

    /// The sketches of a story's copies. A record this bantin cannot read
    /// is skipped: it only means one fewer chance to match.
    pub fn sketches(&self, id: StoryId) -> Result<Vec<Sketch>> {
        let mut found = Vec::new();
        for entry in self.sketches.scan_prefix(id.0.as_bytes()) {
            let (_, value) = entry?;
            found.extend(Sketch::from_bytes(&value));
        }
        Ok(found)
    }

    /// Stories sharing a band with `bands`, published within `window` of
    /// `at`: per band at most `per_band`, the nearest in time first, so a
    /// band every story shares costs no more than a rare one.
    pub fn stories_by_bands(
        &self,
        bands: &[[u8; 9]],
        at: DateTime<Utc>,
        window: Duration,
        per_band: usize,
    ) -> Result<Vec<StoryId>> {
        let key = |band: &[u8; 9], time: DateTime<Utc>| {
            let mut key = band.to_vec();
            key.extend_from_slice(&sortable(time));
            key
        };
        let mut found: Vec<StoryId> = Vec::new();
        for band in bands {
            let (lo, mid, hi) = (
                key(band, at - window),
                key(band, at),
                key(band, at + window + Duration::seconds(1)),
            );
            let later = self.bands.range(mid.clone()..hi);
            let earlier = self.bands.range(lo..mid).rev();
            for entry in later
                .take(per_band / 2)
                .chain(earlier.take(per_band - per_band / 2))
            {
                let (k, _) = entry?;
                let id = story_id(&k[k.len().saturating_sub(16)..], "bands")?;
                if !found.contains(&id) {
                    found.push(id);
                }
            }
        }
        Ok(found)
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

fn topic_key(slug: &str, story: &Story) -> Vec<u8> {
    let mut key = slug.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(&sortable(story.published));
    key.extend_from_slice(story.id.0.as_bytes());
    key
}

/// A time as 8 bytes whose byte order is time order: seconds with the
/// sign bit flipped, big-endian.
fn sortable(time: DateTime<Utc>) -> [u8; 8] {
    ((time.timestamp() as u64) ^ (1 << 63)).to_be_bytes()
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
