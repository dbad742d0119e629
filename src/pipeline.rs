//! One poll of one source, through every stage: fetch → parse → normalize
//! → classify → merge/store → publish, and the source's state after it.
//!
//! This module only wires the stages together and records the outcome;
//! each stage's work lives in its own module. A failure at any stage
//! becomes that source's [`PollResult::Failed`]; stories already stored are
//! never touched by a failed poll.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::classify::classify;
use crate::config::{Config, Source};
use crate::enrich;
use crate::fetch::{FetchError, Fetcher};
use crate::merge::{self, Ingested};
use crate::metrics::Metrics;
use crate::normalize::{Item, normalize};
use crate::parse::date::DateOrder;
use crate::parse::{DateContext, ParseError, parse_body_with};
use crate::publish::Publisher;
use crate::reclassify;
use crate::retention::{self, Pruned};
use crate::schedule::{self, Hints};
use crate::status::{Moved, Moving, PollResult, SourceState, SourceStatus};
use crate::store::{Store, StoreError};

/// Why a poll failed, whatever the stage.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("ingest: the ingest task stopped: {0}")]
    Task(String),
}

impl PollError {
    pub fn kind(&self) -> String {
        match self {
            PollError::Fetch(e) => e.kind(),
            PollError::Parse(e) => e.kind().to_string(),
            PollError::Store(_) => "store".to_string(),
            PollError::Task(_) => "internal".to_string(),
        }
    }

    fn fetch_error(&self) -> Option<&FetchError> {
        match self {
            PollError::Fetch(f) => Some(f),
            _ => None,
        }
    }
}

/// What `poll` reports for one source.
#[derive(Debug, Clone)]
pub struct PollReport {
    pub source: String,
    pub result: PollResult,
    /// When the source should be polled again; `None` for never (410).
    pub next_poll: Option<DateTime<Utc>>,
}

/// Polls in a row that must see the same permanent redirect before bantin
/// polls the new address.
pub const MOVE_AFTER: u32 = 3;

/// The stages, assembled. Shared by the scheduler, `bantin poll`, tests
/// and benchmarks.
pub struct Pipeline {
    /// Swapped whole by [`Pipeline::reload`]; a poll keeps the one it
    /// started with. Std locks, held only to clone an `Arc`.
    config: RwLock<Arc<Config>>,
    fetcher: RwLock<Arc<Fetcher>>,
    /// What the operator should know about the configuration: a rejected
    /// reload, a change that needs a restart. Shown on the status page.
    notices: RwLock<Vec<String>>,
    pub store: Store,
    pub publisher: Publisher,
    pub metrics: Metrics,
    /// Serializes merges: two sources carrying one new story at the same
    /// moment must not both mint it. A std mutex, taken only inside
    /// `spawn_blocking`, never across an `.await`.
    merging: Mutex<()>,
    /// Bodies being parsed and merged at once: one per core.
    ingesting: tokio::sync::Semaphore,
}

impl Pipeline {
    /// Builds the pipeline and renders every topic's feed from the store,
    /// so a restarted daemon serves its stories before the first poll;
    /// stored stories are first classified again if the topic rules
    /// changed since the store last ran.
    pub fn new(config: Arc<Config>, store: Store) -> Result<Arc<Pipeline>, PipelineError> {
        let fetcher = Fetcher::new(&config.poll, &config.sources).map_err(PipelineError::Client)?;
        if store.outdated()? {
            let copies = merge::reindex(&store)?;
            tracing::info!(copies, "store written by an older bantin: indexes rebuilt");
        }
        if let Some(done) = reclassify::if_rules_changed(&config, &store)? {
            tracing::info!(
                checked = done.copies_checked,
                copies = done.copies_changed,
                stories = done.stories_changed,
                "topic rules changed: stored stories classified again"
            );
        }
        let publisher = Publisher::new();
        publisher.render_all(&config, &store)?;
        Ok(Arc::new(Pipeline {
            config: RwLock::new(config),
            fetcher: RwLock::new(Arc::new(fetcher)),
            notices: RwLock::new(Vec::new()),
            store,
            publisher,
            metrics: Metrics::new(),
            merging: Mutex::new(()),
            ingesting: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
        }))
    }

    /// The configuration in force.
    pub fn config(&self) -> Arc<Config> {
        Arc::clone(&self.config.read().unwrap_or_else(|p| p.into_inner()))
    }

    fn fetcher(&self) -> Arc<Fetcher> {
        Arc::clone(&self.fetcher.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// What the status page should tell the operator about the
    /// configuration.
    pub fn notices(&self) -> Vec<String> {
        self.notices.read().map(|n| n.clone()).unwrap_or_default()
    }

    pub fn set_notices(&self, notices: Vec<String>) {
        if let Ok(mut n) = self.notices.write() {
            *n = notices;
        }
    }

    /// Puts a new configuration in force: a new fetcher for the new
    /// sources, stored stories classified again if the topic rules
    /// changed, every topic's feed rendered (topics may have come or
    /// gone). Polls under way finish with the configuration they started
    /// with; the scheduler starts and stops sources (`Scheduler::sync`).
    /// On error the running configuration stays.
    pub fn reload(&self, config: Arc<Config>) -> Result<(), PipelineError> {
        let fetcher = Fetcher::new(&config.poll, &config.sources).map_err(PipelineError::Client)?;
        let _guard = self.merging.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(done) = reclassify::if_rules_changed(&config, &self.store)? {
            tracing::info!(
                checked = done.copies_checked,
                copies = done.copies_changed,
                stories = done.stories_changed,
                "topic rules changed: stored stories classified again"
            );
        }
        self.publisher.render_all(&config, &self.store)?;
        if let Ok(mut f) = self.fetcher.write() {
            *f = Arc::new(fetcher);
        }
        if let Ok(mut c) = self.config.write() {
            *c = config;
        }
        Ok(())
    }

    /// Polls one source and records the result in its state.
    pub async fn poll_source(self: &Arc<Self>, source: &Source) -> PollReport {
        let started = Instant::now();
        let mut state = match self.store.source_state(&source.id) {
            Ok(state) => state.unwrap_or_default(),
            Err(e) => {
                tracing::error!(source = %source.id, error = %e, "cannot read source state");
                SourceState::default()
            }
        };
        if state.is_gone(source) {
            return PollReport {
                source: source.id.clone(),
                result: PollResult::Failed {
                    kind: "gone".into(),
                    message: format!(
                        "{} answered 410 Gone; not polled (change the source's url to resume)",
                        state.polling_url(source)
                    ),
                },
                next_poll: None,
            };
        }
        let url = state.polling_url(source);
        let now = Utc::now();
        let outcome = self.poll_once(source, &url, &mut state, now).await;
        state.last_poll = Some(now);
        state.duration_ms = started.elapsed().as_millis() as u64;
        let config = self.config();
        let poll = &config.poll;
        let (result, next_poll) = match outcome {
            Ok((result, hints)) => {
                state.last_success = Some(now);
                state.consecutive_failures = 0;
                tracing::info!(source = %source.id, result = %result.summary(), "polled");
                let interval = schedule::interval_after_success(source, poll, &hints);
                (result, Some(schedule::next_poll(now, interval, &hints)))
            }
            Err(e) => {
                state.consecutive_failures += 1;
                let fetch_error = e.fetch_error();
                state.http_status = fetch_error
                    .and_then(FetchError::http_status)
                    .or(state.http_status);
                tracing::warn!(source = %source.id, kind = %e.kind(), error = %e, "poll failed");
                let next = match fetch_error {
                    Some(FetchError::Gone { .. }) => {
                        state.gone = Some(url.to_string());
                        None
                    }
                    _ => {
                        let retry_after = fetch_error.and_then(FetchError::retry_after);
                        let interval = schedule::interval_after_failure(
                            source,
                            poll,
                            state.consecutive_failures,
                            retry_after,
                        );
                        Some(schedule::next_poll(now, interval, &Hints::default()))
                    }
                };
                let failed = PollResult::Failed {
                    kind: e.kind(),
                    message: e.to_string(),
                };
                (failed, next)
            }
        };
        self.metrics
            .poll(&source.id, &result, started.elapsed().as_secs_f64());
        state.last_result = Some(result.clone());
        state.next_poll = next_poll;
        if let Err(e) = self.store.put_source_state(&source.id, &state) {
            tracing::error!(source = %source.id, error = %e, "cannot save source state");
        }
        PollReport {
            source: source.id.clone(),
            result,
            next_poll,
        }
    }

    async fn poll_once(
        self: &Arc<Self>,
        source: &Source,
        url: &Url,
        state: &mut SourceState,
        now: DateTime<Utc>,
    ) -> Result<(PollResult, Hints), PollError> {
        let fetcher = self.fetcher();
        let fetched = fetcher.fetch(source, url, &state.validators).await?;
        track_move(source, url, fetched.moved_to.as_ref(), state, now);
        state.http_status = Some(fetched.status);
        state.bytes = fetched.wire_bytes;
        self.metrics.fetched(&source.id, fetched.wire_bytes);
        let mut hints = Hints {
            fresh_for: fetched.fresh_for,
            ..Hints::default()
        };
        // A large body's permit is kept until the body is ingested.
        let _large = fetched.large;
        let Some(bytes) = fetched.body else {
            return Ok((PollResult::NotModified, hints));
        };
        let body = Body {
            bytes,
            content_type: fetched.content_type,
            date_order: state.date_order,
        };
        let ingest = if source.article.is_some() {
            let mut prepared = self
                .blocking(source, move |p, s| {
                    prepare(&p.config(), s, &body, now).map_err(PollError::from)
                })
                .await?;
            // Boxed: its article fetches would otherwise make every poll,
            // and every poll waiting at a host's gate, that much larger.
            Box::pin(enrich::articles(
                &fetcher,
                &self.store,
                &self.config(),
                source,
                &mut prepared.items,
            ))
            .await;
            self.blocking(source, move |p, s| p.merge_prepared(s, prepared, now))
                .await?
        } else {
            self.blocking(source, move |p, s| p.ingest_bytes(s, &body, now))
                .await?
        };
        // Validators are kept only once the body is safely stored: a poll
        // that failed to parse must be retried in full next time.
        state.validators = fetched.validators;
        state.broken_rules = ingest.broken_rules;
        // Kept, like the validators, only from a stored body: the next
        // document whose dates settle nothing is read in this order.
        state.date_order = ingest.date_order;
        hints.feed_interval = ingest.hints.feed_interval;
        hints.skip_hours = ingest.hints.skip_hours;
        hints.skip_days = ingest.hints.skip_days;
        let result = PollResult::Fetched {
            items: ingest.items,
            new_copies: ingest.ingested.new_copies,
            updated_copies: ingest.ingested.updated_copies,
            new_stories: ingest.ingested.new_stories,
            partial: ingest.partial,
        };
        Ok((result, hints))
    }

    /// Parses, normalizes, classifies and merges one fetched body, and
    /// marks the feeds it changed for rendering. Blocking: run it off the
    /// runtime.
    pub fn ingest_bytes(
        &self,
        source: &Source,
        body: &Body,
        seen: DateTime<Utc>,
    ) -> Result<Ingest, PollError> {
        let prepared = prepare(&self.config(), source, body, seen)?;
        self.merge_prepared(source, prepared, seen)
    }

    /// Merges prepared items and marks the feeds they changed. Blocking.
    pub fn merge_prepared(
        &self,
        source: &Source,
        prepared: Prepared,
        seen: DateTime<Utc>,
    ) -> Result<Ingest, PollError> {
        let items = prepared.items.len();
        // A poisoned lock only means another ingest panicked; the store
        // itself is consistent, so carry on.
        let _guard = self.merging.lock().unwrap_or_else(|p| p.into_inner());
        let oldest = retention::cutoff(self.config().store.keep_days, seen);
        let ingested = merge::ingest_since(&self.store, source, prepared.items, seen, oldest)?;
        self.metrics.ingested(&ingested);
        self.publisher
            .mark_changed(ingested.touched_topics.iter().cloned());
        Ok(Ingest {
            items,
            ingested,
            hints: prepared.hints,
            partial: prepared.partial,
            broken_rules: prepared.broken_rules,
            date_order: prepared.date_order,
        })
    }

    /// Removes the stories older than `keep_days` at `now`
    /// ([`retention`]) and marks the feeds that lose some. Merges wait
    /// for one batch at a time, not for the whole prune; `stop` ends it
    /// between batches (the next prune goes on from there). Blocking.
    pub fn prune(
        &self,
        now: DateTime<Utc>,
        stop: &CancellationToken,
    ) -> Result<Pruned, StoreError> {
        let Some(cutoff) = retention::cutoff(self.config().store.keep_days, now) else {
            return Ok(Pruned::default());
        };
        let mut done = Pruned::default();
        loop {
            let batch = {
                let _guard = self.merging.lock().unwrap_or_else(|p| p.into_inner());
                retention::prune_batch(&self.store, cutoff, retention::BATCH)?
            };
            self.publisher
                .mark_changed(batch.touched_topics.iter().cloned());
            let more = batch.more;
            done.add(batch);
            if !more {
                break;
            }
            if stop.is_cancelled() {
                return Ok(done);
            }
        }
        let _guard = self.merging.lock().unwrap_or_else(|p| p.into_inner());
        done.week_keys += retention::drop_old_weeks(&self.store, cutoff)?;
        Ok(done)
    }

    /// The sources with their config index and the host they are polled
    /// at, those that were failing or slow last time first: polls queue
    /// per host, and a source that will hang until the timeout should wait
    /// it out while the others are polled, not after them.
    pub fn slowest_first(&self) -> Vec<(usize, Source, String)> {
        let config = self.config();
        slowest_first(&config, &self.store)
            .into_iter()
            .filter_map(|(n, host)| Some((n, config.sources.get(n)?.clone(), host)))
            .collect()
    }

    /// Runs CPU work for `source` off the async threads, one body per
    /// core at a time: more parsing at once only adds threads and memory.
    async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        source: &Source,
        work: impl FnOnce(&Pipeline, &Source) -> Result<T, PollError> + Send + 'static,
    ) -> Result<T, PollError> {
        // The semaphore is never closed; `ok()` keeps this panic-free.
        let _cpu = self.ingesting.acquire().await.ok();
        let pipeline = Arc::clone(self);
        let source = source.clone();
        tokio::task::spawn_blocking(move || work(&pipeline, &source))
            .await
            .map_err(|e| PollError::Task(e.to_string()))?
    }

    /// Every configured source's status, in config order.
    pub fn statuses(&self) -> Vec<SourceStatus> {
        statuses(&self.config(), &self.store)
    }

    /// Polls every source once. Sources are queued by host and each host
    /// polls `per_host` at a time: thousands of sources cost thousands of
    /// queue entries, not thousands of requests waiting at once.
    pub async fn poll_all(self: &Arc<Self>) -> Vec<PollReport> {
        // Queues hold config indices, not clones of the sources: ten
        // thousand clones are megabytes that live as long as the cycle.
        let config = self.config();
        let mut hosts: HashMap<String, Vec<usize>> = HashMap::new();
        for (n, host) in slowest_first(&config, &self.store) {
            hosts.entry(host).or_default().push(n);
        }
        let per_host = config.poll.per_host;
        let mut tasks = tokio::task::JoinSet::new();
        for (_, queue) in hosts {
            let pipeline = Arc::clone(self);
            let config = Arc::clone(&config);
            tasks.spawn(async move {
                futures_util::stream::iter(queue)
                    .map(|n| {
                        let pipeline = Arc::clone(&pipeline);
                        let config = Arc::clone(&config);
                        // Boxed: `buffer_unordered` keeps a placeholder
                        // task as large as its future per host, besides the
                        // polls waiting at the host's gate.
                        Box::pin(async move {
                            let source = config.sources.get(n)?;
                            Some((n, pipeline.poll_source(source).await))
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
        let pipeline = Arc::clone(self);
        match tokio::task::spawn_blocking(move || pipeline.render_changed()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "cannot render feeds"),
            Err(e) => tracing::error!(error = %e, "the render task failed"),
        }
        reports.into_iter().map(|(_, r)| r).collect()
    }

    /// Renders the feeds that changed since the last render. Blocking.
    pub fn render_changed(&self) -> Result<(), StoreError> {
        self.publisher.render_changed(&self.config(), &self.store)
    }
}

/// A fetched document and what its server said it is.
#[derive(Debug, Clone)]
pub struct Body {
    pub bytes: Bytes,
    /// The Content-Type header, which may name the charset.
    pub content_type: Option<String>,
    /// The day/month order the source's earlier documents settled: how
    /// this one's numeric dates are read when they settle nothing.
    pub date_order: DateOrder,
}

impl Body {
    pub fn new(bytes: impl Into<Bytes>) -> Body {
        Body {
            bytes: bytes.into(),
            content_type: None,
            date_order: DateOrder::default(),
        }
    }
}

/// What one body gave: its items, what they changed, what the feed says
/// about polling it.
#[derive(Debug)]
pub struct Ingest {
    pub items: usize,
    pub ingested: Ingested,
    pub hints: Hints,
    /// Set when the body was damaged and only its complete items were read.
    pub partial: Option<String>,
    /// Set when a scraped page's rules mostly failed.
    pub broken_rules: Option<String>,
    /// The day/month order the body's dates were read in.
    pub date_order: DateOrder,
}

/// A body's items, normalized and classified, not yet merged.
pub struct Prepared {
    pub items: Vec<(Item, Vec<String>)>,
    pub hints: Hints,
    pub partial: Option<String>,
    pub broken_rules: Option<String>,
    pub date_order: DateOrder,
}

/// The stages that need nothing but the body: parse, normalize, classify.
/// `seen` stands in for a missing date.
pub fn prepare(
    config: &Config,
    source: &Source,
    body: &Body,
    seen: DateTime<Utc>,
) -> Result<Prepared, ParseError> {
    let dates = DateContext {
        prior: body.date_order,
        fetched: seen,
    };
    let feed = parse_body_with(
        &body.bytes,
        body.content_type.as_deref(),
        source.url.as_str(),
        source.scrape.as_deref(),
        dates,
    )?;
    let items = feed
        .items
        .iter()
        .map(|raw| {
            let item = normalize(raw, source.url.as_str(), seen);
            let topics = classify(&item, source, &config.topics);
            (item, topics)
        })
        .collect();
    Ok(Prepared {
        items,
        hints: feed.hints,
        partial: feed.partial,
        broken_rules: feed.broken_rules,
        date_order: feed.date_order,
    })
}

/// Counts a permanent redirect; adopts its target once the same one was
/// seen on [`MOVE_AFTER`] polls in a row. A portal that redirects by
/// mistake for a day costs nothing; one that really moved is followed.
fn track_move(
    source: &Source,
    url: &Url,
    moved_to: Option<&Url>,
    state: &mut SourceState,
    now: DateTime<Utc>,
) {
    let Some(to) = moved_to else {
        state.moving = None;
        return;
    };
    let seen = match &state.moving {
        Some(m) if m.to == to.as_str() => m.seen + 1,
        _ => 1,
    };
    if seen >= MOVE_AFTER {
        tracing::warn!(source = %source.id, from = %url, %to, "feed moved permanently; polling the new address");
        state.moved = Some(Moved {
            from: source.url.to_string(),
            to: to.to_string(),
            at: now,
        });
        state.moving = None;
    } else {
        state.moving = Some(Moving {
            to: to.to_string(),
            seen,
        });
    }
}

/// The indices of `config`'s sources, failing and slow ones first (see
/// [`Pipeline::slowest_first`]), with the host each is polled at.
fn slowest_first(config: &Config, store: &Store) -> Vec<(usize, String)> {
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
                .polling_url(source)
                .host_str()
                .unwrap_or_default()
                .to_string();
            (state.consecutive_failures > 0, state.duration_ms, n, host)
        })
        .collect();
    order.sort_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)).then(a.2.cmp(&b.2)));
    order.into_iter().map(|(_, _, n, h)| (n, h)).collect()
}

/// Every configured source's status as the store has it, in config order.
pub fn statuses(config: &Config, store: &Store) -> Vec<SourceStatus> {
    config
        .sources
        .iter()
        .map(|source| {
            let state = store
                .source_state(&source.id)
                .ok()
                .flatten()
                .unwrap_or_default();
            SourceStatus::new(source, &state)
        })
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("fetch: cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}
