//! One canonical form per link, so that two sources pointing at one page
//! agree on it.

use url::Url;

/// Query parameters that only say who sent the reader.
fn is_tracking_parameter(name: &str) -> bool {
    name.starts_with("utm_") || matches!(name, "fbclid" | "gclid" | "zarsrc" | "mc_cid" | "mc_eid")
}

/// An absolute http(s) link: resolved against `base`, scheme and host
/// lowercase, no default port, no fragment, no tracking parameters.
/// `None` for anything that is not a web page (`javascript:`, `mailto:`,
/// garbage).
pub fn canonical_link(link: &str, base: &str) -> Option<String> {
    // Portals put newlines and indentation inside <link>.
    let link: String = link.split_whitespace().collect::<Vec<_>>().join("");
    if link.is_empty() {
        return None;
    }
    let base = Url::parse(base).ok();
    let mut url = match &base {
        Some(b) => b.join(&link).ok()?,
        None => Url::parse(&link).ok()?,
    };
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    url.set_fragment(None);
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !is_tracking_parameter(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    Some(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_and_fragment_are_dropped() {
        assert_eq!(
            canonical_link(
                "HTTPS://BoCongAn.gov.vn.test:443/tin/1.html?utm_source=rss&id=7&fbclid=x#top",
                "https://x.test/"
            )
            .as_deref(),
            Some("https://bocongan.gov.vn.test/tin/1.html?id=7")
        );
    }

    #[test]
    fn relative_link_resolves_against_base() {
        assert_eq!(
            canonical_link(
                "chi-tiet.aspx?ItemID=3341",
                "https://longmy.test/tin-tuc/an-ninh/"
            )
            .as_deref(),
            Some("https://longmy.test/tin-tuc/an-ninh/chi-tiet.aspx?ItemID=3341")
        );
    }

    #[test]
    fn newline_inside_link_is_removed() {
        assert_eq!(
            canonical_link("\n   https://x.test/a\n  ", "https://x.test/").as_deref(),
            Some("https://x.test/a")
        );
    }

    #[test]
    fn javascript_link_is_not_a_link() {
        assert_eq!(
            canonical_link("javascript:__doPostBack('p','2')", "https://x.test/"),
            None
        );
    }

    #[test]
    fn only_tracking_query_leaves_no_question_mark() {
        assert_eq!(
            canonical_link("https://x.test/a?utm_medium=feed", "https://x.test/").as_deref(),
            Some("https://x.test/a")
        );
    }
}
