//! The keys copies are matched on: an item's key within its source, a
//! title's comparable form, a link's comparable form.

use std::collections::HashMap;

use crate::config::Source;
use crate::model::Classified;
use crate::model::story::CopyKey;
use crate::text::Tokens;

/// Titles shorter than this ("Thông báo", "Lịch công tác") are too generic
/// to merge on.
const MIN_TITLE_SYLLABLES: usize = 5;

/// Each item's key within its source: its guid, unless the feed gives the
/// same guid to several items (then the guid means nothing); else its
/// link; else its title.
pub fn copy_keys(source: &Source, items: &[Classified]) -> Vec<CopyKey> {
    let mut guid_uses: HashMap<&str, usize> = HashMap::new();
    for Classified { item, .. } in items {
        if let Some(guid) = &item.guid {
            *guid_uses.entry(guid).or_default() += 1;
        }
    }
    items
        .iter()
        .map(|Classified { item, .. }| {
            let guid = item
                .guid
                .as_deref()
                .filter(|g| guid_uses.get(g) == Some(&1));
            let key = guid
                .or(item.link.as_deref())
                .map(str::to_string)
                .unwrap_or_else(|| format!("title:{}", Tokens::of(&item.title).joined()));
            CopyKey {
                source: source.id.clone(),
                item: key,
            }
        })
        .collect()
}

/// The form of a title that title matching compares, or `None` for a
/// title too short to be telling. A leading place or outlet ("Hậu Giang:",
/// "(Chinhphu.vn) -") and a trailing credit ("(Theo Báo Điện tử Chính
/// phủ)") are how republishers decorate a title, not part of it.
pub fn title_key(title: &str) -> Option<String> {
    let tokens = Tokens::of(undecorated(title));
    (tokens.len() >= MIN_TITLE_SYLLABLES).then(|| tokens.joined())
}

/// Every form a title is matched under: undecorated, and as written. A
/// place prefix is sometimes the subject of the sentence: "Hậu Giang: Đã
/// tiêm hơn 12.000 liều" is "Hậu Giang đã tiêm hơn 12.000 liều".
pub fn title_keys(title: &str) -> Vec<String> {
    let mut keys: Vec<String> = title_key(title).into_iter().collect();
    let whole = Tokens::of(title);
    if whole.len() >= MIN_TITLE_SYLLABLES {
        let whole = whole.joined();
        if !keys.contains(&whole) {
            keys.push(whole);
        }
    }
    keys
}

/// What a trailing "(video)" may say: the kind of page, not the story.
const MEDIA_TAGS: &[&str] = &[
    "video",
    "ảnh",
    "clip",
    "infographic",
    "photo",
    "audio",
    "podcast",
    "emagazine",
    "chùm ảnh",
];

/// Words a leading "Place:" prefix may have at most.
const PREFIX_WORDS: usize = 4;

pub fn undecorated(title: &str) -> &str {
    let mut t = title.trim();
    // "(Chinhphu.vn) - ..." / "[Video] ..."
    if let Some(rest) = t.strip_prefix(['(', '[']) {
        if let Some(end) = rest.find([')', ']']).filter(|&end| end <= 40) {
            t = rest[end + 1..].trim_start_matches([' ', '-', '–', '—', ':']);
        }
    }
    // "Hậu Giang: ..." (a short name, no digits: not "Ngày 3/8: ...")
    if let Some((head, rest)) = t.split_once(':') {
        let words = head.split_whitespace().count();
        if (1..=PREFIX_WORDS).contains(&words)
            && !head.chars().any(|c| c.is_ascii_digit())
            && !rest.trim().is_empty()
        {
            t = rest.trim_start();
        }
    }
    // "... (video)" / "... [Ảnh]": what the page shows, not what it says
    if let Some(open) = t.rfind(['(', '[']).filter(|_| t.ends_with([')', ']'])) {
        let tag = t[open + 1..t.len() - 1].trim().to_lowercase();
        if MEDIA_TAGS.contains(&tag.as_str()) {
            t = t[..open].trim_end_matches([' ', '-', '–', '—']);
        }
    }
    // "... (Theo Báo Điện tử Chính phủ)" / "(Nguồn: ...)"
    if let Some(open) = t.rfind('(').filter(|_| t.ends_with(')')) {
        let credit = t[open + 1..].trim_start().to_lowercase();
        if credit.starts_with("theo") || credit.starts_with("nguồn") {
            t = t[..open].trim_end_matches([' ', '-', '–', '—']);
        }
    }
    t
}

/// The form of a canonical link that link matching compares: the same
/// page is often linked as http and https, with and without `www.` or
/// the mobile `m.` host, with and without a trailing slash.
pub fn link_key(link: &str) -> String {
    let Ok(url) = url::Url::parse(link) else {
        return link.to_string();
    };
    let host = url.host_str().unwrap_or_default();
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("m."))
        .unwrap_or(host);
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = url.path().trim_end_matches('/');
    match url.query() {
        Some(query) => format!("{host}{port}{path}?{query}"),
        None => format!("{host}{port}{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_prefix_and_credit_do_not_count() {
        let plain = title_key("Bộ Y tế hướng dẫn tiêm bổ sung vắc xin sởi cho trẻ em");
        assert!(plain.is_some());
        for decorated in [
            "Hậu Giang: Bộ Y tế hướng dẫn tiêm bổ sung vắc xin sởi cho trẻ em",
            "(Chinhphu.vn) - Bộ Y tế hướng dẫn tiêm bổ sung vắc xin sởi cho trẻ em",
            "Bộ Y tế hướng dẫn tiêm bổ sung vắc xin sởi cho trẻ em (Theo Báo Điện tử Chính phủ)",
        ] {
            assert_eq!(title_key(decorated), plain, "{decorated}");
        }
    }

    #[test]
    fn a_media_tag_does_not_count() {
        let plain = title_key("Cháy nhà dân ở xã Hòa Mỹ, thiệt hại khoảng 300 triệu đồng");
        for tagged in [
            "Cháy nhà dân ở xã Hòa Mỹ, thiệt hại khoảng 300 triệu đồng (video)",
            "Cháy nhà dân ở xã Hòa Mỹ, thiệt hại khoảng 300 triệu đồng [Ảnh]",
        ] {
            assert_eq!(title_key(tagged), plain, "{tagged}");
        }
        assert_ne!(
            title_key("Phòng cháy, chữa cháy tại chợ Vị Thanh (đợt 4)"),
            title_key("Phòng cháy, chữa cháy tại chợ Vị Thanh")
        );
    }

    #[test]
    fn a_place_prefix_may_be_the_subject() {
        let keys = title_keys("Hậu Giang: Đã tiêm hơn 12.000 liều vắc xin phòng Covid-19");
        let plain = title_key("Hậu Giang đã tiêm hơn 12.000 liều vắc xin phòng Covid-19.");
        assert!(plain.is_some_and(|p| keys.contains(&p)));
    }

    #[test]
    fn a_date_before_a_colon_is_not_a_place() {
        assert_ne!(
            title_key("Ngày 3/8: Hậu Giang ghi nhận thêm 45 ca mắc mới"),
            title_key("Hậu Giang ghi nhận thêm 45 ca mắc mới")
        );
    }

    #[test]
    fn template_bulletins_with_other_numbers_differ() {
        assert_ne!(
            title_key("Hậu Giang ghi nhận 25 ca mắc Covid-19 mới"),
            title_key("Hậu Giang ghi nhận 31 ca mắc Covid-19 mới")
        );
    }

    #[test]
    fn link_variants_share_a_key() {
        let key = link_key("https://haugiang.gov.vn/tin-tuc/a");
        for variant in [
            "http://haugiang.gov.vn/tin-tuc/a/",
            "https://www.haugiang.gov.vn/tin-tuc/a",
            "https://m.haugiang.gov.vn/tin-tuc/a",
        ] {
            assert_eq!(link_key(variant), key, "{variant}");
        }
        assert_ne!(link_key("https://haugiang.gov.vn/tin-tuc/a?id=2"), key);
    }
}
