//! What bantin knows about each source between polls: HTTP validators,
//! the last result, and the figures the status page shows. Kept in the
//! store so a restart neither forgets validators nor hides a failure.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
            } => format!(
                "fetched: {items} items, {new_copies} new copies, {updated_copies} updated, {new_stories} new stories"
            ),
            PollResult::NotModified => "not modified".to_string(),
            PollResult::Failed { message, .. } => format!("failed: {message}"),
        }
    }

    pub fn is_failure(&self) -> bool {
        matches!(self, PollResult::Failed { .. })
    }
}
