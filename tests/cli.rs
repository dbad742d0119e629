//! The `bantin` binary as an operator runs it.

mod common;

use std::process::Command;

use common::Setup;

fn bantin(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(args)
        .output()
        .expect("run bantin")
}

#[test]
fn check_reports_every_problem_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(
        &path,
        r#"[poll]
every = "15 phút"

[[topic]]
slug = "y-te"
keywords = ["y tế"]

[[source]]
id = "moh"
url = "https://moh.gov.vn/rss"
topics = ["y-te", "an-ninh"]
"#,
    )
    .unwrap();
    let out = bantin(&["check", "--config", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].contains("feeds.toml:2:9: `15 phút` is not a duration such as \"90s\""),
        "{stderr}"
    );
    assert!(
        lines[1].contains("feeds.toml:11:19: source `moh` names topic `an-ninh`"),
        "{stderr}"
    );
}

#[test]
fn check_reports_a_toml_syntax_error_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, "[store]\nfeed_size = 50\n\n[[source]\nid = \"x\"\n").unwrap();
    let out = bantin(&["check", "--config", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("feeds.toml:4:"), "{stderr}");
}

#[test]
fn check_accepts_the_bundled_configs() {
    for config in ["feeds.toml", "examples/offline.toml"] {
        let path = format!("{}/{config}", env!("CARGO_MANIFEST_DIR"));
        let out = bantin(&["check", "--config", &path]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{config}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn poll_prints_one_line_per_source_and_fails_when_one_fails() {
    let setup = Setup::new().await;
    setup.config("\n[[source]]\nid = \"missing\"\nurl = \"file:nowhere.rss\"\n");
    let config = setup.config_path();
    let out = tokio::task::spawn_blocking(move || {
        bantin(&["poll", "--config", config.to_str().unwrap()])
    })
    .await
    .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 7, "{stdout}");
    assert!(
        lines[0].starts_with("haugiang-portal")
            && lines[0].contains("fetched: 8 items, 8 new copies")
    );
    assert!(
        lines[6].starts_with("missing") && lines[6].contains("failed:"),
        "{stdout}"
    );
}

#[tokio::test]
async fn status_prints_each_sources_state_from_the_store() {
    let setup = Setup::new().await;
    setup.server.set("police.rss", common::Answer::Status(503));
    setup.config("");
    let config = setup.config_path().to_str().unwrap().to_string();
    let out = tokio::task::spawn_blocking(move || {
        bantin(&["poll", "--config", &config]);
        bantin(&["status", "--config", &config])
    })
    .await
    .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "a source is failing: {stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("SOURCE") && lines[0].contains("NEXT POLL"),
        "{stdout}"
    );
    let row = |id: &str| *lines.iter().find(|l| l.starts_with(id)).unwrap();
    assert!(row("haugiang-portal").contains(" ok "), "{stdout}");
    assert!(
        row("congan-haugiang").contains("failing") && row("congan-haugiang").contains(" 503 "),
        "{stdout}"
    );
}

/// Runs the binary off the async threads, so the fixture server in this
/// process keeps answering it.
async fn bantin_async(args: Vec<String>) -> (Option<i32>, String) {
    let out = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        bantin(&args)
    })
    .await
    .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

fn html_answer(file: &str) -> common::Answer {
    common::Answer::Feed {
        body: common::fixture(&format!("../scrape/{file}")),
        content_type: "text/html; charset=utf-8",
    }
}

#[tokio::test]
async fn preview_prints_what_the_rules_extract() {
    let server = common::FixtureServer::start(&[]).await;
    server.set("tin-hoat-dong", html_answer("tin-khac.html"));
    let args = [
        "preview",
        "--url",
        &server.url("tin-hoat-dong"),
        "--item",
        "div.tin-khac ul.list-news > li",
        "--title",
        "a.title",
        "--link",
        "a.title@href",
        "--date",
        "span.date",
        "--date-format",
        "%d/%m/%Y %H:%M",
    ];
    let (code, stdout) = bantin_async(args.iter().map(|s| s.to_string()).collect()).await;
    assert_eq!(code, Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].contains("2026-11-25 08:15 +07:00"), "{stdout}");
    assert!(lines[0].ends_with("Hậu Giang tiêm bổ sung vắc xin sởi cho hơn 3.000 trẻ em"));
    assert!(
        lines[1]
            .trim()
            .starts_with(&server.url("tin-tuc/hau-giang-tiem"))
    );
    assert!(stdout.contains("\n8 items\n"), "{stdout}");
}

#[tokio::test]
async fn preview_of_a_redesigned_page_says_the_selector_matched_nothing() {
    let server = common::FixtureServer::start(&[]).await;
    server.set("tin-hoat-dong", html_answer("redesigned.html"));
    let url = server.url("tin-hoat-dong");
    let args = [
        "preview",
        "--url",
        &url,
        "--item",
        "div.tin-khac ul.list-news > li",
    ];
    let (code, stdout) = bantin_async(args.iter().map(|s| s.to_string()).collect()).await;
    assert_eq!(code, Some(1));
    assert!(stdout.contains("matched nothing"), "{stdout}");
}

#[tokio::test]
async fn discover_suggests_a_scrape_block_that_preview_accepts() {
    let server = common::FixtureServer::start(&[]).await;
    server.set("tin-hoat-dong", html_answer("tin-khac.html"));
    let url = server.url("tin-hoat-dong");
    let (code, stdout) = bantin_async(vec!["discover".into(), url.clone()]).await;
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("advertises no feed"), "{stdout}");
    let value = |key: &str| -> String {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{key} ")))
            .and_then(|l| l.split('"').nth(1))
            .unwrap_or_else(|| panic!("no {key} in {stdout}"))
            .to_string()
    };
    let (item, title, link) = (value("item"), value("title"), value("link"));
    let args = vec![
        "preview".into(),
        "--url".into(),
        url,
        "--item".into(),
        item,
        "--title".into(),
        title,
        "--link".into(),
        link,
    ];
    let (code, stdout) = bantin_async(args).await;
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("\n8 items\n"), "{stdout}");
}

#[tokio::test]
async fn discover_names_the_feed_a_page_advertises() {
    let server = common::FixtureServer::start(&["portal.rss"]).await;
    server.set(
        "home",
        common::Answer::Feed {
            body: br#"<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/portal.rss"></head><body></body></html>"#.to_vec(),
            content_type: "text/html",
        },
    );
    let (_, stdout) = bantin_async(vec!["discover".into(), server.url("home")]).await;
    assert!(
        stdout.contains(&format!("  {}", server.url("portal.rss"))),
        "{stdout}"
    );
    let (_, stdout) = bantin_async(vec!["discover".into(), server.url("portal.rss")]).await;
    assert!(stdout.contains("is a feed (8 items)"), "{stdout}");
}

#[tokio::test]
async fn preview_of_a_configured_source_uses_its_rules() {
    let server = common::FixtureServer::start(&[]).await;
    server.set("tin-hoat-dong", html_answer("table.html"));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[[source]]\nid = \"longmy\"\nurl = \"{}\"\nallow_private = true\n  [source.scrape]\n  item = \"table.danh-sach-tin tbody tr:has(td.tieude)\"\n  title = \"td.tieude > a, td.tieude > span\"\n  link = \"td.tieude > a@href\"\n  date = \"td.ngay\"\n  date_format = \"%d/%m/%Y %H:%M\"\n",
            server.url("tin-hoat-dong")
        ),
    )
    .unwrap();
    let args = vec![
        "preview".into(),
        "--config".into(),
        config.to_str().unwrap().to_string(),
        "--source".into(),
        "longmy".into(),
    ];
    let (code, stdout) = bantin_async(args).await;
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("\n5 items\n"), "{stdout}");
    assert!(
        stdout.contains("warning: 1 of 6 list entries had no title or link and were skipped"),
        "{stdout}"
    );
}

#[tokio::test]
async fn explain_says_which_rule_decided_each_topic() {
    let setup = Setup::new().await;
    setup.config("");
    let config = setup.config_path().to_str().unwrap().to_string();
    let explain = |guid: &str| {
        vec![
            "explain".to_string(),
            "--config".into(),
            config.clone(),
            "--source".into(),
            "haugiang-portal".into(),
            "--guid".into(),
            guid.to_string(),
        ]
    };
    // pt1: a drug bust; pt7: road works whose lead says "mà tùy", not "ma túy".
    let (code, stdout) = bantin_async(explain(
        "https://haugiang.gov.vn.test/tin-tuc/an-ninh-quoc-phong/triet-pha-diem-mua-ban-trai-phep-chat-ma-tuy-tai-tp-vi-thanh",
    ))
    .await;
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("an-ninh      in: keyword `công an` matched"),
        "{stdout}"
    );
    assert!(
        stdout.contains("y-te         out: no keyword or category matched"),
        "{stdout}"
    );
    assert!(
        stdout.contains("all          in: every story is"),
        "{stdout}"
    );

    let (_, stdout) = bantin_async(explain(
        "https://haugiang.gov.vn.test/tin-tuc/ha-tang/day-nhanh-tien-do-thi-cong-tuyen-duong-noi-vi-thuy-long-my",
    ))
    .await;
    assert!(
        stdout.contains("an-ninh      out: no keyword or category matched"),
        "{stdout}"
    );

    let (code, stdout) = bantin_async(explain("no-such-guid")).await;
    assert_eq!(code, Some(1));
    assert!(stdout.contains("8 items"), "{stdout}");
}

#[tokio::test]
async fn explain_finds_a_relative_link_as_stored_when_the_feed_redirects() {
    let setup = Setup::new().await;
    let server = &setup.server;
    server.set(
        "tin/rss.xml",
        common::Answer::redirect(302, &server.url("moi/rss.xml")),
    );
    server.set(
        "moi/rss.xml",
        common::Answer::rss(common::fixture("../cli/relative-links.rss")),
    );
    setup.config(&format!(
        "\n[[source]]\nid = \"soyte\"\nname = \"soyte\"\nurl = \"{}\"\nallow_private = true\n",
        server.url("tin/rss.xml")
    ));
    // A poll resolves the relative links against the configured address,
    // not the one redirected to: that is the link the feed entry shows.
    let (code, stdout) = bantin_async(vec![
        "explain".into(),
        "--config".into(),
        setup.config_path().to_str().unwrap().into(),
        "--source".into(),
        "soyte".into(),
        "--guid".into(),
        server.url("tin/tiem-vac-xin-soi-cho-tre-em.html"),
    ])
    .await;
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.starts_with("Tiêm vắc xin sởi cho trẻ em tại các trạm y tế xã\n"),
        "{stdout}"
    );
    assert!(stdout.contains("y-te         in: keyword"), "{stdout}");
}

#[tokio::test]
async fn explain_a_stored_story_by_its_feed_id() {
    let setup = Setup::new().await;
    let config = setup.config("");
    let path = setup.config_path().to_str().unwrap().to_string();
    let (code, _) = bantin_async(vec!["poll".into(), "--config".into(), path.clone()]).await;
    assert_eq!(code, Some(0));
    // The drug bust carried by the portal and the police, as a reader's
    // feed shows its id.
    let id = {
        let store = bantin::store::Store::open(&config.store.path).unwrap();
        let copy = store
            .copies()
            .map(Result::unwrap)
            .find(|c| c.title.starts_with("Triệt phá điểm mua bán"))
            .unwrap();
        copy.story.urn()
    };
    let (code, stdout) = bantin_async(vec![
        "explain".into(),
        "--config".into(),
        path.clone(),
        "--story".into(),
        id.clone(),
    ])
    .await;
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.starts_with(&format!("story {id}")), "{stdout}");
    assert!(stdout.contains("topics: all, an-ninh"), "{stdout}");
    assert!(stdout.contains("copies (2,"), "{stdout}");
    assert!(
        stdout.contains("\n  haugiang-portal | Triệt phá"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n  congan-haugiang | Triệt phá"),
        "{stdout}"
    );
    assert!(
        stdout.contains("an-ninh      in: keyword `công an` matched"),
        "{stdout}"
    );

    let (code, stdout) = bantin_async(vec![
        "explain".into(),
        "--config".into(),
        path,
        "--story".into(),
        "urn:uuid:00000000-0000-0000-0000-000000000000".into(),
    ])
    .await;
    assert_eq!(code, Some(1));
    assert_eq!(stdout, "no such story\n");
}
