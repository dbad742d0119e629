//! Runs bantin's parse stage on feed files and prints one JSON line per file:
//! `{"path", "items", "first_link", "titles", "partial"}`, or `{"path",
//! "error"}` when the document is refused. It is what
//! `bench/feedparser-suite.py` compares with feedparser; the files are read
//! as bodies fetched from `--base` (default `http://127.0.0.1/feed`), with no
//! Content-Type header.
//!
//! ```sh
//! cargo run --example parse_files -- [--base URL] FILE...
//! ```

use std::io::Write;

fn main() -> std::process::ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut base = "http://127.0.0.1/feed".to_owned();
    if let Some(at) = args.iter().position(|a| a == "--base") {
        if at + 1 >= args.len() {
            eprintln!("--base needs a URL");
            return std::process::ExitCode::from(2);
        }
        base = args.remove(at + 1);
        args.remove(at);
    }
    let mut out = std::io::stdout().lock();
    for path in args {
        let line = match std::fs::read(&path) {
            Err(e) => serde_json::json!({ "path": path, "error": format!("read: {e}") }),
            Ok(bytes) => match bantin::pipeline::parse::parse_feed(&bytes, None, &base) {
                Err(e) => serde_json::json!({ "path": path, "error": e.to_string() }),
                Ok(feed) => serde_json::json!({
                    "path": path,
                    "items": feed.items.len(),
                    "first_link": feed.items.first().and_then(|i| i.link.clone()),
                    "titles": feed.items.iter().map(|i| i.title.clone()).collect::<Vec<_>>(),
                    "partial": feed.partial,
                }),
            },
        };
        if writeln!(out, "{line}").is_err() {
            return std::process::ExitCode::FAILURE;
        }
    }
    std::process::ExitCode::SUCCESS
}
