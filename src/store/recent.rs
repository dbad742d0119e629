//! The title and text indexes of recent weeks, in memory.
//!
//! Most new copies match no stored title and no stored text. Answering
//! that from memory spares sled a read per key, and keeping the text index
//! (the sketches' bands) here rather than in sled spares it eight writes
//! per copy. Only the weeks looked at lately are held, so the cost of a
//! lookup stays flat however large the store grows; a week is read from
//! the store (its title keys, its sketches) the first time it is needed.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, RandomState};

use crate::model::story::StoryId;

/// Weeks kept in memory. Lookups ask about the weeks around new items'
/// dates: two or three at a time.
const WEEKS: usize = 4;

/// Copies a band keeps, the newest: a band every story shares (a standard
/// opening) costs no more than a rare one.
pub const PER_BAND: usize = 24;

/// One week: which title keys the store has, and the bands of its copies.
///
/// Kept small, since a busy week holds tens of thousands of copies:
/// fingerprints are 32 bits (a collision only costs a needless read or a
/// candidate that fails verification), and a band names its one copy
/// directly, or, with [`SHARED`] set, a list of copies in `shared`.
#[derive(Default)]
pub struct Week {
    /// Fingerprints of the week's keys in the `titles` tree.
    titles: HashSet<u32>,
    /// The week's sketched copies: story and `published` in seconds.
    copies: Vec<(StoryId, i64)>,
    /// Band fingerprint → a copy's slot in `copies`, or a list in `shared`.
    bands: HashMap<u32, u32>,
    /// Lists of the copies of bands several copies have, oldest first.
    shared: Vec<Vec<u32>>,
}

/// Marks a `bands` value as an index into `shared`.
const SHARED: u32 = 1 << 31;

/// The recent weeks.
#[derive(Default)]
pub struct Recent {
    hasher: RandomState,
    weeks: HashMap<[u8; 4], Week>,
    /// Weeks in memory, first loaded first.
    loaded: VecDeque<[u8; 4]>,
}

impl Recent {
    pub fn fingerprint(&self, bytes: &[u8]) -> u32 {
        fingerprint(&self.hasher, bytes)
    }

    /// The fingerprints' hasher, to hash many keys outside the lock.
    pub fn hasher(&self) -> RandomState {
        self.hasher.clone()
    }

    pub fn get(&self, week: [u8; 4]) -> Option<&Week> {
        self.weeks.get(&week)
    }

    pub fn get_mut(&mut self, week: [u8; 4]) -> Option<&mut Week> {
        self.weeks.get_mut(&week)
    }

    /// Keeps `loaded` as `week`, letting go of the week loaded first when
    /// more than [`WEEKS`] are held.
    pub fn insert(&mut self, week: [u8; 4], loaded: Week) {
        if self.loaded.len() == WEEKS {
            if let Some(old) = self.loaded.pop_front() {
                self.weeks.remove(&old);
            }
        }
        self.loaded.push_back(week);
        self.weeks.insert(week, loaded);
    }

    /// Lets go of a week: it is read again from the store when needed.
    pub fn forget(&mut self, week: [u8; 4]) {
        self.weeks.remove(&week);
        self.loaded.retain(|w| *w != week);
    }

    pub fn clear(&mut self) {
        self.weeks.clear();
        self.loaded.clear();
    }
}

/// A key's fingerprint: 32 bits of a keyed hash.
pub fn fingerprint(hasher: &RandomState, bytes: &[u8]) -> u32 {
    hasher.hash_one(bytes) as u32
}

impl Week {
    pub fn has_title(&self, fingerprint: u32) -> bool {
        self.titles.contains(&fingerprint)
    }

    pub fn add_title(&mut self, fingerprint: u32) {
        self.titles.insert(fingerprint);
    }

    /// Indexes a copy of `story` by its bands' fingerprints.
    pub fn add_copy(&mut self, story: StoryId, published: i64, bands: &[u32]) {
        let slot = self.copies.len() as u32;
        if slot >= SHARED {
            // Two billion copies in a week: a story more is not indexed.
            return;
        }
        self.copies.push((story, published));
        for &band in bands {
            match self.bands.get(&band).copied() {
                None => {
                    self.bands.insert(band, slot);
                }
                Some(list) if list & SHARED != 0 => {
                    if let Some(list) = self.shared.get_mut((list & !SHARED) as usize) {
                        list.push(slot);
                        if list.len() > PER_BAND {
                            list.remove(0);
                        }
                    }
                }
                Some(first) => {
                    let list = self.shared.len() as u32 | SHARED;
                    self.shared.push(vec![first, slot]);
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
            .filter_map(|&s| self.copies.get(s as usize).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn story(n: u128) -> StoryId {
        StoryId(Uuid::from_u128(n))
    }

    #[test]
    fn a_band_names_every_copy_that_has_it_up_to_its_cap() {
        let mut week = Week::default();
        week.add_copy(story(1), 10, &[7, 8]);
        week.add_copy(story(2), 20, &[8]);
        assert_eq!(week.sharing(7).collect::<Vec<_>>(), [(story(1), 10)]);
        assert_eq!(
            week.sharing(8).collect::<Vec<_>>(),
            [(story(1), 10), (story(2), 20)]
        );
        assert_eq!(week.sharing(9).count(), 0);
        for n in 0..2 * PER_BAND as u128 {
            week.add_copy(story(100 + n), 100 + n as i64, &[8]);
        }
        let shared: Vec<_> = week.sharing(8).collect();
        assert_eq!(shared.len(), PER_BAND);
        assert_eq!(
            shared.last(),
            Some(&(story(99 + 2 * PER_BAND as u128), 99 + 2 * PER_BAND as i64))
        );
    }

    #[test]
    fn only_the_latest_weeks_stay() {
        let mut recent = Recent::default();
        for w in 0..=WEEKS as u32 {
            recent.insert(w.to_be_bytes(), Week::default());
        }
        assert!(recent.get(0u32.to_be_bytes()).is_none());
        assert!(recent.get((WEEKS as u32).to_be_bytes()).is_some());
    }
}
