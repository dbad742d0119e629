//! RSS, Atom and JSON Feed through feed-rs, adapted to [`RawItem`]; what
//! feed-rs refuses, misses or drops is recovered in [`super::recover`], and a cut
//! document by [`salvage`].

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Link, Text};
use feed_rs::parser;

use super::charset::{self, EncodingSource};
use super::recover::{Read, lenient_only, repair_c1, strict_or_lenient};
use super::{
    DateContext, ParseError, ParsedFeed, atom03, date, date_order, feed_dates, hints, salvage,
};
use crate::model::RawItem;

/// Parses a feed document. `content_type` (the HTTP header) may name its
/// charset; `base` (the URL it was fetched from) makes relative item links
/// absolute. Dates are read as for a new source fetched now.
pub fn parse_feed(
    bytes: &[u8],
    content_type: Option<&str>,
    base: &str,
) -> Result<ParsedFeed, ParseError> {
    parse_feed_with(bytes, content_type, base, DateContext::new_source())
}

/// [`parse_feed`] with the source's date history: the document's numeric
/// dates are read in the day/month order it settles, else in `dates.prior`.
pub fn parse_feed_with(
    bytes: &[u8],
    content_type: Option<&str>,
    base: &str,
    dates: DateContext,
) -> Result<ParsedFeed, ParseError> {
    let text = decode(bytes, content_type);
    let start = text.trim_start();
    if start.is_empty() {
        return Err(ParseError::Empty);
    }
    if looks_like_html(start) {
        return Err(ParseError::HtmlPage {
            feeds: super::scrape::advertised_feeds(start, base),
        });
    }
    let document = atom03::upgrade(text.as_bytes());
    // All the document's dates are seen before any is read: their order
    // is the document's, not each string's.
    let found = feed_dates::of(&document);
    let (decision, read) = date_order::decide_and_read(
        found.iter().map(|(role, t)| (*role, t.as_str())),
        dates.prior,
        dates.fetched,
    );
    let reading = decision.reading(dates.fetched);
    // feed-rs asks for the same strings again: answer from what deciding
    // read, and parse only what the pass did not see.
    let known: HashMap<String, Option<DateTime<Utc>>> =
        found.into_iter().map(|(_, text)| text).zip(read).collect();
    let hook = Arc::new(move |text: &str| match known.get(text.trim()) {
        Some(read) => *read,
        None => date::parse_date_as(text, reading),
    });
    let read = match feed_rs(&document, base, Arc::clone(&hook)) {
        Ok(feed) => strict_or_lenient(feed, &document, base, &*hook),
        // feed-rs gives up on the whole document at the first fault; keep
        // the complete items before it, as feedparser does.
        Err(e) => match salvage::xml(&document).or_else(|| salvage::json_feed(&document)) {
            Some(salvaged) => {
                let read = match feed_rs(&salvaged.document, base, Arc::clone(&hook)) {
                    Ok(feed) => strict_or_lenient(feed, &salvaged.document, base, &*hook),
                    Err(_) => lenient_only(&salvaged.document, base, &e, &*hook)?,
                };
                // A cut document can hold an unknown construct too: say both.
                let partial = match read.partial {
                    Some(construct) => format!("{construct}; {}", salvaged.note),
                    None => salvaged.note,
                };
                Read {
                    partial: Some(partial),
                    ..read
                }
            }
            None => lenient_only(&document, base, &e, &*hook)?,
        },
    };
    let items: Vec<RawItem> = read.items.into_iter().map(repair_c1).collect();
    Ok(ParsedFeed {
        title: read.title,
        items,
        hints: hints::of(&document),
        partial: read.partial,
        broken_rules: None,
        date_order: decision.order,
    })
}

fn feed_rs(
    document: &[u8],
    base: &str,
    dates: Arc<impl Fn(&str) -> Option<DateTime<Utc>> + Send + Sync + 'static>,
) -> Result<feed_rs::model::Feed, ParseError> {
    parser::Builder::new()
        .base_uri(Some(base))
        .timestamp_parser(move |text| dates(text))
        // An empty id marks "the source gave none", so the copy key can
        // fall back to the link instead of a hash feed-rs made up.
        .id_generator(|_, _, _| String::new())
        .build()
        .parse(document)
        .map_err(|e| ParseError::NotAFeed(e.to_string()))
}

/// The body as NFC UTF-8. A server whose header claims UTF-8 for bytes
/// that are not (a portal behind a proxy that adds `charset=utf-8` to
/// everything) loses to what the document itself declares.
fn decode(bytes: &[u8], content_type: Option<&str>) -> String {
    let decoded = charset::decode(bytes, content_type);
    if decoded.had_errors && decoded.decided_by == EncodingSource::HttpHeader {
        let own = charset::decode(bytes, None);
        if !own.had_errors {
            return own.text;
        }
    }
    decoded.text
}

pub(super) fn raw_item(entry: Entry) -> RawItem {
    let link = item_link(&entry.links);
    RawItem {
        guid: Some(entry.id).filter(|id| !id.trim().is_empty()),
        title: entry.title.map(text),
        link,
        summary: entry.summary.map(text),
        content: entry.content.and_then(|c| c.body),
        published: entry.published,
        updated: entry.updated,
        authors: entry
            .authors
            .into_iter()
            .filter_map(|p| p.name.or(p.email))
            .filter(|n| !n.trim().is_empty())
            .collect(),
        categories: entry
            .categories
            .into_iter()
            .map(|c| c.label.unwrap_or(c.term))
            .filter(|c| !c.trim().is_empty())
            .collect(),
    }
}

/// The item's page: the `alternate` link, else the first link without a
/// rel (RSS `<link>`, JSON `url`); never a comments page, which feed-rs
/// also files as a link without a rel.
fn item_link(links: &[Link]) -> Option<String> {
    let page = |l: &&Link| l.target.is_none();
    links
        .iter()
        .filter(page)
        .find(|l| l.rel.as_deref() == Some("alternate"))
        .or_else(|| links.iter().filter(page).find(|l| l.rel.is_none()))
        .map(|l| l.href.clone())
}

fn text(t: Text) -> String {
    t.content
}

/// An HTML page served where a feed was expected: a portal's maintenance
/// page with 200 OK, or its home page after a redesign.
fn looks_like_html(start: &str) -> bool {
    let head = start.get(..16).unwrap_or(start).to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_item_without_guid_has_no_guid() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><title>Tin 1</title><link>/tin/1.html</link></item></channel></rss>"#;
        let feed = parse_feed(rss, None, "https://haugiang.gov.vn.test/rss").unwrap();
        assert_eq!(feed.items[0].guid, None);
        assert_eq!(
            feed.items[0].link.as_deref(),
            Some("https://haugiang.gov.vn.test/tin/1.html")
        );
    }

    #[test]
    fn html_maintenance_page_is_not_a_feed() {
        let html = b"\xEF\xBB\xBF\n<!DOCTYPE html><html><body>Bao tri</body></html>";
        let err = parse_feed(html, None, "https://x.test/").unwrap_err();
        assert_eq!(err.to_string(), "parse: this is an HTML page, not a feed");
    }

    #[test]
    fn html_page_names_the_feeds_it_advertises() {
        let html = br#"<!doctype html><html><head>
            <link rel="alternate" type="application/rss+xml" href="/rss/tin-moi.rss">
            <link rel="alternate" hreflang="en" href="/en/">
            <link rel="stylesheet" href="/a.css"></head><body></body></html>"#;
        let err = parse_feed(html, None, "https://haugiang.gov.vn.test/trang-chu").unwrap_err();
        assert_eq!(
            err.to_string(),
            "parse: this is an HTML page, not a feed; it advertises the feed https://haugiang.gov.vn.test/rss/tin-moi.rss"
        );
    }

    #[test]
    fn zone_less_pubdate_is_read_as_vietnam_time() {
        let rss = br#"<rss version="2.0"><channel><title>t</title>
            <item><guid>a</guid><title>x</title><pubDate>06/08/2021 14:30</pubDate></item>
            </channel></rss>"#;
        let feed = parse_feed(rss, None, "https://x.test/").unwrap();
        let published = feed.items[0].published.unwrap();
        assert_eq!(published.to_rfc3339(), "2021-08-06T07:30:00+00:00");
    }

    #[test]
    fn dcterms_dates_of_an_atom_entry_are_read() {
        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dcterms="http://purl.org/dc/terms/">
            <title>t</title><entry><title>x</title><id>a</id>
            <dcterms:issued>2026-09-05T13:30:00+07:00</dcterms:issued>
            <dcterms:modified>2026-09-06T08:00:00+07:00</dcterms:modified>
            </entry></feed>"#;
        let item = &parse_feed(atom, None, "https://x.test/").unwrap().items[0];
        let rfc = |d: Option<chrono::DateTime<chrono::Utc>>| d.map(|d| d.to_rfc3339());
        assert_eq!(
            rfc(item.published).as_deref(),
            Some("2026-09-05T06:30:00+00:00")
        );
        assert_eq!(
            rfc(item.updated).as_deref(),
            Some("2026-09-06T01:00:00+00:00")
        );
    }

    #[test]
    fn last_build_date_settles_the_order_of_item_dates() {
        // Day first, 6 March and 6 February, would be three months before
        // the feed was built; month first is the days before.
        let rss = br#"<rss version="2.0"><channel><title>t</title>
            <lastBuildDate>Sat, 06 Jun 2026 10:00:00 +0700</lastBuildDate>
            <item><guid>a</guid><title>x</title><pubDate>6/3/2026 09:00</pubDate></item>
            <item><guid>b</guid><title>y</title><pubDate>6/2/2026 09:00</pubDate></item>
            </channel></rss>"#;
        let dates = DateContext {
            prior: crate::model::DateOrder::DayFirst,
            fetched: chrono::DateTime::parse_from_rfc3339("2026-12-03T00:00:00Z")
                .unwrap()
                .to_utc(),
        };
        let feed = parse_feed_with(rss, None, "https://x.test/", dates).unwrap();
        assert_eq!(feed.date_order, crate::model::DateOrder::MonthFirst);
        assert_eq!(
            feed.items[0].published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-06-03T02:00:00+00:00")
        );
    }

    #[test]
    fn rss_091_is_read() {
        let rss = br#"<?xml version="1.0" encoding="ISO-8859-1"?>
            <rss version="0.91"><channel><title>t</title><link>https://x.test/</link>
            <description>d</description><language>vi</language>
            <item><title>Tin c&#361;</title><link>https://x.test/1</link>
            <description>M&#244; t&#7843;</description></item></channel></rss>"#;
        let feed = parse_feed(rss, None, "https://x.test/").unwrap();
        assert_eq!(feed.items.len(), 1);
        assert_eq!(feed.items[0].title.as_deref(), Some("Tin cũ"));
        assert_eq!(feed.items[0].summary.as_deref(), Some("Mô tả"));
    }

    #[test]
    fn atom_03_is_read() {
        let atom = br#"<?xml version="1.0" encoding="utf-8"?>
            <feed version="0.3" xmlns="http://purl.org/atom/ns#">
            <title>t</title><modified>2021-08-04T02:00:00Z</modified>
            <entry><title>Tin Atom 0.3</title><id>tag:x.test,2021:1</id>
            <link rel="alternate" type="text/html" href="https://x.test/a"/>
            <issued>2021-08-04T09:00:00+07:00</issued><modified>2021-08-04T02:00:00Z</modified>
            </entry></feed>"#;
        let feed = parse_feed(atom, None, "https://x.test/").unwrap();
        let item = &feed.items[0];
        assert_eq!(item.title.as_deref(), Some("Tin Atom 0.3"));
        assert_eq!(item.guid.as_deref(), Some("tag:x.test,2021:1"));
        assert_eq!(item.link.as_deref(), Some("https://x.test/a"));
        assert!(item.published.or(item.updated).is_some());
    }
}
