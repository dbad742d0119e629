//! What `/`, `/status.json` and `bantin status` say of each source: its
//! [`Health`] in a word and the figures of its last polls, read from the
//! [`SourceState`] the store keeps and the [`Summary`] of its history.
//!
//! A source is **quiet** when it polls fine but has brought no new item
//! for much longer than it usually goes without: more than
//! [`QUIET_FACTOR`] times the median gap between its polls that brought
//! new items (the last [`GAPS_KEPT`](crate::model::history::GAPS_KEPT)
//! gaps), and at least [`QUIET_AT_LEAST`], once [`QUIET_GAPS`] gaps are
//! known. A portal that posts twice a day is quiet after two silent
//! days; one that posts weekly, after four weeks; a new source is never
//! quiet. A failing, gone or moved source is called that instead.

use std::sync::RwLock;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{Config, Source};
use crate::model::history::Sample;
use crate::model::{Dropped, MOVE_AFTER, Moved, Moving, PollResult, SourceState, Summary};
use crate::store::{Store, WriteFailure};

/// What `/readyz`, `/` and `/status.json` say while the store cannot
/// write.
pub fn store_notice(failure: &WriteFailure) -> String {
    format!(
        "store cannot write: {} (since {}). The feeds rendered before are served; \
         new items are not stored, and bantin tries the store again every 5 to 30 s until it writes.",
        failure.reason,
        failure.since.format("%Y-%m-%d %H:%M:%S UTC"),
    )
}

/// How many usual gaps of silence make a source quiet.
pub const QUIET_FACTOR: i32 = 4;

/// The shortest silence called quiet: a portal that posts hourly is not
/// quiet over one night.
pub const QUIET_AT_LEAST: Duration = Duration::days(1);

/// Gaps between new items a source must have shown before its silence
/// means anything.
pub const QUIET_GAPS: usize = 3;

/// Whether a source whose history is `summary` is quiet at `now` (the
/// module's docs give the rule).
pub fn is_quiet(summary: &Summary, now: DateTime<Utc>) -> bool {
    let (Some(last), Some(median)) = (summary.last_new, summary.median_gap()) else {
        return false;
    };
    if summary.gaps.len() < QUIET_GAPS {
        return false;
    }
    let usual = median
        .checked_mul(QUIET_FACTOR)
        .unwrap_or(Duration::MAX)
        .max(QUIET_AT_LEAST);
    now.signed_duration_since(last) > usual
}

/// What the operator should know about the configuration: a rejected
/// reload, a change that needs a restart. Shown at the top of `/`.
#[derive(Debug, Default)]
pub struct Notices(RwLock<Vec<String>>);

impl Notices {
    pub fn get(&self) -> Vec<String> {
        self.0.read().map(|n| n.clone()).unwrap_or_default()
    }

    pub fn set(&self, notices: Vec<String>) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = notices;
    }
}

/// A source's condition, as the status page and `bantin status` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    NotPolled,
    Ok,
    NotModified,
    Failing,
    BackingOff,
    Gone,
    Moved,
    /// A scraped page no longer fits its `[source.scrape]` rules.
    BrokenRules,
    /// Polls fine, but no new item for much longer than usual.
    Quiet,
}

impl Health {
    /// What the status page calls `state` of `source`.
    pub fn of(state: &SourceState, source: &Source) -> Health {
        if state.is_gone(&source.url) {
            return Health::Gone;
        }
        let rules_failed = matches!(
            &state.last_result,
            Some(PollResult::Failed { kind, .. }) if kind == "broken rules"
        );
        if rules_failed || (state.consecutive_failures == 0 && state.broken_rules.is_some()) {
            return Health::BrokenRules;
        }
        match (&state.last_result, state.consecutive_failures) {
            (None, _) => Health::NotPolled,
            // From the second failure on, the interval has grown.
            (_, n) if n >= 2 => Health::BackingOff,
            (_, 1) => Health::Failing,
            _ if state.polling_url(&source.url) != source.url => Health::Moved,
            (Some(PollResult::NotModified), _) => Health::NotModified,
            _ => Health::Ok,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Health::NotPolled => "not polled yet",
            Health::Ok => "ok",
            Health::NotModified => "not modified",
            Health::Failing => "failing",
            Health::BackingOff => "backing off",
            Health::Gone => "gone",
            Health::Moved => "moved",
            Health::BrokenRules => "broken rules",
            Health::Quiet => "quiet",
        }
    }
}

/// Everything known of one source, as `/status.json`, `/` and
/// `bantin status` show it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceStatus {
    pub id: String,
    pub name: String,
    pub url: String,
    /// Where polls go now: `url`, or the address it permanently moved to.
    pub polling_url: String,
    pub state: String,
    pub last_result: Option<String>,
    /// The failure's short kind ("timeout", "http 503", ...), if failing.
    pub error_kind: Option<String>,
    pub http_status: Option<u16>,
    pub consecutive_failures: u32,
    pub last_poll: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub next_poll: Option<DateTime<Utc>>,
    pub bytes: u64,
    pub duration_ms: u64,
    pub moving: Option<Moving>,
    pub moved: Option<Moved>,
    pub warnings: Vec<String>,
    /// What the last document held that was not stored, by reason.
    #[serde(default)]
    pub dropped: Dropped,
    /// What the source's history says; empty before its first poll.
    #[serde(default)]
    pub history: HistoryBrief,
}

/// A source's history as `/` and `/status.json` show it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HistoryBrief {
    /// The last poll that brought a new item.
    pub last_new_item: Option<DateTime<Utc>>,
    /// The median gap between its polls that brought new items.
    pub usual_gap_seconds: Option<i64>,
    /// The last failure among the polls remembered, when and in words.
    pub last_error_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// New items per day over the last 7 days, oldest first.
    pub new_items_7d: Vec<u32>,
    /// Poll durations over the last 7 days, oldest first.
    pub latency_7d: Vec<Latency>,
    /// Poll records kept (`/sources/{id}`).
    pub polls_kept: usize,
}

/// A poll's time and duration, in `/status.json`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Latency {
    pub at: DateTime<Utc>,
    pub ms: u64,
}

impl From<Sample> for Latency {
    fn from(s: Sample) -> Latency {
        Latency { at: s.at, ms: s.ms }
    }
}

impl HistoryBrief {
    pub fn new(summary: &Summary, now: DateTime<Utc>) -> HistoryBrief {
        HistoryBrief {
            last_new_item: summary.last_new,
            usual_gap_seconds: summary.median_gap().map(|g| g.num_seconds()),
            last_error_at: summary.last_error.as_ref().map(|(at, _)| *at),
            last_error: summary.last_error.as_ref().map(|(_, e)| e.clone()),
            new_items_7d: summary.window(now, 7).iter().map(|d| d.new_items).collect(),
            latency_7d: summary
                .latency_week(now)
                .into_iter()
                .map(Latency::from)
                .collect(),
            polls_kept: summary.polls.len(),
        }
    }
}

impl SourceStatus {
    pub fn new(source: &Source, state: &SourceState) -> SourceStatus {
        let mut warnings = Vec::new();
        if source.insecure_tls {
            warnings.push(
                "insecure_tls: certificates are not checked for this source; prefer ca_file"
                    .to_string(),
            );
        }
        if let Some(reason) = &state.broken_rules {
            warnings.push(format!("broken rules: {reason}"));
        }
        if let Some(PollResult::Fetched { cut, .. }) = &state.last_result
            && !cut.is_empty()
        {
            warnings.push(format!(
                "items stored with their HTML {cut}: markup too deep or too long to parse whole"
            ));
        }
        if let Some(m) = &state.moving {
            warnings.push(format!(
                "permanent redirect to {} seen on {} poll(s) in a row; adopted after {}",
                m.to, m.seen, MOVE_AFTER
            ));
        }
        let polling_url = state.polling_url(&source.url);
        SourceStatus {
            id: source.id.clone(),
            name: source.name.clone(),
            url: source.url.to_string(),
            polling_url: polling_url.to_string(),
            state: Health::of(state, source).label().to_string(),
            last_result: state.last_result.as_ref().map(PollResult::summary),
            dropped: match &state.last_result {
                Some(PollResult::Fetched { dropped, .. }) => *dropped,
                _ => Dropped::default(),
            },
            error_kind: match &state.last_result {
                Some(PollResult::Failed { kind, .. }) => Some(kind.clone()),
                _ => None,
            },
            http_status: state.http_status,
            consecutive_failures: state.consecutive_failures,
            last_poll: state.last_poll,
            last_success: state.last_success,
            next_poll: state.next_poll,
            bytes: state.bytes,
            duration_ms: state.duration_ms,
            moving: state.moving.clone(),
            moved: state
                .moved
                .clone()
                .filter(|m| m.from == source.url.as_str()),
            warnings,
            history: HistoryBrief::default(),
        }
    }

    /// Adds what `summary` tells of the source at `now`, its quietness
    /// included.
    pub fn with_history(mut self, summary: &Summary, now: DateTime<Utc>) -> SourceStatus {
        let settled = [Health::Ok, Health::NotModified].map(|h| h.label());
        if settled.contains(&self.state.as_str()) && is_quiet(summary, now) {
            self.state = Health::Quiet.label().to_string();
        }
        self.history = HistoryBrief::new(summary, now);
        self
    }
}

/// Every configured source's status as the store has it, in config order.
/// While the store cannot write, each source warns of it: what it fetches
/// is not stored.
pub fn statuses(config: &Config, store: &Store) -> Vec<SourceStatus> {
    statuses_with(config, store, true)
}

/// As [`statuses`], without reading the sources' history (`history`
/// empty, no source called quiet): for `/metrics` and systemd's status
/// line, which need the states only.
pub fn states_only(config: &Config, store: &Store) -> Vec<SourceStatus> {
    statuses_with(config, store, false)
}

fn statuses_with(config: &Config, store: &Store, history: bool) -> Vec<SourceStatus> {
    let failure = store.write_failure().map(|f| store_notice(&f));
    let now = Utc::now();
    config
        .sources
        .iter()
        .map(|source| {
            let state = store
                .source_state(&source.id)
                .ok()
                .flatten()
                .unwrap_or_default();
            let mut status = SourceStatus::new(source, &state);
            if history {
                let summary = store
                    .history_summary(&source.id)
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                status = status.with_history(&summary, now);
            }
            if let Some(notice) = &failure {
                status.warnings.push(notice.clone());
            }
            status
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that brought news at each of `at`, oldest first.
    fn news_at(at: &[DateTime<Utc>]) -> Summary {
        let mut summary = Summary::default();
        for &t in at {
            summary.record(&crate::model::PollRecord {
                at: t,
                outcome: crate::model::Outcome::Ok,
                error_kind: None,
                message: None,
                http_status: Some(200),
                bytes: 0,
                duration_ms: 10,
                items: 1,
                new_items: 1,
                updated: 0,
                new_stories: 1,
                dropped: Dropped::default(),
                notes: Vec::new(),
            });
        }
        summary
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-03T12:00:00Z")
            .unwrap()
            .to_utc()
    }

    #[test]
    fn a_daily_source_silent_for_five_days_is_quiet() {
        let days: Vec<_> = (5..=9).rev().map(|d| now() - Duration::days(d)).collect();
        assert!(is_quiet(&news_at(&days), now()));
    }

    #[test]
    fn a_daily_source_silent_for_three_days_is_not_quiet() {
        let days: Vec<_> = (3..=7).rev().map(|d| now() - Duration::days(d)).collect();
        assert!(!is_quiet(&news_at(&days), now()));
    }

    #[test]
    fn an_hourly_source_is_not_quiet_overnight() {
        let last = now() - Duration::hours(12);
        let hours: Vec<_> = (0..6).rev().map(|h| last - Duration::hours(h)).collect();
        assert!(!is_quiet(&news_at(&hours), now()));
    }

    #[test]
    fn a_source_with_two_gaps_is_never_quiet() {
        let days: Vec<_> = [30, 29, 28].map(|d| now() - Duration::days(d)).to_vec();
        assert!(!is_quiet(&news_at(&days), now()));
    }
}
