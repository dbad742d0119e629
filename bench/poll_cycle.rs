//! One poll cycle over 10,000 sources on loopback: wall time, CPU time and
//! peak RSS of the bantin process.
//!
//! The sources are spread over 1,000 hosts (127.0.1.1 – 127.0.4.232, a
//! listener each, served by a child process so its work is not counted):
//! ten sources per host, `per_host = 2`, `host_gap = "1s"`, as a real
//! deployment would run. A first cycle stores every source's validators
//! and stories; the measured cycle then gets 304 from 90 % of the sources
//! and a 30-item feed of new items from the other 10 %. The `faults` run
//! adds 10 sources that drip, hang, explode (gzip bomb) or send 100 MiB.
//!
//! Run: `cargo bench --bench poll_cycle` (Linux: reads /proc). Figures:
//! bench/README.md.

// Only its `engine()`.
#[allow(dead_code)]
mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bantin::config::Config;
use bantin::model::PollResult;
use bantin::pipeline::Pipeline;
use bantin::store::Store;

const SOURCES: usize = 10_000;
const HOSTS: usize = 1_000;
const ITEMS_PER_CHANGING_FEED: usize = 30;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        serve(args.get(i + 1).map(String::as_str) == Some("faults"));
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--cycle") {
        cycle(args.get(i + 1).map(String::as_str) == Some("faults"));
        return;
    }
    // `cargo bench` passes `--bench`; a run of each kind, each in its own
    // process so each peak RSS is its own.
    let exe = std::env::current_exe().expect("own path");
    for mode in ["plain", "faults"] {
        let status = Command::new(&exe)
            .args(["--cycle", mode])
            .status()
            .expect("run a cycle");
        assert!(status.success(), "{mode} cycle failed");
    }
}

fn host_ip(n: usize) -> String {
    format!("127.0.{}.{}", 1 + n / 250, 1 + n % 250)
}

/// The measured process: spawns the server, runs two cycles, reports.
fn cycle(faults: bool) {
    // As bantin's own `main` does.
    bantin::ops::memory::tune_allocator();
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let exe = std::env::current_exe().expect("own path");
    let mut server = Command::new(&exe)
        .args(["--serve", if faults { "faults" } else { "plain" }])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut lines = BufReader::new(server.stdout.take().expect("server stdout")).lines();
    let addrs: Vec<String> = (0..HOSTS + 1)
        .map(|_| lines.next().expect("an address").expect("utf-8"))
        .collect();

    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from(
        "[store]\npath = \"store\"\n[poll]\nevery = \"15m\"\nconcurrency = 64\nper_host = 2\n\
         host_gap = \"1s\"\ntimeout = \"5s\"\nrate_window = \"3s\"\nmax_body = \"8 MiB\"\n\
         [[topic]]\nslug = \"y-te\"\nkeywords = [\"phòng, chống dịch\"]\n",
    );
    for n in 0..SOURCES {
        text.push_str(&format!(
            "[[source]]\nid = \"s{n}\"\nurl = \"http://{}/s{n}\"\nallow_private = true\n",
            addrs[n % HOSTS]
        ));
    }
    if faults {
        // Ten bad portals, each on its own host among the good ones.
        for (n, path) in [
            "drip", "hang", "bomb", "huge", "drip", "hang", "bomb", "huge", "drip", "hang",
        ]
        .iter()
        .enumerate()
        {
            text.push_str(&format!(
                "[[source]]\nid = \"fault{n}\"\nurl = \"http://{}/{path}\"\nallow_private = true\n",
                addrs[n * 97 % HOSTS]
            ));
        }
    }
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, text).expect("write config");
    let config = Arc::new(Config::load(&path).expect("valid config"));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (reports, wall, cpu, mut statuses) = runtime.block_on(async {
        let store = Store::open_with(
            &config.store.path,
            common::engine(),
            bantin::config::DEFAULT_CACHE,
        )
        .expect("store");
        let pipeline = Pipeline::new(Arc::clone(&config), store).expect("pipeline");
        eprintln!(
            "  rss at start {:.1} MiB",
            rss_kib("VmRSS:") as f64 / 1024.0
        );
        bantin::scheduler::poll_all(&pipeline).await;
        eprintln!(
            "  rss after the first cycle {:.1} MiB (peak {:.1})",
            rss_kib("VmRSS:") as f64 / 1024.0,
            rss_kib("VmHWM:") as f64 / 1024.0
        );
        let cpu_before = cpu_time();
        let started = Instant::now();
        let reports = bantin::scheduler::poll_all(&pipeline).await;
        let (wall, cpu) = (started.elapsed(), cpu_time() - cpu_before);
        (
            reports,
            wall,
            cpu,
            bantin::status::statuses(&pipeline.config(), &pipeline.store),
        )
    });
    statuses.sort_by_key(|s| std::cmp::Reverse(s.duration_ms));
    for s in statuses.iter().take(3) {
        println!(
            "  slowest: {} {} ms: {}",
            s.id,
            s.duration_ms,
            s.last_result.as_deref().unwrap_or("")
        );
    }
    let count = |f: fn(&PollResult) -> bool| reports.iter().filter(|r| f(&r.result)).count();
    let not_modified = count(|r| matches!(r, PollResult::NotModified));
    let fetched = count(|r| matches!(r, PollResult::Fetched { .. }));
    let failed = count(PollResult::is_failure);
    let new_stories: usize = reports
        .iter()
        .map(|r| match r.result {
            PollResult::Fetched { new_stories, .. } => new_stories,
            _ => 0,
        })
        .sum();
    println!(
        "poll_cycle/{}: {} sources, wall {:.2} s, cpu {:.2} s, peak RSS {:.1} MiB; \
         {not_modified} not modified, {fetched} fetched ({new_stories} new stories), {failed} failed",
        if faults { "faults" } else { "plain" },
        reports.len(),
        wall.as_secs_f64(),
        cpu.as_secs_f64(),
        peak_rss_kib() as f64 / 1024.0,
    );
    // Closing the server's stdin tells it to stop.
    drop(server.stdin.take());
    let _ = server.wait();
}

/// user + system CPU time of this process.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<u64> = rest
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks of
    // 1/100 s on Linux.
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn peak_rss_kib() -> u64 {
    rss_kib("VmHWM:")
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The feed server: prints one address per host (the fault host last),
/// serves until its stdin closes.
fn serve(faults: bool) {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let state = Arc::new(Counter::default());
        let mut out = std::io::stdout().lock();
        for n in 0..=HOSTS {
            let listener = tokio::net::TcpListener::bind((host_ip(n).as_str(), 0))
                .await
                .expect("bind a 127.0.x.y address");
            let addr: SocketAddr = listener.local_addr().expect("address");
            writeln!(out, "{addr}").expect("stdout");
            let app = Router::new()
                .route("/{name}", get(answer))
                .with_state(Arc::clone(&state));
            tokio::spawn(async move { axum::serve(listener, app).await });
        }
        out.flush().expect("stdout");
        let _ = faults;
        // Wait for the parent to close stdin.
        let _ = tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            let _ = std::io::stdin().read_line(&mut sink);
        })
        .await;
    });
}

#[derive(Default)]
struct Counter {
    rounds: AtomicU64,
}

async fn answer(
    State(counter): State<Arc<Counter>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    match name.as_str() {
        "drip" => return drip(),
        "hang" => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return StatusCode::OK.into_response();
        }
        "bomb" => return bomb(),
        "huge" => return huge(),
        _ => {}
    }
    let n: usize = name.trim_start_matches('s').parse().unwrap_or(0);
    let changing = n % 10 == 0;
    if !changing {
        let etag = format!("\"{name}\"");
        if headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            == Some(&etag)
        {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
        }
        return (StatusCode::OK, [(header::ETAG, etag)], feed(&name, 0, 1)).into_response();
    }
    let round = counter.rounds.fetch_add(1, Ordering::Relaxed);
    let etag = format!("\"{name}-{round}\"");
    (
        StatusCode::OK,
        [(header::ETAG, etag)],
        feed(&name, round, ITEMS_PER_CHANGING_FEED),
    )
        .into_response()
}

/// Words the generated items are made of: each item's description is its
/// own draw, so items of different sources are different stories.
const WORDS: &str = "công tác kiểm tra tình hình địa bàn xã phường huyện tỉnh người dân cán bộ \
    phòng chống dịch bệnh tiêm chủng vắc xin an ninh trật tự giao thông tuần tra kiểm soát \
    nông nghiệp thủy sản lúa gạo trường học học sinh bệnh viện bác sĩ điều trị hội nghị \
    triển khai kế hoạch tăng cường nâng cao hiệu quả chỉ đạo thực hiện nhiệm vụ sáng chiều";

fn feed(name: &str, round: u64, items: usize) -> String {
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let mut body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Nguồn {name}</title>\
         <link>https://{name}.test/</link>"
    );
    for k in 0..items {
        let seed = name.bytes().fold(round * 1_000 + k as u64, |h, b| {
            h.wrapping_mul(31).wrapping_add(u64::from(b))
        });
        let mut rng = fastrand::Rng::with_seed(seed);
        let text: Vec<&str> = (0..24).map(|_| words[rng.usize(..words.len())]).collect();
        body.push_str(&format!(
            "<item><title>Nguồn {name} đợt {round} tin số {k}: tăng cường công tác phòng, chống dịch</title>\
             <link>https://{name}.test/tin/{round}-{k}.html</link><guid>{name}-{round}-{k}</guid>\
             <pubDate>Fri, 27 Nov 2026 08:00:00 +0700</pubDate>\
             <description><![CDATA[<p>{}.</p>]]></description></item>",
            text.join(" ")
        ));
    }
    body.push_str("</channel></rss>");
    body
}

fn drip() -> Response {
    let stream = futures_util::stream::unfold(0u32, |n| async move {
        if n > 10_000 {
            return None;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        Some((
            Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"<")),
            n + 1,
        ))
    });
    axum::body::Body::from_stream(stream).into_response()
}

fn bomb() -> Response {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..256 {
        let _ = e.write_all(&zeros);
    }
    let body = e.finish().unwrap_or_default();
    ([(header::CONTENT_ENCODING, "gzip")], body).into_response()
}

fn huge() -> Response {
    let chunk = bytes::Bytes::from(vec![b'x'; 64 * 1024]);
    let stream =
        futures_util::stream::iter((0..1600).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
    axum::body::Body::from_stream(stream).into_response()
}
