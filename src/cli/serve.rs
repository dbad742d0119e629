//! `bantin serve`: the daemon, until SIGTERM or SIGINT.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use bantin::config::Config;
use tokio_util::sync::CancellationToken;

pub(super) async fn serve(config: Config) -> anyhow::Result<ExitCode> {
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
