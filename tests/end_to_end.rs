//! The whole path, for real: fixture feeds over HTTP on 127.0.0.1, the
//! pipeline into a sled store on disk, and the Atom feeds bantin serves,
//! read back with feed-rs as a feed reader would.
//!
//! Expectations come from tests/fixtures/feeds/EXPECTED.md.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use bantin::model::PollResult;
use bantin::pipeline::Pipeline;
use bantin::store::Store;
use common::{Answer, Served, Setup, entry, get, read_feed, serve, titles};

const Y_TE: [&str; 12] = [
    "Bệnh viện Sản - Nhi tỉnh đưa vào hoạt động khu điều trị hồi sức sơ sinh",
    "Bệnh viện triển khai tiêm vắc xin cúm mùa cho nhân viên y tế",
    "Bộ Y tế ban hành hướng dẫn tiêm bổ sung vắc xin sởi cho trẻ em",
    "Bộ Y tế trao tặng 3 hệ thống lọc máu liên tục cho Bệnh viện Đa khoa tỉnh Hậu Giang",
    "Cảnh báo dịch bệnh tay chân miệng gia tăng ở trẻ dưới 5 tuổi",
    "Công an xã Vị Thủy hỗ trợ chốt kiểm soát khu cách ly y tế",
    "Hướng dẫn giám sát Covid-19 và cúm mùa trong tình hình mới",
    "Hậu Giang tăng cường phòng, chống dịch sốt xuất huyết cuối mùa mưa",
    "Khoa Nhi tiếp nhận nhiều bệnh nhân sốt xuất huyết nặng",
    "Ký kết quy chế phối hợp giữa ngành y tế và lực lượng công an trong phòng, chống thuốc giả",
    "Thông báo lịch khám sức khỏe định kỳ cho cán bộ hưu trí năm 2026",
    "Trạm Y tế phường V tổ chức tiêm chủng mở rộng cho 120 trẻ",
];

const AN_NINH: [&str; 13] = [
    "Bắt giữ 12 đối tượng trong chuyên án ma túy liên tỉnh",
    "Bộ Công an triển khai đợt cao điểm bảo đảm an ninh trật tự dịp Tết Dương lịch 2027",
    "Cảnh báo thủ đoạn giả danh nhân viên điện lực để chiếm đoạt tài sản",
    "Cảnh sát giao thông tăng cường kiểm soát nồng độ cồn dịp cuối năm",
    "Cảnh sát phòng cháy hướng dẫn an toàn cho nhà ở kết hợp kinh doanh",
    "Công an phường IV ra mắt mô hình camera an ninh trật tự",
    "Công an tỉnh ra quân tấn công, trấn áp tội phạm dịp cuối năm 2026",
    "Công an xã Vị Thủy hỗ trợ chốt kiểm soát khu cách ly y tế",
    "Khởi tố 5 đối tượng tổ chức đánh bạc qua mạng tại huyện Châu Thành",
    "Ký kết quy chế phối hợp giữa ngành y tế và lực lượng công an trong phòng, chống thuốc giả",
    "Phòng ngừa tội phạm sử dụng công nghệ cao dịp cuối năm",
    "Triệt phá điểm mua bán trái phép chất ma túy tại TP. Vị Thanh",
    "Trại giam tổ chức cho phạm nhân gặp thân nhân qua hình thức trực tuyến",
];

fn sorted(titles: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = titles.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// Polls the fixture sources once into a fresh store and serves the result.
async fn polled(setup: &Setup) -> (Arc<Pipeline>, Served) {
    let config = setup.config("");
    let store = Store::open(&config.store.path).unwrap();
    let pipeline = Pipeline::new(config, store).unwrap();
    let reports = bantin::scheduler::poll_all(&pipeline).await;
    for r in &reports {
        assert!(
            matches!(r.result, PollResult::Fetched { .. }),
            "{}: {:?}",
            r.source,
            r.result
        );
    }
    let served = serve(Arc::clone(&pipeline)).await;
    (pipeline, served)
}

fn ids_by_title(feed: &feed_rs::model::Feed) -> HashMap<String, String> {
    feed.entries
        .iter()
        .map(|e| (e.title.as_ref().unwrap().content.clone(), e.id.clone()))
        .collect()
}

#[tokio::test]
async fn each_topic_feed_holds_its_stories_once() {
    let setup = Setup::new().await;
    let (_pipeline, served) = polled(&setup).await;
    let addr = served.addr;

    assert_eq!(titles(&read_feed(addr, "y-te").await), sorted(&Y_TE));
    assert_eq!(titles(&read_feed(addr, "an-ninh").await), sorted(&AN_NINH));
    let all = read_feed(addr, "all").await;
    assert_eq!(all.entries.len(), 27, "30 items, 3 clusters of two");
    for trap in ["Hơn 90% giao dịch", "Đẩy nhanh tiến độ thi công"] {
        entry(&all, trap);
    }
}

#[tokio::test]
async fn a_story_shows_the_most_authoritative_copy_and_links_the_others() {
    let setup = Setup::new().await;
    let (_pipeline, served) = polled(&setup).await;
    let addr = served.addr;
    let feed = read_feed(addr, "an-ninh").await;

    // Portal (priority 10) and police (20) carried it, a day apart, with
    // different links and "TP." / "Tp." in the title.
    let story = entry(&feed, "Triệt phá điểm mua bán");
    let rel = |rel: &str| -> Vec<&str> {
        story
            .links
            .iter()
            .filter(|l| l.rel.as_deref() == Some(rel))
            .map(|l| l.href.as_str())
            .collect()
    };
    assert_eq!(
        rel("alternate"),
        [
            "https://haugiang.gov.vn.test/tin-tuc/an-ninh-quoc-phong/triet-pha-diem-mua-ban-trai-phep-chat-ma-tuy-tai-tp-vi-thanh"
        ]
    );
    assert_eq!(
        rel("via"),
        [
            "https://congan.haugiang.gov.vn.test/tin-tuc/an-ninh-trat-tu/4127-triet-pha-diem-mua-ban-trai-phep-chat-ma-tuy-tai-tp-vi-thanh.html"
        ]
    );
    // atom:source names the feed the shown copy came from (feed-rs does
    // not read it; atom_syndication does).
    let (_, _, body) = get(&format!("http://{addr}/feeds/an-ninh.atom"), &[]).await;
    let atom = atom_syndication::Feed::read_from(&body[..]).unwrap();
    let shown = atom.entries().iter().find(|e| e.id == story.id).unwrap();
    let source = shown.source.as_ref().expect("atom:source");
    assert_eq!(source.id, setup.server.url("portal.rss"));
    assert_eq!(source.title.as_str(), "haugiang-portal");
    // The daemon explains the entry by its id.
    let (status, _, why) = get(&format!("http://{addr}/stories/{}.txt", story.id), &[]).await;
    let why = String::from_utf8_lossy(&why);
    assert_eq!(status, 200, "{why}");
    assert!(
        why.contains("copies (2,") && why.contains("congan-haugiang | "),
        "{why}"
    );
    let (status, _, _) = get(&format!("http://{addr}/stories/nonsense"), &[]).await;
    assert_eq!(status, 400);
    // Published is the earliest copy's: the portal's 2026-11-21 08:30 +07:00.
    assert_eq!(
        story.published.unwrap().to_rfc3339(),
        "2026-11-21T01:30:00+00:00"
    );
    // The relative image of the portal's description points at the portal.
    let content = story.content.as_ref().and_then(|c| c.body.clone()).unwrap();
    assert!(
        content.contains("https://haugiang.gov.vn.test/media/1234/anh.jpg"),
        "{content}"
    );
    let categories: Vec<&str> = story.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(categories, ["an-ninh"]);
}

#[tokio::test]
async fn served_atom_is_complete_rfc_4287() {
    let setup = Setup::new().await;
    let (_pipeline, served) = polled(&setup).await;
    let addr = served.addr;
    let (status, headers, body) = get(&format!("http://{addr}/feeds/y-te.atom"), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-type"].to_str().unwrap(),
        "application/atom+xml; charset=utf-8"
    );
    let xml = std::str::from_utf8(&body).unwrap();
    assert!(xml.contains(r#"xml:lang="vi""#), "{}", &xml[..300]);

    let feed = feed_rs::parser::parse(&body[..]).unwrap();
    assert_eq!(feed.id, "http://bantin.test/feeds/y-te.atom");
    assert!(feed.updated.is_some());
    assert!(!feed.authors.is_empty());
    assert!(
        feed.links
            .iter()
            .any(|l| l.rel.as_deref() == Some("self") && l.href == feed.id)
    );
    for e in &feed.entries {
        assert!(e.id.starts_with("urn:uuid:"), "{}", e.id);
        assert!(e.published.is_some() && e.updated.is_some());
        assert!(
            e.links
                .iter()
                .any(|l| l.rel.as_deref() == Some("alternate"))
        );
        assert!(e.content.is_some());
        assert!(e.categories.iter().any(|c| c.term == "y-te"));
    }
    // Newest first.
    let dates: Vec<_> = feed.entries.iter().map(|e| e.published.unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
}

#[tokio::test]
async fn ids_survive_a_restart_and_a_repoll() {
    let setup = Setup::new().await;
    let (pipeline, served) = polled(&setup).await;
    let addr = served.addr;
    let before = ids_by_title(&read_feed(addr, "all").await);
    let (_, headers, _) = get(&format!("http://{addr}/feeds/all.atom"), &[]).await;
    let etag_before = headers["etag"].clone();
    served.stop().await;
    drop(pipeline);

    // Reopen the same store, as a restarted daemon does, and poll again
    // with the feeds changed underneath: one new item in the hospital feed.
    let hospital = String::from_utf8(common::fixture("hospital.json")).unwrap();
    let extra = r#""items": [
    {"id": "bvdk-1200", "url": "https://bvdk.haugiang.gov.vn.test/tin-tuc/1200.html",
     "title": "Bệnh viện tổ chức hiến máu tình nguyện đợt cuối năm",
     "content_html": "<p>Hơn 200 đơn vị máu.</p>", "date_published": "2026-11-27T08:00:00+07:00"},"#;
    setup.server.set(
        "hospital.json",
        Answer::Feed {
            body: hospital.replacen(r#""items": ["#, extra, 1).into_bytes(),
            content_type: "application/feed+json",
        },
    );
    // A restart must not lose the rendered feeds: they come from the store.
    let config = setup.config("");
    let store = Store::open(&config.store.path).unwrap();
    let pipeline = Pipeline::new(Arc::clone(&config), store).unwrap();
    let addr = serve(Arc::clone(&pipeline)).await.addr;
    let (_, headers, _) = get(&format!("http://{addr}/feeds/all.atom"), &[]).await;
    assert_eq!(headers["etag"], etag_before, "same store, same bytes");

    bantin::scheduler::poll_all(&pipeline).await;
    let after = ids_by_title(&read_feed(addr, "all").await);
    assert_eq!(after.len(), before.len() + 1);
    for (title, id) in &before {
        assert_eq!(after.get(title), Some(id), "{title}");
    }
}

#[tokio::test]
async fn second_poll_is_conditional_and_changes_nothing() {
    let setup = Setup::new().await;
    let (pipeline, served) = polled(&setup).await;
    let addr = served.addr;
    let (_, first, _) = get(&format!("http://{addr}/feeds/all.atom"), &[]).await;
    setup.server.forget_seen();

    let reports = bantin::scheduler::poll_all(&pipeline).await;
    for r in &reports {
        assert_eq!(r.result, PollResult::NotModified, "{}", r.source);
    }
    let seen = setup.server.seen();
    assert_eq!(seen.len(), 6);
    for request in &seen {
        assert!(
            request.if_none_match.is_some(),
            "{} sent no If-None-Match",
            request.path
        );
        assert!(
            request
                .user_agent
                .as_deref()
                .unwrap_or("")
                .starts_with("bantin/")
        );
        assert_eq!(request.accept_encoding.as_deref(), Some("gzip, br"));
        assert!(
            request
                .accept
                .as_deref()
                .unwrap_or("")
                .starts_with("application/atom+xml")
        );
    }
    let (_, second, _) = get(&format!("http://{addr}/feeds/all.atom"), &[]).await;
    assert_eq!(first["etag"], second["etag"]);
    assert_eq!(first["last-modified"], second["last-modified"]);
}

#[tokio::test]
async fn unchanged_body_without_validators_writes_nothing() {
    // A server that ignores If-None-Match sends the same body again: the
    // stories, their `updated` and the feed bytes must stay as they were.
    let setup = Setup::new().await;
    let (pipeline, served) = polled(&setup).await;
    let addr = served.addr;
    let (_, before_headers, before) = get(&format!("http://{addr}/feeds/all.atom"), &[]).await;
    let config = pipeline.config();
    for source in &config.sources {
        let body = bantin::pipeline::Body::new(common::fixture(
            common::SOURCES.iter().find(|s| s.0 == source.id).unwrap().1,
        ));
        let ingest = pipeline
            .ingest_bytes(source, &body, chrono::Utc::now())
            .unwrap();
        assert_eq!(ingest.ingested, Default::default(), "{}", source.id);
    }
    let (_, after_headers, after) = get(&format!("http://{addr}/feeds/all.atom"), &[]).await;
    assert_eq!(before_headers["etag"], after_headers["etag"]);
    assert_eq!(before, after);
}

#[tokio::test]
async fn served_feed_answers_304() {
    let setup = Setup::new().await;
    let (_pipeline, served) = polled(&setup).await;
    let addr = served.addr;
    let url = format!("http://{addr}/feeds/an-ninh.atom");
    let (_, headers, _) = get(&url, &[]).await;
    let etag = headers["etag"].to_str().unwrap().to_string();
    let last_modified = headers["last-modified"].to_str().unwrap().to_string();

    let (status, _, body) = get(&url, &[("if-none-match", &etag)]).await;
    assert_eq!((status, body.len()), (304, 0));
    let (status, _, _) = get(&url, &[("if-modified-since", &last_modified)]).await;
    assert_eq!(status, 304);
    let (status, _, _) = get(&url, &[("if-none-match", "\"something-else\"")]).await;
    assert_eq!(status, 200);
    let (status, _, _) = get(&format!("http://{addr}/feeds/nothing.atom"), &[]).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn failing_sources_keep_their_stories_and_the_others_go_on() {
    let setup = Setup::new().await;
    let (pipeline, served) = polled(&setup).await;
    let addr = served.addr;
    let before = ids_by_title(&read_feed(addr, "all").await);

    // The portal turns into a maintenance page, the police answer 500, the
    // district sends garbage, the ministry a truncated document (its
    // complete first item is kept); the hospital publishes news.
    setup
        .server
        .set("portal.rss", Answer::file("not-a-feed.html"));
    setup.server.set("police.rss", Answer::Status(500));
    setup.server.set(
        "nfd.atom",
        Answer::Feed {
            body: (0..=255u8).cycle().take(3000).collect(),
            content_type: "application/atom+xml",
        },
    );
    setup.server.set("moh.atom", Answer::file("broken.xml"));
    let hospital = String::from_utf8(common::fixture("hospital.json")).unwrap();
    setup.server.set(
        "hospital.json",
        Answer::Feed {
            body: hospital
                .replacen(
                    r#""items": ["#,
                    r#""items": [{"id": "bvdk-1201", "url": "https://bvdk.haugiang.gov.vn.test/1201.html",
                      "title": "Bệnh viện tập huấn phòng, chống dịch cúm mùa cho điều dưỡng",
                      "date_published": "2026-11-27T09:00:00+07:00"},"#,
                    1,
                )
                .into_bytes(),
            content_type: "application/feed+json",
        },
    );
    let reports: HashMap<String, PollResult> = bantin::scheduler::poll_all(&pipeline)
        .await
        .into_iter()
        .map(|r| (r.source, r.result))
        .collect();

    let kind = |id: &str| match &reports[id] {
        PollResult::Failed { kind, .. } => kind.clone(),
        other => panic!("{id}: {other:?}"),
    };
    assert_eq!(kind("haugiang-portal"), "html page");
    assert_eq!(kind("congan-haugiang"), "http 500");
    assert_eq!(kind("vithanh"), "not a feed");
    assert!(matches!(
        &reports["moh"],
        PollResult::Fetched { items: 1, new_stories: 1, partial: Some(note), .. }
            if note.contains("kept the 1 complete item")
    ));
    assert!(matches!(
        reports["bvdk-haugiang"],
        PollResult::Fetched { new_stories: 1, .. }
    ));

    let after = ids_by_title(&read_feed(addr, "all").await);
    assert_eq!(after.len(), before.len() + 2);
    assert!(
        after.contains_key("Kiểm tra an toàn thực phẩm tại các bếp ăn tập thể khu công nghiệp")
    );
    for (title, id) in &before {
        assert_eq!(after.get(title), Some(id), "lost or changed: {title}");
    }
    assert!(
        titles(&read_feed(addr, "y-te").await)
            .contains(&"Bệnh viện tập huấn phòng, chống dịch cúm mùa cho điều dưỡng".to_string())
    );

    // The status page names each failure.
    let (status, _, page) = get(&format!("http://{addr}/"), &[]).await;
    assert_eq!(status, 200);
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(page.contains("this is an HTML page, not a feed"), "{page}");
    assert!(page.contains("the server answered 500"), "{page}");
    assert!(
        page.contains("partial: the document ends inside item 2"),
        "{page}"
    );
    assert!(page.contains("feeds/y-te.atom"));
}

#[tokio::test]
async fn unreachable_host_is_only_that_sources_error() {
    let setup = Setup::new().await;
    // A port nothing listens on: bind one, note it, close it.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let config = setup.config(&format!(
        "\n[[source]]\nid = \"gone\"\nurl = \"http://{closed}/rss\"\nallow_private = true\n"
    ));
    let store = Store::open(&config.store.path).unwrap();
    let pipeline = Pipeline::new(config, store).unwrap();
    let reports = bantin::scheduler::poll_all(&pipeline).await;
    let gone = reports.iter().find(|r| r.source == "gone").unwrap();
    assert!(
        matches!(&gone.result, PollResult::Failed { kind, .. } if kind == "connect"),
        "{:?}",
        gone.result
    );
    let ok = reports
        .iter()
        .filter(|r| matches!(r.result, PollResult::Fetched { .. }))
        .count();
    assert_eq!(ok, 6);
}

#[tokio::test]
async fn republished_with_a_place_prefix_or_a_link_variant_is_the_same_story() {
    let setup = Setup::new().await;
    // A district portal republishes two portal stories a day later: one
    // under "Hậu Giang: ... (Theo ...)", one linking the portal's page as
    // http://www. with a trailing slash.
    let rss = r#"<rss version="2.0"><channel><title>Cổng TTĐT huyện</title>
        <item><title>Hậu Giang: Công an tỉnh ra quân tấn công, trấn áp tội phạm dịp cuối năm 2026 (Theo Cổng TTĐT Hậu Giang)</title>
          <link>https://huyen.test/tin/1.html</link><guid>h1</guid><pubDate>Wed, 25 Nov 2026 09:00:00 +0700</pubDate></item>
        <item><title>Bệnh viện Sản Nhi đưa vào hoạt động khu hồi sức sơ sinh</title>
          <link>http://www.haugiang.gov.vn.test/tin-tuc/y-te/benh-vien-san-nhi-tinh-dua-vao-hoat-dong-khu-dieu-tri-hoi-suc-so-sinh/</link>
          <guid>h2</guid><pubDate>Sat, 21 Nov 2026 09:00:00 +0700</pubDate></item>
        </channel></rss>"#;
    setup
        .server
        .set("huyen.rss", Answer::rss(rss.as_bytes().to_vec()));
    let config = setup.config(&format!(
        "\n[[source]]\nid = \"huyen\"\nurl = \"{}\"\npriority = 60\nallow_private = true\n",
        setup.server.url("huyen.rss")
    ));
    let store = Store::open(&config.store.path).unwrap();
    let pipeline = Pipeline::new(config, store).unwrap();
    bantin::scheduler::poll_all(&pipeline).await;
    let addr = serve(Arc::clone(&pipeline)).await.addr;
    let all = read_feed(addr, "all").await;
    assert_eq!(
        all.entries.len(),
        27,
        "both republished items joined their stories"
    );
    for title in [
        "Công an tỉnh ra quân tấn công, trấn áp tội phạm dịp cuối năm 2026",
        "Bệnh viện Sản - Nhi tỉnh đưa vào hoạt động khu điều trị hồi sức sơ sinh",
    ] {
        let story = entry(&all, title);
        assert!(
            story
                .links
                .iter()
                .any(|l| l.rel.as_deref() == Some("via") && l.title.as_deref() == Some("huyen")),
            "{title}"
        );
    }
}

#[tokio::test]
async fn changed_topic_rules_reclassify_stored_stories_without_a_poll() {
    let setup = Setup::new().await;
    let (pipeline, served) = polled(&setup).await;
    let before = ids_by_title(&read_feed(served.addr, "y-te").await);
    assert_eq!(before.len(), Y_TE.len());
    served.stop().await;
    drop(pipeline);

    // The operator excludes dengue stories from y-te, and restarts. No
    // poll follows: only the stored stories can change the feed.
    let restart = |text: String| {
        std::fs::write(setup.config_path(), text).unwrap();
        let config = Arc::new(bantin::config::Config::load(&setup.config_path()).unwrap());
        let store = Store::open(&config.store.path).unwrap();
        Pipeline::new(config, store).unwrap()
    };
    let narrowed = setup.config_text("").replacen(
        "slug     = \"y-te\"",
        "slug     = \"y-te\"\nexclude  = [\"sốt xuất huyết\"]",
        1,
    );
    let pipeline = restart(narrowed);
    let served = serve(Arc::clone(&pipeline)).await;
    let after = ids_by_title(&read_feed(served.addr, "y-te").await);
    let dengue: Vec<&String> = before
        .keys()
        .filter(|t| t.contains("sốt xuất huyết"))
        .collect();
    assert_eq!(dengue.len(), 2, "{before:?}");
    assert_eq!(after.len(), before.len() - dengue.len(), "{after:?}");
    for (title, id) in &after {
        assert!(!title.contains("sốt xuất huyết"), "{title}");
        assert_eq!(before.get(title), Some(id));
    }
    // Excluded from a topic is not deleted: `all` still has them.
    let all = titles(&read_feed(served.addr, "all").await);
    assert!(dengue.iter().all(|t| all.contains(t)));
    served.stop().await;
    drop(pipeline);

    // Back to the old rules: the same stories under the same ids.
    let pipeline = restart(setup.config_text(""));
    let served = serve(Arc::clone(&pipeline)).await;
    assert_eq!(ids_by_title(&read_feed(served.addr, "y-te").await), before);
    served.stop().await;
}

#[tokio::test]
async fn metrics_count_polls_copies_merges_and_requests() {
    let setup = Setup::new().await;
    let (_pipeline, served) = polled(&setup).await;
    let addr = served.addr;
    get(&format!("http://{addr}/feeds/all.atom"), &[]).await;
    get(&format!("http://{addr}/feeds/all.atom"), &[]).await;
    assert_eq!(
        get(&format!("http://{addr}/no/such/page"), &[]).await.0,
        404
    );

    let (status, headers, body) = get(&format!("http://{addr}/metrics"), &[]).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = String::from_utf8(body.to_vec()).unwrap();
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {series} in\n{text}"))
    };
    for (id, _, _) in common::SOURCES {
        assert_eq!(
            value(&format!(
                "bantin_polls_total{{source=\"{id}\",result=\"fetched\"}}"
            )),
            1.0
        );
        assert!(value(&format!("bantin_fetched_bytes_total{{source=\"{id}\"}}")) > 0.0);
        assert!(
            value(&format!(
                "bantin_last_success_timestamp_seconds{{source=\"{id}\"}}"
            )) > 1.7e9
        );
    }
    // 30 items, 27 stories: three copies joined a story (EXPECTED.md).
    assert_eq!(value("bantin_copies_ingested_total{change=\"new\"}"), 30.0);
    assert_eq!(value("bantin_stories_created_total"), 27.0);
    let merges: f64 = ["link", "title", "text"]
        .iter()
        .map(|r| value(&format!("bantin_merges_total{{rule=\"{r}\"}}")))
        .sum();
    assert_eq!(merges, 3.0);
    assert_eq!(value("bantin_topic_entries{topic=\"all\"}"), 27.0);
    assert_eq!(value("bantin_topic_entries{topic=\"y-te\"}"), 12.0);
    assert!(value("bantin_store_size_bytes") > 0.0);
    // The 30 items' weeks and links are held in memory, within the budget.
    let weeks = value("bantin_index_memory_bytes{index=\"weeks\"}");
    assert!(weeks > 0.0 && weeks <= value("bantin_index_memory_budget_bytes"));
    assert_eq!(
        value("bantin_index_memory_budget_bytes"),
        32.0 * 1024.0 * 1024.0
    );
    assert!(value("bantin_index_memory_bytes{index=\"links\"}") > 0.0);
    // Well within it: nothing trimmed.
    assert_eq!(value("bantin_index_trimmed_copies_total"), 0.0);
    assert_eq!(value("bantin_poll_duration_seconds_count"), 6.0);
    assert_eq!(
        value("bantin_http_requests_total{route=\"/feeds/{file}\",status=\"200\"}"),
        2.0
    );
    assert_eq!(
        value("bantin_http_requests_total{route=\"(none)\",status=\"404\"}"),
        1.0
    );
    assert!(text.ends_with("# EOF\n"));
}
