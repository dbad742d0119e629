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

    /// What the typed layer relies on from any engine: the contract a
    /// second engine must pass as sled does. Each check names the caller
    /// that needs it.
    fn keeps_the_contract(engine: &dyn Backend) {
        let keys = |pairs: Pairs| -> Vec<Vec<u8>> { pairs.map(|p| p.unwrap().0).collect() };
        let value = |tree, key: &[u8]| engine.get(tree, key).unwrap();
        // Absent, then present; trees are apart (the same key in two).
        assert_eq!(value(Tree::Meta, b"k"), None);
        engine.put(Tree::Meta, b"k", b"meta").unwrap();
        engine.put(Tree::Links, b"k", b"link").unwrap();
        assert_eq!(value(Tree::Meta, b"k"), Some(b"meta".to_vec()));
        assert_eq!(value(Tree::Links, b"k"), Some(b"link".to_vec()));

        // A batch: sets and removals, tree by tree, the last write to a
        // key winning within a tree's writes.
        let week = |w: u8, rest: &[u8]| [&[0, 0, 0, w][..], rest].concat();
        engine
            .apply(vec![
                (
                    Tree::Titles,
                    vec![
                        (week(1, b"a"), Some(b"1".to_vec())),
                        (week(1, b"b"), Some(b"2".to_vec())),
                        (week(2, b"a"), Some(b"3".to_vec())),
                        (week(1, b"c"), Some(b"4".to_vec())),
                        (week(1, b"c"), None),
                    ],
                ),
                (Tree::Links, vec![(b"k".to_vec(), None)]),
            ])
            .unwrap();
        assert_eq!(value(Tree::Links, b"k"), None);
        assert_eq!(engine.len(Tree::Titles), 3);

        // A prefix scan: that week's keys only, in order, and backwards
        // (topics read their newest first with `.rev()`).
        assert_eq!(
            keys(engine.scan(Tree::Titles, &[0, 0, 0, 1])),
            [week(1, b"a"), week(1, b"b")]
        );
        assert_eq!(
            keys(Box::new(engine.scan(Tree::Titles, &[0, 0, 0, 1]).rev())),
            [week(1, b"b"), week(1, b"a")]
        );
        // A prefix of 0xff bytes has no key after it to end at.
        engine.put(Tree::Titles, &[0xff, 0xff], b"x").unwrap();
        engine.put(Tree::Titles, &[0xff, 0xff, 0], b"y").unwrap();
        assert_eq!(
            keys(engine.scan(Tree::Titles, &[0xff])),
            [vec![0xff, 0xff], vec![0xff, 0xff, 0]]
        );
        // A range: from included, to excluded; open-ended to the last.
        assert_eq!(
            keys(engine.range(Tree::Titles, &week(1, b"b"), Some(&week(2, b"a")))),
            [week(1, b"b")]
        );
        assert_eq!(
            keys(engine.range(Tree::Titles, &week(2, b""), None)).len(),
            3
        );

        // A scan goes on through later writes to its tree (an export
        // while polls write), and sees what was there when it began.
        let scan = engine.scan(Tree::Titles, &[0, 0, 0, 1]);
        engine.put(Tree::Titles, &week(3, b"z"), b"5").unwrap();
        assert_eq!(keys(scan), [week(1, b"a"), week(1, b"b")]);
        engine.put(Tree::Stories, b"s", b"story").unwrap();

        // Clear empties one tree only (a reindex clears titles and sketches).
        engine.clear(Tree::Titles).unwrap();
        assert_eq!(engine.len(Tree::Titles), 0);
        assert_eq!(keys(engine.scan(Tree::Titles, &[])).len(), 0);
        assert_eq!(engine.len(Tree::Stories), 1);
        engine.flush().unwrap();
        assert!(engine.size_on_disk() > 0);
    }

    #[test]
    fn sled_keeps_the_contract_and_what_it_was_given_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let open = || Sled::open(sled::Config::new().path(&path), &path).unwrap();
        let engine = open();
        keeps_the_contract(&engine);
        drop(engine);
        let engine = open();
        assert_eq!(
            engine.get(Tree::Meta, b"k").unwrap(),
            Some(b"meta".to_vec())
        );
        assert_eq!(
            engine.get(Tree::Stories, b"s").unwrap(),
            Some(b"story".to_vec())
        );
        assert_eq!(engine.len(Tree::Titles), 0);
    }
}
