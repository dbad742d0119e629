//! Live reconfiguration: feeds.toml is read again on SIGHUP (`systemctl
//! reload bantin`) or when the file changes on disk, and put in force
//! without a restart.
//!
//! Added sources start polling, removed ones stop (their stories stay
//! until retention removes them), changed topic rules re-classify the
//! stored stories. A file that does not validate is rejected: the errors,
//! with line and column, go to the log and the status page, and the
//! running configuration stays, and so does one that would remove every
//! source (an empty or truncated file) unless it sets `[poll]
//! allow_no_sources = true`. `listen`, `[store] path` and `[store]
//! cache` cannot change under a running daemon; a change to them is
//! reported as needing a restart.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::pipeline::classify::reclassify;
use crate::pipeline::fetch::Fetcher;
use crate::pipeline::{Pipeline, PipelineError};
use crate::scheduler::Scheduler;
use crate::status::Notices;

/// How often the file's modification time and size are looked at. A
/// stat every two seconds costs nothing, and works with every editor and
/// deployment tool (rename over, truncate and write, bind mounts), where
/// inotify watches miss renames of the parent's entry.
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// Reloads on SIGHUP and on a change of the file, until `shutdown`.
/// `hangup` comes from [`hangup_signal`], called first thing at start: a
/// SIGHUP with no handler installed ends the process.
pub async fn watch(
    pipeline: Arc<Pipeline>,
    scheduler: Arc<Scheduler>,
    notices: Arc<Notices>,
    mut hangup: Hangup,
    shutdown: CancellationToken,
) {
    let path = pipeline.config().path.clone();
    let mut stamp = file_stamp(&path);
    // What the file said at start: `--store` may override `[store] path`,
    // so a restart is only needed when the file's own value differs from
    // it. Never updated by a reload: a path switched away and back again
    // is the one in force, and needs no restart.
    let started = Arc::new(Config::load(&path).ok());
    let mut tick = tokio::time::interval(WATCH_EVERY);
    loop {
        let reason = tokio::select! {
            () = next_hangup(&mut hangup) => "SIGHUP",
            _ = tick.tick() => {
                let now = file_stamp(&path);
                if now == stamp {
                    continue;
                }
                stamp = now;
                "the file changed"
            }
            () = shutdown.cancelled() => return,
        };
        let p = Arc::clone(&pipeline);
        let n = Arc::clone(&notices);
        let at_start = Arc::clone(&started);
        let outcome =
            tokio::task::spawn_blocking(move || reload(&p, &n, Option::as_ref(&at_start))).await;
        match outcome {
            Ok(true) => {
                let changes = scheduler.sync();
                tracing::info!(
                    %reason,
                    started = ?changes.started,
                    stopped = ?changes.stopped,
                    restarted = ?changes.restarted,
                    "configuration reloaded"
                );
            }
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "the reload task failed"),
        }
    }
}

/// Reads the file and puts it in force; returns false when it was
/// rejected (the reason is logged and shown). `at_start` is the file as
/// it was when the daemon started, whose store settings are in force.
fn reload(pipeline: &Pipeline, shown: &Notices, at_start: Option<&Config>) -> bool {
    let running = pipeline.config();
    let loaded = match Config::load(&running.path) {
        Ok(config) => config,
        Err(e) => {
            tracing::error!("configuration not reloaded, the running one stays:\n{e}");
            shown.set(vec![format!(
                "{e}\nThis file was not loaded; the configuration from before stays in force."
            )]);
            return false;
        }
    };
    if loaded.sources.is_empty() && !running.sources.is_empty() && !loaded.poll.allow_no_sources {
        let refused = format!(
            "{}: no [[source]] left: reloading it would stop all polling. Restore the sources, \
             or set `[poll] allow_no_sources = true` to stop polling on purpose. This file was \
             not loaded; the configuration from before stays in force.",
            running.path.display()
        );
        tracing::error!("{refused}");
        shown.set(vec![refused]);
        return false;
    }
    let mut notices = Vec::new();
    let mut config = loaded;
    if config.server.listen != running.server.listen {
        notices.push(format!(
            "`listen` changed from {} to {}: restart bantin to apply it.",
            running.server.listen, config.server.listen
        ));
        config.server.listen = running.server.listen;
    }
    if at_start.is_some_and(|p| p.store.path != config.store.path) {
        notices.push(format!(
            "`[store] path` changed to {}: restart bantin to apply it.",
            config.store.path.display()
        ));
    }
    if at_start.is_some_and(|p| p.store.cache != config.store.cache) {
        notices.push("`[store] cache` changed: restart bantin to apply it.".to_string());
    }
    config.store.path = running.store.path.clone();
    config.store.cache = running.store.cache;
    if let Err(e) = put_in_force(pipeline, Arc::new(config)) {
        tracing::error!(error = %e, "configuration not reloaded, the running one stays");
        notices.push(format!(
            "Reloading failed ({e}); the configuration from before stays in force."
        ));
        shown.set(notices);
        return false;
    }
    for notice in &notices {
        tracing::warn!("{notice}");
    }
    shown.set(notices);
    true
}

/// Puts a new configuration in force: stored stories classified again if
/// the topic rules changed, every topic's feed rendered (topics may have
/// come or gone), then the configuration and a fetcher for its sources
/// swapped in. Polls under way finish with the configuration they started
/// with; the scheduler starts and stops sources (`Scheduler::sync`). On
/// error the running configuration stays.
fn put_in_force(pipeline: &Pipeline, config: Arc<Config>) -> Result<(), PipelineError> {
    // Built first: a client that cannot be built must leave the stored
    // stories classified as the running configuration has them.
    let fetcher = Fetcher::new(&config.poll, &config.sources)?;
    let _merges = pipeline.hold_merges();
    reclassify::if_rules_changed(&config, &pipeline.store)?;
    pipeline.publisher.render_all(&config, &pipeline.store)?;
    pipeline.swap_config(config, fetcher);
    Ok(())
}

/// The file's modification time and size: a change of either is a change.
fn file_stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// SIGHUP, as a stream of signals (`None` when it cannot be listened to).
#[cfg(unix)]
pub type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
pub type Hangup = ();

/// Installs the SIGHUP handler. Call from within the runtime.
#[cfg(unix)]
pub fn hangup_signal() -> Hangup {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::hangup()) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGHUP; reload by editing the file");
            None
        }
    }
}

#[cfg(not(unix))]
pub fn hangup_signal() -> Hangup {}

#[cfg(unix)]
async fn next_hangup(signal: &mut Hangup) {
    match signal {
        Some(s) => {
            if s.recv().await.is_none() {
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn next_hangup(_: &mut Hangup) {
    std::future::pending().await
}
