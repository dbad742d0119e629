//! feeds.toml: what the operator writes, checked once, in two steps.
//!
//! [`raw`] is the file as typed (serde, `deny_unknown_fields`, positions
//! kept); [`validate`] turns it into a [`Config`] whose durations, sizes,
//! URLs and keyword rules are already parsed, or into a [`ConfigError`]
//! listing every problem with its line and column. Nothing downstream ever
//! sees an unchecked value.

mod raw;
mod validate;

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use crate::pipeline::parse::article::ArticleRule;
use crate::pipeline::parse::scrape::ScrapeRules;
use crate::text::keywords::Rules;

/// The implicit topic that holds every story.
pub const ALL_TOPIC: &str = "all";

#[derive(Debug, Clone)]
pub struct Config {
    /// The file this was read from; relative paths inside it were resolved
    /// against its directory.
    pub path: PathBuf,
    pub server: ServerSettings,
    pub store: StoreSettings,
    pub poll: PollSettings,
    /// The configured topics, then the implicit [`ALL_TOPIC`].
    pub topics: Vec<Topic>,
    pub sources: Vec<Source>,
}

/// The configuration in force, swapped whole on reload. Whoever reads it
/// keeps the `Arc` it took: a poll finishes with the configuration it
/// started with. A std lock, held only to clone or swap the `Arc`.
#[derive(Debug)]
pub struct InForce(RwLock<Arc<Config>>);

impl InForce {
    pub fn new(config: Arc<Config>) -> InForce {
        InForce(RwLock::new(config))
    }

    pub fn get(&self) -> Arc<Config> {
        Arc::clone(&self.0.read().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn set(&self, config: Arc<Config>) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = config;
    }
}

#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub listen: SocketAddr,
    /// Absolute, ending in `/`; prefix of every `rel="self"` link and feed id.
    pub base_url: Url,
    /// How long a stop waits for requests and writes in flight before it
    /// flushes the store and exits anyway.
    pub shutdown_timeout: Duration,
    /// Client connections open at once at most; the last few of them
    /// serve only `/healthz`. Needs a restart.
    pub max_connections: usize,
    /// The WebSub hub every feed names (`rel="hub"`) and that is told of
    /// each change (`crate::ops::websub`); `None`: no hub.
    pub websub_hub: Option<Url>,
}

/// Engines cache up to 1 GiB by default; feeds read the newest stories only,
/// so a small cache serves them and keeps the daemon's memory flat. A store
/// of hundreds of thousands of stories ingests faster with more
/// (bench/README.md, store_scale).
pub const DEFAULT_CACHE: u64 = 8 * 1024 * 1024;

/// The in-memory title and text indexes hold the weeks new items fall in;
/// a week of 30,000 copies takes about 20 MiB.
pub const DEFAULT_INDEX_MEMORY: u64 = 32 * 1024 * 1024;

/// The search index holds the syllables of each story's copies; about
/// 2 KiB a story, so 64 MiB keeps some 30,000 of the newest searchable.
pub const DEFAULT_SEARCH_MEMORY: u64 = 64 * 1024 * 1024;

/// The oldest `published` a story may have to be kept at `now`, or
/// `None` when `keep_days` reaches past the calendar (keep everything).
pub fn cutoff(keep_days: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    now.checked_sub_signed(chrono::Duration::try_days(i64::from(keep_days))?)
}

/// The storage engine of a store (`[store] engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// New stores: one file, a cache it keeps to.
    #[default]
    Redb,
    /// The stores bantin wrote before redb.
    Sled,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Redb => "redb",
            Engine::Sled => "sled",
        }
    }

    pub fn parse(name: &str) -> Option<Engine> {
        [Engine::Redb, Engine::Sled]
            .into_iter()
            .find(|e| e.name() == name)
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone)]
pub struct StoreSettings {
    pub path: PathBuf,
    /// `None`: the engine of the store found in `path`, else redb.
    pub engine: Option<Engine>,
    pub keep_days: u32,
    /// Entries in each published feed.
    pub feed_size: usize,
    /// Bytes of the engine's page cache.
    pub cache: u64,
    /// Bytes the in-memory title and text indexes may take.
    pub index_memory: u64,
    /// Bytes the search index may take (`crate::store::search`).
    pub search_memory: u64,
}

#[derive(Debug, Clone)]
pub struct PollSettings {
    pub every: Duration,
    pub min_every: Duration,
    pub max_every: Duration,
    pub timeout: Duration,
    pub concurrency: usize,
    pub per_host: usize,
    pub host_gap: Duration,
    pub max_body: u64,
    /// Bytes per second below which a transfer is cut off, once it has
    /// lasted `rate_window`.
    pub min_rate: u64,
    pub rate_window: Duration,
    pub user_agent: String,
    /// A reload may remove every source: said explicitly, since an empty
    /// or truncated feeds.toml would otherwise stop all polling.
    pub allow_no_sources: bool,
}

#[derive(Debug, Clone)]
pub struct Topic {
    pub slug: String,
    pub title: String,
    pub rules: Rules,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    pub name: String,
    /// `http`, `https` or `file` (the offline demo and local drops).
    pub url: Url,
    /// Topics every item of this source goes to, keywords or not.
    pub topics: Vec<String>,
    pub every: Duration,
    /// Lower is more authoritative: its copy is the one a story shows.
    pub priority: i32,
    /// Extra CA or intermediate certificates (PEM) for this source's host:
    /// gov.vn servers often send incomplete chains.
    pub ca_file: Option<PathBuf>,
    /// Certificate checks off for this source only; shown as a warning.
    pub insecure_tls: bool,
    /// May reach loopback, private and link-local addresses, which are
    /// refused otherwise (see [`crate::pipeline::fetch::guard`]): for a feed on the
    /// LAN, and for tests.
    pub allow_private: bool,
    /// For a page with no feed: how to read its list of news.
    /// Shared, not copied, by the many clones of a source a cycle makes.
    pub scrape: Option<Arc<ScrapeRules>>,
    /// Fetch each new item's page for its full text, found this way.
    pub article: Option<Arc<ArticleRule>>,
}

impl Config {
    /// Reads and validates a feeds.toml.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            problems: vec![Problem {
                line: 0,
                column: 0,
                message: format!("cannot read the file: {e}"),
            }],
        })?;
        Config::parse(&text, path)
    }

    /// Validates feeds.toml text; `path` names it in errors and anchors its
    /// relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        validate::validate(text, path)
    }

    pub fn topic(&self, slug: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.slug == slug)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// Everything wrong with one feeds.toml, in file order.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ConfigError {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
}

/// One mistake, at a 1-based line and column (0 when it has no place, such
/// as an unreadable file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, p) in self.problems.iter().enumerate() {
            if n > 0 {
                writeln!(f)?;
            }
            if p.line == 0 {
                write!(f, "{}: {}", self.path.display(), p.message)?;
            } else {
                write!(
                    f,
                    "{}:{}:{}: {}",
                    self.path.display(),
                    p.line,
                    p.column,
                    p.message
                )?;
            }
        }
        Ok(())
    }
}
