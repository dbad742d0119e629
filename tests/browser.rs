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

use chrono::{Duration, Utc};
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

/// A source that published daily for two weeks, then fell silent a month
/// ago: what "quiet" means.
fn quiet_feed() -> Vec<u8> {
    let mut items = String::new();
    for day in 0..14 {
        let at = Utc::now() - Duration::days(30 + day);
        items.push_str(&format!(
            "<item><title>Thông báo lịch tiếp công dân số {n}</title>\
             <link>https://vithuy.haugiang.gov.vn.test/thong-bao/{n}.html</link>\
             <guid>vithuy-{n}</guid><pubDate>{date}</pubDate></item>",
            n = 14 - day,
            date = at.to_rfc2822()
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>\
         <title>UBND huyện Vị Thủy</title><link>https://vithuy.haugiang.gov.vn.test/</link>\
         {items}</channel></rss>"
    )
    .into_bytes()
}

/// Sources besides the six healthy fixtures, with the fixture server's
/// answers set: `hong` fails with HTTP 500, `vithuy` is quiet, `soyte`
/// is an HTML list read with `[source.scrape]`.
fn more_sources(setup: &Setup) -> String {
    setup.server.set("hong.rss", Answer::Status(500));
    setup.server.set("vithuy.rss", Answer::rss(quiet_feed()));
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
        // The fixtures' stories, the scraped page's 8 and the quiet 14.
        let published = code == 200
            && serde_json::from_slice::<serde_json::Value>(&body).unwrap()["items"]
                .as_array()
                .unwrap()
                .len()
                == common::STORIES + 8 + 14;
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

    // `/` on a phone: status_page_sparklines_and_flags_in_the_browser.
    look_at(
        &mut browser,
        &daemon,
        ("status", "/"),
        false,
        |browser, page, screen| {
            // The failing source is marked as failing in its row; the healthy
            // ones are not.
            let states = browser.eval(
                page,
                "Object.fromEntries([...document.querySelectorAll('table tr')].slice(1).map(tr => \
             [tr.cells[0].querySelector('small').textContent, tr.cells[1].className]))",
            );
            assert_eq!(states["hong"], "failing", "on a {screen}: {states}");
            for healthy in ["haugiang-portal", "moh", "soyte", "vithuy"] {
                assert_eq!(states[healthy], "ok", "{healthy} on a {screen}: {states}");
            }
            // ... in a colour of its own, which the healthy rows do not have.
            let colours = browser.eval(
                page,
                "[...document.querySelectorAll('td.failing, td.ok')].map(td => \
             [td.className, getComputedStyle(td).color])",
            );
            let failing: Vec<&str> = colours
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c[0] == "failing")
                .map(|c| c[1].as_str().unwrap())
                .collect();
            let ok: Vec<&str> = colours
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c[0] == "ok")
                .map(|c| c[1].as_str().unwrap())
                .collect();
            assert!(!failing.is_empty() && !ok.is_empty(), "{colours}");
            assert!(failing.iter().all(|c| !ok.contains(c)), "{colours}");
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
