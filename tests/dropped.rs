//! Nothing dropped in silence: every item of a polled document is stored,
//! updated, left as it was, or counted as dropped with its reason, and
//! the count shows in the poll's result, on `/`, in `/status.json` and in
//! `/metrics`.

mod common;

use std::sync::Arc;

use bantin::model::{Dropped, PollResult};
use common::{Answer, FixtureServer, get, serve};

#[tokio::test]
async fn every_item_is_stored_or_counted_as_dropped_with_its_reason() {
    let server = FixtureServer::start(&[]).await;
    server.set("feed.xml", Answer::rss(common::dropping_feed()));
    let dir = tempfile::tempdir().unwrap();
    let pipeline = common::one_source_pipeline(dir.path(), "soyte", &server.url("feed.xml"), 30);
    let served = serve(Arc::clone(&pipeline)).await;

    let result = bantin::scheduler::poll_all(&pipeline)
        .await
        .remove(0)
        .result;
    let want = Dropped {
        no_title_or_link: 1,
        too_old: 1,
        duplicate: 1,
    };
    match &result {
        PollResult::Fetched {
            items,
            new_copies,
            dropped,
            ..
        } => assert_eq!((*items, *new_copies, *dropped), (5, 2, want)),
        other => panic!("{other:?}"),
    }
    let line = "2 new copies, 0 updated, 2 new stories, 3 dropped (1 no title or link, 1 too old, 1 duplicate)";
    assert!(result.summary().contains(line), "{}", result.summary());

    let feed = common::read_feed(served.addr, "all").await;
    let mut titles = common::titles(&feed);
    titles.sort();
    assert_eq!(
        titles,
        [
            "Bệnh viện tỉnh tiếp nhận thêm trang thiết bị chẩn đoán hình ảnh",
            "Tiêm vắc xin sởi cho trẻ từ 1 đến 5 tuổi tại các trạm y tế",
        ]
    );

    let (_, _, page) = get(&format!("http://{}/", served.addr), &[]).await;
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(page.contains(line), "{page}");

    let (_, _, json) = get(&format!("http://{}/status.json", served.addr), &[]).await;
    let statuses: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        statuses[0]["dropped"],
        serde_json::json!({"no_title_or_link": 1, "too_old": 1, "duplicate": 1})
    );

    let (_, _, metrics) = get(&format!("http://{}/metrics", served.addr), &[]).await;
    let metrics = String::from_utf8(metrics.to_vec()).unwrap();
    for reason in ["no title or link", "too old", "duplicate"] {
        let sample =
            format!("bantin_items_dropped_total{{source=\"soyte\",reason=\"{reason}\"}} 1");
        assert!(metrics.contains(&sample), "{sample} not in\n{metrics}");
    }

    served.stop().await;
}
