//! A posting list of the search index: the ascending slots of the copies
//! holding one syllable, each written as its distance from the one before
//! in LEB128 (7 bits a byte). A syllable most copies hold, where the lists
//! are long, takes a byte a copy instead of four: the search index held
//! 66 MB of plain `u32` lists after a cold 30,000-item poll.
//!
//! Written by hand: the lists only grow at their end and are read whole,
//! front to back, which is all a varint needs; the crates for compressed
//! integer lists (bitpacking, roaring) are built for random access and
//! set operations at sizes these lists do not reach.

/// Ascending slot numbers, delta-encoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Postings {
    bytes: Vec<u8>,
    /// The last slot pushed (meaningless while empty).
    last: u32,
    len: u32,
}

impl Postings {
    /// Adds `slot` at the end, unless it is not past the last one (a
    /// copy's syllable seen twice, or out of order): slots only grow.
    pub fn push(&mut self, slot: u32) {
        if self.len > 0 && slot <= self.last {
            return;
        }
        let mut delta = if self.len == 0 {
            slot
        } else {
            slot - self.last
        };
        loop {
            let low = (delta & 0x7f) as u8;
            delta >>= 7;
            if delta == 0 {
                self.bytes.push(low);
                break;
            }
            self.bytes.push(low | 0x80);
        }
        self.last = slot;
        self.len += 1;
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slots, in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let mut at = 0;
        let mut slot = 0u32;
        let mut first = true;
        std::iter::from_fn(move || {
            let mut delta = 0u32;
            let mut shift = 0;
            loop {
                let byte = *self.bytes.get(at)?;
                at += 1;
                delta |= u32::from(byte & 0x7f).checked_shl(shift).unwrap_or(0);
                shift += 7;
                if byte & 0x80 == 0 {
                    break;
                }
            }
            slot = if first {
                delta
            } else {
                slot.wrapping_add(delta)
            };
            first = false;
            Some(slot)
        })
    }

    /// Keeps the slots `renumber` maps to a new number, in the new
    /// numbers (which must keep their order, as a compaction's do).
    pub fn renumber(&mut self, mut renumber: impl FnMut(u32) -> Option<u32>) {
        let mut kept = Postings::default();
        for slot in self.iter() {
            if let Some(new) = renumber(slot) {
                kept.push(new);
            }
        }
        kept.bytes.shrink_to_fit();
        *self = kept;
    }

    /// Heap bytes of its buffer.
    pub fn heap(&self) -> usize {
        self.bytes.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn ascending_slots_read_back_as_pushed(
            gaps in proptest::collection::vec(0u32..=u32::MAX / 4096, 0..300),
        ) {
            let mut slots = Vec::new();
            let mut at = 0u32;
            for gap in gaps {
                at = at.saturating_add(gap);
                slots.push(at);
            }
            let mut postings = Postings::default();
            for &slot in &slots {
                postings.push(slot);
            }
            slots.dedup();
            prop_assert_eq!(postings.iter().collect::<Vec<_>>(), slots.clone());
            prop_assert_eq!(postings.len(), slots.len());
            // Every other slot kept, numbered anew in order.
            let mut n = 0;
            postings.renumber(|s| (s % 2 == 0).then(|| { n += 1; n }));
            let kept = slots.iter().filter(|&&s| s % 2 == 0).count() as u32;
            prop_assert_eq!(postings.iter().collect::<Vec<_>>(), (1..=kept).collect::<Vec<_>>());
        }
    }

    #[test]
    fn close_slots_take_a_byte_each() {
        let mut postings = Postings::default();
        for slot in (0..10_000).step_by(3) {
            postings.push(slot);
        }
        assert_eq!(postings.len(), 3334);
        assert!(postings.bytes.len() <= 3334, "{}", postings.bytes.len());
        // Out of order or repeated: not added.
        postings.push(5);
        postings.push(9999);
        assert_eq!(postings.len(), 3334);
        assert_eq!(postings.iter().last(), Some(9999));
        assert_eq!(postings.iter().next(), Some(0));
    }
}
