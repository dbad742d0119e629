//! Reading without a reader (issue #13, item 6): `/topics/{slug}` is an
//! HTML page of the topic's newest stories, paging back through its
//! archives; `/stories/{id}` is the story's own page, its JSON at
//! `/stories/{id}.json`. Each is read with `scraper` (html5ever) as a
//! browser would, over 127.0.0.1.

mod common;

use std::collections::HashSet;
use std::net::SocketAddr;

use common::{MONTHS_STORIES, Setup, get, months_daemon, polled_daemon, stop_daemon};
use scraper::{Html, Selector};

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

/// The page at `path`, parsed; html5ever's parse errors must be none.
async fn page(addr: SocketAddr, path: &str) -> (String, Html) {
    let (status, headers, body) = get(&format!("http://{addr}{path}"), &[]).await;
    assert_eq!(status, 200, "GET {path}");
    let kind = headers["content-type"].to_str().unwrap();
    assert!(kind.starts_with("text/html"), "{path}: {kind}");
    let text = String::from_utf8(body.to_vec()).unwrap();
    let html = Html::parse_document(&text);
    assert!(html.errors.is_empty(), "{path}: {:?}", html.errors);
    (text, html)
}

/// What every page must have to read on a phone: `lang="vi"`, a
/// viewport, a stylesheet, and no script.
fn readable_on_a_phone(path: &str, html: &Html) {
    let root = html.select(&sel("html")).next().unwrap();
    assert_eq!(root.value().attr("lang"), Some("vi"), "{path}");
    let viewport = html.select(&sel("meta[name=viewport]")).next();
    assert!(
        viewport.is_some_and(|m| m
            .value()
            .attr("content")
            .unwrap()
            .contains("width=device-width")),
        "{path}"
    );
    assert_eq!(html.select(&sel("head style")).count(), 1, "{path}");
    assert_eq!(html.select(&sel("script")).count(), 0, "{path}");
}

/// (story page href, title, published) of each article, in order.
fn articles(html: &Html) -> Vec<(String, String, String)> {
    html.select(&sel("article"))
        .map(|a| {
            let title = a.select(&sel("h2 a")).next().unwrap();
            let time = a.select(&sel("time")).next().unwrap();
            (
                title.value().attr("href").unwrap().to_string(),
                title.text().collect(),
                time.value().attr("datetime").unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn topic_page_lists_the_feeds_stories_in_vietnam_time() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    for topic in ["y-te", "an-ninh", "all"] {
        let path = format!("/topics/{topic}");
        let (_, html) = page(daemon.addr, &path).await;
        readable_on_a_phone(&path, &html);
        // Autodiscovery: each format of the topic's feed.
        let alternates: Vec<(String, String)> = html
            .select(&sel("link[rel=alternate]"))
            .map(|l| {
                (
                    l.value().attr("type").unwrap().to_string(),
                    l.value().attr("href").unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            alternates,
            [
                ("application/atom+xml", "atom"),
                ("application/rss+xml", "rss"),
                ("application/feed+json", "json"),
            ]
            .map(|(kind, ext)| (
                kind.to_string(),
                format!("http://bantin.test/feeds/{topic}.{ext}")
            ))
        );
        let (_, _, body) = get(&format!("http://{}/feeds/{topic}.atom", daemon.addr), &[]).await;
        let feed = atom_syndication::Feed::read_from(&body[..]).unwrap();
        let shown = articles(&html);
        // One article per story of the feed, in its order.
        assert_eq!(shown.len(), feed.entries().len(), "{path}");
        for ((href, title, published), entry) in shown.iter().zip(feed.entries()) {
            let id = entry.id.strip_prefix("urn:uuid:").unwrap();
            assert_eq!(href, &format!("/stories/{id}"));
            assert_eq!(title, entry.title.as_str());
            assert!(published.ends_with("+07:00"), "{published}");
            let at = chrono::DateTime::parse_from_rfc3339(published).unwrap();
            assert_eq!(Some(at), entry.published);
        }
        // The original's link, the source's name.
        let article = html.select(&sel("article")).next().unwrap();
        let original = article.select(&sel("a.original")).next().unwrap();
        let entry = &feed.entries()[0];
        let alternate = entry.links.iter().find(|l| l.rel == "alternate").unwrap();
        assert_eq!(original.value().attr("href"), Some(alternate.href.as_str()));
        let meta: String = article
            .select(&sel(".meta"))
            .next()
            .unwrap()
            .text()
            .collect();
        assert!(meta.contains(alternate.title.as_deref().unwrap()), "{meta}");
    }
    // The other sources that carried a story: the feed's `via` links.
    let (_, body_of_all) = page(daemon.addr, "/topics/all").await;
    let (_, _, body) = get(&format!("http://{}/feeds/all.atom", daemon.addr), &[]).await;
    let feed = atom_syndication::Feed::read_from(&body[..]).unwrap();
    let vias: usize = feed
        .entries()
        .iter()
        .map(|e| e.links.iter().filter(|l| l.rel == "via").count())
        .sum();
    assert!(
        vias > 0,
        "the fixtures have stories carried by several sources"
    );
    assert_eq!(body_of_all.select(&sel("article .via a")).count(), vias);
    // Linked from `/`.
    let (_, _, status_page) = get(&format!("http://{}/", daemon.addr), &[]).await;
    let status_page = String::from_utf8_lossy(&status_page);
    for topic in ["y-te", "an-ninh", "all"] {
        assert!(status_page.contains(&format!("href=\"topics/{topic}\"")));
    }
    let (status, _, _) = get(&format!("http://{}/topics/none", daemon.addr), &[]).await;
    assert_eq!(status, 404);
    // Rendered with the feed, served with its validators.
    let url = format!("http://{}/topics/y-te", daemon.addr);
    let (_, headers, _) = get(&url, &[]).await;
    let etag = headers["etag"].to_str().unwrap();
    let (status, _, _) = get(&url, &[("if-none-match", etag)]).await;
    assert_eq!(status, 304);
    stop_daemon(daemon).await;
}

#[tokio::test]
async fn paging_back_from_the_topic_page_shows_every_story_once_and_leads_back() {
    let dir = tempfile::tempdir().unwrap();
    let (daemon, _server) = months_daemon(dir.path()).await;
    let mut path = "/topics/all".to_string();
    let mut visited = vec![path.clone()];
    let mut seen = Vec::new();
    loop {
        let (_, html) = page(daemon.addr, &path).await;
        readable_on_a_phone(&path, &html);
        seen.extend(articles(&html).into_iter().map(|(href, _, _)| href));
        let Some(older) = html.select(&sel("nav.pages a.older")).next() else {
            break;
        };
        path = older.value().attr("href").unwrap().to_string();
        visited.push(path.clone());
        assert!(visited.len() < 20, "paging does not end");
    }
    assert_eq!(
        visited,
        [
            "/topics/all",
            "/topics/all/2026-11",
            "/topics/all/2026-10",
            "/topics/all/2026-08"
        ]
    );
    let distinct: HashSet<&String> = seen.iter().collect();
    assert_eq!(
        (seen.len(), distinct.len()),
        (MONTHS_STORIES, MONTHS_STORIES)
    );
    // And forward again: each month's "newer" is the page before it.
    for pair in visited.windows(2).rev() {
        let (_, html) = page(daemon.addr, &pair[1]).await;
        let newer = html.select(&sel("nav.pages a.newer")).next().unwrap();
        assert_eq!(newer.value().attr("href"), Some(pair[0].as_str()));
    }
    stop_daemon(daemon).await;
}

#[tokio::test]
async fn a_hostile_title_is_text_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let (daemon, _server) = months_daemon(dir.path()).await;
    let (text, html) = page(daemon.addr, "/topics/all/2026-10").await;
    let titles: Vec<String> = articles(&html).into_iter().map(|(_, t, _)| t).collect();
    let hostile = titles
        .iter()
        .find(|t| t.starts_with("Cảnh báo"))
        .unwrap_or_else(|| panic!("{titles:?}"));
    // Whatever the feed's title says, the page shows it as text.
    let (_, _, body) = get(
        &format!("http://{}/feeds/all/archive/2026-10.json", daemon.addr),
        &[],
    )
    .await;
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let from_feed = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .find(|t| t.starts_with("Cảnh báo"))
        .unwrap();
    assert_eq!(hostile, from_feed);
    // Normalize takes markup out of titles, escaped markup included; what
    // is left (quotes, `&`) is text and is escaped as text.
    assert!(
        !hostile.contains("<script") && hostile.contains('&'),
        "{hostile}"
    );
    assert_eq!(html.select(&sel("script")).count(), 0);
    assert!(!text.contains("<script"));
    assert!(text.contains("&amp;"));
    // And on the story's own page.
    let href = articles(&html)
        .into_iter()
        .find(|(_, t, _)| t == hostile)
        .unwrap()
        .0;
    let (text, story) = page(daemon.addr, &href).await;
    assert_eq!(story.select(&sel("script")).count(), 0);
    assert!(!text.contains("<script>"));
    let h1: String = story.select(&sel("h1")).next().unwrap().text().collect();
    assert_eq!(&h1, hostile);
    stop_daemon(daemon).await;
}

#[tokio::test]
async fn story_page_is_html_with_every_copy_and_its_json_moved() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    let (_, _, body) = get(&format!("http://{}/feeds/all.atom", daemon.addr), &[]).await;
    let feed = atom_syndication::Feed::read_from(&body[..]).unwrap();
    // A story carried by several sources.
    let entry = feed
        .entries()
        .iter()
        .find(|e| e.links.iter().any(|l| l.rel == "via"))
        .unwrap();
    let id = entry.id.strip_prefix("urn:uuid:").unwrap();
    let path = format!("/stories/{id}");
    let (_, html) = page(daemon.addr, &path).await;
    readable_on_a_phone(&path, &html);
    let h1: String = html.select(&sel("h1")).next().unwrap().text().collect();
    assert_eq!(h1, entry.title.as_str());
    let times: Vec<&str> = html
        .select(&sel("time"))
        .map(|t| t.value().attr("datetime").unwrap())
        .collect();
    assert!(!times.is_empty() && times.iter().all(|t| t.ends_with("+07:00")));

    let (status, headers, body) = get(&format!("http://{}{path}.json", daemon.addr), &[]).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["id"], entry.id.as_str());
    let copies = json["copies"].as_array().unwrap();
    assert!(copies.len() >= 2);
    // One article per copy, each with its source and link.
    let shown: Vec<String> = html
        .select(&sel("article a.original"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    let stored: Vec<String> = copies
        .iter()
        .filter_map(|c| c["link"].as_str().map(str::to_string))
        .collect();
    assert_eq!(html.select(&sel("article")).count(), copies.len());
    assert_eq!(shown, stored);
    for copy in copies {
        let name = copy["source_name"].as_str().unwrap();
        assert!(
            html.select(&sel("article .meta"))
                .any(|m| m.text().collect::<String>().contains(name)),
            "{name}"
        );
    }
    // The JSON also behind Accept; the explanation at `.txt`.
    let (_, headers, again) = get(
        &format!("http://{}{path}", daemon.addr),
        &[("accept", "application/json")],
    )
    .await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(again, body);
    let (status, _, why) = get(&format!("http://{}{path}.txt", daemon.addr), &[]).await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&why).contains("copies ("));
    let (status, _, _) = get(
        &format!(
            "http://{}/stories/00000000-0000-5000-8000-000000000000",
            daemon.addr
        ),
        &[],
    )
    .await;
    assert_eq!(status, 404);
    stop_daemon(daemon).await;
}
