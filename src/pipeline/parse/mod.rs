//! Bytes to items: the parse stage.
//!
//! Owns the wire formats. [`feed`] reads RSS 0.9x/1.0/2.0, Atom and JSON
//! Feed through feed-rs; [`lenient`] reads, item by item, what feed-rs
//! refuses or drops, and decides each item's link; [`date`] reads the date
//! spellings of Vietnamese portals, in the day/month order [`date_order`]
//! chooses per document from the dates a first pass collects
//! (`feed_dates`, list pages' own cells) and the source's remembered
//! order. What leaves this module is a [`RawItem`]: fields as the source
//! wrote them, not yet cleaned. feed-rs types never leave it. It does no
//! I/O; the fetch time is given.

pub mod article;
mod atom03;
pub mod charset;
pub mod date;
mod date_iso;
pub mod date_order;
#[cfg(test)]
mod date_table;
mod date_zones;
mod feed;
mod feed_dates;
mod hints;
mod lenient;
#[cfg(test)]
mod lenient_tests;
mod recover;
mod salvage;
pub mod scrape;

use chrono::{DateTime, Utc};

use crate::model::{DateOrder, RawItem};

pub use feed::parse_feed;
pub use scrape::advertised_feeds;

/// A parsed document: its items in document order.
#[derive(Debug, Clone, Default)]
pub struct ParsedFeed {
    pub title: Option<String>,
    pub items: Vec<RawItem>,
    /// What the feed says about how often to poll it.
    pub hints: crate::model::Hints,
    /// Set when the document was damaged and only part of it was read:
    /// what was wrong and what was kept.
    pub partial: Option<String>,
    /// Set when a scraped page's rules mostly fail (dates that do not
    /// parse): the items are kept, the operator is told.
    pub broken_rules: Option<String>,
    /// The day/month order the document's numeric dates were read in:
    /// what it settled, else the prior it was given. The source keeps it
    /// for its next document.
    pub date_order: DateOrder,
}

/// What the parse is told about dates before it reads a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateContext {
    /// The day/month order the source's earlier documents settled.
    pub prior: DateOrder,
    /// When the document was fetched: no item is dated after it.
    pub fetched: DateTime<Utc>,
}

impl DateContext {
    /// A source with no history (day first), fetched now.
    pub fn new_source() -> DateContext {
        DateContext {
            prior: DateOrder::default(),
            fetched: Utc::now(),
        }
    }
}

/// Parses a fetched body: a list page when the source has scrape rules,
/// else a feed. Dates are read as for a new source fetched now.
pub fn parse_body(
    bytes: &[u8],
    content_type: Option<&str>,
    base: &str,
    scrape: Option<&scrape::ScrapeRules>,
) -> Result<ParsedFeed, ParseError> {
    parse_body_with(bytes, content_type, base, scrape, DateContext::new_source())
}

/// [`parse_body`] for a source with a history: `dates` carries its
/// remembered day/month order and the fetch time.
pub fn parse_body_with(
    bytes: &[u8],
    content_type: Option<&str>,
    base: &str,
    scrape: Option<&scrape::ScrapeRules>,
    dates: DateContext,
) -> Result<ParsedFeed, ParseError> {
    match scrape {
        Some(rules) => scrape::parse_list_page(bytes, content_type, base, rules, dates),
        None => feed::parse_feed_with(bytes, content_type, base, dates),
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
