//! Hostile input and hostile configuration must never stop bantin: each
//! test runs the real binary against what a probe found (issue 15).

mod common;

use std::process::{Child, Command};
use std::time::Duration;

use common::{
    Answer, Setup, exit_within, get, signal, start_daemon, start_daemon_from, wait_for_line,
};

/// Waits for the process to end (bounded: 30 s, then it is killed).
async fn exit_of(child: Child) -> std::process::ExitStatus {
    exit_within(child, 30).await
}

/// The status of source `id` in `/status.json`, once it was polled
/// (bounded: 30 s).
async fn polled_status(addr: std::net::SocketAddr, id: &str) -> serde_json::Value {
    for _ in 0..300 {
        let (_, _, body) = get(&format!("http://{addr}/status.json"), &[]).await;
        let all: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let status = all
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .cloned()
            .unwrap();
        if !status["last_result"].is_null() {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{id} was never polled");
}

/// The content of the entry titled `title` in the feed `all`, once it is
/// rendered (bounded: 20 s).
async fn entry_content(addr: std::net::SocketAddr, title: &str) -> String {
    for _ in 0..200 {
        let feed = common::read_feed(addr, "all").await;
        let found = feed
            .entries
            .iter()
            .find(|e| e.title.as_ref().is_some_and(|t| t.content == title));
        if let Some(entry) = found {
            return entry.content.as_ref().unwrap().body.clone().unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no entry titled {title}");
}

/// An RSS feed of one item whose description is `html`.
fn one_item_feed(title: &str, html: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Sở Y tế</title><link>https://soyte.test/</link>
<item><title>{title}</title><link>https://soyte.test/tin/1.html</link><guid>t1</guid>
<pubDate>Mon, 02 Nov 2026 08:00:00 +0700</pubDate>
<description><![CDATA[{html}]]></description></item>
</channel></rss>"#
    )
    .into_bytes()
}

#[tokio::test]
async fn a_200000_deep_item_is_cut_flagged_and_quick_and_sigterm_still_stops() {
    let setup = Setup::new().await;
    let depth = 200_000;
    let html = format!(
        "<p>Bệnh viện tỉnh tiếp nhận trang thiết bị.</p>{}sâu{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    assert!(html.len() > 1_200_000);
    let title = "Trạm y tế xã Vị Thủy nhận máy siêu âm mới";
    setup
        .server
        .set("deep.xml", Answer::rss(one_item_feed(title, &html)));
    let extra = format!(
        "\n[[source]]\nid = \"deep\"\nname = \"deep\"\nurl = \"{}\"\nallow_private = true\n",
        setup.server.url("deep.xml")
    );
    std::fs::write(setup.config_path(), setup.config_text(&extra)).unwrap();
    let mut daemon = start_daemon(&setup.config_path(), &[]).await;

    let status = polled_status(daemon.addr, "deep").await;
    let result = status["last_result"].as_str().unwrap();
    assert!(result.starts_with("fetched: 1 items"), "{status}");
    assert!(
        result.contains("1 cut short (1 nested too deep)"),
        "{result}"
    );
    // Fetch, parse, sanitize and store, in a debug build: the uncut item
    // took more than ten minutes.
    let took = status["duration_ms"].as_u64().unwrap();
    assert!(took < 5_000, "the poll took {took} ms");
    let warnings = status["warnings"].to_string();
    assert!(warnings.contains("cut short"), "{warnings}");

    let (_, _, page) = get(&format!("http://{}/", daemon.addr), &[]).await;
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(page.contains("1 cut short (1 nested too deep)"), "{page}");
    let (_, _, metrics) = get(&format!("http://{}/metrics", daemon.addr), &[]).await;
    let metrics = String::from_utf8(metrics.to_vec()).unwrap();
    let sample = "bantin_items_cut_total{source=\"deep\",reason=\"nested too deep\"} 1";
    assert!(metrics.contains(sample), "{sample} not in\n{metrics}");

    // The item is there, with what came before the cut.
    let content = entry_content(daemon.addr, title).await;
    assert!(content.contains("tiếp nhận trang thiết bị."), "{content}");
    assert!(!content.contains("sâu"));

    signal(&daemon.child, "TERM");
    wait_for_line(&mut daemon.lines, "stopping").await;
    let status = exit_of(daemon.child).await;
    assert!(status.success(), "{status:?}");
}

/// `bantin check` on `text`: its exit code and what it printed.
fn check(text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(["check", "--config", path.to_str().unwrap()])
        .output()
        .unwrap();
    let mut said = String::from_utf8_lossy(&out.stdout).into_owned();
    said.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code(), said)
}

#[test]
fn check_refuses_durations_and_sizes_past_their_bounds_with_line_and_column() {
    let text = "[store]\nkeep_days = 5000000000\n\n[poll]\ntimeout = \"2days\"\nmax_body = \"4 GiB\"\n\n\
                [[topic]]\nslug = \"y-te\"\nkeywords = [\"y tế\"]\n\n\
                [[source]]\nid = \"a\"\nurl = \"https://a.test/rss\"\nevery = \"300000y\"\n\n\
                [[source]]\nid = \"b\"\nurl = \"https://b.test/rss\"\nevery = \"500000000y\"\n";
    let (code, said) = check(text);
    assert_eq!(code, Some(2), "{said}");
    for line in [
        ":2:13: `keep_days` must be a whole number from 1 to 36525",
        ":5:11: `timeout` = `2days` is longer than 1h, the most it may be",
        ":6:12: `max_body` = `4 GiB` is larger than",
        ":15:9: `every` = `300000y` is longer than 366 days, the most it may be",
        ":20:9: `every` = `500000000y` is longer than 366 days, the most it may be",
    ] {
        assert!(said.contains(line), "{line:?} not in\n{said}");
    }
    // A year is still allowed.
    let (code, said) = check(
        &text
            .replace("300000y", "365days")
            .replace("500000000y", "1y")
            .replace("keep_days = 5000000000", "keep_days = 36500")
            .replace("\"2days\"", "\"1h\"")
            .replace("4 GiB", "64 MiB"),
    );
    assert_eq!(code, Some(0), "{said}");
}

/// `bantin poll` on `setup`'s six sources plus a `file:` source `id` at
/// `path`: its exit code and report, or a panic if it runs past 30 s.
async fn poll_with_file_source(setup: &Setup, id: &str, path: &str) -> (Option<i32>, String) {
    let extra = format!("\n[[source]]\nid = \"{id}\"\nname = \"{id}\"\nurl = \"file:{path}\"\n");
    std::fs::write(
        setup.config_path(),
        setup.config_text_with("max_body = \"1 MiB\"\n", &extra),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(["poll", "--config", setup.config_path().to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    tokio::task::spawn_blocking(move || {
        for _ in 0..300 {
            if let Some(status) = child.try_wait().unwrap() {
                let mut out = String::new();
                std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
                return (status.code(), out);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        panic!("bantin poll did not finish within 30 s");
    })
    .await
    .unwrap()
}

fn line_of<'a>(report: &'a str, id: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.split_whitespace().next() == Some(id))
        .unwrap_or_else(|| panic!("no line for {id} in\n{report}"))
}

/// The other sources are polled as usual: the fixtures give 27 stories.
fn others_fetched(report: &str) {
    for (id, _, _) in common::SOURCES {
        let line = line_of(report, id);
        assert!(line.contains("fetched:"), "{line}");
    }
}

#[tokio::test]
async fn a_file_source_on_dev_zero_is_refused_at_once() {
    let setup = Setup::new().await;
    let (code, report) = poll_with_file_source(&setup, "zero", "/dev/zero").await;
    assert_eq!(code, Some(1), "{report}");
    let line = line_of(&report, "zero");
    assert!(
        line.contains(
            "failed: fetch: /dev/zero is a character device; a file: source must name a regular file"
        ),
        "{line}"
    );
    others_fetched(&report);
}

#[tokio::test]
async fn a_file_source_on_a_fifo_does_not_hang_the_poll() {
    let setup = Setup::new().await;
    let fifo = setup.dir.path().join("feed.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let (code, report) = poll_with_file_source(&setup, "fifo", fifo.to_str().unwrap()).await;
    assert_eq!(code, Some(1), "{report}");
    let line = line_of(&report, "fifo");
    assert!(
        line.contains("is a FIFO; a file: source must name a regular file"),
        "{line}"
    );
    others_fetched(&report);
}

#[tokio::test]
async fn a_file_source_larger_than_max_body_is_refused_like_http() {
    let setup = Setup::new().await;
    let big = setup.dir.path().join("big.xml");
    std::fs::write(&big, vec![b' '; 2 * 1024 * 1024]).unwrap();
    let (code, report) = poll_with_file_source(&setup, "big", big.to_str().unwrap()).await;
    assert_eq!(code, Some(1), "{report}");
    let line = line_of(&report, "big");
    assert!(
        line.contains("is larger than the 1048576-byte limit (poll.max_body)"),
        "{line}"
    );
    others_fetched(&report);
}

/// Any C1 control (U+0080–U+009F) in `text`.
fn c1_in(text: &str) -> Vec<String> {
    text.char_indices()
        .filter(|(_, c)| ('\u{80}'..='\u{9F}').contains(c))
        .map(|(i, c)| {
            format!(
                "U+{:04X} at {i}: …{}…",
                c as u32,
                &text[i.saturating_sub(40)..i]
            )
        })
        .collect()
}

#[tokio::test]
async fn no_c1_control_reaches_a_served_feed_and_windows_1252_is_repaired() {
    let setup = Setup::new().await;
    let feed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/c1/c1.rss"
    ))
    .unwrap();
    setup.server.set("c1.rss", Answer::rss(feed));
    let extra = format!(
        "\n[[source]]\nid = \"c1\"\nname = \"Sở Y tế \u{93}C1\u{94}\"\nurl = \"{}\"\nallow_private = true\n",
        setup.server.url("c1.rss")
    );
    std::fs::write(setup.config_path(), setup.config_text(&extra)).unwrap();
    let daemon = start_daemon(&setup.config_path(), &[]).await;
    let content = entry_content(
        daemon.addr,
        "Công an tỉnh “triển khai” cao điểm – trấn áp tội phạm",
    )
    .await;
    assert!(
        content.contains("“cao điểm” – bảo đảm an ninh."),
        "{content}"
    );

    for topic in ["all", "y-te", "an-ninh"] {
        let (status, _, body) =
            get(&format!("http://{}/feeds/{topic}.atom", daemon.addr), &[]).await;
        assert_eq!(status, 200);
        let body = String::from_utf8(body.to_vec()).unwrap();
        let found = c1_in(&body);
        assert!(found.is_empty(), "{topic}: {found:#?}");
        // Nor as numeric references a reader would turn back into them.
        for reference in ["&#x93;", "&#147;", "&#x9D;", "&#150;", "&#x96;"] {
            assert!(!body.contains(reference), "{topic}: {reference}");
        }
    }
    let feed = common::read_feed(daemon.addr, "all").await;
    let raw = common::entry(&feed, "Sở Y tế phát “cảnh báo” về sốt xuất huyết");
    let content = raw.content.as_ref().unwrap().body.clone().unwrap();
    assert!(
        content.contains(
            "“khuyến cáo” người dân – nhất là trẻ em … <b>“diệt lăng quăng”</b> – hàng tuần."
        ),
        "{content}"
    );
    let authors: Vec<&str> = raw
        .authors
        .iter()
        .filter_map(|a| a.name.as_deref())
        .collect();
    assert_eq!(authors, ["Nguyễn V—n A"]);
    let summary = raw.summary.as_ref().unwrap().content.clone();
    assert!(summary.contains("“khuyến cáo”"), "{summary}");
    // The source's name, from feeds.toml, is repaired at the output.
    let (_, _, all) = get(&format!("http://{}/feeds/all.atom", daemon.addr), &[]).await;
    let all = String::from_utf8(all.to_vec()).unwrap();
    assert!(all.contains("<source><title>Sở Y tế “C1”</title>"), "{all}");

    let child = daemon.child;
    signal(&child, "TERM");
    assert!(exit_of(child).await.success());
}

async fn sources_listed(addr: std::net::SocketAddr) -> usize {
    let (_, _, body) = get(&format!("http://{addr}/status.json"), &[]).await;
    let all: serde_json::Value = serde_json::from_slice(&body).unwrap();
    all.as_array().unwrap().len()
}

#[tokio::test]
async fn a_reload_that_removes_every_source_is_refused_unless_the_file_says_so() {
    let setup = Setup::new().await;
    setup.config("");
    let path = setup.config_path();
    let mut daemon = start_daemon(&path, &[]).await;
    assert_eq!(sources_listed(daemon.addr).await, 6);

    // Emptied by mistake (a deploy tool, a full disk, an editor): refused.
    std::fs::write(&path, "").unwrap();
    signal(&daemon.child, "HUP");
    let refused = wait_for_line(&mut daemon.lines, "no [[source]] left").await;
    assert!(refused.contains("allow_no_sources = true"), "{refused}");
    let (_, _, page) = get(&format!("http://{}/", daemon.addr), &[]).await;
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(
        page.contains("no [[source]] left: reloading it would stop all polling"),
        "{page}"
    );
    assert_eq!(sources_listed(daemon.addr).await, 6);

    // Said explicitly: put in force, and polling stops.
    let text = setup.config_text("");
    let head = text.split("\n[[source]]").next().unwrap();
    let none = head.replacen("[poll]\n", "[poll]\nallow_no_sources = true\n", 1);
    std::fs::write(&path, none).unwrap();
    signal(&daemon.child, "HUP");
    wait_for_line(&mut daemon.lines, "configuration reloaded").await;
    assert_eq!(sources_listed(daemon.addr).await, 0);

    let child = daemon.child;
    signal(&child, "TERM");
    assert!(exit_of(child).await.success());
}

/// Whether `bantin serve` has started its async runtime (a thread named
/// tokio-rt-worker exists): from then on it opens the store, renders the
/// feeds and binds, and a SIGHUP must find a handler. (Before `main`, the
/// dynamic loader's moment, no program can guard.)
fn runtime_started(pid: u32) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.filter_map(Result::ok).any(|task| {
        std::fs::read_to_string(task.path().join("comm"))
            .is_ok_and(|c| c.trim() == "tokio-rt-worker")
    })
}

// Threads: the fixture server must answer while this test blocks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_during_start_up_does_not_end_the_daemon() {
    use std::io::{BufRead, BufReader};
    let setup = Setup::new().await;
    setup.config("");
    // A store with stories, so that start-up opens and renders something.
    let polled = Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(["poll", "--config", setup.config_path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(polled.status.success());
    for attempt in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bantin"))
            .args(["serve", "--config", setup.config_path().to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let pid = child.id();
        let started = std::time::Instant::now();
        while !runtime_started(pid) {
            assert!(started.elapsed() < Duration::from_secs(10), "never started");
            std::thread::sleep(Duration::from_micros(200));
        }
        // SIGHUP every millisecond from then until it serves.
        let mut sent = 0;
        let serving = loop {
            signal(&child, "HUP");
            sent += 1;
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "attempt {attempt}: ended by SIGHUP number {sent} during start-up: {status:?}"
                );
            }
            match lines.try_recv() {
                Ok(line) if line.contains("serving") => break line,
                _ => {}
            }
            assert!(started.elapsed() < Duration::from_secs(20), "never served");
            std::thread::sleep(Duration::from_millis(1));
        };
        assert!(sent > 0);
        let addr = serving
            .split("addr=")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap();
        let (status, _, body) = get(&format!("http://{addr}/healthz"), &[]).await;
        assert_eq!((status, &body[..]), (200, &b"ok\n"[..]));
        assert!(child.try_wait().unwrap().is_none());
        signal(&child, "TERM");
        let exit = exit_of(child).await;
        assert!(exit.success(), "attempt {attempt}: {exit:?}");
    }
}

/// GETs /healthz on a fresh connection, 2 s at most.
async fn healthz_once(addr: &str) -> bool {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    match client.get(format!("http://{addr}/healthz")).send().await {
        Ok(r) => r.status() == 200 && r.text().await.is_ok_and(|t| t == "ok\n"),
        Err(_) => false,
    }
}

/// Whether the server has closed `stream` (it may answer first).
async fn closed(stream: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return true,
            Ok(_) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_flood_under_a_small_descriptor_limit_leaves_healthz_answering() {
    use tokio::io::AsyncWriteExt;
    let setup = Setup::new().await;
    // 256 descriptors: the daemon keeps at most half for clients.
    let (child, addr) = serve_with_256_descriptors(&setup).await;
    assert!(healthz_once(&addr).await);

    // 200 requests that declare a body and never send it, then 400
    // connections that send nothing at all.
    let mut flood = Vec::new();
    for _ in 0..200 {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        stream
            .write_all(b"POST / HTTP/1.1\r\nHost: bantin\r\nContent-Length: 100\r\n\r\n")
            .await
            .unwrap();
        flood.push(stream);
    }
    // One at a time, so that each is accepted rather than left in the
    // kernel's queue, where it would cost the daemon nothing.
    for _ in 0..400 {
        flood.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }

    let started = std::time::Instant::now();
    let mut answered = false;
    while started.elapsed() < Duration::from_secs(5) {
        if healthz_once(&addr).await {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(answered, "/healthz did not answer within 5 s of the flood");

    // Past the cap (128 with 256 descriptors), idle connections are
    // closed at once, not left to hold a descriptor each.
    let mut closed_at_once = 0;
    for stream in &mut flood[200..] {
        if tokio::time::timeout(Duration::from_millis(5), closed(stream))
            .await
            .is_ok()
        {
            closed_at_once += 1;
        }
    }
    assert!(
        closed_at_once >= 200,
        "{closed_at_once} of 400 closed at once"
    );

    // Every flooding connection is closed by the server: answered 413,
    // refused at the cap, or past its head timeout.
    let all_closed = tokio::time::timeout(Duration::from_secs(20), async {
        for stream in &mut flood {
            assert!(closed(stream).await);
        }
    })
    .await;
    assert!(
        all_closed.is_ok(),
        "connections still open 20 s after the flood"
    );

    // Idle connections do not hold the stop.
    for _ in 0..50 {
        flood.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let asked = std::time::Instant::now();
    signal(&child, "TERM");
    let exit = exit_of(child).await;
    assert!(exit.success(), "{exit:?}");
    let took = asked.elapsed();
    assert!(took < Duration::from_secs(5), "SIGTERM took {took:?}");
}

/// `bantin serve` under a descriptor limit of 256 (so at most 128 client
/// connections), and the address it serves on.
async fn serve_with_256_descriptors(setup: &Setup) -> (Child, String) {
    setup.config("");
    let mut command = Command::new("prlimit");
    command
        .args([
            "--nofile=256:256",
            env!("CARGO_BIN_EXE_bantin"),
            "serve",
            "--config",
        ])
        .arg(setup.config_path());
    let daemon = start_daemon_from(command).await;
    (daemon.child, daemon.addr.to_string())
}

async fn status_of(addr: &str, path: &str) -> Option<u16> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let response = client
        .get(format!("http://{addr}{path}"))
        .send()
        .await
        .ok()?;
    Some(response.status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn near_the_connection_cap_only_healthz_is_served() {
    let setup = Setup::new().await;
    let (child, addr) = serve_with_256_descriptors(&setup).await;
    assert_eq!(status_of(&addr, "/").await, Some(200));
    // 120 idle connections, each accepted before the next: past the 112
    // slots of the 128 that serve every route.
    let mut idle = Vec::new();
    for _ in 0..120 {
        idle.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(status_of(&addr, "/").await, Some(503));
    assert_eq!(status_of(&addr, "/healthz").await, Some(200));
    // The idle ones go at their head timeout; then every route is back.
    let all_closed = tokio::time::timeout(Duration::from_secs(20), async {
        for stream in &mut idle {
            assert!(closed(stream).await);
        }
    })
    .await;
    assert!(all_closed.is_ok(), "idle connections still open after 20 s");
    assert_eq!(status_of(&addr, "/").await, Some(200));
    signal(&child, "TERM");
    assert!(exit_of(child).await.success());
}

/// One response read off a kept-alive connection: whether it came whole
/// (its `Content-Length` of body) and whether it said `Connection: close`.
async fn one_response(
    stream: &mut tokio::io::BufReader<tokio::net::TcpStream>,
) -> Option<(bool, bool)> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt};
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        if stream.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        if line == b"\r\n" {
            break;
        }
        head.extend(line);
    }
    let head = String::from_utf8_lossy(&head).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())?;
    let mut body = vec![0; length];
    let whole = stream.read_exact(&mut body).await.is_ok();
    Some((whole, head.contains("\nconnection: close")))
}

/// Issue #14: a connection is not cut mid-response at its deadline, nor
/// closed under a request the client already sent. Past the deadline its
/// next response says `Connection: close`, then the daemon closes it. A
/// proxy that keeps connections to bantin busy sees no error.
#[tokio::test]
async fn a_busy_kept_alive_connection_ends_after_a_whole_response_that_says_close() {
    use tokio::io::AsyncWriteExt;
    let setup = Setup::new().await;
    let daemon = common::polled_daemon(&setup).await;
    let stream = tokio::net::TcpStream::connect(daemon.addr).await.unwrap();
    let mut stream = tokio::io::BufReader::new(stream);
    let started = std::time::Instant::now();
    let mut answered = 0;
    let said_close = loop {
        assert!(
            started.elapsed() < Duration::from_secs(100),
            "still open after 100 s ({answered} responses)"
        );
        stream
            .get_mut()
            .write_all(b"GET /feeds/all.atom HTTP/1.1\r\nHost: bantin\r\n\r\n")
            .await
            .unwrap();
        let Some((whole, close)) = one_response(&mut stream).await else {
            panic!(
                "no response to request {} after {:?}",
                answered + 1,
                started.elapsed()
            );
        };
        assert!(whole, "response {} cut short", answered + 1);
        answered += 1;
        if close {
            break started.elapsed();
        }
    };
    // The deadline is a minute, and then the daemon closes the connection.
    assert!(
        said_close >= Duration::from_secs(59),
        "closed after {said_close:?}"
    );
    let mut rest = Vec::new();
    let read = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut rest),
    )
    .await;
    assert!(
        matches!(read, Ok(Ok(0))),
        "not closed after `close`: {read:?}"
    );
    common::stop_daemon(daemon).await;
}
