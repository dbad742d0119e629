//! How two copies' titles relate, by their content words: the syllables
//! left once function words, administrative units and a republisher's
//! decorations ("video", "ảnh") are set aside.
//!
//! Text matching leans on this: two bodies that share a sentence or a
//! standard opening are one story only when their titles speak of the
//! same thing; titles that share nothing leave the body to prove it alone.

use std::sync::OnceLock;

use crate::text::sketch::word_hash;

/// Syllables that say nothing of what a title is about: they join any
/// two titles ("tại xã", "của tỉnh", "cho người dân").
const FUNCTION_SYLLABLES: &[&str] = &[
    "và",
    "của",
    "tại",
    "các",
    "cho",
    "với",
    "trong",
    "về",
    "là",
    "có",
    "được",
    "bị",
    "đã",
    "sẽ",
    "đang",
    "từ",
    "theo",
    "đến",
    "những",
    "một",
    "sau",
    "trên",
    "dưới",
    "ở",
    "do",
    "để",
    "khi",
    "này",
    "đó",
    "nhiều",
    "hơn",
    "thêm",
    "mới",
    "vì",
    "thì",
    "mà",
    "nhưng",
    "hay",
    "hoặc",
    "không",
    "chưa",
    "cùng",
    "qua",
    "ra",
    "vào",
    "lên",
    "còn",
    "nhằm",
    "gần",
    "xã",
    "huyện",
    "tỉnh",
    "phường",
    "quận",
    "thị",
    "trấn",
    "ấp",
    "thôn",
    "tp",
    "tx",
    "video",
    "ảnh",
    "clip",
    "infographic",
    "trực",
    "tiếp",
    "chùm",
    "tin",
];

fn function_hashes() -> &'static [u32] {
    static HASHES: OnceLock<Vec<u32>> = OnceLock::new();
    HASHES.get_or_init(|| {
        let mut h: Vec<u32> = FUNCTION_SYLLABLES.iter().map(|w| word_hash(w)).collect();
        h.sort_unstable();
        h.dedup();
        h
    })
}

/// What two titles have in common.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TitleRelation {
    /// Jaccard resemblance of the content words.
    pub jaccard: f64,
    /// Content words both have.
    pub shared: usize,
    /// Whether every content word of one title is in the other: the
    /// same headline, decorated, re-cased or reordered.
    pub contained: bool,
}

impl TitleRelation {
    /// Whether the titles speak of the same thing: enough content words
    /// in common that chance (two police stories both saying "đối
    /// tượng") does not explain it.
    pub fn related(&self) -> bool {
        self.contained || (self.shared >= MIN_SHARED && self.jaccard >= RELATED)
    }
}

/// Content words two titles must share to be related, unless one holds
/// the other: a Vietnamese word is mostly two syllables.
const MIN_SHARED: usize = 2;
/// Content-word resemblance of related titles.
const RELATED: f64 = 0.1;

/// How two titles relate, from their sorted word hashes
/// ([`super::sketch::Sketch::title_words`]).
pub fn relate(a: &[u32], b: &[u32]) -> TitleRelation {
    let stop = function_hashes();
    let content = |words: &[u32]| -> Vec<u32> {
        words
            .iter()
            .copied()
            .filter(|w| stop.binary_search(w).is_err())
            .collect()
    };
    let (a, b) = (content(a), content(b));
    let shared = a.iter().filter(|w| b.binary_search(w).is_ok()).count();
    let union = a.len() + b.len() - shared;
    TitleRelation {
        jaccard: if union == 0 {
            0.0
        } else {
            shared as f64 / union as f64
        },
        shared,
        contained: shared > 0 && shared == a.len().min(b.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Tokens;

    fn words(title: &str) -> Vec<u32> {
        let mut w: Vec<u32> = Tokens::of(title).0.iter().map(|w| word_hash(w)).collect();
        w.sort_unstable();
        w.dedup();
        w
    }

    #[test]
    fn a_decorated_and_recased_headline_is_contained() {
        let r = relate(
            &words("Bắt quả tang 3 đối tượng trộm cắp xe mô tô tại Long Mỹ"),
            &words("BẮT QUẢ TANG 3 ĐỐI TƯỢNG TRỘM CẮP XE MÔ TÔ TẠI LONG MỸ (video)"),
        );
        assert!(r.contained && r.related(), "{r:?}");
    }

    #[test]
    fn titles_sharing_only_function_words_are_unrelated() {
        let r = relate(
            &words("Lùi thời gian tựu trường tại huyện Phụng Hiệp"),
            &words("Thủ tướng chủ trì phiên họp tại huyện Long Mỹ"),
        );
        assert!(!r.related(), "{r:?}");
        assert_eq!(r.shared, 0);
    }

    #[test]
    fn a_rewritten_headline_over_the_same_facts_is_related() {
        let r = relate(
            &words("Công an tỉnh triệt phá đường dây đánh bạc qua mạng"),
            &words("Triệt phá đường dây đánh bạc trực tuyến quy mô lớn tại Hậu Giang"),
        );
        assert!(r.related(), "{r:?}");
        assert!(!r.contained);
    }
}
