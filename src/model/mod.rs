//! The types handed from stage to stage, and kept in the store: what an
//! item is when parsed and when normalized, copies and stories, and what
//! bantin remembers of a source between polls, and of its past polls.
//!
//! It owns no behaviour beyond building and comparing these values, and
//! imports nothing but [`crate::text`]: every other module may use it.

pub mod history;
pub mod item;
pub mod state;
pub mod story;

pub use history::{Outcome, PollRecord, Summary};
pub use item::{Classified, Item, RawItem, Stated};
pub use state::{
    Cuts, DateOrder, Dropped, Hints, MOVE_AFTER, Moved, Moving, PollResult, SourceState, Validators,
};
pub use story::{Copy, CopyKey, Ingested, Story, StoryId};

/// Vietnam's time, UTC+7 all year (no daylight saving since 1975): a
/// date without a zone is read in it, and pages and archives show it.
pub const VIETNAM: chrono::FixedOffset = match chrono::FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    // Decided at compile time: 7 h is within the ±24 h allowed.
    None => panic!("UTC+7 is a valid offset"),
};
