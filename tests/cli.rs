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
