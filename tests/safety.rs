//! Issue #6, safety. A source may not reach loopback, private or
//! link-local addresses unless it says `allow_private = true`; bantin's own
//! server refuses what its routes never need (bodies, long request
//! targets, large heads, heads that never finish) and goes on serving.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bantin::config::Config;
use bantin::model::PollResult;
use bantin::pipeline::Pipeline;
use bantin::store::Store;
use common::{Answer, FixtureServer, get};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
    bantin::scheduler::poll_all(pipeline)
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
    let status = bantin::status::statuses(&pipeline.config(), &pipeline.store)
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

/// bantin's server over a pipeline with no source.
async fn served() -> (tempfile::TempDir, common::Served) {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = pipeline(&dir, "");
    let served = common::serve(pipeline).await;
    (dir, served)
}

/// Sends `head`, then `body` from another task (the server may answer
/// before it has all of it), and returns the response's status line.
async fn status_line(addr: SocketAddr, head: String, body: Vec<u8>) -> String {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(head.as_bytes()).await.unwrap();
    let sending = tokio::spawn(async move {
        // The server may close before taking it all: that is its answer.
        let _ = writer.write_all(&body).await;
        writer
    });
    let mut response = Vec::new();
    let mut buf = [0u8; 1024];
    while !response.windows(2).any(|w| w == b"\r\n") {
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
        }
    }
    drop(sending);
    let text = String::from_utf8_lossy(&response);
    text.lines().next().unwrap_or_default().to_string()
}

async fn still_serving(addr: SocketAddr) {
    let (status, _, body) = get(&format!("http://{addr}/healthz"), &[]).await;
    assert_eq!((status, &body[..]), (200, &b"ok\n"[..]));
}

#[tokio::test]
async fn request_with_a_mebibyte_body_is_refused_with_413() {
    let (_dir, served) = served().await;
    let head = "GET /healthz HTTP/1.1\r\nHost: bantin.test\r\nContent-Length: 1048576\r\n\r\n";
    let line = status_line(served.addr, head.to_string(), vec![b'x'; 1 << 20]).await;
    assert!(line.starts_with("HTTP/1.1 413"), "{line}");
    still_serving(served.addr).await;
    served.stop().await;
}

#[tokio::test]
async fn chunked_body_without_a_length_is_refused_with_413() {
    let (_dir, served) = served().await;
    let head = "GET / HTTP/1.1\r\nHost: bantin.test\r\nTransfer-Encoding: chunked\r\n\r\n";
    let mut body = format!("{:x}\r\n", 1 << 20).into_bytes();
    body.extend(vec![b'x'; 1 << 20]);
    body.extend_from_slice(b"\r\n0\r\n\r\n");
    let line = status_line(served.addr, head.to_string(), body).await;
    assert!(line.starts_with("HTTP/1.1 413"), "{line}");
    still_serving(served.addr).await;
    served.stop().await;
}

#[tokio::test]
async fn overlong_request_target_is_refused_with_414() {
    let (_dir, served) = served().await;
    let slug = "y".repeat(3000);
    let (status, _, _) = get(&format!("http://{}/feeds/{slug}.atom", served.addr), &[]).await;
    assert_eq!(status, 414);
    let (status, _, _) = get(&format!("http://{}/nowhere/{slug}", served.addr), &[]).await;
    assert_eq!(status, 414, "unknown paths too");
    still_serving(served.addr).await;
    served.stop().await;
}

#[tokio::test]
async fn oversized_request_head_is_refused_with_431() {
    let (_dir, served) = served().await;
    let padding = "x".repeat(20 * 1024);
    let (status, _, _) = get(
        &format!("http://{}/", served.addr),
        &[("x-padding", &padding)],
    )
    .await;
    assert_eq!(status, 431);
    still_serving(served.addr).await;
    served.stop().await;
}

/// Time is paused: the server's 10 s head timeout passes at once.
#[tokio::test(start_paused = true)]
async fn client_that_never_finishes_its_head_is_disconnected() {
    let (_dir, served) = served().await;
    let mut stream = TcpStream::connect(served.addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: bantin.test\r\n")
        .await
        .unwrap();
    let started = tokio::time::Instant::now();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(60), stream.read(&mut buf))
        .await
        .expect("the server closes the connection");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(10) && waited < Duration::from_secs(20),
        "{waited:?}"
    );
    served.stop().await;
}

#[tokio::test]
async fn any_request_body_is_refused_with_413_even_a_small_one() {
    let (_dir, served) = served().await;
    for (length, body) in [("1", b"x".to_vec()), ("1000", vec![b'x'; 1000])] {
        let head = format!(
            "GET /healthz HTTP/1.1\r\nHost: bantin.test\r\nContent-Length: {length}\r\n\r\n"
        );
        let line = status_line(served.addr, head, body).await;
        assert!(line.starts_with("HTTP/1.1 413"), "{length}: {line}");
    }
    let head = "POST / HTTP/1.1\r\nHost: bantin.test\r\nTransfer-Encoding: chunked\r\n\r\n";
    let line = status_line(
        served.addr,
        head.to_string(),
        b"3\r\nabc\r\n0\r\n\r\n".to_vec(),
    )
    .await;
    assert!(line.starts_with("HTTP/1.1 413"), "chunked: {line}");
    // Answered at once, without waiting for a body that never comes.
    let head = "POST / HTTP/1.1\r\nHost: bantin.test\r\nContent-Length: 100\r\n\r\n";
    let line = tokio::time::timeout(
        Duration::from_secs(5),
        status_line(served.addr, head.to_string(), Vec::new()),
    )
    .await
    .expect("answered without the body");
    assert!(line.starts_with("HTTP/1.1 413"), "never sent: {line}");
    // An empty body is no body.
    let head = "GET /healthz HTTP/1.1\r\nHost: bantin.test\r\nContent-Length: 0\r\n\r\n";
    let line = status_line(served.addr, head.to_string(), Vec::new()).await;
    assert!(line.starts_with("HTTP/1.1 200"), "empty: {line}");
    still_serving(served.addr).await;
    served.stop().await;
}
