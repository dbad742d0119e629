//! A topic's view as RSS 2.0, written by the `rss` crate.
//!
//! RSS has no entry id of its own: `guid isPermaLink="false"` carries the
//! Atom id, so a reader that moves between the formats keeps its read
//! marks. `dc:creator` holds the authors (RSS's `author` wants an e-mail
//! address), `source` the feed the shown copy came from, and
//! `atom:link rel="self"` the feed's own address.

use std::collections::BTreeMap;

use rss::extension::dublincore::DublinCoreExtension;
use rss::extension::{Extension, ExtensionMap};

use super::atom;
use super::view::{EntryView, TopicView};

pub fn write(view: &TopicView) -> Vec<u8> {
    let channel = rss::Channel {
        title: view.title.clone(),
        link: view.base_url.clone(),
        description: format!("{}: tin tổng hợp từ các nguồn (bantin)", view.title),
        language: Some("vi".into()),
        last_build_date: Some(view.updated.to_rfc2822()),
        generator: Some(format!("bantin {}", env!("CARGO_PKG_VERSION"))),
        namespaces: namespaces(view),
        extensions: extensions(view),
        items: view.entries.iter().map(item).collect(),
        ..Default::default()
    };
    // Writing to a Vec cannot fail for I/O reasons; as for Atom, an empty
    // feed is safer than a panic should the writer have a bug.
    channel.write_to(Vec::new()).unwrap_or_default()
}

const ATOM: &str = "http://www.w3.org/2005/Atom";

fn namespaces(view: &TopicView) -> BTreeMap<String, String> {
    let mut namespaces = atom::archive_namespace(view);
    namespaces.insert("atom".into(), ATOM.into());
    namespaces
}

/// `<atom:link rel="self" href="…" type="application/rss+xml">`, the
/// feed's own address (RSS Advisory Board's best practice), a hub
/// `<atom:link rel="hub" href="…">` where WebSub §4 puts it in RSS, then
/// RFC 5005's links and marker, as in Atom.
fn extensions(view: &TopicView) -> ExtensionMap {
    let mut links = vec![atom_link(&view.self_url("rss"), "self", Some(RSS_TYPE))];
    links.extend(view.hub.iter().map(|hub| atom_link(hub, "hub", None)));
    links.extend(
        atom::history_links(view, "rss")
            .iter()
            .map(|l| atom_link(&l.href, &l.rel, Some(RSS_TYPE))),
    );
    let mut map = BTreeMap::from([("atom".into(), BTreeMap::from([("link".into(), links)]))]);
    for (prefix, marker) in atom::archive_marker(view) {
        // atom_syndication's extension type is its own; the same fields.
        let marker = marker
            .into_iter()
            .map(|(name, list)| {
                let list = list
                    .into_iter()
                    .map(|e| Extension {
                        name: e.name,
                        value: e.value,
                        attrs: e.attrs,
                        children: BTreeMap::new(),
                    })
                    .collect();
                (name, list)
            })
            .collect();
        map.insert(prefix, marker);
    }
    map
}

const RSS_TYPE: &str = "application/rss+xml";

fn atom_link(href: &str, rel: &str, kind: Option<&str>) -> Extension {
    let mut attrs = BTreeMap::from([("href".into(), href.into()), ("rel".into(), rel.into())]);
    if let Some(kind) = kind {
        attrs.insert("type".into(), kind.into());
    }
    Extension {
        name: "atom:link".into(),
        value: None,
        attrs,
        children: BTreeMap::new(),
    }
}

fn item(e: &EntryView) -> rss::Item {
    rss::Item {
        title: Some(e.title.clone()),
        link: e.link.clone(),
        description: Some(if e.summary.is_empty() {
            e.content_html.clone()
        } else {
            e.summary.clone()
        }),
        content: Some(e.content_html.clone()),
        categories: e
            .topics
            .iter()
            .map(|t| rss::Category {
                name: t.title.clone(),
                domain: None,
            })
            .collect(),
        guid: Some(rss::Guid {
            value: e.id.clone(),
            permalink: false,
        }),
        pub_date: Some(e.published.to_rfc2822()),
        source: e.source.as_ref().map(|s| rss::Source {
            url: s.url.clone(),
            title: Some(s.name.clone()),
        }),
        dublin_core_ext: Some(DublinCoreExtension {
            creators: e.authors.clone(),
            ..Default::default()
        }),
        ..Default::default()
    }
}
