//! WebSub (issue #13): with `[server] websub_hub`, every feed names the
//! hub, in its body and a `Link` header, and the hub is told of each feed
//! that changed, once per change, by `bantin serve` itself. The hub here
//! is a tiny HTTP server on 127.0.0.1 that records what it is sent.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use common::{Answer, FixtureServer, TOPICS, get, start_daemon, stop_daemon};
use tokio::net::TcpListener;

/// A WebSub hub: records each publish request (its form fields) and
/// answers `status`.
/// The form fields of each request, in order.
type Forms = Arc<Mutex<Vec<Vec<(String, String)>>>>;

struct Hub {
    url: String,
    seen: Forms,
}

impl Hub {
    async fn start(status: u16) -> Hub {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(status));
        let state = (Arc::clone(&seen), status);
        let app = Router::new().route("/hub", post(record)).with_state(state);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hub", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Hub { url, seen }
    }

    /// How many publish requests named each feed URL.
    fn pings(&self) -> BTreeMap<String, usize> {
        let mut pings = BTreeMap::new();
        for form in self.seen.lock().unwrap().iter() {
            assert_eq!(
                form.iter()
                    .filter(|(k, v)| k == "hub.mode" && v == "publish")
                    .count(),
                1,
                "{form:?}"
            );
            for (_, url) in form.iter().filter(|(k, _)| k == "hub.url") {
                *pings.entry(url.clone()).or_default() += 1;
            }
        }
        pings
    }

    fn requests(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

type HubState = (Forms, Arc<AtomicU16>);

async fn record(
    State((seen, status)): State<HubState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    assert_eq!(
        headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    let form = url::form_urlencoded::parse(&body).into_owned().collect();
    seen.lock().unwrap().push(form);
    StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap()
}

/// A daemon polling the portal fixture every second, with `hub`.
struct Running {
    daemon: common::Daemon,
    server: FixtureServer,
    _dir: tempfile::TempDir,
}

async fn daemon_with(hub: &Hub) -> Running {
    let server = FixtureServer::start(&["portal.rss"]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\nbase_url = \"http://bantin.test/\"\nwebsub_hub = \"{}\"\n\n\
         [store]\npath = \"store\"\nkeep_days = 36500\n\n\
         [poll]\nevery = \"1s\"\nmin_every = \"1s\"\ntimeout = \"5s\"\nhost_gap = \"0s\"\n{TOPICS}\n\
         [[source]]\nid = \"portal\"\nname = \"Cổng Hậu Giang\"\nurl = \"{}\"\nallow_private = true\n",
        hub.url,
        server.url("portal.rss"),
    );
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, config).unwrap();
    let daemon = start_daemon(&path, &[]).await;
    Running {
        daemon,
        server,
        _dir: dir,
    }
}

/// Waits until `check` holds (bounded: `seconds`).
async fn until(seconds: u64, what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..seconds * 10 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within {seconds} s");
}

/// Each format's feed URL of each topic, as the hub must be told of it.
fn urls_of(topics: &[&str]) -> Vec<String> {
    topics
        .iter()
        .flat_map(|t| {
            ["atom", "rss", "json"].map(|ext| format!("http://bantin.test/feeds/{t}.{ext}"))
        })
        .collect()
}

/// The topics whose feeds hold a story.
async fn topics_with_stories(addr: std::net::SocketAddr) -> Vec<&'static str> {
    let mut found = Vec::new();
    for topic in ["all", "y-te", "an-ninh"] {
        let (_, _, body) = get(&format!("http://{addr}/feeds/{topic}.json"), &[]).await;
        let feed: serde_json::Value = serde_json::from_slice(&body).unwrap();
        if !feed["items"].as_array().unwrap().is_empty() {
            found.push(topic);
        }
    }
    found
}

/// One `bantin_websub_pings_total{result=…}` value.
async fn pings_counted(addr: std::net::SocketAddr, result: &str) -> u64 {
    let (_, _, body) = get(&format!("http://{addr}/metrics"), &[]).await;
    let text = String::from_utf8(body.to_vec()).unwrap();
    let series = format!("bantin_websub_pings_total{{result=\"{result}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&series))
        .map_or(0, |v| v.trim().parse().unwrap())
}

/// The portal's feed with one more story, about health only.
fn portal_with_a_new_story() -> Vec<u8> {
    let feed = String::from_utf8(common::fixture("portal.rss")).unwrap();
    let item = "<item>\n\
      <title>Bệnh viện Đa khoa tỉnh tiếp nhận thêm máy thở cho khoa hồi sức</title>\n\
      <link>https://haugiang.gov.vn.test/tin-tuc/y-te/benh-vien-tiep-nhan-may-tho</link>\n\
      <guid isPermaLink=\"true\">https://haugiang.gov.vn.test/tin-tuc/y-te/benh-vien-tiep-nhan-may-tho</guid>\n\
      <description>Bệnh viện Đa khoa tỉnh tiếp nhận 12 máy thở do nhà tài trợ trao tặng.</description>\n\
      <pubDate>Thu, 26 Nov 2026 15:00:00 +0700</pubDate>\n\
    </item>\n    <item>";
    feed.replacen("<item>", item, 1).into_bytes()
}

#[tokio::test]
async fn the_hub_is_told_of_each_changed_feed_once_per_change() {
    let hub = Hub::start(204).await;
    let running = daemon_with(&hub).await;
    let addr = running.daemon.addr;

    // The first poll changes every topic it brings stories to: one ping
    // for each of their feeds, in every format.
    until(20, "the first poll's pings", || hub.requests() > 0).await;
    let topics = topics_with_stories(addr).await;
    assert_eq!(
        topics,
        ["all", "y-te", "an-ninh"],
        "the portal fixture's topics"
    );
    let want: BTreeMap<String, usize> = urls_of(&topics).into_iter().map(|u| (u, 1)).collect();
    until(20, "a ping for every changed feed", || {
        hub.pings().len() == want.len()
    })
    .await;

    // Polls that find nothing new (304s, one a second) tell the hub nothing.
    let polls = || {
        running
            .server
            .seen()
            .iter()
            .filter(|s| s.path == "/portal.rss")
            .count()
    };
    let before = polls();
    until(20, "three more polls", || polls() >= before + 3).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        hub.pings(),
        want,
        "each feed once, and no ping for an unchanged poll"
    );

    // A new story about health changes `all` and `y-te`, not `an-ninh`:
    // one more ping for each of their feeds, and none for the rest.
    running
        .server
        .set("portal.rss", Answer::rss(portal_with_a_new_story()));
    let mut want = want;
    for url in urls_of(&["all", "y-te"]) {
        *want.get_mut(&url).unwrap() += 1;
    }
    let total: usize = want.values().sum();
    until(20, "the change's pings", || {
        hub.pings().values().sum::<usize>() >= total
    })
    .await;
    let before = polls();
    until(20, "three more polls", || polls() >= before + 3).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(hub.pings(), want);
    assert_eq!(pings_counted(addr, "ok").await, total as u64);

    // Every feed names the hub, in its body and in a Link header.
    for (ext, in_body) in [
        ("atom", format!("<link href=\"{}\" rel=\"hub\"/>", hub.url)),
        (
            "rss",
            format!("<atom:link href=\"{}\" rel=\"hub\">", hub.url),
        ),
        (
            "json",
            format!("\"hubs\":[{{\"type\":\"WebSub\",\"url\":\"{}\"}}]", hub.url),
        ),
    ] {
        let (status, headers, body) = get(&format!("http://{addr}/feeds/y-te.{ext}"), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(
            headers.get("link").unwrap().to_str().unwrap(),
            format!(
                "<{}>; rel=\"hub\", <http://bantin.test/feeds/y-te.{ext}>; rel=\"self\"",
                hub.url
            )
        );
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(body.contains(&in_body), "{ext}: {body}");
    }
    // A reader still reads them, and finds the hub.
    for ext in ["atom", "rss"] {
        let url = format!("http://{addr}/feeds/y-te.{ext}");
        if let Some(d) = feedparser(&url).await {
            assert_eq!(d["bozo"], false, "{url}: {}", d["exception"]);
            assert_eq!(d["hub"][0], hub.url.as_str(), "{url}");
            assert_eq!(d["entries"], 4, "{url}");
        }
    }
    stop_daemon(running.daemon).await;
}

/// feedparser's reading of `url`: bozo, the hub links, the entries.
async fn feedparser(url: &str) -> Option<serde_json::Value> {
    const SCRIPT: &str = r#"
import json, sys, feedparser
d = feedparser.parse(sys.argv[1])
print(json.dumps({
    "bozo": bool(d.bozo),
    "exception": repr(d.get("bozo_exception")),
    "hub": [l.get("href") for l in d.feed.get("links", []) if l.get("rel") == "hub"],
    "entries": len(d.entries),
}))
"#;
    common::python_reader("python3 with feedparser", SCRIPT, vec![url.to_string()]).await
}

#[tokio::test]
async fn a_failing_hub_is_tried_again_then_given_up() {
    let hub = Hub::start(503).await;
    let running = daemon_with(&hub).await;
    let addr = running.daemon.addr;
    let feeds = urls_of(&["all", "y-te", "an-ninh"]);
    // Four tries of each feed (1 s, 2 s, 4 s apart), then no more.
    until(40, "every try of every feed", || {
        hub.pings().values().sum::<usize>() >= 4 * feeds.len()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let want: BTreeMap<String, usize> = feeds.iter().map(|u| (u.clone(), 4)).collect();
    assert_eq!(hub.pings(), want);
    assert_eq!(pings_counted(addr, "given_up").await, feeds.len() as u64);
    assert_eq!(pings_counted(addr, "error").await, 3 * feeds.len() as u64);
    assert_eq!(pings_counted(addr, "ok").await, 0);

    // The feeds are served all along, and polling goes on.
    let (status, _, _) = get(&format!("http://{addr}/feeds/all.atom"), &[]).await;
    assert_eq!(status, 200);
    stop_daemon(running.daemon).await;
}
