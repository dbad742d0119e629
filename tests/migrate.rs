//! `bantin migrate`: a sled store, as a bantin before redb left it, moved
//! to redb in place. What an operator checks: every story, copy, source
//! state and poll history is there after, the next poll finds nothing new
//! (the sources' validators came along), and a migration cut off or run
//! against a live daemon leaves the sled store as it was.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use bantin::config::Config;
use bantin::store::Store;
use common::{Answer, Setup};

fn bantin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs the binary off the async threads, so the fixture server in this
/// process keeps answering it.
async fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        bantin(&args)
    })
    .await
    .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Writes the setup's feeds.toml, its store on `engine` if given.
fn write_config(setup: &Setup, engine: Option<&str>) -> String {
    let mut text = setup.config_text("");
    if let Some(engine) = engine {
        text = text.replacen(
            "keep_days = 36500\n",
            &format!("keep_days = 36500\nengine = \"{engine}\"\n"),
            1,
        );
    }
    std::fs::write(setup.config_path(), text).unwrap();
    setup.config_path().to_str().unwrap().to_string()
}

/// Each configured source's state and kept polls, as JSON to compare.
fn states_and_history(config: &str) -> Vec<(String, String, String)> {
    let config = Config::load(Path::new(config)).unwrap();
    let store = Store::open_configured(&config.store).unwrap();
    let all = config
        .sources
        .iter()
        .map(|s| {
            let state = store.source_state(&s.id).unwrap();
            let polls = store.poll_records(&s.id).unwrap();
            (
                s.id.clone(),
                serde_json::to_string(&state).unwrap(),
                serde_json::to_string(&polls).unwrap(),
            )
        })
        .collect();
    store.close(bantin::store::CLOSE_WITHIN).unwrap();
    all
}

/// A sled store with what a few polls leave: stories, copies, states
/// with validators, a failing source's history.
async fn polled_sled_store(setup: &Setup) -> String {
    setup.server.set("police.rss", Answer::Status(503));
    let config = write_config(setup, Some("sled"));
    for _ in 0..2 {
        let (code, out, err) = run(&["poll", "--config", &config]).await;
        assert_eq!(code, Some(1), "the 503 source fails: {out}{err}");
    }
    let store = setup.dir.path().join("store");
    assert!(store.join("db").is_file(), "a sled store");
    assert!(!store.join("store.redb").exists());
    config
}

#[tokio::test]
async fn a_sled_store_moved_to_redb_keeps_its_stories_states_and_history() {
    let setup = Setup::new().await;
    let config = polled_sled_store(&setup).await;
    let (_, before, _) = run(&["export", "--config", &config]).await;
    assert!(before.lines().count() > 10, "{before}");
    let states_before = states_and_history(&config);
    assert!(
        states_before
            .iter()
            .any(|(_, _, polls)| polls.contains("503")),
        "{states_before:?}"
    );

    let (code, out, err) = run(&["migrate", "--config", &config]).await;
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("moved ") && out.contains("to redb"), "{out}");
    let store = setup.dir.path().join("store");
    assert!(store.join("store.redb").is_file());
    assert!(!store.join("db").exists(), "sled's files are moved aside");
    assert!(store.join("sled-before-migration/db").is_file());
    assert!(!store.join(".migrating").exists());

    // The configuration still asks for sled: refused, with what to do.
    let (code, _, err) = run(&["export", "--config", &config]).await;
    assert_eq!(code, Some(1));
    assert!(
        err.contains("holds a redb store") && err.contains("asks for sled"),
        "{err}"
    );
    let config = write_config(&setup, None);
    let (code, after, err) = run(&["export", "--config", &config]).await;
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(after, before, "the same stories and copies, byte for byte");
    assert_eq!(states_and_history(&config), states_before);

    // The next poll sends the validators it had: nothing new, nothing twice.
    let (_, polled, _) = run(&["poll", "--config", &config]).await;
    assert!(
        polled
            .lines()
            .filter(|l| !l.starts_with("congan-haugiang"))
            .all(|l| l.contains("not modified")
                || l.contains(", 0 new copies, 0 updated, 0 new stories")),
        "{polled}"
    );
    let (_, again, _) = run(&["export", "--config", &config]).await;
    assert_eq!(again, before);

    let (code, out, _) = run(&["migrate", "--config", &config]).await;
    assert_eq!(code, Some(0));
    assert!(out.contains("nothing to move"), "{out}");
}

#[tokio::test]
async fn a_migration_cut_off_or_refused_leaves_the_sled_store_as_it_was() {
    let setup = Setup::new().await;
    let config = polled_sled_store(&setup).await;
    let (_, before, _) = run(&["export", "--config", &config]).await;
    let store = setup.dir.path().join("store");

    // A daemon holds the store: refused, and nothing written.
    let held = Store::open_configured(&Config::load(Path::new(&config)).unwrap().store).unwrap();
    let (code, _, err) = run(&["migrate", "--config", &config]).await;
    assert_eq!(code, Some(1));
    assert!(err.contains("in use by a running bantin"), "{err}");
    assert!(!store.join("store.redb").exists() && !store.join(".migrating").exists());
    held.close(bantin::store::CLOSE_WITHIN).unwrap();
    drop(held);

    // A run cut off before its switch left a part-written file behind:
    // the store is still sled's, and the next run starts over.
    std::fs::create_dir_all(store.join(".migrating")).unwrap();
    std::fs::write(store.join(".migrating/store.redb"), b"cut off midway").unwrap();
    let (code, again, err) = run(&["export", "--config", &config]).await;
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(again, before);
    let (code, out, err) = run(&["migrate", "--config", &config]).await;
    assert_eq!(code, Some(0), "{out}{err}");
    let config = write_config(&setup, None);
    let (_, after, _) = run(&["export", "--config", &config]).await;
    assert_eq!(after, before);
}
