//! The daemon as `bantin serve` runs it: scheduler, pipeline, store and
//! HTTP server together, on 127.0.0.1:0.

mod common;

use std::time::Duration;

use common::{Setup, get};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Reads `/feeds/all.atom` until it holds `want` entries (bounded: 10 s).
async fn wait_for_entries(addr: std::net::SocketAddr, want: usize) -> feed_rs::model::Feed {
    for _ in 0..100 {
        let (status, _, body) = get(&format!("http://{addr}/feeds/all.atom"), &[]).await;
        if status == 200 {
            let feed = feed_rs::parser::parse(&body[..]).unwrap();
            if feed.entries.len() == want {
                return feed;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("/feeds/all.atom never reached {want} entries");
}

#[tokio::test]
async fn daemon_polls_on_start_serves_feeds_and_stops_cleanly() {
    let setup = Setup::new().await;
    let config = setup.config("");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let daemon = tokio::spawn(bantin::daemon::run(
        config.clone(),
        listener,
        shutdown.clone(),
    ));

    let feed = wait_for_entries(addr, 27).await;
    let ids: Vec<String> = feed.entries.iter().map(|e| e.id.clone()).collect();
    let (status, _, body) = get(&format!("http://{addr}/healthz"), &[]).await;
    assert_eq!((status, &body[..]), (200, &b"ok\n"[..]));
    let (_, _, page) = get(&format!("http://{addr}/"), &[]).await;
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert_eq!(page.matches("fetched: ").count(), 6, "{page}");

    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), daemon)
        .await
        .expect("stops within 10 s")
        .unwrap()
        .unwrap();

    // Restarted on the same store: the feed is served at once, before any
    // poll (the schedule says the sources are not due), with the same ids.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let seen_before = setup.server.seen().len();
    let daemon = tokio::spawn(bantin::daemon::run(config, listener, shutdown.clone()));
    let feed = wait_for_entries(addr, 27).await;
    let again: Vec<String> = feed.entries.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, again);
    assert_eq!(
        setup.server.seen().len(),
        seen_before,
        "no source was due yet"
    );
    shutdown.cancel();
    daemon.await.unwrap().unwrap();
}
