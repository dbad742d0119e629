//! Whether two copies are one story by their text: the merge's rule over
//! two [`Sketch`]es. Numbers veto, then the titles' relation
//! ([`super::titles`]) decides how much the bodies must prove.

use super::titles;
use crate::text::sketch::{LEAD_SHINGLES, Sketch, agreement};

/// A body at least this long is compared on its resemblance; a shorter
/// one (a summary) on its lead.
const LONG_SHINGLES: u32 = 60;

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
/// error at [`HASHES`](crate::text::sketch::HASHES) values is about 0.06.
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
}
