//! `bantin serve` under a systemd-like supervisor: the notify socket gets
//! READY=1 with a status line, /readyz answers, and SIGTERM ends the
//! process cleanly (exit 0, STOPPING=1) within 10 s.

mod common;

use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Setup;

fn messages(socket: &UnixDatagram, until: impl Fn(&str) -> bool) -> String {
    let mut all = String::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(n) = socket.recv(&mut buf) {
            all.push_str(&String::from_utf8_lossy(&buf[..n]));
            all.push('\n');
            if until(&all) {
                break;
            }
        }
    }
    all
}

#[tokio::test]
async fn serve_notifies_ready_and_stops_cleanly_on_sigterm() {
    let setup = Setup::new().await;
    setup.config("");
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();

    let mut daemon = Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(["serve", "--config", setup.config_path().to_str().unwrap()])
        .env("NOTIFY_SOCKET", &socket_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    let ready = tokio::task::spawn_blocking({
        let socket = socket.try_clone().unwrap();
        move || messages(&socket, |m| m.contains("READY=1"))
    })
    .await
    .unwrap();
    assert!(ready.contains("READY=1"), "{ready}");
    let addr = ready
        .split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {ready}"))
        .to_string();
    assert!(ready.contains("STATUS=6 sources"), "{ready}");
    let (status, _, body) = common::get(&format!("http://{addr}/readyz"), &[]).await;
    assert_eq!((status, &body[..]), (200, &b"ready\n"[..]));

    let asked = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let stopping =
        tokio::task::spawn_blocking(move || messages(&socket, |m| m.contains("STOPPING=1")))
            .await
            .unwrap();
    assert!(stopping.contains("STOPPING=1"), "{stopping}");
    let exit = tokio::task::spawn_blocking(move || daemon.wait().unwrap())
        .await
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "{:?}",
        asked.elapsed()
    );
}
