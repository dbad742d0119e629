//! The engine behind a [`super::Store`], swappable while the store is
//! shared, and whether it can write.
//!
//! Both engines latch their first I/O error: once a write failed (a full
//! disk), every later write fails too, even after space returns. The only
//! way back is to drop the engine and open the directory again, which
//! reads back what was on disk. [`Handle`] is what every clone of a store
//! shares, so that a reopen ([`Handle::reopen`]) reaches them all at once;
//! it also records the last write failure, for `/readyz`, `/` and
//! `/metrics`, until a reopen proves the store writes again.
//!
//! An engine is dropped and flushed on a thread of its own, waited for a
//! bounded time: an engine's drop flushes, and on a failed disk that can take
//! forever. Neither a reopen nor a shutdown waits for it longer.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::backend::{Backend, Pairs, Tree, Writes, cause};
use super::{Result, StoreError};

/// How long a closing engine is given to flush and let go of its files.
pub const CLOSE_WITHIN: Duration = Duration::from_secs(5);

/// Opens the engine again, from the same directory and settings.
pub type Opener = Box<dyn Fn() -> Result<Box<dyn Backend>> + Send + Sync>;

/// Why the store cannot write, and since when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WriteFailure {
    /// The engine's error, the operating system's words in it ("No space
    /// left on device (os error 28)").
    pub reason: String,
    pub since: DateTime<Utc>,
}

pub struct Handle {
    /// `None` between closing an engine and opening the next.
    engine: RwLock<Option<Arc<dyn Backend>>>,
    failure: Mutex<Option<WriteFailure>>,
    opener: Option<Opener>,
}

impl Handle {
    pub fn new(engine: Box<dyn Backend>, opener: Option<Opener>) -> Handle {
        Handle {
            engine: RwLock::new(Some(Arc::from(engine))),
            failure: Mutex::new(None),
            opener,
        }
    }

    /// The last write failure, if no reopen has proved the store writes
    /// since.
    pub fn failure(&self) -> Option<WriteFailure> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn engine(&self) -> Result<Arc<dyn Backend>> {
        let engine = self.engine.read().unwrap_or_else(|p| p.into_inner());
        engine.clone().ok_or_else(|| StoreError::Closed {
            reason: self.failure().map_or_else(
                || "the store is closed".to_string(),
                |f| format!("closed until it can be reopened, after: {}", f.reason),
            ),
        })
    }

    /// Records a write's failure; the first one's time is kept.
    fn wrote<T>(&self, result: Result<T>) -> Result<T> {
        // A closed store is no news about the disk.
        if let Some(e) = result
            .as_ref()
            .err()
            .filter(|e| !matches!(e, StoreError::Closed { .. }))
        {
            let mut failure = self.failure.lock().unwrap_or_else(|p| p.into_inner());
            let reason = cause(e);
            match &mut *failure {
                Some(f) => f.reason = reason,
                None => {
                    tracing::error!(error = %e, "store: a write failed; serving the feeds rendered before and reopening the store until it writes");
                    *failure = Some(WriteFailure {
                        reason,
                        since: Utc::now(),
                    });
                }
            }
        }
        result
    }

    /// Drops the engine and opens the directory again, then proves it
    /// writes: a small write, flushed. Blocking; seconds for a large
    /// store. On success the failure is forgotten; on failure the store
    /// keeps the engine it could open (reads still work), or none, and
    /// the new reason is recorded.
    pub fn reopen(&self) -> Result<()> {
        let Some(opener) = &self.opener else {
            return Err(StoreError::Closed {
                reason: "this store cannot be reopened".to_string(),
            });
        };
        let old = self
            .engine
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(old) = old {
            // Its drop flushes what it can; what it cannot is what the
            // failed writes were, and their polls retry. One still stuck
            // holds its files: the next attempt tries again, and the
            // reason shown stays the disk's.
            if let Err(e @ StoreError::CloseTimeout { .. }) = close(old, CLOSE_WITHIN) {
                return Err(e);
            }
        }
        let engine: Arc<dyn Backend> = match opener() {
            Ok(engine) => Arc::from(engine),
            // The old engine's lock, not yet let go of (a scan in flight
            // holds it): not news about the disk either.
            Err(e @ StoreError::Locked { .. }) => return Err(e),
            Err(e) => return self.wrote(Err(e)),
        };
        let proved = engine
            .put(Tree::Meta, b"probe", &Utc::now().timestamp().to_be_bytes())
            .and_then(|()| engine.flush());
        *self.engine.write().unwrap_or_else(|p| p.into_inner()) = Some(engine);
        self.wrote(proved)?;
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    /// Flushes and lets go of the engine, waiting at most `within`; the
    /// store answers [`StoreError::Closed`] afterwards.
    pub fn close(&self, within: Duration) -> Result<()> {
        let old = self
            .engine
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        match old {
            Some(old) => close(old, within),
            None => Ok(()),
        }
    }
}

/// Flushes `engine` and drops it on a thread of its own, waiting at most
/// `within`. A thread still stuck then is left behind.
fn close(engine: Arc<dyn Backend>, within: Duration) -> Result<()> {
    let (done, wait) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("store-close".into())
        .spawn(move || {
            let flushed = engine.flush();
            drop(engine);
            let _ = done.send(flushed);
        });
    if let Err(e) = spawned {
        return Err(StoreError::Closed {
            reason: format!("cannot start a thread to close the store: {e}"),
        });
    }
    match wait.recv_timeout(within) {
        Ok(flushed) => flushed,
        Err(_) => {
            tracing::warn!(
                ?within,
                "store: the engine did not close in time; left behind"
            );
            Err(StoreError::CloseTimeout { within })
        }
    }
}

impl Backend for Handle {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.engine()?.get(tree, key)
    }

    fn put(&self, tree: Tree, key: &[u8], value: &[u8]) -> Result<()> {
        let result = self.engine().and_then(|e| e.put(tree, key, value));
        self.wrote(result)
    }

    fn apply(&self, writes: Vec<(Tree, Writes)>) -> Result<()> {
        let result = self.engine().and_then(|e| e.apply(writes));
        self.wrote(result)
    }

    fn scan(&self, tree: Tree, prefix: &[u8]) -> Pairs {
        match self.engine() {
            Ok(engine) => engine.scan(tree, prefix),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    fn range(&self, tree: Tree, from: &[u8], to: Option<&[u8]>) -> Pairs {
        match self.engine() {
            Ok(engine) => engine.range(tree, from, to),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    fn len(&self, tree: Tree) -> usize {
        self.engine().map_or(0, |e| e.len(tree))
    }

    fn clear(&self, tree: Tree) -> Result<()> {
        let result = self.engine().and_then(|e| e.clear(tree));
        self.wrote(result)
    }

    fn flush(&self) -> Result<()> {
        let result = self.engine().and_then(|e| e.flush());
        self.wrote(result)
    }

    fn size_on_disk(&self) -> u64 {
        self.engine().map_or(0, |e| e.size_on_disk())
    }
}
