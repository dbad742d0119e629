//! One poll of every source, all at once: `bantin poll`, tests and the
//! benchmarks. The daemon's scheduler polls each source on its own clock
//! instead; both queue sources in the same order.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::StreamExt;

use crate::config::{Config, Source};
use crate::pipeline::{Pipeline, PollReport};
use crate::store::Store;

/// Polls every source once, then renders the feeds that changed. Sources
/// are queued by host and each host polls `per_host` at a time: thousands
/// of sources cost thousands of queue entries, not thousands of requests
/// waiting at once.
pub async fn poll_all(pipeline: &Arc<Pipeline>) -> Vec<PollReport> {
    poll_all_reporting(pipeline, Arc::new(|_: &PollReport| {})).await
}

/// What is told each poll of a cycle as it ends, from any poll task.
pub type OnPolled = Arc<dyn Fn(&PollReport) + Send + Sync>;

/// [`poll_all`], telling `polled` of each source's poll as it ends (in
/// the order they end): `bantin poll` counts them on its progress bar.
pub async fn poll_all_reporting(pipeline: &Arc<Pipeline>, polled: OnPolled) -> Vec<PollReport> {
    // Queues hold config indices, not clones of the sources: ten
    // thousand clones are megabytes that live as long as the cycle.
    let config = pipeline.config();
    let mut hosts: HashMap<String, Vec<usize>> = HashMap::new();
    for (n, host) in slowest_first_indices(&config, &pipeline.store) {
        hosts.entry(host).or_default().push(n);
    }
    let per_host = config.poll.per_host;
    let mut tasks = tokio::task::JoinSet::new();
    for (_, queue) in hosts {
        let pipeline = Arc::clone(pipeline);
        let config = Arc::clone(&config);
        let polled = Arc::clone(&polled);
        tasks.spawn(async move {
            futures_util::stream::iter(queue)
                .map(|n| {
                    let pipeline = Arc::clone(&pipeline);
                    let config = Arc::clone(&config);
                    let polled = Arc::clone(&polled);
                    // Boxed: `buffer_unordered` keeps a placeholder
                    // task as large as its future per host, besides the
                    // polls waiting at the host's gate.
                    Box::pin(async move {
                        let source = config.sources.get(n)?;
                        let report = pipeline.poll_source(source).await;
                        polled(&report);
                        Some((n, report))
                    })
                })
                .buffer_unordered(per_host)
                .filter_map(std::future::ready)
                .collect::<Vec<_>>()
                .await
        });
    }
    let mut reports: Vec<(usize, PollReport)> = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(host_reports) => reports.extend(host_reports),
            Err(e) => tracing::error!(error = %e, "a poll task failed"),
        }
    }
    reports.sort_by_key(|(n, _)| *n);
    let p = Arc::clone(pipeline);
    match tokio::task::spawn_blocking(move || p.render_changed()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "cannot render feeds"),
        Err(e) => tracing::error!(error = %e, "the render task failed"),
    }
    reports.into_iter().map(|(_, r)| r).collect()
}

/// The sources with their config index and the host they are polled
/// at, those that were failing or slow last time first: polls queue
/// per host, and a source that will hang until the timeout should wait
/// it out while the others are polled, not after them.
pub fn slowest_first(config: &Config, store: &Store) -> Vec<(usize, Source, String)> {
    slowest_first_indices(config, store)
        .into_iter()
        .filter_map(|(n, host)| Some((n, config.sources.get(n)?.clone(), host)))
        .collect()
}

/// [`slowest_first`], without cloning the sources.
fn slowest_first_indices(config: &Config, store: &Store) -> Vec<(usize, String)> {
    let mut order: Vec<(bool, u64, usize, String)> = config
        .sources
        .iter()
        .enumerate()
        .map(|(n, source)| {
            let state = store
                .source_state(&source.id)
                .ok()
                .flatten()
                .unwrap_or_default();
            let host = state
                .polling_url(&source.url)
                .host_str()
                .unwrap_or_default()
                .to_string();
            (state.consecutive_failures > 0, state.duration_ms, n, host)
        })
        .collect();
    order.sort_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)).then(a.2.cmp(&b.2)));
    order.into_iter().map(|(_, _, n, h)| (n, h)).collect()
}
