//! The running daemon: store, pipeline, scheduler and HTTP server, started
//! together and stopped together.
//!
//! `bantin serve` is this plus signal handling; tests call it directly
//! with a listener on port 0 and their own shutdown token.

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::pipeline::{Pipeline, PipelineError};
use crate::store::{Store, StoreError};
use crate::{scheduler, serve};

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
    let store = Store::open(&config.store.path)?;
    let pipeline = Pipeline::new(Arc::clone(&config), store.clone())?;
    let polls = TaskTracker::new();
    scheduler::start(&pipeline, &polls, &shutdown);
    polls.close();
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, sources = config.sources.len(), topics = config.topics.len(), "serving");
    }
    let served = serve::run(listener, pipeline, shutdown.clone()).await;
    // The server returns early only on an I/O error: stop the polls too.
    shutdown.cancel();
    polls.wait().await;
    store.flush()?;
    served.map_err(DaemonError::Serve)
}
