//! Item HTML made safe to republish, and HTML made into plain text.
//! Both go through ammonia's HTML5 parser rather than string surgery:
//! portal HTML (`</br>`, unclosed tags, entity soup) defeats anything less.

use std::collections::HashSet;

use ammonia::{Builder, UrlRelative};
use url::Url;

/// Sanitized HTML: ammonia's safe defaults, relative `href`/`src` rewritten
/// against `base` so republished content never points at bantin's host.
pub fn sanitize_html(html: &str, base: &str) -> String {
    let mut builder = Builder::default();
    builder.link_rel(Some("noopener noreferrer"));
    match Url::parse(base) {
        Ok(base) => builder.url_relative(UrlRelative::RewriteWithBase(base)),
        Err(_) => builder.url_relative(UrlRelative::Deny),
    };
    builder.clean(html).to_string()
}

/// The text of an HTML fragment: tags dropped (with `script` and `style`
/// content), entities decoded, block boundaries kept as spaces.
pub fn html_to_text(html: &str) -> String {
    // Inserting a space before every tag keeps "<p>a</p><p>b</p>" from
    // becoming "ab"; whitespace is collapsed by the caller.
    let spaced = html.replace('<', " <");
    let stripped = Builder::empty()
        .clean_content_tags(HashSet::from(["script", "style"]))
        .clean(&spaced)
        .to_string();
    crate::text::clean(&html_escape::decode_html_entities(&stripped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_is_removed() {
        let out = sanitize_html("<p>Tin</p><script>alert(1)</script>", "https://x.test/");
        assert_eq!(out, "<p>Tin</p>");
    }

    #[test]
    fn text_keeps_block_boundaries() {
        assert_eq!(
            html_to_text("<p>Một</p><p>Hai &amp; ba</p>"),
            "Một Hai & ba"
        );
    }

    #[test]
    fn text_drops_script_body() {
        assert_eq!(html_to_text("a<script>var x=1;</script>b"), "a b");
    }
}
