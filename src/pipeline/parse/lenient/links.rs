//! An item's link: which element gives it, and how a relative one
//! resolves.

use url::Url;

use super::{Capture, Href, attr};

/// A link element's target: its `href` when it is the alternate (Atom's
/// default rel), else the URL written as its text.
pub(super) fn link_of(cap: &Capture) -> Option<Href> {
    let href = match attr(&cap.attrs, "href") {
        Some(href) => {
            let rel = attr(&cap.attrs, "rel").unwrap_or("alternate").trim();
            if !rel.eq_ignore_ascii_case("alternate") {
                return None;
            }
            href.to_owned()
        }
        None => cap.text.clone(),
    };
    // Portals break long links over lines; a URL holds no whitespace.
    let href: String = href.chars().filter(|c| !c.is_whitespace()).collect();
    (!href.is_empty()).then(|| Href {
        href,
        base: cap.base.clone(),
    })
}

pub(super) fn is_absolute_http(href: &str) -> bool {
    ["http://", "https://"].iter().any(|s| {
        href.get(..s.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(s))
    })
}

pub(super) fn resolve(href: &str, base: Option<&Url>) -> Option<Url> {
    match base {
        Some(base) => base.join(href.trim()).ok(),
        None => Url::parse(href.trim()).ok(),
    }
}
