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
//! | `sources` | source id                             | [`SourceState`] JSON |
//! | `meta`    | `schema`, `created`                   | small values     |
//!
//! The `topics` sort key is the story's `published` in seconds with the sign
//! bit flipped, so byte order is time order and a reverse scan of one
//! slug's prefix yields its newest stories without reading the others.
//!
//! Values are JSON so that fields can be added with `#[serde(default)]`
//! without a migration.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

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
    sources: sled::Tree,
    meta: sled::Tree,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        let config = sled::Config::new()
            .path(path)
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
    let sortable = (story.published.timestamp() as u64) ^ (1 << 63);
    key.extend_from_slice(&sortable.to_be_bytes());
    key.extend_from_slice(story.id.0.as_bytes());
    key
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
