//! A batch of writes: what one poll (or one prune step, one imported
//! record) changes, kept in memory and written at once by
//! [`Batch::commit`].
//!
//! Reads through a batch see its own writes first: a story the batch
//! made is found again as the [`Story`] it holds, never read back and
//! decoded, and each story and copy is encoded once, at commit.
//!
//! Commit writes the trees in an order that a process killed between two
//! of them cannot make inconsistent (the rule the store's docs give for
//! single writes, kept per batch): index entries first (links, titles,
//! sketches, and the topic entries of stories written), then the stories
//! written, then the copies written; then the copies removed, the
//! stories removed, and last the topic entries of stories removed, since
//! they are how retention finds a story again.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::backend::Backend as _;
use super::backend::{Tree, Writes};
use super::codec::{encode, story_id};
use super::indexes::{week, week_key};
use super::topics::{topic_key, topic_key_of};
use super::{Result, Store, TopicEntry};
use crate::model::story::{Copy, CopyKey, Story, StoryId};
use crate::text::sketch::Sketch;

pub struct Batch<'s> {
    store: &'s Store,
    /// Index entries (and the topic entries of stories written): `None`
    /// removes.
    indexes: BTreeMap<(Tree, Vec<u8>), Option<Vec<u8>>>,
    /// Stories written (`Some`) or removed (`None`).
    stories: HashMap<StoryId, Option<Story>>,
    copies: HashMap<CopyKey, Option<Copy>>,
    /// Topic entries removed with their story: written last.
    last: BTreeMap<Vec<u8>, ()>,
    /// Weeks whose in-memory sketches may differ from what the batch
    /// leaves stored (a sketch removed, or added while the week was not in
    /// memory and then read without it): let go of after the commit.
    stale: BTreeSet<[u8; 4]>,
}

impl Store {
    /// A batch of writes on this store, applied by [`Batch::commit`].
    /// One at a time: batches are made under the pipeline's merge lock.
    pub fn batch(&self) -> Batch<'_> {
        self.recent().begin_batch();
        Batch {
            store: self,
            indexes: BTreeMap::new(),
            stories: HashMap::new(),
            copies: HashMap::new(),
            last: BTreeMap::new(),
            stale: BTreeSet::new(),
        }
    }
}

impl<'s> Batch<'s> {
    pub fn store(&self) -> &'s Store {
        self.store
    }

    /// Writes the batch. On a failure nothing is known of what landed:
    /// the in-memory indexes are read again from the store when next
    /// needed.
    pub fn commit(self) -> Result<()> {
        let Batch {
            store,
            indexes,
            stories,
            copies,
            last,
            stale,
        } = self;
        if indexes.is_empty() && stories.is_empty() && copies.is_empty() && last.is_empty() {
            return Ok(());
        }
        let mut by_tree: BTreeMap<Tree, Writes> = BTreeMap::new();
        for ((tree, key), value) in indexes {
            by_tree.entry(tree).or_default().push((key, value));
        }
        // Tree's order is the order above: links, titles, sketches, topics.
        let mut writes: Vec<(Tree, Writes)> = by_tree.into_iter().collect();
        let mut written_stories = Writes::new();
        let mut removed_stories = Writes::new();
        for (id, story) in stories {
            let key = id.0.as_bytes().to_vec();
            match story {
                Some(story) => written_stories.push((key, Some(encode(&story)?))),
                None => removed_stories.push((key, None)),
            }
        }
        let mut written_copies = Writes::new();
        let mut removed_copies = Writes::new();
        for (key, copy) in copies {
            let key = key.to_bytes();
            match copy {
                Some(copy) => written_copies.push((key, Some(encode(&copy)?))),
                None => removed_copies.push((key, None)),
            }
        }
        writes.push((Tree::Stories, written_stories));
        writes.push((Tree::Copies, written_copies));
        writes.push((Tree::Copies, removed_copies));
        writes.push((Tree::Stories, removed_stories));
        writes.push((Tree::Topics, last.into_keys().map(|k| (k, None)).collect()));
        writes.retain(|(_, w)| !w.is_empty());
        let applied = store.backend.apply(writes);
        let mut recent = store.recent();
        if applied.is_err() {
            recent.clear();
        }
        for week in stale {
            recent.forget(week);
        }
        applied
    }

    pub fn copy(&self, key: &CopyKey) -> Result<Option<Copy>> {
        match self.copies.get(key) {
            Some(copy) => Ok(copy.clone()),
            None => self.store.copy(key),
        }
    }

    pub fn story(&self, id: StoryId) -> Result<Option<Story>> {
        match self.stories.get(&id) {
            Some(story) => Ok(story.clone()),
            None => self.store.story(id),
        }
    }

    /// Whether a story exists, without reading it when the batch holds it.
    fn has_story(&self, id: StoryId) -> Result<bool> {
        match self.stories.get(&id) {
            Some(story) => Ok(story.is_some()),
            None => Ok(self.store.story_bytes(id)?.is_some()),
        }
    }

    pub fn put_copy(&mut self, copy: &Copy) {
        self.copies.insert(copy.key.clone(), Some(copy.clone()));
    }

    pub fn remove_copy(&mut self, key: &CopyKey) {
        self.copies.insert(key.clone(), None);
    }

    /// Writes a story and moves its topic index entries from `before` (its
    /// previous version, if any) to the new topics and date.
    pub fn put_story(&mut self, story: &Story, before: Option<&Story>) {
        let keys: Vec<Vec<u8>> = story.topics.iter().map(|s| topic_key(s, story)).collect();
        if let Some(old) = before {
            for slug in &old.topics {
                let key = topic_key(slug, old);
                if !keys.contains(&key) {
                    self.index(Tree::Topics, key, None);
                }
            }
        }
        for key in keys {
            self.last.remove(&key);
            self.index(Tree::Topics, key, Some(Vec::new()));
        }
        self.stories.insert(story.id, Some(story.clone()));
    }

    /// Removes a story, then (last, at commit) its `topics` entries. Its
    /// copies and other index entries are
    /// [`crate::pipeline::merge::forget`]'s to remove.
    pub fn remove_story(&mut self, story: &Story) {
        self.stories.insert(story.id, None);
        for slug in &story.topics {
            self.remove_topic_entry_key(topic_key(slug, story));
        }
    }

    pub fn remove_topic_entry(&mut self, entry: &TopicEntry) {
        self.remove_topic_entry_key(topic_key_of(&entry.slug, entry.published, entry.story));
    }

    fn remove_topic_entry_key(&mut self, key: Vec<u8>) {
        self.indexes.remove(&(Tree::Topics, key.clone()));
        self.last.insert(key, ());
    }

    fn index(&mut self, tree: Tree, key: Vec<u8>, value: Option<Vec<u8>>) {
        self.indexes.insert((tree, key), value);
    }

    /// The story a link leads to, if any.
    pub fn story_by_link(&self, link: &str) -> Result<Option<StoryId>> {
        match self.indexes.get(&(Tree::Links, link.as_bytes().to_vec())) {
            Some(Some(id)) => Ok(Some(story_id(id, "links")?)),
            Some(None) => Ok(None),
            None => self.store.story_by_link(link),
        }
    }

    /// Points a link at a story, unless another story that still exists
    /// owns it: the first story to carry a link keeps it, whatever order
    /// later polls run in.
    pub fn index_link(&mut self, link: &str, id: StoryId) -> Result<()> {
        match self.story_by_link(link)? {
            Some(owner) if owner == id => return Ok(()),
            Some(owner) if self.has_story(owner)? => return Ok(()),
            _ => {}
        }
        self.index(
            Tree::Links,
            link.as_bytes().to_vec(),
            Some(id.0.as_bytes().to_vec()),
        );
        self.store.recent().add_link(link.as_bytes());
        Ok(())
    }

    /// Lets go of a link, if it points at `id`.
    pub fn unindex_link(&mut self, link: &str, id: StoryId) -> Result<()> {
        // The link's fingerprint stays in the filter: another link may
        // share it, and a stale one only costs a read.
        if self.story_by_link(link)? == Some(id) {
            self.index(Tree::Links, link.as_bytes().to_vec(), None);
        }
        Ok(())
    }

    /// Adds a story to the list of a title in the week of `published`.
    /// The week is in memory (read if it was not), so the list written
    /// is whole: no read of the stored one.
    pub fn index_title(
        &mut self,
        title: &str,
        id: StoryId,
        published: DateTime<Utc>,
    ) -> Result<()> {
        let week = week(published);
        let list = self.store.add_title(week, title, id, published)?;
        self.index(Tree::Titles, week_key(week, title.as_bytes()), Some(list));
        Ok(())
    }

    /// Takes a story out of the list of a title indexed at `published`.
    pub fn unindex_title(
        &mut self,
        title: &str,
        id: StoryId,
        published: DateTime<Utc>,
    ) -> Result<()> {
        // The week in memory is the batch's view of the list (a list
        // written earlier in the batch included), and stays right after it.
        let week = week(published);
        let list = self.store.remove_title(week, title, id)?;
        self.index(Tree::Titles, week_key(week, title.as_bytes()), list);
        Ok(())
    }

    /// Keeps a copy's sketch with its story and indexes its bands.
    pub fn index_sketch(
        &mut self,
        id: StoryId,
        copy: &CopyKey,
        sketch: &Sketch,
        published: DateTime<Utc>,
    ) {
        let week = week(published);
        let key = sketch_key(week, id, copy);
        let bytes = sketch.to_bytes();
        if !self
            .store
            .add_sketch(week, id, &key[20..], published, sketch)
        {
            self.stale.insert(week);
        }
        let mut value = Vec::with_capacity(8 + bytes.len());
        value.extend_from_slice(&published.timestamp().to_be_bytes());
        value.extend_from_slice(&bytes);
        self.index(Tree::Sketches, key, Some(value));
    }

    /// Takes one copy's sketch out of the week of `published`, where it
    /// was kept before its date moved to another week: otherwise its key
    /// stays there, read with that week and stored, until retention drops
    /// the week. The week in memory is let go after the commit.
    pub fn unindex_sketch(&mut self, id: StoryId, copy: &CopyKey, published: DateTime<Utc>) {
        let week = week(published);
        self.index(Tree::Sketches, sketch_key(week, id, copy), None);
        self.stale.insert(week);
    }

    /// Removes a story's sketches from the weeks of `published` (its
    /// copies' dates); those weeks are read again when next needed.
    pub fn unindex_sketches(&mut self, id: StoryId, published: &[DateTime<Utc>]) -> Result<()> {
        let mut weeks: Vec<[u8; 4]> = published.iter().map(|&p| week(p)).collect();
        weeks.sort_unstable();
        weeks.dedup();
        for week in weeks {
            let mut prefix = week.to_vec();
            prefix.extend_from_slice(id.0.as_bytes());
            let mut keys = Vec::new();
            for entry in self.store.backend.scan(Tree::Sketches, &prefix) {
                keys.push(entry?.0);
            }
            keys.extend(
                self.indexes
                    .range((Tree::Sketches, prefix.clone())..)
                    .take_while(|((t, k), _)| *t == Tree::Sketches && k.starts_with(&prefix))
                    .map(|((_, k), _)| k.clone()),
            );
            for key in keys {
                self.index(Tree::Sketches, key, None);
            }
            // Out of the week in memory at once, for the rest of the
            // batch; the week itself is let go after the commit. Letting
            // it go here made the next story's title removal read the
            // whole week again: a prune of a day's 2,000 stories read
            // their week 2,000 times.
            self.store
                .recent()
                .update(week, |known| known.remove_story(id));
            self.stale.insert(week);
        }
        Ok(())
    }
}

/// A copy's key in the `sketches` tree: week, story uuid, copy key.
fn sketch_key(week: [u8; 4], id: StoryId, copy: &CopyKey) -> Vec<u8> {
    let mut key = week.to_vec();
    key.extend_from_slice(id.0.as_bytes());
    key.extend_from_slice(&copy.to_bytes());
    key
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use uuid::Uuid;

    use super::*;

    fn story(n: u128) -> StoryId {
        StoryId(Uuid::from_u128(n))
    }

    fn titled(store: &Store, title: &str, at: DateTime<Utc>) -> Vec<StoryId> {
        let mut found: Vec<StoryId> = store
            .stories_by_title(title, at, Duration::hours(1))
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        found.sort();
        found
    }

    #[test]
    fn a_title_taken_out_and_given_again_in_one_batch_keeps_both_changes() {
        let dir = tempfile::tempdir().unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let mut batch = store.batch();
            batch.index_title("tiem vac xin", story(1), at).unwrap();
            batch.index_title("tiem vac xin", story(2), at).unwrap();
            batch.commit().unwrap();
            let mut batch = store.batch();
            batch.unindex_title("tiem vac xin", story(1), at).unwrap();
            batch.index_title("tiem vac xin", story(3), at).unwrap();
            batch.commit().unwrap();
            assert_eq!(titled(&store, "tiem vac xin", at), [story(2), story(3)]);
            store.flush().unwrap();
        }
        // What is stored agrees with what was in memory.
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(titled(&store, "tiem vac xin", at), [story(2), story(3)]);
    }
}
