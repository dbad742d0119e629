//! The search index: which stories hold which syllables, in memory, so a
//! search (`/search?q=…`) reads only the stories that may match, never
//! the whole store.
//!
//! Each copy (title, summary, text) is split into syllables as topic
//! rules split them ([`Syllables`]); the index maps each distinct
//! syllable hash to the copies holding it (a slot per copy), and the
//! diacritic-free hash too where it differs. A query is a topic keyword
//! ([`Keyword`]), so the rules are the topics' own: one written without
//! diacritics also finds the text with them (`ma tuy` finds `ma túy`),
//! one with diacritics only that spelling. The index gives the stories
//! holding every syllable of the query; each of those, newest first, is
//! read from the store and matched as a phrase, until [`LIMIT`] match,
//! [`MAX_READ`] were read or [`TIME`] is up.
//!
//! Built at start from the store (newest stories first), then kept up to
//! date by each ingest, which hands over the terms of the copies it
//! stored ([`Searchable`]: read from the item's one split in prepare,
//! never read back from the store). Bounded by `[store] search_memory`:
//! past it, the oldest stories leave the index (and so the results). A
//! copy whose text changed is indexed again under a new slot; its old
//! slot, and a story retention removed, are skipped when read and
//! dropped at the next compaction. Memory is counted, not measured: an estimate of the
//! maps' and lists' sizes.

use std::collections::{BTreeSet, HashMap};
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::postings::Postings;
use super::{Result, Store, heap};
use crate::model::story::{Copy, Searchable, Story, StoryId};
use crate::text::keywords::{Keyword, MatchText};
use crate::text::syllables::{ByHash, Syllables, syllable_hash};
use crate::text::{Tokens, has_diacritics, html_to_text};

/// Results of one search at most: the newest.
pub const LIMIT: usize = 50;

/// Stories read and matched for one search at most.
pub const MAX_READ: usize = 2_000;

/// A search stops reading stories after this, with what it found.
pub const TIME: Duration = Duration::from_secs(2);

/// A query longer than this (bytes) is refused: a keyword, not a text.
pub const MAX_QUERY: usize = 200;

/// Syllables of a query at most.
pub const MAX_SYLLABLES: usize = 12;

/// Why a query is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("search: the query is empty; give a word, e.g. ?q=tiêm chủng")]
    Empty,
    #[error(
        "search: the query is longer than {MAX_QUERY} bytes or {MAX_SYLLABLES} syllables; give a few words"
    )]
    TooLong,
    #[error("search: `re:` expressions are not searched; give words")]
    Regex,
}

/// A parsed query: the keyword, and the syllable hashes the index looks up.
#[derive(Debug, Clone)]
pub struct Query {
    keyword: Keyword,
    hashes: Vec<u64>,
    /// Written without diacritics: the diacritic-free forms count too.
    plain: bool,
}

impl Query {
    pub fn parse(text: &str) -> std::result::Result<Query, QueryError> {
        let text = text.trim();
        if text.len() > MAX_QUERY {
            return Err(QueryError::TooLong);
        }
        if text.starts_with("re:") {
            return Err(QueryError::Regex);
        }
        let mut hashes: Vec<u64> = Tokens::of(text)
            .0
            .iter()
            .map(|s| syllable_hash(s))
            .collect();
        if hashes.is_empty() {
            return Err(QueryError::Empty);
        }
        if hashes.len() > MAX_SYLLABLES {
            return Err(QueryError::TooLong);
        }
        // Cannot fail: only `re:` keywords are compiled, and those are refused.
        let keyword = Keyword::new(text).map_err(|_| QueryError::Regex)?;
        hashes.sort_unstable();
        hashes.dedup();
        Ok(Query {
            keyword,
            hashes,
            plain: !has_diacritics(text),
        })
    }
}

/// What a search found: newest first.
#[derive(Debug)]
pub struct Found {
    pub stories: Vec<Story>,
    /// False when [`MAX_READ`] or [`TIME`] stopped the search early.
    pub complete: bool,
}

/// The index's memory, as `/metrics` reports it.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchMemory {
    pub bytes: usize,
    pub budget: usize,
    pub stories: usize,
}

/// Syllables to stories. A std lock: held for a lookup or an insert,
/// never across an `.await`.
pub struct SearchIndex {
    inner: RwLock<Inner>,
    ready: AtomicBool,
}

#[derive(Default)]
struct Inner {
    /// Slot → the copy it indexes; `None` once replaced or evicted.
    slots: Vec<Option<Slot>>,
    /// Each story's slots, one per copy.
    by_story: HashMap<StoryId, Vec<u32>>,
    /// Copy fingerprint → its slot.
    by_copy: HashMap<u64, u32>,
    /// Exact syllable hash → slots, ascending.
    exact: ByHash<Postings>,
    /// Diacritic-free hash → slots, where it differs from the exact one.
    plain: ByHash<Postings>,
    /// The buffers of the posting lists and of `by_story`'s lists,
    /// counted as they change.
    lists: usize,
    budget: usize,
    dead: usize,
}

/// One indexed copy: its story, the story's `published` (Unix seconds;
/// kept the same in all of a story's slots) and the copy's fingerprint.
#[derive(Debug, Clone, Copy)]
struct Slot {
    story: StoryId,
    published: i64,
    copy: u64,
}

impl SearchIndex {
    /// An empty index that may take `budget` bytes; not ready until
    /// [`SearchIndex::build`] ran.
    pub fn new(budget: u64) -> SearchIndex {
        SearchIndex {
            inner: RwLock::new(Inner {
                budget: usize::try_from(budget).unwrap_or(usize::MAX),
                ..Inner::default()
            }),
            ready: AtomicBool::new(false),
        }
    }

    /// Whether the index holds the store's stories (built at start).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Indexes the store's stories, newest first, until the budget is
    /// reached. Blocking. Stories ingest indexed meanwhile are kept.
    pub fn build(&self, store: &Store) -> Result<usize> {
        let built = self.build_from(store);
        // Ready even when the store could not be read through: what
        // ingests index is searched rather than nothing at all.
        self.ready.store(true, Ordering::Release);
        built
    }

    fn build_from(&self, store: &Store) -> Result<usize> {
        let mut dated = Vec::new();
        for story in store.stories() {
            let story = story?;
            dated.push((story.published, story.id));
        }
        dated.sort_unstable_by(|a, b| b.cmp(a));
        let mut indexed = 0;
        for (_, id) in dated {
            if self.read().by_story.contains_key(&id) {
                continue;
            }
            let Some(story) = store.story(id)? else {
                continue;
            };
            let copies = searchable_copies(store, &story)?;
            let mut inner = self.write();
            if inner.by_story.contains_key(&id) {
                continue;
            }
            for copy in &copies {
                inner.insert(copy);
            }
            if inner.bytes() > inner.budget {
                // The story that did not fit leaves, and the tables give
                // back what they grew by for it.
                inner.remove_story(id);
                inner.compact();
                break;
            }
            indexed += 1;
        }
        Ok(indexed)
    }

    /// Indexes copies an ingest stored with new text, as the merge hands
    /// them over: nothing is read back from the store.
    pub fn index(&self, copies: &[Searchable]) {
        let mut inner = self.write();
        for copy in copies {
            inner.insert(copy);
        }
        inner.keep_within_budget();
    }

    /// Indexes `ids` again, as they are now in the store (a story gone
    /// leaves the index). Blocking: reads them.
    pub fn update(&self, store: &Store, ids: &BTreeSet<StoryId>) -> Result<()> {
        for &id in ids {
            let copies = match store.story(id)? {
                Some(story) => searchable_copies(store, &story)?,
                None => Vec::new(),
            };
            let mut inner = self.write();
            inner.remove_story(id);
            for copy in &copies {
                inner.insert(copy);
            }
            inner.keep_within_budget();
        }
        Ok(())
    }

    pub fn memory(&self) -> SearchMemory {
        let inner = self.read();
        SearchMemory {
            bytes: inner.bytes(),
            budget: inner.budget,
            stories: inner.by_story.len(),
        }
    }

    /// The newest stories matching `query`, in `topic` if given, at most
    /// [`LIMIT`]. Blocking: reads the candidates from the store.
    pub fn search(&self, store: &Store, query: &Query, topic: Option<&str>) -> Result<Found> {
        let candidates = self.read().candidates(query);
        let started = Instant::now();
        let mut stories = Vec::new();
        let mut complete = true;
        for (n, id) in candidates.into_iter().enumerate() {
            if stories.len() == LIMIT {
                break;
            }
            if n == MAX_READ || started.elapsed() > TIME {
                complete = false;
                break;
            }
            let Some(story) = store.story(id)? else {
                continue;
            };
            if topic.is_some_and(|t| !story.topics.iter().any(|s| s == t)) {
                continue;
            }
            let copies = copies_of(store, &story)?;
            if copies.iter().any(|c| query.keyword.matches(&match_text(c))) {
                stories.push(story);
            }
        }
        Ok(Found { stories, complete })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    /// Indexes `copy` under a new slot, in place of its old one if it had
    /// one; all of its story's slots take the story's date.
    fn insert(&mut self, copy: &Searchable) {
        let Ok(slot) = u32::try_from(self.slots.len()) else {
            return;
        };
        if let Some(old) = self.by_copy.get(&copy.copy).copied() {
            self.kill(old);
        }
        let published = copy.published.timestamp();
        self.slots.push(Some(Slot {
            story: copy.story,
            published,
            copy: copy.copy,
        }));
        self.by_copy.insert(copy.copy, slot);
        let mine = self.by_story.entry(copy.story).or_default();
        let before = heap::list(mine);
        mine.push(slot);
        self.lists = self.lists + heap::list(mine) - before;
        for &s in mine.iter() {
            if let Some(Some(held)) = self.slots.get_mut(s as usize) {
                held.published = published;
            }
        }
        for &hash in &copy.terms.exact {
            self.lists += add(&mut self.exact, hash, slot);
        }
        for &hash in &copy.terms.plain {
            self.lists += add(&mut self.plain, hash, slot);
        }
    }

    /// Heap bytes: the tables from their capacities, and `lists`.
    fn bytes(&self) -> usize {
        heap::list(&self.slots)
            + heap::map(&self.by_story)
            + heap::map(&self.by_copy)
            + heap::map(&self.exact)
            + heap::map(&self.plain)
            + self.lists
    }

    /// Empties one slot; its postings go at the next compaction.
    fn kill(&mut self, slot: u32) {
        let Some(held) = self.slots.get_mut(slot as usize).and_then(Option::take) else {
            return;
        };
        self.dead += 1;
        self.by_copy.remove(&held.copy);
        if let Some(mine) = self.by_story.get_mut(&held.story) {
            mine.retain(|&s| s != slot);
            if mine.is_empty() {
                if let Some(gone) = self.by_story.remove(&held.story) {
                    self.lists -= heap::list(&gone);
                }
            }
        }
    }

    fn remove_story(&mut self, id: StoryId) {
        let mine = self.by_story.remove(&id).unwrap_or_default();
        self.lists -= heap::list(&mine);
        for slot in mine {
            if let Some(held) = self.slots.get_mut(slot as usize).and_then(Option::take) {
                self.by_copy.remove(&held.copy);
                self.dead += 1;
            }
        }
    }

    /// Past the budget, the oldest quarter of the stories leaves; many
    /// dead slots, and the lists are compacted.
    fn keep_within_budget(&mut self) {
        if self.bytes() > self.budget {
            let mut live: Vec<(i64, StoryId)> = self
                .by_story
                .iter()
                .filter_map(|(&id, slots)| {
                    let first = self.slots.get(*slots.first()? as usize)?.as_ref()?;
                    Some((first.published, id))
                })
                .collect();
            live.sort_unstable();
            for &(_, id) in &live[..live.len().div_ceil(4)] {
                self.remove_story(id);
            }
            self.compact();
        } else if self.dead > 1024 && self.dead > self.by_copy.len() {
            self.compact();
        }
    }

    /// Renumbers the live slots and drops the dead from every list.
    fn compact(&mut self) {
        let mut renumber = vec![u32::MAX; self.slots.len()];
        let mut slots = Vec::with_capacity(self.by_copy.len());
        for (old, held) in self.slots.iter().enumerate() {
            if let Some(held) = held {
                renumber[old] = slots.len() as u32;
                slots.push(Some(*held));
            }
        }
        let mut lists = 0;
        for map in [&mut self.exact, &mut self.plain] {
            map.retain(|_, list| {
                // Written anew, to fit: what was let go leaves, as it
                // does from the tables below.
                list.renumber(|slot| {
                    renumber
                        .get(slot as usize)
                        .copied()
                        .filter(|&n| n != u32::MAX)
                });
                lists += list.heap();
                !list.is_empty()
            });
            map.shrink_to_fit();
        }
        self.by_story = HashMap::new();
        self.by_copy = HashMap::with_capacity(slots.len());
        for (n, held) in slots.iter().enumerate() {
            if let Some(held) = held {
                self.by_story.entry(held.story).or_default().push(n as u32);
                self.by_copy.insert(held.copy, n as u32);
            }
        }
        lists += self.by_story.values().map(heap::list).sum::<usize>();
        self.slots = slots;
        self.lists = lists;
        self.dead = 0;
    }

    /// Stories holding every syllable of the query, newest first.
    fn candidates(&self, query: &Query) -> Vec<StoryId> {
        let mut common: Option<Vec<u32>> = None;
        for hash in &query.hashes {
            let slots = |map: &ByHash<Postings>| -> Vec<u32> {
                map.get(hash)
                    .map(|p| p.iter().collect())
                    .unwrap_or_default()
            };
            let mut list = slots(&self.exact);
            if query.plain && self.plain.contains_key(hash) {
                list.extend(slots(&self.plain));
                list.sort_unstable();
                list.dedup();
            }
            common = Some(match common {
                None => list,
                Some(held) => intersect(&held, &list),
            });
        }
        let mut found: Vec<(i64, StoryId)> = common
            .unwrap_or_default()
            .into_iter()
            .filter_map(|slot| self.slots.get(slot as usize).copied().flatten())
            .map(|held| (held.published, held.story))
            .collect();
        // A story's slots share its date, so its copies sort together.
        found.sort_unstable_by(|a, b| b.cmp(a));
        found.dedup();
        found.into_iter().map(|(_, id)| id).collect()
    }
}

/// Adds `slot` to `hash`'s list once (slots only grow, so a copy's
/// syllables come together at the end); returns the bytes its buffer
/// grew by.
fn add(map: &mut ByHash<Postings>, hash: u64, slot: u32) -> usize {
    let list = map.entry(hash).or_default();
    let before = list.heap();
    list.push(slot);
    list.heap() - before
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// A stored story's copies as the index takes them.
fn searchable_copies(store: &Store, story: &Story) -> Result<Vec<Searchable>> {
    Ok(copies_of(store, story)?
        .iter()
        .map(|copy| Searchable {
            story: story.id,
            published: story.published,
            copy: copy.key.fingerprint(),
            terms: story_text(std::slice::from_ref(copy)).terms(),
        })
        .collect())
}

fn copies_of(store: &Store, story: &Story) -> Result<Vec<Copy>> {
    let mut copies = Vec::with_capacity(story.copies.len());
    for key in &story.copies {
        copies.extend(store.copy(key)?.filter(|c| c.story == story.id));
    }
    Ok(copies)
}

/// What a copy is searched by: its title, summary and text, each a part
/// of its own, as topic rules read an item.
fn copy_parts(copy: &Copy) -> [String; 3] {
    [
        copy.title.clone(),
        copy.summary.clone(),
        html_to_text(&copy.content),
    ]
}

fn match_text(copy: &Copy) -> MatchText {
    let parts = copy_parts(copy);
    MatchText::new(parts.iter().map(String::as_str), &[])
}

fn story_text(copies: &[Copy]) -> Syllables {
    let parts: Vec<String> = copies.iter().flat_map(copy_parts).collect();
    Syllables::of_parts(parts.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::model::story::CopyKey;

    /// A store of `n` stories titled `title` and a number, story `i`
    /// published `i` hours after the first.
    fn store_of(n: usize, title: &str) -> Store {
        let store = Store::temporary().unwrap();
        let mut batch = store.batch();
        for i in 0..n {
            let key = CopyKey {
                source: "moh".into(),
                item: format!("https://moh.gov.vn.test/tin/{i}"),
            };
            let at = DateTime::<Utc>::from_timestamp(1_790_000_000 + 3600 * i as i64, 0).unwrap();
            let copy = Copy {
                key: key.clone(),
                story: StoryId::mint(&key),
                title: format!("{title} đợt {i}"),
                link: Some(key.item.clone()),
                summary: "Trạm y tế phường tổ chức cho trẻ em.".into(),
                content: String::new(),
                published: at,
                first_seen: at,
                changed: at,
                authors: vec![],
                categories: vec![],
                topics: vec!["all".into()],
                article: false,
            };
            let story = Story::new(&copy);
            batch.put_story(&story, None);
            batch.put_copy(&copy);
        }
        batch.commit().unwrap();
        store
    }

    fn titles(store: &Store, found: &Found) -> Vec<String> {
        found
            .stories
            .iter()
            .map(|s| store.copy(&s.copies[0]).unwrap().unwrap().title)
            .collect()
    }

    #[test]
    fn a_search_gives_the_newest_fifty() {
        let store = store_of(70, "Tiêm chủng mở rộng");
        let index = SearchIndex::new(64 << 20);
        assert_eq!(index.build(&store).unwrap(), 70);
        let found = index
            .search(&store, &Query::parse("tiem chung").unwrap(), None)
            .unwrap();
        assert!(found.complete);
        let want: Vec<String> = (20..70)
            .rev()
            .map(|i| format!("Tiêm chủng mở rộng đợt {i}"))
            .collect();
        assert_eq!(titles(&store, &found), want);
    }

    #[test]
    fn past_its_budget_the_index_keeps_the_newest_stories() {
        let store = store_of(200, "Tiêm chủng mở rộng");
        let budget = 8 * 1024;
        let index = SearchIndex::new(budget);
        let indexed = index.build(&store).unwrap();
        assert!(indexed > 10 && indexed < 200, "{indexed}");
        let memory = index.memory();
        assert!(memory.bytes <= budget as usize + 1024, "{memory:?}");
        let found = index
            .search(&store, &Query::parse("tiêm chủng").unwrap(), None)
            .unwrap();
        assert_eq!(titles(&store, &found)[0], "Tiêm chủng mở rộng đợt 199");

        // Ingest past the budget: the oldest leave, the memory stays bounded.
        let ids: BTreeSet<StoryId> = store.stories().map(|s| s.unwrap().id).collect();
        index.update(&store, &ids).unwrap();
        let memory = index.memory();
        assert!(memory.bytes <= budget as usize + 1024, "{memory:?}");
        let found = index
            .search(&store, &Query::parse("tiêm chủng").unwrap(), None)
            .unwrap();
        assert_eq!(titles(&store, &found)[0], "Tiêm chủng mở rộng đợt 199");
    }

    #[test]
    fn a_story_indexed_again_is_found_once() {
        let store = store_of(3, "Phòng chống sốt xuất huyết");
        let index = SearchIndex::new(64 << 20);
        index.build(&store).unwrap();
        let ids: BTreeSet<StoryId> = store.stories().map(|s| s.unwrap().id).collect();
        index.update(&store, &ids).unwrap();
        index.update(&store, &ids).unwrap();
        let found = index
            .search(&store, &Query::parse("sốt xuất huyết").unwrap(), None)
            .unwrap();
        assert_eq!(found.stories.len(), 3);
        assert_eq!(index.memory().stories, 3);
    }

    #[test]
    fn an_empty_or_long_query_is_refused() {
        assert_eq!(Query::parse("  ").unwrap_err(), QueryError::Empty);
        assert_eq!(Query::parse("--").unwrap_err(), QueryError::Empty);
        assert_eq!(
            Query::parse(&"a ".repeat(13)).unwrap_err(),
            QueryError::TooLong
        );
        assert_eq!(
            Query::parse(&"x".repeat(201)).unwrap_err(),
            QueryError::TooLong
        );
        assert_eq!(Query::parse("re:.*").unwrap_err(), QueryError::Regex);
    }

    #[test]
    fn intersect_keeps_what_both_hold() {
        assert_eq!(intersect(&[1, 3, 5, 7], &[3, 4, 7, 9]), [3, 7]);
        assert!(intersect(&[], &[1]).is_empty());
    }
}
