//! An item as parse leaves it, as normalize leaves it, and as classify
//! hands it to the merge.

use chrono::{DateTime, Utc};

use crate::text::sketch::Sketch;
use crate::text::syllables::Terms;

/// One item as its source published it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawItem {
    /// The source's own id for the item (RSS guid, Atom id, JSON id), if it
    /// gave one.
    pub guid: Option<String>,
    pub title: Option<String>,
    /// Absolute when the feed made it so (`xml:base`, the feed's URL).
    pub link: Option<String>,
    /// Summary or description: HTML or plain text.
    pub summary: Option<String>,
    /// Full content, HTML.
    pub content: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
}

/// How much of an item's date its source stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stated {
    /// A date and a time of day.
    #[default]
    Time,
    /// A date only (read as midnight in Vietnam): the time of day is when
    /// bantin saw it, kept within that date.
    Day,
    /// No usable date: `published` is when bantin first saw the item.
    Nothing,
}

impl Stated {
    /// Whether `stored`, a date kept for this item, is still what the
    /// source says of `now`, the item's date as read again. A time bantin
    /// chose is not compared, only what the source stated: a date-only
    /// item keeps its time while its date stays, an undated one always.
    pub fn same_date(self, stored: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        match self {
            Stated::Time => stored == now,
            Stated::Day => vietnam_day(stored) == vietnam_day(now),
            Stated::Nothing => true,
        }
    }
}

fn vietnam_day(t: DateTime<Utc>) -> chrono::NaiveDate {
    t.with_timezone(&super::VIETNAM).date_naive()
}

/// One item, clean and comparable.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item {
    pub guid: Option<String>,
    /// Canonical absolute http(s) link.
    pub link: Option<String>,
    pub title: String,
    /// Plain text.
    pub summary: String,
    /// Sanitized HTML; empty when the source gave no body.
    pub content: String,
    /// `content` as plain text, for matching.
    pub content_text: String,
    pub published: DateTime<Utc>,
    /// How much of `published` the source gave; the rest is bantin's
    /// ([`crate::pipeline::normalize::dates`]).
    pub stated: Stated,
    /// When the source says it last changed the item (Atom `updated`,
    /// JSON Feed `date_modified`), if it said so plausibly.
    pub updated: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    /// `content` is the full article, fetched from the item's page.
    pub article: bool,
}

/// An item ready to merge: the topics it belongs in and its text's
/// fingerprint (`None` when the text is too short to tell), both read from
/// one split of its text.
#[derive(Debug, Clone)]
pub struct Classified {
    pub item: Item,
    pub topics: Vec<String>,
    pub sketch: Option<Sketch>,
    /// What the search index keeps of its text.
    pub terms: Terms,
}
