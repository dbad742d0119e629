//! The running daemon: store, pipeline, scheduler, retention and HTTP
//! server, started together and stopped together.
//!
//! `bantin serve` is this plus signal handling ([`crate::shutdown`]);
//! tests call it directly with a listener on port 0 and their own token.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::ops::{notify, recovery, reload, retention, websub};
use crate::pipeline::{Pipeline, PipelineError};
use crate::scheduler::Scheduler;
use crate::serve::{self, Served};
use crate::shutdown::Shutdown;
use crate::status::Notices;
use crate::store::{CLOSE_WITHIN, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error("serve: {0}")]
    Serve(#[source] std::io::Error),
}

/// Runs until the stop `shutdown` begins, then lets the polls, writes
/// and requests in flight finish for at most `[server] shutdown_timeout`
/// (or until the stop is forced), and flushes the store.
pub async fn run(
    config: Arc<Config>,
    listener: TcpListener,
    shutdown: impl Into<Shutdown>,
) -> Result<(), DaemonError> {
    let shutdown: Shutdown = shutdown.into();
    // Before the store opens, which takes a while for a large one: a
    // SIGHUP with no handler installed would end the process.
    let hangup = reload::hangup_signal();
    tokio::spawn(shutdown.clone().deadline(config.server.shutdown_timeout));
    let stop = shutdown.drain().clone();
    let store = Store::open_configured(&config.store)?;
    if store.engine() == Some(crate::store::Engine::Sled) {
        tracing::warn!(
            path = %config.store.path.display(),
            "store: this store is sled's, whose memory grows with the store; `bantin migrate`, with the daemon stopped, moves it to redb"
        );
    }
    let pipeline = Pipeline::new(Arc::clone(&config), store.clone())?;
    let notices = Arc::new(Notices::default());
    let polls = TaskTracker::new();
    let scheduler = Scheduler::start(&pipeline, &polls, &stop);
    polls.spawn(reload::watch(
        Arc::clone(&pipeline),
        scheduler,
        Arc::clone(&notices),
        hangup,
        stop.clone(),
    ));
    polls.spawn(publish_changes(Arc::clone(&pipeline), stop.clone()));
    polls.spawn(websub::run(Arc::clone(&pipeline), stop.clone()));
    polls.spawn(build_search_index(Arc::clone(&pipeline)));
    polls.spawn(prune_on_schedule(Arc::clone(&pipeline), stop.clone()));
    polls.spawn(recovery::recover_store(Arc::clone(&pipeline), stop.clone()));
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tracing::info!(%addr, sources = config.sources.len(), topics = config.topics.len(), "serving");
    polls.spawn(notify::ready_and_watch(
        Arc::clone(&pipeline),
        addr,
        stop.clone(),
    ));
    polls.close();
    let served = serve::run(listener, Served::of(&pipeline, notices), shutdown.clone()).await;
    // The server returns once the stop began; beginning it again is a
    // no-op then, and makes sure the polls stop should it return early.
    stop.cancel();
    tokio::select! {
        () = polls.wait() => {}
        () = shutdown.until_forced() => {
            tracing::warn!("polls still running are left behind; what they stored stays");
        }
    }
    // What the last polls stored is served by the next start, rendered
    // from the store; nothing is lost by not rendering it now. Bounded:
    // on a failed disk sled's flush and drop can take forever, and polls
    // left behind answer "closed" from now on.
    store.close(CLOSE_WITHIN)?;
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

/// Builds the search index from the store, off the start's path: a
/// large store takes a while, and feeds are served meanwhile (a search
/// answers 503 until it is done).
async fn build_search_index(pipeline: Arc<Pipeline>) {
    let p = Arc::clone(&pipeline);
    let started = std::time::Instant::now();
    match tokio::task::spawn_blocking(move || p.search.build(&p.store)).await {
        Ok(Ok(stories)) => {
            let memory = pipeline.search.memory();
            tracing::info!(
                stories,
                bytes = memory.bytes,
                ms = started.elapsed().as_millis() as u64,
                "search index built"
            );
        }
        Ok(Err(e)) => tracing::error!(error = %e, "cannot build the search index"),
        Err(e) => tracing::error!(error = %e, "the search index task failed"),
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
        match tokio::task::spawn_blocking(move || retention::prune_running(&p, Utc::now(), &stop))
            .await
        {
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
