//! Feeds that feed-rs refuses or misreads, polled for real: a fixture server
//! on 127.0.0.1 serves one file of `tests/fixtures/parse/`, bantin polls it,
//! and the test reads the Atom feed bantin serves as a reader would: how
//! many entries, their titles and links, and the poll's `partial` note.

mod common;

use std::sync::Arc;

use bantin::model::PollResult;
use common::{Answer, FixtureServer, serve};

/// What a reader of the `all` feed sees after one poll of `fixture`.
struct Seen {
    result: PollResult,
    entries: Vec<(String, String)>,
}

async fn poll_and_read(fixture: &str) -> Seen {
    let path = format!(
        "{}/tests/fixtures/parse/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let server = FixtureServer::start(&[]).await;
    server.set("feed.xml", Answer::rss(body));
    let dir = tempfile::tempdir().unwrap();
    let pipeline = common::one_source_pipeline(dir.path(), "odd", &server.url("feed.xml"), 36500);
    let served = serve(Arc::clone(&pipeline)).await;
    let mut reports = bantin::scheduler::poll_all(&pipeline).await;
    let result = reports.pop().expect("one source").result;
    let feed = common::read_feed(served.addr, "all").await;
    let mut entries: Vec<(String, String)> = feed
        .entries
        .iter()
        .map(|e| {
            let title = e.title.as_ref().map(|t| t.content.clone());
            let link = e
                .links
                .iter()
                .find(|l| l.rel.as_deref() == Some("alternate"));
            let link = link.map(|l| l.href.clone());
            (title.unwrap_or_default(), link.unwrap_or_default())
        })
        .collect();
    entries.sort();
    served.stop().await;
    Seen { result, entries }
}

fn partial(result: &PollResult) -> &str {
    match result {
        PollResult::Fetched { partial, .. } => partial.as_deref().unwrap_or_default(),
        other => panic!("expected the feed to be read, got {other:?}"),
    }
}

fn entry(title: &str, link: &str) -> (String, String) {
    (title.to_owned(), link.to_owned())
}

#[tokio::test]
async fn rss_without_version_is_served_and_the_poll_is_partial() {
    let seen = poll_and_read("rss-without-version.xml").await;
    assert_eq!(
        seen.entries,
        [
            entry(
                "Hội nghị tổng kết công tác y tế năm 2025",
                "https://haugiang.gov.vn.test/tin/hoi-nghi-tong-ket.html"
            ),
            entry(
                "Lịch tiếp công dân tháng 1",
                "https://haugiang.gov.vn.test/tin/lich-tiep-dan.html"
            ),
        ]
    );
    assert!(partial(&seen.result).starts_with("root <rss> with no version"));
}

#[tokio::test]
async fn items_directly_under_rss_are_served() {
    let seen = poll_and_read("item-directly-under-rss.xml").await;
    assert_eq!(
        seen.entries,
        [
            entry(
                "Khánh thành cầu mới",
                "https://baohaugiang.test/tin/cau-moi.html"
            ),
            entry(
                "Mưa lớn ở Vị Thanh",
                "https://baohaugiang.test/tin/mua-lon.html"
            ),
        ]
    );
    assert!(partial(&seen.result).starts_with("<item> directly under <rss>"));
}

#[tokio::test]
async fn atom03_text_plain_entry_is_served() {
    let seen = poll_and_read("atom03-text-plain.xml").await;
    assert_eq!(
        seen.entries,
        [entry(
            "Tiêm chủng mở rộng đợt 2",
            "https://moh.test/tin/tiem-chung.html"
        )]
    );
    assert!(partial(&seen.result).starts_with(r#"type="text/plain" on <title>"#));
}

#[tokio::test]
async fn one_invalid_title_type_costs_no_entry_on_the_served_feed() {
    let seen = poll_and_read("atom10-one-invalid-title-type.xml").await;
    assert_eq!(seen.entries.len(), 3);
    assert!(seen.entries.contains(&entry(
        "Cảnh báo ngộ độc thực phẩm dịp Tết",
        "https://skds.test/tin/ngo-doc.html"
    )));
}

#[tokio::test]
async fn comments_page_is_never_the_served_link() {
    let seen = poll_and_read("comments-before-link.xml").await;
    assert_eq!(
        seen.entries,
        [entry(
            "Triệt phá đường dây đánh bạc",
            "https://cand.test/tin/danh-bac.html"
        )]
    );
    assert_eq!(partial(&seen.result), "");
}

#[tokio::test]
async fn permalink_guid_is_the_served_link() {
    let seen = poll_and_read("guid-permalink-without-link.xml").await;
    assert_eq!(
        seen.entries,
        [entry(
            "Diễn tập phòng thủ khu vực",
            "https://qdnd.test/tin/dien-tap.html"
        )]
    );
}

#[tokio::test]
async fn relative_link_is_served_against_the_channel_link() {
    let seen = poll_and_read("relative-link-channel-link.xml").await;
    assert_eq!(
        seen.entries,
        [entry(
            "Tin có đường dẫn tương đối",
            "https://portal.test/tin-tuc/bai-2.html"
        )]
    );
}

#[tokio::test]
async fn base64_title_is_served_decoded() {
    let seen = poll_and_read("atom03-base64-mode.xml").await;
    assert_eq!(
        seen.entries,
        [entry(
            "Cảnh báo mưa lũ ở miền Trung",
            "https://moh.test/tin/mua-lu.html"
        )]
    );
}
