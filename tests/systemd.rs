//! `bantin serve` under a systemd-like supervisor: the notify socket gets
//! READY=1 with a status line, /readyz answers, SIGTERM ends the process
//! cleanly (exit 0, STOPPING=1) within 10 s, and SIGHUP (the unit's
//! `ExecReload`) does not end it.

mod common;

use std::os::unix::net::UnixDatagram;
use std::process::{Child, Command, Stdio};
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

/// `bantin serve` on the fixture sources, with a notify socket standing
/// in for systemd's; returns once the daemon said READY=1, with its
/// address.
struct UnderSystemd {
    daemon: Child,
    socket: UnixDatagram,
    addr: String,
    ready: String,
    _setup: Setup,
    _dir: tempfile::TempDir,
}

impl UnderSystemd {
    async fn start(stderr: Stdio) -> UnderSystemd {
        let setup = Setup::new().await;
        setup.config("");
        let dir = tempfile::tempdir().unwrap();
        let socket_path = dir.path().join("notify.sock");
        let socket = UnixDatagram::bind(&socket_path).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let daemon = Command::new(env!("CARGO_BIN_EXE_bantin"))
            .args(["serve", "--config", setup.config_path().to_str().unwrap()])
            .env("NOTIFY_SOCKET", &socket_path)
            .stdout(Stdio::null())
            .stderr(stderr)
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
        UnderSystemd {
            daemon,
            socket,
            addr,
            ready,
            _setup: setup,
            _dir: dir,
        }
    }

    fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &self.daemon.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }
}

#[tokio::test]
async fn serve_notifies_ready_and_stops_cleanly_on_sigterm() {
    let started = UnderSystemd::start(Stdio::null()).await;
    assert!(
        started.ready.contains("STATUS=6 sources"),
        "{}",
        started.ready
    );
    let (status, _, body) = common::get(&format!("http://{}/readyz", started.addr), &[]).await;
    assert_eq!((status, &body[..]), (200, &b"ready\n"[..]));

    let asked = Instant::now();
    started.signal("TERM");
    let UnderSystemd {
        mut daemon, socket, ..
    } = started;
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

/// The unit's `ExecReload` sends SIGHUP, whose default action would end
/// the process: the daemon reloads its configuration and serves on.
#[tokio::test]
async fn sighup_from_systemctl_reload_reloads_and_serving_goes_on() {
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/systemd/bantin.service"
    ))
    .unwrap();
    assert!(
        unit.lines()
            .any(|l| l == "ExecReload=/bin/kill -HUP $MAINPID"),
        "{unit}"
    );
    let mut started = UnderSystemd::start(Stdio::piped()).await;
    started.signal("HUP");
    // Long enough for a signal to have ended the process, were it fatal.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        started.daemon.try_wait().unwrap().is_none(),
        "SIGHUP ended bantin"
    );
    let (status, _, _) = common::get(&format!("http://{}/healthz", started.addr), &[]).await;
    assert_eq!(status, 200);

    started.signal("TERM");
    let daemon = started.daemon;
    let output = tokio::task::spawn_blocking(move || daemon.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(output.status.success(), "{:?}", output.status);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        log.lines()
            .any(|l| l.contains("configuration reloaded") && l.contains("SIGHUP")),
        "{log}"
    );
}
