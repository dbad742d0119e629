//! Getting the store back after a write failure (a full disk): while the
//! store cannot write, it is reopened ([`Store::reopen`]) now and then
//! until it can, and the feeds are rendered again from what it holds.
//!
//! Polls and serving never wait for this: a poll whose writes fail is
//! that source's failure and retries on its schedule, and the feeds
//! rendered before are served meanwhile. The attempts back off from
//! [`FIRST_PAUSE`] to [`MAX_PAUSE`]: a reopen reads the store's log,
//! which for a large store is seconds of disk work.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::pipeline::Pipeline;
#[cfg(doc)]
use crate::store::Store;

// `status::store_notice` names these two pauses to the operator.

/// How often the store's condition is looked at.
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// The pause between a failure seen and the first reopen, doubled at
/// each reopen that fails, up to [`MAX_PAUSE`].
pub const FIRST_PAUSE: Duration = Duration::from_secs(5);
pub const MAX_PAUSE: Duration = Duration::from_secs(30);

/// Watches the store until shutdown; reopens it while it cannot write.
pub async fn recover_store(pipeline: Arc<Pipeline>, shutdown: CancellationToken) {
    let mut pause = FIRST_PAUSE;
    loop {
        tokio::select! {
            () = tokio::time::sleep(LOOK_EVERY) => {}
            () = shutdown.cancelled() => return,
        }
        if pipeline.store.write_failure().is_none() {
            pause = FIRST_PAUSE;
            continue;
        }
        // Not at once: whatever filled the disk is seldom gone a second
        // later, and each attempt reads the store's log again.
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = shutdown.cancelled() => return,
        }
        let Some(failure) = pipeline.store.write_failure() else {
            continue;
        };
        let p = Arc::clone(&pipeline);
        // Under the merge lock: a merge must not read from the failed
        // engine, whose memory holds writes the disk never got, and write
        // what it made of them to the new one.
        let reopened = tokio::task::spawn_blocking(move || {
            let _merges = p.hold_merges();
            p.store.reopen()
        })
        .await;
        match reopened {
            Ok(Ok(())) => {
                tracing::info!(
                    failed_since = %failure.since,
                    "store: writable again; polls store their news from now on"
                );
                // Whatever the lost writes left marked or rendered, the
                // feeds are rendered again from what is on disk.
                let config = pipeline.config();
                pipeline
                    .publisher
                    .mark_changed(config.topics.iter().map(|t| t.slug.clone()));
            }
            Ok(Err(e)) => {
                pause = (pause * 2).min(MAX_PAUSE);
                tracing::warn!(error = %e, next_attempt = ?pause, "store: still cannot write");
            }
            Err(e) => tracing::error!(error = %e, "the store's reopen task failed"),
        }
    }
}
