//! Keeps a long-lived task alive: a task that panics is logged, reported
//! and started again after a pause, instead of leaving its source silently
//! "not polled yet" until the next restart.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// The first pause before a restart; it doubles at each panic in a row,
/// up to [`MAX_PAUSE`], so a task that panics at once every time costs a
/// log line a few minutes, not a spinning core.
const FIRST_PAUSE: Duration = Duration::from_secs(1);
const MAX_PAUSE: Duration = Duration::from_secs(300);

/// Runs `start()` until it returns or `stop` is cancelled; each time the
/// task it gives panics, calls `on_panic` with the panic's message and,
/// after a pause, starts it again. `what` names the task in the log.
pub async fn supervise<F, Fut>(
    what: String,
    stop: CancellationToken,
    mut start: F,
    mut on_panic: impl FnMut(&str),
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut pause = FIRST_PAUSE;
    loop {
        let task = tokio::spawn(start());
        let message = match task.await {
            Ok(()) => return,
            Err(e) if e.is_panic() => panic_message(e.into_panic()),
            // Aborted: the runtime is going away.
            Err(_) => return,
        };
        tracing::error!(task = %what, panic = %message, ?pause, "task panicked; restarting it");
        on_panic(&message);
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = stop.cancelled() => return,
        }
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    match panic.downcast::<String>() {
        Ok(s) => *s,
        Err(panic) => match panic.downcast::<&'static str>() {
            Ok(s) => (*s).to_string(),
            Err(_) => "a panic without a message".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(start_paused = true)]
    async fn a_panicking_task_is_reported_and_restarted_until_it_ends() {
        let runs = Arc::new(AtomicUsize::new(0));
        let mut panics = Vec::new();
        let counter = Arc::clone(&runs);
        supervise(
            "test".into(),
            CancellationToken::new(),
            move || {
                let runs = Arc::clone(&counter);
                async move {
                    if runs.fetch_add(1, Ordering::SeqCst) < 2 {
                        panic!("TimeDelta overflow");
                    }
                }
            },
            |message| panics.push(message.to_string()),
        )
        .await;
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        assert_eq!(panics, ["TimeDelta overflow", "TimeDelta overflow"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_ends_the_pause_before_a_restart() {
        let stop = CancellationToken::new();
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&runs);
        let supervised = tokio::spawn(supervise(
            "test".into(),
            stop.clone(),
            move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async { panic!("always") }
            },
            |_| {},
        ));
        tokio::time::sleep(Duration::from_millis(10)).await;
        stop.cancel();
        supervised.await.unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }
}
