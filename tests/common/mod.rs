//! Shared test harness: a fixture feed server on 127.0.0.1:0, a feeds.toml
//! pointing at it, and helpers to read what bantin serves.
#![allow(dead_code)] // each test file uses a different part of the harness

pub mod browser;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing;
use bantin::config::Config;
use tokio::net::TcpListener;

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/feeds");

pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(FIXTURES).join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What the fixture server answers on one path.
#[derive(Clone)]
pub enum Answer {
    /// The body, with an ETag derived from it; honours If-None-Match.
    Feed {
        body: Vec<u8>,
        content_type: &'static str,
    },
    /// A bare status with no body.
    Status(u16),
    /// Any status, headers and body, exactly as given.
    Raw {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// A 200 whose body arrives one byte per `every`.
    Drip {
        body: Vec<u8>,
        every: std::time::Duration,
    },
}

impl Answer {
    /// `body` as an RSS feed.
    pub fn rss(body: Vec<u8>) -> Answer {
        Answer::Feed {
            body,
            content_type: "application/rss+xml",
        }
    }

    pub fn redirect(status: u16, to: &str) -> Answer {
        Answer::Raw {
            status,
            headers: vec![("location", to.to_string())],
            body: Vec::new(),
        }
    }

    pub fn status_with(status: u16, header: &'static str, value: &str) -> Answer {
        Answer::Raw {
            status,
            headers: vec![(header, value.to_string())],
            body: Vec::new(),
        }
    }
}

impl Answer {
    pub fn file(name: &str) -> Answer {
        let content_type = match name.rsplit('.').next() {
            Some("json") => "application/feed+json",
            Some("atom") => "application/atom+xml; charset=utf-8",
            Some("html") => "text/html; charset=utf-8",
            _ => "application/rss+xml; charset=utf-8",
        };
        Answer::Feed {
            body: fixture(name),
            content_type,
        }
    }
}

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub if_none_match: Option<String>,
    pub user_agent: Option<String>,
    pub accept: Option<String>,
    pub accept_encoding: Option<String>,
}

#[derive(Clone, Default)]
struct Shared {
    answers: Arc<Mutex<HashMap<String, Answer>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// A feed server on 127.0.0.1, port 0, that records every request.
pub struct FixtureServer {
    pub addr: SocketAddr,
    shared: Shared,
}

impl FixtureServer {
    /// Serves each fixture file under `/<file name>`.
    pub async fn start(files: &[&str]) -> FixtureServer {
        let shared = Shared::default();
        for name in files {
            shared
                .answers
                .lock()
                .unwrap()
                .insert(format!("/{name}"), Answer::file(name));
        }
        let app = Router::new()
            .route("/{*name}", routing::get(answer))
            .with_state(shared.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        FixtureServer { addr, shared }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }

    /// Changes what `/path` answers from now on.
    pub fn set(&self, path: &str, answer: Answer) {
        self.shared
            .answers
            .lock()
            .unwrap()
            .insert(format!("/{}", path.trim_start_matches('/')), answer);
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    pub fn forget_seen(&self) {
        self.shared.seen.lock().unwrap().clear();
    }
}

async fn answer(
    State(shared): State<Shared>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/{name}");
    let text = |h| {
        headers
            .get(h)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    shared.seen.lock().unwrap().push(Seen {
        path: path.clone(),
        if_none_match: text(header::IF_NONE_MATCH),
        user_agent: text(header::USER_AGENT),
        accept: text(header::ACCEPT),
        accept_encoding: text(header::ACCEPT_ENCODING),
    });
    let answer = shared.answers.lock().unwrap().get(&path).cloned();
    match answer {
        None => StatusCode::NOT_FOUND.into_response(),
        Some(Answer::Status(code)) => StatusCode::from_u16(code).unwrap().into_response(),
        Some(Answer::Raw {
            status,
            headers,
            body,
        }) => {
            let mut response =
                (StatusCode::from_u16(status).unwrap(), Bytes::from(body)).into_response();
            for (name, value) in headers {
                response
                    .headers_mut()
                    .insert(name, HeaderValue::from_str(&value).unwrap());
            }
            response
        }
        Some(Answer::Drip { body, every }) => {
            let stream =
                futures_util::stream::unfold(body.into_iter(), move |mut bytes| async move {
                    let byte = bytes.next()?;
                    tokio::time::sleep(every).await;
                    Some((Ok::<_, std::io::Error>(Bytes::from(vec![byte])), bytes))
                });
            (
                [(header::CONTENT_TYPE, "application/rss+xml")],
                axum::body::Body::from_stream(stream),
            )
                .into_response()
        }
        Some(Answer::Feed { body, content_type }) => {
            let etag = format!(
                "\"{:x}\"",
                body.len() * 31 + body.iter().map(|b| *b as usize).sum::<usize>()
            );
            if text(header::IF_NONE_MATCH).as_deref() == Some(etag.as_str()) {
                return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
            }
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, content_type.to_string()),
                    (header::ETAG, etag),
                ],
                Bytes::from(body),
            )
                .into_response()
        }
    }
}

/// The topic rules of the fixtures (tests/fixtures/feeds/EXPECTED.md).
pub const TOPICS: &str = r#"
[[topic]]
slug     = "y-te"
title    = "Y tế"
keywords = ["covid", "phòng, chống dịch", "dịch bệnh", "y tế", "tiêm chủng", "bệnh viện", "vắc xin", "cách ly", "bệnh nhân"]

[[topic]]
slug     = "an-ninh"
title    = "An ninh – Trật tự"
keywords = ["công an", "an ninh trật tự", "tội phạm", "ma túy", "trại giam", "cảnh sát"]
"#;

/// The six fixture sources, by id, file and priority.
pub const SOURCES: [(&str, &str, i32); 6] = [
    ("haugiang-portal", "portal.rss", 10),
    ("congan-haugiang", "police.rss", 20),
    ("moh", "moh.atom", 5),
    ("bocongan", "mps.rdf", 5),
    ("bvdk-haugiang", "hospital.json", 50),
    ("vithanh", "nfd.atom", 40),
];

/// A directory holding a feeds.toml for the fixture server and a store.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub server: FixtureServer,
}

impl Setup {
    /// The fixture server with the six sources, and a config naming them.
    pub async fn new() -> Setup {
        let files: Vec<&str> = SOURCES.iter().map(|(_, f, _)| *f).collect();
        let server = FixtureServer::start(&files).await;
        Setup {
            dir: tempfile::tempdir().unwrap(),
            server,
        }
    }

    /// feeds.toml text for the six sources plus `extra` (more `[[source]]`s).
    pub fn config_text(&self, extra: &str) -> String {
        self.config_text_with("", extra)
    }

    /// As `config_text`, with more `[poll]` settings.
    pub fn config_text_with(&self, poll: &str, extra: &str) -> String {
        // The fixtures keep their dates while the calendar moves on: a
        // century of retention keeps them from ageing out of the tests.
        let mut text = String::from(
            "[server]\nlisten = \"127.0.0.1:0\"\nbase_url = \"http://bantin.test/\"\n\n\
             [store]\npath = \"store\"\nkeep_days = 36500\n\n[poll]\n",
        );
        // Test defaults: quick, no politeness gaps; `poll` overrides them.
        for (key, value) in [
            ("timeout", "\"5s\""),
            ("host_gap", "\"0s\""),
            ("per_host", "8"),
        ] {
            if !poll.lines().any(|l| l.trim_start().starts_with(key)) {
                text.push_str(&format!("{key} = {value}\n"));
            }
        }
        text.push_str(poll);
        text.push('\n');
        text.push_str(TOPICS);
        for (id, file, priority) in SOURCES {
            text.push_str(&format!(
                "\n[[source]]\nid = \"{id}\"\nname = \"{id}\"\nurl = \"{}\"\npriority = {priority}\nallow_private = true\n",
                self.server.url(file)
            ));
        }
        text.push_str(extra);
        text
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("feeds.toml")
    }

    pub fn config(&self, extra: &str) -> Arc<Config> {
        self.config_with("", extra)
    }

    pub fn config_with(&self, poll: &str, extra: &str) -> Arc<Config> {
        std::fs::write(self.config_path(), self.config_text_with(poll, extra)).unwrap();
        Arc::new(Config::load(&self.config_path()).unwrap_or_else(|e| panic!("{e}")))
    }
}

/// bantin's HTTP server for one pipeline, on 127.0.0.1:0.
pub struct Served {
    pub addr: SocketAddr,
    stop: tokio_util::sync::CancellationToken,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Served {
    /// Stops the server and lets go of its pipeline (and so of the store).
    pub async fn stop(self) {
        self.stop.cancel();
        self.task.await.unwrap().unwrap();
    }
}

pub async fn serve(pipeline: Arc<bantin::pipeline::Pipeline>) -> Served {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = tokio_util::sync::CancellationToken::new();
    let state = bantin::serve::Served::of(&pipeline, Arc::default());
    let task = tokio::spawn(bantin::serve::run(listener, state, stop.clone().into()));
    Served { addr, stop, task }
}

/// GETs a bantin URL; returns status, headers and body.
pub async fn get(url: &str, headers: &[(&str, &str)]) -> (u16, HeaderMap, Bytes) {
    let client = reqwest::Client::new();
    let mut request = client.get(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap();
    (status, headers, body)
}

/// A served feed, parsed back with feed-rs as a reader would.
pub async fn read_feed(addr: SocketAddr, topic: &str) -> feed_rs::model::Feed {
    let (status, _, body) = get(&format!("http://{addr}/feeds/{topic}.atom"), &[]).await;
    assert_eq!(status, 200, "GET /feeds/{topic}.atom");
    feed_rs::parser::parse(&body[..]).expect("the served feed parses")
}

pub fn titles(feed: &feed_rs::model::Feed) -> Vec<String> {
    let mut titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| {
            e.title
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default()
        })
        .collect();
    titles.sort();
    titles
}

pub fn entry<'a>(feed: &'a feed_rs::model::Feed, title_starts: &str) -> &'a feed_rs::model::Entry {
    feed.entries
        .iter()
        .find(|e| {
            e.title
                .as_ref()
                .is_some_and(|t| t.content.starts_with(title_starts))
        })
        .unwrap_or_else(|| panic!("no entry titled {title_starts}…"))
}

/// A TCP server for faults an HTTP library will not produce: it answers
/// every connection with `reply` (raw bytes, possibly a lie), then, if
/// `hold`, keeps the connection open without a word more.
pub async fn raw_server(reply: &'static [u8], hold: bool) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let _ = socket.write_all(reply).await;
                if hold {
                    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                }
            });
        }
    });
    addr
}

/// The labelled merge corpus, tests/fixtures/merge.
pub fn merge_corpus() -> bantin::tools::eval::Corpus {
    bantin::tools::eval::Corpus::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/merge"),
    )
    .unwrap()
}

/// A store's stories and their copies, as (story id, sorted copy keys):
/// what two stores must agree on to hold the same stories.
pub fn stories_and_copies(store: &bantin::store::Store) -> Vec<(String, Vec<String>)> {
    let mut by_story: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for copy in store.copies() {
        let copy = copy.unwrap();
        by_story
            .entry(copy.story.urn())
            .or_default()
            .push(format!("{}/{}", copy.key.source, copy.key.item));
    }
    by_story
        .into_iter()
        .map(|(id, mut keys)| {
            keys.sort();
            (id, keys)
        })
        .collect()
}

/// `bantin serve` started as a process: its log lines as they come, and
/// the address it serves on, read from its "serving" line.
pub struct Daemon {
    pub child: std::process::Child,
    pub lines: tokio::sync::mpsc::UnboundedReceiver<String>,
    pub addr: SocketAddr,
    /// The "serving" line itself.
    pub serving: String,
}

/// Starts `bantin serve --config config` with `env` added, and waits
/// for it to serve (bounded: 20 s).
pub async fn start_daemon(config: &Path, env: &[(&str, &str)]) -> Daemon {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bantin"));
    command
        .args(["serve", "--config", config.to_str().unwrap()])
        .envs(env.iter().copied());
    start_daemon_from(command).await
}

/// Runs `command`, a `bantin serve` (perhaps under a wrapper such as
/// `prlimit`), and waits for it to serve (bounded: 20 s).
pub async fn start_daemon_from(mut command: std::process::Command) -> Daemon {
    use std::io::{BufRead, BufReader};
    let mut child = command
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
    let serving = wait_for_line(&mut lines, "serving").await;
    let addr = serving
        .split("addr=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    Daemon {
        child,
        lines,
        addr,
        serving,
    }
}

/// Sends signal `name` (`TERM`, `HUP`...) to a child process.
pub fn signal(child: &std::process::Child, name: &str) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Waits for the process to end (bounded: `seconds`, then it is killed).
pub async fn exit_within(mut child: std::process::Child, seconds: u64) -> std::process::ExitStatus {
    tokio::task::spawn_blocking(move || {
        for _ in 0..seconds * 10 {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = child.kill();
        panic!("bantin did not exit within {seconds} s of the signal");
    })
    .await
    .unwrap()
}

/// The first log line containing `what` (bounded: 20 s).
pub async fn wait_for_line(
    lines: &mut tokio::sync::mpsc::UnboundedReceiver<String>,
    what: &str,
) -> String {
    tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            let line = lines.recv().await.expect("bantin's log ended");
            if line.contains(what) {
                return line;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no log line with {what}"))
}

/// A pipeline over one source `id` at `url`, with the test topics and
/// `keep_days`, its store and feeds.toml in `dir`.
pub fn one_source_pipeline(
    dir: &Path,
    id: &str,
    url: &str,
    keep_days: u32,
) -> Arc<bantin::pipeline::Pipeline> {
    let config = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\nbase_url = \"http://bantin.test/\"\n\n\
         [store]\npath = \"store\"\nkeep_days = {keep_days}\n\n[poll]\ntimeout = \"5s\"\nhost_gap = \"0s\"\n{TOPICS}\n\
         [[source]]\nid = \"{id}\"\nname = \"{id}\"\nurl = \"{url}\"\nallow_private = true\n",
    );
    let config_path = dir.join("feeds.toml");
    std::fs::write(&config_path, config).unwrap();
    let config = Arc::new(Config::load(&config_path).unwrap_or_else(|e| panic!("{e}")));
    let store = bantin::store::Store::open(&config.store.path).unwrap();
    bantin::pipeline::Pipeline::new(config, store).unwrap()
}

/// The fixture sources' distinct stories (tests/fixtures/feeds/EXPECTED.md).
pub const STORIES: usize = 27;

/// `bantin serve` on `setup`'s six sources, once its first poll is
/// published: `all` holds every story (bounded: 30 s).
pub async fn polled_daemon(setup: &Setup) -> Daemon {
    std::fs::write(setup.config_path(), setup.config_text("")).unwrap();
    let daemon = start_daemon(&setup.config_path(), &[]).await;
    let url = format!("http://{}/feeds/all.json", daemon.addr);
    for _ in 0..300 {
        let (status, _, body) = get(&url, &[]).await;
        if status == 200 {
            let feed: serde_json::Value = serde_json::from_slice(&body).unwrap();
            if feed["items"].as_array().unwrap().len() == STORIES {
                return daemon;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the first poll was not published within 30 s");
}

/// Stops a daemon with SIGTERM; it must exit 0 (bounded: 20 s).
pub async fn stop_daemon(daemon: Daemon) {
    signal(&daemon.child, "TERM");
    assert!(exit_within(daemon.child, 20).await.success());
}

/// Attributes a browser reads as a URL (or, `values`/`to`/`from` in SVG
/// animation, may set one).
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "background",
    "poster",
    "srcset",
    "data",
    "cite",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "usemap",
    "to",
    "values",
    "from",
    "content",
    "ping",
    "manifest",
    "codebase",
    "classid",
    "archive",
    "profile",
    "icon",
];

/// A URL attribute's value as a browser reads its scheme: control
/// characters and whitespace anywhere dropped, lowercase.
fn scheme_view(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_lowercase()
}

/// What is unsafe in `html` once a browser parses it, if anything: a
/// script-running element, an `on*` or `style` attribute, or a
/// `javascript:`, `vbscript:` or `data:` URL.
pub fn unsafe_html(html: &str) -> Option<String> {
    unsafe_in(scraper::Html::parse_fragment(html), false)
}

/// [`unsafe_html`] for a whole page of bantin's own: its `<style>`,
/// `<meta>` and `<link>` elements and its search form (`action="search"`)
/// are its own, the rest is held to the same rules.
pub fn unsafe_page(html: &str) -> Option<String> {
    unsafe_in(scraper::Html::parse_document(html), true)
}

fn unsafe_in(parsed: scraper::Html, page: bool) -> Option<String> {
    for node in parsed.tree.nodes() {
        let scraper::Node::Element(element) = node.value() else {
            continue;
        };
        let name = element.name().to_ascii_lowercase();
        let own = page
            && (matches!(name.as_str(), "style" | "meta" | "link")
                || (name == "form" && element.attr("action") == Some("search")));
        if !own
            && (matches!(
                name.as_str(),
                "script"
                    | "style"
                    | "iframe"
                    | "object"
                    | "embed"
                    | "base"
                    | "meta"
                    | "link"
                    | "form"
            ) || name.contains("script"))
        {
            return Some(format!("a <{name}> element"));
        }
        for (attr, value) in element.attrs() {
            let attr = attr.to_ascii_lowercase();
            if attr.starts_with("on") {
                return Some(format!("an {attr} attribute on <{name}>"));
            }
            if attr == "style" || attr == "srcdoc" {
                return Some(format!("a {attr} attribute on <{name}>"));
            }
            if !URL_ATTRIBUTES.contains(&attr.as_str()) {
                continue;
            }
            let seen = scheme_view(value);
            for bad in ["javascript:", "vbscript:", "data:"] {
                if seen.starts_with(bad) || (attr == "srcset" && seen.contains(bad)) {
                    return Some(format!("{attr}=\"{value}\" on <{name}>"));
                }
            }
        }
    }
    None
}

/// tests/fixtures/archive/months.rss: ten stories, August to December
/// 2026 (none in September), one of them with markup in its title
/// (escaped twice in the XML, so that it still reads `<script>…` once
/// parsed and stripped of tags).
pub const MONTHS_STORIES: usize = 10;

pub fn months_fixture() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/archive/months.rss"
    ))
    .unwrap()
}

/// `bantin serve` on one source of ten stories over five months, with
/// `feed_size = 3`: the feed holds the newest three, archives the rest.
/// Returns the daemon once its first poll is published (bounded: 30 s),
/// and the fixture server, which must outlive it.
pub async fn months_daemon(dir: &Path) -> (Daemon, FixtureServer) {
    let server = FixtureServer::start(&[]).await;
    server.set("/months.rss", Answer::rss(months_fixture()));
    let config = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\nbase_url = \"http://bantin.test/\"\n\n\
         [store]\npath = \"store\"\nkeep_days = 36500\nfeed_size = 3\n\n\
         [poll]\ntimeout = \"5s\"\nhost_gap = \"0s\"\n{TOPICS}\n\
         [[source]]\nid = \"thang\"\nname = \"Tin các tháng\"\nurl = \"{}\"\nallow_private = true\n",
        server.url("months.rss")
    );
    std::fs::write(dir.join("feeds.toml"), config).unwrap();
    (months_started(dir).await, server)
}

/// `bantin serve` on the feeds.toml `months_daemon` wrote in `dir`, once
/// its feed is published.
pub async fn months_started(dir: &Path) -> Daemon {
    let daemon = start_daemon(&dir.join("feeds.toml"), &[]).await;
    let url = format!("http://{}/feeds/all.json", daemon.addr);
    for _ in 0..300 {
        let (status, _, body) = get(&url, &[]).await;
        if status == 200 {
            let feed: serde_json::Value = serde_json::from_slice(&body).unwrap();
            if feed["items"].as_array().unwrap().len() == 3 {
                return daemon;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the first poll was not published within 30 s");
}

/// A URL the daemon wrote under `[server] base_url` (`http://bantin.test/`),
/// on the daemon at `addr`.
pub fn on_daemon(addr: SocketAddr, url: &str) -> String {
    url.replace("http://bantin.test/", &format!("http://{addr}/"))
}

/// A reader `.ci/run` installs is missing here: a loud skip, or under CI
/// (`CI` set) a failure saying `why`. Written to stderr itself, not
/// through `eprintln!`, which the test harness captures: a skip must be
/// seen.
pub fn reader_missing(what: &str, why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{what} is missing under CI: .ci/run must install it ({why})"
    );
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: {what} is not installed here; .ci/run installs it (see its readers step) ***\n"
    );
}

/// Whether `probe` runs; if not, [`reader_missing`].
pub fn installed(what: &str, probe: &mut std::process::Command) -> bool {
    let found = probe.output().is_ok_and(|o| o.status.success());
    if !found {
        reader_missing(what, "its probe failed");
    }
    found
}

/// Runs the Python reader `script` with `args`: its stdout as JSON, or
/// `None` after [`reader_missing`] when it cannot run.
pub async fn python_reader(
    what: &'static str,
    script: &'static str,
    args: Vec<String>,
) -> Option<serde_json::Value> {
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .args(args)
            .output()
    })
    .await
    .unwrap();
    match out {
        Ok(out) if out.status.success() => Some(serde_json::from_slice(&out.stdout).unwrap()),
        Ok(out) => {
            reader_missing(what, &String::from_utf8_lossy(&out.stderr));
            None
        }
        Err(e) => {
            reader_missing(what, &e.to_string());
            None
        }
    }
}

/// An RSS feed of two items a reader should see, and one of each kind
/// bantin drops (a duplicate, one without title or link, one too old).
pub fn dropping_feed() -> Vec<u8> {
    let recent = (chrono::Utc::now() - chrono::Duration::days(2)).to_rfc2822();
    let old = (chrono::Utc::now() - chrono::Duration::days(400)).to_rfc2822();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Sở Y tế</title><link>https://soyte.test/</link>
<item><title>Tiêm vắc xin sởi cho trẻ từ 1 đến 5 tuổi tại các trạm y tế</title>
  <link>https://soyte.test/tin/1.html</link><guid>t1</guid><pubDate>{recent}</pubDate></item>
<item><title>Tiêm vắc xin sởi cho trẻ từ 1 đến 5 tuổi tại các trạm y tế</title>
  <link>https://soyte.test/tin/1.html</link><guid>t1</guid><pubDate>{recent}</pubDate></item>
<item><description>Một dòng không có tiêu đề và không có liên kết.</description>
  <pubDate>{recent}</pubDate></item>
<item><title>Kiểm tra an toàn thực phẩm các bếp ăn tập thể khu công nghiệp</title>
  <link>https://soyte.test/tin/2.html</link><guid>t2</guid><pubDate>{old}</pubDate></item>
<item><title>Bệnh viện tỉnh tiếp nhận thêm trang thiết bị chẩn đoán hình ảnh</title>
  <link>https://soyte.test/tin/3.html</link><guid>t3</guid><pubDate>{recent}</pubDate></item>
</channel></rss>"#
    )
    .into_bytes()
}

/// A source's state after a poll at `at` that fetched two new stories.
pub fn fetched_state(at: chrono::DateTime<chrono::Utc>) -> bantin::model::SourceState {
    bantin::model::SourceState {
        last_poll: Some(at),
        last_success: Some(at),
        last_result: Some(bantin::model::PollResult::Fetched {
            items: 2,
            new_copies: 2,
            updated_copies: 0,
            new_stories: 2,
            partial: None,
            dropped: bantin::model::Dropped::default(),
            cut: Default::default(),
        }),
        http_status: Some(200),
        ..bantin::model::SourceState::default()
    }
}
