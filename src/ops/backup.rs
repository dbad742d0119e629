//! Backup and restore: `bantin export` and `bantin import`.
//!
//! An export is JSON lines, one [`Record`] per story: the story as stored
//! (its id, copy keys, dates and topics) and every copy of it in full.
//! That is all a store needs to serve the same feeds with the same entry
//! ids; the indexes are rebuilt on import by [`merge::restore`], the same
//! entries merging makes, so news ingested after a restore joins the
//! restored stories. Sources' poll states (validators, schedule) are not
//! exported: the first poll after a restore fetches each source in full
//! and finds its items already stored. A store without the topic rules
//! it was classified by classifies its copies again when the daemon
//! starts ([`crate::pipeline::classify::reclassify`]).
//!
//! Import replaces by id: a story already in the store with the id of a
//! record is replaced by the record, and a copy the store holds under
//! another story moves to the record's story. Importing the same file
//! twice changes nothing the second time, so an import cut off midway is
//! finished by running it again. A line that is not a record stops the
//! import there, with its line number.
//!
//! A salvage export ([`salvage`], `bantin export --salvage`) is for a
//! store too damaged to open or to read through: it writes the records
//! that can still be read, in the same format, and counts the rest.
//!
//! Neither reads the file system or names an engine: the CLI opens the store
//! (which a running daemon holds) and the files; the store's
//! [`crate::store::salvage`] opens a damaged one.

use std::collections::HashSet;
use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::model::story::{Copy, Story, StoryId};
use crate::pipeline::merge;
use crate::store::salvage::Salvage;
use crate::store::{Store, StoreError};

/// One line of an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub story: Story,
    /// The story's copies that the store holds, in the story's order.
    pub copies: Vec<Copy>,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("export: cannot write: {0}")]
    Write(#[source] std::io::Error),
    #[error("import: cannot read line {line}: {source}")]
    Read {
        line: usize,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "import: line {line}: {reason} (the lines before it are imported; importing the file again after fixing it is safe)"
    )]
    Record { line: usize, reason: String },
}

/// What an export wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Exported {
    pub stories: usize,
    pub copies: usize,
    /// Stories none of whose copies is stored: a poll cut off between
    /// the two writes left them, and the next poll of the source
    /// completes them. Not exported.
    pub without_copies: usize,
}

/// Writes every story with its copies, one JSON object per line, in id
/// order.
pub fn export(store: &Store, out: &mut impl Write) -> Result<Exported, BackupError> {
    let mut done = Exported::default();
    for story in store.stories() {
        let story = story?;
        let mut copies = Vec::with_capacity(story.copies.len());
        for key in &story.copies {
            copies.extend(store.copy(key)?.filter(|c| c.story == story.id));
        }
        if copies.is_empty() {
            done.without_copies += 1;
            continue;
        }
        done.stories += 1;
        done.copies += copies.len();
        write_record(out, &Record { story, copies })?;
    }
    out.flush().map_err(BackupError::Write)?;
    Ok(done)
}

/// One line of an export.
fn write_record(out: &mut impl Write, record: &Record) -> Result<(), BackupError> {
    serde_json::to_writer(&mut *out, record).map_err(|e| BackupError::Write(e.into()))?;
    out.write_all(b"\n").map_err(BackupError::Write)
}

/// What a salvage export wrote, and what it could not read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Salvaged {
    pub stories: usize,
    pub copies: usize,
    /// Records that could not be read or decoded, and steps of a scan
    /// that failed.
    pub unreadable: usize,
    /// Stories none of whose copies could be read: not exported.
    pub without_copies: usize,
    /// How the engine opened the store's copy.
    pub opened: &'static str,
    /// Whether sled had to rebuild it from its log (never for redb).
    pub from_log: bool,
    /// Stories whose own record was lost, rebuilt from their copies.
    pub rebuilt: usize,
}

/// Writes every story of the damaged store `salvage` that can be read,
/// with those of its copies that can, as [`export`] does; skips and
/// counts what cannot be read.
pub fn salvage(salvage: &mut Salvage, out: &mut impl Write) -> Result<Salvaged, BackupError> {
    let mut done = Salvaged {
        opened: salvage.how,
        from_log: salvage.from_log,
        ..Salvaged::default()
    };
    for id in salvage.story_ids() {
        let (story, copies) = match salvage.story(id) {
            Some(story) => {
                let copies: Vec<Copy> = story
                    .copies
                    .iter()
                    .filter_map(|key| salvage.copy(key))
                    .filter(|c| c.story == story.id)
                    .collect();
                (story, copies)
            }
            None => {
                let keys = salvage.claimed_by(id).to_vec();
                let copies: Vec<Copy> = keys.iter().filter_map(|key| salvage.copy(key)).collect();
                let Some(story) = rebuilt(&copies) else {
                    continue;
                };
                done.rebuilt += 1;
                (story, copies)
            }
        };
        if copies.is_empty() {
            done.without_copies += 1;
            continue;
        }
        // A record keeps only the copies read: `import` checks that a
        // story lists each copy it carries, not that each listed copy
        // comes with it.
        done.stories += 1;
        done.copies += copies.len();
        write_record(out, &Record { story, copies })?;
    }
    out.flush().map_err(BackupError::Write)?;
    done.unreadable = salvage.unreadable;
    Ok(done)
}

/// A story rebuilt from its copies when its own record is lost: the
/// copies hold everything it is made of. First comes the copy its id was
/// minted from, then the others as they were first seen; its topics are
/// the copies' union.
fn rebuilt(copies: &[Copy]) -> Option<Story> {
    let mut by_age: Vec<&Copy> = copies.iter().collect();
    by_age.sort_by(|a, b| {
        let minted = |c: &Copy| StoryId::mint(&c.key) != c.story;
        (minted(a), a.first_seen, &a.key).cmp(&(minted(b), b.first_seen, &b.key))
    });
    let (first, rest) = by_age.split_first()?;
    let mut story = Story::new(first);
    for copy in rest {
        story.absorb(copy);
    }
    let mut topics: Vec<String> = copies.iter().flat_map(|c| c.topics.clone()).collect();
    topics.sort();
    topics.dedup();
    story.topics = topics;
    Some(story)
}

/// What an import restored.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Imported {
    pub stories: usize,
    pub copies: usize,
    /// Imported stories that replaced one with the same id.
    pub replaced: usize,
}

/// Restores every record of an export into `store`, with its indexes.
pub fn import(store: &Store, input: impl BufRead) -> Result<Imported, BackupError> {
    let mut done = Imported::default();
    for (n, line) in input.lines().enumerate() {
        let line_no = n + 1;
        let line = line.map_err(|source| BackupError::Read {
            line: line_no,
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let record: Record = serde_json::from_str(&line).map_err(|e| BackupError::Record {
            line: line_no,
            reason: format!("not a story record: {e}"),
        })?;
        check(&record).map_err(|reason| BackupError::Record {
            line: line_no,
            reason,
        })?;
        if store.story(record.story.id)?.is_some() {
            done.replaced += 1;
        }
        let mut batch = store.batch();
        merge::restore(&mut batch, &record.story, &record.copies)?;
        batch.commit()?;
        done.stories += 1;
        done.copies += record.copies.len();
    }
    store.flush()?;
    Ok(done)
}

/// A record's copies must be its story's: anything else would leave
/// copies no story shows, or a story showing another's copy.
fn check(record: &Record) -> Result<(), String> {
    let listed: HashSet<_> = record.story.copies.iter().collect();
    for copy in &record.copies {
        if copy.story != record.story.id {
            return Err(format!(
                "copy {}/{} belongs to story {}, not {}",
                copy.key.source,
                copy.key.item,
                copy.story.urn(),
                record.story.id.urn()
            ));
        }
        if !listed.contains(&copy.key) {
            return Err(format!(
                "copy {}/{} is not one of story {}'s copies",
                copy.key.source,
                copy.key.item,
                record.story.id.urn()
            ));
        }
    }
    if record.copies.is_empty() {
        return Err(format!("story {} has no copies", record.story.id.urn()));
    }
    Ok(())
}
