//! One poll of one source, through every stage: fetch → parse → normalize
//! → classify → merge/store → publish, and the source's state after it.
//!
//! This module only wires the stages together and records the outcome;
//! each stage's work lives in its own module. A failure at any stage
//! becomes that source's [`PollResult::Failed`]; stories already stored are
//! never touched by a failed poll.

pub mod classify;
pub mod enrich;
pub mod fetch;
pub mod merge;
pub mod next_poll;
pub mod normalize;
pub mod parse;
pub mod publish;

mod prepare;
pub mod record;

use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Instant;

use chrono::{DateTime, Utc};
use url::Url;

use crate::config::{Config, InForce, Source};
use crate::metrics::Metrics;
use crate::model::{Cuts, DateOrder, Hints, Ingested, PollResult, SourceState};
use crate::pipeline::fetch::{ClientError, FetchError, Fetcher};
use crate::pipeline::parse::ParseError;
use crate::pipeline::publish::Publisher;
use crate::store::search::SearchIndex;
use crate::store::{Store, StoreError};

pub use prepare::{Body, Prepared, prepare};

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
    #[error("parse: reading the body took longer than poll.timeout ({}); skipped it", humantime::format_duration(*limit))]
    TooSlow { limit: std::time::Duration },
}

impl PollError {
    pub fn kind(&self) -> String {
        match self {
            PollError::Fetch(e) => e.kind(),
            PollError::Parse(e) => e.kind().to_string(),
            PollError::Store(_) => "store".to_string(),
            PollError::Task(_) => "internal".to_string(),
            PollError::TooSlow { .. } => "timeout".to_string(),
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

/// The stages, assembled. Shared by the scheduler, `bantin poll`, tests
/// and benchmarks.
pub struct Pipeline {
    /// Swapped whole on reload; a poll keeps the one it started with.
    config: Arc<InForce>,
    /// Std lock, held only to clone or swap the `Arc`.
    fetcher: RwLock<Arc<Fetcher>>,
    pub store: Store,
    pub publisher: Arc<Publisher>,
    pub metrics: Arc<Metrics>,
    /// Kept up to date by each ingest; built from the store by the daemon
    /// ([`SearchIndex::build`]), off the start's path.
    pub search: Arc<SearchIndex>,
    /// Serializes merges: two sources carrying one new story at the same
    /// moment must not both mint it. A std mutex, taken only inside
    /// `spawn_blocking`, never across an `.await`.
    merging: Mutex<()>,
    /// Bodies being parsed and merged at once: one per core. A permit
    /// goes with its blocking task, so a parse given up on still holds
    /// its core until it ends.
    ingesting: Arc<tokio::sync::Semaphore>,
}

impl Pipeline {
    /// Builds the pipeline and renders every topic's feed from the store,
    /// so a restarted daemon serves its stories before the first poll;
    /// stored stories are first classified again if the topic rules
    /// changed since the store last ran.
    pub fn new(config: Arc<Config>, store: Store) -> Result<Arc<Pipeline>, PipelineError> {
        let fetcher = Fetcher::new(&config.poll, &config.sources)?;
        if store.outdated()? {
            let copies = merge::reindex(&store)?;
            tracing::info!(copies, "store written by an older bantin: indexes rebuilt");
        }
        classify::reclassify::if_rules_changed(&config, &store)?;
        let publisher = Publisher::new();
        publisher.render_all(&config, &store)?;
        let search = Arc::new(SearchIndex::new(config.store.search_memory));
        Ok(Arc::new(Pipeline {
            config: Arc::new(InForce::new(config)),
            fetcher: RwLock::new(Arc::new(fetcher)),
            store,
            publisher: Arc::new(publisher),
            metrics: Arc::new(Metrics::new()),
            search,
            merging: Mutex::new(()),
            ingesting: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
        }))
    }

    /// The configuration in force.
    pub fn config(&self) -> Arc<Config> {
        self.config.get()
    }

    /// The cell holding the configuration in force, for the server, which
    /// must see a reload without holding the pipeline.
    pub fn config_cell(&self) -> Arc<InForce> {
        Arc::clone(&self.config)
    }

    /// Puts `config` in force for the polls that start from now on, with
    /// `fetcher`, built for its sources.
    pub fn swap_config(&self, config: Arc<Config>, fetcher: Fetcher) {
        if let Ok(mut f) = self.fetcher.write() {
            *f = Arc::new(fetcher);
        }
        self.config.set(config);
    }

    /// Holds merges off while the caller changes stories wholesale
    /// (retention, reclassification). A poisoned lock only means another
    /// ingest panicked; the store itself is consistent, so carry on.
    pub fn hold_merges(&self) -> MutexGuard<'_, ()> {
        self.merging.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fetcher(&self) -> Arc<Fetcher> {
        Arc::clone(&self.fetcher.read().unwrap_or_else(|p| p.into_inner()))
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
        if state.is_gone(&source.url) {
            return PollReport {
                source: source.id.clone(),
                result: PollResult::Failed {
                    kind: "gone".into(),
                    message: format!(
                        "{} answered 410 Gone; not polled (change the source's url to resume)",
                        state.polling_url(&source.url)
                    ),
                },
                next_poll: None,
            };
        }
        let url = state.polling_url(&source.url);
        let now = Utc::now();
        // This poll's response status and body bytes, for its record.
        let mut answered = (None, 0);
        let outcome = self
            .poll_once(source, &url, &mut state, now, &mut answered)
            .await;
        state.last_poll = Some(now);
        state.duration_ms = started.elapsed().as_millis() as u64;
        let config = self.config();
        let poll = &config.poll;
        let (result, next_poll) = match outcome {
            Ok((result, hints)) => {
                state.last_success = Some(now);
                state.consecutive_failures = 0;
                tracing::info!(source = %source.id, result = %result.summary(), "polled");
                let interval = next_poll::interval_after_success(source, poll, &hints);
                (result, Some(next_poll::next_poll(now, interval, &hints)))
            }
            Err(e) => {
                state.consecutive_failures += 1;
                let fetch_error = e.fetch_error();
                answered.0 = answered.0.or(fetch_error.and_then(FetchError::http_status));
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
                        let interval = next_poll::interval_after_failure(
                            source,
                            poll,
                            state.consecutive_failures,
                            retry_after,
                        );
                        Some(next_poll::next_poll(now, interval, &Hints::default()))
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
        let record = record::record(
            &state,
            &result,
            record::Seen {
                at: now,
                duration_ms: state.duration_ms,
                http_status: answered.0,
                bytes: answered.1,
            },
        );
        if let Err(e) = self.store.record_poll(&source.id, &state, &record) {
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
        answered: &mut (Option<u16>, u64),
    ) -> Result<(PollResult, Hints), PollError> {
        let fetcher = self.fetcher();
        let fetched = fetcher.fetch(source, url, &state.validators).await?;
        *answered = (Some(fetched.status), fetched.wire_bytes);
        state.saw_redirect(&source.id, &source.url, url, fetched.moved_to.as_ref(), now);
        state.http_status = Some(fetched.status);
        state.bytes = fetched.wire_bytes;
        self.metrics.fetched(&source.id, fetched.wire_bytes);
        let mut hints = Hints {
            fresh_for: fetched.fresh_for,
            ..Hints::default()
        };
        // The body's permits are kept until the body is ingested: they
        // bound the bodies in memory.
        let held = (fetched.large, fetched.reading);
        let Some(bytes) = fetched.body else {
            return Ok((PollResult::NotModified, hints));
        };
        let body = Body {
            bytes,
            content_type: fetched.content_type,
            date_order: state.date_order,
        };
        // Parsing is bounded by the poll's timeout as the fetch was: its
        // input is bounded (`text::nesting`), and this is the backstop.
        let limit = self.config().poll.timeout;
        let mut prepared = self
            .blocking(source, Some(limit), move |p, s| {
                prepare(&p.config(), s, &body, now).map_err(PollError::from)
            })
            .await?;
        if source.article.is_some() {
            // The body is read; the article fetches need permits of their
            // own, which a wait for these could deadlock.
            drop(held);
            // Boxed: its article fetches would otherwise make every poll,
            // and every poll waiting at a host's gate, that much larger.
            let cut = Box::pin(enrich::articles(
                &fetcher,
                &self.store,
                &self.config(),
                source,
                &mut prepared.items,
            ))
            .await;
            prepared.cut.add(cut);
        }
        // Not bounded: a merge under way writes the store, and is not
        // given up on halfway.
        let ingest = self
            .blocking(source, None, move |p, s| p.merge_prepared(s, prepared, now))
            .await?;
        self.metrics.cut(&source.id, &ingest.cut);
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
            dropped: ingest.ingested.dropped,
            cut: ingest.cut,
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
        let _guard = self.hold_merges();
        let oldest = crate::config::cutoff(self.config().store.keep_days, seen);
        let ingested = merge::ingest_since(&self.store, source, prepared.items, seen, oldest)?;
        self.metrics.ingested(&source.id, &ingested);
        self.search.index(&ingested.searchable);
        self.publisher
            .mark_changed(ingested.touched_topics.iter().cloned());
        Ok(Ingest {
            items,
            ingested,
            hints: prepared.hints,
            partial: prepared.partial,
            broken_rules: prepared.broken_rules,
            date_order: prepared.date_order,
            cut: prepared.cut,
        })
    }

    /// Runs CPU work for `source` off the async threads, one body per
    /// core at a time: more parsing at once only adds threads and memory.
    /// The poll waits at most `limit` for it: a thread cannot be stopped,
    /// but the poll, its source's schedule and a shutdown need not wait.
    async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        source: &Source,
        limit: Option<std::time::Duration>,
        work: impl FnOnce(&Pipeline, &Source) -> Result<T, PollError> + Send + 'static,
    ) -> Result<T, PollError> {
        // The semaphore is never closed; `ok()` keeps this panic-free.
        let cpu = Arc::clone(&self.ingesting).acquire_owned().await.ok();
        let pipeline = Arc::clone(self);
        let source = source.clone();
        let task = tokio::task::spawn_blocking(move || {
            let _cpu = cpu;
            work(&pipeline, &source)
        });
        let joined = match limit {
            Some(limit) => tokio::time::timeout(limit, task)
                .await
                .map_err(|_| PollError::TooSlow { limit })?,
            None => task.await,
        };
        joined.map_err(|e| PollError::Task(e.to_string()))?
    }

    /// Renders the feeds that changed since the last render. Blocking.
    pub fn render_changed(&self) -> Result<(), StoreError> {
        self.publisher.render_changed(&self.config(), &self.store)
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
    /// Items whose HTML was cut before it was parsed.
    pub cut: Cuts,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
}
