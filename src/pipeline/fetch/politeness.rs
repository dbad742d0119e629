//! Per-host politeness: at most `per_host` requests in flight to one host,
//! and at least `host_gap` between the starts of two requests to it.
//!
//! Every request bantin sends, redirect hops included, passes this gate,
//! so the limits hold whatever mix of sources shares a host.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

pub struct HostGate {
    per_host: usize,
    gap: Duration,
    // A std mutex: held only to look up or insert a host, never across an
    // `.await`. Grows with the hosts bantin talks to, which the config
    // bounds.
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

struct Host {
    in_flight: Arc<Semaphore>,
    /// The earliest time the next request may start.
    next_start: Mutex<Instant>,
}

/// Held while a request to a host is in flight.
pub struct HostPass {
    // `None` only if the semaphore were closed, which it never is.
    _permit: Option<OwnedSemaphorePermit>,
}

impl HostGate {
    pub fn new(per_host: usize, gap: Duration) -> HostGate {
        HostGate {
            per_host: per_host.max(1),
            gap,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until a request to `host` may start, and reserves its place.
    pub async fn enter(&self, host: &str) -> HostPass {
        let entry = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(hosts.entry(host.to_ascii_lowercase()).or_insert_with(|| {
                Arc::new(Host {
                    in_flight: Arc::new(Semaphore::new(self.per_host)),
                    next_start: Mutex::new(Instant::now()),
                })
            }))
        };
        let permit = Arc::clone(&entry.in_flight).acquire_owned().await;
        let start = {
            let mut next = entry.next_start.lock().unwrap_or_else(|p| p.into_inner());
            let start = (*next).max(Instant::now());
            *next = start + self.gap;
            start
        };
        tokio::time::sleep_until(start).await;
        HostPass {
            _permit: permit.ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_to_one_host_are_spaced_by_the_gap() {
        let gate = HostGate::new(4, Duration::from_secs(1));
        let t0 = Instant::now();
        let _a = gate.enter("a.test").await;
        let _b = gate.enter("A.test").await;
        let _c = gate.enter("b.test").await;
        assert_eq!(
            t0.elapsed(),
            Duration::from_secs(1),
            "b.test has its own gap"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn per_host_bounds_requests_in_flight() {
        let gate = Arc::new(HostGate::new(1, Duration::ZERO));
        let first = gate.enter("a.test").await;
        let waiting = tokio::spawn({
            let gate = Arc::clone(&gate);
            async move { gate.enter("a.test").await }
        });
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(!waiting.is_finished());
        drop(first);
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("enters once the first request is done")
            .unwrap();
    }
}
