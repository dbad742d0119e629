//! What the in-memory indexes take, in heap bytes, from the capacities of
//! their tables and lists: what the allocator holds for them, not what
//! they hold. A list that doubled to push one more element takes twice
//! its length; a count of elements alone saw half of the search index's
//! memory (heaptrack, a cold 30,000-item poll: 66 MB held against 31 MB
//! counted).

use std::collections::HashMap;
use std::mem::size_of;

/// Heap bytes of a hash table (std's, hashbrown's) that can hold
/// `capacity` entries of `K` and `V` without growing: its buckets, a
/// power of two at most 7/8 full, each with its control byte.
pub fn table<K, V>(capacity: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = if capacity < 8 {
        (capacity + 1).next_power_of_two()
    } else {
        (capacity * 8 / 7).next_power_of_two()
    };
    buckets * (size_of::<(K, V)>() + 1) + 16
}

/// [`table`] of a map as it stands.
pub fn map<K, V, S>(map: &HashMap<K, V, S>) -> usize {
    table::<K, V>(map.capacity())
}

/// Heap bytes of a `Vec<T>`'s buffer.
pub fn list<T>(list: &Vec<T>) -> usize {
    list.capacity() * size_of::<T>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_counts_its_buckets_past_its_entries() {
        let mut m: HashMap<u64, u64> = HashMap::new();
        assert_eq!(map(&m), 0);
        for n in 0..1000 {
            m.insert(n, n);
        }
        // 1,000 entries take 1,024 or 2,048 buckets of 17 bytes: at
        // least what they hold, at most twice that and a half.
        let bytes = map(&m);
        assert!((1000 * 17..=2500 * 17).contains(&bytes), "{bytes}");
        let mut v: Vec<u32> = vec![1];
        v.extend([2, 3, 4, 5]);
        // Grown by doubling: room for more than it holds.
        assert_eq!(list(&v), 4 * v.capacity());
        assert!(list(&v) >= 4 * 5);
    }
}
