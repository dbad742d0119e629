//! Helping an operator add a source: what a page is, which feeds it
//! advertises, and, for a page without one, a `[source.scrape]` block
//! guessed from its repeated link structure.
//!
//! The guess looks for the list every portal has: many sibling elements of
//! one kind, each holding a link with a title-like text (four words or
//! more). Menus and footers have short link texts; pagers have numbers.
//! The guess is a starting point for `bantin preview`, not a promise.

use std::collections::HashMap;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::pipeline::parse::date::parse_date;

/// Fewer repeated items than this is not a news list.
const MIN_ITEMS: usize = 3;

/// What a fetched page is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discovery {
    /// The URL itself is a feed: use it as the source's `url`.
    Feed { items: usize },
    /// An HTML page: the feeds it advertises, and a guessed scrape block
    /// when it advertises none.
    Page {
        feeds: Vec<String>,
        suggestion: Option<String>,
    },
}

/// Looks at a fetched body.
pub fn discover(bytes: &[u8], content_type: Option<&str>, url: &str) -> Discovery {
    match crate::pipeline::parse::parse_feed(bytes, content_type, url) {
        Ok(feed) => Discovery::Feed {
            items: feed.items.len(),
        },
        Err(_) => {
            let text = crate::pipeline::parse::charset::decode(bytes, content_type).text;
            let feeds = crate::pipeline::parse::advertised_feeds(&text, url);
            let suggestion = if feeds.is_empty() {
                suggest_scrape(&text, url)
            } else {
                None
            };
            Discovery::Page { feeds, suggestion }
        }
    }
}

/// A `[source.scrape]` block for the page's most repeated list of
/// title-like links, or `None` when it has no such list.
pub fn suggest_scrape(html: &str, url: &str) -> Option<String> {
    let (html, _) = crate::text::nesting::bound_page(html);
    let page = Html::parse_document(&html);
    let links = Selector::parse("a[href]").ok()?;
    let base = Url::parse(url).ok();
    // (parent selector, item selector) -> title links found under it.
    let mut lists: HashMap<(String, String), usize> = HashMap::new();
    for a in page.select(&links) {
        if !is_title_link(a, base.as_ref()) {
            continue;
        }
        if let Some(key) = list_item_of(a) {
            *lists.entry(key).or_default() += 1;
        }
    }
    let ((parent, item), count) = lists.into_iter().max_by_key(|(_, n)| *n)?;
    if count < MIN_ITEMS {
        return None;
    }
    let item_selector = format!("{parent} > {item}");
    let items = Selector::parse(&item_selector).ok()?;
    let first = page
        .select(&items)
        .find(|e| e.select(&links).any(|a| is_title_link(a, base.as_ref())))?;
    let title_link = first
        .select(&links)
        .find(|a| is_title_link(*a, base.as_ref()))?;
    let title = selector_of(title_link);
    let mut block = format!(
        "  [source.scrape]\n  item    = \"{item_selector}\"\n  title   = \"{title}\"\n  link    = \"{title}@href\"\n"
    );
    if let Some((date, format)) = date_field(first) {
        block.push_str(&format!("  date    = \"{date}\"\n"));
        if let Some(format) = format {
            block.push_str(&format!("  date_format = \"{format}\"\n"));
        }
    }
    if let Some(summary) = summary_field(first, title_link) {
        block.push_str(&format!("  summary = \"{summary}\"\n"));
    }
    Some(block)
}

/// A link whose text reads like a news title, to a web page.
fn is_title_link(a: ElementRef<'_>, base: Option<&Url>) -> bool {
    let text: String = a.text().collect::<Vec<_>>().join(" ");
    let href = a.value().attr("href").unwrap_or_default().trim();
    let target = match base {
        Some(b) => b.join(href).ok(),
        None => Url::parse(href).ok(),
    };
    text.split_whitespace().count() >= 4
        && target.is_some_and(|t| matches!(t.scheme(), "http" | "https"))
}

/// The list a title link sits in: its nearest ancestor that has at least
/// [`MIN_ITEMS`] siblings of the same kind, as (parent, item) selectors.
fn list_item_of(a: ElementRef<'_>) -> Option<(String, String)> {
    let mut node = a;
    for _ in 0..6 {
        let parent = node.parent().and_then(ElementRef::wrap)?;
        let kind = selector_of(node);
        let alike = parent
            .children()
            .filter_map(ElementRef::wrap)
            .filter(|sibling| selector_of(*sibling) == kind)
            .count();
        if alike >= MIN_ITEMS {
            return Some((selector_of(parent), kind));
        }
        node = parent;
    }
    None
}

/// `tag.class1.class2`: how bantin names an element in a suggestion.
fn selector_of(element: ElementRef<'_>) -> String {
    let value = element.value();
    let mut selector = value.name().to_string();
    for class in value.classes() {
        if class
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            selector.push('.');
            selector.push_str(class);
        }
    }
    selector
}

/// The element in an item whose own text is a date, and the chrono format
/// when it is the common `dd/mm/yyyy HH:MM`.
fn date_field(item: ElementRef<'_>) -> Option<(String, Option<&'static str>)> {
    let all = Selector::parse("*").ok()?;
    item.select(&all).find_map(|e| {
        let own: String = e
            .children()
            .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
            .collect::<Vec<_>>()
            .join(" ");
        let own = crate::text::clean(&own);
        parse_date(&own)?;
        let format = looks_like_dmy_hm(&own).then_some("%d/%m/%Y %H:%M");
        Some((selector_of(e), format))
    })
}

fn looks_like_dmy_hm(text: &str) -> bool {
    let shape: String = text
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    shape == "99/99/9999 99:99"
}

/// A paragraph-like element of the item other than the title link.
fn summary_field(item: ElementRef<'_>, title: ElementRef<'_>) -> Option<String> {
    let candidates = Selector::parse("p, div").ok()?;
    let links = Selector::parse("a").ok()?;
    item.select(&candidates)
        .filter(|e| !e.select(&links).any(|a| a == title))
        .find(|e| e.text().collect::<String>().split_whitespace().count() >= 6)
        .map(selector_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<html><body>
        <ul class="menu"><li><a href="/">Trang chủ</a></li><li><a href="/y-te">Y tế</a></li><li><a href="/lh">Liên hệ</a></li></ul>
        <div class="tin-khac"><ul class="list-news">
          <li><a class="title" href="/tin/1.html">Tin thứ nhất về công tác y tế</a><p class="sapo">Một đoạn tóm tắt đủ dài cho tin thứ nhất...</p><span class="date">20/11/2026 09:24</span></li>
          <li><a class="title" href="/tin/2.html">Tin thứ hai về công tác y tế</a><p class="sapo">Một đoạn tóm tắt đủ dài cho tin thứ hai...</p><span class="date">19/11/2026 10:00</span></li>
          <li><a class="title" href="/tin/3.html">Tin thứ ba về công tác y tế</a><p class="sapo">Một đoạn tóm tắt đủ dài cho tin thứ ba...</p><span class="date">18/11/2026 08:00</span></li>
        </ul><div class="pager"><a href="javascript:__doPostBack('p','2')">2</a></div></div>
        </body></html>"#;

    #[test]
    fn suggests_the_repeated_title_list() {
        let block = suggest_scrape(PAGE, "https://soyte.test/tin-tuc").unwrap();
        assert!(
            block.contains(r#"item    = "ul.list-news > li""#),
            "{block}"
        );
        assert!(block.contains(r#"title   = "a.title""#), "{block}");
        assert!(block.contains(r#"link    = "a.title@href""#), "{block}");
        assert!(block.contains(r#"date    = "span.date""#), "{block}");
        assert!(
            block.contains(r#"date_format = "%d/%m/%Y %H:%M""#),
            "{block}"
        );
        assert!(block.contains(r#"summary = "p.sapo""#), "{block}");
    }

    #[test]
    fn a_menu_alone_is_not_a_list() {
        let menu = r#"<ul><li><a href="/a">Trang chủ</a></li><li><a href="/b">Giới thiệu</a></li><li><a href="/c">Liên hệ</a></li></ul>"#;
        assert_eq!(suggest_scrape(menu, "https://x.test/"), None);
    }

    #[test]
    fn a_feed_is_recognised() {
        let rss = b"<rss version=\"2.0\"><channel><title>t</title><item><title>a</title></item></channel></rss>";
        assert_eq!(
            discover(rss, None, "https://x.test/rss"),
            Discovery::Feed { items: 1 }
        );
    }
}
