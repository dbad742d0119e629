//! An item's text split into syllables once, for every reader of it.
//!
//! Topic rules match runs of syllables, with and without diacritics; the
//! text fingerprint hashes runs of three. Both used to split the same
//! body into syllables, and the rules kept two strings per syllable.
//! [`Syllables`] keeps one hash per syllable in each form and the numbers
//! among them, split as [`Tokens`](super::Tokens) splits, so a body is
//! read once and nothing is allocated per syllable.
//!
//! A 64-bit hash stands for the syllable: two different syllables of one
//! language sharing one is not a risk worth a string per syllable.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use super::{fold_diacritics_into, for_each_syllable};

/// The syllables of a text made of parts (title, summary, body, ...).
/// A run of syllables never spans two parts.
#[derive(Debug, Clone, Default)]
pub struct Syllables {
    /// Each syllable's [`syllable_hash`], as `Tokens` folds it.
    exact: Vec<u64>,
    /// The same syllables without diacritics (`đ` as `d`).
    plain: Vec<u64>,
    /// The syllables that are numbers: their index and [`number`] value,
    /// in text order.
    numbers: Vec<(u32, u32)>,
    parts: Vec<Range<usize>>,
}

impl Syllables {
    pub fn of_parts<'a>(parts: impl IntoIterator<Item = &'a str>) -> Syllables {
        let mut out = Syllables::default();
        let mut plain = String::new();
        for part in parts {
            let start = out.exact.len();
            for_each_syllable(part, |s| {
                let exact = syllable_hash(s);
                out.exact.push(exact);
                if s.is_ascii() {
                    out.plain.push(exact);
                } else {
                    plain.clear();
                    fold_diacritics_into(&mut plain, s);
                    out.plain.push(syllable_hash(&plain));
                }
                if let Some(n) = number(s) {
                    out.numbers.push(((out.exact.len() - 1) as u32, n));
                }
            });
            out.parts.push(start..out.exact.len());
        }
        out
    }

    pub fn of(text: &str) -> Syllables {
        Syllables::of_parts([text])
    }

    /// Whether `needle` (syllable hashes) occurs as a contiguous run within
    /// one part; `plain` compares the diacritic-free forms.
    pub fn contains_run(&self, needle: &[u64], plain: bool) -> bool {
        let hay = if plain { &self.plain } else { &self.exact };
        !needle.is_empty()
            && self
                .parts
                .iter()
                .any(|p| hay[p.clone()].windows(needle.len()).any(|w| w == needle))
    }

    /// Parts `parts` (indices, end excluded) as one run of syllables.
    pub fn span(&self, parts: Range<usize>) -> Span<'_> {
        let start = self
            .parts
            .get(parts.start)
            .map_or(self.exact.len(), |p| p.start);
        let end = match parts.end.checked_sub(1).and_then(|i| self.parts.get(i)) {
            Some(p) => p.end,
            None => self.exact.len(),
        }
        .max(start);
        let numbers = self
            .numbers
            .iter()
            .filter(|(i, _)| (start..end).contains(&(*i as usize)))
            .map(|&(i, n)| (i - start as u32, n))
            .collect();
        Span {
            hashes: &self.exact[start..end],
            numbers,
        }
    }

    pub fn len(&self) -> usize {
        self.exact.len()
    }

    /// Every syllable's hash, in text order.
    pub fn exact(&self) -> &[u64] {
        &self.exact
    }

    /// Every syllable's diacritic-free hash, in text order.
    pub fn plain(&self) -> &[u64] {
        &self.plain
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }
}

/// A run of syllables: their hashes and their numbers (index within the
/// run, value).
#[derive(Debug, Clone)]
pub struct Span<'a> {
    pub hashes: &'a [u64],
    pub numbers: Vec<(u32, u32)>,
}

/// The hash of one folded syllable. Stored in sketches: it must never
/// change (see `sketch`'s note on the hashing).
pub fn syllable_hash(syllable: &str) -> u64 {
    super::sketch::fnv1a(syllable.as_bytes())
}

/// What the search index keeps of a text: its distinct syllable hashes,
/// and the diacritic-free ones where they differ, each list ascending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    pub exact: Vec<u64>,
    pub plain: Vec<u64>,
}

impl Syllables {
    /// The text's [`Terms`].
    pub fn terms(&self) -> Terms {
        let mut exact = self.exact.clone();
        exact.sort_unstable();
        exact.dedup();
        let mut plain: Vec<u64> = self
            .exact
            .iter()
            .zip(&self.plain)
            .filter(|(e, p)| e != p)
            .map(|(_, &p)| p)
            .collect();
        plain.sort_unstable();
        plain.dedup();
        Terms { exact, plain }
    }
}

/// A map keyed by values that are hashes already ([`syllable_hash`]s,
/// fingerprints).
pub type ByHash<V> = HashMap<u64, V, BuildHasherDefault<HashOfHash>>;

/// The hasher of [`ByHash`]: one mixing of the key, which is a hash
/// already. std's SipHash over it was a visible cost of indexing every
/// story's words for search; FNV's low bits, which pick the bucket, are
/// mixed once more so that they spread.
#[derive(Default)]
pub struct HashOfHash(u64);

impl Hasher for HashOfHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = super::sketch::mix(self.0 ^ super::sketch::fnv1a(bytes));
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = super::sketch::mix(v);
    }
}

/// A syllable that is a number: "03" and "3" are one number; a long digit
/// run (an id) is hashed, and so is zero (as the empty run): sketches store
/// these values, so they stay as first written.
pub fn number(syllable: &str) -> Option<u32> {
    if syllable.is_empty() || !syllable.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = syllable.trim_start_matches('0');
    Some(match digits.parse::<u32>() {
        Ok(n) => n,
        Err(_) => super::sketch::fnv1a(digits.as_bytes()) as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Tokens, fold_diacritics};

    fn hashes(text: &str) -> Vec<u64> {
        Tokens::of(text)
            .0
            .iter()
            .map(|s| syllable_hash(s))
            .collect()
    }

    #[test]
    fn hashes_follow_tokens_in_both_forms() {
        let text = "Phòng, chống dịch Covid-19 tại Đồng Tháp";
        let s = Syllables::of(text);
        assert_eq!(s.exact, hashes(text));
        assert_eq!(
            s.plain,
            hashes(&fold_diacritics(&Tokens::of(text).joined()))
        );
    }

    #[test]
    fn a_run_never_spans_two_parts() {
        let s = Syllables::of_parts(["tin an", "ninh trật tự"]);
        assert!(!s.contains_run(&hashes("an ninh"), false));
        assert!(s.contains_run(&hashes("ninh trật"), false));
        assert!(Syllables::of("tin an ninh").contains_run(&hashes("an ninh"), false));
        assert!(!Syllables::of("ban ninh an toàn").contains_run(&hashes("an ninh"), false));
    }

    #[test]
    fn plain_runs_match_without_diacritics() {
        let s = Syllables::of("Phòng chống ma túy");
        assert!(s.contains_run(&hashes("ma tuy"), true));
        assert!(!s.contains_run(&hashes("ma tuy"), false));
        assert!(!s.contains_run(&[], true));
    }

    #[test]
    fn a_span_joins_parts_and_counts_numbers_from_its_start() {
        let s = Syllables::of_parts(["Ngày 3", "ghi nhận 25 ca", "thêm 07 ca mới"]);
        let span = s.span(1..3);
        assert_eq!(span.hashes, hashes("ghi nhận 25 ca thêm 07 ca mới"));
        assert_eq!(span.numbers, [(2, 25), (5, 7)]);
        assert!(s.span(3..4).hashes.is_empty());
    }

    #[test]
    fn numbers_ignore_leading_zeros_and_hash_long_runs() {
        assert_eq!(number("03"), Some(3));
        assert_eq!(number("000"), number("0"));
        assert_eq!(number("x3"), None);
        assert!(number("123456789012345").is_some());
    }
}
