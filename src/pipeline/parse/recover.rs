//! What feed-rs refuses, misses or drops, recovered: a refused document
//! read by the recovering reader ([`super::lenient`]) with the construct
//! named for the operator, items outside the channel counted in, and each
//! item feed-rs read completed with the fields and link rules it lacks.

use chrono::{DateTime, Utc};

use super::ParseError;
use super::feed::raw_item;
use super::lenient::{self, Lenient, LenientItem};
use crate::model::RawItem;

/// What was read of a document, by whichever reader.
pub(super) struct Read {
    pub title: Option<String>,
    pub items: Vec<RawItem>,
    pub partial: Option<String>,
}

/// `dates` reads a date string the way the document's order says.
pub(super) type Dates<'a> = &'a dyn Fn(&str) -> Option<DateTime<Utc>>;

/// feed-rs's items, with the fields only the recovering reader keeps; or
/// the recovering reader's items when feed-rs missed some of them (items
/// outside the channel).
pub(super) fn strict_or_lenient(
    feed: feed_rs::model::Feed,
    document: &[u8],
    base: &str,
    dates: Dates<'_>,
) -> Read {
    let title = feed.title.map(|t| t.content);
    let strict: Vec<RawItem> = feed.entries.into_iter().map(raw_item).collect();
    let lenient = lenient::read(document, base);
    let (got, all) = (strict.len(), lenient.items.len());
    if all > got {
        let construct = match lenient.item_outside_channel {
            true => "<item> directly under <rss>".to_owned(),
            false => format!("items feed-rs does not see under {}", root(&lenient)),
        };
        let note = format!(
            "{construct}: feed-rs read {got} of the {all} items; read them all with the recovering reader"
        );
        return recovered(lenient.items, title.or(lenient.title), note, dates);
    }
    // The readers agree on the items only when they count the same ones.
    let items = match all == got {
        true => strict
            .into_iter()
            .zip(lenient.items)
            .map(|pair| combined(pair, dates))
            .collect(),
        false => strict,
    };
    Read {
        title,
        items,
        partial: None,
    }
}

/// The recovering reader's items of a document feed-rs refused, or
/// feed-rs's error when not one item can be read.
pub(super) fn lenient_only(
    document: &[u8],
    base: &str,
    refused: &ParseError,
    dates: Dates<'_>,
) -> Result<Read, ParseError> {
    let lenient = lenient::read(document, base);
    if lenient.items.is_empty() {
        return Err(refused.clone());
    }
    let n = lenient.items.len();
    let noun = if n == 1 { "item" } else { "items" };
    let why = refused.to_string();
    let why = why.trim_start_matches("parse: not a feed: ");
    let construct = construct(why, &lenient, document);
    let note = format!(
        "{construct}: feed-rs refused the document ({why}); read {n} {noun} with the recovering reader"
    );
    Ok(recovered(lenient.items, lenient.title, note, dates))
}

/// The recovering reader's items as what was read, with the note that
/// says why they were needed.
fn recovered(
    items: Vec<LenientItem>,
    title: Option<String>,
    note: String,
    dates: Dates<'_>,
) -> Read {
    Read {
        title,
        items: items.into_iter().map(|item| item.into_raw(dates)).collect(),
        partial: Some(note),
    }
}

/// The construct feed-rs refused, named for the operator.
fn construct(why: &str, lenient: &Lenient, document: &[u8]) -> String {
    let mut named = if why.contains("no root element") {
        format!("root {}", root(lenient))
    } else if let Some(rest) = why.split("unsupported content type ").nth(1) {
        let (kind, at) = rest.split_once(" at position ").unwrap_or((rest, ""));
        let element = at
            .trim()
            .parse()
            .ok()
            .and_then(|at| element_before(document, at));
        let on = element.map(|e| format!(" on <{e}>")).unwrap_or_default();
        format!("type=\"{kind}\"{on}")
    } else if why.contains("content.inline") {
        "inline XML in <content>".to_owned()
    } else {
        why.to_owned()
    };
    if lenient.item_outside_channel {
        named.push_str(", <item> directly under it");
    }
    named
}

fn root(lenient: &Lenient) -> &str {
    lenient.root.as_deref().unwrap_or("the root")
}

/// The name of the last start tag before byte `at`.
fn element_before(document: &[u8], at: usize) -> Option<String> {
    let head = document.get(..at.min(document.len()))?;
    let start = (0..head.len())
        .rev()
        .find(|&i| head[i] == b'<' && head.get(i + 1).is_some_and(u8::is_ascii_alphabetic))?;
    let name = &head[start + 1..];
    let len = name
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
        .unwrap_or(name.len());
    Some(String::from_utf8_lossy(&name[..len]).into_owned())
}

/// One item as feed-rs read it, completed by the recovering reader: its
/// link by the link rules, fields feed-rs drops, base64 text decoded, and
/// the richer body.
fn combined((strict, lenient): (RawItem, LenientItem), dates: Dates<'_>) -> RawItem {
    let decoded = lenient.decoded;
    // Reading a date is dear: only where feed-rs found none.
    let l = match strict.published.is_some() && strict.updated.is_some() {
        true => lenient.raw,
        false => lenient.into_raw(dates),
    };
    // feed-rs gives an empty `<title/>` as an empty title, which must not
    // hide a dc:title.
    let pick = |s: Option<String>, l: Option<String>| {
        let s = s.filter(|s| !s.trim().is_empty());
        match decoded {
            true => l.or(s),
            false => s.or(l),
        }
    };
    let longer = |s: Option<String>, l: Option<String>| match (s, l) {
        (Some(s), Some(l)) if l.chars().count() > s.chars().count() => Some(l),
        (s, l) => s.or(l),
    };
    RawItem {
        guid: strict.guid,
        title: pick(strict.title, l.title),
        link: l.link.or(strict.link),
        summary: pick(strict.summary, l.summary),
        content: match decoded {
            true => l.content.or(strict.content),
            false => longer(strict.content, l.content),
        },
        published: strict.published.or(l.published),
        updated: strict.updated.or(l.updated),
        authors: match strict.authors.is_empty() {
            true => l.authors,
            false => strict.authors,
        },
        categories: match strict.categories.is_empty() {
            true => l.categories,
            false => strict.categories,
        },
    }
}

/// C1 controls written as character references (`&#146;`), which the XML
/// readers decode after [`super::charset`] has seen the text.
pub(super) fn repair_c1(mut item: RawItem) -> RawItem {
    for text in [&mut item.title, &mut item.summary, &mut item.content]
        .into_iter()
        .flatten()
    {
        if let std::borrow::Cow::Owned(repaired) = crate::text::repair_c1(text) {
            *text = repaired;
        }
    }
    item
}
