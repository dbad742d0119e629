//! Which vocabulary an element belongs to: the feed's own (RSS or Atom of
//! any version), or a module whose fields are read (Dublin Core, content,
//! XHTML, Media RSS).

use quick_xml::name::{Namespace, ResolveResult};

/// Where an element belongs: the feed vocabularies themselves, or one of
/// the modules whose fields are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    Core,
    Dc,
    Content,
    Xhtml,
    Media,
    Other,
}

/// Namespaces known by their URI. RSS and Atom of every version count as
/// one vocabulary: their element names do not collide in a way that matters
/// for an item.
pub(super) fn known(uri: &str) -> Option<Ns> {
    let uri = uri.trim_end_matches(['/', '#']);
    let core = [
        "http://www.w3.org/2005/Atom",
        "http://purl.org/atom/ns",
        "http://purl.org/rss/1.0",
        "http://my.netscape.com/rdf/simple/0.9",
        "http://backend.userland.com/rss2",
        "http://backend.userland.com/rss",
        "http://blogs.law.harvard.edu/tech/rss",
    ];
    if core.iter().any(|c| uri.eq_ignore_ascii_case(c)) {
        return Some(Ns::Core);
    }
    if uri.starts_with("http://purl.org/dc/") {
        return Some(Ns::Dc);
    }
    match uri {
        "http://purl.org/rss/1.0/modules/content" => Some(Ns::Content),
        "http://www.w3.org/1999/xhtml" => Some(Ns::Xhtml),
        u if u.starts_with("http://search.yahoo.com/mrss") => Some(Ns::Media),
        _ => None,
    }
}

/// An undeclared prefix is taken at its word, as feedparser does.
pub(super) fn by_prefix(prefix: &str) -> Ns {
    match prefix.to_ascii_lowercase().as_str() {
        "atom" | "rss" => Ns::Core,
        "dc" | "dcterms" => Ns::Dc,
        "content" => Ns::Content,
        "xhtml" => Ns::Xhtml,
        "media" => Ns::Media,
        _ => Ns::Other,
    }
}

/// An element without a prefix is the feed's own, whatever its namespace
/// (a new RSS namespace nobody here has seen included), unless that
/// namespace is a known module's.
pub(super) fn classify(resolved: &ResolveResult, prefixed: bool) -> Ns {
    match resolved {
        ResolveResult::Bound(Namespace(uri)) => match known(uri) {
            Some(ns) => ns,
            None if prefixed => Ns::Other,
            None => Ns::Core,
        },
        ResolveResult::Unbound => Ns::Core,
        ResolveResult::Unknown(prefix) => by_prefix(prefix),
    }
}
