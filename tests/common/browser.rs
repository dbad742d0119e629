//! Headless Chromium driven over the Chrome DevTools Protocol (CDP), for
//! the tests that look at bantin's pages as a browser renders them.
//!
//! One websocket to the browser, one flat session per page
//! (`Target.attachToTarget` with `flatten`): commands carry their
//! `sessionId`, and so do the events, which are kept in arrival order.
//! Blocking on purpose: a test drives one page at a time, and a sync
//! client keeps the driver small. Every read is bounded, so a browser
//! that hangs fails the test instead of holding it.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// How long one page may take to load, or one command to answer.
const BOUND: Duration = Duration::from_secs(30);

/// The browser `.ci/run` installs: Debian's `chromium`, or
/// `$BANTIN_CHROMIUM` where another build is wanted.
fn program() -> String {
    std::env::var("BANTIN_CHROMIUM").unwrap_or_else(|_| "chromium".into())
}

/// Where screenshots go: `target/browser-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("browser-screenshots")
}

/// A headless Chromium of its own, with a throwaway profile. Dropping it
/// (a panic in the test too) kills every process of the browser and
/// removes the profile.
pub struct Browser {
    child: Child,
    profile: Option<tempfile::TempDir>,
    socket: WebSocket<TcpStream>,
    next_id: u64,
    /// Events not yet taken, in arrival order.
    events: Vec<Value>,
}

/// A page the browser shows: its session, and what it reported.
pub struct Page {
    session: String,
    target: String,
}

/// What a page logged that a person would see in the console as an
/// error: a `console.error`, an uncaught exception, or a browser log entry
/// of level error (a failed load of a subresource, a favicon included).
#[derive(Debug, Clone)]
pub struct ConsoleError(pub String);

impl Browser {
    /// Starts the browser, or returns `None` after a loud skip when it is
    /// not installed (under CI, a failure: `.ci/run` installs it).
    pub fn launch() -> Option<Browser> {
        if !super::installed(
            "chromium (the browser tests)",
            Command::new(program()).arg("--version"),
        ) {
            return None;
        }
        let profile = tempfile::Builder::new()
            .prefix("bantin-chromium-")
            .tempdir()
            .unwrap();
        let mut command = Command::new(program());
        command
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-port=0",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-sync",
                "--hide-scrollbars",
                "--mute-audio",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            // Chromium's singleton socket dir goes in TMPDIR and outlives
            // a killed browser: under the profile, it goes with it.
            .env("TMPDIR", profile.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group: the launcher script, the browser and its
        // renderers all die with one kill on drop.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().unwrap();
        // Guarded from here: a failure below still kills the browser.
        let mut guard = Launching {
            child: Some(child),
            profile: Some(profile),
        };
        let url = guard.devtools_url();
        let address = url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let stream = TcpStream::connect(&address).unwrap();
        stream.set_read_timeout(Some(BOUND)).unwrap();
        stream.set_nodelay(true).unwrap();
        let (socket, _) = tungstenite::client(url.as_str(), stream)
            .unwrap_or_else(|e| panic!("CDP handshake with {url}: {e}"));
        Some(Browser {
            child: guard.child.take().unwrap(),
            profile: guard.profile.take(),
            socket,
            next_id: 1,
            events: Vec::new(),
        })
    }

    /// Sends `method` (to `session`, or to the browser itself) and waits
    /// for its answer, keeping the events that come before it.
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .unwrap_or_else(|e| panic!("CDP {method}: {e}"));
        let deadline = Instant::now() + BOUND;
        loop {
            assert!(Instant::now() < deadline, "CDP {method}: no answer");
            let message = self.receive(method);
            if message["id"] == json!(id) {
                if let Some(error) = message.get("error") {
                    panic!("CDP {method} failed: {error}");
                }
                return message["result"].clone();
            }
            if message.get("method").is_some() {
                self.events.push(message);
            }
        }
    }

    /// The next message from the browser (bounded by the socket's read
    /// timeout).
    fn receive(&mut self, waiting_for: &str) -> Value {
        loop {
            match self.socket.read() {
                Ok(Message::Text(text)) => return serde_json::from_str(&text).unwrap(),
                Ok(_) => continue,
                Err(e) => panic!("CDP, waiting for {waiting_for}: {e}"),
            }
        }
    }

    /// Waits for the event `method` of `session` (bounded), keeping the
    /// others.
    fn wait_event(&mut self, session: &str, method: &str, also: impl Fn(&Value) -> bool) {
        let matches = |e: &Value| {
            e["sessionId"] == json!(session) && e["method"] == json!(method) && also(&e["params"])
        };
        if self.events.iter().any(matches) {
            return;
        }
        let deadline = Instant::now() + BOUND;
        loop {
            assert!(
                Instant::now() < deadline,
                "no {method} event within {BOUND:?}"
            );
            let message = self.receive(method);
            if message.get("method").is_none() {
                continue;
            }
            let found = matches(&message);
            self.events.push(message);
            if found {
                return;
            }
        }
    }

    /// A new tab, `width` × `height` CSS pixels (`mobile`: a phone's
    /// viewport, which honours `<meta name="viewport">`), with its console
    /// and log listened to, showing nothing yet.
    pub fn new_page(&mut self, width: u32, height: u32, mobile: bool) -> Page {
        let target =
            self.call(None, "Target.createTarget", json!({"url": "about:blank"}))["targetId"]
                .as_str()
                .unwrap()
                .to_string();
        let session = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        )["sessionId"]
            .as_str()
            .unwrap()
            .to_string();
        let s = Some(session.as_str());
        for domain in ["Page", "Runtime", "Log", "Network"] {
            self.call(s, &format!("{domain}.enable"), json!({}));
        }
        self.call(
            s,
            "Page.setLifecycleEventsEnabled",
            json!({"enabled": true}),
        );
        self.call(
            s,
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
        if mobile {
            self.call(
                s,
                "Emulation.setTouchEmulationEnabled",
                json!({"enabled": true}),
            );
        }
        Page { session, target }
    }

    /// Opens `url` in `page` and waits until it has loaded and the
    /// network has been idle (so the favicon and any late request are
    /// in). Returns the document's HTTP status.
    pub fn open(&mut self, page: &Page, url: &str) -> u16 {
        let s = Some(page.session.as_str());
        let navigated = self.call(s, "Page.navigate", json!({"url": url}));
        if let Some(error) = navigated.get("errorText") {
            panic!("{url} did not load: {error}");
        }
        let frame = navigated["frameId"].as_str().unwrap().to_string();
        let loader = navigated["loaderId"].clone();
        self.wait_event(&page.session, "Page.loadEventFired", |_| true);
        self.wait_event(&page.session, "Page.lifecycleEvent", |p| {
            p["name"] == json!("networkIdle")
                && p["frameId"] == json!(frame)
                && p["loaderId"] == loader
        });
        self.events
            .iter()
            .find(|e| {
                e["sessionId"] == json!(page.session)
                    && e["method"] == json!("Network.responseReceived")
                    && e["params"]["type"] == json!("Document")
                    && e["params"]["loaderId"] == loader
            })
            .and_then(|e| e["params"]["response"]["status"].as_u64())
            .map_or_else(
                || panic!("{url}: no response for the document"),
                |s| s as u16,
            )
    }

    /// Evaluates `expression` in the page; its value as JSON (so it must
    /// be JSON-serialisable: numbers, strings, arrays, plain objects).
    pub fn eval(&mut self, page: &Page, expression: &str) -> Value {
        let result = self.call(
            Some(&page.session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        if let Some(thrown) = result.get("exceptionDetails") {
            panic!("{expression} threw: {thrown}");
        }
        result["result"]["value"].clone()
    }

    /// How wide the page is laid out and how wide its window is, in CSS
    /// pixels: `(document.documentElement.scrollWidth, window.innerWidth)`.
    /// On a phone, a page that fits has both at the phone's width; one
    /// without a viewport rule is laid out wider and shrunk to fit, and
    /// one too wide for its viewport scrolls sideways.
    pub fn widths(&mut self, page: &Page) -> (u64, u64) {
        let widths = self.eval(
            page,
            "[document.documentElement.scrollWidth, window.innerWidth]",
        );
        (widths[0].as_u64().unwrap(), widths[1].as_u64().unwrap())
    }

    /// Everything `page` reported as an error since it was opened.
    pub fn console_errors(&self, page: &Page) -> Vec<ConsoleError> {
        let mut errors = Vec::new();
        for event in &self.events {
            if event["sessionId"] != json!(page.session) {
                continue;
            }
            let params = &event["params"];
            match event["method"].as_str().unwrap_or_default() {
                "Runtime.consoleAPICalled"
                    if matches!(params["type"].as_str(), Some("error" | "assert")) =>
                {
                    errors.push(ConsoleError(format!(
                        "console.{}: {}",
                        params["type"], params["args"]
                    )));
                }
                "Runtime.exceptionThrown" => {
                    errors.push(ConsoleError(format!(
                        "uncaught: {}",
                        params["exceptionDetails"]
                    )));
                }
                "Log.entryAdded" if params["entry"]["level"] == json!("error") => {
                    errors.push(ConsoleError(format!(
                        "{} {}: {}",
                        params["entry"]["source"].as_str().unwrap_or_default(),
                        params["entry"]["url"].as_str().unwrap_or_default(),
                        params["entry"]["text"].as_str().unwrap_or_default()
                    )));
                }
                _ => {}
            }
        }
        errors
    }

    /// Every response of `page` with a status of 400 or more, as
    /// `(status, url)`: a missing stylesheet, image or favicon.
    pub fn failed_requests(&self, page: &Page) -> Vec<(u64, String)> {
        self.events
            .iter()
            .filter(|e| {
                e["sessionId"] == json!(page.session)
                    && e["method"] == json!("Network.responseReceived")
                    && e["params"]["response"]["status"].as_u64().unwrap_or(0) >= 400
            })
            .map(|e| {
                (
                    e["params"]["response"]["status"].as_u64().unwrap_or(0),
                    e["params"]["response"]["url"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect()
    }

    /// A PNG of the whole page (up to 8,000 px tall) in
    /// `target/browser-screenshots/{name}.png`; returns its path.
    pub fn screenshot(&mut self, page: &Page, name: &str) -> PathBuf {
        use base64::Engine as _;
        let s = Some(page.session.as_str());
        let metrics = self.call(s, "Page.getLayoutMetrics", json!({}));
        let size = &metrics["cssContentSize"];
        let width = size["width"].as_f64().unwrap().max(1.0);
        let height = size["height"].as_f64().unwrap().clamp(1.0, 8000.0);
        let shot = self.call(
            s,
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            }),
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: not a PNG");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Closes the tab and forgets its events.
    pub fn close(&mut self, page: Page) {
        self.call(None, "Target.closeTarget", json!({"targetId": page.target}));
        self.events
            .retain(|e| e["sessionId"] != json!(page.session));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill(&mut self.child, self.profile.take());
    }
}

/// The browser between its start and its first websocket: killed if the
/// launch fails half way.
struct Launching {
    child: Option<Child>,
    profile: Option<tempfile::TempDir>,
}

impl Launching {
    /// `ws://127.0.0.1:PORT/devtools/browser/…`, from the
    /// `DevToolsActivePort` file the browser writes once it listens
    /// (port on the first line, path on the second).
    fn devtools_url(&mut self) -> String {
        let file = self
            .profile
            .as_ref()
            .unwrap()
            .path()
            .join("DevToolsActivePort");
        let deadline = Instant::now() + BOUND;
        loop {
            if let Ok(text) = std::fs::read_to_string(&file) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    return format!("ws://127.0.0.1:{}{}", port.trim(), path.trim());
                }
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("chromium exited ({status}) before it listened");
            }
            assert!(
                Instant::now() < deadline,
                "chromium did not write {} within {BOUND:?}",
                file.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Launching {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill(&mut child, self.profile.take());
        }
    }
}

/// Kills the browser's process group, reaps it, and removes its profile
/// once nothing writes there any more.
fn kill(child: &mut Child, profile: Option<tempfile::TempDir>) {
    let group = child.id() as libc::pid_t;
    // SAFETY: kill(2) with a negative pid signals that process group,
    // ours alone (`process_group(0)` at spawn).
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
    let _ = child.wait();
    if let Some(profile) = profile {
        let path = profile.path().to_path_buf();
        // A renderer may still be dying and writing: try a few times.
        for _ in 0..20 {
            if std::fs::remove_dir_all(&path).is_ok() || !path.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = profile.close();
    }
}
