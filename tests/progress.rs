//! Progress on long work (issue #14, item 3): with stderr not a terminal,
//! `bantin poll`, `export`, `import`, `prune` and `eval` write plain
//! progress lines with their counts there, and stdout stays what scripts
//! parse; `bantin status --watch` shows the table again every 2 s until
//! Ctrl-C, which ends it with 0.

mod common;

use std::process::{Command, Output, Stdio};

use common::{SOURCES, STORIES, Setup, polled_daemon, stop_daemon};

fn bantin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The progress lines of `what` on stderr, as (done, total).
fn progress(stderr: &str, what: &str) -> Vec<(u64, u64)> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{what}: ")))
        .map(|rest| {
            let counts = rest.split_whitespace().next().unwrap();
            let (done, total) = counts.split_once('/').unwrap();
            (done.parse().unwrap(), total.parse().unwrap())
        })
        .collect()
}

/// Counts that go up to the total, a line per step or more, the last
/// one saying it is done.
fn assert_counts_up(stderr: &str, what: &str, total: u64) {
    let lines = progress(stderr, what);
    assert!(lines.len() >= 2, "{what}: {stderr}");
    assert!(
        lines.windows(2).all(|w| w[0].0 < w[1].0),
        "{what}: {stderr}"
    );
    assert!(lines.iter().all(|&(_, t)| t == total), "{what}: {stderr}");
    assert_eq!(lines.last().unwrap().0, total, "{what}: {stderr}");
    let last = stderr
        .lines()
        .rfind(|l| l.starts_with(&format!("{what}: ")))
        .unwrap();
    assert!(last.ends_with(", done"), "{last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_commands_print_plain_progress_lines_when_stderr_is_not_a_terminal() {
    let setup = Setup::new().await;
    std::fs::write(setup.config_path(), setup.config_text("")).unwrap();
    let config = setup.config_path();
    let config = config.to_str().unwrap().to_string();

    let config_arg = config.clone();
    let poll = tokio::task::spawn_blocking(move || bantin(&["poll", "--config", &config_arg]))
        .await
        .unwrap();
    assert!(poll.status.success(), "{}", text(&poll.stderr));
    let stderr = text(&poll.stderr);
    assert_counts_up(&stderr, "poll", SOURCES.len() as u64);
    // stdout as before: a line per source, its id then what it gave.
    let stdout = text(&poll.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), SOURCES.len(), "{stdout}");
    for ((id, _, _), line) in SOURCES.iter().zip(&lines) {
        let (first, rest) = line.split_once("  ").unwrap();
        assert_eq!(first.trim(), *id, "{stdout}");
        assert!(rest.trim_start().starts_with("fetched: "), "{line}");
    }

    let export = bantin(&["export", "--config", &config]);
    assert!(export.status.success(), "{}", text(&export.stderr));
    let stderr = text(&export.stderr);
    assert_counts_up(&stderr, "export", STORIES as u64);
    assert!(
        stderr
            .lines()
            .last()
            .unwrap()
            .starts_with(&format!("exported {STORIES} stories")),
        "{stderr}"
    );
    // stdout is the export, byte for byte as the library writes it.
    let store = bantin::store::Store::open(&setup.dir.path().join("store")).unwrap();
    let mut expected = Vec::new();
    bantin::ops::backup::export(&store, &mut expected).unwrap();
    drop(store);
    assert_eq!(export.stdout, expected);

    let file = setup.dir.path().join("stories.jsonl");
    std::fs::write(&file, &export.stdout).unwrap();
    let restored = setup.dir.path().join("restored");
    let import = bantin(&[
        "import",
        file.to_str().unwrap(),
        "--config",
        &config,
        "--store",
        restored.to_str().unwrap(),
    ]);
    assert!(import.status.success(), "{}", text(&import.stderr));
    let stderr = text(&import.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("import: ") && l.ends_with(", done")),
        "{stderr}"
    );
    assert!(text(&import.stdout).starts_with(&format!("imported {STORIES} stories")));

    // A century of retention: nothing to prune, and it says so.
    let prune = bantin(&["prune", "--config", &config]);
    assert!(prune.status.success(), "{}", text(&prune.stderr));
    let stderr = text(&prune.stderr);
    assert!(
        stderr.contains("prune: 0/0 stories, ") && stderr.trim_end().ends_with(", done"),
        "{stderr}"
    );
    assert!(text(&prune.stdout).starts_with("pruned 0 stories"));

    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/merge");
    let eval = bantin(&[
        "eval",
        "--corpus",
        corpus,
        "--labels",
        &format!("{corpus}/labels.json"),
    ]);
    assert!(eval.status.success(), "{}", text(&eval.stderr));
    assert_counts_up(
        &text(&eval.stderr),
        "eval",
        common::merge_corpus().bodies.len() as u64,
    );
    assert!(
        text(&eval.stdout).contains("precision"),
        "{}",
        text(&eval.stdout)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_watch_shows_the_table_every_two_seconds_until_ctrl_c() {
    let setup = Setup::new().await;
    let daemon = polled_daemon(&setup).await;
    // The same sources, with the address the daemon took: where `status`
    // asks.
    let asking = setup.dir.path().join("status.toml");
    let text_of = setup.config_text("").replace(
        "listen = \"127.0.0.1:0\"",
        &format!("listen = \"{}\"", daemon.addr),
    );
    std::fs::write(&asking, text_of).unwrap();

    let mut watch = Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(["status", "--watch", "--config", asking.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    common::signal(&watch, "INT");
    let stdout = watch.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut { stdout }, &mut out).unwrap();
        out
    });
    let status = common::exit_within(watch, 5).await;
    assert!(status.success(), "status --watch ended with {status}");
    let out = reader.join().unwrap();
    // Each round: a separator line, then the whole table.
    let rounds = out.split("\n--- ").count();
    assert!(rounds >= 2, "{out}");
    let tables: Vec<&str> = out.split("--- ").filter(|t| !t.is_empty()).collect();
    assert_eq!(tables.len(), rounds, "{out}");
    for table in &tables {
        assert!(table.contains("\nSOURCE "), "{table}");
        for (id, _, _) in SOURCES {
            assert!(
                table.lines().any(|l| l.starts_with(&format!("{id} "))),
                "{id}: {table}"
            );
        }
    }
    // Not a terminal: no screen clearing.
    assert!(!out.contains('\x1b'), "{out:?}");
    stop_daemon(daemon).await;
}

/// On a terminal (a pty made by util-linux's `script`), `bantin poll`
/// draws indicatif's bar, with the counts and an ETA, in place of the plain
/// lines, and clears it at the end; the table on stdout is unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_poll_draws_a_bar_with_counts_and_an_eta() {
    if !common::installed(
        "script (util-linux)",
        Command::new("script").arg("--version"),
    ) {
        return;
    }
    let setup = Setup::new().await;
    std::fs::write(setup.config_path(), setup.config_text("")).unwrap();
    let command = format!(
        "'{}' poll --config '{}'",
        env!("CARGO_BIN_EXE_bantin"),
        setup.config_path().display()
    );
    // -e: the command's exit status; -f: written as it comes; the pty's
    // output (stdout and stderr both) is script's stdout.
    let run = tokio::task::spawn_blocking(move || {
        Command::new("script")
            .args(["-qefc", &command, "/dev/null"])
            .env("TERM", "xterm")
            .env("COLUMNS", "120")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let out = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(run.status.success(), "{out:?}");
    // The bar: its prefix, brackets, counts of the sources and an ETA.
    let total = SOURCES.len();
    assert!(out.contains("poll ["), "{out:?}");
    assert!(out.contains(&format!("/{total} sources (")), "{out:?}");
    assert!(out.contains(" left"), "{out:?}");
    // Drawn in place with terminal controls, and not as plain lines.
    assert!(out.contains("\x1b["), "{out:?}");
    assert!(!out.contains(&format!("poll: 0/{total}")), "{out:?}");
    assert!(!out.contains(", done"), "{out:?}");
    // The table of what each source gave is still there, a line each,
    // once the bar's controls are taken out.
    let plain = without_controls(&out);
    for (id, _, _) in SOURCES {
        assert!(
            plain
                .lines()
                .any(|l| l.starts_with(&format!("{id} ")) && l.contains("fetched: ")),
            "{id}: {plain}"
        );
    }
}

/// `text` without CSI sequences (`ESC [ … letter`), and each line from its
/// last carriage return on: what a terminal would leave on screen.
fn without_controls(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out.lines()
        .map(|l| l.rsplit('\r').find(|p| !p.is_empty()).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}
