//! Where the trees are kept: the [`Backend`] trait, the store's only tie
//! to a storage engine, and [`Sled`], the embedded default.
//!
//! The trait is narrow on purpose: get, put, a batch of writes, and scans
//! by prefix or range, on named [`Tree`]s of byte keys and values. What the
//! keys and values mean (the typed layer: [`super::Store`] and
//! [`super::Batch`]) is written against it alone, so a second engine is
//! one more implementation here and nothing else moves.

use std::path::Path;

use super::{Result, StoreError};

/// The trees of the store; their key layouts are in [`super`]'s docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tree {
    Links,
    Titles,
    Sketches,
    Topics,
    Stories,
    Copies,
    Sources,
    Meta,
}

impl Tree {
    pub const ALL: [Tree; 8] = [
        Tree::Links,
        Tree::Titles,
        Tree::Sketches,
        Tree::Topics,
        Tree::Stories,
        Tree::Copies,
        Tree::Sources,
        Tree::Meta,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tree::Links => "links",
            Tree::Titles => "titles",
            Tree::Sketches => "sketches",
            Tree::Topics => "topics",
            Tree::Stories => "stories",
            Tree::Copies => "copies",
            Tree::Sources => "sources",
            Tree::Meta => "meta",
        }
    }
}

/// Key and value bytes as read.
pub type Pair = (Vec<u8>, Vec<u8>);

/// Entries of a scan, in key order; reversible.
pub type Pairs<'a> = Box<dyn DoubleEndedIterator<Item = Result<Pair>> + 'a>;

/// One tree's part of a batch: each key set to a value or removed.
pub type Writes = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// A storage engine for the store's trees.
pub trait Backend: Send + Sync {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// One write, for what is written alone (a source's state, a meta value).
    fn put(&self, tree: Tree, key: &[u8], value: &[u8]) -> Result<()>;

    /// Applies each tree's writes, in the order given: a tree's writes
    /// land together, and a tree's writes land only after those of every
    /// tree before it. That order is how a batch stays safe to cut off.
    fn apply(&self, writes: Vec<(Tree, Writes)>) -> Result<()>;

    /// The entries whose key starts with `prefix`.
    fn scan(&self, tree: Tree, prefix: &[u8]) -> Pairs<'_>;

    /// The entries with `from <= key`, and `key < to` when `to` is given.
    fn range(&self, tree: Tree, from: &[u8], to: Option<&[u8]>) -> Pairs<'_>;

    /// Entries in a tree. May read every key.
    fn len(&self, tree: Tree) -> usize;

    fn clear(&self, tree: Tree) -> Result<()>;

    /// Makes every write so far durable.
    fn flush(&self) -> Result<()>;

    fn size_on_disk(&self) -> u64;
}

/// sled: the embedded default.
pub struct Sled {
    db: sled::Db,
    trees: Vec<sled::Tree>,
}

impl Sled {
    /// Opens (or creates) a sled store. sled lets go of its file lock
    /// from its flusher thread, a moment after the last handle drops: a
    /// store reopened at once (a restart in one process, tests) gets a
    /// second to be free. Another live daemon on the store still fails.
    pub fn open(config: sled::Config, path: &Path) -> Result<Sled> {
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
                        source,
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

    fn tree(&self, tree: Tree) -> &sled::Tree {
        // `trees` is opened in `Tree::ALL`'s order, which is the enum's.
        &self.trees[tree as usize]
    }
}

fn pairs<'a>(iter: sled::Iter) -> Pairs<'a> {
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
            let mut batch = sled::Batch::default();
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

    fn scan(&self, tree: Tree, prefix: &[u8]) -> Pairs<'_> {
        pairs(self.tree(tree).scan_prefix(prefix))
    }

    fn range(&self, tree: Tree, from: &[u8], to: Option<&[u8]>) -> Pairs<'_> {
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
fn is_locked(error: &sled::Error) -> bool {
    error.to_string().contains("could not acquire lock")
}
