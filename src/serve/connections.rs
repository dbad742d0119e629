//! How many client connections are open, and for how long.
//!
//! A connection costs a descriptor and a task; a client may open many and
//! send nothing (or trickle its head). So: at most `max_connections` are
//! open (fewer when the descriptor limit is low: polls need descriptors
//! too), and those past the cap are closed at once; the last [`RESERVE`]
//! slots serve only `/healthz`, with a short head timeout and no
//! keep-alive, so that they turn over in seconds and a health check gets
//! in during a flood; and every connection takes no new request
//! [`DEADLINE`] after it was accepted, and ends [`LAST_RESPONSE`] later at
//! most, whatever its client does (a reader that never reads the feed it
//! asked for holds nothing longer).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Slots past the others that serve only `/healthz`.
pub const RESERVE: usize = 16;
/// Head timeout in a reserved slot: a health check sends its request at once.
pub const RESERVE_HEAD_TIMEOUT: Duration = Duration::from_secs(2);
/// The whole life of a connection: long enough for a slow reader to take
/// the largest feed; a reader's next poll opens another.
pub const DEADLINE: Duration = Duration::from_secs(60);
/// After its deadline, how long a connection may take to finish the
/// response it is sending (it takes no other).
pub const LAST_RESPONSE: Duration = Duration::from_secs(30);

/// What an accepted connection may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Every route.
    Full,
    /// `/healthz` only: the server is near its cap.
    Reserved,
    /// Closed at once: the server is at its cap.
    Refused,
}

/// The open connections, counted.
#[derive(Debug)]
pub struct Connections {
    open: Arc<AtomicUsize>,
    max: usize,
}

impl Connections {
    /// At most `configured` connections, and at most half the process's
    /// descriptors.
    pub fn new(configured: usize) -> Connections {
        let descriptors = descriptor_limit().map_or(usize::MAX, |n| n / 2);
        let max = configured.min(descriptors).max(2);
        Connections {
            open: Arc::new(AtomicUsize::new(0)),
            max,
        }
    }

    pub fn max(&self) -> usize {
        self.max
    }

    /// Admits one more connection: its slot, held until it closes, and
    /// what it may do.
    pub fn admit(&self) -> (Option<Slot>, Admission) {
        // Only the accept loop adds, so load-then-add does not race.
        let open = self.open.load(Ordering::Relaxed);
        if open >= self.max {
            return (None, Admission::Refused);
        }
        self.open.fetch_add(1, Ordering::Relaxed);
        let slot = Slot(Arc::clone(&self.open));
        let reserve = RESERVE.min(self.max / 2);
        if open >= self.max - reserve {
            (Some(slot), Admission::Reserved)
        } else {
            (Some(slot), Admission::Full)
        }
    }
}

/// One open connection's place; freed when dropped.
#[derive(Debug)]
pub struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

fn descriptor_limit() -> Option<usize> {
    #[cfg(unix)]
    {
        let (soft, _) = rlimit::getrlimit(rlimit::Resource::NOFILE).ok()?;
        usize::try_from(soft).ok()
    }
    #[cfg(not(unix))]
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_slots_are_reserved_and_past_the_cap_refused() {
        let connections = Connections {
            open: Arc::new(AtomicUsize::new(0)),
            max: 40,
        };
        let mut held = Vec::new();
        let mut admitted = Vec::new();
        for _ in 0..42 {
            let (slot, admission) = connections.admit();
            held.push(slot);
            admitted.push(admission);
        }
        assert!(admitted[..24].iter().all(|a| *a == Admission::Full));
        assert!(admitted[24..40].iter().all(|a| *a == Admission::Reserved));
        assert!(admitted[40..].iter().all(|a| *a == Admission::Refused));
        held.truncate(10);
        assert_eq!(connections.admit().1, Admission::Full);
    }
}
