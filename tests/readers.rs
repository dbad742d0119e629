//! Real readers read what `bantin serve` publishes (issue #13): Python's
//! feedparser each XML format, jsonfeed-util the JSON Feed, and newsboat
//! the Atom and RSS feeds, each over HTTP on 127.0.0.1, with no error and
//! the stories the daemon serves; and jsonschema holds every JSON Feed to
//! the JSON Feed 1.1 schema.
//!
//! `.ci/run` installs them. Run locally without one, its test says so
//! loudly and passes; under CI (`CI` set) a missing reader fails.

mod common;

use std::net::SocketAddr;
use std::process::Command;

use common::{Setup, polled_daemon, stop_daemon};

const TOPICS: [&str; 3] = ["all", "y-te", "an-ninh"];

fn python_has(module: &str) -> bool {
    common::installed(
        &format!("python3 with {module}"),
        Command::new("python3").args(["-c", &format!("import {module}")]),
    )
}

/// (id, title) of each story the daemon serves in `topic`, in order: the
/// JSON Feed as bantin wrote it, which the format tests hold equal to
/// the Atom and RSS.
async fn expected(addr: SocketAddr, topic: &str) -> Vec<(String, String)> {
    let (status, _, body) = common::get(&format!("http://{addr}/feeds/{topic}.json"), &[]).await;
    assert_eq!(status, 200);
    let feed: serde_json::Value = serde_json::from_slice(&body).unwrap();
    feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().into(),
                i["title"].as_str().unwrap().into(),
            )
        })
        .collect()
}

/// Runs a Python script with `args`; its stdout, read as JSON.
async fn python(script: &'static str, args: Vec<String>) -> serde_json::Value {
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg("-c")
            .arg(script)
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "python3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// feedparser fetches the URL itself, as a reader does.
const FEEDPARSER: &str = r#"
import json, sys, feedparser
d = feedparser.parse(sys.argv[1])
print(json.dumps({
    "status": d.get("status"),
    "bozo": bool(d.bozo),
    "exception": repr(d.get("bozo_exception")),
    "version": d.version,
    "language": d.feed.get("language"),
    "self": [l.get("href") for l in d.feed.get("links", []) if l.get("rel") == "self"],
    "entries": [{
        "id": e.get("id"),
        "title": e.get("title"),
        "author": e.get("author"),
        "link": e.get("link"),
        "published": e.get("published_parsed") is not None,
        "updated": e.get("updated_parsed") is not None,
        "source": (e.get("source") or {}).get("title"),
        "content": bool(e.get("content") or e.get("summary")),
    } for e in d.entries],
}))
"#;

#[tokio::test]
async fn feedparser_reads_atom_and_rss_with_no_error_and_every_story() {
    if !python_has("feedparser") {
        return;
    }
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    for topic in TOPICS {
        let want = expected(daemon.addr, topic).await;
        for (format, version) in [("atom", "atom10"), ("rss", "rss20")] {
            let url = format!("http://{}/feeds/{topic}.{format}", daemon.addr);
            let d = python(FEEDPARSER, vec![url.clone()]).await;
            assert_eq!(d["status"], 200, "{url}");
            assert_eq!(d["bozo"], false, "{url}: {}", d["exception"]);
            assert_eq!(d["version"], version, "{url}");
            assert_eq!(d["language"], "vi", "{url}");
            assert_eq!(
                d["self"][0],
                format!("http://bantin.test/feeds/{topic}.{format}"),
                "{url}"
            );
            let entries = d["entries"].as_array().unwrap();
            let got: Vec<(String, String)> = entries
                .iter()
                .map(|e| {
                    (
                        e["id"].as_str().unwrap().into(),
                        e["title"].as_str().unwrap().into(),
                    )
                })
                .collect();
            assert_eq!(got, want, "{url}");
            for e in entries {
                assert!(
                    e["author"].as_str().is_some_and(|a| !a.is_empty()),
                    "{url}: {e}"
                );
                assert!(
                    e["link"].is_string() && e["published"] == true,
                    "{url}: {e}"
                );
                assert!(
                    e["source"].is_string() && e["content"] == true,
                    "{url}: {e}"
                );
                if format == "atom" {
                    assert_eq!(e["updated"], true, "{url}: {e}");
                }
            }
        }
    }
    stop_daemon(daemon).await;
}

/// feedparser 6.0.14, the latest release, reads no JSON Feed (its JSON
/// support is unreleased): jsonfeed-util reads it instead.
const JSONFEED: &str = r#"
import json, sys, urllib.request, jsonfeed
with urllib.request.urlopen(sys.argv[1]) as r:
    feed = jsonfeed.Feed.parse_string(r.read().decode("utf-8"))
print(json.dumps({
    "version": feed.version,
    "title": feed.title,
    "language": feed.language,
    "feed_url": feed.feed_url,
    "authors": [a.name for a in (feed.authors or [])],
    "items": [{
        "id": i.id,
        "title": i.title,
        "authors": [a.name for a in (i.authors or [])],
        "date_published": i.date_published,
        "content": bool(i.content_html),
    } for i in feed.items],
}))
"#;

#[tokio::test]
async fn a_json_feed_reader_reads_every_story() {
    if !python_has("jsonfeed") {
        return;
    }
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    for topic in TOPICS {
        let want = expected(daemon.addr, topic).await;
        let url = format!("http://{}/feeds/{topic}.json", daemon.addr);
        let d = python(JSONFEED, vec![url.clone()]).await;
        assert_eq!(d["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(d["language"], "vi");
        assert_eq!(
            d["feed_url"],
            format!("http://bantin.test/feeds/{topic}.json")
        );
        assert_eq!(d["authors"][0], "bantin");
        let items = d["items"].as_array().unwrap();
        let got: Vec<(String, String)> = items
            .iter()
            .map(|i| {
                (
                    i["id"].as_str().unwrap().into(),
                    i["title"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(got, want, "{url}");
        for i in items {
            assert!(i["authors"][0].is_string(), "{url}: {i}");
            assert!(
                i["date_published"].is_string() && i["content"] == true,
                "{url}: {i}"
            );
        }
    }
    stop_daemon(daemon).await;
}

/// Where `.ci/run` puts the JSON Feed 1.1 schema (sonicdoe/jsonfeed-schema
/// 0.5.0, from npm's registry, checked by its hash), unless
/// `JSONFEED_SCHEMA` names another copy.
fn jsonfeed_schema() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("JSONFEED_SCHEMA").map_or_else(
        || {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/jsonfeed-schema/schema-v1.1.json")
        },
        std::path::PathBuf::from,
    );
    if path.is_file() {
        Some(path)
    } else {
        common::reader_missing("the JSON Feed 1.1 schema", "its readers step fetches it");
        None
    }
}

/// Validates the feed at argv[2] against the schema at argv[1] with
/// jsonschema, formats included: every error, with where it is.
const JSON_SCHEMA: &str = r#"
import json, sys, urllib.request, jsonschema
schema = json.load(open(sys.argv[1]))
with urllib.request.urlopen(sys.argv[2]) as r:
    feed = json.loads(r.read().decode("utf-8"))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
v = cls(schema, format_checker=cls.FORMAT_CHECKER)
print(json.dumps({
    "draft": cls.__name__,
    "items": len(feed.get("items", [])),
    "errors": ["/".join(map(str, e.absolute_path)) + ": " + e.message for e in v.iter_errors(feed)],
}))
"#;

#[tokio::test]
async fn every_json_feed_passes_the_json_feed_1_1_schema() {
    if !python_has("jsonschema") {
        return;
    }
    let Some(schema) = jsonfeed_schema() else {
        return;
    };
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    let search = "search?q=y+te&format=json".to_string();
    let feeds = TOPICS
        .iter()
        .map(|t| format!("feeds/{t}.json"))
        .chain([search]);
    for path in feeds {
        let url = format!("http://{}/{path}", daemon.addr);
        let d = python(JSON_SCHEMA, vec![schema.display().to_string(), url.clone()]).await;
        assert_eq!(d["errors"], serde_json::json!([]), "{url} ({})", d["draft"]);
        assert!(d["items"].as_u64().unwrap() > 0, "{url}: no items checked");
    }
    stop_daemon(daemon).await;
}

/// Lists newsboat's cache: (feed URL, guid, title) of every item.
const NEWSBOAT_CACHE: &str = r#"
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(json.dumps({
    "items": c.execute("select feedurl, guid, title from rss_item").fetchall(),
    "feeds": c.execute("select rssurl, title from rss_feed").fetchall(),
}))
"#;

/// newsboat keeps one item per guid across all its feeds, and bantin's
/// formats share their ids on purpose: each feed gets a cache of its own.
#[tokio::test]
async fn newsboat_reads_atom_and_rss_with_no_error_and_every_story() {
    if !common::installed("newsboat", Command::new("newsboat").arg("--version"))
        || !python_has("sqlite3")
    {
        return;
    }
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    for topic in TOPICS {
        let mut want = expected(daemon.addr, topic).await;
        want.sort();
        for format in ["atom", "rss"] {
            let url = format!("http://{}/feeds/{topic}.{format}", daemon.addr);
            let cached = newsboat_reload(&url).await;
            let feeds = cached["feeds"].as_array().unwrap();
            assert_eq!(feeds.len(), 1, "{url}: {feeds:?}");
            assert_eq!(feeds[0][0], url.as_str());
            assert!(feeds[0][1].as_str().is_some_and(|t| !t.is_empty()), "{url}");
            let mut got: Vec<(String, String)> = cached["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    assert_eq!(i[0], url.as_str());
                    (i[1].as_str().unwrap().into(), i[2].as_str().unwrap().into())
                })
                .collect();
            got.sort();
            assert_eq!(got, want, "{url}");
        }
    }
    stop_daemon(daemon).await;
}

/// `newsboat -x reload` of `url` alone, in a home of its own; its cache
/// as JSON. Fails on any error newsboat logs.
async fn newsboat_reload(url: &str) -> serde_json::Value {
    let home = tempfile::tempdir().unwrap();
    let (list, config, cache, log) = (
        home.path().join("urls"),
        home.path().join("config"),
        home.path().join("cache.db"),
        home.path().join("newsboat.log"),
    );
    std::fs::write(&list, format!("{url}\n")).unwrap();
    std::fs::write(&config, "").unwrap();
    let mut reload = Command::new("newsboat");
    reload
        .env("HOME", home.path())
        .env("LANG", "C.UTF-8")
        .args(["-x", "reload", "-l", "3"])
        .arg("-u")
        .arg(&list)
        .arg("-C")
        .arg(&config)
        .arg("-c")
        .arg(&cache)
        .arg("-d")
        .arg(&log);
    let out = tokio::task::spawn_blocking(move || reload.output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Errors and user errors (a feed it cannot read) are logged at level 3.
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        !logged.contains("ERROR"),
        "newsboat logged errors for {url}:\n{logged}"
    );
    python(NEWSBOAT_CACHE, vec![cache.to_str().unwrap().into()]).await
}

/// feedparser walks `prev-archive` from the feed, as an RFC 5005 reader
/// does; the links name `[server] base_url`, which this reader maps to
/// the daemon.
const FEEDPARSER_WALK: &str = r#"
import json, sys, feedparser
url, base, here = sys.argv[1], sys.argv[2], sys.argv[3]
docs = []
while url and len(docs) < 20:
    d = feedparser.parse(url.replace(base, here))
    rels = {l.get("rel"): l.get("href") for l in d.feed.get("links", [])}
    docs.append({
        "url": url,
        "status": d.get("status"),
        "bozo": bool(d.bozo),
        "exception": repr(d.get("bozo_exception")),
        "ids": [e.get("id") for e in d.entries],
        "current": rels.get("current"),
        "next": rels.get("next-archive"),
    })
    url = rels.get("prev-archive")
print(json.dumps(docs))
"#;

#[tokio::test]
async fn feedparser_walks_the_archives_and_meets_every_story_once() {
    if !python_has("feedparser") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (daemon, _server) = common::months_daemon(dir.path()).await;
    for format in ["atom", "rss"] {
        let docs = python(
            FEEDPARSER_WALK,
            vec![
                format!("http://bantin.test/feeds/all.{format}"),
                "http://bantin.test/".into(),
                format!("http://{}/", daemon.addr),
            ],
        )
        .await;
        let docs = docs.as_array().unwrap();
        assert_eq!(docs.len(), 4, "{format}: {docs:?}");
        let mut ids = Vec::new();
        for (n, doc) in docs.iter().enumerate() {
            assert_eq!(doc["status"], 200, "{doc}");
            assert_eq!(doc["bozo"], false, "{doc}");
            ids.extend(doc["ids"].as_array().unwrap().iter().cloned());
            if n > 0 {
                let feed = format!("http://bantin.test/feeds/all.{format}");
                assert_eq!(doc["current"], feed.as_str(), "{doc}");
                let newer = (n > 1).then(|| docs[n - 1]["url"].clone());
                assert_eq!(doc["next"], newer.unwrap_or_default(), "{doc}");
            }
        }
        let distinct: std::collections::HashSet<String> = ids
            .iter()
            .map(|i| i.as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), common::MONTHS_STORIES, "{format}: {ids:?}");
        assert_eq!(distinct.len(), common::MONTHS_STORIES, "{format}: {ids:?}");
    }
    stop_daemon(daemon).await;
}
