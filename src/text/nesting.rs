//! A bound on the work an HTML fragment can cost, checked before it
//! reaches an HTML5 parser.
//!
//! html5ever's tree builder walks the stack of open elements for many
//! tags (scope checks, end tags), so a fragment nested N deep costs about
//! N² steps: 200,000 nested `<div>`s, a 1.2 MB item, ran for more than ten
//! minutes of CPU. This pass is linear: it follows the stack of open
//! elements roughly as the tree builder would, erring on the deep side,
//! and cuts the fragment where that stack would pass [`MAX_DEPTH`], or
//! where it passes [`MAX_BYTES`]. Real articles nest a few dozen deep.

use std::borrow::Cow;

/// Open elements at most. Past this the rest of the fragment is cut.
pub const MAX_DEPTH: usize = 256;

/// Bytes of HTML per fragment at most: a whole article is rarely a tenth
/// of it, and a parse of this much stays well under a second.
pub const MAX_BYTES: usize = 1024 * 1024;

/// Why a fragment was cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Elements nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Longer than [`MAX_BYTES`].
    TooLarge,
}

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cut::TooDeep => write!(f, "HTML nested deeper than {MAX_DEPTH} elements"),
            Cut::TooLarge => write!(f, "HTML longer than {} KiB", MAX_BYTES / 1024),
        }
    }
}

/// `html`, or its beginning up to where it would cost too much to parse,
/// and why it was cut.
pub fn bound(html: &str) -> (Cow<'_, str>, Option<Cut>) {
    let (end, cut) = match scan(html, MAX_BYTES) {
        Some(at) => (at, Some(Cut::TooDeep)),
        None if html.len() > MAX_BYTES => (tag_boundary(html, MAX_BYTES), Some(Cut::TooLarge)),
        None => return (Cow::Borrowed(html), None),
    };
    (Cow::Borrowed(&html[..end]), cut)
}

/// A whole page (a scraped list, an article's page), cut only where it
/// nests too deep: a long page costs linear time, and its items may lie
/// anywhere in it.
pub fn bound_page(html: &str) -> (Cow<'_, str>, Option<Cut>) {
    match scan(html, html.len()) {
        Some(at) => (Cow::Borrowed(&html[..at]), Some(Cut::TooDeep)),
        None => (Cow::Borrowed(html), None),
    }
}

/// The byte offset of the tag that would nest too deep within the first
/// `limit` bytes, if any.
fn scan(html: &str, limit: usize) -> Option<usize> {
    let b = html.as_bytes();
    let limit = b.len().min(limit);
    let mut stack: Vec<String> = Vec::new();
    // Formatting elements stay listed after a block end pops them, and the
    // tree builder reopens every one of them at the next text: they count
    // until their own end tag.
    let mut formatting = 0usize;
    let mut i = 0;
    while let Some(off) = b
        .get(i..limit)
        .and_then(|s| s.iter().position(|&c| c == b'<'))
    {
        let lt = i + off;
        let next = b.get(lt + 1).copied();
        match next {
            Some(b'!') if b[lt..].starts_with(b"<!--") => {
                i = find(b, lt + 4, b"-->").map_or(b.len(), |e| e + 3);
            }
            Some(b'!' | b'?') => i = find(b, lt, b">").map_or(b.len(), |e| e + 1),
            Some(b'/') => {
                let (name, after) = tag_name(b, lt + 2);
                i = find(b, after, b">").map_or(b.len(), |e| e + 1);
                if !name.is_empty() {
                    if FORMATTING.contains(&name.as_str()) {
                        formatting = formatting.saturating_sub(1);
                    }
                    close(&mut stack, &name);
                }
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, after) = tag_name(b, lt + 1);
                let (end, self_closing) = tag_end(b, after);
                i = end;
                if RAW_TEXT.contains(&name.as_str()) && !in_foreign(&stack) {
                    // Their content is text to the tree builder (in HTML;
                    // in SVG or MathML they are ordinary elements).
                    i = end_of_raw_text(b, end, &name);
                    continue;
                }
                if name == "plaintext" && !in_foreign(&stack) {
                    return None;
                }
                if VOID.contains(&name.as_str()) || (self_closing && in_foreign(&stack)) {
                    continue;
                }
                if FORMATTING.contains(&name.as_str()) {
                    formatting += 1;
                }
                open(&mut stack, name);
                if stack.len() + formatting > MAX_DEPTH {
                    return Some(lt);
                }
            }
            _ => i = lt + 1,
        }
    }
    None
}

/// Inside SVG or MathML, where `/>` closes and `<style>` holds elements.
fn in_foreign(stack: &[String]) -> bool {
    stack.iter().any(|n| n == "svg" || n == "math")
}

/// Pushes a start tag, first closing what its start closes implicitly, as
/// the tree builder does for unclosed `<p>`, `<li>`, cells and the like:
/// portal HTML leaves them open by the hundred.
fn open(stack: &mut Vec<String>, name: String) {
    let n = name.as_str();
    if CLOSES_P.contains(&n) {
        pop_to(stack, &["p"], BUTTON_SCOPE);
    }
    match n {
        "li" => pop_to_listed(stack, &["li"]),
        "dd" | "dt" => pop_to_listed(stack, &["dd", "dt"]),
        "option" | "optgroup" if stack.last().is_some_and(|t| t == "option") => {
            stack.pop();
        }
        "tr" => pop_to(stack, &["tr"], TABLE_SCOPE),
        "td" | "th" => pop_to(stack, &["td", "th"], &["tr", "table", "template", "html"]),
        "tbody" | "thead" | "tfoot" => pop_to(stack, &["tbody", "thead", "tfoot"], TABLE_SCOPE),
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            if stack.last().is_some_and(|t| HEADINGS.contains(&t.as_str())) =>
        {
            stack.pop();
        }
        "button" => pop_to(stack, &["button"], SCOPE),
        _ => {}
    }
    stack.push(name);
}

/// An end tag: pops to its element when the tree builder would.
fn close(stack: &mut Vec<String>, name: &str) {
    if name == "p" {
        pop_to(stack, &["p"], BUTTON_SCOPE);
    } else if HEADINGS.contains(&name) {
        pop_to(stack, HEADINGS, SCOPE);
    } else if SPECIAL.contains(&name) {
        pop_to(stack, &[name], SCOPE);
    } else {
        // Any other end tag (formatting ones included, whose adoption
        // agency may keep the depth): it closes its element only if no
        // special element is open inside it.
        for at in (0..stack.len()).rev() {
            if stack[at] == name {
                stack.truncate(at);
                return;
            }
            if SPECIAL.contains(&stack[at].as_str()) {
                return;
            }
        }
    }
}

/// Pops to the nearest of `names` unless one of `boundary` is open inside it.
fn pop_to(stack: &mut Vec<String>, names: &[&str], boundary: &[&str]) {
    for at in (0..stack.len()).rev() {
        let n = stack[at].as_str();
        if names.contains(&n) {
            stack.truncate(at);
            return;
        }
        if boundary.contains(&n) {
            return;
        }
    }
}

/// `<li>`, `<dd>`, `<dt>`: the previous one closes unless a special
/// element other than address, div and p is open inside it.
fn pop_to_listed(stack: &mut Vec<String>, names: &[&str]) {
    for at in (0..stack.len()).rev() {
        let n = stack[at].as_str();
        if names.contains(&n) {
            stack.truncate(at);
            return;
        }
        if SPECIAL.contains(&n) && !matches!(n, "address" | "div" | "p") {
            return;
        }
    }
}

/// The tag name starting at `from`, lowercased, and where it ends.
fn tag_name(b: &[u8], from: usize) -> (String, usize) {
    let mut end = from;
    while end < b.len() && !matches!(b[end], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>') {
        end += 1;
    }
    let name = String::from_utf8_lossy(&b[from..end]).to_ascii_lowercase();
    (name, end)
}

/// Where a start tag ends (past its `>`, skipping quoted attribute
/// values), and whether it ends in `/>`.
fn tag_end(b: &[u8], from: usize) -> (usize, bool) {
    let mut i = from;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            // A quote opens a value only after `=`, possibly spaced.
            None if (c == b'"' || c == b'\'') && preceded_by_equals(b, from, i) => {
                quote = Some(c);
            }
            None if c == b'>' => return (i + 1, i > from && b[i - 1] == b'/'),
            None => {}
        }
        i += 1;
    }
    (b.len(), false)
}

fn preceded_by_equals(b: &[u8], from: usize, at: usize) -> bool {
    b[from..at]
        .iter()
        .rev()
        .find(|c| !c.is_ascii_whitespace())
        .is_some_and(|&c| c == b'=')
}

/// Past the `</name` that ends a raw text element begun at `from`.
fn end_of_raw_text(b: &[u8], from: usize, name: &str) -> usize {
    let mut i = from;
    while let Some(off) = find(b, i, b"</") {
        let (end_name, after) = tag_name(b, off + 2);
        if end_name == name {
            return find(b, after, b">").map_or(b.len(), |e| e + 1);
        }
        i = off + 2;
    }
    b.len()
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= b.len() {
        return None;
    }
    b[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// The last tag start or char boundary at or before `max`, so a cut never
/// splits a tag or a character.
fn tag_boundary(html: &str, max: usize) -> usize {
    let mut at = max.min(html.len());
    while !html.is_char_boundary(at) {
        at -= 1;
    }
    match html[..at].rfind('<') {
        Some(lt) if html[lt..at].contains('>') => at,
        Some(lt) => lt,
        None => at,
    }
}

const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
];

const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

const HEADINGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];

/// Where the tree builder stops looking for an element to close.
const SCOPE: &[&str] = &[
    "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template", "svg",
    "math",
];

const BUTTON_SCOPE: &[&str] = &[
    "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template", "svg",
    "math", "button",
];

const TABLE_SCOPE: &[&str] = &["table", "template", "html"];

/// Start tags that close an open `<p>`.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "search",
    "section",
    "summary",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "listing",
    "form",
    "li",
    "dd",
    "dt",
    "plaintext",
    "table",
    "hr",
    "xmp",
];

/// The HTML standard's "special" elements: an end tag for another element
/// never closes past one of them.
const SPECIAL: &[&str] = &[
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "base",
    "basefont",
    "bgsound",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dir",
    "div",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "iframe",
    "img",
    "input",
    "keygen",
    "li",
    "link",
    "listing",
    "main",
    "marquee",
    "menu",
    "meta",
    "nav",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "p",
    "param",
    "plaintext",
    "pre",
    "script",
    "search",
    "section",
    "select",
    "source",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
    "wbr",
    "xmp",
    "svg",
    "math",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_html_is_left_whole() {
        let html = "<div><p>Một <b>hai</b><p>ba<ul><li>a<li>b</ul></div><img src=x>";
        assert_eq!(bound(html), (Cow::Borrowed(html), None));
    }

    #[test]
    fn deep_nesting_is_cut_before_the_tag_too_deep() {
        let html = "<div>".repeat(1000) + "x";
        let (kept, cut) = bound(&html);
        assert_eq!(cut, Some(Cut::TooDeep));
        assert_eq!(kept.len(), MAX_DEPTH * "<div>".len());
    }

    #[test]
    fn unclosed_paragraphs_items_and_cells_do_not_count_as_nesting() {
        let html = "<p>a".repeat(2000)
            + &"<li>b".repeat(2000)
            + "<table>"
            + &"<tr><td>c<td>d".repeat(2000)
            + "</table>";
        assert_eq!(bound(&html).1, None);
    }

    #[test]
    fn stray_end_tags_do_not_hide_nesting() {
        // `</span>` inside a `<div>` closes nothing in an HTML5 parser.
        let html = "<span><div></span>".repeat(1000);
        assert_eq!(bound(&html).1, Some(Cut::TooDeep));
    }

    #[test]
    fn unclosed_formatting_counts_after_a_block_closes_it() {
        let html = "<div><b>x</div>".repeat(1000);
        assert_eq!(bound(&html).1, Some(Cut::TooDeep));
    }

    #[test]
    fn tags_in_attributes_comments_and_scripts_are_not_tags() {
        let html = format!(
            "<a title=\"{}\">x</a><!-- {} --><script>{}</script>",
            "<div>".repeat(1000),
            "<div>".repeat(1000),
            "'<div>'".repeat(1000)
        );
        assert_eq!(bound(&html).1, None);
    }

    #[test]
    fn a_long_fragment_is_cut_at_a_tag() {
        let html = "<p>một hai ba</p>".repeat(MAX_BYTES / 10);
        let (kept, cut) = bound(&html);
        assert_eq!(cut, Some(Cut::TooLarge));
        assert!(kept.len() <= MAX_BYTES);
        // Never inside a tag.
        let last_tag = kept.rfind('<').unwrap();
        assert!(kept[last_tag..].contains('>'), "{}", &kept[last_tag..]);
    }
}
