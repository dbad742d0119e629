//! One source misbehaves in each test, beside the six healthy fixture
//! sources. Each test checks what an operator would: the faulty source's
//! state and error (from `/status.json`), when it will be polled next, and
//! that the healthy sources and the served feeds go on untouched.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use bantin::model::PollResult;
use bantin::pipeline::Pipeline;
use bantin::status::SourceStatus;
use bantin::store::Store;
use common::{Answer, Served, Setup, get, raw_server, serve};

/// The faulty source is polled every minute: backoff and hints are
/// measured against that.
const EVERY: f64 = 60.0;

struct Fault {
    setup: Setup,
    pipeline: Arc<Pipeline>,
    served: Served,
}

impl Fault {
    /// The six healthy sources and `faulty` at `url`, with `poll` settings.
    async fn new(poll: &str, url: impl FnOnce(&Setup) -> String) -> Fault {
        let setup = Setup::new().await;
        let url = url(&setup);
        let config = setup.config_with(
            poll,
            &format!("\n[[source]]\nid = \"faulty\"\nurl = \"{url}\"\nevery = \"60s\"\nallow_private = true\n"),
        );
        let store = Store::open(&config.store.path).unwrap();
        let pipeline = Pipeline::new(config, store).unwrap();
        let served = serve(Arc::clone(&pipeline)).await;
        Fault {
            setup,
            pipeline,
            served,
        }
    }

    /// A fault served by the fixture server at `/faulty`.
    async fn served_by_fixture(poll: &str, answer: Answer) -> Fault {
        let fault = Fault::new(poll, |s| s.server.url("faulty")).await;
        fault.setup.server.set("faulty", answer);
        fault
    }

    /// One poll of every source; the healthy ones must not fail.
    async fn poll(&self) -> PollResult {
        let mut reports: HashMap<String, PollResult> = bantin::scheduler::poll_all(&self.pipeline)
            .await
            .into_iter()
            .map(|r| (r.source, r.result))
            .collect();
        for (id, result) in &reports {
            assert!(
                id == "faulty" || !result.is_failure(),
                "healthy source {id} failed: {result:?}"
            );
        }
        reports.remove("faulty").unwrap()
    }

    /// The faulty source as `/status.json` shows it.
    async fn status(&self) -> SourceStatus {
        let (code, _, body) = get(&format!("http://{}/status.json", self.served.addr), &[]).await;
        assert_eq!(code, 200);
        let all: Vec<SourceStatus> = serde_json::from_slice(&body).unwrap();
        all.into_iter().find(|s| s.id == "faulty").unwrap()
    }

    /// The feeds are still served, with every healthy story.
    async fn feeds_intact(&self) {
        let feed = common::read_feed(self.served.addr, "all").await;
        assert!(feed.entries.len() >= 27, "{} entries", feed.entries.len());
    }

    fn requests_to(&self, path: &str) -> usize {
        self.setup
            .server
            .seen()
            .iter()
            .filter(|r| r.path == path)
            .count()
    }
}

fn failed_kind(result: &PollResult) -> &str {
    match result {
        PollResult::Failed { kind, .. } => kind,
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// Asserts the next poll is `seconds` after the last one, plus the up to
/// 10 % jitter the scheduler adds.
fn next_poll_after(status: &SourceStatus, seconds: f64) {
    let last = status.last_poll.unwrap();
    let next = status.next_poll.unwrap();
    let gap = (next - last).num_milliseconds() as f64 / 1000.0;
    assert!(
        gap >= seconds && gap <= seconds * 1.1 + 1.0,
        "next poll {gap}s after the last, expected {seconds}s (+10 %)"
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

const RSS_ONE_ITEM: &str = r#"<?xml version="1.0" encoding="ENCODING"?>
<rss version="2.0"><channel><title>Sở Y tế</title><link>https://soyte.test/</link>
<item><title>Hướng dẫn phòng, chống dịch sốt xuất huyết</title>
<link>https://soyte.test/tin/1.html</link><guid>soyte-1</guid>
<pubDate>Fri, 27 Nov 2026 08:00:00 +0700</pubDate></item></channel></rss>"#;

/// Serves `body` as the faulty source's feed and checks bantin reads its
/// one item with the title intact.
async fn reads_the_one_item(body: Vec<u8>) {
    let fault = Fault::served_by_fixture("", Answer::rss(body)).await;
    let result = fault.poll().await;
    assert!(
        matches!(result, PollResult::Fetched { items: 1, .. }),
        "{result:?}"
    );
    assert_eq!(
        feed_title(&fault).await,
        "Hướng dẫn phòng, chống dịch sốt xuất huyết"
    );
}

async fn feed_title(fault: &Fault) -> String {
    let feed = common::read_feed(fault.served.addr, "y-te").await;
    common::entry(&feed, "Hướng dẫn phòng")
        .title
        .as_ref()
        .unwrap()
        .content
        .clone()
}

#[tokio::test]
async fn http_500_fails_and_backs_off_exponentially() {
    let fault = Fault::served_by_fixture("", Answer::Status(500)).await;
    assert_eq!(failed_kind(&fault.poll().await), "http 500");
    let status = fault.status().await;
    assert_eq!(status.state, "failing");
    assert_eq!(status.http_status, Some(500));
    next_poll_after(&status, EVERY);

    fault.poll().await;
    let status = fault.status().await;
    assert_eq!(
        (status.state.as_str(), status.consecutive_failures),
        ("backing off", 2)
    );
    next_poll_after(&status, 2.0 * EVERY);
    fault.feeds_intact().await;
}

#[tokio::test]
async fn http_503_honours_retry_after_seconds() {
    let fault = Fault::served_by_fixture("", Answer::status_with(503, "retry-after", "3600")).await;
    let result = fault.poll().await;
    assert_eq!(failed_kind(&result), "http 503");
    let status = fault.status().await;
    assert!(
        status
            .last_result
            .as_deref()
            .unwrap()
            .contains("retry after 3600s")
    );
    next_poll_after(&status, 3600.0);
    fault.feeds_intact().await;
}

#[tokio::test]
async fn http_429_honours_retry_after_as_a_date() {
    let at = chrono::Utc::now() + chrono::Duration::hours(2);
    let date = httpdate::fmt_http_date(at.into());
    let fault = Fault::served_by_fixture("", Answer::status_with(429, "retry-after", &date)).await;
    assert_eq!(failed_kind(&fault.poll().await), "http 429");
    next_poll_after(&fault.status().await, 7200.0 - 2.0);
}

#[tokio::test]
async fn gone_410_stops_polling_and_says_so() {
    let fault = Fault::served_by_fixture("", Answer::Status(410)).await;
    assert_eq!(failed_kind(&fault.poll().await), "gone");
    let status = fault.status().await;
    assert_eq!(status.state, "gone");
    assert_eq!(status.next_poll, None);
    assert!(status.last_result.unwrap().contains("410 Gone"));

    let before = fault.requests_to("/faulty");
    let again = fault.poll().await;
    assert!(matches!(&again, PollResult::Failed { kind, .. } if kind == "gone"));
    assert_eq!(
        fault.requests_to("/faulty"),
        before,
        "a gone source is not requested"
    );
    fault.feeds_intact().await;
}

#[tokio::test]
async fn permanent_redirect_chain_is_adopted_after_three_polls() {
    let fault = Fault::new("", |s| s.server.url("old.rss")).await;
    let server = &fault.setup.server;
    server.set("old.rss", Answer::redirect(301, &server.url("mid.rss")));
    server.set("mid.rss", Answer::redirect(308, &server.url("new.rss")));
    server.set(
        "new.rss",
        Answer::Feed {
            body: RSS_ONE_ITEM.replace("ENCODING", "utf-8").into_bytes(),
            content_type: "application/rss+xml",
        },
    );
    for seen in 1..=2 {
        assert!(matches!(
            fault.poll().await,
            PollResult::Fetched { .. } | PollResult::NotModified
        ));
        let status = fault.status().await;
        assert_eq!(status.polling_url, server.url("old.rss"), "poll {seen}");
        assert_eq!(status.moving.as_ref().unwrap().seen, seen);
    }
    fault.poll().await;
    let status = fault.status().await;
    assert_eq!(status.state, "moved");
    assert_eq!(status.polling_url, server.url("new.rss"));
    let moved = status.moved.unwrap();
    assert_eq!(
        (moved.from, moved.to),
        (server.url("old.rss"), server.url("new.rss"))
    );

    let before = fault.requests_to("/old.rss");
    fault.poll().await;
    assert_eq!(
        fault.requests_to("/old.rss"),
        before,
        "the new address is polled directly"
    );
    assert_eq!(
        feed_title(&fault).await,
        "Hướng dẫn phòng, chống dịch sốt xuất huyết"
    );
}

#[tokio::test]
async fn temporary_redirect_is_followed_but_never_adopted() {
    let fault = Fault::new("", |s| s.server.url("old.rss")).await;
    let server = &fault.setup.server;
    server.set("old.rss", Answer::redirect(302, &server.url("new.rss")));
    server.set(
        "new.rss",
        Answer::Feed {
            body: RSS_ONE_ITEM.replace("ENCODING", "utf-8").into_bytes(),
            content_type: "application/rss+xml",
        },
    );
    for _ in 0..4 {
        assert!(!fault.poll().await.is_failure());
    }
    let status = fault.status().await;
    assert_eq!(status.polling_url, server.url("old.rss"));
    assert!(status.moving.is_none() && status.moved.is_none());
    assert_eq!(fault.requests_to("/old.rss"), 4);
}

#[tokio::test]
async fn redirect_loop_is_an_error() {
    let fault = Fault::new("", |s| s.server.url("a.rss")).await;
    let server = &fault.setup.server;
    server.set("a.rss", Answer::redirect(302, &server.url("b.rss")));
    server.set("b.rss", Answer::redirect(301, &server.url("a.rss")));
    assert_eq!(failed_kind(&fault.poll().await), "redirect loop");
    next_poll_after(&fault.status().await, EVERY);
}

#[tokio::test]
async fn more_than_five_redirects_is_an_error() {
    let fault = Fault::new("", |s| s.server.url("r0")).await;
    let server = &fault.setup.server;
    for n in 0..7 {
        server.set(
            &format!("r{n}"),
            Answer::redirect(307, &server.url(&format!("r{}", n + 1))),
        );
    }
    assert_eq!(failed_kind(&fault.poll().await), "too many redirects");
    assert_eq!(fault.requests_to("/r6"), 0, "gave up after five hops");
}

#[tokio::test]
async fn server_that_hangs_after_accept_times_out() {
    let addr = raw_server(b"", true).await;
    let fault = Fault::new("timeout = \"1s\"", |_| format!("http://{addr}/rss")).await;
    assert_eq!(failed_kind(&fault.poll().await), "timeout");
    let status = fault.status().await;
    assert_eq!(status.state, "failing");
    assert!(status.duration_ms < 5000, "{}ms", status.duration_ms);
    fault.feeds_intact().await;
}

#[tokio::test]
async fn one_byte_a_second_is_cut_off() {
    let body = RSS_ONE_ITEM.replace("ENCODING", "utf-8").into_bytes();
    let fault = Fault::served_by_fixture(
        "rate_window = \"1s\"\nmin_rate = \"1 KiB\"",
        Answer::Drip {
            body,
            every: Duration::from_millis(300),
        },
    )
    .await;
    assert_eq!(failed_kind(&fault.poll().await), "too slow");
    let status = fault.status().await;
    assert!(status.duration_ms < 3000, "{}ms", status.duration_ms);
    fault.feeds_intact().await;
}

#[tokio::test]
async fn body_larger_than_max_body_is_refused() {
    let big = format!(
        "<rss version=\"2.0\"><channel><title>t</title><description>{}</description></channel></rss>",
        "x".repeat(300 * 1024)
    );
    let fault =
        Fault::served_by_fixture("max_body = \"256 KiB\"", Answer::rss(big.into_bytes())).await;
    assert_eq!(failed_kind(&fault.poll().await), "too large");
    assert!(
        fault
            .status()
            .await
            .last_result
            .unwrap()
            .contains("262144-byte limit")
    );
}

#[tokio::test]
async fn gzip_bomb_stops_at_max_body() {
    let bomb = gzip(&vec![b' '; 64 * 1024 * 1024]);
    let fault = Fault::served_by_fixture(
        "max_body = \"1 MiB\"",
        Answer::Raw {
            status: 200,
            headers: vec![("content-encoding", "gzip".into())],
            body: bomb,
        },
    )
    .await;
    assert_eq!(failed_kind(&fault.poll().await), "too large");
    fault.feeds_intact().await;
}

#[tokio::test]
async fn content_length_longer_than_the_body_is_a_transfer_error() {
    let addr = raw_server(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n<rss version=\"2.0\"><channel>",
        false,
    )
    .await;
    let fault = Fault::new("", |_| format!("http://{addr}/rss")).await;
    assert_eq!(failed_kind(&fault.poll().await), "transfer");
    next_poll_after(&fault.status().await, EVERY);
}

#[tokio::test]
async fn garbage_bytes_are_not_a_feed() {
    let fault = Fault::served_by_fixture(
        "",
        Answer::rss((0..=255u8).rev().cycle().take(5000).collect()),
    )
    .await;
    assert_eq!(failed_kind(&fault.poll().await), "not a feed");
    fault.feeds_intact().await;
}

#[tokio::test]
async fn html_instead_of_a_feed_names_the_feed_it_advertises() {
    let page = r#"<!DOCTYPE html><html><head><title>Trang chủ</title>
        <link rel="alternate" type="application/rss+xml" title="Tin mới" href="/rss/tin-moi.rss">
        </head><body>Cổng thông tin</body></html>"#;
    let fault = Fault::served_by_fixture(
        "",
        Answer::Feed {
            body: page.as_bytes().to_vec(),
            content_type: "text/html; charset=utf-8",
        },
    )
    .await;
    assert_eq!(failed_kind(&fault.poll().await), "html page");
    let message = fault.status().await.last_result.unwrap();
    let advertised = fault.setup.server.url("rss/tin-moi.rss");
    assert!(
        message.contains(&format!("it advertises the feed {advertised}")),
        "{message}"
    );
}

#[tokio::test]
async fn windows_1258_feed_is_read_as_nfc() {
    let text = windows_1258_form(&RSS_ONE_ITEM.replace("ENCODING", "windows-1258"));
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&text);
    assert!(!unmappable);
    reads_the_one_item(bytes.into_owned()).await;
}

/// Vietnamese as windows-1258 writes it: letters with their hat, breve or
/// horn precomposed (â, ơ, ư...), tone marks as separate combining marks.
fn windows_1258_form(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let tones = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
    let mut out: Vec<char> = Vec::new();
    for c in text.nfd() {
        let composed = out
            .last()
            .filter(|_| !tones.contains(&c))
            .and_then(|&prev| unicode_normalization::char::compose(prev, c));
        match composed {
            Some(p) => *out.last_mut().unwrap() = p,
            None => out.push(c),
        }
    }
    out.into_iter().collect()
}

#[tokio::test]
async fn utf16_feed_is_read() {
    let text = RSS_ONE_ITEM.replace("ENCODING", "UTF-16");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    reads_the_one_item(bytes).await;
}

#[tokio::test]
async fn truncated_feed_keeps_its_complete_items() {
    let fault = Fault::served_by_fixture("", Answer::file("broken.xml")).await;
    let result = fault.poll().await;
    assert!(
        matches!(
            &result,
            PollResult::Fetched {
                items: 1,
                partial: Some(_),
                ..
            }
        ),
        "{result:?}"
    );
    let status = fault.status().await;
    assert_eq!(status.state, "ok");
    assert!(
        status
            .last_result
            .as_deref()
            .unwrap()
            .contains("partial: the document ends inside item 2")
    );
    let feed = common::read_feed(fault.served.addr, "all").await;
    common::entry(&feed, "Kiểm tra an toàn thực phẩm");
    next_poll_after(&status, EVERY);
}

#[tokio::test]
async fn gzip_without_content_encoding_is_read() {
    reads_the_one_item(gzip(RSS_ONE_ITEM.replace("ENCODING", "utf-8").as_bytes())).await;
}

#[tokio::test]
async fn maintenance_page_after_a_good_poll_keeps_the_stories() {
    let fault = Fault::served_by_fixture(
        "",
        Answer::Feed {
            body: RSS_ONE_ITEM.replace("ENCODING", "utf-8").into_bytes(),
            content_type: "application/rss+xml",
        },
    )
    .await;
    assert!(matches!(
        fault.poll().await,
        PollResult::Fetched { items: 1, .. }
    ));
    fault
        .setup
        .server
        .set("faulty", Answer::file("not-a-feed.html"));
    assert_eq!(failed_kind(&fault.poll().await), "html page");
    assert_eq!(
        feed_title(&fault).await,
        "Hướng dẫn phòng, chống dịch sốt xuất huyết"
    );
    let status = fault.status().await;
    assert_eq!(status.state, "failing");
    next_poll_after(&status, EVERY);
}

#[tokio::test]
async fn feed_ttl_and_max_age_set_the_next_poll() {
    let rss = RSS_ONE_ITEM.replace("ENCODING", "utf-8").replace(
        "<link>https://soyte.test/</link>",
        "<link>https://soyte.test/</link><ttl>30</ttl>",
    );
    let fault = Fault::served_by_fixture(
        "",
        Answer::Raw {
            status: 200,
            headers: vec![("cache-control", "max-age=1200".into())],
            body: rss.into_bytes(),
        },
    )
    .await;
    assert!(!fault.poll().await.is_failure());
    // The larger of the two hints wins: ttl 30 min over max-age 20 min.
    next_poll_after(&fault.status().await, 1800.0);
}

#[tokio::test]
async fn json_feed_with_a_null_item_and_a_numeric_id_loses_only_the_null() {
    let json = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Bệnh viện",
        "items": [
          {"id": 1187, "url": "https://bv.test/1187.html", "title": "Bệnh viện tiếp nhận máy thở mới",
           "date_published": "2026-11-27T08:00:00+07:00"},
          null,
          {"id": "1188", "url": "https://bv.test/1188.html", "title": "Khám sức khỏe miễn phí cho người cao tuổi",
           "date_published": "2026-11-27T09:00:00+07:00"}
        ]}"#;
    let fault = Fault::served_by_fixture(
        "",
        Answer::Feed {
            body: json.as_bytes().to_vec(),
            content_type: "application/feed+json",
        },
    )
    .await;
    let result = fault.poll().await;
    assert!(
        matches!(&result, PollResult::Fetched { items: 2, partial: Some(note), .. } if note.contains("null")),
        "{result:?}"
    );
    let feed = common::read_feed(fault.served.addr, "y-te").await;
    common::entry(&feed, "Bệnh viện tiếp nhận máy thở mới");
}
