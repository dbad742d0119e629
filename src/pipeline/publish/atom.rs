//! A topic's view as Atom 1.0 (RFC 4287), written by `atom_syndication`.

use std::collections::BTreeMap;

use atom_syndication as atom;
use atom_syndication::extension::{Extension, ExtensionMap};

use super::view::{EntryView, TopicView};

/// RFC 5005's namespace, for `fh:archive`.
pub const FH: &str = "http://purl.org/syndication/history/1.0";

pub fn write(view: &TopicView) -> Vec<u8> {
    let self_url = view.self_url("atom");
    let mut links = vec![
        link(&self_url, "self", None),
        link(&view.base_url, "alternate", None),
    ];
    // WebSub §4: the hub a subscriber asks to be told of changes.
    links.extend(view.hub.iter().map(|hub| link(hub, "hub", None)));
    links.extend(history_links(view, "atom"));
    let feed = atom::Feed {
        title: view.title.clone().into(),
        id: self_url.clone(),
        updated: view.updated.fixed_offset(),
        authors: vec![atom::Person {
            name: "bantin".into(),
            uri: Some(view.base_url.clone()),
            ..Default::default()
        }],
        generator: Some(atom::Generator {
            value: "bantin".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
            ..Default::default()
        }),
        links,
        lang: Some("vi".into()),
        namespaces: archive_namespace(view),
        extensions: archive_marker(view),
        entries: view.entries.iter().map(entry).collect(),
        ..Default::default()
    };
    let mut body = Vec::new();
    // Writing to a Vec cannot fail for I/O reasons; an error here would be
    // a bug in the writer, and an empty feed is then safer than a panic.
    let _ = feed.write_to(&mut body);
    body
}

fn entry(e: &EntryView) -> atom::Entry {
    let mut links = Vec::new();
    if let Some(href) = &e.link {
        links.push(link(href, "alternate", Some(e.source_name.clone())));
    }
    for (href, name) in &e.via {
        links.push(link(href, "via", Some(name.clone())));
    }
    atom::Entry {
        id: e.id.clone(),
        title: e.title.clone().into(),
        published: Some(e.published.fixed_offset()),
        updated: e.updated.fixed_offset(),
        authors: e
            .authors
            .iter()
            .map(|name| atom::Person {
                name: name.clone(),
                ..Default::default()
            })
            .collect(),
        links,
        categories: e
            .topics
            .iter()
            .map(|t| atom::Category {
                term: t.slug.clone(),
                label: Some(t.title.clone()),
                ..Default::default()
            })
            .collect(),
        summary: (!e.summary.is_empty()).then(|| e.summary.clone().into()),
        content: Some(atom::Content {
            value: Some(e.content_html.clone()),
            content_type: Some("html".into()),
            ..Default::default()
        }),
        // RFC 4287 §4.2.11: the feed the shown copy came from, so a reader
        // can tell whose text it is.
        source: e.source.as_ref().map(|s| atom::Source {
            title: s.name.clone().into(),
            id: s.url.clone(),
            updated: s.updated.fixed_offset(),
            links: vec![link(&s.url, "self", None)],
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// RFC 5005 §4's links in format `ext`: the older archive, and for an
/// archive, the newer one and the subscription feed (`current`).
pub fn history_links(view: &TopicView, ext: &str) -> Vec<atom::Link> {
    let h = &view.history;
    let mut links = Vec::new();
    if let Some(prev) = h.prev {
        links.push(link(&view.archive_url(prev, ext), "prev-archive", None));
    }
    if h.this.is_some() {
        if let Some(next) = h.next {
            links.push(link(&view.archive_url(next, ext), "next-archive", None));
        }
        links.push(link(&view.feed_url(ext), "current", None));
    }
    links
}

/// `xmlns:fh`, in an archive only.
pub fn archive_namespace(view: &TopicView) -> BTreeMap<String, String> {
    match view.history.this {
        Some(_) => BTreeMap::from([("fh".into(), FH.into())]),
        None => BTreeMap::new(),
    }
}

/// `<fh:archive/>`, which marks an archive document (RFC 5005 §4); the
/// feed carries neither it nor `fh:complete`: it is the subscription
/// document of an archived feed.
pub fn archive_marker(view: &TopicView) -> ExtensionMap {
    if view.history.this.is_none() {
        return ExtensionMap::new();
    }
    let marker = Extension {
        name: "fh:archive".into(),
        value: None,
        attrs: BTreeMap::new(),
        children: BTreeMap::new(),
    };
    BTreeMap::from([(
        "fh".into(),
        BTreeMap::from([("archive".into(), vec![marker])]),
    )])
}

fn link(href: &str, rel: &str, title: Option<String>) -> atom::Link {
    atom::Link {
        href: href.to_string(),
        rel: rel.to_string(),
        title,
        ..Default::default()
    }
}
