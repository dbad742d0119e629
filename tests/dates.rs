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
use common::{Answer, FixtureServer, Setup, TOPICS, entry, get, read_feed, serve};

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
    // A new story is updated at its own date, not when bantin saw it.
    assert_eq!(updated, published);
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

/// Issue #13: a reader sorting by `updated` gets the sources' order, not
/// the order bantin happened to poll them in.
#[tokio::test]
async fn entries_are_updated_at_their_sources_dates_not_at_the_poll() {
    let setup = Setup::new().await;
    let config = setup.config("");
    let store = Store::open(&config.store.path).unwrap();
    let pipeline = Pipeline::new(config, store).unwrap();
    let polled = Utc::now();
    bantin::scheduler::poll_all(&pipeline).await;
    let served = serve(pipeline).await;
    let feed = read_feed(served.addr, "all").await;
    let mut dated = 0;
    for e in &feed.entries {
        let (published, updated) = (e.published.unwrap(), e.updated.unwrap());
        let title = &e.title.as_ref().unwrap().content;
        // hs3 has no date: it is dated when first seen (to the second,
        // less its place in its feed), and so updated.
        if published > polled - chrono::Duration::minutes(1) {
            continue;
        }
        dated += 1;
        assert!(updated < polled, "{title}: updated {updated}, at the poll");
        assert!(
            updated >= published,
            "{title}: updated {updated} before {published}"
        );
    }
    assert_eq!(dated, feed.entries.len() - 1);
    // moh.atom's own dates, its story carried by no other source.
    let moh = entry(&feed, "Cảnh báo dịch bệnh tay chân miệng");
    assert_eq!(moh.updated.unwrap(), instant("2026-11-20T04:00:00Z"));
    served.stop().await;
}

/// An Atom feed of one entry, `title`, published and updated as given.
fn one_entry(title: &str, updated: &str) -> Answer {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Báo Chính phủ</title>\
         <id>urn:bcp</id><updated>{updated}</updated>\
         <entry><title>{title}</title><id>urn:bcp:1</id>\
         <link href=\"https://baochinhphu.vn.test/tin/1.htm\"/>\
         <published>2026-05-01T09:00:00+07:00</published><updated>{updated}</updated>\
         <summary>Thủ tướng chỉ đạo tăng cường phòng, chống dịch bệnh.</summary></entry></feed>"
    );
    Answer::Feed {
        body: body.into_bytes(),
        content_type: "application/atom+xml",
    }
}

/// `updated` moves only when what a reader sees changes: not with a
/// re-poll of the same item, nor with a source's new date alone; with an
/// edit, to the source's new date, or to when bantin saw the edit.
#[tokio::test]
async fn updated_moves_only_when_what_a_reader_sees_changes() {
    let server = FixtureServer::start(&[]).await;
    let title = "Thủ tướng chỉ đạo phòng, chống dịch";
    server.set("/bcp.rss", one_entry(title, "2026-05-01T09:00:00+07:00"));
    let dir = tempfile::tempdir().unwrap();
    let pipeline = pipeline(&dir, &server).await;
    let served = serve(Arc::clone(&pipeline)).await;
    let updated_and_etag = || async {
        pipeline.render_changed().unwrap();
        let (_, headers, _) = get(&format!("http://{}/feeds/all.atom", served.addr), &[]).await;
        let feed = read_feed(served.addr, "all").await;
        (feed.entries[0].updated.unwrap(), headers["etag"].clone())
    };

    bantin::scheduler::poll_all(&pipeline).await;
    let (first, etag) = updated_and_etag().await;
    assert_eq!(first, instant("2026-05-01T02:00:00Z"));

    // The same item again, and then with only its date moved.
    bantin::scheduler::poll_all(&pipeline).await;
    assert_eq!(updated_and_etag().await, (first, etag.clone()));
    server.set("/bcp.rss", one_entry(title, "2026-05-02T08:00:00+07:00"));
    bantin::scheduler::poll_all(&pipeline).await;
    assert_eq!(updated_and_etag().await, (first, etag));

    // An edit with its new date: that date.
    let edited = "Thủ tướng chỉ đạo tăng cường phòng, chống dịch";
    server.set("/bcp.rss", one_entry(edited, "2026-05-03T08:00:00+07:00"));
    bantin::scheduler::poll_all(&pipeline).await;
    let (second, _) = updated_and_etag().await;
    assert_eq!(second, instant("2026-05-03T01:00:00Z"));

    // An edit under a date already shown: when bantin saw it.
    let before = Utc::now();
    server.set("/bcp.rss", one_entry(title, "2026-05-03T08:00:00+07:00"));
    bantin::scheduler::poll_all(&pipeline).await;
    let (third, _) = updated_and_etag().await;
    assert!(third >= before, "{third} before the poll at {before}");
    served.stop().await;
}

/// An RSS feed whose items carry a date without a time of day, as many
/// portals' do: `(number, title, date)`, listed as given (newest first).
fn date_only_feed(items: &[(usize, String, &str)]) -> Answer {
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Báo Chính phủ</title><link>https://baochinhphu.vn.test/</link>",
    );
    for (n, title, date) in items {
        body.push_str(&format!(
            "<item><title>{title}</title><link>https://baochinhphu.vn.test/tin/{n}.htm</link>\
             <pubDate>{date}</pubDate><description>Bài số {n}: {title}.</description></item>"
        ));
    }
    body.push_str("</channel></rss>");
    Answer::rss(body.into_bytes())
}

/// Issue #13: a portal that dates its stories by the day alone would give
/// a day's stories one instant, which a reader cannot sort and the W3C
/// validator warns of (`DuplicateUpdated`). Each gets its own time, on its
/// own day, in the order the portal lists them, and keeps it.
#[tokio::test]
async fn stories_dated_by_the_day_get_distinct_times_in_the_portals_order_and_keep_them() {
    let places = [
        "Hậu Giang",
        "Cần Thơ",
        "Sóc Trăng",
        "Bạc Liêu",
        "Cà Mau",
        "Kiên Giang",
        "An Giang",
        "Đồng Tháp",
        "Vĩnh Long",
        "Trà Vinh",
        "Bến Tre",
        "Tiền Giang",
    ];
    let days = ["20/11/2026", "19/11/2026", "18/11/2026"];
    let items: Vec<(usize, String, &str)> = places
        .iter()
        .enumerate()
        .map(|(n, p)| {
            (
                n,
                format!("Tỉnh {p} triển khai đợt tiêm chủng mở rộng lần {n}"),
                days[n / 4],
            )
        })
        .collect();
    let server = FixtureServer::start(&[]).await;
    server.set("/bcp.rss", date_only_feed(&items));
    let dir = tempfile::tempdir().unwrap();
    let pipeline = pipeline(&dir, &server).await;
    bantin::scheduler::poll_all(&pipeline).await;
    let served = serve(Arc::clone(&pipeline)).await;
    let feed = read_feed(served.addr, "all").await;
    let dated: Vec<(DateTime<Utc>, DateTime<Utc>)> = items
        .iter()
        .map(|(_, title, _)| {
            let e = entry(&feed, title);
            (e.published.unwrap(), e.updated.unwrap())
        })
        .collect();
    // In the portal's order, each a distinct time, and on its own day.
    assert!(
        dated.windows(2).all(|w| w[0].1 > w[1].1),
        "updated not strictly in the feed's order: {dated:?}"
    );
    let vietnam = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    for ((_, title, day), (published, _)) in items.iter().zip(&dated) {
        let shown = published
            .with_timezone(&vietnam)
            .format("%d/%m/%Y")
            .to_string();
        assert_eq!(&shown, day, "{title} moved off its day");
    }
    // The served Atom has no two entries with the same `updated`.
    let (_, _, atom) = get(&format!("http://{}/feeds/all.atom", served.addr), &[]).await;
    let atom = String::from_utf8(atom.to_vec()).unwrap();
    // Each entry's own `updated`, its first (its atom:source has one too).
    let stamps: Vec<&str> = atom
        .split("<entry>")
        .skip(1)
        .filter_map(|e| e.split("<updated>").nth(1)?.split("</updated>").next())
        .collect();
    let distinct: std::collections::HashSet<&&str> = stamps.iter().collect();
    assert_eq!((stamps.len(), distinct.len()), (items.len(), items.len()));

    // A later poll of the same feed, and of the feed with a new story on
    // top, leaves the times chosen as they were.
    let mut more = vec![(
        99,
        "Tỉnh Long An tổ chức hội nghị phòng chống sốt xuất huyết".to_string(),
        days[0],
    )];
    more.extend(items.iter().cloned());
    server.set("/bcp.rss", date_only_feed(&more));
    bantin::scheduler::poll_all(&pipeline).await;
    pipeline.render_changed().unwrap();
    let feed = read_feed(served.addr, "all").await;
    for ((_, title, _), (published, updated)) in items.iter().zip(&dated) {
        let e = entry(&feed, title);
        assert_eq!(
            (e.published.unwrap(), e.updated.unwrap()),
            (*published, *updated),
            "{title}"
        );
    }
    served.stop().await;
}
