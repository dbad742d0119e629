//! Where the trees are kept: the [`Backend`] trait, the store's only tie
//! to a storage engine; its two engines, [`redb`] (new stores) and
//! [`sled`] (the stores bantin wrote before); and which one a directory
//! holds.
//!
//! The trait is narrow on purpose: get, put, a batch of writes, and scans
//! by prefix or range, on named [`Tree`]s of byte keys and values. What the
//! keys and values mean (the typed layer: [`super::Store`] and
//! [`super::Batch`]) is written against it alone, so an engine is one
//! more implementation here and nothing else moves.

use std::path::Path;

pub use crate::config::Engine;

use super::{Result, StoreError};

pub mod redb;
pub mod sled;

pub use self::redb::Redb;
pub use self::sled::Sled;

/// An engine's own error, kept whole: its source chain, and the
/// operating system's code in it ([`cause`]).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Sled(#[from] ::sled::Error),
    /// Boxed: one of redb's errors holds a whole read transaction.
    #[error(transparent)]
    Redb(Box<::redb::Error>),
}

impl From<::redb::Error> for EngineError {
    fn from(e: ::redb::Error) -> EngineError {
        EngineError::Redb(Box::new(e))
    }
}

impl From<::sled::Error> for StoreError {
    fn from(e: ::sled::Error) -> StoreError {
        StoreError::Engine(e.into())
    }
}

/// The engine whose files are in the directory `path`, if any. A
/// directory with both is one whose migration to redb was cut off after
/// its redb file was complete ([`super::migrate`]): redb's.
pub fn found_in(path: &Path) -> Option<Engine> {
    if path.join(self::redb::FILE).is_file() {
        Some(Engine::Redb)
    } else if path.join("db").is_file() {
        Some(Engine::Sled)
    } else {
        None
    }
}

/// Which engine to open `path` with: the one its files are, else
/// `wanted` (else the default, redb). A store of one engine asked to
/// open as the other is refused, not opened empty beside it.
pub fn choose(path: &Path, wanted: Option<Engine>) -> Result<Engine> {
    match (found_in(path), wanted) {
        (Some(found), Some(wanted)) if found != wanted => Err(StoreError::OtherEngine {
            path: path.display().to_string(),
            found,
            wanted,
        }),
        (Some(found), _) => Ok(found),
        (None, wanted) => Ok(wanted.unwrap_or_default()),
    }
}

/// Opens (or creates) the store in `path` with `engine` and a cache of
/// `cache` bytes.
pub fn open(path: &Path, engine: Engine, cache: u64) -> Result<Box<dyn Backend>> {
    Ok(match engine {
        Engine::Redb => Box::new(Redb::open(path, cache)?),
        Engine::Sled => Box::new(Sled::open(path, cache)?),
    })
}

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
/// reads from (sled's iterators their own handles, redb's their read
/// transaction), so it outlives a swap of the engine ([`super::handle`]).
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

/// What the operating system said, in its own words ("No space left on
/// device (os error 28)"), or else the error's.
pub(super) fn cause(e: &StoreError) -> String {
    let io = match e {
        StoreError::Engine(EngineError::Sled(::sled::Error::Io(io)))
        | StoreError::Open {
            error: EngineError::Sled(::sled::Error::Io(io)),
            ..
        } => io,
        StoreError::Engine(EngineError::Redb(e))
        | StoreError::Open {
            error: EngineError::Redb(e),
            ..
        } => match &**e {
            ::redb::Error::Io(io) => io,
            _ => return e.to_string(),
        },
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
        let e = StoreError::from(::sled::Error::Io(latched));
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

    /// Runs the contract on the engine `open` opens, then opens it again
    /// and reads back what it was given.
    fn keeps_the_contract_across_a_reopen(open: &dyn Fn() -> Box<dyn Backend>) {
        let engine = open();
        keeps_the_contract(&*engine);
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

    #[test]
    fn sled_keeps_the_contract_and_what_it_was_given_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        keeps_the_contract_across_a_reopen(&|| open(&path, Engine::Sled, 1 << 20).unwrap());
        assert_eq!(found_in(&path), Some(Engine::Sled));
    }

    #[test]
    fn redb_keeps_the_contract_and_what_it_was_given_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        keeps_the_contract_across_a_reopen(&|| open(&path, Engine::Redb, 1 << 20).unwrap());
        assert_eq!(found_in(&path), Some(Engine::Redb));
    }

    #[test]
    fn a_store_opens_with_its_own_engine_and_refuses_the_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        assert_eq!(choose(&path, None).unwrap(), Engine::Redb);
        assert_eq!(choose(&path, Some(Engine::Sled)).unwrap(), Engine::Sled);
        drop(open(&path, Engine::Sled, 1 << 20).unwrap());
        assert_eq!(choose(&path, None).unwrap(), Engine::Sled);
        let refused = choose(&path, Some(Engine::Redb)).unwrap_err().to_string();
        assert!(
            refused.contains("holds a sled store") && refused.contains("asks for redb"),
            "{refused}"
        );
    }
}
