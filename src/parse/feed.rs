//! RSS, Atom and JSON Feed through feed-rs, adapted to [`RawItem`].

use feed_rs::model::{Entry, Link, Text};
use feed_rs::parser;

use super::{ParseError, ParsedFeed, RawItem, date};

/// Parses a feed document. `base` (the URL it was fetched from) makes
/// relative item links absolute.
pub fn parse_feed(bytes: &[u8], base: &str) -> Result<ParsedFeed, ParseError> {
    let start = skip_bom_and_space(bytes);
    if start.is_empty() {
        return Err(ParseError::Empty);
    }
    if looks_like_html(start) {
        return Err(ParseError::HtmlPage);
    }
    let feed = parser::Builder::new()
        .base_uri(Some(base))
        .timestamp_parser(date::parse_date)
        // An empty id marks "the source gave none", so the copy key can
        // fall back to the link instead of a hash feed-rs made up.
        .id_generator(|_, _, _| String::new())
        .build()
        .parse(bytes)
        .map_err(|e| ParseError::NotAFeed(e.to_string()))?;
    Ok(ParsedFeed {
        title: feed.title.map(|t| t.content),
        items: feed.entries.into_iter().map(raw_item).collect(),
    })
}

fn raw_item(entry: Entry) -> RawItem {
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
/// rel (RSS `<link>`, JSON `url`).
fn item_link(links: &[Link]) -> Option<String> {
    links
        .iter()
        .find(|l| l.rel.as_deref() == Some("alternate"))
        .or_else(|| links.iter().find(|l| l.rel.is_none()))
        .map(|l| l.href.clone())
}

fn text(t: Text) -> String {
    t.content
}

fn skip_bom_and_space(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[first..]
}

/// An HTML page served where a feed was expected: a portal's maintenance
/// page with 200 OK, or its home page after a redesign.
fn looks_like_html(start: &[u8]) -> bool {
    let head: Vec<u8> = start.iter().take(512).map(u8::to_ascii_lowercase).collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_item_without_guid_has_no_guid() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><title>Tin 1</title><link>/tin/1.html</link></item></channel></rss>"#;
        let feed = parse_feed(rss, "https://haugiang.gov.vn.test/rss").unwrap();
        assert_eq!(feed.items[0].guid, None);
        assert_eq!(
            feed.items[0].link.as_deref(),
            Some("https://haugiang.gov.vn.test/tin/1.html")
        );
    }

    #[test]
    fn html_maintenance_page_is_not_a_feed() {
        let html = b"\xEF\xBB\xBF\n<!DOCTYPE html><html><body>Bao tri</body></html>";
        assert!(matches!(
            parse_feed(html, "https://x.test/"),
            Err(ParseError::HtmlPage)
        ));
    }

    #[test]
    fn zone_less_pubdate_is_read_as_vietnam_time() {
        let rss = br#"<rss version="2.0"><channel><title>t</title>
            <item><guid>a</guid><title>x</title><pubDate>06/08/2021 14:30</pubDate></item>
            </channel></rss>"#;
        let feed = parse_feed(rss, "https://x.test/").unwrap();
        let published = feed.items[0].published.unwrap();
        assert_eq!(published.to_rfc3339(), "2021-08-06T07:30:00+00:00");
    }
}
