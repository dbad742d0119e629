//! What the daemon counts, served at `/metrics` in the Prometheus /
//! OpenMetrics text format.
//!
//! Counters are recorded where things happen (a poll in `pipeline`, a
//! request in `serve`); values that are states rather than events (entries
//! per topic, store size, each source's last success) are read when
//! `/metrics` is asked, so they are never stale.

use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::model::PollResult;
use crate::model::{Cuts, Ingested};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PollLabels {
    source: String,
    /// `fetched`, `not_modified`, or the failure's kind (`timeout`, `http
    /// 503`, ...).
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabel {
    source: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RuleLabel {
    rule: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CopyLabel {
    change: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DropLabels {
    source: String,
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TopicLabel {
    topic: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IndexLabel {
    index: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PingLabel {
    result: &'static str,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// Adds each reason's count for `source`; a reason with none gets no series.
fn count_by_reason(
    family: &Family<DropLabels, Counter>,
    source: &str,
    by_reason: &[(&'static str, usize)],
) {
    for &(reason, n) in by_reason.iter().filter(|(_, n)| *n > 0) {
        family
            .get_or_create(&DropLabels {
                source: source.to_string(),
                reason,
            })
            .inc_by(n as u64);
    }
}

/// The store's figures `/metrics` reports.
pub struct StoreFigures {
    pub disk_bytes: u64,
    pub index: crate::store::IndexMemory,
    /// False while a write failure stands ([`crate::store::Store::write_failure`]).
    pub writable: bool,
}

/// Every metric of the daemon; one per pipeline, kept across reloads.
pub struct Metrics {
    registry: Registry,
    polls: Family<PollLabels, Counter>,
    fetch_seconds: Histogram,
    fetched_bytes: Family<SourceLabel, Counter>,
    copies: Family<CopyLabel, Counter>,
    stories: Counter,
    merges: Family<RuleLabel, Counter>,
    dropped: Family<DropLabels, Counter>,
    cut: Family<DropLabels, Counter>,
    task_panics: Family<SourceLabel, Counter>,
    requests: Family<RequestLabels, Counter>,
    topic_entries: Family<TopicLabel, Gauge>,
    store_bytes: Gauge,
    store_writable: Gauge,
    index_bytes: Family<IndexLabel, Gauge>,
    index_budget: Gauge,
    index_trimmed: Counter,
    last_success: Family<SourceLabel, FloatGauge>,
    websub_pings: Family<PingLabel, Counter>,
    search_index_bytes: Gauge,
    search_index_budget: Gauge,
    /// Encoding reads the registry; one `/metrics` at a time.
    encoding: Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let polls = Family::<PollLabels, Counter>::default();
        // 50 ms to about 100 s: portals answer in tens of milliseconds to
        // tens of seconds; the timeout caps the rest.
        let fetch_seconds = Histogram::new(exponential_buckets(0.05, 2.0, 12));
        let fetched_bytes = Family::<SourceLabel, Counter>::default();
        let copies = Family::<CopyLabel, Counter>::default();
        let stories = Counter::default();
        let merges = Family::<RuleLabel, Counter>::default();
        let dropped = Family::<DropLabels, Counter>::default();
        let cut = Family::<DropLabels, Counter>::default();
        let task_panics = Family::<SourceLabel, Counter>::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let topic_entries = Family::<TopicLabel, Gauge>::default();
        let store_bytes = Gauge::default();
        let store_writable = Gauge::default();
        let index_bytes = Family::<IndexLabel, Gauge>::default();
        let index_budget = Gauge::default();
        let index_trimmed = Counter::default();
        let last_success = Family::<SourceLabel, FloatGauge>::default();
        let websub_pings = Family::<PingLabel, Counter>::default();
        let search_index_bytes = Gauge::default();
        let search_index_budget = Gauge::default();
        registry.register("bantin_polls", "Polls by source and result", polls.clone());
        registry.register(
            "bantin_poll_duration_seconds",
            "Time a poll took: fetch, parse and store, answered or not",
            fetch_seconds.clone(),
        );
        registry.register(
            "bantin_fetched_bytes",
            "Bytes received from each source, as sent on the wire",
            fetched_bytes.clone(),
        );
        registry.register(
            "bantin_copies_ingested",
            "Copies stored, new or updated",
            copies.clone(),
        );
        registry.register(
            "bantin_stories_created",
            "Stories created by a copy no known story matched",
            stories.clone(),
        );
        registry.register(
            "bantin_merges",
            "New copies that joined a known story, by the rule that matched",
            merges.clone(),
        );
        registry.register(
            "bantin_items_dropped",
            "Items read but not stored, by source and reason",
            dropped.clone(),
        );
        registry.register(
            "bantin_items_cut",
            "Items stored with their HTML cut short before parsing, by source and reason",
            cut.clone(),
        );
        registry.register(
            "bantin_task_panics",
            "Poll tasks that panicked and were restarted, by source",
            task_panics.clone(),
        );
        registry.register(
            "bantin_http_requests",
            "Requests served, by route and status",
            requests.clone(),
        );
        registry.register(
            "bantin_topic_entries",
            "Entries in each topic's feed",
            topic_entries.clone(),
        );
        registry.register(
            "bantin_store_size_bytes",
            "Size of the store on disk",
            store_bytes.clone(),
        );
        registry.register(
            "bantin_store_writable",
            "1 while the store writes; 0 after a write failed (a full disk), until a reopen proves it writes again",
            store_writable.clone(),
        );
        registry.register(
            "bantin_index_memory_bytes",
            "Memory of the lookup indexes: the weeks' title and text indexes, and the link filter",
            index_bytes.clone(),
        );
        registry.register(
            "bantin_index_memory_budget_bytes",
            "Memory the weeks' title and text indexes may take ([store] index_memory)",
            index_budget.clone(),
        );
        registry.register(
            "bantin_index_trimmed_copies",
            "Copies let go of by the weeks' text index to keep within its budget: merging no longer finds them by their text",
            index_trimmed.clone(),
        );
        registry.register(
            "bantin_last_success_timestamp_seconds",
            "When each source was last polled successfully (Unix time)",
            last_success.clone(),
        );
        registry.register(
            "bantin_websub_pings",
            "Publish requests sent to the WebSub hub: ok, error (tried again later), given_up (the last try failed)",
            websub_pings.clone(),
        );
        registry.register(
            "bantin_search_index_bytes",
            "Memory of the search index: syllables to stories",
            search_index_bytes.clone(),
        );
        registry.register(
            "bantin_search_index_budget_bytes",
            "Memory the search index may take; past it the oldest stories leave the index",
            search_index_budget.clone(),
        );
        Metrics {
            registry,
            polls,
            fetch_seconds,
            fetched_bytes,
            copies,
            stories,
            merges,
            dropped,
            cut,
            task_panics,
            requests,
            topic_entries,
            store_bytes,
            store_writable,
            index_bytes,
            index_budget,
            index_trimmed,
            last_success,
            websub_pings,
            search_index_bytes,
            search_index_budget,
            encoding: Mutex::new(()),
        }
    }

    /// Counts one poll of `source`, which took `seconds` in all.
    pub fn poll(&self, source: &str, result: &PollResult, seconds: f64) {
        let result = match result {
            PollResult::Fetched { .. } => "fetched".to_string(),
            PollResult::NotModified => "not_modified".to_string(),
            PollResult::Failed { kind, .. } => kind.clone(),
        };
        self.polls
            .get_or_create(&PollLabels {
                source: source.to_string(),
                result,
            })
            .inc();
        self.fetch_seconds.observe(seconds);
    }

    /// Counts a body received from `source`.
    pub fn fetched(&self, source: &str, wire_bytes: u64) {
        self.fetched_bytes
            .get_or_create(&SourceLabel {
                source: source.to_string(),
            })
            .inc_by(wire_bytes);
    }

    /// Counts what one ingest of `source` stored, and what it dropped.
    pub fn ingested(&self, source: &str, done: &Ingested) {
        count_by_reason(&self.dropped, source, &done.dropped.by_reason());
        let count = |family: &Family<CopyLabel, Counter>, change, n: usize| {
            family.get_or_create(&CopyLabel { change }).inc_by(n as u64);
        };
        count(&self.copies, "new", done.new_copies);
        count(&self.copies, "updated", done.updated_copies);
        self.stories.inc_by(done.new_stories as u64);
        for (rule, n) in [
            ("link", done.joined_by_link),
            ("title", done.joined_by_title),
            ("text", done.joined_by_text),
        ] {
            self.merges
                .get_or_create(&RuleLabel { rule })
                .inc_by(n as u64);
        }
    }

    /// Counts the items of one poll of `source` stored cut short.
    pub fn cut(&self, source: &str, cuts: &Cuts) {
        count_by_reason(&self.cut, source, &cuts.by_reason());
    }

    /// Counts a panic of `source`'s poll task.
    pub fn task_panic(&self, source: &str) {
        self.task_panics
            .get_or_create(&SourceLabel {
                source: source.to_string(),
            })
            .inc();
    }

    /// Counts one HTTP request. `route` is the route's pattern, never the
    /// path asked for: a scanner must not grow the label set.
    pub fn request(&self, route: &str, status: u16) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                status,
            })
            .inc();
    }

    /// Counts one publish request to the WebSub hub: `ok`, `error` (it
    /// is tried again) or `given_up`.
    pub fn websub_ping(&self, result: &'static str) {
        self.websub_pings.get_or_create(&PingLabel { result }).inc();
    }

    /// The search index's memory and budget, in bytes, as of now.
    pub fn search_index(&self, bytes: usize, budget: usize) {
        let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.search_index_bytes.set(gauge(bytes));
        self.search_index_budget.set(gauge(budget));
    }

    /// The text served at `/metrics`, with the state gauges set from the
    /// values given.
    pub fn render(
        &self,
        topics: &[(String, usize)],
        store: &StoreFigures,
        last_success: &[(String, Option<i64>)],
    ) -> String {
        let _one_at_a_time = self.encoding.lock().unwrap_or_else(|p| p.into_inner());
        self.topic_entries.clear();
        for (topic, entries) in topics {
            self.topic_entries
                .get_or_create(&TopicLabel {
                    topic: topic.clone(),
                })
                .set(*entries as i64);
        }
        let gauge = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.store_bytes.set(gauge(store.disk_bytes));
        self.store_writable.set(i64::from(store.writable));
        for (index, bytes) in [
            ("weeks", store.index.week_bytes),
            ("links", store.index.link_bytes),
        ] {
            self.index_bytes
                .get_or_create(&IndexLabel { index })
                .set(gauge(bytes as u64));
        }
        self.index_budget.set(gauge(store.index.budget as u64));
        // The store counts since open; the counter follows it.
        let trimmed = store.index.trimmed;
        self.index_trimmed
            .inc_by(trimmed.saturating_sub(self.index_trimmed.get()));
        self.last_success.clear();
        for (source, at) in last_success {
            if let Some(at) = at {
                self.last_success
                    .get_or_create(&SourceLabel {
                        source: source.clone(),
                    })
                    .set(*at as f64);
            }
        }
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}
