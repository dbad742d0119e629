//! Bytes to items: the parse stage.
//!
//! Owns the wire formats. [`feed`] reads RSS 0.9x/1.0/2.0, Atom and JSON
//! Feed through feed-rs; [`date`] reads the date spellings of Vietnamese
//! portals. What leaves this module is a [`RawItem`]: fields as the source
//! wrote them, not yet cleaned. feed-rs types never leave it. It does no
//! I/O.

pub mod date;
mod feed;

use chrono::{DateTime, Utc};

pub use feed::parse_feed;

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
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ParseError {
    #[error("parse: this is an HTML page, not a feed")]
    HtmlPage,
    #[error("parse: the body is empty")]
    Empty,
    #[error("parse: not a feed: {0}")]
    NotAFeed(String),
}

impl ParseError {
    /// A short, stable name for status pages and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            ParseError::HtmlPage => "html page",
            ParseError::Empty => "empty body",
            ParseError::NotAFeed(_) => "not a feed",
        }
    }
}
