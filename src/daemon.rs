//! The running daemon: store, pipeline, scheduler, retention and HTTP
//! server, started together and stopped together.
//!
//! `bantin serve` is this plus signal handling; tests call it directly
//! with a listener on port 0 and their own shutdown token.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::ops::{notify, reload, retention};
use crate::pipeline::{Pipeline, PipelineError};
use crate::scheduler::Scheduler;
use crate::serve;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error("serve: {0}")]
    Serve(#[source] std::io::Error),
}

/// Runs until `shutdown` is cancelled: polls are stopped, requests in
/// flight finish, the store is flushed.
pub async fn run(
    config: Arc<Config>,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), DaemonError> {
    let store = Store::open_with_cache(&config.store.path, config.store.cache)?;
    let pipeline = Pipeline::new(Arc::clone(&config), store.clone())?;
    let polls = TaskTracker::new();
    let scheduler = Scheduler::start(&pipeline, &polls, &shutdown);
    polls.spawn(reload::watch(
        Arc::clone(&pipeline),
        scheduler,
        reload::hangup_signal(),
        shutdown.clone(),
    ));
    polls.spawn(publish_changes(Arc::clone(&pipeline), shutdown.clone()));
    polls.spawn(prune_on_schedule(Arc::clone(&pipeline), shutdown.clone()));
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tracing::info!(%addr, sources = config.sources.len(), topics = config.topics.len(), "serving");
    polls.spawn(notify::ready_and_watch(
        Arc::clone(&pipeline),
        addr,
        shutdown.clone(),
    ));
    polls.close();
    let served = serve::run(listener, pipeline, shutdown.clone()).await;
    // The server returns once shutdown is asked; cancelling again is a no-op
    // then, and makes sure the polls stop should it ever return early.
    shutdown.cancel();
    polls.wait().await;
    // What the last polls stored is served by the next start, rendered
    // from the store; nothing is lost by not rendering it now.
    store.flush()?;
    served.map_err(DaemonError::Serve)
}

/// After a change, feeds are rendered at most once per this delay: the
/// changes of many sources polled together make one render.
const PUBLISH_DELAY: Duration = Duration::from_millis(500);

/// Renders the feeds that changed, whenever some did, until shutdown.
async fn publish_changes(pipeline: Arc<Pipeline>, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            () = pipeline.publisher.wake.notified() => {}
            () = shutdown.cancelled() => return,
        }
        tokio::time::sleep(PUBLISH_DELAY).await;
        let p = Arc::clone(&pipeline);
        match tokio::task::spawn_blocking(move || p.render_changed()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "cannot render feeds"),
            Err(e) => tracing::error!(error = %e, "the render task failed"),
        }
    }
}

/// Prunes stories past `keep_days` at start, then every
/// [`retention::EVERY`], until shutdown.
async fn prune_on_schedule(pipeline: Arc<Pipeline>, shutdown: CancellationToken) {
    let mut every = tokio::time::interval(retention::EVERY);
    // A daemon suspended for a night prunes once on waking, not once per
    // hour it missed.
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            () = shutdown.cancelled() => return,
        }
        let p = Arc::clone(&pipeline);
        let stop = shutdown.clone();
        match tokio::task::spawn_blocking(move || p.prune(Utc::now(), &stop)).await {
            Ok(Ok(pruned)) if pruned.stories > 0 || pruned.dangling > 0 || pruned.week_keys > 0 => {
                tracing::info!(
                    stories = pruned.stories,
                    copies = pruned.copies,
                    dangling = pruned.dangling,
                    week_keys = pruned.week_keys,
                    keep_days = pipeline.config().store.keep_days,
                    "pruned stories past retention"
                );
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "cannot prune the store"),
            Err(e) => tracing::error!(error = %e, "the prune task failed"),
        }
    }
}
