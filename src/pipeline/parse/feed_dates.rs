//! A feed's date strings as written, read before feed-rs reads the feed.
//!
//! Two jobs need the raw strings and feed-rs cannot give them: choosing
//! the document's day/month order ([`super::date_order`]) needs every date
//! of the document before any is read, and the Dublin Core terms
//! (`dcterms:issued`, `dcterms:created`, `dcterms:modified`) and an Atom
//! entry's `dc:date` are dates feed-rs ignores. One quick-xml pass
//! collects both; a document that is not XML (JSON Feed) gives none.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};

use super::date_order::Role;

const DCTERMS: &str = "http://purl.org/dc/terms/";
const DC: &str = "http://purl.org/dc/elements/1.1/";

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

/// What the pass found.
#[derive(Debug, Default)]
pub struct FeedDates {
    /// Every date string of the document with where it stood.
    pub all: Vec<(Role, String)>,
    /// Per item, in document order, the dates only this pass reads.
    pub items: Vec<ExtraDates>,
}

/// An item's Dublin Core dates, as written.
#[derive(Debug, Default, PartialEq)]
pub struct ExtraDates {
    /// `dcterms:issued`, else `dcterms:created`, else `dc:date`.
    pub published: Option<String>,
    /// `dcterms:modified`.
    pub updated: Option<String>,
}

/// Which extra field an element fills, if any.
#[derive(Clone, Copy, PartialEq)]
enum Extra {
    None,
    Issued,
    Created,
    DcDate,
    Modified,
}

/// Reads the date strings of an XML feed.
pub fn of(bytes: &[u8]) -> FeedDates {
    let mut reader = NsReader::from_reader(bytes);
    let mut found = FeedDates::default();
    // Per open element: is it a date element, and which extra field.
    let mut open: Vec<(bool, Extra)> = Vec::new();
    let mut item_depth: Option<usize> = None;
    let mut created: Vec<Option<String>> = Vec::new();
    let mut dc_date: Vec<Option<String>> = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_resolved_event_into(&mut buf) {
            Ok((ns, Event::Start(e))) => {
                let local = e.local_name().as_ref().to_ascii_lowercase();
                if item_depth.is_none() && (local == "item" || local == "entry") {
                    item_depth = Some(open.len());
                    found.items.push(ExtraDates::default());
                    created.push(None);
                    dc_date.push(None);
                }
                let is_date = DATE_ELEMENTS.contains(&local.as_str());
                let extra = match (&ns, local.as_str()) {
                    (ResolveResult::Bound(Namespace(n)), "issued") if *n == DCTERMS => {
                        Extra::Issued
                    }
                    (ResolveResult::Bound(Namespace(n)), "created") if *n == DCTERMS => {
                        Extra::Created
                    }
                    (ResolveResult::Bound(Namespace(n)), "modified") if *n == DCTERMS => {
                        Extra::Modified
                    }
                    (ResolveResult::Bound(Namespace(n)), "date") if *n == DC => Extra::DcDate,
                    _ => Extra::None,
                };
                open.push((is_date, extra));
            }
            Ok((_, Event::End(_))) => {
                open.pop();
                if item_depth == Some(open.len()) {
                    item_depth = None;
                }
            }
            Ok((_, Event::Text(t))) => note(
                &mut found,
                &open,
                item_depth,
                &t,
                [&mut created, &mut dc_date],
            ),
            Ok((_, Event::CData(t))) => note(
                &mut found,
                &open,
                item_depth,
                &t,
                [&mut created, &mut dc_date],
            ),
            Ok((_, Event::Eof)) | Err(_) => break,
            Ok(_) => {}
        }
        buf.clear();
    }
    for ((item, created), dc_date) in found.items.iter_mut().zip(created).zip(dc_date) {
        item.published = item.published.take().or(created).or(dc_date);
    }
    found
}

fn note(
    found: &mut FeedDates,
    open: &[(bool, Extra)],
    item_depth: Option<usize>,
    text: &str,
    [created, dc_date]: [&mut Vec<Option<String>>; 2],
) {
    let text = text.trim();
    let Some(&(true, extra)) = open.last() else {
        return;
    };
    if text.is_empty() {
        return;
    }
    let role = if item_depth.is_some() {
        Role::Item
    } else {
        Role::Channel
    };
    found.all.push((role, text.to_string()));
    if item_depth.is_none() {
        return;
    }
    let slot = match extra {
        Extra::None => return,
        Extra::Issued => found.items.last_mut().map(|i| &mut i.published),
        Extra::Modified => found.items.last_mut().map(|i| &mut i.updated),
        Extra::Created => created.last_mut(),
        Extra::DcDate => dc_date.last_mut(),
    };
    if let Some(slot) = slot {
        slot.get_or_insert_with(|| text.to_string());
    }
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
            found.all,
            [
                (Role::Channel, "9/5/2026 2:00:00 PM".to_string()),
                (Role::Item, "9/5/2026 1:30:00 PM".to_string())
            ]
        );
    }

    #[test]
    fn dcterms_issued_and_modified_are_an_items_dates() {
        let rss = br#"<rss xmlns:dcterms="http://purl.org/dc/terms/"><channel><item>
            <dcterms:issued>2026-09-05T13:30:00+07:00</dcterms:issued>
            <dcterms:modified>2026-09-06T08:00:00+07:00</dcterms:modified>
            </item></channel></rss>"#;
        assert_eq!(
            of(rss).items,
            [ExtraDates {
                published: Some("2026-09-05T13:30:00+07:00".into()),
                updated: Some("2026-09-06T08:00:00+07:00".into()),
            }]
        );
    }

    #[test]
    fn json_feed_has_no_dates_here() {
        assert!(
            of(br#"{"items":[{"date_published":"2026-09-05"}]}"#)
                .all
                .is_empty()
        );
    }
}
