//! Live reload: a change of feeds.toml on disk, and SIGHUP, put the new
//! configuration in force without a restart; a broken file is rejected
//! with its line and column on the status page, and the daemon goes on
//! with the configuration it had.

mod common;

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use common::{Setup, get};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The ids of the sources `/status.json` lists.
async fn listed_sources(addr: SocketAddr) -> Vec<String> {
    let (_, _, body) = get(&format!("http://{addr}/status.json"), &[]).await;
    let statuses: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap();
    statuses
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// Polls `check` every 100 ms until it holds (bounded: 15 s).
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, check: impl Fn() -> F) {
    for _ in 0..150 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never happened: {what}");
}

async fn entries(addr: SocketAddr, topic: &str) -> usize {
    let (status, _, body) = get(&format!("http://{addr}/feeds/{topic}.atom"), &[]).await;
    if status != 200 {
        return 0;
    }
    feed_rs::parser::parse(&body[..]).map_or(0, |f| f.entries.len())
}

/// feeds.toml without the `[[source]]` block of `id`.
fn without(text: &str, id: &str) -> String {
    let mut blocks: Vec<&str> = text.split("\n[[source]]").collect();
    let head = blocks.remove(0);
    let kept: Vec<&str> = blocks
        .into_iter()
        .filter(|b| !b.contains(&format!("id = \"{id}\"")))
        .collect();
    let mut out = head.to_string();
    for block in kept {
        out.push_str("\n[[source]]");
        out.push_str(block);
    }
    out
}

#[tokio::test]
async fn a_changed_file_is_put_in_force_and_a_broken_one_rejected() {
    let setup = Setup::new().await;
    let full = setup.config_text("");
    let config = setup.config("");
    std::fs::write(setup.config_path(), without(&full, "vithanh")).unwrap();
    let config = std::sync::Arc::new(bantin::config::Config::load(&config.path).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let daemon = tokio::spawn(bantin::daemon::run(config, listener, shutdown.clone()));
    eventually("five sources polled", || async {
        let (_, _, page) = get(&format!("http://{addr}/"), &[]).await;
        String::from_utf8_lossy(&page).matches("fetched: ").count() == 5
    })
    .await;
    let before = entries(addr, "all").await;

    // A source added: it is polled, and its stories join the feeds.
    std::fs::write(setup.config_path(), &full).unwrap();
    eventually("the added source listed", || async {
        listed_sources(addr).await.contains(&"vithanh".to_string())
    })
    .await;
    eventually("the added source's stories served", || async {
        entries(addr, "all").await == 27
    })
    .await;
    assert!(before < 27);

    // A source removed: no longer polled or listed; its stories stay.
    std::fs::write(setup.config_path(), without(&full, "bvdk-haugiang")).unwrap();
    eventually("the removed source gone from the list", || async {
        !listed_sources(addr)
            .await
            .contains(&"bvdk-haugiang".to_string())
    })
    .await;
    assert_eq!(entries(addr, "all").await, 27);
    setup.server.forget_seen();

    // A typo: rejected with line and column, the running config stays.
    let broken =
        without(&full, "bvdk-haugiang").replacen("[poll]\n", "[poll]\nevery = \"15 phút\"\n", 1);
    std::fs::write(setup.config_path(), &broken).unwrap();
    let line = broken.lines().position(|l| l.contains("15 phút")).unwrap() + 1;
    let error = format!("feeds.toml:{line}:9: `15 phút` is not a duration");
    eventually("the error on the status page", || async {
        let (_, _, page) = get(&format!("http://{addr}/"), &[]).await;
        let page = String::from_utf8_lossy(&page).into_owned();
        page.contains(&error) && page.contains("was not loaded")
    })
    .await;
    assert_eq!(listed_sources(addr).await.len(), 5);
    assert_eq!(entries(addr, "all").await, 27);

    // Fixed, with a new topic and a new listen address: the topic is
    // served, the address change waits for a restart.
    let fixed = without(&full, "bvdk-haugiang").replacen(
        "listen = \"127.0.0.1:0\"",
        "listen = \"127.0.0.1:1\"",
        1,
    ) + "\n[[topic]]\nslug = \"giao-thong\"\ntitle = \"Giao thông\"\nkeywords = [\"giao thông\"]\n";
    std::fs::write(setup.config_path(), &fixed).unwrap();
    eventually("the new topic served", || async {
        get(&format!("http://{addr}/feeds/giao-thong.atom"), &[])
            .await
            .0
            == 200
    })
    .await;
    let (_, _, page) = get(&format!("http://{addr}/"), &[]).await;
    let page = String::from_utf8_lossy(&page).into_owned();
    assert!(!page.contains("was not loaded"), "{page}");
    assert!(
        page.contains("`listen` changed from 127.0.0.1:0 to 127.0.0.1:1: restart bantin"),
        "{page}"
    );
    assert!(
        setup
            .server
            .seen()
            .iter()
            .all(|s| s.path != "/hospital.json"),
        "the removed source is not polled"
    );

    shutdown.cancel();
    daemon.await.unwrap().unwrap();
}

#[tokio::test]
async fn sighup_reloads_the_running_daemon() {
    let setup = Setup::new().await;
    setup.config("");
    let path = setup.config_path();
    // As under systemd: journald stamps each line itself.
    let common::Daemon {
        child: mut daemon,
        mut lines,
        addr,
        serving,
    } = common::start_daemon(&path, &[("JOURNAL_STREAM", "8:12345")]).await;
    // No second timestamp for the journal, no colours in a file.
    assert!(serving.trim_start().starts_with("INFO"), "{serving}");
    assert!(!serving.contains('\u{1b}'), "{serving:?}");

    // Same length, same modification time: only SIGHUP can tell.
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    // Written aside with the old time, then renamed over: the watcher,
    // which looks every 2 s, must never see the new time in between.
    let aside = path.with_extension("toml.new");
    std::fs::write(
        &aside,
        text.replacen("title    = \"Y tế\"", "title    = \"Y TẾ\"", 1),
    )
    .unwrap();
    std::fs::File::options()
        .write(true)
        .open(&aside)
        .unwrap()
        .set_modified(before)
        .unwrap();
    std::fs::rename(&aside, &path).unwrap();
    let kill = Command::new("kill")
        .args(["-HUP", &daemon.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let reloaded = common::wait_for_line(&mut lines, "configuration reloaded").await;
    assert!(reloaded.contains("SIGHUP"), "{reloaded}");
    let (_, _, body) = get(&format!("http://{addr}/feeds/y-te.atom"), &[]).await;
    let feed = feed_rs::parser::parse(&body[..]).unwrap();
    assert_eq!(feed.title.unwrap().content, "Y TẾ");

    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let exit = tokio::task::spawn_blocking(move || daemon.wait().unwrap())
        .await
        .unwrap();
    assert!(exit.success(), "{exit:?}");
}

#[tokio::test]
async fn a_store_path_switched_away_and_back_needs_no_restart() {
    let setup = Setup::new().await;
    let config = setup.config("");
    let original = std::fs::read_to_string(setup.config_path()).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let daemon = tokio::spawn(bantin::daemon::run(config, listener, shutdown.clone()));
    let page = || async {
        let (_, _, page) = get(&format!("http://{addr}/"), &[]).await;
        String::from_utf8_lossy(&page).into_owned()
    };
    // The watcher has read the file as it was at start once this is served.
    eventually("the fixtures served", || async {
        entries(addr, "all").await == 27
    })
    .await;

    let away = original.replacen("path = \"store\"", "path = \"elsewhere\"", 1);
    std::fs::write(setup.config_path(), &away).unwrap();
    eventually("the restart notice", || async {
        page().await.contains("`[store] path` changed to")
    })
    .await;

    // Back to the path in force, with a topic renamed to see the reload.
    let back = original.replacen("title    = \"Y tế\"", "title    = \"Y TẾ\"", 1);
    std::fs::write(setup.config_path(), &back).unwrap();
    eventually("the second reload in force", || async {
        let (_, _, body) = get(&format!("http://{addr}/feeds/y-te.atom"), &[]).await;
        feed_rs::parser::parse(&body[..]).is_ok_and(|f| f.title.unwrap().content == "Y TẾ")
    })
    .await;
    let page = page().await;
    assert!(!page.contains("restart bantin"), "{page}");

    shutdown.cancel();
    daemon.await.unwrap().unwrap();
}
