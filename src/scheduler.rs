//! When each source is polled.
//!
//! One task per source: wait until it is due, take one of the
//! `poll.concurrency` permits, poll, wait `every`. A source's next poll is
//! kept in its state, so a restart resumes the schedule instead of polling
//! everything at once. Owns timing only; the poll itself is
//! [`Pipeline::poll_source`].

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Source;
use crate::pipeline::Pipeline;

/// Starts polling every configured source until `shutdown` is cancelled.
/// The tasks are spawned on `tracker`, so the caller can wait for them.
pub fn start(pipeline: &Arc<Pipeline>, tracker: &TaskTracker, shutdown: &CancellationToken) {
    let permits = Arc::new(Semaphore::new(pipeline.config.poll.concurrency));
    for source in &pipeline.config.sources {
        tracker.spawn(poll_forever(
            Arc::clone(pipeline),
            source.clone(),
            Arc::clone(&permits),
            shutdown.clone(),
        ));
    }
}

async fn poll_forever(
    pipeline: Arc<Pipeline>,
    source: Source,
    permits: Arc<Semaphore>,
    shutdown: CancellationToken,
) {
    let mut due = match pipeline.store.source_state(&source.id) {
        Ok(Some(state)) if state.is_gone(&source) => return,
        Ok(Some(state)) => state.next_poll,
        _ => None,
    };
    loop {
        if let Some(due) = due {
            let wait = (due - Utc::now()).to_std().unwrap_or_default();
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = shutdown.cancelled() => return,
            }
        }
        let report = tokio::select! {
            permit = permits.acquire() => {
                let Ok(_permit) = permit else { return };
                tokio::select! {
                    report = pipeline.poll_source(&source) => report,
                    () = shutdown.cancelled() => return,
                }
            }
            () = shutdown.cancelled() => return,
        };
        match report.next_poll {
            Some(next) => due = Some(next),
            None => {
                tracing::warn!(source = %source.id, "not polled again: {}", report.result.summary());
                return;
            }
        }
    }
}
