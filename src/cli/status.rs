//! `bantin status`: every source's state as a table, from the running
//! daemon or, when none answers, from the store; and [`ask_daemon`], the
//! one way the commands reach a running daemon.

use std::process::ExitCode;

use anyhow::Context;
use bantin::config::Config;
use bantin::status::SourceStatus;

use super::open_store;

/// The daemon holds the store's lock while it runs, so its own
/// `/status.json` is asked first; the store is read only when no daemon
/// answers.
pub(super) async fn status(config: Config) -> anyhow::Result<ExitCode> {
    let statuses = read(&config).await?;
    print_status_table(&statuses);
    let failing = statuses.iter().any(|s| s.error_kind.is_some());
    Ok(if failing {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// How often `status --watch` shows the table again.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// `bantin status --watch`: the table every [`WATCH_EVERY`], until
/// SIGINT (Ctrl-C) or SIGTERM, which end it with 0. On a terminal the
/// screen is cleared first, so the table stays in place; in a file or a
/// pipe each table follows a separator line, so the history reads in
/// order. A round that cannot read (no daemon, the store locked by a
/// starting one) says why and the watch goes on.
pub(super) async fn watch(config: Config) -> anyhow::Result<ExitCode> {
    use std::io::{IsTerminal, Write};
    use tokio::signal::unix::{SignalKind, signal};
    // Installed before the first round, so that an early Ctrl-C is ours
    // to answer rather than the default's, which kills.
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot catch SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot catch SIGTERM")?;
    let terminal = std::io::stdout().is_terminal();
    loop {
        let round = async {
            let read = read(&config).await;
            let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC");
            if terminal {
                // Clear the screen, cursor home.
                print!("\x1b[2J\x1b[H");
            }
            println!(
                "--- {now}, every {} s (Ctrl-C ends) ---",
                WATCH_EVERY.as_secs()
            );
            match read {
                Ok(statuses) => print_status_table(&statuses),
                Err(e) => println!("cannot read the sources' state: {e:#}"),
            }
            let _ = std::io::stdout().flush();
            tokio::time::sleep(WATCH_EVERY).await;
        };
        tokio::select! {
            () = round => {}
            _ = interrupt.recv() => return Ok(ExitCode::SUCCESS),
            _ = terminate.recv() => return Ok(ExitCode::SUCCESS),
        }
    }
}

/// Every source's state, from the daemon or else the store.
async fn read(config: &Config) -> anyhow::Result<Vec<SourceStatus>> {
    let from_daemon = async {
        let response = ask_daemon(config, "status.json")
            .await?
            .error_for_status()
            .ok()?;
        serde_json::from_slice::<Vec<SourceStatus>>(&response.bytes().await.ok()?).ok()
    };
    Ok(match from_daemon.await {
        Some(statuses) => statuses,
        None => {
            let store =
                open_store(config).context("no daemon answered and the store cannot be opened")?;
            bantin::status::statuses(config, &store)
        }
    })
}

fn print_status_table(statuses: &[SourceStatus]) {
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or_else(
            || "-".to_string(),
            |t| t.format("%m-%d %H:%M:%S").to_string(),
        )
    };
    let id_width = statuses
        .iter()
        .map(|s| s.id.len())
        .max()
        .unwrap_or(6)
        .max(6);
    println!(
        "{:id_width$}  {:12}  {:>4}  {:>4}  {:14}  {:14}  RESULT",
        "SOURCE", "STATE", "HTTP", "FAIL", "LAST POLL", "NEXT POLL"
    );
    for s in statuses {
        println!(
            "{:id_width$}  {:12}  {:>4}  {:>4}  {:14}  {:14}  {}",
            s.id,
            s.state,
            s.http_status
                .map_or_else(|| "-".to_string(), |c| c.to_string()),
            s.consecutive_failures,
            when(s.last_poll),
            when(s.next_poll),
            s.last_result.as_deref().unwrap_or("-"),
        );
        if let Some(m) = &s.moved {
            println!(
                "{:id_width$}  moved: {} -> {} ({})",
                "",
                m.from,
                m.to,
                when(Some(m.at))
            );
        }
        for w in &s.warnings {
            println!("{:id_width$}  warning: {w}", "");
        }
    }
}

/// GETs `path` from the daemon of this configuration, if one answers
/// within 5 s; `None` sends the caller to the store.
pub(super) async fn ask_daemon(config: &Config, path: &str) -> Option<reqwest::Response> {
    let mut addr = config.server.listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .ok()?
        .get(format!("http://{addr}/{path}"))
        .send()
        .await
        .ok()
}
