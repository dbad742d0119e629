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
    /// Added after schema 2: an older store opens with it empty.
    History,
    Meta,
}

impl Tree {
    pub const ALL: [Tree; 9] = [
        Tree::Links,
        Tree::Titles,
        Tree::Sketches,
        Tree::Topics,
        Tree::Stories,
        Tree::Copies,
        Tree::Sources,
        Tree::History,
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
            Tree::History => "history",
            Tree::Meta => "meta",
        }
    }
}

/// Key and value bytes as read.
pub type Pair = (Vec<u8>, Vec<u8>);

/// Entries of a scan, in key order; reversible. A scan holds what it
/// reads from (sled's iterators hold their own handles), so it outlives a
/// swap of the engine ([`super::handle`]).
pub type Pairs = Box<dyn DoubleEndedIterator<Item = Result<Pair>>>;

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
    fn scan(&self, tree: Tree, prefix: &[u8]) -> Pairs;

    /// The entries with `from <= key`, and `key < to` when `to` is given.
    fn range(&self, tree: Tree, from: &[u8], to: Option<&[u8]>) -> Pairs;

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

fn pairs(iter: sled::Iter) -> Pairs {
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
fn is_locked(error: &sled::Error) -> bool {
    error.to_string().contains("could not acquire lock")
}

/// What the operating system said, in its own words ("No space left on
/// device (os error 28)"), or else the error's.
pub(super) fn cause(e: &StoreError) -> String {
    let io = match e {
        StoreError::Sled(sled::Error::Io(io))
        | StoreError::Open {
            source: sled::Error::Io(io),
            ..
        } => io,
        other => return other.to_string(),
    };
    // sled hands out the error it latched as a copy that keeps only the
    // first one's debug text (`Os { code: 28, .. }`): its code is read
    // back from there.
    let code = io.raw_os_error().or_else(|| {
        let text = io.to_string();
        let digits: String = text
            .split("code: ")
            .nth(1)?
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    });
    match code {
        Some(code) => std::io::Error::from_raw_os_error(code).to_string(),
        None => io.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latched_error_is_told_in_the_operating_systems_words() {
        // What sled 0.34 returns after its flusher hit ENOSPC.
        let latched = std::io::Error::other(
            "Os { code: 28, kind: StorageFull, message: \"No space left on device\" }",
        );
        let e = StoreError::Sled(sled::Error::Io(latched));
        assert_eq!(cause(&e), std::io::Error::from_raw_os_error(28).to_string());
        assert!(cause(&e).contains("No space left on device"));
    }

    #[test]
    fn other_errors_are_told_whole() {
        let e = StoreError::Corrupt {
            tree: "stories",
            reason: "bad".into(),
        };
        assert_eq!(cause(&e), "store: damaged record in `stories`: bad");
    }
}
