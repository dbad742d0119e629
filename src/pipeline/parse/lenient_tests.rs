//! What the recovering reader and the link and field rules give, one
//! fixture per trap (`tests/fixtures/parse/`), seen through [`parse_feed`].

use super::{ParsedFeed, parse_feed};

const FETCHED: &str = "https://feeds.portal.test/rss/tin-moi.rss";

fn parse(name: &str) -> ParsedFeed {
    let path = format!("{}/tests/fixtures/parse/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse_feed(&bytes, None, FETCHED).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn titles(feed: &ParsedFeed) -> Vec<&str> {
    let titles = feed.items.iter().map(|i| i.title.as_deref().unwrap_or(""));
    titles.collect()
}

fn link(feed: &ParsedFeed) -> Option<&str> {
    feed.items.first().and_then(|i| i.link.as_deref())
}

/// The item's title as a reader sees it, after normalizing.
fn shown_title(feed: &ParsedFeed) -> String {
    let item = feed.items.first().expect("an item");
    crate::pipeline::normalize::normalize(item, FETCHED, chrono::Utc::now()).title
}

fn partial(feed: &ParsedFeed) -> &str {
    feed.partial.as_deref().unwrap_or_default()
}

#[test]
fn rss_without_version_is_read_and_marked_partial() {
    let feed = parse("rss-without-version.xml");
    let want = [
        "Hội nghị tổng kết công tác y tế năm 2025",
        "Lịch tiếp công dân tháng 1",
    ];
    assert_eq!(titles(&feed), want);
    assert_eq!(
        link(&feed),
        Some("https://haugiang.gov.vn.test/tin/hoi-nghi-tong-ket.html")
    );
    assert!(feed.items[0].published.is_some());
    assert!(partial(&feed).starts_with("root <rss> with no version: feed-rs refused"));
}

#[test]
fn rss_093_is_read() {
    let feed = parse("rss-0.93.xml");
    assert_eq!(titles(&feed), ["Phòng chống sốt xuất huyết mùa mưa"]);
    assert_eq!(
        feed.items[0].summary.as_deref(),
        Some("Người dân cần diệt lăng quăng.")
    );
    assert!(partial(&feed).starts_with(r#"root <rss version="0.93">:"#));
}

#[test]
fn rss_in_userland_namespace_keeps_every_item() {
    let feed = parse("rss-userland-namespace.xml");
    let want = [
        "Bắt giữ đối tượng trộm cắp tài sản",
        "Tuyên truyền an toàn giao thông",
    ];
    assert_eq!(titles(&feed), want);
    assert_eq!(link(&feed), Some("https://congan.test/tin/bat-giu.html"));
    assert!(partial(&feed).contains("http://backend.userland.com/rss2"));
}

#[test]
fn items_directly_under_rss_are_read() {
    let feed = parse("item-directly-under-rss.xml");
    assert_eq!(titles(&feed), ["Mưa lớn ở Vị Thanh", "Khánh thành cầu mới"]);
    assert!(partial(&feed).starts_with("<item> directly under <rss>: feed-rs read 0 of the 2"));
}

#[test]
fn atom03_text_plain_is_read() {
    let feed = parse("atom03-text-plain.xml");
    assert_eq!(titles(&feed), ["Tiêm chủng mở rộng đợt 2"]);
    assert_eq!(link(&feed), Some("https://moh.test/tin/tiem-chung.html"));
    assert_eq!(
        feed.items[0].summary.as_deref(),
        Some("Trẻ dưới 5 tuổi được tiêm miễn phí.")
    );
    assert!(partial(&feed).starts_with(r#"type="text/plain" on <title>"#));
}

#[test]
fn atom03_inline_xhtml_content_is_read_as_html() {
    let feed = parse("atom03-inline-xhtml-content.xml");
    assert_eq!(titles(&feed), ["Hướng dẫn phòng bệnh tay chân miệng"]);
    assert_eq!(feed.title.as_deref(), Some("Bộ Y tế"));
    let content = feed.items[0].content.as_deref().unwrap_or_default();
    assert!(
        content.contains("<p>Rửa tay bằng <b>xà phòng</b> nhiều lần mỗi ngày.</p>"),
        "{content}"
    );
}

#[test]
fn one_invalid_title_type_costs_no_entry() {
    let feed = parse("atom10-one-invalid-title-type.xml");
    assert_eq!(feed.items.len(), 3);
    assert_eq!(titles(&feed)[1], "Cảnh báo ngộ độc thực phẩm dịp Tết");
    assert_eq!(
        feed.items[1].link.as_deref(),
        Some("https://skds.test/tin/ngo-doc.html")
    );
    assert!(partial(&feed).starts_with(r#"type="plain" on <title>"#));
}

#[test]
fn comments_before_link_is_not_the_link() {
    let feed = parse("comments-before-link.xml");
    assert_eq!(link(&feed), Some("https://cand.test/tin/danh-bac.html"));
    assert_eq!(feed.partial, None);
}

#[test]
fn wfw_comment_rss_before_link_is_not_the_link() {
    let feed = parse("wfw-commentrss-before-link.xml");
    assert_eq!(link(&feed), Some("https://cand.test/tin/lua-dao.html"));
}

#[test]
fn permalink_guid_is_the_link_when_link_is_missing() {
    let feed = parse("guid-permalink-without-link.xml");
    assert_eq!(link(&feed), Some("https://qdnd.test/tin/dien-tap.html"));
}

#[test]
fn http_guid_without_ispermalink_is_the_link() {
    let feed = parse("guid-url-without-ispermalink.xml");
    assert_eq!(link(&feed), Some("https://qdnd.test/tin/tan-binh.html"));
}

#[test]
fn guid_marked_not_permalink_is_not_the_link() {
    let feed = parse("guid-not-permalink-without-link.xml");
    assert_eq!(link(&feed), None);
    assert_eq!(
        feed.items[0].guid.as_deref(),
        Some("https://qdnd.test/id/1187")
    );
}

#[test]
fn enclosure_is_not_the_link() {
    let feed = parse("enclosure-is-not-the-link.xml");
    assert_eq!(link(&feed), None);
}

#[test]
fn atom_link_written_as_text_is_the_link() {
    let feed = parse("atom-link-url-as-text.xml");
    assert_eq!(
        link(&feed),
        Some("https://vinhlong.test/tin/chuyen-doi-so.html")
    );
}

#[test]
fn relative_link_resolves_against_xml_base() {
    let feed = parse("relative-link-under-xml-base.xml");
    assert_eq!(
        link(&feed),
        Some("https://cdn.portal.test/tin-tuc/bai-1.html")
    );
}

#[test]
fn relative_link_resolves_against_the_channel_link() {
    let feed = parse("relative-link-channel-link.xml");
    assert_eq!(link(&feed), Some("https://portal.test/tin-tuc/bai-2.html"));
}

#[test]
fn relative_link_resolves_against_the_fetch_url_when_the_channel_link_is_relative() {
    let feed = parse("relative-link-relative-channel-link.xml");
    assert_eq!(
        link(&feed),
        Some("https://feeds.portal.test/rss/bai-3.html")
    );
}

#[test]
fn atom03_base64_mode_is_decoded() {
    let feed = parse("atom03-base64-mode.xml");
    assert_eq!(titles(&feed), ["Cảnh báo <b>mưa lũ</b> ở miền Trung"]);
    assert_eq!(
        feed.items[0].content.as_deref(),
        Some("<p>Nội dung <b>đầy đủ</b> của bản tin.</p>")
    );
    assert_eq!(shown_title(&feed), "Cảnh báo mưa lũ ở miền Trung");
}

#[test]
fn atom10_text_with_a_binary_type_is_base64() {
    let feed = parse("atom10-base64-typed-text.xml");
    assert_eq!(titles(&feed), ["Cảnh báo <b>mưa lũ</b> ở miền Trung"]);
    assert_eq!(link(&feed), Some("https://moh.test/tin/mua-lu-2.html"));
}

#[test]
fn xhtml_body_is_the_content_when_richer() {
    let feed = parse("xhtml-body-richer-than-description.xml");
    let content = feed.items[0].content.as_deref().unwrap_or_default();
    assert!(
        content.starts_with("<p>Sáng nay, Sở Tư pháp tổ chức <b>hội nghị phổ biến</b>"),
        "{content}"
    );
    assert_eq!(
        feed.items[0].summary.as_deref(),
        Some("Hội nghị phổ biến luật.")
    );
}

#[test]
fn fullitem_is_the_content_when_richer() {
    let feed = parse("fullitem-richer-than-description.xml");
    let content = feed.items[0].content.as_deref().unwrap_or_default();
    assert!(
        content.starts_with("<p>Trung tâm trợ giúp pháp lý tỉnh"),
        "{content}"
    );
}

#[test]
fn media_description_is_the_content_and_media_title_the_title() {
    let feed = parse("media-description-richer-than-description.xml");
    assert_eq!(titles(&feed), ["Lễ hội đua ghe ngo năm 2026"]);
    let content = feed.items[0].content.as_deref().unwrap_or_default();
    assert!(content.starts_with("Hàng nghìn người dân"), "{content}");
}

#[test]
fn dc_title_is_the_title_when_title_is_missing() {
    let feed = parse("dc-title-without-title.xml");
    assert_eq!(titles(&feed), ["Nghiệm thu đề tài khoa học cấp tỉnh"]);
    assert_eq!(link(&feed), Some("https://sokhcn.test/tin/1"));
}

#[test]
fn c1_controls_in_utf8_are_windows_1252() {
    let feed = parse("c1-controls-in-utf8.xml");
    assert_eq!(titles(&feed), ["Tin m’i"]);
    assert_eq!(feed.items[0].summary.as_deref(), Some("don’t stop here"));
}

#[test]
fn c1_character_references_are_windows_1252() {
    let feed = parse("c1-character-reference.xml");
    assert_eq!(titles(&feed), ["Don’t miss it “now”"]);
}

#[test]
fn c1_bytes_in_latin1_are_windows_1252() {
    let feed = parse("c1-bytes-in-latin1.xml");
    assert_eq!(titles(&feed), ["Don’t stop"]);
}

#[test]
fn c1_double_escaped_reference_is_windows_1252_once_shown() {
    let feed = parse("c1-double-escaped-reference.xml");
    assert_eq!(shown_title(&feed), "Don’t wait");
}

#[test]
fn cut_feed_without_version_names_both_faults() {
    let path = format!(
        "{}/tests/fixtures/parse/rss-without-version.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cut = &doc[..doc.find("Lịch tiếp").expect("second title")];
    let feed = parse_feed(cut.as_bytes(), None, FETCHED).expect("the first item is read");
    assert_eq!(titles(&feed), ["Hội nghị tổng kết công tác y tế năm 2025"]);
    let note = partial(&feed);
    assert!(note.starts_with("root <rss> with no version: "), "{note}");
    assert!(note.contains("ends inside item 2"), "{note}");
}

#[test]
fn empty_title_does_not_hide_dc_title() {
    let feed = parse("empty-title-beside-dc-title.xml");
    assert_eq!(titles(&feed), ["Khai mạc hội chợ xuân 2026"]);
    assert_eq!(feed.partial, None);
}
