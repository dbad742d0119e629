//! Telling systemd how the daemon is (`Type=notify`): `READY=1` once the
//! store is open and the listener bound, a one-line `STATUS=` kept
//! current, `WATCHDOG=1` at half of `WatchdogSec`, `STOPPING=1` at
//! shutdown. Without `NOTIFY_SOCKET` (not under systemd) it all does
//! nothing, and a failure to notify is logged, never fatal.

use std::sync::Arc;
use std::time::Duration;

use sd_notify::NotifyState;
use tokio_util::sync::CancellationToken;

use crate::config::ALL_TOPIC;
use crate::pipeline::Pipeline;
use crate::status::Health;

/// How often the status line is refreshed.
const STATUS_EVERY: Duration = Duration::from_secs(30);

fn send(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(error = %e, "cannot notify systemd");
    }
}

/// One line for `systemctl status`: sources by health, stories, address.
pub fn summary(pipeline: &Pipeline, addr: &str) -> String {
    let statuses = crate::status::states_only(&pipeline.config(), &pipeline.store);
    let failing = statuses
        .iter()
        .filter(|s| s.error_kind.is_some() || s.state == Health::BrokenRules.label())
        .count();
    let store = match pipeline.store.write_failure() {
        Some(failure) => format!("STORE CANNOT WRITE ({}); ", failure.reason),
        None => String::new(),
    };
    format!(
        "{store}{} sources ({} ok, {failing} failing), {} stories; listening on {addr}",
        statuses.len(),
        statuses.len() - failing,
        pipeline.store.count(ALL_TOPIC)
    )
}

/// Ready to serve: says so, then keeps the status line and the watchdog
/// going until `shutdown`.
pub async fn ready_and_watch(pipeline: Arc<Pipeline>, addr: String, shutdown: CancellationToken) {
    send(&[
        NotifyState::Ready,
        NotifyState::Status(&summary(&pipeline, &addr)),
    ]);
    let watchdog = sd_notify::watchdog_enabled().map(|d| d / 2);
    let mut status = tokio::time::interval(STATUS_EVERY);
    let mut ping = tokio::time::interval(watchdog.unwrap_or(Duration::from_secs(3600)));
    loop {
        tokio::select! {
            _ = status.tick() => {
                let line = summary(&pipeline, &addr);
                send(&[NotifyState::Status(&line)]);
            }
            _ = ping.tick(), if watchdog.is_some() => send(&[NotifyState::Watchdog]),
            () = shutdown.cancelled() => {
                send(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
                return;
            }
        }
    }
}
