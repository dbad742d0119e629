//! An element's text as a reader should get it: base64 decoded, inline
//! XHTML unwrapped, entities left for normalize.

use base64::Engine;

use super::{Capture, attr};

/// A field's text, and whether it was base64. Element content is markup
/// (Atom `type="xhtml"`, Atom 0.3 inline XML, `xhtml:body`), kept as
/// written; text typed as plain text is escaped where it becomes HTML.
pub(super) fn value(cap: &Capture, inner: &[u8]) -> (String, bool) {
    let kind = attr(&cap.attrs, "type")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let mode = attr(&cap.attrs, "mode")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mode == "base64" || is_binary_type(&kind) {
        if let Some(text) = base64_text(&cap.text) {
            return (text, true);
        }
    }
    if cap.has_children {
        let markup = String::from_utf8_lossy(inner);
        let markup = markup.trim();
        // Atom 1.0 wraps xhtml in a `<div>` that is not part of it; Atom 0.3
        // writers did the same with an xhtml-namespaced one.
        let wrapped = kind == "xhtml" || markup.get(..80).unwrap_or(markup).contains("xmlns");
        let markup = match wrapped {
            true => strip_outer_div(markup),
            false => markup,
        };
        return (unprefixed(markup), false);
    }
    let body = matches!(cap.local.as_str(), "content" | "fullitem");
    if body && matches!(kind.as_str(), "text" | "text/plain") {
        return (html_escape::encode_text(&cap.text).into_owned(), false);
    }
    (cap.text.clone(), false)
}

/// Atom 1.0: a `type` that is a MIME type but neither text nor XML means
/// the content is base64.
pub(super) fn is_binary_type(kind: &str) -> bool {
    kind.contains('/')
        && !kind.starts_with("text/")
        && !kind.ends_with("/xml")
        && !kind.ends_with("+xml")
        && kind != "application/xml-dtd"
}

pub(super) fn base64_text(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// Atom's xhtml text is wrapped in one `<div>` that is not part of it.
pub(super) fn strip_outer_div(markup: &str) -> &str {
    let opens = markup.starts_with("<div")
        || markup.split_once(':').is_some_and(|(p, rest)| {
            p.starts_with('<') && !p.contains(['>', ' ']) && rest.starts_with("div")
        });
    if !opens || !markup.ends_with("div>") {
        return markup;
    }
    let (Some(open_end), Some(close)) = (markup.find('>'), markup.rfind("</")) else {
        return markup;
    };
    markup.get(open_end + 1..close).unwrap_or(markup)
}

/// `<xhtml:p>` as `<p>`: the sanitizer knows HTML names only.
pub(super) fn unprefixed(markup: &str) -> String {
    let mut out = String::with_capacity(markup.len());
    let mut rest = markup;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let slash = rest.starts_with('/');
        if slash {
            out.push('/');
            rest = &rest[1..];
        }
        let name_len = rest
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
            .unwrap_or(rest.len());
        if let Some(colon) = rest[..name_len].find(':') {
            rest = &rest[colon + 1..];
        }
    }
    out.push_str(rest);
    out
}
