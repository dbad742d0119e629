//! The lookup indexes: canonical links, title keys by week, and the text
//! sketches by week, stored in their trees and answered from memory
//! ([`super::recent`]). Each entry leads to a story; a lookup checks that
//! the story still exists.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::backend::Backend as _;
use super::backend::Tree;
use super::codec::{fixed, story_id};
use super::recent::{self, IndexMemory, Week};
use super::{Result, Store, StoreError, WEEK_SECONDS};
use crate::model::story::StoryId;
use crate::text::sketch::Sketch;

impl Store {
    pub fn story_by_link(&self, link: &str) -> Result<Option<StoryId>> {
        if !self.recent().may_have_link(link.as_bytes()) {
            return Ok(None);
        }
        match self.backend.get(Tree::Links, link.as_bytes())? {
            Some(v) => Ok(Some(story_id(&v, "links")?)),
            None => Ok(None),
        }
    }

    /// Stories with the folded title `title`, with their `published`, in
    /// the weeks within `window` of `at`.
    pub fn stories_by_title(
        &self,
        title: &str,
        at: DateTime<Utc>,
        window: Duration,
    ) -> Result<Vec<(StoryId, DateTime<Utc>)>> {
        let mut found = Vec::new();
        for week in weeks(at - window, at + window) {
            self.load_week(week)?;
            let key = self.read_title(week, title)?;
            let mut recent = self.recent();
            if let Some(known) = recent.get(week) {
                found.extend(known.titled(key).iter().map(|&(id, published)| {
                    (
                        id,
                        DateTime::from_timestamp(published, 0).unwrap_or_default(),
                    )
                }));
            }
        }
        Ok(found)
    }

    /// Adds a story to a title's list of `week` in memory, reading the
    /// week first if needed; returns the list to store, whole.
    pub(super) fn add_title(
        &self,
        week: [u8; 4],
        title: &str,
        id: StoryId,
        published: DateTime<Utc>,
    ) -> Result<Vec<u8>> {
        self.load_week(week)?;
        let key = self.read_title(week, title)?;
        let mut recent = self.recent();
        let mut value = Vec::new();
        recent.update(week, |known| {
            for &(story, at) in known.add_title(key, id, published.timestamp()) {
                value.extend_from_slice(&entry_of(story, at));
            }
        });
        drop(recent);
        if value.is_empty() {
            // Not kept in memory after all (a week read concurrently with
            // a clear): the stored list, with this story.
            value = self.stored_title_without(week, title, id)?;
            value.extend_from_slice(&entry(id, published));
        }
        Ok(value)
    }

    /// Takes a story out of a title's list of `week` in memory, reading
    /// the week first if needed; returns the list to store, whole (`None`
    /// when it is left empty).
    pub(super) fn remove_title(
        &self,
        week: [u8; 4],
        title: &str,
        id: StoryId,
    ) -> Result<Option<Vec<u8>>> {
        self.load_week(week)?;
        let key = self.read_title(week, title)?;
        let mut recent = self.recent();
        let mut kept = None;
        recent.update(week, |known| {
            let list = known.remove_title(key, id);
            kept = Some(
                list.iter()
                    .flat_map(|&(s, at)| entry_of(s, at))
                    .collect::<Vec<u8>>(),
            );
        });
        drop(recent);
        let value = match kept {
            Some(value) => value,
            // Not kept in memory: the stored list, without this story.
            None => self.stored_title_without(week, title, id)?,
        };
        Ok((!value.is_empty()).then_some(value))
    }

    /// A title key's fingerprint in `week`'s map. A trimmed week in memory
    /// holds only some of its title lists: one it lacks is read from the
    /// store first, so that what the week answers, and what is written
    /// from it, is the whole list.
    fn read_title(&self, week: [u8; 4], title: &str) -> Result<u64> {
        let (key, missing) = {
            let mut recent = self.recent();
            let key = recent::title_fingerprint(&recent.hasher(), title.as_bytes());
            let missing = recent
                .get(week)
                .is_some_and(|w| w.titles_partial() && !w.has_title(key));
            (key, missing)
        };
        if missing {
            if let Some(stored) = self
                .backend
                .get(Tree::Titles, &week_key(week, title.as_bytes()))?
            {
                let list = title_entries(&stored)?;
                self.recent().update(week, |w| {
                    if !w.has_title(key) {
                        w.load_title(key, list);
                    }
                });
            }
        }
        Ok(key)
    }

    /// A title's stored list of `week`, without `id`'s entry: what to
    /// write when the week is not in memory.
    fn stored_title_without(&self, week: [u8; 4], title: &str, id: StoryId) -> Result<Vec<u8>> {
        let stored = self
            .backend
            .get(Tree::Titles, &week_key(week, title.as_bytes()))?
            .unwrap_or_default();
        Ok(entries_of(&stored)
            .filter(|e| e[..16] != id.0.as_bytes()[..])
            .flatten()
            .copied()
            .collect())
    }

    /// Indexes a copy's bands in memory, if its week is there (a week not
    /// in memory reads the sketch with the others when first needed);
    /// returns whether it was.
    pub(super) fn add_sketch(
        &self,
        week: [u8; 4],
        id: StoryId,
        copy: &[u8],
        published: DateTime<Utc>,
        sketch: &Sketch,
    ) -> bool {
        let mut recent = self.recent();
        let copy = recent.fingerprint(copy);
        let bands = recent::band_fingerprints(&recent.hasher(), sketch);
        let mut added = false;
        recent.update(week, |known| {
            known.add_copy(
                id,
                copy,
                published.timestamp(),
                &bands,
                Arc::new(sketch.clone()),
            );
            added = true;
        });
        added
    }

    /// Stories with a copy sharing a band with `bands`, published within
    /// `window` of `at`, with the sketches of those copies' stories in
    /// the same weeks. A band keeps its [`recent::PER_BAND`] newest
    /// copies a week.
    pub fn similar(
        &self,
        bands: &[[u8; 9]],
        at: DateTime<Utc>,
        window: Duration,
    ) -> Result<Vec<(StoryId, Vec<Arc<Sketch>>)>> {
        let mut similar: Vec<(StoryId, Vec<Arc<Sketch>>)> = Vec::new();
        for week in weeks(at - window, at + window) {
            self.load_week(week)?;
            let mut recent = self.recent();
            let fingerprints: Vec<u32> = bands.iter().map(|b| recent.fingerprint(b)).collect();
            let Some(known) = recent.get(week) else {
                continue;
            };
            let mut found: Vec<StoryId> = Vec::new();
            for &band in &fingerprints {
                for (id, published) in known.sharing(band) {
                    if (published - at.timestamp()).abs() <= window.num_seconds()
                        && !found.contains(&id)
                    {
                        found.push(id);
                    }
                }
            }
            for id in found {
                let sketches = known.sketches_of(id);
                match similar.iter_mut().find(|(s, _)| *s == id) {
                    Some((_, known)) => known.extend(sketches),
                    None => similar.push((id, sketches)),
                }
            }
        }
        Ok(similar)
    }

    /// The sketches of a story's copies published in the weeks within
    /// `window` of `at`. A sketch this bantin cannot read is skipped.
    pub fn sketches_of(
        &self,
        id: StoryId,
        at: DateTime<Utc>,
        window: Duration,
    ) -> Result<Vec<Arc<Sketch>>> {
        let mut sketches = Vec::new();
        for week in weeks(at - window, at + window) {
            self.load_week(week)?;
            if let Some(known) = self.recent().get(week) {
                sketches.extend(known.sketches_of(id));
            }
        }
        Ok(sketches)
    }

    /// Empties the title and text indexes, for [`crate::pipeline::merge::reindex`].
    pub fn clear_indexes(&self) -> Result<()> {
        self.backend.clear(Tree::Titles)?;
        self.backend.clear(Tree::Sketches)?;
        self.recent().clear();
        Ok(())
    }

    /// Reads a week's title lists and sketches into memory, unless there.
    fn load_week(&self, week: [u8; 4]) -> Result<()> {
        let (hasher, budget) = {
            let mut recent = self.recent();
            if recent.get(week).is_some() {
                return Ok(());
            }
            (recent.hasher(), recent.budget())
        };
        let mut trimmed = 0;
        let mut loaded = Week::default();
        for entry in self.backend.scan(Tree::Titles, &week) {
            let (key, list) = entry?;
            let list = title_entries(&list)?;
            loaded.load_title(recent::title_fingerprint(&hasher, &key[4..]), list);
        }
        for entry in self.backend.scan(Tree::Sketches, &week) {
            let (key, value) = entry?;
            let Some(sketch) = value.get(8..).and_then(Sketch::from_bytes) else {
                continue;
            };
            let published = i64::from_be_bytes(fixed(&value[..8], "sketches")?);
            let id = story_id(&key[4..20.min(key.len())], "sketches")?;
            let copy = recent::fingerprint(&hasher, key.get(20..).unwrap_or_default());
            let bands = recent::band_fingerprints(&hasher, &sketch);
            loaded.add_copy(id, copy, published, &bands, Arc::new(sketch));
            // A week larger than the whole budget keeps its newest copies,
            // as a trim would: reading it must not take more.
            if loaded.bytes() > budget {
                trimmed += loaded.trim(&hasher, budget / 2);
            }
        }
        let mut recent = self.recent();
        recent.count_trimmed(trimmed);
        recent.insert(week, loaded);
        Ok(())
    }

    /// Reads the fingerprint of every stored link into memory: at open.
    pub(super) fn load_links(&self) -> Result<()> {
        let hasher = self.recent().hasher();
        let mut links = HashSet::new();
        for entry in self.backend.range(Tree::Links, &[], None) {
            links.insert(recent::fingerprint(&hasher, &entry?.0));
        }
        self.recent().set_links(links);
        Ok(())
    }

    /// What the in-memory indexes hold now.
    pub fn index_memory(&self) -> IndexMemory {
        self.recent().memory()
    }

    /// Sets the bytes the in-memory title and text indexes may take
    /// (`[store] index_memory`).
    pub fn set_index_budget(&self, bytes: u64) {
        self.recent()
            .set_budget(usize::try_from(bytes).unwrap_or(usize::MAX));
    }

    /// Drops every title and sketch key of the weeks before the
    /// week of `before`, whatever story it names: what a story's own
    /// removal missed (a copy re-dated since it was indexed) goes here.
    /// Returns the keys removed.
    pub fn drop_weeks_before(&self, before: DateTime<Utc>) -> Result<usize> {
        let end = week(before);
        let mut removed = 0;
        for tree in [Tree::Titles, Tree::Sketches] {
            let mut keys = Vec::new();
            for entry in self.backend.range(tree, &[], Some(&end)) {
                keys.push((entry?.0, None));
            }
            removed += keys.len();
            self.backend.apply(vec![(tree, keys)])?;
        }
        if removed > 0 {
            self.recent().clear();
        }
        Ok(removed)
    }
}

/// One (story, published) pair of an index list: 16 + 8 bytes.
pub(super) const ENTRY: usize = 24;

pub(super) fn entry(id: StoryId, published: DateTime<Utc>) -> [u8; ENTRY] {
    entry_of(id, published.timestamp())
}

pub(super) fn entry_of(id: StoryId, published: i64) -> [u8; ENTRY] {
    let mut e = [0u8; ENTRY];
    e[..16].copy_from_slice(id.0.as_bytes());
    e[16..].copy_from_slice(&published.to_be_bytes());
    e
}

pub(super) fn entries(list: &[u8], tree: &'static str) -> Result<Vec<(StoryId, DateTime<Utc>)>> {
    if list.len() % ENTRY != 0 {
        return Err(StoreError::Corrupt {
            tree,
            reason: format!("an index list of {} bytes", list.len()),
        });
    }
    list.chunks_exact(ENTRY)
        .map(|e| {
            let id = story_id(&e[..16], tree)?;
            let seconds = i64::from_be_bytes(fixed(&e[16..], tree)?);
            Ok((id, DateTime::from_timestamp(seconds, 0).unwrap_or_default()))
        })
        .collect()
}

/// A stored title list as a week in memory holds it: (story, published
/// seconds).
fn title_entries(list: &[u8]) -> Result<Vec<(StoryId, i64)>> {
    Ok(entries(list, "titles")?
        .into_iter()
        .map(|(id, published)| (id, published.timestamp()))
        .collect())
}

/// The raw entries of an index list; a malformed tail is left out.
pub(super) fn entries_of(list: &[u8]) -> impl Iterator<Item = &[u8]> {
    list.chunks_exact(ENTRY)
}

pub(super) fn week_key(week: [u8; 4], rest: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(4 + rest.len());
    key.extend_from_slice(&week);
    key.extend_from_slice(rest);
    key
}

/// The week of `time` since 1970, as 4 bytes in time order.
pub(super) fn week(time: DateTime<Utc>) -> [u8; 4] {
    ((time.timestamp().max(0) / WEEK_SECONDS) as u32).to_be_bytes()
}

/// Whether two dates fall in one week of the sketches' keys.
pub fn same_week(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    week(a) == week(b)
}

/// Every week from `from` to `to`, both included.
pub(super) fn weeks(from: DateTime<Utc>, to: DateTime<Utc>) -> impl Iterator<Item = [u8; 4]> {
    let first = u32::from_be_bytes(week(from));
    let last = u32::from_be_bytes(week(to));
    (first..=last).map(u32::to_be_bytes)
}
