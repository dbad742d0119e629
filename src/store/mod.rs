//! The sled store: the only module that names sled.
//!
//! Here: opening, the schema and the trees' meta values, copies, stories
//! and source states. [`indexes`]: links, titles and sketches;
//! [`topics`]: each topic's stories in time order; [`codec`]: how values
//! and keys are written; [`recent`]: the lookup indexes in memory.
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
//! | `sketches`| week, story uuid, copy key            | published (i64 BE), [`Sketch`](crate::text::sketch::Sketch) bytes |
//! | `sources` | source id                             | [`SourceState`] JSON |
//! | `meta`    | `schema`, `created`, `rules`          | small values     |
//!
//! The `topics` sort key is the story's `published` in seconds with the sign
//! bit flipped, so byte order is time order and a reverse scan of one
//! slug's prefix yields its newest stories without reading the others, and
//! a band's stories near a date are a short range scan whatever the store's
//! size.
//!
//! [`Entries`] are a short list of (story uuid, published). Lookups are
//! answered from memory ([`recent`]): a filter of every link, read at
//! open, and for the weeks used lately their title lists, sketches and
//! the sketches' bands, read from `titles` and `sketches` when a week is
//! first needed and kept within `[store] index_memory`.
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
//! its copy; removing a story ([`crate::pipeline::merge::forget`]) takes out its
//! links, titles and sketches (computed from its copies) first, then the
//! copies, the story, and its topic entries last, since they are how
//! retention finds it again. What a kill leaves at worst is entries that
//! lead to no story: every lookup checks that the story exists, and
//! retention removes them with their date.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

mod codec;
mod indexes;
mod recent;
mod topics;

pub use recent::IndexMemory;
pub use topics::TopicEntry;

use crate::config::{DEFAULT_INDEX_MEMORY, StoreSettings};
use crate::model::SourceState;
use crate::model::story::{Copy, CopyKey, Story, StoryId};
use codec::{all_json, fixed, get_json, put_json};
use indexes::append_entry;
use recent::Recent;
use topics::topic_key;

/// 1: the first store. 2: titles indexed by week; sketches.
const SCHEMA_VERSION: u64 = 2;

/// The span of one `week` key.
const WEEK_SECONDS: i64 = 7 * 86_400;

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
        Store::open_with_cache(path, crate::config::DEFAULT_CACHE)
    }

    /// As [`Store::open`], with sled's cache at `cache_bytes` (`[store]
    /// cache`).
    pub fn open_with_cache(path: &Path, cache_bytes: u64) -> Result<Store> {
        let config = sled::Config::new().path(path).cache_capacity(cache_bytes);
        Store::open_with(config, path)
    }

    /// As [`Store::open`], with `[store]`'s cache and index memory.
    pub fn open_configured(settings: &StoreSettings) -> Result<Store> {
        let store = Store::open_with_cache(&settings.path, settings.cache)?;
        store.set_index_budget(settings.index_memory);
        Ok(store)
    }

    /// A store on disk that is deleted when dropped: for `bantin eval`.
    pub fn temporary() -> Result<Store> {
        let config = sled::Config::new()
            .temporary(true)
            .cache_capacity(crate::config::DEFAULT_CACHE);
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
            recent: Arc::new(Mutex::new(Recent::new(DEFAULT_INDEX_MEMORY as usize))),
            db,
        };
        store.titles.set_merge_operator(append_entry);
        store.check_schema(path)?;
        store.load_links()?;
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
    /// [`crate::pipeline::merge::reindex`] must rebuild before merging.
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
    /// ([`crate::pipeline::classify::reclassify`]).
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

    /// Removes a story, then its `topics` entries: a removal cut off
    /// between the two leaves entries that retention finds and clears.
    /// Its copies and other index entries are [`crate::pipeline::merge::forget`]'s
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

/// Stories an index key keeps: the newest, by publication.
pub const ENTRIES: usize = 24;

/// Whether sled could not open the store because another process holds
/// its lock. sled says so only in the text of an I/O error.
fn is_locked(error: &sled::Error) -> bool {
    error.to_string().contains("could not acquire lock")
}
