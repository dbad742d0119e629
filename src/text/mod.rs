//! Vietnamese text as bantin compares it.
//!
//! Owns two things: [`clean`], which turns any text from a feed into what a
//! reader should see (NFC, no invisible characters, single spaces), and
//! [`Tokens`], the folded syllable sequence that topic rules and title
//! matching compare. It never decides what matches what; `classify` and
//! `merge` do.
//!
//! Folding keeps diacritics by default on purpose: folding them all makes
//! `mà tùy` ("depending on") equal `ma túy` ("drugs"). Only rules written
//! without diacritics ask for the diacritic-free form, see [`fold_diacritics`].

mod c1;
mod html;
pub mod keywords;
mod latin;
pub mod nesting;
pub mod sketch;
pub mod syllables;

pub use c1::repair_c1;
pub use html::html_to_text;
pub use latin::nfc_quick;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// Characters portals leave in titles that a reader cannot see and a matcher
/// must not trip on: soft hyphen, zero-width space/joiners, word joiner, BOM.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Text as a reader should see it: NFC, invisible characters removed, every
/// run of whitespace (U+00A0 included) one space, trimmed.
pub fn clean(text: &str) -> String {
    // Most text is NFC already (a feed's, or text `clean` made before):
    // the quick check spares the decompose-and-recompose pass.
    if latin::nfc_quick(text) == IsNormalized::Yes {
        clean_nfc(text.chars())
    } else {
        clean_nfc(text.nfc())
    }
}

fn clean_nfc(chars: impl Iterator<Item = char>) -> String {
    let (low, _) = chars.size_hint();
    let mut out = String::with_capacity(low);
    let mut pending_space = false;
    for c in chars {
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// The Vietnamese tone marks, as combining characters.
const TONE_MARKS: [char; 5] = ['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}'];

/// Splits a precomposed letter into its letter without tone and its tone mark.
fn split_tone(c: char) -> (char, Option<char>) {
    let mut base = String::new();
    let mut tone = None;
    for d in std::iter::once(c).nfd() {
        if TONE_MARKS.contains(&d) {
            tone = Some(d);
        } else {
            base.push(d);
        }
    }
    let base = base.nfc().next().unwrap_or(c);
    (base, tone)
}

fn with_tone(base: char, tone: char) -> char {
    [base, tone].iter().copied().nfc().next().unwrap_or(base)
}

/// Unifies the "new style" tone placement (`hoà`, `thuỷ`, `tuý`) to the old
/// style (`hòa`, `thủy`, `túy`): both are current spellings of one word.
///
/// Only the open syllables `oa`, `oe`, `uy` differ between the styles, and
/// only when nothing follows them (`hoàn` is the same in both); `qu` is a
/// consonant, so `quý` is left alone. Works on one lowercase syllable.
fn unify_tone_placement(syllable: &mut String) {
    let mut last = syllable.chars().rev();
    let (Some(second), Some(first)) = (last.next(), last.next()) else {
        return;
    };
    // Most syllables end otherwise: decide before decomposing anything.
    if !matches!(first, 'o' | 'u') || second.is_ascii() {
        return;
    }
    let (second_base, tone) = split_tone(second);
    let Some(tone) = tone else { return };
    let pair_moves = matches!((first, second_base), ('o', 'a') | ('o', 'e') | ('u', 'y'));
    let after_q = first == 'u' && last.next() == Some('q');
    if pair_moves && !after_q {
        syllable.truncate(syllable.len() - first.len_utf8() - second.len_utf8());
        syllable.push(with_tone(first, tone));
        syllable.push(second_base);
    }
}

/// The folded syllables of a text: lowercase, NFC, tone placement unified,
/// split on everything that is not a letter or a digit. "Phòng, chống
/// dịch" and "phòng chống  dịch" give the same tokens; "Covid-19" gives
/// `covid`, `19`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tokens(pub Vec<String>);

impl Tokens {
    pub fn of(text: &str) -> Tokens {
        let mut tokens = Vec::new();
        for_each_syllable(text, |s| tokens.push(s.to_string()));
        Tokens(tokens)
    }

    pub fn joined(&self) -> String {
        self.0.join(" ")
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Calls `f` with each folded syllable of `text`, as [`Tokens::of`] splits
/// them, without allocating a string per syllable: for hashing long texts.
pub fn for_each_syllable(text: &str, mut f: impl FnMut(&str)) {
    // Text from `clean` is NFC already; normalizing it again is most of
    // the cost of tokenizing.
    if latin::nfc_quick(text) == IsNormalized::Yes {
        syllables_of_nfc(text.chars(), &mut f)
    } else {
        syllables_of_nfc(text.nfc(), &mut f)
    }
}

fn syllables_of_nfc(chars: impl Iterator<Item = char>, f: &mut impl FnMut(&str)) {
    let mut syllable = String::new();
    let mut flush = |syllable: &mut String| {
        if !syllable.is_empty() {
            unify_tone_placement(syllable);
            f(syllable);
            syllable.clear();
        }
    };
    for c in chars {
        // Most letters of Vietnamese text are ASCII: spare them the
        // Unicode tables.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                syllable.push(c.to_ascii_lowercase());
            } else {
                flush(&mut syllable);
            }
        } else if let Some(letter) = latin::letter(c) {
            match letter {
                latin::Letter::Lower(lower) => syllable.push(lower),
                latin::Letter::Not => flush(&mut syllable),
            }
        } else if c.is_alphanumeric() {
            syllable.extend(c.to_lowercase());
        } else if !is_combining_mark(c) {
            flush(&mut syllable);
        }
    }
    flush(&mut syllable);
}

/// Removes every combining mark and maps `đ`/`Đ` to `d`/`D`, which Unicode
/// does not decompose.
pub fn fold_diacritics(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_diacritics_into(&mut out, text);
    out
}

/// [`fold_diacritics`], appended to `out`.
pub fn fold_diacritics_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            c if c.is_ascii() => out.push(c),
            'đ' => out.push('d'),
            'Đ' => out.push('D'),
            // Canonical decomposition of one character at a time: the same
            // as NFD for the letters of any script, without NFD's
            // reordering buffer, which only matters for runs of marks, and
            // those are all dropped here.
            c => unicode_normalization::char::decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            }),
        }
    }
}

/// Whether a text is written with Vietnamese diacritics (or `đ`).
pub fn has_diacritics(text: &str) -> bool {
    fold_diacritics(text) != text.nfc().collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<String> {
        Tokens::of(s).0
    }

    #[test]
    fn clean_makes_nfd_nfc() {
        let nfd: String = "Phường 5".nfd().collect();
        assert_eq!(clean(&nfd), "Phường 5");
    }

    #[test]
    fn clean_drops_invisible_and_collapses_spaces() {
        assert_eq!(
            clean("  2\u{00A0}máy\u{200B} thở\u{00AD}\n\t mới \u{FEFF}"),
            "2 máy thở mới"
        );
    }

    #[test]
    fn tokens_ignore_punctuation_and_spacing() {
        let want = tokens("phòng chống dịch");
        assert_eq!(tokens("Phòng, chống dịch"), want);
        assert_eq!(tokens("phòng,chống  dịch"), want);
    }

    #[test]
    fn tokens_split_covid_number() {
        assert_eq!(tokens("Covid-19"), ["covid", "19"]);
    }

    #[test]
    fn new_style_tone_placement_is_unified() {
        assert_eq!(tokens("hoà thuỷ tuý khoẻ"), tokens("hòa thủy túy khỏe"));
    }

    #[test]
    fn closed_syllables_and_qu_keep_their_tone() {
        assert_eq!(tokens("hoàn quý"), ["hoàn", "quý"]);
    }

    #[test]
    fn diacritics_fold_includes_d_stroke() {
        assert_eq!(fold_diacritics("Đồng Văn đường"), "Dong Van duong");
    }

    #[test]
    fn ma_tuy_and_ma_tuy_differ_with_diacritics() {
        assert_ne!(tokens("ma túy"), tokens("mà tùy"));
        assert_eq!(
            fold_diacritics(&Tokens::of("ma túy").joined()),
            fold_diacritics(&Tokens::of("mà tùy").joined())
        );
    }

    #[test]
    fn has_diacritics_tells_folded_keywords() {
        assert!(has_diacritics("y tế"));
        assert!(has_diacritics("đ"));
        assert!(!has_diacritics("covid"));
    }
}
