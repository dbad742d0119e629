//! HTML made into plain text, for matching and fingerprints. It goes
//! through ammonia's HTML5 parser rather than string surgery: portal HTML
//! (`</br>`, unclosed tags, entity soup) defeats anything less.

use std::collections::HashSet;

use ammonia::Builder;

thread_local! {
    // Building ammonia's allow-lists costs more than cleaning a short
    // description: build them once per thread.
    static TEXT_ONLY: Builder<'static> = {
        let mut builder = Builder::empty();
        builder.clean_content_tags(HashSet::from(["script", "style"]));
        builder
    };
}

/// The text of an HTML fragment: tags dropped (with `script` and `style`
/// content), entities decoded, block boundaries kept as spaces.
pub fn html_to_text(html: &str) -> String {
    // Inserting a space before every tag keeps "<p>a</p><p>b</p>" from
    // becoming "ab"; whitespace is collapsed by the caller.
    // Bounded first: HTML5 tree building is quadratic in nesting depth.
    let (html, _) = super::nesting::bound(html);
    let spaced = html.replace('<', " <");
    let stripped = TEXT_ONLY.with(|builder| builder.clean(&spaced).to_string());
    let decoded = html_escape::decode_html_entities(&stripped);
    // `&amp;#146;` becomes a C1 control only here, past the parse stage.
    super::clean(&super::repair_c1(&decoded))
}

#[cfg(test)]
mod tests {
    use super::*;

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
