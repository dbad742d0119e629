//! OPML as an operator uses it (issue #13): `bantin sources --opml` for a
//! feed reader, and `bantin import-opml` from one, run as the binary.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use bantin::config::Config;
use common::Setup;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/opml");

fn bantin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(args)
        .output()
        .expect("run bantin")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A feeds.toml with one topic and, already, the ministry's main feed as
/// `bo-y-te`.
const CONFIGURED: &str = r#"[server]
listen = "127.0.0.1:0"

[[topic]]
slug = "y-te"
title = "Y tế"
keywords = ["y tế"]

[[source]]
id = "bo-y-te"
name = "Bộ Y tế"
url = "https://moh.gov.vn.test/rss/tin-noi-bat.rss"
"#;

fn check(path: &Path) -> Output {
    bantin(&["check", "--config", path.to_str().unwrap()])
}

/// (id, name, url) of every configured source.
fn sources(path: &Path) -> Vec<(String, String, String)> {
    let config = Config::load(path).unwrap_or_else(|e| panic!("{e}"));
    config
        .sources
        .iter()
        .map(|s| (s.id.clone(), s.name.clone(), s.url.to_string()))
        .collect()
}

#[test]
fn import_opml_of_a_reader_export_gives_blocks_that_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, CONFIGURED).unwrap();
    let opml = format!("{FIXTURES}/reader-export-nested-folders.opml");
    let out = bantin(&["import-opml", &opml, "--config", config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let blocks = text(&out.stdout);
    let notes = text(&out.stderr);

    // Pasted into feeds.toml as printed, the file passes `check`.
    std::fs::write(&config, format!("{CONFIGURED}{blocks}")).unwrap();
    let checked = check(&config);
    assert!(
        checked.status.success(),
        "{}\n{blocks}",
        text(&checked.stderr)
    );
    assert_eq!(
        sources(&config),
        [
            (
                "bo-y-te",
                "Bộ Y tế",
                "https://moh.gov.vn.test/rss/tin-noi-bat.rss"
            ),
            (
                "bo-cong-an-tin-tuc-su-kien",
                "Bộ Công an – Tin tức & Sự kiện",
                "https://bocongan.gov.vn.test/rss/tin-tuc.rss"
            ),
            (
                "cong-ttdt-tinh-dak-lak",
                "Cổng TTĐT tỉnh Đắk Lắk",
                "https://daklak.gov.vn.test/rss/tin-tuc.rss"
            ),
            (
                "bo-y-te-2",
                "Bộ Y tế",
                "https://moh.gov.vn.test/rss/chi-dao-dieu-hanh.rss"
            ),
            (
                "baohaugiang-com-vn-test",
                "★★★",
                "https://www.baohaugiang.com.vn.test/rss/home.rss"
            ),
        ]
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
    // Each feed left out or renamed is said, once.
    for note in [
        "skipped https://moh.gov.vn.test/rss/tin-noi-bat.rss: configured already as `bo-y-te`",
        "id `bo-y-te` is taken, proposed as `bo-y-te-2`",
        "skipped feed://podcast.test/feed: not http or https",
    ] {
        assert!(notes.contains(note), "{note}:\n{notes}");
    }
    assert_eq!(notes.lines().count(), 4, "{notes}");
}

#[test]
fn import_opml_append_adds_once_and_only_what_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, CONFIGURED).unwrap();
    let opml = format!("{FIXTURES}/reader-export-nested-folders.opml");
    let target = config.to_str().unwrap();

    let out = bantin(&["import-opml", &opml, "--append", target]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("appended 4 sources to {target}\n")
    );
    assert!(check(&config).status.success());
    assert_eq!(sources(&config).len(), 5);
    let appended = std::fs::read_to_string(&config).unwrap();
    assert!(appended.starts_with(CONFIGURED));

    // Again: every feed is configured now, and the file stays as it is.
    let out = bantin(&["import-opml", &opml, "--append", target]);
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("no new source"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), appended);

    // A file `check` refuses is not appended to.
    let broken = format!("{CONFIGURED}\n[poll]\nevery = \"15 phút\"\n");
    std::fs::write(&config, &broken).unwrap();
    let out = bantin(&["import-opml", &opml, "--append", target]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("feeds.toml:"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), broken);
}

#[test]
fn import_opml_refuses_a_file_that_is_not_opml() {
    let dir = tempfile::tempdir().unwrap();
    let not_opml = dir.path().join("feed.xml");
    std::fs::write(&not_opml, "<rss version=\"2.0\"><channel/></rss>").unwrap();
    let out = bantin(&["import-opml", not_opml.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not an OPML file"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn sources_opml_round_trips_through_import_opml() {
    let setup = Setup::new().await;
    std::fs::write(setup.config_path(), setup.config_text("")).unwrap();
    let config = setup.config_path();
    let out = bantin(&["sources", "--opml", "--config", config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let exported = setup.dir.path().join("sources.opml");
    std::fs::write(&exported, &out.stdout).unwrap();

    // Into a feeds.toml of topics only: every source comes back, under
    // its name and URL, and `check` accepts the result.
    let fresh = setup.dir.path().join("fresh.toml");
    std::fs::write(&fresh, common::TOPICS).unwrap();
    let out = bantin(&[
        "import-opml",
        exported.to_str().unwrap(),
        "--append",
        fresh.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(check(&fresh).status.success());
    let names_and_urls = |path: &Path| -> Vec<(String, String)> {
        sources(path).into_iter().map(|(_, n, u)| (n, u)).collect()
    };
    assert_eq!(names_and_urls(&fresh), names_and_urls(&config));
    assert_eq!(names_and_urls(&fresh).len(), common::SOURCES.len());

    // Into the feeds.toml it came from: nothing new.
    let out = bantin(&[
        "import-opml",
        exported.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "");
    assert_eq!(text(&out.stderr).lines().count(), common::SOURCES.len());
}

#[tokio::test]
async fn sources_lists_each_id_name_and_url() {
    let setup = Setup::new().await;
    std::fs::write(setup.config_path(), setup.config_text("")).unwrap();
    let out = bantin(&["sources", "--config", setup.config_path().to_str().unwrap()]);
    assert!(out.status.success());
    let listed = text(&out.stdout);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), common::SOURCES.len());
    assert_eq!(
        lines[0],
        format!(
            "haugiang-portal\thaugiang-portal\t{}",
            setup.server.url("portal.rss")
        )
    );
}
