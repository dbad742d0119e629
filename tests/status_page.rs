//! The status page with pictures (`/`) and a source's history
//! (`/sources/{id}`), read over HTTP as an operator's browser reads them;
//! and the poll history behind them, kept in the store, bounded and
//! pruned.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use bantin::model::history::{Outcome, POLLS_KEPT, PollRecord};
use bantin::model::{Dropped, PollResult};
use bantin::store::Store;
use chrono::{DateTime, Duration, Utc};
use common::{Answer, FixtureServer, get, serve};
use scraper::{ElementRef, Html, Selector};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/status")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The page at `url`, parsed; a page bantin serves parses without a
/// single html5ever error.
async fn page(url: String) -> (u16, Html) {
    let (status, _, body) = get(&url, &[]).await;
    let html = Html::parse_document(&String::from_utf8_lossy(&body));
    if status == 200 {
        assert!(html.errors.is_empty(), "{url}: {:?}", html.errors);
    }
    (status, html)
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

fn within<'a>(element: ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    element.select(&Selector::parse(css).unwrap()).collect()
}

fn text(element: ElementRef<'_>) -> String {
    element.text().collect()
}

/// The source's row on `/`; exactly one.
fn row<'a>(html: &'a Html, id: &str) -> ElementRef<'a> {
    let rows = select(html, &format!("tr.source[data-source=\"{id}\"]"));
    assert_eq!(rows.len(), 1, "rows of {id}: {}", html.html());
    rows[0]
}

/// A sparkline's declared points, and the points its polyline has.
fn spark_points(row: ElementRef<'_>, kind: &str) -> (usize, usize) {
    let sparks = within(row, &format!("svg.spark[data-kind=\"{kind}\"]"));
    assert_eq!(sparks.len(), 1, "{kind} sparklines in {}", row.html());
    let declared = sparks[0]
        .value()
        .attr("data-points")
        .unwrap()
        .parse()
        .unwrap();
    let lines = within(sparks[0], "polyline");
    assert_eq!(lines.len(), 1);
    let points = lines[0].value().attr("points").unwrap();
    (declared, points.split_whitespace().count())
}

/// feeds.toml for `sources` (id, name, url), its store beside it.
fn pipeline_of(dir: &Path, sources: &[(&str, &str, String)]) -> Arc<bantin::pipeline::Pipeline> {
    pipeline_at(&write_config(dir, sources))
}

fn pipeline_at(path: &Path) -> Arc<bantin::pipeline::Pipeline> {
    let config = Arc::new(bantin::config::Config::load(path).unwrap());
    let store = Store::open(&config.store.path).unwrap();
    bantin::pipeline::Pipeline::new(config, store).unwrap()
}

/// The fixtures keep their dates while the calendar moves on: a century
/// of retention keeps them.
fn write_config(dir: &Path, sources: &[(&str, &str, String)]) -> std::path::PathBuf {
    write_config_keeping(dir, 36500, sources)
}

fn write_config_keeping(
    dir: &Path,
    keep_days: u32,
    sources: &[(&str, &str, String)],
) -> std::path::PathBuf {
    let mut text = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\nbase_url = \"http://bantin.test/\"\n\n\
         [store]\npath = \"store\"\nkeep_days = {keep_days}\n\n[poll]\ntimeout = \"5s\"\nhost_gap = \"0s\"\n{}",
        common::TOPICS
    );
    for (id, name, url) in sources {
        text.push_str(&format!(
            "\n[[source]]\nid = \"{id}\"\nname = {name:?}\nurl = \"{url}\"\nallow_private = true\n"
        ));
    }
    let path = dir.join("feeds.toml");
    std::fs::write(&path, text).unwrap();
    path
}

async fn poll(pipeline: &Arc<bantin::pipeline::Pipeline>, id: &str) -> PollResult {
    let config = pipeline.config();
    let source = config.sources.iter().find(|s| s.id == id).unwrap();
    pipeline.poll_source(source).await.result
}

#[tokio::test]
async fn a_source_polled_three_times_has_three_points_of_latency() {
    let server = FixtureServer::start(&["portal.rss"]).await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = pipeline_of(
        dir.path(),
        &[(
            "haugiang-portal",
            "Cổng Hậu Giang",
            server.url("portal.rss"),
        )],
    );
    for _ in 0..3 {
        poll(&pipeline, "haugiang-portal").await;
    }
    let served = serve(Arc::clone(&pipeline)).await;

    let (status, html) = page(format!("http://{}/", served.addr)).await;
    assert_eq!(status, 200);
    let portal = row(&html, "haugiang-portal");
    // The first poll stored the feed; the two after were answered 304.
    assert_eq!(portal.value().attr("data-state"), Some("not-modified"));
    assert_eq!(spark_points(portal, "latency"), (3, 3));
    assert_eq!(spark_points(portal, "items"), (7, 7));
    let link = within(portal, "a[href=\"sources/haugiang-portal\"]");
    assert_eq!(link.len(), 1, "no link to the source's page");

    // A bar chart of 30 days for each topic.
    for topic in ["all", "y-te", "an-ninh"] {
        let charts = select(
            &html,
            &format!("svg.bars[data-topic=\"{topic}\"][data-days=\"30\"]"),
        );
        assert_eq!(charts.len(), 1, "chart of {topic}");
        assert_eq!(within(charts[0], "rect").len(), 30);
    }
    // The page is laid out for a phone: its own width, and the table
    // scrolls in its box or stacks.
    let source = html.html();
    assert!(source.contains("width=device-width"));
    assert_eq!(select(&html, "div.scroll > table.sources").len(), 1);
    assert!(source.contains("@media (max-width:"));

    let (_, _, json) = get(&format!("http://{}/status.json", served.addr), &[]).await;
    let statuses: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(statuses[0]["history"]["polls_kept"], 3);
    assert_eq!(
        statuses[0]["history"]["latency_7d"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // The fields that were there before stay.
    assert_eq!(statuses[0]["state"], "not modified");
    assert_eq!(statuses[0]["http_status"], 304);

    // A poll after the page was read shows at once: what the page keeps
    // of the statuses goes with the poll's write.
    poll(&pipeline, "haugiang-portal").await;
    let (_, html) = page(format!("http://{}/", served.addr)).await;
    assert_eq!(
        spark_points(row(&html, "haugiang-portal"), "latency"),
        (4, 4)
    );
    served.stop().await;
}

/// A pipeline of two sources on `server`: the portal's feed, and `soyte`,
/// answered 500.
fn portal_and_failing_source(
    server: &FixtureServer,
    dir: &Path,
) -> Arc<bantin::pipeline::Pipeline> {
    server.set("broken.xml", Answer::Status(500));
    pipeline_of(
        dir,
        &[
            (
                "haugiang-portal",
                "Cổng Hậu Giang",
                server.url("portal.rss"),
            ),
            ("soyte", "Sở Y tế", server.url("broken.xml")),
        ],
    )
}

#[tokio::test]
async fn a_source_answering_500_is_failing_with_its_error_in_words() {
    let server = FixtureServer::start(&["portal.rss"]).await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = portal_and_failing_source(&server, dir.path());
    poll(&pipeline, "haugiang-portal").await;
    poll(&pipeline, "soyte").await;
    let served = serve(Arc::clone(&pipeline)).await;

    let (_, html) = page(format!("http://{}/", served.addr)).await;
    let failing = row(&html, "soyte");
    assert_eq!(failing.value().attr("data-state"), Some("failing"));
    let badge = within(failing, ".badge");
    assert_eq!(text(badge[0]), "failing");
    let error = text(within(failing, "td.error")[0]);
    assert!(
        error.contains("the server answered 500 Internal Server Error"),
        "{error}"
    );
    assert_eq!(
        row(&html, "haugiang-portal").value().attr("data-state"),
        Some("ok")
    );

    // Filtered by the server: only the failing row.
    let (_, html) = page(format!("http://{}/?state=failing", served.addr)).await;
    let rows = select(&html, "tr.source");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].value().attr("data-source"), Some("soyte"));
    // Worst first.
    let (_, html) = page(format!("http://{}/?sort=state", served.addr)).await;
    let order: Vec<&str> = select(&html, "tr.source")
        .iter()
        .map(|r| r.value().attr("data-source").unwrap())
        .collect();
    assert_eq!(order, ["soyte", "haugiang-portal"]);
    served.stop().await;
}

#[tokio::test]
async fn a_sources_page_lists_its_polls_with_their_counts() {
    let server = FixtureServer::start(&[]).await;
    server.set("feed.xml", Answer::rss(common::dropping_feed()));
    let dir = tempfile::tempdir().unwrap();
    let path = write_config_keeping(
        dir.path(),
        30,
        &[("soyte", "Sở Y tế <b>tỉnh</b>", server.url("feed.xml"))],
    );
    let pipeline = pipeline_at(&path);
    poll(&pipeline, "soyte").await;
    poll(&pipeline, "soyte").await;
    let served = serve(Arc::clone(&pipeline)).await;

    let (status, html) = page(format!("http://{}/sources/soyte", served.addr)).await;
    assert_eq!(status, 200);
    assert_eq!(select(&html, "html[lang=\"vi\"]").len(), 1);
    // The name is text, not markup.
    assert_eq!(text(select(&html, "h1")[0]), "Sở Y tế <b>tỉnh</b>");
    assert!(select(&html, "h1 b").is_empty());
    let polls = select(&html, "tr.poll");
    assert_eq!(polls.len(), 2);
    // Newest first: the 304, then the poll that stored two items.
    assert_eq!(polls[0].value().attr("data-outcome"), Some("not-modified"));
    assert_eq!(polls[0].value().attr("data-new"), Some("0"));
    assert_eq!(polls[1].value().attr("data-outcome"), Some("ok"));
    assert_eq!(polls[1].value().attr("data-new"), Some("2"));
    assert_eq!(polls[1].value().attr("data-dropped"), Some("3"));
    let dropped = text(within(polls[1], "td[data-label=\"dropped\"]")[0]);
    assert_eq!(
        dropped,
        "3 dropped (1 no title or link, 1 too old, 1 duplicate)"
    );
    assert_eq!(spark_points(html.root_element(), "latency"), (2, 2));

    // Two days ago, the topic `all` got its two stories.
    let (_, status_page) = page(format!("http://{}/", served.addr)).await;
    let chart = select(&status_page, "svg.bars[data-topic=\"all\"]")[0];
    let bars = within(chart, "rect");
    let two_days_ago = (Utc::now() - Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(text(bars[27]), format!("{two_days_ago}: 2"));

    let (status, _, _) = get(&format!("http://{}/sources/nope", served.addr), &[]).await;
    assert_eq!(status, 404);
    served.stop().await;
}

fn at_days_ago(now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    now - Duration::days(days)
}

/// A poll that brought `new_items`.
fn record(at: DateTime<Utc>, new_items: usize) -> PollRecord {
    PollRecord {
        at,
        outcome: Outcome::Ok,
        error_kind: None,
        message: None,
        http_status: Some(200),
        bytes: 2_000,
        duration_ms: 40,
        items: new_items,
        new_items,
        updated: 0,
        new_stories: new_items,
        dropped: Dropped::default(),
        notes: Vec::new(),
    }
}

#[tokio::test]
async fn a_source_silent_for_four_times_its_usual_gap_is_quiet() {
    let server = FixtureServer::start(&["portal.rss"]).await;
    server.set("xa.rss", Answer::rss(fixture("empty-channel.rss")));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &[
            (
                "haugiang-portal",
                "Cổng Hậu Giang",
                server.url("portal.rss"),
            ),
            ("vithanh-xa", "Xã Vị Thanh", server.url("xa.rss")),
        ],
    );
    // Its past: new items every day for six days, the last five days ago.
    let now = Utc::now();
    {
        let store = Store::open(&dir.path().join("store")).unwrap();
        for days in (5..=10).rev() {
            let at = at_days_ago(now, days);
            store
                .record_poll("vithanh-xa", &common::fetched_state(at), &record(at, 2))
                .unwrap();
        }
        store.flush().unwrap();
    }

    let daemon = common::start_daemon(&config, &[]).await;
    // Both sources polled once by the daemon: the portal's items are new,
    // the quiet one's channel is empty.
    let json_url = format!("http://{}/status.json", daemon.addr);
    let mut polled = false;
    for _ in 0..200 {
        let (_, _, body) = get(&json_url, &[]).await;
        let statuses: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let kept: Vec<u64> = statuses
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["history"]["polls_kept"].as_u64().unwrap())
            .collect();
        if kept == [1, 7] {
            polled = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(polled, "the daemon did not poll both sources within 20 s");

    let (_, html) = page(format!("http://{}/", daemon.addr)).await;
    let quiet = row(&html, "vithanh-xa");
    assert_eq!(quiet.value().attr("data-state"), Some("quiet"));
    assert_eq!(text(within(quiet, ".badge")[0]), "quiet");
    let silence = text(within(quiet, "td[data-label=\"last new item\"]")[0]);
    assert!(
        silence.contains("5 d ago") && silence.contains("usually every 24 h"),
        "{silence}"
    );
    assert_eq!(
        row(&html, "haugiang-portal").value().attr("data-state"),
        Some("ok")
    );
    let (_, html) = page(format!("http://{}/?state=quiet", daemon.addr)).await;
    assert_eq!(select(&html, "tr.source").len(), 1);
    common::stop_daemon(daemon).await;
}

#[test]
fn a_source_keeps_its_last_fifty_polls() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let start = Utc::now() - Duration::hours(10);
    for n in 0..60 {
        let at = start + Duration::minutes(n);
        store
            .record_poll(
                "moh",
                &common::fetched_state(at),
                &record(at, n as usize % 2),
            )
            .unwrap();
    }
    let kept = store.poll_records("moh").unwrap();
    assert_eq!(kept.len(), POLLS_KEPT);
    assert_eq!(kept[0].at, start + Duration::minutes(10));
    assert_eq!(kept[49].at, start + Duration::minutes(59));
    let summary = store.history_summary("moh").unwrap().unwrap();
    assert_eq!(summary.polls.len(), POLLS_KEPT);
    assert_eq!(summary.days.iter().map(|d| d.polls).sum::<u32>(), 60);
}

#[test]
fn retention_prunes_old_polls_and_sources_no_longer_configured() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let now = Utc::now();
    for (id, days) in [("moh", 100), ("moh", 1), ("bocongan", 100), ("bocongan", 2)] {
        let at = at_days_ago(now, days);
        store
            .record_poll(id, &common::fetched_state(at), &record(at, 1))
            .unwrap();
    }
    // `bantin prune`: by age alone, with a 30-day keep.
    let pruned = bantin::ops::retention::prune(&store, 30, now).unwrap();
    assert_eq!(pruned.history.polls, 2);
    for id in ["moh", "bocongan"] {
        let kept = store.poll_records(id).unwrap();
        assert_eq!(kept.len(), 1, "{id}");
        let summary = store.history_summary(id).unwrap().unwrap();
        assert_eq!(summary.polls.len(), 1);
        // The day counters of 100 days ago are gone too.
        assert_eq!(summary.days.len(), 1);
    }
    // The daemon's prune, which knows the sources configured.
    let configured: HashSet<String> = ["moh".to_string()].into();
    let pruned = bantin::ops::retention::prune_history(&store, 30, Some(&configured), now).unwrap();
    assert_eq!(pruned.sources, 1);
    assert!(store.poll_records("bocongan").unwrap().is_empty());
    assert!(store.history_summary("bocongan").unwrap().is_none());
    assert_eq!(store.poll_records("moh").unwrap().len(), 1);
}

/// `bantin prune` drops the history of a source feeds.toml no longer
/// names, as the daemon's own prune does, and keeps the others'.
#[test]
fn bantin_prune_drops_the_history_of_sources_no_longer_configured() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let now = Utc::now();
    {
        let store = Store::open(&path).unwrap();
        for id in ["moh", "bocongan"] {
            let at = at_days_ago(now, 1);
            store
                .record_poll(id, &common::fetched_state(at), &record(at, 1))
                .unwrap();
        }
    }
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[store]\npath = \"{}\"\n\n[[source]]\nid = \"moh\"\nname = \"Bộ Y tế\"\nurl = \"https://moh.gov.vn.test/rss\"\n",
            path.display()
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(["prune", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let store = Store::open(&path).unwrap();
    assert!(store.poll_records("bocongan").unwrap().is_empty());
    assert!(store.history_summary("bocongan").unwrap().is_none());
    assert_eq!(store.poll_records("moh").unwrap().len(), 1);
}

#[test]
fn a_store_from_before_the_poll_history_opens_and_records_polls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let at = Utc::now() - Duration::hours(1);
    {
        // The trees and the schema a bantin without poll history left.
        let db = sled::open(&path).unwrap();
        for tree in [
            "links", "titles", "sketches", "topics", "stories", "copies", "sources",
        ] {
            db.open_tree(tree).unwrap();
        }
        let meta = db.open_tree("meta").unwrap();
        meta.insert("schema", &2u64.to_be_bytes()).unwrap();
        meta.insert("created", &at.timestamp().to_be_bytes())
            .unwrap();
        db.open_tree("sources")
            .unwrap()
            .insert(
                "moh",
                serde_json::to_vec(&common::fetched_state(at)).unwrap(),
            )
            .unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert!(!store.outdated().unwrap());
    assert_eq!(
        store.source_state("moh").unwrap(),
        Some(common::fetched_state(at))
    );
    assert!(store.history_summary("moh").unwrap().is_none());
    assert!(store.poll_records("moh").unwrap().is_empty());
    let now = Utc::now();
    store
        .record_poll("moh", &common::fetched_state(now), &record(now, 3))
        .unwrap();
    assert_eq!(store.poll_records("moh").unwrap().len(), 1);
    // An export of it reads as before.
    let mut out = Vec::new();
    bantin::ops::backup::export(&store, &mut out).unwrap();
}

#[tokio::test]
async fn a_move_shows_in_the_sources_polls_and_its_state() {
    let server = FixtureServer::start(&["portal.rss"]).await;
    server.set("old.rss", Answer::redirect(301, &server.url("portal.rss")));
    let dir = tempfile::tempdir().unwrap();
    let pipeline = pipeline_of(
        dir.path(),
        &[("haugiang-portal", "Cổng Hậu Giang", server.url("old.rss"))],
    );
    for _ in 0..bantin::model::MOVE_AFTER {
        poll(&pipeline, "haugiang-portal").await;
    }
    let served = serve(Arc::clone(&pipeline)).await;

    let (_, html) = page(format!("http://{}/", served.addr)).await;
    assert_eq!(
        row(&html, "haugiang-portal").value().attr("data-state"),
        Some("moved")
    );
    let (_, html) = page(format!("http://{}/sources/haugiang-portal", served.addr)).await;
    let polls = select(&html, "tr.poll");
    assert_eq!(polls.len(), 3);
    assert_eq!(polls[0].value().attr("data-outcome"), Some("moved"));
    let notes = text(within(polls[0], "td.notes")[0]);
    let to = server.url("portal.rss");
    assert!(
        notes.contains(&format!("moved: {} → {to}", server.url("old.rss"))),
        "{notes}"
    );
    let earlier = text(within(polls[2], "td.notes")[0]);
    assert!(
        earlier.contains(&format!("permanent redirect to {to} seen on 1 poll(s)")),
        "{earlier}"
    );
    let moves = text(select(&html, "ul.notes")[0]);
    assert!(
        moves.contains(&format!("moved from {} to {to}", server.url("old.rss"))),
        "{moves}"
    );
    served.stop().await;
}

/// Many clients at once share renderings of the page, and each gets the
/// whole page; a poll made after they are answered shows on the next
/// request, not after some cache's lifetime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_at_once_each_get_the_whole_page_and_the_next_poll_shows_at_once() {
    let server = FixtureServer::start(&["portal.rss"]).await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = portal_and_failing_source(&server, dir.path());
    poll(&pipeline, "haugiang-portal").await;
    let served = serve(Arc::clone(&pipeline)).await;

    let url = format!("http://{}/", served.addr);
    let asked: Vec<_> = (0..40)
        .map(|_| tokio::spawn(get_owned(url.clone())))
        .collect();
    for answer in asked {
        let (status, body) = answer.await.unwrap();
        assert_eq!(status, 200);
        let html = Html::parse_document(&String::from_utf8_lossy(&body));
        assert_eq!(select(&html, "tr.source").len(), 2);
        assert_eq!(
            row(&html, "haugiang-portal").value().attr("data-state"),
            Some("ok")
        );
        assert_eq!(
            row(&html, "soyte").value().attr("data-state"),
            Some("not-polled")
        );
    }
    poll(&pipeline, "soyte").await;
    let (_, html) = page(url).await;
    assert_eq!(
        row(&html, "soyte").value().attr("data-state"),
        Some("failing")
    );
    served.stop().await;
}

async fn get_owned(url: String) -> (u16, Vec<u8>) {
    let (status, _, body) = get(&url, &[]).await;
    (status, body.to_vec())
}
