//! Stopping `bantin serve`: SIGTERM drains for at most `[server]
//! shutdown_timeout`, a second signal stops at once, and either way the
//! store keeps what was stored. Run on the real binary, with a source
//! that never answers and a client that never finishes its request.

mod common;

use std::net::SocketAddr;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::{Daemon, Setup, exit_within, get, raw_server, signal, start_daemon, wait_for_line};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// `bantin serve` on `setup`'s config, with `server` settings added and
/// a source whose server reads the request and never answers.
async fn start(setup: &Setup, server: &str) -> Daemon {
    let hung = raw_server(b"", true).await;
    let extra = format!(
        "\n[[source]]\nid = \"hung\"\nname = \"hung\"\nurl = \"http://{hung}/feed.xml\"\nallow_private = true\n"
    );
    // The hung source's poll must still be waiting when the stop comes.
    let text = setup
        .config_text_with("timeout = \"600s\"\n", &extra)
        .replacen("[server]\n", &format!("[server]\n{server}\n"), 1);
    std::fs::write(setup.config_path(), text).unwrap();
    start_daemon(&setup.config_path(), &[]).await
}

/// Waits until the topic feed `all` has `want` entries (bounded: 20 s).
async fn wait_for_entries(addr: SocketAddr, want: usize) {
    for _ in 0..200 {
        let (status, _, body) = get(&format!("http://{addr}/feeds/all.atom"), &[]).await;
        if status == 200 && feed_rs::parser::parse(&body[..]).unwrap().entries.len() == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("/feeds/all.atom never reached {want} entries");
}

/// A request whose head never ends (the server waits up to its 10 s head
/// timeout). A declared body that never comes no longer holds anything:
/// any body is refused at once with 413.
async fn slow_client(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: bantin\r\n")
        .await
        .unwrap();
    stream
}

/// Waits for the process to end (bounded: 60 s, then it is killed).
async fn exit_of(child: Child) -> std::process::ExitStatus {
    exit_within(child, 60).await
}

/// The stories `bantin export` finds in the store.
fn exported_stories(setup: &Setup) -> usize {
    let out = Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(["export", "--config", setup.config_path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().lines().count()
}

#[tokio::test]
async fn sigterm_waits_for_a_slow_client_no_longer_than_shutdown_timeout() {
    let setup = Setup::new().await;
    let mut daemon = start(&setup, "shutdown_timeout = \"2s\"").await;
    wait_for_entries(daemon.addr, 27).await;
    let _client = slow_client(daemon.addr).await;
    // The request is in the server's hands before the stop begins.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let asked = Instant::now();
    signal(&daemon.child, "TERM");
    wait_for_line(&mut daemon.lines, "shutdown_timeout passed").await;
    let status = exit_of(daemon.child).await;
    let took = asked.elapsed();
    assert!(status.success(), "{status:?}");
    // The client held the drain until the deadline, and only until then.
    assert!(took >= Duration::from_secs(2), "stopped after {took:?}");
    assert_eq!(exported_stories(&setup), 27);
}

#[tokio::test]
async fn a_second_signal_ends_the_drain_at_once() {
    let setup = Setup::new().await;
    let mut daemon = start(&setup, "shutdown_timeout = \"1h\"").await;
    wait_for_entries(daemon.addr, 27).await;
    let _client = slow_client(daemon.addr).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    signal(&daemon.child, "TERM");
    wait_for_line(&mut daemon.lines, "stopping: finishing").await;
    // The drain would wait an hour for the client: the second signal
    // must not.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        daemon.child.try_wait().unwrap().is_none(),
        "exited before the second signal"
    );
    signal(&daemon.child, "INT");
    wait_for_line(&mut daemon.lines, "second signal").await;
    let status = exit_of(daemon.child).await;
    assert!(status.success(), "{status:?}");
    assert_eq!(exported_stories(&setup), 27);
}
