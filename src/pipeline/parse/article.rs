//! An article page's main text, for sources whose feed or list gives only
//! a title and a line.
//!
//! With a selector (`article = "div.content"`) the first match is the
//! article. With `article = "auto"` the element holding the most paragraph
//! text is: portal article pages put the body in one container of `<p>`s,
//! among menus, sidebars of "TIN KHÁC" links and footers whose text is in
//! links and short items, not paragraphs. Returns the container's inner
//! HTML, unsanitized: `normalize` sanitizes it like any content.

use std::collections::HashMap;

use scraper::{ElementRef, Html, Selector};

/// How to find the article in its page.
#[derive(Debug, Clone)]
pub enum ArticleRule {
    Selector { written: String, selector: Selector },
    Auto,
}

impl ArticleRule {
    pub fn new(written: &str) -> Result<ArticleRule, String> {
        if written.trim() == "auto" {
            return Ok(ArticleRule::Auto);
        }
        let selector = Selector::parse(written.trim())
            .map_err(|e| format!("`{written}` is not a CSS selector (or \"auto\"): {e}"))?;
        Ok(ArticleRule::Selector {
            written: written.to_string(),
            selector,
        })
    }
}

/// The article's HTML in `page`, or `None` when the rule finds nothing.
pub fn extract(page: &str, rule: &ArticleRule) -> Option<String> {
    // Bounded: HTML5 tree building is quadratic in nesting depth.
    let (page, _) = crate::text::nesting::bound_page(page);
    let document = Html::parse_document(&page);
    let found = match rule {
        ArticleRule::Selector { selector, .. } => document.select(selector).next(),
        ArticleRule::Auto => densest_paragraphs(&document),
    }?;
    let html = found.inner_html();
    (!html.trim().is_empty()).then_some(html)
}

/// The element whose direct `<p>` children hold the most text.
fn densest_paragraphs(document: &Html) -> Option<ElementRef<'_>> {
    let paragraphs = Selector::parse("p").ok()?;
    let links = Selector::parse("a").ok()?;
    // Keyed by node id; scraper's id type is inferred, not named.
    let mut score = HashMap::new();
    for p in document.select(&paragraphs) {
        let Some(parent) = p.parent().and_then(ElementRef::wrap) else {
            continue;
        };
        // Text inside links is navigation, not article.
        let linked: usize = p
            .select(&links)
            .map(|a| a.text().map(str::len).sum::<usize>())
            .sum();
        let text: usize = p.text().map(str::len).sum();
        let entry: &mut (usize, ElementRef<'_>) = score.entry(parent.id()).or_insert((0, parent));
        entry.0 += text.saturating_sub(linked);
    }
    score
        .into_values()
        .max_by_key(|(points, _)| *points)
        .filter(|(points, _)| *points > 0)
        .map(|(_, element)| element)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<html><body>
        <ul class="menu"><li><a href="/">Trang chủ</a></li><li><a href="/y-te">Y tế</a></li></ul>
        <div class="content"><h1>Tiêu đề</h1>
          <p>Đoạn thứ nhất của bài viết, đủ dài để là nội dung chính của trang.</p>
          <p>Đoạn thứ hai, cũng là nội dung chính.</p></div>
        <div class="tin-khac"><p><a href="/tin/1.html">Một tin khác có tiêu đề rất dài, rất dài, rất dài, rất dài</a></p></div>
        </body></html>"#;

    #[test]
    fn selector_picks_the_container() {
        let html = extract(PAGE, &ArticleRule::new("div.content").unwrap()).unwrap();
        assert!(html.contains("Đoạn thứ nhất") && html.contains("<h1>"));
    }

    #[test]
    fn auto_prefers_paragraph_text_over_links() {
        let html = extract(PAGE, &ArticleRule::new("auto").unwrap()).unwrap();
        assert!(html.contains("Đoạn thứ hai"), "{html}");
        assert!(!html.contains("Một tin khác"), "{html}");
    }

    #[test]
    fn selector_that_matches_nothing_is_none() {
        assert_eq!(
            extract(PAGE, &ArticleRule::new("div.noi-dung").unwrap()),
            None
        );
    }
}
