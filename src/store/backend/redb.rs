//! redb, the engine of new stores: one file, `store.redb`, in the
//! store's directory, with a table of byte keys and values per [`Tree`].
//!
//! Why redb and not sled: sled 0.34 keeps in memory the pages it has read,
//! past its cache (66 MB of a 94 MiB export's peak, bench/README.md),
//! so a daemon's memory grew with its store; redb keeps to its cache.
//!
//! A batch is one transaction, so it lands whole or not at all (more than
//! the tree-by-tree order [`Backend::apply`] asks). Most commits are not
//! durable (`Durability::None`): readers see them at once and their pages
//! are written, but the file's root moves only at a durable commit (an
//! fsync). Every [`DURABLE_AFTER`]th commit is durable, the flusher thread
//! makes one within [`DURABLE_EVERY`] of a batch that lacks one, and
//! [`Backend::flush`] one at once. So a crash loses at most the last half
//! second of batches, whole, as sled's flusher did, without an fsync per
//! poll. The count matters as much as the time: redb frees the pages a
//! commit replaced only at a durable commit, and an import of 3,000
//! stories in one-story batches, durable only every 500 ms, took 153 MB
//! of disk for 22 MB of data (22 MB durable at every commit, 25 MB every
//! 16th, at the speed of none: bench/README.md, "The store's engine").
//!
//! Opening after a crash checks the whole file (0.3 s for 153 MB, in the
//! page cache). redb's quick repair would skip that, but costs each
//! durable commit a write of the allocator's state: 11 ms, not 0.6.

// The closures below speak redb's own error, which is large (one variant
// holds a read transaction); it is boxed as it leaves for the store's.
#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use ::redb::{Database, DatabaseError, Durability, ReadableTableMetadata as _, TableDefinition};

use super::{Backend, Pairs, Tree, Writes};
use crate::store::{Result, StoreError};

/// The store's file in its directory.
pub const FILE: &str = "store.redb";

/// At most this long between a batch and the durable commit after it.
pub const DURABLE_EVERY: Duration = Duration::from_millis(500);

/// At most this many commits in a row are not durable.
pub const DURABLE_AFTER: u32 = 16;

fn table(tree: Tree) -> TableDefinition<'static, &'static [u8], &'static [u8]> {
    TableDefinition::new(tree.name())
}

pub struct Redb {
    shared: Arc<Shared>,
    file: PathBuf,
    flusher: Option<std::thread::JoinHandle<()>>,
    /// A directory removed when the engine is dropped ([`Redb::temporary`]).
    temporary: Option<PathBuf>,
}

/// What the engine and its flusher thread share.
struct Shared {
    db: Database,
    /// Commits since the last durable one.
    pending: AtomicU32,
    /// Set when the engine is dropped; the flusher waits on it.
    stop: (Mutex<bool>, Condvar),
    /// The OS error code of the first failed write. redb answers every
    /// write after one with "previous I/O error", which is no news to an
    /// operator: the first cause is told instead, as sled tells it.
    latched: Mutex<Option<i32>>,
}

impl Redb {
    /// Opens (or creates) the store in the directory `path`, with a cache
    /// of `cache` bytes. A store open in another process is
    /// [`StoreError::Locked`]; one still let go of in this process (a
    /// scan outliving a reopen holds the file) gets a second to be free.
    pub fn open(path: &Path, cache: u64) -> Result<Redb> {
        let opening = |source: ::redb::Error| StoreError::Open {
            path: path.display().to_string(),
            error: source.into(),
        };
        std::fs::create_dir_all(path).map_err(|e| opening(e.into()))?;
        let file = path.join(FILE);
        let mut attempt = 0;
        // redb "repairs" a file it has just made, too (it has no saved
        // allocator state yet): only a file that was there is news.
        let told = Arc::new(AtomicBool::new(!file.is_file()));
        let db = loop {
            let told = Arc::clone(&told);
            let opened = std::panic::catch_unwind(|| {
                Database::builder()
                    .set_cache_size(usize::try_from(cache).unwrap_or(usize::MAX))
                    .create_with_file_format_v3(true)
                    .set_repair_callback(move |_| {
                        if !told.swap(true, Ordering::Relaxed) {
                            tracing::warn!(
                                "store: not closed cleanly; checking it before it opens"
                            );
                        }
                    })
                    .create(&file)
            })
            .unwrap_or_else(|_| {
                Err(DatabaseError::Storage(::redb::StorageError::Corrupted(
                    "redb cannot make sense of the file: it is damaged".to_string(),
                )))
            });
            match opened {
                Ok(db) => break db,
                Err(DatabaseError::DatabaseAlreadyOpen) if attempt < 10 => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(DatabaseError::DatabaseAlreadyOpen) => {
                    return Err(StoreError::Locked {
                        path: path.display().to_string(),
                    });
                }
                Err(e) => return Err(opening(e.into())),
            }
        };
        let shared = Arc::new(Shared {
            db,
            pending: AtomicU32::new(0),
            stop: (Mutex::new(false), Condvar::new()),
            latched: Mutex::new(None),
        });
        // Every table exists from the start, so that a read never meets
        // a missing one.
        shared.write(Tree::Meta, |txn| {
            for tree in Tree::ALL {
                txn.open_table(table(tree))?;
            }
            Ok(())
        })?;
        shared.durable()?;
        let flusher = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("store-flush".into())
                .spawn(move || shared.flush_until_stopped())
                .map_err(|e| opening(e.into()))?
        };
        Ok(Redb {
            shared,
            file,
            flusher: Some(flusher),
            temporary: None,
        })
    }

    /// A store in a new directory under the system's temporary one,
    /// removed when dropped.
    pub fn temporary(cache: u64) -> Result<Redb> {
        let dir = std::env::temp_dir().join(format!(
            "bantin-store-{}-{:016x}",
            std::process::id(),
            fastrand::u64(..)
        ));
        let mut engine = Redb::open(&dir, cache)?;
        engine.temporary = Some(dir);
        Ok(engine)
    }

    fn pairs(&self, tree: Tree, from: &[u8], to: Option<Vec<u8>>) -> Pairs {
        // The range holds its read transaction: it reads the store as it
        // was when the scan began, however long the scan takes.
        let range = || -> Result<_> {
            let txn = self.shared.db.begin_read().map_err(to_store)?;
            let table = txn.open_table(table(tree)).map_err(to_store)?;
            let range = match &to {
                Some(to) => table.range::<&[u8]>(from..to.as_slice()),
                None => table.range::<&[u8]>(from..),
            };
            range.map_err(to_store)
        };
        match guarded(tree, range) {
            Ok(range) => Box::new(Guarded {
                tree,
                range: Some(range),
            }),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }
}

/// redb 2 panics (`unreachable!`) on some pages it cannot make sense of,
/// as in a damaged file: such a read or write is the store's error, not
/// the end of the daemon or of a salvage.
fn guarded<T>(tree: Tree, run: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .unwrap_or_else(|_| Err(damaged(tree)))
}

fn damaged(tree: Tree) -> StoreError {
    StoreError::Corrupt {
        tree: tree.name(),
        reason: "redb cannot make sense of a page of it: the file is damaged".to_string(),
    }
}

/// A scan whose every step is [`guarded`]. A step that panicked may
/// have left the range anywhere: the scan ends there, with that error.
struct Guarded {
    tree: Tree,
    range: Option<::redb::Range<'static, &'static [u8], &'static [u8]>>,
}

type Entry = std::result::Result<
    (
        ::redb::AccessGuard<'static, &'static [u8]>,
        ::redb::AccessGuard<'static, &'static [u8]>,
    ),
    ::redb::StorageError,
>;

impl Guarded {
    fn step(
        &mut self,
        step: impl FnOnce(&mut ::redb::Range<'static, &'static [u8], &'static [u8]>) -> Option<Entry>,
    ) -> Option<Result<super::Pair>> {
        let range = self.range.as_mut()?;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| step(range))) {
            Ok(None) => None,
            Ok(Some(Ok((key, value)))) => Some(Ok((key.value().to_vec(), value.value().to_vec()))),
            Ok(Some(Err(e))) => Some(Err(to_store(e))),
            Err(_) => {
                self.range = None;
                Some(Err(damaged(self.tree)))
            }
        }
    }
}

impl Iterator for Guarded {
    type Item = Result<super::Pair>;

    fn next(&mut self) -> Option<Self::Item> {
        self.step(Iterator::next)
    }
}

impl DoubleEndedIterator for Guarded {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.step(DoubleEndedIterator::next_back)
    }
}

impl Shared {
    /// Runs `write` in a transaction and commits it, durably if
    /// [`DURABLE_AFTER`] commits before it were not.
    /// `tree` is the first the write is to, named if redb panics.
    fn write(
        &self,
        tree: Tree,
        write: impl FnOnce(&::redb::WriteTransaction) -> std::result::Result<(), ::redb::Error>,
    ) -> Result<()> {
        guarded(tree, || self.commit(Some(write), false))
    }

    /// A durable commit: every batch before it is on disk once it returns.
    fn durable(&self) -> Result<()> {
        guarded(Tree::Meta, || self.commit(None::<fn(&_) -> _>, true))
    }

    fn commit(
        &self,
        write: Option<
            impl FnOnce(&::redb::WriteTransaction) -> std::result::Result<(), ::redb::Error>,
        >,
        durable: bool,
    ) -> Result<()> {
        let attempt = || -> std::result::Result<bool, ::redb::Error> {
            let mut txn = self.db.begin_write()?;
            // Read once the write lock is held: commits are counted in
            // the order they are made.
            let durable = durable || self.pending.load(Ordering::Acquire) + 1 >= DURABLE_AFTER;
            txn.set_durability(if durable {
                Durability::Immediate
            } else {
                Durability::None
            });
            if let Some(write) = write {
                write(&txn)?;
            }
            txn.commit()?;
            Ok(durable)
        };
        match attempt() {
            Ok(true) => self.pending.store(0, Ordering::Release),
            Ok(false) => drop(self.pending.fetch_add(1, Ordering::AcqRel)),
            Err(e) => return self.wrote(Err(e)),
        }
        Ok(())
    }

    /// The error of a write, its first cause told for a latched one.
    fn wrote(&self, result: std::result::Result<(), ::redb::Error>) -> Result<()> {
        let Err(e) = result else { return Ok(()) };
        let mut latched = self.latched.lock().unwrap_or_else(|p| p.into_inner());
        let e = match (e, *latched) {
            (::redb::Error::PreviousIo, Some(code)) => {
                ::redb::Error::Io(std::io::Error::from_raw_os_error(code))
            }
            (::redb::Error::Io(io), _) => {
                if latched.is_none() {
                    *latched = io.raw_os_error();
                }
                ::redb::Error::Io(io)
            }
            (e, _) => e,
        };
        Err(to_store(e))
    }

    fn flush_until_stopped(&self) {
        let (stopped, wake) = &self.stop;
        let mut stop = stopped.lock().unwrap_or_else(|p| p.into_inner());
        while !*stop {
            stop = wake
                .wait_timeout(stop, DURABLE_EVERY)
                .unwrap_or_else(|p| p.into_inner())
                .0;
            if self.pending.load(Ordering::Acquire) > 0 {
                // Errors are the batches' to report: the next batch
                // meets the same disk.
                let _ = self.durable();
            }
        }
    }
}

fn to_store(e: impl Into<::redb::Error>) -> StoreError {
    StoreError::Engine(e.into().into())
}

/// The smallest key after every key that starts with `prefix`; `None`
/// when there is none (the prefix is empty or all 0xff).
fn after(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

impl Backend for Redb {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        guarded(tree, || {
            let txn = self.shared.db.begin_read().map_err(to_store)?;
            let table = txn.open_table(table(tree)).map_err(to_store)?;
            let value = table.get(key).map_err(to_store)?;
            Ok(value.map(|v| v.value().to_vec()))
        })
    }

    fn put(&self, tree: Tree, key: &[u8], value: &[u8]) -> Result<()> {
        self.shared.write(tree, |txn| {
            txn.open_table(table(tree))?.insert(key, value)?;
            Ok(())
        })
    }

    fn apply(&self, writes: Vec<(Tree, Writes)>) -> Result<()> {
        let Some(&(first, _)) = writes.first() else {
            return Ok(());
        };
        self.shared.write(first, |txn| {
            for (tree, writes) in writes {
                let mut table = txn.open_table(table(tree))?;
                for (key, value) in writes {
                    match value {
                        Some(value) => drop(table.insert(key.as_slice(), value.as_slice())?),
                        None => drop(table.remove(key.as_slice())?),
                    }
                }
            }
            Ok(())
        })
    }

    fn scan(&self, tree: Tree, prefix: &[u8]) -> Pairs {
        self.pairs(tree, prefix, after(prefix))
    }

    fn range(&self, tree: Tree, from: &[u8], to: Option<&[u8]>) -> Pairs {
        self.pairs(tree, from, to.map(<[u8]>::to_vec))
    }

    fn len(&self, tree: Tree) -> usize {
        let len = || -> std::result::Result<u64, ::redb::Error> {
            let txn = self.shared.db.begin_read()?;
            Ok(txn.open_table(table(tree))?.len()?)
        };
        guarded(tree, || len().map_err(to_store))
            .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn clear(&self, tree: Tree) -> Result<()> {
        self.shared.write(tree, |txn| {
            txn.delete_table(table(tree))?;
            txn.open_table(table(tree))?;
            Ok(())
        })
    }

    fn flush(&self) -> Result<()> {
        self.shared.durable()
    }

    /// The blocks the file takes, not its length: redb grows the file by
    /// doubling it, and what it has not written yet takes no disk.
    fn size_on_disk(&self) -> u64 {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata(&self.file).map_or(0, |m| m.blocks() * 512)
    }
}

impl Drop for Redb {
    fn drop(&mut self) {
        let (stopped, wake) = &self.shared.stop;
        *stopped.lock().unwrap_or_else(|p| p.into_inner()) = true;
        wake.notify_all();
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
        // The database itself closes as `shared` drops, with a durable
        // commit of its own; a scan still running keeps it open until
        // the scan ends.
        if let Some(dir) = &self.temporary {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_after_a_prefix_bounds_exactly_its_keys() {
        assert_eq!(after(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(after(&[1, 0xff]), Some(vec![2]));
        assert_eq!(after(&[0xff, 0xff]), None);
        assert_eq!(after(&[]), None);
    }
}
