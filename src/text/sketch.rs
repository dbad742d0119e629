//! Near-duplicate text: a copy's fingerprint. The verdict on two of them,
//! the merge's own rule, is `pipeline::merge::resemble`.
//!
//! A republished story keeps its body while its title is rewritten ("Công an
//! tỉnh triệt phá đường dây đánh bạc qua mạng" becomes "Triệt phá đường dây
//! đánh bạc trực tuyến quy mô lớn"), a sentence is dropped or a "Nguồn: ..."
//! line added, or only the first two sentences are carried. A [`Sketch`]
//! holds what is needed to recognise that without keeping the text:
//!
//! - a MinHash of the body's three-syllable shingles (estimates the Jaccard
//!   resemblance of two bodies);
//! - a MinHash of the body's lead, its first [`LEAD_SHINGLES`] shingles (a
//!   two-sentence summary is the lead of the full article that carries it);
//! - the title's words and the numbers of title and body: daily bulletins
//!   ("25 ca mắc" on Monday, "31 ca mắc" on Tuesday) are near-identical
//!   text that differ exactly in their numbers.
//!
//! [`Sketch::bands`] are the locality-sensitive keys the store indexes, so
//! that finding candidates never scans all stories; the merge then
//! decides on each candidate.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use crate::text::syllables::{Span, Syllables, syllable_hash};

/// MinHash values over the whole body: the Jaccard estimate's standard
/// error is about 0.06 at this size.
pub const HASHES: usize = 64;
/// MinHash values over the lead.
pub const LEAD_HASHES: usize = 32;
/// The lead: the first this-many distinct shingles of the body, about two
/// sentences.
pub const LEAD_SHINGLES: usize = 40;

/// Body bands: 6 of 2 values. Two bodies with resemblance 0.5 share a band
/// with probability 0.82, at 0.7 with 0.98, at 0.1 with 0.06. Each band
/// is one index entry per copy: more bands find more, and cost every
/// ingest a write and every lookup a read.
const BODY_BANDS: usize = 6;
const BODY_ROWS: usize = 2;
/// Lead bands: 2 of 4 values; identical leads always share them.
const LEAD_BANDS: usize = 2;
const LEAD_ROWS: usize = 4;

/// Bodies with fewer distinct shingles than this say too little to match on.
const MIN_SHINGLES: u32 = 12;
/// Numbers are read from the lead, the first this-many syllables: where a
/// bulletin says what it counts ("ngày 3/11 ghi nhận 25 ca"), while a
/// republisher's added paragraph brings numbers of its own.
const NUMBER_SYLLABLES: usize = LEAD_SHINGLES + 2;
/// Numbers kept from a whole body.
const MAX_NUMBERS: usize = 64;

/// A copy's fingerprint. Persisted: the hashing below must never change,
/// or stored sketches stop matching new ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch {
    pub body: [u32; HASHES],
    pub lead: [u32; LEAD_HASHES],
    /// Distinct shingles in the body.
    pub shingles: u32,
    /// Distinct shingles in the lead (at most [`LEAD_SHINGLES`]).
    pub lead_shingles: u32,
    /// Hashes of the title's distinct words, sorted.
    pub title_words: Vec<u32>,
    /// Numbers in the title, sorted and distinct.
    pub title_numbers: Vec<u32>,
    /// Numbers in the body's lead, sorted and distinct.
    pub numbers: Vec<u32>,
    /// Numbers anywhere in the body (the first [`MAX_NUMBERS`]), sorted
    /// and distinct.
    pub all_numbers: Vec<u32>,
}

impl Sketch {
    /// The sketch of a copy: `title` as compared (undecorated), `body` its
    /// summary and text. `None` when the body is too short to tell.
    pub fn of(title: &str, body: &str) -> Option<Sketch> {
        Sketch::of_span(title, &Syllables::of(body).span(0..1))
    }

    /// [`Sketch::of`] from a body already split into syllables.
    pub fn of_span(title: &str, body: &Span<'_>) -> Option<Sketch> {
        // Shingles are well-mixed 64-bit values already: hashing them
        // again with SipHash would be a third of the work here.
        let mut seen: HashSet<u64, BuildHasherDefault<Unmixed>> =
            HashSet::with_capacity_and_hasher(body.hashes.len(), Default::default());
        let mut shingles = Vec::with_capacity(body.hashes.len());
        for w in body.hashes.windows(3) {
            let shingle = mix(w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42));
            if seen.insert(shingle) {
                shingles.push(shingle);
            }
        }
        if (shingles.len() as u32) < MIN_SHINGLES {
            return None;
        }
        let lead = &shingles[..shingles.len().min(LEAD_SHINGLES)];
        let numbers = || body.numbers.iter().map(|&(_, n)| n);
        let title = Syllables::of(title);
        let title = title.span(0..1);
        Some(Sketch {
            body: minhash(&shingles),
            lead: minhash(lead),
            shingles: shingles.len() as u32,
            lead_shingles: lead.len() as u32,
            title_words: sorted(title.hashes.iter().map(|&h| h as u32)),
            title_numbers: sorted(title.numbers.iter().map(|&(_, n)| n)),
            numbers: sorted(
                body.numbers
                    .iter()
                    .take_while(|(i, _)| (*i as usize) < NUMBER_SYLLABLES)
                    .map(|&(_, n)| n),
            ),
            all_numbers: sorted(numbers().take(MAX_NUMBERS)),
        })
    }

    /// The index keys: a band number byte, then 8 bytes of the band's
    /// values. Two sketches sharing any key are candidates.
    pub fn bands(&self) -> Vec<[u8; 9]> {
        let body = self.body[..BODY_BANDS * BODY_ROWS].chunks(BODY_ROWS);
        let lead = self.lead[..LEAD_BANDS * LEAD_ROWS].chunks(LEAD_ROWS);
        body.chain(lead)
            .enumerate()
            .map(|(n, rows)| {
                let mut h = FNV_OFFSET;
                for r in rows {
                    h = fnv1a_extend(h, &r.to_le_bytes());
                }
                let mut key = [0u8; 9];
                key[0] = n as u8;
                key[1..].copy_from_slice(&mix(h).to_be_bytes());
                key
            })
            .collect()
    }

    /// Compact bytes for the store: counts and lists, little-endian u32s.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 * (HASHES + LEAD_HASHES + 8));
        out.push(SKETCH_VERSION);
        let mut put = |v: u32| out.extend_from_slice(&v.to_le_bytes());
        put(self.shingles);
        put(self.lead_shingles);
        self.body.iter().for_each(|&v| put(v));
        self.lead.iter().for_each(|&v| put(v));
        for list in [
            &self.title_words,
            &self.title_numbers,
            &self.numbers,
            &self.all_numbers,
        ] {
            put(list.len() as u32);
            list.iter().for_each(|&v| put(v));
        }
        out
    }

    /// Reads [`Sketch::to_bytes`]; `None` for bytes it did not write.
    pub fn from_bytes(bytes: &[u8]) -> Option<Sketch> {
        let (&version, rest) = bytes.split_first()?;
        if version != SKETCH_VERSION {
            return None;
        }
        let mut words = rest
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        let mut take = |n: usize| -> Option<Vec<u32>> {
            let list: Vec<u32> = words.by_ref().take(n).collect();
            (list.len() == n).then_some(list)
        };
        let shingles = take(1)?[0];
        let lead_shingles = take(1)?[0];
        let body = take(HASHES)?.try_into().ok()?;
        let lead = take(LEAD_HASHES)?.try_into().ok()?;
        let mut list = || {
            let n = take(1)?[0] as usize;
            (n <= 4096).then(|| take(n)).flatten()
        };
        Some(Sketch {
            shingles,
            lead_shingles,
            body,
            lead,
            title_words: list()?,
            title_numbers: list()?,
            numbers: list()?,
            all_numbers: list()?,
        })
    }
}

const SKETCH_VERSION: u8 = 2;

/// A title word's hash, as [`Sketch::title_words`] holds it.
pub fn word_hash(word: &str) -> u32 {
    syllable_hash(word) as u32
}

/// The share of MinHash positions that agree: the Jaccard estimate.
pub fn agreement(a: &[u32], b: &[u32]) -> f64 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len().max(1) as f64
}

fn minhash<const N: usize>(shingles: &[u64]) -> [u32; N] {
    let mut mins = [u32::MAX; N];
    for &s in shingles {
        for (i, min) in mins.iter_mut().enumerate() {
            let v = (mix(s ^ SEEDS[i]) >> 32) as u32;
            if v < *min {
                *min = v;
            }
        }
    }
    mins
}

fn sorted(values: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut v: Vec<u32> = values.collect();
    v.sort_unstable();
    v.dedup();
    v
}

// The hashing is written out here rather than taken from std or a crate:
// sketches are stored, so the function must stay bit-for-bit the same
// across Rust releases and crate upgrades. FNV-1a for bytes, then the
// SplitMix64 finalizer to spread FNV's weak low bits.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

pub(super) fn fnv1a(bytes: &[u8]) -> u64 {
    mix(fnv1a_extend(FNV_OFFSET, bytes))
}

fn fnv1a_extend(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct Unmixed(u64);

impl Hasher for Unmixed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// splitmix64's finalizer: every input bit moves every output bit.
pub(super) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One seed per MinHash position: SplitMix64's sequence from 0.
const SEEDS: [u64; HASHES] = seeds();

const fn seeds() -> [u64; HASHES] {
    let mut out = [0u64; HASHES];
    let mut state: u64 = 0;
    let mut i = 0;
    while i < HASHES {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out[i] = z ^ (z >> 31);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Sở Y tế tỉnh cho biết trong tuần qua toàn tỉnh ghi nhận thêm nhiều ca \
        sốt xuất huyết, tập trung ở các xã ven sông. Ngành y tế đã tổ chức phun hóa chất diệt \
        muỗi, vận động người dân loại bỏ lăng quăng và đến cơ sở y tế ngay khi có dấu hiệu sốt \
        cao. Các trạm y tế được yêu cầu theo dõi sát tình hình và báo cáo hằng ngày.";

    fn sketch(title: &str, body: &str) -> Sketch {
        Sketch::of(title, body).expect("long enough")
    }

    #[test]
    fn bytes_round_trip_and_reject_garbage() {
        let a = sketch("Tiêu đề", TEXT);
        assert_eq!(Sketch::from_bytes(&a.to_bytes()), Some(a.clone()));
        assert_eq!(Sketch::from_bytes(&a.to_bytes()[..40]), None);
        assert_eq!(Sketch::from_bytes(b""), None);
    }

    #[test]
    fn identical_text_shares_every_band() {
        let a = sketch("A", TEXT);
        let b = sketch("B", TEXT);
        assert_eq!(a.bands(), b.bands());
        assert_eq!(a.bands().len(), BODY_BANDS + LEAD_BANDS);
    }

    #[test]
    fn short_text_has_no_sketch() {
        assert!(Sketch::of("Thông báo", "Lịch công tác tuần").is_none());
    }

    /// Sketches are stored: a change to the hashing would leave every
    /// stored copy unmatchable. These bytes are what version 2 wrote.
    #[test]
    fn a_sketch_is_what_stores_already_hold() {
        let body = format!(
            "Ngày 03/11, tỉnh ghi nhận 25 ca mắc mới, 0 ca tử vong, mã hồ sơ \
             123456789012345. {TEXT} Hoà thuỷ khoẻ, Đồng Tháp 2024. {TEXT}"
        );
        let a = sketch("Thêm 25 ca sốt xuất huyết ngày 3/11 tại Đồng Tháp", &body);
        let digest = fnv1a(&a.to_bytes());
        assert_eq!(digest, 0xe762_b5da_47f5_0a97);
    }
}
