//! sled 0.34, the engine of the stores bantin wrote before redb: each
//! [`Tree`] a sled tree, a batch one sled batch per tree.

use std::path::Path;

use super::{Backend, Pairs, Tree, Writes};
use crate::store::{Result, StoreError};

/// A sled store: a directory of `db`, `conf` and `snap.*` files.
pub struct Sled {
    db: ::sled::Db,
    trees: Vec<::sled::Tree>,
}

impl Sled {
    /// Opens (or creates) a sled store. sled lets go of its file lock
    /// from its flusher thread, a moment after the last handle drops: a
    /// store reopened at once (a restart in one process, tests) gets a
    /// second to be free. Another live daemon on the store still fails.
    pub fn open(path: &Path, cache: u64) -> Result<Sled> {
        // A new config for each open: an old one holds the error sled
        // latched.
        Sled::open_as(::sled::Config::new().path(path).cache_capacity(cache), path)
    }

    /// Opens the store `config` names, `path` in errors.
    pub fn open_as(config: ::sled::Config, path: &Path) -> Result<Sled> {
        let mut attempt = 0;
        let db = loop {
            match config.open() {
                Ok(db) => break db,
                Err(e) if is_locked(&e) => {
                    if attempt == 10 {
                        return Err(StoreError::Locked {
                            path: path.display().to_string(),
                        });
                    }
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(source) => {
                    return Err(StoreError::Open {
                        path: path.display().to_string(),
                        error: source.into(),
                    });
                }
            }
        };
        let trees = Tree::ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<std::result::Result<_, _>>()?;
        Ok(Sled { db, trees })
    }

    fn tree(&self, tree: Tree) -> &::sled::Tree {
        // `trees` is opened in `Tree::ALL`'s order, which is the enum's.
        &self.trees[tree as usize]
    }
}

fn pairs(iter: ::sled::Iter) -> Pairs {
    Box::new(iter.map(|entry| {
        let (key, value) = entry?;
        Ok((key.to_vec(), value.to_vec()))
    }))
}

impl Backend for Sled {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.tree(tree).get(key)?.map(|v| v.to_vec()))
    }

    fn put(&self, tree: Tree, key: &[u8], value: &[u8]) -> Result<()> {
        self.tree(tree).insert(key, value)?;
        Ok(())
    }

    fn apply(&self, writes: Vec<(Tree, Writes)>) -> Result<()> {
        for (tree, writes) in writes {
            let mut batch = ::sled::Batch::default();
            for (key, value) in writes {
                match value {
                    Some(value) => batch.insert(key, value),
                    None => batch.remove(key),
                }
            }
            self.tree(tree).apply_batch(batch)?;
        }
        Ok(())
    }

    fn scan(&self, tree: Tree, prefix: &[u8]) -> Pairs {
        pairs(self.tree(tree).scan_prefix(prefix))
    }

    fn range(&self, tree: Tree, from: &[u8], to: Option<&[u8]>) -> Pairs {
        let tree = self.tree(tree);
        match to {
            Some(to) => pairs(tree.range(from..to)),
            None => pairs(tree.range(from..)),
        }
    }

    fn len(&self, tree: Tree) -> usize {
        self.tree(tree).len()
    }

    fn clear(&self, tree: Tree) -> Result<()> {
        self.tree(tree).clear()?;
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }
}

/// Whether sled could not open the store because another process holds
/// its lock. sled says so only in the text of an I/O error.
fn is_locked(error: &::sled::Error) -> bool {
    error.to_string().contains("could not acquire lock")
}

/// sled's files in the store directory `path`: `db`, `conf`, `blobs`
/// and the `snap.*` snapshots.
pub fn files(path: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if matches!(&*name, "db" | "conf" | "blobs") || name.starts_with("snap.") {
            files.push(entry.path());
        }
    }
    Ok(files)
}
