//! When each source is polled.
//!
//! One task per source: wait until it is due, poll, wait again. A
//! source's next poll is kept in its state, so a restart resumes the
//! schedule instead of polling everything at once. Owns timing only: the
//! poll is [`Pipeline::poll_source`], and the limits on requests in flight
//! (all hosts, and per host) are the fetcher's, applied request by request.

pub mod cycle;
pub mod supervise;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Source;
use crate::model::PollResult;
use crate::pipeline::Pipeline;

pub use cycle::{OnPolled, poll_all, poll_all_reporting};

/// The polling tasks, one per configured source.
pub struct Scheduler {
    pipeline: Arc<Pipeline>,
    tracker: TaskTracker,
    shutdown: CancellationToken,
    /// Each running source's settings as it was started (its `Debug`
    /// text: any change restarts it) and the token that stops it.
    running: Mutex<HashMap<String, (String, CancellationToken)>>,
}

/// What [`Scheduler::sync`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    pub started: Vec<String>,
    pub stopped: Vec<String>,
    pub restarted: Vec<String>,
}

impl Scheduler {
    /// Starts polling every configured source until `shutdown` is
    /// cancelled. The tasks are spawned on `tracker`, so the caller can
    /// wait for them.
    pub fn start(
        pipeline: &Arc<Pipeline>,
        tracker: &TaskTracker,
        shutdown: &CancellationToken,
    ) -> Arc<Scheduler> {
        let scheduler = Arc::new(Scheduler {
            pipeline: Arc::clone(pipeline),
            tracker: tracker.clone(),
            shutdown: shutdown.clone(),
            running: Mutex::new(HashMap::new()),
        });
        scheduler.sync();
        scheduler
    }

    /// Makes the running tasks match the pipeline's configuration: new
    /// sources start, removed ones stop (their stories stay), changed ones
    /// start over with their new settings.
    pub fn sync(&self) -> Changes {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let mut changes = Changes::default();
        let wanted = cycle::slowest_first(&self.pipeline.config(), &self.pipeline.store);
        running.retain(|id, (_, stop)| {
            let kept = wanted.iter().any(|(_, s, _)| &s.id == id);
            if !kept {
                stop.cancel();
                changes.stopped.push(id.clone());
            }
            kept
        });
        let now = Utc::now();
        let mut queued = 0;
        for (_, source, _) in wanted {
            let settings = format!("{source:?}");
            match running.get(&source.id) {
                Some((started_with, _)) if *started_with == settings => continue,
                Some((_, stop)) => {
                    stop.cancel();
                    changes.restarted.push(source.id.clone());
                }
                None => changes.started.push(source.id.clone()),
            }
            let stop = self.shutdown.child_token();
            let not_before = now + STARTUP_STEP * queued;
            queued += 1;
            running.insert(source.id.clone(), (settings, stop.clone()));
            let pipeline = Arc::clone(&self.pipeline);
            let reporting = Arc::clone(&self.pipeline);
            let id = source.id.clone();
            let mut first = Some(not_before);
            let task_stop = stop.clone();
            self.tracker.spawn(supervise::supervise(
                format!("poll {id}"),
                stop,
                move || {
                    // A restart is due at once: the panic is the news.
                    let not_before = first.take().unwrap_or_else(Utc::now);
                    poll_forever(
                        Arc::clone(&pipeline),
                        source.clone(),
                        not_before,
                        task_stop.clone(),
                    )
                },
                move |message| report_panic(&reporting, &id, message),
            ));
        }
        changes.started.sort();
        changes.stopped.sort();
        changes.restarted.sort();
        changes
    }
}

/// Sources due at start (new ones, or all of them after a long stop) are
/// started this far apart: 200 a second, so ten thousand sources ramp up
/// over 50 s instead of all queueing at once.
const STARTUP_STEP: std::time::Duration = std::time::Duration::from_millis(5);

/// A source's poll task panicked: counted, and shown as its last result
/// on `/`, `/status.json` and `bantin status` until its next poll.
fn report_panic(pipeline: &Pipeline, source: &str, message: &str) {
    pipeline.metrics.task_panic(source);
    let mut state = match pipeline.store.source_state(source) {
        Ok(state) => state.unwrap_or_default(),
        Err(e) => {
            tracing::error!(%source, error = %e, "cannot read source state");
            return;
        }
    };
    state.consecutive_failures += 1;
    let failed = PollResult::Failed {
        kind: "panic".into(),
        message: format!("the poll task panicked ({message}); restarted"),
    };
    state.last_result = Some(failed.clone());
    // In the source's history too: its last error, and a failed poll.
    let record = crate::pipeline::record::record(
        &state,
        &failed,
        crate::pipeline::record::Seen {
            at: Utc::now(),
            duration_ms: 0,
            http_status: None,
            bytes: 0,
        },
    );
    if let Err(e) = pipeline.store.record_poll(source, &state, &record) {
        tracing::error!(%source, error = %e, "cannot save source state");
    }
}

async fn poll_forever(
    pipeline: Arc<Pipeline>,
    source: Source,
    not_before: DateTime<Utc>,
    shutdown: CancellationToken,
) {
    let mut due = match pipeline.store.source_state(&source.id) {
        Ok(Some(state)) if state.is_gone(&source.url) => return,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_is_the_sources_last_error_in_its_history() {
        let config = crate::config::Config::parse("", std::path::Path::new("feeds.toml"))
            .expect("an empty configuration");
        let store = crate::store::Store::temporary().expect("a temporary store");
        let pipeline = Pipeline::new(Arc::new(config), store).expect("a pipeline");
        report_panic(&pipeline, "moh", "boom");
        let summary = pipeline.store.history_summary("moh").unwrap().unwrap();
        let (_, words) = summary.last_error.unwrap();
        assert_eq!(words, "the poll task panicked (boom); restarted");
        let records = pipeline.store.poll_records("moh").unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].error_kind.as_deref(), Some("panic"));
    }
}
