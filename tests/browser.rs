//! bantin's pages in a real browser (issue #14, item 2): headless Chromium
//! loads `/`, `/topics/{slug}` and `/stories/{id}` from a daemon polling
//! healthy, failing, quiet and scraped sources, at a desktop's width and a
//! phone's, and checks what a person would see: no console error, no
//! sideways scrolling on the phone, the failing source flagged. Each page
//! is saved as a PNG under `target/browser-screenshots/`.
//!
//! Chromium is Debian's `chromium` (`.ci/run` installs it); without it the
//! tests skip loudly, and fail under CI.

mod common;

use common::browser::{Browser, Page};
use common::{Answer, Daemon, Setup, get, start_daemon, stop_daemon};

/// The list page and rules of tests/fixtures/scrape (tin-khac.html).
const SCRAPED: &str = r#"
[[source]]
id = "soyte"
name = "Sở Y tế (trang tin)"
url = "{url}"
allow_private = true
  [source.scrape]
  item        = "div.tin-khac ul.list-news > li"
  title       = "a.title"
  link        = "a.title@href"
  date        = "span.date"
  date_format = "%d/%m/%Y %H:%M"
  summary     = "p.sapo"
  author      = "span.author"
"#;

/// Widths a page must work at: a desktop's, and a phone's (375 CSS px,
/// an iPhone's, with the phone's viewport rules).
const SCREENS: [(&str, u32, u32, bool); 2] =
    [("desktop", 1280, 900, false), ("phone", 375, 800, true)];

/// What the quiet source answers now: a channel with no item.
const EMPTY_CHANNEL: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>\
    <title>UBND huyện Vị Thủy</title><link>https://vithuy.haugiang.gov.vn.test/</link>\
    </channel></rss>";

/// Sources besides the six healthy fixtures, with the fixture server's
/// answers set: `hong` fails with HTTP 500, `vithuy` is quiet, `soyte`
/// is an HTML list read with `[source.scrape]`.
fn more_sources(setup: &Setup) -> String {
    setup.server.set("hong.rss", Answer::Status(500));
    setup
        .server
        .set("vithuy.rss", Answer::rss(EMPTY_CHANNEL.into()));
    setup.server.set(
        "tin-hoat-dong",
        Answer::Feed {
            body: common::fixture("../scrape/tin-khac.html"),
            content_type: "text/html; charset=utf-8",
        },
    );
    format!(
        "\n[[source]]\nid = \"hong\"\nname = \"Cổng tin hỏng\"\nurl = \"{}\"\nallow_private = true\n\
         \n[[source]]\nid = \"vithuy\"\nname = \"UBND huyện Vị Thủy\"\nurl = \"{}\"\nallow_private = true\n{}",
        setup.server.url("hong.rss"),
        setup.server.url("vithuy.rss"),
        SCRAPED.replace("{url}", &setup.server.url("tin-hoat-dong")),
    )
}

/// The daemon on every kind of source, once each has been polled and
/// what they hold is published (bounded: 30 s).
async fn daemon(setup: &Setup) -> Daemon {
    std::fs::write(setup.config_path(), setup.config_text(&more_sources(setup))).unwrap();
    let daemon = start_daemon(&setup.config_path(), &[]).await;
    let status = format!("http://{}/status.json", daemon.addr);
    let all = format!("http://{}/feeds/all.json", daemon.addr);
    for _ in 0..300 {
        let (_, _, body) = get(&status, &[]).await;
        let sources: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let sources = sources.as_array().unwrap();
        let polled = sources.len() == 9 && sources.iter().all(|s| !s["last_poll"].is_null());
        let (code, _, body) = get(&all, &[]).await;
        // The fixtures' stories and the scraped page's 8.
        let published = code == 200
            && serde_json::from_slice::<serde_json::Value>(&body).unwrap()["items"]
                .as_array()
                .unwrap()
                .len()
                == common::STORIES + 8;
        if polled && published {
            return daemon;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("not every source was polled within 30 s");
}

/// A story's page: the first story of `/feeds/all.atom`.
async fn a_story(daemon: &Daemon) -> String {
    let (_, _, body) = get(&format!("http://{}/feeds/all.atom", daemon.addr), &[]).await;
    let feed = atom_syndication::Feed::read_from(&body[..]).unwrap();
    let id = feed.entries()[0].id.strip_prefix("urn:uuid:").unwrap();
    format!("/stories/{id}")
}

/// Opens `path` at each width: 200, no console error, no failed request,
/// a screenshot, and if `phone`, laid out at the phone's width with no
/// sideways scroll. Calls `check` on each page while it is open.
fn look_at(
    browser: &mut Browser,
    daemon: &Daemon,
    (name, path): (&str, &str),
    phone: bool,
    mut check: impl FnMut(&mut Browser, &Page, &str),
) {
    for (screen, width, height, mobile) in SCREENS {
        let page = browser.new_page(width, height, mobile);
        let url = format!("http://{}{path}", daemon.addr);
        assert_eq!(browser.open(&page, &url), 200, "{url}");
        let shot = browser.screenshot(&page, &format!("{name}-{screen}"));
        let errors = browser.console_errors(&page);
        assert!(
            errors.is_empty(),
            "{path} on a {screen}: console errors {errors:?}"
        );
        let failed = browser.failed_requests(&page);
        assert!(
            failed.is_empty(),
            "{path} on a {screen}: failed requests {failed:?}"
        );
        if mobile && phone {
            let (scroll, inner) = browser.widths(&page);
            // Laid out at the phone's width, not shrunk from a desktop's.
            assert_eq!(
                inner,
                u64::from(width),
                "{path} on a phone; see {}",
                shot.display()
            );
            assert!(
                scroll <= inner,
                "{path} scrolls sideways on a {width} px phone: {scroll} px wide; see {}",
                shot.display()
            );
        }
        check(browser, &page, screen);
        browser.close(page);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_render_cleanly_at_desktop_and_phone_width() {
    let Some(mut browser) = Browser::launch() else {
        return;
    };
    let setup = Setup::new().await;
    let daemon = daemon(&setup).await;
    let story = a_story(&daemon).await;

    look_at(
        &mut browser,
        &daemon,
        ("status", "/"),
        true,
        |browser, page, screen| {
            // The failing source is flagged, in a colour the healthy ones do
            // not have; one poll each, none quiet yet.
            let rows = browser.eval(
                page,
                "[...document.querySelectorAll('tr.source')].map(tr => [tr.dataset.source, \
             tr.dataset.state, getComputedStyle(tr.querySelector('.badge')).backgroundColor])",
            );
            let rows = rows.as_array().unwrap();
            assert_eq!(rows.len(), 9, "source rows on a {screen}: {rows:?}");
            let failing = rows.iter().find(|r| r[0] == "hong").unwrap();
            assert_eq!(failing[1], "failing", "on a {screen}");
            for row in rows.iter().filter(|r| r[0] != "hong") {
                assert_eq!(row[1], "ok", "on a {screen}: {row}");
                assert_ne!(
                    row[2], failing[2],
                    "the failing colour on a {screen}: {row}"
                );
            }
        },
    );

    look_at(
        &mut browser,
        &daemon,
        ("topic", "/topics/y-te"),
        true,
        |browser, page, screen| {
            let stories = browser.eval(page, "document.querySelectorAll('article').length");
            assert!(
                stories.as_u64().unwrap() > 0,
                "no story on /topics/y-te on a {screen}"
            );
        },
    );

    look_at(
        &mut browser,
        &daemon,
        ("story", &story),
        true,
        |browser, page, screen| {
            let title = browser.eval(page, "document.querySelector('h1').textContent");
            assert!(
                !title.as_str().unwrap().is_empty(),
                "{story} on a {screen}: no title"
            );
        },
    );

    drop(browser);
    stop_daemon(daemon).await;
}

/// Polls `bantin poll` runs before the daemon starts: each source's
/// latency sparkline must show this many points.
const POLLS: usize = 3;

/// Runs `bantin poll` once on `setup`'s feeds.toml (the real binary, the
/// real store); a source that fails makes it exit 1, which is no error
/// here.
async fn poll_once(setup: &Setup) {
    let config = setup.config_path();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_bantin"))
            .args(["poll", "--config", config.to_str().unwrap()])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "bantin poll: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The quiet source's past, which only time makes: news every day for
/// five days, the last of it eight days ago (beyond the sparklines' week).
fn quiet_past(setup: &Setup) {
    use bantin::model::Dropped;
    use bantin::model::history::{Outcome, PollRecord};
    let store = bantin::store::Store::open(&setup.dir.path().join("store")).unwrap();
    for days in (8..=12).rev() {
        let at = chrono::Utc::now() - chrono::Duration::days(days);
        let state = common::fetched_state(at);
        let record = PollRecord {
            at,
            outcome: Outcome::Ok,
            error_kind: None,
            message: None,
            http_status: Some(200),
            bytes: 2_000,
            duration_ms: 40,
            items: 2,
            new_items: 2,
            updated: 0,
            new_stories: 2,
            dropped: Dropped::default(),
            notes: Vec::new(),
        };
        store.record_poll("vithuy", &state, &record).unwrap();
    }
    store.flush().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_page_sparklines_and_flags_in_the_browser() {
    let Some(mut browser) = Browser::launch() else {
        return;
    };
    let setup = Setup::new().await;
    std::fs::write(
        setup.config_path(),
        setup.config_text(&more_sources(&setup)),
    )
    .unwrap();
    quiet_past(&setup);
    // `hong` works, then fails on the last poll: failing, not yet backing off.
    for poll in 1..=POLLS {
        let hong = if poll < POLLS {
            Answer::rss(common::fixture("portal.rss"))
        } else {
            Answer::Status(500)
        };
        setup.server.set("hong.rss", hong);
        poll_once(&setup).await;
    }
    // Every source is due in 15 minutes: the daemon only serves.
    let daemon = start_daemon(&setup.config_path(), &[]).await;
    let (_, _, body) = get(&format!("http://{}/status.json", daemon.addr), &[]).await;
    let statuses: serde_json::Value = serde_json::from_slice(&body).unwrap();
    for s in statuses.as_array().unwrap() {
        assert_eq!(
            s["history"]["latency_7d"].as_array().unwrap().len(),
            POLLS,
            "{}: polls of the week in /status.json",
            s["id"]
        );
    }

    look_at(
        &mut browser,
        &daemon,
        ("status", "/"),
        true,
        |browser, page, screen| {
            let rows = browser.eval(
                page,
                r#"[...document.querySelectorAll('tr.source')].map(tr => ({
                id: tr.dataset.source,
                state: tr.dataset.state,
                badge: getComputedStyle(tr.querySelector('.badge')).backgroundColor,
                sparks: [...tr.querySelectorAll('svg.spark')].map(svg => ({
                    kind: svg.dataset.kind,
                    declared: Number(svg.dataset.points),
                    lines: svg.querySelectorAll('polyline').length,
                    points: (svg.querySelector('polyline')?.getAttribute('points') ?? '')
                        .trim().split(/\s+/).filter(p => p).length,
                    shown: svg.getBoundingClientRect().width > 0,
                })),
            }))"#,
            );
            let rows = rows.as_array().unwrap();
            assert_eq!(rows.len(), 9, "source rows on a {screen}");
            let state = |id: &str| {
                let row = rows
                    .iter()
                    .find(|r| r["id"] == id)
                    .unwrap_or_else(|| panic!("no row {id}"));
                (
                    row["state"].as_str().unwrap().to_string(),
                    row["badge"].clone(),
                )
            };
            let (hong, hong_colour) = state("hong");
            let (vithuy, quiet_colour) = state("vithuy");
            let (_, ok_colour) = state("haugiang-portal");
            assert_eq!(hong, "failing", "on a {screen}");
            assert_eq!(vithuy, "quiet", "on a {screen}");
            // The healthy ones, scraped included: two polls answered 304
            // after the first.
            for (id, _, _) in common::SOURCES {
                assert_eq!(state(id).0, "not-modified", "{id} on a {screen}");
            }
            assert_eq!(
                state("soyte").0,
                "not-modified",
                "the scraped source on a {screen}"
            );
            // Each state in a colour of its own.
            assert_ne!(hong_colour, quiet_colour);
            assert_ne!(hong_colour, ok_colour);
            assert_ne!(quiet_colour, ok_colour);
            for row in rows {
                let sparks = row["sparks"].as_array().unwrap();
                for (kind, expected) in [("latency", POLLS), ("items", 7)] {
                    let spark = sparks
                        .iter()
                        .find(|s| s["kind"] == kind)
                        .unwrap_or_else(|| panic!("{}: no {kind} sparkline", row["id"]));
                    assert_eq!(spark["lines"], 1, "{}: {spark}", row["id"]);
                    assert_eq!(
                        spark["declared"], expected,
                        "{} {kind} on a {screen}",
                        row["id"]
                    );
                    assert_eq!(
                        spark["points"], expected,
                        "{} {kind} on a {screen}",
                        row["id"]
                    );
                    assert_eq!(spark["shown"], true, "{} {kind} on a {screen}", row["id"]);
                }
            }
            let bars = browser.eval(
                page,
                "[...document.querySelectorAll('svg.bars')].map(svg => \
             [svg.dataset.topic, Number(svg.dataset.days), svg.querySelectorAll('rect').length])",
            );
            for topic in ["all", "y-te", "an-ninh"] {
                let chart = bars
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|b| b[0] == topic)
                    .unwrap_or_else(|| panic!("no bar chart of {topic}: {bars}"));
                assert_eq!(chart[1], 30, "{topic}");
                assert_eq!(chart[2], 30, "{topic}: a bar a day");
            }
        },
    );

    for id in ["hong", "vithuy"] {
        let path = format!("/sources/{id}");
        look_at(
            &mut browser,
            &daemon,
            (&format!("source-{id}"), &path),
            true,
            |browser, page, screen| {
                let outcomes = browser.eval(
                    page,
                    "[...document.querySelectorAll('tr.poll')].map(tr => tr.dataset.outcome)",
                );
                let kept = if id == "vithuy" { POLLS + 5 } else { POLLS };
                assert_eq!(
                    outcomes.as_array().unwrap().len(),
                    kept,
                    "{path} on a {screen}: {outcomes}"
                );
                let state = browser.eval(
                    page,
                    "document.querySelector('.source-state').dataset.state",
                );
                assert_eq!(state, if id == "hong" { "failing" } else { "quiet" });
            },
        );
    }

    drop(browser);
    stop_daemon(daemon).await;
}
