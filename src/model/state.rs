//! What bantin remembers of a source between polls, kept in the store so
//! a restart neither forgets validators nor hides a failure.

use std::time::Duration;

use chrono::{DateTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceState {
    #[serde(default)]
    pub validators: Validators,
    pub last_poll: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_result: Option<PollResult>,
    pub http_status: Option<u16>,
    #[serde(default)]
    pub consecutive_failures: u32,
    pub next_poll: Option<DateTime<Utc>>,
    /// Bytes of the last body fetched.
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub duration_ms: u64,
    /// A permanent redirect seen on consecutive polls, not adopted yet.
    pub moving: Option<Moving>,
    /// A permanent redirect adopted: polls go to `to`; `from` is kept as
    /// the configured address's alias.
    pub moved: Option<Moved>,
    /// The address that answered 410 Gone; it is not polled again.
    pub gone: Option<String>,
    /// A scraped page's rules mostly failing (dates), from the last poll.
    #[serde(default)]
    pub broken_rules: Option<String>,
    /// The day/month order the source's last stored document was read in
    /// (day first until a document shows otherwise); the prior for the
    /// next. Stores written before it load as day first.
    #[serde(default)]
    pub date_order: DateOrder,
}

/// Which number comes first in an all-numeric date such as `9/5/2026`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `dd/mm/yyyy`, as Vietnamese write it: the default for a source not
    /// seen to do otherwise.
    #[default]
    DayFirst,
    /// `mm/dd/yyyy`, as US-made CMSs write it (baochinhphu.vn).
    MonthFirst,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moving {
    pub to: String,
    /// Polls in a row that saw this same permanent redirect.
    pub seen: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub from: String,
    pub to: String,
    pub at: DateTime<Utc>,
}

impl SourceState {
    /// The address to poll: the configured one, or where it permanently
    /// moved. A move recorded for another configured address (the
    /// operator edited the url since) no longer applies.
    pub fn polling_url(&self, configured: &Url) -> Url {
        self.moved
            .as_ref()
            .filter(|m| m.from == configured.as_str())
            .and_then(|m| Url::parse(&m.to).ok())
            .unwrap_or_else(|| configured.clone())
    }

    /// Whether the address bantin would poll answered 410 Gone.
    pub fn is_gone(&self, configured: &Url) -> bool {
        self.gone.as_deref() == Some(self.polling_url(configured).as_str())
    }

    /// Counts a permanent redirect of a poll of `url`; adopts its target
    /// once the same one was seen on [`MOVE_AFTER`] polls in a row. A
    /// portal that redirects by mistake for a day costs nothing; one that
    /// really moved is followed.
    pub fn saw_redirect(
        &mut self,
        source: &str,
        configured: &Url,
        url: &Url,
        moved_to: Option<&Url>,
        now: DateTime<Utc>,
    ) {
        let Some(to) = moved_to else {
            self.moving = None;
            return;
        };
        let seen = match &self.moving {
            Some(m) if m.to == to.as_str() => m.seen + 1,
            _ => 1,
        };
        if seen >= MOVE_AFTER {
            tracing::warn!(%source, from = %url, %to, "feed moved permanently; polling the new address");
            self.moved = Some(Moved {
                from: configured.to_string(),
                to: to.to_string(),
                at: now,
            });
            self.moving = None;
        } else {
            self.moving = Some(Moving {
                to: to.to_string(),
                seen,
            });
        }
    }
}

/// The items of one document that were read but not stored, by reason.
/// Every item a parse yields is stored, updated, left as it was, or
/// counted here: none goes missing in silence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    /// Neither a title nor a link: nothing a reader could see or follow.
    #[serde(default)]
    pub no_title_or_link: usize,
    /// Published before `[store] keep_days`: retention would remove it at once.
    #[serde(default)]
    pub too_old: usize,
    /// The same item twice in one document: the first is kept.
    #[serde(default)]
    pub duplicate: usize,
}

impl Dropped {
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    pub fn total(&self) -> usize {
        self.no_title_or_link + self.too_old + self.duplicate
    }

    /// Each reason with its count, for metrics.
    pub fn by_reason(&self) -> [(&'static str, usize); 3] {
        [
            ("no title or link", self.no_title_or_link),
            ("too old", self.too_old),
            ("duplicate", self.duplicate),
        ]
    }
}

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_counts(f, self.total(), "dropped", &self.by_reason())
    }
}

/// "3 dropped (2 too old, 1 duplicate)": a total, what happened, and the
/// reasons that count.
fn write_counts(
    f: &mut std::fmt::Formatter<'_>,
    total: usize,
    what: &str,
    by_reason: &[(&'static str, usize)],
) -> std::fmt::Result {
    let reasons: Vec<String> = by_reason
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(why, n)| format!("{n} {why}"))
        .collect();
    write!(f, "{total} {what} ({})", reasons.join(", "))
}

/// The items of one document stored with their HTML cut short, by
/// reason: markup nested too deep, or too long, to parse in bounded time
/// (`crate::text::nesting`). The item is stored; what follows the cut is not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cuts {
    #[serde(default)]
    pub too_deep: usize,
    #[serde(default)]
    pub too_large: usize,
}

impl Cuts {
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    pub fn total(&self) -> usize {
        self.too_deep + self.too_large
    }

    /// Adds the counts of `other`.
    pub fn add(&mut self, other: Cuts) {
        self.too_deep += other.too_deep;
        self.too_large += other.too_large;
    }

    /// Each reason with its count, for metrics.
    pub fn by_reason(&self) -> [(&'static str, usize); 2] {
        [
            ("nested too deep", self.too_deep),
            ("too large", self.too_large),
        ]
    }
}

impl std::fmt::Display for Cuts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_counts(f, self.total(), "cut short", &self.by_reason())
    }
}

/// The outcome of one poll of one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum PollResult {
    Fetched {
        items: usize,
        new_copies: usize,
        updated_copies: usize,
        new_stories: usize,
        /// The document was damaged: what was wrong and what was kept.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        partial: Option<String>,
        /// Items read but not stored, and why.
        #[serde(default, skip_serializing_if = "Dropped::is_empty")]
        dropped: Dropped,
        /// Items stored with their HTML cut short, and why.
        #[serde(default, skip_serializing_if = "Cuts::is_empty")]
        cut: Cuts,
    },
    NotModified,
    Failed {
        /// Stable short name: "timeout", "http 500", "not a feed", ...
        kind: String,
        /// The whole error in words.
        message: String,
    },
}

impl PollResult {
    /// One line for the status page and `bantin poll`.
    pub fn summary(&self) -> String {
        match self {
            PollResult::Fetched {
                items,
                new_copies,
                updated_copies,
                new_stories,
                partial,
                dropped,
                cut,
            } => {
                let mut line = format!(
                    "fetched: {items} items, {new_copies} new copies, {updated_copies} updated, {new_stories} new stories"
                );
                if !dropped.is_empty() {
                    line.push_str(&format!(", {dropped}"));
                }
                if !cut.is_empty() {
                    line.push_str(&format!(", {cut}"));
                }
                if let Some(note) = partial {
                    line.push_str(&format!(" (partial: {note})"));
                }
                line
            }
            PollResult::NotModified => "not modified".to_string(),
            PollResult::Failed { message, .. } => format!("failed: {message}"),
        }
    }

    pub fn is_failure(&self) -> bool {
        matches!(self, PollResult::Failed { .. })
    }
}

/// What a server said about a body, sent back on the next request so an
/// unchanged feed costs a 304 and no body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// What a fetched feed and its response said about polling.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hints {
    /// From the HTTP response: `Cache-Control: max-age` or `Expires`.
    pub fresh_for: Option<Duration>,
    /// From the feed: RSS `<ttl>` or `sy:updatePeriod` / `sy:updateFrequency`.
    pub feed_interval: Option<Duration>,
    /// RSS `<skipHours>`: hours (0–23, UTC as the RSS spec says) to skip.
    pub skip_hours: Vec<u32>,
    /// RSS `<skipDays>`.
    pub skip_days: Vec<Weekday>,
}

/// Polls in a row that must see the same permanent redirect before bantin
/// polls the new address.
pub const MOVE_AFTER: u32 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_saved_before_date_order_loads_day_first() {
        let saved = r#"{"last_poll":null,"last_success":null,"last_result":null,
            "http_status":200,"next_poll":null,"moving":null,"moved":null,"gone":null}"#;
        let state: SourceState = serde_json::from_str(saved).unwrap();
        assert_eq!(state.date_order, DateOrder::DayFirst);
    }
}
