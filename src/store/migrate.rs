//! Moving a store from sled to redb, in place: `bantin migrate`.
//!
//! Every tree is copied entry by entry (stories, copies, indexes, source
//! states, history, meta: nothing is rebuilt, so nothing can come out
//! different) into a redb file in a directory beside the store's files,
//! `.migrating`. Each tree's count is checked against the old one's. The
//! switch is one rename of the finished file into the store's directory:
//! a directory with `store.redb` opens as redb ([`super::backend::found_in`]).
//! sled's files are then moved into `sled-before-migration`, kept for the
//! operator to remove. Cut off before the rename, the store is the sled
//! store it was, and a second run starts over; after it, the redb store
//! is whole.

use std::path::{Path, PathBuf};

use super::backend::{self, Backend, Engine, Redb, Sled, Tree};
use super::{Result, StoreError};

/// The directory the new store is written in, under the store's.
const WORK: &str = ".migrating";

/// Where sled's files go once the redb store is in place.
pub const SLED_KEPT: &str = "sled-before-migration";

/// Bytes of keys and values per transaction of the copy.
const CHUNK_BYTES: usize = 4 << 20;

/// What a migration did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Migrated {
    /// The store is redb already (or new): nothing to do.
    Already,
    /// Moved: entries copied, and where sled's files now are.
    Moved { entries: u64, sled_kept: PathBuf },
}

/// Moves the sled store in `path` to redb, with a cache of `cache` bytes
/// for both. `copied` is told the entries copied so far, of `total`.
pub fn to_redb(path: &Path, cache: u64, copied: &dyn Fn(u64, u64)) -> Result<Migrated> {
    if backend::found_in(path) != Some(Engine::Sled) {
        return Ok(Migrated::Already);
    }
    let from = Sled::open(path, cache)?;
    let work = path.join(WORK);
    // A run cut off before left a part-written file: start over.
    remove(&work)?;
    let to = Redb::open(&work, cache)?;
    let total: u64 = Tree::ALL.iter().map(|&t| from.len(t) as u64).sum();
    let mut entries = 0;
    for tree in Tree::ALL {
        let mut chunk = Vec::new();
        let mut bytes = 0;
        for pair in from.range(tree, &[], None) {
            let (key, value) = pair?;
            bytes += key.len() + value.len();
            chunk.push((key, Some(value)));
            if bytes >= CHUNK_BYTES {
                entries += chunk.len() as u64;
                to.apply(vec![(tree, std::mem::take(&mut chunk))])?;
                bytes = 0;
                copied(entries, total);
            }
        }
        entries += chunk.len() as u64;
        to.apply(vec![(tree, chunk)])?;
        copied(entries, total);
        let (old, new) = (from.len(tree), to.len(tree));
        if old != new {
            return Err(StoreError::Migrate {
                path: path.display().to_string(),
                reason: format!(
                    "`{}` has {old} entries in sled, {new} copied; the store is the sled store it was",
                    tree.name()
                ),
            });
        }
    }
    to.flush()?;
    drop(to);
    drop(from);
    let failed = |reason: String| StoreError::Migrate {
        path: path.display().to_string(),
        reason,
    };
    // The switch: from here the store is the redb one.
    std::fs::rename(
        work.join(backend::redb::FILE),
        path.join(backend::redb::FILE),
    )
    .map_err(|e| {
        failed(format!(
            "cannot move the new store into place ({e}); the store is the sled store it was"
        ))
    })?;
    let _ = std::fs::remove_dir_all(&work);
    let kept = path.join(SLED_KEPT);
    let aside = || -> std::io::Result<()> {
        std::fs::create_dir_all(&kept)?;
        for file in backend::sled::files(path)? {
            if let Some(name) = file.file_name() {
                std::fs::rename(&file, kept.join(name))?;
            }
        }
        Ok(())
    };
    aside().map_err(|e| {
        failed(format!(
            "the store is redb now, but sled's files could not be moved into {} ({e}); remove them by hand",
            kept.display()
        ))
    })?;
    Ok(Migrated::Moved {
        entries,
        sled_kept: kept,
    })
}

fn remove(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError::Migrate {
            path: dir.display().to_string(),
            reason: format!("cannot remove what a migration cut off left: {e}"),
        }),
        _ => Ok(()),
    }
}
