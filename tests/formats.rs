//! Every format, the same stories (issue #13): `bantin serve` polls the
//! six fixture sources and serves each topic as Atom, RSS 2.0 and JSON
//! Feed 1.1, and the list of them as OPML, over 127.0.0.1.

mod common;

use std::net::SocketAddr;

use common::{STORIES, Setup, get, polled_daemon, stop_daemon as stop};
use quick_xml::events::Event;

const TOPICS: [&str; 3] = ["all", "y-te", "an-ninh"];
const FORMATS: [&str; 3] = ["atom", "rss", "json"];

async fn body_of(addr: SocketAddr, path: &str) -> Vec<u8> {
    let (status, _, body) = get(&format!("http://{addr}{path}"), &[]).await;
    assert_eq!(status, 200, "GET {path}");
    body.to_vec()
}

/// (id, title) of each entry, in the document's order.
fn entries(format: &str, body: &[u8]) -> Vec<(String, String)> {
    match format {
        "json" => {
            let feed: serde_json::Value = serde_json::from_slice(body).unwrap();
            feed["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    (
                        i["id"].as_str().unwrap().to_string(),
                        i["title"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        }
        _ => {
            let feed = feed_rs::parser::parse(body).unwrap();
            feed.entries
                .into_iter()
                .map(|e| (e.id, e.title.unwrap().content))
                .collect()
        }
    }
}

/// Reads the whole document with quick-xml: every tag closed by its own
/// name, one root, nothing after it.
fn well_formed(body: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut roots = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Empty(_)) if depth == 0 => roots += 1,
            Ok(Event::Text(t)) if depth == 0 && !t.trim().is_empty() => {
                return Err(format!(
                    "text outside the root at {}",
                    reader.buffer_position()
                ));
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("at {}: {e}", reader.error_position())),
        }
    }
    match (depth, roots) {
        (0, 1) => Ok(()),
        _ => Err(format!("{depth} elements left open, {roots} roots")),
    }
}

#[tokio::test]
async fn every_format_carries_the_same_stories_in_the_same_order() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    for topic in TOPICS {
        let atom = entries(
            "atom",
            &body_of(daemon.addr, &format!("/feeds/{topic}.atom")).await,
        );
        assert!(!atom.is_empty(), "{topic}.atom is empty");
        for format in ["rss", "json"] {
            let other = entries(
                format,
                &body_of(daemon.addr, &format!("/feeds/{topic}.{format}")).await,
            );
            assert_eq!(other, atom, "{topic}.{format} against {topic}.atom");
        }
    }
    let all = entries("atom", &body_of(daemon.addr, "/feeds/all.atom").await);
    assert_eq!(all.len(), STORIES);
    assert!(all.iter().all(|(id, _)| id.starts_with("urn:uuid:")));
    stop(daemon).await;
}

#[tokio::test]
async fn each_format_answers_304_to_its_own_validators() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    let mut etags = Vec::new();
    for path in FORMATS
        .iter()
        .map(|f| format!("/feeds/y-te.{f}"))
        .chain(["/feeds.opml".to_string()])
    {
        let url = format!("http://{}{path}", daemon.addr);
        let (status, headers, body) = get(&url, &[]).await;
        assert_eq!(status, 200, "{path}");
        assert!(!body.is_empty());
        let etag = headers["etag"].to_str().unwrap().to_string();
        let last_modified = headers["last-modified"].to_str().unwrap().to_string();
        let (status, _, body) = get(&url, &[("if-none-match", &etag)]).await;
        assert_eq!((status, body.len()), (304, 0), "{path} with its ETag");
        let (status, _, _) = get(&url, &[("if-modified-since", &last_modified)]).await;
        assert_eq!(status, 304, "{path} with its Last-Modified");
        let (status, _, _) = get(&url, &[("if-none-match", "\"another\"")]).await;
        assert_eq!(status, 200, "{path} with another ETag");
        // Rendered once, served as rendered: the same bytes again.
        let (_, again, _) = get(&url, &[]).await;
        assert_eq!(again["etag"], headers["etag"], "{path}");
        etags.push(etag);
    }
    etags.sort();
    etags.dedup();
    assert_eq!(etags.len(), 4, "one ETag per document");
    let (status, _, _) = get(&format!("http://{}/feeds/y-te.xml", daemon.addr), &[]).await;
    assert_eq!(status, 404);
    stop(daemon).await;
}

#[tokio::test]
async fn content_types_name_each_format() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    for (path, kind) in [
        ("/feeds/all.atom", "application/atom+xml"),
        ("/feeds/all.rss", "application/rss+xml"),
        ("/feeds/all.json", "application/feed+json"),
        ("/feeds.opml", "text/x-opml"),
    ] {
        let (_, headers, _) = get(&format!("http://{}{path}", daemon.addr), &[]).await;
        let got = headers["content-type"].to_str().unwrap();
        assert!(got.starts_with(kind), "{path}: {got}");
    }
    stop(daemon).await;
}

#[tokio::test]
async fn atom_and_rss_are_well_formed_xml() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    for topic in TOPICS {
        for format in ["atom", "rss"] {
            let body = body_of(daemon.addr, &format!("/feeds/{topic}.{format}")).await;
            if let Err(e) = well_formed(&body) {
                panic!("{topic}.{format} is not well-formed: {e}");
            }
        }
    }
    let opml = body_of(daemon.addr, "/feeds.opml").await;
    well_formed(&opml).unwrap();
    stop(daemon).await;
}

#[test]
fn the_well_formedness_check_finds_a_tag_closed_by_another_name() {
    assert!(well_formed(b"<rss><channel></rss></channel>").is_err());
    assert!(well_formed(b"<rss><channel>").is_err());
    assert!(well_formed(b"<a/><b/>").is_err());
    assert!(well_formed(b"<?xml version=\"1.0\"?>\n<rss><channel/></rss>\n").is_ok());
}

/// RSS 2.0 as the issue asks: `atom:link rel="self"`, `guid
/// isPermaLink="false"` equal to the Atom id, `dc:creator`, and `source`
/// naming the carrying source with its URL.
#[tokio::test]
async fn rss_items_carry_the_atom_id_creator_and_source() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    let body = body_of(daemon.addr, "/feeds/y-te.rss").await;
    let channel = rss::Channel::read_from(&body[..]).unwrap();
    let atom = entries("atom", &body_of(daemon.addr, "/feeds/y-te.atom").await);
    assert_eq!(
        channel.namespaces.get("atom").map(String::as_str),
        Some("http://www.w3.org/2005/Atom")
    );
    let own = &channel.extensions["atom"]["link"];
    assert!(
        own.iter()
            .any(|l| l.attrs.get("rel").is_some_and(|r| r == "self")
                && l.attrs
                    .get("href")
                    .is_some_and(|h| h == "http://bantin.test/feeds/y-te.rss")),
        "{own:?}"
    );
    assert_eq!(channel.language.as_deref(), Some("vi"));
    assert_eq!(channel.items.len(), atom.len());
    let moh = setup.server.url("moh.atom");
    for (item, (id, _)) in channel.items.iter().zip(&atom) {
        let guid = item.guid.as_ref().unwrap();
        assert_eq!((guid.value.as_str(), guid.permalink), (id.as_str(), false));
        let creators = &item.dublin_core_ext.as_ref().unwrap().creators;
        assert!(!creators.is_empty() && creators.iter().all(|c| !c.is_empty()));
        let source = item.source.as_ref().unwrap();
        assert!(
            source
                .url
                .starts_with(&format!("http://{}/", setup.server.addr))
        );
        assert!(item.pub_date.is_some());
        assert!(item.link.is_some() && item.title.is_some());
        if source.url == moh {
            assert_eq!(source.title.as_deref(), Some("moh"));
        }
    }
    // The guid attribute is written out, not left to the default (true).
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("<guid isPermaLink=\"false\">urn:uuid:"));
    stop(daemon).await;
}

/// A JSON Feed 1.1 check: the top-level and item fields the spec
/// requires, each of its type, and no key outside the spec that does not
/// start with `_` (the spec's extensions).
fn json_feed_problems(feed: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let mut problems = Vec::new();
    let Some(top) = feed.as_object() else {
        return vec!["not an object".into()];
    };
    let known = [
        "version",
        "title",
        "home_page_url",
        "feed_url",
        "description",
        "user_comment",
        "next_url",
        "icon",
        "favicon",
        "authors",
        "author",
        "language",
        "expired",
        "hubs",
        "items",
    ];
    let item_keys = [
        "id",
        "url",
        "external_url",
        "title",
        "content_html",
        "content_text",
        "summary",
        "image",
        "banner_image",
        "date_published",
        "date_modified",
        "authors",
        "author",
        "tags",
        "language",
        "attachments",
    ];
    let string = |v: Option<&Value>| v.is_none_or(Value::is_string);
    let date = |v: Option<&Value>| {
        v.is_none_or(|v| {
            v.as_str()
                .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
        })
    };
    let authors_ok = |v: Option<&Value>| {
        v.is_none_or(|v| {
            v.as_array().is_some_and(|a| {
                a.iter().all(|p| {
                    p.as_object().is_some_and(|p| {
                        !p.is_empty()
                            && p.keys()
                                .all(|k| ["name", "url", "avatar"].contains(&k.as_str()))
                            && p.values().all(Value::is_string)
                    })
                })
            })
        })
    };
    if top.get("version").and_then(Value::as_str) != Some("https://jsonfeed.org/version/1.1") {
        problems.push("version is not https://jsonfeed.org/version/1.1".into());
    }
    if !top.get("title").is_some_and(Value::is_string) {
        problems.push("title (required) is not a string".into());
    }
    for key in ["home_page_url", "feed_url", "description", "language"] {
        if !string(top.get(key)) {
            problems.push(format!("{key} is not a string"));
        }
    }
    if !authors_ok(top.get("authors")) {
        problems.push("authors is not an array of authors".into());
    }
    for key in top.keys() {
        if !known.contains(&key.as_str()) && !key.starts_with('_') {
            problems.push(format!("unknown top-level key {key}"));
        }
    }
    let Some(items) = top.get("items").and_then(Value::as_array) else {
        problems.push("items (required) is not an array".into());
        return problems;
    };
    for (n, item) in items.iter().enumerate() {
        let Some(item) = item.as_object() else {
            problems.push(format!("item {n} is not an object"));
            continue;
        };
        if !item.get("id").is_some_and(Value::is_string) {
            problems.push(format!("item {n}: id (required) is not a string"));
        }
        if !item.contains_key("content_html") && !item.contains_key("content_text") {
            problems.push(format!("item {n}: neither content_html nor content_text"));
        }
        for key in [
            "url",
            "external_url",
            "title",
            "content_html",
            "content_text",
            "summary",
            "language",
        ] {
            if !string(item.get(key)) {
                problems.push(format!("item {n}: {key} is not a string"));
            }
        }
        for key in ["date_published", "date_modified"] {
            if !date(item.get(key)) {
                problems.push(format!("item {n}: {key} is not an RFC 3339 date"));
            }
        }
        if !authors_ok(item.get("authors")) {
            problems.push(format!("item {n}: authors is not an array of authors"));
        }
        if !item
            .get("tags")
            .is_none_or(|t| t.as_array().is_some_and(|a| a.iter().all(Value::is_string)))
        {
            problems.push(format!("item {n}: tags is not an array of strings"));
        }
        for key in item.keys() {
            if !item_keys.contains(&key.as_str()) && !key.starts_with('_') {
                problems.push(format!("item {n}: unknown key {key}"));
            }
        }
    }
    problems
}

#[test]
fn the_json_feed_check_finds_what_1_1_forbids() {
    let bad = serde_json::json!({
        "version": "https://jsonfeed.org/version/1",
        "items": [{"id": 7, "date_published": "yesterday", "guid": "x"}]
    });
    let problems = json_feed_problems(&bad);
    for expected in [
        "version is not",
        "title (required)",
        "item 0: id (required)",
        "item 0: neither content_html",
        "item 0: date_published",
        "item 0: unknown key guid",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "{expected}: {problems:?}"
        );
    }
}

#[tokio::test]
async fn json_feed_is_1_1_with_authors_language_and_the_atom_ids() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    for topic in TOPICS {
        let body = body_of(daemon.addr, &format!("/feeds/{topic}.json")).await;
        let feed: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            json_feed_problems(&feed),
            Vec::<String>::new(),
            "{topic}.json"
        );
        assert_eq!(feed["language"], "vi");
        assert_eq!(
            feed["feed_url"],
            format!("http://bantin.test/feeds/{topic}.json")
        );
        assert_eq!(feed["authors"][0]["name"], "bantin");
        for item in feed["items"].as_array().unwrap() {
            let authors = item["authors"].as_array().unwrap();
            assert!(!authors.is_empty(), "{item}");
            assert!(item["date_published"].is_string() && item["date_modified"].is_string());
            assert!(item["_bantin"]["source"]["url"].is_string());
        }
    }
    stop(daemon).await;
}

#[tokio::test]
async fn feeds_opml_lists_every_topic_feed() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    let body = body_of(daemon.addr, "/feeds.opml").await;
    let text = String::from_utf8(body).unwrap();
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut listed = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Empty(e) | Event::Start(e) if e.name().as_ref() == "outline" => {
                let value = |name: &str| {
                    e.try_get_attribute(name).unwrap().map(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned()
                    })
                };
                assert_eq!(value("type").as_deref(), Some("rss"));
                listed.push((value("text").unwrap(), value("xmlUrl").unwrap()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut urls: Vec<&str> = listed.iter().map(|(_, u)| u.as_str()).collect();
    urls.sort();
    assert_eq!(
        urls,
        [
            "http://bantin.test/feeds/all.atom",
            "http://bantin.test/feeds/an-ninh.atom",
            "http://bantin.test/feeds/y-te.atom",
        ]
    );
    assert_eq!(listed.len(), TOPICS.len(), "{listed:?}");
    assert!(listed.iter().any(|(text, _)| text == "Y tế"));
    // Each listed feed is served (at bantin's own address here).
    for (_, url) in &listed {
        let path = url.strip_prefix("http://bantin.test").unwrap();
        body_of(daemon.addr, path).await;
    }
    stop(daemon).await;
}

#[tokio::test]
async fn status_page_advertises_every_format_and_the_opml() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    let page = String::from_utf8(body_of(daemon.addr, "/").await).unwrap();
    let head = &page[..page.find("</head>").unwrap()];
    for topic in TOPICS {
        for (format, kind) in [
            ("atom", "application/atom+xml"),
            ("rss", "application/rss+xml"),
            ("json", "application/feed+json"),
        ] {
            let link = format!("type=\"{kind}\"");
            let href = format!("href=\"feeds/{topic}.{format}\"");
            assert!(
                head.lines()
                    .any(|l| l.starts_with("<link rel=\"alternate\"")
                        && l.contains(&link)
                        && l.contains(&href)),
                "no alternate link to {topic}.{format} in {head}"
            );
            assert!(
                page[head.len()..].contains(&href),
                "{topic}.{format} not listed"
            );
        }
    }
    assert!(page.contains("href=\"feeds.opml\""));
    stop(daemon).await;
}
