//! The store: stories, their copies, the indexes that find them, and
//! source states, on disk.
//!
//! Here: opening, the schema and the trees' meta values, copies, stories
//! and source states. [`backend`]: the storage engine's narrow trait and
//! its engines, redb and sled, named nowhere else but in [`migrate`] (a
//! sled store moved to redb) and [`salvage`]; [`batch`]: a poll's writes,
//! written at once; [`indexes`]: links, titles and sketches; [`topics`]:
//! each topic's stories in time order; [`codec`]: how values and keys are
//! written; [`recent`]: the lookup indexes in memory; [`handle`]: the
//! engine every clone shares, swapped when the store is reopened after a
//! write failure, and that failure; [`salvage`]: what can be read of a
//! damaged store; [`search`]: the search index, syllables to stories,
//! in memory; [`history`]: each source's last polls and their summary.
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
//! | `history` | source id `\0` `p` time (8)           | [`PollRecord`](crate::model::PollRecord) JSON |
//! | `history` | source id `\0` `s`                    | [`Summary`](crate::model::Summary) JSON |
//! | `meta`    | `schema`, `created`, `rules`          | small values     |
//!
//! The `history` time is the poll's in milliseconds with the sign bit
//! flipped, like the `topics` sort key: a source's records are one range
//! scan in time order. A source keeps its last
//! [`POLLS_KEPT`](crate::model::history::POLLS_KEPT) records; its summary
//! holds the day counters of the last month, the latency of the polls
//! kept (and so their keys), and the gaps between polls that brought new
//! items. The tree came after schema 2 without a new schema number: a
//! store without it opens with it empty, and an older bantin opening a
//! store with it never reads it.
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
//! part of the tree, which stays in the engine's cache however large the store
//! grows: the cost of a lookup does not grow with the store.
//!
//! Values are JSON so that fields can be added with `#[serde(default)]`
//! without a migration.
//!
//! Writes go in a [`Batch`], one per poll, written tree by tree in an
//! order that a process killed between two trees cannot make
//! inconsistent: index entries before stories and stories before their
//! copies; when a story is removed ([`crate::pipeline::merge::forget`]),
//! its links, titles and sketches (computed from its copies) first, then
//! the copies, the story, and its topic entries last, since they are how
//! retention finds it again. What a kill leaves at worst is entries that
//! lead to no story: every lookup checks that the story exists, and
//! retention removes them with their date.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

mod backend;
mod batch;
mod codec;
mod handle;
mod heap;
mod history;
mod indexes;
pub mod migrate;
mod postings;
mod recent;
pub mod salvage;
pub mod search;
mod topics;

pub use backend::{Backend, Engine, Tree, found_in, open as open_engine};
pub use batch::Batch;
pub use handle::{CLOSE_WITHIN, WriteFailure};
pub use history::HistoryPruned;
pub use indexes::same_week;
pub use recent::IndexMemory;
pub use topics::{Place, TopicEntry};

use crate::config::{DEFAULT_INDEX_MEMORY, StoreSettings};
use crate::model::SourceState;
use crate::model::story::{Copy, CopyKey, Story, StoryId};
use backend::Redb;
use codec::{all_json, encode, fixed, get_json};
use handle::{Handle, Opener};
use recent::Recent;

/// 1: the first store. 2: titles indexed by week; sketches.
const SCHEMA_VERSION: u64 = 2;

/// The span of one `week` key.
const WEEK_SECONDS: i64 = 7 * 86_400;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The engine's error is in the text, not the chain: told once.
    #[error("store: cannot open {path}: {error}")]
    Open {
        path: String,
        error: backend::EngineError,
    },
    #[error("store: {path} is in use by a running bantin; stop it first")]
    Locked { path: String },
    #[error(
        "store: {path} holds a {found} store, and [store] engine asks for {wanted}; remove the setting to open it as it is, or move it with `bantin migrate`"
    )]
    OtherEngine {
        path: String,
        found: Engine,
        wanted: Engine,
    },
    #[error("store: {0}")]
    Engine(#[from] backend::EngineError),
    #[error("store: damaged record in `{tree}`: {reason}")]
    Corrupt { tree: &'static str, reason: String },
    /// Closed at shutdown, or between two engines while reopening.
    #[error("store: {reason}")]
    Closed { reason: String },
    #[error("store: did not close within {within:?}; what was flushed before stays")]
    CloseTimeout { within: Duration },
    #[error("store: cannot migrate {path}: {reason}")]
    Migrate { path: String, reason: String },
    #[error("store: cannot salvage {path}: {reason}")]
    Salvage { path: String, reason: String },
    #[error(
        "store: {path} was written by a newer bantin (schema {found}, this one knows {SCHEMA_VERSION}); upgrade bantin or point store.path elsewhere"
    )]
    NewerSchema { path: String, found: u64 },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A handle on the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Arc<Handle>,
    recent: Arc<Mutex<Recent>>,
    /// Source states whose write failed, newest first in line for reads:
    /// while the disk is full the status page shows each source's last
    /// poll, not "not polled yet". Forgotten at a reopen, when the disk's
    /// states are the truth again.
    unsaved: Arc<Mutex<HashMap<String, SourceState>>>,
    /// Counts the writes of source states and histories, so a reader
    /// that keeps what it read of them knows when it is out of date.
    states_written: Arc<AtomicU64>,
    /// `None` for a store on an engine handed in ([`Store::on`]).
    engine: Option<Engine>,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with_cache(path, crate::config::DEFAULT_CACHE)
    }

    /// As [`Store::open`], with the engine's cache at `cache_bytes`
    /// (`[store] cache`).
    pub fn open_with_cache(path: &Path, cache_bytes: u64) -> Result<Store> {
        Store::open_choosing(path, None, cache_bytes)
    }

    /// As [`Store::open_with_cache`], on `engine`: a new store is made
    /// with it, and a store of the other engine is refused.
    pub fn open_with(path: &Path, engine: Engine, cache_bytes: u64) -> Result<Store> {
        Store::open_choosing(path, Some(engine), cache_bytes)
    }

    /// As [`Store::open`], with `[store]`'s engine, cache and index memory.
    pub fn open_configured(settings: &StoreSettings) -> Result<Store> {
        let store = Store::open_choosing(&settings.path, settings.engine, settings.cache)?;
        store.set_index_budget(settings.index_memory);
        Ok(store)
    }

    /// Opens the store in `path` with the engine its files are, else
    /// `wanted`'s ([`backend::choose`]).
    fn open_choosing(path: &Path, wanted: Option<Engine>, cache_bytes: u64) -> Result<Store> {
        let engine = backend::choose(path, wanted)?;
        let first = backend::open(path, engine, cache_bytes)?;
        let owned = path.to_path_buf();
        let opener: Opener = Box::new(move || backend::open(&owned, engine, cache_bytes));
        let mut store = Store::with_handle(Handle::new(first, Some(opener)), path)?;
        store.engine = Some(engine);
        Ok(store)
    }

    /// A store on disk that is deleted when dropped: for `bantin eval`.
    pub fn temporary() -> Result<Store> {
        let engine = Redb::temporary(crate::config::DEFAULT_CACHE)?;
        let mut store = Store::on(engine, Path::new("(temporary)"))?;
        store.engine = Some(Engine::Redb);
        Ok(store)
    }

    /// The store kept by `backend`.
    pub fn on(backend: impl Backend + 'static, path: &Path) -> Result<Store> {
        Store::with_handle(Handle::new(Box::new(backend), None), path)
    }

    fn with_handle(handle: Handle, path: &Path) -> Result<Store> {
        let store = Store::unchecked(handle);
        store.check_schema(path)?;
        store.load_links()?;
        Ok(store)
    }

    /// The store on `handle`, as it is: no schema written, no index read.
    fn unchecked(handle: Handle) -> Store {
        Store {
            backend: Arc::new(handle),
            recent: Arc::new(Mutex::new(Recent::new(DEFAULT_INDEX_MEMORY as usize))),
            unsaved: Arc::default(),
            states_written: Arc::default(),
            engine: None,
        }
    }

    /// The engine the store was opened with.
    pub fn engine(&self) -> Option<Engine> {
        self.engine
    }

    fn check_schema(&self, path: &Path) -> Result<()> {
        match self.backend.get(Tree::Meta, b"schema")? {
            None => {
                self.backend
                    .put(Tree::Meta, b"schema", &SCHEMA_VERSION.to_be_bytes())?;
                self.backend.put(
                    Tree::Meta,
                    b"created",
                    &Utc::now().timestamp().to_be_bytes(),
                )?;
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
        let found = match self.backend.get(Tree::Meta, b"schema")? {
            Some(v) => u64::from_be_bytes(fixed(&v, "meta")?),
            None => SCHEMA_VERSION,
        };
        Ok(found < SCHEMA_VERSION)
    }

    /// Records that the store is at this bantin's schema: the last step
    /// of a migration, so one cut off midway runs again.
    pub fn mark_current(&self) -> Result<()> {
        self.backend
            .put(Tree::Meta, b"schema", &SCHEMA_VERSION.to_be_bytes())
    }

    /// The topic rules the stored topics were decided by
    /// ([`crate::pipeline::classify::reclassify`]).
    pub fn rules(&self) -> Result<Option<String>> {
        Ok(self
            .backend
            .get(Tree::Meta, b"rules")?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    pub fn set_rules(&self, rules: &str) -> Result<()> {
        self.backend.put(Tree::Meta, b"rules", rules.as_bytes())
    }

    /// When this store was created: the `updated` of a feed with no entries.
    pub fn created(&self) -> Result<DateTime<Utc>> {
        let seconds = match self.backend.get(Tree::Meta, b"created")? {
            Some(v) => i64::from_be_bytes(fixed(&v, "meta")?),
            None => 0,
        };
        Ok(DateTime::from_timestamp(seconds, 0).unwrap_or_default())
    }

    pub fn copy(&self, key: &CopyKey) -> Result<Option<Copy>> {
        get_json(&*self.backend, Tree::Copies, &key.to_bytes())
    }

    /// Every copy, in key order (by source).
    pub fn copies(&self) -> impl Iterator<Item = Result<Copy>> + '_ {
        all_json(&*self.backend, Tree::Copies)
    }

    pub fn story(&self, id: StoryId) -> Result<Option<Story>> {
        get_json(&*self.backend, Tree::Stories, id.0.as_bytes())
    }

    /// A story's stored bytes: whether it exists, without decoding it.
    pub(crate) fn story_bytes(&self, id: StoryId) -> Result<Option<Vec<u8>>> {
        self.backend.get(Tree::Stories, id.0.as_bytes())
    }

    /// Every story, in id order.
    pub fn stories(&self) -> impl Iterator<Item = Result<Story>> + '_ {
        all_json(&*self.backend, Tree::Stories)
    }

    /// The entries of every tree that holds stories and their indexes.
    /// Reads every key: for tests, benchmarks and `bantin prune`, not for
    /// the daemon's hot path.
    pub fn counts(&self) -> Counts {
        Counts {
            stories: self.backend.len(Tree::Stories),
            copies: self.backend.len(Tree::Copies),
            links: self.backend.len(Tree::Links),
            titles: self.backend.len(Tree::Titles),
            topics: self.backend.len(Tree::Topics),
            sketches: self.backend.len(Tree::Sketches),
        }
    }

    pub fn source_state(&self, id: &str) -> Result<Option<SourceState>> {
        if let Some(state) = self.unsaved().get(id) {
            return Ok(Some(state.clone()));
        }
        get_json(&*self.backend, Tree::Sources, id.as_bytes())
    }

    pub fn put_source_state(&self, id: &str, state: &SourceState) -> Result<()> {
        let written = self
            .backend
            .put(Tree::Sources, id.as_bytes(), &encode(state)?);
        self.state_written(id, state, written)
    }

    /// After a write of `state`: kept in memory while it is not on disk
    /// (served as the source's state until a write succeeds), then the
    /// readers told. Hands `written` back.
    pub(crate) fn state_written(
        &self,
        id: &str,
        state: &SourceState,
        written: Result<()>,
    ) -> Result<()> {
        let mut unsaved = self.unsaved();
        match written {
            Ok(()) => {
                unsaved.remove(id);
            }
            Err(_) => {
                unsaved.insert(id.to_string(), state.clone());
            }
        }
        drop(unsaved);
        // Last: a reader that saw the new count reads what was written.
        self.states_changed();
        written
    }

    /// Writes everything to disk; called at shutdown and after `poll`.
    pub fn flush(&self) -> Result<()> {
        self.backend.flush()
    }

    /// Why the store cannot write, if a write failed and no reopen has
    /// proved it writes since.
    pub fn write_failure(&self) -> Option<WriteFailure> {
        self.backend.failure()
    }

    /// Drops the storage engine and opens the directory again: the way
    /// back after a write failure, which both engines latch for good. What was
    /// on disk is read back; writes that never reached it are gone, and
    /// so are the source states written with them, so their polls fetch
    /// the same news again. Blocking: seconds for a large store.
    pub fn reopen(&self) -> Result<()> {
        self.backend.reopen()?;
        // What the lost writes added in memory: title and sketch weeks are
        // read again when needed. The link filter may keep links no story
        // has now, which costs a lookup, never a wrong merge.
        self.recent().clear();
        self.unsaved().clear();
        self.states_changed();
        Ok(())
    }

    /// Flushes the store and lets go of it, waiting at most `within`
    /// ([`CLOSE_WITHIN`]): a stuck engine must not hold the daemon's
    /// exit. Every clone answers [`StoreError::Closed`] afterwards.
    pub fn close(&self, within: Duration) -> Result<()> {
        self.backend.close(within)
    }

    /// How many times source states or histories were written (or
    /// tried) since the store was opened: unchanged, what was read of
    /// them is still what the store holds.
    pub fn states_written(&self) -> u64 {
        self.states_written.load(Ordering::Acquire)
    }

    fn states_changed(&self) {
        self.states_written.fetch_add(1, Ordering::AcqRel);
    }

    fn unsaved(&self) -> MutexGuard<'_, HashMap<String, SourceState>> {
        self.unsaved.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn size_on_disk(&self) -> u64 {
        self.backend.size_on_disk()
    }

    fn recent(&self) -> MutexGuard<'_, Recent> {
        self.recent.lock().unwrap_or_else(|p| p.into_inner())
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
