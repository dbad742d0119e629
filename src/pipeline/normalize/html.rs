//! Item HTML made safe to republish. It goes through ammonia's HTML5 parser rather than string surgery:
//! portal HTML (`</br>`, unclosed tags, entity soup) defeats anything less.

use std::cell::RefCell;

use ammonia::{Builder, UrlRelative};
use url::Url;

use crate::text::nesting::bound;

/// Sanitized HTML: ammonia's safe defaults, relative `href`/`src` rewritten
/// against `base` so republished content never points at bantin's host.
pub fn sanitize_html(html: &str, base: &str) -> String {
    // ammonia checks the scheme of a URL as written, not as rewritten: a
    // base that is no web address (`javascript:`) would make `#top` a
    // script URL. Relative URLs are then dropped instead.
    let relative = match Url::parse(base) {
        Ok(base) if matches!(base.scheme(), "http" | "https" | "file") => {
            UrlRelative::RewriteWithBase(base)
        }
        _ => UrlRelative::Deny,
    };
    // Bounded here too, whoever calls: HTML5 tree building is quadratic in
    // nesting depth. `normalize` bounds first, to flag what it cut.
    let (html, _) = bound(html);
    SANITIZER.with_borrow_mut(|builder| builder.url_relative(relative).clean(&html).to_string())
}

thread_local! {
    // Building ammonia's allow-lists costs more than cleaning a short
    // description: build them once per thread and only swap the base URL.
    static SANITIZER: RefCell<Builder<'static>> = RefCell::new({
        let mut builder = Builder::default();
        builder.link_rel(Some("noopener noreferrer"));
        // ammonia allows `cite` on these but does not check it as a URL,
        // so `<q cite="javascript:...">` went out as written. It is
        // metadata no reader shows: dropped rather than resolved.
        for tag in ["blockquote", "del", "ins", "q"] {
            builder.rm_tag_attributes(tag, &["cite"]);
        }
        builder
    });
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
    fn relative_urls_are_dropped_against_a_base_that_is_no_web_address() {
        // Found by the property tests.
        let out = sanitize_html(
            "<img src=\"#top\"><a href=\"b\">b</a>",
            "javascript:alert(1)//",
        );
        assert_eq!(out, "<img><a rel=\"noopener noreferrer\">b</a>");
    }

    #[test]
    fn cite_is_dropped_whatever_its_scheme() {
        let out = sanitize_html(
            "<blockquote cite=\"javascript:alert(1)\">a</blockquote><q cite=\"https://x.test/\">b</q>",
            "https://x.test/",
        );
        assert_eq!(out, "<blockquote>a</blockquote><q>b</q>");
    }
}
