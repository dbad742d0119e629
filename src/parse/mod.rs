//! Bytes to items: the parse stage.
//!
//! Owns the wire formats. [`feed`] reads RSS 0.9x/1.0/2.0, Atom and JSON
//! Feed through feed-rs; [`lenient`] reads, item by item, what feed-rs
//! refuses or drops, and decides each item's link; [`date`] reads the date
//! spellings of Vietnamese portals. What leaves this module is a [`RawItem`]: fields as the source
//! wrote them, not yet cleaned. feed-rs types never leave it. It does no
//! I/O.

pub mod article;
mod atom03;
pub mod charset;
pub mod date;
mod feed;
mod hints;
mod lenient;
#[cfg(test)]
mod lenient_tests;
mod salvage;
pub mod scrape;

use chrono::{DateTime, Utc};

pub use feed::{advertised_feeds, parse_feed};

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

/// A parsed document: its items in document order.
#[derive(Debug, Clone, Default)]
pub struct ParsedFeed {
    pub title: Option<String>,
    pub items: Vec<RawItem>,
    /// What the feed says about how often to poll it.
    pub hints: crate::schedule::Hints,
    /// Set when the document was damaged and only part of it was read:
    /// what was wrong and what was kept.
    pub partial: Option<String>,
    /// Set when a scraped page's rules mostly fail (dates that do not
    /// parse): the items are kept, the operator is told.
    pub broken_rules: Option<String>,
}

/// Parses a fetched body: a list page when the source has scrape rules,
/// else a feed.
pub fn parse_body(
    bytes: &[u8],
    content_type: Option<&str>,
    base: &str,
    scrape: Option<&scrape::ScrapeRules>,
) -> Result<ParsedFeed, ParseError> {
    match scrape {
        Some(rules) => scrape::parse_list_page(bytes, content_type, base, rules),
        None => parse_feed(bytes, content_type, base),
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ParseError {
    #[error("parse: this is an HTML page, not a feed{}", advertised(feeds))]
    HtmlPage {
        /// Feeds the page links with `<link rel="alternate">`.
        feeds: Vec<String>,
    },
    #[error("parse: the body is empty")]
    Empty,
    #[error("parse: not a feed: {0}")]
    NotAFeed(String),
    #[error("scrape: {0}")]
    BrokenRules(String),
}

impl ParseError {
    /// A short, stable name for status pages and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            ParseError::HtmlPage { .. } => "html page",
            ParseError::Empty => "empty body",
            ParseError::NotAFeed(_) => "not a feed",
            ParseError::BrokenRules(_) => "broken rules",
        }
    }
}

fn advertised(feeds: &[String]) -> String {
    match feeds {
        [] => String::new(),
        [one] => format!("; it advertises the feed {one}"),
        many => format!("; it advertises the feeds {}", many.join(", ")),
    }
}
