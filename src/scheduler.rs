//! When each source is polled.
//!
//! One task per source: wait until it is due, poll, wait again. A
//! source's next poll is kept in its state, so a restart resumes the
//! schedule instead of polling everything at once. Owns timing only: the
//! poll is [`Pipeline::poll_source`], and the limits on requests in flight
//! (all hosts, and per host) are the fetcher's, applied request by request.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Source;
use crate::pipeline::Pipeline;

/// Starts polling every configured source until `shutdown` is cancelled.
/// The tasks are spawned on `tracker`, so the caller can wait for them.
pub fn start(pipeline: &Arc<Pipeline>, tracker: &TaskTracker, shutdown: &CancellationToken) {
    let now = Utc::now();
    for (n, (_, source, _)) in pipeline.slowest_first().into_iter().enumerate() {
        let not_before = now + STARTUP_STEP * n as u32;
        tracker.spawn(poll_forever(
            Arc::clone(pipeline),
            source.clone(),
            not_before,
            shutdown.clone(),
        ));
    }
}

/// Sources due at start (new ones, or all of them after a long stop) are
/// started this far apart: 200 a second, so ten thousand sources ramp up
/// over 50 s instead of all queueing at once.
const STARTUP_STEP: std::time::Duration = std::time::Duration::from_millis(5);

async fn poll_forever(
    pipeline: Arc<Pipeline>,
    source: Source,
    not_before: DateTime<Utc>,
    shutdown: CancellationToken,
) {
    let mut due = match pipeline.store.source_state(&source.id) {
        Ok(Some(state)) if state.is_gone(&source) => return,
        Ok(Some(state)) => state.next_poll.map(|t| t.max(not_before)),
        _ => None,
    }
    .or(Some(not_before));
    loop {
        if let Some(due) = due {
            let wait = (due - Utc::now()).to_std().unwrap_or_default();
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = shutdown.cancelled() => return,
            }
        }
        // Boxed: a task spends its life asleep, and should not carry the
        // whole poll's state while it does.
        let report = tokio::select! {
            report = Box::pin(pipeline.poll_source(&source)) => report,
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
