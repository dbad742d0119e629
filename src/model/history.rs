//! What bantin keeps of a source's past polls: one [`PollRecord`] per
//! poll, the last [`POLLS_KEPT`] of them, and a [`Summary`] that the
//! status page reads alone: per-day counters for [`DAYS_KEPT`] days, the
//! latency of the polls kept, the gaps between polls that brought new
//! items, and the last error.
//!
//! The summary is rebuilt by [`Summary::record`] at every poll, so its
//! bounds hold by construction: a store never holds more than
//! `POLLS_KEPT` records and one summary per source. The store keeps
//! them ([`crate::store`]'s `history` tree); retention takes out what is
//! older and the sources no longer configured.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::state::Dropped;

/// Poll records kept per source: `/sources/{id}` lists them all.
pub const POLLS_KEPT: usize = 50;

/// Days of counters kept per source: a 30-day chart and today.
pub const DAYS_KEPT: i64 = 31;

/// Gaps between polls that brought new items kept per source: enough for
/// a stable median, few enough to follow a portal that changed its pace.
pub const GAPS_KEPT: usize = 20;

/// What a poll came to, in the status page's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    NotModified,
    Failed,
    /// Fetched from the address a permanent redirect was adopted for, on
    /// this poll.
    Moved,
    /// The address answered 410 Gone: it is not polled again.
    Gone,
    /// A scraped page no longer fits its rules.
    BrokenRules,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::NotModified => "not modified",
            Outcome::Failed => "failed",
            Outcome::Moved => "moved",
            Outcome::Gone => "gone",
            Outcome::BrokenRules => "broken rules",
        }
    }
}

/// One poll of one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollRecord {
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
    /// The failure's short kind ("timeout", "http 500"), if it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<String>,
    /// The failure, or what was wrong with a partly read document, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub duration_ms: u64,
    /// Items of the document, new copies and updated ones.
    #[serde(default)]
    pub items: usize,
    #[serde(default)]
    pub new_items: usize,
    #[serde(default)]
    pub updated: usize,
    #[serde(default)]
    pub new_stories: usize,
    #[serde(default, skip_serializing_if = "Dropped::is_empty")]
    pub dropped: Dropped,
    /// Moves and warnings of this poll, in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One day's polls of one source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCounts {
    /// Days since 1970-01-01, UTC.
    pub day: i64,
    pub polls: u32,
    #[serde(default)]
    pub failed: u32,
    #[serde(default)]
    pub new_items: u32,
    /// The day's poll durations, summed, for a mean.
    #[serde(default)]
    pub ms_total: u64,
}

/// A poll's time and duration: a latency sample. Stored as a pair of
/// integers, `[milliseconds since 1970, duration in ms]`: the status page
/// reads fifty of them per source, and integers read fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "(i64, u64)", try_from = "(i64, u64)")]
pub struct Sample {
    pub at: DateTime<Utc>,
    pub ms: u64,
}

impl From<Sample> for (i64, u64) {
    fn from(s: Sample) -> (i64, u64) {
        (s.at.timestamp_millis(), s.ms)
    }
}

impl TryFrom<(i64, u64)> for Sample {
    type Error = String;

    fn try_from((at, ms): (i64, u64)) -> Result<Sample, String> {
        let at = DateTime::from_timestamp_millis(at).ok_or_else(|| format!("a time of {at} ms"))?;
        Ok(Sample { at, ms })
    }
}

/// What the status page reads of a source's history, in one value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The last poll that brought a new item.
    #[serde(default)]
    pub last_new: Option<DateTime<Utc>>,
    /// Seconds between consecutive polls that brought new items, oldest
    /// first, at most [`GAPS_KEPT`].
    #[serde(default)]
    pub gaps: Vec<i64>,
    /// The polls whose records are kept, oldest first: their latency, and
    /// the keys of their records.
    #[serde(default)]
    pub polls: Vec<Sample>,
    /// Oldest first, at most [`DAYS_KEPT`].
    #[serde(default)]
    pub days: Vec<DayCounts>,
    /// The last failure, when and in words.
    #[serde(default)]
    pub last_error: Option<(DateTime<Utc>, String)>,
}

/// Days since 1970 of `t`, UTC.
pub fn day_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(86_400)
}

impl Summary {
    /// Adds `record` and keeps the bounds; returns the times of the polls
    /// whose records fall out, oldest first.
    pub fn record(&mut self, record: &PollRecord) -> Vec<DateTime<Utc>> {
        let day = day_of(record.at);
        match self.days.last_mut() {
            Some(last) if last.day == day => add(last, record),
            _ => {
                let mut counts = DayCounts {
                    day,
                    ..DayCounts::default()
                };
                add(&mut counts, record);
                self.days.push(counts);
                self.days.sort_by_key(|d| d.day);
            }
        }
        self.trim_days(record.at);
        if record.new_items > 0 {
            if let Some(last) = self.last_new
                && record.at > last
            {
                self.gaps.push((record.at - last).num_seconds());
                let over = self.gaps.len().saturating_sub(GAPS_KEPT);
                self.gaps.drain(..over);
            }
            if self.last_new.is_none_or(|last| record.at > last) {
                self.last_new = Some(record.at);
            }
        }
        if record.outcome == Outcome::Failed || record.outcome == Outcome::Gone {
            let words = record
                .message
                .clone()
                .or_else(|| record.error_kind.clone())
                .unwrap_or_else(|| "failed".to_string());
            self.last_error = Some((record.at, words));
        }
        self.polls.push(Sample {
            at: record.at,
            ms: record.duration_ms,
        });
        self.polls.sort_by_key(|s| s.at);
        let over = self.polls.len().saturating_sub(POLLS_KEPT);
        self.polls.drain(..over).map(|s| s.at).collect()
    }

    /// Drops the day counters older than [`DAYS_KEPT`] days before `now`.
    pub fn trim_days(&mut self, now: DateTime<Utc>) {
        let first = day_of(now) - (DAYS_KEPT - 1);
        self.days.retain(|d| d.day >= first);
    }

    /// The median of the gaps kept, if any.
    pub fn median_gap(&self) -> Option<Duration> {
        let mut gaps = self.gaps.clone();
        gaps.sort_unstable();
        let n = gaps.len();
        if n == 0 {
            return None;
        }
        let median = if n % 2 == 1 {
            gaps[n / 2]
        } else {
            (gaps[n / 2 - 1] + gaps[n / 2]) / 2
        };
        Some(Duration::seconds(median))
    }

    /// The `days` days up to `now`'s, oldest first, each with its
    /// counters (zero for a day without a poll).
    pub fn window(&self, now: DateTime<Utc>, days: i64) -> Vec<DayCounts> {
        let today = day_of(now);
        (today - days + 1..=today)
            .map(|day| {
                self.days
                    .iter()
                    .find(|d| d.day == day)
                    .copied()
                    .unwrap_or(DayCounts {
                        day,
                        ..DayCounts::default()
                    })
            })
            .collect()
    }

    /// Poll latency over the 7 days to `now`, oldest first: one sample per
    /// poll kept, and before the oldest poll kept (a source polled more
    /// than [`POLLS_KEPT`] times a week) one per day, the day's mean.
    pub fn latency_week(&self, now: DateTime<Utc>) -> Vec<Sample> {
        let from = now - Duration::days(7);
        let recent: Vec<Sample> = self
            .polls
            .iter()
            .copied()
            .filter(|s| s.at > from && s.at <= now)
            .collect();
        let first_kept = self.polls.first().map(|s| day_of(s.at));
        let mut points: Vec<Sample> = self
            .window(now, 7)
            .into_iter()
            .filter(|d| d.polls > 0 && first_kept.is_some_and(|first| d.day < first))
            .filter_map(|d| {
                Some(Sample {
                    at: DateTime::from_timestamp(d.day * 86_400, 0)?,
                    ms: d.ms_total / u64::from(d.polls),
                })
            })
            .collect();
        points.extend(recent);
        points
    }
}

fn add(counts: &mut DayCounts, record: &PollRecord) {
    counts.polls += 1;
    if matches!(record.outcome, Outcome::Failed | Outcome::Gone) {
        counts.failed += 1;
    }
    counts.new_items = counts
        .new_items
        .saturating_add(u32::try_from(record.new_items).unwrap_or(u32::MAX));
    counts.ms_total = counts.ms_total.saturating_add(record.duration_ms);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(at: DateTime<Utc>, new_items: usize, ms: u64) -> PollRecord {
        PollRecord {
            at,
            outcome: Outcome::Ok,
            error_kind: None,
            message: None,
            http_status: Some(200),
            bytes: 100,
            duration_ms: ms,
            items: new_items,
            new_items,
            updated: 0,
            new_stories: new_items,
            dropped: Dropped::default(),
            notes: Vec::new(),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn a_sample_is_stored_as_two_integers() {
        let sample = Sample {
            at: DateTime::from_timestamp_millis(1_700_000_000_123).unwrap(),
            ms: 42,
        };
        let json = serde_json::to_string(&sample).unwrap();
        assert_eq!(json, "[1700000000123,42]");
        assert_eq!(serde_json::from_str::<Sample>(&json).unwrap(), sample);
    }

    #[test]
    fn the_fifty_first_poll_lets_the_first_go() {
        let mut summary = Summary::default();
        let start = at("2026-12-01T00:00:00Z");
        for n in 0..POLLS_KEPT {
            let out = summary.record(&poll(start + Duration::minutes(n as i64), 0, 5));
            assert!(out.is_empty());
        }
        let out = summary.record(&poll(start + Duration::hours(2), 0, 5));
        assert_eq!(out, [start]);
        assert_eq!(summary.polls.len(), POLLS_KEPT);
    }

    #[test]
    fn gaps_are_between_polls_with_new_items() {
        let mut summary = Summary::default();
        let start = at("2026-12-01T00:00:00Z");
        summary.record(&poll(start, 2, 5));
        summary.record(&poll(start + Duration::hours(1), 0, 5));
        summary.record(&poll(start + Duration::hours(3), 1, 5));
        summary.record(&poll(start + Duration::hours(4), 1, 5));
        assert_eq!(summary.gaps, [3 * 3600, 3600]);
        assert_eq!(summary.median_gap(), Some(Duration::seconds(2 * 3600)));
        assert_eq!(summary.last_new, Some(start + Duration::hours(4)));
    }

    #[test]
    fn day_counters_older_than_a_month_fall_out() {
        let mut summary = Summary::default();
        let start = at("2026-10-01T12:00:00Z");
        summary.record(&poll(start, 1, 5));
        summary.record(&poll(start + Duration::days(40), 1, 5));
        assert_eq!(summary.days.len(), 1);
        assert_eq!(summary.days[0].day, day_of(start + Duration::days(40)));
    }

    #[test]
    fn a_week_of_latency_adds_daily_means_before_the_polls_kept() {
        let mut summary = Summary::default();
        let now = at("2026-12-07T12:00:00Z");
        // Two polls five days ago, then 50 today: the two fall out.
        summary.record(&poll(now - Duration::days(5), 0, 100));
        summary.record(&poll(
            now - Duration::days(5) + Duration::minutes(1),
            0,
            300,
        ));
        for n in 0..POLLS_KEPT {
            summary.record(&poll(now - Duration::minutes(60 - n as i64), 0, 7));
        }
        let week = summary.latency_week(now);
        assert_eq!(week.len(), POLLS_KEPT + 1);
        assert_eq!(week[0].ms, 200);
    }
}
