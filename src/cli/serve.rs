//! `bantin serve`: the daemon, until SIGTERM or SIGINT ([`bantin::shutdown`]).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use bantin::config::Config;
use bantin::shutdown::Shutdown;

pub(super) async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    // First, so that a signal during a long start still stops cleanly.
    let shutdown = Shutdown::new();
    tokio::spawn(bantin::shutdown::on_signals(shutdown.clone()));
    // Each host keeps a pooled connection: thousands of sources need more
    // descriptors than the usual soft limit of 1024. The hard limit is
    // the sysadmin's (systemd: LimitNOFILE); failing to raise is no error.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let listener = tokio::net::TcpListener::bind(config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))?;
    bantin::daemon::run(Arc::new(config), listener, shutdown).await?;
    Ok(ExitCode::SUCCESS)
}
