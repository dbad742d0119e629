//! The lookup indexes: canonical links, title keys by week, and the text
//! sketches by week, stored in their trees and answered from memory
//! ([`super::recent`]). Each entry leads to a story; a lookup checks that
//! the story still exists.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use super::codec::{fixed, story_id};
use super::recent::{self, IndexMemory, Recent, Week};
use super::{ENTRIES, Result, Store, StoreError, WEEK_SECONDS};
use crate::model::story::{CopyKey, StoryId};
use crate::text::sketch::Sketch;

impl Store {
    pub fn story_by_link(&self, link: &str) -> Result<Option<StoryId>> {
        if !self.recent().may_have_link(link.as_bytes()) {
            return Ok(None);
        }
        match self.links.get(link)? {
            Some(v) => Ok(Some(story_id(&v, "links")?)),
            None => Ok(None),
        }
    }

    /// Points a link at a story, unless another story already owns it.
    pub fn index_link(&self, link: &str, id: StoryId) -> Result<()> {
        // compare_and_swap from "absent": the first story to carry a link
        // keeps it, whatever order later polls run in.
        let taken =
            self.links
                .compare_and_swap(link, None as Option<&[u8]>, Some(id.0.as_bytes()))?;
        // Unless that story is gone: pruned, or never written by a merge
        // cut off before it. The link is then free.
        if let Err(sled::CompareAndSwapError {
            current: Some(owner),
            ..
        }) = taken
        {
            if owner != id.0.as_bytes() && !self.stories.contains_key(&owner)? {
                let _ = self
                    .links
                    .compare_and_swap(link, Some(owner), Some(id.0.as_bytes()))?;
            }
        }
        self.recent().add_link(link.as_bytes());
        Ok(())
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
            let mut recent = self.recent();
            let key = recent::title_fingerprint(&recent.hasher(), title.as_bytes());
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

    /// Adds a story to the list of a title in the week of `published`.
    /// The week is in memory (read if it was not), so the list written
    /// is whole: no read of the stored one.
    pub fn index_title(&self, title: &str, id: StoryId, published: DateTime<Utc>) -> Result<()> {
        let week = week(published);
        self.load_week(week)?;
        let mut value = Vec::new();
        {
            let mut recent = self.recent();
            let key = recent::title_fingerprint(&recent.hasher(), title.as_bytes());
            recent.update(week, |known| {
                for &(story, at) in known.add_title(key, id, published.timestamp()) {
                    value.extend_from_slice(&entry_of(story, at));
                }
            });
        }
        if value.is_empty() {
            // The week could not be kept in memory: the stored list is
            // the record, merged in place.
            self.titles
                .merge(week_key(week, title.as_bytes()), entry(id, published))?;
        } else {
            self.titles
                .insert(week_key(week, title.as_bytes()), value)?;
        }
        Ok(())
    }

    /// Keeps a copy's sketch with its story and indexes its bands.
    pub fn index_sketch(
        &self,
        id: StoryId,
        copy: &CopyKey,
        sketch: &Sketch,
        published: DateTime<Utc>,
    ) -> Result<()> {
        let week = week(published);
        let mut key = week.to_vec();
        key.extend_from_slice(id.0.as_bytes());
        key.extend_from_slice(&copy.to_bytes());
        let bytes = sketch.to_bytes();
        let mut value = published.timestamp().to_be_bytes().to_vec();
        value.extend_from_slice(&bytes);
        self.sketches.insert(key, value)?;
        // A week not in memory reads this sketch with the others when it
        // is first needed.
        let mut recent = self.recent();
        let bands: Vec<u32> = sketch
            .bands()
            .iter()
            .map(|b| recent.fingerprint(b))
            .collect();
        recent.update(week, |known| {
            known.add_copy(id, published.timestamp(), &bands, &bytes);
        });
        Ok(())
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
    ) -> Result<Vec<(StoryId, Vec<Sketch>)>> {
        let mut similar: Vec<(StoryId, Vec<Sketch>)> = Vec::new();
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
    ) -> Result<Vec<Sketch>> {
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
        self.titles.clear()?;
        self.sketches.clear()?;
        self.recent().clear();
        Ok(())
    }

    /// Reads a week's title lists and sketches into memory, unless there.
    pub(super) fn load_week(&self, week: [u8; 4]) -> Result<()> {
        let hasher = {
            let mut recent = self.recent();
            if recent.get(week).is_some() {
                return Ok(());
            }
            recent.hasher()
        };
        let mut loaded = Week::default();
        for entry in self.titles.scan_prefix(week) {
            let (key, list) = entry?;
            let list = entries(&list, "titles")?
                .into_iter()
                .map(|(id, published)| (id, published.timestamp()))
                .collect();
            loaded.load_title(recent::title_fingerprint(&hasher, &key[4..]), list);
        }
        for entry in self.sketches.scan_prefix(week) {
            let (key, value) = entry?;
            let Some(bytes) = value.get(8..) else {
                continue;
            };
            let Some(sketch) = Sketch::from_bytes(bytes) else {
                continue;
            };
            let published = i64::from_be_bytes(fixed(&value[..8], "sketches")?);
            let id = story_id(&key[4..20.min(key.len())], "sketches")?;
            let bands: Vec<u32> = sketch
                .bands()
                .iter()
                .map(|b| recent::fingerprint(&hasher, b))
                .collect();
            loaded.add_copy(id, published, &bands, bytes);
        }
        self.recent().insert(week, loaded);
        Ok(())
    }

    /// Reads the fingerprint of every stored link into memory: at open.
    pub(super) fn load_links(&self) -> Result<()> {
        let hasher = self.recent().hasher();
        let mut links = HashSet::with_capacity(self.links.len());
        for entry in self.links.iter().keys() {
            links.insert(recent::fingerprint(&hasher, &entry?));
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

    /// Lets go of a link, if it points at `id`: another story that owns
    /// the same link keeps it.
    pub fn unindex_link(&self, link: &str, id: StoryId) -> Result<()> {
        // The link's fingerprint stays in the filter: another link may
        // share it, and a stale one only costs a read.
        let _ = self
            .links
            .compare_and_swap(link, Some(id.0.as_bytes()), None as Option<&[u8]>)?;
        Ok(())
    }

    /// Takes a story out of the list of a title indexed at `published`.
    pub fn unindex_title(&self, title: &str, id: StoryId, published: DateTime<Utc>) -> Result<()> {
        let week = week(published);
        remove_entry(&self.titles, &week_key(week, title.as_bytes()), id)?;
        self.recent().forget(week);
        Ok(())
    }

    /// Removes a story's sketches from the weeks of `published` (its
    /// copies' dates); those weeks are read again when next needed.
    pub fn unindex_sketches(&self, id: StoryId, published: &[DateTime<Utc>]) -> Result<()> {
        let mut weeks: Vec<[u8; 4]> = published.iter().map(|&p| week(p)).collect();
        weeks.sort_unstable();
        weeks.dedup();
        for week in weeks {
            let mut prefix = week.to_vec();
            prefix.extend_from_slice(id.0.as_bytes());
            for entry in self.sketches.scan_prefix(&prefix) {
                let (key, _) = entry?;
                self.sketches.remove(key)?;
            }
            self.recent().forget(week);
        }
        Ok(())
    }

    /// Drops every title and sketch key of the weeks before the
    /// week of `before`, whatever story it names: what a story's own
    /// removal missed (a copy re-dated since it was indexed) goes here.
    /// Returns the keys removed.
    pub fn drop_weeks_before(&self, before: DateTime<Utc>) -> Result<usize> {
        let end = week(before);
        let mut removed = 0;
        for tree in [&self.titles, &self.sketches] {
            for entry in tree.range(..end) {
                let (key, _) = entry?;
                tree.remove(key)?;
                removed += 1;
            }
        }
        if removed > 0 {
            self.recent().clear();
        }
        Ok(removed)
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, Recent> {
        self.recent.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One (story, published) pair of an index list: 16 + 8 bytes.
pub(super) const ENTRY: usize = 24;

pub(super) fn entry(id: StoryId, published: DateTime<Utc>) -> [u8; ENTRY] {
    entry_of(id, published.timestamp())
}

fn entry_of(id: StoryId, published: i64) -> [u8; ENTRY] {
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

/// sled's merge operator for index lists: adds or updates one story's
/// entry and keeps the [`ENTRIES`] newest. Malformed old bytes are
/// replaced rather than kept (an index is rebuilt from the copies).
pub(super) fn append_entry(_key: &[u8], old: Option<&[u8]>, new: &[u8]) -> Option<Vec<u8>> {
    let old = old.filter(|o| o.len() % ENTRY == 0).unwrap_or_default();
    let mut list: Vec<&[u8]> = old
        .chunks_exact(ENTRY)
        .filter(|e| e[..16] != new[..16.min(new.len())])
        .collect();
    list.push(new);
    if list.len() > ENTRIES {
        // Entries are 16 bytes of id then a big-endian date: newest last.
        list.sort_by(|a, b| a[16..].cmp(&b[16..]));
        list.drain(..list.len() - ENTRIES);
    }
    Some(list.concat())
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

/// Every week from `from` to `to`, both included.
pub(super) fn weeks(from: DateTime<Utc>, to: DateTime<Utc>) -> impl Iterator<Item = [u8; 4]> {
    let first = u32::from_be_bytes(week(from));
    let last = u32::from_be_bytes(week(to));
    (first..=last).map(u32::to_be_bytes)
}

/// Takes a story's entry out of an index list; the key goes with its
/// last entry. Read, filter, compare-and-swap: a merge racing it is
/// retried, never lost.
pub(super) fn remove_entry(tree: &sled::Tree, key: &[u8], id: StoryId) -> Result<()> {
    tree.fetch_and_update(key, |old| {
        let kept: Vec<u8> = old?
            .chunks_exact(ENTRY)
            .filter(|e| e[..16] != id.0.as_bytes()[..])
            .flatten()
            .copied()
            .collect();
        (!kept.is_empty()).then_some(kept)
    })?;
    Ok(())
}
