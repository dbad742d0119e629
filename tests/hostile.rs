//! Issue #14, item 5: a corpus of hostile feeds (tests/fixtures/hostile/)
//! through the real daemon. What it serves, the topic feeds in Atom, RSS
//! and JSON and the status page, must carry no script, no `on*` handler
//! and no `javascript:` or `data:` URL; an external entity must not read
//! a local file; and entity bombs must leave it responsive and small.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{
    Answer, FixtureServer, TOPICS, get, start_daemon, stop_daemon, unsafe_html, unsafe_page,
};

/// Written into the file the XXE feed names: it must never be served.
const SECRET: &str = "BANTIN-XXE-SECRET-7f3c9a";

fn hostile(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The sources: id, fixture, content type.
const SOURCES: &[(&str, &str, &str)] = &[
    ("script", "script.rss", "application/rss+xml"),
    ("atom", "hostile.atom", "application/atom+xml"),
    ("json", "hostile.json", "application/feed+json"),
    ("xxe", "xxe.rss", "application/rss+xml"),
    ("laughs", "billion-laughs.rss", "application/rss+xml"),
    ("quadratic", "quadratic-blowup.rss", "application/rss+xml"),
    ("advertised", "advertised.html", "text/html; charset=utf-8"),
    ("list", "list.html", "text/html; charset=utf-8"),
];

const SCRAPE: &str = "[source.scrape]\nitem = \"ul.tin-khac > li\"\ntitle = \"a.title\"\n\
    link = \"a.title@href\"\ndate = \"span.date\"\ndate_format = \"%d/%m/%Y %H:%M\"\n\
    summary = \"p.sapo\"\nimage = \"img@src\"\n";

/// Peak resident memory of a process, in KiB (Linux).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// Every string anywhere in a JSON value.
fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(o) => o.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// What is wrong with one served text (a field once decoded), if anything.
fn dirty(what: &str, text: &str) -> Option<String> {
    let seen: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_lowercase();
    for bad in [
        "<script",
        "javascript:",
        "vbscript:",
        "data:text",
        "data:image/svg",
        SECRET,
    ] {
        if seen.contains(&bad.to_lowercase()) {
            return Some(format!("{what} holds {bad}: {text:?}"));
        }
    }
    unsafe_html(text).map(|why| format!("{what} holds {why}: {text:?}"))
}

fn web_link(what: &str, link: &str) -> Option<String> {
    (!(link.starts_with("http://") || link.starts_with("https://")))
        .then(|| format!("{what} is not a web link: {link:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_feeds_come_out_clean_and_leave_the_daemon_small_and_responsive() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, format!("{SECRET}\n")).unwrap();

    let server = FixtureServer::start(&[]).await;
    let mut config = String::from(
        "[server]\nlisten = \"127.0.0.1:0\"\nbase_url = \"http://bantin.test/\"\n\n\
         [store]\npath = \"store\"\nkeep_days = 36500\n\n\
         [poll]\ntimeout = \"10s\"\nhost_gap = \"0s\"\nper_host = 8\n",
    );
    config.push_str(TOPICS);
    for (id, file, content_type) in SOURCES {
        let mut body = hostile(file);
        if *file == "xxe.rss" {
            body = String::from_utf8(body)
                .unwrap()
                .replace("@SECRET@", secret.to_str().unwrap())
                .into_bytes();
        }
        server.set(file, Answer::Feed { body, content_type });
        config.push_str(&format!(
            "\n[[source]]\nid = \"{id}\"\nname = \"{id}\"\nurl = \"{}\"\nallow_private = true\n",
            server.url(file)
        ));
        if *id == "list" {
            config.push_str(SCRAPE);
        }
    }
    let config_path = dir.path().join("feeds.toml");
    std::fs::write(&config_path, config).unwrap();

    let daemon = start_daemon(&config_path, &[]).await;
    let base = format!("http://{}", daemon.addr);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();

    // Until every source has been polled once, the daemon must answer
    // /healthz every time it is asked (each within 5 s).
    let mut polled = false;
    for _ in 0..600 {
        let health = client.get(format!("{base}/healthz")).send().await;
        assert!(
            health.is_ok_and(|r| r.status() == 200),
            "/healthz did not answer while the hostile feeds were polled"
        );
        let (_, _, body) = get(&format!("{base}/status.json"), &[]).await;
        let status: serde_json::Value = serde_json::from_slice(&body).unwrap();
        if status
            .as_array()
            .unwrap()
            .iter()
            .all(|s| !s["last_poll"].is_null())
        {
            polled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(polled, "not every hostile source was polled within 60 s");
    // The published feeds follow the polls.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut problems = Vec::new();
    let mut served = Vec::new();

    // Atom: the HTML inside, as a reader decodes it, and every link.
    let (status, _, atom) = get(&format!("{base}/feeds/all.atom"), &[]).await;
    assert_eq!(status, 200);
    let feed = feed_rs::parser::parse(&atom[..]).unwrap();
    assert!(
        feed.entries.len() >= 8,
        "the hostile items were not published: {} entries",
        feed.entries.len()
    );
    problems.extend(entry_problems("Atom", "summary", &feed, true));
    served.push(("Atom", atom));

    // RSS: the same, through its own writer.
    let (status, _, rss) = get(&format!("{base}/feeds/all.rss"), &[]).await;
    assert_eq!(status, 200);
    let feed = feed_rs::parser::parse(&rss[..]).unwrap();
    problems.extend(entry_problems("RSS", "description", &feed, false));
    served.push(("RSS", rss));

    // JSON Feed: every string in it, and its URLs.
    let (status, _, json) = get(&format!("{base}/feeds/all.json"), &[]).await;
    assert_eq!(status, 200);
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let mut all = Vec::new();
    strings(&value, &mut all);
    for s in &all {
        problems.extend(dirty("JSON Feed string", s));
    }
    for item in value["items"].as_array().unwrap() {
        for key in ["url", "external_url", "image", "banner_image"] {
            if let Some(url) = item[key].as_str() {
                problems.extend(web_link(&format!("JSON Feed {key}"), url));
            }
        }
    }
    served.push(("JSON Feed", json));

    // The status page and its JSON: HTML a browser parses as is.
    let (status, _, page) = get(&format!("{base}/"), &[]).await;
    assert_eq!(status, 200);
    let page_text = String::from_utf8_lossy(&page).into_owned();
    problems.extend(unsafe_page(&page_text).map(|why| format!("the status page holds {why}")));
    let (_, _, status_json) = get(&format!("{base}/status.json"), &[]).await;
    served.push(("status page", page));
    served.push(("status.json", status_json));

    // Whatever the format, the raw bytes hold no script element, no
    // script URL and nothing of the file the external entity named.
    for (what, bytes) in &served {
        let text = String::from_utf8_lossy(bytes).to_lowercase();
        for bad in [
            "<script",
            "javascript:",
            "vbscript:",
            &SECRET.to_lowercase(),
        ] {
            if text.contains(bad) {
                problems.push(format!("the served {what} holds {bad}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The stories that should get through did, and still say something.
    let titles: Vec<String> = feed_rs::parser::parse(&served[0].1[..])
        .unwrap()
        .entries
        .iter()
        .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
        .collect();
    for want in [
        "Tin XXE",
        "Tin cười",
        "Tin nổ bậc hai",
        "Tin cào ba",
        "Thông báo tiêm chủng",
    ] {
        assert!(
            titles.iter().any(|t| t.contains(want)),
            "no story titled {want}: {titles:?}"
        );
    }

    // Entity bombs were not expanded: the daemon stayed small.
    let peak = peak_rss_kib(daemon.child.id());
    assert!(
        peak < 512 * 1024,
        "peak resident memory {} MiB while reading the entity bombs",
        peak / 1024
    );
    eprintln!("peak resident memory: {} MiB", peak / 1024);
    // And it is still serving.
    let (status, _, _) = get(&format!("{base}/feeds/all.atom"), &[]).await;
    assert_eq!(status, 200);
    stop_daemon(daemon).await;
}

/// What is dirty in a parsed feed's entries: titles, summaries (named
/// `summary` as the format calls it), content and links, and with
/// `people` the authors and categories.
fn entry_problems(
    format: &str,
    summary: &str,
    feed: &feed_rs::model::Feed,
    people: bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    for e in &feed.entries {
        let title = e
            .title
            .as_ref()
            .map(|t| t.content.clone())
            .unwrap_or_default();
        problems.extend(dirty(&format!("{format} title"), &title));
        if let Some(s) = &e.summary {
            problems.extend(dirty(&format!("{format} {summary}"), &s.content));
        }
        if let Some(body) = e.content.as_ref().and_then(|c| c.body.as_deref()) {
            problems.extend(dirty(&format!("{format} content"), body));
        }
        for l in &e.links {
            problems.extend(web_link(&format!("{format} link"), &l.href));
        }
        if people {
            for p in &e.authors {
                problems.extend(dirty(
                    &format!("{format} author"),
                    p.name.as_deref().unwrap_or_default(),
                ));
            }
            for c in &e.categories {
                problems.extend(dirty(&format!("{format} category"), &c.term));
            }
        }
    }
    problems
}
