//! A feed's date strings as written, read before feed-rs reads the feed.
//!
//! Choosing the document's day/month order ([`super::date_order`]) needs
//! every date of the document before any is read, and feed-rs gives only
//! what it read. One quick-xml pass collects them, each with whether it
//! is the channel's or an item's; a document that is not XML (JSON Feed)
//! gives none. The dates feed-rs ignores (Dublin Core on an Atom entry)
//! reach the items through the recovering reader ([`super::recover`]).

use quick_xml::NsReader;
use quick_xml::events::Event;

use super::date_order::Role;

/// The elements whose text is a date, by local name, in any namespace
/// (RSS, Atom 0.3 and 1.0, RSS 1.0, Dublin Core).
const DATE_ELEMENTS: [&str; 8] = [
    "pubdate",
    "lastbuilddate",
    "date",
    "published",
    "updated",
    "issued",
    "modified",
    "created",
];

/// Every date string of an XML feed with where it stood, in document order.
pub fn of(bytes: &[u8]) -> Vec<(Role, String)> {
    let mut reader = NsReader::from_reader(bytes);
    let mut found = Vec::new();
    // Per open element: is it a date element.
    let mut open: Vec<bool> = Vec::new();
    let mut item_depth: Option<usize> = None;
    let mut buf = Vec::new();
    loop {
        let text = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let local = e.local_name().as_ref().to_ascii_lowercase();
                if item_depth.is_none() && (local == "item" || local == "entry") {
                    item_depth = Some(open.len());
                }
                open.push(DATE_ELEMENTS.contains(&local.as_str()));
                None
            }
            Ok(Event::End(_)) => {
                open.pop();
                if item_depth == Some(open.len()) {
                    item_depth = None;
                }
                None
            }
            Ok(Event::Text(t)) => Some(String::from(&*t)),
            Ok(Event::CData(t)) => Some(String::from(&*t)),
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => None,
        };
        if let Some(text) = text {
            let text = text.trim();
            if open.last() == Some(&true) && !text.is_empty() {
                let role = match item_depth {
                    Some(_) => Role::Item,
                    None => Role::Channel,
                };
                found.push((role, text.to_string()));
            }
        }
        buf.clear();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_and_item_dates_are_told_apart() {
        let rss = b"<rss><channel><lastBuildDate>9/5/2026 2:00:00 PM</lastBuildDate>\
            <item><pubDate>9/5/2026 1:30:00 PM</pubDate></item></channel></rss>";
        let found = of(rss);
        assert_eq!(
            found,
            [
                (Role::Channel, "9/5/2026 2:00:00 PM".to_string()),
                (Role::Item, "9/5/2026 1:30:00 PM".to_string())
            ]
        );
    }

    #[test]
    fn json_feed_has_no_dates_here() {
        assert!(of(br#"{"items":[{"date_published":"2026-09-05"}]}"#).is_empty());
    }
}
