//! RFC 5005 archives (issue #13, item 3): `bantin serve` over one source
//! of ten stories from August to December 2026 (none in September), with
//! `feed_size = 3`. The feed holds the newest three; each earlier month
//! is an archive at `/feeds/all/archive/{YYYY-MM}.{atom,rss,json}`. A
//! reader walking `prev-archive` from the feed meets every story once;
//! closed months are byte-stable across fetches and restarts.

mod common;

use std::collections::HashSet;
use std::net::SocketAddr;

use common::{MONTHS_STORIES, get, months_daemon, months_started, on_daemon, stop_daemon};

const FH: &str = "http://purl.org/syndication/history/1.0";

/// One document of the walk: its URL, ids, and links by rel.
struct Doc {
    url: String,
    body: String,
    ids: Vec<String>,
    links: Vec<(String, String)>,
}

impl Doc {
    fn link(&self, rel: &str) -> Option<&str> {
        self.links
            .iter()
            .find(|(r, _)| r == rel)
            .map(|(_, h)| h.as_str())
    }
}

async fn atom_doc(addr: SocketAddr, url: &str) -> Doc {
    let (status, _, body) = get(&on_daemon(addr, url), &[]).await;
    assert_eq!(status, 200, "GET {url}");
    let feed = atom_syndication::Feed::read_from(&body[..]).unwrap();
    Doc {
        url: url.to_string(),
        body: String::from_utf8(body.to_vec()).unwrap(),
        ids: feed.entries().iter().map(|e| e.id.clone()).collect(),
        links: feed
            .links()
            .iter()
            .map(|l| (l.rel.clone(), l.href.clone()))
            .collect(),
    }
}

/// The feed, then each archive `prev-archive` leads to, in order.
async fn walk_atom(addr: SocketAddr) -> Vec<Doc> {
    let mut docs = vec![atom_doc(addr, "http://bantin.test/feeds/all.atom").await];
    while let Some(prev) = docs.last().and_then(|d| d.link("prev-archive")) {
        let prev = prev.to_string();
        assert!(docs.len() < 20, "the walk does not end");
        docs.push(atom_doc(addr, &prev).await);
    }
    docs
}

#[tokio::test]
async fn walking_prev_archive_from_the_feed_finds_every_story_once() {
    let dir = tempfile::tempdir().unwrap();
    let (daemon, _server) = months_daemon(dir.path()).await;
    let docs = walk_atom(daemon.addr).await;
    let urls: Vec<&str> = docs.iter().map(|d| d.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "http://bantin.test/feeds/all.atom",
            // The open month: November's stories before the feed's oldest.
            "http://bantin.test/feeds/all/archive/2026-11.atom",
            "http://bantin.test/feeds/all/archive/2026-10.atom",
            // September has no story, and no archive.
            "http://bantin.test/feeds/all/archive/2026-08.atom",
        ]
    );
    let sizes: Vec<usize> = docs.iter().map(|d| d.ids.len()).collect();
    assert_eq!(sizes, [3, 2, 3, 2]);
    let all: Vec<&String> = docs.iter().flat_map(|d| &d.ids).collect();
    let distinct: HashSet<&String> = all.iter().copied().collect();
    assert_eq!(all.len(), MONTHS_STORIES, "{all:?}");
    assert_eq!(distinct.len(), MONTHS_STORIES, "a story twice: {all:?}");

    // The feed is the subscription document: neither fh:complete nor
    // fh:archive.
    assert!(!docs[0].body.contains("fh:complete") && !docs[0].body.contains("fh:archive"));
    for (n, doc) in docs.iter().enumerate().skip(1) {
        assert!(doc.body.contains(FH), "{}", doc.url);
        assert!(doc.body.contains("<fh:archive"), "{}", doc.url);
        assert_eq!(doc.link("self"), Some(doc.url.as_str()));
        assert_eq!(
            doc.link("current"),
            Some("http://bantin.test/feeds/all.atom"),
            "{}",
            doc.url
        );
        // Each archive's newer neighbour is the one the walk came from;
        // the newest has none but the feed.
        let newer = (n > 1).then(|| docs[n - 1].url.as_str());
        assert_eq!(doc.link("next-archive"), newer, "{}", doc.url);
    }
    stop_daemon(daemon).await;
}

/// The same walk in RSS (atom:link rel="prev-archive") and JSON Feed
/// (`next_url`): the same stories, in the same documents.
#[tokio::test]
async fn rss_and_json_feed_archives_hold_the_same_stories_as_atom() {
    let dir = tempfile::tempdir().unwrap();
    let (daemon, _server) = months_daemon(dir.path()).await;
    let atom: Vec<Vec<String>> = walk_atom(daemon.addr)
        .await
        .into_iter()
        .map(|d| d.ids)
        .collect();
    let mut json = Vec::new();
    let mut url = Some("http://bantin.test/feeds/all.json".to_string());
    while let Some(at) = url {
        let (status, _, body) = get(&on_daemon(daemon.addr, &at), &[]).await;
        assert_eq!(status, 200, "{at}");
        let feed: serde_json::Value = serde_json::from_slice(&body).unwrap();
        json.push(
            feed["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>(),
        );
        url = feed["next_url"].as_str().map(str::to_string);
    }
    assert_eq!(json, atom);
    let mut rss = Vec::new();
    let mut url = Some("http://bantin.test/feeds/all.rss".to_string());
    while let Some(at) = url {
        let (status, _, body) = get(&on_daemon(daemon.addr, &at), &[]).await;
        assert_eq!(status, 200, "{at}");
        let channel = rss::Channel::read_from(&body[..]).unwrap();
        rss.push(
            channel
                .items()
                .iter()
                .map(|i| i.guid().unwrap().value().to_string())
                .collect::<Vec<_>>(),
        );
        url = channel.extensions()["atom"]["link"]
            .iter()
            .find(|l| l.attrs().get("rel").map(String::as_str) == Some("prev-archive"))
            .map(|l| l.attrs()["href"].clone());
        assert!(rss.len() < 20);
    }
    assert_eq!(rss, atom);
    stop_daemon(daemon).await;
}

#[tokio::test]
async fn closed_archives_are_byte_stable_across_fetches_and_a_restart_and_answer_304() {
    let dir = tempfile::tempdir().unwrap();
    let (daemon, server) = months_daemon(dir.path()).await;
    let closed = ["2026-10", "2026-08"];
    let mut first = Vec::new();
    for month in closed {
        for ext in ["atom", "rss", "json"] {
            let url = format!("http://{}/feeds/all/archive/{month}.{ext}", daemon.addr);
            let (status, headers, body) = get(&url, &[]).await;
            assert_eq!(status, 200, "{url}");
            let cache = headers["cache-control"].to_str().unwrap();
            assert!(cache.contains("max-age=2592000"), "{url}: {cache}");
            let etag = headers["etag"].to_str().unwrap().to_string();
            let (_, again_headers, again) = get(&url, &[]).await;
            assert_eq!(again, body, "{url} fetched twice");
            assert_eq!(again_headers["etag"].to_str().unwrap(), etag);
            let (status, _, empty) = get(&url, &[("if-none-match", &etag)]).await;
            assert_eq!((status, empty.len()), (304, 0), "{url}");
            first.push((month, ext, body, etag));
        }
    }
    // The open month moves with the news: a short Cache-Control.
    let (_, headers, _) = get(
        &format!("http://{}/feeds/all/archive/2026-11.atom", daemon.addr),
        &[],
    )
    .await;
    assert_eq!(headers["cache-control"], "max-age=60");

    stop_daemon(daemon).await;
    let daemon = months_started(dir.path()).await;
    for (month, ext, body, etag) in &first {
        let url = format!("http://{}/feeds/all/archive/{month}.{ext}", daemon.addr);
        let (status, headers, again) = get(&url, &[]).await;
        assert_eq!(status, 200, "{url}");
        assert_eq!(&again, body, "{url} after a restart");
        assert_eq!(headers["etag"].to_str().unwrap(), etag);
        let (status, _, _) = get(&url, &[("if-none-match", etag)]).await;
        assert_eq!(status, 304, "{url} after a restart");
    }
    stop_daemon(daemon).await;
    drop(server);
}

#[tokio::test]
async fn a_month_with_no_archive_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let (daemon, _server) = months_daemon(dir.path()).await;
    for path in [
        // No story that month.
        "/feeds/all/archive/2026-09.atom",
        // Its stories are all in the feed.
        "/feeds/all/archive/2026-12.atom",
        "/feeds/all/archive/2027-01.rss",
        "/feeds/all/archive/2026-07.json",
        "/feeds/all/archive/2026-13.atom",
        "/feeds/all/archive/2026-10.xml",
        "/feeds/none/archive/2026-10.atom",
        // A topic of fewer stories than the feed holds has no archive.
        "/feeds/y-te/archive/2026-10.atom",
    ] {
        let (status, _, _) = get(&format!("http://{}{path}", daemon.addr), &[]).await;
        assert_eq!(status, 404, "{path}");
    }
    stop_daemon(daemon).await;
}

/// The feed moves on: a newer story pushes November out of the feed's
/// month. The walk still meets every story once, November's archive
/// takes the story the feed let go, and October, closed before, keeps
/// its bytes.
#[tokio::test]
async fn when_the_feed_moves_on_each_story_is_still_met_once_and_closed_months_keep_their_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (daemon, server) = months_daemon(dir.path()).await;
    let october = format!("http://{}/feeds/all/archive/2026-10.atom", daemon.addr);
    let (_, before_headers, before) = get(&october, &[]).await;
    assert!(
        before_headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=2592000")
    );
    let november_before = atom_doc(
        daemon.addr,
        "http://bantin.test/feeds/all/archive/2026-11.atom",
    )
    .await
    .ids;
    stop_daemon(daemon).await;

    let body = String::from_utf8(common::months_fixture()).unwrap();
    let newer = "    <item>\n      <title>Khởi công bệnh viện đa khoa khu vực mới</title>\n      \
                 <link>https://thang.gov.vn.test/tin/11.html</link>\n      \
                 <guid>https://thang.gov.vn.test/tin/11.html</guid>\n      \
                 <description>Bệnh viện 500 giường dự kiến hoàn thành sau ba năm thi công.</description>\n      \
                 <pubDate>Wed, 02 Dec 2026 20:00:00 +0700</pubDate>\n    </item>\n";
    let body = body.replacen("    <item>", &format!("{newer}    <item>"), 1);
    server.set("/months.rss", common::Answer::rss(body.into_bytes()));
    // `bantin poll` fetches it while the daemon is down; the daemon
    // renders what the store holds when it starts.
    let config = dir.path().join("feeds.toml");
    let polled = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_bantin"))
            .args(["poll", "--config", config.to_str().unwrap()])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(polled.status.success(), "{polled:?}");
    let daemon = months_started(dir.path()).await;
    let docs = walk_atom(daemon.addr).await;
    let all: Vec<&String> = docs.iter().flat_map(|d| &d.ids).collect();
    let distinct: HashSet<&String> = all.iter().copied().collect();
    assert_eq!(
        (all.len(), distinct.len()),
        (MONTHS_STORIES + 1, MONTHS_STORIES + 1)
    );
    let urls: Vec<&str> = docs.iter().map(|d| d.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "http://bantin.test/feeds/all.atom",
            // The feed's oldest is December's first: December's archive is
            // open and empty, and leads on.
            "http://bantin.test/feeds/all/archive/2026-12.atom",
            "http://bantin.test/feeds/all/archive/2026-11.atom",
            "http://bantin.test/feeds/all/archive/2026-10.atom",
            "http://bantin.test/feeds/all/archive/2026-08.atom",
        ]
    );
    assert_eq!(docs[1].ids.len(), 0);
    // November closed with the story the feed let go.
    assert_eq!(docs[2].ids.len(), november_before.len() + 1);
    assert!(november_before.iter().all(|id| docs[2].ids.contains(id)));
    let october_now = format!("http://{}/feeds/all/archive/2026-10.atom", daemon.addr);
    let (_, after_headers, after_now) = get(&october_now, &[]).await;
    assert_eq!(
        after_now, before,
        "a closed month changed as the feed moved"
    );
    assert_eq!(after_headers["etag"], before_headers["etag"]);
    stop_daemon(daemon).await;
}
