//! Reading what can be read of a damaged store: `bantin export --salvage`.
//!
//! The store is never written: its files are copied beside it, and the
//! copy is opened. A redb file is repaired as it opens, if it needs to be
//! (its pages are checksummed; a damaged one fails its own reads). A sled
//! store is opened in the first of these ways that sled accepts:
//!
//! 1. as it is;
//! 2. without its snapshot files (`snap.*`), so sled rebuilds its page
//!    table from the log (`db`): a damaged snapshot stops an open;
//! 3. without its snapshots and its `conf`, which sled writes again.
//!
//! sled reads a damaged log up to the damage and treats the rest as a
//! write cut off by a crash, so what an open keeps is what came before it.
//! Then each record is read alone: the story ids are gathered from every
//! tree that names them (stories, topics, links, copies), each story and
//! each of its copies is read and decoded by itself, and a record that
//! cannot be read or decoded is counted and skipped, so one bad page
//! costs its own records, not the rest of the scan. A story whose own
//! record is lost while its copies are read is rebuilt from them (its
//! id, dates and topics are all theirs) by [`crate::ops::backup::salvage`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::backend::{Backend, Engine, Pairs, Redb, Sled, Tree, found_in};
use super::codec::{decode, story_id};
use super::handle::Handle;
use super::{Result, Store, StoreError};
use crate::model::story::{Copy, CopyKey, Story, StoryId};

/// Reads the story id an entry (key, value) of a tree names.
type IdOf = dyn Fn(&[u8], &[u8]) -> Option<StoryId>;

/// redb's page size, which a grown file's length is a multiple of.
const PAGE: u64 = 4096;

/// A scan is given up after this many errors in a row: a damaged page
/// can fail every step after it.
const ERRORS_IN_A_ROW: usize = 16;

/// A damaged store, opened on a copy of its directory.
pub struct Salvage {
    store: Store,
    copy: PathBuf,
    /// How the copy was opened, for the report.
    pub how: &'static str,
    /// Whether sled rebuilt it from its log, without the snapshots.
    pub from_log: bool,
    /// Records (or scan steps) that could not be read or decoded.
    pub unreadable: usize,
    /// The copies read by [`Salvage::story_ids`], by the story they name:
    /// what a story whose own record is lost is rebuilt from.
    claimed: BTreeMap<StoryId, Vec<CopyKey>>,
}

/// What can be tried, in order: the files left out of the copy.
const ATTEMPTS: [(&str, &[&str]); 3] = [
    ("as it is", &[]),
    (
        "without its snapshot files (rebuilt from its log)",
        &["snap."],
    ),
    (
        "without its snapshot files and its conf (rebuilt from its log)",
        &["snap.", "conf"],
    ),
];

impl Salvage {
    /// Opens a copy of the store at `path`: for sled, in the first way
    /// sled takes, the error being the last attempt's, with every
    /// attempt's in its text.
    pub fn open(path: &Path) -> Result<Salvage> {
        match found_in(path) {
            Some(Engine::Redb) => Salvage::open_redb(path),
            Some(Engine::Sled) => Salvage::open_sled(path),
            None => Err(StoreError::Salvage {
                path: path.display().to_string(),
                reason: format!(
                    "no store here (neither redb's `{}` nor sled's `db`)",
                    super::backend::redb::FILE
                ),
            }),
        }
    }

    /// A redb file is opened as it is, or else grown back (with zeros,
    /// sparse) past the length its header gives: redb refuses a file cut
    /// short outright, while what the cut spared is still readable.
    fn open_redb(path: &Path) -> Result<Salvage> {
        let copy = copy_dir_path(path);
        let failed = |reason: String| {
            let _ = std::fs::remove_dir_all(&copy);
            StoreError::Salvage {
                path: path.display().to_string(),
                reason,
            }
        };
        let file = super::backend::redb::FILE;
        let mut tried = Vec::new();
        for (how, grown) in [
            ("as it is (redb repairs it as it opens)", 1),
            ("grown back with zeros where it was cut short", 2),
            ("grown back with zeros where it was cut short", 16),
        ] {
            let _ = std::fs::remove_dir_all(&copy);
            let copied = std::fs::create_dir_all(&copy)
                .and_then(|()| std::fs::copy(path.join(file), copy.join(file)))
                .and_then(|len| {
                    if grown > 1 {
                        let f = std::fs::OpenOptions::new()
                            .write(true)
                            .open(copy.join(file))?;
                        // A whole number of pages, as redb lays them out.
                        f.set_len(len.saturating_mul(grown).next_multiple_of(PAGE))?;
                    }
                    Ok(())
                });
            if let Err(e) = copied {
                return Err(failed(format!("cannot copy it to {}: {e}", copy.display())));
            }
            match Redb::open(&copy, crate::config::DEFAULT_CACHE) {
                Ok(engine) => return Ok(Salvage::on(engine, copy, how, false)),
                Err(e) => tried.push(format!("{how}, {grown}×: {e}")),
            }
        }
        Err(failed(format!(
            "redb opens it in no way tried ({})",
            tried.join("; ")
        )))
    }

    fn on(
        engine: impl Backend + 'static,
        copy: PathBuf,
        how: &'static str,
        from_log: bool,
    ) -> Salvage {
        Salvage {
            store: Store::unchecked(Handle::new(Box::new(engine), None)),
            copy,
            how,
            from_log,
            unreadable: 0,
            claimed: BTreeMap::new(),
        }
    }

    fn open_sled(path: &Path) -> Result<Salvage> {
        let copy = copy_dir_path(path);
        let mut tried = Vec::new();
        for (how, left_out) in ATTEMPTS {
            let from_log = !left_out.is_empty();
            let _ = std::fs::remove_dir_all(&copy);
            if let Err(e) = copy_tree(path, &copy, left_out) {
                let _ = std::fs::remove_dir_all(&copy);
                return Err(StoreError::Salvage {
                    path: path.display().to_string(),
                    reason: format!("cannot copy it to {}: {e}", copy.display()),
                });
            }
            let config = ::sled::Config::new().path(&copy);
            // sled 0.34 can panic on what it reads from a damaged store
            // (a snapshot's sizes): that attempt failed, the next may not.
            let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                Sled::open_as(config, &copy)
            }))
            .unwrap_or_else(|_| {
                Err(StoreError::Salvage {
                    path: path.display().to_string(),
                    reason: "sled panicked reading it".to_string(),
                })
            });
            match opened {
                Ok(engine) => return Ok(Salvage::on(engine, copy, how, from_log)),
                Err(e) => tried.push(format!("{how}: {e}")),
            }
        }
        let _ = std::fs::remove_dir_all(&copy);
        Err(StoreError::Salvage {
            path: path.display().to_string(),
            reason: format!("sled opens it in no way tried ({})", tried.join("; ")),
        })
    }

    /// Every story id a tree names, in id order.
    pub fn story_ids(&mut self) -> BTreeSet<StoryId> {
        let mut ids = BTreeSet::new();
        let backend = &*self.store.backend;
        let mut unreadable = 0;
        let mut each = |tree: Tree, id_of: &IdOf| {
            readable(
                backend.range(tree, &[], None),
                &mut unreadable,
                |key, value| match id_of(key, value) {
                    Some(id) => {
                        ids.insert(id);
                        true
                    }
                    None => false,
                },
            );
        };
        each(Tree::Stories, &|key, _| story_id(key, "stories").ok());
        // slug \0 sort key (8) story uuid (16)
        each(Tree::Topics, &|key, _| {
            key.len()
                .checked_sub(16)
                .and_then(|at| story_id(&key[at..], "topics").ok())
        });
        each(Tree::Links, &|_, value| story_id(value, "links").ok());
        let mut claimed: BTreeMap<StoryId, Vec<CopyKey>> = BTreeMap::new();
        readable(
            backend.range(Tree::Copies, &[], None),
            &mut unreadable,
            |_, value| match decode::<Copy>(value, Tree::Copies) {
                Ok(copy) => {
                    ids.insert(copy.story);
                    claimed.entry(copy.story).or_default().push(copy.key);
                    true
                }
                Err(_) => false,
            },
        );
        self.claimed = claimed;
        self.unreadable += unreadable;
        ids
    }

    /// The keys of the copies that name `id` as their story, as
    /// [`Salvage::story_ids`] read them.
    pub fn claimed_by(&self, id: StoryId) -> &[CopyKey] {
        self.claimed.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The story, if it can be read and decoded; `None` when it is not
    /// stored (an index entry a crash left), or is unreadable (counted).
    pub fn story(&mut self, id: StoryId) -> Option<Story> {
        match self.store.story(id) {
            Ok(story) => story,
            Err(_) => {
                self.unreadable += 1;
                None
            }
        }
    }

    /// The copy, as [`Salvage::story`] reads a story.
    pub fn copy(&mut self, key: &CopyKey) -> Option<Copy> {
        match self.store.copy(key) {
            Ok(copy) => copy,
            Err(_) => {
                self.unreadable += 1;
                None
            }
        }
    }
}

impl Drop for Salvage {
    fn drop(&mut self) {
        let _ = self.store.close(super::CLOSE_WITHIN);
        let _ = std::fs::remove_dir_all(&self.copy);
    }
}

/// Hands each entry a scan can read to `take`, which says whether it
/// made sense of it; what the scan or `take` could not read is counted in
/// `lost`, and the scan is given up after [`ERRORS_IN_A_ROW`] failures
/// in a row.
fn readable(pairs: Pairs, lost: &mut usize, mut take: impl FnMut(&[u8], &[u8]) -> bool) {
    let mut in_a_row = 0;
    for entry in pairs {
        match entry {
            Ok((key, value)) => {
                in_a_row = 0;
                if !take(&key, &value) {
                    *lost += 1;
                }
            }
            Err(_) => {
                *lost += 1;
                in_a_row += 1;
                if in_a_row == ERRORS_IN_A_ROW {
                    break;
                }
            }
        }
    }
}

/// Beside the store, so on the same disk: `.NAME.salvage-PID`.
fn copy_dir_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "store".into(), |n| n.to_string_lossy().into_owned());
    let parent = path.parent().unwrap_or(Path::new("."));
    parent.join(format!(".{name}.salvage-{}", std::process::id()))
}

/// Copies the directory `from` to `to`, leaving out the top-level files
/// whose names start with one of `left_out`.
fn copy_tree(from: &Path, to: &Path, left_out: &[&str]) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if left_out.iter().any(|p| text.starts_with(p)) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target, &[])?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
