//! bantin reads the news of Vietnamese provincial portals, police, newspapers
//! and ministries, merges the copies of each story, and republishes one
//! Atom feed per topic.
//!
//! # Layout
//!
//! Data flows one way; each stage is one module, and the types passed
//! between them are the architecture:
//!
//! ```text
//! config ─► scheduler ─► fetch ─► parse ─► normalize ─► classify ─► (enrich) ─► merge ─► store ─► publish ─► serve
//!                        bytes    RawItem   Item         topics      Copy/Story        Atom bytes
//! ```
//!
//! - [`config`]: feeds.toml, validated with line and column errors.
//! - [`scheduler`]: when each source is polled.
//! - [`fetch`]: HTTP and `file:` bodies, conditional GET, size cap, public
//!   addresses only unless a source allows private ones.
//! - [`parse`]: feed bytes to [`parse::RawItem`]s; Vietnamese dates.
//! - [`normalize`]: [`normalize::Item`]: clean text, canonical links, safe HTML.
//! - [`text`]: Vietnamese-aware folding shared by classify and merge.
//! - [`classify`]: topics by keyword rules.
//! - [`enrich`]: full article text for sources that give only a line.
//! - [`merge`]: copies joined into [`story::Story`]s.
//! - [`store`]: sled; the only module that names it.
//! - [`reclassify`]: stored copies classified again when the topic rules change.
//! - [`retention`]: stories older than `keep_days` pruned with their index entries.
//! - [`backup`]: `bantin export` and `import`: stories and copies as JSON lines.
//! - [`publish`]: Atom bytes per topic, rendered once per change.
//! - [`serve`]: axum routes, and the caps on what a client may send.
//! - [`pipeline`]: one poll of one source through all stages.
//! - [`reload`]: feeds.toml put in force again on SIGHUP or a change on disk.
//! - [`daemon`]: everything started and stopped together.
//! - [`metrics`]: counters and gauges for `/metrics`.
//! - [`notify`]: systemd readiness, status line and watchdog.
//! - [`discover`]: what a page is and which feed or scrape rules fit it.
//! - [`explain`]: why a stored story is in the topics it is in.
//! - [`eval`]: the merge's precision and recall on a labelled corpus.
//! - [`memory`]: the allocator's settings, fixed at start.

pub mod backup;
pub mod classify;
pub mod config;
pub mod daemon;
pub mod discover;
pub mod enrich;
pub mod eval;
pub mod explain;
pub mod fetch;
pub mod memory;
pub mod merge;
pub mod metrics;
pub mod normalize;
pub mod notify;
pub mod parse;
pub mod pipeline;
pub mod publish;
pub mod reclassify;
pub mod reload;
pub mod retention;
pub mod schedule;
pub mod scheduler;
pub mod serve;
pub mod status;
pub mod store;
pub mod story;
pub mod text;
