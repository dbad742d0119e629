//! Sources without a feed: HTML list pages read with `[source.scrape]`.
//! Expectations: tests/fixtures/scrape/README.md.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use bantin::config::Config;
use bantin::model::PollResult;
use bantin::pipeline::Pipeline;
use bantin::pipeline::normalize::normalize;
use bantin::pipeline::parse::{ParsedFeed, parse_body};
use bantin::store::Store;
use common::{Answer, FixtureServer, read_feed};

const SCRAPE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/scrape");

const LIST_RULES: &str = r#"
  [source.scrape]
  item        = "div.tin-khac ul.list-news > li"
  title       = "a.title"
  link        = "a.title@href"
  date        = "span.date"
  date_format = "%d/%m/%Y %H:%M"
  summary     = "p.sapo"
  author      = "span.author"
"#;

const TABLE_RULES: &str = r#"
  [source.scrape]
  item        = "table.danh-sach-tin tbody tr:has(td.tieude)"
  title       = "td.tieude > a, td.tieude > span"
  link        = "td.tieude > a@href"
  date        = "td.ngay"
  date_format = "%d/%m/%Y %H:%M"
  summary     = "td.tieude div.mota"
  author      = "td.tacgia"
"#;

/// Scrapes a fixture as if fetched from `page_url`, through `bantin
/// check`'s own config validation.
fn scrape(file: &str, page_url: &str, rules: &str) -> ParsedFeed {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(
        &path,
        format!("[[source]]\nid = \"page\"\nurl = \"{page_url}\"\n{rules}"),
    )
    .unwrap();
    let config = Config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let source = &config.sources[0];
    let bytes = std::fs::read(Path::new(SCRAPE).join(file)).unwrap();
    parse_body(
        &bytes,
        Some("text/html"),
        page_url,
        source.scrape.as_deref(),
    )
    .unwrap()
}

/// Titles as a reader sees them, with links and UTC dates.
fn items(feed: &ParsedFeed, page_url: &str) -> Vec<(String, String, String)> {
    let seen = chrono::Utc::now();
    feed.items
        .iter()
        .map(|raw| {
            let item = normalize(raw, page_url, seen);
            (
                item.title,
                item.link.unwrap_or_default(),
                item.published.to_rfc3339(),
            )
        })
        .collect()
}

#[test]
fn tin_khac_list_gives_titles_absolute_links_and_utc_dates() {
    let url = "https://soyte.haugiang.gov.vn.test/tin-tuc/tin-hoat-dong";
    let feed = scrape("tin-khac.html", url, LIST_RULES);
    assert_eq!(feed.items.len(), 8);
    assert_eq!(feed.partial, None, "nothing skipped");
    let items = items(&feed, url);
    assert_eq!(
        items[0],
        (
            "Hậu Giang tiêm bổ sung vắc xin sởi cho hơn 3.000 trẻ em".to_string(),
            "https://soyte.haugiang.gov.vn.test/tin-tuc/hau-giang-tiem-bo-sung-vac-xin-soi-cho-hon-3000-tre-em-2417.html".to_string(),
            "2026-11-25T01:15:00+00:00".to_string()
        )
    );
    // Entities, a line break and a run of spaces inside the titles.
    assert_eq!(
        items[3].0,
        "Văn phòng Sở Y tế tổ chức hội nghị cán bộ, công chức, viên chức năm 2026"
    );
    assert_eq!(
        items[4].0,
        "Trung tâm Y tế huyện Phụng Hiệp ra mắt phòng khám y học gia đình"
    );
    assert_eq!(
        items[5].0,
        "Hội thảo “Dinh dưỡng & sức khỏe người cao tuổi” tại TP. Vị Thanh"
    );
    assert_eq!(feed.items[0].authors, ["dokhoa"]);
    // No pager, menu, sidebar or footer link became an item.
    assert!(items.iter().all(|(_, link, _)| link.contains("/tin-tuc/")));
}

#[test]
fn table_layout_skips_the_row_without_a_link_and_reads_nbsp_dates() {
    let url = "https://longmy.haugiang.gov.vn.test/tin-tuc/an-ninh-trat-tu/";
    let feed = scrape("table.html", url, TABLE_RULES);
    assert_eq!(feed.items.len(), 5);
    assert!(
        feed.partial
            .as_deref()
            .unwrap()
            .starts_with("1 of 6 list entries"),
        "{:?}",
        feed.partial
    );
    let items = items(&feed, url);
    assert_eq!(
        items[0].1,
        "https://longmy.haugiang.gov.vn.test/tin-tuc/an-ninh-trat-tu/chi-tiet.aspx?ItemID=5208"
    );
    assert_eq!(items[1].2, "2026-11-25T08:45:00+00:00", "the &nbsp; row");
    assert!(
        items
            .iter()
            .all(|(t, _, _)| !t.starts_with("Thông báo tạm ngừng"))
    );
}

#[test]
fn windows_1258_page_comes_out_nfc() {
    let url = "https://cdc.haugiang.gov.vn.test/tin-tuc/phong-chong-dich-benh";
    let feed = scrape("windows-1258.html", url, LIST_RULES);
    let items = items(&feed, url);
    assert_eq!(items.len(), 4);
    assert_eq!(
        items[0].0,
        "Diệt lăng quăng, bọ gậy phòng chống sốt xuất huyết ở phường Ngã Bảy"
    );
    assert_eq!(items[2].2, "2026-11-22T12:45:00+00:00");
}

#[test]
fn base_href_decides_relative_links() {
    let url = "https://haugiang.gov.vn.test/congan/Pages/tin-an-ninh.aspx";
    let feed = scrape("base-href.html", url, LIST_RULES);
    let links: Vec<String> = items(&feed, url).into_iter().map(|i| i.1).collect();
    assert_eq!(
        links,
        [
            "https://congan.haugiang.gov.vn.test/tin-tuc/an-ninh/chi-tiet/1234.html",
            "https://congan.haugiang.gov.vn.test/tin-tuc/phong-chong-ma-tuy/4321.html",
            "https://bocongan.gov.vn.test/tin-tuc-su-kien/an-ninh-trat-tu/canh-bao-thu-doan-lua-dao-dau-tu-tien-ao-a5560.html",
            "https://congan.haugiang.gov.vn.test/tin-tuc/an-ninh-trat-tu/1251.html",
        ]
    );
}

#[test]
fn broken_markup_still_gives_every_item() {
    let url = "https://baohaugiang.com.vn.test/xa-hoi";
    let feed = scrape("broken-markup.html", url, LIST_RULES);
    let items = items(&feed, url);
    assert_eq!(items.len(), 5);
    assert_eq!(
        items[1].0,
        "Nông dân Long Mỹ chuyển đổi cây trồng & nuôi thủy sản trên đất lúa kém hiệu quả"
    );
    // The unclosed <p> does not swallow the author and date.
    assert_eq!(items[0].2, "2026-11-26T03:00:00+00:00");
    assert!(
        !feed.items[0]
            .summary
            .as_deref()
            .unwrap()
            .contains("26/11/2026")
    );
}

/// A portal polled over HTTP: the list page, and an RSS feed of another
/// source that carries one of its stories.
struct Portal {
    server: FixtureServer,
    pipeline: Arc<Pipeline>,
    addr: std::net::SocketAddr,
    _dir: tempfile::TempDir,
}

const MEASLES: &str = "Hậu Giang tiêm bổ sung vắc xin sởi cho hơn 3.000 trẻ em";

async fn portal(extra_rss_items: &str) -> Portal {
    portal_with("", extra_rss_items).await
}

/// As `portal`, with more keys for the list source (`article = ...`).
async fn portal_with(list_source_extra: &str, extra_rss_items: &str) -> Portal {
    let server = FixtureServer::start(&[]).await;
    server.set(
        "tin-hoat-dong",
        Answer::Feed {
            body: common::fixture("../scrape/tin-khac.html"),
            content_type: "text/html; charset=utf-8",
        },
    );
    server.set(
        "rss",
        Answer::rss(
            format!(
                r#"<rss version="2.0"><channel><title>Báo Hậu Giang</title>
                <item><title>{MEASLES}</title><link>https://baohaugiang.com.vn.test/y-te/tiem-soi-3000-tre.html</link>
                <guid>bhg-1</guid><pubDate>Wed, 25 Nov 2026 20:00:00 +0700</pubDate></item>{extra_rss_items}
                </channel></rss>"#
            )
            .into_bytes(),
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(
        &path,
        format!(
            "[store]\npath = \"store\"\nkeep_days = 36500\n[poll]\nhost_gap = \"0s\"\n{}\n\
             [[source]]\nid = \"soyte\"\nname = \"Sở Y tế\"\nurl = \"{}\"\npriority = 10\nallow_private = true\n{list_source_extra}\n{LIST_RULES}\n\
             [[source]]\nid = \"baohaugiang\"\nname = \"Báo Hậu Giang\"\nurl = \"{}\"\npriority = 30\nallow_private = true\n",
            common::TOPICS,
            server.url("tin-hoat-dong"),
            server.url("rss")
        ),
    )
    .unwrap();
    let config = Arc::new(Config::load(&path).unwrap_or_else(|e| panic!("{e}")));
    let store = Store::open(&config.store.path).unwrap();
    let pipeline = Pipeline::new(config, store).unwrap();
    let addr = common::serve(Arc::clone(&pipeline)).await.addr;
    Portal {
        server,
        pipeline,
        addr,
        _dir: dir,
    }
}

impl Portal {
    async fn poll(&self) -> HashMap<String, PollResult> {
        bantin::scheduler::poll_all(&self.pipeline)
            .await
            .into_iter()
            .map(|r| (r.source, r.result))
            .collect()
    }
}

#[tokio::test]
async fn a_scraped_copy_and_a_feed_copy_are_one_story() {
    let portal = portal("").await;
    let reports = portal.poll().await;
    assert!(
        matches!(reports["soyte"], PollResult::Fetched { items: 8, .. }),
        "{reports:?}"
    );
    let all = read_feed(portal.addr, "all").await;
    assert_eq!(all.entries.len(), 8, "nine copies, one story carried twice");
    let story = common::entry(&all, MEASLES);
    let rels: Vec<(&str, Option<&str>)> = story
        .links
        .iter()
        .map(|l| (l.rel.as_deref().unwrap_or(""), l.title.as_deref()))
        .collect();
    assert_eq!(
        rels,
        [
            ("alternate", Some("Sở Y tế")),
            ("via", Some("Báo Hậu Giang"))
        ]
    );
    let y_te = read_feed(portal.addr, "y-te").await;
    common::entry(&y_te, MEASLES);
}

#[tokio::test]
async fn a_redesigned_page_is_broken_rules_and_keeps_its_stories() {
    let portal = portal("").await;
    portal.poll().await;
    portal.server.set(
        "tin-hoat-dong",
        Answer::Feed {
            body: common::fixture("../scrape/redesigned.html"),
            content_type: "text/html; charset=utf-8",
        },
    );
    let reports = portal.poll().await;
    match &reports["soyte"] {
        PollResult::Failed { kind, message } => {
            assert_eq!(kind, "broken rules");
            assert!(message.contains("matched nothing"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let status = bantin::status::statuses(&portal.pipeline.config(), &portal.pipeline.store)
        .into_iter()
        .find(|s| s.id == "soyte")
        .unwrap();
    assert_eq!(status.state, "broken rules");
    assert_eq!(read_feed(portal.addr, "all").await.entries.len(), 8);
    let (_, _, page) = common::get(&format!("http://{}/", portal.addr), &[]).await;
    assert!(String::from_utf8_lossy(&page).contains("broken rules"));
}

#[tokio::test]
async fn dates_that_mostly_fail_flag_broken_rules_but_keep_the_items() {
    let portal = portal("").await;
    let page = r#"<html><body><div class="tin-khac"><ul class="list-news">
        <li><a class="title" href="/tin/1.html">Tin thứ nhất về y tế cơ sở</a><span class="date">2 giờ trước</span></li>
        <li><a class="title" href="/tin/2.html">Tin thứ hai về y tế cơ sở</a><span class="date">Hôm qua, 16:30</span></li>
        <li><a class="title" href="/tin/3.html">Tin thứ ba về y tế cơ sở</a><span class="date">20/11/2026 09:00</span></li>
        </ul></div></body></html>"#;
    portal.server.set(
        "tin-hoat-dong",
        Answer::Feed {
            body: page.as_bytes().to_vec(),
            content_type: "text/html",
        },
    );
    let reports = portal.poll().await;
    assert!(
        matches!(reports["soyte"], PollResult::Fetched { items: 3, .. }),
        "{reports:?}"
    );
    let status = bantin::status::statuses(&portal.pipeline.config(), &portal.pipeline.store)
        .into_iter()
        .find(|s| s.id == "soyte")
        .unwrap();
    assert_eq!(status.state, "broken rules");
    assert!(
        status.warnings[0].contains(
            "2 of 3 dates could not be read with `%d/%m/%Y %H:%M` (first: \"2 giờ trước\")"
        ),
        "{:?}",
        status.warnings
    );
}

/// Serves the two article pages at their items' paths.
fn serve_articles(portal: &Portal) {
    for (file, path) in [
        (
            "article-1.html",
            "tin-tuc/hau-giang-tiem-bo-sung-vac-xin-soi-cho-hon-3000-tre-em-2417.html",
        ),
        (
            "article-2.html",
            "tin-tuc/trung-tam-y-te-phung-hiep-ra-mat-phong-kham-y-hoc-gia-dinh-2398.html",
        ),
    ] {
        portal.server.set(
            path,
            Answer::Feed {
                body: common::fixture(&format!("../scrape/{file}")),
                content_type: "text/html; charset=utf-8",
            },
        );
    }
}

async fn full_text_is_fetched_once_and_kept(rule: &str) {
    let portal = portal_with(&format!("article = \"{rule}\""), "").await;
    serve_articles(&portal);
    portal.poll().await;

    let all = read_feed(portal.addr, "all").await;
    let measles = common::entry(&all, MEASLES);
    let content = measles
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .unwrap();
    assert!(
        content.contains("3.126&nbsp;trẻ từ 1 đến 5 tuổi, đạt hơn 92% kế hoạch"),
        "{content}"
    );
    assert!(content.contains("nguồn \"Cổng thông tin điện tử Hậu Giang\""));
    assert!(content.contains(&format!(
        "src=\"http://{}/media/2417/tiem-vac-xin-soi-tai-tram-y-te-phuong-5.jpg\"",
        portal.server.addr
    )));
    for chrome in [
        "Thủ tục hành chính",
        "Chia sẻ Facebook",
        "TIN KHÁC",
        "Bản quyền thuộc Sở Y tế",
        "share-popup",
    ] {
        assert!(!content.contains(chrome), "{chrome} in {content}");
    }
    let phung_hiep = common::entry(&all, "Trung tâm Y tế huyện Phụng Hiệp");
    let content = phung_hiep
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .unwrap();
    assert!(
        content.contains("ph%C3%B2ng%20kh%C3%A1m%20T%C3%A2n%20B%C3%ACnh.jpg"),
        "{content}"
    );

    // The list page again, with the same items (and a new ETag, so it is
    // read in full): no article is fetched again, the full text stays.
    let article_requests = |p: &Portal| {
        p.server
            .seen()
            .iter()
            .filter(|r| r.path.ends_with("-2417.html"))
            .count()
    };
    assert_eq!(article_requests(&portal), 1);
    let mut page = common::fixture("../scrape/tin-khac.html");
    page.extend_from_slice(b"\n<!-- rebuilt -->\n");
    portal.server.set(
        "tin-hoat-dong",
        Answer::Feed {
            body: page,
            content_type: "text/html; charset=utf-8",
        },
    );
    let reports = portal.poll().await;
    assert!(
        matches!(
            reports["soyte"],
            PollResult::Fetched {
                updated_copies: 0,
                new_copies: 0,
                ..
            }
        ),
        "{reports:?}"
    );
    assert_eq!(article_requests(&portal), 1);
    let again = read_feed(portal.addr, "all").await;
    let content = common::entry(&again, MEASLES)
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .unwrap();
    assert!(content.contains("đạt hơn 92% kế hoạch"));
}

#[tokio::test]
async fn article_selector_gives_the_full_text() {
    full_text_is_fetched_once_and_kept("div.content").await;
}

#[tokio::test]
async fn automatic_article_extraction_gives_the_full_text() {
    full_text_is_fetched_once_and_kept("auto").await;
}
