//! Stopping the daemon: a drain, then a deadline.
//!
//! The first SIGTERM or SIGINT starts the drain: the scheduler starts no
//! poll, the server accepts no connection, and what is in flight is given
//! `[server] shutdown_timeout` to finish. When that time is up, or at a
//! second signal, the stop is forced: open connections are dropped and
//! polls still running are left behind. Either way the store is flushed
//! before the process exits, so what was stored is never lost to a slow
//! client or a hung source.
//!
//! Two tokens rather than one: everything that takes work watches
//! [`Shutdown::drain`]; only what waits for work in flight to finish
//! watches [`Shutdown::forced`].

use std::time::Duration;

use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    drain: CancellationToken,
    force: CancellationToken,
}

impl Shutdown {
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Cancelled when the stop begins: take no new work.
    pub fn drain(&self) -> &CancellationToken {
        &self.drain
    }

    /// Cancelled when the stop must not wait any longer.
    pub fn forced(&self) -> &CancellationToken {
        &self.force
    }

    /// Begins the stop; forces it when it was already begun.
    pub fn signal(&self) {
        if self.drain.is_cancelled() {
            self.force.cancel();
        } else {
            self.drain.cancel();
        }
    }

    /// Forces the stop `timeout` after it began. Run it as a task.
    pub async fn deadline(self, timeout: Duration) {
        tokio::select! {
            () = self.drain.cancelled() => {}
            () = self.force.cancelled() => return,
        }
        tokio::select! {
            () = tokio::time::sleep(timeout) => {
                tracing::warn!(?timeout, "shutdown_timeout passed: stopping without waiting for the rest");
                self.force.cancel();
            }
            () = self.force.cancelled() => {}
        }
    }

    /// Waits until the stop is forced, or forever.
    pub async fn until_forced(&self) {
        self.force.cancelled().await;
    }
}

/// A stop begun from elsewhere (a test, a caller of `daemon::run`): it
/// drains when `drain` is cancelled and is forced only by the deadline.
impl From<CancellationToken> for Shutdown {
    fn from(drain: CancellationToken) -> Shutdown {
        Shutdown {
            drain,
            force: CancellationToken::new(),
        }
    }
}

/// Turns SIGTERM and SIGINT into [`Shutdown::signal`]: the first begins
/// the stop, the second forces it. Returns once the stop is forced.
/// Install it before the store opens, so that a signal during a long
/// start still stops the daemon cleanly.
#[cfg(unix)]
pub async fn on_signals(shutdown: Shutdown) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for SIGTERM and SIGINT; stop bantin with SIGKILL");
        return;
    };
    while !shutdown.forced().is_cancelled() {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
            () = shutdown.until_forced() => return,
        };
        if shutdown.drain().is_cancelled() {
            tracing::warn!(signal = name, "second signal: stopping now");
        } else {
            tracing::info!(
                signal = name,
                "stopping: finishing the requests and writes in flight"
            );
        }
        shutdown.signal();
    }
}

/// Ignores SIGHUP, whose default action ends the process, until a
/// handler is installed (`crate::ops::reload::hangup_signal`, which
/// replaces this). Call first thing in `main`.
#[cfg(unix)]
pub fn ignore_hangup() {
    // SAFETY: setting a signal's disposition to SIG_IGN touches no memory
    // of the program and is async-signal-safe; the previous disposition,
    // returned, is not needed.
    let _ = unsafe { libc::signal(libc::SIGHUP, libc::SIG_IGN) };
}

#[cfg(not(unix))]
pub fn ignore_hangup() {}

#[cfg(not(unix))]
pub async fn on_signals(shutdown: Shutdown) {
    while !shutdown.forced().is_cancelled() {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        shutdown.signal();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_deadline_forces_the_stop_after_the_timeout() {
        let shutdown = Shutdown::new();
        let deadline = tokio::spawn(shutdown.clone().deadline(Duration::from_secs(10)));
        shutdown.signal();
        tokio::time::sleep(Duration::from_secs(9)).await;
        assert!(!shutdown.forced().is_cancelled());
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(shutdown.forced().is_cancelled());
        deadline.await.unwrap();
    }

    #[test]
    fn a_second_signal_forces_the_stop() {
        let shutdown = Shutdown::new();
        shutdown.signal();
        assert!(shutdown.drain().is_cancelled());
        assert!(!shutdown.forced().is_cancelled());
        shutdown.signal();
        assert!(shutdown.forced().is_cancelled());
    }
}
