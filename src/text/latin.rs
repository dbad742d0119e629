//! The Latin letters Vietnamese is written in, answered from a table.
//!
//! Splitting text into syllables asks of every character whether it is a
//! letter and what its lowercase is, and checks that the text is NFC.
//! For the ASCII letters that is cheap; for the precomposed Vietnamese
//! letters (`ạ`, `ế`, `ữ`: Latin-1, Latin Extended-A and -B, and Latin
//! Extended Additional) std and unicode-normalization search their
//! Unicode tables, a profile's largest single cost of a cold poll. This
//! table holds std's own answers for those blocks, computed once, so it
//! cannot disagree with std.

use std::sync::LazyLock;

use unicode_normalization::{IsNormalized, is_nfc_quick};

/// The blocks held: Latin-1 Supplement's letters, Latin Extended-A and -B,
/// and Latin Extended Additional (every precomposed Vietnamese letter).
const BLOCKS: [(u32, u32); 2] = [(0x00C0, 0x0250), (0x1E00, 0x1F00)];
const LEN: usize = (0x0250 - 0x00C0) + (0x1F00 - 0x1E00);

/// A table entry that is not a letter or digit.
const NOT_LETTER: u32 = 0;
/// A letter whose lowercase is not one character (`İ`): std answers.
const ASK_STD: u32 = u32::MAX;

static LOWER: LazyLock<[u32; LEN]> = LazyLock::new(|| {
    let mut table = [NOT_LETTER; LEN];
    for (c, entry) in BLOCKS
        .iter()
        .flat_map(|&(start, end)| start..end)
        .zip(table.iter_mut())
    {
        if let Some(c) = char::from_u32(c)
            && c.is_alphanumeric()
        {
            let mut lower = c.to_lowercase();
            *entry = match (lower.next(), lower.next()) {
                (Some(l), None) => u32::from(l),
                _ => ASK_STD,
            };
        }
    }
    table
});

fn slot(c: char) -> Option<usize> {
    let c = u32::from(c);
    let mut offset = 0;
    for (start, end) in BLOCKS {
        if (start..end).contains(&c) {
            return Some(offset + (c - start) as usize);
        }
        offset += (end - start) as usize;
    }
    None
}

/// What a character is to a syllable, when the table knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letter {
    /// A letter or digit, and its lowercase.
    Lower(char),
    /// Not a letter or digit (`×`, `÷`): it ends a syllable.
    Not,
}

/// `c` as the table holds it; `None` outside the table's blocks, or for a
/// letter std must answer for.
pub fn letter(c: char) -> Option<Letter> {
    match LOWER[slot(c)?] {
        NOT_LETTER => Some(Letter::Not),
        ASK_STD => None,
        lower => char::from_u32(lower).map(Letter::Lower),
    }
}

/// Whether the characters below U+0300 and the table's blocks are every
/// character of `text`: all of them are NFC by themselves and start a
/// combining sequence, so such text is NFC, with no lookup. Other text is
/// checked by unicode-normalization.
pub fn nfc_quick(text: &str) -> IsNormalized {
    let plain = text
        .chars()
        .all(|c| c < '\u{0300}' || ('\u{1E00}'..'\u{1F00}').contains(&c));
    if plain {
        IsNormalized::Yes
    } else {
        is_nfc_quick(text.chars())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::char::canonical_combining_class;

    fn held() -> impl Iterator<Item = char> {
        BLOCKS
            .iter()
            .flat_map(|&(start, end)| start..end)
            .filter_map(char::from_u32)
    }

    #[test]
    fn the_table_says_what_std_says() {
        let mut asked = 0;
        for c in held() {
            match letter(c) {
                Some(Letter::Lower(l)) => {
                    assert!(c.is_alphanumeric(), "{c:?}");
                    assert_eq!(c.to_lowercase().collect::<String>(), l.to_string(), "{c:?}");
                }
                Some(Letter::Not) => assert!(!c.is_alphanumeric(), "{c:?}"),
                None => asked += 1,
            }
        }
        assert!(asked < 4, "{asked} letters left to std");
        assert_eq!(letter('a'), None);
        assert_eq!(letter('Ữ'), Some(Letter::Lower('ữ')));
        assert_eq!(letter('Đ'), Some(Letter::Lower('đ')));
        assert_eq!(letter('×'), Some(Letter::Not));
    }

    #[test]
    fn every_character_the_quick_path_passes_is_nfc_and_a_starter() {
        let below = (0..0x0300).filter_map(char::from_u32);
        for c in below.chain('\u{1E00}'..'\u{1F00}') {
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
        }
        assert_eq!(nfc_quick("Bộ Y tế hướng dẫn"), IsNormalized::Yes);
        // Decomposed: a base letter and its combining marks.
        assert_ne!(
            nfc_quick("Bo\u{0323}\u{0302} Y te\u{0301}"),
            IsNormalized::Yes
        );
    }
}
