//! An item as parse leaves it, as normalize leaves it, and as classify
//! hands it to the merge.

use chrono::{DateTime, Utc};

use crate::text::sketch::Sketch;

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
    /// True when the source gave no usable date and `published` is the time
    /// bantin first saw the item.
    pub date_missing: bool,
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
}
