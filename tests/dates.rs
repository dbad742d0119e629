//! Dates as a reader sees them in the served Atom: a feed's numeric dates
//! are read in the day/month order its own document shows, else in the
//! order the source's earlier polls settled, else day first.

mod common;

use std::sync::Arc;

use bantin::config::Config;
use bantin::model::DateOrder;
use bantin::pipeline::Pipeline;
use bantin::store::Store;
use chrono::{DateTime, Utc};
use common::{Answer, FixtureServer, TOPICS, entry, read_feed, serve};

const PARSE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parse");

fn fixture(name: &str) -> Answer {
    let path = std::path::Path::new(PARSE).join(name);
    Answer::rss(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// One source, `bcp`, polled at `/bcp.rss` on `server`.
fn config(dir: &tempfile::TempDir, server: &FixtureServer) -> Arc<Config> {
    let text = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\nbase_url = \"http://bantin.test/\"\n\n\
         [store]\npath = \"store\"\nkeep_days = 36500\n\n\
         [poll]\ntimeout = \"5s\"\nhost_gap = \"0s\"\n{TOPICS}\n\
         [[source]]\nid = \"bcp\"\nname = \"Báo Chính phủ\"\nurl = \"{}\"\nallow_private = true\n",
        server.url("bcp.rss")
    );
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, text).unwrap();
    Arc::new(Config::load(&path).unwrap_or_else(|e| panic!("{e}")))
}

async fn pipeline(dir: &tempfile::TempDir, server: &FixtureServer) -> Arc<Pipeline> {
    let config = config(dir, server);
    let store = Store::open(&config.store.path).unwrap();
    Pipeline::new(config, store).unwrap()
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// The `published` and `updated` of the served entry whose title starts so.
async fn dates_of(pipeline: Arc<Pipeline>, title: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    let served = serve(pipeline).await;
    let feed = read_feed(served.addr, "all").await;
    let entry = entry(&feed, title);
    let dates = (entry.published.unwrap(), entry.updated.unwrap());
    served.stop().await;
    dates
}

#[tokio::test]
async fn month_first_12_hour_feed_is_dated_month_first() {
    let server = FixtureServer::start(&[]).await;
    server.set("/bcp.rss", fixture("month-first-12-hour-no-zone.rss"));
    let dir = tempfile::tempdir().unwrap();
    let pipeline = pipeline(&dir, &server).await;
    bantin::scheduler::poll_all(&pipeline).await;
    let (published, updated) = dates_of(pipeline, "Chính phủ ban hành nghị quyết").await;
    // 9/5/2026 1:30:00 PM at +07:00 is 5 September, 06:30 UTC.
    assert_eq!(published, instant("2026-09-05T06:30:00Z"));
    // `updated` is when bantin saw the copy change (first seen, here), so
    // it is the poll's time, never before the story's date.
    assert!(updated >= published, "updated {updated} before {published}");
}

#[tokio::test]
async fn ambiguous_dates_from_a_source_settled_month_first_are_read_month_first() {
    let server = FixtureServer::start(&[]).await;
    server.set("/bcp.rss", fixture("month-first-12-hour-no-zone.rss"));
    let dir = tempfile::tempdir().unwrap();
    let pipeline = pipeline(&dir, &server).await;
    bantin::scheduler::poll_all(&pipeline).await;
    server.set("/bcp.rss", fixture("numeric-dates-either-order.rss"));
    bantin::scheduler::poll_all(&pipeline).await;
    let state = pipeline.store.source_state("bcp").unwrap().unwrap();
    assert_eq!(state.date_order, DateOrder::MonthFirst);
    let (published, _) = dates_of(pipeline, "Khai mạc hội chợ xuân").await;
    // 1/2/2026 9:00:00 AM month first: 2 January, 02:00 UTC.
    assert_eq!(published, instant("2026-01-02T02:00:00Z"));
}

#[tokio::test]
async fn ambiguous_dates_from_a_new_source_are_read_day_first() {
    let server = FixtureServer::start(&[]).await;
    server.set("/bcp.rss", fixture("numeric-dates-either-order.rss"));
    let dir = tempfile::tempdir().unwrap();
    let pipeline = pipeline(&dir, &server).await;
    bantin::scheduler::poll_all(&pipeline).await;
    let (published, _) = dates_of(pipeline, "Khai mạc hội chợ xuân").await;
    // 1/2/2026 9:00:00 AM day first: 1 February, 02:00 UTC.
    assert_eq!(published, instant("2026-02-01T02:00:00Z"));
}
