//! RawItem to Item: the normalize stage.
//!
//! Owns what a reader sees of an item and what later stages compare: text
//! in NFC with entities decoded and whitespace collapsed ([`crate::text`]),
//! one canonical absolute link ([`link`]), sanitized HTML with absolute URLs
//! ([`html`]), and a date in UTC. It never looks at other items or the store.

pub mod dates;
mod html;
mod link;

use chrono::{DateTime, Duration, Utc};

use std::borrow::Cow;

use crate::model::{Item, RawItem};
use crate::pipeline::parse::charset::repair_mojibake;
use crate::text::nesting::{Cut, bound};
use crate::text::{clean, html_to_text, repair_c1};

pub use html::sanitize_html;
pub use link::canonical_link;

/// A summary longer than this is cut (at a word) for the feed's `summary`;
/// the whole text stays in `content`.
const SUMMARY_CHARS: usize = 600;

/// How far in the future a date may lie before it is treated as a
/// mistake: a day covers any time zone confusion.
const FUTURE_SLACK: Duration = Duration::days(1);

/// Normalizes one raw item. `base` is the URL of the document it came
/// from; `seen` is when bantin fetched it.
pub fn normalize(raw: &RawItem, base: &str, seen: DateTime<Utc>) -> Item {
    normalize_bounded(raw, base, seen).0
}

/// [`normalize`], and why the item's HTML was cut, if it was: markup
/// nested too deep or too long to parse is cut before it is parsed
/// ([`crate::text::nesting`]), and the poll says so.
pub fn normalize_bounded(raw: &RawItem, base: &str, seen: DateTime<Utc>) -> (Item, Option<Cut>) {
    let mut cut = None;
    let title = raw.title.as_deref().map(|t| bounded(t, &mut cut));
    let summary = raw.summary.as_deref().map(|s| bounded(s, &mut cut));
    let content = raw.content.as_deref().map(|c| bounded(c, &mut cut));
    let item = normalize_fields(
        raw,
        title.as_deref(),
        summary.as_deref(),
        content.as_deref(),
        base,
        seen,
    );
    (item, cut)
}

fn bounded<'a>(html: &'a str, cut: &mut Option<Cut>) -> Cow<'a, str> {
    let (html, why) = bound(html);
    *cut = cut.or(why);
    html
}

fn normalize_fields(
    raw: &RawItem,
    title: Option<&str>,
    summary: Option<&str>,
    content: Option<&str>,
    base: &str,
    seen: DateTime<Utc>,
) -> Item {
    let link = raw.link.as_deref().and_then(|l| canonical_link(l, base));
    // Relative URLs inside the HTML belong to the item's page, not to the
    // feed: a portal's `<img src="/media/...">` must not point at bantin.
    let html_base = link.as_deref().unwrap_or(base);

    let title = title.map(|t| text_of(&unmangled(t))).unwrap_or_default();
    let summary_html = unmangled(summary.unwrap_or_default());
    let summary_html = summary_html.as_ref();
    let full_content = content.map(unmangled);
    let full_content = full_content.as_deref().filter(|c| !c.trim().is_empty());
    // Without a full body the description is the content; its text then
    // serves as the summary too, without parsing the HTML twice.
    let content = clean_html(full_content.unwrap_or(summary_html), html_base);
    let content_text = html_to_text(&content);
    let summary = match full_content {
        Some(_) if !summary_html.trim().is_empty() => text_of(summary_html),
        _ => content_text.clone(),
    };
    let summary = shorten(&summary, SUMMARY_CHARS);

    let stated = raw.published.or(raw.updated);
    let plausible = stated.filter(|d| *d <= seen + FUTURE_SLACK);
    Item {
        guid: raw.guid.as_deref().map(clean).filter(|g| !g.is_empty()),
        link,
        title,
        summary,
        content,
        content_text,
        published: plausible.unwrap_or(seen),
        stated: dates::stated(plausible),
        updated: raw.updated.filter(|d| *d <= seen + FUTURE_SLACK),
        // Read as text like titles: a name written with markup
        // (`<b>PV</b>`, an escaped `<script>`) goes out as its words only.
        authors: raw
            .authors
            .iter()
            .map(|a| text_of(a))
            .filter(|a| !a.is_empty())
            .collect(),
        categories: raw.categories.iter().map(|c| text_of(c)).collect(),
        article: false,
    }
}

/// An article page's HTML as item content: sanitized with its own page as
/// the base for relative URLs, and its text; and why it was cut, if it was.
pub fn article_content(html: &str, page: &str) -> (String, String, Option<Cut>) {
    let (html, cut) = bound(html);
    let content = clean_html(&unmangled(&html), page);
    let text = html_to_text(&content);
    (content, text, cut)
}

/// The text itself, unless it is unmistakably UTF-8 once misread as
/// windows-1252 ("Bá»™ Y táº¿"), which is repaired. Done before any
/// whitespace cleanup: the mojibake of "à" ends in a no-break space.
fn unmangled(text: &str) -> Cow<'_, str> {
    match repair_mojibake(text) {
        Some(repaired) => Cow::Owned(repaired),
        None => Cow::Borrowed(text),
    }
}

/// Text that may hold markup or entities, as plain text. Feeds escape
/// twice at times (`&amp;#7853;`), so markup and entities are peeled until
/// stable: markup an escape hid (`&lt;script&gt;`) is markup still, and
/// must not reach a reader that shows a title or an author's name as HTML.
fn text_of(s: &str) -> String {
    let mut text = s.to_string();
    for _ in 0..PEELS {
        let next = if text.contains('<') {
            html_to_text(&text)
        } else {
            // A double-escaped `&amp;#146;` is a C1 control only once decoded here.
            clean(&repair_c1(&html_escape::decode_html_entities(&text)))
        };
        if next == text {
            return text;
        }
        text = next;
    }
    // Escaped deeper than any feed does: what still reads as a tag is
    // broken up (`< script`), which no HTML parser takes for one.
    untagged(&text)
}

/// Rounds of markup and entities [`text_of`] takes off at most.
const PEELS: usize = 8;

/// `text` with a space after every `<` that would open a tag.
fn untagged(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '<'
            && chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'))
        {
            out.push(' ');
        }
    }
    out
}

fn clean_html(html: &str, base: &str) -> String {
    if html.trim().is_empty() {
        return String::new();
    }
    clean(&sanitize_html(html, base))
}

/// Cuts at the last space before `max` characters and marks the cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn seen() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 3, 0, 0).unwrap()
    }

    #[test]
    fn markup_escaped_in_raw_text_is_no_tag_in_a_title() {
        // Found by the property tests: `<xmp>` keeps its escapes as text,
        // which a fixed two decodings turned into a `<script>` title.
        let raw = RawItem {
            title: Some("<object><a><xmp>&amp;lt;script&amp;gt;".into()),
            ..RawItem::default()
        };
        let title = normalize(&raw, "https://x.test/", seen()).title;
        assert!(!title.contains("<script"), "{title}");
        // Escaped deeper than the peels reach: left as text, never a tag.
        let deep = format!("&{}lt;script&gt;", "amp;".repeat(PEELS - 1));
        assert_eq!(text_of(&deep), "< script>");
    }

    #[test]
    fn authors_are_text_without_markup() {
        let raw = RawItem {
            authors: vec![
                "&lt;script&gt;alert(1)&lt;/script&gt;Phóng viên".into(),
                "<script>alert(1)</script>".into(),
                "<b>Hữu Tài</b>".into(),
            ],
            ..RawItem::default()
        };
        assert_eq!(
            normalize(&raw, "https://x.test/", seen()).authors,
            ["Phóng viên", "Hữu Tài"]
        );
    }

    #[test]
    fn double_escaped_title_is_decoded() {
        let raw = RawItem {
            title: Some("Văn ph&#242;ng  &amp; Sở\u{00A0}Y tế ".into()),
            ..RawItem::default()
        };
        assert_eq!(
            normalize(&raw, "https://x.test/", seen()).title,
            "Văn phòng & Sở Y tế"
        );
    }

    #[test]
    fn relative_image_in_description_points_at_the_item_host() {
        let raw = RawItem {
            link: Some("https://haugiang.gov.vn.test/tin/1".into()),
            summary: Some(r#"<img src="/media/1/a.jpg"></br>Nội dung"#.into()),
            ..RawItem::default()
        };
        let item = normalize(&raw, "https://feeds.test/rss", seen());
        assert!(
            item.content
                .contains(r#"src="https://haugiang.gov.vn.test/media/1/a.jpg""#),
            "{}",
            item.content
        );
        assert_eq!(item.summary, "Nội dung");
    }

    #[test]
    fn mojibake_title_is_repaired() {
        let raw = RawItem {
            title: Some("Bá»™ Y táº¿ hÆ°á»›ng dáº«n".into()),
            ..RawItem::default()
        };
        assert_eq!(
            normalize(&raw, "https://x.test/", seen()).title,
            "Bộ Y tế hướng dẫn"
        );
    }

    #[test]
    fn missing_date_is_first_seen() {
        let item = normalize(&RawItem::default(), "https://x.test/", seen());
        assert_eq!(item.published, seen());
        assert_eq!(item.stated, crate::model::Stated::Nothing);
    }

    #[test]
    fn far_future_date_is_first_seen() {
        let raw = RawItem {
            published: Some(seen() + Duration::days(30)),
            ..RawItem::default()
        };
        let item = normalize(&raw, "https://x.test/", seen());
        assert_eq!(item.published, seen());
        assert_eq!(item.stated, crate::model::Stated::Nothing);
    }

    #[test]
    fn long_summary_is_cut_at_a_word() {
        let text = "một hai ba ".repeat(100);
        let short = shorten(&text, 20);
        assert_eq!(short, "một hai ba một hai…");
    }
}
