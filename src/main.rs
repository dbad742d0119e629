//! The `bantin` command: a thin CLI over the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use bantin::config::Config;
use bantin::pipeline::Pipeline;
use bantin::status::SourceStatus;
use bantin::store::Store;
use clap::{Parser, Subcommand, ValueEnum};
use tokio_util::sync::CancellationToken;

/// Exit status for an invalid feeds.toml, as `check` documents.
const EXIT_BAD_CONFIG: u8 = 2;

#[derive(Parser)]
#[command(
    version,
    about = "Vietnamese provincial and ministry news, merged into one Atom feed per topic"
)]
struct Cli {
    /// The configuration file.
    #[arg(long, short, global = true, default_value = "feeds.toml")]
    config: PathBuf,
    /// The store directory, overriding `[store] path` of the configuration.
    #[arg(long, global = true)]
    store: Option<PathBuf>,
    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the daemon: poll every source on its interval and serve the feeds.
    Serve,
    /// Poll every source once, print what each gave, and exit (1 if any failed).
    Poll,
    /// Validate the configuration; print every problem with line and column (exit 2).
    Check,
    /// Show every source's state: asks the running daemon, or reads the store when none runs.
    Status,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `poll` and `check` print their own report: only warnings go to the log.
    let quiet = !matches!(cli.command, Command::Serve);
    init_logging(cli.log_format, quiet);
    let config = match Config::load(&cli.config) {
        Ok(mut config) => {
            if let Some(store) = cli.store {
                config.store.path = store;
            }
            config
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
    };
    let outcome = match cli.command {
        Command::Check => {
            check(&config);
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve => runtime().and_then(|rt| rt.block_on(serve(config))),
        Command::Poll => runtime().and_then(|rt| rt.block_on(poll(config))),
        Command::Status => runtime().and_then(|rt| rt.block_on(status(config))),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("bantin: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn init_logging(format: LogFormat, quiet: bool) {
    let default = if quiet { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn check(config: &Config) {
    println!(
        "{}: ok: {} sources, {} topics (and `all`)",
        config.path.display(),
        config.sources.len(),
        config.topics.len() - 1
    );
}

async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    // Each host keeps a pooled connection: thousands of sources need more
    // descriptors than the usual soft limit of 1024. The hard limit is
    // the sysadmin's (systemd: LimitNOFILE); failing to raise is no error.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let listener = tokio::net::TcpListener::bind(config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))?;
    let shutdown = CancellationToken::new();
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    bantin::daemon::run(Arc::new(config), listener, shutdown).await?;
    Ok(ExitCode::SUCCESS)
}

/// SIGINT or SIGTERM starts a graceful shutdown.
async fn cancel_on_signal(shutdown: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down");
    shutdown.cancel();
}

async fn poll(config: Config) -> anyhow::Result<ExitCode> {
    let store = open_store(&config.store.path)?;
    let pipeline = Pipeline::new(Arc::new(config), store.clone())?;
    let reports = pipeline.poll_all().await;
    store.flush()?;
    let width = reports.iter().map(|r| r.source.len()).max().unwrap_or(0);
    for report in &reports {
        println!("{:width$}  {}", report.source, report.result.summary());
    }
    let failed = reports.iter().any(|r| r.result.is_failure());
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn open_store(path: &Path) -> anyhow::Result<Store> {
    Ok(Store::open(path)?)
}

/// The daemon holds the store's lock while it runs, so its own
/// `/status.json` is asked first; the store is read only when no daemon
/// answers.
async fn status(config: Config) -> anyhow::Result<ExitCode> {
    let mut addr = config.server.listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let url = format!("http://{addr}/status.json");
    let from_daemon = async {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(5))
            .build()
            .ok()?;
        let response = client
            .get(&url)
            .send()
            .await
            .ok()?
            .error_for_status()
            .ok()?;
        serde_json::from_slice::<Vec<SourceStatus>>(&response.bytes().await.ok()?).ok()
    };
    let statuses = match from_daemon.await {
        Some(statuses) => statuses,
        None => {
            let store = open_store(&config.store.path)
                .context("no daemon answered and the store cannot be opened")?;
            bantin::pipeline::statuses(&config, &store)
        }
    };
    print_status_table(&statuses);
    let failing = statuses.iter().any(|s| s.error_kind.is_some());
    Ok(if failing {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
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
