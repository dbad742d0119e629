//! One poll of one source, through every stage: fetch → parse → normalize
//! → classify → merge/store → publish, and the source's state after it.
//!
//! This module only wires the stages together and records the outcome;
//! each stage's work lives in its own module. A failure at any stage
//! becomes that source's [`PollResult::Failed`]; stories already stored are
//! never touched by a failed poll.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::classify::classify;
use crate::config::{Config, Source};
use crate::fetch::{FetchError, Fetched, Fetcher};
use crate::merge::{self, Ingested};
use crate::normalize::{Item, normalize};
use crate::parse::{ParseError, parse_feed};
use crate::publish::Publisher;
use crate::status::{PollResult, SourceState};
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
}

/// What `poll` reports for one source.
#[derive(Debug, Clone)]
pub struct PollReport {
    pub source: String,
    pub result: PollResult,
    /// When the source should be polled again.
    pub next_poll: DateTime<Utc>,
}

/// The stages, assembled. Shared by the scheduler, `bantin poll`, tests
/// and benchmarks.
pub struct Pipeline {
    pub config: Arc<Config>,
    pub store: Store,
    pub publisher: Publisher,
    fetcher: Fetcher,
    /// Serializes merges: two sources carrying one new story at the same
    /// moment must not both mint it. A std mutex, taken only inside
    /// `spawn_blocking`, never across an `.await`.
    merging: Mutex<()>,
}

impl Pipeline {
    /// Builds the pipeline and renders every topic's feed from the store,
    /// so a restarted daemon serves its stories before the first poll.
    pub fn new(config: Arc<Config>, store: Store) -> Result<Arc<Pipeline>, PipelineError> {
        let fetcher = Fetcher::new(&config.poll).map_err(PipelineError::Client)?;
        let publisher = Publisher::new();
        publisher.render_all(&config, &store)?;
        Ok(Arc::new(Pipeline {
            config,
            store,
            publisher,
            fetcher,
            merging: Mutex::new(()),
        }))
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
        let now = Utc::now();
        let outcome = self.poll_once(source, &mut state, now).await;
        state.last_poll = Some(now);
        state.duration_ms = started.elapsed().as_millis() as u64;
        let result = match outcome {
            Ok(result) => {
                state.last_success = Some(now);
                state.consecutive_failures = 0;
                tracing::info!(source = %source.id, result = %result.summary(), "polled");
                result
            }
            Err(e) => {
                state.consecutive_failures += 1;
                state.http_status = e_status(&e).or(state.http_status);
                tracing::warn!(source = %source.id, kind = %e.kind(), error = %e, "poll failed");
                PollResult::Failed {
                    kind: e.kind(),
                    message: e.to_string(),
                }
            }
        };
        state.last_result = Some(result.clone());
        let next_poll = now + source.every;
        state.next_poll = Some(next_poll);
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
        state: &mut SourceState,
        now: DateTime<Utc>,
    ) -> Result<PollResult, PollError> {
        let (bytes, status, validators) =
            match self.fetcher.fetch(&source.url, &state.validators).await? {
                Fetched::NotModified => {
                    state.http_status = Some(304);
                    return Ok(PollResult::NotModified);
                }
                Fetched::Body {
                    bytes,
                    status,
                    validators,
                } => (bytes, status, validators),
            };
        state.http_status = Some(status);
        state.bytes = bytes.len() as u64;
        let pipeline = Arc::clone(self);
        let source_owned = source.clone();
        let (items, ingested) =
            tokio::task::spawn_blocking(move || pipeline.ingest_bytes(&source_owned, &bytes, now))
                .await
                .map_err(|e| PollError::Task(e.to_string()))??;
        // Validators are kept only once the body is safely stored: a poll
        // that failed to parse must be retried in full next time.
        state.validators = validators;
        Ok(PollResult::Fetched {
            items,
            new_copies: ingested.new_copies,
            updated_copies: ingested.updated_copies,
            new_stories: ingested.new_stories,
        })
    }

    /// Parses, normalizes, classifies and merges one fetched body, then
    /// re-renders the feeds it changed. Blocking: run it off the runtime.
    /// Returns the number of items in the body and what they changed.
    pub fn ingest_bytes(
        &self,
        source: &Source,
        bytes: &Bytes,
        seen: DateTime<Utc>,
    ) -> Result<(usize, Ingested), PollError> {
        let items = prepare(&self.config, source, bytes, seen)?;
        let count = items.len();
        // A poisoned lock only means another ingest panicked; the store
        // itself is consistent, so carry on.
        let _guard = self.merging.lock().unwrap_or_else(|p| p.into_inner());
        let ingested = merge::ingest(&self.store, source, items, seen)?;
        if !ingested.touched_topics.is_empty() {
            self.publisher
                .refresh(&self.config, &self.store, &ingested.touched_topics)?;
        }
        Ok((count, ingested))
    }

    /// Polls every source once, `poll.concurrency` at a time.
    pub async fn poll_all(self: &Arc<Self>) -> Vec<PollReport> {
        let limit = Arc::new(tokio::sync::Semaphore::new(self.config.poll.concurrency));
        let mut tasks = tokio::task::JoinSet::new();
        for (n, source) in self.config.sources.iter().enumerate() {
            let pipeline = Arc::clone(self);
            let limit = Arc::clone(&limit);
            let source = source.clone();
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                (n, pipeline.poll_source(&source).await)
            });
        }
        let mut reports: Vec<(usize, PollReport)> = Vec::new();
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(report) => reports.push(report),
                Err(e) => tracing::error!(error = %e, "a poll task failed"),
            }
        }
        reports.sort_by_key(|(n, _)| *n);
        reports.into_iter().map(|(_, r)| r).collect()
    }
}

/// The stages that need nothing but the body: parse, normalize, classify.
/// `seen` stands in for a missing date.
pub fn prepare(
    config: &Config,
    source: &Source,
    bytes: &[u8],
    seen: DateTime<Utc>,
) -> Result<Vec<(Item, Vec<String>)>, ParseError> {
    let feed = parse_feed(bytes, source.url.as_str())?;
    Ok(feed
        .items
        .iter()
        .map(|raw| {
            let item = normalize(raw, source.url.as_str(), seen);
            let topics = classify(&item, source, &config.topics);
            (item, topics)
        })
        .collect())
}

fn e_status(e: &PollError) -> Option<u16> {
    match e {
        PollError::Fetch(f) => f.http_status(),
        _ => None,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("fetch: cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}
