//! The lookup indexes in memory: every link the store knows, and for the
//! weeks looked at lately, their title keys with the stories under each
//! and their copies' sketches with the bands that find them.
//!
//! Merging asks these indexes about every new item, and nearly every
//! answer is "nothing": answering from memory spares sled a read (often a
//! range scan) per link, title and band. The `links`, `titles` and
//! `sketches` trees stay the record; this is rebuilt from them: the links
//! at open, a week the first time it is needed.
//!
//! Memory is bounded by a budget (`[store] index_memory`): past it, the
//! week used longest ago is let go and read again when next needed, so a
//! store of any size costs the weeks its new items fall in. When the weeks
//! in use are larger than the budget on their own (more new stories in a
//! week than it holds), they are trimmed as the next batch begins: their
//! oldest copies leave the text lookups, which then miss them (counted in
//! [`IndexMemory::trimmed`]), and their title lists are let go and read
//! from the `titles` tree, one key at a time, when next asked for. So the
//! budget holds whatever the input, at worst exceeded by what one poll
//! brings. The link filter, 32 bits a link, is outside the budget and
//! reported beside it.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;

use super::heap;
use crate::model::story::StoryId;
use crate::text::sketch::Sketch;
use crate::text::syllables::ByHash;

/// Copies a band keeps, the newest: a band every story shares (a standard
/// opening) costs no more than a rare one.
pub const PER_BAND: usize = 24;

/// Stories a title key keeps in a week: the newest, by publication.
pub const PER_TITLE: usize = 24;

/// No slot: the end of a story's chain of copies.
const NONE: u32 = u32::MAX;

/// Marks a `bands` value as an index into `shared`.
const SHARED: u32 = 1 << 31;

/// The in-memory indexes.
pub struct Recent {
    hasher: RandomState,
    /// Fingerprints of the keys of the `links` tree: a link whose
    /// fingerprint is absent is certainly not stored.
    links: HashSet<u32>,
    weeks: HashMap<[u8; 4], Week>,
    /// Bytes the weeks may take together.
    budget: usize,
    /// Bytes the weeks take now.
    bytes: usize,
    /// Counts uses, to find the week used longest ago.
    clock: u64,
    /// The clock when the batch under way began: weeks it used are kept
    /// even over the budget. Letting one go would thrash when a poll's
    /// items need two weeks that do not fit together (an item's window
    /// spans a week's end): each item would read the other week whole
    /// again. The budget is then exceeded by what one poll needs, until
    /// the next batch begins.
    batch_began: u64,
    /// Copies trimmed out of the text lookups since open.
    trimmed: u64,
}

/// One week of the title and text indexes.
#[derive(Default)]
pub struct Week {
    /// Title key fingerprint → (story, published seconds), newest last.
    titles: ByHash<Vec<(StoryId, i64)>>,
    /// The week's sketched copies.
    copies: Vec<Sketched>,
    /// Each story's newest copy in `copies`; the rest chain from it.
    by_story: HashMap<StoryId, u32>,
    /// Band fingerprint → a copy's slot in `copies`, or, with [`SHARED`]
    /// set, a list in `shared`.
    bands: HashMap<u32, u32>,
    /// Lists of the copies of bands several copies have, oldest first.
    shared: Vec<Vec<u32>>,
    /// Some title lists are not in memory (the week was trimmed): a title
    /// not found here is looked up in the store.
    titles_partial: bool,
    /// The sketches' and the shared band lists' buffers, counted as they
    /// change; the tables are counted from their capacities.
    copy_heap: usize,
    /// The title lists' buffers, counted as they change.
    title_heap: usize,
    used: u64,
}

struct Sketched {
    story: StoryId,
    /// The copy's key's fingerprint: a copy sketched again (its text or
    /// date changed) takes its own slot over instead of adding one, so a
    /// feed that re-dates its items at every poll costs nothing more.
    copy: u32,
    published: i64,
    /// The story's previous copy in this week, or [`NONE`].
    previous: u32,
    /// Decoded once, when indexed or read: a band shared by many copies
    /// makes each of them a candidate of many lookups.
    sketch: Arc<Sketch>,
}

/// What [`Recent`] holds, for `/metrics` and the status page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexMemory {
    pub weeks: usize,
    pub week_bytes: usize,
    pub budget: usize,
    pub links: usize,
    pub link_bytes: usize,
    /// Copies trimmed out of the text lookups since open, to keep to the
    /// budget: a sign that it is smaller than a week of new stories.
    pub trimmed: u64,
}

impl Recent {
    pub fn new(budget: usize) -> Recent {
        Recent {
            hasher: RandomState::new(),
            links: HashSet::new(),
            weeks: HashMap::new(),
            budget,
            bytes: 0,
            clock: 0,
            batch_began: u64::MAX,
            trimmed: 0,
        }
    }

    /// A batch begins: the weeks it uses are kept until the next one.
    /// Before it, the weeks are brought within the budget: the weeks the
    /// last batch did not use are let go first; if those it used are
    /// over the budget on their own, each is trimmed in proportion to
    /// bring the whole to half the budget, so that trimming (which reads
    /// every kept sketch's bands again) is rare.
    pub fn begin_batch(&mut self) {
        let last_began = self.batch_began.min(self.clock + 1);
        self.clock += 1;
        self.batch_began = self.clock;
        self.shrink_before(last_began, None);
        if self.bytes <= self.budget {
            return;
        }
        let (total, goal) = (self.bytes as u128, (self.budget / 2) as u128);
        let hasher = self.hasher.clone();
        let mut bytes = 0;
        for week in self.weeks.values_mut() {
            let target = (week.bytes() as u128 * goal / total) as usize;
            self.trimmed += week.trim(&hasher, target) as u64;
            bytes += week.bytes();
        }
        self.bytes = bytes;
    }

    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Counts copies trimmed outside [`Recent::begin_batch`] (a week read
    /// whole that did not fit).
    pub fn count_trimmed(&mut self, copies: usize) {
        self.trimmed += copies as u64;
    }

    pub fn set_budget(&mut self, budget: usize) {
        self.budget = budget;
        self.shrink(None);
    }

    pub fn fingerprint(&self, bytes: &[u8]) -> u32 {
        fingerprint(&self.hasher, bytes)
    }

    /// The fingerprints' hasher, to hash many keys outside the lock.
    pub fn hasher(&self) -> RandomState {
        self.hasher.clone()
    }

    pub fn may_have_link(&self, link: &[u8]) -> bool {
        self.links.contains(&self.fingerprint(link))
    }

    pub fn add_link(&mut self, link: &[u8]) {
        let fingerprint = self.fingerprint(link);
        self.links.insert(fingerprint);
    }

    /// Replaces the link filter with the fingerprints of every stored link.
    pub fn set_links(&mut self, links: HashSet<u32>) {
        self.links = links;
    }

    /// A week, if in memory; counts as a use.
    pub fn get(&mut self, week: [u8; 4]) -> Option<&Week> {
        self.clock += 1;
        let clock = self.clock;
        self.weeks.get_mut(&week).map(|w| {
            w.used = clock;
            &*w
        })
    }

    /// Changes a week in memory (a week not in memory is read whole from
    /// the store when needed: nothing to change), then keeps to the budget.
    pub fn update(&mut self, week: [u8; 4], change: impl FnOnce(&mut Week)) {
        let Some(w) = self.weeks.get_mut(&week) else {
            return;
        };
        let before = w.bytes();
        change(w);
        self.bytes = self.bytes - before + w.bytes();
        self.shrink(Some(week));
    }

    /// Keeps `loaded` as `week`, then lets go of the weeks used longest
    /// ago while over the budget.
    pub fn insert(&mut self, week: [u8; 4], mut loaded: Week) {
        self.clock += 1;
        loaded.used = self.clock;
        self.bytes += loaded.bytes();
        if let Some(old) = self.weeks.insert(week, loaded) {
            self.bytes -= old.bytes();
        }
        self.shrink(Some(week));
    }

    /// Lets go of a week: it is read again from the store when needed.
    pub fn forget(&mut self, week: [u8; 4]) {
        if let Some(old) = self.weeks.remove(&week) {
            self.bytes -= old.bytes();
        }
    }

    /// Lets go of every week (the links stay: they are not by week).
    pub fn clear(&mut self) {
        self.weeks.clear();
        self.bytes = 0;
    }

    pub fn memory(&self) -> IndexMemory {
        IndexMemory {
            weeks: self.weeks.len(),
            week_bytes: self.bytes,
            budget: self.budget,
            links: self.links.len(),
            link_bytes: self.links.capacity() * 5,
            trimmed: self.trimmed,
        }
    }

    /// Lets go of the weeks used longest ago, but `keep` and those the
    /// batch under way used, while over the budget.
    fn shrink(&mut self, keep: Option<[u8; 4]>) {
        self.shrink_before(self.batch_began, keep);
    }

    /// Lets go of the weeks used longest ago, but `keep` and those used
    /// since `clock`, while over the budget.
    fn shrink_before(&mut self, clock: u64, keep: Option<[u8; 4]>) {
        while self.bytes > self.budget {
            let oldest = self
                .weeks
                .iter()
                .filter(|(w, week)| Some(**w) != keep && week.used < clock)
                .min_by_key(|(_, w)| w.used)
                .map(|(w, _)| *w);
            match oldest {
                Some(week) => self.forget(week),
                None => break,
            }
        }
    }
}

/// A key's fingerprint: 32 bits of a keyed hash.
pub fn fingerprint(hasher: &RandomState, bytes: &[u8]) -> u32 {
    hasher.hash_one(bytes) as u32
}

/// The fingerprints of a sketch's bands, the keys of a week's `bands`.
pub fn band_fingerprints(hasher: &RandomState, sketch: &Sketch) -> Vec<u32> {
    sketch
        .bands()
        .iter()
        .map(|b| fingerprint(hasher, b))
        .collect()
}

/// A title key's fingerprint in a week's map: 64 bits, so that two titles
/// of one week sharing one is not a concern (1 in 10¹³ for a week of
/// 100,000 titles), and no title text is held.
pub fn title_fingerprint(hasher: &RandomState, key: &[u8]) -> u64 {
    hasher.hash_one(key)
}

impl Week {
    /// The stories under a title key, with their `published` seconds.
    pub fn titled(&self, title: u64) -> &[(StoryId, i64)] {
        self.titles.get(&title).map_or(&[], Vec::as_slice)
    }

    /// Heap bytes, as counted against the budget: the tables from their
    /// capacities, the lists and sketches as counted when they change.
    pub fn bytes(&self) -> usize {
        self.copy_bytes() + self.title_bytes()
    }

    /// Heap bytes of the copies' part: the slots, the tables that find
    /// them, the sketches and the band lists.
    fn copy_bytes(&self) -> usize {
        heap::list(&self.copies)
            + heap::map(&self.by_story)
            + heap::map(&self.bands)
            + heap::list(&self.shared)
            + self.copy_heap
    }

    /// Heap bytes of the title lists and their table.
    fn title_bytes(&self) -> usize {
        heap::map(&self.titles) + self.title_heap
    }

    /// Whether a title key not in memory may still be in the store.
    pub fn titles_partial(&self) -> bool {
        self.titles_partial
    }

    /// Whether the title key's list is in memory.
    pub fn has_title(&self, title: u64) -> bool {
        self.titles.contains_key(&title)
    }

    /// Adds (or moves) a story under a title key, keeping the
    /// [`PER_TITLE`] newest; returns the list as it now stands.
    pub fn add_title(&mut self, title: u64, story: StoryId, published: i64) -> &[(StoryId, i64)] {
        // Most titles have one story: no room for four.
        let list = self
            .titles
            .entry(title)
            .or_insert_with(|| Vec::with_capacity(1));
        let before = heap::list(list);
        list.retain(|(s, _)| *s != story);
        list.push((story, published));
        if list.len() > PER_TITLE {
            list.sort_by_key(|&(_, p)| p);
            list.drain(..list.len() - PER_TITLE);
        }
        self.title_heap = self.title_heap + heap::list(list) - before;
        list
    }

    /// Takes a story out of a title key's list; returns the list left.
    pub fn remove_title(&mut self, title: u64, story: StoryId) -> &[(StoryId, i64)] {
        match self.titles.get_mut(&title) {
            Some(list) => {
                list.retain(|(s, _)| *s != story);
                list
            }
            None => &[],
        }
    }

    /// Sets a title key's list as read from the store.
    pub fn load_title(&mut self, title: u64, list: Vec<(StoryId, i64)>) {
        self.title_heap += heap::list(&list);
        if let Some(old) = self.titles.insert(title, list) {
            self.title_heap -= heap::list(&old);
        }
    }

    /// Indexes a copy of `story` (`copy`: its key's fingerprint) by its
    /// bands' fingerprints. A copy already here takes its sketch and date.
    pub fn add_copy(
        &mut self,
        story: StoryId,
        copy: u32,
        published: i64,
        bands: &[u32],
        sketch: Arc<Sketch>,
    ) {
        let first = self.by_story.get(&story).copied().unwrap_or(NONE);
        let mut own = first;
        while let Some(c) = self.copies.get(own as usize) {
            if c.copy == copy {
                break;
            }
            own = c.previous;
        }
        let slot = if let Some(held) = self.copies.get_mut(own as usize) {
            self.copy_heap = self.copy_heap + sketch_bytes(&sketch) - sketch_bytes(&held.sketch);
            held.published = published;
            held.sketch = sketch;
            own
        } else {
            let slot = self.copies.len() as u32;
            if slot >= SHARED {
                // Two billion copies in a week: a story more is not indexed.
                return;
            }
            self.by_story.insert(story, slot);
            self.copy_heap += sketch_bytes(&sketch);
            self.copies.push(Sketched {
                story,
                copy,
                published,
                previous: first,
                sketch,
            });
            slot
        };
        for &band in bands {
            match self.bands.get(&band).copied() {
                None => {
                    self.bands.insert(band, slot);
                }
                Some(list) if list & SHARED != 0 => {
                    if let Some(list) = self.shared.get_mut((list & !SHARED) as usize) {
                        if list.contains(&slot) {
                            continue;
                        }
                        let before = heap::list(list);
                        list.push(slot);
                        if list.len() > PER_BAND {
                            list.remove(0);
                        }
                        self.copy_heap = self.copy_heap + heap::list(list) - before;
                    }
                }
                Some(only) if only == slot => {}
                Some(first) => {
                    let list = self.shared.len() as u32 | SHARED;
                    let pair = vec![first, slot];
                    self.copy_heap += heap::list(&pair);
                    self.shared.push(pair);
                    self.bands.insert(band, list);
                }
            }
        }
    }

    /// The copies sharing a band, as (story, published seconds).
    pub fn sharing(&self, band: u32) -> impl Iterator<Item = (StoryId, i64)> + '_ {
        let slots: &[u32] = match self.bands.get(&band) {
            None => &[],
            Some(list) if list & SHARED != 0 => self
                .shared
                .get((list & !SHARED) as usize)
                .map_or(&[], Vec::as_slice),
            Some(slot) => std::slice::from_ref(slot),
        };
        slots
            .iter()
            .filter_map(|&s| self.copies.get(s as usize))
            .filter(|c| self.by_story.contains_key(&c.story))
            .map(|c| (c.story, c.published))
    }

    /// Takes a story's copies out of the lookups: its band entries stay
    /// until the week is read again, and lead to no sketch.
    pub fn remove_story(&mut self, story: StoryId) {
        self.by_story.remove(&story);
    }

    /// The sketches of a story's copies in this week, newest first. A
    /// sketch this bantin cannot read is skipped.
    pub fn sketches_of(&self, story: StoryId) -> Vec<Arc<Sketch>> {
        let mut found = Vec::new();
        let mut slot = self.by_story.get(&story).copied().unwrap_or(NONE);
        while let Some(copy) = self.copies.get(slot as usize) {
            found.push(Arc::clone(&copy.sketch));
            slot = copy.previous;
        }
        found
    }

    /// Brings the week to about `target` bytes: its title lists are let
    /// go (the store answers for them), and if that is not enough, its
    /// oldest copies by publication leave the text lookups. Returns the
    /// copies let go. The bands of the copies kept are computed again
    /// from their sketches, as when the week is read from the store.
    pub fn trim(&mut self, hasher: &RandomState, target: usize) -> usize {
        if self.titles.capacity() > 0 {
            self.titles = ByHash::default();
            self.title_heap = 0;
            self.titles_partial = true;
        }
        if self.bytes() <= target {
            return 0;
        }
        // The copies a lookup can reach: each live story's chain.
        let mut live: Vec<u32> = Vec::with_capacity(self.copies.len());
        for &newest in self.by_story.values() {
            let mut slot = newest;
            while let Some(copy) = self.copies.get(slot as usize) {
                live.push(slot);
                slot = copy.previous;
            }
        }
        live.sort_unstable_by_key(|&s| {
            let published = self
                .copies
                .get(s as usize)
                .map_or(i64::MIN, |c| c.published);
            std::cmp::Reverse((published, s))
        });
        let all = live.len();
        let copies = std::mem::take(&mut self.copies);
        let mut keep = all;
        // The tables grow by doubling, so what a share of the copies takes
        // is not quite that share: kept smaller until it fits, a few
        // times at most.
        for _ in 0..4 {
            keep = (keep as u128 * target as u128 / self.bytes().max(1) as u128) as usize;
            let mut newest: Vec<u32> = live[..keep.min(all)].to_vec();
            // Oldest slot first: each story's chain and each band's list
            // come out in the order they had.
            newest.sort_unstable();
            let mut kept = Week {
                titles_partial: true,
                used: self.used,
                ..Week::default()
            };
            for slot in newest {
                let Some(c) = copies.get(slot as usize) else {
                    continue;
                };
                let bands = band_fingerprints(hasher, &c.sketch);
                kept.add_copy(c.story, c.copy, c.published, &bands, Arc::clone(&c.sketch));
            }
            *self = kept;
            if self.bytes() <= target || keep == 0 {
                break;
            }
        }
        all - keep.min(all)
    }
}

/// Heap bytes of a decoded sketch behind its `Arc`.
fn sketch_bytes(sketch: &Sketch) -> usize {
    let lists = sketch.title_words.capacity()
        + sketch.title_numbers.capacity()
        + sketch.numbers.capacity()
        + sketch.all_numbers.capacity();
    16 + std::mem::size_of::<Sketch>() + 4 * lists
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn story(n: u128) -> StoryId {
        StoryId(Uuid::from_u128(n))
    }

    fn blank() -> Sketch {
        Sketch {
            body: [0; crate::text::sketch::HASHES],
            lead: [0; crate::text::sketch::LEAD_HASHES],
            shingles: 0,
            lead_shingles: 0,
            title_words: Vec::new(),
            title_numbers: Vec::new(),
            numbers: Vec::new(),
            all_numbers: Vec::new(),
        }
    }

    #[test]
    fn a_band_names_every_copy_that_has_it_up_to_its_cap() {
        let mut week = Week::default();
        let none = || Arc::new(blank());
        week.add_copy(story(1), 1, 10, &[7, 8], none());
        week.add_copy(story(2), 2, 20, &[8], none());
        assert_eq!(week.sharing(7).collect::<Vec<_>>(), [(story(1), 10)]);
        assert_eq!(
            week.sharing(8).collect::<Vec<_>>(),
            [(story(1), 10), (story(2), 20)]
        );
        assert_eq!(week.sharing(9).count(), 0);
        for n in 0..2 * PER_BAND as u128 {
            week.add_copy(story(100 + n), n as u32, 100 + n as i64, &[8], none());
        }
        let shared: Vec<_> = week.sharing(8).collect();
        assert_eq!(shared.len(), PER_BAND);
        assert_eq!(
            shared.last(),
            Some(&(story(99 + 2 * PER_BAND as u128), 99 + 2 * PER_BAND as i64))
        );
    }

    #[test]
    fn a_story_finds_each_of_its_copies_sketches() {
        let sketch = |title: &str| {
            Sketch::of(
                title,
                &"Sáng 3/8, Sở Y tế tỉnh Hậu Giang tổ chức hội nghị triển khai \
                  chiến dịch tiêm chủng vắc xin phòng bệnh sởi cho trẻ em từ 1 \
                  đến 5 tuổi trên địa bàn các huyện, thị xã và thành phố."
                    .repeat(3),
            )
            .unwrap()
        };
        let (a, b) = (sketch("Tiêm vắc xin sởi"), sketch("Tiêm chủng sởi"));
        let mut week = Week::default();
        let (a, b) = (Arc::new(a), Arc::new(b));
        week.add_copy(story(1), 1, 10, &[1], Arc::clone(&a));
        week.add_copy(story(2), 2, 11, &[2], Arc::clone(&a));
        week.add_copy(story(1), 3, 12, &[3], Arc::clone(&b));
        assert_eq!(week.sketches_of(story(1)), [b, Arc::clone(&a)]);
        assert_eq!(week.sketches_of(story(2)), [a]);
        assert!(week.sketches_of(story(3)).is_empty());
    }

    #[test]
    fn a_title_keeps_its_newest_stories_once_each() {
        let mut week = Week::default();
        week.add_title(5, story(1), 10);
        week.add_title(5, story(1), 30);
        assert_eq!(week.titled(5), [(story(1), 30)]);
        for n in 0..2 * PER_TITLE as u128 {
            week.add_title(5, story(100 + n), 100 + n as i64);
        }
        assert_eq!(week.titled(5).len(), PER_TITLE);
        assert!(week.titled(5).iter().all(|&(_, p)| p >= 100));
        assert!(week.titled(6).is_empty());
    }

    #[test]
    fn over_budget_the_week_used_longest_ago_goes() {
        let filled = |n: u128| {
            let mut week = Week::default();
            week.add_copy(story(n), n as u32, 1, &[1, 2, 3], Arc::new(blank()));
            week
        };
        let one = filled(1).bytes();
        let mut recent = Recent::new(3 * one);
        for w in 0..3u32 {
            recent.insert(w.to_be_bytes(), filled(u128::from(w)));
        }
        // Week 0 is used again: week 1 is now the one used longest ago.
        assert!(recent.get(0u32.to_be_bytes()).is_some());
        recent.insert(3u32.to_be_bytes(), filled(3));
        assert!(recent.get(1u32.to_be_bytes()).is_none());
        for w in [0u32, 2, 3] {
            assert!(recent.get(w.to_be_bytes()).is_some(), "week {w}");
        }
        assert!(recent.memory().week_bytes <= 3 * one);
        // The weeks a batch uses stay until the next batch, over the
        // budget: a poll needing two weeks that do not fit together must
        // not read each again for every item.
        recent.set_budget(2 * one);
        recent.begin_batch();
        for w in [4u32, 5, 6] {
            recent.insert(w.to_be_bytes(), filled(u128::from(w)));
        }
        for w in [4u32, 5, 6] {
            assert!(recent.get(w.to_be_bytes()).is_some(), "week {w}");
        }
        assert!(recent.get(0u32.to_be_bytes()).is_none());
        // The next batch begins with them over the budget: they are
        // trimmed to half of it (here, of their one copy each, to none).
        recent.begin_batch();
        assert_eq!(recent.memory().trimmed, 3);
        assert!(recent.memory().week_bytes <= one);
        // Being used by no batch, they go first when room is needed.
        for w in [7u32, 8, 10] {
            recent.begin_batch();
            recent.insert(w.to_be_bytes(), filled(u128::from(w)));
        }
        assert!(recent.memory().week_bytes <= 2 * one);
        assert!(recent.get(10u32.to_be_bytes()).is_some());
        assert!(recent.get(7u32.to_be_bytes()).is_none());
        // A week larger than the whole budget is still kept while needed.
        recent.begin_batch();
        recent.set_budget(one / 2);
        assert_eq!(recent.memory().weeks, 0);
        recent.insert(9u32.to_be_bytes(), filled(9));
        assert!(recent.get(9u32.to_be_bytes()).is_some());
    }

    #[test]
    fn a_copy_sketched_again_takes_its_own_slot_over() {
        let mut week = Week::default();
        week.add_copy(story(1), 1, 10, &[7, 8], Arc::new(blank()));
        let once = week.bytes();
        // A feed that re-dates its items at every poll: the same copy,
        // the same text, a new date, a hundred times.
        for poll in 0..100 {
            week.add_copy(story(1), 1, 11 + poll, &[7, 8], Arc::new(blank()));
        }
        assert_eq!(week.bytes(), once);
        assert_eq!(week.sharing(7).collect::<Vec<_>>(), [(story(1), 110)]);
        assert_eq!(week.sketches_of(story(1)).len(), 1);
        // New text: its new bands find it too, and still only once.
        week.add_copy(story(1), 1, 111, &[9], Arc::new(blank()));
        assert_eq!(week.sharing(9).collect::<Vec<_>>(), [(story(1), 111)]);
        assert_eq!(week.sharing(7).collect::<Vec<_>>(), [(story(1), 111)]);
        assert_eq!(week.sketches_of(story(1)).len(), 1);
        // Another copy of the story has a slot of its own.
        week.add_copy(story(1), 2, 112, &[9], Arc::new(blank()));
        assert_eq!(week.sketches_of(story(1)).len(), 2);
        assert_eq!(week.sharing(9).count(), 2);
    }

    #[test]
    fn a_trimmed_week_keeps_its_newest_copies_and_lets_its_titles_go() {
        let hasher = RandomState::new();
        let sketch = |n: u32| {
            let mut s = blank();
            s.body[0] = n;
            Arc::new(s)
        };
        let bands = |s: &Sketch| -> Vec<u32> {
            s.bands().iter().map(|b| fingerprint(&hasher, b)).collect()
        };
        let mut week = Week::default();
        // 200 stories, published out of order; every tenth has a second
        // copy with the same text (so the same bands).
        for n in 0..200u32 {
            let published = i64::from((n * 37) % 200);
            let s = sketch(n);
            week.add_copy(
                story(u128::from(n)),
                n,
                published,
                &bands(&s),
                Arc::clone(&s),
            );
            if n % 10 == 0 {
                week.add_copy(story(u128::from(n)), 1000 + n, published, &bands(&s), s);
            }
            week.add_title(u64::from(n), story(u128::from(n)), published);
        }
        week.remove_story(story(199));
        let before = week.bytes();
        let dropped = week.trim(&hasher, before / 2);
        assert!(week.bytes() <= before / 2, "{} of {before}", week.bytes());
        assert!(dropped > 50 && dropped < 180, "{dropped}");
        assert!(week.titles_partial() && !week.has_title(5));
        // What is kept is the newest: every story published after the
        // newest one let go, with each of its copies.
        let kept = |n: u32| !week.sketches_of(story(u128::from(n))).is_empty();
        let published = |n: u32| i64::from((n * 37) % 200);
        let oldest_kept = (0..199).filter(|&n| kept(n)).map(published).min().unwrap();
        for n in 0..199u32 {
            assert_eq!(kept(n), published(n) >= oldest_kept, "story {n}");
            if kept(n) {
                let s = sketch(n);
                let found: Vec<_> = bands(&s).iter().flat_map(|&b| week.sharing(b)).collect();
                assert!(
                    found.contains(&(story(u128::from(n)), published(n))),
                    "story {n}"
                );
                let copies = if n % 10 == 0 { 2 } else { 1 };
                assert_eq!(week.sketches_of(story(u128::from(n))).len(), copies);
            }
        }
        // The removed story is not brought back.
        assert!(!kept(199));
    }

    #[test]
    fn a_removed_story_leaves_the_lookups_of_its_week() {
        let mut week = Week::default();
        week.add_copy(story(1), 1, 10, &[7, 8], Arc::new(blank()));
        week.add_copy(story(2), 2, 11, &[7], Arc::new(blank()));
        week.remove_story(story(1));
        assert_eq!(week.sharing(7).collect::<Vec<_>>(), [(story(2), 11)]);
        assert_eq!(week.sharing(8).count(), 0);
        assert!(week.sketches_of(story(1)).is_empty());
    }
}
