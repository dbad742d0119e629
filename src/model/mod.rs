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
pub use item::{Classified, Item, RawItem};
pub use state::{
    Cuts, DateOrder, Dropped, Hints, MOVE_AFTER, Moved, Moving, PollResult, SourceState, Validators,
};
pub use story::{Copy, CopyKey, Ingested, Story, StoryId};
