//! bantin reads the news of Vietnamese provincial portals, police, newspapers
//! and ministries, merges the copies of each story, and republishes one
//! feed per topic (Atom, RSS and JSON Feed).
//!
//! # Layout
//!
//! Data flows one way; each stage is one module, and the types passed
//! between them are the architecture. The tree below is in that order,
//! and imports only point down it (`.ci/import-cycles` checks that no
//! two modules import each other, directly or around a circle):
//!
//! ```text
//! config ─► scheduler ─► fetch ─► parse ─► normalize ─► classify ─► (enrich) ─► merge ─► store ─► publish ─► serve
//!                        bytes    RawItem   Item         topics      Copy/Story        feed bytes
//! ```
//!
//! - [`text`]: Vietnamese-aware folding, tokens, keyword matching and the
//!   text fingerprint; shared by classify and merge. Imports nothing.
//! - [`config`]: feeds.toml, validated with line and column errors.
//! - [`model`]: the hand-off types: items, copies, stories, source state
//!   and poll history.
//! - [`store`]: redb and sled, behind a narrow trait; the only module that names them.
//! - [`metrics`]: counters and gauges for `/metrics`.
//! - [`status`]: what `/` and `bantin status` say of each source, quiet
//!   included.
//! - [`pipeline`]: one poll of one source, stage by stage:
//!   [`pipeline::fetch`], [`pipeline::parse`], [`pipeline::normalize`],
//!   [`pipeline::classify`], [`pipeline::enrich`], [`pipeline::merge`],
//!   [`pipeline::publish`].
//! - [`scheduler`]: when each source is polled; the whole-cycle poll.
//! - [`serve`]: the HTTP routes, and the caps on what a client may send.
//! - [`ops`]: beside the pipeline: reload, retention, backup, systemd
//!   notification, the allocator, the store's recovery after a full disk.
//! - [`tools`]: operator aids: discover, explain, eval.
//! - [`shutdown`]: one token and task tracker for the daemon, with a deadline.
//! - [`daemon`]: everything started and stopped together.
//!
//! The binary's commands live in `src/cli/`, above all of this.

pub mod text;

pub mod config;
pub mod model;

pub mod metrics;
pub mod status;
pub mod store;

pub mod pipeline;

pub mod scheduler;
pub mod serve;

pub mod ops;
pub mod tools;

pub mod daemon;
pub mod shutdown;
