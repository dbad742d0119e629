//! Beside the pipeline: what keeps the daemon and its store in order
//! while polls run. None of it is a stage; each takes the pipeline or the
//! store from above.
//!
//! - [`reload`]: feeds.toml put in force again on SIGHUP or a change on disk.
//! - [`retention`]: stories older than `keep_days` pruned with their index entries.
//! - [`backup`]: `bantin export` and `import`: stories and copies as JSON lines.
//! - [`notify`]: systemd readiness, status line and watchdog.
//! - [`memory`]: the allocator's settings, fixed at start.
//! - [`recovery`]: the store reopened after a write failure, until it writes.
//! - [`websub`]: the WebSub hub told of each feed that changed.

pub mod backup;
pub mod memory;
pub mod notify;
pub mod recovery;
pub mod reload;
pub mod retention;
pub mod websub;
