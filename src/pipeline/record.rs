//! A poll's [`PollRecord`] for the source's history, from its result and
//! the state it left: one place decides what each poll is called.

use chrono::{DateTime, Utc};

use crate::model::history::{Outcome, PollRecord};
use crate::model::{Dropped, MOVE_AFTER, PollResult, SourceState};

/// What this poll saw beyond its result, which the state alone does not
/// tell (it keeps the last figures of earlier polls too).
pub struct Seen {
    pub at: DateTime<Utc>,
    pub duration_ms: u64,
    /// The status this poll's response had, if one came.
    pub http_status: Option<u16>,
    /// The body's bytes, if one came.
    pub bytes: u64,
}

pub fn record(state: &SourceState, result: &PollResult, seen: Seen) -> PollRecord {
    let mut notes = Vec::new();
    let moved_now = state.moved.as_ref().filter(|m| m.at == seen.at);
    if let Some(m) = moved_now {
        notes.push(format!("moved: {} → {}", m.from, m.to));
    }
    if let Some(m) = &state.moving {
        notes.push(format!(
            "permanent redirect to {} seen on {} poll(s) in a row; adopted after {MOVE_AFTER}",
            m.to, m.seen
        ));
    }
    let mut record = PollRecord {
        at: seen.at,
        outcome: Outcome::Ok,
        error_kind: None,
        message: None,
        http_status: seen.http_status,
        bytes: seen.bytes,
        duration_ms: seen.duration_ms,
        items: 0,
        new_items: 0,
        updated: 0,
        new_stories: 0,
        dropped: Dropped::default(),
        notes,
    };
    match result {
        PollResult::Fetched {
            items,
            new_copies,
            updated_copies,
            new_stories,
            partial,
            dropped,
            cut,
        } => {
            record.items = *items;
            record.new_items = *new_copies;
            record.updated = *updated_copies;
            record.new_stories = *new_stories;
            record.dropped = *dropped;
            record.message = partial.as_ref().map(|p| format!("partial: {p}"));
            if !cut.is_empty() {
                record
                    .notes
                    .push(format!("items stored with their HTML {cut}"));
            }
            if let Some(reason) = &state.broken_rules {
                record.outcome = Outcome::BrokenRules;
                record.notes.push(format!("broken rules: {reason}"));
            } else if moved_now.is_some() {
                record.outcome = Outcome::Moved;
            }
        }
        PollResult::NotModified => {
            record.outcome = if moved_now.is_some() {
                Outcome::Moved
            } else {
                Outcome::NotModified
            };
        }
        PollResult::Failed { kind, message } => {
            record.outcome = match kind.as_str() {
                "gone" => Outcome::Gone,
                "broken rules" => Outcome::BrokenRules,
                _ => Outcome::Failed,
            };
            record.error_kind = Some(kind.clone());
            record.message = Some(message.clone());
        }
    }
    record
}
