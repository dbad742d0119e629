//! Search as a feed (issue #13): `bantin serve` answers `/search?q=…`
//! from its index, by the topics' keyword rules, as a page and as Atom,
//! RSS and JSON Feed that readers take.
//!
//! The fixtures hold the trap: `ma túy` (drugs) in several stories, and
//! `mà tùy` ("depending on") in the portal's road story (pt7,
//! tests/fixtures/feeds/EXPECTED.md).

mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;

use common::{Setup, get, polled_daemon, stop_daemon};

/// (id, title, text) of every story the daemon serves in `topic`.
async fn served(addr: SocketAddr, topic: &str) -> Vec<(String, String, String)> {
    let (status, _, body) = get(&format!("http://{addr}/feeds/{topic}.json"), &[]).await;
    assert_eq!(status, 200);
    let feed: serde_json::Value = serde_json::from_slice(&body).unwrap();
    feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let text = format!(
                "{} {} {}",
                i["title"].as_str().unwrap(),
                i["summary"].as_str().unwrap_or_default(),
                i["content_html"].as_str().unwrap()
            );
            (
                i["id"].as_str().unwrap().into(),
                i["title"].as_str().unwrap().into(),
                text.to_lowercase(),
            )
        })
        .collect()
}

/// The ids a search's JSON Feed lists, in order, and its `feed_url`.
async fn search_json(addr: SocketAddr, query: &str) -> (Vec<String>, String) {
    let (status, headers, body) =
        get(&format!("http://{addr}/search?{query}&format=json"), &[]).await;
    assert_eq!(status, 200, "{query}: {}", String::from_utf8_lossy(&body));
    assert_eq!(
        headers["content-type"],
        "application/feed+json; charset=utf-8"
    );
    let feed: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(feed["language"], "vi");
    let ids = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    (ids, feed["feed_url"].as_str().unwrap().into())
}

fn set(ids: &[String]) -> BTreeSet<String> {
    ids.iter().cloned().collect()
}

#[tokio::test]
async fn a_query_without_diacritics_finds_the_accented_stories_and_one_with_them_only_its_spelling()
{
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    let all = served(daemon.addr, "all").await;
    let drugs: Vec<String> = all
        .iter()
        .filter(|(_, _, text)| text.contains("ma túy"))
        .map(|(id, _, _)| id.clone())
        .collect();
    let road = all
        .iter()
        .find(|(_, title, _)| title.starts_with("Đẩy nhanh tiến độ thi công"))
        .map(|(id, _, _)| id.clone())
        .unwrap();
    assert!(drugs.len() >= 2, "{drugs:?}");
    assert!(!drugs.contains(&road));

    // With diacritics: that spelling only, whatever the case; newest
    // first, as the feeds list them.
    let (found, feed_url) = search_json(daemon.addr, "q=ma%20t%C3%BAy").await;
    assert_eq!(found, drugs);
    assert_eq!(
        feed_url,
        "http://bantin.test/search?q=ma+t%C3%BAy&format=json"
    );
    let (found, _) = search_json(daemon.addr, "q=MA%20T%C3%9AY").await;
    assert_eq!(found, drugs);

    // Without: `mà tùy` too.
    let (found, _) = search_json(daemon.addr, "q=ma+tuy").await;
    let mut want = set(&drugs);
    want.insert(road.clone());
    assert_eq!(set(&found), want);

    // A phrase, not two words anywhere: `tuy ma` is in no story.
    let (found, _) = search_json(daemon.addr, "q=tuy+ma").await;
    assert!(found.is_empty(), "{found:?}");

    // The index is reported.
    let (_, _, metrics) = get(&format!("http://{}/metrics", daemon.addr), &[]).await;
    let metrics = String::from_utf8(metrics.to_vec()).unwrap();
    let bytes: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("bantin_search_index_bytes "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(bytes > 0, "{metrics}");
    assert!(metrics.contains("bantin_search_index_budget_bytes 67108864"));
    stop_daemon(daemon).await;
}

#[tokio::test]
async fn a_topic_narrows_a_search_to_its_stories() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    let (everywhere, _) = search_json(daemon.addr, "q=ma+tuy").await;
    for topic in ["an-ninh", "y-te"] {
        let in_topic: BTreeSet<String> = served(daemon.addr, topic)
            .await
            .into_iter()
            .map(|(id, _, _)| id)
            .collect();
        let (found, feed_url) = search_json(daemon.addr, &format!("q=ma+tuy&topic={topic}")).await;
        let want: Vec<String> = everywhere
            .iter()
            .filter(|id| in_topic.contains(*id))
            .cloned()
            .collect();
        assert_eq!(found, want, "{topic}");
        assert_eq!(
            feed_url,
            format!("http://bantin.test/search?q=ma+tuy&topic={topic}&format=json")
        );
    }
    // The road story is in no topic but `all`.
    let (in_security, _) = search_json(daemon.addr, "q=ma+tuy&topic=an-ninh").await;
    assert!(!in_security.is_empty() && in_security.len() < everywhere.len());
    let (status, _, _) = get(
        &format!("http://{}/search?q=ma+tuy&topic=nowhere", daemon.addr),
        &[],
    )
    .await;
    assert_eq!(status, 404);
    stop_daemon(daemon).await;
}

/// feedparser reads a search's Atom or RSS: (bozo, exception, version,
/// self link, entry ids).
const FEEDPARSER: &str = r#"
import json, sys, feedparser
d = feedparser.parse(sys.argv[1])
print(json.dumps({
    "status": d.get("status"),
    "bozo": bool(d.bozo),
    "exception": repr(d.get("bozo_exception")),
    "version": d.version,
    "self": [l.get("href") for l in d.feed.get("links", []) if l.get("rel") == "self"],
    "ids": [e.get("id") for e in d.entries],
}))
"#;

async fn feedparser(url: String) -> Option<serde_json::Value> {
    common::python_reader("python3 with feedparser", FEEDPARSER, vec![url]).await
}

#[tokio::test]
async fn feedparser_reads_a_search_as_atom_and_rss_and_a_search_for_nothing_as_an_empty_feed() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    for (query, expect_some) in [("q=ma+tuy", true), ("q=khongcotinnaynhu", false)] {
        let (ids, _) = search_json(daemon.addr, query).await;
        assert_eq!(!ids.is_empty(), expect_some, "{query}");
        for (format, version) in [("atom", "atom10"), ("rss", "rss20")] {
            let url = format!("http://{}/search?{query}&format={format}", daemon.addr);
            let Some(d) = feedparser(url.clone()).await else {
                stop_daemon(daemon).await;
                return;
            };
            assert_eq!(d["status"], 200, "{url}");
            assert_eq!(d["bozo"], false, "{url}: {}", d["exception"]);
            assert_eq!(d["version"], version, "{url}");
            assert_eq!(
                d["self"][0],
                format!("http://bantin.test/search?{query}&format={format}")
            );
            let got: Vec<String> = d["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_str().unwrap().to_string())
                .collect();
            assert_eq!(got, ids, "{url}");
        }
    }
    // A JSON Feed reader (jsonfeed-util) reads them too.
    for (query, expect_some) in [("q=ma+tuy", true), ("q=khongcotinnaynhu", false)] {
        let (ids, feed_url) = search_json(daemon.addr, query).await;
        let url = format!("http://{}/search?{query}&format=json", daemon.addr);
        let Some(d) =
            common::python_reader("python3 with jsonfeed-util", JSONFEED, vec![url.clone()]).await
        else {
            break;
        };
        assert_eq!(d["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(d["feed_url"], feed_url.as_str());
        assert_eq!(d["ids"], serde_json::json!(ids), "{url}");
        assert_eq!(!ids.is_empty(), expect_some);
    }
    stop_daemon(daemon).await;
}

const JSONFEED: &str = r#"
import json, sys, urllib.request, jsonfeed
with urllib.request.urlopen(sys.argv[1]) as r:
    feed = jsonfeed.Feed.parse_string(r.read().decode("utf-8"))
print(json.dumps({
    "version": feed.version,
    "feed_url": feed.feed_url,
    "ids": [i.id for i in feed.items],
}))
"#;

#[tokio::test]
async fn the_search_page_lists_the_results_and_escapes_what_it_was_sent() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    let all = served(daemon.addr, "all").await;

    let (status, headers, body) = get(
        &format!("http://{}/search?q=ma%20t%C3%BAy", daemon.addr),
        &[],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let page = String::from_utf8(body.to_vec()).unwrap();
    assert!(page.contains("<html lang=\"vi\">"), "{page}");
    assert!(!page.contains("<script"), "{page}");
    for (_, title, text) in &all {
        let listed = page.contains(&*html_escape::encode_text(title));
        assert_eq!(listed, text.contains("ma túy"), "{title}");
    }
    assert!(page.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Tìm kiếm: ma túy (Atom)\" href=\"http://bantin.test/search?q=ma+t%C3%BAy&amp;format=atom\">"
    ), "{page}");

    // What the visitor typed comes back as text, in the title, the
    // heading and the form, never as markup.
    let hostile =
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E";
    let (status, _, body) = get(&format!("http://{}/search?q={hostile}", daemon.addr), &[]).await;
    assert_eq!(status, 200);
    let page = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        !page.contains("<script") && !page.contains("<img"),
        "{page}"
    );
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;\""), "{page}");
    assert!(page.contains("Không tìm thấy tin nào."), "{page}");
    stop_daemon(daemon).await;
}

#[tokio::test]
async fn an_empty_or_too_long_query_is_a_bad_request_that_says_why() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    let long = "tin ".repeat(60);
    for (query, says) in [
        ("", "empty"),
        ("q=", "empty"),
        ("q=%20%2C%20", "empty"),
        (&*format!("q={long}"), "longer than"),
        ("q=re%3A.*", "re:"),
        ("q=covid&format=pdf", "format is"),
    ] {
        let (status, _, body) = get(&format!("http://{}/search?{query}", daemon.addr), &[]).await;
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body.contains(says), "{query}: {body}");
    }
    stop_daemon(daemon).await;
}

#[tokio::test]
async fn the_status_page_offers_the_search() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    let (status, _, body) = get(&format!("http://{}/", daemon.addr), &[]).await;
    assert_eq!(status, 200);
    let page = scraper::Html::parse_document(std::str::from_utf8(&body).unwrap());
    let form = scraper::Selector::parse("form[action]").unwrap();
    let form = page.select(&form).next().expect("a form on /");
    assert_eq!(form.value().attr("method"), Some("get"));
    let input = scraper::Selector::parse("input[name=q]").unwrap();
    assert!(form.select(&input).next().is_some(), "no q field");
    // What the browser asks when the form is sent: the action, relative
    // to `/`, with the field.
    let action = form.value().attr("action").unwrap();
    let (status, headers, _) =
        get(&format!("http://{}/{action}?q=ma%20tuy", daemon.addr), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    stop_daemon(daemon).await;
}

/// The index takes each ingest's copies as the merge hands them over: a
/// copy that joins a story is found by its own words, and a copy whose
/// text is replaced is no longer found by its old words.
#[test]
fn the_index_follows_a_storys_copies_as_they_join_and_change() {
    use bantin::config::Config;
    use bantin::model::Item;
    use bantin::pipeline::merge;
    use bantin::store::Store;
    use bantin::store::search::{Query, SearchIndex};

    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("feeds.toml");
    std::fs::write(
        &toml,
        "[store]\npath = \"store\"\n\n\
         [[source]]\nid = \"soyte\"\nname = \"Sở Y tế\"\nurl = \"https://soyte.test/rss\"\n\n\
         [[source]]\nid = \"baotinh\"\nname = \"Báo tỉnh\"\nurl = \"https://baotinh.test/rss\"\n",
    )
    .unwrap();
    let config = Config::load(&toml).unwrap();
    let store = Store::open(&config.store.path).unwrap();
    let index = SearchIndex::new(64 << 20);
    index.build(&store).unwrap();
    let now = chrono::Utc::now();
    let item = |text: &str| Item {
        guid: Some("https://soyte.test/tin/1".into()),
        link: Some("https://soyte.test/tin/1".into()),
        title: "Hậu Giang triển khai chiến dịch tiêm chủng".into(),
        summary: text.into(),
        content_text: text.into(),
        content: format!("<p>{text}</p>"),
        published: now,
        ..Item::default()
    };
    let ingest = |source: usize, text: &str| {
        let items = vec![(item(text), vec!["all".to_string()])];
        let done = merge::ingest(&store, &config.sources[source], items, now).unwrap();
        index.index(&done.searchable);
    };
    let found = |index: &SearchIndex, q: &str| -> Vec<String> {
        let query = Query::parse(q).unwrap();
        let found = index.search(&store, &query, None).unwrap();
        found.stories.iter().map(|s| s.id.urn()).collect()
    };

    ingest(0, "Trạm y tế phường tổ chức tiêm vắc xin sởi cho trẻ em.");
    // The same page, carried by the paper with words of its own.
    ingest(
        1,
        "Phóng viên ghi nhận nhiều phụ huynh đưa con đi khám bệnh.",
    );
    assert_eq!(
        store.stories().count(),
        1,
        "the paper's copy joins the story"
    );
    let story = found(&index, "vac xin soi");
    assert_eq!(story.len(), 1);
    assert_eq!(
        found(&index, "phu huynh"),
        story,
        "found by the joining copy's words"
    );

    // The paper replaces its text: its old words find nothing, its new
    // ones the story, and the story is indexed once.
    ingest(1, "Bệnh viện đa khoa tỉnh bổ sung giường bệnh.");
    assert!(found(&index, "phu huynh").is_empty());
    assert_eq!(found(&index, "giuong benh"), story);
    assert_eq!(found(&index, "vac xin soi"), story);
    assert_eq!(index.memory().stories, 1);
}
