//! Near-duplicate text: a copy's fingerprint and the verdict on two of them.
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
//! that finding candidates never scans all stories; [`resemblance`] then
//! decides on each candidate.

use super::titles;
use crate::text::{Tokens, for_each_syllable};

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
/// A body at least this long is compared on its resemblance; a shorter
/// one (a summary) on its lead.
const LONG_SHINGLES: u32 = 60;
/// Numbers are read from the lead, the first this-many syllables: where a
/// bulletin says what it counts ("ngày 3/11 ghi nhận 25 ca"), while a
/// republisher's added paragraph brings numbers of its own.
const NUMBER_SYLLABLES: usize = LEAD_SHINGLES + 2;
/// Numbers kept from a whole body.
const MAX_NUMBERS: usize = 64;

/// What two copies have in common, from their sketches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resemblance {
    /// Estimated Jaccard resemblance of the bodies.
    pub body: f64,
    /// Estimated Jaccard resemblance of the leads.
    pub lead: f64,
    /// Jaccard resemblance of the titles' word sets.
    pub title: f64,
}

impl Resemblance {
    /// The strength of the match, for choosing between candidates.
    pub fn score(&self) -> f64 {
        self.body.max(self.lead * 0.9)
    }
}

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
        let title = Tokens::of(title);
        let mut hashes: Vec<u64> = Vec::new();
        let mut numbers_in_lead: Vec<u32> = Vec::new();
        let mut numbers_in_body: Vec<u32> = Vec::new();
        for_each_syllable(body, |w| {
            hashes.push(fnv1a(w.as_bytes()));
            if let Some(n) = number(w) {
                if hashes.len() <= NUMBER_SYLLABLES {
                    numbers_in_lead.push(n);
                }
                if numbers_in_body.len() < MAX_NUMBERS {
                    numbers_in_body.push(n);
                }
            }
        });
        let mut seen = std::collections::HashSet::new();
        let mut shingles = Vec::new();
        for w in hashes.windows(3) {
            let shingle = mix(w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42));
            if seen.insert(shingle) {
                shingles.push(shingle);
            }
        }
        if (shingles.len() as u32) < MIN_SHINGLES {
            return None;
        }
        let lead = &shingles[..shingles.len().min(LEAD_SHINGLES)];
        Some(Sketch {
            body: minhash(&shingles),
            lead: minhash(lead),
            shingles: shingles.len() as u32,
            lead_shingles: lead.len() as u32,
            title_words: sorted(title.0.iter().map(|w| word_hash(w))),
            title_numbers: sorted(title.0.iter().filter_map(|w| number(w))),
            numbers: sorted(numbers_in_lead.into_iter()),
            all_numbers: sorted(numbers_in_body.into_iter()),
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

/// Whether two copies are the same story by their text, and how close.
///
/// Different numbers veto everything: that is how daily bulletins differ.
/// Then the titles decide how much the text must prove
/// ([`titles::relate`], by content words):
///
/// - titles that share no content words: only bodies that are
///   near-identical ([`NEAR_IDENTICAL`]) over a substantial length
///   ([`SUBSTANTIAL_SHINGLES`]). Unrelated stories share a sentence, a
///   standard opening or a footer, and a summary is contained in many a
///   longer text; none of that makes two bodies near-identical;
/// - related titles: bodies that resemble ([`SAME_BODY`], or
///   [`LIKE_BODY`] under the same headline or after the same opening)
///   over a long enough text, or a summary whose lead is the opening of
///   a longer article;
/// - two short texts (summaries) that are the same say no more than a
///   boilerplate notice does: they also need the same headline, one
///   title's content words all in the other's.
pub fn resemblance(a: &Sketch, b: &Sketch) -> Option<Resemblance> {
    resemblance_given(a, b, false)
}

/// As [`resemblance`], knowing whether `a`'s lead also opens other
/// stories ([`same_lead`] with several stories). Such a lead is
/// boilerplate, a standard opening or a notice's wording, and no
/// evidence: a summary that is that lead joins nothing by its text, and
/// the lead's share of two bodies does not count towards their
/// resemblance.
pub fn resemblance_given(a: &Sketch, b: &Sketch, common_lead: bool) -> Option<Resemblance> {
    if numbers_differ(
        (&a.title_numbers, &a.title_numbers),
        (&b.title_numbers, &b.title_numbers),
        0.0,
    ) || numbers_differ(
        (&a.numbers, &a.all_numbers),
        (&b.numbers, &b.all_numbers),
        NUMBERS_SLACK,
    ) {
        return None;
    }
    let titles = titles::relate(&a.title_words, &b.title_words);
    let r = Resemblance {
        body: agreement(&a.body, &b.body),
        lead: agreement(&a.lead, &b.lead),
        title: titles.jaccard,
    };
    let shorter = a.shingles.min(b.shingles);
    let longer = a.shingles.max(b.shingles);
    if !titles.related() {
        // Past a boilerplate opening the texts must still be substantial.
        let substantial = if common_lead {
            SUBSTANTIAL_SHINGLES + LEAD_SHINGLES as u32
        } else {
            SUBSTANTIAL_SHINGLES
        };
        return (r.body >= NEAR_IDENTICAL && shorter > substantial).then_some(r);
    }
    // Stories of one kind share phrasing: a body that resembles only
    // moderately needs a second sign, the same headline or the same
    // opening (unless that opening is boilerplate).
    let corroborated = titles.contained || (r.lead >= LEAD_HINT && !common_lead);
    let bodies_match = r.body >= SAME_BODY || (r.body >= LIKE_BODY && corroborated);
    if bodies_match && shorter >= LONG_SHINGLES {
        return Some(r);
    }
    let summary = SUMMARY_SHINGLES;
    if !common_lead
        && shorter <= summary
        && r.lead >= SAME_LEAD
        && (longer > summary || titles.contained)
    {
        return Some(r);
    }
    (r.body >= SAME_BODY && titles.contained).then_some(r)
}

/// Body resemblance of copies whose titles share nothing: what is left
/// after a dateline, a credit line and a dropped sentence. The estimate's
/// error at [`HASHES`] values is about 0.06.
const NEAR_IDENTICAL: f64 = 0.7;
/// Distinct shingles the shorter body must exceed for the body alone to
/// tell: longer than any summary, three sentences or more. Unrelated
/// stories share summaries: a standard opening, a notice's boilerplate.
const SUBSTANTIAL_SHINGLES: u32 = SUMMARY_SHINGLES;
/// A body at most this long is a summary: its lead and little more (two
/// long sentences).
const SUMMARY_SHINGLES: u32 = LEAD_SHINGLES as u32 * 2;
/// Body resemblance that makes two copies with related titles one story,
/// or two short ones under the same headline.
const SAME_BODY: f64 = 0.6;
/// Body resemblance that makes two copies with related titles one story
/// with a second sign: the same headline, or [`LEAD_HINT`] lead
/// resemblance.
const LIKE_BODY: f64 = 0.45;
const LEAD_HINT: f64 = 0.5;
/// Lead resemblance for a summary and the article it opens.
const SAME_LEAD: f64 = 0.7;
/// The share of numbers that may differ between two copies of one story
/// (a date in a credit line, a dropped paragraph).
const NUMBERS_SLACK: f64 = 0.25;

/// Numbers differ when each side's `(lead, all)` numbers have some that
/// the other's whole text lacks, in the lead of at least one side, and
/// the lead's are more than `slack` of the leads' numbers. One side
/// lacking some is an edit (a dropped paragraph, a summary); a
/// republisher's added "Ngày 12/11," shifts numbers out of the lead but
/// not out of the text; both sides having their own is a bulletin, even
/// when one side's dateline pushed its own out of its lead.
fn numbers_differ(a: (&[u32], &[u32]), b: (&[u32], &[u32]), slack: f64) -> bool {
    let lacking = |x: &[u32], y: &[u32]| x.iter().filter(|n| y.binary_search(n).is_err()).count();
    let only_a = lacking(a.0, b.1);
    let only_b = lacking(b.0, a.1);
    let own_a = only_a > 0 || lacking(a.1, b.1) > 0;
    let own_b = only_b > 0 || lacking(b.1, a.1) > 0;
    if only_a + only_b == 0 || !own_a || !own_b {
        return false;
    }
    let shared = a.0.iter().filter(|n| b.0.binary_search(n).is_ok()).count();
    let union = a.0.len() + b.0.len() - shared;
    (only_a + only_b) as f64 > slack * union as f64
}

/// A title word's hash, as [`Sketch::title_words`] holds it.
pub fn word_hash(word: &str) -> u32 {
    fnv1a(word.as_bytes()) as u32
}

/// Whether two copies under one title are nonetheless two stories: one
/// template's text with other numbers (two days of a bulletin), or two
/// full texts that are not alike (a headline two offices both used). A
/// copy carries the text it copies, or its opening as a summary. A rewritten summary brings numbers of its own ("khoảng 21
/// giờ", ages) without being another story: numbers count only where
/// the texts are alike.
pub fn other_story(a: &Sketch, b: &Sketch) -> bool {
    let body = agreement(&a.body, &b.body);
    let lead = agreement(&a.lead, &b.lead);
    let template = body >= ALIKE || lead >= ALIKE;
    let numbers = numbers_differ(
        (&a.numbers, &a.all_numbers),
        (&b.numbers, &b.all_numbers),
        NUMBERS_SLACK,
    );
    let long = a.shingles.min(b.shingles) > SUBSTANTIAL_SHINGLES;
    (template && numbers) || (long && !template)
}

/// Resemblance of one template's texts, a summary and a full text
/// included, each number changing the three shingles around it; less is
/// not a copy.
const ALIKE: f64 = 0.3;

/// Whether two copies open with the same text.
pub fn same_lead(a: &Sketch, b: &Sketch) -> bool {
    agreement(&a.lead, &b.lead) >= SAME_LEAD
}

/// The share of MinHash positions that agree: the Jaccard estimate.
fn agreement(a: &[u32], b: &[u32]) -> f64 {
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

/// A syllable that is a number: "03" and "3" are one number; a long digit
/// run (an id) is hashed.
fn number(syllable: &str) -> Option<u32> {
    if !syllable.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits = syllable.trim_start_matches('0');
    Some(match digits.parse::<u32>() {
        Ok(n) => n,
        Err(_) => fnv1a(digits.as_bytes()) as u32,
    })
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

fn fnv1a(bytes: &[u8]) -> u64 {
    mix(fnv1a_extend(FNV_OFFSET, bytes))
}

fn fnv1a_extend(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn mix(mut z: u64) -> u64 {
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

    const ARTICLE: &str = "Ngày 12/11, Công an tỉnh Hậu Giang cho biết đã triệt phá thành công \
        một đường dây đánh bạc qua mạng với số tiền giao dịch hơn 20 tỷ đồng. Theo đó, qua \
        công tác nắm tình hình, Phòng Cảnh sát hình sự phát hiện một nhóm đối tượng sử dụng \
        trang web cá cược để tổ chức đánh bạc dưới hình thức cá độ bóng đá. Lực lượng chức \
        năng đã bắt quả tang 7 đối tượng, thu giữ nhiều điện thoại, máy tính và sổ sách ghi \
        chép. Hiện vụ việc đang được củng cố hồ sơ để xử lý theo quy định của pháp luật. \
        Công an tỉnh khuyến cáo người dân không tham gia các hình thức cá cược trực tuyến.";

    fn sketch(title: &str, body: &str) -> Sketch {
        Sketch::of(title, body).expect("long enough")
    }

    #[test]
    fn a_rewritten_title_over_the_same_body_is_the_same_story() {
        let a = sketch(
            "Công an tỉnh triệt phá đường dây đánh bạc qua mạng",
            ARTICLE,
        );
        let edited = format!("{ARTICLE} Nguồn: Cổng thông tin điện tử Hậu Giang");
        let b = sketch(
            "Triệt phá đường dây đánh bạc trực tuyến quy mô lớn",
            &edited,
        );
        let r = resemblance(&a, &b).expect("same story");
        assert!(r.body > 0.6, "{r:?}");
    }

    #[test]
    fn a_summary_matches_the_article_it_opens() {
        let summary: String = ARTICLE.split(". ").take(2).collect::<Vec<_>>().join(". ");
        let title = "Công an tỉnh triệt phá đường dây đánh bạc qua mạng";
        let a = sketch(title, &summary);
        let b = sketch(title, ARTICLE);
        assert!(resemblance(&a, &b).is_some());
    }

    #[test]
    fn bulletins_with_other_numbers_differ() {
        let day = |n: u32, cases: u32, total: u32| {
            sketch(
                &format!("Hậu Giang ghi nhận {cases} ca mắc sốt xuất huyết mới"),
                &format!(
                    "Theo Trung tâm Kiểm soát bệnh tật tỉnh, trong ngày {n}/11 toàn tỉnh ghi \
                     nhận {cases} ca mắc sốt xuất huyết mới, nâng tổng số ca mắc từ đầu năm \
                     lên {total} ca. Ngành y tế khuyến cáo người dân diệt lăng quăng, loại bỏ \
                     vật chứa nước đọng và đến cơ sở y tế khi có dấu hiệu sốt cao."
                ),
            )
        };
        assert!(resemblance(&day(3, 25, 1210), &day(4, 31, 1241)).is_none());
        assert!(resemblance(&day(3, 25, 1210), &day(3, 25, 1210)).is_some());
    }

    #[test]
    fn a_shared_standard_opening_is_not_a_match() {
        let lead = "Thực hiện Kế hoạch của Công an tỉnh về đợt cao điểm tấn công, trấn áp \
            tội phạm, bảo đảm an ninh trật tự dịp cuối năm, lực lượng Công an huyện đã \
            đồng loạt ra quân kiểm tra.";
        let a = sketch(
            "Bắt giữ đối tượng trộm cắp xe máy tại chợ Vị Thanh",
            &format!("{lead} Qua đó phát hiện đối tượng Nguyễn Văn A trộm xe máy."),
        );
        let b = sketch(
            "Phát hiện cơ sở kinh doanh karaoke vi phạm phòng cháy",
            &format!("{lead} Kết quả phát hiện một cơ sở karaoke không đủ điều kiện."),
        );
        assert!(resemblance(&a, &b).is_none());
    }

    #[test]
    fn a_dateline_added_by_a_republisher_does_not_hide_the_numbers() {
        let title = "Công an tỉnh triệt phá đường dây đánh bạc qua mạng";
        let a = sketch(title, ARTICLE);
        let b = sketch(
            "Triệt phá đường dây cá độ bóng đá trực tuyến",
            &format!("Ngày 13/11, theo tin từ Công an tỉnh Hậu Giang, {ARTICLE}"),
        );
        assert!(resemblance(&a, &b).is_some());
    }

    #[test]
    fn a_long_shared_footer_alone_is_not_a_match() {
        let footer = "Công an tỉnh khuyến cáo người dân nâng cao cảnh giác, không cung cấp \
            thông tin cá nhân, mã OTP, số tài khoản cho người lạ qua điện thoại hay mạng xã \
            hội; khi phát hiện dấu hiệu lừa đảo, cần báo ngay cho cơ quan Công an gần nhất \
            hoặc gọi đường dây nóng để được hướng dẫn, hỗ trợ kịp thời. Người dân tuyệt đối \
            không chuyển tiền vào tài khoản lạ theo yêu cầu của người không quen biết.";
        let a = sketch(
            "Cụ bà ở Long Mỹ bị lừa mất 300 triệu đồng",
            &format!(
                "Bà T. nhận được cuộc gọi tự xưng là nhân viên bưu điện thông báo có bưu \
                 phẩm vi phạm pháp luật, yêu cầu chuyển tiền để xác minh. {footer}"
            ),
        );
        let b = sketch(
            "Sinh viên bị chiếm đoạt tiền khi tìm việc làm thêm trên mạng",
            &format!(
                "Một sinh viên tại Vị Thanh đăng ký làm cộng tác viên bán hàng trực \
                 tuyến và được yêu cầu nạp tiền để nhận nhiệm vụ. {footer}"
            ),
        );
        assert!(
            resemblance(&a, &b).is_none(),
            "{:?}",
            (agreement(&a.body, &b.body))
        );
    }

    /// Sentences of an unrelated story, as long as [`ARTICLE`].
    const OTHER: &str = "Sáng ngày 14/11, Sở Giáo dục và Đào tạo tổ chức lễ khánh thành \
        trường tiểu học mới tại xã Tân Long với 18 phòng học và khu hiệu bộ khang trang. Công \
        trình có tổng vốn đầu tư hơn 35 tỷ đồng từ nguồn ngân sách tỉnh, được khởi công từ \
        đầu năm và hoàn thành vượt tiến độ hai tháng. Năm học này, nhà trường đón gần 600 \
        học sinh, trong đó nhiều em trước đây phải đi học xa hơn 5 ki lô mét. Phát biểu tại \
        buổi lễ, lãnh đạo huyện đề nghị nhà trường giữ gìn cơ sở vật chất, nâng cao chất \
        lượng dạy và học. Dịp này, các doanh nghiệp trao tặng 120 suất học bổng cho học sinh \
        có hoàn cảnh khó khăn.";

    #[test]
    fn one_shared_sentence_under_unrelated_titles_is_not_a_match() {
        let shared = "Hiện vụ việc đang được cơ quan chức năng tiếp tục điều tra, làm rõ để \
            xử lý theo quy định của pháp luật.";
        let a = sketch(
            "Công an tỉnh triệt phá đường dây đánh bạc qua mạng",
            &format!("{ARTICLE} {shared}"),
        );
        let b = sketch(
            "Khánh thành trường tiểu học xã Tân Long",
            &format!("{OTHER} {shared}"),
        );
        assert!(resemblance(&a, &b).is_none());
    }

    #[test]
    fn a_summary_contained_in_an_unrelated_long_article_is_not_a_match() {
        let summary: String = OTHER.split(". ").take(2).collect::<Vec<_>>().join(". ");
        let a = sketch("Thông báo tạm ngưng tiếp nhận khám bệnh", &summary);
        let b = sketch(
            "Công an tỉnh triệt phá đường dây đánh bạc qua mạng",
            &format!("{summary}. {ARTICLE}"),
        );
        assert!(resemblance(&a, &b).is_none());
    }

    #[test]
    fn a_near_identical_long_body_under_an_unrelated_title_is_a_match() {
        let a = sketch(
            "Công an tỉnh triệt phá đường dây đánh bạc qua mạng",
            ARTICLE,
        );
        let b = sketch(
            "Thu giữ nhiều máy tính, sổ sách của nhóm cá độ bóng đá",
            &format!("{ARTICLE} Nguồn: Cổng thông tin điện tử Hậu Giang"),
        );
        assert!(resemblance(&a, &b).is_some());
    }

    #[test]
    fn identical_short_summaries_under_different_titles_are_not_a_match() {
        let notice = "Ủy ban nhân dân tỉnh thông báo đến các cơ quan, đơn vị, tổ chức và cá \
            nhân được biết, chi tiết nội dung xem trong văn bản đính kèm.";
        let a = sketch(
            "Thông báo đấu giá quyền sử dụng đất tại xã Long Bình",
            notice,
        );
        let b = sketch(
            "Thông báo tuyển dụng viên chức trường mầm non Hòa Mỹ",
            notice,
        );
        assert!(resemblance(&a, &b).is_none());
    }

    #[test]
    fn a_summary_that_is_a_common_opening_joins_nothing() {
        let summary: String = ARTICLE.split(". ").take(2).collect::<Vec<_>>().join(". ");
        let title = "Công an tỉnh triệt phá đường dây đánh bạc qua mạng";
        let a = sketch(title, &summary);
        let b = sketch(
            "Triệt phá đường dây đánh bạc trực tuyến quy mô lớn",
            &format!("{ARTICLE} {OTHER}"),
        );
        assert!(resemblance_given(&a, &b, false).is_some());
        assert!(resemblance_given(&a, &b, true).is_none());
    }

    #[test]
    fn one_title_over_a_bulletin_with_other_numbers_is_another_story() {
        let day = |n: u32, cases: u32| {
            sketch(
                "Kết quả tuần tra bảo đảm trật tự an toàn giao thông",
                &format!(
                    "Trong ngày {n}/11, lực lượng Cảnh sát giao thông đã tuần tra, kiểm \
                     soát, phát hiện và lập biên bản {cases} trường hợp vi phạm trật tự an \
                     toàn giao thông, tạm giữ nhiều phương tiện và tước giấy phép lái xe."
                ),
            )
        };
        assert!(other_story(&day(3, 25), &day(4, 31)));
        assert!(!other_story(&day(3, 25), &day(3, 25)));
    }

    #[test]
    fn one_headline_over_two_unrelated_full_texts_is_two_stories() {
        let title = "Tăng cường bảo đảm an ninh trật tự dịp cuối năm";
        assert!(other_story(&sketch(title, ARTICLE), &sketch(title, OTHER)));
        let summary: String = ARTICLE.split(". ").take(2).collect::<Vec<_>>().join(". ");
        assert!(!other_story(
            &sketch(title, ARTICLE),
            &sketch(title, &summary)
        ));
    }

    #[test]
    fn a_dateline_does_not_hide_another_days_numbers() {
        // The counts come late in the text: a dateline pushes one side's
        // out of its lead.
        let day = |n: u32, cases: u32, seized: u32| {
            format!(
                "Trong ngày {n}/11, lực lượng Cảnh sát giao thông Công an tỉnh đã tổ chức \
                 tuần tra, kiểm soát trên các tuyến quốc lộ, tỉnh lộ trọng điểm, phát hiện \
                 và lập biên bản {cases} trường hợp vi phạm trật tự an toàn giao thông, tạm \
                 giữ {seized} phương tiện và tước giấy phép lái xe có thời hạn."
            )
        };
        let title = "Kết quả tuần tra bảo đảm trật tự an toàn giao thông";
        let a = sketch(
            title,
            &format!(
                "Ngày 3/11, theo tin từ Công an tỉnh Hậu Giang, {}",
                day(3, 25, 7)
            ),
        );
        let b = sketch(title, &day(3, 31, 9));
        assert!(other_story(&a, &b));
        assert!(resemblance(&a, &b).is_none());
    }

    #[test]
    fn a_rewritten_summary_with_numbers_of_its_own_is_the_same_story() {
        let title = "Bắt quả tang 2 đối tượng tàng trữ trái phép chất ma túy";
        let a = sketch(
            title,
            "Khoảng 21 giờ ngày 04/8, Công an thành phố phối hợp Phòng Cảnh sát điều tra \
             tội phạm về ma túy bắt quả tang Nguyễn Văn T. (28 tuổi) và Lê Minh H. (31 \
             tuổi) đang tàng trữ 3 gói ma túy tổng hợp.",
        );
        let b = sketch(
            title,
            "Công an thành phố vừa bắt quả tang 2 đối tượng tàng trữ trái phép 3 gói ma \
             túy tổng hợp tại khu vực chợ nổi.",
        );
        assert!(!other_story(&a, &b));
    }

    #[test]
    fn bytes_round_trip_and_reject_garbage() {
        let a = sketch("Tiêu đề", ARTICLE);
        assert_eq!(Sketch::from_bytes(&a.to_bytes()), Some(a.clone()));
        assert_eq!(Sketch::from_bytes(&a.to_bytes()[..40]), None);
        assert_eq!(Sketch::from_bytes(b""), None);
    }

    #[test]
    fn identical_text_shares_every_band() {
        let a = sketch("A", ARTICLE);
        let b = sketch("B", ARTICLE);
        assert_eq!(a.bands(), b.bands());
        assert_eq!(a.bands().len(), BODY_BANDS + LEAD_BANDS);
    }

    #[test]
    fn short_text_has_no_sketch() {
        assert!(Sketch::of("Thông báo", "Lịch công tác tuần").is_none());
    }
}
