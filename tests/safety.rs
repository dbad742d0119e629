//! Issue #6, safety: a source may not reach loopback, private or
//! link-local addresses unless it says `allow_private = true`.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use bantin::config::Config;
use bantin::pipeline::Pipeline;
use bantin::status::PollResult;
use bantin::store::Store;
use common::{Answer, FixtureServer, get};

/// A pipeline over `sources` (feeds.toml text), with no politeness gaps.
fn pipeline(dir: &tempfile::TempDir, sources: &str) -> Arc<Pipeline> {
    let path = dir.path().join("feeds.toml");
    std::fs::write(
        &path,
        format!(
            "[store]\npath = \"store\"\n[poll]\ntimeout = \"5s\"\nhost_gap = \"0s\"\n{sources}"
        ),
    )
    .unwrap();
    let config = Arc::new(Config::load(&path).unwrap_or_else(|e| panic!("{e}")));
    let store = Store::open(&config.store.path).unwrap();
    Pipeline::new(config, store).unwrap()
}

async fn poll_all(pipeline: &Arc<Pipeline>) -> HashMap<String, PollResult> {
    pipeline
        .poll_all()
        .await
        .into_iter()
        .map(|r| (r.source, r.result))
        .collect()
}

/// A fixture server answering the portal feed on `/guarded.rss` and
/// `/lan.rss`.
async fn portal_server() -> FixtureServer {
    let server = FixtureServer::start(&[]).await;
    for path in ["guarded.rss", "lan.rss"] {
        server.set(path, Answer::file("portal.rss"));
    }
    server
}

fn paths_seen(server: &FixtureServer) -> Vec<String> {
    server.seen().into_iter().map(|s| s.path).collect()
}

#[tokio::test]
async fn loopback_source_is_refused_before_any_request_unless_it_allows_private() {
    let server = portal_server().await;
    let guarded = server.url("guarded.rss");
    let dir = tempfile::tempdir().unwrap();
    let pipeline = pipeline(
        &dir,
        &format!(
            "[[source]]\nid = \"guarded\"\nurl = \"{guarded}\"\n\n\
             [[source]]\nid = \"lan\"\nurl = \"{}\"\nallow_private = true\n",
            server.url("lan.rss")
        ),
    );
    let results = poll_all(&pipeline).await;

    let expected = format!(
        "fetch: {guarded}: 127.0.0.1 is a loopback address; set allow_private = true on the source to allow it"
    );
    assert_eq!(
        results["guarded"],
        PollResult::Failed {
            kind: "refused".into(),
            message: expected.clone(),
        }
    );
    assert!(
        matches!(results["lan"], PollResult::Fetched { .. }),
        "{:?}",
        results["lan"]
    );
    assert_eq!(paths_seen(&server), ["/lan.rss"]);

    // Shown like any other fetch error.
    let served = common::serve(Arc::clone(&pipeline)).await;
    let (_, _, page) = get(&format!("http://{}/", served.addr), &[]).await;
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(page.contains("set allow_private = true"), "{page}");
    let status = pipeline
        .statuses()
        .into_iter()
        .find(|s| s.id == "guarded")
        .unwrap();
    assert_eq!(status.error_kind.as_deref(), Some("refused"));
    assert_eq!(status.state, "failing");
    served.stop().await;
}

#[tokio::test]
async fn name_that_resolves_to_loopback_is_refused_when_connecting() {
    let server = portal_server().await;
    let port = server.addr.port();
    let dir = tempfile::tempdir().unwrap();
    let pipeline = pipeline(
        &dir,
        &format!(
            "[[source]]\nid = \"guarded\"\nurl = \"http://localhost:{port}/guarded.rss\"\n\n\
             [[source]]\nid = \"lan\"\nurl = \"http://localhost:{port}/lan.rss\"\nallow_private = true\n"
        ),
    );
    let results = poll_all(&pipeline).await;

    let PollResult::Failed { kind, message } = &results["guarded"] else {
        panic!("{:?}", results["guarded"]);
    };
    assert_eq!(kind, "refused");
    // localhost may answer ::1 or 127.0.0.1 first: either is loopback.
    assert!(
        message.starts_with(&format!(
            "fetch: http://localhost:{port}/guarded.rss: localhost resolves to "
        )) && message
            .ends_with(", a loopback address; set allow_private = true on the source to allow it"),
        "{message}"
    );
    assert!(
        matches!(results["lan"], PollResult::Fetched { .. }),
        "{:?}",
        results["lan"]
    );
    assert_eq!(paths_seen(&server), ["/lan.rss"]);
}
