//! What bantin knows about each source between polls: HTTP validators,
//! the last result, and the figures the status page shows. Kept in the
//! store so a restart neither forgets validators nor hides a failure.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::Source;
use crate::fetch::Validators;

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
    pub date_order: crate::parse::date::DateOrder,
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
}

impl Health {
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
        }
    }
}

impl SourceState {
    /// The address to poll: the configured one, or where it permanently
    /// moved. A move recorded for another configured address (the
    /// operator edited the url since) no longer applies.
    pub fn polling_url(&self, source: &Source) -> url::Url {
        self.moved
            .as_ref()
            .filter(|m| m.from == source.url.as_str())
            .and_then(|m| url::Url::parse(&m.to).ok())
            .unwrap_or_else(|| source.url.clone())
    }

    /// Whether the address bantin would poll answered 410 Gone.
    pub fn is_gone(&self, source: &Source) -> bool {
        self.gone.as_deref() == Some(self.polling_url(source).as_str())
    }

    pub fn health(&self, source: &Source) -> Health {
        if self.is_gone(source) {
            return Health::Gone;
        }
        let rules_failed = matches!(
            &self.last_result,
            Some(PollResult::Failed { kind, .. }) if kind == "broken rules"
        );
        if rules_failed || (self.consecutive_failures == 0 && self.broken_rules.is_some()) {
            return Health::BrokenRules;
        }
        match (&self.last_result, self.consecutive_failures) {
            (None, _) => Health::NotPolled,
            // From the second failure on, the interval has grown.
            (_, n) if n >= 2 => Health::BackingOff,
            (_, 1) => Health::Failing,
            _ if self.polling_url(source) != source.url => Health::Moved,
            (Some(PollResult::NotModified), _) => Health::NotModified,
            _ => Health::Ok,
        }
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
            } => {
                let mut line = format!(
                    "fetched: {items} items, {new_copies} new copies, {updated_copies} updated, {new_stories} new stories"
                );
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
        if let Some(m) = &state.moving {
            warnings.push(format!(
                "permanent redirect to {} seen on {} poll(s) in a row; adopted after {}",
                m.to,
                m.seen,
                crate::pipeline::MOVE_AFTER
            ));
        }
        let polling_url = state.polling_url(source);
        SourceStatus {
            id: source.id.clone(),
            name: source.name.clone(),
            url: source.url.to_string(),
            polling_url: polling_url.to_string(),
            state: state.health(source).label().to_string(),
            last_result: state.last_result.as_ref().map(PollResult::summary),
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_saved_before_date_order_loads_day_first() {
        let saved = r#"{"last_poll":null,"last_success":null,"last_result":null,
            "http_status":200,"next_poll":null,"moving":null,"moved":null,"gone":null}"#;
        let state: SourceState = serde_json::from_str(saved).unwrap();
        assert_eq!(state.date_order, crate::parse::date::DateOrder::DayFirst);
    }
}
